/* gen_json.c - the Jira wire JSON of the synthetic data: search pages,
 * issues with embedded changelogs (newest history first, as Jira embeds
 * them), changelog pages (oldest first, as the changelog endpoint pages),
 * the status catalogue and the agile sprint page. Shapes follow
 * shared/realdata/devlake-merico. Pure: builds jansson values only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/gen.h"
#include "gen/gen_internal.h"

enum {
    GEN_ID_MAX = 64,    /* a decimal int64 and a short suffix */
    GEN_URL_MAX = 256,
    GEN_LIST_MAX = 1024, /* "12, 13, ..." and "PAY Sprint 3, ..." for every sprint */
    GEN_TEXT_MAX = 160,
};

#define GEN_EXPAND "operations,versionedRepresentations,editmeta,changelog,renderedFields"

/* Sets o[k] = v (stealing v); any failure, a NULL v included, clears *ok. */
static void put(json_t *o, const char *k, json_t *v, bool *ok)
{
    if (json_object_set_new(o, k, v) != 0)
        *ok = false;
}

static void push(json_t *a, json_t *v, bool *ok)
{
    if (json_array_append_new(a, v) != 0)
        *ok = false;
}

static json_t *id_string(int64_t id)
{
    char buf[GEN_ID_MAX];
    snprintf(buf, sizeof buf, "%lld", (long long)id);
    return json_string(buf);
}

static json_t *url(const char *fmt_path, const char *arg)
{
    char buf[GEN_URL_MAX];
    snprintf(buf, sizeof buf, "%s%s%s", GEN_SITE, fmt_path, arg);
    return json_string(buf);
}

static json_t *jira_time(biq_ms t, int32_t offset_min)
{
    char buf[BIQ_GEN_TIME_MAX];
    if (t == BIQ_MS_NONE || !biq_gen_format_jira(t, offset_min, buf, sizeof buf))
        return json_null();
    return json_string(buf);
}

/* Agile dates are UTC with a "Z": "2020-06-12T00:38:51.882Z". */
static json_t *utc_time(biq_ms t)
{
    char buf[BIQ_GEN_TIME_MAX];
    if (!biq_gen_format_jira(t, 0, buf, sizeof buf))
        return NULL;
    buf[23] = 'Z';
    buf[24] = '\0';
    return json_string(buf);
}

static json_t *user_json(int32_t u)
{
    if (u == GEN_NO_USER)
        return json_null();
    const gen_user *x = &biq_gen_users[u];
    json_t *o = json_object();
    bool ok = o != NULL;
    put(o, "self", url("/rest/api/2/user?accountId=", x->account_id), &ok);
    put(o, "accountId", json_string(x->account_id), &ok);
    put(o, "displayName", json_string(x->name), &ok);
    put(o, "active", json_true(), &ok);
    put(o, "timeZone", json_string(x->tz), &ok);
    put(o, "accountType", json_string("atlassian"), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *category_json(biq_status_category c)
{
    static const struct {
        int id;
        const char *key, *color, *name;
    } CATS[] = {{1, "undefined", "medium-gray", "No Category"},
                {2, "new", "blue-gray", "To Do"},
                {4, "indeterminate", "yellow", "In Progress"},
                {3, "done", "green", "Done"}};
    char id[GEN_ID_MAX];
    json_t *o = json_object();
    bool ok = o != NULL;
    snprintf(id, sizeof id, "%d", CATS[c].id);
    put(o, "self", url("/rest/api/2/statuscategory/", id), &ok);
    put(o, "id", json_integer(CATS[c].id), &ok);
    put(o, "key", json_string(CATS[c].key), &ok);
    put(o, "colorName", json_string(CATS[c].color), &ok);
    put(o, "name", json_string(CATS[c].name), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *status_json(const biq_status *st)
{
    char id[GEN_ID_MAX];
    json_t *o = json_object();
    bool ok = o != NULL;
    snprintf(id, sizeof id, "%lld", (long long)st->id);
    put(o, "self", url("/rest/api/2/status/", id), &ok);
    put(o, "description", json_string(""), &ok);
    put(o, "iconUrl", url("/images/icons/statuses/generic.png", ""), &ok);
    put(o, "name", json_string(st->name), &ok);
    put(o, "untranslatedName", json_string(st->name), &ok);
    put(o, "id", json_string(id), &ok);
    put(o, "statusCategory", category_json(st->category), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *named_json(const char *path, const gen_named *n)
{
    json_t *o = json_object();
    bool ok = o != NULL;
    put(o, "self", url(path, n->id), &ok);
    put(o, "id", json_string(n->id), &ok);
    put(o, "name", json_string(n->name), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *type_json(int32_t t)
{
    const gen_type *x = &biq_gen_types[t];
    json_t *o = json_object();
    bool ok = o != NULL;
    put(o, "self", url("/rest/api/2/issuetype/", x->id), &ok);
    put(o, "id", json_string(x->id), &ok);
    put(o, "name", json_string(x->name), &ok);
    put(o, "subtask", json_boolean(x->subtask), &ok);
    put(o, "hierarchyLevel", json_integer(x->hierarchy), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *project_json(const gen_project_plan *p)
{
    char id[GEN_ID_MAX];
    json_t *o = json_object();
    bool ok = o != NULL;
    snprintf(id, sizeof id, "%lld", (long long)p->pub.id);
    put(o, "self", url("/rest/api/2/project/", id), &ok);
    put(o, "id", json_string(id), &ok);
    put(o, "key", json_string(p->pub.key), &ok);
    put(o, "name", json_string(p->pub.name), &ok);
    put(o, "projectTypeKey", json_string("software"), &ok);
    put(o, "simplified", json_false(), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *sprint_json(const biq_gen *g, const gen_project_plan *p, size_t s, bool agile)
{
    gen_sprint_view v;
    char name[GEN_TEXT_MAX], id[GEN_ID_MAX];
    biq_gen_sprint_view(g, p, s, &v);
    snprintf(name, sizeof name, "%s Sprint %zu", p->pub.key, s + 1);
    snprintf(id, sizeof id, "%lld", (long long)v.id);
    json_t *o = json_object();
    bool ok = o != NULL;
    put(o, "id", json_integer(v.id), &ok);
    if (agile)
        put(o, "self", url("/rest/agile/1.0/sprint/", id), &ok);
    put(o, "name", json_string(name), &ok);
    put(o, "state", json_string(v.state), &ok);
    put(o, agile ? "originBoardId" : "boardId", json_integer(p->pub.board_id), &ok);
    put(o, "goal", json_string(""), &ok);
    put(o, "startDate", utc_time(v.start), &ok);
    put(o, "endDate", utc_time(v.end), &ok);
    if (v.complete != BIQ_MS_NONE)
        put(o, "completeDate", utc_time(v.complete), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* "12, 13" and "PAY Sprint 3, PAY Sprint 4" for n sprints from first. */
static void sprint_lists(const biq_gen *g, const gen_project_plan *p, size_t first, size_t n,
                         char *ids, char *names)
{
    size_t li = 0, ln = 0;
    ids[0] = names[0] = '\0';
    for (size_t k = 0; k < n; k++) {
        gen_sprint_view v;
        biq_gen_sprint_view(g, p, first + k, &v);
        int a = snprintf(ids + li, GEN_LIST_MAX - li, "%s%lld", k ? ", " : "", (long long)v.id);
        int b = snprintf(names + ln, GEN_LIST_MAX - ln, "%s%s Sprint %zu", k ? ", " : "",
                         p->pub.key, first + k + 1);
        if (a < 0 || b < 0 || (size_t)a >= GEN_LIST_MAX - li || (size_t)b >= GEN_LIST_MAX - ln)
            return; /* cannot happen below BIQ_GEN_MAX_SPRINTS; keep the prefix */
        li += (size_t)a;
        ln += (size_t)b;
    }
}

static json_t *item_base(const char *field, const char *type, const char *field_id)
{
    json_t *o = json_object();
    bool ok = o != NULL;
    put(o, "field", json_string(field), &ok);
    put(o, "fieldtype", json_string(type), &ok);
    if (field_id != NULL)
        put(o, "fieldId", json_string(field_id), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static void from_to(json_t *o, json_t *from, json_t *from_s, json_t *to, json_t *to_s, bool *ok)
{
    put(o, "from", from, ok);
    put(o, "fromString", from_s, ok);
    put(o, "to", to, ok);
    put(o, "toString", to_s, ok);
}

static json_t *user_id_or_null(int64_t u)
{
    return u == GEN_NO_USER ? json_null() : json_string(biq_gen_users[u].account_id);
}

static json_t *user_name_or_null(int64_t u)
{
    return u == GEN_NO_USER ? json_null() : json_string(biq_gen_users[u].name);
}

static json_t *res_field(int64_t r, bool name)
{
    if (r == GEN_NO_RESOLUTION)
        return json_null();
    return json_string(name ? biq_gen_resolutions[r].name : biq_gen_resolutions[r].id);
}

static json_t *points_string(int64_t pts)
{
    return pts == 0 ? json_null() : id_string(pts);
}

static void sprint_item(const biq_gen *g, const gen_issue *is, const gen_item *it, json_t *o,
                        bool *ok)
{
    char from_ids[GEN_LIST_MAX], from_names[GEN_LIST_MAX];
    char to_ids[GEN_LIST_MAX], to_names[GEN_LIST_MAX];
    sprint_lists(g, is->plan, (size_t)it->a, (size_t)it->b, from_ids, from_names);
    sprint_lists(g, is->plan, (size_t)it->a, (size_t)it->c, to_ids, to_names);
    from_to(o, json_string(from_ids), json_string(from_names), json_string(to_ids),
            json_string(to_names), ok);
}

static json_t *item_json(const biq_gen *g, const gen_issue *is, const gen_item *it)
{
    json_t *o = NULL;
    bool ok = true;
    switch (it->kind) {
    case GEN_ITEM_STATUS:
        o = item_base("status", "jira", "status");
        from_to(o, id_string(it->a), json_string(biq_gen_status_by_id(it->a)->name),
                id_string(it->b), json_string(biq_gen_status_by_id(it->b)->name), &ok);
        break;
    case GEN_ITEM_ASSIGNEE:
        o = item_base("assignee", "jira", "assignee");
        from_to(o, user_id_or_null(it->a), user_name_or_null(it->a), user_id_or_null(it->b),
                user_name_or_null(it->b), &ok);
        put(o, "tmpFromAccountId", user_id_or_null(it->a), &ok);
        put(o, "tmpToAccountId", user_id_or_null(it->b), &ok);
        break;
    case GEN_ITEM_RESOLUTION:
        o = item_base("resolution", "jira", "resolution");
        from_to(o, res_field(it->a, false), res_field(it->a, true), res_field(it->b, false),
                res_field(it->b, true), &ok);
        break;
    case GEN_ITEM_SPRINT:
        o = item_base("Sprint", "custom", GEN_SPRINT_FIELD);
        sprint_item(g, is, it, o, &ok);
        break;
    case GEN_ITEM_POINTS:
        o = item_base("Story point estimate", "custom", GEN_POINTS_FIELD);
        from_to(o, json_null(), points_string(it->a), json_null(), points_string(it->b), &ok);
        break;
    case GEN_ITEM_PRIORITY:
        o = item_base("priority", "jira", "priority");
        from_to(o, json_string(biq_gen_priorities[it->a].id),
                json_string(biq_gen_priorities[it->a].name),
                json_string(biq_gen_priorities[it->b].id),
                json_string(biq_gen_priorities[it->b].name), &ok);
        break;
    case GEN_ITEM_FLAG: {
        json_t *opt = json_string("[" GEN_FLAG_OPTION_ID "]");
        o = item_base("Flagged", "custom", GEN_FLAG_FIELD);
        if (it->a != 0)
            from_to(o, json_null(), json_null(), opt, json_string("Impediment"), &ok);
        else
            from_to(o, opt, json_string("Impediment"), json_null(), json_null(), &ok);
        break;
    }
    case GEN_ITEM_LINK: {
        char key[BIQ_GEN_KEY_MAX], text[GEN_TEXT_MAX];
        biq_gen_key_of(g, (size_t)it->a, key, sizeof key);
        snprintf(text, sizeof text, "This issue is blocked by %s", key);
        o = item_base("Link", "jira", NULL);
        from_to(o, json_null(), json_null(), json_string(key), json_string(text), &ok);
        break;
    }
    case GEN_ITEM_RANK:
        /* Like the real data: no fieldId on some items, so parsers must
         * match on `field` too. */
        o = item_base("Rank", "custom", NULL);
        from_to(o, json_string(""), json_string(""), json_string(""),
                json_string("Ranked higher"), &ok);
        break;
    }
    if (o == NULL || !ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *history_json(const biq_gen *g, const gen_issue *is, const gen_history *h)
{
    json_t *o = json_object(), *items = json_array();
    bool ok = o != NULL && items != NULL;
    put(o, "id", id_string(h->id), &ok);
    put(o, "author", user_json(h->author), &ok);
    put(o, "created", jira_time(h->at, biq_gen_users[h->author].offset_min), &ok);
    for (uint32_t j = 0; j < h->n_items; j++)
        push(items, item_json(g, is, &h->items[j]), &ok);
    put(o, "items", items, &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *sprint_field(const biq_gen *g, const gen_issue *is)
{
    if (is->n_sprints == 0)
        return json_null();
    json_t *a = json_array();
    bool ok = a != NULL;
    for (size_t s = 0; s < is->n_sprints; s++)
        push(a, sprint_json(g, is->plan, is->sprint_first + s, false), &ok);
    if (!ok) {
        json_decref(a);
        return NULL;
    }
    return a;
}

/* The Flagged field now: its one option, or null. */
static json_t *flag_field(const gen_issue *is)
{
    if (!is->flagged)
        return json_null();
    return json_pack("[{s:s,s:s}]", "id", GEN_FLAG_OPTION_ID, "value", "Impediment");
}

/* fields.issuelinks: the "is blocked by" link (the other issue's fields
 * dropped, as the ingest drops them), or []. */
static json_t *issue_links(const biq_gen *g, const gen_issue *is)
{
    char key[BIQ_GEN_KEY_MAX], id[GEN_ID_MAX], link_id[GEN_ID_MAX];
    if (is->blocker < 0)
        return json_array();
    biq_gen_key_of(g, (size_t)is->blocker, key, sizeof key);
    snprintf(id, sizeof id, "%lld", (long long)biq_gen_issue_id((size_t)is->blocker));
    snprintf(link_id, sizeof link_id, "%lld", (long long)biq_gen_issue_id(is->index));
    return json_pack("[{s:s,s:{s:s,s:s,s:s,s:s},s:{s:s,s:s}}]", "id", link_id, "type", "id",
                     "10000", "name", "Blocks", "inward", "is blocked by", "outward", "blocks",
                     "inwardIssue", "id", id, "key", key);
}

static json_t *resolution_json(const gen_issue *is)
{
    if (is->resolution == GEN_NO_RESOLUTION)
        return json_null();
    return named_json("/rest/api/2/resolution/", &biq_gen_resolutions[is->resolution]);
}

static json_t *fields_json(const biq_gen *g, const gen_issue *is)
{
    char text[GEN_TEXT_MAX];
    int32_t tz = biq_gen_users[is->reporter].offset_min;
    json_t *o = json_object();
    bool ok = o != NULL;
    biq_gen_summary(is, text, sizeof text);
    put(o, "summary", json_string(text), &ok);
    put(o, "issuetype", type_json(is->type), &ok);
    put(o, "project", project_json(is->plan), &ok);
    put(o, "status", status_json(biq_gen_status_by_id(is->status)), &ok);
    put(o, "priority", named_json("/rest/api/2/priority/", &biq_gen_priorities[is->priority]),
        &ok);
    put(o, "assignee", user_json(is->assignee), &ok);
    put(o, "reporter", user_json(is->reporter), &ok);
    put(o, "creator", user_json(is->reporter), &ok);
    put(o, "created", jira_time(is->created, tz), &ok);
    put(o, "updated", jira_time(is->updated, tz), &ok);
    put(o, "statuscategorychangedate", jira_time(is->category_changed, tz), &ok);
    put(o, "resolutiondate", jira_time(is->resolved_at, tz), &ok);
    put(o, "resolution", resolution_json(is), &ok);
    put(o, "labels", json_array(), &ok);
    put(o, "security", json_null(), &ok);
    /* Free text the ingest must never store. */
    put(o, "description", json_string("Steps to reproduce: see the linked support ticket."),
        &ok);
    put(o, GEN_POINTS_FIELD, is->points ? json_real(is->points) : json_null(), &ok);
    put(o, GEN_SPRINT_FIELD, sprint_field(g, is), &ok);
    put(o, GEN_FLAG_FIELD, flag_field(is), &ok);
    put(o, "issuelinks", issue_links(g, is), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* Embedded: newest first, only the newest half when truncated. */
static json_t *embedded_changelog(const biq_gen *g, const gen_issue *is)
{
    size_t present = is->truncated ? is->n_hist / 2 : is->n_hist;
    json_t *o = json_object(), *hs = json_array();
    bool ok = o != NULL && hs != NULL;
    put(o, "startAt", json_integer(0), &ok);
    put(o, "maxResults", json_integer((json_int_t)present), &ok);
    put(o, "total", json_integer((json_int_t)is->n_hist), &ok);
    for (size_t k = 0; k < present; k++)
        push(hs, history_json(g, is, &is->hist[is->n_hist - 1 - k]), &ok);
    put(o, "histories", hs, &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *issue_json(const biq_gen *g, const gen_issue *is)
{
    char key[BIQ_GEN_KEY_MAX], id[GEN_ID_MAX];
    biq_gen_key(is, key, sizeof key);
    snprintf(id, sizeof id, "%lld", (long long)biq_gen_issue_id(is->index));
    json_t *o = json_object();
    bool ok = o != NULL;
    put(o, "expand", json_string(GEN_EXPAND), &ok);
    put(o, "id", json_string(id), &ok);
    put(o, "self", url("/rest/api/2/issue/", id), &ok);
    put(o, "key", json_string(key), &ok);
    put(o, "fields", fields_json(g, is), &ok);
    put(o, "changelog", embedded_changelog(g, is), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *biq_gen_issue_json(const biq_gen *g, size_t index)
{
    json_t *out = NULL;
    gen_issue *is = malloc(sizeof *is);
    if (is == NULL || !biq_gen_issue_derive(g, index, is))
        goto out;
    out = issue_json(g, is);
out:
    free(is);
    return out;
}

json_t *biq_gen_page_json(const biq_gen *g, size_t project, size_t page)
{
    const biq_gen_project *p = biq_gen_project_at(g, project);
    if (p == NULL || page >= biq_gen_page_count(p))
        return NULL;
    size_t from = page * BIQ_GEN_PAGE_SIZE;
    size_t n = p->n_issues - from < BIQ_GEN_PAGE_SIZE ? p->n_issues - from : BIQ_GEN_PAGE_SIZE;
    json_t *o = json_object(), *issues = json_array();
    bool ok = o != NULL && issues != NULL;
    put(o, "startAt", json_integer((json_int_t)from), &ok);
    put(o, "maxResults", json_integer(BIQ_GEN_PAGE_SIZE), &ok);
    put(o, "total", json_integer((json_int_t)p->n_issues), &ok);
    for (size_t k = 0; k < n && ok; k++)
        push(issues, biq_gen_issue_json(g, p->first_issue + from + k), &ok);
    put(o, "issues", issues, &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *changelog_page(const biq_gen *g, const gen_issue *is)
{
    char id[GEN_ID_MAX];
    snprintf(id, sizeof id, "%lld/changelog?maxResults=%d&startAt=0",
             (long long)biq_gen_issue_id(is->index), BIQ_GEN_CHANGELOG_PAGE);
    json_t *o = json_object(), *vs = json_array();
    bool ok = o != NULL && vs != NULL;
    put(o, "self", url("/rest/api/3/issue/", id), &ok);
    put(o, "maxResults", json_integer(BIQ_GEN_CHANGELOG_PAGE), &ok);
    put(o, "startAt", json_integer(0), &ok);
    put(o, "total", json_integer((json_int_t)is->n_hist), &ok);
    put(o, "isLast", json_true(), &ok);
    for (size_t k = 0; k < is->n_hist; k++)
        push(vs, history_json(g, is, &is->hist[k]), &ok);
    put(o, "values", vs, &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *biq_gen_changelog_json(const biq_gen *g, size_t index)
{
    json_t *out = NULL;
    gen_issue *is = malloc(sizeof *is);
    if (is == NULL || !biq_gen_issue_derive(g, index, is))
        goto out;
    out = changelog_page(g, is);
out:
    free(is);
    return out;
}

json_t *biq_gen_statuses_json(const biq_gen *g)
{
    (void)g; /* one catalogue for the whole site, as Jira has */
    const biq_status *st;
    size_t n;
    biq_gen_statuses(&st, &n);
    json_t *a = json_array();
    bool ok = a != NULL;
    for (size_t i = 0; i < n; i++)
        push(a, status_json(&st[i]), &ok);
    if (!ok) {
        json_decref(a);
        return NULL;
    }
    return a;
}

json_t *biq_gen_sprints_json(const biq_gen *g)
{
    json_t *o = json_object(), *vs = json_array();
    bool ok = o != NULL && vs != NULL;
    size_t total = 0;
    for (size_t p = 0; p < biq_gen_project_count(g); p++) {
        const gen_project_plan *plan = &g->projects[p];
        for (size_t s = 0; s < plan->pub.n_sprints; s++, total++)
            push(vs, sprint_json(g, plan, s, true), &ok);
    }
    put(o, "maxResults", json_integer((json_int_t)total), &ok);
    put(o, "startAt", json_integer(0), &ok);
    put(o, "isLast", json_true(), &ok);
    put(o, "values", vs, &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* A column {name, statuses:[{id}], max?}; max < 0 leaves it out. */
static json_t *board_column(const char *name, const int64_t *ids, size_t n, int max)
{
    json_t *o = json_object(), *sts = json_array();
    bool ok = o != NULL && sts != NULL;
    for (size_t i = 0; i < n; i++) {
        json_t *st = json_object();
        put(st, "id", id_string(ids[i]), &ok);
        push(sts, st, &ok);
    }
    put(o, "name", json_string(name), &ok);
    put(o, "statuses", sts, &ok);
    if (max >= 0)
        put(o, "max", json_integer(max), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *biq_gen_board_json(const biq_gen *g, size_t project)
{
    enum { BOTTLENECK_LIMIT = 4, FILTER_ID_BASE = 1000 };
    if (project >= biq_gen_project_count(g))
        return NULL;
    const gen_project_plan *p = &g->projects[project];
    char name[GEN_TEXT_MAX], filter[GEN_ID_MAX];
    size_t n_done = p->pub.n_workflow - p->n_new - p->n_active;
    json_t *o = json_object(), *cfg = json_object(), *cols = json_array(), *f = json_object();
    bool ok = o != NULL && cfg != NULL && cols != NULL && f != NULL;
    push(cols, board_column("To Do", p->workflow, p->n_new, -1), &ok);
    for (size_t i = 0; i < p->n_active; i++) {
        const int64_t *id = &p->workflow[p->n_new + i];
        push(cols,
             board_column(biq_gen_status_by_id(*id)->name, id, 1,
                          *id == p->pub.bottleneck_status ? BOTTLENECK_LIMIT : -1),
             &ok);
    }
    push(cols, board_column("Done", &p->workflow[p->n_new + p->n_active], n_done, -1), &ok);
    snprintf(name, sizeof name, "%s board", p->pub.key);
    snprintf(filter, sizeof filter, "%lld", (long long)(FILTER_ID_BASE + p->pub.board_id));
    put(f, "id", json_string(filter), &ok);
    put(cfg, "columns", cols, &ok);
    put(cfg, "constraintType", json_string("issueCount"), &ok);
    put(o, "id", json_integer(p->pub.board_id), &ok);
    put(o, "name", json_string(name), &ok);
    put(o, "type", json_string("scrum"), &ok);
    put(o, "filter", f, &ok);
    put(o, "columnConfig", cfg, &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}
