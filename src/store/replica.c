/* replica.c - the read replica's pool, failure backoff, counters and lag
 * (see replica.h). */
#include "store/replica.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { LSN_HALF_HEX_MAX = 8 }; /* pg_lsn text: two 32-bit halves in hex */

struct biq_replica {
    biq_pool *pool;
    pthread_mutex_t lock;
    struct timespec retry_at; /* CLOCK_MONOTONIC; zero: no failure pending */
    unsigned long long counts[BIQ_REPLICA_SOURCE__COUNT];
};

static const char *const SOURCE_NAMES[BIQ_REPLICA_SOURCE__COUNT] = {
    "standby", "primary_behind", "primary_failed", "primary_backoff", "primary_busy"};

/* When every WAL record received is replayed, the standby is as fresh as
 * the primary has told it to be: its last replayed commit may be old only
 * because nothing was written since, so that counts as no lag. */
static const char LAG_STANDBY[] =
    "SELECT pg_last_wal_replay_lsn()::text,"
    " CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
    "      ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END";
static const char LAG_PRIMARY[] = "SELECT pg_current_wal_lsn()::text";

biq_err biq_replica_new(const char *conninfo, unsigned size, biq_log *log, biq_replica **out)
{
    *out = NULL;
    biq_replica *r = calloc(1, sizeof *r);
    if (r == NULL)
        return BIQ_ERR_NOMEM;
    biq_err err = biq_pool_new(conninfo, size, log, &r->pool);
    if (err != BIQ_OK) {
        free(r);
        return err;
    }
    biq_pool_set_connect_timeout(r->pool, BIQ_REPLICA_CONNECT_TIMEOUT_S);
    pthread_mutex_init(&r->lock, NULL);
    *out = r;
    return BIQ_OK;
}

void biq_replica_free(biq_replica *r)
{
    if (r == NULL)
        return;
    biq_pool_free(r->pool);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

static bool before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

biq_pool *biq_replica_pool(biq_replica *r)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    pthread_mutex_lock(&r->lock);
    bool waiting = before(&now, &r->retry_at);
    pthread_mutex_unlock(&r->lock);
    return waiting ? NULL : r->pool;
}

void biq_replica_failed(biq_replica *r)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += BIQ_REPLICA_RETRY_MS / 1000;
    t.tv_nsec += (long)(BIQ_REPLICA_RETRY_MS % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&r->lock);
    r->retry_at = t;
    pthread_mutex_unlock(&r->lock);
}

biq_replica_verdict biq_replica_classify(biq_err err, bool acquiring)
{
    if (err == BIQ_ERR_LIMIT || err == BIQ_ERR_NOMEM)
        return BIQ_REPLICA_REQUEST;
    if (acquiring && err == BIQ_ERR_UNAVAILABLE)
        return BIQ_REPLICA_BUSY;
    return BIQ_REPLICA_FAILED;
}

void biq_replica_count(biq_replica *r, biq_replica_source source)
{
    if ((unsigned)source >= BIQ_REPLICA_SOURCE__COUNT)
        return;
    pthread_mutex_lock(&r->lock);
    r->counts[source]++;
    pthread_mutex_unlock(&r->lock);
}

void biq_replica_counts(biq_replica *r, unsigned long long out[BIQ_REPLICA_SOURCE__COUNT])
{
    pthread_mutex_lock(&r->lock);
    memcpy(out, r->counts, sizeof r->counts);
    pthread_mutex_unlock(&r->lock);
}

const char *biq_replica_source_name(biq_replica_source source)
{
    return (unsigned)source < BIQ_REPLICA_SOURCE__COUNT ? SOURCE_NAMES[source] : "unknown";
}

bool biq_replica_parse_lsn(const char *text, uint64_t *out)
{
    char *end = NULL;
    const char *slash = strchr(text, '/');
    if (slash == NULL || slash == text || slash[1] == '\0' || slash - text > LSN_HALF_HEX_MAX ||
        strlen(slash + 1) > LSN_HALF_HEX_MAX || strspn(text, "0123456789ABCDEFabcdef/") != strlen(text))
        return false;
    uint64_t hi = strtoull(text, &end, 16);
    if (end != slash)
        return false;
    uint64_t lo = strtoull(slash + 1, &end, 16);
    if (*end != '\0')
        return false;
    *out = hi << 32 | lo;
    return true;
}

/* One row of one statement outside any tenant transaction: these read
 * only server functions, no tenant data. */
static bool one_row(PGconn *conn, const char *sql, PGresult **res)
{
    *res = PQexec(conn, sql);
    return PQresultStatus(*res) == PGRES_TUPLES_OK && PQntuples(*res) == 1 &&
           !PQgetisnull(*res, 0, 0);
}

void biq_replica_lag_get(biq_replica *r, biq_pool *primary, biq_replica_lag *out)
{
    PGconn *conn = NULL;
    PGresult *res = NULL;
    uint64_t replayed = 0, current = 0;
    bool have_replayed = false;
    *out = (biq_replica_lag){.up = false, .seconds = 0, .bytes = -1};
    biq_pool *pool = biq_replica_pool(r);
    if (pool == NULL)
        return;
    biq_err err = biq_pool_acquire(pool, BIQ_REPLICA_ACQUIRE_TIMEOUT_MS, &conn);
    if (err != BIQ_OK) {
        if (err == BIQ_ERR_DB) /* unreachable; a busy pool is no failure */
            biq_replica_failed(r);
        return;
    }
    if (one_row(conn, LAG_STANDBY, &res)) {
        out->up = true;
        out->seconds = strtod(PQgetvalue(res, 0, 1), NULL);
        have_replayed = biq_replica_parse_lsn(PQgetvalue(res, 0, 0), &replayed);
    } else if (PQstatus(conn) != CONNECTION_OK) {
        biq_replica_failed(r);
    }
    PQclear(res);
    biq_pool_release(pool, conn);
    if (!have_replayed || primary == NULL ||
        biq_pool_acquire(primary, BIQ_REPLICA_ACQUIRE_TIMEOUT_MS, &conn) != BIQ_OK)
        return;
    if (one_row(conn, LAG_PRIMARY, &res) && biq_replica_parse_lsn(PQgetvalue(res, 0, 0), &current))
        out->bytes = current > replayed ? (long long)(current - replayed) : 0;
    PQclear(res);
    biq_pool_release(primary, conn);
}
