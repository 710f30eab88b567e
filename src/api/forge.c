/* forge.c - routes the Forge platform calls: lifecycle events, the
 * pre-uninstall hook, and the on-installed function's registration. The tenant is always the verified token's; bodies
 * only say what happened. */
#include <stdio.h>
#include <string.h>

#include "api/app.h"
#include "api/bodies.h"
#include "api/handlers.h"
#include "http/body.h"
#include "store/tenants.h"

static const char EVENT_INSTALLED[] = "avi:forge:installed:app";
static const char EVENT_UPGRADED[] = "avi:forge:upgraded:app";
static const char EVENT_UNINSTALLED[] = "avi:forge:uninstalled:app";
#define CLOUD_ID_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"

/* A trigger body is the event object itself or an envelope whose payload
 * member is (platform.md: Forge documents both). */
const char *biq_api_lifecycle_type(const json_t *body)
{
    const json_t *payload = json_object_get(body, "payload");
    const json_t *type = json_object_get(body, "eventType");
    if (!json_is_string(type) && json_is_object(payload))
        type = json_object_get(payload, "eventType");
    return json_is_string(type) ? json_string_value(type) : NULL;
}

static biq_err install_tx(biq_tx *tx, void *ctx)
{
    return biq_store_tenant_upsert(tx, ctx);
}

/* Lifecycle tokens carry no context claim; the installed event names the
 * site as "ari:cloud:jira::site/<cloudId>". It describes the tenant, it
 * never chooses it. */
void biq_api_lifecycle_cloud_id(const json_t *body, biq_tenant_ctx *ctx)
{
    static const char prefix[] = "ari:cloud:jira::site/";
    const size_t prefix_len = sizeof prefix - 1;
    const json_t *payload = json_object_get(body, "payload");
    const json_t *site = json_object_get(json_is_object(payload) ? payload : body, "context");
    const char *text = json_is_string(site) ? json_string_value(site) : "";
    if (ctx->cloud_id[0] != '\0' || strncmp(text, prefix, prefix_len) != 0)
        return;
    const char *id = text + prefix_len;
    size_t len = strlen(id);
    if (len == 0 || len >= sizeof ctx->cloud_id || strspn(id, CLOUD_ID_CHARS) != len)
        return;
    memcpy(ctx->cloud_id, id, len + 1);
}

static biq_err install(biq_app *app, biq_request *req, json_t *body, biq_response *resp)
{
    biq_tenant_ctx described = *req->tenant;
    biq_api_lifecycle_cloud_id(body, &described);
    biq_err err = biq_tx_run(app->pool, req->tenant->tenant_id, install_tx, &described);
    if (err != BIQ_OK)
        return biq_response_error(resp, err, "could not record the installation");
    biq_metrics_add(app->metrics, BIQ_COUNTER_INSTALLS, 1);
    biq_response_json(resp, 200, json_pack("{s:b}", "ok", 1));
    return BIQ_OK;
}

static biq_err uninstall_tx(biq_tx *tx, void *existed)
{
    return biq_store_tenant_delete(tx, existed);
}

static biq_err uninstall(biq_app *app, biq_request *req, biq_response *resp)
{
    bool existed = false;
    biq_err err = biq_tx_run(app->pool, req->tenant->tenant_id, uninstall_tx, &existed);
    biq_views_env views = biq_api_views_env(app);
    /* The tenant leaves memory at once, not by eviction. */
    biq_views_forget_tenant(&views, req->tenant->tenant_id);
    if (err != BIQ_OK)
        return biq_response_error(resp, err, "could not delete the tenant's data");
    biq_metrics_add(app->metrics, BIQ_COUNTER_UNINSTALLS, 1);
    biq_log_write(app->log, BIQ_LOG_INFO, "tenant uninstalled",
                  json_pack("{s:s,s:b}", "request_id", req->request_id, "existed", existed));
    biq_response_json(resp, 200, json_pack("{s:b}", "ok", 1));
    return BIQ_OK;
}

biq_err biq_handle_lifecycle(void *app_ptr, biq_request *req, biq_response *resp)
{
    biq_app *app = app_ptr;
    json_t *body = NULL;
    biq_err err = biq_request_body_object(req, resp, &body);
    if (err != BIQ_OK)
        return err;
    const char *type = biq_api_lifecycle_type(body);
    if (type == NULL) {
        err = biq_response_error(resp, BIQ_ERR_SHAPE, "eventType: missing or not a string");
    } else if (strcmp(type, EVENT_INSTALLED) == 0 || strcmp(type, EVENT_UPGRADED) == 0) {
        err = install(app, req, body, resp);
    } else if (strcmp(type, EVENT_UNINSTALLED) == 0) {
        err = uninstall(app, req, resp);
    } else {
        /* 2xx so the platform does not retry an event we will never use. */
        biq_metrics_add(app->metrics, BIQ_COUNTER_LIFECYCLE_IGNORED, 1);
        biq_response_json(resp, 202, json_pack("{s:s}", "ignored", "not a lifecycle event we handle"));
    }
    json_decref(body);
    return err;
}

biq_err biq_handle_uninstall(void *app, biq_request *req, biq_response *resp)
{
    /* The preUninstall module's endpoint: whatever the body, the token's
     * tenant is leaving. */
    return uninstall(app, req, resp);
}

biq_err biq_handle_register(void *app, biq_request *req, biq_response *resp)
{
    /* The on-installed Forge function registers the installation before
     * its backfill (the endpoint trigger may be late). It may only
     * install: uninstalling is the platform's lifecycle call alone. */
    json_t *body = NULL;
    biq_err err = biq_request_body_object(req, resp, &body);
    if (err != BIQ_OK)
        return err;
    const char *type = biq_api_lifecycle_type(body);
    if (type == NULL || strcmp(type, EVENT_INSTALLED) != 0)
        err = biq_response_error(resp, BIQ_ERR_SHAPE, "eventType: must be %s", EVENT_INSTALLED);
    else
        err = install(app, req, body, resp);
    json_decref(body);
    return err;
}
