/* validate.c - alert rule and destination bodies (see validate.h). */
#include "alerts/validate.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "flow/flow.h"
#include "ingest/ingest.h"

enum {
    HOST_MAX = 256,
    PORT_TEXT_MAX = 8,
    DNS_NAME_MAX = 253,  /* RFC 1035, without the root's dot */
    DNS_LABEL_MAX = 63,
};

typedef struct field_ctx {
    const char *prefix; /* "" or "params." */
    char *why;
    size_t why_len;
} field_ctx;

static biq_err bad(const field_ctx *c, const char *field, const char *rule)
{
    snprintf(c->why, c->why_len, "%s%s: %s", c->prefix, field, rule);
    return BIQ_ERR_SHAPE;
}

/* Every member of o must be one of names. */
static biq_err only_known(const field_ctx *c, const json_t *o, const char *const *names)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)o, key, v) {
        bool known = false;
        for (const char *const *n = names; *n != NULL && !known; n++)
            known = strcmp(*n, key) == 0;
        if (!known)
            return bad(c, key, "unknown field");
    }
    return BIQ_OK;
}

static biq_err int_field(const field_ctx *c, const json_t *o, const char *name, long long dflt,
                         long long min, long long max, long long *out)
{
    const json_t *v = json_object_get(o, name);
    if (v == NULL || json_is_null(v)) {
        *out = dflt;
        if (dflt >= min)
            return BIQ_OK;
        return bad(c, name, "required");
    }
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        char rule[64];
        snprintf(rule, sizeof rule, "expected an integer from %lld to %lld", min, max);
        return bad(c, name, rule);
    }
    *out = json_integer_value(v);
    return BIQ_OK;
}

/* A status id: a positive integer, or its decimal digits as a string (the
 * dashboard and the settings write status ids as strings). Absent or null:
 * 0, which is an error when required. */
static biq_err status_field(const field_ctx *c, const json_t *o, bool required, long long *out)
{
    enum { ID_DIGITS_MAX = 18 }; /* below INT64_MAX */
    const json_t *v = json_object_get(o, "statusId");
    const char *s = json_string_value(v);
    *out = 0;
    if (v == NULL || json_is_null(v))
        return required ? bad(c, "statusId", "required") : BIQ_OK;
    if (json_is_integer(v) && json_integer_value(v) > 0)
        *out = json_integer_value(v);
    else if (s != NULL && s[0] != '\0' && s[0] != '0' && strlen(s) <= ID_DIGITS_MAX &&
             strspn(s, "0123456789") == strlen(s))
        *out = strtoll(s, NULL, 10);
    return *out > 0 ? BIQ_OK : bad(c, "statusId", "expected a status id");
}

static biq_err bool_field(const field_ctx *c, const json_t *o, const char *name, bool dflt,
                          bool *out)
{
    const json_t *v = json_object_get(o, name);
    *out = v == NULL ? dflt : json_is_true(v);
    return v == NULL || json_is_boolean(v) ? BIQ_OK : bad(c, name, "expected true or false");
}

/* A non-empty single-line string of at most max bytes; NULL when absent. */
static biq_err text_field(const field_ctx *c, const json_t *o, const char *name, size_t max,
                          const char **out)
{
    const json_t *v = json_object_get(o, name);
    *out = NULL;
    if (v == NULL)
        return BIQ_OK;
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > max)
        return bad(c, name, "expected a non-empty string within the length limit");
    const char *s = json_string_value(v);
    for (size_t i = 0; i < json_string_length(v); i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return bad(c, name, "control characters are not allowed");
    }
    *out = s;
    return BIQ_OK;
}

static const char *const RULE_KINDS[] = {"stuck_in_status", "cycle_time_exceeded", "no_activity",
                                         "trend_worsening", "wip_breach",  "sle_at_risk",
                                         NULL};

static biq_err trend_params(const field_ctx *c, const json_t *p, json_t *out)
{
    static const char *const KEYS[] = {"metric", "percent", NULL};
    const char *metric = NULL;
    long long pct;
    biq_err err = only_known(c, p, KEYS);
    if (err == BIQ_OK)
        err = text_field(c, p, "metric", BIQ_ALERT_NAME_MAX, &metric);
    if (err != BIQ_OK)
        return err;
    bool known = false;
    for (int m = BIQ_TREND_LEAD_TIME; m <= BIQ_TREND_THROUGHPUT && metric != NULL; m++)
        known |= strcmp(metric, biq_trend_metric_name((biq_trend_metric)m)) == 0;
    if (!known)
        return bad(c, "metric", "expected leadTime, timeInStatus, wip or throughput");
    if ((err = int_field(c, p, "percent", BIQ_ALERT_TREND_DEFAULT_PCT, 1, BIQ_ALERT_TREND_PCT_MAX,
                         &pct)) != BIQ_OK)
        return err;
    json_object_set_new(out, "metric", json_string(metric));
    json_object_set_new(out, "percent", json_integer(pct));
    return BIQ_OK;
}

/* The kind's params with defaults; statusId is required for wip_breach
 * and optional (any status) for stuck_in_status. */
static biq_err rule_params(const field_ctx *c, const char *kind, const json_t *p, json_t *out)
{
    static const char *const STUCK[] = {"statusId", "thresholdHours", NULL};
    static const char *const DAYS[] = {"days", NULL};
    static const char *const WIP[] = {"statusId", NULL};
    long long v;
    biq_err err;
    static const char *const NONE[] = {NULL};
    if (strcmp(kind, "trend_worsening") == 0)
        return trend_params(c, p, out);
    /* sle_at_risk measures against the project's SLE settings: no params. */
    if (strcmp(kind, "sle_at_risk") == 0)
        return only_known(c, p, NONE);
    bool stuck = strcmp(kind, "stuck_in_status") == 0, wip = strcmp(kind, "wip_breach") == 0;
    if ((err = only_known(c, p, stuck ? STUCK : wip ? WIP : DAYS)) != BIQ_OK)
        return err;
    if (stuck || wip) {
        if ((err = status_field(c, p, wip, &v)) != BIQ_OK)
            return err;
        json_object_set_new(out, "statusId", v > 0 ? json_integer(v) : json_null());
    }
    if (stuck) {
        if ((err = int_field(c, p, "thresholdHours", BIQ_ALERT_STUCK_DEFAULT_HOURS, 1,
                             BIQ_ALERT_HOURS_MAX, &v)) != BIQ_OK)
            return err;
        json_object_set_new(out, "thresholdHours", json_integer(v));
    } else if (!wip) {
        long long dflt = strcmp(kind, "cycle_time_exceeded") == 0 ? BIQ_ALERT_CYCLE_DEFAULT_DAYS
                                                                  : BIQ_ALERT_IDLE_DEFAULT_DAYS;
        if ((err = int_field(c, p, "days", dflt, 1, BIQ_ALERT_DAYS_MAX, &v)) != BIQ_OK)
            return err;
        json_object_set_new(out, "days", json_integer(v));
    }
    return BIQ_OK;
}

static biq_err destination_ids(const field_ctx *c, const json_t *body, json_t *out)
{
    const json_t *ids = json_object_get(body, "destinationIds");
    json_t *list = json_array();
    size_t i;
    json_t *id;
    json_object_set_new(out, "destinationIds", list);
    if (ids == NULL || json_is_null(ids))
        return BIQ_OK;
    if (!json_is_array(ids) || json_array_size(ids) > BIQ_ALERT_BINDINGS_MAX)
        return bad(c, "destinationIds", "expected an array of at most 20 destination ids");
    json_array_foreach(ids, i, id) {
        if (!json_is_integer(id) || json_integer_value(id) <= 0)
            return bad(c, "destinationIds", "expected positive integer ids");
        json_array_append(list, id);
    }
    return BIQ_OK;
}

/* projectKey: absent or null for a site-wide rule, else the rule's project. */
static biq_err project_key(const field_ctx *c, const json_t *body, json_t *out)
{
    const json_t *v = json_object_get(body, "projectKey");
    if (v == NULL || json_is_null(v))
        return json_object_set_new(out, "projectKey", json_null()) == 0 ? BIQ_OK : BIQ_ERR_NOMEM;
    if (!json_is_string(v) || !biq_ingest_project_key_ok(json_string_value(v)))
        return bad(c, "projectKey", "expected null (site-wide) or a Jira project key");
    return json_object_set_new(out, "projectKey", json_string(json_string_value(v))) == 0
               ? BIQ_OK
               : BIQ_ERR_NOMEM;
}

static bool one_of(const char *s, const char *const *names)
{
    for (; s != NULL && *names != NULL; names++) {
        if (strcmp(s, *names) == 0)
            return true;
    }
    return false;
}

static biq_err rule_fields(const field_ctx *c, const json_t *body, json_t *out)
{
    static const char *const KEYS[] = {"kind", "name", "enabled", "params", "cooldownMinutes",
                                       "destinationIds", "projectKey", NULL};
    const char *kind = NULL, *name = NULL;
    bool enabled;
    long long cooldown;
    biq_err err = only_known(c, body, KEYS);
    if (err == BIQ_OK)
        err = text_field(c, body, "kind", BIQ_ALERT_NAME_MAX, &kind);
    if (err == BIQ_OK && !one_of(kind, RULE_KINDS))
        err = bad(c, "kind", "expected stuck_in_status, cycle_time_exceeded, no_activity, "
                             "trend_worsening, wip_breach or sle_at_risk");
    if (err == BIQ_OK)
        err = text_field(c, body, "name", BIQ_ALERT_NAME_MAX, &name);
    if (err == BIQ_OK)
        err = bool_field(c, body, "enabled", true, &enabled);
    if (err == BIQ_OK)
        err = int_field(c, body, "cooldownMinutes", BIQ_ALERT_COOLDOWN_DEFAULT_MIN,
                        BIQ_ALERT_COOLDOWN_MIN_MIN, BIQ_ALERT_COOLDOWN_MAX_MIN, &cooldown);
    const json_t *p = json_object_get(body, "params");
    if (err == BIQ_OK && p != NULL && !json_is_object(p))
        err = bad(c, "params", "expected an object");
    if (err != BIQ_OK)
        return err;
    json_t *params = json_object();
    json_object_set_new(out, "params", params);
    field_ctx pc = {"params.", c->why, c->why_len};
    json_t *empty = json_object();
    err = rule_params(&pc, kind, p != NULL ? p : empty, params);
    json_decref(empty);
    if (err != BIQ_OK)
        return err;
    json_object_set_new(out, "kind", json_string(kind));
    json_object_set_new(out, "name", json_string(name != NULL ? name : kind));
    json_object_set_new(out, "enabled", json_boolean(enabled));
    json_object_set_new(out, "cooldownMinutes", json_integer(cooldown));
    if ((err = project_key(c, body, out)) != BIQ_OK)
        return err;
    return destination_ids(c, body, out);
}

biq_err biq_alert_rule_validate(const json_t *body, json_t **out, char *why, size_t why_len)
{
    field_ctx c = {"", why, why_len};
    *out = json_object();
    if (*out == NULL)
        return BIQ_ERR_NOMEM;
    biq_err err = rule_fields(&c, body, *out);
    if (err != BIQ_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return err;
}

/* host ends with suffix at a label boundary (suffix starts with '.'). */
static bool host_under(const char *host, const char *suffix)
{
    size_t h = strlen(host), s = strlen(suffix);
    return h > s && strcasecmp(host + h - s, suffix) == 0;
}

/* host:port is one of the comma-separated entries of extra. */
static bool extra_allows(const char *extra, const char *host, const char *port)
{
    char want[HOST_MAX + PORT_TEXT_MAX + 2];
    int n = snprintf(want, sizeof want, "%s:%s", host, port);
    if (extra == NULL || n <= 0 || (size_t)n >= sizeof want)
        return false;
    for (const char *p = extra; *p != '\0';) {
        size_t len = strcspn(p, ",");
        if (len == (size_t)n && strncasecmp(p, want, len) == 0)
            return true;
        p += len + (p[len] == ',');
    }
    return false;
}

static bool service_host(const char *kind, const char *host)
{
    if (strcmp(kind, "slack") == 0)
        return strcasecmp(host, "hooks.slack.com") == 0;
    return strcmp(kind, "teams") == 0 &&
           (host_under(host, ".logic.azure.com") ||
            host_under(host, ".environment.api.powerplatform.com") ||
            host_under(host, ".webhook.office.com"));
}

/* A plain ASCII host name: dot-separated labels of 1..63 letters, digits
 * and hyphens, none starting or ending with a hyphen (RFC 1123 LDH). No
 * IDN, no escapes, no control or invisible characters: whatever a
 * resolver or libcurl would make of those, the allow-list never has to. */
static bool ldh_host(const char *host)
{
    size_t n = strlen(host), label = 0;
    if (n == 0 || n > DNS_NAME_MAX)
        return false;
    for (size_t i = 0; i <= n; i++) {
        char c = host[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (c == '.' || c == '\0') {
            if (label == 0 || host[i - 1] == '-')
                return false;
            label = 0;
        } else if (alnum || (c == '-' && label > 0)) {
            if (++label > DNS_LABEL_MAX)
                return false;
        } else {
            return false;
        }
    }
    return true;
}

/* The host libcurl reports is written in url, as is, right after
 * "scheme://" and before the port, path, query, fragment or the end
 * (strchr finds the terminating NUL too): libcurl decodes "%6d" in a host,
 * and a host that needs decoding is not a plain one. */
static bool host_as_written(const char *url, const char *scheme, const char *host)
{
    size_t s = strlen(scheme), h = strlen(host);
    if (strncasecmp(url, scheme, s) != 0 || strncmp(url + s, "://", 3) != 0)
        return false;
    const char *p = url + s + 3;
    return strncasecmp(p, host, h) == 0 && strchr(":/?#", p[h]) != NULL;
}

/* Parsed by libcurl itself, so what we check is what it will connect to;
 * credentials in the URL are refused (no "https://hooks.slack.com@x"), and
 * the host must be written plainly; a service host must be an LDH name. */
bool biq_alert_url_allowed(const char *kind, const char *url, const char *hosts_extra)
{
    bool ok = false;
    char *scheme = NULL, *host = NULL, *port = NULL, *user = NULL;
    CURLU *u = curl_url();
    if (u == NULL || strlen(url) > BIQ_ALERT_TARGET_MAX ||
        curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_USER, &user, 0) != CURLUE_NO_USER ||
        !host_as_written(url, scheme, host))
        goto out;
    if (extra_allows(hosts_extra, host, port))
        ok = strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0;
    else
        ok = strcmp(scheme, "https") == 0 && strcmp(port, "443") == 0 && ldh_host(host) &&
             service_host(kind, host);
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(user);
    curl_url_cleanup(u);
    return ok;
}

/* local@domain.tld, no spaces or header-breaking characters. */
static bool plain_email(const char *s)
{
    const char *at = strchr(s, '@');
    if (at == NULL || at == s || strchr(at + 1, '@') != NULL || strchr(at, '.') == NULL ||
        strlen(s) > BIQ_ALERT_EMAIL_MAX)
        return false;
    for (const char *p = s; *p != '\0'; p++) {
        if (*p <= ' ' || strchr("<>()[],;:\"\\", *p) != NULL)
            return false;
    }
    return at[1] != '.' && s[strlen(s) - 1] != '.';
}

static const char *const DEST_KINDS[] = {"email", "slack", "teams", NULL};

static biq_err destination_target(const field_ctx *c, const json_t *body, const char *kind,
                                  bool update, const char *hosts_extra, json_t *out)
{
    bool email = strcmp(kind, "email") == 0;
    const char *field = email ? "address" : "url";
    const char *target = NULL;
    biq_err err = text_field(c, body, field, BIQ_ALERT_TARGET_MAX, &target);
    if (err != BIQ_OK)
        return err;
    if (json_object_get(body, email ? "url" : "address") != NULL)
        return bad(c, email ? "url" : "address", "not used by this kind of destination");
    if (target == NULL)
        return update ? BIQ_OK : bad(c, field, "required");
    if (email && !plain_email(target))
        return bad(c, field, "expected an e-mail address like name@example.com");
    if (!email && !biq_alert_url_allowed(kind, target, hosts_extra))
        return bad(c, field, strcmp(kind, "slack") == 0
                                 ? "expected an https://hooks.slack.com/ webhook URL"
                                 : "expected an https Teams workflow webhook URL "
                                   "(*.logic.azure.com or *.environment.api.powerplatform.com)");
    json_object_set_new(out, "target", json_string(target));
    return BIQ_OK;
}

static biq_err destination_fields(const field_ctx *c, const json_t *body,
                                  const char *existing_kind, const char *hosts_extra,
                                  json_t *out)
{
    static const char *const KEYS[] = {"kind", "name", "address", "url", "isDefault", "active",
                                       NULL};
    const char *kind = NULL, *name = NULL;
    bool is_default, active;
    biq_err err = only_known(c, body, KEYS);
    if (err == BIQ_OK)
        err = text_field(c, body, "kind", BIQ_ALERT_NAME_MAX, &kind);
    if (err == BIQ_OK && !one_of(kind, DEST_KINDS))
        err = bad(c, "kind", "expected email, slack or teams");
    if (err == BIQ_OK)
        err = text_field(c, body, "name", BIQ_ALERT_NAME_MAX, &name);
    if (err == BIQ_OK && name == NULL)
        err = bad(c, "name", "required");
    if (err == BIQ_OK)
        err = bool_field(c, body, "isDefault", false, &is_default);
    if (err == BIQ_OK)
        err = bool_field(c, body, "active", true, &active);
    if (err == BIQ_OK)
        err = destination_target(c, body, kind, existing_kind != NULL, hosts_extra, out);
    if (err == BIQ_OK && existing_kind != NULL && strcmp(existing_kind, kind) != 0 &&
        json_object_get(out, "target") == NULL)
        err = bad(c, "kind", "changing the kind needs a new address or url");
    if (err != BIQ_OK)
        return err;
    json_object_set_new(out, "kind", json_string(kind));
    json_object_set_new(out, "name", json_string(name));
    json_object_set_new(out, "isDefault", json_boolean(is_default));
    json_object_set_new(out, "active", json_boolean(active));
    return BIQ_OK;
}

biq_err biq_alert_destination_validate(const json_t *body, const char *existing_kind,
                                       const char *hosts_extra, json_t **out, char *why,
                                       size_t why_len)
{
    field_ctx c = {"", why, why_len};
    *out = json_object();
    if (*out == NULL)
        return BIQ_ERR_NOMEM;
    biq_err err = destination_fields(&c, body, existing_kind, hosts_extra, *out);
    if (err != BIQ_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return err;
}
