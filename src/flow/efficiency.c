/* efficiency.c - flow efficiency (product.md): of the cycle time of items
 * done in a window, the share spent in active statuses and not blocked;
 * the mean of the per-item ratios beside it, and the window before. */
#include "flow/flow_internal.h"

/* Active work: an active status that is not someone else's (external). */
static bool is_active(const biq_flow_status_info *st)
{
    return st->role == BIQ_ROLE_ACTIVE && !st->external;
}

static biq_err item_of(const biq_flow *flow, const biq_flow_issue_view *v, biq_arena *arena,
                       biq_flow_efficiency_item *out)
{
    biq_flow_blocked *bl = NULL;
    biq_err err = biq_flow_blocked_build(flow, v, arena, &bl);
    if (err != BIQ_OK)
        return err;
    biq_ms a = v->started_at, b = v->done_at;
    *out = (biq_flow_efficiency_item){.issue = v, .cycle_ms = v->cycle_ms};
    for (size_t i = 0; i < v->n_slices; i++) {
        const biq_flow_slice *s = &v->slices[i];
        biq_ms lo = biq_fl_max(s->start, a), hi = biq_fl_min(s->end, b);
        /* mutate: equivalent rel "<= -> <": at hi == lo both sums below add 0 */
        if (hi <= lo || !is_active(&flow->statuses[s->status_index]))
            continue;
        int64_t active = biq_fl_sched_between(&flow->sched, lo, hi);
        out->active_ms += active;
        /* Blocked time outside active statuses is already not active:
         * subtracting it there would count it twice. */
        out->active_unblocked_ms += active - biq_flow_spans_between(flow, bl->spans, bl->n_spans,
                                                                    lo, hi);
    }
    out->blocked_ms = biq_flow_spans_between(flow, bl->spans, bl->n_spans, a, b);
    out->has_ratio = out->cycle_ms > 0;
    out->ratio = out->has_ratio ? biq_flow_quotient((long double)out->active_unblocked_ms,
                                                    (long double)out->cycle_ms)
                                : 0.0;
    return BIQ_OK;
}

static bool counted(const biq_flow_issue_view *v, biq_ms from, biq_ms to)
{
    return v->done_at != BIQ_MS_NONE && v->done_at > from && v->done_at <= to &&
           v->cycle_ms >= 0;
}

/* Sums over (from, to]; items (when not NULL) receives the per-item rows. */
static biq_err window_of(const biq_flow *flow, biq_ms from, biq_ms to, biq_arena *arena,
                         biq_flow_efficiency_window *w, biq_flow_efficiency_item *items,
                         size_t *n_items)
{
    long double ratios = 0;
    *w = (biq_flow_efficiency_window){0};
    for (size_t i = 0; i < flow->n_issues; i++) {
        const biq_flow_issue_view *v = &flow->issues[i];
        biq_flow_efficiency_item it;
        if (!counted(v, from, to))
            continue;
        biq_err err = item_of(flow, v, arena, &it);
        if (err != BIQ_OK)
            return err;
        w->n++;
        w->cycle_ms += it.cycle_ms;
        w->active_unblocked_ms += it.active_unblocked_ms;
        w->blocked_ms += it.blocked_ms;
        if (it.has_ratio) {
            w->n_ratios++;
            ratios += it.ratio;
        }
        if (items)
            items[(*n_items)++] = it;
    }
    w->has_value = w->cycle_ms > 0;
    if (w->has_value) {
        w->value = biq_flow_quotient((long double)w->active_unblocked_ms, (long double)w->cycle_ms);
        w->blocked_share = biq_flow_quotient((long double)w->blocked_ms, (long double)w->cycle_ms);
    }
    if (w->n_ratios > 0)
        w->mean_ratio = (double)(ratios / (long double)w->n_ratios);
    return BIQ_OK;
}

biq_err biq_flow_efficiency_build(const biq_flow *flow, const biq_flow_window *w,
                                  biq_arena *arena, biq_flow_efficiency **out)
{
    if (w->from > w->to || w->prev_from > w->prev_to)
        return BIQ_ERR_INVALID;
    biq_flow_efficiency *e = biq_arena_calloc(arena, 1, sizeof *e);
    /* mutate: equivalent const "1 -> 0": at most n_issues items (0 gives a unique pointer) */
    if (!e || !(e->items = biq_arena_calloc(arena, flow->n_issues + 1, sizeof *e->items)))
        return BIQ_ERR_NOMEM;
    biq_err err = window_of(flow, w->from, w->to, arena, &e->cur, e->items, &e->n_items);
    if (err == BIQ_OK)
        err = window_of(flow, w->prev_from, w->prev_to, arena, &e->prev, NULL, NULL);
    if (err == BIQ_OK)
        *out = e;
    return err;
}
