/* test_flow_mut_order.c - the project's status order (src/flow/order.c)
 * where the mutation run (scripts/mutate.py) found it unpinned: the
 * accessors one past the end, and building a flow (whose order is inferred
 * from the moves) at every arena size below what it needs: BIQ_ERR_NOMEM,
 * never a write through NULL. Expected values by hand. */
#include <string.h>

#include "common/arena.h"
#include "flow/flow.h"
#include "testsupport.h"
#include "tz/civil.h"

#define DAY BIQ_MS_PER_DAY
#define T0 (INT64_C(1514764800000)) /* 2018-01-01T00:00:00Z */

enum { TODO = 1, PROG = 2, QA = 3, DONE = 5 };

static const biq_status catalogue[] = {
    {TODO, "To Do", BIQ_CAT_NEW},
    {PROG, "In Progress", BIQ_CAT_ACTIVE},
    {QA, "QA", BIQ_CAT_ACTIVE},
    {DONE, "Done", BIQ_CAT_DONE},
};

static biq_transition tr(int64_t hist, biq_ms at, int64_t from, int64_t to)
{
    return (biq_transition){.history_id = hist, .at = at, .from_status = from, .to_status = to};
}

static biq_issue issue(int64_t id, const char *key, int64_t status, const biq_transition *t,
                       size_t n)
{
    return (biq_issue){.id = id, .key = key, .project_key = "A", .summary = key,
                       .status_id = status, .issue_type = "Story", .created = T0,
                       .updated = T0, .resolution_at = BIQ_MS_NONE, .transitions = t,
                       .n_transitions = n, .changelog_total = (int32_t)n,
                       .changelog_present = (int32_t)n};
}

/* A-1 To Do -> QA -> In Progress -> Done, A-2 To Do -> QA -> In Progress,
 * A-3 To Do -> QA: QA comes before In Progress (2 moves to 0), so the
 * inferred order is To Do, QA, In Progress, Done (the base order, by
 * category then name, would put In Progress before QA). */
static biq_err build(biq_arena *a, biq_flow **f)
{
    static biq_transition t1[3], t2[2], t3[1];
    static biq_issue is[3];
    t1[0] = tr(1, T0 + DAY, TODO, QA);
    t1[1] = tr(2, T0 + 2 * DAY, QA, PROG);
    t1[2] = tr(3, T0 + 3 * DAY, PROG, DONE);
    t2[0] = tr(4, T0 + DAY, TODO, QA);
    t2[1] = tr(5, T0 + 2 * DAY, QA, PROG);
    t3[0] = tr(6, T0 + DAY, TODO, QA);
    is[0] = issue(1, "A-1", DONE, t1, 3);
    is[1] = issue(2, "A-2", PROG, t2, 2);
    is[2] = issue(3, "A-3", QA, t3, 1);
    biq_flow_input in = {.issues = is, .n_issues = 3, .statuses = catalogue, .n_statuses = 4,
                         .now = T0 + 10 * DAY};
    return biq_flow_new(&in, a, f);
}

START_TEST(inferred_order_and_accessors_past_the_end)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_flow *f = NULL;
    ck_assert_int_eq(build(a, &f), BIQ_OK);
    ck_assert_int_eq(biq_flow_status_ordered(f, 0)->id, TODO);
    ck_assert_int_eq(biq_flow_status_ordered(f, 1)->id, QA);
    ck_assert_int_eq(biq_flow_status_ordered(f, 2)->id, PROG);
    ck_assert_int_eq(biq_flow_status_ordered(f, 3)->id, DONE);
    ck_assert_ptr_null(biq_flow_status_ordered(f, 4));
    ck_assert_ptr_null(biq_flow_status_ordered(f, (size_t)-1));
    ck_assert_uint_eq(biq_flow_column_count(f), 0);
    ck_assert_ptr_null(biq_flow_column_at(f, 0));
    biq_arena_free(a);
}
END_TEST

/* Below the size it needs, biq_flow_new fails with BIQ_ERR_NOMEM (a NULL
 * from any allocation, the order's among them, is caught); from some size
 * on it succeeds with the same order. */
START_TEST(flow_new_under_every_arena_limit)
{
    bool ok = false;
    for (size_t limit = 0; limit < (1u << 18) && !ok; limit += 8) {
        biq_arena *a = biq_arena_new(limit);
        ck_assert_ptr_nonnull(a);
        biq_flow *f = NULL;
        biq_err e = build(a, &f);
        ck_assert_msg(e == BIQ_OK || e == BIQ_ERR_NOMEM, "limit %zu: %d", limit, (int)e);
        if (e == BIQ_OK) {
            ok = true;
            ck_assert_int_eq(biq_flow_status_ordered(f, 1)->id, QA);
            ck_assert_int_eq(biq_flow_status_ordered(f, 2)->id, PROG);
        }
        biq_arena_free(a);
    }
    ck_assert(ok);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("flow_mut_order");
    TCase *tc = tcase_create("order");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, inferred_order_and_accessors_past_the_end);
    tcase_add_test(tc, flow_new_under_every_arena_limit);
    suite_add_tcase(s, tc);
    return s;
}
