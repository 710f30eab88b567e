/* test_store_ingest.c - the ingest writes against a real PostgreSQL:
 * idempotent, order-independent, newest state wins, deletes are final,
 * sprint membership follows the issue, truncated histories complete from
 * their pages, and two tenants with the same Jira ids stay apart. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "store/ingest.h"
#include "store/pool.h"
#include "store/project_load.h"
#include "store/sync.h"
#include "store/tenants.h"
#include "testsupport.h"

static harness H;
static biq_pool *POOL;
static biq_arena *ARENA;

static const char TENANT_A[] = "ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-00000000000a";
static const char TENANT_B[] = "ari:cloud:ecosystem::installation/bbbbbbbb-0000-4000-8000-00000000000b";

static const int64_t DAY = 86400000;
static const int64_t T0 = 1700000000000LL;

static void install(const char *tenant)
{
    char sql[256];
    PGconn *c = harness_pg(&H, "postgres");
    snprintf(sql, sizeof sql, "INSERT INTO tenants (tenant_id) VALUES ('%s')", tenant);
    PQclear(harness_sql(c, sql));
    PQfinish(c);
}

static void setup(void)
{
    harness_init(&H, "biq_ingest");
    ck_assert_int_eq(harness_migrate(&H, NULL, NULL), 0);
    ck_assert_int_eq(biq_pool_new(H.app_url, 2, NULL, &POOL), BIQ_OK);
    ARENA = biq_arena_new(64u << 20);
    install(TENANT_A);
    install(TENANT_B);
}

static void teardown(void)
{
    biq_arena_free(ARENA);
    biq_pool_free(POOL);
    harness_cleanup(&H);
}

static const biq_transition TRANSITIONS[] = {
    {.history_id = 101, .item_index = 0, .at = T0 + 1 * DAY, .from_status = 1, .to_status = 3},
    {.history_id = 102, .item_index = 0, .at = T0 + 3 * DAY, .from_status = 3, .to_status = 4},
    {.history_id = 103, .item_index = 0, .at = T0 + 4 * DAY, .from_status = 4, .to_status = 5},
};
static const int64_t SPRINTS_1[] = {7};
static const int64_t SPRINTS_2[] = {7, 8};

static biq_issue issue(int64_t id, const char *summary, int64_t updated, size_t n_transitions)
{
    biq_issue is = {
        .id = id, .key = "FLOW-1", .project_id = 10000, .project_key = "FLOW",
        .summary = summary, .status_id = 3, .issue_type = "Story", .priority = "High",
        .assignee = "Ada", .created = T0, .updated = updated, .resolution_at = BIQ_MS_NONE,
        .story_points = 3.5, .has_story_points = true, .transitions = TRANSITIONS,
        .n_transitions = n_transitions, .changelog_total = (int32_t)n_transitions,
        .changelog_present = (int32_t)n_transitions,
    };
    return is;
}

struct write_job {
    const biq_issue *issues;
    size_t n;
    biq_ingest_result res;
};

static biq_err write_tx(biq_tx *tx, void *ctx)
{
    struct write_job *job = ctx;
    biq_err err = biq_store_tenant_ensure(tx);
    if (err == BIQ_OK)
        err = biq_store_issues_write(tx, job->issues, job->n, ARENA, &job->res);
    return err;
}

static biq_ingest_result write(const char *tenant, const biq_issue *issues, size_t n)
{
    struct write_job job = {issues, n, {0}};
    ck_assert_int_eq(biq_tx_run(POOL, tenant, write_tx, &job), BIQ_OK);
    return job.res;
}

static int64_t DELETE_ID;
static biq_err delete_tx(biq_tx *tx, void *ctx)
{
    const char **project = ctx;
    return biq_store_issue_delete(tx, DELETE_ID, ARENA, project);
}

/* Every tenant table of the tenant, as text, in a fixed order. */
static char *dump(const char *tenant)
{
    char sql[2048];
    snprintf(sql, sizeof sql,
             "SELECT concat_ws(E'\\n',"
             " (SELECT string_agg(i::text, E'\\n' ORDER BY issue_id) FROM issues i WHERE tenant_id = '%s'),"
             " (SELECT string_agg(t::text, E'\\n' ORDER BY issue_id, history_id, item_index)"
             "   FROM status_transitions t WHERE tenant_id = '%s'),"
             " (SELECT string_agg(s::text, E'\\n' ORDER BY issue_id, sprint_id) FROM issue_sprints s"
             "   WHERE tenant_id = '%s'),"
             " (SELECT string_agg(x::text, E'\\n' ORDER BY issue_id) FROM issue_tombstones x"
             "   WHERE tenant_id = '%s'))",
             tenant, tenant, tenant, tenant);
    PGconn *c = harness_pg(&H, "postgres");
    PGresult *r = harness_sql(c, sql);
    char *out = strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    PQfinish(c);
    return out;
}

static char *scalar_text(const char *sql)
{
    PGconn *c = harness_pg(&H, "postgres");
    PGresult *r = harness_sql(c, sql);
    char *out = strdup(PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
    PQfinish(c);
    return out;
}

START_TEST(same_page_twice_is_identical)
{
    biq_issue page[] = {issue(1, "first", T0 + 5 * DAY, 3), issue(2, "second", T0 + 2 * DAY, 1)};
    page[1].key = "FLOW-2";
    biq_ingest_result r1 = write(TENANT_A, page, 2);
    ck_assert_uint_eq(r1.issues_written, 2);
    ck_assert_uint_eq(r1.transitions_new, 4);
    char *before = dump(TENANT_A);
    biq_ingest_result r2 = write(TENANT_A, page, 2);
    ck_assert_uint_eq(r2.transitions_new, 0);
    char *after = dump(TENANT_A);
    ck_assert_str_eq(before, after);
    ck_assert_ptr_nonnull(strstr(before, "2023-11-15 22:13:20+00")); /* T0, exact */
    free(before);
    free(after);
}
END_TEST

START_TEST(newest_state_wins_in_any_order)
{
    biq_issue old = issue(1, "old summary", T0 + 1 * DAY, 1);
    biq_issue new = issue(1, "new summary", T0 + 4 * DAY, 3);
    new.status_id = 5;
    write(TENANT_A, &old, 1);
    write(TENANT_A, &new, 1);
    char *forward = dump(TENANT_A);
    write(TENANT_B, &new, 1);
    biq_ingest_result stale = write(TENANT_B, &old, 1);
    ck_assert_uint_eq(stale.issues_stale, 1);
    char *backward = dump(TENANT_B);
    /* Same rows apart from the tenant column. */
    char *p = forward, *q = backward;
    size_t na = strlen(TENANT_A);
    for (; *p != '\0' && *q != '\0'; p++, q++) {
        if (strncmp(p, TENANT_A, na) == 0 && strncmp(q, TENANT_B, na) == 0) {
            p += na - 1;
            q += na - 1;
            continue;
        }
        ck_assert_msg(*p == *q, "differs at: %.60s | %.60s", p, q);
    }
    ck_assert_ptr_nonnull(strstr(forward, "new summary"));
    ck_assert_ptr_null(strstr(forward, "old summary"));
    free(forward);
    free(backward);
}
END_TEST

START_TEST(deletes_are_final)
{
    biq_issue is = issue(42, "doomed", T0 + DAY, 2);
    write(TENANT_A, &is, 1);
    const char *project = NULL;
    DELETE_ID = 42;
    ck_assert_int_eq(biq_tx_run(POOL, TENANT_A, delete_tx, &project), BIQ_OK);
    ck_assert_str_eq(project, "FLOW");
    /* A late update, even a newer one, does not bring it back. */
    is.updated = T0 + 9 * DAY;
    biq_ingest_result r = write(TENANT_A, &is, 1);
    ck_assert_uint_eq(r.issues_written, 0);
    char *rows = scalar_text("SELECT count(*) FROM issues WHERE issue_id = 42");
    ck_assert_str_eq(rows, "0");
    free(rows);
    rows = scalar_text("SELECT count(*) FROM status_transitions WHERE issue_id = 42");
    ck_assert_str_eq(rows, "0");
    free(rows);
    /* Deleting twice, or an issue never seen, is fine. */
    ck_assert_int_eq(biq_tx_run(POOL, TENANT_A, delete_tx, &project), BIQ_OK);
    ck_assert_ptr_null(project);
}
END_TEST

START_TEST(sprint_membership_follows_the_issue)
{
    biq_issue is = issue(1, "s", T0 + DAY, 0);
    is.sprint_ids = SPRINTS_2;
    is.n_sprint_ids = 2;
    write(TENANT_A, &is, 1);
    char *n = scalar_text("SELECT string_agg(sprint_id::text, ',' ORDER BY sprint_id) FROM issue_sprints");
    ck_assert_str_eq(n, "7,8");
    free(n);
    /* A payload without the sprint field leaves membership alone... */
    is.updated += DAY;
    is.sprint_ids = NULL;
    is.n_sprint_ids = 0;
    write(TENANT_A, &is, 1);
    n = scalar_text("SELECT string_agg(sprint_id::text, ',' ORDER BY sprint_id) FROM issue_sprints");
    ck_assert_str_eq(n, "7,8");
    free(n);
    /* ...a newer one with it replaces it, an older one does not. */
    is.updated += DAY;
    is.sprint_ids = SPRINTS_1;
    is.n_sprint_ids = 1;
    write(TENANT_A, &is, 1);
    is.updated -= 5 * DAY;
    is.sprint_ids = SPRINTS_2;
    is.n_sprint_ids = 2;
    write(TENANT_A, &is, 1);
    n = scalar_text("SELECT string_agg(sprint_id::text, ',' ORDER BY sprint_id) FROM issue_sprints");
    ck_assert_str_eq(n, "7");
    free(n);
}
END_TEST

struct catalog {
    const biq_status *st;
    size_t n_st;
    const biq_sprint *sp;
    size_t n_sp;
};

static biq_err catalog_tx(biq_tx *tx, void *ctx)
{
    struct catalog *c = ctx;
    biq_err err = biq_store_statuses_write(tx, c->st, NULL, c->n_st, ARENA);
    return err == BIQ_OK ? biq_store_sprints_write(tx, c->sp, c->n_sp, ARENA) : err;
}

struct page_job {
    int64_t issue;
    int32_t start, count, total;
    const biq_transition *t;
    size_t n;
    bool complete;
};

static biq_err page_tx(biq_tx *tx, void *ctx)
{
    struct page_job *j = ctx;
    const char *project = NULL;
    return biq_store_changelog_page(tx, j->issue, j->start, j->count, j->total, j->t, j->n, ARENA,
                                    &project, &j->complete);
}

START_TEST(truncated_history_completes_from_its_pages)
{
    /* The embedded changelog holds the last history of 3. */
    biq_issue is = issue(9, "long history", T0 + 5 * DAY, 0);
    is.transitions = &TRANSITIONS[2];
    is.n_transitions = 1;
    is.changelog_total = 3;
    is.changelog_present = 1;
    biq_ingest_result r = write(TENANT_A, &is, 1);
    ck_assert_uint_eq(r.incomplete, 1);
    char *c = scalar_text("SELECT changelog_complete FROM issues WHERE issue_id = 9");
    ck_assert_str_eq(c, "f");
    free(c);
    /* Pages in reverse order: the second, then the first. */
    struct page_job second = {9, 2, 1, 3, &TRANSITIONS[2], 1, true};
    ck_assert_int_eq(biq_tx_run(POOL, TENANT_A, page_tx, &second), BIQ_OK);
    ck_assert(!second.complete);
    struct page_job first = {9, 0, 2, 3, TRANSITIONS, 2, false};
    ck_assert_int_eq(biq_tx_run(POOL, TENANT_A, page_tx, &first), BIQ_OK);
    ck_assert(first.complete);
    c = scalar_text("SELECT string_agg(history_id::text, ',' ORDER BY at) FROM status_transitions"
                    " WHERE issue_id = 9");
    ck_assert_str_eq(c, "101,102,103");
    free(c);
    /* A page for an issue we do not have is refused (its page comes first). */
    struct page_job orphan = {777, 0, 1, 1, TRANSITIONS, 1, false};
    ck_assert_int_eq(biq_tx_run(POOL, TENANT_A, page_tx, &orphan), BIQ_ERR_NOT_FOUND);
}
END_TEST

START_TEST(same_ids_in_two_tenants_stay_apart)
{
    biq_issue a = issue(1, "tenant A's", T0 + DAY, 3);
    biq_issue b = issue(1, "tenant B's", T0 + DAY, 1);
    write(TENANT_A, &a, 1);
    write(TENANT_B, &b, 1);
    char *da = dump(TENANT_A), *db = dump(TENANT_B);
    ck_assert_ptr_nonnull(strstr(da, "tenant A's"));
    ck_assert_ptr_null(strstr(da, "tenant B's"));
    ck_assert_ptr_nonnull(strstr(db, "tenant B's"));
    free(da);
    free(db);
    const char *project = NULL;
    DELETE_ID = 1;
    ck_assert_int_eq(biq_tx_run(POOL, TENANT_A, delete_tx, &project), BIQ_OK);
    db = dump(TENANT_B);
    ck_assert_ptr_nonnull(strstr(db, "tenant B's"));
    free(db);
}
END_TEST

START_TEST(unknown_tenant_is_refused)
{
    biq_issue is = issue(1, "x", T0, 0);
    struct write_job job = {&is, 1, {0}};
    ck_assert_int_eq(biq_tx_run(POOL, "ari:cloud:ecosystem::installation/cccccccc-0000-4000-8000-00000000000c",
                                write_tx, &job), BIQ_ERR_NOT_FOUND);
}
END_TEST

START_TEST(text_survives_byte_exact)
{
    biq_issue is = issue(5, "quote \" backslash \\ comma , brace } 故事 \xF0\x9F\x90\x9B", T0, 0);
    is.key = "FLOW-5";
    is.assignee = "NULL";
    write(TENANT_A, &is, 1);
    char *s = scalar_text("SELECT summary || '|' || assignee FROM issues WHERE issue_id = 5");
    ck_assert_str_eq(s, "quote \" backslash \\ comma , brace } 故事 \xF0\x9F\x90\x9B|NULL");
    free(s);
}
END_TEST

/* Rows travel two ways (store/ingest.c): a write of fewer than
 * BIQ_INGEST_COPY_MIN_ISSUES issues as one JSON parameter, a larger one by
 * COPY in its text format (store/copy.c). Both must carry the bytes COPY
 * escapes (backslash, tab, newline, carriage return), text that looks like
 * its markers (\N, \.), a real NULL and non-ASCII exactly, in issues and in
 * transitions; and a page longer than one COPY chunk, with an escape
 * straddling each chunk boundary, arrives whole. */
static const char SPECIAL[] = "tab\there\\back\nnew\rcr \\N \\.\n\\.\n\\t literal é 故事 \xF0\x9F\x90\x9B";
static const biq_transition NAMED[] = {
    {.history_id = 201, .item_index = 0, .at = T0 + DAY, .from_status = 1, .to_status = 3,
     .from_name = "To\tDo", .to_name = "In \\ Progress\n"},
};

static const char *const SPECIAL_LABELS[] = {SPECIAL, "q\"uote", "{brace,comma}", ""};

static biq_issue special_issue(int64_t id)
{
    biq_issue is = issue(id, SPECIAL, T0, 0);
    is.key = "FLOW-6\t";
    is.assignee = NULL;
    is.priority = "\\N";
    is.transitions = NAMED;
    is.n_transitions = 1;
    /* The issue #15 columns ride in the same row (0012_ingest_speed). */
    is.resolution = SPECIAL;
    is.labels = SPECIAL_LABELS;
    is.n_labels = 4;
    is.is_subtask = true;
    is.parent_id = 41;
    is.flagged = true;
    return is;
}

static void expect_special(int64_t id)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT summary FROM issues WHERE issue_id = %lld", (long long)id);
    char *s = scalar_text(sql);
    ck_assert_str_eq(s, SPECIAL);
    free(s);
    snprintf(sql, sizeof sql, "SELECT key || '|' || (assignee IS NULL) || '|' || priority"
             " FROM issues WHERE issue_id = %lld", (long long)id);
    s = scalar_text(sql);
    ck_assert_str_eq(s, "FLOW-6\t|true|\\N");
    free(s);
    snprintf(sql, sizeof sql, "SELECT from_name || '|' || to_name FROM status_transitions"
             " WHERE issue_id = %lld AND history_id = 201", (long long)id);
    s = scalar_text(sql);
    ck_assert_str_eq(s, "To\tDo|In \\ Progress\n");
    free(s);
    snprintf(sql, sizeof sql, "SELECT resolution FROM issues WHERE issue_id = %lld", (long long)id);
    s = scalar_text(sql);
    ck_assert_str_eq(s, SPECIAL);
    free(s);
    for (int k = 0; k < 4; k++) {
        snprintf(sql, sizeof sql, "SELECT labels[%d] FROM issues WHERE issue_id = %lld", k + 1,
                 (long long)id);
        s = scalar_text(sql);
        ck_assert_str_eq(s, SPECIAL_LABELS[k]);
        free(s);
    }
    snprintf(sql, sizeof sql, "SELECT cardinality(labels) || '|' || is_subtask || '|' || parent_id"
             " || '|' || flagged FROM issues WHERE issue_id = %lld", (long long)id);
    s = scalar_text(sql);
    ck_assert_str_eq(s, "4|true|41|true");
    free(s);
}

START_TEST(copy_escapes_survive_byte_exact)
{
    biq_issue alone = special_issue(6);
    write(TENANT_A, &alone, 1); /* JSON */
    expect_special(6);

    /* 3 chunks' worth: 1,000-byte summaries of backslashes (each sent as two
     * bytes), so escapes fall on every 64 KiB boundary; the special issue
     * first. */
    enum { BIG = 200, SUMMARY_LEN = 1000 };
    ck_assert_int_ge(BIG, BIQ_INGEST_COPY_MIN_ISSUES);
    biq_issue *page = biq_arena_calloc(ARENA, BIG, sizeof *page);
    char *slashes = biq_arena_alloc(ARENA, SUMMARY_LEN + 1);
    memset(slashes, '\\', SUMMARY_LEN);
    slashes[SUMMARY_LEN] = '\0';
    page[0] = special_issue(7);
    for (int i = 1; i < BIG; i++) {
        page[i] = issue(1000 + i, slashes, T0, 3);
        page[i].key = "FLOW-X";
    }
    biq_ingest_result r = write(TENANT_A, page, BIG); /* COPY */
    ck_assert_uint_eq(r.issues_written, BIG);
    ck_assert_uint_eq(r.transitions_new, 1 + 3 * (BIG - 1));
    expect_special(7);
    char *s = scalar_text("SELECT count(*) || '|' || sum(length(summary)) || '|'"
                          " || bool_and(summary = repeat(E'\\\\', 1000))"
                          " FROM issues WHERE issue_id >= 1000");
    ck_assert_str_eq(s, "199|199000|true");
    free(s);
}
END_TEST

static biq_err load_tx(biq_tx *tx, void *ctx)
{
    return biq_store_project_load(tx, "FLOW", ARENA, ctx);
}

START_TEST(project_loads_back_as_written)
{
    biq_issue page[] = {issue(3, "three", T0 + 5 * DAY, 3), issue(1, "one", T0 + 2 * DAY, 1)};
    page[0].key = "FLOW-3";
    page[0].resolution_at = T0 + 4 * DAY + 123;
    page[0].sprint_ids = SPRINTS_2;
    page[0].n_sprint_ids = 2;
    page[1].has_story_points = false;
    biq_status st[] = {{3, "In Progress", BIQ_CAT_ACTIVE}, {5, "已完成", BIQ_CAT_DONE}};
    biq_sprint sp[] = {{7, "Sprint 7", "closed", T0, T0 + 14 * DAY, T0 + 14 * DAY, 1},
                       {8, "Sprint 8", "active", T0 + 14 * DAY, T0 + 28 * DAY, BIQ_MS_NONE, 0}};
    write(TENANT_A, page, 2);
    ck_assert_int_eq(biq_tx_run(POOL, TENANT_A, catalog_tx, &(struct catalog){st, 2, sp, 2}), BIQ_OK);
    biq_project_data d;
    ck_assert_int_eq(biq_tx_run(POOL, TENANT_A, load_tx, &d), BIQ_OK);
    ck_assert_uint_eq(d.n_issues, 2);
    ck_assert_int_eq(d.issues[0].id, 1); /* ordered by id */
    ck_assert(!d.issues[0].has_story_points);
    ck_assert_uint_eq(d.issues[0].n_transitions, 1);
    const biq_issue *is = &d.issues[1];
    ck_assert_str_eq(is->key, "FLOW-3");
    ck_assert_str_eq(is->summary, "three");
    ck_assert_int_eq(is->created, T0);
    ck_assert_int_eq(is->updated, T0 + 5 * DAY);
    ck_assert_int_eq(is->resolution_at, T0 + 4 * DAY + 123);
    ck_assert(is->has_story_points);
    ck_assert(is->story_points == 3.5);
    ck_assert_uint_eq(is->n_transitions, 3);
    for (size_t k = 0; k < 3; k++) {
        ck_assert_int_eq(is->transitions[k].history_id, TRANSITIONS[k].history_id);
        ck_assert_int_eq(is->transitions[k].at, TRANSITIONS[k].at);
        ck_assert_int_eq(is->transitions[k].from_status, TRANSITIONS[k].from_status);
        ck_assert_int_eq(is->transitions[k].to_status, TRANSITIONS[k].to_status);
    }
    ck_assert_uint_eq(is->n_sprint_ids, 2);
    ck_assert_int_eq(is->sprint_ids[1], 8);
    ck_assert_uint_eq(d.n_statuses, 2);
    ck_assert_str_eq(d.statuses[1].name, "已完成");
    ck_assert_int_eq(d.statuses[1].category, BIQ_CAT_DONE);
    ck_assert_uint_eq(d.n_sprints, 2);
    ck_assert_int_eq(d.sprints[1].complete, BIQ_MS_NONE);
    ck_assert_int_eq(d.sprints[0].end, T0 + 14 * DAY);
}
END_TEST

/* Every rule once more with every write going through COPY and the stage
 * tables (the default sends writes this small as JSON). */

/* 0012_ingest_speed: the per-issue tables have no foreign key any more;
 * the store deletes their rows with the issue and the tenant, and only
 * ever inserts them under a live issue. */
static const char *const CHILD_TABLES[] = {"status_transitions", "issue_sprints", "flag_changes",
                                           "block_links", "sprint_changes"};
enum { N_CHILD_TABLES = sizeof CHILD_TABLES / sizeof CHILD_TABLES[0] };
static const biq_flag_change FLAGS[] = {{.history_id = 201, .item_index = 0, .at = T0 + DAY,
                                         .flagged = true}};
static const biq_block_link LINKS[] = {{.blocker_id = 900, .linked_at = T0 + DAY}};
static const int64_t FROM_NONE[] = {0};
static const biq_sprint_change SPRINT_CHANGES[] = {
    {.history_id = 301, .item_index = 0, .at = T0 + DAY, .from_ids = FROM_NONE, .n_from = 0,
     .to_ids = SPRINTS_1, .n_to = 1},
    {.history_id = 302, .item_index = 1, .at = T0 + 2 * DAY, .from_ids = SPRINTS_1, .n_from = 1,
     .to_ids = SPRINTS_2, .n_to = 2}};

/* An issue with a row in every per-issue table. */
static biq_issue full_issue(int64_t id)
{
    biq_issue is = issue(id, "full", T0 + 2 * DAY, 3);
    is.sprint_ids = SPRINTS_2;
    is.n_sprint_ids = 2;
    is.flag_changes = FLAGS;
    is.n_flag_changes = 1;
    is.blocked_by = LINKS;
    is.n_blocked_by = 1;
    is.sprint_changes = SPRINT_CHANGES;
    is.n_sprint_changes = 2;
    return is;
}

/* Rows of table (one of CHILD_TABLES) matching where, as a number. */
static long child_rows(const char *table, const char *where)
{
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s c WHERE %s", table, where);
    char *v = scalar_text(sql);
    long n = strtol(v, NULL, 10);
    free(v);
    return n;
}

static void expect_no_orphans(void)
{
    for (size_t k = 0; k < N_CHILD_TABLES; k++)
        ck_assert_msg(child_rows(CHILD_TABLES[k],
                                 "NOT EXISTS (SELECT 1 FROM issues i WHERE i.tenant_id = c.tenant_id"
                                 " AND i.issue_id = c.issue_id)") == 0,
                      "orphan rows in %s", CHILD_TABLES[k]);
}

static void expect_rows_of(const char *tenant, int64_t id, bool present)
{
    char where[256];
    snprintf(where, sizeof where, "c.tenant_id = '%s' AND c.issue_id = %lld", tenant, (long long)id);
    for (size_t k = 0; k < N_CHILD_TABLES; k++)
        ck_assert_msg((child_rows(CHILD_TABLES[k], where) > 0) == present, "%s of issue %lld: %s",
                      CHILD_TABLES[k], (long long)id, present ? "missing" : "present");
}

struct restrict_job {
    int64_t id;
    biq_ms updated;
};
static biq_err restrict_tx(biq_tx *tx, void *ctx)
{
    struct restrict_job *j = ctx;
    const char *project = NULL;
    return biq_store_issue_restrict(tx, j->id, j->updated, ARENA, &project);
}

static biq_err reconcile_tx(biq_tx *tx, void *ctx)
{
    static const int64_t keep[] = {4};
    size_t *removed = ctx;
    return biq_store_reconcile_ids(tx, "FLOW", keep, 1, ARENA, removed);
}

static biq_err uninstall_tx(biq_tx *tx, void *ctx)
{
    return biq_store_tenant_delete(tx, ctx);
}

START_TEST(every_delete_path_leaves_no_orphans)
{
    biq_issue page[4];
    for (int64_t id = 1; id <= 4; id++)
        page[id - 1] = full_issue(id);
    write(TENANT_A, page, 4);
    write(TENANT_B, page, 4);
    for (int64_t id = 1; id <= 4; id++)
        expect_rows_of(TENANT_A, id, true);
    char q[512];
    snprintf(q, sizeof q, "SELECT string_agg(from_ids::text || '>' || to_ids::text, ' '"
             " ORDER BY history_id) FROM sprint_changes WHERE tenant_id = '%s' AND issue_id = 4",
             TENANT_A);
    char *hist = scalar_text(q);
    ck_assert_str_eq(hist, "{}>{7} {7}>{7,8}"); /* Jira's order, both paths */
    free(hist);
    /* An issue delete event. */
    const char *project = NULL;
    DELETE_ID = 1;
    ck_assert_int_eq(biq_tx_run(POOL, TENANT_A, delete_tx, &project), BIQ_OK);
    expect_rows_of(TENANT_A, 1, false);
    expect_no_orphans();
    /* A security level on a state newer than the stored one. */
    struct restrict_job r = {2, T0 + 3 * DAY};
    ck_assert_int_eq(biq_tx_run(POOL, TENANT_A, restrict_tx, &r), BIQ_OK);
    expect_rows_of(TENANT_A, 2, false);
    /* ... but one older than it leaves the issue, rows and all. */
    struct restrict_job older = {4, T0};
    ck_assert_int_eq(biq_tx_run(POOL, TENANT_A, restrict_tx, &older), BIQ_OK);
    expect_rows_of(TENANT_A, 4, true);
    expect_no_orphans();
    /* The reconcile: Jira returns only issue 4, so 3 goes. */
    size_t removed = 0;
    ck_assert_int_eq(biq_tx_run(POOL, TENANT_A, reconcile_tx, &removed), BIQ_OK);
    ck_assert_uint_eq(removed, 1);
    expect_rows_of(TENANT_A, 3, false);
    expect_rows_of(TENANT_A, 4, true);
    expect_no_orphans();
    /* Tenant B's same ids were never touched. */
    for (int64_t id = 1; id <= 4; id++)
        expect_rows_of(TENANT_B, id, true);
    /* The uninstall. */
    bool existed = false;
    ck_assert_int_eq(biq_tx_run(POOL, TENANT_A, uninstall_tx, &existed), BIQ_OK);
    ck_assert(existed);
    char where[160];
    snprintf(where, sizeof where, "c.tenant_id = '%s'", TENANT_A);
    for (size_t k = 0; k < N_CHILD_TABLES; k++)
        ck_assert_int_eq(child_rows(CHILD_TABLES[k], where), 0);
    expect_no_orphans();
    for (int64_t id = 1; id <= 4; id++)
        expect_rows_of(TENANT_B, id, true);
}
END_TEST

/* A thread running the store's issue delete (it blocks on a lock). */
struct delete_thread {
    int64_t id;
    biq_err err;
    _Atomic bool done;
};
static void *delete_thread_main(void *arg)
{
    struct delete_thread *d = arg;
    const char *project = NULL;
    DELETE_ID = d->id;
    d->err = biq_tx_run(POOL, TENANT_A, delete_tx, &project);
    atomic_store(&d->done, true);
    return NULL;
}

START_TEST(rows_need_a_live_issue)
{
    /* Deleted, then delivered again with all its histories: nothing. */
    biq_issue is = full_issue(5);
    write(TENANT_A, &is, 1);
    const char *project = NULL;
    DELETE_ID = 5;
    ck_assert_int_eq(biq_tx_run(POOL, TENANT_A, delete_tx, &project), BIQ_OK);
    is.updated = T0 + 9 * DAY;
    biq_ingest_result res = write(TENANT_A, &is, 1);
    ck_assert_uint_eq(res.issues_written, 0);
    ck_assert_uint_eq(res.transitions_new, 0);
    expect_rows_of(TENANT_A, 5, false);
    /* Never seen (its changelog page first): refused, nothing stored. */
    struct page_job orphan = {778, 0, 1, 1, TRANSITIONS, 1, false};
    ck_assert_int_eq(biq_tx_run(POOL, TENANT_A, page_tx, &orphan), BIQ_ERR_NOT_FOUND);
    expect_rows_of(TENANT_A, 778, false);
    /* Restricted as of a newer state: an older delivery stores nothing. */
    biq_issue r = full_issue(6);
    write(TENANT_A, &r, 1);
    struct restrict_job job = {6, T0 + 5 * DAY};
    ck_assert_int_eq(biq_tx_run(POOL, TENANT_A, restrict_tx, &job), BIQ_OK);
    write(TENANT_A, &r, 1);
    expect_rows_of(TENANT_A, 6, false);
    expect_no_orphans();

    /* A writer holding the issue as the merge does (FOR KEY SHARE) makes
     * a delete wait; the delete then removes what the writer committed. */
    biq_issue live = full_issue(7);
    write(TENANT_A, &live, 1);
    PGconn *w = harness_pg(&H, "postgres");
    PQclear(harness_sql(w, "BEGIN"));
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT 1 FROM issues WHERE tenant_id = '%s' AND issue_id = 7 FOR KEY SHARE", TENANT_A);
    PQclear(harness_sql(w, sql));
    snprintf(sql, sizeof sql,
             "INSERT INTO status_transitions (tenant_id, issue_id, history_id, item_index, at,"
             " to_status) VALUES ('%s', 7, 999, 0, now(), 3)",
             TENANT_A);
    PQclear(harness_sql(w, sql));
    struct delete_thread d = {.id = 7};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, delete_thread_main, &d), 0);
    struct timespec wait = {0, 300 * 1000 * 1000};
    nanosleep(&wait, NULL);
    ck_assert_msg(!atomic_load(&d.done), "the delete did not wait for the writer");
    PQclear(harness_sql(w, "COMMIT"));
    PQfinish(w);
    pthread_join(th, NULL);
    ck_assert_int_eq(d.err, BIQ_OK);
    expect_rows_of(TENANT_A, 7, false);
    expect_no_orphans();
}
END_TEST

static void setup_copy(void)
{
    setup();
    biq_store_ingest_copy_min(1);
}

static void teardown_copy(void)
{
    biq_store_ingest_copy_min(BIQ_INGEST_COPY_MIN_ISSUES);
    teardown();
}

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("store_ingest");
    for (int copy = 0; copy < 2; copy++) {
        TCase *tc = tcase_create(copy ? "store_ingest_copy" : "store_ingest");
        tcase_set_timeout(tc, 60);
        if (copy)
            tcase_add_checked_fixture(tc, setup_copy, teardown_copy);
        else
            tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, same_page_twice_is_identical);
        tcase_add_test(tc, newest_state_wins_in_any_order);
        tcase_add_test(tc, deletes_are_final);
        tcase_add_test(tc, sprint_membership_follows_the_issue);
        tcase_add_test(tc, truncated_history_completes_from_its_pages);
        tcase_add_test(tc, same_ids_in_two_tenants_stay_apart);
        tcase_add_test(tc, unknown_tenant_is_refused);
        tcase_add_test(tc, text_survives_byte_exact);
        tcase_add_test(tc, copy_escapes_survive_byte_exact);
        tcase_add_test(tc, project_loads_back_as_written);
        tcase_add_test(tc, every_delete_path_leaves_no_orphans);
        tcase_add_test(tc, rows_need_a_live_issue);
        suite_add_tcase(s, tc);
    }
    return s;
}
