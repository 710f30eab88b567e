/* test_group_commit.c - POST /forge/events with group commit on
 * (BIQ_EVENT_BATCH_MAX, BIQ_EVENT_BATCH_WAIT_US, api/ingest.c): events
 * posted at once by two tenants are written in shared transactions, each
 * acknowledged only after its commit; every acknowledged event is stored
 * and under its own tenant only (RLS, the tenant moved per group inside
 * one transaction); an event that fails its own checks is answered 4xx
 * while the others of its batch are stored; a row the database refuses
 * fails that event alone; and a database failure in the middle of a batch
 * acknowledges none of it and leaves none of it stored. */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/caller.h"
#include "harness.h"
#include "testsupport.h"

enum {
    EVENTS = 16,   /* posted at once, half per tenant */
    BATCH = 8,     /* BIQ_EVENT_BATCH_MAX */
    BODY_MAX = 1024,
    SQL_MAX = 512,
};

static harness H;
static const char TENANT_A[] = "ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-0000000000ca";
static const char TENANT_B[] = "ari:cloud:ecosystem::installation/bbbbbbbb-0000-4000-8000-0000000000cb";

static void install(const char *tenant)
{
    char *resp = NULL;
    ck_assert_int_eq(harness_call(&H, tenant, NULL, "POST", "/forge/lifecycle",
                                  "{\"eventType\":\"avi:forge:installed:app\"}", &resp), 200);
    free(resp);
}

static void setup(void)
{
    /* A long wait and 32 workers: the events posted at once meet in few
     * batches (the wait ends as soon as BATCH are queued). */
    static const char *const env[] = {"BIQ_EVENT_BATCH_MAX=8", "BIQ_EVENT_BATCH_WAIT_US=100000",
                                      "BIQ_WORKERS=32", NULL};
    harness_init(&H, "biq_group_commit");
    harness_start_app(&H, env);
    install(TENANT_A);
    install(TENANT_B);
}

static void teardown(void)
{
    harness_cleanup(&H);
}

struct post {
    const char *tenant;
    char *token;
    char body[BODY_MAX];
    long status;
    char *resp;
};

/* An issue-created event of issue id in project key with summary; updated
 * false: no `updated` and no timestamp, which only the second parse (in
 * the batch) refuses. */
static void event(struct post *p, int id, const char *project, const char *summary, bool updated)
{
    snprintf(p->body, sizeof p->body,
             "{\"eventType\":\"avi:jira:created:issue\",\"issue\":{\"id\":\"%d\",\"key\":\"%s-%d\","
             "\"fields\":{\"summary\":\"%s\",\"project\":{\"id\":\"1\",\"key\":\"%s\"},"
             "\"status\":{\"id\":\"3\",\"name\":\"In Progress\",\"statusCategory\":{\"key\":\"indeterminate\"}},"
             "\"issuetype\":{\"name\":\"Task\"},\"created\":\"2024-01-01T10:00:00.000+0000\"%s},"
             "\"changelog\":{\"total\":1,\"histories\":[{\"id\":\"%d\",\"created\":\"2024-01-01T11:00:00.000+0000\","
             "\"items\":[{\"field\":\"status\",\"fieldId\":\"status\",\"from\":\"1\",\"to\":\"3\"}]}]}}}",
             id, project, id, summary, project,
             updated ? ",\"updated\":\"2024-01-01T10:00:00.000+0000\"" : "", 9000 + id);
}

static void *post_one(void *arg)
{
    struct post *p = arg;
    p->status = http_json(&H, "POST", "/forge/events", p->token, p->body, &p->resp);
    return NULL;
}

/* Posts posts[0..n) at once (tokens minted first, so that the requests
 * leave together). */
static void post_all(struct post *posts, size_t n)
{
    pthread_t t[EVENTS];
    for (size_t i = 0; i < n; i++)
        posts[i].token = harness_token_as(&H, posts[i].tenant, NULL, BIQ_CALLER_EVENTS);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, post_one, &posts[i]), 0);
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(pthread_join(t[i], NULL), 0);
        free(posts[i].token);
    }
}

static long long stored(const char *tenant, int id)
{
    char sql[SQL_MAX];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM issues i JOIN status_transitions t USING (tenant_id, issue_id)"
             " WHERE i.tenant_id = '%s' AND i.issue_id = %d AND t.history_id = %d",
             tenant, id, 9000 + id);
    return harness_count(&H, sql);
}

static unsigned long long metric(const char *name)
{
    char *body = NULL;
    ck_assert_int_eq(harness_ops_get(&H, "/metrics", &body), 200);
    const char *at = strstr(body, name);
    ck_assert_msg(at != NULL, "no %s", name);
    unsigned long long v = strtoull(at + strlen(name), NULL, 10);
    free(body);
    return v;
}

/* Both tenants post issues with the SAME ids at once: each tenant ends up
 * with exactly its own rows (its own summary), every event is answered
 * 200 after its commit, and the events were batched (fewer transactions
 * than events). */
START_TEST(two_tenants_at_once_each_keep_their_own_rows)
{
    static struct post posts[EVENTS];
    for (int i = 0; i < EVENTS; i++) {
        posts[i] = (struct post){.tenant = i % 2 ? TENANT_B : TENANT_A};
        event(&posts[i], i / 2 + 1, "GC", i % 2 ? "from b" : "from a", true);
    }
    post_all(posts, EVENTS);
    for (int i = 0; i < EVENTS; i++) {
        ck_assert_msg(posts[i].status == 200, "event %d: %ld %s", i, posts[i].status, posts[i].resp);
        ck_assert_ptr_nonnull(strstr(posts[i].resp, "\"written\":1,\"transitions\":1"));
        free(posts[i].resp);
    }
    for (int id = 1; id <= EVENTS / 2; id++) {
        ck_assert_int_eq(stored(TENANT_A, id), 1);
        ck_assert_int_eq(stored(TENANT_B, id), 1);
    }
    char sql[SQL_MAX];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM issues WHERE tenant_id = '%s' AND summary = 'from a'", TENANT_A);
    ck_assert_int_eq(harness_count(&H, sql), EVENTS / 2);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM issues WHERE tenant_id = '%s' AND summary = 'from b'", TENANT_B);
    ck_assert_int_eq(harness_count(&H, sql), EVENTS / 2);
    ck_assert_int_eq(harness_count(&H, "SELECT count(*) FROM issues"), EVENTS);
    /* Each event moved its project's version by one, batched or not. */
    snprintf(sql, sizeof sql, "SELECT sum(weight) FROM data_commits WHERE tenant_id = '%s'"
             " AND project_key = 'GC'", TENANT_A);
    ck_assert_int_eq(harness_count(&H, sql), EVENTS / 2);
    ck_assert_uint_eq(metric("biq_event_batch_items_total "), EVENTS);
    ck_assert_uint_lt(metric("biq_event_batches_total "), EVENTS);
}
END_TEST

/* One event of the batch has no `updated` and no timestamp (refused only
 * by the parse inside the batch): it is answered 4xx naming the problem,
 * the others are stored and answered 200. */
START_TEST(an_invalid_event_fails_alone)
{
    static struct post posts[BATCH];
    for (int i = 0; i < BATCH; i++) {
        posts[i] = (struct post){.tenant = TENANT_A};
        event(&posts[i], 100 + i, "GC", "ok", i != 3);
    }
    post_all(posts, BATCH);
    for (int i = 0; i < BATCH; i++) {
        if (i == 3) {
            ck_assert_msg(posts[i].status >= 400 && posts[i].status < 500, "%ld", posts[i].status);
            ck_assert_ptr_nonnull(strstr(posts[i].resp, "issue.fields.updated"));
            ck_assert_int_eq(stored(TENANT_A, 100 + i), 0);
        } else {
            ck_assert_msg(posts[i].status == 200, "event %d: %ld %s", i, posts[i].status,
                          posts[i].resp);
            ck_assert_int_eq(stored(TENANT_A, 100 + i), 1);
        }
        free(posts[i].resp);
    }
}
END_TEST

static void superuser_sql(const char *sql)
{
    PGconn *c = harness_pg(&H, "postgres");
    PQclear(harness_sql(c, sql));
    PQfinish(c);
}

/* A row the database refuses (a trigger raises for summary 'BOOM') rolls
 * the batch back; the other events are then written one by one and
 * stored, the refused one fails alone (5xx). */
START_TEST(a_refused_row_fails_alone)
{
    static struct post posts[BATCH];
    superuser_sql("CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS"
                  " $$BEGIN RAISE EXCEPTION 'boom'; END$$;"
                  "CREATE TRIGGER boom BEFORE INSERT ON issues FOR EACH ROW"
                  " WHEN (NEW.summary = 'BOOM') EXECUTE FUNCTION boom()");
    for (int i = 0; i < BATCH; i++) {
        posts[i] = (struct post){.tenant = i % 2 ? TENANT_B : TENANT_A};
        event(&posts[i], 200 + i, "GC", i == 5 ? "BOOM" : "ok", true);
    }
    post_all(posts, BATCH);
    for (int i = 0; i < BATCH; i++) {
        if (i == 5)
            ck_assert_msg(posts[i].status >= 500, "%ld", posts[i].status);
        else
            ck_assert_msg(posts[i].status == 200, "event %d: %ld %s", i, posts[i].status,
                          posts[i].resp);
        ck_assert_int_eq(stored(posts[i].tenant, 200 + i), i == 5 ? 0 : 1);
        free(posts[i].resp);
    }
}
END_TEST

/* The database connection dies in the middle of a batch (a trigger ends
 * its own backend when it meets a transition of history 9x04): no event
 * of that batch is acknowledged or stored, nothing is half-written, and
 * every event refused succeeds when retried once the fault is gone. Which
 * events share the fatal batch is up to the scheduler (the server's
 * worker threads), so the round is tried up to ATTEMPTS times until the
 * batch held more than the fatal event; every round must keep "answered
 * 200 if and only if stored". */
enum { ATTEMPTS = 3 };

START_TEST(a_database_failure_mid_batch_acknowledges_nobody)
{
    static struct post posts[BATCH];
    superuser_sql("CREATE FUNCTION kill_self() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS"
                  " $$BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END$$;"
                  "CREATE TRIGGER kill_self BEFORE INSERT ON status_transitions FOR EACH ROW"
                  " WHEN (NEW.history_id % 1000 = 304) EXECUTE FUNCTION kill_self()");
    size_t refused = 0;
    for (int round = 0; round < ATTEMPTS && refused <= 1; round++) {
        int base = 300 + 1000 * round; /* event 4: history 9000 + base + 4 = 9x04 */
        for (int i = 0; i < BATCH; i++) {
            posts[i] = (struct post){.tenant = i % 2 ? TENANT_B : TENANT_A};
            event(&posts[i], base + i, "GC", "ok", true);
        }
        post_all(posts, BATCH);
        refused = 0;
        for (int i = 0; i < BATCH; i++) {
            ck_assert_msg(posts[i].status == 200 || posts[i].status >= 500, "event %d: %ld", i,
                          posts[i].status);
            refused += posts[i].status >= 500;
            /* Acknowledged if and only if stored, issue and transition alike. */
            ck_assert_int_eq(stored(posts[i].tenant, base + i), posts[i].status == 200);
            char sql[SQL_MAX];
            snprintf(sql, sizeof sql, "SELECT count(*) FROM issues WHERE issue_id = %d", base + i);
            ck_assert_int_eq(harness_count(&H, sql), posts[i].status == 200);
            free(posts[i].resp);
        }
        ck_assert_int_ne(posts[4].status, 200);
    }
    /* Its batch-mates went down with it: more than the one event. */
    ck_assert_uint_gt(refused, 1);
    superuser_sql("DROP TRIGGER kill_self ON status_transitions");
    for (int i = 0; i < BATCH; i++) {
        if (posts[i].status == 200)
            continue;
        char *resp = NULL;
        posts[i].token = harness_token_as(&H, posts[i].tenant, NULL, BIQ_CALLER_EVENTS);
        ck_assert_int_eq(http_json(&H, "POST", "/forge/events", posts[i].token, posts[i].body,
                                   &resp), 200);
        free(resp);
        free(posts[i].token);
    }
    ck_assert_int_eq(harness_count(&H, "SELECT count(*) FROM issues"),
                     harness_count(&H, "SELECT count(*) FROM status_transitions"));
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("group_commit");
    TCase *tc = tcase_create("group_commit");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, two_tenants_at_once_each_keep_their_own_rows);
    tcase_add_test(tc, an_invalid_event_fails_alone);
    tcase_add_test(tc, a_refused_row_fails_alone);
    tcase_add_test(tc, a_database_failure_mid_batch_acknowledges_nobody);
    suite_add_tcase(s, tc);
    return s;
}
