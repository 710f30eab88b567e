/* schedule.c - working time: milliseconds inside working hours on working
 * days in the schedule's zone, exact across DST changes (each day's hours
 * are converted to UTC with that day's offsets). The flow prepares a table
 * of per-day intervals and cumulative sums over its data's range, so a
 * duration is two look-ups; outside the range it walks the days. */
#include <stdlib.h>

#include "flow/flow_internal.h"
#include "tz/civil.h"

enum {
    MINUTES_PER_DAY = 1440,
    ALL_DAYS_MASK = 0x7f,
    MAX_TABLE_DAYS = 40 * 366, /* beyond this, walk the days */
};

biq_err biq_work_schedule_validate(const biq_work_schedule *s)
{
    if (!s)
        return BIQ_OK;
    if (!s->working)
        return BIQ_OK;
    if (s->day_start_min < 0 || s->day_end_min > MINUTES_PER_DAY ||
        s->day_start_min >= s->day_end_min || (s->working_days & ALL_DAYS_MASK) == 0 ||
        (s->working_days & ~ALL_DAYS_MASK) != 0 || s->n_holidays > BIQ_FLOW_MAX_HOLIDAYS ||
        (s->n_holidays > 0 && !s->holidays))
        return BIQ_ERR_INVALID;
    return BIQ_OK;
}

static const biq_tz *zone(const biq_work_schedule *s)
{
    return s && s->tz ? s->tz : biq_tz_utc();
}

static bool is_holiday(const int64_t *h, size_t n, int64_t day)
{
    for (size_t lo = 0, hi = n; lo < hi;) {
        size_t mid = lo + (hi - lo) / 2;
        if (h[mid] == day)
            return true;
        if (h[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static bool is_holiday_linear(const biq_work_schedule *s, int64_t day)
{
    for (size_t i = 0; i < s->n_holidays; i++)
        if (s->holidays[i] == day)
            return true;
    return false;
}

/* The working interval of a local day in UTC; begin == end when none. */
static void day_interval(const biq_work_schedule *s, const biq_tz *tz, int64_t day, bool holiday,
                         int64_t *begin, int64_t *end)
{
    if (holiday || !(s->working_days & (1u << biq_civil_weekday(day)))) {
        *begin = *end = biq_tz_day_start(tz, day);
        return;
    }
    *begin = biq_tz_local_to_utc(tz, day * BIQ_MS_PER_DAY + s->day_start_min * BIQ_MS_PER_MINUTE);
    *end = biq_tz_local_to_utc(tz, day * BIQ_MS_PER_DAY + s->day_end_min * BIQ_MS_PER_MINUTE);
    if (*end < *begin)
        *end = *begin;
}

static int64_t clamp_overlap(int64_t a, int64_t b, int64_t lo, int64_t hi)
{
    int64_t x = a > lo ? a : lo, y = b < hi ? b : hi;
    return y > x ? y - x : 0;
}

int64_t biq_work_schedule_between(const biq_work_schedule *s, biq_ms a, biq_ms b)
{
    if (b <= a)
        return 0;
    if (!s || !s->working)
        return b - a;
    const biq_tz *tz = zone(s);
    int64_t total = 0;
    for (int64_t d = biq_tz_local_day(tz, a), last = biq_tz_local_day(tz, b); d <= last; d++) {
        int64_t lo, hi;
        day_interval(s, tz, d, is_holiday_linear(s, d), &lo, &hi);
        total += clamp_overlap(a, b, lo, hi);
    }
    return total;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

biq_err biq_fl_sched_prepare(biq_fl_sched *c, const biq_work_schedule *s, biq_ms lo, biq_ms hi,
                             biq_arena *arena)
{
    *c = (biq_fl_sched){.s = s && s->working ? s : NULL, .tz = zone(s)};
    if (!c->s)
        return BIQ_OK;
    c->holidays = biq_arena_alloc(arena, (s->n_holidays + 1) * sizeof *c->holidays);
    if (!c->holidays)
        return BIQ_ERR_NOMEM;
    for (size_t i = 0; i < s->n_holidays; i++)
        c->holidays[i] = s->holidays[i];
    qsort(c->holidays, s->n_holidays, sizeof *c->holidays, cmp_i64);
    c->n_holidays = s->n_holidays;
    int64_t first = biq_tz_local_day(c->tz, lo) - 1, last = biq_tz_local_day(c->tz, hi) + 1;
    if (last < first)
        last = first;
    if (last - first + 1 > MAX_TABLE_DAYS)
        first = last - MAX_TABLE_DAYS + 1; /* recent days matter; older ones walk */
    size_t n = (size_t)(last - first + 1);
    c->begin = biq_arena_alloc(arena, n * sizeof *c->begin);
    c->end = biq_arena_alloc(arena, n * sizeof *c->end);
    c->cum = biq_arena_alloc(arena, (n + 1) * sizeof *c->cum);
    if (!c->begin || !c->end || !c->cum)
        return BIQ_ERR_NOMEM;
    c->cum[0] = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t day = first + (int64_t)i;
        day_interval(s, c->tz, day, is_holiday(c->holidays, c->n_holidays, day), &c->begin[i],
                     &c->end[i]);
        c->cum[i + 1] = c->cum[i] + (c->end[i] - c->begin[i]);
    }
    c->first_day = first;
    c->n_days = n;
    return BIQ_OK;
}

/* Working ms from the table's start to t; false when t is outside it. */
static bool cumulative(const biq_fl_sched *c, biq_ms t, int64_t *out)
{
    int64_t day = biq_tz_local_day(c->tz, t);
    if (day < c->first_day || day >= c->first_day + (int64_t)c->n_days)
        return false;
    size_t i = (size_t)(day - c->first_day);
    *out = c->cum[i] + clamp_overlap(c->begin[i], t, c->begin[i], c->end[i]);
    return true;
}

int64_t biq_fl_sched_between(const biq_fl_sched *c, biq_ms a, biq_ms b)
{
    if (b <= a)
        return 0;
    if (!c->s)
        return b - a;
    int64_t wa, wb;
    if (cumulative(c, a, &wa) && cumulative(c, b, &wb))
        return wb - wa;
    return biq_work_schedule_between(c->s, a, b);
}
