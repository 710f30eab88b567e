/* test_flow_mut_runs.c - the run charts' CSV lines (src/flow/runs_out.c)
 * where the mutation run (scripts/mutate.py) found them unpinned: the issue
 * key's cell at the exact size it may take (a 4096-byte cell: the quotes,
 * the key, a doubled quote or the apostrophe that defuses a formula, and
 * the NUL), on a hand-built series. Expected values by hand. */
#include <string.h>

#include "common/arena.h"
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

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("flow_mut_runs");
    TCase *tc = tcase_create("csv");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, plain_key_at_the_cell_size);
    tcase_add_test(tc, defused_and_quoted_keys_at_the_cell_size);
    suite_add_tcase(s, tc);
    return s;
}
