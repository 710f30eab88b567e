/* routes.c - the API's route table, its metric labels, and the glue from
 * the server's authenticate callback to the FIT verifier. */
#include <string.h>

#include "api/app.h"
#include "api/handlers.h"
#include "auth/fit.h"
#include "ingest/ingest.h"

/* Who may call what (security.md §2a): each row names the caller classes
 * it admits (auth/caller.h) and what the data is bound to; the server
 * refuses everyone else with 403 before reading the body. Keep docs/api.md's
 * caller column in step with this table. */
enum {
    PUBLIC = 0,
    LIFECYCLE = BIQ_CALLER_LIFECYCLE,
    EVENTS = BIQ_CALLER_EVENTS,
    SCHEDULE = BIQ_CALLER_SCHEDULE,
    FUNCTION = BIQ_CALLER_FUNCTION,
    READERS = BIQ_CALLER_VIEWER | BIQ_CALLER_PROJECT_ADMIN,
    ISSUE_PANEL = BIQ_CALLER_VIEWER,
    PROJECT_ADMIN = BIQ_CALLER_PROJECT_ADMIN,
    SITE_ADMIN = BIQ_CALLER_SITE_ADMIN,
    ADMINS = BIQ_CALLER_PROJECT_ADMIN | BIQ_CALLER_SITE_ADMIN,
    USERS = BIQ_CALLER_VIEWER | BIQ_CALLER_PROJECT_ADMIN | BIQ_CALLER_SITE_ADMIN,
};
#define TENANT BIQ_SCOPE_TENANT
#define PROJECT BIQ_SCOPE_PROJECT
#define ISSUE BIQ_SCOPE_ISSUE
#define QUERY_PROJECT BIQ_SCOPE_QUERY_PROJECT
#define SMALL BIQ_API_SMALL_BODY_MAX

static const biq_route ROUTES[] = {
    {"GET", "/healthz", biq_handle_healthz, PUBLIC, TENANT, 0},
    {"GET", "/readyz", biq_handle_readyz, PUBLIC, TENANT, 0},
    {"GET", "/metrics", biq_handle_metrics, PUBLIC, TENANT, 0},
    {"POST", "/forge/lifecycle", biq_handle_lifecycle, LIFECYCLE, TENANT, SMALL},
    {"POST", "/forge/uninstall", biq_handle_uninstall, LIFECYCLE, TENANT, SMALL},
    {"POST", "/forge/register", biq_handle_register, FUNCTION, TENANT, SMALL},
    {"POST", "/forge/events", biq_handle_events, EVENTS, TENANT, BIQ_API_EVENT_BODY_MAX},
    {"POST", "/forge/backfill/{projectKey}", biq_handle_backfill_start, FUNCTION, TENANT, SMALL},
    {"POST", "/forge/backfill/{projectKey}/page", biq_handle_backfill_page, FUNCTION, TENANT,
     BIQ_API_PAGE_BODY_MAX},
    {"POST", "/forge/issues/{issueIdOrKey}/changelog", biq_handle_changelog_page, FUNCTION,
     TENANT, BIQ_API_CHANGELOG_BODY_MAX},
    {"POST", "/forge/catalog", biq_handle_catalog, FUNCTION, TENANT, BIQ_API_PAGE_BODY_MAX},
    {"POST", "/forge/boards/{projectKey}", biq_handle_boards, FUNCTION, TENANT,
     BIQ_API_BOARDS_BODY_MAX},
    {"GET", "/forge/backfill/requests", biq_handle_backfill_requests, FUNCTION, TENANT, 0},
    {"GET", "/forge/reconcile", biq_handle_reconcile_get, FUNCTION, TENANT, 0},
    {"POST", "/forge/reconcile", biq_handle_reconcile_record, FUNCTION, TENANT, SMALL},
    {"POST", "/forge/reconcile/{projectKey}/ids", biq_handle_reconcile_ids, FUNCTION, TENANT,
     BIQ_API_PAGE_BODY_MAX},
    {"POST", "/forge/alerts/sweep", biq_handle_alerts_sweep, SCHEDULE, TENANT, SMALL},
    {"POST", "/api/v1/projects/{key}/backfill", biq_handle_backfill_request, USERS, PROJECT, SMALL},
    {"GET", "/api/v1/tenant", biq_handle_tenant_get, USERS, TENANT, 0},
    {"GET", "/api/v1/alerts", biq_handle_alerts_get, READERS, QUERY_PROJECT, 0},
    {"GET", "/api/v1/alerts/rules", biq_handle_alert_rules_get, ADMINS, TENANT, 0},
    {"POST", "/api/v1/alerts/rules", biq_handle_alert_rules_post, ADMINS, TENANT, SMALL},
    {"PUT", "/api/v1/alerts/rules/{id}", biq_handle_alert_rule_put, ADMINS, TENANT, SMALL},
    {"DELETE", "/api/v1/alerts/rules/{id}", biq_handle_alert_rule_delete, ADMINS, TENANT, 0},
    {"GET", "/api/v1/alerts/destinations", biq_handle_alert_destinations_get, ADMINS, TENANT, 0},
    {"POST", "/api/v1/alerts/destinations", biq_handle_alert_destinations_post, SITE_ADMIN,
     TENANT, SMALL},
    {"PUT", "/api/v1/alerts/destinations/{id}", biq_handle_alert_destination_put, SITE_ADMIN,
     TENANT, SMALL},
    {"DELETE", "/api/v1/alerts/destinations/{id}", biq_handle_alert_destination_delete,
     SITE_ADMIN, TENANT, 0},
    {"POST", "/api/v1/alerts/destinations/{id}/test", biq_handle_alert_destination_test,
     SITE_ADMIN, TENANT, SMALL},
    {"GET", "/api/v1/alerts/destinations/{id}/tests/{testId}",
     biq_handle_alert_destination_test_get, SITE_ADMIN, TENANT, 0},
    {"GET", "/api/v1/tenant/settings", biq_handle_tenant_settings_get, ADMINS, TENANT, 0},
    {"PUT", "/api/v1/tenant/settings", biq_handle_tenant_settings_put, SITE_ADMIN, TENANT, SMALL},
    {"GET", "/api/v1/projects/{key}/dashboard", biq_handle_dashboard, READERS, PROJECT, 0},
    {"GET", "/api/v1/projects/{key}/charts/wip-aging", biq_handle_chart_wip_aging, READERS,
     PROJECT, 0},
    {"GET", "/api/v1/projects/{key}/charts/cfd", biq_handle_chart_cfd, READERS, PROJECT, 0},
    {"GET", "/api/v1/projects/{key}/charts/wip-stack", biq_handle_chart_wip_stack, READERS,
     PROJECT, 0},
    {"GET", "/api/v1/projects/{key}/charts/scatter", biq_handle_chart_scatter, READERS, PROJECT,
     0},
    {"GET", "/api/v1/projects/{key}/charts/runs", biq_handle_chart_runs, READERS, PROJECT, 0},
    {"GET", "/api/v1/projects/{key}/forecast", biq_handle_forecast, READERS, PROJECT, 0},
    {"GET", "/api/v1/projects/{key}/export.csv", biq_handle_export_csv, READERS, PROJECT, 0},
    {"GET", "/api/v1/projects/{key}/settings", biq_handle_project_settings_get, READERS, PROJECT,
     0},
    {"PUT", "/api/v1/projects/{key}/settings", biq_handle_project_settings_put, PROJECT_ADMIN,
     PROJECT, SMALL},
    {"GET", "/api/v1/issues/{key}/time-in-status", biq_handle_time_in_status, ISSUE_PANEL, ISSUE,
     0},
    {"GET", "/api/v1/projects/{key}/sprints/report", biq_handle_sprint_report, READERS, PROJECT,
     0},
};
enum { N_ROUTES = sizeof ROUTES / sizeof ROUTES[0] };

static const char *const COUNTER_NAMES[BIQ_COUNTER__COUNT] = {
    [BIQ_COUNTER_INSTALLS] = "install",
    [BIQ_COUNTER_UNINSTALLS] = "uninstall",
    [BIQ_COUNTER_LIFECYCLE_IGNORED] = "lifecycle_ignored",
    [BIQ_COUNTER_JWKS_RELOADS] = "jwks_reload",
    [BIQ_COUNTER_JWKS_RELOAD_FAILURES] = "jwks_reload_failed",
    [BIQ_COUNTER_JWKS_FETCHES] = "jwks_fetched",
    [BIQ_COUNTER_INGEST_EVENTS] = "event_applied",
    [BIQ_COUNTER_INGEST_IGNORED] = "event_ignored",
    [BIQ_COUNTER_INGEST_REJECTED] = "ingest_rejected",
    [BIQ_COUNTER_INGEST_RESTRICTED] = "issue_restricted",
    [BIQ_COUNTER_INGEST_PAGES] = "page_applied",
    [BIQ_COUNTER_INGEST_TRANSITIONS] = "transition_new",
};

const biq_route *biq_api_routes(size_t *n_routes)
{
    *n_routes = N_ROUTES;
    return ROUTES;
}

const char *const *biq_api_counter_names(size_t *n)
{
    *n = BIQ_COUNTER__COUNT;
    return COUNTER_NAMES;
}

const char *const *biq_api_reason_names(size_t *n)
{
    return biq_auth_reason_names(n);
}

/* A kid the key set lacks may be a rotation: with BIQ_JWKS_URL set, fetch
 * the published set (rate-limited) and verify once more. */
static bool refreshed_keys(biq_app *app, int64_t now)
{
    char why[256];
    if (app->jwks_fetcher == NULL)
        return false;
    bool installed = biq_jwks_fetcher_refresh(app->jwks_fetcher, now, why, sizeof why);
    if (installed)
        biq_metrics_add(app->metrics, BIQ_COUNTER_JWKS_FETCHES, 1);
    biq_log_write(app->log, installed ? BIQ_LOG_INFO : BIQ_LOG_DEBUG,
                  installed ? "jwks fetched after an unknown kid" : "jwks not fetched",
                  installed ? NULL : json_pack("{s:s}", "reason", why));
    return installed;
}

biq_err biq_api_authenticate(void *app_ptr, const char *value, unsigned count,
                             biq_tenant_ctx *out, size_t *reason)
{
    biq_app *app = app_ptr;
    biq_fit_policy policy;
    biq_auth_reason why = BIQ_AUTH_INTERNAL;
    int64_t now = app->clock();
    biq_fit_policy_init(&policy, app->app_id, now);
    biq_err err = biq_keyring_authenticate(app->keys, &policy, count, value, out, &why);
    if (err != BIQ_OK && why == BIQ_AUTH_UNKNOWN_KID && refreshed_keys(app, now))
        err = biq_keyring_authenticate(app->keys, &policy, count, value, out, &why);
    *reason = (size_t)why;
    if (err != BIQ_OK && biq_log_enabled(app->log, BIQ_LOG_DEBUG))
        biq_log_write(app->log, BIQ_LOG_DEBUG, "token rejected",
                      json_pack("{s:s}", "reason", biq_auth_reason_name(why)));
    /* Internal failures (out of memory, crypto) are still a refusal: never
     * let a request through that was not verified. */
    return err == BIQ_OK ? BIQ_OK : BIQ_ERR_UNAUTHORIZED;
}
