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

#include "auth/keyring.h"
#include "common/log.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "store/pool.h"

/* Event counters exported in /metrics (biq_events_total{kind=...}). */
typedef enum biq_counter {
    BIQ_COUNTER_INSTALLS,
    BIQ_COUNTER_UNINSTALLS,
    BIQ_COUNTER_LIFECYCLE_IGNORED,
    BIQ_COUNTER_JWKS_RELOADS,
    BIQ_COUNTER_JWKS_RELOAD_FAILURES,
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
    biq_log *log;
    biq_metrics *metrics;
    /* Seconds since the epoch for token checks; the real clock in the
     * server, a fixed one where handlers are tested directly. */
    int64_t (*clock)(void);
} biq_app;

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
