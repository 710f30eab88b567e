/* app.c - the app-wide helpers the handlers share (app.h): the flow clock,
 * what the project views and the alert runs need of the app, the metrics registry's cache
 * probe, and the one wording of a failed tenant transaction. */
#include "api/app.h"

int64_t biq_api_flow_now(const biq_app *app)
{
    return biq_clock_now(&app->flow_clock);
}

biq_views_env biq_api_views_env(const biq_app *app)
{
    return (biq_views_env){.pool = app->pool,
                           .dashboards = app->dashboards,
                           .projects = app->projects,
                           .replica = app->replica,
                           .clock = &app->flow_clock};
}

biq_alerts_env biq_api_alerts_env(const biq_app *app)
{
    return (biq_alerts_env){.pool = app->pool,
                            .log = app->log,
                            .delivery = app->alerts,
                            .clock = &app->flow_clock};
}

biq_err biq_api_tx_failed(biq_response *resp, biq_err err, const char *doing)
{
    if (err == BIQ_ERR_NOT_FOUND)
        return biq_response_error(resp, err, BIQ_API_NOT_REGISTERED);
    return biq_response_error(resp, err, "could not %s", doing);
}

void biq_api_cache_probe(void *app_ptr, biq_metrics_caches *out)
{
    const biq_app *app = app_ptr;
    biq_project_cache_stats s = {0};
    *out = (biq_metrics_caches){0};
    if (app->dashboards != NULL) {
        size_t entries = 0, bytes = 0;
        biq_cache_lookups(app->dashboards, &out->result_hits, &out->result_misses);
        biq_cache_usage(app->dashboards, &entries, &bytes);
        out->result_entries = entries;
    }
    if (app->projects == NULL)
        return;
    biq_project_cache_stats_get(app->projects, &s);
    out->project_hits = s.hits;
    out->project_misses = s.misses;
    out->project_shared = s.shared;
    out->project_kept = s.loads - s.uncached;
    out->project_not_kept = s.uncached;
    out->project_failed = s.failures;
    out->project_evictions = s.evictions;
    out->project_timeouts = s.timeouts;
    out->project_entries = s.entries;
    out->project_bytes = s.bytes;
    out->project_max_bytes = s.max_bytes;
}
