/* harness.h - integration-test plumbing: a fresh database per test binary
 * in the throwaway cluster that scripts/test.sh started, the real biq
 * binary run as a child process, and a small libcurl HTTP client.
 *
 * Environment (set by scripts/test.sh): BIQ_PG_SOCKET (the cluster's
 * socket folder), BIQ_TEST_BIN (the biq binary under test). Every failure
 * here aborts the test with a message: these are preconditions. */
#ifndef BIQ_TEST_HARNESS_H
#define BIQ_TEST_HARNESS_H

#include <libpq-fe.h>
#include <openssl/evp.h>
#include <stddef.h>
#include <sys/types.h>

/* What harness_start_app() servers trust: tokens for this app, signed by
 * the harness's key under this kid. */
#define HARNESS_APP_ID "ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000000a1"
#define HARNESS_KID "forge/invocation-token/wf-00000000-0000-4000-8000-00000000face"

enum {
    HARNESS_URL_MAX = 1024,
    HARNESS_PATH_MAX = 512,
    HARNESS_DIR_MAX = 128,
    HARNESS_ENV_MAX = 32,
};

typedef struct harness {
    char db_name[64];
    char socket_dir[HARNESS_DIR_MAX * 2];
    char owner_url[HARNESS_URL_MAX];
    char app_url[HARNESS_URL_MAX];
    char super_url[HARNESS_URL_MAX];
    char work_dir[HARNESS_DIR_MAX];    /* temp folder for JWKS, logs */
    char log_path[HARNESS_PATH_MAX];   /* the server's stdout+stderr */
    pid_t server_pid;
    unsigned port;
    char base_url[64];
    unsigned metrics_port;             /* BIQ_METRICS_LISTEN's (127.0.0.1:0) */
    char metrics_url[64];
    EVP_PKEY *key; /* the signing key of harness_start_app(), or NULL */
} harness;

/* Creates a database named after prefix and the pid, owned by biq_owner,
 * and a temp work folder. */
void harness_init(harness *h, const char *prefix);

/* Drops the database and removes the work folder (server must be stopped). */
void harness_cleanup(harness *h);

/* Runs `biq migrate` against the harness database; returns its exit status
 * and, when out is not NULL, its stderr in a malloc'd string. extra_env are
 * NAME=VALUE strings (NULL-terminated list, may be NULL). */
int harness_migrate(harness *h, const char *const *extra_env, char **out);

/* Starts `biq serve` with BIQ_DATABASE_URL, BIQ_LISTEN=127.0.0.1:0 and
 * extra_env; waits for its "listening" log line and records the port. */
void harness_server_start(harness *h, const char *const *extra_env);

/* Starts `biq serve` expecting it to fail; returns its exit status and
 * output (malloc'd) in *out. */
int harness_server_fail(harness *h, const char *const *extra_env, char **out);

/* Migrates, makes a signing key, writes its JWKS and starts the server
 * trusting it for HARNESS_APP_ID, with extra_env on top. */
void harness_start_app(harness *h, const char *const *extra_env);

/* Stops the server of harness_start_app() with SIGTERM (it must exit 0),
 * empties its log and starts it again on the same database and key, with
 * extra_env (the earlier extra_env is not kept). */
void harness_restart_app(harness *h, const char *const *extra_env);

/* A token of caller class caller (auth/caller.h) for tenant, as its module
 * would carry it: the platform's endpoints and the functions without a
 * context, a viewer's and a project admin's with project_key, a site
 * admin's without a project. */
char *harness_token_as(const harness *h, const char *tenant, const char *project_key,
                       unsigned caller);

/* The caller class a route is designed for (the module the UI or Forge
 * calls it from): platform endpoints and functions for the forge routes, site
 * admin for site-wide settings, destinations and rules (or any /api/v1
 * call without a project), project admin for a project's settings, else
 * a viewer of project_key. Used by harness_call. */
unsigned harness_caller_for(const char *method, const char *path, const char *project_key);

/* A Forge token for installation `tenant` signed with h->key, valid now.
 * project_key NULL: no context claim (events, lifecycle); otherwise a
 * jira:projectPage context for that project (id 10000). malloc'd. */
char *harness_token(const harness *h, const char *tenant, const char *project_key);

/* http_json() with a fresh harness_token(tenant, project_key). */
long harness_call(const harness *h, const char *tenant, const char *project_key,
                  const char *method, const char *path, const char *body, char **resp);

/* POST body to path as tenant (no project) and assert a 200. */
void harness_post_ok(const harness *h, const char *tenant, const char *path, const char *body);

/* Starts another biq serve (a "twin", one instance more of a cluster) on
 * h's database, JWKS and signing key: *twin is a copy of h (after
 * harness_start_app) with its own process, ports and log
 * (<work_dir>/<name>.log). Stop it with harness_server_stop(twin, sig);
 * never harness_cleanup() a twin: h owns the database, folder and key. */
void harness_twin_start(const harness *h, harness *twin, const char *name,
                        const char *const *extra_env);

/* Sends sig (0: none, it is already stopping) to the server and waits for
 * it; returns the exit status. */
int harness_server_stop(harness *h, int sig);

/* The shared data folder: $BIQ_SHARED_DIR, default ../shared. */
const char *harness_shared_dir(void);

/* A whole file (malloc'd, NUL-terminated); fails the test when missing. */
char *harness_read_file(const char *path);

/* Ingests the DevLake capture (realdata/devlake-merico: its status, sprint
 * and project catalogues, then project EE's backfill started with the body
 * backfill_start, e.g. {"total":33}, and its one page) as tenant through
 * the Forge routes; anything but 200 fails the test. */
void harness_ingest_devlake(const harness *h, const char *tenant, const char *backfill_start);

/* Reads the whole server log (malloc'd, NUL-terminated). */
char *harness_server_log(const harness *h);

/* Writes text to work_dir/name and returns the path in out. */
void harness_write_file(const harness *h, const char *name, const char *text, char *out,
                        size_t out_len);

/* Connects to the harness database as role ("biq_owner", "biq_app",
 * "postgres"). */
PGconn *harness_pg(const harness *h, const char *role);

/* Runs SQL (no parameters) that must succeed; returns the result. */
PGresult *harness_sql(PGconn *conn, const char *sql);

/* Runs sql (no parameters) as the superuser on a connection of its own;
 * it must succeed. */
void harness_exec(const harness *h, const char *sql);

/* The first column of the first row of query, run as the superuser, as an
 * integer (a count, a version). */
long long harness_count(const harness *h, const char *query);

/* One HTTP request to the server. headers is a NULL-terminated list of
 * "Name: value" lines (may be NULL); body may be NULL. Returns the status
 * (0 when the connection failed) and the body in *resp (malloc'd, may be
 * NULL to discard). */
long http_do(const harness *h, const char *method, const char *path,
             const char *const *headers, const char *body, size_t body_len, char **resp);

/* http_do that also returns the response's header block (status line and
 * "Name: value" lines, CRLF-separated; malloc'd) in *resp_headers, which
 * may be NULL to discard it. */
long http_do_headers(const harness *h, const char *method, const char *path,
                     const char *const *headers, const char *body, size_t body_len, char **resp,
                     char **resp_headers);

/* GET path (/metrics, /healthz, /readyz) from the server's metrics
 * listener; returns the status and the body in *resp (malloc'd). */
long harness_ops_get(const harness *h, const char *path, char **resp);

/* http_do with "Authorization: Bearer <token>" and, when body is given,
 * "Content-Type: application/json". token may be NULL for no header. */
long http_json(const harness *h, const char *method, const char *path, const char *token,
               const char *body, char **resp);

#endif
