/* test_analyze.c - `biq analyze` on the real DevLake export and on `biq gen`
 * output: deterministic bytes whatever the file order, dashboards equal to
 * the flow core fed by an independent jansson loader, the planted
 * bottleneck named end to end (gen files -> src/ingest -> flow core),
 * truncated changelogs completed from changelog pages, and clear errors. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/analyze.h"
#include "cli/commands.h"
#include "common/arena.h"
#include "flow/charts_json.h"
#include "flow/dashboard_json.h"
#include "flow/flow.h"
#include "gen/gen.h"
#include "devlake.h"
#include "analyze_run.h"
#include "testsupport.h"

enum {
    PATH_LEN = DEVLAKE_PATH_MAX,
    MAX_ARGS = 256,
    MAX_ISSUES = DEVLAKE_ISSUES_MAX,
    NAME_LEN = 64,
};

#define NOW_2024 INT64_C(1704067200000)

static const char *const DEVLAKE[] = {"issues-with-changelog.json", "statuses.json",
                                      "sprints.json", "projects.json"};

/* ------------------------------------------------------------ plumbing */

typedef analyze_output run_result;

static run_result run(const char *const *args, size_t n)
{
    return analyze_run(args, n);
}

static void run_free(run_result *r)
{
    analyze_run_free(r);
}

/* The captures read independently of src/ingest (tests/support/devlake.h). */
typedef devlake dataset;

/* The dashboard of one project straight from the flow core. */
static char *expected_dashboard(const dataset *d, const char *key, const char *name,
                                const char *window, biq_ms now)
{
    biq_issue mine[MAX_ISSUES];
    size_t n = 0;
    for (size_t i = 0; i < d->n_issues; i++)
        if (strcmp(d->issues[i].project_key, key) == 0)
            mine[n++] = d->issues[i];
    biq_arena *a = biq_arena_new(64 << 20);
    biq_flow_input in = {.issues = mine, .n_issues = n, .statuses = d->statuses,
                         .n_statuses = d->n_statuses, .now = now};
    biq_flow *f = NULL;
    biq_window_spec spec;
    biq_flow_window w;
    biq_flow_report *r = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    ck_assert_int_eq(biq_window_parse(window, &spec), BIQ_OK);
    ck_assert_int_eq(biq_flow_window_resolve(f, &spec, &w), BIQ_OK);
    ck_assert_int_eq(biq_flow_report_build(f, &w, a, &r), BIQ_OK);
    biq_dashboard_meta meta = {.project_key = key, .project_name = name};
    json_t *j = biq_flow_dashboard_json(f, r, &meta);
    char *s = biq_flow_json_dumps(j);
    ck_assert_ptr_nonnull(s);
    json_decref(j);
    biq_arena_free(a);
    return s;
}

/* ---------------------------------------------------------------- tests */

START_TEST(devlake_json_equals_the_flow_core_in_any_file_order)
{
    char paths[4][PATH_LEN];
    for (size_t i = 0; i < 4; i++)
        devlake_path(DEVLAKE[i], paths[i]);
    const char *fwd[] = {"--json", "--window", "365", "--now", "2024-01-01T00:00:00Z",
                         paths[0], paths[1], paths[2], paths[3]};
    const char *rev[] = {"--now", "2024-01-01T00:00:00Z", "--json", "--window", "365",
                         paths[3], paths[2], paths[1], paths[0]};
    run_result a = run(fwd, 9), b = run(rev, 9);
    ck_assert_msg(a.rc == 0, "%s", a.err);
    ck_assert_int_eq(b.rc, 0);
    ck_assert_str_eq(a.out, b.out);
    json_error_t e;
    json_t *arr = json_loads(a.out, 0, &e);
    ck_assert_msg(arr != NULL, "%s", e.text);
    ck_assert_uint_eq(json_array_size(arr), 2);
    dataset *d = malloc(sizeof *d);
    ck_assert_ptr_nonnull(d);
    devlake_load(d);
    static const char *const keys[] = {"EE", "K5"}, *const names[] = {"Enterprise Edition", "K5"};
    for (size_t i = 0; i < 2; i++) {
        json_t *dash = json_array_get(arr, i);
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(dash, "project"), "key")),
                         keys[i]);
        char *got = biq_flow_json_dumps(dash);
        char *want = expected_dashboard(d, keys[i], names[i], "365", NOW_2024);
        ck_assert_str_eq(got, want);
        free(got);
        free(want);
    }
    json_decref(arr);
    devlake_free(d);
    free(d);
    run_free(&a);
    run_free(&b);
}
END_TEST

START_TEST(default_clock_is_the_latest_instant_of_the_data)
{
    char path[PATH_LEN];
    devlake_path(DEVLAKE[0], path);
    const char *args[] = {"--json", path};
    run_result a = run(args, 2), b = run(args, 2);
    ck_assert_int_eq(a.rc, 0);
    ck_assert_str_eq(a.out, b.out);
    /* The latest created, updated or status-change instant of the sample
     * (python3 over the file; a later non-status history, .616, is not a
     * flow event and does not count). */
    ck_assert_ptr_nonnull(strstr(a.out, "\"generatedAt\":\"2022-07-15T22:31:38.612Z\""));
    run_free(&a);
    run_free(&b);
}
END_TEST

START_TEST(text_report_reads_like_a_report)
{
    char paths[4][PATH_LEN];
    for (size_t i = 0; i < 4; i++)
        devlake_path(DEVLAKE[i], paths[i]);
    const char *args[] = {"--window", "90d", "--tz", "Asia/Shanghai", "--now",
                          "2021-04-01T00:00:00+08:00", paths[0], paths[1], paths[2], paths[3]};
    run_result r = run(args, 10);
    ck_assert_msg(r.rc == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "33 issues, window 90d, now 2021-03-31T16:00:00.000Z"));
    ck_assert_ptr_nonnull(strstr(r.out, "EE  Enterprise Edition  (30 issues)"));
    /* K5's three issues were created on 2022-07-16, after --now: as of
     * then the project has none, and the header says so beside the files'
     * count; EE's 30 all existed, so its line has no second count. */
    ck_assert_ptr_nonnull(strstr(r.out, "K5  K5  (0 issues; 3 in the files)"));
    ck_assert_ptr_null(strstr(r.out, "EE  Enterprise Edition  (30 issues;"));
    ck_assert_ptr_nonnull(strstr(r.out, "  bottleneck  "));
    ck_assert_ptr_nonnull(strstr(r.out, "unknown_status"));
    ck_assert(strstr(r.out, "EE  ") < strstr(r.out, "K5  "));
    run_free(&r);
}
END_TEST

/* --forecast-items / --forecast-by: the numbers of biq_flow_forecast at the
 * same clock and seed, as text; option errors name the option. */
START_TEST(forecast_options)
{
    char paths[4][PATH_LEN];
    for (size_t i = 0; i < 4; i++)
        devlake_path(DEVLAKE[i], paths[i]);
    const char *when[] = {"--now", "2020-06-20T00:00:00Z", "--forecast-items", "20",
                          paths[0], paths[1], paths[2], paths[3]};
    run_result r = run(when, 8);
    ck_assert_msg(r.rc == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "Forecast: when will 20 items be done, from 2020-06-20"));
    ck_assert_ptr_nonnull(strstr(r.out, "  P85  by "));
    ck_assert_ptr_nonnull(strstr(r.out, "seed 20260101"));
    ck_assert_ptr_nonnull(strstr(r.out, "cannot forecast")); /* K5: nothing done */
    run_free(&r);
    const char *many[] = {"--now", "2020-06-20T00:00:00Z", "--forecast-by", "2020-07-20",
                          "--forecast-basis", "90", paths[0], paths[1], paths[2], paths[3]};
    r = run(many, 10);
    ck_assert_msg(r.rc == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "Forecast: how many items from 2020-06-20 to 2020-07-20"));
    ck_assert_ptr_nonnull(strstr(r.out, "  P50  at least "));
    run_free(&r);
    static const struct {
        const char *args[4];
        size_t n;
        const char *msg;
    } bad[] = {
        {{"--forecast-items", "0", "x"}, 3, "bad --forecast-items"},
        {{"--forecast-items", "10001", "x"}, 3, "bad --forecast-items"},
        {{"--forecast-by", "2020-02-30", "x"}, 3, "bad --forecast-by"},
        {{"--forecast-seed", "-1", "x"}, 3, "--forecast-from/-basis/-seed need"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = run(bad[i].args, bad[i].n);
        ck_assert_int_eq(r.rc, 2);
        ck_assert_msg(strstr(r.err, bad[i].msg) != NULL, "%s", r.err);
        run_free(&r);
    }
    const char *past[] = {"--now", "2020-06-20T00:00:00Z", "--forecast-by", "2020-06-01",
                          paths[0], paths[1], paths[2], paths[3]};
    r = run(past, 8);
    ck_assert_int_ne(r.rc, 0);
    ck_assert_ptr_nonnull(strstr(r.err, "--forecast-by must be after"));
    run_free(&r);
}
END_TEST

/* --aging / --sle P/D: the JSON's "aging" is the flow core's for the same
 * issues under that SLE (and absent without the options: the dashboard
 * stays the server's); the text lists the items at risk; bad SLEs are
 * usage errors. */
START_TEST(aging_options)
{
    char paths[4][PATH_LEN];
    for (size_t i = 0; i < 4; i++)
        devlake_path(DEVLAKE[i], paths[i]);
    const char *args[] = {"--json", "--sle", "85/20", "--now", "2020-07-01T00:00:00Z",
                          paths[0], paths[1], paths[2], paths[3]};
    run_result r = run(args, 9);
    ck_assert_msg(r.rc == 0, "%s", r.err);
    json_t *arr = json_loads(r.out, 0, NULL);
    const json_t *ee = json_array_get(arr, 0);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(ee, "project"), "key")),
                     "EE");
    char *got = biq_flow_json_dumps(json_object_get(ee, "aging"));

    dataset *d = malloc(sizeof *d);
    ck_assert_ptr_nonnull(d);
    devlake_load(d);
    static biq_issue mine[MAX_ISSUES];
    size_t n = 0;
    for (size_t i = 0; i < d->n_issues; i++)
        if (strcmp(d->issues[i].project_key, "EE") == 0)
            mine[n++] = d->issues[i];
    biq_flow_sle_set sle = {.has_project = true, .project = {85, 20}};
    biq_flow_settings cfg;
    biq_flow_settings_init(&cfg);
    cfg.sle = &sle;
    biq_arena *a = biq_arena_new(64 << 20);
    biq_flow_input in = {.issues = mine, .n_issues = n, .statuses = d->statuses,
                         .n_statuses = d->n_statuses, .settings = &cfg,
                         .now = INT64_C(1593561600000)};
    biq_flow *f = NULL;
    biq_flow_bands *b = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    ck_assert_int_eq(biq_flow_bands_build(f, 0, a, &b), BIQ_OK);
    json_t *want_j = biq_flow_paces_json(f, b, a);
    char *want = biq_flow_json_dumps(want_j);
    ck_assert_str_eq(got, want);
    ck_assert_uint_gt(json_array_size(json_object_get(json_object_get(ee, "aging"), "atRisk")), 0);
    free(got);
    free(want);
    json_decref(want_j);
    json_decref(arr);
    biq_arena_free(a);
    devlake_free(d);
    free(d);
    run_free(&r);

    const char *plain[] = {"--json", "--now", "2020-07-01T00:00:00Z", paths[0], paths[1],
                           paths[2], paths[3]};
    r = run(plain, 7);
    ck_assert_ptr_null(strstr(r.out, "\"aging\""));
    run_free(&r);
    const char *text[] = {"--aging", "--sle", "85/20", "--now", "2020-07-01T00:00:00Z",
                          paths[0], paths[1], paths[2], paths[3]};
    r = run(text, 9);
    ck_assert_msg(r.rc == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "Aging bands (age since started"));
    ck_assert_ptr_nonnull(strstr(r.out, "  SLE         85% within 20 days\n"));
    ck_assert_ptr_nonnull(strstr(r.out, "  AT RISK EE-"));
    run_free(&r);
    static const char *const bad[] = {"49/10", "100/10", "85/0", "85/366", "85", "85/10x",
                                      "/10", "85/", "123456789/1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *args_bad[] = {"--sle", bad[i], "x"};
        r = run(args_bad, 3);
        ck_assert_int_eq(r.rc, 2);
        ck_assert_msg(strstr(r.err, "bad --sle") != NULL, "%s: %s", bad[i], r.err);
        run_free(&r);
    }
}
END_TEST

/* Display columns of a UTF-8 line, counting CJK ideographs as 2 and the
 * dash as 1: written independently of analyze.c's table. */
static size_t columns(const char *s, size_t len)
{
    size_t cols = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
        /* U+4E00..U+9FFF are E4 B8 80 .. E9 BF BF in UTF-8. */
        cols += n == 3 && c >= 0xE4 && c <= 0xE9 ? 2 : 1;
        i += n;
    }
    return cols;
}

/* The status table: a role column, ids where two statuses share a name,
 * "—" for empty samples and no load for done statuses, rows aligned by
 * display width with the real data's Chinese status name. */
START_TEST(status_table_aligns_by_display_width)
{
    char paths[4][PATH_LEN];
    for (size_t i = 0; i < 4; i++)
        devlake_path(DEVLAKE[i], paths[i]);
    const char *args[] = {"--now", "2021-06-01T00:00:00Z", paths[0], paths[1], paths[2], paths[3]};
    run_result r = run(args, 6);
    ck_assert_msg(r.rc == 0, "%s", r.err);
    const char *head = strstr(r.out, "  status  ");
    ck_assert_ptr_nonnull(head);
    ck_assert_ptr_nonnull(strstr(head, " role "));
    const char *role_at = strstr(head, " role ");
    size_t role_col = columns(head, (size_t)(role_at - head));
    const char *cjk = strstr(r.out, "\u5df2\u5b8c\u6210"); /* 已完成, a done status */
    ck_assert_ptr_nonnull(cjk);
    const char *line = cjk;
    while (line > r.out && line[-1] != '\n')
        line--;
    const char *role = strstr(line, " done ");
    ck_assert_ptr_nonnull(role);
    ck_assert_uint_eq(columns(line, (size_t)(role - line)), role_col);
    /* Done statuses carry no load; two "To Do" statuses show their ids. */
    const char *eol = strchr(line, '\n');
    ck_assert_ptr_nonnull(strstr(line, "\u2014"));
    ck_assert(strstr(line, "\u2014") < eol);
    ck_assert_ptr_nonnull(strstr(r.out, "To Do (10033)"));
    ck_assert_ptr_nonnull(strstr(r.out, "To Do (10000)"));
    ck_assert_ptr_nonnull(strstr(r.out, "\"w\": waiting in a backlog queue, not WIP"));
    /* K5 has nothing done: its lead time is "—", not 0.00 d. */
    ck_assert_ptr_nonnull(strstr(r.out, "lead time   (created \u2192 done) \u2014 (n=0)"));
    ck_assert_ptr_null(strstr(r.out, "P50 0.00 d, P85 0.00 d"));
    run_free(&r);
}
END_TEST

static void cleanup_dir(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    char path[PATH_LEN];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        int n = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        ck_assert(n > 0 && (size_t)n < sizeof path);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

/* The generated files (sorted), with or without the changelog pages. */
static size_t gen_files(const char *dir, bool changelogs, char names[][PATH_LEN], size_t max)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    size_t n = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || (!changelogs && strncmp(e->d_name, "changelog-", 10) == 0))
            continue;
        ck_assert_uint_lt(n, max);
        int w = snprintf(names[n++], PATH_LEN, "%s/%s", dir, e->d_name);
        ck_assert(w > 0 && w < PATH_LEN);
    }
    closedir(d);
    return n;
}

static long long quality(json_t *dash, const char *kind)
{
    return json_integer_value(json_object_get(json_object_get(dash, "dataQuality"), kind));
}

static json_t *analyze_dir(const char *dir, bool changelogs)
{
    static char names[MAX_ARGS][PATH_LEN];
    const char *args[MAX_ARGS];
    size_t n = 0;
    args[n++] = "--json";
    args[n++] = "--now";
    args[n++] = "2026-01-01T00:00:00Z";
    size_t k = gen_files(dir, changelogs, names, MAX_ARGS - n);
    for (size_t i = 0; i < k; i++)
        args[n++] = names[i];
    run_result r = run(args, n);
    ck_assert_msg(r.rc == 0, "%s", r.err);
    json_error_t e;
    json_t *arr = json_loads(r.out, 0, &e);
    ck_assert_msg(arr != NULL, "%s", e.text);
    run_free(&r);
    return arr;
}

START_TEST(generated_data_end_to_end_names_the_planted_bottleneck)
{
    char dir[] = "/tmp/biq-analyze-test-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char *gen_args[] = {"--seed", "2", "--issues", "3000", "--projects", "3", "--out", dir, NULL};
    ck_assert_int_eq(biq_cli_gen(8, gen_args), 0);
    biq_gen_config cfg = {.seed = 2, .n_issues = 3000, .n_projects = 3,
                          .now = BIQ_GEN_DEFAULT_NOW};
    biq_gen *g = NULL;
    ck_assert_int_eq(biq_gen_new(&cfg, &g, NULL, 0), BIQ_OK);

    json_t *full = analyze_dir(dir, true), *partial = analyze_dir(dir, false);
    ck_assert_uint_eq(json_array_size(full), 3);
    long long truncated = 0;
    for (size_t i = 0; i < 3; i++) {
        json_t *dash = json_array_get(full, i);
        const char *key = json_string_value(json_object_get(json_object_get(dash, "project"), "key"));
        const biq_gen_project *p = NULL;
        for (size_t k = 0; k < 3; k++)
            if (strcmp(biq_gen_project_at(g, k)->key, key) == 0)
                p = biq_gen_project_at(g, k);
        ck_assert_ptr_nonnull(p);
        json_t *bn = json_object_get(dash, "bottleneck");
        char want[NAME_LEN];
        snprintf(want, sizeof want, "%lld", (long long)p->bottleneck_status);
        ck_assert_msg(json_is_string(json_object_get(bn, "statusId")), "%s: no bottleneck", key);
        ck_assert_str_eq(json_string_value(json_object_get(bn, "statusId")), want);
        ck_assert_int_eq(quality(dash, "truncated_history"), 0);
        ck_assert_int_eq(quality(dash, "unknown_status"), 0);
        ck_assert_int_eq(quality(dash, "out_of_order"), 0);
        ck_assert_int_eq(quality(dash, "from_mismatch"), 0);
        truncated += quality(json_array_get(partial, i), "truncated_history");
    }
    /* Without the changelog pages the truncations show. */
    ck_assert_int_gt(truncated, 10);
    for (size_t i = 1; i < 3; i++)
        ck_assert_int_lt(strcmp(json_string_value(json_object_get(
                                    json_object_get(json_array_get(full, i - 1), "project"), "key")),
                                json_string_value(json_object_get(
                                    json_object_get(json_array_get(full, i), "project"), "key"))),
                         0);
    json_decref(full);
    json_decref(partial);
    biq_gen_free(g);
    cleanup_dir(dir);
}
END_TEST

START_TEST(errors_are_clear)
{
    char path[PATH_LEN];
    devlake_path(DEVLAKE[0], path);
    char dir[] = "/tmp/biq-analyze-err-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char bad_shape[PATH_LEN], nameless[PATH_LEN], broken[PATH_LEN];
    snprintf(bad_shape, sizeof bad_shape, "%s/shape.json", dir);
    snprintf(nameless, sizeof nameless, "%s/changelog.json", dir);
    snprintf(broken, sizeof broken, "%s/broken.json", dir);
    FILE *f = fopen(bad_shape, "w");
    fputs("{\"a\": 1}", f);
    fclose(f);
    f = fopen(nameless, "w");
    fputs("{\"startAt\":0,\"isLast\":true,\"values\":[{\"id\":\"1\",\"created\":"
          "\"2020-01-01T00:00:00.000+0000\",\"items\":[]}]}",
          f);
    fclose(f);
    f = fopen(broken, "w");
    fputs("{\"issues\": [", f);
    fclose(f);
    static const struct {
        const char *args[4];
        size_t n;
        int rc;
        const char *msg;
    } cases[] = {
        {{"--json"}, 1, 2, "no input files"},
        {{"--window", "5y", "x"}, 3, 2, "bad --window"},
        {{"--now", "soon", "x"}, 3, 2, "bad --now"},
        {{"--colour", "x"}, 2, 2, "unknown option"},
        {{"--tz"}, 1, 2, "missing value"},
        {{"/nonexistent/x.json"}, 1, 1, "/nonexistent/x.json"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_result r = run(cases[i].args, cases[i].n);
        ck_assert_msg(r.rc == cases[i].rc, "case %zu: rc %d", i, r.rc);
        ck_assert_msg(strstr(r.err, cases[i].msg) != NULL, "case %zu: %s", i, r.err);
        run_free(&r);
    }
    const char *const files[][2] = {{bad_shape, "not a Jira search page"},
                                    {nameless, "does not end with the issue id"},
                                    {broken, "broken.json"}};
    for (size_t i = 0; i < 3; i++) {
        const char *args[] = {path, files[i][0]};
        run_result r = run(args, 2);
        ck_assert_int_eq(r.rc, 1);
        ck_assert_msg(strstr(r.err, files[i][1]) != NULL, "%s", r.err);
        run_free(&r);
    }
    const char *tz[] = {"--tz", "Mars/Olympus", path};
    run_result r = run(tz, 3);
    ck_assert_int_eq(r.rc, 2);
    run_free(&r);
    const char *help[] = {"--help"};
    r = run(help, 1);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "usage: biq analyze"));
    run_free(&r);
    cleanup_dir(dir);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("analyze");
    TCase *tc = tcase_create("analyze");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, devlake_json_equals_the_flow_core_in_any_file_order);
    tcase_add_test(tc, default_clock_is_the_latest_instant_of_the_data);
    tcase_add_test(tc, text_report_reads_like_a_report);
    tcase_add_test(tc, forecast_options);
    tcase_add_test(tc, aging_options);
    tcase_add_test(tc, status_table_aligns_by_display_width);
    tcase_add_test(tc, generated_data_end_to_end_names_the_planted_bottleneck);
    tcase_add_test(tc, errors_are_clear);
    suite_add_tcase(s, tc);
    return s;
}
