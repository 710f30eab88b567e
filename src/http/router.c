/* router.c - segment-wise route matching (see router.h). */
#include "http/router.h"

#include <stdio.h>
#include <string.h>

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *biq_percent_decode(biq_arena *arena, const char *src, size_t len, size_t max_len)
{
    char *out = biq_arena_alloc(arena, len + 1);
    size_t n = 0;
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)src[i];
        if (c == '%') {
            if (i + 2 >= len)
                return NULL;
            int hi = hex_value(src[i + 1]), lo = hex_value(src[i + 2]);
            if (hi < 0 || lo < 0)
                return NULL;
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
        }
        if (c < 0x20 || c == 0x7f)
            return NULL;
        if (n == max_len)
            return NULL;
        out[n++] = (char)c;
    }
    out[n] = '\0';
    return out;
}

struct segments {
    const char *start[BIQ_PATH_SEGMENTS_MAX];
    size_t len[BIQ_PATH_SEGMENTS_MAX];
    size_t count;
};

/* Splits "/a/b/c" into segments. An empty segment ("//", trailing "/") is
 * kept so that "/healthz/" does not match "/healthz". */
static bool split_path(const char *path, struct segments *out)
{
    out->count = 0;
    if (path[0] != '/')
        return false;
    const char *p = path + 1;
    for (;;) {
        if (out->count == BIQ_PATH_SEGMENTS_MAX)
            return false;
        const char *slash = strchr(p, '/');
        size_t len = slash != NULL ? (size_t)(slash - p) : strlen(p);
        out->start[out->count] = p;
        out->len[out->count] = len;
        out->count++;
        if (slash == NULL)
            return true;
        p = slash + 1;
    }
}

static bool is_param(const char *seg, size_t len)
{
    return len >= 2 && seg[0] == '{' && seg[len - 1] == '}';
}

/* 1: match, 0: no match, -1: the path is malformed. */
static int match_one(const struct segments *pat, const struct segments *path, biq_arena *arena,
                     const char **params, size_t *n_params)
{
    size_t n = 0;
    if (pat->count != path->count)
        return 0;
    for (size_t i = 0; i < pat->count; i++) {
        if (is_param(pat->start[i], pat->len[i])) {
            if (path->len[i] == 0)
                return 0;
            if (n == BIQ_ROUTE_PARAMS_MAX)
                return -1;
            if (params != NULL) {
                char *v = biq_percent_decode(arena, path->start[i], path->len[i], BIQ_PARAM_MAX);
                if (v == NULL || strchr(v, '/') != NULL)
                    return -1;
                params[n] = v;
            }
            n++;
        } else if (pat->len[i] != path->len[i] ||
                   memcmp(pat->start[i], path->start[i], path->len[i]) != 0) {
            return 0;
        }
    }
    if (n_params != NULL)
        *n_params = n;
    return 1;
}

biq_route_result biq_route_match(const biq_route *routes, size_t n_routes, const char *method,
                                 const char *path, biq_arena *arena, size_t *index,
                                 const char **params, size_t *n_params)
{
    struct segments want, pat;
    bool path_seen = false;
    *n_params = 0;
    if (strlen(path) > BIQ_PATH_MAX || !split_path(path, &want))
        return BIQ_ROUTE_BAD_PATH;
    for (size_t i = 0; i < n_routes; i++) {
        if (!split_path(routes[i].pattern, &pat))
            continue;
        bool same_method = strcmp(routes[i].method, method) == 0;
        int m = match_one(&pat, &want, arena, same_method ? params : NULL,
                          same_method ? n_params : NULL);
        if (m < 0)
            return BIQ_ROUTE_BAD_PATH;
        if (m == 0)
            continue;
        *index = i;
        if (same_method)
            return BIQ_ROUTE_FOUND;
        path_seen = true;
    }
    return path_seen ? BIQ_ROUTE_NO_METHOD : BIQ_ROUTE_NO_PATH;
}

/* ---- authorization -------------------------------------------------------- */

static bool own_issue(const biq_tenant_ctx *t, const char *k)
{
    return (t->issue_key[0] != '\0' && strcmp(t->issue_key, k) == 0) ||
           (t->issue_id[0] != '\0' && strcmp(t->issue_id, k) == 0);
}

/* Scoped classes (viewer, project admin) keep to their token's project or
 * issue; the others are tenant-wide where the route admits them. */
static biq_err check_scope(const biq_route *route, const biq_route_call *call, char *msg,
                           size_t cap)
{
    const biq_tenant_ctx *t = call->tenant;
    const char *scope = biq_caller_project_scope(t), *key = NULL;
    if (route->scope == BIQ_SCOPE_ISSUE) {
        if ((t->caller & BIQ_CALLER_PROJECT_USERS) != 0 && call->param != NULL &&
            own_issue(t, call->param))
            return BIQ_OK;
        snprintf(msg, cap, "this token is not for this issue");
        return BIQ_ERR_FORBIDDEN;
    }
    if (route->scope == BIQ_SCOPE_TENANT)
        return BIQ_OK;
    key = route->scope == BIQ_SCOPE_QUERY_PROJECT ? call->query_project : call->param;
    if (route->scope == BIQ_SCOPE_QUERY_PROJECT && (key == NULL || key[0] == '\0')) {
        snprintf(msg, cap, "project: required (a project key)");
        return BIQ_ERR_INVALID;
    }
    if (scope == NULL || (key != NULL && strcmp(key, scope) == 0))
        return BIQ_OK;
    snprintf(msg, cap, "this token is not for this project");
    return BIQ_ERR_FORBIDDEN;
}

biq_err biq_route_admit(const biq_route *route, const biq_route_call *call, char *msg,
                        size_t cap)
{
    char need[BIQ_CALLER_NAMES_MAX];
    const biq_tenant_ctx *t = call->tenant;
    if (route->admits == 0)
        return BIQ_OK;
    if (t == NULL || ((unsigned)t->caller & route->admits) == 0) {
        snprintf(msg, cap, "this route needs a %s caller; this token is %s",
                 biq_caller_names(route->admits, need, sizeof need),
                 t != NULL ? biq_caller_name(t->caller) : "absent");
        return BIQ_ERR_FORBIDDEN;
    }
    return check_scope(route, call, msg, cap);
}
