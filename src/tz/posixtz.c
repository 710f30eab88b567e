/* posixtz.c - POSIX TZ strings ("CET-1CEST,M3.5.0,M10.5.0/3"): the rule a
 * TZif footer gives for instants after the last stored transition. */
#include <stddef.h>

#include "tz/civil.h"
#include "tz/tz_internal.h"

enum {
    ABBR_MIN = 3,             /* POSIX: at least three characters */
    ABBR_MAX = 32,
    HOURS_MAX_OFFSET = 24,    /* std/dst offsets */
    HOURS_MAX_RULE_TIME = 167 /* RFC 8536 allows -167..167 hours */
};

static bool is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static const char *parse_abbr(const char *s)
{
    size_t n = 0;
    if (*s == '<') {
        s++;
        while (*s && *s != '>' && n <= ABBR_MAX) {
            s++;
            n++;
        }
        return (*s == '>' && n >= 1 && n <= ABBR_MAX) ? s + 1 : NULL;
    }
    while (is_alpha(*s) && n <= ABBR_MAX) {
        s++;
        n++;
    }
    return (n >= ABBR_MIN && n <= ABBR_MAX) ? s : NULL;
}

static const char *parse_num(const char *s, int lo, int hi, int *out)
{
    int v = 0, digits = 0;
    while (is_digit(*s) && digits < 4) {
        v = v * 10 + (*s - '0');
        s++;
        digits++;
    }
    if (digits == 0 || v < lo || v > hi)
        return NULL;
    *out = v;
    return s;
}

/* [+-]hh[:mm[:ss]] in seconds; max_hours bounds hh. */
static const char *parse_hms(const char *s, int max_hours, int32_t *out)
{
    int sign = 1, h = 0, m = 0, sec = 0;
    if (*s == '+' || *s == '-') {
        sign = *s == '-' ? -1 : 1;
        s++;
    }
    if (!(s = parse_num(s, 0, max_hours, &h)))
        return NULL;
    if (*s == ':') {
        if (!(s = parse_num(s + 1, 0, 59, &m)))
            return NULL;
        if (*s == ':' && !(s = parse_num(s + 1, 0, 59, &sec)))
            return NULL;
    }
    *out = sign * (h * 3600 + m * 60 + sec);
    return s;
}

static const char *parse_date(const char *s, biq_tz_rule_date *d)
{
    d->time = 2 * 3600; /* POSIX default 02:00 */
    if (*s == 'J') {
        d->kind = RULE_JULIAN1;
        s = parse_num(s + 1, 1, 365, &d->n);
    } else if (*s == 'M') {
        d->kind = RULE_MONTH;
        if ((s = parse_num(s + 1, 1, 12, &d->month)) && *s == '.' &&
            (s = parse_num(s + 1, 1, 5, &d->week)) && *s == '.')
            s = parse_num(s + 1, 0, 6, &d->weekday);
        else
            s = NULL;
    } else {
        d->kind = RULE_ZERO_BASED;
        s = parse_num(s, 0, 365, &d->n);
    }
    if (s && *s == '/')
        s = parse_hms(s + 1, HOURS_MAX_RULE_TIME, &d->time);
    return s;
}

bool biq_tz_posix_parse(const char *s, biq_tz_posix *r)
{
    int32_t west = 0;
    *r = (biq_tz_posix){0};
    if (!s || !(s = parse_abbr(s)) || !(s = parse_hms(s, HOURS_MAX_OFFSET, &west)))
        return false;
    r->std_off = -west; /* POSIX counts west positive */
    if (*s == '\0') {
        r->valid = true;
        return true;
    }
    if (!(s = parse_abbr(s)))
        return false;
    r->has_dst = true;
    r->dst_off = r->std_off + 3600;
    if (*s && *s != ',') {
        if (!(s = parse_hms(s, HOURS_MAX_OFFSET, &west)))
            return false;
        r->dst_off = -west;
    }
    if (*s == '\0') { /* no rule: the POSIX default (US rules) */
        r->start = (biq_tz_rule_date){RULE_MONTH, 0, 3, 2, 0, 7200};
        r->end = (biq_tz_rule_date){RULE_MONTH, 0, 11, 1, 0, 7200};
        r->valid = true;
        return true;
    }
    if (*s != ',' || !(s = parse_date(s + 1, &r->start)) || *s != ',' ||
        !(s = parse_date(s + 1, &r->end)) || *s != '\0')
        return false;
    r->valid = true;
    return true;
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Day number of the rule's date in year y. */
static int64_t rule_day(const biq_tz_rule_date *d, int64_t y)
{
    int64_t jan1 = biq_civil_days(y, 1, 1);
    if (d->kind == RULE_JULIAN1)
        return jan1 + d->n - 1 + (is_leap(y) && d->n >= 60);
    if (d->kind == RULE_ZERO_BASED)
        return jan1 + d->n;
    int64_t first = biq_civil_days(y, d->month, 1);
    int wd_first = (biq_civil_weekday(first) + 1) % 7; /* Sunday = 0 */
    int64_t day = first + (d->weekday - wd_first + 7) % 7 + (int64_t)(d->week - 1) * 7;
    int mdays = biq_civil_month_days(y, d->month);
    while (day >= first + mdays)
        day -= 7;
    return day;
}

int32_t biq_tz_posix_offset(const biq_tz_posix *r, int64_t t)
{
    if (!r->has_dst)
        return r->std_off;
    int64_t y = 0;
    biq_civil_from_days(biq_floor_div(t + r->std_off, BIQ_SECS_PER_DAY), &y, NULL, NULL);
    /* The start is read on standard time, the end on daylight time. */
    int64_t start = rule_day(&r->start, y) * BIQ_SECS_PER_DAY + r->start.time - r->std_off;
    int64_t end = rule_day(&r->end, y) * BIQ_SECS_PER_DAY + r->end.time - r->dst_off;
    bool dst = start < end ? (t >= start && t < end) : (t < end || t >= start);
    return dst ? r->dst_off : r->std_off;
}

/* The earliest of year y's candidate changes after t: its start, its end,
 * and its first instant when the offset differs across it. */
static int64_t first_change_in_year(const biq_tz_posix *r, int64_t y, int64_t t)
{
    int64_t jan1 = biq_civil_days(y, 1, 1) * BIQ_SECS_PER_DAY - r->std_off;
    int64_t c[3] = {
        rule_day(&r->start, y) * BIQ_SECS_PER_DAY + r->start.time - r->std_off,
        rule_day(&r->end, y) * BIQ_SECS_PER_DAY + r->end.time - r->dst_off,
        biq_tz_posix_offset(r, jan1 - 1) != biq_tz_posix_offset(r, jan1) ? jan1 : INT64_MIN,
    };
    int64_t best = INT64_MAX;
    for (int i = 0; i < 3; i++)
        if (c[i] > t && c[i] < best)
            best = c[i];
    return best;
}

int64_t biq_tz_posix_next_change(const biq_tz_posix *r, int64_t t)
{
    if (!r->has_dst)
        return INT64_MAX;
    int64_t y = 0, best = INT64_MAX;
    biq_civil_from_days(biq_floor_div(t + r->std_off, BIQ_SECS_PER_DAY), &y, NULL, NULL);
    /* Rule times reach +-167 h, so a change may sit in a year either side. */
    for (int64_t k = y - 1; k <= y + 2; k++) {
        int64_t c = first_change_in_year(r, k, t);
        if (c < best)
            best = c;
    }
    return best;
}
