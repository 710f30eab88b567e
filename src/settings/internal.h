/* internal.h - what schema.c and flow_config.c share: the writer of a
 * refusal's message and the words of a work schedule. Only for
 * src/settings/; everything else goes through settings.h. */
#ifndef BIQ_SETTINGS_INTERNAL_H
#define BIQ_SETTINGS_INTERNAL_H

#include <jansson.h>
#include <stddef.h>

#include "common/err.h"

enum { BIQ_SETTINGS_WEEK_DAYS = 7, BIQ_SETTINGS_SUBTASK_POLICIES = 3 };

/* Where a refusal's "path: reason" is written. */
typedef struct biq_settings_checker {
    char *msg;
    size_t msg_len;
} biq_settings_checker;

/* Writes "path: what" into c's message; returns BIQ_ERR_SHAPE. */
biq_err biq_settings_fail(biq_settings_checker *c, const char *path, const char *what);

/* "HH:MM" (00:00..24:00) to minutes; -1 when malformed. */
int biq_settings_clock_minutes(const json_t *v);

/* "mon" .. "sun", Monday first (bit d of a schedule's working days). */
extern const char *const biq_settings_weekdays[BIQ_SETTINGS_WEEK_DAYS];

/* The `subtasks` setting's words, indexed by biq_subtask_policy. */
extern const char *const biq_settings_subtask_names[BIQ_SETTINGS_SUBTASK_POLICIES];

#endif
