/* tenant.c - GET /api/v1/tenant: who the token's tenant is, and how much
 * data we hold for it. */
#include "api/app.h"
#include "api/handlers.h"
#include "store/tenants.h"

static biq_err summary_tx(biq_tx *tx, void *out)
{
    return biq_store_tenant_summary(tx, out);
}

biq_err biq_handle_tenant_get(void *app_ptr, biq_request *req, biq_response *resp)
{
    biq_app *app = app_ptr;
    json_t *summary = NULL;
    biq_err err = biq_tx_run(app->pool, req->tenant->tenant_id, summary_tx, &summary);
    if (err != BIQ_OK) {
        json_decref(summary);
        return biq_api_tx_failed(resp, err, "read the tenant");
    }
    biq_response_json(resp, 200, summary);
    return BIQ_OK;
}
