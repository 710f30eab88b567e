/* test_analyze_board.c - `biq analyze --board FILE` (issue #15): the board
 * configuration is read by the server's parser; a bad one stops the run
 * with the problem by path and nothing printed on stdout; a missing value
 * is a usage error; a good one runs. What the board changes in the output
 * belongs to the flow core's tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_run.h"
#include "testsupport.h"

#define FIXTURE "tests/fixtures/board-configuration.json"

static char DATA[1024];

static const char *data_file(void)
{
    const char *dir = getenv("BIQ_SHARED_DIR");
    int n = snprintf(DATA, sizeof DATA, "%s/realdata/devlake-merico/issues-with-changelog.json",
                     dir && *dir ? dir : "../shared");
    ck_assert(n > 0 && (size_t)n < sizeof DATA);
    return DATA;
}

START_TEST(good_board_runs)
{
    const char *args[] = {"--now", "2022-07-16T00:00:00Z", "--board", FIXTURE, data_file()};
    analyze_output r = analyze_run(args, 5);
    ck_assert_msg(r.rc == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "33 issues"));
    analyze_run_free(&r);
}
END_TEST

START_TEST(bad_board_stops_the_run)
{
    /* The issue page is no board configuration: refused by path. */
    const char *args[] = {"--board", data_file(), data_file()};
    analyze_output r = analyze_run(args, 3);
    ck_assert_int_eq(r.rc, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "--board"));
    ck_assert_ptr_nonnull(strstr(r.err, "id: missing"));
    ck_assert_str_eq(r.out, "");
    analyze_run_free(&r);
    const char *missing[] = {"--board", "/nonexistent/board.json", data_file()};
    r = analyze_run(missing, 3);
    ck_assert_int_eq(r.rc, 1);
    ck_assert_str_eq(r.out, "");
    analyze_run_free(&r);
    const char *no_value[] = {"--board"};
    r = analyze_run(no_value, 1);
    ck_assert_int_eq(r.rc, 2);
    analyze_run_free(&r);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("analyze_board");
    TCase *tc = tcase_create("analyze_board");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, good_board_runs);
    tcase_add_test(tc, bad_board_stops_the_run);
    suite_add_tcase(s, tc);
    return s;
}
