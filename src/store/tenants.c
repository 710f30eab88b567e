/* tenants.c - tenant rows (see tenants.h). Every statement names the tenant
 * explicitly (layer 1) although RLS would confine it anyway (layer 2). */
#include "store/tenants.h"

#include <stdlib.h>
#include <string.h>

static const char *nullable(const char *s)
{
    return s[0] != '\0' ? s : NULL;
}

biq_err biq_store_tenant_upsert(biq_tx *tx, const biq_tenant_ctx *ctx)
{
    if (strcmp(ctx->tenant_id, biq_tx_tenant(tx)) != 0)
        return BIQ_ERR_INTERNAL;
    const char *params[] = {biq_tx_tenant(tx), nullable(ctx->cloud_id), nullable(ctx->site_url),
                            nullable(ctx->api_base_url), nullable(ctx->environment)};
    return biq_tx_exec(tx,
                       "INSERT INTO tenants (tenant_id, cloud_id, site_url, api_base_url, environment)"
                       " VALUES ($1, $2, $3, $4, $5)"
                       " ON CONFLICT (tenant_id) DO UPDATE SET"
                       " cloud_id = coalesce(EXCLUDED.cloud_id, tenants.cloud_id),"
                       " site_url = coalesce(EXCLUDED.site_url, tenants.site_url),"
                       " api_base_url = coalesce(EXCLUDED.api_base_url, tenants.api_base_url),"
                       " environment = coalesce(EXCLUDED.environment, tenants.environment),"
                       " updated_at = now()",
                       5, params, NULL);
}

biq_err biq_store_tenant_delete(biq_tx *tx, bool *existed)
{
    PGresult *res = NULL;
    const char *params[] = {biq_tx_tenant(tx)};
    biq_err err = biq_tx_exec(tx, "DELETE FROM tenants WHERE tenant_id = $1", 1, params, &res);
    *existed = err == BIQ_OK && strcmp(PQcmdTuples(res), "0") != 0;
    PQclear(res);
    return err;
}

static json_t *text_or_null(PGresult *res, int col)
{
    return PQgetisnull(res, 0, col) ? json_null() : json_string(PQgetvalue(res, 0, col));
}

/* Every project key of the tenant (or only scope's), with its name and
 * newest commit, and the status catalogue, as two JSON texts. */
static const char LISTS_SQL[] =
    "WITH keys AS (SELECT project_key AS key FROM issues WHERE tenant_id = $1"
    "  UNION SELECT key FROM projects WHERE tenant_id = $1"
    "  UNION SELECT project_key FROM data_commits WHERE tenant_id = $1)"
    " SELECT coalesce(json_agg(json_build_object('key', k.key,"
    "   'name', (SELECT p.name FROM projects p WHERE p.tenant_id = $1 AND p.key = k.key"
    "            ORDER BY p.project_id DESC LIMIT 1),"
    "   'lastSyncAt', (SELECT max(c.at) FROM data_commits c"
    "                  WHERE c.tenant_id = $1 AND c.project_key = k.key))"
    "   ORDER BY k.key), '[]')::text,"
    " (SELECT coalesce(json_agg(json_build_object('id', s.status_id::text, 'name', s.name,"
    "   'category', s.category) ORDER BY s.status_id), '[]')::text"
    "   FROM statuses s WHERE s.tenant_id = $1)"
    " FROM keys k WHERE $2::text IS NULL OR k.key = $2";

static biq_err add_lists(biq_tx *tx, const char *scope, json_t *summary)
{
    PGresult *res = NULL;
    const char *params[] = {biq_tx_tenant(tx), scope};
    biq_err err = biq_tx_exec(tx, LISTS_SQL, 2, params, &res);
    if (err != BIQ_OK)
        goto out;
    json_t *projects = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    json_t *statuses = json_loads(PQgetvalue(res, 0, 1), 0, NULL);
    json_t *counts = json_object_get(summary, "counts");
    if (projects == NULL || statuses == NULL || counts == NULL ||
        json_object_set_new(counts, "projects", json_integer((json_int_t)json_array_size(projects))) ||
        json_object_set_new(summary, "projects", projects) ||
        json_object_set_new(summary, "statuses", statuses))
        err = BIQ_ERR_NOMEM;
out:
    PQclear(res);
    return err;
}

biq_err biq_store_tenant_summary(biq_tx *tx, const char *scope, json_t **out)
{
    PGresult *res = NULL;
    const char *params[] = {biq_tx_tenant(tx)};
    *out = NULL;
    biq_err err = biq_tx_exec(
        tx,
        "SELECT t.site_url, t.cloud_id, t.environment,"
        " to_char(t.installed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
        " (SELECT count(*) FROM issues i WHERE i.tenant_id = $1),"
        " (SELECT count(*) FROM status_transitions s WHERE s.tenant_id = $1),"
        " (SELECT count(*) FROM sprints s WHERE s.tenant_id = $1),"
        " coalesce((SELECT (o.overrides->'aiExplanations')::boolean FROM tenant_settings o"
        "           WHERE o.tenant_id = $1), true)"
        " FROM tenants t WHERE t.tenant_id = $1",
        1, params, &res);
    if (err != BIQ_OK)
        goto out;
    if (PQntuples(res) != 1) {
        err = BIQ_ERR_NOT_FOUND;
        goto out;
    }
    *out = json_pack("{s:s,s:o,s:o,s:o,s:s,s:{s:b},s:{s:I,s:I,s:I}}", "id", biq_tx_tenant(tx),
                     "site", text_or_null(res, 0), "cloudId", text_or_null(res, 1), "environment",
                     text_or_null(res, 2), "installedAt", PQgetvalue(res, 0, 3), "settings",
                     "aiExplanations", strcmp(PQgetvalue(res, 0, 7), "t") == 0, "counts", "issues",
                     (json_int_t)strtoll(PQgetvalue(res, 0, 4), NULL, 10), "transitions",
                     (json_int_t)strtoll(PQgetvalue(res, 0, 5), NULL, 10), "sprints",
                     (json_int_t)strtoll(PQgetvalue(res, 0, 6), NULL, 10));
    if (*out == NULL)
        err = BIQ_ERR_NOMEM;
    else
        err = add_lists(tx, scope, *out);
    if (err != BIQ_OK) {
        json_decref(*out);
        *out = NULL;
    }
out:
    PQclear(res);
    return err;
}
