/* jira.h - the Jira data model shared by the parsers, the store and the flow
 * core.
 *
 * Plain structs; the only behaviour is naming status categories (jira.c). Strings point into the arena of whoever built
 * the value (a parser, a store query) and live as long as it. Instants are
 * milliseconds since the Unix epoch in UTC (biq_ms); BIQ_MS_NONE marks an
 * absent instant. Jira ids are numeric strings on the wire and int64 here.
 */
#ifndef BIQ_MODEL_JIRA_H
#define BIQ_MODEL_JIRA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t biq_ms;
#define BIQ_MS_NONE INT64_MIN

/* Jira's statusCategory.key. */
typedef enum biq_status_category {
    BIQ_CAT_UNKNOWN = 0, /* "undefined" or absent */
    BIQ_CAT_NEW,         /* "new": To Do */
    BIQ_CAT_ACTIVE,      /* "indeterminate": In Progress */
    BIQ_CAT_DONE,        /* "done" */
} biq_status_category;

/* Jira's statusCategory.key ("new", "indeterminate", "done") to the enum;
 * anything else, or NULL, is BIQ_CAT_UNKNOWN. Pure, thread-safe. */
biq_status_category biq_status_category_parse(const char *key);

/* The enum to Jira's key ("undefined" for BIQ_CAT_UNKNOWN). Static string. */
const char *biq_status_category_name(biq_status_category c);

typedef struct biq_status {
    int64_t id;
    const char *name; /* display only; ids identify statuses */
    biq_status_category category;
} biq_status;

/* One status item of one changelog history. */
typedef struct biq_transition {
    int64_t history_id; /* the changelog history's id */
    int32_t item_index; /* position of the status item inside that history */
    biq_ms at;          /* history.created, UTC, millisecond precision */
    int64_t from_status; /* 0 when Jira gave none */
    int64_t to_status;
    const char *from_name; /* fromString / toString as Jira wrote them (may be NULL) */
    const char *to_name;
} biq_transition;

/* One change of the Flagged field (Jira's impediment flag, a multi-checkbox
 * custom field whose one option is "Impediment"), from the changelog. */
typedef struct biq_flag_change {
    int64_t history_id;
    int32_t item_index;
    biq_ms at;
    bool flagged; /* the state after this change: toString non-empty */
} biq_flag_change;

/* One "is blocked by" link the issue has now (fields.issuelinks: a link
 * whose inward text is "is blocked by" and which has an inwardIssue). Only
 * the link type's name and the other issue's id are kept, never its
 * summary or status (docs/data-classification). */
typedef struct biq_block_link {
    int64_t blocker_id;    /* inwardIssue.id */
    biq_ms linked_at;      /* the changelog's "Link" item that added it, or
                              BIQ_MS_NONE when the changelog does not show it
                              (then the link counts from the issue's creation) */
} biq_block_link;

/* One change of the Sprint field, from the changelog: the sprint ids the
 * issue was in before and after (Jira writes them as "12, 13"). */
typedef struct biq_sprint_change {
    int64_t history_id;
    int32_t item_index;
    biq_ms at;
    const int64_t *from_ids;
    size_t n_from;
    const int64_t *to_ids;
    size_t n_to;
} biq_sprint_change;

typedef struct biq_issue {
    int64_t id;
    const char *key;         /* "EE-123" */
    int64_t project_id;      /* 0 when unknown */
    const char *project_key;
    const char *summary;
    int64_t status_id;       /* current status */
    const char *status_name;
    biq_status_category status_category;
    const char *issue_type;
    const char *priority;
    const char *assignee;    /* display name only */
    biq_ms created;
    biq_ms updated;
    biq_ms resolution_at;    /* fields.resolutiondate, BIQ_MS_NONE if absent */
    double story_points;
    bool has_story_points;
    bool has_security_level; /* such issues are never stored */
    const int64_t *sprint_ids; /* NULL: the sprint field was not in the payload
                                  (membership unknown, left as stored);
                                  non-NULL with n_sprint_ids == 0: in no sprint */
    size_t n_sprint_ids;
    const biq_transition *transitions; /* status transitions only, in input order */
    size_t n_transitions;
    int32_t changelog_total;    /* histories Jira says exist (-1 when unknown) */
    int32_t changelog_present;  /* histories present in this payload */
    /* Filters and flow efficiency (issue #15). */
    const char *resolution;     /* fields.resolution.name, NULL when none */
    const char *const *labels;  /* fields.labels; NULL with 0 when none */
    size_t n_labels;
    bool is_subtask;            /* fields.issuetype.subtask */
    int64_t parent_id;          /* fields.parent.id, 0 when none */
    bool flagged;               /* the Flagged field is set now */
    const biq_flag_change *flag_changes; /* Flagged history, input order */
    size_t n_flag_changes;
    const biq_block_link *blocked_by;    /* current "is blocked by" links */
    size_t n_blocked_by;
    const biq_sprint_change *sprint_changes; /* Sprint history, input order */
    size_t n_sprint_changes;
} biq_issue;

typedef struct biq_sprint {
    int64_t id;
    const char *name;
    const char *state; /* "future", "active", "closed" */
    biq_ms start;
    biq_ms end;
    biq_ms complete;
    int64_t board_id; /* 0 when unknown */
} biq_sprint;

/* One column of a board's configuration (Jira Software's
 * GET /rest/agile/1.0/board/{id}/configuration, columnConfig.columns). */
typedef struct biq_board_column {
    const char *name;
    const int64_t *status_ids; /* statuses mapped to the column, in order */
    size_t n_status_ids;
    int32_t min;               /* column constraint, -1 when none */
    int32_t max;               /* the column's WIP limit, -1 when none */
} biq_board_column;

/* The board a project's flow is framed by: its columns left to right. */
typedef struct biq_board {
    int64_t id;
    const char *name;
    const biq_board_column *columns;
    size_t n_columns;
} biq_board;

typedef struct biq_project {
    int64_t id;
    const char *key;
    const char *name;
} biq_project;

#endif
