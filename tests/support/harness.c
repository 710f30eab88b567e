/* harness.c - see harness.h. Test code: aborts on broken preconditions. */
#include "harness.h"

#include "fit_sign.h"
#include "auth/caller.h"

#include <check.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum {
    START_WAIT_MS = 15000,
    POLL_MS = 20,
    HTTP_TIMEOUT_S = 30,
    ENV_LINE_MAX = 2048,
};

static const char *required_env(const char *name)
{
    const char *v = getenv(name);
    if (v == NULL || v[0] == '\0') {
        fprintf(stderr, "harness: %s is not set (run the tests through scripts/test.sh)\n", name);
        abort();
    }
    return v;
}

static void url_for(const harness *h, const char *db, const char *role, char *out, size_t len)
{
    snprintf(out, len, "postgresql:///%s?host=%s&user=%s", db, h->socket_dir, role);
}

PGconn *harness_pg(const harness *h, const char *role)
{
    char url[HARNESS_URL_MAX];
    url_for(h, h->db_name, role, url, sizeof url);
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "harness: connect as %s: %s\n", role, PQerrorMessage(c));
        abort();
    }
    PQclear(PQexec(c, "SET client_min_messages = warning"));
    return c;
}

PGresult *harness_sql(PGconn *conn, const char *sql)
{
    PGresult *r = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        fprintf(stderr, "harness: SQL failed: %s\n  %s\n", PQerrorMessage(conn), sql);
        abort();
    }
    return r;
}

static void super_exec(const harness *h, const char *sql)
{
    PGconn *c = PQconnectdb(h->super_url);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "harness: superuser connect: %s\n", PQerrorMessage(c));
        abort();
    }
    PQclear(harness_sql(c, "SET client_min_messages = warning"));
    PQclear(harness_sql(c, sql));
    PQfinish(c);
}

void harness_init(harness *h, const char *prefix)
{
    char sql[256];
    memset(h, 0, sizeof *h);
    snprintf(h->socket_dir, sizeof h->socket_dir, "%s", required_env("BIQ_PG_SOCKET"));
    snprintf(h->db_name, sizeof h->db_name, "%s_%ld", prefix, (long)getpid());
    url_for(h, "postgres", "postgres", h->super_url, sizeof h->super_url);
    url_for(h, h->db_name, "biq_owner", h->owner_url, sizeof h->owner_url);
    url_for(h, h->db_name, "biq_app", h->app_url, sizeof h->app_url);
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", h->db_name);
    super_exec(h, sql);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s OWNER biq_owner", h->db_name);
    super_exec(h, sql);
    /* Under the run's own temp folder when the runner gives one, so that
     * what a failed test leaves behind goes with the run. */
    const char *tmp = getenv("BIQ_TEST_TMP");
    snprintf(h->work_dir, sizeof h->work_dir, "%s/biq-test-XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (mkdtemp(h->work_dir) == NULL)
        abort();
    snprintf(h->log_path, sizeof h->log_path, "%s/server.log", h->work_dir);
    h->server_pid = -1;
}

void harness_cleanup(harness *h)
{
    EVP_PKEY_free(h->key);
    h->key = NULL;
    char sql[256], cmd[HARNESS_PATH_MAX + 16];
    if (h->server_pid > 0)
        harness_server_stop(h, SIGKILL);
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", h->db_name);
    super_exec(h, sql);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", h->work_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "harness: could not remove %s\n", h->work_dir);
}

void harness_write_file(const harness *h, const char *name, const char *text, char *out,
                        size_t out_len)
{
    snprintf(out, out_len, "%s/%s", h->work_dir, name);
    FILE *f = fopen(out, "w");
    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
        abort();
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return strdup("");
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf != NULL && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    fclose(f);
    if (buf == NULL)
        abort();
    buf[len] = '\0';
    return buf;
}

const char *harness_shared_dir(void)
{
    const char *d = getenv("BIQ_SHARED_DIR");
    return d != NULL && d[0] != '\0' ? d : "../shared";
}

char *harness_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fclose(f);
    return read_all(path);
}

char *harness_server_log(const harness *h)
{
    return read_all(h->log_path);
}

/* Builds the child's environment: the parent's, minus BIQ_* settings that
 * could leak in, plus ours; extra entries override base ones. */
static char **child_env(const char *const *base, const char *const *extra)
{
    extern char **environ;
    size_t n = 0, cap = HARNESS_ENV_MAX;
    for (char **e = environ; *e != NULL; e++)
        cap++;
    char **env = calloc(cap + 1, sizeof *env);
    if (env == NULL)
        abort();
    for (char **e = environ; *e != NULL; e++) {
        if (strncmp(*e, "BIQ_", 4) != 0)
            env[n++] = *e;
    }
    /* getenv() takes the first match: extras come first to override. */
    for (const char *const *v = extra; v != NULL && *v != NULL && n < cap; v++)
        env[n++] = (char *)*v;
    for (const char *const *v = base; v != NULL && *v != NULL && n < cap; v++)
        env[n++] = (char *)*v;
    env[n] = NULL;
    return env;
}

/* Runs the biq binary with args, stdout+stderr to out_path. */
static pid_t spawn_biq(const char *sub, char **env, const char *out_path)
{
    const char *bin = required_env("BIQ_TEST_BIN");
    pid_t pid = fork();
    if (pid < 0)
        abort();
    if (pid == 0) {
        /* A failed assertion ends the test process without its teardown:
         * take the server down with it. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0)
            _exit(127);
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
        char *argv[] = {(char *)bin, (char *)sub, NULL};
        execve(bin, argv, env);
        _exit(127);
    }
    return pid;
}

static int wait_status(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int harness_migrate(harness *h, const char *const *extra_env, char **out)
{
    char url[HARNESS_URL_MAX + 32], path[HARNESS_PATH_MAX + 16];
    snprintf(url, sizeof url, "BIQ_MIGRATE_DATABASE_URL=%s", h->owner_url);
    snprintf(path, sizeof path, "%s/migrate.out", h->work_dir);
    const char *base[] = {url, NULL};
    char **env = child_env(base, extra_env);
    int status = wait_status(spawn_biq("migrate", env, path));
    free(env);
    if (out != NULL)
        *out = read_all(path);
    return status;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Finds the port named key ("\"port\":") in the server's "listening" line. */
static unsigned listening_port(const char *log, const char *key)
{
    const char *line = strstr(log, "\"msg\":\"listening\"");
    const char *port = line != NULL ? strstr(line, key) : NULL;
    return port != NULL ? (unsigned)strtoul(port + strlen(key), NULL, 10) : 0;
}

static char **serve_env(harness *h, const char *const *extra_env, char *url, size_t url_len)
{
    snprintf(url, url_len, "BIQ_DATABASE_URL=%s", h->app_url);
    const char *base[] = {url, "BIQ_LISTEN=127.0.0.1:0", "BIQ_METRICS_LISTEN=127.0.0.1:0",
                          "BIQ_WORKERS=4", NULL};
    return child_env(base, extra_env);
}

void harness_server_start(harness *h, const char *const *extra_env)
{
    char url[HARNESS_URL_MAX + 32];
    char **env = serve_env(h, extra_env, url, sizeof url);
    h->server_pid = spawn_biq("serve", env, h->log_path);
    free(env);
    for (long waited = 0; waited < START_WAIT_MS; waited += POLL_MS) {
        char *log = harness_server_log(h);
        h->port = listening_port(log, "\"port\":");
        h->metrics_port = listening_port(log, "\"metrics_port\":");
        free(log);
        if (h->port != 0) {
            snprintf(h->base_url, sizeof h->base_url, "http://127.0.0.1:%u", h->port);
            snprintf(h->metrics_url, sizeof h->metrics_url, "http://127.0.0.1:%u",
                     h->metrics_port);
            return;
        }
        if (waitpid(h->server_pid, NULL, WNOHANG) == h->server_pid)
            break;
        sleep_ms(POLL_MS);
    }
    char *log = harness_server_log(h);
    fprintf(stderr, "harness: server did not start:\n%s\n", log);
    free(log);
    abort();
}

int harness_server_fail(harness *h, const char *const *extra_env, char **out)
{
    char url[HARNESS_URL_MAX + 32];
    char **env = serve_env(h, extra_env, url, sizeof url);
    pid_t pid = spawn_biq("serve", env, h->log_path);
    free(env);
    for (long waited = 0; waited < START_WAIT_MS; waited += POLL_MS) {
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            *out = harness_server_log(h);
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
        }
        sleep_ms(POLL_MS);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    *out = harness_server_log(h);
    return -1; /* it kept running */
}

int harness_server_stop(harness *h, int sig)
{
    if (h->server_pid <= 0)
        return -1;
    if (sig != 0)
        kill(h->server_pid, sig);
    int status = wait_status(h->server_pid);
    h->server_pid = -1;
    return status;
}

struct buffer {
    char *data;
    size_t len;
};

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct buffer *b = userdata;
    size_t n = size * nmemb;
    char *grown = realloc(b->data, b->len + n + 1);
    if (grown == NULL)
        return 0;
    memcpy(grown + b->len, ptr, n);
    b->data = grown;
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

long http_do(const harness *h, const char *method, const char *path,
             const char *const *headers, const char *body, size_t body_len, char **resp)
{
    return http_do_headers(h, method, path, headers, body, body_len, resp, NULL);
}

long harness_ops_get(const harness *h, const char *path, char **resp)
{
    harness ops = *h;
    snprintf(ops.base_url, sizeof ops.base_url, "%s", h->metrics_url);
    return http_do(&ops, "GET", path, NULL, NULL, 0, resp);
}

long http_do_headers(const harness *h, const char *method, const char *path,
                     const char *const *headers, const char *body, size_t body_len, char **resp,
                     char **resp_headers)
{
    char url[HARNESS_URL_MAX * 8]; /* room for over-long paths under test */
    struct buffer b = {NULL, 0}, hb = {NULL, 0};
    struct curl_slist *list = NULL;
    long status = 0;
    CURL *curl = curl_easy_init();
    if (curl == NULL)
        abort();
    if ((size_t)snprintf(url, sizeof url, "%s%s", h->base_url, path) >= sizeof url)
        abort();
    bool expect = false;
    for (const char *const *hd = headers; hd != NULL && *hd != NULL; hd++) {
        list = curl_slist_append(list, *hd);
        expect |= strncasecmp(*hd, "Expect:", 7) == 0;
    }
    if (!expect)
        list = curl_slist_append(list, "Expect:"); /* no 100-continue pause by default */
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
    if (resp_headers != NULL) {
        curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect);
        curl_easy_setopt(curl, CURLOPT_HEADERDATA, &hb);
    }
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)HTTP_TIMEOUT_S);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (body != NULL) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    if (curl_easy_perform(curl) == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    if (resp != NULL)
        *resp = b.data != NULL ? b.data : strdup("");
    else
        free(b.data);
    if (resp_headers != NULL)
        *resp_headers = hb.data != NULL ? hb.data : strdup("");
    return status;
}

long http_json(const harness *h, const char *method, const char *path, const char *token,
               const char *body, char **resp)
{
    char auth[16384];
    const char *headers[3] = {NULL, NULL, NULL};
    size_t n = 0;
    if (token != NULL) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        headers[n++] = auth;
    }
    if (body != NULL)
        headers[n++] = "Content-Type: application/json";
    return http_do(h, method, path, headers, body, body != NULL ? strlen(body) : 0, resp);
}

/* Starts the server trusting the JWKS of h->key (work_dir/jwks.json) for
 * HARNESS_APP_ID, with extra_env on top. */
static void serve_app(harness *h, const char *const *extra_env)
{
    char jwks_env[HARNESS_PATH_MAX + 32];
    const char *env[HARNESS_ENV_MAX];
    size_t n = 0;
    snprintf(jwks_env, sizeof jwks_env, "BIQ_JWKS_FILE=%s/jwks.json", h->work_dir);
    for (const char *const *e = extra_env; e != NULL && *e != NULL && n < HARNESS_ENV_MAX - 3; e++)
        env[n++] = *e;
    env[n++] = jwks_env;
    env[n++] = "BIQ_APP_ID=" HARNESS_APP_ID;
    env[n] = NULL;
    harness_server_start(h, env);
}

void harness_start_app(harness *h, const char *const *extra_env)
{
    char path[HARNESS_PATH_MAX];
    if (harness_migrate(h, NULL, NULL) != 0)
        abort();
    h->key = fit_sign_keygen();
    char *jwks = fit_sign_jwks(h->key, HARNESS_KID);
    if (h->key == NULL || jwks == NULL)
        abort();
    harness_write_file(h, "jwks.json", jwks, path, sizeof path);
    free(jwks);
    serve_app(h, extra_env);
}

void harness_restart_app(harness *h, const char *const *extra_env)
{
    ck_assert_int_eq(harness_server_stop(h, SIGTERM), 0);
    /* The old "listening" line must not be read as the new server's. */
    ck_assert_int_eq(truncate(h->log_path, 0), 0);
    serve_app(h, extra_env);
}

void harness_twin_start(const harness *h, harness *twin, const char *name,
                        const char *const *extra_env)
{
    *twin = *h;
    twin->server_pid = -1;
    twin->port = 0;
    int n = snprintf(twin->log_path, sizeof twin->log_path, "%s/%s.log", h->work_dir, name);
    if (n <= 0 || (size_t)n >= sizeof twin->log_path)
        abort();
    serve_app(twin, extra_env);
}

char *harness_token(const harness *h, const char *tenant, const char *project_key)
{
    fit_claims c;
    fit_claims_default(&c, (int64_t)time(NULL));
    c.app_id = HARNESS_APP_ID;
    c.installation_id = tenant;
    c.no_context = project_key == NULL;
    c.project_key = project_key;
    return fit_sign_forge_token(h->key, HARNESS_KID, &c);
}

typedef struct module_claims {
    unsigned caller;
    const char *type, *key;
    bool no_context, no_project;
} module_claims;

/* Keys as in src/auth/modules.def. */
static const module_claims MODULES[] = {
    {BIQ_CALLER_LIFECYCLE, "core:endpoint", "biq-lifecycle", true, false},
    {BIQ_CALLER_EVENTS, "core:endpoint", "biq-events", true, false},
    {BIQ_CALLER_SCHEDULE, "core:endpoint", "biq-alerts-sweep", true, false},
    {BIQ_CALLER_FUNCTION, "core:function", "backfill-consumer", true, false},
    {BIQ_CALLER_VIEWER, "jira:projectPage", "biq-project-page", false, false},
    {BIQ_CALLER_PROJECT_ADMIN, "jira:projectSettingsPage", "biq-project-settings", false, false},
    {BIQ_CALLER_SITE_ADMIN, "jira:adminPage", "biq-admin-page", false, true},
};

char *harness_token_as(const harness *h, const char *tenant, const char *project_key,
                       unsigned caller)
{
    fit_claims c;
    fit_claims_default(&c, (int64_t)time(NULL));
    c.app_id = HARNESS_APP_ID;
    c.installation_id = tenant;
    c.project_key = project_key;
    for (size_t i = 0; i < sizeof MODULES / sizeof MODULES[0]; i++) {
        if (MODULES[i].caller != caller)
            continue;
        c.module_type = MODULES[i].type;
        c.module_key = MODULES[i].key;
        c.no_context = MODULES[i].no_context;
        c.no_project = MODULES[i].no_project;
    }
    if (c.no_project)
        c.project_key = c.project_id = NULL;
    return fit_sign_forge_token(h->key, HARNESS_KID, &c);
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

unsigned harness_caller_for(const char *method, const char *path, const char *project_key)
{
    if (strcmp(path, "/forge/lifecycle") == 0 || strcmp(path, "/forge/uninstall") == 0)
        return BIQ_CALLER_LIFECYCLE;
    if (strcmp(path, "/forge/events") == 0)
        return BIQ_CALLER_EVENTS;
    if (strcmp(path, "/forge/alerts/sweep") == 0)
        return BIQ_CALLER_SCHEDULE;
    if (starts_with(path, "/forge/"))
        return BIQ_CALLER_FUNCTION;
    if (project_key == NULL || starts_with(path, "/api/v1/tenant/settings") ||
        starts_with(path, "/api/v1/alerts/destinations") ||
        starts_with(path, "/api/v1/alerts/rules"))
        return BIQ_CALLER_SITE_ADMIN;
    if (strcmp(method, "PUT") == 0 && strstr(path, "/settings") != NULL)
        return BIQ_CALLER_PROJECT_ADMIN;
    return BIQ_CALLER_VIEWER;
}

long harness_call(const harness *h, const char *tenant, const char *project_key,
                  const char *method, const char *path, const char *body, char **resp)
{
    char *token = harness_token_as(h, tenant, project_key,
                                   harness_caller_for(method, path, project_key));
    long status = http_json(h, method, path, token, body, resp);
    free(token);
    return status;
}

void harness_post_ok(const harness *h, const char *tenant, const char *path, const char *body)
{
    char *resp = NULL;
    long st = harness_call(h, tenant, NULL, "POST", path, body, &resp);
    ck_assert_msg(st == 200, "POST %s: %ld %s", path, st, resp);
    free(resp);
}

/* Posts one body as tenant; any answer but 200 fails the test. */
static void post_ok(const harness *h, const char *tenant, const char *path, const char *body)
{
    char *resp = NULL;
    long st = harness_call(h, tenant, NULL, "POST", path, body, &resp);
    ck_assert_msg(st == 200, "POST %s: %ld %s", path, st, resp);
    free(resp);
}

static char *devlake_file(const char *name)
{
    char path[HARNESS_PATH_MAX];
    snprintf(path, sizeof path, "%s/realdata/devlake-merico/%s", harness_shared_dir(), name);
    return harness_read_file(path);
}

void harness_ingest_devlake(const harness *h, const char *tenant, const char *backfill_start)
{
    char *st = devlake_file("statuses.json"), *sp = devlake_file("sprints.json"),
         *pr = devlake_file("projects.json"), *page = devlake_file("issues-with-changelog.json");
    size_t n = strlen(st) + strlen(sp) + strlen(pr) + 64;
    char *body = malloc(n);
    ck_assert_ptr_nonnull(body);
    snprintf(body, n, "{\"statuses\":%s,\"sprints\":%s,\"projects\":%s}", st, sp, pr);
    post_ok(h, tenant, "/forge/catalog", body);
    post_ok(h, tenant, "/forge/backfill/EE", backfill_start);
    post_ok(h, tenant, "/forge/backfill/EE/page", page);
    free(body);
    free(st);
    free(sp);
    free(pr);
    free(page);
}

void harness_exec(const harness *h, const char *sql)
{
    PGconn *c = harness_pg(h, "postgres");
    PQclear(harness_sql(c, sql));
    PQfinish(c);
}

long long harness_count(const harness *h, const char *query)
{
    PGconn *c = harness_pg(h, "postgres");
    PGresult *r = harness_sql(c, query);
    long long n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    PQfinish(c);
    return n;
}
