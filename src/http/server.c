/* server.c - libmicrohttpd glue: limits, request life cycle, dispatch
 * (see server.h). */
#include "http/server.h"

#include <arpa/inet.h>
#include <limits.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netdb.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/headers.h"
#include "http/json_count.h"

enum {
    REQUEST_ARENA_BASE = 1024 * 1024, /* per-request memory on top of the body */
    BODY_INITIAL_CAP = 16 * 1024,
    DRAIN_POLL_MS = 20,
    BODY_DISCARD_FACTOR = 4, /* read at most this many caps of an oversized body */
    FD_RESERVE = 256, /* descriptors kept for the database, files, logs */
    ACCEPT_RETRY_MS = 50, /* out of descriptors: the pause before accepting again */
};

struct biq_server {
    struct MHD_Daemon *daemon;
    /* Our own listening socket and the thread that accepts on it (see
     * accept_main); stop_fd (an eventfd) tells that thread to end. */
    int listen_fd, stop_fd;
    pthread_t acceptor;
    bool accepting;
    biq_server_config cfg;
    atomic_uint in_flight;
    atomic_bool draining;
    atomic_size_t body_bytes;   /* reserved by the bodies in flight */
    atomic_uint large_parses;   /* handlers running on a large body */
};

/* Everything one request owns; freed in request_completed(). */
struct req_state {
    biq_request req;
    biq_tenant_ctx tenant;
    biq_response resp;
    struct timespec start;
    size_t route;            /* index, or n_routes when none matched */
    biq_route_result match;
    char *body;
    size_t body_len, body_cap, max_body;
    bool queued;             /* a response has been queued */
    bool too_large;          /* the body outgrew max_body: answer 413 */
    bool accounted;          /* counted in metrics and logged */
    bool over_budget;        /* the process's body budget was full: answer 503 */
    bool close;              /* answer with Connection: close */
    size_t reserved;         /* bytes of srv->body_bytes this request holds */
    size_t discarded;        /* body bytes dropped after that */
    unsigned status;         /* what was sent, for the log */
};

static double elapsed_s(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void make_request_id(char out[BIQ_REQUEST_ID_LEN + 1])
{
    unsigned char raw[BIQ_REQUEST_ID_LEN / 2] = {0};
    if (RAND_bytes(raw, sizeof raw) != 1)
        memset(raw, 0, sizeof raw);
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

static void account(struct biq_server *srv, struct req_state *st, int terminated);

/* ---- responses ---------------------------------------------------------- */

static json_t *error_body(biq_err err, const char *message)
{
    return json_pack("{s:{s:s,s:s}}", "error", "code", biq_err_code(err), "message",
                     message[0] != '\0' ? message : biq_strerror(err));
}

/* On every answer we build (libmicrohttpd's own error answers cannot carry
 * them: README, "Security"). An API of JSON and CSV: nothing may frame,
 * sniff, cache or refer onwards from it. */
static const char *const SECURITY_HEADERS[][2] = {
    {MHD_HTTP_HEADER_CACHE_CONTROL, "no-store"},
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"},
    {"Referrer-Policy", "no-referrer"},
    {"Cross-Origin-Resource-Policy", "same-origin"},
};

static void add_common_headers(struct biq_server *srv, struct req_state *st,
                               struct MHD_Response *r, const char *content_type,
                               unsigned status)
{
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header(r, "X-Request-Id", st->req.request_id);
    for (size_t i = 0; i < sizeof SECURITY_HEADERS / sizeof SECURITY_HEADERS[0]; i++)
        MHD_add_response_header(r, SECURITY_HEADERS[i][0], SECURITY_HEADERS[i][1]);
    if (st->resp.content_disposition != NULL)
        MHD_add_response_header(r, "Content-Disposition", st->resp.content_disposition);
    if (st->resp.retry_after_s > 0 || status == 503) {
        char seconds[16];
        snprintf(seconds, sizeof seconds, "%u",
                 st->resp.retry_after_s > 0 ? st->resp.retry_after_s
                                            : (unsigned)BIQ_HTTP_RETRY_AFTER_S);
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, seconds);
    }
    if (st->close || atomic_load(&srv->draining))
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
}

/* Queues st->resp (or its error) on the connection. Always marks the
 * request answered; a failure to build the body becomes a bare 500. */
static enum MHD_Result send_response(struct biq_server *srv, struct MHD_Connection *conn,
                                     struct req_state *st)
{
    biq_response *resp = &st->resp;
    char *json_text = NULL;
    struct MHD_Response *r = NULL;
    unsigned status = resp->status != 0 ? resp->status : 200;
    const char *type = "application/json";

    if (resp->err != BIQ_OK) {
        json_decref(resp->json);
        resp->json = error_body(resp->err, resp->message);
        status = biq_err_http_status(resp->err);
        if (resp->status >= 400)
            status = resp->status; /* a handler may pick a finer status */
    }
    if (resp->json != NULL) {
        json_text = json_dumps(resp->json, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (json_text != NULL)
            r = MHD_create_response_from_buffer(strlen(json_text), json_text,
                                                MHD_RESPMEM_MUST_FREE);
    } else if (resp->text != NULL) {
        r = MHD_create_response_from_buffer(resp->text_len, (void *)resp->text,
                                            MHD_RESPMEM_PERSISTENT);
        type = resp->content_type != NULL ? resp->content_type : "text/plain; charset=utf-8";
    } else {
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    if (r == NULL) {
        free(json_text);
        static const char fallback[] =
            "{\"error\":{\"code\":\"internal_error\",\"message\":\"out of memory\"}}";
        r = MHD_create_response_from_buffer(sizeof fallback - 1, (void *)fallback,
                                            MHD_RESPMEM_PERSISTENT);
        status = 500;
        if (r == NULL)
            return MHD_NO;
    }
    add_common_headers(srv, st, r, type, status);
    if (status == 405 && st->route < srv->cfg.n_routes)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, srv->cfg.routes[st->route].method);
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    st->queued = true;
    st->status = status;
    account(srv, st, MHD_REQUEST_TERMINATED_COMPLETED_OK);
    return ret;
}

static enum MHD_Result send_error(struct biq_server *srv, struct MHD_Connection *conn,
                                  struct req_state *st, unsigned status, biq_err err,
                                  const char *message)
{
    st->resp.err = err;
    st->resp.status = status;
    snprintf(st->resp.message, sizeof st->resp.message, "%s", message);
    return send_response(srv, conn, st);
}

/* ---- request life cycle ------------------------------------------------- */

static struct req_state *state_new(struct biq_server *srv, struct MHD_Connection *conn,
                                   const char *url, const char *method)
{
    struct req_state *st = calloc(1, sizeof *st);
    if (st == NULL)
        return NULL;
    clock_gettime(CLOCK_MONOTONIC, &st->start);
    st->req.arena = biq_arena_new(REQUEST_ARENA_BASE);
    st->req.method = biq_arena_strdup(st->req.arena, method);
    st->req.path = biq_arena_strdup(st->req.arena, url);
    if (st->req.arena == NULL || st->req.method == NULL || st->req.path == NULL) {
        biq_arena_free(st->req.arena);
        free(st);
        return NULL;
    }
    st->req.connection = conn;
    st->route = srv->cfg.n_routes;
    st->req.route = "unmatched";
    make_request_id(st->req.request_id);
    return st;
}

/* ---- the body budget of the process ---------------------------------------- */

/* Takes n more bytes of the process's body budget for st; false (nothing
 * taken) when that would pass BIQ_HTTP_BODY_BYTES_IN_FLIGHT_MAX. */
static bool reserve_body(struct biq_server *srv, struct req_state *st, size_t n)
{
    size_t cur = atomic_load(&srv->body_bytes);
    do {
        if (n > BIQ_HTTP_BODY_BYTES_IN_FLIGHT_MAX - cur)
            return false;
    } while (!atomic_compare_exchange_weak(&srv->body_bytes, &cur, cur + n));
    st->reserved += n;
    return true;
}

static void release_body(struct biq_server *srv, struct req_state *st)
{
    atomic_fetch_sub(&srv->body_bytes, st->reserved);
    st->reserved = 0;
}

/* A slot among BIQ_HTTP_LARGE_PARSES_MAX; false when all are taken. */
static bool take_parse_slot(struct biq_server *srv)
{
    unsigned cur = atomic_load(&srv->large_parses);
    do {
        if (cur >= BIQ_HTTP_LARGE_PARSES_MAX)
            return false;
    } while (!atomic_compare_exchange_weak(&srv->large_parses, &cur, cur + 1));
    return true;
}

static void state_free(struct biq_server *srv, struct req_state *st)
{
    release_body(srv, st);
    json_decref(st->resp.json);
    free(st->body);
    biq_arena_free(st->req.arena);
    free(st);
}

static const char *header(struct MHD_Connection *conn, const char *name)
{
    return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

struct header_list {
    biq_http_header *items;
    size_t n, cap;
};

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    struct header_list *l = cls;
    (void)kind;
    if (l->n < l->cap)
        l->items[l->n] = (biq_http_header){key, value};
    l->n++;
    return MHD_YES;
}

/* One reading of the request (http/headers.h): 0 and *out, or the status
 * of a refusal with its message in st->resp.message. */
static unsigned check_framing(struct MHD_Connection *conn, struct req_state *st,
                              biq_http_framing *out)
{
    int n = MHD_get_connection_values(conn, MHD_HEADER_KIND, NULL, NULL);
    if (n < 0 || n > BIQ_HTTP_HEADER_FIELDS_MAX) {
        snprintf(st->resp.message, sizeof st->resp.message, "more than %d header fields",
                 BIQ_HTTP_HEADER_FIELDS_MAX);
        return 431;
    }
    struct header_list l = {biq_arena_alloc(st->req.arena, ((size_t)n + 1) * sizeof *l.items), 0,
                            (size_t)n};
    if (l.items == NULL) {
        snprintf(st->resp.message, sizeof st->resp.message, "out of memory");
        return 503;
    }
    MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, &l);
    return biq_http_check_framing(st->req.method, st->req.path, l.items,
                                  l.n < l.cap ? l.n : l.cap, out, st->resp.message,
                                  sizeof st->resp.message);
}

struct auth_headers {
    const char *first;
    unsigned count;
};

static enum MHD_Result count_auth(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    struct auth_headers *a = cls;
    (void)kind;
    if (strcasecmp(key, MHD_HTTP_HEADER_AUTHORIZATION) == 0) {
        if (a->count == 0)
            a->first = value;
        a->count++;
    }
    return MHD_YES;
}

static bool is_json_type(const char *type)
{
    static const char want[] = "application/json";
    if (type == NULL || strncasecmp(type, want, sizeof want - 1) != 0)
        return false;
    char next = type[sizeof want - 1];
    return next == '\0' || next == ';' || next == ' ';
}

/* Verifies the token and checks the caller against the route (security.md
 * §1, §2a), in the header phase: a refused request is answered before one
 * body byte is buffered. On failure st->resp holds the 401/403/400. */
static biq_err authorize(struct biq_server *srv, struct MHD_Connection *conn,
                         struct req_state *st)
{
    const biq_route *route = &srv->cfg.routes[st->route];
    struct auth_headers a = {NULL, 0};
    size_t reason = 0;
    biq_route_call call = {NULL, st->req.n_params > 0 ? st->req.params[0] : NULL, NULL};
    if (route->admits == 0)
        return BIQ_OK;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, count_auth, &a);
    biq_err err = srv->cfg.authenticate(srv->cfg.app, a.first, a.count, &st->tenant, &reason);
    if (err != BIQ_OK) {
        biq_metrics_auth_reject(srv->cfg.metrics, reason);
        return biq_response_error(&st->resp, BIQ_ERR_UNAUTHORIZED, "missing or invalid token");
    }
    st->req.tenant = &st->tenant;
    call.tenant = &st->tenant;
    if (route->scope == BIQ_SCOPE_QUERY_PROJECT &&
        biq_request_query(&st->req, "project", &call.query_project) != BIQ_OK)
        return biq_response_error(&st->resp, BIQ_ERR_INVALID, "project: malformed query value");
    err = biq_route_admit(route, &call, st->resp.message, sizeof st->resp.message);
    if (err != BIQ_OK)
        st->resp.err = err;
    return err;
}

/* Checks that need only the request line and headers. Returns true when an
 * error response was queued. */
static bool early_checks(struct biq_server *srv, struct MHD_Connection *conn,
                         struct req_state *st, enum MHD_Result *ret)
{
    const biq_server_config *cfg = &srv->cfg;
    biq_http_framing framing;
    size_t n_params = 0;
    unsigned refused = check_framing(conn, st, &framing);

    if (refused != 0) {
        /* Nothing after these headers can be trusted to start a request. */
        char msg[BIQ_ERROR_MESSAGE_MAX];
        snprintf(msg, sizeof msg, "%s", st->resp.message);
        st->close = true;
        *ret = send_error(srv, conn, st, refused,
                          refused == 431 ? BIQ_ERR_TOO_LARGE
                          : refused == 503 ? BIQ_ERR_UNAVAILABLE
                                           : BIQ_ERR_INVALID,
                          msg);
        return true;
    }
    long long length = framing.content_length;
    st->match = biq_route_match(cfg->routes, cfg->n_routes, st->req.method, st->req.path,
                                st->req.arena, &st->route, st->req.params, &n_params);
    if (st->match == BIQ_ROUTE_FOUND && cfg->serves != NULL && !cfg->serves[st->route])
        st->match = BIQ_ROUTE_NO_PATH; /* served by the other listener */
    st->req.n_params = n_params;
    if (st->match == BIQ_ROUTE_FOUND || st->match == BIQ_ROUTE_NO_METHOD)
        st->req.route = cfg->routes[st->route].pattern;
    if (st->match != BIQ_ROUTE_FOUND) {
        if (st->match != BIQ_ROUTE_NO_METHOD)
            st->route = cfg->n_routes;
        return false; /* answered after the body, see dispatch() */
    }
    if (authorize(srv, conn, st) != BIQ_OK) {
        *ret = send_response(srv, conn, st);
        return true;
    }
    st->max_body = cfg->routes[st->route].max_body;
    if (length > 0 && (unsigned long long)length > st->max_body) {
        char msg[96];
        snprintf(msg, sizeof msg, "request body larger than %zu bytes", st->max_body);
        *ret = send_error(srv, conn, st, 413, BIQ_ERR_TOO_LARGE, msg);
        return true;
    }
    /* A known length is reserved whole now, so that a full budget is
     * answered before the client sends the body. */
    if (length > 0 && !reserve_body(srv, st, (size_t)length + 1)) {
        st->close = true;
        *ret = send_error(srv, conn, st, 503, BIQ_ERR_UNAVAILABLE,
                          "too many request bodies in flight; retry");
        return true;
    }
    return false;
}

/* Appends upload bytes; false when the route's cap would be crossed or
 * the process's body budget is full (st->over_budget). The buffer is sized
 * to the reservation of a known length at once; a chunked body reserves
 * each growth before it is made. */
static bool append_body(struct biq_server *srv, struct req_state *st, const char *data,
                        size_t len)
{
    if (len > st->max_body - st->body_len)
        return false;
    if (st->body_len + len + 1 > st->body_cap) {
        size_t cap = st->body_cap == 0 ? BODY_INITIAL_CAP : st->body_cap;
        while (cap < st->body_len + len + 1)
            cap *= 2;
        if (cap > st->max_body + 1)
            cap = st->max_body + 1;
        if (st->body_cap == 0 && st->reserved >= st->body_len + len + 1)
            cap = st->reserved; /* Content-Length + 1, reserved in the header phase */
        if (cap > st->reserved && !reserve_body(srv, st, cap - st->reserved)) {
            st->over_budget = true;
            return false;
        }
        char *grown = realloc(st->body, cap);
        if (grown == NULL)
            return false;
        st->body = grown;
        st->body_cap = cap;
    }
    memcpy(st->body + st->body_len, data, len);
    st->body_len += len;
    st->body[st->body_len] = '\0';
    return true;
}

/* Runs once the whole body is in (the caller was admitted in the header
 * phase, see early_checks): routing errors, content type, the handler. */
static enum MHD_Result dispatch(struct biq_server *srv, struct MHD_Connection *conn,
                                struct req_state *st)
{
    static const char *const route_errors[] = {
        [BIQ_ROUTE_NO_PATH] = "no such route",
        [BIQ_ROUTE_NO_METHOD] = "method not allowed on this route",
        [BIQ_ROUTE_BAD_PATH] = "malformed path",
    };
    static const biq_err route_err_codes[] = {
        [BIQ_ROUTE_NO_PATH] = BIQ_ERR_NOT_FOUND,
        [BIQ_ROUTE_NO_METHOD] = BIQ_ERR_METHOD,
        [BIQ_ROUTE_BAD_PATH] = BIQ_ERR_INVALID,
    };
    if (st->match != BIQ_ROUTE_FOUND) {
        biq_response_error(&st->resp, route_err_codes[st->match], "%s", route_errors[st->match]);
        return send_response(srv, conn, st);
    }
    const biq_route *route = &srv->cfg.routes[st->route];
    biq_json_counts counts;
    bool large = st->body_len >= BIQ_HTTP_LARGE_BODY;
    if (st->body_len > 0 && !is_json_type(header(conn, MHD_HTTP_HEADER_CONTENT_TYPE))) {
        biq_response_error(&st->resp, BIQ_ERR_MEDIA_TYPE, "request body must be application/json");
        return send_response(srv, conn, st);
    }
    /* What the parse will cost is known from the bytes, before jansson
     * builds anything. */
    if (!biq_json_count(st->body != NULL ? st->body : "", st->body_len, BIQ_HTTP_JSON_VALUES_MAX,
                        BIQ_HTTP_JSON_CONTAINERS_MAX, &counts)) {
        biq_response_error(&st->resp, BIQ_ERR_TOO_LARGE,
                           "request body holds more than %d JSON values or %d objects and arrays",
                           BIQ_HTTP_JSON_VALUES_MAX, BIQ_HTTP_JSON_CONTAINERS_MAX);
        return send_response(srv, conn, st);
    }
    if (large && !take_parse_slot(srv)) {
        biq_response_error(&st->resp, BIQ_ERR_UNAVAILABLE,
                           "too many large requests being handled; retry");
        return send_response(srv, conn, st);
    }
    st->req.body = st->body != NULL ? st->body : "";
    st->req.body_len = st->body_len;
    biq_err err = route->handler(srv->cfg.app, &st->req, &st->resp);
    if (large)
        atomic_fetch_sub(&srv->large_parses, 1);
    if (err != BIQ_OK && st->resp.err == BIQ_OK)
        st->resp.err = err;
    return send_response(srv, conn, st);
}

/* Takes one piece of the body. libmicrohttpd 0.9.75 cannot queue a
 * response before the body is consumed, so a body that outgrows its cap is
 * read and dropped (up to BODY_DISCARD_FACTOR times the cap) and answered
 * 413 at its end; past that, or past the request deadline, the connection
 * is closed. */
static enum MHD_Result on_upload(struct biq_server *srv, struct req_state *st, const char *data,
                                 size_t *size)
{
    size_t len = *size;
    *size = 0;
    if (elapsed_s(&st->start) * 1000 > BIQ_HTTP_REQUEST_DEADLINE_MS) {
        st->status = 408;
        return MHD_NO;
    }
    if (st->queued || st->match != BIQ_ROUTE_FOUND)
        return MHD_YES; /* an answer is already decided: drop the bytes */
    if (!st->too_large && !st->over_budget && append_body(srv, st, data, len))
        return MHD_YES;
    if (!st->over_budget)
        st->too_large = true;
    free(st->body); /* nothing of it will be used */
    st->body = NULL;
    st->body_len = st->body_cap = 0;
    st->discarded += len;
    if (st->discarded / BODY_DISCARD_FACTOR > st->max_body) {
        st->status = 413;
        return MHD_NO;
    }
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    struct biq_server *srv = cls;
    struct req_state *st = *con_cls;
    enum MHD_Result ret = MHD_YES;
    (void)version;

    if (st == NULL) {
        st = state_new(srv, conn, url, method);
        if (st == NULL)
            return MHD_NO; /* out of memory: drop the connection */
        *con_cls = st;
        atomic_fetch_add(&srv->in_flight, 1);
        early_checks(srv, conn, st, &ret);
        return ret;
    }
    if (*upload_data_size > 0)
        return on_upload(srv, st, upload_data, upload_data_size);
    if (st->queued)
        return MHD_YES;
    if (st->over_budget) {
        st->close = true;
        return send_error(srv, conn, st, 503, BIQ_ERR_UNAVAILABLE,
                          "too many request bodies in flight; retry");
    }
    if (st->too_large) {
        char msg[96];
        snprintf(msg, sizeof msg, "request body larger than %zu bytes", st->max_body);
        return send_error(srv, conn, st, 413, BIQ_ERR_TOO_LARGE, msg);
    }
    return dispatch(srv, conn, st);
}

/* Counts and logs a request once: when its answer is queued (so that a
 * client reading /metrics right after sees it), or at completion for a
 * request that never got one. The duration is the server's work, up to the
 * answer being handed to libmicrohttpd. */
static void account(struct biq_server *srv, struct req_state *st, int terminated)
{
    if (st->accounted)
        return;
    st->accounted = true;
    double seconds = elapsed_s(&st->start);
    unsigned status = st->status; /* 0: the client left before an answer */
    biq_metrics_request(srv->cfg.metrics, st->route, status, seconds);
    json_t *fields = json_pack("{s:s,s:s,s:I,s:f,s:s}", "method", st->req.method, "route",
                               st->req.route, "status", (json_int_t)status, "duration_ms",
                               seconds * 1000.0, "request_id", st->req.request_id);
    if (fields != NULL && terminated != MHD_REQUEST_TERMINATED_COMPLETED_OK)
        json_object_set_new(fields, "terminated", json_integer(terminated));
    if (fields != NULL && st->req.tenant != NULL && st->req.tenant->jti[0] != '\0')
        json_object_set_new(fields, "jti", json_string(st->req.tenant->jti));
    biq_log_write(srv->cfg.log, status >= 500 || status == 0 ? BIQ_LOG_WARN : BIQ_LOG_INFO,
                  "request", fields);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct biq_server *srv = cls;
    struct req_state *st = *con_cls;
    (void)conn;
    if (st == NULL)
        return;
    account(srv, st, (int)toe);
    bool large = st->body_cap >= BIQ_HTTP_LARGE_BODY || st->discarded >= BIQ_HTTP_LARGE_BODY;
    state_free(srv, st);
    *con_cls = NULL;
    /* The body and its parse went back to malloc; hand the pages to the
     * system too, or a few large requests keep the peak for good. */
    if (large)
        malloc_trim(0);
    atomic_fetch_sub(&srv->in_flight, 1);
}

__attribute__((format(printf, 2, 0))) static void on_mhd_log(void *cls, const char *fmt,
                                                          va_list ap)
{
    struct biq_server *srv = cls;
    char text[512];
    vsnprintf(text, sizeof text, fmt, ap);
    size_t n = strlen(text);
    while (n > 0 && text[n - 1] == '\n')
        text[--n] = '\0';
    biq_log_write(srv->cfg.log, BIQ_LOG_DEBUG, "libmicrohttpd", json_pack("{s:s}", "detail", text));
}

/* MHD would percent-decode the path and query before we see them, leaving
 * bad escapes in place and making "%2F" indistinguishable from "/". We
 * keep the raw text and decode strictly ourselves (router.c, response.c). */
static size_t keep_escaped(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    return strlen(s);
}

/* ---- start and stop ------------------------------------------------------ */

/* The connection limit must stay below the descriptor limit, with room for
 * database sockets: raise the soft limit as far as the hard one allows. */
static unsigned connection_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 256;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur <= FD_RESERVE * 2)
        return (unsigned)(rl.rlim_cur / 2);
    rlim_t room = rl.rlim_cur - FD_RESERVE;
    return room < BIQ_HTTP_CONNECTIONS_MAX ? (unsigned)room : BIQ_HTTP_CONNECTIONS_MAX;
}

static biq_err resolve(const char *name, const char *host, unsigned port,
                       struct sockaddr_storage *addr, unsigned *flags, char *why, size_t why_len)
{
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST, .ai_socktype = SOCK_STREAM};
    struct addrinfo *ai = NULL;
    if (getaddrinfo(host, NULL, &hints, &ai) != 0 || ai == NULL) {
        snprintf(why, why_len, "%s: '%s' is not a numeric IP address", name, host);
        return BIQ_ERR_CONFIG;
    }
    memset(addr, 0, sizeof *addr);
    memcpy(addr, ai->ai_addr, ai->ai_addrlen);
    if (ai->ai_family == AF_INET6) {
        ((struct sockaddr_in6 *)addr)->sin6_port = htons((uint16_t)port);
        *flags |= MHD_USE_IPv6;
    } else {
        ((struct sockaddr_in *)addr)->sin_port = htons((uint16_t)port);
    }
    freeaddrinfo(ai);
    return BIQ_OK;
}

/* Connections are accepted here, not by libmicrohttpd's workers, and handed
 * to the daemon with MHD_add_connection, which places a connection on the
 * worker (descriptor mod workers) that has room: consecutive connections
 * land on different workers. When every worker accepts for itself, the
 * first one woken takes a burst of new connections (up to 10 in a row) and
 * then serves them one after the other, since a handler holds its thread
 * until the response: measured with 16 keep-alive connections and 8
 * workers, runs had 1 to 4 busy workers, and as many events a batch
 * (docs/performance.md, "Events"). */
static void *accept_main(void *arg)
{
    biq_server *srv = arg;
    struct pollfd fds[2] = {{.fd = srv->listen_fd, .events = POLLIN},
                            {.fd = srv->stop_fd, .events = POLLIN}};
    for (;;) {
        if (poll(fds, 2, -1) < 0 && errno != EINTR)
            break;
        if (fds[1].revents != 0)
            break;
        if ((fds[0].revents & POLLIN) == 0)
            continue;
        struct sockaddr_storage peer;
        socklen_t len = sizeof peer;
        int fd = accept(srv->listen_fd, (struct sockaddr *)&peer, &len);
        if (fd >= 0 && (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 ||
                        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0)) {
            close(fd);
            continue;
        }
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                struct timespec pause = {0, ACCEPT_RETRY_MS * 1000000L};
                nanosleep(&pause, NULL);
            }
            continue; /* EAGAIN, ECONNABORTED, EINTR: the next one */
        }
        /* Refused (limits, memory): libmicrohttpd closes the socket. */
        (void)MHD_add_connection(srv->daemon, fd, (struct sockaddr *)&peer, len);
    }
    return NULL;
}

static int open_listener(const struct sockaddr_storage *addr)
{
    int one = 1;
    socklen_t len = addr->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                : sizeof(struct sockaddr_in);
    int fd = socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    bool ok = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0;
    if (ok && addr->ss_family == AF_INET6)
        ok = setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) == 0;
    ok = ok && bind(fd, (const struct sockaddr *)addr, len) == 0;
    ok = ok && listen(fd, BIQ_HTTP_LISTEN_BACKLOG) == 0;
    if (!ok) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Ends the acceptor and closes the listening socket (idempotent). */
static void stop_accepting(biq_server *srv)
{
    if (srv->accepting) {
        uint64_t one = 1;
        ssize_t w = write(srv->stop_fd, &one, sizeof one);
        (void)w; /* an eventfd write of 1 only fails past 2^64-2 */
        pthread_join(srv->acceptor, NULL);
        srv->accepting = false;
    }
    if (srv->listen_fd >= 0)
        close(srv->listen_fd);
    if (srv->stop_fd >= 0)
        close(srv->stop_fd);
    srv->listen_fd = srv->stop_fd = -1;
}

biq_err biq_server_start(const biq_server_config *cfg, biq_server **out, char *why,
                         size_t why_len)
{
    struct sockaddr_storage addr;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | MHD_USE_NO_LISTEN_SOCKET;
    biq_err err;
    *out = NULL;
    biq_server *srv = calloc(1, sizeof *srv);
    if (srv == NULL)
        return BIQ_ERR_NOMEM;
    srv->cfg = *cfg;
    srv->listen_fd = srv->stop_fd = -1;
    const char *name = cfg->name != NULL ? cfg->name : "BIQ_LISTEN";
    if ((err = resolve(name, cfg->host, cfg->port, &addr, &flags, why, why_len)) != BIQ_OK) {
        free(srv);
        return err;
    }
    if ((srv->listen_fd = open_listener(&addr)) < 0) {
        snprintf(why, why_len, "%s: cannot listen on %s:%u (address in use or not allowed)",
                 name, cfg->host, cfg->port);
        free(srv);
        return BIQ_ERR_IO;
    }
    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, srv,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv, /* first: nothing raw on stderr */
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)cfg->workers,
        MHD_OPTION_CONNECTION_LIMIT, connection_limit(),
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)BIQ_HTTP_PER_IP_CONNECTIONS,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)BIQ_HTTP_IDLE_TIMEOUT_S,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)BIQ_HTTP_HEADER_MEMORY,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_UNESCAPE_CALLBACK, keep_escaped, NULL,
        MHD_OPTION_END);
    srv->stop_fd = srv->daemon != NULL ? eventfd(0, EFD_CLOEXEC) : -1;
    srv->accepting = srv->stop_fd >= 0 &&
                     pthread_create(&srv->acceptor, NULL, accept_main, srv) == 0;
    if (!srv->accepting) {
        snprintf(why, why_len, "%s: cannot start the HTTP workers on %s:%u", name, cfg->host,
                 cfg->port);
        stop_accepting(srv);
        if (srv->daemon != NULL)
            MHD_stop_daemon(srv->daemon);
        free(srv);
        return BIQ_ERR_IO;
    }
    *out = srv;
    return BIQ_OK;
}

unsigned biq_server_port(const biq_server *server)
{
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    if (server->listen_fd < 0 ||
        getsockname(server->listen_fd, (struct sockaddr *)&addr, &len) != 0)
        return 0;
    if (addr.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&addr)->sin6_port);
    return ntohs(((struct sockaddr_in *)&addr)->sin_port);
}

unsigned biq_server_in_flight(const biq_server *server)
{
    return atomic_load(&((biq_server *)server)->in_flight);
}

unsigned biq_server_drain(biq_server *server, unsigned timeout_ms)
{
    atomic_store(&server->draining, true);
    stop_accepting(server); /* no new connections; the open ones finish */
    for (unsigned waited = 0; waited < timeout_ms; waited += DRAIN_POLL_MS) {
        if (atomic_load(&server->in_flight) == 0)
            break;
        struct timespec pause = {0, DRAIN_POLL_MS * 1000000L};
        nanosleep(&pause, NULL);
    }
    return atomic_load(&server->in_flight);
}

void biq_server_stop(biq_server *server)
{
    if (server == NULL)
        return;
    stop_accepting(server);
    MHD_stop_daemon(server->daemon);
    free(server);
}
