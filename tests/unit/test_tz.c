/* test_tz.c - TZif parsing, POSIX rules, DST conversions (Europe/Berlin,
 * America/New_York), civil arithmetic and working time across DST. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "flow/flow.h"
#include "sched_oracle.h"
#include "testsupport.h"
#include "tz/civil.h"
#include "tz/tz.h"

#define H BIQ_MS_PER_HOUR
#define MIN BIQ_MS_PER_MINUTE
#define DAY BIQ_MS_PER_DAY

static int64_t utc(int y, int m, int d, int hh, int mm)
{
    return biq_civil_days(y, m, d) * DAY + hh * H + mm * MIN;
}

static const biq_tz *load(biq_arena *a, const char *name)
{
    biq_tz *tz = NULL;
    ck_assert_int_eq(biq_tz_load(NULL, name, a, &tz), BIQ_OK);
    return tz;
}

START_TEST(civil_round_trip)
{
    ck_assert_int_eq(biq_civil_days(1970, 1, 1), 0);
    ck_assert_int_eq(biq_civil_days(2018, 1, 1), 17532);
    ck_assert_int_eq(biq_civil_weekday(biq_civil_days(2024, 3, 29)), 4); /* Friday */
    ck_assert_int_eq(biq_civil_month_days(2024, 2), 29);
    ck_assert_int_eq(biq_civil_month_days(2100, 2), 28);
    for (int64_t d = -800000; d < 800000; d += 997) {
        int64_t y;
        int m, dd;
        biq_civil_from_days(d, &y, &m, &dd);
        ck_assert_int_eq(biq_civil_days(y, m, dd), d);
    }
    /* Dates as text: formatted, then parsed back to the same day. */
    char text[BIQ_CIVIL_DATE_TEXT_MAX];
    ck_assert_str_eq(biq_civil_format_date(biq_civil_days(2020, 7, 14), text, sizeof text),
                     "2020-07-14");
    ck_assert_str_eq(biq_civil_format_date(0, text, sizeof text), "1970-01-01");
    for (int64_t d = 0; d < biq_civil_days(10000, 1, 1); d += 7919) { /* years 1970..9999 */
        int64_t back = -1;
        ck_assert_int_eq(biq_civil_parse_date(biq_civil_format_date(d, text, sizeof text), &back),
                         BIQ_OK);
        ck_assert_int_eq(back, d);
    }
    ck_assert_int_eq(biq_floor_div(-1, 1000), -1);
    ck_assert_int_eq(biq_floor_div(-1000, 1000), -1);
    ck_assert_int_eq(biq_floor_div(999, 1000), 0);
}
END_TEST

START_TEST(berlin_offsets_and_gaps)
{
    biq_arena *a = biq_arena_new(1 << 20);
    const biq_tz *tz = load(a, "Europe/Berlin");
    ck_assert_str_eq(biq_tz_name(tz), "Europe/Berlin");
    /* Spring forward 2024-03-31 01:00 UTC, fall back 2024-10-27 01:00 UTC. */
    ck_assert_int_eq(biq_tz_offset_at(tz, utc(2024, 3, 31, 1, 0) - 1), 3600);
    ck_assert_int_eq(biq_tz_offset_at(tz, utc(2024, 3, 31, 1, 0)), 7200);
    ck_assert_int_eq(biq_tz_offset_at(tz, utc(2024, 10, 27, 1, 0) - 1), 7200);
    ck_assert_int_eq(biq_tz_offset_at(tz, utc(2024, 10, 27, 1, 0)), 3600);
    int64_t day31 = biq_civil_days(2024, 3, 31);
    /* 02:30 does not exist: read with the offset before the gap (03:30 CEST). */
    ck_assert_int_eq(biq_tz_local_to_utc(tz, day31 * DAY + 150 * MIN), utc(2024, 3, 31, 1, 30));
    /* 02:30 on 27 October happens twice: the first (CEST) one. */
    ck_assert_int_eq(biq_tz_local_to_utc(tz, biq_civil_days(2024, 10, 27) * DAY + 150 * MIN),
                     utc(2024, 10, 27, 0, 30));
    ck_assert_int_eq(biq_tz_day_start(tz, day31), utc(2024, 3, 30, 23, 0));
    ck_assert_int_eq(biq_tz_day_start(tz, day31 + 1) - biq_tz_day_start(tz, day31), 23 * H);
    int64_t oct27 = biq_civil_days(2024, 10, 27);
    ck_assert_int_eq(biq_tz_day_start(tz, oct27 + 1) - biq_tz_day_start(tz, oct27), 25 * H);
    ck_assert_int_eq(biq_tz_local_day(tz, utc(2024, 3, 30, 23, 30)), day31);
    ck_assert_int_eq(biq_tz_local_day(tz, utc(2024, 3, 30, 22, 59)), day31 - 1);
    /* Past the table of a fat file (2037) the footer rule answers. */
    ck_assert_int_eq(biq_tz_offset_at(tz, utc(2090, 7, 1, 0, 0)), 7200);
    ck_assert_int_eq(biq_tz_offset_at(tz, utc(2090, 12, 1, 0, 0)), 3600);
    ck_assert_int_eq(biq_tz_offset_at(tz, utc(2090, 3, 26, 0, 59)), 3600);
    ck_assert_int_eq(biq_tz_offset_at(tz, utc(2090, 3, 26, 1, 0)), 7200); /* last Sunday */
    biq_arena_free(a);
}
END_TEST

START_TEST(new_york_days)
{
    biq_arena *a = biq_arena_new(1 << 20);
    const biq_tz *tz = load(a, "America/New_York");
    int64_t mar10 = biq_civil_days(2024, 3, 10), nov3 = biq_civil_days(2024, 11, 3);
    ck_assert_int_eq(biq_tz_day_start(tz, mar10), utc(2024, 3, 10, 5, 0));
    ck_assert_int_eq(biq_tz_day_start(tz, mar10 + 1) - biq_tz_day_start(tz, mar10), 23 * H);
    ck_assert_int_eq(biq_tz_day_start(tz, nov3 + 1) - biq_tz_day_start(tz, nov3), 25 * H);
    ck_assert_int_eq(biq_tz_offset_at(tz, utc(2024, 7, 1, 0, 0)), -4 * 3600);
    ck_assert_int_eq(biq_tz_offset_at(tz, utc(1850, 1, 1, 0, 0)), -17762); /* LMT */
    biq_arena_free(a);
}
END_TEST

START_TEST(posix_rules_match_the_table)
{
    biq_arena *a = biq_arena_new(1 << 20);
    const biq_tz *berlin = load(a, "Europe/Berlin"), *ny = load(a, "America/New_York");
    biq_tz *pb = NULL, *pn = NULL, *sydney = NULL;
    ck_assert_int_eq(biq_tz_from_posix("CET-1CEST,M3.5.0,M10.5.0/3", "b", a, &pb), BIQ_OK);
    ck_assert_int_eq(biq_tz_from_posix("EST5EDT,M3.2.0,M11.1.0", "n", a, &pn), BIQ_OK);
    for (int64_t t = utc(2008, 1, 1, 0, 0); t < utc(2036, 1, 1, 0, 0); t += 7 * H + 13 * MIN) {
        ck_assert_int_eq(biq_tz_offset_at(berlin, t), biq_tz_offset_at(pb, t));
        ck_assert_int_eq(biq_tz_offset_at(ny, t), biq_tz_offset_at(pn, t));
    }
    /* Southern hemisphere: DST across the new year. */
    ck_assert_int_eq(biq_tz_from_posix("AEST-10AEDT,M10.1.0,M4.1.0/3", "s", a, &sydney), BIQ_OK);
    ck_assert_int_eq(biq_tz_offset_at(sydney, utc(2030, 1, 15, 0, 0)), 11 * 3600);
    ck_assert_int_eq(biq_tz_offset_at(sydney, utc(2030, 7, 15, 0, 0)), 10 * 3600);
    biq_tz *bad = NULL;
    ck_assert_int_eq(biq_tz_from_posix("C", "x", a, &bad), BIQ_ERR_INVALID);
    ck_assert_int_eq(biq_tz_from_posix("CET-1CEST,M13.5.0,M10.5.0", "x", a, &bad), BIQ_ERR_INVALID);
    ck_assert_int_eq(biq_tz_from_posix("<+03>-3", "x", a, &bad), BIQ_OK);
    ck_assert_int_eq(biq_tz_offset_at(bad, 0), 3 * 3600);
    biq_arena_free(a);
}
END_TEST

START_TEST(names_and_loading)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_tz *tz = NULL;
    ck_assert(biq_tz_name_valid("Europe/Berlin"));
    ck_assert(biq_tz_name_valid("Etc/GMT+5"));
    ck_assert(!biq_tz_name_valid("../etc/passwd"));
    ck_assert(!biq_tz_name_valid("/etc/passwd"));
    ck_assert(!biq_tz_name_valid("Europe/./Berlin"));
    ck_assert(!biq_tz_name_valid("Europe//Berlin"));
    ck_assert(!biq_tz_name_valid(""));
    ck_assert(!biq_tz_name_valid(NULL));
    ck_assert_int_eq(biq_tz_load(NULL, "../../etc/passwd", a, &tz), BIQ_ERR_INVALID);
    ck_assert_int_eq(biq_tz_load(NULL, "Mars/Olympus", a, &tz), BIQ_ERR_NOT_FOUND);
    ck_assert_int_eq(biq_tz_load(NULL, "UTC", a, &tz), BIQ_OK);
    ck_assert_int_eq(biq_tz_offset_at(tz, 0), 0);
    ck_assert_int_eq(biq_tz_offset_at(biq_tz_utc(), 1234567), 0);
    biq_arena_free(a);
}
END_TEST

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    unsigned char *buf = malloc(BIQ_TZ_FILE_MAX);
    *len = fread(buf, 1, BIQ_TZ_FILE_MAX, f);
    fclose(f);
    return buf;
}

START_TEST(corrupt_files_are_rejected)
{
    size_t len = 0;
    unsigned char *buf = slurp("/usr/share/zoneinfo/America/New_York", &len);
    biq_arena *a = biq_arena_new(64u << 20);
    biq_tz *tz = NULL;
    ck_assert_int_eq(biq_tz_parse(buf, len, "x", a, &tz), BIQ_OK);
    /* Every truncation is rejected, never read past. */
    for (size_t n = 0; n < len; n++)
        ck_assert_int_ne(biq_tz_parse(buf, n, "x", a, &tz), BIQ_OK);
    /* Bit flips: any answer but a crash or an out-of-bounds read (ASan). */
    unsigned char *copy = malloc(len);
    uint32_t seed = 12345;
    for (int round = 0; round < 2000; round++) {
        memcpy(copy, buf, len);
        for (int k = 0; k < 3; k++) {
            seed = seed * 1103515245u + 12345u;
            copy[(seed >> 8) % len] ^= (unsigned char)(1u << (seed % 8));
        }
        biq_tz *t = NULL;
        if (biq_tz_parse(copy, len, "x", a, &t) == BIQ_OK)
            (void)biq_tz_local_to_utc(t, utc(2024, 3, 10, 2, 30));
    }
    free(copy);
    free(buf);
    biq_arena_free(a);
}
END_TEST

/* Working time by the flow core's closed form, checked against the day walk. */
static int64_t between(const biq_work_schedule *s, int64_t a, int64_t b)
{
    int64_t closed = biq_test_sched_closed(s, a, b);
    ck_assert_int_eq(closed, biq_test_sched_walk(s, a, b));
    return closed;
}

/* Berlin, Monday-Friday 09:00-17:00. */
static biq_work_schedule berlin_schedule(const biq_tz *tz, const int64_t *hol, size_t n_hol)
{
    return (biq_work_schedule){.tz = tz, .working = true, .working_days = 0x1f,
                               .day_start_min = 9 * 60, .day_end_min = 17 * 60,
                               .holidays = hol, .n_holidays = n_hol};
}

START_TEST(working_time_across_weekends_dst_and_holidays)
{
    biq_arena *a = biq_arena_new(1 << 20);
    const biq_tz *tz = load(a, "Europe/Berlin");
    biq_work_schedule s = berlin_schedule(tz, NULL, 0);
    ck_assert_int_eq(biq_work_schedule_validate(&s), BIQ_OK);
    /* Friday 17:00 -> Monday 09:00 local (CET, UTC+1) is no working time. */
    ck_assert_int_eq(between(&s, utc(2024, 3, 8, 16, 0), utc(2024, 3, 11, 8, 0)), 0);
    ck_assert_int_eq(between(&s, utc(2024, 3, 8, 15, 0), utc(2024, 3, 11, 9, 0)),
                     2 * H);
    /* A week across the spring change: 5 x 8 h although the calendar has 167 h. */
    ck_assert_int_eq(between(&s, utc(2024, 3, 25, 8, 0), utc(2024, 4, 1, 7, 0)),
                     40 * H);
    /* Friday 16:00 CET -> Tuesday 10:00 CEST with Easter Monday a holiday. */
    int64_t easter_monday = biq_civil_days(2024, 4, 1);
    biq_work_schedule h = berlin_schedule(tz, &easter_monday, 1);
    ck_assert_int_eq(between(&h, utc(2024, 3, 29, 15, 0), utc(2024, 4, 2, 8, 0)),
                     2 * H);
    ck_assert_int_eq(between(&s, utc(2024, 3, 29, 15, 0), utc(2024, 4, 2, 8, 0)),
                     10 * H);
    ck_assert_int_eq(between(NULL, 0, 5 * H), 5 * H);
    biq_work_schedule bad = s;
    bad.day_end_min = bad.day_start_min;
    ck_assert_int_eq(biq_work_schedule_validate(&bad), BIQ_ERR_INVALID);
    bad = s;
    bad.working_days = 0;
    ck_assert_int_eq(biq_work_schedule_validate(&bad), BIQ_ERR_INVALID);
    biq_arena_free(a);
}
END_TEST

START_TEST(working_time_new_york_fall_back)
{
    biq_arena *a = biq_arena_new(1 << 20);
    const biq_tz *tz = load(a, "America/New_York");
    biq_work_schedule s = {.tz = tz, .working = true, .working_days = 0x1f,
                           .day_start_min = 9 * 60, .day_end_min = 17 * 60};
    /* Fri 2024-11-01 12:00 EDT -> Mon 11-04 12:00 EST: 5 h + 3 h. */
    ck_assert_int_eq(between(&s, utc(2024, 11, 1, 16, 0), utc(2024, 11, 4, 17, 0)), 8 * H);
    /* Round-the-clock schedule on the 25-hour day. */
    biq_work_schedule all = {.tz = tz, .working = true, .working_days = 0x7f,
                             .day_start_min = 0, .day_end_min = 1440};
    int64_t nov3 = biq_civil_days(2024, 11, 3);
    ck_assert_int_eq(between(&all, biq_tz_day_start(tz, nov3), biq_tz_day_start(tz, nov3 + 1)),
                     25 * H);
    biq_arena_free(a);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("tz");
    TCase *tc = tcase_create("tz");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, civil_round_trip);
    tcase_add_test(tc, berlin_offsets_and_gaps);
    tcase_add_test(tc, new_york_days);
    tcase_add_test(tc, posix_rules_match_the_table);
    tcase_add_test(tc, names_and_loading);
    tcase_add_test(tc, corrupt_files_are_rejected);
    tcase_add_test(tc, working_time_across_weekends_dst_and_holidays);
    tcase_add_test(tc, working_time_new_york_fall_back);
    suite_add_tcase(s, tc);
    return s;
}
