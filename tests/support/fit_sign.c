/* fit_sign.c - test-only FIT minting (see fit_sign.h). Uses OpenSSL and
 * jansson directly rather than the product's code, so that a bug in the
 * verifier's helpers cannot hide behind the same bug in the signer. */
#include "fit_sign.h"

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_APP_ID "ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000000a1"
#define TEST_INSTALLATION "ari:cloud:ecosystem::installation/00000000-0000-4000-8000-0000000000b1"

enum { RSA_BITS = 2048, JTI_BYTES = 20, BN_BYTES_MAX = 1024 };

static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void complain(const char *what)
{
    fprintf(stderr, "fit_sign: %s failed\n", what);
    ERR_print_errors_fp(stderr);
}

char *fit_sign_b64url(const void *data, size_t len)
{
    const unsigned char *in = data;
    char *out = malloc(len / 3 * 4 + 5);
    size_t o = 0;
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < len; i += 3) {
        unsigned long w = (unsigned long)in[i] << 16;
        if (i + 1 < len)
            w |= (unsigned long)in[i + 1] << 8;
        if (i + 2 < len)
            w |= in[i + 2];
        out[o++] = B64URL[w >> 18 & 63];
        out[o++] = B64URL[w >> 12 & 63];
        if (i + 1 < len)
            out[o++] = B64URL[w >> 6 & 63];
        if (i + 2 < len)
            out[o++] = B64URL[w & 63];
    }
    out[o] = '\0';
    return out;
}

EVP_PKEY *fit_sign_keygen(void)
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)RSA_BITS);
    if (key == NULL)
        complain("EVP_PKEY_Q_keygen");
    return key;
}

static char *bn_param_b64(EVP_PKEY *key, const char *name)
{
    BIGNUM *bn = NULL;
    unsigned char buf[BN_BYTES_MAX];
    char *out = NULL;
    if (EVP_PKEY_get_bn_param(key, name, &bn) != 1 || BN_num_bytes(bn) > (int)sizeof buf) {
        complain("EVP_PKEY_get_bn_param");
        goto out;
    }
    out = fit_sign_b64url(buf, (size_t)BN_bn2bin(bn, buf));
out:
    BN_free(bn);
    return out;
}

static json_t *public_jwk(EVP_PKEY *key, const char *kid)
{
    char *n = bn_param_b64(key, OSSL_PKEY_PARAM_RSA_N);
    char *e = bn_param_b64(key, OSSL_PKEY_PARAM_RSA_E);
    json_t *jwk = NULL;
    if (n != NULL && e != NULL)
        jwk = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "kty", "RSA", "use", "sig", "alg", "RS256",
                        "kid", kid, "n", n, "e", e);
    free(n);
    free(e);
    return jwk;
}

char *fit_sign_jwks_multi(EVP_PKEY *const *keys, const char *const *kids, size_t n)
{
    json_t *arr = json_array();
    char *out = NULL;
    for (size_t i = 0; arr != NULL && i < n; i++) {
        json_t *jwk = public_jwk(keys[i], kids[i]);
        if (jwk == NULL || json_array_append_new(arr, jwk) != 0)
            goto out;
    }
    json_t *root = json_pack("{s:o}", "keys", arr);
    arr = NULL;
    if (root != NULL)
        out = json_dumps(root, JSON_COMPACT);
    json_decref(root);
out:
    json_decref(arr);
    return out;
}

char *fit_sign_jwks(EVP_PKEY *key, const char *kid)
{
    return fit_sign_jwks_multi(&key, &kid, 1);
}

bool fit_sign_write_jwks_file(EVP_PKEY *key, const char *kid, const char *path)
{
    char *json = fit_sign_jwks(key, kid);
    FILE *f = json != NULL ? fopen(path, "w") : NULL;
    bool ok = f != NULL && fputs(json, f) >= 0;
    if (f != NULL && fclose(f) != 0)
        ok = false;
    if (!ok)
        fprintf(stderr, "fit_sign: cannot write %s\n", path);
    free(json);
    return ok;
}

static char *sign_input(EVP_PKEY *key, const char *input, size_t len)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    unsigned char sig[BN_BYTES_MAX];
    size_t sig_len = sizeof sig;
    char *out = NULL;
    if (md == NULL || EVP_DigestSignInit_ex(md, &pctx, "SHA256", NULL, NULL, key, NULL) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1 ||
        EVP_DigestSign(md, sig, &sig_len, (const unsigned char *)input, len) != 1) {
        complain("EVP_DigestSign");
        goto out;
    }
    out = fit_sign_b64url(sig, sig_len);
out:
    EVP_MD_CTX_free(md);
    return out;
}

char *fit_sign_compact_n(EVP_PKEY *key, const void *header, size_t header_len, const void *payload,
                         size_t payload_len)
{
    char *h = fit_sign_b64url(header, header_len), *p = fit_sign_b64url(payload, payload_len);
    char *input = NULL, *sig = NULL, *token = NULL;
    size_t input_len, token_len;
    if (h == NULL || p == NULL)
        goto out;
    input_len = strlen(h) + 1 + strlen(p);
    if ((input = malloc(input_len + 1)) == NULL)
        goto out;
    snprintf(input, input_len + 1, "%s.%s", h, p);
    if ((sig = sign_input(key, input, input_len)) == NULL)
        goto out;
    token_len = input_len + 1 + strlen(sig);
    if ((token = malloc(token_len + 1)) != NULL)
        snprintf(token, token_len + 1, "%s.%s", input, sig);
out:
    free(h);
    free(p);
    free(input);
    free(sig);
    return token;
}

char *fit_sign_compact(EVP_PKEY *key, const char *header, const char *payload)
{
    return fit_sign_compact_n(key, header, strlen(header), payload, strlen(payload));
}

void fit_claims_default(fit_claims *c, int64_t now)
{
    memset(c, 0, sizeof *c);
    c->app_id = TEST_APP_ID;
    c->installation_id = TEST_INSTALLATION;
    c->issuer = "forge/invocation-token";
    c->iat = now;
    c->exp_offset = FIT_SIGN_LIFETIME_S;
    c->project_id = "10000";
    c->project_key = "FLOW";
    c->principal = "557058:test-user";
}

/* Adds key: value when value is not NULL. */
static int set_opt(json_t *obj, const char *key, const char *value)
{
    return value == NULL ? 0 : json_object_set_new(obj, key, json_string(value));
}

static bool is_issue(const fit_claims *c)
{
    return c->issue_id != NULL || c->issue_key != NULL;
}

static const char *module_type(const fit_claims *c)
{
    if (c->module_type != NULL)
        return c->module_type;
    return is_issue(c) ? "jira:issuePanel" : "jira:projectPage";
}

static const char *module_key(const fit_claims *c)
{
    if (c->module_key != NULL)
        return c->module_key;
    return is_issue(c) ? "biq-issue-panel" : "biq-project-page";
}

static json_t *app_claim(const fit_claims *c)
{
    json_t *app =
        json_pack("{s:s?,s:s,s:{s:s,s:s},s:{s:s,s:s}}", "id", c->app_id, "apiBaseUrl",
                  "https://api.atlassian.com/ex/jira/6c2a6f2e-0000-4000-8000-0000000000c1",
                  "environment", "type", "DEVELOPMENT", "id",
                  "ari:cloud:ecosystem::environment/00000000-0000-4000-8000-0000000000a1/"
                  "00000000-0000-4000-8000-0000000000e1",
                  "module", "type", module_type(c), "key", module_key(c));
    if (app != NULL && set_opt(app, "installationId", c->installation_id) != 0) {
        json_decref(app);
        app = NULL;
    }
    return app;
}

static json_t *context_claim(const fit_claims *c)
{
    json_t *ext = json_object(), *project = json_object(), *issue = NULL;
    int rc = set_opt(project, "id", c->project_id) | set_opt(project, "key", c->project_key) |
             json_object_set_new(project, "type", json_string("software"));
    if (c->issue_id != NULL || c->issue_key != NULL) {
        issue = json_object();
        rc |= set_opt(issue, "id", c->issue_id) | set_opt(issue, "key", c->issue_key) |
              json_object_set_new(issue, "type", json_string("Story"));
        rc |= json_object_set_new(ext, "issue", issue);
    }
    if (c->no_project)
        json_decref(project);
    else
        rc |= json_object_set_new(ext, "project", project);
    json_t *ctx =
        json_pack("{s:s,s:s,s:s,s:o}", "cloudId", "6c2a6f2e-0000-4000-8000-0000000000c1", "siteUrl",
                  "https://example-flow.atlassian.net", "moduleKey",
                  module_key(c), "extension", ext);
    if (rc != 0) {
        json_decref(ctx);
        return NULL;
    }
    return ctx;
}

static char *random_jti(void)
{
    unsigned char raw[JTI_BYTES];
    char *hex = malloc(2 * JTI_BYTES + 1);
    if (hex == NULL || RAND_bytes(raw, sizeof raw) != 1) {
        free(hex);
        return NULL;
    }
    for (size_t i = 0; i < JTI_BYTES; i++)
        snprintf(hex + 2 * i, 3, "%02x", raw[i]);
    return hex;
}

char *fit_sign_forge_payload(const fit_claims *c)
{
    char *jti = random_jti(), *out = NULL;
    json_t *claims =
        json_pack("{s:s?,s:s?,s:I,s:I,s:I,s:s?,s:o?}", "iss", c->issuer, "aud", c->app_id, "iat",
                  (json_int_t)c->iat, "nbf", (json_int_t)c->iat, "exp",
                  (json_int_t)(c->iat + c->exp_offset), "jti", jti, "app", app_claim(c));
    if (claims == NULL)
        goto out;
    if (!c->no_context && json_object_set_new(claims, "context", context_claim(c)) != 0)
        goto out;
    if (set_opt(claims, "principal", c->principal) != 0)
        goto out;
    out = json_dumps(claims, JSON_COMPACT);
out:
    if (out == NULL)
        fprintf(stderr, "fit_sign: cannot build the FIT payload\n");
    json_decref(claims);
    free(jti);
    return out;
}

char *fit_sign_forge_token(EVP_PKEY *key, const char *kid, const fit_claims *c)
{
    char *payload = fit_sign_forge_payload(c), *token = NULL;
    json_t *hdr = json_pack("{s:s,s:s,s:s}", "alg", "RS256", "kid", kid, "typ", "JWT");
    char *header = hdr != NULL ? json_dumps(hdr, JSON_COMPACT) : NULL;
    if (payload != NULL && header != NULL)
        token = fit_sign_compact(key, header, payload);
    json_decref(hdr);
    free(header);
    free(payload);
    return token;
}
