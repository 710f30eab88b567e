/* flow_internal.h - the layout of biq_flow and helpers shared by the files
 * of src/flow only. Invariants of a built flow: statuses sorted by id and
 * unique; issues sorted by id and unique; every slice's status_index valid;
 * an issue's slices tile [created, max(created, now)] in order. */
#ifndef BIQ_FLOW_INTERNAL_H
#define BIQ_FLOW_INTERNAL_H

#include "flow/flow.h"

/* Days with a value each, sorted and unique, and the running sums:
 * cum[i] = sum of the values of day[0..i), n + 1 entries. For offset
 * corrections, also the UTC days of the changes, sorted. */
typedef struct biq_fl_dayset {
    int64_t *day;
    int64_t *cum;
    size_t n;
    int64_t *changes;
    size_t n_changes;
} biq_fl_dayset;

/* Working-time calculator (schedule.c): a closed form, O(log) a duration. */
typedef struct biq_fl_sched {
    const biq_work_schedule *s; /* NULL: calendar time */
    const biq_tz *tz;
    int64_t nominal;            /* ms of a working day no offset change touches */
    int64_t week_days;          /* working days in a week */
    biq_fl_dayset holidays;     /* valued by the working ms they remove */
    biq_fl_dayset odd;          /* days before cycle_day an offset change
                                   lengthens or shortens, valued by the change */
    biq_fl_dayset cycle;        /* the same for [cycle_day, cycle_day + 400 y),
                                   repeating after it */
    int64_t cycle_day;
    bool periodic_all;          /* the zone's rule holds for all time */
} biq_fl_sched;

struct biq_flow {
    biq_ms now;
    biq_flow_settings settings;
    biq_fl_sched sched;
    const biq_tz *tz;
    biq_flow_status_info *statuses;
    size_t n_statuses;
    biq_flow_issue_view *issues;
    size_t n_issues;
    biq_flow_finding *findings;
    size_t n_findings;
    size_t cap_findings;
    const biq_sprint *sprints;
    size_t n_sprints;
    biq_arena *arena;
    /* The project's status order (order.c): status indices, n_statuses. */
    uint32_t *order;
    biq_flow_column *columns; /* the board's, left to right; none without one */
    size_t n_columns;
};

/* roles.c: builds flow->statuses from the catalogue and every id the issues
 * mention, with roles, flags and WIP limits resolved. */
biq_err biq_fl_statuses_build(biq_flow *flow, const biq_flow_input *in, biq_arena *arena);
/* Index of status id in flow->statuses, or -1. */
long biq_fl_status_index(const biq_flow *flow, int64_t id);

/* order.c: ranks every status (statuses[].rank, .column, flow->order) and
 * builds flow->columns; after the issues are built. BIQ_ERR_NOMEM. */
biq_err biq_fl_order_build(biq_flow *flow, const biq_board *board, biq_arena *arena);

/* The order of statuses before a board or transitions decide: category
 * (new, active, done, unknown), name bytewise, id. <0, 0, >0. */
int biq_fl_base_cmp(const biq_flow_status_info *a, const biq_flow_status_info *b);

/* schedule.c */
/* Prepares c for s (NULL or not working: calendar time); s must have passed
 * validation and outlive c. BIQ_ERR_NOMEM when the arena is exhausted. */
biq_err biq_fl_sched_prepare(biq_fl_sched *c, const biq_work_schedule *s, biq_arena *arena);
/* Working (or calendar) ms in [a, b); 0 when b <= a. Equal to the day walk
 * (tests/support/sched_oracle.c) for local days within +-10^8 of 1970. */
int64_t biq_fl_sched_between(const biq_fl_sched *c, biq_ms a, biq_ms b);

/* Whether local day `day` is a working day: a working weekday and not a
 * holiday; every day when the schedule is off. Pure, O(log holidays). */
bool biq_fl_sched_working_day(const biq_fl_sched *c, int64_t day);

/* slices.c: builds one issue's view (slices, started, done, findings). */
biq_err biq_fl_issue_build(biq_flow *flow, const biq_issue *issue, const biq_transition **scratch,
                           biq_flow_issue_view *view);
/* Appends a finding. */
biq_err biq_fl_finding_add(biq_flow *flow, const biq_flow_finding *f);

/* Status index of the issue at instant t (the last slice starting at or
 * before t), or -1 before creation. */
long biq_fl_status_at(const biq_flow_issue_view *v, biq_ms t);

/* Window overlap helpers (report.c, charts). */
static inline biq_ms biq_fl_max(biq_ms a, biq_ms b) { return a > b ? a : b; }
static inline biq_ms biq_fl_min(biq_ms a, biq_ms b) { return a < b ? a : b; }

/* ASCII case-insensitive equality; NULLs are unequal to everything. */
bool biq_fl_name_eq(const char *a, const char *b);

/* ms to 24 h days. */
double biq_fl_days(int64_t ms);

/* csv.c's cell writers for the other export tables (blocked_json.c): a
 * bounded line that stays overflowed once a write does not fit. */
typedef struct biq_fl_csv_line {
    char *buf;
    size_t size, len;
    bool overflow;
} biq_fl_csv_line;
void biq_fl_csv_raw(biq_fl_csv_line *l, const char *s);     /* as is */
void biq_fl_csv_text(biq_fl_csv_line *l, const char *s);    /* quoted, defused */
void biq_fl_csv_instant(biq_fl_csv_line *l, biq_ms t);      /* empty for none */
void biq_fl_csv_seconds(biq_fl_csv_line *l, int64_t ms);    /* "3600.123" */

#endif
