/* test_ingest_http.c - the ingest routes with the real captures in
 * ../shared/realdata, through the real server with real tokens: every file
 * ingests; nothing the product must not keep reaches the database;
 * replaying everything twice and in reverse order gives the same tables; a
 * renamed status stays one status; a truncated history is completed by its
 * changelog pages; malformed bodies are refused whole with their path. */
#include <dirent.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "testsupport.h"

static harness H;
static const char TENANT[] = "ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-00000000000a";
static const char TENANT_2[] = "ari:cloud:ecosystem::installation/bbbbbbbb-0000-4000-8000-00000000000b";

enum { FILES_MAX = 64, PATH_LEN = 1024 };

/* The Forge side's calls carry event tokens (no context). */
static long post_as(const char *tenant, const char *path, const char *body, char **resp)
{
    return harness_call(&H, tenant, NULL, "POST", path, body, resp);
}

static long post(const char *path, const char *body, char **resp)
{
    return post_as(TENANT, path, body, resp);
}

static void expect_status(const char *tenant, const char *path, const char *body, long want)
{
    char *resp = NULL;
    long st = post_as(tenant, path, body, &resp);
    ck_assert_msg(st == want, "POST %s: %ld, want %ld: %s", path, st, want, resp);
    free(resp);
}

static void install(const char *tenant)
{
    expect_status(tenant, "/forge/lifecycle", "{\"eventType\":\"avi:forge:installed:app\"}", 200);
}

static void setup(void)
{
    harness_init(&H, "biq_ingest_http");
    harness_start_app(&H, NULL);
    install(TENANT);
    install(TENANT_2);
}

static void teardown(void)
{
    harness_cleanup(&H);
}

/* The webhook captures, sorted by name. */
static size_t webhook_files(char names[FILES_MAX][PATH_LEN])
{
    char dir[PATH_LEN / 2];
    size_t n = 0;
    snprintf(dir, sizeof dir, "%s/realdata/jira-webhooks", harness_shared_dir());
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "no %s", dir);
    for (struct dirent *e; (e = readdir(d)) != NULL && n < FILES_MAX;) {
        if (strstr(e->d_name, ".json") != NULL)
            snprintf(names[n++], PATH_LEN, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(names, n, PATH_LEN, (int (*)(const void *, const void *))strcmp);
    return n;
}

static char *devlake(const char *name)
{
    char path[PATH_LEN];
    snprintf(path, sizeof path, "%s/realdata/devlake-merico/%s", harness_shared_dir(), name);
    return harness_read_file(path);
}

static void post_catalog(const char *tenant)
{
    char *st = devlake("statuses.json"), *sp = devlake("sprints.json"), *pr = devlake("projects.json");
    size_t n = strlen(st) + strlen(sp) + strlen(pr) + 64;
    char *body = malloc(n);
    snprintf(body, n, "{\"statuses\":%s,\"sprints\":%s,\"projects\":%s}", st, sp, pr);
    expect_status(tenant, "/forge/catalog", body, 200);
    free(body);
    free(st);
    free(sp);
    free(pr);
}

static const char *const CHANGELOGS[] = {"13383", "13491", "13954"};

/* A changelog page needs its issue: the capture's issues are not in the
 * search page, so each arrives first as an event whose embedded history
 * is empty of the total the page says (a truncated history). */
static void post_changelogs(const char *tenant)
{
    for (size_t i = 0; i < sizeof CHANGELOGS / sizeof CHANGELOGS[0]; i++) {
        char name[64], path[128], event[1024];
        snprintf(name, sizeof name, "changelog-issue-%s.json", CHANGELOGS[i]);
        char *page = devlake(name);
        json_t *root = json_loads(page, 0, NULL);
        json_int_t total = json_integer_value(json_object_get(root, "total"));
        json_decref(root);
        snprintf(event, sizeof event,
                 "{\"eventType\":\"avi:jira:created:issue\",\"issue\":{\"id\":\"%s\",\"key\":\"CL-%s\","
                 "\"fields\":{\"summary\":\"history\",\"project\":{\"id\":\"10099\",\"key\":\"CL\"},"
                 "\"status\":{\"id\":\"3\",\"name\":\"In Progress\",\"statusCategory\":{\"key\":\"indeterminate\"}},"
                 "\"issuetype\":{\"name\":\"Task\"},\"created\":\"2020-06-12T09:45:13.360+0800\","
                 "\"updated\":\"2020-06-12T09:45:13.360+0800\"},"
                 "\"changelog\":{\"startAt\":0,\"maxResults\":0,\"total\":%lld,\"histories\":[]}}}",
                 CHANGELOGS[i], CHANGELOGS[i], (long long)total);
        expect_status(tenant, "/forge/events", event, 200);
        snprintf(path, sizeof path, "/forge/issues/%s/changelog", CHANGELOGS[i]);
        expect_status(tenant, path, page, 200);
        free(page);
    }
}

static void post_page(const char *tenant)
{
    char *page = devlake("issues-with-changelog.json");
    /* The field ids the Forge side discovers for this site. */
    expect_status(tenant, "/forge/backfill/EE",
                  "{\"total\":33,\"fields\":{\"storyPoints\":\"customfield_10016\","
                  "\"sprint\":\"customfield_10020\"}}", 200);
    expect_status(tenant, "/forge/backfill/EE/page", page, 200);
    free(page);
}

/* With restricted false, the capture whose issue has a security level is
 * left out: that state purges the issue's history by design (security.md
 * section 3), so the order of arrival decides how much of TES-41's history
 * is on hand until the daily reconcile reads it again. */
static void post_webhooks_but(const char *tenant, bool reverse, bool restricted)
{
    char (*names)[PATH_LEN] = malloc(FILES_MAX * PATH_LEN);
    size_t n = webhook_files(names);
    ck_assert_uint_ge(n, 30);
    for (size_t k = 0; k < n; k++) {
        if (!restricted && strstr(names[reverse ? n - 1 - k : k], "security") != NULL)
            continue;
        char *body = harness_read_file(names[reverse ? n - 1 - k : k]);
        char *resp = NULL;
        long st = post_as(tenant, "/forge/events", body, &resp);
        ck_assert_msg(st == 200 || st == 202, "%s: %ld %s", names[k], st, resp);
        if (strstr(names[k], "-comment-") != NULL && strstr(names[k], "webhook-cloud") != NULL &&
            !reverse)
            ck_assert_msg(st == 202 && strstr(resp, "\"ignored\"") != NULL, "%s: %s", names[k], resp);
        free(resp);
        free(body);
    }
    free(names);
}

static void post_webhooks(const char *tenant, bool reverse)
{
    post_webhooks_but(tenant, reverse, true);
}

static void ingest_all(const char *tenant, bool reverse, bool restricted)
{
    if (reverse) {
        post_webhooks_but(tenant, true, restricted);
        post_page(tenant);
        post_changelogs(tenant);
        post_catalog(tenant);
    } else {
        post_catalog(tenant);
        post_page(tenant);
        post_changelogs(tenant);
        post_webhooks_but(tenant, false, restricted);
    }
}

static void ingest_everything(const char *tenant, bool reverse)
{
    ingest_all(tenant, reverse, true);
}

/* The tenant's data, every table, as text, without the columns that record
 * when (not what) something happened. */
static char *tables_of(const char *tenant)
{
    static const char *const QUERIES[] = {
        "SELECT string_agg(concat_ws('|', issue_id, key, project_id, project_key, summary, status_id,"
        " issue_type, priority, assignee, created_at, updated_at, resolution_at, story_points,"
        " changelog_total, changelog_present, changelog_complete), E'\\n' ORDER BY issue_id)"
        " FROM issues WHERE tenant_id = $1",
        "SELECT string_agg(concat_ws('|', issue_id, history_id, item_index, at, from_status,"
        " to_status), E'\\n' ORDER BY issue_id, history_id, item_index)"
        " FROM status_transitions WHERE tenant_id = $1",
        "SELECT string_agg(concat_ws('|', status_id, name, category), E'\\n' ORDER BY status_id)"
        " FROM statuses WHERE tenant_id = $1",
        "SELECT string_agg(concat_ws('|', sprint_id, name, state, start_at, end_at, complete_at,"
        " board_id), E'\\n' ORDER BY sprint_id) FROM sprints WHERE tenant_id = $1",
        "SELECT string_agg(concat_ws('|', issue_id, sprint_id), E'\\n' ORDER BY issue_id, sprint_id)"
        " FROM issue_sprints WHERE tenant_id = $1",
        "SELECT string_agg(concat_ws('|', project_id, key, name), E'\\n' ORDER BY project_id)"
        " FROM projects WHERE tenant_id = $1",
        "SELECT string_agg(concat_ws('|', issue_id), E'\\n' ORDER BY issue_id)"
        " FROM issue_tombstones WHERE tenant_id = $1",
        "SELECT string_agg(concat_ws('|', issue_id, start_at, count), E'\\n' ORDER BY issue_id, start_at)"
        " FROM changelog_pages WHERE tenant_id = $1",
        "SELECT string_agg(concat_ws('|', project_key, state, total, received, pages, incomplete),"
        " E'\\n' ORDER BY project_key) FROM backfills WHERE tenant_id = $1",
    };
    PGconn *c = harness_pg(&H, "postgres");
    size_t cap = 1 << 20, len = 0;
    char *out = calloc(1, cap);
    for (size_t q = 0; q < sizeof QUERIES / sizeof QUERIES[0]; q++) {
        const char *params[] = {tenant};
        PGresult *r = PQexecParams(c, QUERIES[q], 1, NULL, params, NULL, NULL, 0);
        ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
        const char *v = PQgetvalue(r, 0, 0);
        size_t n = strlen(v);
        while (len + n + 3 > cap) {
            cap *= 2;
            out = realloc(out, cap);
        }
        memcpy(out + len, v, n);
        len += n;
        memcpy(out + len, "\n#\n", 4);
        len += 3;
        PQclear(r);
    }
    PQfinish(c);
    return out;
}

/* Equal dumps, or a failure that shows the first line that differs. */
/* Serialises v and drops the reference. */
static char *dumps_and_free(json_t *v)
{
    char *text = json_dumps(v, 0);
    json_decref(v);
    return text;
}

static void assert_same_tables(const char *a, const char *b)
{
    size_t line = 1;
    const char *la = a, *lb = b;
    for (; *a != '\0' && *a == *b; a++, b++) {
        if (*a == '\n') {
            line++;
            la = a + 1;
            lb = b + 1;
        }
    }
    ck_assert_msg(*a == *b, "tables differ at line %zu:\n  %.200s\n  %.200s", line, la, lb);
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

START_TEST(every_capture_ingests)
{
    ingest_everything(TENANT, false);
    ck_assert_int_eq(count("SELECT count(*) FROM issues WHERE project_key IN ('EE', 'K5')"), 33);
    ck_assert_int_ge(count("SELECT count(*) FROM status_transitions"), 100);
    ck_assert_int_ge(count("SELECT count(*) FROM statuses"), 53);
    ck_assert_int_eq(count("SELECT count(*) FROM sprints"), 30);
    ck_assert_int_gt(count("SELECT count(*) FROM issue_sprints"), 0);
    /* TES-41 has one state with a security level, older than its newest
     * state: the newest, unrestricted state is what is stored. */
    ck_assert_int_eq(count("SELECT count(*) FROM issues WHERE key = 'TES-41'"
                           " AND updated_at = '2019-02-16T13:15:16.037-0800'"), 1);
    /* The renamed status is one status, its newest name from the catalogue. */
    ck_assert_int_eq(count("SELECT count(*) FROM statuses WHERE status_id = 3"), 1);
    ck_assert_int_eq(count("SELECT count(*) FROM statuses WHERE name = '已完成'"), 1);
    /* The three long histories are complete once their pages arrived. */
    ck_assert_int_eq(count("SELECT count(*) FROM issues WHERE issue_id IN (13383, 13491, 13954)"
                           " AND changelog_complete"), 3);
    ck_assert_int_eq(count("SELECT count(*) FROM backfills WHERE project_key = 'EE'"
                           " AND received > 0"), 1);
}
END_TEST

/* The capture whose issue has a security level, restamped as the newest
 * state of that issue. */
static char *restricted_event(const char *updated)
{
    char path[PATH_LEN];
    snprintf(path, sizeof path,
             "%s/realdata/jira-webhooks/webhook-issue-created-with-security-level.json", harness_shared_dir());
    json_t *root = json_load_file(path, JSON_ALLOW_NUL, NULL);
    json_t *fields = json_object_get(json_object_get(root, "issue"), "fields");
    ck_assert_ptr_nonnull(json_object_get(fields, "security"));
    json_object_set_new(fields, "updated", json_string(updated));
    char *body = json_dumps(root, 0);
    json_decref(root);
    return body;
}

START_TEST(an_issue_with_a_security_level_is_not_kept)
{
    post_webhooks(TENANT, false);
    ck_assert_int_eq(count("SELECT count(*) FROM issues WHERE key = 'TES-41'"), 1);
    ck_assert_int_gt(count("SELECT count(*) FROM status_transitions WHERE issue_id = 10040"), 0);
    char *body = restricted_event("2019-03-01T10:00:00.000+0000");
    expect_status(TENANT, "/forge/events", body, 200);
    free(body);
    ck_assert_int_eq(count("SELECT count(*) FROM issues WHERE issue_id = 10040"), 0);
    ck_assert_int_eq(count("SELECT count(*) FROM status_transitions WHERE issue_id = 10040"), 0);
    /* Older states arriving late do not bring it back... */
    post_webhooks(TENANT, true);
    ck_assert_int_eq(count("SELECT count(*) FROM issues WHERE issue_id = 10040"), 0);
    /* ...a newer state without the level does. */
    body = restricted_event("2019-03-02T10:00:00.000+0000");
    json_t *root = json_loads(body, JSON_ALLOW_NUL, NULL);
    json_object_del(json_object_get(json_object_get(root, "issue"), "fields"), "security");
    free(body);
    body = json_dumps(root, 0);
    json_decref(root);
    expect_status(TENANT, "/forge/events", body, 200);
    free(body);
    ck_assert_int_eq(count("SELECT count(*) FROM issues WHERE issue_id = 10040"), 1);
}
END_TEST

START_TEST(replays_and_reverse_order_give_the_same_tables)
{
    ingest_all(TENANT, false, false);
    char *once = tables_of(TENANT);
    ingest_all(TENANT, false, false);
    char *twice = tables_of(TENANT);
    assert_same_tables(once, twice);
    ingest_all(TENANT_2, true, false);
    ingest_all(TENANT_2, true, false);
    char *reverse = tables_of(TENANT_2);
    assert_same_tables(once, reverse);
    free(once);
    free(twice);
    free(reverse);
}
END_TEST

/* Strings of the captures that must never be stored: those under these
 * members, at any depth. A board's filter, location and subQuery (issue
 * #15 reads only its id, name and columns) and self links are among them. */
static const char *const FORBIDDEN_MEMBERS[] = {
    "description", "body",    "filename", "emailAddress", "avatarUrls", "environment",
    "worklog",     "attachment", "comment", "timetracking", "content",  "filter",
    "location",    "subQuery", "self",     NULL,
};

/* Members holding another issue (links, parent): its `fields` (summary,
 * status, assignee, priority...) are never stored, only its id (issue #15). */
static const char *const OTHER_ISSUE_MEMBERS[] = {"inwardIssue", "outwardIssue", "parent", NULL};

static bool listed(const char *const *names, const char *member)
{
    for (const char *const *m = names; member != NULL && *m != NULL; m++) {
        if (strcmp(member, *m) == 0)
            return true;
    }
    return false;
}

/* Collects forbidden strings (long enough to be telling) into list, and
 * every other string into allowed. member: the member v is the value of
 * (the array's, for its elements; NULL at the top). */
static void collect(json_t *v, const char *member, bool inside, json_t *list, json_t *allowed)
{
    const char *k;
    json_t *child;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach(v, k, child) {
            bool forbidden = inside || listed(FORBIDDEN_MEMBERS, k) ||
                             (strcmp(k, "fields") == 0 && listed(OTHER_ISSUE_MEMBERS, member));
            if (!forbidden && json_is_string(child))
                json_object_set_new(allowed, json_string_value(child), json_true());
            collect(child, k, forbidden, list, allowed);
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, child) collect(child, member, inside, list, allowed);
    } else if (inside && json_is_string(v) && strlen(json_string_value(v)) >= 12) {
        json_array_append(list, v);
    }
}

/* How database_text reads a column of each type as the text it holds.
 * Strings inside jsonb are read unescaped (jsonpath), keys with ::text. */
#define SCAN_SEP "E'\\x01'"
static const char *scan_expr(const char *data_type, const char *udt, const char *col, char *buf,
                             size_t len)
{
    if (strcmp(data_type, "text") == 0 || strcmp(data_type, "character varying") == 0 ||
        strcmp(data_type, "character") == 0)
        snprintf(buf, len, "%s", col);
    else if (strcmp(udt, "_text") == 0 || strcmp(udt, "_varchar") == 0)
        snprintf(buf, len, "array_to_string(%s, " SCAN_SEP ")", col);
    else if (strcmp(data_type, "jsonb") == 0 || strcmp(data_type, "json") == 0)
        snprintf(buf, len,
                 "%s::text || " SCAN_SEP " || coalesce((SELECT string_agg(x #>> '{}', " SCAN_SEP
                 ") FROM jsonb_path_query(%s::jsonb, 'lax $.** ? (@.type() == \"string\")') x),"
                 " '')",
                 col, col);
    else
        return NULL;
    return buf;
}

/* Types that cannot hold a string: not scanned. Any other type fails the
 * test, so a new column of a new type is never silently left out. */
static bool holds_no_text(const char *data_type, const char *udt)
{
    static const char *const NO_TEXT[] = {"bigint", "integer", "smallint", "boolean", "numeric",
                                          "double precision", "real", "date",
                                          "timestamp with time zone",
                                          "timestamp without time zone", NULL};
    static const char *const NO_TEXT_ARRAYS[] = {"_int8", "_int4", "_int2", NULL};
    return listed(NO_TEXT, data_type) || listed(NO_TEXT_ARRAYS, udt);
}

/* Every string the database holds, in every column of every public table
 * (text, varchar, text[], json, jsonb), separated by \x01. */
static char *database_text(void)
{
    PGconn *c = harness_pg(&H, "postgres");
    PGresult *cols = harness_sql(c, "SELECT table_name, column_name, data_type, udt_name"
                                    " FROM information_schema.columns c"
                                    " JOIN information_schema.tables t USING (table_schema, table_name)"
                                    " WHERE table_schema = 'public' AND t.table_type = 'BASE TABLE'");
    size_t cap = 1 << 20, len = 0;
    char *out = calloc(1, cap);
    for (int i = 0; i < PQntuples(cols); i++) {
        char expr[1024], sql[2048];
        const char *type = PQgetvalue(cols, i, 2), *udt = PQgetvalue(cols, i, 3);
        if (scan_expr(type, udt, PQgetvalue(cols, i, 1), expr, sizeof expr) == NULL) {
            ck_assert_msg(holds_no_text(type, udt), "%s.%s: type %s (%s) is not scanned",
                          PQgetvalue(cols, i, 0), PQgetvalue(cols, i, 1), type, udt);
            continue;
        }
        snprintf(sql, sizeof sql, "SELECT string_agg(%s, " SCAN_SEP ") FROM %s", expr,
                 PQgetvalue(cols, i, 0));
        PGresult *r = harness_sql(c, sql);
        size_t n = (size_t)PQgetlength(r, 0, 0);
        while (len + n + 2 > cap) {
            cap *= 2;
            out = realloc(out, cap);
        }
        memcpy(out + len, PQgetvalue(r, 0, 0), n);
        len += n;
        out[len++] = '\x01';
        out[len] = '\0';
        PQclear(r);
    }
    PQclear(cols);
    PQfinish(c);
    return out;
}

/* Issue #15's inputs with other issues' fields and a board's filter and
 * location, each string long and unique: a page of one issue with an "is
 * blocked by" link, a "relates to" link and a parent (their summary,
 * status and assignee), and a board configuration as Jira sends it (and a
 * filter name and query besides). */
static const char FLOW_PAGE[] =
    "{\"issues\":[{\"id\":\"77001\",\"key\":\"XF-1\",\"fields\":{"
    "\"project\":{\"id\":\"7700\",\"key\":\"XF\"},\"summary\":\"XF own summary kept\","
    "\"status\":{\"id\":\"3\",\"name\":\"In Progress\",\"statusCategory\":{\"key\":\"indeterminate\"}},"
    "\"created\":\"2024-01-01T00:00:00Z\",\"updated\":\"2024-01-05T00:00:00Z\","
    "\"labels\":[\"xf-label-kept\"],"
    "\"parent\":{\"id\":\"77000\",\"key\":\"XF-0\",\"fields\":{"
    "\"summary\":\"ZQX parent summary never stored\","
    "\"status\":{\"id\":\"97001\",\"name\":\"ZQX parent status never stored\"},"
    "\"assignee\":{\"accountId\":\"zqx-parent-assignee-id\",\"displayName\":\"ZQX parent assignee name\"},"
    "\"priority\":{\"name\":\"ZQX parent priority never stored\"},"
    "\"issuetype\":{\"name\":\"ZQX parent issue type never stored\"}}},"
    "\"issuelinks\":["
    "{\"id\":\"1\",\"self\":\"https://zqx.example/rest/api/2/issueLink/1\","
    "\"type\":{\"name\":\"Blocks\",\"inward\":\"is blocked by\",\"outward\":\"blocks\"},"
    "\"inwardIssue\":{\"id\":\"77002\",\"key\":\"XF-2\",\"fields\":{"
    "\"summary\":\"ZQX blocker summary never stored\","
    "\"status\":{\"id\":\"97002\",\"name\":\"ZQX blocker status never stored\","
    "\"statusCategory\":{\"key\":\"indeterminate\",\"name\":\"ZQX blocker category name\"}},"
    "\"assignee\":{\"displayName\":\"ZQX blocker assignee name\"},"
    "\"priority\":{\"name\":\"ZQX blocker priority never stored\"}}}},"
    "{\"id\":\"2\",\"type\":{\"name\":\"Relates\",\"inward\":\"relates to\",\"outward\":\"relates to\"},"
    "\"outwardIssue\":{\"id\":\"77003\",\"key\":\"XF-3\",\"fields\":{"
    "\"summary\":\"ZQX related summary never stored\","
    "\"status\":{\"id\":\"97003\",\"name\":\"ZQX related status never stored\"},"
    "\"assignee\":{\"displayName\":\"ZQX related assignee name\"}}}}]},"
    "\"changelog\":{\"total\":1,\"histories\":[{\"id\":\"770\",\"created\":\"2024-01-02T00:00:00Z\","
    "\"items\":[{\"field\":\"Link\",\"to\":\"XF-2\",\"toString\":\"This issue is blocked by XF-2\"}]}]}}]}";

static const char FLOW_BOARDS[] =
    "{\"boards\":[{\"id\":7701,\"name\":\"XF board name kept\",\"type\":\"kanban\","
    "\"self\":\"https://zqx.example/rest/agile/1.0/board/7701/configuration\","
    "\"location\":{\"type\":\"project\",\"key\":\"XF\",\"id\":\"7700\","
    "\"name\":\"ZQX location project name\",\"projectKeyOrId\":\"zqx-location-project\"},"
    "\"filter\":{\"id\":\"97010\",\"name\":\"ZQX board filter name never stored\","
    "\"jql\":\"project = XF AND labels = zqx-filter-jql-secret\","
    "\"self\":\"https://zqx.example/rest/api/2/filter/97010\"},"
    "\"subQuery\":{\"query\":\"resolution = EMPTY OR zqx-subquery-secret\"},"
    "\"columnConfig\":{\"columns\":[{\"name\":\"XF column kept\",\"statuses\":[{\"id\":\"3\","
    "\"self\":\"https://zqx.example/rest/api/2/status/3\"}]}],\"constraintType\":\"issueCount\"}}]}";

static void add_text_strings(const char *text, json_t *list, json_t *allowed)
{
    json_t *root = json_loads(text, 0, NULL);
    ck_assert_ptr_nonnull(root);
    collect(root, NULL, false, list, allowed);
    json_decref(root);
}

static void add_file_strings(const char *path, json_t *list, json_t *allowed)
{
    json_t *root = json_load_file(path, JSON_ALLOW_NUL, NULL);
    ck_assert_ptr_nonnull(root);
    collect(root, NULL, false, list, allowed);
    json_decref(root);
}

START_TEST(nothing_forbidden_is_stored)
{
    ingest_everything(TENANT, false);
    expect_status(TENANT, "/forge/backfill/XF", "{\"total\":1}", 200);
    expect_status(TENANT, "/forge/backfill/XF/page", FLOW_PAGE, 200);
    expect_status(TENANT, "/forge/boards/XF", FLOW_BOARDS, 200);
    /* The fixture went in: its kept parts are in the new tables. */
    ck_assert_int_eq(count("SELECT count(*) FROM block_links WHERE issue_id = 77001"), 1);
    ck_assert_int_eq(count("SELECT count(*) FROM issues WHERE issue_id = 77001 AND parent_id = 77000"
                           " AND 'xf-label-kept' = ANY (labels)"),
                     1);
    ck_assert_int_eq(count("SELECT count(*) FROM project_boards WHERE project_key = 'XF'"), 1);
    json_t *list = json_array(), *allowed = json_object();
    add_text_strings(FLOW_PAGE, list, allowed);
    add_text_strings(FLOW_BOARDS, list, allowed);
    /* The fixture's forbidden strings: 7 of the parent, 7 of the links
     * (and their self), 7 of the board; "indeterminate" is also kept. */
    ck_assert_uint_ge(json_array_size(list), 21);
    char (*names)[PATH_LEN] = malloc(FILES_MAX * PATH_LEN);
    size_t n = webhook_files(names);
    for (size_t i = 0; i < n; i++)
        add_file_strings(names[i], list, allowed);
    const char *dl[] = {"issues-with-changelog.json", "statuses.json", "sprints.json",
                        "projects.json", "changelog-issue-13383.json"};
    for (size_t i = 0; i < sizeof dl / sizeof dl[0]; i++) {
        char path[PATH_LEN];
        snprintf(path, sizeof path, "%s/realdata/devlake-merico/%s", harness_shared_dir(), dl[i]);
        add_file_strings(path, list, allowed);
    }
    free(names);
    ck_assert_uint_ge(json_array_size(list), 50);
    char *db = database_text();
    size_t checked = 0, i;
    json_t *s;
    json_array_foreach(list, i, s) {
        const char *text = json_string_value(s);
        if (json_object_get(allowed, text) != NULL)
            continue; /* the same text is also a summary or a name we keep */
        checked++;
        ck_assert_msg(strstr(db, text) == NULL, "stored a forbidden string: %.80s", text);
    }
    ck_assert_uint_ge(checked, 50);
    /* Nor any e-mail address, nor anything of the issue #15 fixture's
     * other issues and board but what is kept. */
    ck_assert_ptr_null(strstr(db, "@merico"));
    ck_assert_ptr_null(strstr(db, "ZQX"));
    ck_assert_ptr_null(strstr(db, "zqx"));
    ck_assert_ptr_nonnull(strstr(db, "xf-label-kept")); /* text[] is scanned */
    ck_assert_ptr_nonnull(strstr(db, "XF column kept")); /* jsonb is scanned */
    free(db);
    json_decref(list);
    json_decref(allowed);
}
END_TEST

START_TEST(truncated_history_is_completed_by_its_pages)
{
    /* One real issue, its embedded history cut to the newest two. */
    char *page = devlake("issues-with-changelog.json");
    json_t *root = json_loads(page, JSON_ALLOW_NUL, NULL), *issues = json_object_get(root, "issues");
    json_t *full_issue = NULL, *it;
    size_t i;
    json_array_foreach(issues, i, it) {
        json_t *h = json_object_get(json_object_get(it, "changelog"), "histories");
        if (json_array_size(h) >= 6 && full_issue == NULL)
            full_issue = it;
    }
    ck_assert_ptr_nonnull(full_issue);
    json_t *changelog = json_object_get(full_issue, "changelog");
    json_t *histories = json_deep_copy(json_object_get(changelog, "histories"));
    size_t total = json_array_size(histories);
    json_t *cut = json_deep_copy(full_issue);
    json_t *cut_histories = json_array();
    for (size_t k = total - 2; k < total; k++)
        json_array_append(cut_histories, json_array_get(histories, k));
    json_object_set_new(json_object_get(cut, "changelog"), "histories", cut_histories);
    json_object_set_new(json_object_get(cut, "changelog"), "total", json_integer((json_int_t)total));
    char *cut_page = dumps_and_free(json_pack("{s:[O]}", "issues", cut));
    char *full_page = dumps_and_free(json_pack("{s:[O]}", "issues", full_issue));
    const char *id = json_string_value(json_object_get(full_issue, "id"));

    expect_status(TENANT, "/forge/backfill/EE", "{\"total\":1}", 200);
    expect_status(TENANT, "/forge/backfill/EE/page", cut_page, 200);
    ck_assert_int_eq(count("SELECT count(*) FROM backfills WHERE state = 'running'"
                           " AND incomplete = 1"), 1);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM issues WHERE issue_id = %s AND NOT changelog_complete", id);
    ck_assert_int_eq(count(sql), 1);
    /* The full changelog in two pages, the later one first. */
    char path[128];
    snprintf(path, sizeof path, "/forge/issues/%s/changelog", id);
    for (int half = 1; half >= 0; half--) {
        size_t from = half == 0 ? 0 : total / 2, to = half == 0 ? total / 2 : total;
        json_t *values = json_array();
        for (size_t k = from; k < to; k++)
            json_array_append(values, json_array_get(histories, k));
        char *body = dumps_and_free(json_pack("{s:I,s:I,s:I,s:b,s:o}", "startAt", (json_int_t)from,
                                          "maxResults", (json_int_t)(to - from), "total",
                                              (json_int_t)total, "isLast", half == 1, "values",
                                              values));
        expect_status(TENANT, path, body, 200);
        free(body);
    }
    ck_assert_int_eq(count(sql), 0);
    /* The last changelog page was the backfill's last step. */
    ck_assert_int_eq(count("SELECT count(*) FROM backfills WHERE state = 'complete'"
                           " AND incomplete = 0 AND finished_at IS NOT NULL"), 1);
    /* Its transitions now equal those of the whole history ingested at once. */
    expect_status(TENANT_2, "/forge/backfill/EE/page", full_page, 200);
    char *a = tables_of(TENANT), *b = tables_of(TENANT_2);
    char *ta = strstr(a, "\n#\n") + 3, *tb = strstr(b, "\n#\n") + 3;
    *strstr(ta, "\n#\n") = '\0';
    *strstr(tb, "\n#\n") = '\0';
    ck_assert_str_eq(ta, tb);
    free(a);
    free(b);
    free(cut_page);
    free(full_page);
    json_decref(cut);
    json_decref(histories);
    json_decref(root);
    free(page);
}
END_TEST

struct bad_case {
    const char *path;
    const char *body;
    long status;
    const char *message;
};

START_TEST(malformed_bodies_change_nothing)
{
#define ISSUE(ID, KEY, SUMMARY, CREATED, EXTRA)                                               \
    "{\"id\":\"" ID "\",\"key\":\"" KEY "\",\"fields\":{\"summary\":\"" SUMMARY "\","          \
    "\"created\":\"" CREATED "\",\"updated\":\"2020-06-12T09:45:13.360+0800\","                   \
    "\"project\":{\"id\":\"10001\",\"key\":\"EE\"},\"issuetype\":{\"name\":\"Task\"},"         \
    "\"status\":{\"id\":\"3\",\"name\":\"In Progress\"}}" EXTRA "}"
#define OK_CREATED "2020-06-12T09:45:13.360+0800"
    static const struct bad_case cases[] = {
        /* The base issue itself is fine: shown by the last case. */
        {"/forge/backfill/EE/page", "{\"issues\":[" ISSUE("1", "EE-1", "s", OK_CREATED, ""), 400, ""},
        {"/forge/backfill/EE/page", "{\"issues\":{}}", 422, "issues"},
        {"/forge/backfill/EE/page", "{\"issues\":[" ISSUE("-5", "EE-1", "s", OK_CREATED, "") "]}", 0, "issues[0].id"},
        {"/forge/backfill/EE/page", "{\"issues\":[" ISSUE("99999999999999999999", "EE-1", "s", OK_CREATED, "") "]}", 0, "issues[0].id"},
        /* NUL in display text is dropped (real Jira summaries carry it);
         * anywhere else it is refused. */
        {"/forge/backfill/EE/page", "{\"issues\":[" ISSUE("1", "EE-\\u00001", "s", OK_CREATED, "") "]}", 0, "issues[0].key"},
        {"/forge/backfill/EE/page", "{\"issues\":[" ISSUE("1", "EE\xff", "s", OK_CREATED, "") "]}", 400, ""},
        {"/forge/backfill/EE/page", "{\"issues\":[" ISSUE("1", "EE-1", "s", "2020-06-12T09:45:13.360+2500", "") "]}", 0, "issues[0].fields.created"},
        {"/forge/backfill/EE/page", "{\"issues\":[" ISSUE("1", "EE-1", "s", "2020-06-12T09:45:13.360+08:60", "") "]}", 0, "issues[0].fields.created"},
        {"/forge/backfill/EE/page", "{\"issues\":[" ISSUE("1", "EE-1", "s", "2020-02-30T09:45:13Z", "") "]}", 0, "issues[0].fields.created"},
        {"/forge/backfill/EE/page", "{\"issues\":[" ISSUE("1", "EE-1", "s", OK_CREATED,
         ",\"changelog\":{\"total\":1,\"histories\":[{\"id\":\"7\",\"created\":\"not a time\",\"items\":[]}]}") "]}",
         0, "issues[0].changelog.histories[0].created"},
        {"/forge/backfill/EE/page", "{\"issues\":[" ISSUE("1", "EE-1", "s", OK_CREATED,
         ",\"changelog\":{\"total\":1,\"histories\":[{\"created\":\"" OK_CREATED "\",\"items\":[]}]}") "]}",
         0, "issues[0].changelog.histories[0]"},
        {"/forge/backfill/EE/page", "{\"issues\":[" ISSUE("1", "EE-1", "s", OK_CREATED, "") "," ISSUE("2", "EE-2", "s", OK_CREATED, ",") "]}", 400, ""},
        {"/forge/backfill/EE/page", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", 0, ""},
        {"/forge/events", "{\"webhookEvent\":\"jira:issue_updated\",\"issue\":{\"key\":\"EE-1\"}}", 0, "id"},
        {"/forge/events", "{\"webhookEvent\":12}", 0, ""},
        {"/forge/issues/EE-1/changelog", "{\"values\":[{\"id\":\"1\",\"created\":\"yesterday\",\"items\":[]}]}", 0, "values[0].created"},
        {"/forge/backfill/ee-lower/page", "{\"issues\":[]}", 400, "projectKey"},
        {"/forge/backfill/EE", "{\"total\":-1}", 422, "total"},
        {"/forge/backfill/EE", "{\"total\":5,\"fields\":{\"storyPoints\":\"description\"}}", 422, "storyPoints"},
        {"/forge/catalog", "{\"statuses\":[{\"id\":\"x\"}]}", 0, "statuses[0].id"},
        {"/forge/catalog", "{\"statuses\":[{\"id\":\"3\",\"name\":\"x\"}],\"sprints\":[{\"id\":true}]}", 0, "sprints"},
    };
    char *before = tables_of(TENANT);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *resp = NULL;
        long st = post(cases[i].path, cases[i].body, &resp);
        if (cases[i].status != 0)
            ck_assert_msg(st == cases[i].status, "case %zu: %ld %s", i, st, resp);
        else
            ck_assert_msg(st >= 400 && st < 500, "case %zu: %ld %s", i, st, resp);
        ck_assert_msg(strstr(resp, "\"error\":{\"code\":") != NULL, "case %zu: %s", i, resp);
        ck_assert_msg(strstr(resp, cases[i].message) != NULL, "case %zu lacks '%s': %s", i,
                      cases[i].message, resp);
        free(resp);
    }
    char *after = tables_of(TENANT);
    assert_same_tables(before, after);
    /* The base issue is valid: the failures above are the defects alone. */
    expect_status(TENANT, "/forge/backfill/EE/page",
                  "{\"issues\":[" ISSUE("1", "EE-1", "s", OK_CREATED, "") "]}", 200);
    char *changed = tables_of(TENANT);
    ck_assert_str_ne(before, changed);
    free(before);
    free(after);
    free(changed);
}
END_TEST

/* Issue 21: instants before 1970 or more than 2 days after the server's
 * clock (sprint plans: 5 years) are refused with 422 naming the path, and
 * nothing of the body is written. */
START_TEST(implausible_dates_are_refused_by_path)
{
#define FAR "2999-01-01T00:00:00.000Z"
#define PRE "1969-12-31T23:59:59.999Z"
    static const struct bad_case cases[] = {
        {"/forge/backfill/EE/page", "{\"issues\":[" ISSUE("1", "EE-1", "s", PRE, "") "]}", 422,
         "issues[0].fields.created: before 1970-01-01T00:00:00Z"},
        {"/forge/backfill/EE/page", "{\"issues\":[" ISSUE("1", "EE-1", "s", FAR, "") "]}", 422,
         "issues[0].fields.created: more than 2 days after the server's clock"},
        {"/forge/backfill/EE/page", "{\"issues\":[" ISSUE("1", "EE-1", "s", OK_CREATED, "") ","
         ISSUE("2", "EE-2", "s", OK_CREATED,
         ",\"changelog\":{\"total\":1,\"histories\":[{\"id\":\"7\",\"created\":\"" FAR "\",\"items\":[]}]}") "]}",
         422, "issues[1].changelog.histories[0].created: more than 2 days"},
        {"/forge/events", "{\"webhookEvent\":\"jira:issue_updated\",\"timestamp\":1591926313360,\"issue\":"
         ISSUE("1", "EE-1", "s", OK_CREATED, "") "}", 0, ""},
        {"/forge/events", "{\"webhookEvent\":\"jira:issue_updated\",\"timestamp\":1591926313360,\"issue\":"
         ISSUE("1", "EE-1", "s", PRE, "") "}", 422, "issue.fields.created: before 1970"},
        {"/forge/issues/EE-1/changelog", "{\"values\":[{\"id\":\"1\",\"created\":\"" FAR "\",\"items\":[]}]}",
         422, "values[0].created: more than 2 days"},
        {"/forge/catalog", "{\"sprints\":[{\"id\":5,\"name\":\"S\",\"state\":\"future\","
         "\"startDate\":\"" FAR "\"}]}", 422, "sprints[0].startDate: more than 5 years"},
    };
    char *before = tables_of(TENANT);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *resp = NULL;
        long st = post(cases[i].path, cases[i].body, &resp);
        if (cases[i].status == 0) { /* the valid event the bad one mutates */
            ck_assert_msg(st == 200 || st == 202, "case %zu: %ld %s", i, st, resp);
            free(resp);
            free(before);
            before = tables_of(TENANT);
            continue;
        }
        ck_assert_msg(st == cases[i].status, "case %zu: %ld %s", i, st, resp);
        ck_assert_msg(strstr(resp, cases[i].message) != NULL, "case %zu lacks '%s': %s", i,
                      cases[i].message, resp);
        free(resp);
    }
    char *after = tables_of(TENANT);
    assert_same_tables(before, after);
    free(before);
    free(after);
#undef FAR
#undef PRE
}
END_TEST

START_TEST(unknown_installation_is_refused_with_2xx)
{
    char *resp = NULL;
    long st = post_as("ari:cloud:ecosystem::installation/cccccccc-0000-4000-8000-00000000000c",
                      "/forge/backfill/EE/page", "{\"issues\":[]}", &resp);
    ck_assert_int_eq(st, 202);
    ck_assert_ptr_nonnull(strstr(resp, "\"rejected\""));
    free(resp);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("ingest_http");
    TCase *tc = tcase_create("ingest_http");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, every_capture_ingests);
    tcase_add_test(tc, replays_and_reverse_order_give_the_same_tables);
    tcase_add_test(tc, an_issue_with_a_security_level_is_not_kept);
    tcase_add_test(tc, nothing_forbidden_is_stored);
    tcase_add_test(tc, truncated_history_is_completed_by_its_pages);
    tcase_add_test(tc, malformed_bodies_change_nothing);
    tcase_add_test(tc, unknown_installation_is_refused_with_2xx);
    tcase_add_test(tc, implausible_dates_are_refused_by_path);
    suite_add_tcase(s, tc);
    return s;
}
