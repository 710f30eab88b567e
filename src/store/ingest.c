/* ingest.c - page-at-a-time writes of Jira data (see ingest.h). Each write
 * is a handful of statements whatever the page size: issues and their
 * transitions are streamed with COPY into transaction-local stage tables
 * and merged from there (store/copy.h); the small catalogues travel as
 * array parameters unpacked with unnest() on the server. */
#include "store/ingest.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/ingest_extras.h"
#include "store/copy.h"
#include "store/pgarray.h"

enum {
    NUMBER_MAX = 32,
    /* Rows a project gathers in data_commits, on average, between two
     * compactions: what a version read sums (plus dead rows until
     * vacuum), traded against one extra statement per N commits. */
    DATA_COMMITS_COMPACT_EVERY = 64,
};

/* ms since the epoch to timestamptz, exactly (no floating point). */

/* Staging. A write of at least BIQ_INGEST_COPY_MIN_ISSUES issues (a
 * backfill page) streams its rows with COPY into two temp tables that are
 * emptied at the end of the transaction (ON COMMIT DELETE ROWS) and
 * created by the write itself when its session has none (IF NOT EXISTS):
 * no data outlives the transaction and nothing depends on which session
 * runs it, as PgBouncer's transaction pooling needs. They are not dropped:
 * creating and dropping them was ~2 ms of catalog work a page, about a
 * quarter of the merge once the foreign keys went (docs/performance.md).
 * The names carry the shape (STAGE_SHAPE): a server connection that
 * PgBouncer hands from an older build to a newer one may hold the older
 * tables, so a change of the columns must change the suffix. A smaller one (events, a group
 * commit of them, a changelog page) sends them as one JSON parameter read
 * with jsonb_to_recordset, because creating and dropping two tables costs
 * more catalog work (files, pg_class/pg_attribute rows, a TOAST table
 * each) than such a write itself. Either way the rows are merged into the
 * real tables by the same INSERT ... SELECT per table, which applies every
 * rule below: only the row source differs. A second COPY write in one
 * transaction finds the tables and empties them. The COPY rides in the
 * same round trip as the CREATE (a COPY ends a multi-statement query, and
 * libpq returns at the COPY). */
#define ISSUE_COLUMNS                                                                              \
    "issue_id bigint, key text, project_id bigint, project_key text, summary text,"                \
    " status_id bigint, issue_type text, priority text, assignee text, created_ms bigint,"         \
    " updated_ms bigint, resolution_ms bigint, story_points float8, total int, present int,"       \
    " sprints bigint[], resolution text, labels text, subtask boolean, parent_id bigint,"          \
    " flagged boolean"
#define TRANSITION_COLUMNS                                                                         \
    "issue_id bigint, history_id bigint, item_index int, at_ms bigint, from_status bigint,"        \
    " to_status bigint, from_name text, to_name text"
#define STAGE_SHAPE "_v12"
#define STAGE_ISSUES "biq_stage_issues" STAGE_SHAPE
#define STAGE_TRANSITIONS "biq_stage_transitions" STAGE_SHAPE
#define STAGE_TABLES                                                                               \
    "SET LOCAL client_min_messages = warning;"                                                     \
    " CREATE TEMP TABLE IF NOT EXISTS " STAGE_ISSUES " (" ISSUE_COLUMNS ")"                        \
    "  ON COMMIT DELETE ROWS;"                                                                     \
    " CREATE TEMP TABLE IF NOT EXISTS " STAGE_TRANSITIONS " (" TRANSITION_COLUMNS ")"              \
    "  ON COMMIT DELETE ROWS;"                                                                     \
    " DELETE FROM " STAGE_ISSUES "; DELETE FROM " STAGE_TRANSITIONS ";"

static const char COPY_ISSUES[] = STAGE_TABLES " COPY " STAGE_ISSUES " FROM STDIN";
static const char COPY_TRANSITIONS[] = "COPY " STAGE_TRANSITIONS " FROM STDIN";

/* The row sources under alias a: the stage tables, or the JSON parameter n. */
#define ISSUES_STAGE(a) STAGE_ISSUES " " a
#define ISSUES_JSON(n, a) "jsonb_to_recordset(" n "::jsonb) AS " a "(" ISSUE_COLUMNS ")"
#define TRANSITIONS_STAGE(a) STAGE_TRANSITIONS " " a
#define TRANSITIONS_JSON(n, a) "jsonb_to_recordset(" n "::jsonb) AS " a "(" TRANSITION_COLUMNS ")"

#define UPSERT_ISSUES_FROM(source)                                                                 \
    "WITH input AS ("                                                                              \
    " SELECT * FROM " source                                                                       \
    " WHERE NOT EXISTS (SELECT 1 FROM issue_tombstones x"                                          \
    "                   WHERE x.tenant_id = $1 AND x.issue_id = t.issue_id"                        \
    "                   AND (x.reason = 'deleted'"                                                 \
    "                        OR x.state_at >= " BIQ_SQL_MS_TO_TS("t.updated_ms") ")))"                     \
    " INSERT INTO issues AS i (tenant_id, issue_id, key, project_id, project_key, summary,"        \
    "  status_id, issue_type, priority, assignee, created_at, updated_at, resolution_at,"          \
    "  story_points, changelog_total, changelog_present, changelog_complete, resolution, labels,"  \
    "  is_subtask, parent_id, flagged)"                                                            \
    " SELECT $1, issue_id, key, project_id, project_key, summary, status_id, issue_type,"          \
    /* An event without `created` (some webhooks) stands in its `updated`;                         \
     * least() below lets the real instant win whenever it arrives. */                             \
    "  priority, assignee, " BIQ_SQL_MS_TO_TS("coalesce(created_ms, updated_ms)") ", "                     \
    BIQ_SQL_MS_TO_TS("updated_ms") ","                                                                     \
    "  " BIQ_SQL_MS_TO_TS("resolution_ms") ", story_points, coalesce(total, 0), coalesce(present, 0),"     \
    /* A new issue has no changelog pages yet (their foreign key). */                              \
    "  coalesce(present, 0) >= coalesce(total, 0), resolution,"                                    \
    "  ARRAY(SELECT jsonb_array_elements_text(labels::jsonb)), subtask, parent_id, flagged"        \
    " FROM input"                                                                                  \
    " ON CONFLICT (tenant_id, issue_id) DO UPDATE SET"                                             \
    "  key = EXCLUDED.key, project_id = coalesce(EXCLUDED.project_id, i.project_id),"              \
    "  project_key = EXCLUDED.project_key, summary = EXCLUDED.summary,"                            \
    "  status_id = EXCLUDED.status_id, issue_type = EXCLUDED.issue_type,"                          \
    "  priority = EXCLUDED.priority, assignee = EXCLUDED.assignee,"                                \
    "  created_at = least(i.created_at, EXCLUDED.created_at), updated_at = EXCLUDED.updated_at,"   \
    "  resolution_at = EXCLUDED.resolution_at, story_points = EXCLUDED.story_points,"              \
    /* Histories only ever grow: an event (no changelog counts) keeps them. */                     \
    "  changelog_total = greatest(i.changelog_total, EXCLUDED.changelog_total),"                   \
    "  changelog_present = greatest(i.changelog_present, EXCLUDED.changelog_present),"             \
    /* UPDATE_COMPLETE's rule on the counts just set. */                                           \
    "  changelog_complete = greatest(i.changelog_present, EXCLUDED.changelog_present)"             \
    "   >= greatest(i.changelog_total, EXCLUDED.changelog_total) OR coalesce((SELECT sum(p.count)" \
    "   FROM changelog_pages p WHERE p.tenant_id = $1 AND p.issue_id = i.issue_id), 0)"            \
    "   >= greatest(i.changelog_total, EXCLUDED.changelog_total),"                                 \
    "  resolution = EXCLUDED.resolution, labels = EXCLUDED.labels,"                                \
    "  is_subtask = EXCLUDED.is_subtask, parent_id = EXCLUDED.parent_id,"                          \
    "  flagged = EXCLUDED.flagged"                                                                 \
    " WHERE i.updated_at <= EXCLUDED.updated_at"                                                   \
    " RETURNING issue_id, changelog_complete"

/* Only for issues that exist (not deleted, not restricted). The live set
 * is looked up by id list ($2), which the primary key answers whatever the
 * table statistics say (a temp table has none): a per-row EXISTS was
 * planned as a scan of all issues on fresh tables, making a backfill
 * quadratic. This join is the reference to issues (0012_ingest_speed
 * dropped the foreign key and its per-row check): FOR KEY SHARE takes the
 * lock the check took, so a concurrent delete of the issue waits for this
 * transaction (and then deletes its rows too, ISSUE_CHILDREN_DELETE), and
 * this statement waits for a deleting one and then finds no issue. */
#define INSERT_TRANSITIONS_FROM(source)                                                            \
    "INSERT INTO status_transitions (tenant_id, issue_id, history_id, item_index, at,"             \
    " from_status, to_status, from_name, to_name)"                                                 \
    " SELECT $1, t.issue_id, t.history_id, t.item_index, " BIQ_SQL_MS_TO_TS("t.at_ms") ","                 \
    "  nullif(t.from_status, 0), t.to_status, t.from_name, t.to_name"                              \
    " FROM " source                                                                                \
    " JOIN (SELECT i.issue_id FROM issues i WHERE i.tenant_id = $1"                                \
    "       AND i.issue_id = ANY($2::bigint[]) FOR KEY SHARE OF i) AS live USING (issue_id)"       \
    " ON CONFLICT DO NOTHING RETURNING issue_id"

/* Cleared only for issues both written now ($2) and carrying the field
 * (sprints not NULL in the source). */
#define CLEAR_SPRINTS_FROM(source)                                                                 \
    "DELETE FROM issue_sprints WHERE tenant_id = $1 AND issue_id = ANY($2::bigint[])"              \
    " AND issue_id IN (SELECT s.issue_id FROM " source " WHERE s.sprints IS NOT NULL)"

#define INSERT_SPRINTS_FROM(source)                                                                \
    "INSERT INTO issue_sprints (tenant_id, issue_id, sprint_id)"                                   \
    " SELECT $1, s.issue_id, u.sprint_id FROM " source                                             \
    "  CROSS JOIN LATERAL unnest(s.sprints) AS u(sprint_id)"                                       \
    " WHERE s.issue_id = ANY($2::bigint[]) ON CONFLICT DO NOTHING"

/* [0]: from the stage tables; [1]: from JSON ($2 for the issue upsert,
 * $3 for the rest, after the tenant and an id list). */
static const char *const UPSERT_ISSUES[] = {UPSERT_ISSUES_FROM(ISSUES_STAGE("t")),
                                            UPSERT_ISSUES_FROM(ISSUES_JSON("$2", "t"))};
static const char *const INSERT_TRANSITIONS[] = {
    INSERT_TRANSITIONS_FROM(TRANSITIONS_STAGE("t")),
    INSERT_TRANSITIONS_FROM(TRANSITIONS_JSON("$3", "t"))};
static const char *const CLEAR_SPRINTS[] = {CLEAR_SPRINTS_FROM(ISSUES_STAGE("s")),
                                            CLEAR_SPRINTS_FROM(ISSUES_JSON("$3", "s"))};
static const char *const INSERT_SPRINTS[] = {INSERT_SPRINTS_FROM(ISSUES_STAGE("s")),
                                             INSERT_SPRINTS_FROM(ISSUES_JSON("$3", "s"))};

/* Complete when the embedded changelog held everything, or the full
 * changelog pages received cover Jira's total. */
/* The completeness of the issues of a write the upsert left (stale): their
 * counts did not change, so neither did it. */
static const char SELECT_COMPLETE[] =
    "SELECT i.issue_id, i.changelog_complete FROM issues i"
    " WHERE i.tenant_id = $1 AND i.issue_id = ANY($2::bigint[])";

static const char UPDATE_COMPLETE[] =
    "UPDATE issues i SET changelog_complete ="
    " i.changelog_present >= i.changelog_total OR coalesce((SELECT sum(p.count)"
    "   FROM changelog_pages p WHERE p.tenant_id = i.tenant_id AND p.issue_id = i.issue_id), 0)"
    "   >= i.changelog_total"
    " WHERE i.tenant_id = $1 AND i.issue_id = ANY($2::bigint[])"
    " RETURNING i.issue_id, i.changelog_complete";

biq_err biq_store_tenant_ensure(biq_tx *tx)
{
    PGresult *res = NULL;
    const char *params[] = {biq_tx_tenant(tx)};
    biq_err err = biq_tx_exec(tx, "SELECT 1 FROM tenants WHERE tenant_id = $1", 1, params, &res);
    if (err == BIQ_OK && PQntuples(res) == 0)
        err = BIQ_ERR_NOT_FOUND;
    PQclear(res);
    return err;
}

/* The issue's labels as a JSON array (NULL: no memory), read by the
 * upsert with jsonb_array_elements_text. */
static json_t *labels_json(const biq_issue *is)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < is->n_labels; i++)
        if (json_array_append_new(a, json_string(is->labels[i])) != 0)
            json_decref(a), a = NULL;
    return a;
}

/* labels: labels_json's text. */
static void copy_issue_row(biq_copy *c, const biq_issue *is, const char *labels)
{
    biq_copy_int(c, is->id);
    biq_copy_text(c, is->key);
    biq_copy_int_opt(c, is->project_id, is->project_id > 0);
    biq_copy_text(c, is->project_key);
    biq_copy_text(c, is->summary);
    biq_copy_int(c, is->status_id);
    biq_copy_text(c, is->issue_type);
    biq_copy_text(c, is->priority);
    biq_copy_text(c, is->assignee);
    biq_copy_int_opt(c, is->created, is->created != BIQ_MS_NONE);
    biq_copy_int(c, is->updated);
    biq_copy_int_opt(c, is->resolution_at, is->resolution_at != BIQ_MS_NONE);
    biq_copy_double_opt(c, is->story_points, is->has_story_points);
    biq_copy_int_opt(c, is->changelog_total, is->changelog_total >= 0);
    biq_copy_int_opt(c, is->changelog_present, is->changelog_total >= 0);
    biq_copy_int_array(c, is->sprint_ids, is->n_sprint_ids);
    biq_copy_text(c, is->resolution);
    biq_copy_text(c, labels);
    biq_copy_text(c, is->is_subtask ? "t" : "f");
    biq_copy_int_opt(c, is->parent_id, is->parent_id > 0);
    biq_copy_text(c, is->flagged ? "t" : "f");
    biq_copy_row_end(c);
}

static void copy_transition_row(biq_copy *c, int64_t issue_id, const biq_transition *t)
{
    biq_copy_int(c, issue_id);
    biq_copy_int(c, t->history_id);
    biq_copy_int(c, t->item_index);
    biq_copy_int(c, t->at);
    biq_copy_int(c, t->from_status);
    biq_copy_int(c, t->to_status);
    biq_copy_text(c, t->from_name);
    biq_copy_text(c, t->to_name);
    biq_copy_row_end(c);
}

/* Streams issues[0..n) into the stage tables (created here), transitions
 * too when there are any. The COPY buffer (BIQ_COPY_CHUNK bytes) comes
 * from the arena, not the stack. */
static biq_err stage_rows(biq_tx *tx, const biq_issue *issues, size_t n, biq_arena *arena)
{
    biq_copy *c = biq_arena_calloc(arena, 1, sizeof *c);
    bool transitions = false;
    if (c == NULL)
        return BIQ_ERR_NOMEM;
    bool labels_ok = true;
    if (biq_copy_begin(c, tx, COPY_ISSUES) == BIQ_OK)
        for (size_t i = 0; i < n && labels_ok; i++) {
            json_t *list = labels_json(&issues[i]);
            char *labels = list != NULL ? json_dumps(list, JSON_COMPACT) : NULL;
            json_decref(list);
            /* Text that is not UTF-8 cannot come from the parsers. */
            labels_ok = labels != NULL;
            if (labels_ok)
                copy_issue_row(c, &issues[i], labels);
            free(labels);
            transitions = transitions || issues[i].n_transitions > 0;
        }
    biq_err err = biq_copy_end(c, NULL);
    if (err == BIQ_OK && !labels_ok)
        err = BIQ_ERR_NOMEM;
    if (err != BIQ_OK || !transitions)
        return err;
    if (biq_copy_begin(c, tx, COPY_TRANSITIONS) == BIQ_OK)
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < issues[i].n_transitions; k++)
                copy_transition_row(c, issues[i].id, &issues[i].transitions[k]);
    return biq_copy_end(c, NULL);
}

/* Where a write's rows are for the merge statements: staged by COPY
 * (json false), or in the JSON texts below (arena). */
typedef struct rows {
    bool json;
    const char *issues, *transitions;
} rows;

static json_t *text_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static json_t *int_or_null(int64_t v, bool present)
{
    return present ? json_integer((json_int_t)v) : json_null();
}

/* The issue as an object of ISSUE_COLUMNS' names; NULL on failure (no
 * memory, text that is not UTF-8: the parsers never give such). */
static json_t *issue_json(const biq_issue *is)
{
    json_t *sprints = json_null();
    if (is->sprint_ids != NULL) {
        sprints = json_array();
        for (size_t k = 0; sprints != NULL && k < is->n_sprint_ids; k++)
            if (json_array_append_new(sprints, json_integer((json_int_t)is->sprint_ids[k])) != 0)
                json_decref(sprints), sprints = NULL;
    }
    json_t *labels = labels_json(is);
    if (labels == NULL) {
        json_decref(sprints);
        return NULL;
    }
    return json_pack("{s:I,s:o,s:o,s:o,s:o,s:I,s:o,s:o,s:o,s:o,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b,"
                     "s:o,s:b}",
                     "issue_id", (json_int_t)is->id, "key", text_or_null(is->key), "project_id",
                     int_or_null(is->project_id, is->project_id > 0), "project_key",
                     text_or_null(is->project_key), "summary", text_or_null(is->summary),
                     "status_id", (json_int_t)is->status_id, "issue_type",
                     text_or_null(is->issue_type), "priority", text_or_null(is->priority),
                     "assignee", text_or_null(is->assignee), "created_ms",
                     int_or_null(is->created, is->created != BIQ_MS_NONE), "updated_ms",
                     (json_int_t)is->updated, "resolution_ms",
                     int_or_null(is->resolution_at, is->resolution_at != BIQ_MS_NONE),
                     "story_points", is->has_story_points ? json_real(is->story_points) : json_null(),
                     "total", int_or_null(is->changelog_total, is->changelog_total >= 0),
                     "present", int_or_null(is->changelog_present, is->changelog_total >= 0),
                     "sprints", sprints, "resolution", text_or_null(is->resolution), "labels",
                     labels, "subtask", is->is_subtask, "parent_id",
                     int_or_null(is->parent_id, is->parent_id > 0), "flagged", is->flagged);
}

static json_t *transition_json(int64_t issue_id, const biq_transition *t)
{
    return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:o}", "issue_id", (json_int_t)issue_id,
                     "history_id", (json_int_t)t->history_id, "item_index",
                     (json_int_t)t->item_index, "at_ms", (json_int_t)t->at, "from_status",
                     (json_int_t)t->from_status, "to_status", (json_int_t)t->to_status,
                     "from_name", text_or_null(t->from_name), "to_name",
                     text_or_null(t->to_name));
}

/* The array's compact text in the arena (no ASCII escaping: PostgreSQL
 * reads UTF-8). Consumes list. */
static const char *dump_to(biq_arena *arena, json_t *list, biq_err *err)
{
    char *text = list != NULL ? json_dumps(list, JSON_COMPACT) : NULL;
    const char *out = text != NULL ? biq_arena_strdup(arena, text) : NULL;
    free(text);
    json_decref(list);
    if (out == NULL)
        *err = BIQ_ERR_NOMEM;
    return out;
}

/* The rows of issues[0..n) as JSON (the issues too when with_issues). */
static biq_err json_rows(const biq_issue *issues, size_t n, bool with_issues, biq_arena *arena,
                         rows *out)
{
    biq_err err = BIQ_OK;
    json_t *is = json_array(), *tr = json_array();
    for (size_t i = 0; i < n && is != NULL && tr != NULL; i++) {
        if (with_issues && json_array_append_new(is, issue_json(&issues[i])) != 0)
            err = BIQ_ERR_INVALID;
        for (size_t k = 0; k < issues[i].n_transitions; k++)
            if (json_array_append_new(tr, transition_json(issues[i].id,
                                                          &issues[i].transitions[k])) != 0)
                err = BIQ_ERR_INVALID;
    }
    out->json = true;
    out->issues = dump_to(arena, is, &err);
    out->transitions = dump_to(arena, tr, &err);
    return err;
}

/* The size from which writes use COPY: BIQ_INGEST_COPY_MIN_ISSUES unless a
 * test or benchmark moved it (biq_store_ingest_copy_min). */
static atomic_size_t copy_min = BIQ_INGEST_COPY_MIN_ISSUES;

void biq_store_ingest_copy_min(size_t n)
{
    atomic_store(&copy_min, n);
}

/* Puts the rows of issues[0..n) where the merge statements read them. */
static biq_err prepare_rows(biq_tx *tx, const biq_issue *issues, size_t n, biq_arena *arena,
                            rows *out)
{
    *out = (rows){0};
    if (n >= atomic_load(&copy_min))
        return stage_rows(tx, issues, n, arena);
    return json_rows(issues, n, true, arena, out);
}

/* The index of issue id (decimal text) in issues[0..n), or n. Linear:
 * only the per-issue counts of a group commit (a batch of events) ask. */
static size_t index_of(const biq_issue *issues, size_t n, const char *id)
{
    int64_t v = strtoll(id, NULL, 10);
    size_t i = 0;
    while (i < n && issues[i].id != v)
        i++;
    return i;
}

static size_t count_transitions(const biq_issue *issues, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += issues[i].n_transitions;
    return total;
}

/* Merges the transitions of issues[0..n) (from src) whose issue is live
 * (page_ids: all of issues' ids). Adds the new ones to *inserted and, when
 * each is given, to each[i] of their issue. */
static biq_err merge_transitions(biq_tx *tx, const biq_issue *issues, size_t n, const rows *src,
                                 const char *page_ids, size_t *inserted, biq_ingest_result *each)
{
    PGresult *res = NULL;
    if (count_transitions(issues, n) == 0)
        return BIQ_OK;
    const char *params[] = {biq_tx_tenant(tx), page_ids, src->transitions};
    biq_err err = biq_tx_exec(tx, INSERT_TRANSITIONS[src->json], src->json ? 3 : 2, params, &res);
    for (int r = 0; err == BIQ_OK && r < PQntuples(res); r++) {
        size_t k = each != NULL ? index_of(issues, n, PQgetvalue(res, r, 0)) : n;
        if (k < n)
            each[k].transitions_new++;
    }
    if (err == BIQ_OK)
        *inserted += (size_t)PQntuples(res);
    PQclear(res);
    return err;
}

/* The ids of a result's first column as an array literal. */
static const char *ids_literal(PGresult *res, biq_arena *arena, biq_err *err)
{
    biq_pgarray ids;
    biq_pgarray_init(&ids, arena);
    for (int r = 0; r < PQntuples(res); r++)
        biq_pgarray_int(&ids, strtoll(PQgetvalue(res, r, 0), NULL, 10));
    return biq_pgarray_finish(&ids, err);
}

static void count_complete(PGresult *r, const biq_issue *issues, size_t n, biq_ingest_result *res,
                           biq_ingest_result *each);

/* each (may be NULL): per-issue counts, as in biq_store_issues_write_each. */
static biq_err update_completeness(biq_tx *tx, const char *ids, const biq_issue *issues, size_t n,
                                   biq_ingest_result *res, biq_ingest_result *each)
{
    PGresult *r = NULL;
    const char *params[] = {biq_tx_tenant(tx), ids};
    biq_err err = biq_tx_exec(tx, UPDATE_COMPLETE, 2, params, &r);
    if (err == BIQ_OK)
        count_complete(r, issues, n, res, each);
    PQclear(r);
    return err;
}

/* Adds the incomplete issues among r's rows (issue_id, changelog_complete)
 * to res and each (may be NULL). */
static void count_complete(PGresult *r, const biq_issue *issues, size_t n, biq_ingest_result *res,
                           biq_ingest_result *each)
{
    for (int i = 0; i < PQntuples(r); i++) {
        bool incomplete = strcmp(PQgetvalue(r, i, 1), "f") == 0;
        size_t k = each != NULL ? index_of(issues, n, PQgetvalue(r, i, 0)) : n;
        res->incomplete += incomplete;
        if (k < n)
            each[k].incomplete += incomplete;
    }
}

/* The completeness of the issues of issues[0..n) that the upsert (applied:
 * its rows) did not write, read as stored. */
static biq_err stale_completeness(biq_tx *tx, PGresult *applied, const biq_issue *issues,
                                  size_t n, biq_arena *arena, biq_ingest_result *res,
                                  biq_ingest_result *each)
{
    biq_pgarray ids;
    biq_err err = BIQ_OK;
    PGresult *r = NULL;
    bool *written = biq_arena_calloc(arena, n, sizeof *written);
    if (written == NULL)
        return BIQ_ERR_NOMEM;
    for (int k = 0; k < PQntuples(applied); k++) {
        size_t i = index_of(issues, n, PQgetvalue(applied, k, 0));
        if (i < n)
            written[i] = true;
    }
    biq_pgarray_init(&ids, arena);
    for (size_t i = 0; i < n; i++)
        if (!written[i])
            biq_pgarray_int(&ids, issues[i].id);
    const char *params[] = {biq_tx_tenant(tx), biq_pgarray_finish(&ids, &err)};
    if (params[1] == NULL)
        return err;
    if ((err = biq_tx_exec(tx, SELECT_COMPLETE, 2, params, &r)) == BIQ_OK)
        count_complete(r, issues, n, res, each);
    PQclear(r);
    return err;
}

static const char *all_ids(const biq_issue *issues, size_t n, biq_arena *arena, biq_err *err)
{
    biq_pgarray ids;
    biq_pgarray_init(&ids, arena);
    for (size_t i = 0; i < n; i++)
        biq_pgarray_int(&ids, issues[i].id);
    return biq_pgarray_finish(&ids, err);
}

static bool any_sprints(const biq_issue *issues, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (issues[i].sprint_ids != NULL)
            return true;
    return false;
}

/* Membership follows the issue's state: replaced only for issues whose row
 * was written (applied_ids) and whose payload carried the sprint field. */
static biq_err replace_sprints(biq_tx *tx, const rows *src, const char *applied_ids)
{
    const char *params[] = {biq_tx_tenant(tx), applied_ids, src->issues};
    int np = src->json ? 3 : 2;
    biq_err err = biq_tx_exec(tx, CLEAR_SPRINTS[src->json], np, params, NULL);
    return err != BIQ_OK ? err : biq_tx_exec(tx, INSERT_SPRINTS[src->json], np, params, NULL);
}

biq_err biq_store_issues_write(biq_tx *tx, const biq_issue *issues, size_t n, biq_arena *arena,
                               biq_ingest_result *res)
{
    return biq_store_issues_write_each(tx, issues, n, arena, res, NULL);
}

biq_err biq_store_issues_write_each(biq_tx *tx, const biq_issue *issues, size_t n,
                                    biq_arena *arena, biq_ingest_result *res,
                                    biq_ingest_result *each)
{
    PGresult *applied = NULL;
    biq_err err;
    rows src;
    const char *applied_ids, *page_ids;
    if (n == 0)
        return BIQ_OK;
    if ((page_ids = all_ids(issues, n, arena, &err)) == NULL)
        return err;
    if ((err = prepare_rows(tx, issues, n, arena, &src)) != BIQ_OK)
        return err;
    const char *params[] = {biq_tx_tenant(tx), src.issues};
    if ((err = biq_tx_exec(tx, UPSERT_ISSUES[src.json], src.json ? 2 : 1, params, &applied)) !=
        BIQ_OK)
        goto out;
    res->issues_written += (size_t)PQntuples(applied);
    res->issues_stale += n - (size_t)PQntuples(applied);
    for (size_t i = 0; each != NULL && i < n; i++)
        each[i] = (biq_ingest_result){.issues_stale = 1};
    for (int r = 0; each != NULL && r < PQntuples(applied); r++) {
        size_t k = index_of(issues, n, PQgetvalue(applied, r, 0));
        if (k < n)
            each[k] = (biq_ingest_result){.issues_written = 1};
    }
    if ((applied_ids = ids_literal(applied, arena, &err)) == NULL)
        goto out;
    if ((err = merge_transitions(tx, issues, n, &src, page_ids, &res->transitions_new, each)) !=
        BIQ_OK)
        goto out;
    if (any_sprints(issues, n) && (err = replace_sprints(tx, &src, applied_ids)) != BIQ_OK)
        goto out;
    count_complete(applied, issues, n, res, each);
    if ((size_t)PQntuples(applied) < n &&
        (err = stale_completeness(tx, applied, issues, n, arena, res, each)) != BIQ_OK)
        goto out;
    /* The issues of this write are now in the transaction, with their
     * transitions and sprints: their extras (flags, links, Sprint history;
     * store/ingest_extras.c) join them. */
    if (err == BIQ_OK)
        err = biq_store_extras_issues_write(tx, issues, n, applied_ids, arena);
out:
    PQclear(applied);
    return err;
}

static const char *first_value(PGresult *res, biq_arena *arena)
{
    if (res == NULL || PQntuples(res) == 0 || PQgetisnull(res, 0, 0))
        return NULL;
    return biq_arena_strdup(arena, PQgetvalue(res, 0, 0));
}

/* The cascade of 0012_ingest_speed, by hand: only rows whose issue is not
 * there (a restricted issue's newer state stays, rows and all). Its own
 * statement after the DELETE FROM issues, not a CTE of it: a writer that
 * held the issue (FOR KEY SHARE, INSERT_TRANSITIONS_FROM) and made the
 * delete wait has committed rows that only a snapshot taken after the
 * wait sees. */
#define CHILD_DELETE(table, alias)                                                                 \
    "DELETE FROM " table " " alias " WHERE " alias ".tenant_id = $1"                               \
    " AND " alias ".issue_id = ANY($2::bigint[]) AND NOT EXISTS (SELECT 1 FROM issues i"           \
    "  WHERE i.tenant_id = " alias ".tenant_id AND i.issue_id = " alias ".issue_id)"
static const char ISSUE_CHILDREN_DELETE[] =
    "WITH t AS (" CHILD_DELETE("status_transitions", "t") "),"
    " s AS (" CHILD_DELETE("issue_sprints", "s") "),"
    " f AS (" CHILD_DELETE("flag_changes", "f") "),"
    " l AS (" CHILD_DELETE("block_links", "l") "),"
    " c AS (" CHILD_DELETE("sprint_changes", "c") ")"
    " SELECT 1";

biq_err biq_store_issue_children_delete(biq_tx *tx, const char *ids)
{
    const char *params[] = {biq_tx_tenant(tx), ids};
    return biq_tx_exec(tx, ISSUE_CHILDREN_DELETE, 2, params, NULL);
}

/* "{id}" when res (a DELETE ... RETURNING) removed the issue, else NULL. */
static biq_err children_of_deleted(biq_tx *tx, PGresult *res, int64_t issue_id)
{
    char ids[NUMBER_MAX + 2];
    if (res == NULL || PQntuples(res) == 0)
        return BIQ_OK;
    snprintf(ids, sizeof ids, "{%" PRId64 "}", issue_id);
    return biq_store_issue_children_delete(tx, ids);
}

biq_err biq_store_issue_delete(biq_tx *tx, int64_t issue_id, biq_arena *arena,
                               const char **project_key)
{
    char id[NUMBER_MAX];
    PGresult *res = NULL;
    snprintf(id, sizeof id, "%" PRId64, issue_id);
    const char *params[] = {biq_tx_tenant(tx), id};
    *project_key = NULL;
    biq_err err = biq_tx_exec(tx,
                              "DELETE FROM issues WHERE tenant_id = $1 AND issue_id = $2::bigint"
                              " RETURNING project_key",
                              2, params, &res);
    if (err == BIQ_OK)
        *project_key = first_value(res, arena);
    if (err == BIQ_OK)
        err = children_of_deleted(tx, res, issue_id);
    PQclear(res);
    if (err == BIQ_OK)
        err = biq_tx_exec(tx,
                          "INSERT INTO issue_tombstones (tenant_id, issue_id) VALUES ($1, $2::bigint)"
                          " ON CONFLICT (tenant_id, issue_id) DO UPDATE SET reason = 'deleted'",
                          2, params, NULL);
    return err;
}

biq_err biq_store_issue_restrict(biq_tx *tx, int64_t issue_id, biq_ms updated, biq_arena *arena,
                                 const char **project_key)
{
    char id[NUMBER_MAX], at[NUMBER_MAX];
    PGresult *res = NULL;
    snprintf(id, sizeof id, "%" PRId64, issue_id);
    snprintf(at, sizeof at, "%" PRId64, updated);
    const char *params[] = {biq_tx_tenant(tx), id, at};
    *project_key = NULL;
    /* Only states older than the restricted one go; a newer one stays. */
    biq_err err = biq_tx_exec(tx,
                              "DELETE FROM issues WHERE tenant_id = $1 AND issue_id = $2::bigint"
                              " AND updated_at <= " BIQ_SQL_MS_TO_TS("$3::bigint") " RETURNING project_key",
                              3, params, &res);
    if (err == BIQ_OK)
        *project_key = first_value(res, arena);
    if (err == BIQ_OK)
        err = children_of_deleted(tx, res, issue_id);
    PQclear(res);
    if (err == BIQ_OK)
        err = biq_tx_exec(tx,
                          "INSERT INTO issue_tombstones (tenant_id, issue_id, reason, state_at)"
                          " VALUES ($1, $2::bigint, 'restricted', " BIQ_SQL_MS_TO_TS("$3::bigint") ")"
                          " ON CONFLICT (tenant_id, issue_id) DO UPDATE"
                          " SET state_at = greatest(issue_tombstones.state_at, EXCLUDED.state_at)"
                          " WHERE issue_tombstones.reason = 'restricted'",
                          3, params, NULL);
    return err;
}

biq_err biq_store_issue_resolve(biq_tx *tx, const char *id_or_key, int64_t *issue_id)
{
    PGresult *res = NULL;
    bool numeric = id_or_key[0] != '\0' && strspn(id_or_key, "0123456789") == strlen(id_or_key) &&
                   strlen(id_or_key) < 19;
    const char *params[] = {biq_tx_tenant(tx), id_or_key};
    biq_err err = biq_tx_exec(tx,
                              numeric ? "SELECT issue_id FROM issues WHERE tenant_id = $1"
                                        " AND issue_id = $2::bigint"
                                      : "SELECT issue_id FROM issues WHERE tenant_id = $1"
                                        " AND key = $2 ORDER BY updated_at DESC LIMIT 1",
                              2, params, &res);
    if (err == BIQ_OK && PQntuples(res) == 0)
        err = BIQ_ERR_NOT_FOUND;
    if (err == BIQ_OK)
        *issue_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return err;
}

biq_err biq_store_sprint_delete(biq_tx *tx, int64_t sprint_id)
{
    char id[NUMBER_MAX];
    snprintf(id, sizeof id, "%" PRId64, sprint_id);
    const char *params[] = {biq_tx_tenant(tx), id};
    return biq_tx_exec(tx, "DELETE FROM sprints WHERE tenant_id = $1 AND sprint_id = $2::bigint", 2,
                       params, NULL);
}

biq_err biq_store_statuses_write(biq_tx *tx, const biq_status *s, const biq_ms *seen_at,
                                 size_t n, biq_arena *arena)
{
    biq_pgarray cols[4];
    const char *params[5] = {biq_tx_tenant(tx)};
    biq_err err;
    if (n == 0)
        return BIQ_OK;
    for (size_t c = 0; c < 4; c++)
        biq_pgarray_init(&cols[c], arena);
    for (size_t i = 0; i < n; i++) {
        biq_pgarray_int(&cols[0], s[i].id);
        biq_pgarray_text(&cols[1], s[i].name != NULL ? s[i].name : "");
        biq_pgarray_text(&cols[2], biq_status_category_name(s[i].category));
        biq_pgarray_int_opt(&cols[3], seen_at != NULL ? seen_at[i] : 0,
                            seen_at != NULL && seen_at[i] != BIQ_MS_NONE);
    }
    if ((err = biq_pgarray_finish_all(cols, 4, params + 1)) != BIQ_OK)
        return err;
    /* Per id, the row seen last wins inside one delivery (the newest issue,
     * or the catalogue's last mention); across deliveries, seen_at decides
     * and the catalogue (infinity) always wins, ties included; at equal
     * seen_at the smaller (name, category), bytewise, as
     * biq_flow_statuses_resolve() decides inside one delivery.
     * Rows the upsert would not change are filtered out first (NOT EXISTS:
     * the exact negation of the DO UPDATE condition, or an identical row):
     * ON CONFLICT locks the existing row before testing its WHERE, and
     * these rows are shared by every project of the tenant, so without the
     * filter concurrent events would queue on them until commit. Skipping
     * on a snapshot is safe: a concurrent writer only moves a row forward. */
    return biq_tx_exec(tx,
                       "INSERT INTO statuses AS s (tenant_id, status_id, name, category, seen_at)"
                       " SELECT $1::text, n.id, n.name, n.category, n.seen_at FROM"
                       " (SELECT DISTINCT ON (t.id) t.id, t.name, t.category,"
                       "   coalesce(" BIQ_SQL_MS_TO_TS("t.seen") ", 'infinity')"
                       "  FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[])"
                       "   WITH ORDINALITY AS t(id, name, category, seen, ord)"
                       "  ORDER BY t.id, t.seen DESC NULLS FIRST, t.name COLLATE \"C\", t.ord DESC)"
                       "  AS n(id, name, category, seen_at)"
                       " WHERE NOT EXISTS (SELECT 1 FROM statuses x"
                       "  WHERE x.tenant_id = $1 AND x.status_id = n.id AND ("
                       "   (n.seen_at <> 'infinity' AND (x.seen_at > n.seen_at OR"
                       "     (x.seen_at = n.seen_at AND (x.name COLLATE \"C\", x.category COLLATE \"C\")"
                       "      <= (n.name, n.category))))"
                       "   OR (x.seen_at = n.seen_at AND x.name = n.name AND x.category = n.category)))"
                       " ON CONFLICT (tenant_id, status_id) DO UPDATE SET"
                       "  name = EXCLUDED.name, category = EXCLUDED.category, seen_at = EXCLUDED.seen_at"
                       " WHERE s.seen_at < EXCLUDED.seen_at OR EXCLUDED.seen_at = 'infinity'"
                       "  OR (s.seen_at = EXCLUDED.seen_at AND (s.name COLLATE \"C\", s.category COLLATE \"C\") >"
                       "      (EXCLUDED.name, EXCLUDED.category))",
                       5, params, NULL);
}

biq_err biq_store_sprints_write(biq_tx *tx, const biq_sprint *s, size_t n, biq_arena *arena)
{
    biq_pgarray cols[7];
    const char *params[8] = {biq_tx_tenant(tx)};
    biq_err err;
    if (n == 0)
        return BIQ_OK;
    for (size_t c = 0; c < 7; c++)
        biq_pgarray_init(&cols[c], arena);
    for (size_t i = 0; i < n; i++) {
        biq_pgarray_int(&cols[0], s[i].id);
        biq_pgarray_text(&cols[1], s[i].name != NULL ? s[i].name : "");
        biq_pgarray_text(&cols[2], s[i].state);
        biq_pgarray_int_opt(&cols[3], s[i].start, s[i].start != BIQ_MS_NONE);
        biq_pgarray_int_opt(&cols[4], s[i].end, s[i].end != BIQ_MS_NONE);
        biq_pgarray_int_opt(&cols[5], s[i].complete, s[i].complete != BIQ_MS_NONE);
        biq_pgarray_int_opt(&cols[6], s[i].board_id, s[i].board_id > 0);
    }
    if ((err = biq_pgarray_finish_all(cols, 7, params + 1)) != BIQ_OK)
        return err;
    return biq_tx_exec(tx,
                       "INSERT INTO sprints (tenant_id, sprint_id, name, state, start_at, end_at,"
                       " complete_at, board_id)"
                       " SELECT DISTINCT ON (t.id) $1, t.id, t.name, t.state,"
                       "  " BIQ_SQL_MS_TO_TS("t.s") ", " BIQ_SQL_MS_TO_TS("t.e") ", " BIQ_SQL_MS_TO_TS("t.c") ", t.board"
                       " FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[],"
                       "  $6::bigint[], $7::bigint[], $8::bigint[]) WITH ORDINALITY"
                       "  AS t(id, name, state, s, e, c, board, ord) ORDER BY t.id, t.ord DESC"
                       " ON CONFLICT (tenant_id, sprint_id) DO UPDATE SET name = EXCLUDED.name,"
                       "  state = EXCLUDED.state, start_at = EXCLUDED.start_at,"
                       "  end_at = EXCLUDED.end_at, complete_at = EXCLUDED.complete_at,"
                       "  board_id = coalesce(EXCLUDED.board_id, sprints.board_id)",
                       8, params, NULL);
}

biq_err biq_store_projects_write(biq_tx *tx, const biq_project *p, size_t n, biq_arena *arena)
{
    biq_pgarray cols[3];
    const char *params[4] = {biq_tx_tenant(tx)};
    biq_err err;
    if (n == 0)
        return BIQ_OK;
    for (size_t c = 0; c < 3; c++)
        biq_pgarray_init(&cols[c], arena);
    for (size_t i = 0; i < n; i++) {
        biq_pgarray_int(&cols[0], p[i].id);
        biq_pgarray_text(&cols[1], p[i].key);
        biq_pgarray_text(&cols[2], p[i].name);
    }
    if ((err = biq_pgarray_finish_all(cols, 3, params + 1)) != BIQ_OK)
        return err;
    return biq_tx_exec(tx,
                       "INSERT INTO projects (tenant_id, project_id, key, name)"
                       " SELECT DISTINCT ON (t.id) $1, t.id, t.key, t.name"
                       " FROM unnest($2::bigint[], $3::text[], $4::text[]) WITH ORDINALITY"
                       "  AS t(id, key, name, ord) ORDER BY t.id, t.ord DESC"
                       " ON CONFLICT (tenant_id, project_id) DO UPDATE SET key = EXCLUDED.key,"
                       "  name = EXCLUDED.name",
                       4, params, NULL);
}

biq_err biq_store_changelog_page(biq_tx *tx, int64_t issue_id, int32_t start_at,
                                 int32_t histories, int32_t total, const biq_transition *t,
                                 size_t n, biq_arena *arena, const char **project_key,
                                 bool *complete)
{
    char id[NUMBER_MAX], start[NUMBER_MAX], count[NUMBER_MAX], tot[NUMBER_MAX];
    PGresult *res = NULL;
    biq_ingest_result ignored = {0};
    biq_err err;
    snprintf(id, sizeof id, "%" PRId64, issue_id);
    snprintf(start, sizeof start, "%" PRId32, start_at);
    snprintf(count, sizeof count, "%" PRId32, histories);
    snprintf(tot, sizeof tot, "%" PRId32, total);
    const char *params[] = {biq_tx_tenant(tx), id, start, count};
    *project_key = NULL;
    *complete = false;
    /* The total only grows; the page's own count is what it held. */
    const char *update[] = {params[0], params[1], tot};
    err = biq_tx_exec(tx,
                      "UPDATE issues SET changelog_total = greatest(changelog_total, $3::int)"
                      " WHERE tenant_id = $1 AND issue_id = $2::bigint RETURNING project_key",
                      3, update, &res);
    if (err == BIQ_OK && PQntuples(res) == 0)
        err = BIQ_ERR_NOT_FOUND;
    if (err == BIQ_OK)
        *project_key = first_value(res, arena);
    PQclear(res);
    res = NULL;
    if (err != BIQ_OK)
        return err;
    err = biq_tx_exec(tx,
                      "INSERT INTO changelog_pages (tenant_id, issue_id, start_at, count)"
                      " VALUES ($1, $2::bigint, $3::int, $4::int) ON CONFLICT (tenant_id, issue_id,"
                      " start_at) DO UPDATE SET count = greatest(changelog_pages.count, EXCLUDED.count)",
                      4, params, NULL);
    if (err != BIQ_OK)
        return err;
    biq_issue page = {.id = issue_id, .transitions = t, .n_transitions = n};
    const char *ids = all_ids(&page, 1, arena, &err);
    rows src;
    if (ids == NULL)
        return err;
    if ((err = json_rows(&page, 1, false, arena, &src)) != BIQ_OK ||
        (err = merge_transitions(tx, &page, 1, &src, ids, &ignored.transitions_new, NULL)) !=
            BIQ_OK)
        return err;
    if ((err = update_completeness(tx, ids, &page, 1, &ignored, NULL)) == BIQ_OK)
        *complete = ignored.incomplete == 0;
    return err;
}

/* The data version (db/migrations/0007_data_commits.sql): one appended row
 * per ingest commit, so concurrent commits of a project never wait on each
 * other, and the version is the sum of the weights a snapshot sees. */
static const char APPEND_COMMIT[] =
    "INSERT INTO data_commits (tenant_id, project_key, weight) VALUES ($1, $2, $3::bigint)"
    " RETURNING id";

/* Folds the project's rows up to ours ($3) into one of their summed weight
 * and newest stamp, leaving the sum every snapshot sees unchanged. Rows a
 * concurrent compaction holds are skipped rather than waited for (no lock
 * waits, no deadlock between two compactions); whatever this one deletes,
 * it inserts back, also when it deleted a single row. */
static const char COMPACT_COMMITS[] =
    "WITH mine AS (SELECT id FROM data_commits"
    "  WHERE tenant_id = $1 AND project_key = $2 AND id <= $3::bigint FOR UPDATE SKIP LOCKED),"
    " gone AS (DELETE FROM data_commits c USING mine"
    "  WHERE c.tenant_id = $1 AND c.project_key = $2 AND c.id = mine.id RETURNING c.weight, c.at)"
    " INSERT INTO data_commits (tenant_id, project_key, weight, at)"
    " SELECT $1, $2, sum(weight)::bigint, max(at) FROM gone HAVING count(*) > 0";

/* About one commit in DATA_COMMITS_COMPACT_EVERY compacts its project. The
 * ids are shared by all projects, so `id % N` would starve a project whose
 * commits alternate with others' in step with N (16 projects in turn never
 * reach id % 64 == 0 but one): the id is mixed first (splitmix64's
 * finaliser), which makes the choice independent of such patterns. */
static bool compaction_due(uint64_t id)
{
    id = (id ^ (id >> 30)) * 0xbf58476d1ce4e5b9ULL;
    id = (id ^ (id >> 27)) * 0x94d049bb133111ebULL;
    id ^= id >> 31;
    return id % DATA_COMMITS_COMPACT_EVERY == 0;
}

biq_err biq_store_data_version_bump(biq_tx *tx, const char *project_key)
{
    return biq_store_data_version_bump_by(tx, project_key, 1);
}

biq_err biq_store_data_version_bump_by(biq_tx *tx, const char *project_key, int64_t commits)
{
    PGresult *res = NULL;
    char weight[NUMBER_MAX];
    if (commits < 1)
        return BIQ_ERR_INTERNAL;
    snprintf(weight, sizeof weight, "%" PRId64, commits);
    const char *params[] = {biq_tx_tenant(tx), project_key, weight};
    biq_err err = biq_tx_exec(tx, APPEND_COMMIT, 3, params, &res);
    if (err != BIQ_OK)
        goto out;
    params[2] = PQgetvalue(res, 0, 0);
    if (compaction_due(strtoull(params[2], NULL, 10)))
        err = biq_tx_exec(tx, COMPACT_COMMITS, 3, params, NULL);
out:
    PQclear(res);
    return err;
}
