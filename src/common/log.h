/* log.h - structured logging: one JSON object per line.
 *
 * A biq_log is created once by main() and passed to whoever logs. Lines are
 * written whole (one fwrite under the stream lock), so concurrent threads
 * never interleave inside a line. Callers must never pass tokens, secrets,
 * issue summaries or assignee names as fields (security.md section 5).
 */
#ifndef BIQ_LOG_H
#define BIQ_LOG_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

typedef enum biq_log_level {
    BIQ_LOG_DEBUG = 0,
    BIQ_LOG_INFO,
    BIQ_LOG_WARN,
    BIQ_LOG_ERROR,
} biq_log_level;

typedef struct biq_log biq_log;

/* Creates a logger writing to out (not owned) lines at min_level or above.
 * Returns NULL when out of memory. Thread-safe once created. */
biq_log *biq_log_new(FILE *out, biq_log_level min_level);

/* Frees the logger (not the stream). NULL is a no-op. */
void biq_log_free(biq_log *log);

/* Parses "debug", "info", "warn" or "error". Returns false on anything else. */
bool biq_log_level_parse(const char *text, biq_log_level *out);

/* True when lines of this level would be written. NULL log: false. */
bool biq_log_enabled(const biq_log *log, biq_log_level level);

/* Writes {"ts":...,"level":...,"msg":msg, ...fields}. fields is an object or
 * NULL; its reference is stolen (decref'd here) in every case. A NULL log
 * drops the line. Never fails visibly: a line that cannot be built is lost. */
void biq_log_write(biq_log *log, biq_log_level level, const char *msg, json_t *fields);

#endif
