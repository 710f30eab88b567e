/* log.c - JSON-lines logger (see log.h). */
#include "common/log.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    LOG_TS_MAX = 40,
    LOG_REAL_DIGITS = 6, /* durations in ms to the microsecond */
};

struct biq_log {
    FILE *out;
    biq_log_level min_level;
};

static const char *const LEVEL_NAMES[] = {"debug", "info", "warn", "error"};

biq_log *biq_log_new(FILE *out, biq_log_level min_level)
{
    biq_log *log = calloc(1, sizeof *log);
    if (log == NULL)
        return NULL;
    log->out = out;
    log->min_level = min_level;
    return log;
}

void biq_log_free(biq_log *log)
{
    free(log);
}

bool biq_log_level_parse(const char *text, biq_log_level *out)
{
    for (size_t i = 0; i < sizeof LEVEL_NAMES / sizeof LEVEL_NAMES[0]; i++) {
        if (text != NULL && strcmp(text, LEVEL_NAMES[i]) == 0) {
            *out = (biq_log_level)i;
            return true;
        }
    }
    return false;
}

bool biq_log_enabled(const biq_log *log, biq_log_level level)
{
    return log != NULL && level >= log->min_level;
}

/* RFC 3339 UTC with milliseconds: 2026-11-29T03:04:05.678Z */
static void format_now(char *buf, size_t len)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, len - n, ".%03ldZ", ts.tv_nsec / 1000000L);
}

void biq_log_write(biq_log *log, biq_log_level level, const char *msg, json_t *fields)
{
    json_t *line = NULL;
    char *text = NULL;
    char ts[LOG_TS_MAX];

    if (!biq_log_enabled(log, level))
        goto out;
    format_now(ts, sizeof ts);
    line = json_object();
    if (line == NULL)
        goto out;
    json_object_set_new(line, "ts", json_string(ts));
    json_object_set_new(line, "level", json_string(LEVEL_NAMES[level]));
    json_object_set_new(line, "msg", json_string(msg));
    if (json_is_object(fields))
        json_object_update_missing(line, fields);
    text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(LOG_REAL_DIGITS));
    if (text == NULL)
        goto out;
    flockfile(log->out);
    fputs(text, log->out);
    fputc('\n', log->out);
    fflush(log->out);
    funlockfile(log->out);
out:
    free(text);
    json_decref(line);
    json_decref(fields);
}
