/* flow_bench.c - how long the flow core takes to compute a project's
 * dashboard at scale, beside PostgreSQL computing the per-status slice
 * percentiles from the same rows with window functions.
 *
 * Data: src/gen in memory (one project, default 128 000 issues: just over 1M transitions), no JSON.
 * Timed on one thread, best of BENCH_RUNS:
 *   core   biq_flow_new + biq_flow_report_build for the 30-day window
 *          (current and previous): slices, per-status and system metrics,
 *          bottleneck, trends;
 *   full   core + dashboard JSON + WIP aging + CFD of the window + scatter
 *          (everything the Overview and Flow tabs show);
 *   sql    one query: slices by lead() over (partition by issue order by at,
 *          history_id, item) and percentile_cont(0.5/0.9) of closed slices
 *          per status in the current and previous 30-day windows (rows
 *          COPYed beforehand; the COPY is reported, not compared).
 *   forecast  a Monte Carlo forecast of BIQ_FORECAST_TRIALS_DEFAULT trials
 *          on the built flow (what the forecast route adds to an open
 *          view): "when will BENCH_FORECAST_ITEMS items be done" and "how
 *          many in BENCH_FORECAST_DAYS days", beside the full dashboard.
 *   runs   the run charts of the 30-day window with their XmR limits and
 *          signals (biq_flow_runs_build + JSON, what charts/runs adds to an
 *          open view), flow built beforehand, beside the full dashboard.
 * The flow core's and PostgreSQL's P50/P90 are also compared, as a check
 * that both computed the same thing.
 *
 * Adversarial page (issue 21): the largest page ingest accepts (1,000
 * issues) with every instant at an accepted extreme (created and the first
 * half of the moves at 1970-01-01T00:00:00Z, the rest at now + 2 days),
 * working hours on (Europe/Berlin, Mon-Fri 09-17) with 4,096 holidays; the
 * full dashboard, best of BENCH_RUNS, beside the same 1,000 issues with
 * their ordinary dates under the same schedule.
 *
 * Usage: flow_bench [--issues N] [--seed N] [--conninfo URL]
 * Without --conninfo (or BIQ_BENCH_CONNINFO) the PostgreSQL column is "-".
 * Prints "figure | value | baseline | ratio" rows (ratio = baseline /
 * value: how many times the flow core is faster or smaller); never fails on
 * time.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "common/arena.h"
#include "flow/charts_json.h"
#include "flow/dashboard_json.h"
#include "flow/flow.h"
#include "gen/gen.h"
#include "ingest/ingest.h"
#include "tz/civil.h"
#include "tz/tz.h"

enum {
    BENCH_RUNS = 3,
    BENCH_DEFAULT_ISSUES = 128000, /* ~1.01M transitions (the generator makes ~7.9 per issue) */
    BENCH_WINDOW_DAYS = 30,
    BENCH_LINE_MAX = 256,
    BENCH_SQL_MAX = 4096,
    BENCH_MAX_STATUSES = 64,
    BENCH_COPY_BUF = 1 << 20,
    BENCH_HOLIDAY_STEP = 5, /* every 5th day from 1970: weekends too */
    BENCH_FORECAST_ITEMS = BIQ_FORECAST_MAX_ITEMS, /* "when": the largest batch */
    BENCH_FORECAST_DAYS = 90,   /* "how many": a quarter */
};

#define BENCH_INPUT_LIMIT ((size_t)4 << 30)  /* the generated issues */
#define BENCH_FLOW_LIMIT ((size_t)4 << 30)   /* one computation */

typedef struct bench_data {
    biq_gen *gen;
    biq_arena *input;
    biq_issue *issues;
    size_t n_issues, n_transitions;
    const biq_status *statuses;
    size_t n_statuses;
    biq_sprint *sprints;
    size_t n_sprints;
    biq_ms now;
    const biq_work_schedule *schedule; /* NULL: calendar time */
} bench_data;

typedef struct bench_result {
    double core_ms, full_ms; /* best of BENCH_RUNS */
    size_t arena_bytes;      /* used by one full computation */
    size_t n_slices;
    /* The flow core's current/previous P50/P90 per status, for the check. */
    int64_t status_id[BENCH_MAX_STATUSES];
    double p50[BENCH_MAX_STATUSES][2], p90[BENCH_MAX_STATUSES][2];
    uint32_t count[BENCH_MAX_STATUSES][2];
    size_t n_status;
} bench_result;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int fail(const char *what, biq_err err)
{
    fprintf(stderr, "flow_bench: %s: %s\n", what, biq_strerror(err));
    return 1;
}

/* ------------------------------------------------------------- the data */

static int generate(uint64_t seed, size_t n, bench_data *d)
{
    biq_gen_config cfg = {.seed = seed, .n_issues = n, .n_projects = 1,
                          .now = BIQ_GEN_DEFAULT_NOW};
    char msg[BENCH_LINE_MAX] = "";
    biq_err err = biq_gen_new(&cfg, &d->gen, msg, sizeof msg);
    if (err != BIQ_OK) {
        fprintf(stderr, "flow_bench: %s\n", msg);
        return 1;
    }
    d->now = cfg.now;
    d->input = biq_arena_new(BENCH_INPUT_LIMIT);
    d->issues = d->input ? biq_arena_calloc(d->input, n, sizeof *d->issues) : NULL;
    if (d->issues == NULL)
        return fail("generate", BIQ_ERR_NOMEM);
    for (size_t i = 0; i < n; i++) {
        if ((err = biq_gen_issue_model(d->gen, i, d->input, &d->issues[i])) != BIQ_OK)
            return fail("generate", err);
        d->n_transitions += d->issues[i].n_transitions;
    }
    d->n_issues = n;
    biq_gen_statuses(&d->statuses, &d->n_statuses);
    err = biq_gen_sprints(d->gen, 0, d->input, &d->sprints, &d->n_sprints);
    return err == BIQ_OK ? 0 : fail("sprints", err);
}

/* ------------------------------------------------------- the flow core */

static biq_err charts(const biq_flow *flow, const biq_flow_window *w, biq_arena *a)
{
    biq_err err;
    biq_flow_aging *ag = NULL;
    biq_flow_cfd *cfd = NULL;
    biq_flow_scatter *sc = NULL;
    const biq_tz *tz = biq_flow_tz(flow);
    if ((err = biq_flow_wip_aging(flow, a, &ag)) != BIQ_OK ||
        (err = biq_flow_cfd_build(flow, biq_tz_local_day(tz, w->from + 1),
                                  biq_tz_local_day(tz, w->to), a, &cfd)) != BIQ_OK ||
        (err = biq_flow_scatter_build(flow, w, a, &sc)) != BIQ_OK)
        return err;
    json_t *j[] = {biq_flow_aging_json(flow, ag), biq_flow_cfd_json(flow, cfd),
                   biq_flow_scatter_json(sc)};
    err = j[0] && j[1] && j[2] ? BIQ_OK : BIQ_ERR_NOMEM;
    for (size_t i = 0; i < 3; i++)
        json_decref(j[i]);
    return err;
}

static void keep_percentiles(const biq_flow_report *r, bench_result *res)
{
    res->n_status = 0;
    for (size_t i = 0; i < r->n_statuses && res->n_status < BENCH_MAX_STATUSES; i++) {
        const biq_flow_status_metrics *m = &r->statuses[i];
        size_t k = res->n_status++;
        res->status_id[k] = m->status->id;
        res->p50[k][0] = m->cur.time.p50_ms;
        res->p90[k][0] = m->cur.time.p90_ms;
        res->count[k][0] = m->cur.time.count;
        res->p50[k][1] = m->prev.time.p50_ms;
        res->p90[k][1] = m->prev.time.p90_ms;
        res->count[k][1] = m->prev.time.count;
    }
}

/* One computation; full adds the JSON and charts. */
static biq_err run_once(const bench_data *d, bool full, bench_result *res, double *ms)
{
    biq_err err = BIQ_ERR_NOMEM;
    biq_arena *a = biq_arena_new(BENCH_FLOW_LIMIT);
    biq_flow *flow = NULL;
    biq_flow_report *r = NULL;
    biq_window_spec spec = {.kind = BIQ_WIN_DAYS, .days = BENCH_WINDOW_DAYS};
    biq_flow_window w;
    json_t *dash = NULL;
    biq_dashboard_meta meta = {.project_key = "PAY", .project_name = "Payments"};
    biq_flow_input in = {.issues = d->issues, .n_issues = d->n_issues, .statuses = d->statuses,
                         .n_statuses = d->n_statuses, .sprints = d->sprints,
                         .n_sprints = d->n_sprints, .schedule = d->schedule, .now = d->now};
    if (a == NULL)
        goto out;
    double t0 = now_ms();
    if ((err = biq_flow_new(&in, a, &flow)) != BIQ_OK ||
        (err = biq_flow_window_resolve(flow, &spec, &w)) != BIQ_OK ||
        (err = biq_flow_report_build(flow, &w, a, &r)) != BIQ_OK)
        goto out;
    if (full) {
        if ((dash = biq_flow_dashboard_json(flow, r, &meta)) == NULL) {
            err = BIQ_ERR_NOMEM;
            goto out;
        }
        if ((err = charts(flow, &w, a)) != BIQ_OK)
            goto out;
    }
    *ms = now_ms() - t0;
    keep_percentiles(r, res);
    res->arena_bytes = biq_arena_used(a);
    res->n_slices = 0;
    for (size_t i = 0; i < biq_flow_issue_count(flow); i++)
        res->n_slices += biq_flow_issue_at(flow, i)->n_slices;
out:
    json_decref(dash);
    biq_arena_free(a);
    return err;
}

static int bench_flow(const bench_data *d, bench_result *res)
{
    res->core_ms = res->full_ms = INFINITY;
    for (int run = 0; run < BENCH_RUNS; run++) {
        double core = 0, full = 0;
        biq_err err = run_once(d, false, res, &core);
        if (err == BIQ_OK)
            err = run_once(d, true, res, &full);
        if (err != BIQ_OK)
            return fail("flow", err);
        res->core_ms = fmin(res->core_ms, core);
        res->full_ms = fmin(res->full_ms, full);
    }
    return 0;
}

/* ----------------------------------------------------------- forecast */

typedef struct bench_forecast {
    double when_ms, how_many_ms; /* best of BENCH_RUNS, flow built beforehand */
    int64_t when_p85, how_many_p85;
} bench_forecast;

static biq_err forecast_once(const biq_flow *flow, const biq_forecast_spec *spec, double *ms,
                             int64_t *p85)
{
    biq_arena *a = biq_arena_new(BENCH_FLOW_LIMIT);
    biq_forecast *f = NULL;
    if (a == NULL)
        return BIQ_ERR_NOMEM;
    double t0 = now_ms();
    biq_err err = biq_flow_forecast(flow, spec, a, &f);
    *ms = now_ms() - t0;
    if (err == BIQ_OK)
        *p85 = f->state == BIQ_FORECAST_OK ? f->points[2].value : -1;
    biq_arena_free(a);
    return err;
}

static int bench_forecast_run(const bench_data *d, bench_forecast *bf)
{
    biq_arena *a = biq_arena_new(BENCH_FLOW_LIMIT);
    biq_flow *flow = NULL;
    biq_flow_input in = {.issues = d->issues, .n_issues = d->n_issues, .statuses = d->statuses,
                         .n_statuses = d->n_statuses, .sprints = d->sprints,
                         .n_sprints = d->n_sprints, .schedule = d->schedule, .now = d->now};
    biq_err err = a ? biq_flow_new(&in, a, &flow) : BIQ_ERR_NOMEM;
    int64_t today = flow ? biq_tz_local_day(biq_flow_tz(flow), d->now) : 0;
    biq_forecast_spec when = {.kind = BIQ_FORECAST_WHEN, .items = BENCH_FORECAST_ITEMS,
                              .start_day = today, .seed = BIQ_FORECAST_SEED_DEFAULT};
    biq_forecast_spec many = {.kind = BIQ_FORECAST_HOW_MANY, .start_day = today,
                              .by_day = today + BENCH_FORECAST_DAYS,
                              .seed = BIQ_FORECAST_SEED_DEFAULT};
    bf->when_ms = bf->how_many_ms = INFINITY;
    for (int run = 0; run < BENCH_RUNS && err == BIQ_OK; run++) {
        double w = 0, m = 0;
        if ((err = forecast_once(flow, &when, &w, &bf->when_p85)) == BIQ_OK &&
            (err = forecast_once(flow, &many, &m, &bf->how_many_p85)) == BIQ_OK) {
            bf->when_ms = fmin(bf->when_ms, w);
            bf->how_many_ms = fmin(bf->how_many_ms, m);
        }
    }
    biq_arena_free(a);
    return err == BIQ_OK ? 0 : fail("forecast", err);
}

/* ----------------------------------------------------------- run charts */

typedef struct bench_runs {
    double ms;       /* best of BENCH_RUNS, flow built beforehand */
    size_t n_points; /* over all series: a check that something was drawn */
} bench_runs;

static int bench_runs_run(const bench_data *d, bench_runs *br)
{
    biq_arena *a = biq_arena_new(BENCH_FLOW_LIMIT);
    biq_flow *flow = NULL;
    biq_flow_input in = {.issues = d->issues, .n_issues = d->n_issues, .statuses = d->statuses,
                         .n_statuses = d->n_statuses, .sprints = d->sprints,
                         .n_sprints = d->n_sprints, .schedule = d->schedule, .now = d->now};
    biq_err err = a ? biq_flow_new(&in, a, &flow) : BIQ_ERR_NOMEM;
    biq_window_spec spec = {.kind = BIQ_WIN_DAYS, .days = BENCH_WINDOW_DAYS};
    biq_flow_window w;
    if (err == BIQ_OK)
        err = biq_flow_window_resolve(flow, &spec, &w);
    br->ms = INFINITY;
    for (int run = 0; run < BENCH_RUNS && err == BIQ_OK; run++) {
        biq_arena *ra = biq_arena_new(BENCH_FLOW_LIMIT);
        biq_flow_runs *r = NULL;
        double t0 = now_ms();
        err = ra ? biq_flow_runs_build(flow, &w, ra, &r) : BIQ_ERR_NOMEM;
        json_t *j = err == BIQ_OK ? biq_flow_runs_json(r) : NULL;
        if (err == BIQ_OK && j == NULL)
            err = BIQ_ERR_NOMEM;
        br->ms = fmin(br->ms, now_ms() - t0);
        br->n_points = 0;
        for (int k = 0; err == BIQ_OK && k < BIQ_RUN__COUNT; k++)
            br->n_points += r->series[k].n_points;
        json_decref(j);
        biq_arena_free(ra);
    }
    biq_arena_free(a);
    return err == BIQ_OK ? 0 : fail("run charts", err);
}

/* ------------------------------------------------- the adversarial page */

typedef struct bench_adv {
    double ordinary_ms, adversarial_ms;
    size_t n_issues;
} bench_adv;

/* Copies of the first n issues with every instant at 1970 or now + 2 days. */
static biq_issue *extreme_dates(const bench_data *d, size_t n, biq_arena *a)
{
    biq_issue *is = biq_arena_calloc(a, n, sizeof *is);
    biq_ms late = d->now + BIQ_INGEST_AHEAD_MAX_MS;
    for (size_t i = 0; is != NULL && i < n; i++) {
        size_t nt = d->issues[i].n_transitions;
        biq_transition *t = biq_arena_calloc(a, nt + 1, sizeof *t);
        if (t == NULL)
            return NULL;
        is[i] = d->issues[i];
        is[i].created = BIQ_INGEST_EARLIEST_MS;
        is[i].updated = late;
        for (size_t k = 0; k < nt; k++) {
            t[k] = d->issues[i].transitions[k];
            t[k].at = k < nt / 2 ? BIQ_INGEST_EARLIEST_MS : late;
        }
        is[i].transitions = t;
        is[i].resolution_at = is[i].resolution_at == BIQ_MS_NONE ? BIQ_MS_NONE : late;
    }
    return is;
}

static biq_err best_full(const bench_data *d, double *best)
{
    bench_result *res = calloc(1, sizeof *res);
    biq_err err = res ? BIQ_OK : BIQ_ERR_NOMEM;
    *best = INFINITY;
    for (int run = 0; run < BENCH_RUNS && err == BIQ_OK; run++) {
        double ms = 0;
        if ((err = run_once(d, true, res, &ms)) == BIQ_OK)
            *best = fmin(*best, ms);
    }
    free(res);
    return err;
}

static int bench_adversarial(const bench_data *d, bench_adv *adv)
{
    static int64_t holidays[BIQ_FLOW_MAX_HOLIDAYS];
    biq_arena *a = biq_arena_new(BENCH_INPUT_LIMIT);
    biq_tz *tz = NULL;
    biq_err err = a ? biq_tz_load(NULL, "Europe/Berlin", a, &tz) : BIQ_ERR_NOMEM;
    if (err != BIQ_OK) {
        biq_arena_free(a);
        return fail("adversarial: Europe/Berlin", err);
    }
    for (size_t i = 0; i < BIQ_FLOW_MAX_HOLIDAYS; i++)
        holidays[i] = (int64_t)i * BENCH_HOLIDAY_STEP;
    biq_work_schedule ws = {.tz = tz, .working = true, .working_days = 0x1f,
                            .day_start_min = 9 * 60, .day_end_min = 17 * 60,
                            .holidays = holidays, .n_holidays = BIQ_FLOW_MAX_HOLIDAYS};
    bench_data page = *d;
    page.n_issues = d->n_issues < BIQ_INGEST_ISSUES_MAX ? d->n_issues : BIQ_INGEST_ISSUES_MAX;
    page.schedule = &ws;
    adv->n_issues = page.n_issues;
    err = best_full(&page, &adv->ordinary_ms);
    if (err == BIQ_OK && (page.issues = extreme_dates(d, page.n_issues, a)) == NULL)
        err = BIQ_ERR_NOMEM;
    if (err == BIQ_OK)
        err = best_full(&page, &adv->adversarial_ms);
    biq_arena_free(a);
    return err == BIQ_OK ? 0 : fail("adversarial", err);
}

/* ---------------------------------------------------------- PostgreSQL */

typedef struct bench_pg {
    PGconn *conn;
    double copy_ms, query_ms;
    double max_diff_ms;   /* between the two P50/P90 sets */
    size_t groups;        /* (status, window) groups compared */
    long long table_bytes;
} bench_pg;

static bool pg_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "flow_bench: %s\n  %s", sql, PQerrorMessage(c));
    PQclear(r);
    return ok;
}

/* Buffers COPY lines and sends them in BENCH_COPY_BUF chunks. */
typedef struct copy_buf {
    PGconn *conn;
    char *buf;
    size_t len;
    bool ok;
} copy_buf;

static void copy_flush(copy_buf *b)
{
    if (b->ok && b->len > 0 && PQputCopyData(b->conn, b->buf, (int)b->len) != 1)
        b->ok = false;
    b->len = 0;
}

static void copy_add(copy_buf *b, const char *line, int n)
{
    if (n < 0 || (size_t)n >= BENCH_LINE_MAX) {
        b->ok = false;
        return;
    }
    if (b->len + (size_t)n > BENCH_COPY_BUF)
        copy_flush(b);
    memcpy(b->buf + b->len, line, (size_t)n);
    b->len += (size_t)n;
}

static bool copy_finish(copy_buf *b)
{
    copy_flush(b);
    if (PQputCopyEnd(b->conn, b->ok ? NULL : "bench: bad line") != 1)
        return false;
    PGresult *r = PQgetResult(b->conn);
    bool ok = b->ok && PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    PQclear(PQgetResult(b->conn));
    return ok;
}

static bool copy_start(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    bool ok = PQresultStatus(r) == PGRES_COPY_IN;
    if (!ok)
        fprintf(stderr, "flow_bench: %s\n  %s", sql, PQerrorMessage(c));
    PQclear(r);
    return ok;
}

/* Instants go in as epoch milliseconds and become timestamptz in SQL by
 * interval arithmetic, which is exact (to_timestamp goes through double). */
static bool copy_rows(bench_pg *pg, const bench_data *d)
{
    char line[BENCH_LINE_MAX];
    copy_buf b = {.conn = pg->conn, .buf = malloc(BENCH_COPY_BUF), .ok = true};
    bool ok = b.buf != NULL && copy_start(pg->conn, "COPY iss_raw FROM STDIN");
    for (size_t i = 0; ok && i < d->n_issues; i++)
        copy_add(&b, line, snprintf(line, sizeof line, "%lld\t%lld\t%lld\n",
                                    (long long)d->issues[i].id, (long long)d->issues[i].created,
                                    (long long)d->issues[i].status_id));
    ok = ok && copy_finish(&b) && copy_start(pg->conn, "COPY tr_raw FROM STDIN");
    b.ok = ok;
    for (size_t i = 0; ok && i < d->n_issues; i++) {
        const biq_issue *is = &d->issues[i];
        for (size_t k = 0; k < is->n_transitions; k++) {
            const biq_transition *t = &is->transitions[k];
            copy_add(&b, line, snprintf(line, sizeof line, "%lld\t%lld\t%d\t%lld\t%lld\t%lld\n",
                                        (long long)is->id, (long long)t->history_id,
                                        t->item_index, (long long)t->at,
                                        (long long)t->from_status, (long long)t->to_status));
        }
    }
    ok = ok && copy_finish(&b);
    free(b.buf);
    return ok;
}

static const char *const BENCH_SCHEMA[] = {
    "SET client_min_messages = warning",
    "DROP TABLE IF EXISTS iss_raw, tr_raw, iss, tr",
    "CREATE UNLOGGED TABLE iss_raw (issue bigint, created_ms bigint, status bigint)",
    ("CREATE UNLOGGED TABLE tr_raw (issue bigint, history_id bigint, item int, at_ms bigint,"
     " from_status bigint, to_status bigint)"),
};

static const char *const BENCH_CONVERT[] = {
    ("CREATE UNLOGGED TABLE iss AS SELECT issue, timestamptz 'epoch'"
     " + created_ms * interval '1 millisecond' AS created, status FROM iss_raw"),
    ("CREATE UNLOGGED TABLE tr AS SELECT issue, history_id, item,"
     " timestamptz 'epoch' + at_ms * interval '1 millisecond' AS at, from_status, to_status"
     " FROM tr_raw"),
    "ALTER TABLE iss ADD PRIMARY KEY (issue)",
    "ANALYZE iss",
    "ANALYZE tr",
};

#define BENCH_INSTANT "(timestamptz 'epoch' + %lld * interval '1 millisecond')"

/* The same slice rules as tests/integration/test_flow_sql.c. */
#define BENCH_QUERY \
    "WITH t AS (SELECT DISTINCT issue, history_id, item, at, from_status, to_status FROM tr)," \
    " first AS (SELECT DISTINCT ON (issue) issue," \
    "   coalesce(nullif(from_status, 0), to_status) AS status" \
    "   FROM t ORDER BY issue, at, history_id, item)," \
    " events AS (" \
    "   SELECT i.issue, i.created AS at, 0::bigint AS history_id, -1 AS item," \
    "     coalesce(f.status, i.status) AS status FROM iss i LEFT JOIN first f USING (issue)" \
    "   UNION ALL" \
    "   SELECT t.issue, t.at, t.history_id, t.item, t.to_status FROM t" \
    "     JOIN iss i USING (issue) WHERE t.at >= i.created)," \
    " s AS (SELECT status, at AS start_at, lead(at) OVER w AS end_at FROM events" \
    "   WINDOW w AS (PARTITION BY issue ORDER BY at, history_id, item))," \
    " x AS (SELECT status, CASE WHEN end_at > %s THEN 0 ELSE 1 END AS win," \
    "   extract(epoch FROM end_at - start_at) * 1000 AS ms FROM s" \
    "   WHERE end_at IS NOT NULL AND end_at > start_at AND end_at > %s AND end_at <= %s)" \
    " SELECT status, win, count(*)," \
    "   percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)," \
    "   percentile_cont(0.9) WITHIN GROUP (ORDER BY ms)" \
    " FROM x GROUP BY status, win ORDER BY status, win"

static double compare_group(const bench_result *res, PGresult *r, int row)
{
    long long status = strtoll(PQgetvalue(r, row, 0), NULL, 10);
    int win = (int)strtol(PQgetvalue(r, row, 1), NULL, 10);
    for (size_t k = 0; k < res->n_status; k++) {
        if (res->status_id[k] != status)
            continue;
        if (strtoll(PQgetvalue(r, row, 2), NULL, 10) != res->count[k][win])
            return INFINITY;
        double d50 = fabs(strtod(PQgetvalue(r, row, 3), NULL) - res->p50[k][win]);
        double d90 = fabs(strtod(PQgetvalue(r, row, 4), NULL) - res->p90[k][win]);
        return fmax(d50, d90);
    }
    return INFINITY;
}

static bool run_query(bench_pg *pg, const bench_data *d, const bench_result *res)
{
    char sql[BENCH_SQL_MAX], from[BENCH_LINE_MAX], prev[BENCH_LINE_MAX], to[BENCH_LINE_MAX];
    biq_ms day = BENCH_WINDOW_DAYS * INT64_C(86400000);
    snprintf(to, sizeof to, BENCH_INSTANT, (long long)d->now);
    snprintf(from, sizeof from, BENCH_INSTANT, (long long)(d->now - day));
    snprintf(prev, sizeof prev, BENCH_INSTANT, (long long)(d->now - 2 * day));
    int n = snprintf(sql, sizeof sql, BENCH_QUERY, from, prev, to);
    if (n < 0 || (size_t)n >= sizeof sql)
        return false;
    pg->query_ms = INFINITY;
    for (int run = 0; run < BENCH_RUNS; run++) {
        double t0 = now_ms();
        PGresult *r = PQexec(pg->conn, sql);
        double ms = now_ms() - t0;
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            fprintf(stderr, "flow_bench: query: %s", PQerrorMessage(pg->conn));
            PQclear(r);
            return false;
        }
        pg->query_ms = fmin(pg->query_ms, ms);
        pg->max_diff_ms = 0;
        pg->groups = (size_t)PQntuples(r);
        for (int row = 0; row < PQntuples(r); row++)
            pg->max_diff_ms = fmax(pg->max_diff_ms, compare_group(res, r, row));
        PQclear(r);
    }
    return true;
}

static int bench_postgres(const char *conninfo, const bench_data *d, const bench_result *res,
                          bench_pg *pg)
{
    int rc = 1;
    pg->conn = PQconnectdb(conninfo);
    if (PQstatus(pg->conn) != CONNECTION_OK) {
        fprintf(stderr, "flow_bench: connect: %s", PQerrorMessage(pg->conn));
        goto out;
    }
    for (size_t i = 0; i < sizeof BENCH_SCHEMA / sizeof BENCH_SCHEMA[0]; i++)
        if (!pg_ok(pg->conn, BENCH_SCHEMA[i]))
            goto out;
    double t0 = now_ms();
    if (!copy_rows(pg, d))
        goto out;
    for (size_t i = 0; i < sizeof BENCH_CONVERT / sizeof BENCH_CONVERT[0]; i++)
        if (!pg_ok(pg->conn, BENCH_CONVERT[i]))
            goto out;
    pg->copy_ms = now_ms() - t0;
    PGresult *r = PQexec(pg->conn, "SELECT pg_total_relation_size('tr')"
                                   " + pg_total_relation_size('iss')");
    pg->table_bytes = PQresultStatus(r) == PGRES_TUPLES_OK ? strtoll(PQgetvalue(r, 0, 0), NULL, 10)
                                                           : -1;
    PQclear(r);
    if (!run_query(pg, d, res))
        goto out;
    rc = 0;
out:
    PQfinish(pg->conn);
    pg->conn = NULL;
    return rc;
}

/* ---------------------------------------------------------------- report */

static void row(const char *figure, const char *value, const char *baseline, double ratio)
{
    if (isfinite(ratio) && ratio > 0)
        printf("| %-56s | %14s | %14s | %7.2f |\n", figure, value, baseline, ratio);
    else
        printf("| %-56s | %14s | %14s | %7s |\n", figure, value, baseline, "-");
}

static void fmt(char *buf, size_t size, double v, int decimals, const char *unit)
{
    if (!isfinite(v))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.*f %s", decimals, v, unit);
}

static void report_adversarial(const bench_adv *adv)
{
    char a[BENCH_LINE_MAX], b[BENCH_LINE_MAX], f[BENCH_LINE_MAX];
    fmt(a, sizeof a, adv->adversarial_ms, 1, "ms");
    fmt(b, sizeof b, adv->ordinary_ms, 1, "ms");
    snprintf(f, sizeof f, "adversarial page, %zu issues: 1970/now+2d, 4096 hol.", adv->n_issues);
    row(f, a, b, adv->ordinary_ms / adv->adversarial_ms);
}

static void report(const bench_data *d, const bench_result *res, const bench_pg *pg,
                   bool have_pg)
{
    char a[BENCH_LINE_MAX], b[BENCH_LINE_MAX];
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("| %-56s | %14s | %14s | %7s |\n", "figure", "value", "baseline", "ratio");
    printf("|%s|%s|%s|%s|\n", "----------------------------------------------------------",
           "----------------", "----------------", "---------");
    snprintf(a, sizeof a, "%zu", d->n_issues);
    row("issues (one project)", a, "", NAN);
    snprintf(a, sizeof a, "%zu", d->n_transitions);
    row("status transitions", a, "", NAN);
    snprintf(a, sizeof a, "%zu", res->n_slices);
    row("slices", a, "", NAN);
    double q = have_pg ? pg->query_ms : NAN;
    fmt(a, sizeof a, res->core_ms, 1, "ms");
    fmt(b, sizeof b, q, 1, "ms");
    row("slices + per-status P50/P90, 30d cur+prev (best of 3)", a, b, q / res->core_ms);
    fmt(a, sizeof a, res->full_ms, 1, "ms");
    row("full dashboard: + JSON, aging, CFD, scatter (best of 3)", a, b, q / res->full_ms);
    fmt(a, sizeof a, (double)res->arena_bytes / (1 << 20), 1, "MiB");
    fmt(b, sizeof b, have_pg ? (double)pg->table_bytes / (1 << 20) : NAN, 1, "MiB");
    row("memory: flow arena (one full compute) vs PG tables", a, b,
        have_pg ? (double)pg->table_bytes / (double)res->arena_bytes : NAN);
    fmt(a, sizeof a, (double)biq_arena_used(d->input) / (1 << 20), 1, "MiB");
    row("memory: generated input (biq_issue + transitions)", a, "", NAN);
    fmt(a, sizeof a, (double)ru.ru_maxrss / 1024, 1, "MiB");
    row("peak RSS of the bench process (getrusage)", a, "", NAN);
    if (have_pg) {
        fmt(a, sizeof a, pg->copy_ms, 1, "ms");
        row("PostgreSQL: COPY + convert + ANALYZE (not compared)", "", a, NAN);
        snprintf(a, sizeof a, "%zu groups", pg->groups);
        fmt(b, sizeof b, pg->max_diff_ms, 3, "ms");
        row("P50/P90 agreement: max |flow - PostgreSQL|", a, b, NAN);
    }
}

static void report_forecast(const bench_forecast *bf, const bench_result *res)
{
    char a[BENCH_LINE_MAX], b[BENCH_LINE_MAX], f[BENCH_LINE_MAX];
    fmt(b, sizeof b, res->full_ms, 1, "ms");
    fmt(a, sizeof a, bf->when_ms, 2, "ms");
    snprintf(f, sizeof f, "forecast, %d trials: when %d items (P85: %lld d)",
             BIQ_FORECAST_TRIALS_DEFAULT, BENCH_FORECAST_ITEMS, (long long)bf->when_p85);
    row(f, a, b, res->full_ms / bf->when_ms);
    fmt(a, sizeof a, bf->how_many_ms, 2, "ms");
    snprintf(f, sizeof f, "forecast, %d trials: how many in %d d (P85: %lld)",
             BIQ_FORECAST_TRIALS_DEFAULT, BENCH_FORECAST_DAYS, (long long)bf->how_many_p85);
    row(f, a, b, res->full_ms / bf->how_many_ms);
}

static void report_runs(const bench_runs *br, const bench_result *res)
{
    char a[BENCH_LINE_MAX], b[BENCH_LINE_MAX], f[BENCH_LINE_MAX];
    fmt(a, sizeof a, br->ms, 2, "ms");
    fmt(b, sizeof b, res->full_ms, 1, "ms");
    snprintf(f, sizeof f, "run charts + XmR, 30d (%zu points, best of 3)", br->n_points);
    row(f, a, b, res->full_ms / br->ms);
}

/* ------------------------------------------------------------------ main */

static bool parse_size(const char *s, size_t max, size_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = s ? strtoull(s, &end, 10) : 0;
    if (s == NULL || *s < '0' || *s > '9' || errno || *end || v == 0 || v > max)
        return false;
    *out = (size_t)v;
    return true;
}

int main(int argc, char **argv)
{
    size_t issues = BENCH_DEFAULT_ISSUES, seed = 1;
    const char *conninfo = getenv("BIQ_BENCH_CONNINFO");
    for (int i = 1; i < argc; i += 2) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool ok = strcmp(argv[i], "--issues") == 0   ? parse_size(v, BIQ_GEN_MAX_ISSUES, &issues)
                  : strcmp(argv[i], "--seed") == 0   ? parse_size(v, SIZE_MAX, &seed)
                  : strcmp(argv[i], "--conninfo") == 0 ? (conninfo = v) != NULL
                                                       : false;
        if (!ok) {
            fprintf(stderr, "usage: flow_bench [--issues N] [--seed N] [--conninfo URL]\n");
            return 2;
        }
    }
    bench_data d = {0};
    bench_result *res = calloc(1, sizeof *res);
    bench_pg pg = {0};
    bench_adv adv = {0};
    bench_forecast bf = {0};
    bench_runs br = {0};
    int rc = res == NULL || generate(seed, issues, &d) != 0 || bench_flow(&d, res) != 0 ||
             bench_forecast_run(&d, &bf) != 0 || bench_runs_run(&d, &br) != 0 ||
             bench_adversarial(&d, &adv) != 0;
    bool have_pg = rc == 0 && conninfo != NULL && conninfo[0] != '\0';
    if (have_pg && bench_postgres(conninfo, &d, res, &pg) != 0)
        rc = 1;
    if (rc == 0) {
        report(&d, res, &pg, have_pg);
        report_forecast(&bf, res);
        report_runs(&br, res);
        report_adversarial(&adv);
    }
    free(res);
    biq_arena_free(d.input);
    biq_gen_free(d.gen);
    return rc;
}
