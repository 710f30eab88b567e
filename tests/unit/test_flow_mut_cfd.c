/* test_flow_mut_cfd.c - the cumulative flow diagram (src/flow/cfd.c) where
 * the mutation run (scripts/mutate.py) found it unpinned: with the sub-task
 * rollup, the sub-tasks leave the flow's item list, and the CFD counts the
 * kept items only (one past the last kept item the list still holds a
 * rolled-up sub-task). Expected values by hand. */
#include <string.h>

#include "common/arena.h"
#include "flow/flow.h"
#include "testsupport.h"
#include "tz/civil.h"

#define H BIQ_MS_PER_HOUR
#define DAY BIQ_MS_PER_DAY

enum { TODO = 1, PROG = 2, DONE = 3 };

static const biq_status catalogue[] = {
    {TODO, "To Do", BIQ_CAT_NEW},
    {PROG, "In Progress", BIQ_CAT_ACTIVE},
    {DONE, "Done", BIQ_CAT_DONE},
};

static biq_ms jan(int day, int hour)
{
    return biq_civil_days(2018, 1, day) * DAY + hour * H;
}

/* P-1: created Jan 1 00:00 in To Do, In Progress Jan 3 12:00, Done Jan 5
 * 12:00. Its sub-task P-2: In Progress Jan 2 12:00, Done Jan 4 12:00,
 * rolled up into P-1. CFD over Jan 1..6 (now Jan 10), bands To Do, In
 * Progress, Done; reached (items at the band or right of it) at each
 * day's end: To Do 1 1 1 1 1 1; In Progress 0 0 1 1 1 1; Done 0 0 0 0 1 1.
 * P-2 is not an item of its own: counted, it would add 1 to every band
 * from its days on. */
START_TEST(rolled_up_subtasks_are_not_counted)
{
    biq_arena *a = biq_arena_new(4 << 20);
    biq_transition t1[] = {
        {.history_id = 10, .at = jan(3, 12), .from_status = TODO, .to_status = PROG},
        {.history_id = 11, .at = jan(5, 12), .from_status = PROG, .to_status = DONE}};
    biq_transition t2[] = {
        {.history_id = 20, .at = jan(2, 12), .from_status = TODO, .to_status = PROG},
        {.history_id = 21, .at = jan(4, 12), .from_status = PROG, .to_status = DONE}};
    biq_issue is[] = {
        {.id = 1, .key = "P-1", .project_key = "P", .status_id = DONE, .issue_type = "Story",
         .created = jan(1, 0), .updated = jan(1, 0), .resolution_at = BIQ_MS_NONE,
         .transitions = t1, .n_transitions = 2},
        {.id = 2, .key = "P-2", .project_key = "P", .status_id = DONE,
         .issue_type = "Sub-task", .created = jan(1, 0), .updated = jan(1, 0),
         .resolution_at = BIQ_MS_NONE, .transitions = t2, .n_transitions = 2,
         .is_subtask = true, .parent_id = 1},
    };
    biq_flow_settings s;
    biq_flow_settings_init(&s);
    s.subtasks = BIQ_SUBTASKS_ROLLUP;
    biq_flow_input in = {.issues = is, .n_issues = 2, .statuses = catalogue, .n_statuses = 3,
                         .settings = &s, .now = jan(10, 0)};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    ck_assert_uint_eq(biq_flow_issue_count(f), 1);
    int64_t d1 = biq_civil_days(2018, 1, 1);
    biq_flow_cfd *c = NULL;
    ck_assert_int_eq(biq_flow_cfd_build(f, d1, d1 + 5, false, a, &c), BIQ_OK);
    ck_assert_uint_eq(c->n_bands, 3);
    ck_assert_uint_eq(c->done_band, 2);
    const uint32_t want[6][3] = {{1, 0, 0}, {1, 0, 0}, {1, 1, 0},
                                 {1, 1, 0}, {1, 1, 1}, {1, 1, 1}};
    for (size_t d = 0; d < 6; d++)
        for (size_t b = 0; b < 3; b++)
            ck_assert_msg(c->reached[d * 3 + b] == want[d][b], "day %zu band %zu: %u", d, b,
                          (unsigned)c->reached[d * 3 + b]);
    /* Created at the first day's start: no arrival on a day of the chart;
     * the one departure on Jan 5. */
    for (size_t d = 0; d < 6; d++) {
        ck_assert_uint_eq(c->arrivals[d], 0);
        ck_assert_uint_eq(c->departures[d], d == 4 ? 1 : 0);
    }
    biq_arena_free(a);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("flow_mut_cfd");
    TCase *tc = tcase_create("cfd");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, rolled_up_subtasks_are_not_counted);
    suite_add_tcase(s, tc);
    return s;
}
