/* handlers.h - the request handlers, one file per area (ops.c, forge.c,
 * tenant.c). Each has the biq_handler signature of http/router.h. */
#ifndef BIQ_API_HANDLERS_H
#define BIQ_API_HANDLERS_H

#include "http/body.h"
#include "http/request.h"

/* Per-route body caps (README "Limits"): what Forge sends, with room.
 * Measured (issue 12): the real 100-issue search page with changelogs
 * (realdata/devlake-merico/issues-with-changelog.json) is 1,094,258 bytes;
 * the largest `biq gen` page 832,588 bytes (65,957 JSON values); the real
 * changelog pages 131,211 bytes at most; webhook events 18,253 bytes;
 * catalogues 23,735 bytes. Jira's own search pages run 1-2 MB. */
enum {
    BIQ_API_SMALL_BODY_MAX = 64 * 1024,         /* lifecycle calls, settings */
    BIQ_API_EVENT_BODY_MAX = 256 * 1024,        /* Forge drops events over 200 kB */
    BIQ_API_PAGE_BODY_MAX = 4 * 1024 * 1024,    /* search pages, catalogues, id lists */
    BIQ_API_CHANGELOG_BODY_MAX = 1024 * 1024,   /* one page of 100 histories: 131 kB seen */
    /* Issue #15: BIQ_INGEST_BOARDS_MAX board configurations; a real one is
     * ~2 kB (10 columns), the cap leaves 20 kB a board. */
    BIQ_API_BOARDS_BODY_MAX = 1024 * 1024,
};

biq_err biq_handle_healthz(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_readyz(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_metrics(void *app, biq_request *req, biq_response *resp);

biq_err biq_handle_lifecycle(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_uninstall(void *app, biq_request *req, biq_response *resp);
/* POST /forge/register (the on-installed function): an installed event
 * only, 422 for any other; records the installation as lifecycle does. */
biq_err biq_handle_register(void *app, biq_request *req, biq_response *resp);

biq_err biq_handle_events(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_backfill_start(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_backfill_page(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_changelog_page(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_catalog(void *app, biq_request *req, biq_response *resp);
/* POST /forge/boards/{projectKey} (issue #15): {"boards": [configuration]}
 * replaces the project's stored boards in one transaction and moves its
 * data version; 4xx naming the problem and nothing written otherwise. */
biq_err biq_handle_boards(void *app, biq_request *req, biq_response *resp);

biq_err biq_handle_backfill_request(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_backfill_requests(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_reconcile_get(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_reconcile_record(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_reconcile_ids(void *app, biq_request *req, biq_response *resp);

biq_err biq_handle_tenant_get(void *app, biq_request *req, biq_response *resp);

/* Project views (views.c): each answers only for the project of the
 * token's context (403 otherwise), 404 when the tenant is not installed. */
biq_err biq_handle_dashboard(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_chart_wip_aging(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_chart_cfd(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_chart_wip_stack(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_chart_scatter(void *app, biq_request *req, biq_response *resp);
/* Run charts with XmR limits and signals for ?window= (views.c). */
biq_err biq_handle_chart_runs(void *app, biq_request *req, biq_response *resp);
/* Monte Carlo forecast: ?items=N or ?by=DATE, from, basis, seed (400 naming
 * the parameter when one is wrong). */
biq_err biq_handle_forecast(void *app, biq_request *req, biq_response *resp);
/* ?window=, ?table=slices (default) or runs (400 naming the parameter). */
biq_err biq_handle_export_csv(void *app, biq_request *req, biq_response *resp);
/* Only for the issue of the token's context (403 otherwise). */
biq_err biq_handle_time_in_status(void *app, biq_request *req, biq_response *resp);
/* The sprint report of every closed and the active sprint (issue #15). */
biq_err biq_handle_sprint_report(void *app, biq_request *req, biq_response *resp);

/* Settings (settings.c): GET shows value, default and override per field;
 * PUT validates (422 naming the field), null resets, history recorded. */
biq_err biq_handle_tenant_settings_get(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_tenant_settings_put(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_project_settings_get(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_project_settings_put(void *app, biq_request *req, biq_response *resp);

/* Alerts (alerts.c): rules and destinations are tenant-wide; the alert
 * list answers only for the token's project (403 otherwise). */
biq_err biq_handle_alert_rules_get(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_alert_rules_post(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_alert_rule_put(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_alert_rule_delete(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_alerts_get(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_alert_destinations_get(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_alert_destinations_post(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_alert_destination_put(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_alert_destination_delete(void *app, biq_request *req, biq_response *resp);
/* POST .../destinations/{id}/test: queues a test message on the alert
 * worker (never sends on the request thread): 202 {"testId", "state"};
 * 429 (rate limits) or 503 (queue full, no worker) with Retry-After; 404
 * for an unknown destination. Body ignored (BIQ_API_SMALL_BODY_MAX). */
biq_err biq_handle_alert_destination_test(void *app, biq_request *req, biq_response *resp);
/* GET .../destinations/{id}/tests/{testId}: {"testId", "destinationId",
 * "state": queued|sending|delivered|failed, "ok": null|bool, "detail":
 * null|text, "attempts"}; 404 when this process holds no such test for
 * the token's tenant and that destination. No body. */
biq_err biq_handle_alert_destination_test_get(void *app, biq_request *req, biq_response *resp);
/* POST /forge/alerts/sweep (the hourly Forge scheduledTrigger): the
 * scheduled alert sweep of the token's tenant, 200 with what it did (also
 * when another sweep of the tenant runs or has just run); the body is
 * optional, a JSON object if present (400/422 otherwise); 404 for an
 * unregistered installation; 503 when a retry may succeed. */
biq_err biq_handle_alerts_sweep(void *app, biq_request *req, biq_response *resp);

#endif
