/* test_alerts_validate.c - alert rule and destination bodies: defaults per
 * kind, refusals naming the field, and webhook URLs only to the services'
 * own https hosts (userinfo and port tricks included) or to an explicit
 * test allow-list. */
#include <string.h>

#include "alerts/validate.h"
#include "testsupport.h"

static json_t *rule(const char *text, biq_err want, const char *why_part)
{
    char why[BIQ_ALERT_WHY_MAX] = "";
    json_t *out = NULL, *in = json_loads(text, 0, NULL);
    ck_assert_ptr_nonnull(in);
    ck_assert_msg(biq_alert_rule_validate(in, &out, why, sizeof why) == want, "%s: %s", text, why);
    if (why_part != NULL)
        ck_assert_msg(strstr(why, why_part) != NULL, "'%s' lacks '%s'", why, why_part);
    json_decref(in);
    return out;
}

static long long param(const json_t *r, const char *name)
{
    return json_integer_value(json_object_get(json_object_get(r, "params"), name));
}

START_TEST(rule_defaults_per_kind)
{
    json_t *r = rule("{\"kind\":\"stuck_in_status\",\"params\":{\"statusId\":3}}", BIQ_OK, NULL);
    ck_assert_int_eq(param(r, "thresholdHours"), 24);
    ck_assert_int_eq(param(r, "statusId"), 3);
    ck_assert_int_eq(json_integer_value(json_object_get(r, "cooldownMinutes")), 60);
    ck_assert(json_is_true(json_object_get(r, "enabled")));
    ck_assert_str_eq(json_string_value(json_object_get(r, "name")), "stuck_in_status");
    json_decref(r);
    r = rule("{\"kind\":\"cycle_time_exceeded\"}", BIQ_OK, NULL);
    ck_assert_int_eq(param(r, "days"), 14);
    json_decref(r);
    r = rule("{\"kind\":\"no_activity\",\"name\":\"Idle\",\"enabled\":false}", BIQ_OK, NULL);
    ck_assert_int_eq(param(r, "days"), 7);
    ck_assert(json_is_false(json_object_get(r, "enabled")));
    json_decref(r);
    r = rule("{\"kind\":\"trend_worsening\",\"params\":{\"metric\":\"wip\"},"
             "\"destinationIds\":[4,5]}", BIQ_OK, NULL);
    ck_assert_int_eq(param(r, "percent"), 30);
    ck_assert_uint_eq(json_array_size(json_object_get(r, "destinationIds")), 2);
    json_decref(r);
    r = rule("{\"kind\":\"wip_breach\",\"params\":{\"statusId\":9},\"cooldownMinutes\":5}", BIQ_OK,
             NULL);
    ck_assert_int_eq(json_integer_value(json_object_get(r, "cooldownMinutes")), 5);
    json_decref(r);
    /* Status ids as the dashboard writes them (strings) are the same ids. */
    r = rule("{\"kind\":\"wip_breach\",\"params\":{\"statusId\":\"10033\"}}", BIQ_OK, NULL);
    ck_assert_int_eq(param(r, "statusId"), 10033);
    json_decref(r);
    /* sle_at_risk measures against the project's SLE settings: no params. */
    r = rule("{\"kind\":\"sle_at_risk\",\"projectKey\":\"PAY\"}", BIQ_OK, NULL);
    ck_assert_uint_eq(json_object_size(json_object_get(r, "params")), 0);
    ck_assert_str_eq(json_string_value(json_object_get(r, "name")), "sle_at_risk");
    json_decref(r);
    rule("{\"kind\":\"sle_at_risk\",\"params\":{\"days\":3}}", BIQ_ERR_SHAPE,
         "params.days: unknown field");
}
END_TEST

START_TEST(rule_refusals_name_the_field)
{
    rule("{}", BIQ_ERR_SHAPE, "kind: expected");
    rule("{\"kind\":\"sometimes\"}", BIQ_ERR_SHAPE, "kind: expected");
    rule("{\"kind\":\"wip_breach\"}", BIQ_ERR_SHAPE, "params.statusId: required");
    rule("{\"kind\":\"wip_breach\",\"params\":{\"statusId\":\"03\"}}", BIQ_ERR_SHAPE,
         "params.statusId: expected a status id");
    rule("{\"kind\":\"stuck_in_status\",\"params\":{\"statusId\":\"3x\"}}", BIQ_ERR_SHAPE,
         "params.statusId: expected a status id");
    rule("{\"kind\":\"stuck_in_status\",\"params\":{\"statusId\":-3}}", BIQ_ERR_SHAPE,
         "params.statusId: expected a status id");
    rule("{\"kind\":\"stuck_in_status\",\"params\":{\"thresholdHours\":0}}", BIQ_ERR_SHAPE,
         "params.thresholdHours: expected an integer from 1");
    rule("{\"kind\":\"stuck_in_status\",\"params\":{\"days\":3}}", BIQ_ERR_SHAPE,
         "params.days: unknown field");
    rule("{\"kind\":\"trend_worsening\"}", BIQ_ERR_SHAPE, "params.metric: expected leadTime");
    rule("{\"kind\":\"trend_worsening\",\"params\":{\"metric\":\"wip\",\"percent\":501}}",
         BIQ_ERR_SHAPE, "params.percent");
    rule("{\"kind\":\"no_activity\",\"cooldownMinutes\":4}", BIQ_ERR_SHAPE,
         "cooldownMinutes: expected an integer from 5");
    rule("{\"kind\":\"no_activity\",\"params\":[]}", BIQ_ERR_SHAPE, "params: expected an object");
    rule("{\"kind\":\"no_activity\",\"name\":\"\"}", BIQ_ERR_SHAPE, "name:");
    rule("{\"kind\":\"no_activity\",\"enabled\":1}", BIQ_ERR_SHAPE, "enabled:");
    rule("{\"kind\":\"no_activity\",\"destinationIds\":[0]}", BIQ_ERR_SHAPE, "destinationIds:");
    rule("{\"kind\":\"no_activity\",\"tenant\":\"x\"}", BIQ_ERR_SHAPE, "tenant: unknown field");
}
END_TEST

static const char EXTRA[] = "127.0.0.1:8099,localhost:9000";

START_TEST(webhook_hosts)
{
    ck_assert(biq_alert_url_allowed("slack", "https://hooks.slack.com/services/T0/B0/x", NULL));
    ck_assert(biq_alert_url_allowed("slack", "https://HOOKS.slack.com:443/services/x", NULL));
    ck_assert(!biq_alert_url_allowed("slack", "http://hooks.slack.com/services/x", NULL));
    ck_assert(!biq_alert_url_allowed("slack", "https://hooks.slack.com:8443/services/x", NULL));
    ck_assert(!biq_alert_url_allowed("slack", "https://hooks.slack.com.evil.io/x", NULL));
    ck_assert(!biq_alert_url_allowed("slack", "https://hooks.slack.com@evil.io/x", NULL));
    ck_assert(!biq_alert_url_allowed("slack", "https://evil.io/hooks.slack.com", NULL));
    ck_assert(!biq_alert_url_allowed("slack", "https://prod-1.westus.logic.azure.com/x", NULL));
    ck_assert(biq_alert_url_allowed("teams", "https://prod-12.westus.logic.azure.com:443/workflows/"
                                             "a/triggers/manual/paths/invoke?sig=s", NULL));
    ck_assert(biq_alert_url_allowed("teams", "https://default1a2b.3c.environment.api."
                                             "powerplatform.com/powerautomate/x", NULL));
    ck_assert(biq_alert_url_allowed("teams", "https://acme.webhook.office.com/webhookb2/x", NULL));
    ck_assert(!biq_alert_url_allowed("teams", "https://logic.azure.com.evil.io/x", NULL));
    ck_assert(!biq_alert_url_allowed("teams", "https://evillogic.azure.com/x", NULL));
    ck_assert(!biq_alert_url_allowed("teams", "https://hooks.slack.com/services/x", NULL));
    ck_assert(!biq_alert_url_allowed("slack", "file:///etc/passwd", NULL));
    ck_assert(!biq_alert_url_allowed("slack", "not a url", NULL));
    ck_assert(!biq_alert_url_allowed("slack", "http://127.0.0.1:8099/hook", NULL));
    ck_assert(biq_alert_url_allowed("slack", "http://127.0.0.1:8099/hook", EXTRA));
    ck_assert(!biq_alert_url_allowed("slack", "http://127.0.0.1:8098/hook", EXTRA));
    ck_assert(!biq_alert_url_allowed("slack", "http://127.0.0.10:8099/hook", EXTRA));
    ck_assert(!biq_alert_url_allowed("slack", "gopher://127.0.0.1:8099/hook", EXTRA));
}
END_TEST

/* Hosts must be plain ASCII LDH labels (letters, digits, hyphen; no
 * leading or trailing hyphen; dot-separated), whatever libcurl would make
 * of the rest. */
START_TEST(webhook_hosts_are_plain_ldh_labels)
{
    static const char *const REFUSED[] = {
        "https://\xc3\xa9vil.logic.azure.com/x",      /* UTF-8 e-acute */
        "https://prod-1.westus.logic.azure.\xd1\x81om/x", /* Cyrillic es */
        "https://x\xe2\x80\x8b.logic.azure.com/x",   /* zero-width space */
        "https://x%7f.logic.azure.com/x",             /* encoded DEL */
        "https://x%7F.webhook.office.com/x",
        "https://x%00.logic.azure.com/x",
        "https://x%20y.logic.azure.com/x",
        "https://x%2e.logic.azure.com/x",
        "https://x_y.logic.azure.com/x",
        "https://-x.logic.azure.com/x",
        "https://x-.logic.azure.com/x",
        "https://x..logic.azure.com/x",
        "https://a.-b.environment.api.powerplatform.com/x",
        "https://xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.logic.azure.com/x",
    };
    for (size_t i = 0; i < sizeof REFUSED / sizeof REFUSED[0]; i++)
        ck_assert_msg(!biq_alert_url_allowed("teams", REFUSED[i], NULL), "%s", REFUSED[i]);
    ck_assert(!biq_alert_url_allowed("slack", "https://hooks.slack.co%6d/services/x", NULL));
    ck_assert(!biq_alert_url_allowed("slack", "https://hooks.slack.com%7f/services/x", NULL));
    /* Still fine: digits, hyphens inside labels, upper case, 63-byte labels. */
    ck_assert(biq_alert_url_allowed("teams", "https://prod-12.westus.logic.azure.com/x", NULL));
    ck_assert(biq_alert_url_allowed("teams", "https://A-1.B2.Logic.Azure.Com/x", NULL));
    ck_assert(biq_alert_url_allowed("teams", "https://xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                                             "xxxxxxxxxxxxxxxxx.logic.azure.com/x", NULL));
    /* A configured loopback entry is matched as written (an IPv6 literal). */
    ck_assert(biq_alert_url_allowed("slack", "http://[::1]:9001/hook", "[::1]:9001"));
}
END_TEST

static json_t *dest(const char *text, const char *existing, biq_err want, const char *why_part)
{
    char why[BIQ_ALERT_WHY_MAX] = "";
    json_t *out = NULL, *in = json_loads(text, 0, NULL);
    ck_assert_ptr_nonnull(in);
    ck_assert_msg(biq_alert_destination_validate(in, existing, EXTRA, &out, why, sizeof why) ==
                      want, "%s: %s", text, why);
    if (why_part != NULL)
        ck_assert_msg(strstr(why, why_part) != NULL, "'%s' lacks '%s'", why, why_part);
    json_decref(in);
    return out;
}

START_TEST(destinations)
{
    json_t *d = dest("{\"kind\":\"email\",\"name\":\"Team\",\"address\":\"team@example.com\"}", NULL,
                     BIQ_OK, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(d, "target")), "team@example.com");
    ck_assert(json_is_true(json_object_get(d, "active")));
    ck_assert(json_is_false(json_object_get(d, "isDefault")));
    json_decref(d);
    d = dest("{\"kind\":\"slack\",\"name\":\"S\"}", "slack", BIQ_OK, NULL);
    ck_assert_ptr_null(json_object_get(d, "target")); /* kept as stored */
    json_decref(d);
    dest("{\"kind\":\"slack\",\"name\":\"S\"}", NULL, BIQ_ERR_SHAPE, "url: required");
    dest("{\"kind\":\"teams\",\"name\":\"S\"}", "slack", BIQ_ERR_SHAPE, "kind: changing");
    dest("{\"kind\":\"slack\",\"name\":\"S\",\"url\":\"https://example.com/hook\"}", NULL,
         BIQ_ERR_SHAPE, "url: expected an https://hooks.slack.com/");
    dest("{\"kind\":\"teams\",\"name\":\"S\",\"url\":\"https://example.com/hook\"}", NULL,
         BIQ_ERR_SHAPE, "url: expected an https Teams");
    dest("{\"kind\":\"email\",\"name\":\"S\",\"address\":\"a@b.com\\r\\nBcc: x@y.z\"}", NULL,
         BIQ_ERR_SHAPE, "address:");
    dest("{\"kind\":\"email\",\"name\":\"S\",\"address\":\"nobody\"}", NULL, BIQ_ERR_SHAPE,
         "address: expected an e-mail");
    dest("{\"kind\":\"email\",\"name\":\"S\",\"url\":\"https://hooks.slack.com/x\"}", NULL,
         BIQ_ERR_SHAPE, "url: not used");
    dest("{\"kind\":\"sms\",\"name\":\"S\"}", NULL, BIQ_ERR_SHAPE, "kind: expected email");
    dest("{\"kind\":\"email\",\"address\":\"a@b.co\"}", NULL, BIQ_ERR_SHAPE, "name: required");
    dest("{\"kind\":\"email\",\"name\":\"S\",\"address\":\"a@b.co\",\"active\":\"no\"}", NULL,
         BIQ_ERR_SHAPE, "active:");
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("alerts_validate");
    TCase *tc = tcase_create("validate");
    tcase_add_test(tc, rule_defaults_per_kind);
    tcase_add_test(tc, rule_refusals_name_the_field);
    tcase_add_test(tc, webhook_hosts);
    tcase_add_test(tc, webhook_hosts_are_plain_ldh_labels);
    tcase_add_test(tc, destinations);
    suite_add_tcase(s, tc);
    return s;
}
