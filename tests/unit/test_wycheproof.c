/* test_wycheproof.c - the verifier against Wycheproof's vectors
 * ($BIQ_SHARED_DIR/vectors/wycheproof, default ../shared):
 *   - json_web_crypto_test.json: every JWS (and JWE) case through the JWS
 *     layer with the group's key set;
 *   - json_web_key_test.json: every key-set case, import then verify;
 *   - rsa_signature_2048_sha256_test.json: every RSASSA-PKCS1-v1_5 case on
 *     the raw verify layer;
 *   - RFC 7520 §4.1, the JOSE cookbook's RS256 example (embedded below).
 * An "invalid" case we accept, or a "valid" RS256 case we refuse, fails the
 * test. "valid" cases outside our policy (HS*, ES*, JWE: we verify RS256
 * JWS only) are refused by design; they are counted and listed with their
 * reason in the output, never skipped silently. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/b64url.h"
#include "auth/fit.h"
#include "auth/jwks.h"
#include "auth/rsa_verify.h"
#include "testsupport.h"

enum { PATH_MAX_ = 1024, WHY = 512, HEX_MAX = 4096, NOTE = 160, PAYLOAD_MAX = 16384 };

typedef struct tally {
    unsigned cases, accepted_valid, rejected_invalid, policy_rejected, acceptable;
    char notes[4096];
} tally;

static json_t *load_vectors(const char *name)
{
    const char *dir = getenv("BIQ_SHARED_DIR");
    char path[PATH_MAX_];
    json_error_t jerr;
    snprintf(path, sizeof path, "%s/vectors/wycheproof/%s", dir != NULL ? dir : "../shared", name);
    json_t *root = json_load_file(path, 0, &jerr);
    ck_assert_msg(root != NULL, "cannot load %s: %s (set BIQ_SHARED_DIR)", path, jerr.text);
    ck_assert_uint_gt(json_array_size(json_object_get(root, "testGroups")), 0);
    return root;
}

/* The group's key set as our importer sees it: "public" when the vector
 * gives one, else "private"; a single JWK is wrapped into a set. */
static biq_jwks *group_keys(const json_t *group, char *why)
{
    const json_t *k = json_object_get(group, "public");
    if (k == NULL)
        k = json_object_get(group, "private");
    json_t *set = json_object_get(k, "keys") != NULL ? json_incref((json_t *)k)
                                                     : json_pack("{s:[O]}", "keys", k);
    char *text = json_dumps(set, JSON_COMPACT);
    biq_jwks *jwks = NULL;
    snprintf(why, WHY, "(accepted)");
    biq_jwks_parse(text, strlen(text), &jwks, why, WHY);
    free(text);
    json_decref(set);
    return jwks;
}

/* The token text of a case: compact string, or JSON serialization dumped. */
static char *case_token(const json_t *tc, bool *is_jwe)
{
    const json_t *v = json_object_get(tc, "jws");
    *is_jwe = v == NULL;
    if (v == NULL)
        v = json_object_get(tc, "jwe");
    return json_is_string(v) ? strdup(json_string_value(v)) : json_dumps(v, JSON_COMPACT);
}

/* Why a valid case is outside our policy, or NULL when it is not. */
static const char *policy_excuse(const char *token, bool is_jwe, char *note)
{
    if (is_jwe)
        return "JWE, not a JWS";
    const char *dot = strchr(token, '.');
    uint8_t hdr[1024];
    size_t len;
    if (dot == NULL ||
        biq_b64url_decode(token, (size_t)(dot - token), hdr, sizeof hdr, &len) != BIQ_OK)
        return NULL;
    json_t *h = json_loadb((const char *)hdr, len, 0, NULL);
    const char *alg = json_string_value(json_object_get(h, "alg"));
    const char *excuse = NULL;
    if (alg != NULL && strcmp(alg, "RS256") != 0) {
        snprintf(note, NOTE, "alg %s is not RS256", alg);
        excuse = note;
    }
    json_decref(h);
    return excuse;
}

static void note(tally *t, const char *fmt_tc, long tc, const char *why)
{
    size_t used = strlen(t->notes);
    snprintf(t->notes + used, sizeof t->notes - used, "    %s %ld: %s\n", fmt_tc, tc, why);
}

static void run_jose_case(tally *t, const biq_jwks *keys, const json_t *tc, const char *file)
{
    bool is_jwe;
    char *token = case_token(tc, &is_jwe), excuse_buf[NOTE];
    const char *result = json_string_value(json_object_get(tc, "result"));
    long id = (long)json_integer_value(json_object_get(tc, "tcId"));
    uint8_t payload[PAYLOAD_MAX];
    size_t plen;
    biq_auth_reason reason = BIQ_AUTH_INTERNAL;
    bool accepted = keys != NULL && biq_jws_verify(keys, token, strlen(token), payload,
                                                   sizeof payload, &plen, &reason) == BIQ_OK;
    t->cases++;
    if (strcmp(result, "invalid") == 0) {
        ck_assert_msg(!accepted, "%s tcId %ld: accepted an invalid case", file, id);
        t->rejected_invalid++;
    } else if (strcmp(result, "valid") == 0 && accepted) {
        t->accepted_valid++;
    } else if (strcmp(result, "valid") == 0) {
        const char *excuse = policy_excuse(token, is_jwe, excuse_buf);
        ck_assert_msg(excuse != NULL, "%s tcId %ld: refused a valid RS256 case (%s)", file, id,
                      biq_auth_reason_name(reason));
        t->policy_rejected++;
        note(t, "valid, refused by policy: tcId", id, excuse);
    } else {
        t->acceptable++;
        note(t, "acceptable: tcId", id, accepted ? "accepted" : "refused");
    }
    free(token);
}

static void run_jose_file(const char *file, unsigned expect_cases)
{
    json_t *root = load_vectors(file), *group, *tc;
    size_t gi, ti;
    tally t;
    memset(&t, 0, sizeof t);
    printf("wycheproof %s:\n", file);
    json_array_foreach (json_object_get(root, "testGroups"), gi, group) {
        char why[WHY];
        biq_jwks *keys = group_keys(group, why);
        printf("  group %zu (%s): key set %s\n", gi,
               json_string_value(json_object_get(group, "comment")),
               keys != NULL ? "imported" : why);
        json_array_foreach (json_object_get(group, "tests"), ti, tc)
            run_jose_case(&t, keys, tc, file);
        biq_jwks_free(keys);
    }
    printf("  %u cases: %u valid accepted, %u invalid refused, %u valid refused by policy "
           "(not RS256 JWS), %u acceptable\n%s",
           t.cases, t.accepted_valid, t.rejected_invalid, t.policy_rejected, t.acceptable, t.notes);
    fflush(stdout);
    ck_assert_uint_eq(t.cases, expect_cases);
    ck_assert_uint_eq(t.cases, json_integer_value(json_object_get(root, "numberOfTests")));
    ck_assert_uint_gt(t.accepted_valid, 0);
    json_decref(root);
}

START_TEST(json_web_crypto)
{
    run_jose_file("json_web_crypto_test.json", 83);
}
END_TEST

START_TEST(json_web_key)
{
    run_jose_file("json_web_key_test.json", 26);
}
END_TEST

START_TEST(roca_and_weak_key_sets_refused_at_import)
{
    /* The specific refusals, by rule, not just "rejected somehow". */
    json_t *root = load_vectors("json_web_key_test.json"), *group;
    size_t gi;
    unsigned roca = 0, small = 0, e1 = 0, use = 0;
    json_array_foreach (json_object_get(root, "testGroups"), gi, group) {
        char why[WHY];
        biq_jwks *keys = group_keys(group, why);
        const char *c = json_string_value(json_object_get(group, "comment"));
        if (strcmp(c, "jws_rsa_roca_key") == 0 && keys == NULL && strstr(why, "ROCA"))
            roca++;
        if (strcmp(c, "keysize_too_small") == 0 && keys == NULL && strstr(why, "2048"))
            small++;
        if (strcmp(c, "exponentOne") == 0 && keys == NULL && strstr(why, "at least 3"))
            e1++;
        if (strstr(why, "use must be") != NULL)
            use++;
        biq_jwks_free(keys);
    }
    ck_assert_uint_eq(roca, 1);
    ck_assert_uint_eq(small, 1);
    ck_assert_uint_eq(e1, 1);
    ck_assert_uint_ge(use, 1);
    json_decref(root);
}
END_TEST

/* Every token of both JOSE files against the one RSA key set the vectors
 * publish (group jws_rsa): only the genuine RS256 token may pass (it appears
 * three times: valid in both files, and as json_web_key tcId 6, invalid
 * there only because that case's key set says use=enc). HS256 tokens, ES256,
 * "none", embedded keys and JWEs must not, whatever key set is configured. */
START_TEST(cross_check_all_tokens_against_rsa_keys)
{
    json_t *crypto = load_vectors("json_web_crypto_test.json"), *group, *tc;
    biq_jwks *rsa = NULL;
    size_t gi, ti;
    char why[WHY];
    json_array_foreach (json_object_get(crypto, "testGroups"), gi, group) {
        if (strcmp(json_string_value(json_object_get(group, "comment")), "jws_rsa") == 0)
            rsa = group_keys(group, why);
    }
    ck_assert_ptr_nonnull(rsa);
    char *genuine = NULL;
    json_array_foreach (json_object_get(crypto, "testGroups"), gi, group) {
        json_array_foreach (json_object_get(group, "tests"), ti, tc) {
            if (json_integer_value(json_object_get(tc, "tcId")) == 33)
                genuine = strdup(json_string_value(json_object_get(tc, "jws")));
        }
    }
    ck_assert_ptr_nonnull(genuine);
    static const char *const files[] = {"json_web_crypto_test.json", "json_web_key_test.json"};
    unsigned accepted = 0, total = 0;
    for (size_t f = 0; f < 2; f++) {
        json_t *root = load_vectors(files[f]);
        json_array_foreach (json_object_get(root, "testGroups"), gi, group) {
            json_array_foreach (json_object_get(group, "tests"), ti, tc) {
                bool is_jwe;
                char *token = case_token(tc, &is_jwe);
                uint8_t payload[PAYLOAD_MAX];
                size_t plen;
                biq_auth_reason r;
                total++;
                if (biq_jws_verify(rsa, token, strlen(token), payload, sizeof payload, &plen, &r) ==
                    BIQ_OK) {
                    accepted++;
                    ck_assert_str_eq(token, genuine);
                }
                free(token);
            }
        }
        json_decref(root);
    }
    printf("wycheproof cross-check: %u tokens against the RS256 key set, %u accepted "
           "(all three the genuine RS256 token)\n",
           total, accepted);
    fflush(stdout);
    ck_assert_uint_eq(total, 109);
    ck_assert_uint_eq(accepted, 3);
    free(genuine);
    biq_jwks_free(rsa);
    json_decref(crypto);
}
END_TEST

/* RFC 7520 §4.1 (JOSE cookbook, "RSA v1.5 Signature"): the published
 * token verifies with the published public key (Figure 3), and becomes
 * unverifiable under any one-character change of its signing input. */
#define RFC7520_KID "bilbo.baggins@hobbiton.example"
static const char RFC7520_N[] =
    "n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_"
    "AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-"
    "OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_"
    "vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw";
static const char RFC7520_JWS[] =
    "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9."
    "SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250"
    "byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcg"
    "d2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4."
    "MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmKZopdHM1O2U4mwzJdQx996ivp83xugl"
    "II7PNDi84wnB-BDkoBwA78185hX-Es4JIwmDLJK3lfWRa-XtL0RnltuYv746iYTh_qHRD68BNt1uSNCrUCTJDt5aAE6x8w"
    "W1Kt9eRo4QPocSadnHXFxnt8Is9UzpERV0ePPQdLuW3IS_de3xyIrDaLGdjluPxUAhb6L2aXic1U12podGU0KLUQSE_oI-"
    "ZnmKJ3F4uOZDnd6QZWJushZ41Axf_fcIe8u9ipH84ogoree7vjbU5y18kDquDg";

START_TEST(rfc7520_cookbook_rs256)
{
    json_t *set = json_pack("{s:[{s:s,s:s,s:s,s:s,s:s}]}", "keys", "kty", "RSA", "kid", RFC7520_KID,
                            "use", "sig", "n", RFC7520_N, "e", "AQAB");
    char *text = json_dumps(set, 0), why[WHY];
    biq_jwks *keys = NULL;
    ck_assert_msg(biq_jwks_parse(text, strlen(text), &keys, why, sizeof why) == BIQ_OK, "%s", why);
    uint8_t payload[PAYLOAD_MAX];
    size_t plen;
    biq_auth_reason r;
    ck_assert_int_eq(
        biq_jws_verify(keys, RFC7520_JWS, strlen(RFC7520_JWS), payload, sizeof payload, &plen, &r),
        BIQ_OK);
    ck_assert_uint_eq(plen, 167);
    ck_assert_int_eq(memcmp(payload, "It\xe2\x80\x99s a dangerous business, Frodo", 34), 0);
    /* Signed, but not a FIT: the claims layer refuses it. */
    biq_fit_policy p;
    biq_tenant_ctx ctx;
    biq_fit_policy_init(&p, "ari:cloud:ecosystem::app/x", 1764300000);
    ck_assert_int_eq(biq_fit_verify(keys, &p, RFC7520_JWS, strlen(RFC7520_JWS), &ctx, &r),
                     BIQ_ERR_UNAUTHORIZED);
    ck_assert_int_eq(r, BIQ_AUTH_CLAIMS);
    /* Any letter of the signing input flipped in case breaks it. */
    char *m = strdup(RFC7520_JWS);
    size_t input_len = (size_t)(strrchr(m, '.') - m);
    for (size_t i = 0; i < input_len; i++) {
        char c = m[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
            continue;
        m[i] = (char)(c ^ 0x20);
        ck_assert_int_ne(biq_jws_verify(keys, m, strlen(m), payload, sizeof payload, &plen, &r),
                         BIQ_OK);
        m[i] = c;
    }
    printf("RFC 7520 4.1: RS256 cookbook token verified, its %zu signing-input letters each "
           "break it\n",
           input_len);
    fflush(stdout);
    free(m);
    free(text);
    json_decref(set);
    biq_jwks_free(keys);
}
END_TEST

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex) / 2;
    ck_assert_uint_le(n, cap);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return n;
}

static EVP_PKEY *group_rsa_key(const json_t *group)
{
    const json_t *pk = json_object_get(group, "publicKey");
    uint8_t n[HEX_MAX], e[HEX_MAX];
    size_t nl = unhex(json_string_value(json_object_get(pk, "modulus")), n, sizeof n);
    size_t el = unhex(json_string_value(json_object_get(pk, "publicExponent")), e, sizeof e);
    size_t skip = 0;
    while (skip < nl && n[skip] == 0) /* DER-style sign byte */
        skip++;
    EVP_PKEY *key = NULL;
    ck_assert_int_eq(biq_rsa_public_from_be(n + skip, nl - skip, e, el, &key), BIQ_OK);
    return key;
}

/* Our key-set rules on the same key, from the vector's own JWK. */
static void group_jwk_imports(const json_t *group)
{
    json_t *set = json_pack("{s:[O]}", "keys", json_object_get(group, "keyJwk"));
    char *text = json_dumps(set, 0), why[WHY];
    biq_jwks *jwks = NULL;
    ck_assert_msg(biq_jwks_parse(text, strlen(text), &jwks, why, sizeof why) == BIQ_OK, "%s", why);
    biq_jwks_free(jwks);
    free(text);
    json_decref(set);
}

START_TEST(rsa_pkcs1_sha256_raw)
{
    json_t *root = load_vectors("rsa_signature_2048_sha256_test.json"), *group, *tc;
    size_t gi, ti;
    tally t;
    memset(&t, 0, sizeof t);
    json_array_foreach (json_object_get(root, "testGroups"), gi, group) {
        EVP_PKEY *key = group_rsa_key(group);
        biq_rsa_verifier *v = NULL;
        /* One prepared verifier serves the whole group, as a key-set key
         * serves every token: no case may leave state behind for the next. */
        ck_assert_int_eq(biq_rsa_verifier_new(key, &v), BIQ_OK);
        ck_assert_uint_eq(biq_rsa_verifier_modulus_bytes(v), biq_rsa_modulus_bytes(key));
        group_jwk_imports(group);
        json_array_foreach (json_object_get(group, "tests"), ti, tc) {
            static uint8_t msg[HEX_MAX], sig[HEX_MAX];
            const char *result = json_string_value(json_object_get(tc, "result"));
            long id = (long)json_integer_value(json_object_get(tc, "tcId"));
            size_t ml = unhex(json_string_value(json_object_get(tc, "msg")), msg, sizeof msg);
            size_t sl = unhex(json_string_value(json_object_get(tc, "sig")), sig, sizeof sig);
            biq_err err = biq_rsa_verify_pkcs1_sha256(key, msg, ml, sig, sl);
            ck_assert_msg(err == BIQ_OK || err == BIQ_ERR_UNAUTHORIZED, "tcId %ld: %s", id,
                          biq_strerror(err));
            ck_assert_msg(biq_rsa_verifier_verify(v, msg, ml, sig, sl) == err,
                          "tcId %ld: the prepared verifier disagrees", id);
            t.cases++;
            if (strcmp(result, "valid") == 0) {
                ck_assert_msg(err == BIQ_OK, "tcId %ld: refused a valid signature", id);
                t.accepted_valid++;
            } else if (strcmp(result, "invalid") == 0) {
                ck_assert_msg(err != BIQ_OK, "tcId %ld: accepted an invalid signature", id);
                t.rejected_invalid++;
            } else {
                t.acceptable++;
                note(&t, "acceptable: tcId", id, err == BIQ_OK ? "accepted" : "refused");
            }
        }
        biq_rsa_verifier_free(v);
        EVP_PKEY_free(key);
    }
    printf("wycheproof rsa_signature_2048_sha256_test.json (raw RSASSA-PKCS1-v1_5 layer):\n"
           "  %u cases: %u valid accepted, %u invalid refused, %u acceptable\n%s",
           t.cases, t.accepted_valid, t.rejected_invalid, t.acceptable, t.notes);
    fflush(stdout);
    ck_assert_uint_eq(t.cases, 259);
    ck_assert_uint_eq(t.cases, json_integer_value(json_object_get(root, "numberOfTests")));
    json_decref(root);
}
END_TEST

/* A verifier is only made from an RSA key, and a missing one verifies
 * nothing. */
START_TEST(rsa_verifier_refuses_what_is_not_rsa)
{
    biq_rsa_verifier *v = NULL;
    const uint8_t msg[] = "m", sig[256] = {0};
    EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    ck_assert_ptr_nonnull(ec);
    ck_assert_int_eq(biq_rsa_verifier_new(NULL, &v), BIQ_ERR_INVALID);
    ck_assert_ptr_null(v);
    ck_assert_int_eq(biq_rsa_verifier_new(ec, &v), BIQ_ERR_INVALID);
    ck_assert_ptr_null(v);
    ck_assert_int_eq(biq_rsa_verify_pkcs1_sha256(ec, msg, 1, sig, sizeof sig),
                     BIQ_ERR_UNAUTHORIZED);
    ck_assert_int_eq(biq_rsa_verifier_verify(NULL, msg, 1, sig, sizeof sig), BIQ_ERR_UNAUTHORIZED);
    ck_assert_uint_eq(biq_rsa_verifier_modulus_bytes(NULL), 0);
    biq_rsa_verifier_free(NULL);
    EVP_PKEY_free(ec);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("wycheproof");
    TCase *tc = tcase_create("vectors");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, json_web_crypto);
    tcase_add_test(tc, json_web_key);
    tcase_add_test(tc, roca_and_weak_key_sets_refused_at_import);
    tcase_add_test(tc, cross_check_all_tokens_against_rsa_keys);
    tcase_add_test(tc, rsa_verifier_refuses_what_is_not_rsa);
    tcase_add_test(tc, rsa_pkcs1_sha256_raw);
    tcase_add_test(tc, rfc7520_cookbook_rs256);
    suite_add_tcase(s, tc);
    return s;
}
