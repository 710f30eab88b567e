/* test_flow_mut_runs.c - the run charts' CSV lines (src/flow/runs_out.c)
 * where the mutation run (scripts/mutate.py) found them unpinned: the issue
 * key's cell at the exact size it may take (a 4096-byte cell: the quotes,
 * the key, a doubled quote or the apostrophe that defuses a formula, and
 * the NUL), on a hand-built series; the JSON's count of signalled points.
 * Expected values by hand. */
#include <jansson.h>
#include <string.h>

#include "common/arena.h"
#include "flow/charts_json.h"
#include "flow/flow.h"
#include "testsupport.h"
#include "tz/civil.h"

#define DAY BIQ_MS_PER_DAY

enum { CELL = BIQ_FLOW_CSV_LINE_MAX / 2 }; /* the key cell's buffer, NUL included */

static char key[CELL + 8];
static char line[BIQ_FLOW_CSV_LINE_MAX];

/* One cycle-time point (1.5 days, done 2024-05-16 00:00 UTC) of an issue
 * whose key is `k`; no limits (one point). */
static biq_err csv_of(const char *k, size_t *len)
{
    static biq_issue is;
    static biq_flow_issue_view v;
    static biq_run_point pt;
    static biq_flow_runs r;
    int64_t d = biq_civil_days(2024, 5, 16);
    is = (biq_issue){.id = 1, .key = k};
    v = (biq_flow_issue_view){.issue = &is};
    pt = (biq_run_point){.day = d, .at = d * DAY, .issue = &v, .value = 1.5};
    memset(&r, 0, sizeof r);
    r.series[BIQ_RUN_CYCLE_TIME] = (biq_run_series){.kind = BIQ_RUN_CYCLE_TIME, .points = &pt,
                                                    .n_points = 1,
                                                    .limits = {.n = 1, .mean = 1.5}};
    return biq_flow_runs_csv_line(&r, BIQ_RUN_CYCLE_TIME, 0, line, sizeof line, len);
}

/* A plain key of n characters takes n + 3 bytes (two quotes, the NUL):
 * 4093 fit in the 4096-byte cell, 4094 do not. */
START_TEST(plain_key_at_the_cell_size)
{
    size_t len = 0;
    memset(key, 'K', CELL - 3);
    key[CELL - 3] = '\0'; /* 4093 characters */
    ck_assert_int_eq(csv_of(key, &len), BIQ_ERR_TOO_LARGE);
    key[CELL - 4] = '\0'; /* 4092 */
    ck_assert_int_eq(csv_of(key, &len), BIQ_OK);
    ck_assert_uint_eq(len, strlen(line));
    /* cycleTime,days,2024-05-16,2024-05-16T00:00:00.000Z, (51 bytes), the
     * cell (4094), then ,1.5,1.5,,,0,0,0\r\n (18). */
    ck_assert_uint_eq(len, 51 + (CELL - 4 + 2) + 18);
    ck_assert(strncmp(line, "cycleTime,days,2024-05-16,2024-05-16T00:00:00.000Z,\"KKK", 55) == 0);
    ck_assert_str_eq(line + len - 21, "KK\",1.5,1.5,,,0,0,0\r\n");
}
END_TEST

/* A key starting with '=' gets an apostrophe: one byte less for the key
 * (4091 fit, 4092 do not). */
START_TEST(defused_and_quoted_keys_at_the_cell_size)
{
    size_t len = 0;
    memset(key, 'K', sizeof key);
    key[0] = '=';
    key[CELL - 4] = '\0'; /* 4092 characters */
    ck_assert_int_eq(csv_of(key, &len), BIQ_ERR_TOO_LARGE);
    key[CELL - 5] = '\0'; /* 4091 */
    ck_assert_int_eq(csv_of(key, &len), BIQ_OK);
    ck_assert(strncmp(line + 51, "\"'=KK", 5) == 0);
    /* A last character that is a quote takes two bytes: 4092 characters
     * fill the cell exactly (1 + 4091 + 2 + 1 bytes and the NUL: 4096),
     * 4093 do not. */
    memset(key, 'K', sizeof key);
    key[CELL - 4] = '"';
    key[CELL - 3] = '\0'; /* 4093 characters, the last a quote */
    ck_assert_int_eq(csv_of(key, &len), BIQ_ERR_TOO_LARGE);
    key[CELL - 5] = '"';
    key[CELL - 4] = '\0'; /* 4092 */
    ck_assert_int_eq(csv_of(key, &len), BIQ_OK);
    ck_assert_uint_eq(len, 51 + (CELL - 1) + 18);
    ck_assert_str_eq(line + len - 22, "K\"\"\",1.5,1.5,,,0,0,0\r\n");
}
END_TEST

/* Three cycle-time points, the second outside its limits and the third in
 * a run and a zone signal: 2 signalled of 3; the other series are empty:
 * count 0, signalled 0, mean null; no whole day: firstDay null. */
START_TEST(json_counts_signalled_points)
{
    static biq_issue is = {.id = 1, .key = "A-1"};
    static biq_flow_issue_view v = {.issue = &is};
    int64_t d = biq_civil_days(2024, 5, 16);
    biq_run_point pts[3] = {
        {.day = d, .at = d * DAY, .issue = &v, .value = 1.0},
        {.day = d, .at = d * DAY, .issue = &v, .value = 9.0, .signals = BIQ_XMR_OUTSIDE},
        {.day = d, .at = d * DAY, .issue = &v, .value = 2.0,
         .signals = BIQ_XMR_RUN | BIQ_XMR_ZONE},
    };
    biq_flow_runs r;
    memset(&r, 0, sizeof r);
    r.first_day = d + 1;
    r.last_day = d;
    for (int k = 0; k < BIQ_RUN__COUNT; k++)
        r.series[k].kind = (biq_run_kind)k;
    r.series[BIQ_RUN_CYCLE_TIME].points = pts;
    r.series[BIQ_RUN_CYCLE_TIME].n_points = 3;
    r.series[BIQ_RUN_CYCLE_TIME].limits = (biq_xmr_limits){.n = 3, .mean = 4.0};
    json_t *o = biq_flow_runs_json(&r);
    ck_assert_ptr_nonnull(o);
    ck_assert(json_is_null(json_object_get(o, "firstDay")));
    json_t *series = json_object_get(o, "series");
    ck_assert_uint_eq(json_array_size(series), BIQ_RUN__COUNT);
    for (size_t k = 0; k < BIQ_RUN__COUNT; k++) {
        json_t *sj = json_array_get(series, k);
        bool ct = k == BIQ_RUN_CYCLE_TIME;
        ck_assert_str_eq(json_string_value(json_object_get(sj, "name")),
                         biq_run_kind_name((biq_run_kind)k));
        ck_assert_int_eq(json_integer_value(json_object_get(sj, "count")), (ct ? 3 : 0));
        ck_assert(json_is_integer(json_object_get(sj, "signalledPoints")));
        ck_assert_int_eq(json_integer_value(json_object_get(sj, "signalledPoints")), (ct ? 2 : 0));
        ck_assert(ct ? json_real_value(json_object_get(sj, "mean")) == 4.0
                     : json_is_null(json_object_get(sj, "mean")));
        ck_assert(json_is_null(json_object_get(sj, "upper")));
    }
    json_t *p1 = json_array_get(json_object_get(json_array_get(series, BIQ_RUN_CYCLE_TIME),
                                                "points"), 2);
    ck_assert_str_eq(json_string_value(json_object_get(p1, "key")), "A-1");
    ck_assert_uint_eq(json_array_size(json_object_get(p1, "signals")), 2);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(p1, "signals"), 0)), "run");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(p1, "signals"), 1)), "zone");
    json_decref(o);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("flow_mut_runs");
    TCase *tc = tcase_create("csv");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, plain_key_at_the_cell_size);
    tcase_add_test(tc, defused_and_quoted_keys_at_the_cell_size);
    tcase_add_test(tc, json_counts_signalled_points);
    suite_add_tcase(s, tc);
    return s;
}
