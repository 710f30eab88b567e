/* json_util.c - value builders for the JSON outputs (see json_util.h). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "flow/dashboard_json.h"
#include "flow/json_util.h"
#include "tz/civil.h"

/* Room to spare: an instant takes 25 bytes, an int64 21. mutate: equivalent const */
enum { INSTANT_BUF = 32, ID_BUF = 24 };

void biq_fl_json_set(json_t *obj, const char *key, json_t *value, bool *ok)
{
    if (!obj) {
        json_decref(value);
        *ok = false;
        return;
    }
    /* json_object_set_new() releases value on failure too. */
    if (!value || json_object_set_new(obj, key, value) != 0)
        *ok = false;
}

void biq_fl_json_push(json_t *arr, json_t *value, bool *ok)
{
    if (!arr) {
        json_decref(value);
        *ok = false;
        return;
    }
    if (!value || json_array_append_new(arr, value) != 0)
        *ok = false;
}

json_t *biq_fl_json_real(double v)
{
    if (!isfinite(v))
        return json_null();
    return json_real(v == 0.0 ? 0.0 : v); /* no "-0.0" */
}

json_t *biq_fl_json_days(double ms)
{
    return biq_fl_json_real(ms / (double)BIQ_MS_PER_DAY);
}

json_t *biq_fl_json_instant(biq_ms t)
{
    char b[INSTANT_BUF];
    if (t == BIQ_MS_NONE || !biq_flow_format_instant(t, b, sizeof b))
        return json_null();
    return json_string(b);
}

json_t *biq_fl_json_id(int64_t id)
{
    char b[ID_BUF];
    snprintf(b, sizeof b, "%" PRId64, id);
    return json_string(b);
}

json_t *biq_fl_json_str(const char *s)
{
    return s ? json_string(s) : json_null();
}
