/* client.c - one call to Anthropic's Messages API over libcurl (see
 * explain.h): bounded in time and size, one retry after a 429 or 5xx.
 * Never logs or reports the key, the request or the answer. */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "explain/explain.h"

enum {
    HEADER_MAX = BIQ_EXPLAIN_KEY_MAX + 32,
    MS_PER_S = 1000,
    NS_PER_MS = 1000000,
    HTTP_TOO_MANY = 429,
    HTTP_SERVER_ERROR = 500,
    HTTP_OK_MIN = 200,
    HTTP_OK_MAX = 299,
    RETRY_AFTER_S_MAX = 3600,
};

typedef struct response {
    char *data;
    size_t len;
    bool too_big;
    long retry_after_ms; /* -1: none */
} response;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ctx)
{
    response *r = ctx;
    size_t n = size * nmemb;
    if (r->len + n > BIQ_EXPLAIN_RESPONSE_MAX) {
        r->too_big = true;
        return 0; /* aborts the transfer */
    }
    char *grown = realloc(r->data, r->len + n + 1);
    if (grown == NULL)
        return 0;
    memcpy(grown + r->len, ptr, n);
    r->data = grown;
    r->len += n;
    r->data[r->len] = '\0';
    return n;
}

/* Only delta-seconds: an HTTP date would need a clock we do not trust. */
static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ctx)
{
    static const char NAME[] = "retry-after:";
    response *r = ctx;
    size_t n = size * nmemb;
    if (n > sizeof NAME - 1 && strncasecmp(ptr, NAME, sizeof NAME - 1) == 0) {
        char value[16] = "";
        size_t vlen = n - (sizeof NAME - 1);
        memcpy(value, ptr + sizeof NAME - 1, vlen < sizeof value - 1 ? vlen : sizeof value - 1);
        char *end = NULL;
        errno = 0;
        long s = strtol(value, &end, 10);
        if (errno == 0 && end != value && s >= 0 && s <= RETRY_AFTER_S_MAX)
            r->retry_after_ms = s * MS_PER_S;
    }
    return n;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / MS_PER_S, (ms % MS_PER_S) * NS_PER_MS};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static struct curl_slist *headers(const biq_explain_config *cfg)
{
    char key[HEADER_MAX];
    snprintf(key, sizeof key, "x-api-key: %s", cfg->api_key);
    /* "Expect:" stops libcurl from waiting for a 100-continue. */
    const char *lines[] = {key, "anthropic-version: " BIQ_EXPLAIN_API_VERSION,
                           "content-type: application/json", "Expect:"};
    struct curl_slist *h = NULL;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        struct curl_slist *t = curl_slist_append(h, lines[i]);
        if (t == NULL) {
            curl_slist_free_all(h);
            h = NULL;
            break;
        }
        h = t;
    }
    explicit_bzero(key, sizeof key);
    return h;
}

static void setup(CURL *c, const biq_explain_config *cfg, struct curl_slist *h, const char *body,
                  response *r)
{
    curl_easy_setopt(c, CURLOPT_URL, cfg->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, cfg->connect_timeout_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, cfg->total_timeout_ms);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
}

/* One attempt; *status is the HTTP status (0 when none came). */
static biq_explain_fallback attempt(CURL *c, response *r, long *status, char *why,
                                    size_t why_len)
{
    free(r->data);
    *r = (response){.retry_after_ms = -1};
    *status = 0;
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
        if (*status >= HTTP_OK_MIN && *status <= HTTP_OK_MAX)
            return BIQ_EXPLAIN_OK;
        snprintf(why, why_len, "HTTP status %ld", *status);
        return BIQ_EXPLAIN_HTTP_ERROR;
    }
    if (r->too_big) {
        snprintf(why, why_len, "response larger than %d bytes", BIQ_EXPLAIN_RESPONSE_MAX);
        return BIQ_EXPLAIN_BAD_RESPONSE;
    }
    snprintf(why, why_len, "%s", curl_easy_strerror(rc));
    return rc == CURLE_OPERATION_TIMEDOUT ? BIQ_EXPLAIN_TIMEOUT : BIQ_EXPLAIN_NETWORK;
}

biq_explain_fallback biq_explain_answer_text(const char *data, size_t len, char **text, char *why,
                                            size_t why_len)
{
    biq_explain_fallback f = BIQ_EXPLAIN_BAD_RESPONSE;
    json_t *root = data ? json_loadb(data, len, JSON_REJECT_DUPLICATES, NULL) : NULL;
    json_t *content = json_object_get(root, "content");
    size_t i;
    json_t *block;
    char buf[BIQ_EXPLAIN_SENTENCE_MAX * 2 + 1];
    size_t used = 0;
    buf[0] = '\0';
    if (!json_is_array(content)) {
        snprintf(why, why_len, "no content array in the answer");
        goto out;
    }
    json_array_foreach(content, i, block) {
        const char *type = json_string_value(json_object_get(block, "type"));
        json_t *t = json_object_get(block, "text");
        if (type == NULL || strcmp(type, "text") != 0 || !json_is_string(t))
            continue;
        size_t n = json_string_length(t);
        if (used + n >= sizeof buf || memchr(json_string_value(t), '\0', n) != NULL) {
            snprintf(why, why_len, "answer text too long or not text");
            goto out;
        }
        memcpy(buf + used, json_string_value(t), n);
        used += n;
        buf[used] = '\0';
    }
    if (used == 0) {
        snprintf(why, why_len, "no text block in the answer");
        goto out;
    }
    *text = strdup(buf);
    f = *text != NULL ? BIQ_EXPLAIN_OK : BIQ_EXPLAIN_INTERNAL;
out:
    json_decref(root);
    return f;
}

static bool retryable(biq_explain_fallback f, long status)
{
    return f == BIQ_EXPLAIN_HTTP_ERROR && (status == HTTP_TOO_MANY || status >= HTTP_SERVER_ERROR);
}

biq_explain_fallback biq_explain_call(const biq_explain_config *cfg, const json_t *body,
                                      char **text, char *why, size_t why_len)
{
    biq_explain_fallback f = BIQ_EXPLAIN_INTERNAL;
    response r = {.retry_after_ms = -1};
    long status = 0;
    char *payload = json_dumps(body, JSON_COMPACT);
    CURL *c = curl_easy_init();
    struct curl_slist *h = headers(cfg);
    *text = NULL;
    snprintf(why, why_len, "out of memory");
    if (payload == NULL || c == NULL || h == NULL)
        goto out;
    setup(c, cfg, h, payload, &r);
    f = attempt(c, &r, &status, why, why_len);
    if (retryable(f, status)) {
        long wait = r.retry_after_ms >= 0 ? r.retry_after_ms : BIQ_EXPLAIN_BACKOFF_MS;
        sleep_ms(wait < cfg->retry_wait_max_ms ? wait : cfg->retry_wait_max_ms);
        f = attempt(c, &r, &status, why, why_len);
    }
    if (f == BIQ_EXPLAIN_OK)
        f = biq_explain_answer_text(r.data, r.len, text, why, why_len);
out:
    free(r.data);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(payload);
    return f;
}
