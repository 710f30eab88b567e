/* test_alerts_evaluate.c - alert evaluation (alerts/evaluate.h) on a fixed
 * loaded project, without a database: stored rules are read into typed
 * ones (kinds and metrics as enums), WIP breach periods come from the
 * typed settings (the project's entry wins over the tenant's), and each
 * cadence covers its rules (hourly: thresholds under 24 h and WIP
 * breaches; ingest: no WIP breaches; daily: all). */
#include <string.h>

#include "alerts/evaluate.h"
#include "common/arena.h"
#include "testsupport.h"
#include "tz/civil.h"

#define DAY BIQ_MS_PER_DAY
#define T0 (INT64_C(1514764800000)) /* 2018-01-01T00:00:00Z */
#define NOW (T0 + 10 * DAY)

enum { BACKLOG = 1, PROG = 2, QA = 3, DONE = 5, WONT = 6, ARENA_LIMIT = 64 << 20 };

static biq_status catalogue[] = {
    {BACKLOG, "Backlog", BIQ_CAT_NEW}, {PROG, "In Progress", BIQ_CAT_ACTIVE},
    {QA, "QA", BIQ_CAT_ACTIVE},        {DONE, "Done", BIQ_CAT_DONE},
    {WONT, "Won't Do", BIQ_CAT_DONE},
};

/* The loaded project: in progress (since days 2 and 7), A-5
 * in QA, A-4 in the backlog, A-2 done, A-3 won't do. */
typedef struct project {
    biq_transition t1[1], t2[2], t3[2], t5[2], t6[1];
    biq_issue is[6];
    biq_project_data data;
} project;

static biq_transition tr(int64_t hist, biq_ms at, int64_t from, int64_t to)
{
    return (biq_transition){.history_id = hist, .at = at, .from_status = from, .to_status = to};
}

static biq_issue mk(int64_t id, const char *key, int64_t status, const biq_transition *t,
                    size_t n)
{
    return (biq_issue){.id = id, .key = key, .status_id = status, .created = T0, .updated = T0,
                       .transitions = t, .n_transitions = n, .changelog_total = -1};
}

static void load(project *p)
{
    p->t1[0] = tr(1, T0 + 2 * DAY, BACKLOG, PROG);
    p->t2[0] = tr(2, T0 + DAY, BACKLOG, PROG);
    p->t2[1] = tr(3, T0 + 5 * DAY, PROG, DONE);
    p->t3[0] = tr(4, T0 + DAY, BACKLOG, PROG);
    p->t3[1] = tr(5, T0 + 2 * DAY, PROG, WONT);
    p->t5[0] = tr(6, T0 + DAY, BACKLOG, PROG);
    p->t5[1] = tr(7, T0 + 9 * DAY, PROG, QA);
    p->t6[0] = tr(8, T0 + 7 * DAY, BACKLOG, PROG);
    p->is[0] = mk(1, "A-1", PROG, p->t1, 1);
    p->is[1] = mk(2, "A-2", DONE, p->t2, 2);
    p->is[2] = mk(3, "A-3", WONT, p->t3, 2);
    p->is[3] = mk(4, "A-4", BACKLOG, NULL, 0);
    p->is[4] = mk(5, "A-5", QA, p->t5, 2);
    p->is[5] = mk(6, "A-6", PROG, p->t6, 1);
    p->data = (biq_project_data){.key = "A", .issues = p->is, .n_issues = 6,
                                 .statuses = catalogue, .n_statuses = 5, .data_version = 1,
                                 .last_sync = BIQ_MS_NONE};
}

/* Evaluates the stored rules (JSON text) under the overrides (JSON text,
 * "" for none) at NOW. */
static biq_alerts_found run(const project *p, const char *rules_json, const char *tenant_ov,
                            const char *project_ov, biq_alert_cadence cadence, biq_arena *a)
{
    char msg[BIQ_SETTINGS_MESSAGE_MAX];
    biq_settings_flow_config cfg;
    biq_alerts_rule *rules = NULL;
    size_t n = 0;
    biq_alerts_found found;
    json_t *stored = json_loads(rules_json, 0, NULL);
    json_t *t = tenant_ov[0] ? json_loads(tenant_ov, 0, NULL) : NULL;
    json_t *o = project_ov[0] ? json_loads(project_ov, 0, NULL) : NULL;
    ck_assert_ptr_nonnull(stored);
    ck_assert_int_eq(biq_alerts_rules_read(stored, a, &rules, &n), BIQ_OK);
    ck_assert_int_eq(biq_settings_flow_config_build(t, o, a, &cfg, msg, sizeof msg), BIQ_OK);
    ck_assert_int_eq(biq_alerts_evaluate(&p->data, &cfg, rules, n, cadence, NOW, a, &found),
                     BIQ_OK);
    json_decref(stored);
    json_decref(t);
    json_decref(o);
    return found;
}

#define STUCK_48H                                                                                  \
    "[{\"id\":7,\"kind\":\"stuck_in_status\",\"name\":\"stuck\",\"enabled\":true,"                 \
    "\"cooldownMinutes\":60,\"params\":{\"statusId\":2,\"thresholdHours\":48}}]"
#define WIP_BREACH                                                                                 \
    "[{\"id\":9,\"kind\":\"wip_breach\",\"name\":\"wip\",\"enabled\":true,"                        \
    "\"cooldownMinutes\":60,\"params\":{\"statusId\":2}}]"

START_TEST(stored_rules_are_typed)
{
    biq_arena *a = biq_arena_new(ARENA_LIMIT);
    json_t *stored = json_loads(
        "[{\"id\":1,\"kind\":\"stuck_in_status\",\"name\":\"s\",\"enabled\":true,"
        "\"cooldownMinutes\":30,\"params\":{\"statusId\":2,\"thresholdHours\":5}},"
        "{\"id\":2,\"kind\":\"trend_worsening\",\"enabled\":false,"
        "\"params\":{\"metric\":\"wip\",\"percent\":40}},"
        "{\"id\":3,\"kind\":\"no_activity\",\"params\":{\"days\":7}},"
        "{\"id\":4,\"kind\":\"sideways\"}]",
        0, NULL);
    biq_alerts_rule *r = NULL;
    size_t n = 0;
    ck_assert_int_eq(biq_alerts_rules_read(stored, a, &r, &n), BIQ_OK);
    ck_assert_uint_eq(n, 4);
    ck_assert(r[0].kind == BIQ_ALERTS_RULE_STUCK_IN_STATUS && r[0].enabled);
    ck_assert(r[0].status_id == PROG && r[0].threshold_hours == 5 && r[0].cooldown_minutes == 30);
    ck_assert_str_eq(r[0].name, "s");
    ck_assert(r[1].kind == BIQ_ALERTS_RULE_TREND_WORSENING && !r[1].enabled);
    ck_assert(r[1].metric == BIQ_TREND_WIP && r[1].percent == 40);
    ck_assert(r[2].kind == BIQ_ALERTS_RULE_NO_ACTIVITY && r[2].days == 7 && r[2].metric == -1);
    ck_assert(r[3].kind == BIQ_ALERTS_RULE_UNKNOWN);
    json_decref(stored);
    biq_arena_free(a);
}
END_TEST

START_TEST(stuck_rule_finds_work_in_flight)
{
    project p;
    load(&p);
    biq_arena *a = biq_arena_new(ARENA_LIMIT);
    biq_alerts_found f = run(&p, STUCK_48H, "", "", BIQ_ALERT_CADENCE_DAILY, a);
    ck_assert_uint_eq(f.n_hits, 2); /* A-1 (8 days) and A-6 (3 days); are done */
    ck_assert_int_eq(f.hits[0].rule_id, 7);
    ck_assert_str_eq(f.hits[0].issue->issue->key, "A-1");
    ck_assert_str_eq(f.hits[1].issue->issue->key, "A-6");
    ck_assert_int_eq(f.hits[0].utc_day, NOW / DAY);
    ck_assert_uint_eq(f.n_trends, 0);
    /* The hourly sweep covers thresholds under 24 h only; ingests all. */
    ck_assert_uint_eq(run(&p, STUCK_48H, "", "", BIQ_ALERT_CADENCE_HOURLY, a).n_hits, 0);
    ck_assert_uint_eq(run(&p, STUCK_48H, "", "", BIQ_ALERT_CADENCE_INGEST, a).n_hits, 2);
    biq_arena_free(a);
}
END_TEST

START_TEST(disabled_and_unknown_rules_find_nothing)
{
    project p;
    load(&p);
    biq_arena *a = biq_arena_new(ARENA_LIMIT);
    const char *off = "[{\"id\":7,\"kind\":\"stuck_in_status\",\"enabled\":false,"
                      "\"params\":{\"statusId\":2,\"thresholdHours\":1}},"
                      "{\"id\":8,\"kind\":\"sideways\",\"enabled\":true,"
                      "\"params\":{\"statusId\":2,\"thresholdHours\":1}}]";
    ck_assert_uint_eq(run(&p, off, "", "", BIQ_ALERT_CADENCE_DAILY, a).n_hits, 0);
    p.data.n_issues = 0; /* an empty project finds nothing */
    ck_assert_uint_eq(run(&p, STUCK_48H, "", "", BIQ_ALERT_CADENCE_DAILY, a).n_hits, 0);
    biq_arena_free(a);
}
END_TEST

/* The breach period is the typed settings': the project's entry for the
 * status wins over the tenant's, and a limit without one has no alert. */
START_TEST(wip_breach_reads_typed_settings)
{
    project p;
    load(&p);
    biq_arena *a = biq_arena_new(ARENA_LIMIT);
    const char *tenant_60 = "{\"wipLimits\":[{\"statusId\":\"2\",\"limit\":1,"
                            "\"breachMinutes\":60}]}";
    const char *tenant_none = "{\"wipLimits\":[{\"statusId\":\"2\",\"limit\":1,"
                              "\"breachMinutes\":null}]}";
    const char *project_none = "{\"wipLimits\":[{\"statusId\":\"2\",\"limit\":1,"
                               "\"breachMinutes\":null}]}";
    const char *project_60 = "{\"wipLimits\":[{\"statusId\":\"2\",\"limit\":1,"
                             "\"breachMinutes\":60}]}";
    biq_alerts_found f = run(&p, WIP_BREACH, tenant_60, "", BIQ_ALERT_CADENCE_HOURLY, a);
    ck_assert_uint_eq(f.n_hits, 1); /* in progress, limit 1, for the whole hour */
    ck_assert_int_eq(f.hits[0].rule_id, 9);
    ck_assert_ptr_null(f.hits[0].issue);
    ck_assert_int_eq(f.hits[0].status->id, PROG);
    ck_assert_int_eq(f.hits[0].value_ms, 60 * BIQ_MS_PER_MINUTE);
    ck_assert_uint_eq(f.hits[0].count, 2);
    ck_assert_uint_eq(run(&p, WIP_BREACH, tenant_60, project_none, BIQ_ALERT_CADENCE_HOURLY, a)
                          .n_hits,
                      0);
    ck_assert_uint_eq(run(&p, WIP_BREACH, tenant_none, project_60, BIQ_ALERT_CADENCE_DAILY, a)
                          .n_hits,
                      1);
    ck_assert_uint_eq(run(&p, WIP_BREACH, "", "", BIQ_ALERT_CADENCE_DAILY, a).n_hits, 0);
    /* An ingest run looks at the changed tickets, never at WIP breaches. */
    ck_assert_uint_eq(run(&p, WIP_BREACH, tenant_60, "", BIQ_ALERT_CADENCE_INGEST, a).n_hits, 0);
    biq_arena_free(a);
}
END_TEST

/* sle_at_risk reads the project's SLE settings; none set finds nothing.
 * Finished: A-2 (cycle 4 d), A-3 (1 d). At 50% within 30 days: A-1 (8 d,
 * 2 of 2 = 100%) and A-5 (9 d) are beyond 50%; A-6 (3 d, 1 of 2 = 50%)
 * is not strictly beyond. Day-grained: on ingest and daily, not hourly. */
START_TEST(sle_rule_reads_project_sle)
{
    project p;
    load(&p);
    biq_arena *a = biq_arena_new(ARENA_LIMIT);
    const char *rules = "[{\"id\":11,\"kind\":\"sle_at_risk\",\"name\":\"sle\","
                        "\"enabled\":true,\"cooldownMinutes\":60,\"params\":{}}]";
    const char *sle = "{\"sle\":{\"percentile\":50,\"days\":30}}";
    biq_alerts_found f = run(&p, rules, "", sle, BIQ_ALERT_CADENCE_DAILY, a);
    ck_assert_uint_eq(f.n_hits, 2);
    ck_assert_str_eq(f.hits[0].issue->issue->key, "A-1");
    ck_assert_str_eq(f.hits[1].issue->issue->key, "A-5");
    ck_assert_int_eq(f.hits[0].kind, BIQ_ALERT_SLE_AT_RISK);
    ck_assert_int_eq(f.hits[0].value_ms, 8 * DAY);
    ck_assert_uint_eq(run(&p, rules, "", sle, BIQ_ALERT_CADENCE_INGEST, a).n_hits, 2);
    ck_assert_uint_eq(run(&p, rules, "", sle, BIQ_ALERT_CADENCE_HOURLY, a).n_hits, 0);
    ck_assert_uint_eq(run(&p, rules, "", "", BIQ_ALERT_CADENCE_DAILY, a).n_hits, 0);
    biq_alerts_rule *typed = NULL;
    size_t n = 0;
    json_t *stored = json_loads(rules, 0, NULL);
    ck_assert_int_eq(biq_alerts_rules_read(stored, a, &typed, &n), BIQ_OK);
    ck_assert_int_eq(typed[0].kind, BIQ_ALERTS_RULE_SLE_AT_RISK);
    json_decref(stored);
    biq_arena_free(a);
}
END_TEST

/* Trend rules run with the daily cadence only. */
START_TEST(trend_rules_are_daily)
{
    project p;
    load(&p);
    biq_arena *a = biq_arena_new(ARENA_LIMIT);
    const char *trend = "[{\"id\":5,\"kind\":\"trend_worsening\",\"enabled\":true,"
                        "\"params\":{\"metric\":\"wip\",\"percent\":1}}]";
    ck_assert_uint_eq(run(&p, trend, "", "", BIQ_ALERT_CADENCE_HOURLY, a).n_trends, 0);
    biq_alerts_found f = run(&p, trend, "", "", BIQ_ALERT_CADENCE_DAILY, a);
    ck_assert_uint_eq(f.n_hits, 0);
    for (size_t i = 0; i < f.n_trends; i++) {
        ck_assert_int_eq(f.trends[i].rule_id, 5);
        ck_assert_int_eq(f.trends[i].trend->metric, BIQ_TREND_WIP);
        ck_assert(f.trends[i].trend->worsening);
        ck_assert_int_eq(f.trends[i].utc_day, NOW / DAY);
    }
    biq_arena_free(a);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("alerts_evaluate");
    TCase *tc = tcase_create("evaluate");
    tcase_add_test(tc, stored_rules_are_typed);
    tcase_add_test(tc, stuck_rule_finds_work_in_flight);
    tcase_add_test(tc, disabled_and_unknown_rules_find_nothing);
    tcase_add_test(tc, wip_breach_reads_typed_settings);
    tcase_add_test(tc, trend_rules_are_daily);
    tcase_add_test(tc, sle_rule_reads_project_sle);
    suite_add_tcase(s, tc);
    return s;
}
