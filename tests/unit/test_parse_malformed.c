/* test_parse_malformed.c - the Jira parsers refuse bad input whole, by path,
 * and never crash: a corpus of single mutations of a valid page (each with
 * its expected error and path), raw-body attacks (truncation, nesting,
 * encodings, sizes), and deterministic mutation loops over real payloads.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "testsupport.h"

#define ARENA_LIMIT ((size_t)64 * 1024 * 1024)
#define PATH_LEN 1024
#define SEGMENTS_MAX 16

static const char valid_page[] =
    "{\"startAt\":0,\"maxResults\":50,\"total\":1,\"issues\":[{\"id\":\"10\",\"key\":\"A-1\","
    "\"fields\":{\"summary\":\"s\",\"status\":{\"id\":\"1\",\"name\":\"Open\","
    "\"statusCategory\":{\"key\":\"new\"}},\"issuetype\":{\"name\":\"Bug\"},"
    "\"assignee\":{\"displayName\":\"Ann\"},\"created\":\"2020-06-12T09:45:13.360+0800\","
    "\"customfield_10016\":3,\"customfield_10020\":[{\"id\":5}]},"
    "\"changelog\":{\"total\":1,\"histories\":[{\"id\":\"100\","
    "\"created\":\"2020-06-12T09:45:13.360+0800\",\"items\":[{\"fieldId\":\"status\","
    "\"field\":\"status\",\"from\":\"1\",\"to\":\"3\",\"fromString\":\"Open\","
    "\"toString\":\"In Progress\"}]}]}}]}";

typedef enum parser { P_PAGE, P_EVENT, P_CHANGELOG, P_STATUSES, P_SPRINTS, P_PROJECTS } parser;

/* Runs one parser on a loaded root; checks that a failure returns nothing. */
static biq_err run_parser(parser p, const json_t *root, biq_arena *arena, biq_parse_error *perr)
{
    biq_field_ids ids = biq_field_ids_default();
    biq_issue_page ip;
    biq_event ev;
    biq_changelog_page cp;
    const biq_status *st = NULL;
    const biq_sprint *sp = NULL;
    const biq_project *pr = NULL;
    size_t n = 1;
    biq_err err = BIQ_ERR_INTERNAL;
    switch (p) {
    case P_PAGE:
        err = biq_parse_issue_page(root, &ids, arena, &ip, perr);
        if (err != BIQ_OK)
            ck_assert(ip.n_issues == 0 && ip.issues == NULL && ip.n_statuses == 0);
        break;
    case P_EVENT:
        err = biq_parse_event(root, &ids, arena, &ev, perr);
        if (err != BIQ_OK)
            ck_assert(ev.issue.id == 0 && ev.issue.transitions == NULL && ev.type == NULL);
        break;
    case P_CHANGELOG:
        err = biq_parse_changelog_page(root, arena, &cp, perr);
        if (err != BIQ_OK)
            ck_assert(cp.n_transitions == 0 && cp.transitions == NULL);
        break;
    case P_STATUSES:
        err = biq_parse_statuses(root, arena, &st, &n, perr);
        break;
    case P_SPRINTS:
        err = biq_parse_sprints(root, arena, &sp, &n, perr);
        break;
    case P_PROJECTS:
        err = biq_parse_projects(root, arena, &pr, &n, perr);
        break;
    }
    if (err != BIQ_OK && p >= P_STATUSES)
        ck_assert(n == 0 && st == NULL && sp == NULL && pr == NULL);
    return err;
}

/* Loads and parses a body of len bytes. */
static biq_err run_body(parser p, const char *body, size_t len, biq_parse_error *perr)
{
    json_t *root = NULL;
    biq_err err = biq_ingest_load(body, len, &root, perr);
    if (err != BIQ_OK) {
        ck_assert_ptr_null(root);
        return err;
    }
    biq_arena *arena = biq_arena_new(ARENA_LIMIT);
    ck_assert_ptr_nonnull(arena);
    err = run_parser(p, root, arena, perr);
    biq_arena_free(arena);
    json_decref(root);
    return err;
}

static void expect(parser p, const char *body, size_t len, biq_err want, const char *path)
{
    biq_parse_error perr;
    biq_err err = run_body(p, body, len, &perr);
    ck_assert_msg(err == want, "%.120s: got %s (%s), want %s", body, biq_strerror(err),
                  err ? perr.message : "", biq_strerror(want));
    if (want == BIQ_OK)
        return;
    ck_assert_msg(strcmp(perr.path, path) == 0, "%.120s: path \"%s\", want \"%s\" (%s)", body,
                  perr.path, path, perr.message);
    ck_assert(strncmp(perr.message, perr.path, strlen(perr.path)) == 0);
}

static void expect_str(parser p, const char *body, biq_err want, const char *path)
{
    expect(p, body, strlen(body), want, path);
}

/* ---- single mutations of a valid page -------------------------------------- */

typedef struct mutation {
    const char *at;    /* slash-separated member path; digits index arrays */
    const char *value; /* JSON text, or NULL to delete the member */
    biq_err want;
    const char *path;
} mutation;

static const mutation mutations[] = {
    {"issues/0/id", "\"abc\"", BIQ_ERR_INVALID, "issues[0].id"},
    {"issues/0/id", "\"\"", BIQ_ERR_INVALID, "issues[0].id"},
    {"issues/0/id", "\"-5\"", BIQ_ERR_INVALID, "issues[0].id"},
    {"issues/0/id", "\"+5\"", BIQ_ERR_INVALID, "issues[0].id"},
    {"issues/0/id", "\" 5\"", BIQ_ERR_INVALID, "issues[0].id"},
    {"issues/0/id", "\"0\"", BIQ_ERR_INVALID, "issues[0].id"},
    {"issues/0/id", "\"9223372036854775808\"", BIQ_ERR_INVALID, "issues[0].id"},
    {"issues/0/id", "\"99999999999999999999999\"", BIQ_ERR_INVALID, "issues[0].id"},
    {"issues/0/id", "\"1\\u00002\"", BIQ_ERR_INVALID, "issues[0].id"},
    {"issues/0/id", "-5", BIQ_ERR_INVALID, "issues[0].id"},
    {"issues/0/id", "0", BIQ_ERR_INVALID, "issues[0].id"},
    {"issues/0/id", "1.5", BIQ_ERR_SHAPE, "issues[0].id"},
    {"issues/0/id", "true", BIQ_ERR_SHAPE, "issues[0].id"},
    {"issues/0/id", "[]", BIQ_ERR_SHAPE, "issues[0].id"},
    {"issues/0/id", "null", BIQ_ERR_SHAPE, "issues[0].id"},
    {"issues/0/id", NULL, BIQ_ERR_SHAPE, "issues[0].id"},
    {"issues/0/key", "5", BIQ_ERR_SHAPE, "issues[0].key"},
    {"issues/0/key", "\"A\\u0000-1\"", BIQ_ERR_INVALID, "issues[0].key"},
    {"issues/0/key", NULL, BIQ_ERR_SHAPE, "issues[0].key"},
    {"issues/0/fields", "[]", BIQ_ERR_SHAPE, "issues[0].fields"},
    {"issues/0/fields", NULL, BIQ_ERR_SHAPE, "issues[0].fields"},
    {"issues/0/fields/summary", "{}", BIQ_ERR_SHAPE, "issues[0].fields.summary"},
    {"issues/0/fields/status", NULL, BIQ_ERR_SHAPE, "issues[0].fields.status"},
    {"issues/0/fields/status", "\"Open\"", BIQ_ERR_SHAPE, "issues[0].fields.status"},
    {"issues/0/fields/status/id", "\"x\"", BIQ_ERR_INVALID, "issues[0].fields.status.id"},
    {"issues/0/fields/status/statusCategory", "5", BIQ_ERR_SHAPE,
     "issues[0].fields.status.statusCategory"},
    {"issues/0/fields/assignee", "\"bob\"", BIQ_ERR_SHAPE, "issues[0].fields.assignee"},
    {"issues/0/fields/assignee/displayName", "5", BIQ_ERR_SHAPE,
     "issues[0].fields.assignee.displayName"},
    {"issues/0/fields/created", "\"2020-06-12T09:45:13.360+2500\"", BIQ_ERR_INVALID,
     "issues[0].fields.created"},
    {"issues/0/fields/created", "\"2020-06-12T09:45:13.360+08:60\"", BIQ_ERR_INVALID,
     "issues[0].fields.created"},
    {"issues/0/fields/created", "\"2020-06-12T09:45:13.360\"", BIQ_ERR_INVALID,
     "issues[0].fields.created"},
    {"issues/0/fields/created", "\"2020-06-12T09:45:13.360+0800junk\"", BIQ_ERR_INVALID,
     "issues[0].fields.created"},
    {"issues/0/fields/created", "\"2020-02-30T09:45:13.360+0800\"", BIQ_ERR_INVALID,
     "issues[0].fields.created"},
    {"issues/0/fields/created", "1591926313360", BIQ_ERR_SHAPE, "issues[0].fields.created"},
    {"issues/0/fields/created", NULL, BIQ_ERR_SHAPE, "issues[0].fields.created"},
    {"issues/0/fields/updated", "\"yesterday\"", BIQ_ERR_INVALID, "issues[0].fields.updated"},
    {"issues/0/fields/resolutiondate", "\"2020-06-12T09:45:13.360+1900\"", BIQ_ERR_INVALID,
     "issues[0].fields.resolutiondate"},
    {"issues/0/fields/customfield_10016", "1e300", BIQ_ERR_INVALID,
     "issues[0].fields.customfield_10016"},
    {"issues/0/fields/customfield_10016", "-2", BIQ_ERR_INVALID,
     "issues[0].fields.customfield_10016"},
    {"issues/0/fields/customfield_10016", "\"3\"", BIQ_ERR_SHAPE,
     "issues[0].fields.customfield_10016"},
    {"issues/0/fields/customfield_10020", "\"junk\"", BIQ_ERR_SHAPE,
     "issues[0].fields.customfield_10020"},
    {"issues/0/fields/customfield_10020", "[{\"name\":\"x\"}]", BIQ_ERR_SHAPE,
     "issues[0].fields.customfield_10020[0].id"},
    {"issues/0/fields/customfield_10020", "[{\"id\":5},7]", BIQ_ERR_SHAPE,
     "issues[0].fields.customfield_10020[1]"},
    {"issues/0/fields/customfield_10020",
     "[\"com.atlassian.greenhopper.service.sprint.Sprint@1[rapidViewId=2]\"]", BIQ_ERR_INVALID,
     "issues[0].fields.customfield_10020[0]"},
    {"issues/0/fields/customfield_10020",
     "[\"com.atlassian.greenhopper.service.sprint.Sprint@1[id=99999999999999999999,x=1]\"]",
     BIQ_ERR_INVALID, "issues[0].fields.customfield_10020[0]"},
    {"issues/0/changelog", "[]", BIQ_ERR_SHAPE, "issues[0].changelog"},
    {"issues/0/changelog/total", "-1", BIQ_ERR_INVALID, "issues[0].changelog.total"},
    {"issues/0/changelog/total", "\"5\"", BIQ_ERR_SHAPE, "issues[0].changelog.total"},
    {"issues/0/changelog/histories", "{}", BIQ_ERR_SHAPE, "issues[0].changelog.histories"},
    {"issues/0/changelog/histories/0", "\"h\"", BIQ_ERR_SHAPE,
     "issues[0].changelog.histories[0]"},
    {"issues/0/changelog/histories/0/id", NULL, BIQ_ERR_SHAPE,
     "issues[0].changelog.histories[0].id"},
    {"issues/0/changelog/histories/0/created", "\"2021-02-29T00:00:00Z\"", BIQ_ERR_INVALID,
     "issues[0].changelog.histories[0].created"},
    {"issues/0/changelog/histories/0/created", NULL, BIQ_ERR_SHAPE,
     "issues[0].changelog.histories[0].created"},
    {"issues/0/changelog/histories/0/items", "{}", BIQ_ERR_SHAPE,
     "issues[0].changelog.histories[0].items"},
    {"issues/0/changelog/histories/0/items/0", "1", BIQ_ERR_SHAPE,
     "issues[0].changelog.histories[0].items[0]"},
    {"issues/0/changelog/histories/0/items/0/to", "\"-3\"", BIQ_ERR_INVALID,
     "issues[0].changelog.histories[0].items[0].to"},
    {"issues/0/changelog/histories/0/items/0/from", "\"Open\"", BIQ_ERR_INVALID,
     "issues[0].changelog.histories[0].items[0].from"},
    {"issues/0/changelog/histories/0/items/0/toString", "[]", BIQ_ERR_SHAPE,
     "issues[0].changelog.histories[0].items[0].toString"},
    {"issues/0/changelog/histories/0/items/0/fieldId", "7", BIQ_ERR_SHAPE,
     "issues[0].changelog.histories[0].items[0].fieldId"},
    {"issues", "{}", BIQ_ERR_SHAPE, "issues"},
    {"issues", NULL, BIQ_ERR_SHAPE, "issues"},
    {"issues/0", "5", BIQ_ERR_SHAPE, "issues[0]"},
    {"startAt", "-1", BIQ_ERR_INVALID, "startAt"},
    {"total", "1.5", BIQ_ERR_SHAPE, "total"},
    {"nextPageToken", "5", BIQ_ERR_SHAPE, "nextPageToken"},
    {"isLast", "\"yes\"", BIQ_ERR_SHAPE, "isLast"},
    {"statuses", "{}", BIQ_ERR_SHAPE, "statuses"},
    {"statuses", "[{\"id\":\"x\"}]", BIQ_ERR_INVALID, "statuses[0].id"},
    {"statuses", "[{\"statuses\":[{\"id\":\"1\"},{\"name\":\"n\"}]}]", BIQ_ERR_SHAPE,
     "statuses[0].statuses[1].id"},
    {"sprints", "[{\"id\":1,\"startDate\":\"2020-06-12T25:00:00Z\"}]", BIQ_ERR_INVALID,
     "sprints[0].startDate"},
    {"sprints", "[{\"id\":1,\"originBoardId\":-4}]", BIQ_ERR_INVALID, "sprints[0].originBoardId"},
    /* accepted mutations: absent optional members and the NUL rule for text */
    {"issues/0/fields/summary", "\"a\\u0000b\"", BIQ_OK, NULL},
    {"issues/0/fields/assignee", "null", BIQ_OK, NULL},
    {"issues/0/fields/customfield_10016", "null", BIQ_OK, NULL},
    {"issues/0/changelog/histories/0/items/0/fieldId", NULL, BIQ_OK, NULL},
    {"issues/0/changelog/histories/0/items/0/from", "null", BIQ_OK, NULL},
    {"issues/0/id", "10", BIQ_OK, NULL},
    {"issues/0/id", "\"9223372036854775807\"", BIQ_OK, NULL},
};

/* Returns the parent container of the last segment of at, and that segment. */
static json_t *walk(json_t *root, const char *at, char *last, size_t last_size)
{
    char buf[256];
    char *segs[SEGMENTS_MAX];
    size_t n = 0;
    snprintf(buf, sizeof buf, "%s", at);
    for (char *p = buf, *slash; n < SEGMENTS_MAX; p = slash + 1) {
        segs[n++] = p;
        if (!(slash = strchr(p, '/')))
            break;
        *slash = '\0';
    }
    json_t *cur = root;
    for (size_t i = 0; i + 1 < n; i++)
        cur = json_is_array(cur) ? json_array_get(cur, strtoul(segs[i], NULL, 10))
                                 : json_object_get(cur, segs[i]);
    ck_assert_ptr_nonnull(cur);
    snprintf(last, last_size, "%s", segs[n - 1]);
    return cur;
}

static char *mutate(const mutation *m)
{
    char last[64];
    json_t *root = json_loads(valid_page, 0, NULL);
    ck_assert_ptr_nonnull(root);
    json_t *parent = walk(root, m->at, last, sizeof last);
    json_t *value = m->value ? json_loads(m->value, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL) : NULL;
    ck_assert(m->value == NULL || value != NULL);
    if (json_is_array(parent))
        json_array_set_new(parent, strtoul(last, NULL, 10), value);
    else if (value)
        json_object_set_new(parent, last, value);
    else
        json_object_del(parent, last);
    char *text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    ck_assert_ptr_nonnull(text);
    return text;
}

START_TEST(valid_page_parses)
{
    json_t *root;
    biq_issue_page p;
    biq_field_ids ids = biq_field_ids_default();
    biq_arena *arena = biq_arena_new(ARENA_LIMIT);
    ck_assert_int_eq(biq_ingest_load(valid_page, strlen(valid_page), &root, NULL), BIQ_OK);
    ck_assert_int_eq(biq_parse_issue_page(root, &ids, arena, &p, NULL), BIQ_OK);
    ck_assert_uint_eq(p.n_issues, 1);
    ck_assert_int_eq(p.issues[0].sprint_ids[0], 5);
    ck_assert(p.issues[0].story_points == 3.0);
    ck_assert_uint_eq(p.issues[0].n_transitions, 1);
    ck_assert_int_eq(p.issues[0].transitions[0].at, 1591926313360LL);
    json_decref(root);
    biq_arena_free(arena);
}
END_TEST

START_TEST(single_mutations)
{
    for (size_t i = 0; i < sizeof mutations / sizeof mutations[0]; i++) {
        char *body = mutate(&mutations[i]);
        expect_str(P_PAGE, body, mutations[i].want, mutations[i].path);
        free(body);
    }
}
END_TEST

/* ---- raw bodies ------------------------------------------------------------ */

static char *repeat_body(const char *open, const char *close, size_t n)
{
    size_t lo = strlen(open), lc = strlen(close);
    char *s = malloc(n * (lo + lc) + 1);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * lo, open, lo);
    for (size_t i = 0; i < n; i++)
        memcpy(s + n * lo + i * lc, close, lc);
    s[n * (lo + lc)] = '\0';
    return s;
}

START_TEST(raw_bodies)
{
    size_t len = strlen(valid_page);
    expect(P_PAGE, valid_page, len - 1, BIQ_ERR_INVALID, "body");  /* truncated */
    expect(P_PAGE, valid_page, len / 2, BIQ_ERR_INVALID, "body");
    expect(P_PAGE, valid_page, 0, BIQ_ERR_INVALID, "body");
    expect(P_PAGE, NULL, 0, BIQ_ERR_INVALID, "body");
    expect_str(P_PAGE, "{\"issues\":[]} x", BIQ_ERR_INVALID, "body");  /* trailing junk */
    expect_str(P_PAGE, "{\"issues\":[],\"issues\":[]}", BIQ_ERR_INVALID, "body");
    expect_str(P_PAGE, "{\"issues\":[],\"total\":9223372036854775808}", BIQ_ERR_INVALID, "body");
    expect_str(P_PAGE, "{\"issues\":[],\"total\":-9223372036854775809}", BIQ_ERR_INVALID, "body");
    expect_str(P_PAGE, "{\"issues\":[],\"x\":\"\xff\xfe\"}", BIQ_ERR_INVALID, "body");
    expect_str(P_PAGE, "{\"issues\":[],\"x\":\"\xc0\xaf\"}", BIQ_ERR_INVALID, "body"); /* overlong */
    expect_str(P_PAGE, "{\"issues\":[],\"x\":\"\xed\xa0\x80\"}", BIQ_ERR_INVALID, "body"); /* surrogate */
    expect_str(P_PAGE, "{\"issues\":[],\"x\":\"\\ud800\"}", BIQ_ERR_INVALID, "body");
    expect_str(P_PAGE, "{\"issues\":[],\"x\":\"a\tb\"}", BIQ_ERR_INVALID, "body"); /* raw control */
    static const char raw_nul[] = "{\"issues\":[],\"x\":\"a\0b\"}";
    expect(P_PAGE, raw_nul, sizeof raw_nul - 1, BIQ_ERR_INVALID, "body"); /* raw NUL byte */
    expect_str(P_PAGE, "{'issues':[]}", BIQ_ERR_INVALID, "body");
    expect_str(P_PAGE, "5", BIQ_ERR_INVALID, "body"); /* scalar roots are not bodies */
    expect_str(P_PAGE, "\"issues\"", BIQ_ERR_INVALID, "body");
    expect_str(P_PAGE, "{\"issues\":[]}", BIQ_OK, NULL);
    expect_str(P_PAGE, "[]", BIQ_OK, NULL);
    expect_str(P_PAGE, "{\"isLast\":true,\"nextPageToken\":\"t\",\"issues\":[]}", BIQ_OK, NULL);
}
END_TEST

START_TEST(deep_nesting)
{
    char *deep = repeat_body("[", "]", 3000);
    expect_str(P_PAGE, deep, BIQ_ERR_TOO_LARGE, "body");
    free(deep);
    deep = repeat_body("{\"a\":", "}", BIQ_INGEST_DEPTH_MAX + 1);
    expect_str(P_PAGE, deep, BIQ_ERR_TOO_LARGE, "body");
    free(deep);
    /* at the limit it loads (and is then the wrong shape) */
    deep = repeat_body("[", "]", BIQ_INGEST_DEPTH_MAX);
    expect_str(P_PAGE, deep, BIQ_ERR_SHAPE, "[0]");
    free(deep);
    /* brackets inside strings do not count */
    char body[600] = "{\"issues\":[],\"x\":\"";
    size_t at = strlen(body);
    memset(body + at, '[', 500);
    snprintf(body + at + 500, sizeof body - at - 500, "\"}");
    expect_str(P_PAGE, body, BIQ_OK, NULL);
}
END_TEST

START_TEST(size_limits)
{
    char *big = malloc(BIQ_INGEST_BODY_MAX + 1);
    ck_assert_ptr_nonnull(big);
    memset(big, ' ', BIQ_INGEST_BODY_MAX + 1);
    big[0] = '[';
    big[BIQ_INGEST_BODY_MAX] = ']';
    expect(P_PAGE, big, BIQ_INGEST_BODY_MAX + 1, BIQ_ERR_TOO_LARGE, "body");
    free(big);

    json_t *issues = json_array();
    json_t *page = json_loads(valid_page, 0, NULL);
    for (size_t i = 0; i <= BIQ_INGEST_ISSUES_MAX; i++)
        json_array_append(issues, json_array_get(json_object_get(page, "issues"), 0));
    char *text = json_dumps(issues, JSON_COMPACT);
    expect_str(P_PAGE, text, BIQ_ERR_TOO_LARGE, "body");
    free(text);
    json_object_set(page, "issues", issues);
    text = json_dumps(page, JSON_COMPACT);
    expect_str(P_PAGE, text, BIQ_ERR_TOO_LARGE, "issues");
    free(text);
    json_decref(issues);
    json_object_set_new(page, "issues", json_pack("[O]", json_array_get(issues, 0)));

    char *summary = calloc(BIQ_INGEST_SUMMARY_MAX + 2, 1);
    memset(summary, 'a', BIQ_INGEST_SUMMARY_MAX + 1);
    json_t *fields = json_object_get(json_array_get(json_object_get(page, "issues"), 0), "fields");
    json_object_set_new(fields, "summary", json_string(summary));
    text = json_dumps(page, JSON_COMPACT);
    expect_str(P_PAGE, text, BIQ_ERR_TOO_LARGE, "issues[0].fields.summary");
    free(text);
    free(summary);

    json_t *sprints = json_array();
    for (int i = 0; i <= BIQ_INGEST_SPRINT_IDS_MAX; i++)
        json_array_append_new(sprints, json_pack("{s:i}", "id", i + 1));
    json_object_set_new(fields, "summary", json_string("s"));
    json_object_set_new(fields, "customfield_10020", sprints);
    text = json_dumps(page, JSON_COMPACT);
    expect_str(P_PAGE, text, BIQ_ERR_TOO_LARGE, "issues[0].fields.customfield_10020");
    free(text);
    json_decref(page);
}
END_TEST

/* A small arena runs out: the parse fails cleanly, nothing returned. */
START_TEST(arena_exhaustion)
{
    json_t *root;
    ck_assert_int_eq(biq_ingest_load(valid_page, strlen(valid_page), &root, NULL), BIQ_OK);
    for (size_t limit = 0; limit < 2048; limit += 16) {
        biq_arena *arena = biq_arena_new(limit);
        biq_parse_error perr;
        biq_err err = run_parser(P_PAGE, root, arena, &perr);
        ck_assert(err == BIQ_OK || err == BIQ_ERR_NOMEM);
        if (err == BIQ_ERR_NOMEM)
            ck_assert(perr.path[0] != '\0');
        biq_arena_free(arena);
    }
    json_decref(root);
}
END_TEST

START_TEST(event_corpus)
{
    expect_str(P_EVENT, "[]", BIQ_ERR_SHAPE, "body");
    expect_str(P_EVENT, "{\"foo\":1}", BIQ_ERR_SHAPE, "eventType");
    expect_str(P_EVENT, "{\"eventType\":5}", BIQ_ERR_SHAPE, "eventType");
    expect_str(P_EVENT, "{\"eventType\":\"avi:jira:\\u0000created:issue\"}", BIQ_ERR_INVALID,
               "eventType");
    expect_str(P_EVENT, "{\"webhookEvent\":\"jira:issue_updated\"}", BIQ_ERR_SHAPE, "issue");
    expect_str(P_EVENT, "{\"webhookEvent\":\"jira:issue_updated\",\"timestamp\":-5,\"issue\":{}}",
               BIQ_ERR_INVALID, "timestamp");
    expect_str(P_EVENT, "{\"webhookEvent\":\"jira:issue_updated\",\"timestamp\":\"x\",\"issue\":{}}",
               BIQ_ERR_SHAPE, "timestamp");
    expect_str(P_EVENT, "{\"payload\":{\"eventType\":\"avi:jira:updated:issue\",\"issue\":{\"id\":\"1\","
                        "\"key\":\"A-1\",\"fields\":{}}}}",
               BIQ_ERR_SHAPE, "payload.issue.fields.status");
    expect_str(P_EVENT, "{\"eventType\":\"avi:jira:updated:issue\",\"issue\":{\"id\":\"1\",\"key\":"
                        "\"A-1\",\"fields\":{\"status\":{\"id\":\"3\"}}},\"changelog\":{\"id\":\"9\","
                        "\"items\":[]}}",
               BIQ_ERR_SHAPE, "changelog.created");
    expect_str(P_EVENT, "{\"eventType\":\"avi:jira:updated:issue\",\"timestamp\":5,\"issue\":{\"id\":"
                        "\"1\",\"key\":\"A-1\",\"fields\":{\"status\":{\"id\":\"3\"}}},\"changelog\":"
                        "{\"id\":\"x\",\"items\":[]}}",
               BIQ_ERR_INVALID, "changelog.id");
    expect_str(P_EVENT, "{\"eventType\":\"avi:jira:deleted:issue\",\"issue\":{\"key\":\"A-1\"}}",
               BIQ_ERR_SHAPE, "issue.id");
    expect_str(P_EVENT, "{\"eventType\":\"avi:jira-software:closed:sprint\"}", BIQ_ERR_SHAPE,
               "sprint");
    expect_str(P_EVENT, "{\"eventType\":\"avi:jira-software:closed:sprint\",\"sprint\":{\"id\":1,"
                        "\"completeDate\":\"2020-06-12T09:45:13.360+08:60\"}}",
               BIQ_ERR_INVALID, "sprint.completeDate");
    expect_str(P_EVENT, "{\"eventType\":\"avi:jira:mentioned:comment\",\"comment\":{}}", BIQ_OK, NULL);
    expect_str(P_EVENT, "{\"eventType\":\"avi:jira:deleted:issue\",\"issue\":{\"id\":1,\"key\":\"A-1\"}}",
               BIQ_OK, NULL);
}
END_TEST

START_TEST(catalog_corpus)
{
    expect_str(P_CHANGELOG, "[]", BIQ_ERR_SHAPE, "body");
    expect_str(P_CHANGELOG, "{\"values\":{}}", BIQ_ERR_SHAPE, "values");
    expect_str(P_CHANGELOG, "{\"isLast\":1,\"values\":[]}", BIQ_ERR_SHAPE, "isLast");
    expect_str(P_CHANGELOG, "{\"values\":[{\"id\":\"1\",\"created\":\"bad\",\"items\":[]}]}",
               BIQ_ERR_INVALID, "values[0].created");
    expect_str(P_CHANGELOG, "{\"values\":[{\"id\":\"1\",\"created\":\"2020-06-12T09:45:13Z\","
                            "\"items\":[{\"field\":\"status\",\"to\":\"1x\"}]}]}",
               BIQ_ERR_INVALID, "values[0].items[0].to");
    expect_str(P_STATUSES, "{}", BIQ_ERR_SHAPE, "values");
    expect_str(P_STATUSES, "5", BIQ_ERR_INVALID, "body");
    expect_str(P_STATUSES, "[{\"id\":\"1\",\"statusCategory\":5}]", BIQ_ERR_SHAPE,
               "[0].statusCategory");
    expect_str(P_STATUSES, "[{\"id\":\"1\",\"statuses\":null}]", BIQ_ERR_SHAPE, "[0].statuses");
    expect_str(P_STATUSES, "[[]]", BIQ_ERR_SHAPE, "[0]");
    expect_str(P_SPRINTS, "[1]", BIQ_ERR_SHAPE, "[0]");
    expect_str(P_SPRINTS, "{\"values\":[{\"id\":\"s\"}]}", BIQ_ERR_INVALID, "values[0].id");
    expect_str(P_SPRINTS, "{\"values\":[{\"id\":1,\"state\":\"a\\u0000\"}]}", BIQ_ERR_INVALID,
               "values[0].state");
    expect_str(P_PROJECTS, "{\"values\":[{\"id\":\"1\"}]}", BIQ_ERR_SHAPE, "values[0].key");
    expect_str(P_PROJECTS, "[{\"id\":\"1\",\"key\":\"K\",\"name\":7}]", BIQ_ERR_SHAPE, "[0].name");
    expect_str(P_PROJECTS, "[{\"id\":\"1\",\"key\":\"K\"}]", BIQ_OK, NULL);
}
END_TEST

/* ---- mutation loops over real payloads ------------------------------------- */

static char *read_real(const char *rel, size_t *len)
{
    char path[PATH_LEN];
    const char *dir = getenv("BIQ_SHARED_DIR");
    snprintf(path, sizeof path, "%s/realdata/%s", dir && *dir ? dir : "../shared", rel);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char *buf = malloc(BIQ_INGEST_BODY_MAX + 1);
    ck_assert_ptr_nonnull(buf);
    *len = fread(buf, 1, BIQ_INGEST_BODY_MAX + 1, f);
    fclose(f);
    return buf;
}

/* One real issue (K5-2, 12.7 kB with its changelog) as a one-issue page:
 * small enough to mutate at every byte under sanitizers. */
static char *real_small_page(size_t *len)
{
    size_t n;
    char *buf = read_real("devlake-merico/issues-with-changelog.json", &n);
    json_t *root = json_loadb(buf, n, JSON_ALLOW_NUL, NULL);
    free(buf);
    ck_assert_ptr_nonnull(root);
    json_t *issues = json_object_get(root, "issues");
    json_t *page = json_pack("{s:i, s:i, s:i, s:[O]}", "startAt", 0, "maxResults", 1, "total", 1,
                             "issues", json_array_get(issues, 30));
    char *text = json_dumps(page, JSON_COMPACT);
    json_decref(page);
    json_decref(root);
    ck_assert_ptr_nonnull(text);
    *len = strlen(text);
    return text;
}

/* Every outcome is acceptable but a crash or an error without a path. */
static void survive(const char *body, size_t len)
{
    static const parser all[] = {P_PAGE, P_EVENT, P_CHANGELOG, P_STATUSES, P_SPRINTS, P_PROJECTS};
    json_t *root = NULL;
    biq_parse_error perr;
    biq_err err = biq_ingest_load(body, len, &root, &perr);
    if (err != BIQ_OK) {
        ck_assert(perr.path[0] != '\0' && perr.message[0] != '\0');
        return;
    }
    biq_arena *arena = biq_arena_new(ARENA_LIMIT);
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        err = run_parser(all[i], root, arena, &perr);
        if (err != BIQ_OK)
            ck_assert_msg(perr.path[0] != '\0' && perr.message[0] != '\0', "parser %zu", i);
    }
    biq_arena_free(arena);
    json_decref(root);
}

static void truncations(char *body, size_t len)
{
    for (size_t n = 0; n <= len; n++)
        survive(body, n);
}

/* One deterministic bit flip per byte (bit = offset mod 8), plus a few
 * structural byte swaps, on a private copy. */
static void flips(char *body, size_t len)
{
    static const char swaps[] = {'"', '{', '}', '[', ']', ',', ':', '0', '-', '\\', '\0'};
    for (size_t i = 0; i < len; i++) {
        char keep = body[i];
        body[i] = (char)(keep ^ (1 << (i % 8)));
        survive(body, len);
        body[i] = swaps[i % sizeof swaps];
        survive(body, len);
        body[i] = keep;
    }
}

START_TEST(mutate_real_page)
{
    size_t len;
    char *body = real_small_page(&len);
    survive(body, len);
    truncations(body, len);
    flips(body, len);
    free(body);
}
END_TEST

START_TEST(mutate_real_webhooks)
{
    static const char *const files[] = {"jira-webhooks/webhook-issue-updated-resolved.json",
                                        "devlake-merico/sprints.json"};
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        size_t len;
        char *body = read_real(files[f], &len);
        truncations(body, len);
        flips(body, len);
        free(body);
    }
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("parse_malformed");
    TCase *tc = tcase_create("corpus");
    tcase_add_test(tc, valid_page_parses);
    tcase_add_test(tc, single_mutations);
    tcase_add_test(tc, raw_bodies);
    tcase_add_test(tc, deep_nesting);
    tcase_add_test(tc, size_limits);
    tcase_add_test(tc, arena_exhaustion);
    tcase_add_test(tc, event_corpus);
    tcase_add_test(tc, catalog_corpus);
    suite_add_tcase(s, tc);
    TCase *loops = tcase_create("mutation_loops");
    tcase_set_timeout(loops, 600);
    tcase_add_test(loops, mutate_real_page);
    tcase_add_test(loops, mutate_real_webhooks);
    suite_add_tcase(s, loops);
    return s;
}
