/* alerts.c - alert-rule evaluation (see alerts.h). */
#include <stdlib.h>

#include "flow/alerts.h"
#include "flow/flow_internal.h"
#include "tz/civil.h"

enum { HITS_INITIAL_CAP = 32 };

typedef struct hits {
    biq_arena *arena;
    biq_alert_hit *v;
    size_t n, cap;
} hits;

const char *biq_alert_kind_name(biq_alert_kind kind)
{
    switch (kind) {
    case BIQ_ALERT_STUCK:
        return "stuck_in_status";
    case BIQ_ALERT_CYCLE_EXCEEDED:
        return "cycle_time_exceeded";
    case BIQ_ALERT_NO_ACTIVITY:
        return "no_activity";
    case BIQ_ALERT_WIP_BREACH:
        return "wip_breach";
    case BIQ_ALERT_SLE_AT_RISK:
        return "sle_at_risk";
    }
    return "unknown";
}

static biq_err push(hits *h, const biq_alert_hit *hit)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : HITS_INITIAL_CAP;
        biq_alert_hit *grown =
            biq_arena_realloc(h->arena, h->v, h->cap * sizeof *grown, cap * sizeof *grown);
        if (!grown)
            return BIQ_ERR_NOMEM;
        h->v = grown;
        h->cap = cap;
    }
    h->v[h->n++] = *hit;
    return BIQ_OK;
}

/* Last sign of life: the latest transition kept in the timeline, or
 * `updated` when later (comments, edits). */
static biq_ms last_activity(const biq_flow_issue_view *v)
{
    const biq_flow_slice *cur = &v->slices[v->n_slices - 1];
    biq_ms updated = v->issue->updated;
    return updated != BIQ_MS_NONE && updated > cur->start && updated <= cur->end ? updated
                                                                                 : cur->start;
}

/* The age a per-ticket rule measures, or -1 when it does not apply. */
static int64_t ticket_age(const biq_flow *flow, const biq_alert_rule *r,
                          const biq_flow_issue_view *v)
{
    const biq_flow_slice *cur = &v->slices[v->n_slices - 1];
    switch (r->kind) {
    case BIQ_ALERT_STUCK:
        return r->status_id == 0 || r->status_id == cur->status_id ? cur->duration_ms : -1;
    case BIQ_ALERT_CYCLE_EXCEEDED:
        return v->started_at == BIQ_MS_NONE
                   ? -1
                   : biq_fl_sched_between(&flow->sched, v->started_at, flow->now);
    case BIQ_ALERT_NO_ACTIVITY:
        return biq_fl_sched_between(&flow->sched, last_activity(v), flow->now);
    case BIQ_ALERT_WIP_BREACH:
    case BIQ_ALERT_SLE_AT_RISK: /* sle_rule() */
        break;
    }
    return -1;
}

static bool in_flight(const biq_flow *flow, const biq_flow_issue_view *v)
{
    return v->done_at == BIQ_MS_NONE &&
           !flow->statuses[v->slices[v->n_slices - 1].status_index].terminal;
}

static biq_err ticket_rule(const biq_flow *flow, const biq_alert_rule *r, int64_t day, hits *h)
{
    biq_err err = BIQ_OK;
    for (size_t i = 0; i < flow->n_issues && err == BIQ_OK; i++) {
        const biq_flow_issue_view *v = &flow->issues[i];
        if (!in_flight(flow, v))
            continue;
        int64_t age = ticket_age(flow, r, v);
        if (age < 0 || age < r->threshold_ms)
            continue;
        biq_alert_hit hit = {.rule_id = r->rule_id, .kind = r->kind, .issue = v,
                             .status = &flow->statuses[v->slices[v->n_slices - 1].status_index],
                             .value_ms = age, .utc_day = day};
        err = push(h, &hit);
    }
    return err;
}

/* Count changes of one status inside (t0, now]: +1 at a slice's start, -1 at
 * its end; events at one instant are applied together. */
typedef struct event {
    biq_ms at;
    int delta;
} event;

static int cmp_event(const void *pa, const void *pb)
{
    const event *a = pa, *b = pb;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    return a->delta - b->delta;
}

/* Lowest number of issues in status idx over [t0, now]. */
static biq_err lowest_count(const biq_flow *flow, size_t idx, biq_ms t0, biq_arena *arena,
                            uint32_t *out)
{
    size_t n = 0, k = 0;
    long count = 0;
    for (size_t i = 0; i < flow->n_issues; i++) {
        const biq_flow_issue_view *v = &flow->issues[i];
        count += biq_fl_status_at(v, t0) == (long)idx;
        for (size_t s = 0; s < v->n_slices; s++)
            /* mutate: equivalent const "2 -> 3": room for more events than come */
            n += 2 * (v->slices[s].status_index == idx);
    }
    event *ev = biq_arena_alloc(arena, (n + 1) * sizeof *ev);
    if (!ev)
        return BIQ_ERR_NOMEM;
    for (size_t i = 0; i < flow->n_issues; i++)
        for (size_t s = 0; s < flow->issues[i].n_slices; s++) {
            const biq_flow_slice *sl = &flow->issues[i].slices[s];
            if (sl->status_index != idx)
                continue;
            if (sl->start > t0 && sl->start <= flow->now)
                ev[k++] = (event){sl->start, 1};
            if (!sl->open && sl->end > t0 && sl->end <= flow->now)
                ev[k++] = (event){sl->end, -1};
        }
    qsort(ev, k, sizeof *ev, cmp_event);
    long low = count;
    for (size_t i = 0; i < k; i++) {
        count += ev[i].delta;
        if (i + 1 == k || ev[i + 1].at != ev[i].at)
            low = count < low ? count : low;
    }
    *out = (uint32_t)(low < 0 ? 0 : low);
    return BIQ_OK;
}

static biq_err wip_rule(const biq_flow *flow, const biq_alert_rule *r, int64_t day,
                        biq_arena *arena, hits *h)
{
    long idx = biq_fl_status_index(flow, r->status_id);
    uint32_t low = 0;
    biq_err err;
    if (idx < 0 || flow->statuses[idx].wip_limit <= 0)
        return BIQ_ERR_INVALID;
    const biq_flow_status_info *st = &flow->statuses[idx];
    if ((err = lowest_count(flow, (size_t)idx, flow->now - r->threshold_ms, arena, &low)) != BIQ_OK)
        return err;
    if (low <= (uint32_t)st->wip_limit)
        return BIQ_OK;
    biq_alert_hit hit = {.rule_id = r->rule_id, .kind = r->kind, .status = st,
                         .value_ms = r->threshold_ms, .count = low, .utc_day = day};
    return push(h, &hit);
}

/* Items in progress at risk of missing their SLE (bands.c), with the
 * pace over the default basis; work in flight only, as biq_flow_paces.
 * Without SLEs nobody is at risk: no hits. */
static biq_err sle_rule(const biq_flow *flow, const biq_alert_rule *r, int64_t day,
                        biq_arena *arena, hits *h)
{
    biq_flow_bands *b = NULL;
    biq_flow_pace *rows = NULL;
    size_t n = 0;
    biq_err err = biq_flow_bands_build(flow, 0, arena, &b);
    if (err == BIQ_OK)
        err = biq_flow_paces(flow, b, flow->settings.sle, arena, &rows, &n);
    for (size_t i = 0; i < n && err == BIQ_OK; i++) {
        const biq_flow_issue_view *v = rows[i].issue;
        if (!rows[i].at_risk)
            continue;
        biq_alert_hit hit = {.rule_id = r->rule_id, .kind = r->kind, .issue = v,
                             .status = &flow->statuses[v->slices[v->n_slices - 1].status_index],
                             .value_ms = rows[i].age_ms, .pace = rows[i].pace,
                             .sle = rows[i].sle, .utc_day = day};
        err = push(h, &hit);
    }
    return err;
}

static bool rule_ok(const biq_alert_rule *r)
{
    if (r->kind == BIQ_ALERT_SLE_AT_RISK)
        return true; /* the SLEs were validated with the flow's settings */
    return r->threshold_ms > 0 && (unsigned)r->kind <= BIQ_ALERT_WIP_BREACH &&
           (r->kind != BIQ_ALERT_WIP_BREACH || r->status_id != 0);
}

biq_err biq_flow_alerts_evaluate(const biq_flow *flow, const biq_alert_rule *rules,
                                 size_t n_rules, biq_arena *arena, biq_alert_hit **out,
                                 size_t *n_out)
{
    biq_err err = BIQ_ERR_LIMIT;
    hits h = {.arena = arena};
    int64_t day = biq_floor_div(flow->now, BIQ_MS_PER_DAY);
    if (n_rules > BIQ_ALERT_MAX_RULES || (n_rules && !rules))
        goto out;
    err = BIQ_ERR_INVALID;
    for (size_t i = 0; i < n_rules; i++)
        if (!rule_ok(&rules[i]))
            goto out;
    err = BIQ_OK;
    for (size_t i = 0; i < n_rules && err == BIQ_OK; i++)
        err = rules[i].kind == BIQ_ALERT_WIP_BREACH     ? wip_rule(flow, &rules[i], day, arena, &h)
              : rules[i].kind == BIQ_ALERT_SLE_AT_RISK ? sle_rule(flow, &rules[i], day, arena, &h)
                                                        : ticket_rule(flow, &rules[i], day, &h);
out:
    if (err == BIQ_OK) {
        *out = h.v ? h.v : biq_arena_alloc(arena, 0);
        if (!*out)
            err = BIQ_ERR_NOMEM;
        *n_out = h.n;
    }
    return err;
}
