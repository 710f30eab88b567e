/* fuzz_alerts_validate.c - the alert validators (alerts/validate.h):
 * biq_alert_rule_validate, biq_alert_destination_validate (new, and as an
 * update of each existing kind) and the webhook URL allow-list
 * biq_alert_url_allowed, on a JSON body loaded as the API loads it.
 *
 * Properties: a refusal leaves *out NULL and names a field ("x: ...");
 * an accepted rule or destination is normalised: validating its own
 * output again gives the same object (so the stored form is a fixed
 * point); an accepted webhook URL has a plain ASCII LDH host under one of
 * the services' domains (or is the configured loopback entry). Every
 * string value of the body is also tried as a Slack and a Teams URL.
 */
#include <string.h>

#include "alerts/validate.h"
#include "fuzz.h"

static const char EXTRA[] = "127.0.0.1:8099,[::1]:9001";
static const char *const KINDS[] = {"slack", "teams", "email"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static void check_why(const char *why)
{
    FUZZ_CHECK(memchr(why, '\0', BIQ_ALERT_WHY_MAX) != NULL);
    const char *colon = strstr(why, ": ");
    /* An empty member name gives ": unknown field"; a long one fills why
     * (cut at BIQ_ALERT_WHY_MAX) before its reason. */
    FUZZ_CHECK(colon != NULL || strlen(why) == BIQ_ALERT_WHY_MAX - 1);
}

/* An accepted URL's host, read naively, is plain LDH: scheme "://" then
 * [A-Za-z0-9.-] up to ':' or '/' or '?' or '#' or the end. */
static void check_url(const char *url)
{
    const char *p = strstr(url, "://");
    FUZZ_CHECK(p != NULL);
    p += 3;
    if (strncmp(p, "127.0.0.1:8099", 14) == 0 || strncmp(p, "[::1]:9001", 10) == 0)
        return;
    size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-");
    FUZZ_CHECK(n > 0 && strchr(":/?#", p[n]) != NULL);
    FUZZ_CHECK(p[0] != '.' && p[0] != '-' && p[n - 1] != '.' && p[n - 1] != '-');
}

static void url_side(const char *s)
{
    for (size_t k = 0; k < 2; k++)
        if (biq_alert_url_allowed(KINDS[k], s, EXTRA))
            check_url(s);
}

static void rule_side(const json_t *body)
{
    char why[BIQ_ALERT_WHY_MAX] = "";
    json_t *out = (json_t *)1;
    biq_err err = biq_alert_rule_validate(body, &out, why, sizeof why);
    if (err != BIQ_OK) {
        FUZZ_CHECK(err == BIQ_ERR_SHAPE && out == NULL);
        check_why(why);
        return;
    }
    json_t *again = NULL;
    FUZZ_CHECK(biq_alert_rule_validate(out, &again, why, sizeof why) == BIQ_OK);
    FUZZ_CHECK(json_equal(out, again));
    json_decref(again);
    json_decref(out);
}

static void dest_side(const json_t *body, const char *existing)
{
    char why[BIQ_ALERT_WHY_MAX] = "";
    json_t *out = (json_t *)1;
    biq_err err = biq_alert_destination_validate(body, existing, EXTRA, &out, why, sizeof why);
    if (err != BIQ_OK) {
        FUZZ_CHECK(err == BIQ_ERR_SHAPE && out == NULL);
        check_why(why);
        return;
    }
    const char *kind = json_string_value(json_object_get(out, "kind"));
    const char *target = json_string_value(json_object_get(out, "target"));
    FUZZ_CHECK(kind != NULL && (target != NULL || existing != NULL));
    if (target != NULL && strcmp(kind, "email") != 0) {
        FUZZ_CHECK(biq_alert_url_allowed(kind, target, EXTRA));
        check_url(target);
    }
    if (target != NULL) {
        /* The stored form as a body again ({kind,name,url|address,...}). */
        json_t *body2 = json_deep_copy(out), *again = NULL;
        FUZZ_CHECK(body2 != NULL);
        json_object_del(body2, "target");
        json_object_set_new(body2, strcmp(kind, "email") == 0 ? "address" : "url",
                            json_string(target));
        FUZZ_CHECK(biq_alert_destination_validate(body2, NULL, EXTRA, &again, why, sizeof why) ==
                   BIQ_OK);
        FUZZ_CHECK(json_equal(out, again));
        json_decref(again);
        json_decref(body2);
    }
    json_decref(out);
}

static void strings_as_urls(const json_t *v, int depth)
{
    const char *key;
    size_t i;
    json_t *m;
    if (depth > 4)
        return;
    if (json_is_string(v))
        url_side(json_string_value(v));
    else if (json_is_object(v))
        json_object_foreach((json_t *)v, key, m) strings_as_urls(m, depth + 1);
    else if (json_is_array(v))
        json_array_foreach(v, i, m) strings_as_urls(m, depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(body)) {
        /* Not a body: the raw bytes as one URL. */
        char *url = malloc(size + 1);
        FUZZ_CHECK(url != NULL);
        memcpy(url, data, size);
        url[size] = '\0';
        url_side(url);
        free(url);
        json_decref(body);
        return 0;
    }
    rule_side(body);
    dest_side(body, NULL);
    for (size_t k = 0; k < 3; k++)
        dest_side(body, KINDS[k]);
    strings_as_urls(body, 0);
    json_decref(body);
    return 0;
}
