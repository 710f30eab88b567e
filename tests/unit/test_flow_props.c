/* test_flow_props.c - properties over generated data: slices tile
 * created -> now without gap or overlap (calendar and working time),
 * percentiles are monotone, WIP adds up, and every output (dashboard JSON,
 * CSV, CFD) is byte-identical across runs and shuffled input orders. */
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "flow/dashboard_json.h"
#include "flow/flow.h"
#include "testsupport.h"
#include "tz/civil.h"

#define H BIQ_MS_PER_HOUR
#define DAY BIQ_MS_PER_DAY
#define T0 (INT64_C(1704067200000)) /* 2024-01-01T00:00:00Z */
#define NOW (T0 + 120 * DAY)

enum { N_ISSUES = 150, MAX_T = 14, N_STATUSES = 7, ROUNDS = 6 };

static const biq_status catalogue[N_STATUSES] = {
    {1, "Backlog", BIQ_CAT_NEW},    {2, "In Progress", BIQ_CAT_ACTIVE}, {3, "Review", BIQ_CAT_ACTIVE},
    {4, "QA", BIQ_CAT_ACTIVE},      {5, "Done", BIQ_CAT_DONE},          {6, "Won't Do", BIQ_CAT_DONE},
    {7, "Blocked", BIQ_CAT_ACTIVE},
};

typedef struct gen {
    biq_issue issues[N_ISSUES];
    biq_transition trans[N_ISSUES][MAX_T];
    char keys[N_ISSUES][16];
} gen;

static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int64_t pick(uint64_t *s, int64_t n)
{
    return (int64_t)(next(s) % (uint64_t)n);
}

/* Random but plausible histories, with same-instant moves, wrong `from`s,
 * transitions before `created` and an unknown status now and then. */
static void generate(gen *g, uint64_t seed)
{
    uint64_t s = seed * 2654435761u + 1;
    int64_t hist = 1;
    for (int i = 0; i < N_ISSUES; i++) {
        biq_ms created = T0 + pick(&s, 100 * DAY);
        int64_t status = 1 + pick(&s, 2), n = pick(&s, MAX_T + 1);
        biq_ms at = created;
        for (int64_t k = 0; k < n; k++) {
            int64_t gap = pick(&s, 4) == 0 ? 0 : pick(&s, 5 * DAY);
            at += gap;
            int64_t to = pick(&s, 30) == 0 ? 42 : 1 + pick(&s, N_STATUSES);
            int64_t from = pick(&s, 20) == 0 ? 1 + pick(&s, N_STATUSES) : status;
            biq_ms when = pick(&s, 25) == 0 ? created - pick(&s, DAY) - 1 : at;
            g->trans[i][k] = (biq_transition){.history_id = hist, .item_index = (int32_t)pick(&s, 2),
                                              .at = when, .from_status = from, .to_status = to};
            hist += 1 + pick(&s, 3);
            status = to;
        }
        snprintf(g->keys[i], sizeof g->keys[i], "P-%d", i + 1);
        g->issues[i] = (biq_issue){.id = 1000 + i, .key = g->keys[i], .project_key = "P",
                                   .summary = "generated", .status_id = status,
                                   .issue_type = pick(&s, 5) ? "Story" : "Bug",
                                   .created = created, .updated = at,
                                   .resolution_at = BIQ_MS_NONE, .transitions = g->trans[i],
                                   .n_transitions = (size_t)n, .changelog_total = (int32_t)n,
                                   .changelog_present = (int32_t)n};
    }
}

/* Fisher-Yates on the issues and on each issue's transitions. */
static void shuffle(gen *g, uint64_t seed)
{
    uint64_t s = seed + 99;
    for (int i = N_ISSUES - 1; i > 0; i--) {
        int j = (int)pick(&s, i + 1);
        biq_issue tmp = g->issues[i];
        g->issues[i] = g->issues[j];
        g->issues[j] = tmp;
    }
    for (int i = 0; i < N_ISSUES; i++) {
        biq_transition *t = (biq_transition *)g->issues[i].transitions;
        for (size_t k = g->issues[i].n_transitions; k > 1; k--) {
            size_t j = (size_t)pick(&s, (int64_t)k);
            biq_transition tmp = t[k - 1];
            t[k - 1] = t[j];
            t[j] = tmp;
        }
    }
}

static biq_flow *build(biq_arena *a, const gen *g, const biq_work_schedule *ws)
{
    biq_flow_input in = {.issues = g->issues, .n_issues = N_ISSUES, .statuses = catalogue,
                         .n_statuses = N_STATUSES, .schedule = ws, .now = NOW};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    return f;
}

static void check_tiling(const biq_flow *f, bool calendar)
{
    for (size_t i = 0; i < biq_flow_issue_count(f); i++) {
        const biq_flow_issue_view *v = biq_flow_issue_at(f, i);
        ck_assert_uint_ge(v->n_slices, 1);
        ck_assert_int_eq(v->slices[0].start, v->issue->created);
        int64_t total = 0;
        for (size_t k = 0; k < v->n_slices; k++) {
            const biq_flow_slice *sl = &v->slices[k];
            ck_assert_int_le(sl->start, sl->end);
            ck_assert_int_eq(sl->open, k + 1 == v->n_slices);
            if (k + 1 < v->n_slices)
                ck_assert_int_eq(sl->end, v->slices[k + 1].start);
            if (calendar)
                ck_assert_int_eq(sl->duration_ms, sl->end - sl->start);
            total += sl->duration_ms;
        }
        const biq_flow_slice *last = &v->slices[v->n_slices - 1];
        ck_assert_int_eq(last->end, last->start > NOW ? last->start : NOW);
        ck_assert_int_eq(total, biq_flow_duration(f, v->slices[0].start, last->end));
        if (v->done_at != BIQ_MS_NONE)
            ck_assert_int_eq(v->lead_ms, biq_flow_duration(f, v->slices[0].start, v->done_at));
    }
}

static void check_stats(const biq_flow_stats *s)
{
    ck_assert(s->p50_ms <= s->p85_ms && s->p85_ms <= s->p90_ms && s->p90_ms <= s->p95_ms);
    if (s->count == 0)
        ck_assert(s->avg_ms == 0 && s->p95_ms == 0);
}

static char *dashboard(const biq_flow *f, biq_arena *a, const char *window)
{
    biq_window_spec spec;
    biq_flow_window w;
    biq_flow_report *r = NULL;
    ck_assert_int_eq(biq_window_parse(window, &spec), BIQ_OK);
    ck_assert_int_eq(biq_flow_window_resolve(f, &spec, &w), BIQ_OK);
    ck_assert_int_eq(biq_flow_report_build(f, &w, a, &r), BIQ_OK);
    long double wip_sum = 0, lifetime = 0;
    for (size_t i = 0; i < r->n_statuses; i++) {
        check_stats(&r->statuses[i].cur.time);
        check_stats(&r->statuses[i].prev.time);
        wip_sum += r->statuses[i].cur.wip_avg;
    }
    check_stats(&r->cur.lead);
    check_stats(&r->cur.cycle);
    /* Sum of WIP averages = issue-time alive in the window / its length. */
    for (size_t i = 0; i < biq_flow_issue_count(f); i++) {
        const biq_flow_issue_view *v = biq_flow_issue_at(f, i);
        biq_ms lo = v->slices[0].start > w.from ? v->slices[0].start : w.from;
        biq_ms hi = v->slices[v->n_slices - 1].end < w.to ? v->slices[v->n_slices - 1].end : w.to;
        lifetime += hi > lo ? biq_flow_duration(f, lo, hi) : 0;
    }
    ck_assert_double_eq_tol((double)wip_sum,
                            (double)(lifetime / biq_flow_duration(f, w.from, w.to)), 1e-9);
    biq_dashboard_meta meta = {.project_key = "P", .project_name = "Generated", .data_version = 7};
    json_t *j = biq_flow_dashboard_json(f, r, &meta);
    ck_assert_ptr_nonnull(j);
    char *text = biq_flow_json_dumps(j);
    json_decref(j);
    ck_assert_ptr_nonnull(text);
    return text;
}

/* CSV and CFD as one string, to compare across orders. */
static char *charts(const biq_flow *f, biq_arena *a)
{
    biq_window_spec spec = {.kind = BIQ_WIN_DAYS, .days = 90};
    biq_flow_window w;
    ck_assert_int_eq(biq_flow_window_resolve(f, &spec, &w), BIQ_OK);
    biq_flow_csv_row *rows = NULL;
    size_t n = 0, cap = 1 << 20, len = 0, used = 0;
    char *out = calloc(1, cap);
    ck_assert_int_eq(biq_flow_csv_rows(f, &w, a, &rows, &n), BIQ_OK);
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(biq_flow_csv_format(&rows[i], out + used, cap - used, &len), BIQ_OK);
        used += len;
    }
    biq_flow_wip_stack *c = NULL;
    int64_t last = biq_tz_local_day(biq_flow_tz(f), NOW);
    ck_assert_int_eq(biq_flow_wip_stack_build(f, last - 89, last, a, &c), BIQ_OK);
    for (size_t d = 0; d < c->n_days; d++) {
        for (size_t b = 0; b < c->n_bands; b++)
            used += (size_t)snprintf(out + used, cap - used, "%u,", c->counts[d * c->n_bands + b]);
        used += (size_t)snprintf(out + used, cap - used, "%u,%u,%u\n", c->done_cum[d], c->wip[d],
                                 c->throughput[d]);
    }
    biq_flow_aging *g = NULL;
    ck_assert_int_eq(biq_flow_wip_aging(f, a, &g), BIQ_OK);
    for (size_t i = 0; i < g->n_rows; i++)
        used += (size_t)snprintf(out + used, cap - used, "%s %.6f\n", g->rows[i].issue->issue->key,
                                 g->rows[i].days_since_created);
    ck_assert_uint_lt(used, cap - 1);
    return out;
}

static void same_outputs_across_orders(const biq_work_schedule *ws)
{
    static const char *windows[] = {"7d", "30d", "90d", "mtd", "qtd", "45"};
    for (uint64_t seed = 1; seed <= ROUNDS; seed++) {
        gen *g = malloc(sizeof *g);
        generate(g, seed);
        biq_arena *a = biq_arena_new(64u << 20);
        biq_flow *f = build(a, g, ws);
        check_tiling(f, ws == NULL);
        char *base[6], *base_charts = charts(f, a);
        for (int k = 0; k < 6; k++)
            base[k] = dashboard(f, a, windows[k]);
        for (int round = 0; round < 3; round++) {
            shuffle(g, seed * 10 + (uint64_t)round);
            biq_arena *b = biq_arena_new(64u << 20);
            biq_flow *f2 = build(b, g, ws);
            for (int k = 0; k < 6; k++) {
                char *again = dashboard(f2, b, windows[k]);
                ck_assert_str_eq(again, base[k]);
                free(again);
            }
            char *c2 = charts(f2, b);
            ck_assert_str_eq(c2, base_charts);
            free(c2);
            biq_arena_free(b);
        }
        for (int k = 0; k < 6; k++)
            free(base[k]);
        free(base_charts);
        biq_arena_free(a);
        free(g);
    }
}

START_TEST(calendar_time_properties)
{
    same_outputs_across_orders(NULL);
}
END_TEST

START_TEST(working_time_properties)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_tz *tz = NULL;
    ck_assert_int_eq(biq_tz_load(NULL, "Europe/Berlin", a, &tz), BIQ_OK);
    int64_t holidays[] = {biq_civil_days(2024, 4, 1), biq_civil_days(2024, 1, 1)};
    biq_work_schedule ws = {.tz = tz, .working = true, .working_days = 0x1f,
                            .day_start_min = 9 * 60, .day_end_min = 17 * 60,
                            .holidays = holidays, .n_holidays = 2};
    same_outputs_across_orders(&ws);
    biq_arena_free(a);
}
END_TEST

START_TEST(percentiles_are_monotone)
{
    uint64_t s = 7;
    int64_t v[257];
    for (int round = 0; round < 200; round++) {
        size_t n = 1 + (size_t)pick(&s, 256);
        for (size_t i = 0; i < n; i++)
            v[i] = pick(&s, 1000000) - 500;
        biq_flow_stats st;
        biq_flow_stats_compute(v, n, &st);
        double prev = (double)v[0];
        for (int p = 0; p <= 100; p++) {
            double q = biq_flow_percentile(v, n, p / 100.0);
            ck_assert(q >= prev);
            ck_assert(q <= (double)v[n - 1]);
            prev = q;
        }
        ck_assert(st.avg_ms >= (double)v[0] && st.avg_ms <= (double)v[n - 1]);
    }
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("flow_props");
    TCase *tc = tcase_create("props");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, calendar_time_properties);
    tcase_add_test(tc, working_time_properties);
    tcase_add_test(tc, percentiles_are_monotone);
    suite_add_tcase(s, tc);
    return s;
}
