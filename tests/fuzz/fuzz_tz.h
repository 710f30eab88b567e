/* fuzz_tz.h - the properties every zone built from untrusted bytes must
 * have, shared by fuzz_tzif.c and fuzz_tz_posix.c (header-only, static
 * inline, so each harness stays one translation unit).
 *
 * For instants across the whole range ingest accepts (years 0001-9999)
 * and around each transition: offsets below 26 h (RFC 8536); the local
 * day of an instant is the floor of its local reading; local_to_utc lands
 * within one offset swing of the reading; a day starts no later than the
 * next one (only asserted for zones whose clocks never move by more than
 * a day at once: a fuzzed file or rule can move them 50 h, and then local
 * days repeat, or a skipped day's midnight, read with the offset before
 * the gap as tz.h says, lands after the next day's start; real zones stay
 * within a day, e.g. Pacific/Apia's 2011 jump forward is exactly 24 h) and its start is not
 * earlier than the day's local midnight read with the most extreme offset.
 * UBSan checks the arithmetic on the way.
 */
#ifndef BIQ_FUZZ_TZ_H
#define BIQ_FUZZ_TZ_H

#include "common/arena.h"
#include "fuzz.h"
#include "tz/tz.h"
#include "tz/tz_internal.h"

#define FUZZ_TZ_OFFSET_LIMIT_S (26 * 3600)
#define FUZZ_TZ_MS_PER_DAY INT64_C(86400000)
/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z, the instant range. */
#define FUZZ_TZ_MIN_MS INT64_C(-62135596800000)
#define FUZZ_TZ_MAX_MS INT64_C(253402300799999)
#define FUZZ_TZ_TRANSITIONS_CHECKED 64

static inline int64_t fuzz_tz_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

#define FUZZ_TZ_DAY_S (24 * 3600)

static inline bool fuzz_tz_small_step(int64_t from, int64_t to)
{
    return from - to <= FUZZ_TZ_DAY_S && to - from <= FUZZ_TZ_DAY_S;
}

/* True when no change of offset moves the clocks by more than a day:
 * through the transitions, into the footer's rule and within it. */
static inline bool fuzz_tz_within_a_day(const biq_tz *tz)
{
    int64_t prev = tz->n_types > 0 ? tz->type_off[0] : tz->footer.std_off;
    for (uint32_t i = 0; i < tz->n_trans; i++) {
        int64_t off = tz->type_off[tz->trans_idx[i]];
        if (!fuzz_tz_small_step(prev, off))
            return false;
        prev = off;
    }
    if (!tz->footer.valid)
        return true;
    int64_t std = tz->footer.std_off, dst = tz->footer.has_dst ? tz->footer.dst_off : std;
    return fuzz_tz_small_step(prev, std) && fuzz_tz_small_step(prev, dst) &&
           fuzz_tz_small_step(std, dst);
}

static inline void fuzz_tz_instant(const biq_tz *tz, int64_t t)
{
    int32_t off = biq_tz_offset_at(tz, t);
    FUZZ_CHECK(off > -FUZZ_TZ_OFFSET_LIMIT_S && off < FUZZ_TZ_OFFSET_LIMIT_S);
    int64_t local = t + (int64_t)off * 1000;
    int64_t day = biq_tz_local_day(tz, t);
    FUZZ_CHECK(day == fuzz_tz_floor_div(local, FUZZ_TZ_MS_PER_DAY));
    int64_t back = biq_tz_local_to_utc(tz, local);
    int64_t swing = (int64_t)2 * FUZZ_TZ_OFFSET_LIMIT_S * 1000;
    FUZZ_CHECK(back >= local - swing && back <= local + swing);
    int64_t start = biq_tz_day_start(tz, day), next = biq_tz_day_start(tz, day + 1);
    FUZZ_CHECK(start <= next || !fuzz_tz_within_a_day(tz));
    FUZZ_CHECK(start >= day * FUZZ_TZ_MS_PER_DAY - (int64_t)FUZZ_TZ_OFFSET_LIMIT_S * 1000);
}

static inline void fuzz_tz_check(const biq_tz *tz, const uint8_t *data, size_t size)
{
    static const int64_t FIXED[] = {
        FUZZ_TZ_MIN_MS, FUZZ_TZ_MIN_MS + 1, -FUZZ_TZ_MS_PER_DAY, -1, 0, 1,
        INT64_C(1711846800000), /* 2024-03-31T01:00:00Z, EU spring forward */
        INT64_C(1730595600000), /* 2024-11-03T01:00:00Z, US fall back */
        FUZZ_NOW * 1000, INT64_C(4102444800000), /* 2100 */
        FUZZ_TZ_MAX_MS - 1, FUZZ_TZ_MAX_MS,
    };
    FUZZ_CHECK(biq_tz_name(tz) != NULL);
    for (size_t i = 0; i < sizeof FIXED / sizeof FIXED[0]; i++)
        fuzz_tz_instant(tz, FIXED[i]);
    /* Instants taken from the input's bytes, clamped to the range. */
    for (size_t i = 0; i + 8 <= size && i < 64; i += 8) {
        uint64_t u = 0;
        for (size_t k = 0; k < 8; k++)
            u = u << 8 | data[i + k];
        int64_t span = FUZZ_TZ_MAX_MS - FUZZ_TZ_MIN_MS;
        fuzz_tz_instant(tz, FUZZ_TZ_MIN_MS + (int64_t)(u % (uint64_t)span));
    }
    for (uint32_t i = 0; i < tz->n_trans && i < FUZZ_TZ_TRANSITIONS_CHECKED; i++) {
        int64_t t = tz->trans[i];
        if (t > FUZZ_TZ_MIN_MS / 1000 + 1 && t < FUZZ_TZ_MAX_MS / 1000 - 1) {
            fuzz_tz_instant(tz, t * 1000 - 1);
            fuzz_tz_instant(tz, t * 1000);
        }
    }
}

#endif
