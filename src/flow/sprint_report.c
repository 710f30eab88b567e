/* sprint_report.c - the sprint report (product.md): for each closed and the
 * active sprint, what was committed at its start, added and removed during
 * it, completed and carried over, and the scope-change timeline; sprint
 * membership over time is rebuilt from the Sprint field's history. */
#include <stdlib.h>

#include "flow/flow_internal.h"

/* One issue's Sprint history, sorted, with the membership after each change
 * as the backward walk gives it. */
typedef struct history {
    const biq_sprint_change **changes; /* sorted, those after now dropped */
    size_t n;
    const int64_t *current; /* membership after the last change */
    size_t n_current;
    bool known;             /* some membership is known at all */
    bool field_missing;     /* sprint_ids absent: the last change's "to" used */
    bool gap;               /* a change's "to" differs from the next one's "from" */
} history;

static int cmp_change(const void *pa, const void *pb)
{
    const biq_sprint_change *a = *(const biq_sprint_change *const *)pa;
    const biq_sprint_change *b = *(const biq_sprint_change *const *)pb;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    if (a->history_id != b->history_id)
        return a->history_id < b->history_id ? -1 : 1;
    return (a->item_index > b->item_index) - (a->item_index < b->item_index);
}

static bool has_id(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return true;
    return false;
}

/* Equal as sets (Jira lists a sprint once). */
static bool same_set(const int64_t *a, size_t na, const int64_t *b, size_t nb)
{
    for (size_t i = 0; i < na; i++)
        if (!has_id(b, nb, a[i]))
            return false;
    for (size_t i = 0; i < nb; i++)
        if (!has_id(a, na, b[i]))
            return false;
    return true;
}

static biq_err history_of(const biq_flow *flow, const biq_issue *is, biq_arena *arena, history *h)
{
    size_t m = is->n_sprint_changes;
    *h = (history){0};
    if (m > BIQ_FLOW_MAX_SPRINT_CHANGES || (m > 0 && !is->sprint_changes))
        return BIQ_ERR_LIMIT;
    if (!(h->changes = biq_arena_alloc(arena, (m + 1) * sizeof *h->changes)))
        return BIQ_ERR_NOMEM;
    for (size_t i = 0; i < m; i++)
        h->changes[i] = &is->sprint_changes[i];
    qsort(h->changes, m, sizeof *h->changes, cmp_change);
    size_t seen = 0;
    while (seen < m && h->changes[seen]->at <= flow->now)
        seen++;
    h->n = seen;
    if (seen < m) {
        /* As of an earlier now: the state then is the next change's "from". */
        h->current = h->changes[seen]->from_ids;
        h->n_current = h->changes[seen]->n_from;
        h->known = true;
    } else if (is->sprint_ids) {
        h->current = is->sprint_ids;
        h->n_current = is->n_sprint_ids;
        h->known = true;
    } else if (m > 0) {
        h->current = h->changes[m - 1]->to_ids;
        h->n_current = h->changes[m - 1]->n_to;
        h->known = true;
        h->field_missing = true;
    } else {
        h->field_missing = true;
    }
    for (size_t i = 0; i < h->n; i++) {
        const int64_t *next = i + 1 < h->n ? h->changes[i + 1]->from_ids : h->current;
        size_t n_next = i + 1 < h->n ? h->changes[i + 1]->n_from : h->n_current;
        if (!same_set(h->changes[i]->to_ids, h->changes[i]->n_to, next, n_next))
            h->gap = true;
    }
    return BIQ_OK;
}

/* Membership after change i (i == n: the current one); before change 0 it
 * is change 0's "from". The backward walk: state after i = "from" of i+1. */
static bool member_after(const history *h, size_t i, int64_t sprint)
{
    if (i + 1 < h->n)
        return has_id(h->changes[i + 1]->from_ids, h->changes[i + 1]->n_from, sprint);
    return has_id(h->current, h->n_current, sprint);
}

static bool member_initial(const history *h, int64_t sprint)
{
    if (h->n > 0)
        return has_id(h->changes[0]->from_ids, h->changes[0]->n_from, sprint);
    return has_id(h->current, h->n_current, sprint);
}

/* In the sprint at t, counting changes at t when `inclusive` (the start)
 * and not (the end). Not a member before creation. */
static bool member_at(const history *h, biq_ms created, biq_ms t, bool inclusive, int64_t sprint)
{
    if (created > t || (!inclusive && created == t))
        return false;
    size_t k = 0; /* changes that happened by t */
    while (k < h->n && (inclusive ? h->changes[k]->at <= t : h->changes[k]->at < t))
        k++;
    return k == 0 ? member_initial(h, sprint) : member_after(h, k - 1, sprint);
}

/* Whether the sprint's id appears anywhere in the issue's Sprint data. */
static bool touches(const history *h, int64_t sprint)
{
    if (has_id(h->current, h->n_current, sprint))
        return true;
    for (size_t i = 0; i < h->n; i++)
        if (has_id(h->changes[i]->from_ids, h->changes[i]->n_from, sprint) ||
            has_id(h->changes[i]->to_ids, h->changes[i]->n_to, sprint))
            return true;
    return false;
}

/* The start of the run of done-role slices the issue is in at t, or
 * BIQ_MS_NONE when it is not done at t. */
static biq_ms done_since(const biq_flow *flow, const biq_flow_issue_view *v, biq_ms t)
{
    long k = -1;
    for (size_t i = 0; i < v->n_slices && v->slices[i].start <= t; i++)
        k = (long)i;
    if (k < 0 || flow->statuses[v->slices[k].status_index].role != BIQ_ROLE_DONE)
        return BIQ_MS_NONE;
    while (k > 0 && flow->statuses[v->slices[k - 1].status_index].role == BIQ_ROLE_DONE)
        k--;
    return v->slices[k].start;
}

typedef struct builder {
    const biq_flow *flow;
    biq_sprint_report *r;
    size_t cap_events;
} builder;

static bool add_event(builder *b, biq_arena *arena, biq_ms at, const biq_flow_issue_view *v,
                      bool added)
{
    biq_sprint_report *r = b->r;
    if (r->n_events == b->cap_events) {
        size_t cap = b->cap_events ? b->cap_events * 2 : 16;
        biq_sprint_event *grown = biq_arena_realloc(arena, r->events,
                                                    b->cap_events * sizeof *grown,
                                                    cap * sizeof *grown);
        if (!grown)
            return false;
        r->events = grown;
        b->cap_events = cap;
    }
    r->events[r->n_events++] = (biq_sprint_event){.at = at, .issue = v, .added = added};
    return true;
}

/* One issue against one sprint: its item (when it took part) and events. */
static biq_err issue_in_sprint(builder *b, const biq_flow_issue_view *v, const history *h,
                               biq_arena *arena)
{
    biq_sprint_report *r = b->r;
    int64_t id = r->sprint->id;
    biq_ms created = v->slices[0].start, s = r->start, e = r->end;
    if (!h->known || !touches(h, id))
        return BIQ_OK;
    /* Whatever the reconstruction makes of it, an issue naming the sprint
     * with an unreliable history makes the report approximate. */
    r->n_truncated += v->issue->changelog_total > v->issue->changelog_present;
    r->n_field_missing += h->field_missing;
    r->n_gaps += h->gap;
    biq_sprint_item it = {.issue = v};
    bool at_start = member_at(h, created, s, true, id);
    it.in_at_end = member_at(h, created, e, false, id);
    if (created > s && created < e && member_initial(h, id)) {
        it.added = true;
        if (!add_event(b, arena, created, v, true))
            return BIQ_ERR_NOMEM;
    }
    for (size_t i = 0; i < h->n; i++) {
        const biq_sprint_change *c = h->changes[i];
        if (c->at <= s || c->at >= e)
            continue;
        bool before = i == 0 ? member_initial(h, id) : member_after(h, i - 1, id);
        bool after = member_after(h, i, id);
        if (before == after || c->at < created)
            continue;
        if (after)
            it.added = true;
        else
            it.removed = true;
        if (!add_event(b, arena, c->at, v, after))
            return BIQ_ERR_NOMEM;
    }
    biq_ms done_end = done_since(b->flow, v, e);
    if (at_start && done_since(b->flow, v, s) != BIQ_MS_NONE) {
        it.done_before_start = true;
        it.added = it.removed = false;
    } else {
        it.committed = at_start;
        it.completed = it.in_at_end && done_end != BIQ_MS_NONE && done_end > s;
        it.carried_over = it.in_at_end && done_end == BIQ_MS_NONE;
    }
    if (!it.committed && !it.added && !it.removed && !it.in_at_end && !it.done_before_start)
        return BIQ_OK;
    r->items[r->n_items++] = it;
    r->committed += it.committed;
    r->added += it.added;
    r->removed += it.removed;
    r->completed += it.completed;
    r->carried_over += it.carried_over;
    r->done_before_start += it.done_before_start;
    return BIQ_OK;
}

static int cmp_event(const void *pa, const void *pb)
{
    const biq_sprint_event *a = pa, *b = pb;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    int64_t x = a->issue->issue->id, y = b->issue->issue->id;
    if (x != y)
        return x < y ? -1 : 1;
    return (int)a->added - (int)b->added;
}

static int cmp_sprint(const void *pa, const void *pb)
{
    const biq_sprint *a = *(const biq_sprint *const *)pa, *b = *(const biq_sprint *const *)pb;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

static bool state_is(const biq_sprint *s, const char *state)
{
    return biq_fl_name_eq(s->state, state);
}

static biq_err report_of(const biq_flow *flow, const biq_sprint *sp, const history *hist,
                         biq_arena *arena, biq_sprint_report *r)
{
    biq_ms end = sp->complete != BIQ_MS_NONE ? sp->complete : sp->end;
    *r = (biq_sprint_report){.sprint = sp, .active = state_is(sp, "active"), .start = sp->start};
    if (r->active || end == BIQ_MS_NONE || end > flow->now)
        end = flow->now;
    r->end = biq_fl_max(end, sp->start);
    if (!(r->items = biq_arena_calloc(arena, flow->n_issues + 1, sizeof *r->items)))
        return BIQ_ERR_NOMEM;
    builder b = {.flow = flow, .r = r};
    for (size_t i = 0; i < flow->n_issues; i++) {
        biq_err err = issue_in_sprint(&b, &flow->issues[i], &hist[i], arena);
        if (err != BIQ_OK)
            return err;
    }
    if (r->n_events > 1)
        qsort(r->events, r->n_events, sizeof *r->events, cmp_event);
    r->has_ratio = r->completed + r->carried_over > 0;
    if (r->has_ratio)
        r->completion_ratio = biq_flow_quotient((long double)r->completed,
                                                (long double)(r->completed + r->carried_over));
    r->approximate = r->n_truncated + r->n_field_missing + r->n_gaps > 0;
    return BIQ_OK;
}

biq_err biq_flow_sprint_reports_build(const biq_flow *flow, biq_arena *arena,
                                      biq_flow_sprint_reports **out)
{
    biq_flow_sprint_reports *rs = biq_arena_calloc(arena, 1, sizeof *rs);
    const biq_sprint **order = biq_arena_calloc(arena, flow->n_sprints + 1, sizeof *order);
    history *hist = biq_arena_calloc(arena, flow->n_issues + 1, sizeof *hist);
    size_t n = 0;
    if (!rs || !order || !hist)
        return BIQ_ERR_NOMEM;
    for (size_t i = 0; i < flow->n_sprints; i++) {
        const biq_sprint *sp = &flow->sprints[i];
        if (sp->start != BIQ_MS_NONE && sp->start <= flow->now &&
            (state_is(sp, "closed") || state_is(sp, "active")))
            order[n++] = sp;
    }
    qsort(order, n, sizeof *order, cmp_sprint);
    if (!(rs->reports = biq_arena_calloc(arena, n + 1, sizeof *rs->reports)))
        return BIQ_ERR_NOMEM;
    for (size_t i = 0; i < flow->n_issues; i++) {
        biq_err err = history_of(flow, flow->issues[i].issue, arena, &hist[i]);
        if (err != BIQ_OK)
            return err;
    }
    for (size_t i = 0; i < n; i++) {
        biq_err err = report_of(flow, order[i], hist, arena, &rs->reports[i]);
        if (err != BIQ_OK)
            return err;
    }
    rs->n = n;
    *out = rs;
    return BIQ_OK;
}
