/* breaker.c - the circuit breaker of breaker.h: a failure count and the
 * instant the open period ends, under one mutex. */
#include "explain/breaker.h"

#include <pthread.h>
#include <stdlib.h>

struct biq_explain_breaker {
    pthread_mutex_t lock;
    unsigned failures;   /* unavailability failures in a row */
    bool open;           /* calls refused until open_until_ms */
    bool probing;        /* the half-open probe is in flight */
    int64_t open_until_ms;
};

biq_err biq_explain_breaker_new(biq_explain_breaker **out)
{
    biq_explain_breaker *b = calloc(1, sizeof *b);
    *out = NULL;
    if (b == NULL)
        return BIQ_ERR_NOMEM;
    if (pthread_mutex_init(&b->lock, NULL) != 0) {
        free(b);
        return BIQ_ERR_INTERNAL;
    }
    *out = b;
    return BIQ_OK;
}

bool biq_explain_unavailable(biq_explain_fallback outcome)
{
    return outcome == BIQ_EXPLAIN_HTTP_ERROR || outcome == BIQ_EXPLAIN_TIMEOUT ||
           outcome == BIQ_EXPLAIN_NETWORK || outcome == BIQ_EXPLAIN_BAD_RESPONSE;
}

bool biq_explain_breaker_allow(biq_explain_breaker *b, int64_t now_ms)
{
    if (b == NULL)
        return true;
    pthread_mutex_lock(&b->lock);
    bool allow = !b->open;
    if (b->open && !b->probing && now_ms >= b->open_until_ms)
        allow = b->probing = true;
    pthread_mutex_unlock(&b->lock);
    return allow;
}

/* Whether outcome comes from a call to the API (the others decided
 * before calling). */
static bool called(biq_explain_fallback outcome)
{
    return outcome == BIQ_EXPLAIN_OK || outcome == BIQ_EXPLAIN_BAD_ANSWER ||
           biq_explain_unavailable(outcome);
}

bool biq_explain_breaker_record(biq_explain_breaker *b, biq_explain_fallback outcome,
                                int64_t now_ms)
{
    if (b == NULL)
        return false;
    bool opened = false;
    pthread_mutex_lock(&b->lock);
    if (!called(outcome)) {
        b->probing = false; /* no answer either way: the next caller probes */
    } else if (!biq_explain_unavailable(outcome)) {
        b->failures = 0;
        b->open = b->probing = false;
    } else if (b->probing || ++b->failures >= BIQ_EXPLAIN_BREAKER_FAILURES) {
        opened = !b->open;
        b->open = true;
        b->probing = false;
        b->open_until_ms = now_ms + BIQ_EXPLAIN_BREAKER_OPEN_MS;
    }
    pthread_mutex_unlock(&b->lock);
    return opened;
}

void biq_explain_breaker_free(biq_explain_breaker *b)
{
    if (b == NULL)
        return;
    pthread_mutex_destroy(&b->lock);
    free(b);
}
