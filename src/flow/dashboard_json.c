/* dashboard_json.c - api.md's `dashboard` object from a report (jansson).
 * Numbers are exact (full-precision doubles: days = ms / 86 400 000); the
 * bytes are deterministic because every figure is computed in an order that
 * does not depend on input order, and keys are sorted at serialisation. */
#include "flow/blocked_json.h"
#include "flow/dashboard_json.h"
#include "flow/flow_internal.h"
#include "flow/json_util.h"
#include "tz/civil.h"

/* 17 significant digits: every double prints so that parsing it gives the
 * same double back (DBL_DECIMAL_DIG). */
enum { REAL_PRECISION = 17 };

/* Scratch for the data-quality report: pointers per finding and issue. */
#define DQ_SCRATCH_LIMIT ((size_t)1 << 30)

static const char *role_name(biq_role r)
{
    return r == BIQ_ROLE_ACTIVE    ? "active"
           : r == BIQ_ROLE_DONE    ? "done"
           : r == BIQ_ROLE_UNKNOWN ? "unknown"
                                   : "backlog";
}

static json_t *stats_json(const biq_flow_stats *s, bool *ok)
{
    json_t *o = json_object();
    biq_fl_json_set(o, "count", json_integer(s->count), ok);
    biq_fl_json_set(o, "avgDays", biq_fl_json_days(s->avg_ms), ok);
    biq_fl_json_set(o, "p50Days", biq_fl_json_days(s->p50_ms), ok);
    biq_fl_json_set(o, "p85Days", biq_fl_json_days(s->p85_ms), ok);
    biq_fl_json_set(o, "p90Days", biq_fl_json_days(s->p90_ms), ok);
    biq_fl_json_set(o, "p95Days", biq_fl_json_days(s->p95_ms), ok);
    return o;
}

/* The items in a status over the window: "wip" for work in progress,
 * "waiting" for a backlog queue; the other one (both for done, terminal
 * and unknown statuses) is null (product.md, "WIP"). */
static json_t *load_json(const biq_flow_status_window *w, int32_t limit, bool *ok)
{
    json_t *o = json_object();
    biq_fl_json_set(o, "avg", biq_fl_json_real(w->wip_avg), ok);
    biq_fl_json_set(o, "current", json_integer(w->wip_current), ok);
    /* mutate: equivalent rel "> -> >=": a limit is -1 or >= 1 (settings validation) */
    biq_fl_json_set(o, "limit", limit > 0 ? json_integer(limit) : json_null(), ok);
    return o;
}

static json_t *status_window_json(const biq_flow_status_window *w, const biq_flow_status_info *st,
                                  bool *ok)
{
    json_t *o = json_object();
    biq_flow_load load = biq_flow_status_load(st);
    biq_fl_json_set(o, "timeInStatus", stats_json(&w->time, ok), ok);
    biq_fl_json_set(o, "throughput", json_integer(w->throughput), ok);
    biq_fl_json_set(o, "wip",
                    load == BIQ_LOAD_WIP ? load_json(w, st->wip_limit, ok) : json_null(), ok);
    biq_fl_json_set(o, "waiting",
                    load == BIQ_LOAD_WAITING ? load_json(w, st->wip_limit, ok) : json_null(), ok);
    return o;
}

static json_t *status_json(const biq_flow_status_metrics *m, bool *ok)
{
    const biq_flow_status_info *st = m->status;
    json_t *o = status_window_json(&m->cur, st, ok);
    biq_fl_json_set(o, "id", biq_fl_json_id(st->id), ok);
    biq_fl_json_set(o, "name", json_string(st->name), ok);
    biq_fl_json_set(o, "category", json_string(biq_status_category_name(st->category)), ok);
    biq_fl_json_set(o, "role", json_string(role_name(st->role)), ok);
    biq_fl_json_set(o, "terminal", json_boolean(st->terminal), ok);
    biq_fl_json_set(o, "external", json_boolean(st->external), ok);
    biq_fl_json_set(o, "previous", status_window_json(&m->prev, st, ok), ok);
    return o;
}

static const char *window_kind_name(const biq_window_spec *s)
{
    static const char *const names[] = {"days",        "mtd",          "qtd",    "sprint-current",
                                        "sprint-last", "sprint-last3", "custom", "all"};
    return (unsigned)s->kind < sizeof names / sizeof names[0] ? names[s->kind] : "custom";
}

static json_t *window_json(const biq_flow *flow, const biq_flow_window *w, bool *ok)
{
    json_t *o = json_object(), *prev = json_object();
    biq_fl_json_set(o, "kind", json_string(window_kind_name(&w->spec)), ok);
    biq_fl_json_set(o, "days", biq_fl_json_real(w->days), ok);
    biq_fl_json_set(o, "from", biq_fl_json_instant(w->from), ok);
    biq_fl_json_set(o, "to", biq_fl_json_instant(w->to), ok);
    biq_fl_json_set(o, "tz", json_string(biq_tz_name(flow->tz)), ok);
    biq_fl_json_set(prev, "days", biq_fl_json_real(w->prev_days), ok);
    /* The window `all` has nothing before it: an empty previous window. */
    bool empty = w->prev_to <= w->prev_from;
    biq_fl_json_set(prev, "empty", json_boolean(empty), ok);
    biq_fl_json_set(prev, "from", empty ? json_null() : biq_fl_json_instant(w->prev_from), ok);
    biq_fl_json_set(prev, "to", empty ? json_null() : biq_fl_json_instant(w->prev_to), ok);
    biq_fl_json_set(o, "previous", prev, ok);
    /* Sprint windows name their sprints: [{id, name, start, end}], the end
     * being the completion (null for the active sprint). */
    json_t *sprints = json_array();
    for (size_t i = 0; i < w->n_sprints; i++) {
        const biq_sprint *s = w->sprints[i];
        json_t *one = json_object();
        biq_fl_json_set(one, "id", biq_fl_json_id(s->id), ok);
        biq_fl_json_set(one, "name", biq_fl_json_str(s->name), ok);
        biq_fl_json_set(one, "start", biq_fl_json_instant(s->start), ok);
        biq_ms end = w->spec.kind == BIQ_WIN_SPRINT_CURRENT ? BIQ_MS_NONE
                     : s->complete != BIQ_MS_NONE       ? s->complete
                                                        : s->end;
        biq_fl_json_set(one, "end", biq_fl_json_instant(end), ok);
        biq_fl_json_push(sprints, one, ok);
    }
    biq_fl_json_set(o, "sprints", sprints, ok);
    return o;
}

static json_t *change_json(double cur, double prev, bool as_days, bool *ok)
{
    json_t *o = json_object();
    biq_fl_json_set(o, "current", as_days ? biq_fl_json_days(cur) : biq_fl_json_real(cur), ok);
    biq_fl_json_set(o, "previous", as_days ? biq_fl_json_days(prev) : biq_fl_json_real(prev), ok);
    biq_fl_json_set(o, "changePct",
        prev > 0 ? biq_fl_json_real((cur / prev - 1.0) * 100.0) : json_null(), ok);
    return o;
}

static json_t *signal(bool has, double v)
{
    return has ? biq_fl_json_real(v) : json_null();
}

static json_t *bottleneck_found(const biq_flow_bottleneck *b, bool *ok)
{
    const biq_flow_status_metrics *m = b->winner;
    json_t *o = json_object(), *sig = json_object(), *reasons = json_array(),
           *bd = json_object();
    biq_fl_json_set(o, "statusId", biq_fl_json_id(m->status->id), ok);
    biq_fl_json_set(o, "statusName", json_string(m->status->name), ok);
    biq_fl_json_set(o, "score", json_integer(b->score), ok);
    biq_fl_json_set(o, "confidence", json_string(b->confidence), ok);
    for (size_t i = 0; i < b->n_reasons; i++)
        biq_fl_json_push(reasons, json_string(b->reasons[i]), ok);
    biq_fl_json_set(o, "reasons", reasons, ok);
    biq_fl_json_set(sig, "timeRatio", signal(b->has_time_ratio, b->time_ratio), ok);
    biq_fl_json_set(sig, "wipRatio", signal(b->has_wip_ratio, b->wip_ratio), ok);
    biq_fl_json_set(sig, "throughputDelta", signal(b->has_throughput_delta, b->throughput_delta), ok);
    biq_fl_json_set(o, "signals", sig, ok);
    biq_fl_json_set(o, "explanation", json_string(b->explanation), ok);
    biq_fl_json_set(o, "explanationSource", json_string("template"), ok);
    biq_fl_json_set(bd, "avgTime", change_json(m->cur.time.avg_ms, m->prev.time.avg_ms, true, ok), ok);
    json_t *wip = change_json(m->cur.wip_avg, m->prev.wip_avg, false, ok);
    /* mutate: equivalent rel "> -> >=": a limit is -1 or >= 1 (settings validation) */
    biq_fl_json_set(wip, "limit", m->status->wip_limit > 0 ? json_integer(m->status->wip_limit) : json_null(),
        ok);
    biq_fl_json_set(bd, "wip", wip, ok);
    biq_fl_json_set(bd, "throughput", change_json(m->cur.throughput, m->prev.throughput, false, ok), ok);
    biq_fl_json_set(o, "breakdown", bd, ok);
    return o;
}

static json_t *bottleneck_json(const biq_flow_bottleneck *b, bool *ok)
{
    if (b->state == BIQ_BN_FOUND)
        return bottleneck_found(b, ok);
    json_t *o = json_object();
    biq_fl_json_set(o, "statusId", json_null(), ok);
    biq_fl_json_set(o, "state", json_string(b->state == BIQ_BN_SPARSE ? "sparse" : "healthy"), ok);
    biq_fl_json_set(o, "message", json_string(b->message), ok);
    return o;
}

static json_t *trend_json(const biq_flow_trend *t, bool *ok)
{
    json_t *o = json_object();
    bool is_time = t->metric == BIQ_TREND_LEAD_TIME || t->metric == BIQ_TREND_TIME_IN_STATUS;
    biq_fl_json_set(o, "metric", json_string(biq_trend_metric_name(t->metric)), ok);
    biq_fl_json_set(o, "statusId", t->status ? biq_fl_json_id(t->status->id) : json_null(), ok);
    biq_fl_json_set(o, "statusName", t->status ? json_string(t->status->name) : json_null(), ok);
    biq_fl_json_set(o, "unit", json_string(is_time ? "days" : t->metric == BIQ_TREND_WIP ? "issues" : "count"),
        ok);
    biq_fl_json_set(o, "current", is_time ? biq_fl_json_days(t->current) : biq_fl_json_real(t->current), ok);
    biq_fl_json_set(o, "previous", is_time ? biq_fl_json_days(t->previous) : biq_fl_json_real(t->previous),
        ok);
    biq_fl_json_set(o, "ratio", biq_fl_json_real(t->ratio), ok);
    biq_fl_json_set(o, "changePct", biq_fl_json_real(t->change_pct), ok);
    biq_fl_json_set(o, "verdict", json_string(t->worsening ? "worsening" : "improving"), ok);
    return o;
}

static json_t *array_of_weeks(const biq_flow_report *r, bool *ok)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_weeks; i++)
        biq_fl_json_push(a, json_integer(r->per_week[i]), ok);
    return a;
}

static json_t *dq_group_json(const biq_flow *flow, const biq_flow_dq_group *g, bool *ok)
{
    json_t *o = json_object(), *keys = json_array();
    for (size_t i = 0; i < g->n_keys; i++)
        biq_fl_json_push(keys, json_string(g->keys[i]), ok);
    biq_fl_json_set(o, "kind", json_string(biq_dq_kind_name(g->kind)), ok);
    biq_fl_json_set(o, "count", json_integer((json_int_t)g->count), ok);
    biq_fl_json_set(o, "issues", json_integer((json_int_t)g->n_issues), ok);
    biq_fl_json_set(o, "issueKeys", keys, ok);
    biq_fl_json_set(o, "moreIssues", json_integer((json_int_t)(g->n_issues - g->n_keys)), ok);
    biq_fl_json_set(o, "action", json_string(g->action), ok);
    if (g->kind == BIQ_DQ_UNKNOWN_STATUS) {
        json_t *st = json_array();
        for (size_t i = 0; i < flow->n_findings; i++) {
            const biq_flow_finding *f = &flow->findings[i];
            long k = f->kind == BIQ_DQ_UNKNOWN_STATUS ? biq_fl_status_index(flow, f->actual_status)
                                                      : -1;
            if (k < 0)
                continue;
            json_t *one = json_object();
            biq_fl_json_set(one, "id", biq_fl_json_id(flow->statuses[k].id), ok);
            biq_fl_json_set(one, "name", json_string(flow->statuses[k].name), ok);
            biq_fl_json_push(st, one, ok);
        }
        biq_fl_json_set(o, "statuses", st, ok);
    }
    return o;
}

/* {"<kind>": count for every kind, "findings": [{kind, count, issues,
 * issueKeys (the first BIQ_FLOW_DQ_KEYS), moreIssues, action, statuses
 * (unknown_status only)}], "summary": "one sentence"}. */
static json_t *data_quality_json(const biq_flow *flow, bool *ok)
{
    json_t *o = json_object(), *groups = json_array();
    size_t counts[BIQ_DQ__COUNT] = {0};
    biq_flow_dq_report rep;
    biq_arena *scratch = biq_arena_new(DQ_SCRATCH_LIMIT);
    for (size_t i = 0; i < flow->n_findings; i++)
        /* mutate: equivalent rel "< -> <=": the flow makes only kinds below the count */
        if ((unsigned)flow->findings[i].kind < BIQ_DQ__COUNT)
            counts[flow->findings[i].kind]++;
    for (int k = 0; k < BIQ_DQ__COUNT; k++)
        biq_fl_json_set(o, biq_dq_kind_name((biq_dq_kind)k), json_integer((json_int_t)counts[k]), ok);
    if (!scratch || biq_flow_dq_report_build(flow, scratch, &rep) != BIQ_OK) {
        *ok = false;
        rep.n_groups = 0;
        rep.summary[0] = '\0';
    }
    for (size_t i = 0; i < rep.n_groups; i++)
        biq_fl_json_push(groups, dq_group_json(flow, &rep.groups[i], ok), ok);
    biq_fl_json_set(o, "findings", groups, ok);
    biq_fl_json_set(o, "summary", json_string(rep.summary), ok);
    biq_arena_free(scratch);
    return o;
}

static void add_lists(json_t *o, const biq_flow_report *r, bool *ok)
{
    json_t *statuses = json_array(), *trends = json_array();
    for (size_t i = 0; i < r->n_statuses; i++)
        biq_fl_json_push(statuses, status_json(&r->statuses[i], ok), ok);
    for (size_t i = 0; i < r->n_trends; i++)
        biq_fl_json_push(trends, trend_json(&r->trends[i], ok), ok);
    biq_fl_json_set(o, "statuses", statuses, ok);
    biq_fl_json_set(o, "trends", trends, ok);
}

/* Issue #15: {"arrivals", "departures", "arrivalsPerDay",
 * "departuresPerDay", "debt"} (docs/metrics.md, "Flow debt"). */
static json_t *debt_json(const biq_flow_debt *d, bool *ok)
{
    json_t *o = json_object();
    biq_fl_json_set(o, "arrivals", json_integer(d->arrivals), ok);
    biq_fl_json_set(o, "departures", json_integer(d->departures), ok);
    biq_fl_json_set(o, "arrivalsPerDay", biq_fl_json_real(d->arrivals_per_day), ok);
    biq_fl_json_set(o, "departuresPerDay", biq_fl_json_real(d->departures_per_day), ok);
    biq_fl_json_set(o, "debt", json_integer((json_int_t)d->debt), ok);
    return o;
}

/* The board's columns, left to right: [{"name", "statusIds", "timeInColumn",
 * "throughput", "wip": {"avg", "current", "limit"|null}}]. */
static json_t *columns_json(const biq_flow *flow, const biq_flow_report *r, bool *ok)
{
    json_t *a = json_array();
    for (size_t c = 0; c < r->n_columns; c++) {
        const biq_flow_column_metrics *m = &r->columns[c];
        json_t *o = json_object(), *ids = json_array(), *wip = json_object();
        for (size_t j = 0; j < m->column->n_statuses; j++)
            biq_fl_json_push(ids, biq_fl_json_id(flow->statuses[m->column->statuses[j]].id), ok);
        biq_fl_json_set(wip, "avg", biq_fl_json_real(m->wip_avg), ok);
        biq_fl_json_set(wip, "current", json_integer(m->wip_current), ok);
        biq_fl_json_set(wip, "limit",
                        m->column->wip_limit > 0 ? json_integer(m->column->wip_limit)
                                                 : json_null(),
                        ok);
        biq_fl_json_set(o, "name", json_string(m->column->name), ok);
        biq_fl_json_set(o, "statusIds", ids, ok);
        biq_fl_json_set(o, "timeInColumn", stats_json(&m->time, ok), ok);
        biq_fl_json_set(o, "throughput", json_integer(m->throughput), ok);
        biq_fl_json_set(o, "wip", wip, ok);
        biq_fl_json_push(a, o, ok);
    }
    return a;
}

json_t *biq_flow_dashboard_json(const biq_flow *flow, const biq_flow_report *r,
                                const biq_dashboard_meta *meta)
{
    bool ok = true;
    json_t *o = json_object(), *project = json_object(), *tp = json_object(),
           *alerts = json_object(), *sync = json_object(), *lead = stats_json(&r->cur.lead, &ok),
           *cycle = stats_json(&r->cur.cycle, &ok);
    biq_fl_json_set(project, "key", biq_fl_json_str(meta ? meta->project_key : NULL), &ok);
    biq_fl_json_set(project, "name", biq_fl_json_str(meta ? meta->project_name : NULL), &ok);
    biq_fl_json_set(o, "project", project, &ok);
    biq_fl_json_set(o, "window", window_json(flow, &r->window, &ok), &ok);
    biq_fl_json_set(o, "generatedAt", biq_fl_json_instant(flow->now), &ok);
    biq_fl_json_set(o, "dataVersion", json_integer(meta ? meta->data_version : 0), &ok);
    biq_fl_json_set(o, "asOf", biq_fl_json_str(meta ? meta->as_of : NULL), &ok);
    biq_fl_json_set(o, "lastActivityAt", biq_fl_json_instant(biq_flow_last_activity(flow)), &ok);
    add_lists(o, r, &ok);
    biq_fl_json_set(tp, "total", json_integer(r->cur.throughput), &ok);
    biq_fl_json_set(tp, "previous", json_integer(r->prev.throughput), &ok);
    biq_fl_json_set(tp, "perWeek", array_of_weeks(r, &ok), &ok);
    biq_fl_json_set(o, "throughput", tp, &ok);
    biq_fl_json_set(lead, "previous", stats_json(&r->prev.lead, &ok), &ok);
    biq_fl_json_set(cycle, "previous", stats_json(&r->prev.cycle, &ok), &ok);
    biq_fl_json_set(o, "leadTime", lead, &ok);
    biq_fl_json_set(o, "cycleTime", cycle, &ok);
    biq_fl_json_set(o, "bottleneck", bottleneck_json(&r->bottleneck, &ok), &ok);
    biq_fl_json_set(alerts, "recent", json_array(), &ok);
    biq_fl_json_set(o, "alerts", alerts, &ok);
    biq_fl_json_set(sync, "lastSyncAt", json_null(), &ok);
    biq_fl_json_set(sync, "backfill", json_null(), &ok);
    biq_fl_json_set(o, "sync", sync, &ok);
    biq_fl_json_set(o, "dataQuality", data_quality_json(flow, &ok), &ok);
    if (r->efficiency)
        biq_fl_json_set(o, "efficiency", biq_flow_efficiency_json(r->efficiency), &ok);
    if (r->debt)
        biq_fl_json_set(o, "flowDebt", debt_json(r->debt, &ok), &ok);
    if (r->n_columns)
        biq_fl_json_set(o, "columns", columns_json(flow, r, &ok), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *biq_flow_issue_json(const biq_flow *flow, const biq_flow_issue_view *v)
{
    bool ok = true;
    json_t *o = json_object(), *visits = json_array();
    int64_t total = 0, after_done = 0;
    for (size_t i = 0; visits && i < v->n_slices; i++) {
        const biq_flow_slice *s = &v->slices[i];
        json_t *row = json_object();
        biq_fl_json_set(row, "statusId", biq_fl_json_id(s->status_id), &ok);
        biq_fl_json_set(row, "status", json_string(flow->statuses[s->status_index].name), &ok);
        biq_fl_json_set(row, "entered", biq_fl_json_instant(s->start), &ok);
        biq_fl_json_set(row, "left", s->open ? json_null() : biq_fl_json_instant(s->end), &ok);
        biq_fl_json_set(row, "durationDays", biq_fl_json_days((double)s->duration_ms), &ok);
        biq_fl_json_set(row, "current", json_boolean(s->open), &ok);
        biq_fl_json_push(visits, row, &ok);
        /* The total stops at done: time since then is shown apart. */
        if (v->done_at != BIQ_MS_NONE && s->start >= v->done_at)
            after_done += s->duration_ms;
        else
            total += s->duration_ms;
    }
    biq_fl_json_set(o, "issueKey", biq_fl_json_str(v->issue->key), &ok);
    biq_fl_json_set(o, "visits", visits, &ok);
    biq_fl_json_set(o, "totalDays", biq_fl_json_days((double)total), &ok);
    biq_fl_json_set(o, "doneAt", biq_fl_json_instant(v->done_at), &ok);
    biq_fl_json_set(o, "sinceDoneDays",
                    v->done_at != BIQ_MS_NONE ? biq_fl_json_days((double)after_done) : json_null(),
                    &ok);
    biq_fl_json_set(o, "generatedAt", biq_fl_json_instant(flow->now), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

char *biq_flow_json_dumps(const json_t *value)
{
    return json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(REAL_PRECISION));
}
