/* fuzz_claims.c - the FIT claims validator (auth/fit.h) at a fixed clock.
 *
 * The input is the token payload. A fresh RSA-2048 key pair is generated
 * once in LLVMFuzzerInitialize (tests/support/fit_sign.h, test-only) and
 * every input is signed with it under a fixed, valid header, so that each
 * execution gets past the signature and exercises the claim rules: times
 * (exp, nbf, iat as integers or reals), aud (string or array), iss, app,
 * installationId, context and the bounded copies into biq_tenant_ctx.
 *
 * Properties: a refused token leaves the context all zero with a claim-level
 * reason; an accepted one has every field NUL-terminated, the expected app,
 * a tenant, and exp > now.
 */
#include <string.h>

#include "auth/fit.h"
#include "auth/jwks.h"
#include "fit_sign.h"
#include "fuzz.h"

static const char HEADER[] = "{\"alg\":\"RS256\",\"kid\":\"fuzz-claims\",\"typ\":\"JWT\"}";

static EVP_PKEY *key;
static biq_jwks *keys;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char why[BIQ_JWKS_WHY_MIN];
    (void)argc;
    (void)argv;
    key = fit_sign_keygen();
    char *jwks = key != NULL ? fit_sign_jwks(key, "fuzz-claims") : NULL;
    if (jwks == NULL || biq_jwks_parse(jwks, strlen(jwks), &keys, why, sizeof why) != BIQ_OK) {
        fprintf(stderr, "fuzz_claims: cannot build the key set\n");
        abort();
    }
    free(jwks);
    return 0;
}

static bool terminated(const char *field, size_t cap)
{
    return memchr(field, '\0', cap) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    biq_fit_policy p;
    biq_tenant_ctx ctx;
    biq_auth_reason why = BIQ_AUTH_OK;
    if (size > BIQ_FIT_TOKEN_MAX / 2)
        return 0; /* the token would be TOO_LONG before any claim is read */
    char *token = fit_sign_compact_n(key, HEADER, sizeof HEADER - 1, data, size);
    FUZZ_CHECK(token != NULL);
    biq_fit_policy_init(&p, FUZZ_APP_ID, FUZZ_NOW);
    biq_err err = biq_fit_verify(keys, &p, token, strlen(token), &ctx, &why);
    if (err == BIQ_OK) {
        FUZZ_CHECK(why == BIQ_AUTH_OK && ctx.exp > FUZZ_NOW);
        FUZZ_CHECK(strcmp(ctx.app_id, FUZZ_APP_ID) == 0 && ctx.tenant_id[0] != '\0');
        FUZZ_CHECK(terminated(ctx.tenant_id, sizeof ctx.tenant_id) &&
                   terminated(ctx.environment, sizeof ctx.environment) &&
                   terminated(ctx.api_base_url, sizeof ctx.api_base_url) &&
                   terminated(ctx.module_key, sizeof ctx.module_key) &&
                   terminated(ctx.cloud_id, sizeof ctx.cloud_id) &&
                   terminated(ctx.site_url, sizeof ctx.site_url) &&
                   terminated(ctx.project_id, sizeof ctx.project_id) &&
                   terminated(ctx.project_key, sizeof ctx.project_key) &&
                   terminated(ctx.issue_id, sizeof ctx.issue_id) &&
                   terminated(ctx.issue_key, sizeof ctx.issue_key) &&
                   terminated(ctx.principal, sizeof ctx.principal) &&
                   terminated(ctx.jti, sizeof ctx.jti));
    } else {
        const unsigned char *b = (const unsigned char *)&ctx;
        for (size_t i = 0; i < sizeof ctx; i++)
            FUZZ_CHECK(b[i] == 0);
        /* The signature is good: only payload-level reasons are possible,
         * except for an empty payload (an empty segment is MALFORMED). */
        if (size == 0)
            FUZZ_CHECK(why == BIQ_AUTH_MALFORMED);
        else
            FUZZ_CHECK(why >= BIQ_AUTH_EXPIRED && why <= BIQ_AUTH_CLAIMS);
    }
    free(token);
    return 0;
}
