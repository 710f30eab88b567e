/* blocked_json.c - JSON and CSV of flow efficiency, an item's blocked spans
 * and the sprint reports (blocked_json.h). */
#include <stdio.h>

#include "flow/blocked_json.h"
#include "flow/flow_internal.h"
#include "flow/json_util.h"

enum { RATIO_BUF = 32, ID_BUF = 24 };

static json_t *ratio_or_null(bool has, double v)
{
    return has ? biq_fl_json_real(v) : json_null();
}

json_t *biq_flow_efficiency_json(const biq_flow_efficiency *e)
{
    bool ok = true;
    json_t *o = json_object(), *prev = json_object();
    const biq_flow_efficiency_window *c = &e->cur, *p = &e->prev;
    biq_fl_json_set(o, "value", ratio_or_null(c->has_value, c->value), &ok);
    biq_fl_json_set(o, "meanOfRatios", ratio_or_null(c->n_ratios > 0, c->mean_ratio), &ok);
    biq_fl_json_set(o, "n", json_integer(c->n), &ok);
    biq_fl_json_set(o, "nRatios", json_integer(c->n_ratios), &ok);
    biq_fl_json_set(o, "cycleDays", biq_fl_json_days((double)c->cycle_ms), &ok);
    biq_fl_json_set(o, "activeUnblockedDays", biq_fl_json_days((double)c->active_unblocked_ms),
                    &ok);
    biq_fl_json_set(o, "blockedDays", biq_fl_json_days((double)c->blocked_ms), &ok);
    biq_fl_json_set(o, "blockedShare", ratio_or_null(c->has_value, c->blocked_share), &ok);
    biq_fl_json_set(prev, "value", ratio_or_null(p->has_value, p->value), &ok);
    biq_fl_json_set(prev, "meanOfRatios", ratio_or_null(p->n_ratios > 0, p->mean_ratio), &ok);
    biq_fl_json_set(prev, "n", json_integer(p->n), &ok);
    biq_fl_json_set(prev, "blockedShare", ratio_or_null(p->has_value, p->blocked_share), &ok);
    biq_fl_json_set(o, "previous", prev, &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *span_json(const biq_flow_block_span *s, bool *ok)
{
    json_t *o = json_object();
    biq_fl_json_set(o, "start", biq_fl_json_instant(s->start), ok);
    biq_fl_json_set(o, "end", s->open ? json_null() : biq_fl_json_instant(s->end), ok);
    biq_fl_json_set(o, "open", json_boolean(s->open), ok);
    return o;
}

static const char *key_of(const biq_flow *flow, int64_t id)
{
    for (size_t i = 0; i < flow->n_issues; i++)
        if (flow->issues[i].issue->id == id)
            return flow->issues[i].issue->key;
    return NULL;
}

static json_t *spans_json(const biq_flow_block_span *s, size_t n, bool *ok)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        biq_fl_json_push(a, span_json(&s[i], ok), ok);
    return a;
}

json_t *biq_flow_blocked_json(const biq_flow *flow, const biq_flow_blocked *b)
{
    bool ok = true;
    json_t *o = json_object(), *links = json_array(), *rows = json_array();
    for (size_t i = 0; i < b->n_links; i++) {
        const biq_flow_block_span *s = &b->links[i];
        json_t *l = span_json(s, &ok);
        biq_fl_json_set(l, "blockerId", biq_fl_json_id(s->blocker_id), &ok);
        biq_fl_json_set(l, "blockerKey",
                        biq_fl_json_str(s->blocker_loaded ? key_of(flow, s->blocker_id) : NULL),
                        &ok);
        biq_fl_json_set(l, "blockerLoaded", json_boolean(s->blocker_loaded), &ok);
        biq_fl_json_push(links, l, &ok);
    }
    for (size_t i = 0; i < b->n_per_status; i++) {
        const biq_flow_blocked_status *r = &b->per_status[i];
        json_t *row = json_object();
        biq_fl_json_set(row, "statusId", biq_fl_json_id(r->status_id), &ok);
        biq_fl_json_set(row, "status", json_string(flow->statuses[r->status_index].name), &ok);
        biq_fl_json_set(row, "flaggedDays", biq_fl_json_days((double)r->flagged_ms), &ok);
        biq_fl_json_set(row, "blockedByLinkDays", biq_fl_json_days((double)r->link_ms), &ok);
        biq_fl_json_set(row, "blockedDays", biq_fl_json_days((double)r->blocked_ms), &ok);
        biq_fl_json_push(rows, row, &ok);
    }
    biq_fl_json_set(o, "flaggedDays", biq_fl_json_days((double)b->flagged_ms), &ok);
    biq_fl_json_set(o, "blockedByLinkDays", biq_fl_json_days((double)b->link_ms), &ok);
    biq_fl_json_set(o, "blockedDays", biq_fl_json_days((double)b->blocked_ms), &ok);
    biq_fl_json_set(o, "flaggedNow", json_boolean(b->flagged_now), &ok);
    biq_fl_json_set(o, "blockedNow", json_boolean(b->blocked_now), &ok);
    biq_fl_json_set(o, "unloadedBlockers", json_integer(b->n_unloaded), &ok);
    biq_fl_json_set(o, "flagged", spans_json(b->flags, b->n_flags, &ok), &ok);
    biq_fl_json_set(o, "links", links, &ok);
    biq_fl_json_set(o, "spans", spans_json(b->spans, b->n_spans, &ok), &ok);
    biq_fl_json_set(o, "perStatus", rows, &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *item_json(const biq_sprint_item *it, bool *ok)
{
    json_t *o = json_object();
    biq_fl_json_set(o, "key", biq_fl_json_str(it->issue->issue->key), ok);
    biq_fl_json_set(o, "committed", json_boolean(it->committed), ok);
    biq_fl_json_set(o, "added", json_boolean(it->added), ok);
    biq_fl_json_set(o, "removed", json_boolean(it->removed), ok);
    biq_fl_json_set(o, "completed", json_boolean(it->completed), ok);
    biq_fl_json_set(o, "carriedOver", json_boolean(it->carried_over), ok);
    biq_fl_json_set(o, "doneBeforeStart", json_boolean(it->done_before_start), ok);
    biq_fl_json_set(o, "inAtEnd", json_boolean(it->in_at_end), ok);
    return o;
}

static json_t *report_json(const biq_sprint_report *r, bool *ok)
{
    json_t *o = json_object(), *items = json_array(), *timeline = json_array(),
           *why = json_object();
    for (size_t i = 0; i < r->n_items; i++)
        biq_fl_json_push(items, item_json(&r->items[i], ok), ok);
    for (size_t i = 0; i < r->n_events; i++) {
        json_t *e = json_object();
        biq_fl_json_set(e, "at", biq_fl_json_instant(r->events[i].at), ok);
        biq_fl_json_set(e, "key", biq_fl_json_str(r->events[i].issue->issue->key), ok);
        biq_fl_json_set(e, "change", json_string(r->events[i].added ? "added" : "removed"), ok);
        biq_fl_json_push(timeline, e, ok);
    }
    biq_fl_json_set(why, "truncatedHistory", json_integer(r->n_truncated), ok);
    biq_fl_json_set(why, "sprintFieldMissing", json_integer(r->n_field_missing), ok);
    biq_fl_json_set(why, "historyGap", json_integer(r->n_gaps), ok);
    biq_fl_json_set(o, "id", biq_fl_json_id(r->sprint->id), ok);
    biq_fl_json_set(o, "name", biq_fl_json_str(r->sprint->name), ok);
    biq_fl_json_set(o, "state", biq_fl_json_str(r->sprint->state), ok);
    biq_fl_json_set(o, "start", biq_fl_json_instant(r->start), ok);
    biq_fl_json_set(o, "end", biq_fl_json_instant(r->end), ok);
    biq_fl_json_set(o, "active", json_boolean(r->active), ok);
    biq_fl_json_set(o, "committed", json_integer(r->committed), ok);
    biq_fl_json_set(o, "added", json_integer(r->added), ok);
    biq_fl_json_set(o, "removed", json_integer(r->removed), ok);
    biq_fl_json_set(o, "completed", json_integer(r->completed), ok);
    biq_fl_json_set(o, "carriedOver", json_integer(r->carried_over), ok);
    biq_fl_json_set(o, "doneBeforeStart", json_integer(r->done_before_start), ok);
    biq_fl_json_set(o, "completionRatio", ratio_or_null(r->has_ratio, r->completion_ratio), ok);
    biq_fl_json_set(o, "approximate", json_boolean(r->approximate), ok);
    biq_fl_json_set(o, "approximateReasons", why, ok);
    biq_fl_json_set(o, "items", items, ok);
    biq_fl_json_set(o, "timeline", timeline, ok);
    return o;
}

json_t *biq_flow_sprint_reports_json(const biq_flow *flow, const biq_flow_sprint_reports *rs)
{
    bool ok = true;
    json_t *o = json_object(), *list = json_array();
    for (size_t i = 0; i < rs->n; i++)
        biq_fl_json_push(list, report_json(&rs->reports[i], &ok), &ok);
    biq_fl_json_set(o, "sprints", list, &ok);
    biq_fl_json_set(o, "generatedAt", biq_fl_json_instant(flow->now), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ------------------------------------------------------------------ CSV */

static biq_err line_done(const biq_fl_csv_line *l, size_t *len)
{
    *len = l->len;
    return l->overflow ? BIQ_ERR_TOO_LARGE : BIQ_OK;
}

static void put_bool(biq_fl_csv_line *l, bool v, bool last)
{
    biq_fl_csv_raw(l, v ? "true" : "false");
    biq_fl_csv_raw(l, last ? "\r\n" : ",");
}

/* Six decimals: enough for a share, the same text on every platform. */
static void put_ratio(biq_fl_csv_line *l, bool has, double v)
{
    char b[RATIO_BUF];
    if (has && snprintf(b, sizeof b, "%.6f", v) < (int)sizeof b)
        biq_fl_csv_raw(l, b);
}

static biq_err header(const char *text, char *buf, size_t size, size_t *len)
{
    biq_fl_csv_line l = {buf, size, 0, size == 0};
    biq_fl_csv_raw(&l, text);
    return line_done(&l, len);
}

biq_err biq_flow_csv_efficiency_header(char *buf, size_t size, size_t *len)
{
    return header("issue_key,summary,started,done,cycle_seconds,active_seconds,"
                  "active_unblocked_seconds,blocked_seconds,efficiency\r\n",
                  buf, size, len);
}

biq_err biq_flow_csv_efficiency_line(const biq_flow_efficiency_item *it, char *buf, size_t size,
                                     size_t *len)
{
    biq_fl_csv_line l = {buf, size, 0, size == 0};
    biq_fl_csv_text(&l, it->issue->issue->key);
    biq_fl_csv_raw(&l, ",");
    biq_fl_csv_text(&l, it->issue->issue->summary);
    biq_fl_csv_raw(&l, ",");
    biq_fl_csv_instant(&l, it->issue->started_at);
    biq_fl_csv_raw(&l, ",");
    biq_fl_csv_instant(&l, it->issue->done_at);
    biq_fl_csv_raw(&l, ",");
    biq_fl_csv_seconds(&l, it->cycle_ms);
    biq_fl_csv_raw(&l, ",");
    biq_fl_csv_seconds(&l, it->active_ms);
    biq_fl_csv_raw(&l, ",");
    biq_fl_csv_seconds(&l, it->active_unblocked_ms);
    biq_fl_csv_raw(&l, ",");
    biq_fl_csv_seconds(&l, it->blocked_ms);
    biq_fl_csv_raw(&l, ",");
    put_ratio(&l, it->has_ratio, it->ratio);
    biq_fl_csv_raw(&l, "\r\n");
    return line_done(&l, len);
}

biq_err biq_flow_csv_sprints_header(char *buf, size_t size, size_t *len)
{
    return header("sprint_id,sprint,state,sprint_start,sprint_end,issue_key,committed,added,"
                  "removed,completed,carried_over,done_before_start,approximate\r\n",
                  buf, size, len);
}

biq_err biq_flow_csv_sprints_line(const biq_sprint_report *r, const biq_sprint_item *it,
                                  char *buf, size_t size, size_t *len)
{
    char id[ID_BUF];
    biq_fl_csv_line l = {buf, size, 0, size == 0};
    snprintf(id, sizeof id, "%lld", (long long)r->sprint->id);
    biq_fl_csv_raw(&l, id);
    biq_fl_csv_raw(&l, ",");
    biq_fl_csv_text(&l, r->sprint->name);
    biq_fl_csv_raw(&l, ",");
    biq_fl_csv_text(&l, r->sprint->state);
    biq_fl_csv_raw(&l, ",");
    biq_fl_csv_instant(&l, r->start);
    biq_fl_csv_raw(&l, ",");
    biq_fl_csv_instant(&l, r->end);
    biq_fl_csv_raw(&l, ",");
    biq_fl_csv_text(&l, it->issue->issue->key);
    biq_fl_csv_raw(&l, ",");
    put_bool(&l, it->committed, false);
    put_bool(&l, it->added, false);
    put_bool(&l, it->removed, false);
    put_bool(&l, it->completed, false);
    put_bool(&l, it->carried_over, false);
    put_bool(&l, it->done_before_start, false);
    put_bool(&l, r->approximate, true);
    return line_done(&l, len);
}
