/* test_fault_http.c - the server under hostile and heavy clients, bounded
 * in count and time, loopback only: a thousand idle connections and a
 * hundred clients dripping header bytes while well-behaved clients keep
 * being served, with the server's threads and memory bounded; and SIGTERM
 * in the middle of a load of events loses nothing it acknowledged. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "http/server.h"
#include "testsupport.h"

enum {
    BIQ_PER_IP = BIQ_HTTP_PER_IP_CONNECTIONS,
    IDLE_CONNECTIONS = 1000,
    DRIPPERS = 100,
    WELL_BEHAVED_REQUESTS = 50,
    SERVER_THREADS_MAX = 16,        /* 4 workers + MHD's and our own few */
    SERVER_RSS_MAX_KB = 256 * 1024,
    LOAD_THREADS = 8,
    LOAD_EVENTS_PER_THREAD = 150,
    SIGNAL_AFTER_ANSWERS = 200, /* SIGTERM once this many were answered */
};

static harness H;
static const char TENANT[] = "ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-0000000f0a0d";

static void setup(void)
{
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max; /* room for a thousand sockets of our own */
    setrlimit(RLIMIT_NOFILE, &rl);
    harness_init(&H, "biq_fault_http");
    harness_start_app(&H, NULL);
}

static void teardown(void)
{
    harness_cleanup(&H);
}

/* A connection from source address 127.0.0.<host>: the attackers come from
 * their own addresses (the server limits connections per address), the
 * well-behaved clients from 127.0.0.1. */
static int connect_from(int host)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in src = {.sin_family = AF_INET};
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)H.port)};
    src.sin_addr.s_addr = htonl(INADDR_LOOPBACK - 1 + (uint32_t)host);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && (bind(fd, (struct sockaddr *)&src, sizeof src) != 0 ||
                    connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* A field of /proc/PID/status, in its unit (threads, kB). */
static long proc_status(pid_t pid, const char *field)
{
    char path[64], line[256];
    long value = -1;
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    FILE *f = fopen(path, "r");
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, field, strlen(field)) == 0)
            value = strtol(line + strlen(field) + 1, NULL, 10);
    }
    if (f != NULL)
        fclose(f);
    return value;
}

START_TEST(idle_and_dripping_clients_do_not_starve_others)
{
    static int idle[IDLE_CONNECTIONS], drip[DRIPPERS];
    char *body = NULL;
    size_t opened = 0;
    for (int i = 0; i < IDLE_CONNECTIONS; i++) {
        idle[i] = connect_from(2);
        opened += idle[i] >= 0;
    }
    ck_assert_uint_eq(opened, IDLE_CONNECTIONS);
    for (int i = 0; i < DRIPPERS; i++) {
        drip[i] = connect_from(3);
        ck_assert_int_ge(drip[i], 0);
        ck_assert_int_eq(send(drip[i], "GET /hea", 8, MSG_NOSIGNAL), 8);
    }
    /* Well-behaved clients, interleaved with more dripped bytes. */
    for (int i = 0; i < WELL_BEHAVED_REQUESTS; i++) {
        ck_assert_int_eq(http_do(&H, "GET", "/healthz", NULL, NULL, 0, &body), 200);
        free(body);
        send(drip[i % DRIPPERS], "l", 1, MSG_NOSIGNAL);
    }
    ck_assert_int_eq(harness_call(&H, TENANT, NULL, "POST", "/forge/lifecycle",
                                  "{\"eventType\":\"avi:forge:installed:app\"}", &body), 200);
    free(body);
    long threads = proc_status(H.server_pid, "Threads:");
    long rss = proc_status(H.server_pid, "VmRSS:");
    ck_assert_msg(threads > 0 && threads <= SERVER_THREADS_MAX, "server has %ld threads", threads);
    ck_assert_msg(rss > 0 && rss <= SERVER_RSS_MAX_KB, "server uses %ld kB", rss);
    for (int i = 0; i < IDLE_CONNECTIONS; i++)
        close(idle[i]);
    for (int i = 0; i < DRIPPERS; i++)
        close(drip[i]);
    ck_assert_int_eq(http_do(&H, "GET", "/readyz", NULL, NULL, 0, &body), 200);
    free(body);
}
END_TEST

START_TEST(one_address_is_held_to_its_limit)
{
    static int fds[BIQ_PER_IP + 8];
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
        fds[i] = connect_from(4);
    /* The kernel accepts them all; the server closes those over the limit. */
    usleep(200000);
    size_t closed = 0;
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) {
        char c;
        if (fds[i] >= 0 && recv(fds[i], &c, 1, MSG_DONTWAIT) == 0)
            closed++;
    }
    ck_assert_uint_ge(closed, 8);
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
        close(fds[i]);
    char *body = NULL;
    ck_assert_int_eq(http_do(&H, "GET", "/healthz", NULL, NULL, 0, &body), 200);
    free(body);
}
END_TEST

struct load {
    int thread;
    atomic_int *answered;
    long status[LOAD_EVENTS_PER_THREAD];
};

static void event_body(char *out, size_t len, int id)
{
    snprintf(out, len,
             "{\"eventType\":\"avi:jira:created:issue\",\"issue\":{\"id\":\"%d\",\"key\":\"L-%d\","
             "\"fields\":{\"summary\":\"s\",\"project\":{\"id\":\"1\",\"key\":\"L\"},"
             "\"status\":{\"id\":\"3\",\"name\":\"In Progress\",\"statusCategory\":{\"key\":\"indeterminate\"}},"
             "\"issuetype\":{\"name\":\"Task\"},\"created\":\"2024-01-01T10:00:00.000+0000\","
             "\"updated\":\"2024-01-01T10:00:00.000+0000\"}}}",
             id, id);
}

static void *post_events(void *arg)
{
    struct load *l = arg;
    char body[1024], *resp = NULL;
    for (int i = 0; i < LOAD_EVENTS_PER_THREAD; i++) {
        event_body(body, sizeof body, 1 + l->thread * LOAD_EVENTS_PER_THREAD + i);
        l->status[i] = harness_call(&H, TENANT, NULL, "POST", "/forge/events", body, &resp);
        free(resp);
        atomic_fetch_add(l->answered, 1);
    }
    return NULL;
}

START_TEST(sigterm_under_load_loses_nothing_acknowledged)
{
    char *body = NULL;
    static struct load loads[LOAD_THREADS];
    pthread_t th[LOAD_THREADS];
    ck_assert_int_eq(harness_call(&H, TENANT, NULL, "POST", "/forge/lifecycle",
                                  "{\"eventType\":\"avi:forge:installed:app\"}", &body), 200);
    free(body);
    atomic_int answered = 0;
    for (int t = 0; t < LOAD_THREADS; t++) {
        loads[t].thread = t;
        loads[t].answered = &answered;
        pthread_create(&th[t], NULL, post_events, &loads[t]);
    }
    /* In the middle of the load, whatever the machine's speed. */
    while (atomic_load(&answered) < SIGNAL_AFTER_ANSWERS)
        usleep(1000);
    kill(H.server_pid, SIGTERM);
    for (int t = 0; t < LOAD_THREADS; t++)
        pthread_join(th[t], NULL);
    ck_assert_int_eq(harness_server_stop(&H, 0), 0);
    PGconn *c = harness_pg(&H, "postgres");
    size_t acknowledged = 0, refused = 0;
    for (int t = 0; t < LOAD_THREADS; t++) {
        for (int i = 0; i < LOAD_EVENTS_PER_THREAD; i++) {
            long st = loads[t].status[i];
            /* 0: the connection was refused once draining began. */
            ck_assert_msg(st == 200 || st == 0, "event got %ld", st);
            if (st != 200) {
                refused++;
                continue;
            }
            char sql[128];
            snprintf(sql, sizeof sql, "SELECT count(*) FROM issues WHERE issue_id = %d",
                     1 + t * LOAD_EVENTS_PER_THREAD + i);
            PGresult *r = harness_sql(c, sql);
            ck_assert_msg(strcmp(PQgetvalue(r, 0, 0), "1") == 0, "acknowledged event lost");
            PQclear(r);
            acknowledged++;
        }
    }
    PQfinish(c);
    ck_assert_uint_gt(acknowledged, 0);
    ck_assert_uint_gt(refused, 0); /* the signal came in the middle */
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("fault_http");
    TCase *tc = tcase_create("fault_http");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, idle_and_dripping_clients_do_not_starve_others);
    tcase_add_test(tc, one_address_is_held_to_its_limit);
    tcase_add_test(tc, sigterm_under_load_loses_nothing_acknowledged);
    suite_add_tcase(s, tc);
    return s;
}
