/* window.c - the dashboard's windows and the previous window of each:
 * N days ending now (previous: the N days before), month- and
 * quarter-to-date in the zone (previous: the whole previous period), and
 * sprint windows (previous: the sprint(s) before; the same length before
 * when there are none). */
#include <string.h>

#include "flow/flow_internal.h"
#include "tz/civil.h"

enum {
    DEFAULT_WINDOW_DAYS = 30,
    MAX_DIGITS = 3,
    MONTHS_PER_QUARTER = 3,
    MAX_SPRINT_SCAN = 1000000, /* sprints accepted per resolution */
};

typedef struct named_window {
    const char *text;
    biq_window_kind kind;
} named_window;

static const named_window named[] = {
    {"mtd", BIQ_WIN_MTD},
    {"qtd", BIQ_WIN_QTD},
    {"sprint-current", BIQ_WIN_SPRINT_CURRENT},
    {"sprint-last", BIQ_WIN_SPRINT_LAST},
    {"sprint-last3", BIQ_WIN_SPRINT_LAST3},
};

biq_err biq_window_parse(const char *text, biq_window_spec *out)
{
    *out = (biq_window_spec){.kind = BIQ_WIN_DAYS, .days = DEFAULT_WINDOW_DAYS};
    if (!text || !*text)
        return BIQ_OK;
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strcmp(text, named[i].text) == 0) {
            out->kind = named[i].kind;
            out->days = 0;
            return BIQ_OK;
        }
    int v = 0, digits = 0;
    const char *p = text;
    while (*p >= '0' && *p <= '9' && digits < MAX_DIGITS) {
        v = v * 10 + (*p++ - '0');
        digits++;
    }
    if (*p == 'd')
        p++;
    if (digits == 0 || *p != '\0' || v < 1 || v > BIQ_FLOW_MAX_WINDOW_DAYS)
        return BIQ_ERR_INVALID;
    out->days = v;
    return BIQ_OK;
}

static void set_lengths(biq_flow_window *w)
{
    w->days = (double)(w->to - w->from) / (double)BIQ_MS_PER_DAY;
    w->prev_days = (double)(w->prev_to - w->prev_from) / (double)BIQ_MS_PER_DAY;
}

static void same_length_before(biq_flow_window *w)
{
    w->prev_to = w->from;
    w->prev_from = w->from - (w->to - w->from);
}

/* Start of the month `months_back` months before (y, m) in tz. */
static biq_ms month_start(const biq_tz *tz, int64_t y, int m, int months_back)
{
    int64_t index = y * 12 + (m - 1) - months_back;
    int64_t yy = biq_floor_div(index, 12);
    int mm = (int)(index - yy * 12) + 1;
    return biq_tz_day_start(tz, biq_civil_days(yy, mm, 1));
}

static void period_to_date(biq_ms now, const biq_tz *tz, int months, biq_flow_window *w)
{
    int64_t y = 0; /* mutate: equivalent const: set by biq_civil_from_days */
    int m = 0;     /* mutate: equivalent const (as above) */
    biq_civil_from_days(biq_tz_local_day(tz, now), &y, &m, NULL);
    int first = ((m - 1) / months) * months + 1;
    w->from = month_start(tz, y, first, 0);
    w->to = now;
    w->prev_from = month_start(tz, y, first, months);
    w->prev_to = w->from;
}

static biq_ms sprint_end(const biq_sprint *s)
{
    return s->complete != BIQ_MS_NONE ? s->complete : s->end;
}

static bool closed_sprint(const biq_sprint *s, biq_ms now)
{
    return s->state && strcmp(s->state, "closed") == 0 && s->start != BIQ_MS_NONE &&
           sprint_end(s) != BIQ_MS_NONE && sprint_end(s) <= now && s->start < sprint_end(s);
}

/* Later completion first; then higher id: a total order. */
static int cmp_closed(const void *pa, const void *pb)
{
    const biq_sprint *a = *(const biq_sprint *const *)pa, *b = *(const biq_sprint *const *)pb;
    biq_ms ea = sprint_end(a), eb = sprint_end(b);
    if (ea != eb)
        return ea > eb ? -1 : 1;
    return (a->id < b->id) - (a->id > b->id);
}

/* Covers sorted[first .. first+count) (most recent first) when they exist. */
static bool cover(const biq_sprint **sorted, size_t n, size_t first, size_t count, biq_ms *from,
                  biq_ms *to)
{
    if (first + count > n)
        return false;
    *from = sorted[first]->start;
    *to = sprint_end(sorted[first]);
    for (size_t i = first; i < first + count; i++)
        *from = biq_fl_min(*from, sorted[i]->start);
    return true;
}

static const biq_sprint *active_sprint(const biq_sprint *sprints, size_t n, biq_ms now)
{
    const biq_sprint *best = NULL;
    for (size_t i = 0; i < n; i++) {
        const biq_sprint *s = &sprints[i];
        if (!s->state || strcmp(s->state, "active") != 0 || s->start == BIQ_MS_NONE ||
            s->start > now)
            continue;
        /* mutate: equivalent rel "> -> >=": sprints of equal start give one window */
        if (!best || s->start > best->start || (s->start == best->start && s->id > best->id))
            best = s;
    }
    return best;
}

/* Keeps the `cap` most recent closed sprints in top[] (most recent first),
 * by insertion: no allocation, and at most 2 * BIQ_FLOW_LAST_SPRINTS kept. */
static size_t most_recent_closed(const biq_sprint *sprints, size_t n, biq_ms now,
                                 const biq_sprint **top, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const biq_sprint *s = &sprints[i];
        if (!closed_sprint(s, now))
            continue;
        size_t pos = k;
        while (pos > 0 && cmp_closed(&s, &top[pos - 1]) < 0)
            pos--;
        if (pos >= cap)
            continue;
        for (size_t j = (k < cap ? k : cap - 1); j > pos; j--)
            top[j] = top[j - 1];
        top[pos] = s;
        if (k < cap)
            k++;
    }
    return k;
}

static biq_err sprint_window(const biq_window_spec *spec, biq_ms now, const biq_sprint *sprints,
                             size_t n, biq_flow_window *w)
{
    const biq_sprint *top[2 * BIQ_FLOW_LAST_SPRINTS];
    size_t k = most_recent_closed(sprints, n, now, top, sizeof top / sizeof top[0]);
    size_t count = spec->kind == BIQ_WIN_SPRINT_LAST3 ? BIQ_FLOW_LAST_SPRINTS : 1;
    size_t prev_first = count;
    if (spec->kind == BIQ_WIN_SPRINT_CURRENT) {
        const biq_sprint *cur = active_sprint(sprints, n, now);
        if (!cur)
            return BIQ_ERR_NOT_FOUND;
        w->from = cur->start;
        w->to = now;
        prev_first = 0;
        w->sprints[0] = cur;
        w->n_sprints = 1;
    } else if (!cover(top, k, 0, count, &w->from, &w->to)) {
        return BIQ_ERR_NOT_FOUND;
    } else {
        for (size_t i = 0; i < count; i++) /* top[] is newest first */
            w->sprints[i] = top[count - 1 - i];
        w->n_sprints = count;
    }
    if (!cover(top, k, prev_first, count, &w->prev_from, &w->prev_to))
        same_length_before(w);
    return BIQ_OK;
}

biq_err biq_window_resolve(const biq_window_spec *spec, biq_ms now, const biq_tz *tz,
                           const biq_sprint *sprints, size_t n_sprints, biq_flow_window *out)
{
    biq_err err = BIQ_OK;
    biq_flow_window w = {.spec = *spec};
    tz = tz ? tz : biq_tz_utc();
    switch (spec->kind) {
    case BIQ_WIN_DAYS:
        if (spec->days < 1 || spec->days > BIQ_FLOW_MAX_SPAN_DAYS)
            return BIQ_ERR_INVALID;
        w.to = now;
        w.from = now - spec->days * BIQ_MS_PER_DAY;
        same_length_before(&w);
        break;
    case BIQ_WIN_CUSTOM:
        if (spec->from >= spec->to || spec->from == BIQ_MS_NONE)
            return BIQ_ERR_INVALID;
        w.from = spec->from;
        w.to = spec->to;
        same_length_before(&w);
        break;
    case BIQ_WIN_ALL:
        if (spec->from == BIQ_MS_NONE || spec->from > now)
            return BIQ_ERR_INVALID;
        w.from = spec->from - 1;
        w.to = now;
        w.prev_from = w.prev_to = w.from;
        break;
    case BIQ_WIN_MTD:
    case BIQ_WIN_QTD:
        period_to_date(now, tz, spec->kind == BIQ_WIN_MTD ? 1 : MONTHS_PER_QUARTER, &w);
        break;
    case BIQ_WIN_SPRINT_CURRENT:
    case BIQ_WIN_SPRINT_LAST:
    case BIQ_WIN_SPRINT_LAST3:
        if (n_sprints > MAX_SPRINT_SCAN || (n_sprints && !sprints))
            return BIQ_ERR_INVALID;
        err = sprint_window(spec, now, sprints, n_sprints, &w);
        break;
    default:
        return BIQ_ERR_INVALID;
    }
    if (err == BIQ_OK) {
        set_lengths(&w);
        *out = w;
    }
    return err;
}

biq_err biq_flow_window_resolve(const biq_flow *flow, const biq_window_spec *spec,
                                biq_flow_window *out)
{
    biq_window_spec s = *spec;
    if (s.kind == BIQ_WIN_ALL) {
        s.from = flow->now;
        for (size_t i = 0; i < flow->n_issues; i++)
            if (flow->issues[i].n_slices > 0)
                s.from = biq_fl_min(s.from, flow->issues[i].slices[0].start);
    }
    return biq_window_resolve(&s, flow->now, flow->tz, flow->sprints, flow->n_sprints, out);
}
