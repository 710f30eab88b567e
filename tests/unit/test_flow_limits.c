/* test_flow_limits.c - the flow core's boundaries, one test per edge that a
 * mutant of the code could move unnoticed (issue 22): every status-role
 * override, the issue and transition caps exactly at the limit and one past,
 * issue lookup by key, settings counts without arrays, inverted windows and
 * sprints that end exactly at now. */
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "flow/flow.h"
#include "testsupport.h"
#include "tz/civil.h"

#define H BIQ_MS_PER_HOUR
#define DAY BIQ_MS_PER_DAY
#define T0 (INT64_C(1514764800000)) /* 2018-01-01T00:00:00Z */

enum { TODO = 1, PROG = 2, QA = 3, DONE = 5, WAIT = 7, REVIEW = 8 };

static const biq_status catalogue[] = {
    {TODO, "To Do", BIQ_CAT_NEW},       {PROG, "In Progress", BIQ_CAT_ACTIVE},
    {QA, "QA", BIQ_CAT_ACTIVE},         {DONE, "Done", BIQ_CAT_DONE},
    {WAIT, "Waiting", BIQ_CAT_ACTIVE},  {REVIEW, "Review", BIQ_CAT_ACTIVE},
};
#define N_CATALOGUE (sizeof catalogue / sizeof catalogue[0])

static biq_transition tr(int64_t hist, biq_ms at, int64_t from, int64_t to)
{
    return (biq_transition){.history_id = hist, .at = at, .from_status = from, .to_status = to};
}

static biq_issue issue(int64_t id, const char *key, biq_ms created, int64_t status,
                       const biq_transition *t, size_t n)
{
    return (biq_issue){.id = id, .key = key, .project_key = "A", .summary = key,
                       .status_id = status, .issue_type = "Story", .created = created,
                       .updated = created, .resolution_at = BIQ_MS_NONE, .transitions = t,
                       .n_transitions = n, .changelog_total = (int32_t)n,
                       .changelog_present = (int32_t)n};
}

static const biq_flow_status_info *status_of(const biq_flow *f, int64_t id)
{
    for (size_t i = 0; i < biq_flow_status_count(f); i++)
        if (biq_flow_status_at(f, i)->id == id)
            return biq_flow_status_at(f, i);
    ck_abort_msg("status %lld not in the table", (long long)id);
    return NULL;
}

/* One issue walking To Do -> In Progress -> QA -> Waiting -> Review -> Done,
 * a day in each; a flow of it under the given overrides. */
static biq_flow *walk_with(biq_arena *a, const biq_flow_status_role *roles, size_t n_roles,
                           biq_transition *t, biq_issue *is)
{
    t[0] = tr(1, T0 + 1 * DAY, TODO, PROG);
    t[1] = tr(2, T0 + 2 * DAY, PROG, QA);
    t[2] = tr(3, T0 + 3 * DAY, QA, WAIT);
    t[3] = tr(4, T0 + 4 * DAY, WAIT, REVIEW);
    t[4] = tr(5, T0 + 5 * DAY, REVIEW, DONE);
    *is = issue(1, "A-1", T0, DONE, t, 5);
    static biq_flow_settings s;
    biq_flow_settings_init(&s);
    s.roles = roles;
    s.n_roles = n_roles;
    biq_flow_input in = {.issues = is, .n_issues = 1, .statuses = catalogue,
                         .n_statuses = N_CATALOGUE, .settings = &s, .now = T0 + 10 * DAY};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    return f;
}

/* ---------------------------------------------------------------- roles */

START_TEST(role_override_to_backlog)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_transition t[5];
    biq_issue is;
    /* In Progress (active by category) made Backlog: work starts in QA. */
    biq_flow_status_role r[] = {{.status_id = PROG, .role = BIQ_ROLE_BACKLOG, .terminal = -1,
                                 .external = -1}};
    biq_flow *f = walk_with(a, r, 1, t, &is);
    const biq_flow_status_info *st = status_of(f, PROG);
    ck_assert_int_eq(st->role, BIQ_ROLE_BACKLOG);
    ck_assert(!st->terminal && !st->external);
    const biq_flow_issue_view *v = biq_flow_issue_at(f, 0);
    ck_assert_int_eq(v->started_at, T0 + 2 * DAY);
    ck_assert_int_eq(v->cycle_ms, 3 * DAY);
    /* Without the override, In Progress starts it. */
    f = walk_with(a, NULL, 0, t, &is);
    ck_assert_int_eq(status_of(f, PROG)->role, BIQ_ROLE_ACTIVE);
    ck_assert_int_eq(biq_flow_issue_at(f, 0)->started_at, T0 + 1 * DAY);
    biq_arena_free(a);
}
END_TEST

START_TEST(role_override_to_active)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_transition t[5];
    biq_issue is;
    /* To Do (new by category) made active: the issue starts when created. */
    biq_flow_status_role r[] = {{.status_id = TODO, .role = BIQ_ROLE_ACTIVE, .terminal = -1,
                                 .external = -1}};
    biq_flow *f = walk_with(a, r, 1, t, &is);
    ck_assert_int_eq(status_of(f, TODO)->role, BIQ_ROLE_ACTIVE);
    ck_assert(!status_of(f, TODO)->terminal);
    ck_assert_int_eq(biq_flow_issue_at(f, 0)->started_at, T0);
    ck_assert_int_eq(biq_flow_issue_at(f, 0)->cycle_ms, 5 * DAY);
    biq_arena_free(a);
}
END_TEST

START_TEST(role_override_to_done)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_transition t[5];
    biq_issue is;
    /* Review made done: terminal follows the role (re-derived). */
    biq_flow_status_role r[] = {{.status_id = REVIEW, .role = BIQ_ROLE_DONE, .terminal = -1,
                                 .external = -1}};
    biq_flow *f = walk_with(a, r, 1, t, &is);
    const biq_flow_status_info *st = status_of(f, REVIEW);
    ck_assert_int_eq(st->role, BIQ_ROLE_DONE);
    ck_assert(st->terminal);
    /* Done made backlog (terminal re-derived: false); Review still done. */
    biq_flow_status_role r2[] = {
        {.status_id = REVIEW, .role = BIQ_ROLE_DONE, .terminal = -1, .external = -1},
        {.status_id = DONE, .role = BIQ_ROLE_BACKLOG, .terminal = -1, .external = -1}};
    f = walk_with(a, r2, 2, t, &is);
    ck_assert_int_eq(status_of(f, DONE)->role, BIQ_ROLE_BACKLOG);
    ck_assert(!status_of(f, DONE)->terminal);
    ck_assert_int_eq(biq_flow_issue_at(f, 0)->done_at, BIQ_MS_NONE);
    ck_assert_int_eq(biq_flow_issue_at(f, 0)->lead_ms, -1);
    biq_arena_free(a);
}
END_TEST

START_TEST(terminal_and_external_overrides)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_transition t[5];
    biq_issue is;
    biq_flow_status_role r[] = {
        /* role kept, terminal set: */
        {.status_id = QA, .role = -1, .terminal = 1, .external = -1},
        /* waiting on someone else: */
        {.status_id = WAIT, .role = -1, .terminal = -1, .external = 1},
        /* role set and terminal said explicitly (not re-derived): */
        {.status_id = REVIEW, .role = BIQ_ROLE_DONE, .terminal = 0, .external = 0},
        /* done but not terminal: */
        {.status_id = DONE, .role = -1, .terminal = 0, .external = -1},
    };
    biq_flow *f = walk_with(a, r, 4, t, &is);
    ck_assert_int_eq(status_of(f, QA)->role, BIQ_ROLE_ACTIVE);
    ck_assert(status_of(f, QA)->terminal);
    ck_assert(!status_of(f, QA)->external);
    ck_assert_int_eq(status_of(f, WAIT)->role, BIQ_ROLE_ACTIVE);
    ck_assert(status_of(f, WAIT)->external);
    ck_assert(!status_of(f, WAIT)->terminal);
    ck_assert_int_eq(status_of(f, REVIEW)->role, BIQ_ROLE_DONE);
    ck_assert(!status_of(f, REVIEW)->terminal);
    ck_assert(!status_of(f, REVIEW)->external);
    ck_assert_int_eq(status_of(f, DONE)->role, BIQ_ROLE_DONE);
    ck_assert(!status_of(f, DONE)->terminal);
    /* Statuses without an override keep their defaults. */
    ck_assert_int_eq(status_of(f, PROG)->role, BIQ_ROLE_ACTIVE);
    ck_assert(!status_of(f, PROG)->terminal && !status_of(f, PROG)->external);
    ck_assert_int_eq(status_of(f, TODO)->role, BIQ_ROLE_BACKLOG);
    /* And external back off for a status that is external by an earlier
     * override of the same id: the last one wins. */
    biq_flow_status_role r2[] = {
        {.status_id = WAIT, .role = -1, .terminal = -1, .external = 1},
        {.status_id = WAIT, .role = -1, .terminal = -1, .external = 0},
    };
    f = walk_with(a, r2, 2, t, &is);
    ck_assert(!status_of(f, WAIT)->external);
    biq_arena_free(a);
}
END_TEST

START_TEST(wip_limits_apply_to_their_status_only)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_transition t[5];
    biq_issue is;
    biq_flow_wip_limit lim[] = {{.status_id = QA, .limit = 1}, {.status_id = REVIEW, .limit = 7}};
    static biq_flow_settings s;
    biq_flow_settings_init(&s);
    s.wip_limits = lim;
    s.n_wip_limits = 2;
    (void)walk_with(a, NULL, 0, t, &is);
    biq_flow_input in = {.issues = &is, .n_issues = 1, .statuses = catalogue,
                         .n_statuses = N_CATALOGUE, .settings = &s, .now = T0 + 10 * DAY};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    ck_assert_int_eq(status_of(f, QA)->wip_limit, 1);
    ck_assert_int_eq(status_of(f, REVIEW)->wip_limit, 7);
    ck_assert_int_eq(status_of(f, PROG)->wip_limit, -1);
    ck_assert_int_eq(status_of(f, TODO)->wip_limit, -1);
    biq_arena_free(a);
}
END_TEST

/* --------------------------------------------------------------- settings */

START_TEST(settings_counts_without_arrays_refused)
{
    biq_flow_settings s;
    biq_flow_settings_init(&s);
    ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_OK);
    s.n_roles = 1; /* roles NULL */
    ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_ERR_INVALID);
    biq_flow_settings_init(&s);
    s.n_wip_limits = 1;
    ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_ERR_INVALID);
    biq_flow_settings_init(&s);
    s.n_excluded_types = 1;
    ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_ERR_INVALID);
    /* The same refused by biq_flow_new, which must not read the arrays. */
    biq_arena *a = biq_arena_new(1 << 20);
    biq_flow_input in = {.settings = &s, .now = T0};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_ERR_INVALID);
    ck_assert_ptr_null(f);
    /* Zero counts with arrays are fine. */
    biq_flow_status_role r = {.status_id = 1, .role = -1, .terminal = -1, .external = -1};
    biq_flow_settings_init(&s);
    s.roles = &r;
    ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_OK);
    biq_arena_free(a);
}
END_TEST

START_TEST(settings_ranges_at_their_edges)
{
    biq_flow_settings s;
    biq_flow_status_role r = {.status_id = 1, .role = -1, .terminal = -1, .external = -1};
    biq_flow_wip_limit lim = {.status_id = 1, .limit = 1};
    biq_flow_settings_init(&s);
    s.roles = &r;
    s.n_roles = 1;
    s.wip_limits = &lim;
    s.n_wip_limits = 1;
    ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_OK);
    int ok[] = {-1, 0, 1};
    for (size_t i = 0; i < 3; i++) {
        r = (biq_flow_status_role){.status_id = 1, .role = ok[i], .terminal = ok[i],
                                   .external = ok[i]};
        ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_OK);
    }
    r.role = BIQ_ROLE_DONE;
    ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_OK);
    r.role = BIQ_ROLE_DONE + 1;
    ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_ERR_INVALID);
    r.role = -2;
    ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_ERR_INVALID);
    r = (biq_flow_status_role){.status_id = 1, .role = -1, .terminal = 2, .external = -1};
    ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_ERR_INVALID);
    r.terminal = -2;
    ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_ERR_INVALID);
    r = (biq_flow_status_role){.status_id = 1, .role = -1, .terminal = -1, .external = 2};
    ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_ERR_INVALID);
    r.external = -2;
    ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_ERR_INVALID);
    r.external = -1;
    lim.limit = 0;
    ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_ERR_INVALID);
    lim.limit = 1;
    /* Thresholds: T and W in [1, 10], D in [-1, 1], inclusive. */
    double t_ok[] = {1.0, 10.0}, t_bad[] = {0.999, 10.001};
    for (size_t i = 0; i < 2; i++) {
        s.threshold_time = t_ok[i];
        ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_OK);
        s.threshold_time = t_bad[i];
        ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_ERR_INVALID);
        s.threshold_time = BIQ_FLOW_T_DEFAULT;
        s.threshold_wip = t_ok[i];
        ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_OK);
        s.threshold_wip = t_bad[i];
        ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_ERR_INVALID);
        s.threshold_wip = BIQ_FLOW_W_DEFAULT;
    }
    double d_ok[] = {-1.0, 1.0}, d_bad[] = {-1.001, 1.001};
    for (size_t i = 0; i < 2; i++) {
        s.threshold_throughput = d_ok[i];
        ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_OK);
        s.threshold_throughput = d_bad[i];
        ck_assert_int_eq(biq_flow_settings_validate(&s), BIQ_ERR_INVALID);
    }
}
END_TEST

/* ----------------------------------------------------------------- limits */

/* Exactly BIQ_FLOW_MAX_ISSUES issues pass and one more is refused. To keep
 * the flow itself small, all but three are of an excluded type (the cap is
 * on the input, before exclusion). About 180 MB of input. */
START_TEST(issue_cap_exactly_and_one_past)
{
    size_t n = (size_t)BIQ_FLOW_MAX_ISSUES + 1;
    biq_issue *v = calloc(n, sizeof *v);
    ck_assert_ptr_nonnull(v);
    for (size_t i = 0; i < n; i++) {
        v[i] = issue((int64_t)i + 1, "A-x", T0, TODO, NULL, 0);
        v[i].issue_type = "Sub-task";
    }
    v[0].issue_type = v[500000].issue_type = v[n - 2].issue_type = "Story";
    const char *excluded[] = {"sub-task"};
    biq_flow_settings s;
    biq_flow_settings_init(&s);
    s.excluded_types = excluded;
    s.n_excluded_types = 1;
    biq_arena *a = biq_arena_new(64 << 20);
    biq_flow_input in = {.issues = v, .n_issues = n - 1, .statuses = catalogue,
                         .n_statuses = N_CATALOGUE, .settings = &s, .now = T0 + DAY};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    ck_assert_uint_eq(biq_flow_issue_count(f), 3);
    in.n_issues = n;
    f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_ERR_LIMIT);
    ck_assert_ptr_null(f);
    biq_arena_free(a);
    free(v);
}
END_TEST

/* One issue with exactly BIQ_FLOW_MAX_TRANSITIONS transitions passes, with
 * one more it is refused (the whole flow, not just the issue). */
START_TEST(transition_limit_exactly_and_one_past)
{
    size_t n = (size_t)BIQ_FLOW_MAX_TRANSITIONS + 1;
    biq_transition *t = calloc(n, sizeof *t);
    ck_assert_ptr_nonnull(t);
    for (size_t i = 0; i < n; i++) {
        int64_t from = i % 2 ? QA : PROG, to = i % 2 ? PROG : QA;
        t[i] = tr((int64_t)i + 1, T0 + (biq_ms)(i + 1) * 1000, from, to);
    }
    /* After an even count the issue is back in In Progress. */
    biq_issue is[2] = {issue(1, "A-1", T0, PROG, t, n - 1), issue(2, "A-2", T0, TODO, NULL, 0)};
    is[0].changelog_total = is[0].changelog_present = 0;
    biq_arena *a = biq_arena_new(256 << 20);
    biq_flow_input in = {.issues = is, .n_issues = 2, .statuses = catalogue,
                         .n_statuses = N_CATALOGUE, .now = T0 + 2 * DAY};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    const biq_flow_issue_view *v = biq_flow_issue_by_key(f, "A-1");
    ck_assert_ptr_nonnull(v);
    ck_assert_uint_eq(v->n_slices, n); /* one per transition, plus the first */
    ck_assert_int_eq(v->slices[v->n_slices - 1].status_id, PROG);
    ck_assert(v->slices[v->n_slices - 1].open);
    is[0] = issue(1, "A-1", T0, QA, t, n);
    is[0].changelog_total = is[0].changelog_present = 0;
    f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_ERR_LIMIT);
    ck_assert_ptr_null(f);
    biq_arena_free(a);
    free(t);
}
END_TEST

/* ------------------------------------------------------------ lookup */

START_TEST(issue_by_key_first_last_and_unknown)
{
    biq_arena *a = biq_arena_new(1 << 20);
    /* Given out of order; kept in id order. */
    biq_issue is[] = {
        issue(30, "A-30", T0, TODO, NULL, 0),
        issue(10, "A-10", T0, TODO, NULL, 0),
        issue(20, "A-20", T0, PROG, NULL, 0),
        issue(40, NULL, T0, PROG, NULL, 0), /* no key: never matched */
    };
    biq_flow_input in = {.issues = is, .n_issues = 4, .statuses = catalogue,
                         .n_statuses = N_CATALOGUE, .now = T0 + DAY};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    ck_assert_uint_eq(biq_flow_issue_count(f), 4);
    const biq_flow_issue_view *first = biq_flow_issue_by_key(f, "A-10");
    const biq_flow_issue_view *mid = biq_flow_issue_by_key(f, "A-20");
    const biq_flow_issue_view *last = biq_flow_issue_by_key(f, "A-30");
    ck_assert_ptr_eq(first, biq_flow_issue_at(f, 0));
    ck_assert_ptr_eq(mid, biq_flow_issue_at(f, 1));
    ck_assert_ptr_eq(last, biq_flow_issue_at(f, 2));
    ck_assert_int_eq(first->issue->id, 10);
    ck_assert_int_eq(last->issue->id, 30);
    ck_assert_ptr_null(biq_flow_issue_by_key(f, "A-40"));
    ck_assert_ptr_null(biq_flow_issue_by_key(f, "A-1"));
    ck_assert_ptr_null(biq_flow_issue_by_key(f, "a-10")); /* keys are exact */
    ck_assert_ptr_null(biq_flow_issue_by_key(f, "A-100"));
    ck_assert_ptr_null(biq_flow_issue_by_key(f, ""));
    ck_assert_ptr_null(biq_flow_issue_by_key(f, NULL));
    /* Out of range by index too. */
    ck_assert_ptr_nonnull(biq_flow_issue_at(f, 3));
    ck_assert_ptr_null(biq_flow_issue_at(f, 4));
    ck_assert_ptr_nonnull(biq_flow_status_at(f, biq_flow_status_count(f) - 1));
    ck_assert_ptr_null(biq_flow_status_at(f, biq_flow_status_count(f)));
    /* An empty flow finds nothing. */
    in.n_issues = 0;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    ck_assert_ptr_null(biq_flow_issue_by_key(f, "A-10"));
    ck_assert_ptr_null(biq_flow_issue_at(f, 0));
    biq_arena_free(a);
}
END_TEST

/* ------------------------------------------------------------ windows */

START_TEST(inverted_windows_refused)
{
    biq_flow_window w;
    biq_window_spec s = {.kind = BIQ_WIN_CUSTOM, .from = T0 + DAY, .to = T0};
    ck_assert_int_eq(biq_window_resolve(&s, T0 + 2 * DAY, NULL, NULL, 0, &w), BIQ_ERR_INVALID);
    s.to = s.from; /* empty */
    ck_assert_int_eq(biq_window_resolve(&s, T0 + 2 * DAY, NULL, NULL, 0, &w), BIQ_ERR_INVALID);
    s.to = s.from + 1; /* one millisecond: fine */
    ck_assert_int_eq(biq_window_resolve(&s, T0 + 2 * DAY, NULL, NULL, 0, &w), BIQ_OK);
    ck_assert_int_eq(w.from, T0 + DAY);
    ck_assert_int_eq(w.to, T0 + DAY + 1);
    ck_assert_int_eq(w.prev_to, w.from);
    ck_assert_int_eq(w.prev_from, w.from - 1);
    s.from = BIQ_MS_NONE;
    ck_assert_int_eq(biq_window_resolve(&s, T0 + 2 * DAY, NULL, NULL, 0, &w), BIQ_ERR_INVALID);
    /* Day windows in the core: 1..BIQ_FLOW_MAX_SPAN_DAYS (the API's parser
     * keeps 1..365). */
    s = (biq_window_spec){.kind = BIQ_WIN_DAYS, .days = 0};
    ck_assert_int_eq(biq_window_resolve(&s, T0, NULL, NULL, 0, &w), BIQ_ERR_INVALID);
    s.days = BIQ_FLOW_MAX_SPAN_DAYS + 1;
    ck_assert_int_eq(biq_window_resolve(&s, T0, NULL, NULL, 0, &w), BIQ_ERR_INVALID);
    s.days = BIQ_FLOW_MAX_SPAN_DAYS;
    ck_assert_int_eq(biq_window_resolve(&s, T0, NULL, NULL, 0, &w), BIQ_OK);
    ck_assert_int_eq(w.from, T0 - (biq_ms)BIQ_FLOW_MAX_SPAN_DAYS * DAY);
    s.days = 1;
    ck_assert_int_eq(biq_window_resolve(&s, T0, NULL, NULL, 0, &w), BIQ_OK);
    ck_assert_int_eq(w.from, T0 - DAY);
    s.kind = (biq_window_kind)99;
    ck_assert_int_eq(biq_window_resolve(&s, T0, NULL, NULL, 0, &w), BIQ_ERR_INVALID);

    /* A hand-made inverted window (or previous window) is refused by the
     * report; an empty one (from == to) is allowed. */
    biq_arena *a = biq_arena_new(1 << 20);
    biq_issue is = issue(1, "A-1", T0, TODO, NULL, 0);
    biq_flow_input in = {.issues = &is, .n_issues = 1, .statuses = catalogue,
                         .n_statuses = N_CATALOGUE, .now = T0 + 3 * DAY};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    biq_flow_report *r = NULL;
    biq_flow_window hw = {.from = T0 + 2 * DAY, .to = T0 + DAY, .prev_from = T0,
                          .prev_to = T0 + DAY};
    ck_assert_int_eq(biq_flow_report_build(f, &hw, a, &r), BIQ_ERR_INVALID);
    hw.from = hw.to + 1; /* inverted by one millisecond */
    ck_assert_int_eq(biq_flow_report_build(f, &hw, a, &r), BIQ_ERR_INVALID);
    hw = (biq_flow_window){.from = T0 + DAY, .to = T0 + 2 * DAY, .prev_from = T0 + 1,
                           .prev_to = T0};
    ck_assert_int_eq(biq_flow_report_build(f, &hw, a, &r), BIQ_ERR_INVALID);
    hw = (biq_flow_window){.from = T0 + DAY, .to = T0 + 2 * DAY, .prev_from = T0 + DAY,
                           .prev_to = T0};
    ck_assert_int_eq(biq_flow_report_build(f, &hw, a, &r), BIQ_ERR_INVALID);
    ck_assert_ptr_null(r);
    ck_assert_int_eq(biq_flow_report_build(f, NULL, a, &r), BIQ_ERR_INVALID);
    hw = (biq_flow_window){.from = T0 + DAY, .to = T0 + DAY, .prev_from = T0,
                           .prev_to = T0 + DAY};
    ck_assert_int_eq(biq_flow_report_build(f, &hw, a, &r), BIQ_OK);
    ck_assert_ptr_nonnull(r);
    /* Charts: an inverted CFD range, and one past the day cap. */
    biq_flow_wip_stack *c = NULL;
    int64_t d0 = biq_civil_days(2018, 1, 1);
    ck_assert_int_eq(biq_flow_wip_stack_build(f, d0 + 1, d0, a, &c), BIQ_ERR_INVALID);
    ck_assert_int_eq(biq_flow_wip_stack_build(f, d0, d0, a, &c), BIQ_OK);
    ck_assert_uint_eq(c->n_days, 1);
    ck_assert_int_eq(biq_flow_wip_stack_build(f, d0, d0 + BIQ_FLOW_MAX_CHART_DAYS - 1, a, &c), BIQ_OK);
    ck_assert_uint_eq(c->n_days, BIQ_FLOW_MAX_CHART_DAYS);
    ck_assert_int_eq(biq_flow_wip_stack_build(f, d0, d0 + BIQ_FLOW_MAX_CHART_DAYS, a, &c),
                     BIQ_ERR_LIMIT);
    biq_arena_free(a);
}
END_TEST

START_TEST(sprint_completed_exactly_at_now)
{
    biq_ms now = T0 + 30 * DAY;
    biq_sprint sp[] = {
        {.id = 1, .state = "closed", .start = T0, .end = T0 + 14 * DAY,
         .complete = T0 + 14 * DAY},
        {.id = 2, .state = "closed", .start = T0 + 14 * DAY, .end = T0 + 28 * DAY,
         .complete = now}, /* completed at this very instant */
        {.id = 3, .state = "active", .start = now, .end = now + 14 * DAY,
         .complete = BIQ_MS_NONE}, /* started at this very instant */
        {.id = 4, .state = "active", .start = now + 1, .end = now + 14 * DAY,
         .complete = BIQ_MS_NONE}, /* not yet */
    };
    biq_flow_window w;
    biq_window_spec s = {.kind = BIQ_WIN_SPRINT_LAST};
    ck_assert_int_eq(biq_window_resolve(&s, now, NULL, sp, 4, &w), BIQ_OK);
    ck_assert_int_eq(w.from, sp[1].start);
    ck_assert_int_eq(w.to, now);
    ck_assert_int_eq(w.prev_from, sp[0].start);
    ck_assert_int_eq(w.prev_to, sp[0].complete);
    /* One millisecond earlier, sprint 2 is not closed yet. */
    ck_assert_int_eq(biq_window_resolve(&s, now - 1, NULL, sp, 4, &w), BIQ_OK);
    ck_assert_int_eq(w.from, sp[0].start);
    ck_assert_int_eq(w.to, sp[0].complete);
    s.kind = BIQ_WIN_SPRINT_CURRENT;
    ck_assert_int_eq(biq_window_resolve(&s, now, NULL, sp, 4, &w), BIQ_OK);
    ck_assert_int_eq(w.from, now); /* sprint 3, not 4 */
    ck_assert_int_eq(w.to, now);
    ck_assert_int_eq(biq_window_resolve(&s, now - 1, NULL, sp, 4, &w), BIQ_ERR_NOT_FOUND);
    /* Sprint windows scan a non-NULL array only. */
    ck_assert_int_eq(biq_window_resolve(&s, now, NULL, NULL, 1, &w), BIQ_ERR_INVALID);
    ck_assert_int_eq(biq_window_resolve(&s, now, NULL, NULL, 0, &w), BIQ_ERR_NOT_FOUND);
    /* A sprint with no end yet, or ending before it starts, is not closed. */
    biq_sprint odd[] = {
        {.id = 7, .state = "closed", .start = T0, .end = BIQ_MS_NONE, .complete = BIQ_MS_NONE},
        {.id = 8, .state = "closed", .start = T0 + DAY, .end = T0 + DAY, .complete = T0 + DAY},
        {.id = 9, .state = "closed", .start = BIQ_MS_NONE, .end = T0, .complete = T0},
    };
    s.kind = BIQ_WIN_SPRINT_LAST;
    ck_assert_int_eq(biq_window_resolve(&s, now, NULL, odd, 3, &w), BIQ_ERR_NOT_FOUND);
    /* Planned end used when there is no completion date. */
    odd[0].end = T0 + 5 * DAY;
    ck_assert_int_eq(biq_window_resolve(&s, now, NULL, odd, 3, &w), BIQ_OK);
    ck_assert_int_eq(w.to, T0 + 5 * DAY);
}
END_TEST

/* Ten closed sprints two weeks apart, in either order: the last three and
 * the three before are found however many came first (the window keeps
 * only the six most recent while scanning). */
START_TEST(sprint_windows_among_many_closed)
{
    enum { N = 10 };
    biq_sprint sp[N];
    biq_ms now = T0 + 200 * DAY;
    for (int order = 0; order < 2; order++) {
        for (int i = 0; i < N; i++) {
            int k = order ? i : N - 1 - i; /* oldest first, or newest first */
            sp[i] = (biq_sprint){.id = k + 1, .state = "closed", .start = T0 + k * 14 * DAY,
                                 .end = T0 + (k + 1) * 14 * DAY,
                                 .complete = T0 + (k + 1) * 14 * DAY};
        }
        biq_flow_window w;
        biq_window_spec s = {.kind = BIQ_WIN_SPRINT_LAST3};
        ck_assert_int_eq(biq_window_resolve(&s, now, NULL, sp, N, &w), BIQ_OK);
        ck_assert_int_eq(w.from, T0 + 7 * 14 * DAY);
        ck_assert_int_eq(w.to, T0 + 10 * 14 * DAY);
        ck_assert_int_eq(w.prev_from, T0 + 4 * 14 * DAY);
        ck_assert_int_eq(w.prev_to, T0 + 7 * 14 * DAY);
        s.kind = BIQ_WIN_SPRINT_LAST;
        ck_assert_int_eq(biq_window_resolve(&s, now, NULL, sp, N, &w), BIQ_OK);
        ck_assert_int_eq(w.from, T0 + 9 * 14 * DAY);
        ck_assert_int_eq(w.prev_from, T0 + 8 * 14 * DAY);
    }
}
END_TEST

/* At most 1,000,000 sprints are scanned per resolution. */
START_TEST(sprint_scan_cap)
{
    size_t n = 1000000;
    biq_sprint *sp = calloc(n + 1, sizeof *sp);
    ck_assert_ptr_nonnull(sp);
    for (size_t i = 0; i <= n; i++)
        sp[i] = (biq_sprint){.id = (int64_t)i + 1, .state = "future", .start = BIQ_MS_NONE,
                             .end = BIQ_MS_NONE, .complete = BIQ_MS_NONE};
    sp[n / 2] = (biq_sprint){.id = 7, .state = "active", .start = T0, .end = T0 + 14 * DAY,
                             .complete = BIQ_MS_NONE};
    biq_flow_window w;
    biq_window_spec s = {.kind = BIQ_WIN_SPRINT_CURRENT};
    ck_assert_int_eq(biq_window_resolve(&s, T0 + DAY, NULL, sp, n, &w), BIQ_OK);
    ck_assert_int_eq(w.from, T0);
    ck_assert_int_eq(biq_window_resolve(&s, T0 + DAY, NULL, sp, n + 1, &w), BIQ_ERR_INVALID);
    free(sp);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("flow_limits");
    TCase *tc = tcase_create("limits");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, role_override_to_backlog);
    tcase_add_test(tc, role_override_to_active);
    tcase_add_test(tc, role_override_to_done);
    tcase_add_test(tc, terminal_and_external_overrides);
    tcase_add_test(tc, wip_limits_apply_to_their_status_only);
    tcase_add_test(tc, settings_counts_without_arrays_refused);
    tcase_add_test(tc, settings_ranges_at_their_edges);
    tcase_add_test(tc, issue_cap_exactly_and_one_past);
    tcase_add_test(tc, transition_limit_exactly_and_one_past);
    tcase_add_test(tc, issue_by_key_first_last_and_unknown);
    tcase_add_test(tc, inverted_windows_refused);
    tcase_add_test(tc, sprint_completed_exactly_at_now);
    tcase_add_test(tc, sprint_windows_among_many_closed);
    tcase_add_test(tc, sprint_scan_cap);
    suite_add_tcase(s, tc);
    return s;
}
