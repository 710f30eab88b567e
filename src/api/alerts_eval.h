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

#include <stddef.h>
#include <stdint.h>

#include "api/app.h"

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

/* A sweep: every project of tenant_id that holds data. */
biq_err biq_alerts_sweep_tenant(const biq_app *app, const char *tenant_id,
                                biq_alert_cadence cadence, biq_alert_run_stats *stats);

#endif
