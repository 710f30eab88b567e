/* bands.c - aging bands per status, pace of the items in progress and the
 * service level expectations they are measured against (flow.h, "aging
 * bands, pace and SLEs"; docs/metrics.md, "Aging bands and pace"). */
#include <math.h>
#include <stdlib.h>

#include "flow/flow_internal.h"
#include "tz/civil.h"

const int biq_flow_band_percents[BIQ_FLOW_BAND_N_PERCENTILES] = {50, 70, 85, 95};

/* One finished item's age when it last left a status: (band, age). */
typedef struct exit_age {
    size_t band;
    int64_t age_ms;
} exit_age;

static int cmp_exit(const void *pa, const void *pb)
{
    const exit_age *a = pa, *b = pb;
    if (a->band != b->band)
        return a->band < b->band ? -1 : 1;
    return (a->age_ms > b->age_ms) - (a->age_ms < b->age_ms);
}

static int cmp_i64(const void *pa, const void *pb)
{
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
    /* mutate: equivalent rel: differs only for a == b, equal values in any order sort the same */
    return (a > b) - (a < b);
}

static int cmp_band_status(const void *pa, const void *pb)
{
    const biq_flow_band *a = pa, *b = pb;
    return biq_flow_status_order_cmp(a->status, b->status);
}

biq_err biq_flow_sle_set_validate(const biq_flow_sle_set *s)
{
    if (s->n_types > BIQ_FLOW_SLE_MAX_TYPES || (s->n_types > 0 && s->types == NULL))
        return BIQ_ERR_INVALID;
    for (size_t i = 0; i <= s->n_types; i++) {
        const biq_flow_sle *e = i < s->n_types ? &s->types[i].sle : &s->project;
        if (i == s->n_types && !s->has_project)
            break;
        if (e->percent < BIQ_FLOW_SLE_PERCENT_MIN || e->percent > BIQ_FLOW_SLE_PERCENT_MAX ||
            e->days < BIQ_FLOW_SLE_DAYS_MIN || e->days > BIQ_FLOW_SLE_DAYS_MAX)
            return BIQ_ERR_INVALID;
        if (i < s->n_types) {
            if (s->types[i].issue_type == NULL)
                return BIQ_ERR_INVALID;
            for (size_t j = 0; j < i; j++)
                if (biq_fl_name_eq(s->types[j].issue_type, s->types[i].issue_type))
                    return BIQ_ERR_INVALID;
        }
    }
    return BIQ_OK;
}

const biq_flow_sle_set *biq_flow_sles(const biq_flow *flow)
{
    return flow->settings.sle;
}

const biq_flow_sle *biq_flow_sle_for(const biq_flow_sle_set *s, const char *issue_type)
{
    if (s == NULL)
        return NULL;
    for (size_t i = 0; i < s->n_types; i++)
        if (biq_fl_name_eq(s->types[i].issue_type, issue_type))
            return &s->types[i].sle;
    return s->has_project ? &s->project : NULL;
}

static void band_fill(biq_flow_band *b, const int64_t *sorted, size_t n)
{
    b->n = (uint32_t)n;
    for (size_t k = 0; k < BIQ_FLOW_BAND_N_PERCENTILES; k++)
        b->p_ms[k] = biq_flow_percentile(sorted, n, biq_flow_band_percents[k] / 100.0);
}

static bool in_basis(const biq_flow_issue_view *v, biq_ms from, biq_ms to)
{
    return v->done_at != BIQ_MS_NONE && v->cycle_ms >= 0 && v->done_at > from && v->done_at <= to;
}

static bool band_status(const biq_flow_status_info *st)
{
    return st->role == BIQ_ROLE_ACTIVE && !st->terminal;
}

/* Every basis item's age at its last exit from each band status. The
 * slices before done_at are the ones it left; walked backwards, the first
 * slice of a status is its last visit (stamp[] marks it seen). */
static biq_err exit_ages(const biq_flow *flow, const biq_flow_bands *b, const long *band_of,
                         biq_arena *arena, exit_age **out, size_t *n_out)
{
    size_t cap = 0, n = 0;
    for (size_t i = 0; i < flow->n_issues; i++)
        if (in_basis(&flow->issues[i], b->basis_from, b->basis_to))
            cap += flow->issues[i].n_slices;
    exit_age *ex = biq_arena_alloc(arena, (cap + 1) * sizeof *ex);
    size_t *stamp = biq_arena_calloc(arena, b->n_statuses + 1, sizeof *stamp);
    if (ex == NULL || stamp == NULL)
        return BIQ_ERR_NOMEM;
    for (size_t i = 0; i < flow->n_issues; i++) {
        const biq_flow_issue_view *v = &flow->issues[i];
        if (!in_basis(v, b->basis_from, b->basis_to))
            continue;
        for (size_t s = v->n_slices; s-- > 0;) {
            const biq_flow_slice *sl = &v->slices[s];
            long band = band_of[sl->status_index];
            if (band < 0 || sl->open || sl->end > v->done_at || stamp[band] == i + 1)
                continue;
            stamp[band] = i + 1;
            ex[n++] = (exit_age){(size_t)band,
                                 biq_fl_sched_between(&flow->sched, v->started_at, sl->end)};
        }
    }
    qsort(ex, n, sizeof *ex, cmp_exit);
    *out = ex;
    *n_out = n;
    return BIQ_OK;
}

static biq_err status_bands(const biq_flow *flow, biq_flow_bands *b, biq_arena *arena)
{
    /* + 1: a non-zero size for a flow without statuses; more is unused room.
     * mutate: equivalent const "1 -> 2" */
    long *band_of = biq_arena_alloc(arena, (flow->n_statuses + 1) * sizeof *band_of);
    /* mutate: equivalent const "1 -> 2": unused room */
    b->statuses = biq_arena_calloc(arena, flow->n_statuses + 1, sizeof *b->statuses);
    if (band_of == NULL || b->statuses == NULL)
        return BIQ_ERR_NOMEM;
    for (size_t i = 0; i < flow->n_statuses; i++)
        if (band_status(&flow->statuses[i]) && flow->statuses[i].used)
            b->statuses[b->n_statuses++].status = &flow->statuses[i];
    qsort(b->statuses, b->n_statuses, sizeof *b->statuses, cmp_band_status);
    for (size_t i = 0; i < flow->n_statuses; i++)
        band_of[i] = -1;
    for (size_t k = 0; k < b->n_statuses; k++)
        band_of[b->statuses[k].status - flow->statuses] = (long)k;
    exit_age *ex = NULL;
    size_t n = 0;
    biq_err err = exit_ages(flow, b, band_of, arena, &ex, &n);
    int64_t *ages = err == BIQ_OK ? biq_arena_alloc(arena, (n + 1) * sizeof *ages) : NULL;
    if (err == BIQ_OK && ages == NULL)
        err = BIQ_ERR_NOMEM;
    for (size_t i = 0; i < n && err == BIQ_OK;) {
        size_t j = i;
        for (; j < n && ex[j].band == ex[i].band; j++)
            ages[j - i] = ex[j].age_ms;
        band_fill(&b->statuses[ex[i].band], ages, j - i);
        i = j;
    }
    return err;
}

/* P85 rounded up to whole days, within the SLE's range. */
static void suggest(biq_flow_bands *b)
{
    if (b->span.n == 0)
        return;
    double p85 = biq_flow_percentile(b->cycle_sorted, b->span.n,
                                     BIQ_FLOW_SLE_SUGGESTED_PERCENT / 100.0);
    /* An exact multiple of a day divides exactly (IEEE), so it is not
     * rounded up a day too far. */
    double days = ceil(p85 / (double)BIQ_MS_PER_DAY);
    if (days < BIQ_FLOW_SLE_DAYS_MIN)
        days = BIQ_FLOW_SLE_DAYS_MIN;
    if (days > BIQ_FLOW_SLE_DAYS_MAX)
        days = BIQ_FLOW_SLE_DAYS_MAX;
    b->has_suggestion = true;
    b->suggestion = (biq_flow_sle){BIQ_FLOW_SLE_SUGGESTED_PERCENT, (int32_t)days};
}

biq_err biq_flow_bands_build(const biq_flow *flow, int32_t basis_days, biq_arena *arena,
                             biq_flow_bands **out)
{
    if (basis_days == 0)
        basis_days = BIQ_FLOW_BANDS_BASIS_DEFAULT_DAYS;
    if (basis_days < 1 || basis_days > BIQ_FLOW_BANDS_MAX_BASIS_DAYS)
        return BIQ_ERR_INVALID;
    biq_flow_bands *b = biq_arena_calloc(arena, 1, sizeof *b);
    int64_t *cycle = biq_arena_alloc(arena, (flow->n_issues + 1) * sizeof *cycle);
    if (b == NULL || cycle == NULL)
        return BIQ_ERR_NOMEM;
    b->basis_days = basis_days;
    b->basis_to = flow->now;
    b->basis_from = flow->now - (int64_t)basis_days * BIQ_MS_PER_DAY;
    size_t n = 0;
    for (size_t i = 0; i < flow->n_issues; i++)
        if (in_basis(&flow->issues[i], b->basis_from, b->basis_to))
            cycle[n++] = flow->issues[i].cycle_ms;
    qsort(cycle, n, sizeof *cycle, cmp_i64);
    band_fill(&b->span, cycle, n);
    b->cycle_sorted = cycle;
    suggest(b);
    biq_err err = status_bands(flow, b, arena);
    if (err == BIQ_OK)
        *out = b;
    return err;
}

/* Finished items with a cycle time <= age: the upper bound in the sorted
 * cycle times. */
static uint32_t count_at_or_below(const int64_t *sorted, uint32_t n, int64_t age)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (sorted[mid] <= age)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void biq_flow_pace_of(const biq_flow *flow, const biq_flow_bands *b, const biq_flow_sle_set *s,
                      const biq_flow_issue_view *v, biq_flow_pace *out)
{
    *out = (biq_flow_pace){.issue = v, .age_ms = -1, .n = b->span.n,
                           .sle = biq_flow_sle_for(s, v->issue->issue_type)};
    if (v->started_at == BIQ_MS_NONE)
        return;
    out->age_ms = biq_fl_sched_between(&flow->sched, v->started_at, flow->now);
    if (out->sle != NULL)
        out->over_days = out->age_ms > (int64_t)out->sle->days * BIQ_MS_PER_DAY;
    if (b->span.n > 0) {
        out->has_pace = true;
        out->at_or_below = count_at_or_below(b->cycle_sorted, b->span.n, out->age_ms);
        out->pace = biq_flow_quotient((long double)out->at_or_below, (long double)b->span.n);
        /* Exact: at_or_below / n > percent / 100 without a division. */
        if (out->sle != NULL)
            out->beyond_percent =
                (uint64_t)out->at_or_below * 100 > (uint64_t)out->sle->percent * b->span.n;
    }
    out->at_risk = out->beyond_percent || out->over_days;
}

biq_err biq_flow_paces(const biq_flow *flow, const biq_flow_bands *b, const biq_flow_sle_set *s,
                       biq_arena *arena, biq_flow_pace **rows, size_t *n)
{
    biq_flow_pace *r = biq_arena_calloc(arena, flow->n_issues + 1, sizeof *r);
    if (r == NULL)
        return BIQ_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < flow->n_issues; i++) {
        const biq_flow_issue_view *v = &flow->issues[i];
        if (v->done_at != BIQ_MS_NONE || v->started_at == BIQ_MS_NONE ||
            flow->statuses[v->slices[v->n_slices - 1].status_index].terminal)
            continue;
        biq_flow_pace_of(flow, b, s, v, &r[k++]);
    }
    *rows = r;
    *n = k;
    return BIQ_OK;
}
