/* test_replica.c - the read replica's bookkeeping (store/replica.h) without
 * a database: pg_lsn text, the backoff after a failure, the counters, and
 * a standby that cannot be reached (a lag scrape says so, then backs off),
 * and which errors of a standby read are the standby's (a backoff) and
 * which are not (a busy pool; the request's own limits).
 * The routing rule itself runs against a real standby in
 * tests/ops/cluster.sh. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "store/replica.h"
#include "testsupport.h"

/* A Unix socket folder that does not exist: a connect fails at once. */
static const char NOWHERE[] = "postgresql:///biq?host=/nonexistent-biq-test&user=biq_app";

START_TEST(lsn_text_parses_as_pg_lsn)
{
    uint64_t v = 0;
    ck_assert(biq_replica_parse_lsn("0/0", &v));
    ck_assert_uint_eq(v, 0);
    ck_assert(biq_replica_parse_lsn("16/B374D848", &v));
    ck_assert_uint_eq(v, ((uint64_t)0x16 << 32) | 0xB374D848u);
    ck_assert(biq_replica_parse_lsn("FFFFFFFF/FFFFFFFF", &v));
    ck_assert_uint_eq(v, UINT64_MAX);
    ck_assert(biq_replica_parse_lsn("0/3000148", &v));
    ck_assert_uint_eq(v, 0x3000148u);
    /* Differences are bytes: one past a 4 GiB segment boundary. */
    uint64_t a = 0, b = 0;
    ck_assert(biq_replica_parse_lsn("1/0", &a));
    ck_assert(biq_replica_parse_lsn("0/FFFFFFFF", &b));
    ck_assert_uint_eq(a - b, 1);
}
END_TEST

START_TEST(malformed_lsn_text_is_refused)
{
    static const char *const bad[] = {"", "/", "0/", "/0", "0", "00", "1/2/3", "G/0", "0/G",
                                      "-1/0", " 0/0", "0/0 ", "100000000/0", "0/100000000"};
    uint64_t v = 42;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(!biq_replica_parse_lsn(bad[i], &v), "accepted \"%s\"", bad[i]);
    ck_assert_uint_eq(v, 42); /* untouched on failure */
}
END_TEST

START_TEST(a_failure_backs_off_and_counters_count_by_source)
{
    biq_replica *r = NULL;
    ck_assert_int_eq(biq_replica_new(NOWHERE, 2, NULL, &r), BIQ_OK);
    ck_assert_ptr_nonnull(biq_replica_pool(r));
    biq_replica_failed(r);
    ck_assert_ptr_null(biq_replica_pool(r)); /* within BIQ_REPLICA_RETRY_MS */
    biq_replica_count(r, BIQ_REPLICA_STANDBY);
    biq_replica_count(r, BIQ_REPLICA_STANDBY);
    biq_replica_count(r, BIQ_REPLICA_PRIMARY_BEHIND);
    biq_replica_count(r, BIQ_REPLICA_PRIMARY_BACKOFF);
    biq_replica_count(r, BIQ_REPLICA_SOURCE__COUNT); /* out of range: ignored */
    unsigned long long c[BIQ_REPLICA_SOURCE__COUNT];
    biq_replica_counts(r, c);
    ck_assert_uint_eq(c[BIQ_REPLICA_STANDBY], 2);
    ck_assert_uint_eq(c[BIQ_REPLICA_PRIMARY_BEHIND], 1);
    ck_assert_uint_eq(c[BIQ_REPLICA_PRIMARY_FAILED], 0);
    ck_assert_uint_eq(c[BIQ_REPLICA_PRIMARY_BACKOFF], 1);
    ck_assert_str_eq(biq_replica_source_name(BIQ_REPLICA_STANDBY), "standby");
    ck_assert_str_eq(biq_replica_source_name(BIQ_REPLICA_PRIMARY_BEHIND), "primary_behind");
    ck_assert_str_eq(biq_replica_source_name(BIQ_REPLICA_PRIMARY_FAILED), "primary_failed");
    ck_assert_str_eq(biq_replica_source_name(BIQ_REPLICA_PRIMARY_BACKOFF), "primary_backoff");
    ck_assert_str_eq(biq_replica_source_name(BIQ_REPLICA_PRIMARY_BUSY), "primary_busy");
    ck_assert_str_eq(biq_replica_source_name(BIQ_REPLICA_SOURCE__COUNT), "unknown");
    biq_replica_free(r);
}
END_TEST

START_TEST(an_unreachable_standby_reads_down_then_backs_off)
{
    biq_replica *r = NULL;
    biq_replica_lag lag;
    ck_assert_int_eq(biq_replica_new(NOWHERE, 1, NULL, &r), BIQ_OK);
    biq_replica_lag_get(r, NULL, &lag);
    ck_assert(!lag.up);
    ck_assert_int_eq(lag.bytes, -1);
    ck_assert_ptr_null(biq_replica_pool(r)); /* the failed connect started the backoff */
    biq_replica_free(r);
    biq_replica_free(NULL);
}
END_TEST

/* Only the standby's own failures back off (review M4). */
START_TEST(only_standby_failures_are_failures)
{
    static const struct {
        biq_err err;
        bool acquiring;
        biq_replica_verdict want;
    } cases[] = {
        /* Opening the transaction. */
        {BIQ_ERR_UNAVAILABLE, true, BIQ_REPLICA_BUSY}, /* no free connection in time */
        {BIQ_ERR_DB, true, BIQ_REPLICA_FAILED},        /* cannot connect */
        {BIQ_ERR_NOMEM, true, BIQ_REPLICA_REQUEST},
        /* The read's statements. */
        {BIQ_ERR_DB, false, BIQ_REPLICA_FAILED},          /* connection lost */
        {BIQ_ERR_UNAVAILABLE, false, BIQ_REPLICA_FAILED}, /* recovery conflict, timeout */
        {BIQ_ERR_INTERNAL, false, BIQ_REPLICA_FAILED},    /* e.g. a schema not replayed yet */
        {BIQ_ERR_LIMIT, false, BIQ_REPLICA_REQUEST},      /* too large on the primary too */
        {BIQ_ERR_NOMEM, false, BIQ_REPLICA_REQUEST},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_msg(biq_replica_classify(cases[i].err, cases[i].acquiring) == cases[i].want,
                      "case %zu", i);
}
END_TEST

START_TEST(a_replica_of_no_connections_is_a_configuration_error)
{
    biq_replica *r = (biq_replica *)&r;
    ck_assert_int_eq(biq_replica_new(NOWHERE, 0, NULL, &r), BIQ_ERR_CONFIG);
    ck_assert_ptr_null(r);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("replica");
    TCase *tc = tcase_create("bookkeeping");
    tcase_add_test(tc, lsn_text_parses_as_pg_lsn);
    tcase_add_test(tc, malformed_lsn_text_is_refused);
    tcase_add_test(tc, a_failure_backs_off_and_counters_count_by_source);
    tcase_add_test(tc, an_unreachable_standby_reads_down_then_backs_off);
    tcase_add_test(tc, a_replica_of_no_connections_is_a_configuration_error);
    tcase_add_test(tc, only_standby_failures_are_failures);
    suite_add_tcase(s, tc);
    return s;
}
