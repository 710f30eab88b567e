/* fuzz_reconcile.c - the reconcile bodies (api/sync.c):
 * biq_api_reconcile_parse (POST /forge/reconcile) and
 * biq_api_reconcile_ids_parse (POST /forge/reconcile/{projectKey}/ids),
 * after biq_request_body_object, plus biq_ingest_project_key_ok on every string.
 *
 * Properties: refusals are BIQ_ERR_SHAPE with "member: ..." or
 * "ids[i]: ..." (NOMEM never, at this size); an accepted record has
 * finishedAt >= startedAt and counts in 0..INT32_MAX; every accepted id
 * is positive and equals its input exactly (a string id prints back to
 * the same digits: no sign, space, leading zero or saturation); an
 * accepted project key is [A-Z][A-Z0-9_]{0,254}.
 */
#include <inttypes.h>
#include <string.h>

#include "api/bodies.h"
#include "fuzz_api_body.h"

enum { ARENA_LIMIT = 64 << 20, DIGITS_BUF = 32 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static void record_side(const json_t *body)
{
    biq_api_reconcile r;
    char why[BIQ_API_WHY_MAX] = "";
    biq_err err = biq_api_reconcile_parse(body, &r, why, sizeof why);
    if (err != BIQ_OK) {
        FUZZ_CHECK(err == BIQ_ERR_SHAPE && strstr(why, ": ") != NULL);
        return;
    }
    FUZZ_CHECK(r.finished >= r.started);
    FUZZ_CHECK(r.projects >= 0 && r.projects <= INT32_MAX && r.issues >= 0 &&
               r.issues <= INT32_MAX);
}

static void ids_side(const json_t *body)
{
    biq_arena *arena = biq_arena_new(ARENA_LIMIT);
    FUZZ_CHECK(arena != NULL);
    int64_t *ids = (int64_t *)1;
    size_t n = 7;
    char why[BIQ_API_WHY_MAX] = "";
    biq_err err = biq_api_reconcile_ids_parse(body, arena, &ids, &n, why, sizeof why);
    if (err != BIQ_OK) {
        FUZZ_CHECK(err == BIQ_ERR_SHAPE && ids == NULL && n == 0);
        FUZZ_CHECK(strncmp(why, "ids", 3) == 0 && strstr(why, ": ") != NULL);
    } else {
        const json_t *list = json_object_get(body, "ids");
        FUZZ_CHECK(n == json_array_size(list));
        for (size_t i = 0; i < n; i++) {
            const json_t *v = json_array_get(list, i);
            FUZZ_CHECK(ids[i] > 0);
            if (json_is_integer(v)) {
                FUZZ_CHECK(ids[i] == json_integer_value(v));
            } else {
                char digits[DIGITS_BUF];
                snprintf(digits, sizeof digits, "%" PRId64, ids[i]);
                FUZZ_CHECK(json_is_string(v) && strcmp(digits, json_string_value(v)) == 0);
            }
        }
    }
    biq_arena_free(arena);
}

static void key_side(const json_t *v, int depth)
{
    const char *key;
    size_t i;
    json_t *m;
    if (depth > 4)
        return;
    if (json_is_string(v) && biq_ingest_project_key_ok(json_string_value(v))) {
        const char *s = json_string_value(v);
        size_t n = strlen(s);
        FUZZ_CHECK(n >= 1 && n <= BIQ_INGEST_KEY_MAX && s[0] >= 'A' && s[0] <= 'Z');
        FUZZ_CHECK(strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == n);
    } else if (json_is_object(v)) {
        json_object_foreach((json_t *)v, key, m) {
            FUZZ_CHECK(!biq_ingest_project_key_ok(key) || (key[0] >= 'A' && key[0] <= 'Z'));
            key_side(m, depth + 1);
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, m) key_side(m, depth + 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *body = fuzz_api_body(data, size);
    if (body == NULL)
        return 0;
    record_side(body);
    ids_side(body);
    key_side(body, 0);
    json_decref(body);
    return 0;
}
