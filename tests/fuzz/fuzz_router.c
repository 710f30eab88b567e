/* fuzz_router.c - the path and query parsers (http/router.h, request.h):
 * biq_route_match against the product's route table (biq_api_routes),
 * biq_percent_decode of each query value as biq_request_query does, and
 * biq_window_parse on a `window` value as the dashboard handlers do.
 *
 * Input: "METHOD PATH[?QUERY]" (the method is up to the first space; no
 * space means GET and the whole input is the path). Embedded NULs end the
 * C strings, as they would from libmicrohttpd.
 * Properties: FOUND gives a route of that method with as many decoded
 * parameters as its pattern has, each non-empty, at most BIQ_PARAM_MAX
 * bytes, without '/', NUL or control characters; NO_METHOD names a route of
 * another method; decoded values obey the same character rules and the
 * BIQ_QUERY_VALUE_MAX bound.
 */
#include <string.h>

#include "api/app.h"
#include "flow/flow.h"
#include "fuzz.h"
#include "http/router.h"

static const biq_route *routes;
static size_t n_routes;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    routes = biq_api_routes(&n_routes);
    FUZZ_CHECK(routes != NULL && n_routes > 0);
    return 0;
}

static void check_clean(const char *s, size_t max)
{
    size_t n = strlen(s);
    FUZZ_CHECK(n <= max);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
}

static size_t pattern_params(const char *pattern)
{
    size_t n = 0;
    for (const char *p = pattern; *p != '\0'; p++)
        n += *p == '{';
    return n;
}

static void path_side(biq_arena *arena, const char *method, const char *path)
{
    const char *params[BIQ_ROUTE_PARAMS_MAX];
    size_t index = n_routes, n_params = 99;
    biq_route_result r =
        biq_route_match(routes, n_routes, method, path, arena, &index, params, &n_params);
    if (r == BIQ_ROUTE_FOUND) {
        FUZZ_CHECK(index < n_routes && strcmp(routes[index].method, method) == 0);
        FUZZ_CHECK(n_params == pattern_params(routes[index].pattern));
        for (size_t i = 0; i < n_params; i++) {
            FUZZ_CHECK(params[i][0] != '\0' && strchr(params[i], '/') == NULL);
            check_clean(params[i], BIQ_PARAM_MAX);
        }
    } else if (r == BIQ_ROUTE_NO_METHOD) {
        FUZZ_CHECK(index < n_routes && strcmp(routes[index].method, method) != 0);
    } else {
        FUZZ_CHECK(r == BIQ_ROUTE_NO_PATH || r == BIQ_ROUTE_BAD_PATH);
    }
}

static void query_side(biq_arena *arena, const char *query)
{
    while (*query != '\0') {
        size_t len = strcspn(query, "&");
        const char *eq = memchr(query, '=', len);
        if (eq != NULL) {
            size_t name_len = (size_t)(eq - query), vlen = len - name_len - 1;
            char *v = biq_percent_decode(arena, eq + 1, vlen, BIQ_QUERY_VALUE_MAX);
            if (v != NULL) {
                check_clean(v, BIQ_QUERY_VALUE_MAX);
                biq_window_spec spec;
                if (name_len == 6 && memcmp(query, "window", 6) == 0)
                    (void)biq_window_parse(v, &spec);
            }
        }
        query += len;
        if (*query == '&')
            query++;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    FUZZ_CHECK(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0';
    biq_arena *arena = biq_arena_new((size_t)1 << 20);
    FUZZ_CHECK(arena != NULL);

    /* The raw bytes (NULs included) through the decoder. */
    char *all = biq_percent_decode(arena, (const char *)data, size, BIQ_QUERY_VALUE_MAX);
    if (all != NULL)
        check_clean(all, BIQ_QUERY_VALUE_MAX);

    const char *method = "GET";
    char *path = text, *space = strchr(text, ' ');
    if (space != NULL) {
        *space = '\0';
        method = text;
        path = space + 1;
    }
    char *query = strchr(path, '?');
    if (query != NULL)
        *query++ = '\0';
    path_side(arena, method, path);
    if (query != NULL)
        query_side(arena, query);
    biq_arena_free(arena);
    free(text);
    return 0;
}
