/* fit_sign.h - TEST-ONLY minting of Forge Invocation Tokens.
 *
 * Linked into test binaries only (tests/support), never into build/biq:
 * the product has no way to make or bypass a token. Integration tests
 * generate a key, write its public JWKS for the server under test
 * (BIQ_JWKS_FILE), and sign tokens of exactly the FIT shape of platform.md.
 *
 * Every function returns NULL / false on failure (after printing why to
 * stderr); strings returned are malloc'd and freed by the caller with
 * free(). Keys are OpenSSL EVP_PKEYs freed with EVP_PKEY_free().
 * Thread-safe (no shared state), not constant-time, not for production.
 */
#ifndef BIQ_TEST_FIT_SIGN_H
#define BIQ_TEST_FIT_SIGN_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { FIT_SIGN_LIFETIME_S = 25 }; /* exp = iat + 25, as Forge does */

/* A fresh RSA-2048 key pair (EVP_PKEY_Q_keygen). */
EVP_PKEY *fit_sign_keygen(void);

/* {"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":kid,"n":..,"e":..}]}
 * for n keys (public parts only). */
char *fit_sign_jwks_multi(EVP_PKEY *const *keys, const char *const *kids, size_t n);

/* The same for one key. */
char *fit_sign_jwks(EVP_PKEY *key, const char *kid);

/* Writes fit_sign_jwks(key, kid) to path. */
bool fit_sign_write_jwks_file(EVP_PKEY *key, const char *kid, const char *path);

/* base64url (no padding) of len bytes. */
char *fit_sign_b64url(const void *data, size_t len);

/* A compact JWS: b64url(header) "." b64url(payload) "." b64url(RS256 signature),
 * header and payload used byte for byte as given (any text, valid JSON or not). */
char *fit_sign_compact(EVP_PKEY *key, const char *header, const char *payload);

/* The same with explicit lengths (bytes may include NULs). */
char *fit_sign_compact_n(EVP_PKEY *key, const void *header, size_t header_len, const void *payload,
                         size_t payload_len);

/* What a convenience FIT carries. NULL strings are left out of the token. */
typedef struct fit_claims {
    const char *app_id;          /* aud and app.id */
    const char *installation_id; /* app.installationId */
    const char *issuer;          /* iss, default forge/invocation-token */
    int64_t iat;                 /* nbf = iat; exp = iat + exp_offset */
    int64_t exp_offset;          /* default FIT_SIGN_LIFETIME_S */
    const char *project_id;      /* context.extension.project (jira:projectPage) */
    const char *project_key;
    const char *issue_id; /* context.extension.issue (jira:issuePanel) */
    const char *issue_key;
    const char *principal; /* the user's account id; NULL for app calls */
    bool no_context;       /* events: no context claim at all */
    const char *module_type; /* app.module.type; NULL: jira:projectPage or jira:issuePanel */
    const char *module_key;  /* app.module.key and context.moduleKey; NULL: as the type */
    bool no_project;         /* a context.extension without a project (jira:adminPage) */
} fit_claims;

/* Fills c with a valid UI call for a test app and installation at time now:
 * app ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000000a1,
 * installation ari:cloud:ecosystem::installation/00000000-0000-4000-8000-0000000000b1,
 * project 10000 / "FLOW", principal "557058:test-user". */
void fit_claims_default(fit_claims *c, int64_t now);

/* The FIT payload JSON of platform.md for c (iss, aud, iat, nbf, exp, jti of
 * 40 hex, app{id, installationId, apiBaseUrl, environment{type,id},
 * module{type,key}}, context{cloudId, siteUrl, moduleKey,
 * extension{project{id,key,type}} or {issue{id,key,type}, project{...}}},
 * principal). */
char *fit_sign_forge_payload(const fit_claims *c);

/* A signed FIT with header {"alg":"RS256","kid":kid,"typ":"JWT"}. */
char *fit_sign_forge_token(EVP_PKEY *key, const char *kid, const fit_claims *c);

#endif
