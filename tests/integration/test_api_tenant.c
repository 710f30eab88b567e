/* test_api_tenant.c - install, uninstall and the tenant route over HTTP:
 * the tenant is the token's, installs are idempotent, bodies are checked
 * and refused with clear errors, uninstall removes every row of that
 * tenant and none of another's, and a one-connection pool serving two
 * tenants back to back never shows one the other's data. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/caller.h"
#include "harness.h"
#include "testsupport.h"

static harness H;
static const char TENANT_A[] = "ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-00000000000a";
static const char TENANT_B[] = "ari:cloud:ecosystem::installation/bbbbbbbb-0000-4000-8000-00000000000b";
static const char INSTALLED[] =
    "{\"eventType\":\"avi:forge:installed:app\",\"id\":\"aaaaaaaa-0000-4000-8000-00000000000a\","
    "\"installerAccountId\":\"557058:abc\",\"context\":\"ari:cloud:jira::site/6c2a6f2e\"}";

static void setup(void)
{
    harness_init(&H, "biq_tenant");
    harness_start_app(&H, NULL);
}

static void setup_one_connection(void)
{
    const char *env[] = {"BIQ_DB_POOL_SIZE=1", NULL};
    harness_init(&H, "biq_tenant");
    harness_start_app(&H, env);
}

static void teardown(void)
{
    harness_cleanup(&H);
}

/* Forge routes get event tokens (no context); the UI's get a project. */
static long call(const char *tenant, const char *method, const char *path, const char *body,
                 char **resp)
{
    bool event = strncmp(path, "/forge/", 7) == 0;
    return harness_call(&H, tenant, event ? NULL : "FLOW", method, path, body, resp);
}

static char *token_for(const char *tenant, bool event)
{
    return event ? harness_token_as(&H, tenant, NULL, BIQ_CALLER_LIFECYCLE)
                 : harness_token(&H, tenant, "FLOW");
}

static long long tenant_count(const char *tenant, const char *what)
{
    char *body = NULL;
    ck_assert_int_eq(call(tenant, "GET", "/api/v1/tenant", NULL, &body), 200);
    json_t *root = json_loads(body, 0, NULL);
    ck_assert_ptr_nonnull(root);
    ck_assert_str_eq(json_string_value(json_object_get(root, "id")), tenant);
    long long n = json_integer_value(json_object_get(json_object_get(root, "counts"), what));
    json_decref(root);
    free(body);
    return n;
}

static long long db_rows(const char *tenant)
{
    char sql[512];
    PGconn *c = harness_pg(&H, "postgres");
    snprintf(sql, sizeof sql,
             "SELECT (SELECT count(*) FROM tenants WHERE tenant_id = '%s')"
             " + (SELECT count(*) FROM issues WHERE tenant_id = '%s')"
             " + (SELECT count(*) FROM status_transitions WHERE tenant_id = '%s')",
             tenant, tenant, tenant);
    PGresult *r = harness_sql(c, sql);
    long long n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    PQfinish(c);
    return n;
}

static void seed_issues(const char *tenant, int first_id, int count)
{
    char sql[512];
    PGconn *c = harness_pg(&H, "postgres");
    snprintf(sql, sizeof sql,
             "INSERT INTO issues (tenant_id, issue_id, key, project_key, status_id, created_at, updated_at)"
             " SELECT '%s', g, 'P-' || g, 'P', 1, now(), now() FROM generate_series(%d, %d) g",
             tenant, first_id, first_id + count - 1);
    PQclear(harness_sql(c, sql));
    snprintf(sql, sizeof sql,
             "INSERT INTO status_transitions SELECT '%s', g, g, 0, now(), NULL, 1"
             " FROM generate_series(%d, %d) g", tenant, first_id, first_id + count - 1);
    PQclear(harness_sql(c, sql));
    PQfinish(c);
}

START_TEST(install_is_idempotent_and_scoped_to_the_token)
{
    char *body = NULL;
    ck_assert_int_eq(call(TENANT_A, "GET", "/api/v1/tenant", NULL, &body), 404);
    ck_assert_ptr_nonnull(strstr(body, "not registered"));
    free(body);
    ck_assert_int_eq(call(TENANT_A, "POST", "/forge/lifecycle", INSTALLED, &body), 200);
    ck_assert_str_eq(body, "{\"ok\":true}");
    free(body);
    /* The same event again, and in an envelope: still one tenant. */
    ck_assert_int_eq(call(TENANT_A, "POST", "/forge/lifecycle", INSTALLED, &body), 200);
    free(body);
    char envelope[1024];
    snprintf(envelope, sizeof envelope, "{\"payload\":%s}", INSTALLED);
    ck_assert_int_eq(call(TENANT_A, "POST", "/forge/lifecycle", envelope, &body), 200);
    free(body);
    ck_assert_int_eq(db_rows(TENANT_A), 1);
    ck_assert_int_eq(tenant_count(TENANT_A, "issues"), 0);
    ck_assert_int_eq(call(TENANT_A, "GET", "/api/v1/tenant", NULL, &body), 200);
    ck_assert_ptr_nonnull(strstr(body, "\"cloudId\":\"6c2a6f2e\""));
    free(body);
    /* The body's installation id never picks the tenant: B is not installed. */
    ck_assert_int_eq(call(TENANT_B, "GET", "/api/v1/tenant", NULL, &body), 404);
    free(body);
}
END_TEST

START_TEST(bad_bodies_get_clear_errors)
{
    char *body = NULL;
    char *t = token_for(TENANT_A, true);
    ck_assert_int_eq(http_json(&H, "POST", "/forge/lifecycle", t, "{\"eventType\":", &body), 400);
    ck_assert_ptr_nonnull(strstr(body, "\"code\":\"bad_request\",\"message\":\"body is not valid JSON"));
    free(body);
    ck_assert_int_eq(http_json(&H, "POST", "/forge/lifecycle", t, "[1,2]", &body), 422);
    ck_assert_ptr_nonnull(strstr(body, "must be a JSON object"));
    free(body);
    ck_assert_int_eq(http_json(&H, "POST", "/forge/lifecycle", t, "{\"eventType\":3}", &body), 422);
    ck_assert_ptr_nonnull(strstr(body, "eventType: missing or not a string"));
    free(body);
    ck_assert_int_eq(http_json(&H, "POST", "/forge/lifecycle", t,
                               "{\"eventType\":\"a\",\"eventType\":\"b\"}", &body), 400);
    free(body);
    ck_assert_int_eq(http_json(&H, "POST", "/forge/lifecycle", t, "{\"x\":\"\\u0000\"}", &body), 400);
    free(body);
    ck_assert_int_eq(http_json(&H, "POST", "/forge/lifecycle", t,
                               "{\"eventType\":\"avi:forge:something:else\"}", &body), 202);
    ck_assert_ptr_nonnull(strstr(body, "\"ignored\""));
    free(body);
    char auth[4096];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", t);
    const char *text[] = {auth, "Content-Type: text/plain", NULL};
    ck_assert_int_eq(http_do(&H, "POST", "/forge/lifecycle", text, INSTALLED, strlen(INSTALLED), &body), 415);
    free(body);
    ck_assert_int_eq(db_rows(TENANT_A), 0);
    free(t);
}
END_TEST

START_TEST(uninstall_removes_only_that_tenant)
{
    char *body = NULL;
    ck_assert_int_eq(call(TENANT_A, "POST", "/forge/lifecycle", INSTALLED, &body), 200);
    free(body);
    ck_assert_int_eq(call(TENANT_B, "POST", "/forge/lifecycle", INSTALLED, &body), 200);
    free(body);
    seed_issues(TENANT_A, 1, 5);
    seed_issues(TENANT_B, 1, 3); /* same Jira ids in another site */
    ck_assert_int_eq(tenant_count(TENANT_A, "issues"), 5);
    ck_assert_int_eq(tenant_count(TENANT_B, "transitions"), 3);
    ck_assert_int_eq(call(TENANT_A, "POST", "/forge/lifecycle",
                          "{\"eventType\":\"avi:forge:uninstalled:app\"}", &body), 200);
    free(body);
    ck_assert_int_eq(db_rows(TENANT_A), 0);
    ck_assert_int_eq(db_rows(TENANT_B), 1 + 3 + 3);
    /* The pre-uninstall hook does the same, and a second call is harmless. */
    ck_assert_int_eq(call(TENANT_B, "POST", "/forge/uninstall", "{}", &body), 200);
    free(body);
    ck_assert_int_eq(call(TENANT_B, "POST", "/forge/uninstall", "{}", &body), 200);
    free(body);
    ck_assert_int_eq(db_rows(TENANT_B), 0);
}
END_TEST

START_TEST(one_connection_serves_tenants_back_to_back)
{
    char *body = NULL;
    ck_assert_int_eq(call(TENANT_A, "POST", "/forge/lifecycle", INSTALLED, &body), 200);
    free(body);
    ck_assert_int_eq(call(TENANT_B, "POST", "/forge/lifecycle", INSTALLED, &body), 200);
    free(body);
    seed_issues(TENANT_A, 1, 7);
    seed_issues(TENANT_B, 100, 2);
    for (int i = 0; i < 10; i++) {
        ck_assert_int_eq(tenant_count(TENANT_A, "issues"), 7);
        ck_assert_int_eq(tenant_count(TENANT_B, "issues"), 2);
    }
    ck_assert_int_eq(harness_ops_get(&H, "/metrics", &body), 200);
    ck_assert_ptr_nonnull(strstr(body, "biq_db_pool_events_total{event=\"connect\"} 1\n"));
    free(body);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("api_tenant");
    TCase *tc = tcase_create("tenant");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, install_is_idempotent_and_scoped_to_the_token);
    tcase_add_test(tc, bad_bodies_get_clear_errors);
    tcase_add_test(tc, uninstall_removes_only_that_tenant);
    suite_add_tcase(s, tc);
    TCase *one = tcase_create("one_connection");
    tcase_set_timeout(one, 60);
    tcase_add_checked_fixture(one, setup_one_connection, teardown);
    tcase_add_test(one, one_connection_serves_tenants_back_to_back);
    suite_add_tcase(s, one);
    return s;
}
