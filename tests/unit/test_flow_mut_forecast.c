/* test_flow_mut_forecast.c - the forecast's basis (src/flow/forecast.c) at
 * what the mutation run (scripts/mutate.py) found unpinned: with the work
 * schedule on, a day off's completions count on the working day just
 * before it (not two back), and those before the first working day on that
 * day. Expected values by hand. */
#include <stdio.h>
#include <string.h>

#include "common/arena.h"
#include "flow/flow.h"
#include "testsupport.h"
#include "tz/civil.h"

#define DAY BIQ_MS_PER_DAY
#define HOUR BIQ_MS_PER_HOUR

enum { BACKLOG = 1, PROG = 2, DONE = 5, MAX_ITEMS = 16 };

static const biq_status catalogue[] = {
    {BACKLOG, "Backlog", BIQ_CAT_NEW},
    {PROG, "In Progress", BIQ_CAT_ACTIVE},
    {DONE, "Done", BIQ_CAT_DONE},
};

typedef struct fixture {
    biq_issue issues[MAX_ITEMS];
    biq_transition tr[MAX_ITEMS][2];
    char keys[MAX_ITEMS][16];
    size_t n;
} fixture;

/* `count` items done on local (UTC) day `day` at 10:00. */
static void done_on(fixture *fx, int64_t day, int count)
{
    for (int k = 0; k < count; k++) {
        size_t i = fx->n++;
        ck_assert_uint_le(fx->n, MAX_ITEMS);
        biq_ms done = day * DAY + 10 * HOUR;
        snprintf(fx->keys[i], sizeof fx->keys[i], "F-%zu", i + 1);
        fx->tr[i][0] = (biq_transition){.history_id = (int64_t)(2 * i + 1), .at = done - HOUR,
                                        .from_status = BACKLOG, .to_status = PROG};
        fx->tr[i][1] = (biq_transition){.history_id = (int64_t)(2 * i + 2), .at = done,
                                        .from_status = PROG, .to_status = DONE};
        fx->issues[i] = (biq_issue){.id = (int64_t)i + 1, .key = fx->keys[i], .status_id = DONE,
                                    .created = done - 2 * HOUR, .issue_type = "Story",
                                    .resolution_at = BIQ_MS_NONE, .transitions = fx->tr[i],
                                    .n_transitions = 2, .changelog_total = -1};
    }
}

static const biq_forecast *forecast_of(fixture *fx, int64_t today, int32_t basis, biq_arena *a)
{
    biq_work_schedule ws = {.working = true, .working_days = 0x1f, .day_start_min = 9 * 60,
                            .day_end_min = 17 * 60};
    biq_flow_input in = {.issues = fx->issues, .n_issues = fx->n, .statuses = catalogue,
                         .n_statuses = 3, .schedule = &ws, .now = today * DAY + 12 * HOUR};
    biq_flow *flow = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &flow), BIQ_OK);
    biq_forecast_spec w = {.kind = BIQ_FORECAST_WHEN, .items = 5, .start_day = today,
                           .basis_days = basis};
    biq_forecast *f = NULL;
    ck_assert_int_eq(biq_flow_forecast(flow, &w, a, &f), BIQ_OK);
    return f;
}

/* Today Wednesday 2024-05-15, a basis of 7 days: Wed 8 .. Tue 14, working
 * days Wed Thu Fri Mon Tue. Done: Wed 1, Thu 1, Sat 3, Mon 2, Tue 1. The
 * Saturday's 3 go to Friday: 1 1 3 2 1, no zero day, at most 3 a day.
 * (Two working days back, on Thursday, would give 1 4 0 2 1.) */
START_TEST(a_day_off_counts_on_the_working_day_before)
{
    biq_arena *a = biq_arena_new(16u << 20);
    static fixture fx;
    memset(&fx, 0, sizeof fx);
    int64_t today = biq_civil_days(2024, 5, 15);
    ck_assert_int_eq(biq_civil_weekday(today), 2); /* Monday is 0 */
    done_on(&fx, today - 7, 1);                    /* Wed */
    done_on(&fx, today - 6, 1);                    /* Thu */
    done_on(&fx, today - 4, 3);                    /* Sat */
    done_on(&fx, today - 2, 2);                    /* Mon */
    done_on(&fx, today - 1, 1);                    /* Tue */
    const biq_forecast *f = forecast_of(&fx, today, 7, a);
    ck_assert(f->inputs.working_days);
    ck_assert_int_eq(f->inputs.days_sampled, 5);
    ck_assert_int_eq(f->inputs.total_done, 8);
    ck_assert_int_eq(f->inputs.zero_days, 0);
    ck_assert_int_eq(f->inputs.max_per_day, 3);
    biq_arena_free(a);
}
END_TEST

/* A basis of 10 days from Sunday 5 May: the Sunday's 4 have no working day
 * before them in the basis, so they count on Monday 6 (with its 1: 5); the
 * other working days (Tue 7 .. Fri 10, Mon 13) are empty and Tuesday 14
 * has 1: 7 working days, 5 of them zero, at most 5. */
START_TEST(days_off_before_the_first_working_day_count_on_it)
{
    biq_arena *a = biq_arena_new(16u << 20);
    static fixture fx;
    memset(&fx, 0, sizeof fx);
    int64_t today = biq_civil_days(2024, 5, 15);
    ck_assert_int_eq(biq_civil_weekday(today - 10), 6); /* Sunday */
    done_on(&fx, today - 10, 4);
    done_on(&fx, today - 9, 1);
    done_on(&fx, today - 1, 1);
    const biq_forecast *f = forecast_of(&fx, today, 10, a);
    ck_assert_int_eq(f->inputs.days_sampled, 7);
    ck_assert_int_eq(f->inputs.total_done, 6);
    ck_assert_int_eq(f->inputs.zero_days, 5);
    ck_assert_int_eq(f->inputs.max_per_day, 5);
    biq_arena_free(a);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("flow_mut_forecast");
    TCase *tc = tcase_create("basis");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, a_day_off_counts_on_the_working_day_before);
    tcase_add_test(tc, days_off_before_the_first_working_day_count_on_it);
    suite_add_tcase(s, tc);
    return s;
}
