/* test_flow_json.c - the dashboard object (api.md keys, exact values,
 * sparse state, same bytes twice), the issue panel JSON, CSV lines, and the
 * rounding and instant formats. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "flow/charts_json.h"
#include "flow/dashboard_json.h"
#include "flow/flow.h"
#include "testsupport.h"
#include "tz/civil.h"

#define H BIQ_MS_PER_HOUR
#define DAY BIQ_MS_PER_DAY
#define T0 (INT64_C(1514764800000)) /* 2018-01-01T00:00:00Z */

enum { BACKLOG = 1, PROG = 2, DONE = 5 };

static const biq_status catalogue[] = {
    {BACKLOG, "Backlog", BIQ_CAT_NEW}, {PROG, "In Progress", BIQ_CAT_ACTIVE},
    {DONE, "Done", BIQ_CAT_DONE},
};

static biq_flow *make(biq_arena *a, const biq_issue *is, size_t n, biq_ms now)
{
    biq_flow_input in = {.issues = is, .n_issues = n, .statuses = catalogue, .n_statuses = 3,
                         .now = now};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    return f;
}

static json_t *dashboard(biq_flow *f, biq_arena *a, const char *window)
{
    biq_window_spec spec;
    biq_flow_window w;
    biq_flow_report *r = NULL;
    ck_assert_int_eq(biq_window_parse(window, &spec), BIQ_OK);
    ck_assert_int_eq(biq_flow_window_resolve(f, &spec, &w), BIQ_OK);
    ck_assert_int_eq(biq_flow_report_build(f, &w, a, &r), BIQ_OK);
    biq_dashboard_meta meta = {.project_key = "A", .project_name = "Alpha", .data_version = 9};
    json_t *j = biq_flow_dashboard_json(f, r, &meta);
    ck_assert_ptr_nonnull(j);
    return j;
}

static double num(const json_t *o, const char *path)
{
    json_t *v = json_object_get(o, path);
    ck_assert_msg(json_is_number(v), "%s is not a number", path);
    return json_number_value(v);
}

START_TEST(dashboard_shape_and_values)
{
    biq_arena *a = biq_arena_new(4u << 20);
    biq_transition t[] = {
        {.history_id = 1, .at = T0 + DAY, .from_status = BACKLOG, .to_status = PROG},
        {.history_id = 2, .at = T0 + 3 * DAY + 6 * H, .from_status = PROG, .to_status = DONE},
    };
    biq_issue is[] = {
        {.id = 1, .key = "A-1", .status_id = DONE, .created = T0, .transitions = t,
         .n_transitions = 2, .changelog_total = -1},
        {.id = 2, .key = "A-2", .status_id = BACKLOG, .created = T0, .changelog_total = -1},
    };
    biq_flow *f = make(a, is, 2, T0 + 7 * DAY);
    json_t *j = dashboard(f, a, "7d");
    static const char *keys[] = {"project", "window", "generatedAt", "dataVersion", "statuses",
                                 "throughput", "leadTime", "cycleTime", "bottleneck", "trends",
                                 "alerts", "sync"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        ck_assert_msg(json_object_get(j, keys[i]) != NULL, "missing %s", keys[i]);
    ck_assert_str_eq(json_string_value(json_object_get(j, "generatedAt")),
                     "2018-01-08T00:00:00.000Z");
    json_t *win = json_object_get(j, "window");
    ck_assert_double_eq(num(win, "days"), 7.0);
    ck_assert_str_eq(json_string_value(json_object_get(win, "from")), "2018-01-01T00:00:00.000Z");
    ck_assert_str_eq(json_string_value(json_object_get(win, "tz")), "UTC");
    json_t *lead = json_object_get(j, "leadTime");
    ck_assert_double_eq(num(lead, "count"), 1);
    ck_assert_double_eq(num(lead, "avgDays"), 3.25);
    ck_assert_double_eq(num(json_object_get(j, "cycleTime"), "p95Days"), 2.25);
    ck_assert_double_eq(num(json_object_get(j, "throughput"), "total"), 1);
    json_t *statuses = json_object_get(j, "statuses");
    ck_assert_uint_eq(json_array_size(statuses), 3);
    json_t *backlog = json_array_get(statuses, 0);
    ck_assert_str_eq(json_string_value(json_object_get(backlog, "id")), "1");
    ck_assert_str_eq(json_string_value(json_object_get(backlog, "role")), "backlog");
    /* Backlog: A-1 for 1 day, A-2 all 7 days: 8/7, unrounded (machine output
     * is exact since issue 13), and it prints so that it parses back. */
    ck_assert_double_eq(num(json_object_get(backlog, "waiting"), "avg"), 8.0 / 7.0);
    /* A backlog queue is waiting, never WIP (product.md), and has no limit. */
    ck_assert(json_is_null(json_object_get(backlog, "wip")));
    ck_assert(json_is_null(json_object_get(json_object_get(backlog, "waiting"), "limit")));
    json_t *prog = json_array_get(statuses, 1), *done = json_array_get(statuses, 2);
    ck_assert_str_eq(json_string_value(json_object_get(prog, "role")), "active");
    ck_assert(json_is_object(json_object_get(prog, "wip")));
    ck_assert(json_is_null(json_object_get(json_object_get(prog, "wip"), "limit")));
    ck_assert(json_is_null(json_object_get(prog, "waiting")));
    ck_assert_str_eq(json_string_value(json_object_get(done, "role")), "done");
    ck_assert(json_is_null(json_object_get(done, "wip")));
    ck_assert(json_is_null(json_object_get(done, "waiting")));
    ck_assert(json_is_null(json_object_get(json_object_get(done, "previous"), "wip")));
    ck_assert_ptr_nonnull(json_object_get(backlog, "previous"));
    json_t *bn = json_object_get(j, "bottleneck");
    ck_assert(json_is_null(json_object_get(bn, "statusId")));
    ck_assert_str_eq(json_string_value(json_object_get(bn, "state")), "healthy");
    ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(j, "alerts"), "recent")), 0);
    char *one = biq_flow_json_dumps(j), *two = biq_flow_json_dumps(j);
    ck_assert_str_eq(one, two);
    ck_assert_ptr_nonnull(strstr(one, "\"avgDays\":3.25,"));
    free(one);
    free(two);
    json_decref(j);
    biq_arena_free(a);
}
END_TEST

START_TEST(sparse_dashboard)
{
    biq_arena *a = biq_arena_new(1u << 20);
    biq_flow *f = make(a, NULL, 0, T0);
    json_t *j = dashboard(f, a, "30d");
    json_t *bn = json_object_get(j, "bottleneck");
    ck_assert_str_eq(json_string_value(json_object_get(bn, "state")), "sparse");
    ck_assert_str_eq(json_string_value(json_object_get(bn, "message")), "Not enough recent activity");
    ck_assert_uint_eq(json_array_size(json_object_get(j, "statuses")), 0);
    ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(j, "throughput"), "perWeek")), 5);
    json_decref(j);
    biq_arena_free(a);
}
END_TEST

START_TEST(issue_panel_json)
{
    biq_arena *a = biq_arena_new(1u << 20);
    biq_transition t[] = {{.history_id = 1, .at = T0 + 6 * H, .from_status = BACKLOG,
                           .to_status = PROG}};
    biq_issue is = {.id = 1, .key = "A-1", .status_id = PROG, .created = T0, .transitions = t,
                    .n_transitions = 1, .changelog_total = -1};
    biq_flow *f = make(a, &is, 1, T0 + DAY);
    json_t *j = biq_flow_issue_json(f, biq_flow_issue_at(f, 0));
    char *s = biq_flow_json_dumps(j);
    ck_assert_str_eq(s, "{\"doneAt\":null,\"generatedAt\":\"2018-01-02T00:00:00.000Z\","
                        "\"issueKey\":\"A-1\",\"sinceDoneDays\":null,\"totalDays\":1.0,\"visits\":[{\"current\":false,\"durationDays\":0.25,"
                        "\"entered\":\"2018-01-01T00:00:00.000Z\",\"left\":\"2018-01-01T06:00:00.000Z\","
                        "\"status\":\"Backlog\",\"statusId\":\"1\"},{\"current\":true,"
                        "\"durationDays\":0.75,\"entered\":\"2018-01-01T06:00:00.000Z\","
                        "\"left\":null,\"status\":\"In Progress\",\"statusId\":\"2\"}]}");
    free(s);
    json_decref(j);
    biq_arena_free(a);
}
END_TEST

/* The panel's total stops at done; the time since is shown apart, and a
 * reopened issue counts again until it is done again. */
START_TEST(issue_panel_total_stops_at_done)
{
    biq_arena *a = biq_arena_new(1u << 20);
    biq_transition t[] = {
        {.history_id = 1, .at = T0 + 6 * H, .from_status = BACKLOG, .to_status = PROG},
        {.history_id = 2, .at = T0 + 12 * H, .from_status = PROG, .to_status = DONE},
        {.history_id = 3, .at = T0 + 13 * H, .from_status = DONE, .to_status = PROG},
        {.history_id = 4, .at = T0 + 15 * H, .from_status = PROG, .to_status = DONE},
    };
    biq_issue is = {.id = 1, .key = "A-1", .status_id = DONE, .created = T0, .transitions = t,
                    .n_transitions = 4, .changelog_total = -1};
    biq_flow *f = make(a, &is, 1, T0 + 3 * DAY);
    json_t *j = biq_flow_issue_json(f, biq_flow_issue_at(f, 0));
    ck_assert_str_eq(json_string_value(json_object_get(j, "doneAt")), "2018-01-01T15:00:00.000Z");
    ck_assert_double_eq(json_real_value(json_object_get(j, "totalDays")), 15.0 / 24.0);
    ck_assert_double_eq(json_real_value(json_object_get(j, "sinceDoneDays")), 3.0 - 15.0 / 24.0);
    ck_assert_uint_eq(json_array_size(json_object_get(j, "visits")), 5);
    json_decref(j);
    biq_arena_free(a);
}
END_TEST

/* "As of": at now the project is what it was then. A move after now has
 * not happened (the item is still in progress, not done), an issue created
 * after now does not exist, and the status field (today's) is no mismatch. */
START_TEST(facts_after_now_are_not_seen)
{
    biq_arena *a = biq_arena_new(1u << 20);
    biq_transition t[] = {
        {.history_id = 1, .at = T0 + 6 * H, .from_status = BACKLOG, .to_status = PROG},
        {.history_id = 2, .at = T0 + 2 * DAY, .from_status = PROG, .to_status = DONE},
    };
    biq_issue is[] = {
        {.id = 1, .key = "A-1", .status_id = DONE, .created = T0, .transitions = t,
         .n_transitions = 2, .changelog_total = -1},
        {.id = 2, .key = "A-2", .status_id = BACKLOG, .created = T0 + DAY + 1,
         .changelog_total = -1},
    };
    biq_flow *f = make(a, is, 2, T0 + DAY);
    ck_assert_uint_eq(biq_flow_issue_count(f), 1);
    ck_assert_ptr_null(biq_flow_issue_by_key(f, "A-2"));
    const biq_flow_issue_view *v = biq_flow_issue_by_key(f, "A-1");
    ck_assert_uint_eq(v->n_slices, 2);
    ck_assert(v->slices[1].open);
    ck_assert_int_eq(v->slices[1].end, T0 + DAY);
    ck_assert_int_eq(v->done_at, BIQ_MS_NONE);
    size_t nf = 0;
    biq_flow_findings(f, &nf);
    ck_assert_uint_eq(nf, 0);
    biq_flow_aging *g = NULL;
    ck_assert_int_eq(biq_flow_wip_aging(f, a, &g), BIQ_OK);
    ck_assert_uint_eq(g->n_rows, 1);
    /* At the instant of the move it has happened (at <= now). */
    f = make(a, is, 2, T0 + 2 * DAY);
    ck_assert_int_eq(biq_flow_issue_by_key(f, "A-1")->done_at, T0 + 2 * DAY);
    ck_assert_uint_eq(biq_flow_issue_count(f), 2);
    biq_arena_free(a);
}
END_TEST

/* The data-quality report lists exactly the issues of each finding, found
 * by id among many: an issue visiting an unknown status, one with a move
 * out of order, none of the others. */
START_TEST(quality_groups_name_exactly_their_issues)
{
    biq_arena *a = biq_arena_new(1u << 20);
    enum { N = 9, UNKNOWN = 77 };
    biq_transition odd[] = {
        {.history_id = 1, .at = T0 + 2 * H, .from_status = BACKLOG, .to_status = PROG},
        {.history_id = 2, .at = T0 - H, .from_status = PROG, .to_status = DONE}, /* before created */
    };
    biq_transition unk[] = {{.history_id = 3, .at = T0 + H, .from_status = BACKLOG, .to_status = UNKNOWN}};
    static const char *const keys[N] = {"A-1", "A-2", "A-3", "A-4", "A-5", "A-6", "A-7", "A-8", "A-9"};
    biq_issue is[N];
    for (int i = 0; i < N; i++)
        is[i] = (biq_issue){.id = 10 + i, .key = keys[i], .status_id = BACKLOG, .created = T0,
                            .changelog_total = -1};
    is[6].transitions = unk; /* A-7 visits an unknown status */
    is[6].n_transitions = 1;
    is[6].status_id = UNKNOWN;
    is[2].transitions = odd; /* A-3 has a move before it was created */
    is[2].n_transitions = 2;
    is[2].status_id = PROG;
    biq_flow *f = make(a, is, N, T0 + DAY);
    biq_flow_dq_report rep;
    ck_assert_int_eq(biq_flow_dq_report_build(f, a, &rep), BIQ_OK);
    bool seen_unknown = false, seen_order = false;
    for (size_t g = 0; g < rep.n_groups; g++) {
        const biq_flow_dq_group *grp = &rep.groups[g];
        if (grp->kind == BIQ_DQ_UNKNOWN_STATUS) {
            seen_unknown = true;
            ck_assert_uint_eq(grp->n_issues, 1);
            ck_assert_uint_eq(grp->n_keys, 1);
            ck_assert_str_eq(grp->keys[0], "A-7");
        } else if (grp->kind == BIQ_DQ_OUT_OF_ORDER) {
            seen_order = true;
            ck_assert_uint_eq(grp->n_issues, 1);
            ck_assert_str_eq(grp->keys[0], "A-3");
        }
    }
    ck_assert(seen_unknown && seen_order);
    biq_arena_free(a);
}
END_TEST

/* Averages are one correctly rounded division of exact integers: dividing
 * in long double and rounding again to double would differ here (double
 * rounding), and a script recomputing from the slices would not match. */
START_TEST(quotients_round_once)
{
    const int64_t n = INT64_C(3081166468439118), d = 20414271;
    ck_assert_double_eq(biq_flow_quotient((long double)n, (long double)d), (double)n / (double)d);
    if (LDBL_MANT_DIG > DBL_MANT_DIG) /* x86-64's 80-bit long double */
        ck_assert_double_ne((double)((long double)n / (long double)d), (double)n / (double)d);
    ck_assert_double_eq(biq_flow_quotient(7.0L, 2.0L), 3.5);
}
END_TEST

START_TEST(csv_lines)
{
    biq_arena *a = biq_arena_new(1u << 20);
    biq_transition t[] = {{.history_id = 1, .at = T0 + 6 * H, .from_status = BACKLOG,
                           .to_status = PROG}};
    biq_issue is = {.id = 1, .key = "A-1", .project_key = "A",
                    .summary = "=HYPERLINK(\"x\"), then", .status_id = PROG, .created = T0,
                    .transitions = t, .n_transitions = 1, .changelog_total = -1};
    biq_flow *f = make(a, &is, 1, T0 + DAY);
    biq_window_spec spec = {.kind = BIQ_WIN_DAYS, .days = 1};
    biq_flow_window w;
    ck_assert_int_eq(biq_flow_window_resolve(f, &spec, &w), BIQ_OK);
    biq_flow_csv_row *rows = NULL;
    size_t n = 0, len = 0;
    ck_assert_int_eq(biq_flow_csv_rows(f, &w, a, &rows, &n), BIQ_OK);
    ck_assert_uint_eq(n, 2); /* the closed slice and the open one (ends now) */
    char buf[BIQ_FLOW_CSV_LINE_MAX];
    ck_assert_int_eq(biq_flow_csv_header(buf, sizeof buf, &len), BIQ_OK);
    ck_assert_str_eq(buf, "issue_key,summary,project,current_status,created,done,slice_status,"
                          "start,end,duration_seconds,open,external,terminal\r\n");
    ck_assert_int_eq(biq_flow_csv_format(&rows[0], buf, sizeof buf, &len), BIQ_OK);
    ck_assert_str_eq(buf, "A-1,\"'=HYPERLINK(\"\"x\"\"), then\",A,In Progress,"
                          "2018-01-01T00:00:00.000Z,,Backlog,2018-01-01T00:00:00.000Z,"
                          "2018-01-01T06:00:00.000Z,21600.000,false,false,false\r\n");
    ck_assert_uint_eq(len, strlen(buf));
    ck_assert_int_eq(biq_flow_csv_format(&rows[1], buf, sizeof buf, &len), BIQ_OK);
    ck_assert_ptr_nonnull(strstr(buf, ",64800.000,true,false,false\r\n"));
    /* Too small a buffer is an error, never a truncated line. */
    for (size_t size = 0; size < 60; size++)
        ck_assert_int_eq(biq_flow_csv_format(&rows[0], buf, size, &len), BIQ_ERR_TOO_LARGE);
    biq_arena_free(a);
}
END_TEST

START_TEST(rounding_and_instants)
{
    ck_assert_double_eq(biq_flow_round(1.005, 2), 1.0); /* 1.005 is 1.00499.. in binary */
    ck_assert_double_eq(biq_flow_round(0.125, 2), 0.13);
    ck_assert_double_eq(biq_flow_round(-0.125, 2), -0.13);
    ck_assert_double_eq(biq_flow_round(-0.001, 2), 0.0);
    ck_assert(!signbit(biq_flow_round(-0.001, 2)));
    ck_assert_double_eq(biq_flow_round(2.5, 0), 3.0);
    char b[32];
    ck_assert(biq_flow_format_instant(-1, b, sizeof b));
    ck_assert_str_eq(b, "1969-12-31T23:59:59.999Z");
    ck_assert(biq_flow_format_instant(INT64_C(1709164800123), b, sizeof b));
    ck_assert_str_eq(b, "2024-02-29T00:00:00.123Z");
    ck_assert(!biq_flow_format_instant(0, b, 10));
}
END_TEST

START_TEST(chart_and_findings_json)
{
    biq_arena *a = biq_arena_new(4u << 20);
    biq_transition t[] = {
        {.history_id = 1, .at = T0 + DAY, .from_status = BACKLOG, .to_status = PROG},
        {.history_id = 2, .at = T0 + 3 * DAY, .from_status = PROG, .to_status = DONE},
        {.history_id = 3, .at = T0 - DAY, .from_status = BACKLOG, .to_status = PROG},
    };
    biq_issue is[] = {
        {.id = 1, .key = "A-1", .status_id = DONE, .created = T0, .transitions = t,
         .n_transitions = 3, .issue_type = "Bug", .changelog_total = 5, .changelog_present = 3},
        {.id = 2, .key = "A-2", .status_id = PROG, .created = T0, .transitions = t, .n_transitions = 1,
         .issue_type = "Story", .assignee = "Ada", .priority = "High", .changelog_total = -1},
    };
    biq_flow_wip_limit limit = {PROG, 3};
    biq_flow_settings cfg;
    biq_flow_settings_init(&cfg);
    cfg.wip_limits = &limit;
    cfg.n_wip_limits = 1;
    biq_flow_input in = {.issues = is, .n_issues = 2, .statuses = catalogue, .n_statuses = 3,
                         .settings = &cfg, .now = T0 + 5 * DAY};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    biq_flow_aging *g = NULL;
    ck_assert_int_eq(biq_flow_wip_aging(f, a, &g), BIQ_OK);
    json_t *j = biq_flow_aging_json(f, g);
    char *s = biq_flow_json_dumps(j);
    ck_assert_str_eq(s, "{\"generatedAt\":\"2018-01-06T00:00:00.000Z\",\"items\":[{\"agingPastNormal\":true,"
                        "\"assignee\":\"Ada\",\"blocked\":false,\"createdAt\":\"2018-01-01T00:00:00.000Z\","
                        "\"daysInStatus\":4.0,\"daysSinceCreated\":5.0,"
                        "\"daysSinceStarted\":4.0,\"enteredAt\":\"2018-01-02T00:00:00.000Z\",\"flagged\":false,"
                        "\"issueType\":\"Story\",\"key\":\"A-2\",\"size\":4.0,"
                        "\"startedAt\":\"2018-01-02T00:00:00.000Z\","
                        "\"status\":\"In Progress\",\"statusId\":\"2\",\"summary\":null}],\"referenceN\":1,"
                        "\"referenceP95Days\":3.0,\"wipLimits\":[{\"limit\":3,\"statusId\":\"2\"}]}");
    free(s);
    json_decref(j);
    biq_flow_wip_stack *c = NULL;
    int64_t d0 = biq_civil_days(2018, 1, 1);
    ck_assert_int_eq(biq_flow_wip_stack_build(f, d0, d0 + 1, a, &c), BIQ_OK);
    j = biq_flow_wip_stack_json(f, c);
    s = biq_flow_json_dumps(j);
    /* Moves at exactly midnight belong to the day that ends there; bands in
     * the project's order (Backlog -> In Progress), not by volume. */
    ck_assert_str_eq(s, "{\"bands\":[{\"name\":\"Backlog\",\"statusId\":\"1\"},{\"name\":"
                        "\"In Progress\",\"statusId\":\"2\"}],\"days\":[{\"at\":\"2018-01-02T00:00:00.000Z\","
                        "\"counts\":[0,2],\"date\":\"2018-01-01\",\"done\":0,\"throughput\":0,\"wip\":2},"
                        "{\"at\":\"2018-01-03T00:00:00.000Z\",\"counts\":[0,2],\"date\":\"2018-01-02\","
                        "\"done\":0,\"throughput\":0,\"wip\":2}],\"tz\":\"UTC\"}");
    free(s);
    json_decref(j);
    biq_window_spec spec = {.kind = BIQ_WIN_DAYS, .days = 7};
    biq_flow_window w;
    biq_flow_scatter *sc = NULL;
    ck_assert_int_eq(biq_flow_window_resolve(f, &spec, &w), BIQ_OK);
    ck_assert_int_eq(biq_flow_scatter_build(f, &w, a, &sc), BIQ_OK);
    j = biq_flow_scatter_json(sc);
    s = biq_flow_json_dumps(j);
    ck_assert_ptr_nonnull(strstr(s, "\"points\":[{\"createdAt\":\"2018-01-01T00:00:00.000Z\","
                                    "\"cycleAboveP85\":false,\"cycleAboveP95\":false,"
                                    "\"cycleDays\":2.0,\"doneAt\":\"2018-01-04T00:00:00.000Z\","
                                    "\"issueType\":\"Bug\",\"key\":\"A-1\""));
    free(s);
    json_decref(j);
    j = biq_flow_findings_json(f);
    s = biq_flow_json_dumps(j);
    ck_assert_str_eq(s, "[{\"actualStatusId\":\"2\",\"at\":\"2017-12-31T00:00:00.000Z\","
                        "\"expectedStatusId\":\"1\",\"historyId\":\"3\",\"issueKey\":\"A-1\","
                        "\"kind\":\"out_of_order\"},{\"at\":null,\"changelogPresent\":3,"
                        "\"changelogTotal\":5,\"historyId\":null,\"issueKey\":\"A-1\","
                        "\"kind\":\"truncated_history\"}]");
    free(s);
    json_decref(j);
    biq_dashboard_meta meta = {.project_key = "A"};
    ck_assert_int_eq(biq_flow_dashboard_build(f, "30d", &meta, a, &j), BIQ_OK);
    json_decref(j);
    ck_assert_int_eq(biq_flow_dashboard_build(f, "400d", &meta, a, &j), BIQ_ERR_INVALID);
    ck_assert_int_eq(biq_flow_dashboard_build(f, "sprint-last", &meta, a, &j), BIQ_ERR_NOT_FOUND);
    biq_arena_free(a);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("flow_json");
    TCase *tc = tcase_create("json");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, dashboard_shape_and_values);
    tcase_add_test(tc, sparse_dashboard);
    tcase_add_test(tc, issue_panel_json);
    tcase_add_test(tc, issue_panel_total_stops_at_done);
    tcase_add_test(tc, facts_after_now_are_not_seen);
    tcase_add_test(tc, quality_groups_name_exactly_their_issues);
    tcase_add_test(tc, quotients_round_once);
    tcase_add_test(tc, csv_lines);
    tcase_add_test(tc, rounding_and_instants);
    tcase_add_test(tc, chart_and_findings_json);
    suite_add_tcase(s, tc);
    return s;
}
