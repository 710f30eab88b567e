/* ingest_extras.h - writing issue #15's data: the issue columns (resolution,
 * labels, sub-task, parent, flagged), the link set, the Flagged and Sprint
 * histories, and a project's board configurations.
 *
 * Kept apart from store/ingest.c's page write path so that path can change
 * (issue #16) without touching these; each function is one write path,
 * called from there with one line. All run inside the caller's tenant
 * transaction (tx.h); arena holds the temporary array literals.
 * Idempotent like ingest.h: histories are keyed by (issue, history id,
 * item index) and merge; the issue columns and the link set follow the
 * issue row (written only for issues whose row was written, i.e. the
 * newest `updated` wins).
 */
#ifndef BIQ_STORE_INGEST_EXTRAS_H
#define BIQ_STORE_INGEST_EXTRAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/err.h"
#include "model/jira.h"
#include "store/tx.h"

/* After the issue upsert of issues[0..n) (which also wrote their issue #15
 * columns): applied_ids is the array literal ("{1,2}") of the ids whose
 * row the upsert wrote. Replaces their link set (a link kept keeps its stored
 * linked_at when the new payload cannot date it); adds the Flagged and
 * Sprint history of every issue of the batch that exists. */
biq_err biq_store_extras_issues_write(biq_tx *tx, const biq_issue *issues, size_t n,
                                      const char *applied_ids, biq_arena *arena);

/* One full-changelog page's Flagged and Sprint items for issue_id (which
 * must exist: callers resolve it first). */
biq_err biq_store_extras_changelog_page(biq_tx *tx, int64_t issue_id,
                                        const biq_flag_change *flags, size_t n_flags,
                                        const biq_sprint_change *sprints, size_t n_sprints,
                                        biq_arena *arena);

/* A board's columns as stored (project_boards.columns):
 * [{"name","statuses":[ids],"min","max"}], compact, in arena. NULL when
 * out of memory (never a column without a member). Pure. */
const char *biq_store_board_columns_json(const biq_board *b, biq_arena *arena);

/* Replaces the stored boards of project_key with boards[0..n) (n may be 0:
 * the project then has none). Ids are unique (biq_parse_boards checks).
 * *changed says whether the stored set differed (ids, names, columns,
 * whatever their order in boards); when it did not, nothing is written,
 * so the caller need not move the data version (the daily reconcile posts
 * the same boards: review L4). BIQ_ERR_NOMEM, or the database's error. */
biq_err biq_store_boards_replace(biq_tx *tx, const char *project_key, const biq_board *boards,
                                 size_t n, biq_arena *arena, bool *changed);

#endif
