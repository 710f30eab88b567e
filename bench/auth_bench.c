/* auth_bench.c - Forge token verifications per second on one thread: the
 * whole check (strict parsing, header policy, key lookup, RSA-2048 verify,
 * claims) against the raw RSA verify rate that `openssl speed rsa2048`
 * reports, which scripts/bench.sh prints beside it.
 *
 * The rate is per second of this thread's CPU time, as `openssl speed`
 * counts (user CPU time unless given -elapsed), so that both stay
 * comparable on a machine busy with other work; the wall-clock rate is
 * printed on a second line.
 *
 * Usage: auth_bench [--seconds N] (wall seconds to run). Links
 * tests/support/fit_sign.c to mint a real token with a fresh key (bench
 * code, not production).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/fit.h"
#include "auth/jwks.h"
#include "fit_sign.h"

enum { DEFAULT_SECONDS = 3, CHECK_EVERY = 256 };

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
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
    double start = clock_s(CLOCK_MONOTONIC), cpu_start = clock_s(CLOCK_THREAD_CPUTIME_ID);
    double elapsed = 0;
    do {
        for (int i = 0; i < CHECK_EVERY; i++, n++) {
            if (biq_fit_verify(keys, &policy, token, len, &ctx, &reason) != BIQ_OK) {
                fprintf(stderr, "auth_bench: token rejected (%s)\n", biq_auth_reason_name(reason));
                goto out;
            }
        }
        elapsed = clock_s(CLOCK_MONOTONIC) - start;
    } while (elapsed < seconds);
    double cpu = clock_s(CLOCK_THREAD_CPUTIME_ID) - cpu_start;
    /* scripts/bench.sh reads the first "N/s": keep it the only one. */
    printf("verifications %zu in %.2f s of CPU: %.0f/s (token %zu bytes)\n", n, cpu,
           (double)n / cpu, len);
    printf("wall clock: %.2f s, %.0f per second; %.1f us of CPU per verification\n", elapsed,
           (double)n / elapsed, cpu / (double)n * 1e6);
    status = 0;
out:
    biq_jwks_free(keys);
    free(token);
    free(jwks);
    EVP_PKEY_free(key);
    return status;
}
