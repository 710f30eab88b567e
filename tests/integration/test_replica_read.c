/* test_replica_read.c - how a project view's model read treats the
 * standby's errors (views/open.c, store/replica.h), against a real
 * database standing in for the standby (the same data: every read there
 * holds the primary's versions):
 *   - a standby pool with no free connection is waited on for
 *     BIQ_REPLICA_ACQUIRE_TIMEOUT_MS only, not BIQ_POOL_ACQUIRE_TIMEOUT_MS;
 *     the read goes to the primary, is counted primary_busy, and the
 *     standby is not backed off (the next read uses it again);
 *   - a standby that cannot be reached is a failure: primary_failed, then
 *     backoff. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "common/clock.h"
#include "harness.h"
#include "store/replica.h"
#include "store/tx.h"
#include "testsupport.h"
#include "views/open.h"
#include "views/project_cache.h"

static harness H;
static const char TENANT[] =
    "ari:cloud:ecosystem::installation/cccccccc-0000-4000-8000-00000000000c";
static const char NOWHERE[] = "postgresql:///biq?host=/nonexistent-biq-test&user=biq_app";

enum {
    CACHE_ENTRIES = 8,
    CACHE_BYTES = 64u << 20,
    CACHE_ARENA = 64u << 20,
    CACHE_WAIT_MS = 10000,
};

static void setup(void)
{
    static const char *const env[] = {NULL};
    harness_init(&H, "biq_replica_read");
    harness_start_app(&H, env);
    char *resp = NULL;
    long st = harness_call(&H, TENANT, NULL, "POST", "/forge/lifecycle",
                           "{\"eventType\":\"avi:forge:installed:app\"}", &resp);
    ck_assert_msg(st == 200, "install: %ld %s", st, resp);
    free(resp);
    harness_ingest_devlake(&H, TENANT, "{\"total\":33}");
}

static void teardown(void)
{
    harness_cleanup(&H);
}

/* One 30d dashboard view of EE through env; returns its error. */
static biq_err open_view(const biq_views_env *env)
{
    biq_view v;
    memset(&v, 0, sizeof v);
    biq_err err = biq_views_open(&v, env, TENANT, "EE", "30d", false, BIQ_VIEWS_NOW);
    biq_views_close(&v);
    return err;
}

static unsigned long long count_of(biq_replica *r, biq_replica_source s)
{
    unsigned long long c[BIQ_REPLICA_SOURCE__COUNT];
    biq_replica_counts(r, c);
    return c[s];
}

START_TEST(a_busy_standby_pool_reads_the_primary_without_backoff)
{
    static const biq_clock clock = {biq_clock_real_ms, 0};
    biq_pool *primary = NULL;
    biq_replica *r = NULL;
    ck_assert_int_eq(biq_pool_new(H.app_url, 2, NULL, &primary), BIQ_OK);
    ck_assert_int_eq(biq_replica_new(H.app_url, 1, NULL, &r), BIQ_OK);
    biq_project_cache *pc =
        biq_project_cache_new(CACHE_ENTRIES, CACHE_BYTES, CACHE_ARENA, CACHE_WAIT_MS);
    ck_assert_ptr_nonnull(pc);
    biq_views_env env = {.pool = primary, .projects = pc, .clock = &clock, .replica = r};
    /* The standby's only connection is taken. */
    biq_tx *held = NULL;
    ck_assert_int_eq(biq_tx_begin(biq_replica_pool(r), TENANT, &held), BIQ_OK);
    int64_t t0 = biq_clock_monotonic_ms();
    ck_assert_int_eq(open_view(&env), BIQ_OK);
    int64_t took = biq_clock_monotonic_ms() - t0;
    ck_assert_msg(took < BIQ_POOL_ACQUIRE_TIMEOUT_MS, "waited %lld ms", (long long)took);
    ck_assert_uint_eq(count_of(r, BIQ_REPLICA_PRIMARY_BUSY), 1);
    ck_assert_uint_eq(count_of(r, BIQ_REPLICA_PRIMARY_FAILED), 0);
    ck_assert_ptr_nonnull(biq_replica_pool(r)); /* not backing off */
    biq_tx_rollback(held);
    biq_project_cache_free(pc);
    biq_replica_free(r);
    biq_pool_free(primary);
}
END_TEST

START_TEST(an_unreachable_standby_fails_and_backs_off)
{
    static const biq_clock clock = {biq_clock_real_ms, 0};
    biq_pool *primary = NULL;
    biq_replica *r = NULL;
    ck_assert_int_eq(biq_pool_new(H.app_url, 2, NULL, &primary), BIQ_OK);
    ck_assert_int_eq(biq_replica_new(NOWHERE, 1, NULL, &r), BIQ_OK);
    biq_project_cache *pc =
        biq_project_cache_new(CACHE_ENTRIES, CACHE_BYTES, CACHE_ARENA, CACHE_WAIT_MS);
    ck_assert_ptr_nonnull(pc);
    biq_views_env env = {.pool = primary, .projects = pc, .clock = &clock, .replica = r};
    ck_assert_int_eq(open_view(&env), BIQ_OK);
    ck_assert_uint_eq(count_of(r, BIQ_REPLICA_PRIMARY_FAILED), 1);
    ck_assert_uint_eq(count_of(r, BIQ_REPLICA_PRIMARY_BUSY), 0);
    ck_assert_ptr_null(biq_replica_pool(r));
    biq_project_cache_free(pc);
    biq_replica_free(r);
    biq_pool_free(primary);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("replica_read");
    TCase *tc = tcase_create("replica_read");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, a_busy_standby_pool_reads_the_primary_without_backoff);
    tcase_add_test(tc, an_unreachable_standby_fails_and_backs_off);
    suite_add_tcase(s, tc);
    return s;
}
