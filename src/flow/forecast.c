/* forecast.c - Monte Carlo forecasts: "when will N items be done" and "how
 * many items by a date", by resampling the daily throughput of a basis
 * window (docs/metrics.md, "Forecasts"; product.md, "Forecasts").
 *
 * The generator is xoshiro256** (Blackman and Vigna, 2018) seeded through
 * splitmix64, written here rather than taken from the C library: rand() and
 * random() differ between libcs (so the same seed would give different
 * answers on glibc, musl and macOS) and keep hidden global state (not
 * thread-safe, not pure). These ~20 lines give the same bytes everywhere. */
#include <stdlib.h>
#include <string.h>

#include "flow/flow_internal.h"

static const int PERCENTILES[BIQ_FORECAST_N_PERCENTILES] = {50, 70, 85, 95};

enum { PERCENT = 100, DAYS_PER_WEEK_WALK = 7, NICE_STEPS_PER_DECADE = 10 };

/* ------------------------------------------------------------------ PRNG */

typedef struct prng {
    uint64_t s[4];
} prng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static void prng_seed(prng *g, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        g->s[i] = splitmix64(&seed); /* never all zero: splitmix64 is a bijection of a counter */
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t prng_next(prng *g)
{
    uint64_t *s = g->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, n), n >= 1, without modulo bias (rejection of the top
 * partial block). */
static uint64_t prng_below(prng *g, uint64_t n)
{
    uint64_t rem = (UINT64_MAX % n + 1) % n; /* 2^64 mod n */
    uint64_t limit = UINT64_MAX - rem;
    uint64_t r;
    do
        r = prng_next(g);
    while (r > limit);
    return r % n;
}

/* ------------------------------------------------------------ simulation */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* 1-based rank of percentile p among n trials: ceil(p * n / 100). */
static size_t rank_of(int p, size_t n)
{
    size_t r = ((size_t)p * n + PERCENT - 1) / PERCENT;
    return r == 0 ? 1 : r;
}

static int64_t trial_when(prng *g, const uint32_t *daily, size_t n_days, int32_t items)
{
    int64_t sum = 0, k = 0;
    while (sum < items && k < BIQ_FORECAST_MAX_SIM_DAYS) {
        sum += daily[prng_below(g, n_days)];
        k++;
    }
    return sum >= items ? k : BIQ_FORECAST_MAX_SIM_DAYS + 1;
}

static int64_t trial_how_many(prng *g, const uint32_t *daily, size_t n_days, int32_t horizon)
{
    int64_t sum = 0;
    for (int32_t d = 0; d < horizon; d++)
        sum += daily[prng_below(g, n_days)];
    return sum;
}

/* ------------------------------------------------------------- histogram */

/* Bar widths step 1, 2, 5, 10, 20, 50, ...: round bar edges read at a glance. */
static int64_t next_width(int64_t w)
{
    int64_t decade = 1;
    while (decade * NICE_STEPS_PER_DECADE <= w)
        decade *= NICE_STEPS_PER_DECADE;
    int64_t lead = w / decade; /* 1, 2 or 5 */
    return lead == 1 ? 2 * decade : lead == 2 ? 5 * decade : NICE_STEPS_PER_DECADE * decade;
}

/* Index of the bar of outcome v: bars start at origin + k * width. */
static int64_t bar_of(int64_t v, int64_t origin, int64_t width)
{
    return (v - origin) / width;
}

/* The histogram of sorted[0..n) (ascending; WHEN outcomes above
 * BIQ_FORECAST_MAX_SIM_DAYS are "not reached", all at the end). */
static void histogram_build(const int64_t *sorted, size_t n, biq_forecast_kind kind,
                            biq_forecast_histogram *h)
{
    memset(h, 0, sizeof *h);
    size_t m = n;
    if (kind == BIQ_FORECAST_WHEN)
        while (m > 0 && sorted[m - 1] > BIQ_FORECAST_MAX_SIM_DAYS)
            m--;
    h->not_reached = (uint32_t)(n - m);
    h->width = 1;
    if (m == 0)
        return;
    int64_t origin = kind == BIQ_FORECAST_WHEN ? 1 : 0;
    int64_t lo = sorted[0], hi = sorted[m - 1];
    while (bar_of(hi, origin, h->width) - bar_of(lo, origin, h->width) + 1 >
           BIQ_FORECAST_MAX_BUCKETS)
        h->width = next_width(h->width);
    int64_t first = bar_of(lo, origin, h->width);
    h->n_buckets = (uint32_t)(bar_of(hi, origin, h->width) - first + 1);
    for (uint32_t b = 0; b < h->n_buckets; b++) {
        h->buckets[b].lo = origin + (first + b) * h->width;
        h->buckets[b].hi = h->buckets[b].lo + h->width - 1;
    }
    for (size_t t = 0; t < m; t++)
        h->buckets[bar_of(sorted[t], origin, h->width) - first].count++;
}

static bool params_valid(const biq_forecast_params *p)
{
    if (p->trials < 0 || p->trials > BIQ_FORECAST_MAX_TRIALS)
        return false;
    if (p->kind == BIQ_FORECAST_WHEN)
        return p->items >= 1 && p->items <= BIQ_FORECAST_MAX_ITEMS;
    if (p->kind == BIQ_FORECAST_HOW_MANY)
        return p->horizon >= 0 && p->horizon <= BIQ_FORECAST_MAX_HORIZON_DAYS;
    return false;
}

biq_err biq_forecast_simulate(const uint32_t *daily, size_t n_days, const biq_forecast_params *p,
                              biq_arena *arena, biq_forecast *out)
{
    if (daily == NULL || n_days == 0 || n_days > BIQ_FORECAST_MAX_SIM_DAYS || p == NULL ||
        out == NULL || !params_valid(p))
        return BIQ_ERR_INVALID;
    out->kind = p->kind;
    out->state = BIQ_FORECAST_OK;
    memset(out->points, 0, sizeof out->points);
    memset(&out->histogram, 0, sizeof out->histogram);
    uint64_t total = 0;
    for (size_t i = 0; i < n_days; i++)
        total += daily[i];
    if (total == 0) {
        out->state = BIQ_FORECAST_NO_THROUGHPUT;
        return BIQ_OK;
    }
    size_t trials = (size_t)(p->trials ? p->trials : BIQ_FORECAST_TRIALS_DEFAULT);
    int64_t *res = biq_arena_alloc(arena, trials * sizeof *res);
    if (res == NULL)
        return BIQ_ERR_NOMEM;
    prng g;
    prng_seed(&g, p->seed);
    for (size_t t = 0; t < trials; t++)
        res[t] = p->kind == BIQ_FORECAST_WHEN ? trial_when(&g, daily, n_days, p->items)
                                              : trial_how_many(&g, daily, n_days, p->horizon);
    qsort(res, trials, sizeof *res, cmp_i64);
    for (size_t i = 0; i < BIQ_FORECAST_N_PERCENTILES; i++) {
        biq_forecast_point *pt = &out->points[i];
        size_t r = rank_of(PERCENTILES[i], trials);
        pt->p = PERCENTILES[i];
        pt->value = p->kind == BIQ_FORECAST_WHEN ? res[r - 1] : res[trials - r];
        pt->reached = pt->value <= BIQ_FORECAST_MAX_SIM_DAYS;
        pt->day = 0;
    }
    histogram_build(res, trials, p->kind, &out->histogram);
    return BIQ_OK;
}

/* -------------------------------------------------------------- the flow */

static bool spec_valid(const biq_forecast_spec *s)
{
    if (s->basis_days < 0 || s->basis_days > BIQ_FORECAST_MAX_BASIS_DAYS || s->trials < 0 ||
        s->trials > BIQ_FORECAST_MAX_TRIALS)
        return false;
    if (s->kind == BIQ_FORECAST_WHEN)
        return s->items >= 1 && s->items <= BIQ_FORECAST_MAX_ITEMS;
    if (s->kind == BIQ_FORECAST_HOW_MANY)
        return s->by_day > s->start_day &&
               s->by_day - s->start_day <= BIQ_FORECAST_MAX_HORIZON_DAYS;
    return false;
}

/* Daily done counts of the basis's sampled days into daily[] (at most
 * basis_days entries); the number of sampled days in *n. */
static biq_err basis_counts(const biq_flow *flow, int64_t first, int32_t basis_days,
                            biq_arena *arena, uint32_t *daily, size_t *n)
{
    uint32_t *by_day = biq_arena_calloc(arena, (size_t)basis_days, sizeof *by_day);
    if (by_day == NULL)
        return BIQ_ERR_NOMEM;
    int64_t last = first + basis_days - 1;
    for (size_t i = 0; i < flow->n_issues; i++) {
        biq_ms d = flow->issues[i].done_at;
        if (d == BIQ_MS_NONE || flow->issues[i].outcome_excluded || d > flow->now)
            continue;
        int64_t day = biq_tz_local_day(flow->tz, d);
        if (day >= first && day <= last)
            by_day[day - first]++;
    }
    /* Calendar days: each day is sampled. Working days: a day off's count
     * goes to the working day before it (the first working day when none). */
    size_t m = 0;
    uint32_t carry = 0;
    for (int32_t i = 0; i < basis_days; i++) {
        if (biq_fl_sched_working_day(&flow->sched, first + i)) {
            daily[m++] = by_day[i] + carry;
            carry = 0;
        } else if (m > 0) {
            daily[m - 1] += by_day[i];
        } else {
            carry += by_day[i];
        }
    }
    *n = m;
    return BIQ_OK;
}

/* Simulated days (working days when the schedule is on) in [from, to). */
static int32_t sim_days_between(const biq_flow *flow, int64_t from, int64_t to)
{
    int32_t n = 0;
    for (int64_t d = from; d < to; d++)
        n += biq_fl_sched_working_day(&flow->sched, d);
    return n;
}

/* The local day of the k-th simulated day (k >= 1) counting from day s. A
 * schedule has a working weekday and at most BIQ_FLOW_MAX_HOLIDAYS holidays,
 * so the walk ends within 7 * (k + BIQ_FLOW_MAX_HOLIDAYS) days. */
static int64_t kth_sim_day(const biq_flow *flow, int64_t s, int64_t k)
{
    int64_t d = s, seen = 0;
    int64_t bound = s + DAYS_PER_WEEK_WALK * (k + BIQ_FLOW_MAX_HOLIDAYS);
    for (; d < bound; d++)
        if (biq_fl_sched_working_day(&flow->sched, d) && ++seen == k)
            return d;
    return d;
}

biq_err biq_flow_forecast(const biq_flow *flow, const biq_forecast_spec *spec, biq_arena *arena,
                          biq_forecast **out)
{
    if (flow == NULL || spec == NULL || out == NULL || !spec_valid(spec))
        return BIQ_ERR_INVALID;
    biq_forecast *f = biq_arena_calloc(arena, 1, sizeof *f);
    int32_t basis = spec->basis_days ? spec->basis_days : BIQ_FORECAST_BASIS_DEFAULT_DAYS;
    uint32_t *daily = biq_arena_calloc(arena, (size_t)basis, sizeof *daily);
    if (f == NULL || daily == NULL)
        return BIQ_ERR_NOMEM;
    int64_t today = biq_tz_local_day(flow->tz, flow->now);
    biq_forecast_inputs *in = &f->inputs;
    in->basis_first_day = today - basis;
    in->basis_last_day = today - 1;
    in->basis_from = biq_tz_day_start(flow->tz, in->basis_first_day);
    in->basis_to = biq_tz_day_start(flow->tz, today);
    in->working_days = flow->sched.s != NULL;
    in->start_day = spec->start_day;
    in->by_day = spec->kind == BIQ_FORECAST_HOW_MANY ? spec->by_day : 0;
    in->items = spec->kind == BIQ_FORECAST_WHEN ? spec->items : 0;
    in->trials = spec->trials ? spec->trials : BIQ_FORECAST_TRIALS_DEFAULT;
    in->seed = spec->seed;
    size_t m = 0;
    biq_err err = basis_counts(flow, in->basis_first_day, basis, arena, daily, &m);
    if (err != BIQ_OK)
        return err;
    in->days_sampled = (uint32_t)m;
    for (size_t i = 0; i < m; i++) {
        in->total_done += daily[i];
        in->zero_days += daily[i] == 0;
        in->max_per_day = daily[i] > in->max_per_day ? daily[i] : in->max_per_day;
    }
    if (spec->kind == BIQ_FORECAST_HOW_MANY)
        in->horizon = sim_days_between(flow, spec->start_day, spec->by_day);
    f->kind = spec->kind;
    if (m == 0) {
        f->state = BIQ_FORECAST_NO_THROUGHPUT;
        *out = f;
        return BIQ_OK;
    }
    biq_forecast_params p = {.kind = spec->kind,
                             .items = in->items,
                             .horizon = in->horizon,
                             .trials = in->trials,
                             .seed = spec->seed};
    if ((err = biq_forecast_simulate(daily, m, &p, arena, f)) != BIQ_OK)
        return err;
    if (f->state == BIQ_FORECAST_OK && f->kind == BIQ_FORECAST_WHEN)
        for (size_t i = 0; i < BIQ_FORECAST_N_PERCENTILES; i++)
            if (f->points[i].reached)
                f->points[i].day = kth_sim_day(flow, spec->start_day, f->points[i].value);
    biq_forecast_histogram *h = &f->histogram;
    if (f->state == BIQ_FORECAST_OK && f->kind == BIQ_FORECAST_WHEN)
        for (uint32_t b = 0; b < h->n_buckets; b++) {
            h->buckets[b].lo_day = kth_sim_day(flow, spec->start_day, h->buckets[b].lo);
            h->buckets[b].hi_day = kth_sim_day(flow, spec->start_day, h->buckets[b].hi);
        }
    *out = f;
    return BIQ_OK;
}

const char *biq_forecast_kind_name(biq_forecast_kind k)
{
    return k == BIQ_FORECAST_HOW_MANY ? "how_many" : "when";
}

const char *biq_forecast_state_name(biq_forecast_state s)
{
    return s == BIQ_FORECAST_NO_THROUGHPUT ? "no_throughput" : "ok";
}

bool biq_flow_forecast_number(const char *s, int64_t max, int64_t *out)
{
    size_t n = strlen(s);
    if (n == 0 || n > BIQ_FORECAST_NUMBER_DIGITS_MAX || strspn(s, "0123456789") != n)
        return false;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    *out = v;
    return v <= max;
}
