/* test_fit.c - the FIT verifier: the token matrix of the issue (each token
 * accepted, or refused with the right reason), the header rules, the
 * tenant context, and deterministic mutation loops over a valid token. The
 * clock is fixed: no test depends on the time it runs. */
#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/fit.h"
#include "auth/jwks.h"
#include "fit_sign.h"
#include "testsupport.h"

#define APP_ID "ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000000a1"
#define INSTALL "ari:cloud:ecosystem::installation/00000000-0000-4000-8000-0000000000b1"
#define KID_A "forge/invocation-token/wf-aaaaaaaa-0000-4000-8000-000000000001"
#define KID_B "forge/invocation-token/wf-bbbbbbbb-0000-4000-8000-000000000002"

static const int64_t NOW = 1764300000; /* 2025-11-28T03:20:00Z, fixed */

enum { SIG_B64_LEN = 342, BIG = 16384 };

/* Made once in the parent process; every forked test inherits them. */
static EVP_PKEY *key_a, *key_b, *key_other;
static biq_jwks *jwks;

static void setup(void)
{
    key_a = fit_sign_keygen();
    key_b = fit_sign_keygen();
    key_other = fit_sign_keygen();
    EVP_PKEY *keys[2] = {key_a, key_b};
    const char *kids[2] = {KID_A, KID_B};
    char *text = fit_sign_jwks_multi(keys, kids, 2), why[256];
    if (text == NULL || biq_jwks_parse(text, strlen(text), &jwks, why, sizeof why) != BIQ_OK)
        abort();
    free(text);
}

static void teardown(void)
{
    biq_jwks_free(jwks);
    EVP_PKEY_free(key_a);
    EVP_PKEY_free(key_b);
    EVP_PKEY_free(key_other);
}

/* ---- helpers -------------------------------------------------------------- */

static biq_auth_reason check_at(const char *token, size_t len, int64_t now, biq_tenant_ctx *ctx)
{
    biq_fit_policy p;
    biq_auth_reason r = BIQ_AUTH_OK;
    biq_fit_policy_init(&p, APP_ID, now);
    biq_err e = biq_fit_verify(jwks, &p, token, len, ctx, &r);
    ck_assert_int_eq(e, r == BIQ_AUTH_OK ? BIQ_OK : BIQ_ERR_UNAUTHORIZED);
    return r;
}

static biq_auth_reason check(const char *token)
{
    biq_tenant_ctx ctx;
    return check_at(token, strlen(token), NOW, &ctx);
}

#define EXPECT(token_expr, want)                                                                   \
    do {                                                                                           \
        char *t_ = (token_expr);                                                                   \
        ck_assert_ptr_nonnull(t_);                                                                 \
        biq_auth_reason r_ = check(t_);                                                            \
        ck_assert_msg(r_ == (want), "line %d: got %s, want %s", __LINE__,                          \
                      biq_auth_reason_name(r_), biq_auth_reason_name(want));                       \
        free(t_);                                                                                  \
    } while (0)

static char *dump(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

static json_t *claims_default(void)
{
    fit_claims c;
    fit_claims_default(&c, NOW);
    char *text = fit_sign_forge_payload(&c);
    json_t *j = json_loads(text, 0, NULL);
    free(text);
    ck_assert_ptr_nonnull(j);
    return j;
}

static char *header(const char *alg, const char *kid)
{
    return dump(json_pack("{s:s,s:s,s:s}", "alg", alg, "kid", kid, "typ", "JWT"));
}

/* Signs header text and payload text with key. */
static char *sign_with(EVP_PKEY *key, const char *hdr, const char *payload)
{
    return fit_sign_compact(key, hdr, payload);
}

/* A token of the default header (RS256, KID_A) over claims (consumed). */
static char *token_of(json_t *claims)
{
    char *hdr = header("RS256", KID_A), *payload = dump(claims);
    char *t = sign_with(key_a, hdr, payload);
    free(hdr);
    free(payload);
    return t;
}

/* A token with header object hdr (consumed) over the default claims. */
static char *token_with_header(json_t *hdr, EVP_PKEY *key)
{
    char *h = dump(hdr), *payload = dump(claims_default());
    char *t = sign_with(key, h, payload);
    free(h);
    free(payload);
    return t;
}

static char *valid_token(void)
{
    return token_of(claims_default());
}

static char *cat(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 1);
    memcpy(s, a, la);
    memcpy(s + la, b, lb + 1);
    return s;
}

/* The token with segment idx (0..2) replaced by seg. */
static char *replace_segment(const char *token, int idx, const char *seg)
{
    const char *d1 = strchr(token, '.'), *d2 = strchr(d1 + 1, '.');
    const char *start[3] = {token, d1 + 1, d2 + 1};
    const char *end[3] = {d1, d2, token + strlen(token)};
    char *out = malloc(strlen(token) + strlen(seg) + 1);
    size_t o = 0;
    for (int i = 0; i < 3; i++) {
        const char *s = i == idx ? seg : start[i];
        size_t n = i == idx ? strlen(seg) : (size_t)(end[i] - start[i]);
        memcpy(out + o, s, n);
        o += n;
        if (i < 2)
            out[o++] = '.';
    }
    out[o] = '\0';
    return out;
}

static void set_path(json_t *claims, const char *obj, const char *member, json_t *value)
{
    json_t *parent = obj != NULL ? json_object_get(claims, obj) : claims;
    ck_assert_ptr_nonnull(parent);
    if (value == NULL)
        json_object_del(parent, member);
    else
        json_object_set_new(parent, member, value);
}

/* A token whose claims are the defaults with one member changed (NULL
 * value: removed). obj is NULL (top level), "app" or "context". */
static char *token_edit(const char *obj, const char *member, json_t *value)
{
    json_t *c = claims_default();
    set_path(c, obj, member, value);
    return token_of(c);
}

/* Token with explicit iat, nbf (omitted when < 0) and exp. */
static char *token_times(int64_t iat, int64_t nbf, int64_t exp)
{
    json_t *c = claims_default();
    json_object_set_new(c, "iat", json_integer(iat));
    json_object_set_new(c, "exp", json_integer(exp));
    if (nbf < 0)
        json_object_del(c, "nbf");
    else
        json_object_set_new(c, "nbf", json_integer(nbf));
    return token_of(c);
}

static char *sign_raw(EVP_PKEY *key, const char *md, int padding, const char *input)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    unsigned char sig[1024];
    size_t sig_len = sizeof sig;
    ck_assert_int_eq(EVP_DigestSignInit_ex(ctx, &pctx, md, NULL, NULL, key, NULL), 1);
    ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_padding(pctx, padding), 1);
    ck_assert_int_eq(
        EVP_DigestSign(ctx, sig, &sig_len, (const unsigned char *)input, strlen(input)), 1);
    EVP_MD_CTX_free(ctx);
    return fit_sign_b64url(sig, sig_len);
}

/* header.payload (default claims) signed with an arbitrary algorithm. */
static char *token_alg(const char *alg, const char *md, int padding)
{
    char *h = header(alg, KID_A), *p = dump(claims_default());
    char *hb = fit_sign_b64url(h, strlen(h)), *pb = fit_sign_b64url(p, strlen(p));
    char *input = malloc(strlen(hb) + strlen(pb) + 2);
    snprintf(input, strlen(hb) + strlen(pb) + 2, "%s.%s", hb, pb);
    char *sig = sign_raw(key_a, md, padding, input), *dot = cat(input, "."), *t = cat(dot, sig);
    free(h); free(p); free(hb); free(pb); free(input); free(sig); free(dot);
    return t;
}

/* header.payload with an HMAC-SHA256 tag keyed by secret. */
static char *token_hs256(const void *secret, size_t secret_len)
{
    char *h = header("HS256", KID_A), *p = dump(claims_default());
    char *hb = fit_sign_b64url(h, strlen(h)), *pb = fit_sign_b64url(p, strlen(p));
    char *dot = cat(hb, "."), *input = cat(dot, pb);
    unsigned char mac[64];
    size_t mac_len = 0;
    ck_assert_ptr_nonnull(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, secret, secret_len,
                                    (const unsigned char *)input, strlen(input), mac, sizeof mac,
                                    &mac_len));
    char *mb = fit_sign_b64url(mac, mac_len), *dot2 = cat(input, "."), *t = cat(dot2, mb);
    free(h); free(p); free(hb); free(pb); free(dot); free(input); free(mb); free(dot2);
    return t;
}

/* ---- accepted tokens and the tenant context ----------------------------- */

START_TEST(accepts_project_page_and_fills_context)
{
    char *t = valid_token();
    biq_tenant_ctx ctx;
    ck_assert_int_eq(check_at(t, strlen(t), NOW, &ctx), BIQ_AUTH_OK);
    ck_assert_str_eq(ctx.tenant_id, INSTALL);
    ck_assert_str_eq(ctx.app_id, APP_ID);
    ck_assert_str_eq(ctx.environment, "DEVELOPMENT");
    ck_assert_str_eq(ctx.api_base_url,
                     "https://api.atlassian.com/ex/jira/6c2a6f2e-0000-4000-8000-0000000000c1");
    ck_assert_str_eq(ctx.module_key, "biq-project-page");
    ck_assert_str_eq(ctx.cloud_id, "6c2a6f2e-0000-4000-8000-0000000000c1");
    ck_assert_str_eq(ctx.site_url, "https://example-flow.atlassian.net");
    ck_assert_str_eq(ctx.project_id, "10000");
    ck_assert_str_eq(ctx.project_key, "FLOW");
    ck_assert_str_eq(ctx.issue_id, "");
    ck_assert_str_eq(ctx.issue_key, "");
    ck_assert_str_eq(ctx.principal, "557058:test-user");
    ck_assert_uint_eq(strlen(ctx.jti), 40);
    ck_assert_int_eq(ctx.exp, NOW + 25);
    free(t);
}
END_TEST

START_TEST(accepts_issue_panel_event_and_alternatives)
{
    fit_claims c;
    biq_tenant_ctx ctx;
    fit_claims_default(&c, NOW);
    c.issue_id = "10042";
    c.issue_key = "FLOW-42";
    char *t = fit_sign_forge_token(key_a, KID_A, &c);
    ck_assert_int_eq(check_at(t, strlen(t), NOW, &ctx), BIQ_AUTH_OK);
    ck_assert_str_eq(ctx.issue_id, "10042");
    ck_assert_str_eq(ctx.issue_key, "FLOW-42");
    ck_assert_str_eq(ctx.project_key, "FLOW");
    free(t);

    /* An event: no context, no principal, signed by the second key. */
    fit_claims_default(&c, NOW);
    c.no_context = true;
    c.principal = NULL;
    t = fit_sign_forge_token(key_b, KID_B, &c);
    ck_assert_int_eq(check_at(t, strlen(t), NOW, &ctx), BIQ_AUTH_OK);
    ck_assert_str_eq(ctx.tenant_id, INSTALL);
    ck_assert_str_eq(ctx.project_key, "");
    ck_assert_str_eq(ctx.principal, "");
    ck_assert_str_eq(ctx.module_key, "biq-project-page");
    free(t);

    /* app.installation.id when installationId is absent. */
    json_t *cl = claims_default(), *app = json_object_get(cl, "app");
    json_object_del(app, "installationId");
    json_object_set_new(app, "installation", json_pack("{s:s}", "id", INSTALL));
    t = token_of(cl);
    ck_assert_int_eq(check_at(t, strlen(t), NOW, &ctx), BIQ_AUTH_OK);
    ck_assert_str_eq(ctx.tenant_id, INSTALL);
    free(t);
    /* installationId wins when both are there. */
    cl = claims_default();
    json_object_set_new(json_object_get(cl, "app"), "installation",
                        json_pack("{s:s}", "id", "something else"));
    t = token_of(cl);
    ck_assert_int_eq(check_at(t, strlen(t), NOW, &ctx), BIQ_AUTH_OK);
    ck_assert_str_eq(ctx.tenant_id, INSTALL);
    free(t);

    EXPECT(token_edit(NULL, "aud", json_pack("[s,s]", "other", APP_ID)), BIQ_AUTH_OK);
    EXPECT(token_edit("app", "id", NULL), BIQ_AUTH_OK);
    EXPECT(token_edit(NULL, "exp", json_real((double)NOW + 10.5)), BIQ_AUTH_OK);
    /* Numeric project ids are taken as text. */
    json_t *c2 = claims_default();
    json_object_set_new(
        json_object_get(json_object_get(json_object_get(c2, "context"), "extension"), "project"),
        "id", json_integer(10000));
    t = token_of(c2);
    ck_assert_int_eq(check_at(t, strlen(t), NOW, &ctx), BIQ_AUTH_OK);
    ck_assert_str_eq(ctx.project_id, "10000");
    free(t);
}
END_TEST

/* ---- header and algorithm attacks ------------------------------------------ */

START_TEST(refuses_other_algorithms)
{
    /* alg none: the usual empty signature is malformed before alg is read;
     * with any signature bytes, alg is refused. */
    char *good = valid_token(), *none_hdr = header("none", KID_A);
    char *nh = fit_sign_b64url(none_hdr, strlen(none_hdr)), *t = replace_segment(good, 0, nh);
    EXPECT(cat(t, ""), BIQ_AUTH_ALG);
    char *stripped = strdup(t);
    strrchr(stripped, '.')[1] = '\0';
    EXPECT(stripped, BIQ_AUTH_MALFORMED);
    free(good); free(none_hdr); free(nh); free(t);

    EXPECT(token_with_header(json_pack("{s:s,s:s}", "alg", "None", "kid", KID_A), key_a),
           BIQ_AUTH_ALG);
    EXPECT(token_with_header(json_pack("{s:s,s:s}", "alg", "rs256", "kid", KID_A), key_a),
           BIQ_AUTH_ALG);
    EXPECT(token_with_header(json_pack("{s:s,s:s}", "alg", "RS256 ", "kid", KID_A), key_a),
           BIQ_AUTH_ALG);
    EXPECT(token_with_header(json_pack("{s:i,s:s}", "alg", 256, "kid", KID_A), key_a),
           BIQ_AUTH_ALG);
    EXPECT(token_with_header(json_pack("{s:s}", "kid", KID_A), key_a), BIQ_AUTH_ALG);
    EXPECT(token_with_header(json_pack("{s:[s],s:s}", "alg", "RS256", "kid", KID_A), key_a),
           BIQ_AUTH_ALG);

    /* Real signatures of other algorithms by the right key. */
    EXPECT(token_alg("PS256", "SHA256", RSA_PKCS1_PSS_PADDING), BIQ_AUTH_ALG);
    EXPECT(token_alg("RS512", "SHA512", RSA_PKCS1_PADDING), BIQ_AUTH_ALG);
    /* ... and the same signatures under a header that says RS256. */
    EXPECT(token_alg("RS256", "SHA512", RSA_PKCS1_PADDING), BIQ_AUTH_SIGNATURE);
    EXPECT(token_alg("RS256", "SHA256", RSA_PKCS1_PSS_PADDING), BIQ_AUTH_SIGNATURE);
    EXPECT(token_alg("RS256", "SHA256", RSA_PKCS1_PADDING), BIQ_AUTH_OK);
}
END_TEST

START_TEST(refuses_hs256_with_public_key_as_secret)
{
    char *jwks_text = fit_sign_jwks(key_a, KID_A);
    EXPECT(token_hs256(jwks_text, strlen(jwks_text)), BIQ_AUTH_ALG);
    free(jwks_text);
    BIGNUM *n = NULL;
    unsigned char nb[512];
    ck_assert_int_eq(EVP_PKEY_get_bn_param(key_a, OSSL_PKEY_PARAM_RSA_N, &n), 1);
    int nlen = BN_bn2bin(n, nb);
    BN_free(n);
    EXPECT(token_hs256(nb, (size_t)nlen), BIQ_AUTH_ALG);
    unsigned char *der = NULL;
    int dlen = i2d_PUBKEY(key_a, &der);
    ck_assert_int_gt(dlen, 0);
    EXPECT(token_hs256(der, (size_t)dlen), BIQ_AUTH_ALG);
    OPENSSL_free(der);
}
END_TEST

START_TEST(refuses_kid_problems_and_foreign_keys)
{
    EXPECT(token_with_header(json_pack("{s:s,s:s}", "alg", "RS256", "kid", "forge/unknown"), key_a),
           BIQ_AUTH_UNKNOWN_KID);
    EXPECT(token_with_header(json_pack("{s:s}", "alg", "RS256"), key_a), BIQ_AUTH_BAD_HEADER);
    EXPECT(token_with_header(json_pack("{s:s,s:s}", "alg", "RS256", "kid", ""), key_a),
           BIQ_AUTH_BAD_HEADER);
    EXPECT(token_with_header(json_pack("{s:s,s:i}", "alg", "RS256", "kid", 1), key_a),
           BIQ_AUTH_BAD_HEADER);
    EXPECT(token_with_header(json_pack("{s:s,s:s}", "alg", "RS256", "kid", "a\tb"), key_a),
           BIQ_AUTH_BAD_HEADER);
    char long_kid[BIQ_FIT_KID_MAX + 2];
    memset(long_kid, 'k', sizeof long_kid - 1);
    long_kid[sizeof long_kid - 1] = '\0';
    EXPECT(token_with_header(json_pack("{s:s,s:s}", "alg", "RS256", "kid", long_kid), key_a),
           BIQ_AUTH_BAD_HEADER);
    /* Signed by a key we do not know, claiming a kid we do. */
    EXPECT(token_with_header(json_pack("{s:s,s:s}", "alg", "RS256", "kid", KID_A), key_other),
           BIQ_AUTH_SIGNATURE);
    /* Signed by our other key under the wrong kid. */
    EXPECT(token_with_header(json_pack("{s:s,s:s}", "alg", "RS256", "kid", KID_A), key_b),
           BIQ_AUTH_SIGNATURE);
}
END_TEST

START_TEST(refuses_embedded_keys_and_critical_members)
{
    char *jwk_text = fit_sign_jwks(key_other, KID_A);
    json_t *root = json_loads(jwk_text, 0, NULL);
    json_t *jwk = json_array_get(json_object_get(root, "keys"), 0);
    free(jwk_text);
    /* The attacker's own key embedded, token signed with it. */
    EXPECT(token_with_header(json_pack("{s:s,s:s,s:O}", "alg", "RS256", "kid", KID_A, "jwk", jwk),
                             key_other),
           BIQ_AUTH_BAD_HEADER);
    /* Even with a genuine signature, these members refuse the token. */
    static const char *const members[] = {"jwk", "jku", "x5u", "x5c", "crit", "b64", "zip", "enc"};
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
        json_t *h = json_pack("{s:s,s:s}", "alg", "RS256", "kid", KID_A);
        json_object_set_new(h, members[i], json_string("https://attacker.example/x"));
        EXPECT(token_with_header(h, key_a), BIQ_AUTH_BAD_HEADER);
    }
    EXPECT(token_with_header(
               json_pack("{s:s,s:s,s:[s]}", "alg", "RS256", "kid", KID_A, "crit", "exp"), key_a),
           BIQ_AUTH_BAD_HEADER);
    EXPECT(token_with_header(json_pack("{s:s,s:s,s:b}", "alg", "RS256", "kid", KID_A, "b64", 0),
                             key_a),
           BIQ_AUTH_BAD_HEADER);
    json_decref(root);
}
END_TEST

START_TEST(refuses_duplicate_members)
{
    char *payload = dump(claims_default());
    char *t =
        sign_with(key_a, "{\"alg\":\"RS256\",\"kid\":\"" KID_A "\",\"alg\":\"RS256\"}", payload);
    EXPECT(t, BIQ_AUTH_BAD_HEADER);
    t = sign_with(key_a, "{\"alg\":\"none\",\"kid\":\"" KID_A "\",\"alg\":\"RS256\"}", payload);
    EXPECT(t, BIQ_AUTH_BAD_HEADER);
    /* Duplicate claim: a second iss, and a second installationId nested in app. */
    char *hdr = header("RS256", KID_A);
    size_t n = strlen(payload);
    char *dup = malloc(n + 64);
    snprintf(dup, n + 64, "{\"iss\":\"evil\",%s", payload + 1);
    EXPECT(sign_with(key_a, hdr, dup), BIQ_AUTH_CLAIMS);
    char *app = strstr(payload, "\"app\":{");
    ck_assert_ptr_nonnull(app);
    size_t head = (size_t)(app - payload) + strlen("\"app\":{");
    snprintf(dup, n + 64, "%.*s\"installationId\":\"x\",%s", (int)head, payload, payload + head);
    EXPECT(sign_with(key_a, hdr, dup), BIQ_AUTH_CLAIMS);
    free(dup);
    free(hdr);
    free(payload);
}
END_TEST

START_TEST(refuses_header_not_an_object)
{
    char *payload = dump(claims_default());
    static const char *const hdrs[] = {"[]",
                                       "\"RS256\"",
                                       "1",
                                       "null",
                                       "not json",
                                       "{",
                                       "{\"alg\":\"RS256\",\"kid\":\"" KID_A "\"} x"};
    for (size_t i = 0; i < sizeof hdrs / sizeof hdrs[0]; i++)
        EXPECT(sign_with(key_a, hdrs[i], payload), BIQ_AUTH_BAD_HEADER);
    free(payload);
}
END_TEST

/* ---- encoding and structure --------------------------------------------- */

START_TEST(refuses_encoding_tricks)
{
    char *t = valid_token();
    size_t n = strlen(t);
    EXPECT(cat(t, "="), BIQ_AUTH_MALFORMED);
    EXPECT(cat(t, "=="), BIQ_AUTH_MALFORMED);
    EXPECT(cat(t, "x"), BIQ_AUTH_MALFORMED);
    EXPECT(cat(t, " "), BIQ_AUTH_MALFORMED);
    EXPECT(cat(t, "\n"), BIQ_AUTH_MALFORMED);
    EXPECT(cat(t, ".x"), BIQ_AUTH_MALFORMED);
    EXPECT(cat(t, "."), BIQ_AUTH_MALFORMED);
    EXPECT(cat(" ", t), BIQ_AUTH_MALFORMED);
    /* Padding on the header segment. */
    char *d = strchr(t, '.');
    char *padded = malloc(n + 3);
    snprintf(padded, n + 3, "%.*s==%s", (int)(d - t), t, d);
    EXPECT(padded, BIQ_AUTH_MALFORMED);
    /* Non-canonical last character: the signature is 342 characters, the last
     * carrying 4 unused bits; setting one decodes (leniently) to the same
     * bytes, and must be refused. */
    const char *sig = strrchr(t, '.') + 1;
    ck_assert_uint_eq(strlen(sig), SIG_B64_LEN);
    char *nc = strdup(t);
    char *last = nc + n - 1;
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    *last = A[(strchr(A, *last) - A) | 1];
    EXPECT(nc, BIQ_AUTH_MALFORMED);
    /* Standard-alphabet spellings. */
    char *std = strdup(t);
    for (char *p = std; *p; p++)
        *p = *p == '-' ? '+' : *p == '_' ? '/' : *p;
    if (strcmp(std, t) != 0)
        EXPECT(std, BIQ_AUTH_MALFORMED);
    else
        free(std);
    /* Q=== segments anywhere. */
    EXPECT(strdup("Q===.Q===.Q==="), BIQ_AUTH_MALFORMED);
    for (int i = 0; i < 3; i++)
        EXPECT(replace_segment(t, i, "Q==="), BIQ_AUTH_MALFORMED);
    for (int i = 0; i < 3; i++)
        EXPECT(replace_segment(t, i, "Q"), BIQ_AUTH_MALFORMED);
    free(t);
}
END_TEST

START_TEST(refuses_wrong_segment_counts)
{
    char *t = valid_token();
    char *d2 = strrchr(t, '.');
    char *two = strndup(t, (size_t)(d2 - t));
    EXPECT(two, BIQ_AUTH_MALFORMED);
    char *sig = strdup(d2 + 1);
    char *four1 = cat(t, "."), *four = cat(four1, sig);
    EXPECT(four, BIQ_AUTH_MALFORMED);
    free(four1); free(sig);
    for (int i = 0; i < 3; i++)
        EXPECT(replace_segment(t, i, ""), BIQ_AUTH_MALFORMED);
    static const char *const shapes[] = {"", ".", "..", "...", "a.b", "a..b", ".a.b", "a.b."};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        EXPECT(strdup(shapes[i]), BIQ_AUTH_MALFORMED);
    /* JWS JSON serialization is not a compact token. */
    EXPECT(strdup("{\"payload\":\"Zm9v\",\"signatures\":[]}"), BIQ_AUTH_MALFORMED);
    free(t);
}
END_TEST

START_TEST(refuses_tampering_and_truncation)
{
    char *t = valid_token();
    /* Tampered payload: one character of the payload segment changed to
     * another valid one. */
    char *p = strchr(t, '.') + 10;
    char *tampered = strdup(t);
    tampered[p - t] = *p == 'A' ? 'B' : 'A';
    EXPECT(tampered, BIQ_AUTH_SIGNATURE);
    /* A payload re-signed by nobody: claims changed, signature kept. */
    json_t *c = claims_default();
    json_object_set_new(json_object_get(c, "app"), "installationId",
                        json_string("ari:cloud:ecosystem::installation/"
                                    "99999999-0000-4000-8000-000000000999"));
    char *pj = dump(c), *pb = fit_sign_b64url(pj, strlen(pj));
    EXPECT(replace_segment(t, 1, pb), BIQ_AUTH_SIGNATURE);
    free(pj); free(pb);
    /* Truncated signature text: refused, as malformed base64url when the
     * cut leaves a non-canonical last character, else for its length. */
    size_t n = strlen(t);
    EXPECT(strndup(t, n - 2), BIQ_AUTH_SIGNATURE);
    for (size_t cut = 1; cut < 8; cut++) {
        char *tr = strndup(t, n - cut);
        biq_auth_reason r = check(tr);
        ck_assert(r == BIQ_AUTH_SIGNATURE || r == BIQ_AUTH_MALFORMED);
        free(tr);
    }
    /* The decoded signature one byte short, or one byte longer (a leading
     * zero): canonical base64url, wrong length. */
    const char *sig = strrchr(t, '.') + 1;
    unsigned char raw[300];
    size_t len = 0;
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned long acc = 0;
    int bits = 0;
    for (const char *q = sig; *q; q++) {
        acc = acc << 6 | (unsigned long)(strchr(A, *q) - A);
        if ((bits += 6) >= 8)
            raw[1 + len++] = (unsigned char)(acc >> (bits -= 8));
    }
    ck_assert_uint_eq(len, 256);
    raw[0] = 0;
    char *longer = fit_sign_b64url(raw, len + 1), *shorter = fit_sign_b64url(raw + 1, len - 1);
    EXPECT(replace_segment(t, 2, longer), BIQ_AUTH_SIGNATURE);
    EXPECT(replace_segment(t, 2, shorter), BIQ_AUTH_SIGNATURE);
    free(longer);
    free(shorter);
    free(t);
}
END_TEST

/* ---- claims ------------------------------------------------------------------ */

START_TEST(refuses_bad_times)
{
    EXPECT(token_times(NOW - 60, NOW - 60, NOW - 35), BIQ_AUTH_EXPIRED);
    EXPECT(token_times(NOW - 10, NOW - 10, NOW), BIQ_AUTH_EXPIRED);
    EXPECT(token_times(NOW - 10, NOW - 10, NOW + 1), BIQ_AUTH_OK);
    EXPECT(token_edit(NULL, "exp", NULL), BIQ_AUTH_CLAIMS);
    EXPECT(token_edit(NULL, "exp", json_string("1764300025")), BIQ_AUTH_CLAIMS);
    EXPECT(token_edit(NULL, "exp", json_true()), BIQ_AUTH_CLAIMS);
    EXPECT(token_edit(NULL, "exp", json_null()), BIQ_AUTH_CLAIMS);
    EXPECT(token_edit(NULL, "exp", json_integer(INT64_MAX)), BIQ_AUTH_CLAIMS);
    EXPECT(token_edit(NULL, "exp", json_real((double)NOW - 0.5)), BIQ_AUTH_EXPIRED);
    /* nbf: up to the 30 s skew in the future, not beyond. */
    EXPECT(token_times(NOW, NOW + 30, NOW + 60), BIQ_AUTH_OK);
    EXPECT(token_times(NOW, NOW + 31, NOW + 60), BIQ_AUTH_NOT_YET_VALID);
    EXPECT(token_times(NOW, -1, NOW + 25), BIQ_AUTH_OK);
    EXPECT(token_edit(NULL, "nbf", json_string("0")), BIQ_AUTH_CLAIMS);
    /* iat: at most 180 s old, at most 30 s ahead. */
    EXPECT(token_times(NOW - 180, -1, NOW + 5), BIQ_AUTH_OK);
    EXPECT(token_times(NOW - 181, -1, NOW + 5), BIQ_AUTH_IAT);
    EXPECT(token_times(NOW - 181, NOW - 181, NOW + 5), BIQ_AUTH_IAT);
    EXPECT(token_times(NOW + 30, -1, NOW + 55), BIQ_AUTH_OK);
    EXPECT(token_times(NOW + 31, -1, NOW + 56), BIQ_AUTH_IAT);
    EXPECT(token_edit(NULL, "iat", NULL), BIQ_AUTH_CLAIMS);
    EXPECT(token_edit(NULL, "iat", json_string("now")), BIQ_AUTH_CLAIMS);
    EXPECT(token_edit(NULL, "iat", json_real((double)NOW - 180.5)), BIQ_AUTH_IAT);
}
END_TEST

START_TEST(refuses_audience_and_issuer)
{
    EXPECT(token_edit(NULL, "aud", json_string("ari:cloud:ecosystem::app/other")),
           BIQ_AUTH_AUDIENCE);
    EXPECT(token_edit(NULL, "aud", json_string(APP_ID "x")), BIQ_AUTH_AUDIENCE);
    EXPECT(token_edit(NULL, "aud", NULL), BIQ_AUTH_AUDIENCE);
    EXPECT(token_edit(NULL, "aud", json_integer(1)), BIQ_AUTH_AUDIENCE);
    EXPECT(token_edit(NULL, "aud", json_pack("[s]", "other")), BIQ_AUTH_AUDIENCE);
    EXPECT(token_edit(NULL, "aud", json_array()), BIQ_AUTH_AUDIENCE);
    EXPECT(token_edit("app", "id", json_string("ari:cloud:ecosystem::app/other")),
           BIQ_AUTH_AUDIENCE);
    EXPECT(token_edit(NULL, "iss", json_string("forge/invocation-token2")), BIQ_AUTH_ISSUER);
    EXPECT(token_edit(NULL, "iss", json_string("https://forge.atlassian.com")), BIQ_AUTH_ISSUER);
    EXPECT(token_edit(NULL, "iss", NULL), BIQ_AUTH_ISSUER);
    EXPECT(token_edit(NULL, "iss", json_pack("[s]", BIQ_FIT_ISSUER)), BIQ_AUTH_ISSUER);
}
END_TEST

START_TEST(refuses_bad_tenant)
{
    EXPECT(token_edit("app", "installationId", NULL), BIQ_AUTH_TENANT);
    EXPECT(token_edit("app", "installationId", json_integer(42)), BIQ_AUTH_TENANT);
    EXPECT(token_edit("app", "installationId", json_null()), BIQ_AUTH_TENANT);
    EXPECT(token_edit("app", "installationId", json_pack("{s:s}", "id", INSTALL)), BIQ_AUTH_TENANT);
    static const char *const bad[] = {
        "",
        "00000000-0000-4000-8000-0000000000b1",
        "ari:cloud:ecosystem::installation/",
        "ari:cloud:ecosystem::installation/not-a-uuid",
        "ari:cloud:ecosystem::installation/00000000-0000-4000-8000-0000000000b1\n",
        "ari:cloud:ecosystem::installation/00000000-0000-4000-8000-0000000000b1x",
        "ari:cloud:ecosystem::installation/00000000_0000-4000-8000-0000000000b1",
        "ari:cloud:ecosystem::installation/0000000g-0000-4000-8000-0000000000b1",
        "ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000000b1",
        "ARI:cloud:ecosystem::installation/00000000-0000-4000-8000-0000000000b1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        EXPECT(token_edit("app", "installationId", json_string(bad[i])), BIQ_AUTH_TENANT);
    EXPECT(token_edit(NULL, "app", NULL), BIQ_AUTH_TENANT);
    EXPECT(token_edit(NULL, "app", json_string("x")), BIQ_AUTH_TENANT);
}
END_TEST

START_TEST(refuses_claims_too_long_or_ill_typed)
{
    char s65[66], s257[258];
    memset(s65, 'p', 65);
    s65[65] = '\0';
    memset(s257, 'u', 257);
    s257[257] = '\0';
    EXPECT(token_edit(NULL, "principal", json_string(s65)), BIQ_AUTH_CLAIMS);
    s65[64] = '\0';
    EXPECT(token_edit(NULL, "principal", json_string(s65)), BIQ_AUTH_OK);
    EXPECT(token_edit("context", "siteUrl", json_string(s257)), BIQ_AUTH_CLAIMS);
    EXPECT(token_edit("context", "siteUrl", json_integer(5)), BIQ_AUTH_CLAIMS);
    EXPECT(token_edit("context", "cloudId", json_string("a\x01z")), BIQ_AUTH_CLAIMS);
    EXPECT(token_edit(NULL, "principal", json_pack("{s:s}", "id", "x")), BIQ_AUTH_CLAIMS);
    EXPECT(token_edit(NULL, "jti", json_integer(7)), BIQ_AUTH_CLAIMS);
    EXPECT(token_edit(NULL, "context", json_string("x")), BIQ_AUTH_CLAIMS);
    EXPECT(token_edit("context", "extension", json_integer(1)), BIQ_AUTH_CLAIMS);
    EXPECT(token_edit("app", "environment", json_string("PRODUCTION")), BIQ_AUTH_CLAIMS);
    EXPECT(token_edit("app", "apiBaseUrl", json_string(s257)), BIQ_AUTH_CLAIMS);
    /* Signed payloads that are not a JSON object. */
    char *hdr = header("RS256", KID_A);
    static const char *const bodies[] = {"[]", "null", "x", "{\"a\":1} {}", "\"s\""};
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++)
        EXPECT(sign_with(key_a, hdr, bodies[i]), BIQ_AUTH_CLAIMS);
    free(hdr);
}
END_TEST

START_TEST(context_zeroed_on_failure_and_policy_checked)
{
    char *t = token_edit(NULL, "iss", json_string("evil"));
    biq_tenant_ctx ctx, zero;
    biq_fit_policy p;
    biq_auth_reason r;
    memset(&zero, 0, sizeof zero);
    memset(&ctx, 0xAA, sizeof ctx);
    ck_assert_int_eq(check_at(t, strlen(t), NOW, &ctx), BIQ_AUTH_ISSUER);
    ck_assert_int_eq(memcmp(&ctx, &zero, sizeof ctx), 0);
    free(t);

    t = valid_token();
    biq_fit_policy_init(&p, NULL, NOW);
    ck_assert_int_eq(biq_fit_verify(jwks, &p, t, strlen(t), &ctx, &r), BIQ_ERR_CONFIG);
    ck_assert_int_eq(r, BIQ_AUTH_INTERNAL);
    biq_fit_policy_init(&p, "", NOW);
    ck_assert_int_eq(biq_fit_verify(jwks, &p, t, strlen(t), &ctx, &r), BIQ_ERR_CONFIG);
    biq_fit_policy_init(&p, APP_ID, NOW);
    p.max_age_s = BIQ_FIT_MAX_AGE_S + 1;
    ck_assert_int_eq(biq_fit_verify(jwks, &p, t, strlen(t), &ctx, &r), BIQ_ERR_CONFIG);
    biq_fit_policy_init(&p, APP_ID, NOW);
    p.skew_s = BIQ_FIT_SKEW_S + 1;
    ck_assert_int_eq(biq_fit_verify(jwks, &p, t, strlen(t), &ctx, &r), BIQ_ERR_CONFIG);
    biq_fit_policy_init(&p, APP_ID, NOW);
    p.issuer = NULL;
    ck_assert_int_eq(biq_fit_verify(jwks, &p, t, strlen(t), &ctx, &r), BIQ_ERR_CONFIG);
    ck_assert_int_eq(memcmp(&ctx, &zero, sizeof ctx), 0);
    /* A stricter policy is allowed: no skew, 10 s maximum age. */
    biq_fit_policy_init(&p, APP_ID, NOW + 11);
    p.max_age_s = 10;
    ck_assert_int_eq(biq_fit_verify(jwks, &p, t, strlen(t), &ctx, &r), BIQ_ERR_UNAUTHORIZED);
    ck_assert_int_eq(r, BIQ_AUTH_IAT);
    /* Same token, later clock: expired. */
    ck_assert_int_eq(check_at(t, strlen(t), NOW + 25, &ctx), BIQ_AUTH_EXPIRED);
    ck_assert_int_eq(check_at(t, strlen(t), NOW + 24, &ctx), BIQ_AUTH_OK);
    /* The length argument is honoured: no reliance on a NUL. */
    ck_assert_int_eq(check_at(t, strlen(t) - 1, NOW, &ctx), BIQ_AUTH_MALFORMED);
    /* The JWS layer alone, and its output bound. */
    uint8_t payload[BIG];
    size_t plen;
    ck_assert_int_eq(biq_jws_verify(jwks, t, strlen(t), payload, sizeof payload, &plen, &r),
                     BIQ_OK);
    ck_assert_int_eq(payload[0], '{');
    ck_assert_int_eq(biq_jws_verify(jwks, t, strlen(t), payload, 10, &plen, &r), BIQ_ERR_TOO_LARGE);
    ck_assert_uint_eq(plen, 0);
    free(t);
}
END_TEST

/* ---- the Authorization header ------------------------------------------------ */

static biq_auth_reason header_check(unsigned count, const char *value)
{
    biq_fit_policy p;
    biq_tenant_ctx ctx;
    biq_auth_reason r = BIQ_AUTH_OK;
    biq_fit_policy_init(&p, APP_ID, NOW);
    biq_err e = biq_auth_from_header(jwks, &p, count, value, &ctx, &r);
    ck_assert_int_eq(e, r == BIQ_AUTH_OK ? BIQ_OK : BIQ_ERR_UNAUTHORIZED);
    if (r == BIQ_AUTH_OK)
        ck_assert_str_eq(ctx.tenant_id, INSTALL);
    return r;
}

START_TEST(authorization_header_rules)
{
    char *t = valid_token(), *bearer = cat("Bearer ", t);
    ck_assert_int_eq(header_check(1, bearer), BIQ_AUTH_OK);
    ck_assert_int_eq(header_check(0, NULL), BIQ_AUTH_MISSING);
    ck_assert_int_eq(header_check(1, NULL), BIQ_AUTH_MISSING);
    ck_assert_int_eq(header_check(0, bearer), BIQ_AUTH_MISSING);
    ck_assert_int_eq(header_check(2, bearer), BIQ_AUTH_MULTIPLE_HEADERS);
    ck_assert_int_eq(header_check(3, bearer), BIQ_AUTH_MULTIPLE_HEADERS);
    char *basic = cat("Basic ", t), *token_only = strdup(t), *nospace = cat("Bearer", t);
    char *twospace = cat("Bearer  ", t), *lower = cat("bearer ", t), *tab = cat("Bearer\t", t);
    ck_assert_int_eq(header_check(1, basic), BIQ_AUTH_SCHEME);
    ck_assert_int_eq(header_check(1, token_only), BIQ_AUTH_SCHEME);
    ck_assert_int_eq(header_check(1, nospace), BIQ_AUTH_SCHEME);
    ck_assert_int_eq(header_check(1, tab), BIQ_AUTH_SCHEME);
    ck_assert_int_eq(header_check(1, ""), BIQ_AUTH_SCHEME);
    ck_assert_int_eq(header_check(1, "Bearer"), BIQ_AUTH_SCHEME);
    ck_assert_int_eq(header_check(1, "Bearer "), BIQ_AUTH_MALFORMED);
    ck_assert_int_eq(header_check(1, twospace), BIQ_AUTH_MALFORMED);
    ck_assert_int_eq(header_check(1, lower),
                     BIQ_AUTH_OK); /* RFC 7235: scheme is case-insensitive */
    free(basic); free(token_only); free(nospace); free(twospace); free(lower); free(tab);
    free(bearer); free(t);
}
END_TEST

/* "Bearer <token>" of a valid token, padded through an extra claim and an
 * extra header member, hpad/pad bytes long. */
static char *padded(size_t hpad, size_t pad)
{
    json_t *c = claims_default(), *h = json_pack("{s:s,s:s}", "alg", "RS256", "kid", KID_A);
    char *fill = malloc(pad + hpad + 1);
    memset(fill, 'z', pad + hpad);
    fill[pad + hpad] = '\0';
    json_object_set_new(c, "pad", json_string(fill + hpad));
    fill[hpad] = '\0';
    json_object_set_new(h, "x", json_string(fill));
    free(fill);
    char *hs = dump(h), *cs = dump(c), *t = sign_with(key_a, hs, cs), *out = cat("Bearer ", t);
    free(hs); free(cs); free(t);
    return out;
}

/* A valid "Bearer <token>" exactly total bytes long: payload and header
 * lengths each skip some values mod 4, together they reach every one. */
static char *padded_header(size_t total)
{
    char *base = padded(0, 0);
    size_t base_len = strlen(base);
    free(base);
    size_t start = (total - base_len) * 3 / 4;
    start = start > 16 ? start - 16 : 0;
    for (size_t hpad = 0; hpad < 3; hpad++)
        for (size_t pad = start; pad < start + 40; pad++) {
            char *h = padded(hpad, pad);
            if (strlen(h) == total)
                return h;
            free(h);
        }
    return NULL;
}

START_TEST(authorization_header_size_cap)
{
    char *at = padded_header(BIQ_FIT_AUTH_HEADER_MAX);
    char *over = padded_header(BIQ_FIT_AUTH_HEADER_MAX + 1);
    ck_assert_ptr_nonnull(at);
    ck_assert_ptr_nonnull(over);
    ck_assert_int_eq(header_check(1, at), BIQ_AUTH_OK);
    ck_assert_int_eq(header_check(1, over), BIQ_AUTH_TOO_LONG);
    /* A huge header is refused without reading past the cap. */
    size_t huge = 1u << 20;
    char *big = malloc(huge + 1);
    memcpy(big, "Bearer ", 7);
    memset(big + 7, 'A', huge - 7);
    big[huge] = '\0';
    ck_assert_int_eq(header_check(1, big), BIQ_AUTH_TOO_LONG);
    /* And verify() itself refuses tokens over the cap. */
    biq_tenant_ctx ctx;
    ck_assert_int_eq(check_at(big + 7, BIQ_FIT_TOKEN_MAX + 1, NOW, &ctx), BIQ_AUTH_TOO_LONG);
    free(big); free(at); free(over);
}
END_TEST

START_TEST(reason_names_are_stable)
{
    size_t n = 0;
    const char *const *names = biq_auth_reason_names(&n);
    ck_assert_uint_eq(n, BIQ_AUTH_REASON__COUNT);
    for (size_t i = 0; i < n; i++) {
        ck_assert_ptr_nonnull(names[i]);
        ck_assert_str_eq(names[i], biq_auth_reason_name((biq_auth_reason)i));
        for (const char *p = names[i]; *p; p++)
            ck_assert((*p >= 'a' && *p <= 'z') || *p == '_');
        for (size_t j = 0; j < i; j++)
            ck_assert_str_ne(names[i], names[j]);
    }
    ck_assert_str_eq(biq_auth_reason_name(BIQ_AUTH_UNKNOWN_KID), "unknown_kid");
    ck_assert_str_eq(biq_auth_reason_name(BIQ_AUTH_MULTIPLE_HEADERS), "multiple_headers");
    ck_assert_str_eq(biq_auth_reason_name(BIQ_AUTH_REASON__COUNT), "unknown");
    ck_assert_str_eq(biq_auth_reason_name((biq_auth_reason)-1), "unknown");
}
END_TEST

/* ---- mutation loops ------------------------------------------------------------ */

static void expect_refused_bytes(const char *m, size_t len)
{
    biq_tenant_ctx ctx;
    biq_fit_policy p;
    biq_auth_reason r;
    biq_fit_policy_init(&p, APP_ID, NOW);
    biq_err e = biq_fit_verify(jwks, &p, m, len, &ctx, &r);
    ck_assert_int_eq(e, BIQ_ERR_UNAUTHORIZED);
    ck_assert_int_ne(r, BIQ_AUTH_OK);
    ck_assert_int_lt(r, BIQ_AUTH_REASON__COUNT);
}

START_TEST(mutation_bit_flips)
{
    char *t = valid_token();
    size_t n = strlen(t);
    char *m = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        for (int bit = 0; bit < 8; bit++) {
            memcpy(m, t, n + 1);
            m[i] = (char)(m[i] ^ (1 << bit));
            expect_refused_bytes(m, n);
        }
    free(m);
    free(t);
}
END_TEST

START_TEST(mutation_truncations_and_extensions)
{
    char *t = valid_token();
    size_t n = strlen(t);
    for (size_t cut = 0; cut < n; cut++)
        expect_refused_bytes(t, cut); /* every proper prefix */
    for (size_t cut = 1; cut < n; cut++)
        expect_refused_bytes(t + cut, n - cut); /* every proper suffix */
    char *m = malloc(n + 2);
    static const char extra[] = "A-_=. \0";
    for (size_t i = 0; i < sizeof extra - 1; i++)
        for (size_t pos = 0; pos <= n; pos += 7) {
            memcpy(m, t, pos);
            m[pos] = extra[i];
            memcpy(m + pos + 1, t + pos, n - pos);
            expect_refused_bytes(m, n + 1);
        }
    free(m);
    free(t);
}
END_TEST

START_TEST(mutation_alphabet_swaps)
{
    /* Each character replaced by each of the standard-base64 and padding
     * characters and by the other-case letter; and every dot moved. */
    char *t = valid_token();
    size_t n = strlen(t);
    char *m = malloc(n + 1);
    static const char swaps[] = "+/=.";
    for (size_t i = 0; i < n; i++) {
        for (size_t s = 0; s < sizeof swaps - 1; s++) {
            if (t[i] == swaps[s])
                continue;
            memcpy(m, t, n + 1);
            m[i] = swaps[s];
            expect_refused_bytes(m, n);
        }
        char c = t[i];
        char other = (c >= 'a' && c <= 'z')   ? (char)(c - 32)
                     : (c >= 'A' && c <= 'Z') ? (char)(c + 32)
                     : c == '-'               ? '_'
                     : c == '_'               ? '-'
                                              : c;
        if (other != c) {
            memcpy(m, t, n + 1);
            m[i] = other;
            expect_refused_bytes(m, n);
        }
    }
    free(m);
    free(t);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("fit");
    TCase *tc = tcase_create("matrix");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, accepts_project_page_and_fills_context);
    tcase_add_test(tc, accepts_issue_panel_event_and_alternatives);
    tcase_add_test(tc, refuses_other_algorithms);
    tcase_add_test(tc, refuses_hs256_with_public_key_as_secret);
    tcase_add_test(tc, refuses_kid_problems_and_foreign_keys);
    tcase_add_test(tc, refuses_embedded_keys_and_critical_members);
    tcase_add_test(tc, refuses_duplicate_members);
    tcase_add_test(tc, refuses_header_not_an_object);
    tcase_add_test(tc, refuses_encoding_tricks);
    tcase_add_test(tc, refuses_wrong_segment_counts);
    tcase_add_test(tc, refuses_tampering_and_truncation);
    tcase_add_test(tc, refuses_bad_times);
    tcase_add_test(tc, refuses_audience_and_issuer);
    tcase_add_test(tc, refuses_bad_tenant);
    tcase_add_test(tc, refuses_claims_too_long_or_ill_typed);
    tcase_add_test(tc, context_zeroed_on_failure_and_policy_checked);
    tcase_add_test(tc, authorization_header_rules);
    tcase_add_test(tc, authorization_header_size_cap);
    tcase_add_test(tc, reason_names_are_stable);
    suite_add_tcase(s, tc);
    TCase *mut = tcase_create("mutations");
    tcase_add_unchecked_fixture(mut, setup, teardown);
    tcase_set_timeout(mut, 600);
    tcase_add_test(mut, mutation_bit_flips);
    tcase_add_test(mut, mutation_truncations_and_extensions);
    tcase_add_test(mut, mutation_alphabet_swaps);
    suite_add_tcase(s, mut);
    return s;
}
