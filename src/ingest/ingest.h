/* ingest.h - the Jira JSON parsers: wire formats in, biq_* model structs out.
 *
 * README
 * ------
 * Pure functions over a json_t (or a byte buffer via biq_ingest_load): no I/O,
 * no database, no global state. They serve the Forge routes, the backfill and
 * the offline `biq analyze`. Formats (shapes from Jira's REST API and the
 * captures in ../shared/realdata):
 *
 *   biq_parse_event           Forge product events (`eventType`
 *                             avi:jira:created|updated|deleted:issue, sprint
 *                             events avi:jira-software:*:sprint), bare or inside
 *                             an envelope's `payload`; classic Jira webhooks
 *                             (`webhookEvent` jira:issue_created|updated|deleted).
 *                             Every other type is "ignored" with a reason.
 *   biq_parse_issue_page      search pages {startAt,maxResults,total,issues[]},
 *                             search/jql pages {nextPageToken,isLast,issues[]},
 *                             a bare array of issues; optional statuses[] and
 *                             sprints[] members (backfill pages).
 *   biq_parse_changelog_page  /issue/{id}/changelog pages {values[],isLast,...}.
 *   biq_parse_statuses        /status array, project statuses
 *                             [{issue type..., statuses[]}], or {values[]}.
 *   biq_parse_sprints         agile sprint pages {values[]} or an array.
 *   biq_parse_projects        project lists {values[]} or an array.
 *
 * Data minimisation (security.md §3): an issue keeps only id, key, summary,
 * status id/name/category, issue type name, priority name, project id/key,
 * assignee displayName, created/updated/resolutiondate, story points and sprint
 * ids from the configured custom fields; and for issue #15 the resolution's
 * name, labels, issuetype.subtask, parent id, the Flagged field's state and
 * of fields.issuelinks only "is blocked by" links as the other issue's id
 * (never its summary, status or fields). Changelogs keep status items, and
 * Flagged (set or cleared), Sprint (ids before and after) and Link items
 * (only to date the current blocking links).
 * Sprint items: ids come from `from`/`to` ("38, 40", "" for none); an item
 * with neither (webhooks write only names) is resolved by the names of the
 * sprints the page carries (sprints[]), each name matching exactly one
 * sprint, else skipped and counted in sprint_items_unreadable: never
 * guessed.
 * Everything is copied into the caller's arena, so nothing else of the input
 * is reachable from a result. An issue with a non-null `fields.security` gets
 * has_security_level and nothing but its id, key and project: callers skip it.
 *
 * Keys: project keys must be Jira's shape [A-Z][A-Z0-9_]* and issue keys
 * PROJECT-N (N a positive integer, no leading zero), else BIQ_ERR_SHAPE
 * naming the member ("issues[0].key: not a Jira issue key ..."): they
 * reach alert messages (alerts/encode.h escapes them too).
 * Strings: identifiers (keys, states, event types, page tokens) holding
 * \u0000 are refused; display text (summary, names) has NUL characters
 * dropped, because real data has them (EE-4's summary in devlake-merico).
 * Events: a history without `created` (webhooks) takes the body's
 * `timestamp`, else the issue's `updated`.
 *
 * Errors: a body is accepted whole or refused whole. BIQ_ERR_INVALID for
 * malformed JSON or bad values, BIQ_ERR_SHAPE for valid JSON of the wrong
 * shape, BIQ_ERR_TOO_LARGE when a limit below is crossed, BIQ_ERR_NOMEM when
 * the arena is exhausted. biq_parse_error names the first problem by path:
 * "issues[3].changelog.histories[0].created: not a timestamp".
 *
 * Limits are the BIQ_INGEST_* constants below. Lengths are bytes of UTF-8.
 */
#ifndef BIQ_INGEST_H
#define BIQ_INGEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/err.h"
#include "model/jira.h"

/* A 100-issue search page with changelogs is a few MiB (the 33-issue realdata
 * page is 1.1 MiB); 16 MiB leaves headroom for long histories. */
#define BIQ_INGEST_BODY_MAX ((size_t)16 * 1024 * 1024)
/* Real Jira bodies nest about 15 deep (ADF descriptions a little more);
 * checked before jansson sees the body, well below its own 2048. */
#define BIQ_INGEST_DEPTH_MAX 128
#define BIQ_INGEST_ISSUES_MAX 1000             /* issues per page (Jira gives <= 100) */
#define BIQ_INGEST_HISTORIES_MAX 1000          /* histories per issue or changelog page */
#define BIQ_INGEST_ITEMS_MAX 1000              /* items per history (bulk edits, migrations) */
#define BIQ_INGEST_SPRINT_IDS_MAX 256          /* sprints one issue belongs to */
#define BIQ_INGEST_CATALOG_MAX 10000           /* statuses, sprints or projects per body */
#define BIQ_INGEST_KEY_MAX 255                 /* issue and project keys */
#define BIQ_INGEST_NAME_MAX 1024               /* status, type, priority, person, sprint names */
#define BIQ_INGEST_SUMMARY_MAX 4096            /* Jira caps summaries at 255 characters */
#define BIQ_INGEST_TOKEN_MAX 4096              /* nextPageToken, event type strings */
#define BIQ_INGEST_STORY_POINTS_MAX 1000000.0  /* story points in [0, this] */
#define BIQ_INGEST_MESSAGE_MAX 320             /* biq_parse_error.message, NUL included */
#define BIQ_INGEST_PATH_MAX 200                /* biq_parse_error.path, NUL included */
/* Issue #15's data. Like the sprint ids above, a body over a limit is
 * refused whole (BIQ_ERR_TOO_LARGE by path), never cut: a truncated link
 * set or history would read as a real state. The per-issue history limits
 * count the items kept (flag or sprint changes), over every history of the
 * issue, so they bound memory however the items are spread. */
#define BIQ_INGEST_LABELS_MAX 256              /* fields.labels per issue */
#define BIQ_INGEST_LINKS_MAX 1000              /* fields.issuelinks per issue (all types) */
#define BIQ_INGEST_FLAG_CHANGES_MAX 10000      /* Flagged items per issue or changelog page */
#define BIQ_INGEST_SPRINT_CHANGES_MAX 10000    /* Sprint items per issue or changelog page */
#define BIQ_INGEST_LINK_ITEMS_MAX 10000        /* "is blocked by" Link items (adds) per issue
                                                * or changelog page */
#define BIQ_INGEST_BOARDS_MAX 50               /* board configurations per POST /forge/boards */
#define BIQ_INGEST_BOARD_COLUMNS_MAX 100       /* columns per board */
#define BIQ_INGEST_COLUMN_STATUSES_MAX 500     /* statuses per column */
#define BIQ_INGEST_COLUMN_LIMIT_MAX 100000     /* a column's min/max */

/* Plausible instants (hostile data: the flow's cost must not depend on
 * dates). Every instant read is refused (BIQ_ERR_SHAPE, 422, by path) before
 * 1970-01-01T00:00:00Z, and, when the parse has a clock, more than 2 days
 * after it (clock skew, time zones); sprint start and end dates are plans
 * and may lie up to 5 years (1,827 days) ahead. */
#define BIQ_INGEST_EARLIEST_MS INT64_C(0)
#define BIQ_INGEST_AHEAD_MAX_MS (INT64_C(2) * 86400000)
#define BIQ_INGEST_PLANNED_AHEAD_MAX_MS (INT64_C(1827) * 86400000)

/* Defaults for when no ids were sent (e.g. `biq analyze`). Sites differ: the
 * Forge side resolves the real ids from /rest/api/3/field by schema and sends
 * them with the backfill (api.md), and those win.
 * - Sprint, customfield_10020: Jira Cloud's usual id; in realdata/devlake-merico
 *   it holds [{id, name, state, boardId, ...}] matching sprints.json. (The
 *   mattermost webhook site uses 10021, with greenhopper strings, and keeps a
 *   time-in-status string in 10020: a wrong id is refused by path.)
 * - Story points, customfield_10016: Jira Cloud's usual "Story point estimate"
 *   id. Null in every realdata issue, so not confirmed there; devlake's 10024
 *   holds 2.0 on one issue and the string "-1" on another, so it is not a
 *   trustworthy default. */
#define BIQ_FIELD_STORY_POINTS_DEFAULT "customfield_10016"
#define BIQ_FIELD_SPRINT_DEFAULT "customfield_10020"
/* Flagged ("Impediment"), customfield_10021: the id of Jira Cloud's
 * default Flagged field on the sites we have seen; the Forge side finds the
 * real one by name and schema (multicheckboxes) and sends it. Changelog
 * items are matched by this id when it is known, else by the field name
 * "Flagged". */
#define BIQ_FIELD_FLAGGED_DEFAULT "customfield_10021"

/* Which custom fields hold story points and sprint membership. A NULL member
 * means "not configured": the value is then never read. `now` is the clock
 * the BIQ_INGEST_*AHEAD_MAX_MS limits count from (the server's clock, or
 * `biq analyze --now`); NULL checks only the 1970 floor. */
typedef struct biq_field_ids {
    const char *story_points;
    const char *sprint;
    const biq_ms *now;
    const char *flagged; /* the Flagged field (issue #15); NULL: value not read,
                            changelog items matched by name */
} biq_field_ids;

/* The first problem found, by path. Both strings are always NUL-terminated
 * and non-empty after a failed parse ("body" for whole-body problems). */
typedef struct biq_parse_error {
    char path[BIQ_INGEST_PATH_MAX];
    char message[BIQ_INGEST_MESSAGE_MAX]; /* "path: reason" */
} biq_parse_error;

typedef enum biq_event_kind {
    BIQ_EVENT_IGNORED = 0,   /* not used by BottleneckIQ; see reason */
    BIQ_EVENT_ISSUE_UPSERT,  /* created or updated: issue is complete */
    BIQ_EVENT_ISSUE_DELETED, /* issue holds id, key (and project when sent) */
    BIQ_EVENT_SPRINT_UPSERT, /* created, started, updated or closed */
    BIQ_EVENT_SPRINT_DELETED /* sprint holds at least the id */
} biq_event_kind;

typedef struct biq_event {
    biq_event_kind kind;
    const char *type;   /* eventType or webhookEvent as sent */
    const char *reason; /* why it is ignored; NULL otherwise */
    biq_ms at;          /* the body's `timestamp` (ms), BIQ_MS_NONE if absent */
    biq_issue issue;    /* for ISSUE_*: transitions from the body's changelog;
                           created may be BIQ_MS_NONE (keep the stored one) */
    biq_sprint sprint;  /* for SPRINT_* */
    int32_t sprint_items_unreadable; /* Sprint items skipped: no ids, names
                                        not resolvable (see below) */
} biq_event;

typedef struct biq_issue_page {
    const biq_issue *issues;
    size_t n_issues;
    int64_t start_at;    /* -1 when absent */
    int64_t max_results; /* -1 when absent */
    int64_t total;       /* -1 when absent (search/jql, bare arrays) */
    const char *next_page_token; /* NULL when absent */
    bool has_is_last;
    bool is_last;
    const biq_status *statuses; /* optional members of a backfill page */
    size_t n_statuses;
    const biq_sprint *sprints;
    size_t n_sprints;
    int32_t sprint_items_unreadable; /* as in biq_event */
} biq_issue_page;

typedef struct biq_changelog_page {
    const biq_transition *transitions; /* status items only, in input order */
    size_t n_transitions;
    int32_t n_histories; /* histories on this page */
    int64_t start_at;    /* -1 when absent */
    int64_t max_results; /* -1 when absent */
    int64_t total;       /* -1 when absent */
    bool has_is_last;
    bool is_last;
    /* Issue #15: the Flagged and Sprint items of the page, input order. */
    const biq_flag_change *flag_changes;
    size_t n_flag_changes;
    const biq_sprint_change *sprint_changes;
    size_t n_sprint_changes;
    int32_t sprint_items_unreadable; /* as in biq_event */
} biq_changelog_page;

/* All parsers below share this contract:
 * - root is borrowed (not kept, not modified); results are copied into arena
 *   and live as long as it; on failure *out holds the empty value (no
 *   items; absent instants BIQ_MS_NONE, absent counts -1; catalogue
 *   outputs NULL and 0), perr (may be NULL) names the first problem, and
 *   the arena may hold unreachable garbage from the attempt.
 * - fields may be NULL: story points and sprints are then not read.
 * - Thread-safe for distinct arenas and error structs (no shared state). */

/* Returns the defaults above. Thread-safe, cannot fail. */
biq_field_ids biq_field_ids_default(void);

/* Loads a JSON body of len bytes (need not be NUL-terminated) with the size
 * and depth limits above and JSON_REJECT_DUPLICATES; NUL characters and
 * invalid UTF-8 are refused. On BIQ_OK *out is a new reference the caller
 * json_decref()s; otherwise *out is NULL and perr says why. */
biq_err biq_ingest_load(const char *buf, size_t len, json_t **out, biq_parse_error *perr);

/* Classifies and parses one event body. Unknown or unused event types give
 * BIQ_OK with kind BIQ_EVENT_IGNORED and a reason; a body without a type is
 * BIQ_ERR_SHAPE. */
biq_err biq_parse_event(const json_t *root, const biq_field_ids *fields, biq_arena *arena,
                        biq_event *out, biq_parse_error *perr);

/* Parses one search page (either API version) or a bare array of issues,
 * with its optional statuses[] and sprints[]. Issues keep input order; a
 * restricted issue is returned flagged (see above), not dropped. */
biq_err biq_parse_issue_page(const json_t *root, const biq_field_ids *fields, biq_arena *arena,
                             biq_issue_page *out, biq_parse_error *perr);

/* Parses one page of /issue/{id}/changelog; the issue is the caller's. */
biq_err biq_parse_changelog_page(const json_t *root, biq_arena *arena, biq_changelog_page *out,
                                 biq_parse_error *perr);
/* The same with a clock for the future limit (now NULL: none). */
biq_err biq_parse_changelog_page_at(const json_t *root, const biq_ms *now, biq_arena *arena,
                                    biq_changelog_page *out, biq_parse_error *perr);

/* The same with the field ids (Flagged and Sprint items are matched by
 * them; fields->now is the clock). fields may be NULL. */
biq_err biq_parse_changelog_page_with(const json_t *root, const biq_field_ids *fields,
                                      biq_arena *arena, biq_changelog_page *out,
                                      biq_parse_error *perr);

/* One board configuration (GET /rest/agile/1.0/board/{id}/configuration):
 * id, name and columnConfig.columns in order, each with its status ids and
 * min/max (absent or null: -1). Everything else (filter, estimation,
 * ranking, location, self links) is not read. Columns may be empty of
 * statuses (Jira shows them). Limits BIQ_INGEST_BOARD_COLUMNS_MAX,
 * BIQ_INGEST_COLUMN_STATUSES_MAX; min/max in [0, BIQ_INGEST_COLUMN_LIMIT_MAX].
 * Contract as above. */
biq_err biq_parse_board(const json_t *root, biq_arena *arena, biq_board *out,
                        biq_parse_error *perr);

/* {"boards": [configuration...]} (POST /forge/boards/{projectKey}): at most
 * BIQ_INGEST_BOARDS_MAX, ids unique (a repeated id is BIQ_ERR_INVALID).
 * *out NULL and *n_out 0 on failure. */
biq_err biq_parse_boards(const json_t *root, biq_arena *arena, const biq_board **out,
                         size_t *n_out, biq_parse_error *perr);

/* Statuses are de-duplicated by id (project statuses repeat them per issue
 * type); the first occurrence wins. */
biq_err biq_parse_statuses(const json_t *root, biq_arena *arena, const biq_status **out,
                           size_t *n_out, biq_parse_error *perr);

/* Sprint pages ({values[]}) or arrays; dates are BIQ_MS_NONE when absent. */
biq_err biq_parse_sprints(const json_t *root, biq_arena *arena, const biq_sprint **out,
                          size_t *n_out, biq_parse_error *perr);
/* The same with a clock for the future limits (now NULL: none). */
biq_err biq_parse_sprints_at(const json_t *root, const biq_ms *now, biq_arena *arena,
                             const biq_sprint **out, size_t *n_out, biq_parse_error *perr);

/* Project lists ({values[]} or arrays): id, key, name. */
biq_err biq_parse_projects(const json_t *root, biq_arena *arena, const biq_project **out,
                           size_t *n_out, biq_parse_error *perr);

/* Parses a Jira instant of exactly len bytes: YYYY-MM-DDTHH:MM:SS, optional
 * fraction (1-9 digits, kept to the millisecond, rounded down), then Z,
 * +HHMM, +HH:MM, +HH or the same with '-' (|offset| <= 18h). Years 0001-9999.
 * Returns BIQ_ERR_INVALID for anything else (impossible dates, 24:00, leap
 * seconds, missing offset, trailing bytes). Pure and thread-safe. */
biq_err biq_parse_instant(const char *text, size_t len, biq_ms *out);

/* Jira's key shapes (see "Keys" above). Pure, thread-safe. */
bool biq_ingest_project_key_ok(const char *key);
bool biq_ingest_issue_key_ok(const char *key);

#endif
