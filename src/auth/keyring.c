/* keyring.c - the current JWKS behind a rwlock, with reference-counted
 * sets so that reloads swap atomically without waiting for verifies (see
 * keyring.h). */
#include "auth/keyring.h"

#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "auth/token_cache.h"

/* One generation of keys. refs counts the keyring's own reference plus one
 * per verify in progress; the last release frees it. */
typedef struct generation {
    biq_jwks *set;
    uint64_t number; /* from biq_keyring.generations: cached tokens name it */
    atomic_size_t refs;
} generation;

/* Invariant: current is never NULL between new and free; path is "" for a
 * keyring made from a set. */
struct biq_keyring {
    pthread_rwlock_t lock;
    generation *current;
    atomic_uint_fast64_t generations; /* numbers handed out so far */
    biq_token_cache *cache;           /* verified tokens (auth/token_cache.h) */
    char path[BIQ_KEYRING_PATH_MAX + 1];
};

/* A new generation numbered after every earlier one of ring: a cached
 * token verified under an older number is never served again. */
static generation *generation_new(biq_keyring *ring, biq_jwks *set)
{
    generation *g = malloc(sizeof *g);
    if (g == NULL)
        return NULL;
    g->set = set;
    g->number = atomic_fetch_add(&ring->generations, 1) + 1;
    atomic_init(&g->refs, 1);
    return g;
}

static void release(generation *g)
{
    if (g != NULL && atomic_fetch_sub(&g->refs, 1) == 1) {
        biq_jwks_free(g->set);
        free(g);
    }
}

static generation *acquire(biq_keyring *ring)
{
    pthread_rwlock_rdlock(&ring->lock);
    generation *g = ring->current;
    atomic_fetch_add(&g->refs, 1);
    pthread_rwlock_unlock(&ring->lock);
    return g;
}

biq_err biq_keyring_new_from_set(biq_jwks *set, biq_keyring **out)
{
    biq_err err = BIQ_ERR_NOMEM;
    biq_keyring *ring = calloc(1, sizeof *ring);
    *out = NULL;
    if (set == NULL) {
        err = BIQ_ERR_CONFIG;
        goto out;
    }
    /* mutate: equivalent guard: an allocation failure only (no test injects one) */
    if (ring == NULL)
        goto out;
    atomic_init(&ring->generations, 0);
    if ((ring->current = generation_new(ring, set)) == NULL)
        goto out;
    set = NULL;
    if ((err = biq_token_cache_new(BIQ_TOKEN_CACHE_CAPACITY, &ring->cache)) != BIQ_OK)
        goto out;
    if (pthread_rwlock_init(&ring->lock, NULL) != 0) {
        err = BIQ_ERR_INTERNAL;
        goto out;
    }
    *out = ring;
    ring = NULL;
    err = BIQ_OK;
out:
    if (ring != NULL) {
        release(ring->current);
        biq_token_cache_free(ring->cache);
    }
    free(ring);
    biq_jwks_free(set);
    return err;
}

biq_err biq_keyring_new(const char *path, biq_keyring **out, char *why, size_t why_len)
{
    biq_err err = BIQ_ERR_CONFIG;
    biq_jwks *set = NULL;
    size_t len = path != NULL ? strnlen(path, BIQ_KEYRING_PATH_MAX + 1) : 0;
    *out = NULL;
    if (len == 0 || len > BIQ_KEYRING_PATH_MAX) {
        if (why != NULL && why_len > 0)
            snprintf(why, why_len, "the JWKS file path is empty or too long");
        goto out;
    }
    if ((err = biq_jwks_load_file(path, &set, why, why_len)) != BIQ_OK)
        goto out;
    if ((err = biq_keyring_new_from_set(set, out)) != BIQ_OK)
        goto out;
    memcpy((*out)->path, path, len + 1);
out:
    return err;
}

biq_err biq_keyring_install(biq_keyring *ring, biq_jwks *set)
{
    generation *fresh, *old;
    if (set == NULL)
        return BIQ_ERR_CONFIG;
    if ((fresh = generation_new(ring, set)) == NULL) {
        biq_jwks_free(set);
        return BIQ_ERR_NOMEM;
    }
    pthread_rwlock_wrlock(&ring->lock);
    old = ring->current;
    ring->current = fresh;
    pthread_rwlock_unlock(&ring->lock);
    /* Outside the lock: verifies still holding the old set free it last. */
    release(old);
    return BIQ_OK;
}

biq_err biq_keyring_reload(biq_keyring *ring, char *why, size_t why_len)
{
    biq_err err = BIQ_ERR_CONFIG;
    biq_jwks *set = NULL;
    if (ring->path[0] == '\0') {
        if (why != NULL && why_len > 0)
            snprintf(why, why_len, "this key ring was not loaded from a file");
        goto out;
    }
    /* Parse outside the lock: verifies continue with the old set meanwhile. */
    if ((err = biq_jwks_load_file(ring->path, &set, why, why_len)) != BIQ_OK)
        goto out;
    err = biq_keyring_install(ring, set);
out:
    return err;
}

size_t biq_keyring_count(biq_keyring *ring)
{
    if (ring == NULL)
        return 0;
    generation *g = acquire(ring);
    size_t n = biq_jwks_count(g->set);
    release(g);
    return n;
}

/* The cache in front of biq_fit_verify_info against generation g. Only a
 * BIQ_OK verification is stored: refused tokens are verified in full each
 * time. A token over the size limit or a policy biq_fit_verify would refuse
 * skips the cache so that the full check reports why. A failure to hash
 * only costs the cache, never the check. */
static biq_err verify_cached(biq_keyring *ring, const generation *g, const biq_fit_policy *policy,
                             const char *token, size_t len, biq_tenant_ctx *out,
                             biq_auth_reason *reason)
{
    uint8_t digest[BIQ_TOKEN_CACHE_DIGEST];
    biq_fit_verified info;
    bool cacheable = token != NULL && len <= BIQ_FIT_TOKEN_MAX && biq_fit_policy_valid(policy) &&
                     biq_token_cache_digest(ring->cache, token, len, digest) == BIQ_OK;
    if (cacheable &&
        biq_token_cache_get(ring->cache, digest, g->number, g->set, policy, out)) {
        *reason = BIQ_AUTH_OK;
        return BIQ_OK;
    }
    biq_err err = biq_fit_verify_info(g->set, policy, token, len, out, reason, &info);
    if (err == BIQ_OK && cacheable)
        biq_token_cache_put(ring->cache, digest, g->number, policy, out, &info);
    return err;
}

biq_err biq_keyring_verify(biq_keyring *ring, const biq_fit_policy *policy, const char *token,
                           size_t len, biq_tenant_ctx *out, biq_auth_reason *reason)
{
    generation *g = acquire(ring);
    biq_err err = verify_cached(ring, g, policy, token, len, out, reason);
    release(g);
    return err;
}

biq_err biq_keyring_authenticate(biq_keyring *ring, const biq_fit_policy *policy, unsigned count,
                                 const char *value, biq_tenant_ctx *out, biq_auth_reason *reason)
{
    const char *token;
    size_t len;
    memset(out, 0, sizeof *out);
    biq_err err = biq_auth_bearer(count, value, &token, &len, reason);
    return err != BIQ_OK ? err : biq_keyring_verify(ring, policy, token, len, out, reason);
}

size_t biq_keyring_cached(biq_keyring *ring)
{
    return ring != NULL ? biq_token_cache_size(ring->cache) : 0;
}

void biq_keyring_cache_lookups(biq_keyring *ring, unsigned long long *hits,
                               unsigned long long *misses)
{
    *hits = *misses = 0;
    if (ring != NULL)
        biq_token_cache_lookups(ring->cache, hits, misses);
}

void biq_keyring_free(biq_keyring *ring)
{
    if (ring == NULL)
        return;
    release(ring->current);
    biq_token_cache_free(ring->cache);
    pthread_rwlock_destroy(&ring->lock);
    free(ring);
}
