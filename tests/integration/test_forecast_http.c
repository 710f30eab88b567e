/* test_forecast_http.c - GET /api/v1/projects/{key}/forecast through the
 * real server with real tokens, on the DevLake capture ingested through the
 * Forge routes, at a pinned flow clock (BIQ_FLOW_CLOCK):
 *   - "when" and "how many" equal `biq analyze --json`'s forecast on the
 *     same files at the same clock and seed (the same bytes of JSON),
 *     histogram included, whose bars hold every trial and each percentile;
 *   - the default seed is BIQ_FORECAST_SEED_DEFAULT and stated; a fixed seed
 *     answers the same twice;
 *   - bad parameters get 400 with a message naming the parameter;
 *   - another project's token gets 403. */
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
    "ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-0000000000f1";
static const char CLOCK[] = "2020-06-20T00:00:00Z";

enum { PATH_LEN = 1024 };

static void setup(void)
{
    static const char *const env[] = {"BIQ_FLOW_CLOCK=2020-06-20T00:00:00Z", NULL};
    harness_init(&H, "biq_forecast_http");
    harness_start_app(&H, env);
    harness_post_ok(&H, TENANT, "/forge/lifecycle", "{\"eventType\":\"avi:forge:installed:app\"}");
    harness_ingest_devlake(&H, TENANT, "{\"total\":33}");
}

static void teardown(void)
{
    harness_cleanup(&H);
}

static json_t *get_json(const char *project, const char *path, long want)
{
    char *resp = NULL;
    long st = harness_call(&H, TENANT, project, "GET", path, NULL, &resp);
    ck_assert_msg(st == want, "GET %s: %ld (want %ld) %s", path, st, want, resp);
    json_t *j = json_loads(resp, 0, NULL);
    ck_assert_msg(j != NULL, "GET %s: not JSON: %s", path, resp);
    free(resp);
    return j;
}

/* `biq analyze --json` with the forecast options, EE's "forecast" object. */
static json_t *analyze(const char *options)
{
    char cmd[PATH_LEN * 8], dir[PATH_LEN / 2];
    snprintf(dir, sizeof dir, "%s/realdata/devlake-merico", harness_shared_dir());
    snprintf(cmd, sizeof cmd,
             "'%s' analyze --json --now %s %s '%s/statuses.json' '%s/sprints.json' "
             "'%s/projects.json' '%s/issues-with-changelog.json'",
             getenv("BIQ_TEST_BIN"), CLOCK, options, dir, dir, dir, dir);
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
            json_t *f = json_object_get(d, "forecast");
            ck_assert_ptr_nonnull(f);
            json_incref(f);
            json_decref(all);
            return f;
        }
    }
    ck_abort_msg("analyze printed no EE dashboard");
    return NULL;
}

/* The histogram (docs/api.md): at most BIQ_FORECAST_MAX_BUCKETS contiguous
 * bars of one width whose counts, with "when"'s notReached, are the trials;
 * every percentile's value lies on a bar; "when" bars carry their dates. */
static void check_histogram(const json_t *f)
{
    const json_t *h = json_object_get(f, "histogram"), *bars = json_object_get(h, "buckets");
    bool when = strcmp(json_string_value(json_object_get(f, "kind")), "when") == 0;
    json_int_t width = json_integer_value(json_object_get(h, "width")), sum = 0;
    size_t n = json_array_size(bars);
    ck_assert_int_ge(width, 1);
    ck_assert_uint_ge(n, 1);
    ck_assert_uint_le(n, BIQ_FORECAST_MAX_BUCKETS);
    for (size_t b = 0; b < n; b++) {
        const json_t *bar = json_array_get(bars, b);
        json_int_t lo = json_integer_value(json_object_get(bar, "from"));
        ck_assert_int_eq(json_integer_value(json_object_get(bar, "to")) - lo + 1, width);
        if (b > 0)
            ck_assert_int_eq(lo, json_integer_value(
                                     json_object_get(json_array_get(bars, b - 1), "to")) + 1);
        sum += json_integer_value(json_object_get(bar, "count"));
        ck_assert(json_is_string(json_object_get(bar, "fromDate")) == when);
    }
    if (when)
        sum += json_integer_value(json_object_get(h, "notReached"));
    ck_assert_int_eq(sum, json_integer_value(json_object_get(json_object_get(f, "inputs"),
                                                             "trials")));
    json_int_t first = json_integer_value(json_object_get(json_array_get(bars, 0), "from"));
    json_int_t last = json_integer_value(json_object_get(json_array_get(bars, n - 1), "to"));
    size_t i;
    const json_t *pt;
    json_array_foreach (json_object_get(f, "percentiles"), i, pt) {
        const json_t *v = json_object_get(pt, "value");
        if (json_is_integer(v)) {
            ck_assert_int_ge(json_integer_value(v), first);
            ck_assert_int_le(json_integer_value(v), last);
        }
    }
}

START_TEST(forecast_equals_offline_report)
{
    static const struct {
        const char *query, *options;
    } cases[] = {
        {"items=20", "--forecast-items 20"},
        {"items=3&from=2020-07-01&seed=7", "--forecast-items 3 --forecast-from 2020-07-01 "
                                           "--forecast-seed 7"},
        {"by=2020-07-20&basis=90", "--forecast-by 2020-07-20 --forecast-basis 90"},
        {"by=2020-09-01&from=2020-06-22&basis=365&seed=99",
         "--forecast-by 2020-09-01 --forecast-from 2020-06-22 --forecast-basis 365 "
         "--forecast-seed 99"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[PATH_LEN];
        snprintf(path, sizeof path, "/api/v1/projects/EE/forecast?%s", cases[i].query);
        json_t *server = get_json("EE", path, 200), *offline = analyze(cases[i].options);
        char *a = json_dumps(server, JSON_SORT_KEYS), *b = json_dumps(offline, JSON_SORT_KEYS);
        ck_assert_msg(strcmp(a, b) == 0, "%s:\nSERVER  %s\nOFFLINE %s", cases[i].query, a, b);
        ck_assert_str_eq(json_string_value(json_object_get(server, "state")), "ok");
        ck_assert_int_eq(json_array_size(json_object_get(server, "percentiles")),
                         BIQ_FORECAST_N_PERCENTILES);
        check_histogram(server);
        /* Asked again: the same bytes. */
        json_t *again = get_json("EE", path, 200);
        char *c = json_dumps(again, JSON_SORT_KEYS);
        ck_assert_str_eq(a, c);
        free(a);
        free(b);
        free(c);
        json_decref(again);
        json_decref(server);
        json_decref(offline);
    }
    /* The defaults, stated: seed, basis (30 days before the pinned day),
     * from (the pinned day), trials. */
    json_t *d = get_json("EE", "/api/v1/projects/EE/forecast?items=5", 200);
    json_t *in = json_object_get(d, "inputs");
    ck_assert_int_eq(json_integer_value(json_object_get(in, "seed")),
                     (json_int_t)BIQ_FORECAST_SEED_DEFAULT);
    ck_assert_str_eq(json_string_value(json_object_get(in, "basisFrom")), "2020-05-21");
    ck_assert_str_eq(json_string_value(json_object_get(in, "basisTo")), "2020-06-19");
    ck_assert_str_eq(json_string_value(json_object_get(in, "from")), "2020-06-20");
    ck_assert_int_eq(json_integer_value(json_object_get(in, "daysSampled")), 30);
    ck_assert_int_eq(json_integer_value(json_object_get(in, "trials")),
                     BIQ_FORECAST_TRIALS_DEFAULT);
    ck_assert_str_eq(json_string_value(json_object_get(d, "kind")), "when");
    json_decref(d);
}
END_TEST

START_TEST(bad_parameters_name_the_parameter)
{
    static const struct {
        const char *query;
        const char *field;
    } cases[] = {
        {"", "items, by"},
        {"items=5&by=2020-07-01", "items, by"},
        {"items=0", "items"},
        {"items=-3", "items"},
        {"items=abc", "items"},
        {"items=10001", "items"},
        {"items=99999999999999999999", "items"},
        {"by=2020-02-30", "by"},
        {"by=2020-06-20", "by"},  /* not after from (today) */
        {"by=2040-01-01", "by"},  /* beyond the horizon */
        {"by=2020-07-01&from=2020-07-02", "by"},
        {"items=5&from=tomorrow", "from"},
        {"items=5&basis=0", "basis"},
        {"items=5&basis=366", "basis"},
        {"items=5&basis=3d", "basis"},
        {"items=5&seed=-1", "seed"},
        {"items=5&seed=9007199254740992", "seed"},
        {"items=5&asOf=yesterday", "asOf"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[PATH_LEN];
        snprintf(path, sizeof path, "/api/v1/projects/EE/forecast?%s", cases[i].query);
        json_t *e = get_json("EE", path, 400);
        const char *msg =
            json_string_value(json_object_get(json_object_get(e, "error"), "message"));
        ck_assert_msg(msg != NULL && strncmp(msg, cases[i].field, strlen(cases[i].field)) == 0,
                      "%s: %s", cases[i].query, msg);
        json_decref(e);
    }
}
END_TEST

START_TEST(only_the_tokens_project)
{
    char *resp = NULL;
    long st = harness_call(&H, TENANT, "K5", "GET", "/api/v1/projects/EE/forecast?items=5", NULL,
                           &resp);
    ck_assert_int_eq(st, 403);
    free(resp);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("forecast_http");
    TCase *tc = tcase_create("forecast_http");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, forecast_equals_offline_report);
    tcase_add_test(tc, bad_parameters_name_the_parameter);
    tcase_add_test(tc, only_the_tokens_project);
    suite_add_tcase(s, tc);
    return s;
}
