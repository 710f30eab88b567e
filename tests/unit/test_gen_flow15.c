/* test_gen_flow15.c - `biq gen`'s issue #15 data (flags, "is blocked by"
 * links, sprint scope change, boards): deterministic for a seed, the wire
 * JSON saying what the model says, and the sprint report on a generated
 * history showing committed, added, removed and carried-over work. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "flow/flow.h"
#include "gen/gen.h"
#include "testsupport.h"

enum { ARENA_LIMIT = 256 << 20, N_ISSUES = 600, N_PROJECTS = 2 };

static biq_gen *gen_of(uint64_t seed)
{
    biq_gen_config cfg = {.seed = seed, .n_issues = N_ISSUES, .n_projects = N_PROJECTS,
                          .now = BIQ_GEN_DEFAULT_NOW};
    biq_gen *g = NULL;
    ck_assert_int_eq(biq_gen_new(&cfg, &g, NULL, 0), BIQ_OK);
    return g;
}

static biq_issue *models(const biq_gen *g, biq_arena *a)
{
    biq_issue *is = biq_arena_calloc(a, N_ISSUES, sizeof *is);
    ck_assert_ptr_nonnull(is);
    for (size_t i = 0; i < N_ISSUES; i++)
        ck_assert_int_eq(biq_gen_issue_model(g, i, a, &is[i]), BIQ_OK);
    return is;
}

static bool same_impediments(const biq_issue *x, const biq_issue *y)
{
    if (x->flagged != y->flagged || x->n_flag_changes != y->n_flag_changes ||
        x->n_blocked_by != y->n_blocked_by || x->n_sprint_changes != y->n_sprint_changes)
        return false;
    for (size_t k = 0; k < x->n_flag_changes; k++)
        if (x->flag_changes[k].at != y->flag_changes[k].at ||
            x->flag_changes[k].flagged != y->flag_changes[k].flagged)
            return false;
    for (size_t k = 0; k < x->n_blocked_by; k++)
        if (x->blocked_by[k].blocker_id != y->blocked_by[k].blocker_id ||
            x->blocked_by[k].linked_at != y->blocked_by[k].linked_at)
            return false;
    for (size_t k = 0; k < x->n_sprint_changes; k++)
        if (x->sprint_changes[k].at != y->sprint_changes[k].at ||
            x->sprint_changes[k].n_to != y->sprint_changes[k].n_to)
            return false;
    return true;
}

START_TEST(same_seed_same_impediments_other_seed_differs)
{
    biq_arena *a = biq_arena_new(ARENA_LIMIT);
    biq_gen *g1 = gen_of(7), *g2 = gen_of(7), *g3 = gen_of(8);
    biq_issue *x = models(g1, a), *y = models(g2, a), *z = models(g3, a);
    size_t differ = 0, flagged_now = 0, flags = 0, blocked = 0;
    for (size_t i = 0; i < N_ISSUES; i++) {
        ck_assert(same_impediments(&x[i], &y[i]));
        differ += !same_impediments(&x[i], &z[i]);
        flagged_now += x[i].flagged;
        flags += x[i].n_flag_changes > 0;
        blocked += x[i].n_blocked_by;
    }
    ck_assert_uint_gt(differ, N_ISSUES / 10);
    /* Some items flagged at some time, a few still flagged, some blocked. */
    ck_assert_uint_gt(flags, 20);
    ck_assert_uint_gt(flagged_now, 0);
    ck_assert_uint_lt(flagged_now, flags);
    ck_assert_uint_gt(blocked, 10);
    biq_gen_free(g1);
    biq_gen_free(g2);
    biq_gen_free(g3);
    biq_arena_free(a);
}
END_TEST

/* The search page's issue says what the model says: the Flagged field now,
 * the link's blocker id and key, and a Link item naming that key. */
START_TEST(wire_json_agrees_with_the_model)
{
    biq_arena *a = biq_arena_new(ARENA_LIMIT);
    biq_gen *g = gen_of(7);
    biq_issue *m = models(g, a);
    size_t links = 0;
    for (size_t i = 0; i < N_ISSUES; i++) {
        json_t *j = biq_gen_issue_json(g, i);
        ck_assert_ptr_nonnull(j);
        json_t *fields = json_object_get(j, "fields");
        json_t *flag = json_object_get(fields, "customfield_10021");
        ck_assert_int_eq(json_is_array(flag), m[i].flagged);
        json_t *il = json_object_get(fields, "issuelinks");
        ck_assert_uint_eq(json_array_size(il), m[i].n_blocked_by);
        if (m[i].n_blocked_by == 1) {
            json_t *link = json_array_get(il, 0);
            json_t *type = json_object_get(link, "type");
            ck_assert_str_eq(json_string_value(json_object_get(type, "inward")), "is blocked by");
            json_t *in = json_object_get(link, "inwardIssue");
            ck_assert_int_eq(strtoll(json_string_value(json_object_get(in, "id")), NULL, 10),
                             m[i].blocked_by[0].blocker_id);
            const char *key = json_string_value(json_object_get(in, "key"));
            size_t b = (size_t)(m[i].blocked_by[0].blocker_id - BIQ_GEN_ISSUE_ID_BASE);
            ck_assert_str_eq(key, m[b].key);
            json_t *cl = biq_gen_changelog_json(g, i);
            bool found = false;
            size_t hi;
            json_t *h;
            json_array_foreach(json_object_get(cl, "values"), hi, h)
            {
                size_t ii;
                json_t *it;
                json_array_foreach(json_object_get(h, "items"), ii, it)
                {
                    if (strcmp(json_string_value(json_object_get(it, "field")), "Link") == 0 &&
                        strcmp(json_string_value(json_object_get(it, "to")), key) == 0)
                        found = true;
                }
            }
            ck_assert(found);
            json_decref(cl);
            links++;
        }
        json_decref(j);
    }
    ck_assert_uint_gt(links, 0);
    biq_gen_free(g);
    biq_arena_free(a);
}
END_TEST

START_TEST(sprint_report_on_a_generated_history)
{
    biq_arena *a = biq_arena_new(ARENA_LIMIT);
    biq_gen *g = gen_of(7);
    biq_issue *m = models(g, a);
    const biq_gen_project *p = biq_gen_project_at(g, 0);
    biq_sprint *sp = NULL;
    size_t n_sp = 0;
    const biq_status *st = NULL;
    size_t n_st = 0;
    ck_assert_int_eq(biq_gen_sprints(g, 0, a, &sp, &n_sp), BIQ_OK);
    biq_gen_statuses(&st, &n_st);
    biq_flow_input in = {.issues = m + p->first_issue, .n_issues = p->n_issues, .statuses = st,
                         .n_statuses = n_st, .sprints = sp, .n_sprints = n_sp,
                         .now = BIQ_GEN_DEFAULT_NOW};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    biq_flow_sprint_reports *rs = NULL;
    ck_assert_int_eq(biq_flow_sprint_reports_build(f, a, &rs), BIQ_OK);
    ck_assert_uint_gt(rs->n, 10);
    uint32_t committed = 0, added = 0, removed = 0, carried = 0, completed = 0, active = 0;
    for (size_t i = 0; i < rs->n; i++) {
        const biq_sprint_report *r = &rs->reports[i];
        /* The model holds complete histories: nothing is approximate. */
        ck_assert(!r->approximate);
        active += r->active;
        committed += r->committed;
        added += r->added;
        removed += r->removed;
        carried += r->carried_over;
        completed += r->completed;
        /* Every item in at the end is completed or carried over, and only
         * those; the ratio is completed over them. */
        uint32_t at_end = 0;
        for (size_t k = 0; k < r->n_items; k++) {
            const biq_sprint_item *it = &r->items[k];
            if (it->done_before_start)
                continue;
            at_end += it->in_at_end;
            ck_assert(!(it->completed && it->carried_over));
            ck_assert_int_eq(it->completed || it->carried_over, it->in_at_end);
        }
        ck_assert_uint_eq(at_end, r->completed + r->carried_over);
        size_t adds = 0, drops = 0;
        for (size_t k = 0; k < r->n_events; k++) {
            adds += r->events[k].added;
            drops += !r->events[k].added;
            ck_assert(r->events[k].at > r->start && r->events[k].at < r->end);
            if (k > 0)
                ck_assert(r->events[k - 1].at <= r->events[k].at);
        }
        ck_assert_uint_ge(adds, r->added);
        ck_assert_uint_ge(drops, r->removed);
    }
    ck_assert_uint_eq(active, 1);
    /* The generator plans most work before the start, adds some mid-sprint,
     * drops some planned backlog items, and carries open work over. */
    ck_assert_uint_gt(committed, added);
    ck_assert_uint_gt(added, 0);
    ck_assert_uint_gt(removed, 0);
    ck_assert_uint_gt(carried, 0);
    ck_assert_uint_gt(completed, carried);
    biq_gen_free(g);
    biq_arena_free(a);
}
END_TEST

START_TEST(board_configuration_frames_the_workflow)
{
    biq_gen *g = gen_of(7);
    const biq_gen_project *p = biq_gen_project_at(g, 1);
    json_t *b = biq_gen_board_json(g, 1);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(json_integer_value(json_object_get(b, "id")), p->board_id);
    json_t *cols = json_object_get(json_object_get(b, "columnConfig"), "columns");
    /* Every workflow status on exactly one column, in workflow order. */
    size_t k = 0, limits = 0, ci;
    json_t *col;
    json_array_foreach(cols, ci, col)
    {
        size_t si;
        json_t *s;
        json_array_foreach(json_object_get(col, "statuses"), si, s)
        {
            ck_assert_uint_lt(k, p->n_workflow);
            ck_assert_int_eq(strtoll(json_string_value(json_object_get(s, "id")), NULL, 10),
                             p->workflow[k]);
            k++;
        }
        json_t *max = json_object_get(col, "max");
        if (max != NULL) {
            limits++;
            ck_assert_int_eq(json_integer_value(max), 4);
            json_t *only = json_array_get(json_object_get(col, "statuses"), 0);
            ck_assert_int_eq(strtoll(json_string_value(json_object_get(only, "id")), NULL, 10),
                             p->bottleneck_status);
        }
    }
    ck_assert_uint_eq(k, p->n_workflow);
    ck_assert_uint_eq(limits, 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(cols, 0), "name")), "To Do");
    ck_assert_ptr_null(biq_gen_board_json(g, N_PROJECTS));
    json_decref(b);
    biq_gen_free(g);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("gen_flow15");
    TCase *tc = tcase_create("gen");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, same_seed_same_impediments_other_seed_differs);
    tcase_add_test(tc, wire_json_agrees_with_the_model);
    tcase_add_test(tc, sprint_report_on_a_generated_history);
    tcase_add_test(tc, board_configuration_frames_the_workflow);
    suite_add_tcase(s, tc);
    return s;
}
