/* test_jwks_fetch.c - the key-set fetcher against a loopback HTTP server of
 * the test's own (one thread, canned answers): which URLs are allowed, the
 * once-a-minute limit, a good answer installed, a bad one (error status,
 * not a key set, too large, a redirect) keeping the last good set. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "auth/jwks.h"
#include "auth/jwks_fetch.h"
#include "auth/keyring.h"
#include "fit_sign.h"
#include "testsupport.h"

enum { WHY = 512 };

/* ---- a one-answer-per-connection HTTP server ------------------------------ */

typedef struct server {
    int fd;
    int port;
    pthread_t thread;
    const char *status_line; /* "200 OK" */
    const char *extra;       /* more header lines, or "" */
    char *body;
    size_t body_len;
    atomic_int requests;
} server;

static void *serve(void *arg)
{
    server *s = arg;
    for (;;) {
        int c = accept(s->fd, NULL, NULL);
        if (c < 0)
            return NULL;
        char req[4096];
        size_t got = 0;
        while (got < sizeof req - 1) {
            ssize_t r = read(c, req + got, sizeof req - 1 - got);
            if (r <= 0)
                break;
            got += (size_t)r;
            req[got] = '\0';
            if (strstr(req, "\r\n\r\n"))
                break;
        }
        s->requests++;
        char head[512];
        int n = snprintf(head, sizeof head,
                         "HTTP/1.1 %s\r\nContent-Type: application/json\r\n%sContent-Length: "
                         "%zu\r\nConnection: close\r\n\r\n",
                         s->status_line, s->extra, s->body_len);
        if (write(c, head, (size_t)n) < 0 || (s->body_len && write(c, s->body, s->body_len) < 0))
            fprintf(stderr, "server: write failed\n");
        close(c);
    }
}

static void server_start(server *s)
{
    memset(s, 0, sizeof *s);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(s->fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    ck_assert_int_eq(bind(s->fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(s->fd, 8), 0);
    ck_assert_int_eq(getsockname(s->fd, (struct sockaddr *)&a, &len), 0);
    s->port = ntohs(a.sin_port);
    s->status_line = "200 OK";
    s->extra = "";
    ck_assert_int_eq(pthread_create(&s->thread, NULL, serve, s), 0);
}

/* Stops accepting, joins the thread, frees the answer. */
static void server_stop(server *s)
{
    shutdown(s->fd, SHUT_RDWR);
    close(s->fd);
    pthread_join(s->thread, NULL);
    free(s->body);
    s->body = NULL;
}

/* The answer to the next requests. body is copied. */
static void answer(server *s, const char *status_line, const char *extra, const char *body,
                   size_t len)
{
    free(s->body);
    s->status_line = status_line;
    s->extra = extra;
    s->body = malloc(len + 1);
    memcpy(s->body, body, len);
    s->body_len = len;
}

/* ---- fixtures ---------------------------------------------------------------- */

static EVP_PKEY *key_a, *key_b;

static void setup(void)
{
    key_a = fit_sign_keygen();
    key_b = fit_sign_keygen();
    if (!key_a || !key_b)
        abort();
}

static void teardown(void)
{
    EVP_PKEY_free(key_a);
    EVP_PKEY_free(key_b);
}

static char *two_keys(void)
{
    EVP_PKEY *keys[2] = {key_a, key_b};
    const char *kids[2] = {"a", "b"};
    return fit_sign_jwks_multi(keys, kids, 2);
}

static biq_keyring *ring_of_one(void)
{
    char *text = fit_sign_jwks(key_a, "a"), why[WHY];
    biq_jwks *set = NULL;
    biq_keyring *ring = NULL;
    ck_assert_int_eq(biq_jwks_parse(text, strlen(text), &set, why, sizeof why), BIQ_OK);
    free(text);
    ck_assert_int_eq(biq_keyring_new_from_set(set, &ring), BIQ_OK);
    ck_assert_uint_eq(biq_keyring_count(ring), 1);
    return ring;
}

static biq_err try_url(const char *url)
{
    biq_jwks_fetcher *f = NULL;
    char why[WHY] = "";
    biq_err e = biq_jwks_fetcher_new(url, NULL, &f, why, sizeof why);
    if (e == BIQ_OK) {
        ck_assert_ptr_nonnull(f);
        biq_jwks_fetcher_free(f);
    } else {
        ck_assert_ptr_null(f);
        ck_assert_ptr_nonnull(strstr(why, "BIQ_JWKS_URL"));
    }
    return e;
}

START_TEST(urls_https_or_loopback_http)
{
    ck_assert_int_eq(try_url("https://forge.example/.well-known/jwks.json"), BIQ_OK);
    ck_assert_int_eq(try_url("http://127.0.0.1:8080/jwks.json"), BIQ_OK);
    ck_assert_int_eq(try_url("http://127.1.2.3:1/"), BIQ_OK);
    ck_assert_int_eq(try_url("http://localhost:9/"), BIQ_OK);
    ck_assert_int_eq(try_url("http://[::1]:9/"), BIQ_OK);
    ck_assert_int_eq(try_url("http://example.com/jwks.json"), BIQ_ERR_CONFIG);
    ck_assert_int_eq(try_url("http://localhost.evil.example/"), BIQ_ERR_CONFIG);
    ck_assert_int_eq(try_url("http://1270.0.0.1/"), BIQ_ERR_CONFIG);
    ck_assert_int_eq(try_url("http://[::2]:9/"), BIQ_ERR_CONFIG);
    ck_assert_int_eq(try_url("ftp://127.0.0.1/"), BIQ_ERR_CONFIG);
    ck_assert_int_eq(try_url("HTTPS://forge.example/"), BIQ_ERR_CONFIG);
    ck_assert_int_eq(try_url(""), BIQ_ERR_CONFIG);
    /* At most BIQ_JWKS_URL_MAX bytes. */
    static char url[BIQ_JWKS_URL_MAX + 2];
    memset(url, 'a', sizeof url - 1);
    memcpy(url, "https://x/", 10);
    url[BIQ_JWKS_URL_MAX] = '\0';
    ck_assert_int_eq(try_url(url), BIQ_OK);
    url[BIQ_JWKS_URL_MAX] = 'a';
    url[BIQ_JWKS_URL_MAX + 1] = '\0';
    ck_assert_int_eq(try_url(url), BIQ_ERR_CONFIG);
}
END_TEST

START_TEST(refresh_installs_good_sets_only_once_a_minute)
{
    server s;
    server_start(&s);
    biq_keyring *ring = ring_of_one();
    char url[64], why[WHY];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/jwks.json", s.port);
    biq_jwks_fetcher *f = NULL;
    ck_assert_int_eq(biq_jwks_fetcher_new(url, ring, &f, why, sizeof why), BIQ_OK);
    const int64_t t = 1764300000;

    char *good = two_keys();
    answer(&s, "200 OK", "", good, strlen(good));
    ck_assert_msg(biq_jwks_fetcher_refresh(f, t, why, sizeof why), "%s", why);
    ck_assert_uint_eq(biq_keyring_count(ring), 2);
    ck_assert_int_eq(s.requests, 1);
    /* Within the minute: no request at all. */
    ck_assert(!biq_jwks_fetcher_refresh(f, t + BIQ_JWKS_FETCH_INTERVAL_S - 1, why, sizeof why));
    ck_assert_ptr_nonnull(strstr(why, "less than"));
    ck_assert_int_eq(s.requests, 1);
    /* A minute later: fetched; a server error keeps the set. */
    answer(&s, "500 Internal Server Error", "", "{}", 2);
    ck_assert(!biq_jwks_fetcher_refresh(f, t + BIQ_JWKS_FETCH_INTERVAL_S, why, sizeof why));
    ck_assert_int_eq(s.requests, 2);
    ck_assert_ptr_nonnull(strstr(why, "HTTP 500"));
    ck_assert_uint_eq(biq_keyring_count(ring), 2);
    /* A 200 that is not a key set keeps it too. */
    answer(&s, "200 OK", "", "{\"keys\":[]}", 11);
    ck_assert(!biq_jwks_fetcher_refresh(f, t + 2 * BIQ_JWKS_FETCH_INTERVAL_S, why, sizeof why));
    ck_assert_int_eq(s.requests, 3);
    ck_assert_uint_eq(biq_keyring_count(ring), 2);
    /* Another 2xx than 200 is not taken. */
    answer(&s, "203 Non-Authoritative Information", "", good, strlen(good));
    ck_assert(!biq_jwks_fetcher_refresh(f, t + 3 * BIQ_JWKS_FETCH_INTERVAL_S, why, sizeof why));
    ck_assert_ptr_nonnull(strstr(why, "HTTP 203"));
    /* A redirect is not followed, even to a good set. */
    char loc[128];
    snprintf(loc, sizeof loc, "Location: http://127.0.0.1:%d/other.json\r\n", s.port);
    answer(&s, "302 Found", loc, good, strlen(good));
    ck_assert(!biq_jwks_fetcher_refresh(f, t + 4 * BIQ_JWKS_FETCH_INTERVAL_S, why, sizeof why));
    ck_assert_int_eq(s.requests, 5);
    ck_assert_ptr_nonnull(strstr(why, "HTTP 302"));
    /* A good set of one key replaces the two. */
    char *one = fit_sign_jwks(key_b, "b");
    answer(&s, "200 OK", "", one, strlen(one));
    ck_assert_msg(biq_jwks_fetcher_refresh(f, t + 5 * BIQ_JWKS_FETCH_INTERVAL_S, why, sizeof why),
                  "%s", why);
    ck_assert_uint_eq(biq_keyring_count(ring), 1);
    ck_assert_int_eq(s.requests, 6);
    free(one);
    free(good);
    biq_jwks_fetcher_free(f);
    biq_keyring_free(ring);
    server_stop(&s);
}
END_TEST

START_TEST(answer_too_large_refused)
{
    server s;
    server_start(&s);
    biq_keyring *ring = ring_of_one();
    char url[64], why[WHY];
    snprintf(url, sizeof url, "http://localhost:%d/jwks.json", s.port);
    biq_jwks_fetcher *f = NULL;
    ck_assert_int_eq(biq_jwks_fetcher_new(url, ring, &f, why, sizeof why), BIQ_OK);
    /* A valid set padded with spaces to one byte past the cap. */
    char *good = two_keys();
    size_t n = BIQ_JWKS_JSON_MAX + 1, g = strlen(good);
    char *big = malloc(n);
    memcpy(big, good, g);
    memset(big + g, ' ', n - g);
    answer(&s, "200 OK", "", big, n);
    ck_assert(!biq_jwks_fetcher_refresh(f, 1000, why, sizeof why));
    ck_assert_ptr_nonnull(strstr(why, "too large"));
    ck_assert_uint_eq(biq_keyring_count(ring), 1);
    /* Exactly at the cap: taken. */
    answer(&s, "200 OK", "", big, n - 1);
    ck_assert_msg(biq_jwks_fetcher_refresh(f, 1000 + BIQ_JWKS_FETCH_INTERVAL_S, why, sizeof why),
                  "%s", why);
    ck_assert_uint_eq(biq_keyring_count(ring), 2);
    free(big);
    free(good);
    biq_jwks_fetcher_free(f);
    biq_keyring_free(ring);
    server_stop(&s);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("jwks_fetch");
    TCase *tc = tcase_create("fetch");
    tcase_set_timeout(tc, 60);
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_add_test(tc, urls_https_or_loopback_http);
    tcase_add_test(tc, refresh_installs_good_sets_only_once_a_minute);
    tcase_add_test(tc, answer_too_large_refused);
    suite_add_tcase(s, tc);
    return s;
}
