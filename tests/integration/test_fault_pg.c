/* test_fault_pg.c - PostgreSQL stopped and started again while events are
 * being posted: every event answered 2xx is in the database, every one
 * answered 5xx succeeds when retried, and the server recovers without a
 * restart. The test runs its own cluster (scripts/pg.sh) so that stopping
 * it disturbs nothing else. Bounded: a fixed number of events. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "testsupport.h"

enum {
    EVENTS = 400,
    STOP_AFTER_MS = 300,  /* into the run */
    DOWN_FOR_MS = 1500,
};

static harness H;
static char CLUSTER[HARNESS_PATH_MAX];
static const char TENANT[] = "ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-00000000fa17";

static void pg(const char *verb)
{
    char cmd[HARNESS_PATH_MAX + 64];
    snprintf(cmd, sizeof cmd, "bash scripts/pg.sh %s '%s' >/dev/null", verb, CLUSTER);
    ck_assert_msg(system(cmd) == 0, "pg.sh %s failed", verb);
}

static void setup(void)
{
    char sock[HARNESS_PATH_MAX + 8];
    const char *tmp = getenv("BIQ_TEST_TMP");
    snprintf(CLUSTER, sizeof CLUSTER, "%s/fault-pg-%ld", tmp != NULL ? tmp : "/tmp", (long)getpid());
    pg("start");
    snprintf(sock, sizeof sock, "%s/run", CLUSTER);
    setenv("BIQ_PG_SOCKET", sock, 1);
    harness_init(&H, "biq_fault");
    harness_start_app(&H, NULL);
}

static void teardown(void)
{
    harness_cleanup(&H);
    pg("stop");
}

static void event_body(char *out, size_t len, int i)
{
    snprintf(out, len,
             "{\"eventType\":\"avi:jira:created:issue\",\"issue\":{\"id\":\"%d\",\"key\":\"F-%d\","
             "\"fields\":{\"summary\":\"s\",\"project\":{\"id\":\"1\",\"key\":\"F\"},"
             "\"status\":{\"id\":\"3\",\"name\":\"In Progress\",\"statusCategory\":{\"key\":\"indeterminate\"}},"
             "\"issuetype\":{\"name\":\"Task\"},\"created\":\"2024-01-01T10:00:00.000+0000\","
             "\"updated\":\"2024-01-01T10:00:00.000+0000\"},"
             "\"changelog\":{\"total\":1,\"histories\":[{\"id\":\"%d\",\"created\":\"2024-01-01T11:00:00.000+0000\","
             "\"items\":[{\"field\":\"status\",\"fieldId\":\"status\",\"from\":\"1\",\"to\":\"3\"}]}]}}}",
             1000 + i, i + 1, 5000 + i); /* Jira numbers issues from 1 */
}

static long long count(const char *sql)
{
    PGconn *c = harness_pg(&H, "postgres");
    PGresult *r = harness_sql(c, sql);
    long long n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    PQfinish(c);
    return n;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

START_TEST(database_restart_loses_nothing_acknowledged)
{
    char body[1024], *resp = NULL;
    long status[EVENTS];
    ck_assert_int_eq(harness_call(&H, TENANT, NULL, "POST", "/forge/lifecycle",
                                  "{\"eventType\":\"avi:forge:installed:app\"}", &resp), 200);
    free(resp);
    pid_t restarter = fork();
    if (restarter == 0) {
        sleep_ms(STOP_AFTER_MS);
        pg("stop");
        sleep_ms(DOWN_FOR_MS);
        pg("start");
        _exit(0);
    }
    size_t ok = 0, failed = 0;
    for (int i = 0; i < EVENTS; i++) {
        event_body(body, sizeof body, i);
        status[i] = harness_call(&H, TENANT, NULL, "POST", "/forge/events", body, &resp);
        ck_assert_msg(status[i] == 200 || status[i] >= 500, "event %d: %ld %s", i, status[i], resp);
        free(resp);
        ok += status[i] == 200;
        failed += status[i] >= 500;
        if (i % 20 == 0)
            sleep_ms(20); /* spread the events over the outage */
    }
    int st = 0;
    waitpid(restarter, &st, 0);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    ck_assert_msg(failed > 0, "the outage was not hit (%zu ok)", ok);
    /* Every acknowledged event is stored... */
    for (int i = 0; i < EVENTS; i++) {
        char sql[128];
        if (status[i] != 200)
            continue;
        snprintf(sql, sizeof sql, "SELECT count(*) FROM status_transitions WHERE history_id = %d", 5000 + i);
        ck_assert_msg(count(sql) == 1, "acknowledged event %d is missing", i);
    }
    /* ...and every refused one succeeds when retried, with no restart. */
    for (int i = 0; i < EVENTS; i++) {
        if (status[i] == 200)
            continue;
        event_body(body, sizeof body, i);
        long retried = 0;
        for (int attempt = 0; attempt < 3 && retried != 200; attempt++) {
            retried = harness_call(&H, TENANT, NULL, "POST", "/forge/events", body, &resp);
            free(resp);
        }
        ck_assert_msg(retried == 200, "event %d still fails: %ld", i, retried);
    }
    ck_assert_int_eq(count("SELECT count(*) FROM issues"), EVENTS);
    ck_assert_int_eq(count("SELECT count(*) FROM status_transitions"), EVENTS);
    ck_assert_int_eq(http_do(&H, "GET", "/readyz", NULL, NULL, 0, &resp), 200);
    free(resp);
    ck_assert_int_eq(kill(H.server_pid, 0), 0);
}
END_TEST

/* A restart between two requests: the pooled connection the first used is
 * dead, and the pool must notice and replace it before the second uses
 * it (issue 12), rather than answer 503 and drop it afterwards. */
START_TEST(first_request_after_restart_succeeds)
{
    char *resp = NULL;
    ck_assert_int_eq(harness_call(&H, TENANT, NULL, "POST", "/forge/lifecycle",
                                  "{\"eventType\":\"avi:forge:installed:app\"}", &resp), 200);
    free(resp);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(harness_call(&H, TENANT, NULL, "GET", "/api/v1/tenant", NULL, &resp), 200);
        free(resp);
    }
    pg("stop");
    pg("start");
    for (int i = 0; i < 3; i++) {
        long st = harness_call(&H, TENANT, NULL, "GET", "/api/v1/tenant", NULL, &resp);
        ck_assert_msg(st == 200, "request %d after the restart: %ld %s", i, st, resp);
        free(resp);
    }
    ck_assert_int_eq(harness_server_stop(&H, SIGTERM), 0);
    /* The server's goodbye is a log line of ours, not a raw libpq line. */
    char *log = harness_server_log(&H);
    ck_assert_ptr_nonnull(strstr(log, "database connection lost while idle"));
    for (const char *line = log; *line != '\0'; line = strchr(line, '\n') + 1) {
        ck_assert_msg(line[0] == '{', "log line is not JSON: %.80s", line);
        if (strchr(line, '\n') == NULL)
            break;
    }
    free(log);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("fault_pg");
    TCase *tc = tcase_create("fault_pg");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, database_restart_loses_nothing_acknowledged);
    tcase_add_test(tc, first_request_after_restart_succeeds);
    suite_add_tcase(s, tc);
    return s;
}
