/* fuzz.h - what every libFuzzer harness in tests/fuzz shares.
 *
 * Each fuzz_<name>.c defines both entry points below and is linked two ways:
 *   - with libFuzzer (`make fuzz`, build-fuzz/, -fsanitize=fuzzer,address,
 *     undefined) to search for new inputs (scripts/fuzz.sh);
 *   - with replay_main.c into $(BUILD)/tests/fuzz/ (`make tests`), which runs
 *     the checked-in corpus tests/fuzz/corpus/<name>/ once in every
 *     `make test`, in the plain and the ASan+UBSan builds.
 * A harness aborts on a broken property (not only on a sanitizer report), so
 * findings are real bugs, and frees everything it takes (leak checking is on).
 */
#ifndef BIQ_FUZZ_H
#define BIQ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The fixed clock and app of the token harnesses: 2026-01-01T00:00:00Z. */
#define FUZZ_NOW INT64_C(1767225600)
#define FUZZ_APP_ID "ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000000a1"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with a message when a harness property does not hold. */
#define FUZZ_CHECK(cond)                                                                 \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                     \
        }                                                                                \
    } while (0)

#endif
