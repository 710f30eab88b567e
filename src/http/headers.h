/* headers.h - one reading of every request: the framing rules of the
 * header phase, as a pure function over what libmicrohttpd hands us (the
 * method, the request target and the header fields in arrival order).
 *
 * libmicrohttpd 0.9.75 refuses some malformed framing itself (a
 * Content-Length that is not a number, a header line without a colon, a
 * bad chunk size) but lets through what a proxy in front of us may read
 * differently (security.md §6, issue 12): two Content-Length headers (it
 * keeps the first), Content-Length with Transfer-Encoding (it reads the
 * body as chunked), duplicated or listed transfer codings, whitespace
 * before a colon (it keeps "Transfer-Encoding " as the name), obs-fold (it
 * glues the continuation onto the previous header's *name*) and unknown
 * codings (it reads the body until the connection closes). This module
 * refuses all of those; the server answers and closes the connection.
 * Pure, no allocation, thread-safe.
 */
#ifndef BIQ_HTTP_HEADERS_H
#define BIQ_HTTP_HEADERS_H

#include <stdbool.h>
#include <stddef.h>

enum {
    BIQ_HTTP_CONTENT_LENGTH_DIGITS_MAX = 18, /* below LLONG_MAX, far above any cap */
    BIQ_HTTP_FRAMING_MESSAGE_MAX = 160,
};

typedef struct biq_http_header {
    const char *name;  /* as received (libmicrohttpd keeps the case) */
    const char *value; /* leading whitespace already skipped by libmicrohttpd */
} biq_http_header;

typedef struct biq_http_framing {
    long long content_length; /* -1 when absent */
    bool chunked;             /* exactly one Transfer-Encoding: chunked */
} biq_http_framing;

/* Checks the request line and header fields headers[0..n) against the
 * framing rules above. Returns 0 when the request has one reading and
 * fills *out; otherwise the status to answer (400 Bad Request for
 * ambiguous or malformed framing, 501 Not Implemented for a transfer
 * coding we do not know) with a message for the client in msg[0..cap)
 * (no header value is echoed into it). method and url must not be NULL;
 * a NULL name or value counts as malformed. */
unsigned biq_http_check_framing(const char *method, const char *url,
                                const biq_http_header *headers, size_t n,
                                biq_http_framing *out, char *msg, size_t cap);

#endif
