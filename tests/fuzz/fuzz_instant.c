/* fuzz_instant.c - biq_parse_instant (ingest/ingest.h), Jira's timestamp
 * syntax. Properties: an accepted instant lies within years 0001-9999 give
 * or take the 18 h offset bound, parsing is deterministic, and the same text
 * followed by a NUL or a space is refused (no trailing bytes).
 */
#include <string.h>

#include "fuzz.h"
#include "ingest/ingest.h"

/* 0001-01-01T00:00:00Z - 18 h and 9999-12-31T23:59:59.999Z + 18 h, in ms. */
#define INSTANT_MIN (INT64_C(-62135596800000) - INT64_C(18) * 3600 * 1000)
#define INSTANT_MAX (INT64_C(253402300799999) + INT64_C(18) * 3600 * 1000)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    biq_ms at = 0, again = 1;
    if (biq_parse_instant((const char *)data, size, &at) != BIQ_OK)
        return 0;
    FUZZ_CHECK(at >= INSTANT_MIN && at <= INSTANT_MAX);
    FUZZ_CHECK(biq_parse_instant((const char *)data, size, &again) == BIQ_OK && again == at);
    char *longer = malloc(size + 1);
    FUZZ_CHECK(longer != NULL);
    memcpy(longer, data, size);
    longer[size] = '\0';
    FUZZ_CHECK(biq_parse_instant(longer, size + 1, &again) != BIQ_OK);
    longer[size] = ' ';
    FUZZ_CHECK(biq_parse_instant(longer, size + 1, &again) != BIQ_OK);
    free(longer);
    return 0;
}
