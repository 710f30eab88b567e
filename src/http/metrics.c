/* metrics.c - atomic counters and their Prometheus text form (see metrics.h). */
#include "http/metrics.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The statuses this server answers with; anything else counts as "other". */
static const unsigned STATUSES[] = {200, 201, 202, 204, 400, 401, 403, 404, 405, 408,
                                    409, 413, 414, 415, 422, 429, 431, 500, 503};
enum { N_STATUSES = sizeof STATUSES / sizeof STATUSES[0] + 1 };

/* Histogram bucket upper bounds in seconds. */
static const double BUCKETS[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                 0.1,   0.25,   0.5,   1.0,  2.5,   5.0, 10.0};
enum { N_BUCKETS = sizeof BUCKETS / sizeof BUCKETS[0] };

struct route_stats {
    atomic_ullong by_status[N_STATUSES];
    atomic_ullong buckets[N_BUCKETS + 1]; /* non-cumulative; last is +Inf */
    atomic_ullong micros_sum;
};

struct biq_metrics {
    const biq_route *routes_table;
    size_t n_routes;
    const char *const *reason_names;
    size_t n_reasons;
    const char *const *counter_names;
    size_t n_counters;
    atomic_ullong auth_rejects[BIQ_METRICS_REASONS_MAX];
    atomic_ullong counters[BIQ_METRICS_COUNTERS_MAX];
    biq_metrics_cache_probe cache_probe; /* NULL: no cache section */
    void *cache_ctx;
    struct route_stats routes[]; /* n_routes + 1 (unmatched) */
};

biq_metrics *biq_metrics_new(const biq_route *routes, size_t n_routes,
                             const char *const *reason_names, size_t n_reasons,
                             const char *const *counter_names, size_t n_counters)
{
    if (n_routes > BIQ_METRICS_ROUTES_MAX || n_reasons > BIQ_METRICS_REASONS_MAX ||
        n_counters > BIQ_METRICS_COUNTERS_MAX)
        return NULL;
    biq_metrics *m = calloc(1, sizeof *m + (n_routes + 1) * sizeof(struct route_stats));
    if (m == NULL)
        return NULL;
    m->routes_table = routes;
    m->n_routes = n_routes;
    m->reason_names = reason_names;
    m->n_reasons = n_reasons;
    m->counter_names = counter_names;
    m->n_counters = n_counters;
    return m;
}

void biq_metrics_free(biq_metrics *m)
{
    free(m);
}

static size_t status_index(unsigned status)
{
    for (size_t i = 0; i < N_STATUSES - 1; i++) {
        if (STATUSES[i] == status)
            return i;
    }
    return N_STATUSES - 1;
}

void biq_metrics_request(biq_metrics *m, size_t route, unsigned status, double seconds)
{
    struct route_stats *r = &m->routes[route < m->n_routes ? route : m->n_routes];
    size_t b = 0;
    while (b < N_BUCKETS && seconds > BUCKETS[b])
        b++;
    atomic_fetch_add(&r->by_status[status_index(status)], 1);
    atomic_fetch_add(&r->buckets[b], 1);
    atomic_fetch_add(&r->micros_sum, (unsigned long long)(seconds * 1e6));
}

void biq_metrics_auth_reject(biq_metrics *m, size_t reason)
{
    if (reason < m->n_reasons)
        atomic_fetch_add(&m->auth_rejects[reason], 1);
}

void biq_metrics_add(biq_metrics *m, size_t counter, unsigned long long n)
{
    if (counter < m->n_counters)
        atomic_fetch_add(&m->counters[counter], n);
}

unsigned long long biq_metrics_get(const biq_metrics *m, size_t counter)
{
    return counter < m->n_counters ? atomic_load(&m->counters[counter]) : 0;
}

void biq_metrics_set_cache_probe(biq_metrics *m, biq_metrics_cache_probe probe, void *ctx)
{
    m->cache_probe = probe;
    m->cache_ctx = ctx;
}

/* A growable text buffer; only for rendering, freed by the caller. */
struct text {
    char *buf;
    size_t len, cap;
    bool failed;
};

__attribute__((format(printf, 2, 3))) static void emit(struct text *t, const char *fmt, ...)
{
    for (int attempt = 0; attempt < 2 && !t->failed; attempt++) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = true;
            return;
        }
        if ((size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = (t->cap + (size_t)n + 1) * 2;
        char *grown = realloc(t->buf, cap);
        if (grown == NULL) {
            t->failed = true;
            return;
        }
        t->buf = grown;
        t->cap = cap;
    }
}

static const char *route_label(const biq_metrics *m, size_t i)
{
    return i < m->n_routes ? m->routes_table[i].pattern : "unmatched";
}

static void render_requests(const biq_metrics *m, struct text *t)
{
    emit(t, "# HELP biq_http_requests_total HTTP requests by route and status.\n"
            "# TYPE biq_http_requests_total counter\n");
    for (size_t i = 0; i <= m->n_routes; i++) {
        for (size_t s = 0; s < N_STATUSES; s++) {
            unsigned long long n = atomic_load(&m->routes[i].by_status[s]);
            if (n == 0)
                continue;
            if (s < N_STATUSES - 1)
                emit(t, "biq_http_requests_total{route=\"%s\",status=\"%u\"} %llu\n",
                     route_label(m, i), STATUSES[s], n);
            else
                emit(t, "biq_http_requests_total{route=\"%s\",status=\"other\"} %llu\n",
                     route_label(m, i), n);
        }
    }
}

static void render_latency(const biq_metrics *m, struct text *t)
{
    emit(t, "# HELP biq_http_request_duration_seconds Request latency by route.\n"
            "# TYPE biq_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i <= m->n_routes; i++) {
        const struct route_stats *r = &m->routes[i];
        unsigned long long cumulative = 0;
        for (size_t b = 0; b <= N_BUCKETS; b++) {
            cumulative += atomic_load(&r->buckets[b]);
            if (b < N_BUCKETS)
                emit(t, "biq_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                     route_label(m, i), BUCKETS[b], cumulative);
            else
                emit(t, "biq_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
                     route_label(m, i), cumulative);
        }
        emit(t, "biq_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", route_label(m, i),
             (double)atomic_load(&r->micros_sum) / 1e6);
        emit(t, "biq_http_request_duration_seconds_count{route=\"%s\"} %llu\n", route_label(m, i),
             cumulative);
    }
}

static void render_counters(const biq_metrics *m, struct text *t)
{
    emit(t, "# HELP biq_auth_rejections_total Rejected tokens by reason.\n"
            "# TYPE biq_auth_rejections_total counter\n");
    for (size_t i = 0; i < m->n_reasons; i++)
        emit(t, "biq_auth_rejections_total{reason=\"%s\"} %llu\n", m->reason_names[i],
             atomic_load(&m->auth_rejects[i]));
    emit(t, "# HELP biq_events_total Ingest and processing events by kind.\n"
            "# TYPE biq_events_total counter\n");
    for (size_t i = 0; i < m->n_counters; i++)
        emit(t, "biq_events_total{kind=\"%s\"} %llu\n", m->counter_names[i],
             atomic_load(&m->counters[i]));
}

static void render_caches(const biq_metrics *m, struct text *t)
{
    biq_metrics_caches c = {0};
    if (m->cache_probe == NULL)
        return;
    m->cache_probe(m->cache_ctx, &c);
    emit(t, "# HELP biq_cache_lookups_total Cache lookups by cache and result (shared: waited"
            " for another request's load of the same project).\n"
            "# TYPE biq_cache_lookups_total counter\n"
            "biq_cache_lookups_total{cache=\"dashboard\",result=\"hit\"} %llu\n"
            "biq_cache_lookups_total{cache=\"dashboard\",result=\"miss\"} %llu\n"
            "biq_cache_lookups_total{cache=\"project\",result=\"hit\"} %llu\n"
            "biq_cache_lookups_total{cache=\"project\",result=\"miss\"} %llu\n"
            "biq_cache_lookups_total{cache=\"project\",result=\"shared\"} %llu\n",
         c.result_hits, c.result_misses, c.project_hits, c.project_misses, c.project_shared);
    emit(t, "# HELP biq_project_cache_loads_total Project loads by outcome.\n"
            "# TYPE biq_project_cache_loads_total counter\n"
            "biq_project_cache_loads_total{outcome=\"kept\"} %llu\n"
            "biq_project_cache_loads_total{outcome=\"not_kept\"} %llu\n"
            "biq_project_cache_loads_total{outcome=\"failed\"} %llu\n"
            "# HELP biq_project_cache_evictions_total Loaded projects evicted to stay in bounds.\n"
            "# TYPE biq_project_cache_evictions_total counter\n"
            "biq_project_cache_evictions_total %llu\n"
            "# HELP biq_project_cache_wait_timeouts_total Waits for a concurrent load that ran out.\n"
            "# TYPE biq_project_cache_wait_timeouts_total counter\n"
            "biq_project_cache_wait_timeouts_total %llu\n",
         c.project_kept, c.project_not_kept, c.project_failed, c.project_evictions,
         c.project_timeouts);
    emit(t, "# HELP biq_dashboard_cache_entries Computed dashboard answers held.\n"
            "# TYPE biq_dashboard_cache_entries gauge\n"
            "biq_dashboard_cache_entries %llu\n",
         c.result_entries);
    emit(t, "# HELP biq_project_cache_entries Loaded projects held.\n"
            "# TYPE biq_project_cache_entries gauge\n"
            "biq_project_cache_entries %llu\n"
            "# HELP biq_project_cache_bytes Bytes of the loaded projects held, and the bound.\n"
            "# TYPE biq_project_cache_bytes gauge\n"
            "biq_project_cache_bytes{kind=\"used\"} %llu\n"
            "biq_project_cache_bytes{kind=\"max\"} %llu\n",
         c.project_entries, c.project_bytes, c.project_max_bytes);
}

biq_err biq_metrics_render(const biq_metrics *m, const char *extra, char **out)
{
    struct text t = {0};
    *out = NULL;
    render_requests(m, &t);
    render_latency(m, &t);
    render_counters(m, &t);
    render_caches(m, &t);
    if (extra != NULL)
        emit(&t, "%s", extra);
    if (t.failed || t.buf == NULL) {
        free(t.buf);
        return BIQ_ERR_NOMEM;
    }
    *out = t.buf;
    return BIQ_OK;
}
