/* alerts.h - alert rules, destinations and fired alerts in the tenant's
 * transaction (db/migrations/0004_alerts.sql). Documents in and out are
 * the API's JSON: rule and destination bodies as alerts/validate.h
 * normalises them; answers as docs/api.md shows them. A destination's
 * target never leaves this module except through
 * biq_store_alert_destination_target() (delivery). Scheduled sweeps keep
 * their per-tenant state in alert_sweeps (0006_alert_sweeps.sql). */
#ifndef BIQ_STORE_ALERTS_H
#define BIQ_STORE_ALERTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/tx.h"

enum {
    BIQ_STORE_ALERTS_RECENT = 50,   /* alerts listed per project */
    BIQ_STORE_ALERT_KIND_MAX = 16,
    BIQ_STORE_ALERT_DETAIL_MAX = 200,
    BIQ_STORE_ALERT_PAUSE_AFTER = 5, /* consecutive failures */
    BIQ_STORE_SWEEP_HOLD_MAX = 64,   /* a hold's token (a timestamp as text) */
};

/* Rules of the tenant by id: a new array in *out. project_key NULL: all
 * of them; else that project's, and the site-wide ones (no project) too
 * when with_site_wide. */
biq_err biq_store_alert_rules_list(biq_tx *tx, const char *project_key, bool with_site_wide,
                                   json_t **out);

/* Creates (id 0) or replaces rule id with the normalised rule (its
 * projectKey included), bindings included; *out is the stored rule. With
 * scope not NULL only a rule of project scope can be replaced.
 * BIQ_ERR_NOT_FOUND for an unknown id (or one out of scope),
 * BIQ_ERR_INVALID when a destinationId is not the tenant's. */
biq_err biq_store_alert_rule_save(biq_tx *tx, int64_t id, const json_t *rule, const char *scope,
                                  json_t **out);

/* BIQ_ERR_NOT_FOUND when there was no such rule (within scope, when not
 * NULL). */
biq_err biq_store_alert_rule_delete(biq_tx *tx, int64_t id, const char *scope);

/* All destinations, targets shown by their last 4 characters only. */
biq_err biq_store_alert_destinations_list(biq_tx *tx, json_t **out);

/* The kind of destination id into kind (BIQ_STORE_ALERT_KIND_MAX);
 * BIQ_ERR_NOT_FOUND. */
biq_err biq_store_alert_destination_kind(biq_tx *tx, int64_t id, char *kind);

/* Creates (id 0) or updates; a document without target keeps the stored
 * one. Activating a destination clears its failure count. *out as listed. */
biq_err biq_store_alert_destination_save(biq_tx *tx, int64_t id, const json_t *doc, json_t **out);

biq_err biq_store_alert_destination_delete(biq_tx *tx, int64_t id);

/* The full target (malloc'd, free()) and kind of destination id, for
 * delivery only. BIQ_ERR_NOT_FOUND. */
biq_err biq_store_alert_destination_target(biq_tx *tx, int64_t id, char *kind, char **target);

/* Records a delivery outcome: a success clears the failure count, a
 * failure adds one and pauses the destination at
 * BIQ_STORE_ALERT_PAUSE_AFTER. is_test also stores it as the last test
 * result with detail (no URL in it). */
biq_err biq_store_alert_destination_result(biq_tx *tx, int64_t id, bool ok, bool is_test,
                                           const char *detail);

/* The BIQ_STORE_ALERTS_RECENT newest alerts of project_key, grouped per
 * rule (newest group first): a new array in *out. */
biq_err biq_store_alerts_recent(biq_tx *tx, const char *project_key, json_t **out);

/* --- evaluation and delivery (alerts/evaluate.c) --- */

/* The project keys of the tenant that hold data: a new array of strings. */
biq_err biq_store_alert_projects(biq_tx *tx, json_t **out);

/* Records a fired alert unless (rule, issue, utc_day) already fired
 * (issue_id 0: a rule-wide alert); *inserted tells which. */
biq_err biq_store_alert_event_insert(biq_tx *tx, int64_t rule_id, int64_t issue_id,
                                     int64_t utc_day, const char *project_key, int64_t status_id,
                                     int64_t value_ms, bool *inserted);

/* Where rule_id's alerts go: its bound destinations if it has any, else
 * the tenant defaults; active ones only. A new array of {id, kind, target}
 * (targets in full: for delivery only, never for an answer or a log). */
biq_err biq_store_alert_rule_targets(biq_tx *tx, int64_t rule_id, json_t **out);

/* Takes the (rule, destination) cooldown: *claimed is true (and the send
 * time recorded) unless the last send was under cooldown_minutes ago. */
biq_err biq_store_alert_cooldown_claim(biq_tx *tx, int64_t rule_id, int64_t destination_id,
                                       int cooldown_minutes, bool *claimed);

/* --- scheduled sweeps (alerts/evaluate.c) --- */

/* Why a sweep was not claimed. */
typedef enum biq_store_sweep_skip {
    BIQ_STORE_SWEEP_CLAIMED = 0,
    BIQ_STORE_SWEEP_RUNNING, /* another sweep holds the tenant (within the lease) */
    BIQ_STORE_SWEEP_RECENT,  /* a sweep finished under min_gap_s ago */
} biq_store_sweep_skip;

/* One sweep's claim on its tenant: inputs, then what the claim found. */
typedef struct biq_store_alert_sweep {
    int64_t today;   /* in: the UTC day (days since the epoch) of the sweep */
    int lease_s;     /* in: a hold older than this may be taken over */
    int min_gap_s;   /* in: skip when the last sweep finished this recently */
    biq_store_sweep_skip skip;          /* out */
    bool daily_due;                     /* out: the daily cadence has not completed today */
    char hold[BIQ_STORE_SWEEP_HOLD_MAX]; /* out: identifies this claim's hold */
} biq_store_alert_sweep;

/* Takes the tenant's sweep hold in one conditional upsert, so two sweeps
 * (any process) never hold it together: s->skip says whether it was taken
 * and, if not, why; s->daily_due whether this sweep should run the daily
 * cadence. The hold counts once tx commits. BIQ_ERR_INVALID when the
 * tenant is not registered (the caller checks first). */
biq_err biq_store_alert_sweep_claim(biq_tx *tx, biq_store_alert_sweep *s);

/* Ends the hold of s (unless a later claim took it over). completed: the
 * run finished (retryable failures are not completed), so it is recorded
 * as the last sweep with cadence ("hourly" / "daily") and its counts, and
 * a daily one marks s->today done. */
biq_err biq_store_alert_sweep_release(biq_tx *tx, const biq_store_alert_sweep *s, bool completed,
                                      const char *cadence, int64_t alerts, int64_t sent,
                                      int64_t failed);

#endif
