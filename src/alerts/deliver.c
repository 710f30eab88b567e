/* deliver.c - one alert message over SMTP or a webhook (see deliver.h). */
#include "alerts/deliver.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* The webhook body of kind for text. malloc'd. */
static char *webhook_body(const char *kind, const char *subject, const char *text)
{
    json_t *body;
    if (strcmp(kind, "slack") == 0) {
        body = json_pack("{s:s++}", "text", subject, "\n", text);
    } else {
        body = json_pack(
            "{s:s,s:[{s:s,s:n,s:{s:s,s:s,s:s,s:[{s:s,s:s,s:s,s:b},{s:s,s:s,s:b}]}}]}", "type",
            "message", "attachments", "contentType", "application/vnd.microsoft.card.adaptive",
            "contentUrl", "content", "$schema", "http://adaptivecards.io/schemas/adaptive-card.json",
            "type", "AdaptiveCard", "version", "1.4", "body", "type", "TextBlock", "weight",
            "Bolder", "text", subject, "wrap", 1, "type", "TextBlock", "text", text, "wrap", 1);
    }
    char *s = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    return s;
}

/* RFC 5322 message for SMTP; header values were validated (no CR/LF). */
static char *email_message(const biq_alerts_config *cfg, const char *to, const char *subject,
                           const char *text)
{
    size_t len = strlen(cfg->smtp_from) + strlen(to) + strlen(subject) + strlen(text) + 256;
    char *m = len <= BIQ_ALERT_MESSAGE_MAX ? malloc(len) : NULL;
    if (m == NULL)
        return NULL;
    snprintf(m, len,
             "From: %s\r\nTo: %s\r\nSubject: %s\r\nMIME-Version: 1.0\r\n"
             "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
             "%s\r\n",
             cfg->smtp_from, to, subject, text);
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

static void common_options(CURL *c, const biq_alerts_config *cfg, transfer *t)
{
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     cfg->timeout_ms < BIQ_ALERT_CONNECT_TIMEOUT_MS ? cfg->timeout_ms
                                                                    : (long)BIQ_ALERT_CONNECT_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, cfg->timeout_ms);
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
    if (!email && !biq_alert_url_allowed(kind, target, cfg->hosts_extra))
        return "webhook host not allowed";
    return NULL;
}

biq_err biq_alert_deliver(const biq_alerts_config *cfg, const char *kind, const char *target,
                          const char *subject, const char *text, biq_alert_outcome *out)
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
    common_options(c, cfg, &t);
    list = email ? setup_email(c, cfg, target, &t, payload) : setup_webhook(c, target, payload);
    if (list == NULL)
        goto out;
    do {
        if (out->attempts++ > 0)
            sleep_ms(cfg->backoff_ms);
        retry = false;
        out->ok = attempt(c, &t, !email, &retry, out->detail, sizeof out->detail);
    } while (!out->ok && retry && out->attempts < ATTEMPTS_MAX);
    err = BIQ_OK;
out:
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    free(payload);
    return err;
}
