/* test_memory_http.c - the memory budget under attack (issue 12): N
 * anonymous connections start large uploads (refused at the headers,
 * nothing buffered) while M authenticated function calls hold large pages
 * one byte short of complete; the server's RSS must stay under
 * RSS_BOUND_KB, the bodies beyond the process budget must be answered 503
 * with Retry-After at once, /healthz and another tenant's dashboard must
 * keep answering, and when the held pages complete, a page of `{},{},...`
 * must be refused by the value count before it is parsed, and the memory
 * given back. bench/attack.sh runs the same with large N and M. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "auth/caller.h"
#include "harness.h"
#include "testsupport.h"

enum {
    ANONYMOUS = 24,              /* N */
    HELD = 20,                   /* M: more than the budget holds (64 MiB / 4 MiB) */
    PAGE = 4 * 1024 * 1024 - 16, /* just under the search-page cap */
    RSS_BOUND_KB = 256 * 1024,   /* the bound README states */
    RSS_AFTER_SLACK_KB = 48 * 1024, /* back near the start once the pages are gone */
    REPLY_WAIT_MS = 3000,
};

static harness H;
static const char ATTACKED[] = "ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-00000000a77a";
static const char OTHER[] = "ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-00000000b0b0";

static void setup(void)
{
    harness_init(&H, "biq_memory");
    harness_start_app(&H, NULL);
}

static void teardown(void)
{
    harness_cleanup(&H);
}

/* The server's VmRSS or VmHWM (field "VmRSS:"), in kB. */
static long server_kb(const char *field)
{
    char path[64], line[256];
    long kb = -1;
    snprintf(path, sizeof path, "/proc/%ld/status", (long)H.server_pid);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, field, strlen(field)) == 0)
            kb = strtol(line + strlen(field), NULL, 10);
    }
    fclose(f);
    return kb;
}

static int connect_server(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)H.port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    return fd;
}

static void send_all(int fd, const char *data, size_t len)
{
    size_t sent = 0;
    while (sent < len) {
        ssize_t n = send(fd, data + sent, len - sent, MSG_NOSIGNAL);
        ck_assert_msg(n > 0, "send failed after %zu of %zu bytes", sent, len);
        sent += (size_t)n;
    }
}

/* The status of an answer already sent (0 when none within wait_ms). */
static int reply_status(int fd, long wait_ms, char *reply, size_t cap)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int status = 0;
    reply[0] = '\0';
    if (poll(&pfd, 1, (int)wait_ms) <= 0)
        return 0;
    ssize_t n = recv(fd, reply, cap - 1, 0);
    if (n <= 0)
        return 0;
    reply[n] = '\0';
    if (sscanf(reply, "HTTP/1.%*c %d", &status) != 1)
        return 0;
    return status;
}

/* A page of `{},{},...` of `len` bytes: far more objects than a body may
 * hold (BIQ_HTTP_JSON_CONTAINERS_MAX), 94x its size once parsed before. */
static char *value_bomb(size_t len)
{
    char *b = malloc(len);
    ck_assert_ptr_nonnull(b);
    b[0] = '[';
    for (size_t i = 1; i + 3 < len; i += 3)
        memcpy(b + i, "{},", 3);
    memset(b + len - 4, ' ', 3);
    b[len - 1] = ']';
    size_t last = len - 5;
    while (b[last] != ',')
        last--;
    b[last] = ' ';
    return b;
}

static void other_tenant_answers(void)
{
    char *body = NULL;
    ck_assert_int_eq(http_do(&H, "GET", "/healthz", NULL, NULL, 0, &body), 200);
    free(body);
    long st = harness_call(&H, OTHER, "EE", "GET", "/api/v1/projects/EE/dashboard", NULL, &body);
    ck_assert_msg(st == 200, "dashboard under attack: %ld %s", st, body);
    free(body);
}

START_TEST(budget_holds_under_attack)
{
    static char reply[4096];
    char head[8192];
    int anon[ANONYMOUS], held[HELD], refused = 0, holding = 0;
    char *resp = NULL;
    for (int t = 0; t < 2; t++) {
        ck_assert_int_eq(harness_call(&H, t == 0 ? ATTACKED : OTHER, NULL, "POST",
                                      "/forge/lifecycle",
                                      "{\"eventType\":\"avi:forge:installed:app\"}", &resp),
                         200);
        free(resp);
    }
    harness_ingest_devlake(&H, OTHER, "{\"total\":33}");
    other_tenant_answers();
    long before = server_kb("VmRSS:");
    char *page = value_bomb(PAGE);

    /* N anonymous uploads: answered 401 from the headers, connection closed. */
    for (int i = 0; i < ANONYMOUS; i++) {
        int n = snprintf(head, sizeof head,
                         "POST /forge/backfill/EE/page HTTP/1.1\r\nHost: x\r\nContent-Type: "
                         "application/json\r\nContent-Length: %d\r\n\r\n", PAGE);
        anon[i] = connect_server();
        send_all(anon[i], head, (size_t)n);
        ck_assert_int_eq(reply_status(anon[i], REPLY_WAIT_MS, reply, sizeof reply), 401);
    }
    /* M authenticated pages, all but the last byte. */
    char *token = harness_token_as(&H, ATTACKED, NULL, BIQ_CALLER_FUNCTION);
    for (int i = 0; i < HELD; i++) {
        int n = snprintf(head, sizeof head,
                         "POST /forge/backfill/EE/page HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                         "%s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
                         token, PAGE);
        held[i] = connect_server();
        send_all(held[i], head, (size_t)n);
        int early = reply_status(held[i], 200, reply, sizeof reply);
        if (early != 0) {
            /* Beyond the process budget: refused before the body is sent. */
            ck_assert_msg(early == 503, "held page %d: %d %s", i, early, reply);
            ck_assert_ptr_nonnull(strstr(reply, "Retry-After: 1"));
            close(held[i]);
            held[i] = -1;
            refused++;
            continue;
        }
        send_all(held[i], page, PAGE - 1);
        holding++;
    }
    ck_assert_msg(refused > 0 && holding > 0, "refused %d, holding %d", refused, holding);
    usleep(200000);
    long during = server_kb("VmRSS:");
    other_tenant_answers();
    fprintf(stderr, "memory: RSS %ld kB before, %ld kB with %d pages held (%d refused 503)\n",
            before, during, holding, refused);
    ck_assert_msg(during < RSS_BOUND_KB, "RSS %ld kB under attack", during);

    /* The held pages complete: refused by the count, never parsed. */
    for (int i = 0; i < HELD; i++) {
        if (held[i] < 0)
            continue;
        send_all(held[i], page + PAGE - 1, 1);
        ck_assert_int_eq(reply_status(held[i], 10 * REPLY_WAIT_MS, reply, sizeof reply), 413);
        ck_assert_ptr_nonnull(strstr(reply, "JSON values"));
        close(held[i]);
    }
    for (int i = 0; i < ANONYMOUS; i++)
        close(anon[i]);
    usleep(200000);
    long after = server_kb("VmRSS:"), peak = server_kb("VmHWM:");
    fprintf(stderr, "memory: RSS %ld kB after, peak %ld kB\n", after, peak);
    ck_assert_msg(peak < RSS_BOUND_KB, "peak RSS %ld kB", peak);
#if defined(__SANITIZE_ADDRESS__)
    (void)after; /* AddressSanitizer keeps freed memory in its quarantine */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    (void)after;
#else
    ck_assert_msg(after < before + RSS_AFTER_SLACK_KB, "RSS %ld kB after (%ld before)", after,
                  before);
#endif
#else
    ck_assert_msg(after < before + RSS_AFTER_SLACK_KB, "RSS %ld kB after (%ld before)", after,
                  before);
#endif
    other_tenant_answers();
    free(token);
    free(page);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("memory_http");
    TCase *tc = tcase_create("memory_http");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, budget_holds_under_attack);
    suite_add_tcase(s, tc);
    return s;
}
