/* test_flow.c - hand-computed scenarios for slices, per-status and system
 * metrics, windows cutting slices and data-quality findings. */
#include <math.h>
#include <string.h>

#include "common/arena.h"
#include "flow/flow.h"
#include "testsupport.h"
#include "tz/civil.h"

#define H BIQ_MS_PER_HOUR
#define DAY BIQ_MS_PER_DAY
#define T0 (INT64_C(1514764800000)) /* 2018-01-01T00:00:00Z */

enum { BACKLOG = 1, PROG = 2, QA = 3, DONE = 5, WONT = 6, WAIT = 7 };

static const biq_status catalogue[] = {
    {BACKLOG, "Backlog", BIQ_CAT_NEW},   {PROG, "In Progress", BIQ_CAT_ACTIVE},
    {QA, "QA", BIQ_CAT_ACTIVE},          {DONE, "Done", BIQ_CAT_DONE},
    {WONT, "Won't Do", BIQ_CAT_DONE},    {WAIT, "Waiting for vendor", BIQ_CAT_ACTIVE},
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

static biq_flow *make_flow(biq_arena *a, const biq_issue *is, size_t n, biq_ms now)
{
    biq_flow_input in = {.issues = is, .n_issues = n, .statuses = catalogue,
                         .n_statuses = sizeof catalogue / sizeof catalogue[0], .now = now};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    return f;
}

static void assert_slice(const biq_flow_slice *s, int64_t status, biq_ms start, biq_ms end,
                         bool open)
{
    ck_assert_int_eq(s->status_id, status);
    ck_assert_int_eq(s->start, start);
    ck_assert_int_eq(s->end, end);
    ck_assert_int_eq(s->duration_ms, end - start);
    ck_assert_int_eq(s->open, open);
}

static const biq_flow_status_metrics *metrics_of(const biq_flow_report *r, int64_t id)
{
    for (size_t i = 0; i < r->n_statuses; i++)
        if (r->statuses[i].status->id == id)
            return &r->statuses[i];
    return NULL;
}

static size_t count_findings(const biq_flow *f, biq_dq_kind kind)
{
    size_t n = 0, c = 0;
    const biq_flow_finding *v = biq_flow_findings(f, &n);
    for (size_t i = 0; i < n; i++)
        c += v[i].kind == kind;
    return c;
}

static biq_flow_window custom(biq_ms from, biq_ms to)
{
    biq_window_spec spec = {.kind = BIQ_WIN_CUSTOM, .from = from, .to = to};
    biq_flow_window w;
    ck_assert_int_eq(biq_window_resolve(&spec, to, NULL, NULL, 0, &w), BIQ_OK);
    return w;
}

START_TEST(forward_flow)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_transition t[] = {tr(11, T0 + 3 * H, PROG, DONE), tr(10, T0 + 1 * H, BACKLOG, PROG)};
    biq_issue is = issue(1, "A-1", T0, DONE, t, 2);
    biq_flow *f = make_flow(a, &is, 1, T0 + 10 * H);
    const biq_flow_issue_view *v = biq_flow_issue_at(f, 0);
    ck_assert_uint_eq(v->n_slices, 3);
    assert_slice(&v->slices[0], BACKLOG, T0, T0 + H, false);
    assert_slice(&v->slices[1], PROG, T0 + H, T0 + 3 * H, false);
    assert_slice(&v->slices[2], DONE, T0 + 3 * H, T0 + 10 * H, true);
    ck_assert_int_eq(v->started_at, T0 + H);
    ck_assert_int_eq(v->done_at, T0 + 3 * H);
    ck_assert_int_eq(v->lead_ms, 3 * H);
    ck_assert_int_eq(v->cycle_ms, 2 * H);
    size_t nf;
    biq_flow_findings(f, &nf);
    ck_assert_uint_eq(nf, 0);
    biq_arena_free(a);
}
END_TEST

START_TEST(reentries_and_backward_moves)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_transition t[] = {
        tr(1, T0 + 1 * H, BACKLOG, PROG), tr(2, T0 + 2 * H, PROG, QA), tr(3, T0 + 4 * H, QA, PROG),
        tr(4, T0 + 5 * H, PROG, QA),      tr(5, T0 + 7 * H, QA, DONE),
    };
    biq_issue is = issue(1, "A-1", T0, DONE, t, 5);
    biq_flow *f = make_flow(a, &is, 1, T0 + 10 * H);
    const biq_flow_issue_view *v = biq_flow_issue_at(f, 0);
    ck_assert_uint_eq(v->n_slices, 6);
    assert_slice(&v->slices[3], PROG, T0 + 4 * H, T0 + 5 * H, false);
    biq_flow_window w = custom(T0, T0 + 10 * H);
    biq_flow_report *r = NULL;
    ck_assert_int_eq(biq_flow_report_build(f, &w, a, &r), BIQ_OK);
    const biq_flow_status_metrics *prog = metrics_of(r, PROG), *qa = metrics_of(r, QA);
    /* Every visit is a sample: In Progress 1 h + 1 h, QA 2 h + 2 h. */
    ck_assert_uint_eq(prog->cur.time.count, 2);
    ck_assert_double_eq(prog->cur.time.avg_ms, (double)H);
    ck_assert_uint_eq(prog->cur.throughput, 1); /* distinct issues */
    ck_assert_uint_eq(qa->cur.time.count, 2);
    ck_assert_double_eq(qa->cur.time.avg_ms, 2.0 * H);
    /* WIP: QA held the issue 4 h of the 10 h window. */
    ck_assert_double_eq_tol(qa->cur.wip_avg, 0.4, 1e-12);
    ck_assert_int_eq(biq_flow_issue_at(f, 0)->cycle_ms, 6 * H);
    biq_arena_free(a);
}
END_TEST

START_TEST(reopen_after_done)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_transition t1[] = {tr(1, T0 + H, BACKLOG, PROG), tr(2, T0 + 3 * H, PROG, DONE),
                           tr(3, T0 + 5 * H, DONE, PROG)};
    biq_transition t2[] = {tr(1, T0 + H, BACKLOG, PROG), tr(2, T0 + 3 * H, PROG, DONE),
                           tr(3, T0 + 5 * H, DONE, PROG), tr(4, T0 + 8 * H, PROG, DONE)};
    biq_issue is[] = {issue(1, "A-1", T0, PROG, t1, 3), issue(2, "A-2", T0, DONE, t2, 4)};
    biq_flow *f = make_flow(a, is, 2, T0 + 10 * H);
    const biq_flow_issue_view *reopened = biq_flow_issue_by_key(f, "A-1");
    ck_assert_int_eq(reopened->done_at, BIQ_MS_NONE);
    ck_assert_int_eq(reopened->lead_ms, -1);
    const biq_flow_issue_view *again = biq_flow_issue_by_key(f, "A-2");
    ck_assert_int_eq(again->done_at, T0 + 8 * H);
    ck_assert_int_eq(again->lead_ms, 8 * H);
    ck_assert_int_eq(again->cycle_ms, 7 * H); /* from the first start */
    biq_flow_window w = custom(T0, T0 + 10 * H);
    biq_flow_report *r = NULL;
    ck_assert_int_eq(biq_flow_report_build(f, &w, a, &r), BIQ_OK);
    ck_assert_uint_eq(r->cur.throughput, 1);
    biq_arena_free(a);
}
END_TEST

START_TEST(skipped_statuses_and_done_never_started)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_transition t[] = {tr(1, T0 + 2 * H, BACKLOG, DONE)};
    biq_issue is = issue(1, "A-1", T0, DONE, t, 1);
    biq_flow *f = make_flow(a, &is, 1, T0 + 10 * H);
    const biq_flow_issue_view *v = biq_flow_issue_at(f, 0);
    ck_assert_int_eq(v->started_at, BIQ_MS_NONE);
    ck_assert_int_eq(v->lead_ms, 2 * H);
    ck_assert_int_eq(v->cycle_ms, -1);
    ck_assert_uint_eq(count_findings(f, BIQ_DQ_DONE_NEVER_STARTED), 1);
    biq_flow_window w = custom(T0, T0 + 10 * H);
    biq_flow_report *r = NULL;
    ck_assert_int_eq(biq_flow_report_build(f, &w, a, &r), BIQ_OK);
    ck_assert_uint_eq(r->cur.lead.count, 1);
    ck_assert_uint_eq(r->cur.cycle.count, 0);
    biq_arena_free(a);
}
END_TEST

START_TEST(created_into_active_and_no_transitions)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_transition t[] = {tr(1, T0 + 4 * H, PROG, DONE)};
    biq_issue is[] = {issue(1, "A-1", T0, DONE, t, 1), issue(2, "A-2", T0 + H, QA, NULL, 0)};
    biq_flow *f = make_flow(a, is, 2, T0 + 10 * H);
    const biq_flow_issue_view *v = biq_flow_issue_by_key(f, "A-1");
    assert_slice(&v->slices[0], PROG, T0, T0 + 4 * H, false);
    ck_assert_int_eq(v->started_at, T0);
    ck_assert_int_eq(v->cycle_ms, 4 * H);
    const biq_flow_issue_view *w = biq_flow_issue_by_key(f, "A-2");
    ck_assert_uint_eq(w->n_slices, 1);
    assert_slice(&w->slices[0], QA, T0 + H, T0 + 10 * H, true);
    ck_assert_int_eq(w->started_at, T0 + H);
    biq_arena_free(a);
}
END_TEST

START_TEST(several_transitions_at_one_instant)
{
    biq_arena *a = biq_arena_new(1 << 20);
    /* One history with two items (given out of order), then another history
     * at the same instant: ordered by history id, then item index. */
    biq_transition t[] = {
        {.history_id = 10, .item_index = 1, .at = T0 + H, .from_status = PROG, .to_status = QA},
        {.history_id = 11, .item_index = 0, .at = T0 + H, .from_status = QA, .to_status = PROG},
        {.history_id = 10, .item_index = 0, .at = T0 + H, .from_status = BACKLOG, .to_status = PROG},
    };
    biq_issue is = issue(1, "A-1", T0, PROG, t, 3);
    biq_flow *f = make_flow(a, &is, 1, T0 + 5 * H);
    const biq_flow_issue_view *v = biq_flow_issue_at(f, 0);
    ck_assert_uint_eq(v->n_slices, 4);
    assert_slice(&v->slices[1], PROG, T0 + H, T0 + H, false);
    assert_slice(&v->slices[2], QA, T0 + H, T0 + H, false);
    assert_slice(&v->slices[3], PROG, T0 + H, T0 + 5 * H, true);
    ck_assert_uint_eq(count_findings(f, BIQ_DQ_FROM_MISMATCH), 0);
    biq_flow_window w = custom(T0, T0 + 5 * H);
    biq_flow_report *r = NULL;
    ck_assert_int_eq(biq_flow_report_build(f, &w, a, &r), BIQ_OK);
    /* Zero-length visits are not samples and do not count as leaving. */
    ck_assert_uint_eq(metrics_of(r, QA)->cur.time.count, 0);
    ck_assert_uint_eq(metrics_of(r, QA)->cur.throughput, 0);
    ck_assert_uint_eq(metrics_of(r, PROG)->cur.throughput, 0);
    ck_assert_uint_eq(metrics_of(r, PROG)->cur.wip_current, 1);
    ck_assert_uint_eq(metrics_of(r, QA)->cur.wip_current, 0);
    biq_arena_free(a);
}
END_TEST

START_TEST(out_of_order_and_from_mismatch)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_transition t[] = {
        tr(5, T0 - 2 * H, BACKLOG, QA),  /* before created: skipped */
        tr(6, T0 + 1 * H, BACKLOG, PROG),
        tr(7, T0 + 3 * H, QA, DONE),     /* `from` is not In Progress */
    };
    biq_issue is = issue(1, "A-1", T0, DONE, t, 3);
    is.changelog_total = 40;
    is.changelog_present = 3;
    biq_flow *f = make_flow(a, &is, 1, T0 + 5 * H);
    const biq_flow_issue_view *v = biq_flow_issue_at(f, 0);
    ck_assert_uint_eq(v->n_slices, 3);
    assert_slice(&v->slices[0], BACKLOG, T0, T0 + H, false);
    assert_slice(&v->slices[1], PROG, T0 + H, T0 + 3 * H, false);
    ck_assert_uint_eq(count_findings(f, BIQ_DQ_OUT_OF_ORDER), 1);
    ck_assert_uint_eq(count_findings(f, BIQ_DQ_FROM_MISMATCH), 1);
    ck_assert_uint_eq(count_findings(f, BIQ_DQ_TRUNCATED_HISTORY), 1);
    size_t n;
    const biq_flow_finding *fs = biq_flow_findings(f, &n);
    ck_assert_int_eq(fs[0].kind, BIQ_DQ_OUT_OF_ORDER);
    ck_assert_int_eq(fs[0].history_id, 5);
    ck_assert_int_eq(fs[1].expected_status, PROG);
    ck_assert_int_eq(fs[1].actual_status, QA);
    ck_assert_str_eq(biq_dq_kind_name(BIQ_DQ_TRUNCATED_HISTORY), "truncated_history");
    biq_arena_free(a);
}
END_TEST

START_TEST(unknown_status_and_mismatched_current)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_transition t[] = {{.history_id = 1, .at = T0 + H, .from_status = BACKLOG,
                           .to_status = 99, .to_name = "Triage"}};
    biq_issue is = issue(1, "A-1", T0, PROG, t, 1);
    biq_flow *f = make_flow(a, &is, 1, T0 + 5 * H);
    ck_assert_uint_eq(count_findings(f, BIQ_DQ_UNKNOWN_STATUS), 1);
    ck_assert_uint_eq(count_findings(f, BIQ_DQ_STATUS_MISMATCH), 1);
    const biq_flow_issue_view *v = biq_flow_issue_at(f, 0);
    ck_assert_int_eq(v->slices[1].status_id, 99);
    ck_assert_str_eq(biq_flow_status_at(f, v->slices[1].status_index)->name, "Triage");
    biq_arena_free(a);
}
END_TEST

START_TEST(window_cuts_slices)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_transition t1[] = {tr(1, T0 + 1 * H, BACKLOG, PROG), tr(2, T0 + 4 * H, PROG, QA)};
    biq_transition t2[] = {tr(1, T0 + 3 * H, BACKLOG, PROG)};
    biq_transition t3[] = {tr(1, T0 + 30 * 60000, BACKLOG, PROG), tr(2, T0 + 2 * H, PROG, QA)};
    biq_issue is[] = {issue(1, "A-1", T0, QA, t1, 2), issue(2, "A-2", T0, PROG, t2, 1),
                      issue(3, "A-3", T0, QA, t3, 2)};
    biq_flow *f = make_flow(a, is, 3, T0 + 10 * H);
    /* Window (2h, 6h]: A-1 in progress 2h-4h, A-2 3h-6h; A-3 left at 2h
     * exactly, which belongs to the window before. */
    biq_flow_window w = custom(T0 + 2 * H, T0 + 6 * H);
    ck_assert_int_eq(w.prev_from, T0 - 2 * H);
    ck_assert_int_eq(w.prev_to, T0 + 2 * H);
    biq_flow_report *r = NULL;
    ck_assert_int_eq(biq_flow_report_build(f, &w, a, &r), BIQ_OK);
    const biq_flow_status_metrics *prog = metrics_of(r, PROG);
    ck_assert_double_eq_tol(prog->cur.wip_avg, (2.0 + 3.0) / 4.0, 1e-12);
    ck_assert_uint_eq(prog->cur.time.count, 1);
    ck_assert_double_eq(prog->cur.time.avg_ms, 3.0 * H); /* the whole visit, not the overlap */
    ck_assert_uint_eq(prog->cur.throughput, 1);
    ck_assert_uint_eq(prog->cur.wip_current, 1);
    ck_assert_uint_eq(prog->prev.time.count, 1);
    ck_assert_double_eq(prog->prev.time.avg_ms, 1.5 * H);
    /* Previous window (-2h, 2h]: the issues existed from 0h. */
    ck_assert_double_eq_tol(prog->prev.wip_avg, (1.0 + 1.5) / 4.0, 1e-12);
    ck_assert_uint_eq(prog->prev.wip_current, 1);
    ck_assert_double_eq_tol(metrics_of(r, BACKLOG)->prev.wip_avg, (1.0 + 2.0 + 0.5) / 4.0, 1e-12);
    biq_arena_free(a);
}
END_TEST

START_TEST(system_lead_and_cycle_percentiles)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_transition t[5][2];
    biq_issue is[5];
    static const char *keys[] = {"A-1", "A-2", "A-3", "A-4", "A-5"};
    for (int i = 0; i < 5; i++) {
        t[i][0] = tr(1, T0 + H, BACKLOG, PROG);
        t[i][1] = tr(2, T0 + (2 + i) * DAY, PROG, DONE);
        is[i] = issue(i + 1, keys[i], T0, DONE, t[i], 2);
    }
    biq_flow *f = make_flow(a, is, 5, T0 + 10 * DAY);
    biq_flow_window w = custom(T0, T0 + 10 * DAY);
    biq_flow_report *r = NULL;
    ck_assert_int_eq(biq_flow_report_build(f, &w, a, &r), BIQ_OK);
    /* Lead times 2..6 days: P50 4, P85 rank 3.4 -> 5.4, P90 5.6, P95 5.8. */
    ck_assert_uint_eq(r->cur.throughput, 5);
    ck_assert_double_eq(r->cur.lead.avg_ms, 4.0 * DAY);
    ck_assert_double_eq_tol(r->cur.lead.p50_ms, 4.0 * DAY, 1e-3);
    ck_assert_double_eq_tol(r->cur.lead.p85_ms, 5.4 * DAY, 1e-3);
    ck_assert_double_eq_tol(r->cur.lead.p90_ms, 5.6 * DAY, 1e-3);
    ck_assert_double_eq_tol(r->cur.lead.p95_ms, 5.8 * DAY, 1e-3);
    ck_assert_double_eq_tol(r->cur.cycle.p50_ms, 4.0 * DAY - H, 1e-3);
    ck_assert_uint_eq(r->n_weeks, 2);
    ck_assert_uint_eq(r->per_week[0] + r->per_week[1], 5);
    ck_assert_uint_eq(r->per_week[0], 2); /* days 2,3 are in (0d, 3d] */
    biq_arena_free(a);
}
END_TEST

START_TEST(percentile_definition)
{
    int64_t one[] = {7};
    ck_assert_double_eq(biq_flow_percentile(one, 1, 0.9), 7.0);
    int64_t v[] = {10, 20, 30, 40};
    ck_assert_double_eq_tol(biq_flow_percentile(v, 4, 0.5), 25.0, 1e-12);
    ck_assert_double_eq_tol(biq_flow_percentile(v, 4, 0.9), 37.0, 1e-12);
    ck_assert_double_eq(biq_flow_percentile(v, 4, 0.0), 10.0);
    ck_assert_double_eq(biq_flow_percentile(v, 4, 1.0), 40.0);
    ck_assert_double_eq(biq_flow_percentile(v, 0, 0.5), 0.0);
    biq_flow_stats st;
    int64_t w[] = {5, 1, 3};
    biq_flow_stats_compute(w, 3, &st);
    ck_assert_uint_eq(st.count, 3);
    ck_assert_double_eq(st.avg_ms, 3.0);
    ck_assert_double_eq(st.p50_ms, 3.0);
}
END_TEST

START_TEST(roles_defaults_and_overrides)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_flow_status_role roles[] = {{.status_id = WAIT, .role = -1, .terminal = -1, .external = 1},
                                    {.status_id = QA, .role = BIQ_ROLE_DONE, .terminal = -1,
                                     .external = -1}};
    biq_flow_wip_limit limits[] = {{PROG, 4}};
    const char *excluded[] = {"epic"};
    biq_flow_settings s;
    biq_flow_settings_init(&s);
    s.roles = roles;
    s.n_roles = 2;
    s.wip_limits = limits;
    s.n_wip_limits = 1;
    s.excluded_types = excluded;
    s.n_excluded_types = 1;
    biq_issue is[] = {issue(1, "A-1", T0, WONT, NULL, 0), issue(2, "A-2", T0, PROG, NULL, 0)};
    is[1].issue_type = "Epic";
    biq_flow_input in = {.issues = is, .n_issues = 2, .statuses = catalogue,
                         .n_statuses = sizeof catalogue / sizeof catalogue[0],
                         .settings = &s, .now = T0 + H};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    ck_assert_uint_eq(biq_flow_issue_count(f), 1);
    for (size_t i = 0; i < biq_flow_status_count(f); i++) {
        const biq_flow_status_info *st = biq_flow_status_at(f, i);
        if (st->id == WONT)
            ck_assert(st->terminal && st->role == BIQ_ROLE_BACKLOG);
        if (st->id == DONE)
            ck_assert(st->terminal && st->role == BIQ_ROLE_DONE);
        if (st->id == WAIT)
            ck_assert(st->external && !st->terminal && st->role == BIQ_ROLE_ACTIVE);
        if (st->id == QA)
            ck_assert(st->terminal && st->role == BIQ_ROLE_DONE);
        if (st->id == PROG)
            ck_assert_int_eq(st->wip_limit, 4);
    }
    /* A cancelled issue is not done: no lead time, no throughput. */
    ck_assert_int_eq(biq_flow_issue_at(f, 0)->done_at, BIQ_MS_NONE);
    s.threshold_time = 0.99;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_ERR_INVALID);
    s.threshold_time = 10.0;
    s.threshold_throughput = -1.01;
    ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_ERR_INVALID);
    biq_arena_free(a);
}
END_TEST

START_TEST(arena_exhaustion_fails_cleanly)
{
    biq_transition t[] = {tr(1, T0 + H, BACKLOG, PROG), tr(2, T0 + 2 * H, PROG, DONE)};
    biq_issue is[] = {issue(1, "A-1", T0, DONE, t, 2), issue(2, "A-2", T0, BACKLOG, NULL, 0)};
    /* Every limit below what the computation needs fails with NOMEM. */
    for (size_t limit = 64; limit < 16384; limit += 64) {
        biq_arena *a = biq_arena_new(limit);
        biq_flow_input in = {.issues = is, .n_issues = 2, .statuses = catalogue,
                             .n_statuses = 6, .now = T0 + 5 * H};
        biq_flow *f = NULL;
        biq_err e = biq_flow_new(&in, a, &f);
        ck_assert(e == BIQ_OK || e == BIQ_ERR_NOMEM);
        if (e == BIQ_OK) {
            biq_flow_window w = custom(T0, T0 + 5 * H);
            biq_flow_report *r = NULL;
            e = biq_flow_report_build(f, &w, a, &r);
            ck_assert(e == BIQ_OK || e == BIQ_ERR_NOMEM);
        }
        biq_arena_free(a);
    }
}
END_TEST

START_TEST(backward_move_keeps_every_visit)
{
    /* docs/metrics.md: Build 3rd, QA 4th, Build 5th, QA 7th, Done 8th. */
    enum { BUILD = PROG };
    biq_arena *a = biq_arena_new(1 << 20);
    biq_transition t[] = {
        tr(1, T0 + 2 * DAY, BACKLOG, BUILD), tr(2, T0 + 3 * DAY, BUILD, QA),
        tr(3, T0 + 4 * DAY, QA, BUILD),      tr(4, T0 + 6 * DAY, BUILD, QA),
        tr(5, T0 + 7 * DAY, QA, DONE),
    };
    biq_issue is = issue(1, "A-1", T0, DONE, t, 5);
    biq_flow *f = make_flow(a, &is, 1, T0 + 9 * DAY);
    biq_flow_window w = custom(T0, T0 + 9 * DAY);
    biq_flow_report *r = NULL;
    ck_assert_int_eq(biq_flow_report_build(f, &w, a, &r), BIQ_OK);
    const biq_flow_status_metrics *build = metrics_of(r, BUILD), *qa = metrics_of(r, QA);
    ck_assert_uint_eq(build->cur.time.count, 2);
    ck_assert_double_eq(build->cur.time.avg_ms * 2, 3.0 * DAY);
    ck_assert_uint_eq(qa->cur.time.count, 2);
    ck_assert_double_eq(qa->cur.time.avg_ms * 2, 2.0 * DAY);
    ck_assert_uint_eq(build->cur.throughput, 1);
    ck_assert_uint_eq(qa->cur.throughput, 1);
    ck_assert_int_eq(biq_flow_issue_at(f, 0)->cycle_ms, 5 * DAY);
    biq_arena_free(a);
}
END_TEST

START_TEST(duplicates_and_input_order)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_transition t[] = {tr(1, T0 + H, BACKLOG, PROG), tr(1, T0 + H, BACKLOG, PROG),
                          tr(2, T0 + 2 * H, PROG, DONE)};
    biq_issue older = issue(7, "A-7", T0, PROG, t, 1);
    biq_issue newer = issue(7, "A-7", T0, DONE, t, 3);
    newer.updated = T0 + 2 * H;
    biq_issue other = issue(3, "A-3", T0, BACKLOG, NULL, 0);
    biq_issue is[] = {newer, other, older};
    biq_flow *f = make_flow(a, is, 3, T0 + 5 * H);
    ck_assert_uint_eq(biq_flow_issue_count(f), 2);
    ck_assert_str_eq(biq_flow_issue_at(f, 0)->issue->key, "A-3"); /* sorted by id */
    const biq_flow_issue_view *v = biq_flow_issue_at(f, 1);
    ck_assert_int_eq(v->done_at, T0 + 2 * H); /* the copy updated last */
    ck_assert_uint_eq(v->n_slices, 3);        /* the repeated changelog item is one event */
    ck_assert_uint_eq(count_findings(f, BIQ_DQ_DUPLICATE_ISSUE), 1);
    ck_assert_uint_eq(count_findings(f, BIQ_DQ_FROM_MISMATCH), 0);
    biq_flow_input bad = {.issues = is, .n_issues = 3, .now = BIQ_MS_NONE};
    ck_assert_int_eq(biq_flow_new(&bad, a, &f), BIQ_ERR_INVALID);
    biq_arena_free(a);
}
END_TEST

/* BIQ_FLOW_MAX_STATUSES distinct ids are accepted, one more is a limit
 * error; the ids are sorted however the input names them. */
START_TEST(status_count_limit)
{
    biq_arena *a = biq_arena_new(16 << 20);
    enum { N = BIQ_FLOW_MAX_STATUSES };
    biq_transition *t = biq_arena_calloc(a, N, sizeof *t);
    ck_assert_ptr_nonnull(t);
    /* One issue walking N-1 statuses backwards from id N+1 down to 3. */
    for (int64_t i = 0; i < N - 1; i++)
        t[i] = tr(i + 1, T0 + (i + 1) * H, N + 1 - i, N - i);
    biq_issue one = issue(1, "A-1", T0, 3, t, N - 2);
    biq_flow_input in = {.issues = &one, .n_issues = 1, .now = T0 + (int64_t)N * H};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK); /* ids N+1 .. 3: N-1 of them */
    ck_assert_int_eq(biq_flow_status_count(f), N - 1);
    for (size_t i = 1; i < biq_flow_status_count(f); i++)
        ck_assert_int_lt(biq_flow_status_at(f, i - 1)->id, biq_flow_status_at(f, i)->id);
    one = issue(1, "A-1", T0, 2, t, N - 1);                   /* ... and 2: N */
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    one.status_id = 1;                                        /* and 1: N + 1 */
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_ERR_LIMIT);
    biq_arena_free(a);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("flow");
    TCase *tc = tcase_create("flow");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, forward_flow);
    tcase_add_test(tc, reentries_and_backward_moves);
    tcase_add_test(tc, reopen_after_done);
    tcase_add_test(tc, skipped_statuses_and_done_never_started);
    tcase_add_test(tc, created_into_active_and_no_transitions);
    tcase_add_test(tc, several_transitions_at_one_instant);
    tcase_add_test(tc, out_of_order_and_from_mismatch);
    tcase_add_test(tc, unknown_status_and_mismatched_current);
    tcase_add_test(tc, window_cuts_slices);
    tcase_add_test(tc, system_lead_and_cycle_percentiles);
    tcase_add_test(tc, percentile_definition);
    tcase_add_test(tc, roles_defaults_and_overrides);
    tcase_add_test(tc, arena_exhaustion_fails_cleanly);
    tcase_add_test(tc, backward_move_keeps_every_visit);
    tcase_add_test(tc, duplicates_and_input_order);
    tcase_add_test(tc, status_count_limit);
    suite_add_tcase(s, tc);
    return s;
}
