/* auth_bench.c - Forge token verifications per second on one thread: the
 * whole check (strict parsing, header policy, key lookup, RSA-2048 verify,
 * claims) against the raw RSA verify rate that `openssl speed rsa2048`
 * reports, which scripts/bench.sh prints beside it.
 *
 * Usage: auth_bench [--seconds N]. Links tests/support/fit_sign.c to mint
 * a real token with a fresh key (bench code, not production).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/fit.h"
#include "auth/jwks.h"
#include "fit_sign.h"

enum { DEFAULT_SECONDS = 3, CHECK_EVERY = 256 };

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    const char kid[] = "forge/invocation-token/wf-bench";
    double seconds = DEFAULT_SECONDS;
    char why[256];
    biq_jwks *keys = NULL;
    fit_claims c;
    int status = 1;

    if (argc == 3 && strcmp(argv[1], "--seconds") == 0)
        seconds = strtod(argv[2], NULL);
    EVP_PKEY *key = fit_sign_keygen();
    char *jwks = fit_sign_jwks(key, kid);
    int64_t at = (int64_t)time(NULL);
    fit_claims_default(&c, at);
    char *token = fit_sign_forge_token(key, kid, &c);
    if (jwks == NULL || token == NULL ||
        biq_jwks_parse(jwks, strlen(jwks), &keys, why, sizeof why) != BIQ_OK) {
        fprintf(stderr, "auth_bench: set-up failed: %s\n", why);
        goto out;
    }
    biq_fit_policy policy;
    biq_fit_policy_init(&policy, c.app_id, at);
    biq_tenant_ctx ctx;
    biq_auth_reason reason;
    size_t n = 0, len = strlen(token);
    double start = now_s(), elapsed = 0;
    do {
        for (int i = 0; i < CHECK_EVERY; i++, n++) {
            if (biq_fit_verify(keys, &policy, token, len, &ctx, &reason) != BIQ_OK) {
                fprintf(stderr, "auth_bench: token rejected (%s)\n", biq_auth_reason_name(reason));
                goto out;
            }
        }
        elapsed = now_s() - start;
    } while (elapsed < seconds);
    printf("verifications %zu in %.2f s: %.0f/s (token %zu bytes)\n", n, elapsed,
           (double)n / elapsed, len);
    status = 0;
out:
    biq_jwks_free(keys);
    free(token);
    free(jwks);
    EVP_PKEY_free(key);
    return status;
}
