/* test_explain_http.c - the dashboard's AI explanation through the real
 * server, on the DevLake capture, against a local fake of the Messages API:
 * with a key and the tenant's switch on the bottleneck sentence is the
 * model's (placeholders filled with the real status name); with the switch
 * off it is the template and nothing is sent. Every request the fake
 * recorded is checked against the tenant's own data read back from the
 * database: no issue key, summary, assignee, project key or name, status
 * name, site or tenant id ever left. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_messages.h"
#include "harness.h"
#include "testsupport.h"

enum { PATH_LEN = 1024, SENSITIVE_MIN = 3 };

static harness H;
static fake_messages *AI;
static const char TENANT[] = "ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-00000000000a";
static const char KEY[] = "sk-ant-test-0000";
static const char ANSWER[] =
    "Work waits longest in {STAGE}, so it is the bottleneck ({CONFIDENCE} confidence).";

static void post(const char *path, const char *body)
{
    char *resp = NULL;
    long st = harness_call(&H, TENANT, NULL, "POST", path, body, &resp);
    ck_assert_msg(st == 200, "POST %s: %ld %s", path, st, resp);
    free(resp);
}

static void setup(void)
{
    char url[128], url_env[160];
    AI = fake_messages_start(ANSWER);
    fake_messages_url(AI, url, sizeof url);
    snprintf(url_env, sizeof url_env, "BIQ_ANTHROPIC_URL=%s", url);
    const char *env[] = {"BIQ_FLOW_CLOCK=2020-06-20T00:00:00Z", "BIQ_ANTHROPIC_API_KEY=sk-ant-test-0000",
                         url_env, NULL};
    harness_init(&H, "biq_explain_http");
    harness_start_app(&H, env);
    post("/forge/lifecycle", "{\"eventType\":\"avi:forge:installed:app\","
                             "\"context\":\"ari:cloud:jira::site/6c2a6f2e\"}");
    harness_ingest_devlake(&H, TENANT, "{\"total\":33}");
}

static void teardown(void)
{
    harness_cleanup(&H);
    fake_messages_stop(AI);
}

static json_t *bottleneck(void)
{
    char *resp = NULL;
    ck_assert_int_eq(harness_call(&H, TENANT, "EE", "GET", "/api/v1/projects/EE/dashboard?window=7d",
                                  NULL, &resp), 200);
    json_t *d = json_loads(resp, 0, NULL);
    free(resp);
    json_t *b = json_incref(json_object_get(d, "bottleneck"));
    json_decref(d);
    return b;
}

/* The tenant's own words, as stored. */
static const char SENSITIVE_SQL[] =
    "SELECT key FROM issues UNION SELECT summary FROM issues UNION SELECT assignee FROM issues"
    " UNION SELECT project_key FROM issues UNION SELECT key FROM projects"
    " UNION SELECT name FROM projects UNION SELECT name FROM statuses"
    " UNION SELECT tenant_id FROM tenants UNION SELECT cloud_id FROM tenants"
    " UNION SELECT site_url FROM tenants";

static void audit(void)
{
    PGconn *c = harness_pg(&H, "postgres");
    PGresult *words = harness_sql(c, SENSITIVE_SQL);
    size_t n = fake_messages_count(AI), checked = 0;
    for (size_t i = 0; i < n; i++) {
        fake_messages_request r;
        fake_messages_get(AI, i, &r);
        ck_assert_str_eq(r.api_key, KEY);
        ck_assert_str_eq(r.version, "2023-06-01");
        for (int w = 0; w < PQntuples(words); w++) {
            const char *word = PQgetvalue(words, w, 0);
            if (PQgetisnull(words, w, 0) || strlen(word) < SENSITIVE_MIN)
                continue;
            ck_assert_msg(strstr(r.body, word) == NULL, "request %zu has '%s'", i, word);
            checked++;
        }
        /* Two-letter words (the project key "EE") as JSON-quoted or placed. */
        ck_assert_ptr_null(strstr(r.body, "EE-"));
        ck_assert_ptr_null(strstr(r.body, "\"EE\""));
        fake_messages_request_free(&r);
    }
    ck_assert_uint_gt(checked, 20 * n); /* the audit compared real data */
    PQclear(words);
    PQfinish(c);
}

START_TEST(ai_sentence_on_the_dashboard_and_nothing_of_the_tenant_sent)
{
    json_t *b = bottleneck();
    ck_assert_str_eq(json_string_value(json_object_get(b, "explanationSource")), "ai");
    const char *name = json_string_value(json_object_get(b, "statusName"));
    char want[512];
    snprintf(want, sizeof want, "Work waits longest in %s, so it is the bottleneck (%s confidence).",
             name, json_string_value(json_object_get(b, "confidence")));
    ck_assert_str_eq(json_string_value(json_object_get(b, "explanation")), want);
    json_decref(b);
    ck_assert_uint_eq(fake_messages_count(AI), 1);
    audit();
    /* The tenant's switch off: the template, and no call. */
    char *resp = NULL;
    ck_assert_int_eq(harness_call(&H, TENANT, "EE", "PUT", "/api/v1/tenant/settings",
                                  "{\"aiExplanations\":false}", &resp), 200);
    free(resp);
    b = bottleneck();
    ck_assert_str_eq(json_string_value(json_object_get(b, "explanationSource")), "template");
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(b, "explanation")),
                                 "is currently the bottleneck"));
    json_decref(b);
    ck_assert_uint_eq(fake_messages_count(AI), 1);
}
END_TEST

START_TEST(a_bad_answer_falls_back_to_the_template)
{
    fake_messages_set(AI, FAKE_MESSAGES_OK, "{STAGE} is slow. It got 99% worse.", 0);
    json_t *b = bottleneck();
    ck_assert_str_eq(json_string_value(json_object_get(b, "explanationSource")), "template");
    json_decref(b);
    fake_messages_set(AI, FAKE_MESSAGES_FAIL_500, NULL, 0);
    /* The cache holds the first answer: change the data version to recompute. */
    char *resp = NULL;
    ck_assert_int_eq(harness_call(&H, TENANT, "EE", "PUT", "/api/v1/tenant/settings",
                                  "{\"thresholds\":{\"time\":1.3}}", &resp), 200);
    free(resp);
    b = bottleneck();
    ck_assert_str_eq(json_string_value(json_object_get(b, "explanationSource")), "template");
    json_decref(b);
    ck_assert_uint_eq(fake_messages_count(AI), 3); /* one bad answer, one 500 retried */
    audit();
    char *log = harness_server_log(&H);
    ck_assert_ptr_nonnull(strstr(log, "bad_answer"));
    ck_assert_ptr_nonnull(strstr(log, "http_error"));
    ck_assert_ptr_null(strstr(log, KEY));
    free(log);
}
END_TEST

/* Moves the tenant's settings version (thresholds.time to time), so that
 * the next dashboard is computed again and asks for a sentence. */
static void bust_cache(double time)
{
    char body[64], *resp = NULL;
    snprintf(body, sizeof body, "{\"thresholds\":{\"time\":%.2f}}", time);
    ck_assert_int_eq(harness_call(&H, TENANT, "EE", "PUT", "/api/v1/tenant/settings", body, &resp),
                     200);
    free(resp);
}

/* After BIQ_EXPLAIN_BREAKER_FAILURES dashboards whose calls all failed,
 * the next ones use the template without calling (explain/breaker.h). */
START_TEST(a_failing_api_is_left_alone_for_a_while)
{
    enum { FAILING_DASHBOARDS = 3, CALLS_EACH = 2 /* one retry after a 5xx */ };
    fake_messages_set(AI, FAKE_MESSAGES_FAIL_500, NULL, 0);
    for (int i = 0; i <= FAILING_DASHBOARDS; i++) {
        bust_cache(1.3 + 0.01 * i);
        json_t *b = bottleneck();
        ck_assert_str_eq(json_string_value(json_object_get(b, "explanationSource")), "template");
        ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(b, "explanation")),
                                     "is currently the bottleneck"));
        json_decref(b);
        size_t want = (size_t)(i < FAILING_DASHBOARDS ? i + 1 : FAILING_DASHBOARDS) * CALLS_EACH;
        ck_assert_uint_eq(fake_messages_count(AI), want);
    }
    char *log = harness_server_log(&H);
    ck_assert_ptr_nonnull(strstr(log, "ai explanations suspended"));
    ck_assert_ptr_nonnull(strstr(log, "ai_suspended"));
    free(log);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("explain_http");
    TCase *tc = tcase_create("dashboard");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 90);
    tcase_add_test(tc, ai_sentence_on_the_dashboard_and_nothing_of_the_tenant_sent);
    tcase_add_test(tc, a_bad_answer_falls_back_to_the_template);
    tcase_add_test(tc, a_failing_api_is_left_alone_for_a_while);
    suite_add_tcase(s, tc);
    return s;
}
