/* token_cache.c - the verified-token cache (see token_cache.h for what it
 * stores, why a hit is safe and what it does not cover). */
#include "auth/token_cache.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum {
    /* Far above any sensible cache; keeps capacity * entry size small. */
    CAPACITY_LIMIT = 1 << 20,
};

/* One cached verification. used == false: an empty slot. */
typedef struct entry {
    uint8_t digest[BIQ_TOKEN_CACHE_DIGEST];
    bool used;
    uint64_t generation;
    uint64_t stamp; /* last use, from cache->clock: LRU within the set */
    char issuer[BIQ_TOKEN_CACHE_ISSUER_MAX + 1];
    biq_fit_verified info;
    biq_tenant_ctx ctx;
} entry;

/* Invariant: entries holds sets * BIQ_TOKEN_CACHE_WAYS slots, allocated
 * once; a set's slots are touched only under locks[set % LOCKS]. */
struct biq_token_cache {
    EVP_MD *sha256;
    size_t sets;
    entry *entries;
    atomic_uint_fast64_t clock;
    atomic_size_t used;
    atomic_ullong hits, misses; /* lookups since creation, for /metrics */
    pthread_mutex_t locks[BIQ_TOKEN_CACHE_LOCKS];
    size_t locks_ready;
};

biq_err biq_token_cache_new(size_t capacity, biq_token_cache **out)
{
    biq_err err = BIQ_ERR_CONFIG;
    biq_token_cache *c = NULL;
    *out = NULL;
    if (capacity == 0 || capacity > CAPACITY_LIMIT)
        goto out;
    err = BIQ_ERR_NOMEM;
    if ((c = calloc(1, sizeof *c)) == NULL)
        goto out;
    c->sets = (capacity + BIQ_TOKEN_CACHE_WAYS - 1) / BIQ_TOKEN_CACHE_WAYS;
    if ((c->entries = calloc(c->sets * BIQ_TOKEN_CACHE_WAYS, sizeof *c->entries)) == NULL)
        goto out;
    atomic_init(&c->clock, 0);
    atomic_init(&c->used, 0);
    atomic_init(&c->hits, 0);
    atomic_init(&c->misses, 0);
    err = BIQ_ERR_CRYPTO;
    if ((c->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
        goto out;
    err = BIQ_ERR_INTERNAL;
    for (; c->locks_ready < BIQ_TOKEN_CACHE_LOCKS; c->locks_ready++)
        if (pthread_mutex_init(&c->locks[c->locks_ready], NULL) != 0)
            goto out;
    *out = c;
    c = NULL;
    err = BIQ_OK;
out:
    biq_token_cache_free(c);
    return err;
}

void biq_token_cache_free(biq_token_cache *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->locks_ready; i++)
        pthread_mutex_destroy(&c->locks[i]);
    EVP_MD_free(c->sha256);
    free(c->entries);
    free(c);
}

biq_err biq_token_cache_digest(const biq_token_cache *c, const char *token, size_t len,
                               uint8_t digest[BIQ_TOKEN_CACHE_DIGEST])
{
    unsigned int n = 0; /* mutate: equivalent const: EVP_Digest sets it before the check */
    if (EVP_Digest(token, len, digest, &n, c->sha256, NULL) != 1 || n != BIQ_TOKEN_CACHE_DIGEST)
        return BIQ_ERR_CRYPTO;
    return BIQ_OK;
}

static size_t set_of(const biq_token_cache *c, const uint8_t digest[BIQ_TOKEN_CACHE_DIGEST])
{
    uint64_t h = 0;
    memcpy(&h, digest, sizeof h);
    return (size_t)(h % c->sets);
}

static pthread_mutex_t *lock_of(biq_token_cache *c, size_t set)
{
    return &c->locks[set % BIQ_TOKEN_CACHE_LOCKS];
}

static void drop(biq_token_cache *c, entry *e)
{
    memset(e, 0, sizeof *e);
    atomic_fetch_sub(&c->used, 1);
}

/* Every check of token_cache.h's top on entry e, under its set's lock. */
static bool entry_valid(const entry *e, uint64_t generation, const biq_jwks *keys,
                        const biq_fit_policy *p)
{
    return e->generation == generation && strcmp(e->ctx.app_id, p->app_id) == 0 &&
           strcmp(e->issuer, p->issuer) == 0 && biq_fit_times_check(&e->info, p) == BIQ_AUTH_OK &&
           biq_jwks_verifier(keys, e->info.kid, strlen(e->info.kid)) != NULL;
}

bool biq_token_cache_get(biq_token_cache *c, const uint8_t digest[BIQ_TOKEN_CACHE_DIGEST],
                         uint64_t generation, const biq_jwks *keys, const biq_fit_policy *p,
                         biq_tenant_ctx *out)
{
    bool hit = false;
    size_t set = set_of(c, digest);
    entry *slots = &c->entries[set * BIQ_TOKEN_CACHE_WAYS];
    pthread_mutex_t *lock = lock_of(c, set);
    pthread_mutex_lock(lock);
    for (size_t i = 0; i < BIQ_TOKEN_CACHE_WAYS; i++) {
        entry *e = &slots[i];
        if (!e->used || memcmp(e->digest, digest, BIQ_TOKEN_CACHE_DIGEST) != 0)
            continue;
        if (!entry_valid(e, generation, keys, p)) {
            drop(c, e);
            break;
        }
        e->stamp = atomic_fetch_add(&c->clock, 1) + 1;
        *out = e->ctx;
        hit = true;
        break;
    }
    pthread_mutex_unlock(lock);
    atomic_fetch_add(hit ? &c->hits : &c->misses, 1);
    return hit;
}

void biq_token_cache_put(biq_token_cache *c, const uint8_t digest[BIQ_TOKEN_CACHE_DIGEST],
                         uint64_t generation, const biq_fit_policy *p, const biq_tenant_ctx *ctx,
                         const biq_fit_verified *info)
{
    size_t issuer_len = strnlen(p->issuer, BIQ_TOKEN_CACHE_ISSUER_MAX + 1);
    if (issuer_len > BIQ_TOKEN_CACHE_ISSUER_MAX)
        return;
    size_t set = set_of(c, digest);
    entry *slots = &c->entries[set * BIQ_TOKEN_CACHE_WAYS], *victim = NULL;
    pthread_mutex_t *lock = lock_of(c, set);
    pthread_mutex_lock(lock);
    for (size_t i = 0; i < BIQ_TOKEN_CACHE_WAYS && victim == NULL; i++)
        if (slots[i].used && memcmp(slots[i].digest, digest, BIQ_TOKEN_CACHE_DIGEST) == 0)
            victim = &slots[i];
    for (size_t i = 0; i < BIQ_TOKEN_CACHE_WAYS && victim == NULL; i++)
        if (!slots[i].used)
            victim = &slots[i];
    if (victim == NULL) {
        victim = &slots[0];
        for (size_t i = 1; i < BIQ_TOKEN_CACHE_WAYS; i++)
            /* mutate: equivalent rel "< -> <=": each stamp is a fresh tick
             * of one atomic clock, so two used slots never tie
             * (test capacity_is_a_bound pins the LRU victim in every way) */
            if (slots[i].stamp < victim->stamp)
                victim = &slots[i];
    }
    if (!victim->used)
        atomic_fetch_add(&c->used, 1);
    memcpy(victim->digest, digest, BIQ_TOKEN_CACHE_DIGEST);
    victim->used = true;
    victim->generation = generation;
    /* mutate: equivalent const "1 -> 2": stamps only order, any offset alike */
    victim->stamp = atomic_fetch_add(&c->clock, 1) + 1;
    memcpy(victim->issuer, p->issuer, issuer_len);
    victim->issuer[issuer_len] = '\0';
    victim->info = *info;
    victim->ctx = *ctx;
    pthread_mutex_unlock(lock);
}

size_t biq_token_cache_size(biq_token_cache *c)
{
    return atomic_load(&c->used);
}

size_t biq_token_cache_capacity(const biq_token_cache *c)
{
    return c->sets * BIQ_TOKEN_CACHE_WAYS;
}

void biq_token_cache_lookups(biq_token_cache *c, unsigned long long *hits,
                             unsigned long long *misses)
{
    *hits = atomic_load(&c->hits);
    *misses = atomic_load(&c->misses);
}
