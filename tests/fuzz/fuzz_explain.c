/* fuzz_explain.c - what comes back from the language model (explain/):
 * biq_explain_answer_text, the parse of the Messages API reply
 * (client.c), and biq_explain_check, the gate on the model's sentence
 * (check.c). The input is tried both as a whole API reply (its text then
 * goes through the check) and as the sentence itself.
 *
 * Properties: a reply is refused with BIQ_EXPLAIN_BAD_RESPONSE and a
 * reason, *text untouched, or gives at most 2 * BIQ_EXPLAIN_SENTENCE_MAX
 * bytes of text; an accepted sentence is NUL-terminated within
 * BIQ_EXPLAIN_OUTPUT_MAX, holds the stage, no brace, no control or markup
 * character, only numbers that were sent, and ends its only sentence at
 * its end; a refused one leaves out empty with a reason.
 */
#include <string.h>

#include "explain/explain.h"
#include "fuzz.h"

static const char STAGE[] = "In Review";
static const char CONFIDENCE[] = "high";
static const biq_explain_input INPUT = {
    .confidence = 2,
    .score = 57,
    .signals = {{BIQ_EXPLAIN_SIG_AVG_TIME, true, 62},
                {BIQ_EXPLAIN_SIG_WIP, true, 35},
                {BIQ_EXPLAIN_SIG_THROUGHPUT, false, 100000}},
    .n_signals = 3,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static bool sent(const char *s, size_t len)
{
    static const char *const NUMBERS[] = {"57", "62", "35", "100000"};
    for (size_t i = 0; i < sizeof NUMBERS / sizeof NUMBERS[0]; i++)
        if (strlen(NUMBERS[i]) == len && memcmp(NUMBERS[i], s, len) == 0)
            return true;
    return false;
}

static void check_sentence(const char *answer)
{
    char out[BIQ_EXPLAIN_OUTPUT_MAX + 8];
    char why[BIQ_EXPLAIN_WHY_MAX] = "";
    memset(out, 'x', sizeof out);
    biq_err err = biq_explain_check(&INPUT, answer, STAGE, CONFIDENCE, out, sizeof out, why,
                                    sizeof why);
    if (err != BIQ_OK) {
        FUZZ_CHECK(err == BIQ_ERR_INVALID && out[0] == '\0' && why[0] != '\0');
        return;
    }
    size_t n = strnlen(out, BIQ_EXPLAIN_OUTPUT_MAX);
    FUZZ_CHECK(n < BIQ_EXPLAIN_OUTPUT_MAX);
    FUZZ_CHECK(strstr(out, STAGE) != NULL);
    FUZZ_CHECK(strpbrk(out, "{}`*#<>|\\\"") == NULL);
    FUZZ_CHECK(out[n - 1] == '.' || out[n - 1] == '!');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)out[i];
        FUZZ_CHECK(c >= 0x20 && c != 0x7f);
        FUZZ_CHECK(i + 1 == n || (c != '.' && c != '!' && c != '?'));
        if (c >= '0' && c <= '9') {
            size_t j = i;
            while (j < n && out[j] >= '0' && out[j] <= '9')
                j++;
            FUZZ_CHECK(sent(out + i, j - i));
            i = j - 1;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = NULL;
    char why[BIQ_EXPLAIN_WHY_MAX] = "";
    biq_explain_fallback f =
        biq_explain_answer_text((const char *)data, size, &text, why, sizeof why);
    if (f == BIQ_EXPLAIN_OK) {
        FUZZ_CHECK(text != NULL && strlen(text) <= 2 * BIQ_EXPLAIN_SENTENCE_MAX);
        check_sentence(text);
        free(text);
    } else {
        FUZZ_CHECK(f == BIQ_EXPLAIN_BAD_RESPONSE && text == NULL && why[0] != '\0');
    }
    char *raw = malloc(size + 1);
    FUZZ_CHECK(raw != NULL);
    memcpy(raw, data, size);
    raw[size] = '\0';
    check_sentence(raw);
    free(raw);
    return 0;
}
