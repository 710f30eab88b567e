/* charts_json.c - JSON for WIP aging, CFD, scatter and findings, and the
 * one-call dashboard. */
#include <stdio.h>

#include "flow/charts_json.h"
#include "flow/flow_internal.h"
#include "flow/json_util.h"
#include "tz/civil.h"

static json_t *days_or_null(double days)
{
    return days < 0 ? json_null() : biq_fl_json_real(days);
}

static json_t *aging_item(const biq_flow_aging_row *row, bool *ok)
{
    const biq_issue *is = row->issue->issue;
    json_t *o = json_object();
    biq_fl_json_set(o, "key", biq_fl_json_str(is->key), ok);
    biq_fl_json_set(o, "statusId", biq_fl_json_id(row->status->id), ok);
    biq_fl_json_set(o, "status", json_string(row->status->name), ok);
    biq_fl_json_set(o, "daysInStatus", days_or_null(row->days_in_status), ok);
    biq_fl_json_set(o, "daysSinceStarted", days_or_null(row->days_since_started), ok);
    biq_fl_json_set(o, "daysSinceCreated", days_or_null(row->days_since_created), ok);
    biq_fl_json_set(o, "size", biq_fl_json_real(row->size), ok);
    biq_fl_json_set(o, "assignee", biq_fl_json_str(is->assignee), ok);
    biq_fl_json_set(o, "issueType", biq_fl_json_str(is->issue_type), ok);
    biq_fl_json_set(o, "agingPastNormal", json_boolean(row->past_reference), ok);
    biq_fl_json_set(o, "blocked", json_boolean(row->blocked), ok);
    biq_fl_json_set(o, "flagged", json_boolean(row->flagged), ok);
    /* For the tooltip: what the item is and when it got where it is. */
    biq_fl_json_set(o, "summary", biq_fl_json_str(is->summary), ok);
    biq_fl_json_set(o, "createdAt", biq_fl_json_instant(row->issue->slices[0].start), ok);
    biq_fl_json_set(o, "startedAt", biq_fl_json_instant(row->issue->started_at), ok);
    biq_fl_json_set(o, "enteredAt",
                    biq_fl_json_instant(row->issue->slices[row->issue->n_slices - 1].start), ok);
    return o;
}

json_t *biq_flow_aging_json(const biq_flow *flow, const biq_flow_aging *g)
{
    bool ok = true;
    json_t *o = json_object(), *items = json_array(), *limits = json_array();
    for (size_t i = 0; i < g->n_rows; i++)
        biq_fl_json_push(items, aging_item(&g->rows[i], &ok), &ok);
    for (size_t i = 0; i < flow->n_statuses; i++) {
        const biq_flow_status_info *st = &flow->statuses[i];
        if (st->wip_limit <= 0 || !st->used)
            continue;
        json_t *l = json_object();
        biq_fl_json_set(l, "statusId", biq_fl_json_id(st->id), &ok);
        biq_fl_json_set(l, "limit", json_integer(st->wip_limit), &ok);
        biq_fl_json_push(limits, l, &ok);
    }
    biq_fl_json_set(o, "referenceP95Days",
                    g->reference_n ? biq_fl_json_real(g->reference_p95_days)
                                   : json_null(),
                    &ok);
    biq_fl_json_set(o, "referenceN", json_integer(g->reference_n), &ok);
    biq_fl_json_set(o, "items", items, &ok);
    biq_fl_json_set(o, "wipLimits", limits, &ok);
    biq_fl_json_set(o, "generatedAt", biq_fl_json_instant(flow->now), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *date_string(int64_t day)
{
    char b[BIQ_CIVIL_DATE_TEXT_MAX];
    return json_string(biq_civil_format_date(day, b, sizeof b));
}

static json_t *cfd_day(const biq_flow_wip_stack *c, size_t d, bool *ok)
{
    json_t *o = json_object(), *counts = json_array();
    for (size_t b = 0; b < c->n_bands; b++)
        biq_fl_json_push(counts, json_integer(c->counts[d * c->n_bands + b]), ok);
    biq_fl_json_set(o, "date", date_string(c->days[d]), ok);
    biq_fl_json_set(o, "at", biq_fl_json_instant(c->sample_at[d]), ok);
    biq_fl_json_set(o, "counts", counts, ok);
    biq_fl_json_set(o, "done", json_integer(c->done_cum[d]), ok);
    biq_fl_json_set(o, "throughput", json_integer(c->throughput[d]), ok);
    biq_fl_json_set(o, "wip", json_integer(c->wip[d]), ok);
    return o;
}

json_t *biq_flow_wip_stack_json(const biq_flow *flow, const biq_flow_wip_stack *c)
{
    bool ok = true;
    json_t *o = json_object(), *bands = json_array(), *days = json_array();
    for (size_t b = 0; b < c->n_bands; b++) {
        json_t *band = json_object();
        biq_fl_json_set(band, "statusId", biq_fl_json_id(c->bands[b]->id), &ok);
        biq_fl_json_set(band, "name", json_string(c->bands[b]->name), &ok);
        biq_fl_json_push(bands, band, &ok);
    }
    for (size_t d = 0; d < c->n_days; d++)
        biq_fl_json_push(days, cfd_day(c, d, &ok), &ok);
    biq_fl_json_set(o, "tz", json_string(biq_tz_name(flow->tz)), &ok);
    biq_fl_json_set(o, "bands", bands, &ok);
    biq_fl_json_set(o, "days", days, &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ------------------------------------------------- cumulative flow */

static json_t *cfd_band(const biq_flow *flow, const biq_flow_cfd *c, size_t b, bool *ok)
{
    const biq_flow_cfd_band *band = &c->bands[b];
    json_t *o = json_object(), *ids = json_array();
    if (band->column)
        for (size_t j = 0; j < band->column->n_statuses; j++)
            biq_fl_json_push(ids, biq_fl_json_id(flow->statuses[band->column->statuses[j]].id),
                             ok);
    else
        biq_fl_json_push(ids, biq_fl_json_id(band->status->id), ok);
    biq_fl_json_set(o, "name", json_string(band->name), ok);
    biq_fl_json_set(o, "statusIds", ids, ok);
    biq_fl_json_set(o, "done", json_boolean(b >= c->done_band), ok);
    biq_fl_json_set(o, "wipLimit",
                    band->column && band->column->wip_limit > 0
                        ? json_integer(band->column->wip_limit)
                        : json_null(),
                    ok);
    return o;
}

static json_t *cfd_row(const biq_flow_cfd *c, size_t d, bool *ok)
{
    json_t *o = json_object(), *reached = json_array();
    for (size_t b = 0; b < c->n_bands; b++)
        biq_fl_json_push(reached, json_integer(c->reached[d * c->n_bands + b]), ok);
    biq_fl_json_set(o, "date", date_string(c->days[d]), ok);
    biq_fl_json_set(o, "at", biq_fl_json_instant(c->sample_at[d]), ok);
    biq_fl_json_set(o, "reached", reached, ok);
    biq_fl_json_set(o, "arrivals", json_integer(c->arrivals[d]), ok);
    biq_fl_json_set(o, "departures", json_integer(c->departures[d]), ok);
    return o;
}

static json_t *cfd_correction(const biq_flow_cfd_correction *x, bool *ok)
{
    json_t *o = json_object();
    biq_fl_json_set(o, "key", biq_fl_json_str(x->issue->issue->key), ok);
    biq_fl_json_set(o, "from", json_string(x->from), ok);
    biq_fl_json_set(o, "to", x->to ? json_string(x->to) : json_null(), ok);
    biq_fl_json_set(o, "at", biq_fl_json_instant(x->at), ok);
    biq_fl_json_set(o, "backAt", biq_fl_json_instant(x->back_at), ok);
    biq_fl_json_set(o, "startDate", date_string(x->start_day), ok);
    biq_fl_json_set(o, "endDate", date_string(x->end_day), ok);
    biq_fl_json_set(o, "ongoing", json_boolean(x->back_at == BIQ_MS_NONE), ok);
    return o;
}

json_t *biq_flow_cfd_json(const biq_flow *flow, const biq_flow_cfd *c)
{
    bool ok = true;
    json_t *o = json_object(), *bands = json_array(), *days = json_array(),
           *corr = json_array();
    uint64_t arrivals = 0, departures = 0;
    for (size_t b = 0; b < c->n_bands; b++)
        biq_fl_json_push(bands, cfd_band(flow, c, b, &ok), &ok);
    for (size_t d = 0; d < c->n_days; d++) {
        biq_fl_json_push(days, cfd_row(c, d, &ok), &ok);
        arrivals += c->arrivals[d];
        departures += c->departures[d];
    }
    for (size_t i = 0; i < c->n_corrections; i++)
        biq_fl_json_push(corr, cfd_correction(&c->corrections[i], &ok), &ok);
    biq_fl_json_set(o, "tz", json_string(biq_tz_name(flow->tz)), &ok);
    biq_fl_json_set(o, "frame", json_string(c->by_columns ? "columns" : "statuses"), &ok);
    biq_fl_json_set(o, "backlogCut", json_boolean(c->backlog_cut), &ok);
    biq_fl_json_set(o, "bands", bands, &ok);
    biq_fl_json_set(o, "doneBand",
                    c->done_band < c->n_bands ? json_integer((json_int_t)c->done_band)
                                              : json_null(),
                    &ok);
    biq_fl_json_set(o, "days", days, &ok);
    biq_fl_json_set(o, "arrivals", json_integer((json_int_t)arrivals), &ok);
    biq_fl_json_set(o, "departures", json_integer((json_int_t)departures), &ok);
    biq_fl_json_set(o, "flowDebt", json_integer((json_int_t)arrivals - (json_int_t)departures),
                    &ok);
    biq_fl_json_set(o, "corrections", corr, &ok);
    biq_fl_json_set(o, "correctionsTruncated", json_boolean(c->corrections_truncated), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *lines(const biq_flow_stats *s, bool *ok)
{
    json_t *o = json_object();
    biq_fl_json_set(o, "count", json_integer(s->count), ok);
    biq_fl_json_set(o, "p50Days", biq_fl_json_days(s->p50_ms), ok);
    biq_fl_json_set(o, "p85Days", biq_fl_json_days(s->p85_ms), ok);
    biq_fl_json_set(o, "p95Days", biq_fl_json_days(s->p95_ms), ok);
    return o;
}

static json_t *point(const biq_flow_scatter_point *p, bool *ok)
{
    json_t *o = json_object();
    biq_fl_json_set(o, "key", biq_fl_json_str(p->issue->issue->key), ok);
    biq_fl_json_set(o, "issueType", biq_fl_json_str(p->issue->issue->issue_type), ok);
    biq_fl_json_set(o, "doneAt", biq_fl_json_instant(p->done_at), ok);
    biq_fl_json_set(o, "leadDays", days_or_null(p->lead_days), ok);
    biq_fl_json_set(o, "cycleDays", days_or_null(p->cycle_days), ok);
    biq_fl_json_set(o, "leadAboveP85", json_boolean(p->lead_above_p85), ok);
    biq_fl_json_set(o, "leadAboveP95", json_boolean(p->lead_above_p95), ok);
    biq_fl_json_set(o, "cycleAboveP85", json_boolean(p->cycle_above_p85), ok);
    biq_fl_json_set(o, "cycleAboveP95", json_boolean(p->cycle_above_p95), ok);
    biq_fl_json_set(o, "summary", biq_fl_json_str(p->issue->issue->summary), ok);
    biq_fl_json_set(o, "createdAt", biq_fl_json_instant(p->issue->slices[0].start), ok);
    biq_fl_json_set(o, "startedAt", biq_fl_json_instant(p->issue->started_at), ok);
    return o;
}

json_t *biq_flow_scatter_json(const biq_flow_scatter *s)
{
    bool ok = true;
    json_t *o = json_object(), *points = json_array();
    for (size_t i = 0; i < s->n_points; i++)
        biq_fl_json_push(points, point(&s->points[i], &ok), &ok);
    biq_fl_json_set(o, "points", points, &ok);
    biq_fl_json_set(o, "lead", lines(&s->lead, &ok), &ok);
    biq_fl_json_set(o, "cycle", lines(&s->cycle, &ok), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *status_or_null(int64_t id)
{
    return id ? biq_fl_json_id(id) : json_null();
}

json_t *biq_flow_findings_json(const biq_flow *flow)
{
    bool ok = true;
    json_t *arr = json_array();
    for (size_t i = 0; i < flow->n_findings; i++) {
        const biq_flow_finding *f = &flow->findings[i];
        json_t *o = json_object();
        bool counts = f->kind == BIQ_DQ_TRUNCATED_HISTORY; /* fields hold counts there */
        biq_fl_json_set(o, "kind", json_string(biq_dq_kind_name(f->kind)), &ok);
        biq_fl_json_set(o, "issueKey", biq_fl_json_str(f->issue_key), &ok);
        biq_fl_json_set(o, "historyId", f->history_id ? biq_fl_json_id(f->history_id) : json_null(),
                        &ok);
        biq_fl_json_set(o, "at", biq_fl_json_instant(f->at), &ok);
        biq_fl_json_set(o, counts ? "changelogTotal" : "expectedStatusId",
                        counts ? json_integer(f->expected_status) : status_or_null(f->expected_status),
                        &ok);
        biq_fl_json_set(o, counts ? "changelogPresent" : "actualStatusId",
                        counts ? json_integer(f->actual_status) : status_or_null(f->actual_status),
                        &ok);
        biq_fl_json_push(arr, o, &ok);
    }
    if (!ok) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

biq_err biq_flow_dashboard_build(const biq_flow *flow, const char *window,
                                 const biq_dashboard_meta *meta, biq_arena *arena, json_t **out)
{
    biq_err err;
    biq_window_spec spec;
    biq_flow_window w;
    biq_flow_report *r = NULL;
    json_t *j = NULL;
    if ((err = biq_window_parse(window, &spec)) != BIQ_OK ||
        (err = biq_flow_window_resolve(flow, &spec, &w)) != BIQ_OK ||
        (err = biq_flow_report_build(flow, &w, arena, &r)) != BIQ_OK)
        goto out;
    if (!(j = biq_flow_dashboard_json(flow, r, meta)))
        err = BIQ_ERR_NOMEM;
out:
    if (err == BIQ_OK)
        *out = j;
    return err;
}

/* ------------------------------------------------------------- forecast */

static json_t *forecast_point(const biq_forecast *f, const biq_forecast_point *pt, bool *ok)
{
    json_t *o = json_object();
    biq_fl_json_set(o, "p", json_integer(pt->p), ok);
    if (f->kind == BIQ_FORECAST_WHEN) {
        biq_fl_json_set(o, "value", pt->reached ? json_integer(pt->value) : json_null(), ok);
        biq_fl_json_set(o, "date", pt->reached ? date_string(pt->day) : json_null(), ok);
        biq_fl_json_set(o, "reached", json_boolean(pt->reached), ok);
    } else {
        biq_fl_json_set(o, "value", json_integer(pt->value), ok);
    }
    return o;
}

static json_t *forecast_inputs(const biq_forecast *f, bool *ok)
{
    const biq_forecast_inputs *in = &f->inputs;
    json_t *o = json_object();
    biq_fl_json_set(o, "basisFrom", date_string(in->basis_first_day), ok);
    biq_fl_json_set(o, "basisTo", date_string(in->basis_last_day), ok);
    biq_fl_json_set(o, "daysSampled", json_integer(in->days_sampled), ok);
    biq_fl_json_set(o, "zeroThroughputDays", json_integer(in->zero_days), ok);
    biq_fl_json_set(o, "totalDone", json_integer((json_int_t)in->total_done), ok);
    biq_fl_json_set(o, "maxPerDay", json_integer(in->max_per_day), ok);
    biq_fl_json_set(o, "workingDays", json_boolean(in->working_days), ok);
    biq_fl_json_set(o, "from", date_string(in->start_day), ok);
    if (f->kind == BIQ_FORECAST_WHEN) {
        biq_fl_json_set(o, "items", json_integer(in->items), ok);
    } else {
        biq_fl_json_set(o, "by", date_string(in->by_day), ok);
        biq_fl_json_set(o, "simulatedDays", json_integer(in->horizon), ok);
    }
    biq_fl_json_set(o, "trials", json_integer(in->trials), ok);
    biq_fl_json_set(o, "seed", json_integer((json_int_t)in->seed), ok);
    return o;
}

/* {"width","buckets":[{"from","to","count"(,"fromDate","toDate")}](,"notReached")}:
 * dates and notReached for "when" only. */
static json_t *forecast_histogram(const biq_forecast *f, bool *ok)
{
    const biq_forecast_histogram *h = &f->histogram;
    json_t *o = json_object(), *bars = json_array();
    for (uint32_t b = 0; b < h->n_buckets; b++) {
        const biq_forecast_bucket *k = &h->buckets[b];
        json_t *bar = json_object();
        biq_fl_json_set(bar, "from", json_integer(k->lo), ok);
        biq_fl_json_set(bar, "to", json_integer(k->hi), ok);
        biq_fl_json_set(bar, "count", json_integer(k->count), ok);
        if (f->kind == BIQ_FORECAST_WHEN) {
            biq_fl_json_set(bar, "fromDate", date_string(k->lo_day), ok);
            biq_fl_json_set(bar, "toDate", date_string(k->hi_day), ok);
        }
        biq_fl_json_push(bars, bar, ok);
    }
    biq_fl_json_set(o, "width", json_integer(h->width), ok);
    biq_fl_json_set(o, "buckets", bars, ok);
    if (f->kind == BIQ_FORECAST_WHEN)
        biq_fl_json_set(o, "notReached", json_integer(h->not_reached), ok);
    return o;
}

json_t *biq_flow_forecast_json(const biq_forecast *f)
{
    bool ok = true;
    json_t *o = json_object(), *pcts = json_array();
    if (f->state == BIQ_FORECAST_OK)
        for (size_t i = 0; i < BIQ_FORECAST_N_PERCENTILES; i++)
            biq_fl_json_push(pcts, forecast_point(f, &f->points[i], &ok), &ok);
    biq_fl_json_set(o, "kind", json_string(biq_forecast_kind_name(f->kind)), &ok);
    biq_fl_json_set(o, "state", json_string(biq_forecast_state_name(f->state)), &ok);
    biq_fl_json_set(o, "percentiles", pcts, &ok);
    biq_fl_json_set(o, "inputs", forecast_inputs(f, &ok), &ok);
    biq_fl_json_set(o, "histogram",
                    f->state == BIQ_FORECAST_OK ? forecast_histogram(f, &ok) : json_null(), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ------------------------------------------------- aging bands and SLEs */

static json_t *band_json(const biq_flow_band *b, bool *ok)
{
    static const char *const keys[BIQ_FLOW_BAND_N_PERCENTILES] = {"p50Days", "p70Days",
                                                                  "p85Days", "p95Days"};
    json_t *o = json_object();
    if (b->status != NULL) {
        biq_fl_json_set(o, "statusId", biq_fl_json_id(b->status->id), ok);
        biq_fl_json_set(o, "status", json_string(b->status->name), ok);
    }
    biq_fl_json_set(o, "n", json_integer(b->n), ok);
    for (size_t k = 0; k < BIQ_FLOW_BAND_N_PERCENTILES; k++)
        biq_fl_json_set(o, keys[k], b->n ? biq_fl_json_days(b->p_ms[k]) : json_null(), ok);
    return o;
}

json_t *biq_flow_bands_json(const biq_flow_bands *b)
{
    bool ok = true;
    json_t *o = json_object(), *statuses = json_array(), *pcts = json_array();
    for (size_t k = 0; k < BIQ_FLOW_BAND_N_PERCENTILES; k++)
        biq_fl_json_push(pcts, json_integer(biq_flow_band_percents[k]), &ok);
    for (size_t i = 0; i < b->n_statuses; i++)
        biq_fl_json_push(statuses, band_json(&b->statuses[i], &ok), &ok);
    biq_fl_json_set(o, "basisDays", json_integer(b->basis_days), &ok);
    biq_fl_json_set(o, "basisFrom", biq_fl_json_instant(b->basis_from), &ok);
    biq_fl_json_set(o, "basisTo", biq_fl_json_instant(b->basis_to), &ok);
    biq_fl_json_set(o, "percentiles", pcts, &ok);
    biq_fl_json_set(o, "statuses", statuses, &ok);
    biq_fl_json_set(o, "inProgress", band_json(&b->span, &ok), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *sle_value(const biq_flow_sle *s)
{
    return json_pack("{s:i,s:i}", "percentile", (int)s->percent, "days", (int)s->days);
}

json_t *biq_flow_sle_json(const biq_flow_sle_set *s, const biq_flow_bands *b)
{
    bool ok = true;
    json_t *o = json_object(), *types = json_array();
    for (size_t i = 0; s != NULL && i < s->n_types; i++) {
        json_t *t = sle_value(&s->types[i].sle);
        biq_fl_json_set(t, "issueType", biq_fl_json_str(s->types[i].issue_type), &ok);
        biq_fl_json_push(types, t, &ok);
    }
    biq_fl_json_set(o, "setting", s != NULL && s->has_project ? sle_value(&s->project)
                                                              : json_null(), &ok);
    biq_fl_json_set(o, "byIssueType", types, &ok);
    json_t *sug = json_null();
    if (b->has_suggestion) {
        sug = sle_value(&b->suggestion);
        biq_fl_json_set(sug, "p85Days", biq_fl_json_days(b->span.p_ms[2]), &ok);
        biq_fl_json_set(sug, "n", json_integer(b->span.n), &ok);
        biq_fl_json_set(sug, "basisDays", json_integer(b->basis_days), &ok);
    }
    biq_fl_json_set(o, "suggestion", sug, &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *pace_fields(json_t *o, const biq_flow_pace *p, bool *ok)
{
    biq_fl_json_set(o, "pace", p->has_pace ? biq_fl_json_real(p->pace) : json_null(), ok);
    biq_fl_json_set(o, "atRisk", json_boolean(p->at_risk), ok);
    return o;
}

static json_t *risk_item(const biq_flow *flow, const biq_flow_pace *p, bool *ok)
{
    const biq_flow_issue_view *v = p->issue;
    const biq_flow_status_info *st =
        biq_flow_status_at(flow, v->slices[v->n_slices - 1].status_index);
    json_t *o = json_object();
    biq_fl_json_set(o, "key", biq_fl_json_str(v->issue->key), ok);
    biq_fl_json_set(o, "statusId", biq_fl_json_id(st->id), ok);
    biq_fl_json_set(o, "status", json_string(st->name), ok);
    biq_fl_json_set(o, "issueType", biq_fl_json_str(v->issue->issue_type), ok);
    biq_fl_json_set(o, "ageDays", biq_fl_json_days((double)p->age_ms), ok);
    pace_fields(o, p, ok);
    biq_fl_json_set(o, "beyondPercentile", json_boolean(p->beyond_percent), ok);
    biq_fl_json_set(o, "overDays", json_boolean(p->over_days), ok);
    biq_fl_json_set(o, "sle", p->sle ? sle_value(p->sle) : json_null(), ok);
    return o;
}

biq_err biq_flow_aging_add_bands(json_t *chart, const biq_flow *flow, const biq_flow_aging *g,
                                 const biq_flow_bands *b, biq_arena *arena)
{
    bool ok = true;
    const biq_flow_sle_set *sles = biq_flow_sles(flow);
    json_t *items = json_object_get(chart, "items"), *risk = json_array();
    biq_flow_pace *rows = NULL;
    size_t n = 0; /* mutate: equivalent const: set by biq_flow_paces before any read */
    if (json_array_size(items) != g->n_rows) {
        json_decref(risk);
        return BIQ_ERR_INVALID;
    }
    for (size_t i = 0; i < g->n_rows; i++) {
        biq_flow_pace p;
        biq_flow_pace_of(flow, b, sles, g->rows[i].issue, &p);
        pace_fields(json_array_get(items, i), &p, &ok);
    }
    biq_err err = biq_flow_paces(flow, b, sles, arena, &rows, &n);
    for (size_t i = 0; i < n && err == BIQ_OK; i++)
        if (rows[i].at_risk)
            biq_fl_json_push(risk, risk_item(flow, &rows[i], &ok), &ok);
    biq_fl_json_set(chart, "bands", biq_flow_bands_json(b), &ok);
    biq_fl_json_set(chart, "sle", biq_flow_sle_json(sles, b), &ok);
    biq_fl_json_set(chart, "atRisk", risk, &ok);
    return err != BIQ_OK ? err : ok ? BIQ_OK : BIQ_ERR_NOMEM;
}

json_t *biq_flow_paces_json(const biq_flow *flow, const biq_flow_bands *b, biq_arena *arena)
{
    bool ok = true;
    const biq_flow_sle_set *sles = biq_flow_sles(flow);
    json_t *o = json_object(), *items = json_array(), *risk = json_array();
    biq_flow_pace *rows = NULL;
    size_t n = 0;
    if (biq_flow_paces(flow, b, sles, arena, &rows, &n) != BIQ_OK)
        ok = false;
    for (size_t i = 0; i < n && ok; i++) {
        biq_fl_json_push(items, risk_item(flow, &rows[i], &ok), &ok);
        if (rows[i].at_risk)
            biq_fl_json_push(risk, risk_item(flow, &rows[i], &ok), &ok);
    }
    biq_fl_json_set(o, "bands", biq_flow_bands_json(b), &ok);
    biq_fl_json_set(o, "sle", biq_flow_sle_json(sles, b), &ok);
    biq_fl_json_set(o, "items", items, &ok);
    biq_fl_json_set(o, "atRisk", risk, &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}
