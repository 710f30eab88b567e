/* flow.c - building a biq_flow: settings, issue order and de-duplication,
 * the status table, every issue's slices; and the read accessors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "flow/flow_internal.h"
#include "tz/civil.h"

#define T_MIN 1.0
#define T_MAX 10.0
#define D_MIN (-1.0)
#define D_MAX 1.0

void biq_flow_settings_init(biq_flow_settings *s)
{
    *s = (biq_flow_settings){
        .threshold_time = BIQ_FLOW_T_DEFAULT,
        .threshold_wip = BIQ_FLOW_W_DEFAULT,
        .threshold_throughput = BIQ_FLOW_D_DEFAULT,
    };
}

static bool in_range(double v, double lo, double hi)
{
    return isfinite(v) && v >= lo && v <= hi;
}

biq_err biq_flow_settings_validate(const biq_flow_settings *s)
{
    if (!in_range(s->threshold_time, T_MIN, T_MAX) || !in_range(s->threshold_wip, T_MIN, T_MAX) ||
        !in_range(s->threshold_throughput, D_MIN, D_MAX))
        return BIQ_ERR_INVALID;
    if ((s->n_roles && !s->roles) || (s->n_wip_limits && !s->wip_limits) ||
        (s->n_excluded_types && !s->excluded_types) ||
        (s->n_included_types && !s->included_types) ||
        (s->n_excluded_resolutions && !s->excluded_resolutions) ||
        (s->n_labels_include && !s->labels_include) ||
        (s->n_labels_exclude && !s->labels_exclude))
        return BIQ_ERR_INVALID;
    if (s->subtasks != BIQ_SUBTASKS_COUNT && s->subtasks != BIQ_SUBTASKS_EXCLUDE &&
        s->subtasks != BIQ_SUBTASKS_ROLLUP)
        return BIQ_ERR_INVALID;
    for (size_t i = 0; i < s->n_roles; i++) {
        const biq_flow_status_role *r = &s->roles[i];
        if (r->role < -1 || r->role > BIQ_ROLE_DONE || r->terminal < -1 || r->terminal > 1 ||
            r->external < -1 || r->external > 1)
            return BIQ_ERR_INVALID;
    }
    for (size_t i = 0; i < s->n_wip_limits; i++)
        if (s->wip_limits[i].limit < 1)
            return BIQ_ERR_INVALID;
    if (s->sle != NULL && biq_flow_sle_set_validate(s->sle) != BIQ_OK)
        return BIQ_ERR_INVALID;
    return BIQ_OK;
}

const char *biq_dq_kind_name(biq_dq_kind kind)
{
    static const char *const names[BIQ_DQ__COUNT] = {
        "out_of_order",   "from_mismatch",   "done_never_started", "truncated_history",
        "unknown_status", "status_mismatch", "duplicate_issue",    "duplicate_history",
    };
    return (unsigned)kind < BIQ_DQ__COUNT ? names[kind] : "unknown";
}

static bool name_in(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (biq_fl_name_eq(name, list[i]))
            return true;
    return false;
}

static bool any_label_in(const biq_issue *is, const char *const *list, size_t n)
{
    for (size_t i = 0; i < is->n_labels; i++)
        if (name_in(is->labels[i], list, n))
            return true;
    return false;
}

/* The filters of the settings (flow.h); sub-tasks to roll up are kept here
 * and dropped once their parents are built. */
static bool excluded(const biq_flow_settings *s, const biq_issue *is)
{
    if (name_in(is->issue_type, s->excluded_types, s->n_excluded_types) ||
        (s->n_included_types && !name_in(is->issue_type, s->included_types, s->n_included_types)))
        return true;
    if (is->is_subtask && s->subtasks == BIQ_SUBTASKS_EXCLUDE)
        return true;
    if (s->n_labels_include && !any_label_in(is, s->labels_include, s->n_labels_include))
        return true;
    return any_label_in(is, s->labels_exclude, s->n_labels_exclude);
}

/* Id, then the latest `updated` last (the copy kept), then richer history. */
static int cmp_issue(const void *pa, const void *pb)
{
    const biq_issue *a = *(const biq_issue *const *)pa, *b = *(const biq_issue *const *)pb;
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    if (a->updated != b->updated)
        return a->updated < b->updated ? -1 : 1;
    if (a->n_transitions != b->n_transitions)
        return a->n_transitions < b->n_transitions ? -1 : 1;
    return 0;
}

/* Sorted, de-duplicated, filtered pointers into in->issues. */
static biq_err order_issues(biq_flow *flow, const biq_flow_input *in, const biq_issue ***out,
                            size_t *n_out, size_t *max_trans)
{
    biq_err err = BIQ_OK;
    const biq_issue **v = biq_arena_alloc(flow->arena, (in->n_issues + 1) * sizeof *v);
    size_t n = 0, k = 0;
    if (!v)
        return BIQ_ERR_NOMEM;
    /* An issue created after now does not exist yet ("as of": the project
     * as it was at now; facts after it are not seen). */
    for (size_t i = 0; i < in->n_issues; i++)
        if (!excluded(&flow->settings, &in->issues[i]) &&
            (in->issues[i].created == BIQ_MS_NONE || in->issues[i].created <= in->now))
            v[n++] = &in->issues[i];
    qsort(v, n, sizeof *v, cmp_issue);
    *max_trans = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && v[i + 1]->id == v[i]->id) {
            biq_flow_finding f = {.kind = BIQ_DQ_DUPLICATE_ISSUE, .issue_id = v[i]->id,
                                  .issue_key = v[i]->key, .at = BIQ_MS_NONE};
            if ((err = biq_fl_finding_add(flow, &f)) != BIQ_OK)
                goto out;
            continue;
        }
        if (v[i]->n_transitions > *max_trans)
            *max_trans = v[i]->n_transitions;
        v[k++] = v[i];
    }
out:
    *out = v;
    *n_out = k;
    return err;
}

static biq_err unknown_status_findings(biq_flow *flow)
{
    biq_err err = BIQ_OK;
    for (size_t i = 0; i < flow->n_statuses && err == BIQ_OK; i++) {
        const biq_flow_status_info *st = &flow->statuses[i];
        if (st->role != BIQ_ROLE_UNKNOWN || !st->used || st->id == 0)
            continue;
        biq_flow_finding f = {.kind = BIQ_DQ_UNKNOWN_STATUS, .at = BIQ_MS_NONE,
                              .actual_status = st->id};
        err = biq_fl_finding_add(flow, &f);
    }
    return err;
}

static biq_err check_input(const biq_flow_input *in)
{
    if (!in || (in->n_issues && !in->issues) || (in->n_statuses && !in->statuses) ||
        (in->n_sprints && !in->sprints) || in->now == BIQ_MS_NONE)
        return BIQ_ERR_INVALID;
    if (in->n_issues > BIQ_FLOW_MAX_ISSUES)
        return BIQ_ERR_LIMIT;
    if (in->board && in->board->n_columns && !in->board->columns)
        return BIQ_ERR_INVALID;
    for (size_t c = 0; in->board && c < in->board->n_columns; c++)
        if (in->board->columns[c].n_status_ids && !in->board->columns[c].status_ids)
            return BIQ_ERR_INVALID;
    if (in->settings && biq_flow_settings_validate(in->settings) != BIQ_OK)
        return BIQ_ERR_INVALID;
    return biq_work_schedule_validate(in->schedule);
}

/* The kept issue with this id, or NULL (issues sorted by id). */
static biq_flow_issue_view *issue_by_id(biq_flow *flow, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (flow->issues[mid].issue->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && flow->issues[lo].issue->id == id ? &flow->issues[lo] : NULL;
}

/* Policy rollup: each sub-task whose parent is kept (and no sub-task
 * itself) moves its start into the parent and leaves the list; *n becomes
 * the new count. BIQ_ERR_NOMEM. */
static biq_err roll_up(biq_flow *flow, size_t *n)
{
    bool *drop = biq_arena_calloc(flow->arena, *n + 1, sizeof *drop);
    size_t k = 0;
    if (!drop)
        return BIQ_ERR_NOMEM;
    for (size_t i = 0; i < *n; i++) {
        const biq_flow_issue_view *v = &flow->issues[i];
        biq_flow_issue_view *p =
            v->issue->is_subtask ? issue_by_id(flow, *n, v->issue->parent_id) : NULL;
        if (!p || p->issue->is_subtask)
            continue;
        drop[i] = true;
        p->n_rolled_up++;
        if (v->started_at != BIQ_MS_NONE &&
            (p->started_at == BIQ_MS_NONE || v->started_at < p->started_at))
            p->started_at = v->started_at;
    }
    for (size_t i = 0; i < *n; i++)
        if (!drop[i])
            flow->issues[k++] = flow->issues[i];
    for (size_t i = 0; i < k; i++) {
        biq_flow_issue_view *v = &flow->issues[i];
        if (v->n_rolled_up && v->done_at != BIQ_MS_NONE && v->started_at != BIQ_MS_NONE &&
            v->started_at <= v->done_at)
            v->cycle_ms = biq_fl_sched_between(&flow->sched, v->started_at, v->done_at);
    }
    *n = k;
    return BIQ_OK;
}

static biq_err build_issues(biq_flow *flow, const biq_flow_input *in)
{
    biq_err err;
    const biq_issue **order = NULL;
    size_t n = 0, max_trans = 0;
    if ((err = order_issues(flow, in, &order, &n, &max_trans)) != BIQ_OK)
        goto out;
    const biq_transition **scratch = biq_arena_alloc(flow->arena, (max_trans + 1) * sizeof *scratch);
    flow->issues = biq_arena_calloc(flow->arena, n + 1, sizeof *flow->issues);
    if (!scratch || !flow->issues) {
        err = BIQ_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        biq_flow_issue_view *v = &flow->issues[i];
        if ((err = biq_fl_issue_build(flow, order[i], scratch, v)) != BIQ_OK)
            goto out;
        v->outcome_excluded = v->done_at != BIQ_MS_NONE &&
                              name_in(v->issue->resolution, flow->settings.excluded_resolutions,
                                      flow->settings.n_excluded_resolutions);
    }
    if (flow->settings.subtasks == BIQ_SUBTASKS_ROLLUP && (err = roll_up(flow, &n)) != BIQ_OK)
        goto out;
    for (size_t i = 0; i < n; i++)
        for (size_t s = 0; s < flow->issues[i].n_slices; s++)
            flow->statuses[flow->issues[i].slices[s].status_index].used = true;
    flow->n_issues = n;
out:
    return err;
}

biq_err biq_flow_new(const biq_flow_input *in, biq_arena *arena, biq_flow **out)
{
    biq_err err;
    biq_flow *flow = NULL;
    if ((err = check_input(in)) != BIQ_OK)
        goto out;
    if (!(flow = biq_arena_calloc(arena, 1, sizeof *flow))) {
        err = BIQ_ERR_NOMEM;
        goto out;
    }
    flow->arena = arena;
    flow->now = in->now;
    if (in->settings)
        flow->settings = *in->settings;
    else
        biq_flow_settings_init(&flow->settings);
    flow->sprints = in->sprints;
    flow->n_sprints = in->n_sprints;
    flow->tz = in->schedule && in->schedule->tz ? in->schedule->tz : biq_tz_utc();
    if ((err = biq_fl_sched_prepare(&flow->sched, in->schedule, arena)) != BIQ_OK ||
        (err = biq_fl_statuses_build(flow, in, arena)) != BIQ_OK ||
        (err = build_issues(flow, in)) != BIQ_OK ||
        (err = biq_fl_order_build(flow, in->board, arena)) != BIQ_OK)
        goto out;
    err = unknown_status_findings(flow);
out:
    if (err == BIQ_OK)
        *out = flow;
    return err;
}

size_t biq_flow_issue_count(const biq_flow *flow)
{
    return flow->n_issues;
}

const biq_flow_issue_view *biq_flow_issue_at(const biq_flow *flow, size_t i)
{
    return i < flow->n_issues ? &flow->issues[i] : NULL;
}

const biq_flow_issue_view *biq_flow_issue_by_key(const biq_flow *flow, const char *key)
{
    for (size_t i = 0; key && i < flow->n_issues; i++)
        if (flow->issues[i].issue->key && strcmp(flow->issues[i].issue->key, key) == 0)
            return &flow->issues[i];
    return NULL;
}

size_t biq_flow_status_count(const biq_flow *flow)
{
    return flow->n_statuses;
}

const biq_flow_status_info *biq_flow_status_at(const biq_flow *flow, size_t i)
{
    return i < flow->n_statuses ? &flow->statuses[i] : NULL;
}

biq_ms biq_flow_now(const biq_flow *flow)
{
    return flow->now;
}

const biq_tz *biq_flow_tz(const biq_flow *flow)
{
    return flow->tz;
}

biq_ms biq_flow_last_activity(const biq_flow *flow)
{
    biq_ms last = BIQ_MS_NONE;
    for (size_t i = 0; i < flow->n_issues; i++) {
        const biq_flow_issue_view *v = &flow->issues[i];
        biq_ms t = v->slices[v->n_slices - 1].start; /* facts after now are cut */
        if (last == BIQ_MS_NONE || t > last)
            last = t;
    }
    return last;
}

int64_t biq_flow_duration(const biq_flow *flow, biq_ms a, biq_ms b)
{
    return biq_fl_sched_between(&flow->sched, a, b);
}

const biq_flow_finding *biq_flow_findings(const biq_flow *flow, size_t *n)
{
    *n = flow->n_findings;
    return flow->findings;
}

double biq_fl_days(int64_t ms)
{
    return (double)ms / (double)BIQ_MS_PER_DAY;
}
