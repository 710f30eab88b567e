/* test_forecast.c - Monte Carlo forecasts (src/flow/forecast.c): constant
 * throughput gives a point; days of 0 or 1 done (p = 1/2) make "how many in
 * D days" Binomial(D, 1/2), checked against the closed-form quantiles for
 * several seeds; "when" against the negative binomial; fixed seed gives the
 * same bytes; zero throughput cannot be forecast; limits are refused; the
 * flow's basis (calendar and working days) and dates; the histogram of
 * outcomes (bars of one width, at most BIQ_FORECAST_MAX_BUCKETS, agreeing
 * with the percentiles). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "flow/charts_json.h"
#include "flow/flow.h"
#include "testsupport.h"
#include "tz/civil.h"

#define DAY BIQ_MS_PER_DAY
#define HOUR BIQ_MS_PER_HOUR

enum { BACKLOG = 1, PROG = 2, DONE = 5, N_SEEDS = 5, BINOM_DAYS = 100, NB_ITEMS = 20 };

static const int PCTS[BIQ_FORECAST_N_PERCENTILES] = {50, 70, 85, 95};

/* P(X >= c) for X ~ Binomial(n, 1/2), exact in double for n <= 100. */
static double binom_tail(int n, int c)
{
    double sum = 0;
    for (int k = c; k <= n; k++)
        sum += exp(lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0) - n * log(2.0));
    return sum;
}

/* The largest c with P(X >= c) >= p/100: "at least c with probability p". */
static int binom_at_least(int n, int p)
{
    int c = 0;
    while (c < n && binom_tail(n, c + 1) >= p / 100.0)
        c++;
    return c;
}

/* Smallest k with P(k days of Bernoulli(1/2) give >= items) >= p/100. */
static int negbin_quantile(int items, int p)
{
    int k = items;
    while (binom_tail(k, items) < p / 100.0)
        k++;
    return k;
}

static biq_forecast run(const uint32_t *daily, size_t n, biq_forecast_params p, biq_arena *a)
{
    biq_forecast f;
    memset(&f, 0, sizeof f);
    ck_assert_int_eq(biq_forecast_simulate(daily, n, &p, a, &f), BIQ_OK);
    return f;
}

START_TEST(constant_throughput_is_a_point)
{
    biq_arena *a = biq_arena_new(8u << 20);
    const uint32_t daily[] = {3, 3, 3, 3};
    biq_forecast w = run(daily, 4, (biq_forecast_params){.kind = BIQ_FORECAST_WHEN, .items = 10,
                                                          .seed = 7},
                         a);
    biq_forecast h = run(daily, 4,
                         (biq_forecast_params){.kind = BIQ_FORECAST_HOW_MANY, .horizon = 7,
                                               .seed = 7},
                         a);
    ck_assert_int_eq(w.state, BIQ_FORECAST_OK);
    for (int i = 0; i < BIQ_FORECAST_N_PERCENTILES; i++) {
        ck_assert_int_eq(w.points[i].p, PCTS[i]);
        ck_assert_int_eq(w.points[i].value, 4); /* ceil(10 / 3) */
        ck_assert(w.points[i].reached);
        ck_assert_int_eq(h.points[i].p, PCTS[i]);
        ck_assert_int_eq(h.points[i].value, 21);
    }
    biq_arena_free(a);
}
END_TEST

START_TEST(two_valued_throughput_is_binomial)
{
    biq_arena *a = biq_arena_new(8u << 20);
    const uint32_t daily[] = {0, 1, 1, 0}; /* p = 1/2 */
    for (uint64_t seed = 1; seed <= N_SEEDS; seed++) {
        biq_forecast h = run(daily, 4,
                             (biq_forecast_params){.kind = BIQ_FORECAST_HOW_MANY,
                                                   .horizon = BINOM_DAYS, .seed = seed * 1000003},
                             a);
        /* Median: P(X >= 50) = 0.540, P(X >= 51) = 0.460, 8 sigma apart from
         * 0.5 with 10 000 trials: exact for every seed. */
        ck_assert_int_eq(binom_at_least(BINOM_DAYS, 50), 50);
        ck_assert_int_eq(h.points[0].value, 50);
        for (int i = 1; i < BIQ_FORECAST_N_PERCENTILES; i++) {
            int want = binom_at_least(BINOM_DAYS, PCTS[i]);
            ck_assert_msg(llabs(h.points[i].value - want) <= 1, "seed %d P%d: %lld, closed form %d",
                          (int)seed, PCTS[i], (long long)h.points[i].value, want);
        }
        ck_assert_int_eq(binom_at_least(BINOM_DAYS, 95), 42);
        /* "when" 20 items: negative binomial; never fewer than 20 / 1 days. */
        biq_forecast w = run(daily, 4,
                             (biq_forecast_params){.kind = BIQ_FORECAST_WHEN, .items = NB_ITEMS,
                                                   .seed = seed},
                             a);
        for (int i = 0; i < BIQ_FORECAST_N_PERCENTILES; i++) {
            int want = negbin_quantile(NB_ITEMS, PCTS[i]);
            ck_assert_int_ge(w.points[i].value, NB_ITEMS);
            ck_assert_msg(llabs(w.points[i].value - want) <= 1, "seed %d when P%d: %lld vs %d",
                          (int)seed, PCTS[i], (long long)w.points[i].value, want);
            if (i > 0)
                ck_assert_int_ge(w.points[i].value, w.points[i - 1].value);
        }
    }
    biq_arena_free(a);
}
END_TEST

/* docs/metrics.md's worked example: days of 2, 0, 1, 1 done; each draw is
 * Binomial(2, 1/2), k draws Binomial(2k, 1/2). */
START_TEST(worked_example_of_the_docs)
{
    biq_arena *a = biq_arena_new(8u << 20);
    const uint32_t daily[] = {2, 0, 1, 1};
    biq_forecast h = run(daily, 4,
                         (biq_forecast_params){.kind = BIQ_FORECAST_HOW_MANY, .horizon = 2,
                                               .seed = BIQ_FORECAST_SEED_DEFAULT},
                         a);
    biq_forecast w = run(daily, 4,
                         (biq_forecast_params){.kind = BIQ_FORECAST_WHEN, .items = 3,
                                               .seed = BIQ_FORECAST_SEED_DEFAULT},
                         a);
    const int64_t many[] = {2, 1, 1, 0}, when[] = {3, 4, 4, 6};
    for (int i = 0; i < BIQ_FORECAST_N_PERCENTILES; i++) {
        ck_assert_int_eq(h.points[i].value, many[i]);
        ck_assert_int_eq(w.points[i].value, when[i]); /* the default seed's */
    }
    biq_arena_free(a);
}
END_TEST

START_TEST(when_at_least_items_over_max_per_day)
{
    biq_arena *a = biq_arena_new(8u << 20);
    const uint32_t daily[] = {0, 2, 5, 1, 0, 0, 3};
    biq_forecast w = run(daily, 7, (biq_forecast_params){.kind = BIQ_FORECAST_WHEN, .items = 23,
                                                          .seed = 3},
                         a);
    for (int i = 0; i < BIQ_FORECAST_N_PERCENTILES; i++)
        ck_assert_int_ge(w.points[i].value, 5); /* ceil(23 / 5) */
    biq_arena_free(a);
}
END_TEST

START_TEST(fixed_seed_same_bytes)
{
    biq_arena *a = biq_arena_new(8u << 20);
    const uint32_t daily[] = {0, 1, 4, 2, 0, 3, 1, 0, 0, 2};
    biq_forecast_params p = {.kind = BIQ_FORECAST_WHEN, .items = 40, .seed = 42};
    biq_forecast x = run(daily, 10, p, a), y = run(daily, 10, p, a);
    ck_assert(memcmp(x.points, y.points, sizeof x.points) == 0);
    json_t *ox = biq_flow_forecast_json(&x), *oy = biq_flow_forecast_json(&y);
    char *jx = json_dumps(ox, JSON_SORT_KEYS), *jy = json_dumps(oy, JSON_SORT_KEYS);
    ck_assert_str_eq(jx, jy);
    free(jx);
    free(jy);
    json_decref(ox);
    json_decref(oy);
    /* Another seed may differ; over a few seeds some percentile does (the
     * seed is used), and each answer stays a valid forecast. */
    bool differs = false;
    for (uint64_t s = 43; s < 53; s++) {
        p.seed = s;
        biq_forecast z = run(daily, 10, p, a);
        differs |= memcmp(x.points, z.points, sizeof x.points) != 0;
        ck_assert_int_eq(z.state, BIQ_FORECAST_OK);
    }
    ck_assert(differs);
    biq_arena_free(a);
}
END_TEST

START_TEST(zero_throughput_cannot_forecast)
{
    biq_arena *a = biq_arena_new(8u << 20);
    const uint32_t zero[] = {0, 0, 0};
    biq_forecast w = run(zero, 3, (biq_forecast_params){.kind = BIQ_FORECAST_WHEN, .items = 1},
                         a);
    ck_assert_int_eq(w.state, BIQ_FORECAST_NO_THROUGHPUT);
    ck_assert_str_eq(biq_forecast_state_name(w.state), "no_throughput");
    /* Almost no throughput: every trial stops at the cap, none reaches. */
    uint32_t sparse[100] = {0};
    sparse[17] = 1;
    biq_forecast s = run(sparse, 100,
                         (biq_forecast_params){.kind = BIQ_FORECAST_WHEN,
                                               .items = BIQ_FORECAST_MAX_ITEMS, .trials = 100},
                         a);
    ck_assert_int_eq(s.state, BIQ_FORECAST_OK);
    for (int i = 0; i < BIQ_FORECAST_N_PERCENTILES; i++) {
        ck_assert(!s.points[i].reached);
        ck_assert_int_eq(s.points[i].value, BIQ_FORECAST_MAX_SIM_DAYS + 1);
    }
    biq_arena_free(a);
}
END_TEST

START_TEST(limits_refused)
{
    biq_arena *a = biq_arena_new(1u << 20);
    const uint32_t daily[] = {1, 2};
    biq_forecast f;
    biq_forecast_params bad[] = {
        {.kind = BIQ_FORECAST_WHEN, .items = 0},
        {.kind = BIQ_FORECAST_WHEN, .items = -3},
        {.kind = BIQ_FORECAST_WHEN, .items = BIQ_FORECAST_MAX_ITEMS + 1},
        {.kind = BIQ_FORECAST_WHEN, .items = 5, .trials = BIQ_FORECAST_MAX_TRIALS + 1},
        {.kind = BIQ_FORECAST_WHEN, .items = 5, .trials = -1},
        {.kind = BIQ_FORECAST_HOW_MANY, .horizon = -1},
        {.kind = BIQ_FORECAST_HOW_MANY, .horizon = BIQ_FORECAST_MAX_HORIZON_DAYS + 1},
        {.kind = (biq_forecast_kind)7, .items = 5},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_int_eq(biq_forecast_simulate(daily, 2, &bad[i], a, &f), BIQ_ERR_INVALID);
    biq_forecast_params ok = {.kind = BIQ_FORECAST_WHEN, .items = BIQ_FORECAST_MAX_ITEMS,
                              .trials = BIQ_FORECAST_MAX_TRIALS};
    ck_assert_int_eq(biq_forecast_simulate(daily, 0, &ok, a, &f), BIQ_ERR_INVALID);
    /* The scratch is the arena's: a tiny arena says so. */
    biq_arena *tiny = biq_arena_new(1024);
    ck_assert_int_eq(biq_forecast_simulate(daily, 2, &ok, tiny, &f), BIQ_ERR_NOMEM);
    biq_arena_free(tiny);
    biq_arena_free(a);
}
END_TEST

/* --------------------------------------------------------- histogram */

static uint32_t hist_sum(const biq_forecast_histogram *h)
{
    uint32_t sum = h->not_reached;
    for (uint32_t b = 0; b < h->n_buckets; b++)
        sum += h->buckets[b].count;
    return sum;
}

/* Trials whose outcome is at most v (bars of width 1). */
static uint32_t hist_at_most(const biq_forecast_histogram *h, int64_t v)
{
    uint32_t n = 0;
    for (uint32_t b = 0; b < h->n_buckets; b++)
        n += h->buckets[b].hi <= v ? h->buckets[b].count : 0;
    return n;
}

START_TEST(histogram_of_a_point_is_one_bar)
{
    biq_arena *a = biq_arena_new(8u << 20);
    const uint32_t daily[] = {3, 3, 3, 3};
    biq_forecast w = run(daily, 4, (biq_forecast_params){.kind = BIQ_FORECAST_WHEN, .items = 10},
                         a);
    biq_forecast h = run(daily, 4,
                         (biq_forecast_params){.kind = BIQ_FORECAST_HOW_MANY, .horizon = 7}, a);
    ck_assert_uint_eq(w.histogram.n_buckets, 1);
    ck_assert_int_eq(w.histogram.width, 1);
    ck_assert_int_eq(w.histogram.buckets[0].lo, 4);
    ck_assert_int_eq(w.histogram.buckets[0].hi, 4);
    ck_assert_uint_eq(w.histogram.buckets[0].count, BIQ_FORECAST_TRIALS_DEFAULT);
    ck_assert_uint_eq(w.histogram.not_reached, 0);
    ck_assert_uint_eq(h.histogram.n_buckets, 1);
    ck_assert_int_eq(h.histogram.buckets[0].lo, 21);
    ck_assert_uint_eq(h.histogram.buckets[0].count, BIQ_FORECAST_TRIALS_DEFAULT);
    biq_arena_free(a);
}
END_TEST

/* The docs' worked example: "how many in 2 days" is Binomial(4, 1/2), so
 * the bars 0..4 hold 1, 4, 6, 4, 1 sixteenths of the trials (within 4 sigma
 * of 10 000 trials); the bars agree with the percentiles exactly. */
START_TEST(histogram_of_the_worked_example)
{
    biq_arena *a = biq_arena_new(8u << 20);
    const uint32_t daily[] = {2, 0, 1, 1};
    biq_forecast h = run(daily, 4,
                         (biq_forecast_params){.kind = BIQ_FORECAST_HOW_MANY, .horizon = 2,
                                               .seed = BIQ_FORECAST_SEED_DEFAULT},
                         a);
    const double sixteenths[] = {1, 4, 6, 4, 1};
    const double n = BIQ_FORECAST_TRIALS_DEFAULT;
    ck_assert_uint_eq(h.histogram.n_buckets, 5);
    ck_assert_int_eq(h.histogram.width, 1);
    for (uint32_t b = 0; b < 5; b++) {
        double q = sixteenths[b] / 16, want = n * q, sd = sqrt(n * q * (1 - q));
        ck_assert_int_eq(h.histogram.buckets[b].lo, b);
        ck_assert_int_eq(h.histogram.buckets[b].hi, b);
        ck_assert_msg(fabs(h.histogram.buckets[b].count - want) <= 4 * sd, "bar %u: %u vs %.0f",
                      b, h.histogram.buckets[b].count, want);
    }
    ck_assert_uint_eq(hist_sum(&h.histogram), BIQ_FORECAST_TRIALS_DEFAULT);
    /* "At least v with probability p": trials at >= v reach p%, at >= v+1 do not. */
    for (int i = 0; i < BIQ_FORECAST_N_PERCENTILES; i++) {
        int64_t v = h.points[i].value;
        uint32_t at_least_v = BIQ_FORECAST_TRIALS_DEFAULT - hist_at_most(&h.histogram, v - 1);
        uint32_t above_v = BIQ_FORECAST_TRIALS_DEFAULT - hist_at_most(&h.histogram, v);
        ck_assert_uint_ge(at_least_v * 100u, (uint32_t)PCTS[i] * BIQ_FORECAST_TRIALS_DEFAULT);
        ck_assert_uint_lt(above_v * 100u, (uint32_t)PCTS[i] * BIQ_FORECAST_TRIALS_DEFAULT);
    }
    /* "When 3 items": done within v days for p% of trials, within v-1 for fewer. */
    biq_forecast w = run(daily, 4,
                         (biq_forecast_params){.kind = BIQ_FORECAST_WHEN, .items = 3,
                                               .seed = BIQ_FORECAST_SEED_DEFAULT},
                         a);
    ck_assert_int_eq(w.histogram.width, 1);
    ck_assert_int_eq(w.histogram.buckets[0].lo, 2); /* 3 items need two days at least */
    ck_assert_uint_eq(hist_sum(&w.histogram), BIQ_FORECAST_TRIALS_DEFAULT);
    for (int i = 0; i < BIQ_FORECAST_N_PERCENTILES; i++) {
        int64_t v = w.points[i].value;
        ck_assert_uint_ge(hist_at_most(&w.histogram, v) * 100u,
                          (uint32_t)PCTS[i] * BIQ_FORECAST_TRIALS_DEFAULT);
        ck_assert_uint_lt(hist_at_most(&w.histogram, v - 1) * 100u,
                          (uint32_t)PCTS[i] * BIQ_FORECAST_TRIALS_DEFAULT);
    }
    biq_arena_free(a);
}
END_TEST

/* Days of 0 or k done, one simulated day: the outcomes are exactly 0 and k,
 * so the bars span 0..k: k + 1 outcomes fit BIQ_FORECAST_MAX_BUCKETS bars of
 * 1 up to k = 39; beyond, the width steps 2, 5, 10. */
START_TEST(histogram_width_fits_the_bar_limit)
{
    biq_arena *a = biq_arena_new(8u << 20);
    static const struct {
        uint32_t k;
        int64_t width;
        uint32_t bars;
    } cases[] = {
        {39, 1, 40}, /* exactly BIQ_FORECAST_MAX_BUCKETS */
        {40, 2, 21}, /* one more: 0..1, ..., 40..41 */
        {79, 2, 40},
        {80, 5, 17},
        {100, 5, 21},
        {300, 10, 31},
        {1000, 50, 21},
    };
    ck_assert_int_eq(BIQ_FORECAST_MAX_BUCKETS, 40);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const uint32_t daily[] = {0, cases[i].k};
        biq_forecast h = run(daily, 2,
                             (biq_forecast_params){.kind = BIQ_FORECAST_HOW_MANY, .horizon = 1,
                                                   .trials = 1000, .seed = 5},
                             a);
        const biq_forecast_histogram *g = &h.histogram;
        ck_assert_msg(g->width == cases[i].width && g->n_buckets == cases[i].bars,
                      "k=%u: width %lld, %u bars", cases[i].k, (long long)g->width,
                      g->n_buckets);
        ck_assert_int_eq(g->buckets[0].lo, 0);
        ck_assert_int_eq(g->buckets[0].hi, cases[i].width - 1);
        const biq_forecast_bucket *last = &g->buckets[g->n_buckets - 1];
        ck_assert_int_le(last->lo, cases[i].k);
        ck_assert_int_ge(last->hi, cases[i].k);
        ck_assert_int_eq(last->hi - last->lo + 1, cases[i].width);
        ck_assert_uint_eq(g->buckets[0].count + last->count, 1000); /* nothing between */
        ck_assert_uint_gt(g->buckets[0].count, 0);
        ck_assert_uint_gt(last->count, 0);
    }
    /* "When" bars count from day 1: 1..5, 6..10 (a 0-day bar cannot exist). */
    const uint32_t bern[] = {0, 1};
    biq_forecast w = run(bern, 2,
                         (biq_forecast_params){.kind = BIQ_FORECAST_WHEN, .items = 200, .seed = 9},
                         a);
    ck_assert_int_gt(w.histogram.width, 1);
    for (uint32_t b = 0; b < w.histogram.n_buckets; b++) {
        ck_assert_int_eq((w.histogram.buckets[b].lo - 1) % w.histogram.width, 0);
        if (b > 0)
            ck_assert_int_eq(w.histogram.buckets[b].lo, w.histogram.buckets[b - 1].hi + 1);
    }
    ck_assert_uint_le(w.histogram.n_buckets, BIQ_FORECAST_MAX_BUCKETS);
    ck_assert_uint_eq(hist_sum(&w.histogram), BIQ_FORECAST_TRIALS_DEFAULT);
    biq_arena_free(a);
}
END_TEST

/* Trials past BIQ_FORECAST_MAX_SIM_DAYS are counted apart, in no bar. */
START_TEST(histogram_counts_not_reached_apart)
{
    biq_arena *a = biq_arena_new(8u << 20);
    uint32_t sparse[100] = {0};
    sparse[17] = 1; /* 0.01 a day: 3660 days give 36.6 on average */
    biq_forecast none = run(sparse, 100,
                            (biq_forecast_params){.kind = BIQ_FORECAST_WHEN,
                                                  .items = BIQ_FORECAST_MAX_ITEMS, .trials = 100},
                            a);
    ck_assert_uint_eq(none.histogram.n_buckets, 0);
    ck_assert_uint_eq(none.histogram.not_reached, 100);
    biq_forecast some = run(sparse, 100,
                            (biq_forecast_params){.kind = BIQ_FORECAST_WHEN, .items = 37,
                                                  .trials = 1000, .seed = 11},
                            a);
    const biq_forecast_histogram *g = &some.histogram;
    ck_assert_uint_gt(g->not_reached, 0);
    ck_assert_uint_gt(g->n_buckets, 0);
    ck_assert_uint_eq(hist_sum(g), 1000);
    ck_assert_int_le(g->buckets[g->n_buckets - 1].lo, BIQ_FORECAST_MAX_SIM_DAYS);
    ck_assert_uint_gt(g->buckets[g->n_buckets - 1].count, 0);
    /* JSON: the bars, their count and the trials not reached. */
    json_t *o = biq_flow_forecast_json(&some);
    json_t *hj = json_object_get(o, "histogram");
    ck_assert_int_eq(json_integer_value(json_object_get(hj, "notReached")), g->not_reached);
    ck_assert_int_eq(json_integer_value(json_object_get(hj, "width")), g->width);
    ck_assert_uint_eq(json_array_size(json_object_get(hj, "buckets")), g->n_buckets);
    json_t *b0 = json_array_get(json_object_get(hj, "buckets"), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(b0, "from")), g->buckets[0].lo);
    ck_assert_int_eq(json_integer_value(json_object_get(b0, "to")), g->buckets[0].hi);
    ck_assert_int_eq(json_integer_value(json_object_get(b0, "count")), g->buckets[0].count);
    json_decref(o);
    biq_arena_free(a);
}
END_TEST

/* ---------------------------------------------------------- on a flow */

static const biq_status catalogue[] = {
    {BACKLOG, "Backlog", BIQ_CAT_NEW}, {PROG, "In Progress", BIQ_CAT_ACTIVE},
    {DONE, "Done", BIQ_CAT_DONE},
};

typedef struct fixture {
    biq_issue issues[200];
    biq_transition tr[200][2];
    char keys[200][16];
    size_t n;
} fixture;

static void add_done(fixture *fx, biq_ms done)
{
    size_t i = fx->n++;
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

static biq_flow *make(fixture *fx, const biq_work_schedule *ws, biq_ms now, biq_arena *a)
{
    biq_flow_input in = {.issues = fx->issues, .n_issues = fx->n, .statuses = catalogue,
                         .n_statuses = 3, .schedule = ws, .now = now};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    return f;
}

START_TEST(flow_calendar_days)
{
    biq_arena *a = biq_arena_new(16u << 20);
    static fixture fx;
    memset(&fx, 0, sizeof fx);
    int64_t today = biq_civil_days(2024, 5, 15);
    for (int d = 1; d <= 40; d++) /* one a day, 40 days back; today's is left out */
        add_done(&fx, (today - d) * DAY + 10 * HOUR);
    add_done(&fx, today * DAY + 1 * HOUR);
    biq_flow *flow = make(&fx, NULL, today * DAY + 12 * HOUR, a);
    biq_forecast *f = NULL;
    biq_forecast_spec w = {.kind = BIQ_FORECAST_WHEN, .items = 10, .start_day = today,
                           .seed = BIQ_FORECAST_SEED_DEFAULT};
    ck_assert_int_eq(biq_flow_forecast(flow, &w, a, &f), BIQ_OK);
    ck_assert_int_eq(f->inputs.days_sampled, 30);
    ck_assert_int_eq(f->inputs.total_done, 30);
    ck_assert_int_eq(f->inputs.zero_days, 0);
    ck_assert_int_eq(f->inputs.basis_first_day, today - 30);
    ck_assert_int_eq(f->inputs.basis_last_day, today - 1);
    for (int i = 0; i < BIQ_FORECAST_N_PERCENTILES; i++) {
        ck_assert_int_eq(f->points[i].value, 10);
        ck_assert_int_eq(f->points[i].day, today + 9);
    }
    ck_assert_uint_eq(f->histogram.n_buckets, 1);
    ck_assert_int_eq(f->histogram.buckets[0].lo_day, today + 9);
    ck_assert_int_eq(f->histogram.buckets[0].hi_day, today + 9);
    json_t *wj = biq_flow_forecast_json(f);
    json_t *bar = json_array_get(json_object_get(json_object_get(wj, "histogram"), "buckets"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(bar, "fromDate")), "2024-05-24");
    ck_assert_str_eq(json_string_value(json_object_get(bar, "toDate")), "2024-05-24");
    json_decref(wj);
    biq_forecast_spec h = {.kind = BIQ_FORECAST_HOW_MANY, .start_day = today,
                           .by_day = today + 7, .basis_days = 10};
    ck_assert_int_eq(biq_flow_forecast(flow, &h, a, &f), BIQ_OK);
    ck_assert_int_eq(f->inputs.days_sampled, 10);
    ck_assert_int_eq(f->inputs.horizon, 7);
    ck_assert_int_eq(f->points[3].value, 7);
    /* A basis with nothing done: cannot forecast. */
    biq_flow *later = make(&fx, NULL, (today + 100) * DAY, a);
    ck_assert_int_eq(biq_flow_forecast(later, &w, a, &f), BIQ_OK);
    ck_assert_int_eq(f->state, BIQ_FORECAST_NO_THROUGHPUT);
    json_t *none = biq_flow_forecast_json(f);
    ck_assert(json_is_null(json_object_get(none, "histogram")));
    json_decref(none);
    /* Spec limits. */
    biq_forecast_spec bad = h;
    bad.by_day = today;
    ck_assert_int_eq(biq_flow_forecast(flow, &bad, a, &f), BIQ_ERR_INVALID);
    bad = h;
    bad.by_day = today + BIQ_FORECAST_MAX_HORIZON_DAYS + 1;
    ck_assert_int_eq(biq_flow_forecast(flow, &bad, a, &f), BIQ_ERR_INVALID);
    bad = h;
    bad.basis_days = BIQ_FORECAST_MAX_BASIS_DAYS + 1;
    ck_assert_int_eq(biq_flow_forecast(flow, &bad, a, &f), BIQ_ERR_INVALID);
    bad = w;
    bad.items = 0;
    ck_assert_int_eq(biq_flow_forecast(flow, &bad, a, &f), BIQ_ERR_INVALID);
    biq_arena_free(a);
}
END_TEST

START_TEST(flow_working_days)
{
    biq_arena *a = biq_arena_new(16u << 20);
    static fixture fx;
    memset(&fx, 0, sizeof fx);
    int64_t today = biq_civil_days(2024, 5, 15); /* a Wednesday */
    ck_assert_int_eq(biq_civil_weekday(today), 2);
    /* Two a working day; a weekend completion counts on the Friday before. */
    for (int d = 1; d <= 28; d++) {
        int wd = biq_civil_weekday(today - d);
        if (wd < 5) {
            add_done(&fx, (today - d) * DAY + 10 * HOUR);
            add_done(&fx, (today - d) * DAY + 11 * HOUR);
        }
    }
    biq_work_schedule ws = {.working = true, .working_days = 0x1f, .day_start_min = 9 * 60,
                            .day_end_min = 17 * 60};
    biq_flow *flow = make(&fx, &ws, today * DAY + 12 * HOUR, a);
    biq_forecast *f = NULL;
    biq_forecast_spec w = {.kind = BIQ_FORECAST_WHEN, .items = 10, .start_day = today,
                           .basis_days = 28};
    ck_assert_int_eq(biq_flow_forecast(flow, &w, a, &f), BIQ_OK);
    ck_assert(f->inputs.working_days);
    ck_assert_int_eq(f->inputs.days_sampled, 20);
    ck_assert_int_eq(f->inputs.zero_days, 0);
    /* 5 working days from Wednesday: Wed Thu Fri Mon Tue. */
    for (int i = 0; i < BIQ_FORECAST_N_PERCENTILES; i++) {
        ck_assert_int_eq(f->points[i].value, 5);
        ck_assert_int_eq(f->points[i].day, today + 6);
    }
    ck_assert_int_eq(f->histogram.buckets[0].lo, 5);
    ck_assert_int_eq(f->histogram.buckets[0].lo_day, today + 6); /* Tuesday, weekend skipped */
    biq_forecast_spec h = {.kind = BIQ_FORECAST_HOW_MANY, .start_day = today,
                           .by_day = today + 7, .basis_days = 28};
    ck_assert_int_eq(biq_flow_forecast(flow, &h, a, &f), BIQ_OK);
    ck_assert_int_eq(f->inputs.horizon, 5);
    ck_assert_int_eq(f->points[0].value, 10);
    biq_arena_free(a);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("forecast");
    TCase *tc = tcase_create("forecast");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, constant_throughput_is_a_point);
    tcase_add_test(tc, two_valued_throughput_is_binomial);
    tcase_add_test(tc, worked_example_of_the_docs);
    tcase_add_test(tc, when_at_least_items_over_max_per_day);
    tcase_add_test(tc, fixed_seed_same_bytes);
    tcase_add_test(tc, zero_throughput_cannot_forecast);
    tcase_add_test(tc, limits_refused);
    tcase_add_test(tc, histogram_of_a_point_is_one_bar);
    tcase_add_test(tc, histogram_of_the_worked_example);
    tcase_add_test(tc, histogram_width_fits_the_bar_limit);
    tcase_add_test(tc, histogram_counts_not_reached_apart);
    tcase_add_test(tc, flow_calendar_days);
    tcase_add_test(tc, flow_working_days);
    suite_add_tcase(s, tc);
    return s;
}
