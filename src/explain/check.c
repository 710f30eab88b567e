/* check.c - the gate between a model's answer and the dashboard (see
 * explain.h): one sentence, bounded, only our placeholders, only the numbers
 * we sent; then the placeholders are filled in locally. */
#include <stdio.h>
#include <string.h>

#include "explain/explain.h"

enum { NUMBER_TEXT_MAX = 24 };

/* Markup and quoting the dashboard has no use for. */
static const char FORBIDDEN[] = "`*#<>|\\\"";

static const char *const PLACEHOLDERS[] = {BIQ_EXPLAIN_PH_STAGE, BIQ_EXPLAIN_PH_CONFIDENCE};
enum { N_PLACEHOLDERS = sizeof PLACEHOLDERS / sizeof PLACEHOLDERS[0] };

static biq_err refuse(char *why, size_t why_len, const char *reason)
{
    snprintf(why, why_len, "%s", reason);
    return BIQ_ERR_INVALID;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The placeholder that starts at s, or -1. */
static int placeholder_at(const char *s)
{
    for (int i = 0; i < N_PLACEHOLDERS; i++) {
        if (strncmp(s, PLACEHOLDERS[i], strlen(PLACEHOLDERS[i])) == 0)
            return i;
    }
    return -1;
}

/* True when the digit run s[0..len) is one of the numbers of in, written
 * the same way (so "062" or a changed number never passes). */
static bool number_was_sent(const biq_explain_input *in, const char *s, size_t len)
{
    long allowed[BIQ_EXPLAIN_MAX_NUMBERS];
    size_t n = 0;
    allowed[n++] = in->score;
    for (size_t i = 0; i < in->n_signals; i++)
        allowed[n++] = in->signals[i].pct;
    for (size_t i = 0; i < n; i++) {
        char text[NUMBER_TEXT_MAX];
        int w = snprintf(text, sizeof text, "%ld", allowed[i]);
        if (w > 0 && (size_t)w == len && memcmp(text, s, len) == 0)
            return true;
    }
    return false;
}

/* One pass over the trimmed answer s[0..len): characters, sentence ends,
 * braces and numbers. */
static biq_err scan(const biq_explain_input *in, const char *s, size_t len, char *why,
                    size_t why_len)
{
    bool stage = false;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || strchr(FORBIDDEN, c) != NULL)
            return refuse(why, why_len, "answer has control or markup characters");
        if ((c == '.' || c == '!' || c == '?') && i + 1 != len)
            return refuse(why, why_len, "answer is not exactly one sentence");
        if (c == '{') {
            int p = placeholder_at(s + i);
            if (p < 0)
                return refuse(why, why_len, "answer has an unknown placeholder or brace");
            stage |= p == 0;
            i += strlen(PLACEHOLDERS[p]);
            continue;
        }
        if (c == '}')
            return refuse(why, why_len, "answer has an unknown placeholder or brace");
        if (c >= '0' && c <= '9') {
            size_t j = i;
            while (j < len && s[j] >= '0' && s[j] <= '9')
                j++;
            if (!number_was_sent(in, s + i, j - i))
                return refuse(why, why_len, "answer has a number that was not sent");
            i = j;
            continue;
        }
        i++;
    }
    return stage ? BIQ_OK : refuse(why, why_len, "answer lacks the {STAGE} placeholder");
}

/* Copies s[0..len) to out with the placeholders replaced. */
static biq_err fill(const char *s, size_t len, const char *const values[N_PLACEHOLDERS],
                    char *out, size_t out_len, char *why, size_t why_len)
{
    size_t used = 0;
    for (size_t i = 0; i < len;) {
        int p = s[i] == '{' ? placeholder_at(s + i) : -1;
        const char *piece = p >= 0 ? values[p] : s + i;
        size_t n = p >= 0 ? strlen(values[p]) : 1;
        if (used + n >= out_len)
            return refuse(why, why_len, "filled sentence too long");
        memcpy(out + used, piece, n);
        used += n;
        i += p >= 0 ? strlen(PLACEHOLDERS[p]) : 1;
    }
    out[used] = '\0';
    return BIQ_OK;
}

biq_err biq_explain_check(const biq_explain_input *in, const char *answer, const char *stage,
                          const char *confidence_word, char *out, size_t out_len, char *why,
                          size_t why_len)
{
    if (out_len > 0)
        out[0] = '\0';
    if (answer == NULL)
        return refuse(why, why_len, "no answer");
    while (is_space(*answer))
        answer++;
    size_t len = strlen(answer);
    while (len > 0 && is_space(answer[len - 1]))
        len--;
    if (len < BIQ_EXPLAIN_SENTENCE_MIN || len > BIQ_EXPLAIN_SENTENCE_MAX)
        return refuse(why, why_len, "answer length out of bounds");
    if (answer[len - 1] != '.' && answer[len - 1] != '!')
        return refuse(why, why_len, "answer does not end a sentence");
    biq_err err = scan(in, answer, len, why, why_len);
    if (err != BIQ_OK)
        return err;
    const char *values[N_PLACEHOLDERS] = {stage, confidence_word};
    return fill(answer, len, values, out, out_len < BIQ_EXPLAIN_OUTPUT_MAX ? out_len
                                                                            : BIQ_EXPLAIN_OUTPUT_MAX,
                why, why_len);
}
