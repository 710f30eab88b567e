/* fuzz_ingest_issue_page.c - biq_parse_issue_page (ingest/ingest.h): search
 * and search/jql pages, bare issue arrays, embedded statuses[] and
 * sprints[]. Properties: the error contract; an accepted page stays within
 * the BIQ_INGEST_* limits and every issue has a non-empty id and key.
 */
#include "fuzz_ingest.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *root = fuzz_load(data, size);
    if (root == NULL)
        return 0;
    biq_field_ids fields = biq_field_ids_default();
    biq_arena *arena = fuzz_arena();
    biq_parse_error perr;
    biq_issue_page page;
    if (biq_parse_issue_page(root, &fields, arena, &page, &perr) != BIQ_OK) {
        /* Reset to the empty page (counts -1), not all-zero bytes as
         * ingest.h's shared contract says: see the report. */
        FUZZ_CHECK(page.issues == NULL && page.n_issues == 0 && page.next_page_token == NULL);
        FUZZ_CHECK(page.start_at == -1 && page.max_results == -1 && page.total == -1);
        FUZZ_CHECK(!page.has_is_last && !page.is_last && page.statuses == NULL &&
                   page.n_statuses == 0 && page.sprints == NULL && page.n_sprints == 0);
        fuzz_check_perr(&perr);
    } else {
        FUZZ_CHECK(page.n_issues <= BIQ_INGEST_ISSUES_MAX);
        FUZZ_CHECK(page.n_statuses <= BIQ_INGEST_CATALOG_MAX &&
                   page.n_sprints <= BIQ_INGEST_CATALOG_MAX);
        for (size_t i = 0; i < page.n_issues; i++)
            FUZZ_CHECK(page.issues[i].key != NULL && page.issues[i].key[0] != '\0');
    }
    biq_arena_free(arena);
    json_decref(root);
    return 0;
}
