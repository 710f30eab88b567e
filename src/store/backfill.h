/* backfill.h - the state of a project's historical backfill: started,
 * issues received of the expected total, pages, histories still
 * incomplete, finished. Enough for a progress bar, and idempotent: the
 * counts are recomputed from the stored rows, never incremented blindly,
 * so a page delivered twice does not count twice. All functions run in
 * the caller's tenant transaction.
 */
#ifndef BIQ_STORE_BACKFILL_H
#define BIQ_STORE_BACKFILL_H

#include <jansson.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/err.h"
#include "store/tx.h"

enum {
    BIQ_BACKFILL_CAP_DEFAULT = 50000,
    BIQ_FIELD_ID_MAX = 64,
};

/* The custom fields the Forge side resolved for a backfill; empty strings
 * when it sent none. */
typedef struct biq_backfill_fields {
    char story_points[BIQ_FIELD_ID_MAX + 1];
    char sprint[BIQ_FIELD_ID_MAX + 1];
    char flagged[BIQ_FIELD_ID_MAX + 1]; /* issue #15: the Flagged field */
} biq_backfill_fields;

/* Starts (or restarts) the backfill of project_key: state running,
 * expected total (>= 0), the field ids (NULL: keep what was stored).
 * Received counts start from what is already stored. *state is the
 * progress object (new reference). */
biq_err biq_store_backfill_start(biq_tx *tx, const char *project_key, int64_t total,
                                 const char *story_points_field, const char *sprint_field,
                                 json_t **state);

/* Records the Flagged field id the Forge side resolved for project_key's
 * backfill (issue #15), after biq_store_backfill_start; NULL keeps the
 * stored one. */
biq_err biq_store_backfill_flagged_field_set(biq_tx *tx, const char *project_key,
                                             const char *flagged_field);

/* The field ids stored for project_key (empty when none or no backfill). */
biq_err biq_store_backfill_fields_get(biq_tx *tx, const char *project_key,
                                      biq_backfill_fields *out);

/* Records a page (by page_hash, 64 hex characters) and refreshes the
 * counts; the state becomes complete when the total is reached and every
 * history is complete, capped at the cap. Creates a running backfill when
 * none was started. *state as above. */
biq_err biq_store_backfill_page(biq_tx *tx, const char *project_key, const char *page_hash,
                                json_t **state);

/* Recomputes the counts and state of project_key's backfill, if it has
 * one (no-op otherwise): after a full-changelog page completes a history,
 * the last page may have been the backfill's last step. */
biq_err biq_store_backfill_refresh(biq_tx *tx, const char *project_key);

/* The progress object of project_key, or a {"state":"none"} one. */
biq_err biq_store_backfill_get(biq_tx *tx, const char *project_key, json_t **state);

#endif
