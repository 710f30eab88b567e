/* test_settings_rules.c - the settings PUT validation (settings/schema.c)
 * driven by a table: tests/unit/settings.rules holds one line per field and
 * input with the normalised overrides it must store or the exact 422
 * message it must give (see the file's head). Each line is applied to
 * empty overrides with biq_settings_apply, as the PUT route does; a line
 * that does not hold fails with its line number. Plus the one custom
 * field id rule that the settings and the backfill share. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "settings/settings.h"
#include "testsupport.h"

#define RULES_FILE "tests/unit/settings.rules"

enum { LINE_MAX_LEN = 4096 };

static const char SEPARATOR[] = " => ";

/* Checks one rule line; ck_assert_msg names the line on failure. */
static void check_rule(int lineno, char *line)
{
    char msg[BIQ_SETTINGS_MESSAGE_MAX];
    char *sep = strstr(line, SEPARATOR);
    ck_assert_msg(sep != NULL, "line %d: no \" => \"", lineno);
    *sep = '\0';
    const char *expect = sep + sizeof SEPARATOR - 1;
    char *body_text = strchr(line, ' ');
    ck_assert_msg(body_text != NULL, "line %d: no body", lineno);
    *body_text++ = '\0';
    ck_assert_msg(strcmp(line, "tenant") == 0 || strcmp(line, "project") == 0,
                  "line %d: scope %s", lineno, line);
    bool project = strcmp(line, "project") == 0;
    json_error_t jerr;
    json_t *body = json_loads(body_text, JSON_REJECT_DUPLICATES, &jerr);
    ck_assert_msg(json_is_object(body), "line %d: body: %s", lineno, jerr.text);
    json_t *ov = json_object(), *changes = json_object();
    msg[0] = '\0';
    biq_err err = biq_settings_apply(project, body, ov, changes, msg, sizeof msg);
    if (strncmp(expect, "422 ", 4) == 0) {
        ck_assert_msg(err == BIQ_ERR_SHAPE, "line %d: accepted (%s)", lineno, biq_strerror(err));
        ck_assert_msg(strcmp(msg, expect + 4) == 0, "line %d: message \"%s\", expected \"%s\"",
                      lineno, msg, expect + 4);
    } else {
        json_t *want = json_loads(expect, 0, &jerr);
        ck_assert_msg(want != NULL, "line %d: expected overrides: %s", lineno, jerr.text);
        ck_assert_msg(err == BIQ_OK, "line %d: refused: %s", lineno, msg);
        char *got = json_dumps(ov, JSON_SORT_KEYS | JSON_COMPACT);
        ck_assert_msg(json_equal(ov, want), "line %d: stored %s", lineno, got);
        free(got);
        json_decref(want);
    }
    json_decref(body);
    json_decref(ov);
    json_decref(changes);
}

START_TEST(every_rule_holds)
{
    char line[LINE_MAX_LEN];
    int lineno = 0, rules = 0;
    FILE *f = fopen(RULES_FILE, "r");
    ck_assert_msg(f != NULL, "cannot open %s (run from the repository root)", RULES_FILE);
    while (fgets(line, sizeof line, f) != NULL) {
        lineno++;
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '\0' || line[0] == '#')
            continue;
        check_rule(lineno, line);
        rules++;
    }
    fclose(f);
    ck_assert_int_ge(rules, 60);
}
END_TEST

/* The backfill's discovered field ids (api/ingest.c) go through the same
 * rule as the settings: the stricter of the two rules that existed. A
 * leading zero or a 19th digit is no id Jira makes. */
START_TEST(one_custom_field_id_rule)
{
    static const char *const GOOD[] = {"customfield_1", "customfield_10016",
                                       "customfield_123456789012345678"};
    static const char *const BAD[] = {"customfield_",      "customfield_0",
                                      "customfield_0501",  "customfield_1234567890123456789",
                                      "customfield_1a",    "customfield_-1",
                                      "Customfield_10016", "story_points",
                                      "",                  "customfield_ 1"};
    for (size_t i = 0; i < sizeof GOOD / sizeof GOOD[0]; i++)
        ck_assert_msg(biq_settings_field_id_ok(GOOD[i]), "refused %s", GOOD[i]);
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++)
        ck_assert_msg(!biq_settings_field_id_ok(BAD[i]), "accepted %s", BAD[i]);
}
END_TEST

/* What stored overrides mean for the flow core: each weekday name sets its
 * own bit (Monday is bit 0, Sunday bit 6), and a backlog role is a role. */
START_TEST(overrides_mean_schedule_days_and_roles)
{
    biq_arena *a = biq_arena_new(1u << 20);
    json_t *ov = json_loads("{\"workSchedule\":{\"timeZone\":\"UTC\",\"working\":true,"
                            "\"workingDays\":[\"mon\",\"sun\"],\"hours\":{\"start\":\"09:00\","
                            "\"end\":\"17:00\"},\"holidays\":[]},"
                            "\"statusRoles.backlog\":[\"5\"],\"statusRoles.active\":[\"6\"]}",
                            0, NULL);
    ck_assert_ptr_nonnull(ov);
    biq_settings_flow_config cfg;
    char msg[BIQ_SETTINGS_MESSAGE_MAX];
    ck_assert_int_eq(biq_settings_flow_config_build(ov, NULL, a, &cfg, msg, sizeof msg), BIQ_OK);
    ck_assert_uint_eq(cfg.schedule.working_days, (1u << 0) | (1u << 6));
    ck_assert_uint_eq(cfg.settings.n_roles, 2);
    for (size_t i = 0; i < cfg.settings.n_roles; i++)
        ck_assert_int_eq(cfg.settings.roles[i].role,
                         cfg.settings.roles[i].status_id == 5 ? BIQ_ROLE_BACKLOG : BIQ_ROLE_ACTIVE);
    json_decref(ov);
    biq_arena_free(a);
}
END_TEST

/* The project's SLEs reach the flow settings: none set is NULL (nobody at
 * risk), a per-type list alone is a set without the project's. */
START_TEST(overrides_mean_sles)
{
    biq_arena *a = biq_arena_new(1u << 20);
    biq_settings_flow_config cfg;
    char msg[BIQ_SETTINGS_MESSAGE_MAX];
    json_t *ov = json_loads("{\"sle\":{\"percentile\":85,\"days\":12},\"sleByIssueType\":"
                            "[{\"issueType\":\"Bug\",\"percentile\":70,\"days\":3}]}",
                            0, NULL);
    ck_assert_int_eq(biq_settings_flow_config_build(NULL, ov, a, &cfg, msg, sizeof msg), BIQ_OK);
    ck_assert_ptr_nonnull(cfg.settings.sle);
    ck_assert(cfg.settings.sle->has_project);
    ck_assert_int_eq(cfg.settings.sle->project.percent, 85);
    ck_assert_int_eq(cfg.settings.sle->project.days, 12);
    ck_assert_uint_eq(cfg.settings.sle->n_types, 1);
    ck_assert_str_eq(cfg.settings.sle->types[0].issue_type, "Bug");
    ck_assert_int_eq(cfg.settings.sle->types[0].sle.percent, 70);
    ck_assert_int_eq(cfg.settings.sle->types[0].sle.days, 3);
    json_object_del(ov, "sle");
    ck_assert_int_eq(biq_settings_flow_config_build(NULL, ov, a, &cfg, msg, sizeof msg), BIQ_OK);
    ck_assert(!cfg.settings.sle->has_project);
    json_object_del(ov, "sleByIssueType");
    ck_assert_int_eq(biq_settings_flow_config_build(NULL, ov, a, &cfg, msg, sizeof msg), BIQ_OK);
    ck_assert_ptr_null(cfg.settings.sle);
    /* Stored overrides no PUT could make are refused, not used. */
    json_object_set_new(ov, "sle", json_pack("{s:i,s:i}", "percentile", 10, "days", 3));
    ck_assert_int_eq(biq_settings_flow_config_build(NULL, ov, a, &cfg, msg, sizeof msg),
                     BIQ_ERR_SHAPE);
    json_decref(ov);
    biq_arena_free(a);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("settings_rules");
    TCase *tc = tcase_create("rules");
    tcase_add_test(tc, every_rule_holds);
    tcase_add_test(tc, one_custom_field_id_rule);
    tcase_add_test(tc, overrides_mean_schedule_days_and_roles);
    tcase_add_test(tc, overrides_mean_sles);
    suite_add_tcase(s, tc);
    return s;
}
