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
json_t *biq_flow_wip_stack_json(const biq_flow *flow, const biq_flow_wip_stack *c);

/* The cumulative flow diagram (biq_flow_cfd): {"tz", "frame": "columns" |
 * "statuses", "backlogCut", "bands": [{"name", "statusIds", "done",
 * "wipLimit"|null}] (left to right), "doneBand": index|null, "days":
 * [{"date", "at", "reached": [per band: items at it or to its right],
 * "arrivals", "departures"}], "arrivals", "departures", "flowDebt" (over the
 * chart's days), "corrections": [{"key", "from", "to"|null, "at",
 * "backAt"|null, "startDate", "endDate", "ongoing"}], "correctionsTruncated"}. */
json_t *biq_flow_cfd_json(const biq_flow *flow, const biq_flow_cfd *c);

/* {"points": [{"key","issueType","doneAt","leadDays","cycleDays"|null,
 * "leadAboveP85",...}], "lead": {p50Days,p85Days,p95Days,count}, "cycle": {...}} */
json_t *biq_flow_scatter_json(const biq_flow_scatter *s);

/* [{"kind","issueKey","historyId","at","expectedStatusId","actualStatusId"}] */
json_t *biq_flow_findings_json(const biq_flow *flow);

/* A forecast (biq_flow_forecast): {"kind":"when"|"how_many", "state":"ok"|
 * "no_throughput", "percentiles": [{"p", "value", "date" (when: the day the
 * N-th item is done, "YYYY-MM-DD"), "reached" (when)}], "inputs": {"basisFrom",
 * "basisTo" (first and last day of the basis, included), "daysSampled",
 * "zeroThroughputDays", "totalDone", "maxPerDay", "workingDays", "from",
 * "by" (how_many), "items" (when), "simulatedDays" (how_many), "trials",
 * "seed"}}. "when" values are simulated days, day `from` being day 1; a
 * percentile not reached within the cap has value and date null; with state
 * no_throughput the percentiles are []. */
json_t *biq_flow_forecast_json(const biq_forecast *f);

/* The dashboard for an API `window` value ("30d", "mtd", ...): resolves the
 * window, builds the report in arena and the JSON. BIQ_ERR_INVALID for a bad
 * window, BIQ_ERR_NOT_FOUND for a sprint window without sprints,
 * BIQ_ERR_NOMEM. *out set only on success (caller json_decref). */
biq_err biq_flow_dashboard_build(const biq_flow *flow, const char *window,
                                 const biq_dashboard_meta *meta, biq_arena *arena, json_t **out);

/* The run charts (biq_flow_runs_build): {"from","to","firstDay","lastDay"
 * (the whole days, null when none),"workingDays","rules":{"scale",
 * "runLength","zoneHits","zoneSpan","zoneFraction"},"series":[{"name",
 * "unit","count","mean"|null,"averageMovingRange","upper","lower",
 * "zoneUpper","zoneLower" (null without limits),"signalledPoints",
 * "points":[{"date","at","key" (cycleTime),"value","signals":["outside",
 * "run","zone"]}]}]} in biq_run_kind order. */
json_t *biq_flow_runs_json(const biq_flow_runs *r);
/* Aging bands (biq_flow_bands_build): {"basisDays", "basisFrom", "basisTo",
 * "percentiles": [50,70,85,95], "statuses": [{"statusId", "status", "n",
 * "p50Days", "p70Days", "p85Days", "p95Days"}] (null days when n is 0),
 * "inProgress": {"n", "p50Days", ...}}. */
json_t *biq_flow_bands_json(const biq_flow_bands *b);

/* The SLEs beside their suggestion: {"setting": {"percentile", "days"} |
 * null, "byIssueType": [{"issueType", "percentile", "days"}],
 * "suggestion": {"percentile": 85, "days", "p85Days", "n", "basisDays"} |
 * null (nothing finished in the basis)}. s may be NULL (none set). */
json_t *biq_flow_sle_json(const biq_flow_sle_set *s, const biq_flow_bands *b);

/* Adds to a WIP aging chart (biq_flow_aging_json of g) the bands of b
 * ("bands"), the flow settings' SLEs ("sle"), each item's "pace" (0..1,
 * null when never started or nothing finished) and "atRisk", and
 * "atRisk": [{"key", "statusId", "status", "issueType", "ageDays",
 * "pace", "atRisk", "beyondPercentile", "overDays", "sle"}] (items in
 * progress at risk, issue id order). BIQ_ERR_INVALID when chart's items
 * are not g's, BIQ_ERR_NOMEM (chart then partly extended: drop it). */
biq_err biq_flow_aging_add_bands(json_t *chart, const biq_flow *flow, const biq_flow_aging *g,
                                 const biq_flow_bands *b, biq_arena *arena);

/* `biq analyze --aging`: {"bands", "sle" (as above), "items": [every item in
 * progress, as the "atRisk" entries below, issue id order], "atRisk": [the
 * ones at risk]}. NULL when out of memory (the arena included). */
json_t *biq_flow_paces_json(const biq_flow *flow, const biq_flow_bands *b, biq_arena *arena);

#endif
