/* sync.c - backfill requests and reconcile bookkeeping (see sync.h). */
#include "store/sync.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/ingest.h"
#include "store/pgarray.h"

enum { NUMBER_MAX = 32 };

#define TS_ISO(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

biq_err biq_store_backfill_request(biq_tx *tx, const char *project_key, const char *principal)
{
    const char *params[] = {biq_tx_tenant(tx), project_key, principal[0] != '\0' ? principal : NULL};
    return biq_tx_exec(tx,
                       "INSERT INTO backfill_requests (tenant_id, project_key, requested_by)"
                       " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                       3, params, NULL);
}

/* Claims, in one statement, every request nobody holds: never handed out,
 * or its claim expired. FOR UPDATE SKIP LOCKED passes over a row another
 * transaction is claiming (or a backfill start is deleting) right now
 * instead of waiting for it; a row whose claim another transaction
 * committed after this one's snapshot is read again at the lock (read
 * committed) and fails the expiry test. So concurrent callers, on any
 * instance, split the requests between them and never share one, and no
 * two claimants wait for each other's locks in opposite orders. */
static const char CLAIM_REQUESTS[] =
    "WITH free AS (SELECT project_key FROM backfill_requests"
    "  WHERE tenant_id = $1 AND (claim_expires_at IS NULL OR claim_expires_at <= clock_timestamp())"
    "  FOR UPDATE SKIP LOCKED),"
    " claimed AS (UPDATE backfill_requests b SET claimed_at = clock_timestamp(),"
    "  claim_expires_at = clock_timestamp() + make_interval(secs => $2::integer),"
    "  claims = b.claims + 1"
    "  FROM free WHERE b.tenant_id = $1 AND b.project_key = free.project_key"
    "  RETURNING b.project_key, b.requested_at)"
    " SELECT project_key FROM claimed ORDER BY requested_at, project_key";

biq_err biq_store_backfill_requests(biq_tx *tx, json_t **out)
{
    PGresult *r = NULL;
    char seconds[NUMBER_MAX];
    snprintf(seconds, sizeof seconds, "%d", BIQ_BACKFILL_CLAIM_SECONDS);
    const char *params[] = {biq_tx_tenant(tx), seconds};
    *out = NULL;
    biq_err err = biq_tx_exec(tx, CLAIM_REQUESTS, 2, params, &r);
    json_t *keys = err == BIQ_OK ? json_array() : NULL;
    for (int i = 0; keys != NULL && i < PQntuples(r); i++)
        json_array_append_new(keys, json_string(PQgetvalue(r, i, 0)));
    PQclear(r);
    if (err == BIQ_OK && (keys == NULL || (*out = json_pack("{s:o}", "projects", keys)) == NULL))
        err = BIQ_ERR_NOMEM;
    return err;
}

biq_err biq_store_reconcile_get(biq_tx *tx, json_t **out)
{
    PGresult *r = NULL;
    const char *params[] = {biq_tx_tenant(tx)};
    *out = NULL;
    biq_err err = biq_tx_exec(tx,
                              "SELECT " TS_ISO("last_success_at") " FROM reconciles WHERE tenant_id = $1",
                              1, params, &r);
    if (err == BIQ_OK) {
        *out = json_pack("{s:s?}", "lastSuccessAt", PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : NULL);
        if (*out == NULL)
            err = BIQ_ERR_NOMEM;
    }
    PQclear(r);
    return err;
}

biq_err biq_store_reconcile_record(biq_tx *tx, biq_ms started, biq_ms finished, int64_t projects,
                                   int64_t issues)
{
    char s[NUMBER_MAX], f[NUMBER_MAX], p[NUMBER_MAX], n[NUMBER_MAX];
    snprintf(s, sizeof s, "%" PRId64, started);
    snprintf(f, sizeof f, "%" PRId64, finished);
    snprintf(p, sizeof p, "%" PRId64, projects);
    snprintf(n, sizeof n, "%" PRId64, issues);
    const char *params[] = {biq_tx_tenant(tx), s, f, p, n};
    return biq_tx_exec(tx,
                       "INSERT INTO reconciles AS r (tenant_id, last_success_at, finished_at,"
                       " projects, issues) VALUES ($1, " BIQ_SQL_MS_TO_TS("$2::bigint") ","
                       " " BIQ_SQL_MS_TO_TS("$3::bigint") ", $4::int, $5::int)"
                       " ON CONFLICT (tenant_id) DO UPDATE SET"
                       " last_success_at = greatest(r.last_success_at, EXCLUDED.last_success_at),"
                       " finished_at = EXCLUDED.finished_at, projects = EXCLUDED.projects,"
                       " issues = EXCLUDED.issues",
                       5, params, NULL);
}

biq_err biq_store_reconcile_ids(biq_tx *tx, const char *project_key, const int64_t *ids, size_t n,
                                biq_arena *arena, size_t *removed)
{
    biq_pgarray list;
    biq_err err;
    PGresult *r = NULL;
    *removed = 0;
    biq_pgarray_init(&list, arena);
    for (size_t i = 0; i < n; i++)
        biq_pgarray_int(&list, ids[i]);
    const char *literal = biq_pgarray_finish(&list, &err);
    if (literal == NULL)
        return err;
    const char *params[] = {biq_tx_tenant(tx), project_key, literal};
    err = biq_tx_exec(tx,
                      "WITH gone AS (DELETE FROM issues WHERE tenant_id = $1 AND project_key = $2"
                      "  AND NOT (issue_id = ANY($3::bigint[])) RETURNING issue_id),"
                      " marked AS (INSERT INTO issue_tombstones (tenant_id, issue_id, reason, state_at)"
                      " SELECT $1, issue_id, 'restricted', now() FROM gone"
                      " ON CONFLICT (tenant_id, issue_id) DO UPDATE SET"
                      "  state_at = greatest(issue_tombstones.state_at, EXCLUDED.state_at)"
                      "  WHERE issue_tombstones.reason = 'restricted')"
                      " SELECT issue_id FROM gone",
                      3, params, &r);
    if (err == BIQ_OK && PQntuples(r) > 0) {
        /* Their transitions, sprints, flags and links (0012_ingest_speed). */
        biq_pgarray gone;
        biq_pgarray_init(&gone, arena);
        for (int i = 0; i < PQntuples(r); i++)
            biq_pgarray_int(&gone, strtoll(PQgetvalue(r, i, 0), NULL, 10));
        const char *gone_ids = biq_pgarray_finish(&gone, &err);
        if (gone_ids != NULL)
            err = biq_store_issue_children_delete(tx, gone_ids);
    }
    if (err == BIQ_OK)
        *removed = (size_t)PQntuples(r);
    PQclear(r);
    return err;
}
