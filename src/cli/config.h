/* config.h - the server's configuration, read from environment variables.
 *
 * Every variable is documented in README.md. Secrets (database URLs, API
 * keys) may instead come from a file named by the same variable with a
 * _FILE suffix, so they never need to appear in a process listing or in
 * the repository. Values are validated here; a wrong one is an error whose
 * message names the variable and the rule.
 */
#ifndef BIQ_CONFIG_H
#define BIQ_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "common/log.h"

enum {
    BIQ_CONFIG_URL_MAX = 2048,      /* a database URL or a file path */
    BIQ_CONFIG_NAME_MAX = 63,       /* a PostgreSQL identifier */
    BIQ_CONFIG_HOST_MAX = 255,
    BIQ_CONFIG_SECRET_FILE_MAX = 4096,
    BIQ_CONFIG_WORKERS_DEFAULT = 8,
    BIQ_CONFIG_WORKERS_MAX = 64,
    BIQ_CONFIG_POOL_MAX = 256,
    BIQ_CONFIG_PORT_DEFAULT = 8080,
    BIQ_CONFIG_METRICS_PORT_DEFAULT = 9090, /* BIQ_METRICS_LISTEN, on 127.0.0.1 */
    BIQ_CONFIG_SWEEP_DEFAULT_S = 3600,
    BIQ_CONFIG_SWEEP_MAX_S = 86400,
    BIQ_CONFIG_PROJECT_CACHE_MB_DEFAULT = 512,
    BIQ_CONFIG_PROJECT_CACHE_MB_MAX = 1024 * 1024, /* 1 TiB: a typo guard, not a sizing */
};

typedef struct biq_config {
    char database_url[BIQ_CONFIG_URL_MAX + 1];         /* BIQ_DATABASE_URL: the app role */
    char migrate_database_url[BIQ_CONFIG_URL_MAX + 1]; /* BIQ_MIGRATE_DATABASE_URL: the owner */
    char app_role[BIQ_CONFIG_NAME_MAX + 1];            /* BIQ_APP_ROLE, default biq_app */
    char app_id[BIQ_CONFIG_URL_MAX + 1];               /* BIQ_APP_ID: expected token audience */
    char jwks_file[BIQ_CONFIG_URL_MAX + 1];            /* BIQ_JWKS_FILE */
    char jwks_url[BIQ_CONFIG_URL_MAX + 1];             /* BIQ_JWKS_URL, optional */
    char listen_host[BIQ_CONFIG_HOST_MAX + 1];         /* BIQ_LISTEN host, default 127.0.0.1 */
    unsigned listen_port;                              /* BIQ_LISTEN port, 0 = any free port */
    char metrics_host[BIQ_CONFIG_HOST_MAX + 1];        /* BIQ_METRICS_LISTEN host, 127.0.0.1 */
    unsigned metrics_port;                             /* its port, 0 = any free port */
    unsigned workers;                                  /* BIQ_WORKERS */
    unsigned db_pool_size;                             /* BIQ_DB_POOL_SIZE, default = workers */
    biq_log_level log_level;                           /* BIQ_LOG_LEVEL */
    /* AI explanations, all optional: no key means template sentences. */
    char anthropic_api_key[BIQ_CONFIG_SECRET_FILE_MAX + 1]; /* BIQ_ANTHROPIC_API_KEY(_FILE) */
    char anthropic_url[BIQ_CONFIG_URL_MAX + 1];        /* BIQ_ANTHROPIC_URL */
    char anthropic_model[BIQ_CONFIG_NAME_MAX + 1];     /* BIQ_ANTHROPIC_MODEL */
    /* Alert delivery, all optional. */
    char alert_hosts_extra[BIQ_CONFIG_URL_MAX + 1];    /* BIQ_ALERT_HOSTS_EXTRA: host:port,... */
    char smtp_url[BIQ_CONFIG_URL_MAX + 1];             /* BIQ_SMTP_URL(_FILE): smtp(s)://... */
    char smtp_from[BIQ_CONFIG_HOST_MAX + 1];           /* BIQ_SMTP_FROM, required with SMTP */
    unsigned alert_sweep_s;                            /* BIQ_ALERT_SWEEP_SECONDS, default 3600 */
    unsigned project_cache_mb;                         /* BIQ_PROJECT_CACHE_MB, 0 = off */
    char read_database_url[BIQ_CONFIG_URL_MAX + 1];    /* BIQ_DATABASE_READ_URL(_FILE): "" none */
} biq_config;

/* What a command needs: the variables that must be present. */
typedef enum biq_config_need {
    BIQ_CONFIG_FOR_SERVE = 1,
    BIQ_CONFIG_FOR_MIGRATE = 2,
} biq_config_need;

/* Looks a variable up; returns NULL when unset. Lets tests inject values. */
typedef const char *(*biq_getenv_fn)(const char *name, void *ctx);

/* Fills cfg from the environment seen through getenv_fn (NULL: the process
 * environment). On failure returns BIQ_ERR_CONFIG with a message naming the
 * variable in why (always NUL-terminated). Reads secret files; no other I/O.
 * Thread-safe if getenv_fn is. */
biq_err biq_config_load(biq_config *cfg, biq_config_need need, biq_getenv_fn getenv_fn,
                        void *ctx, char *why, size_t why_len);

#endif
