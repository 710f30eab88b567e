/* ingest_internal.h - what the parser files share: the parse context (arena,
 * field ids, error, current path) and typed readers that validate one member
 * and record its path on failure. Not for use outside src/ingest.
 *
 * Every reader pushes the member's name onto the path, validates, copies into
 * the arena and pops; on failure the path stays as it was at the problem and
 * the error is recorded once (the first problem wins). Traversal follows fixed
 * member paths only (no recursion over arbitrary JSON), so its depth is bounded
 * by the code, not the input.
 */
#ifndef BIQ_INGEST_INTERNAL_H
#define BIQ_INGEST_INTERNAL_H

#include "ingest/ingest.h"

typedef struct biq_pctx {
    biq_arena *arena;
    const biq_field_ids *fields; /* never NULL: points at an empty set instead */
    biq_parse_error *perr;       /* may be NULL */
    bool failed;
    /* Issue #15: sprints whose names resolve name-only Sprint items (a
     * backfill page's sprints[]), the keys of the current issue's blocking
     * links (parallel to its blocked_by; dated by the changelog's Link
     * items), and the Sprint items skipped as unreadable. */
    const biq_sprint *known_sprints;
    size_t n_known_sprints;
    const char **block_keys;
    int32_t sprint_unreadable;
    size_t path_len;
    char path[BIQ_INGEST_PATH_MAX];
} biq_pctx;

/* A growable array of transitions in the arena (old blocks are abandoned,
 * so at most twice the final size is used). */
typedef struct biq_tvec {
    biq_transition *v;
    size_t n;
    size_t cap;
    /* Issue #15's items of the same histories, growing the same way. */
    biq_flag_change *flags;
    size_t n_flags, cap_flags;
    biq_sprint_change *sprints;
    size_t n_sprints, cap_sprints;
    struct biq_link_add *links; /* Link items that added a link: (key, at) */
    size_t n_links, cap_links;
} biq_tvec;

/* A changelog "Link" item that added a link to the issue `to` (a key). */
typedef struct biq_link_add {
    const char *to_key;
    biq_ms at;
} biq_link_add;

/* Moves what tv collected into the issue: transitions, flag and sprint
 * changes, and the linked_at of each current blocking link (the latest Link
 * item adding its key, c->block_keys). */
void biq_tvec_to_issue(biq_pctx *c, const biq_tvec *tv, biq_issue *issue);

/* flowdata.c: a changelog item that is not a status item (Flagged, Sprint
 * and Link items are collected into tv; others are ignored), and the
 * issue #15 members of fields (resolution, labels, subtask, parent,
 * Flagged, issuelinks; sets c->block_keys). */
biq_err biq_ingest_extra_item(biq_pctx *c, const json_t *item, const biq_transition *proto,
                              int32_t index, biq_tvec *tv);
biq_err biq_ingest_issue_extras(biq_pctx *c, const json_t *fields, biq_issue *out);

/* Which members an issue needs: search pages have them all; events may lack
 * fields.created (a captured webhook does); deletions may carry only id and
 * key. */
typedef enum biq_issue_need { BIQ_ISSUE_FULL, BIQ_ISSUE_EVENT, BIQ_ISSUE_IDENTITY } biq_issue_need;

void biq_pctx_init(biq_pctx *c, biq_arena *arena, const biq_field_ids *fields,
                   biq_parse_error *perr);

/* Path steps: each returns the length to give back to biq_pctx_pop. */
size_t biq_pctx_key(biq_pctx *c, const char *key);
size_t biq_pctx_index(biq_pctx *c, size_t index);
void biq_pctx_pop(biq_pctx *c, size_t saved);

/* Records "path: reason" (first failure only) and returns err. */
biq_err biq_pctx_fail(biq_pctx *c, biq_err err, const char *reason);

/* Value readers at the current path. */
biq_err biq_read_id(biq_pctx *c, const json_t *v, int64_t *out);
/* Identifiers (keys, states, tokens): a NUL character refuses the body. */
biq_err biq_read_string(biq_pctx *c, const json_t *v, size_t max, const char **out);
/* Display text (summary, names): NUL characters are dropped, because real
 * Jira data has them (a devlake summary ends in \u0000) and PostgreSQL text
 * cannot hold them; refusing the page would lose 99 good issues for one. */
biq_err biq_read_text(biq_pctx *c, const json_t *v, size_t max, const char **out);

/* Member readers. An absent or null member gives the "none" value (0, NULL,
 * -1, BIQ_MS_NONE) unless required, which is then BIQ_ERR_SHAPE. */
biq_err biq_member_object(biq_pctx *c, const json_t *obj, const char *key, bool required,
                          const json_t **out);
biq_err biq_member_array(biq_pctx *c, const json_t *obj, const char *key, size_t max,
                         bool required, const json_t **out);
biq_err biq_member_id(biq_pctx *c, const json_t *obj, const char *key, bool required,
                      int64_t *out);
biq_err biq_member_string(biq_pctx *c, const json_t *obj, const char *key, size_t max,
                          bool required, const char **out);
biq_err biq_member_text(biq_pctx *c, const json_t *obj, const char *key, size_t max,
                        bool required, const char **out);
/* An instant in [1970-01-01, clock + BIQ_INGEST_AHEAD_MAX_MS] (ingest.h). */
biq_err biq_member_instant(biq_pctx *c, const json_t *obj, const char *key, bool required,
                           biq_ms *out);
/* An optional planned date: up to BIQ_INGEST_PLANNED_AHEAD_MAX_MS ahead. */
biq_err biq_member_planned_instant(biq_pctx *c, const json_t *obj, const char *key, biq_ms *out);
biq_err biq_member_count(biq_pctx *c, const json_t *obj, const char *key, int64_t *out);
biq_err biq_member_bool(biq_pctx *c, const json_t *obj, const char *key, bool *present,
                        bool *out);
/* Keys in Jira's shapes (keys.c): else BIQ_ERR_SHAPE naming the member. */
biq_err biq_member_project_key(biq_pctx *c, const json_t *obj, const char *key, bool required,
                               const char **out);
biq_err biq_member_issue_key(biq_pctx *c, const json_t *obj, const char *key, bool required,
                             const char **out);
/* obj.key.name as display text (issuetype.name, assignee.displayName, ...). */
biq_err biq_member_name(biq_pctx *c, const json_t *obj, const char *key, const char *name,
                        const char **out);

/* The element list of a catalogue body: a bare array or {values: [...]}. */
biq_err biq_catalog_values(biq_pctx *c, const json_t *root, const json_t **out);

/* The shared issue and history parsers. */
biq_err biq_ingest_issue(biq_pctx *c, const json_t *v, biq_issue_need need, biq_issue *out);
/* Appends the status items of one history; fallback_at is used when the
 * history has no `created` (webhook changelogs), BIQ_MS_NONE to require it. */
biq_err biq_ingest_history(biq_pctx *c, const json_t *v, biq_ms fallback_at, biq_tvec *tv);
biq_err biq_ingest_histories(biq_pctx *c, const json_t *arr, biq_tvec *tv);

/* {id, name, statusCategory.key}: catalogue entries and fields.status. */
biq_err biq_ingest_status(biq_pctx *c, const json_t *v, biq_status *out);
biq_err biq_ingest_status_list(biq_pctx *c, const json_t *root, const biq_status **out,
                               size_t *n_out);
biq_err biq_ingest_sprint_list(biq_pctx *c, const json_t *root, const biq_sprint **out,
                               size_t *n_out);
biq_err biq_ingest_sprint(biq_pctx *c, const json_t *v, biq_sprint *out);

#endif
