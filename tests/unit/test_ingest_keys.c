/* test_ingest_keys.c - project and issue keys in Jira's shapes at ingest:
 * the shape checks table-driven, and a page or project list with a key
 * that is not one refused whole with 422's error naming the JSON path. */
#include <stdio.h>
#include <string.h>

#include "ingest/ingest.h"
#include "testsupport.h"

typedef struct key_case {
    const char *key;
    bool ok;
} key_case;

START_TEST(project_key_shapes)
{
    static const key_case cases[] = {
        {"EE", true},   {"K5", true},     {"PRJA", true}, {"A_B9", true}, {"A", true},
        {"", false},    {"ee", false},    {"5K", false},  {"_A", false},  {"E-E", false},
        {"EE\r\nBcc: x", false}, {"<!channel>", false}, {"EE ", false}, {"\xC3\x89" "E", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_msg(biq_ingest_project_key_ok(cases[i].key) == cases[i].ok, "%s", cases[i].key);
}
END_TEST

START_TEST(issue_key_shapes)
{
    static const key_case cases[] = {
        {"EE-1", true},     {"TEST-123", true}, {"K5-4", true},   {"A_B-10", true},
        {"EE-0", false},    {"EE-01", false},   {"EE-", false},   {"EE", false},
        {"-1", false},      {"ee-1", false},    {"EE-1a", false}, {"EE-1-2", false},
        {"EE-1\r\n", false}, {"EE--1", false},  {"EE-+1", false}, {"EE-1 ", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_msg(biq_ingest_issue_key_ok(cases[i].key) == cases[i].ok, "%s", cases[i].key);
}
END_TEST

static void refused(const char *text, const char *want)
{
    biq_parse_error perr = {0};
    biq_issue_page page;
    biq_arena *arena = biq_arena_new(1 << 20);
    json_t *root = json_loads(text, 0, NULL);
    ck_assert_ptr_nonnull(root);
    ck_assert_int_eq(biq_parse_issue_page(root, NULL, arena, &page, &perr), BIQ_ERR_SHAPE);
    ck_assert_msg(strncmp(perr.message, want, strlen(want)) == 0, "'%s' is not '%s...'",
                  perr.message, want);
    json_decref(root);
    biq_arena_free(arena);
}

static const char ISSUE[] =
    "{\"issues\":[{\"id\":\"1\",\"key\":\"%s\",\"fields\":{\"project\":{\"id\":\"1\",\"key\":\"%s\"},"
    "\"status\":{\"id\":\"3\",\"name\":\"To Do\",\"statusCategory\":{\"key\":\"new\"}},"
    "\"created\":\"2020-06-12T09:45:13.360+0800\"}}]}";

START_TEST(bad_keys_are_refused_with_their_path)
{
    char body[1024];
    snprintf(body, sizeof body, ISSUE, "EE-1\\r\\nBcc: a@b.c", "EE");
    refused(body, "issues[0].key: not a Jira issue key");
    snprintf(body, sizeof body, ISSUE, "EE-1", "EE\\r\\nX-Injected: 1");
    refused(body, "issues[0].fields.project.key: not a Jira project key");
    snprintf(body, sizeof body, ISSUE, "EE-1", "<!channel>");
    refused(body, "issues[0].fields.project.key: not a Jira project key");
    /* The good ones pass. */
    biq_parse_error perr = {0};
    biq_issue_page page;
    biq_arena *arena = biq_arena_new(1 << 20);
    snprintf(body, sizeof body, ISSUE, "EE-1", "EE");
    json_t *root = json_loads(body, 0, NULL);
    ck_assert_int_eq(biq_parse_issue_page(root, NULL, arena, &page, &perr), BIQ_OK);
    json_decref(root);
    /* A project list too. */
    const biq_project *projects;
    size_t n;
    root = json_loads("[{\"id\":\"1\",\"key\":\"EE\"},{\"id\":\"2\",\"key\":\"e e\"}]", 0, NULL);
    ck_assert_int_eq(biq_parse_projects(root, arena, &projects, &n, &perr), BIQ_ERR_SHAPE);
    ck_assert_msg(strncmp(perr.message, "[1].key: not a Jira project key", 31) == 0, "%s",
                  perr.message);
    json_decref(root);
    biq_arena_free(arena);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("ingest_keys");
    TCase *tc = tcase_create("keys");
    tcase_add_test(tc, project_key_shapes);
    tcase_add_test(tc, issue_key_shapes);
    tcase_add_test(tc, bad_keys_are_refused_with_their_path);
    suite_add_tcase(s, tc);
    return s;
}
