/* runs_out.c - the run charts as JSON (the API's charts/runs and `biq
 * analyze --json`) and as CSV rows (export.csv?table=runs): one shape for
 * every surface, numbers unrounded in JSON. */
#include <stdio.h>
#include <string.h>

#include "flow/charts_json.h"
#include "flow/flow_internal.h"
#include "flow/json_util.h"
#include "tz/civil.h"

/* Room to spare: "%.10g" takes at most 17 bytes, an instant 25. mutate: equivalent const */
enum { NUMBER_BUF = 40, INSTANT_BUF = 32 };

static const struct {
    unsigned bit;
    const char *name;
} SIGNAL_NAMES[] = {
    {BIQ_XMR_OUTSIDE, "outside"},
    {BIQ_XMR_RUN, "run"},
    {BIQ_XMR_ZONE, "zone"},
};
enum { N_SIGNAL_NAMES = sizeof SIGNAL_NAMES / sizeof SIGNAL_NAMES[0] };

static json_t *date_json(int64_t day)
{
    char b[BIQ_CIVIL_DATE_TEXT_MAX];
    return json_string(biq_civil_format_date(day, b, sizeof b));
}

static json_t *limit_or_null(const biq_xmr_limits *l, double v)
{
    return l->has_limits ? biq_fl_json_real(v) : json_null();
}

static json_t *point_json(const biq_run_point *p, bool *ok)
{
    json_t *o = json_object(), *sig = json_array();
    biq_fl_json_set(o, "date", date_json(p->day), ok);
    biq_fl_json_set(o, "at", biq_fl_json_instant(p->at), ok);
    if (p->issue != NULL)
        biq_fl_json_set(o, "key", biq_fl_json_str(p->issue->issue->key), ok);
    biq_fl_json_set(o, "value", biq_fl_json_real(p->value), ok);
    for (size_t k = 0; k < N_SIGNAL_NAMES; k++)
        if (p->signals & SIGNAL_NAMES[k].bit)
            biq_fl_json_push(sig, json_string(SIGNAL_NAMES[k].name), ok);
    biq_fl_json_set(o, "signals", sig, ok);
    return o;
}

static json_t *series_json(const biq_run_series *s, bool *ok)
{
    const biq_xmr_limits *l = &s->limits;
    json_t *o = json_object(), *pts = json_array();
    size_t signalled = 0;
    for (size_t i = 0; i < s->n_points; i++) {
        signalled += s->points[i].signals != 0;
        biq_fl_json_push(pts, point_json(&s->points[i], ok), ok);
    }
    biq_fl_json_set(o, "name", json_string(biq_run_kind_name(s->kind)), ok);
    biq_fl_json_set(o, "unit", json_string(biq_run_kind_unit(s->kind)), ok);
    biq_fl_json_set(o, "count", json_integer((json_int_t)s->n_points), ok);
    biq_fl_json_set(o, "mean", s->n_points ? biq_fl_json_real(l->mean) : json_null(), ok);
    biq_fl_json_set(o, "averageMovingRange", limit_or_null(l, l->avg_mr), ok);
    biq_fl_json_set(o, "upper", limit_or_null(l, l->upper), ok);
    biq_fl_json_set(o, "lower", limit_or_null(l, l->lower), ok);
    biq_fl_json_set(o, "zoneUpper", limit_or_null(l, l->zone_upper), ok);
    biq_fl_json_set(o, "zoneLower", limit_or_null(l, l->zone_lower), ok);
    biq_fl_json_set(o, "signalledPoints", json_integer((json_int_t)signalled), ok);
    biq_fl_json_set(o, "points", pts, ok);
    return o;
}

json_t *biq_flow_runs_json(const biq_flow_runs *r)
{
    bool ok = true, days = r->last_day >= r->first_day;
    json_t *o = json_object(), *series = json_array();
    for (int k = 0; k < BIQ_RUN__COUNT; k++)
        biq_fl_json_push(series, series_json(&r->series[k], &ok), &ok);
    biq_fl_json_set(o, "from", biq_fl_json_instant(r->window.from), &ok);
    biq_fl_json_set(o, "to", biq_fl_json_instant(r->window.to), &ok);
    biq_fl_json_set(o, "firstDay", days ? date_json(r->first_day) : json_null(), &ok);
    biq_fl_json_set(o, "lastDay", days ? date_json(r->last_day) : json_null(), &ok);
    biq_fl_json_set(o, "workingDays", json_boolean(r->working_days), &ok);
    biq_fl_json_set(o, "rules",
                    json_pack("{s:f,s:i,s:i,s:i,s:f}", "scale", BIQ_XMR_SCALE, "runLength",
                              BIQ_XMR_RUN_LENGTH, "zoneHits", BIQ_XMR_ZONE_HITS, "zoneSpan",
                              BIQ_XMR_ZONE_SPAN, "zoneFraction", BIQ_XMR_ZONE_FRACTION),
                    &ok);
    biq_fl_json_set(o, "series", series, &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ------------------------------------------------------------------ CSV */

static const char RUNS_HEADER[] = "series,unit,date,at,issue_key,value,mean,lower,upper,"
                                  "outside,run,zone\r\n";

biq_err biq_flow_runs_csv_header(char *buf, size_t size, size_t *len)
{
    if (size < sizeof RUNS_HEADER)
        return BIQ_ERR_TOO_LARGE;
    memcpy(buf, RUNS_HEADER, sizeof RUNS_HEADER);
    *len = sizeof RUNS_HEADER - 1;
    return BIQ_OK;
}

/* A number cell: integers as integers, else up to 10 significant digits;
 * empty when there is no such number. */
static void number_cell(char *b, size_t size, bool present, double v)
{
    if (!present)
        b[0] = '\0';
    else
        snprintf(b, size, "%.10g", v == 0 ? 0.0 : v);
}

/* The issue key as one quoted cell, quotes doubled, a leading formula
 * character defused with an apostrophe (as the slice export does). */
static bool key_cell(const biq_run_point *p, char *b, size_t size)
{
    const char *k = p->issue != NULL && p->issue->issue->key ? p->issue->issue->key : "";
    size_t n = 0;
    if (k[0] == '\0') {
        b[0] = '\0';
        return true;
    }
    b[n++] = '"';
    if (strchr("=+-@\t\r", k[0]) != NULL)
        b[n++] = '\'';
    for (; *k != '\0'; k++) {
        if (n + 3 >= size)
            return false;
        if (*k == '"')
            b[n++] = '"';
        b[n++] = *k;
    }
    b[n++] = '"';
    b[n] = '\0';
    return true;
}

biq_err biq_flow_runs_csv_line(const biq_flow_runs *r, biq_run_kind kind, size_t i, char *buf,
                               size_t size, size_t *len)
{
    if ((unsigned)kind >= BIQ_RUN__COUNT || i >= r->series[kind].n_points)
        return BIQ_ERR_INVALID;
    const biq_run_series *s = &r->series[kind];
    const biq_run_point *p = &s->points[i];
    const biq_xmr_limits *l = &s->limits;
    char date[BIQ_CIVIL_DATE_TEXT_MAX], at[INSTANT_BUF], key[BIQ_FLOW_CSV_LINE_MAX / 2];
    char value[NUMBER_BUF], mean[NUMBER_BUF], lower[NUMBER_BUF], upper[NUMBER_BUF];
    if (!biq_flow_format_instant(p->at, at, sizeof at) || !key_cell(p, key, sizeof key))
        return BIQ_ERR_TOO_LARGE;
    biq_civil_format_date(p->day, date, sizeof date);
    number_cell(value, sizeof value, true, p->value);
    number_cell(mean, sizeof mean, true, l->mean);
    number_cell(lower, sizeof lower, l->has_limits, l->lower);
    number_cell(upper, sizeof upper, l->has_limits, l->upper);
    int n = snprintf(buf, size, "%s,%s,%s,%s,%s,%s,%s,%s,%s,%d,%d,%d\r\n", biq_run_kind_name(kind),
                     biq_run_kind_unit(kind), date, at, key, value, mean, lower, upper,
                     (p->signals & BIQ_XMR_OUTSIDE) != 0, (p->signals & BIQ_XMR_RUN) != 0,
                     (p->signals & BIQ_XMR_ZONE) != 0);
    /* mutate: equivalent rel "< -> <=": the line has 11 commas, so n is never 0 */
    if (n < 0 || (size_t)n >= size)
        return BIQ_ERR_TOO_LARGE;
    *len = (size_t)n;
    return BIQ_OK;
}
