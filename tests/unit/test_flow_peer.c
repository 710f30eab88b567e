/* test_flow_peer.c - the 18-issue scenario of jira-agile-metrics
 * (peer-scenarios.md), built as Jira-shaped data, with the peer's exact
 * numbers: CFD, WIP, throughput, cycle times, percentiles, WIP aging. */
#include <string.h>

#include "common/arena.h"
#include "flow/flow.h"
#include "testsupport.h"
#include "tz/civil.h"

#define H BIQ_MS_PER_HOUR
#define DAY BIQ_MS_PER_DAY

enum { BACKLOG = 1, NEXT = 2, BUILD = 3, QA = 4, DONE = 5, N_ISSUES = 18, MAX_T = 4 };

static const biq_status catalogue[] = {
    {BACKLOG, "Backlog", BIQ_CAT_NEW}, {NEXT, "Next", BIQ_CAT_ACTIVE},
    {BUILD, "Build", BIQ_CAT_ACTIVE},  {QA, "QA", BIQ_CAT_ACTIVE},
    {DONE, "Done", BIQ_CAT_DONE},
};

/* Noon UTC on a day of January 2018. */
static biq_ms jan(int day)
{
    return biq_civil_days(2018, 1, day) * DAY + 12 * H;
}

typedef struct step {
    int day;
    int to;
} step;

typedef struct spec {
    const char *key;
    int created;
    step steps[MAX_T];
} spec;

static const spec scenario[N_ISSUES] = {
    {"A-1", 1, {{0, 0}}},
    {"A-2", 2, {{0, 0}}},
    {"A-3", 3, {{0, 0}}},
    {"A-4", 1, {{2, NEXT}}},
    {"A-5", 1, {{3, NEXT}}},
    {"A-6", 1, {{3, NEXT}}},
    {"A-7", 1, {{2, NEXT}, {3, BUILD}}},
    {"A-8", 1, {{2, NEXT}, {4, BUILD}}},
    {"A-9", 1, {{2, NEXT}, {4, BUILD}}},
    {"A-10", 1, {{2, NEXT}, {3, BUILD}, {4, QA}}},
    {"A-11", 1, {{2, NEXT}, {3, BUILD}, {5, QA}}},
    {"A-12", 1, {{2, NEXT}, {3, BUILD}, {5, QA}}},
    {"A-13", 1, {{2, NEXT}, {3, BUILD}, {4, QA}, {7, DONE}}},
    {"A-14", 1, {{2, NEXT}, {3, BUILD}, {5, QA}, {7, DONE}}},
    {"A-15", 1, {{3, BUILD}, {5, QA}, {8, DONE}}},
    {"A-16", 1, {{3, BUILD}, {4, QA}, {8, DONE}}},
    {"A-17", 1, {{4, NEXT}, {5, QA}, {9, DONE}}},
    {"A-18", 1, {{5, NEXT}, {6, BUILD}, {8, QA}, {9, DONE}}},
};

typedef struct world {
    biq_issue issues[N_ISSUES];
    biq_transition trans[N_ISSUES][MAX_T];
} world;

static void build(world *w)
{
    int64_t hist = 1000;
    for (int i = 0; i < N_ISSUES; i++) {
        const spec *s = &scenario[i];
        int64_t status = BACKLOG;
        size_t n = 0;
        for (; n < MAX_T && s->steps[n].day; n++) {
            w->trans[i][n] = (biq_transition){.history_id = hist++, .at = jan(s->steps[n].day),
                                              .from_status = status, .to_status = s->steps[n].to};
            status = s->steps[n].to;
        }
        w->issues[i] = (biq_issue){.id = 100 + i, .key = s->key, .project_key = "A",
                                   .status_id = status, .created = jan(s->created),
                                   .issue_type = "Story", .resolution_at = BIQ_MS_NONE,
                                   .transitions = w->trans[i], .n_transitions = n,
                                   .changelog_total = (int32_t)n, .changelog_present = (int32_t)n};
    }
}

static biq_flow *make(biq_arena *a, world *w, biq_ms now)
{
    build(w);
    biq_flow_input in = {.issues = w->issues, .n_issues = N_ISSUES, .statuses = catalogue,
                         .n_statuses = 5, .now = now};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    return f;
}

static uint32_t band(const biq_flow_wip_stack *c, size_t day, int64_t status)
{
    for (size_t b = 0; b < c->n_bands; b++)
        if (c->bands[b]->id == status)
            return c->counts[day * c->n_bands + b];
    return 0;
}

START_TEST(peer_cfd_wip_and_throughput)
{
    static const uint32_t expected[9][5] = {
        {16, 0, 0, 0, 0},   {17, 9, 0, 0, 0},   {18, 13, 8, 0, 0},
        {18, 14, 10, 3, 0}, {18, 15, 11, 8, 0}, {18, 15, 12, 8, 0},
        {18, 15, 12, 8, 2}, {18, 15, 12, 9, 4}, {18, 15, 12, 9, 6},
    };
    static const uint32_t wip[9] = {0, 9, 13, 14, 15, 15, 13, 11, 9};
    static const uint32_t throughput[9] = {0, 0, 0, 0, 0, 0, 2, 2, 2};
    biq_arena *a = biq_arena_new(1 << 22);
    world w;
    biq_flow *f = make(a, &w, jan(10));
    biq_flow_wip_stack *c = NULL;
    int64_t d1 = biq_civil_days(2018, 1, 1);
    ck_assert_int_eq(biq_flow_wip_stack_build(f, d1, d1 + 8, a, &c), BIQ_OK);
    ck_assert_uint_eq(c->n_days, 9);
    ck_assert_uint_eq(c->n_bands, 4); /* Done is terminal: not a band */
    for (size_t d = 0; d < 9; d++) {
        uint32_t qa = band(c, d, QA) + c->done_cum[d];
        uint32_t build_ = band(c, d, BUILD) + qa;
        uint32_t next = band(c, d, NEXT) + build_;
        uint32_t backlog = band(c, d, BACKLOG) + next;
        ck_assert_uint_eq(backlog, expected[d][0]);
        ck_assert_uint_eq(next, expected[d][1]);
        ck_assert_uint_eq(build_, expected[d][2]);
        ck_assert_uint_eq(qa, expected[d][3]);
        ck_assert_uint_eq(c->done_cum[d], expected[d][4]);
        ck_assert_uint_eq(c->wip[d], wip[d]);
        ck_assert_uint_eq(c->throughput[d], throughput[d]);
        ck_assert_int_eq(c->sample_at[d], (d1 + (int64_t)d + 1) * DAY);
    }
    /* Bands stack by volume: Backlog holds the most issue-days. */
    ck_assert_int_eq(c->bands[0]->id, BACKLOG);
    biq_arena_free(a);
}
END_TEST

/* Issue #15's true CFD on the same scenario: without a board the frame is
 * the statuses in the order the moves give (Backlog, Next, Build, QA,
 * Done); nothing moves back, so each band's top is the peer's cumulative
 * column, Done included, the first line the arrivals and the last the
 * departures. */
START_TEST(peer_true_cfd_equals_the_peers_columns)
{
    static const uint32_t expected[9][5] = {
        {16, 0, 0, 0, 0},   {17, 9, 0, 0, 0},   {18, 13, 8, 0, 0},
        {18, 14, 10, 3, 0}, {18, 15, 11, 8, 0}, {18, 15, 12, 8, 0},
        {18, 15, 12, 8, 2}, {18, 15, 12, 9, 4}, {18, 15, 12, 9, 6},
    };
    /* Day 1 counts from its start (nothing before 2018-01-01). */
    static const uint32_t arrivals[9] = {16, 1, 1, 0, 0, 0, 0, 0, 0};
    static const uint32_t departures[9] = {0, 0, 0, 0, 0, 0, 2, 2, 2};
    static const int64_t order[5] = {BACKLOG, NEXT, BUILD, QA, DONE};
    biq_arena *a = biq_arena_new(1 << 22);
    world w;
    biq_flow *f = make(a, &w, jan(10));
    biq_flow_cfd *c = NULL;
    int64_t d1 = biq_civil_days(2018, 1, 1);
    ck_assert_int_eq(biq_flow_cfd_build(f, d1, d1 + 8, false, a, &c), BIQ_OK);
    ck_assert_uint_eq(c->n_bands, 5);
    ck_assert(!c->by_columns && !c->backlog_cut);
    ck_assert_uint_eq(c->done_band, 4);
    for (size_t b = 0; b < 5; b++)
        ck_assert_int_eq(c->bands[b].status->id, order[b]);
    for (size_t d = 0; d < 9; d++) {
        for (size_t b = 0; b < 5; b++)
            ck_assert_msg(c->reached[d * 5 + b] == expected[d][b], "day %zu band %zu: %u, want %u",
                          d + 1, b, c->reached[d * 5 + b], expected[d][b]);
        ck_assert_uint_eq(c->arrivals[d], arrivals[d]);
        ck_assert_uint_eq(c->departures[d], departures[d]);
    }
    ck_assert_uint_eq(c->n_corrections, 0);
    /* From backlog cut: counting starts at Next (the first active status):
     * arrivals are commitments, 9 on the 2nd, 4, 1, 1 after. */
    ck_assert_int_eq(biq_flow_cfd_build(f, d1, d1 + 8, true, a, &c), BIQ_OK);
    ck_assert_uint_eq(c->n_bands, 4);
    ck_assert(c->backlog_cut);
    ck_assert_uint_eq(c->done_band, 3);
    ck_assert_int_eq(c->bands[0].status->id, NEXT);
    static const uint32_t committed[9] = {0, 9, 4, 1, 1, 0, 0, 0, 0};
    for (size_t d = 0; d < 9; d++) {
        for (size_t b = 0; b < 4; b++)
            ck_assert_uint_eq(c->reached[d * 4 + b], expected[d][b + 1]);
        ck_assert_uint_eq(c->arrivals[d], committed[d]);
        ck_assert_uint_eq(c->departures[d], departures[d]);
    }
    /* Flow debt over (01 12:00, 09 12:00]: arrived (A-1 and the
     * others at 01 12:00 are on the window's open edge), 6 departed. */
    biq_flow_window win;
    biq_window_spec ws = {.kind = BIQ_WIN_CUSTOM, .from = jan(1), .to = jan(9)};
    ck_assert_int_eq(biq_window_resolve(&ws, jan(10), NULL, NULL, 0, &win), BIQ_OK);
    biq_flow_debt debt;
    ck_assert_int_eq(biq_flow_debt_compute(f, &win, a, &debt), BIQ_OK);
    ck_assert_uint_eq(debt.arrivals, 2);
    ck_assert_uint_eq(debt.departures, 6);
    ck_assert_int_eq(debt.debt, -4);
    ck_assert_double_eq_tol(debt.arrivals_per_day, 2.0 / 8.0, 1e-12);
    ck_assert_double_eq_tol(debt.departures_per_day, 6.0 / 8.0, 1e-12);
    biq_arena_free(a);
}
END_TEST

START_TEST(peer_cycle_times_and_percentiles)
{
    biq_arena *a = biq_arena_new(1 << 22);
    world w;
    biq_flow *f = make(a, &w, jan(10));
    static const struct {
        const char *key;
        int days;
    } cycle[] = {{"A-13", 5}, {"A-14", 5}, {"A-15", 5}, {"A-16", 5}, {"A-17", 5}, {"A-18", 4}};
    int64_t v[6];
    for (size_t i = 0; i < 6; i++) {
        const biq_flow_issue_view *iv = biq_flow_issue_by_key(f, cycle[i].key);
        ck_assert_ptr_nonnull(iv);
        ck_assert_int_eq(iv->cycle_ms, cycle[i].days * DAY);
        v[i] = iv->cycle_ms;
    }
    biq_flow_stats st;
    biq_flow_stats_compute(v, 6, &st);
    ck_assert_double_eq_tol(biq_flow_percentile(v, 6, 0.10), 4.5 * DAY, 1e-3);
    ck_assert_double_eq_tol(st.p50_ms, 5.0 * DAY, 1e-3);
    ck_assert_double_eq_tol(st.p90_ms, 5.0 * DAY, 1e-3);
    /* The same through a report on the days 07..09 (window (06 12:00, 09 12:00]). */
    biq_flow_window win;
    biq_window_spec ws = {.kind = BIQ_WIN_CUSTOM, .from = jan(6), .to = jan(9)};
    ck_assert_int_eq(biq_window_resolve(&ws, jan(10), NULL, NULL, 0, &win), BIQ_OK);
    biq_flow_report *r = NULL;
    ck_assert_int_eq(biq_flow_report_build(f, &win, a, &r), BIQ_OK);
    ck_assert_uint_eq(r->cur.throughput, 6);
    ck_assert_uint_eq(r->cur.cycle.count, 6);
    ck_assert_double_eq_tol(r->cur.cycle.p50_ms, 5.0 * DAY, 1e-3);
    ck_assert_double_eq_tol(r->cur.cycle.p90_ms, 5.0 * DAY, 1e-3);
    ck_assert_double_eq_tol(r->cur.cycle.avg_ms, 29.0 / 6.0 * DAY, 1e-3);
    biq_flow_scatter *sc = NULL;
    ck_assert_int_eq(biq_flow_scatter_build(f, &win, a, &sc), BIQ_OK);
    ck_assert_uint_eq(sc->n_points, 6);
    ck_assert_str_eq(sc->points[0].issue->issue->key, "A-13");
    ck_assert_double_eq_tol(sc->cycle.p50_ms, 5.0 * DAY, 1e-3);
    biq_arena_free(a);
}
END_TEST

START_TEST(peer_wip_aging)
{
    static const struct {
        const char *key;
        int64_t status;
        double since_started, in_status;
    } rows[] = {
        {"A-4", NEXT, 8, 8},   {"A-5", NEXT, 7, 7},   {"A-6", NEXT, 7, 7},
        {"A-7", BUILD, 8, 7},  {"A-8", BUILD, 8, 6},  {"A-9", BUILD, 8, 6},
        {"A-10", QA, 8, 6},    {"A-11", QA, 8, 5},    {"A-12", QA, 8, 5},
    };
    biq_arena *a = biq_arena_new(1 << 22);
    world w;
    biq_flow *f = make(a, &w, jan(10));
    biq_flow_aging *g = NULL;
    ck_assert_int_eq(biq_flow_wip_aging(f, a, &g), BIQ_OK);
    ck_assert_uint_eq(g->n_rows, 9); /* started and not done; Backlog only on request */
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        const biq_flow_aging_row *row = NULL;
        for (size_t i = 0; i < g->n_rows; i++)
            if (strcmp(g->rows[i].issue->issue->key, rows[k].key) == 0)
                row = &g->rows[i];
        ck_assert_ptr_nonnull(row);
        ck_assert_int_eq(row->status->id, rows[k].status);
        ck_assert_double_eq_tol(row->days_since_started, rows[k].since_started, 1e-12);
        ck_assert_double_eq_tol(row->days_in_status, rows[k].in_status, 1e-12);
    }
    /* Lead times of the 6 done issues: 6,6,7,7,8,8 days -> P95 rank 4.75 = 8. */
    ck_assert_uint_eq(g->reference_n, 6);
    ck_assert_double_eq_tol(g->reference_p95_days, 8.0, 1e-9);
    for (size_t i = 0; i < g->n_rows; i++)
        ck_assert_int_ne(g->rows[i].status->id, BACKLOG);
    /* The chart's backlog toggle adds A-1..A-3, first in status order. */
    ck_assert_int_eq(biq_flow_wip_aging_with(f, true, a, &g), BIQ_OK);
    ck_assert_uint_eq(g->n_rows, 12);
    ck_assert_int_eq(g->rows[0].status->id, BACKLOG);
    ck_assert_int_eq(g->rows[0].days_since_started, -1.0);
    biq_arena_free(a);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("flow_peer");
    TCase *tc = tcase_create("peer");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, peer_cfd_wip_and_throughput);
    tcase_add_test(tc, peer_true_cfd_equals_the_peers_columns);
    tcase_add_test(tc, peer_cycle_times_and_percentiles);
    tcase_add_test(tc, peer_wip_aging);
    suite_add_tcase(s, tc);
    return s;
}
