/* test_project_cache_http.c - the loaded-project cache through the real
 * server, observed on /metrics:
 *   - other windows, charts and the issue panel of the same data reuse the
 *     one loaded project (one load, then hits);
 *   - an ingest commit (an event, a backfill page) is a new key: the next
 *     view loads again and shows the new data, never the cached model;
 *   - an uninstall and reinstall restarts the data version, and still no
 *     model (or dashboard) of the old installation is served;
 *   - answers with the cache equal answers with it switched off
 *     (BIQ_PROJECT_CACHE_MB=0), which loads per request as before;
 *   - a project's boardId setting takes effect on the next request while
 *     its model stays cached (the model holds every board; the settings
 *     pick one per request);
 *   - a bad BIQ_PROJECT_CACHE_MB stops the server naming the variable. */
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "testsupport.h"

static harness H;
static const char TENANT[] =
    "ari:cloud:ecosystem::installation/dddddddd-0000-4000-8000-00000000000d";
static const char TENANT_2[] =
    "ari:cloud:ecosystem::installation/eeeeeeee-0000-4000-8000-00000000000e";
static const char INSTALLED[] = "{\"eventType\":\"avi:forge:installed:app\"}";
static const char UNINSTALLED[] = "{\"eventType\":\"avi:forge:uninstalled:app\"}";
static const char CLOCK_ENV[] = "BIQ_FLOW_CLOCK=2020-06-20T00:00:00Z";

enum { PATH_LEN = 256, EVENT_LEN = 2048 };

/* Restarts the server on the same database and keys with cache_env on
 * top of what harness_start_app gave it. */
static void restart(const char *cache_env)
{
    const char *const env[] = {CLOCK_ENV, cache_env, NULL};
    harness_restart_app(&H, env);
}

static void setup(void)
{
    static const char *const env[] = {CLOCK_ENV, NULL};
    harness_init(&H, "biq_project_cache_http");
    harness_start_app(&H, env);
    harness_post_ok(&H, TENANT, "/forge/lifecycle", INSTALLED);
    harness_post_ok(&H, TENANT_2, "/forge/lifecycle", INSTALLED);
    harness_ingest_devlake(&H, TENANT, "{\"total\":33}");
}

static void teardown(void)
{
    harness_cleanup(&H);
}

static char *get_text(const char *tenant, const char *path, long want)
{
    char *resp = NULL;
    long st = harness_call(&H, tenant, "EE", "GET", path, NULL, &resp);
    ck_assert_msg(st == want, "GET %s: %ld (want %ld) %s", path, st, want, resp);
    return resp;
}

static json_t *get_json(const char *tenant, const char *path)
{
    char *text = get_text(tenant, path, 200);
    json_t *j = json_loads(text, 0, NULL);
    ck_assert_msg(j != NULL, "GET %s: not JSON: %s", path, text);
    free(text);
    return j;
}

static json_t *dashboard(const char *tenant, const char *window)
{
    char path[PATH_LEN];
    snprintf(path, sizeof path, "/api/v1/projects/EE/dashboard?window=%s", window);
    return get_json(tenant, path);
}

/* One sample of /metrics, by its exact series text (0 when absent). */
static unsigned long long metric(const char *series)
{
    char *body = NULL, want[PATH_LEN];
    ck_assert_int_eq(harness_ops_get(&H, "/metrics", &body), 200);
    snprintf(want, sizeof want, "\n%s ", series);
    const char *at = strstr(body, want);
    unsigned long long v = at != NULL ? strtoull(at + strlen(want), NULL, 10) : 0;
    free(body);
    return v;
}

static unsigned long long project(const char *result)
{
    char series[PATH_LEN];
    snprintf(series, sizeof series, "biq_cache_lookups_total{cache=\"project\",result=\"%s\"}",
             result);
    return metric(series);
}

static unsigned long long result_cache(const char *result)
{
    char series[PATH_LEN];
    snprintf(series, sizeof series, "biq_cache_lookups_total{cache=\"dashboard\",result=\"%s\"}",
             result);
    return metric(series);
}

static unsigned long long loads_kept(void)
{
    return metric("biq_project_cache_loads_total{outcome=\"kept\"}");
}

static json_int_t data_version(const json_t *d)
{
    return json_integer_value(json_object_get(d, "dataVersion"));
}

/* The current WIP of status id in a dashboard (-1 when not listed). */
static json_int_t wip_of(const json_t *d, const char *id)
{
    size_t i;
    json_t *s;
    json_array_foreach (json_object_get(d, "statuses"), i, s) {
        if (strcmp(json_string_value(json_object_get(s, "id")), id) == 0)
            return json_integer_value(json_object_get(json_object_get(s, "wip"), "current"));
    }
    return -1;
}

/* A created-issue event for EE in status 3 (In Progress) since June 10th. */
static void create_issue(const char *tenant, int id)
{
    char body[EVENT_LEN];
    snprintf(body, sizeof body,
             "{\"eventType\":\"avi:jira:created:issue\",\"issue\":{\"id\":\"%d\",\"key\":\"EE-%d\","
             "\"fields\":{\"summary\":\"new\",\"project\":{\"id\":\"10000\",\"key\":\"EE\"},"
             "\"status\":{\"id\":\"3\",\"name\":\"In Progress\","
             "\"statusCategory\":{\"key\":\"indeterminate\"}},"
             "\"issuetype\":{\"name\":\"Task\"},\"created\":\"2020-06-10T00:00:00.000+0000\","
             "\"updated\":\"2020-06-10T00:00:00.000+0000\"},"
             "\"changelog\":{\"startAt\":0,\"maxResults\":0,\"total\":0,\"histories\":[]}}}",
             id, id);
    harness_post_ok(&H, tenant, "/forge/events", body);
}

START_TEST(other_windows_and_views_reuse_one_load)
{
    ck_assert_uint_eq(project("miss"), 0);
    json_t *a = dashboard(TENANT, "7d");
    ck_assert_uint_eq(project("miss"), 1);
    ck_assert_uint_eq(loads_kept(), 1);
    ck_assert_uint_eq(project("hit"), 0);
    /* Two more windows: new dashboards (result-cache misses), same model. */
    json_t *b = dashboard(TENANT, "30d"), *c = dashboard(TENANT, "90d");
    ck_assert_uint_eq(project("miss"), 1);
    ck_assert_uint_eq(project("hit"), 2);
    ck_assert_uint_eq(result_cache("miss"), 3);
    json_decref(get_json(TENANT, "/api/v1/projects/EE/charts/wip-aging"));
    json_decref(get_json(TENANT, "/api/v1/projects/EE/charts/cfd"));
    free(get_text(TENANT, "/api/v1/projects/EE/export.csv?window=30d", 200));
    ck_assert_uint_eq(project("hit"), 5);
    /* A repeated window is answered by the result cache before any model. */
    json_t *again = dashboard(TENANT, "30d");
    ck_assert(json_equal(again, b));
    ck_assert_uint_eq(result_cache("hit"), 1);
    ck_assert_uint_eq(project("hit"), 5);
    ck_assert_uint_eq(loads_kept(), 1);
    ck_assert_uint_eq(metric("biq_project_cache_entries"), 1);
    ck_assert_uint_gt(metric("biq_project_cache_bytes{kind=\"used\"}"), 0);
    ck_assert_uint_eq(metric("biq_project_cache_bytes{kind=\"max\"}"), 512ULL * 1024 * 1024);
    /* Another tenant's project of the same key is its own entry. */
    json_t *other = dashboard(TENANT_2, "30d");
    ck_assert_int_eq(wip_of(other, "3"), -1);
    ck_assert_uint_eq(project("miss"), 2);
    json_decref(other);
    json_decref(a);
    json_decref(b);
    json_decref(c);
    json_decref(again);
}
END_TEST

START_TEST(ingest_commit_loads_the_new_data)
{
    json_t *before = dashboard(TENANT, "30d");
    json_decref(dashboard(TENANT, "7d")); /* the model is cached now */
    ck_assert_uint_eq(project("miss"), 1);
    json_int_t wip0 = wip_of(before, "3");
    create_issue(TENANT, 19999);
    /* Both caches hold 30d and 7d of the old version: neither may answer. */
    json_t *after = dashboard(TENANT, "30d");
    ck_assert_int_gt(data_version(after), data_version(before));
    ck_assert_int_eq(wip_of(after, "3"), wip0 + 1);
    ck_assert_uint_eq(project("miss"), 2);
    /* Another view of the new version shares the new model, and has it. */
    json_t *aging = get_json(TENANT, "/api/v1/projects/EE/charts/wip-aging");
    ck_assert_uint_eq(project("miss"), 2);
    bool found = false;
    size_t i;
    json_t *it;
    json_array_foreach (json_object_get(aging, "items"), i, it)
        found |= strcmp(json_string_value(json_object_get(it, "key")), "EE-19999") == 0;
    ck_assert(found);
    json_decref(aging);
    /* A backfill page is a commit as well: version moves, model reloads. */
    char path[PATH_LEN];
    snprintf(path, sizeof path, "%s/realdata/devlake-merico/issues-with-changelog.json",
             harness_shared_dir());
    char *page = harness_read_file(path);
    harness_post_ok(&H, TENANT, "/forge/backfill/EE/page", page);
    free(page);
    json_t *paged = dashboard(TENANT, "30d");
    ck_assert_int_gt(data_version(paged), data_version(after));
    ck_assert_uint_eq(project("miss"), 3);
    ck_assert_uint_eq(metric("biq_project_cache_entries"), 3);
    json_decref(paged);
    json_decref(before);
    json_decref(after);
}
END_TEST

/* Where status id comes in a dashboard's statuses (-1 when not listed). */
static long position_of(const json_t *d, const char *id)
{
    size_t i;
    json_t *s;
    json_array_foreach (json_object_get(d, "statuses"), i, s) {
        if (strcmp(json_string_value(json_object_get(s, "id")), id) == 0)
            return (long)i;
    }
    return -1;
}

/* Two boards of EE with opposite column orders: 84 puts To Do (10033)
 * first, 90 puts In Progress (3) first. */
#define EE_BOARD(id, first, second)                                                                \
    "{\"id\":" #id ",\"name\":\"b" #id "\",\"columnConfig\":{\"columns\":["                           \
    "{\"name\":\"A\",\"statuses\":[{\"id\":\"" first "\"}]},"                                         \
    "{\"name\":\"B\",\"statuses\":[{\"id\":\"" second "\"}]}]}}"

START_TEST(board_setting_applies_while_the_model_is_cached)
{
    harness_post_ok(&H, TENANT, "/forge/boards/EE",
         "{\"boards\":[" EE_BOARD(90, "3", "10033") "," EE_BOARD(84, "10033", "3") "]}");
    /* No setting: the lowest id (84) frames the project. */
    json_t *before = dashboard(TENANT, "30d");
    ck_assert_uint_eq(project("miss"), 1);
    ck_assert_int_ge(position_of(before, "10033"), 0);
    ck_assert_int_lt(position_of(before, "10033"), position_of(before, "3"));
    char *resp = NULL;
    long st = harness_call(&H, TENANT, "EE", "PUT", "/api/v1/projects/EE/settings",
                           "{\"boardId\":90}", &resp);
    ck_assert_msg(st == 200, "PUT boardId: %ld %s", st, resp);
    free(resp);
    /* The next request shows board 90's order, from the same cached model. */
    json_t *after = dashboard(TENANT, "30d");
    ck_assert_int_eq(data_version(after), data_version(before));
    ck_assert_uint_eq(project("miss"), 1);
    ck_assert_uint_ge(project("hit"), 1);
    ck_assert_int_ge(position_of(after, "3"), 0);
    ck_assert_int_lt(position_of(after, "3"), position_of(after, "10033"));
    /* And back: null resets to the lowest id. */
    st = harness_call(&H, TENANT, "EE", "PUT", "/api/v1/projects/EE/settings",
                      "{\"boardId\":null}", &resp);
    ck_assert_msg(st == 200, "PUT boardId null: %ld %s", st, resp);
    free(resp);
    json_t *reset = dashboard(TENANT, "30d");
    ck_assert_uint_eq(project("miss"), 1);
    ck_assert_int_lt(position_of(reset, "10033"), position_of(reset, "3"));
    json_decref(before);
    json_decref(after);
    json_decref(reset);
}
END_TEST

/* The DevLake status, sprint and project catalogues, as tenant. */
static void post_catalogue(const char *tenant)
{
    char path[PATH_LEN], *parts[3];
    static const char *const files[] = {"statuses.json", "sprints.json", "projects.json"};
    size_t n = 64;
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/realdata/devlake-merico/%s", harness_shared_dir(),
                 files[i]);
        parts[i] = harness_read_file(path);
        n += strlen(parts[i]);
    }
    char *body = malloc(n);
    ck_assert_ptr_nonnull(body);
    snprintf(body, n, "{\"statuses\":%s,\"sprints\":%s,\"projects\":%s}", parts[0], parts[1],
             parts[2]);
    harness_post_ok(&H, tenant, "/forge/catalog", body);
    for (int i = 0; i < 3; i++)
        free(parts[i]);
    free(body);
}

START_TEST(reinstall_never_serves_the_old_installation)
{
    /* TENANT_2 gets one issue: data version 1, cached in both caches. The
     * catalogue is the same in both installations, so only the commit
     * stamp tells them apart. */
    post_catalogue(TENANT_2);
    create_issue(TENANT_2, 30001);
    json_t *first = dashboard(TENANT_2, "30d");
    ck_assert_int_eq(data_version(first), 1);
    ck_assert_int_eq(wip_of(first, "3"), 1);
    json_decref(dashboard(TENANT_2, "7d"));
    harness_post_ok(&H, TENANT_2, "/forge/lifecycle", UNINSTALLED);
    harness_post_ok(&H, TENANT_2, "/forge/lifecycle", INSTALLED);
    post_catalogue(TENANT_2);
    /* The same version number again, now with no issue in progress: the
     * new issue is created straight into Done. */
    harness_post_ok(&H, TENANT_2, "/forge/events",
         "{\"eventType\":\"avi:jira:created:issue\",\"issue\":{\"id\":\"30002\",\"key\":\"EE-2\","
         "\"fields\":{\"summary\":\"new\",\"project\":{\"id\":\"10000\",\"key\":\"EE\"},"
         "\"status\":{\"id\":\"10034\",\"name\":\"Done\",\"statusCategory\":{\"key\":\"done\"}},"
         "\"issuetype\":{\"name\":\"Task\"},\"created\":\"2020-06-10T00:00:00.000+0000\","
         "\"updated\":\"2020-06-10T00:00:00.000+0000\"},"
         "\"changelog\":{\"startAt\":0,\"maxResults\":0,\"total\":0,\"histories\":[]}}}");
    json_t *second = dashboard(TENANT_2, "30d"), *other = dashboard(TENANT_2, "7d");
    ck_assert_int_eq(data_version(second), 1);
    ck_assert_int_le(wip_of(second, "3"), 0);
    ck_assert_int_le(wip_of(other, "3"), 0);
    json_decref(first);
    json_decref(second);
    json_decref(other);
}
END_TEST

/* The dashboards, charts and export of the DevLake project, as text. */
static const char *const VIEWS[] = {
    "/api/v1/projects/EE/dashboard?window=7d",
    "/api/v1/projects/EE/dashboard?window=90d",
    "/api/v1/projects/EE/dashboard?window=mtd",
    "/api/v1/projects/EE/charts/wip-aging",
    "/api/v1/projects/EE/charts/cfd?from=2020-05-01&to=2020-06-19",
    "/api/v1/projects/EE/charts/scatter?window=90d",
    "/api/v1/projects/EE/export.csv?window=90d",
};
enum { N_VIEWS = sizeof VIEWS / sizeof VIEWS[0] };

START_TEST(answers_equal_those_without_the_cache)
{
    char *cached[N_VIEWS];
    json_decref(dashboard(TENANT, "30d")); /* load first: the views below are hits */
    for (size_t i = 0; i < N_VIEWS; i++)
        cached[i] = get_text(TENANT, VIEWS[i], 200);
    ck_assert_uint_eq(project("miss"), 1);
    ck_assert_uint_eq(project("hit"), N_VIEWS);
    restart("BIQ_PROJECT_CACHE_MB=0");
    for (size_t i = 0; i < N_VIEWS; i++) {
        char *plain = get_text(TENANT, VIEWS[i], 200);
        ck_assert_msg(strcmp(plain, cached[i]) == 0, "%s differs without the cache", VIEWS[i]);
        free(plain);
        free(cached[i]);
    }
    /* Off means off: no lookups, nothing held. */
    ck_assert_uint_eq(project("miss") + project("hit"), 0);
    ck_assert_uint_eq(metric("biq_project_cache_entries"), 0);
}
END_TEST

START_TEST(bad_size_is_refused_naming_the_variable)
{
    ck_assert_int_eq(harness_server_stop(&H, SIGTERM), 0);
    const char *const env[] = {"BIQ_APP_ID=" HARNESS_APP_ID, "BIQ_JWKS_FILE=/nonexistent",
                               "BIQ_PROJECT_CACHE_MB=lots", NULL};
    char *out = NULL;
    ck_assert_int_eq(harness_server_fail(&H, env, &out), 1);
    ck_assert_msg(strstr(out, "BIQ_PROJECT_CACHE_MB: expected an integer") != NULL, "%s", out);
    free(out);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("project_cache_http");
    TCase *tc = tcase_create("project_cache_http");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, other_windows_and_views_reuse_one_load);
    tcase_add_test(tc, ingest_commit_loads_the_new_data);
    tcase_add_test(tc, reinstall_never_serves_the_old_installation);
    tcase_add_test(tc, board_setting_applies_while_the_model_is_cached);
    tcase_add_test(tc, answers_equal_those_without_the_cache);
    tcase_add_test(tc, bad_size_is_refused_naming_the_variable);
    suite_add_tcase(s, tc);
    return s;
}
