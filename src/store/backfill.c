/* backfill.c - backfill progress rows (see backfill.h). */
#include "store/backfill.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NUMBER_MAX = 32 };

/* Recomputes received and incomplete from the issues themselves, then
 * moves the state: complete once every expected issue is in with its
 * whole history, capped once the cap is reached. */
static const char REFRESH[] =
    "UPDATE backfills b SET"
    " received = c.received, incomplete = c.incomplete,"
    " pages = (SELECT count(*) FROM backfill_pages p"
    "          WHERE p.tenant_id = b.tenant_id AND p.project_key = b.project_key),"
    " state = CASE WHEN b.state IN ('complete', 'capped', 'failed') THEN b.state"
    "              WHEN c.received >= b.cap THEN 'capped'"
    "              WHEN b.total > 0 AND c.received >= b.total AND c.incomplete = 0 THEN 'complete'"
    "              ELSE 'running' END,"
    " finished_at = CASE WHEN b.finished_at IS NOT NULL THEN b.finished_at"
    "                    WHEN c.received >= b.cap OR (b.total > 0 AND c.received >= b.total"
    "                         AND c.incomplete = 0) THEN now() END,"
    " updated_at = now()"
    " FROM (SELECT count(*) AS received,"
    "              count(*) FILTER (WHERE NOT changelog_complete) AS incomplete"
    "       FROM issues WHERE tenant_id = $1 AND project_key = $2) c"
    " WHERE b.tenant_id = $1 AND b.project_key = $2";

static const char SELECT_STATE[] =
    "SELECT state, received, total, pages, incomplete,"
    " to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    " to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    " FROM backfills WHERE tenant_id = $1 AND project_key = $2";

static json_int_t num(PGresult *r, int col)
{
    return (json_int_t)strtoll(PQgetvalue(r, 0, col), NULL, 10);
}

biq_err biq_store_backfill_get(biq_tx *tx, const char *project_key, json_t **state)
{
    PGresult *r = NULL;
    const char *params[] = {biq_tx_tenant(tx), project_key};
    *state = NULL;
    biq_err err = biq_tx_exec(tx, SELECT_STATE, 2, params, &r);
    if (err != BIQ_OK)
        goto out;
    if (PQntuples(r) == 0)
        *state = json_pack("{s:s,s:s,s:i,s:n}", "project", project_key, "state", "none",
                           "received", 0, "total");
    else
        *state = json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:s,s:s?}", "project", project_key, "state",
                           PQgetvalue(r, 0, 0), "received", num(r, 1), "total", num(r, 2),
                           "pages", num(r, 3), "incomplete", num(r, 4), "startedAt",
                           PQgetvalue(r, 0, 5),
                           "finishedAt", PQgetisnull(r, 0, 6) ? NULL : PQgetvalue(r, 0, 6));
    if (*state == NULL)
        err = BIQ_ERR_NOMEM;
out:
    PQclear(r);
    return err;
}

biq_err biq_store_backfill_refresh(biq_tx *tx, const char *project_key)
{
    const char *params[] = {biq_tx_tenant(tx), project_key};
    return biq_tx_exec(tx, REFRESH, 2, params, NULL);
}

static biq_err refresh(biq_tx *tx, const char *project_key, json_t **state)
{
    biq_err err = biq_store_backfill_refresh(tx, project_key);
    return err == BIQ_OK ? biq_store_backfill_get(tx, project_key, state) : err;
}

biq_err biq_store_backfill_start(biq_tx *tx, const char *project_key, int64_t total,
                                 const char *story_points_field, const char *sprint_field,
                                 json_t **state)
{
    char tot[NUMBER_MAX];
    snprintf(tot, sizeof tot, "%" PRId64, total);
    const char *params[] = {biq_tx_tenant(tx), project_key, tot, story_points_field,
                            sprint_field};
    biq_err err = biq_tx_exec(
        tx,
        "INSERT INTO backfills (tenant_id, project_key, state, total, story_points_field,"
        " sprint_field) VALUES ($1, $2, 'running', $3::int, $4, $5)"
        " ON CONFLICT (tenant_id, project_key) DO UPDATE SET state = 'running',"
        " total = EXCLUDED.total, pages = 0, started_at = now(), finished_at = NULL,"
        " story_points_field = coalesce(EXCLUDED.story_points_field, backfills.story_points_field),"
        " sprint_field = coalesce(EXCLUDED.sprint_field, backfills.sprint_field)",
        5, params, NULL);
    if (err == BIQ_OK)
        err = biq_tx_exec(tx, "DELETE FROM backfill_pages WHERE tenant_id = $1 AND project_key = $2",
                          2, params, NULL);
    /* A backfill asked for in the UI is under way now. */
    if (err == BIQ_OK)
        err = biq_tx_exec(tx,
                          "DELETE FROM backfill_requests WHERE tenant_id = $1 AND project_key = $2",
                          2, params, NULL);
    return err == BIQ_OK ? refresh(tx, project_key, state) : err;
}

biq_err biq_store_backfill_flagged_field_set(biq_tx *tx, const char *project_key,
                                             const char *flagged_field)
{
    const char *params[] = {biq_tx_tenant(tx), project_key, flagged_field};
    if (flagged_field == NULL)
        return BIQ_OK;
    return biq_tx_exec(tx,
                       "UPDATE backfills SET flagged_field = $3 WHERE tenant_id = $1"
                       " AND project_key = $2",
                       3, params, NULL);
}

static void copy_field(PGresult *r, int col, char *dst, size_t size)
{
    dst[0] = '\0';
    if (PQntuples(r) == 1 && !PQgetisnull(r, 0, col))
        snprintf(dst, size, "%s", PQgetvalue(r, 0, col));
}

biq_err biq_store_backfill_fields_get(biq_tx *tx, const char *project_key,
                                      biq_backfill_fields *out)
{
    PGresult *r = NULL;
    const char *params[] = {biq_tx_tenant(tx), project_key};
    biq_err err = biq_tx_exec(tx,
                              "SELECT story_points_field, sprint_field, flagged_field FROM backfills"
                              " WHERE tenant_id = $1 AND project_key = $2",
                              2, params, &r);
    memset(out, 0, sizeof *out);
    if (err == BIQ_OK) {
        copy_field(r, 0, out->story_points, sizeof out->story_points);
        copy_field(r, 1, out->sprint, sizeof out->sprint);
        copy_field(r, 2, out->flagged, sizeof out->flagged);
    }
    PQclear(r);
    return err;
}

biq_err biq_store_backfill_page(biq_tx *tx, const char *project_key, const char *page_hash,
                                json_t **state)
{
    const char *params[] = {biq_tx_tenant(tx), project_key, page_hash};
    biq_err err = biq_tx_exec(tx,
                              "INSERT INTO backfills (tenant_id, project_key, state)"
                              " VALUES ($1, $2, 'running') ON CONFLICT DO NOTHING",
                              2, params, NULL);
    if (err == BIQ_OK)
        err = biq_tx_exec(tx,
                          "INSERT INTO backfill_pages (tenant_id, project_key, page_hash)"
                          " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                          3, params, NULL);
    return err == BIQ_OK ? refresh(tx, project_key, state) : err;
}
