/* test_batcher.c - the group-commit batcher (store/batcher.h) with threads
 * and no database: every item runs in exactly one batch of at most
 * max_items, is marked done only after its batch ran, items of one key
 * never share a batch, and concurrent submitters share batches. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/batcher.h"
#include "testsupport.h"

enum {
    THREADS = 8,
    PER_THREAD = 50,
    MAX_ITEMS = 4,
    KEYS = 3,
    WAIT_US = 2000, /* long enough for the threads to pile up, short enough for 50 rounds */
};

struct job {
    int thread, seq;
    char key[16];
    atomic_int runs;    /* batches that held it */
    atomic_int batch;   /* id of the batch that held it */
    bool done_after_run;
};

struct env {
    atomic_int batches;
    atomic_int largest;
    atomic_int same_key_shared; /* a batch held two items of one key */
};

/* A batch takes a while, as a commit does: meanwhile others queue up. */
static void run(void *env_ptr, biq_batch_item **items, size_t n)
{
    struct env *env = env_ptr;
    struct timespec commit = {0, 200000};
    nanosleep(&commit, NULL);
    int id = atomic_fetch_add(&env->batches, 1) + 1;
    if ((int)n > atomic_load(&env->largest))
        atomic_store(&env->largest, (int)n);
    for (size_t i = 0; i < n; i++) {
        struct job *j = items[i]->ctx;
        ck_assert(!items[i]->done);
        atomic_fetch_add(&j->runs, 1);
        atomic_store(&j->batch, id);
        for (size_t k = 0; k < i; k++)
            if (items[k]->key != NULL && items[i]->key != NULL &&
                strcmp(items[k]->key, items[i]->key) == 0)
                atomic_fetch_add(&env->same_key_shared, 1);
    }
}

struct submitter {
    biq_batcher *b;
    struct job jobs[PER_THREAD];
    int thread;
    bool keyed;
};

static void *submit_all(void *arg)
{
    struct submitter *s = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        struct job *j = &s->jobs[i];
        j->thread = s->thread;
        j->seq = i;
        /* Threads t and t + KEYS share keys: "k<t % KEYS>-<i>". */
        snprintf(j->key, sizeof j->key, "k%d-%d", s->thread % KEYS, i);
        biq_batch_item item = {.ctx = j, .key = s->keyed ? j->key : NULL};
        biq_batcher_submit(s->b, &item);
        ck_assert(item.done);
        j->done_after_run = atomic_load(&j->runs) == 1;
    }
    return NULL;
}

static void run_threads(biq_batcher *b, struct submitter *s, bool keyed)
{
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        s[i] = (struct submitter){.b = b, .thread = i, .keyed = keyed};
        ck_assert_int_eq(pthread_create(&t[i], NULL, submit_all, &s[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        ck_assert_int_eq(pthread_join(t[i], NULL), 0);
}

START_TEST(every_item_runs_once_in_bounded_batches)
{
    static struct submitter s[THREADS];
    struct env env = {0};
    biq_batcher *b = NULL;
    ck_assert_int_eq(biq_batcher_new(MAX_ITEMS, 200, run, &env, &b), BIQ_OK);
    run_threads(b, s, true);
    for (int t = 0; t < THREADS; t++)
        for (int i = 0; i < PER_THREAD; i++) {
            ck_assert_int_eq(atomic_load(&s[t].jobs[i].runs), 1);
            ck_assert(s[t].jobs[i].done_after_run);
        }
    ck_assert_int_le(atomic_load(&env.largest), MAX_ITEMS);
    ck_assert_int_eq(atomic_load(&env.same_key_shared), 0);
    unsigned long long batches = 0, items = 0;
    biq_batcher_counts(b, &batches, &items);
    ck_assert_uint_eq(items, THREADS * PER_THREAD);
    ck_assert_uint_eq(batches, (unsigned long long)atomic_load(&env.batches));
    biq_batcher_free(b);
}
END_TEST

/* Threads t and t + KEYS submit the same keys at the same time: such
 * items never share a batch (one waits for the next), while the same load
 * without keys does share batches. */
START_TEST(one_key_never_shares_a_batch)
{
    static struct submitter s[THREADS];
    struct env env = {0};
    biq_batcher *b = NULL;
    ck_assert_int_eq(biq_batcher_new(THREADS, WAIT_US, run, &env, &b), BIQ_OK);
    run_threads(b, s, true);
    ck_assert_int_eq(atomic_load(&env.same_key_shared), 0);
    /* Without keys the same load does share batches between threads. */
    struct env free_env = {0};
    biq_batcher *c = NULL;
    ck_assert_int_eq(biq_batcher_new(THREADS, WAIT_US, run, &free_env, &c), BIQ_OK);
    run_threads(c, s, false);
    ck_assert_int_lt(atomic_load(&free_env.batches), THREADS * PER_THREAD);
    biq_batcher_free(b);
    biq_batcher_free(c);
}
END_TEST

START_TEST(limits_are_refused)
{
    struct env env = {0};
    biq_batcher *b = NULL;
    ck_assert_int_eq(biq_batcher_new(0, 0, run, &env, &b), BIQ_ERR_CONFIG);
    ck_assert_ptr_null(b);
    ck_assert_int_eq(biq_batcher_new(BIQ_BATCHER_ITEMS_MAX + 1, 0, run, &env, &b), BIQ_ERR_CONFIG);
    ck_assert_int_eq(biq_batcher_new(1, BIQ_BATCHER_WAIT_US_MAX + 1, run, &env, &b),
                     BIQ_ERR_CONFIG);
    ck_assert_int_eq(biq_batcher_new(BIQ_BATCHER_ITEMS_MAX, BIQ_BATCHER_WAIT_US_MAX, run, &env, &b),
                     BIQ_OK);
    biq_batcher_free(b);
    biq_batcher_free(NULL);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("batcher");
    TCase *tc = tcase_create("batcher");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, every_item_runs_once_in_bounded_batches);
    tcase_add_test(tc, one_key_never_shares_a_batch);
    tcase_add_test(tc, limits_are_refused);
    suite_add_tcase(s, tc);
    return s;
}
