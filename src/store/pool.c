/* pool.c - fixed-size, lazily connecting PostgreSQL pool (see pool.h). */
#include "store/pool.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { POOL_SECONDS_TEXT_MAX = 16 }; /* a decimal unsigned */

struct slot {
    PGconn *conn; /* NULL until first used, or after a discard */
    bool busy;
    struct timespec idle_since; /* when it was last released */
};

struct biq_pool {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    char *conninfo;
    char connect_timeout[POOL_SECONDS_TEXT_MAX]; /* "": conninfo's own (or none) */
    biq_log *log;
    unsigned size;
    unsigned in_use;
    unsigned long long connects, discards, timeouts;
    struct slot slots[];
};

biq_err biq_pool_new(const char *conninfo, unsigned size, biq_log *log, biq_pool **out)
{
    *out = NULL;
    if (size == 0)
        return BIQ_ERR_CONFIG;
    biq_pool *pool = calloc(1, sizeof *pool + size * sizeof(struct slot));
    if (pool == NULL)
        return BIQ_ERR_NOMEM;
    pool->conninfo = strdup(conninfo);
    if (pool->conninfo == NULL) {
        free(pool);
        return BIQ_ERR_NOMEM;
    }
    pool->size = size;
    pool->log = log;
    pthread_mutex_init(&pool->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&pool->freed, &attr);
    pthread_condattr_destroy(&attr);
    *out = pool;
    return BIQ_OK;
}

void biq_pool_free(biq_pool *pool)
{
    if (pool == NULL)
        return;
    for (unsigned i = 0; i < pool->size; i++)
        PQfinish(pool->slots[i].conn);
    pthread_cond_destroy(&pool->freed);
    pthread_mutex_destroy(&pool->lock);
    free(pool->conninfo);
    free(pool);
}

static struct timespec deadline_after(unsigned ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* Waits for a free slot and marks it busy; prefers one already connected. */
static biq_err claim_slot(biq_pool *pool, unsigned timeout_ms, struct slot **out)
{
    struct timespec deadline = deadline_after(timeout_ms);
    biq_err err = BIQ_OK;
    pthread_mutex_lock(&pool->lock);
    while (pool->in_use == pool->size) {
        if (pthread_cond_timedwait(&pool->freed, &pool->lock, &deadline) == ETIMEDOUT &&
            pool->in_use == pool->size) {
            pool->timeouts++;
            err = BIQ_ERR_UNAVAILABLE;
            goto out;
        }
    }
    struct slot *pick = NULL;
    for (unsigned i = 0; i < pool->size; i++) {
        struct slot *s = &pool->slots[i];
        if (!s->busy && (pick == NULL || (pick->conn == NULL && s->conn != NULL)))
            pick = s;
    }
    pick->busy = true;
    pool->in_use++;
    *out = pick;
out:
    pthread_mutex_unlock(&pool->lock);
    return err;
}

static void unclaim_slot(biq_pool *pool, struct slot *s)
{
    pthread_mutex_lock(&pool->lock);
    s->busy = false;
    pool->in_use--;
    pthread_cond_signal(&pool->freed);
    pthread_mutex_unlock(&pool->lock);
}

/* Session settings that bound every statement; none of them is tenant
 * state, which only ever lives in a transaction (store/tx.c).
 * plan_cache_mode: PostgreSQL caches the plans of its foreign-key checks
 * per connection. Planned while a table was still empty (a fresh install's
 * first backfill, before autovacuum's first ANALYZE), a check scans the
 * whole parent table for every inserted row, and a backfill turns
 * quadratic: measured 59 ms -> 440 ms per page over 5,000 issues. Custom
 * plans see the table as it is; they cost about a third of page time and
 * leave our own statements (unnamed, planned per call anyway) unchanged. */
static bool configure_session(PGconn *conn)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SET statement_timeout = %d; SET idle_in_transaction_session_timeout = %d;"
             " SET plan_cache_mode = force_custom_plan",
             BIQ_POOL_STATEMENT_TIMEOUT_MS, BIQ_POOL_IDLE_TX_TIMEOUT_MS);
    PGresult *res = PQexec(conn, sql);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    return ok;
}

/* libpq's notices (a WARNING from a statement, a NOTICE from DDL, the
 * server's goodbye before a restart) as JSON log lines instead of raw
 * lines on stderr. Only the severity, SQLSTATE and primary message. */
static void log_notice(void *arg, const PGresult *res)
{
    biq_log *log = arg;
    const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    const char *sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    bool warning = severity != NULL && strcmp(severity, "NOTICE") != 0 &&
                   strcmp(severity, "INFO") != 0 && strcmp(severity, "LOG") != 0 &&
                   strncmp(severity, "DEBUG", 5) != 0;
    if (log == NULL)
        return;
    biq_log_write(log, warning ? BIQ_LOG_WARN : BIQ_LOG_INFO, "postgres notice",
                  json_pack("{s:s,s:s,s:s}", "severity", severity != NULL ? severity : "",
                            "sqlstate", sqlstate != NULL ? sqlstate : "", "detail",
                            primary != NULL ? primary : ""));
}

/* A connect_timeout given after the expanded conninfo overrides the one
 * in it (libpq processes keywords in order). */
static PGconn *connect_db(const char *conninfo, const char *connect_timeout, biq_log *log)
{
    const char *const keys[] = {"dbname", "connect_timeout", NULL};
    const char *const values[] = {conninfo, connect_timeout, NULL};
    PGconn *conn = connect_timeout[0] != '\0' ? PQconnectdbParams(keys, values, 1)
                                               : PQconnectdb(conninfo);
    if (conn == NULL)
        return NULL;
    PQsetNoticeReceiver(conn, log_notice, log);
    if (PQstatus(conn) != CONNECTION_OK || !configure_session(conn)) {
        PQfinish(conn);
        return NULL;
    }
    return conn;
}

/* Sets a slot's connection. Only the slot's owner calls this, but the
 * stats reader looks at every slot, so the write happens under the lock. */
static void slot_set_conn(biq_pool *pool, struct slot *s, PGconn *conn, bool connected)
{
    pthread_mutex_lock(&pool->lock);
    s->conn = conn;
    if (connected)
        pool->connects++;
    pthread_mutex_unlock(&pool->lock);
}

static long idle_ms(const struct slot *s)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(now.tv_sec - s->idle_since.tv_sec) * 1000 +
           (now.tv_nsec - s->idle_since.tv_nsec) / 1000000L;
}

/* True when an idle connection still works. An idle connection's socket
 * has nothing to read unless the server spoke first, which for us means
 * it is going away (a restart's "terminating connection", or EOF): read it
 * and then ask with a round trip (an empty query), as libpq may not have
 * seen the EOF behind the server's last message yet. Idle for long, the
 * same round trip, for the failures that send nothing. */
static bool still_alive(const struct slot *s)
{
    PGconn *conn = s->conn;
    struct pollfd pfd = {.fd = PQsocket(conn), .events = POLLIN};
    if (PQstatus(conn) != CONNECTION_OK || pfd.fd < 0)
        return false;
    bool spoke = poll(&pfd, 1, 0) != 0;
    if (spoke && (PQconsumeInput(conn) == 0 || PQstatus(conn) != CONNECTION_OK))
        return false;
    /* The server's last words may come before its EOF: ask to be sure. */
    if (spoke || idle_ms(s) > BIQ_POOL_IDLE_CHECK_MS) {
        PGresult *res = PQexec(conn, "");
        bool ok = PQresultStatus(res) == PGRES_EMPTY_QUERY;
        PQclear(res);
        return ok && PQstatus(conn) == CONNECTION_OK &&
               PQtransactionStatus(conn) == PQTRANS_IDLE;
    }
    return true;
}

biq_err biq_pool_acquire(biq_pool *pool, unsigned timeout_ms, PGconn **out)
{
    struct slot *s = NULL;
    *out = NULL;
    biq_err err = claim_slot(pool, timeout_ms, &s);
    if (err != BIQ_OK)
        return err;
    if (s->conn != NULL && !still_alive(s)) {
        biq_log_write(pool->log, BIQ_LOG_WARN, "database connection lost while idle; reconnecting",
                      NULL);
        PQfinish(s->conn);
        slot_set_conn(pool, s, NULL, false);
        pthread_mutex_lock(&pool->lock);
        pool->discards++;
        pthread_mutex_unlock(&pool->lock);
    }
    if (s->conn == NULL) {
        /* Connecting happens outside the lock: only this thread owns s. */
        PGconn *conn = connect_db(pool->conninfo, pool->connect_timeout, pool->log);
        if (conn == NULL) {
            unclaim_slot(pool, s);
            return BIQ_ERR_DB;
        }
        slot_set_conn(pool, s, conn, true);
    }
    *out = s->conn;
    return BIQ_OK;
}

/* True when conn can serve the next request as it is. */
static bool make_idle(PGconn *conn)
{
    if (PQstatus(conn) != CONNECTION_OK)
        return false;
    PGTransactionStatusType ts = PQtransactionStatus(conn);
    if (ts == PQTRANS_IDLE)
        return true;
    if (ts != PQTRANS_INTRANS && ts != PQTRANS_INERROR)
        return false; /* PQTRANS_ACTIVE or UNKNOWN: a query is still running */
    PGresult *res = PQexec(conn, "ROLLBACK");
    PQclear(res);
    return PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) == PQTRANS_IDLE;
}

void biq_pool_release(biq_pool *pool, PGconn *conn)
{
    struct slot *s = NULL;
    pthread_mutex_lock(&pool->lock);
    for (unsigned i = 0; i < pool->size && conn != NULL; i++) {
        if (pool->slots[i].conn == conn && pool->slots[i].busy)
            s = &pool->slots[i];
    }
    pthread_mutex_unlock(&pool->lock);
    if (s == NULL)
        return; /* not ours: a caller bug, but never corrupt the pool for it */
    bool keep = make_idle(conn);
    if (!keep)
        PQfinish(conn);
    pthread_mutex_lock(&pool->lock);
    if (!keep) {
        s->conn = NULL;
        pool->discards++;
    }
    clock_gettime(CLOCK_MONOTONIC, &s->idle_since);
    s->busy = false;
    pool->in_use--;
    pthread_cond_signal(&pool->freed);
    pthread_mutex_unlock(&pool->lock);
}

void biq_pool_stats_get(biq_pool *pool, biq_pool_stats *out)
{
    pthread_mutex_lock(&pool->lock);
    out->size = pool->size;
    out->in_use = pool->in_use;
    out->open = 0;
    for (unsigned i = 0; i < pool->size; i++)
        out->open += pool->slots[i].conn != NULL;
    out->connects = pool->connects;
    out->discards = pool->discards;
    out->timeouts = pool->timeouts;
    pthread_mutex_unlock(&pool->lock);
}

void biq_pool_set_connect_timeout(biq_pool *pool, unsigned seconds)
{
    pthread_mutex_lock(&pool->lock);
    snprintf(pool->connect_timeout, sizeof pool->connect_timeout, "%u", seconds);
    pthread_mutex_unlock(&pool->lock);
}

biq_log *biq_pool_log(const biq_pool *pool)
{
    return pool->log;
}
