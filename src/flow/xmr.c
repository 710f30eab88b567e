/* xmr.c - XmR (individuals and moving range) process behaviour limits and
 * the three signal rules (docs/metrics.md, "Run charts and process
 * limits"), and the bottleneck's optional XmR input: per status, whether
 * time in status crossed the upper limit its previous window set. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "flow/flow_internal.h"

void biq_xmr_limits_compute(const double *values, size_t n, bool clamp_zero, biq_xmr_limits *out)
{
    *out = (biq_xmr_limits){.n = n};
    if (n == 0)
        return;
    long double sum = 0, mr = 0;
    for (size_t i = 0; i < n; i++) {
        sum += values[i];
        if (i > 0)
            mr += fabsl((long double)values[i] - values[i - 1]);
    }
    out->mean = biq_flow_quotient(sum, (long double)n);
    out->upper = out->lower = out->lower_raw = out->mean;
    out->zone_upper = out->zone_lower = out->mean;
    if (n < BIQ_XMR_MIN_POINTS)
        return;
    out->has_limits = true;
    out->avg_mr = biq_flow_quotient(mr, (long double)(n - 1));
    double dist = BIQ_XMR_SCALE * out->avg_mr;
    out->upper = out->mean + dist;
    out->lower_raw = out->mean - dist;
    out->lower = clamp_zero && out->lower_raw < 0 ? 0.0 : out->lower_raw;
    out->zone_upper = out->mean + BIQ_XMR_ZONE_FRACTION * dist;
    out->zone_lower = out->mean - BIQ_XMR_ZONE_FRACTION * dist;
}

/* +1 above the mean, -1 below, 0 on it (a point on the mean is on neither
 * side: it breaks a run). */
static int side_of(double v, double mean)
{
    return (v > mean) - (v < mean);
}

static void mark_runs(const double *values, size_t n, const biq_xmr_limits *lim,
                      uint8_t *signals)
{
    size_t start = 0;
    for (size_t i = 1; i <= n; i++) {
        int s0 = side_of(values[start], lim->mean);
        if (i < n && s0 != 0 && side_of(values[i], lim->mean) == s0)
            continue;
        if (s0 != 0 && i - start >= BIQ_XMR_RUN_LENGTH)
            for (size_t k = start; k < i; k++)
                signals[k] |= BIQ_XMR_RUN;
        start = i;
    }
}

/* 3 of 4 consecutive points beyond one zone line: each such point of the
 * four is part of the signal. */
static void mark_zone(const double *values, size_t n, const biq_xmr_limits *lim,
                      uint8_t *signals)
{
    for (size_t i = 0; i + BIQ_XMR_ZONE_SPAN <= n; i++) {
        size_t hi = 0, lo = 0;
        for (size_t k = i; k < i + BIQ_XMR_ZONE_SPAN; k++) {
            hi += values[k] > lim->zone_upper;
            lo += values[k] < lim->zone_lower;
        }
        for (size_t k = i; k < i + BIQ_XMR_ZONE_SPAN; k++)
            if ((hi >= BIQ_XMR_ZONE_HITS && values[k] > lim->zone_upper) ||
                (lo >= BIQ_XMR_ZONE_HITS && values[k] < lim->zone_lower))
                signals[k] |= BIQ_XMR_ZONE;
    }
}

void biq_xmr_signals(const double *values, size_t n, const biq_xmr_limits *lim,
                     uint8_t *signals)
{
    if (n > 0)
        memset(signals, 0, n * sizeof *signals);
    if (!lim->has_limits)
        return;
    for (size_t i = 0; i < n; i++)
        if (values[i] > lim->upper || values[i] < lim->lower)
            signals[i] |= BIQ_XMR_OUTSIDE;
    mark_runs(values, n, lim, signals);
    mark_zone(values, n, lim, signals);
}

/* ------------------------------------------------- the bottleneck's input */

/* One time-in-status sample: a closed, non-empty visit ending in one of
 * the two windows. */
typedef struct exit_sample {
    uint32_t status;
    bool current;
    biq_ms end;
    size_t issue, slice;
    int64_t ms;
} exit_sample;

/* Status, then the previous window first, then exit order (instant, issue,
 * slice): the order the points are plotted in. */
static int cmp_exit(const void *pa, const void *pb)
{
    const exit_sample *a = pa, *b = pb;
    if (a->status != b->status)
        return a->status < b->status ? -1 : 1;
    if (a->current != b->current)
        return a->current ? 1 : -1;
    if (a->end != b->end)
        return a->end < b->end ? -1 : 1;
    if (a->issue != b->issue)
        return a->issue < b->issue ? -1 : 1;
    return (a->slice > b->slice) - (a->slice < b->slice);
}

static bool ends_in(biq_ms t, biq_ms from, biq_ms to)
{
    return t > from && t <= to;
}

/* Appends (or, with out NULL, counts) the samples of both windows. */
static size_t collect_exits(const biq_flow *flow, const biq_flow_window *w, exit_sample *out)
{
    size_t n = 0;
    for (size_t i = 0; i < flow->n_issues; i++) {
        const biq_flow_issue_view *v = &flow->issues[i];
        for (size_t j = 0; j < v->n_slices; j++) {
            const biq_flow_slice *s = &v->slices[j];
            if (s->open || s->end <= s->start)
                continue;
            bool cur = ends_in(s->end, w->from, w->to);
            if (!cur && !ends_in(s->end, w->prev_from, w->prev_to))
                continue;
            if (out != NULL)
                out[n] = (exit_sample){.status = s->status_index,
                                       .current = cur,
                                       .end = s->end,
                                       .issue = i,
                                       .slice = j,
                                       .ms = s->duration_ms};
            n++;
        }
    }
    return n;
}

/* The verdict for one status from its samples x[0..n) (previous window's
 * first n_prev). */
static void judge(const exit_sample *x, size_t n, double *scratch, biq_flow_status_metrics *m)
{
    size_t n_prev = 0;
    while (n_prev < n && !x[n_prev].current)
        n_prev++;
    for (size_t k = 0; k < n_prev; k++)
        scratch[k] = (double)x[k].ms;
    biq_xmr_limits lim;
    biq_xmr_limits_compute(scratch, n_prev, true, &lim);
    m->has_xmr = lim.has_limits;
    m->xmr_upper_ms = lim.upper;
    m->xmr_crossings = 0;
    if (!lim.has_limits)
        return;
    for (size_t k = n_prev; k < n; k++)
        m->xmr_crossings += (double)x[k].ms > lim.upper;
}

biq_err biq_flow_status_xmr(const biq_flow *flow, biq_flow_report *r, biq_arena *arena)
{
    size_t n = collect_exits(flow, &r->window, NULL);
    exit_sample *x = biq_arena_alloc(arena, (n + 1) * sizeof *x);
    double *scratch = biq_arena_alloc(arena, (n + 1) * sizeof *scratch);
    long *metric_of = biq_arena_alloc(arena, (flow->n_statuses + 1) * sizeof *metric_of);
    if (x == NULL || scratch == NULL || metric_of == NULL)
        return BIQ_ERR_NOMEM;
    collect_exits(flow, &r->window, x);
    qsort(x, n, sizeof *x, cmp_exit);
    for (size_t s = 0; s < flow->n_statuses; s++)
        metric_of[s] = -1;
    for (size_t i = 0; i < r->n_statuses; i++) {
        biq_flow_status_metrics *m = &r->statuses[i];
        m->has_xmr = false;
        m->xmr_upper_ms = 0;
        m->xmr_crossings = 0;
        metric_of[m->status - flow->statuses] = (long)i;
    }
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && x[j].status == x[i].status)
            j++;
        if (metric_of[x[i].status] >= 0)
            judge(x + i, j - i, scratch, &r->statuses[metric_of[x[i].status]]);
        i = j;
    }
    return BIQ_OK;
}
