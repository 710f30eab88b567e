/* flowdata.c - issue #15's data in issues and changelogs: resolution name,
 * labels, sub-task flag, parent id, the Flagged field and its history,
 * "is blocked by" links (dated by the changelog's Link items) and the
 * Sprint field's history. Called from issue.c's issue and history parsers.
 *
 * Data minimisation as in issue.c: of a link only the type's inward text
 * (to select it) and the other issue's id and key are read; the key only
 * dates the link and is not kept in the result.
 */
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest_internal.h"

#define VEC_FIRST_CAP 8
#define BLOCKED_BY_INWARD "is blocked by"
#define FIELD_FLAGGED "Flagged"
#define FIELD_SPRINT "Sprint"
#define FIELD_LINK "Link"
/* How Jira words a Link item that added an "is blocked by" link; only these
 * date a blocking link (another type's link to the same issue does not). */
#define LINK_BLOCKED_BY_PREFIX "This issue is blocked by "
#define SPRINT_NAME_SEP ", "
#define ID_DIGITS_MAX 18 /* below INT64_MAX's 19: no overflow check needed */

static bool str_is(const json_t *v, const char *s)
{
    return json_is_string(v) && json_string_length(v) == strlen(s) &&
           memcmp(json_string_value(v), s, strlen(s)) == 0;
}

/* Grows an arena vector of elements of `size` bytes to hold one more. */
static biq_err vec_room(biq_pctx *c, void **v, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return BIQ_OK;
    size_t next = *cap ? *cap * 2 : VEC_FIRST_CAP;
    void *grown = biq_arena_realloc(c->arena, *v, n * size, next * size);
    if (!grown)
        return biq_pctx_fail(c, BIQ_ERR_NOMEM, "out of memory");
    *v = grown;
    *cap = next;
    return BIQ_OK;
}

/* ---------------------------------------------------------------- items */

typedef enum item_kind { ITEM_OTHER, ITEM_FLAG, ITEM_SPRINT, ITEM_LINK } item_kind;

/* fieldId identifies a custom field when we know its id (names can be
 * localised or renamed); without an id, or in payloads without fieldId,
 * Jira's English field names are what is left. */
static item_kind kind_of(const biq_pctx *c, const json_t *item)
{
    const json_t *fid = json_object_get(item, "fieldId");
    const json_t *field = json_object_get(item, "field");
    const char *flag_id = c->fields->flagged, *sprint_id = c->fields->sprint;
    if (flag_id && json_is_string(fid) ? str_is(fid, flag_id) : str_is(field, FIELD_FLAGGED))
        return ITEM_FLAG;
    if ((sprint_id && str_is(fid, sprint_id)) || str_is(field, FIELD_SPRINT))
        return ITEM_SPRINT;
    if (str_is(field, FIELD_LINK))
        return ITEM_LINK;
    return ITEM_OTHER;
}

static biq_err flag_item(biq_pctx *c, const json_t *item, const biq_transition *proto,
                         int32_t index, biq_tvec *tv)
{
    const char *to = NULL;
    biq_err err = biq_member_text(c, item, "toString", BIQ_INGEST_NAME_MAX, false, &to);
    if (err != BIQ_OK)
        return err;
    if (tv->n_flags >= BIQ_INGEST_FLAG_CHANGES_MAX)
        return biq_pctx_fail(c, BIQ_ERR_TOO_LARGE, "too many Flagged changes");
    if ((err = vec_room(c, (void **)&tv->flags, tv->n_flags, &tv->cap_flags, sizeof *tv->flags)) !=
        BIQ_OK)
        return err;
    tv->flags[tv->n_flags++] = (biq_flag_change){.history_id = proto->history_id,
                                                 .item_index = index,
                                                 .at = proto->at,
                                                 .flagged = to != NULL && to[0] != '\0'};
    return BIQ_OK;
}

/* "38, 40" (or "" for none) to ids. false when it is not such a list. */
static bool id_list(biq_pctx *c, const char *s, const int64_t **out, size_t *n_out, bool *nomem)
{
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ',';
    if (cap > BIQ_INGEST_SPRINT_IDS_MAX)
        return false;
    int64_t *ids = biq_arena_calloc(c->arena, cap, sizeof *ids);
    size_t n = 0;
    if (!ids) {
        *nomem = true;
        return false;
    }
    const char *p = s;
    while (*p == ' ')
        p++;
    while (*p) {
        int64_t v = 0;
        size_t digits = 0;
        while (p[digits] >= '0' && p[digits] <= '9' && digits < ID_DIGITS_MAX)
            v = v * 10 + (p[digits++] - '0');
        /* A digit left over: longer than any id we read (no overflow). */
        if (digits == 0 || (p[digits] >= '0' && p[digits] <= '9') || v <= 0)
            return false;
        ids[n++] = v;
        p += digits;
        while (*p == ' ')
            p++;
        if (*p == ',') {
            p++;
            while (*p == ' ')
                p++;
            if (*p == '\0')
                return false;
        } else if (*p != '\0') {
            return false;
        }
    }
    *out = ids;
    *n_out = n;
    return true;
}

/* Names "EE Sprint 28, EE Sprint 29" to ids, each name matching exactly one
 * known sprint; false when any does not (unreadable: never guessed). */
static bool name_list(biq_pctx *c, const char *s, const int64_t **out, size_t *n_out,
                      bool *nomem)
{
    size_t cap = 1, n = 0;
    for (const char *p = strstr(s, SPRINT_NAME_SEP); p; p = strstr(p + 1, SPRINT_NAME_SEP))
        cap++;
    if (cap > BIQ_INGEST_SPRINT_IDS_MAX)
        return false;
    int64_t *ids = biq_arena_calloc(c->arena, cap, sizeof *ids);
    if (!ids) {
        *nomem = true;
        return false;
    }
    for (const char *p = s; *p;) {
        const char *end = strstr(p, SPRINT_NAME_SEP);
        size_t len = end ? (size_t)(end - p) : strlen(p);
        size_t hits = 0;
        for (size_t k = 0; k < c->n_known_sprints; k++) {
            const char *name = c->known_sprints[k].name;
            if (name && strlen(name) == len && memcmp(name, p, len) == 0) {
                hits++;
                ids[n] = c->known_sprints[k].id;
            }
        }
        if (hits != 1)
            return false;
        n++;
        p = end ? end + strlen(SPRINT_NAME_SEP) : p + len;
    }
    *out = ids;
    *n_out = n;
    return true;
}

static biq_err sprint_item(biq_pctx *c, const json_t *item, const biq_transition *proto,
                           int32_t index, biq_tvec *tv)
{
    const char *from = NULL, *to = NULL, *from_s = NULL, *to_s = NULL;
    biq_sprint_change sc = {.history_id = proto->history_id, .item_index = index, .at = proto->at};
    bool ok, nomem = false;
    biq_err err;
    if ((err = biq_member_string(c, item, "from", BIQ_INGEST_TOKEN_MAX, false, &from)) != BIQ_OK ||
        (err = biq_member_string(c, item, "to", BIQ_INGEST_TOKEN_MAX, false, &to)) != BIQ_OK ||
        (err = biq_member_text(c, item, "fromString", BIQ_INGEST_TOKEN_MAX, false, &from_s)) !=
            BIQ_OK ||
        (err = biq_member_text(c, item, "toString", BIQ_INGEST_TOKEN_MAX, false, &to_s)) != BIQ_OK)
        return err;
    if (from || to)
        ok = id_list(c, from ? from : "", &sc.from_ids, &sc.n_from, &nomem) &&
             id_list(c, to ? to : "", &sc.to_ids, &sc.n_to, &nomem);
    else
        ok = name_list(c, from_s ? from_s : "", &sc.from_ids, &sc.n_from, &nomem) &&
             name_list(c, to_s ? to_s : "", &sc.to_ids, &sc.n_to, &nomem);
    if (nomem)
        return biq_pctx_fail(c, BIQ_ERR_NOMEM, "out of memory");
    if (!ok) {
        /* Jira wrote something we cannot read as ids: skipped and counted,
         * so a report can say its sprint history has gaps. */
        if (c->sprint_unreadable < INT32_MAX)
            c->sprint_unreadable++;
        return BIQ_OK;
    }
    if (tv->n_sprints >= BIQ_INGEST_SPRINT_CHANGES_MAX)
        return biq_pctx_fail(c, BIQ_ERR_TOO_LARGE, "too many Sprint changes");
    if ((err = vec_room(c, (void **)&tv->sprints, tv->n_sprints, &tv->cap_sprints,
                        sizeof *tv->sprints)) != BIQ_OK)
        return err;
    tv->sprints[tv->n_sprints++] = sc;
    return BIQ_OK;
}

/* A Link item whose `to` is set added a link to that issue (removals have
 * only `from`); only an "is blocked by" one (its toString says so) is kept,
 * with the key only to date the current blocking links. At most
 * BIQ_INGEST_LINK_ITEMS_MAX are kept per issue or page (BIQ_ERR_TOO_LARGE
 * beyond: refused, never cut, like the other histories). */
static biq_err link_item(biq_pctx *c, const json_t *item, const biq_transition *proto,
                         biq_tvec *tv)
{
    const char *to = NULL, *to_s = NULL;
    biq_err err = biq_member_string(c, item, "to", BIQ_INGEST_KEY_MAX, false, &to);
    if (err == BIQ_OK)
        err = biq_member_text(c, item, "toString", BIQ_INGEST_NAME_MAX, false, &to_s);
    if (err != BIQ_OK || to == NULL || to_s == NULL ||
        strncmp(to_s, LINK_BLOCKED_BY_PREFIX, strlen(LINK_BLOCKED_BY_PREFIX)) != 0)
        return err;
    if (tv->n_links >= BIQ_INGEST_LINK_ITEMS_MAX)
        return biq_pctx_fail(c, BIQ_ERR_TOO_LARGE, "too many \"is blocked by\" Link items");
    if ((err = vec_room(c, (void **)&tv->links, tv->n_links, &tv->cap_links, sizeof *tv->links)) !=
        BIQ_OK)
        return err;
    tv->links[tv->n_links++] = (biq_link_add){.to_key = to, .at = proto->at};
    return BIQ_OK;
}

biq_err biq_ingest_extra_item(biq_pctx *c, const json_t *item, const biq_transition *proto,
                              int32_t index, biq_tvec *tv)
{
    switch (kind_of(c, item)) {
    case ITEM_FLAG:
        return flag_item(c, item, proto, index, tv);
    case ITEM_SPRINT:
        return sprint_item(c, item, proto, index, tv);
    case ITEM_LINK:
        return link_item(c, item, proto, tv);
    case ITEM_OTHER:
        break;
    }
    return BIQ_OK;
}

/* Link items by key, the latest first within a key. */
static int cmp_link_add(const void *a, const void *b)
{
    const biq_link_add *x = a, *y = b;
    int k = strcmp(x->to_key, y->to_key);
    if (k != 0)
        return k;
    return (x->at < y->at) - (x->at > y->at);
}

/* The first of links[0..n) (sorted by cmp_link_add) with key `key`, or
 * NULL: the latest Link item adding it. */
static const biq_link_add *latest_link(const biq_link_add *links, size_t n, const char *key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(links[mid].to_key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && strcmp(links[lo].to_key, key) == 0 ? &links[lo] : NULL;
}

void biq_tvec_to_issue(biq_pctx *c, const biq_tvec *tv, biq_issue *issue)
{
    issue->transitions = tv->v;
    issue->n_transitions = tv->n;
    issue->flag_changes = tv->flags;
    issue->n_flag_changes = tv->n_flags;
    issue->sprint_changes = tv->sprints;
    issue->n_sprint_changes = tv->n_sprints;
    if (c->block_keys == NULL || tv->n_links == 0)
        return;
    /* blocked_by is the parser's own arena array (issue_links below). Sorted
     * once, each link is dated by a binary search: O((items + links) log
     * items), not items x links. The Link items are the parser's own
     * (tv->links is never handed out), so they are sorted in place. */
    qsort(tv->links, tv->n_links, sizeof *tv->links, cmp_link_add);
    biq_block_link *links = (biq_block_link *)issue->blocked_by;
    for (size_t i = 0; i < issue->n_blocked_by; i++) {
        const biq_link_add *latest =
            c->block_keys[i] ? latest_link(tv->links, tv->n_links, c->block_keys[i]) : NULL;
        if (latest != NULL)
            links[i].linked_at = latest->at;
    }
}

/* --------------------------------------------------------------- fields */

static biq_err issue_labels(biq_pctx *c, const json_t *fields, biq_issue *out)
{
    const json_t *arr = NULL;
    biq_err err = biq_member_array(c, fields, "labels", BIQ_INGEST_LABELS_MAX, false, &arr);
    size_t n = json_array_size(arr);
    if (err != BIQ_OK || n == 0)
        return err;
    const char **labels = biq_arena_calloc(c->arena, n, sizeof *labels);
    if (!labels)
        return biq_pctx_fail(c, BIQ_ERR_NOMEM, "out of memory");
    size_t saved = biq_pctx_key(c, "labels");
    for (size_t i = 0; i < n && err == BIQ_OK; i++) {
        size_t at = biq_pctx_index(c, i);
        err = biq_read_text(c, json_array_get(arr, i), BIQ_INGEST_NAME_MAX, &labels[i]);
        biq_pctx_pop(c, at);
    }
    biq_pctx_pop(c, saved);
    out->labels = labels;
    out->n_labels = n;
    return err;
}

static biq_err issue_subtask_parent(biq_pctx *c, const json_t *fields, biq_issue *out)
{
    const json_t *type = NULL, *parent = NULL;
    bool present = false;
    biq_err err = biq_member_object(c, fields, "issuetype", false, &type);
    if (err == BIQ_OK && type) {
        size_t saved = biq_pctx_key(c, "issuetype");
        err = biq_member_bool(c, type, "subtask", &present, &out->is_subtask);
        biq_pctx_pop(c, saved);
    }
    if (err == BIQ_OK)
        err = biq_member_object(c, fields, "parent", false, &parent);
    if (err == BIQ_OK && parent) {
        size_t saved = biq_pctx_key(c, "parent");
        err = biq_member_id(c, parent, "id", false, &out->parent_id);
        biq_pctx_pop(c, saved);
    }
    return err;
}

/* The Flagged field: null or [] when clear, the checked options (objects)
 * when set. Anything else means the id names another field (a site whose
 * 10021 is the Sprint field writes strings there): refused by path rather
 * than read as a flag. */
static biq_err issue_flagged(biq_pctx *c, const json_t *fields, biq_issue *out)
{
    const char *key = c->fields->flagged;
    const json_t *v = key ? json_object_get(fields, key) : NULL;
    bool options = json_is_array(v);
    if (!v || json_is_null(v))
        return BIQ_OK;
    for (size_t i = 0; options && i < json_array_size(v); i++)
        options = json_is_object(json_array_get(v, i));
    if (!options) {
        size_t saved = biq_pctx_key(c, key);
        biq_err err = biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected the Flagged options or null");
        biq_pctx_pop(c, saved);
        return err;
    }
    out->flagged = json_array_size(v) > 0;
    return BIQ_OK;
}

/* One element of fields.issuelinks: kept (true) when it is an "is blocked
 * by" link to an inward issue. */
static biq_err link_entry(biq_pctx *c, const json_t *link, biq_block_link *bl, const char **key,
                          bool *keep)
{
    const json_t *type = NULL, *inward_issue = NULL;
    const char *inward = NULL;
    biq_err err;
    *keep = false;
    if (!json_is_object(link))
        return biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected an object");
    if ((err = biq_member_object(c, link, "type", false, &type)) != BIQ_OK ||
        (err = biq_member_object(c, link, "inwardIssue", false, &inward_issue)) != BIQ_OK)
        return err;
    if (type) {
        size_t saved = biq_pctx_key(c, "type");
        err = biq_member_text(c, type, "inward", BIQ_INGEST_NAME_MAX, false, &inward);
        biq_pctx_pop(c, saved);
    }
    if (err != BIQ_OK || !inward_issue || !inward || strcmp(inward, BLOCKED_BY_INWARD) != 0)
        return err;
    size_t saved = biq_pctx_key(c, "inwardIssue");
    if ((err = biq_member_id(c, inward_issue, "id", true, &bl->blocker_id)) == BIQ_OK)
        err = biq_member_string(c, inward_issue, "key", BIQ_INGEST_KEY_MAX, false, key);
    biq_pctx_pop(c, saved);
    bl->linked_at = BIQ_MS_NONE;
    *keep = err == BIQ_OK;
    return err;
}

static biq_err issue_links(biq_pctx *c, const json_t *fields, biq_issue *out)
{
    const json_t *arr = NULL;
    biq_err err = biq_member_array(c, fields, "issuelinks", BIQ_INGEST_LINKS_MAX, false, &arr);
    size_t n = json_array_size(arr), k = 0;
    if (err != BIQ_OK || n == 0)
        return err;
    biq_block_link *links = biq_arena_calloc(c->arena, n, sizeof *links);
    const char **keys = biq_arena_calloc(c->arena, n, sizeof *keys);
    if (!links || !keys)
        return biq_pctx_fail(c, BIQ_ERR_NOMEM, "out of memory");
    size_t saved = biq_pctx_key(c, "issuelinks");
    for (size_t i = 0; i < n && err == BIQ_OK; i++) {
        size_t at = biq_pctx_index(c, i);
        bool keep = false, dup = false;
        err = link_entry(c, json_array_get(arr, i), &links[k], &keys[k], &keep);
        /* One blocker counts once, however many links name it. */
        for (size_t j = 0; keep && j < k && !dup; j++)
            dup = links[j].blocker_id == links[k].blocker_id;
        if (keep && !dup)
            k++;
        biq_pctx_pop(c, at);
    }
    biq_pctx_pop(c, saved);
    out->blocked_by = k ? links : NULL;
    out->n_blocked_by = k;
    c->block_keys = k ? keys : NULL;
    return err;
}

biq_err biq_ingest_issue_extras(biq_pctx *c, const json_t *fields, biq_issue *out)
{
    biq_err err;
    c->block_keys = NULL;
    if ((err = biq_member_name(c, fields, "resolution", "name", &out->resolution)) != BIQ_OK ||
        (err = issue_labels(c, fields, out)) != BIQ_OK ||
        (err = issue_subtask_parent(c, fields, out)) != BIQ_OK ||
        (err = issue_flagged(c, fields, out)) != BIQ_OK)
        return err;
    return issue_links(c, fields, out);
}
