/* test_auth_edges.c - auth edges found by `make mutate` (issue 22): the
 * installation id's UUID at every edge of the hex ranges, and the key-set
 * reason buffer that the API lets be NULL. */
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "auth/fit.h"
#include "auth/jwks.h"
#include "auth/keyring.h"
#include "fit_sign.h"
#include "testsupport.h"

#define APP_ID "ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000000a1"
#define PREFIX "ari:cloud:ecosystem::installation/"
#define KID "forge/invocation-token/wf-aaaaaaaa-0000-4000-8000-000000000001"

static const int64_t NOW = 1764300000; /* fixed */

static EVP_PKEY *key;
static biq_jwks *jwks;

static void setup(void)
{
    key = fit_sign_keygen();
    char *text = fit_sign_jwks(key, KID), why[256];
    if (text == NULL || biq_jwks_parse(text, strlen(text), &jwks, why, sizeof why) != BIQ_OK)
        abort();
    free(text);
}

static void teardown(void)
{
    biq_jwks_free(jwks);
    EVP_PKEY_free(key);
}

/* The reason for a default token whose app.installationId is PREFIX uuid;
 * on success ctx holds the tenant. */
static biq_auth_reason with_installation(const char *uuid, biq_tenant_ctx *ctx)
{
    char id[256];
    snprintf(id, sizeof id, PREFIX "%s", uuid);
    fit_claims c;
    fit_claims_default(&c, NOW);
    c.installation_id = id;
    char *token = fit_sign_forge_token(key, KID, &c);
    ck_assert_ptr_nonnull(token);
    biq_fit_policy p;
    biq_auth_reason r = BIQ_AUTH_OK;
    biq_fit_policy_init(&p, APP_ID, NOW);
    (void)biq_fit_verify(jwks, &p, token, strlen(token), ctx, &r);
    free(token);
    return r;
}

START_TEST(installation_uuid_hex_edges)
{
    biq_tenant_ctx ctx;
    /* Every end of the three ranges, in each group. */
    static const char *const good[] = {
        "00000000-0000-4000-8000-000000000000", "99999999-9999-4999-8999-999999999999",
        "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "ffffffff-ffff-4fff-8fff-ffffffffffff",
        "AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA", "FFFFFFFF-FFFF-4FFF-8FFF-FFFFFFFFFFFF",
        "0a9F0A9f-09af-4AF0-8f9A-aF09Af09aF09",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        biq_auth_reason r = with_installation(good[i], &ctx);
        ck_assert_msg(r == BIQ_AUTH_OK, "%s: %s", good[i], biq_auth_reason_name(r));
    }
    ck_assert_ptr_nonnull(strstr(ctx.tenant_id, "0a9F0A9f-09af-4AF0-8f9A-aF09Af09aF09"));
    /* The characters just outside each range, at a hex position. */
    static const char outside[] = {'/', ':', '`', 'g', '@', 'G', ' ', '-'};
    for (size_t i = 0; i < sizeof outside; i++) {
        char u[] = "00000000-0000-4000-8000-000000000000";
        u[3] = outside[i];
        biq_auth_reason r = with_installation(u, &ctx);
        ck_assert_msg(r == BIQ_AUTH_TENANT, "%s: %s", u, biq_auth_reason_name(r));
    }
    /* Dashes only at 8, 13, 18 and 23; 36 characters exactly. */
    static const char *const bad[] = {
        "000000000-000-4000-8000-000000000000", "00000000-00000-400-8000-000000000000",
        "00000000-0000-40000-800-000000000000", "00000000-0000-4000-80000-00000000000",
        "00000000-0000-4000-8000-0000000000000", "00000000-0000-4000-8000-00000000000",
        "00000000x0000-4000-8000-000000000000", "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        biq_auth_reason r = with_installation(bad[i], &ctx);
        ck_assert_msg(r == BIQ_AUTH_TENANT, "%s: %s", bad[i], biq_auth_reason_name(r));
    }
}
END_TEST

/* jwks.h: the reason buffer "may be NULL", whatever length is passed. */
START_TEST(jwks_reason_buffer_may_be_null)
{
    static const char *const bad[] = {
        "{}", "{\"keys\":[]}", "not json", "{\"keys\":[{\"kty\":\"EC\",\"kid\":\"a\"}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        biq_jwks *set = (biq_jwks *)1;
        ck_assert_int_eq(biq_jwks_parse(bad[i], strlen(bad[i]), &set, NULL, 64),
                         BIQ_ERR_INVALID);
        ck_assert_ptr_null(set);
        set = (biq_jwks *)1;
        ck_assert_int_eq(biq_jwks_parse(bad[i], strlen(bad[i]), &set, NULL, 0), BIQ_ERR_INVALID);
        ck_assert_ptr_null(set);
    }
    /* A zero length leaves the buffer alone. */
    char why[8] = "keep";
    biq_jwks *set = NULL;
    ck_assert_int_eq(biq_jwks_parse("{}", 2, &set, why, 0), BIQ_ERR_INVALID);
    ck_assert_str_eq(why, "keep");
    /* A short buffer gets a truncated, terminated reason. */
    ck_assert_int_eq(biq_jwks_parse("{}", 2, &set, why, sizeof why), BIQ_ERR_INVALID);
    ck_assert_uint_eq(strlen(why), sizeof why - 1);
}
END_TEST

/* The key ring forwards its reason buffer to the file loader, whose
 * contract lets it be NULL: refusals with a NULL buffer do not write. */
START_TEST(keyring_reason_buffer_may_be_null)
{
    biq_keyring *ring = (biq_keyring *)1;
    ck_assert_int_eq(biq_keyring_new("", &ring, NULL, 64), BIQ_ERR_CONFIG);
    ck_assert_ptr_null(ring);
    ck_assert_int_eq(biq_keyring_new(NULL, &ring, NULL, 64), BIQ_ERR_CONFIG);
    static char longpath[BIQ_KEYRING_PATH_MAX + 2];
    memset(longpath, 'a', sizeof longpath - 1);
    ck_assert_int_eq(biq_keyring_new(longpath, &ring, NULL, 64), BIQ_ERR_CONFIG);
    char why[128] = "";
    ck_assert_int_eq(biq_keyring_new(longpath, &ring, why, sizeof why), BIQ_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(why, "empty or too long"));
    ck_assert_int_ne(biq_keyring_new("/nonexistent/jwks.json", &ring, NULL, 64), BIQ_OK);
}
END_TEST

/* Loading a key-set file closes what it opened, even descriptor 0 (a
 * server started with stdin closed). */
START_TEST(jwks_file_descriptor_closed_even_when_zero)
{
    char path[] = "/tmp/biq-jwks-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    char *text = fit_sign_jwks(key, KID);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    free(text);
    close(0); /* this test runs in its own process (Check's fork mode) */
    biq_jwks *set = NULL;
    char why[256];
    ck_assert_msg(biq_jwks_load_file(path, &set, why, sizeof why) == BIQ_OK, "%s", why);
    biq_jwks_free(set);
    /* The lowest free descriptor is 0 again. */
    fd = open("/dev/null", O_RDONLY);
    ck_assert_int_eq(fd, 0);
    close(fd);
    unlink(path);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("auth_edges");
    TCase *tc = tcase_create("edges");
    tcase_set_timeout(tc, 60);
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_add_test(tc, installation_uuid_hex_edges);
    tcase_add_test(tc, jwks_reason_buffer_may_be_null);
    tcase_add_test(tc, keyring_reason_buffer_may_be_null);
    tcase_add_test(tc, jwks_file_descriptor_closed_even_when_zero);
    suite_add_tcase(s, tc);
    return s;
}
