/* boards.c - POST /forge/boards/{projectKey} (issue #15): the Forge side's
 * reading of a project's board configurations. Parsed whole first (a bad
 * body is a 4xx naming the problem and writes nothing), then, when it
 * differs from the stored set, the stored set is replaced and the
 * project's data version moved in one tenant transaction, so cached views
 * pick up the new column order. The same boards again (the daily
 * reconcile) write nothing and keep the version, and with it every cached
 * model and dashboard of the project. The answer's "changed" says which. */
#include "api/app.h"
#include "api/handlers.h"
#include "ingest/ingest.h"
#include "store/ingest.h"
#include "store/ingest_extras.h"

struct boards_job {
    const char *project;
    biq_arena *arena;
    const biq_board *boards;
    size_t n;
    bool changed; /* the stored set differed: replaced, version moved */
};

static biq_err boards_tx(biq_tx *tx, void *ctx)
{
    struct boards_job *job = ctx;
    biq_err err = biq_store_tenant_ensure(tx);
    if (err == BIQ_OK)
        err = biq_store_boards_replace(tx, job->project, job->boards, job->n, job->arena,
                                       &job->changed);
    if (err == BIQ_OK && job->changed)
        err = biq_store_data_version_bump(tx, job->project);
    return err;
}

biq_err biq_handle_boards(void *app_ptr, biq_request *req, biq_response *resp)
{
    biq_app *app = app_ptr;
    struct boards_job job = {.project = req->params[0], .arena = req->arena};
    biq_parse_error perr;
    json_t *root = NULL;
    if (!biq_ingest_project_key_ok(job.project))
        return biq_response_error(resp, BIQ_ERR_INVALID, "projectKey: not a Jira project key");
    biq_err err = biq_ingest_load(req->body, req->body_len, &root, &perr);
    if (err == BIQ_OK)
        err = biq_parse_boards(root, req->arena, &job.boards, &job.n, &perr);
    if (err != BIQ_OK) {
        err = biq_response_error(resp, err, "%s", perr.message);
        goto out;
    }
    err = biq_tx_run(app->pool, req->tenant->tenant_id, boards_tx, &job);
    if (err == BIQ_ERR_NOT_FOUND) {
        biq_response_json(resp, 202,
                          json_pack("{s:s}", "rejected", "installation is not registered"));
        err = BIQ_OK;
    } else if (err != BIQ_OK) {
        biq_response_error(resp, err, "could not store the boards");
    } else {
        biq_response_json(resp, 200, json_pack("{s:b,s:I,s:b}", "ok", 1, "boards",
                                                    (json_int_t)job.n, "changed", job.changed));
    }
out:
    json_decref(root);
    return err;
}
