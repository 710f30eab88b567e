/* trends.c - "significant changes vs prior window": lead time and, per
 * non-terminal status, average time, WIP and throughput, each compared with
 * the previous window above a noise floor; the largest changes first. */
#include <math.h>
#include <stdio.h>

#include "flow/flow_internal.h"
#include "tz/civil.h"

#define WORSE_RATIO 1.2
#define BETTER_RATIO 0.8
#define RATIO_EPS 1e-9
#define MIN_PREV_AVG_MS (30 * BIQ_MS_PER_MINUTE)
#define MIN_PREV_WIP 2.0

enum {
    MIN_PREV_SAMPLES = 3,
    MIN_PREV_THROUGHPUT = 3,
};

const char *biq_trend_metric_name(biq_trend_metric m)
{
    switch (m) {
    case BIQ_TREND_LEAD_TIME:
        return "leadTime";
    case BIQ_TREND_TIME_IN_STATUS:
        return "timeInStatus";
    case BIQ_TREND_WIP:
        return "wip";
    case BIQ_TREND_THROUGHPUT:
        return "throughput";
    }
    return "unknown";
}

/* Candidates keep their place in the report (rank) for a total order. */
typedef struct cand {
    biq_flow_trend t;
    size_t rank;
} cand;

static bool before(const cand *a, const cand *b)
{
    double da = fabs(a->t.ratio - 1.0), db = fabs(b->t.ratio - 1.0);
    if (da != db)
        return da > db;
    if (a->t.metric != b->t.metric)
        return a->t.metric < b->t.metric;
    return a->rank < b->rank;
}

/* Inserts c into the sorted top list of at most BIQ_FLOW_MAX_TRENDS. */
static void keep(cand *top, size_t *n, const cand *c)
{
    size_t pos = *n;
    while (pos > 0 && before(c, &top[pos - 1]))
        pos--;
    if (pos >= BIQ_FLOW_MAX_TRENDS)
        return;
    size_t last = *n < BIQ_FLOW_MAX_TRENDS ? *n : BIQ_FLOW_MAX_TRENDS - 1;
    for (size_t j = last; j > pos; j--)
        top[j] = top[j - 1];
    top[pos] = *c;
    if (*n < BIQ_FLOW_MAX_TRENDS)
        (*n)++;
}

/* Classifies and keeps a comparison; higher_is_worse is false for throughput. */
static void consider(cand *top, size_t *n, biq_trend_metric metric,
                     const biq_flow_status_info *st, size_t rank, double cur, double prev,
                     double ratio, bool higher_is_worse)
{
    bool up = ratio >= WORSE_RATIO - RATIO_EPS, down = ratio <= BETTER_RATIO + RATIO_EPS;
    if (!up && !down)
        return; /* stable rows are not shown */
    double pct = (ratio - 1.0) * 100.0;
    cand c = {
        .t = {.metric = metric, .status = st, .current = cur, .previous = prev, .ratio = ratio,
              .change_pct = pct, /* exact; printed by biq_flow_format_change */
              .worsening = up == higher_is_worse},
        .rank = rank,
    };
    keep(top, n, &c);
}

static bool time_floor(const biq_flow_stats *cur, const biq_flow_stats *prev)
{
    return prev->count >= MIN_PREV_SAMPLES && prev->avg_ms >= (double)MIN_PREV_AVG_MS &&
           cur->count > 0;
}

static void status_trends(const biq_flow_report *r, size_t i, cand *top, size_t *n)
{
    const biq_flow_status_metrics *m = &r->statuses[i];
    const biq_flow_status_info *st = m->status;
    if (st->terminal)
        return;
    /* Ranks order candidates of one metric only, so shifting every rank of a
     * metric alike changes nothing: each `i + 1` below is marked equivalent. */
    if (time_floor(&m->cur.time, &m->prev.time))
        /* mutate: equivalent const (rank, as above) */
        consider(top, n, BIQ_TREND_TIME_IN_STATUS, st, i + 1, m->cur.time.avg_ms,
                 m->prev.time.avg_ms, m->cur.time.avg_ms / m->prev.time.avg_ms, true);
    if (biq_flow_status_load(st) == BIQ_LOAD_WIP && m->prev.wip_avg >= MIN_PREV_WIP - RATIO_EPS)
        /* mutate: equivalent const (rank, as above) */
        consider(top, n, BIQ_TREND_WIP, st, i + 1, m->cur.wip_avg, m->prev.wip_avg,
                 m->cur.wip_avg / m->prev.wip_avg, true);
    if (m->prev.throughput >= MIN_PREV_THROUGHPUT && r->window.days > 0 &&
        r->window.prev_days > 0) {
        double ratio = (m->cur.throughput / r->window.days) / (m->prev.throughput / r->window.prev_days);
        /* mutate: equivalent const (rank, as above) */
        consider(top, n, BIQ_TREND_THROUGHPUT, st, i + 1, m->cur.throughput, m->prev.throughput,
                 ratio, false);
    }
}

void biq_flow_trends_compute(biq_flow_report *r)
{
    cand top[BIQ_FLOW_MAX_TRENDS];
    size_t n = 0;
    if (time_floor(&r->cur.lead, &r->prev.lead))
        consider(top, &n, BIQ_TREND_LEAD_TIME, NULL, 0, r->cur.lead.avg_ms, r->prev.lead.avg_ms,
                 r->cur.lead.avg_ms / r->prev.lead.avg_ms, true);
    for (size_t i = 0; i < r->n_statuses; i++)
        status_trends(r, i, top, &n);
    for (size_t i = 0; i < n; i++)
        r->trends[i] = top[i].t;
    r->n_trends = n;
}

char *biq_flow_format_change(double ratio_minus_one, char *buf, size_t size)
{
    double pct = fabs(ratio_minus_one) * 100.0;
    if (ratio_minus_one > 0 && pct > BIQ_FLOW_CHANGE_PCT_MAX)
        snprintf(buf, size, "\u00d7%.1f", 1.0 + ratio_minus_one);
    else
        snprintf(buf, size, "%ld%%", lround(pct));
    return buf;
}
