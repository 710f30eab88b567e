/* tenant.c - GET /api/v1/tenant: who the token's tenant is, how much data
 * we hold for it (its projects as the caller may see them, its statuses),
 * and whether AI explanations can run at all. */
#include "api/app.h"
#include "api/handlers.h"
#include "explain/explain.h"
#include "store/tenants.h"

struct summary_job {
    const char *scope;
    json_t *out;
};

static biq_err summary_tx(biq_tx *tx, void *ctx)
{
    struct summary_job *job = ctx;
    return biq_store_tenant_summary(tx, job->scope, &job->out);
}

/* {"available": bool, "reason": null | "no_api_key"}: the tenant's switch
 * is in settings; this says whether the server could call the API. */
static json_t *ai_state(const biq_app *app)
{
    bool key = app->explain != NULL && app->explain->api_key[0] != '\0';
    return json_pack("{s:b,s:s?}", "available", key, "reason", key ? NULL : "no_api_key");
}

biq_err biq_handle_tenant_get(void *app_ptr, biq_request *req, biq_response *resp)
{
    biq_app *app = app_ptr;
    struct summary_job job = {.scope = biq_caller_project_scope(req->tenant)};
    biq_err err = biq_tx_run(app->pool, req->tenant->tenant_id, summary_tx, &job);
    if (err != BIQ_OK) {
        json_decref(job.out);
        return biq_api_tx_failed(resp, err, "read the tenant");
    }
    json_object_set_new(job.out, "ai", ai_state(app));
    biq_response_json(resp, 200, job.out);
    return BIQ_OK;
}
