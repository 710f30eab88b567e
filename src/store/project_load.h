/* project_load.h - reading one project's Jira data back as the model
 * structs the flow core takes (model/jira.h).
 *
 * Issue #15's data rides along: each issue's resolution, labels (in Jira's
 * order), sub-task flag, parent, flagged state, Flagged and Sprint
 * histories (ordered like transitions) and "is blocked by" links (by
 * blocker id); and every board stored for the project (the settings pick
 * the one that frames it: biq_settings_flow_config_add_board).
 *
 * Runs inside the caller's tenant transaction; everything returned lives in
 * the caller's arena. Issues come ordered by id, each with its transitions
 * ordered by instant, history id and item, and its sprint ids. Bounded:
 * more than BIQ_LOAD_ISSUES_MAX issues or BIQ_LOAD_TRANSITIONS_MAX
 * transitions is BIQ_ERR_LIMIT, never an unbounded allocation.
 */
#ifndef BIQ_STORE_PROJECT_LOAD_H
#define BIQ_STORE_PROJECT_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/err.h"
#include "model/jira.h"
#include "store/tx.h"

enum {
    BIQ_LOAD_ISSUES_MAX = 200000,
    BIQ_LOAD_TRANSITIONS_MAX = 4000000,
    /* Issue #15: rows of each of labels, flag changes, block links and
     * sprint changes (each kind on its own). */
    BIQ_LOAD_EXTRA_ROWS_MAX = 4000000,
    /* Boards of a project: what one POST /forge/boards may store
     * (BIQ_INGEST_BOARDS_MAX); more is BIQ_ERR_LIMIT. */
    BIQ_LOAD_BOARDS_MAX = 50,
    BIQ_LOAD_LIMIT_TEXT = 24, /* a bound as decimal text, with its NUL */
};

typedef struct biq_project_data {
    const char *key;
    const char *name;          /* NULL when the catalogue has not named it */
    biq_issue *issues;
    size_t n_issues;
    biq_status *statuses;      /* the tenant's whole status catalogue */
    size_t n_statuses;
    biq_sprint *sprints;       /* sprints any of the project's issues is in */
    size_t n_sprints;
    int64_t data_version;      /* 0 when nothing was ever ingested */
    biq_ms last_sync;          /* BIQ_MS_NONE when never */
    /* Every board stored for the project (issue #15), ascending by id, at
     * most BIQ_LOAD_BOARDS_MAX; NULL and 0 when none is stored. Which one
     * frames the flow is a setting (`boardId`), applied per request by
     * biq_settings_flow_config_add_board, so the model (which the project
     * cache shares across settings versions) never depends on settings. */
    const biq_board *boards;
    size_t n_boards;
} biq_project_data;

/* The issue with this id in d (whose issues are sorted by id, as loaded),
 * by binary search; NULL when there is none. Points into d. */
biq_issue *biq_project_data_issue(biq_project_data *d, int64_t id);

/* Loads project_key of the tenant of tx into *out. A project with no
 * issues loads as empty (n_issues == 0), not as an error. */
biq_err biq_store_project_load(biq_tx *tx, const char *project_key, biq_arena *arena,
                               biq_project_data *out);

#endif
