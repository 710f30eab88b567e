/* alerts_worker.c - the alert thread (see alerts_worker.h). */
#include "api/alerts_worker.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/alerts_eval.h"

typedef struct pending {
    char tenant[BIQ_TENANT_ID_MAX + 1];
    char project[BIQ_CLAIM_SHORT_MAX + 1];
    int64_t issue_id;
} pending;

struct biq_alert_worker {
    const biq_app *app;
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
        (void)biq_alerts_sweep_scheduled(w->app, tenant, w->interval_s / 2, &result);
        pthread_mutex_lock(&w->lock);
    }
    after(&w->next_sweep, w->interval_s);
}

static void *loop(void *arg)
{
    biq_alert_worker *w = arg;
    pthread_mutex_lock(&w->lock);
    while (!w->stop) {
        if (w->count > 0) {
            pending p = w->queue[w->head];
            w->head = (w->head + 1) % BIQ_ALERT_QUEUE_MAX;
            w->count--;
            pthread_mutex_unlock(&w->lock);
            biq_alert_run_stats stats = {0};
            (void)biq_alerts_evaluate_project(w->app, p.tenant, p.project, BIQ_ALERT_CADENCE_INGEST,
                                              &p.issue_id, 1, &stats);
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

static void worker_free(biq_alert_worker *w)
{
    free(w->tenants);
    free(w);
}

biq_err biq_alert_worker_start(const biq_app *app, unsigned interval_s, biq_alert_worker **out)
{
    pthread_condattr_t attr;
    biq_alert_worker *w = calloc(1, sizeof *w);
    *out = NULL;
    if (w == NULL || (w->tenants = calloc(BIQ_ALERT_TENANTS_MAX, sizeof *w->tenants)) == NULL) {
        free(w);
        return BIQ_ERR_NOMEM;
    }
    w->app = app;
    w->interval_s = interval_s > 0 ? interval_s : BIQ_ALERT_SWEEP_INTERVAL_S;
    after(&w->next_sweep, w->interval_s);
    pthread_mutex_init(&w->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&w->wake, &attr);
    pthread_condattr_destroy(&attr);
    if (pthread_create(&w->thread, NULL, loop, w) != 0) {
        pthread_cond_destroy(&w->wake);
        pthread_mutex_destroy(&w->lock);
        worker_free(w);
        return BIQ_ERR_INTERNAL;
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
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    worker_free(w);
}
