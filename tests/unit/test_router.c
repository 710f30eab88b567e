/* test_router.c - route matching and strict percent-decoding. */
#include <string.h>

#include "http/router.h"
#include "testsupport.h"

static biq_err nop(void *app, biq_request *req, biq_response *resp)
{
    (void)app;
    (void)req;
    (void)resp;
    return BIQ_OK;
}

static const biq_route ROUTES[] = {
    {"GET", "/healthz", nop, 0, BIQ_SCOPE_TENANT, 0},
    {"GET", "/api/v1/projects/{key}/dashboard", nop, BIQ_CALLER_PROJECT_USERS, BIQ_SCOPE_PROJECT, 0},
    {"PUT", "/api/v1/projects/{key}/settings", nop, BIQ_CALLER_PROJECT_ADMIN, BIQ_SCOPE_PROJECT,
     1024},
    {"GET", "/api/v1/projects/{key}/settings", nop, BIQ_CALLER_PROJECT_USERS, BIQ_SCOPE_PROJECT, 0},
    {"DELETE", "/api/v1/alerts/rules/{id}", nop, BIQ_CALLER_SITE_ADMIN, BIQ_SCOPE_TENANT, 0},
    {"GET", "/api/v1/issues/{key}/time-in-status", nop, BIQ_CALLER_VIEWER, BIQ_SCOPE_ISSUE, 0},
    {"GET", "/api/v1/alerts", nop, BIQ_CALLER_PROJECT_USERS, BIQ_SCOPE_QUERY_PROJECT, 0},
    {"POST", "/api/v1/projects/{key}/backfill", nop,
     BIQ_CALLER_PROJECT_USERS | BIQ_CALLER_SITE_ADMIN, BIQ_SCOPE_PROJECT, 0},
};
enum { N = sizeof ROUTES / sizeof ROUTES[0] };

static biq_route_result match(biq_arena *a, const char *method, const char *path, size_t *idx,
                              const char **params, size_t *n)
{
    return biq_route_match(ROUTES, N, method, path, a, idx, params, n);
}

START_TEST(matches_literals_and_params)
{
    biq_arena *a = biq_arena_new(1 << 16);
    size_t idx = 99, n = 9;
    const char *p[BIQ_ROUTE_PARAMS_MAX];
    ck_assert_int_eq(match(a, "GET", "/healthz", &idx, p, &n), BIQ_ROUTE_FOUND);
    ck_assert_uint_eq(idx, 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(match(a, "GET", "/api/v1/projects/FLOW/dashboard", &idx, p, &n), BIQ_ROUTE_FOUND);
    ck_assert_uint_eq(idx, 1);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(p[0], "FLOW");
    ck_assert_int_eq(match(a, "GET", "/api/v1/projects/FLOW/settings", &idx, p, &n), BIQ_ROUTE_FOUND);
    ck_assert_uint_eq(idx, 3);
    ck_assert_int_eq(match(a, "DELETE", "/api/v1/alerts/rules/42", &idx, p, &n), BIQ_ROUTE_FOUND);
    ck_assert_str_eq(p[0], "42");
    biq_arena_free(a);
}
END_TEST

START_TEST(misses_and_methods)
{
    biq_arena *a = biq_arena_new(1 << 16);
    size_t idx = 0, n = 0;
    const char *p[BIQ_ROUTE_PARAMS_MAX];
    ck_assert_int_eq(match(a, "POST", "/healthz", &idx, p, &n), BIQ_ROUTE_NO_METHOD);
    ck_assert_uint_eq(idx, 0);
    ck_assert_int_eq(match(a, "PATCH", "/api/v1/projects/X/settings", &idx, p, &n), BIQ_ROUTE_NO_METHOD);
    ck_assert_int_eq(match(a, "GET", "/healthz/", &idx, p, &n), BIQ_ROUTE_NO_PATH);
    ck_assert_int_eq(match(a, "GET", "/Healthz", &idx, p, &n), BIQ_ROUTE_NO_PATH);
    ck_assert_int_eq(match(a, "GET", "/api/v1/projects//dashboard", &idx, p, &n), BIQ_ROUTE_NO_PATH);
    ck_assert_int_eq(match(a, "GET", "/api/v1/projects/X/dashboard/extra", &idx, p, &n),
                     BIQ_ROUTE_NO_PATH);
    ck_assert_int_eq(match(a, "GET", "", &idx, p, &n), BIQ_ROUTE_BAD_PATH);
    ck_assert_int_eq(match(a, "GET", "healthz", &idx, p, &n), BIQ_ROUTE_BAD_PATH);
    ck_assert_int_eq(match(a, "GET", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q", &idx, p, &n),
                     BIQ_ROUTE_BAD_PATH);
    biq_arena_free(a);
}
END_TEST

START_TEST(params_are_decoded_strictly)
{
    biq_arena *a = biq_arena_new(1 << 16);
    size_t idx = 0, n = 0;
    const char *p[BIQ_ROUTE_PARAMS_MAX];
    ck_assert_int_eq(match(a, "GET", "/api/v1/projects/%E6%95%85%E4%BA%8B/dashboard", &idx, p, &n),
                     BIQ_ROUTE_FOUND);
    ck_assert_str_eq(p[0], "故事");
    ck_assert_int_eq(match(a, "GET", "/api/v1/projects/A+B/dashboard", &idx, p, &n), BIQ_ROUTE_FOUND);
    ck_assert_str_eq(p[0], "A+B");
    const char *bad[] = {
        "/api/v1/projects/%ZZ/dashboard", "/api/v1/projects/%4/dashboard",
        "/api/v1/projects/%/dashboard",   "/api/v1/projects/a%00b/dashboard",
        "/api/v1/projects/a%2Fb/dashboard", "/api/v1/projects/%0a/dashboard",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(match(a, "GET", bad[i], &idx, p, &n) == BIQ_ROUTE_BAD_PATH, "%s", bad[i]);
    char longparam[600] = "/api/v1/projects/";
    memset(longparam + strlen(longparam), 'K', 300);
    memcpy(longparam + strlen(longparam), "/dashboard", 11);
    ck_assert_int_eq(match(a, "GET", longparam, &idx, p, &n), BIQ_ROUTE_BAD_PATH);
    biq_arena_free(a);
}
END_TEST

START_TEST(percent_decode_edges)
{
    biq_arena *a = biq_arena_new(1 << 16);
    ck_assert_str_eq(biq_percent_decode(a, "a%20b", 5, 10), "a b");
    ck_assert_str_eq(biq_percent_decode(a, "", 0, 10), "");
    ck_assert_ptr_null(biq_percent_decode(a, "abc", 3, 2));
    ck_assert_ptr_null(biq_percent_decode(a, "%2", 2, 10));
    ck_assert_ptr_null(biq_percent_decode(a, "%7F", 3, 10));
    ck_assert_ptr_null(biq_percent_decode(a, "a\tb", 3, 10));
    biq_arena_free(a);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("router");
    TCase *tc = tcase_create("router");
    tcase_add_test(tc, matches_literals_and_params);
    tcase_add_test(tc, misses_and_methods);
    tcase_add_test(tc, params_are_decoded_strictly);
    tcase_add_test(tc, percent_decode_edges);
    suite_add_tcase(s, tc);
    return s;
}
