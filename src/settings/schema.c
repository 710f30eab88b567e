/* schema.c - the settings' field table and what a PUT may change
 * (settings.h).
 *
 * Every field is a row of a table: its path, its kind (how it is validated
 * and normalised) and its default. PUT is a partial update: fields absent
 * from the body keep their state, `null` resets a field to its default,
 * anything else must pass its kind's checks (422 naming the field) and the
 * merged result must still make a valid whole (the same builder the
 * dashboard uses decides, flow_config.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings/internal.h"
#include "settings/settings.h"
#include "store/backfill.h"
#include "tz/civil.h"
#include "tz/tz.h"

enum {
    STATUS_ID_DIGITS_MAX = 18,
    PATH_MAX_LEN = 96,
    TZ_ARENA_LIMIT = 1 << 20,
    SETTINGS_ARENA_LIMIT = 16 << 20,
};

const char *const biq_settings_weekdays[BIQ_SETTINGS_WEEK_DAYS] = {"mon", "tue", "wed", "thu",
                                                                   "fri", "sat", "sun"};

const char *const biq_settings_subtask_names[BIQ_SETTINGS_SUBTASK_POLICIES] = {"count", "exclude",
                                                                             "rollup"};

typedef enum field_kind {
    F_STATUS_IDS,
    F_NUMBER,
    F_INTEGER, /* a whole number within min..max, stored as a JSON integer */
    F_FIELD_ID,
    F_SCHEDULE,
    F_BOOL,
    F_EMAIL,
    F_WIP_LIMITS,
    F_TYPE_NAMES,
    F_RESOLUTIONS, /* resolution names: like type names */
    F_LABELS,      /* Jira labels: names without spaces */
    F_SUBTASKS,    /* "count", "exclude" or "rollup" */
    F_SLE,       /* {"percentile", "days"} */
    F_SLE_TYPES, /* [{"issueType", "percentile", "days"}] */
} field_kind;

typedef struct field_def {
    const char *path;
    field_kind kind;
    double min, max, def; /* F_NUMBER, F_INTEGER */
} field_def;

static const field_def TENANT_FIELDS[] = {
    {"statusRoles.active", F_STATUS_IDS, 0, 0, 0},
    {"statusRoles.backlog", F_STATUS_IDS, 0, 0, 0},
    {"statusRoles.done", F_STATUS_IDS, 0, 0, 0},
    {"statusRoles.terminal", F_STATUS_IDS, 0, 0, 0},
    {"statusRoles.external", F_STATUS_IDS, 0, 0, 0},
    {"thresholds.time", F_NUMBER, 1.0, 10.0, BIQ_FLOW_T_DEFAULT},
    {"thresholds.wip", F_NUMBER, 1.0, 10.0, BIQ_FLOW_W_DEFAULT},
    {"thresholds.throughput", F_NUMBER, -1.0, 1.0, BIQ_FLOW_D_DEFAULT},
    {"fields.storyPoints", F_FIELD_ID, 0, 0, 0},
    {"fields.sprint", F_FIELD_ID, 0, 0, 0},
    {"fields.flagged", F_FIELD_ID, 0, 0, 0}, /* issue #15 */
    {"workSchedule", F_SCHEDULE, 0, 0, 0},
    {"aiExplanations", F_BOOL, 0, 0, 1},
    {"notificationEmail", F_EMAIL, 0, 0, 0},
    {"wipLimits", F_WIP_LIMITS, 0, 0, 0}, /* tenant-wide; a project's entry wins */
    {"bottleneck.xmrSignal", F_BOOL, 0, 0, 0}, /* the XmR input: off unless turned on */
};

static const field_def PROJECT_FIELDS[] = {
    /* mutate: equivalent const: min, max and def are read for F_NUMBER, F_INTEGER and F_BOOL only */
    {"wipLimits", F_WIP_LIMITS, 0, 0, 0},
    {"excludedIssueTypes", F_TYPE_NAMES, 0, 0, 0},
    /* Issue #15: the board that frames the project; default 0 = the lowest
     * board id stored for it (biq_settings_flow_config_add_board). */
    {"boardId", F_INTEGER, 1.0, BIQ_SETTINGS_BOARD_ID_MAX, 0},
    /* Filters (issue #15; docs/metrics.md, "Filters"). */
    {"includedIssueTypes", F_TYPE_NAMES, 0, 0, 0},
    {"excludedResolutions", F_RESOLUTIONS, 0, 0, 0},
    {"subtasks", F_SUBTASKS, 0, 0, 0},
    {"labels.include", F_LABELS, 0, 0, 0},
    {"labels.exclude", F_LABELS, 0, 0, 0},
    /* Service level expectations: null (the default) until an admin sets
     * one; the API shows a suggestion beside them, never stores it. */
    {"sle", F_SLE, 0, 0, 0},
    {"sleByIssueType", F_SLE_TYPES, 0, 0, 0},
};

typedef struct field_set {
    const field_def *defs;
    size_t n;
} field_set;

static const field_set TENANT_SET = {TENANT_FIELDS, sizeof TENANT_FIELDS / sizeof TENANT_FIELDS[0]};
static const field_set PROJECT_SET = {PROJECT_FIELDS,
                                      sizeof PROJECT_FIELDS / sizeof PROJECT_FIELDS[0]};

/* ------------------------------------------------------------ defaults */

static json_t *default_of(const field_def *f)
{
    switch (f->kind) {
    case F_NUMBER:
        return json_real(f->def);
    case F_INTEGER:
        return json_integer((json_int_t)f->def);
    case F_BOOL: /* def: 1 on (aiExplanations), 0 off (bottleneck.xmrSignal) */
        return json_boolean(f->def != 0);
    case F_STATUS_IDS:
    case F_WIP_LIMITS:
    case F_TYPE_NAMES:
    case F_RESOLUTIONS:
    case F_LABELS:
    case F_SLE_TYPES:
        return json_array();
    case F_SUBTASKS:
        return json_string(biq_settings_subtask_names[BIQ_SUBTASKS_COUNT]);
    case F_SLE:
    case F_FIELD_ID:
    case F_SCHEDULE: /* calendar time in UTC */
    case F_EMAIL:
        break;
    }
    return json_null();
}

/* ---------------------------------------------------------- validation */

biq_err biq_settings_fail(biq_settings_checker *c, const char *path, const char *what)
{
    snprintf(c->msg, c->msg_len, "%s: %s", path, what);
    return BIQ_ERR_SHAPE;
}

static bool all_digits(const char *s, size_t max)
{
    size_t n = strlen(s);
    return n > 0 && n <= max && strspn(s, "0123456789") == n && s[0] != '0';
}

/* The text of a JSON string without an embedded NUL (which C would read as
 * a shorter string than the one validated), else NULL. */
static const char *plain_string(const json_t *v)
{
    const char *s = json_string_value(v);
    return s != NULL && strlen(s) == json_string_length(v) ? s : NULL;
}

/* A status id as the API writes ids: a decimal string. */
static json_t *status_id(const json_t *v)
{
    char buf[32];
    if (json_is_integer(v) && json_integer_value(v) > 0) {
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
        return json_string(buf);
    }
    if (plain_string(v) != NULL && all_digits(plain_string(v), STATUS_ID_DIGITS_MAX))
        return json_string(plain_string(v));
    return NULL;
}

static bool printable(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return false;
    return true;
}

static biq_err check_list(biq_settings_checker *c, const char *path, const json_t *v,
                          field_kind kind, json_t **out)
{
    if (!json_is_array(v))
        return biq_settings_fail(c, path, "must be an array");
    if (json_array_size(v) > BIQ_SETTINGS_LIST_MAX)
        return biq_settings_fail(c, path, "too many entries");
    *out = json_array();
    size_t i;
    const json_t *e;
    json_array_foreach (v, i, e) {
        json_t *n = NULL;
        if (kind == F_STATUS_IDS)
            n = status_id(e);
        else if (plain_string(e) != NULL && json_string_length(e) > 0 &&
                 json_string_length(e) <= BIQ_SETTINGS_NAME_MAX && printable(plain_string(e)))
            n = json_string(plain_string(e));
        if (n != NULL && kind == F_LABELS && strchr(plain_string(e), ' ') != NULL) {
            json_decref(n);
            n = NULL;
        }
        if (n == NULL)
            return biq_settings_fail(c, path,
                                     kind == F_STATUS_IDS    ? "entries must be status ids"
                                     : kind == F_RESOLUTIONS ? "entries must be resolution names"
                                     : kind == F_LABELS      ? "entries must be labels (no spaces)"
                                                             : "entries must be issue type names");
        json_array_append_new(*out, n);
    }
    return BIQ_OK;
}

static bool email_ok(const char *s)
{
    const char *at = strchr(s, '@');
    size_t n = strlen(s);
    return n <= BIQ_SETTINGS_EMAIL_MAX && at != NULL && at != s && strchr(at + 1, '@') == NULL &&
           strchr(at + 1, '.') != NULL && at[1] != '.' && s[n - 1] != '.' && printable(s) &&
           strchr(s, ' ') == NULL;
}

bool biq_settings_field_id_ok(const char *s)
{
    static const char prefix[] = "customfield_";
    return strlen(s) <= BIQ_FIELD_ID_MAX && strncmp(s, prefix, sizeof prefix - 1) == 0 &&
           all_digits(s + sizeof prefix - 1, STATUS_ID_DIGITS_MAX);
}

/* An integer member in [lo, hi], or absent/null when optional. */
static bool int_member(const json_t *o, const char *name, json_int_t lo, json_int_t hi,
                       bool optional)
{
    const json_t *v = json_object_get(o, name);
    if (v == NULL || json_is_null(v))
        return optional;
    return json_is_integer(v) && json_integer_value(v) >= lo && json_integer_value(v) <= hi;
}

static bool only_members(const json_t *o, const char *const *names, size_t n)
{
    const char *k;
    const json_t *v;
    json_object_foreach ((json_t *)o, k, v) {
        bool known = false;
        for (size_t i = 0; i < n && !known; i++)
            known = strcmp(k, names[i]) == 0;
        if (!known)
            return false;
    }
    return true;
}

static biq_err check_wip_limit(biq_settings_checker *c, const json_t *e, size_t i, json_t *seen,
                               json_t *out)
{
    static const char *const members[] = {"statusId", "limit", "breachMinutes"};
    char path[PATH_MAX_LEN];
    snprintf(path, sizeof path, "wipLimits[%zu]", i);
    if (!json_is_object(e) || !only_members(e, members, 3))
        return biq_settings_fail(c, path, "must be {\"statusId\", \"limit\", \"breachMinutes\"}");
    json_t *id = status_id(json_object_get(e, "statusId"));
    if (id == NULL)
        return biq_settings_fail(c, path, "statusId must be a status id");
    bool dup = json_object_get(seen, json_string_value(id)) != NULL;
    json_object_set_new(seen, json_string_value(id), json_true());
    if (dup) {
        json_decref(id);
        return biq_settings_fail(c, path, "statusId is listed twice");
    }
    if (!int_member(e, "limit", 1, BIQ_SETTINGS_WIP_LIMIT_MAX, false)) {
        json_decref(id);
        return biq_settings_fail(c, path, "limit must be an integer between 1 and 100000");
    }
    if (!int_member(e, "breachMinutes", 1, BIQ_SETTINGS_BREACH_MINUTES_MAX, true)) {
        json_decref(id);
        return biq_settings_fail(c, path,
                                 "breachMinutes must be null or an integer between 1 and 525600");
    }
    const json_t *bm = json_object_get(e, "breachMinutes");
    json_array_append_new(out, json_pack("{s:o,s:O,s:O}", "statusId", id, "limit",
                                         json_object_get(e, "limit"), "breachMinutes",
                                         bm != NULL ? bm : json_null()));
    return BIQ_OK;
}

static biq_err check_wip_limits(biq_settings_checker *c, const json_t *v, json_t **out)
{
    if (!json_is_array(v))
        return biq_settings_fail(c, "wipLimits", "must be an array");
    if (json_array_size(v) > BIQ_FLOW_MAX_STATUSES)
        return biq_settings_fail(c, "wipLimits", "too many entries");
    json_t *seen = json_object();
    *out = json_array();
    size_t i;
    const json_t *e;
    biq_err err = BIQ_OK;
    json_array_foreach (v, i, e) {
        if ((err = check_wip_limit(c, e, i, seen, *out)) != BIQ_OK)
            break;
    }
    json_decref(seen);
    return err;
}

static bool zone_exists(const char *name)
{
    biq_arena *a = biq_arena_new(TZ_ARENA_LIMIT);
    biq_tz *tz = NULL;
    bool ok = a != NULL && biq_tz_name_valid(name) && biq_tz_load(NULL, name, a, &tz) == BIQ_OK;
    biq_arena_free(a);
    return ok;
}

static biq_err check_days(biq_settings_checker *c, const json_t *v, json_t *out)
{
    if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > BIQ_SETTINGS_WEEK_DAYS)
        return biq_settings_fail(c, "workSchedule.workingDays",
                                 "must be a non-empty array of mon..sun");
    unsigned bits = 0;
    size_t i;
    const json_t *e;
    json_array_foreach (v, i, e) {
        int d = 0;
        while (d < BIQ_SETTINGS_WEEK_DAYS &&
               !(json_is_string(e) && strcmp(json_string_value(e), biq_settings_weekdays[d]) == 0))
            d++;
        if (d == BIQ_SETTINGS_WEEK_DAYS || (bits & (1u << d)))
            return biq_settings_fail(c, "workSchedule.workingDays",
                                     "must be distinct days among mon..sun");
        bits |= 1u << d;
    }
    json_t *days = json_array();
    for (int d = 0; d < BIQ_SETTINGS_WEEK_DAYS; d++)
        if (bits & (1u << d))
            json_array_append_new(days, json_string(biq_settings_weekdays[d]));
    json_object_set_new(out, "workingDays", days);
    return BIQ_OK;
}

static biq_err check_hours(biq_settings_checker *c, const json_t *v, json_t *out)
{
    static const char *const members[] = {"start", "end"};
    int start = json_is_object(v) ? biq_settings_clock_minutes(json_object_get(v, "start")) : -1;
    int end = json_is_object(v) ? biq_settings_clock_minutes(json_object_get(v, "end")) : -1;
    if (start < 0 || end < 0 || start >= end || !only_members(v, members, 2))
        return biq_settings_fail(
            c, "workSchedule.hours",
            "must be {\"start\": \"HH:MM\", \"end\": \"HH:MM\"} with start before end");
    json_object_set_new(out, "hours", json_deep_copy(v));
    return BIQ_OK;
}

static biq_err check_holidays(biq_settings_checker *c, const json_t *v, json_t *out)
{
    if (!json_is_array(v) || json_array_size(v) > BIQ_FLOW_MAX_HOLIDAYS)
        return biq_settings_fail(c, "workSchedule.holidays",
                                 "must be an array of at most 4096 dates");
    size_t i;
    const json_t *e;
    json_array_foreach (v, i, e) {
        int64_t day;
        if (!json_is_string(e) || biq_civil_parse_date(json_string_value(e), &day) != BIQ_OK)
            return biq_settings_fail(c, "workSchedule.holidays",
                                     "entries must be dates YYYY-MM-DD");
    }
    json_object_set_new(out, "holidays", json_deep_copy(v));
    return BIQ_OK;
}

static biq_err check_schedule(biq_settings_checker *c, const json_t *v, json_t **out)
{
    static const char *const members[] = {"timeZone", "working", "workingDays", "hours",
                                          "holidays"};
    if (!json_is_object(v) || !only_members(v, members, 5))
        return biq_settings_fail(
            c, "workSchedule",
            "must be an object of timeZone, working, workingDays, hours, holidays");
    const json_t *tz = json_object_get(v, "timeZone");
    if (!json_is_string(tz) || !zone_exists(json_string_value(tz)))
        return biq_settings_fail(c, "workSchedule.timeZone", "must be a known IANA time zone");
    const json_t *working = json_object_get(v, "working");
    if (working != NULL && !json_is_boolean(working))
        return biq_settings_fail(c, "workSchedule.working", "must be true or false");
    *out = json_pack("{s:s,s:b}", "timeZone", json_string_value(tz), "working",
                     working == NULL || json_is_true(working));
    const json_t *days = json_object_get(v, "workingDays");
    json_t *def_days = json_pack("[sssss]", "mon", "tue", "wed", "thu", "fri");
    json_t *def_hours = json_pack("{s:s,s:s}", "start", "09:00", "end", "17:00");
    json_t *no_holidays = json_array();
    biq_err err = check_days(c, days ? days : def_days, *out);
    if (err == BIQ_OK)
        err = check_hours(c, json_object_get(v, "hours") ? json_object_get(v, "hours") : def_hours,
                          *out);
    if (err == BIQ_OK)
        err = check_holidays(
            c, json_object_get(v, "holidays") ? json_object_get(v, "holidays") : no_holidays, *out);
    json_decref(def_days);
    json_decref(def_hours);
    json_decref(no_holidays);
    return err;
}

/* "P% of items finish within D days": {"percentile": P, "days": D} (and
 * "issueType" for a per-type entry) into out. */
static biq_err check_sle(biq_settings_checker *c, const char *path, const json_t *v, bool typed,
                         json_t *out)
{
    static const char *const members[] = {"percentile", "days", "issueType"};
    if (!json_is_object(v) || !only_members(v, members, typed ? 3 : 2))
        return biq_settings_fail(c, path,
                                 typed ? "must be {\"issueType\", \"percentile\", \"days\"}"
                                       : "must be {\"percentile\", \"days\"} or null");
    if (!int_member(v, "percentile", BIQ_FLOW_SLE_PERCENT_MIN, BIQ_FLOW_SLE_PERCENT_MAX, false))
        return biq_settings_fail(c, path, "percentile must be an integer between 50 and 99");
    if (!int_member(v, "days", BIQ_FLOW_SLE_DAYS_MIN, BIQ_FLOW_SLE_DAYS_MAX, false))
        return biq_settings_fail(c, path, "days must be an integer between 1 and 365");
    if (typed) {
        const json_t *t = json_object_get(v, "issueType");
        if (plain_string(t) == NULL || json_string_length(t) == 0 ||
            json_string_length(t) > BIQ_SETTINGS_NAME_MAX || !printable(plain_string(t)))
            return biq_settings_fail(c, path, "issueType must be an issue type name");
        json_object_set_new(out, "issueType", json_string(plain_string(t)));
    }
    json_object_set_new(out, "percentile", json_integer(json_integer_value(json_object_get(v, "percentile"))));
    json_object_set_new(out, "days", json_integer(json_integer_value(json_object_get(v, "days"))));
    return BIQ_OK;
}

static bool same_type_name(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
        char y = (*b >= 'A' && *b <= 'Z') ? (char)(*b - 'A' + 'a') : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

static biq_err check_sle_types(biq_settings_checker *c, const json_t *v, json_t **out)
{
    char path[PATH_MAX_LEN];
    if (!json_is_array(v))
        return biq_settings_fail(c, "sleByIssueType", "must be an array");
    if (json_array_size(v) > BIQ_FLOW_SLE_MAX_TYPES)
        return biq_settings_fail(c, "sleByIssueType", "too many entries (at most 256)");
    *out = json_array();
    size_t i;
    const json_t *e;
    json_array_foreach (v, i, e) {
        json_t *n = json_object();
        snprintf(path, sizeof path, "sleByIssueType[%zu]", i);
        json_array_append_new(*out, n);
        biq_err err = check_sle(c, path, e, true, n);
        if (err != BIQ_OK)
            return err;
        /* One SLE per type: a second would make which one applies a guess
         * (types match without case, as excluded types). */
        for (size_t k = 0; k < i; k++)
            if (same_type_name(json_string_value(json_object_get(json_array_get(*out, k), "issueType")),
                               json_string_value(json_object_get(n, "issueType"))))
                return biq_settings_fail(c, path, "issueType is listed twice");
    }
    return BIQ_OK;
}

/* Validates a non-null value of field f into its normalised form *out (a
 * new reference, also on failure when partly built: the caller drops it). */
static biq_err check_value(biq_settings_checker *c, const field_def *f, const json_t *v,
                           json_t **out)
{
    char what[BIQ_SETTINGS_MESSAGE_MAX];
    switch (f->kind) {
    case F_NUMBER:
        if (!json_is_number(v) || json_number_value(v) < f->min || json_number_value(v) > f->max) {
            snprintf(what, sizeof what, "must be between %.1f and %.1f", f->min, f->max);
            return biq_settings_fail(c, f->path, what);
        }
        *out = json_real(json_number_value(v));
        return BIQ_OK;
    case F_INTEGER: /* 12.0 is the integer 12; 12.5 names nothing */
        if (!json_is_number(v) || json_number_value(v) < f->min || json_number_value(v) > f->max ||
            json_number_value(v) != floor(json_number_value(v))) {
            snprintf(what, sizeof what, "must be a whole number between %.0f and %.0f", f->min,
                     f->max);
            return biq_settings_fail(c, f->path, what);
        }
        *out = json_integer((json_int_t)json_number_value(v));
        return BIQ_OK;
    case F_BOOL:
        if (!json_is_boolean(v))
            return biq_settings_fail(c, f->path, "must be true or false");
        *out = json_boolean(json_is_true(v));
        return BIQ_OK;
    case F_FIELD_ID:
        if (plain_string(v) == NULL || !biq_settings_field_id_ok(plain_string(v)))
            return biq_settings_fail(c, f->path,
                                     "must be a custom field id such as customfield_10016");
        *out = json_string(json_string_value(v));
        return BIQ_OK;
    case F_EMAIL:
        if (plain_string(v) == NULL || !email_ok(plain_string(v)))
            return biq_settings_fail(c, f->path, "must be an e-mail address");
        *out = json_string(json_string_value(v));
        return BIQ_OK;
    case F_STATUS_IDS:
    case F_TYPE_NAMES:
    case F_RESOLUTIONS:
    case F_LABELS:
        return check_list(c, f->path, v, f->kind, out);
    case F_SUBTASKS:
        for (int i = 0; i < BIQ_SETTINGS_SUBTASK_POLICIES; i++)
            if (plain_string(v) != NULL && strcmp(plain_string(v), biq_settings_subtask_names[i]) == 0) {
                *out = json_string(biq_settings_subtask_names[i]);
                return BIQ_OK;
            }
        return biq_settings_fail(c, f->path, "must be count, exclude or rollup");
    case F_WIP_LIMITS:
        return check_wip_limits(c, v, out);
    case F_SCHEDULE:
        return check_schedule(c, v, out);
    case F_SLE:
        *out = json_object();
        return check_sle(c, f->path, v, false, *out);
    case F_SLE_TYPES:
        return check_sle_types(c, v, out);
    }
    return BIQ_ERR_INTERNAL;
}

/* {"version", "fields": {path: {"value","default","overridden"}}} */
json_t *biq_settings_describe(bool project, const json_t *ov, int64_t version)
{
    const field_set *set = project ? &PROJECT_SET : &TENANT_SET;
    json_t *fields = json_object();
    for (size_t i = 0; i < set->n; i++) {
        const json_t *o = json_object_get(ov, set->defs[i].path);
        json_t *def = default_of(&set->defs[i]);
        json_object_set_new(fields, set->defs[i].path,
                            json_pack("{s:O,s:o,s:b}", "value", o ? o : def, "default", def,
                                      "overridden", o != NULL));
    }
    return json_pack("{s:I,s:o}", "version", (json_int_t)version, "fields", fields);
}

static const field_def *field_named(const field_set *set, const char *path)
{
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->defs[i].path, path) == 0)
            return &set->defs[i];
    return NULL;
}

static bool is_group(const field_set *set, const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i < set->n; i++)
        if (strncmp(set->defs[i].path, key, n) == 0 && set->defs[i].path[n] == '.')
            return true;
    return false;
}

/* Applies one field's update to ov, recording it in changes. */
static biq_err apply_field(biq_settings_checker *c, const field_def *f, const json_t *v, json_t *ov,
                           json_t *changes)
{
    json_t *norm = NULL;
    if (!json_is_null(v)) {
        biq_err err = check_value(c, f, v, &norm);
        if (err != BIQ_OK) {
            json_decref(norm);
            return err;
        }
    }
    json_t *old = json_object_get(ov, f->path);
    if ((old == NULL && norm == NULL) || (old != NULL && norm != NULL && json_equal(old, norm))) {
        json_decref(norm);
        return BIQ_OK;
    }
    json_object_set_new(
        changes, f->path,
        json_pack("{s:O,s:O}", "from", old ? old : json_null(), "to", norm ? norm : json_null()));
    if (norm != NULL)
        json_object_set_new(ov, f->path, norm);
    else
        json_object_del(ov, f->path);
    return BIQ_OK;
}

/* A group's members ({"thresholds": {"time": 2}}); a null group resets all
 * its fields. */
static biq_err apply_group(biq_settings_checker *c, const field_set *set, const char *key,
                           const json_t *v, json_t *ov, json_t *changes)
{
    char path[PATH_MAX_LEN];
    size_t n = strlen(key);
    biq_err err = BIQ_OK;
    if (!json_is_object(v) && !json_is_null(v))
        return biq_settings_fail(c, key, "must be an object");
    const char *m;
    const json_t *mv;
    json_object_foreach ((json_t *)v, m, mv) {
        snprintf(path, sizeof path, "%s.%.*s", key, PATH_MAX_LEN / 2, m);
        if (field_named(set, path) == NULL)
            return biq_settings_fail(c, path, "unknown setting");
    }
    for (size_t i = 0; i < set->n && err == BIQ_OK; i++) {
        const char *p = set->defs[i].path;
        if (strncmp(p, key, n) != 0 || p[n] != '.')
            continue;
        const json_t *value = json_is_null(v) ? v : json_object_get(v, p + n + 1);
        if (value != NULL)
            err = apply_field(c, &set->defs[i], value, ov, changes);
    }
    return err;
}

/* Walks the body: leaf fields by name, groups by member. */
static biq_err apply_body(biq_settings_checker *c, const field_set *set, const json_t *body,
                          json_t *ov, json_t *changes)
{
    const char *key;
    const json_t *v;
    json_object_foreach ((json_t *)body, key, v) {
        const field_def *f = field_named(set, key);
        biq_err err;
        if (f != NULL) {
            err = apply_field(c, f, v, ov, changes);
        } else if (strlen(key) < PATH_MAX_LEN / 2 && is_group(set, key)) {
            err = apply_group(c, set, key, v, ov, changes);
        } else {
            char path[PATH_MAX_LEN];
            snprintf(path, sizeof path, "%.*s", PATH_MAX_LEN / 2, key);
            err = biq_settings_fail(c, path, "unknown setting");
        }
        if (err != BIQ_OK)
            return err;
    }
    return BIQ_OK;
}

/* The merged overrides must still build (cross-field rules). */
static biq_err check_whole(biq_settings_checker *c, bool project, const json_t *ov)
{
    biq_arena *a = biq_arena_new(SETTINGS_ARENA_LIMIT);
    biq_settings_flow_config cfg;
    biq_err err = a == NULL
                      ? BIQ_ERR_NOMEM
                      : biq_settings_flow_config_build(project ? NULL : ov, project ? ov : NULL, a,
                                                       &cfg, c->msg, c->msg_len);
    biq_arena_free(a);
    return err;
}

biq_err biq_settings_apply(bool project, const json_t *body, json_t *ov, json_t *changes, char *msg,
                           size_t msg_len)
{
    biq_settings_checker c = {msg, msg_len};
    biq_err err = apply_body(&c, project ? &PROJECT_SET : &TENANT_SET, body, ov, changes);
    if (err == BIQ_OK && json_object_size(changes) > 0)
        err = check_whole(&c, project, ov);
    return err;
}
