/* tz.h - time zones from IANA TZif data, without the C library's global TZ.
 *
 * Why our own parser: the flow core needs local day boundaries and working
 * hours in a tenant's zone from many threads at once. localtime_r() reads the
 * process-global TZ variable (setting it per request is not thread-safe) and
 * ICU is a large dependency for the handful of operations we need. A TZif
 * file (RFC 8536) is a small, stable binary format: parsing it from bytes is
 * pure, testable and fuzzable; only biq_tz_load() touches the file system.
 *
 * A biq_tz is immutable once built and lives in the arena it was built in;
 * it may be shared read-only between threads. Offsets are seconds east of UTC.
 * Instants are milliseconds since the epoch (UTC); "local ms" are the same
 * count read on the zone's wall clock.
 */
#ifndef BIQ_TZ_TZ_H
#define BIQ_TZ_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/err.h"

enum {
    BIQ_TZ_NAME_MAX = 64,           /* longest accepted IANA zone name */
    BIQ_TZ_FILE_MAX = 256 * 1024,   /* largest accepted TZif file */
    BIQ_TZ_MAX_TRANSITIONS = 4096,  /* fat zones hold a few hundred */
    BIQ_TZ_MAX_TYPES = 256,         /* RFC 8536 limit */
    BIQ_TZ_MAX_CHARS = 512,         /* abbreviation bytes */
    BIQ_TZ_FOOTER_MAX = 128,        /* POSIX TZ string after the data */
};

typedef struct biq_tz biq_tz;

/* Parses TZif bytes (versions 1-4; leap-second records are ignored) into a
 * zone called name (copied; NULL gives ""). Returns BIQ_ERR_INVALID for
 * malformed or over-limit data, BIQ_ERR_NOMEM when the arena is exhausted.
 * *out is set only on success and lives as long as arena. Thread-safe for
 * distinct arenas. */
biq_err biq_tz_parse(const unsigned char *data, size_t len, const char *name,
                     biq_arena *arena, biq_tz **out);

/* Builds the zone described by a POSIX TZ string such as
 * "CET-1CEST,M3.5.0,M10.5.0/3" (also "UTC0"). Same contract as
 * biq_tz_parse(). */
biq_err biq_tz_from_posix(const char *tzstring, const char *name,
                          biq_arena *arena, biq_tz **out);

/* Returns the immutable UTC zone (static storage, never NULL). */
const biq_tz *biq_tz_utc(void);

/* True when name is a plausible IANA zone name: 1..BIQ_TZ_NAME_MAX bytes of
 * [A-Za-z0-9/_+-], no leading '/', no "." path components. */
bool biq_tz_name_valid(const char *name);

/* Reads <dir>/<name> (dir NULL = "/usr/share/zoneinfo") and parses it. The
 * only function here doing I/O. BIQ_ERR_INVALID for a bad name or data,
 * BIQ_ERR_NOT_FOUND when the file is missing, BIQ_ERR_IO otherwise. */
biq_err biq_tz_load(const char *dir, const char *name, biq_arena *arena,
                    biq_tz **out);

/* Zone name as given at construction (never NULL). */
const char *biq_tz_name(const biq_tz *tz);

/* UTC offset in seconds in effect at the instant utc_ms. */
int32_t biq_tz_offset_at(const biq_tz *tz, int64_t utc_ms);

/* The instant whose wall-clock reading is local_ms. Ambiguous readings (the
 * repeated hour in autumn) give the earlier instant; readings inside a gap
 * (the skipped hour in spring) are read with the offset before the gap, so
 * 02:30 on a spring-forward day in Berlin gives 03:30 CEST. */
int64_t biq_tz_local_to_utc(const biq_tz *tz, int64_t local_ms);

/* Local day number (days since 1970-01-01 on the zone's calendar) of utc_ms. */
int64_t biq_tz_local_day(const biq_tz *tz, int64_t utc_ms);

/* The instant at which local day `day` starts (its local midnight, or the
 * first instant after it when midnight is skipped). */
int64_t biq_tz_day_start(const biq_tz *tz, int64_t day);

/* Days in the Gregorian cycle (400 years, a whole number of weeks): from
 * biq_tz_periodic_from() on, a zone's offsets repeat with this period. */
#define BIQ_TZ_CYCLE_DAYS INT64_C(146097)

/* The first instant after utc_ms (whole seconds) at which the UTC offset may
 * change: a stored transition or a change of the POSIX rule (changes that
 * keep the offset may be reported too). INT64_MAX when the offset never
 * changes after utc_ms. Thread-safe. */
int64_t biq_tz_next_change(const biq_tz *tz, int64_t utc_ms);

/* The instant from which the offset at t + BIQ_TZ_CYCLE_DAYS days equals the
 * offset at t (the last stored transition); INT64_MIN when that holds for
 * all time. */
int64_t biq_tz_periodic_from(const biq_tz *tz);

#endif
