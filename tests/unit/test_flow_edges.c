/* test_flow_edges.c - flow-core edges found by `make mutate` (issue 22):
 * which duplicate of an issue is kept, the WIP-aging reference line at its
 * edges, zero ages in the charts' JSON, rounding limits, percentiles outside
 * [0, 1], window texts with leading zeros, a WIP breach measured from an
 * entry exactly at the period's start, CSV lines that exactly fit, and the
 * JSON for the issue panel and the dashboard. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "flow/alerts.h"
#include "flow/charts_json.h"
#include "flow/dashboard_json.h"
#include "flow/flow.h"
#include "sched_oracle.h"
#include "testsupport.h"
#include "tz/civil.h"

#define H BIQ_MS_PER_HOUR
#define DAY BIQ_MS_PER_DAY
#define T0 (INT64_C(1514764800000)) /* 2018-01-01T00:00:00Z */

enum { TODO = 1, PROG = 2, QA = 3, DONE = 5 };

static const biq_status catalogue[] = {
    {TODO, "To Do", BIQ_CAT_NEW},
    {PROG, "In Progress", BIQ_CAT_ACTIVE},
    {QA, "QA", BIQ_CAT_ACTIVE},
    {DONE, "Done", BIQ_CAT_DONE},
};
#define N_CATALOGUE (sizeof catalogue / sizeof catalogue[0])

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

static biq_flow *flow_of(biq_arena *a, const biq_issue *is, size_t n, biq_ms now,
                         const biq_flow_settings *s)
{
    biq_flow_input in = {.issues = is, .n_issues = n, .statuses = catalogue,
                         .n_statuses = N_CATALOGUE, .settings = s, .now = now};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    return f;
}

/* ------------------------------------------------------------ duplicates */

START_TEST(duplicate_kept_is_the_latest_updated_even_with_less_history)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_transition t2[] = {tr(1, T0 + DAY, TODO, PROG), tr(2, T0 + 2 * DAY, PROG, QA)};
    biq_transition t1[] = {tr(1, T0 + DAY, TODO, PROG)};
    biq_issue is[] = {issue(7, "A-7", T0, QA, t2, 2), issue(7, "A-7", T0, PROG, t1, 1)};
    is[0].updated = T0 + 2 * DAY;
    is[1].updated = T0 + 3 * DAY; /* later, with one transition less */
    for (int order = 0; order < 2; order++) {
        biq_issue v[2] = {is[order], is[1 - order]};
        biq_flow *f = flow_of(a, v, 2, T0 + 5 * DAY, NULL);
        ck_assert_uint_eq(biq_flow_issue_count(f), 1);
        ck_assert_int_eq(biq_flow_issue_at(f, 0)->issue->updated, T0 + 3 * DAY);
        ck_assert_uint_eq(biq_flow_issue_at(f, 0)->n_slices, 2);
    }
    /* Same `updated`: the richer history is kept. */
    is[1].updated = is[0].updated;
    for (int order = 0; order < 2; order++) {
        biq_issue v[2] = {is[order], is[1 - order]};
        biq_flow *f = flow_of(a, v, 2, T0 + 5 * DAY, NULL);
        ck_assert_uint_eq(biq_flow_issue_at(f, 0)->n_slices, 3);
    }
    biq_arena_free(a);
}
END_TEST

/* ------------------------------------------------------------- aging */

START_TEST(aging_reference_line_edges)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_ms now = T0 + 100 * DAY;
    /* Done exactly at now, lead 10 days: in the reference. */
    biq_transition td[] = {tr(1, now, TODO, DONE)};
    /* In flight for exactly 10 days: not past the line; 10 days + 1 ms: past. */
    biq_issue is[] = {
        issue(1, "A-1", now - 10 * DAY, DONE, td, 1),
        issue(2, "A-2", now - 10 * DAY, PROG, NULL, 0),
        issue(3, "A-3", now - 10 * DAY - 1, PROG, NULL, 0),
    };
    biq_flow *f = flow_of(a, is, 3, now, NULL);
    biq_flow_aging *g = NULL;
    ck_assert_int_eq(biq_flow_wip_aging(f, a, &g), BIQ_OK);
    ck_assert_uint_eq(g->reference_n, 1);
    ck_assert_double_eq_tol(g->reference_p95_days, 10.0, 1e-12);
    ck_assert_uint_eq(g->n_rows, 2);
    ck_assert_int_eq(g->rows[0].issue->issue->id, 3); /* oldest first */
    ck_assert(g->rows[0].past_reference);
    ck_assert(!g->rows[1].past_reference);
    /* Done exactly 90 days before now: outside the reference window. */
    td[0].at = now - 90 * DAY;
    is[0].created = now - 100 * DAY;
    f = flow_of(a, is, 3, now, NULL);
    ck_assert_int_eq(biq_flow_wip_aging(f, a, &g), BIQ_OK);
    ck_assert_uint_eq(g->reference_n, 0);
    ck_assert(!g->rows[0].past_reference && !g->rows[1].past_reference);
    td[0].at = now - 90 * DAY + 1;
    f = flow_of(a, is, 3, now, NULL);
    ck_assert_int_eq(biq_flow_wip_aging(f, a, &g), BIQ_OK);
    ck_assert_uint_eq(g->reference_n, 1);
    biq_arena_free(a);
}
END_TEST

/* An issue that entered its status and started exactly at now: ages of 0,
 * written as 0 (not null, which means "never started"). */
START_TEST(zero_ages_are_numbers_in_json)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_ms now = T0 + 10 * DAY;
    biq_transition t[] = {tr(1, now, TODO, PROG)};
    biq_issue is[] = {issue(1, "A-1", now, PROG, t, 1), issue(2, "A-2", T0, TODO, NULL, 0)};
    biq_flow *f = flow_of(a, is, 2, now, NULL);
    biq_flow_aging *g = NULL;
    /* A-2 never started: shown with the backlog toggle. */
    ck_assert_int_eq(biq_flow_wip_aging_with(f, true, a, &g), BIQ_OK);
    json_t *j = biq_flow_aging_json(f, g);
    ck_assert_ptr_nonnull(j);
    char *s = biq_flow_json_dumps(j);
    ck_assert_ptr_nonnull(strstr(s, "\"daysInStatus\":0.0,\"daysSinceCreated\":0.0,"
                                    "\"daysSinceStarted\":0.0,"));
    ck_assert_ptr_nonnull(strstr(s, "\"daysSinceCreated\":10.0,\"daysSinceStarted\":null,"));
    free(s);
    json_decref(j);
    biq_arena_free(a);
}
END_TEST

/* -------------------------------------------------------- numbers, texts */

START_TEST(rounding_decimals_clamped)
{
    /* Every number of decimals, 0 to 6. */
    const double want[] = {1.0, 1.2, 1.23, 1.235, 1.2346, 1.23457, 1.234568};
    for (int d = 0; d <= 6; d++)
        ck_assert_msg(biq_flow_round(1.23456789, d) == want[d], "%d: %.9g", d,
                      biq_flow_round(1.23456789, d));
    ck_assert_double_eq(biq_flow_round(-2.5, 0), -3.0);
    ck_assert_double_eq(biq_flow_round(1234.5, 3), 1234.5);
    ck_assert_double_eq(biq_flow_round(1.23456789, 6), 1.234568);
    ck_assert_double_eq(biq_flow_round(1.23456789, 7), 1.234568);
    ck_assert_double_eq(biq_flow_round(1.23456789, 99), 1.234568);
    ck_assert_double_eq(biq_flow_round(1.5, 0), 2.0);
    ck_assert_double_eq(biq_flow_round(1.5, -1), 2.0);
    ck_assert_double_eq(biq_flow_round(2.5, -7), 3.0);
    ck_assert_double_eq(biq_flow_round(-0.4, 0), 0.0);
    ck_assert(!signbit(biq_flow_round(-0.4, 0)));
    ck_assert_double_eq(biq_flow_round(NAN, 2), 0.0);
    ck_assert_double_eq(biq_flow_round(INFINITY, 2), 0.0);
}
END_TEST

START_TEST(percentile_outside_zero_one)
{
    const int64_t v[] = {10, 20, 30, 40};
    ck_assert_double_eq(biq_flow_percentile(v, 4, 0.0), 10.0);
    ck_assert_double_eq(biq_flow_percentile(v, 4, -0.5), 10.0);
    ck_assert_double_eq(biq_flow_percentile(v, 4, -1e300), 10.0);
    ck_assert_double_eq(biq_flow_percentile(v, 4, NAN), 10.0);
    ck_assert_double_eq(biq_flow_percentile(v, 4, 1.0), 40.0);
    ck_assert_double_eq(biq_flow_percentile(v, 4, 7.0), 40.0);
    ck_assert_double_eq(biq_flow_percentile(v, 4, 0.5), 25.0);
    ck_assert_double_eq(biq_flow_percentile(v, 1, 0.5), 10.0);
    ck_assert_double_eq(biq_flow_percentile(v, 0, 0.5), 0.0);
}
END_TEST

START_TEST(window_texts_with_leading_zeros)
{
    biq_window_spec s;
    ck_assert_int_eq(biq_window_parse("030", &s), BIQ_OK);
    ck_assert_int_eq(s.days, 30);
    ck_assert_int_eq(biq_window_parse("007d", &s), BIQ_OK);
    ck_assert_int_eq(s.days, 7);
    ck_assert_int_eq(biq_window_parse("0030", &s), BIQ_ERR_INVALID);
    ck_assert_int_eq(biq_window_parse("0030d", &s), BIQ_ERR_INVALID);
    ck_assert_int_eq(biq_window_parse("1000", &s), BIQ_ERR_INVALID);
    ck_assert_int_eq(biq_window_parse("365", &s), BIQ_OK);
    ck_assert_int_eq(biq_window_parse("366d", &s), BIQ_ERR_INVALID);
    ck_assert_int_eq(biq_window_parse("000", &s), BIQ_ERR_INVALID);
    ck_assert_int_eq(biq_window_parse("1", &s), BIQ_OK);
    ck_assert_int_eq(s.days, 1);
}
END_TEST

/* Statuses named in another case match the defaults and excluded types:
 * ASCII case folding over the whole A..Z range. */
START_TEST(names_compared_without_case)
{
    biq_arena *a = biq_arena_new(1 << 20);
    static const biq_status cat[] = {
        {10, "CANCELLED", BIQ_CAT_DONE}, {11, "WON'T DO", BIQ_CAT_DONE},
        {12, "Canceled", BIQ_CAT_ACTIVE}, {13, "Duplicates", BIQ_CAT_ACTIVE},
    };
    biq_issue is[] = {issue(1, "A-1", T0, 10, NULL, 0), issue(2, "A-2", T0, 11, NULL, 0),
                      issue(3, "A-3", T0, 12, NULL, 0), issue(4, "A-4", T0, 13, NULL, 0),
                      issue(5, "A-5", T0, 13, NULL, 0), issue(6, "A-6", T0, 13, NULL, 0),
                      issue(7, "A-7", T0, 13, NULL, 0)};
    /* Upper-case ends of the range on each side of the comparison. */
    is[3].issue_type = "aBz";  /* vs "AbZ" */
    is[4].issue_type = "XYZ";  /* vs "xyz" */
    is[5].issue_type = "ABC";  /* vs "abc" */
    is[6].issue_type = "abzz"; /* not excluded */
    const char *excluded[] = {"AbZ", "xyz", "abc"};
    biq_flow_settings s;
    biq_flow_settings_init(&s);
    s.excluded_types = excluded;
    s.n_excluded_types = 3;
    biq_flow_input in = {.issues = is, .n_issues = 7, .statuses = cat, .n_statuses = 4,
                         .settings = &s, .now = T0 + DAY};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    ck_assert_uint_eq(biq_flow_issue_count(f), 4); /* excluded */
    ck_assert_int_eq(biq_flow_issue_at(f, 3)->issue->id, 7);
    for (size_t i = 0; i < biq_flow_status_count(f); i++) {
        const biq_flow_status_info *st = biq_flow_status_at(f, i);
        if (st->id == 10 || st->id == 11 || st->id == 12) {
            ck_assert_msg(st->terminal && st->role == BIQ_ROLE_BACKLOG, "%s", st->name);
        } else {
            ck_assert_msg(!st->terminal && st->role == BIQ_ROLE_ACTIVE, "%s", st->name);
        }
    }
    biq_arena_free(a);
}
END_TEST

/* ------------------------------------------------------------- alerts */

START_TEST(wip_breach_entry_at_the_period_start)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_ms now = T0 + 10 * DAY, t0 = now - 2 * DAY;
    /* The limit is on To Do, the first status of the table (index 0). A-1
     * sits there throughout, A-2 enters exactly at t0, A-1 leaves an hour
     * later: the lowest count over [t0, now] is 1, within the limit. */
    biq_transition t1[] = {tr(1, t0 + H, TODO, PROG)};
    biq_transition t2[] = {tr(2, t0, PROG, TODO)};
    biq_issue is[] = {issue(1, "A-1", T0, PROG, t1, 1), issue(2, "A-2", T0, TODO, t2, 1)};
    is[1].created = T0 + 1;
    static const biq_flow_wip_limit lim = {TODO, 1};
    biq_flow_settings s;
    biq_flow_settings_init(&s);
    s.wip_limits = &lim;
    s.n_wip_limits = 1;
    biq_flow *f = flow_of(a, is, 2, now, &s);
    ck_assert_int_eq(biq_flow_status_at(f, 0)->id, TODO);
    biq_alert_rule r = {.rule_id = 1, .kind = BIQ_ALERT_WIP_BREACH, .status_id = TODO,
                        .threshold_ms = 2 * DAY};
    biq_alert_hit *hits = NULL;
    size_t n = 99;
    ck_assert_int_eq(biq_flow_alerts_evaluate(f, &r, 1, a, &hits, &n), BIQ_OK);
    ck_assert_uint_eq(n, 0);
    /* Over a period that ends before A-1 leaves: two throughout, a breach. */
    r.threshold_ms = 2 * DAY - H - 1;
    ck_assert_int_eq(biq_flow_alerts_evaluate(f, &r, 1, a, &hits, &n), BIQ_OK);
    ck_assert_uint_eq(n, 0);
    is[0].transitions = NULL;
    is[0].n_transitions = 0;
    is[0].status_id = TODO;
    f = flow_of(a, is, 2, now, &s);
    r.threshold_ms = 2 * DAY;
    ck_assert_int_eq(biq_flow_alerts_evaluate(f, &r, 1, a, &hits, &n), BIQ_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(hits[0].count, 2);
    ck_assert_int_eq(hits[0].status->id, TODO);
    biq_arena_free(a);
}
END_TEST

/* A status whose previous closed slices all lasted 0 ms (several moves at
 * one instant) has no time ratio to divide by: no time signal. */
START_TEST(bottleneck_without_a_previous_average_time)
{
    biq_flow_status_info st = {.id = 3, .name = "QA", .category = BIQ_CAT_ACTIVE,
                               .role = BIQ_ROLE_ACTIVE, .used = true, .wip_limit = -1};
    biq_flow_status_metrics m = {
        .status = &st,
        .cur = {.time = {.count = 5, .avg_ms = 13 * H}, .throughput = 10, .wip_avg = 1.2},
        .prev = {.time = {.count = 5, .avg_ms = 0}, .throughput = 10, .wip_avg = 1.0},
    };
    biq_flow_report r = {.statuses = &m, .n_statuses = 1, .window = {.days = 30, .prev_days = 30}};
    biq_flow_settings cfg;
    biq_flow_settings_init(&cfg);
    biq_flow_bottleneck_compute(&cfg, &r);
    ck_assert_int_eq(r.bottleneck.state, BIQ_BN_HEALTHY);
    ck_assert(!r.bottleneck.has_time_ratio);
    /* With a previous average the same row is the bottleneck. */
    m.prev.time.avg_ms = 10 * H;
    biq_flow_bottleneck_compute(&cfg, &r);
    ck_assert_int_eq(r.bottleneck.state, BIQ_BN_FOUND);
    ck_assert(r.bottleneck.has_time_ratio);
}
END_TEST

/* A previous window without WIP (every slice 0 ms long) gives no WIP ratio:
 * the time signal alone (score 2) is not a bottleneck. */
START_TEST(bottleneck_without_a_previous_wip)
{
    biq_flow_status_info st = {.id = 3, .name = "QA", .category = BIQ_CAT_ACTIVE,
                               .role = BIQ_ROLE_ACTIVE, .used = true, .wip_limit = -1};
    biq_flow_status_metrics m = {
        .status = &st,
        .cur = {.time = {.count = 5, .avg_ms = 13 * H}, .throughput = 10, .wip_avg = 1.2},
        .prev = {.time = {.count = 5, .avg_ms = 10 * H}, .throughput = 10, .wip_avg = 0},
    };
    biq_flow_report r = {.statuses = &m, .n_statuses = 1, .window = {.days = 30, .prev_days = 30}};
    biq_flow_settings cfg;
    biq_flow_settings_init(&cfg);
    biq_flow_bottleneck_compute(&cfg, &r);
    ck_assert_int_eq(r.bottleneck.state, BIQ_BN_HEALTHY);
    ck_assert(!r.bottleneck.has_wip_ratio);
    m.prev.wip_avg = 1.0;
    biq_flow_bottleneck_compute(&cfg, &r);
    ck_assert_int_eq(r.bottleneck.state, BIQ_BN_FOUND);
    ck_assert(r.bottleneck.has_wip_ratio);
}
END_TEST

/* Throughput needs both windows to have a length. */
START_TEST(bottleneck_throughput_needs_window_lengths)
{
    biq_flow_status_info st = {.id = 3, .name = "QA", .category = BIQ_CAT_ACTIVE,
                               .role = BIQ_ROLE_ACTIVE, .used = true, .wip_limit = -1};
    biq_flow_status_metrics m = {
        .status = &st,
        .cur = {.time = {.count = 5, .avg_ms = 15 * H}, .throughput = 5, .wip_avg = 1.0},
        .prev = {.time = {.count = 5, .avg_ms = 10 * H}, .throughput = 10, .wip_avg = 1.0},
    };
    /* Time alone scores 3 (ratio 1.5): a bottleneck whatever throughput says. */
    biq_flow_report r = {.statuses = &m, .n_statuses = 1, .window = {.days = 30, .prev_days = 30}};
    biq_flow_settings cfg;
    biq_flow_settings_init(&cfg);
    biq_flow_bottleneck_compute(&cfg, &r);
    ck_assert_int_eq(r.bottleneck.state, BIQ_BN_FOUND);
    ck_assert(r.bottleneck.has_throughput_delta);
    ck_assert_double_eq_tol(r.bottleneck.throughput_delta, -0.5, 1e-12);
    ck_assert_int_eq(r.bottleneck.score, 4);
    r.window.prev_days = 0;
    biq_flow_bottleneck_compute(&cfg, &r);
    ck_assert_int_eq(r.bottleneck.state, BIQ_BN_FOUND);
    ck_assert(!r.bottleneck.has_throughput_delta);
    ck_assert_int_eq(r.bottleneck.score, 3);
    r.window.prev_days = 30;
    r.window.days = 0;
    biq_flow_bottleneck_compute(&cfg, &r);
    ck_assert_int_eq(r.bottleneck.state, BIQ_BN_FOUND);
    ck_assert(!r.bottleneck.has_throughput_delta);
}
END_TEST

/* A WIP count drops when an issue leaves exactly at now. */
START_TEST(wip_breach_exit_exactly_at_now)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_ms now = T0 + 10 * DAY;
    /* in In Progress from T0; A-1 leaves for Done exactly at now. */
    biq_transition t1[] = {tr(5, T0, TODO, PROG), tr(6, now, PROG, DONE)};
    biq_transition t2[] = {tr(7, T0, TODO, PROG)};
    biq_issue is[] = {issue(1, "A-1", T0, DONE, t1, 2), issue(2, "A-2", T0, PROG, t2, 1)};
    static const biq_flow_wip_limit lim = {PROG, 1};
    biq_flow_settings s;
    biq_flow_settings_init(&s);
    s.wip_limits = &lim;
    s.n_wip_limits = 1;
    biq_flow *f = flow_of(a, is, 2, now, &s);
    biq_alert_rule r = {.rule_id = 1, .kind = BIQ_ALERT_WIP_BREACH, .status_id = PROG,
                        .threshold_ms = DAY};
    biq_alert_hit *hits = NULL;
    size_t n = 9;
    ck_assert_int_eq(biq_flow_alerts_evaluate(f, &r, 1, a, &hits, &n), BIQ_OK);
    ck_assert_uint_eq(n, 0); /* two until now, one at now: lowest 1 */
    /* One leaving and one entering at the same instant (now): events at one
     * instant count together, so the count never drops to 1. */
    biq_transition t3[] = {tr(8, T0, TODO, PROG)};
    biq_transition t4[] = {tr(9, now, TODO, PROG)};
    biq_issue three[] = {is[0], is[1], issue(3, "A-3", T0, PROG, t3, 1),
                         issue(4, "A-4", T0, PROG, t4, 1)};
    three[1] = issue(2, "A-2", T0, TODO, NULL, 0);
    f = flow_of(a, three, 4, now, &s);
    ck_assert_int_eq(biq_flow_alerts_evaluate(f, &r, 1, a, &hits, &n), BIQ_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(hits[0].count, 2);
    three[3] = issue(4, "A-4", T0, TODO, NULL, 0); /* nobody enters: drops to 1 */
    f = flow_of(a, three, 4, now, &s);
    ck_assert_int_eq(biq_flow_alerts_evaluate(f, &r, 1, a, &hits, &n), BIQ_OK);
    ck_assert_uint_eq(n, 0);
    /* And the aging chart lists the smallest limit, 1. */
    biq_flow_aging *g = NULL;
    ck_assert_int_eq(biq_flow_wip_aging(f, a, &g), BIQ_OK);
    json_t *j = biq_flow_aging_json(f, g);
    char *text = biq_flow_json_dumps(j);
    ck_assert_msg(strstr(text, "\"wipLimits\":[{\"limit\":1,\"statusId\":\"2\"}]") != NULL, "%s",
                  text);
    free(text);
    json_decref(j);
    biq_arena_free(a);
}
END_TEST

/* `updated` exactly at now is activity at now. */
START_TEST(no_activity_rule_counts_an_update_at_now)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_ms now = T0 + 10 * DAY;
    biq_transition t[] = {tr(1, T0 + DAY, TODO, PROG)};
    biq_issue is[] = {issue(1, "A-1", T0, PROG, t, 1), issue(2, "A-2", T0, PROG, t, 1)};
    is[0].updated = now;
    is[1].updated = now - 1;
    biq_flow *f = flow_of(a, is, 2, now, NULL);
    biq_alert_rule r = {.rule_id = 1, .kind = BIQ_ALERT_NO_ACTIVITY, .threshold_ms = DAY};
    biq_alert_hit *hits = NULL;
    size_t n = 0;
    ck_assert_int_eq(biq_flow_alerts_evaluate(f, &r, 1, a, &hits, &n), BIQ_OK);
    ck_assert_uint_eq(n, 0);
    r.threshold_ms = 1;
    ck_assert_int_eq(biq_flow_alerts_evaluate(f, &r, 1, a, &hits, &n), BIQ_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(hits[0].issue->issue->id, 2);
    ck_assert_int_eq(hits[0].value_ms, 1);
    biq_arena_free(a);
}
END_TEST

/* Every chart builder (and the alert evaluation) fails cleanly (BIQ_ERR_NOMEM, nothing written
 * through NULL) at every arena size below what it needs. */
START_TEST(charts_under_every_arena_limit)
{
    biq_arena *fa = biq_arena_new(1 << 20);
    biq_ms now = T0 + 10 * DAY;
    biq_transition t1[] = {tr(1, T0 + DAY, TODO, PROG), tr(2, T0 + 3 * DAY, PROG, DONE)};
    biq_transition t2[] = {tr(3, T0 + 2 * DAY, TODO, QA)};
    biq_issue is[] = {issue(1, "A-1", T0, DONE, t1, 2), issue(2, "A-2", T0, QA, t2, 1),
                      issue(3, "A-3", T0, TODO, NULL, 0)};
    biq_flow *f = flow_of(fa, is, 3, now, NULL);
    biq_flow_window w = {.from = T0, .to = now, .prev_from = T0 - 10 * DAY, .prev_to = T0,
                         .days = 10, .prev_days = 10};
    int64_t d0 = biq_civil_days(2018, 1, 1);
    static const biq_flow_wip_limit lim = {QA, 1};
    biq_flow_settings st;
    biq_flow_settings_init(&st);
    st.wip_limits = &lim;
    st.n_wip_limits = 1;
    biq_flow *fl = flow_of(fa, is, 3, now, &st);
    /* A period in which A-2 enters QA: one event to record. */
    biq_alert_rule rules[] = {{.rule_id = 1, .kind = BIQ_ALERT_WIP_BREACH, .status_id = QA,
                               .threshold_ms = 9 * DAY},
                              {.rule_id = 2, .kind = BIQ_ALERT_STUCK, .threshold_ms = DAY}};
    bool done[6] = {false};
    for (size_t limit = 0;
         limit < 65536 && !(done[0] && done[1] && done[2] && done[3] && done[4] && done[5]);
         limit += 16) {
        biq_arena *a = biq_arena_new(limit);
        ck_assert_ptr_nonnull(a);
        biq_flow_wip_stack *c = NULL;
        biq_flow_aging *g = NULL;
        biq_flow_scatter *sc = NULL;
        biq_flow_report *r = NULL;
        biq_flow_csv_row *rows = NULL;
        size_t n = 0;
        biq_alert_hit *hits = NULL;
        size_t n_hits = 0;
        biq_err e[6] = {
            biq_flow_wip_stack_build(f, d0, d0 + 9, a, &c),
            biq_flow_wip_aging(f, a, &g),
            biq_flow_scatter_build(f, &w, a, &sc),
            biq_flow_report_build(f, &w, a, &r),
            biq_flow_csv_rows(f, &w, a, &rows, &n),
            biq_flow_alerts_evaluate(fl, rules, 2, a, &hits, &n_hits),
        };
        for (int k = 0; k < 6; k++) {
            ck_assert_msg(e[k] == BIQ_OK || e[k] == BIQ_ERR_NOMEM, "builder %d, limit %zu: %d",
                          k, limit, (int)e[k]);
            done[k] = done[k] || e[k] == BIQ_OK;
        }
        if (e[0] == BIQ_OK) {
            ck_assert_uint_eq(c->n_bands, 3); /* To Do, In Progress, QA */
            ck_assert_uint_eq(c->counts[0] + c->counts[1] + c->counts[2], 3);
        }
        biq_arena_free(a);
    }
    for (int k = 0; k < 6; k++)
        ck_assert_msg(done[k], "builder %d never succeeded", k);
    biq_arena_free(fa);
}
END_TEST

START_TEST(instants_formatted_for_years_0_to_9999_only)
{
    char buf[32];
    ck_assert(biq_flow_format_instant(biq_civil_days(0, 1, 1) * DAY, buf, sizeof buf));
    ck_assert_str_eq(buf, "0000-01-01T00:00:00.000Z");
    ck_assert(biq_flow_format_instant(biq_civil_days(9999, 12, 31) * DAY + DAY - 1, buf,
                                      sizeof buf));
    ck_assert_str_eq(buf, "9999-12-31T23:59:59.999Z");
    ck_assert(!biq_flow_format_instant(biq_civil_days(0, 1, 1) * DAY - 1, buf, sizeof buf));
    ck_assert(!biq_flow_format_instant(biq_civil_days(-1, 6, 1) * DAY, buf, sizeof buf));
    ck_assert(!biq_flow_format_instant(biq_civil_days(10000, 1, 1) * DAY, buf, sizeof buf));
    /* 24 characters and the NUL. */
    ck_assert(biq_flow_format_instant(T0, buf, 25));
    ck_assert(!biq_flow_format_instant(T0, buf, 24));
}
END_TEST

/* An empty window (from == to) still has one weekly bucket; an issue done
 * and started at one instant has a cycle time of 0 days, not "never". */
START_TEST(empty_window_and_zero_cycle)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_ms now = T0 + 10 * DAY;
    biq_transition t[] = {tr(1, T0 + 5 * DAY, TODO, PROG), tr(2, T0 + 5 * DAY, PROG, DONE)};
    biq_issue is[] = {issue(1, "A-1", T0, DONE, t, 2)};
    biq_flow *f = flow_of(a, is, 1, now, NULL);
    ck_assert_int_eq(biq_flow_issue_at(f, 0)->cycle_ms, 0);
    biq_flow_window w = {.from = now, .to = now, .prev_from = now - DAY, .prev_to = now};
    biq_flow_report *r = NULL;
    ck_assert_int_eq(biq_flow_report_build(f, &w, a, &r), BIQ_OK);
    ck_assert_uint_eq(r->n_weeks, 1);
    w = (biq_flow_window){.from = T0, .to = now, .prev_from = T0 - 10 * DAY, .prev_to = T0,
                          .days = 10, .prev_days = 10};
    biq_flow_scatter *sc = NULL;
    ck_assert_int_eq(biq_flow_scatter_build(f, &w, a, &sc), BIQ_OK);
    ck_assert_uint_eq(sc->n_points, 1);
    ck_assert_double_eq(sc->points[0].cycle_days, 0.0);
    ck_assert_double_eq(sc->points[0].lead_days, 5.0);
    ck_assert_uint_eq(sc->cycle.count, 1); /* a zero cycle is a cycle */
    ck_assert_uint_eq(sc->lead.count, 1);
    /* One point is its own percentile, not above it. */
    ck_assert(!sc->points[0].lead_above_p85 && !sc->points[0].lead_above_p95);
    ck_assert(!sc->points[0].cycle_above_p85 && !sc->points[0].cycle_above_p95);
    biq_arena_free(a);
}
END_TEST

START_TEST(work_schedule_hours_at_their_edges)
{
    biq_work_schedule s = {.working = true, .working_days = 0x1f, .day_start_min = 0,
                           .day_end_min = 1440};
    ck_assert_int_eq(biq_work_schedule_validate(&s), BIQ_OK);
    s.day_start_min = -1;
    ck_assert_int_eq(biq_work_schedule_validate(&s), BIQ_ERR_INVALID);
    s.day_start_min = 0;
    s.day_end_min = 1441;
    ck_assert_int_eq(biq_work_schedule_validate(&s), BIQ_ERR_INVALID);
    s.day_end_min = 1;
    ck_assert_int_eq(biq_work_schedule_validate(&s), BIQ_OK);
    s.day_start_min = 1;
    ck_assert_int_eq(biq_work_schedule_validate(&s), BIQ_ERR_INVALID);
    s.day_start_min = 9 * 60;
    s.day_end_min = 17 * 60;
    s.working_days = 0x80; /* no day of the week */
    ck_assert_int_eq(biq_work_schedule_validate(&s), BIQ_ERR_INVALID);
    s.working_days = 0x40; /* Sunday only */
    ck_assert_int_eq(biq_work_schedule_validate(&s), BIQ_OK);
    /* Nothing between an instant and itself, or backwards. */
    ck_assert_int_eq(biq_test_sched_closed(&s, T0 + DAY + H, T0 + DAY + H), 0);
    ck_assert_int_eq(biq_test_sched_closed(&s, T0 + DAY + H, T0), 0);
    ck_assert_int_eq(biq_test_sched_closed(NULL, T0 + 5, T0), 0);
    ck_assert_int_eq(biq_test_sched_closed(NULL, T0, T0 + 5), 5);
    /* Midnight to midnight on every day is calendar time. */
    s = (biq_work_schedule){.working = true, .working_days = 0x7f, .day_start_min = 0,
                            .day_end_min = 1440};
    ck_assert_int_eq(biq_test_sched_closed(&s, T0, T0 + 3 * DAY + 5), 3 * DAY + 5);
}
END_TEST

START_TEST(current_sprint_is_the_latest_started)
{
    biq_ms now = T0 + 5 * DAY;
    biq_sprint sp[] = {
        {.id = 9, .state = "active", .start = T0, .end = T0 + 14 * DAY, .complete = BIQ_MS_NONE},
        {.id = 4, .state = "active", .start = T0 - 2 * DAY, .end = T0 + 7 * DAY,
         .complete = BIQ_MS_NONE},
        {.id = 12, .state = "active", .start = T0 - DAY, .end = T0 + 7 * DAY,
         .complete = BIQ_MS_NONE},
    };
    biq_window_spec spec = {.kind = BIQ_WIN_SPRINT_CURRENT};
    biq_flow_window w;
    for (int rot = 0; rot < 3; rot++) {
        biq_sprint v[3] = {sp[rot % 3], sp[(rot + 1) % 3], sp[(rot + 2) % 3]};
        ck_assert_int_eq(biq_window_resolve(&spec, now, NULL, v, 3, &w), BIQ_OK);
        ck_assert_int_eq(w.from, T0);
        ck_assert_int_eq(w.to, now);
    }
}
END_TEST

/* The dashboard's data-quality counts (every kind, zeros included) and the
 * units of each trend metric. */
START_TEST(dashboard_quality_counts_and_trend_units)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_ms now = T0 + 10 * DAY;
    /* One out-of-order transition (before created). */
    biq_transition t[] = {tr(1, T0 - DAY, TODO, PROG)};
    biq_issue is[] = {issue(1, "A-1", T0, PROG, t, 1)};
    biq_flow *f = flow_of(a, is, 1, now, NULL);
    size_t nf = 0, want[BIQ_DQ__COUNT] = {0};
    const biq_flow_finding *fv = biq_flow_findings(f, &nf);
    for (size_t i = 0; i < nf; i++)
        want[fv[i].kind]++;
    ck_assert_uint_eq(want[BIQ_DQ_OUT_OF_ORDER], 1);
    biq_window_spec spec = {.kind = BIQ_WIN_DAYS, .days = 7};
    biq_flow_window w;
    ck_assert_int_eq(biq_flow_window_resolve(f, &spec, &w), BIQ_OK);
    biq_flow_report *r = NULL;
    ck_assert_int_eq(biq_flow_report_build(f, &w, a, &r), BIQ_OK);
    /* Trends of each metric, hand-made: times in days, WIP in issues. */
    r->n_trends = 4;
    for (int k = 0; k < 4; k++)
        r->trends[k] = (biq_flow_trend){.metric = (biq_trend_metric)k, .current = 2.0 * DAY,
                                        .previous = 1.0 * DAY, .ratio = 2.0, .change_pct = 100,
                                        .worsening = true};
    json_t *j = biq_flow_dashboard_json(f, r, NULL);
    ck_assert_ptr_nonnull(j);
    json_t *dq = json_object_get(j, "dataQuality");
    /* A count per kind, plus the findings and the summary sentence. */
    ck_assert_uint_eq(json_object_size(dq), BIQ_DQ__COUNT + 2);
    for (int k = 0; k < BIQ_DQ__COUNT; k++) {
        json_t *v = json_object_get(dq, biq_dq_kind_name((biq_dq_kind)k));
        ck_assert_msg(json_is_integer(v), "%s", biq_dq_kind_name((biq_dq_kind)k));
        ck_assert_int_eq(json_integer_value(v), (json_int_t)want[k]);
    }
    json_t *tr_ = json_object_get(j, "trends");
    ck_assert_uint_eq(json_array_size(tr_), 4);
    static const char *const unit[] = {"days", "days", "issues", "count"};
    for (size_t k = 0; k < 4; k++) {
        json_t *o = json_array_get(tr_, k);
        ck_assert_str_eq(json_string_value(json_object_get(o, "unit")), unit[k]);
        double cur = json_number_value(json_object_get(o, "current"));
        ck_assert_double_eq(cur, k < 2 ? 2.0 : 2.0 * DAY);
    }
    json_decref(j);
    biq_arena_free(a);
}
END_TEST

/* The bottleneck's breakdown shows the winner's WIP limit, even 1. */
START_TEST(bottleneck_breakdown_shows_a_limit_of_one)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_ms now = T0 + 10 * DAY;
    biq_issue is[] = {issue(1, "A-1", T0, PROG, NULL, 0)};
    static const biq_flow_wip_limit lim = {PROG, 1};
    biq_flow_settings st;
    biq_flow_settings_init(&st);
    st.wip_limits = &lim;
    st.n_wip_limits = 1;
    biq_flow *f = flow_of(a, is, 1, now, &st);
    biq_window_spec spec = {.kind = BIQ_WIN_DAYS, .days = 7};
    biq_flow_window w;
    ck_assert_int_eq(biq_flow_window_resolve(f, &spec, &w), BIQ_OK);
    biq_flow_report *r = NULL;
    ck_assert_int_eq(biq_flow_report_build(f, &w, a, &r), BIQ_OK);
    ck_assert_uint_eq(r->n_statuses, 1);
    /* Hand-set: In Progress is the bottleneck. */
    r->bottleneck = (biq_flow_bottleneck){.state = BIQ_BN_FOUND, .winner = &r->statuses[0],
                                          .score = 3, .confidence = "medium"};
    json_t *j = biq_flow_dashboard_json(f, r, NULL);
    ck_assert_ptr_nonnull(j);
    json_t *limit = json_object_get(
        json_object_get(json_object_get(json_object_get(j, "bottleneck"), "breakdown"), "wip"),
        "limit");
    ck_assert_msg(json_is_integer(limit) && json_integer_value(limit) == 1, "%s",
                  limit ? json_dumps(limit, JSON_ENCODE_ANY) : "(none)");
    json_decref(j);
    biq_arena_free(a);
}
END_TEST

/* Scatter points by done time whatever their ids, then by id. */
START_TEST(scatter_points_by_done_time_then_id)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_ms now = T0 + 20 * DAY;
    biq_transition t[4][1] = {{tr(1, T0 + 9 * DAY, TODO, DONE)}, {tr(2, T0 + 3 * DAY, TODO, DONE)},
                              {tr(3, T0 + 6 * DAY, TODO, DONE)}, {tr(4, T0 + 3 * DAY, TODO, DONE)}};
    biq_issue is[] = {issue(1, "A-1", T0, DONE, t[0], 1), issue(2, "A-2", T0, DONE, t[1], 1),
                      issue(3, "A-3", T0, DONE, t[2], 1), issue(4, "A-4", T0, DONE, t[3], 1)};
    biq_flow *f = flow_of(a, is, 4, now, NULL);
    biq_flow_window w = {.from = T0, .to = now, .prev_from = T0 - 20 * DAY, .prev_to = T0,
                         .days = 20, .prev_days = 20};
    biq_flow_scatter *sc = NULL;
    ck_assert_int_eq(biq_flow_scatter_build(f, &w, a, &sc), BIQ_OK);
    const int64_t want[] = {2, 4, 3, 1};
    ck_assert_uint_eq(sc->n_points, 4);
    for (size_t i = 0; i < 4; i++)
        ck_assert_int_eq(sc->points[i].issue->issue->id, want[i]);
    biq_arena_free(a);
}
END_TEST

/* ---------------------------------------------------------------- CSV */

START_TEST(csv_rows_in_window_and_lines_that_exactly_fit)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_ms now = T0 + 10 * DAY;
    biq_transition t[] = {tr(1, T0 + DAY, TODO, PROG), tr(2, T0 + 5 * DAY, PROG, QA)};
    biq_issue is[] = {issue(1, "A-1", T0, QA, t, 2)};
    biq_flow *f = flow_of(a, is, 1, now, NULL);
    /* Slices end at T0+1d, T0+5d and now: the window (T0+2d, T0+6d] holds
     * the second only; (T0+1d, now] the last two. */
    biq_flow_window w = {.from = T0 + 2 * DAY, .to = T0 + 6 * DAY};
    biq_flow_csv_row *rows = NULL;
    size_t n = 0;
    ck_assert_int_eq(biq_flow_csv_rows(f, &w, a, &rows, &n), BIQ_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(rows[0].slice->status_id, PROG);
    w = (biq_flow_window){.from = T0 + DAY, .to = now};
    ck_assert_int_eq(biq_flow_csv_rows(f, &w, a, &rows, &n), BIQ_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(rows[0].slice->status_id, PROG);
    ck_assert_int_eq(rows[1].slice->status_id, QA);
    /* A line needs its length plus the NUL. */
    char buf[BIQ_FLOW_CSV_LINE_MAX];
    size_t len = 0, len2 = 0;
    ck_assert_int_eq(biq_flow_csv_format(&rows[0], buf, sizeof buf, &len), BIQ_OK);
    ck_assert_uint_eq(strlen(buf), len);
    char *exact = malloc(len + 1);
    ck_assert_int_eq(biq_flow_csv_format(&rows[0], exact, len + 1, &len2), BIQ_OK);
    ck_assert_uint_eq(len2, len);
    ck_assert_str_eq(exact, buf);
    free(exact);
    char *shorter = malloc(len);
    ck_assert_int_eq(biq_flow_csv_format(&rows[0], shorter, len, &len2), BIQ_ERR_TOO_LARGE);
    free(shorter);
    /* One-character formula cells are defused too. */
    biq_issue one = issue(9, "=", T0, TODO, NULL, 0);
    one.summary = "-";
    f = flow_of(a, &one, 1, now, NULL);
    ck_assert_int_eq(biq_flow_csv_rows(f, &w, a, &rows, &n), BIQ_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(biq_flow_csv_format(&rows[0], buf, sizeof buf, &len), BIQ_OK);
    ck_assert_msg(strncmp(buf, "\"'=\",\"'-\",", 10) == 0, "%s", buf);
    ck_assert_int_eq(biq_flow_csv_header(buf, sizeof buf, &len), BIQ_OK);
    char *hdr = malloc(len + 1);
    ck_assert_int_eq(biq_flow_csv_header(hdr, len + 1, &len2), BIQ_OK);
    ck_assert_int_eq(biq_flow_csv_header(hdr, len, &len2), BIQ_ERR_TOO_LARGE);
    free(hdr);
    biq_arena_free(a);
}
END_TEST

/* ------------------------------------------------------ panel, dashboard */

START_TEST(issue_panel_total_and_dashboard_without_meta)
{
    biq_arena *a = biq_arena_new(1 << 20);
    /* 0.005 days less 1 ms in To Do, then 0 in In Progress: the total is
     * exact (machine output never rounds), to the millisecond. */
    biq_ms now = T0 + 431999;
    biq_transition t[] = {tr(1, now, TODO, PROG)};
    biq_issue is[] = {issue(1, "A-1", T0, PROG, t, 1)};
    biq_flow *f = flow_of(a, is, 1, now, NULL);
    json_t *j = biq_flow_issue_json(f, biq_flow_issue_at(f, 0));
    ck_assert_ptr_nonnull(j);
    ck_assert_double_eq(json_number_value(json_object_get(j, "totalDays")), 431999.0 / 86400000.0);
    json_decref(j);
    f = flow_of(a, is, 1, now + 1, NULL);
    j = biq_flow_issue_json(f, biq_flow_issue_at(f, 0));
    ck_assert_double_eq(json_number_value(json_object_get(j, "totalDays")), 432000.0 / 86400000.0);
    json_decref(j);
    /* The dashboard without meta: data version 0; built only when valid. */
    j = NULL;
    ck_assert_int_eq(biq_flow_dashboard_build(f, "30d", NULL, a, &j), BIQ_OK);
    ck_assert_ptr_nonnull(j);
    ck_assert(json_is_integer(json_object_get(j, "dataVersion")));
    ck_assert_int_eq(json_integer_value(json_object_get(j, "dataVersion")), 0);
    json_decref(j);
    biq_dashboard_meta meta = {.project_key = "A", .data_version = 42};
    j = NULL;
    ck_assert_int_eq(biq_flow_dashboard_build(f, "7d", &meta, a, &j), BIQ_OK);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "dataVersion")), 42);
    json_decref(j);
    j = NULL;
    ck_assert_int_eq(biq_flow_dashboard_build(f, "bogus", &meta, a, &j), BIQ_ERR_INVALID);
    ck_assert_ptr_null(j);
    /* A WIP limit of 1 (the smallest) is shown, not null. */
    static const biq_flow_wip_limit lim = {PROG, 1};
    biq_flow_settings st;
    biq_flow_settings_init(&st);
    st.wip_limits = &lim;
    st.n_wip_limits = 1;
    f = flow_of(a, is, 1, now + DAY, &st);
    ck_assert_int_eq(biq_flow_dashboard_build(f, "7d", &meta, a, &j), BIQ_OK);
    char *text = biq_flow_json_dumps(j);
    ck_assert_ptr_nonnull(strstr(text, "\"limit\":1}"));
    ck_assert_ptr_nonnull(strstr(text, "\"limit\":null}"));
    free(text);
    json_decref(j);
    biq_arena_free(a);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("flow_edges");
    TCase *tc = tcase_create("edges");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, duplicate_kept_is_the_latest_updated_even_with_less_history);
    tcase_add_test(tc, aging_reference_line_edges);
    tcase_add_test(tc, zero_ages_are_numbers_in_json);
    tcase_add_test(tc, rounding_decimals_clamped);
    tcase_add_test(tc, percentile_outside_zero_one);
    tcase_add_test(tc, window_texts_with_leading_zeros);
    tcase_add_test(tc, names_compared_without_case);
    tcase_add_test(tc, wip_breach_entry_at_the_period_start);
    tcase_add_test(tc, bottleneck_without_a_previous_average_time);
    tcase_add_test(tc, bottleneck_without_a_previous_wip);
    tcase_add_test(tc, no_activity_rule_counts_an_update_at_now);
    tcase_add_test(tc, bottleneck_throughput_needs_window_lengths);
    tcase_add_test(tc, wip_breach_exit_exactly_at_now);
    tcase_add_test(tc, dashboard_quality_counts_and_trend_units);
    tcase_add_test(tc, scatter_points_by_done_time_then_id);
    tcase_add_test(tc, bottleneck_breakdown_shows_a_limit_of_one);
    tcase_add_test(tc, charts_under_every_arena_limit);
    tcase_add_test(tc, instants_formatted_for_years_0_to_9999_only);
    tcase_add_test(tc, empty_window_and_zero_cycle);
    tcase_add_test(tc, work_schedule_hours_at_their_edges);
    tcase_add_test(tc, current_sprint_is_the_latest_started);
    tcase_add_test(tc, csv_rows_in_window_and_lines_that_exactly_fit);
    tcase_add_test(tc, issue_panel_total_and_dashboard_without_meta);
    suite_add_tcase(s, tc);
    return s;
}
