/* test_authz_matrix.c - authorization by caller (security.md §2a) over
 * HTTP with the real server and database: every route of docs/api.md
 * against every caller class a Forge token can carry, plus a token of an
 * unknown module, a viewer and a project admin of another project, and an
 * issue panel. Each refused call answers exactly 403 and leaves every
 * tenant table as it was (row counts and a hash per table); each admitted
 * call gets past authorization (never 401/403). The expectations below are
 * written from the issue's table, not read from src/api/routes.c, so a
 * drift in either shows here.
 *
 * Refused callers send the harmful body (the reproductions of the issue:
 * an empty reconcile id list, a forged delete event, an uninstall, a
 * settings change); admitted callers send a harmless probe. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/caller.h"
#include "fit_sign.h"
#include "harness.h"
#include "testsupport.h"

static harness H;
static const char TENANT[] = "ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-00000000a11a";
static const char INSTALLED[] = "{\"eventType\":\"avi:forge:installed:app\"}";

/* The callers of the matrix. */
enum {
    LIFECYCLE,
    EVENTS,
    SCHEDULE,
    FUNCTION,
    VIEWER,       /* project page of EE */
    VIEWER_OTHER, /* project page of ZZ */
    PANEL,        /* issue panel of EE-1 */
    PADMIN,       /* project settings page of EE */
    PADMIN_OTHER, /* project settings page of ZZ */
    SADMIN,
    UNKNOWN, /* a verified token of a module the app does not have */
    N_CALLERS
};
static const char *const CALLER_NAMES[N_CALLERS] = {
    "lifecycle", "events", "schedule", "function", "viewer", "viewer(ZZ)",
    "panel",     "padmin", "padmin(ZZ)", "sadmin", "unknown",
};
#define BIT(c) (1u << (c))
#define PROJECT_EE (BIT(VIEWER) | BIT(PANEL) | BIT(PADMIN))
#define ADMINS (BIT(PADMIN) | BIT(PADMIN_OTHER) | BIT(SADMIN))

enum { SNAPSHOT_MAX = 1 << 16, PATH_MAX_LEN = 256 };

static char SITE_RULE[32], EE_RULE[32], DEST[32];
static char *TABLES_SQL; /* one query hashing every tenant table */

static char *token_for(int caller)
{
    static const unsigned classes[N_CALLERS] = {
        [LIFECYCLE] = BIQ_CALLER_LIFECYCLE, [EVENTS] = BIQ_CALLER_EVENTS,
        [SCHEDULE] = BIQ_CALLER_SCHEDULE,   [FUNCTION] = BIQ_CALLER_FUNCTION,
        [VIEWER] = BIQ_CALLER_VIEWER,       [VIEWER_OTHER] = BIQ_CALLER_VIEWER,
        [PADMIN] = BIQ_CALLER_PROJECT_ADMIN, [PADMIN_OTHER] = BIQ_CALLER_PROJECT_ADMIN,
        [SADMIN] = BIQ_CALLER_SITE_ADMIN,
    };
    fit_claims c;
    if (caller == PANEL || caller == UNKNOWN) {
        fit_claims_default(&c, (int64_t)time(NULL));
        c.app_id = HARNESS_APP_ID;
        c.installation_id = TENANT;
        c.project_key = "EE";
        if (caller == PANEL) {
            c.issue_key = "EE-1";
            c.issue_id = "10001";
        } else {
            c.module_type = "core:endpoint";
            c.module_key = "biq-ui";
            c.no_context = true;
        }
        return fit_sign_forge_token(H.key, HARNESS_KID, &c);
    }
    const char *project = caller == VIEWER_OTHER || caller == PADMIN_OTHER ? "ZZ" : "EE";
    return harness_token_as(&H, TENANT, project, classes[caller]);
}

static long call_as(int caller, const char *method, const char *path, const char *body,
                    char **resp)
{
    char *token = token_for(caller);
    long st = http_json(&H, method, path, token, body, resp);
    free(token);
    return st;
}

/* Every table with a tenant_id column, hashed row by row, in one text. */
static char *snapshot(void)
{
    PGconn *c = harness_pg(&H, "postgres");
    PGresult *r = harness_sql(c, TABLES_SQL);
    char *out = strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    PQfinish(c);
    ck_assert_ptr_nonnull(out);
    return out;
}

static void build_tables_sql(void)
{
    PGconn *c = harness_pg(&H, "postgres");
    PGresult *r = harness_sql(c, "SELECT c.table_name FROM information_schema.columns c"
                                 " JOIN information_schema.tables t USING (table_schema, table_name)"
                                 " WHERE c.column_name = 'tenant_id' AND c.table_schema = 'public'"
                                 " AND t.table_type = 'BASE TABLE' ORDER BY 1");
    size_t cap = SNAPSHOT_MAX, used = 0;
    TABLES_SQL = malloc(cap);
    ck_assert_ptr_nonnull(TABLES_SQL);
    used += (size_t)snprintf(TABLES_SQL, cap, "SELECT concat_ws(';'");
    ck_assert_int_ge(PQntuples(r), 10); /* the schema's tenant tables */
    for (int i = 0; i < PQntuples(r); i++) {
        const char *t = PQgetvalue(r, i, 0);
        used += (size_t)snprintf(TABLES_SQL + used, cap - used,
                                 ", (SELECT '%s:' || count(*) || ':' || coalesce(md5(string_agg("
                                 "x::text, '|' ORDER BY x::text)), '') FROM %s x)",
                                 t, t);
        ck_assert_uint_lt(used, cap);
    }
    snprintf(TABLES_SQL + used, cap - used, ")");
    PQclear(r);
    PQfinish(c);
}

/* The id of a created rule or destination, as text. */
static void created_id(long st, char *body, char *out, size_t cap)
{
    ck_assert_msg(st == 201, "create: %ld %s", st, body);
    json_t *root = json_loads(body, 0, NULL);
    ck_assert_ptr_nonnull(root);
    snprintf(out, cap, "%lld", (long long)json_integer_value(json_object_get(root, "id")));
    json_decref(root);
    free(body);
}

static void setup(void)
{
    static const char *const env[] = {"BIQ_FLOW_CLOCK=2020-06-20T00:00:00Z", NULL};
    char *body = NULL;
    harness_init(&H, "biq_authz");
    harness_start_app(&H, env);
    ck_assert_int_eq(call_as(LIFECYCLE, "POST", "/forge/lifecycle", INSTALLED, &body), 200);
    free(body);
    harness_ingest_devlake(&H, TENANT, "{\"total\":33}");
    long st = call_as(SADMIN, "POST", "/api/v1/alerts/destinations",
                      "{\"kind\":\"slack\",\"name\":\"team\","
                      "\"url\":\"https://hooks.slack.com/services/T0/B0/abcd\"}",
                      &body);
    created_id(st, body, DEST, sizeof DEST);
    st = call_as(SADMIN, "POST", "/api/v1/alerts/rules", "{\"kind\":\"cycle_time_exceeded\"}", &body);
    created_id(st, body, SITE_RULE, sizeof SITE_RULE);
    st = call_as(PADMIN, "POST", "/api/v1/alerts/rules", "{\"kind\":\"no_activity\"}", &body);
    created_id(st, body, EE_RULE, sizeof EE_RULE);
    /* A backfill request waiting to be picked up: a refused poll that
     * claimed it would change the snapshot. */
    ck_assert_int_eq(call_as(VIEWER, "POST", "/api/v1/projects/EE/backfill", "{}", &body), 202);
    free(body);
    build_tables_sql();
}

static void teardown(void)
{
    free(TABLES_SQL);
    harness_cleanup(&H);
}

/* One row of the matrix: the route, who it admits, what a refused caller
 * tries and what an admitted one sends. %R, %E, %D in paths stand for the
 * site-wide rule, the project rule and the destination ids. */
typedef struct row {
    const char *method;
    const char *attack_path, *attack_body; /* sent by every refused caller */
    const char *probe_path, *probe_body;   /* sent by every admitted caller */
    unsigned admits;                       /* BIT(caller) set */
} row;

static const char DELETE_EVENT_FILE[] = "realdata/jira-webhooks/webhook-issue-deleted.json";

static const row ROWS[] = {
    {"POST", "/forge/lifecycle", "{\"eventType\":\"avi:forge:uninstalled:app\"}", NULL,
     "{\"eventType\":\"avi:forge:other:app\"}", BIT(LIFECYCLE)},
    {"POST", "/forge/uninstall", "{}", NULL, NULL, BIT(LIFECYCLE)}, /* admitted: see below */
    {"POST", "/forge/register", INSTALLED, NULL, "{}", BIT(FUNCTION)},
    {"POST", "/forge/events", "@event", NULL, "{}", BIT(EVENTS)},
    {"POST", "/forge/backfill/EE", "{\"total\":1}", NULL, "{\"total\":\"x\"}", BIT(FUNCTION)},
    {"POST", "/forge/backfill/EE/page", "{\"issues\":[]}", NULL, "[]", BIT(FUNCTION)},
    {"POST", "/forge/issues/EE-1/changelog", "{\"values\":[]}", NULL, "[]", BIT(FUNCTION)},
    {"POST", "/forge/catalog", "{\"statuses\":[]}", NULL, "[]", BIT(FUNCTION)},
    {"POST", "/forge/boards/EE", "{\"boards\":[]}", NULL, "[]", BIT(FUNCTION)},
    {"GET", "/forge/backfill/requests", NULL, NULL, NULL, BIT(FUNCTION)},
    {"GET", "/forge/reconcile", NULL, NULL, NULL, BIT(FUNCTION)},
    {"POST", "/forge/reconcile", "{\"ok\":true}", NULL, "[]", BIT(FUNCTION)},
    {"POST", "/forge/reconcile/EE/ids", "{\"ids\":[]}", NULL, "{\"ids\":\"x\"}", BIT(FUNCTION)},
    {"POST", "/forge/alerts/sweep", "{}", NULL, "{}", BIT(SCHEDULE)},
    {"POST", "/api/v1/projects/EE/backfill", "{}", NULL, "{}",
     PROJECT_EE | BIT(SADMIN)},
    {"GET", "/api/v1/tenant", NULL, NULL, NULL,
     PROJECT_EE | BIT(VIEWER_OTHER) | BIT(PADMIN_OTHER) | BIT(SADMIN)},
    {"GET", "/api/v1/alerts?project=EE", NULL, NULL, NULL, PROJECT_EE},
    {"GET", "/api/v1/alerts/rules", NULL, NULL, NULL, ADMINS},
    {"POST", "/api/v1/alerts/rules", "{\"kind\":\"cycle_time_exceeded\"}", NULL, "{}", ADMINS},
    {"PUT", "/api/v1/alerts/rules/%R", "{\"kind\":\"cycle_time_exceeded\",\"enabled\":false}", NULL, "{}",
     ADMINS},
    {"DELETE", "/api/v1/alerts/rules/%R", NULL, "/api/v1/alerts/rules/1", NULL, ADMINS},
    {"GET", "/api/v1/alerts/destinations", NULL, NULL, NULL, ADMINS},
    {"POST", "/api/v1/alerts/destinations",
     "{\"kind\":\"slack\",\"name\":\"leak\",\"url\":\"https://hooks.slack.com/services/x\","
     "\"isDefault\":true}",
     NULL, "{}", BIT(SADMIN)},
    {"PUT", "/api/v1/alerts/destinations/%D", "{\"name\":\"renamed\",\"isDefault\":true}", NULL,
     "{\"kind\":7}", BIT(SADMIN)},
    {"DELETE", "/api/v1/alerts/destinations/%D", NULL, "/api/v1/alerts/destinations/1", NULL,
     BIT(SADMIN)},
    {"POST", "/api/v1/alerts/destinations/%D/test", NULL, "/api/v1/alerts/destinations/1/test",
     NULL, BIT(SADMIN)},
    {"GET", "/api/v1/alerts/destinations/%D/tests/0123456789abcdef0123456789abcdef", NULL, NULL,
     NULL, BIT(SADMIN)},
    {"GET", "/api/v1/tenant/settings", NULL, NULL, NULL, ADMINS},
    {"PUT", "/api/v1/tenant/settings", "{\"aiExplanations\":false}", NULL,
     "{\"nope\":1}", BIT(SADMIN)},
    {"GET", "/api/v1/projects/EE/dashboard", NULL, NULL, NULL, PROJECT_EE},
    {"GET", "/api/v1/projects/EE/charts/wip-aging", NULL, NULL, NULL, PROJECT_EE},
    {"GET", "/api/v1/projects/EE/charts/cfd", NULL, NULL, NULL, PROJECT_EE},
    {"GET", "/api/v1/projects/EE/charts/wip-stack", NULL, NULL, NULL, PROJECT_EE},
    {"GET", "/api/v1/projects/EE/charts/scatter", NULL, NULL, NULL, PROJECT_EE},
    {"GET", "/api/v1/projects/EE/charts/runs", NULL, NULL, NULL, PROJECT_EE},
    {"GET", "/api/v1/projects/EE/forecast?items=5", NULL, NULL, NULL, PROJECT_EE},
    {"GET", "/api/v1/projects/EE/export.csv", NULL, NULL, NULL, PROJECT_EE},
    {"GET", "/api/v1/projects/EE/settings", NULL, NULL, NULL, PROJECT_EE},
    {"PUT", "/api/v1/projects/EE/settings", "{\"excludedIssueTypes\":[\"Bug\"]}", NULL,
     "{\"nope\":1}", BIT(PADMIN)},
    {"GET", "/api/v1/issues/EE-1/time-in-status", NULL, NULL, NULL, BIT(PANEL)},
    {"GET", "/api/v1/projects/EE/sprints/report", NULL, NULL, NULL, PROJECT_EE},
    /* Issue #14's SLEs: the setting, the aging table, the alert kind. */
    {"PUT", "/api/v1/projects/EE/settings", "{\"sle\":{\"percentile\":85,\"days\":10}}", NULL,
     "{\"sle\":{\"percentile\":10,\"days\":1}}", BIT(PADMIN)},
    {"GET", "/api/v1/projects/EE/export.csv?table=aging", NULL, NULL, NULL, PROJECT_EE},
    {"POST", "/api/v1/alerts/rules", "{\"kind\":\"sle_at_risk\"}", NULL, "{}", ADMINS},
};
enum { N_ROWS = sizeof ROWS / sizeof ROWS[0] };

static void expand(const char *pattern, char *out)
{
    size_t n = 0;
    for (const char *p = pattern; *p != '\0' && n + 32 < PATH_MAX_LEN; p++) {
        const char *id = NULL;
        if (p[0] == '%' && p[1] == 'R')
            id = SITE_RULE;
        else if (p[0] == '%' && p[1] == 'D')
            id = DEST;
        if (id != NULL) {
            n += (size_t)snprintf(out + n, PATH_MAX_LEN - n, "%s", id);
            p++;
        } else {
            out[n++] = *p;
        }
    }
    out[n] = '\0';
}

static char *body_of(const char *spec)
{
    char path[512];
    if (spec == NULL || strcmp(spec, "@event") != 0)
        return spec != NULL ? strdup(spec) : NULL;
    snprintf(path, sizeof path, "%s/%s", harness_shared_dir(), DELETE_EVENT_FILE);
    return harness_read_file(path);
}

/* Every caller the row refuses gets 403 naming what is needed, and the
 * tenant's data stays byte for byte the same. */
static void refused_callers(const row *r)
{
    char path[PATH_MAX_LEN], *before = snapshot(), *resp = NULL;
    char *body = body_of(r->attack_body);
    expand(r->attack_path, path);
    for (int c = 0; c < N_CALLERS; c++) {
        if (r->admits & BIT(c))
            continue;
        long st = call_as(c, r->method, path, body, &resp);
        ck_assert_msg(st == 403, "%s %s as %s: %ld %s", r->method, path, CALLER_NAMES[c], st,
                      resp);
        ck_assert_msg(strstr(resp, "\"code\":\"forbidden\"") != NULL, "%s", resp);
        free(resp);
        char *after = snapshot();
        ck_assert_msg(strcmp(before, after) == 0, "%s %s as %s changed the data", r->method,
                      path, CALLER_NAMES[c]);
        free(after);
    }
    free(body);
    free(before);
}

static void admitted_callers(const row *r)
{
    char path[PATH_MAX_LEN], *resp = NULL;
    expand(r->probe_path != NULL ? r->probe_path : r->attack_path, path);
    for (int c = 0; c < N_CALLERS; c++) {
        if (!(r->admits & BIT(c)) || strcmp(r->attack_path, "/forge/uninstall") == 0)
            continue;
        long st = call_as(c, r->method, path, r->probe_body, &resp);
        ck_assert_msg(st != 401 && st != 403 && st > 0, "%s %s as %s: %ld %s", r->method, path,
                      CALLER_NAMES[c], st, resp);
        free(resp);
    }
}

START_TEST(every_route_admits_exactly_its_callers)
{
    for (size_t i = 0; i < N_ROWS; i++) {
        refused_callers(&ROWS[i]);
        admitted_callers(&ROWS[i]);
    }
    /* The uninstall row's admitted caller, last: the platform's own. */
    char *resp = NULL;
    ck_assert_int_eq(call_as(LIFECYCLE, "POST", "/forge/uninstall", "{}", &resp), 200);
    free(resp);
    ck_assert_int_eq(harness_count(&H, "SELECT count(*) FROM tenants"), 0);
}
END_TEST

/* The reproductions of the issue, spelled out with their effects. */
START_TEST(a_viewer_cannot_wreck_the_site)
{
    char *resp = NULL;
    long long issues = harness_count(&H, "SELECT count(*) FROM issues");
    ck_assert_int_gt(issues, 0);
    ck_assert_int_eq(call_as(VIEWER, "POST", "/forge/reconcile/EE/ids", "{\"ids\":[]}", &resp),
                     403);
    ck_assert_ptr_nonnull(strstr(resp, "this route needs a function caller; this token is "
                                       "project-viewer"));
    free(resp);
    ck_assert_int_eq(call_as(PANEL, "POST", "/forge/lifecycle",
                             "{\"eventType\":\"avi:forge:uninstalled:app\"}", &resp),
                     403);
    free(resp);
    ck_assert_int_eq(call_as(PADMIN, "POST", "/forge/uninstall", "{}", &resp), 403);
    free(resp);
    ck_assert_int_eq(call_as(SADMIN, "POST", "/forge/uninstall", "{}", &resp), 403);
    free(resp);
    ck_assert_int_eq(harness_count(&H, "SELECT count(*) FROM issues"), issues);
    ck_assert_int_eq(harness_count(&H, "SELECT count(*) FROM tenants"), 1);
    /* A function may register an installation, never end one. */
    ck_assert_int_eq(call_as(FUNCTION, "POST", "/forge/register",
                             "{\"eventType\":\"avi:forge:uninstalled:app\"}", &resp),
                     422);
    free(resp);
    ck_assert_int_eq(call_as(FUNCTION, "POST", "/forge/register", INSTALLED, &resp), 200);
    free(resp);
    ck_assert_int_eq(harness_count(&H, "SELECT count(*) FROM tenants"), 1);
}
END_TEST

/* The backfill request poll claims what it lists (issue 16): every caller
 * it refuses leaves the waiting request unclaimed, so the one admitted
 * caller, the Forge function, still gets it, once. */
START_TEST(refused_pollers_claim_no_backfill_request)
{
    char *resp = NULL;
    for (int c = 0; c < N_CALLERS; c++) {
        if (c == FUNCTION)
            continue;
        ck_assert_int_eq(call_as(c, "GET", "/forge/backfill/requests", NULL, &resp), 403);
        free(resp);
    }
    ck_assert_int_eq(harness_count(&H, "SELECT count(*) FROM backfill_requests"
                                       " WHERE claimed_at IS NULL AND claims = 0"),
                     1);
    ck_assert_int_eq(call_as(FUNCTION, "GET", "/forge/backfill/requests", NULL, &resp), 200);
    ck_assert_str_eq(resp, "{\"projects\":[\"EE\"]}");
    free(resp);
    ck_assert_int_eq(call_as(FUNCTION, "GET", "/forge/backfill/requests", NULL, &resp), 200);
    ck_assert_str_eq(resp, "{\"projects\":[]}");
    free(resp);
}
END_TEST

static json_t *get_json(int caller, const char *path)
{
    char *resp = NULL;
    long st = call_as(caller, "GET", path, NULL, &resp);
    ck_assert_msg(st == 200, "GET %s: %ld %s", path, st, resp);
    json_t *root = json_loads(resp, 0, NULL);
    ck_assert_ptr_nonnull(root);
    free(resp);
    return root;
}

START_TEST(project_admins_keep_to_their_project_rules)
{
    char *resp = NULL, path[PATH_MAX_LEN];
    /* A project admin lists only its project's rules; a site admin all. */
    json_t *mine = get_json(PADMIN, "/api/v1/alerts/rules");
    ck_assert_uint_eq(json_array_size(mine), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(mine, 0), "projectKey")),
                     "EE");
    json_decref(mine);
    json_t *all = get_json(SADMIN, "/api/v1/alerts/rules");
    ck_assert_uint_eq(json_array_size(all), 2);
    json_decref(all);
    json_t *other = get_json(PADMIN_OTHER, "/api/v1/alerts/rules");
    ck_assert_uint_eq(json_array_size(other), 0);
    json_decref(other);
    /* Another project's admin cannot touch EE's rule, nor a site-wide one. */
    char *before = snapshot();
    snprintf(path, sizeof path, "/api/v1/alerts/rules/%s", EE_RULE);
    ck_assert_int_eq(call_as(PADMIN_OTHER, "DELETE", path, NULL, &resp), 404);
    free(resp);
    ck_assert_int_eq(call_as(PADMIN_OTHER, "PUT", path, "{\"kind\":\"cycle_time_exceeded\"}", &resp), 404);
    free(resp);
    snprintf(path, sizeof path, "/api/v1/alerts/rules/%s", SITE_RULE);
    ck_assert_int_eq(call_as(PADMIN, "DELETE", path, NULL, &resp), 404);
    free(resp);
    ck_assert_int_eq(call_as(PADMIN, "POST", "/api/v1/alerts/rules",
                             "{\"kind\":\"cycle_time_exceeded\",\"projectKey\":\"ZZ\"}", &resp),
                     403);
    ck_assert_ptr_nonnull(strstr(resp, "projectKey: a project admin manages rules of its own"));
    free(resp);
    char *after = snapshot();
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    /* Its own rule, bound to a destination a site admin made. */
    char rule[160];
    snprintf(rule, sizeof rule, "{\"kind\":\"cycle_time_exceeded\",\"destinationIds\":[%s]}", DEST);
    ck_assert_int_eq(call_as(PADMIN, "POST", "/api/v1/alerts/rules", rule, &resp), 201);
    json_t *made = json_loads(resp, 0, NULL);
    free(resp);
    ck_assert_str_eq(json_string_value(json_object_get(made, "projectKey")), "EE");
    json_decref(made);
    snprintf(path, sizeof path, "/api/v1/alerts/rules/%s", EE_RULE);
    ck_assert_int_eq(call_as(PADMIN, "DELETE", path, NULL, &resp), 200);
    free(resp);
}
END_TEST

START_TEST(ids_are_per_tenant_and_say_nothing_of_others)
{
    /* Random ids below 2^53: two new destinations are not neighbours. */
    char a[32], b[32], *resp = NULL;
    static const char DEST_BODY[] = "{\"kind\":\"slack\",\"name\":\"n\","
                                    "\"url\":\"https://hooks.slack.com/services/T/B/x\"}";
    long st = call_as(SADMIN, "POST", "/api/v1/alerts/destinations", DEST_BODY, &resp);
    created_id(st, resp, a, sizeof a);
    st = call_as(SADMIN, "POST", "/api/v1/alerts/destinations", DEST_BODY, &resp);
    created_id(st, resp, b, sizeof b);
    long long ia = strtoll(a, NULL, 10), ib = strtoll(b, NULL, 10);
    ck_assert_int_gt(ia, 0);
    ck_assert_int_lt(ia, 9007199254740992LL);
    ck_assert_int_ne(ib - ia, 1);
}
END_TEST

/* GET /api/v1/tenant lists the site's projects to a site admin, only its
 * own project to a project's page, the statuses to both, and whether AI
 * can run (no key configured here). */
START_TEST(tenant_lists_keep_to_the_callers_scope)
{
    json_t *all = get_json(SADMIN, "/api/v1/tenant");
    /* The DevLake catalogue names 13 projects; EE and K5 hold the issues. */
    json_t *projects = json_object_get(all, "projects");
    size_t i, found = 0;
    json_t *p;
    ck_assert_uint_eq(json_array_size(projects), 13);
    json_array_foreach(projects, i, p) {
        const char *key = json_string_value(json_object_get(p, "key"));
        found += strcmp(key, "EE") == 0 || strcmp(key, "K5") == 0;
        if (strcmp(key, "EE") == 0)
            ck_assert(json_is_string(json_object_get(p, "lastSyncAt")));
    }
    ck_assert_uint_eq(found, 2);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(all, "counts"), "projects")),
                     13);
    ck_assert_uint_ge(json_array_size(json_object_get(all, "statuses")), 9);
    json_t *ai = json_object_get(all, "ai");
    ck_assert(json_is_false(json_object_get(ai, "available")));
    ck_assert_str_eq(json_string_value(json_object_get(ai, "reason")), "no_api_key");
    json_decref(all);
    json_t *mine = get_json(VIEWER, "/api/v1/tenant");
    ck_assert_uint_eq(json_array_size(json_object_get(mine, "projects")), 1);
    ck_assert_str_eq(
        json_string_value(json_object_get(json_array_get(json_object_get(mine, "projects"), 0), "key")),
        "EE");
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(mine, "counts"), "projects")),
                     1);
    json_decref(mine);
    json_t *other = get_json(VIEWER_OTHER, "/api/v1/tenant");
    ck_assert_uint_eq(json_array_size(json_object_get(other, "projects")), 0);
    json_decref(other);
}
END_TEST

/* The number after "name " on its own line of /metrics. */
static long long metric(const char *name)
{
    char *resp = NULL, needle[128];
    ck_assert_int_eq(harness_ops_get(&H, "/metrics", &resp), 200);
    snprintf(needle, sizeof needle, "\n%s ", name);
    const char *p = strstr(resp, needle);
    ck_assert_msg(p != NULL, "no %s in /metrics", name);
    long long v = strtoll(p + strlen(needle), NULL, 10);
    free(resp);
    return v;
}

START_TEST(uninstall_empties_the_caches_at_once)
{
    json_decref(get_json(VIEWER, "/api/v1/projects/EE/dashboard"));
    ck_assert_int_eq(metric("biq_project_cache_entries"), 1);
    ck_assert_int_ge(metric("biq_dashboard_cache_entries"), 1);
    char *resp = NULL;
    ck_assert_int_eq(call_as(VIEWER, "POST", "/forge/uninstall", "{}", &resp), 403);
    free(resp);
    ck_assert_int_eq(metric("biq_project_cache_entries"), 1);
    ck_assert_int_eq(call_as(LIFECYCLE, "POST", "/forge/uninstall", "{}", &resp), 200);
    free(resp);
    ck_assert_int_eq(metric("biq_project_cache_entries"), 0);
    ck_assert_int_eq(metric("biq_dashboard_cache_entries"), 0);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("authz_matrix");
    TCase *tc = tcase_create("authz");
    tcase_set_timeout(tc, 300);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, every_route_admits_exactly_its_callers);
    tcase_add_test(tc, a_viewer_cannot_wreck_the_site);
    tcase_add_test(tc, project_admins_keep_to_their_project_rules);
    tcase_add_test(tc, ids_are_per_tenant_and_say_nothing_of_others);
    tcase_add_test(tc, uninstall_empties_the_caches_at_once);
    tcase_add_test(tc, tenant_lists_keep_to_the_callers_scope);
    tcase_add_test(tc, refused_pollers_claim_no_backfill_request);
    suite_add_tcase(s, tc);
    return s;
}
