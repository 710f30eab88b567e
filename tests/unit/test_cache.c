/* test_cache.c - the dashboard cache: hits copy, least recently used
 * entries go first, both bounds hold after every insert, entries expire,
 * lookups are counted for /metrics, and concurrent readers and writers keep the bounds (a smoke test for the
 * lock; the ASan build runs it too). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "views/lru.h"
#include "testsupport.h"

enum { MAX_AGE = 1000, THREADS = 8, ROUNDS = 2000, SMOKE_ENTRIES = 16, SMOKE_BYTES = 4096 };

static char *get(biq_cache *c, const char *key, int64_t now)
{
    char *v = NULL;
    size_t len = 0;
    biq_err err = biq_cache_get(c, key, now, MAX_AGE, &v, &len);
    if (err != BIQ_OK) {
        ck_assert_int_eq(err, BIQ_ERR_NOT_FOUND);
        return NULL;
    }
    ck_assert_uint_eq(len, strlen(v));
    return v;
}

static void put(biq_cache *c, const char *key, const char *value, int64_t now)
{
    ck_assert_int_eq(biq_cache_put(c, key, value, strlen(value), now), BIQ_OK);
}

START_TEST(hit_returns_a_copy_and_miss_is_not_found)
{
    biq_cache *c = biq_cache_new(4, 1024);
    put(c, "a", "alpha", 0);
    char *v = get(c, "a", 1);
    ck_assert_str_eq(v, "alpha");
    v[0] = 'X'; /* the caller's copy: the cached value is unchanged */
    free(v);
    v = get(c, "a", 2);
    ck_assert_str_eq(v, "alpha");
    free(v);
    ck_assert_ptr_null(get(c, "b", 2));
    put(c, "a", "again", 3); /* replaces */
    v = get(c, "a", 4);
    ck_assert_str_eq(v, "again");
    free(v);
    size_t n, bytes;
    biq_cache_usage(c, &n, &bytes);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(bytes, strlen("a") + strlen("again"));
    biq_cache_free(c);
}
END_TEST

START_TEST(least_recently_used_is_evicted_first)
{
    biq_cache *c = biq_cache_new(3, 1024);
    put(c, "a", "1", 0);
    put(c, "b", "2", 0);
    put(c, "c", "3", 0);
    free(get(c, "a", 1)); /* a is now the most recent; b the least */
    put(c, "d", "4", 2);
    ck_assert_ptr_null(get(c, "b", 3));
    char *v = get(c, "a", 3);
    ck_assert_ptr_nonnull(v);
    free(v);
    free(get(c, "c", 3));
    free(get(c, "d", 3));
    biq_cache_free(c);
}
END_TEST

START_TEST(byte_bound_holds_and_oversize_is_refused)
{
    biq_cache *c = biq_cache_new(100, 20);
    put(c, "k1", "12345678", 0); /* 10 bytes */
    put(c, "k2", "12345678", 0); /* 20 */
    put(c, "k3", "1234", 0);     /* 26 > 20: k1 goes */
    size_t n, bytes;
    biq_cache_usage(c, &n, &bytes);
    ck_assert_uint_le(bytes, 20);
    ck_assert_uint_eq(n, 2);
    ck_assert_ptr_null(get(c, "k1", 1));
    char big[32];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ck_assert_int_eq(biq_cache_put(c, "k4", big, strlen(big), 0), BIQ_ERR_TOO_LARGE);
    biq_cache_usage(c, &n, &bytes);
    ck_assert_uint_eq(n, 2); /* a refused entry evicts nothing */
    ck_assert_ptr_null(biq_cache_new(0, 10));
    ck_assert_ptr_null(biq_cache_new(10, 0));
    biq_cache_free(c);
}
END_TEST

START_TEST(entries_expire)
{
    biq_cache *c = biq_cache_new(4, 1024);
    put(c, "a", "1", 1000);
    char *v = get(c, "a", 1000 + MAX_AGE - 1);
    ck_assert_ptr_nonnull(v);
    free(v);
    ck_assert_ptr_null(get(c, "a", 1000 + MAX_AGE));
    put(c, "b", "2", 5000);
    ck_assert_ptr_null(get(c, "b", 4000)); /* clock went backwards */
    size_t n, bytes;
    biq_cache_usage(c, &n, &bytes);
    ck_assert_uint_eq(n, 0);
    ck_assert_uint_eq(bytes, 0);
    biq_cache_free(c);
}
END_TEST

static void *hammer(void *arg)
{
    biq_cache *c = arg;
    char key[32], value[64];
    for (int i = 0; i < ROUNDS; i++) {
        snprintf(key, sizeof key, "k%d", i % (SMOKE_ENTRIES * 2));
        snprintf(value, sizeof value, "value-of-%s-%d", key, i);
        if (i % 3 == 0) {
            (void)biq_cache_put(c, key, value, strlen(value), i);
        } else {
            char *v = NULL;
            size_t len = 0;
            if (biq_cache_get(c, key, i, ROUNDS * 2, &v, &len) == BIQ_OK) {
                /* Whole values only: never a torn one. */
                if (strncmp(v, "value-of-", 9) != 0 || strlen(v) != len)
                    abort();
                free(v);
            }
        }
    }
    return NULL;
}

START_TEST(concurrent_use_keeps_the_bounds)
{
    biq_cache *c = biq_cache_new(SMOKE_ENTRIES, SMOKE_BYTES);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, hammer, c), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    size_t n, bytes;
    biq_cache_usage(c, &n, &bytes);
    ck_assert_uint_le(n, SMOKE_ENTRIES);
    ck_assert_uint_le(bytes, SMOKE_BYTES);
    ck_assert_uint_gt(n, 0);
    biq_cache_free(c);
}
END_TEST

START_TEST(lookups_count_hits_and_misses)
{
    biq_cache *c = biq_cache_new(4, 1024);
    unsigned long long hits = 1, misses = 1;
    biq_cache_lookups(c, &hits, &misses);
    ck_assert_uint_eq(hits, 0);
    ck_assert_uint_eq(misses, 0);
    put(c, "a", "alpha", 0);
    free(get(c, "a", 1));           /* hit */
    ck_assert_ptr_null(get(c, "b", 1));        /* miss: absent */
    ck_assert_ptr_null(get(c, "a", MAX_AGE)); /* miss: expired */
    biq_cache_lookups(c, &hits, &misses);
    ck_assert_uint_eq(hits, 1);
    ck_assert_uint_eq(misses, 2);
    biq_cache_free(c);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("cache");
    TCase *tc = tcase_create("cache");
    tcase_add_test(tc, hit_returns_a_copy_and_miss_is_not_found);
    tcase_add_test(tc, least_recently_used_is_evicted_first);
    tcase_add_test(tc, byte_bound_holds_and_oversize_is_refused);
    tcase_add_test(tc, entries_expire);
    tcase_add_test(tc, concurrent_use_keeps_the_bounds);
    tcase_add_test(tc, lookups_count_hits_and_misses);
    suite_add_tcase(s, tc);
    return s;
}
