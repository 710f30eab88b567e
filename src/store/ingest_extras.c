/* ingest_extras.c - issue #15's writes (see ingest_extras.h). Rows travel
 * as array parameters like store/ingest.c's; per-row lists (sprint ids)
 * travel as one array literal text each, because unnest() would flatten a
 * two-dimensional array. The issue columns ride in the issue upsert of
 * store/ingest.c (one write of each row instead of two). */
#include "store/ingest_extras.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "store/pgarray.h"

enum {
    FLAG_COLUMNS = 5,
    SPRINT_COLUMNS = 6,
};


/* The new set's links: kept links keep a date the payload cannot give. */
static const char DELETE_LINKS[] =
    "DELETE FROM block_links b WHERE b.tenant_id = $1 AND b.issue_id = ANY($2::bigint[])"
    " AND NOT EXISTS (SELECT 1 FROM unnest($3::bigint[], $4::bigint[]) AS t(issue_id, blocker_id)"
    "  WHERE t.issue_id = b.issue_id AND t.blocker_id = b.blocker_id)";

static const char UPSERT_LINKS[] =
    "INSERT INTO block_links AS b (tenant_id, issue_id, blocker_id, linked_at)"
    " SELECT $1, t.issue_id, t.blocker_id, " BIQ_SQL_MS_TO_TS("t.at_ms")
    " FROM unnest($2::bigint[], $3::bigint[], $4::bigint[]) AS t(issue_id, blocker_id, at_ms)"
    " WHERE t.issue_id = ANY($5::bigint[])"
    " ON CONFLICT (tenant_id, issue_id, blocker_id) DO UPDATE"
    " SET linked_at = coalesce(EXCLUDED.linked_at, b.linked_at)";

/* Histories of issues that exist (not deleted, not restricted), as for
 * status transitions: the join, with its lock, is the reference to issues
 * (store/ingest.c INSERT_TRANSITIONS_FROM). Links and membership are only
 * written for issues this transaction has just written (applied ids),
 * whose rows it holds locked. */
static const char INSERT_FLAGS[] =
    "INSERT INTO flag_changes (tenant_id, issue_id, history_id, item_index, at, flagged)"
    " SELECT $1, t.issue_id, t.history_id, t.item_index, " BIQ_SQL_MS_TO_TS("t.at_ms") ", t.flagged"
    " FROM unnest($2::bigint[], $3::bigint[], $4::int[], $5::bigint[], $6::boolean[])"
    "  AS t(issue_id, history_id, item_index, at_ms, flagged)"
    " JOIN (SELECT i.issue_id FROM issues i WHERE i.tenant_id = $1"
    "       AND i.issue_id = ANY($7::bigint[]) FOR KEY SHARE OF i) AS live USING (issue_id)"
    " ON CONFLICT DO NOTHING";

static const char INSERT_SPRINT_CHANGES[] =
    "INSERT INTO sprint_changes (tenant_id, issue_id, history_id, item_index, at, from_ids, to_ids)"
    " SELECT $1, t.issue_id, t.history_id, t.item_index, " BIQ_SQL_MS_TO_TS("t.at_ms") ","
    "  t.from_ids::bigint[], t.to_ids::bigint[]"
    " FROM unnest($2::bigint[], $3::bigint[], $4::int[], $5::bigint[], $6::text[], $7::text[])"
    "  AS t(issue_id, history_id, item_index, at_ms, from_ids, to_ids)"
    " JOIN (SELECT i.issue_id FROM issues i WHERE i.tenant_id = $1"
    "       AND i.issue_id = ANY($8::bigint[]) FOR KEY SHARE OF i) AS live USING (issue_id)"
    " ON CONFLICT DO NOTHING";

/* A JSON text in the arena (a board's columns). */
static const char *json_text(json_t *v, biq_arena *arena)
{
    char *s = v ? json_dumps(v, JSON_COMPACT) : NULL;
    const char *copy = s ? biq_arena_strdup(arena, s) : NULL;
    free(s);
    json_decref(v);
    return copy;
}

/* The ids as an array literal ("{1,2}") in the arena, sent as one text
 * element and cast to bigint[] by the statement (unnest() would flatten a
 * two-dimensional array); NULL on failure. */
static const char *ids_literal(const int64_t *ids, size_t n, biq_arena *arena)
{
    biq_pgarray a;
    biq_err err;
    biq_pgarray_init(&a, arena);
    for (size_t i = 0; i < n; i++)
        biq_pgarray_int(&a, ids[i]);
    return biq_pgarray_finish(&a, &err);
}

static const char *ids_of(const biq_issue *issues, size_t n, biq_arena *arena, biq_err *err)
{
    biq_pgarray ids;
    biq_pgarray_init(&ids, arena);
    for (size_t i = 0; i < n; i++)
        biq_pgarray_int(&ids, issues[i].id);
    return biq_pgarray_finish(&ids, err);
}

static biq_err replace_links(biq_tx *tx, const biq_issue *issues, size_t n,
                             const char *applied_ids, biq_arena *arena)
{
    biq_pgarray c[3];
    const char *cols[3];
    for (size_t k = 0; k < 3; k++)
        biq_pgarray_init(&c[k], arena);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < issues[i].n_blocked_by; k++) {
            const biq_block_link *l = &issues[i].blocked_by[k];
            biq_pgarray_int(&c[0], issues[i].id);
            biq_pgarray_int(&c[1], l->blocker_id);
            biq_pgarray_int_opt(&c[2], l->linked_at, l->linked_at != BIQ_MS_NONE);
        }
    biq_err err = biq_pgarray_finish_all(c, 3, cols);
    if (err != BIQ_OK)
        return err;
    const char *del[] = {biq_tx_tenant(tx), applied_ids, cols[0], cols[1]};
    if ((err = biq_tx_exec(tx, DELETE_LINKS, 4, del, NULL)) != BIQ_OK || c[0].count == 0)
        return err;
    const char *ins[] = {biq_tx_tenant(tx), cols[0], cols[1], cols[2], applied_ids};
    return biq_tx_exec(tx, UPSERT_LINKS, 5, ins, NULL);
}

static void add_flags(biq_pgarray *c, int64_t issue_id, const biq_flag_change *f, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        biq_pgarray_int(&c[0], issue_id);
        biq_pgarray_int(&c[1], f[k].history_id);
        biq_pgarray_int(&c[2], f[k].item_index);
        biq_pgarray_int(&c[3], f[k].at);
        biq_pgarray_text(&c[4], f[k].flagged ? "t" : "f");
    }
}

static bool add_sprints(biq_pgarray *c, int64_t issue_id, const biq_sprint_change *s, size_t n,
                        biq_arena *arena)
{
    for (size_t k = 0; k < n; k++) {
        const char *from = ids_literal(s[k].from_ids, s[k].n_from, arena);
        const char *to = ids_literal(s[k].to_ids, s[k].n_to, arena);
        if (from == NULL || to == NULL)
            return false;
        biq_pgarray_int(&c[0], issue_id);
        biq_pgarray_int(&c[1], s[k].history_id);
        biq_pgarray_int(&c[2], s[k].item_index);
        biq_pgarray_int(&c[3], s[k].at);
        biq_pgarray_text(&c[4], from);
        biq_pgarray_text(&c[5], to);
    }
    return true;
}

/* Writes the collected history rows (either kind may be empty). */
static biq_err insert_histories(biq_tx *tx, biq_pgarray *flags, biq_pgarray *sprints,
                                const char *live_ids)
{
    const char *fp[FLAG_COLUMNS + 2] = {biq_tx_tenant(tx)};
    const char *sp[SPRINT_COLUMNS + 2] = {biq_tx_tenant(tx)};
    biq_err err = BIQ_OK;
    if (flags[0].count > 0 &&
        (err = biq_pgarray_finish_all(flags, FLAG_COLUMNS, fp + 1)) == BIQ_OK) {
        fp[FLAG_COLUMNS + 1] = live_ids;
        err = biq_tx_exec(tx, INSERT_FLAGS, FLAG_COLUMNS + 2, fp, NULL);
    }
    if (err == BIQ_OK && sprints[0].count > 0 &&
        (err = biq_pgarray_finish_all(sprints, SPRINT_COLUMNS, sp + 1)) == BIQ_OK) {
        sp[SPRINT_COLUMNS + 1] = live_ids;
        err = biq_tx_exec(tx, INSERT_SPRINT_CHANGES, SPRINT_COLUMNS + 2, sp, NULL);
    }
    return err;
}

static void init_all(biq_pgarray *a, size_t n, biq_arena *arena)
{
    for (size_t k = 0; k < n; k++)
        biq_pgarray_init(&a[k], arena);
}

biq_err biq_store_extras_issues_write(biq_tx *tx, const biq_issue *issues, size_t n,
                                      const char *applied_ids, biq_arena *arena)
{
    biq_pgarray flags[FLAG_COLUMNS], sprints[SPRINT_COLUMNS];
    biq_err err = BIQ_OK;
    if (n == 0)
        return BIQ_OK;
    /* The issue #15 columns (resolution, labels, sub-task, parent,
     * flagged) are written by the issue upsert itself (store/ingest.c). */
    if ((err = replace_links(tx, issues, n, applied_ids, arena)) != BIQ_OK)
        return err;
    init_all(flags, FLAG_COLUMNS, arena);
    init_all(sprints, SPRINT_COLUMNS, arena);
    for (size_t i = 0; i < n; i++) {
        add_flags(flags, issues[i].id, issues[i].flag_changes, issues[i].n_flag_changes);
        if (!add_sprints(sprints, issues[i].id, issues[i].sprint_changes,
                         issues[i].n_sprint_changes, arena))
            return BIQ_ERR_NOMEM;
    }
    const char *live = ids_of(issues, n, arena, &err);
    return live == NULL ? err : insert_histories(tx, flags, sprints, live);
}

biq_err biq_store_extras_changelog_page(biq_tx *tx, int64_t issue_id,
                                        const biq_flag_change *f, size_t n_flags,
                                        const biq_sprint_change *s, size_t n_sprints,
                                        biq_arena *arena)
{
    biq_pgarray flags[FLAG_COLUMNS], sprints[SPRINT_COLUMNS], live;
    biq_err err = BIQ_OK;
    if (n_flags == 0 && n_sprints == 0)
        return BIQ_OK;
    init_all(flags, FLAG_COLUMNS, arena);
    init_all(sprints, SPRINT_COLUMNS, arena);
    add_flags(flags, issue_id, f, n_flags);
    if (!add_sprints(sprints, issue_id, s, n_sprints, arena))
        return BIQ_ERR_NOMEM;
    biq_pgarray_init(&live, arena);
    biq_pgarray_int(&live, issue_id);
    const char *ids = biq_pgarray_finish(&live, &err);
    return ids == NULL ? err : insert_histories(tx, flags, sprints, ids);
}

/* Every append is checked, so a column is never stored without its
 * statuses (review L2). */
const char *biq_store_board_columns_json(const biq_board *b, biq_arena *arena)
{
    json_t *cols = json_array();
    for (size_t i = 0; cols && i < b->n_columns; i++) {
        const biq_board_column *c = &b->columns[i];
        json_t *ids = json_array();
        for (size_t k = 0; ids && k < c->n_status_ids; k++) {
            if (json_array_append_new(ids, json_integer((json_int_t)c->status_ids[k])) != 0) {
                json_decref(ids);
                ids = NULL;
            }
        }
        /* "o" (not "o*"): a NULL ids fails the pack instead of dropping
         * the member; json_pack steals ids in every case. */
        json_t *col = ids == NULL ? NULL
                                  : json_pack("{s:s?,s:o,s:i,s:i}", "name", c->name, "statuses",
                                              ids, "min", (int)c->min, "max", (int)c->max);
        if (col == NULL || json_array_append_new(cols, col) != 0) {
            json_decref(cols);
            return NULL;
        }
    }
    return json_text(cols, arena);
}

/* The stored set and the new one ($3..$5) differ: a row of either is not
 * in the other (ids are unique on both sides, so this is set equality;
 * jsonb compares by value, EXCEPT treats NULL names as equal). */
static const char BOARDS_DIFFER[] =
    "SELECT EXISTS ("
    " (SELECT b.board_id, b.name, b.columns FROM project_boards b"
    "   WHERE b.tenant_id = $1 AND b.project_key = $2"
    "  EXCEPT SELECT t.id, t.name, t.cols::jsonb"
    "   FROM unnest($3::bigint[], $4::text[], $5::text[]) AS t(id, name, cols))"
    " UNION ALL"
    " (SELECT t.id, t.name, t.cols::jsonb"
    "   FROM unnest($3::bigint[], $4::text[], $5::text[]) AS t(id, name, cols)"
    "  EXCEPT SELECT b.board_id, b.name, b.columns FROM project_boards b"
    "   WHERE b.tenant_id = $1 AND b.project_key = $2))";

static const char DELETE_BOARDS[] =
    "DELETE FROM project_boards WHERE tenant_id = $1 AND project_key = $2";

static const char INSERT_BOARDS[] =
    "INSERT INTO project_boards (tenant_id, project_key, board_id, name, columns)"
    " SELECT $1, $2, t.id, t.name, t.cols::jsonb"
    " FROM unnest($3::bigint[], $4::text[], $5::text[]) AS t(id, name, cols)";

biq_err biq_store_boards_replace(biq_tx *tx, const char *project_key, const biq_board *boards,
                                 size_t n, biq_arena *arena, bool *changed)
{
    biq_pgarray c[3];
    const char *params[5] = {biq_tx_tenant(tx), project_key};
    PGresult *r = NULL;
    biq_err err;
    *changed = false;
    init_all(c, 3, arena);
    for (size_t i = 0; i < n; i++) {
        const char *cols = biq_store_board_columns_json(&boards[i], arena);
        if (cols == NULL)
            return BIQ_ERR_NOMEM;
        biq_pgarray_int(&c[0], boards[i].id);
        biq_pgarray_text(&c[1], boards[i].name);
        biq_pgarray_text(&c[2], cols);
    }
    if ((err = biq_pgarray_finish_all(c, 3, params + 2)) != BIQ_OK ||
        (err = biq_tx_exec(tx, BOARDS_DIFFER, 5, params, &r)) != BIQ_OK)
        return err;
    *changed = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    if (!*changed)
        return BIQ_OK;
    if ((err = biq_tx_exec(tx, DELETE_BOARDS, 2, params, NULL)) != BIQ_OK || n == 0)
        return err;
    return biq_tx_exec(tx, INSERT_BOARDS, 5, params, NULL);
}
