/* test_auth_http.c - the token matrix through the real server: every
 * malformed, forged or out-of-policy token gets 401 with the JSON error
 * shape and no echo of the token, the rejection is counted by reason, and
 * the server keeps serving. The verifier's own unit tests (test_fit.c)
 * cover each rule in depth; this proves the wiring has no way around it. */
#include <jansson.h>
#include <openssl/hmac.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fit_sign.h"
#include "harness.h"
#include "testsupport.h"

static harness H;
static EVP_PKEY *KEY, *OTHER_KEY;
static char *JWKS_TEXT;
static const char KID[] = "forge/invocation-token/wf-11111111-2222-4333-8444-555555555555";
static const char APP_ID[] = "ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000000a1";
static char JWKS_ENV[HARNESS_PATH_MAX + 32];

static void setup(void)
{
    char path[HARNESS_PATH_MAX];
    harness_init(&H, "biq_auth");
    ck_assert_int_eq(harness_migrate(&H, NULL, NULL), 0);
    KEY = fit_sign_keygen();
    OTHER_KEY = fit_sign_keygen();
    JWKS_TEXT = fit_sign_jwks(KEY, KID);
    harness_write_file(&H, "jwks.json", JWKS_TEXT, path, sizeof path);
    snprintf(JWKS_ENV, sizeof JWKS_ENV, "BIQ_JWKS_FILE=%s", path);
    const char *env[] = {JWKS_ENV, "BIQ_APP_ID=ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000000a1",
                         NULL};
    harness_server_start(&H, env);
}

static void teardown(void)
{
    harness_cleanup(&H);
    EVP_PKEY_free(KEY);
    EVP_PKEY_free(OTHER_KEY);
    free(JWKS_TEXT);
}

static fit_claims claims_now(void)
{
    fit_claims c;
    fit_claims_default(&c, (int64_t)time(NULL));
    c.app_id = APP_ID;
    return c;
}

static char *header_json(const char *alg, const char *kid, const char *extra)
{
    char *out = malloc(1024);
    snprintf(out, 1024, "{\"alg\":\"%s\",\"kid\":\"%s\",\"typ\":\"JWT\"%s}", alg, kid, extra);
    return out;
}

static char *signed_with(EVP_PKEY *key, const char *header)
{
    fit_claims c = claims_now();
    char *payload = fit_sign_forge_payload(&c);
    char *t = fit_sign_compact(key, header, payload);
    free(payload);
    return t;
}

/* An HS256 token whose secret is the public key set: the classic
 * algorithm-confusion forgery. */
static char *hs256_confusion(void)
{
    fit_claims c = claims_now();
    char *payload = fit_sign_forge_payload(&c);
    char *h = header_json("HS256", KID, "");
    char *hb = fit_sign_b64url(h, strlen(h)), *pb = fit_sign_b64url(payload, strlen(payload));
    size_t n = strlen(hb) + strlen(pb) + 2;
    char *input = malloc(n);
    snprintf(input, n, "%s.%s", hb, pb);
    unsigned char mac[32];
    unsigned int mac_len = 0;
    HMAC(EVP_sha256(), JWKS_TEXT, (int)strlen(JWKS_TEXT), (unsigned char *)input, strlen(input),
         mac, &mac_len);
    char *sig = fit_sign_b64url(mac, mac_len);
    char *t = malloc(n + strlen(sig) + 1);
    snprintf(t, n + strlen(sig) + 1, "%s.%s", input, sig);
    free(payload);
    free(h);
    free(hb);
    free(pb);
    free(input);
    free(sig);
    return t;
}

static char *token_with(fit_claims c)
{
    return fit_sign_forge_token(KEY, KID, &c);
}

static char *replace_segment(const char *token, int which, const char *with)
{
    const char *dot1 = strchr(token, '.'), *dot2 = strrchr(token, '.');
    size_t n = strlen(token) + strlen(with) + 4;
    char *out = malloc(n);
    if (which == 1)
        snprintf(out, n, "%.*s.%s%s", (int)(dot1 - token), token, with, dot2);
    else
        snprintf(out, n, "%.*s.%s", (int)(dot2 - token), token, with);
    return out;
}

static void expect_401(const char *what, const char *authorization)
{
    char header[16384];
    char *body = NULL;
    snprintf(header, sizeof header, "Authorization: %s", authorization);
    const char *headers[] = {header, NULL};
    long st = http_do(&H, "GET", "/api/v1/tenant", headers, NULL, 0, &body);
    ck_assert_msg(st == 401, "%s: status %ld (%s)", what, st, body);
    ck_assert_msg(strstr(body, "{\"error\":{\"code\":\"unauthorized\"") == body, "%s: %s", what, body);
    /* No part of a token comes back. */
    const char *sig = strrchr(authorization, '.');
    if (sig != NULL && strlen(sig) > 8)
        ck_assert_msg(strstr(body, sig + 1) == NULL, "%s: token echoed", what);
    free(body);
}

static void expect_401_token(const char *what, char *token)
{
    char value[16384];
    snprintf(value, sizeof value, "Bearer %s", token);
    expect_401(what, value);
    free(token);
}

START_TEST(valid_token_passes)
{
    char *body = NULL;
    char *t = token_with(claims_now());
    /* Authenticated, and the tenant is not installed yet. */
    ck_assert_int_eq(http_json(&H, "GET", "/api/v1/tenant", t, NULL, &body), 404);
    free(body);
    free(t);
}
END_TEST

START_TEST(forged_and_malformed_tokens)
{
    char *h;
    expect_401_token("alg none", fit_sign_compact(KEY, h = header_json("none", KID, ""), "{}"));
    free(h);
    char *t = token_with(claims_now());
    char *none = replace_segment(t, 2, "");
    expect_401("alg none, empty signature", none);
    free(none);
    expect_401_token("alg None", signed_with(KEY, h = header_json("None", KID, "")));
    free(h);
    expect_401_token("HS256 with the public key as secret", hs256_confusion());
    expect_401_token("PS256", signed_with(KEY, h = header_json("PS256", KID, "")));
    free(h);
    expect_401_token("RS512", signed_with(KEY, h = header_json("RS512", KID, "")));
    free(h);
    expect_401_token("unknown kid", signed_with(KEY, h = header_json("RS256", "other-kid", "")));
    free(h);
    expect_401_token("missing kid", signed_with(KEY, "{\"alg\":\"RS256\"}"));
    expect_401_token("signed by another key", signed_with(OTHER_KEY, h = header_json("RS256", KID, "")));
    free(h);
    expect_401_token("embedded jwk",
                     signed_with(KEY, h = header_json("RS256", KID, ",\"jwk\":{\"kty\":\"RSA\"}")));
    free(h);
    expect_401_token("jku", signed_with(KEY, h = header_json("RS256", KID, ",\"jku\":\"https://x\"")));
    free(h);
    expect_401_token("x5u", signed_with(KEY, h = header_json("RS256", KID, ",\"x5u\":\"https://x\"")));
    free(h);
    expect_401_token("x5c", signed_with(KEY, h = header_json("RS256", KID, ",\"x5c\":[\"AA\"]")));
    free(h);
    expect_401_token("crit", signed_with(KEY, h = header_json("RS256", KID, ",\"crit\":[\"exp\"]")));
    free(h);
    expect_401_token("b64", signed_with(KEY, h = header_json("RS256", KID, ",\"b64\":false")));
    free(h);
    expect_401_token("duplicate header member",
                     signed_with(KEY, h = header_json("RS256", KID, ",\"alg\":\"RS256\"")));
    free(h);
    expect_401_token("header not an object", signed_with(KEY, "[\"RS256\"]"));

    size_t n = strlen(t);
    char buf[16384];
    snprintf(buf, sizeof buf, "Bearer %s=", t);
    expect_401("padding", buf);
    snprintf(buf, sizeof buf, "Bearer %s.", t);
    expect_401("four segments", buf);
    snprintf(buf, sizeof buf, "Bearer %sAAAA", t);
    expect_401("trailing garbage", buf);
    snprintf(buf, sizeof buf, "Bearer %.*s", (int)(strrchr(t, '.') - t), t);
    expect_401("two segments", buf);
    snprintf(buf, sizeof buf, "Bearer %.*s", (int)(n - 10), t);
    expect_401("truncated signature", buf);
    expect_401("Q=== segment", "Bearer Q===.Q===.Q===");
    expect_401("empty segments", "Bearer ..");
    snprintf(buf, sizeof buf, "Bearer %s", t);
    buf[7 + 5] = buf[7 + 5] == 'A' ? 'B' : 'A';
    expect_401("tampered header", buf);
    free(t);
}
END_TEST

START_TEST(claims_out_of_policy)
{
    int64_t now = (int64_t)time(NULL);
    fit_claims c = claims_now();
    c.iat = now - 100;
    c.exp_offset = 90;
    expect_401_token("expired", token_with(c));
    c = claims_now();
    c.iat = now - 240;
    c.exp_offset = 600;
    expect_401_token("iat older than 3 minutes", token_with(c));
    c = claims_now();
    c.iat = now + 120;
    expect_401_token("iat in the future", token_with(c));
    c = claims_now();
    c.app_id = "ari:cloud:ecosystem::app/ffffffff-0000-4000-8000-000000000000";
    expect_401_token("wrong aud", token_with(c));
    c = claims_now();
    c.issuer = "someone-else";
    expect_401_token("wrong iss", token_with(c));
    c = claims_now();
    c.installation_id = NULL;
    expect_401_token("missing installationId", token_with(c));
    /* A validly signed token whose payload was swapped for another one. */
    char *good = token_with(claims_now());
    c = claims_now();
    c.installation_id = "ari:cloud:ecosystem::installation/99999999-0000-4000-8000-000000000000";
    char *payload = fit_sign_forge_payload(&c);
    char *pb = fit_sign_b64url(payload, strlen(payload));
    expect_401_token("tampered payload", replace_segment(good, 1, pb));
    free(payload);
    free(pb);
    free(good);
}
END_TEST

START_TEST(header_rules)
{
    char *body = NULL;
    char *t = token_with(claims_now());
    char one[4096], two[4096];
    expect_401("wrong scheme", "Basic dXNlcjpwYXNz");
    snprintf(one, sizeof one, "Token %s", t);
    expect_401("other scheme", one);
    const char *none[] = {NULL};
    ck_assert_int_eq(http_do(&H, "GET", "/api/v1/tenant", none, NULL, 0, &body), 401);
    free(body);
    snprintf(one, sizeof one, "Authorization: Bearer %s", t);
    snprintf(two, sizeof two, "authorization: Bearer %s", t);
    const char *twice[] = {one, two, NULL};
    ck_assert_int_eq(http_do(&H, "GET", "/api/v1/tenant", twice, NULL, 0, &body), 401);
    free(body);
    char *huge = malloc(9 * 1024);
    memset(huge, 'A', 9 * 1024 - 1);
    memcpy(huge, "Bearer ", 7);
    huge[9 * 1024 - 1] = '\0';
    expect_401("oversized header", huge);
    free(huge);
    free(t);
}
END_TEST

START_TEST(rejections_are_counted_and_server_stays_up)
{
    char *body = NULL;
    expect_401("unknown kid", "Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6Im5vcGUifQ.e30.AAAA");
    expect_401("no bearer", "Bearer");
    ck_assert_int_eq(harness_ops_get(&H, "/metrics", &body), 200);
    ck_assert_ptr_nonnull(strstr(body, "biq_auth_rejections_total{reason=\"unknown_kid\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(body, "biq_http_requests_total{route=\"/api/v1/tenant\",status=\"401\"} 2"));
    free(body);
    ck_assert_int_eq(http_do(&H, "GET", "/healthz", NULL, NULL, 0, &body), 200);
    free(body);
}
END_TEST

START_TEST(sighup_reloads_the_key_set)
{
    char *body = NULL, path[HARNESS_PATH_MAX];
    const char new_kid[] = "forge/invocation-token/wf-rotated";
    fit_claims c = claims_now();
    char *rotated = fit_sign_forge_token(OTHER_KEY, new_kid, &c);
    ck_assert_int_eq(http_json(&H, "GET", "/api/v1/tenant", rotated, NULL, &body), 401);
    free(body);
    /* A broken file on reload keeps the old keys. */
    harness_write_file(&H, "jwks.json", "{\"keys\":[]}", path, sizeof path);
    kill(H.server_pid, SIGHUP);
    char *old = token_with(claims_now());
    for (int i = 0; i < 50; i++) {
        char *log = harness_server_log(&H);
        bool done = strstr(log, "jwks reload failed") != NULL;
        free(log);
        if (done)
            break;
        usleep(20000);
    }
    ck_assert_int_eq(http_json(&H, "GET", "/api/v1/tenant", old, NULL, &body), 404);
    free(body);
    /* A good file with the new key replaces the set. */
    EVP_PKEY *both[] = {KEY, OTHER_KEY};
    const char *kids[] = {KID, new_kid};
    char *jwks = fit_sign_jwks_multi(both, kids, 2);
    harness_write_file(&H, "jwks.json", jwks, path, sizeof path);
    free(jwks);
    kill(H.server_pid, SIGHUP);
    long st = 0;
    for (int i = 0; i < 50 && st != 404; i++) {
        usleep(20000);
        st = http_json(&H, "GET", "/api/v1/tenant", rotated, NULL, &body);
        free(body);
    }
    ck_assert_int_eq(st, 404);
    free(rotated);
    free(old);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("auth_http");
    TCase *tc = tcase_create("auth_http");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, valid_token_passes);
    tcase_add_test(tc, forged_and_malformed_tokens);
    tcase_add_test(tc, claims_out_of_policy);
    tcase_add_test(tc, header_rules);
    tcase_add_test(tc, rejections_are_counted_and_server_stays_up);
    tcase_add_test(tc, sighup_reloads_the_key_set);
    suite_add_tcase(s, tc);
    return s;
}
