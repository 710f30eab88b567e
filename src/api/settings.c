/* settings.c - GET|PUT /api/v1/tenant/settings and
 * /api/v1/projects/{key}/settings: read or merge the stored overrides in
 * one tenant transaction. What the fields are, how a PUT is validated
 * (422 naming the field) and merged, and what the overrides mean for the
 * flow core live in settings/settings.h. A PUT that changes nothing
 * writes nothing. */
#include "api/app.h"
#include "api/handlers.h"
#include "flow/charts_json.h"
#include "settings/settings.h"
#include "store/settings.h"
#include "views/open.h"

typedef struct settings_job {
    const char *project_key; /* NULL: the tenant's */
    const json_t *body; /* PUT only */
    const char *principal;
    json_t *result;
    char msg[BIQ_SETTINGS_MESSAGE_MAX];
} settings_job;

/* Beside a project's settings, what the data suggests and no setting takes
 * by itself: {"sle": {"percentile": 85, "days", "p85Days", "n",
 * "basisDays"} | null}, the P85 of cycle time over the last 90 days
 * (docs/metrics.md, "Service level expectations"). A project that cannot
 * be read (no data yet) suggests nothing: null, never a failed answer. */
static biq_err add_suggestions(biq_app *app, const char *tenant_id, const char *project_key,
                               json_t *result)
{
    biq_views_env env = biq_api_views_env(app);
    biq_view v = {0};
    biq_flow_bands *b = NULL;
    json_t *sle = NULL;
    if (biq_views_open(&v, &env, tenant_id, project_key, NULL, false, BIQ_VIEWS_NOW) == BIQ_OK &&
        biq_flow_bands_build(v.flow, 0, v.arena, &b) == BIQ_OK) {
        json_t *all = biq_flow_sle_json(NULL, b);
        sle = json_incref(json_object_get(all, "suggestion"));
        json_decref(all);
    }
    biq_views_close(&v);
    json_t *s = json_pack("{s:o}", "sle", sle != NULL ? sle : json_null());
    return s != NULL && json_object_set_new(result, "suggestions", s) == 0 ? BIQ_OK
                                                                           : BIQ_ERR_NOMEM;
}

/* The tenant must exist: settings of an uninstalled tenant are a 404, as
 * every other tenant view. */
static biq_err installed(biq_tx *tx, const char *project_key)
{
    biq_project_versions v;
    biq_err err = biq_store_project_versions(tx, project_key ? project_key : "", &v);
    return err != BIQ_OK ? err : v.installed ? BIQ_OK : BIQ_ERR_NOT_FOUND;
}

static biq_err get_tx(biq_tx *tx, void *ctx)
{
    settings_job *job = ctx;
    json_t *ov = NULL;
    int64_t version = 0;
    biq_err err = installed(tx, job->project_key);
    if (err == BIQ_OK)
        err = biq_store_settings_get(tx, job->project_key, &ov, &version);
    if (err == BIQ_OK &&
        (job->result = biq_settings_describe(job->project_key != NULL, ov, version)) == NULL)
        err = BIQ_ERR_NOMEM;
    json_decref(ov);
    return err;
}

static biq_err put_tx(biq_tx *tx, void *ctx)
{
    settings_job *job = ctx;
    json_t *ov = NULL, *changes = json_object();
    int64_t version = 0;
    biq_err err = changes == NULL ? BIQ_ERR_NOMEM : installed(tx, job->project_key);
    if (err == BIQ_OK)
        err = biq_store_settings_get(tx, job->project_key, &ov, &version);
    if (err == BIQ_OK)
        err = biq_settings_apply(job->project_key != NULL, job->body, ov, changes, job->msg,
                                 sizeof job->msg);
    if (err == BIQ_OK && json_object_size(changes) > 0)
        err = biq_store_settings_put(tx, job->project_key, ov, changes, job->principal, &version);
    if (err == BIQ_OK &&
        (job->result = biq_settings_describe(job->project_key != NULL, ov, version)) == NULL)
        err = BIQ_ERR_NOMEM;
    json_decref(ov);
    json_decref(changes);
    return err;
}

static biq_err answer(biq_app *app, biq_request *req, biq_response *resp, settings_job *job,
                      biq_tx_fn fn)
{
    job->msg[0] = '\0';
    biq_err err = biq_tx_run(app->pool, req->tenant->tenant_id, fn, job);
    if (err == BIQ_OK && job->project_key != NULL)
        err = add_suggestions(app, req->tenant->tenant_id, job->project_key, job->result);
    if (err != BIQ_OK) {
        json_decref(job->result);
        if (job->msg[0] != '\0')
            return biq_response_error(resp, err, "%s", job->msg);
        return biq_api_tx_failed(resp, err, "access the settings");
    }
    biq_response_json(resp, 200, job->result);
    return BIQ_OK;
}

static biq_err put(biq_app *app, biq_request *req, biq_response *resp, settings_job *job)
{
    json_t *body = NULL;
    biq_err err = biq_request_body_object(req, resp, &body);
    if (err != BIQ_OK)
        return err;
    job->body = body;
    job->principal = req->tenant->principal[0] != '\0' ? req->tenant->principal : NULL;
    err = answer(app, req, resp, job, put_tx);
    json_decref(body);
    return err;
}

biq_err biq_handle_tenant_settings_get(void *app, biq_request *req, biq_response *resp)
{
    settings_job job = {0};
    return answer(app, req, resp, &job, get_tx);
}

biq_err biq_handle_tenant_settings_put(void *app, biq_request *req, biq_response *resp)
{
    settings_job job = {0};
    return put(app, req, resp, &job);
}

biq_err biq_handle_project_settings_get(void *app, biq_request *req, biq_response *resp)
{
    settings_job job = {.project_key = req->params[0]};
    return answer(app, req, resp, &job, get_tx);
}

biq_err biq_handle_project_settings_put(void *app, biq_request *req, biq_response *resp)
{
    settings_job job = {.project_key = req->params[0]};
    return put(app, req, resp, &job);
}
