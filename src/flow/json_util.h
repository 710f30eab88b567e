/* json_util.h - the value builders shared by the JSON outputs of src/flow
 * (one number and one instant format for all). Internal to src/flow. */
#ifndef BIQ_FLOW_JSON_UTIL_H
#define BIQ_FLOW_JSON_UTIL_H

#include <jansson.h>

#include "flow/flow.h"

/* Sets key to value, stealing it; on any failure (obj or value NULL, no
 * memory) releases value and clears *ok, so builders read as field lists. */
void biq_fl_json_set(json_t *obj, const char *key, json_t *value, bool *ok);
/* Appends value (stolen) to arr; same failure rule. */
void biq_fl_json_push(json_t *arr, json_t *value, bool *ok);
/* ms as days (ms / 86 400 000), unrounded: machine output is exact, and
 * biq_flow_json_dumps() prints 17 significant digits, so parsing gives the
 * same double back. Rounding is for the UI and the human report only. */
json_t *biq_fl_json_days(double ms);
/* v unrounded; null when not finite; -0 printed as 0. */
json_t *biq_fl_json_real(double v);
/* ISO 8601 UTC string, or null for BIQ_MS_NONE. */
json_t *biq_fl_json_instant(biq_ms t);
/* Jira ids are strings on the wire: "10001". */
json_t *biq_fl_json_id(int64_t id);
json_t *biq_fl_json_str(const char *s); /* null for NULL */

#endif
