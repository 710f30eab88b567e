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

typedef struct biq_project {
    int64_t id;
    const char *key;
    const char *name;
} biq_project;

#endif
