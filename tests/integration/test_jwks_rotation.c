/* test_jwks_rotation.c - BIQ_JWKS_URL: a token whose kid the key set lacks
 * makes the server fetch the published set (from a local stand-in for
 * Atlassian's JWKS endpoint) and accept the token when the new set has the
 * key; fetches are rate-limited; a non-HTTPS URL is refused at start. */
#include <microhttpd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fit_sign.h"
#include "harness.h"
#include "testsupport.h"

static harness H;
static struct MHD_Daemon *JWKS_SERVER;
static char *PUBLISHED;           /* what the stand-in serves */
static atomic_int FETCHES;
static EVP_PKEY *ROTATED_KEY;
static const char ROTATED_KID[] = "forge/invocation-token/wf-rotated";
static const char TENANT[] = "ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-0000000000ee";

static enum MHD_Result serve_jwks(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **state)
{
    (void)cls, (void)url, (void)method, (void)version, (void)upload, (void)upload_size, (void)state;
    atomic_fetch_add(&FETCHES, 1);
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(PUBLISHED), PUBLISHED,
                                                             MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret = MHD_queue_response(conn, 200, r);
    MHD_destroy_response(r);
    return ret;
}

static void setup(void)
{
    char url_env[128];
    harness_init(&H, "biq_rotation");
    ROTATED_KEY = fit_sign_keygen();
    JWKS_SERVER = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, serve_jwks,
                                   NULL, MHD_OPTION_END);
    ck_assert_ptr_nonnull(JWKS_SERVER);
    unsigned port = MHD_get_daemon_info(JWKS_SERVER, MHD_DAEMON_INFO_BIND_PORT)->port;
    snprintf(url_env, sizeof url_env, "BIQ_JWKS_URL=http://127.0.0.1:%u/jwks.json", port);
    const char *env[] = {url_env, NULL};
    harness_start_app(&H, env);
    /* Atlassian now publishes the old key and a new one. */
    EVP_PKEY *both[] = {H.key, ROTATED_KEY};
    const char *kids[] = {HARNESS_KID, ROTATED_KID};
    PUBLISHED = fit_sign_jwks_multi(both, kids, 2);
}

static void teardown(void)
{
    harness_cleanup(&H);
    MHD_stop_daemon(JWKS_SERVER);
    EVP_PKEY_free(ROTATED_KEY);
    free(PUBLISHED);
}

static char *token(EVP_PKEY *key, const char *kid)
{
    fit_claims c;
    fit_claims_default(&c, (int64_t)time(NULL));
    c.app_id = HARNESS_APP_ID;
    c.installation_id = TENANT;
    return fit_sign_forge_token(key, kid, &c);
}

START_TEST(unknown_kid_fetches_the_published_set_once)
{
    char *body = NULL;
    char *rotated = token(ROTATED_KEY, ROTATED_KID);
    /* Accepted after one fetch: 404 means authenticated, tenant unknown. */
    ck_assert_int_eq(http_json(&H, "GET", "/api/v1/tenant", rotated, NULL, &body), 404);
    free(body);
    ck_assert_int_eq(atomic_load(&FETCHES), 1);
    /* Another unknown kid within the interval: refused, and no new fetch. */
    EVP_PKEY *stranger = fit_sign_keygen();
    char *strange = token(stranger, "forge/invocation-token/wf-stranger");
    ck_assert_int_eq(http_json(&H, "GET", "/api/v1/tenant", strange, NULL, &body), 401);
    free(body);
    ck_assert_int_eq(atomic_load(&FETCHES), 1);
    /* The fetched set is the current one: the rotated key keeps working. */
    ck_assert_int_eq(http_json(&H, "GET", "/api/v1/tenant", rotated, NULL, &body), 404);
    free(body);
    ck_assert_int_eq(harness_ops_get(&H, "/metrics", &body), 200);
    ck_assert_ptr_nonnull(strstr(body, "biq_events_total{kind=\"jwks_fetched\"} 1\n"));
    free(body);
    EVP_PKEY_free(stranger);
    free(strange);
    free(rotated);
}
END_TEST

START_TEST(a_plain_http_url_is_refused_at_start)
{
    char *out = NULL;
    harness_server_stop(&H, SIGTERM);
    char jwks[HARNESS_PATH_MAX + 32];
    snprintf(jwks, sizeof jwks, "BIQ_JWKS_FILE=%s/jwks.json", H.work_dir);
    const char *env[] = {jwks, "BIQ_APP_ID=" HARNESS_APP_ID,
                         "BIQ_JWKS_URL=http://keys.example.com/jwks.json", NULL};
    ck_assert_int_eq(harness_server_fail(&H, env, &out), 1);
    ck_assert_ptr_nonnull(strstr(out, "BIQ_JWKS_URL: expected an https:// URL"));
    free(out);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("jwks_rotation");
    TCase *tc = tcase_create("jwks_rotation");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, unknown_kid_fetches_the_published_set_once);
    tcase_add_test(tc, a_plain_http_url_is_refused_at_start);
    suite_add_tcase(s, tc);
    return s;
}
