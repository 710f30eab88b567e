/* roles.c - the project's status table: catalogue entries plus any id the
 * issues mention, with roles, terminal/external flags and WIP limits. */
#include <stdlib.h>
#include <string.h>

#include "flow/flow_internal.h"

/* Default cancelled-like names: terminal, but not "done" work (so they do
 * not count as throughput); tenants can override per status id. */
static const char *const cancelled_names[] = {
    "Won't Do", "Won\xe2\x80\x99t Do", "Wont Do", "Cancelled", "Canceled", "Rejected", "Duplicate",
};

bool biq_fl_name_eq(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

long biq_fl_status_index(const biq_flow *flow, int64_t id)
{
    size_t lo = 0, hi = flow->n_statuses;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2; /* mutate: equivalent const "2 -> 3": any split works */
        if (flow->statuses[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < flow->n_statuses && flow->statuses[lo].id == id ? (long)lo : -1;
}

/* Adds id to the sorted, unique v[0 .. *n) of capacity cap; false when it
 * is new and v is full. */
static bool add_id(int64_t *v, size_t *n, size_t cap, int64_t id)
{
    size_t lo = 0, hi = *n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2; /* mutate: equivalent const "2 -> 3": any split works */
        if (v[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < *n && v[lo] == id)
        return true;
    if (*n == cap)
        return false;
    memmove(&v[lo + 1], &v[lo], (*n - lo) * sizeof *v);
    v[lo] = id;
    (*n)++;
    return true;
}

/* Every id mentioned anywhere, sorted and unique, into ids (count in *n).
 * A set of at most BIQ_FLOW_MAX_STATUSES grown by binary search: the
 * input names a few dozen ids a million times over, so sorting every
 * mention (what this did first) was most of a cold dashboard. */
static biq_err collect_ids(const biq_flow_input *in, biq_arena *arena, int64_t **ids, size_t *n)
{
    const size_t cap = BIQ_FLOW_MAX_STATUSES;
    int64_t *v = biq_arena_alloc(arena, cap * sizeof *v);
    size_t k = 0;
    bool fits = true;
    if (!v)
        return BIQ_ERR_NOMEM;
    for (size_t i = 0; i < in->n_statuses && fits; i++)
        fits = add_id(v, &k, cap, in->statuses[i].id);
    for (size_t i = 0; i < in->n_issues && fits; i++) {
        const biq_issue *is = &in->issues[i];
        fits = add_id(v, &k, cap, is->status_id);
        for (size_t t = 0; t < is->n_transitions && fits; t++)
            fits = add_id(v, &k, cap, is->transitions[t].from_status) &&
                   add_id(v, &k, cap, is->transitions[t].to_status);
    }
    *ids = v;
    *n = k;
    return fits ? BIQ_OK : BIQ_ERR_LIMIT;
}

/* A display name for an id that neither the catalogue nor any issue's
 * current status names: the smallest name the transitions give it, so that
 * input order does not matter. */
static const char *pick(const char *best, const char *name)
{
    return name && (!best || strcmp(name, best) < 0) ? name : best;
}

static const char *name_from_transitions(const biq_flow_input *in, int64_t id)
{
    const char *best = NULL;
    for (size_t i = 0; i < in->n_issues; i++) {
        const biq_issue *is = &in->issues[i];
        for (size_t t = 0; t < is->n_transitions; t++) {
            if (is->transitions[t].to_status == id)
                best = pick(best, is->transitions[t].to_name);
            if (is->transitions[t].from_status == id)
                best = pick(best, is->transitions[t].from_name);
        }
    }
    return best ? best : "";
}

/* ------------------------------------------------- the catalogue rule */

typedef struct cat_entry {
    biq_status s;
    biq_ms seen;    /* the `updated` of the issue it came from */
    bool catalogue; /* from the catalogue: never replaced */
} cat_entry;

/* Index of id in the sorted v[0 .. n), or where it goes (*found false). */
static size_t entry_find(const cat_entry *v, size_t n, int64_t id, bool *found)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].s.id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < n && v[lo].s.id == id;
    return lo;
}

static bool entry_insert(cat_entry *v, size_t *n, size_t cap, size_t at, const cat_entry *e)
{
    if (*n == cap)
        return false;
    memmove(&v[at + 1], &v[at], (*n - at) * sizeof *v);
    v[at] = *e;
    (*n)++;
    return true;
}

/* Does the issue's view of a status beat the entry's? Newer `updated` wins;
 * at equal instants the smaller (name, category name), bytewise. */
static bool issue_beats(const cat_entry *e, const biq_issue *is)
{
    if (is->updated != e->seen)
        return is->updated > e->seen;
    int c = strcmp(is->status_name, e->s.name ? e->s.name : "");
    if (c != 0)
        return c < 0;
    return strcmp(biq_status_category_name(is->status_category),
                  biq_status_category_name(e->s.category)) < 0;
}

biq_err biq_flow_statuses_resolve(const biq_status *catalogue, size_t n_catalogue,
                                  const biq_issue *issues, size_t n_issues, biq_arena *arena,
                                  biq_status **out, biq_ms **seen_at, size_t *n_out)
{
    size_t cap = n_catalogue + BIQ_FLOW_MAX_STATUSES, n = 0;
    cat_entry *v = biq_arena_alloc(arena, (cap + 1) * sizeof *v);
    bool found = false;
    *out = NULL;
    *n_out = 0;
    if (seen_at)
        *seen_at = NULL;
    if (!v)
        return BIQ_ERR_NOMEM;
    for (size_t i = 0; i < n_catalogue; i++) {
        size_t at = entry_find(v, n, catalogue[i].id, &found);
        cat_entry e = {.s = catalogue[i], .seen = BIQ_MS_NONE, .catalogue = true};
        if (!found && !entry_insert(v, &n, cap, at, &e))
            return BIQ_ERR_LIMIT;
    }
    for (size_t i = 0; i < n_issues; i++) {
        const biq_issue *is = &issues[i];
        if (is->status_id == 0 || !is->status_name || is->has_security_level)
            continue;
        size_t at = entry_find(v, n, is->status_id, &found);
        cat_entry e = {.s = {is->status_id, is->status_name, is->status_category},
                       .seen = is->updated};
        if (!found && !entry_insert(v, &n, cap, at, &e))
            return BIQ_ERR_LIMIT;
        if (found && !v[at].catalogue && issue_beats(&v[at], is))
            v[at] = e;
    }
    biq_status *s = biq_arena_alloc(arena, (n + 1) * sizeof *s);
    biq_ms *seen = seen_at ? biq_arena_alloc(arena, (n + 1) * sizeof *seen) : NULL;
    if (!s || (seen_at && !seen))
        return BIQ_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        s[i] = v[i].s;
        if (seen)
            seen[i] = v[i].catalogue ? BIQ_MS_NONE : v[i].seen;
    }
    *out = s;
    *n_out = n;
    if (seen_at)
        *seen_at = seen;
    return BIQ_OK;
}

static void apply_defaults(biq_flow_status_info *st)
{
    st->role = st->category == BIQ_CAT_ACTIVE ? BIQ_ROLE_ACTIVE
               : st->category == BIQ_CAT_DONE ? BIQ_ROLE_DONE
               : st->category == BIQ_CAT_NEW  ? BIQ_ROLE_BACKLOG
                                              : BIQ_ROLE_UNKNOWN;
    for (size_t i = 0; i < sizeof cancelled_names / sizeof cancelled_names[0]; i++)
        if (biq_fl_name_eq(st->name, cancelled_names[i])) {
            st->role = BIQ_ROLE_BACKLOG;
            st->terminal = true;
        }
    if (st->role == BIQ_ROLE_DONE)
        st->terminal = true;
    st->wip_limit = -1;
}

static void apply_settings(biq_flow_status_info *st, const biq_flow_settings *s)
{
    for (size_t i = 0; i < s->n_roles; i++) {
        const biq_flow_status_role *r = &s->roles[i];
        if (r->status_id != st->id)
            continue;
        if (r->role >= 0)
            st->role = (biq_role)r->role;
        if (r->terminal >= 0)
            st->terminal = r->terminal;
        else if (r->role >= 0)
            st->terminal = st->role == BIQ_ROLE_DONE; /* re-derive from the new role */
        if (r->external >= 0)
            st->external = r->external;
    }
    for (size_t i = 0; i < s->n_wip_limits; i++)
        if (s->wip_limits[i].status_id == st->id)
            st->wip_limit = s->wip_limits[i].limit;
}

/* The entry for id in the sorted, unique resolved list, or NULL. */
static const biq_status *catalogue_find(const biq_status *v, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo].id == id ? &v[lo] : NULL;
}

biq_err biq_fl_statuses_build(biq_flow *flow, const biq_flow_input *in, biq_arena *arena)
{
    biq_err err;
    int64_t *ids = NULL;
    biq_status *known = NULL;
    size_t n = 0, n_known = 0;
    if ((err = biq_flow_statuses_resolve(in->statuses, in->n_statuses, in->issues, in->n_issues,
                                         arena, &known, NULL, &n_known)) != BIQ_OK ||
        (err = collect_ids(in, arena, &ids, &n)) != BIQ_OK)
        goto out;
    /* mutate: equivalent const: any count for an empty table (0 gives a unique pointer) */
    flow->statuses = biq_arena_calloc(arena, n ? n : 1, sizeof *flow->statuses);
    if (!flow->statuses) {
        err = BIQ_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        biq_flow_status_info *st = &flow->statuses[i];
        const biq_status *cat = catalogue_find(known, n_known, ids[i]);
        st->id = ids[i];
        st->in_catalogue = cat != NULL;
        st->name = cat && cat->name ? cat->name : name_from_transitions(in, ids[i]);
        st->category = cat ? cat->category : BIQ_CAT_UNKNOWN;
        apply_defaults(st);
        apply_settings(st, &flow->settings);
    }
    flow->n_statuses = n;
out:
    return err;
}

biq_flow_load biq_flow_status_load(const biq_flow_status_info *st)
{
    if (st->terminal || st->role == BIQ_ROLE_DONE || st->role == BIQ_ROLE_UNKNOWN)
        return BIQ_LOAD_NONE;
    return st->role == BIQ_ROLE_ACTIVE ? BIQ_LOAD_WIP : BIQ_LOAD_WAITING;
}
