/* test_sync_http.c - the routes behind the Forge side's scheduled work:
 * backfill requests from the UI and their pick-up, the reconcile's last
 * success, and deletions caught by the reconcile's id list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "testsupport.h"

static harness H;
static const char TENANT[] = "ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-00000000005c";

static void setup(void)
{
    char *body = NULL;
    harness_init(&H, "biq_sync");
    harness_start_app(&H, NULL);
    ck_assert_int_eq(harness_call(&H, TENANT, NULL, "POST", "/forge/lifecycle",
                                  "{\"eventType\":\"avi:forge:installed:app\"}", &body), 200);
    free(body);
}

static void teardown(void)
{
    harness_cleanup(&H);
}

static char *forge(const char *method, const char *path, const char *body, long want)
{
    char *resp = NULL;
    long st = harness_call(&H, TENANT, NULL, method, path, body, &resp);
    ck_assert_msg(st == want, "%s %s: %ld (%s)", method, path, st, resp);
    return resp;
}

START_TEST(ui_backfill_requests_are_picked_up_and_cleared)
{
    char *body = NULL;
    ck_assert_int_eq(harness_call(&H, TENANT, "FLOW", "POST", "/api/v1/projects/FLOW/backfill",
                                  "{}", &body), 202);
    ck_assert_ptr_nonnull(strstr(body, "\"queued\""));
    free(body);
    /* A malformed body is told, not queued. */
    ck_assert_int_eq(harness_call(&H, TENANT, "FLOW", "POST", "/api/v1/projects/FLOW/backfill",
                                  "{not json", &body), 400);
    ck_assert_ptr_nonnull(strstr(body, "not valid JSON"));
    free(body);
    ck_assert_int_eq(harness_call(&H, TENANT, "FLOW", "POST", "/api/v1/projects/FLOW/backfill",
                                  "[1]", &body), 422);
    free(body);
    ck_assert_int_eq(harness_call(&H, TENANT, "FLOW", "POST", "/api/v1/projects/FLOW/backfill",
                                  "{\"all\":true}", &body), 422);
    ck_assert_ptr_nonnull(strstr(body, "all: unexpected member"));
    free(body);
    /* A page of another project cannot ask for this one. */
    ck_assert_int_eq(harness_call(&H, TENANT, "OTHER", "POST", "/api/v1/projects/FLOW/backfill",
                                  "{}", &body), 403);
    free(body);
    body = forge("GET", "/forge/backfill/requests", NULL, 200);
    ck_assert_str_eq(body, "{\"projects\":[\"FLOW\"]}");
    free(body);
    free(forge("POST", "/forge/backfill/FLOW", "{\"total\":0}", 200));
    body = forge("GET", "/forge/backfill/requests", NULL, 200);
    ck_assert_str_eq(body, "{\"projects\":[]}");
    free(body);
}
END_TEST

START_TEST(reconcile_success_is_recorded_and_never_moves_back)
{
    char *body = forge("GET", "/forge/reconcile", NULL, 200);
    ck_assert_str_eq(body, "{\"lastSuccessAt\":null}");
    free(body);
    free(forge("POST", "/forge/reconcile",
               "{\"startedAt\":\"2026-01-02T03:00:00Z\",\"finishedAt\":\"2026-01-02T03:05:00Z\","
               "\"projects\":[\"A\",\"B\"],\"issues\":40}", 200));
    free(forge("POST", "/forge/reconcile",
               "{\"startedAt\":\"2026-01-01T03:00:00Z\",\"finishedAt\":\"2026-01-01T03:05:00Z\"}", 200));
    body = forge("GET", "/forge/reconcile", NULL, 200);
    ck_assert_str_eq(body, "{\"lastSuccessAt\":\"2026-01-02T03:00:00.000Z\"}");
    free(body);
    body = forge("POST", "/forge/reconcile", "{\"startedAt\":\"yesterday\"}", 422);
    ck_assert_ptr_nonnull(strstr(body, "startedAt"));
    free(body);
    body = forge("POST", "/forge/reconcile",
                 "{\"startedAt\":\"2026-01-02T03:00:00Z\",\"finishedAt\":\"2026-01-01T00:00:00Z\"}", 422);
    ck_assert_ptr_nonnull(strstr(body, "finishedAt"));
    free(body);
}
END_TEST

static void issue_event(int id, const char *updated, char *out, size_t len)
{
    snprintf(out, len,
             "{\"eventType\":\"avi:jira:updated:issue\",\"issue\":{\"id\":\"%d\",\"key\":\"R-%d\","
             "\"fields\":{\"summary\":\"s\",\"project\":{\"id\":\"1\",\"key\":\"R\"},"
             "\"status\":{\"id\":\"3\",\"name\":\"In Progress\",\"statusCategory\":{\"key\":\"indeterminate\"}},"
             "\"issuetype\":{\"name\":\"Task\"},\"created\":\"2024-01-01T10:00:00.000+0000\","
             "\"updated\":\"%s\"}}}",
             id, id, updated);
}

static long long count(const char *sql)
{
    PGconn *c = harness_pg(&H, "postgres");
    PGresult *r = harness_sql(c, sql);
    long long n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    PQfinish(c);
    return n;
}

START_TEST(the_id_list_catches_deletions)
{
    char event[1024];
    for (int id = 1; id <= 3; id++) {
        issue_event(id, "2024-01-02T10:00:00.000+0000", event, sizeof event);
        free(forge("POST", "/forge/events", event, 200));
    }
    char *body = forge("POST", "/forge/reconcile/R/ids", "{\"ids\":[\"1\",3]}", 200);
    ck_assert_ptr_nonnull(strstr(body, "\"removed\":1"));
    free(body);
    ck_assert_int_eq(count("SELECT count(*) FROM issues WHERE project_key = 'R'"), 2);
    ck_assert_int_eq(count("SELECT count(*) FROM issues WHERE issue_id = 2"), 0);
    /* A late, older state does not bring it back... */
    issue_event(2, "2024-01-02T10:00:00.000+0000", event, sizeof event);
    free(forge("POST", "/forge/events", event, 200));
    ck_assert_int_eq(count("SELECT count(*) FROM issues WHERE issue_id = 2"), 0);
    /* ...and bad lists change nothing. */
    body = forge("POST", "/forge/reconcile/R/ids", "{\"ids\":[\"x\"]}", 422);
    ck_assert_ptr_nonnull(strstr(body, "ids[0]"));
    free(body);
    free(forge("POST", "/forge/reconcile/R/ids", "{\"ids\":\"1,3\"}", 422));
    ck_assert_int_eq(count("SELECT count(*) FROM issues WHERE project_key = 'R'"), 2);
}
END_TEST

/* An id string is plain digits that fit an int64: strtoll's saturation,
 * sign and leading space are refused by path; so is a project key of the
 * wrong shape. Nothing is removed by a refused list. */
START_TEST(bad_ids_and_keys_are_refused)
{
    char event[1024];
    issue_event(1, "2024-01-02T10:00:00.000+0000", event, sizeof event);
    free(forge("POST", "/forge/events", event, 200));
    static const char *const BAD[] = {"\"99999999999999999999\"", "\" 12\"", "\"+12\"",
                                      "\"12 \"", "\"012\""};
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        char list[128];
        snprintf(list, sizeof list, "{\"ids\":[1,%s]}", BAD[i]);
        char *body = forge("POST", "/forge/reconcile/R/ids", list, 422);
        ck_assert_msg(strstr(body, "ids[1]") != NULL, "%s: %s", list, body);
        free(body);
    }
    static const char *const KEYS[] = {"/forge/reconcile/r/ids", "/forge/reconcile/R-1/ids",
                                       "/forge/reconcile/%20R/ids", "/forge/reconcile/1R/ids"};
    for (size_t i = 0; i < sizeof KEYS / sizeof KEYS[0]; i++) {
        char *body = forge("POST", KEYS[i], "{\"ids\":[]}", 400);
        ck_assert_msg(strstr(body, "projectKey") != NULL, "%s: %s", KEYS[i], body);
        free(body);
    }
    ck_assert_int_eq(count("SELECT count(*) FROM issues WHERE project_key = 'R'"), 1);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("sync_http");
    TCase *tc = tcase_create("sync_http");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, ui_backfill_requests_are_picked_up_and_cleared);
    tcase_add_test(tc, reconcile_success_is_recorded_and_never_moves_back);
    tcase_add_test(tc, the_id_list_catches_deletions);
    tcase_add_test(tc, bad_ids_and_keys_are_refused);
    suite_add_tcase(s, tc);
    return s;
}
