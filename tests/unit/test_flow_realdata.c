/* test_flow_realdata.c - the flow core on real Jira data (DevLake's Merico
 * sample: 33 issues with full changelogs), read here with jansson so that
 * the test does not depend on the ingest parsers. The expected totals come
 * from an independent re-implementation of product.md's rules in Python
 * (see the comment at `expected`), with now = 2024-01-01T00:00:00Z. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/arena.h"
#include "flow/dashboard_json.h"
#include "flow/flow.h"
#include "testsupport.h"
#include "tz/civil.h"

#define NOW INT64_C(1704067200000)

enum { PATH_LEN = 1024, MAX_ISSUES = 64, MAX_STATUSES = 256, MAX_TRANS = 4096 };

typedef struct data {
    json_t *issues_doc, *statuses_doc;
    biq_issue issues[MAX_ISSUES];
    size_t n_issues;
    biq_status statuses[MAX_STATUSES];
    size_t n_statuses;
    biq_transition trans[MAX_TRANS];
    size_t n_trans;
} data;

static int64_t digits(const char *s, int n)
{
    int64_t v = 0;
    for (int i = 0; i < n; i++) {
        ck_assert(s[i] >= '0' && s[i] <= '9');
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* "2020-06-12T08:13:13.360+0800" -> ms UTC. */
static biq_ms instant(const char *s)
{
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(strlen(s), 28);
    int64_t day = biq_civil_days(digits(s, 4), (int)digits(s + 5, 2), (int)digits(s + 8, 2));
    int64_t ms = ((digits(s + 11, 2) * 60 + digits(s + 14, 2)) * 60 + digits(s + 17, 2)) * 1000 +
                 digits(s + 20, 3);
    int64_t off = (digits(s + 24, 2) * 60 + digits(s + 26, 2)) * 60000;
    return day * BIQ_MS_PER_DAY + ms - (s[23] == '-' ? -off : off);
}

static int64_t id_of(json_t *v)
{
    const char *s = json_string_value(v);
    if (!s)
        return 0;
    return digits(s, (int)strlen(s));
}

static biq_status_category category(const char *key)
{
    if (!key)
        return BIQ_CAT_UNKNOWN;
    return strcmp(key, "new") == 0             ? BIQ_CAT_NEW
           : strcmp(key, "indeterminate") == 0 ? BIQ_CAT_ACTIVE
           : strcmp(key, "done") == 0          ? BIQ_CAT_DONE
                                               : BIQ_CAT_UNKNOWN;
}

static json_t *load_json(const char *name)
{
    const char *dir = getenv("BIQ_SHARED_DIR");
    char path[PATH_LEN];
    snprintf(path, sizeof path, "%s/realdata/devlake-merico/%s", dir ? dir : "../shared", name);
    json_error_t e;
    json_t *j = json_load_file(path, JSON_ALLOW_NUL, &e);
    ck_assert_msg(j != NULL, "cannot read %s: %s", path, e.text);
    return j;
}

static void add_transitions(data *d, json_t *histories, biq_issue *is)
{
    size_t hi, first = d->n_trans;
    json_t *h;
    json_array_foreach(histories, hi, h) {
        size_t ii;
        json_t *it;
        json_array_foreach(json_object_get(h, "items"), ii, it) {
            if (strcmp(json_string_value(json_object_get(it, "field")), "status") != 0)
                continue;
            ck_assert_uint_lt(d->n_trans, MAX_TRANS);
            d->trans[d->n_trans++] = (biq_transition){
                .history_id = id_of(json_object_get(h, "id")), .item_index = (int32_t)ii,
                .at = instant(json_string_value(json_object_get(h, "created"))),
                .from_status = id_of(json_object_get(it, "from")),
                .to_status = id_of(json_object_get(it, "to")),
                .from_name = json_string_value(json_object_get(it, "fromString")),
                .to_name = json_string_value(json_object_get(it, "toString"))};
        }
    }
    is->transitions = &d->trans[first];
    is->n_transitions = d->n_trans - first;
}

static void load(data *d)
{
    memset(d, 0, sizeof *d);
    d->statuses_doc = load_json("statuses.json");
    d->issues_doc = load_json("issues-with-changelog.json");
    size_t i;
    json_t *v;
    json_array_foreach(d->statuses_doc, i, v) {
        ck_assert_uint_lt(d->n_statuses, MAX_STATUSES);
        d->statuses[d->n_statuses++] = (biq_status){
            .id = id_of(json_object_get(v, "id")),
            .name = json_string_value(json_object_get(v, "name")),
            .category = category(json_string_value(
                json_object_get(json_object_get(v, "statusCategory"), "key")))};
    }
    json_array_foreach(json_object_get(d->issues_doc, "issues"), i, v) {
        json_t *f = json_object_get(v, "fields"), *cl = json_object_get(v, "changelog");
        ck_assert_uint_lt(d->n_issues, MAX_ISSUES);
        biq_issue *is = &d->issues[d->n_issues++];
        *is = (biq_issue){
            .id = id_of(json_object_get(v, "id")),
            .key = json_string_value(json_object_get(v, "key")),
            .project_key = json_string_value(json_object_get(json_object_get(f, "project"), "key")),
            .summary = json_string_value(json_object_get(f, "summary")),
            .status_id = id_of(json_object_get(json_object_get(f, "status"), "id")),
            .issue_type = json_string_value(json_object_get(json_object_get(f, "issuetype"), "name")),
            .created = instant(json_string_value(json_object_get(f, "created"))),
            .resolution_at = BIQ_MS_NONE,
            .changelog_total = (int32_t)json_integer_value(json_object_get(cl, "total")),
            .changelog_present = (int32_t)json_array_size(json_object_get(cl, "histories")),
        };
        add_transitions(d, json_object_get(cl, "histories"), is);
    }
}

static void unload(data *d)
{
    json_decref(d->issues_doc);
    json_decref(d->statuses_doc);
}

static biq_flow *make(data *d, biq_arena *a)
{
    biq_flow_input in = {.issues = d->issues, .n_issues = d->n_issues, .statuses = d->statuses,
                         .n_statuses = d->n_statuses, .now = NOW};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    return f;
}

START_TEST(real_data_matches_the_reference)
{
    /* python3 reference: issues, slices, out-of-order, from-mismatch, done,
     * sum of lead ms, issues with a cycle time, sum of cycle ms, unknown
     * statuses, current-status mismatches. */
    static const int64_t expected[] = {33, 198, 0, 0, 30, INT64_C(290158003373), 9,
                                       INT64_C(76136694271), 4, 0};
    data *d = malloc(sizeof *d);
    load(d);
    biq_arena *a = biq_arena_new(32u << 20);
    biq_flow *f = make(d, a);
    int64_t slices = 0, done = 0, lead = 0, ncycle = 0, cycle = 0;
    for (size_t i = 0; i < biq_flow_issue_count(f); i++) {
        const biq_flow_issue_view *v = biq_flow_issue_at(f, i);
        slices += (int64_t)v->n_slices;
        if (v->done_at != BIQ_MS_NONE) {
            done++;
            lead += v->lead_ms;
        }
        if (v->cycle_ms >= 0) {
            ncycle++;
            cycle += v->cycle_ms;
        }
        for (size_t k = 0; k + 1 < v->n_slices; k++)
            ck_assert_int_eq(v->slices[k].end, v->slices[k + 1].start);
    }
    size_t nf = 0, counts[BIQ_DQ__COUNT] = {0};
    const biq_flow_finding *fs = biq_flow_findings(f, &nf);
    for (size_t i = 0; i < nf; i++)
        counts[fs[i].kind]++;
    int64_t got[] = {(int64_t)biq_flow_issue_count(f), slices, (int64_t)counts[BIQ_DQ_OUT_OF_ORDER],
                     (int64_t)counts[BIQ_DQ_FROM_MISMATCH], done, lead, ncycle, cycle,
                     (int64_t)counts[BIQ_DQ_UNKNOWN_STATUS], (int64_t)counts[BIQ_DQ_STATUS_MISMATCH]};
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        ck_assert_msg(got[i] == expected[i], "field %zu: %lld != %lld", i, (long long)got[i],
                      (long long)expected[i]);
    /* Every window builds a dashboard. */
    static const char *windows[] = {"7d", "30d", "90d", "365", "mtd", "qtd"};
    for (size_t k = 0; k < sizeof windows / sizeof windows[0]; k++) {
        biq_window_spec spec;
        biq_flow_window w;
        biq_flow_report *r = NULL;
        ck_assert_int_eq(biq_window_parse(windows[k], &spec), BIQ_OK);
        ck_assert_int_eq(biq_flow_window_resolve(f, &spec, &w), BIQ_OK);
        ck_assert_int_eq(biq_flow_report_build(f, &w, a, &r), BIQ_OK);
        json_t *j = biq_flow_dashboard_json(f, r, NULL);
        ck_assert_ptr_nonnull(j);
        json_decref(j);
    }
    biq_arena_free(a);
    unload(d);
    free(d);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("flow_realdata");
    TCase *tc = tcase_create("realdata");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, real_data_matches_the_reference);
    suite_add_tcase(s, tc);
    return s;
}
