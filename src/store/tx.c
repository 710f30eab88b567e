/* tx.c - tenant-scoped transactions over the pool (see tx.h). */
#include "store/tx.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "auth/tenant.h"

/* Everything a transaction needs from its session, set transaction-locally
 * (set_config(..., true)) in one statement after BEGIN: the tenant, and the
 * bounds the pool also sets per session (store/pool.c). The session SETs
 * hold on a direct connection; behind PgBouncer in transaction mode a
 * server connection may have been opened by another client, so every
 * transaction carries its own copy and depends on no session state. */
#define TX_STATEMENT_TIMEOUT "15000"
#define TX_IDLE_TIMEOUT "30000"
_Static_assert(BIQ_POOL_STATEMENT_TIMEOUT_MS == 15000 && BIQ_POOL_IDLE_TX_TIMEOUT_MS == 30000,
               "TX_STATEMENT_TIMEOUT and TX_IDLE_TIMEOUT follow store/pool.h");
static const char TX_SETTINGS[] =
    "SELECT set_config('app.current_tenant', $1, true),"
    " set_config('statement_timeout', $2, true),"
    " set_config('idle_in_transaction_session_timeout', $3, true),"
    " set_config('plan_cache_mode', 'force_custom_plan', true)";

struct biq_tx {
    biq_pool *pool;
    PGconn *conn;
    char tenant_id[BIQ_TENANT_ID_MAX + 1];
};

biq_err biq_store_result_err(PGconn *conn, const PGresult *res)
{
    if (res == NULL || PQstatus(conn) != CONNECTION_OK)
        return BIQ_ERR_DB;
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_IN)
        return BIQ_OK;
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (state == NULL)
        return BIQ_ERR_DB;
    if (strncmp(state, "23", 2) == 0 || strncmp(state, "22", 2) == 0)
        return BIQ_ERR_INVALID; /* integrity constraint, data exception */
    if (strcmp(state, "42501") == 0)
        return BIQ_ERR_FORBIDDEN; /* RLS WITH CHECK, missing privilege */
    if (strcmp(state, "57014") == 0 || strncmp(state, "53", 2) == 0 ||
        strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
        strcmp(state, "55P03") == 0)
        return BIQ_ERR_UNAVAILABLE; /* timeout, resources, serialization, lock */
    if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0)
        return BIQ_ERR_DB; /* connection exception, shutdown */
    return BIQ_ERR_INTERNAL;
}

/* Operators need the database's own words for a failed statement; the
 * primary message and SQLSTATE carry no parameter values. */
static void log_failure(biq_tx *tx, const PGresult *r)
{
    const char *state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = r != NULL ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    biq_log_write(biq_pool_log(tx->pool), BIQ_LOG_WARN, "statement failed",
                  json_pack("{s:s,s:s}", "sqlstate", state != NULL ? state : "",
                            "error", primary != NULL ? primary : PQerrorMessage(tx->conn)));
}

biq_err biq_tx_exec(biq_tx *tx, const char *sql, int nparams, const char *const *params,
                    PGresult **res)
{
    PGresult *r = PQexecParams(tx->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    biq_err err = biq_store_result_err(tx->conn, r);
    if (err != BIQ_OK)
        log_failure(tx, r);
    if (err != BIQ_OK || res == NULL) {
        PQclear(r);
        r = NULL;
    }
    if (res != NULL)
        *res = r;
    return err;
}

biq_err biq_tx_begin(biq_pool *pool, const char *tenant_id, biq_tx **out)
{
    return biq_tx_begin_timeout(pool, tenant_id, BIQ_POOL_ACQUIRE_TIMEOUT_MS, out);
}

biq_err biq_tx_begin_timeout(biq_pool *pool, const char *tenant_id, unsigned timeout_ms,
                             biq_tx **out)
{
    biq_err err;
    biq_tx *tx = NULL;
    size_t len = strlen(tenant_id);

    *out = NULL;
    if (len == 0 || len > BIQ_TENANT_ID_MAX)
        return BIQ_ERR_INTERNAL; /* a verified token never gives this */
    tx = calloc(1, sizeof *tx);
    if (tx == NULL)
        return BIQ_ERR_NOMEM;
    tx->pool = pool;
    memcpy(tx->tenant_id, tenant_id, len + 1);
    if ((err = biq_pool_acquire(pool, timeout_ms, &tx->conn)) != BIQ_OK)
        goto out;
    if ((err = biq_tx_exec(tx, "BEGIN", 0, NULL, NULL)) != BIQ_OK)
        goto out;
    const char *params[] = {tx->tenant_id, TX_STATEMENT_TIMEOUT, TX_IDLE_TIMEOUT};
    err = biq_tx_exec(tx, TX_SETTINGS, 3, params, NULL);
out:
    if (err != BIQ_OK) {
        biq_tx_rollback(tx);
        return err;
    }
    *out = tx;
    return BIQ_OK;
}

static void tx_end(biq_tx *tx)
{
    if (tx->conn != NULL)
        biq_pool_release(tx->pool, tx->conn); /* rolls back what is still open */
    free(tx);
}

biq_err biq_tx_commit(biq_tx *tx)
{
    PGresult *res = NULL;
    biq_err err = biq_tx_exec(tx, "COMMIT", 0, NULL, &res);
    /* COMMIT of a failed transaction "succeeds" with the tag ROLLBACK: only
     * the tag says whether the data is really there. */
    if (err == BIQ_OK && strcmp(PQcmdStatus(res), "COMMIT") != 0)
        err = BIQ_ERR_INTERNAL;
    PQclear(res);
    tx_end(tx);
    return err;
}

void biq_tx_rollback(biq_tx *tx)
{
    if (tx == NULL)
        return;
    tx_end(tx);
}

biq_err biq_tx_run(biq_pool *pool, const char *tenant_id, biq_tx_fn fn, void *ctx)
{
    biq_tx *tx = NULL;
    biq_err err = biq_tx_begin(pool, tenant_id, &tx);
    if (err != BIQ_OK)
        return err;
    err = fn(tx, ctx);
    if (err != BIQ_OK) {
        biq_tx_rollback(tx);
        return err;
    }
    return biq_tx_commit(tx);
}

const char *biq_tx_tenant(const biq_tx *tx)
{
    return tx->tenant_id;
}

biq_err biq_tx_copy_start(biq_tx *tx, const char *sql)
{
    PGresult *r = PQexec(tx->conn, sql);
    biq_err err = biq_store_result_err(tx->conn, r);
    if (err == BIQ_OK && PQresultStatus(r) != PGRES_COPY_IN)
        err = BIQ_ERR_INTERNAL; /* not a COPY FROM STDIN: a bug of ours */
    if (err != BIQ_OK)
        log_failure(tx, r);
    PQclear(r);
    return err;
}

biq_err biq_tx_copy_data(biq_tx *tx, const char *buf, size_t len)
{
    if (len > INT_MAX)
        return BIQ_ERR_INTERNAL; /* chunks are BIQ_COPY_CHUNK */
    return PQputCopyData(tx->conn, buf, (int)len) == 1 ? BIQ_OK : BIQ_ERR_DB;
}

biq_err biq_tx_copy_finish(biq_tx *tx, biq_err prior, size_t *rows)
{
    PGresult *r;
    biq_err err = BIQ_OK;
    bool first = true;
    *rows = 0;
    if (PQputCopyEnd(tx->conn, prior != BIQ_OK ? "aborted by the client" : NULL) != 1)
        return BIQ_ERR_DB;
    /* The COPY's own result, then NULL. A lost connection gives an error
     * result and then NULL; a COPY still waiting for data would give
     * PGRES_COPY_IN forever, so that ends the loop too. */
    while ((r = PQgetResult(tx->conn)) != NULL) {
        biq_err e = biq_store_result_err(tx->conn, r);
        if (PQresultStatus(r) == PGRES_COPY_IN) { /* the end did not reach the server */
            PQclear(r);
            return BIQ_ERR_DB;
        }
        if (first && e == BIQ_OK)
            *rows = strtoull(PQcmdTuples(r), NULL, 10);
        if (e != BIQ_OK && err == BIQ_OK && prior == BIQ_OK)
            log_failure(tx, r);
        if (err == BIQ_OK)
            err = e;
        first = false;
        PQclear(r);
        if (err != BIQ_OK && PQstatus(tx->conn) != CONNECTION_OK)
            break;
    }
    if (first && err == BIQ_OK)
        err = BIQ_ERR_DB; /* no result at all: the connection went */
    return err;
}

biq_err biq_tx_set_tenant(biq_tx *tx, const char *tenant_id)
{
    size_t len = strlen(tenant_id);
    if (len == 0 || len > BIQ_TENANT_ID_MAX)
        return BIQ_ERR_INTERNAL; /* a verified token never gives this */
    const char *params[] = {tenant_id};
    biq_err err = biq_tx_exec(tx, "SELECT set_config('app.current_tenant', $1, true)", 1, params,
                              NULL);
    if (err == BIQ_OK)
        memcpy(tx->tenant_id, tenant_id, len + 1);
    return err;
}
