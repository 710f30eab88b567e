/* headers.c - the framing rules of the header phase (see headers.h). */
#include "http/headers.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char CONTENT_LENGTH[] = "content-length";
static const char TRANSFER_ENCODING[] = "transfer-encoding";

/* Transfer codings of the IANA registry (RFC 9112 §7): refused with 400
 * when combined or alone (we take one chunked only); anything else is 501. */
static const char *const KNOWN_CODINGS[] = {"chunked", "compress", "deflate", "gzip",
                                            "identity", "x-compress", "x-gzip", "trailers"};

static bool is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool is_token(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!is_tchar((unsigned char)s[i]))
            return false;
    }
    return true;
}

/* A field value: visible characters, spaces and tabs; no CR, LF, NUL or
 * other control character (a bare CR is a line end to some proxies). */
static bool is_field_value(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
            return false;
    }
    return true;
}

/* The request target: no whitespace or control character. */
static bool is_target(const char *s)
{
    if (s[0] == '\0')
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p <= 0x20 || *p == 0x7f)
            return false;
    }
    return true;
}

static bool name_is(const char *name, const char *want)
{
    return strcasecmp(name, want) == 0;
}

/* libmicrohttpd 0.9.75 appends an obs-fold continuation to the previous
 * header's name ("Transfer-Encoding:\r\n chunked" arrives as the name
 * "Transfer-Encodingchunked"): a framing header name with anything after
 * it is refused, as a proxy would have read it as that header. */
static bool folded_framing_name(const char *name)
{
    size_t len = strlen(name);
    return (len > sizeof CONTENT_LENGTH - 1 &&
            strncasecmp(name, CONTENT_LENGTH, sizeof CONTENT_LENGTH - 1) == 0) ||
           (len > sizeof TRANSFER_ENCODING - 1 &&
            strncasecmp(name, TRANSFER_ENCODING, sizeof TRANSFER_ENCODING - 1) == 0);
}

/* Digits only, at most BIQ_HTTP_CONTENT_LENGTH_DIGITS_MAX of them. */
static bool parse_length(const char *v, long long *out)
{
    long long n = 0;
    size_t digits = 0;
    for (const char *p = v; *p != '\0'; p++) {
        if (*p < '0' || *p > '9' || ++digits > BIQ_HTTP_CONTENT_LENGTH_DIGITS_MAX)
            return false;
        n = n * 10 + (*p - '0');
    }
    *out = n;
    return digits > 0;
}

static bool known_coding(const char *s, size_t len)
{
    for (size_t i = 0; i < sizeof KNOWN_CODINGS / sizeof KNOWN_CODINGS[0]; i++) {
        if (strlen(KNOWN_CODINGS[i]) == len && strncasecmp(KNOWN_CODINGS[i], s, len) == 0)
            return true;
    }
    return false;
}

/* Classifies a Transfer-Encoding value that is not exactly "chunked":
 * 501 when a well-formed element names a coding we do not know, else 400.
 * Only the exact value "chunked" is accepted because that is the only one
 * libmicrohttpd reads as chunked (it neither trims, splits nor merges). */
static unsigned classify_coding(const char *v)
{
    for (const char *p = v;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        size_t len = strcspn(p, ",; \t");
        if (is_token(p, len) && !known_coding(p, len))
            return 501;
        p += strcspn(p, ","); /* past parameters and whitespace */
        if (*p == '\0')
            return 400;
        p++;
    }
}

static unsigned refuse(unsigned status, char *msg, size_t cap, const char *text)
{
    snprintf(msg, cap, "%s", text);
    return status;
}

unsigned biq_http_check_framing(const char *method, const char *url,
                                const biq_http_header *headers, size_t n,
                                biq_http_framing *out, char *msg, size_t cap)
{
    unsigned lengths = 0, encodings = 0;
    const char *te = NULL;
    out->content_length = -1;
    out->chunked = false;
    if (!is_token(method, strlen(method)))
        return refuse(400, msg, cap, "malformed request method");
    if (!is_target(url))
        return refuse(400, msg, cap, "malformed request target");
    for (size_t i = 0; i < n; i++) {
        const char *name = headers[i].name, *value = headers[i].value;
        if (name == NULL || value == NULL || !is_token(name, strlen(name)))
            return refuse(400, msg, cap,
                          "malformed header name (whitespace before a colon, or a folded line)");
        if (!is_field_value(value))
            return refuse(400, msg, cap, "header value holds a control character");
        if (folded_framing_name(name))
            return refuse(400, msg, cap, "folded Content-Length or Transfer-Encoding header");
        if (name_is(name, CONTENT_LENGTH)) {
            if (++lengths > 1)
                return refuse(400, msg, cap, "more than one Content-Length header");
            if (!parse_length(value, &out->content_length))
                return refuse(400, msg, cap, "Content-Length is malformed");
        } else if (name_is(name, TRANSFER_ENCODING)) {
            if (++encodings > 1)
                return refuse(400, msg, cap, "more than one Transfer-Encoding header");
            te = value;
        }
    }
    if (te == NULL)
        return 0;
    if (lengths > 0)
        return refuse(400, msg, cap, "Content-Length combined with Transfer-Encoding");
    if (strcasecmp(te, "chunked") == 0) {
        out->chunked = true;
        return 0;
    }
    if (classify_coding(te) == 501)
        return refuse(501, msg, cap, "unsupported transfer coding (only chunked is accepted)");
    return refuse(400, msg, cap, "Transfer-Encoding must be exactly one chunked");
}
