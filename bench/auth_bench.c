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
 * Two figures: *cold*, every verification the whole check
 * (biq_fit_verify, what a token seen for the first time costs), and *warm*,
 * the same token again through the key ring's verified-token cache
 * (biq_keyring_verify: SHA-256 of the token, a cache look-up, exp/nbf/iat,
 * app, issuer, generation and kid re-checked; auth/token_cache.h).
 *
 * Usage: auth_bench [--seconds N] (wall seconds per figure). Links
 * tests/support/fit_sign.c to mint a real token with a fresh key (bench
 * code, not production).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/fit.h"
#include "auth/jwks.h"
#include "auth/keyring.h"
#include "fit_sign.h"

enum { DEFAULT_SECONDS = 3, CHECK_EVERY = 256 };

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct rate {
    size_t n;
    double cpu, wall;
} rate;

/* Verifies token for `seconds` of wall time, cold (ring NULL: the whole
 * check every time) or warm (through ring's cache). False when refused. */
static bool run(const biq_jwks *keys, biq_keyring *ring, const biq_fit_policy *policy,
                const char *token, size_t len, double seconds, rate *r)
{
    biq_tenant_ctx ctx;
    biq_auth_reason reason;
    double start = clock_s(CLOCK_MONOTONIC), cpu_start = clock_s(CLOCK_THREAD_CPUTIME_ID);
    r->n = 0;
    do {
        for (int i = 0; i < CHECK_EVERY; i++, r->n++) {
            biq_err e = ring != NULL
                            ? biq_keyring_verify(ring, policy, token, len, &ctx, &reason)
                            : biq_fit_verify(keys, policy, token, len, &ctx, &reason);
            if (e != BIQ_OK) {
                fprintf(stderr, "auth_bench: token rejected (%s)\n", biq_auth_reason_name(reason));
                return false;
            }
        }
        r->wall = clock_s(CLOCK_MONOTONIC) - start;
    } while (r->wall < seconds);
    r->cpu = clock_s(CLOCK_THREAD_CPUTIME_ID) - cpu_start;
    return true;
}

int main(int argc, char **argv)
{
    const char kid[] = "forge/invocation-token/wf-bench";
    double seconds = DEFAULT_SECONDS;
    char why[256];
    biq_jwks *keys = NULL, *ring_keys = NULL;
    biq_keyring *ring = NULL;
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
        biq_jwks_parse(jwks, strlen(jwks), &keys, why, sizeof why) != BIQ_OK ||
        biq_jwks_parse(jwks, strlen(jwks), &ring_keys, why, sizeof why) != BIQ_OK ||
        biq_keyring_new_from_set(ring_keys, &ring) != BIQ_OK) {
        fprintf(stderr, "auth_bench: set-up failed: %s\n", why);
        goto out;
    }
    biq_fit_policy policy;
    biq_fit_policy_init(&policy, c.app_id, at);
    size_t len = strlen(token);
    rate cold, warm;
    if (!run(keys, NULL, &policy, token, len, seconds, &cold) ||
        !run(keys, ring, &policy, token, len, seconds, &warm))
        goto out;
    /* scripts/bench.sh reads the "N/s" of the lines starting cold and warm. */
    printf("cold verifications %zu in %.2f s of CPU: %.0f/s (token %zu bytes)\n", cold.n,
           cold.cpu, (double)cold.n / cold.cpu, len);
    printf("warm verifications %zu in %.2f s of CPU: %.0f/s (cached)\n", warm.n, warm.cpu,
           (double)warm.n / warm.cpu);
    printf("wall clock: cold %.0f/s, warm %.0f/s; CPU per verification: cold %.2f us, warm "
           "%.2f us\n",
           (double)cold.n / cold.wall, (double)warm.n / warm.wall, cold.cpu / (double)cold.n * 1e6,
           warm.cpu / (double)warm.n * 1e6);
    status = 0;
out:
    biq_jwks_free(keys);
    if (ring != NULL)
        biq_keyring_free(ring);
    else
        biq_jwks_free(ring_keys);
    free(token);
    free(jwks);
    EVP_PKEY_free(key);
    return status;
}
