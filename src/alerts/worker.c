/* worker.c - the alert thread (see worker.h). */
#include "alerts/worker.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>
#include <stdio.h>

#include "alerts/deliver.h"
#include "alerts/limits.h"
#include "common/clock.h"
#include "store/alerts.h"

enum {
    TEST_SLOTS = BIQ_ALERT_TEST_QUEUE_MAX + BIQ_ALERT_TEST_KEPT,
    TEST_KIND_MAX = 16,
};

static const char TEST_SUBJECT[] = "BottleneckIQ test message";
static const char TEST_TEXT[] =
    "This is a test from BottleneckIQ: alerts sent to this destination will arrive like this.";

/* One test: free (seq 0), queued, sending or finished. */
typedef struct test_slot {
    uint64_t seq; /* order of acceptance; 0: free */
    biq_alert_test_info info;
    char tenant[BIQ_TENANT_ID_MAX + 1];
    int64_t destination;
    char kind[TEST_KIND_MAX];
    char *target; /* while queued or sending; wiped and freed after */
} test_slot;

/* The test lane: its own lock, threads and table. */
typedef struct test_lane {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t threads[BIQ_ALERT_TEST_THREADS];
    size_t n_threads;
    bool stop;
    uint64_t next_seq;
    size_t active; /* queued + sending */
    test_slot slots[TEST_SLOTS];
    biq_alert_limits limits;
} test_lane;

typedef struct pending {
    char tenant[BIQ_TENANT_ID_MAX + 1];
    char project[BIQ_CLAIM_SHORT_MAX + 1];
    int64_t issue_id;
} pending;

struct biq_alert_worker {
    biq_alerts_env env;
    unsigned interval_s;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
    pending queue[BIQ_ALERT_QUEUE_MAX];
    size_t head, count;
    char (*tenants)[BIQ_TENANT_ID_MAX + 1];
    size_t n_tenants;
    struct timespec next_sweep; /* CLOCK_MONOTONIC */
    test_lane *tests;
};

static void after(struct timespec *t, unsigned seconds)
{
    clock_gettime(CLOCK_MONOTONIC, t);
    t->tv_sec += (time_t)seconds;
}

static bool due(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

static void remember(biq_alert_worker *w, const char *tenant)
{
    for (size_t i = 0; i < w->n_tenants; i++) {
        if (strcmp(w->tenants[i], tenant) == 0)
            return;
    }
    if (w->n_tenants < BIQ_ALERT_TENANTS_MAX && strlen(tenant) <= BIQ_TENANT_ID_MAX)
        memcpy(w->tenants[w->n_tenants++], tenant, strlen(tenant) + 1);
}

/* One tenant at a time, with the lock released while it runs. A tenant
 * that the Forge trigger (or another process) swept within half an
 * interval is skipped by the claim itself. */
static void sweep(biq_alert_worker *w)
{
    char tenant[BIQ_TENANT_ID_MAX + 1];
    for (size_t i = 0; i < w->n_tenants && !w->stop; i++) {
        memcpy(tenant, w->tenants[i], sizeof tenant);
        pthread_mutex_unlock(&w->lock);
        biq_alert_sweep_result result;
        (void)biq_alerts_sweep_scheduled(&w->env, tenant, w->interval_s / 2, &result);
        pthread_mutex_lock(&w->lock);
    }
    after(&w->next_sweep, w->interval_s);
}

/* Takes the oldest pending run (*first) and every other queued run of the
 * same tenant and project, up to BIQ_ALERT_COALESCE_MAX issues, out of the
 * queue (the rest keep their order); their issue ids go to ids, distinct.
 * One evaluation of the project for all of them instead of one each: under
 * an event load each was a tenant transaction reading the project's rules
 * (docs/performance.md, "Events"). Under the lock. Returns the count. */
static size_t take_project(biq_alert_worker *w, const pending *first, int64_t *ids)
{
    size_t n = 0, kept = 0;
    for (size_t i = 0; i < w->count; i++) {
        pending *q = &w->queue[(w->head + i) % BIQ_ALERT_QUEUE_MAX];
        bool same = strcmp(q->tenant, first->tenant) == 0 &&
                    strcmp(q->project, first->project) == 0;
        if (same && n < BIQ_ALERT_COALESCE_MAX) {
            bool seen = false;
            for (size_t k = 0; k < n && !seen; k++)
                seen = ids[k] == q->issue_id;
            if (!seen)
                ids[n++] = q->issue_id;
            continue;
        }
        if (kept != i)
            w->queue[(w->head + kept) % BIQ_ALERT_QUEUE_MAX] = *q;
        kept++;
    }
    w->count = kept;
    return n;
}

static void *loop(void *arg)
{
    biq_alert_worker *w = arg;
    pthread_mutex_lock(&w->lock);
    while (!w->stop) {
        if (w->count > 0) {
            pending p = w->queue[w->head];
            int64_t ids[BIQ_ALERT_COALESCE_MAX];
            size_t n = take_project(w, &p, ids);
            pthread_mutex_unlock(&w->lock);
            biq_alert_run_stats stats = {0};
            (void)biq_alerts_evaluate_project(&w->env, p.tenant, p.project,
                                              BIQ_ALERT_CADENCE_INGEST, ids, n, &stats);
            pthread_mutex_lock(&w->lock);
        } else if (due(&w->next_sweep)) {
            sweep(w);
        } else {
            pthread_cond_timedwait(&w->wake, &w->lock, &w->next_sweep);
        }
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* ------------------------------------------------------------ test lane */

const char *biq_alert_test_state_name(biq_alert_test_state s)
{
    switch (s) {
    case BIQ_ALERT_TEST_QUEUED:
        return "queued";
    case BIQ_ALERT_TEST_SENDING:
        return "sending";
    case BIQ_ALERT_TEST_DELIVERED:
        return "delivered";
    case BIQ_ALERT_TEST_FAILED:
        return "failed";
    }
    return "failed";
}

static void forget_target(test_slot *t)
{
    if (t->target != NULL)
        explicit_bzero(t->target, strlen(t->target));
    free(t->target);
    t->target = NULL;
}

/* The queued test accepted first, or NULL. Lock held. */
static test_slot *next_queued(test_lane *l)
{
    test_slot *best = NULL;
    for (size_t i = 0; i < TEST_SLOTS; i++) {
        test_slot *t = &l->slots[i];
        if (t->seq != 0 && t->info.state == BIQ_ALERT_TEST_QUEUED &&
            (best == NULL || t->seq < best->seq))
            best = t;
    }
    return best;
}

typedef struct test_result {
    int64_t destination;
    const biq_alert_outcome *outcome;
} test_result;

static biq_err test_result_tx(biq_tx *tx, void *ctx)
{
    const test_result *r = ctx;
    return biq_store_alert_destination_result(tx, r->destination, r->outcome->ok, true,
                                              r->outcome->detail);
}

/* Sends one test with the lock released, records it as the destination's
 * last test (a failure there, e.g. the destination was deleted meanwhile,
 * changes nothing for the poll) and publishes the outcome. */
static void send_one(biq_alert_worker *w, test_lane *l, test_slot *t)
{
    char tenant[BIQ_TENANT_ID_MAX + 1], kind[TEST_KIND_MAX];
    char *target = t->target;
    int64_t destination = t->destination;
    uint64_t seq = t->seq;
    biq_alerts_config none;
    const biq_alerts_config *cfg = w->env.delivery;
    biq_alert_outcome out = {0};
    memcpy(tenant, t->tenant, sizeof tenant);
    memcpy(kind, t->kind, sizeof kind);
    t->info.state = BIQ_ALERT_TEST_SENDING;
    pthread_mutex_unlock(&l->lock);
    if (cfg == NULL && biq_alerts_config_init(&none, NULL, NULL, NULL) == BIQ_OK)
        cfg = &none;
    if (cfg == NULL ||
        biq_alert_deliver_test(cfg, kind, target, TEST_SUBJECT, TEST_TEXT, &out) != BIQ_OK)
        snprintf(out.detail, sizeof out.detail, "could not build the test message");
    test_result r = {destination, &out};
    (void)biq_tx_run(w->env.pool, tenant, test_result_tx, &r);
    if (!out.ok && w->env.log != NULL)
        biq_log_write(w->env.log, BIQ_LOG_INFO, "alert test failed",
                      json_pack("{s:s,s:I,s:s}", "kind", kind, "destination",
                                (json_int_t)destination, "detail", out.detail));
    pthread_mutex_lock(&l->lock);
    if (t->seq == seq) { /* always: a sending slot is never reused */
        t->info.state = out.ok ? BIQ_ALERT_TEST_DELIVERED : BIQ_ALERT_TEST_FAILED;
        t->info.attempts = out.attempts;
        memcpy(t->info.detail, out.detail, sizeof t->info.detail);
        forget_target(t);
    }
    l->active--;
}

static void *test_loop(void *arg)
{
    biq_alert_worker *w = arg;
    test_lane *l = w->tests;
    pthread_mutex_lock(&l->lock);
    while (!l->stop) {
        test_slot *t = next_queued(l);
        if (t != NULL)
            send_one(w, l, t);
        else
            pthread_cond_wait(&l->wake, &l->lock);
    }
    pthread_mutex_unlock(&l->lock);
    return NULL;
}

/* A slot for a new test: a free one, else the oldest finished one. There
 * always is one: at most BIQ_ALERT_TEST_QUEUE_MAX are active. Lock held. */
static test_slot *slot_for_new(test_lane *l)
{
    test_slot *oldest = NULL;
    for (size_t i = 0; i < TEST_SLOTS; i++) {
        test_slot *t = &l->slots[i];
        if (t->seq == 0)
            return t;
        if ((t->info.state == BIQ_ALERT_TEST_DELIVERED || t->info.state == BIQ_ALERT_TEST_FAILED) &&
            (oldest == NULL || t->seq < oldest->seq))
            oldest = t;
    }
    return oldest;
}

static bool random_id(char out[BIQ_ALERT_TEST_ID_LEN + 1])
{
    unsigned char raw[BIQ_ALERT_TEST_ID_LEN / 2];
    if (RAND_bytes(raw, sizeof raw) != 1)
        return false;
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    return true;
}

biq_err biq_alert_worker_test_enqueue(biq_alert_worker *w, const char *tenant_id,
                                      int64_t destination, const char *kind, const char *target,
                                      biq_alert_test_info *out, unsigned *retry_after_s)
{
    biq_err err = BIQ_OK;
    char *copy = NULL;
    *out = (biq_alert_test_info){0};
    *retry_after_s = BIQ_ALERT_TEST_BUSY_RETRY_S;
    if (w == NULL || w->tests == NULL)
        return BIQ_ERR_UNAVAILABLE;
    test_lane *l = w->tests;
    if (strlen(tenant_id) > BIQ_TENANT_ID_MAX || strlen(kind) >= TEST_KIND_MAX)
        return BIQ_ERR_INVALID;
    if ((copy = strdup(target)) == NULL || !random_id(out->id)) {
        err = BIQ_ERR_NOMEM;
        goto out;
    }
    pthread_mutex_lock(&l->lock);
    /* The queue first: a test refused as busy is not counted. */
    if (l->active >= BIQ_ALERT_TEST_QUEUE_MAX || l->stop)
        err = BIQ_ERR_UNAVAILABLE;
    else
        err = biq_alert_limits_take(&l->limits, tenant_id, destination, biq_clock_monotonic_ms(),
                                    retry_after_s);
    if (err == BIQ_OK) {
        test_slot *t = slot_for_new(l);
        *t = (test_slot){.seq = ++l->next_seq, .destination = destination, .target = copy};
        t->info = (biq_alert_test_info){.state = BIQ_ALERT_TEST_QUEUED};
        memcpy(t->info.id, out->id, sizeof t->info.id);
        memcpy(t->tenant, tenant_id, strlen(tenant_id) + 1);
        memcpy(t->kind, kind, strlen(kind) + 1);
        copy = NULL;
        l->active++;
        *out = t->info;
        *retry_after_s = 0;
        pthread_cond_signal(&l->wake);
    }
    pthread_mutex_unlock(&l->lock);
out:
    if (copy != NULL)
        explicit_bzero(copy, strlen(copy));
    free(copy);
    return err;
}

biq_err biq_alert_worker_test_get(biq_alert_worker *w, const char *tenant_id, int64_t destination,
                                  const char *test_id, biq_alert_test_info *out)
{
    biq_err err = BIQ_ERR_NOT_FOUND;
    if (w == NULL || w->tests == NULL)
        return err;
    test_lane *l = w->tests;
    pthread_mutex_lock(&l->lock);
    for (size_t i = 0; i < TEST_SLOTS; i++) {
        const test_slot *t = &l->slots[i];
        if (t->seq != 0 && t->destination == destination && strcmp(t->info.id, test_id) == 0 &&
            strcmp(t->tenant, tenant_id) == 0) {
            *out = t->info;
            err = BIQ_OK;
            break;
        }
    }
    pthread_mutex_unlock(&l->lock);
    return err;
}

/* Starts the test lane's threads. */
static biq_err tests_start(biq_alert_worker *w)
{
    test_lane *l = calloc(1, sizeof *l);
    if (l == NULL)
        return BIQ_ERR_NOMEM;
    pthread_mutex_init(&l->lock, NULL);
    pthread_cond_init(&l->wake, NULL);
    biq_alert_limits_init(&l->limits);
    w->tests = l;
    for (size_t i = 0; i < BIQ_ALERT_TEST_THREADS; i++) {
        if (pthread_create(&l->threads[i], NULL, test_loop, w) != 0)
            return BIQ_ERR_INTERNAL;
        l->n_threads++;
    }
    return BIQ_OK;
}

/* Stops the test threads after their sends and frees the lane. */
static void tests_stop(biq_alert_worker *w)
{
    test_lane *l = w->tests;
    if (l == NULL)
        return;
    pthread_mutex_lock(&l->lock);
    l->stop = true;
    pthread_cond_broadcast(&l->wake);
    pthread_mutex_unlock(&l->lock);
    for (size_t i = 0; i < l->n_threads; i++)
        pthread_join(l->threads[i], NULL);
    for (size_t i = 0; i < TEST_SLOTS; i++)
        forget_target(&l->slots[i]);
    pthread_cond_destroy(&l->wake);
    pthread_mutex_destroy(&l->lock);
    free(l);
    w->tests = NULL;
}

static void worker_free(biq_alert_worker *w)
{
    free(w->tenants);
    free(w);
}

biq_err biq_alert_worker_start(const biq_alerts_env *env, unsigned interval_s,
                               biq_alert_worker **out)
{
    pthread_condattr_t attr;
    biq_alert_worker *w = calloc(1, sizeof *w);
    *out = NULL;
    if (w == NULL || (w->tenants = calloc(BIQ_ALERT_TENANTS_MAX, sizeof *w->tenants)) == NULL) {
        free(w);
        return BIQ_ERR_NOMEM;
    }
    w->env = *env;
    w->interval_s = interval_s > 0 ? interval_s : BIQ_ALERT_SWEEP_INTERVAL_S;
    after(&w->next_sweep, w->interval_s);
    pthread_mutex_init(&w->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&w->wake, &attr);
    pthread_condattr_destroy(&attr);
    biq_err err = tests_start(w);
    if (err != BIQ_OK || pthread_create(&w->thread, NULL, loop, w) != 0) {
        tests_stop(w);
        pthread_cond_destroy(&w->wake);
        pthread_mutex_destroy(&w->lock);
        worker_free(w);
        return err != BIQ_OK ? err : BIQ_ERR_INTERNAL;
    }
    *out = w;
    return BIQ_OK;
}

void biq_alert_worker_notify(biq_alert_worker *w, const char *tenant_id, const char *project_key,
                             int64_t issue_id)
{
    if (w == NULL || tenant_id == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    remember(w, tenant_id);
    if (project_key != NULL && w->count < BIQ_ALERT_QUEUE_MAX &&
        strlen(tenant_id) <= BIQ_TENANT_ID_MAX && strlen(project_key) <= BIQ_CLAIM_SHORT_MAX) {
        pending *p = &w->queue[(w->head + w->count) % BIQ_ALERT_QUEUE_MAX];
        memcpy(p->tenant, tenant_id, strlen(tenant_id) + 1);
        memcpy(p->project, project_key, strlen(project_key) + 1);
        p->issue_id = issue_id;
        w->count++;
        pthread_cond_signal(&w->wake);
    }
    pthread_mutex_unlock(&w->lock);
}

void biq_alert_worker_stop(biq_alert_worker *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    w->stop = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    tests_stop(w);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    worker_free(w);
}
