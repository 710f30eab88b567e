/* schedule.c - working time in closed form: milliseconds inside working
 * hours on working days in the schedule's zone, exact across DST changes
 * (each day's hours are converted to UTC with that day's offsets).
 *
 * Between two instants: the partial days at each end, plus the whole days
 * between them as (working weekdays, counted by whole weeks) x (a normal
 * day's length), plus the corrections of the few days an offset change
 * touches, minus the holidays. Corrections and holidays are sorted day lists
 * with prefix sums, searched by bisection; after a zone's last stored
 * transition its rule repeats every 400 Gregorian years, a whole number of
 * weeks, so one cycle of corrections covers all later days. Preparing costs
 * O(transitions + holidays + one cycle of the rule); a duration then costs
 * O(log) whatever its span. tests/support/sched_oracle.c keeps the plain
 * day walk this must equal. */
#include <stdlib.h>

#include "flow/flow_internal.h"
#include "tz/civil.h"

enum {
    MINUTES_PER_DAY = 1440,
    DAYS_PER_WEEK = 7,
    ALL_DAYS_MASK = 0x7f,
    /* A day's working interval reads offsets from 1 day + |offset| (< 26 h)
     * before its local midnight to 2 days + |offset| after it: an offset
     * change at UTC day T can touch local days T-4 .. T+3 only. */
    CHANGE_REACH_BEFORE = 4,
    CHANGE_REACH_AFTER = 3,
    CHANGE_DAYS = CHANGE_REACH_BEFORE + CHANGE_REACH_AFTER + 1,
    /* Near an offset change, a day next to an end may have its hours
     * outside [a, b) (a fall-back across midnight, a day-long jump): the
     * EDGE_DAYS days at each end are then clipped one by one, as the day
     * walk does. Beyond them every day lies inside, |offset| < 26 h. A
     * change is near a local day when within NEAR_DAYS UTC days of it. */
    EDGE_DAYS = 4,
    NEAR_DAYS = EDGE_DAYS + 2,
    MAX_ABS_DAY = 100000000, /* +-273,000 years: the supported range of days */
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

static int64_t clamp_day(int64_t d)
{
    return d < -MAX_ABS_DAY ? -MAX_ABS_DAY : d > MAX_ABS_DAY ? MAX_ABS_DAY : d;
}

static bool working_weekday(const biq_work_schedule *s, int64_t day)
{
    return (s->working_days >> biq_civil_weekday(day)) & 1u;
}

/* The working interval of a local day in UTC; begin == end when none. */
static void day_interval(const biq_work_schedule *s, const biq_tz *tz, int64_t day, bool holiday,
                         int64_t *begin, int64_t *end)
{
    if (holiday || !working_weekday(s, day)) {
        *begin = *end = biq_tz_day_start(tz, day);
        return;
    }
    *begin = biq_tz_local_to_utc(tz, day * BIQ_MS_PER_DAY + s->day_start_min * BIQ_MS_PER_MINUTE);
    *end = biq_tz_local_to_utc(tz, day * BIQ_MS_PER_DAY + s->day_end_min * BIQ_MS_PER_MINUTE);
    if (*end < *begin)
        *end = *begin;
}

/* Working ms of a day were it not a holiday. */
static int64_t raw_length(const biq_work_schedule *s, const biq_tz *tz, int64_t day)
{
    int64_t b, e;
    day_interval(s, tz, day, false, &b, &e);
    return e - b;
}

static int64_t clamp_overlap(int64_t a, int64_t b, int64_t lo, int64_t hi)
{
    int64_t x = a > lo ? a : lo, y = b < hi ? b : hi;
    return y > x ? y - x : 0;
}

/* Index of the first day >= d in a sorted list. */
static size_t lower_bound(const int64_t *days, size_t n, int64_t d)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (days[mid] < d)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Sum of the values of the days before d. */
static int64_t dayset_before(const biq_fl_dayset *ds, int64_t d)
{
    return ds->cum[lower_bound(ds->day, ds->n, d)];
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Sorts and dedupes days[0..n); returns the new count. */
static size_t sort_unique(int64_t *days, size_t n)
{
    if (n == 0)
        return 0;
    qsort(days, n, sizeof *days, cmp_i64);
    size_t k = 1;
    for (size_t i = 1; i < n; i++)
        if (days[i] != days[k - 1])
            days[k++] = days[i];
    return k;
}

/* Turns candidate days (in ds->day, n of them) into the set of those whose
 * value is non-zero, with prefix sums. value: 0 = raw length (holidays),
 * 1 = raw length minus the nominal (offset corrections). */
static biq_err dayset_finish(biq_fl_dayset *ds, size_t n, const biq_fl_sched *c, bool correction,
                             biq_arena *arena)
{
    n = sort_unique(ds->day, n);
    if (!(ds->cum = biq_arena_alloc(arena, (n + 1) * sizeof *ds->cum)))
        return BIQ_ERR_NOMEM;
    ds->cum[0] = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t d = ds->day[i], v = 0;
        if (working_weekday(c->s, d))
            v = raw_length(c->s, c->tz, d) - (correction ? c->nominal : 0);
        if (correction && v == 0)
            continue; /* only irregular days are kept */
        ds->day[k] = d;
        ds->cum[k + 1] = ds->cum[k] + v;
        k++;
    }
    ds->n = k;
    return BIQ_OK;
}

static int64_t utc_day(int64_t ms)
{
    return biq_floor_div(ms, BIQ_MS_PER_DAY);
}

/* Offset changes near [from, to): pass days NULL to count them; else
 * collects each change's UTC day in changes[] and the days in [from, to) it
 * may touch in days[] (up to CHANGE_DAYS a change), and returns how many
 * days; *n_changes gets the number of changes. */
static size_t change_days(const biq_tz *tz, int64_t from, int64_t to, int64_t *days,
                          int64_t *changes, size_t *n_changes)
{
    /* mutate: equivalent const "0 -> 1": an extra candidate day is measured
     * exactly, and a regular one is dropped (no correction) */
    size_t n = 0, k = 0;
    int64_t start = (from - CHANGE_REACH_AFTER - 1) * BIQ_MS_PER_DAY;
    int64_t stop = (to + CHANGE_REACH_BEFORE + 1) * BIQ_MS_PER_DAY;
    for (int64_t t = biq_tz_next_change(tz, start); t < stop; t = biq_tz_next_change(tz, t)) {
        int64_t td = utc_day(t);
        if (days) {
            changes[k] = td;
            /* mutate: equivalent rel "<= -> <": the reach is sized for 26 h
             * offsets, a day more than any zone needs */
            for (int64_t d = td - CHANGE_REACH_BEFORE; d <= td + CHANGE_REACH_AFTER; d++)
                if (d >= from && d < to)
                    days[n++] = d;
        }
        k++;
    }
    *n_changes = k;
    return n;
}

/* The irregular days of [from, to) as a day set, with the changes. */
static biq_err corrections(biq_fl_dayset *ds, const biq_fl_sched *c, int64_t from, int64_t to,
                           biq_arena *arena)
{
    *ds = (biq_fl_dayset){0};
    size_t k = 0, n = 0;
    if (to > from)
        (void)change_days(c->tz, from, to, NULL, NULL, &k);
    ds->day = biq_arena_alloc(arena, (k * CHANGE_DAYS + 1) * sizeof *ds->day);
    ds->changes = biq_arena_alloc(arena, (k + 1) * sizeof *ds->changes);
    if (!ds->day || !ds->changes)
        return BIQ_ERR_NOMEM;
    if (k)
        n = change_days(c->tz, from, to, ds->day, ds->changes, &ds->n_changes);
    return dayset_finish(ds, n, c, true, arena);
}

static biq_err holidays(biq_fl_sched *c, biq_arena *arena)
{
    const biq_work_schedule *s = c->s;
    biq_fl_dayset *ds = &c->holidays;
    if (!(ds->day = biq_arena_alloc(arena, (s->n_holidays + 1) * sizeof *ds->day)))
        return BIQ_ERR_NOMEM;
    size_t n = 0;
    for (size_t i = 0; i < s->n_holidays; i++)
        if (s->holidays[i] >= -MAX_ABS_DAY && s->holidays[i] <= MAX_ABS_DAY)
            ds->day[n++] = s->holidays[i];
    return dayset_finish(ds, n, c, false, arena);
}

biq_err biq_fl_sched_prepare(biq_fl_sched *c, const biq_work_schedule *s, biq_arena *arena)
{
    *c = (biq_fl_sched){.s = s && s->working ? s : NULL, .tz = zone(s)};
    if (!c->s)
        return BIQ_OK;
    c->nominal = (int64_t)(s->day_end_min - s->day_start_min) * BIQ_MS_PER_MINUTE;
    c->week_days = 0;
    for (int d = 0; d < DAYS_PER_WEEK; d++)
        c->week_days += (s->working_days >> d) & 1u;
    int64_t from = biq_tz_periodic_from(c->tz);
    c->periodic_all = from == INT64_MIN;
    c->cycle_day = c->periodic_all ? 0 : clamp_day(utc_day(from) + CHANGE_REACH_BEFORE);
    biq_err err = holidays(c, arena);
    if (err == BIQ_OK && !c->periodic_all)
        err = corrections(&c->odd, c, -MAX_ABS_DAY, c->cycle_day, arena);
    if (err == BIQ_OK)
        err = corrections(&c->cycle, c, c->cycle_day,
                          c->cycle_day < MAX_ABS_DAY ? c->cycle_day + BIQ_TZ_CYCLE_DAYS
                                                     : c->cycle_day,
                          arena);
    return err;
}

/* Sum of the corrections of the days before d. */
static int64_t corrections_before(const biq_fl_sched *c, int64_t d)
{
    if (!c->periodic_all && d <= c->cycle_day)
        return dayset_before(&c->odd, d);
    int64_t base = c->periodic_all ? 0 : c->odd.cum[c->odd.n];
    int64_t k = biq_floor_div(d - c->cycle_day, BIQ_TZ_CYCLE_DAYS);
    int64_t rest = d - k * BIQ_TZ_CYCLE_DAYS;
    return base + k * c->cycle.cum[c->cycle.n] + dayset_before(&c->cycle, rest);
}

/* Working weekdays in [d0, d1), d0 <= d1: whole weeks, then under 7 days. */
static int64_t working_weekdays(const biq_fl_sched *c, int64_t d0, int64_t d1)
{
    int64_t weeks = (d1 - d0) / DAYS_PER_WEEK, n = weeks * c->week_days;
    for (int64_t d = d0 + weeks * DAYS_PER_WEEK; d < d1; d++)
        n += working_weekday(c->s, d);
    return n;
}

/* Working ms of the whole days [d0, d1), d0 <= d1. */
static int64_t whole_days(const biq_fl_sched *c, int64_t d0, int64_t d1)
{
    return working_weekdays(c, d0, d1) * c->nominal + corrections_before(c, d1) -
           corrections_before(c, d0) - dayset_before(&c->holidays, d1) +
           dayset_before(&c->holidays, d0);
}

static bool is_holiday(const biq_fl_sched *c, int64_t d)
{
    size_t i = lower_bound(c->holidays.day, c->holidays.n, d);
    return i < c->holidays.n && c->holidays.day[i] == d;
}

bool biq_fl_sched_working_day(const biq_fl_sched *c, int64_t day)
{
    return c->s == NULL || (working_weekday(c->s, day) && !is_holiday(c, day));
}

/* Working ms of day d inside [a, b). */
static int64_t partial_day(const biq_fl_sched *c, int64_t d, biq_ms a, biq_ms b)
{
    int64_t lo, hi;
    day_interval(c->s, c->tz, d, is_holiday(c, d), &lo, &hi);
    return clamp_overlap(a, b, lo, hi);
}

/* Whether an offset change lies within NEAR_DAYS of local day d. */
static bool has_change(const biq_fl_dayset *ds, int64_t lo, int64_t hi)
{
    size_t i = lower_bound(ds->changes, ds->n_changes, lo);
    return i < ds->n_changes && ds->changes[i] <= hi;
}

static bool near_change(const biq_fl_sched *c, int64_t d)
{
    int64_t lo = d - NEAR_DAYS, hi = d + NEAR_DAYS;
    if (!c->periodic_all) {
        if (lo < c->cycle_day && has_change(&c->odd, lo, hi))
            return true;
        if (hi < c->cycle_day)
            return false;
        lo = lo < c->cycle_day ? c->cycle_day : lo;
    }
    int64_t shift = biq_floor_div(lo - c->cycle_day, BIQ_TZ_CYCLE_DAYS) * BIQ_TZ_CYCLE_DAYS;
    int64_t end = c->cycle_day + BIQ_TZ_CYCLE_DAYS;
    lo -= shift;
    hi -= shift;
    if (hi < end)
        return has_change(&c->cycle, lo, hi);
    return has_change(&c->cycle, lo, end - 1) ||
           has_change(&c->cycle, c->cycle_day, hi - BIQ_TZ_CYCLE_DAYS);
}

/* Days d0..d1 one by one, each clipped to [a, b). */
static int64_t clipped_days(const biq_fl_sched *c, int64_t d0, int64_t d1, biq_ms a, biq_ms b)
{
    int64_t total = 0;
    for (int64_t d = d0; d <= d1; d++)
        total += partial_day(c, d, a, b);
    return total;
}

int64_t biq_fl_sched_between(const biq_fl_sched *c, biq_ms a, biq_ms b)
{
    if (b <= a)
        return 0;
    if (!c->s)
        return b - a;
    int64_t da = clamp_day(biq_tz_local_day(c->tz, a)), db = clamp_day(biq_tz_local_day(c->tz, b));
    int64_t edge = near_change(c, da) || near_change(c, db) ? EDGE_DAYS : 0;
    if (db - da <= 2 * edge + 1) /* none when b reads a day before a */
        return clipped_days(c, da, db, a, b);
    return clipped_days(c, da, da + edge, a, b) + whole_days(c, da + edge + 1, db - edge) +
           clipped_days(c, db - edge, db, a, b);
}
