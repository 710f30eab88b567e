/* test_flow_alerts.c - alert rules: per-ticket rules see only work in
 * flight, thresholds are met at equality, WIP breaches must hold for the
 * whole period. */
#include "common/arena.h"
#include "flow/alerts.h"
#include "flow/flow.h"
#include "testsupport.h"
#include "tz/civil.h"

#define DAY BIQ_MS_PER_DAY
#define T0 (INT64_C(1514764800000)) /* 2018-01-01T00:00:00Z */
#define NOW (T0 + 10 * DAY)

enum { BACKLOG = 1, PROG = 2, QA = 3, DONE = 5, WONT = 6 };

static const biq_status catalogue[] = {
    {BACKLOG, "Backlog", BIQ_CAT_NEW}, {PROG, "In Progress", BIQ_CAT_ACTIVE},
    {QA, "QA", BIQ_CAT_ACTIVE},        {DONE, "Done", BIQ_CAT_DONE},
    {WONT, "Won't Do", BIQ_CAT_DONE},
};

static biq_transition tr(int64_t hist, biq_ms at, int64_t from, int64_t to)
{
    return (biq_transition){.history_id = hist, .at = at, .from_status = from, .to_status = to};
}

typedef struct world {
    biq_transition t1[1], t2[2], t3[2], t5[2], t6[1];
    biq_issue is[6];
} world;

static biq_issue mk(int64_t id, const char *key, biq_ms created, int64_t status,
                    const biq_transition *t, size_t n)
{
    return (biq_issue){.id = id, .key = key, .status_id = status, .created = created,
                       .updated = created, .transitions = t, .n_transitions = n,
                       .changelog_total = -1};
}

static biq_flow *build(world *w, biq_arena *a)
{
    w->t1[0] = tr(1, T0 + 2 * DAY, BACKLOG, PROG);
    w->t2[0] = tr(2, T0 + DAY, BACKLOG, PROG);
    w->t2[1] = tr(3, T0 + 5 * DAY, PROG, DONE);
    w->t3[0] = tr(4, T0 + DAY, BACKLOG, PROG);
    w->t3[1] = tr(5, T0 + 2 * DAY, PROG, WONT);
    w->t5[0] = tr(6, T0 + DAY, BACKLOG, PROG);
    w->t5[1] = tr(7, T0 + 9 * DAY, PROG, QA);
    w->t6[0] = tr(8, T0 + 7 * DAY, BACKLOG, PROG);
    w->is[0] = mk(1, "A-1", T0, PROG, w->t1, 1);
    w->is[1] = mk(2, "A-2", T0, DONE, w->t2, 2);
    w->is[2] = mk(3, "A-3", T0, WONT, w->t3, 2);
    w->is[3] = mk(4, "A-4", T0 + 9 * DAY, BACKLOG, NULL, 0);
    w->is[3].updated = T0 + 9 * DAY + DAY / 2;
    w->is[4] = mk(5, "A-5", T0, QA, w->t5, 2);
    w->is[5] = mk(6, "A-6", T0, PROG, w->t6, 1);
    static const biq_flow_wip_limit limit = {PROG, 1};
    static biq_flow_settings cfg;
    biq_flow_settings_init(&cfg);
    cfg.wip_limits = &limit;
    cfg.n_wip_limits = 1;
    biq_flow_input in = {.issues = w->is, .n_issues = 6, .statuses = catalogue, .n_statuses = 5,
                         .settings = &cfg, .now = NOW};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    return f;
}

static size_t eval(biq_flow *f, biq_arena *a, biq_alert_rule r, biq_alert_hit **hits)
{
    size_t n = 99;
    ck_assert_int_eq(biq_flow_alerts_evaluate(f, &r, 1, a, hits, &n), BIQ_OK);
    return n;
}

START_TEST(per_ticket_rules)
{
    biq_arena *a = biq_arena_new(1 << 20);
    world w;
    biq_flow *f = build(&w, a);
    biq_alert_hit *h = NULL;
    /* Stuck in In Progress >= 24 h: A-1 (8 d) and A-6 (3 d); never the done A-2. */
    ck_assert_uint_eq(eval(f, a, (biq_alert_rule){1, BIQ_ALERT_STUCK, PROG, DAY}, &h), 2);
    ck_assert_str_eq(h[0].issue->issue->key, "A-1");
    ck_assert_int_eq(h[0].value_ms, 8 * DAY);
    ck_assert_int_eq(h[0].utc_day, biq_civil_days(2018, 1, 11));
    ck_assert_int_eq(h[0].rule_id, 1);
    /* Threshold met at equality, missed by a millisecond. */
    ck_assert_uint_eq(eval(f, a, (biq_alert_rule){2, BIQ_ALERT_STUCK, 0, 8 * DAY}, &h), 1);
    ck_assert_uint_eq(eval(f, a, (biq_alert_rule){2, BIQ_ALERT_STUCK, 0, 8 * DAY + 1}, &h), 0);
    /* Cycle time so far: A-5 9 d, A-1 8 d; A-3 is terminal (Won't Do). */
    ck_assert_uint_eq(eval(f, a, (biq_alert_rule){3, BIQ_ALERT_CYCLE_EXCEEDED, 0, 8 * DAY}, &h), 2);
    ck_assert_uint_eq(eval(f, a, (biq_alert_rule){3, BIQ_ALERT_CYCLE_EXCEEDED, 0, 9 * DAY}, &h), 1);
    ck_assert_str_eq(h[0].issue->issue->key, "A-5");
    /* No activity: A-4's update half a day ago counts as activity. */
    ck_assert_uint_eq(eval(f, a, (biq_alert_rule){4, BIQ_ALERT_NO_ACTIVITY, 0, DAY / 2}, &h), 4);
    ck_assert_uint_eq(eval(f, a, (biq_alert_rule){4, BIQ_ALERT_NO_ACTIVITY, 0, DAY / 2 + 1}, &h), 3);
    ck_assert_str_eq(biq_alert_kind_name(BIQ_ALERT_NO_ACTIVITY), "no_activity");
    biq_arena_free(a);
}
END_TEST

START_TEST(wip_breach_must_be_sustained)
{
    biq_arena *a = biq_arena_new(1 << 20);
    world w;
    biq_flow *f = build(&w, a);
    biq_alert_hit *h = NULL;
    /* In Progress (limit 1): 2 from day 2, 3 from day 7, 2 from day 9. */
    ck_assert_uint_eq(eval(f, a, (biq_alert_rule){5, BIQ_ALERT_WIP_BREACH, PROG, 2 * DAY}, &h), 1);
    ck_assert_uint_eq(h[0].count, 2);
    ck_assert_int_eq(h[0].status->id, PROG);
    ck_assert_uint_eq(eval(f, a, (biq_alert_rule){5, BIQ_ALERT_WIP_BREACH, PROG, 8 * DAY}, &h), 1);
    /* From day 1.5; at day 2 A-3 leaves as A-1 comes: never under 2. */
    ck_assert_uint_eq(eval(f, a, (biq_alert_rule){5, BIQ_ALERT_WIP_BREACH, PROG, 8 * DAY + DAY / 2}, &h), 1);
    ck_assert_uint_eq(eval(f, a, (biq_alert_rule){5, BIQ_ALERT_WIP_BREACH, PROG, 9 * DAY + DAY / 2}, &h), 0);
    size_t n = 0;
    biq_alert_rule bad = {6, BIQ_ALERT_WIP_BREACH, QA, DAY}; /* QA has no limit */
    ck_assert_int_eq(biq_flow_alerts_evaluate(f, &bad, 1, a, &h, &n), BIQ_ERR_INVALID);
    bad = (biq_alert_rule){7, BIQ_ALERT_STUCK, 0, 0};
    ck_assert_int_eq(biq_flow_alerts_evaluate(f, &bad, 1, a, &h, &n), BIQ_ERR_INVALID);
    ck_assert_int_eq(biq_flow_alerts_evaluate(f, NULL, 0, a, &h, &n), BIQ_OK);
    ck_assert_uint_eq(n, 0);
    biq_arena_free(a);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("flow_alerts");
    TCase *tc = tcase_create("alerts");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, per_ticket_rules);
    tcase_add_test(tc, wip_breach_must_be_sustained);
    suite_add_tcase(s, tc);
    return s;
}
