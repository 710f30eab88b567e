/* issue.c - the one issue parser and the one changelog-history parser, shared
 * by events, search pages and changelog pages.
 *
 * Data minimisation lives here: the parser reads the members security.md §3
 * lists, by name, and copies them into the arena; nothing else of the input
 * (descriptions, comments, attachments, worklogs, avatars, e-mail addresses,
 * other custom fields) is read, so none of it can reach a result.
 */
#include <math.h>
#include <string.h>

#include "ingest/ingest_internal.h"

#define TVEC_FIRST_CAP 16
#define GREENHOPPER_ID "[id="

static biq_err tvec_push(biq_pctx *c, biq_tvec *tv, const biq_transition *t)
{
    if (tv->n == tv->cap) {
        size_t cap = tv->cap ? tv->cap * 2 : TVEC_FIRST_CAP;
        biq_transition *v = biq_arena_realloc(c->arena, tv->v, tv->n * sizeof *v, cap * sizeof *v);
        if (!v)
            return biq_pctx_fail(c, BIQ_ERR_NOMEM, "out of memory");
        tv->v = v;
        tv->cap = cap;
    }
    tv->v[tv->n++] = *t;
    return BIQ_OK;
}

/* fieldId wins when present because `field` is a display name that a site
 * can localise; older payloads have only `field`. */
static biq_err item_is_status(biq_pctx *c, const json_t *item, bool *yes)
{
    const json_t *field_id = json_object_get(item, "fieldId");
    const json_t *field = json_object_get(item, "field");
    const json_t *which = field_id && !json_is_null(field_id) ? field_id : field;
    size_t saved = biq_pctx_key(c, which == field_id ? "fieldId" : "field");
    biq_err err = BIQ_OK;
    *yes = false;
    if (which && !json_is_null(which) && !json_is_string(which))
        err = biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected a string");
    else if (which && json_is_string(which))
        *yes = json_string_length(which) == strlen("status") &&
               memcmp(json_string_value(which), "status", strlen("status")) == 0;
    biq_pctx_pop(c, saved);
    return err;
}

static biq_err status_item(biq_pctx *c, const json_t *item, biq_transition *t)
{
    biq_err err;
    if ((err = biq_member_id(c, item, "from", false, &t->from_status)) != BIQ_OK ||
        (err = biq_member_id(c, item, "to", false, &t->to_status)) != BIQ_OK ||
        (err = biq_member_text(c, item, "fromString", BIQ_INGEST_NAME_MAX, false,
                                 &t->from_name)) != BIQ_OK)
        return err;
    return biq_member_text(c, item, "toString", BIQ_INGEST_NAME_MAX, false, &t->to_name);
}

static biq_err history_items(biq_pctx *c, const json_t *items, biq_transition *proto,
                             biq_tvec *tv)
{
    biq_err err = BIQ_OK;
    for (size_t i = 0; i < json_array_size(items) && err == BIQ_OK; i++) {
        const json_t *item = json_array_get(items, i);
        size_t saved = biq_pctx_index(c, i);
        bool is_status = false;
        biq_transition t = *proto;
        t.item_index = (int32_t)i;
        if (!json_is_object(item))
            err = biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected an object");
        else if ((err = item_is_status(c, item, &is_status)) == BIQ_OK && is_status &&
                 (err = status_item(c, item, &t)) == BIQ_OK)
            err = tvec_push(c, tv, &t);
        else if (err == BIQ_OK && !is_status)
            err = biq_ingest_extra_item(c, item, proto, (int32_t)i, tv);
        biq_pctx_pop(c, saved);
    }
    return err;
}

biq_err biq_ingest_history(biq_pctx *c, const json_t *v, biq_ms fallback_at, biq_tvec *tv)
{
    biq_transition proto = {0};
    const json_t *items;
    biq_err err;
    if (!json_is_object(v))
        return biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected an object");
    if ((err = biq_member_id(c, v, "id", true, &proto.history_id)) != BIQ_OK ||
        (err = biq_member_instant(c, v, "created", fallback_at == BIQ_MS_NONE, &proto.at)) !=
            BIQ_OK ||
        (err = biq_member_array(c, v, "items", BIQ_INGEST_ITEMS_MAX, true, &items)) != BIQ_OK)
        return err;
    if (proto.at == BIQ_MS_NONE)
        proto.at = fallback_at;
    size_t saved = biq_pctx_key(c, "items");
    err = history_items(c, items, &proto, tv);
    biq_pctx_pop(c, saved);
    return err;
}

biq_err biq_ingest_histories(biq_pctx *c, const json_t *arr, biq_tvec *tv)
{
    biq_err err = BIQ_OK;
    for (size_t i = 0; i < json_array_size(arr) && err == BIQ_OK; i++) {
        size_t saved = biq_pctx_index(c, i);
        err = biq_ingest_history(c, json_array_get(arr, i), BIQ_MS_NONE, tv);
        biq_pctx_pop(c, saved);
    }
    return err;
}

/* Reads {id, name, statusCategory.key}: the catalogue entry and an issue's
 * fields.status have the same shape. */
biq_err biq_ingest_status(biq_pctx *c, const json_t *v, biq_status *out)
{
    const char *cat = NULL;
    biq_err err;
    if (!json_is_object(v))
        return biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected an object");
    if ((err = biq_member_id(c, v, "id", true, &out->id)) != BIQ_OK ||
        (err = biq_member_text(c, v, "name", BIQ_INGEST_NAME_MAX, false, &out->name)) != BIQ_OK ||
        (err = biq_member_name(c, v, "statusCategory", "key", &cat)) != BIQ_OK)
        return err;
    out->category = biq_status_category_parse(cat);
    return BIQ_OK;
}


static biq_err story_points(biq_pctx *c, const json_t *fields, biq_issue *out)
{
    const char *key = c->fields->story_points;
    const json_t *v = key ? json_object_get(fields, key) : NULL;
    if (!v || json_is_null(v))
        return BIQ_OK;
    size_t saved = biq_pctx_key(c, key);
    biq_err err = BIQ_OK;
    double x = json_number_value(v);
    if (!json_is_number(v))
        err = biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected a number of story points");
    else if (!isfinite(x) || x < 0 || x > BIQ_INGEST_STORY_POINTS_MAX)
        err = biq_pctx_fail(c, BIQ_ERR_INVALID, "story points out of range");
    else {
        out->story_points = x;
        out->has_story_points = true;
    }
    biq_pctx_pop(c, saved);
    return err;
}

/* Server and older Cloud sites send each sprint as
 * "com.atlassian.greenhopper.service.sprint.Sprint@1a2b[id=12,rapidViewId=...]". */
static biq_err greenhopper_sprint_id(biq_pctx *c, const json_t *v, int64_t *out)
{
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    const char *end = s + len;
    const char *at = strstr(s, GREENHOPPER_ID);
    if (!at || at >= end)
        return biq_pctx_fail(c, BIQ_ERR_INVALID, "sprint string without [id=");
    const char *digits = at + strlen(GREENHOPPER_ID);
    size_t n = 0;
    while (digits + n < end && digits[n] >= '0' && digits[n] <= '9')
        n++;
    json_t *id = json_stringn(digits, n);
    if (!id)
        return biq_pctx_fail(c, BIQ_ERR_NOMEM, "out of memory");
    biq_err err = biq_read_id(c, id, out);
    json_decref(id);
    return err;
}

static biq_err sprint_member_id(biq_pctx *c, const json_t *v, int64_t *out)
{
    if (json_is_object(v))
        return biq_member_id(c, v, "id", true, out);
    if (json_is_string(v))
        return greenhopper_sprint_id(c, v, out);
    return biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected a sprint object or string");
}

/* Absent member: membership unknown (sprint_ids stays NULL); null or []: in
 * no sprint. */
static biq_err sprint_ids(biq_pctx *c, const json_t *fields, biq_issue *out)
{
    const char *key = c->fields->sprint;
    const json_t *arr = NULL;
    biq_err err;
    if (!key || !json_object_get(fields, key))
        return BIQ_OK;
    if ((err = biq_member_array(c, fields, key, BIQ_INGEST_SPRINT_IDS_MAX, false, &arr)) != BIQ_OK)
        return err;
    size_t n = json_array_size(arr);
    int64_t *ids = biq_arena_calloc(c->arena, n ? n : 1, sizeof *ids);
    if (!ids)
        return biq_pctx_fail(c, BIQ_ERR_NOMEM, "out of memory");
    size_t saved = biq_pctx_key(c, key);
    for (size_t i = 0; i < n && err == BIQ_OK; i++) {
        size_t at = biq_pctx_index(c, i);
        err = sprint_member_id(c, json_array_get(arr, i), &ids[i]);
        biq_pctx_pop(c, at);
    }
    biq_pctx_pop(c, saved);
    out->sprint_ids = ids;
    out->n_sprint_ids = n;
    return err;
}

static biq_err issue_changelog(biq_pctx *c, const json_t *issue, biq_issue *out)
{
    const json_t *log, *histories;
    int64_t total;
    biq_tvec tv = {0};
    biq_err err;
    out->changelog_total = -1;
    if ((err = biq_member_object(c, issue, "changelog", false, &log)) != BIQ_OK || !log)
        return err;
    size_t saved = biq_pctx_key(c, "changelog");
    if ((err = biq_member_count(c, log, "total", &total)) == BIQ_OK &&
        (err = biq_member_array(c, log, "histories", BIQ_INGEST_HISTORIES_MAX, false,
                                &histories)) == BIQ_OK) {
        size_t at = biq_pctx_key(c, "histories");
        err = biq_ingest_histories(c, histories, &tv);
        biq_pctx_pop(c, at);
    }
    biq_pctx_pop(c, saved);
    if (err != BIQ_OK)
        return err;
    /* Jira's totals are small; anything past int32 is clamped, not wrapped. */
    out->changelog_total = total > INT32_MAX ? INT32_MAX : (int32_t)total;
    out->changelog_present = (int32_t)json_array_size(histories);
    biq_tvec_to_issue(c, &tv, out);
    return BIQ_OK;
}

static biq_err issue_project(biq_pctx *c, const json_t *fields, biq_issue *out)
{
    const json_t *project;
    biq_err err;
    if ((err = biq_member_object(c, fields, "project", false, &project)) != BIQ_OK || !project)
        return err;
    size_t saved = biq_pctx_key(c, "project");
    if ((err = biq_member_id(c, project, "id", false, &out->project_id)) == BIQ_OK)
        err = biq_member_project_key(c, project, "key", false, &out->project_key);
    biq_pctx_pop(c, saved);
    return err;
}

static biq_err issue_status(biq_pctx *c, const json_t *fields, biq_issue *out)
{
    const json_t *v;
    biq_status st = {0};
    biq_err err;
    if ((err = biq_member_object(c, fields, "status", true, &v)) != BIQ_OK)
        return err;
    size_t saved = biq_pctx_key(c, "status");
    err = biq_ingest_status(c, v, &st);
    biq_pctx_pop(c, saved);
    out->status_id = st.id;
    out->status_name = st.name;
    out->status_category = st.category;
    return err;
}

/* Everything of fields but the project, which even restricted issues keep. */
static biq_err issue_fields(biq_pctx *c, const json_t *fields, biq_issue_need need,
                            biq_issue *out)
{
    biq_err err;
    if ((err = biq_member_text(c, fields, "summary", BIQ_INGEST_SUMMARY_MAX, false,
                                 &out->summary)) != BIQ_OK ||
        (err = issue_status(c, fields, out)) != BIQ_OK ||
        (err = biq_member_name(c, fields, "issuetype", "name", &out->issue_type)) != BIQ_OK ||
        (err = biq_member_name(c, fields, "priority", "name", &out->priority)) != BIQ_OK ||
        (err = biq_member_name(c, fields, "assignee", "displayName", &out->assignee)) != BIQ_OK ||
        (err = biq_member_instant(c, fields, "created", need == BIQ_ISSUE_FULL, &out->created)) != BIQ_OK ||
        (err = biq_member_instant(c, fields, "updated", false, &out->updated)) != BIQ_OK ||
        (err = biq_member_instant(c, fields, "resolutiondate", false, &out->resolution_at)) !=
            BIQ_OK ||
        (err = story_points(c, fields, out)) != BIQ_OK ||
        (err = sprint_ids(c, fields, out)) != BIQ_OK)
        return err;
    return biq_ingest_issue_extras(c, fields, out);
}

static void issue_init(biq_issue *out)
{
    memset(out, 0, sizeof *out);
    out->created = BIQ_MS_NONE;
    out->updated = BIQ_MS_NONE;
    out->resolution_at = BIQ_MS_NONE;
    out->changelog_total = -1;
}

/* Jira sends the level as an object (REST) or its id (webhooks): any
 * non-null value marks the issue restricted. */
static bool has_security(const json_t *fields)
{
    const json_t *v = json_object_get(fields, "security");
    return v && !json_is_null(v);
}

biq_err biq_ingest_issue(biq_pctx *c, const json_t *v, biq_issue_need need, biq_issue *out)
{
    const json_t *fields = NULL;
    biq_err err;
    issue_init(out);
    c->block_keys = NULL;
    if (!json_is_object(v))
        return biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected an object");
    if ((err = biq_member_id(c, v, "id", true, &out->id)) != BIQ_OK ||
        (err = biq_member_issue_key(c, v, "key", true, &out->key)) != BIQ_OK ||
        (err = biq_member_object(c, v, "fields", need != BIQ_ISSUE_IDENTITY, &fields)) != BIQ_OK)
        return err;
    if (!fields)
        return BIQ_OK;
    size_t saved = biq_pctx_key(c, "fields");
    out->has_security_level = has_security(fields);
    err = issue_project(c, fields, out);
    /* A restricted issue keeps its `updated` too: it orders the restriction
     * against the issue's other states (store/ingest.h). */
    if (err == BIQ_OK && out->has_security_level)
        err = biq_member_instant(c, fields, "updated", false, &out->updated);
    if (err == BIQ_OK && need != BIQ_ISSUE_IDENTITY && !out->has_security_level)
        err = issue_fields(c, fields, need, out);
    biq_pctx_pop(c, saved);
    if (err == BIQ_OK && need != BIQ_ISSUE_IDENTITY && !out->has_security_level)
        err = issue_changelog(c, v, out);
    return err;
}
