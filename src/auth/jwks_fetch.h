/* jwks_fetch.h - re-fetching Atlassian's key set when a token names a kid
 * the current set lacks (platform.md: Atlassian rotates its keys).
 *
 * At most one fetch per BIQ_JWKS_FETCH_INTERVAL_S, whatever the number of
 * threads meeting unknown kids at once; a fetched set goes through the same
 * import rules as the file (jwks.h) and replaces the current one only when
 * it is valid, so a bad answer keeps the last good set. HTTPS only, except
 * loopback addresses (for tests and a local proxy). Thread-safe.
 */
#ifndef BIQ_AUTH_JWKS_FETCH_H
#define BIQ_AUTH_JWKS_FETCH_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/keyring.h"
#include "common/err.h"

enum {
    BIQ_JWKS_FETCH_INTERVAL_S = 60,
    BIQ_JWKS_FETCH_TIMEOUT_MS = 5000,
    BIQ_JWKS_URL_MAX = 2048,
};

typedef struct biq_jwks_fetcher biq_jwks_fetcher;

/* Creates a fetcher of url for ring (not owned). BIQ_ERR_CONFIG with a
 * message in why when the URL is not https:// (or http:// to a loopback
 * address); BIQ_ERR_NOMEM. */
biq_err biq_jwks_fetcher_new(const char *url, biq_keyring *ring, biq_jwks_fetcher **out,
                             char *why, size_t why_len);

void biq_jwks_fetcher_free(biq_jwks_fetcher *f);

/* Called after a token was refused for an unknown kid at time now (seconds):
 * fetches and installs a fresh set unless one was fetched less than the
 * interval ago (or another thread is fetching). Returns true when a new set
 * was installed (the caller then verifies once more); why explains a
 * failure for the log. */
bool biq_jwks_fetcher_refresh(biq_jwks_fetcher *f, int64_t now, char *why, size_t why_len);

#endif
