/* prompt.c - from the flow core's bottleneck signals to the Messages API
 * request body (see explain.h). The only tenant-derived things that reach
 * the request are integers; every word of it is ours. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain/explain.h"

static const char *const CONFIDENCE_WORDS[] = {"medium", "high", "very high"};
enum { N_CONFIDENCE = sizeof CONFIDENCE_WORDS / sizeof CONFIDENCE_WORDS[0] };

/* The reason prefixes of flow/bottleneck.c, by kind. */
static const char *const SIGNAL_PREFIX[] = {
    [BIQ_EXPLAIN_SIG_AVG_TIME] = "Average time",
    [BIQ_EXPLAIN_SIG_WIP] = "WIP",
    [BIQ_EXPLAIN_SIG_THROUGHPUT] = "Throughput",
};
/* How the request describes each kind to the model. */
static const char *const SIGNAL_TEXT[] = {
    [BIQ_EXPLAIN_SIG_AVG_TIME] = "average time spent in {STAGE}",
    [BIQ_EXPLAIN_SIG_WIP] = "average work in progress in {STAGE}",
    [BIQ_EXPLAIN_SIG_THROUGHPUT] = "throughput out of {STAGE}",
};
enum { N_KINDS = sizeof SIGNAL_PREFIX / sizeof SIGNAL_PREFIX[0] };

/* No digits here: every number the model may repeat comes from the input. */
static const char SYSTEM_PROMPT[] =
    "You explain a flow-analytics finding to a software team. Answer with exactly one "
    "plain English sentence of at most thirty words, and nothing else. Refer to the "
    "workflow stage only as {STAGE} and to the confidence level only as {CONFIDENCE}, "
    "written exactly like that with the braces; use no other braces. Use only the "
    "numbers given, written exactly as given in digits, and do not compute new ones. "
    "No lists, no quotes, no markdown.";

/* Reads the size of a change that ends the phrase, the whole rest of s, as
 * biq_flow_format_change writes it: "<digits>%", or "×<digits>.<digit>" (a
 * factor beyond 500%), as a whole percent. */
static biq_err parse_pct(const char *s, long *out)
{
    static const char TIMES[] = "\u00d7";
    bool factor = strncmp(s, TIMES, sizeof TIMES - 1) == 0;
    if (factor)
        s += sizeof TIMES - 1;
    if (*s < '0' || *s > '9')
        return BIQ_ERR_INVALID;
    char *end = NULL;
    errno = 0;
    double v = factor ? strtod(s, &end) : (double)strtol(s, &end, 10);
    if (factor)
        v = (v - 1.0) * 100.0;
    if (errno != 0 || end == NULL || strcmp(end, factor ? "" : "%") != 0 || v < 0 ||
        v > BIQ_EXPLAIN_PCT_MAX)
        return BIQ_ERR_INVALID;
    *out = lround(v);
    return BIQ_OK;
}

static biq_err parse_reason(const char *reason, biq_explain_signal *sig)
{
    static const char INC[] = " increased ", DEC[] = " decreased ";
    for (size_t k = 0; k < N_KINDS; k++) {
        size_t n = strlen(SIGNAL_PREFIX[k]);
        if (strncmp(reason, SIGNAL_PREFIX[k], n) != 0)
            continue;
        const char *rest = reason + n;
        if (strncmp(rest, INC, sizeof INC - 1) == 0)
            sig->increased = true;
        else if (strncmp(rest, DEC, sizeof DEC - 1) == 0)
            sig->increased = false;
        else
            return BIQ_ERR_INVALID;
        sig->kind = (biq_explain_signal_kind)k;
        return parse_pct(rest + sizeof INC - 1, &sig->pct);
    }
    return BIQ_ERR_INVALID;
}

biq_err biq_explain_input_parse(const char *confidence, long long score,
                                const char *const *reasons, size_t n_reasons,
                                biq_explain_input *in)
{
    *in = (biq_explain_input){0};
    for (size_t i = 0; confidence != NULL && i < N_CONFIDENCE; i++) {
        if (strcmp(confidence, CONFIDENCE_WORDS[i]) == 0)
            in->confidence = (int)i + 1;
    }
    if (in->confidence == 0 || score < 0 || score > BIQ_EXPLAIN_SCORE_MAX ||
        n_reasons > BIQ_EXPLAIN_MAX_SIGNALS)
        return BIQ_ERR_INVALID;
    in->score = (int)score;
    for (size_t i = 0; i < n_reasons; i++) {
        if (reasons[i] == NULL || parse_reason(reasons[i], &in->signals[i]) != BIQ_OK)
            return BIQ_ERR_INVALID;
    }
    in->n_signals = n_reasons;
    return BIQ_OK;
}

biq_err biq_explain_input_from_bottleneck(const biq_flow_bottleneck *b, biq_explain_input *in)
{
    const char *reasons[BIQ_FLOW_MAX_REASONS];
    if (b->state != BIQ_BN_FOUND || b->n_reasons > BIQ_FLOW_MAX_REASONS)
        return BIQ_ERR_INVALID;
    for (size_t i = 0; i < b->n_reasons; i++)
        reasons[i] = b->reasons[i];
    return biq_explain_input_parse(b->confidence, b->score, reasons, b->n_reasons, in);
}

/* The user message: fixed wording, placeholders, integers. */
static biq_err user_message(const biq_explain_input *in, char *buf, size_t len)
{
    size_t used = 0;
    int n = snprintf(buf, len,
                     "Bottleneck stage: {STAGE}\nConfidence: {CONFIDENCE}\nScore: %d\n"
                     "Signals compared with the previous period of the same length:",
                     in->score);
    if (n < 0 || (size_t)n >= len)
        return BIQ_ERR_INTERNAL;
    used = (size_t)n;
    for (size_t i = 0; i < in->n_signals; i++) {
        const biq_explain_signal *s = &in->signals[i];
        n = snprintf(buf + used, len - used, "\n- %s %s by %ld%%", SIGNAL_TEXT[s->kind],
                     s->increased ? "increased" : "decreased", s->pct);
        if (n < 0 || (size_t)n >= len - used)
            return BIQ_ERR_INTERNAL;
        used += (size_t)n;
    }
    n = snprintf(buf + used, len - used,
                 "\nWrite the one sentence that tells the team why {STAGE} is the bottleneck.");
    return n < 0 || (size_t)n >= len - used ? BIQ_ERR_INTERNAL : BIQ_OK;
}

json_t *biq_explain_request(const biq_explain_input *in, const char *model)
{
    char text[BIQ_EXPLAIN_PROMPT_MAX];
    if (in->n_signals > BIQ_EXPLAIN_MAX_SIGNALS || user_message(in, text, sizeof text) != BIQ_OK)
        return NULL;
    return json_pack("{s:s, s:i, s:s, s:[{s:s, s:s}]}", "model", model, "max_tokens",
                     (int)BIQ_EXPLAIN_MAX_TOKENS, "system", SYSTEM_PROMPT, "messages", "role",
                     "user", "content", text);
}
