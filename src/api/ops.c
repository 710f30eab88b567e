/* ops.c - operations routes: /healthz, /readyz, /metrics. None of them
 * needs a token and none shows tenant data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/app.h"
#include "api/handlers.h"
#include "store/migrate.h"

enum {
    READYZ_ACQUIRE_TIMEOUT_MS = 1000,
    GAUGES_MAX = 2048,
};

/* The read replica's lines (store/replica.h), appended to gauges at *used;
 * nothing without a replica. */
static void replica_gauges(biq_app *app, char *gauges, size_t size, size_t *used)
{
    unsigned long long counts[BIQ_REPLICA_SOURCE__COUNT];
    biq_replica_lag lag;
    if (app->replica == NULL)
        return;
    biq_replica_lag_get(app->replica, app->pool, &lag);
    biq_replica_counts(app->replica, counts);
    int n = snprintf(gauges + *used, size - *used,
                     "# HELP biq_replica_up Whether the read replica answered this scrape.\n"
                     "# TYPE biq_replica_up gauge\n"
                     "biq_replica_up %d\n"
                     "# HELP biq_replica_lag_seconds Now minus the standby's last replayed"
                     " commit (0 when it has replayed all it received).\n"
                     "# TYPE biq_replica_lag_seconds gauge\n"
                     "biq_replica_lag_seconds %.3f\n"
                     "# HELP biq_replica_lag_bytes WAL the standby has not replayed (-1: unknown).\n"
                     "# TYPE biq_replica_lag_bytes gauge\n"
                     "biq_replica_lag_bytes %lld\n"
                     "# HELP biq_view_model_reads_total Project models loaded, by source and why.\n"
                     "# TYPE biq_view_model_reads_total counter\n",
                     lag.up ? 1 : 0, lag.seconds, lag.bytes);
    if (n < 0 || (size_t)n >= size - *used) {
        gauges[*used] = '\0'; /* never a cut line: the block or nothing */
        return;
    }
    *used += (size_t)n;
    for (int i = 0; i < BIQ_REPLICA_SOURCE__COUNT; i++) {
        n = snprintf(gauges + *used, size - *used, "biq_view_model_reads_total{source=\"%s\"} %llu\n",
                     biq_replica_source_name((biq_replica_source)i), counts[i]);
        if (n < 0 || (size_t)n >= size - *used) {
            gauges[*used] = '\0';
            return;
        }
        *used += (size_t)n;
    }
}

biq_err biq_handle_healthz(void *app, biq_request *req, biq_response *resp)
{
    (void)app;
    (void)req;
    biq_response_json(resp, 200, json_pack("{s:s}", "status", "ok"));
    return BIQ_OK;
}

biq_err biq_handle_readyz(void *app_ptr, biq_request *req, biq_response *resp)
{
    biq_app *app = app_ptr;
    PGconn *conn = NULL;
    int applied = 0;
    (void)req;
    biq_err err = biq_pool_acquire(app->pool, READYZ_ACQUIRE_TIMEOUT_MS, &conn);
    if (err != BIQ_OK)
        return biq_response_error(resp, BIQ_ERR_UNAVAILABLE, "database unreachable");
    err = biq_migrate_applied(conn, &applied);
    biq_pool_release(app->pool, conn);
    if (err != BIQ_OK)
        return biq_response_error(resp, BIQ_ERR_UNAVAILABLE, "cannot read schema version");
    if (applied != biq_migrate_latest())
        return biq_response_error(resp, BIQ_ERR_UNAVAILABLE,
                                  "schema version %d, this binary needs %d: run biq migrate",
                                  applied, biq_migrate_latest());
    biq_response_json(resp, 200, json_pack("{s:s,s:i}", "status", "ready", "schemaVersion", applied));
    return BIQ_OK;
}

biq_err biq_handle_metrics(void *app_ptr, biq_request *req, biq_response *resp)
{
    biq_app *app = app_ptr;
    biq_pool_stats ps;
    char gauges[GAUGES_MAX];
    char *text = NULL;

    biq_pool_stats_get(app->pool, &ps);
    snprintf(gauges, sizeof gauges,
             "# HELP biq_db_pool_connections Database pool slots by state.\n"
             "# TYPE biq_db_pool_connections gauge\n"
             "biq_db_pool_connections{state=\"size\"} %u\n"
             "biq_db_pool_connections{state=\"in_use\"} %u\n"
             "biq_db_pool_connections{state=\"open\"} %u\n"
             "# HELP biq_db_pool_events_total Pool connects, discards, acquire timeouts.\n"
             "# TYPE biq_db_pool_events_total counter\n"
             "biq_db_pool_events_total{event=\"connect\"} %llu\n"
             "biq_db_pool_events_total{event=\"discard\"} %llu\n"
             "biq_db_pool_events_total{event=\"timeout\"} %llu\n",
             ps.size, ps.in_use, ps.open, ps.connects, ps.discards, ps.timeouts);
    size_t used = strlen(gauges);
    replica_gauges(app, gauges, sizeof gauges, &used);
    if (biq_metrics_render(app->metrics, gauges, &text) != BIQ_OK)
        return biq_response_error(resp, BIQ_ERR_NOMEM, "cannot render metrics");
    /* Copy into the request arena so the text dies with the request. */
    resp->text = biq_arena_strdup(req->arena, text);
    free(text);
    if (resp->text == NULL)
        return biq_response_error(resp, BIQ_ERR_NOMEM, "cannot render metrics");
    resp->text_len = strlen(resp->text);
    resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
    resp->status = 200;
    return BIQ_OK;
}
