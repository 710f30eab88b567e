/* page.c - issue-search pages (old /search, new /search/jql, bare arrays,
 * backfill pages with statuses[] and sprints[]) and per-issue changelog pages.
 */
#include <string.h>

#include "ingest/ingest_internal.h"

static biq_err issue_list(biq_pctx *c, const json_t *arr, biq_issue_page *out)
{
    size_t n = json_array_size(arr);
    biq_err err = BIQ_OK;
    biq_issue *v = biq_arena_calloc(c->arena, n ? n : 1, sizeof *v);
    if (!v)
        return biq_pctx_fail(c, BIQ_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n && err == BIQ_OK; i++) {
        size_t at = biq_pctx_index(c, i);
        err = biq_ingest_issue(c, json_array_get(arr, i), BIQ_ISSUE_FULL, &v[i]);
        biq_pctx_pop(c, at);
    }
    out->issues = v;
    out->n_issues = n;
    return err;
}

/* statuses[] and sprints[] of a backfill page, each optional. */
static biq_err page_catalogs(biq_pctx *c, const json_t *root, biq_issue_page *out)
{
    const json_t *v;
    biq_err err;
    if ((err = biq_member_array(c, root, "statuses", BIQ_INGEST_CATALOG_MAX, false, &v)) != BIQ_OK)
        return err;
    if (v) {
        size_t saved = biq_pctx_key(c, "statuses");
        err = biq_ingest_status_list(c, v, &out->statuses, &out->n_statuses);
        biq_pctx_pop(c, saved);
        if (err != BIQ_OK)
            return err;
    }
    if ((err = biq_member_array(c, root, "sprints", BIQ_INGEST_CATALOG_MAX, false, &v)) != BIQ_OK ||
        !v)
        return err;
    size_t saved = biq_pctx_key(c, "sprints");
    err = biq_ingest_sprint_list(c, v, &out->sprints, &out->n_sprints);
    biq_pctx_pop(c, saved);
    return err;
}

static biq_err page_object(biq_pctx *c, const json_t *root, biq_issue_page *out)
{
    const json_t *issues;
    biq_err err;
    if ((err = biq_member_count(c, root, "startAt", &out->start_at)) != BIQ_OK ||
        (err = biq_member_count(c, root, "maxResults", &out->max_results)) != BIQ_OK ||
        (err = biq_member_count(c, root, "total", &out->total)) != BIQ_OK ||
        (err = biq_member_string(c, root, "nextPageToken", BIQ_INGEST_TOKEN_MAX, false,
                                 &out->next_page_token)) != BIQ_OK ||
        (err = biq_member_bool(c, root, "isLast", &out->has_is_last, &out->is_last)) != BIQ_OK ||
        (err = biq_member_array(c, root, "issues", BIQ_INGEST_ISSUES_MAX, true, &issues)) !=
            BIQ_OK ||
        (err = page_catalogs(c, root, out)) != BIQ_OK)
        return err;
    /* Name-only Sprint items resolve against the page's own sprints. */
    c->known_sprints = out->sprints;
    c->n_known_sprints = out->n_sprints;
    size_t saved = biq_pctx_key(c, "issues");
    err = issue_list(c, issues, out);
    biq_pctx_pop(c, saved);
    return err;
}

static void page_init(biq_issue_page *out)
{
    memset(out, 0, sizeof *out);
    out->start_at = -1;
    out->max_results = -1;
    out->total = -1;
}

biq_err biq_parse_issue_page(const json_t *root, const biq_field_ids *fields, biq_arena *arena,
                             biq_issue_page *out, biq_parse_error *perr)
{
    biq_pctx c;
    biq_err err;
    biq_pctx_init(&c, arena, fields, perr);
    page_init(out);
    if (json_is_array(root) && json_array_size(root) > BIQ_INGEST_ISSUES_MAX)
        err = biq_pctx_fail(&c, BIQ_ERR_TOO_LARGE, "too many issues");
    else if (json_is_array(root))
        err = issue_list(&c, root, out);
    else if (json_is_object(root))
        err = page_object(&c, root, out);
    else
        err = biq_pctx_fail(&c, BIQ_ERR_SHAPE, "expected an issue page or an array of issues");
    if (err != BIQ_OK)
        page_init(out);
    else
        out->sprint_items_unreadable = c.sprint_unreadable;
    return err;
}

static biq_err changelog_object(biq_pctx *c, const json_t *root, biq_changelog_page *out)
{
    const json_t *values;
    biq_tvec tv = {0};
    biq_err err;
    if (!json_is_object(root))
        return biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected a changelog page object");
    if ((err = biq_member_count(c, root, "startAt", &out->start_at)) != BIQ_OK ||
        (err = biq_member_count(c, root, "maxResults", &out->max_results)) != BIQ_OK ||
        (err = biq_member_count(c, root, "total", &out->total)) != BIQ_OK ||
        (err = biq_member_bool(c, root, "isLast", &out->has_is_last, &out->is_last)) != BIQ_OK ||
        (err = biq_member_array(c, root, "values", BIQ_INGEST_HISTORIES_MAX, true, &values)) !=
            BIQ_OK)
        return err;
    size_t saved = biq_pctx_key(c, "values");
    err = biq_ingest_histories(c, values, &tv);
    biq_pctx_pop(c, saved);
    out->transitions = tv.v;
    out->n_transitions = tv.n;
    out->flag_changes = tv.flags;
    out->n_flag_changes = tv.n_flags;
    out->sprint_changes = tv.sprints;
    out->n_sprint_changes = tv.n_sprints;
    out->sprint_items_unreadable = c->sprint_unreadable;
    out->n_histories = (int32_t)json_array_size(values);
    return err;
}

static void changelog_init(biq_changelog_page *out)
{
    memset(out, 0, sizeof *out);
    out->start_at = -1;
    out->max_results = -1;
    out->total = -1;
}

biq_err biq_parse_changelog_page(const json_t *root, biq_arena *arena, biq_changelog_page *out,
                                 biq_parse_error *perr)
{
    return biq_parse_changelog_page_at(root, NULL, arena, out, perr);
}

biq_err biq_parse_changelog_page_at(const json_t *root, const biq_ms *now, biq_arena *arena,
                                    biq_changelog_page *out, biq_parse_error *perr)
{
    biq_field_ids clock = {NULL, NULL, now, NULL};
    return biq_parse_changelog_page_with(root, &clock, arena, out, perr);
}

biq_err biq_parse_changelog_page_with(const json_t *root, const biq_field_ids *fields,
                                      biq_arena *arena, biq_changelog_page *out,
                                      biq_parse_error *perr)
{
    biq_pctx c;
    biq_pctx_init(&c, arena, fields, perr);
    changelog_init(out);
    biq_err err = changelog_object(&c, root, out);
    if (err != BIQ_OK)
        changelog_init(out);
    return err;
}
