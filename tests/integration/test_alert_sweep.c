/* test_alert_sweep.c - POST /forge/alerts/sweep, the route each
 * installation's hourly Forge scheduledTrigger calls, over real HTTP with
 * real tokens and PostgreSQL: a fresh server process that has never met
 * the tenant sends its stuck-in-status and no-activity alerts; a repeated
 * call sends nothing new (once per ticket per UTC day, cooldown); the
 * daily cadence runs once per UTC day of the flow clock, durably across
 * restarts; concurrent calls run one sweep; a dead sweep's hold is taken
 * over; the backup timer and the route share one daily cadence; a token
 * sweeps its own tenant only; tokens and bodies are checked. The in-process
 * backup timer is kept out of the way (BIQ_ALERT_SWEEP_SECONDS=86400)
 * except where it is the subject. */
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fake_messages.h"
#include "fit_sign.h"
#include "harness.h"
#include "testsupport.h"

enum { RACERS = 4, SLOW_MS = 1500, WAIT_STEPS = 100, STEP_MS = 100, BIG_BODY = 70 * 1024 };

static harness H;
static fake_messages *HOOK;
static char HOOK_URL[128];
static char HOSTS_ENV[96];
static const char TENANT[] = "ari:cloud:ecosystem::installation/cccccccc-0000-4000-8000-00000000000c";
static const char OTHER[] = "ari:cloud:ecosystem::installation/dddddddd-0000-4000-8000-00000000000d";
static const char STRANGER[] = "ari:cloud:ecosystem::installation/eeeeeeee-0000-4000-8000-00000000000e";
static const char INSTALLED[] = "{\"eventType\":\"avi:forge:installed:app\","
                                "\"context\":\"ari:cloud:jira::site/6c2a6f2e\"}";
static const char PATH[] = "/forge/alerts/sweep";
/* What Forge posts for a scheduled trigger (its documented shape). */
static const char FORGE_BODY[] = "{\"context\":{\"cloudId\":\"6c2a6f2e-0000-4000-8000-000000000001\","
                                 "\"moduleKey\":\"biq-hourly-alerts\"},\"contextToken\":\"opaque\"}";
/* The flow clock of day D, D + 1 (the Wednesday and Thursday of a week). */
static const char DAY_D[] = "BIQ_FLOW_CLOCK=2024-03-13T12:00:00Z";
static const char DAY_D1[] = "BIQ_FLOW_CLOCK=2024-03-14T12:00:00Z";
static const long long UTC_DAY_D = 19795; /* 2024-03-13 in days since 1970-01-01 */

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* Restarts biq serve at flow clock `clock`, without backup sweeps during
 * the test; the key, JWKS and database are kept. */
static void restart(const char *clock)
{
    const char *const env[] = {HOSTS_ENV, "BIQ_ALERT_SWEEP_SECONDS=86400", clock, NULL};
    harness_restart_app(&H, env);
}

static void install(const char *tenant)
{
    char *body = NULL;
    ck_assert_int_eq(harness_call(&H, tenant, NULL, "POST", "/forge/lifecycle", INSTALLED, &body),
                     200);
    free(body);
}

static void start_with(const char *sweep_s)
{
    HOOK = fake_messages_start("ok");
    fake_messages_url(HOOK, HOOK_URL, sizeof HOOK_URL);
    fake_messages_hosts_env(HOOK, HOSTS_ENV, sizeof HOSTS_ENV);
    const char *env[] = {HOSTS_ENV, sweep_s, DAY_D, NULL};
    harness_init(&H, "biq_sweep");
    harness_start_app(&H, env);
    install(TENANT);
    install(OTHER);
}

static void setup(void)
{
    start_with("BIQ_ALERT_SWEEP_SECONDS=86400");
}

static void setup_backup_timer(void)
{
    start_with("BIQ_ALERT_SWEEP_SECONDS=1");
}

static void teardown(void)
{
    ck_assert_int_eq(harness_server_stop(&H, SIGTERM), 0);
    harness_cleanup(&H);
    fake_messages_stop(HOOK);
}

/* Issue id of tenant in status (10 "In Progress", 20 "Done") since `hours`
 * before day D's flow clock, with no activity since. */
static void add_issue(const char *tenant, int id, int status, int hours)
{
    char q[1024];
    snprintf(q, sizeof q,
             "INSERT INTO issues (tenant_id, issue_id, key, project_key, summary, status_id,"
             " assignee, created_at, updated_at)"
             " VALUES ('%s', %d, 'FLOW-%d', 'FLOW', 'Secret summary', %d, 'Alice Example',"
             "  timestamptz '2024-03-13T12:00:00Z' - interval '%d hours',"
             "  timestamptz '2024-03-13T12:00:00Z' - interval '%d hours');"
             "INSERT INTO status_transitions VALUES ('%s', %d, 1, 0,"
             " timestamptz '2024-03-13T12:00:00Z' - interval '%d hours', 1, %d)",
             tenant, id, id - 100, status, hours + 1, hours, tenant, id, hours, status);
    harness_exec(&H, q);
}

static void seed(const char *tenant)
{
    char q[1024];
    snprintf(q, sizeof q,
             "INSERT INTO statuses (tenant_id, status_id, name, category) VALUES"
             " ('%s', 1, 'To Do', 'new'), ('%s', 10, 'In Progress', 'indeterminate'),"
             " ('%s', 20, 'Done', 'done');"
             "INSERT INTO data_versions (tenant_id, project_key) VALUES ('%s', 'FLOW')",
             tenant, tenant, tenant, tenant);
    harness_exec(&H, q);
    add_issue(tenant, 101, 10, 30); /* stuck and quiet */
    add_issue(tenant, 102, 10, 5);  /* stuck only */
    add_issue(tenant, 103, 20, 30); /* finished: never alerts */
    add_issue(tenant, 104, 10, 1);  /* under both thresholds on day D */
}

static long long post(const char *tenant, const char *path, const char *body)
{
    char *resp = NULL;
    ck_assert_int_eq(harness_call(&H, tenant, "FLOW", "POST", path, body, &resp), 201);
    json_t *o = json_loads(resp, 0, NULL);
    long long id = json_integer_value(json_object_get(o, "id"));
    json_decref(o);
    free(resp);
    return id;
}

/* A default Slack destination and two rules: "Stuck <tag>" (2 h: the
 * hourly cadence) and "Quiet <tag>" (no activity for a day: daily only). */
static void configure(const char *tenant, const char *tag)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"kind\":\"slack\",\"name\":\"S\",\"url\":\"%s\",\"isDefault\":true}", HOOK_URL);
    post(tenant, "/api/v1/alerts/destinations", body);
    snprintf(body, sizeof body,
             "{\"kind\":\"stuck_in_status\",\"name\":\"Stuck %s\",\"params\":{\"thresholdHours\":2}}",
             tag);
    post(tenant, "/api/v1/alerts/rules", body);
    snprintf(body, sizeof body, "{\"kind\":\"no_activity\",\"name\":\"Quiet %s\",\"params\":{\"days\":1}}",
             tag);
    post(tenant, "/api/v1/alerts/rules", body);
}

/* One sweep call as tenant's Forge trigger; the parsed answer in *out. */
static long sweep(const char *tenant, const char *body, json_t **out)
{
    char *resp = NULL;
    long status = harness_call(&H, tenant, NULL, "POST", PATH, body, &resp);
    *out = resp != NULL ? json_loads(resp, 0, NULL) : NULL;
    ck_assert_msg(*out != NULL, "answer %ld is not JSON: %s", status, resp != NULL ? resp : "(none)");
    free(resp);
    return status;
}

static long long member(const json_t *o, const char *name)
{
    const json_t *v = json_object_get(o, name);
    ck_assert_msg(json_is_integer(v), "%s: missing", name);
    return json_integer_value(v);
}

static const char *cadence(const json_t *o)
{
    const json_t *v = json_object_get(o, "cadence");
    return json_is_string(v) ? json_string_value(v) : "null";
}

/* A sweep that must run: 200, ok, that cadence, those counts. */
static void expect_sweep(const char *tenant, const char *want, long long alerts, long long sent)
{
    json_t *o = NULL;
    ck_assert_int_eq(sweep(tenant, FORGE_BODY, &o), 200);
    ck_assert(json_is_true(json_object_get(o, "ok")));
    ck_assert_str_eq(cadence(o), want);
    ck_assert(json_is_null(json_object_get(o, "skipped")));
    ck_assert_int_eq(member(o, "alerts"), alerts);
    ck_assert_int_eq(member(o, "sent"), sent);
    ck_assert_int_eq(member(o, "failed"), 0);
    json_decref(o);
}

static void expect_skipped(const char *tenant, const char *why)
{
    json_t *o = NULL;
    ck_assert_int_eq(sweep(tenant, FORGE_BODY, &o), 200);
    ck_assert(json_is_true(json_object_get(o, "ok")));
    ck_assert(json_is_null(json_object_get(o, "cadence")));
    ck_assert_str_eq(json_string_value(json_object_get(o, "skipped")), why);
    ck_assert_int_eq(member(o, "sent"), 0);
    json_decref(o);
}

/* The next hourly trigger: the last sweep finished an hour ago. */
static void an_hour_later(void)
{
    harness_exec(&H, "UPDATE alert_sweeps SET last_finished_at = last_finished_at - interval '1 hour'");
}

static char *message(size_t i)
{
    fake_messages_request r;
    fake_messages_get(HOOK, i, &r);
    json_t *o = json_loads(r.body, 0, NULL);
    char *text = strdup(json_string_value(json_object_get(o, "text")));
    json_decref(o);
    fake_messages_request_free(&r);
    return text;
}

/* The message whose text holds needle (each is checked once). */
static char *message_with(const char *needle)
{
    for (size_t i = 0; i < fake_messages_count(HOOK); i++) {
        char *text = message(i);
        if (strstr(text, needle) != NULL)
            return text;
        free(text);
    }
    ck_abort_msg("no message mentions %s", needle);
    return NULL;
}

static long long rule_events(const char *tenant, const char *rule, int issue)
{
    char q[512];
    snprintf(q, sizeof q,
             "SELECT count(*) FROM alert_events e JOIN alert_rules r USING (tenant_id, rule_id)"
             " WHERE e.tenant_id = '%s' AND r.name = '%s' AND e.issue_id = %d",
             tenant, rule, issue);
    return harness_count(&H, q);
}

START_TEST(a_fresh_process_sweeps_a_tenant_it_never_met)
{
    seed(TENANT);
    configure(TENANT, "C");
    restart(DAY_D); /* the new process has heard of no tenant */
    ck_assert_uint_eq(fake_messages_count(HOOK), 0);

    expect_sweep(TENANT, "daily", 3, 2);
    ck_assert_uint_eq(fake_messages_count(HOOK), 2);
    char *stuck = message_with("Stuck C");
    ck_assert_ptr_nonnull(strstr(stuck, "FLOW-1 (In Progress)"));
    ck_assert_ptr_nonnull(strstr(stuck, "FLOW-2 (In Progress)"));
    ck_assert_ptr_null(strstr(stuck, "FLOW-3"));
    ck_assert_ptr_null(strstr(stuck, "FLOW-4"));
    ck_assert_ptr_null(strstr(stuck, "Secret summary"));
    free(stuck);
    char *quiet = message_with("Quiet C");
    ck_assert_ptr_nonnull(strstr(quiet, "FLOW-1 (In Progress)"));
    ck_assert_ptr_null(strstr(quiet, "FLOW-2"));
    free(quiet);

    /* The platform's duplicate or retry right after: a no-op. */
    expect_skipped(TENANT, "recent");
    /* The next hour: hourly cadence, every ticket already alerted today. */
    an_hour_later();
    expect_sweep(TENANT, "hourly", 0, 0);
    /* A new stuck ticket fires, but the (rule, destination) cooldown
     * holds; the daily rule is not evaluated on an hourly sweep. */
    add_issue(TENANT, 106, 10, 48);
    an_hour_later();
    expect_sweep(TENANT, "hourly", 1, 0);
    ck_assert_int_eq(rule_events(TENANT, "Stuck C", 106), 1);
    ck_assert_int_eq(rule_events(TENANT, "Quiet C", 106), 0);
    ck_assert_uint_eq(fake_messages_count(HOOK), 2);
    ck_assert_int_eq(harness_count(&H, "SELECT count(*) FROM alert_events"), 4);
    char q[256];
    snprintf(q, sizeof q, "SELECT daily_day FROM alert_sweeps WHERE tenant_id = '%s'", TENANT);
    ck_assert_int_eq(harness_count(&H, q), UTC_DAY_D);
}
END_TEST

START_TEST(the_daily_cadence_runs_once_per_utc_day)
{
    seed(TENANT);
    configure(TENANT, "C");
    expect_sweep(TENANT, "daily", 3, 2);
    /* A restart on the same day does not bring the daily cadence back. */
    restart(DAY_D);
    an_hour_later();
    expect_sweep(TENANT, "hourly", 0, 0);
    /* The next UTC day (its cooldowns over): the daily cadence again, with
     * every in-flight ticket anew (FLOW-1, -2 and -4 for both rules). */
    restart(DAY_D1);
    an_hour_later();
    harness_exec(&H, "UPDATE alert_cooldowns SET last_sent_at = last_sent_at - interval '2 hours'");
    expect_sweep(TENANT, "daily", 6, 2);
    ck_assert_uint_eq(fake_messages_count(HOOK), 4);
    ck_assert_int_eq(rule_events(TENANT, "Quiet C", 104), 1);
    char *quiet = message(2);
    if (strstr(quiet, "Quiet C") == NULL) {
        free(quiet);
        quiet = message(3);
    }
    ck_assert_ptr_nonnull(strstr(quiet, "FLOW-4 (In Progress)"));
    free(quiet);
    /* And only once that day. */
    an_hour_later();
    expect_sweep(TENANT, "hourly", 0, 0);
    ck_assert_uint_eq(fake_messages_count(HOOK), 4);
    char q[256];
    snprintf(q, sizeof q, "SELECT daily_day FROM alert_sweeps WHERE tenant_id = '%s'", TENANT);
    ck_assert_int_eq(harness_count(&H, q), UTC_DAY_D + 1);
}
END_TEST

START_TEST(a_token_sweeps_its_own_tenant_only)
{
    seed(TENANT);
    seed(OTHER);
    configure(TENANT, "C");
    configure(OTHER, "D");
    restart(DAY_D);
    expect_sweep(OTHER, "daily", 3, 2);
    char q[256];
    snprintf(q, sizeof q, "SELECT count(*) FROM alert_events WHERE tenant_id = '%s'", TENANT);
    ck_assert_int_eq(harness_count(&H, q), 0);
    ck_assert_int_eq(harness_count(&H, "SELECT count(*) FROM alert_sweeps"), 1);
    for (size_t i = 0; i < fake_messages_count(HOOK); i++) {
        char *text = message(i);
        ck_assert_ptr_null(strstr(text, " C ("));
        free(text);
    }
    /* The first tenant's own trigger, later, finds its alerts untouched. */
    expect_sweep(TENANT, "daily", 3, 2);
    ck_assert_uint_eq(fake_messages_count(HOOK), 4);
    free(message_with("Stuck C"));
    /* An installation never registered: nothing to sweep, told so. */
    json_t *o = NULL;
    ck_assert_int_eq(sweep(STRANGER, FORGE_BODY, &o), 404);
    ck_assert_ptr_nonnull(json_object_get(o, "error"));
    json_decref(o);
}
END_TEST

struct racer {
    pthread_t thread;
    long status;
    json_t *answer;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    char *resp = NULL;
    r->status = harness_call(&H, TENANT, NULL, "POST", PATH, FORGE_BODY, &resp);
    r->answer = resp != NULL ? json_loads(resp, 0, NULL) : NULL;
    free(resp);
    return NULL;
}

START_TEST(concurrent_calls_run_one_sweep)
{
    seed(TENANT);
    configure(TENANT, "C");
    fake_messages_set(HOOK, FAKE_MESSAGES_SLOW, NULL, SLOW_MS); /* the sweep takes seconds */
    struct racer racers[RACERS] = {0};
    for (size_t i = 0; i < RACERS; i++)
        ck_assert_int_eq(pthread_create(&racers[i].thread, NULL, race, &racers[i]), 0);
    int ran = 0, skipped = 0;
    for (size_t i = 0; i < RACERS; i++) {
        pthread_join(racers[i].thread, NULL);
        ck_assert_int_eq(racers[i].status, 200);
        ck_assert_ptr_nonnull(racers[i].answer);
        if (json_is_string(json_object_get(racers[i].answer, "skipped"))) {
            skipped++;
        } else {
            ran++;
            ck_assert_str_eq(cadence(racers[i].answer), "daily");
            ck_assert_int_eq(member(racers[i].answer, "sent"), 2);
        }
        json_decref(racers[i].answer);
    }
    ck_assert_int_eq(ran, 1);
    ck_assert_int_eq(skipped, RACERS - 1);
    ck_assert_uint_eq(fake_messages_count(HOOK), 2);
    ck_assert_int_eq(harness_count(&H, "SELECT count(*) FROM alert_sweeps WHERE running_since IS NOT NULL"), 0);
}
END_TEST

START_TEST(a_running_hold_is_respected_and_a_dead_one_taken_over)
{
    seed(TENANT);
    configure(TENANT, "C");
    char q[256];
    snprintf(q, sizeof q, "INSERT INTO alert_sweeps (tenant_id, running_since) VALUES ('%s', now())",
             TENANT);
    harness_exec(&H, q);
    expect_skipped(TENANT, "running");
    ck_assert_uint_eq(fake_messages_count(HOOK), 0);
    /* Its holder died an hour ago (past the lease): this sweep runs. */
    harness_exec(&H, "UPDATE alert_sweeps SET running_since = now() - interval '1 hour'");
    expect_sweep(TENANT, "daily", 3, 2);
    ck_assert_int_eq(harness_count(&H, "SELECT count(*) FROM alert_sweeps WHERE running_since IS NOT NULL"), 0);
}
END_TEST

/* The backup timer (every second here) sweeps the tenant this process
 * heard of and runs its daily cadence; the Forge trigger after it finds
 * the day done and sends nothing twice. */
START_TEST(the_backup_timer_and_the_trigger_share_the_day)
{
    char q[1024];
    seed(TENANT);
    /* Rules written directly, so that no sweep sees only one of them ... */
    snprintf(q, sizeof q,
             "INSERT INTO alert_destinations (tenant_id, kind, name, target, is_default)"
             " VALUES ('%s', 'slack', 'S', '%s', true);"
             "INSERT INTO alert_rules (tenant_id, kind, name, params) VALUES"
             " ('%s', 'stuck_in_status', 'Stuck C', '{\"thresholdHours\": 2}'),"
             " ('%s', 'no_activity', 'Quiet C', '{\"days\": 1}')",
             TENANT, HOOK_URL, TENANT, TENANT);
    harness_exec(&H, q);
    /* ... then a rule change tells the process about the tenant. */
    post(TENANT, "/api/v1/alerts/rules",
         "{\"kind\":\"trend_worsening\",\"enabled\":false,\"params\":{\"metric\":\"wip\"}}");
    for (int i = 0; i < WAIT_STEPS && fake_messages_count(HOOK) < 2; i++)
        pause_ms(STEP_MS);
    ck_assert_uint_eq(fake_messages_count(HOOK), 2);
    snprintf(q, sizeof q, "SELECT count(*) FROM alert_sweeps WHERE tenant_id = '%s'"
             " AND daily_day = %lld", TENANT, UTC_DAY_D);
    for (int i = 0; i < WAIT_STEPS && harness_count(&H, q) < 1; i++)
        pause_ms(STEP_MS); /* the sweep records itself after its last delivery */
    ck_assert_int_eq(harness_count(&H, q), 1);
    json_t *o = NULL;
    ck_assert_int_eq(sweep(TENANT, FORGE_BODY, &o), 200);
    ck_assert_str_ne(cadence(o), "daily");
    ck_assert_int_eq(member(o, "sent"), 0);
    json_decref(o);
    pause_ms(1500);
    ck_assert_uint_eq(fake_messages_count(HOOK), 2);
    ck_assert_int_eq(harness_count(&H, "SELECT count(*) FROM alert_events"), 3);
}
END_TEST

static long call_with_token(const char *token, const char *body, char **resp)
{
    return http_json(&H, "POST", PATH, token, body, resp);
}

START_TEST(tokens_and_bodies_are_checked)
{
    char *resp = NULL;
    /* No token, and a valid signature over a token without the tenant. */
    ck_assert_int_eq(call_with_token(NULL, FORGE_BODY, &resp), 401);
    ck_assert_ptr_nonnull(strstr(resp, "unauthorized"));
    free(resp);
    fit_claims c;
    fit_claims_default(&c, (int64_t)time(NULL));
    c.app_id = HARNESS_APP_ID;
    c.installation_id = NULL;
    c.no_context = true;
    char *token = fit_sign_forge_token(H.key, HARNESS_KID, &c);
    ck_assert_int_eq(call_with_token(token, FORGE_BODY, &resp), 401);
    free(resp);
    free(token);
    ck_assert_int_eq(harness_count(&H, "SELECT count(*) FROM alert_sweeps"), 0);

    /* Bad bodies: 4xx, and nothing swept. */
    const struct {
        const char *body;
        long status;
        const char *says;
    } bad[] = {
        {"{\"context\":", 400, "not valid JSON"},
        {"[1,2]", 422, "JSON object"},
        {"{\"context\":\"ari:cloud:jira::site/1\"}", 422, "context: expected an object"},
        {"{\"a\":1,\"a\":2}", 400, "duplicate"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(harness_call(&H, TENANT, NULL, "POST", PATH, bad[i].body, &resp),
                         bad[i].status);
        ck_assert_msg(strstr(resp, bad[i].says) != NULL, "%s: %s", bad[i].body, resp);
        free(resp);
    }
    char *big = malloc(BIG_BODY + 16);
    memset(big, ' ', BIG_BODY + 16);
    memcpy(big, "{\"x\":\"", 6);
    memcpy(big + BIG_BODY, "\"}", 3);
    memset(big + 6, 'a', BIG_BODY - 6);
    ck_assert_int_eq(harness_call(&H, TENANT, NULL, "POST", PATH, big, &resp), 413);
    free(resp);
    free(big);
    ck_assert_int_eq(harness_count(&H, "SELECT count(*) FROM alert_sweeps"), 0);
    ck_assert_int_eq(harness_call(&H, TENANT, NULL, "GET", PATH, NULL, &resp), 405);
    free(resp);

    /* No body at all is fine: nothing in it is needed. */
    json_t *o = NULL;
    ck_assert_int_eq(sweep(TENANT, NULL, &o), 200);
    ck_assert_str_eq(cadence(o), "daily");
    ck_assert_int_eq(member(o, "alerts"), 0); /* no rules yet */
    json_decref(o);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("alert_sweep");
    TCase *tc = tcase_create("route");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, a_fresh_process_sweeps_a_tenant_it_never_met);
    tcase_add_test(tc, the_daily_cadence_runs_once_per_utc_day);
    tcase_add_test(tc, a_token_sweeps_its_own_tenant_only);
    tcase_add_test(tc, concurrent_calls_run_one_sweep);
    tcase_add_test(tc, a_running_hold_is_respected_and_a_dead_one_taken_over);
    tcase_add_test(tc, tokens_and_bodies_are_checked);
    suite_add_tcase(s, tc);
    TCase *backup = tcase_create("backup");
    tcase_add_checked_fixture(backup, setup_backup_timer, teardown);
    tcase_set_timeout(backup, 60);
    tcase_add_test(backup, the_backup_timer_and_the_trigger_share_the_day);
    suite_add_tcase(s, backup);
    return s;
}
