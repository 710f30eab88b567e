/* project_load_extras.c - issue #15's rows back into the model (see
 * project_load_extras.h). One query per kind, each row matched to its
 * issue by id; rows come grouped by issue, so each issue takes its run of
 * one array, as project_load.c does for transitions. */
#include "store/project_load_extras.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"

_Static_assert(BIQ_LOAD_BOARDS_MAX == BIQ_INGEST_BOARDS_MAX,
               "a project loads every board one POST /forge/boards may store");

#define TS_MS(col) "(extract(epoch from " col ") * 1000)::bigint"

static const char LOAD_LABELS[] =
    "SELECT i.issue_id, l.label FROM issues i"
    " CROSS JOIN LATERAL unnest(i.labels) WITH ORDINALITY AS l(label, ord)"
    " WHERE i.tenant_id = $1 AND i.project_key = $2 ORDER BY i.issue_id, l.ord";

static const char LOAD_FLAGS[] =
    "SELECT f.issue_id, f.history_id, f.item_index, " TS_MS("f.at") ", f.flagged"
    " FROM flag_changes f JOIN issues i ON i.tenant_id = f.tenant_id AND i.issue_id = f.issue_id"
    " WHERE f.tenant_id = $1 AND i.project_key = $2"
    " ORDER BY f.issue_id, f.at, f.history_id, f.item_index";

static const char LOAD_LINKS[] =
    "SELECT b.issue_id, b.blocker_id, " TS_MS("b.linked_at")
    " FROM block_links b JOIN issues i ON i.tenant_id = b.tenant_id AND i.issue_id = b.issue_id"
    " WHERE b.tenant_id = $1 AND i.project_key = $2 ORDER BY b.issue_id, b.blocker_id";

static const char LOAD_SPRINT_CHANGES[] =
    "SELECT s.issue_id, s.history_id, s.item_index, " TS_MS("s.at") ","
    " array_to_json(s.from_ids)::text, array_to_json(s.to_ids)::text"
    " FROM sprint_changes s JOIN issues i ON i.tenant_id = s.tenant_id AND i.issue_id = s.issue_id"
    " WHERE s.tenant_id = $1 AND i.project_key = $2"
    " ORDER BY s.issue_id, s.at, s.history_id, s.item_index";

/* Every stored board of the project, by id; one more than the bound so
 * that an oversized set is seen (the settings pick the board, not the
 * load: the cached model does not depend on settings, views/open.c). */
static const char LOAD_BOARDS[] =
    "SELECT b.board_id, b.name, b.columns::text FROM project_boards b"
    " WHERE b.tenant_id = $1 AND b.project_key = $2 ORDER BY b.board_id LIMIT $3";

static int64_t num(PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* Runs sql and allocates n elements of size for its rows. */
static biq_err rows(biq_tx *tx, const char *sql, const char *key, size_t size, biq_arena *arena,
                    PGresult **r, void **v)
{
    const char *params[] = {biq_tx_tenant(tx), key};
    biq_err err = biq_tx_exec(tx, sql, 2, params, r);
    if (err != BIQ_OK)
        return err;
    size_t n = (size_t)PQntuples(*r);
    if (n > BIQ_LOAD_EXTRA_ROWS_MAX)
        return BIQ_ERR_LIMIT;
    *v = biq_arena_calloc(arena, n ? n : 1, size);
    return *v == NULL ? BIQ_ERR_NOMEM : BIQ_OK;
}

static biq_err load_labels(biq_tx *tx, const char *key, biq_arena *arena, biq_project_data *out)
{
    PGresult *r = NULL;
    const char **all = NULL;
    biq_err err = rows(tx, LOAD_LABELS, key, sizeof *all, arena, &r, (void **)&all);
    for (int i = 0; err == BIQ_OK && i < PQntuples(r); i++) {
        all[i] = biq_arena_strndup(arena, PQgetvalue(r, i, 1), (size_t)PQgetlength(r, i, 1));
        biq_issue *is = biq_project_data_issue(out, num(r, i, 0));
        if (all[i] == NULL)
            err = BIQ_ERR_NOMEM;
        else if (is != NULL && is->labels == NULL)
            is->labels = &all[i];
        if (is != NULL)
            is->n_labels++;
    }
    PQclear(r);
    return err;
}

static biq_err load_flags(biq_tx *tx, const char *key, biq_arena *arena, biq_project_data *out)
{
    PGresult *r = NULL;
    biq_flag_change *all = NULL;
    biq_err err = rows(tx, LOAD_FLAGS, key, sizeof *all, arena, &r, (void **)&all);
    for (int i = 0; err == BIQ_OK && i < PQntuples(r); i++) {
        all[i] = (biq_flag_change){.history_id = num(r, i, 1),
                                   .item_index = (int32_t)num(r, i, 2),
                                   .at = num(r, i, 3),
                                   .flagged = strcmp(PQgetvalue(r, i, 4), "t") == 0};
        biq_issue *is = biq_project_data_issue(out, num(r, i, 0));
        if (is == NULL)
            continue;
        if (is->flag_changes == NULL)
            is->flag_changes = &all[i];
        is->n_flag_changes++;
    }
    PQclear(r);
    return err;
}

static biq_err load_links(biq_tx *tx, const char *key, biq_arena *arena, biq_project_data *out)
{
    PGresult *r = NULL;
    biq_block_link *all = NULL;
    biq_err err = rows(tx, LOAD_LINKS, key, sizeof *all, arena, &r, (void **)&all);
    for (int i = 0; err == BIQ_OK && i < PQntuples(r); i++) {
        all[i] = (biq_block_link){.blocker_id = num(r, i, 1),
                                  .linked_at = PQgetisnull(r, i, 2) ? BIQ_MS_NONE : num(r, i, 2)};
        biq_issue *is = biq_project_data_issue(out, num(r, i, 0));
        if (is == NULL)
            continue;
        if (is->blocked_by == NULL)
            is->blocked_by = &all[i];
        is->n_blocked_by++;
    }
    PQclear(r);
    return err;
}

/* A JSON array of ids (as the database wrote it) into the arena. */
static biq_err id_array(const char *text, biq_arena *arena, const int64_t **out, size_t *n)
{
    json_t *a = json_loads(text, 0, NULL);
    size_t len = json_array_size(a);
    int64_t *ids = biq_arena_calloc(arena, len ? len : 1, sizeof *ids);
    if (a == NULL || ids == NULL) {
        json_decref(a);
        return a == NULL ? BIQ_ERR_INTERNAL : BIQ_ERR_NOMEM;
    }
    for (size_t k = 0; k < len; k++)
        ids[k] = (int64_t)json_integer_value(json_array_get(a, k));
    json_decref(a);
    *out = ids;
    *n = len;
    return BIQ_OK;
}

static biq_err load_sprint_changes(biq_tx *tx, const char *key, biq_arena *arena,
                                   biq_project_data *out)
{
    PGresult *r = NULL;
    biq_sprint_change *all = NULL;
    biq_err err = rows(tx, LOAD_SPRINT_CHANGES, key, sizeof *all, arena, &r, (void **)&all);
    for (int i = 0; err == BIQ_OK && i < PQntuples(r); i++) {
        biq_sprint_change *sc = &all[i];
        sc->history_id = num(r, i, 1);
        sc->item_index = (int32_t)num(r, i, 2);
        sc->at = num(r, i, 3);
        if ((err = id_array(PQgetvalue(r, i, 4), arena, &sc->from_ids, &sc->n_from)) != BIQ_OK ||
            (err = id_array(PQgetvalue(r, i, 5), arena, &sc->to_ids, &sc->n_to)) != BIQ_OK)
            break;
        biq_issue *is = biq_project_data_issue(out, num(r, i, 0));
        if (is == NULL)
            continue;
        if (is->sprint_changes == NULL)
            is->sprint_changes = sc;
        is->n_sprint_changes++;
    }
    PQclear(r);
    return err;
}

/* The stored columns ([{"name","statuses","min","max"}], written by
 * store/ingest_extras.c) back into a board. */
static biq_err board_columns(const char *text, biq_arena *arena, biq_board *b)
{
    json_t *cols = json_loads(text, 0, NULL);
    size_t n = json_array_size(cols);
    biq_board_column *v = biq_arena_calloc(arena, n ? n : 1, sizeof *v);
    biq_err err = cols == NULL ? BIQ_ERR_INTERNAL : v == NULL ? BIQ_ERR_NOMEM : BIQ_OK;
    for (size_t i = 0; err == BIQ_OK && i < n; i++) {
        const json_t *c = json_array_get(cols, i), *st = json_object_get(c, "statuses");
        const char *name = json_string_value(json_object_get(c, "name"));
        size_t ns = json_array_size(st);
        int64_t *ids = biq_arena_calloc(arena, ns ? ns : 1, sizeof *ids);
        v[i].name = name ? biq_arena_strdup(arena, name) : NULL;
        if (ids == NULL || (name && v[i].name == NULL)) {
            err = BIQ_ERR_NOMEM;
            break;
        }
        for (size_t k = 0; k < ns; k++)
            ids[k] = (int64_t)json_integer_value(json_array_get(st, k));
        v[i].status_ids = ids;
        v[i].n_status_ids = ns;
        v[i].min = (int32_t)json_integer_value(json_object_get(c, "min"));
        v[i].max = (int32_t)json_integer_value(json_object_get(c, "max"));
    }
    json_decref(cols);
    b->columns = v;
    b->n_columns = err == BIQ_OK ? n : 0;
    return err;
}

static biq_err load_boards(biq_tx *tx, const char *key, biq_arena *arena, biq_project_data *out)
{
    PGresult *r = NULL;
    char limit[BIQ_LOAD_LIMIT_TEXT];
    snprintf(limit, sizeof limit, "%d", BIQ_LOAD_BOARDS_MAX + 1);
    const char *params[] = {biq_tx_tenant(tx), key, limit};
    biq_err err = biq_tx_exec(tx, LOAD_BOARDS, 3, params, &r);
    int n = err == BIQ_OK ? PQntuples(r) : 0;
    if (n > BIQ_LOAD_BOARDS_MAX)
        err = BIQ_ERR_LIMIT;
    biq_board *all = NULL;
    if (err == BIQ_OK && n > 0 && (all = biq_arena_calloc(arena, (size_t)n, sizeof *all)) == NULL)
        err = BIQ_ERR_NOMEM;
    for (int i = 0; err == BIQ_OK && i < n; i++) {
        biq_board *b = &all[i];
        b->id = num(r, i, 0);
        b->name = PQgetisnull(r, i, 1) ? NULL : biq_arena_strdup(arena, PQgetvalue(r, i, 1));
        if (!PQgetisnull(r, i, 1) && b->name == NULL)
            err = BIQ_ERR_NOMEM;
        else
            err = board_columns(PQgetvalue(r, i, 2), arena, b);
    }
    PQclear(r);
    out->boards = err == BIQ_OK ? all : NULL;
    out->n_boards = err == BIQ_OK ? (size_t)n : 0;
    return err;
}

biq_err biq_store_project_load_extras(biq_tx *tx, const char *project_key, biq_arena *arena,
                                      biq_project_data *out)
{
    biq_err err;
    if ((err = load_labels(tx, project_key, arena, out)) != BIQ_OK ||
        (err = load_flags(tx, project_key, arena, out)) != BIQ_OK ||
        (err = load_links(tx, project_key, arena, out)) != BIQ_OK ||
        (err = load_sprint_changes(tx, project_key, arena, out)) != BIQ_OK)
        return err;
    return load_boards(tx, project_key, arena, out);
}
