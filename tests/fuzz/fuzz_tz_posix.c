/* fuzz_tz_posix.c - the POSIX TZ string parser (tz/posixtz.c, reached by
 * biq_tz_from_posix and by a TZif file's footer): "CET-1CEST,M3.5.0,
 * M10.5.0/3", "<+0330>-3:30", "EST5EDT,J60/2,300/-1" ...
 * Input: the string (up to the first NUL). Properties: biq_tz_posix_parse
 * and biq_tz_from_posix agree; an accepted rule's standard offset is
 * below 25 h (hh <= 24), its daylight one below 26 h (std + 1 h by
 * default); the zone has the properties of fuzz_tz.h.
 */
#include <string.h>

#include "fuzz_tz.h"

enum { ARENA_LIMIT = 1 << 20, TEXT_MAX = 4096 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > TEXT_MAX)
        return 0;
    char *text = malloc(size + 1);
    FUZZ_CHECK(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0';
    biq_tz_posix rule;
    memset(&rule, 0xa5, sizeof rule);
    bool ok = biq_tz_posix_parse(text, &rule);
    if (ok) {
        FUZZ_CHECK(rule.std_off > -25 * 3600 && rule.std_off < 25 * 3600);
        FUZZ_CHECK(!rule.has_dst || (rule.dst_off > -26 * 3600 && rule.dst_off < 26 * 3600));
    }
    biq_arena *arena = biq_arena_new(ARENA_LIMIT);
    FUZZ_CHECK(arena != NULL);
    biq_tz *tz = NULL;
    biq_err err = biq_tz_from_posix(text, "Fuzz/Posix", arena, &tz);
    FUZZ_CHECK((err == BIQ_OK) == ok);
    if (err == BIQ_OK) {
        FUZZ_CHECK(tz != NULL);
        fuzz_tz_check(tz, data, size);
    } else {
        FUZZ_CHECK(err == BIQ_ERR_INVALID && tz == NULL);
    }
    biq_arena_free(arena);
    free(text);
    return 0;
}
