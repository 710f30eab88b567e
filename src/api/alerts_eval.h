/* alerts_eval.h - evaluating a tenant's alert rules and delivering what
 * fired (product.md "WIP limits and alerts", "Delivery destinations").
 *
 * One run for a project: load its data, settings and rules in one tenant
 * transaction; evaluate the per-ticket rules with the flow core (work in
 * flight only); record new alerts, where the unique (rule, issue, UTC day)
 * key keeps each ticket to once a day; claim the (rule, destination)
 * cooldowns and commit; then send one message per (rule, destination)
 * listing every new ticket, with no transaction open; and record each
 * outcome (5 consecutive failures pause a destination). */
#ifndef BIQ_API_ALERTS_EVAL_H
#define BIQ_API_ALERTS_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/app.h"
#include "store/alerts.h"

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

/* One run for project_key of tenant_id. changed (n_changed ids) limits an
 * INGEST run to those issues; ignored otherwise. Adds to *stats. */
biq_err biq_alerts_evaluate_project(const biq_app *app, const char *tenant_id,
                                    const char *project_key, biq_alert_cadence cadence,
                                    const int64_t *changed, size_t n_changed,
                                    biq_alert_run_stats *stats);

/* A sweep: every project of tenant_id that holds data. A project that
 * fails does not stop the others; the error returned is a retryable one
 * (BIQ_ERR_DB, BIQ_ERR_UNAVAILABLE) if any project had one, else the first;
 * *failed_projects (may be NULL) counts them. */
biq_err biq_alerts_sweep_tenant(const biq_app *app, const char *tenant_id,
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
 * timer of api/alerts_worker.h): takes the tenant's hold (none while
 * another sweep of it runs, or when one finished under min_gap_s ago),
 * runs the daily cadence when today's (UTC day at the flow clock) has not
 * completed, else the hourly one, and releases the hold recording what
 * ran. Alerts stay once per (rule, ticket, UTC day) and cooldowns hold, so
 * overlapping or repeated sweeps never send a message twice.
 * BIQ_ERR_NOT_FOUND: the tenant is not registered. BIQ_ERR_DB /
 * BIQ_ERR_UNAVAILABLE: a retry may succeed (the day's daily cadence is
 * then not marked done). Per-project failures that a retry would repeat
 * are counted in out->failed_projects and give BIQ_OK. Thread-safe. */
biq_err biq_alerts_sweep_scheduled(const biq_app *app, const char *tenant_id, unsigned min_gap_s,
                                   biq_alert_sweep_result *out);

#endif
