/* wip_stack.c - the stacked WIP chart (charts/wip-stack; before issue #15
 * it was called the CFD, which it is not: see cfd.c): per local day of the
 * flow's zone, at the day's end (or now), how many issues are in each
 * non-terminal status; plus done-so-far, the day's throughput and WIP
 * (started, not finished). Bands in the project's status order. */
#include "flow/flow_internal.h"

static biq_err alloc_cfd(biq_arena *arena, size_t days, size_t ns, biq_flow_wip_stack *c,
                         uint32_t **by_status)
{
    c->n_days = days;
    c->days = biq_arena_alloc(arena, days * sizeof *c->days);
    c->sample_at = biq_arena_alloc(arena, days * sizeof *c->sample_at);
    c->done_cum = biq_arena_calloc(arena, days, sizeof *c->done_cum);
    c->throughput = biq_arena_calloc(arena, days, sizeof *c->throughput);
    c->wip = biq_arena_calloc(arena, days, sizeof *c->wip);
    *by_status = biq_arena_calloc(arena, days * ns, sizeof **by_status);
    return c->days && c->sample_at && c->done_cum && c->throughput && c->wip && *by_status
               ? BIQ_OK
               : BIQ_ERR_NOMEM;
}

static void count_issue(const biq_flow *flow, const biq_flow_issue_view *v, biq_flow_wip_stack *c,
                        uint32_t *by_status, biq_ms first_start)
{
    size_t ns = flow->n_statuses;
    for (size_t d = 0; d < c->n_days; d++) {
        biq_ms t = c->sample_at[d], prev = d ? c->sample_at[d - 1] : first_start;
        long st = biq_fl_status_at(v, t);
        if (st < 0)
            continue;
        bool terminal = flow->statuses[st].terminal;
        if (!terminal)
            by_status[d * ns + (size_t)st]++;
        if (v->done_at != BIQ_MS_NONE && v->done_at <= t) {
            c->done_cum[d]++;
            if (v->done_at > prev)
                c->throughput[d]++;
        }
        if (!terminal && v->started_at != BIQ_MS_NONE && v->started_at <= t)
            c->wip[d]++;
    }
}

static biq_err make_bands(const biq_flow *flow, biq_arena *arena, const uint32_t *by_status,
                          biq_flow_wip_stack *c)
{
    size_t ns = flow->n_statuses, nb = 0;
    /* mutate: equivalent const: at most ns bands are written (0 gives a unique pointer) */
    c->bands = biq_arena_alloc(arena, (ns + 1) * sizeof *c->bands);
    if (!c->bands)
        return BIQ_ERR_NOMEM;
    uint32_t *idx = biq_arena_alloc(arena, (ns + 1) * sizeof *idx);
    if (!idx)
        return BIQ_ERR_NOMEM;
    for (size_t r = 0; r < ns; r++) {
        const biq_flow_status_info *st = biq_flow_status_ordered(flow, r);
        if (st->terminal || !st->used)
            continue;
        idx[nb] = (uint32_t)(st - flow->statuses);
        c->bands[nb++] = st;
    }
    c->n_bands = nb;
    c->counts = biq_arena_calloc(arena, c->n_days * nb + 1, sizeof *c->counts);
    if (!c->counts)
        return BIQ_ERR_NOMEM;
    for (size_t k = 0; k < nb; k++)
        for (size_t d = 0; d < c->n_days; d++)
            c->counts[d * nb + k] = by_status[d * ns + idx[k]];
    return BIQ_OK;
}

biq_err biq_flow_wip_stack_build(const biq_flow *flow, int64_t first_day, int64_t last_day,
                           biq_arena *arena, biq_flow_wip_stack **out)
{
    biq_err err = BIQ_ERR_INVALID;
    uint32_t *by_status = NULL;
    biq_flow_wip_stack *c = NULL;
    if (last_day < first_day)
        goto out;
    err = BIQ_ERR_LIMIT;
    if (last_day - first_day + 1 > BIQ_FLOW_MAX_CHART_DAYS)
        goto out;
    size_t days = (size_t)(last_day - first_day + 1);
    if (!(c = biq_arena_calloc(arena, 1, sizeof *c)) ||
        /* mutate: equivalent const "1 -> 2": room; by_status is indexed d * n_statuses + st */
        (err = alloc_cfd(arena, days, flow->n_statuses + 1, c, &by_status)) != BIQ_OK) {
        err = BIQ_ERR_NOMEM;
        goto out;
    }
    for (size_t d = 0; d < days; d++) {
        c->days[d] = first_day + (int64_t)d;
        c->sample_at[d] = biq_fl_min(biq_tz_day_start(flow->tz, c->days[d] + 1), flow->now);
    }
    biq_ms first_start = biq_tz_day_start(flow->tz, first_day);
    for (size_t i = 0; i < flow->n_issues; i++)
        count_issue(flow, &flow->issues[i], c, by_status, first_start);
    err = make_bands(flow, arena, by_status, c);
out:
    if (err == BIQ_OK)
        *out = c;
    return err;
}
