/* test_fit_dates.c - token dates at and past the NumericDate bound, as
 * integers and as reals far outside int64 (issue 22: without the bound
 * check the conversion to int64 is undefined, and on x86-64 "nbf": 1e300
 * would pass), and key-set moduli at the size limits (2048 and 8192 bits). */
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/fit.h"
#include "auth/jwks.h"
#include "fit_sign.h"
#include "test_keys.h"
#include "testsupport.h"

#define APP_ID "ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000000a1"
#define KID "forge/invocation-token/wf-aaaaaaaa-0000-4000-8000-000000000001"

static const int64_t NOW = 1764300000; /* 2025-11-28T03:20:00Z, fixed */
/* fit.c's bound on NumericDates: |v| < 1e15 s (31 million years). */
#define DATE_MAX INT64_C(1000000000000000)

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

/* The reason a token gets whose default claims (iat = nbf = NOW, exp =
 * NOW + 25) have `member` set to value (consumed; NULL removes it). */
static biq_auth_reason with(const char *member, json_t *value)
{
    fit_claims c;
    fit_claims_default(&c, NOW);
    char *text = fit_sign_forge_payload(&c);
    json_t *claims = json_loads(text, 0, NULL);
    free(text);
    ck_assert_ptr_nonnull(claims);
    if (value == NULL)
        json_object_del(claims, member);
    else
        json_object_set_new(claims, member, value);
    char *payload = json_dumps(claims, JSON_COMPACT);
    json_decref(claims);
    char hdr[256];
    snprintf(hdr, sizeof hdr, "{\"alg\":\"RS256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", KID);
    char *token = fit_sign_compact(key, hdr, payload);
    free(payload);
    ck_assert_ptr_nonnull(token);
    biq_fit_policy p;
    biq_tenant_ctx ctx;
    biq_auth_reason r = BIQ_AUTH_OK;
    biq_fit_policy_init(&p, APP_ID, NOW);
    biq_err e = biq_fit_verify(jwks, &p, token, strlen(token), &ctx, &r);
    ck_assert_int_eq(e, r == BIQ_AUTH_OK ? BIQ_OK : BIQ_ERR_UNAUTHORIZED);
    free(token);
    return r;
}

#define EXPECT(member, value, want)                                                                \
    do {                                                                                           \
        biq_auth_reason r_ = with(member, value);                                                  \
        ck_assert_msg(r_ == (want), "line %d: %s: got %s, want %s", __LINE__, member,              \
                      biq_auth_reason_name(r_), biq_auth_reason_name(want));                       \
    } while (0)

START_TEST(default_token_is_accepted)
{
    EXPECT("jti", json_string("0123456789abcdef0123456789abcdef01234567"), BIQ_AUTH_OK);
}
END_TEST

/* Reals far beyond int64 and beyond the bound, each claim, both signs. */
START_TEST(huge_real_dates_refused)
{
    const double huge[] = {1e300, -1e300, 9.3e18, -9.3e18, 9.2233720368547758e18, 1e16, -1e16,
                           1e15, -1e15};
    const char *members[] = {"exp", "nbf", "iat"};
    for (size_t m = 0; m < 3; m++)
        for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
            biq_auth_reason r = with(members[m], json_real(huge[i]));
            ck_assert_msg(r == BIQ_AUTH_CLAIMS, "%s = %g: got %s", members[m], huge[i],
                          biq_auth_reason_name(r));
        }
}
END_TEST

/* Integers at the bound: refused; one inside: judged on its value. */
START_TEST(integer_dates_at_the_bound)
{
    EXPECT("exp", json_integer(DATE_MAX), BIQ_AUTH_CLAIMS);
    EXPECT("exp", json_integer(DATE_MAX - 1), BIQ_AUTH_OK);
    EXPECT("exp", json_integer(-DATE_MAX), BIQ_AUTH_CLAIMS);
    EXPECT("exp", json_integer(-DATE_MAX + 1), BIQ_AUTH_EXPIRED);
    EXPECT("exp", json_integer(INT64_MIN), BIQ_AUTH_CLAIMS);
    EXPECT("nbf", json_integer(DATE_MAX), BIQ_AUTH_CLAIMS);
    EXPECT("nbf", json_integer(DATE_MAX - 1), BIQ_AUTH_NOT_YET_VALID);
    EXPECT("nbf", json_integer(-DATE_MAX), BIQ_AUTH_CLAIMS);
    EXPECT("nbf", json_integer(-DATE_MAX + 1), BIQ_AUTH_OK);
    EXPECT("nbf", json_integer(INT64_MAX), BIQ_AUTH_CLAIMS);
    EXPECT("iat", json_integer(DATE_MAX), BIQ_AUTH_CLAIMS);
    EXPECT("iat", json_integer(DATE_MAX - 1), BIQ_AUTH_IAT);
    EXPECT("iat", json_integer(-DATE_MAX), BIQ_AUTH_CLAIMS);
    EXPECT("iat", json_integer(-DATE_MAX + 1), BIQ_AUTH_IAT);
}
END_TEST

/* Reals just inside the bound, and non-finite or fractional values. */
START_TEST(real_dates_inside_the_bound)
{
    EXPECT("exp", json_real(999999999999999.0), BIQ_AUTH_OK);
    EXPECT("exp", json_real(-999999999999999.0), BIQ_AUTH_EXPIRED);
    EXPECT("nbf", json_real(-999999999999999.0), BIQ_AUTH_OK);
    EXPECT("nbf", json_real(999999999999999.0), BIQ_AUTH_NOT_YET_VALID);
    EXPECT("iat", json_real(999999999999999.0), BIQ_AUTH_IAT);
    EXPECT("iat", json_real(-999999999999999.0), BIQ_AUTH_IAT);
    /* Fractions: exp must be after now as a real, nbf and iat rounded so that
     * the whole real lies in the allowed interval. */
    EXPECT("exp", json_real((double)NOW + 0.5), BIQ_AUTH_EXPIRED);
    EXPECT("exp", json_real((double)NOW + 1.5), BIQ_AUTH_OK);
    EXPECT("nbf", json_real((double)NOW + 30.0), BIQ_AUTH_OK);
    EXPECT("nbf", json_real((double)NOW + 30.5), BIQ_AUTH_NOT_YET_VALID);
    EXPECT("iat", json_real((double)NOW + 30.0), BIQ_AUTH_OK);
    EXPECT("iat", json_real((double)NOW + 29.5), BIQ_AUTH_OK);
    EXPECT("iat", json_real((double)NOW + 30.5), BIQ_AUTH_IAT);
    EXPECT("iat", json_real((double)NOW - 180.0), BIQ_AUTH_OK);
    EXPECT("iat", json_real((double)NOW - 179.5), BIQ_AUTH_OK);
    EXPECT("iat", json_real((double)NOW - 180.5), BIQ_AUTH_IAT);
}
END_TEST

/* ---- key sizes ------------------------------------------------------------ */

/* A set of one RSA key with modulus n[0..len) and e = 65537. */
static biq_err parse_modulus(const uint8_t *n, size_t len, biq_jwks **out, char *why,
                             size_t why_len)
{
    char *nb = fit_sign_b64url(n, len);
    ck_assert_ptr_nonnull(nb);
    json_t *set = json_pack("{s:[{s:s,s:s,s:s,s:s}]}", "keys", "kty", "RSA", "kid", "big", "n",
                            nb, "e", "AQAB");
    free(nb);
    char *text = json_dumps(set, JSON_COMPACT);
    json_decref(set);
    biq_err e = biq_jwks_parse(text, strlen(text), out, why, why_len);
    free(text);
    return e;
}

START_TEST(modulus_sizes_at_the_limits)
{
    enum { MAXB = BIQ_RSA_MAX_BITS / 8 };
    static uint8_t n[MAXB + 1];
    char why[512];
    biq_jwks *set = NULL;
    /* 8192 bits: the largest accepted. An odd modulus with no small factor
     * pattern of ROCA; the import does not factor it. */
    for (size_t i = 0; i < MAXB; i++)
        n[i] = (uint8_t)(0xa5 ^ (i * 29));
    n[0] = 0xc3;
    n[MAXB - 1] |= 1;
    ck_assert_int_eq(BIQ_RSA_MAX_BITS, 8192);
    ck_assert_msg(parse_modulus(n, MAXB, &set, why, sizeof why) == BIQ_OK, "8192 bits: %s", why);
    ck_assert_ptr_nonnull(biq_jwks_lookup(set, "big", 3));
    ck_assert_ptr_nonnull(biq_jwks_verifier(set, "big", 3));
    biq_jwks_free(set);
    set = NULL;
    /* 8191 bits: accepted too. */
    n[0] = 0x43;
    ck_assert_msg(parse_modulus(n, MAXB, &set, why, sizeof why) == BIQ_OK, "8191 bits: %s", why);
    biq_jwks_free(set);
    set = NULL;
    /* 8193 bits (1025 octets, the first 0x01): refused. */
    memmove(n + 1, n, MAXB);
    n[0] = 0x01;
    ck_assert_int_eq(parse_modulus(n, MAXB + 1, &set, why, sizeof why), BIQ_ERR_INVALID);
    ck_assert_ptr_null(set);
    ck_assert_ptr_nonnull(strstr(why, "too large"));
    /* 2048 bits exactly: accepted; 2047: refused naming the rule. */
    memset(n, 0x5b, 256);
    n[0] = 0x80;
    n[255] = 0x5b;
    ck_assert_msg(parse_modulus(n, 256, &set, why, sizeof why) == BIQ_OK, "2048 bits: %s", why);
    biq_jwks_free(set);
    set = NULL;
    n[0] = 0x7f;
    ck_assert_int_eq(parse_modulus(n, 256, &set, why, sizeof why), BIQ_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(why, "2048"));
    /* 2049 bits (257 octets, the first 0x01). */
    memset(n, 0x5b, 257);
    n[0] = 0x01;
    ck_assert_msg(parse_modulus(n, 257, &set, why, sizeof why) == BIQ_OK, "2049 bits: %s", why);
    biq_jwks_free(set);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("fit_dates");
    TCase *tc = tcase_create("dates");
    tcase_set_timeout(tc, 60);
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_add_test(tc, default_token_is_accepted);
    tcase_add_test(tc, huge_real_dates_refused);
    tcase_add_test(tc, integer_dates_at_the_bound);
    tcase_add_test(tc, real_dates_inside_the_bound);
    tcase_add_test(tc, modulus_sizes_at_the_limits);
    suite_add_tcase(s, tc);
    return s;
}
