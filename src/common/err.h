/* err.h - the one error type of BottleneckIQ.
 *
 * Every fallible function returns a biq_err. BIQ_OK is zero so that
 * `if ((err = f()) != BIQ_OK) goto out;` reads naturally. biq_strerror()
 * gives a stable, human-readable name; biq_err_http_status() maps an error
 * to the HTTP status the API answers with, so that an error is a response.
 */
#ifndef BIQ_ERR_H
#define BIQ_ERR_H

typedef enum biq_err {
    BIQ_OK = 0,
    BIQ_ERR_NOMEM,        /* an allocation failed */
    BIQ_ERR_INVALID,      /* malformed input (400) */
    BIQ_ERR_SHAPE,        /* valid JSON of the wrong shape (422) */
    BIQ_ERR_UNAUTHORIZED, /* token missing or rejected (401) */
    BIQ_ERR_FORBIDDEN,    /* token valid, resource not in its scope (403) */
    BIQ_ERR_NOT_FOUND,    /* no such resource (404) */
    BIQ_ERR_METHOD,       /* method not allowed on this route (405) */
    BIQ_ERR_TOO_LARGE,    /* a size limit was exceeded (413) */
    BIQ_ERR_MEDIA_TYPE,   /* body is not JSON (415) */
    BIQ_ERR_CONFLICT,     /* state does not allow the operation (409) */
    BIQ_ERR_LIMIT,        /* a count or depth limit was exceeded */
    BIQ_ERR_DB,           /* the database failed; a retry may help (503) */
    BIQ_ERR_UNAVAILABLE,  /* a dependency or resource is exhausted (503) */
    BIQ_ERR_IO,           /* a file or socket operation failed */
    BIQ_ERR_CONFIG,       /* configuration is missing or wrong */
    BIQ_ERR_CRYPTO,       /* the crypto library failed internally */
    BIQ_ERR_INTERNAL,     /* a bug: an invariant did not hold (500) */
    BIQ_ERR__COUNT
} biq_err;

/* Returns a static, never-NULL string naming err ("invalid input", ...).
 * Thread-safe. Unknown values give "unknown error". */
const char *biq_strerror(biq_err err);

/* Returns the snake_case code used in JSON error bodies ("bad_request", ...).
 * Static, never NULL, thread-safe. */
const char *biq_err_code(biq_err err);

/* Returns the HTTP status for err (400, 401, ..., 500). BIQ_OK gives 200. */
unsigned biq_err_http_status(biq_err err);

#endif
