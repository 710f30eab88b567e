/* fuzz_ingest.h - the common part of the Jira parser harnesses: load the
 * bytes with biq_ingest_load (size, depth, duplicate, NUL and UTF-8 rules),
 * check the error contract, and hand a fresh arena to the parser under test.
 * Header-only (static inline) so each harness stays one translation unit.
 */
#ifndef BIQ_FUZZ_INGEST_H
#define BIQ_FUZZ_INGEST_H

#include <string.h>

#include "common/arena.h"
#include "fuzz.h"
#include "ingest/ingest.h"

/* Arena limit per input: far above what a corpus-sized body needs, and small
 * enough that libFuzzer's RSS limit is never the finding. */
#define FUZZ_ARENA_LIMIT ((size_t)64 * 1024 * 1024)

/* A parse error must be NUL-terminated and non-empty, with the message
 * starting with the path. */
static inline void fuzz_check_perr(const biq_parse_error *perr)
{
    FUZZ_CHECK(memchr(perr->path, '\0', sizeof perr->path) != NULL && perr->path[0] != '\0');
    FUZZ_CHECK(memchr(perr->message, '\0', sizeof perr->message) != NULL);
    FUZZ_CHECK(strncmp(perr->message, perr->path, strlen(perr->path)) == 0);
}

/* Loads data; NULL (after checking the error) when the body is refused. */
static inline json_t *fuzz_load(const uint8_t *data, size_t size)
{
    json_t *root = (json_t *)1;
    biq_parse_error perr;
    if (biq_ingest_load((const char *)data, size, &root, &perr) != BIQ_OK) {
        FUZZ_CHECK(root == NULL);
        fuzz_check_perr(&perr);
        return NULL;
    }
    FUZZ_CHECK(root != NULL);
    return root;
}

static inline biq_arena *fuzz_arena(void)
{
    biq_arena *a = biq_arena_new(FUZZ_ARENA_LIMIT);
    FUZZ_CHECK(a != NULL);
    return a;
}

#endif
