/* cfd.c - the cumulative flow diagram as flow analysts read it (flow.h,
 * "cumulative flow"; docs/metrics.md): each item at the furthest column it
 * has reached, so every line only rises; moves back listed as corrections;
 * and arrivals against departures over a window (flow debt). */
#include <stdlib.h>

#include "flow/flow_internal.h"

/* The frame: positions left to right, a status's position (-1: off). */
typedef struct frame {
    size_t n;            /* positions */
    long *pos_of;        /* per status index */
    biq_flow_cfd_band *bands;
    size_t done;         /* first position of the trailing done run (n: none) */
    size_t cut;          /* first committed position (0 without a cut) */
} frame;

/* Whether position p holds a status of role active or done. */
static bool committed(const biq_flow *flow, const frame *f, size_t p)
{
    for (size_t s = 0; s < flow->n_statuses; s++)
        if (f->pos_of[s] == (long)p && (flow->statuses[s].role == BIQ_ROLE_ACTIVE ||
                                        flow->statuses[s].role == BIQ_ROLE_DONE))
            return true;
    return false;
}

/* 1: every status at p is terminal, 0: one is not, -1: p holds none. */
static int terminal_at(const biq_flow *flow, const frame *f, size_t p)
{
    int r = -1;
    for (size_t s = 0; s < flow->n_statuses; s++)
        if (f->pos_of[s] == (long)p) {
            if (!flow->statuses[s].terminal)
                return 0;
            r = 1;
        }
    return r;
}

static biq_err frame_build(const biq_flow *flow, bool cut_backlog, biq_arena *arena, frame *f)
{
    size_t ns = flow->n_statuses;
    *f = (frame){0};
    f->pos_of = biq_arena_alloc(arena, (ns + 1) * sizeof *f->pos_of);
    f->bands = biq_arena_calloc(arena, (flow->n_columns > ns ? flow->n_columns : ns) + 1,
                                sizeof *f->bands);
    if (!f->pos_of || !f->bands)
        return BIQ_ERR_NOMEM;
    for (size_t s = 0; s < ns; s++)
        f->pos_of[s] = flow->n_columns ? flow->statuses[s].column : -1;
    if (flow->n_columns) {
        for (size_t c = 0; c < flow->n_columns; c++)
            f->bands[c] = (biq_flow_cfd_band){.name = flow->columns[c].name,
                                              .column = &flow->columns[c]};
        f->n = flow->n_columns;
    } else {
        /* The statuses in the project's order, the terminal ones (done and
         * cancelled-like) last: leaving the work is the done part wherever
         * the moves place a status such as Won't Do. */
        for (int terminal = 0; terminal < 2; terminal++)
            for (size_t r = 0; r < ns; r++) {
                const biq_flow_status_info *st = biq_flow_status_ordered(flow, r);
                if (!st->used || st->terminal != (terminal == 1))
                    continue;
                f->pos_of[st - flow->statuses] = (long)f->n;
                f->bands[f->n++] = (biq_flow_cfd_band){.name = st->name, .status = st};
            }
    }
    /* The done part: the trailing run of positions whose statuses are all
     * terminal (positions without a status are passed over). */
    f->done = f->n;
    for (size_t p = f->n; p > 0; p--) {
        int t = terminal_at(flow, f, p - 1);
        if (t == 0)
            break;
        if (t == 1)
            f->done = p - 1;
    }
    if (cut_backlog) {
        size_t p = 0;
        while (p < f->n && !committed(flow, f, p))
            p++;
        f->cut = p < f->n ? p : 0;
    }
    if (f->done < f->cut)
        f->done = f->cut;
    return BIQ_OK;
}

static long pos_of_slice(const frame *f, const biq_flow_slice *s)
{
    return f->pos_of[s->status_index];
}

/* First instant v is at position p or to its right; BIQ_MS_NONE never. */
static biq_ms reach(const frame *f, const biq_flow_issue_view *v, size_t p)
{
    for (size_t j = 0; j < v->n_slices; j++)
        if (pos_of_slice(f, &v->slices[j]) >= (long)p)
            return v->slices[j].start;
    return BIQ_MS_NONE;
}

/* Index of the first sample at or after t, n when none. */
static size_t first_sample(const biq_ms *s, size_t n, biq_ms t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

typedef struct counter {
    const frame *f;
    biq_flow_cfd *c;
    biq_ms base;     /* the first day's start */
    int64_t *diff;   /* (n_days + 1) x n positions of the full frame */
    int64_t *before; /* per position: reached at or before base */
} counter;

/* Positions (lo, hi] of the full frame were reached at t. */
static void count_reach(counter *k, long lo, long hi, biq_ms t)
{
    size_t n = k->f->n;
    if (t <= k->base) {
        for (long q = lo + 1; q <= hi; q++)
            k->before[q]++;
        return;
    }
    size_t d = first_sample(k->c->sample_at, k->c->n_days, t);
    if (d == k->c->n_days)
        return;
    for (long q = lo + 1; q <= hi; q++)
        k->diff[d * n + (size_t)q]++;
}

static int64_t event_day(const biq_flow *flow, biq_ms t)
{
    return biq_tz_local_day(flow->tz, t - 1); /* midnight belongs to the day it ends */
}

static biq_err add_correction(const biq_flow *flow, counter *k, biq_arena *arena,
                              const biq_flow_cfd_correction *x, size_t *cap)
{
    biq_flow_cfd *c = k->c;
    biq_ms last = c->sample_at[c->n_days - 1];
    if (x->at > last || (x->back_at != BIQ_MS_NONE && x->back_at <= k->base) ||
        x->back_at == x->at)
        return BIQ_OK; /* not seen by a sample of the chart, or no time back */
    if (c->n_corrections == BIQ_FLOW_CFD_MAX_CORRECTIONS) {
        c->corrections_truncated = true;
        return BIQ_OK;
    }
    if (c->n_corrections == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        biq_flow_cfd_correction *v = biq_arena_alloc(arena, ncap * sizeof *v);
        if (!v)
            return BIQ_ERR_NOMEM;
        for (size_t i = 0; i < c->n_corrections; i++)
            v[i] = c->corrections[i];
        c->corrections = v;
        *cap = ncap;
    }
    biq_flow_cfd_correction y = *x;
    if (y.back_at != BIQ_MS_NONE && y.back_at > last)
        y.back_at = BIQ_MS_NONE;
    y.start_day = event_day(flow, y.at);
    y.end_day = y.back_at != BIQ_MS_NONE ? event_day(flow, y.back_at) : c->days[c->n_days - 1];
    c->corrections[c->n_corrections++] = y;
    return BIQ_OK;
}

/* One item: its reach of every position and its moves back. */
static biq_err walk_item(const biq_flow *flow, counter *k, const biq_flow_issue_view *v,
                         biq_arena *arena, size_t *cap)
{
    const frame *f = k->f;
    long m = -1;
    bool open = false;
    biq_flow_cfd_correction x = {0};
    for (size_t j = 0; j < v->n_slices; j++) {
        long p = pos_of_slice(f, &v->slices[j]);
        biq_ms t = v->slices[j].start;
        if (open && p >= m) { /* back at (or past) the column it left */
            open = false;
            x.back_at = t;
            biq_err err = add_correction(flow, k, arena, &x, cap);
            if (err != BIQ_OK)
                return err;
        }
        /* mutate: equivalent rel "> -> >=": at p == m the reach (m, m] is empty and m stays */
        if (p > m) {
            count_reach(k, m, p, t);
            m = p;
        } else if (p < m && !open && m >= (long)f->cut) {
            open = true;
            x = (biq_flow_cfd_correction){.issue = v, .from = f->bands[m].name,
                                          .to = p >= 0 ? f->bands[p].name : NULL, .at = t};
        }
    }
    if (open) {
        x.back_at = BIQ_MS_NONE;
        return add_correction(flow, k, arena, &x, cap);
    }
    return BIQ_OK;
}

static int cmp_correction(const void *pa, const void *pb)
{
    const biq_flow_cfd_correction *a = pa, *b = pb;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    int64_t x = a->issue->issue->id, y = b->issue->issue->id;
    return (x > y) - (x < y);
}

static biq_err alloc_days(biq_arena *arena, size_t days, size_t nb, biq_flow_cfd *c)
{
    c->n_days = days;
    c->days = biq_arena_alloc(arena, days * sizeof *c->days);
    c->sample_at = biq_arena_alloc(arena, days * sizeof *c->sample_at);
    c->reached = biq_arena_calloc(arena, days * nb + 1, sizeof *c->reached);
    c->arrivals = biq_arena_calloc(arena, days, sizeof *c->arrivals);
    c->departures = biq_arena_calloc(arena, days, sizeof *c->departures);
    return c->days && c->sample_at && c->reached && c->arrivals && c->departures ? BIQ_OK
                                                                                 : BIQ_ERR_NOMEM;
}

/* Running sums into c->reached (counted bands only) and the daily growth. */
static void finish_counts(counter *k)
{
    const frame *f = k->f;
    biq_flow_cfd *c = k->c;
    size_t n = f->n, nb = c->n_bands;
    for (size_t q = 0; q < n; q++) {
        int64_t run = k->before[q];
        for (size_t d = 0; d < c->n_days; d++) {
            run += k->diff[d * n + q];
            if (q >= f->cut)
                c->reached[d * nb + (q - f->cut)] = (uint32_t)run;
        }
    }
    for (size_t d = 0; d < c->n_days; d++) {
        uint32_t a0 = d ? c->reached[(d - 1) * nb] : (nb ? (uint32_t)k->before[f->cut] : 0);
        uint32_t a1 = nb ? c->reached[d * nb] : 0;
        c->arrivals[d] = a1 - a0;
        if (c->done_band < nb) {
            size_t db = c->done_band;
            uint32_t d0 = d ? c->reached[(d - 1) * nb + db] : (uint32_t)k->before[f->done];
            c->departures[d] = c->reached[d * nb + db] - d0;
        }
    }
}

biq_err biq_flow_cfd_build(const biq_flow *flow, int64_t first_day, int64_t last_day,
                           bool cut_backlog, biq_arena *arena, biq_flow_cfd **out)
{
    biq_err err = BIQ_ERR_INVALID;
    biq_flow_cfd *c = NULL;
    frame f;
    size_t cap = 0;
    if (last_day < first_day)
        goto out;
    err = BIQ_ERR_LIMIT;
    if (last_day - first_day + 1 > BIQ_FLOW_MAX_CHART_DAYS)
        goto out;
    size_t days = (size_t)(last_day - first_day + 1);
    err = BIQ_ERR_NOMEM;
    if (!(c = biq_arena_calloc(arena, 1, sizeof *c)) ||
        frame_build(flow, cut_backlog, arena, &f) != BIQ_OK)
        goto out;
    c->n_bands = f.n - f.cut;
    c->bands = f.bands + f.cut;
    c->done_band = f.done - f.cut;
    c->by_columns = flow->n_columns > 0;
    c->backlog_cut = f.cut > 0;
    counter k = {.f = &f, .c = c, .base = biq_tz_day_start(flow->tz, first_day)};
    k.diff = biq_arena_calloc(arena, (days + 1) * f.n + 1, sizeof *k.diff);
    /* mutate: equivalent const "1 -> 0": before[] is read below f.n only (0: a unique pointer) */
    k.before = biq_arena_calloc(arena, f.n + 1, sizeof *k.before);
    if (!k.diff || !k.before || alloc_days(arena, days, c->n_bands, c) != BIQ_OK)
        goto out;
    for (size_t d = 0; d < days; d++) {
        c->days[d] = first_day + (int64_t)d;
        c->sample_at[d] = biq_fl_min(biq_tz_day_start(flow->tz, c->days[d] + 1), flow->now);
    }
    for (size_t i = 0; i < flow->n_issues; i++)
        if ((err = walk_item(flow, &k, &flow->issues[i], arena, &cap)) != BIQ_OK)
            goto out;
    finish_counts(&k);
    if (c->n_corrections)
        qsort(c->corrections, c->n_corrections, sizeof *c->corrections, cmp_correction);
    err = BIQ_OK;
out:
    if (err == BIQ_OK)
        *out = c;
    return err;
}

static bool in_window(biq_ms t, const biq_flow_window *w)
{
    return t != BIQ_MS_NONE && t > w->from && t <= w->to;
}

biq_err biq_flow_debt_compute(const biq_flow *flow, const biq_flow_window *w, biq_arena *arena,
                              biq_flow_debt *out)
{
    frame f;
    *out = (biq_flow_debt){0};
    if (frame_build(flow, false, arena, &f) != BIQ_OK)
        return BIQ_ERR_NOMEM;
    for (size_t i = 0; i < flow->n_issues && f.n > 0; i++) {
        const biq_flow_issue_view *v = &flow->issues[i];
        out->arrivals += in_window(reach(&f, v, 0), w);
        out->departures += f.done < f.n && in_window(reach(&f, v, f.done), w);
    }
    out->debt = (int64_t)out->arrivals - (int64_t)out->departures;
    if (w->days > 0) {
        out->arrivals_per_day = (double)out->arrivals / w->days;
        out->departures_per_day = (double)out->departures / w->days;
    }
    return BIQ_OK;
}
