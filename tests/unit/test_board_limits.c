/* test_board_limits.c - a board's column WIP limits as defaults in the
 * effective limits (issue #15): a project admin's own limit wins, then the
 * tenant's, then the board column's; columns without `max` add nothing;
 * board limits have no breach period; and the flow input carries the
 * loaded board. */
#include <jansson.h>

#include "settings/settings.h"
#include "testsupport.h"

static int32_t limit_of(const biq_settings_flow_config *cfg, int64_t status, int32_t *breach)
{
    for (size_t i = 0; i < cfg->settings.n_wip_limits; i++)
        if (cfg->settings.wip_limits[i].status_id == status) {
            *breach = cfg->breach_minutes[i];
            return cfg->settings.wip_limits[i].limit;
        }
    return -1;
}

START_TEST(project_then_tenant_then_board)
{
    biq_arena *a = biq_arena_new(1u << 20);
    json_t *tenant = json_loads("{\"wipLimits\":[{\"statusId\":\"3\",\"limit\":4,\"breachMinutes\":60},"
                                "{\"statusId\":\"10002\",\"limit\":7,\"breachMinutes\":0}]}",
                                0, NULL);
    json_t *project = json_loads("{\"wipLimits\":[{\"statusId\":\"3\",\"limit\":2,\"breachMinutes\":30}]}",
                                 0, NULL);
    ck_assert_ptr_nonnull(tenant);
    ck_assert_ptr_nonnull(project);
    static const int64_t todo[] = {1}, doing[] = {3, 10002, 10003}, done[] = {5};
    static const biq_board_column cols[] = {
        {"To Do", todo, 1, -1, -1},
        {"In Progress", doing, 3, -1, 5},
        {"Done", done, 1, 0, -1},
    };
    static const biq_board board = {84, "EE board", cols, 3};
    biq_settings_flow_config cfg;
    char msg[BIQ_SETTINGS_MESSAGE_MAX];
    int32_t breach = -1;
    ck_assert_int_eq(biq_settings_flow_config_build(tenant, project, a, &cfg, msg, sizeof msg),
                     BIQ_OK);
    ck_assert_int_eq(biq_settings_flow_config_add_board(&cfg, &board, a), BIQ_OK);
    ck_assert_uint_eq(cfg.settings.n_wip_limits, 3);
    ck_assert_int_eq(limit_of(&cfg, 3, &breach), 2); /* the project admin's */
    ck_assert_int_eq(breach, 30);
    ck_assert_int_eq(limit_of(&cfg, 10002, &breach), 7); /* the tenant's */
    ck_assert_int_eq(limit_of(&cfg, 10003, &breach), 5); /* the column's */
    ck_assert_int_eq(breach, 0);
    ck_assert_int_eq(limit_of(&cfg, 1, &breach), -1); /* no max: none */
    ck_assert_int_eq(limit_of(&cfg, 5, &breach), -1);
    ck_assert_int_eq(biq_flow_settings_validate(&cfg.settings), BIQ_OK);

    /* Without overrides the column gives every status of it the limit. */
    ck_assert_int_eq(biq_settings_flow_config_build(NULL, NULL, a, &cfg, msg, sizeof msg), BIQ_OK);
    ck_assert_int_eq(biq_settings_flow_config_add_board(&cfg, &board, a), BIQ_OK);
    ck_assert_uint_eq(cfg.settings.n_wip_limits, 3);
    ck_assert_int_eq(limit_of(&cfg, 3, &breach), 5);
    ck_assert_int_eq(limit_of(&cfg, 10002, &breach), 5);

    /* No board: nothing changes. */
    ck_assert_int_eq(biq_settings_flow_config_build(NULL, project, a, &cfg, msg, sizeof msg),
                     BIQ_OK);
    ck_assert_int_eq(biq_settings_flow_config_add_board(&cfg, NULL, a), BIQ_OK);
    ck_assert_uint_eq(cfg.settings.n_wip_limits, 1);

    /* The flow input carries the loaded board. */
    biq_project_data data = {.key = "EE", .board = &board};
    biq_flow_input in = biq_settings_flow_input(&data, &cfg, 0);
    ck_assert_ptr_eq(in.board, &board);
    json_decref(tenant);
    json_decref(project);
    biq_arena_free(a);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("board_limits");
    TCase *tc = tcase_create("board_limits");
    tcase_add_test(tc, project_then_tenant_then_board);
    suite_add_tcase(s, tc);
    return s;
}
