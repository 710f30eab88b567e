/* blocked_json.h - JSON and CSV for issue #15's figures: flow efficiency
 * (the dashboard's `efficiency`), one item's flagged and blocked spans (the
 * issue panel), the sprint reports, and the export's `efficiency` and
 * `sprints` tables. Same numbers and determinism as dashboard_json.h: days =
 * ms / 86 400 000 unrounded, instants ISO 8601 UTC. Each JSON builder
 * returns a new reference (json_decref) or NULL when out of memory; all read
 * their inputs only (thread-safe for distinct outputs). */
#ifndef BIQ_FLOW_BLOCKED_JSON_H
#define BIQ_FLOW_BLOCKED_JSON_H

#include <jansson.h>

#include "flow/flow.h"

/* {"value"|null, "meanOfRatios"|null, "n", "nRatios", "cycleDays",
 * "activeUnblockedDays", "blockedDays", "blockedShare"|null,
 * "previous": {"value"|null, "meanOfRatios"|null, "n", "blockedShare"|null}} */
json_t *biq_flow_efficiency_json(const biq_flow_efficiency *e);

/* {"flaggedDays", "blockedByLinkDays", "blockedDays", "flaggedNow",
 * "blockedNow", "unloadedBlockers", "flagged": [{"start","end","open"}],
 * "links": [{"blockerId","blockerKey"|null,"blockerLoaded","start","end",
 * "open"}], "spans": [{"start","end","open"}], "perStatus": [{"statusId",
 * "status","flaggedDays","blockedByLinkDays","blockedDays"}]}; an open
 * span's "end" is null. */
json_t *biq_flow_blocked_json(const biq_flow *flow, const biq_flow_blocked *b);

/* {"sprints": [{"id","name","state","start","end","active","committed",
 * "added","removed","completed","carriedOver","doneBeforeStart",
 * "completionRatio"|null, "approximate", "approximateReasons":
 * {"truncatedHistory","sprintFieldMissing","historyGap"}, "items":
 * [{"key","committed","added","removed","completed","carriedOver",
 * "doneBeforeStart","inAtEnd"}], "timeline": [{"at","key","change":
 * "added"|"removed"}]}], "generatedAt"} */
json_t *biq_flow_sprint_reports_json(const biq_flow *flow, const biq_flow_sprint_reports *rs);

/* The export's tables besides `slices` (csv.c): RFC 4180 lines with CRLF,
 * formula injection defused as there. Each writes into buf[0..size) and
 * sets *len; BIQ_ERR_TOO_LARGE when the line does not fit. */
biq_err biq_flow_csv_efficiency_header(char *buf, size_t size, size_t *len);
biq_err biq_flow_csv_efficiency_line(const biq_flow_efficiency_item *it, char *buf, size_t size,
                                     size_t *len);
biq_err biq_flow_csv_sprints_header(char *buf, size_t size, size_t *len);
biq_err biq_flow_csv_sprints_line(const biq_sprint_report *r, const biq_sprint_item *it,
                                  char *buf, size_t size, size_t *len);

#endif
