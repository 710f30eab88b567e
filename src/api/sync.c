/* sync.c - the routes that keep the Forge side's scheduled work going:
 * the UI asks for a (new) backfill, the Forge poll picks the requests up,
 * the daily reconcile reads its "since" and records its success, and
 * reports the issue ids Jira still has so that deletions are caught. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/app.h"
#include "api/handlers.h"
#include "ingest/ingest.h"
#include "store/ingest.h"
#include "store/sync.h"

enum { RECONCILE_IDS_MAX = 1000000 }; /* a Jira project's issues, with room */

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
    biq_err err = biq_api_parse_body(req, resp, &body);
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
    if (err == BIQ_ERR_NOT_FOUND)
        return biq_response_error(resp, err, "this installation is not registered yet");
    if (err != BIQ_OK)
        return biq_response_error(resp, err, "could not record the request");
    biq_response_json(resp, 202, json_pack("{s:s,s:s}", "project", req->params[0], "state", "queued"));
    return BIQ_OK;
}

/* GET /forge/backfill/requests, GET /forge/reconcile (the Forge side) */

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

struct record_job {
    biq_ms started, finished;
    int64_t projects, issues;
};

static biq_err record_tx(biq_tx *tx, void *ctx)
{
    struct record_job *job = ctx;
    biq_err err = biq_store_tenant_ensure(tx);
    return err == BIQ_OK ? biq_store_reconcile_record(tx, job->started, job->finished,
                                                      job->projects, job->issues)
                         : err;
}

static biq_err instant_member(json_t *body, const char *name, biq_ms *out, biq_response *resp)
{
    json_t *v = json_object_get(body, name);
    const char *text = json_string_value(v);
    if (text == NULL || biq_parse_instant(text, strlen(text), out) != BIQ_OK)
        return biq_response_error(resp, BIQ_ERR_SHAPE, "%s: expected an ISO 8601 instant", name);
    return BIQ_OK;
}

static biq_err count_member(json_t *body, const char *name, int64_t *out, biq_response *resp)
{
    json_t *v = json_object_get(body, name);
    if (json_is_array(v)) {
        *out = (int64_t)json_array_size(v);
        return BIQ_OK;
    }
    if (v != NULL && (!json_is_integer(v) || json_integer_value(v) < 0 ||
                      json_integer_value(v) > INT32_MAX))
        return biq_response_error(resp, BIQ_ERR_SHAPE, "%s: expected a count or a list", name);
    *out = v != NULL ? json_integer_value(v) : 0;
    return BIQ_OK;
}

biq_err biq_handle_reconcile_record(void *app_ptr, biq_request *req, biq_response *resp)
{
    biq_app *app = app_ptr;
    struct record_job job = {0};
    json_t *body = NULL;
    biq_err err = biq_api_parse_body(req, resp, &body);
    if (err == BIQ_OK && (err = instant_member(body, "startedAt", &job.started, resp)) == BIQ_OK &&
        (err = instant_member(body, "finishedAt", &job.finished, resp)) == BIQ_OK &&
        (err = count_member(body, "projects", &job.projects, resp)) == BIQ_OK &&
        (err = count_member(body, "issues", &job.issues, resp)) == BIQ_OK) {
        if (job.finished < job.started)
            err = biq_response_error(resp, BIQ_ERR_SHAPE, "finishedAt: earlier than startedAt");
        else if ((err = biq_tx_run(app->pool, req->tenant->tenant_id, record_tx, &job)) != BIQ_OK)
            biq_response_error(resp, err, err == BIQ_ERR_NOT_FOUND
                                              ? "this installation is not registered yet"
                                              : "could not record the reconcile");
        else
            biq_response_json(resp, 200, json_pack("{s:b}", "ok", 1));
    }
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

/* Every id a positive integer, as a number or a numeric string. */
static biq_err read_ids(json_t *body, struct ids_job *job, biq_response *resp)
{
    json_t *list = json_object_get(body, "ids"), *v;
    size_t i;
    if (!json_is_array(list) || json_array_size(list) > RECONCILE_IDS_MAX)
        return biq_response_error(resp, BIQ_ERR_SHAPE, "ids: expected a list of at most %d ids",
                                  RECONCILE_IDS_MAX);
    job->n = json_array_size(list);
    job->ids = biq_arena_calloc(job->arena, job->n + 1, sizeof *job->ids);
    if (job->ids == NULL)
        return biq_response_error(resp, BIQ_ERR_NOMEM, "ids: too many to hold");
    json_array_foreach(list, i, v) {
        const char *text = json_string_value(v);
        char *end = NULL;
        long long id = json_is_integer(v) ? (long long)json_integer_value(v)
                       : text != NULL     ? strtoll(text, &end, 10)
                                          : 0;
        if (id <= 0 || (text != NULL && (end == text || *end != '\0')))
            return biq_response_error(resp, BIQ_ERR_SHAPE, "ids[%zu]: expected a positive issue id", i);
        job->ids[i] = id;
    }
    return BIQ_OK;
}

biq_err biq_handle_reconcile_ids(void *app_ptr, biq_request *req, biq_response *resp)
{
    biq_app *app = app_ptr;
    struct ids_job job = {.project = req->params[0], .arena = req->arena};
    json_t *body = NULL;
    biq_err err = biq_api_parse_body(req, resp, &body);
    if (err == BIQ_OK && (err = read_ids(body, &job, resp)) == BIQ_OK) {
        err = biq_tx_run(app->pool, req->tenant->tenant_id, ids_tx, &job);
        if (err != BIQ_OK)
            biq_response_error(resp, err, err == BIQ_ERR_NOT_FOUND
                                              ? "this installation is not registered yet"
                                              : "could not apply the id list");
        else
            biq_response_json(resp, 200, json_pack("{s:s,s:I,s:I}", "project", job.project, "ids",
                                                   (json_int_t)job.n, "removed",
                                                   (json_int_t)job.removed));
    }
    json_decref(body);
    return err;
}
