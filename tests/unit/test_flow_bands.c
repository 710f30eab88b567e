/* test_flow_bands.c - aging bands per status, pace and SLEs, hand-computed:
 * type 7 percentiles with ties at band edges, a band of one item, an empty
 * band, the basis window's edges, pace counting an equal cycle time, "at
 * risk" strictly above the percent or over the days, per-type SLEs, the
 * sle_at_risk alert over work in flight only; and two properties on
 * generated flows (bands ordered, pace monotone in age). */
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "flow/alerts.h"
#include "flow/charts_json.h"
#include "flow/flow.h"
#include "testsupport.h"
#include "tz/civil.h"

#define DAY BIQ_MS_PER_DAY
#define T0 (INT64_C(1514764800000)) /* 2018-01-01T00:00:00Z */
#define NOW (T0 + 100 * DAY)
#define TOL 1e-3 /* ms: interpolation in doubles */

enum { BACKLOG = 1, PROG = 2, QA = 3, REVIEW = 4, DONE = 5, BUILD = 7 };

static const biq_status catalogue[] = {
    {BACKLOG, "Backlog", BIQ_CAT_NEW}, {PROG, "In Progress", BIQ_CAT_ACTIVE},
    {QA, "QA", BIQ_CAT_ACTIVE},        {REVIEW, "Review", BIQ_CAT_ACTIVE},
    {DONE, "Done", BIQ_CAT_DONE},      {BUILD, "Build", BIQ_CAT_ACTIVE},
};

enum { MAX_ITEMS = 16, MAX_MOVES = 6 };

typedef struct world {
    biq_transition t[MAX_ITEMS][MAX_MOVES];
    biq_issue is[MAX_ITEMS];
    size_t n;
} world;

/* An issue created at T0 moving through (day offset, status) pairs; the
 * instants are T0 + at[i] ms. */
static void add(world *w, const char *key, const char *type, const biq_ms *at,
                const int64_t *to, size_t n)
{
    size_t k = w->n++;
    int64_t from = BACKLOG;
    for (size_t i = 0; i < n; i++) {
        w->t[k][i] = (biq_transition){.history_id = (int64_t)(k * MAX_MOVES + i + 1),
                                      .at = T0 + at[i], .from_status = from, .to_status = to[i]};
        from = to[i];
    }
    w->is[k] = (biq_issue){.id = (int64_t)k + 1, .key = key, .issue_type = type,
                           .status_id = from, .created = T0, .updated = T0,
                           .transitions = w->t[k], .n_transitions = n, .changelog_total = -1};
}

#define ADD(w, key, type, ...)                                                             \
    do {                                                                                   \
        static const struct { biq_ms at; int64_t to; } m_[] = {__VA_ARGS__};                \
        biq_ms at_[MAX_MOVES];                                                             \
        int64_t to_[MAX_MOVES];                                                            \
        size_t n_ = sizeof m_ / sizeof m_[0];                                              \
        for (size_t i_ = 0; i_ < n_; i_++) {                                               \
            at_[i_] = m_[i_].at;                                                           \
            to_[i_] = m_[i_].to;                                                           \
        }                                                                                  \
        add(w, key, type, at_, to_, n_);                                                   \
    } while (0)

/* Finished (basis: done in (T0+10d, T0+100d]):
 *   F-1 start 20, QA 22, done 24          cycle 4  IP exit 2  QA exit 4
 *   F-2 start 30, QA 31, done 36          cycle 6  IP 1       QA 6
 *   F-3 start 40, Review 42, QA 43, done 48  cycle 8  IP 2  Review 3  QA 8
 *   F-4 start 50, QA 52, IP 53, QA 54, done 60  cycle 10  IP (last exit) 4  QA 10
 *   F-6 start 96, done 100 (= now: in)    cycle 4  IP 4
 *   F-5 start 5, done 10 (= the basis's start: out)
 *   F-7 Backlog -> Done (never started: no cycle time)
 * In progress at day 100 (age since started):
 *   W-1 IP 4 d, W-2 IP 4 d - 1 ms, W-3 QA 9 d, W-4 QA 11 d, W-7 Build 10 d,
 *   W-6 Bug 6 d, W-8 Bug 5 d + 1 ms; W-5 in Backlog, never started. */
static biq_flow *build_with(world *w, biq_arena *a, const biq_flow_settings *cfg)
{
    w->n = 0;
    ADD(w, "F-1", "Story", {20 * DAY, PROG}, {22 * DAY, QA}, {24 * DAY, DONE});
    ADD(w, "F-2", "Story", {30 * DAY, PROG}, {31 * DAY, QA}, {36 * DAY, DONE});
    ADD(w, "F-3", "Story", {40 * DAY, PROG}, {42 * DAY, REVIEW}, {43 * DAY, QA},
        {48 * DAY, DONE});
    ADD(w, "F-4", "Story", {50 * DAY, PROG}, {52 * DAY, QA}, {53 * DAY, PROG}, {54 * DAY, QA},
        {60 * DAY, DONE});
    ADD(w, "F-5", "Story", {5 * DAY, PROG}, {10 * DAY, DONE});
    ADD(w, "F-6", "Story", {96 * DAY, PROG}, {100 * DAY, DONE});
    ADD(w, "F-7", "Story", {50 * DAY, DONE});
    ADD(w, "W-1", "Story", {96 * DAY, PROG});
    ADD(w, "W-2", "Story", {96 * DAY + 1, PROG});
    ADD(w, "W-3", "Story", {91 * DAY, PROG}, {95 * DAY, QA});
    ADD(w, "W-4", "Story", {89 * DAY, QA});
    ADD(w, "W-5", "Story", {0, BACKLOG});
    ADD(w, "W-6", "Bug", {94 * DAY, PROG});
    ADD(w, "W-7", "Story", {90 * DAY, BUILD});
    ADD(w, "W-8", "Bug", {95 * DAY - 1, PROG});
    w->is[11].n_transitions = 0; /* W-5: created into Backlog */
    biq_flow_input in = {.issues = w->is, .n_issues = w->n, .statuses = catalogue,
                         .n_statuses = sizeof catalogue / sizeof catalogue[0],
                         .settings = cfg, .now = NOW};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    return f;
}

static biq_flow *build(world *w, biq_arena *a)
{
    return build_with(w, a, NULL);
}

static void assert_band(const biq_flow_band *b, uint32_t n, double p50, double p70, double p85,
                        double p95)
{
    ck_assert_uint_eq(b->n, n);
    ck_assert_double_eq_tol(b->p_ms[0], p50 * DAY, TOL);
    ck_assert_double_eq_tol(b->p_ms[1], p70 * DAY, TOL);
    ck_assert_double_eq_tol(b->p_ms[2], p85 * DAY, TOL);
    ck_assert_double_eq_tol(b->p_ms[3], p95 * DAY, TOL);
}

START_TEST(bands_hand_computed)
{
    biq_arena *a = biq_arena_new(1 << 22);
    world w;
    biq_flow *f = build(&w, a);
    biq_flow_bands *b = NULL;
    ck_assert_int_eq(biq_flow_bands_build(f, 0, a, &b), BIQ_OK);
    ck_assert_int_eq(b->basis_days, BIQ_FLOW_BANDS_BASIS_DEFAULT_DAYS);
    ck_assert_int_eq(b->basis_from, T0 + 10 * DAY);
    ck_assert_int_eq(b->basis_to, NOW);
    /* Span: cycle times {4, 4, 6, 8, 10}; rank p * 4: P50 = 6, P70 rank
     * 2.8 = 6 + 0.8 * 2, P85 rank 3.4 = 8 + 0.4 * 2, P95 rank 3.8. F-5
     * (done at the basis's start) and F-7 (never started) are out, F-6
     * (done at now) in. */
    assert_band(&b->span, 5, 6.0, 7.6, 8.8, 9.6);
    /* Active statuses in the project's status order (no board: inferred
     * from the moves; Build and In Progress follow only Backlog, the tie in
     * the base order by name; Review before QA as F-3 walked them). */
    ck_assert_uint_eq(b->n_statuses, 4);
    ck_assert_str_eq(b->statuses[0].status->name, "Build");
    ck_assert_str_eq(b->statuses[1].status->name, "In Progress");
    ck_assert_str_eq(b->statuses[2].status->name, "Review");
    ck_assert_str_eq(b->statuses[3].status->name, "QA");
    /* Build: only work in progress, no finished item left it. */
    assert_band(&b->statuses[0], 0, 0, 0, 0, 0);
    /* In Progress exits {1, 2, 2, 4, 4} (F-4's last exit, at day 54): P50
     * rank 2 = 2, P70 rank 2.8 = 2 + 0.8 * 2, P85 and P95 tie at 4. */
    assert_band(&b->statuses[1], 5, 2.0, 3.6, 4.0, 4.0);
    /* Review: one item, every percentile its value. */
    assert_band(&b->statuses[2], 1, 3.0, 3.0, 3.0, 3.0);
    /* QA exits {4, 6, 8, 10}: rank p * 3. */
    assert_band(&b->statuses[3], 4, 7.0, 8.2, 9.1, 9.7);
    /* Suggestion: P85 8.8 d rounded up. */
    ck_assert(b->has_suggestion);
    ck_assert_int_eq(b->suggestion.percent, 85);
    ck_assert_int_eq(b->suggestion.days, 9);
    biq_arena_free(a);
}
END_TEST

START_TEST(basis_window_edges)
{
    biq_arena *a = biq_arena_new(1 << 22);
    world w;
    biq_flow *f = build(&w, a);
    biq_flow_bands *b = NULL;
    /* 4 days: (T0+96d, T0+100d] holds F-6 only (done at now). */
    ck_assert_int_eq(biq_flow_bands_build(f, 4, a, &b), BIQ_OK);
    assert_band(&b->span, 1, 4.0, 4.0, 4.0, 4.0);
    ck_assert_int_eq(b->suggestion.days, 4);
    /* 40 days: (T0+60d, ..]: F-4, done exactly at T0+60d, is out. */
    ck_assert_int_eq(biq_flow_bands_build(f, 40, a, &b), BIQ_OK);
    ck_assert_uint_eq(b->span.n, 1);
    ck_assert_int_eq(biq_flow_bands_build(f, 41, a, &b), BIQ_OK);
    ck_assert_uint_eq(b->span.n, 2);
    /* 91 days reach F-5 (done at T0+10d, now in). */
    ck_assert_int_eq(biq_flow_bands_build(f, 91, a, &b), BIQ_OK);
    ck_assert_uint_eq(b->span.n, 6);
    /* The basis's range: 1..BIQ_FLOW_BANDS_MAX_BASIS_DAYS. */
    ck_assert_int_eq(biq_flow_bands_build(f, BIQ_FLOW_BANDS_MAX_BASIS_DAYS, a, &b), BIQ_OK);
    ck_assert_int_eq(biq_flow_bands_build(f, BIQ_FLOW_BANDS_MAX_BASIS_DAYS + 1, a, &b),
                     BIQ_ERR_INVALID);
    ck_assert_int_eq(biq_flow_bands_build(f, -1, a, &b), BIQ_ERR_INVALID);
    biq_arena_free(a);
}
END_TEST

static const biq_flow_pace *pace_of(const biq_flow_pace *rows, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(rows[i].issue->issue->key, key) == 0)
            return &rows[i];
    return NULL;
}

START_TEST(pace_and_risk)
{
    biq_arena *a = biq_arena_new(1 << 22);
    world w;
    biq_flow *f = build(&w, a);
    biq_flow_bands *b = NULL;
    ck_assert_int_eq(biq_flow_bands_build(f, 0, a, &b), BIQ_OK);
    static const biq_flow_sle_type bug = {"bug", {50, 5}};
    biq_flow_sle_set sles = {.has_project = true, .project = {80, 10}, .types = &bug,
                             .n_types = 1};
    ck_assert_int_eq(biq_flow_sle_set_validate(&sles), BIQ_OK);
    biq_flow_pace *rows = NULL;
    size_t n = 0;
    ck_assert_int_eq(biq_flow_paces(f, b, &sles, a, &rows, &n), BIQ_OK);
    /* Started, not done: W-1..W-4, W-6..W-8 (not W-5, never started). */
    ck_assert_uint_eq(n, 7);
    ck_assert_ptr_null(pace_of(rows, n, "W-5"));
    ck_assert_ptr_null(pace_of(rows, n, "F-6"));
    /* Cycle times {4, 4, 6, 8, 10}. W-1 is 4 d old: both 4s count (<=). */
    const biq_flow_pace *p = pace_of(rows, n, "W-1");
    ck_assert_int_eq(p->age_ms, 4 * DAY);
    ck_assert_uint_eq(p->at_or_below, 2);
    ck_assert_double_eq(p->pace, 0.4);
    ck_assert(!p->at_risk);
    p = pace_of(rows, n, "W-2"); /* a millisecond younger: none */
    ck_assert_uint_eq(p->at_or_below, 0);
    ck_assert(p->has_pace);
    ck_assert_double_eq(p->pace, 0.0);
    /* W-3, 9 d: 4 of 5 = 80%, equal to the SLE's 80: not strictly above. */
    p = pace_of(rows, n, "W-3");
    ck_assert_uint_eq(p->at_or_below, 4);
    ck_assert(!p->beyond_percent && !p->over_days && !p->at_risk);
    ck_assert_int_eq(p->sle->percent, 80);
    /* W-7, 10 d: 5 of 5 (the 10 counts) beyond 80%, but not over 10 days. */
    p = pace_of(rows, n, "W-7");
    ck_assert_uint_eq(p->at_or_below, 5);
    ck_assert(p->beyond_percent && !p->over_days && p->at_risk);
    /* W-4, 11 d: both. */
    p = pace_of(rows, n, "W-4");
    ck_assert(p->beyond_percent && p->over_days && p->at_risk);
    ck_assert_double_eq(p->pace, 1.0);
    /* Bugs under their own SLE (50% within 5 d; the type matched without
     * case). W-6, 6 d: 3 of 5 = 60% > 50%, and over 5 d. */
    p = pace_of(rows, n, "W-6");
    ck_assert_int_eq(p->sle->percent, 50);
    ck_assert(p->beyond_percent && p->over_days);
    /* W-8, 5 d + 1 ms: 2 of 5 = 40%, but over its 5 days (the project's
     * 80%/10 d would not flag it). */
    p = pace_of(rows, n, "W-8");
    ck_assert_uint_eq(p->at_or_below, 2);
    ck_assert(!p->beyond_percent && p->over_days && p->at_risk);
    /* No SLE: pace, never at risk. */
    ck_assert_int_eq(biq_flow_paces(f, b, NULL, a, &rows, &n), BIQ_OK);
    p = pace_of(rows, n, "W-4");
    ck_assert_ptr_null(p->sle);
    ck_assert(p->has_pace && !p->at_risk);
    biq_arena_free(a);
}
END_TEST

START_TEST(sle_validation)
{
    biq_flow_sle_type types[2] = {{"Bug", {50, 1}}, {"Story", {99, 365}}};
    biq_flow_sle_set s = {.has_project = true, .project = {50, 1}, .types = types, .n_types = 2};
    ck_assert_int_eq(biq_flow_sle_set_validate(&s), BIQ_OK);
    s.project.percent = 49;
    ck_assert_int_eq(biq_flow_sle_set_validate(&s), BIQ_ERR_INVALID);
    s.has_project = false; /* an unset project SLE is not checked */
    ck_assert_int_eq(biq_flow_sle_set_validate(&s), BIQ_OK);
    s.has_project = true;
    s.project = (biq_flow_sle){100, 1};
    ck_assert_int_eq(biq_flow_sle_set_validate(&s), BIQ_ERR_INVALID);
    s.project = (biq_flow_sle){99, 0};
    ck_assert_int_eq(biq_flow_sle_set_validate(&s), BIQ_ERR_INVALID);
    s.project = (biq_flow_sle){99, 366};
    ck_assert_int_eq(biq_flow_sle_set_validate(&s), BIQ_ERR_INVALID);
    s.project = (biq_flow_sle){99, 365};
    types[1].sle.days = 366;
    ck_assert_int_eq(biq_flow_sle_set_validate(&s), BIQ_ERR_INVALID);
    types[1] = (biq_flow_sle_type){"BUG", {60, 2}}; /* a type twice, any case */
    ck_assert_int_eq(biq_flow_sle_set_validate(&s), BIQ_ERR_INVALID);
    types[1].issue_type = NULL;
    ck_assert_int_eq(biq_flow_sle_set_validate(&s), BIQ_ERR_INVALID);
    types[1].issue_type = "Task";
    ck_assert_int_eq(biq_flow_sle_set_validate(&s), BIQ_OK);
    ck_assert_int_eq(biq_flow_sle_for(&s, "task")->percent, 60);
    ck_assert_int_eq(biq_flow_sle_for(&s, "Epic")->percent, 99);
    ck_assert_ptr_null(biq_flow_sle_for(NULL, "Epic"));
    s.has_project = false;
    ck_assert_ptr_null(biq_flow_sle_for(&s, "Epic"));
}
END_TEST

START_TEST(sle_alert_work_in_flight_only)
{
    biq_arena *a = biq_arena_new(1 << 22);
    world w;
    biq_flow_sle_set sles = {.has_project = true, .project = {80, 10}};
    biq_flow_settings cfg;
    biq_flow_settings_init(&cfg);
    cfg.sle = &sles;
    biq_flow *f = build_with(&w, a, &cfg);
    ck_assert_ptr_eq(biq_flow_sles(f), &sles);
    biq_alert_rule r = {.rule_id = 9, .kind = BIQ_ALERT_SLE_AT_RISK};
    biq_alert_hit *h = NULL;
    size_t n = 0;
    ck_assert_int_eq(biq_flow_alerts_evaluate(f, &r, 1, a, &h, &n), BIQ_OK);
    /* At risk under 80%/10 d: W-4 (11 d), W-7 (5 of 5); W-3 ties at 80%.
     * Never the finished F-6 or the unstarted W-5. Issue id order. */
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(h[0].issue->issue->key, "W-4");
    ck_assert_str_eq(h[1].issue->issue->key, "W-7");
    ck_assert_int_eq(h[0].value_ms, 11 * DAY);
    ck_assert_double_eq(h[0].pace, 1.0);
    ck_assert_int_eq(h[0].sle->days, 10);
    ck_assert_int_eq(h[0].status->id, QA);
    ck_assert_int_eq(h[0].utc_day, biq_civil_days(2018, 4, 11));
    ck_assert_str_eq(biq_alert_kind_name(BIQ_ALERT_SLE_AT_RISK), "sle_at_risk");
    /* Without SLEs nobody is at risk. */
    world w2;
    biq_flow *g = build_with(&w2, a, NULL);
    ck_assert_ptr_null(biq_flow_sles(g));
    ck_assert_int_eq(biq_flow_alerts_evaluate(g, &r, 1, a, &h, &n), BIQ_OK);
    ck_assert_uint_eq(n, 0);
    /* A bad SLE is refused with the settings. */
    sles.project.days = 0;
    biq_flow_input in = {.issues = w.is, .n_issues = w.n, .statuses = catalogue,
                         .n_statuses = sizeof catalogue / sizeof catalogue[0],
                         .settings = &cfg, .now = NOW};
    ck_assert_int_eq(biq_flow_new(&in, a, &g), BIQ_ERR_INVALID);
    biq_arena_free(a);
}
END_TEST

/* The chart's JSON: each row's pace and atRisk, the bands, the SLE with the
 * suggestion, the items at risk with their status; and the aging table's
 * lines, byte for byte. */
START_TEST(chart_json_and_csv)
{
    biq_arena *a = biq_arena_new(1 << 22);
    world w;
    static const biq_flow_sle_type bug = {"Bug", {50, 5}};
    biq_flow_sle_set sles = {.has_project = true, .project = {80, 10}, .types = &bug,
                             .n_types = 1};
    biq_flow_settings cfg;
    biq_flow_settings_init(&cfg);
    cfg.sle = &sles;
    biq_flow *f = build_with(&w, a, &cfg);
    biq_flow_aging *g = NULL;
    biq_flow_bands *b = NULL;
    ck_assert_int_eq(biq_flow_wip_aging(f, a, &g), BIQ_OK);
    ck_assert_int_eq(biq_flow_bands_build(f, 0, a, &b), BIQ_OK);
    json_t *chart = biq_flow_aging_json(f, g);
    ck_assert_int_eq(biq_flow_aging_add_bands(chart, f, g, b, a), BIQ_OK);
    const json_t *items = json_object_get(chart, "items");
    for (size_t i = 0; i < json_array_size(items); i++) {
        const json_t *it = json_array_get(items, i);
        const char *key = json_string_value(json_object_get(it, "key"));
        bool risky = strcmp(key, "W-4") == 0 || strcmp(key, "W-7") == 0 ||
                     strcmp(key, "W-6") == 0 || strcmp(key, "W-8") == 0;
        ck_assert_msg(json_is_true(json_object_get(it, "atRisk")) == risky, "%s", key);
        if (strcmp(key, "W-1") == 0)
            ck_assert_double_eq(json_real_value(json_object_get(it, "pace")), 0.4);
    }
    const json_t *risk = json_object_get(chart, "atRisk");
    ck_assert_uint_eq(json_array_size(risk), 4); /* W-4, W-6, W-7, W-8 by issue id */
    const json_t *w4 = json_array_get(risk, 0);
    ck_assert_str_eq(json_string_value(json_object_get(w4, "key")), "W-4");
    ck_assert_str_eq(json_string_value(json_object_get(w4, "status")), "QA");
    ck_assert_str_eq(json_string_value(json_object_get(w4, "statusId")), "3");
    ck_assert_double_eq(json_real_value(json_object_get(w4, "ageDays")), 11.0);
    ck_assert(json_is_true(json_object_get(w4, "beyondPercentile")));
    ck_assert(json_is_true(json_object_get(w4, "overDays")));
    const json_t *w8 = json_array_get(risk, 3);
    ck_assert_str_eq(json_string_value(json_object_get(w8, "key")), "W-8");
    ck_assert(json_is_false(json_object_get(w8, "beyondPercentile")));
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(w8, "sle"), "days")), 5);
    const json_t *bands = json_object_get(chart, "bands");
    ck_assert_int_eq(json_integer_value(json_object_get(bands, "basisDays")), 90);
    const json_t *build_band = json_array_get(json_object_get(bands, "statuses"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(build_band, "status")), "Build");
    ck_assert(json_is_null(json_object_get(build_band, "p50Days"))); /* n 0 */
    const json_t *span = json_object_get(bands, "inProgress");
    ck_assert_ptr_null(json_object_get(span, "status"));
    ck_assert_double_eq_tol(json_real_value(json_object_get(span, "p85Days")), 8.8, 1e-12);
    const json_t *sle = json_object_get(chart, "sle");
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(sle, "setting"), "percentile")), 80);
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_array_get(json_object_get(sle, "byIssueType"), 0), "issueType")),
                     "Bug");
    const json_t *sug = json_object_get(sle, "suggestion");
    ck_assert_int_eq(json_integer_value(json_object_get(sug, "days")), 9);
    ck_assert_int_eq(json_integer_value(json_object_get(sug, "n")), 5);
    /* Items that are not the aging rows' are refused. */
    json_array_clear(json_object_get(chart, "items"));
    ck_assert_int_eq(biq_flow_aging_add_bands(chart, f, g, b, a), BIQ_ERR_INVALID);
    json_decref(chart);

    /* analyze's object: every item in progress, the ones at risk apart. */
    json_t *all = biq_flow_paces_json(f, b, a);
    ck_assert_uint_eq(json_array_size(json_object_get(all, "items")), 7);
    ck_assert_uint_eq(json_array_size(json_object_get(all, "atRisk")), 4);
    json_decref(all);

    char line[BIQ_FLOW_CSV_LINE_MAX];
    size_t len = 0;
    biq_flow_pace *rows = NULL;
    size_t n = 0;
    ck_assert_int_eq(biq_flow_aging_csv_header(line, sizeof line, &len), BIQ_OK);
    ck_assert_uint_eq(len, strlen(line));
    ck_assert_str_eq(line, "issue_key,status,issue_type,started,age_days,pace,at_risk,"
                           "sle_percentile,sle_days\r\n");
    ck_assert_int_eq(biq_flow_aging_csv_header(line, 10, &len), BIQ_ERR_TOO_LARGE);
    ck_assert_int_eq(biq_flow_paces(f, b, biq_flow_sles(f), a, &rows, &n), BIQ_OK);
    ck_assert_int_eq(biq_flow_aging_csv_format(f, pace_of(rows, n, "W-8"), line, sizeof line, &len),
                     BIQ_OK);
    ck_assert_uint_eq(len, strlen(line));
    ck_assert_str_eq(line, "W-8,In Progress,Bug,2018-04-05T23:59:59.999Z,5.000,0.4000,true,50,5\r\n");
    ck_assert_int_eq(biq_flow_paces(f, b, NULL, a, &rows, &n), BIQ_OK);
    ck_assert_int_eq(biq_flow_aging_csv_format(f, pace_of(rows, n, "W-1"), line, sizeof line, &len),
                     BIQ_OK);
    ck_assert_uint_eq(len, strlen(line));
    ck_assert_str_eq(line, "W-1,In Progress,Story,2018-04-07T00:00:00.000Z,4.000,0.4000,false,,\r\n");
    ck_assert_int_eq(biq_flow_aging_csv_format(f, pace_of(rows, n, "W-1"), line, 20, &len),
                     BIQ_ERR_TOO_LARGE);
    biq_arena_free(a);
}
END_TEST

/* ------------------------------------------------------------ properties */

static uint64_t next(uint64_t *s)
{
    *s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return *s >> 33;
}

enum { GEN_ISSUES = 400, GEN_ROUNDS = 20 };

START_TEST(properties_on_generated_flows)
{
    static biq_transition t[GEN_ISSUES][3];
    static biq_issue is[GEN_ISSUES];
    uint64_t seed = 42;
    for (int round = 0; round < GEN_ROUNDS; round++) {
        biq_arena *a = biq_arena_new(1 << 24);
        for (size_t i = 0; i < GEN_ISSUES; i++) {
            biq_ms start = T0 + (biq_ms)(next(&seed) % (99 * (uint64_t)DAY));
            biq_ms qa = start + (biq_ms)(next(&seed) % (5 * (uint64_t)DAY));
            biq_ms done = qa + (biq_ms)(next(&seed) % (20 * (uint64_t)DAY));
            size_t moves = 1 + next(&seed) % 3; /* in progress, in QA, or done */
            t[i][0] = (biq_transition){.history_id = (int64_t)i * 3 + 1, .at = start, .from_status = BACKLOG, .to_status = PROG};
            t[i][1] = (biq_transition){.history_id = (int64_t)i * 3 + 2, .at = qa, .from_status = PROG, .to_status = QA};
            t[i][2] = (biq_transition){.history_id = (int64_t)i * 3 + 3, .at = done, .from_status = QA, .to_status = DONE};
            while (moves > 0 && t[i][moves - 1].at > NOW)
                moves--;
            is[i] = (biq_issue){.id = (int64_t)i + 1, .key = "G", .issue_type = "Story",
                                .status_id = moves ? t[i][moves - 1].to_status : BACKLOG,
                                .created = T0, .updated = T0, .transitions = t[i],
                                .n_transitions = moves, .changelog_total = -1};
        }
        biq_flow_input in = {.issues = is, .n_issues = GEN_ISSUES, .statuses = catalogue,
                             .n_statuses = sizeof catalogue / sizeof catalogue[0], .now = NOW};
        biq_flow *f = NULL;
        biq_flow_bands *b = NULL;
        biq_flow_pace *rows = NULL;
        size_t n = 0;
        ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
        ck_assert_int_eq(biq_flow_bands_build(f, (int32_t)(1 + next(&seed) % 365), a, &b), BIQ_OK);
        for (size_t k = 0; k <= b->n_statuses; k++) {
            const biq_flow_band *band = k < b->n_statuses ? &b->statuses[k] : &b->span;
            for (size_t p = 1; p < BIQ_FLOW_BAND_N_PERCENTILES; p++)
                ck_assert(band->p_ms[p - 1] <= band->p_ms[p]);
        }
        ck_assert_int_eq(biq_flow_paces(f, b, NULL, a, &rows, &n), BIQ_OK);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                if (rows[i].age_ms <= rows[j].age_ms)
                    ck_assert(rows[i].pace <= rows[j].pace);
        biq_arena_free(a);
    }
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("flow_bands");
    TCase *tc = tcase_create("bands");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, bands_hand_computed);
    tcase_add_test(tc, basis_window_edges);
    tcase_add_test(tc, pace_and_risk);
    tcase_add_test(tc, sle_validation);
    tcase_add_test(tc, sle_alert_work_in_flight_only);
    tcase_add_test(tc, chart_json_and_csv);
    tcase_add_test(tc, properties_on_generated_flows);
    suite_add_tcase(s, tc);
    return s;
}
