/* charts_json.h - JSON for the Flow tab's charts (WIP aging, CFD, scatter),
 * the data-quality findings, and a one-call dashboard for the server and
 * `biq analyze`. Same rounding and determinism as dashboard_json.h. Each
 * returns a new reference (json_decref) or NULL when out of memory, and
 * reads its inputs only (thread-safe for distinct outputs). */
#ifndef BIQ_FLOW_CHARTS_JSON_H
#define BIQ_FLOW_CHARTS_JSON_H

#include <jansson.h>

#include "flow/dashboard_json.h"
#include "flow/flow.h"

/* {"referenceP95Days", "referenceN", "items": [{"key","statusId","status",
 * "daysInStatus","daysSinceStarted"|null,"daysSinceCreated","size",
 * "assignee","issueType","agingPastNormal"}], "wipLimits": [{"statusId","limit"}]} */
json_t *biq_flow_aging_json(const biq_flow *flow, const biq_flow_aging *g);

/* {"tz", "bands": [{"statusId","name"}], "days": [{"date":"YYYY-MM-DD",
 * "at", "counts": [per band], "done", "throughput", "wip"}]} */
json_t *biq_flow_cfd_json(const biq_flow *flow, const biq_flow_cfd *c);

/* {"points": [{"key","issueType","doneAt","leadDays","cycleDays"|null,
 * "leadAboveP85",...}], "lead": {p50Days,p85Days,p95Days,count}, "cycle": {...}} */
json_t *biq_flow_scatter_json(const biq_flow_scatter *s);

/* [{"kind","issueKey","historyId","at","expectedStatusId","actualStatusId"}] */
json_t *biq_flow_findings_json(const biq_flow *flow);

/* The dashboard for an API `window` value ("30d", "mtd", ...): resolves the
 * window, builds the report in arena and the JSON. BIQ_ERR_INVALID for a bad
 * window, BIQ_ERR_NOT_FOUND for a sprint window without sprints,
 * BIQ_ERR_NOMEM. *out set only on success (caller json_decref). */
biq_err biq_flow_dashboard_build(const biq_flow *flow, const char *window,
                                 const biq_dashboard_meta *meta, biq_arena *arena, json_t **out);

#endif
