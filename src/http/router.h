/* router.h - the route table and path matching.
 *
 * A route is a method and a pattern of literal segments and {name}
 * parameters ("/api/v1/projects/{key}/dashboard"). Matching is exact per
 * segment; parameters are percent-decoded, bounded and must not contain
 * '/', NUL or control characters. Pure: no I/O, thread-safe.
 */
#ifndef BIQ_HTTP_ROUTER_H
#define BIQ_HTTP_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "http/request.h"

enum {
    BIQ_PATH_MAX = 1024,          /* longer paths are refused (414) */
    BIQ_PATH_SEGMENTS_MAX = 16,
    BIQ_PARAM_MAX = 255,          /* bytes of one decoded parameter */
};

/* A handler answers into resp. app is the server's application context. */
typedef biq_err (*biq_handler)(void *app, biq_request *req, biq_response *resp);

typedef struct biq_route {
    const char *method;
    const char *pattern;
    biq_handler handler;
    bool needs_token;  /* false only for /healthz, /readyz, /metrics */
    size_t max_body;   /* bytes; 0 = no body accepted */
} biq_route;

typedef enum biq_route_result {
    BIQ_ROUTE_FOUND,
    BIQ_ROUTE_NO_PATH,     /* 404 */
    BIQ_ROUTE_NO_METHOD,   /* 405: the path exists for another method */
    BIQ_ROUTE_BAD_PATH,    /* 400: bad escape, too long, bad characters */
} biq_route_result;

/* Finds the route for method and path (no query string). On FOUND, *index
 * is the route's position and params[0..*n_params) its decoded parameters,
 * allocated from arena. On NO_METHOD, *index is a route with that path. */
biq_route_result biq_route_match(const biq_route *routes, size_t n_routes, const char *method,
                                 const char *path, biq_arena *arena, size_t *index,
                                 const char **params, size_t *n_params);

/* Percent-decodes src[0..len) into an arena string. Returns NULL on a bad
 * escape, a decoded NUL or control character, or more than max_len bytes.
 * '+' stays '+' (paths, and our query values, do not use form encoding). */
char *biq_percent_decode(biq_arena *arena, const char *src, size_t len, size_t max_len);

#endif
