/* tz_internal.h - the biq_tz layout and the POSIX TZ rule, shared by the
 * files of src/tz only. */
#ifndef BIQ_TZ_INTERNAL_H
#define BIQ_TZ_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "tz/tz.h"

typedef enum { RULE_JULIAN1, RULE_ZERO_BASED, RULE_MONTH } biq_tz_rule_kind;

typedef struct biq_tz_rule_date {
    biq_tz_rule_kind kind;
    int n;        /* Jn: 1..365; n: 0..365 */
    int month;    /* Mm.w.d */
    int week;     /* 1..5, 5 = last */
    int weekday;  /* 0 = Sunday */
    int32_t time; /* seconds after local midnight, may be negative or > 24 h */
} biq_tz_rule_date;

typedef struct biq_tz_posix {
    bool valid;
    bool has_dst;
    int32_t std_off; /* seconds east of UTC */
    int32_t dst_off;
    biq_tz_rule_date start, end;
} biq_tz_posix;

struct biq_tz {
    char name[BIQ_TZ_NAME_MAX + 1];
    uint32_t n_trans;
    const int64_t *trans;     /* seconds, strictly increasing */
    const uint8_t *trans_idx; /* type index per transition */
    uint32_t n_types;
    const int32_t *type_off;  /* seconds east */
    biq_tz_posix footer;      /* rule after the last transition */
};

/* Parses a POSIX TZ string into *rule. Returns false when malformed. */
bool biq_tz_posix_parse(const char *s, biq_tz_posix *rule);

/* Offset of a valid rule at t (seconds since the epoch). */
int32_t biq_tz_posix_offset(const biq_tz_posix *rule, int64_t t);

/* The first second after t at which a valid rule's offset may change (its
 * start, end or a year boundary), or INT64_MAX for a rule without DST. */
int64_t biq_tz_posix_next_change(const biq_tz_posix *rule, int64_t t);

#endif
