/* analyze.h - `biq analyze` with its output stream injectable, for tests.
 *
 * biq_cli_analyze() (commands.h) is biq_cli_analyze_run(stdout, stderr, ...).
 */
#ifndef BIQ_CLI_ANALYZE_H
#define BIQ_CLI_ANALYZE_H

#include <stdio.h>

/* Runs `biq analyze` with argv (the arguments after "analyze"), writing the
 * report to out and diagnostics to err. Returns the exit status: 0 ok,
 * 1 unreadable or unparseable input, 2 usage. Reads the named files only;
 * no database, no network, no clock unless `--now now`. Thread-compatible
 * (no shared state), though the report goes to the streams given. */
int biq_cli_analyze_run(FILE *out, FILE *err, int argc, char **argv);

#endif
