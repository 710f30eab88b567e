/* test_keyring.c - the reloadable key ring: load, reload to a new set, keep
 * the last good set when the file goes bad or away, and verify from many
 * threads while reloads swap sets underneath. */
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/keyring.h"
#include "fit_sign.h"
#include "testsupport.h"

#define KID_A "forge/invocation-token/wf-a"
#define KID_B "forge/invocation-token/wf-b"

enum { WHY = 512, THREADS = 4, RELOADS = 40 };

static const int64_t NOW = 1764300000;

static EVP_PKEY *key_a, *key_b, *key_small;
static char dir[64], path[128];

static void setup(void)
{
    key_a = fit_sign_keygen();
    key_b = fit_sign_keygen();
    key_small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
}

static void teardown(void)
{
    EVP_PKEY_free(key_a);
    EVP_PKEY_free(key_b);
    EVP_PKEY_free(key_small);
}

/* Per test (forked): a fresh folder holding jwks.json with key_a. */
static void per_test(void)
{
    snprintf(dir, sizeof dir, "/tmp/biq-keyring-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/jwks.json", dir);
    ck_assert(fit_sign_write_jwks_file(key_a, KID_A, path));
}

static void per_test_done(void)
{
    unlink(path);
    rmdir(dir);
}

static void write_set(EVP_PKEY *k1, const char *kid1, EVP_PKEY *k2, const char *kid2)
{
    EVP_PKEY *keys[2] = {k1, k2};
    const char *kids[2] = {kid1, kid2};
    char *text = fit_sign_jwks_multi(keys, kids, k2 != NULL ? 2 : 1), tmp[160];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    ck_assert_int_eq(rename(tmp, path), 0); /* as a deploy would: atomically */
    free(text);
}

static char *bearer(EVP_PKEY *key, const char *kid)
{
    fit_claims c;
    fit_claims_default(&c, NOW);
    char *t = fit_sign_forge_token(key, kid, &c);
    size_t n = strlen(t) + 8;
    char *h = malloc(n);
    snprintf(h, n, "Bearer %s", t);
    free(t);
    return h;
}

static biq_auth_reason auth(biq_keyring *ring, const char *header)
{
    biq_fit_policy p;
    biq_tenant_ctx ctx;
    biq_auth_reason r;
    fit_claims c;
    fit_claims_default(&c, NOW);
    biq_fit_policy_init(&p, c.app_id, NOW);
    biq_err e = biq_keyring_authenticate(ring, &p, 1, header, &ctx, &r);
    ck_assert_int_eq(e, r == BIQ_AUTH_OK ? BIQ_OK : BIQ_ERR_UNAUTHORIZED);
    return r;
}

START_TEST(load_and_reload)
{
    char why[WHY] = "";
    biq_keyring *ring = NULL;
    ck_assert_int_eq(biq_keyring_new(path, &ring, why, sizeof why), BIQ_OK);
    ck_assert_uint_eq(biq_keyring_count(ring), 1);
    char *ta = bearer(key_a, KID_A), *tb = bearer(key_b, KID_B);
    ck_assert_int_eq(auth(ring, ta), BIQ_AUTH_OK);
    ck_assert_int_eq(auth(ring, tb), BIQ_AUTH_UNKNOWN_KID);

    /* Rotation: the new file has both keys, then only the new one. */
    write_set(key_a, KID_A, key_b, KID_B);
    ck_assert_int_eq(biq_keyring_reload(ring, why, sizeof why), BIQ_OK);
    ck_assert_uint_eq(biq_keyring_count(ring), 2);
    ck_assert_int_eq(auth(ring, tb), BIQ_AUTH_OK);
    write_set(key_b, KID_B, NULL, NULL);
    ck_assert_int_eq(biq_keyring_reload(ring, why, sizeof why), BIQ_OK);
    ck_assert_int_eq(auth(ring, ta), BIQ_AUTH_UNKNOWN_KID);
    ck_assert_int_eq(auth(ring, tb), BIQ_AUTH_OK);

    /* A bad file keeps the last good set, and says why. */
    write_set(key_small, "weak", NULL, NULL);
    ck_assert_int_eq(biq_keyring_reload(ring, why, sizeof why), BIQ_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(why, "kid \"weak\""));
    ck_assert_ptr_nonnull(strstr(why, "2048"));
    ck_assert_uint_eq(biq_keyring_count(ring), 1);
    ck_assert_int_eq(auth(ring, tb), BIQ_AUTH_OK);
    unlink(path);
    ck_assert_int_eq(biq_keyring_reload(ring, why, sizeof why), BIQ_ERR_IO);
    ck_assert_ptr_nonnull(strstr(why, "jwks.json"));
    ck_assert_int_eq(auth(ring, tb), BIQ_AUTH_OK);

    /* verify() goes through the same set. */
    biq_fit_policy p;
    biq_tenant_ctx ctx;
    biq_auth_reason r;
    fit_claims c;
    fit_claims_default(&c, NOW);
    biq_fit_policy_init(&p, c.app_id, NOW);
    ck_assert_int_eq(biq_keyring_verify(ring, &p, tb + 7, strlen(tb + 7), &ctx, &r), BIQ_OK);
    ck_assert_int_eq(biq_keyring_authenticate(ring, &p, 2, tb, &ctx, &r), BIQ_ERR_UNAUTHORIZED);
    ck_assert_int_eq(r, BIQ_AUTH_MULTIPLE_HEADERS);
    free(ta);
    free(tb);
    biq_keyring_free(ring);
    biq_keyring_free(NULL);
    ck_assert_uint_eq(biq_keyring_count(NULL), 0);
}
END_TEST

START_TEST(start_refuses_bad_files)
{
    char why[WHY] = "";
    biq_keyring *ring = (biq_keyring *)1;
    write_set(key_a, KID_A, key_small, "weak-one");
    ck_assert_int_eq(biq_keyring_new(path, &ring, why, sizeof why), BIQ_ERR_INVALID);
    ck_assert_ptr_null(ring);
    ck_assert_ptr_nonnull(strstr(why, "keys[1] (kid \"weak-one\")"));
    ck_assert_int_eq(biq_keyring_new("/nonexistent/jwks.json", &ring, why, sizeof why), BIQ_ERR_IO);
    ck_assert_int_eq(biq_keyring_new("", &ring, why, sizeof why), BIQ_ERR_CONFIG);
    ck_assert_int_eq(biq_keyring_new(NULL, &ring, why, sizeof why), BIQ_ERR_CONFIG);
}
END_TEST

START_TEST(from_set_has_no_file)
{
    char *text = fit_sign_jwks(key_a, KID_A), why[WHY];
    biq_jwks *set = NULL;
    biq_keyring *ring = NULL;
    ck_assert_int_eq(biq_jwks_parse(text, strlen(text), &set, why, sizeof why), BIQ_OK);
    ck_assert_int_eq(biq_keyring_new_from_set(set, &ring), BIQ_OK);
    ck_assert_int_eq(biq_keyring_reload(ring, why, sizeof why), BIQ_ERR_CONFIG);
    char *ta = bearer(key_a, KID_A), *tb = bearer(key_b, KID_B);
    ck_assert_int_eq(auth(ring, ta), BIQ_AUTH_OK);
    /* A set fetched elsewhere (BIQ_JWKS_URL) installed in its place. */
    char *tb_text = fit_sign_jwks(key_b, KID_B);
    biq_jwks *set_b = NULL;
    ck_assert_int_eq(biq_jwks_parse(tb_text, strlen(tb_text), &set_b, why, sizeof why), BIQ_OK);
    ck_assert_int_eq(biq_keyring_install(ring, set_b), BIQ_OK);
    ck_assert_int_eq(auth(ring, tb), BIQ_AUTH_OK);
    ck_assert_int_eq(auth(ring, ta), BIQ_AUTH_UNKNOWN_KID);
    ck_assert_int_eq(biq_keyring_install(ring, NULL), BIQ_ERR_CONFIG);
    ck_assert_int_eq(auth(ring, tb), BIQ_AUTH_OK);
    free(tb_text);
    free(tb);
    biq_keyring_free(ring);
    ck_assert_int_eq(biq_keyring_new_from_set(NULL, &ring), BIQ_ERR_CONFIG);
    ck_assert_ptr_null(ring);
    free(ta);
    free(text);
}
END_TEST

typedef struct worker {
    biq_keyring *ring;
    const char *header;
    atomic_int *stop;
    unsigned ok, failed;
} worker;

static void *verify_loop(void *arg)
{
    worker *w = arg;
    while (!atomic_load(w->stop)) {
        biq_fit_policy p;
        biq_tenant_ctx ctx;
        biq_auth_reason r;
        fit_claims c;
        fit_claims_default(&c, NOW);
        biq_fit_policy_init(&p, c.app_id, NOW);
        if (biq_keyring_authenticate(w->ring, &p, 1, w->header, &ctx, &r) == BIQ_OK)
            w->ok++;
        else
            w->failed++;
    }
    return NULL;
}

START_TEST(verifies_while_reloading)
{
    char why[WHY];
    biq_keyring *ring = NULL;
    ck_assert_int_eq(biq_keyring_new(path, &ring, why, sizeof why), BIQ_OK);
    char *ta = bearer(key_a, KID_A);
    atomic_int stop;
    atomic_init(&stop, 0);
    pthread_t th[THREADS];
    worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker){ring, ta, &stop, 0, 0};
        ck_assert_int_eq(pthread_create(&th[i], NULL, verify_loop, &w[i]), 0);
    }
    /* Every generation holds KID_A, so every verify must succeed. */
    for (int i = 0; i < RELOADS; i++) {
        if (i % 2 == 0)
            write_set(key_a, KID_A, key_b, KID_B);
        else
            write_set(key_b, KID_B, key_a, KID_A);
        ck_assert_int_eq(biq_keyring_reload(ring, why, sizeof why), BIQ_OK);
        if (i % 5 == 0) { /* and a bad file now and then */
            write_set(key_small, "weak", NULL, NULL);
            ck_assert_int_ne(biq_keyring_reload(ring, why, sizeof why), BIQ_OK);
        }
    }
    atomic_store(&stop, 1);
    unsigned ok = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        ck_assert_uint_eq(w[i].failed, 0);
        ok += w[i].ok;
    }
    ck_assert_uint_gt(ok, 0);
    printf("keyring: %u verifies across %d reloads, 0 failures\n", ok, RELOADS);
    free(ta);
    biq_keyring_free(ring);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("keyring");
    TCase *tc = tcase_create("core");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_add_checked_fixture(tc, per_test, per_test_done);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, load_and_reload);
    tcase_add_test(tc, start_refuses_bad_files);
    tcase_add_test(tc, from_set_has_no_file);
    tcase_add_test(tc, verifies_while_reloading);
    suite_add_tcase(s, tc);
    return s;
}
