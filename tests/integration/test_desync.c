/* test_desync.c - one reading of every request (issue 12, security.md §6):
 * a raw-socket corpus of request-smuggling shapes (two Content-Length,
 * CL.TE, TE.CL, TE.TE variants after PortSwigger's descriptions, obs-fold,
 * whitespace before a colon, unknown codings, control characters) sent to
 * the real `biq serve`. Each must get exactly the answer listed (no second
 * answer: nothing smuggled behind it runs), the connection must be closed,
 * and a normal request on a new connection must be answered next. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "testsupport.h"

enum {
    REPLY_MAX = 16384,
    CLOSE_WAIT_MS = 3000, /* far below the 30 s idle timeout */
};

static harness H;

static void setup(void)
{
    harness_init(&H, "biq_desync");
    harness_start_app(&H, NULL);
}

static void teardown(void)
{
    harness_cleanup(&H);
}

#define HEAD(method, path) method " " path " HTTP/1.1\r\nHost: x\r\n"
#define SMUGGLED "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n"

/* A request, the one status it must get, and whether MHD answers it itself
 * (its own error pages lack our JSON shape and headers). */
typedef struct desync_case {
    const char *name;
    const char *request;
    int status;
    int by_mhd;
} desync_case;

static const desync_case CASES[] = {
    /* Two Content-Length: MHD keeps the first and ran the rest as a second
     * request before issue 12. */
    {"CL.CL different", HEAD("POST", "/forge/events") "Content-Length: 5\r\nContent-Length: "
                        "39\r\n\r\n{}   " SMUGGLED, 400, 0},
    {"CL.CL same", HEAD("POST", "/forge/events") "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
     400, 0},
    {"CL list", HEAD("POST", "/forge/events") "Content-Length: 2, 2\r\n\r\n{}", 400, 1},
    {"CL negative", HEAD("POST", "/forge/events") "Content-Length: -1\r\n\r\n", 400, 1},
    {"CL plus sign", HEAD("POST", "/forge/events") "Content-Length: +2\r\n\r\n{}", 400, 1},
    /* CL.TE: a front end reading Content-Length passes the smuggled bytes. */
    {"CL.TE", HEAD("POST", "/forge/events") "Content-Length: 44\r\nTransfer-Encoding: chunked\r\n"
              "\r\n0\r\n\r\n" SMUGGLED, 400, 0},
    /* TE.CL: a front end reading chunked passes a chunk our CL cuts. */
    {"TE.CL", HEAD("POST", "/forge/events") "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n"
              "\r\n27\r\n" SMUGGLED "\r\n0\r\n\r\n", 400, 0},
    /* TE.TE: one side is made not to see the chunked coding. */
    {"TE.TE duplicated", HEAD("POST", "/forge/events") "Transfer-Encoding: chunked\r\n"
                         "Transfer-Encoding: x\r\n\r\n0\r\n\r\n", 400, 0},
    {"TE.TE same twice", HEAD("POST", "/forge/events") "Transfer-Encoding: chunked\r\n"
                         "Transfer-encoding: chunked\r\n\r\n0\r\n\r\n", 400, 0},
    {"TE chunked, chunked", HEAD("POST", "/forge/events") "Transfer-Encoding: chunked, chunked\r\n"
                            "\r\n0\r\n\r\n", 400, 0},
    {"TE gzip, chunked", HEAD("POST", "/forge/events") "Transfer-Encoding: gzip, chunked\r\n\r\n"
                         "0\r\n\r\n", 400, 0},
    {"TE chunked, identity", HEAD("POST", "/forge/events") "Transfer-Encoding: chunked, identity"
                             "\r\n\r\n0\r\n\r\n", 400, 0},
    {"TE identity", HEAD("POST", "/forge/events") "Transfer-Encoding: identity\r\n\r\n{}", 400, 0},
    {"TE unknown", HEAD("POST", "/forge/events") "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 501,
     0},
    {"TE unknown, chunked", HEAD("POST", "/forge/events") "Transfer-Encoding: foo, chunked\r\n\r\n"
                            "0\r\n\r\n", 501, 0},
    {"TE space before colon", HEAD("POST", "/forge/events") "Transfer-Encoding : chunked\r\n"
                              "Content-Length: 44\r\n\r\n0\r\n\r\n" SMUGGLED, 400, 0},
    {"TE tab before colon", HEAD("POST", "/forge/events") "Transfer-Encoding\t: chunked\r\n"
                            "Content-Length: 5\r\n\r\n0\r\n\r\n", 400, 0},
    {"CL space before colon", HEAD("POST", "/forge/events") "Content-Length : 39\r\n\r\n"
                              SMUGGLED, 400, 0},
    {"TE obs-fold", HEAD("POST", "/forge/events") "Transfer-Encoding:\r\n chunked\r\n\r\n"
                    "0\r\n\r\n", 400, 0},
    {"TE obs-fold tab", HEAD("POST", "/forge/events") "X-Pad: a\r\nTransfer-Encoding:\r\n\tchunked"
                        "\r\n\r\n0\r\n\r\n", 400, 0},
    {"CL obs-fold", HEAD("POST", "/forge/events") "Content-Length:\r\n 39\r\n\r\n" SMUGGLED, 400, 0},
    {"leading space on a header", "POST /forge/events HTTP/1.1\r\n Transfer-Encoding: chunked\r\n"
                                  "Host: x\r\n\r\n0\r\n\r\n", 400, 0},
    {"TE vertical tab", HEAD("POST", "/forge/events") "Transfer-Encoding:\x0b" "chunked\r\n\r\n"
                        "0\r\n\r\n", 400, 0},
    {"TE trailing tab", HEAD("POST", "/forge/events") "Transfer-Encoding: chunked\t\r\n\r\n"
                        "0\r\n\r\n", 400, 0},
    {"bare CR in a value", HEAD("GET", "/healthz") "X-A: a\rTransfer-Encoding: chunked\r\n\r\n",
     400, 0},
    {"TE without colon", HEAD("POST", "/forge/events") "Transfer-Encoding\r\n\r\n0\r\n\r\n", 400, 1},
    /* Answered in the header phase, body unread: the body is never run as
     * a request. */
    {"401 before a smuggling body", HEAD("POST", "/forge/events") "Content-Length: 39\r\n"
                                    "Content-Type: application/json\r\n\r\n" SMUGGLED, 401, 0},
    {"GET with a body", HEAD("GET", "/healthz") "Content-Length: 39\r\n\r\n" SMUGGLED, 413, 0},
    /* Obs-fold on another header: libmicrohttpd glues the continuation to
     * its name ("X-Atwo"), undetectable, but framing stays one reading. */
    {"obs-fold elsewhere", HEAD("POST", "/forge/events") "X-A: one\r\n two\r\n"
                           "Content-Length: 39\r\n\r\n" SMUGGLED, 401, 0},
};

/* Sends request on a new connection, reads until the server closes it or
 * CLOSE_WAIT_MS pass; returns the reply and whether it was closed. */
static void exchange(const char *request, char *reply, size_t cap, int *closed)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)H.port)};
    size_t len = strlen(request), sent = 0, got = 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    while (sent < len) {
        ssize_t n = send(fd, request + sent, len - sent, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        sent += (size_t)n;
    }
    *closed = 0;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left = CLOSE_WAIT_MS - ((now.tv_sec - start.tv_sec) * 1000 +
                                     (now.tv_nsec - start.tv_nsec) / 1000000);
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
            break;
        ssize_t n = recv(fd, reply + got, cap - 1 - got, 0);
        if (n <= 0) {
            *closed = 1;
            break;
        }
        got += (size_t)n;
    }
    reply[got] = '\0';
    close(fd);
}

/* Every status line in reply is want (libmicrohttpd 0.9.75 repeats its own
 * error's header block, so there may be two of them); returns how many. */
static int statuses(const char *reply, int want, const char *name)
{
    int n = 0;
    for (const char *p = strstr(reply, "HTTP/1."); p != NULL; p = strstr(p + 1, "HTTP/1.")) {
        int status = 0;
        if (p != reply && p[-1] != '\n')
            continue; /* inside a body */
        ck_assert_int_eq(sscanf(p, "HTTP/1.%*c %d", &status), 1);
        ck_assert_msg(status == want, "%s: answered %d, want %d:\n%s", name, status, want, reply);
        n++;
    }
    return n;
}

START_TEST(each_case_has_one_reading)
{
    static char reply[REPLY_MAX];
    const desync_case *c = &CASES[_i];
    int closed = 0;
    char *body = NULL;
    exchange(c->request, reply, sizeof reply, &closed);
    int n = statuses(reply, c->status, c->name);
    ck_assert_msg(n >= 1, "%s: no answer (want %d); got: %s", c->name, c->status, reply);
    ck_assert_msg(closed, "%s: the connection was left open", c->name);
    ck_assert_msg(strstr(reply, "\"status\":\"ready\"") == NULL, "%s: smuggled request ran", c->name);
    if (!c->by_mhd) {
        ck_assert_msg(n == 1, "%s: %d answers", c->name, n);
        ck_assert_msg(strstr(reply, "{\"error\":{\"code\":\"") != NULL, "%s: %s", c->name, reply);
        ck_assert_msg(strstr(reply, "X-Frame-Options: DENY") != NULL &&
                          strstr(reply, "X-Content-Type-Options: nosniff") != NULL,
                      "%s: security headers missing", c->name);
    }
    ck_assert_int_eq(http_do(&H, "GET", "/healthz", NULL, NULL, 0, &body), 200);
    free(body);
}
END_TEST

/* A well-formed chunked request and one with Content-Length still pass the
 * header phase (here to the token check). */
START_TEST(plain_framing_is_accepted)
{
    static char reply[REPLY_MAX];
    int closed = 0;
    exchange(HEAD("POST", "/forge/events") "Transfer-Encoding: chunked\r\nConnection: close\r\n"
             "\r\n2\r\n{}\r\n0\r\n\r\n", reply, sizeof reply, &closed);
    ck_assert_int_eq(statuses(reply, 401, "chunked"), 1);
    exchange(HEAD("POST", "/forge/events") "Transfer-Encoding: CHUNKED\r\nConnection: close\r\n"
             "\r\n2\r\n{}\r\n0\r\n\r\n", reply, sizeof reply, &closed);
    ck_assert_int_eq(statuses(reply, 401, "CHUNKED"), 1);
    exchange(HEAD("GET", "/healthz") "Connection: close\r\n\r\n", reply, sizeof reply, &closed);
    ck_assert_int_eq(statuses(reply, 200, "healthz"), 1);
}
END_TEST

/* More header fields than BIQ_HTTP_HEADER_FIELDS_MAX: 431. */
START_TEST(too_many_header_fields)
{
    static char request[8192], reply[REPLY_MAX];
    int closed = 0, n = snprintf(request, sizeof request, HEAD("GET", "/healthz"));
    for (int i = 0; i < 120; i++)
        n += snprintf(request + n, sizeof request - (size_t)n, "X-%d: a\r\n", i);
    snprintf(request + n, sizeof request - (size_t)n, "\r\n");
    exchange(request, reply, sizeof reply, &closed);
    ck_assert_int_eq(statuses(reply, 431, "header fields"), 1);
    ck_assert(closed);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("desync");
    TCase *tc = tcase_create("desync");
    tcase_set_timeout(tc, 120);
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, each_case_has_one_reading, 0,
                        (int)(sizeof CASES / sizeof CASES[0]));
    tcase_add_test(tc, plain_framing_is_accepted);
    tcase_add_test(tc, too_many_header_fields);
    suite_add_tcase(s, tc);
    return s;
}
