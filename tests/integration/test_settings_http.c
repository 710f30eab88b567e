/* test_settings_http.c - settings that reach past the flow core, through
 * the real server with real tokens and a real PostgreSQL:
 *   - tenant-wide WIP limits apply to every project, a project's own limit
 *     for the same status wins, and resetting it brings the tenant's back;
 *   - the field-id settings (fields.storyPoints, fields.sprint) are what
 *     ingest reads custom fields with, on real Jira payloads, for the
 *     tenant that set them only;
 *   - the CSV export is an attachment named after project and window. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "testsupport.h"

static harness H;
static const char TENANT[] =
    "ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-0000000000a1";
static const char TENANT_2[] =
    "ari:cloud:ecosystem::installation/bbbbbbbb-0000-4000-8000-0000000000b2";
static const char BACKFILL_NO_FIELDS[] = "{\"total\":33}";

enum { PATH_LEN = 1024, BODY_LEN = 512 };

static void setup(void)
{
    static const char *const env[] = {"BIQ_FLOW_CLOCK=2020-07-01T00:00:00Z", NULL};
    harness_init(&H, "biq_settings_http");
    harness_start_app(&H, env);
    const char *const tenants[] = {TENANT, TENANT_2};
    for (size_t i = 0; i < 2; i++) {
        char *resp = NULL;
        long st = harness_call(&H, tenants[i], NULL, "POST", "/forge/lifecycle",
                               "{\"eventType\":\"avi:forge:installed:app\"}", &resp);
        ck_assert_msg(st == 200, "install: %ld %s", st, resp);
        free(resp);
    }
}

static void teardown(void)
{
    harness_cleanup(&H);
}

static json_t *call_json(const char *tenant, const char *project, const char *method,
                         const char *path, const char *body, long want)
{
    char *resp = NULL;
    long st = harness_call(&H, tenant, project, method, path, body, &resp);
    ck_assert_msg(st == want, "%s %s: %ld (want %ld) %s", method, path, st, want, resp);
    json_t *j = json_loads(resp, 0, NULL);
    ck_assert_msg(j != NULL, "%s %s: not JSON: %s", method, path, resp);
    free(resp);
    return j;
}

static void put_ok(const char *tenant, const char *project, const char *path, const char *body)
{
    json_decref(call_json(tenant, project, "PUT", path, body, 200));
}

/* The element of array whose string member equals value; NULL if none. */
static const json_t *find_by(const json_t *array, const char *member, const char *value)
{
    size_t i;
    const json_t *e;
    json_array_foreach (array, i, e) {
        const char *v = json_string_value(json_object_get(e, member));
        if (v != NULL && strcmp(v, value) == 0)
            return e;
    }
    return NULL;
}

/* The WIP limit the dashboard shows for status_id (-1: no limit, or the
 * status is not listed). */
static json_int_t dashboard_limit(const char *status_id)
{
    json_t *d = call_json(TENANT, "EE", "GET", "/api/v1/projects/EE/dashboard", NULL, 200);
    const json_t *st = find_by(json_object_get(d, "statuses"), "id", status_id);
    /* A limit shows on the status's load: WIP, or a backlog queue's waiting. */
    const json_t *load = json_object_get(st, "wip");
    if (json_is_null(load))
        load = json_object_get(st, "waiting");
    const json_t *l = json_object_get(load, "limit");
    json_int_t limit = json_is_integer(l) ? json_integer_value(l) : -1;
    json_decref(d);
    return limit;
}

/* The limit the WIP-aging chart draws for status_id (-1: none). */
static json_int_t aging_limit(const char *status_id)
{
    json_t *g =
        call_json(TENANT, "EE", "GET", "/api/v1/projects/EE/charts/wip-aging", NULL, 200);
    const json_t *l = find_by(json_object_get(g, "wipLimits"), "statusId", status_id);
    json_int_t limit = l != NULL ? json_integer_value(json_object_get(l, "limit")) : -1;
    json_decref(g);
    return limit;
}

/* The id of the first status the EE dashboard lists. */
static char *first_status_id(void)
{
    json_t *d = call_json(TENANT, "EE", "GET", "/api/v1/projects/EE/dashboard", NULL, 200);
    const char *id =
        json_string_value(json_object_get(json_array_get(json_object_get(d, "statuses"), 0), "id"));
    ck_assert_ptr_nonnull(id);
    char *copy = strdup(id);
    json_decref(d);
    return copy;
}

START_TEST(tenant_wip_limits_apply_unless_the_project_sets_one)
{
    harness_ingest_devlake(&H, TENANT, BACKFILL_NO_FIELDS);
    char *id = first_status_id(), body[BODY_LEN];
    ck_assert_int_eq(dashboard_limit(id), -1);

    snprintf(body, sizeof body, "{\"wipLimits\":[{\"statusId\":\"%s\",\"limit\":7}]}", id);
    put_ok(TENANT, "EE", "/api/v1/tenant/settings", body);
    ck_assert_int_eq(dashboard_limit(id), 7);
    ck_assert_int_eq(aging_limit(id), 7);

    snprintf(body, sizeof body, "{\"wipLimits\":[{\"statusId\":\"%s\",\"limit\":2}]}", id);
    put_ok(TENANT, "EE", "/api/v1/projects/EE/settings", body);
    ck_assert_int_eq(dashboard_limit(id), 2);
    ck_assert_int_eq(aging_limit(id), 2);

    put_ok(TENANT, "EE", "/api/v1/projects/EE/settings", "{\"wipLimits\":null}");
    ck_assert_int_eq(dashboard_limit(id), 7);

    /* The other tenant keeps its defaults. */
    json_t *s = call_json(TENANT_2, "EE", "GET", "/api/v1/tenant/settings", NULL, 200);
    const json_t *f = json_object_get(json_object_get(s, "fields"), "wipLimits");
    ck_assert(json_is_false(json_object_get(f, "overridden")));
    ck_assert_uint_eq(json_array_size(json_object_get(f, "value")), 0);
    json_decref(s);
    free(id);
}
END_TEST

START_TEST(tenant_wip_limit_errors_name_the_entry_and_write_nothing)
{
    json_t *before = call_json(TENANT, "EE", "GET", "/api/v1/tenant/settings", NULL, 200);
    json_t *e = call_json(TENANT, "EE", "PUT", "/api/v1/tenant/settings",
                          "{\"aiExplanations\":false,"
                          "\"wipLimits\":[{\"statusId\":\"3\",\"limit\":4},"
                          "{\"statusId\":\"3\",\"limit\":5}]}",
                          422);
    const char *msg = json_string_value(json_object_get(json_object_get(e, "error"), "message"));
    ck_assert_msg(msg != NULL && strstr(msg, "wipLimits[1]") != NULL, "message: %s", msg);
    json_t *after = call_json(TENANT, "EE", "GET", "/api/v1/tenant/settings", NULL, 200);
    ck_assert_int_eq(json_integer_value(json_object_get(after, "version")),
                     json_integer_value(json_object_get(before, "version")));
    ck_assert(json_equal(after, before));
    json_decref(e);
    json_decref(before);
    json_decref(after);
}
END_TEST

/* The WIP-aging size of issue key in project of tenant (-1: not listed). */
static double aging_size(const char *tenant, const char *project, const char *key)
{
    char path[PATH_LEN];
    snprintf(path, sizeof path, "/api/v1/projects/%s/charts/wip-aging?backlog=true", project);
    json_t *g = call_json(tenant, project, "GET", path, NULL, 200);
    const json_t *it = find_by(json_object_get(g, "items"), "key", key);
    double size = it != NULL ? json_number_value(json_object_get(it, "size")) : -1;
    json_decref(g);
    return size;
}

static void post_webhook(const char *tenant, const char *name)
{
    char path[PATH_LEN];
    snprintf(path, sizeof path, "%s/realdata/jira-webhooks/%s", harness_shared_dir(), name);
    char *body = harness_read_file(path);
    json_decref(call_json(tenant, NULL, "POST", "/forge/events", body, 200));
    free(body);
}

START_TEST(story_points_field_setting_is_read_by_ingest)
{
    /* KT-22 (priority Medium) carries customfield_10072 = 23. */
    static const char WEBHOOK[] = "webhook-cloud-issue-created-many-fields.json";
    put_ok(TENANT, "KT", "/api/v1/tenant/settings",
           "{\"fields\":{\"storyPoints\":\"customfield_10072\"}}");
    post_webhook(TENANT, WEBHOOK);
    post_webhook(TENANT_2, WEBHOOK);
    ck_assert_double_eq(aging_size(TENANT, "KT", "KT-22"), 23.0);
    /* No field id for the other tenant: sized by priority (Medium = 3). */
    ck_assert_double_eq(aging_size(TENANT_2, "KT", "KT-22"), 3.0);
}
END_TEST

START_TEST(sprint_field_setting_is_read_by_ingest)
{
    /* The capture's issues carry their sprints in customfield_10020, and the
     * backfill start names no field ids. */
    put_ok(TENANT, "EE", "/api/v1/tenant/settings",
           "{\"fields\":{\"sprint\":\"customfield_10020\"}}");
    harness_ingest_devlake(&H, TENANT, BACKFILL_NO_FIELDS);
    harness_ingest_devlake(&H, TENANT_2, BACKFILL_NO_FIELDS);
    json_t *d = call_json(TENANT, "EE", "GET", "/api/v1/projects/EE/dashboard?window=sprint-last",
                          NULL, 200);
    ck_assert_ptr_nonnull(json_object_get(d, "window"));
    json_decref(d);
    json_t *e = call_json(TENANT_2, "EE", "GET",
                          "/api/v1/projects/EE/dashboard?window=sprint-last", NULL, 404);
    const char *msg = json_string_value(json_object_get(json_object_get(e, "error"), "message"));
    ck_assert_msg(msg != NULL && strncmp(msg, "window:", 7) == 0, "message: %s", msg);
    json_decref(e);
}
END_TEST

START_TEST(csv_export_is_an_attachment_named_after_project_and_window)
{
    harness_ingest_devlake(&H, TENANT, BACKFILL_NO_FIELDS);
    char *token = harness_token(&H, TENANT, "EE"), auth[16384], *body = NULL, *head = NULL;
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    const char *const headers[] = {auth, NULL};
    long st = http_do_headers(&H, "GET", "/api/v1/projects/EE/export.csv?window=90d", headers,
                              NULL, 0, &body, &head);
    ck_assert_int_eq(st, 200);
    ck_assert_msg(strstr(head, "\r\nContent-Type: text/csv") != NULL, "%s", head);
    ck_assert_msg(
        strstr(head, "\r\nContent-Disposition: attachment; filename=\"EE-90d.csv\"") != NULL,
        "%s", head);
    ck_assert_msg(strncmp(body, "issue_key,summary,project,", 26) == 0, "%.80s", body);
    free(token);
    free(body);
    free(head);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("settings_http");
    TCase *tc = tcase_create("settings_http");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, tenant_wip_limits_apply_unless_the_project_sets_one);
    tcase_add_test(tc, tenant_wip_limit_errors_name_the_entry_and_write_nothing);
    tcase_add_test(tc, story_points_field_setting_is_read_by_ingest);
    tcase_add_test(tc, sprint_field_setting_is_read_by_ingest);
    tcase_add_test(tc, csv_export_is_an_attachment_named_after_project_and_window);
    suite_add_tcase(s, tc);
    return s;
}
