/* ingest.c - the routes the Forge side feeds Jira data through: product
 * events, backfill start and pages, full-changelog pages, catalogues.
 *
 * Each request is parsed whole first (src/ingest: a bad body is refused
 * with the path of its first problem and nothing is written), then written
 * in one tenant transaction; 2xx only after the commit, 5xx when the
 * database failed so that the platform retries. */
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/worker.h"
#include "api/app.h"
#include "api/bodies.h"
#include "api/handlers.h"
#include "flow/flow.h"
#include "ingest/ingest.h"
#include "settings/settings.h"
#include "store/backfill.h"
#include "store/batcher.h"
#include "store/ingest.h"
#include "store/ingest_extras.h"
#include "store/settings.h"

enum {
    PAGE_HASH_HEX = 64,
    NUMBER_TEXT_MAX = 24, /* an int64 in decimal, a separator and NUL */
};

/* Loads the body with the ingest limits; a 4xx naming the problem on
 * failure. */
static biq_err load_body(const biq_request *req, biq_response *resp, json_t **root)
{
    biq_parse_error perr;
    biq_err err = biq_ingest_load(req->body, req->body_len, root, &perr);
    return err == BIQ_OK ? BIQ_OK : biq_response_error(resp, err, "%s", perr.message);
}

static biq_err parse_failed(biq_response *resp, biq_err err, const biq_parse_error *perr)
{
    return biq_response_error(resp, err, "%s", perr->message);
}

/* The real clock in ms: what ingest's future-date limits count from (never
 * the pinned metrics clock, which may lie years back). */
static biq_ms ingest_clock(const biq_app *app)
{
    return (biq_ms)app->clock() * 1000;
}

/* Copies the tenant's override of setting path (a field id validated by
 * settings/schema.c) into dst, when there is one. */
static void override_field(const json_t *overrides, const char *path, char *dst, size_t len)
{
    const char *id = json_string_value(json_object_get(overrides, path));
    if (id != NULL && strlen(id) < len)
        memcpy(dst, id, strlen(id) + 1);
}

/* The field ids to read story points, sprints and the Flagged field with:
 * the tenant's settings (`fields.storyPoints`, `fields.sprint`,
 * `fields.flagged`) when a user set them,
 * else those the Forge side discovered for the project and sent with its
 * backfill. Custom field ids differ per site, so without either no custom
 * field is read at all (guessing would misread another site's fields).
 * overrides: the tenant's settings overrides (biq_store_settings_get). */
static biq_field_ids fields_with(biq_tx *tx, const json_t *overrides, const char *project_key,
                                 const biq_ms *now, biq_backfill_fields *buf, biq_err *err)
{
    biq_field_ids ids = {NULL, NULL, now, NULL};
    *buf = (biq_backfill_fields){{0}, {0}, {0}};
    *err = project_key != NULL ? biq_store_backfill_fields_get(tx, project_key, buf) : BIQ_OK;
    if (*err != BIQ_OK)
        return ids;
    override_field(overrides, "fields.storyPoints", buf->story_points, sizeof buf->story_points);
    override_field(overrides, "fields.sprint", buf->sprint, sizeof buf->sprint);
    override_field(overrides, "fields.flagged", buf->flagged, sizeof buf->flagged);
    if (buf->story_points[0] != '\0')
        ids.story_points = buf->story_points;
    if (buf->sprint[0] != '\0')
        ids.sprint = buf->sprint;
    if (buf->flagged[0] != '\0')
        ids.flagged = buf->flagged;
    return ids;
}

/* fields_with the tenant's settings, read here. */
static biq_field_ids fields_for(biq_tx *tx, const char *project_key, const biq_ms *now,
                                biq_backfill_fields *buf, biq_err *err)
{
    biq_field_ids ids = {NULL, NULL, now, NULL};
    json_t *overrides = NULL;
    int64_t version = 0;
    *buf = (biq_backfill_fields){{0}, {0}, {0}};
    *err = biq_store_settings_get(tx, NULL, &overrides, &version);
    if (*err == BIQ_OK)
        ids = fields_with(tx, overrides, project_key, now, buf, err);
    json_decref(overrides);
    return ids;
}

/* Statuses named by the issues themselves (id, name, category), so that a
 * status seen only in issues still has a name: per id the newest issue's
 * view, by the catalogue rule every path shares (biq_flow_statuses_resolve);
 * the store keeps the newest across deliveries by the same rule. */
static biq_err write_issue_statuses(biq_tx *tx, const biq_issue *issues, size_t n,
                                    biq_arena *arena)
{
    biq_status *st = NULL;
    biq_ms *seen = NULL;
    size_t k = 0;
    biq_err err = biq_flow_statuses_resolve(NULL, 0, issues, n, arena, &st, &seen, &k);
    return err != BIQ_OK ? err : biq_store_statuses_write(tx, st, seen, k, arena);
}

/* Writes issues, skipping (and purging) those with a security level, and
 * moves the data version of every project touched (once per run of equal
 * project keys: callers pass issues grouped by project). each (NULL, or n
 * entries) receives per-issue counts; a purged issue's stay zero. */
static biq_err write_issues(biq_tx *tx, const biq_issue *issues, size_t n, biq_arena *arena,
                            biq_ingest_result *res, biq_ingest_result *each)
{
    biq_issue *keep = biq_arena_calloc(arena, n, sizeof *keep);
    size_t *from = biq_arena_calloc(arena, n, sizeof *from);
    biq_ingest_result *kept_each = NULL;
    size_t k = 0;
    biq_err err = BIQ_OK;
    if ((keep == NULL || from == NULL) && n > 0)
        return BIQ_ERR_NOMEM;
    for (size_t i = 0; i < n && err == BIQ_OK; i++) {
        const char *project = NULL;
        if (!issues[i].has_security_level) {
            from[k] = i;
            keep[k++] = issues[i];
            continue;
        }
        err = biq_store_issue_restrict(tx, issues[i].id, issues[i].updated, arena, &project);
        if (err == BIQ_OK && project != NULL)
            err = biq_store_data_version_bump(tx, project);
    }
    if (err == BIQ_OK)
        err = write_issue_statuses(tx, keep, k, arena);
    if (err == BIQ_OK && each != NULL && k > 0 &&
        (kept_each = biq_arena_calloc(arena, k, sizeof *kept_each)) == NULL)
        err = BIQ_ERR_NOMEM;
    if (err == BIQ_OK)
        err = biq_store_issues_write_each(tx, keep, k, arena, res, kept_each);
    for (size_t i = 0; i < k && err == BIQ_OK && kept_each != NULL; i++)
        each[from[i]] = kept_each[i];
    /* One commit per project for a page; a batch of events (each given)
     * moves each project's version by its number of events, as their own
     * transactions would have. */
    for (size_t i = 0, end; i < k && err == BIQ_OK; i = end) {
        for (end = i + 1; end < k && strcmp(keep[end].project_key, keep[i].project_key) == 0;
             end++) {
        }
        err = biq_store_data_version_bump_by(tx, keep[i].project_key,
                                             each != NULL ? (int64_t)(end - i) : 1);
    }
    return err;
}

/* ---- POST /forge/events ---------------------------------------------------- */

struct event_job {
    biq_ms now;
    const json_t *root;
    biq_arena *arena;
    biq_event event;
    biq_parse_error perr;
    biq_err parse_err;
    biq_ingest_result res;
    /* Group commit (store/batcher.h): the tenant, the item queued, and the
     * outcome of the transaction that held the event. */
    const char *tenant;
    biq_batch_item item;
    biq_err tx_err;
};

/* Parses the event again with its project's custom field ids and settles
 * its `updated`; job->parse_err says why it cannot be written. */
static biq_err reparse_issue_event(struct event_job *job, biq_field_ids ids)
{
    ids.now = &job->now;
    /* Parsed again with this project's custom field ids. */
    job->parse_err = biq_parse_event(job->root, &ids, job->arena, &job->event, &job->perr);
    if (job->parse_err != BIQ_OK)
        return job->parse_err;
    /* Webhook bodies may lack `updated`; the delivery's timestamp is when
     * the state was current. Without either, nothing orders the write. */
    if (job->event.issue.updated == BIQ_MS_NONE)
        job->event.issue.updated = job->event.at;
    if (job->event.issue.updated == BIQ_MS_NONE) {
        snprintf(job->perr.message, sizeof job->perr.message,
                 "issue.fields.updated: missing, and the body has no timestamp");
        job->parse_err = BIQ_ERR_SHAPE;
        return job->parse_err;
    }
    return BIQ_OK;
}

static biq_err event_issue_tx(biq_tx *tx, struct event_job *job)
{
    biq_backfill_fields buf;
    biq_err err;
    biq_field_ids ids = fields_for(tx, job->event.issue.project_key, &job->now, &buf, &err);
    if (err == BIQ_OK)
        err = reparse_issue_event(job, ids);
    return err != BIQ_OK ? err : write_issues(tx, &job->event.issue, 1, job->arena, &job->res,
                                              NULL);
}

static biq_err event_tx(biq_tx *tx, void *ctx)
{
    struct event_job *job = ctx;
    const char *project = NULL;
    biq_err err = biq_store_tenant_ensure(tx);
    if (err != BIQ_OK)
        return err;
    switch (job->event.kind) {
    case BIQ_EVENT_ISSUE_UPSERT:
        return event_issue_tx(tx, job);
    case BIQ_EVENT_ISSUE_DELETED:
        err = biq_store_issue_delete(tx, job->event.issue.id, job->arena, &project);
        return err == BIQ_OK && project != NULL ? biq_store_data_version_bump(tx, project) : err;
    case BIQ_EVENT_SPRINT_UPSERT:
        return biq_store_sprints_write(tx, &job->event.sprint, 1, job->arena);
    case BIQ_EVENT_SPRINT_DELETED:
        return biq_store_sprint_delete(tx, job->event.sprint.id);
    default:
        return BIQ_OK;
    }
}

/* ---- Group commit of issue events (store/batcher.h) ------------------------
 *
 * Concurrent issue events, of one tenant or of many, are written by one
 * leader in ONE transaction: for each tenant in turn the transaction's
 * tenant setting is moved (biq_tx_set_tenant: set_config(..., true), so
 * RLS confines every statement to that tenant and nothing outlives the
 * transaction), the tenant is checked, each event is parsed again with its
 * project's field ids (read once per project), and all of the tenant's
 * valid events are written together: one statuses upsert, one COPY stage
 * and merge (biq_store_issues_write_each), one data-version bump per
 * project. Then one COMMIT for everyone, and only then is any event
 * answered. An event that fails its own checks (its parse, no `updated`)
 * is answered 4xx and left out; a tenant that is not installed is answered
 * 202 "rejected"; neither touches the others. When the transaction fails
 * on the data (a constraint, a trigger: anything but a lost or overloaded
 * database), it is rolled back and each remaining event is written again
 * alone, as without batching, so one bad event fails alone; when the
 * database itself failed, no event of the batch is acknowledged (5xx, the
 * platform retries). The batch never holds two events of one issue of a
 * tenant (the batcher's key), and writes in (tenant, project, issue)
 * order, so concurrent batches lock rows in one order. */

static int compare_jobs(const void *a, const void *b)
{
    const struct event_job *x = *(struct event_job *const *)a, *y = *(struct event_job *const *)b;
    int c = strcmp(x->tenant, y->tenant);
    if (c == 0)
        c = strcmp(x->event.issue.project_key, y->event.issue.project_key);
    if (c == 0)
        c = (x->event.issue.id > y->event.issue.id) - (x->event.issue.id < y->event.issue.id);
    return c;
}

/* Writes jobs[0..n) (one tenant, sorted by project) in tx. Per-job
 * outcomes go to the jobs; the return value fails the whole batch. */
static biq_err write_tenant_events(biq_tx *tx, struct event_job **jobs, size_t n,
                                   biq_arena *arena)
{
    biq_issue *issues = biq_arena_calloc(arena, n, sizeof *issues);
    biq_ingest_result *each = biq_arena_calloc(arena, n, sizeof *each), total = {0};
    struct event_job **owner = biq_arena_calloc(arena, n, sizeof *owner);
    biq_backfill_fields buf;
    biq_field_ids ids = {0};
    json_t *overrides = NULL;
    int64_t version = 0;
    size_t k = 0;
    biq_err err;
    if (issues == NULL || each == NULL || owner == NULL)
        return BIQ_ERR_NOMEM;
    /* biq_tx_begin set the first tenant already. */
    if (strcmp(biq_tx_tenant(tx), jobs[0]->tenant) != 0 &&
        (err = biq_tx_set_tenant(tx, jobs[0]->tenant)) != BIQ_OK)
        return err;
    if ((err = biq_store_tenant_ensure(tx)) == BIQ_ERR_NOT_FOUND) {
        for (size_t i = 0; i < n; i++)
            jobs[i]->tx_err = BIQ_ERR_NOT_FOUND;
        return BIQ_OK;
    }
    if (err == BIQ_OK)
        err = biq_store_settings_get(tx, NULL, &overrides, &version); /* once per tenant */
    for (size_t i = 0; i < n && err == BIQ_OK; i++) {
        const char *project = jobs[i]->event.issue.project_key;
        if (i == 0 || strcmp(project, jobs[i - 1]->event.issue.project_key) != 0)
            ids = fields_with(tx, overrides, project, &jobs[i]->now, &buf, &err);
        if (err == BIQ_OK && reparse_issue_event(jobs[i], ids) == BIQ_OK) {
            owner[k] = jobs[i];
            issues[k++] = jobs[i]->event.issue;
        }
    }
    json_decref(overrides);
    if (err == BIQ_OK)
        err = write_issues(tx, issues, k, arena, &total, each);
    for (size_t i = 0; i < k && err == BIQ_OK; i++)
        owner[i]->res = each[i];
    return err;
}

/* The errors of a failed database rather than of the batch's data: no
 * event may then be acknowledged, and writing them one by one would only
 * fail again. */
static bool database_failed(biq_err err)
{
    return err == BIQ_ERR_DB || err == BIQ_ERR_UNAVAILABLE || err == BIQ_ERR_NOMEM;
}

static void run_event_batch(void *env, biq_batch_item **items, size_t n)
{
    biq_app *app = env;
    struct event_job *first = items[0]->ctx;
    /* The first submitter's arena: its thread waits until this returns. */
    biq_arena *arena = first->arena;
    struct event_job **jobs = biq_arena_calloc(arena, n, sizeof *jobs);
    biq_tx *tx = NULL;
    biq_err err = jobs != NULL ? BIQ_OK : BIQ_ERR_NOMEM;
    for (size_t i = 0; i < n && jobs != NULL; i++)
        jobs[i] = items[i]->ctx;
    if (err == BIQ_OK) {
        qsort(jobs, n, sizeof *jobs, compare_jobs);
        err = biq_tx_begin(app->pool, jobs[0]->tenant, &tx);
    }
    for (size_t g = 0, end; err == BIQ_OK && g < n; g = end) {
        for (end = g + 1; end < n && strcmp(jobs[end]->tenant, jobs[g]->tenant) == 0; end++) {
        }
        err = write_tenant_events(tx, jobs + g, end - g, arena);
    }
    if (tx != NULL)
        err = err == BIQ_OK ? biq_tx_commit(tx) : (biq_tx_rollback(tx), err);
    if (err == BIQ_OK)
        return;
    for (size_t i = 0; i < n; i++) {
        struct event_job *job = items[i]->ctx;
        if (job->parse_err != BIQ_OK || job->tx_err == BIQ_ERR_NOT_FOUND)
            continue; /* answered on its own merits, not written either way */
        job->res = (biq_ingest_result){0};
        job->tx_err = database_failed(err) ? err
                                            : biq_tx_run(app->pool, job->tenant, event_tx, job);
    }
}

biq_err biq_api_event_batcher_new(biq_app *app, size_t max_items, unsigned max_wait_us,
                                  biq_batcher **out)
{
    return biq_batcher_new(max_items, max_wait_us, run_event_batch, app, out);
}

/* The event's transaction: alone, or in a group commit when the server
 * batches and the event is an issue upsert (deletes and sprints stay
 * single: rare, and not worth a second batch path). */
static biq_err store_event(biq_app *app, const biq_request *req, struct event_job *job)
{
    char key[BIQ_TENANT_ID_MAX + NUMBER_TEXT_MAX];
    if (app->event_batcher == NULL || job->event.kind != BIQ_EVENT_ISSUE_UPSERT)
        return biq_tx_run(app->pool, req->tenant->tenant_id, event_tx, job);
    job->tenant = req->tenant->tenant_id;
    snprintf(key, sizeof key, "%" PRId64 "@%s", job->event.issue.id, job->tenant);
    job->item = (biq_batch_item){.ctx = job, .key = key};
    biq_batcher_submit(app->event_batcher, &job->item);
    return job->tx_err;
}

static biq_err not_installed(biq_app *app, biq_response *resp)
{
    biq_metrics_add(app->metrics, BIQ_COUNTER_INGEST_REJECTED, 1);
    biq_response_json(resp, 202, json_pack("{s:s}", "rejected", "installation is not registered"));
    return BIQ_OK;
}

biq_err biq_handle_events(void *app_ptr, biq_request *req, biq_response *resp)
{
    biq_app *app = app_ptr;
    struct event_job job = {.arena = req->arena, .now = ingest_clock(app)};
    biq_field_ids clock = {NULL, NULL, &job.now, NULL};
    json_t *root = NULL;
    biq_err err = load_body(req, resp, &root);
    if (err != BIQ_OK)
        return err;
    job.root = root;
    err = biq_parse_event(root, &clock, req->arena, &job.event, &job.perr);
    if (err != BIQ_OK) {
        err = parse_failed(resp, err, &job.perr);
        goto out;
    }
    if (job.event.kind == BIQ_EVENT_IGNORED) {
        biq_metrics_add(app->metrics, BIQ_COUNTER_INGEST_IGNORED, 1);
        biq_response_json(resp, 202, json_pack("{s:s}", "ignored", job.event.reason));
        goto out;
    }
    if (job.event.kind == BIQ_EVENT_ISSUE_UPSERT && job.event.issue.has_security_level)
        biq_metrics_add(app->metrics, BIQ_COUNTER_INGEST_RESTRICTED, 1);
    err = store_event(app, req, &job);
    if (err == BIQ_ERR_NOT_FOUND) {
        err = not_installed(app, resp);
    } else if (job.parse_err != BIQ_OK) {
        err = parse_failed(resp, job.parse_err, &job.perr);
    } else if (err != BIQ_OK) {
        biq_response_error(resp, err, "could not store the event");
    } else {
        biq_metrics_add(app->metrics, BIQ_COUNTER_INGEST_EVENTS, 1);
        biq_metrics_add(app->metrics, BIQ_COUNTER_INGEST_TRANSITIONS, job.res.transitions_new);
        if (job.event.kind == BIQ_EVENT_ISSUE_UPSERT) /* after the commit; queued, not awaited */
            biq_alert_worker_notify(app->alert_worker, req->tenant->tenant_id,
                                    job.event.issue.project_key, job.event.issue.id);
        biq_response_json(resp, 200, json_pack("{s:b,s:s,s:I,s:I}", "ok", 1, "event",
                                               job.event.type, "written",
                                               (json_int_t)job.res.issues_written, "transitions",
                                               (json_int_t)job.res.transitions_new));
    }
out:
    json_decref(root);
    return err;
}

/* ---- POST /forge/backfill/{projectKey} ------------------------------------- */

struct start_job {
    const char *project;
    int64_t total;
    const char *sp_field, *sprint_field;
    const char *flagged_field; /* issue #15 */
    json_t *state;
};

static biq_err start_tx(biq_tx *tx, void *ctx)
{
    struct start_job *job = ctx;
    biq_err err = biq_store_tenant_ensure(tx);
    if (err == BIQ_OK)
        err = biq_store_backfill_start(tx, job->project, job->total, job->sp_field,
                                       job->sprint_field, &job->state);
    if (err == BIQ_OK)
        err = biq_store_backfill_flagged_field_set(tx, job->project, job->flagged_field);
    return err;
}

/* An optional custom field id (absent or null), by the settings' one rule
 * (biq_settings_field_id_ok). */
static bool field_id_ok(const json_t *v)
{
    const char *s = json_string_value(v);
    if (v == NULL || json_is_null(v))
        return true;
    return s != NULL && strlen(s) == json_string_length(v) && biq_settings_field_id_ok(s);
}

static biq_err parse_start(json_t *body, biq_response *resp, struct start_job *job)
{
    json_t *total = json_object_get(body, "total");
    json_t *fields = json_object_get(body, "fields");
    if (!json_is_integer(total) || json_integer_value(total) < 0 ||
        json_integer_value(total) > INT32_MAX)
        return biq_response_error(resp, BIQ_ERR_SHAPE, "total: expected an integer from 0 to %d",
                                  INT32_MAX);
    if (fields != NULL && !json_is_object(fields))
        return biq_response_error(resp, BIQ_ERR_SHAPE, "fields: expected an object");
    json_t *sp = json_object_get(fields, "storyPoints"), *sprint = json_object_get(fields, "sprint");
    json_t *flagged = json_object_get(fields, "flagged");
    if (!field_id_ok(flagged))
        return biq_response_error(resp, BIQ_ERR_SHAPE, "fields.flagged: expected customfield_<digits>");
    if (!field_id_ok(sp))
        return biq_response_error(resp, BIQ_ERR_SHAPE, "fields.storyPoints: expected customfield_<digits>");
    if (!field_id_ok(sprint))
        return biq_response_error(resp, BIQ_ERR_SHAPE, "fields.sprint: expected customfield_<digits>");
    job->total = json_integer_value(total);
    job->sp_field = json_string_value(sp);
    job->sprint_field = json_string_value(sprint);
    job->flagged_field = json_string_value(flagged);
    return BIQ_OK;
}

/* Project keys as Jira makes them: an upper-case letter, then upper-case
 * letters, digits or underscores. */
biq_err biq_handle_backfill_start(void *app_ptr, biq_request *req, biq_response *resp)
{
    biq_app *app = app_ptr;
    struct start_job job = {.project = req->params[0]};
    json_t *body = NULL;
    if (!biq_ingest_project_key_ok(job.project))
        return biq_response_error(resp, BIQ_ERR_INVALID, "projectKey: not a Jira project key");
    biq_err err = biq_request_body_object(req, resp, &body);
    if (err == BIQ_OK)
        err = parse_start(body, resp, &job);
    if (err == BIQ_OK) {
        err = biq_tx_run(app->pool, req->tenant->tenant_id, start_tx, &job);
        if (err == BIQ_ERR_NOT_FOUND)
            err = not_installed(app, resp);
        else if (err != BIQ_OK)
            biq_response_error(resp, err, "could not start the backfill");
        else
            biq_response_json(resp, 200, job.state);
        job.state = NULL;
    }
    json_decref(job.state);
    json_decref(body);
    return err;
}

/* ---- POST /forge/backfill/{projectKey}/page -------------------------------- */

struct page_job {
    biq_ms now;
    const char *project;
    const json_t *root;
    biq_arena *arena;
    biq_issue_page page;
    biq_parse_error perr;
    biq_err parse_err;
    biq_ingest_result res;
    json_t *state;
};

static int compare_ids(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* A page is known by the ids on it: SHA-256 of them in order, in hex. */
static biq_err page_hash(const biq_issue_page *page, biq_arena *arena, char out[PAGE_HASH_HEX + 1])
{
    int64_t *ids = biq_arena_calloc(arena, page->n_issues + 1, sizeof *ids);
    unsigned char md[32];
    unsigned int md_len = 0;
    if (ids == NULL)
        return BIQ_ERR_NOMEM;
    for (size_t i = 0; i < page->n_issues; i++)
        ids[i] = page->issues[i].id;
    qsort(ids, page->n_issues, sizeof *ids, compare_ids);
    if (EVP_Digest(ids, page->n_issues * sizeof *ids, md, &md_len, EVP_sha256(), NULL) != 1)
        return BIQ_ERR_CRYPTO;
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    return BIQ_OK;
}

static biq_err page_tx(biq_tx *tx, void *ctx)
{
    struct page_job *job = ctx;
    biq_backfill_fields buf;
    char hash[PAGE_HASH_HEX + 1];
    biq_err err = biq_store_tenant_ensure(tx);
    if (err != BIQ_OK)
        return err;
    biq_field_ids ids = fields_for(tx, job->project, &job->now, &buf, &err);
    if (err != BIQ_OK)
        return err;
    job->parse_err = biq_parse_issue_page(job->root, &ids, job->arena, &job->page, &job->perr);
    if (job->parse_err != BIQ_OK)
        return job->parse_err;
    if ((err = biq_store_statuses_write(tx, job->page.statuses, NULL, job->page.n_statuses,
                                        job->arena)) != BIQ_OK ||
        (err = biq_store_sprints_write(tx, job->page.sprints, job->page.n_sprints, job->arena)) !=
            BIQ_OK ||
        (err = write_issues(tx, job->page.issues, job->page.n_issues, job->arena, &job->res,
                            NULL)) !=
            BIQ_OK ||
        (err = page_hash(&job->page, job->arena, hash)) != BIQ_OK)
        return err;
    return biq_store_backfill_page(tx, job->project, hash, &job->state);
}

biq_err biq_handle_backfill_page(void *app_ptr, biq_request *req, biq_response *resp)
{
    biq_app *app = app_ptr;
    struct page_job job = {.project = req->params[0], .arena = req->arena,
                           .now = ingest_clock(app)};
    json_t *root = NULL;
    if (!biq_ingest_project_key_ok(job.project))
        return biq_response_error(resp, BIQ_ERR_INVALID, "projectKey: not a Jira project key");
    biq_err err = load_body(req, resp, &root);
    if (err != BIQ_OK)
        return err;
    /* Parsed once, inside the transaction: the field ids to read it with
     * are the project's. A bad page then only costs a rollback. */
    job.root = root;
    err = biq_tx_run(app->pool, req->tenant->tenant_id, page_tx, &job);
    if (err == BIQ_ERR_NOT_FOUND) {
        err = not_installed(app, resp);
    } else if (job.parse_err != BIQ_OK || (err != BIQ_OK && job.perr.message[0] != '\0')) {
        err = parse_failed(resp, job.parse_err != BIQ_OK ? job.parse_err : err, &job.perr);
    } else if (err != BIQ_OK) {
        biq_response_error(resp, err, "could not store the page");
    } else {
        biq_metrics_add(app->metrics, BIQ_COUNTER_INGEST_PAGES, 1);
        biq_metrics_add(app->metrics, BIQ_COUNTER_INGEST_TRANSITIONS, job.res.transitions_new);
        json_object_set_new(job.state, "written", json_integer((json_int_t)job.res.issues_written));
        biq_response_json(resp, 200, job.state);
        job.state = NULL;
    }
    json_decref(job.state);
    json_decref(root);
    return err;
}

/* ---- POST /forge/issues/{issueIdOrKey}/changelog --------------------------- */

struct changelog_job {
    const char *issue;
    biq_arena *arena;
    const json_t *root;
    biq_ms now;
    biq_changelog_page page;
    biq_parse_error perr;
    biq_err parse_err;
    bool complete;
    int64_t issue_id;
};

/* The page's Flagged and Sprint items read with the field ids of the
 * issue's project (fields_for: the same ids its embedded changelog is read
 * with), so that both paths store the same histories. The first parse (no
 * field ids) already checked the body and gave the status transitions,
 * which no field id changes; this one replaces only the page's Flagged and
 * Sprint items. job->parse_err says why the page cannot be written (e.g.
 * an item matched by the id only now is over a limit). */
static biq_err changelog_reparse(biq_tx *tx, struct changelog_job *job, const char *project)
{
    biq_backfill_fields buf;
    biq_err err;
    biq_field_ids ids = fields_for(tx, project, &job->now, &buf, &err);
    if (err != BIQ_OK)
        return err;
    biq_changelog_page again;
    job->parse_err = biq_parse_changelog_page_with(job->root, &ids, job->arena, &again, &job->perr);
    if (job->parse_err != BIQ_OK)
        return job->parse_err;
    job->page.flag_changes = again.flag_changes;
    job->page.n_flag_changes = again.n_flag_changes;
    job->page.sprint_changes = again.sprint_changes;
    job->page.n_sprint_changes = again.n_sprint_changes;
    job->page.sprint_items_unreadable = again.sprint_items_unreadable;
    return BIQ_OK;
}

static biq_err changelog_tx(biq_tx *tx, void *ctx)
{
    struct changelog_job *job = ctx;
    const char *project = NULL;
    biq_err err = biq_store_tenant_ensure(tx);
    if (err == BIQ_OK)
        err = biq_store_issue_resolve(tx, job->issue, &job->issue_id);
    if (err != BIQ_OK)
        return err;
    int32_t start = job->page.start_at > 0 ? (int32_t)job->page.start_at : 0;
    int32_t total = job->page.total > 0 ? (int32_t)job->page.total : 0;
    err = biq_store_changelog_page(tx, job->issue_id, start, job->page.n_histories, total,
                                   job->page.transitions, job->page.n_transitions, job->arena,
                                   &project, &job->complete);
    if (err == BIQ_OK)
        err = changelog_reparse(tx, job, project);
    if (err == BIQ_OK)
        err = biq_store_extras_changelog_page(tx, job->issue_id, job->page.flag_changes,
                                              job->page.n_flag_changes, job->page.sprint_changes,
                                              job->page.n_sprint_changes, job->arena);
    if (err == BIQ_OK && project != NULL)
        err = biq_store_data_version_bump(tx, project);
    if (err == BIQ_OK && project != NULL)
        err = biq_store_backfill_refresh(tx, project);
    return err;
}

biq_err biq_handle_changelog_page(void *app_ptr, biq_request *req, biq_response *resp)
{
    biq_app *app = app_ptr;
    struct changelog_job job = {.issue = req->params[0], .arena = req->arena};
    json_t *root = NULL;
    biq_err err = load_body(req, resp, &root);
    if (err != BIQ_OK)
        return err;
    job.root = root;
    job.now = ingest_clock(app);
    /* Checked before the transaction: a malformed page is a 400 whether or
     * not its issue has arrived. changelog_tx reads its Flagged and Sprint
     * items again with the project's field ids. */
    err = biq_parse_changelog_page_at(root, &job.now, req->arena, &job.page, &job.perr);
    if (err != BIQ_OK) {
        err = parse_failed(resp, err, &job.perr);
        goto out;
    }
    err = biq_tx_run(app->pool, req->tenant->tenant_id, changelog_tx, &job);
    if (job.parse_err != BIQ_OK)
        err = parse_failed(resp, job.parse_err, &job.perr);
    else if (err == BIQ_ERR_NOT_FOUND)
        biq_response_error(resp, err, "issue %s is not known yet: send its page first", job.issue);
    else if (err != BIQ_OK)
        biq_response_error(resp, err, "could not store the changelog page");
    else
        biq_response_json(resp, 200, json_pack("{s:I,s:b,s:I}", "issueId", (json_int_t)job.issue_id,
                                               "complete", job.complete, "transitions",
                                               (json_int_t)job.page.n_transitions));
out:
    json_decref(root);
    return err;
}

/* ---- POST /forge/catalog --------------------------------------------------- */

struct catalog_job {
    biq_arena *arena;
    biq_api_catalog cat;
};

static biq_err catalog_tx(biq_tx *tx, void *ctx)
{
    struct catalog_job *job = ctx;
    const biq_api_catalog *c = &job->cat;
    biq_err err = biq_store_tenant_ensure(tx);
    if (err == BIQ_OK)
        err = biq_store_statuses_write(tx, c->statuses, NULL, c->n_statuses, job->arena);
    if (err == BIQ_OK)
        err = biq_store_sprints_write(tx, c->sprints, c->n_sprints, job->arena);
    if (err == BIQ_OK)
        err = biq_store_projects_write(tx, c->projects, c->n_projects, job->arena);
    return err;
}

/* The parsers name paths from the value they were given: put the member
 * in front ("statuses" + "[0].id: ..."). */
static biq_err prefixed(biq_err err, const char *member, biq_parse_error *perr)
{
    char message[sizeof perr->message];
    if (err != BIQ_OK) {
        /* Cut to fit when long: the start of the path is what matters. */
        int n = snprintf(message, sizeof message, "%s%s%s", member,
                         perr->message[0] == '[' ? "" : ".", perr->message);
        if (n > 0)
            memcpy(perr->message, message, sizeof message);
    }
    return err;
}

biq_err biq_api_catalog_parse(const json_t *root, const biq_ms *now, biq_arena *arena,
                              biq_api_catalog *out, biq_parse_error *perr)
{
    const json_t *st = json_object_get(root, "statuses"), *sp = json_object_get(root, "sprints");
    const json_t *pr = json_object_get(root, "projects");
    biq_err err = BIQ_OK;
    *out = (biq_api_catalog){0};
    if (!json_is_object(root)) {
        snprintf(perr->path, sizeof perr->path, "body");
        snprintf(perr->message, sizeof perr->message, "body: expected an object");
        return BIQ_ERR_SHAPE;
    }
    if (st != NULL)
        err = prefixed(biq_parse_statuses(st, arena, &out->statuses, &out->n_statuses, perr),
                       "statuses", perr);
    if (err == BIQ_OK && sp != NULL)
        err = prefixed(biq_parse_sprints_at(sp, now, arena, &out->sprints, &out->n_sprints, perr),
                       "sprints", perr);
    if (err == BIQ_OK && pr != NULL)
        err = prefixed(biq_parse_projects(pr, arena, &out->projects, &out->n_projects, perr),
                       "projects", perr);
    return err;
}

biq_err biq_handle_catalog(void *app_ptr, biq_request *req, biq_response *resp)
{
    biq_app *app = app_ptr;
    struct catalog_job job = {.arena = req->arena};
    biq_parse_error perr = {{0}, {0}};
    json_t *root = NULL;
    biq_err err = load_body(req, resp, &root);
    if (err != BIQ_OK)
        return err;
    biq_ms now = ingest_clock(app);
    err = biq_api_catalog_parse(root, &now, req->arena, &job.cat, &perr);
    if (err != BIQ_OK) {
        err = parse_failed(resp, err, &perr);
        goto out;
    }
    err = biq_tx_run(app->pool, req->tenant->tenant_id, catalog_tx, &job);
    if (err == BIQ_ERR_NOT_FOUND)
        err = not_installed(app, resp);
    else if (err != BIQ_OK)
        biq_response_error(resp, err, "could not store the catalogue");
    else
        biq_response_json(resp, 200, json_pack("{s:b,s:I,s:I,s:I}", "ok", 1, "statuses",
                                               (json_int_t)job.cat.n_statuses, "sprints",
                                               (json_int_t)job.cat.n_sprints, "projects",
                                               (json_int_t)job.cat.n_projects));
out:
    json_decref(root);
    return err;
}
