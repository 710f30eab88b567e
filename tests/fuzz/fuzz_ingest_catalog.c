/* fuzz_ingest_catalog.c - biq_parse_statuses, biq_parse_sprints and
 * biq_parse_projects (ingest/ingest.h), all three on every input (the
 * shapes overlap: arrays or {values[]}). Properties: the error contract
 * (NULL result, zero count, path in the message); accepted lists stay
 * within BIQ_INGEST_CATALOG_MAX; statuses have unique ids (de-duplicated);
 * projects have a key.
 */
#include "fuzz_ingest.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static void statuses(const json_t *root)
{
    biq_arena *arena = fuzz_arena();
    biq_parse_error perr;
    const biq_status *out = (const biq_status *)1;
    size_t n = 7;
    if (biq_parse_statuses(root, arena, &out, &n, &perr) != BIQ_OK) {
        FUZZ_CHECK(out == NULL && n == 0);
        fuzz_check_perr(&perr);
    } else {
        FUZZ_CHECK(n <= BIQ_INGEST_CATALOG_MAX);
        for (size_t i = 1; i < n && i < 64; i++)
            for (size_t j = 0; j < i; j++)
                FUZZ_CHECK(out[i].id != out[j].id);
    }
    biq_arena_free(arena);
}

static void sprints(const json_t *root)
{
    biq_arena *arena = fuzz_arena();
    biq_parse_error perr;
    const biq_sprint *out = (const biq_sprint *)1;
    size_t n = 7;
    if (biq_parse_sprints(root, arena, &out, &n, &perr) != BIQ_OK) {
        FUZZ_CHECK(out == NULL && n == 0);
        fuzz_check_perr(&perr);
    } else {
        FUZZ_CHECK(n <= BIQ_INGEST_CATALOG_MAX);
    }
    biq_arena_free(arena);
}

static void projects(const json_t *root)
{
    biq_arena *arena = fuzz_arena();
    biq_parse_error perr;
    const biq_project *out = (const biq_project *)1;
    size_t n = 7;
    if (biq_parse_projects(root, arena, &out, &n, &perr) != BIQ_OK) {
        FUZZ_CHECK(out == NULL && n == 0);
        fuzz_check_perr(&perr);
    } else {
        FUZZ_CHECK(n <= BIQ_INGEST_CATALOG_MAX);
        for (size_t i = 0; i < n; i++)
            FUZZ_CHECK(out[i].key != NULL);
    }
    biq_arena_free(arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *root = fuzz_load(data, size);
    if (root == NULL)
        return 0;
    statuses(root);
    sprints(root);
    projects(root);
    json_decref(root);
    return 0;
}
