/* test_parse_flowdata.c - issue #15's data through the parsers: resolution,
 * labels, sub-task and parent, the Flagged field and its history, "is
 * blocked by" links dated by the changelog, Sprint history (ids, names
 * resolved against the page's sprints, unreadable items counted), board
 * configurations; on hand-written payloads (expected values worked out by
 * hand below) and on the real captures (counts read from the files).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "ingest/ingest.h"
#include "testsupport.h"

#define ARENA_LIMIT ((size_t)64 * 1024 * 1024)
#define PATH_LEN 1024
/* 2024-01-02T00:00:00Z and the days after it. */
#define JAN2 INT64_C(1704153600000)
#define DAY INT64_C(86400000)

static const biq_field_ids FIELDS = {NULL, "customfield_10020", NULL, "customfield_10021"};

static json_t *parse_json(const char *text)
{
    json_error_t e;
    json_t *root = json_loads(text, 0, &e);
    ck_assert_msg(root != NULL, "test JSON: %s at %d", e.text, e.position);
    return root;
}

static json_t *load_real(const char *rel)
{
    char path[PATH_LEN];
    const char *dir = getenv("BIQ_SHARED_DIR");
    json_error_t e;
    snprintf(path, sizeof path, "%s/realdata/%s", dir && *dir ? dir : "../shared", rel);
    json_t *root = json_load_file(path, JSON_ALLOW_NUL, &e);
    ck_assert_msg(root != NULL, "%s: %s", path, e.text);
    return root;
}

#define BLOCKS_TYPE "\"type\":{\"id\":\"10000\",\"name\":\"Blocks\",\"inward\":\"is blocked by\",\"outward\":\"blocks\"}"
#define FLAG_SET "{\"field\":\"Flagged\",\"fieldtype\":\"custom\",\"fieldId\":\"customfield_10021\",\"from\":null,\"fromString\":null,\"to\":\"[10019]\",\"toString\":\"Impediment\"}"
#define FLAG_CLEAR "{\"field\":\"Flagged\",\"fieldtype\":\"custom\",\"fieldId\":\"customfield_10021\",\"from\":\"[10019]\",\"fromString\":\"Impediment\",\"to\":null,\"toString\":\"\"}"

static const char PAGE[] =
    "{\"startAt\":0,\"maxResults\":50,\"total\":1,"
    "\"sprints\":[{\"id\":38,\"name\":\"EE Sprint 28\",\"state\":\"closed\"},"
    "            {\"id\":40,\"name\":\"EE Sprint 29\",\"state\":\"active\"}],"
    "\"issues\":[{\"id\":\"10010\",\"key\":\"P-10\",\"fields\":{"
    " \"summary\":\"s\",\"status\":{\"id\":\"3\",\"name\":\"In Progress\",\"statusCategory\":{\"key\":\"indeterminate\"}},"
    " \"issuetype\":{\"name\":\"Sub-task\",\"subtask\":true},"
    " \"parent\":{\"id\":\"10001\",\"key\":\"P-1\",\"fields\":{\"summary\":\"parent secret\"}},"
    " \"created\":\"2024-01-01T00:00:00.000+0000\",\"updated\":\"2024-01-05T00:00:00.000+0000\","
    " \"resolution\":{\"id\":\"10000\",\"name\":\"Won't Do\"},\"labels\":[\"backend\",\"customer\"],"
    " \"customfield_10021\":[{\"id\":\"10019\",\"value\":\"Impediment\"}],"
    " \"issuelinks\":["
    "  {\"id\":\"1\"," BLOCKS_TYPE ",\"inwardIssue\":{\"id\":\"10005\",\"key\":\"P-5\",\"fields\":{\"summary\":\"blocker secret\"}}},"
    "  {\"id\":\"2\"," BLOCKS_TYPE ",\"outwardIssue\":{\"id\":\"10006\",\"key\":\"P-6\"}},"
    "  {\"id\":\"3\",\"type\":{\"id\":\"10001\",\"name\":\"Relates\",\"inward\":\"relates to\",\"outward\":\"relates to\"},"
    "   \"inwardIssue\":{\"id\":\"10007\",\"key\":\"P-7\"}},"
    "  {\"id\":\"4\"," BLOCKS_TYPE ",\"inwardIssue\":{\"id\":\"10008\",\"key\":\"P-8\"}},"
    "  {\"id\":\"5\"," BLOCKS_TYPE ",\"inwardIssue\":{\"id\":\"10005\",\"key\":\"P-5\"}}]},"
    " \"changelog\":{\"startAt\":0,\"maxResults\":100,\"total\":3,\"histories\":["
    "  {\"id\":\"100\",\"created\":\"2024-01-02T00:00:00.000+0000\",\"items\":["
    "   {\"field\":\"Link\",\"fieldtype\":\"jira\",\"from\":null,\"fromString\":null,\"to\":\"P-5\",\"toString\":\"This issue is blocked by P-5\"},"
    "   " FLAG_SET "]},"
    "  {\"id\":\"101\",\"created\":\"2024-01-03T00:00:00.000+0000\",\"items\":["
    "   {\"field\":\"status\",\"fieldtype\":\"jira\",\"fieldId\":\"status\",\"from\":\"1\",\"fromString\":\"To Do\",\"to\":\"3\",\"toString\":\"In Progress\"},"
    "   " FLAG_CLEAR ","
    "   {\"field\":\"Sprint\",\"fieldtype\":\"custom\",\"fieldId\":\"customfield_10020\",\"from\":\"38\",\"fromString\":\"EE Sprint 28\",\"to\":\"38, 40\",\"toString\":\"EE Sprint 28, EE Sprint 29\"}]},"
    "  {\"id\":\"102\",\"created\":\"2024-01-04T00:00:00.000+0000\",\"items\":["
    "   {\"field\":\"Link\",\"fieldtype\":\"jira\",\"from\":null,\"fromString\":null,\"to\":\"P-5\",\"toString\":\"This issue is blocked by P-5\"},"
    "   {\"field\":\"Sprint\",\"fieldtype\":\"jira\",\"fieldId\":\"Sprint\",\"from\":null,\"fromString\":\"EE Sprint 29\",\"to\":null,\"toString\":\"EE Sprint 28\"},"
    "   {\"field\":\"Sprint\",\"fieldtype\":\"jira\",\"fieldId\":\"Sprint\",\"from\":null,\"fromString\":\"\",\"to\":null,\"toString\":\"Sprint Nobody Knows\"},"
    "   {\"field\":\"Link\",\"fieldtype\":\"jira\",\"from\":\"P-9\",\"fromString\":\"This issue is blocked by P-9\",\"to\":null,\"toString\":null}]}"
    " ]}}]}";

START_TEST(page_carries_every_new_field)
{
    biq_arena *a = biq_arena_new(ARENA_LIMIT);
    json_t *root = parse_json(PAGE);
    biq_issue_page page;
    biq_parse_error perr;
    ck_assert_msg(biq_parse_issue_page(root, &FIELDS, a, &page, &perr) == BIQ_OK, "%s", perr.message);
    ck_assert_uint_eq(page.n_issues, 1);
    const biq_issue *is = &page.issues[0];
    ck_assert_str_eq(is->resolution, "Won't Do");
    ck_assert_uint_eq(is->n_labels, 2);
    ck_assert_str_eq(is->labels[0], "backend");
    ck_assert_str_eq(is->labels[1], "customer");
    ck_assert(is->is_subtask);
    ck_assert_int_eq(is->parent_id, 10001);
    ck_assert(is->flagged);
    /* Links 1, 4 (5 names 10005 again and counts once); 2 is outward, 3
     * another type. P-5 was added twice: the latest add dates it; P-8 has
     * no Link item. */
    ck_assert_uint_eq(is->n_blocked_by, 2);
    ck_assert_int_eq(is->blocked_by[0].blocker_id, 10005);
    ck_assert_int_eq(is->blocked_by[0].linked_at, JAN2 + 2 * DAY);
    ck_assert_int_eq(is->blocked_by[1].blocker_id, 10008);
    ck_assert_int_eq(is->blocked_by[1].linked_at, BIQ_MS_NONE);
    /* Flagged set on Jan 2 (item 1 of history 100), cleared Jan 3 (item 1 of 101). */
    ck_assert_uint_eq(is->n_flag_changes, 2);
    ck_assert_int_eq(is->flag_changes[0].history_id, 100);
    ck_assert_int_eq(is->flag_changes[0].item_index, 1);
    ck_assert_int_eq(is->flag_changes[0].at, JAN2);
    ck_assert(is->flag_changes[0].flagged);
    ck_assert_int_eq(is->flag_changes[1].history_id, 101);
    ck_assert_int_eq(is->flag_changes[1].item_index, 1);
    ck_assert_int_eq(is->flag_changes[1].at, JAN2 + DAY);
    ck_assert(!is->flag_changes[1].flagged);
    ck_assert_uint_eq(is->n_transitions, 1);
    /* Sprint: ids 38 -> 38, 40; then names "EE Sprint 29" -> "EE Sprint 28"
     * resolved by the page's sprints; the unknown name is skipped, counted. */
    ck_assert_uint_eq(is->n_sprint_changes, 2);
    const biq_sprint_change *sc = &is->sprint_changes[0];
    ck_assert_int_eq(sc->history_id, 101);
    ck_assert_int_eq(sc->item_index, 2);
    ck_assert_uint_eq(sc->n_from, 1);
    ck_assert_int_eq(sc->from_ids[0], 38);
    ck_assert_uint_eq(sc->n_to, 2);
    ck_assert_int_eq(sc->to_ids[0], 38);
    ck_assert_int_eq(sc->to_ids[1], 40);
    sc = &is->sprint_changes[1];
    ck_assert_int_eq(sc->history_id, 102);
    ck_assert_int_eq(sc->item_index, 1);
    ck_assert_int_eq(sc->at, JAN2 + 2 * DAY);
    ck_assert_uint_eq(sc->n_from, 1);
    ck_assert_int_eq(sc->from_ids[0], 40);
    ck_assert_uint_eq(sc->n_to, 1);
    ck_assert_int_eq(sc->to_ids[0], 38);
    ck_assert_int_eq(page.sprint_items_unreadable, 1);
    json_decref(root);
    biq_arena_free(a);
}
END_TEST

/* The Flagged field id decides when known; without it the field's name. */
START_TEST(flagged_matched_by_id_then_name)
{
    biq_arena *a = biq_arena_new(ARENA_LIMIT);
    json_t *root = parse_json(PAGE);
    biq_issue_page page;
    biq_field_ids by_name = {NULL, "customfield_10020", NULL, NULL};
    biq_field_ids other = {NULL, "customfield_10020", NULL, "customfield_99999"};
    ck_assert_int_eq(biq_parse_issue_page(root, &by_name, a, &page, NULL), BIQ_OK);
    ck_assert_uint_eq(page.issues[0].n_flag_changes, 2);
    ck_assert(!page.issues[0].flagged); /* the value is read only by id */
    ck_assert_int_eq(biq_parse_issue_page(root, &other, a, &page, NULL), BIQ_OK);
    ck_assert_uint_eq(page.issues[0].n_flag_changes, 0);
    ck_assert(!page.issues[0].flagged);
    json_decref(root);
    biq_arena_free(a);
}
END_TEST

static biq_err parse_issue_text(const char *fields_json, biq_arena *a, biq_issue_page *page,
                                biq_parse_error *perr)
{
    char *text = NULL;
    size_t n = strlen(fields_json) + 512;
    text = malloc(n);
    ck_assert_ptr_nonnull(text);
    snprintf(text, n,
             "[{\"id\":\"1\",\"key\":\"P-1\",\"fields\":{\"status\":{\"id\":\"3\"},"
             "\"created\":\"2024-01-01T00:00:00Z\",\"updated\":\"2024-01-01T00:00:00Z\"%s}}]",
             fields_json);
    json_t *root = parse_json(text);
    free(text);
    biq_err err = biq_parse_issue_page(root, &FIELDS, a, page, perr);
    json_decref(root);
    return err;
}

/* Limits refuse, never cut: 256 labels pass, 257 do not; 1000 links
 * pass, 1001 do not; absent members give the "none" values. */
START_TEST(limits_and_absent_members)
{
    biq_arena *a = biq_arena_new(ARENA_LIMIT);
    biq_issue_page page;
    biq_parse_error perr;
    size_t cap = 64 * 1024;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    for (int n = BIQ_INGEST_LABELS_MAX; n <= BIQ_INGEST_LABELS_MAX + 1; n++) {
        size_t len = (size_t)snprintf(buf, cap, ",\"labels\":[");
        for (int i = 0; i < n; i++)
            len += (size_t)snprintf(buf + len, cap - len, "%s\"l%d\"", i ? "," : "", i);
        snprintf(buf + len, cap - len, "]");
        biq_err err = parse_issue_text(buf, a, &page, &perr);
        if (n == BIQ_INGEST_LABELS_MAX) {
            ck_assert_int_eq(err, BIQ_OK);
            ck_assert_uint_eq(page.issues[0].n_labels, BIQ_INGEST_LABELS_MAX);
        } else {
            ck_assert_int_eq(err, BIQ_ERR_TOO_LARGE);
            ck_assert_str_eq(perr.path, "[0].fields.labels");
        }
    }
    free(buf);
    cap = 128 * 1024;
    buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    for (int n = BIQ_INGEST_LINKS_MAX; n <= BIQ_INGEST_LINKS_MAX + 1; n++) {
        size_t len = (size_t)snprintf(buf, cap, ",\"issuelinks\":[");
        for (int i = 0; i < n; i++)
            len += (size_t)snprintf(buf + len, cap - len,
                                    "%s{\"type\":{\"inward\":\"is blocked by\"},"
                                    "\"inwardIssue\":{\"id\":\"%d\"}}",
                                    i ? "," : "", i + 1);
        snprintf(buf + len, cap - len, "]");
        biq_err err = parse_issue_text(buf, a, &page, &perr);
        if (n == BIQ_INGEST_LINKS_MAX) {
            ck_assert_int_eq(err, BIQ_OK);
            ck_assert_uint_eq(page.issues[0].n_blocked_by, BIQ_INGEST_LINKS_MAX);
        } else {
            ck_assert_int_eq(err, BIQ_ERR_TOO_LARGE);
        }
    }
    free(buf);
    ck_assert_int_eq(parse_issue_text("", a, &page, NULL), BIQ_OK);
    const biq_issue *is = &page.issues[0];
    ck_assert_ptr_null(is->resolution);
    ck_assert_ptr_null(is->labels);
    ck_assert_uint_eq(is->n_labels, 0);
    ck_assert(!is->is_subtask && !is->flagged);
    ck_assert_int_eq(is->parent_id, 0);
    ck_assert_ptr_null(is->blocked_by);
    ck_assert_uint_eq(is->n_flag_changes + is->n_sprint_changes, 0);
    /* Null Flagged and null resolution are "none", not errors. */
    ck_assert_int_eq(parse_issue_text(",\"customfield_10021\":null,\"resolution\":null", a, &page, NULL),
                     BIQ_OK);
    ck_assert(!page.issues[0].flagged);
    ck_assert_int_eq(parse_issue_text(",\"customfield_10021\":[]", a, &page, NULL), BIQ_OK);
    ck_assert(!page.issues[0].flagged);
    /* Wrong shapes are named by path. */
    ck_assert_int_eq(parse_issue_text(",\"customfield_10021\":\"yes\"", a, &page, &perr),
                     BIQ_ERR_SHAPE);
    ck_assert_str_eq(perr.path, "[0].fields.customfield_10021");
    /* Greenhopper sprint strings where the Flagged id points: another field. */
    ck_assert_int_eq(parse_issue_text(",\"customfield_10021\":[\"com.atlassian.greenhopper.service."
                                      "sprint.Sprint@1[id=1]\"]",
                                      a, &page, &perr),
                     BIQ_ERR_SHAPE);
    ck_assert_int_eq(parse_issue_text(",\"issuelinks\":[{\"type\":{\"inward\":\"is blocked by\"},"
                                      "\"inwardIssue\":{\"key\":\"P-2\"}}]",
                                      a, &page, &perr),
                     BIQ_ERR_SHAPE);
    ck_assert_str_eq(perr.path, "[0].fields.issuelinks[0].inwardIssue.id");
    ck_assert_int_eq(parse_issue_text(",\"labels\":[7]", a, &page, &perr), BIQ_ERR_SHAPE);
    ck_assert_str_eq(perr.path, "[0].fields.labels[0]");
    biq_arena_free(a);
}
END_TEST

/* Sprint id lists: "" is none, malformed lists are unreadable (skipped). */
START_TEST(sprint_id_lists)
{
    static const struct {
        const char *from, *to;
        int ok;
        size_t n_from, n_to;
    } cases[] = {
        {"\"\"", "\"7\"", 1, 0, 1},        {"\"7\"", "\"\"", 1, 1, 0},
        {"null", "\"7, 9\"", 1, 0, 2},     {"\"7,9\"", "\"9\"", 1, 2, 1},
        {"\"7,,9\"", "\"9\"", 0, 0, 0},    {"\"7, \"", "\"9\"", 0, 0, 0},
        {"\"x\"", "\"9\"", 0, 0, 0},       {"\"0\"", "\"9\"", 0, 0, 0},
        {"\"9999999999999999999\"", "\"9\"", 0, 0, 0}, {"\"999999999999999999\"", "\"9\"", 1, 1, 1},
    };
    biq_arena *a = biq_arena_new(ARENA_LIMIT);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024];
        biq_changelog_page page;
        snprintf(text, sizeof text,
                 "{\"values\":[{\"id\":\"5\",\"created\":\"2024-01-01T00:00:00Z\",\"items\":["
                 "{\"field\":\"Sprint\",\"fieldId\":\"customfield_10020\",\"from\":%s,\"to\":%s}]}]}",
                 cases[i].from, cases[i].to);
        json_t *root = parse_json(text);
        ck_assert_int_eq(biq_parse_changelog_page_with(root, &FIELDS, a, &page, NULL), BIQ_OK);
        ck_assert_msg(page.n_sprint_changes == (size_t)cases[i].ok, "case %zu", i);
        ck_assert_int_eq(page.sprint_items_unreadable, !cases[i].ok);
        if (cases[i].ok) {
            ck_assert_uint_eq(page.sprint_changes[0].n_from, cases[i].n_from);
            ck_assert_uint_eq(page.sprint_changes[0].n_to, cases[i].n_to);
        }
        json_decref(root);
    }
    biq_arena_free(a);
}
END_TEST

/* An update event's one history: the Flagged item takes the delivery's
 * timestamp (webhook histories have no `created`). */
START_TEST(event_flag_change)
{
    static const char EVENT[] =
        "{\"webhookEvent\":\"jira:issue_updated\",\"timestamp\":1704153600000,"
        "\"issue\":{\"id\":\"10010\",\"key\":\"P-10\",\"fields\":{\"status\":{\"id\":\"3\"},"
        " \"updated\":\"2024-01-02T00:00:00.000+0000\",\"customfield_10021\":[{\"id\":\"10019\"}],"
        " \"issuelinks\":[{" BLOCKS_TYPE ",\"inwardIssue\":{\"id\":\"10005\",\"key\":\"P-5\"}}]}},"
        "\"changelog\":{\"id\":\"900\",\"items\":[" FLAG_SET ","
        " {\"field\":\"Link\",\"fieldtype\":\"jira\",\"to\":\"P-5\",\"toString\":\"This issue is blocked by P-5\"}]}}";
    biq_arena *a = biq_arena_new(ARENA_LIMIT);
    json_t *root = parse_json(EVENT);
    biq_event ev;
    biq_parse_error perr;
    ck_assert_msg(biq_parse_event(root, &FIELDS, a, &ev, &perr) == BIQ_OK, "%s", perr.message);
    ck_assert_int_eq(ev.kind, BIQ_EVENT_ISSUE_UPSERT);
    ck_assert(ev.issue.flagged);
    ck_assert_uint_eq(ev.issue.n_flag_changes, 1);
    ck_assert_int_eq(ev.issue.flag_changes[0].history_id, 900);
    ck_assert_int_eq(ev.issue.flag_changes[0].at, JAN2);
    ck_assert_uint_eq(ev.issue.n_blocked_by, 1);
    ck_assert_int_eq(ev.issue.blocked_by[0].linked_at, JAN2);
    json_decref(root);
    biq_arena_free(a);
}
END_TEST

/* The documented shape (tests/fixtures/board-configuration.json). */
START_TEST(board_configuration)
{
    static const char BOARD[] =
        "{\"id\":84,\"name\":\"EE board\",\"type\":\"kanban\",\"filter\":{\"id\":\"1001\"},"
        "\"columnConfig\":{\"columns\":[{\"name\":\"To Do\",\"statuses\":[{\"id\":\"10000\"}]},"
        "{\"name\":\"In Progress\",\"statuses\":[{\"id\":\"3\"},{\"id\":\"10002\"}],\"min\":1,\"max\":5},"
        "{\"name\":\"Done\",\"statuses\":[{\"id\":\"10001\"}]},{\"name\":\"Empty\",\"statuses\":[]}],"
        "\"constraintType\":\"issueCount\"}}";
    biq_arena *a = biq_arena_new(ARENA_LIMIT);
    json_t *root = parse_json(BOARD);
    biq_board b;
    ck_assert_int_eq(biq_parse_board(root, a, &b, NULL), BIQ_OK);
    ck_assert_int_eq(b.id, 84);
    ck_assert_str_eq(b.name, "EE board");
    ck_assert_uint_eq(b.n_columns, 4);
    ck_assert_str_eq(b.columns[0].name, "To Do");
    ck_assert_uint_eq(b.columns[0].n_status_ids, 1);
    ck_assert_int_eq(b.columns[0].status_ids[0], 10000);
    ck_assert_int_eq(b.columns[0].min, -1);
    ck_assert_int_eq(b.columns[0].max, -1);
    ck_assert_uint_eq(b.columns[1].n_status_ids, 2);
    ck_assert_int_eq(b.columns[1].status_ids[1], 10002);
    ck_assert_int_eq(b.columns[1].min, 1);
    ck_assert_int_eq(b.columns[1].max, 5);
    ck_assert_uint_eq(b.columns[3].n_status_ids, 0);
    json_decref(root);

    /* The list body: ids unique, at most BIQ_INGEST_BOARDS_MAX. */
    const biq_board *list = NULL;
    size_t n = 0;
    biq_parse_error perr;
    root = parse_json("{\"boards\":[{\"id\":1,\"columnConfig\":{\"columns\":[]}},"
                      "{\"id\":1,\"columnConfig\":{\"columns\":[]}}]}");
    ck_assert_int_eq(biq_parse_boards(root, a, &list, &n, &perr), BIQ_ERR_INVALID);
    ck_assert_str_eq(perr.path, "boards[1]");
    ck_assert_ptr_null(list);
    json_decref(root);
    for (int k = BIQ_INGEST_BOARDS_MAX; k <= BIQ_INGEST_BOARDS_MAX + 1; k++) {
        json_t *arr = json_array();
        for (int i = 0; i < k; i++)
            json_array_append_new(arr, json_pack("{s:i,s:{s:[]}}", "id", i + 1, "columnConfig",
                                                 "columns"));
        root = json_pack("{s:o}", "boards", arr);
        biq_err err = biq_parse_boards(root, a, &list, &n, NULL);
        ck_assert_int_eq(err, k == BIQ_INGEST_BOARDS_MAX ? BIQ_OK : BIQ_ERR_TOO_LARGE);
        ck_assert_uint_eq(n, k == BIQ_INGEST_BOARDS_MAX ? (size_t)k : 0);
        json_decref(root);
    }
    static const struct {
        const char *text, *path;
        biq_err err;
    } bad[] = {
        {"{\"id\":1}", "columnConfig", BIQ_ERR_SHAPE},
        {"{\"id\":1,\"columnConfig\":{\"columns\":[{\"statuses\":[]}]}}", "columnConfig.columns[0].name",
         BIQ_ERR_SHAPE},
        {"{\"id\":1,\"columnConfig\":{\"columns\":[{\"name\":\"a\",\"max\":-1}]}}",
         "columnConfig.columns[0].max", BIQ_ERR_INVALID},
        {"{\"id\":1,\"columnConfig\":{\"columns\":[{\"name\":\"a\",\"min\":100001}]}}",
         "columnConfig.columns[0].min", BIQ_ERR_INVALID},
        {"{\"id\":1,\"columnConfig\":{\"columns\":[{\"name\":\"a\",\"statuses\":[{\"id\":\"x\"}]}]}}",
         "columnConfig.columns[0].statuses[0].id", BIQ_ERR_INVALID},
        {"{\"name\":\"no id\",\"columnConfig\":{\"columns\":[]}}", "id", BIQ_ERR_SHAPE},
        {"[]", "body", BIQ_ERR_SHAPE},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        root = parse_json(bad[i].text);
        ck_assert_int_eq(biq_parse_board(root, a, &b, &perr), bad[i].err);
        ck_assert_msg(strcmp(perr.path, bad[i].path) == 0, "%s: %s", bad[i].text, perr.path);
        ck_assert_uint_eq(b.n_columns, 0);
        json_decref(root);
    }
    /* Exactly the limit passes. */
    root = parse_json("{\"id\":1,\"columnConfig\":{\"columns\":[{\"name\":\"a\",\"max\":100000}]}}");
    ck_assert_int_eq(biq_parse_board(root, a, &b, NULL), BIQ_OK);
    ck_assert_int_eq(b.columns[0].max, BIQ_INGEST_COLUMN_LIMIT_MAX);
    json_decref(root);
    biq_arena_free(a);
}
END_TEST

/* ---- the real captures (counts read from the files by hand) ------------ */

START_TEST(realdata_devlake_page)
{
    biq_arena *a = biq_arena_new(ARENA_LIMIT);
    json_t *root = load_real("devlake-merico/issues-with-changelog.json");
    biq_issue_page page;
    biq_field_ids f = biq_field_ids_default();
    ck_assert_int_eq(biq_parse_issue_page(root, &f, a, &page, NULL), BIQ_OK);
    ck_assert_uint_eq(page.n_issues, 33);
    size_t sprint_changes = 0, labels = 0, subtasks = 0, parents = 0, wont = 0, links = 0, flags = 0;
    for (size_t i = 0; i < page.n_issues; i++) {
        const biq_issue *is = &page.issues[i];
        sprint_changes += is->n_sprint_changes;
        labels += is->n_labels;
        subtasks += is->is_subtask;
        parents += is->parent_id != 0;
        wont += is->resolution && strcmp(is->resolution, "Won't Do") == 0;
        links += is->n_blocked_by;
        flags += is->n_flag_changes + is->flagged;
    }
    ck_assert_uint_eq(sprint_changes, 21);
    ck_assert_uint_eq(labels, 18);
    ck_assert_uint_eq(subtasks, 12);
    ck_assert_uint_eq(parents, 15);
    ck_assert_uint_eq(wont, 5);
    ck_assert_uint_eq(links, 0); /* every issuelinks of the capture is [] */
    ck_assert_uint_eq(flags, 0);
    ck_assert_int_eq(page.sprint_items_unreadable, 0);
    /* EE-1: labels frontEnd, Saas; resolution 完成. */
    ck_assert_str_eq(page.issues[0].key, "EE-1");
    ck_assert_str_eq(page.issues[0].labels[0], "frontEnd");
    ck_assert_str_eq(page.issues[0].labels[1], "Saas");
    ck_assert_str_eq(page.issues[0].resolution, "完成");
    /* EE-17: five Sprint items, newest history first as Jira lists them;
     * 11598 moved it from sprint 7 to 9, 11615 ("" -> "9") re-added 9. */
    const biq_issue *ee17 = &page.issues[12];
    ck_assert_str_eq(ee17->key, "EE-17");
    ck_assert_uint_eq(ee17->n_sprint_changes, 5);
    ck_assert_int_eq(ee17->sprint_changes[3].history_id, 11598);
    ck_assert_int_eq(ee17->sprint_changes[3].from_ids[0], 7);
    ck_assert_int_eq(ee17->sprint_changes[3].to_ids[0], 9);
    ck_assert_int_eq(ee17->sprint_changes[1].history_id, 11615);
    ck_assert_uint_eq(ee17->sprint_changes[1].n_from, 0);
    ck_assert_uint_eq(ee17->sprint_changes[1].n_to, 1);
    /* EE-25: a sub-task of 10063 (EE-1). */
    ck_assert_str_eq(page.issues[17].key, "EE-25");
    ck_assert(page.issues[17].is_subtask);
    ck_assert_int_eq(page.issues[17].parent_id, 10063);
    json_decref(root);
    biq_arena_free(a);
}
END_TEST

START_TEST(realdata_changelog_pages)
{
    biq_arena *a = biq_arena_new(ARENA_LIMIT);
    biq_field_ids f = biq_field_ids_default();
    biq_changelog_page page;
    json_t *root = load_real("devlake-merico/changelog-issue-13954.json");
    ck_assert_int_eq(biq_parse_changelog_page_with(root, &f, a, &page, NULL), BIQ_OK);
    /* 11 Sprint items: 78089 ("" -> 38) first, 107265 last drops 60. */
    ck_assert_uint_eq(page.n_sprint_changes, 11);
    ck_assert_int_eq(page.sprint_changes[0].history_id, 78089);
    ck_assert_uint_eq(page.sprint_changes[0].n_from, 0);
    ck_assert_int_eq(page.sprint_changes[0].to_ids[0], 38);
    ck_assert_int_eq(page.sprint_changes[10].history_id, 107265);
    ck_assert_uint_eq(page.sprint_changes[10].n_from, 10);
    ck_assert_uint_eq(page.sprint_changes[10].n_to, 9);
    ck_assert_int_eq(page.sprint_changes[10].from_ids[9], 60);
    ck_assert_uint_eq(page.n_flag_changes, 0);
    json_decref(root);
    root = load_real("devlake-merico/changelog-issue-13383.json");
    ck_assert_int_eq(biq_parse_changelog_page_with(root, &f, a, &page, NULL), BIQ_OK);
    ck_assert_uint_eq(page.n_sprint_changes, 1);
    ck_assert_int_eq(page.sprint_changes[0].to_ids[0], 34);
    json_decref(root);
    biq_arena_free(a);
}
END_TEST

/* The captured webhook writes the Sprint item with names only and no
 * sprints to resolve them: skipped and counted, never guessed. */
START_TEST(realdata_webhook_sprint_names_only)
{
    biq_arena *a = biq_arena_new(ARENA_LIMIT);
    json_t *root = load_real("jira-webhooks/webhook-issue-updated-sprint.json");
    biq_event ev;
    ck_assert_int_eq(biq_parse_event(root, NULL, a, &ev, NULL), BIQ_OK);
    ck_assert_uint_eq(ev.issue.n_sprint_changes, 0);
    ck_assert_int_eq(ev.sprint_items_unreadable, 1);
    json_decref(root);
    biq_arena_free(a);
}
END_TEST

/* ---- Link items (review L1): only "is blocked by" adds date a blocking
 * link, they are limited, and dating stays correct at the limits. */

#define LINK_ADD(key, text) \
    "{\"field\":\"Link\",\"fieldtype\":\"jira\",\"from\":null,\"fromString\":null,\"to\":\"" key \
    "\",\"toString\":\"" text "\"}"

/* One issue P-1 (as a bare array) with fields.issuelinks = [links] and an
 * embedded changelog of [histories]; parsed with FIELDS. */
static biq_err parse_with_changelog(const char *links, const char *histories, biq_arena *a,
                                    biq_issue_page *page, biq_parse_error *perr)
{
    size_t n = strlen(links) + strlen(histories) + 512;
    char *text = malloc(n);
    ck_assert_ptr_nonnull(text);
    snprintf(text, n,
             "[{\"id\":\"1\",\"key\":\"P-1\",\"fields\":{\"status\":{\"id\":\"3\"},"
             "\"created\":\"2024-01-01T00:00:00Z\",\"updated\":\"2024-01-05T00:00:00Z\","
             "\"issuelinks\":[%s]},\"changelog\":{\"total\":1000,\"histories\":[%s]}}]",
             links, histories);
    json_t *root = parse_json(text);
    free(text);
    biq_err err = biq_parse_issue_page(root, &FIELDS, a, page, perr);
    json_decref(root);
    return err;
}

/* P-5 is both "blocked by" and "relates to"; a later "relates to" add of
 * P-5 and an outward "blocks" add of P-8 do not date the blocking links. */
START_TEST(link_items_of_other_types_do_not_date)
{
    biq_arena *a = biq_arena_new(ARENA_LIMIT);
    biq_issue_page page;
    biq_parse_error perr;
    const char *links =
        "{\"id\":\"1\"," BLOCKS_TYPE ",\"inwardIssue\":{\"id\":\"10005\",\"key\":\"P-5\"}},"
        "{\"id\":\"2\",\"type\":{\"name\":\"Relates\",\"inward\":\"relates to\",\"outward\":\"relates to\"},"
        "\"inwardIssue\":{\"id\":\"10005\",\"key\":\"P-5\"}},"
        "{\"id\":\"3\"," BLOCKS_TYPE ",\"inwardIssue\":{\"id\":\"10008\",\"key\":\"P-8\"}}";
    const char *histories =
        "{\"id\":\"100\",\"created\":\"2024-01-02T00:00:00Z\",\"items\":["
        LINK_ADD("P-5", "This issue is blocked by P-5") "]},"
        "{\"id\":\"101\",\"created\":\"2024-01-03T00:00:00Z\",\"items\":["
        LINK_ADD("P-8", "This issue blocks P-8") "]},"
        "{\"id\":\"102\",\"created\":\"2024-01-04T00:00:00Z\",\"items\":["
        LINK_ADD("P-5", "This issue relates to P-5") "]}";
    ck_assert_msg(parse_with_changelog(links, histories, a, &page, &perr) == BIQ_OK, "%s",
                  perr.message);
    const biq_issue *is = &page.issues[0];
    ck_assert_uint_eq(is->n_blocked_by, 2);
    ck_assert_int_eq(is->blocked_by[0].blocker_id, 10005);
    ck_assert_int_eq(is->blocked_by[0].linked_at, JAN2);
    ck_assert_int_eq(is->blocked_by[1].blocker_id, 10008);
    ck_assert_int_eq(is->blocked_by[1].linked_at, BIQ_MS_NONE);
    /* A Link item without toString (or with null) dates nothing either. */
    ck_assert_int_eq(parse_with_changelog(
                         links,
                         "{\"id\":\"100\",\"created\":\"2024-01-02T00:00:00Z\",\"items\":["
                         "{\"field\":\"Link\",\"to\":\"P-5\"},"
                         "{\"field\":\"Link\",\"to\":\"P-8\",\"toString\":null}]}",
                         a, &page, &perr),
                     BIQ_OK);
    ck_assert_int_eq(page.issues[0].blocked_by[0].linked_at, BIQ_MS_NONE);
    ck_assert_int_eq(page.issues[0].blocked_by[1].linked_at, BIQ_MS_NONE);
    biq_arena_free(a);
}
END_TEST

/* A buffer that grows as text is appended (test-only). */
typedef struct tbuf {
    char *s;
    size_t len, cap;
} tbuf;

static void tbuf_str(tbuf *b, const char *text)
{
    size_t n = strlen(text);
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        ck_assert_ptr_nonnull(b->s);
    }
    memcpy(b->s + b->len, text, n + 1);
    b->len += n;
}

static void tbuf_int(tbuf *b, int v)
{
    char num[16];
    snprintf(num, sizeof num, "%d", v);
    tbuf_str(b, num);
}

static tbuf tbuf_new(void)
{
    tbuf b = {NULL, 0, 0};
    tbuf_str(&b, "");
    return b;
}

/* `"is blocked by"` Link add of key P-<i> (text as Jira words it). */
static void tbuf_link_add(tbuf *b, int i)
{
    tbuf_str(b, "{\"field\":\"Link\",\"fieldtype\":\"jira\",\"to\":\"P-");
    tbuf_int(b, i);
    tbuf_str(b, "\",\"toString\":\"This issue is blocked by P-");
    tbuf_int(b, i);
    tbuf_str(b, "\"}");
}

/* A changelog page of `blocking` "is blocked by" Link adds (keys P-0...,
 * BIQ_INGEST_ITEMS_MAX per history) and one "relates to" add. */
static char *link_items_page(int blocking)
{
    tbuf b = tbuf_new();
    tbuf_str(&b, "{\"startAt\":0,\"total\":1000,\"values\":[");
    int h = 0;
    for (int i = 0; i < blocking; h++) {
        tbuf_str(&b, h ? ",{\"id\":\"" : "{\"id\":\"");
        tbuf_int(&b, h + 1);
        tbuf_str(&b, "\",\"created\":\"2024-01-02T00:00:00Z\",\"items\":[");
        for (int k = 0; k < BIQ_INGEST_ITEMS_MAX && i < blocking; k++, i++) {
            tbuf_str(&b, k ? "," : "");
            tbuf_link_add(&b, i);
        }
        tbuf_str(&b, "]}");
    }
    tbuf_str(&b, ",{\"id\":\"");
    tbuf_int(&b, h + 1);
    tbuf_str(&b, "\",\"created\":\"2024-01-03T00:00:00Z\",\"items\":[" LINK_ADD(
                     "P-1", "This issue relates to P-1") "]}]}");
    return b.s;
}

/* BIQ_INGEST_LINK_ITEMS_MAX "is blocked by" adds pass (the "relates to"
 * one is not counted); one more is refused, never cut. */
START_TEST(link_items_limit)
{
    biq_arena *a = biq_arena_new(ARENA_LIMIT);
    biq_changelog_page page;
    biq_parse_error perr;
    for (int n = BIQ_INGEST_LINK_ITEMS_MAX; n <= BIQ_INGEST_LINK_ITEMS_MAX + 1; n++) {
        char *text = link_items_page(n);
        json_t *root = parse_json(text);
        free(text);
        biq_err err = biq_parse_changelog_page_with(root, &FIELDS, a, &page, &perr);
        json_decref(root);
        if (n == BIQ_INGEST_LINK_ITEMS_MAX) {
            ck_assert_msg(err == BIQ_OK, "%s: %s", perr.path, perr.message);
        } else {
            ck_assert_int_eq(err, BIQ_ERR_TOO_LARGE);
            ck_assert_ptr_nonnull(strstr(perr.message, "Link"));
        }
    }
    biq_arena_free(a);
}
END_TEST

/* BIQ_INGEST_LINKS_MAX blocking links, each added on Jan 2 and the even
 * ones again on Jan 3 (in reverse order): every link gets its latest add. */
START_TEST(link_items_date_every_link_at_the_limits)
{
    biq_arena *a = biq_arena_new(ARENA_LIMIT);
    biq_issue_page page;
    biq_parse_error perr;
    tbuf links = tbuf_new(), hist = tbuf_new();
    tbuf_str(&hist, "{\"id\":\"100\",\"created\":\"2024-01-02T00:00:00Z\",\"items\":[");
    for (int i = 0; i < BIQ_INGEST_LINKS_MAX; i++) {
        tbuf_str(&links, i ? ",{" BLOCKS_TYPE ",\"inwardIssue\":{\"id\":\""
                           : "{" BLOCKS_TYPE ",\"inwardIssue\":{\"id\":\"");
        tbuf_int(&links, 20000 + i);
        tbuf_str(&links, "\",\"key\":\"P-");
        tbuf_int(&links, i);
        tbuf_str(&links, "\"}}");
        tbuf_str(&hist, i ? "," : "");
        tbuf_link_add(&hist, i);
    }
    tbuf_str(&hist, "]},{\"id\":\"101\",\"created\":\"2024-01-03T00:00:00Z\",\"items\":[");
    for (int i = BIQ_INGEST_LINKS_MAX - 2; i >= 0; i -= 2) {
        tbuf_str(&hist, i == BIQ_INGEST_LINKS_MAX - 2 ? "" : ",");
        tbuf_link_add(&hist, i);
    }
    tbuf_str(&hist, "]}");
    ck_assert_msg(parse_with_changelog(links.s, hist.s, a, &page, &perr) == BIQ_OK, "%s",
                  perr.message);
    free(links.s);
    free(hist.s);
    const biq_issue *is = &page.issues[0];
    ck_assert_uint_eq(is->n_blocked_by, BIQ_INGEST_LINKS_MAX);
    for (size_t i = 0; i < is->n_blocked_by; i++) {
        ck_assert_int_eq(is->blocked_by[i].blocker_id, 20000 + (int64_t)i);
        ck_assert_int_eq(is->blocked_by[i].linked_at, i % 2 == 0 ? JAN2 + DAY : JAN2);
    }
    biq_arena_free(a);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("parse_flowdata");
    TCase *tc = tcase_create("flowdata");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, page_carries_every_new_field);
    tcase_add_test(tc, flagged_matched_by_id_then_name);
    tcase_add_test(tc, limits_and_absent_members);
    tcase_add_test(tc, sprint_id_lists);
    tcase_add_test(tc, event_flag_change);
    tcase_add_test(tc, board_configuration);
    tcase_add_test(tc, realdata_devlake_page);
    tcase_add_test(tc, realdata_changelog_pages);
    tcase_add_test(tc, realdata_webhook_sprint_names_only);
    tcase_add_test(tc, link_items_of_other_types_do_not_date);
    tcase_add_test(tc, link_items_limit);
    tcase_add_test(tc, link_items_date_every_link_at_the_limits);
    suite_add_tcase(s, tc);
    return s;
}
