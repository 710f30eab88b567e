/* csv.c - the slice export: one row per (issue, slice) for slices ending in
 * the window, RFC 4180 lines with spreadsheet formula injection defused;
 * and the CFD's table (one row per day and band). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "flow/flow_internal.h"
#include "tz/civil.h"

enum { INSTANT_BUF = 32, NUMBER_BUF = 32, MS_PER_SECOND = 1000 };

static const char HEADER[] = "issue_key,summary,project,current_status,created,done,"
                             "slice_status,start,end,duration_seconds,open,external,terminal\r\n";

/* A bounded appender: once a write does not fit, it stays overflowed. */
typedef struct out_buf {
    char *buf;
    size_t size, len;
    bool overflow;
} out_buf;

static void put(out_buf *o, const char *s, size_t n)
{
    if (o->overflow || n >= o->size - o->len) {
        o->overflow = true;
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

static void put_str(out_buf *o, const char *s)
{
    put(o, s, strlen(s));
}

/* Text cells: quoted when needed; a leading = + - @ TAB CR gets an
 * apostrophe so spreadsheets do not evaluate it. */
static void put_text(out_buf *o, const char *s)
{
    s = s ? s : "";
    bool quote = strpbrk(s, ",\"\r\n") != NULL || strchr("=+-@\t\r", s[0]) != NULL;
    if (s[0] == '\0')
        quote = false;
    if (quote)
        put(o, "\"", 1);
    if (s[0] && strchr("=+-@\t\r", s[0]))
        put(o, "'", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            put(o, "\"", 1); /* a quote inside a quoted cell is doubled */
        put(o, p, 1);
    }
    if (quote)
        put(o, "\"", 1);
}

static void put_instant(out_buf *o, biq_ms t)
{
    char b[INSTANT_BUF];
    if (t != BIQ_MS_NONE && biq_flow_format_instant(t, b, sizeof b))
        put_str(o, b);
}

/* Milliseconds as exact seconds with three decimals: 3600123 -> 3600.123
 * (durations are never negative). */
static void put_seconds(out_buf *o, int64_t ms)
{
    char b[NUMBER_BUF];
    int64_t v = ms < 0 ? 0 : ms;
    int n = snprintf(b, sizeof b, "%" PRId64 ".%03d", v / MS_PER_SECOND, (int)(v % MS_PER_SECOND));
    if (n > 0 && (size_t)n < sizeof b)
        put(o, b, (size_t)n);
}

biq_err biq_flow_csv_header(char *buf, size_t size, size_t *len)
{
    out_buf o = {buf, size, 0, size == 0};
    put(&o, HEADER, sizeof HEADER - 1);
    *len = o.len;
    return o.overflow ? BIQ_ERR_TOO_LARGE : BIQ_OK;
}

biq_err biq_flow_csv_format(const biq_flow_csv_row *row, char *buf, size_t size, size_t *len)
{
    out_buf o = {buf, size, 0, size == 0};
    const biq_issue *is = row->issue->issue;
    put_text(&o, is->key);
    put(&o, ",", 1);
    put_text(&o, is->summary);
    put(&o, ",", 1);
    put_text(&o, is->project_key);
    put(&o, ",", 1);
    put_text(&o, row->current_status->name);
    put(&o, ",", 1);
    put_instant(&o, row->issue->slices[0].start);
    put(&o, ",", 1);
    put_instant(&o, row->issue->done_at);
    put(&o, ",", 1);
    put_text(&o, row->status->name);
    put(&o, ",", 1);
    put_instant(&o, row->slice->start);
    put(&o, ",", 1);
    put_instant(&o, row->slice->end);
    put(&o, ",", 1);
    put_seconds(&o, row->slice->duration_ms);
    put_str(&o, row->slice->open ? ",true" : ",false");
    put_str(&o, row->status->external ? ",true" : ",false");
    put_str(&o, row->status->terminal ? ",true\r\n" : ",false\r\n");
    *len = o.len;
    return o.overflow ? BIQ_ERR_TOO_LARGE : BIQ_OK;
}

biq_err biq_flow_csv_rows(const biq_flow *flow, const biq_flow_window *w, biq_arena *arena,
                          biq_flow_csv_row **rows, size_t *n)
{
    size_t count = 0, k = 0;
    for (size_t i = 0; i < flow->n_issues; i++)
        for (size_t j = 0; j < flow->issues[i].n_slices; j++) {
            biq_ms end = flow->issues[i].slices[j].end;
            count += end > w->from && end <= w->to;
        }
    biq_flow_csv_row *r = biq_arena_calloc(arena, count + 1, sizeof *r);
    if (!r)
        return BIQ_ERR_NOMEM;
    for (size_t i = 0; i < flow->n_issues; i++) {
        const biq_flow_issue_view *v = &flow->issues[i];
        const biq_flow_status_info *cur = &flow->statuses[v->slices[v->n_slices - 1].status_index];
        for (size_t j = 0; j < v->n_slices; j++) {
            const biq_flow_slice *s = &v->slices[j];
            if (s->end > w->from && s->end <= w->to)
                r[k++] = (biq_flow_csv_row){v, s, &flow->statuses[s->status_index], cur};
        }
    }
    *rows = r;
    *n = k;
    return BIQ_OK;
}

/* The writers above for the other tables (flow_internal.h). */
#define CSV_LINE_CALL(l, call)                                                                     \
    do {                                                                                           \
        out_buf o_ = {(l)->buf, (l)->size, (l)->len, (l)->overflow};                               \
        call;                                                                                      \
        (l)->len = o_.len;                                                                         \
        (l)->overflow = o_.overflow;                                                               \
    } while (0)

void biq_fl_csv_raw(biq_fl_csv_line *l, const char *s)
{
    CSV_LINE_CALL(l, put_str(&o_, s));
}

void biq_fl_csv_text(biq_fl_csv_line *l, const char *s)
{
    CSV_LINE_CALL(l, put_text(&o_, s));
}

void biq_fl_csv_instant(biq_fl_csv_line *l, biq_ms t)
{
    CSV_LINE_CALL(l, put_instant(&o_, t));
}

void biq_fl_csv_seconds(biq_fl_csv_line *l, int64_t ms)
{
    CSV_LINE_CALL(l, put_seconds(&o_, ms));
}

/* ------------------------------------------------------------ CFD table */

static const char CFD_HEADER[] = "date,band,position,reached,in_band,done_band\r\n";

biq_err biq_flow_cfd_csv_header(char *buf, size_t size, size_t *len)
{
    out_buf o = {buf, size, 0, size == 0};
    put(&o, CFD_HEADER, sizeof CFD_HEADER - 1);
    *len = o.len;
    return o.overflow ? BIQ_ERR_TOO_LARGE : BIQ_OK;
}

biq_err biq_flow_cfd_csv_format(const biq_flow_cfd *c, size_t d, size_t b, char *buf, size_t size,
                                size_t *len)
{
    out_buf o = {buf, size, 0, size == 0};
    char date[BIQ_CIVIL_DATE_TEXT_MAX], num[NUMBER_BUF];
    uint32_t top = c->reached[d * c->n_bands + b];
    uint32_t next = b + 1 < c->n_bands ? c->reached[d * c->n_bands + b + 1] : 0;
    put_str(&o, biq_civil_format_date(c->days[d], date, sizeof date));
    put(&o, ",", 1);
    put_text(&o, c->bands[b].name);
    int n = snprintf(num, sizeof num, ",%zu,%" PRIu32 ",%" PRIu32, b, top, top - next);
    if (n > 0 && (size_t)n < sizeof num)
        put(&o, num, (size_t)n);
    put_str(&o, b >= c->done_band ? ",true\r\n" : ",false\r\n");
    *len = o.len;
    return o.overflow ? BIQ_ERR_TOO_LARGE : BIQ_OK;
}

/* ------------------------------------------------ the aging table (pace) */

static const char AGING_HEADER[] = "issue_key,status,issue_type,started,age_days,pace,at_risk,"
                                   "sle_percentile,sle_days\r\n";

biq_err biq_flow_aging_csv_header(char *buf, size_t size, size_t *len)
{
    out_buf o = {buf, size, 0, size == 0};
    put(&o, AGING_HEADER, sizeof AGING_HEADER - 1);
    *len = o.len;
    return o.overflow ? BIQ_ERR_TOO_LARGE : BIQ_OK;
}

/* v with `decimals` places (0..9). */
static void put_fixed(out_buf *o, int decimals, double v)
{
    char b[NUMBER_BUF];
    int n = snprintf(b, sizeof b, "%.*f", decimals, v);
    if (n > 0 && (size_t)n < sizeof b)
        put(o, b, (size_t)n);
}

biq_err biq_flow_aging_csv_format(const biq_flow *flow, const biq_flow_pace *p, char *buf,
                                  size_t size, size_t *len)
{
    out_buf o = {buf, size, 0, size == 0};
    const biq_flow_issue_view *v = p->issue;
    put_text(&o, v->issue->key);
    put(&o, ",", 1);
    put_text(&o, flow->statuses[v->slices[v->n_slices - 1].status_index].name);
    put(&o, ",", 1);
    put_text(&o, v->issue->issue_type);
    put(&o, ",", 1);
    put_instant(&o, v->started_at);
    put(&o, ",", 1);
    if (p->age_ms >= 0)
        put_fixed(&o, 3, biq_fl_days(p->age_ms));
    put(&o, ",", 1);
    if (p->has_pace)
        put_fixed(&o, 4, p->pace);
    put_str(&o, p->at_risk ? ",true," : ",false,");
    if (p->sle != NULL) {
        put_fixed(&o, 0, (double)p->sle->percent);
        put(&o, ",", 1);
        put_fixed(&o, 0, (double)p->sle->days);
    } else {
        put(&o, ",", 1);
    }
    put(&o, "\r\n", 2);
    *len = o.len;
    return o.overflow ? BIQ_ERR_TOO_LARGE : BIQ_OK;
}
