/* blocked.c - one item's blocked time: the spans it was flagged (the
 * Flagged field's history) and blocked by an open blocker ("is blocked by"
 * links), their union, and how much of each fell in every status it
 * visited (docs/metrics.md, "Blocked time"). */
#include <stdlib.h>

#include "flow/flow_internal.h"

static int cmp_flag(const void *pa, const void *pb)
{
    const biq_flag_change *a = *(const biq_flag_change *const *)pa;
    const biq_flag_change *b = *(const biq_flag_change *const *)pb;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    if (a->history_id != b->history_id)
        return a->history_id < b->history_id ? -1 : 1;
    /* mutate: equivalent rel: differs only for equal (at, history, item): one changelog item */
    return (a->item_index > b->item_index) - (a->item_index < b->item_index);
}

static int cmp_span_start(const void *pa, const void *pb)
{
    const biq_flow_block_span *a = pa, *b = pb;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    return (a->end > b->end) - (a->end < b->end);
}

static int cmp_link(const void *pa, const void *pb)
{
    const biq_flow_block_span *a = pa, *b = pb;
    if (a->blocker_id != b->blocker_id)
        return a->blocker_id < b->blocker_id ? -1 : 1;
    return cmp_span_start(pa, pb);
}

static const biq_flow_issue_view *issue_by_id(const biq_flow *flow, int64_t id)
{
    size_t lo = 0, hi = flow->n_issues;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t at = flow->issues[mid].issue->id;
        if (at == id)
            return &flow->issues[mid];
        if (at < id) /* mutate: equivalent rel "< -> <=": at == id returned just above */
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static biq_ms clamp(biq_ms t, biq_ms lo, biq_ms hi)
{
    return t < lo ? lo : t > hi ? hi : t;
}

/* Appends [start, min(end, life_end)) when it has length. */
static void push_span(biq_flow_block_span *spans, size_t *n, biq_ms start, biq_ms end,
                      biq_ms life_end, bool open)
{
    if (end >= life_end) {
        end = life_end;
    } else {
        open = false;
    }
    if (end > start)
        spans[(*n)++] = (biq_flow_block_span){.start = start, .end = end, .open = open};
}

/* The flagged spans; flags has room for n_flag_changes / 2 + 2 spans. */
static biq_err flag_spans(const biq_flow *flow, const biq_issue *is, biq_ms created,
                          biq_ms life_end, bool life_open, biq_arena *arena,
                          biq_flow_block_span *flags, size_t *n)
{
    size_t m = is->n_flag_changes;
    if (m > BIQ_FLOW_MAX_FLAG_CHANGES || (m > 0 && !is->flag_changes))
        return BIQ_ERR_LIMIT;
    const biq_flag_change **sorted = biq_arena_alloc(arena, (m + 1) * sizeof *sorted);
    if (!sorted)
        return BIQ_ERR_NOMEM;
    for (size_t i = 0; i < m; i++)
        sorted[i] = &is->flag_changes[i];
    qsort(sorted, m, sizeof *sorted, cmp_flag);
    size_t seen = 0; /* changes that happened by now */
    while (seen < m && sorted[seen]->at <= flow->now)
        seen++;
    bool state = m > 0 ? !sorted[0]->flagged : is->flagged;
    biq_ms since = created, last = created;
    for (size_t i = 0; i < seen; i++) {
        biq_ms t = clamp(sorted[i]->at, created, flow->now);
        last = t;
        if (sorted[i]->flagged == state)
            continue; /* a repeated set or clear changes nothing */
        if (state)
            push_span(flags, n, since, t, life_end, false);
        else
            since = t;
        state = sorted[i]->flagged;
    }
    /* The current field describes now only when no change lies after now. */
    if (seen == m && state != is->flagged) {
        biq_ms missing = clamp(is->updated == BIQ_MS_NONE ? last : is->updated, last, flow->now);
        if (state)
            push_span(flags, n, since, missing, life_end, false);
        else
            since = missing;
        state = is->flagged;
    }
    if (state)
        push_span(flags, n, since, life_end, life_end, life_open);
    return BIQ_OK;
}

static biq_err link_spans(const biq_flow *flow, const biq_issue *is, biq_ms created,
                          biq_ms life_end, bool life_open, biq_flow_block_span *links, size_t *n,
                          uint32_t *n_unloaded)
{
    if (is->n_blocked_by > BIQ_FLOW_MAX_BLOCK_LINKS || (is->n_blocked_by > 0 && !is->blocked_by))
        return BIQ_ERR_LIMIT;
    for (size_t i = 0; i < is->n_blocked_by; i++) {
        const biq_block_link *l = &is->blocked_by[i];
        const biq_flow_issue_view *b = issue_by_id(flow, l->blocker_id);
        biq_ms start = l->linked_at == BIQ_MS_NONE ? created : biq_fl_max(l->linked_at, created);
        if (start > flow->now)
            continue; /* linked after now: not yet a link */
        biq_ms end = life_end;
        bool open = life_open;
        if (!b)
            (*n_unloaded)++;
        else if (b->done_at != BIQ_MS_NONE && b->done_at <= flow->now &&
                 b->done_at <= life_end) { /* done at now: the link ended, not open */
            end = b->done_at;
            open = false;
        }
        size_t before = *n;
        push_span(links, n, start, end, life_end, open);
        if (*n > before) {
            links[*n - 1].blocker_id = l->blocker_id;
            links[*n - 1].blocker_loaded = b != NULL;
        }
    }
    qsort(links, *n, sizeof *links, cmp_link);
    return BIQ_OK;
}

/* The union of spans[0..n) as disjoint spans (touching ones joined) into
 * out; returns their count. */
static size_t merge(const biq_flow_block_span *spans, size_t n, biq_flow_block_span *scratch,
                    biq_flow_block_span *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        scratch[i] = spans[i];
    qsort(scratch, n, sizeof *scratch, cmp_span_start);
    for (size_t i = 0; i < n; i++) {
        const biq_flow_block_span *s = &scratch[i];
        if (m > 0 && s->start <= out[m - 1].end) {
            if (s->end > out[m - 1].end)
                out[m - 1].end = s->end;
            out[m - 1].open = out[m - 1].open || s->open;
            continue;
        }
        out[m++] = (biq_flow_block_span){.start = s->start, .end = s->end, .open = s->open};
    }
    return m;
}

int64_t biq_flow_spans_between(const biq_flow *flow, const biq_flow_block_span *spans, size_t n,
                               biq_ms a, biq_ms b)
{
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        biq_ms lo = biq_fl_max(spans[i].start, a), hi = biq_fl_min(spans[i].end, b);
        if (hi > lo)
            total += biq_fl_sched_between(&flow->sched, lo, hi);
    }
    return total;
}

/* Per status, in order of first visit; statuses without blocked time left out. */
static biq_err per_status(const biq_flow *flow, biq_flow_blocked *bl,
                          const biq_flow_block_span *link_union, size_t n_link_union,
                          biq_arena *arena)
{
    const biq_flow_issue_view *v = bl->issue;
    biq_flow_blocked_status *rows = biq_arena_calloc(arena, v->n_slices + 1, sizeof *rows);
    size_t n = 0;
    if (!rows)
        return BIQ_ERR_NOMEM;
    for (size_t i = 0; i < v->n_slices; i++) {
        const biq_flow_slice *s = &v->slices[i];
        int64_t f = biq_flow_spans_between(flow, bl->flags, bl->n_flags, s->start, s->end);
        int64_t l = biq_flow_spans_between(flow, link_union, n_link_union, s->start, s->end);
        int64_t u = biq_flow_spans_between(flow, bl->spans, bl->n_spans, s->start, s->end);
        if (u == 0)
            continue;
        size_t k = 0;
        while (k < n && rows[k].status_index != s->status_index)
            k++;
        if (k == n)
            rows[n++] = (biq_flow_blocked_status){.status_id = s->status_id,
                                                  .status_index = s->status_index};
        rows[k].flagged_ms += f;
        rows[k].link_ms += l;
        rows[k].blocked_ms += u;
    }
    bl->per_status = rows;
    bl->n_per_status = n;
    return BIQ_OK;
}

biq_err biq_flow_blocked_build(const biq_flow *flow, const biq_flow_issue_view *v,
                               biq_arena *arena, biq_flow_blocked **out)
{
    const biq_issue *is = v->issue;
    biq_ms created = v->slices[0].start;
    bool done = v->done_at != BIQ_MS_NONE;
    biq_ms life_end = done ? v->done_at : biq_fl_max(created, flow->now);
    size_t cap_flags = is->n_flag_changes / 2 + 2, cap_links = is->n_blocked_by + 1;
    biq_flow_blocked *bl = biq_arena_calloc(arena, 1, sizeof *bl);
    biq_flow_block_span *flags = biq_arena_calloc(arena, cap_flags, sizeof *flags);
    biq_flow_block_span *links = biq_arena_calloc(arena, cap_links, sizeof *links);
    biq_flow_block_span *all = biq_arena_calloc(arena, cap_flags + cap_links, sizeof *all);
    biq_flow_block_span *scratch = biq_arena_calloc(arena, cap_flags + cap_links, sizeof *all);
    biq_flow_block_span *link_union = biq_arena_calloc(arena, cap_links, sizeof *all);
    biq_err err = BIQ_ERR_NOMEM;
    size_t nf = 0, nl = 0;
    if (!bl || !flags || !links || !all || !scratch || !link_union)
        goto out;
    if ((err = flag_spans(flow, is, created, life_end, !done, arena, flags, &nf)) != BIQ_OK ||
        (err = link_spans(flow, is, created, life_end, !done, links, &nl, &bl->n_unloaded)) !=
            BIQ_OK)
        goto out;
    bl->issue = v;
    bl->flags = flags;
    bl->n_flags = nf;
    bl->links = links;
    bl->n_links = nl;
    size_t nlu = merge(links, nl, scratch, link_union);
    for (size_t i = 0; i < nf; i++)
        scratch[i] = flags[i];
    for (size_t i = 0; i < nl; i++)
        scratch[nf + i] = links[i];
    bl->n_spans = merge(scratch, nf + nl, scratch, all); /* in place: a copy onto itself */
    bl->spans = all;
    bl->flagged_ms = biq_flow_spans_between(flow, flags, nf, created, life_end);
    bl->link_ms = biq_flow_spans_between(flow, link_union, nlu, created, life_end);
    bl->blocked_ms = biq_flow_spans_between(flow, all, bl->n_spans, created, life_end);
    bl->flagged_now = nf > 0 && flags[nf - 1].open;
    bl->blocked_now = bl->n_spans > 0 && all[bl->n_spans - 1].open;
    err = per_status(flow, bl, link_union, nlu, arena);
out:
    if (err == BIQ_OK)
        *out = bl;
    return err;
}
