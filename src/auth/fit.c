/* fit.c - Forge Invocation Token verification: the JWS layer, the claims
 * and the Authorization header rules (see fit.h and security.md §1). */
#include "auth/fit.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "auth/b64url.h"
#include "auth/rsa_verify.h"

#define BEARER "Bearer "
#define INSTALLATION_PREFIX "ari:cloud:ecosystem::installation/"

enum {
    SEGMENTS = 3,
    /* Decoded sizes are bounded by the token cap; these are the buffers. */
    DECODED_MAX = BIQ_FIT_TOKEN_MAX / 4 * 3 + 3,
    HEADER_JSON_MAX = 2048, /* a FIT header is ~100 bytes */
    UUID_LEN = 36,
};

/* NumericDates beyond this (year ~33 million) are nonsense; the bound keeps
 * double -> int64 conversion exact and now + skew free of overflow. */
static const int64_t NUMERIC_DATE_MAX = INT64_C(1000000000000000);

typedef struct segment {
    const char *p;
    size_t len;
} segment;

/* Header members that would let the token choose keys, change what is
 * signed, or require processing we do not do: each is a rejection. */
static const char *const FORBIDDEN_HEADER_MEMBERS[] = {"crit", "b64", "jwk", "jku",
                                                       "x5u",  "x5c", "zip", "enc"};

static const char *const REASON_NAMES[BIQ_AUTH_REASON__COUNT] = {
    [BIQ_AUTH_OK] = "ok",
    [BIQ_AUTH_MISSING] = "missing",
    [BIQ_AUTH_MULTIPLE_HEADERS] = "multiple_headers",
    [BIQ_AUTH_SCHEME] = "scheme",
    [BIQ_AUTH_TOO_LONG] = "too_long",
    [BIQ_AUTH_MALFORMED] = "malformed",
    [BIQ_AUTH_BAD_HEADER] = "bad_header",
    [BIQ_AUTH_ALG] = "alg",
    [BIQ_AUTH_UNKNOWN_KID] = "unknown_kid",
    [BIQ_AUTH_SIGNATURE] = "signature",
    [BIQ_AUTH_EXPIRED] = "expired",
    [BIQ_AUTH_NOT_YET_VALID] = "not_yet_valid",
    [BIQ_AUTH_IAT] = "iat",
    [BIQ_AUTH_AUDIENCE] = "audience",
    [BIQ_AUTH_ISSUER] = "issuer",
    [BIQ_AUTH_TENANT] = "tenant",
    [BIQ_AUTH_CLAIMS] = "claims",
    [BIQ_AUTH_INTERNAL] = "internal",
};

const char *biq_auth_reason_name(biq_auth_reason reason)
{
    if ((int)reason < 0 || reason >= BIQ_AUTH_REASON__COUNT)
        return "unknown";
    return REASON_NAMES[reason];
}

const char *const *biq_auth_reason_names(size_t *n)
{
    *n = BIQ_AUTH_REASON__COUNT;
    return REASON_NAMES;
}

void biq_fit_policy_init(biq_fit_policy *p, const char *app_id, int64_t now)
{
    p->app_id = app_id;
    p->issuer = BIQ_FIT_ISSUER;
    p->now = now;
    p->max_age_s = BIQ_FIT_MAX_AGE_S;
    p->skew_s = BIQ_FIT_SKEW_S;
}

bool biq_fit_policy_valid(const biq_fit_policy *p)
{
    return p != NULL && p->app_id != NULL && p->app_id[0] != '\0' &&
           strlen(p->app_id) <= BIQ_CLAIM_LONG_MAX && p->issuer != NULL && p->issuer[0] != '\0' &&
           p->max_age_s >= 0 && p->max_age_s <= BIQ_FIT_MAX_AGE_S && p->skew_s >= 0 &&
           p->skew_s <= BIQ_FIT_SKEW_S && p->now > 0 && p->now < NUMERIC_DATE_MAX;
}

/* ---- JWS layer ---------------------------------------------------------- */

/* Exactly three non-empty segments separated by two dots. */
static bool split(const char *token, size_t len, segment seg[SEGMENTS])
{
    size_t start = 0, n = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && token[i] != '.')
            continue;
        if (n == SEGMENTS || i == start)
            return false;
        seg[n].p = token + start;
        seg[n].len = i - start;
        n++;
        start = i + 1;
    }
    return n == SEGMENTS;
}

static bool json_str_eq(const json_t *v, const char *s)
{
    size_t n = strlen(s);
    return json_is_string(v) && json_string_length(v) == n &&
           memcmp(json_string_value(v), s, n) == 0;
}

/* Applies the header rules in security.md's order; on success *kid points
 * into hdr (valid while hdr lives). */
static biq_auth_reason check_header(const json_t *hdr, const json_t **kid)
{
    if (!json_is_object(hdr))
        return BIQ_AUTH_BAD_HEADER;
    if (!json_str_eq(json_object_get(hdr, "alg"), "RS256"))
        return BIQ_AUTH_ALG;
    for (size_t i = 0; i < sizeof FORBIDDEN_HEADER_MEMBERS / sizeof FORBIDDEN_HEADER_MEMBERS[0];
         i++)
        if (json_object_get(hdr, FORBIDDEN_HEADER_MEMBERS[i]) != NULL)
            return BIQ_AUTH_BAD_HEADER;
    *kid = json_object_get(hdr, "kid");
    if (!json_is_string(*kid) ||
        !biq_jwks_kid_valid(json_string_value(*kid), json_string_length(*kid)))
        return BIQ_AUTH_BAD_HEADER;
    return BIQ_AUTH_OK;
}

/* The decoded JOSE header (decoded once, by segments_decode). */
typedef struct header_bytes {
    uint8_t buf[HEADER_JSON_MAX];
    size_t len;
    bool fits; /* false: valid base64url but over HEADER_JSON_MAX, a bad header */
} header_bytes;

/* Parses the decoded header and finds its key; on success copies the kid
 * into kid_out (BIQ_FIT_KID_MAX + 1 bytes) unless it is NULL. */
static biq_auth_reason header_key(const biq_jwks *keys, const header_bytes *h,
                                  const biq_rsa_verifier **key, char *kid_out)
{
    json_t *hdr = NULL;
    const json_t *kid = NULL;
    biq_auth_reason why = BIQ_AUTH_BAD_HEADER;
    if (!h->fits)
        goto out;
    if ((hdr = json_loadb((const char *)h->buf, h->len, JSON_REJECT_DUPLICATES, NULL)) == NULL)
        goto out;
    if ((why = check_header(hdr, &kid)) != BIQ_AUTH_OK)
        goto out;
    *key = biq_jwks_verifier(keys, json_string_value(kid), json_string_length(kid));
    why = *key != NULL ? BIQ_AUTH_OK : BIQ_AUTH_UNKNOWN_KID;
    if (why == BIQ_AUTH_OK && kid_out != NULL) {
        size_t n = json_string_length(kid);
        if (n > BIQ_FIT_KID_MAX) {
            why = BIQ_AUTH_BAD_HEADER;
            goto out;
        }
        memcpy(kid_out, json_string_value(kid), n);
        kid_out[n] = '\0';
    }
out:
    json_decref(hdr);
    return why;
}

/* Strict base64url on every segment before anything is parsed. */
static bool segments_decode(const segment seg[SEGMENTS], header_bytes *h, uint8_t *payload,
                            size_t cap, size_t *payload_len, uint8_t *sig, size_t *sig_len)
{
    biq_err herr = biq_b64url_decode(seg[0].p, seg[0].len, h->buf, sizeof h->buf, &h->len);
    /* An oversized header is well-formed base64url refused later as a bad header. */
    if (herr == BIQ_ERR_INVALID)
        return false;
    h->fits = herr == BIQ_OK;
    return biq_b64url_decode(seg[1].p, seg[1].len, payload, cap, payload_len) == BIQ_OK &&
           biq_b64url_decode(seg[2].p, seg[2].len, sig, DECODED_MAX, sig_len) == BIQ_OK;
}

/* biq_jws_verify, also copying the verifying key's kid to kid_out (may be
 * NULL) on success. */
static biq_err jws_verify(const biq_jwks *keys, const char *token, size_t len, uint8_t *payload,
                          size_t cap, size_t *payload_len, biq_auth_reason *reason, char *kid_out)
{
    biq_err err = BIQ_ERR_UNAUTHORIZED;
    segment seg[SEGMENTS];
    uint8_t sig[DECODED_MAX];
    size_t sig_len = 0;
    header_bytes hdr;
    const biq_rsa_verifier *key = NULL;
    *payload_len = 0;
    *reason = token == NULL ? BIQ_AUTH_MALFORMED : BIQ_AUTH_TOO_LONG;
    if (token == NULL || len > BIQ_FIT_TOKEN_MAX)
        goto out;
    if (cap < biq_b64url_decoded_max(len)) {
        err = BIQ_ERR_TOO_LARGE;
        *reason = BIQ_AUTH_INTERNAL;
        goto out;
    }
    *reason = BIQ_AUTH_MALFORMED;
    if (!split(token, len, seg) ||
        !segments_decode(seg, &hdr, payload, cap, payload_len, sig, &sig_len))
        goto out;
    if ((*reason = header_key(keys, &hdr, &key, kid_out)) != BIQ_AUTH_OK)
        goto out;
    *reason = BIQ_AUTH_SIGNATURE;
    if (sig_len != biq_rsa_verifier_modulus_bytes(key))
        goto out;
    /* The signing input is the first two segments with their dot, as sent. */
    err = biq_rsa_verifier_verify(key, (const uint8_t *)token, seg[1].len + seg[0].len + 1, sig,
                                  sig_len);
    if (err == BIQ_OK)
        *reason = BIQ_AUTH_OK;
    else if (err != BIQ_ERR_UNAUTHORIZED)
        *reason = BIQ_AUTH_INTERNAL;
out:
    if (err != BIQ_OK)
        *payload_len = 0;
    return err;
}

biq_err biq_jws_verify(const biq_jwks *keys, const char *token, size_t len, uint8_t *payload,
                       size_t cap, size_t *payload_len, biq_auth_reason *reason)
{
    return jws_verify(keys, token, len, payload, cap, payload_len, reason, NULL);
}

/* ---- claims --------------------------------------------------------------- */

/* A NumericDate: a JSON integer, or a finite real given as its floor (*lo)
 * and ceiling (*hi) so that each bound is checked in the direction that
 * rejects: x >= A iff floor(x) >= A, and x <= B iff ceil(x) <= B. */
static bool numeric_date(const json_t *v, int64_t *lo, int64_t *hi)
{
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i <= (json_int_t)-NUMERIC_DATE_MAX || i >= (json_int_t)NUMERIC_DATE_MAX)
            return false;
        *lo = *hi = (int64_t)i;
        return true;
    }
    if (!json_is_real(v))
        return false;
    double d = json_real_value(v);
    if (!isfinite(d) || d <= -(double)NUMERIC_DATE_MAX || d >= (double)NUMERIC_DATE_MAX)
        return false;
    *lo = (int64_t)floor(d);
    *hi = (int64_t)ceil(d);
    return true;
}

static biq_auth_reason check_audience(const json_t *claims, const char *app_id)
{
    const json_t *aud = json_object_get(claims, "aud"), *v;
    size_t i;
    if (json_is_string(aud))
        return json_str_eq(aud, app_id) ? BIQ_AUTH_OK : BIQ_AUTH_AUDIENCE;
    if (!json_is_array(aud) || json_array_size(aud) > BIQ_FIT_AUD_MAX)
        return BIQ_AUTH_AUDIENCE;
    json_array_foreach (aud, i, v) {
        if (json_str_eq(v, app_id))
            return BIQ_AUTH_OK;
    }
    return BIQ_AUTH_AUDIENCE;
}

/* exp, nbf and iat, in that order. An absent or ill-typed exp or iat is a
 * malformed token (CLAIMS), distinct in metrics from an expired one. A
 * fractional exp counts as its floor, so exp = now + 0.5 is expired: a
 * rounding towards rejection. */
/* The three time rules, shared by check_times (a fresh token) and
 * biq_fit_times_check (a cached one) so that both apply the same bounds. */
static bool exp_ok(int64_t exp, const biq_fit_policy *p)
{
    return exp > p->now;
}

static bool nbf_ok(int64_t nbf_hi, const biq_fit_policy *p)
{
    return nbf_hi <= p->now + p->skew_s;
}

static bool iat_ok(int64_t iat_lo, int64_t iat_hi, const biq_fit_policy *p)
{
    return iat_lo >= p->now - p->max_age_s && iat_hi <= p->now + p->skew_s;
}

static biq_auth_reason check_times(const json_t *claims, const biq_fit_policy *p,
                                   biq_fit_verified *t)
{
    const json_t *nbf_v = json_object_get(claims, "nbf");
    int64_t exp_hi, nbf_lo;
    if (!numeric_date(json_object_get(claims, "exp"), &t->exp, &exp_hi))
        return BIQ_AUTH_CLAIMS;
    if (!exp_ok(t->exp, p))
        return BIQ_AUTH_EXPIRED;
    t->has_nbf = nbf_v != NULL;
    if (t->has_nbf && !numeric_date(nbf_v, &nbf_lo, &t->nbf_hi))
        return BIQ_AUTH_CLAIMS;
    if (t->has_nbf && !nbf_ok(t->nbf_hi, p))
        return BIQ_AUTH_NOT_YET_VALID;
    if (!numeric_date(json_object_get(claims, "iat"), &t->iat_lo, &t->iat_hi))
        return BIQ_AUTH_CLAIMS;
    if (!iat_ok(t->iat_lo, t->iat_hi, p))
        return BIQ_AUTH_IAT;
    return BIQ_AUTH_OK;
}

biq_auth_reason biq_fit_times_check(const biq_fit_verified *t, const biq_fit_policy *p)
{
    if (!exp_ok(t->exp, p))
        return BIQ_AUTH_EXPIRED;
    if (t->has_nbf && !nbf_ok(t->nbf_hi, p))
        return BIQ_AUTH_NOT_YET_VALID;
    if (!iat_ok(t->iat_lo, t->iat_hi, p))
        return BIQ_AUTH_IAT;
    return BIQ_AUTH_OK;
}

static bool is_uuid(const char *s, size_t len)
{
    if (len != UUID_LEN)
        return false;
    for (size_t i = 0; i < len; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        unsigned char c = (unsigned char)s[i];
        bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (dash ? c != '-' : !hex)
            return false;
    }
    return true;
}

/* app.installationId, or app.installation.id when installationId is absent
 * (platform.md): ari:cloud:ecosystem::installation/<uuid>. */
static biq_auth_reason tenant_claim(const json_t *app, char *dst, size_t cap)
{
    const json_t *v = json_object_get(app, "installationId");
    size_t prefix = strlen(INSTALLATION_PREFIX);
    if (v == NULL)
        v = json_object_get(json_object_get(app, "installation"), "id");
    if (!json_is_string(v))
        return BIQ_AUTH_TENANT;
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (len >= cap || len <= prefix || memcmp(s, INSTALLATION_PREFIX, prefix) != 0 ||
        !is_uuid(s + prefix, len - prefix))
        return BIQ_AUTH_TENANT;
    memcpy(dst, s, len);
    dst[len] = '\0';
    return BIQ_AUTH_OK;
}

/* Copies an optional claim: absent stays "", a string must fit and hold no
 * control characters; an integer is accepted where ids are concerned
 * (allow_int). Anything else, or anything too long, is a rejection, never a
 * truncation. */
static bool copy_claim_as(const json_t *parent, const char *name, char *dst, size_t cap,
                          bool allow_int)
{
    const json_t *v = json_object_get(parent, name);
    if (v == NULL)
        return true;
    if (allow_int && json_is_integer(v)) {
        int n = snprintf(dst, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return n > 0 && (size_t)n < cap;
    }
    if (!json_is_string(v) || json_string_length(v) >= cap)
        return false;
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    memcpy(dst, s, len);
    dst[len] = '\0';
    return true;
}

static bool copy_claim(const json_t *parent, const char *name, char *dst, size_t cap)
{
    return copy_claim_as(parent, name, dst, cap, false);
}

static bool copy_id(const json_t *parent, const char *name, char *dst, size_t cap)
{
    return copy_claim_as(parent, name, dst, cap, true);
}

/* An optional member that must be an object when present. */
static bool optional_object(const json_t *parent, const char *name, const json_t **out)
{
    *out = json_object_get(parent, name);
    return *out == NULL || json_is_object(*out);
}

/* *module_conflict is set when context.moduleKey names another module than
 * app.module.key: such a token is of no caller class. */
static biq_auth_reason fill_context(const json_t *claims, biq_tenant_ctx *c, bool *module_conflict)
{
    const json_t *ctx, *ext = NULL, *project = NULL, *issue = NULL;
    char ctx_key[BIQ_CLAIM_LONG_MAX + 1] = "";
    if (!optional_object(claims, "context", &ctx) || !optional_object(ctx, "extension", &ext) ||
        !optional_object(ext, "project", &project) || !optional_object(ext, "issue", &issue))
        return BIQ_AUTH_CLAIMS;
    bool ok = copy_claim(ctx, "cloudId", c->cloud_id, sizeof c->cloud_id) &&
              copy_claim(ctx, "siteUrl", c->site_url, sizeof c->site_url) &&
              copy_id(project, "id", c->project_id, sizeof c->project_id) &&
              copy_claim(project, "key", c->project_key, sizeof c->project_key) &&
              copy_id(issue, "id", c->issue_id, sizeof c->issue_id) &&
              copy_claim(issue, "key", c->issue_key, sizeof c->issue_key);
    ok = ok && copy_claim(ctx, "moduleKey", ctx_key, sizeof ctx_key);
    if (ok && c->module_key[0] == '\0')
        memcpy(c->module_key, ctx_key, sizeof ctx_key);
    else if (ok && ctx_key[0] != '\0' && strcmp(ctx_key, c->module_key) != 0)
        *module_conflict = true;
    c->has_extension = ext != NULL;
    return ok ? BIQ_AUTH_OK : BIQ_AUTH_CLAIMS;
}

static biq_auth_reason fill_app(const json_t *app, const char *app_id, biq_tenant_ctx *c)
{
    const json_t *env, *module, *id = json_object_get(app, "id");
    biq_auth_reason why = tenant_claim(app, c->tenant_id, sizeof c->tenant_id);
    if (why != BIQ_AUTH_OK)
        return why;
    /* app.id restates aud; when present it must agree. */
    if (id != NULL && !json_str_eq(id, app_id))
        return BIQ_AUTH_AUDIENCE;
    if (!optional_object(app, "environment", &env) || !optional_object(app, "module", &module))
        return BIQ_AUTH_CLAIMS;
    bool ok = copy_claim(env, "type", c->environment, sizeof c->environment) &&
              copy_claim(app, "apiBaseUrl", c->api_base_url, sizeof c->api_base_url) &&
              copy_claim(module, "type", c->module_type, sizeof c->module_type) &&
              copy_claim(module, "key", c->module_key, sizeof c->module_key);
    return ok ? BIQ_AUTH_OK : BIQ_AUTH_CLAIMS;
}

/* security.md's claim order: aud, exp/nbf/iat, iss, tenant, then the rest. */
static biq_auth_reason check_claims(const json_t *claims, const biq_fit_policy *p,
                                    biq_tenant_ctx *c, biq_fit_verified *t)
{
    biq_auth_reason why;
    bool module_conflict = false;
    const json_t *app = json_object_get(claims, "app");
    if (!json_is_object(claims))
        return BIQ_AUTH_CLAIMS;
    if ((why = check_audience(claims, p->app_id)) != BIQ_AUTH_OK ||
        (why = check_times(claims, p, t)) != BIQ_AUTH_OK)
        return why;
    if (!json_str_eq(json_object_get(claims, "iss"), p->issuer))
        return BIQ_AUTH_ISSUER;
    if (!json_is_object(app))
        return BIQ_AUTH_TENANT;
    if ((why = fill_app(app, p->app_id, c)) != BIQ_AUTH_OK ||
        (why = fill_context(claims, c, &module_conflict)) != BIQ_AUTH_OK)
        return why;
    if (!copy_claim(claims, "principal", c->principal, sizeof c->principal) ||
        !copy_claim(claims, "jti", c->jti, sizeof c->jti))
        return BIQ_AUTH_CLAIMS;
    memcpy(c->app_id, p->app_id, strlen(p->app_id) + 1);
    c->caller = module_conflict ? BIQ_CALLER_NONE : biq_caller_classify(c);
    c->exp = t->exp;
    return BIQ_AUTH_OK;
}

biq_err biq_fit_verify(const biq_jwks *keys, const biq_fit_policy *policy, const char *token,
                       size_t len, biq_tenant_ctx *out, biq_auth_reason *reason)
{
    biq_fit_verified info;
    return biq_fit_verify_info(keys, policy, token, len, out, reason, &info);
}

biq_err biq_fit_verify_info(const biq_jwks *keys, const biq_fit_policy *policy, const char *token,
                            size_t len, biq_tenant_ctx *out, biq_auth_reason *reason,
                            biq_fit_verified *info)
{
    biq_err err = BIQ_ERR_CONFIG;
    uint8_t payload[DECODED_MAX];
    size_t payload_len = 0;
    json_t *claims = NULL;
    memset(out, 0, sizeof *out);
    memset(info, 0, sizeof *info);
    *reason = BIQ_AUTH_INTERNAL;
    if (!biq_fit_policy_valid(policy))
        goto out;
    if ((err = jws_verify(keys, token, len, payload, sizeof payload, &payload_len, reason,
                          info->kid)) != BIQ_OK)
        goto out;
    err = BIQ_ERR_UNAUTHORIZED;
    *reason = BIQ_AUTH_CLAIMS;
    claims = json_loadb((const char *)payload, payload_len, JSON_REJECT_DUPLICATES, NULL);
    if (claims == NULL)
        goto out;
    if ((*reason = check_claims(claims, policy, out, info)) == BIQ_AUTH_OK)
        err = BIQ_OK;
out:
    json_decref(claims);
    if (err != BIQ_OK) {
        memset(out, 0, sizeof *out);
        memset(info, 0, sizeof *info);
    }
    return err;
}

biq_err biq_auth_bearer(unsigned count, const char *value, const char **token, size_t *len_out,
                        biq_auth_reason *reason)
{
    size_t prefix = strlen(BEARER), len;
    *token = NULL;
    *len_out = 0;
    *reason = BIQ_AUTH_MISSING;
    if (count == 0 || value == NULL)
        return BIQ_ERR_UNAUTHORIZED;
    *reason = BIQ_AUTH_MULTIPLE_HEADERS;
    if (count > 1)
        return BIQ_ERR_UNAUTHORIZED;
    *reason = BIQ_AUTH_SCHEME;
    if (strncasecmp(value, BEARER, prefix) != 0)
        return BIQ_ERR_UNAUTHORIZED;
    *reason = BIQ_AUTH_TOO_LONG;
    if ((len = strnlen(value, BIQ_FIT_AUTH_HEADER_MAX + 1)) > BIQ_FIT_AUTH_HEADER_MAX)
        return BIQ_ERR_UNAUTHORIZED;
    *token = value + prefix;
    *len_out = len - prefix;
    return BIQ_OK;
}

biq_err biq_auth_from_header(const biq_jwks *keys, const biq_fit_policy *policy, unsigned count,
                             const char *value, biq_tenant_ctx *out, biq_auth_reason *reason)
{
    const char *token;
    size_t len;
    memset(out, 0, sizeof *out);
    biq_err err = biq_auth_bearer(count, value, &token, &len, reason);
    if (err != BIQ_OK)
        return err;
    return biq_fit_verify(keys, policy, token, len, out, reason);
}
