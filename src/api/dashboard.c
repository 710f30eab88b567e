/* dashboard.c - the project views of the Custom UI: the dashboard, the Flow
 * tab's charts, the CSV export and the issue panel's time in status.
 *
 * Every view is the same steps: check the token's scope, read the
 * project's versions and settings in one tenant transaction, get the
 * loaded project, compute with the flow core at the metrics clock
 * (biq_api_flow_now) outside any transaction. The dashboard is the one
 * view opened on every page load, so its serialised answer is cached
 * (api/cache.h) under everything it depends on; a hit still runs the
 * versions lookup in the tenant transaction, so an acknowledged
 * ingest or settings change, or a reinstall, is never hidden by the cache.
 *
 * The loaded project itself is cached too (api/project_cache.h), keyed by
 * tenant, project, data version, commit time and catalogue fingerprint: what the rows
 * read by store/project_load depend on (settings only shape the flow, so
 * they are not in this key). The model is loaded in a transaction of its
 * own, after the versions one, so that requests waiting for a concurrent
 * load of the same key hold no database connection; that load re-reads
 * the versions at its end, and a model whose data moved
 * while it was read serves the requests at hand but is never kept. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/app.h"
#include "api/explain.h"
#include "api/handlers.h"
#include "api/project_cache.h"
#include "settings/settings.h"
#include "flow/charts_json.h"
#include "flow/dashboard_json.h"
#include "store/backfill.h"
#include "store/project_load.h"
#include "store/settings.h"
#include "tz/civil.h"

#define VIEW_ARENA_LIMIT ((size_t)2 << 30) /* one project's rows and flow */

enum {
    CFD_DEFAULT_DAYS = 30,
    CFD_MAX_DAYS = 366, /* a year of daily rows per request */
    CSV_INITIAL = 64 * 1024,
    FILENAME_MAX_LEN = 128,
    /* A cached dashboard is served for at most this long: open slices run
     * to now, so an answer may not freeze even when no data moved. */
    DASHBOARD_MAX_AGE_MS = 60 * 1000,
};

typedef struct view_job {
    const biq_app *app;
    const char *tenant_id;
    const char *project_key;
    const char *window; /* dashboard key part; NULL for other views */
    biq_arena *arena;
    bool want_backfill;
    char cache_key[BIQ_CACHE_KEY_MAX + 1];
    char *cached; /* a cache hit (malloc'd) */
    size_t cached_len;
    biq_project_versions versions;
    char project_cache_key[BIQ_PROJECT_CACHE_KEY_MAX + 1]; /* "" when not cacheable */
    biq_project_ref *project; /* the held model, when cached */
    biq_project_data data;    /* the model (in project's arena or in arena) */
    json_t *tenant_ov, *project_ov, *backfill;
} view_job;

typedef struct view {
    view_job job;
    biq_settings_flow_config cfg;
    biq_flow *flow;
} view;

/* ------------------------------------------------------------- loading */

/* The data version alone repeats after an uninstall and reinstall; the
 * commit time with it does not (store/settings.h). */
static bool make_cache_key(view_job *job, const char *tenant)
{
    const biq_project_versions *v = &job->versions;
    int n = snprintf(job->cache_key, sizeof job->cache_key,
                     "%zu:%s|%zu:%s|%zu:%s|d%" PRId64 "|s%" PRId64 "|t%" PRId64 "|p%" PRId64
                     "|c%s",
                     strlen(tenant), tenant, strlen(job->project_key), job->project_key,
                     strlen(job->window), job->window, v->data_version, v->committed_us,
                     v->tenant_settings, v->project_settings, v->catalogue);
    return n > 0 && (size_t)n < sizeof job->cache_key;
}

/* Lengths make the key unambiguous whatever the characters of the parts. */
static void make_project_key(view_job *job, const char *tenant)
{
    int n = snprintf(job->project_cache_key, sizeof job->project_cache_key,
                     "%zu:%s|%zu:%s|d%" PRId64 "|s%" PRId64 "|c%s", strlen(tenant), tenant,
                     strlen(job->project_key), job->project_key, job->versions.data_version,
                     job->versions.committed_us, job->versions.catalogue);
    if (n <= 0 || (size_t)n >= sizeof job->project_cache_key)
        job->project_cache_key[0] = '\0'; /* too long to key: loaded per request */
}

static bool use_project_cache(const view_job *job)
{
    return job->app->projects != NULL;
}

/* Everything but the model, which comes from the project cache when it is
 * on (and is loaded here, as one snapshot with the rest, when it is off). */
static biq_err load_tx(biq_tx *tx, void *ctx)
{
    view_job *job = ctx;
    int64_t version;
    biq_err err = biq_store_project_versions(tx, job->project_key, &job->versions);
    if (err != BIQ_OK)
        return err;
    if (!job->versions.installed)
        return BIQ_ERR_NOT_FOUND;
    if (job->window != NULL && job->app->dashboards != NULL &&
        make_cache_key(job, biq_tx_tenant(tx)) &&
        biq_cache_get(job->app->dashboards, job->cache_key, biq_api_flow_now(job->app),
                      DASHBOARD_MAX_AGE_MS, &job->cached, &job->cached_len) == BIQ_OK)
        return BIQ_OK;
    if ((err = biq_store_settings_get(tx, NULL, &job->tenant_ov, &version)) != BIQ_OK ||
        (err = biq_store_settings_get(tx, job->project_key, &job->project_ov, &version)) !=
            BIQ_OK)
        return err;
    if (job->want_backfill &&
        (err = biq_store_backfill_get(tx, job->project_key, &job->backfill)) != BIQ_OK)
        return err;
    if (!use_project_cache(job))
        return biq_store_project_load(tx, job->project_key, job->arena, &job->data);
    make_project_key(job, biq_tx_tenant(tx));
    return BIQ_OK;
}

typedef struct model_load {
    const view_job *job;
    biq_arena *arena;
    biq_project_data *out;
    bool unchanged; /* the versions the key was made of held */
} model_load;

static biq_err model_tx(biq_tx *tx, void *ctx)
{
    model_load *m = ctx;
    const biq_project_versions *was = &m->job->versions;
    biq_project_versions now;
    biq_err err = biq_store_project_load(tx, m->job->project_key, m->arena, m->out);
    if (err == BIQ_OK)
        err = biq_store_project_versions(tx, m->job->project_key, &now);
    /* Statements of a read-committed transaction each see the newest
     * commits: the model is one state of the data only if nothing that
     * the key names moved from before the first statement to the last. */
    m->unchanged = err == BIQ_OK && now.data_version == was->data_version &&
                   now.committed_us == was->committed_us &&
                   m->out->data_version == now.data_version &&
                   strcmp(now.catalogue, was->catalogue) == 0;
    return err;
}

/* The project cache's loader (biq_project_load_fn). */
static biq_err load_model(void *ctx, biq_arena *arena, biq_project_data *out, bool *keep)
{
    const view_job *job = ctx;
    model_load m = {.job = job, .arena = arena, .out = out};
    biq_err err = biq_tx_run(job->app->pool, job->tenant_id, model_tx, &m);
    *keep = m.unchanged;
    return err;
}

/* The model: from the project cache, or (key too long) loaded for this
 * request alone into the view's arena. */
static biq_err get_model(view_job *job)
{
    if (job->project_cache_key[0] == '\0') {
        bool keep;
        return load_model(job, job->arena, &job->data, &keep);
    }
    biq_err err = biq_project_cache_get(job->app->projects, job->project_cache_key, load_model,
                                        job, &job->project);
    if (err == BIQ_OK)
        job->data = *biq_project_ref_data(job->project);
    return err;
}

static biq_err load_failed(biq_response *resp, biq_err err)
{
    if (err == BIQ_ERR_LIMIT)
        return biq_response_error(resp, err, "the project is too large to compute");
    return biq_api_tx_failed(resp, err, "read the project");
}

static biq_err build_flow(view *v, biq_response *resp)
{
    char msg[BIQ_SETTINGS_MESSAGE_MAX];
    const biq_project_data *d = &v->job.data;
    biq_err err = biq_settings_flow_config_build(v->job.tenant_ov, v->job.project_ov, v->job.arena,
                                            &v->cfg, msg, sizeof msg);
    if (err != BIQ_OK)
        return biq_response_error(resp, BIQ_ERR_INTERNAL, "stored settings are unusable: %s", msg);
    biq_flow_input in = biq_settings_flow_input(d, &v->cfg, biq_api_flow_now(v->job.app));
    if ((err = biq_flow_new(&in, v->job.arena, &v->flow)) != BIQ_OK)
        return biq_response_error(resp, err, "could not compute the project's flow");
    return BIQ_OK;
}

/* Scope, load and (unless the dashboard cache answered) the flow. */
static biq_err view_open(view *v, biq_app *app, const biq_request *req, biq_response *resp,
                         const char *project_key)
{
    v->job.app = app;
    v->job.tenant_id = req->tenant->tenant_id;
    v->job.project_key = project_key;
    if ((v->job.arena = biq_arena_new(VIEW_ARENA_LIMIT)) == NULL)
        return biq_response_error(resp, BIQ_ERR_NOMEM, "out of memory");
    biq_err err = biq_tx_run(app->pool, req->tenant->tenant_id, load_tx, &v->job);
    if (err == BIQ_OK && v->job.cached == NULL && use_project_cache(&v->job))
        err = get_model(&v->job);
    if (err != BIQ_OK)
        return load_failed(resp, err);
    return v->job.cached != NULL ? BIQ_OK : build_flow(v, resp);
}

static void view_close(view *v)
{
    if (v->job.project != NULL)
        biq_project_cache_release(v->job.app->projects, v->job.project);
    free(v->job.cached);
    json_decref(v->job.tenant_ov);
    json_decref(v->job.project_ov);
    json_decref(v->job.backfill);
    biq_arena_free(v->job.arena);
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

static json_t *sync_json(const view *v)
{
    char at[32];
    const biq_project_data *d = &v->job.data;
    json_t *last =
        d->last_sync != BIQ_MS_NONE && biq_flow_format_instant(d->last_sync, at, sizeof at)
            ? json_string(at)
            : json_null();
    return json_pack("{s:o,s:o}", "lastSyncAt", last, "backfill",
                     backfill_summary(v->job.backfill));
}

static biq_err dashboard_json(view *v, const char *window, biq_response *resp, json_t **out)
{
    const biq_project_data *d = &v->job.data;
    biq_dashboard_meta meta = {.project_key = v->job.project_key,
                               .project_name = d->name ? d->name : v->job.project_key,
                               .data_version = d->data_version};
    biq_err err = biq_flow_dashboard_build(v->flow, window, &meta, v->job.arena, out);
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
    view v = {0};
    json_t *body = NULL;
    char *text = NULL;
    biq_err err = window_param(req, resp, &v.job.window);
    if (err == BIQ_OK) {
        v.job.want_backfill = true;
        err = view_open(&v, app, req, resp, req->params[0]);
    }
    if (err != BIQ_OK || v.job.cached != NULL) {
        if (err == BIQ_OK)
            err = send_text(req, resp, v.job.cached, v.job.cached_len, "application/json");
        goto out;
    }
    if ((err = dashboard_json(&v, v.job.window, resp, &body)) != BIQ_OK)
        goto out;
    /* Before caching, so the model is asked once per cached dashboard; the
     * AI switch is a tenant setting, so its version is in the cache key. */
    (void)biq_explain_for_dashboard(
        app, !json_is_false(json_object_get(v.job.tenant_ov, "aiExplanations")), body);
    if ((text = biq_flow_json_dumps(body)) == NULL) {
        err = biq_response_error(resp, BIQ_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (app->dashboards != NULL && v.job.cache_key[0] != '\0')
        (void)biq_cache_put(app->dashboards, v.job.cache_key, text, strlen(text),
                            biq_api_flow_now(app)); /* an answer too big to cache is still sent */
    err = send_text(req, resp, text, strlen(text), "application/json");
out:
    free(text);
    json_decref(body);
    view_close(&v);
    return err;
}

/* -------------------------------------------------------------- charts */

biq_err biq_handle_chart_wip_aging(void *app, biq_request *req, biq_response *resp)
{
    view v = {0};
    biq_flow_aging *g = NULL;
    biq_err err = view_open(&v, app, req, resp, req->params[0]);
    if (err == BIQ_OK && (err = biq_flow_wip_aging(v.flow, v.job.arena, &g)) != BIQ_OK)
        err = biq_response_error(resp, err, "could not compute the WIP aging chart");
    if (err == BIQ_OK)
        err = send_json(req, resp, biq_flow_aging_json(v.flow, g));
    view_close(&v);
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

biq_err biq_handle_chart_cfd(void *app, biq_request *req, biq_response *resp)
{
    view v = {0};
    biq_flow_cfd *c = NULL;
    int64_t first = 0, last = 0;
    bool given = false;
    biq_err err = cfd_range(req, resp, &first, &last, &given);
    if (err == BIQ_OK)
        err = view_open(&v, app, req, resp, req->params[0]);
    if (err == BIQ_OK && !given) {
        last = today(v.flow);
        first = last - (CFD_DEFAULT_DAYS - 1);
    }
    if (err == BIQ_OK && (err = biq_flow_cfd_build(v.flow, first, last, v.job.arena, &c)) != BIQ_OK)
        err = biq_response_error(resp, err, "could not compute the cumulative flow chart");
    if (err == BIQ_OK)
        err = send_json(req, resp, biq_flow_cfd_json(v.flow, c));
    view_close(&v);
    return err;
}

/* The window of a windowed view, resolved against the flow. */
static biq_err resolve_window(const view *v, const char *window, biq_response *resp,
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
static biq_err windowed_open(view *v, biq_app *app, biq_request *req, biq_response *resp,
                             const char **window, biq_flow_window *w)
{
    biq_err err = window_param(req, resp, window);
    if (err == BIQ_OK)
        err = view_open(v, app, req, resp, req->params[0]);
    return err == BIQ_OK ? resolve_window(v, *window, resp, w) : err;
}

biq_err biq_handle_chart_scatter(void *app, biq_request *req, biq_response *resp)
{
    view v = {0};
    const char *window = NULL;
    biq_flow_window w;
    biq_flow_scatter *s = NULL;
    biq_err err = windowed_open(&v, app, req, resp, &window, &w);
    if (err == BIQ_OK && (err = biq_flow_scatter_build(v.flow, &w, v.job.arena, &s)) != BIQ_OK)
        err = biq_response_error(resp, err, "could not compute the scatter chart");
    if (err == BIQ_OK)
        err = send_json(req, resp, biq_flow_scatter_json(s));
    view_close(&v);
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

static biq_err csv_text(const view *v, const biq_flow_window *w, biq_arena *out_arena, text_buf *b)
{
    char line[BIQ_FLOW_CSV_LINE_MAX];
    size_t len = 0, n = 0;
    biq_flow_csv_row *rows = NULL;
    biq_err err = biq_flow_csv_rows(v->flow, w, v->job.arena, &rows, &n);
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

/* attachment; filename="KEY-WINDOW.csv" with only safe characters. */
static const char *disposition(biq_arena *arena, const char *key, const char *window)
{
    char name[FILENAME_MAX_LEN];
    snprintf(name, sizeof name, "%s-%s", key, window);
    for (char *p = name; *p != '\0'; p++)
        if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *p) == NULL)
            *p = '_';
    char header[FILENAME_MAX_LEN * 2];
    snprintf(header, sizeof header, "attachment; filename=\"%s.csv\"", name);
    return biq_arena_strdup(arena, header);
}

biq_err biq_handle_export_csv(void *app, biq_request *req, biq_response *resp)
{
    view v = {0};
    const char *window = NULL;
    biq_flow_window w;
    text_buf b = {0};
    biq_err err = windowed_open(&v, app, req, resp, &window, &w);
    if (err == BIQ_OK && (err = csv_text(&v, &w, req->arena, &b)) != BIQ_OK)
        err = biq_response_error(resp, err, "could not build the export");
    if (err == BIQ_OK) {
        resp->status = 200;
        resp->text = b.data != NULL ? b.data : "";
        resp->text_len = b.len;
        resp->content_type = "text/csv; charset=utf-8";
        resp->content_disposition = disposition(req->arena, req->params[0], window);
    }
    view_close(&v);
    return err;
}

/* ------------------------------------------------------- issue panel */

/* The issue of the token's context, by key or id. */
biq_err biq_handle_time_in_status(void *app, biq_request *req, biq_response *resp)
{
    view v = {0};
    /* The route admits only the token's own issue (routes.c). */
    biq_err err = view_open(&v, app, req, resp, req->tenant->project_key);
    const biq_flow_issue_view *iv = NULL;
    if (err == BIQ_OK) {
        iv = biq_flow_issue_by_key(v.flow, req->tenant->issue_key);
        if (iv == NULL)
            err = biq_response_error(resp, BIQ_ERR_NOT_FOUND, "no data for this issue yet");
    }
    if (err == BIQ_OK)
        err = send_json(req, resp, biq_flow_issue_json(v.flow, iv));
    view_close(&v);
    return err;
}
