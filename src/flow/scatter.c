/* scatter.c - the cycle-time scatter: each issue done in the window with its
 * lead and cycle time, and the P50/P85/P95 lines of the plotted set. */
#include <stdlib.h>

#include "flow/flow_internal.h"

static int cmp_points(const void *pa, const void *pb)
{
    const biq_flow_scatter_point *a = pa, *b = pb;
    if (a->done_at != b->done_at)
        return a->done_at < b->done_at ? -1 : 1;
    int64_t x = a->issue->issue->id, y = b->issue->issue->id;
    /* mutate: equivalent rel: differs only for x == y, and ids are unique (duplicates dropped) */
    return (x > y) - (x < y);
}

biq_err biq_flow_scatter_build(const biq_flow *flow, const biq_flow_window *w, biq_arena *arena,
                               biq_flow_scatter **out)
{
    biq_err err = BIQ_ERR_NOMEM;
    size_t nl = 0, nc = 0, n = flow->n_issues + 1; /* mutate: equivalent const "1 -> 2": room */
    biq_flow_scatter *s = biq_arena_calloc(arena, 1, sizeof *s);
    int64_t *lead = biq_arena_alloc(arena, n * sizeof *lead);
    int64_t *cycle = biq_arena_alloc(arena, n * sizeof *cycle);
    if (!s || !lead || !cycle || !(s->points = biq_arena_calloc(arena, n, sizeof *s->points)))
        goto out;
    for (size_t i = 0; i < flow->n_issues; i++) {
        const biq_flow_issue_view *v = &flow->issues[i];
        if (v->done_at == BIQ_MS_NONE || v->outcome_excluded || v->done_at <= w->from ||
            v->done_at > w->to)
            continue;
        s->points[s->n_points++] = (biq_flow_scatter_point){
            .issue = v,
            .done_at = v->done_at,
            .lead_days = biq_fl_days(v->lead_ms),
            .cycle_days = v->cycle_ms >= 0 ? biq_fl_days(v->cycle_ms) : -1.0,
        };
        lead[nl++] = v->lead_ms;
        if (v->cycle_ms >= 0)
            cycle[nc++] = v->cycle_ms;
    }
    biq_flow_stats_compute(lead, nl, &s->lead);
    biq_flow_stats_compute(cycle, nc, &s->cycle);
    for (size_t i = 0; i < s->n_points; i++) {
        biq_flow_scatter_point *p = &s->points[i];
        p->lead_above_p85 = (double)p->issue->lead_ms > s->lead.p85_ms;
        p->lead_above_p95 = (double)p->issue->lead_ms > s->lead.p95_ms;
        /* cycle_ms is -1 or >= 0, and percentiles of times are >= 0, so a cycle
         * of -1 or 0 is never above one: mutate: equivalent const */
        p->cycle_above_p85 = p->issue->cycle_ms >= 0 && (double)p->issue->cycle_ms > s->cycle.p85_ms;
        /* mutate: equivalent const (as above) */
        p->cycle_above_p95 = p->issue->cycle_ms >= 0 && (double)p->issue->cycle_ms > s->cycle.p95_ms;
    }
    qsort(s->points, s->n_points, sizeof *s->points, cmp_points);
    err = BIQ_OK;
out:
    if (err == BIQ_OK)
        *out = s;
    return err;
}
