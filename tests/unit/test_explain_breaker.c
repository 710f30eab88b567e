/* test_explain_breaker.c - the circuit breaker in front of the Messages
 * API: opens after the failures in a row, refuses while open, lets exactly
 * one probe through after the open period, closes on the probe's success
 * and reopens on its failure; refused answers do not count; concurrent
 * callers at the end of the period still get one probe. */
#include <pthread.h>

#include "explain/breaker.h"
#include "testsupport.h"

static biq_explain_breaker *new_breaker(void)
{
    biq_explain_breaker *b = NULL;
    ck_assert_int_eq(biq_explain_breaker_new(&b), BIQ_OK);
    return b;
}

/* Fails n allowed calls at now; returns how many of those opened it. */
static int fail_calls(biq_explain_breaker *b, int n, int64_t now)
{
    int opened = 0;
    for (int i = 0; i < n; i++) {
        ck_assert(biq_explain_breaker_allow(b, now));
        opened += biq_explain_breaker_record(b, BIQ_EXPLAIN_TIMEOUT, now);
    }
    return opened;
}

START_TEST(opens_after_failures_in_a_row_and_refuses_while_open)
{
    biq_explain_breaker *b = new_breaker();
    ck_assert_int_eq(fail_calls(b, BIQ_EXPLAIN_BREAKER_FAILURES - 1, 1000), 0);
    /* A success in between starts the count again. */
    ck_assert(biq_explain_breaker_allow(b, 1000));
    ck_assert(!biq_explain_breaker_record(b, BIQ_EXPLAIN_OK, 1000));
    ck_assert_int_eq(fail_calls(b, BIQ_EXPLAIN_BREAKER_FAILURES - 1, 1000), 0);
    ck_assert_int_eq(fail_calls(b, 1, 2000), 1);
    ck_assert(!biq_explain_breaker_allow(b, 2000));
    ck_assert(!biq_explain_breaker_allow(b, 2000 + BIQ_EXPLAIN_BREAKER_OPEN_MS - 1));
    biq_explain_breaker_free(b);
}
END_TEST

START_TEST(one_probe_after_the_open_period_closes_or_reopens)
{
    biq_explain_breaker *b = new_breaker();
    fail_calls(b, BIQ_EXPLAIN_BREAKER_FAILURES, 0);
    int64_t t = BIQ_EXPLAIN_BREAKER_OPEN_MS;
    ck_assert(biq_explain_breaker_allow(b, t));  /* the probe */
    ck_assert(!biq_explain_breaker_allow(b, t)); /* others wait for it */
    /* The probe fails: open again for a whole period (not a new opening). */
    ck_assert(!biq_explain_breaker_record(b, BIQ_EXPLAIN_HTTP_ERROR, t));
    ck_assert(!biq_explain_breaker_allow(b, t + BIQ_EXPLAIN_BREAKER_OPEN_MS - 1));
    t += BIQ_EXPLAIN_BREAKER_OPEN_MS;
    ck_assert(biq_explain_breaker_allow(b, t));
    ck_assert(!biq_explain_breaker_record(b, BIQ_EXPLAIN_OK, t));
    /* Closed: everyone may call, and it takes the full count to open. */
    ck_assert(biq_explain_breaker_allow(b, t));
    ck_assert(biq_explain_breaker_allow(b, t));
    ck_assert_int_eq(fail_calls(b, BIQ_EXPLAIN_BREAKER_FAILURES - 1, t), 0);
    ck_assert(biq_explain_breaker_allow(b, t));
    biq_explain_breaker_free(b);
}
END_TEST

START_TEST(refused_answers_are_not_unavailability)
{
    biq_explain_breaker *b = new_breaker();
    for (int i = 0; i < 3 * BIQ_EXPLAIN_BREAKER_FAILURES; i++) {
        ck_assert(biq_explain_breaker_allow(b, 0));
        ck_assert(!biq_explain_breaker_record(b, BIQ_EXPLAIN_BAD_ANSWER, 0));
    }
    ck_assert(biq_explain_breaker_allow(b, 0));
    /* A probe that ended without a call hands the probe on and keeps the
     * breaker open. */
    fail_calls(b, BIQ_EXPLAIN_BREAKER_FAILURES, 0);
    ck_assert(biq_explain_breaker_allow(b, BIQ_EXPLAIN_BREAKER_OPEN_MS));
    ck_assert(!biq_explain_breaker_record(b, BIQ_EXPLAIN_UNSUPPORTED, BIQ_EXPLAIN_BREAKER_OPEN_MS));
    ck_assert(biq_explain_breaker_allow(b, BIQ_EXPLAIN_BREAKER_OPEN_MS));
    ck_assert(!biq_explain_breaker_allow(b, BIQ_EXPLAIN_BREAKER_OPEN_MS));
    ck_assert(biq_explain_unavailable(BIQ_EXPLAIN_NETWORK));
    ck_assert(biq_explain_unavailable(BIQ_EXPLAIN_BAD_RESPONSE));
    ck_assert(!biq_explain_unavailable(BIQ_EXPLAIN_DISABLED));
    ck_assert(!biq_explain_unavailable(BIQ_EXPLAIN_NO_KEY));
    /* NULL: no breaker configured, always allowed. */
    ck_assert(biq_explain_breaker_allow(NULL, 0));
    ck_assert(!biq_explain_breaker_record(NULL, BIQ_EXPLAIN_TIMEOUT, 0));
    biq_explain_breaker_free(b);
    biq_explain_breaker_free(NULL);
}
END_TEST

enum { RACERS = 8 };

typedef struct racer {
    biq_explain_breaker *b;
    int64_t now;
    bool allowed;
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    r->allowed = biq_explain_breaker_allow(r->b, r->now);
    return NULL;
}

START_TEST(concurrent_callers_get_one_probe)
{
    biq_explain_breaker *b = new_breaker();
    fail_calls(b, BIQ_EXPLAIN_BREAKER_FAILURES, 0);
    pthread_t th[RACERS];
    racer r[RACERS];
    for (int i = 0; i < RACERS; i++) {
        r[i] = (racer){b, BIQ_EXPLAIN_BREAKER_OPEN_MS, false};
        ck_assert_int_eq(pthread_create(&th[i], NULL, race, &r[i]), 0);
    }
    int allowed = 0;
    for (int i = 0; i < RACERS; i++) {
        pthread_join(th[i], NULL);
        allowed += r[i].allowed;
    }
    ck_assert_int_eq(allowed, 1);
    biq_explain_breaker_free(b);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("explain_breaker");
    TCase *tc = tcase_create("explain_breaker");
    tcase_add_test(tc, opens_after_failures_in_a_row_and_refuses_while_open);
    tcase_add_test(tc, one_probe_after_the_open_period_closes_or_reopens);
    tcase_add_test(tc, refused_answers_are_not_unavailability);
    tcase_add_test(tc, concurrent_callers_get_one_probe);
    suite_add_tcase(s, tc);
    return s;
}
