/* instant.c - Jira's ISO 8601 instants to milliseconds UTC.
 *
 * Our own strict parser because strptime has no portable way to read a UTC
 * offset (%z is a GNU/BSD extension that differs on "+08:00") or fractional
 * seconds, and timegm() is not C17. Jira writes "2020-06-12T09:45:13.360+0800";
 * other APIs write "+08:00", "Z", or no fraction.
 */
#include <stdbool.h>
#include <stddef.h>

#include "ingest/ingest.h"

#define MS_PER_SECOND 1000
#define SECONDS_PER_MINUTE 60
#define SECONDS_PER_HOUR 3600
#define SECONDS_PER_DAY 86400
#define OFFSET_HOURS_MAX 18
#define FRACTION_DIGITS_MAX 9
#define MS_DIGITS 3

typedef struct cursor {
    const char *p;
    const char *end;
} cursor;

/* Reads exactly n digits as a number; false if any is not a digit. */
static bool digits(cursor *c, int n, int *out)
{
    int v = 0;
    if (c->end - c->p < n)
        return false;
    for (int i = 0; i < n; i++) {
        char ch = c->p[i];
        if (ch < '0' || ch > '9')
            return false;
        v = v * 10 + (ch - '0');
    }
    c->p += n;
    *out = v;
    return true;
}

static bool literal(cursor *c, char ch)
{
    if (c->p >= c->end || *c->p != ch)
        return false;
    c->p++;
    return true;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), exact for every year we accept. */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Reads an optional fraction; only the first three digits matter. */
static bool fraction(cursor *c, int *ms)
{
    *ms = 0;
    if (!literal(c, '.'))
        return true;
    int n = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        if (n < MS_DIGITS)
            *ms = *ms * 10 + (*c->p - '0');
        n++;
        c->p++;
    }
    if (n == 0 || n > FRACTION_DIGITS_MAX)
        return false;
    for (int i = n; i < MS_DIGITS; i++)
        *ms *= 10;
    return true;
}

/* Reads Z or a signed offset in seconds east of UTC. */
static bool offset(cursor *c, int *seconds)
{
    int h = 0, m = 0, sign;
    if (literal(c, 'Z')) {
        *seconds = 0;
        return true;
    }
    if (literal(c, '+'))
        sign = 1;
    else if (literal(c, '-'))
        sign = -1;
    else
        return false;
    if (!digits(c, 2, &h))
        return false;
    if (c->p < c->end) {
        (void)literal(c, ':'); /* +HHMM and +HH:MM are both in use */
        if (!digits(c, 2, &m))
            return false;
    }
    if (m > 59 || h * SECONDS_PER_HOUR + m * SECONDS_PER_MINUTE > OFFSET_HOURS_MAX * SECONDS_PER_HOUR)
        return false;
    *seconds = sign * (h * SECONDS_PER_HOUR + m * SECONDS_PER_MINUTE);
    return true;
}

biq_err biq_parse_instant(const char *text, size_t len, biq_ms *out)
{
    cursor c = {text, text + len};
    int y, mo, d, h, mi, s, ms, off;
    if (!text || !digits(&c, 4, &y) || !literal(&c, '-') || !digits(&c, 2, &mo) ||
        !literal(&c, '-') || !digits(&c, 2, &d) || !literal(&c, 'T') || !digits(&c, 2, &h) ||
        !literal(&c, ':') || !digits(&c, 2, &mi) || !literal(&c, ':') || !digits(&c, 2, &s) ||
        !fraction(&c, &ms) || !offset(&c, &off) || c.p != c.end)
        return BIQ_ERR_INVALID;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 || mi > 59 || s > 59)
        return BIQ_ERR_INVALID;
    int64_t secs = days_from_civil(y, mo, d) * SECONDS_PER_DAY + (int64_t)h * SECONDS_PER_HOUR +
                   (int64_t)mi * SECONDS_PER_MINUTE + s - off;
    *out = secs * MS_PER_SECOND + ms;
    return BIQ_OK;
}
