/* test_cluster_instances.c - three `biq serve` processes on one database,
 * as behind the load balancer of `make cluster` (issue 16): the alert
 * sweep that the trigger fires at all three at once runs once and sends
 * each alert once (the hold is a row claim in the database, not a session
 * lock that PgBouncer's transaction mode would break); a dashboard cached
 * by one instance is never stale after a write through another (each
 * request re-reads the project's versions). The read replica's rule has
 * its own test with a real standby (tests/ops/cluster.sh). */
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_messages.h"
#include "harness.h"
#include "testsupport.h"

enum {
    INSTANCES = 3,
    RACERS_PER_INSTANCE = 3,
    RACERS = INSTANCES * RACERS_PER_INSTANCE,
    SLOW_MS = 1500, /* each delivery: the winning sweep lasts seconds */
};

static harness NODES[INSTANCES]; /* NODES[0] owns the database */
static fake_messages *HOOK;
static char HOOK_URL[128];
static char HOSTS_ENV[96];
static const char TENANT[] = "ari:cloud:ecosystem::installation/c1c1c1c1-0000-4000-8000-0000000000c1";
static const char INSTALLED[] = "{\"eventType\":\"avi:forge:installed:app\","
                                "\"context\":\"ari:cloud:jira::site/6c2a6f2e\"}";
static const char SWEEP[] = "/forge/alerts/sweep";
static const char FORGE_BODY[] = "{\"context\":{\"cloudId\":\"6c2a6f2e-0000-4000-8000-000000000001\","
                                 "\"moduleKey\":\"biq-hourly-alerts\"},\"contextToken\":\"opaque\"}";
static const char DAY_D[] = "BIQ_FLOW_CLOCK=2024-03-13T12:00:00Z";

static void setup(void)
{
    HOOK = fake_messages_start("ok");
    fake_messages_url(HOOK, HOOK_URL, sizeof HOOK_URL);
    fake_messages_hosts_env(HOOK, HOSTS_ENV, sizeof HOSTS_ENV);
    /* The in-process backup timer stays out of the way. */
    const char *env[] = {HOSTS_ENV, "BIQ_ALERT_SWEEP_SECONDS=86400", DAY_D, NULL};
    harness_init(&NODES[0], "biq_cluster");
    harness_start_app(&NODES[0], env);
    harness_twin_start(&NODES[0], &NODES[1], "second", env);
    harness_twin_start(&NODES[0], &NODES[2], "third", env);
    char *body = NULL;
    ck_assert_int_eq(
        harness_call(&NODES[1], TENANT, NULL, "POST", "/forge/lifecycle", INSTALLED, &body), 200);
    free(body);
}

static void teardown(void)
{
    for (int i = INSTANCES - 1; i >= 0; i--)
        ck_assert_int_eq(harness_server_stop(&NODES[i], SIGTERM), 0);
    harness_cleanup(&NODES[0]);
    fake_messages_stop(HOOK);
}

/* Two issues in progress for 30 and 5 hours before day D's flow clock. */
static void seed(void)
{
    char q[2048];
    snprintf(q, sizeof q,
             "INSERT INTO statuses (tenant_id, status_id, name, category) VALUES"
             " ('%s', 1, 'To Do', 'new'), ('%s', 10, 'In Progress', 'indeterminate'),"
             " ('%s', 20, 'Done', 'done');"
             "INSERT INTO data_versions (tenant_id, project_key) VALUES ('%s', 'FLOW');"
             "INSERT INTO issues (tenant_id, issue_id, key, project_key, summary, status_id,"
             " assignee, created_at, updated_at) VALUES"
             " ('%s', 101, 'FLOW-1', 'FLOW', 's', 10, 'A', timestamptz '2024-03-12T05:00:00Z',"
             "  timestamptz '2024-03-12T06:00:00Z'),"
             " ('%s', 102, 'FLOW-2', 'FLOW', 's', 10, 'A', timestamptz '2024-03-13T06:00:00Z',"
             "  timestamptz '2024-03-13T07:00:00Z');"
             "INSERT INTO status_transitions VALUES"
             " ('%s', 101, 1, 0, timestamptz '2024-03-12T06:00:00Z', 1, 10),"
             " ('%s', 102, 1, 0, timestamptz '2024-03-13T07:00:00Z', 1, 10)",
             TENANT, TENANT, TENANT, TENANT, TENANT, TENANT, TENANT, TENANT);
    harness_exec(&NODES[0], q);
}

static void post_created(const harness *node, const char *path, const char *body)
{
    char *resp = NULL;
    ck_assert_int_eq(harness_call(node, TENANT, "FLOW", "POST", path, body, &resp), 201);
    free(resp);
}

/* A default Slack destination and one rule: in a status over 2 hours.
 * Issues 101 and 102 both qualify on day D: two alerts, one message. */
static void configure(void)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"kind\":\"slack\",\"name\":\"S\",\"url\":\"%s\",\"isDefault\":true}", HOOK_URL);
    post_created(&NODES[0], "/api/v1/alerts/destinations", body);
    post_created(&NODES[2], "/api/v1/alerts/rules",
                 "{\"kind\":\"stuck_in_status\",\"name\":\"Stuck\","
                 "\"params\":{\"thresholdHours\":2}}");
}

struct racer {
    pthread_t thread;
    const harness *node;
    long status;
    json_t *answer;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    char *resp = NULL;
    r->status = harness_call(r->node, TENANT, NULL, "POST", SWEEP, FORGE_BODY, &resp);
    r->answer = resp != NULL ? json_loads(resp, 0, NULL) : NULL;
    free(resp);
    return NULL;
}

/* RACERS sweeps at once, spread over the instances; returns how many ran
 * (the others must all answer skipped). */
static int sweep_everywhere(long long *sent)
{
    struct racer racers[RACERS] = {0};
    int ran = 0;
    *sent = 0;
    for (size_t i = 0; i < RACERS; i++) {
        racers[i].node = &NODES[i % INSTANCES];
        ck_assert_int_eq(pthread_create(&racers[i].thread, NULL, race, &racers[i]), 0);
    }
    for (size_t i = 0; i < RACERS; i++) {
        pthread_join(racers[i].thread, NULL);
        ck_assert_int_eq(racers[i].status, 200);
        ck_assert_ptr_nonnull(racers[i].answer);
        if (!json_is_string(json_object_get(racers[i].answer, "skipped"))) {
            ran++;
            *sent += json_integer_value(json_object_get(racers[i].answer, "sent"));
        }
        json_decref(racers[i].answer);
    }
    return ran;
}

START_TEST(three_instances_sweeping_at_once_deliver_each_alert_once)
{
    seed();
    configure();
    fake_messages_set(HOOK, FAKE_MESSAGES_SLOW, NULL, SLOW_MS);
    long long sent = 0;
    ck_assert_int_eq(sweep_everywhere(&sent), 1);
    ck_assert_int_eq(sent, 1);
    ck_assert_uint_eq(fake_messages_count(HOOK), 1);
    char q[256];
    snprintf(q, sizeof q, "SELECT count(*) FROM alert_events WHERE tenant_id = '%s'", TENANT);
    ck_assert_int_eq(harness_count(&NODES[0], q), 2);
    ck_assert_int_eq(
        harness_count(&NODES[0], "SELECT count(*) FROM alert_sweeps WHERE running_since IS NOT NULL"),
        0);
    /* At once again, right after: every instance finds the sweep recent. */
    ck_assert_int_eq(sweep_everywhere(&sent), 0);
    ck_assert_uint_eq(fake_messages_count(HOOK), 1);
    ck_assert_int_eq(harness_count(&NODES[0], q), 2);
}
END_TEST

static long long dashboard_version(const harness *node)
{
    char *resp = NULL;
    ck_assert_int_eq(harness_call(node, TENANT, "TES", "GET", "/api/v1/projects/TES/dashboard",
                                  NULL, &resp),
                     200);
    json_t *o = json_loads(resp, 0, NULL);
    ck_assert_ptr_nonnull(o);
    const json_t *v = json_object_get(o, "dataVersion");
    ck_assert_msg(json_is_integer(v), "no dataVersion in %s", resp);
    long long version = json_integer_value(v);
    json_decref(o);
    free(resp);
    return version;
}

/* The real webhook body of an issue created in TES, as issue id. */
static void event_through(const harness *node, const char *template_text, int id)
{
    json_error_t e;
    json_t *ev = json_loads(template_text, 0, &e);
    ck_assert_ptr_nonnull(ev);
    char id_s[32], key[32];
    snprintf(id_s, sizeof id_s, "%d", id);
    snprintf(key, sizeof key, "TES-%d", id);
    json_t *issue = json_object_get(ev, "issue");
    json_object_set_new(issue, "id", json_string(id_s));
    json_object_set_new(issue, "key", json_string(key));
    char *body = json_dumps(ev, JSON_COMPACT);
    char *resp = NULL;
    ck_assert_int_eq(harness_call(node, TENANT, NULL, "POST", "/forge/events", body, &resp), 200);
    free(resp);
    free(body);
    json_decref(ev);
}

START_TEST(a_dashboard_cached_by_one_instance_shows_a_write_through_another)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/realdata/jira-webhooks/webhook-issue-created.json",
             harness_shared_dir());
    char *template_text = harness_read_file(path);
    ck_assert_ptr_nonnull(template_text);
    event_through(&NODES[0], template_text, 900001);
    /* Each event is one data commit of weight one: the version counts them. */
    ck_assert_int_eq(dashboard_version(&NODES[1]), 1);
    ck_assert_int_eq(dashboard_version(&NODES[1]), 1); /* now from B's cache */
    ck_assert_int_eq(dashboard_version(&NODES[2]), 1);
    event_through(&NODES[2], template_text, 900002);
    ck_assert_int_eq(dashboard_version(&NODES[1]), 2);
    event_through(&NODES[0], template_text, 900003);
    ck_assert_int_eq(dashboard_version(&NODES[2]), 3);
    ck_assert_int_eq(dashboard_version(&NODES[1]), 3);
    free(template_text);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("cluster_instances");
    TCase *tc = tcase_create("three instances, one database");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, three_instances_sweeping_at_once_deliver_each_alert_once);
    tcase_add_test(tc, a_dashboard_cached_by_one_instance_shows_a_write_through_another);
    suite_add_tcase(s, tc);
    return s;
}
