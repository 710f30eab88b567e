/* test_flow_blocked.c - blocked time, flow efficiency and the sprint report
 * of the flow core (issue #15) on hand-built histories; every expected
 * value is computed by hand in the comments. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_run.h"
#include "common/arena.h"
#include "devlake.h"
#include "flow/blocked_json.h"
#include "flow/charts_json.h"
#include "flow/dashboard_json.h"
#include "flow/flow.h"
#include "testsupport.h"
#include "tz/civil.h"

#define H BIQ_MS_PER_HOUR
#define DAY BIQ_MS_PER_DAY
#define T0 (INT64_C(1514764800000)) /* 2018-01-01T00:00:00Z */

enum { TODO = 1, PROG = 2, QA = 3, WAIT = 4, DONE = 5, READY = 6 };

static const biq_status catalogue[] = {
    {TODO, "To Do", BIQ_CAT_NEW},         {PROG, "In Progress", BIQ_CAT_ACTIVE},
    {QA, "QA", BIQ_CAT_ACTIVE},           {WAIT, "Waiting for customer", BIQ_CAT_ACTIVE},
    {DONE, "Done", BIQ_CAT_DONE},         {READY, "Ready", BIQ_CAT_NEW},
};
#define N_CATALOGUE (sizeof catalogue / sizeof catalogue[0])

static biq_transition tr(int64_t hist, biq_ms at, int64_t from, int64_t to)
{
    return (biq_transition){.history_id = hist, .at = at, .from_status = from, .to_status = to};
}

static biq_flag_change fl(int64_t hist, biq_ms at, bool flagged)
{
    return (biq_flag_change){.history_id = hist, .at = at, .flagged = flagged};
}

static biq_issue issue(int64_t id, const char *key, biq_ms created, int64_t status,
                       const biq_transition *t, size_t n)
{
    return (biq_issue){.id = id, .key = key, .project_key = "A", .summary = key,
                       .status_id = status, .issue_type = "Story", .created = created,
                       .updated = created, .resolution_at = BIQ_MS_NONE, .transitions = t,
                       .n_transitions = n, .changelog_total = (int32_t)n,
                       .changelog_present = (int32_t)n};
}

static biq_flow *flow_with(biq_arena *a, const biq_issue *is, size_t n, biq_ms now,
                           const biq_flow_settings *s, const biq_sprint *sp, size_t n_sp)
{
    biq_flow_input in = {.issues = is, .n_issues = n, .statuses = catalogue,
                         .n_statuses = N_CATALOGUE, .settings = s, .sprints = sp,
                         .n_sprints = n_sp, .now = now};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    return f;
}

static const biq_flow_issue_view *by_key(const biq_flow *f, const char *key)
{
    const biq_flow_issue_view *v = biq_flow_issue_by_key(f, key);
    ck_assert_ptr_nonnull(v);
    return v;
}

static biq_flow_blocked *blocked_of(const biq_flow *f, const char *key, biq_arena *a)
{
    biq_flow_blocked *b = NULL;
    ck_assert_int_eq(biq_flow_blocked_build(f, by_key(f, key), a, &b), BIQ_OK);
    return b;
}

/* ---------------------------------------------------------- flagged spans */

START_TEST(flag_spans_across_a_reopen_and_a_renamed_status)
{
    biq_arena *a = biq_arena_new(1 << 20);
    /* To Do -> In Progress at 1d -> Done at 3d -> reopened at 4d into the
     * same status id, renamed "Doing" by then -> Done at 6d. */
    biq_transition t[] = {tr(1, T0 + DAY, TODO, PROG), tr(2, T0 + 3 * DAY, PROG, DONE),
                          tr(3, T0 + 4 * DAY, DONE, PROG), tr(4, T0 + 6 * DAY, PROG, DONE)};
    t[2].to_name = "Doing";
    t[3].from_name = "Doing";
    /* Flagged at 2d, cleared at 3.5d (in the first Done), flagged again at
     * 5d and never cleared: the item's life ends at its final done (6d). */
    biq_flag_change c[] = {fl(12, T0 + 5 * DAY, true), fl(10, T0 + 2 * DAY, true),
                           fl(11, T0 + 3 * DAY + 12 * H, false)};
    biq_issue is[] = {issue(1, "A-1", T0, DONE, t, 4)};
    is[0].flagged = true;
    is[0].flag_changes = c;
    is[0].n_flag_changes = 3;
    biq_flow *f = flow_with(a, is, 1, T0 + 10 * DAY, NULL, NULL, 0);
    biq_flow_blocked *b = blocked_of(f, "A-1", a);
    ck_assert_uint_eq(b->n_flags, 2);
    ck_assert_int_eq(b->flags[0].start, T0 + 2 * DAY);
    ck_assert_int_eq(b->flags[0].end, T0 + 3 * DAY + 12 * H);
    ck_assert_int_eq(b->flags[1].start, T0 + 5 * DAY);
    ck_assert_int_eq(b->flags[1].end, T0 + 6 * DAY);
    ck_assert(!b->flags[1].open && !b->flagged_now);
    ck_assert_int_eq(b->flagged_ms, 2 * DAY + 12 * H);
    ck_assert_int_eq(b->blocked_ms, 2 * DAY + 12 * H);
    ck_assert_int_eq(b->link_ms, 0);
    /* One row per status id: In Progress [2d,3d) + [5d,6d), Done [3d,3.5d). */
    ck_assert_uint_eq(b->n_per_status, 2);
    ck_assert_int_eq(b->per_status[0].status_id, PROG);
    ck_assert_int_eq(b->per_status[0].flagged_ms, 2 * DAY);
    ck_assert_int_eq(b->per_status[1].status_id, DONE);
    ck_assert_int_eq(b->per_status[1].flagged_ms, 12 * H);
    biq_arena_free(a);
}
END_TEST

START_TEST(flag_state_before_the_first_change_and_a_missing_change)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_ms now = T0 + 10 * DAY;
    /* no history, flagged now: flagged since creation, open. */
    /* the first change is a clear at 3d: flagged from creation to 3d. */
    /* set at 2d, the field is clear now, last updated at 4d: the clear
     * the changelog lacks is placed at `updated`. */
    /* a set at 12d lies after now: ignored, the current field says
     * nothing of now, so nothing is flagged. */
    biq_flag_change c2[] = {fl(1, T0 + 3 * DAY, false)};
    biq_flag_change c3[] = {fl(1, T0 + 2 * DAY, true)};
    biq_flag_change c4[] = {fl(1, T0 + 12 * DAY, true)};
    biq_issue is[] = {issue(1, "A-1", T0, PROG, NULL, 0), issue(2, "A-2", T0, PROG, NULL, 0),
                      issue(3, "A-3", T0, PROG, NULL, 0), issue(4, "A-4", T0, PROG, NULL, 0)};
    is[0].flagged = true;
    is[1].flag_changes = c2;
    is[1].n_flag_changes = 1;
    is[2].flag_changes = c3;
    is[2].n_flag_changes = 1;
    is[2].updated = T0 + 4 * DAY;
    is[3].flag_changes = c4;
    is[3].n_flag_changes = 1;
    is[3].flagged = true;
    biq_flow *f = flow_with(a, is, 4, now, NULL, NULL, 0);
    biq_flow_blocked *b = blocked_of(f, "A-1", a);
    ck_assert_uint_eq(b->n_flags, 1);
    ck_assert_int_eq(b->flags[0].start, T0);
    ck_assert_int_eq(b->flags[0].end, now);
    ck_assert(b->flags[0].open && b->flagged_now && b->blocked_now);
    b = blocked_of(f, "A-2", a);
    ck_assert_uint_eq(b->n_flags, 1);
    ck_assert_int_eq(b->flagged_ms, 3 * DAY);
    ck_assert(!b->flagged_now);
    b = blocked_of(f, "A-3", a);
    ck_assert_uint_eq(b->n_flags, 1);
    ck_assert_int_eq(b->flags[0].start, T0 + 2 * DAY);
    ck_assert_int_eq(b->flags[0].end, T0 + 4 * DAY);
    b = blocked_of(f, "A-4", a);
    ck_assert_uint_eq(b->n_flags, 0);
    biq_arena_free(a);
}
END_TEST

/* The scenario of the efficiency tests: A-1 is started at 1d, waits in the
 * queue "Ready" [3d,5d), is done at 7d; it is blocked by A-20 (done at 4d)
 * from 2d, and flagged [3.5d, 6d). */
static void blocked_item(biq_issue *is, biq_transition *t, biq_flag_change *c, biq_block_link *l,
                         biq_transition *tb)
{
    t[0] = tr(1, T0 + DAY, TODO, PROG);
    t[1] = tr(2, T0 + 3 * DAY, PROG, READY);
    t[2] = tr(3, T0 + 5 * DAY, READY, PROG);
    t[3] = tr(4, T0 + 7 * DAY, PROG, DONE);
    c[0] = fl(5, T0 + 3 * DAY + 12 * H, true);
    c[1] = fl(6, T0 + 6 * DAY, false);
    l[0] = (biq_block_link){.blocker_id = 20, .linked_at = T0 + 2 * DAY};
    tb[0] = tr(7, T0 + 4 * DAY, TODO, DONE);
    is[0] = issue(1, "A-1", T0, DONE, t, 4);
    is[0].flag_changes = c;
    is[0].n_flag_changes = 2;
    is[0].blocked_by = l;
    is[0].n_blocked_by = 1;
    is[1] = issue(20, "A-20", T0, DONE, tb, 1);
}

START_TEST(blocked_in_active_and_queue_statuses_counted_once)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_transition t[4], tb[1];
    biq_flag_change c[2];
    biq_block_link l[1];
    biq_issue is[2];
    blocked_item(is, t, c, l, tb);
    biq_flow *f = flow_with(a, is, 2, T0 + 20 * DAY, NULL, NULL, 0);
    biq_flow_blocked *b = blocked_of(f, "A-1", a);
    /* Link [2d, 4d) and flag [3.5d, 6d) overlap: the union [2d, 6d) is 4
     * days, not 2 + 2.5. */
    ck_assert_uint_eq(b->n_links, 1);
    ck_assert_int_eq(b->links[0].end, T0 + 4 * DAY);
    ck_assert(b->links[0].blocker_loaded);
    ck_assert_int_eq(b->link_ms, 2 * DAY);
    ck_assert_int_eq(b->flagged_ms, 2 * DAY + 12 * H);
    ck_assert_uint_eq(b->n_spans, 1);
    ck_assert_int_eq(b->blocked_ms, 4 * DAY);
    /* In Progress [1d,3d)+[5d,7d): flag [5d,6d) 1d, link [2d,3d) 1d, union 2d.
     * Ready [3d,5d): flag [3.5d,5d) 1.5d, link [3d,4d) 1d, union 2d. */
    ck_assert_uint_eq(b->n_per_status, 2);
    ck_assert_int_eq(b->per_status[0].status_id, PROG);
    ck_assert_int_eq(b->per_status[0].flagged_ms, DAY);
    ck_assert_int_eq(b->per_status[0].link_ms, DAY);
    ck_assert_int_eq(b->per_status[0].blocked_ms, 2 * DAY);
    ck_assert_int_eq(b->per_status[1].status_id, READY);
    ck_assert_int_eq(b->per_status[1].flagged_ms, DAY + 12 * H);
    ck_assert_int_eq(b->per_status[1].link_ms, DAY);
    ck_assert_int_eq(b->per_status[1].blocked_ms, 2 * DAY);
    biq_arena_free(a);
}
END_TEST

START_TEST(blocker_not_loaded_counts_as_open)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_ms now = T0 + 10 * DAY;
    /* Blocked by an issue outside the data since 4d; by A-2 (not done) from
     * creation (the changelog does not show the link); by A-3 linked at 6d,
     * after A-3 was done at 5d: no blocked time. */
    biq_block_link l[] = {{.blocker_id = 999, .linked_at = T0 + 4 * DAY},
                          {.blocker_id = 2, .linked_at = BIQ_MS_NONE},
                          {.blocker_id = 3, .linked_at = T0 + 6 * DAY}};
    biq_transition t3[] = {tr(1, T0 + 5 * DAY, TODO, DONE)};
    biq_issue is[] = {issue(1, "A-1", T0 + DAY, PROG, NULL, 0), issue(2, "A-2", T0, TODO, NULL, 0),
                      issue(3, "A-3", T0, DONE, t3, 1)};
    is[0].blocked_by = l;
    is[0].n_blocked_by = 3;
    biq_flow *f = flow_with(a, is, 3, now, NULL, NULL, 0);
    biq_flow_blocked *b = blocked_of(f, "A-1", a);
    ck_assert_uint_eq(b->n_unloaded, 1);
    ck_assert_uint_eq(b->n_links, 2);
    ck_assert_int_eq(b->links[0].blocker_id, 2);
    ck_assert_int_eq(b->links[0].start, T0 + DAY);
    ck_assert(b->links[0].blocker_loaded && b->links[0].open);
    ck_assert_int_eq(b->links[1].blocker_id, 999);
    ck_assert(!b->links[1].blocker_loaded && b->links[1].open);
    ck_assert_int_eq(b->links[1].end, now);
    ck_assert_int_eq(b->link_ms, 9 * DAY); /* [1d, 10d), the links overlapping */
    ck_assert(b->blocked_now && !b->flagged_now);
    biq_arena_free(a);
}
END_TEST

/* ------------------------------------------------------------ efficiency */

START_TEST(efficiency_and_mean_of_ratios_on_three_items)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_transition t[4], tb[1];
    biq_flag_change c[2];
    biq_block_link l[1];
    biq_issue is[6];
    blocked_item(is, t, c, l, tb); /* cycle 6d, active unblocked 4d - 2d = 2d */
    /* started at 10d, done at 12d, never blocked: ratio 1. */
    biq_transition t2[] = {tr(1, T0 + 10 * DAY, TODO, PROG), tr(2, T0 + 12 * DAY, PROG, DONE)};
    is[2] = issue(2, "A-2", T0, DONE, t2, 2);
    /* In Progress [10d,11d), Waiting (external) [11d,13d) flagged
     * [11d,12d), In Progress [13d,14d): cycle 4d, active 2d, the flag inside
     * the external status not subtracted again: ratio 0.5. */
    biq_transition t3[] = {tr(1, T0 + 10 * DAY, TODO, PROG), tr(2, T0 + 11 * DAY, PROG, WAIT),
                           tr(3, T0 + 13 * DAY, WAIT, PROG), tr(4, T0 + 14 * DAY, PROG, DONE)};
    biq_flag_change c3[] = {fl(5, T0 + 11 * DAY, true), fl(6, T0 + 12 * DAY, false)};
    is[3] = issue(3, "A-3", T0, DONE, t3, 4);
    is[3].flag_changes = c3;
    is[3].n_flag_changes = 2;
    /* done in the window, never started: not counted. */
    biq_transition t4[] = {tr(1, T0 + 9 * DAY, TODO, DONE)};
    is[4] = issue(4, "A-4", T0, DONE, t4, 1);
    /* done exactly at the window's start: the window before's. */
    biq_transition t5[] = {tr(1, T0 + 5 * DAY, TODO, PROG), tr(2, T0 + 6 * DAY, PROG, DONE)};
    is[5] = issue(5, "A-5", T0, DONE, t5, 2);
    biq_flow_status_role ext = {.status_id = WAIT, .role = -1, .terminal = -1, .external = 1};
    biq_flow_settings s;
    biq_flow_settings_init(&s);
    s.roles = &ext;
    s.n_roles = 1;
    biq_flow *f = flow_with(a, is, 6, T0 + 20 * DAY, &s, NULL, 0);
    biq_flow_window w = {.from = T0 + 6 * DAY, .to = T0 + 20 * DAY,
                         .prev_from = T0 - 8 * DAY, .prev_to = T0 + 6 * DAY};
    biq_flow_efficiency *e = NULL;
    ck_assert_int_eq(biq_flow_efficiency_build(f, &w, a, &e), BIQ_OK);
    ck_assert_uint_eq(e->cur.n, 3);
    ck_assert_uint_eq(e->n_items, 3);
    ck_assert_int_eq(e->items[0].issue->issue->id, 1);
    ck_assert_int_eq(e->items[0].cycle_ms, 6 * DAY);
    ck_assert_int_eq(e->items[0].active_ms, 4 * DAY);
    ck_assert_int_eq(e->items[0].active_unblocked_ms, 2 * DAY);
    ck_assert_int_eq(e->items[0].blocked_ms, 4 * DAY);
    ck_assert_int_eq(e->items[2].active_unblocked_ms, 2 * DAY);
    ck_assert_int_eq(e->items[2].blocked_ms, DAY);
    /* Σ active unblocked 2+2+2 = 6d over Σ cycle 6+2+4 = 12d. */
    ck_assert_int_eq(e->cur.cycle_ms, 12 * DAY);
    ck_assert_int_eq(e->cur.active_unblocked_ms, 6 * DAY);
    ck_assert(e->cur.has_value);
    ck_assert_double_eq(e->cur.value, 0.5);
    /* (1/3 + 1 + 1/2) / 3 = 11/18. */
    ck_assert_uint_eq(e->cur.n_ratios, 3);
    ck_assert_double_eq_tol(e->cur.mean_ratio, 11.0 / 18.0, 1e-15);
    /* Blocked (4d + 0 + 1d) of 12d. */
    ck_assert_double_eq_tol(e->cur.blocked_share, 5.0 / 12.0, 1e-15);
    /* The window before holds A-5 only: 1 day active of 1. */
    ck_assert_uint_eq(e->prev.n, 1);
    ck_assert_double_eq(e->prev.value, 1.0);
    biq_arena_free(a);
}
END_TEST

START_TEST(efficiency_without_items_and_with_a_zero_cycle)
{
    biq_arena *a = biq_arena_new(1 << 20);
    /* Started and done at the same instant: counted, no ratio, no value. */
    biq_transition t[] = {tr(1, T0 + DAY, TODO, PROG), tr(2, T0 + DAY, PROG, DONE)};
    biq_issue is[] = {issue(1, "A-1", T0, DONE, t, 2)};
    biq_flow *f = flow_with(a, is, 1, T0 + 2 * DAY, NULL, NULL, 0);
    biq_flow_window w = {.from = T0, .to = T0 + 2 * DAY, .prev_from = T0, .prev_to = T0};
    biq_flow_efficiency *e = NULL;
    ck_assert_int_eq(biq_flow_efficiency_build(f, &w, a, &e), BIQ_OK);
    ck_assert_uint_eq(e->cur.n, 1);
    ck_assert_uint_eq(e->cur.n_ratios, 0);
    ck_assert(!e->cur.has_value && !e->prev.has_value);
    ck_assert_double_eq(e->cur.mean_ratio, 0.0);
    w.to = w.from; /* an empty window is a window */
    ck_assert_int_eq(biq_flow_efficiency_build(f, &w, a, &e), BIQ_OK);
    ck_assert_uint_eq(e->cur.n, 0);
    w.to = w.from - 1;
    ck_assert_int_eq(biq_flow_efficiency_build(f, &w, a, &e), BIQ_ERR_INVALID);
    biq_arena_free(a);
}
END_TEST

/* ---------------------------------------------------------- sprint report */

static biq_sprint_change sc(int64_t hist, biq_ms at, const int64_t *from, size_t nf,
                            const int64_t *to, size_t nt)
{
    return (biq_sprint_change){.history_id = hist, .at = at, .from_ids = from, .n_from = nf,
                               .to_ids = to, .n_to = nt};
}

static const int64_t S1[] = {100};
static const int64_t S12[] = {100, 101};
static const int64_t S2[] = {101};

static const biq_sprint sprints[] = {
    {101, "Sprint 2", "active", T0 + 8 * DAY, T0 + 15 * DAY, BIQ_MS_NONE, 7},
    {100, "Sprint 1", "closed", T0 + DAY, T0 + 8 * DAY, T0 + 8 * DAY, 7},
    {102, "Sprint 3", "future", BIQ_MS_NONE, BIQ_MS_NONE, BIQ_MS_NONE, 7},
};

START_TEST(sprint_report_with_scope_change_and_carry_over)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_ms now = T0 + 10 * DAY;
    biq_issue is[7];
    /* in Sprint 1 since creation, moved on at completion (8d) into
     * Sprint 2 as well, in progress: committed and carried over in both. */
    biq_transition t1[] = {tr(1, T0 + 2 * DAY, TODO, PROG)};
    biq_sprint_change c1[] = {sc(2, T0 + 8 * DAY, S1, 1, S12, 2)};
    is[0] = issue(1, "A-1", T0, PROG, t1, 1);
    is[0].sprint_ids = S12;
    is[0].n_sprint_ids = 2;
    is[0].sprint_changes = c1;
    is[0].n_sprint_changes = 1;
    /* added at 3d, done at 5d: added, completed. */
    biq_transition t2[] = {tr(1, T0 + 3 * DAY + 12 * H, TODO, PROG),
                           tr(2, T0 + 5 * DAY, PROG, DONE)};
    biq_sprint_change c2[] = {sc(3, T0 + 3 * DAY, NULL, 0, S1, 1)};
    is[1] = issue(2, "A-2", T0, DONE, t2, 2);
    is[1].sprint_ids = S1;
    is[1].n_sprint_ids = 1;
    is[1].sprint_changes = c2;
    is[1].n_sprint_changes = 1;
    /* in it at the start, removed at 4d. */
    biq_sprint_change c3[] = {sc(4, T0 + 4 * DAY, S1, 1, NULL, 0)};
    is[2] = issue(3, "A-3", T0, TODO, NULL, 0);
    is[2].sprint_ids = S1;
    is[2].n_sprint_ids = 0;
    is[2].sprint_changes = c3;
    is[2].n_sprint_changes = 1;
    /* created into the sprint at 2d, done at 7d: added, completed. */
    biq_transition t4[] = {tr(1, T0 + 6 * DAY, TODO, PROG), tr(2, T0 + 7 * DAY, PROG, DONE)};
    is[3] = issue(4, "A-4", T0 + 2 * DAY, DONE, t4, 2);
    is[3].sprint_ids = S1;
    is[3].n_sprint_ids = 1;
    /* done at 12 h, in the sprint since creation: listed apart. */
    biq_transition t5[] = {tr(1, T0 + 12 * H, TODO, DONE)};
    is[4] = issue(5, "A-5", T0, DONE, t5, 1);
    is[4].sprint_ids = S1;
    is[4].n_sprint_ids = 1;
    /* added exactly at the start instant: committed, carried over. */
    biq_sprint_change c9[] = {sc(5, T0 + DAY, NULL, 0, S1, 1)};
    is[5] = issue(9, "A-9", T0, TODO, NULL, 0);
    is[5].sprint_ids = S1;
    is[5].n_sprint_ids = 1;
    is[5].sprint_changes = c9;
    is[5].n_sprint_changes = 1;
    /* in no sprint ever. */
    is[6] = issue(10, "A-10", T0, TODO, NULL, 0);
    is[6].sprint_ids = S1;
    is[6].n_sprint_ids = 0;
    biq_flow *f = flow_with(a, is, 7, now, NULL, sprints, 3);
    biq_flow_sprint_reports *rs = NULL;
    ck_assert_int_eq(biq_flow_sprint_reports_build(f, a, &rs), BIQ_OK);
    ck_assert_uint_eq(rs->n, 2); /* the future sprint has no report */
    const biq_sprint_report *r = &rs->reports[0];
    ck_assert_int_eq(r->sprint->id, 100);
    ck_assert(!r->active);
    ck_assert_int_eq(r->end, T0 + 8 * DAY);
    ck_assert_uint_eq(r->committed, 3);         /* */
    ck_assert_uint_eq(r->added, 2);             /* */
    ck_assert_uint_eq(r->removed, 1);           /* */
    ck_assert_uint_eq(r->completed, 2);         /* */
    ck_assert_uint_eq(r->carried_over, 2);      /* */
    ck_assert_uint_eq(r->done_before_start, 1); /* */
    ck_assert_uint_eq(r->n_items, 6);
    ck_assert(r->has_ratio);
    ck_assert_double_eq(r->completion_ratio, 0.5);
    ck_assert(!r->approximate);
    /* Timeline: A-4 created into it at 2d, A-2 added at 3d, A-3 removed at 4d. */
    ck_assert_uint_eq(r->n_events, 3);
    ck_assert_int_eq(r->events[0].issue->issue->id, 4);
    ck_assert_int_eq(r->events[0].at, T0 + 2 * DAY);
    ck_assert(r->events[0].added);
    ck_assert_int_eq(r->events[1].issue->issue->id, 2);
    ck_assert(r->events[1].added);
    ck_assert_int_eq(r->events[2].issue->issue->id, 3);
    ck_assert_int_eq(r->events[2].at, T0 + 4 * DAY);
    ck_assert(!r->events[2].added);
    /* Sprint 2 is active: it runs to now; A-1 joined at its start instant. */
    r = &rs->reports[1];
    ck_assert_int_eq(r->sprint->id, 101);
    ck_assert(r->active);
    ck_assert_int_eq(r->end, now);
    ck_assert_uint_eq(r->committed, 1);
    ck_assert_uint_eq(r->added, 0);
    ck_assert_uint_eq(r->carried_over, 1);
    ck_assert_uint_eq(r->completed, 0);
    ck_assert(r->has_ratio);
    ck_assert_double_eq(r->completion_ratio, 0.0);
    ck_assert_uint_eq(r->n_events, 0);
    biq_arena_free(a);
}
END_TEST

START_TEST(sprint_report_flags_what_the_changelog_cannot_tell)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_ms now = T0 + 10 * DAY;
    biq_issue is[3];
    /* its changelog is truncated (5 histories, 1 present). */
    biq_transition t1[] = {tr(1, T0 + 2 * DAY, TODO, PROG)};
    is[0] = issue(1, "A-1", T0, PROG, t1, 1);
    is[0].changelog_total = 5;
    is[0].sprint_ids = S1;
    is[0].n_sprint_ids = 1;
    /* the Sprint field was not in the payload; its history adds it at
     * 3d: the last change's "to" stands for now. */
    biq_sprint_change c2[] = {sc(1, T0 + 3 * DAY, NULL, 0, S1, 1)};
    is[1] = issue(2, "A-2", T0, TODO, NULL, 0);
    is[1].sprint_changes = c2;
    is[1].n_sprint_changes = 1;
    /* added at 2d, then a change at 5d whose "from" is not what the
     * previous one left (an unreadable item between them). */
    biq_sprint_change c3[] = {sc(1, T0 + 2 * DAY, NULL, 0, S1, 1),
                              sc(2, T0 + 5 * DAY, NULL, 0, S2, 1)};
    is[2] = issue(3, "A-3", T0, TODO, NULL, 0);
    is[2].sprint_ids = S2;
    is[2].n_sprint_ids = 1;
    is[2].sprint_changes = c3;
    is[2].n_sprint_changes = 2;
    biq_flow *f = flow_with(a, is, 3, now, NULL, sprints, 3);
    biq_flow_sprint_reports *rs = NULL;
    ck_assert_int_eq(biq_flow_sprint_reports_build(f, a, &rs), BIQ_OK);
    const biq_sprint_report *r = &rs->reports[0];
    ck_assert(r->approximate);
    ck_assert_uint_eq(r->n_truncated, 1);
    ck_assert_uint_eq(r->n_field_missing, 1);
    ck_assert_uint_eq(r->n_gaps, 1);
    ck_assert_uint_eq(r->committed, 1); /* A-1, as far as the data tells */
    /* Walked back from now, A-3 was never in Sprint 1 (the change at 5d
     * starts from no sprint): it is not counted, only flagged. */
    ck_assert_uint_eq(r->added, 1); /* */
    ck_assert_uint_eq(r->removed, 0);
    ck_assert_uint_eq(r->n_items, 2);
    /* Sprint 2 sees only A-3, in it since 5d, before the start: committed;
     * approximate through A-3's gap. */
    r = &rs->reports[1];
    ck_assert_uint_eq(r->committed, 1);
    ck_assert(r->approximate);
    ck_assert_uint_eq(r->n_gaps, 1);
    ck_assert_uint_eq(r->n_truncated, 0);
    biq_arena_free(a);
}
END_TEST

/* ----------------------------------------------------------- JSON and CSV */

static char *dumps(json_t *j)
{
    ck_assert_ptr_nonnull(j);
    char *s = biq_flow_json_dumps(j);
    json_decref(j);
    return s;
}

START_TEST(json_and_csv_of_efficiency_blocked_spans_and_sprints)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_transition t[4], tb[1];
    biq_flag_change c[2];
    biq_block_link l[1];
    biq_issue is[2];
    blocked_item(is, t, c, l, tb);
    is[0].summary = "=cmd";
    biq_flow *f = flow_with(a, is, 2, T0 + 20 * DAY, NULL, NULL, 0);
    biq_flow_window w = {.from = T0 + 6 * DAY, .to = T0 + 20 * DAY, .prev_from = T0,
                         .prev_to = T0 + 6 * DAY};
    biq_flow_efficiency *e = NULL;
    ck_assert_int_eq(biq_flow_efficiency_build(f, &w, a, &e), BIQ_OK);
    char *s = dumps(biq_flow_efficiency_json(e));
    ck_assert_str_eq(s, "{\"activeUnblockedDays\":2.0,\"blockedDays\":4.0,"
                        "\"blockedShare\":0.66666666666666663,\"cycleDays\":6.0,"
                        "\"meanOfRatios\":0.33333333333333331,\"n\":1,\"nRatios\":1,"
                        "\"previous\":{\"blockedShare\":null,\"meanOfRatios\":null,\"n\":0,"
                        "\"value\":null},\"value\":0.33333333333333331}");
    free(s);
    char line[512];
    size_t len = 0;
    ck_assert_int_eq(biq_flow_csv_efficiency_line(&e->items[0], line, sizeof line, &len), BIQ_OK);
    ck_assert_str_eq(line, "A-1,\"'=cmd\",2018-01-02T00:00:00.000Z,2018-01-08T00:00:00.000Z,"
                           "518400.000,345600.000,172800.000,345600.000,0.333333\r\n");
    ck_assert_uint_eq(len, strlen(line));
    /* A line one byte short does not fit: never a truncated row. */
    ck_assert_int_eq(biq_flow_csv_efficiency_line(&e->items[0], line, len, &len),
                     BIQ_ERR_TOO_LARGE);
    ck_assert_int_eq(biq_flow_csv_efficiency_header(line, sizeof line, &len), BIQ_OK);
    ck_assert_str_eq(line, "issue_key,summary,started,done,cycle_seconds,active_seconds,"
                           "active_unblocked_seconds,blocked_seconds,efficiency\r\n");
    biq_flow_blocked *b = blocked_of(f, "A-1", a);
    json_t *bj = biq_flow_blocked_json(f, b);
    ck_assert_ptr_nonnull(bj);
    json_t *link = json_array_get(json_object_get(bj, "links"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(link, "blockerKey")), "A-20");
    ck_assert_str_eq(json_string_value(json_object_get(link, "end")), "2018-01-05T00:00:00.000Z");
    ck_assert_double_eq(json_real_value(json_object_get(bj, "blockedDays")), 4.0);
    ck_assert_uint_eq(json_array_size(json_object_get(bj, "perStatus")), 2);
    json_decref(bj);
    /* The dashboard carries the efficiency of its report. */
    biq_flow_report *r = NULL;
    ck_assert_int_eq(biq_flow_report_build(f, &w, a, &r), BIQ_OK);
    json_t *d = biq_flow_dashboard_json(f, r, NULL);
    ck_assert_double_eq(json_real_value(json_object_get(json_object_get(d, "efficiency"), "value")),
                        1.0 / 3.0);
    json_decref(d);
    biq_arena_free(a);
}
END_TEST

START_TEST(sprint_report_json_and_csv)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_sprint_change c[] = {sc(1, T0 + 4 * DAY, S1, 1, NULL, 0)};
    biq_issue is[] = {issue(1, "A-1", T0, TODO, NULL, 0)};
    is[0].sprint_ids = S1;
    is[0].n_sprint_ids = 0;
    is[0].sprint_changes = c;
    is[0].n_sprint_changes = 1;
    biq_flow *f = flow_with(a, is, 1, T0 + 10 * DAY, NULL, sprints, 3);
    biq_flow_sprint_reports *rs = NULL;
    ck_assert_int_eq(biq_flow_sprint_reports_build(f, a, &rs), BIQ_OK);
    json_t *j = biq_flow_sprint_reports_json(f, rs);
    json_t *first = json_array_get(json_object_get(j, "sprints"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(first, "id")), "100");
    ck_assert_int_eq(json_integer_value(json_object_get(first, "removed")), 1);
    ck_assert(json_is_null(json_object_get(first, "completionRatio")));
    json_t *ev = json_array_get(json_object_get(first, "timeline"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(ev, "change")), "removed");
    ck_assert_str_eq(json_string_value(json_object_get(ev, "at")), "2018-01-05T00:00:00.000Z");
    json_decref(j);
    char line[512];
    size_t len = 0;
    ck_assert_int_eq(biq_flow_csv_sprints_line(&rs->reports[0], &rs->reports[0].items[0], line,
                                               sizeof line, &len),
                     BIQ_OK);
    ck_assert_str_eq(line, "100,Sprint 1,closed,2018-01-02T00:00:00.000Z,2018-01-09T00:00:00.000Z,"
                           "A-1,true,false,true,false,false,false,false\r\n");
    biq_arena_free(a);
}
END_TEST

/* biq analyze: the efficiency line and the sprint reports in the text; the
 * sprint report in the JSON only with --sprints (the dashboards stay the
 * server's bytes otherwise). */
START_TEST(analyze_shows_efficiency_and_sprints)
{
    static const char *const files[] = {"issues-with-changelog.json", "statuses.json",
                                        "sprints.json", "projects.json"};
    char paths[4][DEVLAKE_PATH_MAX];
    for (size_t i = 0; i < 4; i++)
        devlake_path(files[i], paths[i]);
    const char *text[] = {"--window", "90d", paths[0], paths[1], paths[2], paths[3]};
    analyze_output r = analyze_run(text, 6);
    ck_assert_msg(r.rc == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "\n  efficiency  "));
    ck_assert_ptr_nonnull(strstr(r.out, "\nSprints:\n"));
    ck_assert_ptr_nonnull(strstr(r.out, ": committed "));
    analyze_run_free(&r);
    const char *plain[] = {"--json", paths[0], paths[1], paths[2], paths[3]};
    const char *with_sprints[] = {"--json", "--sprints", paths[0], paths[1], paths[2], paths[3]};
    for (int with = 0; with < 2; with++) {
        r = with ? analyze_run(with_sprints, 6) : analyze_run(plain, 5);
        ck_assert_msg(r.rc == 0, "%s", r.err);
        json_t *all = json_loads(r.out, 0, NULL);
        ck_assert_ptr_nonnull(all);
        json_t *ee = json_array_get(all, 0);
        ck_assert_ptr_nonnull(json_object_get(ee, "efficiency"));
        json_t *rep = json_object_get(ee, "sprintReport");
        if (with)
            ck_assert(json_array_size(json_object_get(rep, "sprints")) > 0);
        else
            ck_assert_ptr_null(rep);
        json_decref(all);
        analyze_run_free(&r);
    }
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("flow_blocked");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, flag_spans_across_a_reopen_and_a_renamed_status);
    tcase_add_test(tc, flag_state_before_the_first_change_and_a_missing_change);
    tcase_add_test(tc, blocked_in_active_and_queue_statuses_counted_once);
    tcase_add_test(tc, blocker_not_loaded_counts_as_open);
    tcase_add_test(tc, efficiency_and_mean_of_ratios_on_three_items);
    tcase_add_test(tc, efficiency_without_items_and_with_a_zero_cycle);
    tcase_add_test(tc, sprint_report_with_scope_change_and_carry_over);
    tcase_add_test(tc, sprint_report_flags_what_the_changelog_cannot_tell);
    tcase_add_test(tc, json_and_csv_of_efficiency_blocked_spans_and_sprints);
    tcase_add_test(tc, sprint_report_json_and_csv);
    tcase_add_test(tc, analyze_shows_efficiency_and_sprints);
    suite_add_tcase(s, tc);
    return s;
}
