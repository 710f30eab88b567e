/* evaluate.h - evaluating a tenant's alert rules and delivering what
 * fired (product.md "WIP limits and alerts", "Delivery destinations").
 *
 * One run for a project: load its data, settings and rules in one tenant
 * transaction; evaluate the per-ticket rules with the flow core (work in
 * flight only); record new alerts, where the unique (rule, issue, UTC day)
 * key keeps each ticket to once a day; claim the (rule, destination)
 * cooldowns and commit; then send one message per (rule, destination)
 * listing every new ticket, with no transaction open; and record each
 * outcome (5 consecutive failures pause a destination).
 *
 * The evaluation itself (biq_alerts_evaluate) is pure: typed rules
 * (biq_alerts_rules_read, the one reader of a stored rule) over a loaded
 * project and its typed settings (settings/settings.h) at an instant. */
#ifndef BIQ_ALERTS_EVALUATE_H
#define BIQ_ALERTS_EVALUATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alerts/deliver.h"
#include "common/arena.h"
#include "common/clock.h"
#include "common/log.h"
#include "flow/alerts.h"
#include "settings/settings.h"
#include "store/alerts.h"
#include "store/pool.h"
#include "store/project_load.h"

/* What the runs need, borrowed (it must outlive them): not the whole app. */
typedef struct biq_alerts_env {
    biq_pool *pool;
    biq_log *log;                      /* NULL: nothing logged */
    const biq_alerts_config *delivery; /* NULL: no e-mail, no extra hosts */
    const biq_clock *clock;            /* the flow clock: "now" and the UTC day */
} biq_alerts_env;

/* Which rules a run looks at: after an ingest, the per-ticket ones for the
 * changed issues; the hourly sweep, thresholds under 24 h and WIP breaches;
 * the daily sweep, all. */
typedef enum biq_alert_cadence {
    BIQ_ALERT_CADENCE_INGEST = 0,
    BIQ_ALERT_CADENCE_HOURLY,
    BIQ_ALERT_CADENCE_DAILY,
} biq_alert_cadence;

typedef struct biq_alert_run_stats {
    size_t fired;      /* new alerts recorded */
    size_t sent;       /* messages delivered */
    size_t failed;     /* messages that failed after the retry */
    size_t cooled;     /* (rule, destination) pairs skipped by the cooldown */
} biq_alert_run_stats;

#define BIQ_ALERT_EVAL_ARENA_LIMIT ((size_t)2 << 30) /* as a dashboard: one project */

enum {
    BIQ_ALERTS_TREND_WINDOW_DAYS = 7, /* trend rules compare this week with the one before */
    BIQ_ALERTS_TREND_RULES_MAX = 64,
};

/* The kinds of stored rule (alerts/validate.h names them). */
typedef enum biq_alerts_rule_kind {
    BIQ_ALERTS_RULE_UNKNOWN = 0,
    BIQ_ALERTS_RULE_STUCK_IN_STATUS,
    BIQ_ALERTS_RULE_CYCLE_TIME_EXCEEDED,
    BIQ_ALERTS_RULE_NO_ACTIVITY,
    BIQ_ALERTS_RULE_WIP_BREACH,
    BIQ_ALERTS_RULE_TREND_WORSENING,
    BIQ_ALERTS_RULE_SLE_AT_RISK, /* against the project's SLE settings */
} biq_alerts_rule_kind;

/* A stored rule, typed. Absent members read as 0 (false, NULL). */
typedef struct biq_alerts_rule {
    int64_t id;
    biq_alerts_rule_kind kind;
    bool enabled;
    const char *name;        /* borrowed from the stored rule */
    int cooldown_minutes;
    int64_t status_id;       /* params.statusId (stuck_in_status: 0 = any; wip_breach) */
    int64_t threshold_hours; /* params.thresholdHours (stuck_in_status) */
    int64_t days;            /* params.days (cycle_time_exceeded, no_activity) */
    int metric;              /* params.metric (trend_worsening): a biq_trend_metric, -1 none */
    long long percent;       /* params.percent (trend_worsening) */
} biq_alerts_rule;

/* The rules of store/alerts.h's list (a JSON array) as typed rules in
 * arena (*n of them, in list order). BIQ_ERR_NOMEM. */
biq_err biq_alerts_rules_read(const json_t *stored, biq_arena *arena, biq_alerts_rule **out,
                              size_t *n);

/* A trend rule's finding: rule-wide, so it has no ticket. */
typedef struct biq_alerts_trend_hit {
    int64_t rule_id;
    const biq_flow_trend *trend;
    int64_t utc_day;
} biq_alerts_trend_hit;

/* What the rules found in one project (in the evaluation's arena). */
typedef struct biq_alerts_found {
    const biq_alert_hit *hits; /* per-ticket and WIP rules, as biq_flow_alerts_evaluate */
    size_t n_hits;
    biq_alerts_trend_hit trends[BIQ_ALERTS_TREND_RULES_MAX];
    size_t n_trends;
} biq_alerts_found;

/* Evaluates the rules that cadence covers over data under cfg (its WIP
 * limits and breach periods) at now (ms): the per-ticket and WIP rules
 * with the flow core (work in flight only), the trend rules (daily only)
 * against the trends of the last BIQ_ALERTS_TREND_WINDOW_DAYS: the first
 * worsening row of the rule's metric with |change| >= percent fires it.
 * A project without issues finds nothing. *out in arena. Pure. */
biq_err biq_alerts_evaluate(const biq_project_data *data, const biq_settings_flow_config *cfg,
                            const biq_alerts_rule *rules, size_t n_rules,
                            biq_alert_cadence cadence, int64_t now, biq_arena *arena,
                            biq_alerts_found *out);

/* One run for project_key of tenant_id. changed (n_changed ids) limits an
 * INGEST run to those issues; ignored otherwise. Adds to *stats. */
biq_err biq_alerts_evaluate_project(const biq_alerts_env *env, const char *tenant_id,
                                    const char *project_key, biq_alert_cadence cadence,
                                    const int64_t *changed, size_t n_changed,
                                    biq_alert_run_stats *stats);

/* A sweep: every project of tenant_id that holds data. A project that
 * fails does not stop the others; the error returned is a retryable one
 * (BIQ_ERR_DB, BIQ_ERR_UNAVAILABLE) if any project had one, else the first;
 * *failed_projects (may be NULL) counts them. */
biq_err biq_alerts_sweep_tenant(const biq_alerts_env *env, const char *tenant_id,
                                biq_alert_cadence cadence, biq_alert_run_stats *stats,
                                size_t *failed_projects);

enum {
    /* A sweep's hold on its tenant (store/alerts.h) may be taken over after
     * this long: its holder died. A live sweep that outlasts it (many slow
     * deliveries) may overlap the next, which still sends nothing twice. */
    BIQ_ALERT_SWEEP_LEASE_S = 900,
};

/* What a scheduled sweep did. */
typedef struct biq_alert_sweep_result {
    bool ran;                  /* false: skipped, see skip */
    biq_store_sweep_skip skip; /* why not (BIQ_STORE_SWEEP_RUNNING / _RECENT) */
    biq_alert_cadence cadence; /* HOURLY or DAILY when ran */
    biq_alert_run_stats stats;
    size_t failed_projects;    /* projects whose run failed for good */
} biq_alert_sweep_result;

/* The scheduled sweep of tenant_id (the Forge trigger's route, the backup
 * timer of alerts/worker.h): takes the tenant's hold (none while
 * another sweep of it runs, or when one finished under min_gap_s ago),
 * runs the daily cadence when today's (UTC day at the flow clock) has not
 * completed, else the hourly one, and releases the hold recording what
 * ran. Alerts stay once per (rule, ticket, UTC day) and cooldowns hold, so
 * overlapping or repeated sweeps never send a message twice.
 * BIQ_ERR_NOT_FOUND: the tenant is not registered. BIQ_ERR_DB /
 * BIQ_ERR_UNAVAILABLE: a retry may succeed (the day's daily cadence is
 * then not marked done). Per-project failures that a retry would repeat
 * are counted in out->failed_projects and give BIQ_OK. Thread-safe. */
biq_err biq_alerts_sweep_scheduled(const biq_alerts_env *env, const char *tenant_id,
                                   unsigned min_gap_s, biq_alert_sweep_result *out);

#endif
