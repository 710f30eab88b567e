/* worker.h - the background thread of alert evaluation: it runs
 * the runs of alerts/evaluate.h that ingests ask for (queued, so an event
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
 *
 * "Send test" (POST /api/v1/alerts/destinations/{id}/test) never delivers
 * on an HTTP worker: the route enqueues here and answers 202 with a test
 * id; BIQ_ALERT_TEST_THREADS threads of their own (so a sweep's
 * deliveries and tests never wait for each other) send one attempt each
 * (alerts/deliver.h: at most BIQ_ALERT_TEST_TIMEOUT_MS), record the
 * outcome as the destination's last test in the database, and keep it for
 * polling (GET .../tests/{testId}). Bounded everywhere: at most
 * BIQ_ALERT_TEST_QUEUE_MAX tests queued or sending (more: 503), the rate
 * limits of alerts/limits.h (429), the last BIQ_ALERT_TEST_KEPT finished
 * results kept. The queue and results live in this process: a test id is
 * known to the replica that accepted it (the destination's lastTest, in
 * the database, is seen by all).
 * Thread-safe. */
#ifndef BIQ_ALERTS_WORKER_H
#define BIQ_ALERTS_WORKER_H

#include <stdint.h>

#include "alerts/evaluate.h"
#include "alerts/validate.h"

enum {
    BIQ_ALERT_SWEEP_INTERVAL_S = 3600, /* backup sweeps: thresholds under 24 h */
    BIQ_ALERT_QUEUE_MAX = 1024,        /* pending ingest runs; more are dropped */
    BIQ_ALERT_COALESCE_MAX = 256,      /* issues of one project evaluated in one run */
    BIQ_ALERT_TENANTS_MAX = 10000,     /* tenants swept by one process */
};

enum {
    BIQ_ALERT_TEST_QUEUE_MAX = 32,     /* tests queued or sending, all tenants */
    BIQ_ALERT_TEST_THREADS = 2,        /* test senders: worst wait 32 / 2 x 15 s */
    BIQ_ALERT_TEST_KEPT = 256,         /* finished results kept for polling */
    BIQ_ALERT_TEST_BUSY_RETRY_S = 5,   /* Retry-After when the queue is full */
    BIQ_ALERT_TEST_ID_LEN = 32,        /* hex characters (128 random bits) */
};

typedef struct biq_alert_worker biq_alert_worker;

typedef enum biq_alert_test_state {
    BIQ_ALERT_TEST_QUEUED = 0,
    BIQ_ALERT_TEST_SENDING,
    BIQ_ALERT_TEST_DELIVERED,
    BIQ_ALERT_TEST_FAILED,
} biq_alert_test_state;

/* "queued", "sending", "delivered", "failed". */
const char *biq_alert_test_state_name(biq_alert_test_state s);

/* What a poll sees of one test. */
typedef struct biq_alert_test_info {
    char id[BIQ_ALERT_TEST_ID_LEN + 1];
    biq_alert_test_state state;
    int attempts;
    char detail[BIQ_ALERT_WHY_MAX]; /* "" until finished; never the target */
} biq_alert_test_info;

/* Starts the thread over env (copied; what it points to must outlive the
 * worker), its backup sweep every interval_s seconds (0:
 * BIQ_ALERT_SWEEP_INTERVAL_S). BIQ_ERR_NOMEM, BIQ_ERR_INTERNAL (no
 * thread). */
biq_err biq_alert_worker_start(const biq_alerts_env *env, unsigned interval_s,
                               biq_alert_worker **out);

/* Asks for an ingest run of issue_id in project_key of tenant_id, and
 * remembers the tenant for sweeps; project_key NULL only remembers it.
 * Never blocks on the run; a full queue drops it (the next sweep covers
 * it). w NULL: nothing. */
void biq_alert_worker_notify(biq_alert_worker *w, const char *tenant_id, const char *project_key,
                             int64_t issue_id);

/* Queues a test message to destination (kind, target) of tenant_id, after
 * the rate limits. Copies target (wiped when done). BIQ_OK with out->id;
 * BIQ_ERR_LIMIT (429) or BIQ_ERR_UNAVAILABLE (queue full, or w NULL: 503)
 * with *retry_after_s; BIQ_ERR_INVALID (a value too long); BIQ_ERR_NOMEM.
 * A refused test sends nothing and does not count. Never blocks on a
 * send. */
biq_err biq_alert_worker_test_enqueue(biq_alert_worker *w, const char *tenant_id,
                                      int64_t destination, const char *kind, const char *target,
                                      biq_alert_test_info *out, unsigned *retry_after_s);

/* The test test_id of destination of tenant_id into *out. BIQ_ERR_NOT_FOUND
 * when this process holds no such test for that tenant and destination
 * (unknown, another tenant's, or no longer kept). */
biq_err biq_alert_worker_test_get(biq_alert_worker *w, const char *tenant_id, int64_t destination,
                                  const char *test_id, biq_alert_test_info *out);

/* Stops the threads after the sends in progress (queued tests are dropped)
 * and frees w. NULL: no-op. */
void biq_alert_worker_stop(biq_alert_worker *w);

#endif
