/* test_flow_insight.c - bottleneck scoring (each threshold met and just
 * missed, ties, exclusions, sparse/healthy), trends (each noise floor,
 * verdicts, order, caps) and windows (N days, MTD, QTD, sprints). */
#include <string.h>

#include "common/arena.h"
#include "flow/flow.h"
#include "testsupport.h"
#include "tz/civil.h"

#define H BIQ_MS_PER_HOUR
#define MIN BIQ_MS_PER_MINUTE
#define DAY BIQ_MS_PER_DAY

enum { MAX_ROWS = 16 };

typedef struct fixture {
    biq_flow_status_info info[MAX_ROWS];
    biq_flow_status_metrics rows[MAX_ROWS];
    biq_flow_report r;
    biq_flow_settings cfg;
} fixture;

static void init(fixture *f, double days, double prev_days)
{
    memset(f, 0, sizeof *f);
    f->r.statuses = f->rows;
    f->r.window.days = days;
    f->r.window.prev_days = prev_days;
    biq_flow_settings_init(&f->cfg);
}

/* A status row: averages in hours over 5 samples, WIP and throughput. */
static biq_flow_status_metrics *add(fixture *f, int64_t id, const char *name, double prev_h,
                                    double cur_h, double prev_wip, double cur_wip,
                                    uint32_t prev_tp, uint32_t cur_tp)
{
    size_t i = f->r.n_statuses++;
    f->info[i] = (biq_flow_status_info){.id = id, .name = name, .category = BIQ_CAT_ACTIVE,
                                        .role = BIQ_ROLE_ACTIVE, .used = true, .wip_limit = -1};
    f->rows[i] = (biq_flow_status_metrics){
        .status = &f->info[i],
        .cur = {.time = {.count = cur_h > 0 ? 5 : 0, .avg_ms = cur_h * H}, .throughput = cur_tp,
                .wip_avg = cur_wip},
        .prev = {.time = {.count = prev_h > 0 ? 5 : 0, .avg_ms = prev_h * H},
                 .throughput = prev_tp, .wip_avg = prev_wip},
    };
    return &f->rows[i];
}

static const biq_flow_bottleneck *run(fixture *f)
{
    biq_flow_bottleneck_compute(&f->cfg, &f->r);
    return &f->r.bottleneck;
}

START_TEST(time_and_wip_thresholds_met_exactly)
{
    fixture f;
    init(&f, 30, 30);
    add(&f, 3, "Build", 10, 13, 1.0, 1.2, 10, 10);
    const biq_flow_bottleneck *b = run(&f);
    ck_assert_int_eq(b->state, BIQ_BN_FOUND);
    ck_assert_int_eq(b->score, 3);
    ck_assert_str_eq(b->confidence, "medium");
    ck_assert_uint_eq(b->n_reasons, 2);
    ck_assert_str_eq(b->reasons[0], "Average time increased 30%");
    ck_assert_str_eq(b->reasons[1], "WIP increased 20%");
    ck_assert_str_eq(b->explanation, "Build is currently the bottleneck (medium confidence). "
                                     "Signals: Average time increased 30%; WIP increased 20%.");
    ck_assert(b->has_throughput_delta);
    ck_assert_double_eq_tol(b->throughput_delta, 0.0, 1e-12);
}
END_TEST

START_TEST(time_threshold_just_missed)
{
    fixture f;
    init(&f, 30, 30);
    add(&f, 3, "Build", 10, 12.99, 1.0, 1.2, 10, 10);
    const biq_flow_bottleneck *b = run(&f);
    ck_assert_int_eq(b->state, BIQ_BN_HEALTHY);
    ck_assert_str_eq(b->message, "No stage shows a significant slowdown vs. the prior window");
    ck_assert_ptr_null(b->winner);
}
END_TEST

START_TEST(bonus_and_confidence_levels)
{
    fixture f;
    init(&f, 30, 30);
    add(&f, 3, "Build", 10, 15, 1.0, 1.0, 10, 10); /* 2 + 1 */
    ck_assert_int_eq(run(&f)->score, 3);
    init(&f, 30, 30);
    add(&f, 3, "Build", 10, 14.99, 1.0, 1.0, 10, 10); /* 2: bonus missed */
    ck_assert_int_eq(run(&f)->state, BIQ_BN_HEALTHY);
    init(&f, 30, 30);
    add(&f, 3, "Build", 10, 16.2, 1.0, 1.25, 10, 10);
    ck_assert_str_eq(run(&f)->confidence, "high");
    ck_assert_str_eq(f.r.bottleneck.reasons[0], "Average time increased 62%");
    init(&f, 30, 30);
    add(&f, 3, "Build", 10, 16.2, 1.0, 1.25, 10, 8);
    const biq_flow_bottleneck *b = run(&f);
    ck_assert_int_eq(b->score, 5);
    ck_assert_str_eq(b->confidence, "very high");
    ck_assert_str_eq(b->reasons[2], "Throughput decreased 20%");
}
END_TEST

START_TEST(wip_and_throughput_thresholds)
{
    fixture f;
    init(&f, 30, 30);
    add(&f, 3, "Build", 10, 13, 1.0, 1.19, 10, 8); /* WIP missed, throughput met */
    const biq_flow_bottleneck *b = run(&f);
    ck_assert_int_eq(b->score, 3);
    ck_assert_uint_eq(b->n_reasons, 2);
    ck_assert_str_eq(b->reasons[1], "Throughput decreased 20%");
    init(&f, 30, 30);
    add(&f, 3, "Build", 10, 13, 1.0, 1.19, 100, 81); /* -0.19: missed */
    ck_assert_int_eq(run(&f)->state, BIQ_BN_HEALTHY);
    /* Custom thresholds. */
    init(&f, 30, 30);
    f.cfg.threshold_time = 2.0;
    add(&f, 3, "Build", 10, 19, 1.0, 2.0, 10, 5);
    ck_assert_int_eq(run(&f)->state, BIQ_BN_HEALTHY);
}
END_TEST

START_TEST(throughput_per_day_for_unequal_windows)
{
    fixture f;
    init(&f, 10, 20); /* e.g. MTD against the whole previous month */
    add(&f, 3, "Build", 10, 13, 1.0, 1.0, 10, 5); /* 0.5/day both: no change */
    ck_assert_int_eq(run(&f)->state, BIQ_BN_HEALTHY);
    ck_assert_double_eq_tol(f.r.bottleneck.throughput_delta, 0, 1e-12);
    init(&f, 10, 20);
    add(&f, 3, "Build", 10, 13, 1.0, 1.0, 10, 4); /* 0.4 vs 0.5: -20% */
    ck_assert_int_eq(run(&f)->score, 3);
}
END_TEST

START_TEST(ties_and_exclusions)
{
    fixture f;
    init(&f, 30, 30);
    add(&f, 3, "build", 10, 13, 1.0, 1.2, 10, 10);
    add(&f, 4, "Analysis", 10, 13, 1.0, 1.2, 10, 10);
    ck_assert_str_eq(run(&f)->winner->status->name, "Analysis");
    init(&f, 30, 30);
    add(&f, 9, "Review", 10, 13, 1.0, 1.2, 10, 10);
    add(&f, 8, "Review", 10, 13, 1.0, 1.2, 10, 10);
    ck_assert_int_eq(run(&f)->winner->status->id, 8);
    /* The higher score wins over the name. */
    init(&f, 30, 30);
    add(&f, 4, "Analysis", 10, 13, 1.0, 1.2, 10, 10);
    add(&f, 3, "Build", 10, 15, 1.0, 1.2, 10, 10);
    ck_assert_str_eq(run(&f)->winner->status->name, "Build");
    /* Terminal and external statuses are never candidates. */
    init(&f, 30, 30);
    add(&f, 5, "Done", 10, 30, 1.0, 5, 10, 1)->status = &f.info[0];
    f.info[0].terminal = true;
    add(&f, 7, "Vendor", 10, 30, 1.0, 5, 10, 1);
    f.info[1].external = true;
    ck_assert_int_eq(run(&f)->state, BIQ_BN_HEALTHY);
    /* Backlog, done and unknown statuses are never candidates either: only
     * active ones (product.md), whatever their signals. */
    init(&f, 30, 30);
    add(&f, 1, "Selected", 10, 30, 1.0, 5, 10, 1);
    f.info[0].role = BIQ_ROLE_BACKLOG;
    add(&f, 2, "Resolved", 10, 30, 1.0, 5, 10, 1);
    f.info[1].role = BIQ_ROLE_UNKNOWN;
    add(&f, 6, "Closed", 10, 30, 1.0, 5, 10, 1);
    f.info[2].role = BIQ_ROLE_DONE;
    ck_assert_int_eq(run(&f)->state, BIQ_BN_HEALTHY);
    f.info[0].role = BIQ_ROLE_ACTIVE; /* the same row as active wins */
    ck_assert_int_eq(run(&f)->winner->status->id, 1);
    /* Absent in the previous window: not a candidate. */
    init(&f, 30, 30);
    add(&f, 3, "Build", 0, 30, 0, 5, 0, 1);
    ck_assert_int_eq(run(&f)->state, BIQ_BN_HEALTHY);
    f.r.sparse_current = true;
    ck_assert_int_eq(run(&f)->state, BIQ_BN_SPARSE);
    ck_assert_str_eq(f.r.bottleneck.message, "Not enough recent activity");
}
END_TEST

/* ------------------------------------------------------------ trends */

static void lead(fixture *f, uint32_t prev_n, double prev_min, uint32_t cur_n, double cur_min)
{
    f->r.prev.lead = (biq_flow_stats){.count = prev_n, .avg_ms = prev_min * MIN};
    f->r.cur.lead = (biq_flow_stats){.count = cur_n, .avg_ms = cur_min * MIN};
}

START_TEST(trend_floors)
{
    fixture f;
    init(&f, 30, 30);
    lead(&f, 3, 30, 5, 60);
    biq_flow_trends_compute(&f.r);
    ck_assert_uint_eq(f.r.n_trends, 1);
    ck_assert_int_eq(f.r.trends[0].metric, BIQ_TREND_LEAD_TIME);
    ck_assert(f.r.trends[0].worsening);
    ck_assert_double_eq_tol(f.r.trends[0].change_pct, 100.0, 1e-9);
    init(&f, 30, 30);
    lead(&f, 2, 600, 5, 6000); /* previous sample 2 < 3 */
    biq_flow_trends_compute(&f.r);
    ck_assert_uint_eq(f.r.n_trends, 0);
    init(&f, 30, 30);
    lead(&f, 30, 29.9, 5, 600); /* previous average under 30 min */
    biq_flow_trends_compute(&f.r);
    ck_assert_uint_eq(f.r.n_trends, 0);
    /* WIP floor 2.0, throughput floor 3, time-in-status floors. */
    init(&f, 30, 30);
    add(&f, 3, "Build", 0.5, 1.0, 2.0, 3.0, 3, 6);
    add(&f, 4, "QA", 0.49, 1.0, 1.99, 3.0, 2, 6);
    f.rows[1].prev.time.count = 5;
    biq_flow_trends_compute(&f.r);
    ck_assert_uint_eq(f.r.n_trends, 3);
    for (size_t i = 0; i < 3; i++)
        ck_assert_int_eq(f.r.trends[i].status->id, 3);
    init(&f, 30, 30);
    add(&f, 3, "Build", 10, 20, 4, 8, 4, 8);
    f.rows[0].prev.time.count = 2;
    biq_flow_trends_compute(&f.r);
    ck_assert_uint_eq(f.r.n_trends, 2); /* time needs 3 previous samples */
    /* WIP trends only for work in progress: a backlog queue growing is no
     * WIP trend (its time and throughput still are). */
    init(&f, 30, 30);
    add(&f, 3, "Selected", 10, 20, 4, 8, 4, 8);
    f.info[0].role = BIQ_ROLE_BACKLOG;
    biq_flow_trends_compute(&f.r);
    ck_assert_uint_eq(f.r.n_trends, 2);
    for (size_t i = 0; i < f.r.n_trends; i++)
        ck_assert_int_ne(f.r.trends[i].metric, BIQ_TREND_WIP);
}
END_TEST

/* One rule for every percentage printed: up to 500% a percentage, beyond it
 * a factor, never clamped. */
START_TEST(changes_print_as_percent_then_factor)
{
    char b[BIQ_FLOW_CHANGE_TEXT_MAX];
    ck_assert_str_eq(biq_flow_format_change(0.62, b, sizeof b), "62%");
    ck_assert_str_eq(biq_flow_format_change(-0.4, b, sizeof b), "40%");
    ck_assert_str_eq(biq_flow_format_change(5.0, b, sizeof b), "500%");
    ck_assert_str_eq(biq_flow_format_change(5.0001, b, sizeof b), "\u00d76.0");
    ck_assert_str_eq(biq_flow_format_change(11.74, b, sizeof b), "\u00d712.7");
    ck_assert_str_eq(biq_flow_format_change(89.64, b, sizeof b), "\u00d790.6");
    ck_assert_str_eq(biq_flow_format_change(-0.999, b, sizeof b), "100%");
    ck_assert_str_eq(biq_flow_format_change(0.0, b, sizeof b), "0%");
}
END_TEST

START_TEST(trend_verdicts_order_and_caps)
{
    fixture f;
    init(&f, 30, 30);
    add(&f, 3, "Build", 10, 12, 10, 8, 10, 15);   /* time 1.2 worse, WIP 0.8 better, tp 1.5 better */
    add(&f, 4, "QA", 10, 11.9, 10, 8.1, 10, 5);   /* stable, stable, tp 0.5 worse */
    add(&f, 5, "Review", 1, 70, 2, 2, 10, 10);    /* time x70: exact, never clamped */
    biq_flow_trends_compute(&f.r);
    ck_assert_uint_eq(f.r.n_trends, 5);
    ck_assert_int_eq(f.r.trends[0].status->id, 5);
    ck_assert_double_eq(f.r.trends[0].change_pct, 6900.0);
    ck_assert_double_eq_tol(f.r.trends[0].ratio, 70.0, 1e-9);
    /* |ratio - 1| = 0.5 twice: metric order (time < wip < throughput), then
     * the report's order. */
    ck_assert_int_eq(f.r.trends[1].metric, BIQ_TREND_THROUGHPUT);
    ck_assert_int_eq(f.r.trends[1].status->id, 3);
    ck_assert(!f.r.trends[1].worsening);
    ck_assert_int_eq(f.r.trends[2].status->id, 4);
    ck_assert(f.r.trends[2].worsening);
    ck_assert_int_eq(f.r.trends[3].metric, BIQ_TREND_TIME_IN_STATUS);
    ck_assert(f.r.trends[3].worsening);
    ck_assert_int_eq(f.r.trends[4].metric, BIQ_TREND_WIP);
    ck_assert(!f.r.trends[4].worsening);
    /* At most 8 rows; terminal statuses never appear. */
    init(&f, 30, 30);
    static const char *names[] = {"S0", "S1", "S2", "S3", "S4"};
    for (int i = 0; i < 5; i++)
        add(&f, 10 + i, names[i], 10, 20 + i, 4, 10, 10, 30);
    f.info[4].terminal = true;
    biq_flow_trends_compute(&f.r);
    ck_assert_uint_eq(f.r.n_trends, 8);
    for (size_t i = 0; i < 8; i++) {
        ck_assert_int_ne(f.r.trends[i].status->id, 14);
        if (i > 0)
            ck_assert(f.r.trends[i - 1].ratio - 1 >= f.r.trends[i].ratio - 1 - 1e-12);
    }
    ck_assert_str_eq(biq_trend_metric_name(BIQ_TREND_TIME_IN_STATUS), "timeInStatus");
}
END_TEST

/* ----------------------------------------------------------- windows */

static int64_t utc(int y, int m, int d, int hh)
{
    return biq_civil_days(y, m, d) * DAY + hh * H;
}

START_TEST(window_parsing)
{
    biq_window_spec s;
    ck_assert_int_eq(biq_window_parse(NULL, &s), BIQ_OK);
    ck_assert_int_eq(s.days, 30);
    ck_assert_int_eq(biq_window_parse("7d", &s), BIQ_OK);
    ck_assert_int_eq(s.days, 7);
    ck_assert_int_eq(biq_window_parse("365", &s), BIQ_OK);
    ck_assert_int_eq(biq_window_parse("1", &s), BIQ_OK);
    ck_assert_int_eq(biq_window_parse("qtd", &s), BIQ_OK);
    ck_assert_int_eq(s.kind, BIQ_WIN_QTD);
    ck_assert_int_eq(biq_window_parse("sprint-last3", &s), BIQ_OK);
    ck_assert_int_eq(s.kind, BIQ_WIN_SPRINT_LAST3);
    const char *bad[] = {"0", "366", "1000", "-5", "7x", "d", "30dd", "mtdx", " 7", "99999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_int_eq(biq_window_parse(bad[i], &s), BIQ_ERR_INVALID);
}
END_TEST

START_TEST(day_windows_and_periods_in_zones)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_tz *berlin = NULL, *ny = NULL;
    ck_assert_int_eq(biq_tz_load(NULL, "Europe/Berlin", a, &berlin), BIQ_OK);
    ck_assert_int_eq(biq_tz_load(NULL, "America/New_York", a, &ny), BIQ_OK);
    biq_flow_window w;
    biq_window_spec s = {.kind = BIQ_WIN_DAYS, .days = 7};
    biq_ms now = utc(2026, 3, 15, 10);
    ck_assert_int_eq(biq_window_resolve(&s, now, NULL, NULL, 0, &w), BIQ_OK);
    ck_assert_int_eq(w.from, now - 7 * DAY);
    ck_assert_int_eq(w.prev_from, now - 14 * DAY);
    ck_assert_int_eq(w.prev_to, w.from);
    s = (biq_window_spec){.kind = BIQ_WIN_MTD};
    ck_assert_int_eq(biq_window_resolve(&s, now, berlin, NULL, 0, &w), BIQ_OK);
    ck_assert_int_eq(w.from, utc(2026, 2, 28, 23));      /* 1 March 00:00 CET */
    ck_assert_int_eq(w.prev_from, utc(2026, 1, 31, 23)); /* 1 February */
    ck_assert_int_eq(w.prev_to, w.from);
    ck_assert_double_eq_tol(w.prev_days, 28.0, 1e-12);
    ck_assert_int_eq(biq_window_resolve(&s, now, NULL, NULL, 0, &w), BIQ_OK);
    ck_assert_int_eq(w.from, utc(2026, 3, 1, 0));
    /* 31 March 23:30 UTC is already April in Berlin (CEST). */
    ck_assert_int_eq(biq_window_resolve(&s, utc(2026, 3, 31, 23) - 0 + 30 * MIN, berlin, NULL, 0, &w),
                     BIQ_OK);
    ck_assert_int_eq(w.from, utc(2026, 3, 31, 22));
    s.kind = BIQ_WIN_QTD;
    ck_assert_int_eq(biq_window_resolve(&s, utc(2026, 5, 10, 12), ny, NULL, 0, &w), BIQ_OK);
    ck_assert_int_eq(w.from, utc(2026, 4, 1, 4));      /* EDT */
    ck_assert_int_eq(w.prev_from, utc(2026, 1, 1, 5)); /* EST */
    ck_assert_int_eq(biq_window_resolve(&s, utc(2026, 1, 1, 3), ny, NULL, 0, &w), BIQ_OK);
    ck_assert_int_eq(w.from, utc(2025, 10, 1, 4)); /* still Q4 2025 in New York */
    s = (biq_window_spec){.kind = BIQ_WIN_DAYS, .days = 0};
    ck_assert_int_eq(biq_window_resolve(&s, now, NULL, NULL, 0, &w), BIQ_ERR_INVALID);
    biq_arena_free(a);
}
END_TEST

START_TEST(sprint_windows)
{
    biq_sprint sp[] = {
        {.id = 1, .state = "closed", .start = utc(2026, 1, 5, 9), .end = utc(2026, 1, 19, 9),
         .complete = utc(2026, 1, 19, 10)},
        {.id = 2, .state = "closed", .start = utc(2026, 1, 19, 9), .end = utc(2026, 2, 2, 9),
         .complete = utc(2026, 2, 2, 11)},
        {.id = 3, .state = "closed", .start = utc(2026, 2, 2, 9), .end = utc(2026, 2, 16, 9),
         .complete = utc(2026, 2, 16, 12)},
        {.id = 4, .state = "active", .start = utc(2026, 2, 16, 9), .end = utc(2026, 3, 2, 9),
         .complete = BIQ_MS_NONE},
        {.id = 5, .state = "future", .start = BIQ_MS_NONE, .end = BIQ_MS_NONE,
         .complete = BIQ_MS_NONE},
    };
    biq_ms now = utc(2026, 2, 20, 12);
    biq_flow_window w;
    biq_window_spec s = {.kind = BIQ_WIN_SPRINT_CURRENT};
    ck_assert_int_eq(biq_window_resolve(&s, now, NULL, sp, 5, &w), BIQ_OK);
    ck_assert_int_eq(w.from, sp[3].start);
    ck_assert_int_eq(w.to, now); /* not the planned end */
    ck_assert_uint_eq(w.n_sprints, 1); /* the window names its sprint */
    ck_assert_int_eq(w.sprints[0]->id, 4);
    ck_assert_int_eq(w.prev_from, sp[2].start);
    ck_assert_int_eq(w.prev_to, sp[2].complete);
    s.kind = BIQ_WIN_SPRINT_LAST;
    ck_assert_int_eq(biq_window_resolve(&s, now, NULL, sp, 5, &w), BIQ_OK);
    ck_assert_int_eq(w.from, sp[2].start);
    ck_assert_int_eq(w.to, sp[2].complete);
    ck_assert_uint_eq(w.n_sprints, 1);
    ck_assert_int_eq(w.sprints[0]->id, 3);
    ck_assert_int_eq(w.prev_from, sp[1].start);
    ck_assert_int_eq(w.prev_to, sp[1].complete);
    s.kind = BIQ_WIN_SPRINT_LAST3;
    ck_assert_int_eq(biq_window_resolve(&s, now, NULL, sp, 5, &w), BIQ_OK);
    ck_assert_int_eq(w.from, sp[0].start);
    ck_assert_int_eq(w.to, sp[2].complete);
    ck_assert_uint_eq(w.n_sprints, 3); /* oldest first */
    ck_assert_int_eq(w.sprints[0]->id, 1);
    ck_assert_int_eq(w.sprints[2]->id, 3);
    /* No three sprints before those: the same length immediately before. */
    ck_assert_int_eq(w.prev_to, w.from);
    ck_assert_int_eq(w.prev_from, w.from - (w.to - w.from));
    ck_assert_int_eq(biq_window_resolve(&s, now, NULL, sp, 2, &w), BIQ_ERR_NOT_FOUND);
    s.kind = BIQ_WIN_SPRINT_CURRENT;
    ck_assert_int_eq(biq_window_resolve(&s, now, NULL, sp, 3, &w), BIQ_ERR_NOT_FOUND);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("flow_insight");
    TCase *tc = tcase_create("insight");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, time_and_wip_thresholds_met_exactly);
    tcase_add_test(tc, time_threshold_just_missed);
    tcase_add_test(tc, bonus_and_confidence_levels);
    tcase_add_test(tc, wip_and_throughput_thresholds);
    tcase_add_test(tc, throughput_per_day_for_unequal_windows);
    tcase_add_test(tc, ties_and_exclusions);
    tcase_add_test(tc, trend_floors);
    tcase_add_test(tc, trend_verdicts_order_and_caps);
    tcase_add_test(tc, changes_print_as_percent_then_factor);
    tcase_add_test(tc, window_parsing);
    tcase_add_test(tc, day_windows_and_periods_in_zones);
    tcase_add_test(tc, sprint_windows);
    suite_add_tcase(s, tc);
    return s;
}
