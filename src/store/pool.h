/* pool.h - a fixed-size pool of PostgreSQL connections.
 *
 * Connections are opened lazily and handed out only when idle: on release a
 * connection that is broken, or still inside a transaction that a rollback
 * cannot end, is closed and its slot reopened by the next acquire, so no
 * transaction state (and no tenant setting) ever crosses from one request
 * to the next. On acquire a connection the server has closed (a PostgreSQL
 * restart, an idle timeout) is noticed without a round trip (its socket is
 * readable while it should be silent), one idle for longer than
 * BIQ_POOL_IDLE_CHECK_MS is also asked an empty query, and a broken one is
 * replaced before the caller sees it. PostgreSQL's notices go to the JSON
 * log (warnings at warn, the rest at info), never to stderr. Thread-safe.
 */
#ifndef BIQ_STORE_POOL_H
#define BIQ_STORE_POOL_H

#include <libpq-fe.h>

#include "common/err.h"
#include "common/log.h"

enum {
    BIQ_POOL_ACQUIRE_TIMEOUT_MS = 5000, /* then 503: better than a pile-up */
    BIQ_POOL_STATEMENT_TIMEOUT_MS = 15000,
    BIQ_POOL_IDLE_TX_TIMEOUT_MS = 30000,
    BIQ_POOL_IDLE_CHECK_MS = 5000, /* idle longer: a round trip before it is handed out */
};

typedef struct biq_pool biq_pool;

typedef struct biq_pool_stats {
    unsigned size;       /* slots */
    unsigned in_use;     /* handed out now */
    unsigned open;       /* connections open now */
    unsigned long long connects;  /* successful connects so far */
    unsigned long long discards;  /* connections closed as unusable */
    unsigned long long timeouts;  /* acquires that gave up */
} biq_pool_stats;

/* Creates a pool of size slots for conninfo (a libpq URL or key=value
 * string, copied). No connection is opened yet. log (may be NULL, not
 * owned) receives failed statements (SQLSTATE and PostgreSQL's primary
 * message, never parameters). Returns BIQ_ERR_NOMEM or BIQ_OK. Free with
 * biq_pool_free() once no connection is out. */
biq_err biq_pool_new(const char *conninfo, unsigned size, biq_log *log, biq_pool **out);

/* Bounds every later connect of pool to seconds, whatever its conninfo
 * says (the read replica's pool: a standby that is gone must cost seconds,
 * not libpq's unbounded default). Call before the first acquire. */
void biq_pool_set_connect_timeout(biq_pool *pool, unsigned seconds);

/* The pool's logger (may be NULL). */
biq_log *biq_pool_log(const biq_pool *pool);

/* Closes every connection and frees the pool. NULL is a no-op. */
void biq_pool_free(biq_pool *pool);

/* Hands out an idle, open connection. Waits up to timeout_ms for a free
 * slot (BIQ_ERR_UNAVAILABLE after that); BIQ_ERR_DB when the database cannot
 * be reached. The caller must give it back with biq_pool_release(). */
biq_err biq_pool_acquire(biq_pool *pool, unsigned timeout_ms, PGconn **out);

/* Takes a connection back, repairing (ROLLBACK) or closing it when it is
 * not idle. conn must have come from this pool's acquire. */
void biq_pool_release(biq_pool *pool, PGconn *conn);

/* A consistent snapshot of the counters. */
void biq_pool_stats_get(biq_pool *pool, biq_pool_stats *out);

#endif
