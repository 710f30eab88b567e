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

/* What a route's data is bound to, checked by biq_route_admit for the
 * classes that are scoped (viewers and project admins: their token's
 * project; site admins and the platform: the whole tenant). */
typedef enum biq_route_scope {
    BIQ_SCOPE_TENANT = 0,    /* no binding beyond the tenant */
    BIQ_SCOPE_PROJECT,       /* params[0] is a project key: a scoped caller's own */
    BIQ_SCOPE_ISSUE,         /* params[0] is the issue key or id of the token's context */
    BIQ_SCOPE_QUERY_PROJECT, /* ?project= is required: a scoped caller's own */
} biq_route_scope;

typedef struct biq_route {
    const char *method;
    const char *pattern;
    biq_handler handler;
    unsigned admits;       /* biq_caller_class bits; 0 = public, no token read */
    biq_route_scope scope;
    size_t max_body;       /* bytes; 0 = no body accepted */
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

/* What the authorization check reads of one request. */
typedef struct biq_route_call {
    const biq_tenant_ctx *tenant; /* the verified token; NULL when none */
    const char *param;            /* params[0] decoded, or NULL */
    const char *query_project;    /* ?project= decoded, or NULL (BIQ_SCOPE_QUERY_PROJECT) */
} biq_route_call;

/* The one authorization check (security.md §2a), run after the token is
 * verified and before one body byte is read: BIQ_OK when the caller class
 * is in route->admits and the caller keeps to the route's scope (or the
 * route is public). Otherwise BIQ_ERR_FORBIDDEN with a message naming the
 * classes the route admits (or the scope rule broken) in msg[0..cap), or
 * BIQ_ERR_INVALID when the scoped ?project= is missing. Pure, thread-safe. */
biq_err biq_route_admit(const biq_route *route, const biq_route_call *call, char *msg,
                        size_t cap);

/* Percent-decodes src[0..len) into an arena string. Returns NULL on a bad
 * escape, a decoded NUL or control character, or more than max_len bytes.
 * '+' stays '+' (paths, and our query values, do not use form encoding). */
char *biq_percent_decode(biq_arena *arena, const char *src, size_t len, size_t max_len);

#endif
