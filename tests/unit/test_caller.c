/* test_caller.c - caller classes (auth/caller.h) from verified tokens and
 * the route admission rule (http/router.h biq_route_admit): every module of
 * auth/modules.def, the context each class needs, a context.moduleKey that
 * disagrees, unknown modules, and the project and issue scopes. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/caller.h"
#include "auth/fit.h"
#include "auth/jwks.h"
#include "fit_sign.h"
#include "http/router.h"
#include "test_keys.h"
#include "testsupport.h"

#define APP_ID "ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000000a1"
#define KID "forge/invocation-token/wf-aaaaaaaa-0000-4000-8000-000000000001"

static const int64_t NOW = 1764300000; /* fixed */

static EVP_PKEY *key;
static biq_jwks *jwks;

static void setup(void)
{
    test_keys_make(KID, &key, &jwks);
}

static void teardown(void)
{
    test_keys_free(key, jwks);
}

/* Verifies a token made of c and returns its caller class. */
static biq_caller_class class_of(const fit_claims *c)
{
    biq_fit_policy p;
    biq_tenant_ctx ctx;
    biq_auth_reason r;
    biq_fit_policy_init(&p, APP_ID, NOW);
    char *token = fit_sign_forge_token(key, KID, c);
    ck_assert_ptr_nonnull(token);
    ck_assert_int_eq(biq_fit_verify(jwks, &p, token, strlen(token), &ctx, &r), BIQ_OK);
    free(token);
    return ctx.caller;
}

static fit_claims claims(const char *type, const char *module_key, bool context)
{
    fit_claims c;
    fit_claims_default(&c, NOW);
    c.module_type = type;
    c.module_key = module_key;
    c.no_context = !context;
    return c;
}

START_TEST(every_module_of_the_table_has_its_class)
{
    fit_claims c = claims("core:endpoint", "biq-lifecycle", false);
    ck_assert_int_eq(class_of(&c), BIQ_CALLER_LIFECYCLE);
    c = claims("core:endpoint", "biq-uninstall", false);
    ck_assert_int_eq(class_of(&c), BIQ_CALLER_LIFECYCLE);
    c = claims("core:endpoint", "biq-events", false);
    ck_assert_int_eq(class_of(&c), BIQ_CALLER_EVENTS);
    c = claims("core:endpoint", "biq-alerts-sweep", false);
    ck_assert_int_eq(class_of(&c), BIQ_CALLER_SCHEDULE);
    const char *functions[] = {"on-installed", "backfill-consumer", "backfill-requests",
                               "reconcile"};
    for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
        c = claims("core:function", functions[i], false);
        ck_assert_int_eq(class_of(&c), BIQ_CALLER_FUNCTION);
    }
    c = claims("jira:projectPage", "biq-project-page", true);
    ck_assert_int_eq(class_of(&c), BIQ_CALLER_VIEWER);
    c = claims("jira:issuePanel", "biq-issue-panel", true);
    c.issue_key = "FLOW-1";
    ck_assert_int_eq(class_of(&c), BIQ_CALLER_VIEWER);
    c = claims("jira:projectSettingsPage", "biq-project-settings", true);
    ck_assert_int_eq(class_of(&c), BIQ_CALLER_PROJECT_ADMIN);
    c = claims("jira:adminPage", "biq-admin-page", true);
    c.no_project = true;
    ck_assert_int_eq(class_of(&c), BIQ_CALLER_SITE_ADMIN);
}
END_TEST

START_TEST(a_class_needs_its_context)
{
    /* Platform and function modules carry no extension. */
    fit_claims c = claims("core:endpoint", "biq-lifecycle", true);
    ck_assert_int_eq(class_of(&c), BIQ_CALLER_NONE);
    c = claims("core:function", "reconcile", true);
    ck_assert_int_eq(class_of(&c), BIQ_CALLER_NONE);
    /* Project modules need their project; an issue panel its issue. */
    c = claims("jira:projectPage", "biq-project-page", true);
    c.no_project = true;
    ck_assert_int_eq(class_of(&c), BIQ_CALLER_NONE);
    c = claims("jira:projectSettingsPage", "biq-project-settings", true);
    c.no_project = true;
    ck_assert_int_eq(class_of(&c), BIQ_CALLER_NONE);
    c = claims("jira:issuePanel", "biq-issue-panel", true);
    ck_assert_int_eq(class_of(&c), BIQ_CALLER_NONE);
    c = claims("jira:projectPage", "biq-project-page", false);
    ck_assert_int_eq(class_of(&c), BIQ_CALLER_NONE);
}
END_TEST

START_TEST(unknown_or_mismatched_modules_are_no_class)
{
    fit_claims c = claims("core:endpoint", "biq-ui", false); /* a UI endpoint, not a trigger */
    ck_assert_int_eq(class_of(&c), BIQ_CALLER_NONE);
    c = claims("jira:adminPage", "biq-project-page", true); /* key of another type */
    ck_assert_int_eq(class_of(&c), BIQ_CALLER_NONE);
    c = claims("jira:projectPage", "BIQ-PROJECT-PAGE", true); /* keys are exact */
    ck_assert_int_eq(class_of(&c), BIQ_CALLER_NONE);
    c = claims("core:function", "", false);
    ck_assert_int_eq(class_of(&c), BIQ_CALLER_NONE);
}
END_TEST

START_TEST(a_context_module_key_that_disagrees_is_no_class)
{
    /* app.module says admin page, context.moduleKey another module. */
    biq_fit_policy p;
    biq_tenant_ctx ctx;
    biq_auth_reason r;
    fit_claims c = claims("jira:adminPage", "biq-admin-page", true);
    char *payload = fit_sign_forge_payload(&c);
    json_t *root = json_loads(payload, 0, NULL);
    free(payload);
    json_object_set_new(json_object_get(root, "context"), "moduleKey",
                        json_string("biq-project-page"));
    payload = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    char *token = fit_sign_compact(key, "{\"alg\":\"RS256\",\"kid\":\"" KID "\"}", payload);
    free(payload);
    biq_fit_policy_init(&p, APP_ID, NOW);
    ck_assert_int_eq(biq_fit_verify(jwks, &p, token, strlen(token), &ctx, &r), BIQ_OK);
    ck_assert_int_eq(ctx.caller, BIQ_CALLER_NONE);
    free(token);
}
END_TEST

START_TEST(names_and_scopes)
{
    char buf[BIQ_CALLER_NAMES_MAX];
    ck_assert_str_eq(biq_caller_name(BIQ_CALLER_SITE_ADMIN), "site-admin");
    ck_assert_str_eq(biq_caller_name(BIQ_CALLER_VIEWER), "project-viewer");
    ck_assert_str_eq(biq_caller_name(BIQ_CALLER_NONE), "none");
    ck_assert_str_eq(biq_caller_name((biq_caller_class)(BIQ_CALLER_VIEWER | BIQ_CALLER_EVENTS)),
                     "none");
    ck_assert_str_eq(biq_caller_names(BIQ_CALLER_PROJECT_ADMIN | BIQ_CALLER_SITE_ADMIN, buf,
                                      sizeof buf),
                     "project-admin or site-admin");
    ck_assert_str_eq(biq_caller_names(0x7f, buf, 20), "platform-lifecycle"); /* truncated */
    buf[0] = 'X';
    ck_assert_ptr_eq(biq_caller_names(0x7f, buf, 0), buf); /* no room: nothing written */
    ck_assert_int_eq(buf[0], 'X');
    biq_tenant_ctx t = {.caller = BIQ_CALLER_PROJECT_ADMIN, .project_key = "EE"};
    ck_assert_str_eq(biq_caller_project_scope(&t), "EE");
    t.caller = BIQ_CALLER_VIEWER;
    ck_assert_str_eq(biq_caller_project_scope(&t), "EE");
    t.caller = BIQ_CALLER_SITE_ADMIN;
    ck_assert_ptr_null(biq_caller_project_scope(&t));
    t.caller = BIQ_CALLER_FUNCTION;
    ck_assert_ptr_null(biq_caller_project_scope(&t));
}
END_TEST

/* ---- biq_route_admit ---------------------------------------------------- */

static biq_err nop(void *app, biq_request *req, biq_response *resp)
{
    (void)app;
    (void)req;
    (void)resp;
    return BIQ_OK;
}

static const biq_route PROJECT_READ = {"GET", "/p/{key}", nop, BIQ_CALLER_PROJECT_USERS,
                                       BIQ_SCOPE_PROJECT, 0};
static const biq_route BACKFILL = {"POST", "/p/{key}/backfill", nop,
                                   BIQ_CALLER_PROJECT_USERS | BIQ_CALLER_SITE_ADMIN,
                                   BIQ_SCOPE_PROJECT, 0};
static const biq_route ISSUE = {"GET", "/i/{key}", nop, BIQ_CALLER_VIEWER, BIQ_SCOPE_ISSUE, 0};
static const biq_route ALERTS = {"GET", "/a", nop, BIQ_CALLER_PROJECT_USERS,
                                 BIQ_SCOPE_QUERY_PROJECT, 0};
static const biq_route SITE = {"PUT", "/s", nop, BIQ_CALLER_SITE_ADMIN, BIQ_SCOPE_TENANT, 0};
static const biq_route PUBLIC = {"GET", "/healthz", nop, 0, BIQ_SCOPE_TENANT, 0};

static biq_err admit(const biq_route *r, const biq_tenant_ctx *t, const char *param,
                     const char *query, char *msg)
{
    biq_route_call call = {t, param, query};
    msg[0] = '\0';
    return biq_route_admit(r, &call, msg, BIQ_ERROR_MESSAGE_MAX);
}

START_TEST(admits_by_class_and_names_what_is_needed)
{
    char msg[BIQ_ERROR_MESSAGE_MAX];
    biq_tenant_ctx viewer = {.caller = BIQ_CALLER_VIEWER, .project_key = "EE"};
    biq_tenant_ctx padmin = {.caller = BIQ_CALLER_PROJECT_ADMIN, .project_key = "EE"};
    biq_tenant_ctx sadmin = {.caller = BIQ_CALLER_SITE_ADMIN};
    biq_tenant_ctx none = {.caller = BIQ_CALLER_NONE, .project_key = "EE"};
    ck_assert_int_eq(admit(&SITE, &sadmin, NULL, NULL, msg), BIQ_OK);
    ck_assert_int_eq(admit(&SITE, &padmin, NULL, NULL, msg), BIQ_ERR_FORBIDDEN);
    ck_assert_str_eq(msg, "this route needs a site-admin caller; this token is project-admin");
    ck_assert_int_eq(admit(&SITE, &viewer, NULL, NULL, msg), BIQ_ERR_FORBIDDEN);
    ck_assert_int_eq(admit(&SITE, &none, NULL, NULL, msg), BIQ_ERR_FORBIDDEN);
    ck_assert_str_eq(msg, "this route needs a site-admin caller; this token is none");
    ck_assert_int_eq(admit(&SITE, NULL, NULL, NULL, msg), BIQ_ERR_FORBIDDEN);
    ck_assert_int_eq(admit(&PUBLIC, NULL, NULL, NULL, msg), BIQ_OK);
    ck_assert_int_eq(admit(&PROJECT_READ, &sadmin, "EE", NULL, msg), BIQ_ERR_FORBIDDEN);
    ck_assert_str_eq(msg, "this route needs a project-viewer or project-admin caller; this "
                          "token is site-admin");
}
END_TEST

START_TEST(scoped_callers_keep_to_their_project)
{
    char msg[BIQ_ERROR_MESSAGE_MAX];
    biq_tenant_ctx viewer = {.caller = BIQ_CALLER_VIEWER, .project_key = "EE"};
    biq_tenant_ctx sadmin = {.caller = BIQ_CALLER_SITE_ADMIN};
    ck_assert_int_eq(admit(&PROJECT_READ, &viewer, "EE", NULL, msg), BIQ_OK);
    ck_assert_int_eq(admit(&PROJECT_READ, &viewer, "EF", NULL, msg), BIQ_ERR_FORBIDDEN);
    ck_assert_str_eq(msg, "this token is not for this project");
    ck_assert_int_eq(admit(&PROJECT_READ, &viewer, "ee", NULL, msg), BIQ_ERR_FORBIDDEN);
    ck_assert_int_eq(admit(&PROJECT_READ, &viewer, "E", NULL, msg), BIQ_ERR_FORBIDDEN);
    ck_assert_int_eq(admit(&PROJECT_READ, &viewer, NULL, NULL, msg), BIQ_ERR_FORBIDDEN);
    /* A site admin may ask for any project's backfill. */
    ck_assert_int_eq(admit(&BACKFILL, &sadmin, "ZZ", NULL, msg), BIQ_OK);
    ck_assert_int_eq(admit(&BACKFILL, &viewer, "ZZ", NULL, msg), BIQ_ERR_FORBIDDEN);
    ck_assert_int_eq(admit(&BACKFILL, &viewer, "EE", NULL, msg), BIQ_OK);
    /* ?project= is required and must be the token's. */
    ck_assert_int_eq(admit(&ALERTS, &viewer, NULL, "EE", msg), BIQ_OK);
    ck_assert_int_eq(admit(&ALERTS, &viewer, NULL, "ZZ", msg), BIQ_ERR_FORBIDDEN);
    ck_assert_int_eq(admit(&ALERTS, &viewer, NULL, NULL, msg), BIQ_ERR_INVALID);
    ck_assert_str_eq(msg, "project: required (a project key)");
    ck_assert_int_eq(admit(&ALERTS, &viewer, NULL, "", msg), BIQ_ERR_INVALID);
}
END_TEST

START_TEST(the_issue_panel_reads_only_its_issue)
{
    char msg[BIQ_ERROR_MESSAGE_MAX];
    biq_tenant_ctx panel = {.caller = BIQ_CALLER_VIEWER, .project_key = "EE",
                            .issue_key = "EE-7", .issue_id = "10007"};
    biq_tenant_ctx page = {.caller = BIQ_CALLER_VIEWER, .project_key = "EE"};
    ck_assert_int_eq(admit(&ISSUE, &panel, "EE-7", NULL, msg), BIQ_OK);
    ck_assert_int_eq(admit(&ISSUE, &panel, "10007", NULL, msg), BIQ_OK);
    ck_assert_int_eq(admit(&ISSUE, &panel, "EE-8", NULL, msg), BIQ_ERR_FORBIDDEN);
    ck_assert_str_eq(msg, "this token is not for this issue");
    ck_assert_int_eq(admit(&ISSUE, &panel, NULL, NULL, msg), BIQ_ERR_FORBIDDEN);
    ck_assert_int_eq(admit(&ISSUE, &page, "EE-7", NULL, msg), BIQ_ERR_FORBIDDEN);
    ck_assert_int_eq(admit(&ISSUE, &page, "", NULL, msg), BIQ_ERR_FORBIDDEN);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("caller");
    TCase *tc = tcase_create("caller");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_add_test(tc, every_module_of_the_table_has_its_class);
    tcase_add_test(tc, a_class_needs_its_context);
    tcase_add_test(tc, unknown_or_mismatched_modules_are_no_class);
    tcase_add_test(tc, a_context_module_key_that_disagrees_is_no_class);
    tcase_add_test(tc, names_and_scopes);
    tcase_add_test(tc, admits_by_class_and_names_what_is_needed);
    tcase_add_test(tc, scoped_callers_keep_to_their_project);
    tcase_add_test(tc, the_issue_panel_reads_only_its_issue);
    suite_add_tcase(s, tc);
    return s;
}
