/* metrics.h - process counters rendered as Prometheus text.
 *
 * Request counts by route and status, latency histograms by route, auth
 * rejections by reason and named event counters (ingest). Lock-free atomic
 * counters: safe from any thread. Labels are route patterns and fixed
 * names only: no tenant data ever becomes a label.
 */
#ifndef BIQ_HTTP_METRICS_H
#define BIQ_HTTP_METRICS_H

#include <stddef.h>

#include "common/err.h"
#include "http/router.h"

enum {
    BIQ_METRICS_ROUTES_MAX = 64,
    BIQ_METRICS_REASONS_MAX = 32,
    BIQ_METRICS_COUNTERS_MAX = 32,
};

typedef struct biq_metrics biq_metrics;

/* What the caches report at each render: counters since start, and the
 * project cache's current usage. Cache names are fixed labels. */
typedef struct biq_metrics_caches {
    unsigned long long result_hits, result_misses;      /* dashboard answers */
    unsigned long long result_entries;                  /* dashboard answers held */
    unsigned long long project_hits, project_misses;    /* loaded projects */
    unsigned long long project_shared;   /* waited for a concurrent load */
    unsigned long long project_kept;     /* loads kept in the cache */
    unsigned long long project_not_kept; /* loads served but not kept */
    unsigned long long project_failed;   /* loads that failed */
    unsigned long long project_evictions, project_timeouts;
    unsigned long long project_entries, project_bytes, project_max_bytes;
} biq_metrics_caches;

/* Fills *out; called from the thread rendering /metrics. */
typedef void (*biq_metrics_cache_probe)(void *ctx, biq_metrics_caches *out);

/* Creates the registry. The patterns of routes[0..n_routes) label the
 * routes (kept by pointer: they must outlive the registry); requests that
 * matched no route count under "unmatched". reason_names label auth rejections, and
 * counter_names the event counters. NULL when out of memory or over a max. */
biq_metrics *biq_metrics_new(const biq_route *routes, size_t n_routes,
                             const char *const *reason_names, size_t n_reasons,
                             const char *const *counter_names, size_t n_counters);

void biq_metrics_free(biq_metrics *m);

/* Counts one finished request. route >= n_routes means unmatched. */
void biq_metrics_request(biq_metrics *m, size_t route, unsigned status, double seconds);

/* Counts one rejected token. Out-of-range reasons are ignored. */
void biq_metrics_auth_reject(biq_metrics *m, size_t reason);

/* Adds n to event counter i. Out-of-range counters are ignored. */
void biq_metrics_add(biq_metrics *m, size_t counter, unsigned long long n);

/* Reads event counter i (0 when out of range). */
unsigned long long biq_metrics_get(const biq_metrics *m, size_t counter);

/* Makes every render include the caches' figures from probe(ctx, ...).
 * Call before the registry is shared (not concurrently with a render). */
void biq_metrics_set_cache_probe(biq_metrics *m, biq_metrics_cache_probe probe, void *ctx);

/* Renders all metrics, followed by extra (gauges the caller formats, may be
 * NULL), into a malloc'd NUL-terminated string in *out. BIQ_ERR_NOMEM. */
biq_err biq_metrics_render(const biq_metrics *m, const char *extra, char **out);

#endif
