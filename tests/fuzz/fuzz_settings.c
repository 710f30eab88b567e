/* fuzz_settings.c - the settings PUT validator (biq_settings_apply,
 * settings/schema.c) on a body loaded as the route loads it
 * (biq_request_body_object), for the tenant's and a project's settings, then
 * the builder the dashboard runs on what was stored
 * (biq_settings_flow_config_build).
 *
 * Properties: a refusal is BIQ_ERR_SHAPE with "path: reason"; an accepted
 * body leaves overrides that build, and is idempotent: applied again to
 * its own result it changes nothing; the normalised overrides, sent back
 * as a body (each changed path with its stored value), are accepted and
 * change nothing either.
 */
#include <string.h>

#include "settings/settings.h"
#include "fuzz_api_body.h"

enum { ARENA_LIMIT = 16 << 20 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static void check_msg(const char *msg)
{
    FUZZ_CHECK(memchr(msg, '\0', BIQ_SETTINGS_MESSAGE_MAX) != NULL);
    FUZZ_CHECK(strstr(msg, ": ") != NULL);
}

static void builds(bool project, const json_t *ov)
{
    biq_arena *a = biq_arena_new(ARENA_LIMIT);
    FUZZ_CHECK(a != NULL);
    biq_settings_flow_config cfg;
    char msg[BIQ_SETTINGS_MESSAGE_MAX] = "";
    biq_err err = biq_settings_flow_config_build(project ? NULL : ov, project ? ov : NULL, a, &cfg,
                                            msg, sizeof msg);
    FUZZ_CHECK(err == BIQ_OK);
    FUZZ_CHECK(biq_work_schedule_validate(&cfg.schedule) == BIQ_OK);
    FUZZ_CHECK(biq_flow_settings_validate(&cfg.settings) == BIQ_OK);
    biq_arena_free(a);
}

/* Applies body to a copy of ov; the number of changes, -1 when refused. */
static int apply(bool project, const json_t *body, json_t *ov)
{
    json_t *changes = json_object();
    FUZZ_CHECK(changes != NULL);
    char msg[BIQ_SETTINGS_MESSAGE_MAX] = "";
    biq_err err = biq_settings_apply(project, body, ov, changes, msg, sizeof msg);
    int n = err == BIQ_OK ? (int)json_object_size(changes) : -1;
    if (err != BIQ_OK) {
        FUZZ_CHECK(err == BIQ_ERR_SHAPE);
        check_msg(msg);
    }
    json_decref(changes);
    return n;
}

static void side(bool project, const json_t *body)
{
    json_t *ov = json_object();
    FUZZ_CHECK(ov != NULL);
    if (apply(project, body, ov) >= 0) {
        builds(project, ov);
        FUZZ_CHECK(apply(project, body, ov) == 0);
        /* The stored (flat) form as a body: each path at the top level. */
        FUZZ_CHECK(apply(project, ov, ov) == 0);
    }
    json_decref(ov);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *body = fuzz_api_body(data, size);
    if (body == NULL)
        return 0;
    side(false, body);
    side(true, body);
    json_decref(body);
    return 0;
}
