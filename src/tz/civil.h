/* civil.h - proleptic Gregorian calendar arithmetic on day numbers.
 *
 * Day numbers count days since 1970-01-01 (day 0), negative before. Pure
 * integer functions (Howard Hinnant's algorithms), valid for years -1e6..1e6;
 * thread-safe, no allocation.
 */
#ifndef BIQ_TZ_CIVIL_H
#define BIQ_TZ_CIVIL_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

enum {
    BIQ_SECS_PER_DAY = 86400,
};
#define BIQ_MS_PER_DAY INT64_C(86400000)
#define BIQ_MS_PER_HOUR INT64_C(3600000)
#define BIQ_MS_PER_MINUTE INT64_C(60000)

/* Parses "YYYY-MM-DD" (a real calendar date) into a day number
 * (biq_civil_days). BIQ_ERR_INVALID otherwise. */
biq_err biq_civil_parse_date(const char *text, int64_t *day);

enum { BIQ_CIVIL_DATE_TEXT_MAX = 24 }; /* "YYYY-MM-DD" of any day number, with NUL */

/* Writes day (biq_civil_days) as "YYYY-MM-DD" into buf[0..size) (NUL-
 * terminated, cut to fit: BIQ_CIVIL_DATE_TEXT_MAX always suffices) and
 * returns buf. The inverse of biq_civil_parse_date. */
char *biq_civil_format_date(int64_t day, char *buf, size_t size);

/* Day number of year-month-day (month 1..12, day 1..31; not validated). */
int64_t biq_civil_days(int64_t year, int month, int day);

/* Inverse of biq_civil_days. Any out-pointer may be NULL. */
void biq_civil_from_days(int64_t days, int64_t *year, int *month, int *day);

/* Weekday of a day number: 0 = Monday .. 6 = Sunday (ISO order). */
int biq_civil_weekday(int64_t days);

/* Days in month (1..12) of year; 0 for an invalid month. */
int biq_civil_month_days(int64_t year, int month);

/* Floor division of ms by a positive divisor (C's / truncates toward zero). */
int64_t biq_floor_div(int64_t ms, int64_t divisor);

#endif
