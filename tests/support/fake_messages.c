/* fake_messages.c - the fake Messages API of fake_messages.h. */
#include "fake_messages.h"

#include <arpa/inet.h>
#include <check.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { SLEEP_STEP_MS = 20, NS_PER_MS = 1000000, CONNECTIONS_MAX = 32, TEXT_MAX = 4096 };

struct fake_messages {
    struct MHD_Daemon *daemon;
    unsigned port;
    pthread_mutex_t lock;
    atomic_bool stopping;
    fake_messages_mode mode;
    char text[TEXT_MAX];
    unsigned delay_ms;
    unsigned served; /* requests answered, for 429_ONCE */
    fake_messages_request requests[FAKE_MESSAGES_MAX_REQUESTS];
    size_t n_requests;
};

typedef struct pending {
    char *body;
    size_t len;
    bool too_big;
} pending;

static void header_copy(struct MHD_Connection *c, const char *name, char *dst, size_t len)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
    snprintf(dst, len, "%s", v != NULL ? v : "");
}

static void record(fake_messages *f, struct MHD_Connection *c, const char *method, pending *p)
{
    pthread_mutex_lock(&f->lock);
    if (f->n_requests < FAKE_MESSAGES_MAX_REQUESTS) {
        fake_messages_request *r = &f->requests[f->n_requests++];
        r->body = p->body != NULL ? p->body : strdup("");
        p->body = NULL;
        header_copy(c, "x-api-key", r->api_key, sizeof r->api_key);
        header_copy(c, "anthropic-version", r->version, sizeof r->version);
        header_copy(c, "content-type", r->content_type, sizeof r->content_type);
        snprintf(r->method, sizeof r->method, "%s", method);
    }
    pthread_mutex_unlock(&f->lock);
}

static void nap(fake_messages *f, unsigned ms)
{
    for (unsigned waited = 0; waited < ms && !atomic_load(&f->stopping); waited += SLEEP_STEP_MS) {
        struct timespec ts = {0, SLEEP_STEP_MS * NS_PER_MS};
        nanosleep(&ts, NULL);
    }
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *body,
                                 const char *retry_after)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "content-type", "application/json");
    if (retry_after != NULL)
        MHD_add_response_header(r, "retry-after", retry_after);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_message(struct MHD_Connection *c, const char *text)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:[{s:s,s:s}],s:s,s:{s:i,s:i}}", "id", "msg_fake",
                          "type", "message", "role", "assistant", "model", "fake", "content",
                          "type", "text", "text", text, "stop_reason", "end_turn", "usage",
                          "input_tokens", 1, "output_tokens", 1);
    char *s = json_dumps(o, JSON_COMPACT);
    enum MHD_Result ret = send_text(c, 200, s, NULL);
    free(s);
    json_decref(o);
    return ret;
}

static const char API_ERROR[] =
    "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"fake failure\"}}";
static const char RATE_ERROR[] =
    "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow down\"}}";

static enum MHD_Result answer(fake_messages *f, struct MHD_Connection *c)
{
    char text[TEXT_MAX];
    pthread_mutex_lock(&f->lock);
    fake_messages_mode mode = f->mode;
    unsigned delay = f->delay_ms, nth = f->served++;
    memcpy(text, f->text, sizeof text);
    pthread_mutex_unlock(&f->lock);
    switch (mode) {
    case FAKE_MESSAGES_FAIL_500:
        return send_text(c, 500, API_ERROR, NULL);
    case FAKE_MESSAGES_429_ONCE:
        if (nth == 0)
            return send_text(c, 429, RATE_ERROR, "1");
        return send_message(c, text);
    case FAKE_MESSAGES_SLOW:
        nap(f, delay);
        return send_message(c, text);
    case FAKE_MESSAGES_FAIL_404:
        return send_text(c, 404, API_ERROR, NULL);
    case FAKE_MESSAGES_NOT_JSON:
        return send_text(c, 200, "<html>oops</html>", NULL);
    case FAKE_MESSAGES_OK:
        break;
    }
    return send_message(c, text);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *data_size, void **state)
{
    fake_messages *f = cls;
    pending *p = *state;
    (void)url;
    (void)version;
    if (p == NULL) {
        p = calloc(1, sizeof *p);
        *state = p;
        return p != NULL ? MHD_YES : MHD_NO;
    }
    if (*data_size > 0) {
        size_t n = *data_size;
        char *grown = p->len + n <= FAKE_MESSAGES_BODY_MAX ? realloc(p->body, p->len + n + 1) : NULL;
        if (grown == NULL) {
            p->too_big = true;
        } else {
            memcpy(grown + p->len, data, n);
            p->body = grown;
            p->len += n;
            p->body[p->len] = '\0';
        }
        *data_size = 0;
        return MHD_YES;
    }
    record(f, c, method, p);
    if (strcmp(method, "POST") != 0 || p->too_big)
        return send_text(c, 400, API_ERROR, NULL);
    return answer(f, c);
}

static void completed(void *cls, struct MHD_Connection *c, void **state,
                      enum MHD_RequestTerminationCode code)
{
    (void)cls;
    (void)c;
    (void)code;
    pending *p = *state;
    if (p != NULL)
        free(p->body);
    free(p);
    *state = NULL;
}

fake_messages *fake_messages_start(const char *text)
{
    fake_messages *f = calloc(1, sizeof *f);
    ck_assert_ptr_nonnull(f);
    pthread_mutex_init(&f->lock, NULL);
    snprintf(f->text, sizeof f->text, "%s", text);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    f->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL, handle, f,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)CONNECTIONS_MAX, MHD_OPTION_NOTIFY_COMPLETED, completed, f, MHD_OPTION_END);
    ck_assert_msg(f->daemon != NULL, "fake Messages API did not start");
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(f->daemon, MHD_DAEMON_INFO_BIND_PORT);
    ck_assert_ptr_nonnull(info);
    f->port = info->port;
    return f;
}

void fake_messages_url(const fake_messages *f, char *out, size_t out_len)
{
    snprintf(out, out_len, "http://127.0.0.1:%u/v1/messages", f->port);
}

void fake_messages_hosts_env(const fake_messages *f, char *out, size_t out_len)
{
    snprintf(out, out_len, "BIQ_ALERT_HOSTS_EXTRA=127.0.0.1:%u", f->port);
}

void fake_messages_set(fake_messages *f, fake_messages_mode mode, const char *text,
                       unsigned delay_ms)
{
    pthread_mutex_lock(&f->lock);
    f->mode = mode;
    f->delay_ms = delay_ms;
    f->served = 0;
    if (text != NULL)
        snprintf(f->text, sizeof f->text, "%s", text);
    pthread_mutex_unlock(&f->lock);
}

size_t fake_messages_count(fake_messages *f)
{
    pthread_mutex_lock(&f->lock);
    size_t n = f->n_requests;
    pthread_mutex_unlock(&f->lock);
    return n;
}

void fake_messages_get(fake_messages *f, size_t i, fake_messages_request *out)
{
    pthread_mutex_lock(&f->lock);
    ck_assert_uint_lt(i, f->n_requests);
    *out = f->requests[i];
    out->body = strdup(f->requests[i].body);
    pthread_mutex_unlock(&f->lock);
    ck_assert_ptr_nonnull(out->body);
}

void fake_messages_request_free(fake_messages_request *r)
{
    free(r->body);
    r->body = NULL;
}

void fake_messages_stop(fake_messages *f)
{
    if (f == NULL)
        return;
    atomic_store(&f->stopping, true);
    MHD_stop_daemon(f->daemon);
    for (size_t i = 0; i < f->n_requests; i++)
        free(f->requests[i].body);
    pthread_mutex_destroy(&f->lock);
    free(f);
}
