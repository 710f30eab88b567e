/* validate.h - alert rules and delivery destinations as the API accepts
 * them (product.md "WIP limits and alerts", "Delivery destinations").
 *
 * Each validator reads a request body and writes the normalised object the
 * store keeps, with every default filled in; a refusal names the field
 * ("params.thresholdHours: ..."). Webhook URLs must be https to the
 * service's own hosts: Slack hooks.slack.com; Teams workflow webhooks on
 * *.logic.azure.com or *.environment.api.powerplatform.com (and the legacy
 * connector hosts *.webhook.office.com); hosts are plain ASCII LDH names
 * (letters, digits, inner hyphens, dot-separated), written without escapes. A configured extra allow-list of
 * host:port entries (BIQ_ALERT_HOSTS_EXTRA, for local fakes in tests)
 * admits plain http to exactly those. Pure. */
#ifndef BIQ_ALERTS_VALIDATE_H
#define BIQ_ALERTS_VALIDATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

enum {
    BIQ_ALERT_NAME_MAX = 120,
    BIQ_ALERT_TARGET_MAX = 2048,
    BIQ_ALERT_EMAIL_MAX = 254,
    BIQ_ALERT_COOLDOWN_DEFAULT_MIN = 60,
    BIQ_ALERT_COOLDOWN_MIN_MIN = 5,
    BIQ_ALERT_COOLDOWN_MAX_MIN = 7 * 24 * 60,
    BIQ_ALERT_STUCK_DEFAULT_HOURS = 24,
    BIQ_ALERT_HOURS_MAX = 24 * 365,
    BIQ_ALERT_CYCLE_DEFAULT_DAYS = 14,
    BIQ_ALERT_IDLE_DEFAULT_DAYS = 7,
    BIQ_ALERT_DAYS_MAX = 365,
    BIQ_ALERT_TREND_DEFAULT_PCT = 30,
    BIQ_ALERT_TREND_PCT_MAX = 500,
    BIQ_ALERT_BINDINGS_MAX = 20,
    BIQ_ALERT_HOSTS_EXTRA_MAX = 1024,
    BIQ_ALERT_WHY_MAX = 256,
};

/* A rule body {kind, name?, enabled?, params?, cooldownMinutes?,
 * destinationIds?, projectKey?} to *out {kind, name, enabled, params,
 * cooldownMinutes, projectKey (null: site-wide), destinationIds} (new
 * reference). BIQ_ERR_SHAPE with the field in why;
 * BIQ_ERR_NOMEM. */
biq_err biq_alert_rule_validate(const json_t *body, json_t **out, char *why, size_t why_len);

/* A destination body {kind, name, address | url, isDefault?, active?} to
 * *out {kind, name, target, isDefault, active}. On update (existing_kind
 * not NULL) the target may be omitted (it is write-only): then *out has no
 * target and kind must equal existing_kind. hosts_extra: comma-separated
 * host:port entries, may be NULL. */
biq_err biq_alert_destination_validate(const json_t *body, const char *existing_kind,
                                       const char *hosts_extra, json_t **out, char *why,
                                       size_t why_len);

/* True when url is an acceptable webhook target for kind ("slack",
 * "teams") under the rules above. */
bool biq_alert_url_allowed(const char *kind, const char *url, const char *hosts_extra);

#endif
