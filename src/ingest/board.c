/* board.c - board configurations (Jira Software's
 * GET /rest/agile/1.0/board/{boardId}/configuration) as biq_board: the
 * board's id and name and its columns left to right with their status ids
 * and constraints. Shared by POST /forge/boards/{projectKey} and
 * `biq analyze --board`. Nothing else of the body is read (filter, ranking,
 * estimation, location, links).
 */
#include <string.h>

#include "ingest/ingest_internal.h"

/* min/max: absent or null is "no constraint" (-1). */
static biq_err column_limit(biq_pctx *c, const json_t *col, const char *key, int32_t *out)
{
    const json_t *v = json_object_get(col, key);
    biq_err err = BIQ_OK;
    *out = -1;
    if (!v || json_is_null(v))
        return BIQ_OK;
    size_t saved = biq_pctx_key(c, key);
    if (!json_is_integer(v))
        err = biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected an integer");
    else if (json_integer_value(v) < 0 || json_integer_value(v) > BIQ_INGEST_COLUMN_LIMIT_MAX)
        err = biq_pctx_fail(c, BIQ_ERR_INVALID, "column constraint out of range");
    else
        *out = (int32_t)json_integer_value(v);
    biq_pctx_pop(c, saved);
    return err;
}

static biq_err column_statuses(biq_pctx *c, const json_t *col, biq_board_column *out)
{
    const json_t *arr = NULL;
    biq_err err = biq_member_array(c, col, "statuses", BIQ_INGEST_COLUMN_STATUSES_MAX, false, &arr);
    size_t n = json_array_size(arr);
    if (err != BIQ_OK || n == 0)
        return err;
    int64_t *ids = biq_arena_calloc(c->arena, n, sizeof *ids);
    if (!ids)
        return biq_pctx_fail(c, BIQ_ERR_NOMEM, "out of memory");
    size_t saved = biq_pctx_key(c, "statuses");
    for (size_t i = 0; i < n && err == BIQ_OK; i++) {
        const json_t *st = json_array_get(arr, i);
        size_t at = biq_pctx_index(c, i);
        if (!json_is_object(st))
            err = biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected an object");
        else
            err = biq_member_id(c, st, "id", true, &ids[i]);
        biq_pctx_pop(c, at);
    }
    biq_pctx_pop(c, saved);
    out->status_ids = ids;
    out->n_status_ids = n;
    return err;
}

static biq_err column(biq_pctx *c, const json_t *col, biq_board_column *out)
{
    biq_err err;
    if (!json_is_object(col))
        return biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected an object");
    if ((err = biq_member_text(c, col, "name", BIQ_INGEST_NAME_MAX, true, &out->name)) != BIQ_OK ||
        (err = column_statuses(c, col, out)) != BIQ_OK ||
        (err = column_limit(c, col, "min", &out->min)) != BIQ_OK)
        return err;
    return column_limit(c, col, "max", &out->max);
}

static biq_err board(biq_pctx *c, const json_t *v, biq_board *out)
{
    const json_t *config = NULL, *cols = NULL;
    biq_err err;
    memset(out, 0, sizeof *out);
    if (!json_is_object(v))
        return biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected a board configuration object");
    if ((err = biq_member_id(c, v, "id", true, &out->id)) != BIQ_OK ||
        (err = biq_member_text(c, v, "name", BIQ_INGEST_NAME_MAX, false, &out->name)) != BIQ_OK ||
        (err = biq_member_object(c, v, "columnConfig", true, &config)) != BIQ_OK)
        return err;
    size_t saved = biq_pctx_key(c, "columnConfig");
    err = biq_member_array(c, config, "columns", BIQ_INGEST_BOARD_COLUMNS_MAX, true, &cols);
    size_t n = json_array_size(cols);
    biq_board_column *v_cols = err == BIQ_OK ? biq_arena_calloc(c->arena, n ? n : 1, sizeof *v_cols)
                                             : NULL;
    if (err == BIQ_OK && !v_cols)
        err = biq_pctx_fail(c, BIQ_ERR_NOMEM, "out of memory");
    if (err == BIQ_OK) {
        size_t at = biq_pctx_key(c, "columns");
        for (size_t i = 0; i < n && err == BIQ_OK; i++) {
            size_t idx = biq_pctx_index(c, i);
            err = column(c, json_array_get(cols, i), &v_cols[i]);
            biq_pctx_pop(c, idx);
        }
        biq_pctx_pop(c, at);
    }
    biq_pctx_pop(c, saved);
    if (err == BIQ_OK) {
        out->columns = v_cols;
        out->n_columns = n;
    }
    return err;
}

biq_err biq_parse_board(const json_t *root, biq_arena *arena, biq_board *out,
                        biq_parse_error *perr)
{
    biq_pctx c;
    biq_pctx_init(&c, arena, NULL, perr);
    biq_err err = board(&c, root, out);
    if (err != BIQ_OK)
        memset(out, 0, sizeof *out);
    return err;
}

static biq_err board_list(biq_pctx *c, const json_t *root, const biq_board **out, size_t *n_out)
{
    const json_t *arr = NULL;
    biq_err err;
    if (!json_is_object(root))
        return biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected an object with boards[]");
    if ((err = biq_member_array(c, root, "boards", BIQ_INGEST_BOARDS_MAX, true, &arr)) != BIQ_OK)
        return err;
    size_t n = json_array_size(arr);
    biq_board *v = biq_arena_calloc(c->arena, n ? n : 1, sizeof *v);
    if (!v)
        return biq_pctx_fail(c, BIQ_ERR_NOMEM, "out of memory");
    size_t saved = biq_pctx_key(c, "boards");
    for (size_t i = 0; i < n && err == BIQ_OK; i++) {
        size_t at = biq_pctx_index(c, i);
        err = board(c, json_array_get(arr, i), &v[i]);
        for (size_t k = 0; k < i && err == BIQ_OK; k++)
            if (v[k].id == v[i].id)
                err = biq_pctx_fail(c, BIQ_ERR_INVALID, "a board id appears twice");
        biq_pctx_pop(c, at);
    }
    biq_pctx_pop(c, saved);
    *out = v;
    *n_out = n;
    return err;
}

biq_err biq_parse_boards(const json_t *root, biq_arena *arena, const biq_board **out,
                         size_t *n_out, biq_parse_error *perr)
{
    biq_pctx c;
    biq_pctx_init(&c, arena, NULL, perr);
    *out = NULL;
    *n_out = 0;
    biq_err err = board_list(&c, root, out, n_out);
    if (err != BIQ_OK) {
        *out = NULL;
        *n_out = 0;
    }
    return err;
}
