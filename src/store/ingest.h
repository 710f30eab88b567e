/* ingest.h - writing Jira data: issues with their status transitions and
 * sprint membership, deletions, catalogues, full-changelog pages, and the
 * per-project data version.
 *
 * Every function works inside the caller's tenant transaction (tx.h), so a
 * request's writes commit or vanish together. Writes are idempotent and
 * order-independent: transitions are keyed by (issue, history id, item),
 * an issue row only ever moves to a newer Jira `updated`, and a deleted
 * issue leaves a tombstone that no late event can get past. Issues and
 * transitions are streamed with COPY into transaction-local stage tables
 * and merged from there (copy.h); catalogue rows go as array parameters, a
 * page per statement (pgarray.h).
 */
#ifndef BIQ_STORE_INGEST_H
#define BIQ_STORE_INGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/err.h"
#include "model/jira.h"
#include "store/tx.h"

enum {
    /* Writes of at least this many issues stream them with COPY into
     * transaction-local stage tables; smaller ones (events, their group
     * commits) send them as one JSON parameter: creating the stage tables
     * costs more than such a write (docs/performance.md). */
    BIQ_INGEST_COPY_MIN_ISSUES = 64,
};

/* Moves the COPY threshold to n issues for the whole process (0 or 1:
 * every write uses COPY; SIZE_MAX: none does). For tests and benchmarks
 * that exercise one path; thread-safe. */
void biq_store_ingest_copy_min(size_t n);

/* Counts of what a write did, for progress and logs. */
typedef struct biq_ingest_result {
    size_t issues_written;      /* inserted or updated to a newer state */
    size_t issues_stale;        /* older than what we hold, or deleted */
    size_t transitions_new;     /* not seen before */
    size_t incomplete;          /* issues whose history is still truncated */
} biq_ingest_result;

/* BIQ_OK when the tenant of tx is installed; BIQ_ERR_NOT_FOUND otherwise.
 * Only the install event creates a tenant: data for an installation we do
 * not know (never installed, or uninstalled while its events were still
 * in flight) is refused, so an uninstall really leaves nothing behind.
 * The backfill that follows every install fetches what was refused. */
biq_err biq_store_tenant_ensure(biq_tx *tx);

/* Writes issues[0..n) (callers skip security-level issues) with their
 * transitions and sprint membership. arena holds the temporary array
 * literals. Adds to *res. */
biq_err biq_store_issues_write(biq_tx *tx, const biq_issue *issues, size_t n, biq_arena *arena,
                               biq_ingest_result *res);

/* biq_store_issues_write that also counts per issue: each[i] (n entries,
 * the caller's, overwritten) receives what the write did to issues[i]
 * alone. The ids of issues[0..n) must be distinct (the group commit of
 * events guarantees it; a Jira page has distinct ids). */
biq_err biq_store_issues_write_each(biq_tx *tx, const biq_issue *issues, size_t n,
                                    biq_arena *arena, biq_ingest_result *res,
                                    biq_ingest_result *each);

/* Deletes the rows under the issues of ids (an array literal, e.g.
 * "{1,2}") that are gone from issues: transitions, sprint membership,
 * flags, links, Sprint history (the tables without a foreign key to
 * issues since 0012_ingest_speed). Every statement that deletes issues
 * calls it next, in the same transaction: it is their ON DELETE CASCADE. */
biq_err biq_store_issue_children_delete(biq_tx *tx, const char *ids);

/* Deletes an issue and everything under it, and leaves a tombstone.
 * *project_key (arena) receives the project it belonged to, or NULL. */
biq_err biq_store_issue_delete(biq_tx *tx, int64_t issue_id, biq_arena *arena,
                               const char **project_key);

/* Records that the issue's state as of `updated` carries a security level:
 * a stored state that is not newer goes (rows and all), and no state that
 * is not newer may be stored later. Should the level be lifted, the newer
 * state comes back with the next event or the reconcile. */
biq_err biq_store_issue_restrict(biq_tx *tx, int64_t issue_id, biq_ms updated, biq_arena *arena,
                                 const char **project_key);

/* Finds an issue by numeric id or by key (the most recently updated row
 * with that key). BIQ_ERR_NOT_FOUND when the tenant has none. */
biq_err biq_store_issue_resolve(biq_tx *tx, const char *id_or_key, int64_t *issue_id);

/* Deletes a sprint row (membership ids stay: they are the issue's facts). */
biq_err biq_store_sprint_delete(biq_tx *tx, int64_t sprint_id);

/* Upserts statuses. seen_at NULL: rows of the status catalogue, which
 * always win. Otherwise seen_at[i] is the `updated` of the issue that
 * showed s[i]: it wins over what an older issue showed, never over the
 * catalogue, so the result does not depend on the order of arrival. */
biq_err biq_store_statuses_write(biq_tx *tx, const biq_status *s, const biq_ms *seen_at,
                                 size_t n, biq_arena *arena);

/* Upserts catalogue rows (the latest delivery wins). */
biq_err biq_store_sprints_write(biq_tx *tx, const biq_sprint *s, size_t n, biq_arena *arena);
biq_err biq_store_projects_write(biq_tx *tx, const biq_project *p, size_t n, biq_arena *arena);

/* Records one page of an issue's full changelog: its status transitions
 * (issue_id on each is ignored: the page's issue is meant), the page's
 * position (start_at, histories on the page) and Jira's total. The issue
 * becomes complete once the pages cover the total. BIQ_ERR_NOT_FOUND when
 * the issue is unknown (its page must arrive first). *project_key (arena)
 * receives the issue's project. */
biq_err biq_store_changelog_page(biq_tx *tx, int64_t issue_id, int32_t start_at,
                                 int32_t histories, int32_t total, const biq_transition *t,
                                 size_t n, biq_arena *arena, const char **project_key,
                                 bool *complete);

/* Moves the data version of project_key forward and stamps the last sync. */
biq_err biq_store_data_version_bump(biq_tx *tx, const char *project_key);

/* The same for `commits` (>= 1; else BIQ_ERR_INTERNAL) writes committed
 * together, as a group commit does: the version moves by commits, exactly
 * as that many transactions of one write each would have moved it. */
biq_err biq_store_data_version_bump_by(biq_tx *tx, const char *project_key, int64_t commits);

#endif
