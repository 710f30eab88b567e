/* gen.h - synthetic Jira data for demos, tests and benchmarks (`biq gen`).
 *
 * Pure: no I/O, no clock, no globals. A biq_gen is a seeded plan (projects,
 * workflows, users, sprints); every issue is then derived from (seed, issue
 * index) alone, so any issue can be produced on its own, in any order, and
 * the same configuration always gives the same bytes. The same plan yields
 * both Jira wire JSON (search pages, per-issue changelog pages, the status
 * catalogue, the agile sprint page, in the shapes of
 * shared/realdata/devlake-merico) and the model structs of model/jira.h,
 * so benchmarks need not go through JSON.
 *
 * What the data holds: per project a workflow of 5..10 statuses with
 * categories, issues created over the year before `now`, skipped statuses,
 * backward moves, reopens, cancelled issues, sprints with carry-over,
 * story points, assignees, priorities, issue types, histories mixing status
 * and other items, timestamps with the author's UTC offset, a few truncated
 * embedded changelogs, and a planted bottleneck: one active status per
 * project whose time in status (and so its WIP) grows over the last 30 days
 * against the 30 before. Issue #15's data too: most work is planned into a
 * sprint before it starts (committed), the rest joins mid-sprint (added),
 * some backlog items are planned and dropped mid-sprint (removed), open work
 * moves to the next sprint at completion (carried over); items are flagged
 * for hours to days (some still flagged), some are "blocked by" an earlier
 * issue of their project (a Link changelog item); each project has a board
 * configuration (biq_gen_board_json). These draw from their own random
 * streams, so the status walk of every issue is what it was without them.
 *
 * Thread safety: a biq_gen is immutable after biq_gen_new(); any number of
 * threads may read it at once.
 */
#ifndef BIQ_GEN_GEN_H
#define BIQ_GEN_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/arena.h"
#include "common/err.h"
#include "model/jira.h"

enum {
    BIQ_GEN_MAX_ISSUES = 1000000,  /* the flow core's per-computation limit */
    BIQ_GEN_MAX_PROJECTS = 16,     /* one per entry of the project-name table */
    BIQ_GEN_PAGE_SIZE = 100,       /* issues per search page, as Jira pages */
    BIQ_GEN_MAX_HISTORIES = 96,    /* per issue: one changelog page holds them */
    BIQ_GEN_CHANGELOG_PAGE = 100,  /* maxResults of a changelog page */
    BIQ_GEN_MAX_ITEMS = 4,         /* items per history */
    BIQ_GEN_MIN_WORKFLOW = 5,      /* statuses per project workflow */
    BIQ_GEN_MAX_WORKFLOW = 10,
    BIQ_GEN_MAX_SPRINTS = 32,      /* per project: a year of 2-week sprints + 1 */
    BIQ_GEN_SPAN_DAYS = 365,       /* issues are created over this many days */
    BIQ_GEN_WINDOW_DAYS = 30,      /* the bottleneck forms in the last window */
    BIQ_GEN_KEY_MAX = 24,          /* "PROJECT-1000000" and a NUL */
    BIQ_GEN_TIME_MAX = 32,         /* "2020-06-12T08:13:13.360+0800" and a NUL */
};

/* 2026-01-01T00:00:00Z: the default clock of `biq gen`, fixed so that the
 * default output is reproducible. */
#define BIQ_GEN_DEFAULT_NOW INT64_C(1767225600000)

typedef struct biq_gen_config {
    uint64_t seed;
    size_t n_issues;   /* 1..BIQ_GEN_MAX_ISSUES, spread over the projects */
    size_t n_projects; /* 1..BIQ_GEN_MAX_PROJECTS, at most n_issues */
    biq_ms now;        /* the data's clock: nothing happens after it */
} biq_gen_config;

typedef struct biq_gen biq_gen;

/* A project of the plan. Strings are static; arrays live in the biq_gen. */
typedef struct biq_gen_project {
    int64_t id;
    const char *key;
    const char *name;
    size_t first_issue; /* global index of its first issue */
    size_t n_issues;
    const int64_t *workflow; /* status ids in workflow order */
    size_t n_workflow;
    int64_t bottleneck_status; /* the planted bottleneck's status id */
    int64_t board_id;
    size_t n_sprints;
} biq_gen_project;

/* Validates cfg and builds the plan. BIQ_ERR_INVALID for a config out of
 * range (message in err_buf when not NULL), BIQ_ERR_NOMEM. *out is set only
 * on success; free with biq_gen_free(). */
biq_err biq_gen_new(const biq_gen_config *cfg, biq_gen **out, char *err_buf, size_t err_size);

/* Frees a plan; NULL is a no-op. */
void biq_gen_free(biq_gen *g);

/* Issues and projects of the plan (the configured counts). Never fail. */
size_t biq_gen_issue_count(const biq_gen *g);
size_t biq_gen_project_count(const biq_gen *g);
/* The i-th project (i < count), NULL out of range. Points into g. */
const biq_gen_project *biq_gen_project_at(const biq_gen *g, size_t i);
/* The project holding global issue index `index`, NULL out of range. */
const biq_gen_project *biq_gen_project_of(const biq_gen *g, size_t index);
/* Search pages of a project: ceil(n_issues / BIQ_GEN_PAGE_SIZE). */
size_t biq_gen_page_count(const biq_gen_project *p);

/* Whether issue `index` has a truncated embedded changelog (its full history
 * is in biq_gen_changelog_json()). False out of range. */
bool biq_gen_issue_truncated(const biq_gen *g, size_t index);
/* The Jira issue id of issue `index` (ids are BIQ_GEN_ISSUE_ID_BASE + index). */
int64_t biq_gen_issue_id(size_t index);

/* ------------------------------------------------------------ JSON (wire) */

/* Each returns a new reference (json_decref) or NULL when out of memory or
 * out of range. */

/* One issue of a search page: {expand,id,self,key,fields,changelog}. */
json_t *biq_gen_issue_json(const biq_gen *g, size_t index);
/* Page `page` (0-based) of project p: {startAt,maxResults,total,issues}. */
json_t *biq_gen_page_json(const biq_gen *g, size_t project, size_t page);
/* The issue's whole changelog as the changelog endpoint pages it:
 * {self,maxResults,startAt,total,isLast,values}, oldest first. */
json_t *biq_gen_changelog_json(const biq_gen *g, size_t index);
/* The status catalogue (GET /rest/api/3/status): an array. */
json_t *biq_gen_statuses_json(const biq_gen *g);
/* Every project's sprints as one agile page {maxResults,startAt,isLast,values}. */
json_t *biq_gen_sprints_json(const biq_gen *g);
/* Project p's board configuration as Jira Software returns it (GET
 * /rest/agile/1.0/board/{id}/configuration): {id,name,type,filter,
 * columnConfig:{columns:[{name,statuses:[{id}],max?}],constraintType}}:
 * the backlog statuses in "To Do", one column per active status (the
 * planted bottleneck's with a WIP limit "max"), the done ones in "Done". */
json_t *biq_gen_board_json(const biq_gen *g, size_t project);

/* ------------------------------------------------------- model (in memory) */

/* Fills *out with issue `index` as the ingest would store it (the complete
 * history, also for truncated ones: changelog_total == changelog_present).
 * Strings and arrays come from arena or static tables and live as long as
 * both. BIQ_ERR_INVALID out of range, BIQ_ERR_NOMEM. */
biq_err biq_gen_issue_model(const biq_gen *g, size_t index, biq_arena *arena, biq_issue *out);

/* The status catalogue; *out points to static storage. Never fails. */
void biq_gen_statuses(const biq_status **out, size_t *n);

/* Project p's sprints into arena (*out, *n). BIQ_ERR_INVALID for a bad
 * project, BIQ_ERR_NOMEM. */
biq_err biq_gen_sprints(const biq_gen *g, size_t project, biq_arena *arena, biq_sprint **out,
                        size_t *n);

/* ---------------------------------------------------------------- helpers */

/* Parses "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HHMM|+HH:MM|-..)" (fraction: 1..3
 * digits) or "YYYY-MM-DD" (midnight UTC) into *out. BIQ_ERR_INVALID
 * otherwise. Pure. */
biq_err biq_gen_parse_instant(const char *text, biq_ms *out);

/* Formats t the way Jira does, on a wall clock offset_min minutes east of
 * UTC: "2020-06-12T08:13:13.360+0800". false when size < BIQ_GEN_TIME_MAX. */
bool biq_gen_format_jira(biq_ms t, int32_t offset_min, char *buf, size_t size);

#define BIQ_GEN_ISSUE_ID_BASE INT64_C(10000)

#endif
