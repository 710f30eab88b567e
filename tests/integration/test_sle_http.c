/* test_sle_http.c - aging bands, pace and service level expectations
 * through the real server, real tokens and PostgreSQL, on a hand-made
 * project (FLOW) whose numbers are computed below:
 *   - the project settings answer the SLE as null with the suggestion (P85
 *     of cycle time, its n) beside it, and store one only when a project
 *     admin sets it; a viewer's PUT and a bad SLE change nothing;
 *   - the WIP aging chart's bands, pace, atRisk and sle;
 *   - export.csv?table=aging, the default table's bytes unchanged, and an
 *     unknown table refused naming the parameter;
 *   - the sle_at_risk alert: work in flight only, once per ticket per UTC
 *     day even when the daily evaluation runs twice.
 *
 * FLOW at the flow clock D = 2024-03-13T12:00:00Z:
 *   FLOW-101 done: In Progress D-10d, Done D-6d   cycle 4 d
 *   FLOW-102 done: In Progress D-20d, Done D-12d  cycle 8 d
 *   FLOW-1 In Progress since D-9d (age 9 d), FLOW-2 since D-5d (5 d),
 *   FLOW-3 (Bug) since D-25h.
 * Cycle times {4, 8}: P50 6, P70 6.8, P85 7.4, P95 7.8 days; suggestion
 * 85% within 8 days (n 2). Paces: FLOW-1 2/2, FLOW-2 1/2, FLOW-3 0/2. At
 * "50% within 30 days" (Bug: 50% within 1 day): FLOW-1 beyond 50%, FLOW-2
 * exactly 50% (not beyond), FLOW-3 over its day. */
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/caller.h"
#include "harness.h"
#include "testsupport.h"

static harness H;
static const char TENANT[] =
    "ari:cloud:ecosystem::installation/abababab-0000-4000-8000-0000000000a4";
static const char INSTALLED[] = "{\"eventType\":\"avi:forge:installed:app\","
                                "\"context\":\"ari:cloud:jira::site/6c2a6f2e\"}";
static const char SWEEP_BODY[] = "{\"context\":{\"cloudId\":\"6c2a6f2e-0000-4000-8000-000000000001\","
                                 "\"moduleKey\":\"biq-hourly-alerts\"},\"contextToken\":\"opaque\"}";
static const char SETTINGS[] = "/api/v1/projects/FLOW/settings";
static const char AGING[] = "/api/v1/projects/FLOW/charts/wip-aging";
static const char SLE_BODY[] =
    "{\"sle\":{\"percentile\":50,\"days\":30},"
    "\"sleByIssueType\":[{\"issueType\":\"Bug\",\"percentile\":50,\"days\":1}]}";
#define D "timestamptz '2024-03-13T12:00:00Z'"

enum { SQL_LEN = 2048, TOL_DAYS_MS = 1 };

/* Issue id of FLOW created `created` before D, in status now, moved at
 * the given offsets (SQL intervals before D) through the statuses. */
static void issue(int id, const char *type, int status, const char *created, const char *in,
                  const char *done)
{
    char q[SQL_LEN];
    snprintf(q, sizeof q,
             "INSERT INTO issues (tenant_id, issue_id, key, project_key, summary, status_id,"
             " issue_type, created_at, updated_at) VALUES ('%s', %d, 'FLOW-%d', 'FLOW', 's', %d,"
             " %s%s%s, " D " - interval '%s', " D " - interval '%s');"
             "INSERT INTO status_transitions VALUES ('%s', %d, 1, 0, " D " - interval '%s', 1, 10)",
             TENANT, id, id - 100, status, type ? "'" : "", type ? type : "NULL", type ? "'" : "",
             created, created, TENANT, id, in);
    harness_exec(&H, q);
    if (done != NULL) {
        snprintf(q, sizeof q,
                 "INSERT INTO status_transitions VALUES ('%s', %d, 2, 0, " D " - interval '%s',"
                 " 10, 20)",
                 TENANT, id, done);
        harness_exec(&H, q);
    }
}

static void setup(void)
{
    static const char *const env[] = {"BIQ_FLOW_CLOCK=2024-03-13T12:00:00Z",
                                      "BIQ_ALERT_SWEEP_SECONDS=86400", NULL};
    char *resp = NULL, q[SQL_LEN];
    harness_init(&H, "biq_sle_http");
    harness_start_app(&H, env);
    ck_assert_int_eq(harness_call(&H, TENANT, NULL, "POST", "/forge/lifecycle", INSTALLED, &resp),
                     200);
    free(resp);
    snprintf(q, sizeof q,
             "INSERT INTO statuses (tenant_id, status_id, name, category) VALUES"
             " ('%s', 1, 'To Do', 'new'), ('%s', 10, 'In Progress', 'indeterminate'),"
             " ('%s', 20, 'Done', 'done');"
             "INSERT INTO data_versions (tenant_id, project_key) VALUES ('%s', 'FLOW')",
             TENANT, TENANT, TENANT, TENANT);
    harness_exec(&H, q);
    issue(201, NULL, 20, "11 days", "10 days", "6 days");
    issue(202, NULL, 20, "21 days", "20 days", "12 days");
    issue(101, NULL, 10, "10 days", "9 days", NULL);
    issue(102, NULL, 10, "6 days", "5 days", NULL);
    issue(103, "Bug", 10, "2 days", "25 hours", NULL);
}

static void teardown(void)
{
    ck_assert_int_eq(harness_server_stop(&H, SIGTERM), 0);
    harness_cleanup(&H);
}

static json_t *call_json(const char *method, const char *path, const char *body, long want)
{
    char *resp = NULL;
    long st = harness_call(&H, TENANT, strncmp(path, "/api/v1/projects/", 17) == 0 ? "FLOW" : NULL,
                           method, path, body, &resp);
    ck_assert_msg(st == want, "%s %s: %ld (want %ld) %s", method, path, st, want, resp);
    json_t *j = json_loads(resp, 0, NULL);
    ck_assert_msg(j != NULL, "%s %s: not JSON: %s", method, path, resp);
    free(resp);
    return j;
}

static const json_t *field(const json_t *settings, const char *name)
{
    return json_object_get(json_object_get(settings, "fields"), name);
}

static double num(const json_t *o, const char *name)
{
    const json_t *v = json_object_get(o, name);
    ck_assert_msg(json_is_number(v), "%s: not a number", name);
    return json_number_value(v);
}

static const json_t *item(const json_t *chart, const char *key)
{
    size_t i;
    const json_t *e;
    json_array_foreach (json_object_get(chart, "items"), i, e) {
        if (strcmp(json_string_value(json_object_get(e, "key")), key) == 0)
            return e;
    }
    ck_abort_msg("no item %s", key);
    return NULL;
}

START_TEST(settings_answer_a_suggestion_and_store_only_what_an_admin_sets)
{
    json_t *s = call_json("GET", SETTINGS, NULL, 200);
    ck_assert(json_is_null(json_object_get(field(s, "sle"), "value")));
    ck_assert(json_is_false(json_object_get(field(s, "sle"), "overridden")));
    ck_assert_uint_eq(json_array_size(json_object_get(field(s, "sleByIssueType"), "value")), 0);
    const json_t *sug = json_object_get(json_object_get(s, "suggestions"), "sle");
    ck_assert_int_eq(num(sug, "percentile"), 85);
    ck_assert_int_eq(num(sug, "days"), 8);
    ck_assert_int_eq(num(sug, "n"), 2);
    ck_assert_double_eq_tol(num(sug, "p85Days"), 7.4, 1e-9);
    json_int_t version = json_integer_value(json_object_get(s, "version"));

    /* A viewer of the project is refused and changes nothing. */
    char *token = harness_token_as(&H, TENANT, "FLOW", BIQ_CALLER_VIEWER), *resp = NULL;
    ck_assert_int_eq(http_json(&H, "PUT", SETTINGS, token, SLE_BODY, &resp), 403);
    ck_assert_ptr_nonnull(strstr(resp, "\"code\":\"forbidden\""));
    free(resp);
    free(token);
    /* A bad SLE is a 422 naming the field, and writes nothing. */
    json_t *e = call_json("PUT", SETTINGS,
                          "{\"excludedIssueTypes\":[\"Epic\"],"
                          "\"sle\":{\"percentile\":100,\"days\":3}}",
                          422);
    const char *msg = json_string_value(json_object_get(json_object_get(e, "error"), "message"));
    ck_assert_str_eq(msg, "sle: percentile must be an integer between 50 and 99");
    json_decref(e);
    json_t *after = call_json("GET", SETTINGS, NULL, 200);
    ck_assert_int_eq(json_integer_value(json_object_get(after, "version")), version);
    ck_assert(json_equal(after, s));
    json_decref(after);
    json_decref(s);

    /* The admin's SLE is stored as given; the suggestion stays beside it. */
    s = call_json("PUT", SETTINGS, SLE_BODY, 200);
    ck_assert_int_eq(num(json_object_get(field(s, "sle"), "value"), "percentile"), 50);
    ck_assert_int_eq(num(json_object_get(field(s, "sle"), "value"), "days"), 30);
    ck_assert(json_is_true(json_object_get(field(s, "sle"), "overridden")));
    ck_assert_int_eq(num(json_object_get(json_object_get(s, "suggestions"), "sle"), "days"), 8);
    json_decref(s);
    s = call_json("GET", SETTINGS, NULL, 200);
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_array_get(json_object_get(field(s, "sleByIssueType"), "value"), 0),
                         "issueType")),
                     "Bug");
    json_decref(s);
    /* Reset: null again. */
    json_decref(call_json("PUT", SETTINGS, "{\"sle\":null}", 200));
    s = call_json("GET", SETTINGS, NULL, 200);
    ck_assert(json_is_null(json_object_get(field(s, "sle"), "value")));
    json_decref(s);
}
END_TEST

START_TEST(aging_chart_has_bands_pace_and_the_sle)
{
    json_t *g = call_json("GET", AGING, NULL, 200);
    const json_t *bands = json_object_get(g, "bands");
    const json_t *span = json_object_get(bands, "inProgress");
    ck_assert_int_eq(num(bands, "basisDays"), 90);
    ck_assert_int_eq(num(span, "n"), 2);
    ck_assert_double_eq_tol(num(span, "p50Days"), 6.0, 1e-9);
    ck_assert_double_eq_tol(num(span, "p70Days"), 6.8, 1e-9);
    ck_assert_double_eq_tol(num(span, "p85Days"), 7.4, 1e-9);
    ck_assert_double_eq_tol(num(span, "p95Days"), 7.8, 1e-9);
    const json_t *ip = json_array_get(json_object_get(bands, "statuses"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(ip, "status")), "In Progress");
    ck_assert_int_eq(num(ip, "n"), 2);
    ck_assert_double_eq_tol(num(ip, "p95Days"), 7.8, 1e-9);
    /* No SLE yet: pace, nobody at risk, the suggestion. */
    ck_assert(json_is_null(json_object_get(json_object_get(g, "sle"), "setting")));
    ck_assert_int_eq(num(json_object_get(json_object_get(g, "sle"), "suggestion"), "days"), 8);
    ck_assert_uint_eq(json_array_size(json_object_get(g, "atRisk")), 0);
    ck_assert_double_eq(num(item(g, "FLOW-1"), "pace"), 1.0);
    ck_assert_double_eq(num(item(g, "FLOW-2"), "pace"), 0.5);
    ck_assert_double_eq(num(item(g, "FLOW-3"), "pace"), 0.0);
    json_decref(g);

    json_decref(call_json("PUT", SETTINGS, SLE_BODY, 200));
    g = call_json("GET", AGING, NULL, 200);
    const json_t *setting = json_object_get(json_object_get(g, "sle"), "setting");
    ck_assert_int_eq(num(setting, "percentile"), 50);
    ck_assert_int_eq(num(setting, "days"), 30);
    ck_assert(json_is_true(json_object_get(item(g, "FLOW-1"), "atRisk")));
    ck_assert(json_is_false(json_object_get(item(g, "FLOW-2"), "atRisk"))); /* 50%, not beyond */
    ck_assert(json_is_true(json_object_get(item(g, "FLOW-3"), "atRisk")));  /* Bug: over 1 day */
    const json_t *risk = json_object_get(g, "atRisk");
    ck_assert_uint_eq(json_array_size(risk), 2);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(risk, 0), "key")), "FLOW-1");
    ck_assert(json_is_true(json_object_get(json_array_get(risk, 0), "beyondPercentile")));
    ck_assert(json_is_false(json_object_get(json_array_get(risk, 0), "overDays")));
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(risk, 1), "key")), "FLOW-3");
    ck_assert(json_is_true(json_object_get(json_array_get(risk, 1), "overDays")));
    ck_assert_int_eq(num(json_object_get(json_array_get(risk, 1), "sle"), "days"), 1);
    json_decref(g);
}
END_TEST

static long get_csv(const char *path, char **body)
{
    char *token = harness_token(&H, TENANT, "FLOW"), auth[16384], *head = NULL;
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    const char *const headers[] = {auth, NULL};
    long st = http_do_headers(&H, "GET", path, headers, NULL, 0, body, &head);
    free(token);
    free(head);
    return st;
}

START_TEST(export_aging_table)
{
    char *a = NULL, *b = NULL;
    json_decref(call_json("PUT", SETTINGS, SLE_BODY, 200));
    ck_assert_int_eq(get_csv("/api/v1/projects/FLOW/export.csv?table=aging", &a), 200);
    ck_assert_str_eq(a, "issue_key,status,issue_type,started,age_days,pace,at_risk,"
                        "sle_percentile,sle_days\r\n"
                        "FLOW-1,In Progress,,2024-03-04T12:00:00.000Z,9.000,1.0000,true,50,30\r\n"
                        "FLOW-2,In Progress,,2024-03-08T12:00:00.000Z,5.000,0.5000,false,50,30\r\n"
                        "FLOW-3,In Progress,Bug,2024-03-12T11:00:00.000Z,1.042,0.0000,true,50,1\r\n");
    free(a);
    /* The default table is the slice export, byte for byte. */
    ck_assert_int_eq(get_csv("/api/v1/projects/FLOW/export.csv?window=90d", &a), 200);
    ck_assert_int_eq(get_csv("/api/v1/projects/FLOW/export.csv?window=90d&table=slices", &b), 200);
    ck_assert_str_eq(a, b);
    ck_assert_msg(strncmp(a, "issue_key,summary,project,", 26) == 0, "%.60s", a);
    free(a);
    free(b);
    json_t *e = call_json("GET", "/api/v1/projects/FLOW/export.csv?table=nope", NULL, 400);
    ck_assert_str_eq(
        json_string_value(json_object_get(json_object_get(e, "error"), "message")),
        "table: expected slices, efficiency, sprints, cfd, runs or aging");
    json_decref(e);
}
END_TEST

static long long events(int issue_id)
{
    char q[512];
    snprintf(q, sizeof q,
             "SELECT count(*) FROM alert_events e JOIN alert_rules r USING (tenant_id, rule_id)"
             " WHERE e.tenant_id = '%s' AND r.kind = 'sle_at_risk' AND e.issue_id = %d",
             TENANT, issue_id);
    return harness_count(&H, q);
}

static long long sweep_alerts(const char *want_cadence)
{
    json_t *o = call_json("POST", "/forge/alerts/sweep", SWEEP_BODY, 200);
    ck_assert_str_eq(json_string_value(json_object_get(o, "cadence")), want_cadence);
    long long n = json_integer_value(json_object_get(o, "alerts"));
    json_decref(o);
    return n;
}

START_TEST(sle_alert_fires_once_per_day_for_work_in_flight)
{
    json_decref(call_json("PUT", SETTINGS, SLE_BODY, 200));
    json_decref(call_json("POST", "/api/v1/alerts/rules",
                          "{\"kind\":\"sle_at_risk\",\"name\":\"SLE\",\"projectKey\":\"FLOW\"}",
                          201));
    ck_assert_int_eq(sweep_alerts("daily"), 2);
    ck_assert_int_eq(events(101), 1);
    ck_assert_int_eq(events(103), 1);
    ck_assert_int_eq(events(102), 0);
    ck_assert_int_eq(events(201), 0); /* finished work never alerts */
    ck_assert_int_eq(events(202), 0);
    /* The daily evaluation again on the same UTC day: nothing new. */
    harness_exec(&H, "UPDATE alert_sweeps SET daily_day = daily_day - 1,"
                     " last_finished_at = last_finished_at - interval '1 hour'");
    ck_assert_int_eq(sweep_alerts("daily"), 0);
    ck_assert_int_eq(events(101), 1);
    ck_assert_int_eq(events(103), 1);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("sle_http");
    TCase *tc = tcase_create("sle_http");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, settings_answer_a_suggestion_and_store_only_what_an_admin_sets);
    tcase_add_test(tc, aging_chart_has_bands_pace_and_the_sle);
    tcase_add_test(tc, export_aging_table);
    tcase_add_test(tc, sle_alert_fires_once_per_day_for_work_in_flight);
    suite_add_tcase(s, tc);
    return s;
}
