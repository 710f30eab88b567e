/* deliver.h - sending one alert message to one destination over libcurl:
 * e-mail over SMTP, a Slack incoming webhook ({"text": ...}) or a Teams
 * workflow webhook (a message with one Adaptive Card attachment, the
 * format Microsoft documents for Workflows' "when a Teams webhook request
 * is received" trigger). Every value reaches its channel through
 * alerts/encode.h. Bounded in time (connect and total timeouts on every
 * send: BIQ_ALERT_SEND_TIMEOUT_MS per attempt), one retry after a network
 * error or a 5xx, 4xx final; a test message, one attempt of at most
 * BIQ_ALERT_TEST_TIMEOUT_MS. Webhook
 * URLs are checked against alerts/validate.h again before each send. Never
 * logs or reports the target. Thread-safe; curl_global_init must have run. */
#ifndef BIQ_ALERTS_DELIVER_H
#define BIQ_ALERTS_DELIVER_H

#include <stdbool.h>
#include <stddef.h>

#include "alerts/validate.h"
#include "common/err.h"

enum {
    BIQ_ALERT_SEND_TIMEOUT_MS = 30000,
    BIQ_ALERT_CONNECT_TIMEOUT_MS = 10000,
    BIQ_ALERT_TEST_TIMEOUT_MS = 15000,        /* "Send test": one attempt, in all */
    BIQ_ALERT_TEST_CONNECT_TIMEOUT_MS = 5000,
    BIQ_ALERT_RETRY_BACKOFF_MS = 1000,
    BIQ_ALERT_SMTP_URL_MAX = 2048,
    BIQ_ALERT_FROM_MAX = 254,
    BIQ_ALERT_RESPONSE_MAX = 16 * 1024,
    BIQ_ALERT_MESSAGE_MAX = 64 * 1024,
};

typedef struct biq_alerts_config {
    char hosts_extra[BIQ_ALERT_HOSTS_EXTRA_MAX + 1]; /* BIQ_ALERT_HOSTS_EXTRA */
    char smtp_url[BIQ_ALERT_SMTP_URL_MAX + 1];       /* BIQ_SMTP_URL; "" = no e-mail */
    char smtp_from[BIQ_ALERT_FROM_MAX + 1];          /* BIQ_SMTP_FROM */
    long timeout_ms;                                 /* per attempt */
    long backoff_ms;                                 /* before the retry */
} biq_alerts_config;

/* Sets cfg from the configuration (NULL or "" for unset) with the default
 * timeout and backoff. BIQ_ERR_INVALID when a value does not fit. */
biq_err biq_alerts_config_init(biq_alerts_config *cfg, const char *hosts_extra,
                               const char *smtp_url, const char *smtp_from);

/* The outcome of one delivery. */
typedef struct biq_alert_outcome {
    bool ok;
    int attempts;
    char detail[BIQ_ALERT_WHY_MAX]; /* "HTTP 404", curl's message; no URL */
} biq_alert_outcome;

/* Sends subject and text (plain UTF-8 as alerts/encode.h's builders make
 * it; text may span lines) to target of kind ("email", "slack", "teams"),
 * encoding both for the channel. Blocks up to two attempts of
 * cfg->timeout_ms plus the backoff. Returns BIQ_OK having filled *out in
 * every case but out-of-memory (or a message over BIQ_ALERT_MESSAGE_MAX):
 * BIQ_ERR_NOMEM. Thread-safe. */
biq_err biq_alert_deliver(const biq_alerts_config *cfg, const char *kind, const char *target,
                          const char *subject, const char *text, biq_alert_outcome *out);

/* The same for "Send test": one attempt, no retry, blocking at most
 * BIQ_ALERT_TEST_TIMEOUT_MS (or cfg->timeout_ms when smaller). */
biq_err biq_alert_deliver_test(const biq_alerts_config *cfg, const char *kind, const char *target,
                               const char *subject, const char *text, biq_alert_outcome *out);

#endif
