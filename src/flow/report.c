/* report.c - per-status metrics (time in status, throughput, WIP) and system
 * metrics (throughput, lead and cycle time) for a window and the window
 * before it; then the bottleneck and the trends over them. */
#include <stdlib.h>
#include <string.h>

#include "flow/flow_internal.h"
#include "tz/civil.h"

#define WEEK_MS (7 * BIQ_MS_PER_DAY)

/* Scratch per status for one window. */
typedef struct acc {
    int64_t **samples; /* per status */
    size_t *n;
    size_t *last_issue; /* issue index + 1 that last counted for throughput */
    long double *overlap;
} acc;

static bool ends_in(biq_ms t, biq_ms from, biq_ms to)
{
    return t > from && t <= to;
}

/* A visit is a sample when it is closed and has length: several transitions
 * at one instant leave zero-length slices that are not stays. */
static bool is_sample(const biq_flow_slice *s, biq_ms from, biq_ms to)
{
    return !s->open && s->end > s->start && ends_in(s->end, from, to);
}

static biq_err acc_init(const biq_flow *flow, biq_ms from, biq_ms to, biq_arena *arena, acc *a)
{
    size_t ns = flow->n_statuses + 1;
    a->samples = biq_arena_calloc(arena, ns, sizeof *a->samples);
    a->n = biq_arena_calloc(arena, ns, sizeof *a->n);
    a->last_issue = biq_arena_calloc(arena, ns, sizeof *a->last_issue);
    a->overlap = biq_arena_calloc(arena, ns, sizeof *a->overlap);
    if (!a->samples || !a->n || !a->last_issue || !a->overlap)
        return BIQ_ERR_NOMEM;
    for (size_t i = 0; i < flow->n_issues; i++) /* count, then allocate exactly */
        for (size_t j = 0; j < flow->issues[i].n_slices; j++)
            if (is_sample(&flow->issues[i].slices[j], from, to))
                a->n[flow->issues[i].slices[j].status_index]++;
    for (size_t s = 0; s < flow->n_statuses; s++) {
        if (!(a->samples[s] = biq_arena_alloc(arena, (a->n[s] + 1) * sizeof **a->samples)))
            return BIQ_ERR_NOMEM;
        a->n[s] = 0;
    }
    return BIQ_OK;
}

static void accumulate_issue(const biq_flow *flow, size_t i, biq_ms from, biq_ms to, acc *a,
                             uint32_t *throughput)
{
    const biq_flow_issue_view *v = &flow->issues[i];
    for (size_t j = 0; j < v->n_slices; j++) {
        const biq_flow_slice *s = &v->slices[j];
        uint32_t st = s->status_index;
        if (is_sample(s, from, to)) {
            a->samples[st][a->n[st]++] = s->duration_ms;
            if (a->last_issue[st] != i + 1) {
                a->last_issue[st] = i + 1;
                throughput[st]++;
            }
        }
        biq_ms lo = biq_fl_max(s->start, from), hi = biq_fl_min(s->end, to);
        if (hi > lo)
            a->overlap[st] += (long double)biq_fl_sched_between(&flow->sched, lo, hi);
    }
}

/* Fills the `cur` or `prev` figures of every status for (from, to]. */
static biq_err status_window(const biq_flow *flow, biq_ms from, biq_ms to, biq_arena *arena,
                             biq_flow_status_window *out /* n_statuses, by status index */)
{
    biq_err err;
    acc a;
    uint32_t *throughput = biq_arena_calloc(arena, flow->n_statuses + 1, sizeof *throughput);
    if (!throughput) {
        err = BIQ_ERR_NOMEM;
        goto out;
    }
    if ((err = acc_init(flow, from, to, arena, &a)) != BIQ_OK)
        goto out;
    for (size_t i = 0; i < flow->n_issues; i++) {
        accumulate_issue(flow, i, from, to, &a, throughput);
        long st = biq_fl_status_at(&flow->issues[i], to);
        if (st >= 0)
            out[st].wip_current++;
    }
    int64_t len = biq_fl_sched_between(&flow->sched, from, to);
    for (size_t s = 0; s < flow->n_statuses; s++) {
        biq_flow_stats_compute(a.samples[s], a.n[s], &out[s].time);
        out[s].throughput = throughput[s];
        out[s].wip_avg = len > 0 ? biq_flow_quotient(a.overlap[s], (long double)len) : 0.0;
    }
out:
    return err;
}

static biq_err system_window(const biq_flow *flow, biq_ms from, biq_ms to, biq_arena *arena,
                             biq_flow_system *out)
{
    int64_t *lead = biq_arena_alloc(arena, (flow->n_issues + 1) * sizeof *lead);
    int64_t *cycle = biq_arena_alloc(arena, (flow->n_issues + 1) * sizeof *cycle);
    size_t nl = 0, nc = 0;
    if (!lead || !cycle)
        return BIQ_ERR_NOMEM;
    for (size_t i = 0; i < flow->n_issues; i++) {
        const biq_flow_issue_view *v = &flow->issues[i];
        if (v->done_at == BIQ_MS_NONE || v->outcome_excluded || !ends_in(v->done_at, from, to))
            continue;
        lead[nl++] = v->lead_ms;
        if (v->cycle_ms >= 0)
            cycle[nc++] = v->cycle_ms;
    }
    out->throughput = (uint32_t)nl;
    biq_flow_stats_compute(lead, nl, &out->lead);
    biq_flow_stats_compute(cycle, nc, &out->cycle);
    return BIQ_OK;
}

/* The project's status order (order.c). */
static int cmp_metrics(const void *pa, const void *pb)
{
    return biq_flow_status_order_cmp(((const biq_flow_status_metrics *)pa)->status,
                                     ((const biq_flow_status_metrics *)pb)->status);
}

static biq_err per_week(const biq_flow *flow, biq_flow_report *r, biq_arena *arena)
{
    const biq_flow_window *w = &r->window;
    size_t n = (size_t)((w->to - w->from + WEEK_MS - 1) / WEEK_MS);
    n = n ? n : 1;
    if (!(r->per_week = biq_arena_calloc(arena, n, sizeof *r->per_week)))
        return BIQ_ERR_NOMEM;
    r->n_weeks = n;
    for (size_t i = 0; i < flow->n_issues; i++) {
        biq_ms d = flow->issues[i].done_at;
        if (d == BIQ_MS_NONE || flow->issues[i].outcome_excluded || !ends_in(d, w->from, w->to))
            continue;
        size_t back = (size_t)((w->to - d) / WEEK_MS);
        if (back < n)
            r->per_week[n - 1 - back]++;
    }
    return BIQ_OK;
}

static biq_err build_statuses(const biq_flow *flow, biq_flow_report *r, biq_arena *arena)
{
    biq_err err;
    const biq_flow_window *w = &r->window;
    size_t ns = flow->n_statuses + 1;
    biq_flow_status_window *cur = biq_arena_calloc(arena, ns, sizeof *cur);
    biq_flow_status_window *prev = biq_arena_calloc(arena, ns, sizeof *prev);
    r->statuses = biq_arena_calloc(arena, ns, sizeof *r->statuses);
    if (!cur || !prev || !r->statuses) {
        err = BIQ_ERR_NOMEM;
        goto out;
    }
    if ((err = status_window(flow, w->from, w->to, arena, cur)) != BIQ_OK ||
        (err = status_window(flow, w->prev_from, w->prev_to, arena, prev)) != BIQ_OK)
        goto out;
    size_t closed = 0;
    for (size_t s = 0; s < flow->n_statuses; s++) {
        closed += cur[s].time.count;
        if (!flow->statuses[s].used)
            continue;
        r->statuses[r->n_statuses++] = (biq_flow_status_metrics){
            .status = &flow->statuses[s], .cur = cur[s], .prev = prev[s]};
    }
    qsort(r->statuses, r->n_statuses, sizeof *r->statuses, cmp_metrics);
    r->sparse_current = closed == 0 && r->cur.throughput == 0;
out:
    return err;
}

/* ------------------------------------------------------ board columns */

/* One issue's visits to column c: samples of closed visits ending in the
 * window, whether it left c in it, and its overlap with the window. */
static void column_issue(const biq_flow *flow, const biq_flow_issue_view *v, int32_t c,
                         const biq_flow_window *w, int64_t *samples, size_t *n, bool *left,
                         long double *overlap)
{
    for (size_t j = 0; j < v->n_slices;) {
        if (flow->statuses[v->slices[j].status_index].column != c) {
            j++;
            continue;
        }
        size_t k = j;
        while (k + 1 < v->n_slices && flow->statuses[v->slices[k + 1].status_index].column == c)
            k++;
        biq_ms start = v->slices[j].start, end = v->slices[k].end;
        if (!v->slices[k].open && end > start && ends_in(end, w->from, w->to)) {
            samples[(*n)++] = biq_fl_sched_between(&flow->sched, start, end);
            *left = true;
        }
        biq_ms lo = biq_fl_max(start, w->from), hi = biq_fl_min(end, w->to);
        if (hi > lo)
            *overlap += (long double)biq_fl_sched_between(&flow->sched, lo, hi);
        j = k + 1;
    }
}

static biq_err build_columns(const biq_flow *flow, biq_flow_report *r, biq_arena *arena)
{
    const biq_flow_window *w = &r->window;
    size_t total = 0;
    for (size_t i = 0; i < flow->n_issues; i++)
        total += flow->issues[i].n_slices;
    r->columns = biq_arena_calloc(arena, flow->n_columns + 1, sizeof *r->columns);
    int64_t *samples = biq_arena_alloc(arena, (total + 1) * sizeof *samples);
    if (!r->columns || !samples)
        return BIQ_ERR_NOMEM;
    int64_t len = biq_fl_sched_between(&flow->sched, w->from, w->to);
    for (size_t c = 0; c < flow->n_columns; c++) {
        biq_flow_column_metrics *m = &r->columns[c];
        long double overlap = 0;
        size_t n = 0;
        m->column = &flow->columns[c];
        for (size_t i = 0; i < flow->n_issues; i++) {
            bool left = false;
            column_issue(flow, &flow->issues[i], (int32_t)c, w, samples, &n, &left, &overlap);
            m->throughput += left;
            long st = biq_fl_status_at(&flow->issues[i], w->to);
            m->wip_current += st >= 0 && flow->statuses[st].column == (int32_t)c;
        }
        biq_flow_stats_compute(samples, n, &m->time);
        m->wip_avg = len > 0 ? biq_flow_quotient(overlap, (long double)len) : 0.0;
    }
    r->n_columns = flow->n_columns;
    return BIQ_OK;
}

biq_err biq_flow_report_build(const biq_flow *flow, const biq_flow_window *w, biq_arena *arena,
                              biq_flow_report **out)
{
    biq_err err = BIQ_ERR_INVALID;
    biq_flow_report *r = NULL;
    if (!w || w->from > w->to || w->prev_from > w->prev_to)
        goto out;
    if (!(r = biq_arena_calloc(arena, 1, sizeof *r))) {
        err = BIQ_ERR_NOMEM;
        goto out;
    }
    r->window = *w;
    if ((err = system_window(flow, w->from, w->to, arena, &r->cur)) != BIQ_OK ||
        (err = system_window(flow, w->prev_from, w->prev_to, arena, &r->prev)) != BIQ_OK ||
        (err = build_statuses(flow, r, arena)) != BIQ_OK || (err = per_week(flow, r, arena)) ||
        (err = build_columns(flow, r, arena)) != BIQ_OK)
        goto out;
    if (!(r->debt = biq_arena_calloc(arena, 1, sizeof *r->debt))) {
        err = BIQ_ERR_NOMEM;
        goto out;
    }
    if ((err = biq_flow_debt_compute(flow, w, arena, r->debt)) != BIQ_OK)
        goto out;
    if (flow->settings.xmr_signal && (err = biq_flow_status_xmr(flow, r, arena)) != BIQ_OK)
        goto out;
    biq_flow_bottleneck_compute(&flow->settings, r);
    biq_flow_trends_compute(r);
    err = biq_flow_efficiency_build(flow, w, arena, &r->efficiency);
out:
    if (err == BIQ_OK)
        *out = r;
    return err;
}
