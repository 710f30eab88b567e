/* stats.c - sample statistics: mean and Hyndman-Fan type 7 percentiles
 * (rank p*(n-1), linear interpolation between the closest ranks; the
 * definition of R's default and NumPy's "linear"). */
#include <math.h>
#include <stdlib.h>

#include "flow/flow.h"

/* 2^53: every integer up to it is a double. */
#define EXACT_INT_MAX (INT64_C(1) << 53)

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    /* mutate: equivalent rel: differs only for x == y, equal values in any order sort the same */
    return (x > y) - (x < y);
}

double biq_flow_percentile(const int64_t *sorted, size_t n, double p)
{
    if (n == 0)
        return 0.0;
    if (!(p > 0.0)) /* mutate: equivalent rel "> -> >=": p == 0 gives sorted[0] below too */
        return (double)sorted[0];
    /* Callers pass 0.5 to 0.95; a p >= 1 of any usable size would reach the
     * bound below with the same result:
     * mutate: equivalent rel ">= -> >", mutate: equivalent guard */
    if (p >= 1.0)
        return (double)sorted[n - 1];
    double rank = p * (double)(n - 1);
    size_t lo = (size_t)floor(rank);
    double frac = rank - (double)lo;
    /* For 0 < p < 1, p * (n - 1) rounds below n - 1, so this bound applies
     * only when the one above is gone: mutate: equivalent guard, rel */
    if (lo + 1 >= n)
        return (double)sorted[n - 1];
    return (double)sorted[lo] + frac * (double)(sorted[lo + 1] - sorted[lo]);
}

double biq_flow_quotient(long double num, long double den)
{
    const long double exact = (long double)EXACT_INT_MAX;
    /* mutate: equivalent rel: at exactly +-2^53 both ways divide exactly
     * (negating the test is killed by quotients_round_once) */
    if (num >= -exact && num <= exact && den >= -exact && den <= exact &&
        num == (long double)(int64_t)num && den == (long double)(int64_t)den)
        return (double)num / (double)den; /* one correctly rounded division */
    return (double)(num / den);
}

void biq_flow_stats_compute(int64_t *values, size_t n, biq_flow_stats *out)
{
    *out = (biq_flow_stats){.count = (uint32_t)n};
    if (n == 0)
        return;
    qsort(values, n, sizeof *values, cmp_i64);
    /* Sum in long double: exact for any realistic sample (ms fit in 53 bits). */
    long double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += (long double)values[i];
    out->avg_ms = biq_flow_quotient(sum, (long double)n);
    out->p50_ms = biq_flow_percentile(values, n, 0.50);
    out->p85_ms = biq_flow_percentile(values, n, 0.85);
    out->p90_ms = biq_flow_percentile(values, n, 0.90);
    out->p95_ms = biq_flow_percentile(values, n, 0.95);
}
