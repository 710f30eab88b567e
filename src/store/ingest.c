/* ingest.c - page-at-a-time writes of Jira data (see ingest.h). Each write
 * is a handful of statements whatever the page size: rows travel as array
 * parameters and are unpacked with unnest() on the server. */
#include "store/ingest.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/ingest_extras.h"
#include "store/pgarray.h"

enum {
    ISSUE_COLUMNS = 15,
    TRANSITION_COLUMNS = 8, /* with the status names Jira wrote */
    NUMBER_MAX = 32,
    /* Rows a project gathers in data_commits, on average, between two
     * compactions: what a version read sums (plus dead rows until
     * vacuum), traded against one extra statement per N commits. */
    DATA_COMMITS_COMPACT_EVERY = 64,
};

/* ms since the epoch to timestamptz, exactly (no floating point). */
#define MS_TO_TS(col) "'epoch'::timestamptz + " col " * interval '1 millisecond'"

static const char UPSERT_ISSUES[] =
    "WITH input AS ("
    " SELECT * FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::text[],"
    "  $7::bigint[], $8::text[], $9::text[], $10::text[], $11::bigint[], $12::bigint[],"
    "  $13::bigint[], $14::float8[], $15::int[], $16::int[])"
    "  AS t(issue_id, key, project_id, project_key, summary, status_id, issue_type, priority,"
    "       assignee, created_ms, updated_ms, resolution_ms, story_points, total, present)"
    " WHERE NOT EXISTS (SELECT 1 FROM issue_tombstones x"
    "                   WHERE x.tenant_id = $1 AND x.issue_id = t.issue_id"
    "                   AND (x.reason = 'deleted'"
    "                        OR x.state_at >= " MS_TO_TS("t.updated_ms") ")))"
    " INSERT INTO issues AS i (tenant_id, issue_id, key, project_id, project_key, summary,"
    "  status_id, issue_type, priority, assignee, created_at, updated_at, resolution_at,"
    "  story_points, changelog_total, changelog_present)"
    " SELECT $1, issue_id, key, project_id, project_key, summary, status_id, issue_type,"
    /* An event without `created` (some webhooks) stands in its `updated`;
     * least() below lets the real instant win whenever it arrives. */
    "  priority, assignee, " MS_TO_TS("coalesce(created_ms, updated_ms)") ", "
    MS_TO_TS("updated_ms") ","
    "  " MS_TO_TS("resolution_ms") ", story_points, coalesce(total, 0), coalesce(present, 0)"
    " FROM input"
    " ON CONFLICT (tenant_id, issue_id) DO UPDATE SET"
    "  key = EXCLUDED.key, project_id = coalesce(EXCLUDED.project_id, i.project_id),"
    "  project_key = EXCLUDED.project_key, summary = EXCLUDED.summary,"
    "  status_id = EXCLUDED.status_id, issue_type = EXCLUDED.issue_type,"
    "  priority = EXCLUDED.priority, assignee = EXCLUDED.assignee,"
    "  created_at = least(i.created_at, EXCLUDED.created_at), updated_at = EXCLUDED.updated_at,"
    "  resolution_at = EXCLUDED.resolution_at, story_points = EXCLUDED.story_points,"
    /* Histories only ever grow: an event (no changelog counts) keeps them. */
    "  changelog_total = greatest(i.changelog_total, EXCLUDED.changelog_total),"
    "  changelog_present = greatest(i.changelog_present, EXCLUDED.changelog_present)"
    " WHERE i.updated_at <= EXCLUDED.updated_at"
    " RETURNING issue_id";

/* Only for issues that exist (not deleted, not restricted). The live set
 * is looked up by id list, which the primary key answers whatever the
 * table statistics say: a per-row EXISTS was planned as a scan of all
 * issues on fresh tables, making a backfill quadratic. */
static const char INSERT_TRANSITIONS[] =
    "INSERT INTO status_transitions (tenant_id, issue_id, history_id, item_index, at,"
    " from_status, to_status, from_name, to_name)"
    " SELECT $1, t.issue_id, t.history_id, t.item_index, " MS_TO_TS("t.at_ms") ","
    "  nullif(t.from_status, 0), t.to_status, t.from_name, t.to_name"
    " FROM unnest($2::bigint[], $3::bigint[], $4::int[], $5::bigint[], $6::bigint[], $7::bigint[],"
    "             $8::text[], $9::text[])"
    "  AS t(issue_id, history_id, item_index, at_ms, from_status, to_status, from_name, to_name)"
    " JOIN (SELECT i.issue_id FROM issues i WHERE i.tenant_id = $1"
    "       AND i.issue_id = ANY($10::bigint[])) AS live USING (issue_id)"
    " ON CONFLICT DO NOTHING";

/* Cleared only for issues both written now and carrying the field. */
static const char CLEAR_SPRINTS[] =
    "DELETE FROM issue_sprints WHERE tenant_id = $1 AND issue_id = ANY($2::bigint[])"
    " AND issue_id = ANY($3::bigint[])";

static const char INSERT_SPRINTS[] =
    "INSERT INTO issue_sprints (tenant_id, issue_id, sprint_id)"
    " SELECT $1, t.issue_id, t.sprint_id FROM unnest($2::bigint[], $3::bigint[]) AS t(issue_id, sprint_id)"
    " WHERE t.issue_id = ANY($4::bigint[]) ON CONFLICT DO NOTHING";

/* Complete when the embedded changelog held everything, or the full
 * changelog pages received cover Jira's total. */
static const char UPDATE_COMPLETE[] =
    "UPDATE issues i SET changelog_complete ="
    " i.changelog_present >= i.changelog_total OR coalesce((SELECT sum(p.count)"
    "   FROM changelog_pages p WHERE p.tenant_id = i.tenant_id AND p.issue_id = i.issue_id), 0)"
    "   >= i.changelog_total"
    " WHERE i.tenant_id = $1 AND i.issue_id = ANY($2::bigint[])"
    " RETURNING i.changelog_complete";

static biq_err finish_all(biq_pgarray *arrays, size_t n, const char **out)
{
    biq_err err = BIQ_OK;
    for (size_t i = 0; i < n; i++) {
        out[i] = biq_pgarray_finish(&arrays[i], &err);
        if (out[i] == NULL)
            return err;
    }
    return BIQ_OK;
}

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

static void add_issue_row(biq_pgarray *c, const biq_issue *is)
{
    biq_pgarray_int(&c[0], is->id);
    biq_pgarray_text(&c[1], is->key);
    biq_pgarray_int_opt(&c[2], is->project_id, is->project_id > 0);
    biq_pgarray_text(&c[3], is->project_key);
    biq_pgarray_text(&c[4], is->summary);
    biq_pgarray_int(&c[5], is->status_id);
    biq_pgarray_text(&c[6], is->issue_type);
    biq_pgarray_text(&c[7], is->priority);
    biq_pgarray_text(&c[8], is->assignee);
    biq_pgarray_int_opt(&c[9], is->created, is->created != BIQ_MS_NONE);
    biq_pgarray_int(&c[10], is->updated);
    biq_pgarray_int_opt(&c[11], is->resolution_at, is->resolution_at != BIQ_MS_NONE);
    biq_pgarray_double_opt(&c[12], is->story_points, is->has_story_points);
    biq_pgarray_int_opt(&c[13], is->changelog_total, is->changelog_total >= 0);
    biq_pgarray_int_opt(&c[14], is->changelog_present, is->changelog_total >= 0);
}

/* The issue upsert; *applied receives the ids whose row was written. */
static biq_err upsert_issues(biq_tx *tx, const biq_issue *issues, size_t n, biq_arena *arena,
                             PGresult **applied)
{
    biq_pgarray cols[ISSUE_COLUMNS];
    const char *params[ISSUE_COLUMNS + 1] = {biq_tx_tenant(tx)};
    for (size_t c = 0; c < ISSUE_COLUMNS; c++)
        biq_pgarray_init(&cols[c], arena);
    for (size_t i = 0; i < n; i++)
        add_issue_row(cols, &issues[i]);
    biq_err err = finish_all(cols, ISSUE_COLUMNS, params + 1);
    if (err != BIQ_OK)
        return err;
    return biq_tx_exec(tx, UPSERT_ISSUES, ISSUE_COLUMNS + 1, params, applied);
}

static const char *all_ids(const biq_issue *issues, size_t n, biq_arena *arena, biq_err *err);

static biq_err insert_transitions(biq_tx *tx, const biq_issue *issues, size_t n, biq_arena *arena,
                                  size_t *inserted)
{
    biq_pgarray cols[TRANSITION_COLUMNS];
    const char *params[TRANSITION_COLUMNS + 2] = {biq_tx_tenant(tx)};
    PGresult *res = NULL;
    for (size_t c = 0; c < TRANSITION_COLUMNS; c++)
        biq_pgarray_init(&cols[c], arena);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < issues[i].n_transitions; k++) {
            const biq_transition *t = &issues[i].transitions[k];
            biq_pgarray_int(&cols[0], issues[i].id);
            biq_pgarray_int(&cols[1], t->history_id);
            biq_pgarray_int(&cols[2], t->item_index);
            biq_pgarray_int(&cols[3], t->at);
            biq_pgarray_int(&cols[4], t->from_status);
            biq_pgarray_int(&cols[5], t->to_status);
            biq_pgarray_text(&cols[6], t->from_name);
            biq_pgarray_text(&cols[7], t->to_name);
        }
    }
    if (cols[0].count == 0)
        return BIQ_OK;
    biq_err err = finish_all(cols, TRANSITION_COLUMNS, params + 1);
    if (err == BIQ_OK && (params[TRANSITION_COLUMNS + 1] = all_ids(issues, n, arena, &err)) != NULL)
        err = biq_tx_exec(tx, INSERT_TRANSITIONS, TRANSITION_COLUMNS + 2, params, &res);
    if (err == BIQ_OK)
        *inserted += strtoull(PQcmdTuples(res), NULL, 10);
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

/* Membership follows the issue's state: replaced only for issues whose row
 * was written and whose payload carried the sprint field. */
static biq_err replace_sprints(biq_tx *tx, const biq_issue *issues, size_t n,
                               const char *applied_ids, biq_arena *arena)
{
    biq_pgarray carried, pair_issue, pair_sprint;
    biq_err err;
    biq_pgarray_init(&carried, arena);
    biq_pgarray_init(&pair_issue, arena);
    biq_pgarray_init(&pair_sprint, arena);
    for (size_t i = 0; i < n; i++) {
        if (issues[i].sprint_ids == NULL)
            continue;
        biq_pgarray_int(&carried, issues[i].id);
        for (size_t k = 0; k < issues[i].n_sprint_ids; k++) {
            biq_pgarray_int(&pair_issue, issues[i].id);
            biq_pgarray_int(&pair_sprint, issues[i].sprint_ids[k]);
        }
    }
    if (carried.count == 0)
        return BIQ_OK;
    const char *carried_ids = biq_pgarray_finish(&carried, &err);
    const char *pi = carried_ids != NULL ? biq_pgarray_finish(&pair_issue, &err) : NULL;
    const char *ps = pi != NULL ? biq_pgarray_finish(&pair_sprint, &err) : NULL;
    if (ps == NULL)
        return err;
    const char *clear[] = {biq_tx_tenant(tx), applied_ids, carried_ids};
    const char *insert[] = {biq_tx_tenant(tx), pi, ps, applied_ids};
    err = biq_tx_exec(tx, CLEAR_SPRINTS, 3, clear, NULL);
    if (err == BIQ_OK)
        err = biq_tx_exec(tx, INSERT_SPRINTS, 4, insert, NULL);
    return err;
}

static biq_err update_completeness(biq_tx *tx, const char *ids, biq_ingest_result *res)
{
    PGresult *r = NULL;
    const char *params[] = {biq_tx_tenant(tx), ids};
    biq_err err = biq_tx_exec(tx, UPDATE_COMPLETE, 2, params, &r);
    for (int i = 0; err == BIQ_OK && i < PQntuples(r); i++)
        res->incomplete += strcmp(PQgetvalue(r, i, 0), "f") == 0;
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

biq_err biq_store_issues_write(biq_tx *tx, const biq_issue *issues, size_t n, biq_arena *arena,
                               biq_ingest_result *res)
{
    PGresult *applied = NULL;
    biq_err err;
    const char *applied_ids, *page_ids;
    if (n == 0)
        return BIQ_OK;
    if ((err = upsert_issues(tx, issues, n, arena, &applied)) != BIQ_OK)
        goto out;
    res->issues_written += (size_t)PQntuples(applied);
    res->issues_stale += n - (size_t)PQntuples(applied);
    if ((applied_ids = ids_literal(applied, arena, &err)) == NULL)
        goto out;
    if ((err = insert_transitions(tx, issues, n, arena, &res->transitions_new)) != BIQ_OK)
        goto out;
    if ((err = replace_sprints(tx, issues, n, applied_ids, arena)) != BIQ_OK)
        goto out;
    if ((err = biq_store_extras_issues_write(tx, issues, n, applied_ids, arena)) != BIQ_OK)
        goto out;
    if ((page_ids = all_ids(issues, n, arena, &err)) == NULL)
        goto out;
    err = update_completeness(tx, page_ids, res);
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
                              " AND updated_at <= " MS_TO_TS("$3::bigint") " RETURNING project_key",
                              3, params, &res);
    if (err == BIQ_OK)
        *project_key = first_value(res, arena);
    PQclear(res);
    if (err == BIQ_OK)
        err = biq_tx_exec(tx,
                          "INSERT INTO issue_tombstones (tenant_id, issue_id, reason, state_at)"
                          " VALUES ($1, $2::bigint, 'restricted', " MS_TO_TS("$3::bigint") ")"
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
    if ((err = finish_all(cols, 4, params + 1)) != BIQ_OK)
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
                       "   coalesce(" MS_TO_TS("t.seen") ", 'infinity')"
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
    if ((err = finish_all(cols, 7, params + 1)) != BIQ_OK)
        return err;
    return biq_tx_exec(tx,
                       "INSERT INTO sprints (tenant_id, sprint_id, name, state, start_at, end_at,"
                       " complete_at, board_id)"
                       " SELECT DISTINCT ON (t.id) $1, t.id, t.name, t.state,"
                       "  " MS_TO_TS("t.s") ", " MS_TO_TS("t.e") ", " MS_TO_TS("t.c") ", t.board"
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
    if ((err = finish_all(cols, 3, params + 1)) != BIQ_OK)
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
    if ((err = insert_transitions(tx, &page, 1, arena, &ignored.transitions_new)) != BIQ_OK)
        return err;
    const char *ids = all_ids(&page, 1, arena, &err);
    if (ids == NULL)
        return err;
    if ((err = update_completeness(tx, ids, &ignored)) == BIQ_OK)
        *complete = ignored.incomplete == 0;
    return err;
}

/* The data version (db/migrations/0007_data_commits.sql): one appended row
 * per ingest commit, so concurrent commits of a project never wait on each
 * other, and the version is the sum of the weights a snapshot sees. */
static const char APPEND_COMMIT[] =
    "INSERT INTO data_commits (tenant_id, project_key) VALUES ($1, $2) RETURNING id";

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
    PGresult *res = NULL;
    const char *params[] = {biq_tx_tenant(tx), project_key, NULL};
    biq_err err = biq_tx_exec(tx, APPEND_COMMIT, 2, params, &res);
    if (err != BIQ_OK)
        goto out;
    params[2] = PQgetvalue(res, 0, 0);
    if (compaction_due(strtoull(params[2], NULL, 10)))
        err = biq_tx_exec(tx, COMPACT_COMMITS, 3, params, NULL);
out:
    PQclear(res);
    return err;
}
