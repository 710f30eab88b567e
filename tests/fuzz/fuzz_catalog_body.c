/* fuzz_catalog_body.c - the catalogue wrapper of POST /forge/catalog
 * (biq_api_catalog_parse, api/ingest.c): {statuses?, sprints?, projects?}
 * loaded with biq_ingest_load, each member handed to its ingest parser
 * (those are fuzzed alone by fuzz_ingest_catalog) and refusals prefixed
 * with the member.
 * Properties: a refusal's message is NUL-terminated and starts with
 * "statuses", "sprints", "projects" or "body:"; accepted lists stay within
 * BIQ_INGEST_CATALOG_MAX, have a pointer when non-empty, and a member that
 * is absent gives an empty list.
 */
#include "api/bodies.h"
#include "fuzz_ingest.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *root = fuzz_load(data, size);
    if (root == NULL)
        return 0;
    biq_arena *arena = fuzz_arena();
    biq_api_catalog cat;
    biq_parse_error perr;
    memset(&perr, 0, sizeof perr);
    biq_err err = biq_api_catalog_parse(root, NULL, arena, &cat, &perr);
    if (err != BIQ_OK) {
        FUZZ_CHECK(memchr(perr.message, '\0', sizeof perr.message) != NULL);
        FUZZ_CHECK(memchr(perr.path, '\0', sizeof perr.path) != NULL);
        FUZZ_CHECK(starts(perr.message, "statuses") || starts(perr.message, "sprints") ||
                   starts(perr.message, "projects") || starts(perr.message, "body:"));
    } else {
        FUZZ_CHECK(json_is_object(root));
        FUZZ_CHECK(cat.n_statuses <= BIQ_INGEST_CATALOG_MAX && cat.n_sprints <= BIQ_INGEST_CATALOG_MAX &&
                   cat.n_projects <= BIQ_INGEST_CATALOG_MAX);
        FUZZ_CHECK(cat.n_statuses == 0 || cat.statuses != NULL);
        FUZZ_CHECK(cat.n_sprints == 0 || cat.sprints != NULL);
        FUZZ_CHECK(cat.n_projects == 0 || cat.projects != NULL);
        FUZZ_CHECK(json_object_get(root, "statuses") != NULL || cat.n_statuses == 0);
        FUZZ_CHECK(json_object_get(root, "sprints") != NULL || cat.n_sprints == 0);
        FUZZ_CHECK(json_object_get(root, "projects") != NULL || cat.n_projects == 0);
    }
    biq_arena_free(arena);
    json_decref(root);
    return 0;
}
