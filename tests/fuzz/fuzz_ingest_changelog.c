/* fuzz_ingest_changelog.c - biq_parse_changelog_page (ingest/ingest.h):
 * /issue/{id}/changelog pages. Properties: the error contract; an accepted
 * page stays within the history and item limits, and every transition has
 * an instant.
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
    biq_arena *arena = fuzz_arena();
    biq_parse_error perr;
    biq_changelog_page page;
    if (biq_parse_changelog_page(root, arena, &page, &perr) != BIQ_OK) {
        /* Reset to the empty page (counts -1), not all-zero bytes as
         * ingest.h's shared contract says: see the report. */
        FUZZ_CHECK(page.transitions == NULL && page.n_transitions == 0 && page.n_histories == 0);
        FUZZ_CHECK(page.start_at == -1 && page.max_results == -1 && page.total == -1);
        FUZZ_CHECK(!page.has_is_last && !page.is_last);
        fuzz_check_perr(&perr);
    } else {
        FUZZ_CHECK(page.n_histories >= 0 && page.n_histories <= BIQ_INGEST_HISTORIES_MAX);
        for (size_t i = 0; i < page.n_transitions; i++) {
            const biq_transition *t = &page.transitions[i];
            FUZZ_CHECK(t->item_index >= 0 && t->item_index < BIQ_INGEST_ITEMS_MAX &&
                       t->at != BIQ_MS_NONE);
            /* No ordering check on (history_id, item_index): a page may
             * repeat a history id and the parser keeps both copies (see
             * corpus crash-8cfd98d6..., reported). */
        }
    }
    biq_arena_free(arena);
    json_decref(root);
    return 0;
}
