/* test_api_bodies.c - the pure body parsers behind the Forge routes
 * (api/bodies.h): reconcile ids are plain positive int64 digits (no sign,
 * space, leading zero or overflow saturated to INT64_MAX), refusals name
 * the path, the reconcile record's members and order, the project key
 * shape, the lifecycle body and the catalogue wrapper's paths. */
#include <stdint.h>
#include <string.h>

#include "api/bodies.h"
#include "testsupport.h"

enum { ARENA_LIMIT = 1 << 20 };

/* Parses {"ids": <list>}; the refusal's text (or "") into why. */
static biq_err ids(const char *list, int64_t **out, size_t *n, char *why, biq_arena *a)
{
    char text[512];
    snprintf(text, sizeof text, "{\"ids\":%s}", list);
    json_t *body = json_loads(text, 0, NULL);
    ck_assert_msg(body != NULL, "%s", text);
    why[0] = '\0';
    biq_err err = biq_api_reconcile_ids_parse(body, a, out, n, why, BIQ_API_WHY_MAX);
    json_decref(body);
    return err;
}

START_TEST(reconcile_ids_are_plain_digits)
{
    biq_arena *a = biq_arena_new(ARENA_LIMIT);
    int64_t *v = NULL;
    size_t n = 0;
    char why[BIQ_API_WHY_MAX];
    ck_assert_int_eq(ids("[\"10063\",10064,\"9223372036854775807\",9223372036854775807]", &v, &n,
                         why, a),
                     BIQ_OK);
    ck_assert_uint_eq(n, 4);
    ck_assert(v[0] == 10063 && v[1] == 10064 && v[2] == INT64_MAX && v[3] == INT64_MAX);
    ck_assert_int_eq(ids("[]", &v, &n, why, a), BIQ_OK);
    ck_assert_uint_eq(n, 0);

    static const char *const BAD[] = {
        "\"99999999999999999999\"", /* was stored as INT64_MAX */
        "\"9223372036854775808\"",  /* INT64_MAX + 1 */
        "\" 12\"", "\"+12\"", "\"12 \"", "\"-12\"", "\"\\t12\"", "\"\\n12\"", "\"012\"",
        "\"0\"", "\"\"", "\"1e3\"", "\"0x1f\"", "\"12a\"", "0", "-5", "1.5", "true", "null",
        "[1]", "{}",
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        char list[128];
        snprintf(list, sizeof list, "[7,%s]", BAD[i]);
        v = (int64_t *)1;
        n = 9;
        ck_assert_msg(ids(list, &v, &n, why, a) == BIQ_ERR_SHAPE, "accepted %s", list);
        ck_assert_msg(strncmp(why, "ids[1]: ", 8) == 0, "%s: %s", list, why);
        ck_assert(v == NULL && n == 0);
    }
    ck_assert_int_eq(ids("\"1,3\"", &v, &n, why, a), BIQ_ERR_SHAPE);
    ck_assert_str_eq(why, "ids: expected a list of at most 1000000 ids");
    biq_arena_free(a);
}
END_TEST

static biq_err record(const char *text, biq_api_reconcile *r, char *why)
{
    json_t *body = json_loads(text, 0, NULL);
    ck_assert_msg(body != NULL, "%s", text);
    why[0] = '\0';
    biq_err err = biq_api_reconcile_parse(body, r, why, BIQ_API_WHY_MAX);
    json_decref(body);
    return err;
}

START_TEST(reconcile_record_members)
{
    biq_api_reconcile r;
    char why[BIQ_API_WHY_MAX];
    ck_assert_int_eq(record("{\"startedAt\":\"2026-01-02T03:00:00Z\",\"finishedAt\":"
                            "\"2026-01-02T03:05:00Z\",\"projects\":[\"A\",\"B\"],\"issues\":40}",
                            &r, why),
                     BIQ_OK);
    ck_assert(r.finished - r.started == 300000 && r.projects == 2 && r.issues == 40);
    ck_assert_int_eq(record("{\"startedAt\":\"yesterday\"}", &r, why), BIQ_ERR_SHAPE);
    ck_assert_str_eq(why, "startedAt: expected an ISO 8601 instant");
    ck_assert_int_eq(record("{\"startedAt\":\"2026-01-02T03:00:00Z\",\"finishedAt\":"
                            "\"2026-01-01T00:00:00Z\"}", &r, why),
                     BIQ_ERR_SHAPE);
    ck_assert_str_eq(why, "finishedAt: earlier than startedAt");
    ck_assert_int_eq(record("{\"startedAt\":\"2026-01-02T03:00:00Z\",\"finishedAt\":"
                            "\"2026-01-02T03:00:00Z\",\"issues\":2147483648}", &r, why),
                     BIQ_ERR_SHAPE);
    ck_assert_str_eq(why, "issues: expected a count or a list");
}
END_TEST

START_TEST(project_key_shape)
{
    char longest[BIQ_INGEST_KEY_MAX + 2];
    memset(longest, 'A', sizeof longest - 1);
    longest[BIQ_INGEST_KEY_MAX] = '\0';
    ck_assert(biq_ingest_project_key_ok("R"));
    ck_assert(biq_ingest_project_key_ok("FLOW_2"));
    ck_assert(biq_ingest_project_key_ok(longest));
    longest[BIQ_INGEST_KEY_MAX] = 'A';
    longest[BIQ_INGEST_KEY_MAX + 1] = '\0';
    ck_assert(!biq_ingest_project_key_ok(longest));
    static const char *const BAD[] = {"", "r", "1A", "_A", "A-1", "A 1", "A.B", "ÄB", "AB\x7f"};
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++)
        ck_assert_msg(!biq_ingest_project_key_ok(BAD[i]), "%s", BAD[i]);
}
END_TEST

START_TEST(lifecycle_body)
{
    json_t *b = json_loads("{\"payload\":{\"eventType\":\"avi:forge:installed:app\","
                           "\"context\":\"ari:cloud:jira::site/c0ffee-1\"}}", 0, NULL);
    biq_tenant_ctx ctx = {0};
    ck_assert_str_eq(biq_api_lifecycle_type(b), "avi:forge:installed:app");
    biq_api_lifecycle_cloud_id(b, &ctx);
    ck_assert_str_eq(ctx.cloud_id, "c0ffee-1");
    json_decref(b);
    b = json_loads("{\"eventType\":7,\"context\":\"ari:cloud:jira::site/a/b\"}", 0, NULL);
    memset(&ctx, 0, sizeof ctx);
    ck_assert_ptr_null(biq_api_lifecycle_type(b));
    biq_api_lifecycle_cloud_id(b, &ctx);
    ck_assert_str_eq(ctx.cloud_id, "");
    json_decref(b);
}
END_TEST

START_TEST(catalogue_paths)
{
    biq_arena *a = biq_arena_new(ARENA_LIMIT);
    biq_api_catalog cat;
    biq_parse_error perr = {{0}, {0}};
    json_t *b = json_loads("{\"statuses\":[{\"id\":\"1\",\"name\":\"To Do\",\"statusCategory\":"
                           "{\"key\":\"new\"}}],\"sprints\":[{\"id\":\"x\"}]}", 0, NULL);
    ck_assert_int_ne(biq_api_catalog_parse(b, NULL, a, &cat, &perr), BIQ_OK);
    ck_assert_msg(strncmp(perr.message, "sprints[0].id: ", 15) == 0, "%s", perr.message);
    json_decref(b);
    b = json_loads("[]", 0, NULL);
    ck_assert_int_eq(biq_api_catalog_parse(b, NULL, a, &cat, &perr), BIQ_ERR_SHAPE);
    ck_assert_str_eq(perr.message, "body: expected an object");
    ck_assert_str_eq(perr.path, "body");
    json_decref(b);
    biq_arena_free(a);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("api_bodies");
    TCase *tc = tcase_create("bodies");
    tcase_add_test(tc, reconcile_ids_are_plain_digits);
    tcase_add_test(tc, reconcile_record_members);
    tcase_add_test(tc, project_key_shape);
    tcase_add_test(tc, lifecycle_body);
    tcase_add_test(tc, catalogue_paths);
    suite_add_tcase(s, tc);
    return s;
}
