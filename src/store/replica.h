/* replica.h - the optional read replica (a streaming hot standby) that the
 * project views load their models from (views/open.c), with the rule that
 * keeps reads your own writes:
 *
 *   a request reads its project's versions on the primary (one cheap
 *   query, as every view already does); the model is loaded from the
 *   standby only when the standby's versions of that project are exactly
 *   the ones just read, before and after the load; otherwise (behind,
 *   ahead, unreachable, failing) from the primary.
 *
 * A standby that fails (no connection within BIQ_REPLICA_CONNECT_TIMEOUT_S,
 * or a statement error) is not tried again for BIQ_REPLICA_RETRY_MS: the
 * reads go to the primary meanwhile, and each is counted by why. Only the
 * standby's own failures back off (biq_replica_classify): a busy standby
 * pool sends one read to the primary, and a failure of the read itself (a
 * project over the load limits, out of memory) is the request's answer. The lag
 * (seconds and bytes of WAL the standby has not replayed) is measured on
 * demand, for /metrics. Thread-safe.
 */
#ifndef BIQ_STORE_REPLICA_H
#define BIQ_STORE_REPLICA_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "common/log.h"
#include "store/pool.h"

enum {
    BIQ_REPLICA_CONNECT_TIMEOUT_S = 2, /* libpq's minimum that means anything */
    BIQ_REPLICA_RETRY_MS = 5000,       /* after a failure, the primary alone this long */
    BIQ_REPLICA_ACQUIRE_TIMEOUT_MS = 200, /* a busy standby pool: read the primary */
};

/* Where a view's model came from, and why: the /metrics labels. */
typedef enum biq_replica_source {
    BIQ_REPLICA_STANDBY = 0,     /* the standby held exactly the primary's versions */
    BIQ_REPLICA_PRIMARY_BEHIND,  /* the standby had other versions (behind, mostly) */
    BIQ_REPLICA_PRIMARY_FAILED,  /* the standby failed this read */
    BIQ_REPLICA_PRIMARY_BACKOFF, /* within BIQ_REPLICA_RETRY_MS of a failure */
    BIQ_REPLICA_PRIMARY_BUSY,    /* no standby connection free within
                                    BIQ_REPLICA_ACQUIRE_TIMEOUT_MS */
    BIQ_REPLICA_SOURCE__COUNT
} biq_replica_source;

typedef struct biq_replica biq_replica;

typedef struct biq_replica_lag {
    bool up;               /* the standby answered */
    double seconds;        /* now - last replayed commit; 0 when all received WAL is replayed */
    long long bytes;       /* primary's WAL position - standby's replay position; -1 unknown */
} biq_replica_lag;

/* A replica of size connections to conninfo (copied), each connect bounded
 * by BIQ_REPLICA_CONNECT_TIMEOUT_S whatever conninfo says. log may be
 * NULL (not owned). Returns BIQ_ERR_NOMEM, BIQ_ERR_CONFIG (size 0) or
 * BIQ_OK. Free with biq_replica_free once no read is under way. */
biq_err biq_replica_new(const char *conninfo, unsigned size, biq_log *log, biq_replica **out);

/* NULL is a no-op. */
void biq_replica_free(biq_replica *r);

/* The standby's pool to try now, or NULL while backing off after a
 * failure (the caller then reads the primary and counts
 * BIQ_REPLICA_PRIMARY_BACKOFF). */
biq_pool *biq_replica_pool(biq_replica *r);

/* What the error of a read on the standby means. */
typedef enum biq_replica_verdict {
    BIQ_REPLICA_FAILED,  /* the standby's fault: back off, read the primary */
    BIQ_REPLICA_BUSY,    /* its pool had no connection in time: read the
                            primary this once, no backoff */
    BIQ_REPLICA_REQUEST, /* the read's own failure, which the primary would
                            give too: answer with it, no backoff */
} biq_replica_verdict;

/* Classifies err (not BIQ_OK) of a standby read. acquiring: it came from
 * opening the transaction (biq_tx_begin_timeout), not from a statement.
 *   - acquiring, BIQ_ERR_UNAVAILABLE (no free connection): BUSY;
 *   - BIQ_ERR_LIMIT (a project over the load limits) and BIQ_ERR_NOMEM:
 *     REQUEST, from either stage;
 *   - anything else: FAILED: a connection that cannot be made or was lost
 *     (BIQ_ERR_DB), and any SQL error of a statement, including a
 *     recovery conflict or statement timeout (BIQ_ERR_UNAVAILABLE) and a
 *     schema the standby has not replayed yet (BIQ_ERR_INTERNAL).
 * Pure. */
biq_replica_verdict biq_replica_classify(biq_err err, bool acquiring);

/* Marks the standby failed: biq_replica_pool answers NULL for
 * BIQ_REPLICA_RETRY_MS from now. */
void biq_replica_failed(biq_replica *r);

/* Counts one model read by where it came from. */
void biq_replica_count(biq_replica *r, biq_replica_source source);

/* The counters, indexed by biq_replica_source (a consistent snapshot). */
void biq_replica_counts(biq_replica *r, unsigned long long out[BIQ_REPLICA_SOURCE__COUNT]);

/* The label of source ("standby", "primary_behind", ...; static). */
const char *biq_replica_source_name(biq_replica_source source);

/* Measures the lag: one statement on the standby, one on primary (may be
 * NULL: bytes stay -1). A standby that cannot be reached gives up = false
 * (and counts as a failure, like a read's). Never blocks longer than the
 * connect timeout plus one statement. */
void biq_replica_lag_get(biq_replica *r, biq_pool *primary, biq_replica_lag *out);

/* "X/Y" (PostgreSQL's pg_lsn text) as a number; false when malformed. */
bool biq_replica_parse_lsn(const char *text, uint64_t *out);

#endif
