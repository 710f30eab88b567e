/* test_flow_schedule.c - the flow core under a work schedule (Berlin,
 * Mon-Fri 09:00-17:00, Easter Monday off): slice durations, lead and cycle
 * times and ages in working time across the DST weekend; CFD day
 * boundaries in the zone (23-hour day). The closed form of working time
 * equals the day walk (tests/support/sched_oracle.c) on generated schedules
 * and instants, and its cost does not grow with the span. */
#include <string.h>
#include <time.h>

#include "common/arena.h"
#include "flow/flow.h"
#include "sched_oracle.h"
#include "testsupport.h"
#include "tz/civil.h"

#define H BIQ_MS_PER_HOUR
#define DAY BIQ_MS_PER_DAY

enum { BACKLOG = 1, PROG = 2, DONE = 5 };

static const biq_status catalogue[] = {
    {BACKLOG, "Backlog", BIQ_CAT_NEW}, {PROG, "In Progress", BIQ_CAT_ACTIVE},
    {DONE, "Done", BIQ_CAT_DONE},
};

static int64_t utc(int y, int m, int d, int hh)
{
    return biq_civil_days(y, m, d) * DAY + hh * H;
}

static biq_transition tr(int64_t hist, biq_ms at, int64_t from, int64_t to)
{
    return (biq_transition){.history_id = hist, .at = at, .from_status = from, .to_status = to};
}

static biq_issue issue(int64_t id, const char *key, biq_ms created, int64_t status,
                       const biq_transition *t, size_t n)
{
    return (biq_issue){.id = id, .key = key, .status_id = status, .created = created,
                       .issue_type = "Story", .resolution_at = BIQ_MS_NONE, .transitions = t,
                       .n_transitions = n, .changelog_total = -1};
}

typedef struct env {
    biq_arena *a;
    biq_tz *tz;
    int64_t holiday;
    biq_work_schedule ws;
} env;

static void setup(env *e, bool working)
{
    e->a = biq_arena_new(8u << 20);
    ck_assert_int_eq(biq_tz_load(NULL, "Europe/Berlin", e->a, &e->tz), BIQ_OK);
    e->holiday = biq_civil_days(2024, 4, 1);
    e->ws = (biq_work_schedule){.tz = e->tz, .working = working, .working_days = 0x1f,
                                .day_start_min = 9 * 60, .day_end_min = 17 * 60,
                                .holidays = &e->holiday, .n_holidays = 1};
}

static biq_flow *make(env *e, const biq_issue *is, size_t n, biq_ms now)
{
    biq_flow_input in = {.issues = is, .n_issues = n, .statuses = catalogue, .n_statuses = 3,
                         .schedule = &e->ws, .now = now};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, e->a, &f), BIQ_OK);
    return f;
}

START_TEST(durations_in_working_time)
{
    env e;
    setup(&e, true);
    /* Created Fri 29 Mar 16:00 CET; started Tue 2 Apr 10:00 CEST; done 16:00. */
    biq_transition t1[] = {tr(1, utc(2024, 4, 2, 8), BACKLOG, PROG),
                           tr(2, utc(2024, 4, 2, 14), PROG, DONE)};
    /* Friday 17:00 -> Monday 09:00 (a normal week): no working time. */
    biq_transition t2[] = {tr(3, utc(2024, 3, 25, 8), BACKLOG, PROG)};
    biq_issue is[] = {issue(1, "W-1", utc(2024, 3, 29, 15), DONE, t1, 2),
                      issue(2, "W-2", utc(2024, 3, 22, 16), PROG, t2, 1)};
    biq_ms now = utc(2024, 4, 3, 10); /* Wed 12:00 CEST */
    biq_flow *f = make(&e, is, 2, now);
    const biq_flow_issue_view *v = biq_flow_issue_by_key(f, "W-1");
    ck_assert_int_eq(v->slices[0].duration_ms, 2 * H); /* Fri 16-17, Tue 9-10 */
    ck_assert_int_eq(v->slices[1].duration_ms, 6 * H);
    ck_assert_int_eq(v->slices[2].duration_ms, 4 * H); /* open: Tue 16-17, Wed 9-12 */
    ck_assert_int_eq(v->lead_ms, 8 * H);
    ck_assert_int_eq(v->cycle_ms, 6 * H);
    const biq_flow_issue_view *w = biq_flow_issue_by_key(f, "W-2");
    ck_assert_int_eq(w->slices[0].duration_ms, 0);
    /* In progress since Mon 25 Mar 09:00 CET: 4 days + Tue 2 Apr + Wed to 12:00
     * (Fri 29 Mar is a working day here; Easter Monday is not). */
    ck_assert_int_eq(w->slices[1].duration_ms, (5 * 8 + 8 + 3) * H);
    biq_flow_aging *g = NULL;
    ck_assert_int_eq(biq_flow_wip_aging(f, e.a, &g), BIQ_OK);
    ck_assert_uint_eq(g->n_rows, 1);
    ck_assert_double_eq_tol(g->rows[0].days_in_status, 51.0 / 24.0, 1e-12);
    ck_assert_double_eq_tol(g->rows[0].days_since_created, 51.0 / 24.0, 1e-12);
    ck_assert_uint_eq(g->reference_n, 1);
    ck_assert_double_eq_tol(g->reference_p95_days, 8.0 / 24.0, 1e-12);
    ck_assert(g->rows[0].past_reference);
    /* A window of working time: WIP is working overlap / working length. */
    biq_window_spec spec = {.kind = BIQ_WIN_CUSTOM, .from = utc(2024, 4, 2, 7),
                            .to = utc(2024, 4, 3, 10)};
    biq_flow_window win;
    biq_flow_report *r = NULL;
    ck_assert_int_eq(biq_flow_window_resolve(f, &spec, &win), BIQ_OK);
    ck_assert_int_eq(biq_flow_report_build(f, &win, e.a, &r), BIQ_OK);
    for (size_t i = 0; i < r->n_statuses; i++)
        if (r->statuses[i].status->id == PROG) /* W-2 all 11 h, W-1 6 of 11 h */
            ck_assert_double_eq_tol(r->statuses[i].cur.wip_avg, 17.0 / 11.0, 1e-12);
    biq_arena_free(e.a);
}
END_TEST

START_TEST(cfd_days_follow_the_zone)
{
    env e;
    setup(&e, false);
    /* 00:30 on Sunday 31 March (still CET until 02:00) is 30 March 23:30 UTC. */
    biq_transition t[] = {tr(1, utc(2024, 3, 30, 23) + 30 * 60000, BACKLOG, PROG)};
    biq_issue is = issue(1, "C-1", utc(2024, 3, 28, 12), PROG, t, 1);
    biq_flow *f = make(&e, &is, 1, utc(2024, 4, 2, 12));
    biq_flow_wip_stack *c = NULL;
    int64_t d30 = biq_civil_days(2024, 3, 30);
    ck_assert_int_eq(biq_flow_wip_stack_build(f, d30, d30 + 2, e.a, &c), BIQ_OK);
    ck_assert_int_eq(c->sample_at[0], utc(2024, 3, 30, 23)); /* midnight CET */
    ck_assert_int_eq(c->sample_at[1], utc(2024, 3, 31, 22)); /* midnight CEST */
    ck_assert_int_eq(c->sample_at[2] - c->sample_at[1], 24 * H);
    /* Backlog at the end of the 30th, In Progress at the end of the 31st. */
    for (size_t b = 0; b < c->n_bands; b++) {
        uint32_t d0 = c->counts[b], d1 = c->counts[c->n_bands + b];
        if (c->bands[b]->id == BACKLOG)
            ck_assert(d0 == 1 && d1 == 0);
        if (c->bands[b]->id == PROG)
            ck_assert(d0 == 0 && d1 == 1);
    }
    /* Calendar durations when the schedule only gives the zone. */
    ck_assert_int_eq(biq_flow_issue_at(f, 0)->slices[0].duration_ms,
                     utc(2024, 3, 30, 23) + 30 * 60000 - utc(2024, 3, 28, 12));
    ck_assert_int_eq(biq_flow_wip_stack_build(f, d30, d30 - 1, e.a, &c), BIQ_ERR_INVALID);
    ck_assert_int_eq(biq_flow_wip_stack_build(f, d30, d30 + BIQ_FLOW_MAX_CHART_DAYS, e.a, &c),
                     BIQ_ERR_LIMIT);
    biq_arena_free(e.a);
}
END_TEST

/* ------------------------------------------- closed form against day walk */

#define MIN BIQ_MS_PER_MINUTE

enum {
    SCHEDULES_PER_ZONE = 16,
    PAIRS_PER_SCHEDULE = 48,
    MAX_GEN_HOLIDAYS = 48,
    MANY_HOLIDAYS = BIQ_FLOW_MAX_HOLIDAYS,
};

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int64_t pick(uint64_t *s, int64_t n)
{
    return (int64_t)(rnd(s) % (uint64_t)n);
}

/* Zone files when the system has them, and POSIX rules (a rule for all
 * time; permanent DST written as a year-long rule; rule times past 24 h). */
static const char *const zone_files[] = {
    "Europe/Berlin",    "America/New_York", "Australia/Lord_Howe", "America/Sao_Paulo",
    "America/Santiago", "Asia/Kolkata",     "UTC",              "Pacific/Apia",
    "Pacific/Kwajalein",
};
static const char *const posix_rules[] = {
    "CET-1CEST,M3.5.0,M10.5.0/3",
    "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",
    "EST5EDT,0/0,J365/25",
    "AAA3BBB,M3.5.0/-2,M10.5.0/26",
    "AAA12BBB-12,M3.5.0/0,M10.5.0/23",
    "AAA-13:30BBB11,M3.5.0/0,M10.5.0/1",
};

/* Hours at the edges that matter (midnight, change times) or anywhere. */
static int32_t gen_minute(uint64_t *r)
{
    static const int32_t edges[] = {0, 30, 60, 120, 150, 180, 540, 1020, 1380, 1439, 1440};
    return pick(r, 2) ? edges[pick(r, 11)] : (int32_t)pick(r, 1441);
}

static biq_work_schedule gen_schedule(uint64_t *r, const biq_tz *tz, int64_t *hol,
                                      int64_t day_lo, int64_t day_hi)
{
    int32_t a = gen_minute(r), b = gen_minute(r);
    if (a > b) {
        int32_t t = a;
        a = b;
        b = t;
    }
    if (a == b)
        a == 0 ? b++ : a--;
    size_t n = pick(r, 4) == 0 ? 0 : (size_t)pick(r, MAX_GEN_HOLIDAYS + 1);
    for (size_t i = 0; i < n; i++) /* some duplicates; weekends as often as not */
        hol[i] = i > 0 && pick(r, 5) == 0 ? hol[pick(r, (int64_t)i)]
                                          : day_lo + pick(r, day_hi - day_lo + 1);
    return (biq_work_schedule){.tz = tz, .working = true, .working_days = (uint8_t)(1 + pick(r, 127)),
                               .day_start_min = a, .day_end_min = b, .holidays = hol,
                               .n_holidays = n};
}

/* An instant on local day `day`: midnight, an end of the working hours, an
 * offset change, or anywhere; sometimes a millisecond or an hour off. */
static biq_ms gen_instant(uint64_t *r, const biq_work_schedule *ws, int64_t day)
{
    static const int64_t jitter[] = {0, 0, 0, 1, -1, H, -H};
    biq_ms t;
    switch (pick(r, 4)) {
    case 0:
        t = biq_tz_day_start(ws->tz, day);
        break;
    case 1:
        t = biq_tz_local_to_utc(ws->tz, day * DAY + (pick(r, 2) ? ws->day_start_min : ws->day_end_min) * MIN);
        break;
    case 2:
        t = biq_tz_next_change(ws->tz, day * DAY);
        t = t == INT64_MAX ? day * DAY : t;
        break;
    default:
        t = day * DAY + pick(r, DAY);
    }
    return t + jitter[pick(r, 7)];
}

/* Days from a to b: mostly short, some years, a few a century; at times
 * negative (b before a). */
static int64_t gen_span_days(uint64_t *r)
{
    int64_t k = pick(r, 100);
    if (k < 10)
        return -pick(r, 3);
    if (k < 50)
        return pick(r, 4);
    if (k < 80)
        return pick(r, 60);
    if (k < 98)
        return pick(r, 1200);
    return pick(r, 120 * 366);
}

/* Years the pairs start in: the zone's history, its rule, the far ends. */
static int64_t gen_start_day(uint64_t *r)
{
    static const int64_t years[] = {1, 1600, 1890, 1916, 1970, 1980, 2000, 2024, 2036, 2037,
                                    2038, 2100, 2436, 2437, 2438, 2500, 9990};
    int64_t y = pick(r, 3) ? 1960 + pick(r, 90) : years[pick(r, 17)];
    return biq_civil_days(y, 1, 1) + pick(r, 366);
}

static biq_flow *empty_flow(biq_arena *a, const biq_work_schedule *ws)
{
    biq_flow_input in = {.schedule = ws, .now = 0};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    return f;
}

static long check_zone(const biq_tz *tz, uint64_t *r)
{
    long checked = 0;
    int64_t hol[MAX_GEN_HOLIDAYS];
    for (int k = 0; k < SCHEDULES_PER_ZONE; k++) {
        biq_arena *a = biq_arena_new(8u << 20);
        int64_t d0 = gen_start_day(r);
        biq_work_schedule ws = gen_schedule(r, tz, hol, d0 - 30, d0 + 800);
        biq_flow *f = empty_flow(a, &ws);
        for (int p = 0; p < PAIRS_PER_SCHEDULE; p++) {
            int64_t da = p % 4 ? d0 + pick(r, 400) : gen_start_day(r);
            biq_ms ta = gen_instant(r, &ws, da);
            biq_ms tb = pick(r, 10) == 0 ? ta : gen_instant(r, &ws, da + gen_span_days(r));
            int64_t walk = biq_test_sched_walk(&ws, ta, tb);
            int64_t closed = biq_flow_duration(f, ta, tb);
            if (walk != closed)
                ck_abort_msg("%s %d-%d days %#x: [%lld, %lld) walk %lld closed %lld",
                             biq_tz_name(tz), ws.day_start_min, ws.day_end_min, ws.working_days,
                             (long long)ta, (long long)tb, (long long)walk, (long long)closed);
            checked++;
        }
        biq_arena_free(a);
    }
    return checked;
}

START_TEST(closed_form_equals_day_walk)
{
    biq_arena *a = biq_arena_new(1u << 20);
    uint64_t r = 0x9e3779b97f4a7c15u;
    long checked = 0;
    for (size_t i = 0; i < sizeof zone_files / sizeof *zone_files; i++) {
        biq_tz *tz = NULL;
        if (biq_tz_load(NULL, zone_files[i], a, &tz) == BIQ_OK)
            checked += check_zone(tz, &r);
    }
    for (size_t i = 0; i < sizeof posix_rules / sizeof *posix_rules; i++) {
        biq_tz *tz = NULL;
        ck_assert_int_eq(biq_tz_from_posix(posix_rules[i], posix_rules[i], a, &tz), BIQ_OK);
        checked += check_zone(tz, &r);
    }
    ck_assert_int_ge(checked, (long)(sizeof posix_rules / sizeof *posix_rules) *
                                  SCHEDULES_PER_ZONE * PAIRS_PER_SCHEDULE);
    biq_arena_free(a);
}
END_TEST

/* Hand-computed values, so a wrong oracle cannot hide a wrong closed form. */
START_TEST(closed_form_pinned_cases)
{
    env e;
    setup(&e, true);
    int64_t wed = biq_civil_days(2024, 3, 13), sat = biq_civil_days(2024, 3, 16);
    int64_t hol[] = {wed, sat, wed}; /* a duplicate and a weekend */
    e.ws.holidays = hol;
    e.ws.n_holidays = 3;
    biq_flow *f = empty_flow(e.a, &e.ws);
    biq_ms mon = utc(2024, 3, 11, 0) - H; /* Monday 00:00 CET */
    ck_assert_int_eq(biq_flow_duration(f, mon, mon + 14 * DAY), (80 - 8) * H);
    ck_assert_int_eq(biq_flow_duration(f, mon, mon), 0);
    ck_assert_int_eq(biq_flow_duration(f, mon + DAY, mon), 0);
    /* Working-hour edges to the millisecond: Monday 09:00 CET is 08:00 UTC. */
    ck_assert_int_eq(biq_flow_duration(f, mon + 9 * H - 1, mon + 9 * H + 1), 1);
    ck_assert_int_eq(biq_flow_duration(f, mon + 17 * H - 1, mon + DAY + 9 * H + 1), 2);
    /* Round the clock, every day: working time is calendar time, across
     * every change of Berlin's history and its rule 400 years on. */
    biq_work_schedule all = {.tz = e.tz, .working = true, .working_days = 0x7f,
                             .day_start_min = 0, .day_end_min = 1440};
    biq_flow *g = empty_flow(e.a, &all);
    int64_t spring = biq_civil_days(2024, 3, 31), spring2424 = biq_civil_days(2424, 3, 31);
    ck_assert_int_eq(biq_civil_weekday(spring), biq_civil_weekday(spring2424));
    ck_assert_int_eq(biq_flow_duration(g, biq_tz_day_start(e.tz, spring),
                                       biq_tz_day_start(e.tz, spring + 1)), 23 * H);
    ck_assert_int_eq(biq_flow_duration(g, biq_tz_day_start(e.tz, spring2424),
                                       biq_tz_day_start(e.tz, spring2424 + 1)), 23 * H);
    biq_ms y1 = utc(1, 1, 1, 0), y9999 = utc(9999, 12, 31, 12);
    ck_assert_int_eq(biq_flow_duration(g, y1, y9999), y9999 - y1);
    ck_assert_int_eq(biq_flow_duration(g, utc(2030, 6, 1, 0), utc(2900, 6, 1, 0)),
                     utc(2900, 6, 1, 0) - utc(2030, 6, 1, 0));
    /* 01:00-04:00 on the spring day loses the skipped hour; autumn gains it. */
    biq_work_schedule night = all;
    night.day_start_min = 60;
    night.day_end_min = 240;
    biq_flow *n = empty_flow(e.a, &night);
    int64_t autumn = biq_civil_days(2024, 10, 27);
    ck_assert_int_eq(biq_flow_duration(n, biq_tz_day_start(e.tz, spring),
                                       biq_tz_day_start(e.tz, spring + 1)), 2 * H);
    ck_assert_int_eq(biq_flow_duration(n, biq_tz_day_start(e.tz, autumn),
                                       biq_tz_day_start(e.tz, autumn + 1)), 4 * H);
    ck_assert_int_eq(biq_flow_duration(n, biq_tz_day_start(e.tz, spring),
                                       biq_tz_day_start(e.tz, autumn + 1)),
                     (autumn + 1 - spring) * 3 * H);
    biq_arena_free(e.a);
}
END_TEST

/* The day walk on a span through the flow core of a fresh flow. */
static void assert_walk(biq_arena *a, const biq_work_schedule *ws, biq_ms from, biq_ms to)
{
    int64_t walk = biq_test_sched_walk(ws, from, to);
    ck_assert_int_eq(biq_flow_duration(empty_flow(a, ws), from, to), walk);
}

/* Rules whose start and end fall on different weekdays: a Saturday-only
 * schedule sees one change a year, so 400 years of rule add up to hours
 * (the cycle's sum must be applied, before and after the cycle's start). A
 * fall-back across midnight: b after a but on the day before. */
START_TEST(closed_form_asymmetric_rules)
{
    biq_arena *a = biq_arena_new(16u << 20);
    biq_tz *sat = NULL, *late = NULL, *santiago = NULL;
    ck_assert_int_eq(biq_tz_from_posix("AAA3BBB,M3.5.0/-2,M10.5.0/26", "sat", a, &sat), BIQ_OK);
    biq_work_schedule ws = {.tz = sat, .working = true, .working_days = 1u << 5,
                            .day_start_min = 0, .day_end_min = 1440};
    assert_walk(a, &ws, utc(1560, 1, 1, 0), utc(1580, 1, 1, 0));
    assert_walk(a, &ws, utc(1960, 1, 1, 0), utc(1980, 1, 1, 0));
    ck_assert_int_eq(biq_flow_duration(empty_flow(a, &ws), utc(1960, 1, 1, 0), utc(1980, 1, 1, 0)),
                     biq_flow_duration(empty_flow(a, &ws), utc(2360, 1, 1, 0), utc(2380, 1, 1, 0)));
    if (biq_tz_load(NULL, "America/Santiago", a, &santiago) == BIQ_OK) {
        ws.tz = santiago;
        assert_walk(a, &ws, utc(2430, 1, 1, 0), utc(2445, 1, 1, 0));
        assert_walk(a, &ws, utc(2030, 1, 1, 0), utc(2045, 1, 1, 0));
    }
    ck_assert_int_eq(biq_tz_from_posix("AAA3BBB,M3.5.0,M10.5.0/24:30", "late", a, &late), BIQ_OK);
    ws.tz = late;
    ws.working_days = 0x7f;
    biq_ms t = biq_tz_next_change(late, utc(2024, 10, 1, 0));
    ck_assert_int_gt(biq_tz_local_day(late, t - 1), biq_tz_local_day(late, t + 1));
    ck_assert_int_eq(biq_flow_duration(empty_flow(a, &ws), t - 1, t + 1), 0);
    assert_walk(a, &ws, t - 1, t + 1);
    assert_walk(a, &ws, t - 1, t + 2 * H);
    biq_arena_free(a);
}
END_TEST

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* One issue created in year 1 that moved in 9999, 4,096 holidays, Berlin
 * hours: the flow, its ages and a report cost milliseconds (the day walk
 * took 50 s). The bound is generous on purpose: it catches a walk, not a
 * slow machine. */
START_TEST(span_does_not_cost)
{
    env e;
    setup(&e, true);
    static int64_t hol[MANY_HOLIDAYS];
    for (int i = 0; i < MANY_HOLIDAYS; i++)
        hol[i] = biq_civil_days(1970, 1, 1) + (int64_t)i * 5; /* 1970-2026, weekends too */
    e.ws.holidays = hol;
    e.ws.n_holidays = MANY_HOLIDAYS;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    biq_ms y1 = utc(1, 1, 1, 0), y9999 = utc(9999, 12, 31, 12);
    biq_transition t[] = {tr(1, y9999 - DAY, BACKLOG, PROG)};
    biq_issue is = issue(1, "F-1", y1, PROG, t, 1);
    biq_flow *f = make(&e, &is, 1, y9999);
    biq_flow_aging *g = NULL;
    ck_assert_int_eq(biq_flow_wip_aging(f, e.a, &g), BIQ_OK);
    biq_window_spec spec = {.kind = BIQ_WIN_DAYS, .days = BIQ_FLOW_MAX_WINDOW_DAYS};
    biq_flow_window win;
    biq_flow_report *r = NULL;
    ck_assert_int_eq(biq_flow_window_resolve(f, &spec, &win), BIQ_OK);
    ck_assert_int_eq(biq_flow_report_build(f, &win, e.a, &r), BIQ_OK);
    const biq_flow_issue_view *v = biq_flow_issue_at(f, 0);
    ck_assert_int_gt(v->slices[0].duration_ms, 0);
    ck_assert_int_lt(v->slices[0].duration_ms, (y9999 - y1) / 4);
    ck_assert_msg(seconds_since(&t0) < 1.0, "year 1 to 9999 took %.3f s", seconds_since(&t0));
    /* 1970 -> 2026 with the same holidays: equal to the day walk. */
    biq_ms from = utc(1970, 1, 1, 0), to = utc(2026, 6, 1, 0);
    ck_assert_int_eq(biq_flow_duration(f, from, to), biq_test_sched_walk(&e.ws, from, to));
    biq_arena_free(e.a);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("flow_schedule");
    TCase *tc = tcase_create("schedule");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, durations_in_working_time);
    tcase_add_test(tc, cfd_days_follow_the_zone);
    tcase_add_test(tc, closed_form_equals_day_walk);
    tcase_add_test(tc, closed_form_pinned_cases);
    tcase_add_test(tc, closed_form_asymmetric_rules);
    tcase_add_test(tc, span_does_not_cost);
    suite_add_tcase(s, tc);
    return s;
}
