/* alerts.c - the alert routes of api.md: rules, fired alerts and delivery
 * destinations. Bodies are validated by alerts/validate.h (422 naming the
 * field); rows live in store/alerts.h. A destination's address or URL is
 * write-only: answers show its last 4 characters. "Send test" reads the
 * target in one transaction and hands it to the alert worker's test lane
 * (alerts/worker.h): 202 with a test id at once, the send and its
 * record happen there, and GET .../tests/{testId} polls the outcome. No
 * delivery ever runs on an HTTP worker.
 * POST /forge/alerts/sweep is the Forge scheduledTrigger's scheduled
 * sweep of the token's tenant (alerts/evaluate.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/deliver.h"
#include "alerts/limits.h"
#include "alerts/validate.h"
#include "alerts/evaluate.h"
#include "alerts/worker.h"
#include "api/app.h"
#include "api/handlers.h"
#include "store/alerts.h"

typedef struct job {
    const biq_app *app;
    int64_t id;
    json_t *body;   /* the request's (owned) */
    json_t *doc;    /* the validated document (owned) */
    json_t *out;    /* the answer (owned until sent) */
    const char *project_key;
    const char *scope; /* the caller's project (auth/caller.h), NULL: whole tenant */
    char kind[BIQ_STORE_ALERT_KIND_MAX];
    char *target;   /* send test: the full target (owned, wiped) */
    char why[BIQ_ALERT_WHY_MAX];
} job;

static void job_free(job *j)
{
    json_decref(j->body);
    json_decref(j->doc);
    json_decref(j->out);
    if (j->target != NULL)
        explicit_bzero(j->target, strlen(j->target));
    free(j->target);
}

static const char *hosts_extra(const biq_app *app)
{
    return app->alerts != NULL ? app->alerts->hosts_extra : NULL;
}

static biq_err parse_id(const biq_request *req, biq_response *resp, int64_t *id)
{
    const char *s = req->n_params > 0 ? req->params[0] : "";
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (s[0] < '1' || s[0] > '9' || errno != 0 || *end != '\0' || v <= 0)
        return biq_response_error(resp, BIQ_ERR_NOT_FOUND, "id: no such id");
    *id = v;
    return BIQ_OK;
}

/* Runs fn for the token's tenant and answers with j->out (status) or the
 * error, in words that fit what (e.g. "rule"). */
static biq_err run(biq_request *req, biq_response *resp, job *j, biq_tx_fn fn, unsigned status,
                   const char *what)
{
    biq_err err = biq_tx_run(j->app->pool, req->tenant->tenant_id, fn, j);
    if (err == BIQ_OK) {
        biq_response_json(resp, status, j->out);
        j->out = NULL;
    } else if (err == BIQ_ERR_SHAPE) {
        biq_response_error(resp, err, "%s", j->why);
    } else if (err == BIQ_ERR_NOT_FOUND) {
        biq_response_error(resp, err, "no such %s", what);
    } else if (err == BIQ_ERR_INVALID) {
        /* A foreign key: a bound destination, or the tenant itself. */
        biq_response_error(resp, BIQ_ERR_SHAPE, "%s",
                           strcmp(what, "rule") == 0
                               ? "destinationIds: a destination does not exist, or "
                                 BIQ_API_NOT_REGISTERED
                               : BIQ_API_NOT_REGISTERED);
        err = BIQ_ERR_SHAPE;
    } else {
        biq_response_error(resp, err, "could not access the %s", what);
    }
    job_free(j);
    return err;
}

static biq_err deleted_answer(job *j, biq_err err)
{
    if (err == BIQ_OK && (j->out = json_pack("{s:b}", "deleted", 1)) == NULL)
        err = BIQ_ERR_NOMEM;
    return err;
}

/* ---------------------------------------------------------------- rules */

static biq_err rules_list_tx(biq_tx *tx, void *ctx)
{
    job *j = ctx;
    return biq_store_alert_rules_list(tx, j->scope, false, &j->out);
}

static biq_err rule_save_tx(biq_tx *tx, void *ctx)
{
    job *j = ctx;
    return biq_store_alert_rule_save(tx, j->id, j->doc, j->scope, &j->out);
}

static biq_err rule_delete_tx(biq_tx *tx, void *ctx)
{
    job *j = ctx;
    return deleted_answer(j, biq_store_alert_rule_delete(tx, j->id, j->scope));
}

biq_err biq_handle_alert_rules_get(void *app, biq_request *req, biq_response *resp)
{
    job j = {.app = app, .scope = biq_caller_project_scope(req->tenant)};
    return run(req, resp, &j, rules_list_tx, 200, "rules");
}

/* A project admin's rule is its project's: an absent or null projectKey
 * becomes it, another project is refused (the data scope of its class). */
static biq_err scope_rule(job *j, biq_response *resp)
{
    const json_t *key = json_object_get(j->doc, "projectKey");
    if (j->scope == NULL)
        return BIQ_OK;
    if (json_is_string(key) && strcmp(json_string_value(key), j->scope) != 0)
        return biq_response_error(resp, BIQ_ERR_FORBIDDEN,
                                  "projectKey: a project admin manages rules of its own "
                                  "project only");
    return json_object_set_new(j->doc, "projectKey", json_string(j->scope)) == 0
               ? BIQ_OK
               : biq_response_error(resp, BIQ_ERR_NOMEM, "out of memory");
}

/* POST (id 0) and PUT share validation and the store call. */
static biq_err rule_write(void *app, biq_request *req, biq_response *resp, int64_t id)
{
    job j = {.app = app, .id = id, .scope = biq_caller_project_scope(req->tenant)};
    /* The sweeps cover the tenants the process has heard of. */
    biq_alert_worker_notify(j.app->alert_worker, req->tenant->tenant_id, NULL, 0);
    biq_err err = biq_request_body_object(req, resp, &j.body);
    if (err == BIQ_OK &&
        (err = biq_alert_rule_validate(j.body, &j.doc, j.why, sizeof j.why)) != BIQ_OK)
        err = biq_response_error(resp, err, "%s", j.why);
    if (err == BIQ_OK)
        err = scope_rule(&j, resp);
    if (err != BIQ_OK) {
        job_free(&j);
        return err;
    }
    return run(req, resp, &j, rule_save_tx, id == 0 ? 201 : 200, "rule");
}

biq_err biq_handle_alert_rules_post(void *app, biq_request *req, biq_response *resp)
{
    return rule_write(app, req, resp, 0);
}

biq_err biq_handle_alert_rule_put(void *app, biq_request *req, biq_response *resp)
{
    int64_t id;
    biq_err err = parse_id(req, resp, &id);
    return err != BIQ_OK ? err : rule_write(app, req, resp, id);
}

biq_err biq_handle_alert_rule_delete(void *app, biq_request *req, biq_response *resp)
{
    job j = {.app = app, .scope = biq_caller_project_scope(req->tenant)};
    biq_err err = parse_id(req, resp, &j.id);
    return err != BIQ_OK ? err : run(req, resp, &j, rule_delete_tx, 200, "rule");
}

/* ---------------------------------------------------------------- alerts */

static biq_err recent_tx(biq_tx *tx, void *ctx)
{
    job *j = ctx;
    json_t *groups = NULL;
    biq_err err = biq_store_alerts_recent(tx, j->project_key, &groups);
    if (err == BIQ_OK && (j->out = json_pack("{s:s,s:o}", "project", j->project_key, "groups",
                                             groups)) == NULL)
        err = BIQ_ERR_NOMEM;
    return err;
}

/* The project comes from the query; the route admits only the token's own
 * (routes.c, BIQ_SCOPE_QUERY_PROJECT). */
biq_err biq_handle_alerts_get(void *app, biq_request *req, biq_response *resp)
{
    job j = {.app = app};
    if (biq_request_query(req, "project", &j.project_key) != BIQ_OK || j.project_key == NULL ||
        j.project_key[0] == '\0')
        return biq_response_error(resp, BIQ_ERR_INVALID, "project: required (a project key)");
    return run(req, resp, &j, recent_tx, 200, "alerts");
}

/* ---------------------------------------------------------------- destinations */

static biq_err dests_list_tx(biq_tx *tx, void *ctx)
{
    job *j = ctx;
    return biq_store_alert_destinations_list(tx, &j->out);
}

/* An update validates against the stored kind (the target is write-only,
 * so it may be omitted). */
static biq_err dest_save_tx(biq_tx *tx, void *ctx)
{
    job *j = ctx;
    biq_err err = BIQ_OK;
    if (j->id != 0 && (err = biq_store_alert_destination_kind(tx, j->id, j->kind)) != BIQ_OK)
        return err;
    err = biq_alert_destination_validate(j->body, j->id != 0 ? j->kind : NULL,
                                         hosts_extra(j->app), &j->doc, j->why, sizeof j->why);
    return err != BIQ_OK ? err : biq_store_alert_destination_save(tx, j->id, j->doc, &j->out);
}

static biq_err dest_delete_tx(biq_tx *tx, void *ctx)
{
    job *j = ctx;
    return deleted_answer(j, biq_store_alert_destination_delete(tx, j->id));
}

static biq_err dest_target_tx(biq_tx *tx, void *ctx)
{
    job *j = ctx;
    return biq_store_alert_destination_target(tx, j->id, j->kind, &j->target);
}

biq_err biq_handle_alert_destinations_get(void *app, biq_request *req, biq_response *resp)
{
    job j = {.app = app};
    return run(req, resp, &j, dests_list_tx, 200, "destinations");
}

static biq_err dest_write(void *app, biq_request *req, biq_response *resp, int64_t id)
{
    job j = {.app = app, .id = id};
    biq_err err = biq_request_body_object(req, resp, &j.body);
    if (err != BIQ_OK)
        return err;
    return run(req, resp, &j, dest_save_tx, id == 0 ? 201 : 200, "destination");
}

biq_err biq_handle_alert_destinations_post(void *app, biq_request *req, biq_response *resp)
{
    return dest_write(app, req, resp, 0);
}

biq_err biq_handle_alert_destination_put(void *app, biq_request *req, biq_response *resp)
{
    int64_t id;
    biq_err err = parse_id(req, resp, &id);
    return err != BIQ_OK ? err : dest_write(app, req, resp, id);
}

biq_err biq_handle_alert_destination_delete(void *app, biq_request *req, biq_response *resp)
{
    job j = {.app = app};
    biq_err err = parse_id(req, resp, &j.id);
    return err != BIQ_OK ? err : run(req, resp, &j, dest_delete_tx, 200, "destination");
}

/* Bypasses the cooldown by design: it is not a rule's alert. The body
 * (e.g. {}) is ignored. 202 {"testId", "state": "queued"}; 429 over a rate
 * limit and 503 with a full queue, both with Retry-After; a refused test
 * sends nothing. */
biq_err biq_handle_alert_destination_test(void *app_ptr, biq_request *req, biq_response *resp)
{
    const biq_app *app = app_ptr;
    job j = {.app = app};
    biq_alert_test_info info;
    unsigned retry_after = 0;
    biq_err err = parse_id(req, resp, &j.id);
    if (err != BIQ_OK)
        return err;
    err = biq_tx_run(app->pool, req->tenant->tenant_id, dest_target_tx, &j);
    if (err != BIQ_OK) {
        job_free(&j);
        return biq_response_error(resp, err, err == BIQ_ERR_NOT_FOUND ? "no such destination"
                                                                      : "could not read the destination");
    }
    err = biq_alert_worker_test_enqueue(app->alert_worker, req->tenant->tenant_id, j.id, j.kind,
                                        j.target, &info, &retry_after);
    job_free(&j);
    if (err == BIQ_ERR_LIMIT) {
        resp->status = 429;
        resp->retry_after_s = retry_after;
        return biq_response_error(resp, err,
                                  "too many tests: one per destination every %d s and %d per "
                                  "installation a minute; retry in %u s",
                                  (int)BIQ_ALERT_TEST_DEST_INTERVAL_S,
                                  (int)BIQ_ALERT_TEST_TENANT_MAX, retry_after);
    }
    if (err == BIQ_ERR_UNAVAILABLE) {
        resp->retry_after_s = retry_after;
        return biq_response_error(resp, err, "test messages are busy; retry in %u s",
                                  retry_after);
    }
    if (err != BIQ_OK)
        return biq_response_error(resp, err, "could not queue the test message");
    json_t *answer = json_pack("{s:s,s:s}", "testId", info.id, "state",
                               biq_alert_test_state_name(info.state));
    if (answer == NULL)
        return biq_response_error(resp, BIQ_ERR_NOMEM, "could not answer");
    biq_response_json(resp, 202, answer);
    return BIQ_OK;
}

static bool test_id_ok(const char *s)
{
    return strlen(s) == BIQ_ALERT_TEST_ID_LEN &&
           strspn(s, "0123456789abcdef") == BIQ_ALERT_TEST_ID_LEN;
}

/* GET /api/v1/alerts/destinations/{id}/tests/{testId}: the test's state
 * and, once finished, its outcome. 404 for a test this process does not
 * hold for the token's tenant and that destination. */
biq_err biq_handle_alert_destination_test_get(void *app_ptr, biq_request *req,
                                              biq_response *resp)
{
    const biq_app *app = app_ptr;
    biq_alert_test_info info;
    int64_t id;
    biq_err err = parse_id(req, resp, &id);
    if (err != BIQ_OK)
        return err;
    if (req->n_params < 2 || !test_id_ok(req->params[1]) ||
        biq_alert_worker_test_get(app->alert_worker, req->tenant->tenant_id, id, req->params[1],
                                  &info) != BIQ_OK)
        return biq_response_error(resp, BIQ_ERR_NOT_FOUND,
                                  "no such test (tests are kept a while after they finish)");
    bool done = info.state == BIQ_ALERT_TEST_DELIVERED || info.state == BIQ_ALERT_TEST_FAILED;
    json_t *answer = json_pack("{s:s,s:I,s:s,s:o,s:s?,s:i}", "testId", info.id, "destinationId",
                               (json_int_t)id, "state", biq_alert_test_state_name(info.state),
                               "ok", done ? json_boolean(info.state == BIQ_ALERT_TEST_DELIVERED)
                                          : json_null(),
                               "detail", done ? info.detail : NULL, "attempts", info.attempts);
    if (answer == NULL)
        return biq_response_error(resp, BIQ_ERR_NOMEM, "could not answer");
    biq_response_json(resp, 200, answer);
    return BIQ_OK;
}

/* ---------------------------------------------------------------- scheduled sweep */

enum {
    /* A sweep that finished this recently makes another one a no-op: the
     * platform's rare duplicate invocations and retries, and a caller
     * hammering the route, cost nothing. Far below the trigger's hour. */
    SWEEP_ROUTE_MIN_GAP_S = 60,
};

/* Whatever the platform sends for a scheduled trigger ({"context":
 * {"cloudId", "moduleKey"}, "contextToken"} today) is not needed: the
 * tenant is the token's. The body is only checked to be a JSON object (or
 * absent) whose context, if any, is an object, so that a broken sender is
 * told rather than silently served. */
static biq_err sweep_body_check(const biq_request *req, biq_response *resp)
{
    json_t *body = NULL;
    if (req->body_len == 0)
        return BIQ_OK;
    biq_err err = biq_request_body_object(req, resp, &body);
    const json_t *context = json_object_get(body, "context");
    if (err == BIQ_OK && context != NULL && !json_is_object(context))
        err = biq_response_error(resp, BIQ_ERR_SHAPE, "context: expected an object");
    json_decref(body);
    return err;
}

static json_t *sweep_answer(const biq_alert_sweep_result *r)
{
    const char *skipped = r->skip == BIQ_STORE_SWEEP_RUNNING ? "running" : "recent";
    return json_pack("{s:b,s:s?,s:s?,s:I,s:I,s:I,s:I}", "ok", 1, "cadence",
                     !r->ran ? NULL
                     : r->cadence == BIQ_ALERT_CADENCE_DAILY ? "daily"
                                                              : "hourly",
                     "skipped", r->ran ? NULL : skipped, "alerts", (json_int_t)r->stats.fired,
                     "sent", (json_int_t)r->stats.sent, "failed", (json_int_t)r->stats.failed,
                     "failedProjects", (json_int_t)r->failed_projects);
}

/* POST /forge/alerts/sweep: each installation's hourly Forge
 * scheduledTrigger, so every tenant is swept whether or not this process
 * has met it (see alerts/worker.h). */
biq_err biq_handle_alerts_sweep(void *app_ptr, biq_request *req, biq_response *resp)
{
    const biq_app *app = app_ptr;
    biq_alert_sweep_result result;
    biq_err err = sweep_body_check(req, resp);
    if (err != BIQ_OK)
        return err;
    /* The backup timer of this process covers the tenant from now on. */
    biq_alert_worker_notify(app->alert_worker, req->tenant->tenant_id, NULL, 0);
    biq_alerts_env env = biq_api_alerts_env(app);
    err = biq_alerts_sweep_scheduled(&env, req->tenant->tenant_id, SWEEP_ROUTE_MIN_GAP_S, &result);
    if (err != BIQ_OK)
        return biq_api_tx_failed(resp, err, "run the alert sweep; retry later");
    json_t *answer = sweep_answer(&result);
    if (answer == NULL)
        return biq_response_error(resp, BIQ_ERR_NOMEM, "could not answer");
    biq_response_json(resp, 200, answer);
    return BIQ_OK;
}
