/* analyze_run.h - runs `biq analyze` in-process (biq_cli_analyze_run) with
 * its standard output and error captured, for the analyze tests. */
#ifndef BIQ_TEST_ANALYZE_RUN_H
#define BIQ_TEST_ANALYZE_RUN_H

#include <stddef.h>

enum { ANALYZE_RUN_ARGS_MAX = 256 };

typedef struct analyze_output {
    int rc;          /* biq_cli_analyze_run's exit status */
    char *out, *err; /* what it printed (malloc'd, NUL-terminated) */
} analyze_output;

/* Runs `biq analyze` with args[0..n) (n <= ANALYZE_RUN_ARGS_MAX); a failed
 * precondition fails the test. */
analyze_output analyze_run(const char *const *args, size_t n);

/* Frees what analyze_run returned. */
void analyze_run_free(analyze_output *r);

#endif
