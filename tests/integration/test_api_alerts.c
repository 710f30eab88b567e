/* test_api_alerts.c - the alert routes over HTTP with the real server and
 * database: rules with defaults and field-naming refusals, tenant
 * isolation, destinations whose URL is write-only (last 4 characters
 * shown), webhook hosts outside the allow-list refused with 422, "send
 * test" queued (202 + test id) and polled to its outcome at a local fake
 * webhook (Slack text, Teams Adaptive Card; one attempt, no retry), its
 * rate limits (429 with Retry-After, nothing sent), a pause after 5
 * consecutive failures, and the recent alerts grouped per rule for the
 * token's project only. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth/caller.h"
#include "fake_messages.h"
#include "fake_smtp.h"
#include "harness.h"
#include "testsupport.h"

static harness H;
static fake_messages *HOOK;
static char HOOK_URL[128];
static const char TENANT_A[] = "ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-00000000000a";
static const char TENANT_B[] = "ari:cloud:ecosystem::installation/bbbbbbbb-0000-4000-8000-00000000000b";
static const char INSTALLED[] = "{\"eventType\":\"avi:forge:installed:app\","
                                "\"context\":\"ari:cloud:jira::site/6c2a6f2e\"}";

static fake_smtp *SMTP;

static void start(const char *smtp_url)
{
    char extra[96];
    HOOK = fake_messages_start("ok");
    fake_messages_url(HOOK, HOOK_URL, sizeof HOOK_URL);
    fake_messages_hosts_env(HOOK, extra, sizeof extra);
    const char *env[] = {extra, smtp_url, "BIQ_SMTP_FROM=alerts@biq.test", NULL};
    harness_init(&H, "biq_alerts");
    harness_start_app(&H, env);
    char *body = NULL;
    ck_assert_int_eq(harness_call(&H, TENANT_A, NULL, "POST", "/forge/lifecycle", INSTALLED, &body), 200);
    free(body);
    ck_assert_int_eq(harness_call(&H, TENANT_B, NULL, "POST", "/forge/lifecycle", INSTALLED, &body), 200);
    free(body);
}

static void setup(void)
{
    start("BIQ_LOG_LEVEL=info");
}

static void setup_smtp(void)
{
    char url[64];
    SMTP = fake_smtp_start();
    snprintf(url, sizeof url, "BIQ_SMTP_URL=smtp://127.0.0.1:%u", fake_smtp_port(SMTP));
    start(url);
}

static void teardown(void)
{
    harness_cleanup(&H);
    fake_messages_stop(HOOK);
    fake_smtp_stop(SMTP);
    SMTP = NULL;
}

/* A UI call for tenant as project FLOW; the parsed answer (NULL for a
 * non-JSON one) and the status. */
static json_t *api(const char *tenant, const char *method, const char *path, const char *body,
                   long want)
{
    char *resp = NULL;
    long status = harness_call(&H, tenant, "FLOW", method, path, body, &resp);
    ck_assert_msg(status == want, "%s %s: %ld, wanted %ld: %s", method, path, status, want,
                  resp ? resp : "");
    json_t *root = resp ? json_loads(resp, 0, NULL) : NULL;
    free(resp);
    return root;
}

static void expect_error(const char *tenant, const char *method, const char *path,
                         const char *body, long want, const char *message)
{
    json_t *e = api(tenant, method, path, body, want);
    const char *m = json_string_value(json_object_get(json_object_get(e, "error"), "message"));
    ck_assert_msg(m != NULL && strstr(m, message) != NULL, "'%s' lacks '%s'", m ? m : "", message);
    json_decref(e);
}

static long long id_of(const json_t *o)
{
    return json_integer_value(json_object_get(o, "id"));
}

START_TEST(rules_crud_with_defaults_and_isolation)
{
    json_t *r = api(TENANT_A, "POST", "/api/v1/alerts/rules",
                    "{\"kind\":\"stuck_in_status\",\"params\":{\"statusId\":3}}", 201);
    long long id = id_of(r);
    ck_assert_int_gt(id, 0);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r, "params"),
                                                        "thresholdHours")), 24);
    ck_assert_int_eq(json_integer_value(json_object_get(r, "cooldownMinutes")), 60);
    json_decref(r);
    char path[128], body[256];
    snprintf(path, sizeof path, "/api/v1/alerts/rules/%lld", id);
    r = api(TENANT_A, "PUT", path,
            "{\"kind\":\"stuck_in_status\",\"name\":\"Stuck 4h\",\"params\":{\"thresholdHours\":4},"
            "\"cooldownMinutes\":15}", 200);
    ck_assert_str_eq(json_string_value(json_object_get(r, "name")), "Stuck 4h");
    ck_assert(json_is_null(json_object_get(json_object_get(r, "params"), "statusId")));
    json_decref(r);
    expect_error(TENANT_A, "PUT", path, "{\"kind\":\"stuck_in_status\",\"cooldownMinutes\":1}", 422,
                 "cooldownMinutes: expected an integer from 5");
    expect_error(TENANT_A, "POST", "/api/v1/alerts/rules", "{\"kind\":\"wip_breach\"}", 422,
                 "params.statusId: required");
    expect_error(TENANT_A, "POST", "/api/v1/alerts/rules",
                 "{\"kind\":\"no_activity\",\"destinationIds\":[999]}", 422, "destinationIds");
    /* Another tenant sees none of it and cannot touch it. */
    json_t *list = api(TENANT_B, "GET", "/api/v1/alerts/rules", NULL, 200);
    ck_assert_uint_eq(json_array_size(list), 0);
    json_decref(list);
    expect_error(TENANT_B, "PUT", path, "{\"kind\":\"no_activity\"}", 404, "no such rule");
    expect_error(TENANT_B, "DELETE", path, NULL, 404, "no such rule");
    list = api(TENANT_A, "GET", "/api/v1/alerts/rules", NULL, 200);
    ck_assert_uint_eq(json_array_size(list), 1);
    json_decref(list);
    json_decref(api(TENANT_A, "DELETE", path, NULL, 200));
    expect_error(TENANT_A, "DELETE", path, NULL, 404, "no such rule");
    expect_error(TENANT_A, "DELETE", "/api/v1/alerts/rules/abc", NULL, 404, "id");
    snprintf(body, sizeof body, "{\"kind\":\"trend_worsening\",\"params\":{\"metric\":\"lead\"}}");
    expect_error(TENANT_A, "POST", "/api/v1/alerts/rules", body, 422, "params.metric");
}
END_TEST

static json_t *add_hook(const char *kind, const char *name)
{
    char body[512];
    snprintf(body, sizeof body, "{\"kind\":\"%s\",\"name\":\"%s\",\"url\":\"%s\"}", kind, name,
             HOOK_URL);
    return api(TENANT_A, "POST", "/api/v1/alerts/destinations", body, 201);
}

START_TEST(destinations_hide_their_target_and_refuse_other_hosts)
{
    expect_error(TENANT_A, "POST", "/api/v1/alerts/destinations",
                 "{\"kind\":\"slack\",\"name\":\"S\",\"url\":\"https://evil.example.com/hook\"}", 422,
                 "url: expected an https://hooks.slack.com/");
    expect_error(TENANT_A, "POST", "/api/v1/alerts/destinations",
                 "{\"kind\":\"teams\",\"name\":\"T\",\"url\":\"http://127.0.0.2:1/x\"}", 422,
                 "url: expected an https Teams");
    json_t *d = add_hook("slack", "Team channel");
    long long id = id_of(d);
    ck_assert_str_eq(json_string_value(json_object_get(d, "targetHint")), "ages");
    ck_assert_ptr_null(json_object_get(d, "url"));
    json_decref(d);
    char *resp = NULL;
    ck_assert_int_eq(harness_call(&H, TENANT_A, "FLOW", "GET", "/api/v1/alerts/destinations",
                                  NULL, &resp), 200);
    ck_assert_ptr_null(strstr(resp, "127.0.0.1"));
    ck_assert_ptr_nonnull(strstr(resp, "Team channel"));
    free(resp);
    /* A rename keeps the stored URL without being told it again. */
    char path[128];
    snprintf(path, sizeof path, "/api/v1/alerts/destinations/%lld", id);
    d = api(TENANT_A, "PUT", path, "{\"kind\":\"slack\",\"name\":\"Renamed\",\"isDefault\":true}", 200);
    ck_assert_str_eq(json_string_value(json_object_get(d, "targetHint")), "ages");
    ck_assert(json_is_true(json_object_get(d, "isDefault")));
    json_decref(d);
    expect_error(TENANT_A, "PUT", path, "{\"kind\":\"email\",\"name\":\"x\"}", 422, "kind: changing");
    expect_error(TENANT_B, "PUT", path, "{\"kind\":\"slack\",\"name\":\"x\"}", 404,
                 "no such destination");
    /* A rule may bind it; deleting the destination drops the binding. */
    char body[128];
    snprintf(body, sizeof body, "{\"kind\":\"no_activity\",\"destinationIds\":[%lld]}", id);
    json_t *r = api(TENANT_A, "POST", "/api/v1/alerts/rules", body, 201);
    ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(r, "destinationIds"), 0)), id);
    json_decref(r);
    json_decref(api(TENANT_A, "DELETE", path, NULL, 200));
    json_t *rules = api(TENANT_A, "GET", "/api/v1/alerts/rules", NULL, 200);
    ck_assert_uint_eq(json_array_size(json_object_get(json_array_get(rules, 0), "destinationIds")), 0);
    json_decref(rules);
}
END_TEST

enum { POLL_STEPS = 200, POLL_MS = 100 };

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static json_t *add_hook_for(const char *tenant, const char *kind, const char *name)
{
    char body[512];
    snprintf(body, sizeof body, "{\"kind\":\"%s\",\"name\":\"%s\",\"url\":\"%s\"}", kind, name,
             HOOK_URL);
    return api(tenant, "POST", "/api/v1/alerts/destinations", body, 201);
}

/* POST .../test as tenant: the status and, with 202, the test id. */
static long queue_test(const char *tenant, long long id, char *test_id, size_t len,
                       char **headers)
{
    char path[128], auth[4096], *resp = NULL;
    char *token = harness_token_as(&H, tenant, NULL, BIQ_CALLER_SITE_ADMIN);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    free(token);
    const char *hdrs[] = {auth, "Content-Type: application/json", NULL};
    snprintf(path, sizeof path, "/api/v1/alerts/destinations/%lld/test", id);
    long status = http_do_headers(&H, "POST", path, hdrs, "{}", 2, &resp, headers);
    if (status == 202) {
        json_t *o = json_loads(resp, 0, NULL);
        ck_assert_str_eq(json_string_value(json_object_get(o, "state")), "queued");
        snprintf(test_id, len, "%s", json_string_value(json_object_get(o, "testId")));
        ck_assert_uint_eq(strlen(test_id), 32);
        json_decref(o);
    }
    free(resp);
    return status;
}

/* Polls a test until it finished; its final answer. */
static json_t *wait_test(const char *tenant, long long id, const char *test_id)
{
    char path[160];
    snprintf(path, sizeof path, "/api/v1/alerts/destinations/%lld/tests/%s", id, test_id);
    for (int i = 0; i < POLL_STEPS; i++) {
        json_t *t = api(tenant, "GET", path, NULL, 200);
        const char *state = json_string_value(json_object_get(t, "state"));
        ck_assert_ptr_nonnull(state);
        if (strcmp(state, "delivered") == 0 || strcmp(state, "failed") == 0) {
            ck_assert_int_eq(json_integer_value(json_object_get(t, "destinationId")), id);
            return t;
        }
        ck_assert(strcmp(state, "queued") == 0 || strcmp(state, "sending") == 0);
        ck_assert(json_is_null(json_object_get(t, "ok")));
        json_decref(t);
        pause_ms(POLL_MS);
    }
    ck_abort_msg("test %s did not finish", test_id);
    return NULL;
}

static json_t *send_test(long long id, long want)
{
    char test_id[64] = "";
    long status = queue_test(TENANT_A, id, test_id, sizeof test_id, NULL);
    ck_assert_int_eq(status, want);
    return status == 202 ? wait_test(TENANT_A, id, test_id) : NULL;
}

static json_t *destination(const char *tenant, long long id)
{
    json_t *list = api(tenant, "GET", "/api/v1/alerts/destinations", NULL, 200), *found = NULL;
    size_t i;
    json_t *d;
    json_array_foreach(list, i, d) {
        if (id_of(d) == id)
            found = json_incref(d);
    }
    json_decref(list);
    ck_assert_ptr_nonnull(found);
    return found;
}

START_TEST(send_test_formats_and_pauses)
{
    json_t *d = add_hook("slack", "S");
    long long slack = id_of(d);
    json_decref(d);
    d = add_hook("teams", "T");
    long long teams = id_of(d);
    json_decref(d);
    json_t *t = send_test(slack, 202);
    ck_assert(json_is_true(json_object_get(t, "ok")));
    ck_assert_str_eq(json_string_value(json_object_get(t, "state")), "delivered");
    json_decref(t);
    t = send_test(teams, 202);
    ck_assert(json_is_true(json_object_get(t, "ok")));
    json_decref(t);
    /* The outcome is the destination's last test for every replica. */
    d = destination(TENANT_A, teams);
    ck_assert(json_is_true(json_object_get(json_object_get(d, "lastTest"), "ok")));
    json_decref(d);
    ck_assert_uint_eq(fake_messages_count(HOOK), 2);
    fake_messages_request req;
    fake_messages_get(HOOK, 0, &req);
    json_t *slack_body = json_loads(req.body, 0, NULL);
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(slack_body, "text")),
                                 "test from BottleneckIQ"));
    ck_assert(json_is_false(json_object_get(slack_body, "mrkdwn")));
    json_decref(slack_body);
    fake_messages_request_free(&req);
    fake_messages_get(HOOK, 1, &req);
    json_t *card = json_loads(req.body, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(card, "type")), "message");
    json_t *att = json_array_get(json_object_get(card, "attachments"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(att, "contentType")),
                     "application/vnd.microsoft.card.adaptive");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(att, "content"), "type")),
                     "AdaptiveCard");
    json_decref(card);
    fake_messages_request_free(&req);
    /* Polls are the tenant's own and the destination's own. */
    char test_id[64], path[160];
    d = add_hook("slack", "Other");
    long long other = id_of(d);
    json_decref(d);
    ck_assert_int_eq(queue_test(TENANT_A, other, test_id, sizeof test_id, NULL), 202);
    json_decref(wait_test(TENANT_A, other, test_id));
    snprintf(path, sizeof path, "/api/v1/alerts/destinations/%lld/tests/%s", other, test_id);
    expect_error(TENANT_B, "GET", path, NULL, 404, "no such test");
    snprintf(path, sizeof path, "/api/v1/alerts/destinations/%lld/tests/%s", slack, test_id);
    expect_error(TENANT_A, "GET", path, NULL, 404, "no such test");
    snprintf(path, sizeof path, "/api/v1/alerts/destinations/%lld/tests/nope", other);
    expect_error(TENANT_A, "GET", path, NULL, 404, "no such test");
    /* 4xx and 5xx: one attempt each (a test is never retried). */
    fake_messages_set(HOOK, FAKE_MESSAGES_FAIL_404, NULL, 0);
    d = add_hook("slack", "S404");
    long long s404 = id_of(d);
    json_decref(d);
    t = send_test(s404, 202);
    ck_assert(json_is_false(json_object_get(t, "ok")));
    ck_assert_str_eq(json_string_value(json_object_get(t, "state")), "failed");
    ck_assert_int_eq(json_integer_value(json_object_get(t, "attempts")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(t, "detail")), "HTTP 404");
    json_decref(t);
    /* The fifth failure in a row (tests included) pauses it. */
    fake_messages_set(HOOK, FAKE_MESSAGES_FAIL_500, NULL, 0);
    char sql[256];
    snprintf(sql, sizeof sql,
             "UPDATE alert_destinations SET consecutive_failures = 4 WHERE destination_id = %lld", slack);
    harness_exec(&H, sql);
    size_t before = fake_messages_count(HOOK);
    pause_ms(10500); /* one test per destination per 10 s */
    t = send_test(slack, 202);
    ck_assert_int_eq(json_integer_value(json_object_get(t, "attempts")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(t, "detail")), "HTTP 500");
    json_decref(t);
    ck_assert_uint_eq(fake_messages_count(HOOK), before + 1);
    d = destination(TENANT_A, slack);
    ck_assert_int_eq(json_integer_value(json_object_get(d, "consecutiveFailures")), 5);
    ck_assert_str_eq(json_string_value(json_object_get(d, "state")), "paused");
    json_decref(d);
    /* Re-activating clears the count. */
    snprintf(path, sizeof path, "/api/v1/alerts/destinations/%lld", slack);
    d = api(TENANT_A, "PUT", path, "{\"kind\":\"slack\",\"name\":\"S\",\"active\":true}", 200);
    ck_assert_str_eq(json_string_value(json_object_get(d, "state")), "active");
    ck_assert_int_eq(json_integer_value(json_object_get(d, "consecutiveFailures")), 0);
    json_decref(d);
    snprintf(path, sizeof path, "/api/v1/alerts/destinations/%d/test", 999999);
    expect_error(TENANT_A, "POST", path, "{}", 404, "no such destination");
}
END_TEST

/* The value of header name in a CRLF-separated block, or -1. */
static long header_number(const char *headers, const char *name)
{
    for (const char *line = headers; line != NULL && *line != '\0';) {
        if (strncasecmp(line, name, strlen(name)) == 0 && line[strlen(name)] == ':')
            return strtol(line + strlen(name) + 1, NULL, 10);
        const char *next = strstr(line, "\r\n");
        line = next != NULL ? next + 2 : NULL;
    }
    return -1;
}

static void expect_429(const char *tenant, long long id, long max_wait)
{
    char test_id[64], *headers = NULL;
    ck_assert_int_eq(queue_test(tenant, id, test_id, sizeof test_id, &headers), 429);
    long wait = header_number(headers, "Retry-After");
    ck_assert_msg(wait >= 1 && wait <= max_wait, "Retry-After %ld in %s", wait, headers);
    free(headers);
}

START_TEST(send_test_rate_limits)
{
    char test_id[64];
    long long ids[11];
    for (int i = 0; i < 11; i++) {
        char name[16];
        snprintf(name, sizeof name, "D%d", i);
        json_t *d = add_hook_for(TENANT_B, "slack", name);
        ids[i] = id_of(d);
        json_decref(d);
    }
    /* One per destination per 10 s: the second is refused, sends nothing. */
    ck_assert_int_eq(queue_test(TENANT_B, ids[0], test_id, sizeof test_id, NULL), 202);
    json_t *t = wait_test(TENANT_B, ids[0], test_id);
    json_decref(t);
    ck_assert_uint_eq(fake_messages_count(HOOK), 1);
    expect_429(TENANT_B, ids[0], 10);
    /* Ten per tenant a minute: the eleventh destination waits. */
    for (int i = 1; i < 10; i++)
        ck_assert_int_eq(queue_test(TENANT_B, ids[i], test_id, sizeof test_id, NULL), 202);
    expect_429(TENANT_B, ids[10], 60);
    /* Another tenant is not limited by this one. */
    json_t *d = add_hook_for(TENANT_A, "slack", "A");
    ck_assert_int_eq(queue_test(TENANT_A, id_of(d), test_id, sizeof test_id, NULL), 202);
    json_decref(wait_test(TENANT_A, id_of(d), test_id));
    json_decref(d);
    /* Everything accepted was sent once; nothing refused was. */
    for (int i = 0; i < 50 && fake_messages_count(HOOK) < 11; i++)
        pause_ms(POLL_MS);
    pause_ms(500);
    ck_assert_uint_eq(fake_messages_count(HOOK), 11);
    d = destination(TENANT_B, ids[10]);
    ck_assert(json_is_null(json_object_get(d, "lastTest")));
    json_decref(d);
}
END_TEST

START_TEST(recent_alerts_grouped_for_the_tokens_project)
{
    json_t *r = api(TENANT_A, "POST", "/api/v1/alerts/rules", "{\"kind\":\"no_activity\"}", 201);
    long long rule = id_of(r);
    json_decref(r);
    r = api(TENANT_A, "POST", "/api/v1/alerts/rules", "{\"kind\":\"cycle_time_exceeded\"}", 201);
    long long rule2 = id_of(r);
    json_decref(r);
    char sql[1024];
    PGconn *c = harness_pg(&H, "postgres");
    snprintf(sql, sizeof sql,
             "INSERT INTO alert_events (tenant_id, rule_id, issue_id, utc_day, project_key, value_ms, fired_at)"
             " SELECT '%s', CASE WHEN g <= 60 THEN %lld ELSE %lld END, g, 20000, 'FLOW', g,"
             "        now() - (100 - g) * interval '1 minute' FROM generate_series(1, 70) g;"
             " INSERT INTO alert_events (tenant_id, rule_id, issue_id, utc_day, project_key)"
             " VALUES ('%s', %lld, 1, 20001, 'OTHER')",
             TENANT_A, rule, rule2, TENANT_A, rule);
    PQclear(harness_sql(c, sql));
    /* Once per ticket per UTC day is a database fact. */
    snprintf(sql, sizeof sql,
             "INSERT INTO alert_events (tenant_id, rule_id, issue_id, utc_day, project_key)"
             " VALUES ('%s', %lld, 1, 20000, 'FLOW')", TENANT_A, rule);
    PGresult *dup = PQexec(c, sql);
    ck_assert_int_eq(PQresultStatus(dup), PGRES_FATAL_ERROR);
    PQclear(dup);
    PQfinish(c);
    json_t *a = api(TENANT_A, "GET", "/api/v1/alerts?project=FLOW", NULL, 200);
    json_t *groups = json_object_get(a, "groups");
    ck_assert_uint_eq(json_array_size(groups), 2);
    json_t *first = json_array_get(groups, 0), *second = json_array_get(groups, 1);
    ck_assert_int_eq(json_integer_value(json_object_get(first, "ruleId")), rule2);
    ck_assert_int_eq(json_integer_value(json_object_get(first, "count")), 10);
    ck_assert_int_eq(json_integer_value(json_object_get(second, "count")), 40);
    ck_assert_int_eq(json_integer_value(json_object_get(
                         json_array_get(json_object_get(second, "alerts"), 0), "issueId")), 60);
    json_decref(a);
    expect_error(TENANT_A, "GET", "/api/v1/alerts?project=OTHER", NULL, 403, "not for this project");
    expect_error(TENANT_A, "GET", "/api/v1/alerts", NULL, 400, "project: required");
    a = api(TENANT_B, "GET", "/api/v1/alerts?project=FLOW", NULL, 200);
    ck_assert_uint_eq(json_array_size(json_object_get(a, "groups")), 0);
    json_decref(a);
}
END_TEST

START_TEST(email_destination_over_smtp)
{
    expect_error(TENANT_A, "POST", "/api/v1/alerts/destinations",
                 "{\"kind\":\"email\",\"name\":\"E\",\"address\":\"x@y.z\\r\\nBcc: a@b.c\"}", 422,
                 "address:");
    json_t *d = api(TENANT_A, "POST", "/api/v1/alerts/destinations",
                    "{\"kind\":\"email\",\"name\":\"Team\",\"address\":\"team@example.com\"}", 201);
    long long id = id_of(d);
    ck_assert_str_eq(json_string_value(json_object_get(d, "targetHint")), ".com");
    json_decref(d);
    json_t *t = send_test(id, 202);
    ck_assert_msg(json_is_true(json_object_get(t, "ok")), "%s",
                  json_string_value(json_object_get(t, "detail")));
    json_decref(t);
    ck_assert_uint_eq(fake_smtp_count(SMTP), 1);
    fake_smtp_message m;
    fake_smtp_get(SMTP, 0, &m);
    ck_assert_str_eq(m.from, "alerts@biq.test");
    ck_assert_str_eq(m.rcpt, "team@example.com");
    ck_assert_ptr_nonnull(strstr(m.data, "Subject: BottleneckIQ test message\r\n"));
    ck_assert_ptr_nonnull(strstr(m.data, "To: team@example.com\r\n"));
    ck_assert_ptr_nonnull(strstr(m.data, "test from BottleneckIQ"));
    fake_smtp_message_free(&m);
    /* A refused recipient is final: one attempt. */
    fake_smtp_refuse(SMTP, true);
    d = api(TENANT_A, "POST", "/api/v1/alerts/destinations",
            "{\"kind\":\"email\",\"name\":\"Gone\",\"address\":\"gone@example.com\"}", 201);
    id = id_of(d);
    json_decref(d);
    t = send_test(id, 202);
    ck_assert(json_is_false(json_object_get(t, "ok")));
    ck_assert_int_eq(json_integer_value(json_object_get(t, "attempts")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(t, "detail")), "SMTP 550");
    json_decref(t);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("api_alerts");
    TCase *tc = tcase_create("alerts");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, rules_crud_with_defaults_and_isolation);
    tcase_add_test(tc, destinations_hide_their_target_and_refuse_other_hosts);
    tcase_add_test(tc, send_test_formats_and_pauses);
    tcase_add_test(tc, send_test_rate_limits);
    tcase_add_test(tc, recent_alerts_grouped_for_the_tokens_project);
    suite_add_tcase(s, tc);
    TCase *mail = tcase_create("smtp");
    tcase_add_checked_fixture(mail, setup_smtp, teardown);
    tcase_set_timeout(mail, 60);
    tcase_add_test(mail, email_destination_over_smtp);
    suite_add_tcase(s, mail);
    return s;
}
