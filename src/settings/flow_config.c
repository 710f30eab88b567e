/* flow_config.c - the stored overrides as the flow core reads them:
 * typed flow settings (thresholds, status roles, WIP limits, the filters
 * of issue types, resolutions, sub-tasks and labels) and the work schedule (settings.h), and the flow input of a
 * loaded project. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "settings/internal.h"
#include "settings/settings.h"
#include "tz/civil.h"
#include "tz/tz.h"

enum {
    CLOCK_LEN = 5, /* HH:MM */
    MINUTES_PER_DAY = 1440,
};

/* "HH:MM" (00:00..24:00) to minutes; -1 when malformed. */
int biq_settings_clock_minutes(const json_t *v)
{
    const char *s = json_is_string(v) ? json_string_value(v) : "";
    if (strlen(s) != CLOCK_LEN || s[2] != ':' || strspn(s, "0123456789:") != CLOCK_LEN)
        return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    int t = h * 60 + m;
    return m < 60 && t <= MINUTES_PER_DAY ? t : -1;
}

/* ------------------------------------------------- overrides -> flow */

static biq_flow_status_role *role_for(biq_flow_status_role *roles, size_t *n, int64_t id)
{
    for (size_t i = 0; i < *n; i++)
        if (roles[i].status_id == id)
            return &roles[i];
    roles[*n] = (biq_flow_status_role){.status_id = id, .role = -1, .terminal = -1, .external = -1};
    return &roles[(*n)++];
}

static const json_t *list_of(const json_t *ov, const char *path)
{
    const json_t *v = ov ? json_object_get(ov, path) : NULL;
    return json_is_array(v) ? v : NULL;
}

/* The role lists (one role each) and the flag lists of statusRoles. */
typedef struct role_list {
    const char *path;
    int role;     /* a biq_role, or -1 for a flag list */
    bool terminal; /* flag lists: terminal, else external */
} role_list;

static const role_list ROLE_LISTS[] = {
    {"statusRoles.active", BIQ_ROLE_ACTIVE, false},
    {"statusRoles.backlog", BIQ_ROLE_BACKLOG, false},
    {"statusRoles.done", BIQ_ROLE_DONE, false},
    {"statusRoles.terminal", -1, true},
    {"statusRoles.external", -1, false},
};
enum { N_ROLE_LISTS = sizeof ROLE_LISTS / sizeof ROLE_LISTS[0] };

static biq_err build_roles(const json_t *ov, biq_arena *arena, biq_flow_settings *s,
                           biq_settings_checker *c)
{
    /* mutate: equivalent const "0 -> (-1)": total + 1 slots, one to spare */
    size_t total = 0;
    for (size_t l = 0; l < N_ROLE_LISTS; l++)
        total += list_of(ov, ROLE_LISTS[l].path) ? json_array_size(list_of(ov, ROLE_LISTS[l].path))
                                                  : 0;
    biq_flow_status_role *roles = biq_arena_calloc(arena, total + 1, sizeof *roles);
    size_t n = 0;
    if (roles == NULL)
        return BIQ_ERR_NOMEM;
    for (size_t l = 0; l < N_ROLE_LISTS; l++) {
        const role_list *rl = &ROLE_LISTS[l];
        size_t i;
        const json_t *e;
        json_array_foreach (list_of(ov, rl->path), i, e) {
            biq_flow_status_role *r = role_for(roles, &n, strtoll(json_string_value(e), NULL, 10));
            if (rl->role < 0 && rl->terminal)
                r->terminal = 1;
            else if (rl->role < 0)
                r->external = 1;
            else if (r->role != -1 && r->role != rl->role)
                return biq_settings_fail(c, rl->path,
                                         "a status has one role: active, backlog or done");
            else
                r->role = rl->role;
        }
    }
    s->roles = roles;
    s->n_roles = n;
    return BIQ_OK;
}

static double number_or(const json_t *ov, const char *path, double def)
{
    const json_t *v = ov ? json_object_get(ov, path) : NULL;
    return json_is_number(v) ? json_number_value(v) : def;
}

/* The project's boardId; 0 when unset or not a whole number (a value
 * stored before the schema took integers only can never name a board). */
static int64_t board_id_of(const json_t *project_ov)
{
    double v = number_or(project_ov, "boardId", 0);
    return v >= 1 && v <= BIQ_SETTINGS_BOARD_ID_MAX && v == floor(v) ? (int64_t)v : 0;
}

/* Appends the WIP limits of list to wl[*n] unless a status already has
 * one: called with the project's list first, so the project wins. */
static void add_wip_limits(const json_t *list, biq_flow_wip_limit *wl, int32_t *breach,
                           size_t *n)
{
    size_t i;
    const json_t *e;
    json_array_foreach (list, i, e) {
        int64_t id = strtoll(json_string_value(json_object_get(e, "statusId")), NULL, 10);
        bool taken = false;
        for (size_t k = 0; k < *n && !taken; k++)
            taken = wl[k].status_id == id;
        if (taken)
            continue;
        breach[*n] = (int32_t)json_integer_value(json_object_get(e, "breachMinutes"));
        wl[(*n)++] = (biq_flow_wip_limit){
            .status_id = id, .limit = (int32_t)json_integer_value(json_object_get(e, "limit"))};
    }
}

/* A name list of the overrides as arena strings; *n its length. */
static biq_err names_of(const json_t *ov, const char *path, biq_arena *arena,
                        const char *const **out, size_t *n)
{
    const json_t *list = list_of(ov, path);
    size_t k = list ? json_array_size(list) : 0;
    const char **names = biq_arena_calloc(arena, k + 1, sizeof *names);
    if (names == NULL)
        return BIQ_ERR_NOMEM;
    for (size_t i = 0; i < k; i++)
        if ((names[i] = biq_arena_strdup(arena, json_string_value(json_array_get(list, i)))) ==
            NULL)
            return BIQ_ERR_NOMEM;
    *out = names;
    *n = k;
    return BIQ_OK;
}

/* The filters of issue #15 (schema.c validated their shapes). */
static biq_err build_filters(const json_t *ov, biq_arena *arena, biq_flow_settings *s)
{
    biq_err err;
    const json_t *sub = ov ? json_object_get(ov, "subtasks") : NULL;
    for (int i = 0; json_is_string(sub) && i < BIQ_SETTINGS_SUBTASK_POLICIES; i++)
        if (strcmp(json_string_value(sub), biq_settings_subtask_names[i]) == 0)
            s->subtasks = (biq_subtask_policy)i;
    if ((err = names_of(ov, "excludedIssueTypes", arena, &s->excluded_types,
                        &s->n_excluded_types)) != BIQ_OK ||
        (err = names_of(ov, "includedIssueTypes", arena, &s->included_types,
                        &s->n_included_types)) != BIQ_OK ||
        (err = names_of(ov, "excludedResolutions", arena, &s->excluded_resolutions,
                        &s->n_excluded_resolutions)) != BIQ_OK ||
        (err = names_of(ov, "labels.include", arena, &s->labels_include,
                        &s->n_labels_include)) != BIQ_OK)
        return err;
    return names_of(ov, "labels.exclude", arena, &s->labels_exclude, &s->n_labels_exclude);
}

static biq_err build_project(const json_t *tenant_ov, const json_t *ov, biq_arena *arena,
                             biq_settings_flow_config *cfg)
{
    biq_flow_settings *s = &cfg->settings;
    const json_t *limits = list_of(ov, "wipLimits"),
                 *tenant_limits = list_of(tenant_ov, "wipLimits");
    size_t nl = json_array_size(limits) + json_array_size(tenant_limits);
    biq_flow_wip_limit *wl = biq_arena_calloc(arena, nl + 1, sizeof *wl);
    int32_t *breach = biq_arena_calloc(arena, nl + 1, sizeof *breach);
    if (wl == NULL || breach == NULL)
        return BIQ_ERR_NOMEM;
    biq_err err = build_filters(ov, arena, s);
    if (err != BIQ_OK)
        return err;
    nl = 0;
    add_wip_limits(limits, wl, breach, &nl);
    add_wip_limits(tenant_limits, wl, breach, &nl);
    s->wip_limits = wl;
    s->n_wip_limits = nl;
    cfg->breach_minutes = breach;
    return BIQ_OK;
}

static biq_err build_schedule(const json_t *ov, biq_arena *arena, biq_work_schedule *ws,
                              biq_settings_checker *c)
{
    const json_t *v = ov ? json_object_get(ov, "workSchedule") : NULL;
    *ws = (biq_work_schedule){.working = false};
    if (!json_is_object(v))
        return BIQ_OK;
    biq_tz *tz = NULL;
    if (biq_tz_load(NULL, json_string_value(json_object_get(v, "timeZone")), arena, &tz) != BIQ_OK)
        return biq_settings_fail(c, "workSchedule.timeZone", "must be a known IANA time zone");
    const json_t *days = json_object_get(v, "workingDays"), *hol = json_object_get(v, "holidays");
    const json_t *hours = json_object_get(v, "hours");
    int64_t *holidays = biq_arena_calloc(arena, json_array_size(hol) + 1, sizeof *holidays);
    if (holidays == NULL)
        return BIQ_ERR_NOMEM;
    ws->tz = tz;
    ws->working = json_is_true(json_object_get(v, "working"));
    for (size_t i = 0; i < json_array_size(days); i++)
        for (int d = 0; d < BIQ_SETTINGS_WEEK_DAYS; d++)
            if (strcmp(json_string_value(json_array_get(days, i)), biq_settings_weekdays[d]) == 0)
                ws->working_days |= (uint8_t)(1u << d);
    ws->day_start_min = biq_settings_clock_minutes(json_object_get(hours, "start"));
    ws->day_end_min = biq_settings_clock_minutes(json_object_get(hours, "end"));
    for (size_t i = 0; i < json_array_size(hol); i++)
        if (biq_civil_parse_date(json_string_value(json_array_get(hol, i)), &holidays[i]) != BIQ_OK)
            return biq_settings_fail(c, "workSchedule.holidays",
                                     "entries must be dates YYYY-MM-DD");
    ws->holidays = holidays;
    ws->n_holidays = json_array_size(hol);
    if (biq_work_schedule_validate(ws) != BIQ_OK)
        return biq_settings_fail(c, "workSchedule", "is not a valid work schedule");
    return BIQ_OK;
}

/* The project's SLEs (schema.c validated them), in arena; the flow
 * settings point at them only when one is set. */
static biq_err build_sle(const json_t *ov, biq_arena *arena, biq_settings_flow_config *cfg)
{
    const json_t *p = ov ? json_object_get(ov, "sle") : NULL;
    const json_t *types = list_of(ov, "sleByIssueType");
    size_t nt = types ? json_array_size(types) : 0;
    cfg->settings.sle = NULL;
    if (!json_is_object(p) && nt == 0)
        return BIQ_OK;
    biq_flow_sle_set *set = biq_arena_calloc(arena, 1, sizeof *set);
    biq_flow_sle_type *t = biq_arena_calloc(arena, nt + 1, sizeof *t);
    if (set == NULL || t == NULL)
        return BIQ_ERR_NOMEM;
    *set = (biq_flow_sle_set){.types = t, .n_types = nt};
    if (json_is_object(p)) {
        set->has_project = true;
        set->project = (biq_flow_sle){
            (int32_t)json_integer_value(json_object_get(p, "percentile")),
            (int32_t)json_integer_value(json_object_get(p, "days"))};
    }
    for (size_t i = 0; i < nt; i++) {
        const json_t *e = json_array_get(types, i);
        const char *name = json_string_value(json_object_get(e, "issueType"));
        t[i] = (biq_flow_sle_type){
            biq_arena_strdup(arena, name != NULL ? name : ""),
            {(int32_t)json_integer_value(json_object_get(e, "percentile")),
             (int32_t)json_integer_value(json_object_get(e, "days"))}};
        if (t[i].issue_type == NULL)
            return BIQ_ERR_NOMEM;
    }
    cfg->settings.sle = set;
    return BIQ_OK;
}

biq_err biq_settings_flow_config_build(const json_t *tenant_ov, const json_t *project_ov,
                                       biq_arena *arena, biq_settings_flow_config *out, char *msg,
                                       size_t msg_len)
{
    biq_settings_checker c = {msg, msg_len};
    biq_err err;
    biq_flow_settings_init(&out->settings);
    out->board_id = board_id_of(project_ov);
    out->board = NULL;
    out->settings.threshold_time = number_or(tenant_ov, "thresholds.time", BIQ_FLOW_T_DEFAULT);
    out->settings.threshold_wip = number_or(tenant_ov, "thresholds.wip", BIQ_FLOW_W_DEFAULT);
    out->settings.threshold_throughput =
        number_or(tenant_ov, "thresholds.throughput", BIQ_FLOW_D_DEFAULT);
    out->settings.xmr_signal =
        tenant_ov != NULL && json_is_true(json_object_get(tenant_ov, "bottleneck.xmrSignal"));
    if ((err = build_roles(tenant_ov, arena, &out->settings, &c)) != BIQ_OK ||
        (err = build_project(tenant_ov, project_ov, arena, out)) != BIQ_OK ||
        (err = build_sle(project_ov, arena, out)) != BIQ_OK ||
        (err = build_schedule(tenant_ov, arena, &out->schedule, &c)) != BIQ_OK)
        return err;
    if (biq_flow_settings_validate(&out->settings) != BIQ_OK)
        return biq_settings_fail(&c, "settings", "do not form valid flow settings");
    return BIQ_OK;
}

/* The board whose id is want, else the lowest id; NULL when none. */
static const biq_board *pick_board(const biq_board *boards, size_t n_boards, int64_t want)
{
    const biq_board *lowest = NULL;
    for (size_t i = 0; i < n_boards; i++) {
        if (want > 0 && boards[i].id == want)
            return &boards[i];
        if (lowest == NULL || boards[i].id < lowest->id)
            lowest = &boards[i];
    }
    return lowest;
}

biq_err biq_settings_flow_config_add_board(biq_settings_flow_config *cfg, const biq_board *boards,
                                           size_t n_boards, biq_arena *arena)
{
    const biq_board *board = pick_board(boards, n_boards, cfg->board_id);
    biq_flow_settings *s = &cfg->settings;
    size_t extra = 0, n = s->n_wip_limits;
    for (size_t c = 0; board && c < board->n_columns; c++)
        extra += board->columns[c].max > 0 ? board->columns[c].n_status_ids : 0;
    if (extra == 0) {
        cfg->board = board;
        return BIQ_OK;
    }
    biq_flow_wip_limit *wl = biq_arena_calloc(arena, n + extra, sizeof *wl);
    int32_t *breach = biq_arena_calloc(arena, n + extra, sizeof *breach);
    if (wl == NULL || breach == NULL)
        return BIQ_ERR_NOMEM;
    if (n > 0) {
        memcpy(wl, s->wip_limits, n * sizeof *wl);
        memcpy(breach, cfg->breach_minutes, n * sizeof *breach);
    }
    for (size_t c = 0; c < board->n_columns; c++) {
        const biq_board_column *col = &board->columns[c];
        for (size_t k = 0; col->max > 0 && k < col->n_status_ids; k++) {
            bool taken = false;
            for (size_t j = 0; j < n && !taken; j++)
                taken = wl[j].status_id == col->status_ids[k];
            if (!taken)
                wl[n++] = (biq_flow_wip_limit){.status_id = col->status_ids[k], .limit = col->max};
        }
    }
    s->wip_limits = wl;
    s->n_wip_limits = n;
    cfg->breach_minutes = breach;
    cfg->board = board;
    return BIQ_OK;
}

biq_flow_input biq_settings_flow_input(const biq_project_data *data,
                                       const biq_settings_flow_config *cfg, int64_t now)
{
    return (biq_flow_input){.issues = data->issues,
                            .n_issues = data->n_issues,
                            .statuses = data->statuses,
                            .n_statuses = data->n_statuses,
                            .sprints = data->sprints,
                            .n_sprints = data->n_sprints,
                            .board = cfg->board,
                            .settings = &cfg->settings,
                            .schedule = &cfg->schedule,
                            .now = now};
}
