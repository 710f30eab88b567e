/* alerts_worker.h - the background thread of alert evaluation: it runs
 * the runs of api/alerts_eval.h that ingests ask for (queued, so an event
 * is acknowledged without waiting for delivery) and, as a backup, sweeps
 * on a timer.
 *
 * Scheduled sweeps belong to the Forge platform: each installation's
 * hourly scheduledTrigger calls POST /forge/alerts/sweep with a token of
 * that installation (RLS lets a process see one tenant at a time and no
 * role may list them, so only the platform can reach every tenant, also
 * after a restart). The timer stays as a backup for the tenants this
 * process has been told about (ingests, alert-rule changes, sweep calls)
 * since it started, for when the trigger is late, failing or not deployed
 * yet. It goes through the same per-tenant claim as the route
 * (biq_alerts_sweep_scheduled), so it skips a tenant swept within half
 * its interval and never runs a second daily cadence on the same UTC day.
 * Thread-safe. */
#ifndef BIQ_API_ALERTS_WORKER_H
#define BIQ_API_ALERTS_WORKER_H

#include <stdint.h>

#include "api/app.h"

enum {
    BIQ_ALERT_SWEEP_INTERVAL_S = 3600, /* backup sweeps: thresholds under 24 h */
    BIQ_ALERT_QUEUE_MAX = 1024,        /* pending ingest runs; more are dropped */
    BIQ_ALERT_TENANTS_MAX = 10000,     /* tenants swept by one process */
};

typedef struct biq_alert_worker biq_alert_worker;

/* Starts the thread over app (which must outlive it), its backup sweep
 * every interval_s seconds (0: BIQ_ALERT_SWEEP_INTERVAL_S). BIQ_ERR_NOMEM,
 * BIQ_ERR_INTERNAL (no thread). */
biq_err biq_alert_worker_start(const biq_app *app, unsigned interval_s, biq_alert_worker **out);

/* Asks for an ingest run of issue_id in project_key of tenant_id, and
 * remembers the tenant for sweeps; project_key NULL only remembers it.
 * Never blocks on the run; a full queue drops it (the next sweep covers
 * it). w NULL: nothing. */
void biq_alert_worker_notify(biq_alert_worker *w, const char *tenant_id, const char *project_key,
                             int64_t issue_id);

/* Stops the thread after the run in progress and frees w. NULL: no-op. */
void biq_alert_worker_stop(biq_alert_worker *w);

#endif
