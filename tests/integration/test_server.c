/* test_server.c - the real `biq serve` over real HTTP: operations routes,
 * routing errors, every request limit, the JSON error shape, one log line
 * per request, configuration errors at start, and a clean SIGTERM. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "harness.h"
#include "testsupport.h"
#include "fit_sign.h"

static harness H;
static EVP_PKEY *KEY;
static const char KID[] = "forge/invocation-token/wf-test-1";
static char JWKS_ENV[HARNESS_PATH_MAX + 32];

static const char APP_ID[] = "ari:cloud:ecosystem::app/11111111-2222-4333-8444-555555555555";

static void setup(void)
{
    char path[HARNESS_PATH_MAX];
    harness_init(&H, "biq_server");
    ck_assert_int_eq(harness_migrate(&H, NULL, NULL), 0);
    KEY = fit_sign_keygen();
    char *jwks = fit_sign_jwks(KEY, KID);
    harness_write_file(&H, "jwks.json", jwks, path, sizeof path);
    free(jwks);
    snprintf(JWKS_ENV, sizeof JWKS_ENV, "BIQ_JWKS_FILE=%s", path);
    const char *env[] = {JWKS_ENV, "BIQ_APP_ID=ari:cloud:ecosystem::app/11111111-2222-4333-8444-555555555555",
                         NULL};
    harness_server_start(&H, env);
}

static void teardown(void)
{
    harness_cleanup(&H);
    EVP_PKEY_free(KEY);
}

/* Sends a request and checks that it gets status want with the JSON error
 * shape of api.md and the given code; returns the body (to free). */
static char *expect_error(const char *method, const char *path, const char *const *headers,
                          const char *body, size_t len, long want, const char *code)
{
    char needle[96], *resp = NULL;
    long status = http_do(&H, method, path, headers, body, len, &resp);
    ck_assert_msg(status == want, "%s %s: status %ld, want %ld (%s)", method, path, status, want,
                  resp);
    snprintf(needle, sizeof needle, "{\"error\":{\"code\":\"%s\",\"message\":\"", code);
    ck_assert_msg(strstr(resp, needle) != NULL, "body %s lacks %s", resp, needle);
    return resp;
}

START_TEST(health_ready_metrics)
{
    char *body = NULL;
    ck_assert_int_eq(http_do(&H, "GET", "/healthz", NULL, NULL, 0, &body), 200);
    ck_assert_str_eq(body, "{\"status\":\"ok\"}");
    free(body);
    ck_assert_int_eq(http_do(&H, "GET", "/readyz", NULL, NULL, 0, &body), 200);
    ck_assert_ptr_nonnull(strstr(body, "\"status\":\"ready\""));
    free(body);
    ck_assert_int_eq(http_do(&H, "GET", "/nope", NULL, NULL, 0, &body), 404);
    free(body);
    ck_assert_int_eq(harness_ops_get(&H, "/metrics", &body), 200);
    ck_assert_ptr_nonnull(strstr(body, "biq_http_requests_total{route=\"/healthz\",status=\"200\"} 1"));
    ck_assert_ptr_nonnull(strstr(body, "biq_http_requests_total{route=\"unmatched\",status=\"404\"} 1"));
    ck_assert_ptr_nonnull(strstr(body, "biq_http_request_duration_seconds_bucket{route=\"/readyz\",le=\"+Inf\"} 1"));
    ck_assert_ptr_nonnull(strstr(body, "biq_db_pool_connections{state=\"size\"} 4"));
    ck_assert_ptr_nonnull(strstr(body, "biq_auth_rejections_total{reason="));
    free(body);
}
END_TEST

START_TEST(readyz_fails_when_schema_is_behind)
{
    char *body = NULL;
    PGconn *owner = harness_pg(&H, "biq_owner");
    PQclear(harness_sql(owner, "DELETE FROM schema_migrations"));
    body = expect_error("GET", "/readyz", NULL, NULL, 0, 503, "unavailable");
    ck_assert_ptr_nonnull(strstr(body, "run biq migrate"));
    free(body);
    PQfinish(owner);
}
END_TEST

START_TEST(routing_errors_are_json)
{
    free(expect_error("GET", "/api/v1/unknown", NULL, NULL, 0, 404, "not_found"));
    free(expect_error("DELETE", "/healthz", NULL, NULL, 0, 405, "method_not_allowed"));
    free(expect_error("GET", "/healthz/", NULL, NULL, 0, 404, "not_found"));
    /* A token is checked before anything else on protected routes. */
    free(expect_error("GET", "/api/v1/tenant", NULL, NULL, 0, 401, "unauthorized"));
}
END_TEST

/* A token of the lifecycle trigger (auth/modules.def): the caller that
 * /forge/lifecycle admits. */
static char *lifecycle_token(void)
{
    fit_claims c;
    fit_claims_default(&c, (int64_t)time(NULL));
    c.app_id = APP_ID;
    c.no_context = true;
    c.module_type = "core:endpoint";
    c.module_key = "biq-lifecycle";
    return fit_sign_forge_token(KEY, KID, &c);
}

START_TEST(body_limits)
{
    char *body = NULL, auth[8192];
    char *token = lifecycle_token();
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    free(token);
    size_t big = 64 * 1024 + 1;
    char *payload = malloc(big + 1);
    memset(payload, ' ', big);
    payload[0] = '{';
    payload[big - 1] = '}';
    payload[big] = '\0';
    /* A client that asks first (Expect: 100-continue) is refused before it
     * sends the body. */
    const char *json[] = {"Content-Type: application/json", "Expect: 100-continue", auth, NULL};
    free(expect_error("POST", "/forge/lifecycle", json, payload, big, 413, "payload_too_large"));
    /* Chunked bodies are counted as they arrive. */
    const char *chunked[] = {"Content-Type: application/json", "Transfer-Encoding: chunked", auth,
                             NULL};
    free(expect_error("POST", "/forge/lifecycle", chunked, payload, big, 413, "payload_too_large"));
    /* Without a token the size does not matter: the token is checked
     * before the body is read (security.md §6). */
    json[2] = NULL;
    free(expect_error("POST", "/forge/lifecycle", json, payload, big, 401, "unauthorized"));
    free(payload);
    ck_assert_int_eq(http_do(&H, "GET", "/healthz", NULL, NULL, 0, &body), 200);
    free(body);
}
END_TEST

/* Sends raw bytes and returns the status of the answer (0 if none). */
static int raw_status(const char *request, size_t len)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)H.port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    size_t sent = 0;
    while (sent < len) {
        ssize_t n = send(fd, request + sent, len - sent, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        sent += (size_t)n;
    }
    char reply[512] = {0};
    ssize_t got = recv(fd, reply, sizeof reply - 1, 0);
    close(fd);
    int status = 0;
    if (got > 12 && sscanf(reply, "HTTP/1.%*c %d", &status) != 1)
        status = 0;
    return status;
}

START_TEST(header_limits_and_framing)
{
    /* Headers beyond the connection's memory: refused, server stays up. */
    size_t pad = 40 * 1024;
    char *req = malloc(pad + 256);
    int n = snprintf(req, 256, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ");
    memset(req + n, 'a', pad);
    memcpy(req + n + pad, "\r\n\r\n", 5);
    int status = raw_status(req, (size_t)n + pad + 4);
    ck_assert_msg(status == 431 || status == 413 || status == 400, "status %d", status);
    free(req);
    static const char both[] = "POST /forge/lifecycle HTTP/1.1\r\nHost: x\r\n"
                               "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n"
                               "Content-Type: application/json\r\n\r\n2\r\n{}\r\n0\r\n\r\n";
    ck_assert_int_eq(raw_status(both, sizeof both - 1), 400);
    static const char bad_length[] = "POST /forge/lifecycle HTTP/1.1\r\nHost: x\r\n"
                                     "Content-Length: 1x\r\n\r\n{}";
    ck_assert_int_eq(raw_status(bad_length, sizeof bad_length - 1), 400);
    char *body = NULL;
    ck_assert_int_eq(http_do(&H, "GET", "/healthz", NULL, NULL, 0, &body), 200);
    free(body);
}
END_TEST

START_TEST(bad_paths)
{
    char *body = NULL;
    char longpath[2100];
    memset(longpath, 'a', sizeof longpath - 1);
    longpath[0] = '/';
    longpath[sizeof longpath - 1] = '\0';
    long st = http_do(&H, "GET", longpath, NULL, NULL, 0, &body);
    ck_assert_msg(st == 400 || st == 414, "status %ld", st);
    free(body);
}
END_TEST

START_TEST(one_json_log_line_per_request)
{
    char *body = NULL;
    ck_assert_int_eq(http_do(&H, "GET", "/healthz", NULL, NULL, 0, &body), 200);
    free(body);
    fit_claims c;
    fit_claims_default(&c, (int64_t)time(NULL));
    c.app_id = APP_ID;
    char *token = fit_sign_forge_token(KEY, KID, &c);
    ck_assert_int_eq(http_json(&H, "GET", "/api/v1/tenant", token, NULL, &body), 404);
    free(body);
    harness_server_stop(&H, SIGTERM);
    char *log = harness_server_log(&H);
    ck_assert_ptr_nonnull(strstr(log, "\"msg\":\"request\",\"method\":\"GET\",\"route\":\"/healthz\",\"status\":200,\"duration_ms\":"));
    ck_assert_ptr_nonnull(strstr(log, "\"route\":\"/api/v1/tenant\",\"status\":404"));
    ck_assert_ptr_nonnull(strstr(log, "\"request_id\":\""));
    /* Never the token, nor any part of its signature. */
    ck_assert_ptr_null(strstr(log, token));
    ck_assert_ptr_null(strstr(log, strrchr(token, '.') + 1));
    for (const char *line = log; *line != '\0'; line = strchr(line, '\n') + 1) {
        ck_assert_msg(line[0] == '{', "log line is not JSON: %.80s", line);
        if (strchr(line, '\n') == NULL)
            break;
    }
    free(log);
    free(token);
}
END_TEST

START_TEST(sigterm_exits_cleanly)
{
    ck_assert_int_eq(harness_server_stop(&H, SIGTERM), 0);
    char *log = harness_server_log(&H);
    ck_assert_ptr_nonnull(strstr(log, "\"msg\":\"stopped\",\"abandoned\":0"));
    free(log);
}
END_TEST

static int connect_loopback(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)H.port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    return fd;
}

START_TEST(sigterm_drains_a_request_in_flight)
{
    static const char body[] = "{\"eventType\":\"avi:forge:installed:app\"}";
    char head[4096], reply[1024] = {0};
    fit_claims c;
    fit_claims_default(&c, (int64_t)time(NULL));
    c.app_id = APP_ID;
    c.no_context = true;
    c.module_type = "core:endpoint";
    c.module_key = "biq-lifecycle";
    char *token = fit_sign_forge_token(KEY, KID, &c);
    int n = snprintf(head, sizeof head,
                     "POST /forge/lifecycle HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%.10s",
                     token, sizeof body - 1, body);
    int fd = connect_loopback();
    ck_assert_int_eq(send(fd, head, (size_t)n, MSG_NOSIGNAL), n);
    usleep(200000); /* the request is in flight, its body half sent */
    kill(H.server_pid, SIGTERM);
    usleep(200000);
    /* New connections are refused while the old one is served. */
    int refused = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)H.port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_ne(connect(refused, (struct sockaddr *)&addr, sizeof addr), 0);
    close(refused);
    ck_assert_int_eq(send(fd, body + 10, sizeof body - 11, MSG_NOSIGNAL), (ssize_t)(sizeof body - 11));
    ck_assert_int_gt(recv(fd, reply, sizeof reply - 1, 0), 12);
    ck_assert_msg(strncmp(reply, "HTTP/1.1 200", 12) == 0, "reply: %s", reply);
    close(fd);
    ck_assert_int_eq(harness_server_stop(&H, 0), 0);
    PGconn *owner = harness_pg(&H, "postgres");
    PGresult *r = harness_sql(owner, "SELECT count(*) FROM tenants");
    ck_assert_str_eq(PQgetvalue(r, 0, 0), "1");
    PQclear(r);
    PQfinish(owner);
    free(token);
}
END_TEST

START_TEST(configuration_errors_name_the_variable)
{
    char *out = NULL;
    const char *no_app_id[] = {JWKS_ENV, "BIQ_APP_ID=", NULL};
    ck_assert_int_eq(harness_server_fail(&H, no_app_id, &out), 1);
    ck_assert_ptr_nonnull(strstr(out, "BIQ_APP_ID: required but not set"));
    free(out);
    const char *bad_workers[] = {JWKS_ENV, "BIQ_APP_ID=ari:cloud:ecosystem::app/x", "BIQ_WORKERS=0", NULL};
    ck_assert_int_eq(harness_server_fail(&H, bad_workers, &out), 1);
    ck_assert_ptr_nonnull(strstr(out, "BIQ_WORKERS: expected an integer from 1 to 64"));
    free(out);
    char path[HARNESS_PATH_MAX], env[HARNESS_PATH_MAX + 32];
    harness_write_file(&H, "bad.json",
                       "{\"keys\":[{\"kty\":\"EC\",\"kid\":\"ec-key\",\"crv\":\"P-256\","
                       "\"x\":\"AAAA\",\"y\":\"AAAA\"}]}", path, sizeof path);
    snprintf(env, sizeof env, "BIQ_JWKS_FILE=%s", path);
    const char *bad_jwks[] = {env, "BIQ_APP_ID=ari:cloud:ecosystem::app/x", NULL};
    ck_assert_int_eq(harness_server_fail(&H, bad_jwks, &out), 1);
    ck_assert_ptr_nonnull(strstr(out, "ec-key"));
    free(out);
}
END_TEST

/* The verified-token cache's lookups are in /metrics: the first sight of
 * a token is a miss (full RSA check), the same bytes again a hit. */
START_TEST(token_cache_lookups_in_metrics)
{
    char *body = NULL, auth[8192];
    const char *install = "{\"eventType\":\"avi:forge:installed:app\"}";
    char *token = lifecycle_token();
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    free(token);
    const char *headers[] = {"Content-Type: application/json", auth, NULL};
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(http_do(&H, "POST", "/forge/lifecycle", headers, install,
                                 strlen(install), &body), 200);
        free(body);
    }
    ck_assert_int_eq(harness_ops_get(&H, "/metrics", &body), 200);
    ck_assert_ptr_nonnull(strstr(body, "biq_token_cache_lookups_total{result=\"hit\"} 2\n"));
    ck_assert_ptr_nonnull(strstr(body, "biq_token_cache_lookups_total{result=\"miss\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(body, "biq_token_cache_entries 1\n"));
    free(body);
}
END_TEST

/* New connections are handed to the workers in turn (src/http/server.c,
 * accept_main; libmicrohttpd places each at descriptor mod workers): with
 * 2 workers, a handler blocked in the database holds one worker, and of a
 * burst of connections opened with its own some are served by the other.
 * When the workers accepted for themselves, the first one woken took the
 * whole burst (up to 10 in a row) and served it after the blocked one
 * (docs/performance.md, "Events"). */
START_TEST(a_blocked_handler_holds_one_worker_only)
{
    static const char body[] = "{\"eventType\":\"avi:forge:installed:app\"}";
    static const char get[] = "GET /no/such/route HTTP/1.1\r\nHost: x\r\n\r\n";
    enum { REPLY_WAIT_MS = 3000, BURST = 4 };
    char head[4096], reply[1024] = {0}, *resp = NULL, auth[8192];
    ck_assert_int_eq(harness_server_stop(&H, SIGTERM), 0);
    /* The new server's child truncates the log only once it runs: empty
     * it first, or the old port is read back from it. */
    ck_assert_int_eq(truncate(H.log_path, 0), 0);
    const char *env[] = {JWKS_ENV, "BIQ_APP_ID=ari:cloud:ecosystem::app/11111111-2222-4333-8444-555555555555",
                         "BIQ_WORKERS=2", NULL};
    harness_server_start(&H, env);
    char *token = lifecycle_token();
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    const char *headers[] = {"Content-Type: application/json", auth, NULL};
    ck_assert_int_eq(http_do(&H, "POST", "/forge/lifecycle", headers, body, sizeof body - 1, &resp),
                     200);
    free(resp);
    /* The tenant's row locked: the next install waits in its handler. */
    PGconn *owner = harness_pg(&H, "postgres");
    PQclear(harness_sql(owner, "BEGIN"));
    PQclear(harness_sql(owner, "SELECT 1 FROM tenants FOR UPDATE"));
    int blocked = connect_loopback();
    struct pollfd others[BURST];
    for (int i = 0; i < BURST; i++)
        others[i] = (struct pollfd){.fd = connect_loopback(), .events = POLLIN};
    int n = snprintf(head, sizeof head,
                     "POST /forge/lifecycle HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                     token, sizeof body - 1, body);
    ck_assert_int_eq(send(blocked, head, (size_t)n, MSG_NOSIGNAL), n);
    usleep(300000); /* in its handler, waiting for the lock */
    for (int i = 0; i < BURST; i++)
        ck_assert_int_eq(send(others[i].fd, get, sizeof get - 1, MSG_NOSIGNAL),
                         (ssize_t)(sizeof get - 1));
    ck_assert_msg(poll(others, BURST, REPLY_WAIT_MS) > 0,
                  "every connection of the burst waited for the blocked handler");
    for (int i = 0; i < BURST; i++)
        if (others[i].revents & POLLIN) {
            ck_assert_int_gt(recv(others[i].fd, reply, sizeof reply - 1, 0), 12);
            ck_assert_msg(strncmp(reply, "HTTP/1.1 404", 12) == 0, "reply: %s", reply);
        }
    PQclear(harness_sql(owner, "ROLLBACK"));
    memset(reply, 0, sizeof reply);
    ck_assert_int_gt(recv(blocked, reply, sizeof reply - 1, 0), 12);
    ck_assert_msg(strncmp(reply, "HTTP/1.1 200", 12) == 0, "reply: %s", reply);
    close(blocked);
    for (int i = 0; i < BURST; i++)
        close(others[i].fd);
    PQfinish(owner);
    free(token);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("server");
    TCase *tc = tcase_create("server");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, health_ready_metrics);
    tcase_add_test(tc, token_cache_lookups_in_metrics);
    tcase_add_test(tc, readyz_fails_when_schema_is_behind);
    tcase_add_test(tc, routing_errors_are_json);
    tcase_add_test(tc, body_limits);
    tcase_add_test(tc, header_limits_and_framing);
    tcase_add_test(tc, bad_paths);
    tcase_add_test(tc, one_json_log_line_per_request);
    tcase_add_test(tc, sigterm_exits_cleanly);
    tcase_add_test(tc, sigterm_drains_a_request_in_flight);
    tcase_add_test(tc, configuration_errors_name_the_variable);
    tcase_add_test(tc, a_blocked_handler_holds_one_worker_only);
    suite_add_tcase(s, tc);
    return s;
}
