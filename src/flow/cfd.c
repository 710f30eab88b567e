/* cfd.c - the cumulative flow diagram: per local day of the flow's zone, at
 * the day's end (or now), how many issues are in each non-terminal status;
 * plus done-so-far, the day's throughput and WIP (started, not finished). */
#include <string.h>

#include "flow/flow_internal.h"

typedef struct band {
    size_t status;
    uint64_t volume;
} band;

static int category_rank(biq_status_category c)
{
    return c == BIQ_CAT_NEW ? 0 : c == BIQ_CAT_ACTIVE ? 1 : c == BIQ_CAT_DONE ? 2 : 3;
}

/* Bands stack by volume, largest first; then the report's status order. */
static bool band_before(const band *a, const band *b, const biq_flow_status_info *st)
{
    if (a->volume != b->volume)
        return a->volume > b->volume;
    const biq_flow_status_info *x = &st[a->status], *y = &st[b->status];
    int ra = category_rank(x->category), rb = category_rank(y->category);
    if (ra != rb)
        return ra < rb;
    int c = strcmp(x->name, y->name);
    return c ? c < 0 : x->id < y->id; /* mutate: equivalent const "0 -> 1": c != 0 here */
}

static biq_err alloc_cfd(biq_arena *arena, size_t days, size_t ns, biq_flow_cfd *c,
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

static void count_issue(const biq_flow *flow, const biq_flow_issue_view *v, biq_flow_cfd *c,
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
                          biq_flow_cfd *c)
{
    size_t ns = flow->n_statuses, nb = 0;
    band *b = biq_arena_alloc(arena, (ns + 1) * sizeof *b);
    if (!b)
        return BIQ_ERR_NOMEM;
    for (size_t s = 0; s < ns; s++) {
        if (flow->statuses[s].terminal || !flow->statuses[s].used)
            continue;
        band x = {.status = s};
        for (size_t d = 0; d < c->n_days; d++)
            x.volume += by_status[d * ns + s];
        size_t pos = nb++; /* insertion sort: bands are few */
        while (pos > 0 && band_before(&x, &b[pos - 1], flow->statuses)) {
            b[pos] = b[pos - 1];
            pos--;
        }
        b[pos] = x;
    }
    c->n_bands = nb;
    c->bands = biq_arena_alloc(arena, (nb + 1) * sizeof *c->bands);
    c->counts = biq_arena_calloc(arena, c->n_days * nb + 1, sizeof *c->counts);
    if (!c->bands || !c->counts)
        return BIQ_ERR_NOMEM;
    for (size_t k = 0; k < nb; k++) {
        c->bands[k] = &flow->statuses[b[k].status];
        for (size_t d = 0; d < c->n_days; d++)
            c->counts[d * nb + k] = by_status[d * ns + b[k].status];
    }
    return BIQ_OK;
}

biq_err biq_flow_cfd_build(const biq_flow *flow, int64_t first_day, int64_t last_day,
                           biq_arena *arena, biq_flow_cfd **out)
{
    biq_err err = BIQ_ERR_INVALID;
    uint32_t *by_status = NULL;
    biq_flow_cfd *c = NULL;
    if (last_day < first_day)
        goto out;
    err = BIQ_ERR_LIMIT;
    if (last_day - first_day + 1 > BIQ_FLOW_MAX_CHART_DAYS)
        goto out;
    size_t days = (size_t)(last_day - first_day + 1);
    if (!(c = biq_arena_calloc(arena, 1, sizeof *c)) ||
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
