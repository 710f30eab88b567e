/* fuzz_tzif.c - biq_tz_parse (tz/tzif.c) on TZif bytes (RFC 8536,
 * versions 1-4, footer included): the zone files are read from the system
 * but a broken or hostile one must still be refused cleanly.
 * Properties: BIQ_OK or BIQ_ERR_INVALID only (the arena is large enough
 * for BIQ_TZ_FILE_MAX), *out set only on success, and an accepted zone
 * has the properties of fuzz_tz.h.
 */
#include "fuzz_tz.h"

enum { ARENA_LIMIT = 8 << 20 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    biq_arena *arena = biq_arena_new(ARENA_LIMIT);
    FUZZ_CHECK(arena != NULL);
    biq_tz *tz = NULL;
    biq_err err = biq_tz_parse(data, size, "Fuzz/Zone", arena, &tz);
    if (err == BIQ_OK) {
        FUZZ_CHECK(tz != NULL && tz->n_types >= 1 && tz->n_trans <= BIQ_TZ_MAX_TRANSITIONS);
        for (uint32_t i = 0; i < tz->n_trans; i++) {
            FUZZ_CHECK(tz->trans_idx[i] < tz->n_types);
            FUZZ_CHECK(i == 0 || tz->trans[i - 1] < tz->trans[i]);
        }
        fuzz_tz_check(tz, data, size);
    } else {
        FUZZ_CHECK(err == BIQ_ERR_INVALID && tz == NULL);
    }
    biq_arena_free(arena);
    return 0;
}
