/* views.c - the project views of the Custom UI: the dashboard, the Flow
 * tab's charts (run charts included), the forecast, the CSV export and the issue
 * panel's time in status.
 *
 * Every view is the same steps: the route has checked the token's scope
 * (routes.c), the project is opened for reading (views/open.h: snapshot,
 * caches, flow at the flow clock), then the flow core computes the answer.
 * The dashboard's serialised answer is kept in the dashboard cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/app.h"
#include "api/explain.h"
#include "api/handlers.h"
#include "flow/blocked_json.h"
#include "flow/charts_json.h"
#include "flow/dashboard_json.h"
#include "tz/civil.h"
#include "views/open.h"

enum {
    CFD_DEFAULT_DAYS = 30,
    CFD_MAX_DAYS = 366, /* a year of daily rows per request */
    CSV_INITIAL = 64 * 1024,
    FILENAME_MAX_LEN = 128,
};

/* The answer of a view that could not be opened. */
static biq_err open_failed(const biq_view *v, biq_response *resp, biq_err err)
{
    switch (v->failed) {
    case BIQ_VIEWS_FAILED_MEMORY:
        return biq_response_error(resp, err, "out of memory");
    case BIQ_VIEWS_FAILED_SETTINGS:
        return biq_response_error(resp, BIQ_ERR_INTERNAL, "stored settings are unusable: %s",
                                  v->msg);
    case BIQ_VIEWS_FAILED_FLOW:
        return biq_response_error(resp, err, "could not compute the project's flow");
    case BIQ_VIEWS_FAILED_LOAD:
        break;
    }
    if (err == BIQ_ERR_LIMIT)
        return biq_response_error(resp, err, "the project is too large to compute");
    return biq_api_tx_failed(resp, err, "read the project");
}

/* ?asOf=YYYY-MM-DD: the project as it was at the end of that day (a day
 * not yet over reads as now); absent: now. *text is the day as asked. */
static biq_err as_of_param(const biq_request *req, biq_response *resp, int64_t *day,
                           const char **text)
{
    *day = BIQ_VIEWS_NOW;
    if (biq_request_query(req, "asOf", text) != BIQ_OK ||
        (*text != NULL && biq_civil_parse_date(*text, day) != BIQ_OK))
        return biq_response_error(resp, BIQ_ERR_INVALID,
                                  "asOf: expected a calendar date YYYY-MM-DD");
    return BIQ_OK;
}

/* Opens project_key for the token's tenant (as of ?asOf=); the error
 * answer on failure. */
static biq_err view_open(biq_view *v, biq_app *app, const biq_request *req, biq_response *resp,
                         const char *project_key, const char *window, bool want_backfill)
{
    biq_views_env env = biq_api_views_env(app);
    int64_t day;
    const char *text;
    biq_err err = as_of_param(req, resp, &day, &text);
    if (err != BIQ_OK)
        return err;
    err = biq_views_open(v, &env, req->tenant->tenant_id, project_key, window, want_backfill,
                         day);
    return err == BIQ_OK ? BIQ_OK : open_failed(v, resp, err);
}

static biq_err window_param(const biq_request *req, biq_response *resp, const char **window)
{
    biq_window_spec spec;
    if (biq_request_query(req, "window", window) != BIQ_OK || biq_window_parse(*window, &spec))
        return biq_response_error(resp, BIQ_ERR_INVALID,
                                  "window: expected 7d, 30d, 90d, 1..365, mtd, qtd, "
                                  "sprint-current, sprint-last or sprint-last3");
    if (*window == NULL || (*window)[0] == '\0')
        *window = "30d";
    return BIQ_OK;
}

/* Sends a serialised JSON text (copied into the request arena). */
static biq_err send_text(biq_request *req, biq_response *resp, const char *text, size_t len,
                         const char *type)
{
    char *copy = biq_arena_strndup(req->arena, text, len);
    if (copy == NULL)
        return biq_response_error(resp, BIQ_ERR_NOMEM, "out of memory");
    resp->status = 200;
    resp->text = copy;
    resp->text_len = len;
    resp->content_type = type;
    return BIQ_OK;
}

static biq_err send_json(biq_request *req, biq_response *resp, json_t *body)
{
    char *text = body != NULL ? biq_flow_json_dumps(body) : NULL;
    json_decref(body);
    if (text == NULL)
        return biq_response_error(resp, BIQ_ERR_NOMEM, "out of memory");
    biq_err err = send_text(req, resp, text, strlen(text), "application/json");
    free(text);
    return err;
}

/* ----------------------------------------------------------- dashboard */

static json_t *backfill_summary(const json_t *state)
{
    const json_t *total = json_object_get(state, "total");
    return json_pack("{s:O,s:O,s:O}", "state", json_object_get(state, "state"), "received",
                     json_object_get(state, "received"), "total",
                     total != NULL ? total : json_null());
}

static json_t *sync_json(const biq_view *v)
{
    char at[32];
    const biq_project_data *d = &v->data;
    json_t *last =
        d->last_sync != BIQ_MS_NONE && biq_flow_format_instant(d->last_sync, at, sizeof at)
            ? json_string(at)
            : json_null();
    return json_pack("{s:o,s:o}", "lastSyncAt", last, "backfill",
                     backfill_summary(v->backfill));
}

static biq_err dashboard_json(biq_view *v, const char *window, biq_response *resp, json_t **out)
{
    const biq_project_data *d = &v->data;
    char as_of[BIQ_CIVIL_DATE_TEXT_MAX];
    if (v->as_of_day != BIQ_VIEWS_NOW)
        biq_civil_format_date(v->as_of_day, as_of, sizeof as_of);
    biq_dashboard_meta meta = {.project_key = v->project_key,
                               .project_name = d->name ? d->name : v->project_key,
                               .data_version = d->data_version,
                               .as_of = v->as_of_day != BIQ_VIEWS_NOW ? as_of : NULL};
    biq_err err = biq_flow_dashboard_build(v->flow, window, &meta, v->arena, out);
    if (err == BIQ_ERR_NOT_FOUND)
        return biq_response_error(resp, err, "window: the project has no sprint for %s", window);
    if (err != BIQ_OK)
        return biq_response_error(resp, err, "could not compute the dashboard");
    json_t *sync = sync_json(v);
    if (sync == NULL || json_object_set_new(*out, "sync", sync) != 0) {
        json_decref(*out);
        return biq_response_error(resp, BIQ_ERR_NOMEM, "out of memory");
    }
    return BIQ_OK;
}

biq_err biq_handle_dashboard(void *app_ptr, biq_request *req, biq_response *resp)
{
    biq_app *app = app_ptr;
    biq_view v = {0};
    json_t *body = NULL;
    char *text = NULL;
    const char *window = NULL;
    biq_err err = window_param(req, resp, &window);
    if (err == BIQ_OK)
        err = view_open(&v, app, req, resp, req->params[0], window, true);
    if (err != BIQ_OK || v.cached != NULL) {
        if (err == BIQ_OK)
            err = send_text(req, resp, v.cached, v.cached_len, "application/json");
        goto out;
    }
    if ((err = dashboard_json(&v, window, resp, &body)) != BIQ_OK)
        goto out;
    /* Before caching, so the model is asked once per cached dashboard; the
     * AI switch is a tenant setting, so its version is in the cache key. */
    (void)biq_explain_for_dashboard(
        app, !json_is_false(json_object_get(v.tenant_ov, "aiExplanations")), body);
    if ((text = biq_flow_json_dumps(body)) == NULL) {
        err = biq_response_error(resp, BIQ_ERR_NOMEM, "out of memory");
        goto out;
    }
    biq_views_keep(&v, text, strlen(text));
    err = send_text(req, resp, text, strlen(text), "application/json");
out:
    free(text);
    json_decref(body);
    biq_views_close(&v);
    return err;
}

/* -------------------------------------------------------------- charts */

/* ?backlog=true adds the items never started (the chart's toggle);
 * absent or false: work in progress only. */
static biq_err backlog_param(const biq_request *req, biq_response *resp, bool *on)
{
    const char *v = NULL;
    *on = false;
    if (biq_request_query(req, "backlog", &v) != BIQ_OK ||
        (v != NULL && strcmp(v, "true") != 0 && strcmp(v, "false") != 0))
        return biq_response_error(resp, BIQ_ERR_INVALID, "backlog: expected true or false");
    *on = v != NULL && strcmp(v, "true") == 0;
    return BIQ_OK;
}

biq_err biq_handle_chart_wip_aging(void *app, biq_request *req, biq_response *resp)
{
    biq_view v = {0};
    biq_flow_aging *g = NULL;
    bool backlog = false;
    biq_err err = backlog_param(req, resp, &backlog);
    if (err == BIQ_OK)
        err = view_open(&v, app, req, resp, req->params[0], NULL, false);
    biq_flow_bands *bands = NULL;
    json_t *chart = NULL;
    if (err == BIQ_OK && ((err = biq_flow_wip_aging_with(v.flow, backlog, v.arena, &g)) != BIQ_OK ||
                          (err = biq_flow_bands_build(v.flow, 0, v.arena, &bands)) != BIQ_OK))
        err = biq_response_error(resp, err, "could not compute the WIP aging chart");
    /* The bands, pace and SLEs (docs/metrics.md, "Aging bands and pace"). */
    if (err == BIQ_OK && ((chart = biq_flow_aging_json(v.flow, g)) == NULL ||
                          biq_flow_aging_add_bands(chart, v.flow, g, bands, v.arena) != BIQ_OK)) {
        json_decref(chart);
        chart = NULL;
        err = biq_response_error(resp, BIQ_ERR_NOMEM, "out of memory");
    }
    if (err == BIQ_OK)
        err = send_json(req, resp, chart);
    biq_views_close(&v);
    return err;
}

/* from/to (YYYY-MM-DD, both or neither); neither: the CFD_DEFAULT_DAYS
 * ending today in the schedule's zone, resolved once the flow exists. */
static biq_err cfd_range(const biq_request *req, biq_response *resp, int64_t *first, int64_t *last,
                         bool *given)
{
    const char *from = NULL, *to = NULL;
    if (biq_request_query(req, "from", &from) != BIQ_OK ||
        biq_request_query(req, "to", &to) != BIQ_OK || (from == NULL) != (to == NULL))
        return biq_response_error(resp, BIQ_ERR_INVALID, "from, to: give both dates or neither");
    *given = from != NULL;
    if (!*given)
        return BIQ_OK;
    if (biq_civil_parse_date(from, first) != BIQ_OK)
        return biq_response_error(resp, BIQ_ERR_INVALID, "from: expected a date YYYY-MM-DD");
    if (biq_civil_parse_date(to, last) != BIQ_OK)
        return biq_response_error(resp, BIQ_ERR_INVALID, "to: expected a date YYYY-MM-DD");
    if (*last < *first || *last - *first + 1 > CFD_MAX_DAYS)
        return biq_response_error(resp, BIQ_ERR_INVALID,
                                  "to: must be on or after from, at most %d days later",
                                  CFD_MAX_DAYS - 1);
    return BIQ_OK;
}

static int64_t today(const biq_flow *flow)
{
    biq_ms now = biq_flow_now(flow);
    return biq_floor_div(now + (int64_t)biq_tz_offset_at(biq_flow_tz(flow), now) * 1000,
                         BIQ_MS_PER_DAY);
}

/* ?cut=backlog: the CFD counts from the first committed column. */
static biq_err cut_param(const biq_request *req, biq_response *resp, bool *cut)
{
    const char *v = NULL;
    if (biq_request_query(req, "cut", &v) != BIQ_OK || (v != NULL && strcmp(v, "backlog") != 0))
        return biq_response_error(resp, BIQ_ERR_INVALID, "cut: expected backlog or nothing");
    *cut = v != NULL;
    return BIQ_OK;
}

/* The day range of a daily chart: from/to, or the CFD_DEFAULT_DAYS to today. */
static biq_err chart_open(biq_view *v, biq_app *app, biq_request *req, biq_response *resp,
                          int64_t *first, int64_t *last)
{
    bool given = false;
    biq_err err = cfd_range(req, resp, first, last, &given);
    if (err == BIQ_OK)
        err = view_open(v, app, req, resp, req->params[0], NULL, false);
    if (err == BIQ_OK && !given) {
        *last = today(v->flow);
        *first = *last - (CFD_DEFAULT_DAYS - 1);
    }
    return err;
}

biq_err biq_handle_chart_cfd(void *app, biq_request *req, biq_response *resp)
{
    biq_view v = {0};
    biq_flow_cfd *c = NULL;
    int64_t first = 0, last = 0;
    bool cut = false;
    biq_err err = cut_param(req, resp, &cut);
    if (err == BIQ_OK)
        err = chart_open(&v, app, req, resp, &first, &last);
    if (err == BIQ_OK &&
        (err = biq_flow_cfd_build(v.flow, first, last, cut, v.arena, &c)) != BIQ_OK)
        err = biq_response_error(resp, err, "could not compute the cumulative flow chart");
    if (err == BIQ_OK)
        err = send_json(req, resp, biq_flow_cfd_json(v.flow, c));
    biq_views_close(&v);
    return err;
}

biq_err biq_handle_chart_wip_stack(void *app, biq_request *req, biq_response *resp)
{
    biq_view v = {0};
    biq_flow_wip_stack *c = NULL;
    int64_t first = 0, last = 0;
    biq_err err = chart_open(&v, app, req, resp, &first, &last);
    if (err == BIQ_OK &&
        (err = biq_flow_wip_stack_build(v.flow, first, last, v.arena, &c)) != BIQ_OK)
        err = biq_response_error(resp, err, "could not compute the stacked WIP chart");
    if (err == BIQ_OK)
        err = send_json(req, resp, biq_flow_wip_stack_json(v.flow, c));
    biq_views_close(&v);
    return err;
}

/* The window of a windowed view, resolved against the flow. */
static biq_err resolve_window(const biq_view *v, const char *window, biq_response *resp,
                              biq_flow_window *w)
{
    biq_window_spec spec;
    biq_err err = biq_window_parse(window, &spec);
    if (err == BIQ_OK)
        err = biq_flow_window_resolve(v->flow, &spec, w);
    if (err == BIQ_ERR_NOT_FOUND)
        return biq_response_error(resp, err, "window: the project has no sprint for %s", window);
    return err == BIQ_OK ? BIQ_OK : biq_response_error(resp, err, "window: cannot be resolved");
}

/* Scope, window and flow for the scatter and the export. */
static biq_err windowed_open(biq_view *v, biq_app *app, biq_request *req, biq_response *resp,
                             const char **window, biq_flow_window *w)
{
    biq_err err = window_param(req, resp, window);
    if (err == BIQ_OK)
        err = view_open(v, app, req, resp, req->params[0], NULL, false);
    return err == BIQ_OK ? resolve_window(v, *window, resp, w) : err;
}

biq_err biq_handle_chart_scatter(void *app, biq_request *req, biq_response *resp)
{
    biq_view v = {0};
    const char *window = NULL;
    biq_flow_window w;
    biq_flow_scatter *s = NULL;
    biq_err err = windowed_open(&v, app, req, resp, &window, &w);
    if (err == BIQ_OK && (err = biq_flow_scatter_build(v.flow, &w, v.arena, &s)) != BIQ_OK)
        err = biq_response_error(resp, err, "could not compute the scatter chart");
    if (err == BIQ_OK)
        err = send_json(req, resp, biq_flow_scatter_json(s));
    biq_views_close(&v);
    return err;
}

/* The run charts with their XmR limits and signals (?window=). */
biq_err biq_handle_chart_runs(void *app, biq_request *req, biq_response *resp)
{
    biq_view v = {0};
    const char *window = NULL;
    biq_flow_window w;
    biq_flow_runs *r = NULL;
    biq_err err = windowed_open(&v, app, req, resp, &window, &w);
    if (err == BIQ_OK && (err = biq_flow_runs_build(v.flow, &w, v.arena, &r)) != BIQ_OK)
        err = biq_response_error(resp, err, "could not compute the run charts");
    if (err == BIQ_OK)
        err = send_json(req, resp, biq_flow_runs_json(r));
    biq_views_close(&v);
    return err;
}

/* ------------------------------------------------------------- forecast */

/* items=N (when) or by=YYYY-MM-DD (how many), from=YYYY-MM-DD (default
 * today in the schedule's zone), basis=N days (1..365, default 30),
 * seed=N (0..2^53-1, default BIQ_FORECAST_SEED_DEFAULT). */
static biq_err forecast_params(const biq_request *req, biq_response *resp,
                               biq_forecast_spec *spec, bool *from_given)
{
    const char *items = NULL, *by = NULL, *from = NULL, *basis = NULL, *seed = NULL;
    int64_t v = 0;
    if (biq_request_query(req, "items", &items) != BIQ_OK ||
        biq_request_query(req, "by", &by) != BIQ_OK ||
        biq_request_query(req, "from", &from) != BIQ_OK ||
        biq_request_query(req, "basis", &basis) != BIQ_OK ||
        biq_request_query(req, "seed", &seed) != BIQ_OK || (items == NULL) == (by == NULL))
        return biq_response_error(resp, BIQ_ERR_INVALID,
                                  "items, by: give exactly one of items=N (when) or "
                                  "by=YYYY-MM-DD (how many)");
    *spec = (biq_forecast_spec){.seed = BIQ_FORECAST_SEED_DEFAULT};
    if (items != NULL) {
        spec->kind = BIQ_FORECAST_WHEN;
        if (!biq_flow_forecast_number(items, BIQ_FORECAST_MAX_ITEMS, &v) || v < 1)
            return biq_response_error(resp, BIQ_ERR_INVALID, "items: expected 1..%d",
                                      BIQ_FORECAST_MAX_ITEMS);
        spec->items = (int32_t)v;
    } else {
        spec->kind = BIQ_FORECAST_HOW_MANY;
        if (biq_civil_parse_date(by, &spec->by_day) != BIQ_OK)
            return biq_response_error(resp, BIQ_ERR_INVALID, "by: expected a date YYYY-MM-DD");
    }
    *from_given = from != NULL;
    if (from != NULL && biq_civil_parse_date(from, &spec->start_day) != BIQ_OK)
        return biq_response_error(resp, BIQ_ERR_INVALID, "from: expected a date YYYY-MM-DD");
    if (basis != NULL) {
        if (!biq_flow_forecast_number(basis, BIQ_FORECAST_MAX_BASIS_DAYS, &v) || v < 1)
            return biq_response_error(resp, BIQ_ERR_INVALID, "basis: expected 1..%d days",
                                      BIQ_FORECAST_MAX_BASIS_DAYS);
        spec->basis_days = (int32_t)v;
    }
    if (seed != NULL) {
        if (!biq_flow_forecast_number(seed, BIQ_FORECAST_MAX_SEED, &v))
            return biq_response_error(resp, BIQ_ERR_INVALID,
                                      "seed: expected 0..9007199254740991");
        spec->seed = (uint64_t)v;
    }
    return BIQ_OK;
}

biq_err biq_handle_forecast(void *app, biq_request *req, biq_response *resp)
{
    biq_view v = {0};
    biq_forecast_spec spec;
    bool from_given = false;
    biq_forecast *f = NULL;
    biq_err err = forecast_params(req, resp, &spec, &from_given);
    if (err == BIQ_OK)
        err = view_open(&v, app, req, resp, req->params[0], NULL, false);
    if (err == BIQ_OK && !from_given) /* today, as biq analyze counts it */
        spec.start_day = biq_tz_local_day(biq_flow_tz(v.flow), biq_flow_now(v.flow));
    if (err == BIQ_OK && spec.kind == BIQ_FORECAST_HOW_MANY &&
        (spec.by_day <= spec.start_day ||
         spec.by_day - spec.start_day > BIQ_FORECAST_MAX_HORIZON_DAYS))
        err = biq_response_error(resp, BIQ_ERR_INVALID,
                                 "by: must be after from, at most %d days later",
                                 BIQ_FORECAST_MAX_HORIZON_DAYS);
    if (err == BIQ_OK && (err = biq_flow_forecast(v.flow, &spec, v.arena, &f)) != BIQ_OK)
        err = biq_response_error(resp, err, "could not compute the forecast");
    if (err == BIQ_OK)
        err = send_json(req, resp, biq_flow_forecast_json(f));
    biq_views_close(&v);
    return err;
}

/* --------------------------------------------------------------- export */

typedef struct text_buf {
    biq_arena *arena;
    char *data;
    size_t len, cap;
} text_buf;

static bool buf_append(text_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : CSV_INITIAL;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *d = biq_arena_realloc(b->arena, b->data, b->cap, cap);
        if (d == NULL)
            return false;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

/* What a table may take besides the window (?cut=backlog for the CFD). */
typedef struct csv_options {
    bool backlog_cut;
} csv_options;

static biq_err csv_text(const biq_view *v, const biq_flow_window *w, const csv_options *o,
                        biq_arena *out_arena, text_buf *b)
{
    (void)o;
    char line[BIQ_FLOW_CSV_LINE_MAX];
    size_t len = 0, n = 0;
    biq_flow_csv_row *rows = NULL;
    biq_err err = biq_flow_csv_rows(v->flow, w, v->arena, &rows, &n);
    b->arena = out_arena;
    if (err == BIQ_OK && (err = biq_flow_csv_header(line, sizeof line, &len)) == BIQ_OK &&
        !buf_append(b, line, len))
        err = BIQ_ERR_NOMEM;
    for (size_t i = 0; i < n && err == BIQ_OK; i++) {
        /* A line too long for the buffer (a huge summary) is a bug in
         * the limits, never a silently truncated row. */
        if ((err = biq_flow_csv_format(&rows[i], line, sizeof line, &len)) == BIQ_OK &&
            !buf_append(b, line, len))
            err = BIQ_ERR_NOMEM;
    }
    return err;
}

/* table=efficiency: one row per item done in the window (issue #15). */
static biq_err csv_efficiency(const biq_view *v, const biq_flow_window *w, const csv_options *o,
                              biq_arena *out_arena, text_buf *b)
{
    (void)o;
    char line[BIQ_FLOW_CSV_LINE_MAX];
    size_t len = 0;
    biq_flow_efficiency *e = NULL;
    biq_err err = biq_flow_efficiency_build(v->flow, w, v->arena, &e);
    b->arena = out_arena;
    if (err == BIQ_OK &&
        (err = biq_flow_csv_efficiency_header(line, sizeof line, &len)) == BIQ_OK &&
        !buf_append(b, line, len))
        err = BIQ_ERR_NOMEM;
    for (size_t i = 0; err == BIQ_OK && i < e->n_items; i++)
        if ((err = biq_flow_csv_efficiency_line(&e->items[i], line, sizeof line, &len)) ==
                BIQ_OK &&
            !buf_append(b, line, len))
            err = BIQ_ERR_NOMEM;
    return err;
}

/* table=sprints: one row per (sprint, item) of every sprint report; the
 * window does not apply (each sprint is its own window). */
static biq_err csv_sprints(const biq_view *v, const biq_flow_window *w, const csv_options *o,
                           biq_arena *out_arena, text_buf *b)
{
    (void)o;
    char line[BIQ_FLOW_CSV_LINE_MAX];
    size_t len = 0;
    biq_flow_sprint_reports *rs = NULL;
    biq_err err = biq_flow_sprint_reports_build(v->flow, v->arena, &rs);
    (void)w;
    b->arena = out_arena;
    if (err == BIQ_OK && (err = biq_flow_csv_sprints_header(line, sizeof line, &len)) == BIQ_OK &&
        !buf_append(b, line, len))
        err = BIQ_ERR_NOMEM;
    for (size_t i = 0; err == BIQ_OK && i < rs->n; i++)
        for (size_t j = 0; err == BIQ_OK && j < rs->reports[i].n_items; j++)
            if ((err = biq_flow_csv_sprints_line(&rs->reports[i], &rs->reports[i].items[j], line,
                                                 sizeof line, &len)) == BIQ_OK &&
                !buf_append(b, line, len))
                err = BIQ_ERR_NOMEM;
    return err;
}

/* table=cfd: one line per local day of the window and CFD band. */
static biq_err csv_cfd(const biq_view *v, const biq_flow_window *w, const csv_options *o,
                       biq_arena *out_arena, text_buf *b)
{
    char line[BIQ_FLOW_CSV_LINE_MAX];
    size_t len = 0;
    biq_flow_cfd *c = NULL;
    const biq_tz *tz = biq_flow_tz(v->flow);
    biq_err err = biq_flow_cfd_build(v->flow, biq_tz_local_day(tz, w->from + 1),
                                     biq_tz_local_day(tz, w->to), o->backlog_cut, v->arena, &c);
    b->arena = out_arena;
    if (err == BIQ_OK && (err = biq_flow_cfd_csv_header(line, sizeof line, &len)) == BIQ_OK &&
        !buf_append(b, line, len))
        err = BIQ_ERR_NOMEM;
    for (size_t d = 0; err == BIQ_OK && d < c->n_days; d++)
        for (size_t k = 0; err == BIQ_OK && k < c->n_bands; k++)
            if ((err = biq_flow_cfd_csv_format(c, d, k, line, sizeof line, &len)) == BIQ_OK &&
                !buf_append(b, line, len))
                err = BIQ_ERR_NOMEM;
    return err;
}

/* export.csv?table=runs: every point of every run chart. */
static biq_err csv_runs(const biq_view *v, const biq_flow_window *w, const csv_options *o,
                        biq_arena *out_arena, text_buf *b)
{
    (void)o;
    char line[BIQ_FLOW_CSV_LINE_MAX];
    size_t len = 0;
    biq_flow_runs *r = NULL;
    biq_err err = biq_flow_runs_build(v->flow, w, v->arena, &r);
    b->arena = out_arena;
    if (err == BIQ_OK && (err = biq_flow_runs_csv_header(line, sizeof line, &len)) == BIQ_OK &&
        !buf_append(b, line, len))
        err = BIQ_ERR_NOMEM;
    for (int k = 0; k < BIQ_RUN__COUNT && err == BIQ_OK; k++)
        for (size_t i = 0; i < r->series[k].n_points && err == BIQ_OK; i++)
            if ((err = biq_flow_runs_csv_line(r, (biq_run_kind)k, i, line, sizeof line, &len)) ==
                    BIQ_OK &&
                !buf_append(b, line, len))
                err = BIQ_ERR_NOMEM;
    return err;
}

/* export.csv?table=aging: one row per item in progress with its pace
 * against the project's SLEs (the window plays no part: ages are at now). */
static biq_err csv_aging(const biq_view *v, const biq_flow_window *w, const csv_options *o,
                         biq_arena *out_arena, text_buf *b)
{
    char line[BIQ_FLOW_CSV_LINE_MAX];
    size_t len = 0, n = 0;
    biq_flow_bands *bands = NULL;
    biq_flow_pace *rows = NULL;
    (void)w;
    (void)o;
    biq_err err = biq_flow_bands_build(v->flow, 0, v->arena, &bands);
    b->arena = out_arena;
    if (err == BIQ_OK)
        err = biq_flow_paces(v->flow, bands, biq_flow_sles(v->flow), v->arena, &rows, &n);
    if (err == BIQ_OK && (err = biq_flow_aging_csv_header(line, sizeof line, &len)) == BIQ_OK &&
        !buf_append(b, line, len))
        err = BIQ_ERR_NOMEM;
    for (size_t i = 0; i < n && err == BIQ_OK; i++)
        if ((err = biq_flow_aging_csv_format(v->flow, &rows[i], line, sizeof line, &len)) ==
                BIQ_OK &&
            !buf_append(b, line, len))
            err = BIQ_ERR_NOMEM;
    return err;
}

/* The export's tables (?table=, default slices: the bytes of before). */
typedef biq_err (*csv_builder)(const biq_view *v, const biq_flow_window *w,
                               const csv_options *o, biq_arena *out_arena, text_buf *b);
typedef struct csv_table {
    const char *name;
    csv_builder build;
} csv_table;

static const csv_table CSV_TABLES[] = {
    {"slices", csv_text},
    {"efficiency", csv_efficiency},
    {"sprints", csv_sprints},
    {"cfd", csv_cfd},
    {"runs", csv_runs},
    {"aging", csv_aging},
};

static biq_err table_param(const biq_request *req, biq_response *resp, const csv_table **out)
{
    const char *t = NULL;
    *out = &CSV_TABLES[0];
    if (biq_request_query(req, "table", &t) != BIQ_OK)
        t = "";
    if (t == NULL)
        return BIQ_OK;
    for (size_t i = 0; i < sizeof CSV_TABLES / sizeof CSV_TABLES[0]; i++)
        if (strcmp(t, CSV_TABLES[i].name) == 0) {
            *out = &CSV_TABLES[i];
            return BIQ_OK;
        }
    return biq_response_error(resp, BIQ_ERR_INVALID,
                              "table: expected slices, efficiency, sprints, cfd, runs or aging");
}

/* attachment; filename="KEY-WINDOW.csv" (KEY-WINDOW-TABLE.csv for a table
 * other than slices) with only safe characters. */
static const char *disposition(biq_arena *arena, const char *key, const char *window,
                               const csv_table *table)
{
    char name[FILENAME_MAX_LEN];
    if (table == &CSV_TABLES[0])
        snprintf(name, sizeof name, "%s-%s", key, window);
    else
        snprintf(name, sizeof name, "%s-%s-%s", key, window, table->name);
    for (char *p = name; *p != '\0'; p++)
        if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *p) == NULL)
            *p = '_';
    char header[FILENAME_MAX_LEN * 2];
    snprintf(header, sizeof header, "attachment; filename=\"%s.csv\"", name);
    return biq_arena_strdup(arena, header);
}

biq_err biq_handle_export_csv(void *app, biq_request *req, biq_response *resp)
{
    biq_view v = {0};
    const char *window = NULL;
    biq_flow_window w;
    text_buf b = {0};
    const csv_table *table = NULL;
    csv_options opts = {0};
    biq_err err = table_param(req, resp, &table);
    if (err == BIQ_OK)
        err = cut_param(req, resp, &opts.backlog_cut);
    if (err == BIQ_OK)
        err = windowed_open(&v, app, req, resp, &window, &w);
    if (err == BIQ_OK && (err = table->build(&v, &w, &opts, req->arena, &b)) != BIQ_OK)
        err = biq_response_error(resp, err, "could not build the export");
    if (err == BIQ_OK) {
        resp->status = 200;
        resp->text = b.data != NULL ? b.data : "";
        resp->text_len = b.len;
        resp->content_type = "text/csv; charset=utf-8";
        resp->content_disposition = disposition(req->arena, req->params[0], window, table);
    }
    biq_views_close(&v);
    return err;
}

/* ------------------------------------------------------- issue panel */

/* The time in status with the item's flagged and blocked spans ("blocked");
 * NULL when out of memory. */
static json_t *issue_panel_json(const biq_view *v, const biq_flow_issue_view *iv)
{
    biq_flow_blocked *bl = NULL;
    json_t *o = biq_flow_issue_json(v->flow, iv);
    if (o != NULL && (biq_flow_blocked_build(v->flow, iv, v->arena, &bl) != BIQ_OK ||
                      json_object_set_new(o, "blocked", biq_flow_blocked_json(v->flow, bl)) != 0)) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

/* The issue of the token's context, by key or id. */
biq_err biq_handle_time_in_status(void *app, biq_request *req, biq_response *resp)
{
    biq_view v = {0};
    /* The route admits only the token's own issue (routes.c). */
    biq_err err = view_open(&v, app, req, resp, req->tenant->project_key, NULL, false);
    const biq_flow_issue_view *iv = NULL;
    if (err == BIQ_OK) {
        iv = biq_flow_issue_by_key(v.flow, req->tenant->issue_key);
        if (iv == NULL)
            err = biq_response_error(resp, BIQ_ERR_NOT_FOUND, "no data for this issue yet");
    }
    if (err == BIQ_OK)
        err = send_json(req, resp, issue_panel_json(&v, iv));
    biq_views_close(&v);
    return err;
}

/* ------------------------------------------------------- sprint report */

biq_err biq_handle_sprint_report(void *app, biq_request *req, biq_response *resp)
{
    biq_view v = {0};
    biq_flow_sprint_reports *rs = NULL;
    biq_err err = view_open(&v, app, req, resp, req->params[0], NULL, false);
    if (err == BIQ_OK && (err = biq_flow_sprint_reports_build(v.flow, v.arena, &rs)) != BIQ_OK)
        err = biq_response_error(resp, err, "could not compute the sprint report");
    if (err == BIQ_OK)
        err = send_json(req, resp, biq_flow_sprint_reports_json(v.flow, rs));
    biq_views_close(&v);
    return err;
}
