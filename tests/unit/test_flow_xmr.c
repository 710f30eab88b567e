/* test_flow_xmr.c - XmR limits and signals (src/flow/xmr.c), the run charts
 * of a window (src/flow/runs.c) and the bottleneck's optional XmR input.
 * Expected values are computed by hand in the comments; each signal rule is
 * pinned at its boundary (8 vs 7 in a row, a point on the mean, 3 of 4 vs 2
 * of 4, a point exactly on a limit). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/arena.h"
#include "explain/explain.h"
#include "flow/flow.h"
#include "settings/settings.h"
#include "testsupport.h"
#include "tz/civil.h"

#define DAY BIQ_MS_PER_DAY
#define HOUR BIQ_MS_PER_HOUR
#define EPS 1e-9

enum { BACKLOG = 1, PROG = 2, REVIEW = 3, DONE = 5, MAX_TR = 4, MAX_ISSUES = 32 };

/* ------------------------------------------------------------- limits */

START_TEST(limits_hand_computed)
{
    /* mean 25/5 = 5; moving ranges 2 1 2 4: average 9/4 = 2.25; 2.66 x 2.25
     * = 5.985: upper 10.985, lower -0.985 (shown as 0); zone 2/3 x 5.985 =
     * 3.99: 8.99 and 1.01. */
    const double v[] = {4, 6, 5, 7, 3};
    biq_xmr_limits l;
    biq_xmr_limits_compute(v, 5, true, &l);
    ck_assert(l.has_limits);
    ck_assert_uint_eq(l.n, 5);
    ck_assert_double_eq_tol(l.mean, 5.0, EPS);
    ck_assert_double_eq_tol(l.avg_mr, 2.25, EPS);
    ck_assert_double_eq_tol(l.upper, 10.985, EPS);
    ck_assert_double_eq_tol(l.lower_raw, -0.985, EPS);
    ck_assert_double_eq(l.lower, 0.0);
    ck_assert_double_eq_tol(l.zone_upper, 8.99, EPS);
    ck_assert_double_eq_tol(l.zone_lower, 1.01, EPS);
    /* Without the clamp (a quantity that may be negative) the lower limit stays. */
    biq_xmr_limits_compute(v, 5, false, &l);
    ck_assert_double_eq_tol(l.lower, -0.985, EPS);
    /* A lower limit above 0 is never moved: 20 22 21 23 19 -> 21 - 5.985. */
    const double w[] = {20, 22, 21, 23, 19};
    biq_xmr_limits_compute(w, 5, true, &l);
    ck_assert_double_eq_tol(l.lower, 15.015, EPS);
}
END_TEST

START_TEST(too_few_points_have_no_limits)
{
    biq_xmr_limits l;
    uint8_t sig[1] = {0xff};
    biq_xmr_limits_compute(NULL, 0, true, &l);
    ck_assert(!l.has_limits);
    ck_assert_double_eq(l.mean, 0.0);
    const double one[] = {7};
    biq_xmr_limits_compute(one, 1, true, &l);
    ck_assert(!l.has_limits);
    ck_assert_double_eq(l.mean, 7.0);
    ck_assert_double_eq(l.upper, 7.0);
    biq_xmr_signals(one, 1, &l, sig);
    ck_assert_uint_eq(sig[0], 0);
}
END_TEST

START_TEST(point_on_a_limit_is_not_outside)
{
    const double base[] = {4, 6, 5, 7, 3};
    biq_xmr_limits l;
    biq_xmr_limits_compute(base, 5, false, &l);
    double probe[4] = {nextafter(l.upper, INFINITY), l.upper, l.lower, nextafter(l.lower, -INFINITY)};
    uint8_t sig[4];
    biq_xmr_signals(probe, 4, &l, sig);
    ck_assert_uint_eq(sig[0] & BIQ_XMR_OUTSIDE, BIQ_XMR_OUTSIDE);
    ck_assert_uint_eq(sig[1] & BIQ_XMR_OUTSIDE, 0);
    ck_assert_uint_eq(sig[2] & BIQ_XMR_OUTSIDE, 0);
    ck_assert_uint_eq(sig[3] & BIQ_XMR_OUTSIDE, BIQ_XMR_OUTSIDE);
    /* Clamped: 0 is on the shown lower limit, not below it. */
    biq_xmr_limits_compute(base, 5, true, &l);
    const double zero[] = {0};
    biq_xmr_signals(zero, 1, &l, sig);
    ck_assert_uint_eq(sig[0], 0);
}
END_TEST

/* Limits by hand, so that one rule is looked at alone: mean 10, zone lines
 * 14 and 6, limits far away. */
static const biq_xmr_limits HAND = {.n = 2, .has_limits = true, .mean = 10, .avg_mr = 1,
                                    .upper = 100, .lower = -100, .lower_raw = -100,
                                    .zone_upper = 14, .zone_lower = 6};

START_TEST(run_of_eight_vs_seven)
{
    uint8_t sig[10];
    const double eight[] = {9, 11, 11, 11, 11, 11, 11, 11, 11, 9};
    biq_xmr_signals(eight, 10, &HAND, sig);
    ck_assert_uint_eq(sig[0], 0);
    for (int i = 1; i <= 8; i++)
        ck_assert_uint_eq(sig[i], BIQ_XMR_RUN);
    ck_assert_uint_eq(sig[9], 0);
    const double seven[] = {9, 11, 11, 11, 11, 11, 11, 11, 9, 9};
    biq_xmr_signals(seven, 10, &HAND, sig);
    for (int i = 0; i < 10; i++)
        ck_assert_uint_eq(sig[i], 0);
    /* Below the mean counts the same way; nine in a row mark all nine. */
    const double below[] = {9, 9, 9, 9, 9, 9, 9, 9, 9};
    biq_xmr_signals(below, 9, &HAND, sig);
    for (int i = 0; i < 9; i++)
        ck_assert_uint_eq(sig[i], BIQ_XMR_RUN);
}
END_TEST

START_TEST(point_on_the_mean_breaks_a_run)
{
    uint8_t sig[9];
    const double v[] = {11, 11, 11, 11, 10, 11, 11, 11, 11};
    biq_xmr_signals(v, 9, &HAND, sig);
    for (int i = 0; i < 9; i++)
        ck_assert_uint_eq(sig[i], 0);
    /* Crossing to the other side breaks it as well. */
    const double w[] = {11, 11, 11, 11, 9, 11, 11, 11, 11};
    biq_xmr_signals(w, 9, &HAND, sig);
    for (int i = 0; i < 9; i++)
        ck_assert_uint_eq(sig[i], 0);
}
END_TEST

START_TEST(three_of_four_vs_two_of_four)
{
    uint8_t sig[4];
    const double three[] = {15, 15, 11, 15};
    biq_xmr_signals(three, 4, &HAND, sig);
    ck_assert_uint_eq(sig[0], BIQ_XMR_ZONE);
    ck_assert_uint_eq(sig[1], BIQ_XMR_ZONE);
    ck_assert_uint_eq(sig[2], 0);
    ck_assert_uint_eq(sig[3], BIQ_XMR_ZONE);
    const double two[] = {15, 11, 11, 15};
    biq_xmr_signals(two, 4, &HAND, sig);
    for (int i = 0; i < 4; i++)
        ck_assert_uint_eq(sig[i], 0);
    /* On the zone line is not beyond it. */
    const double on_line[] = {14, 15, 15, 11};
    biq_xmr_signals(on_line, 4, &HAND, sig);
    for (int i = 0; i < 4; i++)
        ck_assert_uint_eq(sig[i], 0);
    /* The three must be on one side: two above and one below is no signal. */
    const double split[] = {15, 15, 5, 11};
    biq_xmr_signals(split, 4, &HAND, sig);
    for (int i = 0; i < 4; i++)
        ck_assert_uint_eq(sig[i], 0);
    /* Below: 5 5 11 5. */
    const double low[] = {5, 5, 11, 5};
    biq_xmr_signals(low, 4, &HAND, sig);
    ck_assert_uint_eq(sig[0], BIQ_XMR_ZONE);
    ck_assert_uint_eq(sig[2], 0);
    ck_assert_uint_eq(sig[3], BIQ_XMR_ZONE);
    /* Three points are not four: no window, no signal. */
    biq_xmr_signals(three, 3, &HAND, sig);
    ck_assert_uint_eq(sig[0] | sig[1] | sig[2], 0);
}
END_TEST

/* Property: for any data the limits and zone lines contain the mean, and a
 * constant series has no signal at all. Deterministic pseudo-random data. */
START_TEST(limits_contain_the_mean)
{
    uint64_t x = 88172645463325252u;
    double v[64];
    uint8_t sig[64];
    for (int round = 0; round < 500; round++) {
        size_t n = (size_t)(round % 64);
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            v[i] = (double)(x % 2001) / 10.0 - (round % 2 ? 0.0 : 100.0);
        }
        biq_xmr_limits l;
        biq_xmr_limits_compute(v, n, round % 2 != 0, &l); /* clamp non-negative data only */
        ck_assert(l.lower <= l.mean && l.mean <= l.upper);
        ck_assert(l.zone_lower <= l.mean && l.mean <= l.zone_upper);
        ck_assert(l.lower_raw <= l.zone_lower && l.zone_upper <= l.upper);
        for (size_t i = 0; i < n; i++)
            v[i] = 42.5;
        biq_xmr_limits_compute(v, n, true, &l);
        biq_xmr_signals(v, n, &l, sig);
        for (size_t i = 0; i < n; i++)
            ck_assert_uint_eq(sig[i], 0);
    }
}
END_TEST

/* --------------------------------------------------------- on a flow */

static const biq_status catalogue[] = {
    {BACKLOG, "Backlog", BIQ_CAT_NEW},
    {PROG, "In Progress", BIQ_CAT_ACTIVE},
    {REVIEW, "Review", BIQ_CAT_ACTIVE},
    {DONE, "Done", BIQ_CAT_DONE},
};

typedef struct fixture {
    biq_issue issues[MAX_ISSUES];
    biq_transition tr[MAX_ISSUES][MAX_TR];
    char keys[MAX_ISSUES][16];
    size_t n;
    int64_t history;
} fixture;

/* An issue created at `created` in Backlog that moves to to[k] at at[k]. */
static void add(fixture *fx, biq_ms created, size_t n, const int64_t *to, const biq_ms *at)
{
    size_t i = fx->n++;
    int64_t from = BACKLOG;
    snprintf(fx->keys[i], sizeof fx->keys[i], "R-%zu", i + 1);
    for (size_t k = 0; k < n; k++) {
        fx->tr[i][k] = (biq_transition){.history_id = ++fx->history, .at = at[k],
                                        .from_status = from, .to_status = to[k]};
        from = to[k];
    }
    fx->issues[i] = (biq_issue){.id = (int64_t)i + 1, .key = fx->keys[i], .status_id = from,
                                .created = created, .issue_type = "Story",
                                .resolution_at = BIQ_MS_NONE, .transitions = fx->tr[i],
                                .n_transitions = n, .changelog_total = -1};
}

static void add_done(fixture *fx, biq_ms created, biq_ms started, biq_ms done)
{
    const int64_t to[] = {PROG, DONE};
    const biq_ms at[] = {started, done};
    add(fx, created, 2, to, at);
}

static biq_flow *make(fixture *fx, const biq_flow_settings *cfg, const biq_work_schedule *ws,
                      biq_ms now, biq_arena *a)
{
    biq_flow_input in = {.issues = fx->issues, .n_issues = fx->n, .statuses = catalogue,
                         .n_statuses = 4, .settings = cfg, .schedule = ws, .now = now};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    return f;
}

/* D0 = Sunday 2024-05-12; the window (D0 12:00, D0+10 18:00]: its whole
 * days are D0+1 (Monday) .. D0+9, the first and last days are partial. */
static int64_t d0(void)
{
    return biq_civil_days(2024, 5, 12);
}

static void small_project(fixture *fx)
{
    int64_t d = d0();
    memset(fx, 0, sizeof *fx);
    add_done(fx, (d + 1) * DAY + 8 * HOUR, (d + 2) * DAY + 9 * HOUR, (d + 4) * DAY + 9 * HOUR);
    add_done(fx, (d + 1) * DAY, (d + 3) * DAY, (d + 4) * DAY + 12 * HOUR);
    const int64_t c_to[] = {PROG};
    const biq_ms c_at[] = {(d + 5) * DAY + 6 * HOUR};
    add(fx, d * DAY, 1, c_to, c_at); /* C: in progress since D0+5 06:00 */
    add_done(fx, d * DAY, d * DAY + 1 * HOUR, d * DAY + 13 * HOUR); /* D: the partial first day */
    add_done(fx, (d + 9) * DAY, (d + 9) * DAY + 12 * HOUR, (d + 10) * DAY + 12 * HOUR); /* E */
}

static biq_flow_window window_of(int64_t d)
{
    return (biq_flow_window){.from = d * DAY + 12 * HOUR, .to = (d + 10) * DAY + 18 * HOUR,
                             .prev_from = (d - 10) * DAY + 6 * HOUR, .prev_to = d * DAY + 12 * HOUR};
}

static void assert_values(const biq_run_series *s, const double *want, size_t n)
{
    ck_assert_uint_eq(s->n_points, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_double_eq_tol(s->points[i].value, want[i], EPS);
}

START_TEST(series_on_a_small_flow)
{
    biq_arena *a = biq_arena_new(16u << 20);
    static fixture fx;
    small_project(&fx);
    int64_t d = d0();
    ck_assert_int_eq(biq_civil_weekday(d + 1), 0);
    biq_flow *flow = make(&fx, NULL, NULL, (d + 10) * DAY + 18 * HOUR, a);
    biq_flow_window w = window_of(d);
    biq_flow_runs *r = NULL;
    ck_assert_int_eq(biq_flow_runs_build(flow, &w, a, &r), BIQ_OK);
    ck_assert(!r->working_days);
    ck_assert_int_eq(r->first_day, d + 1);
    ck_assert_int_eq(r->last_day, d + 9);
    /* Throughput: A and B on D0+4; D (D0) and E (D0+10) fall on the partial
     * days left out. */
    const double tp[] = {0, 0, 0, 2, 0, 0, 0, 0, 0};
    const biq_run_series *s = &r->series[BIQ_RUN_THROUGHPUT_DAY];
    assert_values(s, tp, 9);
    ck_assert_int_eq(s->points[0].day, d + 1);
    ck_assert_int_eq(s->points[0].at, (d + 2) * DAY);
    /* mean 2/9; moving ranges 0 0 2 2 0 0 0 0: 4/8 = 0.5; upper 2/9 + 1.33 =
     * 1.5522: the 2 is outside; lower below 0: 0; no run (3 then 5 below),
     * no 3 of 4 (one point above the zone line 2/9 + 0.8867). */
    ck_assert_double_eq_tol(s->limits.mean, 2.0 / 9.0, EPS);
    ck_assert_double_eq_tol(s->limits.avg_mr, 0.5, EPS);
    ck_assert_double_eq_tol(s->limits.upper, 2.0 / 9.0 + 1.33, EPS);
    ck_assert_double_eq(s->limits.lower, 0.0);
    for (size_t i = 0; i < 9; i++)
        ck_assert_uint_eq(s->points[i].signals, i == 3 ? BIQ_XMR_OUTSIDE : 0);
    /* WIP at each day's end: A from D0+2 09:00, B from D0+3 00:00 (the
     * sample instant: in), both done on D0+4; C from D0+5 06:00; E from
     * D0+9 12:00. */
    const double wip[] = {0, 2, 2, 0, 1, 1, 1, 1, 2};
    assert_values(&r->series[BIQ_RUN_WIP_DAY], wip, 9);
    /* Ages (days) at each day's end: D0+2: A 15 h; D0+3: A 39 h + B 24 h =
     * 63 h; C 18 h, 42 h, 66 h, 90 h; D0+9: C 114 h + E 12 h = 126 h. */
    const double total[] = {0, 0.625, 2.625, 0, 0.75, 1.75, 2.75, 3.75, 5.25};
    const double avg[] = {0, 0.3125, 1.3125, 0, 0.75, 1.75, 2.75, 3.75, 2.625};
    assert_values(&r->series[BIQ_RUN_AGE_TOTAL], total, 9);
    assert_values(&r->series[BIQ_RUN_AGE_AVG], avg, 9);
    /* Cycle time in done order: D 12 h, A 48 h, B 36 h, E 24 h: the whole
     * window counts (no buckets, nothing partial). */
    const double ct[] = {0.5, 2.0, 1.5, 1.0};
    s = &r->series[BIQ_RUN_CYCLE_TIME];
    assert_values(s, ct, 4);
    ck_assert_str_eq(s->points[0].issue->issue->key, "R-4");
    ck_assert_str_eq(s->points[3].issue->issue->key, "R-5");
    ck_assert_double_eq_tol(s->limits.mean, 1.25, EPS);
    /* Weeks: only Monday D0+1 .. Sunday D0+7 is whole. */
    s = &r->series[BIQ_RUN_THROUGHPUT_WEEK];
    ck_assert_uint_eq(s->n_points, 1);
    ck_assert_int_eq(s->points[0].day, d + 1);
    ck_assert_double_eq(s->points[0].value, 2.0);
    ck_assert(!s->limits.has_limits);
    ck_assert_str_eq(biq_run_kind_name(BIQ_RUN_AGE_AVG), "ageAverage");
    ck_assert_str_eq(biq_run_kind_unit(BIQ_RUN_CYCLE_TIME), "days");
    ck_assert_str_eq(biq_run_kind_unit(BIQ_RUN_WIP_DAY), "items");
    biq_arena_free(a);
}
END_TEST

START_TEST(series_on_working_days)
{
    biq_arena *a = biq_arena_new(16u << 20);
    static fixture fx;
    small_project(&fx);
    int64_t d = d0();
    /* F: done on Saturday D0+6: counts on Friday D0+5. */
    add_done(&fx, (d + 6) * DAY, (d + 6) * DAY + 9 * HOUR, (d + 6) * DAY + 10 * HOUR);
    biq_work_schedule ws = {.working = true, .working_days = 0x1f, .day_start_min = 0,
                            .day_end_min = 24 * 60};
    biq_flow *flow = make(&fx, NULL, &ws, (d + 10) * DAY + 18 * HOUR, a);
    biq_flow_window w = window_of(d);
    biq_flow_runs *r = NULL;
    ck_assert_int_eq(biq_flow_runs_build(flow, &w, a, &r), BIQ_OK);
    ck_assert(r->working_days);
    const biq_run_series *s = &r->series[BIQ_RUN_THROUGHPUT_DAY];
    const double tp[] = {0, 0, 0, 2, 1, 0, 0}; /* Mon..Fri, Mon, Tue */
    assert_values(s, tp, 7);
    ck_assert_int_eq(s->points[5].day, d + 8);
    /* C's age in working time: Friday 18 h, then whole weekdays only. */
    const double wip[] = {0, 2, 2, 0, 1, 1, 2};
    const double total[] = {0, 0.625, 2.625, 0, 0.75, 1.75, 2.75 + 0.5};
    assert_values(&r->series[BIQ_RUN_WIP_DAY], wip, 7);
    assert_values(&r->series[BIQ_RUN_AGE_TOTAL], total, 7);
    /* The week still holds all seven calendar days' items. */
    ck_assert_double_eq(r->series[BIQ_RUN_THROUGHPUT_WEEK].points[0].value, 3.0);
    biq_arena_free(a);
}
END_TEST

START_TEST(series_limits_refused)
{
    biq_arena *a = biq_arena_new(16u << 20);
    static fixture fx;
    small_project(&fx);
    int64_t d = d0();
    biq_flow *flow = make(&fx, NULL, NULL, (d + 10) * DAY + 18 * HOUR, a);
    biq_flow_runs *r = NULL;
    biq_flow_window w = window_of(d);
    w.from = w.to + 1;
    ck_assert_int_eq(biq_flow_runs_build(flow, &w, a, &r), BIQ_ERR_INVALID);
    /* BIQ_FLOW_MAX_CHART_DAYS whole days pass, one more does not. */
    w = window_of(d);
    w.to = (d + 10) * DAY;
    w.from = w.to - (int64_t)BIQ_FLOW_MAX_CHART_DAYS * DAY;
    ck_assert_int_eq(biq_flow_runs_build(flow, &w, a, &r), BIQ_OK);
    ck_assert_int_eq(r->last_day - r->first_day + 1, BIQ_FLOW_MAX_CHART_DAYS);
    w.from -= DAY;
    ck_assert_int_eq(biq_flow_runs_build(flow, &w, a, &r), BIQ_ERR_LIMIT);
    /* A window starting exactly at a midnight has that day whole. */
    w = (biq_flow_window){.from = d * DAY, .to = (d + 3) * DAY};
    ck_assert_int_eq(biq_flow_runs_build(flow, &w, a, &r), BIQ_OK);
    ck_assert_int_eq(r->first_day, d);
    ck_assert_int_eq(r->last_day, d + 2);
    /* A window without a whole day: empty series, no limits. */
    w = (biq_flow_window){.from = d * DAY + HOUR, .to = d * DAY + 2 * HOUR};
    ck_assert_int_eq(biq_flow_runs_build(flow, &w, a, &r), BIQ_OK);
    ck_assert_uint_eq(r->series[BIQ_RUN_WIP_DAY].n_points, 0);
    ck_assert_uint_eq(r->series[BIQ_RUN_THROUGHPUT_WEEK].n_points, 0);
    ck_assert(!r->series[BIQ_RUN_WIP_DAY].limits.has_limits);
    biq_arena_free(a);
}
END_TEST

/* The CSV rows of the small project's run charts, byte for byte. */
START_TEST(runs_csv_lines)
{
    biq_arena *a = biq_arena_new(16u << 20);
    static fixture fx;
    small_project(&fx);
    int64_t d = d0();
    biq_flow *flow = make(&fx, NULL, NULL, (d + 10) * DAY + 18 * HOUR, a);
    biq_flow_window w = window_of(d);
    biq_flow_runs *r = NULL;
    ck_assert_int_eq(biq_flow_runs_build(flow, &w, a, &r), BIQ_OK);
    char line[BIQ_FLOW_CSV_LINE_MAX];
    size_t len = 0;
    ck_assert_int_eq(biq_flow_runs_csv_header(line, sizeof line, &len), BIQ_OK);
    ck_assert_str_eq(line, "series,unit,date,at,issue_key,value,mean,lower,upper,outside,run,zone\r\n");
    ck_assert_uint_eq(len, strlen(line));
    ck_assert_int_eq(biq_flow_runs_csv_header(line, len, &len), BIQ_ERR_TOO_LARGE);
    /* Day 4 (2024-05-16): 2 done, outside; mean 2/9, lower 0, upper 2/9 + 1.33. */
    ck_assert_int_eq(biq_flow_runs_csv_line(r, BIQ_RUN_THROUGHPUT_DAY, 3, line, sizeof line, &len),
                     BIQ_OK);
    ck_assert_str_eq(line, "throughputPerDay,items,2024-05-16,2024-05-17T00:00:00.000Z,,2,"
                           "0.2222222222,0,1.552222222,1,0,0\r\n");
    ck_assert_uint_eq(len, strlen(line));
    /* A line must fit with its NUL: one byte short is refused, not cut. */
    size_t need = len + 1;
    ck_assert_int_eq(biq_flow_runs_csv_line(r, BIQ_RUN_THROUGHPUT_DAY, 3, line, need - 1, &len),
                     BIQ_ERR_TOO_LARGE);
    ck_assert_int_eq(biq_flow_runs_csv_line(r, BIQ_RUN_THROUGHPUT_DAY, 3, line, need, &len),
                     BIQ_OK);
    /* Cycle time names the item; the week has one point: no limits (empty cells). */
    ck_assert_int_eq(biq_flow_runs_csv_line(r, BIQ_RUN_CYCLE_TIME, 0, line, sizeof line, &len),
                     BIQ_OK);
    /* mean (0.5 + 2 + 1.5 + 1) / 4 = 1.25; moving ranges 1.5 0.5 0.5: 5/6;
     * upper 1.25 + 2.66 x 5/6 = 3.4666..; lower below 0: 0. */
    ck_assert_str_eq(line, "cycleTime,days,2024-05-12,2024-05-12T13:00:00.000Z,\"R-4\",0.5,1.25,"
                           "0,3.466666667,0,0,0\r\n");
    ck_assert_int_eq(biq_flow_runs_csv_line(r, BIQ_RUN_THROUGHPUT_WEEK, 0, line, sizeof line, &len),
                     BIQ_OK);
    ck_assert_str_eq(line, "throughputPerWeek,items,2024-05-13,2024-05-20T00:00:00.000Z,,2,2,,,0,0,0\r\n");
    ck_assert_int_eq(biq_flow_runs_csv_line(r, BIQ_RUN_THROUGHPUT_WEEK, 1, line, sizeof line, &len),
                     BIQ_ERR_INVALID);
    /* A key too long for its cell is refused; a formula-looking one is defused. */
    static char long_key[BIQ_FLOW_CSV_LINE_MAX];
    memset(long_key, 'K', sizeof long_key - 1);
    biq_issue saved = *r->series[BIQ_RUN_CYCLE_TIME].points[0].issue->issue;
    biq_issue *is = (biq_issue *)r->series[BIQ_RUN_CYCLE_TIME].points[0].issue->issue;
    is->key = long_key;
    ck_assert_int_eq(biq_flow_runs_csv_line(r, BIQ_RUN_CYCLE_TIME, 0, line, sizeof line, &len),
                     BIQ_ERR_TOO_LARGE);
    is->key = "=1+\"2\"";
    ck_assert_int_eq(biq_flow_runs_csv_line(r, BIQ_RUN_CYCLE_TIME, 0, line, sizeof line, &len),
                     BIQ_OK);
    ck_assert_ptr_nonnull(strstr(line, ",\"'=1+\"\"2\"\"\",0.5,"));
    *is = saved;
    biq_arena_free(a);
}
END_TEST

/* ------------------------------------------------------ the bottleneck */

/* Review exits of the previous window take 2 4 3 5 1 hours (limits: mean
 * 3 h, average moving range 2.25 h, upper 3 + 5.985 = 8.985 h); the current
 * window's take 8 h and 9 h: one crossing. */
static void review_project(fixture *fx, int64_t d, int cur_hours_b)
{
    memset(fx, 0, sizeof *fx);
    const int prev_hours[] = {2, 4, 3, 5, 1};
    for (int i = 0; i < 5; i++) {
        biq_ms in = (d - 9 + i) * DAY;
        const int64_t to[] = {PROG, REVIEW, DONE};
        const biq_ms at[] = {in - HOUR, in, in + prev_hours[i] * HOUR};
        add(fx, in - 2 * HOUR, 3, to, at);
    }
    const int cur_hours[] = {8, cur_hours_b};
    for (int i = 0; i < 2; i++) {
        biq_ms in = (d + 2 + i) * DAY;
        const int64_t to[] = {PROG, REVIEW, DONE};
        const biq_ms at[] = {in - HOUR, in, in + cur_hours[i] * HOUR};
        add(fx, in - 2 * HOUR, 3, to, at);
    }
}

static const biq_flow_status_metrics *metrics_of(const biq_flow_report *r, int64_t id)
{
    for (size_t i = 0; i < r->n_statuses; i++)
        if (r->statuses[i].status->id == id)
            return &r->statuses[i];
    ck_abort_msg("status %lld not in the report", (long long)id);
    return NULL;
}

START_TEST(status_xmr_crossings)
{
    biq_arena *a = biq_arena_new(16u << 20);
    static fixture fx;
    int64_t d = d0();
    biq_flow_window w = {.from = d * DAY, .to = (d + 10) * DAY, .prev_from = (d - 10) * DAY,
                         .prev_to = d * DAY};
    biq_flow_settings cfg;
    biq_flow_settings_init(&cfg);
    ck_assert(!cfg.xmr_signal); /* off by default */
    cfg.xmr_signal = true;
    review_project(&fx, d, 9);
    biq_flow *flow = make(&fx, &cfg, NULL, (d + 10) * DAY, a);
    biq_flow_report *r = NULL;
    ck_assert_int_eq(biq_flow_report_build(flow, &w, a, &r), BIQ_OK);
    const biq_flow_status_metrics *m = metrics_of(r, REVIEW);
    ck_assert(m->has_xmr);
    ck_assert_double_eq_tol(m->xmr_upper_ms, 8.985 * HOUR, 1e-3);
    ck_assert_uint_eq(m->xmr_crossings, 1);
    /* 8 h 59 min is below 8.985 h (8 h 59.1 min): no crossing. */
    review_project(&fx, d, 8);
    fx.tr[6][2].at = fx.tr[6][1].at + 8 * HOUR + 59 * BIQ_MS_PER_MINUTE;
    flow = make(&fx, &cfg, NULL, (d + 10) * DAY, a);
    ck_assert_int_eq(biq_flow_report_build(flow, &w, a, &r), BIQ_OK);
    ck_assert_uint_eq(metrics_of(r, REVIEW)->xmr_crossings, 0);
    /* Every status gets its verdict, the first visit of an issue (Backlog,
     * 1 h each time) included: limits 1 h .. 1 h, no crossing. */
    ck_assert(metrics_of(r, BACKLOG)->has_xmr);
    ck_assert_double_eq(metrics_of(r, BACKLOG)->xmr_upper_ms, (double)HOUR);
    ck_assert_uint_eq(metrics_of(r, BACKLOG)->xmr_crossings, 0);
    /* Off: nothing is computed. */
    cfg.xmr_signal = false;
    review_project(&fx, d, 9);
    flow = make(&fx, &cfg, NULL, (d + 10) * DAY, a);
    ck_assert_int_eq(biq_flow_report_build(flow, &w, a, &r), BIQ_OK);
    ck_assert(!metrics_of(r, REVIEW)->has_xmr);
    biq_arena_free(a);
}
END_TEST

/* One candidate whose time ratio met T (score 2: below the minimum of 3)
 * and whose time in status crossed its upper limit. */
static void one_candidate(biq_flow_report *r, biq_flow_status_metrics *m,
                          biq_flow_status_info *st, const char *name, uint32_t crossings)
{
    *st = (biq_flow_status_info){.id = REVIEW, .name = name, .category = BIQ_CAT_ACTIVE,
                                 .role = BIQ_ROLE_ACTIVE, .used = true, .wip_limit = -1};
    *m = (biq_flow_status_metrics){.status = st, .has_xmr = true, .xmr_upper_ms = 10 * HOUR,
                                   .xmr_crossings = crossings};
    m->prev.time = (biq_flow_stats){.count = 4, .avg_ms = 10 * HOUR};
    m->cur.time = (biq_flow_stats){.count = 4, .avg_ms = 13 * HOUR};
    *r = (biq_flow_report){.statuses = m, .n_statuses = 1};
    r->window = (biq_flow_window){.from = 10 * DAY, .to = 20 * DAY, .prev_from = 0,
                                  .prev_to = 10 * DAY, .days = 10, .prev_days = 10};
}

START_TEST(bottleneck_off_changes_nothing_on_adds_the_reason)
{
    biq_flow_report r;
    biq_flow_status_metrics m;
    biq_flow_status_info st;
    biq_flow_settings cfg;
    biq_flow_settings_init(&cfg);
    one_candidate(&r, &m, &st, "Review", 2);
    biq_flow_bottleneck_compute(&cfg, &r);
    ck_assert_int_eq(r.bottleneck.state, BIQ_BN_HEALTHY);
    cfg.xmr_signal = true;
    biq_flow_bottleneck_compute(&cfg, &r);
    ck_assert_int_eq(r.bottleneck.state, BIQ_BN_FOUND);
    ck_assert_int_eq(r.bottleneck.score, 3);
    ck_assert_uint_eq(r.bottleneck.n_reasons, 2);
    ck_assert_str_eq(r.bottleneck.reasons[0], "Average time increased 30%");
    ck_assert_str_eq(r.bottleneck.reasons[1], "Time in Review crossed its upper process limit");
    ck_assert_ptr_nonnull(strstr(r.bottleneck.explanation, "crossed its upper process limit"));
    /* The AI wording reads only the ratio reasons: this one keeps the template. */
    biq_explain_input ein;
    ck_assert_int_eq(biq_explain_input_from_bottleneck(&r.bottleneck, &ein), BIQ_ERR_INVALID);
    /* No crossing: the setting adds nothing. */
    one_candidate(&r, &m, &st, "Review", 0);
    biq_flow_bottleneck_compute(&cfg, &r);
    ck_assert_int_eq(r.bottleneck.state, BIQ_BN_HEALTHY);
    /* All four inputs: four reasons, the XmR one last. */
    one_candidate(&r, &m, &st, "Review", 1);
    m.prev.wip_avg = 1.0;
    m.cur.wip_avg = 2.0;
    m.prev.throughput = 10;
    m.cur.throughput = 5;
    biq_flow_bottleneck_compute(&cfg, &r);
    ck_assert_int_eq(r.bottleneck.score, 5);
    ck_assert_uint_eq(r.bottleneck.n_reasons, BIQ_FLOW_MAX_REASONS);
    ck_assert_str_eq(r.bottleneck.reasons[3], "Time in Review crossed its upper process limit");
}
END_TEST

START_TEST(bottleneck_reason_fits_its_buffer)
{
    biq_flow_report r;
    biq_flow_status_metrics m;
    biq_flow_status_info st;
    biq_flow_settings cfg;
    biq_flow_settings_init(&cfg);
    cfg.xmr_signal = true;
    /* 55 bytes of name fit (8 + 55 + 32 + NUL = 96); 56 do not. */
    char name[64];
    memset(name, 'x', sizeof name);
    name[55] = '\0';
    one_candidate(&r, &m, &st, name, 1);
    biq_flow_bottleneck_compute(&cfg, &r);
    ck_assert_uint_eq(strlen(r.bottleneck.reasons[1]), BIQ_FLOW_REASON_MAX - 1);
    ck_assert_ptr_nonnull(strstr(r.bottleneck.reasons[1], name));
    name[55] = 'x';
    name[56] = '\0';
    one_candidate(&r, &m, &st, name, 1);
    biq_flow_bottleneck_compute(&cfg, &r);
    ck_assert_str_eq(r.bottleneck.reasons[1], "Time in status crossed its upper process limit");
}
END_TEST

/* The tenant setting: off by default (aiExplanations keeps its default on),
 * read into the flow settings only when true. */
START_TEST(setting_off_by_default)
{
    json_t *d = biq_settings_describe(false, NULL, 1);
    json_t *f = json_object_get(json_object_get(d, "fields"), "bottleneck.xmrSignal");
    ck_assert(json_is_false(json_object_get(f, "default")));
    ck_assert(json_is_false(json_object_get(f, "value")));
    f = json_object_get(json_object_get(d, "fields"), "aiExplanations");
    ck_assert(json_is_true(json_object_get(f, "default")));
    json_decref(d);
    biq_arena *a = biq_arena_new(1u << 20);
    biq_settings_flow_config cfg;
    char msg[BIQ_SETTINGS_MESSAGE_MAX];
    ck_assert_int_eq(biq_settings_flow_config_build(NULL, NULL, a, &cfg, msg, sizeof msg), BIQ_OK);
    ck_assert(!cfg.settings.xmr_signal);
    json_t *on = json_pack("{s:b}", "bottleneck.xmrSignal", 1);
    ck_assert_int_eq(biq_settings_flow_config_build(on, NULL, a, &cfg, msg, sizeof msg), BIQ_OK);
    ck_assert(cfg.settings.xmr_signal);
    json_object_set_new(on, "bottleneck.xmrSignal", json_false());
    ck_assert_int_eq(biq_settings_flow_config_build(on, NULL, a, &cfg, msg, sizeof msg), BIQ_OK);
    ck_assert(!cfg.settings.xmr_signal);
    json_decref(on);
    biq_arena_free(a);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("flow_xmr");
    TCase *tc = tcase_create("xmr");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, limits_hand_computed);
    tcase_add_test(tc, too_few_points_have_no_limits);
    tcase_add_test(tc, point_on_a_limit_is_not_outside);
    tcase_add_test(tc, run_of_eight_vs_seven);
    tcase_add_test(tc, point_on_the_mean_breaks_a_run);
    tcase_add_test(tc, three_of_four_vs_two_of_four);
    tcase_add_test(tc, limits_contain_the_mean);
    tcase_add_test(tc, series_on_a_small_flow);
    tcase_add_test(tc, series_on_working_days);
    tcase_add_test(tc, series_limits_refused);
    tcase_add_test(tc, runs_csv_lines);
    tcase_add_test(tc, status_xmr_crossings);
    tcase_add_test(tc, bottleneck_off_changes_nothing_on_adds_the_reason);
    tcase_add_test(tc, bottleneck_reason_fits_its_buffer);
    tcase_add_test(tc, setting_off_by_default);
    suite_add_tcase(s, tc);
    return s;
}
