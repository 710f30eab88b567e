/* serve.c - `biq serve`: wires configuration, key ring, pool, metrics and
 * the HTTP server together, then waits for signals: SIGHUP reloads the
 * JWKS file, SIGTERM/SIGINT drain the requests in flight and exit. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "api/app.h"
#include "cli/commands.h"
#include "cli/config.h"

enum { WHY_MAX = 1024 };

static int64_t real_clock(void)
{
    return (int64_t)time(NULL);
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

static biq_err start(const biq_config *cfg, biq_app *app, biq_server **server, char *why,
                     size_t why_len)
{
    size_t n_routes, n_counters, n_reasons;
    const biq_route *routes = biq_api_routes(&n_routes);
    const char *const *counters = biq_api_counter_names(&n_counters);
    const char *const *reasons = biq_api_reason_names(&n_reasons);
    biq_err err = biq_keyring_new(cfg->jwks_file, &app->keys, why, why_len);
    if (err != BIQ_OK)
        return err;
    if ((err = biq_pool_new(cfg->database_url, cfg->db_pool_size, app->log, &app->pool)) != BIQ_OK)
        return err;
    app->metrics = biq_metrics_new(routes, n_routes, reasons, n_reasons, counters, n_counters);
    if (app->metrics == NULL)
        return BIQ_ERR_NOMEM;
    biq_server_config scfg = {
        .host = cfg->listen_host, .port = cfg->listen_port, .workers = cfg->workers,
        .routes = routes, .n_routes = n_routes, .app = app,
        .authenticate = biq_api_authenticate, .log = app->log, .metrics = app->metrics,
    };
    return biq_server_start(&scfg, server, why, why_len);
}

int biq_cli_serve(int argc, char **argv)
{
    biq_config cfg;
    biq_app app = {0};
    biq_server *server = NULL;
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
    block_signals(&set);
    app.app_id = cfg.app_id;
    app.clock = real_clock;
    app.log = biq_log_new(stdout, cfg.log_level);
    biq_err err = app.log != NULL ? start(&cfg, &app, &server, why, sizeof why) : BIQ_ERR_NOMEM;
    if (err != BIQ_OK) {
        fprintf(stderr, "biq serve: %s: %s\n", biq_strerror(err), why);
        goto out;
    }
    biq_log_write(app.log, BIQ_LOG_INFO, "listening",
                  json_pack("{s:s,s:i,s:i,s:i}", "host", cfg.listen_host, "port",
                            (int)biq_server_port(server), "workers", (int)cfg.workers,
                            "db_pool", (int)cfg.db_pool_size));
    status = wait_for_shutdown(&app, server, &set);
out:
    biq_server_stop(server);
    biq_metrics_free(app.metrics);
    biq_pool_free(app.pool);
    biq_keyring_free(app.keys);
    biq_log_free(app.log);
    return status;
}
