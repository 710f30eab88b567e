/* alerts_worker.h - the background thread of alert evaluation: it runs
 * the runs of api/alerts_eval.h that ingests ask for (queued, so an event
 * is acknowledged without waiting for delivery) and sweeps on a timer:
 * hourly cadence every interval, daily cadence every
 * BIQ_ALERT_DAILY_EVERY sweeps (the first sweep is a daily one).
 *
 * Tenants: RLS lets a process see one tenant at a time and no role may
 * list them all, so the worker sweeps the tenants it has been told about
 * (ingests, alert-rule changes) since it started. Thread-safe. */
#ifndef BIQ_API_ALERTS_WORKER_H
#define BIQ_API_ALERTS_WORKER_H

#include <stdint.h>

#include "api/app.h"

enum {
    BIQ_ALERT_SWEEP_INTERVAL_S = 3600, /* thresholds under 24 h */
    BIQ_ALERT_DAILY_EVERY = 24,        /* sweeps per daily sweep */
    BIQ_ALERT_QUEUE_MAX = 1024,        /* pending ingest runs; more are dropped */
    BIQ_ALERT_TENANTS_MAX = 10000,     /* tenants swept by one process */
};

typedef struct biq_alert_worker biq_alert_worker;

/* Starts the thread over app (which must outlive it) sweeping every
 * interval_s seconds. BIQ_ERR_NOMEM, BIQ_ERR_INTERNAL (no thread). */
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
