/* config.c - environment variables to a validated biq_config (see config.h). */
#include "cli/config.h"

#include "explain/explain.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct env {
    biq_getenv_fn get;
    void *ctx;
    char *why;
    size_t why_len;
};

static const char *process_getenv(const char *name, void *ctx)
{
    (void)ctx;
    return getenv(name);
}

static biq_err fail(struct env *env, const char *name, const char *rule)
{
    snprintf(env->why, env->why_len, "%s: %s", name, rule);
    return BIQ_ERR_CONFIG;
}

static const char *lookup(struct env *env, const char *name)
{
    const char *v = env->get(name, env->ctx);
    return (v != NULL && v[0] != '\0') ? v : NULL;
}

static biq_err copy_value(struct env *env, const char *name, const char *value, char *dst,
                          size_t dst_size)
{
    size_t len = strlen(value);
    if (len >= dst_size)
        return fail(env, name, "value too long");
    memcpy(dst, value, len + 1);
    return BIQ_OK;
}

/* Reads a secret from the file named by NAME_FILE: bounded, one value,
 * trailing newlines removed. A file that other users may read or write
 * (mode o+r or o+w) is refused: a secret must be readable by its owner
 * (and group) only. */
static biq_err read_secret_file(struct env *env, const char *name, const char *path, char *dst,
                                size_t dst_size)
{
    biq_err err = BIQ_OK;
    char buf[BIQ_CONFIG_SECRET_FILE_MAX + 1];
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(env->why, env->why_len, "%s_FILE: cannot open %s: %s", name, path,
                 strerror(errno));
        return BIQ_ERR_CONFIG;
    }
    struct stat st = {0};
    if (fstat(fileno(f), &st) != 0 || (st.st_mode & (S_IROTH | S_IWOTH)) != 0) {
        snprintf(env->why, env->why_len,
                 "%s_FILE: %s is readable or writable by other users (mode %04o); "
                 "chmod o-rwx it",
                 name, path, (unsigned)(st.st_mode & 07777));
        err = BIQ_ERR_CONFIG;
        goto out;
    }
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    if (!feof(f)) {
        snprintf(env->why, env->why_len, "%s_FILE: file larger than %d bytes", name,
                 BIQ_CONFIG_SECRET_FILE_MAX - 1);
        err = BIQ_ERR_CONFIG;
        goto out;
    }
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    buf[n] = '\0';
    if (n == 0 || memchr(buf, '\0', n) != NULL) {
        snprintf(env->why, env->why_len, "%s_FILE: file is empty or not text", name);
        err = BIQ_ERR_CONFIG;
        goto out;
    }
    err = copy_value(env, name, buf, dst, dst_size);
out:
    fclose(f);
    return err;
}

/* A secret comes from NAME or from the file named by NAME_FILE, not both. */
static biq_err load_secret(struct env *env, const char *name, bool required, char *dst,
                           size_t dst_size)
{
    char file_var[64];
    snprintf(file_var, sizeof file_var, "%s_FILE", name);
    const char *direct = lookup(env, name);
    const char *path = lookup(env, file_var);
    dst[0] = '\0';
    if (direct != NULL && path != NULL)
        return fail(env, name, "set either it or its _FILE variant, not both");
    if (path != NULL)
        return read_secret_file(env, name, path, dst, dst_size);
    if (direct != NULL)
        return copy_value(env, name, direct, dst, dst_size);
    return required ? fail(env, name, "required but not set") : BIQ_OK;
}

static biq_err load_plain(struct env *env, const char *name, const char *fallback,
                          char *dst, size_t dst_size)
{
    const char *v = lookup(env, name);
    if (v == NULL && fallback == NULL)
        return fail(env, name, "required but not set");
    return copy_value(env, name, v != NULL ? v : fallback, dst, dst_size);
}

static biq_err parse_uint(struct env *env, const char *name, unsigned fallback, unsigned min,
                          unsigned max, unsigned *out)
{
    const char *v = lookup(env, name);
    if (v == NULL) {
        *out = fallback;
        return BIQ_OK;
    }
    char *end = NULL;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || n < (long long)min || n > (long long)max) {
        snprintf(env->why, env->why_len, "%s: expected an integer from %u to %u, got '%.32s'",
                 name, min, max, v);
        return BIQ_ERR_CONFIG;
    }
    *out = (unsigned)n;
    return BIQ_OK;
}

/* A PostgreSQL role name we are willing to quote into GRANT statements. */
static bool is_plain_identifier(const char *s)
{
    if (!(islower((unsigned char)s[0]) || s[0] == '_'))
        return false;
    for (const char *p = s; *p != '\0'; p++) {
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_'))
            return false;
    }
    return true;
}

/* BIQ_LISTEN (and BIQ_METRICS_LISTEN) is HOST:PORT or :PORT; IPv6 hosts
 * go in brackets. Unset: 127.0.0.1 and fallback_port. */
static biq_err parse_listen(struct env *env, const char *name, unsigned fallback_port,
                            char *host_out, size_t host_size, unsigned *port_out)
{
    const char *v = lookup(env, name);
    if (v == NULL) {
        snprintf(host_out, host_size, "127.0.0.1");
        *port_out = fallback_port;
        return BIQ_OK;
    }
    const char *colon = strrchr(v, ':');
    if (colon == NULL)
        return fail(env, name, "expected HOST:PORT");
    const char *host = v;
    size_t host_len = (size_t)(colon - v);
    if (host_len >= 2 && host[0] == '[' && host[host_len - 1] == ']') {
        host++;
        host_len -= 2;
    }
    if (host_len == 0) {
        host = "0.0.0.0";
        host_len = strlen(host);
    }
    if (host_len >= host_size)
        return fail(env, name, "host too long");
    memcpy(host_out, host, host_len);
    host_out[host_len] = '\0';
    char *end = NULL;
    errno = 0;
    long long port = strtoll(colon + 1, &end, 10);
    if (errno != 0 || end == colon + 1 || *end != '\0' || port < 0 || port > 65535)
        return fail(env, name, "port must be a number from 0 to 65535");
    *port_out = (unsigned)port;
    return BIQ_OK;
}

/* https anywhere; plain http only to the loopback address (a local fake in
 * tests), so the key never crosses a network in clear. */
static bool acceptable_api_url(const char *url)
{
    static const char *const OK_PREFIXES[] = {"https://", "http://127.0.0.1:", "http://127.0.0.1/",
                                              "http://[::1]:", "http://localhost:"};
    for (size_t i = 0; i < sizeof OK_PREFIXES / sizeof OK_PREFIXES[0]; i++) {
        if (strncmp(url, OK_PREFIXES[i], strlen(OK_PREFIXES[i])) == 0)
            return url[strlen(OK_PREFIXES[i])] != '\0';
    }
    return false;
}

static bool is_model_name(const char *s)
{
    for (const char *p = s; *p != '\0'; p++) {
        if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '.' || *p == '_'))
            return false;
    }
    return s[0] != '\0';
}

static biq_err load_anthropic(struct env *env, biq_config *cfg)
{
    biq_err err = load_secret(env, "BIQ_ANTHROPIC_API_KEY", false, cfg->anthropic_api_key,
                              sizeof cfg->anthropic_api_key);
    if (err != BIQ_OK)
        return err;
    if ((err = load_plain(env, "BIQ_ANTHROPIC_URL", BIQ_EXPLAIN_DEFAULT_URL,
                          cfg->anthropic_url, sizeof cfg->anthropic_url)) != BIQ_OK)
        return err;
    if (!acceptable_api_url(cfg->anthropic_url))
        return fail(env, "BIQ_ANTHROPIC_URL", "expected an https:// URL (http:// only to loopback)");
    if ((err = load_plain(env, "BIQ_ANTHROPIC_MODEL", BIQ_EXPLAIN_DEFAULT_MODEL, cfg->anthropic_model,
                          sizeof cfg->anthropic_model)) != BIQ_OK)
        return err;
    if (!is_model_name(cfg->anthropic_model))
        return fail(env, "BIQ_ANTHROPIC_MODEL", "expected a model id ([A-Za-z0-9._-]+)");
    return BIQ_OK;
}

/* BIQ_ALERT_HOSTS_EXTRA admits plain http to these host:port entries: meant
 * for local fakes, so anything but a loopback host is refused. */
static bool loopback_entries(const char *list)
{
    static const char *const HOSTS[] = {"127.0.0.1:", "localhost:", "[::1]:"};
    for (const char *p = list; *p != '\0';) {
        size_t len = strcspn(p, ",");
        bool ok = false;
        for (size_t i = 0; i < sizeof HOSTS / sizeof HOSTS[0] && !ok; i++) {
            size_t n = strlen(HOSTS[i]);
            ok = len > n && strncmp(p, HOSTS[i], n) == 0 && strspn(p + n, "0123456789") == len - n;
        }
        if (!ok)
            return false;
        p += len + (p[len] == ',');
    }
    return true;
}

static biq_err load_alerts(struct env *env, biq_config *cfg)
{
    biq_err err = load_plain(env, "BIQ_ALERT_HOSTS_EXTRA", "", cfg->alert_hosts_extra,
                             sizeof cfg->alert_hosts_extra);
    if (err != BIQ_OK)
        return err;
    if (!loopback_entries(cfg->alert_hosts_extra))
        return fail(env, "BIQ_ALERT_HOSTS_EXTRA",
                    "expected loopback host:port entries separated by commas (tests only)");
    if ((err = load_secret(env, "BIQ_SMTP_URL", false, cfg->smtp_url, sizeof cfg->smtp_url)) !=
        BIQ_OK)
        return err;
    if (cfg->smtp_url[0] != '\0' && strncmp(cfg->smtp_url, "smtp://", 7) != 0 &&
        strncmp(cfg->smtp_url, "smtps://", 8) != 0)
        return fail(env, "BIQ_SMTP_URL", "expected smtp:// or smtps://");
    if ((err = load_plain(env, "BIQ_SMTP_FROM", "", cfg->smtp_from, sizeof cfg->smtp_from)) !=
        BIQ_OK)
        return err;
    if (cfg->smtp_url[0] != '\0' && strchr(cfg->smtp_from, '@') == NULL)
        return fail(env, "BIQ_SMTP_FROM", "an e-mail address is required with BIQ_SMTP_URL");
    if (strpbrk(cfg->smtp_from, "\r\n<>") != NULL)
        return fail(env, "BIQ_SMTP_FROM", "expected a plain e-mail address");
    return parse_uint(env, "BIQ_ALERT_SWEEP_SECONDS", BIQ_CONFIG_SWEEP_DEFAULT_S, 1,
                      BIQ_CONFIG_SWEEP_MAX_S, &cfg->alert_sweep_s);
}

static biq_err load_serve(struct env *env, biq_config *cfg)
{
    biq_err err;
    if ((err = load_secret(env, "BIQ_DATABASE_URL", true, cfg->database_url,
                           sizeof cfg->database_url)) != BIQ_OK)
        return err;
    if ((err = load_plain(env, "BIQ_APP_ID", NULL, cfg->app_id, sizeof cfg->app_id)) != BIQ_OK)
        return err;
    if (strncmp(cfg->app_id, "ari:cloud:ecosystem::app/", 25) != 0 || cfg->app_id[25] == '\0')
        return fail(env, "BIQ_APP_ID", "expected ari:cloud:ecosystem::app/<uuid>");
    if ((err = load_plain(env, "BIQ_JWKS_FILE", NULL, cfg->jwks_file,
                          sizeof cfg->jwks_file)) != BIQ_OK)
        return err;
    if ((err = load_plain(env, "BIQ_JWKS_URL", "", cfg->jwks_url, sizeof cfg->jwks_url)) != BIQ_OK)
        return err;
    if ((err = parse_listen(env, "BIQ_LISTEN", BIQ_CONFIG_PORT_DEFAULT, cfg->listen_host,
                            sizeof cfg->listen_host, &cfg->listen_port)) != BIQ_OK)
        return err;
    if ((err = parse_listen(env, "BIQ_METRICS_LISTEN", BIQ_CONFIG_METRICS_PORT_DEFAULT,
                            cfg->metrics_host, sizeof cfg->metrics_host, &cfg->metrics_port)) !=
        BIQ_OK)
        return err;
    if (strcmp(cfg->metrics_host, cfg->listen_host) == 0 &&
        cfg->metrics_port == cfg->listen_port && cfg->listen_port != 0)
        return fail(env, "BIQ_METRICS_LISTEN", "must differ from BIQ_LISTEN");
    if ((err = parse_uint(env, "BIQ_WORKERS", BIQ_CONFIG_WORKERS_DEFAULT, 1,
                          BIQ_CONFIG_WORKERS_MAX, &cfg->workers)) != BIQ_OK)
        return err;
    if ((err = load_anthropic(env, cfg)) != BIQ_OK || (err = load_alerts(env, cfg)) != BIQ_OK)
        return err;
    if ((err = parse_uint(env, "BIQ_PROJECT_CACHE_MB", BIQ_CONFIG_PROJECT_CACHE_MB_DEFAULT, 0,
                          BIQ_CONFIG_PROJECT_CACHE_MB_MAX, &cfg->project_cache_mb)) != BIQ_OK)
        return err;
    if ((err = load_secret(env, "BIQ_DATABASE_READ_URL", false, cfg->read_database_url,
                           sizeof cfg->read_database_url)) != BIQ_OK)
        return err;
    return parse_uint(env, "BIQ_DB_POOL_SIZE", cfg->workers, 1, BIQ_CONFIG_POOL_MAX,
                      &cfg->db_pool_size);
}

biq_err biq_config_load(biq_config *cfg, biq_config_need need, biq_getenv_fn getenv_fn,
                        void *ctx, char *why, size_t why_len)
{
    struct env env = {getenv_fn != NULL ? getenv_fn : process_getenv, ctx, why, why_len};
    biq_err err;

    memset(cfg, 0, sizeof *cfg);
    why[0] = '\0';
    if ((err = load_plain(&env, "BIQ_APP_ROLE", "biq_app", cfg->app_role,
                          sizeof cfg->app_role)) != BIQ_OK)
        return err;
    if (!is_plain_identifier(cfg->app_role))
        return fail(&env, "BIQ_APP_ROLE", "expected a lower-case identifier ([a-z_][a-z0-9_]*)");
    const char *level = lookup(&env, "BIQ_LOG_LEVEL");
    cfg->log_level = BIQ_LOG_INFO;
    if (level != NULL && !biq_log_level_parse(level, &cfg->log_level))
        return fail(&env, "BIQ_LOG_LEVEL", "expected debug, info, warn or error");
    if (need & BIQ_CONFIG_FOR_MIGRATE) {
        if ((err = load_secret(&env, "BIQ_MIGRATE_DATABASE_URL", true, cfg->migrate_database_url,
                               sizeof cfg->migrate_database_url)) != BIQ_OK)
            return err;
    }
    if (need & BIQ_CONFIG_FOR_SERVE) {
        if ((err = load_serve(&env, cfg)) != BIQ_OK)
            return err;
    }
    return BIQ_OK;
}
