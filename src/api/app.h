/* app.h - the application context the HTTP handlers run in, and the route
 * table of the API (api.md).
 *
 * Created by `biq serve` (cli/serve.c) from the configuration and owned by
 * it; handlers get it as their app argument and only read it (the objects
 * it points to are thread-safe themselves).
 */
#ifndef BIQ_API_APP_H
#define BIQ_API_APP_H

#include <stddef.h>
#include <stdint.h>

#include "alerts/evaluate.h"
#include "auth/jwks_fetch.h"
#include "auth/keyring.h"
#include "common/clock.h"
#include "common/log.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "store/pool.h"
#include "store/replica.h"
#include "views/open.h"

/* Event counters exported in /metrics (biq_events_total{kind=...}). */
typedef enum biq_counter {
    BIQ_COUNTER_INSTALLS,
    BIQ_COUNTER_UNINSTALLS,
    BIQ_COUNTER_LIFECYCLE_IGNORED,
    BIQ_COUNTER_JWKS_RELOADS,
    BIQ_COUNTER_JWKS_RELOAD_FAILURES,
    BIQ_COUNTER_JWKS_FETCHES,
    BIQ_COUNTER_INGEST_EVENTS,
    BIQ_COUNTER_INGEST_IGNORED,
    BIQ_COUNTER_INGEST_REJECTED,
    BIQ_COUNTER_INGEST_RESTRICTED,
    BIQ_COUNTER_INGEST_PAGES,
    BIQ_COUNTER_INGEST_TRANSITIONS,
    BIQ_COUNTER__COUNT
} biq_counter;

typedef struct biq_app {
    const char *app_id;     /* expected token audience */
    biq_pool *pool;
    biq_keyring *keys;
    biq_jwks_fetcher *jwks_fetcher; /* NULL unless BIQ_JWKS_URL is set */
    biq_log *log;
    biq_metrics *metrics;
    /* Seconds since the epoch for token checks; the real clock in the
     * server, a fixed one where handlers are tested directly. */
    int64_t (*clock)(void);
    /* The flow metrics' clock ("now" of open slices and windows), real or
     * pinned by BIQ_FLOW_CLOCK (common/clock.h). Never used for token
     * checks, which keep clock(). */
    biq_clock flow_clock;
    /* Computed dashboards (views/lru.h); NULL disables caching. */
    biq_cache *dashboards;
    /* Loaded projects shared by the views (views/project_cache.h); NULL:
     * every view loads its project in its own transaction. */
    biq_project_cache *projects;
    /* The Messages API for AI explanations (explain/explain.h); NULL or
     * without a key: template sentences only. */
    const struct biq_explain_config *explain;
    /* Stops calling a failing Messages API for a while (explain/breaker.h);
     * NULL: always call. */
    struct biq_explain_breaker *explain_breaker;
    /* Alert delivery (alerts/deliver.h); NULL: no e-mail, no extra hosts. */
    const struct biq_alerts_config *alerts;
    /* Alert evaluation thread (alerts/worker.h); NULL: none runs. */
    struct biq_alert_worker *alert_worker;
    /* The read replica the views load models from (store/replica.h,
     * BIQ_DATABASE_READ_URL); NULL: the primary alone. */
    biq_replica *replica;
} biq_app;

/* The instant the flow metrics are computed at: biq_clock_now of
 * app->flow_clock. */
int64_t biq_api_flow_now(const biq_app *app);

/* What the project views need of app (views/open.h): its pool, caches
 * and flow clock, borrowed from app. */
biq_views_env biq_api_views_env(const biq_app *app);

/* What the alert runs need of app (alerts/evaluate.h): its pool, log,
 * delivery configuration and flow clock, borrowed from app. */
biq_alerts_env biq_api_alerts_env(const biq_app *app);

/* The wording of a failed tenant transaction, the one place for it:
 * BIQ_ERR_NOT_FOUND is an installation not registered yet
 * (BIQ_API_NOT_REGISTERED), any other err "could not <doing>". Sets the
 * error on resp and returns err. */
#define BIQ_API_NOT_REGISTERED "this installation is not registered yet"
biq_err biq_api_tx_failed(biq_response *resp, biq_err err, const char *doing);

/* The metrics registry's cache probe (biq_metrics_cache_probe): fills
 * *out from the caches of app (a biq_app; absent caches read as zero).
 * Thread-safe. */
void biq_api_cache_probe(void *app, biq_metrics_caches *out);

/* The route table: static, read-only. */
const biq_route *biq_api_routes(size_t *n_routes);

/* Event counter names and auth reason names, as metric labels (static
 * arrays). */
const char *const *biq_api_counter_names(size_t *n);
const char *const *biq_api_reason_names(size_t *n);

/* The server's authenticate callback (see http/server.h): verifies the
 * Authorization header against app->keys at app->clock(). */
biq_err biq_api_authenticate(void *app, const char *value, unsigned count, biq_tenant_ctx *out,
                             size_t *reason);

#endif
