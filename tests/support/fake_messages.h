/* fake_messages.h - a local fake of Anthropic's Messages API for tests:
 * libmicrohttpd on 127.0.0.1 (any free port), the real wire format (POST
 * JSON in; {"content":[{"type":"text","text":...}],...} out), able to fail
 * with 500 or 429, to be slow and to answer badly. It records every
 * request (body and the headers the client must send) so tests can prove
 * what left the backend. It doubles as a fake Slack / Teams webhook (it
 * records any POST). Aborts the test on setup failure. */
#ifndef BIQ_TEST_FAKE_MESSAGES_H
#define BIQ_TEST_FAKE_MESSAGES_H

#include <stddef.h>

typedef enum fake_messages_mode {
    FAKE_MESSAGES_OK = 0,       /* 200 with the configured text */
    FAKE_MESSAGES_FAIL_500,     /* every request: 500 */
    FAKE_MESSAGES_429_ONCE,     /* first request 429 with retry-after, then OK */
    FAKE_MESSAGES_SLOW,         /* OK after the configured delay */
    FAKE_MESSAGES_NOT_JSON,     /* 200 with a body that is not JSON */
    FAKE_MESSAGES_FAIL_404,     /* every request: 404 (a final refusal) */
} fake_messages_mode;

enum {
    FAKE_MESSAGES_MAX_REQUESTS = 64,
    FAKE_MESSAGES_BODY_MAX = 256 * 1024,
    FAKE_MESSAGES_HEADER_MAX = 256,
};

typedef struct fake_messages fake_messages;

typedef struct fake_messages_request {
    char *body; /* NUL-terminated */
    char api_key[FAKE_MESSAGES_HEADER_MAX];
    char version[FAKE_MESSAGES_HEADER_MAX];
    char content_type[FAKE_MESSAGES_HEADER_MAX];
    char method[16];
} fake_messages_request;

/* Starts the fake in FAKE_MESSAGES_OK mode answering text. */
fake_messages *fake_messages_start(const char *text);

/* "http://127.0.0.1:PORT/v1/messages" into out. */
void fake_messages_url(const fake_messages *f, char *out, size_t out_len);

/* "BIQ_ALERT_HOSTS_EXTRA=127.0.0.1:PORT" into out: the server setting that
 * lets webhook destinations target this fake (it doubles as Slack/Teams). */
void fake_messages_hosts_env(const fake_messages *f, char *out, size_t out_len);

/* Changes what the next requests get; text may be NULL to keep it. */
void fake_messages_set(fake_messages *f, fake_messages_mode mode, const char *text,
                       unsigned delay_ms);

/* Requests recorded so far, and a copy of the i-th (free with
 * fake_messages_request_free). */
size_t fake_messages_count(fake_messages *f);
void fake_messages_get(fake_messages *f, size_t i, fake_messages_request *out);
void fake_messages_request_free(fake_messages_request *r);

/* Stops the daemon (ending slow answers early) and frees everything. */
void fake_messages_stop(fake_messages *f);

#endif
