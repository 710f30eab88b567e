/* test_gen.c - the synthetic data generator (src/gen, `biq gen`):
 * determinism, the Jira wire shapes, agreement between its JSON and its
 * model view, and the planted bottleneck being what the flow core names
 * when the generated JSON is read back by an independent loader here. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/commands.h"
#include "common/arena.h"
#include "flow/flow.h"
#include "gen/gen.h"
#include "testsupport.h"
#include "tz/civil.h"

#define NOW BIQ_GEN_DEFAULT_NOW
#define DAY BIQ_MS_PER_DAY

enum {
    ARENA_LIMIT = 256 << 20,
    MAX_LOADED = 20000,
    PATH_LEN = 512,
    DIR_NAMES_MAX = 4096,
};

/* ------------------------------------------------ an independent loader */

static int64_t digits(const char *s, int n)
{
    int64_t v = 0;
    for (int i = 0; i < n; i++) {
        ck_assert_msg(s[i] >= '0' && s[i] <= '9', "not a digit in '%s'", s);
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Jira's "2020-06-12T08:13:13.360+0800" only. */
static biq_ms jira_instant(const char *s)
{
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(strlen(s), 28);
    ck_assert(s[23] == '+' || s[23] == '-');
    int64_t day = biq_civil_days(digits(s, 4), (int)digits(s + 5, 2), (int)digits(s + 8, 2));
    int64_t ms = ((digits(s + 11, 2) * 60 + digits(s + 14, 2)) * 60 + digits(s + 17, 2)) * 1000 +
                 digits(s + 20, 3);
    int64_t off = (digits(s + 24, 2) * 60 + digits(s + 26, 2)) * 60000;
    return day * DAY + ms - (s[23] == '-' ? -off : off);
}

static int64_t sid(json_t *v)
{
    const char *s = json_string_value(v);
    return s && *s ? digits(s, (int)strlen(s)) : 0;
}

typedef struct loaded {
    biq_arena *arena;
    biq_issue *issues;
    size_t n;
} loaded;

static void load_transitions(biq_arena *a, json_t *histories, biq_issue *is)
{
    size_t cap = 0, hi, ii;
    json_t *h, *it;
    json_array_foreach(histories, hi, h) cap += json_array_size(json_object_get(h, "items"));
    biq_transition *t = biq_arena_calloc(a, cap ? cap : 1, sizeof *t);
    ck_assert_ptr_nonnull(t);
    size_t n = 0;
    json_array_foreach(histories, hi, h) {
        json_array_foreach(json_object_get(h, "items"), ii, it) {
            if (strcmp(json_string_value(json_object_get(it, "field")), "status") != 0)
                continue;
            t[n++] = (biq_transition){
                .history_id = sid(json_object_get(h, "id")), .item_index = (int32_t)ii,
                .at = jira_instant(json_string_value(json_object_get(h, "created"))),
                .from_status = sid(json_object_get(it, "from")),
                .to_status = sid(json_object_get(it, "to"))};
        }
    }
    is->transitions = t;
    is->n_transitions = n;
}

static void load_issue(const biq_gen *g, size_t index, biq_arena *a, json_t *v, biq_issue *is)
{
    json_t *f = json_object_get(v, "fields"), *cl = json_object_get(v, "changelog");
    json_t *hs = json_object_get(cl, "histories"), *full = NULL;
    *is = (biq_issue){
        .id = sid(json_object_get(v, "id")),
        .key = biq_arena_strdup(a, json_string_value(json_object_get(v, "key"))),
        .project_key = biq_gen_project_of(g, index)->key,
        .status_id = sid(json_object_get(json_object_get(f, "status"), "id")),
        .issue_type = "Story",
        .created = jira_instant(json_string_value(json_object_get(f, "created"))),
        .resolution_at = BIQ_MS_NONE,
        .changelog_total = (int32_t)json_integer_value(json_object_get(cl, "total"))};
    /* A truncated embedded changelog is completed from the changelog page,
     * as the backfill does. */
    if (json_integer_value(json_object_get(cl, "total")) > (json_int_t)json_array_size(hs)) {
        full = biq_gen_changelog_json(g, index);
        ck_assert_ptr_nonnull(full);
        hs = json_object_get(full, "values");
    }
    is->changelog_present = (int32_t)json_array_size(hs);
    load_transitions(a, hs, is);
    json_t *sp = json_object_get(f, "customfield_10020");
    int64_t *ids = biq_arena_calloc(a, json_array_size(sp) + 1, sizeof *ids);
    size_t k;
    json_t *s;
    json_array_foreach(sp, k, s) ids[k] = json_integer_value(json_object_get(s, "id"));
    is->sprint_ids = ids;
    is->n_sprint_ids = json_array_size(sp);
    json_t *pts = json_object_get(f, "customfield_10016");
    is->has_story_points = json_is_number(pts);
    is->story_points = json_number_value(pts);
    json_decref(full);
}

/* Every issue of project p, read from its search pages. */
static loaded load_project(const biq_gen *g, size_t p)
{
    const biq_gen_project *pr = biq_gen_project_at(g, p);
    loaded l = {.arena = biq_arena_new(ARENA_LIMIT)};
    ck_assert_ptr_nonnull(l.arena);
    ck_assert_uint_le(pr->n_issues, MAX_LOADED);
    l.issues = biq_arena_calloc(l.arena, pr->n_issues, sizeof *l.issues);
    for (size_t page = 0; page < biq_gen_page_count(pr); page++) {
        json_t *doc = biq_gen_page_json(g, p, page), *v;
        ck_assert_ptr_nonnull(doc);
        size_t i;
        json_array_foreach(json_object_get(doc, "issues"), i, v) {
            size_t index = pr->first_issue + page * BIQ_GEN_PAGE_SIZE + i;
            load_issue(g, index, l.arena, v, &l.issues[l.n++]);
        }
        json_decref(doc);
    }
    ck_assert_uint_eq(l.n, pr->n_issues);
    return l;
}

static biq_gen *make_gen(uint64_t seed, size_t issues, size_t projects)
{
    biq_gen_config cfg = {.seed = seed, .n_issues = issues, .n_projects = projects, .now = NOW};
    biq_gen *g = NULL;
    char err[128] = "";
    ck_assert_msg(biq_gen_new(&cfg, &g, err, sizeof err) == BIQ_OK, "%s", err);
    return g;
}

static char *dump(json_t *v)
{
    ck_assert_ptr_nonnull(v);
    char *s = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    ck_assert_ptr_nonnull(s);
    return s;
}

/* Everything a run writes, concatenated. */
static char *all_bytes(const biq_gen *g)
{
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    for (size_t p = 0; p <= biq_gen_project_count(g); p++) {
        size_t pages = p < biq_gen_project_count(g) ? biq_gen_page_count(biq_gen_project_at(g, p)) : 2;
        for (size_t k = 0; k < pages; k++) {
            char *s = p < biq_gen_project_count(g) ? dump(biq_gen_page_json(g, p, k))
                      : k == 0                     ? dump(biq_gen_statuses_json(g))
                                                   : dump(biq_gen_sprints_json(g));
            size_t n = strlen(s);
            while (len + n + 1 > cap) {
                cap *= 2;
                buf = realloc(buf, cap);
                ck_assert_ptr_nonnull(buf);
            }
            memcpy(buf + len, s, n + 1);
            len += n;
            free(s);
        }
    }
    return buf;
}

/* ---------------------------------------------------------------- tests */

START_TEST(same_seed_same_bytes_other_seed_differs)
{
    biq_gen *a = make_gen(42, 700, 3), *b = make_gen(42, 700, 3), *c = make_gen(43, 700, 3);
    char *x = all_bytes(a), *y = all_bytes(b), *z = all_bytes(c);
    ck_assert_uint_gt(strlen(x), 100000);
    ck_assert_str_eq(x, y);
    ck_assert_str_ne(x, z);
    /* Any issue can be produced alone and in any order: the same bytes. */
    char *one = dump(biq_gen_issue_json(b, 650));
    ck_assert_ptr_nonnull(strstr(x, one));
    free(one);
    free(x);
    free(y);
    free(z);
    biq_gen_free(a);
    biq_gen_free(b);
    biq_gen_free(c);
}
END_TEST

static bool keys_are(json_t *o, const char *const *keys, size_t n)
{
    if (json_object_size(o) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (json_object_get(o, keys[i]) == NULL)
            return false;
    return true;
}

typedef struct shape_counts {
    size_t issues, histories, multi_item, non_status, truncated, with_points, in_sprints;
    size_t reopens, backward, skips;
    int32_t offsets[32];
    size_t n_offsets;
    biq_ms min_created, max_created;
} shape_counts;

static void note_offset(shape_counts *c, const char *ts)
{
    int32_t off = (int32_t)(digits(ts + 24, 4) * (ts[23] == '-' ? -1 : 1));
    for (size_t i = 0; i < c->n_offsets; i++)
        if (c->offsets[i] == off)
            return;
    if (c->n_offsets < 32)
        c->offsets[c->n_offsets++] = off;
}

static size_t wf_pos(const biq_gen_project *p, int64_t id)
{
    for (size_t i = 0; i < p->n_workflow; i++)
        if (p->workflow[i] == id)
            return i;
    ck_abort_msg("status %lld not in %s's workflow", (long long)id, p->key);
    return 0;
}

static void check_move(const biq_gen_project *p, json_t *it, shape_counts *c)
{
    const biq_status *cat;
    size_t n;
    biq_gen_statuses(&cat, &n);
    size_t from = wf_pos(p, sid(json_object_get(it, "from")));
    size_t to = wf_pos(p, sid(json_object_get(it, "to")));
    biq_status_category fc = BIQ_CAT_UNKNOWN;
    for (size_t i = 0; i < n; i++)
        if (cat[i].id == p->workflow[from])
            fc = cat[i].category;
    if (fc == BIQ_CAT_DONE && to < from)
        c->reopens++;
    else if (to < from)
        c->backward++;
    else if (to > from + 1 && p->workflow[to] != p->workflow[p->n_workflow - 1])
        c->skips++;
}

static void check_histories(const biq_gen_project *p, json_t *hs, shape_counts *c)
{
    size_t i;
    json_t *h;
    biq_ms prev = INT64_MAX;
    json_array_foreach(hs, i, h) {
        static const char *const hk[] = {"id", "author", "created", "items"};
        ck_assert(keys_are(h, hk, 4));
        const char *ts = json_string_value(json_object_get(h, "created"));
        biq_ms at = jira_instant(ts);
        ck_assert_int_le(at, prev); /* embedded: newest first */
        ck_assert_int_le(at, NOW);
        prev = at;
        note_offset(c, ts);
        json_t *items = json_object_get(h, "items"), *it;
        ck_assert_uint_ge(json_array_size(items), 1);
        c->multi_item += json_array_size(items) > 1;
        size_t k;
        json_array_foreach(items, k, it) {
            if (strcmp(json_string_value(json_object_get(it, "field")), "status") == 0)
                check_move(p, it, c);
            else
                c->non_status++;
        }
        c->histories++;
    }
}

static void check_truncated(const biq_gen *g, size_t index, json_t *cl)
{
    json_t *page = biq_gen_changelog_json(g, index), *vs = json_object_get(page, "values");
    json_t *hs = json_object_get(cl, "histories");
    ck_assert(json_is_true(json_object_get(page, "isLast")));
    ck_assert_int_eq(json_integer_value(json_object_get(page, "total")), json_array_size(vs));
    ck_assert_int_eq(json_integer_value(json_object_get(cl, "total")), json_array_size(vs));
    ck_assert_uint_lt(json_array_size(hs), json_array_size(vs));
    /* The embedded ones are the newest: the page's tail, reversed. */
    size_t n = json_array_size(vs);
    for (size_t k = 0; k < json_array_size(hs); k++)
        ck_assert(json_equal(json_array_get(hs, k), json_array_get(vs, n - 1 - k)));
    for (size_t k = 1; k < n; k++)
        ck_assert_int_lt(sid(json_object_get(json_array_get(vs, k - 1), "id")),
                         sid(json_object_get(json_array_get(vs, k), "id")));
    json_decref(page);
}

static void check_issue(const biq_gen *g, const biq_gen_project *p, size_t index, json_t *v,
                        shape_counts *c)
{
    static const char *const ik[] = {"expand", "id", "self", "key", "fields", "changelog"};
    static const char *const ck[] = {"startAt", "maxResults", "total", "histories"};
    ck_assert(keys_are(v, ik, 6));
    json_t *f = json_object_get(v, "fields"), *cl = json_object_get(v, "changelog");
    ck_assert(keys_are(cl, ck, 4));
    ck_assert_int_eq(sid(json_object_get(v, "id")), biq_gen_issue_id(index));
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(f, "project"), "key")),
                     p->key);
    json_t *st = json_object_get(f, "status");
    wf_pos(p, sid(json_object_get(st, "id")));
    ck_assert_ptr_nonnull(json_string_value(
        json_object_get(json_object_get(st, "statusCategory"), "key")));
    biq_ms created = jira_instant(json_string_value(json_object_get(f, "created")));
    c->min_created = created < c->min_created ? created : c->min_created;
    c->max_created = created > c->max_created ? created : c->max_created;
    c->with_points += json_is_number(json_object_get(f, "customfield_10016"));
    c->in_sprints += json_array_size(json_object_get(f, "customfield_10020")) > 0;
    json_t *hs = json_object_get(cl, "histories");
    if (json_integer_value(json_object_get(cl, "total")) != (json_int_t)json_array_size(hs)) {
        c->truncated++;
        ck_assert(biq_gen_issue_truncated(g, index));
        check_truncated(g, index, cl);
    }
    check_histories(p, hs, c);
    c->issues++;
}

START_TEST(pages_have_the_jira_search_shape)
{
    biq_gen *g = make_gen(5, 2500, 4);
    shape_counts c = {.min_created = INT64_MAX, .max_created = INT64_MIN};
    ck_assert_uint_eq(biq_gen_project_count(g), 4);
    for (size_t p = 0; p < 4; p++) {
        const biq_gen_project *pr = biq_gen_project_at(g, p);
        ck_assert_uint_ge(pr->n_workflow, BIQ_GEN_MIN_WORKFLOW);
        ck_assert_uint_le(pr->n_workflow, BIQ_GEN_MAX_WORKFLOW);
        for (size_t page = 0; page < biq_gen_page_count(pr); page++) {
            static const char *const pk[] = {"startAt", "maxResults", "total", "issues"};
            json_t *doc = biq_gen_page_json(g, p, page), *v;
            ck_assert(keys_are(doc, pk, 4));
            ck_assert_int_eq(json_integer_value(json_object_get(doc, "startAt")),
                             page * BIQ_GEN_PAGE_SIZE);
            ck_assert_int_eq(json_integer_value(json_object_get(doc, "total")), pr->n_issues);
            size_t i;
            json_array_foreach(json_object_get(doc, "issues"), i, v)
                check_issue(g, pr, pr->first_issue + page * BIQ_GEN_PAGE_SIZE + i, v, &c);
            json_decref(doc);
        }
        ck_assert_ptr_null(biq_gen_page_json(g, p, biq_gen_page_count(pr)));
    }
    ck_assert_uint_eq(c.issues, 2500);
    ck_assert_uint_gt(c.histories, 5 * c.issues);
    ck_assert_uint_gt(c.multi_item, c.issues / 2);
    ck_assert_uint_gt(c.non_status, c.issues);
    ck_assert_uint_gt(c.truncated, 10);
    ck_assert_uint_lt(c.truncated, c.issues / 20);
    ck_assert_uint_gt(c.with_points, c.issues / 4);
    ck_assert_uint_gt(c.in_sprints, c.issues / 2);
    ck_assert_uint_gt(c.reopens, 10);
    ck_assert_uint_gt(c.backward, 50);
    ck_assert_uint_gt(c.skips, 50);
    ck_assert_uint_ge(c.n_offsets, 5);
    ck_assert_int_lt(c.min_created, NOW - 360 * DAY);
    ck_assert_int_gt(c.max_created, NOW - 2 * DAY);
    /* Catalogue and sprints. */
    json_t *st = biq_gen_statuses_json(g), *v;
    size_t i;
    ck_assert_uint_ge(json_array_size(st), 10);
    json_array_foreach(st, i, v) {
        const char *key = json_string_value(
            json_object_get(json_object_get(v, "statusCategory"), "key"));
        ck_assert(strcmp(key, "new") == 0 || strcmp(key, "indeterminate") == 0 ||
                  strcmp(key, "done") == 0);
    }
    json_decref(st);
    json_t *sp = biq_gen_sprints_json(g);
    size_t active = 0, closed = 0;
    json_array_foreach(json_object_get(sp, "values"), i, v) {
        const char *state = json_string_value(json_object_get(v, "state"));
        active += strcmp(state, "active") == 0;
        closed += strcmp(state, "closed") == 0;
        ck_assert_int_eq(json_is_string(json_object_get(v, "completeDate")),
                         strcmp(state, "closed") == 0);
    }
    ck_assert_uint_eq(active, 4);
    ck_assert_uint_gt(closed, 4 * 24);
    json_decref(sp);
    biq_gen_free(g);
}
END_TEST

static int cmp_tr(const void *a, const void *b)
{
    const biq_transition *x = a, *y = b;
    if (x->history_id != y->history_id)
        return x->history_id < y->history_id ? -1 : 1;
    return (x->item_index > y->item_index) - (x->item_index < y->item_index);
}

START_TEST(model_agrees_with_the_json)
{
    biq_gen *g = make_gen(9, 1200, 2);
    for (size_t p = 0; p < 2; p++) {
        loaded l = load_project(g, p);
        biq_arena *a = biq_arena_new(ARENA_LIMIT);
        for (size_t i = 0; i < l.n; i++) {
            biq_issue m, *j = &l.issues[i];
            ck_assert_int_eq(biq_gen_issue_model(g, biq_gen_project_at(g, p)->first_issue + i, a, &m),
                             BIQ_OK);
            ck_assert_int_eq(m.id, j->id);
            ck_assert_str_eq(m.key, j->key);
            ck_assert_int_eq(m.created, j->created);
            ck_assert_int_eq(m.status_id, j->status_id);
            ck_assert_int_eq(m.changelog_total, j->changelog_total);
            ck_assert_int_eq(m.has_story_points, j->has_story_points);
            ck_assert_uint_eq(m.n_sprint_ids, j->n_sprint_ids);
            for (size_t k = 0; k < m.n_sprint_ids; k++)
                ck_assert_int_eq(m.sprint_ids[k], j->sprint_ids[k]);
            ck_assert_uint_eq(m.n_transitions, j->n_transitions);
            biq_transition *jt = (biq_transition *)j->transitions;
            qsort(jt, j->n_transitions, sizeof *jt, cmp_tr);
            for (size_t k = 0; k < m.n_transitions; k++) {
                ck_assert_int_eq(m.transitions[k].history_id, jt[k].history_id);
                ck_assert_int_eq(m.transitions[k].at, jt[k].at);
                ck_assert_int_eq(m.transitions[k].from_status, jt[k].from_status);
                ck_assert_int_eq(m.transitions[k].to_status, jt[k].to_status);
            }
            /* The walk is consistent: each from is the previous to. */
            for (size_t k = 1; k < m.n_transitions; k++)
                ck_assert_int_eq(m.transitions[k].from_status, m.transitions[k - 1].to_status);
            if (m.n_transitions > 0)
                ck_assert_int_eq(m.transitions[m.n_transitions - 1].to_status, m.status_id);
        }
        biq_arena_free(a);
        biq_arena_free(l.arena);
    }
    ck_assert_int_eq(biq_gen_issue_model(g, 1200, NULL, NULL), BIQ_ERR_INVALID);
    biq_gen_free(g);
}
END_TEST

static void assert_bottleneck(uint64_t seed, size_t issues, size_t projects)
{
    biq_gen *g = make_gen(seed, issues, projects);
    const biq_status *cat;
    size_t n_cat;
    biq_gen_statuses(&cat, &n_cat);
    for (size_t p = 0; p < projects; p++) {
        loaded l = load_project(g, p);
        biq_flow_input in = {.issues = l.issues, .n_issues = l.n, .statuses = cat,
                             .n_statuses = n_cat, .now = NOW};
        biq_flow *f = NULL;
        biq_window_spec spec;
        biq_flow_window w;
        biq_flow_report *r = NULL;
        ck_assert_int_eq(biq_flow_new(&in, l.arena, &f), BIQ_OK);
        ck_assert_int_eq(biq_window_parse("30d", &spec), BIQ_OK);
        ck_assert_int_eq(biq_flow_window_resolve(f, &spec, &w), BIQ_OK);
        ck_assert_int_eq(biq_flow_report_build(f, &w, l.arena, &r), BIQ_OK);
        const biq_gen_project *pr = biq_gen_project_at(g, p);
        ck_assert_msg(r->bottleneck.state == BIQ_BN_FOUND, "seed %llu %s: no bottleneck",
                      (unsigned long long)seed, pr->key);
        ck_assert_msg(r->bottleneck.winner->status->id == pr->bottleneck_status,
                      "seed %llu %s: flow names %s, planted %lld", (unsigned long long)seed,
                      pr->key, r->bottleneck.winner->status->name,
                      (long long)pr->bottleneck_status);
        ck_assert_int_ge(r->bottleneck.score, 3);
        ck_assert(r->bottleneck.has_time_ratio && r->bottleneck.time_ratio >= 1.5);
        ck_assert(r->bottleneck.has_wip_ratio && r->bottleneck.wip_ratio >= 1.2);
        /* Only truncation findings: the generated histories are clean. */
        size_t nf = 0;
        const biq_flow_finding *fs = biq_flow_findings(f, &nf);
        for (size_t k = 0; k < nf; k++)
            ck_assert_msg(fs[k].kind == BIQ_DQ_DONE_NEVER_STARTED, "finding %s",
                          biq_dq_kind_name(fs[k].kind));
        biq_arena_free(l.arena);
    }
    biq_gen_free(g);
}

START_TEST(planted_bottleneck_is_what_the_flow_core_names)
{
    assert_bottleneck(1, 3000, 3);
    assert_bottleneck(2, 3000, 3);
    assert_bottleneck(77, 2400, 2);
}
END_TEST

START_TEST(instants_parse_and_format)
{
    biq_ms t = 0;
    char buf[BIQ_GEN_TIME_MAX];
    ck_assert_int_eq(biq_gen_parse_instant("2020-06-12T08:13:13.360+0800", &t), BIQ_OK);
    ck_assert_int_eq(t, jira_instant("2020-06-12T08:13:13.360+0800"));
    ck_assert(biq_gen_format_jira(t, -330, buf, sizeof buf));
    ck_assert_str_eq(buf, "2020-06-11T18:43:13.360-0530");
    ck_assert_int_eq(jira_instant(buf), t);
    ck_assert(!biq_gen_format_jira(t, 0, buf, 10));
    ck_assert_int_eq(biq_gen_parse_instant("2026-01-01T00:00:00Z", &t), BIQ_OK);
    ck_assert_int_eq(t, BIQ_GEN_DEFAULT_NOW);
    ck_assert_int_eq(biq_gen_parse_instant("2026-01-01", &t), BIQ_OK);
    ck_assert_int_eq(t, BIQ_GEN_DEFAULT_NOW);
    ck_assert_int_eq(biq_gen_parse_instant("2025-12-31T19:00:00.5-05:00", &t), BIQ_OK);
    ck_assert_int_eq(t, BIQ_GEN_DEFAULT_NOW + 500);
    static const char *const bad[] = {"", "2026-13-01", "2026-02-30", "2026-01-01T24:00:00Z",
                                      "2026-01-01T00:00:00", "2026-01-01T00:00:00+0", "x",
                                      "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00Zjunk"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(biq_gen_parse_instant(bad[i], &t) == BIQ_ERR_INVALID, "%s", bad[i]);
    ck_assert_int_eq(biq_gen_parse_instant(NULL, &t), BIQ_ERR_INVALID);
}
END_TEST

START_TEST(config_is_validated)
{
    static const biq_gen_config bad[] = {
        {.seed = 1, .n_issues = 0, .n_projects = 1, .now = NOW},
        {.seed = 1, .n_issues = BIQ_GEN_MAX_ISSUES + 1, .n_projects = 1, .now = NOW},
        {.seed = 1, .n_issues = 10, .n_projects = 0, .now = NOW},
        {.seed = 1, .n_issues = 10, .n_projects = BIQ_GEN_MAX_PROJECTS + 1, .now = NOW},
        {.seed = 1, .n_issues = 3, .n_projects = 4, .now = NOW},
        {.seed = 1, .n_issues = 10, .n_projects = 1, .now = 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        biq_gen *g = NULL;
        char err[128] = "";
        ck_assert_int_eq(biq_gen_new(&bad[i], &g, err, sizeof err), BIQ_ERR_INVALID);
        ck_assert_ptr_null(g);
        ck_assert_uint_gt(strlen(err), 5);
    }
    /* Uneven split: every issue in exactly one project. */
    biq_gen *g = make_gen(3, 10, 3);
    size_t total = 0;
    for (size_t p = 0; p < 3; p++) {
        ck_assert_uint_eq(biq_gen_project_at(g, p)->first_issue, total);
        total += biq_gen_project_at(g, p)->n_issues;
    }
    ck_assert_uint_eq(total, 10);
    ck_assert_ptr_null(biq_gen_project_of(g, 10));
    ck_assert_ptr_null(biq_gen_issue_json(g, 10));
    biq_gen_free(g);
}
END_TEST

/* ------------------------------------------------------------ the CLI */

static int run_cli(const char *const *args)
{
    char *argv[16];
    int argc = 0;
    for (; args[argc] != NULL; argc++)
        argv[argc] = (char *)args[argc];
    argv[argc] = NULL;
    return biq_cli_gen(argc, argv);
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    ck_assert_int_ge(n, 0);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void join(char *out, size_t size, const char *dir, const char *name)
{
    int n = snprintf(out, size, "%s/%s", dir, name);
    ck_assert(n > 0 && (size_t)n < size);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Sorted file names of dir, joined by '\n'. */
static void list_dir(const char *dir, char *out, size_t size)
{
    char names[256][64];
    size_t n = 0;
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        size_t len = strlen(e->d_name);
        ck_assert_uint_lt(n, 256);
        ck_assert_uint_lt(len, sizeof names[0]);
        memcpy(names[n++], e->d_name, len + 1);
    }
    closedir(d);
    qsort(names, n, sizeof names[0], cmp_name);
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(out + len, size - len, "%s\n", names[i]);
        ck_assert(w > 0 && (size_t)w < size - len);
        len += (size_t)w;
    }
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    char path[PATH_LEN];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        join(path, sizeof path, dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

START_TEST(cli_writes_the_same_files_twice)
{
    char base[] = "/tmp/biq-gen-test-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(base));
    char d1[PATH_LEN], d2[PATH_LEN], l1[DIR_NAMES_MAX], l2[DIR_NAMES_MAX];
    join(d1, sizeof d1, base, "a");
    join(d2, sizeof d2, base, "b");
    const char *a1[] = {"--seed", "11", "--issues", "450", "--projects", "2", "--out", d1, NULL};
    const char *a2[] = {"--out", d2, "--projects", "2", "--issues", "450", "--seed", "11", NULL};
    ck_assert_int_eq(run_cli(a1), 0);
    ck_assert_int_eq(run_cli(a2), 0);
    list_dir(d1, l1, sizeof l1);
    list_dir(d2, l2, sizeof l2);
    ck_assert_str_eq(l1, l2);
    ck_assert_ptr_nonnull(strstr(l1, "statuses.json\n"));
    ck_assert_ptr_nonnull(strstr(l1, "sprints.json\n"));
    ck_assert_ptr_nonnull(strstr(l1, "PAY-page-0003.json\n"));
    ck_assert_ptr_null(strstr(l1, "PAY-page-0004.json\n"));
    ck_assert_ptr_nonnull(strstr(l1, "WEB-page-0001.json\n"));
    ck_assert_ptr_nonnull(strstr(l1, "changelog-"));
    /* Byte-identical files; the pages equal the library's JSON. */
    for (char *name = l1, *nl; (nl = strchr(name, '\n')) != NULL; name = nl + 1) {
        *nl = '\0';
        char p1[PATH_LEN], p2[PATH_LEN];
        size_t n1, n2;
        join(p1, sizeof p1, d1, name);
        join(p2, sizeof p2, d2, name);
        char *x = read_all(p1, &n1), *y = read_all(p2, &n2);
        ck_assert_uint_eq(n1, n2);
        ck_assert(memcmp(x, y, n1) == 0);
        json_error_t e;
        json_t *j = json_loads(x, JSON_REJECT_DUPLICATES, &e);
        ck_assert_msg(j != NULL, "%s: %s", name, e.text);
        if (strncmp(name, "changelog-", 10) == 0)
            ck_assert(json_is_true(json_object_get(j, "isLast")));
        json_decref(j);
        free(x);
        free(y);
    }
    remove_tree(d1);
    remove_tree(d2);
    rmdir(base);
}
END_TEST

START_TEST(cli_rejects_bad_options)
{
    const char *const *cases[] = {
        (const char *const[]){"--issues", "0", "--out", "/tmp/x", NULL},
        (const char *const[]){"--issues", "12x", "--out", "/tmp/x", NULL},
        (const char *const[]){"--projects", "17", "--out", "/tmp/x", NULL},
        (const char *const[]){"--projects", "5", "--issues", "4", "--out", "/tmp/x", NULL},
        (const char *const[]){"--now", "yesterday", "--out", "/tmp/x", NULL},
        (const char *const[]){"--seed", "-1", "--out", "/tmp/x", NULL},
        (const char *const[]){"--colour", "red", "--out", "/tmp/x", NULL},
        (const char *const[]){"--seed", "3", NULL},
        (const char *const[]){"--out", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_msg(run_cli(cases[i]) == 2, "case %zu", i);
    ck_assert_int_eq(run_cli((const char *const[]){"--help", NULL}), 0);
    /* A file where the folder should be: an I/O failure, status 1. */
    const char *file_out[] = {"--issues", "5", "--projects", "1", "--out", "/dev/null", NULL};
    ck_assert_int_eq(run_cli(file_out), 1);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("gen");
    TCase *tc = tcase_create("gen");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, same_seed_same_bytes_other_seed_differs);
    tcase_add_test(tc, pages_have_the_jira_search_shape);
    tcase_add_test(tc, model_agrees_with_the_json);
    tcase_add_test(tc, planted_bottleneck_is_what_the_flow_core_names);
    tcase_add_test(tc, instants_parse_and_format);
    tcase_add_test(tc, config_is_validated);
    tcase_add_test(tc, cli_writes_the_same_files_twice);
    tcase_add_test(tc, cli_rejects_bad_options);
    suite_add_tcase(s, tc);
    return s;
}
