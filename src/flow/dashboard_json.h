/* dashboard_json.h - the `dashboard` object of api.md from a flow report.
 *
 * Deterministic: the same report gives the same bytes through
 * biq_flow_json_dumps() (sorted keys, compact, numbers unrounded at 17
 * significant digits so that they parse back to the same double; durations
 * in days = ms / 86 400 000; instants ISO 8601 UTC with ms).
 */
#ifndef BIQ_FLOW_DASHBOARD_JSON_H
#define BIQ_FLOW_DASHBOARD_JSON_H

#include <jansson.h>

#include "flow/flow.h"

typedef struct biq_dashboard_meta {
    const char *project_key;
    const char *project_name;
    int64_t data_version;
    const char *as_of; /* "YYYY-MM-DD" when the view is as of a past day, else NULL */
} biq_dashboard_meta;

/* A new object (caller owns one reference: json_decref) with every key of
 * api.md's dashboard; `sync` is {"lastSyncAt": null, "backfill": null} and
 * `alerts` {"recent": []} for the caller to fill. NULL when out of memory.
 * Reads flow and r only; thread-safe for distinct outputs. */
json_t *biq_flow_dashboard_json(const biq_flow *flow, const biq_flow_report *r,
                                const biq_dashboard_meta *meta);

/* The report's JSON for the issue panel: visits of one issue. Same contract. */
json_t *biq_flow_issue_json(const biq_flow *flow, const biq_flow_issue_view *v);

/* Serialises with the fixed flags (compact, sorted keys, 17 significant
 * digits). malloc'd string (free()), NULL when out of memory. */
char *biq_flow_json_dumps(const json_t *value);

#endif
