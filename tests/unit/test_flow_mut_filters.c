/* test_flow_mut_filters.c - the sub-task rollup of the filters
 * (src/flow/flow.c, roll_up) where a hand-run mutation pass over the filter
 * code (scripts/mutate.py's kinds, applied to its lines) found it unpinned:
 * a sub-task whose parent is itself a sub-task is not rolled up, and a
 * parent whose rolled-up start equals its done instant has a cycle of 0.
 * Expected values by hand. */
#include <string.h>

#include "common/arena.h"
#include "flow/flow.h"
#include "testsupport.h"
#include "tz/civil.h"

#define DAY BIQ_MS_PER_DAY

enum { TODO = 1, PROG = 2, DONE = 3, MAX_T = 2, MAX_ITEMS = 4 };

static const biq_status catalogue[] = {
    {TODO, "To Do", BIQ_CAT_NEW},
    {PROG, "In Progress", BIQ_CAT_ACTIVE},
    {DONE, "Done", BIQ_CAT_DONE},
};

static biq_ms jan(int day)
{
    return biq_civil_days(2018, 1, day) * DAY;
}

typedef struct world {
    biq_issue issues[MAX_ITEMS];
    biq_transition t[MAX_ITEMS][MAX_T];
    size_t n;
} world;

/* An issue created on the 1st in To Do; started on `start` and done on
 * `done` (0: not); with `parent` (0: none) a sub-task of that id. */
static void add(world *w, int64_t id, const char *key, int start, int done, int64_t parent)
{
    size_t i = w->n++, n = 0;
    int64_t cur = TODO;
    ck_assert_uint_le(w->n, MAX_ITEMS);
    if (start) {
        w->t[i][n++] = (biq_transition){.history_id = id * 10, .at = jan(start),
                                        .from_status = TODO, .to_status = PROG};
        cur = PROG;
    }
    if (done) {
        w->t[i][n++] = (biq_transition){.history_id = id * 10 + 1, .at = jan(done),
                                        .from_status = cur, .to_status = DONE};
        cur = DONE;
    }
    w->issues[i] = (biq_issue){.id = id, .key = key, .project_key = "P", .status_id = cur,
                               .issue_type = parent ? "Sub-task" : "Story",
                               .created = jan(1), .updated = jan(1),
                               .resolution_at = BIQ_MS_NONE, .transitions = w->t[i],
                               .n_transitions = n, .is_subtask = parent != 0,
                               .parent_id = parent};
}

static biq_flow *rolled_up(biq_arena *a, world *w)
{
    biq_flow_settings s;
    biq_flow_settings_init(&s);
    s.subtasks = BIQ_SUBTASKS_ROLLUP;
    biq_flow_input in = {.issues = w->issues, .n_issues = w->n, .statuses = catalogue,
                         .n_statuses = 3, .settings = &s, .now = jan(10)};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    return f;
}

/* P-2 is a sub-task of P-1; P-3 a sub-task of P-2 (Jira does not make
 * these, imported data may). P-2 rolls into P-1 (start the 3rd: cycle 3rd
 * -> 6th, 3 days); P-3 has no story parent, so it stays, as it is. */
START_TEST(subtask_of_a_subtask_is_not_rolled_up)
{
    biq_arena *a = biq_arena_new(4 << 20);
    world w = {0};
    add(&w, 1, "P-1", 4, 6, 0);
    add(&w, 2, "P-2", 3, 5, 1);
    add(&w, 3, "P-3", 2, 5, 2);
    biq_flow *f = rolled_up(a, &w);
    ck_assert_uint_eq(biq_flow_issue_count(f), 2);
    ck_assert_str_eq(biq_flow_issue_at(f, 0)->issue->key, "P-1");
    ck_assert_str_eq(biq_flow_issue_at(f, 1)->issue->key, "P-3");
    const biq_flow_issue_view *p = biq_flow_issue_at(f, 0);
    ck_assert_uint_eq(p->n_rolled_up, 1);
    ck_assert_int_eq(p->started_at, jan(3));
    ck_assert_int_eq(p->cycle_ms, 3 * DAY);
    const biq_flow_issue_view *s = biq_flow_issue_at(f, 1);
    ck_assert_uint_eq(s->n_rolled_up, 0);
    ck_assert_int_eq(s->started_at, jan(2));
    ck_assert_int_eq(s->cycle_ms, 3 * DAY);
    biq_arena_free(a);
}
END_TEST

/* P-1 went To Do -> Done on the 5th without starting (no cycle of its
 * own: -1); its sub-task P-2 started exactly then, on the 5th. Rolled up,
 * P-1 started the 5th and was done the 5th: a cycle of 0 (start <= done). */
START_TEST(rolled_start_at_the_done_instant_gives_cycle_zero)
{
    biq_arena *a = biq_arena_new(4 << 20);
    world w = {0};
    add(&w, 1, "P-1", 0, 5, 0);
    add(&w, 2, "P-2", 5, 7, 1);
    biq_flow *f = rolled_up(a, &w);
    ck_assert_uint_eq(biq_flow_issue_count(f), 1);
    const biq_flow_issue_view *p = biq_flow_issue_at(f, 0);
    ck_assert_uint_eq(p->n_rolled_up, 1);
    ck_assert_int_eq(p->started_at, jan(5));
    ck_assert_int_eq(p->done_at, jan(5));
    ck_assert_int_eq(p->cycle_ms, 0);
    /* A sub-task starting a day later leaves the parent without a cycle. */
    w.t[1][0].at = jan(6);
    f = rolled_up(a, &w);
    p = biq_flow_issue_at(f, 0);
    ck_assert_int_eq(p->started_at, jan(6));
    ck_assert_int_eq(p->cycle_ms, -1);
    biq_arena_free(a);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("flow_mut_filters");
    TCase *tc = tcase_create("rollup");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, subtask_of_a_subtask_is_not_rolled_up);
    tcase_add_test(tc, rolled_start_at_the_done_instant_gives_cycle_zero);
    suite_add_tcase(s, tc);
    return s;
}
