/* project_load.c - one project's rows back into model structs (see
 * project_load.h). Four queries, each streaming a whole table's share in
 * one round trip; rows are matched up by issue id in memory. */
#include "store/project_load.h"
#include "store/project_load_extras.h"

#include <stdlib.h>
#include <string.h>

/* Instants leave the database as integer milliseconds: exact, and no
 * time-zone text to parse. */
#define TS_MS(col) "(extract(epoch from " col ") * 1000)::bigint"

static const char LOAD_ISSUES[] =
    "SELECT issue_id, key, project_id, summary, status_id, issue_type, priority, assignee,"
    " " TS_MS("created_at") ", " TS_MS("updated_at") ", " TS_MS("resolution_at") ","
    " story_points, changelog_total, changelog_present, changelog_complete,"
    " resolution, is_subtask, parent_id, flagged"
    " FROM issues WHERE tenant_id = $1 AND project_key = $2 ORDER BY issue_id";

static const char LOAD_TRANSITIONS[] =
    "SELECT t.issue_id, t.history_id, t.item_index, " TS_MS("t.at") ","
    " coalesce(t.from_status, 0), t.to_status, t.from_name, t.to_name"
    " FROM status_transitions t JOIN issues i"
    "  ON i.tenant_id = t.tenant_id AND i.issue_id = t.issue_id"
    " WHERE t.tenant_id = $1 AND i.project_key = $2"
    " ORDER BY t.issue_id, t.at, t.history_id, t.item_index";

static const char LOAD_MEMBERSHIP[] =
    "SELECT s.issue_id, s.sprint_id FROM issue_sprints s JOIN issues i"
    "  ON i.tenant_id = s.tenant_id AND i.issue_id = s.issue_id"
    " WHERE s.tenant_id = $1 AND i.project_key = $2 ORDER BY s.issue_id, s.sprint_id";

static const char LOAD_STATUSES[] =
    "SELECT status_id, name, category FROM statuses WHERE tenant_id = $1 ORDER BY status_id";

static const char LOAD_SPRINTS[] =
    "SELECT DISTINCT sp.sprint_id, sp.name, sp.state, " TS_MS("sp.start_at") ","
    " " TS_MS("sp.end_at") ", " TS_MS("sp.complete_at") ", coalesce(sp.board_id, 0)"
    " FROM sprints sp JOIN issue_sprints s ON s.tenant_id = sp.tenant_id AND s.sprint_id = sp.sprint_id"
    " JOIN issues i ON i.tenant_id = s.tenant_id AND i.issue_id = s.issue_id"
    " WHERE sp.tenant_id = $1 AND i.project_key = $2 ORDER BY sp.sprint_id";

static const char LOAD_META[] =
    "SELECT (SELECT name FROM projects WHERE tenant_id = $1 AND key = $2"
    "        ORDER BY project_id DESC LIMIT 1),"
    " (SELECT version FROM data_versions WHERE tenant_id = $1 AND project_key = $2),"
    " (SELECT " TS_MS("last_sync_at") " FROM data_versions WHERE tenant_id = $1 AND project_key = $2)";

static int64_t num(PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static biq_ms ms_or_none(PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? BIQ_MS_NONE : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* A text column copied into the arena; NULL stays NULL. *failed on OOM. */
static const char *text(PGresult *r, int row, int col, biq_arena *arena, bool *failed)
{
    if (PQgetisnull(r, row, col))
        return NULL;
    const char *s = biq_arena_strndup(arena, PQgetvalue(r, row, col),
                                      (size_t)PQgetlength(r, row, col));
    *failed |= s == NULL;
    return s;
}

static biq_err query(biq_tx *tx, const char *sql, const char *key, PGresult **res)
{
    const char *params[] = {biq_tx_tenant(tx), key};
    return biq_tx_exec(tx, sql, key != NULL ? 2 : 1, params, res);
}

static biq_err load_issues(biq_tx *tx, const char *key, biq_arena *arena, biq_project_data *out)
{
    PGresult *r = NULL;
    bool failed = false;
    biq_err err = query(tx, LOAD_ISSUES, key, &r);
    if (err != BIQ_OK)
        goto out;
    size_t n = (size_t)PQntuples(r);
    if (n > BIQ_LOAD_ISSUES_MAX) {
        err = BIQ_ERR_LIMIT;
        goto out;
    }
    out->issues = biq_arena_calloc(arena, n, sizeof *out->issues);
    if (out->issues == NULL && n > 0) {
        err = BIQ_ERR_NOMEM;
        goto out;
    }
    for (int i = 0; i < (int)n; i++) {
        biq_issue *is = &out->issues[i];
        is->id = num(r, i, 0);
        is->key = text(r, i, 1, arena, &failed);
        is->project_id = num(r, i, 2);
        is->project_key = out->key;
        is->summary = text(r, i, 3, arena, &failed);
        is->status_id = num(r, i, 4);
        is->issue_type = text(r, i, 5, arena, &failed);
        is->priority = text(r, i, 6, arena, &failed);
        is->assignee = text(r, i, 7, arena, &failed);
        is->created = ms_or_none(r, i, 8);
        is->updated = ms_or_none(r, i, 9);
        is->resolution_at = ms_or_none(r, i, 10);
        is->has_story_points = !PQgetisnull(r, i, 11);
        is->story_points = is->has_story_points ? strtod(PQgetvalue(r, i, 11), NULL) : 0.0;
        is->changelog_total = (int32_t)num(r, i, 12);
        /* Completed from pages: present then means "all of them". */
        bool complete = strcmp(PQgetvalue(r, i, 14), "t") == 0;
        is->changelog_present = complete ? is->changelog_total : (int32_t)num(r, i, 13);
        is->resolution = text(r, i, 15, arena, &failed);
        is->is_subtask = strcmp(PQgetvalue(r, i, 16), "t") == 0;
        is->parent_id = num(r, i, 17);
        is->flagged = strcmp(PQgetvalue(r, i, 18), "t") == 0;
    }
    out->n_issues = n;
    err = failed ? BIQ_ERR_NOMEM : BIQ_OK;
out:
    PQclear(r);
    return err;
}

biq_issue *biq_project_data_issue(biq_project_data *d, int64_t id)
{
    size_t lo = 0, hi = d->n_issues;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->issues[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < d->n_issues && d->issues[lo].id == id ? &d->issues[lo] : NULL;
}

static biq_err load_transitions(biq_tx *tx, const char *key, biq_arena *arena,
                                biq_project_data *out)
{
    PGresult *r = NULL;
    bool failed = false;
    biq_err err = query(tx, LOAD_TRANSITIONS, key, &r);
    if (err != BIQ_OK)
        goto out;
    size_t n = (size_t)PQntuples(r);
    if (n > BIQ_LOAD_TRANSITIONS_MAX) {
        err = BIQ_ERR_LIMIT;
        goto out;
    }
    biq_transition *all = biq_arena_calloc(arena, n, sizeof *all);
    if (all == NULL && n > 0) {
        err = BIQ_ERR_NOMEM;
        goto out;
    }
    /* Rows come grouped by issue: each issue gets its run of the array. */
    for (int i = 0; i < (int)n; i++) {
        biq_transition *t = &all[i];
        t->history_id = num(r, i, 1);
        t->item_index = (int32_t)num(r, i, 2);
        t->at = num(r, i, 3);
        t->from_status = num(r, i, 4);
        t->to_status = num(r, i, 5);
        /* Names of statuses missing from the catalogue come from here. */
        t->from_name = text(r, i, 6, arena, &failed);
        t->to_name = text(r, i, 7, arena, &failed);
        biq_issue *is = biq_project_data_issue(out, num(r, i, 0));
        if (is == NULL)
            continue;
        if (is->transitions == NULL)
            is->transitions = t;
        is->n_transitions++;
    }
    err = failed ? BIQ_ERR_NOMEM : BIQ_OK;
out:
    PQclear(r);
    return err;
}

static biq_err load_membership(biq_tx *tx, const char *key, biq_arena *arena,
                               biq_project_data *out)
{
    PGresult *r = NULL;
    biq_err err = query(tx, LOAD_MEMBERSHIP, key, &r);
    if (err != BIQ_OK)
        goto out;
    size_t n = (size_t)PQntuples(r);
    int64_t *ids = biq_arena_calloc(arena, n, sizeof *ids);
    if (ids == NULL && n > 0) {
        err = BIQ_ERR_NOMEM;
        goto out;
    }
    for (int i = 0; i < (int)n; i++) {
        ids[i] = num(r, i, 1);
        biq_issue *is = biq_project_data_issue(out, num(r, i, 0));
        if (is == NULL)
            continue;
        if (is->sprint_ids == NULL)
            is->sprint_ids = &ids[i];
        is->n_sprint_ids++;
    }
out:
    PQclear(r);
    return err;
}

static biq_err load_statuses(biq_tx *tx, biq_arena *arena, biq_project_data *out)
{
    PGresult *r = NULL;
    bool failed = false;
    biq_err err = query(tx, LOAD_STATUSES, NULL, &r);
    if (err != BIQ_OK)
        goto out;
    size_t n = (size_t)PQntuples(r);
    out->statuses = biq_arena_calloc(arena, n, sizeof *out->statuses);
    if (out->statuses == NULL && n > 0) {
        err = BIQ_ERR_NOMEM;
        goto out;
    }
    for (int i = 0; i < (int)n; i++) {
        out->statuses[i].id = num(r, i, 0);
        out->statuses[i].name = text(r, i, 1, arena, &failed);
        out->statuses[i].category = biq_status_category_parse(PQgetvalue(r, i, 2));
    }
    out->n_statuses = n;
    err = failed ? BIQ_ERR_NOMEM : BIQ_OK;
out:
    PQclear(r);
    return err;
}

static biq_err load_sprints(biq_tx *tx, const char *key, biq_arena *arena, biq_project_data *out)
{
    PGresult *r = NULL;
    bool failed = false;
    biq_err err = query(tx, LOAD_SPRINTS, key, &r);
    if (err != BIQ_OK)
        goto out;
    size_t n = (size_t)PQntuples(r);
    out->sprints = biq_arena_calloc(arena, n, sizeof *out->sprints);
    if (out->sprints == NULL && n > 0) {
        err = BIQ_ERR_NOMEM;
        goto out;
    }
    for (int i = 0; i < (int)n; i++) {
        biq_sprint *s = &out->sprints[i];
        s->id = num(r, i, 0);
        s->name = text(r, i, 1, arena, &failed);
        s->state = text(r, i, 2, arena, &failed);
        s->start = ms_or_none(r, i, 3);
        s->end = ms_or_none(r, i, 4);
        s->complete = ms_or_none(r, i, 5);
        s->board_id = num(r, i, 6);
    }
    out->n_sprints = n;
    err = failed ? BIQ_ERR_NOMEM : BIQ_OK;
out:
    PQclear(r);
    return err;
}

static biq_err load_meta(biq_tx *tx, const char *key, biq_arena *arena, biq_project_data *out)
{
    PGresult *r = NULL;
    bool failed = false;
    biq_err err = query(tx, LOAD_META, key, &r);
    if (err == BIQ_OK) {
        out->name = text(r, 0, 0, arena, &failed);
        out->data_version = num(r, 0, 1);
        out->last_sync = ms_or_none(r, 0, 2);
        err = failed ? BIQ_ERR_NOMEM : BIQ_OK;
    }
    PQclear(r);
    return err;
}

biq_err biq_store_project_load(biq_tx *tx, const char *project_key, biq_arena *arena,
                               biq_project_data *out)
{
    biq_err err;
    memset(out, 0, sizeof *out);
    out->last_sync = BIQ_MS_NONE;
    out->key = biq_arena_strdup(arena, project_key);
    if (out->key == NULL)
        return BIQ_ERR_NOMEM;
    if ((err = load_meta(tx, project_key, arena, out)) != BIQ_OK)
        return err;
    if ((err = load_issues(tx, project_key, arena, out)) != BIQ_OK)
        return err;
    if ((err = load_transitions(tx, project_key, arena, out)) != BIQ_OK)
        return err;
    if ((err = load_membership(tx, project_key, arena, out)) != BIQ_OK)
        return err;
    if ((err = load_statuses(tx, arena, out)) != BIQ_OK)
        return err;
    if ((err = biq_store_project_load_extras(tx, project_key, arena, out)) != BIQ_OK)
        return err;
    return load_sprints(tx, project_key, arena, out);
}
