/* runs.c - the run charts of a window: throughput per day and per week, WIP
 * per day, cycle time per finished item and the work item age of WIP per
 * day, each with its XmR limits and signals (xmr.c; docs/metrics.md, "Run
 * charts and process limits"). */
#include <stdlib.h>
#include <string.h>

#include "flow/flow_internal.h"
#include "tz/civil.h"

enum { DAYS_PER_WEEK = 7 };

static const char *const KIND_NAMES[BIQ_RUN__COUNT] = {
    [BIQ_RUN_THROUGHPUT_DAY] = "throughputPerDay", [BIQ_RUN_THROUGHPUT_WEEK] = "throughputPerWeek",
    [BIQ_RUN_WIP_DAY] = "wipPerDay",               [BIQ_RUN_CYCLE_TIME] = "cycleTime",
    [BIQ_RUN_AGE_TOTAL] = "ageTotal",              [BIQ_RUN_AGE_AVG] = "ageAverage",
};

const char *biq_run_kind_name(biq_run_kind k)
{
    return (unsigned)k < BIQ_RUN__COUNT ? KIND_NAMES[k] : "unknown";
}

const char *biq_run_kind_unit(biq_run_kind k)
{
    return k == BIQ_RUN_CYCLE_TIME || k == BIQ_RUN_AGE_TOTAL || k == BIQ_RUN_AGE_AVG ? "days"
                                                                                      : "items";
}

/* Scratch of the day series: one entry per point day. */
typedef struct day_acc {
    int64_t *day; /* the point days (working days when the schedule is on) */
    size_t n;
    uint32_t *done;   /* calendar count per day of [first, last] */
    uint32_t *wip;    /* per point day */
    long double *age; /* ms, per point day */
} day_acc;

static biq_run_point *series_alloc(biq_arena *arena, biq_run_series *s, biq_run_kind kind,
                                   size_t n)
{
    s->kind = kind;
    s->n_points = n;
    s->points = biq_arena_calloc(arena, n + 1, sizeof *s->points);
    return s->points;
}

/* Limits of the series' own points, then each point's signals. */
static biq_err finish_series(biq_run_series *s, biq_arena *arena)
{
    double *v = biq_arena_alloc(arena, (s->n_points + 1) * sizeof *v);
    uint8_t *sig = biq_arena_alloc(arena, s->n_points + 1);
    if (v == NULL || sig == NULL)
        return BIQ_ERR_NOMEM;
    for (size_t i = 0; i < s->n_points; i++)
        v[i] = s->points[i].value;
    biq_xmr_limits_compute(v, s->n_points, true, &s->limits);
    biq_xmr_signals(v, s->n_points, &s->limits, sig);
    for (size_t i = 0; i < s->n_points; i++)
        s->points[i].signals = sig[i];
    return BIQ_OK;
}

/* The whole local days inside (from, to]: a day is in when it starts at or
 * after from and ends at or before to. */
static void whole_days(const biq_flow *flow, const biq_flow_window *w, int64_t *first,
                       int64_t *last)
{
    *first = biq_tz_local_day(flow->tz, w->from);
    if (biq_tz_day_start(flow->tz, *first) < w->from)
        (*first)++;
    *last = biq_tz_local_day(flow->tz, w->to) - 1;
}

static biq_err acc_init(const biq_flow *flow, int64_t first, size_t days, biq_arena *arena,
                        day_acc *a)
{
    a->day = biq_arena_alloc(arena, (days + 1) * sizeof *a->day);
    a->done = biq_arena_calloc(arena, days + 1, sizeof *a->done);
    a->wip = biq_arena_calloc(arena, days + 1, sizeof *a->wip);
    a->age = biq_arena_calloc(arena, days + 1, sizeof *a->age);
    if (!a->day || !a->done || !a->wip || !a->age)
        return BIQ_ERR_NOMEM;
    a->n = 0;
    for (size_t i = 0; i < days; i++)
        if (biq_fl_sched_working_day(&flow->sched, first + (int64_t)i))
            a->day[a->n++] = first + (int64_t)i;
    return BIQ_OK;
}

/* Index of the first of sample[0..n) (ascending) at or after t; n when none. */
static size_t first_sample_at_or_after(const biq_ms *sample, size_t n, biq_ms t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sample[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Done per calendar day, and WIP and its age at each point day's end: one
 * pass over the issues, O(issues x days x log slices). */
static void count_days(const biq_flow *flow, int64_t first, size_t days, const biq_ms *sample,
                       day_acc *a)
{
    for (size_t i = 0; i < flow->n_issues; i++) {
        const biq_flow_issue_view *v = &flow->issues[i];
        if (v->done_at != BIQ_MS_NONE && v->done_at <= flow->now) {
            int64_t d = biq_tz_local_day(flow->tz, v->done_at) - first;
            if (d >= 0 && (size_t)d < days)
                a->done[d]++;
        }
        if (v->started_at == BIQ_MS_NONE)
            continue; /* never in an active status: never WIP */
        /* Only the samples in [started, done) can see it as WIP: from done_at
         * on it stays in a done status (that is what done_at means). */
        size_t lo = first_sample_at_or_after(sample, a->n, v->started_at);
        size_t hi = v->done_at == BIQ_MS_NONE ? a->n
                                              : first_sample_at_or_after(sample, a->n, v->done_at);
        for (size_t k = lo; k < hi; k++) {
            biq_ms t = sample[k];
            long st = biq_fl_status_at(v, t);
            if (st < 0 || v->started_at > t ||
                biq_flow_status_load(&flow->statuses[st]) != BIQ_LOAD_WIP)
                continue;
            a->wip[k]++;
            a->age[k] += (long double)biq_fl_sched_between(&flow->sched, v->started_at, t);
        }
    }
}

static biq_err day_series(const biq_flow *flow, biq_flow_runs *r, biq_arena *arena)
{
    size_t days = r->last_day >= r->first_day ? (size_t)(r->last_day - r->first_day + 1) : 0;
    day_acc a;
    biq_err err = acc_init(flow, r->first_day, days, arena, &a);
    biq_ms *sample = biq_arena_alloc(arena, (days + 1) * sizeof *sample);
    if (err != BIQ_OK || sample == NULL)
        return BIQ_ERR_NOMEM;
    for (size_t k = 0; k < a.n; k++)
        sample[k] = biq_tz_day_start(flow->tz, a.day[k] + 1);
    count_days(flow, r->first_day, days, sample, &a);
    biq_run_point *tp = series_alloc(arena, &r->series[BIQ_RUN_THROUGHPUT_DAY],
                                     BIQ_RUN_THROUGHPUT_DAY, a.n);
    biq_run_point *wp = series_alloc(arena, &r->series[BIQ_RUN_WIP_DAY], BIQ_RUN_WIP_DAY, a.n);
    biq_run_point *at = series_alloc(arena, &r->series[BIQ_RUN_AGE_TOTAL], BIQ_RUN_AGE_TOTAL, a.n);
    biq_run_point *av = series_alloc(arena, &r->series[BIQ_RUN_AGE_AVG], BIQ_RUN_AGE_AVG, a.n);
    if (!tp || !wp || !at || !av)
        return BIQ_ERR_NOMEM;
    /* A day off's done items count on the working day before it (the
     * first working day when none), as the forecast's basis counts them. */
    size_t k = 0;
    for (size_t i = 0; i < days; i++) {
        int64_t d = r->first_day + (int64_t)i;
        size_t to = k > 0 ? k - 1 : 0;
        if (k < a.n && a.day[k] == d)
            to = k++;
        if (a.n > 0)
            tp[to].value += a.done[i];
    }
    for (size_t p = 0; p < a.n; p++) {
        biq_run_point base = {.day = a.day[p], .at = sample[p]};
        tp[p].day = base.day;
        tp[p].at = base.at;
        wp[p] = base;
        wp[p].value = a.wip[p];
        at[p] = base;
        at[p].value = (double)(a.age[p] / BIQ_MS_PER_DAY);
        av[p] = base;
        av[p].value = a.wip[p] ? biq_flow_quotient(a.age[p], a.wip[p]) / BIQ_MS_PER_DAY : 0.0;
    }
    /* Weeks: whole Monday..Sunday weeks of calendar days. */
    int64_t monday = r->first_day + (DAYS_PER_WEEK - biq_civil_weekday(r->first_day)) % DAYS_PER_WEEK;
    size_t weeks = monday + DAYS_PER_WEEK - 1 <= r->last_day
                       ? (size_t)((r->last_day - monday + 1) / DAYS_PER_WEEK)
                       : 0;
    biq_run_point *wk = series_alloc(arena, &r->series[BIQ_RUN_THROUGHPUT_WEEK],
                                     BIQ_RUN_THROUGHPUT_WEEK, weeks);
    if (!wk)
        return BIQ_ERR_NOMEM;
    for (size_t i = 0; i < weeks; i++) {
        int64_t d0 = monday + (int64_t)i * DAYS_PER_WEEK;
        wk[i].day = d0;
        wk[i].at = biq_tz_day_start(flow->tz, d0 + DAYS_PER_WEEK);
        for (int64_t d = d0; d < d0 + DAYS_PER_WEEK; d++)
            wk[i].value += a.done[d - r->first_day];
    }
    return BIQ_OK;
}

static int cmp_done(const void *pa, const void *pb)
{
    const biq_run_point *a = pa, *b = pb;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    int64_t x = a->issue->issue->id, y = b->issue->issue->id;
    return (x > y) - (x < y);
}

static bool finished_in(const biq_flow *flow, const biq_flow_issue_view *v,
                        const biq_flow_window *w)
{
    return v->done_at != BIQ_MS_NONE && v->done_at <= flow->now && v->done_at > w->from &&
           v->done_at <= w->to && v->cycle_ms >= 0;
}

static biq_err cycle_series(const biq_flow *flow, biq_flow_runs *r, biq_arena *arena)
{
    size_t n = 0;
    for (size_t i = 0; i < flow->n_issues; i++)
        n += finished_in(flow, &flow->issues[i], &r->window);
    biq_run_point *p = series_alloc(arena, &r->series[BIQ_RUN_CYCLE_TIME], BIQ_RUN_CYCLE_TIME, n);
    if (p == NULL)
        return BIQ_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < flow->n_issues; i++) {
        const biq_flow_issue_view *v = &flow->issues[i];
        if (!finished_in(flow, v, &r->window))
            continue;
        p[k++] = (biq_run_point){.day = biq_tz_local_day(flow->tz, v->done_at),
                                 .at = v->done_at,
                                 .issue = v,
                                 .value = biq_fl_days(v->cycle_ms)};
    }
    qsort(p, n, sizeof *p, cmp_done);
    return BIQ_OK;
}

biq_err biq_flow_runs_build(const biq_flow *flow, const biq_flow_window *w, biq_arena *arena,
                            biq_flow_runs **out)
{
    if (flow == NULL || w == NULL || out == NULL || w->from > w->to)
        return BIQ_ERR_INVALID;
    biq_flow_runs *r = biq_arena_calloc(arena, 1, sizeof *r);
    if (r == NULL)
        return BIQ_ERR_NOMEM;
    r->window = *w;
    r->working_days = flow->sched.s != NULL;
    whole_days(flow, w, &r->first_day, &r->last_day);
    if (r->last_day >= r->first_day && r->last_day - r->first_day + 1 > BIQ_FLOW_MAX_CHART_DAYS)
        return BIQ_ERR_LIMIT;
    biq_err err = day_series(flow, r, arena);
    if (err == BIQ_OK)
        err = cycle_series(flow, r, arena);
    for (int k = 0; k < BIQ_RUN__COUNT && err == BIQ_OK; k++)
        err = finish_series(&r->series[k], arena);
    if (err == BIQ_OK)
        *out = r;
    return err;
}
