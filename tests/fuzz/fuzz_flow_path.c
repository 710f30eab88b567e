/* fuzz_flow_path.c - the whole path a search page takes, as `biq analyze`
 * and the dashboard routes run it (cli/analyze.c, api/views.c):
 * biq_ingest_load + biq_parse_issue_page, then the flow core with working
 * hours on (Berlin's rules as a POSIX zone, so no file is read; Mon-Fri
 * 09:00-17:00; holidays, one on a weekend) at a fixed clock (FUZZ_NOW),
 * and every view of it: the report of the 30-day and the month-to-date
 * window with its dashboard JSON (the bottleneck's XmR input on), the CSV
 * export lines, WIP aging, 30 days of cumulative flow, the scatter and the
 * run charts (JSON and CSV; their limits contain the mean).
 *
 * Properties: the flow builds (or refuses with a limit); each issue's
 * slices tile [first start, now] in order with 0 <= working duration <=
 * calendar span; every view builds; CSV lines fit or are refused as too
 * large. Work must stay bounded by the page's size, not by its dates:
 * scripts/fuzz.sh gives this harness a short -timeout, so a slow input is
 * a finding (build-fuzz/findings/fuzz_flow_path/timeout-*).
 */
#include "flow/charts_json.h"
#include "flow/dashboard_json.h"
#include "fuzz_ingest.h"
#include "tz/civil.h"

enum { WORK_START_MIN = 9 * 60, WORK_END_MIN = 17 * 60, MON_TO_FRI = 0x1f, CFD_DAYS = 30 };

static const char BERLIN[] = "CET-1CEST,M3.5.0,M10.5.0/3";
static biq_tz *zone;
static biq_arena *zone_arena;
static int64_t holidays[6];

/* The zone lives for the whole process; freed at exit for the leak check. */
static void free_zone(void)
{
    biq_arena_free(zone_arena);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    FUZZ_CHECK(atexit(free_zone) == 0);
    zone_arena = biq_arena_new((size_t)1 << 16);
    FUZZ_CHECK(zone_arena != NULL);
    FUZZ_CHECK(biq_tz_from_posix(BERLIN, "Europe/Berlin", zone_arena, &zone) == BIQ_OK);
    static const int DATES[][3] = {{2023, 12, 25}, {2024, 5, 1},  {2024, 12, 25},
                                   {2025, 1, 1},   {2025, 5, 31}, /* a Saturday */
                                   {2025, 12, 25}};
    for (size_t i = 0; i < sizeof holidays / sizeof holidays[0]; i++)
        holidays[i] = biq_civil_days(DATES[i][0], DATES[i][1], DATES[i][2]);
    return 0;
}

static void check_slices(const biq_flow *f)
{
    biq_ms now = biq_flow_now(f);
    for (size_t i = 0; i < biq_flow_issue_count(f); i++) {
        const biq_flow_issue_view *v = biq_flow_issue_at(f, i);
        FUZZ_CHECK(v != NULL && v->n_slices >= 1);
        for (size_t j = 0; j < v->n_slices; j++) {
            const biq_flow_slice *s = &v->slices[j];
            FUZZ_CHECK(s->start <= s->end);
            FUZZ_CHECK(s->duration_ms >= 0 && s->duration_ms <= s->end - s->start);
            FUZZ_CHECK(j == 0 || v->slices[j - 1].end == s->start);
            FUZZ_CHECK(s->open == (j + 1 == v->n_slices) || !s->open);
        }
        FUZZ_CHECK(v->slices[v->n_slices - 1].end <= now || v->slices[0].start > now);
    }
}

static void views(const biq_flow *f, const char *window, biq_arena *a)
{
    biq_window_spec spec;
    biq_flow_window w;
    biq_flow_report *r = NULL;
    FUZZ_CHECK(biq_window_parse(window, &spec) == BIQ_OK);
    FUZZ_CHECK(biq_flow_window_resolve(f, &spec, &w) == BIQ_OK);
    FUZZ_CHECK(biq_flow_report_build(f, &w, a, &r) == BIQ_OK);
    biq_dashboard_meta meta = {.project_key = "FUZZ", .project_name = "Fuzz"};
    json_t *dash = biq_flow_dashboard_json(f, r, &meta);
    FUZZ_CHECK(dash != NULL);
    char *text = biq_flow_json_dumps(dash);
    FUZZ_CHECK(text != NULL);
    free(text);
    json_decref(dash);

    biq_flow_csv_row *rows = NULL;
    size_t n = 0;
    FUZZ_CHECK(biq_flow_csv_rows(f, &w, a, &rows, &n) == BIQ_OK);
    char line[BIQ_FLOW_CSV_LINE_MAX];
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        biq_err err = biq_flow_csv_format(&rows[i], line, sizeof line, &len);
        FUZZ_CHECK(err == BIQ_OK || err == BIQ_ERR_TOO_LARGE);
    }
    biq_flow_scatter *sc = NULL;
    FUZZ_CHECK(biq_flow_scatter_build(f, &w, a, &sc) == BIQ_OK);
    json_decref(biq_flow_scatter_json(sc));
    biq_flow_runs *runs = NULL;
    FUZZ_CHECK(biq_flow_runs_build(f, &w, a, &runs) == BIQ_OK);
    json_decref(biq_flow_runs_json(runs));
    for (int k = 0; k < BIQ_RUN__COUNT; k++) {
        const biq_run_series *s = &runs->series[k];
        FUZZ_CHECK(s->limits.lower <= s->limits.mean && s->limits.mean <= s->limits.upper);
        for (size_t i = 0; i < s->n_points; i++) {
            size_t len = 0;
            FUZZ_CHECK(biq_flow_runs_csv_line(runs, (biq_run_kind)k, i, line, sizeof line, &len) ==
                       BIQ_OK);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *root = fuzz_load(data, size);
    if (root == NULL)
        return 0;
    biq_arena *arena = fuzz_arena();
    biq_field_ids ids = biq_field_ids_default();
    biq_issue_page page;
    biq_parse_error perr;
    if (biq_parse_issue_page(root, &ids, arena, &page, &perr) != BIQ_OK)
        goto out;
    biq_work_schedule ws = {.tz = zone, .working = true, .working_days = MON_TO_FRI,
                            .day_start_min = WORK_START_MIN, .day_end_min = WORK_END_MIN,
                            .holidays = holidays,
                            .n_holidays = sizeof holidays / sizeof holidays[0]};
    biq_flow_settings cfg;
    biq_flow_settings_init(&cfg);
    cfg.xmr_signal = true;
    biq_flow_input in = {.issues = page.issues, .n_issues = page.n_issues, .settings = &cfg,
                         .statuses = page.statuses, .n_statuses = page.n_statuses,
                         .sprints = page.sprints, .n_sprints = page.n_sprints,
                         .schedule = &ws, .now = FUZZ_NOW * 1000};
    biq_flow *f = NULL;
    biq_err err = biq_flow_new(&in, arena, &f);
    if (err != BIQ_OK) {
        FUZZ_CHECK(err == BIQ_ERR_LIMIT || err == BIQ_ERR_INVALID);
        goto out;
    }
    check_slices(f);
    views(f, "30d", arena);
    views(f, "mtd", arena);
    biq_flow_aging *g = NULL;
    FUZZ_CHECK(biq_flow_wip_aging(f, arena, &g) == BIQ_OK);
    json_decref(biq_flow_aging_json(f, g));
    int64_t today = biq_tz_local_day(zone, FUZZ_NOW * 1000);
    biq_flow_wip_stack *c = NULL;
    FUZZ_CHECK(biq_flow_wip_stack_build(f, today - (CFD_DAYS - 1), today, arena, &c) == BIQ_OK);
    json_decref(biq_flow_wip_stack_json(f, c));
    json_decref(biq_flow_findings_json(f));
out:
    biq_arena_free(arena);
    json_decref(root);
    return 0;
}
