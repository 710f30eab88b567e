/* test_flow_data_store.c - issue #15's data from the Forge routes to the
 * flow core's input against a real PostgreSQL: a page's resolution,
 * labels, sub-task, parent, flagged state, Flagged and Sprint histories
 * and blocking links load back as sent; an older state changes nothing
 * (newest `updated` wins), a removed link disappears and a kept one keeps
 * its date; full-changelog pages add histories; boards replace the
 * project's set, move its data version, and the chosen board follows the
 * boardId setting; refused callers and bad board bodies write nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/caller.h"
#include "harness.h"
#include "store/pool.h"
#include "store/project_load.h"
#include "testsupport.h"

static harness H;
static biq_pool *POOL;
static biq_arena *ARENA;
static const char TENANT[] = "ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-00000000000a";

#define JAN2 INT64_C(1704153600000)
#define DAY INT64_C(86400000)

static long post(const char *path, const char *body, char **resp)
{
    return harness_call(&H, TENANT, NULL, "POST", path, body, resp);
}

static void expect(const char *path, const char *body, long want)
{
    char *resp = NULL;
    long st = post(path, body, &resp);
    ck_assert_msg(st == want, "POST %s: %ld, want %ld: %s", path, st, want, resp);
    free(resp);
}

static void setup(void)
{
    harness_init(&H, "biq_flow_data");
    harness_start_app(&H, NULL);
    expect("/forge/lifecycle", "{\"eventType\":\"avi:forge:installed:app\"}", 200);
    expect("/forge/backfill/FD",
           "{\"total\":1,\"fields\":{\"sprint\":\"customfield_10020\","
           "\"flagged\":\"customfield_10021\"}}",
           200);
    ck_assert_int_eq(biq_pool_new(H.app_url, 2, NULL, &POOL), BIQ_OK);
    ARENA = biq_arena_new(64u << 20);
}

static void teardown(void)
{
    biq_arena_free(ARENA);
    biq_pool_free(POOL);
    harness_cleanup(&H);
}

static biq_err load_tx(biq_tx *tx, void *ctx)
{
    return biq_store_project_load(tx, "FD", ARENA, ctx);
}

static biq_project_data load(void)
{
    biq_project_data d;
    ck_assert_int_eq(biq_tx_run(POOL, TENANT, load_tx, &d), BIQ_OK);
    return d;
}

#define BLOCKS "\"type\":{\"name\":\"Blocks\",\"inward\":\"is blocked by\",\"outward\":\"blocks\"}"

/* One issue FD-10 as a page: updated (day of January 2024), the
 * issuelinks keys, extra fields and histories as given. */
static char *page(int updated_day, const char *links, const char *fields, const char *histories)
{
    size_t cap = 16384;
    char *s = malloc(cap);
    ck_assert_ptr_nonnull(s);
    snprintf(s, cap,
             "{\"sprints\":[{\"id\":38,\"name\":\"S 28\",\"state\":\"closed\"},"
             "{\"id\":40,\"name\":\"S 29\",\"state\":\"active\"}],"
             "\"issues\":[{\"id\":\"10010\",\"key\":\"FD-10\",\"fields\":{"
             "\"project\":{\"id\":\"100\",\"key\":\"FD\"},\"summary\":\"s\","
             "\"status\":{\"id\":\"3\",\"name\":\"In Progress\",\"statusCategory\":{\"key\":\"indeterminate\"}},"
             "\"created\":\"2024-01-01T00:00:00Z\",\"updated\":\"2024-01-%02dT00:00:00Z\","
             "\"issuelinks\":[%s]%s},"
             "\"changelog\":{\"total\":%d,\"histories\":[%s]}}]}",
             updated_day, links, fields, histories[0] ? 2 : 0, histories);
    return s;
}

#define LINK(id, key) "{" BLOCKS ",\"inwardIssue\":{\"id\":\"" id "\",\"key\":\"" key "\"}}"
#define HISTORIES                                                                                  \
    "{\"id\":\"100\",\"created\":\"2024-01-02T00:00:00Z\",\"items\":["                              \
    "{\"field\":\"Link\",\"to\":\"FD-5\",\"toString\":\"This issue is blocked by FD-5\"},"          \
    "{\"field\":\"Flagged\",\"fieldId\":\"customfield_10021\",\"toString\":\"Impediment\"}]},"      \
    "{\"id\":\"101\",\"created\":\"2024-01-03T00:00:00Z\",\"items\":["                              \
    "{\"field\":\"Flagged\",\"fieldId\":\"customfield_10021\",\"toString\":null},"                  \
    "{\"field\":\"Sprint\",\"fieldId\":\"customfield_10020\",\"from\":\"38\",\"to\":\"38, 40\"}]}"
#define FIELDS_FULL                                                                                \
    ",\"resolution\":{\"name\":\"Won't Do\"},\"labels\":[\"zeta\",\"alpha\"],"                      \
    "\"issuetype\":{\"name\":\"Sub-task\",\"subtask\":true},\"parent\":{\"id\":\"10001\"},"         \
    "\"customfield_10021\":[{\"id\":\"10019\",\"value\":\"Impediment\"}]"

static void post_page(char *body)
{
    expect("/forge/backfill/FD/page", body, 200);
    free(body);
}

START_TEST(page_round_trips_every_field)
{
    post_page(page(5, LINK("10005", "FD-5") "," LINK("10008", "FD-8"), FIELDS_FULL, HISTORIES));
    biq_project_data d = load();
    ck_assert_uint_eq(d.n_issues, 1);
    const biq_issue *is = &d.issues[0];
    ck_assert_str_eq(is->resolution, "Won't Do");
    ck_assert_uint_eq(is->n_labels, 2);
    ck_assert_str_eq(is->labels[0], "zeta"); /* Jira's order, not sorted */
    ck_assert_str_eq(is->labels[1], "alpha");
    ck_assert(is->is_subtask);
    ck_assert_int_eq(is->parent_id, 10001);
    ck_assert(is->flagged);
    ck_assert_uint_eq(is->n_flag_changes, 2);
    ck_assert_int_eq(is->flag_changes[0].at, JAN2);
    ck_assert(is->flag_changes[0].flagged);
    ck_assert_int_eq(is->flag_changes[1].at, JAN2 + DAY);
    ck_assert(!is->flag_changes[1].flagged);
    ck_assert_uint_eq(is->n_blocked_by, 2);
    ck_assert_int_eq(is->blocked_by[0].blocker_id, 10005);
    ck_assert_int_eq(is->blocked_by[0].linked_at, JAN2);
    ck_assert_int_eq(is->blocked_by[1].blocker_id, 10008);
    ck_assert_int_eq(is->blocked_by[1].linked_at, BIQ_MS_NONE);
    ck_assert_uint_eq(is->n_sprint_changes, 1);
    ck_assert_int_eq(is->sprint_changes[0].history_id, 101);
    ck_assert_int_eq(is->sprint_changes[0].item_index, 1);
    ck_assert_uint_eq(is->sprint_changes[0].n_from, 1);
    ck_assert_int_eq(is->sprint_changes[0].from_ids[0], 38);
    ck_assert_uint_eq(is->sprint_changes[0].n_to, 2);
    ck_assert_int_eq(is->sprint_changes[0].to_ids[1], 40);
    ck_assert_uint_eq(d.n_boards, 0);
    /* The same page again merges: nothing doubles. */
    post_page(page(5, LINK("10005", "FD-5") "," LINK("10008", "FD-8"), FIELDS_FULL, HISTORIES));
    d = load();
    ck_assert_uint_eq(d.issues[0].n_flag_changes, 2);
    ck_assert_uint_eq(d.issues[0].n_sprint_changes, 1);
    ck_assert_uint_eq(d.issues[0].n_blocked_by, 2);
    /* A full-changelog page adds its Flagged and Sprint items. */
    expect("/forge/issues/FD-10/changelog",
           "{\"startAt\":0,\"total\":3,\"values\":[{\"id\":\"102\",\"created\":\"2024-01-04T00:00:00Z\","
           "\"items\":[{\"field\":\"Flagged\",\"toString\":\"Impediment\"},"
           "{\"field\":\"Sprint\",\"from\":\"38, 40\",\"to\":\"40\"}]}]}",
           200);
    d = load();
    ck_assert_uint_eq(d.issues[0].n_flag_changes, 3);
    ck_assert_int_eq(d.issues[0].flag_changes[2].at, JAN2 + 2 * DAY);
    ck_assert_uint_eq(d.issues[0].n_sprint_changes, 2);
    ck_assert_uint_eq(d.issues[0].sprint_changes[1].n_from, 2);
}
END_TEST

START_TEST(newest_updated_wins_and_links_follow)
{
    post_page(page(5, LINK("10005", "FD-5") "," LINK("10008", "FD-8"), FIELDS_FULL, HISTORIES));
    /* Older (Jan 4): no labels, no links, not flagged: changes nothing. */
    post_page(page(4, "", "", ""));
    biq_project_data d = load();
    ck_assert_uint_eq(d.issues[0].n_labels, 2);
    ck_assert_uint_eq(d.issues[0].n_blocked_by, 2);
    ck_assert(d.issues[0].flagged);
    ck_assert_str_eq(d.issues[0].resolution, "Won't Do");
    /* Newer (Jan 6): FD-8's link removed, FD-5's kept without a Link item:
     * its stored date stays. Labels, resolution, flag follow the state;
     * histories stay (they are facts of the past). */
    post_page(page(6, LINK("10005", "FD-5"), ",\"labels\":[\"x\"]", ""));
    d = load();
    const biq_issue *is = &d.issues[0];
    ck_assert_uint_eq(is->n_blocked_by, 1);
    ck_assert_int_eq(is->blocked_by[0].blocker_id, 10005);
    ck_assert_int_eq(is->blocked_by[0].linked_at, JAN2);
    ck_assert_uint_eq(is->n_labels, 1);
    ck_assert_str_eq(is->labels[0], "x");
    ck_assert_ptr_null(is->resolution);
    ck_assert(!is->flagged && !is->is_subtask);
    ck_assert_int_eq(is->parent_id, 0);
    ck_assert_uint_eq(is->n_flag_changes, 2);
    /* Newer still, no links at all: the set empties. */
    post_page(page(7, "", "", ""));
    d = load();
    ck_assert_uint_eq(d.issues[0].n_blocked_by, 0);
}
END_TEST

#define BOARD(id, name, max)                                                                       \
    "{\"id\":" #id ",\"name\":\"" name "\",\"type\":\"kanban\",\"columnConfig\":{\"columns\":["    \
    "{\"name\":\"To Do\",\"statuses\":[{\"id\":\"1\"}]},"                                           \
    "{\"name\":\"Doing\",\"statuses\":[{\"id\":\"3\"}],\"max\":" #max "},"                          \
    "{\"name\":\"Done\",\"statuses\":[{\"id\":\"5\"}]}],\"constraintType\":\"issueCount\"}}"

static long long boards_stored(void)
{
    return harness_count(&H, "SELECT count(*) FROM project_boards WHERE project_key = 'FD'");
}

static long long version(void)
{
    return harness_count(&H, "SELECT coalesce(sum(weight), 0) FROM data_commits"
                             " WHERE project_key = 'FD'");
}

START_TEST(boards_replace_and_choose)
{
    post_page(page(5, "", "", ""));
    long long v0 = version();
    expect("/forge/boards/FD", "{\"boards\":[" BOARD(90, "Ninety", 4) "," BOARD(84, "EE board", 5) "]}",
           200);
    ck_assert_int_eq(boards_stored(), 2);
    ck_assert_int_gt(version(), v0);
    /* Every stored board loads, by id; the settings pick one per request
     * (test_board_limits.c, and over HTTP test_project_cache_http.c). */
    biq_project_data d = load();
    ck_assert_uint_eq(d.n_boards, 2);
    const biq_board *b = &d.boards[0];
    ck_assert_int_eq(b->id, 84);
    ck_assert_str_eq(b->name, "EE board");
    ck_assert_uint_eq(b->n_columns, 3);
    ck_assert_str_eq(b->columns[1].name, "Doing");
    ck_assert_int_eq(b->columns[1].status_ids[0], 3);
    ck_assert_int_eq(b->columns[1].max, 5);
    ck_assert_int_eq(b->columns[1].min, -1);
    ck_assert_int_eq(b->columns[0].max, -1);
    ck_assert_int_eq(d.boards[1].id, 90);
    ck_assert_int_eq(d.boards[1].columns[1].max, 4);
    /* A boardId setting does not change what loads. */
    harness_exec(&H, "INSERT INTO project_settings (tenant_id, project_key, overrides) VALUES"
                     " ('ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-00000000000a',"
                     " 'FD', '{\"boardId\": 90}')");
    d = load();
    ck_assert_uint_eq(d.n_boards, 2);
    ck_assert_int_eq(d.boards[0].id, 84);
    /* Bad bodies: 4xx naming the problem, nothing written. */
    long long v1 = version();
    static const struct {
        const char *body, *names;
    } bad[] = {
        {"{\"boards\":[" BOARD(1, "a", 2) ",{\"id\":2}]}", "boards[1].columnConfig"},
        {"{\"boards\":[" BOARD(1, "a", 2) "," BOARD(1, "b", 2) "]}", "boards[1]"},
        {"{\"boards\":[{\"id\":3,\"columnConfig\":{\"columns\":[{\"name\":\"x\",\"max\":\"5\"}]}}]}",
         "boards[0].columnConfig.columns[0].max"},
        {"[]", "body"},
        {"{\"boards\":", "body"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *resp = NULL;
        long st = post("/forge/boards/FD", bad[i].body, &resp);
        ck_assert_msg(st >= 400 && st < 500, "%s: %ld", bad[i].body, st);
        ck_assert_msg(resp && strstr(resp, bad[i].names), "%s: %s", bad[i].body, resp);
        free(resp);
    }
    expect("/forge/boards/fd", "{\"boards\":[]}", 400);
    ck_assert_int_eq(boards_stored(), 2);
    ck_assert_int_eq(version(), v1);
    /* Refused callers: 403, nothing written. */
    static const unsigned refused[] = {BIQ_CALLER_LIFECYCLE, BIQ_CALLER_EVENTS,
                                       BIQ_CALLER_SCHEDULE, BIQ_CALLER_VIEWER,
                                       BIQ_CALLER_PROJECT_ADMIN, BIQ_CALLER_SITE_ADMIN};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        char *token = harness_token_as(&H, TENANT, "FD", refused[i]);
        long st = http_json(&H, "POST", "/forge/boards/FD", token, "{\"boards\":[]}", NULL);
        ck_assert_msg(st == 403, "caller %u: %ld", refused[i], st);
        free(token);
    }
    ck_assert_int_eq(boards_stored(), 2);
    ck_assert_int_eq(version(), v1);
    /* An empty list removes them: the project has no board. */
    expect("/forge/boards/FD", "{\"boards\":[]}", 200);
    ck_assert_int_eq(boards_stored(), 0);
    d = load();
    ck_assert_uint_eq(d.n_boards, 0);
    ck_assert_ptr_null(d.boards);
}
END_TEST

/* Review L4: the daily reconcile posts the same boards; that must not
 * move the data version (which would drop every cached model and
 * dashboard of the project). A real change moves it. */
START_TEST(same_boards_keep_the_version)
{
    post_page(page(5, "", "", ""));
    static const char TWO[] = "{\"boards\":[" BOARD(90, "Ninety", 4) "," BOARD(84, "EE board", 5) "]}";
    expect("/forge/boards/FD", TWO, 200);
    long long v0 = version();
    /* The same set: again, and in another order. */
    char *resp = NULL;
    ck_assert_int_eq(post("/forge/boards/FD", TWO, &resp), 200);
    ck_assert_ptr_nonnull(strstr(resp, "\"changed\":false"));
    free(resp);
    expect("/forge/boards/FD",
           "{\"boards\":[" BOARD(84, "EE board", 5) "," BOARD(90, "Ninety", 4) "]}", 200);
    ck_assert_int_eq(version(), v0);
    /* A column limit changed: stored, and the version moves. */
    ck_assert_int_eq(post("/forge/boards/FD",
                          "{\"boards\":[" BOARD(90, "Ninety", 6) "," BOARD(84, "EE board", 5) "]}",
                          &resp),
                     200);
    ck_assert_ptr_nonnull(strstr(resp, "\"changed\":true"));
    free(resp);
    long long v1 = version();
    ck_assert_int_gt(v1, v0);
    biq_project_data d = load();
    ck_assert_uint_eq(d.n_boards, 2);
    ck_assert_int_eq(d.boards[1].columns[1].max, 6);
    /* A renamed board, a board fewer, none: each a change. */
    expect("/forge/boards/FD",
           "{\"boards\":[" BOARD(90, "Ninety!", 6) "," BOARD(84, "EE board", 5) "]}", 200);
    ck_assert_int_gt(version(), v1);
    long long v2 = version();
    expect("/forge/boards/FD", "{\"boards\":[" BOARD(84, "EE board", 5) "]}", 200);
    ck_assert_int_gt(version(), v2);
    long long v3 = version();
    expect("/forge/boards/FD", "{\"boards\":[]}", 200);
    ck_assert_int_gt(version(), v3);
    ck_assert_int_eq(boards_stored(), 0);
    /* None again: unchanged. */
    long long v4 = version();
    expect("/forge/boards/FD", "{\"boards\":[]}", 200);
    ck_assert_int_eq(version(), v4);
}
END_TEST

struct load_key {
    const char *project;
    biq_project_data *d;
};

static biq_err load_key_tx(biq_tx *tx, void *ctx)
{
    struct load_key *k = ctx;
    return biq_store_project_load(tx, k->project, ARENA, k->d);
}

/* A site whose Flagged field is named "Impediment flag" (customfield_10099)
 * and has another field named "Flagged": its items are matched by the id
 * on both paths, so FE-1's embedded changelog and FE-2's full-changelog
 * page store the same flag history. */
#define FE_HISTORIES                                                                               \
    "{\"id\":\"200\",\"created\":\"2024-01-02T00:00:00Z\",\"items\":["                              \
    "{\"field\":\"Impediment flag\",\"fieldId\":\"customfield_10099\",\"toString\":\"Impediment\"},"\
    "{\"field\":\"Flagged\",\"fieldId\":\"customfield_10500\",\"toString\":\"not the flag\"}]},"   \
    "{\"id\":\"201\",\"created\":\"2024-01-03T00:00:00Z\",\"items\":["                              \
    "{\"field\":\"Impediment flag\",\"fieldId\":\"customfield_10099\",\"toString\":null}]}"
#define FE_ISSUE(id, key, changelog)                                                               \
    "{\"id\":\"" id "\",\"key\":\"" key "\",\"fields\":{\"project\":{\"id\":\"101\",\"key\":\"FE\"},"   \
    "\"summary\":\"s\",\"status\":{\"id\":\"3\",\"name\":\"In Progress\","                          \
    "\"statusCategory\":{\"key\":\"indeterminate\"}},\"created\":\"2024-01-01T00:00:00Z\","           \
    "\"updated\":\"2024-01-05T00:00:00Z\"},\"changelog\":" changelog "}"

START_TEST(renamed_flagged_field_same_on_both_paths)
{
    expect("/forge/backfill/FE", "{\"total\":2,\"fields\":{\"flagged\":\"customfield_10099\"}}", 200);
    expect("/forge/backfill/FE/page",
           "{\"issues\":[" FE_ISSUE("10101", "FE-1",
                                    "{\"total\":2,\"histories\":[" FE_HISTORIES "]}") "," FE_ISSUE(
               "10102", "FE-2", "{\"total\":2,\"histories\":[]}") "]}",
           200);
    expect("/forge/issues/FE-2/changelog",
           "{\"startAt\":0,\"total\":2,\"values\":[" FE_HISTORIES "]}", 200);
    biq_project_data d;
    struct load_key k = {"FE", &d};
    ck_assert_int_eq(biq_tx_run(POOL, TENANT, load_key_tx, &k), BIQ_OK);
    ck_assert_uint_eq(d.n_issues, 2);
    const biq_issue *embedded = d.issues[0].id == 10101 ? &d.issues[0] : &d.issues[1];
    const biq_issue *paged = d.issues[0].id == 10101 ? &d.issues[1] : &d.issues[0];
    ck_assert_int_eq(paged->id, 10102);
    ck_assert_uint_eq(embedded->n_flag_changes, 2);
    ck_assert_uint_eq(paged->n_flag_changes, embedded->n_flag_changes);
    for (size_t i = 0; i < embedded->n_flag_changes; i++) {
        const biq_flag_change *e = &embedded->flag_changes[i], *p = &paged->flag_changes[i];
        ck_assert_int_eq(p->history_id, e->history_id);
        ck_assert_int_eq(p->item_index, e->item_index);
        ck_assert_int_eq(p->at, e->at);
        ck_assert(p->flagged == e->flagged);
    }
    ck_assert(embedded->flag_changes[0].flagged && !embedded->flag_changes[1].flagged);
    ck_assert_int_eq(embedded->flag_changes[0].at, JAN2);
    /* The field named "Flagged" is not the flag on either path. */
    ck_assert_int_eq(harness_count(&H, "SELECT count(*) FROM flag_changes WHERE history_id = 200"
                                       " AND item_index = 1"),
                     0);
}
END_TEST

START_TEST(backfill_refuses_a_bad_flagged_field)
{
    char *resp = NULL;
    long st = post("/forge/backfill/FD", "{\"total\":1,\"fields\":{\"flagged\":\"summary\"}}", &resp);
    ck_assert_int_eq(st, 422);
    ck_assert_ptr_nonnull(strstr(resp, "fields.flagged"));
    free(resp);
    ck_assert_int_eq(harness_count(&H, "SELECT count(*) FROM backfills WHERE flagged_field ="
                                       " 'customfield_10021'"),
                     1);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("flow_data_store");
    TCase *tc = tcase_create("flow_data_store");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, page_round_trips_every_field);
    tcase_add_test(tc, newest_updated_wins_and_links_follow);
    tcase_add_test(tc, boards_replace_and_choose);
    tcase_add_test(tc, same_boards_keep_the_version);
    tcase_add_test(tc, backfill_refuses_a_bad_flagged_field);
    tcase_add_test(tc, renamed_flagged_field_same_on_both_paths);
    suite_add_tcase(s, tc);
    return s;
}
