/* slices.c - one issue's timeline: a slice per continuous stay in a status,
 * from `created` to now, with the data-quality findings met on the way, and
 * the issue's started/done instants and lead/cycle times. */
#include <stdlib.h>

#include "flow/flow_internal.h"

enum { FINDINGS_INITIAL_CAP = 64 };

biq_err biq_fl_finding_add(biq_flow *flow, const biq_flow_finding *f)
{
    if (flow->n_findings == flow->cap_findings) {
        size_t cap = flow->cap_findings ? flow->cap_findings * 2 : FINDINGS_INITIAL_CAP;
        biq_flow_finding *grown =
            biq_arena_realloc(flow->arena, flow->findings, flow->cap_findings * sizeof *grown,
                              cap * sizeof *grown);
        if (!grown)
            return BIQ_ERR_NOMEM;
        flow->findings = grown;
        flow->cap_findings = cap;
    }
    flow->findings[flow->n_findings++] = *f;
    return BIQ_OK;
}

/* Time, then changelog history id, then the item's place in its history. */
static int cmp_transition(const void *pa, const void *pb)
{
    const biq_transition *a = *(const biq_transition *const *)pa;
    const biq_transition *b = *(const biq_transition *const *)pb;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    if (a->history_id != b->history_id)
        return a->history_id < b->history_id ? -1 : 1;
    return (a->item_index > b->item_index) - (a->item_index < b->item_index);
}

static biq_err add_issue_finding(biq_flow *flow, const biq_issue *is, biq_dq_kind kind,
                                 const biq_transition *t, int64_t expected, int64_t actual)
{
    biq_flow_finding f = {
        .kind = kind,
        .issue_id = is->id,
        .issue_key = is->key,
        .history_id = t ? t->history_id : 0,
        .at = t ? t->at : BIQ_MS_NONE,
        .expected_status = expected,
        .actual_status = actual,
    };
    return biq_fl_finding_add(flow, &f);
}

static int64_t first_status(const biq_issue *is, const biq_transition *const *sorted)
{
    if (is->n_transitions == 0)
        return is->status_id;
    /* No `from` on the earliest transition: assume it was created there. */
    return sorted[0]->from_status ? sorted[0]->from_status : sorted[0]->to_status;
}

/* Every id of the data is in the status table (roles.c), so idx < 0 is a
 * broken invariant. */
static biq_err open_slice(biq_flow_slice *s, const biq_flow *flow, long idx, biq_ms start)
{
    if (idx < 0)
        return BIQ_ERR_INTERNAL;
    *s = (biq_flow_slice){
        .status_id = flow->statuses[idx].id,
        .status_index = (uint32_t)idx,
        .start = start,
        .open = true,
    };
    return BIQ_OK;
}

static void close_slice(biq_flow_slice *s, const biq_flow *flow, biq_ms end)
{
    s->end = end;
    s->open = false;
    s->duration_ms = biq_fl_sched_between(&flow->sched, s->start, end);
}

/* Walks the sorted transitions; returns the number of slices written. */
static biq_err walk(biq_flow *flow, const biq_issue *is, const biq_transition *const *sorted,
                    biq_ms created, biq_flow_slice *slices, size_t *n_out)
{
    biq_err err = BIQ_OK;
    size_t n = 0;
    const biq_transition *prev = NULL;
    if ((err = open_slice(&slices[n++], flow, biq_fl_status_index(flow, first_status(is, sorted)),
                          created)) != BIQ_OK)
        goto out;
    for (size_t i = 0; i < is->n_transitions; i++) {
        const biq_transition *t = sorted[i];
        biq_flow_slice *run = &slices[n - 1];
        if (t->at > flow->now)
            break; /* not happened yet at now (sorted: nor has any later one) */
        if (prev && prev->history_id == t->history_id && prev->item_index == t->item_index &&
            prev->at == t->at) {
            /* the same changelog item twice: one event */
            if ((err = add_issue_finding(flow, is, BIQ_DQ_DUPLICATE_HISTORY, t, 0, t->to_status)) !=
                BIQ_OK)
                goto out;
            continue;
        }
        if (t->at < run->start) {
            if ((err = add_issue_finding(flow, is, BIQ_DQ_OUT_OF_ORDER, t, run->status_id,
                                         t->to_status)) != BIQ_OK)
                goto out;
            continue;
        }
        if (t->from_status != 0 && t->from_status != run->status_id &&
            (err = add_issue_finding(flow, is, BIQ_DQ_FROM_MISMATCH, t, run->status_id,
                                     t->from_status)) != BIQ_OK)
            goto out;
        close_slice(run, flow, t->at);
        if ((err = open_slice(&slices[n++], flow, biq_fl_status_index(flow, t->to_status),
                              t->at)) != BIQ_OK)
            goto out;
        prev = t;
    }
    biq_flow_slice *last = &slices[n - 1];
    close_slice(last, flow, biq_fl_max(last->start, flow->now));
    last->open = true;
out:
    *n_out = n;
    return err;
}

/* Done: the start of the trailing run of done-role slices (Done -> Closed
 * stays done at the first), so a reopened issue is not done. */
static void derive_dates(const biq_flow *flow, biq_flow_issue_view *v)
{
    v->started_at = v->done_at = BIQ_MS_NONE;
    v->lead_ms = v->cycle_ms = -1;
    for (size_t i = 0; i < v->n_slices; i++)
        if (flow->statuses[v->slices[i].status_index].role == BIQ_ROLE_ACTIVE) {
            v->started_at = v->slices[i].start;
            break;
        }
    size_t k = v->n_slices;
    while (k > 0 && flow->statuses[v->slices[k - 1].status_index].role == BIQ_ROLE_DONE)
        k--;
    if (k == v->n_slices)
        return;
    v->done_at = v->slices[k].start;
    v->lead_ms = biq_fl_sched_between(&flow->sched, v->slices[0].start, v->done_at);
    if (v->started_at != BIQ_MS_NONE && v->started_at <= v->done_at)
        v->cycle_ms = biq_fl_sched_between(&flow->sched, v->started_at, v->done_at);
}

static biq_ms created_of(const biq_issue *is, const biq_transition *const *sorted, biq_ms now)
{
    if (is->created != BIQ_MS_NONE)
        return is->created;
    return is->n_transitions ? sorted[0]->at : now;
}

static biq_err issue_findings(biq_flow *flow, const biq_issue *is,
                              const biq_transition *const *sorted, const biq_flow_issue_view *v)
{
    biq_err err = BIQ_OK;
    int64_t last = v->slices[v->n_slices - 1].status_id;
    /* The issue's status field is today's: it says nothing of an earlier
     * now, before a transition that has not happened yet. */
    bool cut = is->n_transitions > 0 && sorted[is->n_transitions - 1]->at > flow->now;
    if (is->n_transitions > 0 && !cut && is->status_id != 0 && is->status_id != last &&
        (err = add_issue_finding(flow, is, BIQ_DQ_STATUS_MISMATCH, NULL, last, is->status_id)))
        goto out;
    if (v->done_at != BIQ_MS_NONE && v->cycle_ms < 0 &&
        (err = add_issue_finding(flow, is, BIQ_DQ_DONE_NEVER_STARTED, NULL, 0, 0)))
        goto out;
    /* mutate: equivalent const: present is a count (>= 0), so a total of 0 or -1 is never more */
    if (is->changelog_total >= 0 && is->changelog_total > is->changelog_present)
        err = add_issue_finding(flow, is, BIQ_DQ_TRUNCATED_HISTORY, NULL, is->changelog_total,
                                is->changelog_present);
out:
    return err;
}

biq_err biq_fl_issue_build(biq_flow *flow, const biq_issue *is, const biq_transition **scratch,
                           biq_flow_issue_view *v)
{
    biq_err err = BIQ_ERR_LIMIT;
    size_t n = is->n_transitions;
    if (n > BIQ_FLOW_MAX_TRANSITIONS || (n > 0 && !is->transitions))
        goto out;
    for (size_t i = 0; i < n; i++)
        scratch[i] = &is->transitions[i];
    qsort(scratch, n, sizeof *scratch, cmp_transition);
    biq_flow_slice *slices = biq_arena_alloc(flow->arena, (n + 1) * sizeof *slices);
    if (!slices) {
        err = BIQ_ERR_NOMEM;
        goto out;
    }
    *v = (biq_flow_issue_view){.issue = is, .slices = slices};
    if ((err = walk(flow, is, scratch, created_of(is, scratch, flow->now), slices,
                    &v->n_slices)) != BIQ_OK)
        goto out;
    derive_dates(flow, v);
    err = issue_findings(flow, is, scratch, v);
out:
    return err;
}

long biq_fl_status_at(const biq_flow_issue_view *v, biq_ms t)
{
    if (v->n_slices == 0 || t < v->slices[0].start)
        return -1;
    size_t lo = 0, hi = v->n_slices; /* first slice starting after t */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2; /* mutate: equivalent const "2 -> 3": any split works */
        if (v->slices[mid].start <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (long)v->slices[lo - 1].status_index;
}
