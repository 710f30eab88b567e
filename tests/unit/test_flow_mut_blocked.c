/* test_flow_mut_blocked.c - blocked time (src/flow/blocked.c) and flow
 * efficiency (src/flow/efficiency.c) at the boundaries the mutation run
 * (scripts/mutate.py) found unpinned: a blocker done exactly at now, an
 * item done exactly when its blocker is. Expected values by hand. */
#include <string.h>

#include "common/arena.h"
#include "flow/flow.h"
#include "testsupport.h"
#include "tz/civil.h"

#define H BIQ_MS_PER_HOUR
#define DAY BIQ_MS_PER_DAY
#define T0 (INT64_C(1514764800000)) /* 2018-01-01T00:00:00Z */

enum { TODO = 1, PROG = 2, DONE = 5 };

static const biq_status catalogue[] = {
    {TODO, "To Do", BIQ_CAT_NEW},
    {PROG, "In Progress", BIQ_CAT_ACTIVE},
    {DONE, "Done", BIQ_CAT_DONE},
};

static biq_transition tr(int64_t hist, biq_ms at, int64_t from, int64_t to)
{
    return (biq_transition){.history_id = hist, .at = at, .from_status = from, .to_status = to};
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

static biq_flow *flow_of(biq_arena *a, const biq_issue *is, size_t n, biq_ms now)
{
    biq_flow_input in = {.issues = is, .n_issues = n, .statuses = catalogue, .n_statuses = 3,
                         .now = now};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    return f;
}

static biq_flow_blocked *blocked_of(const biq_flow *f, const char *key, biq_arena *a)
{
    const biq_flow_issue_view *v = biq_flow_issue_by_key(f, key);
    biq_flow_blocked *b = NULL;
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(biq_flow_blocked_build(f, v, a, &b), BIQ_OK);
    return b;
}

/* created at 0, In Progress at 1d, open; blocked by A-2 (linked at 2d),
 * which goes To Do -> Done at `blocker_done`. */
static biq_flow_blocked *one_link(biq_arena *a, biq_ms blocker_done, biq_ms now)
{
    static biq_transition t1[1], t2[1];
    static biq_block_link l[1];
    static biq_issue is[2];
    t1[0] = tr(1, T0 + DAY, TODO, PROG);
    t2[0] = tr(2, blocker_done, TODO, DONE);
    l[0] = (biq_block_link){.blocker_id = 2, .linked_at = T0 + 2 * DAY};
    is[0] = issue(1, "A-1", T0, PROG, t1, 1);
    is[1] = issue(2, "A-2", T0, DONE, t2, 1);
    is[0].blocked_by = l;
    is[0].n_blocked_by = 1;
    return blocked_of(flow_of(a, is, 2, now), "A-1", a);
}

/* The blocker is done exactly at now: done (done_at <= now), so the link
 * ended at now: [2d, 4d), closed, 2 days, and the item is not blocked now
 * (as a flag cleared exactly at now is not flagged now). */
START_TEST(blocker_done_exactly_at_now_ends_the_link)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_flow_blocked *b = one_link(a, T0 + 4 * DAY, T0 + 4 * DAY);
    ck_assert_uint_eq(b->n_links, 1);
    ck_assert_int_eq(b->links[0].start, T0 + 2 * DAY);
    ck_assert_int_eq(b->links[0].end, T0 + 4 * DAY);
    ck_assert(!b->links[0].open);
    ck_assert(b->links[0].blocker_loaded);
    ck_assert_int_eq(b->link_ms, 2 * DAY);
    ck_assert_int_eq(b->blocked_ms, 2 * DAY);
    ck_assert(!b->blocked_now);
    biq_arena_free(a);
}
END_TEST

/* One millisecond earlier the blocker is not done yet: the link runs to
 * now (4d - 1 ms), open, and the item is blocked now. */
START_TEST(blocker_done_just_after_now_keeps_the_link_open)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_flow_blocked *b = one_link(a, T0 + 4 * DAY, T0 + 4 * DAY - 1);
    ck_assert_uint_eq(b->n_links, 1);
    ck_assert_int_eq(b->links[0].end, T0 + 4 * DAY - 1);
    ck_assert(b->links[0].open);
    ck_assert_int_eq(b->link_ms, 2 * DAY - 1);
    ck_assert(b->blocked_now);
    biq_arena_free(a);
}
END_TEST

/* Done 1 ms before now: [2d, 4d), closed, not blocked now; with now 2 days
 * later nothing more is counted. */
START_TEST(blocker_done_before_now_ends_the_link)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_flow_blocked *b = one_link(a, T0 + 4 * DAY, T0 + 6 * DAY);
    ck_assert_uint_eq(b->n_links, 1);
    ck_assert_int_eq(b->links[0].end, T0 + 4 * DAY);
    ck_assert(!b->links[0].open);
    ck_assert_int_eq(b->link_ms, 2 * DAY);
    ck_assert(!b->blocked_now);
    biq_arena_free(a);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("flow_mut_blocked");
    TCase *tc = tcase_create("blocked");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, blocker_done_exactly_at_now_ends_the_link);
    tcase_add_test(tc, blocker_done_just_after_now_keeps_the_link_open);
    tcase_add_test(tc, blocker_done_before_now_ends_the_link);
    suite_add_tcase(s, tc);
    return s;
}
