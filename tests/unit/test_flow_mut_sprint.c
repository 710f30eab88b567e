/* test_flow_mut_sprint.c - the sprint report (src/flow/sprint_report.c)
 * where the mutation run (scripts/mutate.py) found it unpinned: Sprint
 * changes of one instant ordered by history id whatever their order in the
 * input, and an item created straight into a done status. Expected values
 * by hand. */
#include <string.h>

#include "common/arena.h"
#include "flow/flow.h"
#include "testsupport.h"
#include "tz/civil.h"

#define DAY BIQ_MS_PER_DAY
#define T0 (INT64_C(1514764800000)) /* 2018-01-01T00:00:00Z */

enum { TODO = 1, PROG = 2, DONE = 5 };

static const biq_status catalogue[] = {
    {TODO, "To Do", BIQ_CAT_NEW},
    {PROG, "In Progress", BIQ_CAT_ACTIVE},
    {DONE, "Done", BIQ_CAT_DONE},
};

static const int64_t S1[] = {100};
static const int64_t S12[] = {100, 101};

/* Sprint 1: closed, [1d, 8d]. */
static const biq_sprint sprints[] = {
    {100, "Sprint 1", "closed", T0 + DAY, T0 + 8 * DAY, T0 + 8 * DAY, 7},
};

static biq_issue issue(int64_t id, const char *key, int64_t status)
{
    return (biq_issue){.id = id, .key = key, .project_key = "A", .summary = key,
                       .status_id = status, .issue_type = "Story", .created = T0,
                       .updated = T0, .resolution_at = BIQ_MS_NONE, .changelog_total = 0,
                       .changelog_present = 0};
}

static const biq_sprint_report *report_of(biq_arena *a, const biq_issue *is, size_t n)
{
    biq_flow_input in = {.issues = is, .n_issues = n, .statuses = catalogue, .n_statuses = 3,
                         .sprints = sprints, .n_sprints = 1, .now = T0 + 10 * DAY};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    biq_flow_sprint_reports *rs = NULL;
    ck_assert_int_eq(biq_flow_sprint_reports_build(f, a, &rs), BIQ_OK);
    ck_assert_uint_eq(rs->n, 1);
    return &rs->reports[0];
}

/* A-1 (To Do throughout) has two Sprint changes at 3d, given in the input
 * history 7 first: history 6 adds Sprint 1 ([] -> [100]), history 7 adds
 * Sprint 2 ([100] -> [100, 101]). In history order: not in Sprint 1 at its
 * start, added at 3d, in it at the end and not done: added and carried
 * over, one event, no gap. (In input order it would read as committed,
 * removed at 3d and added again, with a gap.) */
START_TEST(changes_of_one_instant_in_history_order)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_sprint_change c[] = {
        {.history_id = 7, .at = T0 + 3 * DAY, .from_ids = S1, .n_from = 1, .to_ids = S12,
         .n_to = 2},
        {.history_id = 6, .at = T0 + 3 * DAY, .from_ids = NULL, .n_from = 0, .to_ids = S1,
         .n_to = 1},
    };
    biq_issue is[1] = {issue(1, "A-1", TODO)};
    is[0].sprint_ids = S12;
    is[0].n_sprint_ids = 2;
    is[0].sprint_changes = c;
    is[0].n_sprint_changes = 2;
    const biq_sprint_report *r = report_of(a, is, 1);
    ck_assert_uint_eq(r->n_items, 1);
    ck_assert_uint_eq(r->committed, 0);
    ck_assert_uint_eq(r->added, 1);
    ck_assert_uint_eq(r->removed, 0);
    ck_assert_uint_eq(r->carried_over, 1);
    ck_assert_uint_eq(r->completed, 0);
    ck_assert_uint_eq(r->n_gaps, 0);
    ck_assert(!r->approximate);
    ck_assert_uint_eq(r->n_events, 1);
    ck_assert_int_eq(r->events[0].at, T0 + 3 * DAY);
    ck_assert(r->events[0].added);
    biq_arena_free(a);
}
END_TEST

/* A-2 was created at 0 straight into Done (no transitions: one slice, done
 * since 0) and is in Sprint 1: done before the start (1d), so it is listed
 * apart, neither committed nor carried over. A-3, created in To Do and in
 * the sprint, is committed and carried over. */
START_TEST(created_done_is_done_before_the_start)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_issue is[2] = {issue(2, "A-2", DONE), issue(3, "A-3", TODO)};
    for (int i = 0; i < 2; i++) {
        is[i].sprint_ids = S1;
        is[i].n_sprint_ids = 1;
    }
    const biq_sprint_report *r = report_of(a, is, 2);
    ck_assert_uint_eq(r->n_items, 2);
    ck_assert_uint_eq(r->done_before_start, 1);
    ck_assert_uint_eq(r->committed, 1);
    ck_assert_uint_eq(r->carried_over, 1);
    ck_assert_uint_eq(r->completed, 0);
    ck_assert_int_eq(r->items[0].issue->issue->id, 2);
    ck_assert(r->items[0].done_before_start);
    ck_assert(!r->items[0].committed && !r->items[0].carried_over);
    ck_assert(r->items[1].committed && r->items[1].carried_over);
    biq_arena_free(a);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("flow_mut_sprint");
    TCase *tc = tcase_create("sprint");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, changes_of_one_instant_in_history_order);
    tcase_add_test(tc, created_done_is_done_before_the_start);
    suite_add_tcase(s, tc);
    return s;
}
