/* sched_oracle.c - the day walk of working time (what src/flow/schedule.c
 * computed before its closed form): for every local day from a's to b's,
 * that day's working hours converted to UTC with its own offsets, clipped
 * to [a, b); holidays found by a linear scan. */
#include <check.h>

#include "common/arena.h"
#include "sched_oracle.h"
#include "tz/civil.h"

enum { ORACLE_ARENA = 4u << 20 };

static bool is_holiday_linear(const biq_work_schedule *s, int64_t day)
{
    for (size_t i = 0; i < s->n_holidays; i++)
        if (s->holidays[i] == day)
            return true;
    return false;
}

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

int64_t biq_test_sched_walk(const biq_work_schedule *s, biq_ms a, biq_ms b)
{
    if (b <= a)
        return 0;
    if (!s || !s->working)
        return b - a;
    const biq_tz *tz = s->tz ? s->tz : biq_tz_utc();
    int64_t total = 0;
    for (int64_t d = biq_tz_local_day(tz, a), last = biq_tz_local_day(tz, b); d <= last; d++) {
        int64_t lo, hi;
        day_interval(s, tz, d, is_holiday_linear(s, d), &lo, &hi);
        total += clamp_overlap(a, b, lo, hi);
    }
    return total;
}

int64_t biq_test_sched_closed(const biq_work_schedule *s, biq_ms a, biq_ms b)
{
    biq_arena *arena = biq_arena_new(ORACLE_ARENA);
    ck_assert_ptr_nonnull(arena);
    biq_flow_input in = {.schedule = s, .now = b};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, arena, &f), BIQ_OK);
    int64_t ms = biq_flow_duration(f, a, b);
    biq_arena_free(arena);
    return ms;
}
