/* aging.c - the WIP aging chart: every issue in flight at now with its ages,
 * against the P95 lead time of issues done in the last 90 days. */
#include <stdlib.h>
#include <string.h>

#include "flow/flow_internal.h"
#include "tz/civil.h"

#define PRIORITY_DEFAULT_WEIGHT 3.0

typedef struct priority_weight {
    const char *name;
    double weight;
} priority_weight;

/* Jira's default priority scheme; unknown names weigh like Medium. */
static const priority_weight priorities[] = {
    {"Highest", 5.0}, {"Blocker", 5.0}, {"High", 4.0}, {"Critical", 4.0},
    {"Medium", 3.0},  {"Low", 2.0},     {"Lowest", 1.0}, {"Trivial", 1.0},
};

static double size_of(const biq_issue *is)
{
    if (is->has_story_points)
        return is->story_points;
    for (size_t i = 0; i < sizeof priorities / sizeof priorities[0]; i++)
        if (biq_fl_name_eq(is->priority, priorities[i].name))
            return priorities[i].weight;
    return PRIORITY_DEFAULT_WEIGHT;
}

/* The project's status order, then the oldest first, then issue id. */
static int cmp_rows(const void *pa, const void *pb)
{
    const biq_flow_aging_row *a = pa, *b = pb;
    if (a->status != b->status)
        return biq_flow_status_order_cmp(a->status, b->status);
    if (a->days_since_created != b->days_since_created)
        return a->days_since_created > b->days_since_created ? -1 : 1;
    int64_t x = a->issue->issue->id, y = b->issue->issue->id;
    /* mutate: equivalent rel: differs only for x == y, and ids are unique (duplicates dropped) */
    return (x > y) - (x < y);
}

static biq_err reference_line(const biq_flow *flow, biq_arena *arena, biq_flow_aging *g,
                              int64_t *p95_ms)
{
    int64_t *lead = biq_arena_alloc(arena, (flow->n_issues + 1) * sizeof *lead);
    size_t n = 0;
    biq_ms from = flow->now - BIQ_FLOW_AGING_REFERENCE_DAYS * BIQ_MS_PER_DAY;
    if (!lead)
        return BIQ_ERR_NOMEM;
    for (size_t i = 0; i < flow->n_issues; i++) {
        const biq_flow_issue_view *v = &flow->issues[i];
        if (v->done_at != BIQ_MS_NONE && !v->outcome_excluded && v->done_at > from &&
            v->done_at <= flow->now)
            lead[n++] = v->lead_ms;
    }
    biq_flow_stats st;
    biq_flow_stats_compute(lead, n, &st);
    g->reference_n = st.count;
    g->reference_p95_days = biq_fl_days((int64_t)st.p95_ms);
    *p95_ms = (int64_t)st.p95_ms;
    return BIQ_OK;
}

/* The aging chart's blocked marker: blocked or flagged at now. */
static biq_err blocked_marker(const biq_flow *flow, const biq_flow_issue_view *v,
                              biq_arena *arena, biq_flow_aging_row *row)
{
    biq_flow_blocked *bl = NULL;
    biq_err err = biq_flow_blocked_build(flow, v, arena, &bl);
    if (err == BIQ_OK) {
        row->blocked = bl->blocked_now;
        row->flagged = bl->flagged_now;
    }
    return err;
}

biq_err biq_flow_wip_aging(const biq_flow *flow, biq_arena *arena, biq_flow_aging **out)
{
    return biq_flow_wip_aging_with(flow, false, arena, out);
}

biq_err biq_flow_wip_aging_with(const biq_flow *flow, bool include_backlog, biq_arena *arena,
                                biq_flow_aging **out)
{
    biq_err err = BIQ_ERR_NOMEM;
    int64_t p95 = 0;
    /* mutate: equivalent const "1 -> 2": a second, unused object */
    biq_flow_aging *g = biq_arena_calloc(arena, 1, sizeof *g);
    if (!g || !(g->rows = biq_arena_calloc(arena, flow->n_issues + 1, sizeof *g->rows)))
        goto out;
    if ((err = reference_line(flow, arena, g, &p95)) != BIQ_OK)
        goto out;
    for (size_t i = 0; i < flow->n_issues; i++) {
        const biq_flow_issue_view *v = &flow->issues[i];
        const biq_flow_slice *last = &v->slices[v->n_slices - 1];
        const biq_flow_status_info *st = &flow->statuses[last->status_index];
        if (v->done_at != BIQ_MS_NONE || st->terminal ||
            (v->started_at == BIQ_MS_NONE && !include_backlog))
            continue;
        int64_t age = biq_fl_sched_between(&flow->sched, v->slices[0].start, flow->now);
        g->rows[g->n_rows++] = (biq_flow_aging_row){
            .issue = v,
            .status = st,
            .days_in_status = biq_fl_days(last->duration_ms),
            .days_since_started =
                v->started_at == BIQ_MS_NONE
                    ? -1.0
                    : biq_fl_days(biq_fl_sched_between(&flow->sched, v->started_at, flow->now)),
            .days_since_created = biq_fl_days(age),
            .size = size_of(v->issue),
            .past_reference = g->reference_n > 0 && age > p95,
        };
        if ((err = blocked_marker(flow, v, arena, &g->rows[g->n_rows - 1])) != BIQ_OK)
            goto out;
    }
    qsort(g->rows, g->n_rows, sizeof *g->rows, cmp_rows);
out:
    if (err == BIQ_OK)
        *out = g;
    return err;
}
