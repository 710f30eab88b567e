/* test_flow_filters.c - issue #15's filters at their edges: included issue
 * types, labels (any-of include and exclude, ASCII case-insensitive),
 * resolutions excluded from throughput, lead and cycle time but still out
 * of WIP (a name in another case), the sub-task policies (count, exclude,
 * rollup with an orphan), the settings' validation, and the project
 * settings JSON turned into these flow settings. */
#include <string.h>

#include "common/arena.h"
#include "flow/flow.h"
#include "settings/settings.h"
#include "testsupport.h"
#include "tz/civil.h"

#define H BIQ_MS_PER_HOUR
#define DAY BIQ_MS_PER_DAY

enum { TODO = 1, PROG = 2, DONE = 3, MAX_T = 4, MAX_ITEMS = 8 };

static const biq_status catalogue[] = {
    {TODO, "To Do", BIQ_CAT_NEW}, {PROG, "In Progress", BIQ_CAT_ACTIVE}, {DONE, "Done", BIQ_CAT_DONE}};

static biq_ms jan(int day)
{
    return biq_civil_days(2018, 1, day) * DAY;
}

typedef struct world {
    biq_issue issues[MAX_ITEMS];
    biq_transition t[MAX_ITEMS][MAX_T];
    size_t n;
} world;

/* An issue created on the 1st in To Do; started on `start` and done on
 * `done` (0: not). */
static biq_issue *add(world *w, int64_t id, const char *key, int start, int done)
{
    size_t i = w->n++, n = 0;
    int64_t cur = TODO;
    if (start) {
        w->t[i][n++] = (biq_transition){.history_id = id * 10, .at = jan(start),
                                        .from_status = TODO, .to_status = PROG};
        cur = PROG;
    }
    if (done) {
        w->t[i][n++] = (biq_transition){.history_id = id * 10 + 1, .at = jan(done),
                                        .from_status = cur, .to_status = DONE};
        cur = DONE;
    }
    w->issues[i] = (biq_issue){.id = id, .key = key, .project_key = "P", .status_id = cur,
                               .issue_type = "Story", .created = jan(1), .updated = jan(1),
                               .resolution_at = BIQ_MS_NONE, .transitions = w->t[i],
                               .n_transitions = n};
    return &w->issues[i];
}

static biq_flow *build(biq_arena *a, world *w, const biq_flow_settings *s)
{
    biq_flow_input in = {.issues = w->issues, .n_issues = w->n, .statuses = catalogue,
                         .n_statuses = 3, .settings = s, .now = jan(10)};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    return f;
}

static void expect_keys(const biq_flow *f, const char *const *keys, size_t n)
{
    ck_assert_uint_eq(biq_flow_issue_count(f), n);
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(biq_flow_issue_at(f, i)->issue->key, keys[i]);
}

static biq_flow_report *report(biq_arena *a, const biq_flow *f)
{
    biq_flow_window w;
    biq_window_spec spec = {.kind = BIQ_WIN_CUSTOM, .from = jan(1), .to = jan(10)};
    ck_assert_int_eq(biq_window_resolve(&spec, jan(10), NULL, NULL, 0, &w), BIQ_OK);
    biq_flow_report *r = NULL;
    ck_assert_int_eq(biq_flow_report_build(f, &w, a, &r), BIQ_OK);
    return r;
}

START_TEST(labels_any_of_case_insensitive_exclude_wins)
{
    biq_arena *a = biq_arena_new(4 << 20);
    world w = {0};
    static const char *const l1[] = {"Backend"}, *const l2[] = {"frontend", "BACKEND"},
                             *const l3[] = {"backend", "customer"}, *const l4[] = {"back-end"};
    biq_issue *x = add(&w, 1, "P-1", 0, 0);
    x->labels = l1, x->n_labels = 1;
    x = add(&w, 2, "P-2", 0, 0);
    x->labels = l2, x->n_labels = 2;
    x = add(&w, 3, "P-3", 0, 0);
    x->labels = l3, x->n_labels = 2;
    x = add(&w, 4, "P-4", 0, 0);
    x->labels = l4, x->n_labels = 1; /* not the same label */
    add(&w, 5, "P-5", 0, 0);          /* no labels */
    biq_flow_settings s;
    biq_flow_settings_init(&s);
    static const char *const inc[] = {"backend"}, *const exc[] = {"Customer"};
    s.labels_include = inc;
    s.n_labels_include = 1;
    const char *const kept[] = {"P-1", "P-2", "P-3"};
    expect_keys(build(a, &w, &s), kept, 3);
    s.labels_exclude = exc;
    s.n_labels_exclude = 1;
    const char *const without_customer[] = {"P-1", "P-2"};
    expect_keys(build(a, &w, &s), without_customer, 2);
    /* Exclude alone keeps the unlabelled. */
    s.n_labels_include = 0;
    const char *const all_but[] = {"P-1", "P-2", "P-4", "P-5"};
    expect_keys(build(a, &w, &s), all_but, 4);
    biq_arena_free(a);
}
END_TEST

START_TEST(included_types_and_subtasks_excluded)
{
    biq_arena *a = biq_arena_new(4 << 20);
    world w = {0};
    add(&w, 1, "P-1", 0, 0)->issue_type = "Bug";
    add(&w, 2, "P-2", 0, 0);
    biq_issue *sub = add(&w, 3, "P-3", 0, 0);
    sub->issue_type = "Sub-task";
    sub->is_subtask = true;
    sub->parent_id = 2;
    biq_flow_settings s;
    biq_flow_settings_init(&s);
    static const char *const story[] = {"STORY", "sub-TASK"};
    s.included_types = story;
    s.n_included_types = 2;
    const char *const stories[] = {"P-2", "P-3"};
    expect_keys(build(a, &w, &s), stories, 2);
    s.subtasks = BIQ_SUBTASKS_EXCLUDE;
    const char *const no_sub[] = {"P-2"};
    expect_keys(build(a, &w, &s), no_sub, 1);
    /* Excluded types still win over included ones. */
    static const char *const story_only[] = {"Story"};
    s.subtasks = BIQ_SUBTASKS_COUNT;
    s.excluded_types = story_only;
    s.n_excluded_types = 1;
    const char *const only_sub[] = {"P-3"};
    expect_keys(build(a, &w, &s), only_sub, 1);
    biq_arena_free(a);
}
END_TEST

START_TEST(excluded_resolution_leaves_wip_but_not_throughput)
{
    biq_arena *a = biq_arena_new(4 << 20);
    world w = {0};
    add(&w, 1, "P-1", 2, 4)->resolution = "Won't Do"; /* cycle 2 days, lead 3 */
    add(&w, 2, "P-2", 2, 7)->resolution = "Done";     /* cycle 5 days, lead 6 */
    add(&w, 3, "P-3", 3, 0);                          /* in flight */
    biq_flow_settings s;
    biq_flow_settings_init(&s);
    static const char *const res[] = {"WON'T DO"};
    s.excluded_resolutions = res;
    s.n_excluded_resolutions = 1;
    biq_flow *f = build(a, &w, &s);
    ck_assert(biq_flow_issue_by_key(f, "P-1")->outcome_excluded);
    ck_assert(!biq_flow_issue_by_key(f, "P-2")->outcome_excluded);
    ck_assert(!biq_flow_issue_by_key(f, "P-3")->outcome_excluded); /* not done */
    biq_flow_report *r = report(a, f);
    ck_assert_uint_eq(r->cur.throughput, 1);
    ck_assert_uint_eq(r->cur.cycle.count, 1);
    ck_assert_double_eq_tol(r->cur.cycle.avg_ms, 5.0 * DAY, 1e-6);
    ck_assert_double_eq_tol(r->cur.lead.avg_ms, 6.0 * DAY, 1e-6);
    /* It has left WIP: not in the aging chart, In Progress holds only P-3. */
    biq_flow_aging *g = NULL;
    ck_assert_int_eq(biq_flow_wip_aging(f, a, &g), BIQ_OK);
    ck_assert_uint_eq(g->n_rows, 1);
    ck_assert_str_eq(g->rows[0].issue->issue->key, "P-3");
    /* And it still departs on the CFD (it left the work). */
    biq_flow_cfd *c = NULL;
    ck_assert_int_eq(biq_flow_cfd_build(f, biq_civil_days(2018, 1, 1),
                                        biq_civil_days(2018, 1, 9), false, a, &c),
                     BIQ_OK);
    ck_assert_uint_eq(c->reached[8 * c->n_bands + c->done_band], 2);
    /* Without the setting both count. */
    r = report(a, build(a, &w, NULL));
    ck_assert_uint_eq(r->cur.throughput, 2);
    biq_arena_free(a);
}
END_TEST

START_TEST(subtask_rollup_moves_the_start_to_the_parent)
{
    biq_arena *a = biq_arena_new(4 << 20);
    world w = {0};
    add(&w, 1, "P-1", 4, 6);                 /* parent: own cycle 2 days */
    biq_issue *s1 = add(&w, 2, "P-2", 2, 3); /* its sub-task, started on the 2nd */
    s1->is_subtask = true, s1->parent_id = 1;
    biq_issue *s2 = add(&w, 3, "P-3", 3, 5); /* another, later: no effect */
    s2->is_subtask = true, s2->parent_id = 1;
    biq_issue *orphan = add(&w, 4, "P-4", 2, 8);
    orphan->is_subtask = true, orphan->parent_id = 99; /* parent not in the data */
    biq_flow_settings s;
    biq_flow_settings_init(&s);
    s.subtasks = BIQ_SUBTASKS_ROLLUP;
    biq_flow *f = build(a, &w, &s);
    const char *const kept[] = {"P-1", "P-4"};
    expect_keys(f, kept, 2);
    const biq_flow_issue_view *p = biq_flow_issue_by_key(f, "P-1");
    ck_assert_uint_eq(p->n_rolled_up, 2);
    ck_assert_int_eq(p->started_at, jan(2));
    ck_assert_int_eq(p->cycle_ms, 4 * DAY); /* 2nd -> 6th */
    ck_assert_int_eq(p->lead_ms, 5 * DAY);  /* created the 1st: unchanged */
    biq_flow_report *r = report(a, f);
    ck_assert_uint_eq(r->cur.throughput, 2); /* P-1 and the orphan, no sub-task */
    /* Counted: four items, the parent's own cycle. */
    s.subtasks = BIQ_SUBTASKS_COUNT;
    f = build(a, &w, &s);
    ck_assert_uint_eq(biq_flow_issue_count(f), 4);
    ck_assert_int_eq(biq_flow_issue_by_key(f, "P-1")->cycle_ms, 2 * DAY);
    ck_assert_uint_eq(report(a, f)->cur.throughput, 4);
    biq_arena_free(a);
}
END_TEST

START_TEST(filter_settings_validated)
{
    biq_flow_settings s;
    biq_flow_settings_init(&s);
    ck_assert_int_eq(s.subtasks, BIQ_SUBTASKS_COUNT);
    ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_OK);
    s.subtasks = (biq_subtask_policy)3;
    ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_ERR_INVALID);
    biq_flow_settings_init(&s);
    s.n_labels_include = 1;
    ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_ERR_INVALID);
    biq_flow_settings_init(&s);
    s.n_excluded_resolutions = 1;
    ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_ERR_INVALID);
    biq_flow_settings_init(&s);
    s.n_included_types = 2;
    ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_ERR_INVALID);
    biq_flow_settings_init(&s);
    s.n_labels_exclude = 1;
    ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_ERR_INVALID);
}
END_TEST

/* A project settings PUT body: the message of its refusal, or "" when it
 * builds; the built config in *cfg. */
static void apply(const char *body, biq_arena *a, biq_settings_flow_config *cfg, char *msg,
                  size_t n)
{
    json_error_t e;
    json_t *b = json_loads(body, 0, &e), *ov = json_object(), *ch = json_object();
    ck_assert_ptr_nonnull(b);
    msg[0] = '\0';
    if (biq_settings_apply(true, b, ov, ch, msg, n) == BIQ_OK)
        ck_assert_int_eq(biq_settings_flow_config_build(NULL, ov, a, cfg, msg, n), BIQ_OK);
    json_decref(b);
    json_decref(ov);
    json_decref(ch);
}

START_TEST(project_settings_json_to_filters)
{
    biq_arena *a = biq_arena_new(4 << 20);
    biq_settings_flow_config cfg;
    char msg[BIQ_SETTINGS_MESSAGE_MAX];
    apply("{\"includedIssueTypes\":[\"Story\"],\"excludedResolutions\":[\"Won't Do\","
          "\"Duplicate\"],\"subtasks\":\"rollup\",\"labels\":{\"include\":[\"a\"],"
          "\"exclude\":[\"b\",\"c\"]}}",
          a, &cfg, msg, sizeof msg);
    ck_assert_str_eq(msg, "");
    ck_assert_uint_eq(cfg.settings.n_included_types, 1);
    ck_assert_str_eq(cfg.settings.included_types[0], "Story");
    ck_assert_uint_eq(cfg.settings.n_excluded_resolutions, 2);
    ck_assert_str_eq(cfg.settings.excluded_resolutions[1], "Duplicate");
    ck_assert_int_eq(cfg.settings.subtasks, BIQ_SUBTASKS_ROLLUP);
    ck_assert_uint_eq(cfg.settings.n_labels_include, 1);
    ck_assert_uint_eq(cfg.settings.n_labels_exclude, 2);
    apply("{\"subtasks\":\"exclude\"}", a, &cfg, msg, sizeof msg);
    ck_assert_int_eq(cfg.settings.subtasks, BIQ_SUBTASKS_EXCLUDE);
    apply("{}", a, &cfg, msg, sizeof msg);
    ck_assert_int_eq(cfg.settings.subtasks, BIQ_SUBTASKS_COUNT);
    ck_assert_uint_eq(cfg.settings.n_labels_include, 0);
    static const struct {
        const char *body, *msg;
    } bad[] = {
        {"{\"subtasks\":\"Rollup\"}", "subtasks: must be count, exclude or rollup"},
        {"{\"subtasks\":1}", "subtasks: must be count, exclude or rollup"},
        {"{\"labels\":{\"include\":[\"two words\"]}}",
         "labels.include: entries must be labels (no spaces)"},
        {"{\"labels\":{\"exclude\":[\"\"]}}", "labels.exclude: entries must be labels (no spaces)"},
        {"{\"labels\":{\"other\":[]}}", "labels.other: unknown setting"},
        {"{\"excludedResolutions\":[3]}", "excludedResolutions: entries must be resolution names"},
        {"{\"includedIssueTypes\":\"Story\"}", "includedIssueTypes: must be an array"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        apply(bad[i].body, a, &cfg, msg, sizeof msg);
        ck_assert_str_eq(msg, bad[i].msg);
    }
    /* The GET's description names the defaults. */
    json_t *d = biq_settings_describe(true, NULL, 1);
    json_t *f = json_object_get(json_object_get(d, "fields"), "subtasks");
    ck_assert_str_eq(json_string_value(json_object_get(f, "default")), "count");
    ck_assert_ptr_nonnull(json_object_get(json_object_get(d, "fields"), "labels.include"));
    json_decref(d);
    biq_arena_free(a);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("flow_filters");
    TCase *tc = tcase_create("filters");
    tcase_add_test(tc, labels_any_of_case_insensitive_exclude_wins);
    tcase_add_test(tc, included_types_and_subtasks_excluded);
    tcase_add_test(tc, excluded_resolution_leaves_wip_but_not_throughput);
    tcase_add_test(tc, subtask_rollup_moves_the_start_to_the_parent);
    tcase_add_test(tc, filter_settings_validated);
    tcase_add_test(tc, project_settings_json_to_filters);
    suite_add_tcase(s, tc);
    return s;
}
