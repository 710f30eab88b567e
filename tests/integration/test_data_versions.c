/* test_data_versions.c - the per-project data version kept as appended
 * commits (db/migrations/0007_data_commits.sql): concurrent events of one
 * project each move the version a later request sees and the final version
 * counts them all; compaction keeps the version and the last sync; and a
 * writer never waits for a compaction that holds the project's rows. */
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "store/ingest.h"
#include "store/pool.h"
#include "store/tx.h"
#include "testsupport.h"

static harness H;
static biq_pool *POOL;

static const char TENANT[] = "ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-0000000000d7";

enum {
    WRITERS = 8,           /* concurrent HTTP clients, one project */
    EVENTS_EACH = 40,      /* events each client posts */
    SEQUENTIAL = 300,      /* commits in the one-at-a-time runs: several compactions */
    POOL_SIZE = 4,
    SQL_LEN = 1024,
    BODY_LEN = 1024,
};

static void setup(void)
{
    harness_init(&H, "biq_data_versions");
    harness_start_app(&H, NULL);
    char *resp = NULL;
    long st = harness_call(&H, TENANT, NULL, "POST", "/forge/lifecycle",
                           "{\"eventType\":\"avi:forge:installed:app\"}", &resp);
    ck_assert_msg(st == 200, "install: %ld %s", st, resp);
    free(resp);
    ck_assert_int_eq(biq_pool_new(H.app_url, POOL_SIZE, NULL, &POOL), BIQ_OK);
}

static void teardown(void)
{
    biq_pool_free(POOL);
    harness_cleanup(&H);
}

static long long scalar(PGconn *c, const char *sql)
{
    PGresult *r = harness_sql(c, sql);
    long long n = PQgetisnull(r, 0, 0) ? -1 : strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return n;
}

/* What a reader sees of project FLOW through the view, and the rows under it. */
struct seen {
    long long version, last_sync_us, rows;
};

static struct seen seen_now(PGconn *super)
{
    char sql[SQL_LEN];
    snprintf(sql, sizeof sql,
             "SELECT v.version, (extract(epoch FROM v.last_sync_at) * 1000000)::bigint,"
             " (SELECT count(*) FROM data_commits c WHERE c.tenant_id = v.tenant_id"
             "  AND c.project_key = v.project_key)"
             " FROM data_versions v WHERE v.tenant_id = '%s' AND v.project_key = 'FLOW'",
             TENANT);
    PGresult *r = harness_sql(super, sql);
    struct seen s = {0, 0, 0};
    if (PQntuples(r) == 1) {
        s.version = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        s.last_sync_us = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
        s.rows = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
    }
    PQclear(r);
    return s;
}

/* One ingest commit of FLOW through the store, as the routes make it. A
 * lock wait longer than lock_timeout fails it instead of hanging the test.
 * *started_us receives the transaction's now(). */
static biq_err commit_tx(biq_tx *tx, void *ctx)
{
    long long *started_us = ctx;
    PGresult *r = NULL;
    biq_err err = biq_tx_exec(tx, "SET LOCAL lock_timeout = '2s'", 0, NULL, NULL);
    if (err == BIQ_OK)
        err = biq_tx_exec(tx, "SELECT (extract(epoch FROM now()) * 1000000)::bigint", 0, NULL, &r);
    if (err == BIQ_OK)
        *started_us = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return err == BIQ_OK ? biq_store_data_version_bump(tx, "FLOW") : err;
}

START_TEST(compaction_keeps_version_and_last_sync)
{
    PGconn *super = harness_pg(&H, "postgres");
    int compactions = 0;
    long long most_rows = 0;
    for (int i = 1; i <= SEQUENTIAL; i++) {
        long long started_us = 0;
        struct seen before = seen_now(super);
        ck_assert_int_eq(biq_tx_run(POOL, TENANT, commit_tx, &started_us), BIQ_OK);
        struct seen after = seen_now(super);
        /* Every commit moves the version by exactly its weight, compacted
         * or not, and the last sync is the newest commit's. */
        ck_assert_int_eq(after.version, i);
        ck_assert_int_eq(after.last_sync_us, started_us);
        ck_assert_int_ge(after.last_sync_us, before.last_sync_us);
        if (after.rows < before.rows + 1) {
            /* One at a time, a compaction folds everything into one row. */
            ck_assert_int_eq(after.rows, 1);
            compactions++;
        }
        if (after.rows > most_rows)
            most_rows = after.rows;
    }
    ck_assert_int_ge(compactions, 2);
    ck_assert_int_lt(most_rows, SEQUENTIAL / 2);
    PQfinish(super);
}
END_TEST

/* Ids handed out so far: a commit takes one, its compaction another. */
static long long ids_taken(PGconn *super)
{
    return scalar(super, "SELECT coalesce(last_value, 0) FROM pg_sequences"
                         " WHERE sequencename = 'data_commits_id_seq'");
}

START_TEST(writers_never_wait_for_a_compaction)
{
    PGconn *super = harness_pg(&H, "postgres");
    PGconn *other = harness_pg(&H, "postgres");
    char fold[SQL_LEN];
    snprintf(fold, sizeof fold,
             "BEGIN; WITH gone AS (DELETE FROM data_commits WHERE tenant_id = '%s'"
             " AND project_key = 'FLOW' RETURNING weight, at)"
             " INSERT INTO data_commits (tenant_id, project_key, weight, at)"
             " SELECT '%s', 'FLOW', sum(weight), max(at) FROM gone HAVING count(*) > 0",
             TENANT, TENANT);
    int compactions = 0;
    long long started_us = 0;
    for (int i = 1; i <= SEQUENTIAL; i++) {
        /* Another transaction folds every row and holds them while a
         * writer commits: the writer must not wait (lock_timeout), and its
         * compaction, if due, finds only its own row, which it keeps. */
        PQclear(harness_sql(other, fold));
        long long ids = ids_taken(super);
        ck_assert_int_eq(biq_tx_run(POOL, TENANT, commit_tx, &started_us), BIQ_OK);
        compactions += ids_taken(super) - ids == 2;
        ck_assert_int_eq(seen_now(super).version, i);
        PQclear(harness_sql(other, "COMMIT"));
        struct seen after = seen_now(super);
        ck_assert_int_eq(after.version, i);
        ck_assert_int_eq(after.last_sync_us, started_us);
        ck_assert_int_le(after.rows, 2);
    }
    ck_assert_int_ge(compactions, 2);
    PQfinish(other);
    PQfinish(super);
}
END_TEST

struct writer {
    int index;
    long long lowest_step; /* smallest version increase seen after an own event */
    long long last_version;
    long failures;         /* non-2xx answers */
    char failure[256];
};

static long long dashboard_version(struct writer *w)
{
    char *resp = NULL;
    long st = harness_call(&H, TENANT, "FLOW", "GET", "/api/v1/projects/FLOW/dashboard?window=30d",
                           NULL, &resp);
    long long v = -1;
    json_t *j = st == 200 ? json_loads(resp, 0, NULL) : NULL;
    if (j != NULL && json_is_integer(json_object_get(j, "dataVersion")))
        v = json_integer_value(json_object_get(j, "dataVersion"));
    else if (w->failures++ == 0)
        snprintf(w->failure, sizeof w->failure, "dashboard: %ld %.200s", st, resp ? resp : "");
    json_decref(j);
    free(resp);
    return v;
}

static void *write_events(void *arg)
{
    struct writer *w = arg;
    char body[BODY_LEN];
    long long seen = dashboard_version(w);
    for (int k = 0; k < EVENTS_EACH; k++) {
        int id = 100000 + w->index * 1000 + k;
        snprintf(body, sizeof body,
                 "{\"eventType\":\"avi:jira:created:issue\",\"issue\":{\"id\":\"%d\","
                 "\"key\":\"FLOW-%d\",\"fields\":{\"summary\":\"w\",\"project\":{\"id\":\"1\","
                 "\"key\":\"FLOW\"},\"status\":{\"id\":\"3\",\"name\":\"In Progress\","
                 "\"statusCategory\":{\"key\":\"indeterminate\"}},\"issuetype\":{\"name\":\"Task\"},"
                 "\"created\":\"2024-01-01T10:00:00.000+0000\","
                 "\"updated\":\"2024-01-01T10:00:00.000+0000\"},\"changelog\":{\"total\":0,"
                 "\"histories\":[]}}}",
                 id, id);
        char *resp = NULL;
        long st = harness_call(&H, TENANT, NULL, "POST", "/forge/events", body, &resp);
        if (st / 100 != 2 && w->failures++ == 0)
            snprintf(w->failure, sizeof w->failure, "event: %ld %.200s", st, resp ? resp : "");
        free(resp);
        /* Acknowledged: the next request must see a newer version. */
        long long now = dashboard_version(w);
        if (now - seen < w->lowest_step)
            w->lowest_step = now - seen;
        seen = now;
    }
    w->last_version = seen;
    return NULL;
}

/* An issue event for project FLOW in status 3 ("In Progress") at updated. */
static long post_event(int id, const char *updated)
{
    char body[BODY_LEN], *resp = NULL;
    snprintf(body, sizeof body,
             "{\"eventType\":\"avi:jira:updated:issue\",\"issue\":{\"id\":\"%d\","
             "\"key\":\"FLOW-%d\",\"fields\":{\"summary\":\"s\",\"project\":{\"id\":\"1\","
             "\"key\":\"FLOW\"},\"status\":{\"id\":\"3\",\"name\":\"In Progress\","
             "\"statusCategory\":{\"key\":\"indeterminate\"}},\"issuetype\":{\"name\":\"Task\"},"
             "\"created\":\"2024-01-01T10:00:00.000+0000\",\"updated\":\"%s\"},"
             "\"changelog\":{\"total\":0,\"histories\":[]}}}",
             id, id, updated);
    long st = harness_call(&H, TENANT, NULL, "POST", "/forge/events", body, &resp);
    free(resp);
    return st;
}

/* The tenant's status rows are shared by all its projects: an event that
 * would not change one (same or older state) must not lock it, or every
 * event of the tenant queues on it. Another transaction holds the row; the
 * events must still commit (a locked wait would end in the statement
 * timeout's 503). */
START_TEST(events_do_not_lock_status_rows_they_leave_alone)
{
    ck_assert_int_eq(post_event(500, "2024-02-01T10:00:00.000+0000"), 200);
    PGconn *other = harness_pg(&H, "postgres");
    char lock[SQL_LEN];
    snprintf(lock, sizeof lock,
             "BEGIN; SELECT 1 FROM statuses WHERE tenant_id = '%s' AND status_id = 3 FOR UPDATE",
             TENANT);
    PQclear(harness_sql(other, lock));
    ck_assert_int_eq(post_event(501, "2024-02-01T10:00:00.000+0000"), 200); /* identical */
    ck_assert_int_eq(post_event(502, "2024-01-15T10:00:00.000+0000"), 200); /* older */
    PQclear(harness_sql(other, "COMMIT"));
    PGconn *super = harness_pg(&H, "postgres");
    char count[SQL_LEN];
    snprintf(count, sizeof count,
             "SELECT count(*) FROM issues WHERE tenant_id = '%s' AND issue_id IN (500, 501, 502)", TENANT);
    ck_assert_int_eq(scalar(super, count), 3);
    PQfinish(super);
    PQfinish(other);
}
END_TEST

START_TEST(concurrent_events_each_move_the_version)
{
    pthread_t t[WRITERS];
    struct writer w[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        w[i] = (struct writer){.index = i, .lowest_step = 1LL << 40};
        ck_assert_int_eq(pthread_create(&t[i], NULL, write_events, &w[i]), 0);
    }
    for (int i = 0; i < WRITERS; i++)
        ck_assert_int_eq(pthread_join(t[i], NULL), 0);
    for (int i = 0; i < WRITERS; i++) {
        ck_assert_msg(w[i].failures == 0, "writer %d: %s", i, w[i].failure);
        ck_assert_int_ge(w[i].lowest_step, 1);
    }
    struct writer last = {.index = -1};
    ck_assert_int_eq(dashboard_version(&last), WRITERS * EVENTS_EACH);
    PGconn *super = harness_pg(&H, "postgres");
    struct seen end = seen_now(super);
    ck_assert_int_eq(end.version, WRITERS * EVENTS_EACH);
    /* Compactions ran meanwhile, and the rows are fewer than the commits. */
    ck_assert_int_lt(end.rows, WRITERS * EVENTS_EACH / 2);
    char sql[SQL_LEN];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM issues WHERE tenant_id = '%s'", TENANT);
    ck_assert_int_eq(scalar(super, sql), WRITERS * EVENTS_EACH);
    PQfinish(super);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("data_versions");
    TCase *tc = tcase_create("data_versions");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, compaction_keeps_version_and_last_sync);
    tcase_add_test(tc, writers_never_wait_for_a_compaction);
    tcase_add_test(tc, concurrent_events_each_move_the_version);
    tcase_add_test(tc, events_do_not_lock_status_rows_they_leave_alone);
    suite_add_tcase(s, tc);
    return s;
}
