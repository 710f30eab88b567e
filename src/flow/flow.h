/* flow.h - the flow core: slices, per-status and system metrics, bottleneck,
 * trends and charts for one project, computed from issues and their status
 * transitions (definitions: docs/metrics.md and product.md).
 *
 * Pure: no I/O, no globals, no clock. "now" is an input. Every result is
 * allocated from the biq_arena the caller passes and lives as long as it.
 * A biq_flow is immutable after biq_flow_new(); any number of threads may
 * read one flow concurrently as long as each uses its own arena for results.
 * Durations are int64 milliseconds: calendar time, or working time when a
 * work schedule is on. Outputs do not depend on input order (issues are
 * sorted by id, transitions by time, history id, item index).
 */
#ifndef BIQ_FLOW_FLOW_H
#define BIQ_FLOW_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/err.h"
#include "model/jira.h"
#include "tz/tz.h"

enum {
    BIQ_FLOW_MAX_ISSUES = 1000000,      /* per computation */
    BIQ_FLOW_MAX_TRANSITIONS = 100000,  /* per issue */
    BIQ_FLOW_MAX_STATUSES = 4096,       /* distinct statuses in a project */
    BIQ_FLOW_MAX_TRENDS = 8,            /* rows shown */
    BIQ_FLOW_MAX_REASONS = 4,           /* one per signal (the XmR one included) */
    BIQ_FLOW_REASON_MAX = 96,           /* bytes per reason phrase */
    BIQ_FLOW_EXPLANATION_MAX = 512,     /* bytes of the template sentence */
    BIQ_FLOW_MAX_WINDOW_DAYS = 365,     /* the API's "N days" windows: 1..365 */
    BIQ_FLOW_MAX_SPAN_DAYS = 3660000,   /* the core's day windows: any span of
                                           history (10 000 years) */
    BIQ_FLOW_MAX_CHART_DAYS = 3660,     /* CFD range */
    BIQ_FLOW_MAX_HOLIDAYS = 4096,
    BIQ_FLOW_LAST_SPRINTS = 3,          /* sprint-last3 */
    BIQ_FLOW_AGING_REFERENCE_DAYS = 90, /* P95 lead-time line of WIP aging */
};

/* ---------------------------------------------------------------- inputs */

typedef enum biq_role {
    BIQ_ROLE_BACKLOG = 0,
    BIQ_ROLE_ACTIVE,
    BIQ_ROLE_DONE,
    BIQ_ROLE_UNKNOWN, /* category unknown and no override: never WIP, never a
                         bottleneck candidate, an unknown_status finding */
} biq_role;

/* A tenant override for one status id. Tri-states: -1 keeps the default. */
typedef struct biq_flow_status_role {
    int64_t status_id;
    int role;     /* -1 or a biq_role */
    int terminal; /* -1, 0, 1 */
    int external; /* -1, 0, 1 */
} biq_flow_status_role;

typedef struct biq_flow_wip_limit {
    int64_t status_id;
    int32_t limit; /* >= 1 */
} biq_flow_wip_limit;

#define BIQ_FLOW_T_DEFAULT 1.3
#define BIQ_FLOW_W_DEFAULT 1.2
#define BIQ_FLOW_D_DEFAULT (-0.2)

/* What sub-tasks are (docs/metrics.md, "Filters"). */
typedef enum biq_subtask_policy {
    BIQ_SUBTASKS_COUNT = 0, /* items like any other (the default) */
    BIQ_SUBTASKS_EXCLUDE,   /* left out */
    BIQ_SUBTASKS_ROLLUP,    /* not items: their work counts to the parent,
                               which counts as started at the earliest start
                               of itself and its sub-tasks; a sub-task whose
                               parent is not among the kept issues counts as
                               itself */
} biq_subtask_policy;

typedef struct biq_flow_settings {
    const biq_flow_status_role *roles;
    size_t n_roles;
    double threshold_time;       /* T: 1.0..10.0 */
    double threshold_wip;        /* W: 1.0..10.0 */
    double threshold_throughput; /* D: -1.0..1.0 */
    const char *const *excluded_types; /* issue type names, ASCII case-insensitive */
    size_t n_excluded_types;
    const biq_flow_wip_limit *wip_limits; /* the effective (project-wins) limits */
    size_t n_wip_limits;
    /* Filters (issue #15), every name ASCII case-insensitive; empty lists
     * filter nothing. */
    const char *const *included_types; /* non-empty: only these issue types */
    size_t n_included_types;
    const char *const *excluded_resolutions; /* done with such a resolution: has
                                                left WIP, but not throughput,
                                                lead or cycle time */
    size_t n_excluded_resolutions;
    biq_subtask_policy subtasks;
    const char *const *labels_include; /* non-empty: only items with one of them */
    size_t n_labels_include;
    const char *const *labels_exclude; /* items with any of them are left out */
    size_t n_labels_exclude;
    bool xmr_signal; /* bottleneck.xmrSignal: the XmR time-in-status signal as a
                        fourth bottleneck input (docs/metrics.md); off by default */
    const struct biq_flow_sle_set *sle; /* the project's SLEs (below); NULL: none */
} biq_flow_settings;

/* Fills *s with the defaults (no overrides, T/W/D defaults). Never fails. */
void biq_flow_settings_init(biq_flow_settings *s);

/* BIQ_OK, or BIQ_ERR_INVALID when a threshold is out of range or an override,
 * limit or SLE is malformed. Thread-safe, allocates nothing. */
biq_err biq_flow_settings_validate(const biq_flow_settings *s);

/* Working time: when `working` is false only the zone is used (day
 * boundaries, MTD/QTD). Working days: bit 0 = Monday .. bit 6 = Sunday.
 * Hours are local minutes since midnight, 0 <= start < end <= 1440.
 * Holidays are local day numbers (biq_civil_days). */
typedef struct biq_work_schedule {
    const biq_tz *tz; /* NULL = UTC */
    bool working;
    uint8_t working_days;
    int32_t day_start_min;
    int32_t day_end_min;
    const int64_t *holidays;
    size_t n_holidays;
} biq_work_schedule;

/* BIQ_OK or BIQ_ERR_INVALID (bad hours, no working day, too many holidays). */
biq_err biq_work_schedule_validate(const biq_work_schedule *s);

typedef struct biq_flow_input {
    const biq_issue *issues;
    size_t n_issues;
    const biq_status *statuses; /* the status catalogue */
    size_t n_statuses;
    const biq_sprint *sprints;  /* the project's sprints (for sprint windows) */
    size_t n_sprints;
    const biq_board *board;     /* the board's columns; NULL: none known (the
                                   order is inferred from transitions) */
    const biq_flow_settings *settings; /* NULL = defaults */
    const biq_work_schedule *schedule; /* NULL = calendar time in UTC */
    biq_ms now;                        /* the injected clock */
} biq_flow_input;

typedef struct biq_flow biq_flow;

/* The catalogue rule (product.md), shared by `biq analyze`, the server's
 * ingest and biq_flow_new(): a status's name and category come from the
 * catalogue when it has the id (the first entry of an id wins), else from
 * the issue with the newest `updated` whose current status it is (equal
 * instants: the smaller name, then category name, bytewise); issues with a
 * security level are ignored. Ids named only by transitions are left out:
 * the flow names them from transition strings, with category unknown (role
 * unknown, an unknown_status finding). *out gets the known statuses sorted
 * by id, unique; *seen_at (when not NULL) the `updated` each came from, or
 * BIQ_MS_NONE for catalogue entries. Pure; allocates from arena.
 * BIQ_ERR_LIMIT beyond BIQ_FLOW_MAX_STATUSES ids besides the catalogue's,
 * BIQ_ERR_NOMEM. */
biq_err biq_flow_statuses_resolve(const biq_status *catalogue, size_t n_catalogue,
                                  const biq_issue *issues, size_t n_issues, biq_arena *arena,
                                  biq_status **out, biq_ms **seen_at, size_t *n_out);

/* Builds every issue's slices and the status table. Input arrays are read,
 * not copied: they (and their strings) must outlive the flow, as must
 * settings arrays and the schedule's zone. Returns BIQ_ERR_INVALID for bad
 * settings, schedule or now, BIQ_ERR_LIMIT past a BIQ_FLOW_MAX_* limit,
 * BIQ_ERR_NOMEM when the arena is exhausted; *out set only on success. */
biq_err biq_flow_new(const biq_flow_input *in, biq_arena *arena, biq_flow **out);

/* ---------------------------------------------------------------- slices */

typedef struct biq_flow_slice {
    int64_t status_id;
    uint32_t status_index; /* into biq_flow_status_at() */
    biq_ms start;
    biq_ms end;          /* now for the open slice */
    int64_t duration_ms; /* calendar or working time */
    bool open;
} biq_flow_slice;

typedef struct biq_flow_issue_view {
    const biq_issue *issue;
    const biq_flow_slice *slices; /* tile [created, now] in order */
    size_t n_slices;
    biq_ms started_at; /* first entry into an active status, or BIQ_MS_NONE */
    biq_ms done_at;    /* entry into the done status it is still in, or NONE */
    int64_t lead_ms;   /* done - created, -1 when not done */
    int64_t cycle_ms;  /* done - started, -1 when not done or never started */
    bool outcome_excluded; /* done with an excluded resolution: out of
                              throughput, lead and cycle time (issue #15) */
    uint32_t n_rolled_up;  /* sub-tasks rolled up into it (policy rollup) */
} biq_flow_issue_view;

/* Issues kept (filtered out ones and rolled-up sub-tasks dropped), sorted
 * by issue id. */
size_t biq_flow_issue_count(const biq_flow *flow);
/* The i-th issue (i < count); NULL out of range. Points into the flow. */
const biq_flow_issue_view *biq_flow_issue_at(const biq_flow *flow, size_t i);
/* The issue with this key, or NULL. Linear search. */
const biq_flow_issue_view *biq_flow_issue_by_key(const biq_flow *flow, const char *key);

typedef struct biq_flow_status_info {
    int64_t id;
    const char *name;
    biq_status_category category;
    biq_role role;
    bool terminal;
    bool external;
    bool in_catalogue; /* named by the catalogue or an issue's current status
                          (biq_flow_statuses_resolve); false: by transitions only */
    bool used;         /* has at least one slice */
    int32_t wip_limit; /* -1 when none */
    uint32_t rank;     /* position in the project's status order
                          (biq_flow_status_ordered; docs/metrics.md) */
    int32_t column;    /* index of the board column it is mapped to, -1 when
                          off the board or no board is known */
} biq_flow_status_info;

/* What an item in a status counts as (product.md, "WIP"): work in progress
 * in an active status (an external one included), a queue ("waiting") in a
 * backlog status, nothing in a done, terminal or unknown one. */
typedef enum biq_flow_load {
    BIQ_LOAD_NONE = 0,
    BIQ_LOAD_WIP,
    BIQ_LOAD_WAITING,
} biq_flow_load;

/* The load kind of st. Pure. */
biq_flow_load biq_flow_status_load(const biq_flow_status_info *st);

size_t biq_flow_status_count(const biq_flow *flow);
/* Statuses sorted by id; NULL out of range. */
const biq_flow_status_info *biq_flow_status_at(const biq_flow *flow, size_t i);
biq_ms biq_flow_now(const biq_flow *flow);
/* The schedule's zone (UTC when none); never NULL. */
const biq_tz *biq_flow_tz(const biq_flow *flow);

/* The newest fact of the project up to now: the latest status move or
 * creation of any of its issues; BIQ_MS_NONE without issues. Lets an
 * empty window say when the project last moved. */
biq_ms biq_flow_last_activity(const biq_flow *flow);
/* Duration between two instants under the flow's schedule: calendar ms, or
 * working ms in closed form, O(log holidays + log transitions) whatever the
 * span (docs/performance.md); 0 when b <= a. */
int64_t biq_flow_duration(const biq_flow *flow, biq_ms a, biq_ms b);

/* ---------------------------------------------------------- data quality */

typedef enum biq_dq_kind {
    BIQ_DQ_OUT_OF_ORDER = 0, /* transition earlier than the running slice: skipped */
    BIQ_DQ_FROM_MISMATCH,    /* `from` is not the status the issue was in */
    BIQ_DQ_DONE_NEVER_STARTED,
    BIQ_DQ_TRUNCATED_HISTORY, /* changelog_total > changelog_present */
    BIQ_DQ_UNKNOWN_STATUS,    /* a status id missing from the catalogue */
    BIQ_DQ_STATUS_MISMATCH,   /* last transition's `to` is not the current status */
    BIQ_DQ_DUPLICATE_ISSUE,   /* same issue id twice: the latest `updated` kept */
    BIQ_DQ_DUPLICATE_HISTORY, /* the same (history id, item) twice: counted once */
    BIQ_DQ__COUNT
} biq_dq_kind;

typedef struct biq_flow_finding {
    biq_dq_kind kind;
    int64_t issue_id;
    const char *issue_key;
    int64_t history_id; /* 0 when not about a transition */
    biq_ms at;          /* BIQ_MS_NONE when not about an instant */
    int64_t expected_status; /* FROM/STATUS_MISMATCH: what the timeline had */
    int64_t actual_status;   /* what the data said (or the unknown id) */
} biq_flow_finding;

/* Stable snake_case name of a kind ("out_of_order", ...). Never NULL. */
const char *biq_dq_kind_name(biq_dq_kind kind);
/* Findings in issue order, then transition order. Points into the flow. */
const biq_flow_finding *biq_flow_findings(const biq_flow *flow, size_t *n);

/* The findings as a report users can act on: per kind (in kind order, kinds
 * without findings left out) how many findings, the distinct issues they
 * concern (by issue id; for unknown_status the issues that visited such a
 * status) with the first BIQ_FLOW_DQ_KEYS keys, what was done, and one
 * summary sentence ("3 issues have histories older than their creation;
 * 2 statuses are unknown: their names come from transitions"). */
enum {
    BIQ_FLOW_DQ_KEYS = 20,         /* issue keys listed per kind */
    BIQ_FLOW_DQ_SUMMARY_MAX = 1024, /* bytes of the summary, NUL included */
};

typedef struct biq_flow_dq_group {
    biq_dq_kind kind;
    size_t count;    /* findings */
    size_t n_issues; /* distinct issues concerned */
    const char *keys[BIQ_FLOW_DQ_KEYS]; /* the first n_keys, by issue id */
    size_t n_keys;
    const char *action; /* what the flow did about it (static string) */
} biq_flow_dq_group;

typedef struct biq_flow_dq_report {
    biq_flow_dq_group groups[BIQ_DQ__COUNT];
    size_t n_groups;
    char summary[BIQ_FLOW_DQ_SUMMARY_MAX]; /* "No data-quality findings." when none */
} biq_flow_dq_report;

/* Fills *out from the flow's findings. BIQ_ERR_NOMEM when the arena (used
 * for scratch) is exhausted. Pure. */
biq_err biq_flow_dq_report_build(const biq_flow *flow, biq_arena *arena, biq_flow_dq_report *out);

/* --------------------------------------------------------------- windows */

typedef enum biq_window_kind {
    BIQ_WIN_DAYS = 0, /* last N days (1..365) ending now */
    BIQ_WIN_MTD,
    BIQ_WIN_QTD,
    BIQ_WIN_SPRINT_CURRENT,
    BIQ_WIN_SPRINT_LAST,
    BIQ_WIN_SPRINT_LAST3,
    BIQ_WIN_CUSTOM, /* (from, to], previous the same length before */
    BIQ_WIN_ALL,    /* (earliest fact - 1 ms, now], previous empty */
} biq_window_kind;

typedef struct biq_window_spec {
    biq_window_kind kind;
    int32_t days;   /* BIQ_WIN_DAYS: 1..BIQ_FLOW_MAX_SPAN_DAYS */
    biq_ms from;    /* BIQ_WIN_CUSTOM; BIQ_WIN_ALL: the earliest fact (set by
                       biq_flow_window_resolve) */
    biq_ms to;      /* BIQ_WIN_CUSTOM */
} biq_window_spec;

/* A window is the half-open interval (from, to]: an event at `to` is in, one
 * at `from` belongs to the window before. prev_to == from for day windows. */
typedef struct biq_flow_window {
    biq_window_spec spec;
    biq_ms from, to;
    biq_ms prev_from, prev_to;
    double days;      /* (to - from) in 24 h days */
    double prev_days;
    /* Sprint windows: the sprints the current window covers, oldest first
     * (borrowed from the flow's input); 0 for other windows. */
    const biq_sprint *sprints[BIQ_FLOW_LAST_SPRINTS];
    size_t n_sprints;
} biq_flow_window;

/* Parses the API's `window` value: "7d", "30d", "90d", "N" or "Nd"
 * (N 1..365), "mtd", "qtd", "sprint-current", "sprint-last", "sprint-last3".
 * NULL or "" gives 30 days. BIQ_ERR_INVALID otherwise. */
biq_err biq_window_parse(const char *text, biq_window_spec *out);

/* Resolves spec at `now` (zone tz, NULL = UTC) against the sprints. Day
 * windows may be 1..BIQ_FLOW_MAX_SPAN_DAYS long here (the 365-day limit is
 * biq_window_parse's, for the API). BIQ_WIN_ALL runs from spec->from - 1 ms
 * (so that a fact at spec->from is in) to now, with an empty previous window
 * (prev_from == prev_to == from). BIQ_ERR_NOT_FOUND when a sprint window has
 * no such sprint, BIQ_ERR_INVALID for a bad spec. Pure and thread-safe. */
biq_err biq_window_resolve(const biq_window_spec *spec, biq_ms now, const biq_tz *tz,
                           const biq_sprint *sprints, size_t n_sprints, biq_flow_window *out);

/* biq_window_resolve() with the flow's clock, zone and sprints; for
 * BIQ_WIN_ALL spec->from is ignored and the earliest fact of the flow (the
 * earliest `created` of its issues; now when it has none) used. */
biq_err biq_flow_window_resolve(const biq_flow *flow, const biq_window_spec *spec,
                                biq_flow_window *out);

/* ----------------------------------------------------------------- stats */

typedef struct biq_flow_stats {
    uint32_t count;
    double avg_ms, p50_ms, p85_ms, p90_ms, p95_ms; /* 0 when count == 0 */
} biq_flow_stats;

/* Hyndman-Fan type 7 percentile (p in [0,1]) of sorted values; 0 for n == 0. */
double biq_flow_percentile(const int64_t *sorted, size_t n, double p);

/* num / den as the correctly rounded double when both are integers of at
 * most 2^53 (one IEEE division of exact values), else in long double: the
 * one division every mean and WIP average uses, so that an independent
 * recomputation from the slices gets the same double. */
double biq_flow_quotient(long double num, long double den);

/* Sorts values (ascending, in place) and fills *out: avg_ms =
 * biq_flow_quotient(sum, n); percentiles by biq_flow_percentile. */
void biq_flow_stats_compute(int64_t *values, size_t n, biq_flow_stats *out);

/* --------------------------------------------------------------- report */

typedef struct biq_flow_status_window {
    biq_flow_stats time;  /* closed, non-empty slices ending in the window */
    uint32_t throughput;  /* distinct issues that left the status */
    double wip_avg;       /* time-weighted average */
    uint32_t wip_current; /* issues in the status at the window's end */
} biq_flow_status_window;

typedef struct biq_flow_status_metrics {
    const biq_flow_status_info *status;
    biq_flow_status_window cur, prev;
    /* The XmR time-in-status signal (set only when settings.xmr_signal is
     * on; biq_flow_status_xmr): limits from the previous window's exits,
     * crossings = current exits strictly above the upper limit. */
    bool has_xmr;
    double xmr_upper_ms;
    uint32_t xmr_crossings;
} biq_flow_status_metrics;

typedef struct biq_flow_system {
    uint32_t throughput; /* issues done in the window */
    biq_flow_stats lead; /* created -> done */
    biq_flow_stats cycle; /* started -> done */
} biq_flow_system;

typedef enum biq_bn_state {
    BIQ_BN_FOUND = 0,
    BIQ_BN_SPARSE,
    BIQ_BN_HEALTHY,
} biq_bn_state;

typedef struct biq_flow_bottleneck {
    biq_bn_state state;
    const biq_flow_status_metrics *winner; /* NULL unless FOUND */
    int score;
    const char *confidence; /* "medium", "high", "very high"; NULL unless FOUND */
    bool has_time_ratio, has_wip_ratio, has_throughput_delta;
    double time_ratio, wip_ratio, throughput_delta;
    char reasons[BIQ_FLOW_MAX_REASONS][BIQ_FLOW_REASON_MAX];
    size_t n_reasons;
    char explanation[BIQ_FLOW_EXPLANATION_MAX]; /* the template sentence */
    const char *message; /* SPARSE/HEALTHY message, else NULL */
} biq_flow_bottleneck;

typedef enum biq_trend_metric {
    BIQ_TREND_LEAD_TIME = 0,
    BIQ_TREND_TIME_IN_STATUS,
    BIQ_TREND_WIP,
    BIQ_TREND_THROUGHPUT,
} biq_trend_metric;

typedef struct biq_flow_trend {
    biq_trend_metric metric;
    const biq_flow_status_info *status; /* NULL for lead time */
    double current, previous; /* ms for times, issues for WIP, count for throughput */
    double ratio;             /* current/previous (per day for throughput) */
    double change_pct;        /* (ratio - 1) * 100, exact (biq_flow_format_change prints it) */
    bool worsening;
} biq_flow_trend;

typedef struct biq_flow_column_metrics biq_flow_column_metrics; /* below */

typedef struct biq_flow_report {
    biq_flow_window window;
    biq_flow_status_metrics *statuses; /* used statuses: category, name, id order */
    size_t n_statuses;
    biq_flow_system cur, prev;
    uint32_t *per_week; /* done per 7-day bucket ending at `to`, oldest first */
    size_t n_weeks;
    bool sparse_current; /* nothing done and no closed slice in the window */
    biq_flow_bottleneck bottleneck;
    biq_flow_trend trends[BIQ_FLOW_MAX_TRENDS];
    size_t n_trends;
    struct biq_flow_efficiency *efficiency; /* flow efficiency of the window
                                               and the one before (issue #15) */
    /* Issue #15: the board's columns (none without a board) and arrivals
     * against departures in the window (biq_flow_debt_compute). */
    biq_flow_column_metrics *columns;
    size_t n_columns;
    struct biq_flow_debt *debt;
} biq_flow_report;

/* Computes every dashboard figure for window w (from biq_flow_window_resolve
 * or hand-made with from < to). BIQ_ERR_INVALID for a bad window,
 * BIQ_ERR_NOMEM. *out lives in arena. */
biq_err biq_flow_report_build(const biq_flow *flow, const biq_flow_window *w, biq_arena *arena,
                              biq_flow_report **out);

/* The bottleneck and trends over already computed metrics (used by
 * biq_flow_report_build; exposed for tests). r->window, statuses, cur, prev
 * and sparse_current must be set. Pure; cannot fail. */
void biq_flow_bottleneck_compute(const biq_flow_settings *settings, biq_flow_report *r);
void biq_flow_trends_compute(biq_flow_report *r);

/* Stable names: "medium"..; "leadTime", "timeInStatus", "wip", "throughput". */
const char *biq_trend_metric_name(biq_trend_metric m);

/* ---------------------------------------------------------------- charts */

typedef struct biq_flow_aging_row {
    const biq_flow_issue_view *issue;
    const biq_flow_status_info *status;
    double days_in_status;
    double days_since_started; /* < 0 when never started */
    double days_since_created;
    double size;               /* story points, else the priority weight */
    bool past_reference;       /* age since created beyond the P95 line */
    bool blocked;              /* flagged or blocked by an open blocker at now */
    bool flagged;              /* flagged at now (issue #15) */
} biq_flow_aging_row;

typedef struct biq_flow_aging {
    biq_flow_aging_row *rows; /* status order of the report, then oldest first */
    size_t n_rows;
    double reference_p95_days; /* lead time P95 of issues done in the last 90 days */
    uint32_t reference_n;      /* 0: no line */
} biq_flow_aging;

/* Every issue started and not done, not in a terminal status, at now
 * (product.md, "WIP aging"); with include_backlog also the items never
 * started (the chart's backlog toggle). */
biq_err biq_flow_wip_aging_with(const biq_flow *flow, bool include_backlog, biq_arena *arena,
                                biq_flow_aging **out);

/* biq_flow_wip_aging_with without the backlog. */
biq_err biq_flow_wip_aging(const biq_flow *flow, biq_arena *arena, biq_flow_aging **out);

typedef struct biq_flow_wip_stack {
    size_t n_days;
    int64_t *days;          /* local day numbers */
    biq_ms *sample_at;      /* end of each day (or now), UTC */
    size_t n_bands;
    const biq_flow_status_info **bands; /* used non-terminal statuses, project order */
    uint32_t *counts;       /* n_days x n_bands, row-major */
    uint32_t *done_cum;     /* issues done at or before the sample */
    uint32_t *throughput;   /* issues done since the previous sample (the day) */
    uint32_t *wip;          /* started, not done, not terminal */
} biq_flow_wip_stack;

/* One row per local day of [first_day, last_day] (day numbers in the flow's
 * zone), sampled at the day's end (the next local midnight) or now if
 * earlier. BIQ_ERR_INVALID when last < first, BIQ_ERR_LIMIT beyond
 * BIQ_FLOW_MAX_CHART_DAYS. */
biq_err biq_flow_wip_stack_build(const biq_flow *flow, int64_t first_day, int64_t last_day,
                                 biq_arena *arena, biq_flow_wip_stack **out);

typedef struct biq_flow_scatter_point {
    const biq_flow_issue_view *issue;
    biq_ms done_at;
    double lead_days;
    double cycle_days; /* < 0 when never started */
    bool lead_above_p85, lead_above_p95;
    bool cycle_above_p85, cycle_above_p95;
} biq_flow_scatter_point;

typedef struct biq_flow_scatter {
    biq_flow_scatter_point *points; /* by done time, then issue id */
    size_t n_points;
    biq_flow_stats lead, cycle; /* lines of the plotted set */
} biq_flow_scatter;

biq_err biq_flow_scatter_build(const biq_flow *flow, const biq_flow_window *w,
                               biq_arena *arena, biq_flow_scatter **out);

typedef struct biq_flow_csv_row {
    const biq_flow_issue_view *issue;
    const biq_flow_slice *slice;
    const biq_flow_status_info *status;         /* the slice's */
    const biq_flow_status_info *current_status; /* the issue's */
} biq_flow_csv_row;

enum { BIQ_FLOW_CSV_LINE_MAX = 8192 };

/* Rows for slices ending in (w->from, w->to] (open ones end at now), in
 * issue then slice order. */
biq_err biq_flow_csv_rows(const biq_flow *flow, const biq_flow_window *w, biq_arena *arena,
                          biq_flow_csv_row **rows, size_t *n);

/* The header line ("issue_key,summary,...\r\n") into buf; BIQ_ERR_TOO_LARGE
 * when it does not fit. */
biq_err biq_flow_csv_header(char *buf, size_t size, size_t *len);

/* One RFC 4180 line (CRLF) into buf. Cells starting with = + - @ get a
 * leading apostrophe (spreadsheet formula injection). BIQ_ERR_TOO_LARGE when
 * the line does not fit in size bytes. */
biq_err biq_flow_csv_format(const biq_flow_csv_row *row, char *buf, size_t size, size_t *len);

/* "2018-01-10T12:00:00.000Z" into buf (>= 25 bytes); false when too small. */
bool biq_flow_format_instant(biq_ms t, char *buf, size_t size);

enum {
    BIQ_FLOW_CHANGE_PCT_MAX = 500, /* beyond it a change reads as a factor */
    BIQ_FLOW_CHANGE_TEXT_MAX = 32,
};

/* The one rule for every percentage the product prints (product.md,
 * "Trends"): the size of a change ratio - 1 as "62%" (rounded to a whole
 * percent, no sign) up to BIQ_FLOW_CHANGE_PCT_MAX percent, beyond it as the
 * factor "×12.7" (the ratio, one decimal); never clamped. Writes into
 * buf[0..size) and returns buf. Pure, thread-safe. */
char *biq_flow_format_change(double ratio_minus_one, char *buf, size_t size);

/* Round half away from zero to `decimals` (0..6) places. */
double biq_flow_round(double v, int decimals);

/* ------------------------------------------------------------- forecast */

/* Monte Carlo forecasts (docs/metrics.md, "Forecasts"): daily throughput
 * (issues whose done_at falls on a local day) over a basis window is
 * resampled, with replacement, one day at a time. */
enum {
    BIQ_FORECAST_TRIALS_DEFAULT = 10000,
    BIQ_FORECAST_MAX_TRIALS = 100000,
    BIQ_FORECAST_MAX_ITEMS = 10000,      /* "when": 1..this many items */
    BIQ_FORECAST_BASIS_DEFAULT_DAYS = 30,
    BIQ_FORECAST_MAX_BASIS_DAYS = 365,
    BIQ_FORECAST_MAX_SIM_DAYS = 3660,    /* simulated days per "when" trial;
                                            a trial not done by then is "not
                                            reached" (never an endless loop) */
    BIQ_FORECAST_MAX_HORIZON_DAYS = 3660, /* "how many": calendar days S..D-1 */
    BIQ_FORECAST_N_PERCENTILES = 4,       /* 50, 70, 85, 95 */
};

/* The documented default seed (the API's and `biq analyze`'s), and the
 * largest seed they accept: exact as a JSON number (2^53 - 1). */
#define BIQ_FORECAST_SEED_DEFAULT UINT64_C(20260101)
#define BIQ_FORECAST_MAX_SEED INT64_C(9007199254740991)

enum { BIQ_FORECAST_NUMBER_DIGITS_MAX = 16 }; /* of a forecast number as text */

/* The one rule for a forecast number given as text (items, basis days,
 * seed: the API's query and biq analyze's options): decimal digits only, no
 * sign or space, at most BIQ_FORECAST_NUMBER_DIGITS_MAX, 0..max. True with
 * the value in *out. Pure. */
bool biq_flow_forecast_number(const char *s, int64_t max, int64_t *out);

typedef enum biq_forecast_kind {
    BIQ_FORECAST_WHEN = 0, /* days (and date) until N items are done */
    BIQ_FORECAST_HOW_MANY, /* items done in days S..D-1 */
} biq_forecast_kind;

typedef enum biq_forecast_state {
    BIQ_FORECAST_OK = 0,
    BIQ_FORECAST_NO_THROUGHPUT, /* nothing done in the basis: cannot forecast */
} biq_forecast_state;

/* What the simulation needs once the sampled days are known. */
typedef struct biq_forecast_params {
    biq_forecast_kind kind;
    int32_t items;   /* WHEN: 1..BIQ_FORECAST_MAX_ITEMS */
    int32_t horizon; /* HOW_MANY: simulated days, 0..BIQ_FORECAST_MAX_HORIZON_DAYS */
    int32_t trials;  /* 1..BIQ_FORECAST_MAX_TRIALS; 0 = the default */
    uint64_t seed;
} biq_forecast_params;

typedef struct biq_forecast_point {
    int p;          /* 50, 70, 85, 95 */
    int64_t value;  /* WHEN: simulated days (day S is day 1); HOW_MANY: items */
    int64_t day;    /* WHEN: the local day the N-th item is done (biq_civil_days);
                       unset by biq_forecast_simulate */
    bool reached;   /* WHEN: false when fewer than p% of trials finished within
                       BIQ_FORECAST_MAX_SIM_DAYS (value then that cap + 1) */
} biq_forecast_point;

typedef struct biq_forecast_inputs {
    int64_t basis_first_day, basis_last_day; /* local days, both included */
    biq_ms basis_from, basis_to;             /* [from, to): their instants */
    uint32_t days_sampled;  /* days of the basis drawn from (working days only
                               when the schedule is on) */
    uint32_t zero_days;     /* of those, days with nothing done */
    uint64_t total_done;    /* issues done in the basis */
    uint32_t max_per_day;
    bool working_days;      /* the work schedule is on */
    int64_t start_day;      /* S, local day */
    int64_t by_day;         /* HOW_MANY: D, local day (excluded) */
    int32_t items, horizon, trials;
    uint64_t seed;
} biq_forecast_inputs;

/* The histogram of the trials' outcomes (docs/metrics.md, "Forecasts"):
 * at most BIQ_FORECAST_MAX_BUCKETS bars of one width, the smallest of 1, 2,
 * 5, 10, 20, 50, ... that fits the outcomes seen. Bars start at multiples of
 * the width from the origin (WHEN: day 1, so 1..5, 6..10; HOW_MANY: 0 items,
 * so 0..4, 5..9); the first bar holds the smallest outcome, the last the
 * largest, none between is left out (a bar may count 0). */
enum { BIQ_FORECAST_MAX_BUCKETS = 40 };

typedef struct biq_forecast_bucket {
    int64_t lo, hi;         /* outcomes lo..hi, both included (days or items) */
    uint32_t count;         /* trials whose outcome is in lo..hi */
    int64_t lo_day, hi_day; /* WHEN: the local days of simulated days lo and
                               hi; unset by biq_forecast_simulate */
} biq_forecast_bucket;

typedef struct biq_forecast_histogram {
    biq_forecast_bucket buckets[BIQ_FORECAST_MAX_BUCKETS];
    uint32_t n_buckets;   /* 0 only when no trial reached (WHEN) */
    int64_t width;        /* outcomes per bucket, >= 1 */
    uint32_t not_reached; /* WHEN: trials not done within
                             BIQ_FORECAST_MAX_SIM_DAYS, in no bucket */
} biq_forecast_histogram;

typedef struct biq_forecast {
    biq_forecast_kind kind;
    biq_forecast_state state;
    biq_forecast_point points[BIQ_FORECAST_N_PERCENTILES]; /* p ascending; only
                                                              when state is OK */
    biq_forecast_inputs inputs;
    biq_forecast_histogram histogram; /* only when state is OK: counts sum
                                         with not_reached to inputs' trials */
} biq_forecast;

/* The simulation alone, over daily counts daily[0..n_days) (n_days >= 1 and
 * at most BIQ_FORECAST_MAX_SIM_DAYS): fills out->kind, state, points and
 * histogram (inputs left untouched). Percentile p of WHEN = the smallest day
 * count at least p% of trials finished within; of HOW_MANY = the largest count at
 * least p% of trials reached (the (1 - p) quantile: "at least this many with
 * probability p"). A zero total gives BIQ_FORECAST_NO_THROUGHPUT without
 * simulating. PRNG: xoshiro256** seeded by splitmix64 (forecast.c); the
 * same inputs give the same bytes on every platform. BIQ_ERR_INVALID for a
 * parameter out of range, BIQ_ERR_NOMEM when the arena (scratch: 8 bytes a
 * trial) is exhausted. Pure. */
biq_err biq_forecast_simulate(const uint32_t *daily, size_t n_days, const biq_forecast_params *p,
                              biq_arena *arena, biq_forecast *out);

typedef struct biq_forecast_spec {
    biq_forecast_kind kind;
    int32_t items;      /* WHEN: 1..BIQ_FORECAST_MAX_ITEMS */
    int64_t start_day;  /* S: local day of the first simulated day */
    int64_t by_day;     /* HOW_MANY: D, S < D <= S + BIQ_FORECAST_MAX_HORIZON_DAYS */
    int32_t basis_days; /* 1..BIQ_FORECAST_MAX_BASIS_DAYS; 0 = the default */
    int32_t trials;     /* 1..BIQ_FORECAST_MAX_TRIALS; 0 = the default */
    uint64_t seed;
} biq_forecast_spec;

/* The forecast for the flow: the basis is the basis_days whole local days
 * before today (today, not over, left out), in the flow's zone; with the
 * work schedule on only its working days are sampled (an issue done on a
 * day off counts on the working day before it, or the basis's first working
 * day) and only working days advance the simulation. A basis without a
 * working day is BIQ_FORECAST_NO_THROUGHPUT. BIQ_ERR_INVALID for a spec out
 * of range, BIQ_ERR_NOMEM. *out lives in arena. Pure and deterministic. */
biq_err biq_flow_forecast(const biq_flow *flow, const biq_forecast_spec *spec, biq_arena *arena,
                          biq_forecast **out);

/* "when" / "how_many"; "ok" / "no_throughput". Never NULL. */
const char *biq_forecast_kind_name(biq_forecast_kind k);
const char *biq_forecast_state_name(biq_forecast_state s);

/* ------------------------------------- blocked time and flow efficiency */

/* Issue #15 (docs/metrics.md, "Blocked time", "Flow efficiency"). An item
 * is blocked while it is flagged (the Flagged field) or while one of its
 * "is blocked by" links points at a blocker not yet done; "blocked time" is
 * the union of both, never counted twice. Spans are clipped to the item's
 * life, [created, done_at) when it is done (the final done, so a reopened
 * item's earlier Done slices are inside it), else [created, now). */

enum {
    BIQ_FLOW_MAX_FLAG_CHANGES = 100000, /* per issue, like transitions */
    BIQ_FLOW_MAX_BLOCK_LINKS = 10000,   /* per issue */
};

typedef struct biq_flow_block_span {
    biq_ms start;
    biq_ms end;          /* excluded; now (or done) for a span still running */
    bool open;           /* still running at now */
    int64_t blocker_id;  /* link spans: the blocker; 0 for flag and union spans */
    bool blocker_loaded; /* link spans: the blocker is in the flow (else it is
                            counted as open until now: "blocker not loaded") */
} biq_flow_block_span;

typedef struct biq_flow_blocked_status {
    int64_t status_id;     /* ids, not names: a renamed status is one status */
    uint32_t status_index; /* into biq_flow_status_at() */
    int64_t flagged_ms;    /* schedule time flagged in this status */
    int64_t link_ms;       /* blocked by an open blocker */
    int64_t blocked_ms;    /* the union: <= flagged_ms + link_ms */
} biq_flow_blocked_status;

typedef struct biq_flow_blocked {
    const biq_flow_issue_view *issue;
    const biq_flow_block_span *flags; /* flagged spans, disjoint, in time order */
    size_t n_flags;
    const biq_flow_block_span *links; /* one per link with time, blocker id order */
    size_t n_links;
    const biq_flow_block_span *spans; /* the union, disjoint, in time order */
    size_t n_spans;
    const biq_flow_blocked_status *per_status; /* statuses with any blocked
                                                  time, in order of first visit */
    size_t n_per_status;
    int64_t flagged_ms, link_ms, blocked_ms; /* totals over the item's life */
    bool flagged_now;        /* a flag span runs at now */
    bool blocked_now;        /* any span runs at now */
    uint32_t n_unloaded;     /* links whose blocker is not in the flow */
} biq_flow_blocked;

/* One item's flagged and blocked spans. Flags: changes sorted by (at,
 * history id, item index), those after now ignored; before the first
 * change the state is the opposite of that change's (a set was preceded by
 * "not flagged"); without changes the current field holds since creation.
 * When the replayed state at the end disagrees with the current field (a
 * change the changelog lacks), the missing change is placed at the issue's
 * `updated` (clamped between the last change and now). Links: from
 * linked_at (or created when the changelog does not show it) until the
 * blocker's done_at when the blocker is in the flow, else until now. Every
 * duration is schedule time (working time when the schedule is on).
 * BIQ_ERR_LIMIT past the limits above, BIQ_ERR_NOMEM; *out lives in arena.
 * Pure. */
biq_err biq_flow_blocked_build(const biq_flow *flow, const biq_flow_issue_view *v,
                               biq_arena *arena, biq_flow_blocked **out);

/* Schedule time of [a, b) covered by spans[0..n) (disjoint). Pure. */
int64_t biq_flow_spans_between(const biq_flow *flow, const biq_flow_block_span *spans, size_t n,
                               biq_ms a, biq_ms b);

/* Flow efficiency of one item done in the window. */
typedef struct biq_flow_efficiency_item {
    const biq_flow_issue_view *issue;
    int64_t cycle_ms;            /* started -> done */
    int64_t active_ms;           /* in active, non-external statuses within the cycle */
    int64_t active_unblocked_ms; /* active_ms less the blocked time inside it */
    int64_t blocked_ms;          /* blocked time within the cycle, any status (once) */
    double ratio;                /* active_unblocked / cycle; 0 when cycle is 0 */
    bool has_ratio;              /* cycle_ms > 0 */
} biq_flow_efficiency_item;

typedef struct biq_flow_efficiency_window {
    uint32_t n;                  /* items done in the window that started */
    int64_t cycle_ms, active_unblocked_ms, blocked_ms; /* sums */
    bool has_value;              /* cycle_ms > 0 */
    double value;                /* Σ active unblocked ÷ Σ cycle (biq_flow_quotient) */
    uint32_t n_ratios;           /* items with cycle_ms > 0 */
    double mean_ratio;           /* mean of their ratios; 0 when n_ratios == 0 */
    double blocked_share;        /* Σ blocked ÷ Σ cycle; 0 without a value */
} biq_flow_efficiency_window;

typedef struct biq_flow_efficiency { /* named: biq_flow_report points at it */
    biq_flow_efficiency_window cur, prev; /* (from, to] and the window before */
    biq_flow_efficiency_item *items;      /* the current window's, issue id order */
    size_t n_items;
} biq_flow_efficiency;

/* Flow efficiency for window w (product.md): over items whose done_at is in
 * (from, to] and that were started; BIQ_ERR_INVALID when from > to. Active = role active and not external;
 * blocked time inside a queue or external status is not active anyway and is
 * not subtracted again. BIQ_ERR_INVALID for a bad window, BIQ_ERR_NOMEM.
 * *out lives in arena. Pure. */
biq_err biq_flow_efficiency_build(const biq_flow *flow, const biq_flow_window *w,
                                  biq_arena *arena, biq_flow_efficiency **out);

/* ----------------------------------------------------------- sprint report */

enum { BIQ_FLOW_MAX_SPRINT_CHANGES = 100000 }; /* per issue */

typedef struct biq_sprint_item {
    const biq_flow_issue_view *issue;
    bool committed;         /* in the sprint at its start (not already done) */
    bool added;             /* joined after the start (created into it included) */
    bool removed;           /* left before the end */
    bool in_at_end;
    bool completed;         /* done during the sprint and in it at its end */
    bool carried_over;      /* in it at its end, not done */
    bool done_before_start; /* in it at the start, already done: listed apart */
} biq_sprint_item;

typedef struct biq_sprint_event {
    biq_ms at;
    const biq_flow_issue_view *issue;
    bool added; /* false: removed */
} biq_sprint_event;

typedef struct biq_sprint_report {
    const biq_sprint *sprint; /* borrowed from the flow's input */
    bool active;              /* state "active": the report runs to now */
    biq_ms start, end;        /* end: complete (else end) date, or now if earlier */
    biq_sprint_item *items;   /* issue id order */
    size_t n_items;
    uint32_t committed, added, removed, completed, carried_over, done_before_start;
    bool has_ratio;           /* completed + carried_over > 0 */
    double completion_ratio;  /* completed ÷ (completed + carried_over) */
    biq_sprint_event *events; /* the scope-change timeline: time, then issue id */
    size_t n_events;
    /* What the changelog could not tell (docs/metrics.md, "Sprint report"):
     * issues touching the sprint whose changelog is truncated, whose Sprint
     * field was not in the payload, or whose Sprint history has a gap (an
     * item's "to" is not the next item's "from": an item was unreadable). */
    bool approximate;
    uint32_t n_truncated, n_field_missing, n_gaps;
} biq_sprint_report;

typedef struct biq_flow_sprint_reports {
    biq_sprint_report *reports; /* closed and active sprints, by start then id */
    size_t n;
} biq_flow_sprint_reports;

/* Sprint reports for the flow's sprints that are closed or active and have
 * a start. Membership at an instant is the issue's current sprint_ids walked
 * back through its sprint_changes (sorted by at, history id, item index):
 * before a change it is that change's "from". A change at the start instant
 * counts as before the start, one at the end instant as after the end (Jira
 * moves open issues at completion). BIQ_ERR_LIMIT past
 * BIQ_FLOW_MAX_SPRINT_CHANGES, BIQ_ERR_NOMEM; *out lives in arena. Pure. */
biq_err biq_flow_sprint_reports_build(const biq_flow *flow, biq_arena *arena,
                                      biq_flow_sprint_reports **out);

/* ------------------------------------------- status order and columns */

/* The project's status order (docs/metrics.md, "Column order"): with a
 * board, its columns left to right, a column's statuses in the
 * configuration's order, then the statuses not on the board in the base
 * order (category new, active, done, unknown; name bytewise; id); without
 * one, inferred from the moves between statuses of the kept issues: status
 * a goes before b when more moves go a -> b than b -> a, and the statuses
 * are placed one at a time, each time the unplaced one with the fewest
 * such "must come first" statuses still unplaced, ties in the base order
 * (so a cycle is broken where it is least contradicted, and statuses no
 * move relates keep the base order). Statuses without slices come after
 * the used ones, in the base order. More than BIQ_FLOW_ORDER_INFER_MAX
 * used statuses: the base order alone. */
enum { BIQ_FLOW_ORDER_INFER_MAX = 512 };

/* The i-th status in the project's order (i < biq_flow_status_count);
 * NULL out of range. Points into the flow. */
const biq_flow_status_info *biq_flow_status_ordered(const biq_flow *flow, size_t i);

/* <0 when a comes before b in the project's order, >0 after, 0 for the
 * same status. Both from the same flow. Pure; a qsort-style comparison for
 * every list of statuses (tables, aging rows, bands). */
int biq_flow_status_order_cmp(const biq_flow_status_info *a, const biq_flow_status_info *b);

/* One board column as the flow sees it. */
typedef struct biq_flow_column {
    const char *name;
    const biq_board_column *board; /* the configuration's entry (borrowed) */
    const uint32_t *statuses; /* indices (biq_flow_status_at) of its statuses
                                 the flow knows, configuration order */
    size_t n_statuses;
    int32_t wip_limit;        /* the board's max, -1 when none */
} biq_flow_column;

/* The board's columns, left to right: 0 without a board. */
size_t biq_flow_column_count(const biq_flow *flow);
/* The i-th column; NULL out of range. Points into the flow. */
const biq_flow_column *biq_flow_column_at(const biq_flow *flow, size_t i);

/* ------------------------------------------- cumulative flow (issue #15) */

/* The cumulative flow diagram (docs/metrics.md, "Cumulative flow"). Its
 * frame is the board's columns left to right, or without a board the used
 * statuses in the project's order, the terminal ones moved last. Each
 * item sits at the furthest frame position it has reached (statuses off
 * the board are not counted until the item reaches a board column); band
 * b's top at a sample = the items at position b or to its right, so no
 * line ever falls: the first band's top is the arrivals, the done band's
 * top the departures. A move back (a reopen included) is not subtracted
 * but listed as a correction. */
enum { BIQ_FLOW_CFD_MAX_CORRECTIONS = 100000 }; /* listed per chart */

typedef struct biq_flow_cfd_band {
    const char *name;                   /* the column's or the status's */
    const biq_flow_column *column;      /* the board column, NULL without a board */
    const biq_flow_status_info *status; /* the status without a board, else NULL */
} biq_flow_cfd_band;

typedef struct biq_flow_cfd_correction {
    const biq_flow_issue_view *issue;
    const char *from;  /* the furthest band reached before the move back */
    const char *to;    /* where it went; NULL for a status off the board */
    biq_ms at;         /* the move back */
    biq_ms back_at;    /* when it reached `from` (or beyond) again; NONE: not by the last sample */
    int64_t start_day; /* local day of `at` (the day whose sample first sees it) */
    int64_t end_day;   /* local day of back_at, or the chart's last day */
} biq_flow_cfd_correction;

typedef struct biq_flow_cfd {
    size_t n_days;
    int64_t *days;         /* local day numbers */
    biq_ms *sample_at;     /* end of each day (the next local midnight) or now */
    size_t n_bands;        /* counted bands, left to right */
    biq_flow_cfd_band *bands;
    size_t done_band;      /* first band of the done part (== n_bands: none) */
    bool by_columns;       /* the frame is the board's columns */
    bool backlog_cut;      /* bands before the first committed one left out */
    uint32_t *reached;     /* n_days x n_bands: items at band b or to its right */
    uint32_t *arrivals;    /* per day: growth of band 0's top (first day: since
                              the day's start) */
    uint32_t *departures;  /* per day: growth of the done band's top */
    biq_flow_cfd_correction *corrections; /* moves back seen by a sample of the
                                             chart, by time then issue id */
    size_t n_corrections;
    bool corrections_truncated; /* more than BIQ_FLOW_CFD_MAX_CORRECTIONS */
} biq_flow_cfd;

/* The CFD over the local days [first_day, last_day], sampled at each day's
 * end or now if earlier. cut_backlog: the frame starts at the first
 * position holding a status whose role is active or done (nothing is cut
 * when none does). BIQ_ERR_INVALID when last < first, BIQ_ERR_LIMIT beyond
 * BIQ_FLOW_MAX_CHART_DAYS, BIQ_ERR_NOMEM. *out lives in arena. Pure. */
biq_err biq_flow_cfd_build(const biq_flow *flow, int64_t first_day, int64_t last_day,
                           bool cut_backlog, biq_arena *arena, biq_flow_cfd **out);

/* Arrivals against departures over a window (the dashboard's flowDebt):
 * items whose first arrival on the CFD frame (its first position reached)
 * falls in (from, to], items whose arrival at the done band does; per day
 * = count / the window's days; debt = arrivals - departures. */
typedef struct biq_flow_debt {
    uint32_t arrivals, departures;
    double arrivals_per_day, departures_per_day; /* 0 for an empty window */
    int64_t debt;
} biq_flow_debt;

/* BIQ_ERR_NOMEM. Pure. */
biq_err biq_flow_debt_compute(const biq_flow *flow, const biq_flow_window *w, biq_arena *arena,
                              biq_flow_debt *out);

/* The CFD as a table: the header "date,band,position,reached,in_band,
 * done_band" and one line per (day d, band b): the day, the band's name
 * (formula injection defused as in the slice export), its position from 0
 * at the left, items at it or to its right, items at it (its width), and
 * whether it is part of the done band. BIQ_ERR_TOO_LARGE when the line does
 * not fit in size bytes. Pure. */
biq_err biq_flow_cfd_csv_header(char *buf, size_t size, size_t *len);
biq_err biq_flow_cfd_csv_format(const biq_flow_cfd *c, size_t d, size_t b, char *buf, size_t size,
                                size_t *len);

/* The column-level view beside the status-level one (the dashboard's
 * `columns`, only with a board). A visit to a column is a run of
 * consecutive slices in its statuses; its time is the run's duration. */
struct biq_flow_column_metrics {
    const biq_flow_column *column;
    biq_flow_stats time;  /* closed, non-empty visits ending in the window */
    uint32_t throughput;  /* distinct issues that left the column in it */
    double wip_avg;       /* time-weighted average */
    uint32_t wip_current; /* issues in the column at the window's end */
};

/* ------------------------------------------------ run charts and XmR limits */

/* XmR (individuals and moving range) charts (docs/metrics.md, "Run charts
 * and process limits"; product.md, "XmR"): natural process limits = mean +-
 * BIQ_XMR_SCALE x the average moving range |x[i] - x[i-1]|. */
#define BIQ_XMR_SCALE 2.66
#define BIQ_XMR_ZONE_FRACTION (2.0 / 3.0) /* of the limit distance: the 3-of-4 zone */

enum {
    BIQ_XMR_RUN_LENGTH = 8,  /* points in a row on one side of the mean */
    BIQ_XMR_ZONE_SPAN = 4,   /* consecutive points looked at ... */
    BIQ_XMR_ZONE_HITS = 3,   /* ... of which this many beyond the zone line */
    BIQ_XMR_MIN_POINTS = 2,  /* fewer: no moving range, no limits */
};

/* Signal bits of a point: which rules it is part of. */
enum {
    BIQ_XMR_OUTSIDE = 1u << 0, /* strictly beyond the upper or the (shown) lower limit */
    BIQ_XMR_RUN = 1u << 1,     /* one of >= 8 in a row strictly on one side of the mean */
    BIQ_XMR_ZONE = 1u << 2,    /* one of 3 of 4 in a row strictly beyond mean +- 2/3 of
                                  the limit distance, on the same side */
};

typedef struct biq_xmr_limits {
    size_t n;          /* points the limits come from */
    bool has_limits;   /* n >= BIQ_XMR_MIN_POINTS */
    double mean;       /* 0 when n == 0 */
    double avg_mr;     /* average moving range; 0 without limits */
    double upper;      /* mean + 2.66 avg_mr (mean without limits) */
    double lower;      /* mean - 2.66 avg_mr, raised to 0 when clamped */
    double lower_raw;  /* before the clamp */
    double zone_upper, zone_lower; /* mean +- 2/3 x 2.66 avg_mr (never clamped) */
} biq_xmr_limits;

/* The limits of values[0..n); with clamp_zero (counts and durations) a
 * lower limit below 0 reads as 0. mean = sum / n (biq_flow_quotient);
 * n == 1 gives the mean and no limits. Pure, never fails, allocates
 * nothing; values may be NULL when n == 0. */
void biq_xmr_limits_compute(const double *values, size_t n, bool clamp_zero, biq_xmr_limits *out);

/* The signal bits of each of values[0..n) against lim into signals[0..n)
 * (zeroed first). Without limits (lim->has_limits false) every point gets
 * 0. A point equal to the mean is on neither side (it breaks a run and is
 * never beyond a zone line); a point equal to a limit is not outside. Pure,
 * never fails. */
void biq_xmr_signals(const double *values, size_t n, const biq_xmr_limits *lim,
                     uint8_t *signals);

typedef enum biq_run_kind {
    BIQ_RUN_THROUGHPUT_DAY = 0, /* items done per whole (working) day */
    BIQ_RUN_THROUGHPUT_WEEK,    /* items done per whole local week, Monday first */
    BIQ_RUN_WIP_DAY,            /* WIP (biq_flow_status_load) at each day's end */
    BIQ_RUN_CYCLE_TIME,         /* days started -> done of each finished item */
    BIQ_RUN_AGE_TOTAL,          /* total age since started of the WIP at each day's end */
    BIQ_RUN_AGE_AVG,            /* average of the same (0 with no WIP) */
    BIQ_RUN__COUNT
} biq_run_kind;

typedef struct biq_run_point {
    int64_t day;     /* local day: the day, the week's Monday, or the done day */
    biq_ms at;       /* the sample instant (the day's end) or the done instant */
    const biq_flow_issue_view *issue; /* BIQ_RUN_CYCLE_TIME only, else NULL */
    double value;    /* items, or days (calendar or working time) */
    uint8_t signals; /* BIQ_XMR_* bits */
} biq_run_point;

typedef struct biq_run_series {
    biq_run_kind kind;
    biq_run_point *points; /* oldest first (cycle time: done order, then issue id) */
    size_t n_points;
    biq_xmr_limits limits; /* of the series' own points, clamped at 0 */
} biq_run_series;

typedef struct biq_flow_runs {
    biq_flow_window window;
    bool working_days;  /* the work schedule is on: days off are not points */
    int64_t first_day;  /* the whole local days of the window; */
    int64_t last_day;   /* first_day > last_day when there is none */
    biq_run_series series[BIQ_RUN__COUNT]; /* indexed by biq_run_kind */
} biq_flow_runs;

/* The run charts of window w. Day series: the local days (flow's zone)
 * wholly inside (w->from, w->to] (the partial first and last days left
 * out), only working days when the schedule is on (an item done on a day
 * off counts on the working day before it, or the first working day of the
 * window); weeks: the whole Monday..Sunday weeks inside the same days;
 * cycle time: items done in (w->from, w->to] that started. Ages and cycle
 * times are durations under the schedule, in 24 h days. BIQ_ERR_INVALID for
 * a bad window, BIQ_ERR_LIMIT beyond BIQ_FLOW_MAX_CHART_DAYS whole days,
 * BIQ_ERR_NOMEM. *out lives in arena. Pure. */
biq_err biq_flow_runs_build(const biq_flow *flow, const biq_flow_window *w, biq_arena *arena,
                            biq_flow_runs **out);

/* Stable names: "throughputPerDay", "throughputPerWeek", "wipPerDay",
 * "cycleTime", "ageTotal", "ageAverage"; units "items" or "days". Never NULL. */
const char *biq_run_kind_name(biq_run_kind k);
const char *biq_run_kind_unit(biq_run_kind k);

/* The bottleneck's XmR input for every status of r (report.c calls it when
 * settings.xmr_signal is on): per status, the time-in-status samples of
 * the previous window (closed, non-empty slices ending in it, in exit
 * order) give limits; each sample ending in the current window strictly
 * above the upper limit is a crossing. Sets has_xmr, xmr_upper_ms and
 * xmr_crossings of r->statuses. BIQ_ERR_NOMEM. Pure. */
biq_err biq_flow_status_xmr(const biq_flow *flow, biq_flow_report *r, biq_arena *arena);

/* The run charts as CSV (export.csv?table=runs): the header line
 * ("series,unit,date,at,issue_key,value,mean,lower,upper,outside,run,zone"),
 * then one RFC 4180 line per point i of series kind; limits empty when the
 * series has none, signals as 0/1. BIQ_ERR_TOO_LARGE when a line does not
 * fit in size bytes (BIQ_FLOW_CSV_LINE_MAX always does), BIQ_ERR_INVALID
 * for a point out of range. Pure. */
biq_err biq_flow_runs_csv_header(char *buf, size_t size, size_t *len);
biq_err biq_flow_runs_csv_line(const biq_flow_runs *r, biq_run_kind kind, size_t i, char *buf,
                               size_t size, size_t *len);
/* ------------------------------------------- aging bands, pace and SLEs */

/* Aging bands per status and pace (docs/metrics.md, "Aging bands and
 * pace"; product.md): the basis is the items done in (now - basis days,
 * now], the same half-open rule as the aging chart's reference line. */
enum {
    BIQ_FLOW_BANDS_BASIS_DEFAULT_DAYS = 90,
    BIQ_FLOW_BANDS_MAX_BASIS_DAYS = BIQ_FLOW_MAX_WINDOW_DAYS,
    BIQ_FLOW_BAND_N_PERCENTILES = 4, /* 50, 70, 85, 95 */
    BIQ_FLOW_SLE_PERCENT_MIN = 50,
    BIQ_FLOW_SLE_PERCENT_MAX = 99,
    BIQ_FLOW_SLE_DAYS_MIN = 1,
    BIQ_FLOW_SLE_DAYS_MAX = 365,
    BIQ_FLOW_SLE_SUGGESTED_PERCENT = 85, /* the suggestion: P85 of cycle time */
    BIQ_FLOW_SLE_MAX_TYPES = 256,        /* per-issue-type SLEs of a project */
};

/* The percentiles of a band, in order: 50, 70, 85, 95. */
extern const int biq_flow_band_percents[BIQ_FLOW_BAND_N_PERCENTILES];

typedef struct biq_flow_band {
    const biq_flow_status_info *status; /* NULL: the whole in-progress span */
    uint32_t n;                         /* items the band is drawn from */
    double p_ms[BIQ_FLOW_BAND_N_PERCENTILES]; /* type 7; 0 when n == 0 */
} biq_flow_band;

/* "percent% of items finish within days days". */
typedef struct biq_flow_sle {
    int32_t percent; /* BIQ_FLOW_SLE_PERCENT_MIN..MAX */
    int32_t days;    /* BIQ_FLOW_SLE_DAYS_MIN..MAX, in the flow's (working) days */
} biq_flow_sle;

typedef struct biq_flow_sle_type {
    const char *issue_type; /* ASCII case-insensitive, as excluded types */
    biq_flow_sle sle;
} biq_flow_sle_type;

/* A project's SLEs: an item of a listed type has its type's, any other the
 * project's; none set: no item is at risk. Borrowed by whatever reads it. */
typedef struct biq_flow_sle_set {
    bool has_project;
    biq_flow_sle project;
    const biq_flow_sle_type *types;
    size_t n_types;
} biq_flow_sle_set;

/* BIQ_OK, or BIQ_ERR_INVALID when a percent or day count is out of range,
 * a type is NULL or listed twice, or there are more than
 * BIQ_FLOW_SLE_MAX_TYPES. Pure. */
biq_err biq_flow_sle_set_validate(const biq_flow_sle_set *s);

/* The flow settings' SLEs, or NULL when none. */
const biq_flow_sle_set *biq_flow_sles(const biq_flow *flow);

/* The SLE an issue of issue_type falls under, or NULL. Pure. */
const biq_flow_sle *biq_flow_sle_for(const biq_flow_sle_set *s, const char *issue_type);

typedef struct biq_flow_bands {
    int32_t basis_days;
    biq_ms basis_from, basis_to;  /* (from, to]: to is now */
    biq_flow_band *statuses;      /* active statuses, in the aging chart's order */
    size_t n_statuses;
    biq_flow_band span;           /* cycle time: started -> done */
    const int64_t *cycle_sorted;  /* the span's cycle times, ascending (span.n) */
    /* The SLE suggestion: BIQ_FLOW_SLE_SUGGESTED_PERCENT% within days =
     * the P85 of the span rounded up to whole days (1..365); only when
     * span.n > 0. Never a setting by itself. */
    bool has_suggestion;
    biq_flow_sle suggestion;
} biq_flow_bands;

/* The bands over the basis_days (1..BIQ_FLOW_BANDS_MAX_BASIS_DAYS; 0 = the
 * default) before now. A status band holds, per finished item that was in
 * that (active, non-terminal) status, its age since started when it last
 * left it; the span band the items' cycle times. BIQ_ERR_INVALID for a bad
 * basis, BIQ_ERR_NOMEM. *out lives in arena. Pure. */
biq_err biq_flow_bands_build(const biq_flow *flow, int32_t basis_days, biq_arena *arena,
                             biq_flow_bands **out);

typedef struct biq_flow_pace {
    const biq_flow_issue_view *issue;
    int64_t age_ms;       /* since started, at now; -1 when never started */
    uint32_t at_or_below; /* finished items whose cycle time <= age_ms */
    uint32_t n;           /* finished items (the span's n) */
    bool has_pace;        /* started and n > 0 */
    double pace;          /* at_or_below / n, 0..1; 0 without pace */
    const biq_flow_sle *sle; /* the one that applies, or NULL */
    bool beyond_percent;  /* pace strictly above the SLE's percent */
    bool over_days;       /* age already over the SLE's days */
    bool at_risk;         /* either of the two */
} biq_flow_pace;

/* The pace of item v at the flow's now against b and the SLEs s (NULL:
 * none). Comparisons are exact (integer counts). Pure, cannot fail. */
void biq_flow_pace_of(const biq_flow *flow, const biq_flow_bands *b, const biq_flow_sle_set *s,
                      const biq_flow_issue_view *v, biq_flow_pace *out);

/* The pace of every item in progress (started, not done, not in a terminal
 * status), in issue id order. BIQ_ERR_NOMEM. *rows lives in arena. */
biq_err biq_flow_paces(const biq_flow *flow, const biq_flow_bands *b, const biq_flow_sle_set *s,
                       biq_arena *arena, biq_flow_pace **rows, size_t *n);

/* The export's aging table (table=aging): one line per item in progress
 * (biq_flow_paces): issue_key, status, issue_type, started, age_days (3
 * decimals), pace (0..1, 4 decimals; empty without finished items),
 * at_risk, sle_percentile, sle_days (empty without an SLE); cells as
 * biq_flow_csv_format. BIQ_ERR_TOO_LARGE when a line does not fit. */
biq_err biq_flow_aging_csv_header(char *buf, size_t size, size_t *len);
biq_err biq_flow_aging_csv_format(const biq_flow *flow, const biq_flow_pace *p, char *buf,
                                  size_t size, size_t *len);

#endif
