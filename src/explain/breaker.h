/* breaker.h - a circuit breaker in front of the Messages API.
 *
 * A failing or slow API costs a cold dashboard up to two attempts of the
 * client's timeouts (explain/explain.h). After BIQ_EXPLAIN_BREAKER_FAILURES
 * unavailability failures in a row the breaker opens: for
 * BIQ_EXPLAIN_BREAKER_OPEN_MS every dashboard uses its template at once.
 * Then one request probes the API (half-open); its success closes the
 * breaker, its failure opens it again. Answers the checks refuse are the
 * model's fault, not the API's: they do not count.
 *
 * Clocks are passed in (milliseconds, any monotonic origin) so that the
 * rules are tested without waiting. Thread-safe.
 */
#ifndef BIQ_EXPLAIN_BREAKER_H
#define BIQ_EXPLAIN_BREAKER_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "explain/explain.h"

enum {
    BIQ_EXPLAIN_BREAKER_FAILURES = 3,
    BIQ_EXPLAIN_BREAKER_OPEN_MS = 60 * 1000,
};

typedef struct biq_explain_breaker biq_explain_breaker;

/* A closed breaker in *out (free with biq_explain_breaker_free).
 * BIQ_ERR_NOMEM, BIQ_ERR_INTERNAL (no mutex). */
biq_err biq_explain_breaker_new(biq_explain_breaker **out);

/* Whether a call to the API may be made at now_ms. While open: false,
 * except that the first caller after the open period gets true (the
 * probe) and the others false until the probe is recorded. b NULL: true. */
bool biq_explain_breaker_allow(biq_explain_breaker *b, int64_t now_ms);

/* Records the outcome of an allowed call. An outcome decided without
 * calling (disabled, no key, unsupported signals, internal) changes
 * nothing but hands the probe to the next caller. Returns true when this
 * outcome opened the breaker (for one log line per opening). b NULL:
 * false. */
bool biq_explain_breaker_record(biq_explain_breaker *b, biq_explain_fallback outcome,
                                int64_t now_ms);

/* Whether outcome says the API is unavailable (network, timeout, non-2xx,
 * an answer not of the Messages API's shape). */
bool biq_explain_unavailable(biq_explain_fallback outcome);

/* NULL: no-op. No call may be in progress. */
void biq_explain_breaker_free(biq_explain_breaker *b);

#endif
