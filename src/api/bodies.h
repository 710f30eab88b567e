/* bodies.h - the pure parsers behind some of the API's handlers: the
 * lifecycle trigger body (forge.c), the reconcile bodies (sync.c), the
 * catalogue body (ingest.c) and the project key rule of the Forge routes.
 *
 * They read only what they are given (no request, no database, no clock)
 * so that unit tests and the fuzz harnesses in tests/fuzz reach exactly
 * the code the handlers run; each handler turns a refusal into its 4xx.
 */
#ifndef BIQ_API_BODIES_H
#define BIQ_API_BODIES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/tenant.h"
#include "common/arena.h"
#include "common/err.h"
#include "ingest/ingest.h"

enum {
    BIQ_API_RECONCILE_IDS_MAX = 1000000, /* a Jira project's issues, with room */
    BIQ_API_ISSUE_ID_DIGITS_MAX = 19,    /* INT64_MAX has 19 digits */
    BIQ_API_WHY_MAX = 160,               /* room for "ids[999999]: ..." */
};

/* Project keys in paths are checked by biq_ingest_project_key_ok
 * (ingest/ingest.h), the one rule for Jira's key shapes. */

/* ---- lifecycle (POST /forge/lifecycle) ---- */

/* The eventType of a lifecycle trigger body: the body's own member, else
 * its payload's (Forge documents both shapes); NULL when neither is a
 * string. Borrowed from body. Pure. */
const char *biq_api_lifecycle_type(const json_t *body);

/* When ctx has no cloud id yet, copies the site's cloud id from the
 * body's (or its payload's) context "ari:cloud:jira::site/<cloudId>" into
 * ctx->cloud_id; a malformed or too long one is ignored (it describes the
 * tenant, it never chooses it). Pure. */
void biq_api_lifecycle_cloud_id(const json_t *body, biq_tenant_ctx *ctx);

/* ---- reconcile (POST /forge/reconcile, .../{projectKey}/ids) ---- */

typedef struct biq_api_reconcile {
    biq_ms started, finished;  /* finished >= started */
    int64_t projects, issues;  /* 0..INT32_MAX */
} biq_api_reconcile;

/* {"startedAt", "finishedAt": ISO instants, "projects": list or count,
 * "issues": list or count (absent: 0)} into *out. BIQ_ERR_SHAPE with
 * "member: reason" in why (*out then unspecified). Pure. */
biq_err biq_api_reconcile_parse(const json_t *body, biq_api_reconcile *out, char *why,
                                size_t why_len);

/* {"ids": [...]}: at most BIQ_API_RECONCILE_IDS_MAX positive issue ids,
 * each a JSON integer or a string of decimal digits without sign, space or
 * leading zero that fits an int64. *ids (from arena, n + 1 entries) and *n
 * on BIQ_OK; BIQ_ERR_SHAPE with "ids[i]: reason" (or "ids: ...") in why,
 * BIQ_ERR_NOMEM; *ids NULL and *n 0 on failure. Pure. */
biq_err biq_api_reconcile_ids_parse(const json_t *body, biq_arena *arena, int64_t **ids,
                                    size_t *n, char *why, size_t why_len);

/* ---- catalogue (POST /forge/catalog) ---- */

typedef struct biq_api_catalog {
    const biq_status *statuses;
    const biq_sprint *sprints;
    const biq_project *projects;
    size_t n_statuses, n_sprints, n_projects;
} biq_api_catalog;

/* A catalogue body {statuses?, sprints?, projects?}, each member in a shape
 * its ingest parser takes (ingest.h), into *out (from arena). On failure
 * (*out then unspecified) perr->message is "member<path>: reason" or
 * "body: expected an object", and perr->path the member parser's own path
 * (without the member) or "body". now: the clock for the sprint dates'
 * future limit (ingest.h), NULL for none. Pure. */
biq_err biq_api_catalog_parse(const json_t *root, const biq_ms *now, biq_arena *arena,
                              biq_api_catalog *out,
                              biq_parse_error *perr);

#endif
