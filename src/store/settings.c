/* settings.c - settings rows and dashboard versions (see settings.h). */
#include "store/settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SELECT_TENANT[] =
    "SELECT overrides::text, version FROM tenant_settings WHERE tenant_id = $1";
static const char SELECT_PROJECT[] = "SELECT overrides::text, version FROM project_settings"
                                     " WHERE tenant_id = $1 AND project_key = $2";

static const char UPSERT_TENANT[] =
    "INSERT INTO tenant_settings (tenant_id, overrides) VALUES ($1, $2::jsonb)"
    " ON CONFLICT (tenant_id) DO UPDATE SET overrides = EXCLUDED.overrides,"
    " version = tenant_settings.version + 1, updated_at = now()"
    " RETURNING version";
static const char UPSERT_PROJECT[] =
    "INSERT INTO project_settings (tenant_id, overrides, project_key) VALUES ($1, $2::jsonb, $3)"
    " ON CONFLICT (tenant_id, project_key) DO UPDATE SET overrides = EXCLUDED.overrides,"
    " version = project_settings.version + 1, updated_at = now()"
    " RETURNING version";

static const char INSERT_HISTORY[] =
    "INSERT INTO settings_history (tenant_id, scope, project_key, principal, changes)"
    " VALUES ($1, CASE WHEN $2::text IS NULL THEN 'tenant' ELSE 'project' END, $2, $3, $4::jsonb)";

/* The catalogue fingerprint covers names, categories and sprint dates:
 * what a dashboard shows or windows by. */
static const char SELECT_VERSIONS[] =
    "SELECT EXISTS (SELECT 1 FROM tenants WHERE tenant_id = $1), dv.version,"
    " (SELECT version FROM tenant_settings WHERE tenant_id = $1),"
    " (SELECT version FROM project_settings WHERE tenant_id = $1 AND project_key = $2),"
    " md5(coalesce((SELECT string_agg(status_id || ':' || name || ':' || category, ','"
    "                ORDER BY status_id) FROM statuses WHERE tenant_id = $1), '') || '|' ||"
    "     coalesce((SELECT string_agg(concat_ws(':', sprint_id, name, state, start_at, end_at,"
    "                complete_at), ',' ORDER BY sprint_id) FROM sprints WHERE tenant_id = $1), '')"
    "     || '|' || coalesce((SELECT string_agg(name, ',' ORDER BY project_id) FROM projects"
    "                WHERE tenant_id = $1 AND key = $2), '')),"
    " (extract(epoch from dv.last_sync_at) * 1000000)::bigint"
    " FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT version, last_sync_at FROM data_versions"
    "  WHERE tenant_id = $1 AND project_key = $2) AS dv ON true";

static int64_t num(const PGresult *r, int col)
{
    return PQgetisnull(r, 0, col) ? 0 : strtoll(PQgetvalue(r, 0, col), NULL, 10);
}

biq_err biq_store_settings_get(biq_tx *tx, const char *project_key, json_t **overrides,
                               int64_t *version)
{
    PGresult *res = NULL;
    const char *params[] = {biq_tx_tenant(tx), project_key};
    *overrides = NULL;
    *version = 0;
    biq_err err = biq_tx_exec(tx, project_key ? SELECT_PROJECT : SELECT_TENANT, project_key ? 2 : 1,
                              params, &res);
    if (err != BIQ_OK)
        goto out;
    if (PQntuples(res) == 1) {
        *overrides = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
        *version = num(res, 1);
    } else {
        *overrides = json_object();
    }
    if (*overrides == NULL)
        err = BIQ_ERR_NOMEM;
out:
    PQclear(res);
    return err;
}

biq_err biq_store_settings_put(biq_tx *tx, const char *project_key, const json_t *overrides,
                               const json_t *changes, const char *principal, int64_t *version)
{
    PGresult *res = NULL;
    char *doc = json_dumps(overrides, JSON_COMPACT | JSON_SORT_KEYS);
    char *diff = json_dumps(changes, JSON_COMPACT | JSON_SORT_KEYS);
    biq_err err = BIQ_ERR_NOMEM;
    if (doc == NULL || diff == NULL)
        goto out;
    const char *params[] = {biq_tx_tenant(tx), doc, project_key};
    err = biq_tx_exec(tx, project_key ? UPSERT_PROJECT : UPSERT_TENANT, project_key ? 3 : 2, params,
                      &res);
    if (err != BIQ_OK)
        goto out;
    *version = num(res, 0);
    const char *hist[] = {biq_tx_tenant(tx), project_key, principal, diff};
    err = biq_tx_exec(tx, INSERT_HISTORY, 4, hist, NULL);
out:
    PQclear(res);
    free(doc);
    free(diff);
    return err;
}

biq_err biq_store_project_versions(biq_tx *tx, const char *project_key, biq_project_versions *out)
{
    PGresult *res = NULL;
    const char *params[] = {biq_tx_tenant(tx), project_key};
    *out = (biq_project_versions){0};
    biq_err err = biq_tx_exec(tx, SELECT_VERSIONS, 2, params, &res);
    if (err != BIQ_OK)
        goto out;
    if (PQntuples(res) != 1) {
        err = BIQ_ERR_INTERNAL;
        goto out;
    }
    out->installed = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    out->data_version = num(res, 1);
    out->tenant_settings = num(res, 2);
    out->project_settings = num(res, 3);
    snprintf(out->catalogue, sizeof out->catalogue, "%s", PQgetvalue(res, 0, 4));
    out->committed_us = num(res, 5);
out:
    PQclear(res);
    return err;
}
