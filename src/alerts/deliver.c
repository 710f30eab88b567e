/* deliver.c - one alert message over SMTP or a webhook (see deliver.h). */
#include "alerts/deliver.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts/encode.h"

enum {
    MS_PER_S = 1000,
    NS_PER_MS = 1000000,
    HTTP_OK_MIN = 200,
    HTTP_OK_MAX = 299,
    HTTP_SERVER_ERROR = 500,
    SMTP_PERMANENT = 500, /* 5yz reply codes */
    ATTEMPTS_MAX = 2,
    ADDRESS_MAX = BIQ_ALERT_EMAIL_MAX + 3,
};

/* What a transfer sends (SMTP upload) and how much of the answer it keeps. */
typedef struct transfer {
    const char *upload;
    size_t upload_len, upload_pos;
    size_t received;
} transfer;

static size_t discard(char *ptr, size_t size, size_t nmemb, void *ctx)
{
    transfer *t = ctx;
    (void)ptr;
    t->received += size * nmemb;
    return t->received > BIQ_ALERT_RESPONSE_MAX ? 0 : size * nmemb;
}

static size_t read_upload(char *buf, size_t size, size_t nmemb, void *ctx)
{
    transfer *t = ctx;
    size_t n = size * nmemb, left = t->upload_len - t->upload_pos;
    n = n < left ? n : left;
    memcpy(buf, t->upload + t->upload_pos, n);
    t->upload_pos += n;
    return n;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / MS_PER_S, (ms % MS_PER_S) * NS_PER_MS};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* One TextRun in a RichTextBlock: text Teams shows as typed (encode.h). */
static json_t *teams_run(const char *text, bool bold)
{
    char *safe = biq_encode_teams_run(text);
    json_t *run = safe != NULL ? json_pack("{s:s,s:s}", "type", "TextRun", "text", safe) : NULL;
    free(safe);
    if (run != NULL && bold)
        json_object_set_new(run, "weight", json_string("Bolder"));
    return run != NULL ? json_pack("{s:s,s:[o]}", "type", "RichTextBlock", "inlines", run) : NULL;
}

/* The Adaptive Card's body: the subject in bold, then one block per line
 * of text (blank lines skipped). NULL when out of memory. */
static json_t *teams_blocks(const char *subject, const char *text)
{
    json_t *blocks = json_array();
    char *copy = strdup(text);
    bool ok = blocks != NULL && copy != NULL &&
              json_array_append_new(blocks, teams_run(subject, true)) == 0;
    for (char *line = copy, *next; ok && line != NULL; line = next) {
        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        if (line[0] != '\0')
            ok = json_array_append_new(blocks, teams_run(line, false)) == 0;
    }
    free(copy);
    if (!ok) {
        json_decref(blocks);
        return NULL;
    }
    return blocks;
}

/* The webhook body of kind for text, every value through its channel's
 * encoder (encode.h). malloc'd; NULL when out of memory. */
static char *webhook_body(const char *kind, const char *subject, const char *text)
{
    json_t *body = NULL;
    if (strcmp(kind, "slack") == 0) {
        size_t len = strlen(subject) + 1 + strlen(text) + 1;
        char *whole = malloc(len);
        char *safe = NULL;
        if (whole != NULL) {
            snprintf(whole, len, "%s\n%s", subject, text);
            safe = biq_encode_slack(whole);
        }
        body = safe != NULL ? json_pack("{s:s,s:b}", "text", safe, "mrkdwn", 0) : NULL;
        free(safe);
        free(whole);
    } else {
        json_t *blocks = teams_blocks(subject, text);
        body = blocks == NULL ? NULL
               : json_pack("{s:s,s:[{s:s,s:n,s:{s:s,s:s,s:s,s:o}}]}", "type", "message",
                           "attachments", "contentType",
                           "application/vnd.microsoft.card.adaptive", "contentUrl", "content",
                           "$schema", "http://adaptivecards.io/schemas/adaptive-card.json",
                           "type", "AdaptiveCard", "version", "1.4", "body", blocks);
    }
    char *s = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    return s;
}

/* An address for From: or the envelope: printable ASCII only, so no
 * value can end a header (the configured sender, a validated address). */
static bool address_ok(const char *a)
{
    if (a[0] == '\0')
        return false;
    for (const char *p = a; *p != '\0'; p++) {
        if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7F)
            return false;
    }
    return true;
}

/* RFC 5322 message for SMTP: the subject as an encoded header and the
 * body's lines through encode.h. NULL when out of memory, too large or an
 * address is not one. */
static char *email_message(const biq_alerts_config *cfg, const char *to, const char *subject,
                           const char *text)
{
    char *m = NULL;
    char *header = biq_encode_mail_header("Subject", subject);
    char *body = biq_encode_mail_body(text);
    if (header == NULL || body == NULL || !address_ok(cfg->smtp_from) || !address_ok(to))
        goto out;
    size_t len = strlen(cfg->smtp_from) + strlen(to) + strlen(header) + strlen(body) + 256;
    if (len > BIQ_ALERT_MESSAGE_MAX || (m = malloc(len)) == NULL)
        goto out;
    snprintf(m, len,
             "From: %s\r\nTo: %s\r\n%s\r\nMIME-Version: 1.0\r\n"
             "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
             "%s",
             cfg->smtp_from, to, header, body);
out:
    free(header);
    free(body);
    return m;
}

/* One attempt; *retry tells whether a second one may help. */
static bool attempt(CURL *c, transfer *t, bool http, bool *retry, char *detail, size_t len)
{
    t->upload_pos = 0;
    t->received = 0;
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (rc == CURLE_OK && (!http || (status >= HTTP_OK_MIN && status <= HTTP_OK_MAX))) {
        snprintf(detail, len, http ? "HTTP %ld" : "sent", status);
        return true;
    }
    if (rc == CURLE_OK) {
        snprintf(detail, len, "HTTP %ld", status);
        *retry = status >= HTTP_SERVER_ERROR;
        return false;
    }
    snprintf(detail, len, "%s", curl_easy_strerror(rc));
    /* Only the network's failures. libcurl reports an SMTP server's
     * permanent refusal (550 for a bad recipient) as a send error: with a
     * 5xx reply code it is final, like an HTTP 4xx. */
    if (status >= SMTP_PERMANENT)
        snprintf(detail, len, "SMTP %ld", status);
    *retry = status < SMTP_PERMANENT &&
             (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
              rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_SEND_ERROR ||
              rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING);
    return false;
}

/* How long one delivery may take: per attempt, and how many. */
typedef struct budget {
    long timeout_ms, connect_ms, backoff_ms;
    int attempts_max;
} budget;

/* Every send is bounded: connect and whole-transfer timeouts always set. */
static void common_options(CURL *c, const budget *b, transfer *t)
{
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     b->timeout_ms < b->connect_ms ? b->timeout_ms : b->connect_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, b->timeout_ms);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
}

static bool fits(char *dst, size_t size, const char *src)
{
    int n = snprintf(dst, size, "%s", src != NULL ? src : "");
    return n >= 0 && (size_t)n < size;
}

biq_err biq_alerts_config_init(biq_alerts_config *cfg, const char *hosts_extra,
                               const char *smtp_url, const char *smtp_from)
{
    *cfg = (biq_alerts_config){.timeout_ms = BIQ_ALERT_SEND_TIMEOUT_MS,
                               .backoff_ms = BIQ_ALERT_RETRY_BACKOFF_MS};
    bool ok = fits(cfg->hosts_extra, sizeof cfg->hosts_extra, hosts_extra) &&
              fits(cfg->smtp_url, sizeof cfg->smtp_url, smtp_url) &&
              fits(cfg->smtp_from, sizeof cfg->smtp_from, smtp_from);
    return ok ? BIQ_OK : BIQ_ERR_INVALID;
}

/* SMTP: envelope from the configuration, the target as the recipient. */
static struct curl_slist *setup_email(CURL *c, const biq_alerts_config *cfg, const char *to,
                                      transfer *t, const char *payload)
{
    char rcpt[ADDRESS_MAX];
    snprintf(rcpt, sizeof rcpt, "<%s>", to);
    struct curl_slist *list = curl_slist_append(NULL, rcpt);
    t->upload = payload;
    t->upload_len = strlen(payload);
    curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, cfg->smtp_from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, list);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(c, CURLOPT_READDATA, t);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    return list;
}

static struct curl_slist *setup_webhook(CURL *c, const char *url, const char *payload)
{
    struct curl_slist *list = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload);
    return list;
}

/* Why a send cannot even be tried, or NULL. */
static const char *unsendable(const biq_alerts_config *cfg, bool email, const char *kind,
                              const char *target)
{
    if (email && cfg->smtp_url[0] == '\0')
        return "e-mail is not configured (BIQ_SMTP_URL)";
    if (email && (!address_ok(cfg->smtp_from) || !address_ok(target)))
        return "not a deliverable address";
    if (!email && !biq_alert_url_allowed(kind, target, cfg->hosts_extra))
        return "webhook host not allowed";
    return NULL;
}

static biq_err deliver(const biq_alerts_config *cfg, const budget *b, const char *kind,
                       const char *target, const char *subject, const char *text,
                       biq_alert_outcome *out)
{
    biq_err err = BIQ_ERR_NOMEM;
    bool email = strcmp(kind, "email") == 0, retry = false;
    char *payload = NULL;
    struct curl_slist *list = NULL;
    transfer t = {0};
    CURL *c = NULL;
    const char *refusal = unsendable(cfg, email, kind, target);
    *out = (biq_alert_outcome){0};
    if (refusal != NULL) {
        snprintf(out->detail, sizeof out->detail, "%s", refusal);
        return BIQ_OK;
    }
    payload = email ? email_message(cfg, target, subject, text) : webhook_body(kind, subject, text);
    c = curl_easy_init();
    if (payload == NULL || c == NULL)
        goto out;
    common_options(c, b, &t);
    list = email ? setup_email(c, cfg, target, &t, payload) : setup_webhook(c, target, payload);
    if (list == NULL)
        goto out;
    do {
        if (out->attempts++ > 0)
            sleep_ms(b->backoff_ms);
        retry = false;
        out->ok = attempt(c, &t, !email, &retry, out->detail, sizeof out->detail);
    } while (!out->ok && retry && out->attempts < b->attempts_max);
    err = BIQ_OK;
out:
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    free(payload);
    return err;
}

biq_err biq_alert_deliver(const biq_alerts_config *cfg, const char *kind, const char *target,
                          const char *subject, const char *text, biq_alert_outcome *out)
{
    budget b = {.timeout_ms = cfg->timeout_ms, .connect_ms = BIQ_ALERT_CONNECT_TIMEOUT_MS,
                .backoff_ms = cfg->backoff_ms, .attempts_max = ATTEMPTS_MAX};
    return deliver(cfg, &b, kind, target, subject, text, out);
}

biq_err biq_alert_deliver_test(const biq_alerts_config *cfg, const char *kind, const char *target,
                               const char *subject, const char *text, biq_alert_outcome *out)
{
    long total = cfg->timeout_ms < BIQ_ALERT_TEST_TIMEOUT_MS ? cfg->timeout_ms
                                                            : (long)BIQ_ALERT_TEST_TIMEOUT_MS;
    budget b = {.timeout_ms = total, .connect_ms = BIQ_ALERT_TEST_CONNECT_TIMEOUT_MS,
                .backoff_ms = 0, .attempts_max = 1};
    return deliver(cfg, &b, kind, target, subject, text, out);
}
