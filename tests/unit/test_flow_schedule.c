/* test_flow_schedule.c - the flow core under a work schedule (Berlin,
 * Mon-Fri 09:00-17:00, Easter Monday off): slice durations, lead and cycle
 * times and ages in working time across the DST weekend; CFD day
 * boundaries in the zone (23-hour day). */
#include <string.h>

#include "common/arena.h"
#include "flow/flow.h"
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
    biq_flow_cfd *c = NULL;
    int64_t d30 = biq_civil_days(2024, 3, 30);
    ck_assert_int_eq(biq_flow_cfd_build(f, d30, d30 + 2, e.a, &c), BIQ_OK);
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
    ck_assert_int_eq(biq_flow_cfd_build(f, d30, d30 - 1, e.a, &c), BIQ_ERR_INVALID);
    ck_assert_int_eq(biq_flow_cfd_build(f, d30, d30 + BIQ_FLOW_MAX_CHART_DAYS, e.a, &c),
                     BIQ_ERR_LIMIT);
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
    suite_add_tcase(s, tc);
    return s;
}
