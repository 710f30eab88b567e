/* request.h - what a handler sees of an HTTP request, and what it answers.
 *
 * A biq_request lives for one request; its strings and the arena are freed
 * by the server when the request completes, whatever happened (h2o-style
 * per-request pool). Handlers fill a biq_response: a JSON body, a text body,
 * or an error (biq_response_error) that the server turns into the JSON error
 * shape of api.md. A handler that returns an error without setting a message
 * gets the generic text of that error.
 */
#ifndef BIQ_HTTP_REQUEST_H
#define BIQ_HTTP_REQUEST_H

#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>

#include "auth/tenant.h"
#include "common/arena.h"
#include "common/err.h"

enum {
    BIQ_ROUTE_PARAMS_MAX = 4,
    BIQ_REQUEST_ID_LEN = 16,      /* hex characters */
    BIQ_ERROR_MESSAGE_MAX = 512,
};

struct MHD_Connection;

typedef struct biq_request {
    const char *method;
    const char *path;         /* without the query string */
    const char *route;        /* the matched route pattern, for logs */
    const char *params[BIQ_ROUTE_PARAMS_MAX]; /* decoded {name} segments, in order */
    size_t n_params;
    const char *body;         /* NUL-terminated; body_len bytes (may hold NULs) */
    size_t body_len;
    const biq_tenant_ctx *tenant; /* the verified token; NULL on public routes */
    biq_arena *arena;         /* per-request memory */
    char request_id[BIQ_REQUEST_ID_LEN + 1];
    struct MHD_Connection *connection; /* private to the server */
} biq_request;

typedef struct biq_response {
    unsigned status;          /* 0 until set */
    json_t *json;             /* owned; sent as application/json */
    const char *text;         /* or a text body from the request arena */
    size_t text_len;
    const char *content_type; /* of text */
    const char *content_disposition; /* optional, for downloads */
    unsigned retry_after_s;   /* > 0: sent as Retry-After (with a 429 or 503) */
    biq_err err;              /* BIQ_OK unless an error was set */
    char message[BIQ_ERROR_MESSAGE_MAX];
} biq_response;

enum { BIQ_QUERY_VALUE_MAX = 1024 };

/* Looks query parameter name up: *value is its percent-decoded text (from
 * the request arena), or NULL when absent. BIQ_ERR_INVALID when the value
 * has a bad escape, a control character or exceeds BIQ_QUERY_VALUE_MAX;
 * BIQ_ERR_NOMEM. */
biq_err biq_request_query(const biq_request *req, const char *name, const char **value);

/* Sets a JSON body with status; steals body. */
void biq_response_json(biq_response *resp, unsigned status, json_t *body);

/* Records an error and a printf-style message (no token, no secret, no
 * tenant data in it) and returns err, so handlers can `return
 * biq_response_error(resp, BIQ_ERR_INVALID, "window: ...");`. */
biq_err biq_response_error(biq_response *resp, biq_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
