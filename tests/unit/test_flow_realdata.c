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
#include "devlake.h"
#include "testsupport.h"
#include "tz/civil.h"

#define NOW INT64_C(1704067200000)

/* The captures read independently of src/ingest (tests/support/devlake.h). */
typedef devlake data;

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
    devlake_load(d);
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
    devlake_free(d);
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
