/* test_analyze_exact.c - issue 13: the same numbers everywhere, exactly.
 *
 * - The 18-issue peer scenario (peer-scenarios.md) as a search page with no
 *   catalogue (tests/fixtures/peer-18-search.json): `biq analyze` takes the
 *   roles from the issues' own statuses and gives the hand-computed
 *   throughput, lead time and cycle time exactly.
 * - DevLake's export without its statuses.json: roles from the issues,
 *   transition-only statuses unknown and reported with their issues.
 * - `--window all` over a multi-year history equals the sum of its parts
 *   where the figure is additive and the direct computation where not.
 * - Machine output round-trips: the JSON parsed back and the CSV's seconds
 *   equal an independent recomputation from the slices, with no tolerance;
 *   the bytes do not depend on input order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/analyze.h"
#include "common/arena.h"
#include "flow/dashboard_json.h"
#include "flow/flow.h"
#include "gen/gen.h"
#include "tz/civil.h"
#include "devlake.h"
#include "analyze_run.h"
#include "testsupport.h"

enum {
    MAX_ARGS = 16,
    GEN_ISSUES = 600,
    GEN_PROJECTS = 2,
    YEARS_BACK = 3, /* issue i is moved back i % (YEARS_BACK + 1) years */
    PIECES = 7,     /* parts the `all` window is cut into */
    ARENA_MB = 256,
};

#define PEER_PAGE "tests/fixtures/peer-18-search.json"
#define PEER_NOW "2018-01-10T12:00:00Z"
#define DAY_MS 86400000.0
#define YEAR_MS (365 * BIQ_MS_PER_DAY)

/* ------------------------------------------------------------ plumbing */

typedef analyze_output run_result;

static run_result run(const char *const *args, size_t n)
{
    return analyze_run(args, n);
}

static void run_free(run_result *r)
{
    analyze_run_free(r);
}

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    ck_assert_msg(j != NULL, "%s", e.text);
    return j;
}

static double num(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    ck_assert_msg(json_is_number(v), "%s is not a number", key);
    return json_number_value(v);
}

static const json_t *status_named(const json_t *dash, const char *name)
{
    const json_t *st = json_object_get(dash, "statuses");
    for (size_t i = 0; i < json_array_size(st); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(st, i), "name")), name) == 0)
            return json_array_get(st, i);
    ck_abort_msg("no status %s", name);
    return NULL;
}

/* ------------------------------------------------------- peer scenario */

static void assert_peer_figures(const json_t *d)
{
    ck_assert_double_eq(num(json_object_get(d, "throughput"), "total"), 6);
    const json_t *lead = json_object_get(d, "leadTime"), *cyc = json_object_get(d, "cycleTime");
    /* Lead: 6 days; 7; 8. */
    ck_assert_double_eq(num(lead, "count"), 6);
    ck_assert_double_eq(num(lead, "avgDays"), 7.0);
    ck_assert_double_eq(num(lead, "p50Days"), 7.0);
    ck_assert_double_eq(num(lead, "p85Days"), 8.0);
    ck_assert_double_eq(num(lead, "p90Days"), 8.0);
    ck_assert_double_eq(num(lead, "p95Days"), 8.0);
    /* Cycle: 5, 5, 5, 5, 5 and 4 days. */
    ck_assert_double_eq(num(cyc, "count"), 6);
    ck_assert_double_eq(num(cyc, "avgDays"), 29.0 / 6.0);
    ck_assert_double_eq(num(cyc, "p50Days"), 5.0);
    ck_assert_double_eq(num(cyc, "p85Days"), 5.0);
    ck_assert_double_eq(num(cyc, "p90Days"), 5.0);
    ck_assert_double_eq(num(cyc, "p95Days"), 5.0);
    static const char *const names[] = {"Backlog", "Next", "Build", "QA", "Done"};
    static const char *const roles[] = {"backlog", "active", "active", "active", "done"};
    for (size_t i = 0; i < 5; i++)
        ck_assert_str_eq(json_string_value(json_object_get(status_named(d, names[i]), "role")),
                         roles[i]);
    const json_t *dq = json_object_get(d, "dataQuality");
    ck_assert_double_eq(num(dq, "unknown_status"), 0);
    ck_assert_uint_eq(json_array_size(json_object_get(dq, "findings")), 0);
    ck_assert_str_eq(json_string_value(json_object_get(dq, "summary")),
                     "No data-quality findings.");
}

START_TEST(peer_page_without_catalogue_gives_the_hand_computed_figures)
{
    const char *json30[] = {"--json", "--now", PEER_NOW, PEER_PAGE};
    const char *jsonall[] = {"--json", "--window", "all", "--now", PEER_NOW, PEER_PAGE};
    const char *text[] = {"--now", PEER_NOW, PEER_PAGE};
    run_result a = run(json30, 4), b = run(jsonall, 6), t = run(text, 3);
    ck_assert_msg(a.rc == 0, "%s", a.err);
    ck_assert_msg(b.rc == 0, "%s", b.err);
    ck_assert_msg(t.rc == 0, "%s", t.err);
    json_t *ja = parse(a.out), *jb = parse(b.out);
    ck_assert_uint_eq(json_array_size(ja), 1);
    assert_peer_figures(json_array_get(ja, 0));
    assert_peer_figures(json_array_get(jb, 0));
    /* `all` starts at the earliest fact (A-1's creation) and has nothing
     * before it. */
    const json_t *w = json_object_get(json_array_get(jb, 0), "window");
    ck_assert_str_eq(json_string_value(json_object_get(w, "kind")), "all");
    ck_assert_str_eq(json_string_value(json_object_get(w, "from")), "2018-01-01T11:59:59.999Z");
    const json_t *prev = json_object_get(w, "previous");
    ck_assert(json_is_true(json_object_get(prev, "empty")));
    ck_assert(json_is_null(json_object_get(prev, "from")));
    ck_assert_ptr_nonnull(strstr(t.out, "throughput  6 done"));
    ck_assert_ptr_nonnull(strstr(t.out, "cycle time  (started \u2192 done) P50 5.00 d, P85 5.00 d, P95 5.00 d (n=6)"));
    ck_assert_ptr_nonnull(strstr(t.out, "Build                        active"));
    json_decref(ja);
    json_decref(jb);
    run_free(&a);
    run_free(&b);
    run_free(&t);
}
END_TEST

START_TEST(devlake_without_catalogue_takes_roles_from_the_issues)
{
    char page[DEVLAKE_PATH_MAX], cat[DEVLAKE_PATH_MAX];
    devlake_path("issues-with-changelog.json", page);
    devlake_path("statuses.json", cat);
    const char *bare[] = {"--json", "--window", "all", "--now", "2022-08-01T00:00:00Z", page};
    const char *full[] = {"--json", "--window", "all", "--now", "2022-08-01T00:00:00Z", page, cat};
    run_result a = run(bare, 6), b = run(full, 7);
    ck_assert_msg(a.rc == 0, "%s", a.err);
    ck_assert_msg(b.rc == 0, "%s", b.err);
    json_t *ja = parse(a.out), *jb = parse(b.out);
    const json_t *ee = json_array_get(ja, 0), *eec = json_array_get(jb, 0);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(ee, "project"), "key")),
                     "EE");
    /* Every EE issue is in 已完成 (done) now: all 30 are done, with or
     * without the catalogue; the issue's status names its category. */
    ck_assert_double_eq(num(json_object_get(ee, "throughput"), "total"), 30);
    ck_assert_double_eq(num(json_object_get(eec, "throughput"), "total"), 30);
    /* (Lead times differ, as they should: the catalogue makes Resolved and
     * Closed done statuses too, so done starts at the first of them.) */
    ck_assert_double_lt(num(json_object_get(eec, "leadTime"), "avgDays"),
                        num(json_object_get(ee, "leadTime"), "avgDays"));
    ck_assert_str_eq(json_string_value(json_object_get(status_named(ee, "已完成"), "role")),
                     "done");
    /* Statuses only transitions name: unknown, listed with their issues. */
    const json_t *closed = status_named(ee, "Closed");
    ck_assert_str_eq(json_string_value(json_object_get(closed, "role")), "unknown");
    ck_assert_str_eq(json_string_value(json_object_get(closed, "category")), "undefined");
    ck_assert_str_eq(json_string_value(json_object_get(status_named(eec, "Closed"), "role")),
                     "done");
    const json_t *dq = json_object_get(ee, "dataQuality");
    ck_assert_double_eq(num(dq, "unknown_status"), 7);
    const json_t *groups = json_object_get(dq, "findings");
    const json_t *unknown = NULL;
    for (size_t i = 0; i < json_array_size(groups); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(groups, i), "kind")),
                   "unknown_status") == 0)
            unknown = json_array_get(groups, i);
    ck_assert_ptr_nonnull(unknown);
    ck_assert_uint_eq(json_array_size(json_object_get(unknown, "statuses")), 7);
    ck_assert_uint_eq(json_array_size(json_object_get(unknown, "issueKeys")), BIQ_FLOW_DQ_KEYS);
    ck_assert_double_eq(num(unknown, "issues"), 30);
    ck_assert_double_eq(num(unknown, "moreIssues"), 30 - BIQ_FLOW_DQ_KEYS);
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(dq, "summary")),
                                 "7 statuses are unknown: their names come from transitions"));
    json_decref(ja);
    json_decref(jb);
    run_free(&a);
    run_free(&b);
}
END_TEST

/* ------------------------------------------- a multi-year generated site */

typedef struct site {
    biq_arena *arena;
    biq_issue *issues;
    size_t n;
    const biq_status *statuses;
    size_t n_statuses;
} site;

static biq_ms shifted(biq_ms t, biq_ms by)
{
    return t == BIQ_MS_NONE ? t : t - by;
}

/* Project 0 of a generated site, issue i moved back i % 4 years whole
 * (every instant), so that the history spans four years. */
static void site_build(site *s, bool reversed)
{
    biq_gen_config cfg = {.seed = 7, .n_issues = GEN_ISSUES, .n_projects = GEN_PROJECTS,
                          .now = BIQ_GEN_DEFAULT_NOW};
    biq_gen *g = NULL;
    char err[128];
    ck_assert_int_eq(biq_gen_new(&cfg, &g, err, sizeof err), BIQ_OK);
    const biq_gen_project *p = biq_gen_project_at(g, 0);
    s->arena = biq_arena_new((size_t)ARENA_MB << 20);
    ck_assert_ptr_nonnull(s->arena);
    s->issues = biq_arena_calloc(s->arena, p->n_issues, sizeof *s->issues);
    ck_assert_ptr_nonnull(s->issues);
    s->n = p->n_issues;
    for (size_t k = 0; k < p->n_issues; k++) {
        biq_issue is;
        ck_assert_int_eq(biq_gen_issue_model(g, p->first_issue + k, s->arena, &is), BIQ_OK);
        biq_ms by = (biq_ms)(k % (YEARS_BACK + 1)) * YEAR_MS;
        is.created = shifted(is.created, by);
        is.updated = shifted(is.updated, by);
        is.resolution_at = shifted(is.resolution_at, by);
        biq_transition *t = biq_arena_calloc(s->arena, is.n_transitions + 1, sizeof *t);
        ck_assert_ptr_nonnull(t);
        for (size_t i = 0; i < is.n_transitions; i++) {
            t[i] = is.transitions[i];
            t[i].at = shifted(t[i].at, by);
        }
        is.transitions = t;
        s->issues[reversed ? p->n_issues - 1 - k : k] = is;
    }
    biq_gen_statuses(&s->statuses, &s->n_statuses);
    biq_gen_free(g);
}

static biq_flow *site_flow(const site *s)
{
    biq_flow_input in = {.issues = s->issues, .n_issues = s->n, .statuses = s->statuses,
                         .n_statuses = s->n_statuses, .now = BIQ_GEN_DEFAULT_NOW};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, s->arena, &f), BIQ_OK);
    return f;
}

static biq_flow_report *report(const biq_flow *f, const biq_window_spec *spec, biq_arena *a,
                               biq_flow_window *w)
{
    biq_flow_report *r = NULL;
    ck_assert_int_eq(biq_flow_window_resolve(f, spec, w), BIQ_OK);
    ck_assert_int_eq(biq_flow_report_build(f, w, a, &r), BIQ_OK);
    return r;
}

START_TEST(window_all_over_years_is_the_sum_of_its_parts)
{
    site s;
    site_build(&s, false);
    biq_flow *f = site_flow(&s);
    biq_flow_window all;
    biq_window_spec spec_all = {.kind = BIQ_WIN_ALL};
    biq_flow_report *r = report(f, &spec_all, s.arena, &all);
    ck_assert_msg(all.days > 3 * 365, "the history spans %f days", all.days);
    ck_assert_int_eq(all.prev_from, all.prev_to);
    ck_assert_uint_eq(r->prev.throughput, 0);
    ck_assert_uint_gt(r->cur.throughput, 100);
    /* Additive: throughput, lead/cycle counts, per-week buckets, time in
     * status samples. */
    uint32_t tp = 0, nl = 0, nc = 0, weeks = 0;
    for (size_t i = 0; i < r->n_weeks; i++)
        weeks += r->per_week[i];
    ck_assert_uint_eq(weeks, r->cur.throughput);
    uint32_t *samples = calloc(biq_flow_status_count(f), sizeof *samples);
    ck_assert_ptr_nonnull(samples);
    biq_ms step = (all.to - all.from) / PIECES;
    for (int k = 0; k < PIECES; k++) {
        biq_window_spec piece = {.kind = BIQ_WIN_CUSTOM, .from = all.from + k * step,
                                 .to = k == PIECES - 1 ? all.to : all.from + (k + 1) * step};
        biq_flow_window w;
        biq_flow_report *p = report(f, &piece, s.arena, &w);
        tp += p->cur.throughput;
        nl += p->cur.lead.count;
        nc += p->cur.cycle.count;
        for (size_t i = 0; i < p->n_statuses; i++) {
            long idx = -1;
            for (size_t j = 0; j < biq_flow_status_count(f); j++)
                if (biq_flow_status_at(f, j) == p->statuses[i].status)
                    idx = (long)j;
            ck_assert_int_ge(idx, 0);
            samples[idx] += p->statuses[i].cur.time.count;
        }
    }
    ck_assert_uint_eq(tp, r->cur.throughput);
    ck_assert_uint_eq(nl, r->cur.lead.count);
    ck_assert_uint_eq(nc, r->cur.cycle.count);
    for (size_t i = 0; i < r->n_statuses; i++)
        for (size_t j = 0; j < biq_flow_status_count(f); j++)
            if (biq_flow_status_at(f, j) == r->statuses[i].status)
                ck_assert_uint_eq(samples[j], r->statuses[i].cur.time.count);
    /* Not additive: percentiles equal the direct computation over every
     * issue done, whenever. */
    int64_t *lead = calloc(biq_flow_issue_count(f) + 1, sizeof *lead);
    ck_assert_ptr_nonnull(lead);
    size_t n = 0;
    for (size_t i = 0; i < biq_flow_issue_count(f); i++)
        if (biq_flow_issue_at(f, i)->done_at != BIQ_MS_NONE)
            lead[n++] = biq_flow_issue_at(f, i)->lead_ms;
    biq_flow_stats direct;
    biq_flow_stats_compute(lead, n, &direct);
    ck_assert_uint_eq(direct.count, r->cur.lead.count);
    ck_assert_double_eq(direct.avg_ms, r->cur.lead.avg_ms);
    ck_assert_double_eq(direct.p50_ms, r->cur.lead.p50_ms);
    ck_assert_double_eq(direct.p85_ms, r->cur.lead.p85_ms);
    ck_assert_double_eq(direct.p95_ms, r->cur.lead.p95_ms);
    free(lead);
    free(samples);
    biq_arena_free(s.arena);
}
END_TEST

/* ------------------------------------------------- exact round trips */

/* Type 7 percentile, written again here from docs/metrics.md. */
static double type7(const int64_t *v, size_t n, double p)
{
    if (n == 0)
        return 0.0;
    double rank = p * (double)(n - 1);
    size_t lo = (size_t)rank;
    if (lo + 1 >= n)
        return (double)v[n - 1];
    return (double)v[lo] + (rank - (double)lo) * (double)(v[lo + 1] - v[lo]);
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* avgDays etc. recomputed from values in ms, compared with the parsed JSON
 * with no tolerance. */
static void assert_stats(const json_t *o, int64_t *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp64);
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    ck_assert_double_eq(num(o, "count"), (double)n);
    ck_assert_double_eq(num(o, "avgDays"), n ? ((double)sum / (double)n) / DAY_MS : 0.0);
    ck_assert_double_eq(num(o, "p50Days"), type7(v, n, 0.50) / DAY_MS);
    ck_assert_double_eq(num(o, "p85Days"), type7(v, n, 0.85) / DAY_MS);
    ck_assert_double_eq(num(o, "p90Days"), type7(v, n, 0.90) / DAY_MS);
    ck_assert_double_eq(num(o, "p95Days"), type7(v, n, 0.95) / DAY_MS);
}

static bool ends_in(biq_ms t, biq_ms from, biq_ms to)
{
    return t > from && t <= to;
}

START_TEST(machine_output_round_trips_exactly)
{
    site s, r_site;
    site_build(&s, false);
    site_build(&r_site, true);
    biq_flow *f = site_flow(&s), *rf = site_flow(&r_site);
    biq_window_spec spec = {.kind = BIQ_WIN_ALL};
    biq_flow_window w, rw;
    biq_flow_report *r = report(f, &spec, s.arena, &w);
    biq_flow_report *rr = report(rf, &spec, r_site.arena, &rw);
    json_t *j = biq_flow_dashboard_json(f, r, NULL), *rj = biq_flow_dashboard_json(rf, rr, NULL);
    char *text = biq_flow_json_dumps(j), *rtext = biq_flow_json_dumps(rj);
    ck_assert_str_eq(text, rtext); /* input order does not change a byte */
    json_t *back = parse(text);
    size_t ni = biq_flow_issue_count(f);
    int64_t *v = calloc(ni * 64 + 1, sizeof *v);
    ck_assert_ptr_nonnull(v);
    /* Lead and cycle time from each issue's slices. */
    size_t nl = 0, nc = 0;
    int64_t *cyc = calloc(ni + 1, sizeof *cyc);
    ck_assert_ptr_nonnull(cyc);
    for (size_t i = 0; i < ni; i++) {
        const biq_flow_issue_view *iv = biq_flow_issue_at(f, i);
        if (iv->done_at == BIQ_MS_NONE || !ends_in(iv->done_at, w.from, w.to))
            continue;
        int64_t lead = 0, cycle = 0;
        bool started = false;
        for (size_t k = 0; k < iv->n_slices && iv->slices[k].start < iv->done_at; k++) {
            lead += iv->slices[k].duration_ms;
            const biq_flow_status_info *st = biq_flow_status_at(f, iv->slices[k].status_index);
            started = started || st->role == BIQ_ROLE_ACTIVE;
            if (started)
                cycle += iv->slices[k].duration_ms;
        }
        v[nl++] = lead;
        if (started)
            cyc[nc++] = cycle;
    }
    assert_stats(json_object_get(back, "leadTime"), v, nl);
    assert_stats(json_object_get(back, "cycleTime"), cyc, nc);
    /* Time in status and WIP average per status. */
    const json_t *sts = json_object_get(back, "statuses");
    int64_t len = w.to - w.from;
    for (size_t k = 0; k < json_array_size(sts); k++) {
        const json_t *sj = json_array_get(sts, k);
        int64_t id = strtoll(json_string_value(json_object_get(sj, "id")), NULL, 10);
        size_t n = 0;
        int64_t overlap = 0;
        for (size_t i = 0; i < ni; i++) {
            const biq_flow_issue_view *iv = biq_flow_issue_at(f, i);
            for (size_t q = 0; q < iv->n_slices; q++) {
                const biq_flow_slice *sl = &iv->slices[q];
                if (sl->status_id != id)
                    continue;
                if (!sl->open && sl->end > sl->start && ends_in(sl->end, w.from, w.to))
                    v[n++] = sl->duration_ms;
                biq_ms lo = sl->start > w.from ? sl->start : w.from;
                biq_ms hi = sl->end < w.to ? sl->end : w.to;
                overlap += hi > lo ? hi - lo : 0;
            }
        }
        assert_stats(json_object_get(sj, "timeInStatus"), v, n);
        const json_t *load = json_object_get(sj, "wip");
        if (json_is_null(load))
            load = json_object_get(sj, "waiting");
        if (json_is_null(load))
            continue; /* done, terminal, unknown: no load figure */
        ck_assert_double_eq(num(load, "avg"), (double)overlap / (double)len);
    }
    /* CSV: duration_seconds is the slice's milliseconds, exactly. */
    biq_flow_csv_row *rows = NULL;
    size_t n_rows = 0;
    ck_assert_int_eq(biq_flow_csv_rows(f, &w, s.arena, &rows, &n_rows), BIQ_OK);
    ck_assert_uint_gt(n_rows, 1000);
    for (size_t i = 0; i < n_rows; i++) {
        char line[BIQ_FLOW_CSV_LINE_MAX];
        size_t len_line = 0;
        ck_assert_int_eq(biq_flow_csv_format(&rows[i], line, sizeof line, &len_line), BIQ_OK);
        /* ...,duration_seconds,open,external,terminal\r\n: the 4th comma
         * from the end precedes the duration. */
        size_t commas = 0, at = len_line;
        while (at > 0 && commas < 4)
            commas += line[--at] == ',';
        long long sec = 0;
        int ms = 0;
        ck_assert_int_eq(sscanf(line + at + 1, "%lld.%3d", &sec, &ms), 2);
        ck_assert_int_eq((int64_t)sec * 1000 + ms, rows[i].slice->duration_ms);
    }
    free(v);
    free(cyc);
    free(text);
    free(rtext);
    json_decref(back);
    json_decref(j);
    json_decref(rj);
    biq_arena_free(s.arena);
    biq_arena_free(r_site.arena);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("analyze_exact");
    TCase *tc = tcase_create("analyze_exact");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, peer_page_without_catalogue_gives_the_hand_computed_figures);
    tcase_add_test(tc, devlake_without_catalogue_takes_roles_from_the_issues);
    tcase_add_test(tc, window_all_over_years_is_the_sum_of_its_parts);
    tcase_add_test(tc, machine_output_round_trips_exactly);
    suite_add_tcase(s, tc);
    return s;
}
