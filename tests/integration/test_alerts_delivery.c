/* test_alerts_delivery.c - alert evaluation and delivery end to end: the
 * real server's alert thread (sweeping every second here) evaluates a
 * stuck-in-status rule over seeded data and sends one Slack message to a
 * local fake webhook listing every in-flight ticket and no finished one;
 * later sweeps fire nothing twice on the same UTC day and the cooldown
 * keeps a new ticket's alert from being sent again; a rule bound to a
 * destination overrides the tenant default. Hostile inputs (issue 12):
 * twelve "Send test"s to a webhook that answers after 10 s leave other
 * tenants' dashboards and /healthz answering at once; a status name with
 * CR LF, <!channel>, a disguised <url|text> link and markdown reaches the
 * local Slack, Teams and SMTP fakes only escaped for each; keys that are
 * not Jira's shapes are refused at ingest naming the path. */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fake_messages.h"
#include "fake_smtp.h"
#include "harness.h"
#include "testsupport.h"

enum { WAIT_STEPS = 100, STEP_MS = 100 };

static harness H;
static fake_messages *HOOK;
static char HOOK_URL[128];
static const char TENANT[] = "ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-00000000000a";
static const char INSTALLED[] = "{\"eventType\":\"avi:forge:installed:app\","
                                "\"context\":\"ari:cloud:jira::site/6c2a6f2e\"}";

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static void start(const char *sweep)
{
    char extra[96];
    HOOK = fake_messages_start("ok");
    fake_messages_url(HOOK, HOOK_URL, sizeof HOOK_URL);
    fake_messages_hosts_env(HOOK, extra, sizeof extra);
    const char *env[] = {extra, sweep, NULL};
    harness_init(&H, "biq_alertrun");
    harness_start_app(&H, env);
    char *body = NULL;
    ck_assert_int_eq(harness_call(&H, TENANT, NULL, "POST", "/forge/lifecycle", INSTALLED, &body), 200);
    free(body);
}

static void setup(void)
{
    start("BIQ_ALERT_SWEEP_SECONDS=1");
}

/* No sweep during the test: only an ingest can make alerts fire. */
static void setup_ingest_only(void)
{
    start("BIQ_ALERT_SWEEP_SECONDS=86400");
}

static void teardown(void)
{
    /* SIGTERM: the alert thread must stop and the server exit cleanly. */
    ck_assert_int_eq(harness_server_stop(&H, SIGTERM), 0);
    harness_cleanup(&H);
    fake_messages_stop(HOOK);
}

/* Issue id in status (10 "In Progress", 20 "Done") since hours ago. */
static void add_issue(int id, const char *key, int status, int hours)
{
    char q[1024];
    snprintf(q, sizeof q,
             "INSERT INTO issues (tenant_id, issue_id, key, project_key, summary, status_id,"
             " assignee, created_at, updated_at)"
             " VALUES ('%s', %d, '%s', 'FLOW', 'Secret summary', %d, 'Alice Example',"
             "         now() - interval '%d hours', now() - interval '%d hours');"
             "INSERT INTO status_transitions VALUES ('%s', %d, 1, 0,"
             " now() - interval '%d hours', 1, %d)",
             TENANT, id, key, status, hours + 1, hours, TENANT, id, hours, status);
    harness_exec(&H, q);
}

static void seed(void)
{
    char q[1024];
    snprintf(q, sizeof q,
             "INSERT INTO statuses (tenant_id, status_id, name, category) VALUES"
             " ('%s', 1, 'To Do', 'new'), ('%s', 10, 'In Progress', 'indeterminate'),"
             " ('%s', 20, 'Done', 'done');"
             "INSERT INTO data_versions (tenant_id, project_key) VALUES ('%s', 'FLOW')",
             TENANT, TENANT, TENANT, TENANT);
    harness_exec(&H, q);
    add_issue(101, "FLOW-1", 10, 30);
    add_issue(102, "FLOW-2", 10, 5);
    add_issue(103, "FLOW-3", 20, 30);  /* finished: never alerts */
    add_issue(104, "FLOW-4", 10, 0);   /* under the threshold */
}

static long long post(const char *path, const char *body)
{
    char *resp = NULL;
    ck_assert_int_eq(harness_call(&H, TENANT, "FLOW", "POST", path, body, &resp), 201);
    json_t *o = json_loads(resp, 0, NULL);
    long long id = json_integer_value(json_object_get(o, "id"));
    json_decref(o);
    free(resp);
    return id;
}

static void wait_for_messages(size_t n)
{
    for (int i = 0; i < WAIT_STEPS && fake_messages_count(HOOK) < n; i++)
        pause_ms(STEP_MS);
    ck_assert_uint_eq(fake_messages_count(HOOK), n);
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

START_TEST(in_flight_work_fires_once_and_cooldown_holds)
{
    char body[512];
    seed();
    snprintf(body, sizeof body, "{\"kind\":\"slack\",\"name\":\"S\",\"url\":\"%s\",\"isDefault\":true}",
             HOOK_URL);
    post("/api/v1/alerts/destinations", body);
    post("/api/v1/alerts/rules",
         "{\"kind\":\"stuck_in_status\",\"name\":\"Stuck\",\"params\":{\"thresholdHours\":2}}");
    wait_for_messages(1);
    char *text = message(0);
    ck_assert_ptr_nonnull(strstr(text, "FLOW-1 (In Progress)"));
    ck_assert_ptr_nonnull(strstr(text, "FLOW-2 (In Progress)"));
    ck_assert_ptr_null(strstr(text, "FLOW-3"));
    ck_assert_ptr_null(strstr(text, "FLOW-4"));
    ck_assert_ptr_null(strstr(text, "Secret summary"));
    ck_assert_ptr_null(strstr(text, "Alice"));
    free(text);
    ck_assert_int_eq(harness_count(&H, "SELECT count(*) FROM alert_events"), 2);
    /* More sweeps: nothing new today, nothing sent. */
    pause_ms(2500);
    ck_assert_int_eq(harness_count(&H, "SELECT count(*) FROM alert_events"), 2);
    ck_assert_uint_eq(fake_messages_count(HOOK), 1);
    /* A new stuck ticket fires, but the (rule, destination) cooldown holds. */
    add_issue(105, "FLOW-5", 10, 10);
    for (int i = 0; i < WAIT_STEPS && harness_count(&H, "SELECT count(*) FROM alert_events") < 3; i++)
        pause_ms(STEP_MS);
    ck_assert_int_eq(harness_count(&H, "SELECT count(*) FROM alert_events WHERE issue_id = 105"), 1);
    pause_ms(1500);
    ck_assert_uint_eq(fake_messages_count(HOOK), 1);
    /* The alert list shows them grouped under the rule. */
    char *resp = NULL;
    ck_assert_int_eq(harness_call(&H, TENANT, "FLOW", "GET", "/api/v1/alerts?project=FLOW", NULL,
                                  &resp), 200);
    ck_assert_ptr_nonnull(strstr(resp, "\"count\":3"));
    ck_assert_ptr_nonnull(strstr(resp, "FLOW-5"));
    free(resp);
}
END_TEST

START_TEST(bound_destinations_replace_the_default)
{
    char body[512];
    seed();
    snprintf(body, sizeof body, "{\"kind\":\"slack\",\"name\":\"Default\",\"url\":\"%s\","
             "\"isDefault\":true,\"active\":false}", HOOK_URL);
    post("/api/v1/alerts/destinations", body); /* paused default: never used */
    snprintf(body, sizeof body, "{\"kind\":\"teams\",\"name\":\"Bound\",\"url\":\"%s\"}", HOOK_URL);
    long long bound = post("/api/v1/alerts/destinations", body);
    snprintf(body, sizeof body, "{\"kind\":\"cycle_time_exceeded\",\"params\":{\"days\":1},"
             "\"destinationIds\":[%lld]}", bound);
    post("/api/v1/alerts/rules", body);
    wait_for_messages(1);
    fake_messages_request r;
    fake_messages_get(HOOK, 0, &r);
    ck_assert_ptr_nonnull(strstr(r.body, "AdaptiveCard"));
    ck_assert_ptr_nonnull(strstr(r.body, "FLOW-1"));
    ck_assert_ptr_null(strstr(r.body, "FLOW-3"));
    fake_messages_request_free(&r);
    pause_ms(1500);
    ck_assert_uint_eq(fake_messages_count(HOOK), 1);
}
END_TEST

static void post_event(const char *id, const char *status, const char *category)
{
    char event[1024], *resp = NULL;
    snprintf(event, sizeof event,
             "{\"eventType\":\"avi:jira:updated:issue\",\"issue\":{\"id\":\"%s\",\"key\":\"FLOW-%s\","
             "\"fields\":{\"summary\":\"Secret summary\",\"project\":{\"id\":\"10000\",\"key\":\"FLOW\"},"
             "\"status\":{\"id\":\"%s\",\"name\":\"Stage %s\",\"statusCategory\":{\"key\":\"%s\"}},"
             "\"issuetype\":{\"name\":\"Task\"},\"created\":\"2020-06-12T09:45:13.360+0800\","
             "\"updated\":\"2020-06-12T09:45:13.360+0800\"},"
             "\"changelog\":{\"startAt\":0,\"maxResults\":0,\"total\":0,\"histories\":[]}}}",
             id, id, status, status, category);
    ck_assert_int_eq(harness_call(&H, TENANT, NULL, "POST", "/forge/events", event, &resp), 200);
    free(resp);
}

START_TEST(an_ingest_evaluates_the_changed_issue)
{
    char body[512];
    snprintf(body, sizeof body, "{\"kind\":\"slack\",\"name\":\"S\",\"url\":\"%s\","
             "\"isDefault\":true}", HOOK_URL);
    post("/api/v1/alerts/destinations", body);
    post("/api/v1/alerts/rules", "{\"kind\":\"no_activity\",\"cooldownMinutes\":5}");
    post_event("7", "30", "done"); /* finished work: never */
    pause_ms(1000);
    ck_assert_uint_eq(fake_messages_count(HOOK), 0);
    ck_assert_int_eq(harness_count(&H, "SELECT count(*) FROM alert_events"), 0);
    post_event("8", "3", "indeterminate");
    wait_for_messages(1);
    char *text = message(0);
    ck_assert_ptr_nonnull(strstr(text, "FLOW-8 (Stage 3)"));
    ck_assert_ptr_null(strstr(text, "FLOW-7"));
    free(text);
    /* The same event again: already alerted today. */
    post_event("8", "3", "indeterminate");
    pause_ms(1000);
    ck_assert_int_eq(harness_count(&H, "SELECT count(*) FROM alert_events"), 1);
    ck_assert_uint_eq(fake_messages_count(HOOK), 1);
}
END_TEST

/* The DevLake capture at its pinned clock has, week over week, WIP in
 * "Open" up 500% and no worsening lead time. */
static void setup_trends(void)
{
    char extra[96];
    HOOK = fake_messages_start("ok");
    fake_messages_url(HOOK, HOOK_URL, sizeof HOOK_URL);
    fake_messages_hosts_env(HOOK, extra, sizeof extra);
    const char *env[] = {extra, "BIQ_ALERT_SWEEP_SECONDS=1", "BIQ_FLOW_CLOCK=2020-06-20T00:00:00Z",
                         NULL};
    harness_init(&H, "biq_alerttrend");
    harness_start_app(&H, env);
    char *resp = NULL;
    ck_assert_int_eq(harness_call(&H, TENANT, NULL, "POST", "/forge/lifecycle", INSTALLED, &resp), 200);
    free(resp);
    char path[1024];
    const char *d = getenv("BIQ_SHARED_DIR");
    snprintf(path, sizeof path, "%s/realdata/devlake-merico/issues-with-changelog.json",
             d && d[0] ? d : "../shared");
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *body = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(body, 1, (size_t)n, f), (size_t)n);
    body[n] = '\0';
    fclose(f);
    ck_assert_int_eq(harness_call(&H, TENANT, NULL, "POST", "/forge/backfill/EE", "{\"total\":33}",
                                  &resp), 200);
    free(resp);
    ck_assert_int_eq(harness_call(&H, TENANT, NULL, "POST", "/forge/backfill/EE/page", body, &resp),
                     200);
    free(resp);
    free(body);
}

START_TEST(trend_rules_fire_rule_wide)
{
    char body[512];
    snprintf(body, sizeof body, "{\"kind\":\"slack\",\"name\":\"S\",\"url\":\"%s\","
             "\"isDefault\":true}", HOOK_URL);
    post("/api/v1/alerts/destinations", body);
    post("/api/v1/alerts/rules", "{\"kind\":\"trend_worsening\",\"name\":\"Lead\","
                                 "\"params\":{\"metric\":\"leadTime\"}}");
    /* Open is a backlog queue: its growth is no WIP trend (product.md), so
     * a WIP rule stays quiet here; time in In Development (the newest
     * issue's name for status 3: no catalogue here) grew ×90.6, printed
     * as a factor beyond 500% (one rule for every percentage). */
    post("/api/v1/alerts/rules", "{\"kind\":\"trend_worsening\",\"name\":\"WIP up\","
                                 "\"params\":{\"metric\":\"wip\",\"percent\":50}}");
    post("/api/v1/alerts/rules", "{\"kind\":\"trend_worsening\",\"name\":\"Time up\","
                                 "\"params\":{\"metric\":\"timeInStatus\",\"percent\":50}}");
    wait_for_messages(1);
    char *text = message(0);
    ck_assert_ptr_nonnull(strstr(text, "Time up"));
    ck_assert_ptr_null(strstr(text, "WIP up"));
    ck_assert_msg(strstr(text, "timeInStatus in In Development worsened by \u00d790.6") != NULL,
                  "%s", text);
    free(text);
    ck_assert_int_eq(harness_count(&H, "SELECT count(*) FROM alert_events WHERE issue_id = 0"), 1);
    pause_ms(1500); /* later sweeps are hourly ones: trends wait for the next day */
    ck_assert_uint_eq(fake_messages_count(HOOK), 1);
    ck_assert_int_eq(harness_count(&H, "SELECT count(*) FROM alert_events"), 1);
}
END_TEST

/* ------------------------------------------------------------ hostile */

static fake_smtp *SMTP;
static const char TENANT2[] = "ari:cloud:ecosystem::installation/bbbbbbbb-0000-4000-8000-00000000000b";
static const char TENANT3[] = "ari:cloud:ecosystem::installation/cccccccc-0000-4000-8000-00000000000c";

enum { SLOW_MS = 10000, IN_FLIGHT = 12, QUICK_MS = 2000 };

static void setup_hostile(void)
{
    char extra[96], smtp[64];
    curl_global_init(CURL_GLOBAL_DEFAULT);
    HOOK = fake_messages_start("ok");
    SMTP = fake_smtp_start();
    fake_messages_url(HOOK, HOOK_URL, sizeof HOOK_URL);
    fake_messages_hosts_env(HOOK, extra, sizeof extra);
    snprintf(smtp, sizeof smtp, "BIQ_SMTP_URL=smtp://127.0.0.1:%u", fake_smtp_port(SMTP));
    const char *env[] = {extra, smtp, "BIQ_SMTP_FROM=alerts@biq.test",
                         "BIQ_ALERT_SWEEP_SECONDS=86400", NULL};
    harness_init(&H, "biq_alerthostile");
    harness_start_app(&H, env);
    const char *tenants[] = {TENANT, TENANT2, TENANT3};
    for (size_t i = 0; i < 3; i++) {
        char *body = NULL;
        ck_assert_int_eq(harness_call(&H, tenants[i], NULL, "POST", "/forge/lifecycle", INSTALLED,
                                      &body), 200);
        free(body);
    }
}

static void teardown_hostile(void)
{
    teardown();
    fake_smtp_stop(SMTP);
    SMTP = NULL;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

typedef struct sender {
    pthread_t thread;
    const char *tenant;
    long long destination;
    long status;
    double ms;
} sender;

static void *send_one(void *arg)
{
    sender *s = arg;
    char path[128], *resp = NULL;
    snprintf(path, sizeof path, "/api/v1/alerts/destinations/%lld/test", s->destination);
    double t0 = now_ms();
    s->status = harness_call(&H, s->tenant, "FLOW", "POST", path, "{}", &resp);
    s->ms = now_ms() - t0;
    free(resp);
    return NULL;
}

static long long add_dest(const char *tenant, const char *json)
{
    char *resp = NULL;
    ck_assert_int_eq(harness_call(&H, tenant, "FLOW", "POST", "/api/v1/alerts/destinations", json,
                                  &resp), 201);
    json_t *o = json_loads(resp, 0, NULL);
    long long id = json_integer_value(json_object_get(o, "id"));
    json_decref(o);
    free(resp);
    return id;
}

/* A request that must answer quickly while the tests are in flight. */
static void quick(const char *tenant, const char *project, const char *path, long want)
{
    char *resp = NULL;
    double t0 = now_ms();
    long status = tenant != NULL ? harness_call(&H, tenant, project, "GET", path, NULL, &resp)
                                 : http_do(&H, "GET", path, NULL, NULL, 0, &resp);
    double ms = now_ms() - t0;
    free(resp);
    ck_assert_int_eq(status, want);
    ck_assert_msg(ms < QUICK_MS, "%s took %.0f ms while tests were in flight", path, ms);
}

START_TEST(slow_webhook_tests_never_hold_request_workers)
{
    char body[512];
    sender senders[IN_FLIGHT];
    seed(); /* TENANT's project FLOW: the other tenant's dashboard */
    fake_messages_set(HOOK, FAKE_MESSAGES_SLOW, NULL, SLOW_MS);
    for (int i = 0; i < IN_FLIGHT; i++) {
        senders[i] = (sender){.tenant = i % 2 == 0 ? TENANT2 : TENANT3};
        snprintf(body, sizeof body, "{\"kind\":\"slack\",\"name\":\"Slow %d\",\"url\":\"%s\"}", i,
                 HOOK_URL);
        senders[i].destination = add_dest(senders[i].tenant, body);
    }
    for (int i = 0; i < IN_FLIGHT; i++)
        ck_assert_int_eq(pthread_create(&senders[i].thread, NULL, send_one, &senders[i]), 0);
    for (int i = 0; i < IN_FLIGHT; i++) {
        pthread_join(senders[i].thread, NULL);
        ck_assert_int_eq(senders[i].status, 202);
        ck_assert_msg(senders[i].ms < QUICK_MS, "a test took %.0f ms to be queued", senders[i].ms);
    }
    /* The sends are under way (the fake is holding them); the rest of
     * the server answers as usual. */
    for (int i = 0; i < 20 && fake_messages_count(HOOK) == 0; i++)
        pause_ms(STEP_MS);
    ck_assert_uint_gt(fake_messages_count(HOOK), 0);
    for (int round = 0; round < 5; round++) {
        quick(NULL, NULL, "/healthz", 200);
        quick(TENANT, "FLOW", "/api/v1/projects/FLOW/dashboard", 200);
        quick(TENANT2, "FLOW", "/api/v1/alerts/destinations", 200);
        pause_ms(200);
    }
}
END_TEST

static const char EVIL_STATUS[] =
    "<!channel> *Blocked* _now_ <https://evil.example|Open the dashboard>\r\nBcc: victim@example.com";

static void post_evil_event(const char *issue_key, const char *project_key, long want,
                            const char *error_part)
{
    json_t *event = json_pack(
        "{s:s,s:{s:s,s:s,s:{s:s,s:{s:s,s:s},s:{s:s,s:s,s:{s:s}},s:{s:s},s:s,s:s},"
        "s:{s:i,s:i,s:i,s:[]}}}",
        "eventType", "avi:jira:updated:issue", "issue", "id", "9", "key", issue_key, "fields",
        "summary", "x", "project", "id", "10000", "key", project_key, "status", "id", "3", "name",
        EVIL_STATUS, "statusCategory", "key", "indeterminate", "issuetype", "name", "Task",
        "created", "2020-06-12T09:45:13.360+0800", "updated", "2020-06-12T09:45:13.360+0800",
        "changelog", "startAt", 0, "maxResults", 0, "total", 0, "histories");
    char *text = json_dumps(event, JSON_COMPACT), *resp = NULL;
    json_decref(event);
    long status = harness_call(&H, TENANT, NULL, "POST", "/forge/events", text, &resp);
    ck_assert_msg(status == want, "%ld: %s", status, resp ? resp : "");
    if (error_part != NULL)
        ck_assert_msg(resp != NULL && strstr(resp, error_part) != NULL, "%s lacks %s", resp,
                      error_part);
    free(text);
    free(resp);
}

START_TEST(injected_names_reach_every_channel_escaped)
{
    char body[512], smtp_note[64];
    /* Keys not in Jira's shapes are refused at ingest, naming the path. */
    post_evil_event("FLOW-9\r\nBcc: victim@example.com", "FLOW", 422, "issue.key: not a Jira issue key");
    post_evil_event("FLOW-9", "FLOW\r\nX-Injected: 1", 422,
                    "issue.fields.project.key: not a Jira project key");
    post_evil_event("FLOW-9", "<!channel>", 422, "project.key");
    ck_assert_int_eq(harness_count(&H, "SELECT count(*) FROM issues"), 0);
    /* A status name cannot be refused (Jira allows it): it is escaped. */
    snprintf(body, sizeof body, "{\"kind\":\"slack\",\"name\":\"S\",\"url\":\"%s\",\"isDefault\":true}",
             HOOK_URL);
    add_dest(TENANT, body);
    snprintf(body, sizeof body, "{\"kind\":\"teams\",\"name\":\"T\",\"url\":\"%s\",\"isDefault\":true}",
             HOOK_URL);
    add_dest(TENANT, body);
    add_dest(TENANT, "{\"kind\":\"email\",\"name\":\"E\",\"address\":\"team@example.com\","
                     "\"isDefault\":true}");
    char *resp = NULL;
    ck_assert_int_eq(harness_call(&H, TENANT, "FLOW", "POST", "/api/v1/alerts/rules",
                                  "{\"kind\":\"no_activity\",\"name\":\"Idle <!here>\","
                                  "\"cooldownMinutes\":5}", &resp), 201);
    free(resp);
    post_evil_event("FLOW-9", "FLOW", 200, NULL);
    for (int i = 0; i < WAIT_STEPS && (fake_messages_count(HOOK) < 2 || fake_smtp_count(SMTP) < 1); i++)
        pause_ms(STEP_MS);
    ck_assert_uint_eq(fake_messages_count(HOOK), 2);
    ck_assert_uint_eq(fake_smtp_count(SMTP), 1);
    for (size_t i = 0; i < 2; i++) {
        fake_messages_request r;
        fake_messages_get(HOOK, i, &r);
        json_t *o = json_loads(r.body, 0, NULL);
        ck_assert_ptr_nonnull(o);
        if (json_object_get(o, "text") != NULL) { /* Slack */
            const char *text = json_string_value(json_object_get(o, "text"));
            ck_assert_ptr_nonnull(strstr(text, "FLOW-9 (&lt;!channel&gt; *Blocked* _now_ "
                                               "&lt;https://evil.example|Open the dashboard&gt;  "
                                               "Bcc: victim@example.com)"));
            ck_assert_ptr_nonnull(strstr(text, "Idle &lt;!here&gt;"));
            ck_assert_ptr_null(strchr(text, '<'));
            ck_assert_ptr_null(strchr(text, '\r'));
            ck_assert(json_is_false(json_object_get(o, "mrkdwn")));
        } else { /* Teams: only TextRuns, which render no markdown */
            ck_assert_ptr_null(strstr(r.body, "\"type\":\"TextBlock\""));
            ck_assert_ptr_nonnull(strstr(r.body, "\"type\":\"TextRun\""));
            ck_assert_ptr_nonnull(strstr(r.body, "FLOW-9 (<!channel> *Blocked*"));
            ck_assert_ptr_null(strstr(r.body, "\\r"));
        }
        json_decref(o);
        fake_messages_request_free(&r);
    }
    fake_smtp_message m;
    fake_smtp_get(SMTP, 0, &m);
    snprintf(smtp_note, sizeof smtp_note, "%.40s", m.data);
    ck_assert_msg(strstr(m.data, "\r\nBcc:") == NULL && strncmp(m.data, "Bcc:", 4) != 0,
                  "Bcc header in %s", m.data);
    ck_assert_ptr_nonnull(strstr(m.data, "\r\nSubject: BottleneckIQ alert in FLOW: Idle <!here> (1)\r\n"));
    ck_assert_ptr_nonnull(strstr(m.data, "FLOW-9 (<!channel> *Blocked* _now_ "
                                         "<https://evil.example|Open the dashboard>  Bcc: victim"));
    /* Every line break of the message is CR LF. */
    for (const char *p = m.data; (p = strchr(p, '\n')) != NULL; p++)
        ck_assert_msg(p > m.data && p[-1] == '\r', "bare LF in %s", smtp_note);
    fake_smtp_message_free(&m);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("alerts_delivery");
    TCase *tc = tcase_create("delivery");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 90);
    tcase_add_test(tc, in_flight_work_fires_once_and_cooldown_holds);
    tcase_add_test(tc, bound_destinations_replace_the_default);
    suite_add_tcase(s, tc);
    TCase *ingest = tcase_create("ingest");
    tcase_add_checked_fixture(ingest, setup_ingest_only, teardown);
    tcase_set_timeout(ingest, 60);
    tcase_add_test(ingest, an_ingest_evaluates_the_changed_issue);
    suite_add_tcase(s, ingest);
    TCase *trends = tcase_create("trends");
    tcase_add_checked_fixture(trends, setup_trends, teardown);
    tcase_set_timeout(trends, 60);
    tcase_add_test(trends, trend_rules_fire_rule_wide);
    suite_add_tcase(s, trends);
    TCase *hostile = tcase_create("hostile");
    tcase_add_checked_fixture(hostile, setup_hostile, teardown_hostile);
    tcase_set_timeout(hostile, 90);
    tcase_add_test(hostile, slow_webhook_tests_never_hold_request_workers);
    tcase_add_test(hostile, injected_names_reach_every_channel_escaped);
    suite_add_tcase(s, hostile);
    return s;
}
