/* server.h - the HTTP server: libmicrohttpd with every limit set.
 *
 * Thread pool + epoll with `workers` threads; handlers block on the
 * database, so the pool of database connections is sized to match. The
 * server bounds everything a client controls (connections, per-IP
 * connections, idle time, header bytes, body bytes per route, whole-request
 * time), refuses any request that can be read two ways (http/headers.h),
 * authenticates each request that needs it through the authenticate
 * callback in the header phase (before one body byte is kept), bounds the
 * memory of bodies for the whole process (bytes in flight, JSON values per
 * body counted before parsing, large parses at once; memory handed back
 * after a large request) and turns every failure into the JSON error shape
 * of api.md. One JSON log line per request.
 */
#ifndef BIQ_HTTP_SERVER_H
#define BIQ_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/tenant.h"
#include "common/err.h"
#include "common/log.h"
#include "http/metrics.h"
#include "http/router.h"

enum {
    BIQ_HTTP_CONNECTIONS_MAX = 2048,     /* kept below the fd limit, see server.c */
    BIQ_HTTP_PER_IP_CONNECTIONS = 1024,  /* Forge calls come from few addresses */
    BIQ_HTTP_IDLE_TIMEOUT_S = 30,        /* no byte for this long closes */
    BIQ_HTTP_REQUEST_DEADLINE_MS = 60000, /* whole request, against drip-feeding */
    BIQ_HTTP_HEADER_MEMORY = 32 * 1024,  /* request line + headers per connection */
    BIQ_HTTP_AUTH_HEADER_MAX = 8 * 1024, /* a FIT is 1-2 KiB */
    BIQ_HTTP_LISTEN_BACKLOG = 1024,
    BIQ_HTTP_DRAIN_TIMEOUT_MS = 25000,   /* Forge gives up on a call after 25 s */
    BIQ_HTTP_HEADER_FIELDS_MAX = 100,    /* header fields per request (431 beyond), as h2o */
    /* The memory budget of the whole process (issue 12, security.md §6). */
    BIQ_HTTP_BODY_BYTES_IN_FLIGHT_MAX = 64 * 1024 * 1024, /* all bodies being received or
                                                           * handled; beyond: 503 */
    BIQ_HTTP_JSON_VALUES_MAX = 262144,   /* per body: 4x the largest page measured (65,957) */
    BIQ_HTTP_JSON_CONTAINERS_MAX = 32768, /* objects + arrays per body: 4.8x (6,841) */
    BIQ_HTTP_LARGE_BODY = 256 * 1024,    /* a body this size or more is a large parse */
    BIQ_HTTP_LARGE_PARSES_MAX = 2,       /* large parses at once; beyond: 503 */
    BIQ_HTTP_RETRY_AFTER_S = 1,          /* on every 503 (Forge retries with backoff) */
};

/* Verifies the Authorization header(s) of a request. value is the first
 * Authorization header (NULL when none) and count how many there were. On
 * success fills out and returns BIQ_OK; otherwise returns
 * BIQ_ERR_UNAUTHORIZED with *reason set to a metrics reason index. */
typedef biq_err (*biq_authenticate_fn)(void *app, const char *value, unsigned count,
                                       biq_tenant_ctx *out, size_t *reason);

typedef struct biq_server_config {
    const char *host;          /* numeric IPv4 or IPv6 address */
    unsigned port;             /* 0: any free port, see biq_server_port() */
    unsigned workers;
    const biq_route *routes;   /* must outlive the server */
    size_t n_routes;
    void *app;                 /* passed to handlers and authenticate */
    biq_authenticate_fn authenticate;
    biq_log *log;
    biq_metrics *metrics;
    const bool *serves;        /* n_routes flags: the routes this listener serves (others
                                * are 404); NULL = all. Lets a second listener share the
                                * route table and its metric indices. */
    const char *name;          /* for messages: "BIQ_LISTEN" when NULL */
} biq_server_config;

typedef struct biq_server biq_server;

/* Starts listening and serving. BIQ_ERR_IO (address in use, ...) or
 * BIQ_ERR_CONFIG with a message in why. */
biq_err biq_server_start(const biq_server_config *cfg, biq_server **out, char *why,
                         size_t why_len);

/* The port actually bound. */
unsigned biq_server_port(const biq_server *server);

/* Requests started but not yet completed. */
unsigned biq_server_in_flight(const biq_server *server);

/* Stops accepting new connections and waits up to timeout_ms for the
 * requests in flight to complete. Returns how many were still in flight. */
unsigned biq_server_drain(biq_server *server, unsigned timeout_ms);

/* Stops the daemon (closing what is left) and frees the server. */
void biq_server_stop(biq_server *server);

#endif
