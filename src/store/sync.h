/* sync.h - state the Forge side's scheduled functions share with the
 * backend: backfills requested in the UI, the daily reconcile's last
 * success, and the reconcile's list of the issue ids Jira still has.
 * Everything runs in the caller's tenant transaction.
 */
#ifndef BIQ_STORE_SYNC_H
#define BIQ_STORE_SYNC_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/err.h"
#include "model/jira.h"
#include "store/tx.h"

/* Records a request for a (new) backfill of project_key by principal (may
 * be empty). A second request while one is pending (claimed or not) changes nothing. */
biq_err biq_store_backfill_request(biq_tx *tx, const char *project_key, const char *principal);

enum {
    /* How long a request handed out by biq_store_backfill_requests stays
     * the taker's: no other caller gets it meanwhile. Forge's longest
     * function run (timeoutSeconds, 900 at most): the queue consumer the
     * poll feeds starts a listed project's backfill within its run, so a
     * claim still unresolved after that belongs to an invocation that died
     * (or to a later project of a long list, which then may start twice:
     * the start is idempotent, docs/scaling.md). */
    BIQ_BACKFILL_CLAIM_SECONDS = 900,
};

/* Claims and returns the pending requests nobody holds, oldest first, as
 * {"projects": ["KEY", ...]}: never handed out, or their claim is older
 * than BIQ_BACKFILL_CLAIM_SECONDS. Each is then the caller's for
 * BIQ_BACKFILL_CLAIM_SECONDS: concurrent callers (any instance, any
 * connection) never get the same request, and a caller that gets none
 * sees []. The claim commits with the caller's transaction; starting the
 * project's backfill (biq_store_backfill_start) deletes the request. */
biq_err biq_store_backfill_requests(biq_tx *tx, json_t **out);

/* {"lastSuccessAt": ISO | null}. */
biq_err biq_store_reconcile_get(biq_tx *tx, json_t **out);

/* Records a successful reconcile that started at started (its new "since")
 * and finished at finished, over projects projects and issues issues.
 * Never moves lastSuccessAt backwards. */
biq_err biq_store_reconcile_record(biq_tx *tx, biq_ms started, biq_ms finished, int64_t projects,
                                   int64_t issues);

/* ids[0..n) are every issue id Jira returns for project_key now. Stored
 * issues of the project that are not among them go (rows and all), with a
 * marker as of now: an issue deleted in Jira never returns, and one the
 * app can no longer see (permissions, a security level) comes back only
 * with a newer state. *removed counts them. */
biq_err biq_store_reconcile_ids(biq_tx *tx, const char *project_key, const int64_t *ids, size_t n,
                                biq_arena *arena, size_t *removed);

#endif
