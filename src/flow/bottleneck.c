/* bottleneck.c - the top insight: which non-terminal, internal status slowed
 * down most against the previous window, scored from three signals. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "flow/flow_internal.h"

/* A threshold met exactly by the data must count as met although the ratio
 * went through floating point (13 h / 10 h is exactly 1.3 only on paper). */
#define RATIO_EPS 1e-9
#define TIME_RATIO_BONUS 1.5

enum {
    SCORE_TIME = 2,
    SCORE_TIME_BONUS = 1,
    SCORE_WIP = 1,
    SCORE_THROUGHPUT = 1,
    SCORE_XMR = 1, /* the optional fourth input (settings.xmr_signal) */
    SCORE_MIN = 3,
    SCORE_HIGH = 4,
    SCORE_VERY_HIGH = 5,
};

static const char MSG_SPARSE[] = "Not enough recent activity";
static const char MSG_HEALTHY[] = "No stage shows a significant slowdown vs. the prior window";

typedef struct signals {
    bool has_t, has_w, has_d;
    double t, w, d;
    int score;
    bool t_scored, w_scored, d_scored, x_scored;
} signals;

static bool present(const biq_flow_status_window *w)
{
    return w->time.count > 0 || w->wip_avg > 0 || w->throughput > 0;
}

static void compute_signals(const biq_flow_settings *cfg, const biq_flow_report *r,
                            const biq_flow_status_metrics *m, signals *s)
{
    *s = (signals){0};
    if (m->prev.time.count > 0 && m->prev.time.avg_ms > 0) {
        s->has_t = true;
        s->t = m->cur.time.avg_ms / m->prev.time.avg_ms;
    }
    if (m->prev.wip_avg > 0) {
        s->has_w = true;
        s->w = m->cur.wip_avg / m->prev.wip_avg;
    }
    /* Throughput per day, so unequal windows (MTD, sprints) compare fairly. */
    if (m->prev.throughput > 0 && r->window.days > 0 && r->window.prev_days > 0) {
        double cur = m->cur.throughput / r->window.days;
        double prev = m->prev.throughput / r->window.prev_days;
        s->has_d = true;
        s->d = (cur - prev) / prev;
    }
    if (s->has_t && s->t >= cfg->threshold_time - RATIO_EPS) {
        s->score += SCORE_TIME;
        s->t_scored = true;
        if (s->t >= TIME_RATIO_BONUS - RATIO_EPS)
            s->score += SCORE_TIME_BONUS;
    }
    if (s->has_w && s->w >= cfg->threshold_wip - RATIO_EPS) {
        s->score += SCORE_WIP;
        s->w_scored = true;
    }
    if (s->has_d && s->d <= cfg->threshold_throughput + RATIO_EPS) {
        s->score += SCORE_THROUGHPUT;
        s->d_scored = true;
    }
    /* Off by default: every result without the setting stays as it was. */
    if (cfg->xmr_signal && m->has_xmr && m->xmr_crossings > 0) {
        s->score += SCORE_XMR;
        s->x_scored = true;
    }
}

static int ascii_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int x = (unsigned char)*a, y = (unsigned char)*b;
        x = x >= 'A' && x <= 'Z' ? x + 32 : x;
        y = y >= 'A' && y <= 'Z' ? y + 32 : y;
        if (x != y || x == 0)
            return x - y;
    }
}

/* True when a beats b: higher score, then the alphabetically first name
 * (case-insensitive, then bytewise), then the lower id. */
static bool beats(const biq_flow_status_metrics *a, int sa, const biq_flow_status_metrics *b,
                  int sb)
{
    if (sa != sb)
        return sa > sb;
    int c = ascii_casecmp(a->status->name, b->status->name);
    if (c == 0)
        c = strcmp(a->status->name, b->status->name);
    if (c != 0)
        return c < 0;
    return a->status->id < b->status->id;
}

static void add_reason(biq_flow_bottleneck *b, const char *what, double change)
{
    char size[BIQ_FLOW_CHANGE_TEXT_MAX];
    snprintf(b->reasons[b->n_reasons++], BIQ_FLOW_REASON_MAX, "%s %s %s", what,
             change >= 0 ? "increased" : "decreased",
             biq_flow_format_change(change, size, sizeof size));
}

/* "Time in Review crossed its upper process limit"; a name too long for
 * the phrase is left out rather than cut inside a character. */
static void add_xmr_reason(biq_flow_bottleneck *b, const char *name)
{
    static const char HEAD[] = "Time in ", TAIL[] = " crossed its upper process limit";
    char *out = b->reasons[b->n_reasons++];
    if (strlen(name) + sizeof HEAD + sizeof TAIL - 1 <= BIQ_FLOW_REASON_MAX)
        snprintf(out, BIQ_FLOW_REASON_MAX, "%s%s%s", HEAD, name, TAIL);
    else
        snprintf(out, BIQ_FLOW_REASON_MAX, "Time in status%s", TAIL);
}

static void explain(biq_flow_bottleneck *b)
{
    size_t used = 0;
    int n = snprintf(b->explanation, sizeof b->explanation,
                     "%s is currently the bottleneck (%s confidence). Signals: ",
                     b->winner->status->name, b->confidence);
    used = n > 0 ? (size_t)n : 0;
    for (size_t i = 0; i < b->n_reasons && used < sizeof b->explanation; i++) {
        n = snprintf(b->explanation + used, sizeof b->explanation - used, "%s%s",
                     i ? "; " : "", b->reasons[i]);
        used += n > 0 ? (size_t)n : 0;
    }
    if (used < sizeof b->explanation)
        snprintf(b->explanation + used, sizeof b->explanation - used, ".");
}

static void fill_winner(biq_flow_bottleneck *b, const biq_flow_status_metrics *m,
                        const signals *s)
{
    b->state = BIQ_BN_FOUND;
    b->winner = m;
    b->score = s->score;
    b->confidence = s->score >= SCORE_VERY_HIGH ? "very high"
                    : s->score >= SCORE_HIGH    ? "high"
                                                : "medium";
    b->has_time_ratio = s->has_t;
    b->has_wip_ratio = s->has_w;
    b->has_throughput_delta = s->has_d;
    b->time_ratio = s->t;
    b->wip_ratio = s->w;
    b->throughput_delta = s->d;
    if (s->t_scored)
        add_reason(b, "Average time", s->t - 1.0);
    if (s->w_scored)
        add_reason(b, "WIP", s->w - 1.0);
    if (s->d_scored)
        add_reason(b, "Throughput", s->d);
    if (s->x_scored)
        add_xmr_reason(b, m->status->name);
    explain(b);
}

void biq_flow_bottleneck_compute(const biq_flow_settings *cfg, biq_flow_report *r)
{
    biq_flow_bottleneck *b = &r->bottleneck;
    const biq_flow_status_metrics *best = NULL;
    signals best_s = {0};
    *b = (biq_flow_bottleneck){0};
    for (size_t i = 0; i < r->n_statuses; i++) {
        const biq_flow_status_metrics *m = &r->statuses[i];
        signals s;
        /* Candidates: active statuses only (product.md), never backlog,
         * done, terminal, external or unknown ones. */
        if (m->status->role != BIQ_ROLE_ACTIVE || m->status->terminal || m->status->external ||
            !present(&m->cur) || !present(&m->prev))
            continue;
        compute_signals(cfg, r, m, &s);
        if (s.score >= SCORE_MIN && (!best || beats(m, s.score, best, best_s.score))) {
            best = m;
            best_s = s;
        }
    }
    if (best) {
        fill_winner(b, best, &best_s);
        return;
    }
    b->state = r->sparse_current ? BIQ_BN_SPARSE : BIQ_BN_HEALTHY;
    b->message = r->sparse_current ? MSG_SPARSE : MSG_HEALTHY;
}
