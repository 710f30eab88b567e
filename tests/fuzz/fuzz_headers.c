/* fuzz_headers.c - the header phase's framing rules (http/headers.h).
 *
 * Input: a raw request head, "METHOD TARGET VERSION" then header lines,
 * split as libmicrohttpd 0.9.75 splits them (lines end at LF, a CR before
 * it dropped; the name is everything before the first colon, kept as is,
 * spaces included; the value skips leading spaces and tabs; a line without
 * a colon ends the list). Seeded with the desync corpus of
 * tests/integration/test_desync.c.
 * Properties: the status is 0, 400, 431 or 501; an accepted request has at
 * most one Content-Length and at most one Transfer-Encoding, never both,
 * every name a token, and its framing is what its headers say (chunked
 * only for exactly "chunked", the length the header's digits); 501 only
 * with a Transfer-Encoding header.
 */
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "http/headers.h"

enum { FIELDS_MAX = 128, MSG_MAX = BIQ_HTTP_FRAMING_MESSAGE_MAX };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static char *next_line(char **p)
{
    char *line = *p, *lf = strchr(line, '\n');
    if (lf == NULL) {
        *p = line + strlen(line);
    } else {
        *lf = '\0';
        *p = lf + 1;
    }
    size_t n = strlen(line);
    if (n > 0 && line[n - 1] == '\r')
        line[n - 1] = '\0';
    return line;
}

static void check(const char *method, const char *target, const biq_http_header *h, size_t n)
{
    biq_http_framing f;
    char msg[MSG_MAX];
    unsigned status = biq_http_check_framing(method, target, h, n, &f, msg, sizeof msg);
    unsigned lengths = 0, encodings = 0;
    const char *te = NULL;
    for (size_t i = 0; i < n; i++) {
        lengths += strcasecmp(h[i].name, "content-length") == 0;
        if (strcasecmp(h[i].name, "transfer-encoding") == 0) {
            encodings++;
            te = h[i].value;
        }
    }
    FUZZ_CHECK(status == 0 || status == 400 || status == 501);
    FUZZ_CHECK(status == 0 || (msg[0] != '\0' && strlen(msg) < sizeof msg));
    if (status == 501)
        FUZZ_CHECK(te != NULL);
    if (status != 0)
        return;
    FUZZ_CHECK(lengths <= 1 && encodings <= 1 && !(lengths == 1 && encodings == 1));
    FUZZ_CHECK(f.chunked == (te != NULL) && (te == NULL || strcasecmp(te, "chunked") == 0));
    FUZZ_CHECK((lengths == 1) == (f.content_length >= 0));
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(h[i].name[0] != '\0' && strpbrk(h[i].name, " \t\r\n:") == NULL);
        if (strcasecmp(h[i].name, "content-length") == 0) {
            long long v = 0;
            for (const char *p = h[i].value; *p != '\0'; p++) {
                FUZZ_CHECK(*p >= '0' && *p <= '9');
                v = v * 10 + (*p - '0');
            }
            FUZZ_CHECK(v == f.content_length);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    biq_http_header fields[FIELDS_MAX];
    size_t n = 0;
    char *text = malloc(size + 1);
    FUZZ_CHECK(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0';
    char *p = text, *line = next_line(&p);
    char *method = line, *target = strchr(line, ' ');
    if (target != NULL) {
        *target++ = '\0';
        char *version = strchr(target, ' ');
        if (version != NULL)
            *version = '\0';
    } else {
        target = (char *)"/";
    }
    while (*p != '\0' && n < FIELDS_MAX) {
        line = next_line(&p);
        char *colon = strchr(line, ':');
        if (colon == NULL)
            break;
        *colon = '\0';
        char *value = colon + 1;
        while (*value == ' ' || *value == '\t')
            value++;
        fields[n++] = (biq_http_header){line, value};
    }
    check(method, target, fields, n);
    free(text);
    return 0;
}
