/* sync.c - the routes that keep the Forge side's scheduled work going:
 * the UI asks for a (new) backfill, the Forge poll picks the requests up,
 * the daily reconcile reads its "since" and records its success, and
 * reports the issue ids Jira still has so that deletions are caught. The
 * bodies are read by the pure parsers of api/bodies.h defined here. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/app.h"
#include "api/bodies.h"
#include "api/handlers.h"
#include "ingest/ingest.h"
#include "store/ingest.h"
#include "store/sync.h"

/* POST /api/v1/projects/{key}/backfill (the UI) */

static biq_err request_tx(biq_tx *tx, void *ctx)
{
    const biq_request *req = ctx;
    biq_err err = biq_store_tenant_ensure(tx);
    return err == BIQ_OK ? biq_store_backfill_request(tx, req->params[0], req->tenant->principal)
                         : err;
}

/* The body asks for nothing: absent or {} (what the UI sends). Anything
 * else is a broken caller, told rather than served: 400 for bad JSON, 422
 * for another shape. */
static biq_err backfill_request_body(const biq_request *req, biq_response *resp)
{
    json_t *body = NULL;
    if (req->body_len == 0)
        return BIQ_OK;
    biq_err err = biq_request_body_object(req, resp, &body);
    if (err == BIQ_OK && json_object_size(body) > 0)
        err = biq_response_error(resp, BIQ_ERR_SHAPE, "%s: unexpected member (the body is {})",
                                 json_object_iter_key(json_object_iter(body)));
    json_decref(body);
    return err;
}

biq_err biq_handle_backfill_request(void *app_ptr, biq_request *req, biq_response *resp)
{
    biq_app *app = app_ptr;
    biq_err err = backfill_request_body(req, resp);
    if (err != BIQ_OK)
        return err;
    err = biq_tx_run(app->pool, req->tenant->tenant_id, request_tx, req);
    if (err != BIQ_OK)
        return biq_api_tx_failed(resp, err, "record the request");
    biq_response_json(resp, 202, json_pack("{s:s,s:s}", "project", req->params[0], "state", "queued"));
    return BIQ_OK;
}

/* GET /forge/backfill/requests (which claims what it lists, store/sync.h),
 * GET /forge/reconcile (the Forge side) */

struct read_job {
    biq_err (*read)(biq_tx *tx, json_t **out);
    json_t *out;
};

static biq_err read_tx(biq_tx *tx, void *ctx)
{
    struct read_job *job = ctx;
    return job->read(tx, &job->out);
}

static biq_err answer_read(biq_app *app, biq_request *req, biq_response *resp,
                           biq_err (*read)(biq_tx *, json_t **))
{
    struct read_job job = {read, NULL};
    biq_err err = biq_tx_run(app->pool, req->tenant->tenant_id, read_tx, &job);
    if (err != BIQ_OK) {
        json_decref(job.out);
        return biq_response_error(resp, err, "could not read the sync state");
    }
    biq_response_json(resp, 200, job.out);
    return BIQ_OK;
}

biq_err biq_handle_backfill_requests(void *app, biq_request *req, biq_response *resp)
{
    return answer_read(app, req, resp, biq_store_backfill_requests);
}

biq_err biq_handle_reconcile_get(void *app, biq_request *req, biq_response *resp)
{
    return answer_read(app, req, resp, biq_store_reconcile_get);
}

/* POST /forge/reconcile */

static biq_err record_tx(biq_tx *tx, void *ctx)
{
    const biq_api_reconcile *job = ctx;
    biq_err err = biq_store_tenant_ensure(tx);
    return err == BIQ_OK ? biq_store_reconcile_record(tx, job->started, job->finished,
                                                      job->projects, job->issues)
                         : err;
}

static biq_err refuse(char *why, size_t why_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static biq_err refuse(char *why, size_t why_len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_len, fmt, ap);
    va_end(ap);
    return BIQ_ERR_SHAPE;
}

static biq_err instant_member(const json_t *body, const char *name, biq_ms *out, char *why,
                              size_t why_len)
{
    const char *text = json_string_value(json_object_get(body, name));
    if (text == NULL || biq_parse_instant(text, strlen(text), out) != BIQ_OK)
        return refuse(why, why_len, "%s: expected an ISO 8601 instant", name);
    return BIQ_OK;
}

static biq_err count_member(const json_t *body, const char *name, int64_t *out, char *why,
                            size_t why_len)
{
    const json_t *v = json_object_get(body, name);
    if (json_is_array(v) && json_array_size(v) <= INT32_MAX) {
        *out = (int64_t)json_array_size(v);
        return BIQ_OK;
    }
    if (v != NULL && (!json_is_integer(v) || json_integer_value(v) < 0 ||
                      json_integer_value(v) > INT32_MAX))
        return refuse(why, why_len, "%s: expected a count or a list", name);
    *out = v != NULL ? json_integer_value(v) : 0;
    return BIQ_OK;
}

biq_err biq_api_reconcile_parse(const json_t *body, biq_api_reconcile *out, char *why,
                                size_t why_len)
{
    biq_err err;
    if ((err = instant_member(body, "startedAt", &out->started, why, why_len)) == BIQ_OK &&
        (err = instant_member(body, "finishedAt", &out->finished, why, why_len)) == BIQ_OK &&
        (err = count_member(body, "projects", &out->projects, why, why_len)) == BIQ_OK &&
        (err = count_member(body, "issues", &out->issues, why, why_len)) == BIQ_OK &&
        out->finished < out->started)
        err = refuse(why, why_len, "finishedAt: earlier than startedAt");
    return err;
}

biq_err biq_handle_reconcile_record(void *app_ptr, biq_request *req, biq_response *resp)
{
    biq_app *app = app_ptr;
    biq_api_reconcile job = {0};
    char why[BIQ_API_WHY_MAX];
    json_t *body = NULL;
    biq_err err = biq_request_body_object(req, resp, &body);
    if (err != BIQ_OK)
        return err;
    if ((err = biq_api_reconcile_parse(body, &job, why, sizeof why)) != BIQ_OK)
        biq_response_error(resp, err, "%s", why);
    else if ((err = biq_tx_run(app->pool, req->tenant->tenant_id, record_tx, &job)) != BIQ_OK)
        biq_api_tx_failed(resp, err, "record the reconcile");
    else
        biq_response_json(resp, 200, json_pack("{s:b}", "ok", 1));
    json_decref(body);
    return err;
}

/* POST /forge/reconcile/{projectKey}/ids */

struct ids_job {
    const char *project;
    int64_t *ids;
    size_t n, removed;
    biq_arena *arena;
};

static biq_err ids_tx(biq_tx *tx, void *ctx)
{
    struct ids_job *job = ctx;
    biq_err err = biq_store_tenant_ensure(tx);
    if (err == BIQ_OK)
        err = biq_store_reconcile_ids(tx, job->project, job->ids, job->n, job->arena,
                                      &job->removed);
    if (err == BIQ_OK && job->removed > 0)
        err = biq_store_data_version_bump(tx, job->project);
    return err;
}

/* One id: a positive JSON integer, or the plain decimal digits of one
 * (no sign, space or leading zero; strtoll alone takes " 12" and "+12" and
 * saturates "99999999999999999999" to INT64_MAX). 0 when it is neither. */
static int64_t issue_id(const json_t *v)
{
    if (json_is_integer(v))
        return json_integer_value(v) > 0 ? (int64_t)json_integer_value(v) : 0;
    const char *text = json_string_value(v);
    size_t n = text != NULL ? strlen(text) : 0;
    if (n == 0 || n > BIQ_API_ISSUE_ID_DIGITS_MAX || text[0] == '0' ||
        strspn(text, "0123456789") != n || n != json_string_length(v))
        return 0;
    errno = 0;
    long long id = strtoll(text, NULL, 10);
    return errno == 0 && id > 0 ? (int64_t)id : 0;
}

biq_err biq_api_reconcile_ids_parse(const json_t *body, biq_arena *arena, int64_t **ids,
                                    size_t *n, char *why, size_t why_len)
{
    const json_t *list = json_object_get(body, "ids"), *v;
    size_t i;
    *ids = NULL;
    *n = 0;
    if (!json_is_array(list) || json_array_size(list) > BIQ_API_RECONCILE_IDS_MAX)
        return refuse(why, why_len, "ids: expected a list of at most %d ids",
                      BIQ_API_RECONCILE_IDS_MAX);
    int64_t *out = biq_arena_calloc(arena, json_array_size(list) + 1, sizeof *out);
    if (out == NULL) {
        snprintf(why, why_len, "ids: too many to hold");
        return BIQ_ERR_NOMEM;
    }
    json_array_foreach(list, i, v) {
        if ((out[i] = issue_id(v)) <= 0)
            return refuse(why, why_len, "ids[%zu]: expected a positive issue id (digits only)",
                          i);
    }
    *ids = out;
    *n = json_array_size(list);
    return BIQ_OK;
}

biq_err biq_handle_reconcile_ids(void *app_ptr, biq_request *req, biq_response *resp)
{
    biq_app *app = app_ptr;
    struct ids_job job = {.project = req->params[0], .arena = req->arena};
    char why[BIQ_API_WHY_MAX];
    json_t *body = NULL;
    if (!biq_ingest_project_key_ok(job.project))
        return biq_response_error(resp, BIQ_ERR_INVALID, "projectKey: not a Jira project key");
    biq_err err = biq_request_body_object(req, resp, &body);
    if (err != BIQ_OK)
        return err;
    if ((err = biq_api_reconcile_ids_parse(body, job.arena, &job.ids, &job.n, why, sizeof why)) !=
        BIQ_OK)
        biq_response_error(resp, err, "%s", why);
    else if ((err = biq_tx_run(app->pool, req->tenant->tenant_id, ids_tx, &job)) != BIQ_OK)
        biq_api_tx_failed(resp, err, "apply the id list");
    else
        biq_response_json(resp, 200, json_pack("{s:s,s:I,s:I}", "project", job.project, "ids",
                                               (json_int_t)job.n, "removed",
                                               (json_int_t)job.removed));
    json_decref(body);
    return err;
}
