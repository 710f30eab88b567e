/* test_forecast_planted.c - the Monte Carlo forecast (src/flow/forecast.c)
 * against an independent, exact computation on a flow with a planted daily
 * throughput (issue #14: "within a 2% tolerance of an independent
 * computation on generated data with a planted throughput").
 *
 * The flow is built from issues done on each of the 30 basis days in a
 * planted, uneven pattern (0..6 a day). The exact answer does not sample:
 * it convolves the planted days' empirical distribution (from the pattern,
 * not from the flow) H times for "how many in H days", and for "when N"
 * finds the smallest k with P(sum of k days >= N) >= p. The forecast's
 * percentiles (10,000 trials, several seeds) must lie within 2% of the
 * exact ones (at least one unit, since both are whole numbers). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "flow/flow.h"
#include "testsupport.h"
#include "tz/civil.h"

#define DAY BIQ_MS_PER_DAY
#define HOUR BIQ_MS_PER_HOUR

enum {
    BACKLOG = 1,
    PROG = 2,
    DONE = 3,
    BASIS = 30,           /* the forecast's default basis, in days */
    MAX_ISSUES = 256,     /* the planted pattern's sum, with room */
    MAX_SUM = 4096,       /* convolution support: BASIS x max per day x days */
    HORIZON = 20,         /* "how many in 20 days" */
    WHEN_ITEMS = 60,      /* "when will 60 be done" */
    MAX_WHEN_DAYS = 400,  /* the exact "when" search bound */
    N_SEEDS = 4,
    TOLERANCE_PERMILLE = 20, /* 2% */
};

/* Items done on each of the 30 basis days, oldest first: zeros, ones,
 * bursts; mean 62 / 30 = 2.07 a day. */
static const int PLANTED[BASIS] = {0, 1, 3, 0, 2, 6, 1, 0, 0, 4, 2, 2, 5, 0, 1,
                                   3, 0, 2, 1, 4, 0, 0, 6, 2, 1, 3, 5, 0, 2, 6};

static const int PCTS[BIQ_FORECAST_N_PERCENTILES] = {50, 70, 85, 95};

static const biq_status CATALOGUE[] = {
    {BACKLOG, "Backlog", BIQ_CAT_NEW}, {PROG, "In Progress", BIQ_CAT_ACTIVE},
    {DONE, "Done", BIQ_CAT_DONE},
};

typedef struct planted {
    biq_issue issues[MAX_ISSUES];
    biq_transition tr[MAX_ISSUES][2];
    char keys[MAX_ISSUES][16];
    size_t n;
} planted;

/* The flow: PLANTED[d] issues done at 10:00 UTC of basis day d (the 30
 * days before today), "now" today at noon. */
static biq_flow *planted_flow(planted *p, int64_t today, biq_arena *a)
{
    memset(p, 0, sizeof *p);
    for (int d = 0; d < BASIS; d++)
        for (int k = 0; k < PLANTED[d]; k++) {
            size_t i = p->n++;
            ck_assert_uint_lt(i, MAX_ISSUES);
            biq_ms done = (today - BASIS + d) * DAY + 10 * HOUR + k * 60000;
            snprintf(p->keys[i], sizeof p->keys[i], "P-%zu", i + 1);
            p->tr[i][0] = (biq_transition){.history_id = (int64_t)(2 * i + 1), .at = done - HOUR,
                                           .from_status = BACKLOG, .to_status = PROG};
            p->tr[i][1] = (biq_transition){.history_id = (int64_t)(2 * i + 2), .at = done,
                                           .from_status = PROG, .to_status = DONE};
            p->issues[i] = (biq_issue){.id = (int64_t)i + 1, .key = p->keys[i], .status_id = DONE,
                                       .created = done - 2 * HOUR, .issue_type = "Story",
                                       .resolution_at = BIQ_MS_NONE, .transitions = p->tr[i],
                                       .n_transitions = 2, .changelog_total = -1};
        }
    biq_flow_input in = {.issues = p->issues, .n_issues = p->n, .statuses = CATALOGUE,
                         .n_statuses = 3, .now = today * DAY + 12 * HOUR};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    return f;
}

/* dist[s] = P(sum of `days` resampled planted days == s), by convolution. */
static void sum_distribution(int days, double *dist)
{
    static double next[MAX_SUM];
    memset(dist, 0, sizeof(double) * MAX_SUM);
    dist[0] = 1.0;
    for (int t = 0; t < days; t++) {
        memset(next, 0, sizeof next);
        for (int s = 0; s < MAX_SUM; s++) {
            if (dist[s] == 0.0)
                continue;
            for (int d = 0; d < BASIS; d++) {
                ck_assert_int_lt(s + PLANTED[d], MAX_SUM);
                next[s + PLANTED[d]] += dist[s] / BASIS;
            }
        }
        memcpy(dist, next, sizeof next);
    }
}

/* "How many in h days" at p%: the largest c with P(sum >= c) >= p/100. */
static int exact_how_many(int h, int p)
{
    static double dist[MAX_SUM];
    sum_distribution(h, dist);
    double tail = 1.0; /* P(sum >= c) */
    int c = 0;
    while (c + 1 < MAX_SUM && tail - dist[c] >= p / 100.0) {
        tail -= dist[c];
        c++;
    }
    return c;
}

/* "When will n be done" at p%: the smallest k with P(sum of k days >= n)
 * >= p/100 (day S is day 1). */
static int exact_when(int n, int p)
{
    static double dist[MAX_SUM];
    for (int k = 1; k <= MAX_WHEN_DAYS; k++) {
        sum_distribution(k, dist);
        double below = 0;
        for (int s = 0; s < n; s++)
            below += dist[s];
        if (1.0 - below >= p / 100.0)
            return k;
    }
    ck_abort_msg("exact when: beyond %d days", MAX_WHEN_DAYS);
    return -1;
}

/* |got - want| within 2% of want, and at least one unit. */
static void assert_close(const char *what, int p, int64_t got, int want)
{
    int64_t tol = (int64_t)ceil(want * TOLERANCE_PERMILLE / 1000.0);
    if (tol < 1)
        tol = 1;
    ck_assert_msg(llabs(got - want) <= tol, "%s P%d: forecast %lld, exact %d (tolerance %lld)",
                  what, p, (long long)got, want, (long long)tol);
}

START_TEST(planted_basis_is_read_as_planted)
{
    biq_arena *a = biq_arena_new(16u << 20);
    static planted pl;
    int64_t today = biq_civil_days(2025, 3, 12);
    biq_flow *flow = planted_flow(&pl, today, a);
    biq_forecast *f = NULL;
    biq_forecast_spec s = {.kind = BIQ_FORECAST_HOW_MANY, .start_day = today,
                           .by_day = today + HORIZON, .seed = BIQ_FORECAST_SEED_DEFAULT};
    ck_assert_int_eq(biq_flow_forecast(flow, &s, a, &f), BIQ_OK);
    int total = 0, zeros = 0, max = 0;
    for (int d = 0; d < BASIS; d++) {
        total += PLANTED[d];
        zeros += PLANTED[d] == 0;
        max = PLANTED[d] > max ? PLANTED[d] : max;
    }
    ck_assert_int_eq(f->inputs.days_sampled, BASIS);
    ck_assert_int_eq(f->inputs.total_done, total);
    ck_assert_int_eq(f->inputs.zero_days, zeros);
    ck_assert_int_eq(f->inputs.max_per_day, max);
    biq_arena_free(a);
}
END_TEST

START_TEST(how_many_within_two_percent_of_the_convolution)
{
    biq_arena *a = biq_arena_new(16u << 20);
    static planted pl;
    int64_t today = biq_civil_days(2025, 3, 12);
    biq_flow *flow = planted_flow(&pl, today, a);
    int want[BIQ_FORECAST_N_PERCENTILES];
    for (int i = 0; i < BIQ_FORECAST_N_PERCENTILES; i++)
        want[i] = exact_how_many(HORIZON, PCTS[i]);
    /* The exact answers themselves, so that a broken convolution shows. */
    ck_assert_int_gt(want[0], want[3]);
    for (uint64_t seed = 1; seed <= N_SEEDS; seed++) {
        biq_forecast *f = NULL;
        biq_forecast_spec s = {.kind = BIQ_FORECAST_HOW_MANY, .start_day = today,
                               .by_day = today + HORIZON, .seed = seed * 7919};
        ck_assert_int_eq(biq_flow_forecast(flow, &s, a, &f), BIQ_OK);
        ck_assert_int_eq(f->state, BIQ_FORECAST_OK);
        for (int i = 0; i < BIQ_FORECAST_N_PERCENTILES; i++)
            assert_close("how many", PCTS[i], f->points[i].value, want[i]);
    }
    biq_arena_free(a);
}
END_TEST

START_TEST(when_within_two_percent_of_the_exact_quantile)
{
    biq_arena *a = biq_arena_new(16u << 20);
    static planted pl;
    int64_t today = biq_civil_days(2025, 3, 12);
    biq_flow *flow = planted_flow(&pl, today, a);
    int want[BIQ_FORECAST_N_PERCENTILES];
    for (int i = 0; i < BIQ_FORECAST_N_PERCENTILES; i++)
        want[i] = exact_when(WHEN_ITEMS, PCTS[i]);
    ck_assert_int_lt(want[0], want[3]);
    for (uint64_t seed = 1; seed <= N_SEEDS; seed++) {
        biq_forecast *f = NULL;
        biq_forecast_spec s = {.kind = BIQ_FORECAST_WHEN, .items = WHEN_ITEMS,
                               .start_day = today, .seed = seed * 104729};
        ck_assert_int_eq(biq_flow_forecast(flow, &s, a, &f), BIQ_OK);
        for (int i = 0; i < BIQ_FORECAST_N_PERCENTILES; i++) {
            ck_assert(f->points[i].reached);
            assert_close("when", PCTS[i], f->points[i].value, want[i]);
            ck_assert_int_eq(f->points[i].day, today + f->points[i].value - 1);
        }
    }
    biq_arena_free(a);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("forecast_planted");
    TCase *tc = tcase_create("planted");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, planted_basis_is_read_as_planted);
    tcase_add_test(tc, how_many_within_two_percent_of_the_convolution);
    tcase_add_test(tc, when_within_two_percent_of_the_exact_quantile);
    suite_add_tcase(s, tc);
    return s;
}
