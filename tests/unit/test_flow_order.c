/* test_flow_order.c - the orders users see, pinned (issue 22): bottleneck
 * ties between names that differ only in case or sort differently with and
 * without case, status rows in the project's order (issue #15: category,
 * name, id only where no board or move decides), stacked-WIP bands, WIP
 * aging rows, and the sizes the aging chart gives priorities. */
#include <string.h>

#include "common/arena.h"
#include "flow/flow.h"
#include "testsupport.h"
#include "tz/civil.h"

#define H BIQ_MS_PER_HOUR
#define DAY BIQ_MS_PER_DAY
#define T0 (INT64_C(1514764800000)) /* 2018-01-01T00:00:00Z */

/* ------------------------------------------------------------ bottleneck */

enum { MAX_ROWS = 8 };

typedef struct fixture {
    biq_flow_status_info info[MAX_ROWS];
    biq_flow_status_metrics rows[MAX_ROWS];
    biq_flow_report r;
    biq_flow_settings cfg;
} fixture;

static void init(fixture *f)
{
    memset(f, 0, sizeof *f);
    f->r.statuses = f->rows;
    f->r.window.days = 30;
    f->r.window.prev_days = 30;
    biq_flow_settings_init(&f->cfg);
}

/* A row whose average time went from 10 h to 13 h and WIP from 1.0 to 1.2:
 * score 3 (time 2, WIP 1), the same for every row added. */
static void add(fixture *f, int64_t id, const char *name)
{
    size_t i = f->r.n_statuses++;
    f->info[i] = (biq_flow_status_info){.id = id, .name = name, .category = BIQ_CAT_ACTIVE,
                                        .role = BIQ_ROLE_ACTIVE, .used = true, .wip_limit = -1};
    f->rows[i] = (biq_flow_status_metrics){
        .status = &f->info[i],
        .cur = {.time = {.count = 5, .avg_ms = 13 * H}, .throughput = 10, .wip_avg = 1.2},
        .prev = {.time = {.count = 5, .avg_ms = 10 * H}, .throughput = 10, .wip_avg = 1.0},
    };
}

/* The winner among two tied rows, given in both orders. */
static void expect_winner(int64_t id_a, const char *a, int64_t id_b, const char *b,
                          int64_t want)
{
    fixture f;
    for (int order = 0; order < 2; order++) {
        init(&f);
        if (order == 0) {
            add(&f, id_a, a);
            add(&f, id_b, b);
        } else {
            add(&f, id_b, b);
            add(&f, id_a, a);
        }
        biq_flow_bottleneck_compute(&f.cfg, &f.r);
        ck_assert_int_eq(f.r.bottleneck.state, BIQ_BN_FOUND);
        ck_assert_int_eq(f.r.bottleneck.score, 3);
        ck_assert_msg(f.r.bottleneck.winner->status->id == want,
                      "%s (%lld) vs %s (%lld), order %d: got %lld, want %lld", a,
                      (long long)id_a, b, (long long)id_b, order,
                      (long long)f.r.bottleneck.winner->status->id, (long long)want);
    }
}

START_TEST(bottleneck_ties_by_name_then_case_then_id)
{
    /* Case-insensitive first: "analysis" before "Build" although 'B' < 'a'. */
    expect_winner(1, "analysis", 2, "Build", 1);
    expect_winner(2, "analysis", 1, "Build", 2);
    expect_winner(1, "build", 2, "Analysis", 2);
    /* Equal without case: bytewise, so "QA" before "qa" whatever the ids. */
    expect_winner(1, "QA", 2, "qa", 1);
    expect_winner(2, "QA", 1, "qa", 2);
    expect_winner(5, "In Review", 6, "in review", 5);
    /* The ends of the upper-case range fold too. */
    expect_winner(1, "Ab", 2, "aa", 2);
    expect_winner(1, "Zb", 2, "za", 2);
    /* A prefix sorts first. */
    expect_winner(1, "Review 2", 2, "Review", 2);
    expect_winner(1, "review", 2, "Review2", 1);
    /* Characters around the case range: '[' sorts after 'Z' but before
     * 'z', '@' before both: folded to lower case, "[x]" comes first. */
    expect_winner(1, "[x]", 2, "Zed", 1);
    expect_winner(1, "zed", 2, "[x]", 2);
    expect_winner(1, "@home", 2, "Alpha", 1);
    expect_winner(1, "a", 2, "@b", 2);
    /* The same name: the lower id. */
    expect_winner(9, "Review", 8, "Review", 8);
    expect_winner(8, "Review", 9, "Review", 8);
}
END_TEST

START_TEST(bottleneck_higher_score_beats_name)
{
    fixture f;
    init(&f);
    add(&f, 1, "Alpha");
    add(&f, 2, "Beta");
    f.rows[1].cur.time.avg_ms = 15 * H; /* ratio 1.5: the bonus point */
    biq_flow_bottleneck_compute(&f.cfg, &f.r);
    ck_assert_int_eq(f.r.bottleneck.winner->status->id, 2);
    ck_assert_int_eq(f.r.bottleneck.score, 4);
    ck_assert_str_eq(f.r.bottleneck.confidence, "high");
    init(&f);
    add(&f, 2, "Beta");
    add(&f, 1, "Alpha");
    f.rows[0].cur.time.avg_ms = 15 * H;
    biq_flow_bottleneck_compute(&f.cfg, &f.r);
    ck_assert_int_eq(f.r.bottleneck.winner->status->id, 2);
}
END_TEST

/* --------------------------------------------------------- flow fixtures */

static biq_transition tr(int64_t hist, biq_ms at, int64_t from, int64_t to)
{
    return (biq_transition){.history_id = hist, .at = at, .from_status = from, .to_status = to};
}

static biq_issue issue(int64_t id, const char *key, biq_ms created, int64_t status,
                       const biq_transition *t, size_t n)
{
    return (biq_issue){.id = id, .key = key, .project_key = "A", .summary = key,
                       .status_id = status, .issue_type = "Story", .created = created,
                       .updated = created, .resolution_at = BIQ_MS_NONE, .transitions = t,
                       .n_transitions = n, .changelog_total = (int32_t)n,
                       .changelog_present = (int32_t)n};
}

/* Statuses whose table order (by id) differs from the order users see. */
enum { S_BETA = 2, S_ALPHA = 3, S_ALPHA2 = 4, S_DONE = 5, S_ZETA = 6, S_MYSTERY = 9 };

static const biq_status catalogue[] = {
    {S_DONE, "Done", BIQ_CAT_DONE},       {S_ALPHA2, "Alpha", BIQ_CAT_ACTIVE},
    {S_BETA, "beta", BIQ_CAT_ACTIVE},     {S_ZETA, "Zeta", BIQ_CAT_NEW},
    {S_ALPHA, "Alpha", BIQ_CAT_ACTIVE},
};
#define N_CATALOGUE (sizeof catalogue / sizeof catalogue[0])

START_TEST(status_rows_in_the_order_the_transitions_give)
{
    biq_arena *a = biq_arena_new(1 << 20);
    /* Issue 1 walks every status; the last one is outside the catalogue. */
    biq_transition t[] = {
        tr(1, T0 + 1 * DAY, S_ZETA, S_BETA),     tr(2, T0 + 2 * DAY, S_BETA, S_ALPHA2),
        tr(3, T0 + 3 * DAY, S_ALPHA2, S_ALPHA),  tr(4, T0 + 4 * DAY, S_ALPHA, S_DONE),
        tr(5, T0 + 5 * DAY, S_DONE, S_MYSTERY),
    };
    t[4].to_name = "Mystery";
    biq_issue is[] = {issue(1, "A-1", T0, S_MYSTERY, t, 5)};
    biq_flow_input in = {.issues = is, .n_issues = 1, .statuses = catalogue,
                         .n_statuses = N_CATALOGUE, .now = T0 + 10 * DAY};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    biq_window_spec spec = {.kind = BIQ_WIN_DAYS, .days = 30};
    biq_flow_window w;
    ck_assert_int_eq(biq_flow_window_resolve(f, &spec, &w), BIQ_OK);
    biq_flow_report *r = NULL;
    ck_assert_int_eq(biq_flow_report_build(f, &w, a, &r), BIQ_OK);
    /* Issue #15: without a board the moves decide (docs/metrics.md, "Column
     * order"): the one walk, not category then name ("Alpha" < "beta" and
     * id 3 < 4 would give Zeta, Alpha 3, Alpha 4, beta). */
    const int64_t want[] = {S_ZETA, S_BETA, S_ALPHA2, S_ALPHA, S_DONE, S_MYSTERY};
    ck_assert_uint_eq(r->n_statuses, 6);
    for (size_t i = 0; i < 6; i++)
        ck_assert_msg(r->statuses[i].status->id == want[i], "row %zu: %lld, want %lld", i,
                      (long long)r->statuses[i].status->id, (long long)want[i]);
    ck_assert_str_eq(r->statuses[5].status->name, "Mystery");
    biq_arena_free(a);
}
END_TEST

/* Names one letter apart, ids the other way round: the name decides. */
START_TEST(status_rows_by_name_before_id)
{
    biq_arena *a = biq_arena_new(1 << 20);
    static const biq_status cat[] = {{2, "B", BIQ_CAT_ACTIVE}, {3, "A", BIQ_CAT_ACTIVE},
                                     {4, "a", BIQ_CAT_ACTIVE}, {5, "C", BIQ_CAT_ACTIVE}};
    biq_issue is[] = {issue(1, "A-1", T0, 2, NULL, 0), issue(2, "A-2", T0, 3, NULL, 0),
                      issue(3, "A-3", T0, 4, NULL, 0), issue(4, "A-4", T0, 5, NULL, 0)};
    biq_flow_input in = {.issues = is, .n_issues = 4, .statuses = cat, .n_statuses = 4,
                         .now = T0 + 10 * DAY};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    biq_window_spec spec = {.kind = BIQ_WIN_DAYS, .days = 30};
    biq_flow_window w;
    ck_assert_int_eq(biq_flow_window_resolve(f, &spec, &w), BIQ_OK);
    biq_flow_report *r = NULL;
    ck_assert_int_eq(biq_flow_report_build(f, &w, a, &r), BIQ_OK);
    const int64_t want[] = {3, 2, 5, 4}; /* "A" "B" "C" "a" */
    ck_assert_uint_eq(r->n_statuses, 4);
    for (size_t i = 0; i < 4; i++)
        ck_assert_int_eq(r->statuses[i].status->id, want[i]);
    biq_flow_aging *g = NULL;
    ck_assert_int_eq(biq_flow_wip_aging(f, a, &g), BIQ_OK);
    for (size_t i = 0; i < 4; i++)
        ck_assert_int_eq(g->rows[i].status->id, want[i]);
    /* The status table itself stays in id order. */
    for (size_t i = 1; i < biq_flow_status_count(f); i++)
        ck_assert_int_lt(biq_flow_status_at(f, i - 1)->id, biq_flow_status_at(f, i)->id);
    biq_arena_free(a);
}
END_TEST

/* Issue `id` sitting in `status` from its creation at T0 to now. */
static biq_issue sitting(int64_t id, const char *key, int64_t status)
{
    return issue(id, key, T0, status, NULL, 0);
}

static void expect_bands(const biq_flow_wip_stack *c, const int64_t *want, size_t n)
{
    ck_assert_uint_eq(c->n_bands, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(c->bands[i]->id == want[i], "band %zu: %lld, want %lld", i,
                      (long long)c->bands[i]->id, (long long)want[i]);
}

START_TEST(wip_stack_bands_in_project_order_whatever_their_size)
{
    biq_arena *a = biq_arena_new(4 << 20);
    /* One issue in each of Zeta (new), beta, Alpha, Alpha (two ids): four
     * bands of equal volume. Done is terminal: no band. */
    biq_issue is[] = {sitting(1, "A-1", S_BETA), sitting(2, "A-2", S_ALPHA2),
                      sitting(3, "A-3", S_ALPHA), sitting(4, "A-4", S_ZETA),
                      sitting(5, "A-5", S_DONE)};
    biq_flow_input in = {.issues = is, .n_issues = 5, .statuses = catalogue,
                         .n_statuses = N_CATALOGUE, .now = T0 + 10 * DAY};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    int64_t d0 = biq_civil_days(2018, 1, 1);
    biq_flow_wip_stack *c = NULL;
    ck_assert_int_eq(biq_flow_wip_stack_build(f, d0, d0 + 9, a, &c), BIQ_OK);
    const int64_t equal[] = {S_ZETA, S_ALPHA, S_ALPHA2, S_BETA};
    expect_bands(c, equal, 4);
    for (size_t d = 0; d < c->n_days; d++)
        for (size_t k = 0; k < c->n_bands; k++)
            ck_assert_uint_eq(c->counts[d * c->n_bands + k], 1);
    /* A second issue in beta makes its band the largest: the order stays
     * (issue #15: bands follow the project's order, no longer volume). */
    biq_issue more[6];
    memcpy(more, is, sizeof is);
    more[5] = sitting(6, "A-6", S_BETA);
    in.issues = more;
    in.n_issues = 6;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    ck_assert_int_eq(biq_flow_wip_stack_build(f, d0, d0 + 9, a, &c), BIQ_OK);
    const int64_t larger[] = {S_ZETA, S_ALPHA, S_ALPHA2, S_BETA};
    expect_bands(c, larger, 4);
    ck_assert_uint_eq(c->counts[3], 2);
    /* One move Alpha (4) -> Zeta: Alpha 4 must come before Zeta, and Alpha 3
     * (no move) keeps its base place before Alpha 4; Zeta then precedes beta
     * again by category. */
    biq_transition t[] = {tr(1, T0 + 9 * DAY + H, S_ALPHA2, S_ZETA)};
    more[1] = issue(2, "A-2", T0, S_ZETA, t, 1);
    more[5] = sitting(6, "A-6", S_DONE);
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    ck_assert_int_eq(biq_flow_wip_stack_build(f, d0, d0 + 9, a, &c), BIQ_OK);
    const int64_t by_one[] = {S_ALPHA, S_ALPHA2, S_ZETA, S_BETA};
    expect_bands(c, by_one, 4);
    biq_arena_free(a);
}
END_TEST

START_TEST(aging_rows_in_status_order_then_oldest_then_id)
{
    biq_arena *a = biq_arena_new(4 << 20);
    biq_issue is[] = {
        issue(7, "A-7", T0 + DAY, S_BETA, NULL, 0),
        issue(3, "A-3", T0, S_BETA, NULL, 0),
        issue(5, "A-5", T0, S_BETA, NULL, 0),
        issue(4, "A-4", T0 + 2 * DAY, S_ALPHA, NULL, 0),
        issue(6, "A-6", T0, S_ZETA, NULL, 0),
        issue(2, "A-2", T0, S_DONE, NULL, 0), /* done: not in flight */
        issue(1, "A-1", T0, S_ALPHA2, NULL, 0),
    };
    biq_flow_input in = {.issues = is, .n_issues = 7, .statuses = catalogue,
                         .n_statuses = N_CATALOGUE, .now = T0 + 10 * DAY};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    biq_flow_aging *g = NULL;
    /* None of them started: the backlog toggle shows them all. */
    ck_assert_int_eq(biq_flow_wip_aging_with(f, true, a, &g), BIQ_OK);
    const int64_t want[] = {6, 4, 1, 3, 5, 7};
    ck_assert_uint_eq(g->n_rows, 6);
    for (size_t i = 0; i < 6; i++)
        ck_assert_msg(g->rows[i].issue->issue->id == want[i], "row %zu: %lld, want %lld", i,
                      (long long)g->rows[i].issue->issue->id, (long long)want[i]);
    ck_assert_double_eq_tol(g->rows[5].days_since_created, 9.0, 1e-9);
    ck_assert_double_eq_tol(g->rows[3].days_since_created, 10.0, 1e-9);
    biq_arena_free(a);
}
END_TEST

START_TEST(aging_sizes_from_points_or_priority)
{
    static const struct {
        const char *priority;
        double size;
    } cases[] = {
        {"Highest", 5}, {"Blocker", 5}, {"High", 4},   {"Critical", 4}, {"Medium", 3},
        {"Low", 2},     {"Lowest", 1},  {"Trivial", 1}, {"highest", 5},  {"LOW", 2},
        {"Urgent", 3},  {NULL, 3},      {"", 3},        {"Highest ", 3}, {"High", 4},
    };
    enum { N = sizeof cases / sizeof cases[0] };
    biq_arena *a = biq_arena_new(4 << 20);
    biq_issue is[N + 2];
    for (size_t i = 0; i < N; i++) {
        is[i] = issue((int64_t)i + 1, "A-x", T0, S_BETA, NULL, 0);
        is[i].priority = cases[i].priority;
    }
    /* Story points win over the priority, zero included. */
    is[N] = issue(N + 1, "A-p", T0, S_BETA, NULL, 0);
    is[N].priority = "Highest";
    is[N].has_story_points = true;
    is[N].story_points = 8;
    is[N + 1] = issue(N + 2, "A-z", T0, S_BETA, NULL, 0);
    is[N + 1].priority = "Highest";
    is[N + 1].has_story_points = true;
    is[N + 1].story_points = 0;
    biq_flow_input in = {.issues = is, .n_issues = N + 2, .statuses = catalogue,
                         .n_statuses = N_CATALOGUE, .now = T0 + 10 * DAY};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    biq_flow_aging *g = NULL;
    ck_assert_int_eq(biq_flow_wip_aging(f, a, &g), BIQ_OK);
    ck_assert_uint_eq(g->n_rows, N + 2);
    /* All the same age and status: id order. */
    for (size_t i = 0; i < N; i++) {
        ck_assert_int_eq(g->rows[i].issue->issue->id, (int64_t)i + 1);
        ck_assert_msg(g->rows[i].size == cases[i].size, "%s: size %g, want %g",
                      cases[i].priority ? cases[i].priority : "(none)", g->rows[i].size,
                      cases[i].size);
    }
    ck_assert_double_eq(g->rows[N].size, 8);
    ck_assert_double_eq(g->rows[N + 1].size, 0);
    biq_arena_free(a);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("flow_order");
    TCase *tc = tcase_create("order");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, bottleneck_ties_by_name_then_case_then_id);
    tcase_add_test(tc, bottleneck_higher_score_beats_name);
    tcase_add_test(tc, status_rows_in_the_order_the_transitions_give);
    tcase_add_test(tc, status_rows_by_name_before_id);
    tcase_add_test(tc, wip_stack_bands_in_project_order_whatever_their_size);
    tcase_add_test(tc, aging_rows_in_status_order_then_oldest_then_id);
    tcase_add_test(tc, aging_sizes_from_points_or_priority);
    suite_add_tcase(s, tc);
    return s;
}
