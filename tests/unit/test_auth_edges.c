/* test_auth_edges.c - auth edges found by `make mutate` (issue 22): the
 * installation id's UUID at every edge of the hex ranges, and the key-set
 * reason buffer that the API lets be NULL. */
#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "auth/fit.h"
#include "auth/jwks.h"
#include "auth/keyring.h"
#include "fit_sign.h"
#include "test_keys.h"
#include "testsupport.h"

#define APP_ID "ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000000a1"
#define PREFIX "ari:cloud:ecosystem::installation/"
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
    /* A ring without a file cannot reload; the reason may go nowhere. */
    char *text = fit_sign_jwks(key, KID);
    biq_jwks *set = NULL;
    ck_assert_int_eq(biq_jwks_parse(text, strlen(text), &set, why, sizeof why), BIQ_OK);
    free(text);
    ck_assert_int_eq(biq_keyring_new_from_set(set, &ring), BIQ_OK);
    ck_assert_int_eq(biq_keyring_reload(ring, NULL, 64), BIQ_ERR_CONFIG);
    ck_assert_int_eq(biq_keyring_reload(ring, why, sizeof why), BIQ_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(why, "not loaded from a file"));
    ck_assert_uint_eq(biq_keyring_count(ring), 1);
    biq_keyring_free(ring);
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

/* ---- ROCA (CVE-2017-15361) ------------------------------------------------ */

/* The 38 primes of the ROCA fingerprint (Nemec et al., CCS 2017). A
 * vulnerable modulus is, modulo each, a power of 65537. */
static const unsigned ROCA[] = {
    3,  5,  7,  11, 13, 17,  19,  23,  29,  31,  37,  41,  43,  47,  53,  59,  61,  67,  71,
    73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
};
enum { N_ROCA = sizeof ROCA / sizeof ROCA[0] };

/* Is r a power of 65537 modulo p? */
static bool in_subgroup(unsigned r, unsigned p)
{
    unsigned g = 65537 % p, x = 1;
    do {
        if (x == r)
            return true;
        x = x * g % p;
    } while (x != 1);
    return false;
}

/* A 2048-bit odd modulus that is 65537^5 modulo every ROCA prime except
 * `skip` (index; N_ROCA: none), where it is not in the subgroup, and is
 * `mod4` modulo 4. Big-endian into out[256]. */
static void roca_modulus(size_t skip, unsigned mod4, uint8_t out[256])
{
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *m = BN_new(), *n = BN_new(), *t = BN_new(), *q = BN_new(), *pb = BN_new();
    ck_assert_ptr_nonnull(ctx);
    BN_one(m);
    for (size_t i = 0; i < N_ROCA; i++)
        BN_mul_word(m, ROCA[i]);
    /* Chinese remainders: n = sum r_i * (M/p_i) * ((M/p_i)^-1 mod p_i) mod M. */
    BN_zero(n);
    for (size_t i = 0; i < N_ROCA; i++) {
        unsigned p = ROCA[i], r = 1;
        for (int k = 0; k < 5; k++)
            r = r * (65537 % p) % p;
        if (i == skip) /* the first residue outside the subgroup */
            for (r = 2; in_subgroup(r, p); r++)
                ;
        BN_copy(q, m);
        BN_div_word(q, p);
        BN_set_word(pb, p);
        BN_mod_inverse(t, q, pb, ctx);
        BN_mul(t, t, q, ctx);
        BN_mul_word(t, r);
        BN_add(n, n, t);
    }
    BN_mod(n, n, m, ctx);
    /* Lift to 2048 bits: n + k*M with the top bit set, odd, and n = mod4
     * modulo 4 (M is odd, so k steps through every residue). */
    BIGNUM *k = BN_new();
    BN_one(k);
    BN_lshift(k, k, 2047 - BN_num_bits(m) + 1);
    for (;;) {
        BN_mul(t, k, m, ctx);
        BN_add(t, t, n);
        if (BN_num_bits(t) == 2048 && BN_mod_word(t, 4) == mod4)
            break;
        BN_add_word(k, 1);
    }
    ck_assert_int_eq(BN_bn2binpad(t, out, 256), 256);
    for (size_t i = 0; i < N_ROCA; i++) {
        unsigned r = (unsigned)BN_mod_word(t, ROCA[i]);
        ck_assert(in_subgroup(r, ROCA[i]) == (i != skip));
    }
    BN_free(k);
    BN_free(m);
    BN_free(n);
    BN_free(t);
    BN_free(q);
    BN_free(pb);
    BN_CTX_free(ctx);
}

static biq_err parse_n(const uint8_t n[256], char *why, size_t why_len)
{
    char *nb = fit_sign_b64url(n, 256);
    json_t *set = json_pack("{s:[{s:s,s:s,s:s,s:s}]}", "keys", "kty", "RSA", "kid", "k", "n", nb,
                            "e", "AQAB");
    free(nb);
    char *text = json_dumps(set, JSON_COMPACT);
    json_decref(set);
    biq_jwks *out = NULL;
    biq_err e = biq_jwks_parse(text, strlen(text), &out, why, why_len);
    free(text);
    biq_jwks_free(out);
    return e;
}

/* A modulus with the fingerprint is refused naming ROCA; one that misses
 * it at a single prime (any of the 38) is an ordinary key. */
START_TEST(roca_fingerprint_refused)
{
    uint8_t n[256];
    char why[256];
    for (unsigned mod4 = 1; mod4 <= 3; mod4 += 2) {
        roca_modulus(N_ROCA, mod4, n);
        ck_assert_int_eq(parse_n(n, why, sizeof why), BIQ_ERR_INVALID);
        ck_assert_msg(strstr(why, "ROCA") != NULL, "%s", why);
        for (size_t skip = 0; skip < N_ROCA; skip++) {
            roca_modulus(skip, mod4, n);
            ck_assert_msg(parse_n(n, why, sizeof why) == BIQ_OK, "prime %u: %s", ROCA[skip], why);
        }
    }
}
END_TEST

/* At most BIQ_FIT_AUD_MAX audiences, ours among them. */
START_TEST(audience_array_bounded)
{
    for (size_t n = 1; n <= BIQ_FIT_AUD_MAX + 1; n++) {
        fit_claims c;
        fit_claims_default(&c, NOW);
        char *text = fit_sign_forge_payload(&c);
        json_t *claims = json_loads(text, 0, NULL);
        free(text);
        json_t *aud = json_array();
        for (size_t i = 0; i + 1 < n; i++)
            json_array_append_new(aud, json_string("ari:cloud:ecosystem::app/other"));
        json_array_append_new(aud, json_string(APP_ID));
        json_object_set_new(claims, "aud", aud);
        char *payload = json_dumps(claims, JSON_COMPACT);
        json_decref(claims);
        char hdr[200];
        snprintf(hdr, sizeof hdr, "{\"alg\":\"RS256\",\"kid\":\"%s\"}", KID);
        char *token = fit_sign_compact(key, hdr, payload);
        free(payload);
        biq_fit_policy p;
        biq_tenant_ctx ctx;
        biq_auth_reason r = BIQ_AUTH_OK;
        biq_fit_policy_init(&p, APP_ID, NOW);
        (void)biq_fit_verify(jwks, &p, token, strlen(token), &ctx, &r);
        free(token);
        ck_assert_msg(r == (n <= BIQ_FIT_AUD_MAX ? BIQ_AUTH_OK : BIQ_AUTH_AUDIENCE), "%zu: %s", n,
                      biq_auth_reason_name(r));
    }
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
    tcase_add_test(tc, roca_fingerprint_refused);
    tcase_add_test(tc, audience_array_bounded);
    suite_add_tcase(s, tc);
    return s;
}
