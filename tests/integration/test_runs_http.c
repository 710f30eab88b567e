/* test_runs_http.c - GET /api/v1/projects/{key}/charts/runs and
 * export.csv?table=runs through the real server with real tokens, on the
 * DevLake capture ingested through the Forge routes, at a pinned flow clock:
 *   - the run charts equal `biq analyze --json --runs`'s on the same files at
 *     the same clock and window (the same JSON);
 *   - every series has its limits and per-point signals, the limits contain
 *     the mean, and the partial first and last days are left out;
 *   - export.csv?table=runs has one row per point; table=slices (and no
 *     table) is today's export, byte for byte;
 *   - bad parameters get 400 naming the parameter; another project's token
 *     gets 403. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow/flow.h"
#include "harness.h"
#include "testsupport.h"

static harness H;
static const char TENANT[] =
    "ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-0000000000f7";
static const char CLOCK[] = "2020-06-20T00:00:00Z";

enum { PATH_LEN = 1024 };

static void setup(void)
{
    static const char *const env[] = {"BIQ_FLOW_CLOCK=2020-06-20T00:00:00Z", NULL};
    harness_init(&H, "biq_runs_http");
    harness_start_app(&H, env);
    harness_post_ok(&H, TENANT, "/forge/lifecycle", "{\"eventType\":\"avi:forge:installed:app\"}");
    harness_ingest_devlake(&H, TENANT, "{\"total\":33}");
}

static void teardown(void)
{
    harness_cleanup(&H);
}

static char *get_text(const char *project, const char *path, long want)
{
    char *resp = NULL;
    long st = harness_call(&H, TENANT, project, "GET", path, NULL, &resp);
    ck_assert_msg(st == want, "GET %s: %ld (want %ld) %s", path, st, want, resp);
    return resp;
}

static json_t *get_json(const char *project, const char *path, long want)
{
    char *resp = get_text(project, path, want);
    json_t *j = json_loads(resp, 0, NULL);
    ck_assert_msg(j != NULL, "GET %s: not JSON: %s", path, resp);
    free(resp);
    return j;
}

/* `biq analyze --json --runs --window W`, EE's "runs" object. */
static json_t *analyze(const char *window)
{
    char cmd[PATH_LEN * 8], dir[PATH_LEN / 2];
    snprintf(dir, sizeof dir, "%s/realdata/devlake-merico", harness_shared_dir());
    snprintf(cmd, sizeof cmd,
             "'%s' analyze --json --runs --now %s --window %s '%s/statuses.json' "
             "'%s/sprints.json' '%s/projects.json' '%s/issues-with-changelog.json'",
             getenv("BIQ_TEST_BIN"), CLOCK, window, dir, dir, dir, dir);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    json_t *all = json_loadf(p, 0, NULL);
    ck_assert_int_eq(pclose(p), 0);
    ck_assert_ptr_nonnull(all);
    size_t i;
    json_t *d;
    json_array_foreach (all, i, d) {
        const char *key = json_string_value(json_object_get(json_object_get(d, "project"), "key"));
        if (key != NULL && strcmp(key, "EE") == 0) {
            json_t *r = json_object_get(d, "runs");
            ck_assert_ptr_nonnull(r);
            json_incref(r);
            json_decref(all);
            return r;
        }
    }
    ck_abort_msg("analyze printed no EE dashboard");
    return NULL;
}

static const json_t *series_named(const json_t *runs, const char *name)
{
    size_t i;
    const json_t *s;
    json_array_foreach (json_object_get(runs, "series"), i, s)
        if (strcmp(json_string_value(json_object_get(s, "name")), name) == 0)
            return s;
    ck_abort_msg("no series %s", name);
    return NULL;
}

START_TEST(runs_equal_offline_report)
{
    static const char *const windows[] = {"90", "30d", "365"};
    for (size_t i = 0; i < sizeof windows / sizeof windows[0]; i++) {
        char path[PATH_LEN];
        snprintf(path, sizeof path, "/api/v1/projects/EE/charts/runs?window=%s", windows[i]);
        json_t *server = get_json("EE", path, 200), *offline = analyze(windows[i]);
        char *a = json_dumps(server, JSON_SORT_KEYS), *b = json_dumps(offline, JSON_SORT_KEYS);
        ck_assert_msg(strcmp(a, b) == 0, "%s:\nSERVER  %.3000s\nOFFLINE %.3000s", windows[i], a, b);
        free(a);
        free(b);
        json_decref(server);
        json_decref(offline);
    }
}
END_TEST

START_TEST(series_limits_and_days)
{
    /* The clock is midnight: the window (2020-03-22T00:00, 2020-06-20T00:00]
     * holds 90 whole days, 2020-03-22 .. 2020-06-19; 12 whole weeks start on
     * Monday 2020-03-23. */
    json_t *r = get_json("EE", "/api/v1/projects/EE/charts/runs?window=90", 200);
    ck_assert_str_eq(json_string_value(json_object_get(r, "firstDay")), "2020-03-22");
    ck_assert_str_eq(json_string_value(json_object_get(r, "lastDay")), "2020-06-19");
    ck_assert_int_eq(json_array_size(json_object_get(r, "series")), BIQ_RUN__COUNT);
    const json_t *day = series_named(r, "throughputPerDay");
    const json_t *week = series_named(r, "throughputPerWeek");
    ck_assert_int_eq(json_integer_value(json_object_get(day, "count")), 90);
    ck_assert_int_eq(json_integer_value(json_object_get(week, "count")), 12);
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_array_get(json_object_get(week, "points"), 0), "date")),
                     "2020-03-23");
    /* Weeks sum the days they cover (Monday 03-23 .. Sunday 06-14: days 1..84). */
    double days_sum = 0, weeks_sum = 0;
    for (size_t i = 1; i <= 84; i++)
        days_sum += json_number_value(
            json_object_get(json_array_get(json_object_get(day, "points"), i), "value"));
    for (size_t i = 0; i < 12; i++)
        weeks_sum += json_number_value(
            json_object_get(json_array_get(json_object_get(week, "points"), i), "value"));
    ck_assert_double_eq(days_sum, weeks_sum);
    size_t i;
    const json_t *s;
    json_array_foreach (json_object_get(r, "series"), i, s) {
        const json_t *upper = json_object_get(s, "upper");
        if (json_is_null(upper))
            continue;
        double mean = json_number_value(json_object_get(s, "mean"));
        ck_assert(json_number_value(json_object_get(s, "lower")) <= mean);
        ck_assert(mean <= json_number_value(upper));
        ck_assert(json_number_value(json_object_get(s, "lower")) >= 0);
        size_t k;
        const json_t *p;
        json_array_foreach (json_object_get(s, "points"), k, p)
            ck_assert(json_is_array(json_object_get(p, "signals")));
    }
    json_decref(r);
}
END_TEST

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, "\r\n")) != NULL; p += 2)
        n++;
    return n;
}

START_TEST(export_table_param)
{
    json_t *r = get_json("EE", "/api/v1/projects/EE/charts/runs?window=90", 200);
    size_t points = 0, i;
    const json_t *s;
    json_array_foreach (json_object_get(r, "series"), i, s)
        points += json_array_size(json_object_get(s, "points"));
    json_decref(r);
    char *csv = get_text("EE", "/api/v1/projects/EE/export.csv?window=90&table=runs", 200);
    ck_assert_int_eq(strncmp(csv, "series,unit,date,at,issue_key,value,mean,lower,upper,outside,"
                                  "run,zone\r\n",
                             70),
                     0);
    ck_assert_uint_eq(count_lines(csv), points + 1);
    ck_assert_ptr_nonnull(strstr(csv, "\r\nthroughputPerDay,items,2020-03-22,"));
    ck_assert_ptr_nonnull(strstr(csv, "\r\ncycleTime,days,"));
    free(csv);
    /* table=slices is the default, byte for byte. */
    char *plain = get_text("EE", "/api/v1/projects/EE/export.csv?window=90", 200);
    char *slices = get_text("EE", "/api/v1/projects/EE/export.csv?window=90&table=slices", 200);
    ck_assert_str_eq(plain, slices);
    ck_assert_int_eq(strncmp(plain, "issue_key,", 10), 0);
    free(plain);
    free(slices);
}
END_TEST

START_TEST(bad_parameters_name_the_parameter)
{
    static const struct {
        const char *path, *field;
    } cases[] = {
        {"/api/v1/projects/EE/charts/runs?window=366", "window"},
        {"/api/v1/projects/EE/charts/runs?window=abc", "window"},
        {"/api/v1/projects/EE/charts/runs?asOf=yesterday", "asOf"},
        {"/api/v1/projects/EE/export.csv?table=aging-typo", "table"},
        {"/api/v1/projects/EE/export.csv?table=", "table"},
        {"/api/v1/projects/EE/export.csv?table=runs&window=0", "window"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *e = get_json("EE", cases[i].path, 400);
        const char *msg =
            json_string_value(json_object_get(json_object_get(e, "error"), "message"));
        ck_assert_msg(msg != NULL && strncmp(msg, cases[i].field, strlen(cases[i].field)) == 0,
                      "%s: %s", cases[i].path, msg);
        json_decref(e);
    }
}
END_TEST

START_TEST(only_the_tokens_project)
{
    char *resp = NULL;
    long st = harness_call(&H, TENANT, "K5", "GET", "/api/v1/projects/EE/charts/runs", NULL, &resp);
    ck_assert_int_eq(st, 403);
    free(resp);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("runs_http");
    TCase *tc = tcase_create("runs_http");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, runs_equal_offline_report);
    tcase_add_test(tc, series_limits_and_days);
    tcase_add_test(tc, export_table_param);
    tcase_add_test(tc, bad_parameters_name_the_parameter);
    tcase_add_test(tc, only_the_tokens_project);
    suite_add_tcase(s, tc);
    return s;
}
