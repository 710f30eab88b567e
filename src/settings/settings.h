/* settings.h - what the stored settings mean: the field table and its
 * validation (schema.c: a GET's description, a PUT merged into the stored
 * overrides), and the flow core's view of them (flow_config.c: typed flow
 * settings and work schedule, and the flow input of a loaded project).
 * Shared by the settings routes (api/settings.c), the project views
 * (views/open.c) and the alert runs (alerts/evaluate.c); no request, no
 * SQL here.
 *
 * Overrides are JSON objects keyed by field path ("thresholds.time",
 * "workSchedule", "wipLimits", ...) holding only the fields a user set, in
 * the normalised form schema.c validated them into; a field absent from
 * them is its default. docs/api.md lists every field.
 */
#ifndef BIQ_SETTINGS_SETTINGS_H
#define BIQ_SETTINGS_SETTINGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/err.h"
#include "flow/flow.h"
#include "store/project_load.h"

enum {
    BIQ_SETTINGS_MESSAGE_MAX = 256,
    BIQ_SETTINGS_LIST_MAX = 1024, /* status ids per role list, type names */
    BIQ_SETTINGS_NAME_MAX = 255,  /* bytes of an issue type name */
    BIQ_SETTINGS_EMAIL_MAX = 254, /* RFC 5321 path limit */
    BIQ_SETTINGS_WIP_LIMIT_MAX = 100000,
    BIQ_SETTINGS_BREACH_MINUTES_MAX = 525600, /* a year */
};

/* The largest boardId: JSON's exact-integer range (2^53 - 1). */
#define BIQ_SETTINGS_BOARD_ID_MAX 9007199254740991.0

/* The flow core's view of a tenant's and a project's overrides. */
typedef struct biq_settings_flow_config {
    biq_flow_settings settings;
    biq_work_schedule schedule;
    /* The WIP breach period of each settings.wip_limits[i] (the project's
     * entry for a status wins over the tenant's, as for the limit), in
     * minutes; 0: the limit has none (no wip_breach alert). */
    const int32_t *breach_minutes;
    /* The project's `boardId` setting; 0 when unset (the lowest stored
     * board id frames the project). Set by biq_settings_flow_config_build. */
    int64_t board_id;
    /* The board that frames the flow, picked among the loaded ones by
     * biq_settings_flow_config_add_board; NULL when none (or before). */
    const biq_board *board;
} biq_settings_flow_config;

/* Builds *out from the overrides (either may be NULL: defaults) with every
 * array and the time zone in arena. BIQ_ERR_SHAPE with a message naming the
 * field in msg when they do not make a valid whole (a status both active
 * and done, an unknown zone), BIQ_ERR_NOMEM. */
biq_err biq_settings_flow_config_build(const json_t *tenant_ov, const json_t *project_ov,
                                       biq_arena *arena, biq_settings_flow_config *out, char *msg,
                                       size_t msg_len);

/* Issue #15: picks the board that frames the flow among the project's
 * stored boards (boards[0..n_boards), as loaded: biq_project_data.boards)
 * into cfg->board: the one whose id is cfg->board_id (the project's
 * `boardId` setting) when it is among them, else the lowest id; none when
 * n_boards is 0. Done per request from the settings, so a settings change
 * takes effect on the next request even while the model is cached.
 * Then the board's column WIP limits become defaults. Each status of a
 * column with a `max` gets that max as its WIP limit unless it already has
 * one; after biq_settings_flow_config_build, whose limits (the project's,
 * then the tenant's) therefore win: project admin > tenant > board column.
 * A column limit counts the whole column in Jira; as a per-status default
 * it is exact for one-status columns and looser for wider ones. Board
 * limits carry no breach period (breach_minutes 0: no wip_breach alert).
 * boards may be NULL when n_boards is 0. BIQ_ERR_NOMEM; cfg unchanged then. */
biq_err biq_settings_flow_config_add_board(biq_settings_flow_config *cfg, const biq_board *boards,
                                           size_t n_boards, biq_arena *arena);

/* The flow input of a loaded project under cfg at now (milliseconds since
 * the epoch): the one place a biq_flow_input is filled from loaded data.
 * Its board is cfg->board (biq_settings_flow_config_add_board).
 * Borrows data and cfg (they must outlive the flow built from it). */
biq_flow_input biq_settings_flow_input(const biq_project_data *data,
                                       const biq_settings_flow_config *cfg, int64_t now);

/* The validation of a settings PUT, without the request or the store:
 * applies body (the PUT body, a JSON object) to ov (the stored overrides
 * of the tenant, or of a project when project is true; modified in place)
 * and records each change as {path: {"from", "to"}} in changes (an
 * object). Fields absent from body keep their state, null resets one, any
 * other value must pass its field's checks and is stored normalised; when
 * anything changed, the merged overrides must still build
 * (biq_settings_flow_config_build). BIQ_ERR_SHAPE with "path: reason" in msg
 * (ov and changes then hold a partial update: the caller discards them),
 * BIQ_ERR_NOMEM. Pure. */
biq_err biq_settings_apply(bool project, const json_t *body, json_t *ov, json_t *changes, char *msg,
                           size_t msg_len);

/* A GET's answer for the tenant's (project false) or a project's fields:
 * {"version", "fields": {path: {"value", "default", "overridden"}}} from
 * the stored overrides ov (NULL: none). A new reference; NULL when out of
 * memory. Pure. */
json_t *biq_settings_describe(bool project, const json_t *ov, int64_t version);

/* The one rule for a Jira custom field id, wherever one is accepted
 * (fields.storyPoints and fields.sprint here, the backfill's discovered
 * fields in api/ingest.c): "customfield_" then 1 to 18 digits without a
 * leading zero, at most BIQ_FIELD_ID_MAX bytes. Pure. */
bool biq_settings_field_id_ok(const char *s);

#endif
