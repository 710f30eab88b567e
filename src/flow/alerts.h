/* alerts.h - alert-rule evaluation over a flow (product.md "WIP limits and
 * alerts"): per-ticket rules look only at work in flight (not done, not in a
 * terminal status) and measure ages in the flow's (working) time; WIP
 * breaches must hold for the whole breach period. Delivery, cooldowns and
 * the once-per-ticket-per-UTC-day rule are the caller's (the hit carries the
 * UTC day as the de-duplication key). Pure; results live in the arena. */
#ifndef BIQ_FLOW_ALERTS_H
#define BIQ_FLOW_ALERTS_H

#include "flow/flow.h"

enum { BIQ_ALERT_MAX_RULES = 256 };

typedef enum biq_alert_kind {
    BIQ_ALERT_STUCK = 0,      /* in a status (or any, status_id 0) >= threshold */
    BIQ_ALERT_CYCLE_EXCEEDED, /* started, not done, for >= threshold */
    BIQ_ALERT_NO_ACTIVITY,    /* no transition or update for >= threshold */
    BIQ_ALERT_WIP_BREACH,     /* status over its WIP limit for threshold */
    BIQ_ALERT_SLE_AT_RISK,    /* in progress and at risk of missing its SLE
                                 (biq_flow_pace_of); threshold unused */
} biq_alert_kind;

typedef struct biq_alert_rule {
    int64_t rule_id;      /* the caller's id, copied to hits */
    biq_alert_kind kind;
    int64_t status_id;    /* STUCK: 0 = any status; WIP_BREACH: required */
    int64_t threshold_ms; /* > 0: age, or the breach duration; unused by
                             SLE_AT_RISK (the flow settings' SLEs, pace over
                             the default basis) */
} biq_alert_rule;

typedef struct biq_alert_hit {
    int64_t rule_id;
    biq_alert_kind kind;
    const biq_flow_issue_view *issue;   /* NULL for WIP_BREACH */
    const biq_flow_status_info *status; /* the issue's current status, or the breached one */
    int64_t value_ms;  /* the age measured (WIP_BREACH: the breach period;
                          SLE_AT_RISK: the age since started) */
    double pace;       /* SLE_AT_RISK: the item's pace (0..1) */
    const biq_flow_sle *sle; /* SLE_AT_RISK: the SLE it is measured against */
    uint32_t count;    /* WIP_BREACH: the lowest count over the period */
    int64_t utc_day;   /* now's UTC day number: the once-a-day key */
} biq_alert_hit;

/* Evaluates the rules at the flow's now. Hits are in rule order, then issue
 * id. BIQ_ERR_INVALID for a bad rule (threshold <= 0, WIP_BREACH without a
 * status or limit), BIQ_ERR_LIMIT past BIQ_ALERT_MAX_RULES, BIQ_ERR_NOMEM. */
biq_err biq_flow_alerts_evaluate(const biq_flow *flow, const biq_alert_rule *rules,
                                 size_t n_rules, biq_arena *arena, biq_alert_hit **hits,
                                 size_t *n_hits);

/* "stuck_in_status", "cycle_time_exceeded", "no_activity", "wip_breach",
 * "sle_at_risk". */
const char *biq_alert_kind_name(biq_alert_kind kind);

#endif
