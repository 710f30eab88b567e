/* test_flow_cfd.c - issue #15: the project's status order (from a board
 * configuration, else inferred from the moves, with its tie rule), the
 * true cumulative flow diagram on small hand-computed projects (a reopen
 * is a correction and no line falls; statuses off the board; the backlog
 * cut), its JSON and CSV table, and the column-level view. */
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "flow/charts_json.h"
#include "flow/flow.h"
#include "testsupport.h"
#include "tz/civil.h"

#define H BIQ_MS_PER_HOUR
#define DAY BIQ_MS_PER_DAY

enum { MAX_T = 8 };

/* 2018-01-<day> at <hour>:00 UTC. */
static biq_ms at(int day, int hour)
{
    return biq_civil_days(2018, 1, day) * DAY + hour * H;
}

typedef struct step {
    biq_ms at;
    int64_t to;
} step;

typedef struct item {
    biq_issue issue;
    biq_transition t[MAX_T];
} item;

/* An issue created at `created` in `first`, moved by steps (to 0 ends). */
static void make_item(item *it, int64_t id, const char *key, biq_ms created, int64_t first,
                      const step *steps)
{
    size_t n = 0;
    int64_t cur = first;
    for (; n < MAX_T && steps && steps[n].to; n++) {
        it->t[n] = (biq_transition){.history_id = id * 100 + (int64_t)n, .at = steps[n].at,
                                    .from_status = cur, .to_status = steps[n].to};
        cur = steps[n].to;
    }
    it->issue = (biq_issue){.id = id, .key = key, .project_key = "P", .summary = key,
                            .status_id = cur, .issue_type = "Story", .created = created,
                            .updated = created, .resolution_at = BIQ_MS_NONE,
                            .transitions = it->t, .n_transitions = n,
                            .changelog_total = (int32_t)n, .changelog_present = (int32_t)n};
}

static biq_flow *flow_of(biq_arena *a, item *items, size_t n, const biq_status *cat, size_t nc,
                         const biq_board *board, biq_ms now)
{
    static biq_issue issues[16];
    ck_assert_uint_le(n, 16);
    for (size_t i = 0; i < n; i++)
        issues[i] = items[i].issue;
    biq_flow_input in = {.issues = issues, .n_issues = n, .statuses = cat, .n_statuses = nc,
                         .board = board, .now = now};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    return f;
}

static void expect_order(const biq_flow *f, const int64_t *want, size_t n)
{
    ck_assert_uint_eq(biq_flow_status_count(f), n);
    for (size_t i = 0; i < n; i++) {
        const biq_flow_status_info *st = biq_flow_status_ordered(f, i);
        ck_assert_msg(st->id == want[i], "position %zu: %lld, want %lld", i, (long long)st->id,
                      (long long)want[i]);
        ck_assert_uint_eq(st->rank, i);
    }
}

/* ------------------------------------------------------- from a board */

enum { TODO = 1, PROG = 2, DONE = 3, REVIEW = 4, BLOCKED = 5, ARCHIVE = 6 };

static const biq_status catalogue[] = {
    {TODO, "To Do", BIQ_CAT_NEW},         {PROG, "In Progress", BIQ_CAT_ACTIVE},
    {DONE, "Done", BIQ_CAT_DONE},         {REVIEW, "Review", BIQ_CAT_ACTIVE},
    {BLOCKED, "Blocked", BIQ_CAT_ACTIVE}, {ARCHIVE, "Archive", BIQ_CAT_NEW},
};
enum { N_CAT = sizeof catalogue / sizeof catalogue[0] };

/* The shape Jira Software's GET /rest/agile/1.0/board/{id}/configuration
 * returns (columnConfig.columns: name, statuses [{id}], optional min/max),
 * as the parser turns it into biq_board: "Backlog" [1], "Doing" [2, 4]
 * with max 3, "Done" [3, 2] (2 twice: the first column keeps it) and an id
 * the project does not know (99). Blocked and Archive are off the board. */
static const int64_t col0[] = {TODO}, col1[] = {REVIEW, PROG}, col2[] = {DONE, PROG, 99};
static const biq_board_column columns[] = {
    {"Backlog", col0, 1, -1, -1},
    {"Doing", col1, 2, -1, 3},
    {"Done", col2, 3, -1, -1},
};
static const biq_board board = {84, "P board", columns, 3};

START_TEST(order_from_a_board_then_off_board_statuses)
{
    biq_arena *a = biq_arena_new(4 << 20);
    item it[1];
    make_item(&it[0], 1, "P-1", at(1, 0), TODO, NULL);
    biq_flow *f = flow_of(a, it, 1, catalogue, N_CAT, &board, at(9, 0));
    /* Columns left to right, a column's statuses in the configuration's
     * order (Review before In Progress), then off the board in the base
     * order: Archive (new) before Blocked (active), whatever the ids. */
    const int64_t want[] = {TODO, REVIEW, PROG, DONE, ARCHIVE, BLOCKED};
    expect_order(f, want, 6);
    ck_assert_uint_eq(biq_flow_column_count(f), 3);
    const biq_flow_column *doing = biq_flow_column_at(f, 1);
    ck_assert_str_eq(doing->name, "Doing");
    ck_assert_int_eq(doing->wip_limit, 3);
    ck_assert_uint_eq(doing->n_statuses, 2);
    ck_assert_int_eq(biq_flow_status_at(f, doing->statuses[0])->id, REVIEW);
    /* In Progress listed again under Done and 99 unknown: dropped there. */
    ck_assert_uint_eq(biq_flow_column_at(f, 2)->n_statuses, 1);
    ck_assert_int_eq(biq_flow_column_at(f, 0)->wip_limit, -1);
    ck_assert_ptr_null(biq_flow_column_at(f, 3));
    for (size_t i = 0; i < biq_flow_status_count(f); i++) {
        const biq_flow_status_info *st = biq_flow_status_at(f, i);
        int32_t col = st->id == TODO ? 0 : st->id == DONE ? 2 : st->id <= REVIEW ? 1 : -1;
        ck_assert_int_eq(st->column, col);
    }
    /* The comparison every list uses. */
    ck_assert_int_lt(biq_flow_status_order_cmp(biq_flow_status_ordered(f, 1),
                                               biq_flow_status_ordered(f, 2)),
                     0);
    ck_assert_int_gt(biq_flow_status_order_cmp(biq_flow_status_ordered(f, 5),
                                               biq_flow_status_ordered(f, 0)),
                     0);
    /* A board whose columns array is missing is refused. */
    biq_board bad = {1, "bad", NULL, 2};
    biq_flow_input in = {.board = &bad, .now = at(9, 0)};
    biq_flow *g = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &g), BIQ_ERR_INVALID);
    biq_arena_free(a);
}
END_TEST

/* ------------------------------------------------- inferred, with ties */

START_TEST(inferred_order_majority_then_base_order)
{
    biq_arena *a = biq_arena_new(4 << 20);
    /* Two statuses of the same name and category: ids 12 and 13. */
    static const biq_status cat[] = {{11, "Open", BIQ_CAT_NEW},
                                     {12, "Review", BIQ_CAT_ACTIVE},
                                     {13, "Review", BIQ_CAT_ACTIVE}};
    item it[3];
    /* One move 13 -> 12, one 12 -> 13: a tie, the base order (id) decides. */
    const step s1[] = {{at(2, 0), 13}, {at(3, 0), 12}, {0, 0}};
    const step s2[] = {{at(2, 0), 12}, {at(3, 0), 13}, {0, 0}};
    make_item(&it[0], 1, "P-1", at(1, 0), 11, s1);
    make_item(&it[1], 2, "P-2", at(1, 0), 11, s2);
    biq_flow *f = flow_of(a, it, 2, cat, 3, NULL, at(9, 0));
    const int64_t tie[] = {11, 12, 13};
    expect_order(f, tie, 3);
    /* One more 13 -> 12: now the majority puts 13 first. */
    make_item(&it[2], 3, "P-3", at(1, 0), 11, s1);
    f = flow_of(a, it, 3, cat, 3, NULL, at(9, 0));
    const int64_t majority[] = {11, 13, 12};
    expect_order(f, majority, 3);
    biq_arena_free(a);
}
END_TEST

START_TEST(inferred_order_breaks_a_reopen_cycle_by_the_base_order)
{
    biq_arena *a = biq_arena_new(4 << 20);
    /* To Do -> In Progress -> Done -> To Do: a cycle (each edge once or
     * more, Done -> To Do once). Every status has one "comes first"
     * status: the base order picks To Do, then In Progress has none. */
    item it[1];
    const step s[] = {{at(2, 10), PROG}, {at(3, 10), DONE}, {at(4, 10), TODO},
                      {at(5, 10), PROG}, {at(6, 10), DONE}, {0, 0}};
    make_item(&it[0], 1, "P-1", at(1, 10), TODO, s);
    biq_flow *f = flow_of(a, it, 1, catalogue, N_CAT, NULL, at(8, 0));
    /* Used first, then the unused in the base order (new, active by name). */
    const int64_t want[] = {TODO, PROG, DONE, ARCHIVE, BLOCKED, REVIEW};
    expect_order(f, want, 6);
    ck_assert_uint_eq(biq_flow_column_count(f), 0);
    ck_assert_int_eq(biq_flow_status_ordered(f, 0)->column, -1);
    biq_arena_free(a);
}
END_TEST

/* ------------------------------------------------------------- the CFD */

/* X: created 01 10:00 in To Do, In Progress 02, Done 03, reopened to To Do
 * 04, In Progress 05, Done 06 (all 10:00). Y: created 01 10:00, In
 * Progress 03 10:00. */
static biq_flow *reopen_project(biq_arena *a, biq_ms now)
{
    static item it[2];
    const step x[] = {{at(2, 10), PROG}, {at(3, 10), DONE}, {at(4, 10), TODO},
                      {at(5, 10), PROG}, {at(6, 10), DONE}, {0, 0}};
    const step y[] = {{at(3, 10), PROG}, {0, 0}};
    make_item(&it[0], 1, "P-1", at(1, 10), TODO, x);
    make_item(&it[1], 2, "P-2", at(1, 10), TODO, y);
    return flow_of(a, it, 2, catalogue, N_CAT, NULL, now);
}

START_TEST(reopen_is_a_correction_and_no_line_falls)
{
    biq_arena *a = biq_arena_new(4 << 20);
    biq_flow *f = reopen_project(a, at(8, 0));
    biq_flow_cfd *c = NULL;
    int64_t d1 = biq_civil_days(2018, 1, 1);
    ck_assert_int_eq(biq_flow_cfd_build(f, d1, d1 + 6, false, a, &c), BIQ_OK);
    ck_assert_uint_eq(c->n_bands, 3); /* To Do, In Progress, Done */
    ck_assert_str_eq(c->bands[0].name, "To Do");
    ck_assert_str_eq(c->bands[2].name, "Done");
    ck_assert_uint_eq(c->done_band, 2);
    static const uint32_t want[7][3] = {{2, 0, 0}, {2, 1, 0}, {2, 2, 1}, {2, 2, 1},
                                        {2, 2, 1}, {2, 2, 1}, {2, 2, 1}};
    static const uint32_t arrivals[7] = {2, 0, 0, 0, 0, 0, 0};
    static const uint32_t departures[7] = {0, 0, 1, 0, 0, 0, 0};
    for (size_t d = 0; d < 7; d++) {
        for (size_t b = 0; b < 3; b++) {
            ck_assert_msg(c->reached[d * 3 + b] == want[d][b], "day %zu band %zu: %u", d + 1, b,
                          c->reached[d * 3 + b]);
            if (d > 0) /* no line ever falls */
                ck_assert_uint_ge(c->reached[d * 3 + b], c->reached[(d - 1) * 3 + b]);
        }
        ck_assert_uint_eq(c->arrivals[d], arrivals[d]);
        ck_assert_uint_eq(c->departures[d], departures[d]);
    }
    /* The reopen, listed: Done -> To Do from the 4th, back in Done on the
     * 6th (the move to In Progress on the 5th does not end it). */
    ck_assert_uint_eq(c->n_corrections, 1);
    const biq_flow_cfd_correction *x = &c->corrections[0];
    ck_assert_str_eq(x->issue->issue->key, "P-1");
    ck_assert_str_eq(x->from, "Done");
    ck_assert_str_eq(x->to, "To Do");
    ck_assert_int_eq(x->at, at(4, 10));
    ck_assert_int_eq(x->back_at, at(6, 10));
    ck_assert_int_eq(x->start_day, d1 + 3);
    ck_assert_int_eq(x->end_day, d1 + 5);
    /* Seen before it ends: open, ending on the chart's last day. */
    f = reopen_project(a, at(5, 12));
    ck_assert_int_eq(biq_flow_cfd_build(f, d1, d1 + 4, false, a, &c), BIQ_OK);
    ck_assert_uint_eq(c->n_corrections, 1);
    ck_assert_int_eq(c->corrections[0].back_at, BIQ_MS_NONE);
    ck_assert_int_eq(c->corrections[0].end_day, d1 + 4);
    /* A chart that ends before the reopen has none; one that starts after
     * it ended has none either. */
    ck_assert_int_eq(biq_flow_cfd_build(f, d1, d1 + 2, false, a, &c), BIQ_OK);
    ck_assert_uint_eq(c->n_corrections, 0);
    f = reopen_project(a, at(8, 0));
    ck_assert_int_eq(biq_flow_cfd_build(f, d1 + 6, d1 + 6, false, a, &c), BIQ_OK);
    ck_assert_uint_eq(c->n_corrections, 0);
    /* The first day's arrivals count from its start: on the 3rd alone none. */
    ck_assert_int_eq(biq_flow_cfd_build(f, d1 + 2, d1 + 2, false, a, &c), BIQ_OK);
    ck_assert_uint_eq(c->arrivals[0], 0);
    ck_assert_uint_eq(c->departures[0], 1);
    biq_arena_free(a);
}
END_TEST

START_TEST(backlog_cut_counts_from_the_first_committed_status)
{
    biq_arena *a = biq_arena_new(4 << 20);
    biq_flow *f = reopen_project(a, at(8, 0));
    biq_flow_cfd *c = NULL;
    int64_t d1 = biq_civil_days(2018, 1, 1);
    ck_assert_int_eq(biq_flow_cfd_build(f, d1, d1 + 6, true, a, &c), BIQ_OK);
    ck_assert(c->backlog_cut);
    ck_assert_uint_eq(c->n_bands, 2);
    ck_assert_str_eq(c->bands[0].name, "In Progress");
    ck_assert_uint_eq(c->done_band, 1);
    static const uint32_t arrivals[7] = {0, 1, 1, 0, 0, 0, 0};
    for (size_t d = 0; d < 7; d++)
        ck_assert_uint_eq(c->arrivals[d], arrivals[d]);
    ck_assert_uint_eq(c->reached[6 * 2], 2);
    ck_assert_uint_eq(c->reached[6 * 2 + 1], 1);
    /* The reopen went back before the cut: still a correction. */
    ck_assert_uint_eq(c->n_corrections, 1);
    ck_assert_str_eq(c->corrections[0].to, "To Do");
    biq_arena_free(a);
}
END_TEST

/* With the board: Z starts in Blocked (off the board: not counted), reaches
 * Review (Doing) on the 2nd and goes back to Blocked on the 3rd for good.
 * W walks Backlog 01 -> In Progress 02 -> Review 03 -> Done 05 (midnights). */
START_TEST(board_frame_columns_off_board_and_column_view)
{
    biq_arena *a = biq_arena_new(4 << 20);
    item it[2];
    const step z[] = {{at(2, 10), REVIEW}, {at(3, 10), BLOCKED}, {0, 0}};
    const step w[] = {{at(2, 0), PROG}, {at(3, 0), REVIEW}, {at(5, 0), DONE}, {0, 0}};
    make_item(&it[0], 1, "P-1", at(1, 10), BLOCKED, z);
    make_item(&it[1], 2, "P-2", at(1, 0), TODO, w);
    biq_flow *f = flow_of(a, it, 2, catalogue, N_CAT, &board, at(8, 0));
    biq_flow_cfd *c = NULL;
    int64_t d1 = biq_civil_days(2018, 1, 1);
    ck_assert_int_eq(biq_flow_cfd_build(f, d1, d1 + 6, false, a, &c), BIQ_OK);
    ck_assert(c->by_columns);
    ck_assert_uint_eq(c->n_bands, 3);
    ck_assert_str_eq(c->bands[1].name, "Doing");
    ck_assert_ptr_eq(c->bands[1].column, biq_flow_column_at(f, 1));
    /* W's move at midnight on the 2nd belongs to the 1st (the day it ends). */
    static const uint32_t want[7][3] = {{1, 1, 0}, {2, 2, 0}, {2, 2, 0}, {2, 2, 1},
                                        {2, 2, 1}, {2, 2, 1}, {2, 2, 1}};
    for (size_t d = 0; d < 7; d++)
        for (size_t b = 0; b < 3; b++)
            ck_assert_msg(c->reached[d * 3 + b] == want[d][b], "day %zu band %zu: %u", d + 1, b,
                          c->reached[d * 3 + b]);
    ck_assert_uint_eq(c->n_corrections, 1);
    ck_assert_str_eq(c->corrections[0].from, "Doing");
    ck_assert_ptr_null(c->corrections[0].to); /* off the board */
    ck_assert_int_eq(c->corrections[0].back_at, BIQ_MS_NONE);
    /* The column view: W's one visit to Doing spans In Progress and Review,
     * 02 00:00 -> 05 00:00 = 3 days; Z's visit (02 10:00 -> 03 10:00) is
     * one day; Z sits in Blocked at the end (no column). */
    biq_flow_window win;
    biq_window_spec ws = {.kind = BIQ_WIN_CUSTOM, .from = at(1, 0), .to = at(8, 0)};
    ck_assert_int_eq(biq_window_resolve(&ws, at(8, 0), NULL, NULL, 0, &win), BIQ_OK);
    biq_flow_report *r = NULL;
    ck_assert_int_eq(biq_flow_report_build(f, &win, a, &r), BIQ_OK);
    ck_assert_uint_eq(r->n_columns, 3);
    const biq_flow_column_metrics *doing = &r->columns[1];
    ck_assert_uint_eq(doing->time.count, 2);
    ck_assert_double_eq_tol(doing->time.avg_ms, 2.0 * DAY, 1e-6);
    ck_assert_uint_eq(doing->throughput, 2);
    ck_assert_uint_eq(doing->wip_current, 0);
    ck_assert_uint_eq(r->columns[2].wip_current, 1);
    /* 4 item-days in Doing over a 7-day window. */
    ck_assert_double_eq_tol(doing->wip_avg, 4.0 / 7.0, 1e-12);
    /* Rows in the board's order: To Do, Review, In Progress, Done, Blocked. */
    const int64_t rows[] = {TODO, REVIEW, PROG, DONE, BLOCKED};
    ck_assert_uint_eq(r->n_statuses, 5);
    for (size_t i = 0; i < 5; i++)
        ck_assert_int_eq(r->statuses[i].status->id, rows[i]);
    /* Flow debt on the board's frame: W arrived on the 1st at 00:00 (the
     * window's open edge: out), Z on the 2nd; W departed on the 5th. */
    ck_assert_uint_eq(r->debt->arrivals, 1);
    ck_assert_uint_eq(r->debt->departures, 1);
    ck_assert_int_eq(r->debt->debt, 0);
    biq_arena_free(a);
}
END_TEST

/* A cancelled-like status the moves put early (Won't Do, category To Do,
 * reached from To Do) stays there in the status order but joins the done
 * part of the CFD's frame: leaving the work is a departure. */
START_TEST(terminal_statuses_close_the_frame)
{
    biq_arena *a = biq_arena_new(4 << 20);
    static const biq_status cat[] = {{TODO, "To Do", BIQ_CAT_NEW},
                                     {PROG, "In Progress", BIQ_CAT_ACTIVE},
                                     {DONE, "Done", BIQ_CAT_DONE},
                                     {7, "Won't Do", BIQ_CAT_NEW}};
    item it[2];
    const step cancel[] = {{at(2, 10), 7}, {0, 0}};
    const step work[] = {{at(2, 10), PROG}, {at(3, 10), DONE}, {0, 0}};
    make_item(&it[0], 1, "P-1", at(1, 10), TODO, cancel);
    make_item(&it[1], 2, "P-2", at(1, 10), TODO, work);
    biq_flow *f = flow_of(a, it, 2, cat, 4, NULL, at(5, 0));
    const int64_t order[] = {TODO, 7, PROG, DONE};
    expect_order(f, order, 4);
    biq_flow_cfd *c = NULL;
    int64_t d1 = biq_civil_days(2018, 1, 1);
    ck_assert_int_eq(biq_flow_cfd_build(f, d1, d1 + 3, false, a, &c), BIQ_OK);
    ck_assert_uint_eq(c->n_bands, 4);
    ck_assert_str_eq(c->bands[1].name, "In Progress");
    ck_assert_str_eq(c->bands[2].name, "Won't Do");
    ck_assert_uint_eq(c->done_band, 2);
    static const uint32_t departures[4] = {0, 1, 1, 0};
    for (size_t d = 0; d < 4; d++)
        ck_assert_uint_eq(c->departures[d], departures[d]);
    ck_assert_uint_eq(c->n_corrections, 0);
    biq_arena_free(a);
}
END_TEST

START_TEST(cfd_json_and_csv_table)
{
    biq_arena *a = biq_arena_new(4 << 20);
    biq_flow *f = reopen_project(a, at(8, 0));
    biq_flow_cfd *c = NULL;
    int64_t d1 = biq_civil_days(2018, 1, 1);
    /* Jan 4 and 5: the reopen is seen, its end (the 6th) is not yet. */
    ck_assert_int_eq(biq_flow_cfd_build(f, d1 + 3, d1 + 4, false, a, &c), BIQ_OK);
    json_t *j = biq_flow_cfd_json(f, c);
    char *s = biq_flow_json_dumps(j);
    ck_assert_str_eq(
        s, "{\"arrivals\":0,\"backlogCut\":false,\"bands\":[{\"done\":false,\"name\":\"To Do\","
           "\"statusIds\":[\"1\"],\"wipLimit\":null},{\"done\":false,\"name\":\"In Progress\","
           "\"statusIds\":[\"2\"],\"wipLimit\":null},{\"done\":true,\"name\":\"Done\","
           "\"statusIds\":[\"3\"],\"wipLimit\":null}],\"corrections\":[{\"at\":"
           "\"2018-01-04T10:00:00.000Z\",\"backAt\":null,\"endDate\":"
           "\"2018-01-05\",\"from\":\"Done\",\"key\":\"P-1\",\"ongoing\":true,\"startDate\":"
           "\"2018-01-04\",\"to\":\"To Do\"}],\"correctionsTruncated\":false,\"days\":[{\"arrivals\":0,"
           "\"at\":\"2018-01-05T00:00:00.000Z\",\"date\":\"2018-01-04\",\"departures\":0,"
           "\"reached\":[2,2,1]},{\"arrivals\":0,\"at\":\"2018-01-06T00:00:00.000Z\",\"date\":"
           "\"2018-01-05\",\"departures\":0,\"reached\":[2,2,1]}],\"departures\":0,\"doneBand\":2,"
           "\"flowDebt\":0,\"frame\":\"statuses\",\"tz\":\"UTC\"}");
    free(s);
    json_decref(j);
    char line[256];
    size_t len = 0;
    ck_assert_int_eq(biq_flow_cfd_csv_header(line, sizeof line, &len), BIQ_OK);
    ck_assert_str_eq(line, "date,band,position,reached,in_band,done_band\r\n");
    ck_assert_int_eq(biq_flow_cfd_csv_format(c, 1, 1, line, sizeof line, &len), BIQ_OK);
    ck_assert_str_eq(line, "2018-01-05,In Progress,1,2,1,false\r\n");
    ck_assert_int_eq(biq_flow_cfd_csv_format(c, 0, 2, line, sizeof line, &len), BIQ_OK);
    ck_assert_str_eq(line, "2018-01-04,Done,2,1,1,true\r\n");
    ck_assert_uint_eq(len, strlen(line));
    ck_assert_int_eq(biq_flow_cfd_csv_format(c, 0, 2, line, 10, &len), BIQ_ERR_TOO_LARGE);
    /* Bad ranges. */
    ck_assert_int_eq(biq_flow_cfd_build(f, d1 + 1, d1, false, a, &c), BIQ_ERR_INVALID);
    ck_assert_int_eq(biq_flow_cfd_build(f, d1, d1 + BIQ_FLOW_MAX_CHART_DAYS, false, a, &c),
                     BIQ_ERR_LIMIT);
    biq_arena_free(a);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("flow_cfd");
    TCase *tc = tcase_create("cfd");
    tcase_add_test(tc, order_from_a_board_then_off_board_statuses);
    tcase_add_test(tc, inferred_order_majority_then_base_order);
    tcase_add_test(tc, inferred_order_breaks_a_reopen_cycle_by_the_base_order);
    tcase_add_test(tc, reopen_is_a_correction_and_no_line_falls);
    tcase_add_test(tc, backlog_cut_counts_from_the_first_committed_status);
    tcase_add_test(tc, board_frame_columns_off_board_and_column_view);
    tcase_add_test(tc, terminal_statuses_close_the_frame);
    tcase_add_test(tc, cfd_json_and_csv_table);
    suite_add_tcase(s, tc);
    return s;
}
