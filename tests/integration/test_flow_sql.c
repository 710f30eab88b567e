/* test_flow_sql.c - the flow core's slices cross-checked against a second,
 * independent implementation in PostgreSQL window functions, on real Jira
 * data (DevLake's Merico sample) plus hand-made edge cases.
 *
 * The transitions are extracted here with jansson (not through src/ingest),
 * fed to the flow core, and COPYed into temp tables where one query rebuilds
 * every slice with lead() over (partition by issue order by at, history_id,
 * item). Both must agree to the millisecond on every issue: number of
 * slices, status, start, end (open slices end at the injected now), open.
 *
 * product.md's rules in SQL terms:
 *  - the first slice starts at `created` in the `from` of the earliest
 *    transition (its `to` when it has no `from`; the current status when
 *    there is no transition) -- DISTINCT ON over all transitions;
 *  - a transition earlier than the running slice's start is skipped. After
 *    sorting, every kept transition starts a slice no earlier than the one
 *    before, so "earlier than the running slice" is exactly "earlier than
 *    created": the SQL path needs the one filter `at >= created`, and
 *    nothing else (no recursion);
 *  - the same (history id, item) twice is one event -- DISTINCT;
 *  - the open slice runs to greatest(start, now).
 * Per-status P50/P90 of closed, non-empty slices are compared too
 * (percentile_cont is Hyndman-Fan type 7, as the flow core's). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/arena.h"
#include "flow/flow.h"
#include "devlake.h"
#include "harness.h"
#include "testsupport.h"
#include "tz/civil.h"

#define NOW INT64_C(1704067200000) /* 2024-01-01T00:00:00Z */
#define H_MS BIQ_MS_PER_HOUR

enum {
    MAX_ISSUES = 128,
    MAX_TRANS = 8192,
    MAX_STATUSES = 256,
    LINE_MAX_LEN = 256,
    SQL_MAX = 512,
    ARENA_LIMIT = 64 << 20,
    TIME_LEN = 32,
};

typedef struct dataset {
    json_t *doc, *statuses_doc;
    biq_issue issues[MAX_ISSUES];
    size_t n_issues;
    biq_transition trans[MAX_TRANS];
    size_t n_trans;
    biq_status statuses[MAX_STATUSES];
    size_t n_statuses;
} dataset;

static harness H;

static void setup(void)
{
    harness_init(&H, "biq_flow_sql");
}

static void teardown(void)
{
    harness_cleanup(&H);
}

/* -------------------------------------------------------- extraction */

/* Instants, ids and the files come from tests/support/devlake.h. */

static bool is_status_item(json_t *it)
{
    const char *field = json_string_value(json_object_get(it, "field"));
    const char *id = json_string_value(json_object_get(it, "fieldId"));
    return (id && strcmp(id, "status") == 0) || (field && strcmp(field, "status") == 0);
}

static biq_transition *add_trans(dataset *d)
{
    ck_assert_uint_lt(d->n_trans, MAX_TRANS);
    return &d->trans[d->n_trans++];
}

static void extract_issue(dataset *d, json_t *v)
{
    json_t *f = json_object_get(v, "fields"), *cl = json_object_get(v, "changelog");
    json_t *hs = json_object_get(cl, "histories"), *h;
    /* Every embedded changelog of this sample is complete; a truncated one
     * would need its changelog page and must not pass silently. */
    ck_assert_int_eq(json_integer_value(json_object_get(cl, "total")), json_array_size(hs));
    ck_assert_uint_lt(d->n_issues, MAX_ISSUES);
    biq_issue *is = &d->issues[d->n_issues++];
    size_t first = d->n_trans, hi, ii;
    json_array_foreach(hs, hi, h) {
        json_t *it;
        json_array_foreach(json_object_get(h, "items"), ii, it) {
            if (!is_status_item(it))
                continue;
            *add_trans(d) = (biq_transition){
                .history_id = devlake_id(json_object_get(h, "id")), .item_index = (int32_t)ii,
                .at = devlake_instant(json_string_value(json_object_get(h, "created"))),
                .from_status = devlake_id(json_object_get(it, "from")),
                .to_status = devlake_id(json_object_get(it, "to"))};
        }
    }
    *is = (biq_issue){.id = devlake_id(json_object_get(v, "id")),
                      .key = json_string_value(json_object_get(v, "key")),
                      .status_id = devlake_id(json_object_get(json_object_get(f, "status"), "id")),
                      .created = devlake_instant(json_string_value(json_object_get(f, "created"))),
                      .updated = BIQ_MS_NONE, .resolution_at = BIQ_MS_NONE,
                      .transitions = &d->trans[first], .n_transitions = d->n_trans - first,
                      .changelog_total = -1, .changelog_present = -1};
}

static biq_status_category category(const char *key)
{
    if (key == NULL)
        return BIQ_CAT_UNKNOWN;
    return strcmp(key, "new") == 0             ? BIQ_CAT_NEW
           : strcmp(key, "indeterminate") == 0 ? BIQ_CAT_ACTIVE
           : strcmp(key, "done") == 0          ? BIQ_CAT_DONE
                                               : BIQ_CAT_UNKNOWN;
}

/* Edge cases the real sample lacks (ids far above its own). */
static void add_edge_cases(dataset *d)
{
    static const biq_ms C = INT64_C(1700000000000); /* 2023-11-14T22:13:20Z */
    static const char *const keys[] = {"EDGE-1", "EDGE-2", "EDGE-3", "EDGE-4", "EDGE-5"};
    static const struct {
        int issue;
        int64_t hist, from, to;
        biq_ms at;
        int32_t item;
    } rows[] = {
        /* EDGE-1: a transition before created (skipped), then a move. */
        {0, 9001, 1, 3, C - H_MS, 0}, {0, 9002, 1, 3, C + H_MS, 0},
        /* EDGE-2: the same item twice, and two moves at one instant with
         * history ids in reverse array order. */
        {1, 9011, 1, 3, C + H_MS, 0}, {1, 9011, 1, 3, C + H_MS, 0},
        {1, 9013, 10001, 6, C + 2 * H_MS, 0}, {1, 9012, 3, 10001, C + 2 * H_MS, 0},
        /* EDGE-3: no transition. EDGE-4: earliest transition without `from`. */
        {3, 9031, 0, 3, C + 3 * H_MS, 0}, {3, 9032, 3, 6, C + 5 * H_MS, 1},
        /* EDGE-5: a move exactly at created, then one after now (not seen
         * at now: the slice it would close stays open to now). */
        {4, 9041, 1, 3, C, 0}, {4, 9042, 3, 6, NOW + H_MS, 0},
    };
    size_t base = d->n_issues;
    for (size_t k = 0; k < 5; k++)
        d->issues[base + k] = (biq_issue){.id = 900000 + (int64_t)k, .key = keys[k],
                                          .status_id = k == 2 ? 10001 : 6, .created = C,
                                          .updated = BIQ_MS_NONE, .resolution_at = BIQ_MS_NONE,
                                          .changelog_total = -1, .changelog_present = -1};
    size_t r = 0;
    for (size_t k = 0; k < 5; k++) {
        biq_issue *is = &d->issues[base + k];
        is->transitions = &d->trans[d->n_trans];
        for (; r < sizeof rows / sizeof rows[0] && rows[r].issue == (int)k; r++)
            *add_trans(d) = (biq_transition){.history_id = rows[r].hist,
                                             .item_index = rows[r].item, .at = rows[r].at,
                                             .from_status = rows[r].from,
                                             .to_status = rows[r].to};
        is->n_transitions = (size_t)(&d->trans[d->n_trans] - is->transitions);
    }
    d->n_issues += 5;
}

static void load(dataset *d)
{
    memset(d, 0, sizeof *d);
    d->doc = devlake_json("issues-with-changelog.json");
    d->statuses_doc = devlake_json("statuses.json");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(d->doc, "issues"), i, v) extract_issue(d, v);
    json_array_foreach(d->statuses_doc, i, v) {
        ck_assert_uint_lt(d->n_statuses, MAX_STATUSES);
        d->statuses[d->n_statuses++] = (biq_status){
            .id = devlake_id(json_object_get(v, "id")),
            .name = json_string_value(json_object_get(v, "name")),
            .category = category(json_string_value(
                json_object_get(json_object_get(v, "statusCategory"), "key")))};
    }
    ck_assert_uint_eq(d->n_issues, 33);
    add_edge_cases(d);
}

/* -------------------------------------------------------------- SQL side */

static void iso(biq_ms t, char *buf)
{
    ck_assert(biq_flow_format_instant(t, buf, TIME_LEN));
}

static void copy_begin(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    ck_assert_msg(PQresultStatus(r) == PGRES_COPY_IN, "%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
}

static void copy_line(PGconn *c, const char *line, size_t len)
{
    ck_assert_int_eq(PQputCopyData(c, line, (int)len), 1);
}

static void copy_end(PGconn *c)
{
    ck_assert_int_eq(PQputCopyEnd(c, NULL), 1);
    PGresult *r = PQgetResult(c);
    ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "COPY: %s", PQerrorMessage(c));
    PQclear(r);
    PQclear(PQgetResult(c));
}

static void copy_rows(PGconn *c, const dataset *d)
{
    char line[LINE_MAX_LEN], at[TIME_LEN];
    PQclear(harness_sql(c, "CREATE TEMP TABLE iss (issue bigint PRIMARY KEY,"
                           " created timestamptz NOT NULL, status bigint NOT NULL)"));
    PQclear(harness_sql(c, "CREATE TEMP TABLE tr (issue bigint NOT NULL, history_id bigint"
                           " NOT NULL, item int NOT NULL, at timestamptz NOT NULL,"
                           " from_status bigint NOT NULL, to_status bigint NOT NULL)"));
    copy_begin(c, "COPY iss FROM STDIN");
    for (size_t i = 0; i < d->n_issues; i++) {
        iso(d->issues[i].created, at);
        int n = snprintf(line, sizeof line, "%lld\t%s\t%lld\n", (long long)d->issues[i].id, at,
                         (long long)d->issues[i].status_id);
        copy_line(c, line, (size_t)n);
    }
    copy_end(c);
    copy_begin(c, "COPY tr FROM STDIN");
    for (size_t i = 0; i < d->n_issues; i++) {
        const biq_issue *is = &d->issues[i];
        for (size_t k = 0; k < is->n_transitions; k++) {
            const biq_transition *t = &is->transitions[k];
            iso(t->at, at);
            int n = snprintf(line, sizeof line, "%lld\t%lld\t%d\t%s\t%lld\t%lld\n",
                             (long long)is->id, (long long)t->history_id, t->item_index, at,
                             (long long)t->from_status, (long long)t->to_status);
            copy_line(c, line, (size_t)n);
        }
    }
    copy_end(c);
}

/* The slices, one row each: issue, status, start ms, end ms, open. */
#define SLICES_SQL \
    "CREATE TEMP VIEW slices AS " \
    "WITH n AS (SELECT '%s'::timestamptz AS now_at)," \
    " t AS (SELECT DISTINCT issue, history_id, item, at, from_status, to_status FROM tr)," \
    " first AS (SELECT DISTINCT ON (issue) issue," \
    "   coalesce(nullif(from_status, 0), to_status) AS status" \
    "   FROM t ORDER BY issue, at, history_id, item)," \
    " events AS (" \
    "   SELECT i.issue, i.created AS at, 0::bigint AS history_id, -1 AS item," \
    "     coalesce(f.status, i.status) AS status FROM iss i LEFT JOIN first f USING (issue)" \
    "     WHERE i.created <= (SELECT now_at FROM n)" \
    "   UNION ALL" \
    "   SELECT t.issue, t.at, t.history_id, t.item, t.to_status FROM t" \
    "     JOIN iss i USING (issue) WHERE t.at >= i.created AND t.at <= (SELECT now_at FROM n)" \
    "     AND i.created <= (SELECT now_at FROM n))," \
    " s AS (SELECT issue, status, at AS start_at, history_id, item," \
    "   lead(at) OVER w AS next_at FROM events" \
    "   WINDOW w AS (PARTITION BY issue ORDER BY at, history_id, item))" \
    " SELECT issue, status, history_id, item," \
    "   (extract(epoch FROM start_at) * 1000)::bigint AS start_ms," \
    "   (extract(epoch FROM coalesce(next_at, greatest(start_at, now_at))) * 1000)::bigint" \
    "     AS end_ms," \
    "   next_at IS NULL AS open" \
    " FROM s, n"

static long long cell(PGresult *r, int row, int col)
{
    return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static size_t compare_slices(PGconn *c, const biq_flow *f)
{
    PGresult *r = harness_sql(c, "SELECT issue, status, start_ms, end_ms, open FROM slices"
                                 " ORDER BY issue, start_ms, history_id, item");
    int row = 0, rows = PQntuples(r);
    size_t checked = 0;
    for (size_t i = 0; i < biq_flow_issue_count(f); i++) {
        const biq_flow_issue_view *v = biq_flow_issue_at(f, i);
        for (size_t k = 0; k < v->n_slices; k++, row++) {
            const biq_flow_slice *s = &v->slices[k];
            ck_assert_msg(row < rows, "%s: SQL has fewer slices", v->issue->key);
            ck_assert_msg(cell(r, row, 0) == v->issue->id, "%s: SQL slice count differs",
                          v->issue->key);
            ck_assert_msg(cell(r, row, 1) == s->status_id, "%s slice %zu: status %lld vs %lld",
                          v->issue->key, k, cell(r, row, 1), (long long)s->status_id);
            ck_assert_msg(cell(r, row, 2) == s->start, "%s slice %zu: start", v->issue->key, k);
            ck_assert_msg(cell(r, row, 3) == s->end, "%s slice %zu: end %lld vs %lld",
                          v->issue->key, k, cell(r, row, 3), (long long)s->end);
            ck_assert_int_eq(PQgetvalue(r, row, 4)[0] == 't', s->open);
            checked++;
        }
    }
    ck_assert_int_eq(row, rows);
    PQclear(r);
    return checked;
}

/* Per status: P50/P90 of closed, non-empty slices, both ways. */
static void compare_percentiles(PGconn *c, const biq_flow *f)
{
    PGresult *r = harness_sql(
        c, "SELECT status, count(*),"
           " percentile_cont(0.5) WITHIN GROUP (ORDER BY end_ms - start_ms),"
           " percentile_cont(0.9) WITHIN GROUP (ORDER BY end_ms - start_ms)"
           " FROM slices WHERE NOT open AND end_ms > start_ms GROUP BY status ORDER BY status");
    int64_t *vals = malloc(MAX_TRANS * sizeof *vals);
    ck_assert_ptr_nonnull(vals);
    ck_assert_int_gt(PQntuples(r), 5);
    for (int row = 0; row < PQntuples(r); row++) {
        size_t n = 0;
        for (size_t i = 0; i < biq_flow_issue_count(f); i++) {
            const biq_flow_issue_view *v = biq_flow_issue_at(f, i);
            for (size_t k = 0; k < v->n_slices; k++)
                if (v->slices[k].status_id == cell(r, row, 0) && !v->slices[k].open &&
                    v->slices[k].end > v->slices[k].start)
                    vals[n++] = v->slices[k].duration_ms;
        }
        biq_flow_stats st;
        biq_flow_stats_compute(vals, n, &st);
        ck_assert_int_eq(cell(r, row, 1), (long long)st.count);
        ck_assert_double_eq_tol(strtod(PQgetvalue(r, row, 2), NULL), st.p50_ms, 1e-3);
        ck_assert_double_eq_tol(strtod(PQgetvalue(r, row, 3), NULL), st.p90_ms, 1e-3);
    }
    free(vals);
    PQclear(r);
}

START_TEST(slices_match_window_functions_on_real_data)
{
    dataset *d = malloc(sizeof *d);
    ck_assert_ptr_nonnull(d);
    load(d);
    biq_arena *a = biq_arena_new(ARENA_LIMIT);
    biq_flow_input in = {.issues = d->issues, .n_issues = d->n_issues, .statuses = d->statuses,
                         .n_statuses = d->n_statuses, .now = NOW};
    biq_flow *f = NULL;
    ck_assert_int_eq(biq_flow_new(&in, a, &f), BIQ_OK);
    ck_assert_uint_eq(biq_flow_issue_count(f), 38);

    PGconn *c = harness_pg(&H, "biq_owner");
    copy_rows(c, d);
    char sql[sizeof SLICES_SQL + TIME_LEN], now[TIME_LEN];
    iso(NOW, now);
    int n = snprintf(sql, sizeof sql, SLICES_SQL, now);
    ck_assert(n > 0 && (size_t)n < sizeof sql);
    PQclear(harness_sql(c, sql));
    size_t checked = compare_slices(c, f);
    /* 198 real slices (test_flow_realdata's reference) + the edge cases. */
    ck_assert_uint_eq(checked, 198 + 2 + 4 + 1 + 3 + 2);
    compare_percentiles(c, f);

    /* The edge cases did what they are for. */
    const biq_flow_issue_view *e1 = biq_flow_issue_by_key(f, "EDGE-1");
    ck_assert_uint_eq(e1->n_slices, 2);
    ck_assert_int_eq(e1->slices[0].status_id, 1); /* from of the skipped one */
    const biq_flow_issue_view *e5 = biq_flow_issue_by_key(f, "EDGE-5");
    ck_assert_int_eq(e5->slices[0].end, e5->slices[0].start); /* zero-length at created */
    /* A move after now has not happened yet at now ("as of"): the slice it
     * would close stays open, to now. */
    ck_assert_uint_eq(e5->n_slices, 2);
    ck_assert_int_eq(e5->slices[1].end, NOW);
    ck_assert(e5->slices[1].open);
    size_t nf = 0, ooo = 0;
    const biq_flow_finding *fs = biq_flow_findings(f, &nf);
    for (size_t i = 0; i < nf; i++)
        ooo += fs[i].kind == BIQ_DQ_OUT_OF_ORDER;
    ck_assert_uint_eq(ooo, 1);

    PQfinish(c);
    biq_arena_free(a);
    json_decref(d->doc);
    json_decref(d->statuses_doc);
    free(d);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("flow_sql");
    TCase *tc = tcase_create("flow_sql");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, slices_match_window_functions_on_real_data);
    suite_add_tcase(s, tc);
    return s;
}
