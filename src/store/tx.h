/* tx.h - the tenant transaction: the only way request code reaches data.
 *
 * biq_tx_begin() takes an idle pooled connection, opens a transaction and
 * sets app.current_tenant transaction-locally (set_config(..., true)), so
 * PostgreSQL's row-level security confines every statement of the request
 * to that tenant and the setting dies with the transaction. Commit or
 * rollback hands the connection back to the pool. A biq_tx belongs to one
 * thread.
 */
#ifndef BIQ_STORE_TX_H
#define BIQ_STORE_TX_H

#include <libpq-fe.h>

#include "common/err.h"
#include "store/pool.h"

typedef struct biq_tx biq_tx;

/* Opens a transaction for tenant_id (non-empty; from a verified token).
 * Returns BIQ_ERR_UNAVAILABLE (pool exhausted), BIQ_ERR_DB (database down)
 * or BIQ_OK with *out set; the caller ends it with commit or rollback. */
biq_err biq_tx_begin(biq_pool *pool, const char *tenant_id, biq_tx **out);

/* biq_tx_begin waiting at most timeout_ms (instead of
 * BIQ_POOL_ACQUIRE_TIMEOUT_MS) for a pooled connection: for a pool whose
 * callers have somewhere else to go, such as the read replica's
 * (BIQ_REPLICA_ACQUIRE_TIMEOUT_MS). Same errors. */
biq_err biq_tx_begin_timeout(biq_pool *pool, const char *tenant_id, unsigned timeout_ms,
                             biq_tx **out);

/* Work to run inside one tenant transaction; ctx is the caller's. */
typedef biq_err (*biq_tx_fn)(biq_tx *tx, void *ctx);

/* Begins a transaction for tenant_id, runs fn, and commits when fn
 * returned BIQ_OK (rolls back otherwise). Returns fn's error, or the
 * begin/commit error. The usual way for a handler to touch data. */
biq_err biq_tx_run(biq_pool *pool, const char *tenant_id, biq_tx_fn fn, void *ctx);

/* Commits and frees tx. On failure the transaction is rolled back; returns
 * BIQ_ERR_DB (or the mapped SQL error). tx is freed in every case. */
biq_err biq_tx_commit(biq_tx *tx);

/* Rolls back and frees tx. NULL is a no-op. */
void biq_tx_rollback(biq_tx *tx);

/* The tenant this transaction is confined to. Owned by tx. */
const char *biq_tx_tenant(const biq_tx *tx);

/* Runs a parameterised statement (text parameters, text results) inside
 * the transaction. *res (may be NULL to discard) receives the result, to be
 * PQclear()ed by the caller. Maps SQL errors: integrity violations to
 * BIQ_ERR_INVALID, RLS / privilege violations to BIQ_ERR_FORBIDDEN,
 * timeouts to BIQ_ERR_UNAVAILABLE, connection loss to BIQ_ERR_DB, anything
 * else to BIQ_ERR_INTERNAL. For store modules only. */
biq_err biq_tx_exec(biq_tx *tx, const char *sql, int nparams, const char *const *params,
                    PGresult **res);

/* Maps a failed result (or a NULL one, i.e. connection trouble) to biq_err
 * as biq_tx_exec() does. Shared by the store modules that run their own
 * statements (migrations). */
biq_err biq_store_result_err(PGconn *conn, const PGresult *res);

/* COPY ... FROM STDIN inside the transaction, for store/copy.c only:
 * start runs sql (expects the server to wait for data), data sends len
 * bytes of rows, finish ends the COPY (aborts it when prior is not BIQ_OK,
 * so that nothing of it is kept) and sets *rows to what the server took.
 * Errors are mapped as biq_tx_exec() maps them. */
biq_err biq_tx_copy_start(biq_tx *tx, const char *sql);
biq_err biq_tx_copy_data(biq_tx *tx, const char *buf, size_t len);
biq_err biq_tx_copy_finish(biq_tx *tx, biq_err prior, size_t *rows);

/* Moves tx to tenant_id (non-empty, verified) for the statements that
 * follow: app.current_tenant is set again, transaction-locally, so RLS
 * confines them to that tenant, and biq_tx_tenant() answers it. For the
 * group commit of events (one transaction, several tenants in turn).
 * BIQ_ERR_INTERNAL for a bad id, else as biq_tx_exec(). */
biq_err biq_tx_set_tenant(biq_tx *tx, const char *tenant_id);

/* SQL text turning epoch milliseconds (a bigint expression) into a
 * timestamptz: the one spelling every statement of the store uses. */
#define BIQ_SQL_MS_TO_TS(expr) "'epoch'::timestamptz + " expr " * interval '1 millisecond'"

#endif
