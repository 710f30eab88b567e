/* test_project_cache.c - the loaded-project cache: a second request is a
 * hit on the same model, both bounds evict the least recently used entry,
 * a reference keeps an evicted model readable until released (the ASan
 * build checks the freeing), concurrent requests for one key share one
 * load, a failed load reaches every waiter and the next request loads
 * again, a wait is bounded, and a model marked not to keep is never kept. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "views/project_cache.h"
#include "testsupport.h"

enum {
    ARENA_LIMIT = 16 * 1024 * 1024,
    WAIT_MS = 10 * 1000,
    MODEL_BYTES = 100 * 1000,
    SLOW_MS = 300,
    THREADS = 8,
    SMOKE_ROUNDS = 300,
    SMOKE_KEYS = 12,
    SMOKE_ENTRIES = 4,
    AWAIT_MS = 10 * 1000,
};

/* A fake loader: allocates alloc bytes, names the model by its call
 * number, optionally sleeps first and fails or refuses to be kept. */
typedef struct loader {
    atomic_int calls;
    int sleep_ms;
    size_t alloc;
    biq_err err;
    bool keep;
    /* When set: the load does not land before this many requests wait
     * for it (or AWAIT_MS pass), so "everyone arrived during the load"
     * holds however the threads are scheduled. */
    biq_project_cache *await_cache;
    unsigned long long await_shared;
} loader;

static void sleep_ms(int ms)
{
    struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static biq_err fake_load(void *ctx, biq_arena *arena, biq_project_data *out, bool *keep)
{
    loader *l = ctx;
    char name[32];
    int call = atomic_fetch_add(&l->calls, 1) + 1;
    if (l->sleep_ms > 0)
        sleep_ms(l->sleep_ms);
    for (int waited = 0; l->await_cache != NULL && waited < AWAIT_MS; waited++) {
        biq_project_cache_stats s;
        biq_project_cache_stats_get(l->await_cache, &s);
        if (s.shared >= l->await_shared)
            break;
        sleep_ms(1);
    }
    if (l->err != BIQ_OK)
        return l->err;
    snprintf(name, sizeof name, "model-%d", call);
    memset(out, 0, sizeof *out);
    out->name = biq_arena_strdup(arena, name);
    char *fill = biq_arena_alloc(arena, l->alloc);
    if (out->name == NULL || fill == NULL)
        return BIQ_ERR_NOMEM;
    memset(fill, 'x', l->alloc);
    out->n_issues = l->alloc;
    *keep = l->keep;
    return BIQ_OK;
}

static loader *loader_new(size_t alloc)
{
    loader *l = calloc(1, sizeof *l);
    ck_assert_ptr_nonnull(l);
    l->alloc = alloc;
    l->keep = true;
    return l;
}

static biq_project_ref *get(biq_project_cache *c, const char *key, loader *l)
{
    biq_project_ref *r = NULL;
    ck_assert_int_eq(biq_project_cache_get(c, key, fake_load, l, &r), BIQ_OK);
    ck_assert_ptr_nonnull(r);
    return r;
}

static const char *name_of(const biq_project_ref *r)
{
    return biq_project_ref_data(r)->name;
}

static biq_project_cache_stats stats(biq_project_cache *c)
{
    biq_project_cache_stats s;
    biq_project_cache_stats_get(c, &s);
    return s;
}

START_TEST(second_request_hits_the_same_model)
{
    biq_project_cache *c = biq_project_cache_new(4, 1 << 20, ARENA_LIMIT, WAIT_MS);
    loader *l = loader_new(16);
    biq_project_ref *a = get(c, "t|P|d1", l);
    biq_project_ref *b = get(c, "t|P|d1", l);
    ck_assert_ptr_eq(a, b);
    ck_assert_ptr_eq(biq_project_ref_data(a), biq_project_ref_data(b));
    ck_assert_str_eq(name_of(b), "model-1");
    biq_project_cache_release(c, a);
    biq_project_cache_release(c, b);
    /* A new data version is a new key: loaded, never the old model. */
    biq_project_ref *n = get(c, "t|P|d2", l);
    ck_assert_str_eq(name_of(n), "model-2");
    biq_project_cache_release(c, n);
    biq_project_cache_stats s = stats(c);
    ck_assert_int_eq(atomic_load(&l->calls), 2);
    ck_assert_uint_eq(s.hits, 1);
    ck_assert_uint_eq(s.misses, 2);
    ck_assert_uint_eq(s.loads, 2);
    ck_assert_uint_eq(s.entries, 2);
    biq_project_cache_free(c);
    free(l);
}
END_TEST

START_TEST(count_bound_evicts_least_recently_used)
{
    biq_project_cache *c = biq_project_cache_new(2, 1 << 20, ARENA_LIMIT, WAIT_MS);
    loader *l = loader_new(16);
    biq_project_cache_release(c, get(c, "a", l));
    biq_project_cache_release(c, get(c, "b", l));
    biq_project_cache_release(c, get(c, "a", l)); /* a is now the most recent */
    biq_project_cache_release(c, get(c, "c", l)); /* evicts b */
    ck_assert_int_eq(atomic_load(&l->calls), 3);
    biq_project_cache_release(c, get(c, "a", l)); /* still there */
    ck_assert_int_eq(atomic_load(&l->calls), 3);
    biq_project_ref *b = get(c, "b", l); /* gone: loaded again, evicting c */
    ck_assert_str_eq(name_of(b), "model-4");
    biq_project_cache_release(c, b);
    biq_project_cache_stats s = stats(c);
    ck_assert_uint_eq(s.entries, 2);
    ck_assert_uint_eq(s.evictions, 2);
    biq_project_cache_free(c);
    free(l);
}
END_TEST

START_TEST(byte_bound_evicts_and_oversize_is_served_not_kept)
{
    /* Room for two models of MODEL_BYTES (plus keys and headers), not three. */
    size_t max = 2 * MODEL_BYTES + MODEL_BYTES / 2;
    biq_project_cache *c = biq_project_cache_new(16, max, ARENA_LIMIT, WAIT_MS);
    loader *l = loader_new(MODEL_BYTES);
    biq_project_cache_release(c, get(c, "a", l));
    biq_project_cache_release(c, get(c, "b", l));
    biq_project_cache_stats s = stats(c);
    ck_assert_uint_eq(s.entries, 2);
    ck_assert_uint_gt(s.bytes, 2 * MODEL_BYTES);
    biq_project_cache_release(c, get(c, "c", l)); /* a goes */
    s = stats(c);
    ck_assert_uint_eq(s.entries, 2);
    ck_assert_uint_le(s.bytes, max);
    ck_assert_uint_eq(s.evictions, 1);
    biq_project_cache_release(c, get(c, "b", l));
    ck_assert_int_eq(atomic_load(&l->calls), 3);
    /* Bigger than the whole bound: handed out, never kept, evicts nothing. */
    l->alloc = max;
    biq_project_ref *big = get(c, "big", l);
    ck_assert_uint_eq(biq_project_ref_data(big)->n_issues, max);
    biq_project_cache_release(c, big);
    s = stats(c);
    ck_assert_uint_eq(s.entries, 2);
    ck_assert_uint_eq(s.uncached, 1);
    ck_assert_uint_eq(s.evictions, 1);
    biq_project_cache_release(c, get(c, "big", l));
    ck_assert_int_eq(atomic_load(&l->calls), 5);
    biq_project_cache_free(c);
    free(l);
}
END_TEST

START_TEST(reference_keeps_an_evicted_model_alive)
{
    biq_project_cache *c = biq_project_cache_new(1, 1 << 20, ARENA_LIMIT, WAIT_MS);
    loader *l = loader_new(MODEL_BYTES);
    biq_project_ref *a = get(c, "a", l);
    biq_project_ref *b = get(c, "b", l); /* evicts a, which a's holder still reads */
    ck_assert_uint_eq(stats(c).evictions, 1);
    ck_assert_uint_eq(stats(c).entries, 1);
    ck_assert_str_eq(name_of(a), "model-1");
    ck_assert_uint_eq(biq_project_ref_data(a)->n_issues, MODEL_BYTES);
    biq_project_cache_release(c, a); /* its last user frees it (ASan: no leak, no reuse) */
    biq_project_ref *again = get(c, "a", l);
    ck_assert_str_eq(name_of(again), "model-3");
    biq_project_cache_release(c, again);
    biq_project_cache_release(c, b);
    biq_project_cache_free(c);
    free(l);
}
END_TEST

START_TEST(not_kept_model_serves_its_request_only)
{
    biq_project_cache *c = biq_project_cache_new(4, 1 << 20, ARENA_LIMIT, WAIT_MS);
    loader *l = loader_new(16);
    l->keep = false;
    biq_project_ref *a = get(c, "a", l);
    biq_project_ref *b = get(c, "a", l);
    ck_assert_ptr_ne(a, b);
    ck_assert_str_eq(name_of(a), "model-1");
    ck_assert_str_eq(name_of(b), "model-2");
    biq_project_cache_release(c, a);
    biq_project_cache_release(c, b);
    biq_project_cache_stats s = stats(c);
    ck_assert_uint_eq(s.entries, 0);
    ck_assert_uint_eq(s.uncached, 2);
    biq_project_cache_free(c);
    free(l);
}
END_TEST

START_TEST(overlong_key_is_refused_before_loading)
{
    biq_project_cache *c = biq_project_cache_new(4, 1 << 20, ARENA_LIMIT, WAIT_MS);
    loader *l = loader_new(16);
    char key[BIQ_PROJECT_CACHE_KEY_MAX + 2];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    biq_project_ref *r = (biq_project_ref *)1;
    ck_assert_int_eq(biq_project_cache_get(c, key, fake_load, l, &r), BIQ_ERR_TOO_LARGE);
    ck_assert_ptr_null(r);
    ck_assert_int_eq(atomic_load(&l->calls), 0);
    biq_project_cache_free(c);
    free(l);
}
END_TEST

/* ------------------------------------------------------- single flight */

typedef struct racer {
    biq_project_cache *c;
    loader *l;
    pthread_barrier_t *start;
    const char *key;
    biq_err err;
    biq_project_ref *ref;
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    pthread_barrier_wait(r->start);
    r->err = biq_project_cache_get(r->c, r->key, fake_load, r->l, &r->ref);
    return NULL;
}

/* THREADS requests for key at once; returns their outcomes in rs. */
static void run_race(biq_project_cache *c, loader *l, const char *key, racer *rs)
{
    pthread_t t[THREADS];
    pthread_barrier_t start;
    ck_assert_int_eq(pthread_barrier_init(&start, NULL, THREADS), 0);
    for (int i = 0; i < THREADS; i++) {
        rs[i] = (racer){.c = c, .l = l, .start = &start, .key = key};
        ck_assert_int_eq(pthread_create(&t[i], NULL, race, &rs[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&start);
}

START_TEST(concurrent_requests_share_one_load)
{
    biq_project_cache *c = biq_project_cache_new(4, 1 << 20, ARENA_LIMIT, WAIT_MS);
    loader *l = loader_new(MODEL_BYTES);
    l->await_cache = c; /* everyone arrives while the first one loads */
    l->await_shared = THREADS - 1;
    racer rs[THREADS];
    run_race(c, l, "k", rs);
    ck_assert_int_eq(atomic_load(&l->calls), 1);
    for (int i = 0; i < THREADS; i++) {
        ck_assert_int_eq(rs[i].err, BIQ_OK);
        ck_assert_ptr_eq(rs[i].ref, rs[0].ref);
        ck_assert_str_eq(name_of(rs[i].ref), "model-1");
    }
    biq_project_cache_stats s = stats(c);
    ck_assert_uint_eq(s.misses, 1);
    ck_assert_uint_eq(s.loads, 1);
    ck_assert_uint_eq(s.shared, THREADS - 1);
    ck_assert_uint_eq(s.hits, 0);
    for (int i = 0; i < THREADS; i++)
        biq_project_cache_release(c, rs[i].ref);
    biq_project_cache_free(c);
    free(l);
}
END_TEST

START_TEST(failed_load_reaches_its_waiters_and_next_request_retries)
{
    biq_project_cache *c = biq_project_cache_new(4, 1 << 20, ARENA_LIMIT, WAIT_MS);
    loader *l = loader_new(16);
    l->await_cache = c;
    l->await_shared = THREADS - 1;
    l->err = BIQ_ERR_DB;
    racer rs[THREADS];
    run_race(c, l, "k", rs);
    int calls = atomic_load(&l->calls);
    for (int i = 0; i < THREADS; i++) {
        ck_assert_int_eq(rs[i].err, BIQ_ERR_DB);
        ck_assert_ptr_null(rs[i].ref);
    }
    /* One load for the whole wave: the waiters got its error. */
    ck_assert_int_eq(calls, 1);
    ck_assert_uint_eq(stats(c).shared, THREADS - 1);
    ck_assert_uint_eq(stats(c).failures, 1);
    ck_assert_uint_eq(stats(c).entries, 0);
    l->err = BIQ_OK;
    l->await_cache = NULL;
    biq_project_ref *r = get(c, "k", l);
    ck_assert_str_eq(name_of(r), "model-2");
    biq_project_cache_release(c, r);
    biq_project_cache_free(c);
    free(l);
}
END_TEST

static void *slow_get(void *arg)
{
    racer *r = arg;
    r->err = biq_project_cache_get(r->c, r->key, fake_load, r->l, &r->ref);
    return NULL;
}

START_TEST(wait_is_bounded)
{
    biq_project_cache *c = biq_project_cache_new(4, 1 << 20, ARENA_LIMIT, SLOW_MS / 6);
    loader *l = loader_new(16);
    l->sleep_ms = SLOW_MS;
    racer first = {.c = c, .l = l, .key = "k"};
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, slow_get, &first), 0);
    while (atomic_load(&l->calls) == 0)
        sleep_ms(1);
    biq_project_ref *r = (biq_project_ref *)1;
    ck_assert_int_eq(biq_project_cache_get(c, "k", fake_load, l, &r), BIQ_ERR_UNAVAILABLE);
    ck_assert_ptr_null(r);
    pthread_join(t, NULL);
    ck_assert_int_eq(first.err, BIQ_OK);
    ck_assert_uint_eq(stats(c).timeouts, 1);
    ck_assert_int_eq(atomic_load(&l->calls), 1);
    biq_project_cache_release(c, first.ref);
    biq_project_cache_free(c);
    free(l);
}
END_TEST

/* Many threads over more keys than fit: the bounds hold and every model
 * handed out is the one of its key (ASan checks the lifetimes). */
static void *hammer(void *arg)
{
    racer *r = arg;
    unsigned seed = (unsigned)(uintptr_t)r;
    for (int i = 0; i < SMOKE_ROUNDS; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", rand_r(&seed) % SMOKE_KEYS);
        biq_project_ref *ref = NULL;
        if (biq_project_cache_get(r->c, key, fake_load, r->l, &ref) != BIQ_OK ||
            biq_project_ref_data(ref)->n_issues != MODEL_BYTES) {
            r->err = BIQ_ERR_INTERNAL;
            return NULL;
        }
        biq_project_cache_release(r->c, ref);
    }
    return NULL;
}

START_TEST(concurrent_use_keeps_the_bounds)
{
    biq_project_cache *c =
        biq_project_cache_new(SMOKE_ENTRIES, 1 << 20, ARENA_LIMIT, WAIT_MS);
    loader *l = loader_new(MODEL_BYTES);
    racer rs[THREADS];
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        rs[i] = (racer){.c = c, .l = l};
        ck_assert_int_eq(pthread_create(&t[i], NULL, hammer, &rs[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        ck_assert_int_eq(rs[i].err, BIQ_OK);
    }
    biq_project_cache_stats s = stats(c);
    ck_assert_uint_le(s.entries, SMOKE_ENTRIES);
    ck_assert_uint_gt(s.entries, 0);
    ck_assert_uint_eq(s.hits + s.misses + s.shared, (unsigned long long)THREADS * SMOKE_ROUNDS);
    ck_assert_uint_eq(s.loads, s.misses);
    biq_project_cache_free(c);
    free(l);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("project_cache");
    TCase *tc = tcase_create("project_cache");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, second_request_hits_the_same_model);
    tcase_add_test(tc, count_bound_evicts_least_recently_used);
    tcase_add_test(tc, byte_bound_evicts_and_oversize_is_served_not_kept);
    tcase_add_test(tc, reference_keeps_an_evicted_model_alive);
    tcase_add_test(tc, not_kept_model_serves_its_request_only);
    tcase_add_test(tc, overlong_key_is_refused_before_loading);
    tcase_add_test(tc, concurrent_requests_share_one_load);
    tcase_add_test(tc, failed_load_reaches_its_waiters_and_next_request_retries);
    tcase_add_test(tc, wait_is_bounded);
    tcase_add_test(tc, concurrent_use_keeps_the_bounds);
    suite_add_tcase(s, tc);
    return s;
}
