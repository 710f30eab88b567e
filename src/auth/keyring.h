/* keyring.h - the server's current key set, replaceable while it serves.
 *
 * `biq serve` creates one keyring from the JWKS file at start-up and passes
 * it to whoever verifies tokens; SIGHUP calls biq_keyring_reload(), which
 * parses the file again and swaps the set in only when the new file passes
 * every rule of jwks.h, so a bad deploy of the file keeps the last good
 * keys. No global state: everything lives in the object.
 *
 * Thread safety: every function except biq_keyring_free may be called from
 * any thread at any time. A pthread rwlock guards only the pointer to the
 * current set; a verifying thread takes a reference under the read lock and
 * verifies outside it, so reloads never wait for RSA operations and a set is
 * freed by whoever drops its last reference.
 */
#ifndef BIQ_AUTH_KEYRING_H
#define BIQ_AUTH_KEYRING_H

#include <stddef.h>

#include "auth/fit.h"
#include "auth/jwks.h"
#include "auth/tenant.h"
#include "common/err.h"

enum { BIQ_KEYRING_PATH_MAX = 4096 };

typedef struct biq_keyring biq_keyring;

/* All functions taking a ring require a non-NULL ring from biq_keyring_new*
 * unless they say otherwise. */

/* Loads the JWKS file at path (see biq_jwks_load_file) into a new keyring
 * owned by the caller (biq_keyring_free). On failure *out is NULL, why holds
 * the reason (which key and which rule) and the result is that of
 * biq_jwks_load_file, or BIQ_ERR_CONFIG for a NULL/empty/overlong path,
 * or BIQ_ERR_NOMEM / BIQ_ERR_INTERNAL (lock initialisation). */
biq_err biq_keyring_new(const char *path, biq_keyring **out, char *why, size_t why_len);

/* Wraps an already built set (ownership passes to the keyring, also on
 * failure) in a keyring without a file: for tests and embedders.
 * biq_keyring_reload on it fails with BIQ_ERR_CONFIG. */
biq_err biq_keyring_new_from_set(biq_jwks *set, biq_keyring **out);

/* Re-reads the file given to biq_keyring_new. BIQ_OK: the new set is
 * current (requests already verifying finish with the old one). Otherwise
 * the previous set stays current, why says what was wrong with the file and
 * the result is that of biq_jwks_load_file. */
biq_err biq_keyring_reload(biq_keyring *ring, char *why, size_t why_len);

/* Makes set (ownership passes to the keyring) the current set, as a reload
 * does: for a fetcher of BIQ_JWKS_URL that parsed a fresh set with
 * biq_jwks_parse. BIQ_ERR_CONFIG when set is NULL (nothing changes),
 * BIQ_ERR_NOMEM (set freed, nothing changes). */
biq_err biq_keyring_install(biq_keyring *ring, biq_jwks *set);

/* Number of keys in the current set (0 for NULL). */
size_t biq_keyring_count(biq_keyring *ring);

/* Verified tokens: both functions below answer from a bounded cache of
 * tokens this ring verified before (auth/token_cache.h: keyed by the
 * SHA-256 of the whole token, BIQ_TOKEN_CACHE_CAPACITY entries), after
 * re-checking exp, nbf and iat against policy, that policy's app_id and
 * issuer are those it was verified under, and that the set is still the
 * one (same generation: any reload or install empties the cache in effect)
 * holding the token's kid. Results are those of a full verification; only
 * successes are cached. */

/* biq_fit_verify against the current set. */
biq_err biq_keyring_verify(biq_keyring *ring, const biq_fit_policy *policy, const char *token,
                           size_t len, biq_tenant_ctx *out, biq_auth_reason *reason);

/* biq_auth_from_header against the current set: what the HTTP layer
 * calls for every authenticated route. */
biq_err biq_keyring_authenticate(biq_keyring *ring, const biq_fit_policy *policy, unsigned count,
                                 const char *value, biq_tenant_ctx *out, biq_auth_reason *reason);

/* Entries in the verified-token cache (0 for NULL): for tests and
 * metrics. */
size_t biq_keyring_cached(biq_keyring *ring);

/* The verified-token cache's lookups since the ring was made (0 and 0 for
 * NULL): hits, and misses (each followed by a full verification). Any
 * thread. */
void biq_keyring_cache_lookups(biq_keyring *ring, unsigned long long *hits,
                               unsigned long long *misses);

/* Frees the keyring and its set. No thread may be using it. NULL is a
 * no-op. */
void biq_keyring_free(biq_keyring *ring);

#endif
