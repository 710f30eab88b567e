/* token_cache.h - a bounded cache of verified Forge Invocation Tokens.
 *
 * Keyed by the SHA-256 of the whole compact token (header, payload and
 * signature bytes as sent); an entry holds what biq_fit_verify_info proved:
 * the tenant context, the time claims, the kid of the verifying key and the
 * key-ring generation that held that key. A hit is returned only after the
 * time rules are applied again to the caller's policy (exp > now, nbf and
 * iat against its clock, maximum age and skew), the policy's app_id and
 * issuer equal those the entry was verified under, the entry's generation
 * is the caller's current one, and its kid is still in the caller's key set.
 *
 * Why a hit is as good as a verification: a FIT is a bearer token, so the
 * same bytes carry the same signed claims every time they are presented;
 * the key is the SHA-256 of all of those bytes, and finding two different
 * tokens with one digest would take a SHA-256 collision; every rule that
 * depends on the clock or on the policy is re-checked on each hit; and a
 * key-set reload or install bumps the generation, so a rotated-out or
 * revoked key stops vouching for its tokens at once. Only successful
 * verifications are stored (biq_token_cache_put is called after BIQ_OK),
 * so a refused token is verified in full every time, and only tokens
 * signed by a current key can take (or evict) an entry. What it does not
 * cover: a token seen for the first time (a cold token) pays the full
 * verification; Forge mints a fresh token per invocation, so the hit rate
 * is that of clients reusing a token within its ~25 s life.
 *
 * Bounded: capacity entries allocated once at creation, never more; sets of
 * BIQ_TOKEN_CACHE_WAYS entries chosen by the digest, least recently used
 * replaced within its set. Thread-safe: every function except
 * biq_token_cache_free may be called from any thread; a set is guarded by
 * one of BIQ_TOKEN_CACHE_LOCKS striped mutexes, held for a copy only.
 */
#ifndef BIQ_AUTH_TOKEN_CACHE_H
#define BIQ_AUTH_TOKEN_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/fit.h"
#include "auth/jwks.h"
#include "auth/tenant.h"
#include "common/err.h"

enum {
    BIQ_TOKEN_CACHE_CAPACITY = 4096, /* entries of a server's cache (~2.3 KiB each) */
    BIQ_TOKEN_CACHE_WAYS = 4,        /* entries per set */
    BIQ_TOKEN_CACHE_LOCKS = 64,      /* striped mutexes */
    BIQ_TOKEN_CACHE_DIGEST = 32,     /* SHA-256 */
    BIQ_TOKEN_CACHE_ISSUER_MAX = 64, /* a longer policy issuer is never cached */
};

typedef struct biq_token_cache biq_token_cache;

/* A new empty cache of capacity entries (rounded up to a multiple of
 * BIQ_TOKEN_CACHE_WAYS; 0 is refused) owned by the caller. BIQ_OK,
 * BIQ_ERR_CONFIG (capacity 0 or absurd), BIQ_ERR_NOMEM, BIQ_ERR_CRYPTO (no
 * SHA-256 in libcrypto) or BIQ_ERR_INTERNAL (mutex). *out is NULL on
 * failure. */
biq_err biq_token_cache_new(size_t capacity, biq_token_cache **out);

/* The SHA-256 of token[0..len) into digest. BIQ_OK or BIQ_ERR_CRYPTO. */
biq_err biq_token_cache_digest(const biq_token_cache *cache, const char *token, size_t len,
                               uint8_t digest[BIQ_TOKEN_CACHE_DIGEST]);

/* Looks digest up. True, with *out the stored context, when an entry exists
 * and passes every check at the top of this file against policy (valid, see
 * biq_fit_policy_valid), generation and keys (the caller's current set).
 * False otherwise, with *out untouched; an entry that failed a check is
 * dropped, so the caller's full verification decides and reports why. */
bool biq_token_cache_get(biq_token_cache *cache, const uint8_t digest[BIQ_TOKEN_CACHE_DIGEST],
                         uint64_t generation, const biq_jwks *keys, const biq_fit_policy *policy,
                         biq_tenant_ctx *out);

/* Stores the result of a verification that returned BIQ_OK (and only such
 * a result) under digest: ctx and info as biq_fit_verify_info filled them,
 * generation the key-ring generation whose set verified it, policy the one
 * it was verified under. Replaces an entry with the same digest, else an
 * empty or the least recently used entry of its set. */
void biq_token_cache_put(biq_token_cache *cache, const uint8_t digest[BIQ_TOKEN_CACHE_DIGEST],
                         uint64_t generation, const biq_fit_policy *policy,
                         const biq_tenant_ctx *ctx, const biq_fit_verified *info);

/* Entries in use (never more than the capacity) and the capacity. */
size_t biq_token_cache_size(biq_token_cache *cache);
size_t biq_token_cache_capacity(const biq_token_cache *cache);

/* Frees the cache; no thread may be using it. NULL is a no-op. */
void biq_token_cache_free(biq_token_cache *cache);

/* Lookups since creation: *hits that passed every check, *misses (no
 * entry, or one that failed a check and was dropped). Any thread; the two
 * are read one after the other, not as one snapshot. */
void biq_token_cache_lookups(biq_token_cache *cache, unsigned long long *hits,
                             unsigned long long *misses);

#endif
