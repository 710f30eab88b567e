/* catalog.c - status catalogues, sprint pages and project lists: the
 * reference data a backfill page, the catalog route and sprint events carry.
 */
#include <string.h>

#include "ingest/ingest_internal.h"

/* Appends s unless a status with its id is already there. */
static void status_add(biq_status *v, size_t *n, const biq_status *s)
{
    for (size_t i = 0; i < *n; i++)
        if (v[i].id == s->id)
            return;
    v[(*n)++] = *s;
}

/* One element of a catalogue: a status, or a project-statuses group
 * {name: issue type, statuses: [...]}. *seen counts entries, duplicates
 * included, so that groups cannot multiply the work past the limit. */
static biq_err status_element(biq_pctx *c, const json_t *el, biq_status *v, size_t *n,
                              size_t *seen)
{
    const json_t *group = json_object_get(el, "statuses");
    biq_status s = {0};
    biq_err err = BIQ_OK;
    if (!group) {
        if (++*seen > BIQ_INGEST_CATALOG_MAX)
            return biq_pctx_fail(c, BIQ_ERR_TOO_LARGE, "too many statuses");
        if ((err = biq_ingest_status(c, el, &s)) == BIQ_OK)
            status_add(v, n, &s);
        return err;
    }
    if ((err = biq_member_array(c, el, "statuses", BIQ_INGEST_CATALOG_MAX, true, &group)) != BIQ_OK)
        return err;
    size_t saved = biq_pctx_key(c, "statuses");
    for (size_t i = 0; i < json_array_size(group) && err == BIQ_OK; i++) {
        size_t at = biq_pctx_index(c, i);
        if (++*seen > BIQ_INGEST_CATALOG_MAX)
            err = biq_pctx_fail(c, BIQ_ERR_TOO_LARGE, "too many statuses");
        else if ((err = biq_ingest_status(c, json_array_get(group, i), &s)) == BIQ_OK)
            status_add(v, n, &s);
        biq_pctx_pop(c, at);
    }
    biq_pctx_pop(c, saved);
    return err;
}

/* Entries in a catalogue, groups expanded, at most one past the limit. */
static size_t status_entries(const json_t *values)
{
    size_t n = 0;
    for (size_t i = 0; i < json_array_size(values) && n <= BIQ_INGEST_CATALOG_MAX; i++) {
        const json_t *group = json_object_get(json_array_get(values, i), "statuses");
        n += json_is_array(group) ? json_array_size(group) : 1;
    }
    return n;
}

biq_err biq_ingest_status_list(biq_pctx *c, const json_t *root, const biq_status **out,
                               size_t *n_out)
{
    const json_t *values;
    size_t n = 0, seen = 0;
    biq_err err;
    if ((err = biq_catalog_values(c, root, &values)) != BIQ_OK)
        return err;
    size_t saved = json_is_array(root) ? c->path_len : biq_pctx_key(c, "values");
    size_t cap = status_entries(values);
    if (cap > BIQ_INGEST_CATALOG_MAX)
        cap = BIQ_INGEST_CATALOG_MAX;
    biq_status *v = biq_arena_calloc(c->arena, cap ? cap : 1, sizeof *v);
    if (!v)
        err = biq_pctx_fail(c, BIQ_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < json_array_size(values) && err == BIQ_OK; i++) {
        size_t at = biq_pctx_index(c, i);
        const json_t *el = json_array_get(values, i);
        if (!json_is_object(el))
            err = biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected an object");
        else
            err = status_element(c, el, v, &n, &seen);
        biq_pctx_pop(c, at);
    }
    biq_pctx_pop(c, saved);
    *out = v;
    *n_out = n;
    return err;
}

biq_err biq_ingest_sprint(biq_pctx *c, const json_t *v, biq_sprint *out)
{
    biq_err err;
    memset(out, 0, sizeof *out);
    if (!json_is_object(v))
        return biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected an object");
    if ((err = biq_member_id(c, v, "id", true, &out->id)) != BIQ_OK ||
        (err = biq_member_text(c, v, "name", BIQ_INGEST_NAME_MAX, false, &out->name)) != BIQ_OK ||
        (err = biq_member_string(c, v, "state", BIQ_INGEST_NAME_MAX, false, &out->state)) != BIQ_OK ||
        (err = biq_member_planned_instant(c, v, "startDate", &out->start)) != BIQ_OK ||
        (err = biq_member_planned_instant(c, v, "endDate", &out->end)) != BIQ_OK ||
        (err = biq_member_instant(c, v, "completeDate", false, &out->complete)) != BIQ_OK ||
        (err = biq_member_id(c, v, "originBoardId", false, &out->board_id)) != BIQ_OK)
        return err;
    /* The sprint field inside an issue says boardId instead. */
    if (out->board_id == 0)
        err = biq_member_id(c, v, "boardId", false, &out->board_id);
    return err;
}

/* Parses one element of a catalogue list into the slot at elem. */
typedef biq_err (*element_fn)(biq_pctx *c, const json_t *v, void *elem);

/* The list walk shared by sprints and projects: {values: [...]} or a bare
 * array, each element parsed into an arena array of elem_size slots with
 * its index on the error path. */
static biq_err walk_values(biq_pctx *c, const json_t *root, size_t elem_size, element_fn one,
                           void **out, size_t *n_out)
{
    const json_t *values;
    biq_err err;
    if ((err = biq_catalog_values(c, root, &values)) != BIQ_OK)
        return err;
    size_t saved = json_is_array(root) ? c->path_len : biq_pctx_key(c, "values");
    size_t n = json_array_size(values);
    unsigned char *v = biq_arena_calloc(c->arena, n ? n : 1, elem_size);
    if (!v)
        err = biq_pctx_fail(c, BIQ_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n && err == BIQ_OK; i++) {
        size_t at = biq_pctx_index(c, i);
        err = one(c, json_array_get(values, i), v + i * elem_size);
        biq_pctx_pop(c, at);
    }
    biq_pctx_pop(c, saved);
    *out = v;
    *n_out = n;
    return err;
}

static biq_err sprint_element(biq_pctx *c, const json_t *v, void *elem)
{
    return biq_ingest_sprint(c, v, elem);
}

biq_err biq_ingest_sprint_list(biq_pctx *c, const json_t *root, const biq_sprint **out,
                               size_t *n_out)
{
    void *list = NULL;
    biq_err err = walk_values(c, root, sizeof(biq_sprint), sprint_element, &list, n_out);
    *out = list;
    return err;
}

static biq_err project(biq_pctx *c, const json_t *v, biq_project *out)
{
    biq_err err;
    if (!json_is_object(v))
        return biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected an object");
    if ((err = biq_member_id(c, v, "id", true, &out->id)) != BIQ_OK ||
        (err = biq_member_project_key(c, v, "key", true, &out->key)) != BIQ_OK)
        return err;
    return biq_member_text(c, v, "name", BIQ_INGEST_NAME_MAX, false, &out->name);
}

/* Runs a list parser and, on failure, leaves the caller nothing. */
#define FINISH(err, out, n_out)      \
    do {                             \
        if ((err) != BIQ_OK) {       \
            *(out) = NULL;           \
            *(n_out) = 0;            \
        }                            \
    } while (0)

biq_err biq_parse_statuses(const json_t *root, biq_arena *arena, const biq_status **out,
                           size_t *n_out, biq_parse_error *perr)
{
    biq_pctx c;
    biq_pctx_init(&c, arena, NULL, perr);
    *out = NULL;
    *n_out = 0;
    biq_err err = biq_ingest_status_list(&c, root, out, n_out);
    FINISH(err, out, n_out);
    return err;
}

biq_err biq_parse_sprints(const json_t *root, biq_arena *arena, const biq_sprint **out,
                          size_t *n_out, biq_parse_error *perr)
{
    return biq_parse_sprints_at(root, NULL, arena, out, n_out, perr);
}

biq_err biq_parse_sprints_at(const json_t *root, const biq_ms *now, biq_arena *arena,
                             const biq_sprint **out, size_t *n_out, biq_parse_error *perr)
{
    biq_pctx c;
    biq_field_ids clock = {NULL, NULL, now, NULL};
    biq_pctx_init(&c, arena, &clock, perr);
    *out = NULL;
    *n_out = 0;
    biq_err err = biq_ingest_sprint_list(&c, root, out, n_out);
    FINISH(err, out, n_out);
    return err;
}

static biq_err project_element(biq_pctx *c, const json_t *v, void *elem)
{
    return project(c, v, elem);
}

static biq_err project_list(biq_pctx *c, const json_t *root, const biq_project **out,
                           size_t *n_out)
{
    void *list = NULL;
    biq_err err = walk_values(c, root, sizeof(biq_project), project_element, &list, n_out);
    *out = list;
    return err;
}

biq_err biq_parse_projects(const json_t *root, biq_arena *arena, const biq_project **out,
                           size_t *n_out, biq_parse_error *perr)
{
    biq_pctx c;
    biq_pctx_init(&c, arena, NULL, perr);
    *out = NULL;
    *n_out = 0;
    biq_err err = project_list(&c, root, out, n_out);
    FINISH(err, out, n_out);
    return err;
}
