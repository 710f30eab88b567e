/* fit.h - the Forge Invocation Token verifier (security.md §1).
 *
 * Two layers, both pure functions of their arguments (the clock is injected
 * through the policy; no time(), no globals), so any number of threads may
 * call them at once with a shared, immutable biq_jwks:
 *   - biq_jws_verify: compact JWS, RS256 only, checked in security.md's
 *     order: three non-empty segments; strict base64url; header JSON without
 *     duplicate members, an object, `alg` exactly "RS256", none of crit, b64,
 *     jwk, jku, x5u, x5c, zip, enc; `kid` a short printable string; key
 *     lookup; signature length equal to the modulus size; RSASSA-PKCS1-v1_5
 *     SHA-256 over the signing input. Nothing in the token chooses the key
 *     or the algorithm.
 *   - biq_fit_verify: the above, then (only then) the payload parsed without
 *     duplicate members and the FIT claims checked, filling biq_tenant_ctx.
 * biq_auth_from_header adds the Authorization header rules in front.
 *
 * Time rules (seconds): exp must be > now (no leeway: a FIT lives ~25 s);
 * nbf, when present, <= now + skew; iat present, >= now - max_age and
 * <= now + skew. NumericDates may be JSON integers or finite reals.
 *
 * Nothing here logs, and nothing copies the token into an error message.
 */
#ifndef BIQ_AUTH_FIT_H
#define BIQ_AUTH_FIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/jwks.h"
#include "auth/tenant.h"
#include "common/err.h"

#define BIQ_FIT_ISSUER "forge/invocation-token"

enum {
    BIQ_FIT_AUTH_HEADER_MAX = 8 * 1024, /* whole Authorization value; a FIT is 1-2 KiB */
    BIQ_FIT_TOKEN_MAX = BIQ_FIT_AUTH_HEADER_MAX,
    BIQ_FIT_MAX_AGE_S = 180, /* iat at most 3 minutes old */
    BIQ_FIT_SKEW_S = 30,     /* allowed clock skew into the future */
    BIQ_FIT_KID_MAX = BIQ_JWKS_KID_MAX,
    BIQ_FIT_AUD_MAX = 16, /* members of an aud array */
};

/* Why a token was refused. Values are stable metric label indexes; names
 * come from biq_auth_reason_name(). */
typedef enum biq_auth_reason {
    BIQ_AUTH_OK = 0,
    BIQ_AUTH_MISSING,          /* no Authorization header */
    BIQ_AUTH_MULTIPLE_HEADERS, /* more than one Authorization header */
    BIQ_AUTH_SCHEME,           /* not "Bearer <token>" */
    BIQ_AUTH_TOO_LONG,         /* header over BIQ_FIT_AUTH_HEADER_MAX */
    BIQ_AUTH_MALFORMED,        /* not three non-empty strict base64url segments */
    BIQ_AUTH_BAD_HEADER,    /* JOSE header: not an object, duplicates, forbidden member, bad kid */
    BIQ_AUTH_ALG,           /* alg is not exactly RS256 */
    BIQ_AUTH_UNKNOWN_KID,   /* kid not in the key set (watch for rotations) */
    BIQ_AUTH_SIGNATURE,     /* wrong length or does not verify */
    BIQ_AUTH_EXPIRED,       /* exp <= now */
    BIQ_AUTH_NOT_YET_VALID, /* nbf > now + skew */
    BIQ_AUTH_IAT,           /* iat too old or in the future */
    BIQ_AUTH_AUDIENCE,      /* aud (or app.id) is not our app */
    BIQ_AUTH_ISSUER,        /* iss is not forge/invocation-token */
    BIQ_AUTH_TENANT,        /* app.installationId missing or malformed */
    BIQ_AUTH_CLAIMS,        /* payload not an object, duplicates, ill-typed or too long claim */
    BIQ_AUTH_INTERNAL,      /* out of memory, crypto failure or bad policy */
    BIQ_AUTH_REASON__COUNT
} biq_auth_reason;

/* What the verifier accepts. Plain data, owned by the caller; build one per
 * request with biq_fit_policy_init (the clock changes). */
typedef struct biq_fit_policy {
    const char *app_id; /* required: the expected aud, ari:cloud:ecosystem::app/<uuid> */
    const char *issuer; /* required: BIQ_FIT_ISSUER */
    int64_t now;        /* seconds since the epoch, from the caller's clock */
    int64_t max_age_s;  /* 0..BIQ_FIT_MAX_AGE_S */
    int64_t skew_s;     /* 0..BIQ_FIT_SKEW_S */
} biq_fit_policy;

/* Fills p with app_id (borrowed, must outlive p), BIQ_FIT_ISSUER, now and
 * the maximum age and skew above. */
void biq_fit_policy_init(biq_fit_policy *p, const char *app_id, int64_t now);

/* The stable snake_case name of a reason ("ok", "missing", "alg", ...):
 * static, never NULL ("unknown" for out-of-range values), thread-safe. */
const char *biq_auth_reason_name(biq_auth_reason reason);

/* All names indexed by reason (static array of BIQ_AUTH_REASON__COUNT),
 * for metric tables; *n receives the count. */
const char *const *biq_auth_reason_names(size_t *n);

/* Verifies the compact JWS token[0..len) (no NUL needed) against keys, up to
 * and including the signature, and decodes its payload into
 * payload[0..cap), length in *payload_len. Returns BIQ_OK;
 * BIQ_ERR_UNAUTHORIZED with *reason set (MALFORMED, BAD_HEADER, ALG,
 * UNKNOWN_KID, SIGNATURE, TOO_LONG); BIQ_ERR_TOO_LARGE when cap is too small
 * (cap >= len always suffices); BIQ_ERR_NOMEM / BIQ_ERR_CRYPTO with reason
 * INTERNAL. The payload is untrusted until this returns BIQ_OK. */
biq_err biq_jws_verify(const biq_jwks *keys, const char *token, size_t len, uint8_t *payload,
                       size_t cap, size_t *payload_len, biq_auth_reason *reason);

/* Verifies a FIT: biq_jws_verify, then the claims (see top of file and
 * security.md §1). On BIQ_OK every field of *out is filled (absent optional
 * claims are empty strings) and *reason is BIQ_AUTH_OK. Otherwise *out is
 * all zero and the result is BIQ_ERR_UNAUTHORIZED with *reason saying why,
 * or BIQ_ERR_NOMEM / BIQ_ERR_CRYPTO / BIQ_ERR_CONFIG (invalid policy) with
 * reason INTERNAL. Every failure is a 401/5xx: never fall back to a
 * weaker check. */
biq_err biq_fit_verify(const biq_jwks *keys, const biq_fit_policy *policy, const char *token,
                       size_t len, biq_tenant_ctx *out, biq_auth_reason *reason);

/* The HTTP entry point: count is how many Authorization headers the request
 * had and value the first one as a NUL-terminated string (NULL when none).
 * Checks, in order: exactly one header (MISSING, MULTIPLE_HEADERS), the
 * "Bearer " scheme (scheme name case-insensitive, RFC 7235; SCHEME), the
 * value at most BIQ_FIT_AUTH_HEADER_MAX bytes (TOO_LONG), then
 * biq_fit_verify on the token. Same results and ownership as
 * biq_fit_verify. */
biq_err biq_auth_from_header(const biq_jwks *keys, const biq_fit_policy *policy, unsigned count,
                             const char *value, biq_tenant_ctx *out, biq_auth_reason *reason);


/* What a successful verification proves beyond the tenant context, for the
 * verified-token cache (auth/token_cache.h): the time claims as checked
 * (NumericDates as floor/ceiling, see fit.c) and the kid of the key that
 * verified the signature. */
typedef struct biq_fit_verified {
    int64_t exp;    /* floor of exp */
    int64_t nbf_hi; /* ceiling of nbf; meaningful only when has_nbf */
    int64_t iat_lo; /* floor of iat */
    int64_t iat_hi; /* ceiling of iat */
    bool has_nbf;
    char kid[BIQ_FIT_KID_MAX + 1];
} biq_fit_verified;

/* biq_fit_verify, and on BIQ_OK also fills *info (non-NULL). On failure
 * *info is all zero. Same results and ownership as biq_fit_verify. */
biq_err biq_fit_verify_info(const biq_jwks *keys, const biq_fit_policy *policy, const char *token,
                            size_t len, biq_tenant_ctx *out, biq_auth_reason *reason,
                            biq_fit_verified *info);

/* The time rules of the top of this file applied to times already taken
 * from a verified token, in biq_fit_verify's order (exp, nbf, iat), against
 * policy's clock, maximum age and skew: BIQ_AUTH_OK, BIQ_AUTH_EXPIRED,
 * BIQ_AUTH_NOT_YET_VALID or BIQ_AUTH_IAT. policy must pass the policy checks
 * of biq_fit_verify (callers verify it first). */
biq_auth_reason biq_fit_times_check(const biq_fit_verified *info, const biq_fit_policy *policy);

/* The Authorization header rules of biq_auth_from_header without the token
 * check: BIQ_OK with token[0..*len) the bearer token inside value, or
 * BIQ_ERR_UNAUTHORIZED with *reason MISSING, MULTIPLE_HEADERS, SCHEME or
 * TOO_LONG. */
biq_err biq_auth_bearer(unsigned count, const char *value, const char **token, size_t *len,
                        biq_auth_reason *reason);

/* True when policy is one biq_fit_verify accepts (app_id and issuer set,
 * max_age and skew within bounds). */
bool biq_fit_policy_valid(const biq_fit_policy *policy);

#endif
