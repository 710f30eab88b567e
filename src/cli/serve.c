/* serve.c - `biq serve`: wires configuration, key ring, pool, metrics and
 * the HTTP servers together, then waits for signals: SIGHUP reloads the
 * JWKS file, SIGTERM/SIGINT drain the requests in flight and exit.
 *
 * Two listeners share the one route table: BIQ_LISTEN serves the API (all
 * but /metrics), BIQ_METRICS_LISTEN (loopback by default) serves only
 * /metrics, /healthz and /readyz, for the operator's scraper. */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/app.h"
#include "cli/commands.h"
#include "cli/config.h"
#include "alerts/deliver.h"
#include "alerts/worker.h"
#include "explain/breaker.h"
#include "explain/explain.h"
#include "ingest/ingest.h"

enum {
    WHY_MAX = 1024,
    /* The dashboard cache: a few hundred project-window answers of a few
     * hundred kB each at most. */
    DASHBOARD_CACHE_ENTRIES = 512,
    DASHBOARD_CACHE_BYTES = 64 * 1024 * 1024,
    MIB = 1024 * 1024,
    METRICS_WORKERS = 1, /* one scraper, a few probes */
};

static int64_t real_clock(void)
{
    return (int64_t)time(NULL);
}

/* BIQ_FLOW_CLOCK=2024-01-01T00:00:00Z pins the clock the flow metrics are
 * computed at, so that a server's reports can be compared byte for byte
 * with `biq analyze --now` (demos, tests). It never affects token checks:
 * those keep app->clock, the real clock. Unset or empty: the real clock. */
static biq_err flow_clock(biq_app *app, char *why, size_t why_len)
{
    const char *v = getenv("BIQ_FLOW_CLOCK");
    biq_ms at = 0;
    app->flow_clock.now_ms = biq_clock_real_ms;
    if (v == NULL || v[0] == '\0')
        return BIQ_OK;
    if (biq_parse_instant(v, strlen(v), &at) != BIQ_OK || at <= 0) {
        snprintf(why, why_len, "BIQ_FLOW_CLOCK: expected an instant such as 2024-01-01T00:00:00Z");
        return BIQ_ERR_CONFIG;
    }
    app->flow_clock.pinned_ms = at;
    biq_log_write(app->log, BIQ_LOG_WARN,
                  "metrics clock pinned by BIQ_FLOW_CLOCK; tokens still use the real clock",
                  json_pack("{s:s}", "at", v));
    return BIQ_OK;
}

/* Signals are taken synchronously by sigwait() in the main thread: the
 * mask is set before any thread starts, so every thread inherits it. */
static void block_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static void reload_keys(biq_app *app)
{
    char why[WHY_MAX];
    if (biq_keyring_reload(app->keys, why, sizeof why) == BIQ_OK) {
        biq_metrics_add(app->metrics, BIQ_COUNTER_JWKS_RELOADS, 1);
        biq_log_write(app->log, BIQ_LOG_INFO, "jwks reloaded",
                      json_pack("{s:I}", "keys", (json_int_t)biq_keyring_count(app->keys)));
    } else {
        biq_metrics_add(app->metrics, BIQ_COUNTER_JWKS_RELOAD_FAILURES, 1);
        biq_log_write(app->log, BIQ_LOG_ERROR, "jwks reload failed, keeping the previous keys",
                      json_pack("{s:s}", "reason", why));
    }
}

/* Routes of the metrics listener; the API listener serves the others,
 * plus /healthz and /readyz (a load balancer's probes). */
static const char *const OPS_ROUTES[] = {"/metrics", "/healthz", "/readyz"};
static const char METRICS_ROUTE[] = "/metrics";

static bool is_ops_route(const biq_route *r)
{
    for (size_t i = 0; i < sizeof OPS_ROUTES / sizeof OPS_ROUTES[0]; i++) {
        if (strcmp(r->method, "GET") == 0 && strcmp(r->pattern, OPS_ROUTES[i]) == 0)
            return true;
    }
    return false;
}

/* Fills the two listeners' route flags (n_routes each). */
static void split_routes(const biq_route *routes, size_t n_routes, bool *api, bool *ops)
{
    for (size_t i = 0; i < n_routes; i++) {
        ops[i] = is_ops_route(&routes[i]);
        api[i] = strcmp(routes[i].pattern, METRICS_ROUTE) != 0;
    }
}

static int wait_for_shutdown(biq_app *app, biq_server *server, const sigset_t *set)
{
    for (;;) {
        int sig = 0;
        if (sigwait(set, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            reload_keys(app);
            continue;
        }
        biq_log_write(app->log, BIQ_LOG_INFO, "draining",
                      json_pack("{s:i}", "in_flight", (int)biq_server_in_flight(server)));
        unsigned left = biq_server_drain(server, BIQ_HTTP_DRAIN_TIMEOUT_MS);
        biq_log_write(app->log, left == 0 ? BIQ_LOG_INFO : BIQ_LOG_WARN, "stopped",
                      json_pack("{s:i}", "abandoned", (int)left));
        return left == 0 ? 0 : 1;
    }
}

static biq_err start(const biq_config *cfg, biq_app *app, biq_server **server,
                     biq_server **metrics_server, bool **serves, char *why, size_t why_len)
{
    size_t n_routes, n_counters, n_reasons;
    const biq_route *routes = biq_api_routes(&n_routes);
    const char *const *counters = biq_api_counter_names(&n_counters);
    const char *const *reasons = biq_api_reason_names(&n_reasons);
    biq_err err = flow_clock(app, why, why_len);
    if (err == BIQ_OK)
        err = biq_keyring_new(cfg->jwks_file, &app->keys, why, why_len);
    if (err == BIQ_OK && cfg->jwks_url[0] != '\0')
        err = biq_jwks_fetcher_new(cfg->jwks_url, app->keys, &app->jwks_fetcher, why, why_len);
    if (err != BIQ_OK)
        return err;
    if ((app->dashboards = biq_cache_new(DASHBOARD_CACHE_ENTRIES, DASHBOARD_CACHE_BYTES)) == NULL)
        return BIQ_ERR_NOMEM;
    if (cfg->project_cache_mb > 0 &&
        (app->projects = biq_project_cache_new(
             BIQ_PROJECT_CACHE_ENTRIES, (size_t)cfg->project_cache_mb * MIB,
             BIQ_PROJECT_CACHE_ARENA_LIMIT, BIQ_PROJECT_CACHE_WAIT_MS)) == NULL)
        return BIQ_ERR_NOMEM;
    if ((err = biq_pool_new(cfg->database_url, cfg->db_pool_size, app->log, &app->pool)) != BIQ_OK)
        return err;
    if (cfg->read_database_url[0] != '\0' &&
        (err = biq_replica_new(cfg->read_database_url, cfg->db_pool_size, app->log,
                               &app->replica)) != BIQ_OK)
        return err;
    app->metrics = biq_metrics_new(routes, n_routes, reasons, n_reasons, counters, n_counters);
    if (app->metrics == NULL)
        return BIQ_ERR_NOMEM;
    biq_metrics_set_cache_probe(app->metrics, biq_api_cache_probe, app);
    if ((*serves = calloc(2 * n_routes, sizeof **serves)) == NULL)
        return BIQ_ERR_NOMEM;
    split_routes(routes, n_routes, *serves, *serves + n_routes);
    biq_server_config scfg = {
        .host = cfg->listen_host, .port = cfg->listen_port, .workers = cfg->workers,
        .routes = routes, .n_routes = n_routes, .app = app,
        .authenticate = biq_api_authenticate, .log = app->log, .metrics = app->metrics,
        .serves = *serves, .name = "BIQ_LISTEN",
    };
    biq_server_config mcfg = scfg;
    mcfg.host = cfg->metrics_host;
    mcfg.port = cfg->metrics_port;
    mcfg.workers = METRICS_WORKERS;
    mcfg.serves = *serves + n_routes;
    mcfg.name = "BIQ_METRICS_LISTEN";
    biq_err err2 = biq_server_start(&scfg, server, why, why_len);
    if (err2 != BIQ_OK)
        return err2;
    return biq_server_start(&mcfg, metrics_server, why, why_len);
}

int biq_cli_serve(int argc, char **argv)
{
    biq_config cfg;
    biq_app app = {0};
    biq_explain_config explain;
    biq_alerts_config alerts;
    biq_server *server = NULL, *metrics_server = NULL;
    bool *serves = NULL;
    char why[WHY_MAX] = "";
    sigset_t set;
    int status = 1;
    (void)argv;

    if (argc != 0) {
        fprintf(stderr, "usage: biq serve   (configured by BIQ_* variables, see README.md)\n");
        return 2;
    }
    if (biq_config_load(&cfg, BIQ_CONFIG_FOR_SERVE, NULL, NULL, why, sizeof why) != BIQ_OK) {
        fprintf(stderr, "biq serve: configuration: %s\n", why);
        return 1;
    }
    if (biq_explain_config_init(&explain, cfg.anthropic_api_key, cfg.anthropic_url,
                                cfg.anthropic_model) != BIQ_OK) {
        fprintf(stderr, "biq serve: configuration: BIQ_ANTHROPIC_*: value too long\n");
        return 1;
    }
    app.explain = &explain;
    if (biq_alerts_config_init(&alerts, cfg.alert_hosts_extra, cfg.smtp_url, cfg.smtp_from) !=
        BIQ_OK) {
        fprintf(stderr, "biq serve: configuration: BIQ_ALERT_HOSTS_EXTRA or BIQ_SMTP_*: too long\n");
        return 1;
    }
    app.alerts = &alerts;
    block_signals(&set);
    app.app_id = cfg.app_id;
    app.clock = real_clock;
    app.log = biq_log_new(stdout, cfg.log_level);
    biq_err err = app.log != NULL ? biq_explain_breaker_new(&app.explain_breaker) : BIQ_ERR_NOMEM;
    if (err == BIQ_OK)
        err = start(&cfg, &app, &server, &metrics_server, &serves, why, sizeof why);
    if (err != BIQ_OK) {
        fprintf(stderr, "biq serve: %s: %s\n", biq_strerror(err), why);
        goto out;
    }
    biq_alerts_env alerts_env = biq_api_alerts_env(&app);
    if (biq_alert_worker_start(&alerts_env, cfg.alert_sweep_s, &app.alert_worker) != BIQ_OK) {
        fprintf(stderr, "biq serve: cannot start the alert thread\n");
        goto out;
    }
    biq_log_write(app.log, BIQ_LOG_INFO, "listening",
                  json_pack("{s:s,s:i,s:s,s:i,s:i,s:i,s:i}", "host", cfg.listen_host, "port",
                            (int)biq_server_port(server), "metrics_host", cfg.metrics_host,
                            "metrics_port", (int)biq_server_port(metrics_server), "workers",
                            (int)cfg.workers, "db_pool", (int)cfg.db_pool_size,
                            "project_cache_mb", (int)cfg.project_cache_mb));
    status = wait_for_shutdown(&app, server, &set);
out:
    biq_server_stop(metrics_server);
    biq_server_stop(server);
    free(serves);
    biq_alert_worker_stop(app.alert_worker);
    biq_metrics_free(app.metrics);
    biq_cache_free(app.dashboards);
    biq_project_cache_free(app.projects);
    biq_replica_free(app.replica);
    biq_pool_free(app.pool);
    biq_jwks_fetcher_free(app.jwks_fetcher);
    biq_keyring_free(app.keys);
    biq_log_free(app.log);
    biq_explain_breaker_free(app.explain_breaker);
    explicit_bzero(&explain, sizeof explain);
    explicit_bzero(&alerts, sizeof alerts);
    explicit_bzero(&cfg, sizeof cfg);
    return status;
}
