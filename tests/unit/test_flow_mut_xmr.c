/* test_flow_mut_xmr.c - the bottleneck's XmR input (src/flow/xmr.c) where
 * the mutation run (scripts/mutate.py) found it unpinned: the previous
 * window's exits set the limits whatever the order of the items, here the
 * current window's items first (lower ids). Expected values by hand. */
#include <stdio.h>
#include <string.h>

#include "common/arena.h"
#include "flow/flow.h"
#include "testsupport.h"
#include "tz/civil.h"

#define DAY BIQ_MS_PER_DAY
#define HOUR BIQ_MS_PER_HOUR

enum { BACKLOG = 1, PROG = 2, REVIEW = 3, DONE = 5, N_ITEMS = 7 };

static const biq_status catalogue[] = {
    {BACKLOG, "Backlog", BIQ_CAT_NEW},
    {PROG, "In Progress", BIQ_CAT_ACTIVE},
    {REVIEW, "Review", BIQ_CAT_ACTIVE},
    {DONE, "Done", BIQ_CAT_DONE},
};

static biq_issue issues[N_ITEMS];
static biq_transition tr[N_ITEMS][3];
static char keys[N_ITEMS][16];

/* Item i enters Review at `in` (from Backlog at in - 2 h, In Progress at
 * in - 1 h) and leaves it for Done `hours` later. */
static void item(size_t i, biq_ms in, int hours)
{
    const int64_t to[] = {PROG, REVIEW, DONE};
    const biq_ms at[] = {in - HOUR, in, in + hours * HOUR};
    int64_t from = BACKLOG;
    snprintf(keys[i], sizeof keys[i], "X-%zu", i + 1);
    for (size_t k = 0; k < 3; k++) {
        tr[i][k] = (biq_transition){.history_id = (int64_t)(10 * i + k + 1), .at = at[k],
                                    .from_status = from, .to_status = to[k]};
        from = to[k];
    }
    issues[i] = (biq_issue){.id = (int64_t)i + 1, .key = keys[i], .status_id = DONE,
                            .created = in - 2 * HOUR, .issue_type = "Story",
                            .resolution_at = BIQ_MS_NONE, .transitions = tr[i],
                            .n_transitions = 3, .changelog_total = -1};
}

static const biq_flow_status_metrics *metrics_of(const biq_flow_report *r, int64_t id)
{
    for (size_t i = 0; i < r->n_statuses; i++)
        if (r->statuses[i].status->id == id)
            return &r->statuses[i];
    ck_abort_msg("status %lld not in the report", (long long)id);
    return NULL;
}

/* The current window (d, d + 10 days] holds X-1 and X-2 (8 h and 9 h in
 * Review); the previous one X-3 .. X-7 (2 4 3 5 1 h). Limits from the
 * previous window: mean 3 h, moving ranges 2 1 2 4 (average 2.25 h),
 * upper 3 + 2.66 x 2.25 = 8.985 h: 9 h crosses it, 8 h does not. Backlog
 * and In Progress: 1 h each time, limits 1 .. 1 h, nothing crosses. */
START_TEST(previous_window_sets_the_limits_whatever_the_item_order)
{
    biq_arena *a = biq_arena_new(16u << 20);
    int64_t d = biq_civil_days(2024, 5, 12);
    item(0, (d + 2) * DAY, 8);
    item(1, (d + 3) * DAY, 9);
    const int prev_hours[] = {2, 4, 3, 5, 1};
    for (size_t i = 0; i < 5; i++)
        item(2 + i, (d - 9 + (int64_t)i) * DAY, prev_hours[i]);
    biq_flow_settings cfg;
    biq_flow_settings_init(&cfg);
    cfg.xmr_signal = true;
    biq_flow_input in = {.issues = issues, .n_issues = N_ITEMS, .statuses = catalogue,
                         .n_statuses = 4, .settings = &cfg, .now = (d + 10) * DAY};
    biq_flow *flow = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &flow), BIQ_OK);
    biq_flow_window w = {.from = d * DAY, .to = (d + 10) * DAY, .prev_from = (d - 10) * DAY,
                         .prev_to = d * DAY};
    biq_flow_report *r = NULL;
    ck_assert_int_eq(biq_flow_report_build(flow, &w, a, &r), BIQ_OK);
    const biq_flow_status_metrics *m = metrics_of(r, REVIEW);
    ck_assert(m->has_xmr);
    ck_assert_double_eq_tol(m->xmr_upper_ms, 8.985 * HOUR, 1e-3);
    ck_assert_uint_eq(m->xmr_crossings, 1);
    for (int64_t id = BACKLOG; id <= PROG; id++) {
        m = metrics_of(r, id);
        ck_assert(m->has_xmr);
        ck_assert_double_eq(m->xmr_upper_ms, (double)HOUR);
        ck_assert_uint_eq(m->xmr_crossings, 0);
    }
    biq_arena_free(a);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("flow_mut_xmr");
    TCase *tc = tcase_create("xmr");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, previous_window_sets_the_limits_whatever_the_item_order);
    suite_add_tcase(s, tc);
    return s;
}
