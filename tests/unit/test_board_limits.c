/* test_board_limits.c - a board's column WIP limits as defaults in the
 * effective limits (issue #15): a project admin's own limit wins, then the
 * tenant's, then the board column's; columns without `max` add nothing;
 * board limits have no breach period; the project's boardId picks the
 * board among the loaded ones (else the lowest id); and the flow input
 * carries the picked board. */
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
    ck_assert_int_eq(biq_settings_flow_config_add_board(&cfg, &board, 1, a), BIQ_OK);
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
    ck_assert_int_eq(biq_settings_flow_config_add_board(&cfg, &board, 1, a), BIQ_OK);
    ck_assert_uint_eq(cfg.settings.n_wip_limits, 3);
    ck_assert_int_eq(limit_of(&cfg, 3, &breach), 5);
    ck_assert_int_eq(limit_of(&cfg, 10002, &breach), 5);

    /* No board: nothing changes. */
    ck_assert_int_eq(biq_settings_flow_config_build(NULL, project, a, &cfg, msg, sizeof msg),
                     BIQ_OK);
    ck_assert_int_eq(biq_settings_flow_config_add_board(&cfg, NULL, 0, a), BIQ_OK);
    ck_assert_uint_eq(cfg.settings.n_wip_limits, 1);

    ck_assert_ptr_null(cfg.board);

    /* The flow input carries the picked board. */
    ck_assert_int_eq(biq_settings_flow_config_add_board(&cfg, &board, 1, a), BIQ_OK);
    biq_project_data data = {.key = "EE", .boards = &board, .n_boards = 1};
    biq_flow_input in = biq_settings_flow_input(&data, &cfg, 0);
    ck_assert_ptr_eq(in.board, &board);
    json_decref(tenant);
    json_decref(project);
    biq_arena_free(a);
}
END_TEST

/* The boardId setting picks among the loaded boards; unset, or naming a
 * board not stored (or a fractional value stored before the schema took
 * integers only), the lowest id frames the project. */
START_TEST(board_id_setting_picks_the_board)
{
    biq_arena *a = biq_arena_new(1u << 20);
    static const int64_t doing[] = {3};
    static const biq_board_column c90[] = {{"Doing", doing, 1, -1, 4}};
    static const biq_board_column c84[] = {{"Doing", doing, 1, -1, 5}};
    /* Not in id order: the lowest id is found, not assumed first. */
    static const biq_board boards[] = {{90, "Ninety", c90, 1}, {84, "EE board", c84, 1}};
    static const struct {
        const char *project;
        int64_t want;
    } cases[] = {
        {NULL, 84},
        {"{}", 84},
        {"{\"boardId\":90}", 90},
        {"{\"boardId\":84}", 84},
        {"{\"boardId\":7}", 84},
        {"{\"boardId\":90.0}", 90},
        {"{\"boardId\":90.5}", 84},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *project = cases[i].project ? json_loads(cases[i].project, 0, NULL) : NULL;
        biq_settings_flow_config cfg;
        char msg[BIQ_SETTINGS_MESSAGE_MAX];
        int32_t breach = -1;
        ck_assert_int_eq(biq_settings_flow_config_build(NULL, project, a, &cfg, msg, sizeof msg),
                         BIQ_OK);
        ck_assert_int_eq(biq_settings_flow_config_add_board(&cfg, boards, 2, a), BIQ_OK);
        ck_assert_ptr_nonnull(cfg.board);
        ck_assert_msg(cfg.board->id == cases[i].want, "%s: board %lld", cases[i].project,
                      (long long)cfg.board->id);
        /* The picked board's column limit is the default, not the other's. */
        ck_assert_int_eq(limit_of(&cfg, 3, &breach), cases[i].want == 90 ? 4 : 5);
        json_decref(project);
    }
    biq_arena_free(a);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("board_limits");
    TCase *tc = tcase_create("board_limits");
    tcase_add_test(tc, project_then_tenant_then_board);
    tcase_add_test(tc, board_id_setting_picks_the_board);
    suite_add_tcase(s, tc);
    return s;
}
