/* explain.h - the bottleneck's one-sentence explanation, worded by a
 * language model (Anthropic's Messages API) or by the template.
 *
 * security.md §4: what leaves the backend is numbers and placeholders only.
 * The request is built from a biq_explain_input, which by construction
 * holds no text of the tenant: the stage is the placeholder {STAGE}, the
 * confidence {CONFIDENCE}, and the signals are a fixed kind, a direction
 * and an integer percentage. The answer is checked (one sentence, bounded,
 * {STAGE} present, no other braces, no number that was not sent) and only
 * then are the placeholders filled in locally. Whenever anything is off,
 * the template sentence that the flow core wrote is used instead: it always
 * exists.
 */
#ifndef BIQ_EXPLAIN_EXPLAIN_H
#define BIQ_EXPLAIN_EXPLAIN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "flow/flow.h"

#define BIQ_EXPLAIN_DEFAULT_URL "https://api.anthropic.com/v1/messages"
#define BIQ_EXPLAIN_DEFAULT_MODEL "claude-haiku-4-5"
#define BIQ_EXPLAIN_API_VERSION "2023-06-01"
#define BIQ_EXPLAIN_PH_STAGE "{STAGE}"
#define BIQ_EXPLAIN_PH_CONFIDENCE "{CONFIDENCE}"

enum {
    /* The ratio signals (time, WIP, throughput): the model words only those;
     * a bottleneck with the optional XmR reason (a fourth) keeps the template. */
    BIQ_EXPLAIN_MAX_SIGNALS = 3,
    BIQ_EXPLAIN_MAX_TOKENS = 160,          /* one sentence needs far fewer */
    BIQ_EXPLAIN_SENTENCE_MAX = 300,        /* bytes of the answer before filling */
    BIQ_EXPLAIN_SENTENCE_MIN = 20,         /* shorter is not an explanation */
    BIQ_EXPLAIN_OUTPUT_MAX = BIQ_FLOW_EXPLANATION_MAX, /* after filling */
    BIQ_EXPLAIN_PROMPT_MAX = 1024,         /* the user message */
    BIQ_EXPLAIN_MAX_NUMBERS = 2 * BIQ_EXPLAIN_MAX_SIGNALS + 1,
    BIQ_EXPLAIN_PCT_MAX = 100000,          /* sanity bound on a percentage */
    BIQ_EXPLAIN_SCORE_MAX = 1000,
    BIQ_EXPLAIN_KEY_MAX = 4096,
    BIQ_EXPLAIN_URL_MAX = 2048,
    BIQ_EXPLAIN_MODEL_MAX = 128,
    BIQ_EXPLAIN_CONNECT_TIMEOUT_MS = 2000,
    BIQ_EXPLAIN_TOTAL_TIMEOUT_MS = 6000,   /* per attempt; the dashboard waits */
    BIQ_EXPLAIN_BACKOFF_MS = 500,          /* before the one retry, without retry-after */
    BIQ_EXPLAIN_RETRY_WAIT_MAX_MS = 2000,  /* cap on a server's retry-after */
    BIQ_EXPLAIN_RESPONSE_MAX = 64 * 1024,  /* bytes of a Messages API answer */
    BIQ_EXPLAIN_WHY_MAX = 160,
};

/* The signals a reason phrase of the flow core can carry. */
typedef enum biq_explain_signal_kind {
    BIQ_EXPLAIN_SIG_AVG_TIME = 0,
    BIQ_EXPLAIN_SIG_WIP,
    BIQ_EXPLAIN_SIG_THROUGHPUT,
} biq_explain_signal_kind;

typedef struct biq_explain_signal {
    biq_explain_signal_kind kind;
    bool increased;
    long pct; /* 0..BIQ_EXPLAIN_PCT_MAX, as shown in the reason */
} biq_explain_signal;

/* Everything the model may see: numbers only (plus fixed vocabulary). */
typedef struct biq_explain_input {
    int confidence; /* 1 medium, 2 high, 3 very high */
    int score;
    biq_explain_signal signals[BIQ_EXPLAIN_MAX_SIGNALS];
    size_t n_signals;
} biq_explain_input;

/* Fills *in from the flow core's confidence word, score and reason phrases
 * ("Average time increased 62%", "WIP ...", "Throughput ..."). Anything
 * else is BIQ_ERR_INVALID (the caller then keeps the template): a phrase we
 * cannot read is never forwarded. Pure. */
biq_err biq_explain_input_parse(const char *confidence, long long score,
                                const char *const *reasons, size_t n_reasons,
                                biq_explain_input *in);

/* The same from a found bottleneck of the flow core (BIQ_ERR_INVALID when
 * it is not BIQ_BN_FOUND). Pure. */
biq_err biq_explain_input_from_bottleneck(const biq_flow_bottleneck *b, biq_explain_input *in);

/* The Messages API request body {model, max_tokens, system, messages} for
 * in; a new object (json_decref), NULL when out of memory. Pure. */
json_t *biq_explain_request(const biq_explain_input *in, const char *model);

/* Checks a model's answer against in (see the top of this file) and fills
 * the placeholders with stage and confidence_word into out (size out_len,
 * at most BIQ_EXPLAIN_OUTPUT_MAX). On refusal returns BIQ_ERR_INVALID with a
 * short reason in why (no answer text in it). Pure. */
biq_err biq_explain_check(const biq_explain_input *in, const char *answer, const char *stage,
                          const char *confidence_word, char *out, size_t out_len, char *why,
                          size_t why_len);

/* Where the Messages API is and how long to wait for it. */
typedef struct biq_explain_config {
    char api_key[BIQ_EXPLAIN_KEY_MAX + 1]; /* empty: no AI at all */
    char url[BIQ_EXPLAIN_URL_MAX + 1];
    char model[BIQ_EXPLAIN_MODEL_MAX + 1];
    long connect_timeout_ms;
    long total_timeout_ms;
    long retry_wait_max_ms;
} biq_explain_config;

/* Sets cfg to the defaults above with the given key (NULL or "" for
 * none), url and model (NULL: defaults). BIQ_ERR_INVALID when one does not
 * fit. */
biq_err biq_explain_config_init(biq_explain_config *cfg, const char *api_key, const char *url,
                                const char *model);

/* Why the template was used. */
typedef enum biq_explain_fallback {
    BIQ_EXPLAIN_OK = 0,          /* the AI sentence was used */
    BIQ_EXPLAIN_DISABLED,        /* the tenant switched AI off */
    BIQ_EXPLAIN_NO_KEY,          /* no API key configured */
    BIQ_EXPLAIN_UNSUPPORTED,     /* signals we do not forward */
    BIQ_EXPLAIN_HTTP_ERROR,      /* non-2xx after the retry */
    BIQ_EXPLAIN_TIMEOUT,
    BIQ_EXPLAIN_NETWORK,
    BIQ_EXPLAIN_BAD_RESPONSE,    /* not the Messages API's shape */
    BIQ_EXPLAIN_BAD_ANSWER,      /* refused by biq_explain_check */
    BIQ_EXPLAIN_INTERNAL,
    BIQ_EXPLAIN_SUSPENDED,       /* not called: the API failed (explain/breaker.h) */
} biq_explain_fallback;

/* Stable snake_case names for logs and metrics. */
const char *biq_explain_fallback_name(biq_explain_fallback f);

/* Sends body to the Messages API of cfg (one retry after a 429 or 5xx,
 * waiting retry-after up to cfg->retry_wait_max_ms) and returns the text of
 * its answer (malloc'd, free()) in *text. On failure returns the fallback
 * reason and a detail in why (status code or curl's message; never the key
 * or the body). Thread-safe; curl_global_init must have run. */
biq_explain_fallback biq_explain_call(const biq_explain_config *cfg, const json_t *body,
                                      char **text, char *why, size_t why_len);

/* The answer of a successful Messages API call (data[0..len), JSON, need
 * not be NUL-terminated; NULL reads as no answer): the concatenated text of
 * its content[] blocks of type "text", at most 2 * BIQ_EXPLAIN_SENTENCE_MAX
 * bytes without NUL, into *text (malloc'd, free()) with BIQ_EXPLAIN_OK.
 * Otherwise BIQ_EXPLAIN_BAD_RESPONSE (or _INTERNAL when out of memory),
 * *text untouched and a reason in why (never the answer's text). Pure. */
biq_explain_fallback biq_explain_answer_text(const char *data, size_t len, char **text, char *why,
                                            size_t why_len);

/* What biq_explain_sentence() decided. */
typedef struct biq_explain_result {
    char sentence[BIQ_EXPLAIN_OUTPUT_MAX];
    bool ai;                      /* source: "ai" when true, else "template" */
    biq_explain_fallback fallback;
    char why[BIQ_EXPLAIN_WHY_MAX]; /* detail of the fallback, or "" */
} biq_explain_result;

/* The explanation of one found bottleneck: the model's sentence when cfg
 * has a key, tenant_enabled is true and every check passes; otherwise
 * template. stage and confidence fill the placeholders; in describes the
 * signals (NULL: could not be read, template). Never fails. */
void biq_explain_sentence(const biq_explain_config *cfg, bool tenant_enabled,
                          const biq_explain_input *in, const char *stage,
                          const char *confidence, const char *template_sentence,
                          biq_explain_result *out);

/* "template" or "ai". */
const char *biq_explain_source_name(const biq_explain_result *r);

#endif
