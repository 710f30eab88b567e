/* test_token_cache.c - the verified-token cache, alone and behind the key
 * ring: a hit gives the same context as the full check; an expired or
 * not-yet-valid entry is refused; a key-set install invalidates; the
 * capacity is never exceeded (LRU within a set); refused tokens are never
 * cached. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/keyring.h"
#include "auth/token_cache.h"
#include "fit_sign.h"
#include "testsupport.h"

#define KID_A "forge/invocation-token/wf-a"
#define KID_B "forge/invocation-token/wf-b"

enum { SMALL = 8, MANY = 200, WHY = 256 };

static const int64_t NOW = 1764300000;

static EVP_PKEY *key_a, *key_b;

static void setup(void)
{
    key_a = fit_sign_keygen();
    key_b = fit_sign_keygen();
}

static void teardown(void)
{
    EVP_PKEY_free(key_a);
    EVP_PKEY_free(key_b);
}

static biq_jwks *set_of(EVP_PKEY *key, const char *kid)
{
    char why[WHY];
    char *text = fit_sign_jwks(key, kid);
    biq_jwks *set = NULL;
    ck_assert_int_eq(biq_jwks_parse(text, strlen(text), &set, why, sizeof why), BIQ_OK);
    free(text);
    return set;
}

static biq_keyring *ring_of(EVP_PKEY *key, const char *kid)
{
    biq_keyring *ring = NULL;
    ck_assert_int_eq(biq_keyring_new_from_set(set_of(key, kid), &ring), BIQ_OK);
    return ring;
}

static char *token(EVP_PKEY *key, const char *kid)
{
    fit_claims c;
    fit_claims_default(&c, NOW);
    return fit_sign_forge_token(key, kid, &c);
}

static biq_auth_reason check_at(biq_keyring *ring, const char *t, int64_t now, biq_tenant_ctx *ctx)
{
    biq_fit_policy p;
    biq_auth_reason r;
    fit_claims c;
    fit_claims_default(&c, NOW);
    biq_fit_policy_init(&p, c.app_id, now);
    biq_err e = biq_keyring_verify(ring, &p, t, strlen(t), ctx, &r);
    ck_assert_int_eq(e, r == BIQ_AUTH_OK ? BIQ_OK : BIQ_ERR_UNAUTHORIZED);
    return r;
}

START_TEST(hit_returns_the_same_context)
{
    biq_keyring *ring = ring_of(key_a, KID_A);
    char *t = token(key_a, KID_A);
    biq_tenant_ctx cold, warm, direct;
    biq_auth_reason r;
    biq_fit_policy p;
    fit_claims c;
    fit_claims_default(&c, NOW);
    biq_fit_policy_init(&p, c.app_id, NOW);
    biq_jwks *set = set_of(key_a, KID_A);
    ck_assert_int_eq(biq_fit_verify(set, &p, t, strlen(t), &direct, &r), BIQ_OK);

    ck_assert_uint_eq(biq_keyring_cached(ring), 0);
    ck_assert_int_eq(check_at(ring, t, NOW, &cold), BIQ_AUTH_OK);
    ck_assert_uint_eq(biq_keyring_cached(ring), 1);
    ck_assert_int_eq(check_at(ring, t, NOW + 1, &warm), BIQ_AUTH_OK);
    ck_assert_uint_eq(biq_keyring_cached(ring), 1);
    ck_assert_mem_eq(&cold, &direct, sizeof cold);
    ck_assert_mem_eq(&warm, &direct, sizeof warm);
    ck_assert_str_eq(warm.tenant_id, "ari:cloud:ecosystem::installation/00000000-0000-4000-8000-0000000000b1");

    /* The header path shares the cache. */
    size_t n = strlen(t) + 8;
    char *h = malloc(n);
    snprintf(h, n, "Bearer %s", t);
    ck_assert_int_eq(biq_keyring_authenticate(ring, &p, 1, h, &warm, &r), BIQ_OK);
    ck_assert_mem_eq(&warm, &direct, sizeof warm);
    ck_assert_int_eq(biq_keyring_authenticate(ring, &p, 2, h, &warm, &r), BIQ_ERR_UNAUTHORIZED);
    ck_assert_int_eq(r, BIQ_AUTH_MULTIPLE_HEADERS);
    free(h);
    free(t);
    biq_jwks_free(set);
    biq_keyring_free(ring);
}
END_TEST

START_TEST(expired_entry_is_refused)
{
    biq_keyring *ring = ring_of(key_a, KID_A);
    char *t = token(key_a, KID_A);
    biq_tenant_ctx ctx;
    ck_assert_int_eq(check_at(ring, t, NOW, &ctx), BIQ_AUTH_OK);
    ck_assert_uint_eq(biq_keyring_cached(ring), 1);
    /* exp = iat + 25: at iat + 25 it is expired, cached or not. */
    ck_assert_int_eq(check_at(ring, t, NOW + FIT_SIGN_LIFETIME_S, &ctx), BIQ_AUTH_EXPIRED);
    ck_assert_str_eq(ctx.tenant_id, "");
    ck_assert_uint_eq(biq_keyring_cached(ring), 0); /* dropped, not kept */
    ck_assert_int_eq(check_at(ring, t, NOW + FIT_SIGN_LIFETIME_S, &ctx), BIQ_AUTH_EXPIRED);
    /* A clock behind nbf (= iat) by more than the skew: not yet valid. */
    ck_assert_int_eq(check_at(ring, t, NOW, &ctx), BIQ_AUTH_OK);
    ck_assert_int_eq(check_at(ring, t, NOW - BIQ_FIT_SKEW_S - 1, &ctx), BIQ_AUTH_NOT_YET_VALID);
    ck_assert_uint_eq(biq_keyring_cached(ring), 0);
    free(t);
    biq_keyring_free(ring);
}
END_TEST

START_TEST(key_set_install_invalidates)
{
    biq_keyring *ring = ring_of(key_a, KID_A);
    char *t = token(key_a, KID_A);
    biq_tenant_ctx ctx;
    ck_assert_int_eq(check_at(ring, t, NOW, &ctx), BIQ_AUTH_OK);
    ck_assert_int_eq(check_at(ring, t, NOW, &ctx), BIQ_AUTH_OK);
    /* Key A rotated out: the cached token must not be served. */
    ck_assert_int_eq(biq_keyring_install(ring, set_of(key_b, KID_B)), BIQ_OK);
    ck_assert_int_eq(check_at(ring, t, NOW, &ctx), BIQ_AUTH_UNKNOWN_KID);
    /* Same kid, another key (a reissued key under an old name): the
     * signature decides again, not the cache. */
    ck_assert_int_eq(biq_keyring_install(ring, set_of(key_a, KID_A)), BIQ_OK);
    ck_assert_int_eq(check_at(ring, t, NOW, &ctx), BIQ_AUTH_OK);
    ck_assert_int_eq(biq_keyring_install(ring, set_of(key_b, KID_A)), BIQ_OK);
    ck_assert_int_eq(check_at(ring, t, NOW, &ctx), BIQ_AUTH_SIGNATURE);
    free(t);
    biq_keyring_free(ring);
}
END_TEST

/* The cache alone: a generation other than the entry's, or a key set
 * without its kid, is a miss. */
START_TEST(generation_and_kid_checked)
{
    biq_token_cache *cache = NULL;
    biq_jwks *set_a = set_of(key_a, KID_A), *set_b = set_of(key_b, KID_B);
    ck_assert_int_eq(biq_token_cache_new(SMALL, &cache), BIQ_OK);
    biq_fit_policy p;
    biq_fit_policy_init(&p, "ari:cloud:ecosystem::app/x", NOW);
    biq_tenant_ctx ctx = {0}, got;
    memcpy(ctx.app_id, p.app_id, strlen(p.app_id) + 1);
    biq_fit_verified info = {.exp = NOW + 20, .iat_lo = NOW, .iat_hi = NOW, .kid = KID_A};
    uint8_t d[BIQ_TOKEN_CACHE_DIGEST];
    ck_assert_int_eq(biq_token_cache_digest(cache, "abc", 3, d), BIQ_OK);
    biq_token_cache_put(cache, d, 1, &p, &ctx, &info);
    ck_assert(biq_token_cache_get(cache, d, 1, set_a, &p, &got));
    ck_assert(!biq_token_cache_get(cache, d, 1, set_b, &p, &got)); /* kid gone */
    biq_token_cache_put(cache, d, 1, &p, &ctx, &info);
    ck_assert(!biq_token_cache_get(cache, d, 2, set_a, &p, &got)); /* newer generation */
    biq_token_cache_put(cache, d, 1, &p, &ctx, &info);
    biq_fit_policy other = p;
    other.app_id = "ari:cloud:ecosystem::app/y";
    ck_assert(!biq_token_cache_get(cache, d, 1, set_a, &other, &got)); /* another app */
    biq_token_cache_put(cache, d, 1, &p, &ctx, &info);
    other = p;
    other.issuer = "someone-else";
    ck_assert(!biq_token_cache_get(cache, d, 1, set_a, &other, &got)); /* another issuer */
    ck_assert_uint_eq(biq_token_cache_size(cache), 0);
    biq_jwks_free(set_a);
    biq_jwks_free(set_b);
    biq_token_cache_free(cache);
}
END_TEST

START_TEST(capacity_is_a_bound)
{
    biq_token_cache *cache = NULL;
    biq_jwks *set = set_of(key_a, KID_A);
    ck_assert_int_eq(biq_token_cache_new(0, &cache), BIQ_ERR_CONFIG);
    ck_assert_int_eq(biq_token_cache_new(SMALL, &cache), BIQ_OK);
    ck_assert_uint_eq(biq_token_cache_capacity(cache), SMALL);
    biq_fit_policy p;
    biq_fit_policy_init(&p, "ari:cloud:ecosystem::app/x", NOW);
    biq_tenant_ctx ctx = {0}, got;
    memcpy(ctx.app_id, p.app_id, strlen(p.app_id) + 1);
    biq_fit_verified info = {.exp = NOW + 20, .iat_lo = NOW, .iat_hi = NOW, .kid = KID_A};
    uint8_t d[MANY][BIQ_TOKEN_CACHE_DIGEST];
    char text[32];
    for (int i = 0; i < MANY; i++) {
        snprintf(text, sizeof text, "token-%d", i);
        ck_assert_int_eq(biq_token_cache_digest(cache, text, strlen(text), d[i]), BIQ_OK);
        biq_token_cache_put(cache, d[i], 1, &p, &ctx, &info);
        ck_assert_uint_le(biq_token_cache_size(cache), SMALL);
        /* Re-putting the same digest does not take a second slot. */
        size_t before = biq_token_cache_size(cache);
        biq_token_cache_put(cache, d[i], 1, &p, &ctx, &info);
        ck_assert_uint_eq(biq_token_cache_size(cache), before);
        ck_assert(biq_token_cache_get(cache, d[i], 1, set, &p, &got)); /* newest is in */
    }
    ck_assert_uint_eq(biq_token_cache_size(cache), SMALL);
    int hits = 0;
    for (int i = 0; i < MANY; i++)
        hits += biq_token_cache_get(cache, d[i], 1, set, &p, &got);
    ck_assert_int_le(hits, SMALL);
    biq_token_cache_free(cache);

    /* One set of WAYS entries: the least recently used one goes. */
    ck_assert_int_eq(biq_token_cache_new(BIQ_TOKEN_CACHE_WAYS, &cache), BIQ_OK);
    for (int i = 0; i < BIQ_TOKEN_CACHE_WAYS; i++)
        biq_token_cache_put(cache, d[i], 1, &p, &ctx, &info);
    ck_assert(biq_token_cache_get(cache, d[0], 1, set, &p, &got));
    biq_token_cache_put(cache, d[BIQ_TOKEN_CACHE_WAYS], 1, &p, &ctx, &info);
    ck_assert(biq_token_cache_get(cache, d[0], 1, set, &p, &got));
    ck_assert(!biq_token_cache_get(cache, d[1], 1, set, &p, &got));
    ck_assert(biq_token_cache_get(cache, d[BIQ_TOKEN_CACHE_WAYS], 1, set, &p, &got));
    biq_token_cache_free(cache);
    biq_jwks_free(set);
}
END_TEST

/* A full set loses its least recently used entry, wherever it sits: the
 * victim is put in each of the WAYS slots in turn by touching the others. */
START_TEST(lru_victim_in_every_slot)
{
    biq_jwks *set = set_of(key_a, KID_A);
    biq_fit_policy p;
    biq_fit_policy_init(&p, "ari:cloud:ecosystem::app/x", NOW);
    biq_tenant_ctx ctx = {0}, got;
    memcpy(ctx.app_id, p.app_id, strlen(p.app_id) + 1);
    biq_fit_verified info = {.exp = NOW + 20, .iat_lo = NOW, .iat_hi = NOW, .kid = KID_A};
    uint8_t d[BIQ_TOKEN_CACHE_WAYS + 1][BIQ_TOKEN_CACHE_DIGEST];
    char text[32];
    for (int victim = 0; victim < BIQ_TOKEN_CACHE_WAYS; victim++) {
        biq_token_cache *cache = NULL;
        unsigned long long hits = 0, misses = 0;
        ck_assert_int_eq(biq_token_cache_new(BIQ_TOKEN_CACHE_WAYS, &cache), BIQ_OK);
        for (int i = 0; i <= BIQ_TOKEN_CACHE_WAYS; i++) {
            snprintf(text, sizeof text, "token-%d", i);
            ck_assert_int_eq(biq_token_cache_digest(cache, text, strlen(text), d[i]), BIQ_OK);
        }
        for (int i = 0; i < BIQ_TOKEN_CACHE_WAYS; i++)
            biq_token_cache_put(cache, d[i], 1, &p, &ctx, &info);
        /* Touch all but the victim, newest last: slots fill in put order. */
        for (int i = 0; i < BIQ_TOKEN_CACHE_WAYS; i++)
            if (i != victim)
                ck_assert(biq_token_cache_get(cache, d[i], 1, set, &p, &got));
        biq_token_cache_put(cache, d[BIQ_TOKEN_CACHE_WAYS], 1, &p, &ctx, &info);
        for (int i = 0; i <= BIQ_TOKEN_CACHE_WAYS; i++)
            ck_assert_msg(biq_token_cache_get(cache, d[i], 1, set, &p, &got) == (i != victim),
                          "victim %d, entry %d", victim, i);
        /* Lookups counted: WAYS - 1 touches, then WAYS hits and 1 miss. */
        biq_token_cache_lookups(cache, &hits, &misses);
        ck_assert_uint_eq(hits, 2 * BIQ_TOKEN_CACHE_WAYS - 1);
        ck_assert_uint_eq(misses, 1);
        biq_token_cache_free(cache);
    }
    biq_jwks_free(set);
}
END_TEST

START_TEST(refused_tokens_are_not_cached)
{
    biq_keyring *ring = ring_of(key_a, KID_A);
    char *t = token(key_a, KID_A), *forged = token(key_b, KID_A);
    biq_tenant_ctx ctx;
    /* Signed by the wrong key under the right kid. */
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(check_at(ring, forged, NOW, &ctx), BIQ_AUTH_SIGNATURE);
    ck_assert_uint_eq(biq_keyring_cached(ring), 0);
    /* A good token presented too late first: not cached either. */
    ck_assert_int_eq(check_at(ring, t, NOW + FIT_SIGN_LIFETIME_S, &ctx), BIQ_AUTH_EXPIRED);
    ck_assert_uint_eq(biq_keyring_cached(ring), 0);
    /* Another app's policy: refused by the full check after a cached success. */
    ck_assert_int_eq(check_at(ring, t, NOW, &ctx), BIQ_AUTH_OK);
    biq_fit_policy p;
    biq_auth_reason r;
    biq_fit_policy_init(&p, "ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000000ff", NOW);
    ck_assert_int_eq(biq_keyring_verify(ring, &p, t, strlen(t), &ctx, &r), BIQ_ERR_UNAUTHORIZED);
    ck_assert_int_eq(r, BIQ_AUTH_AUDIENCE);
    /* One byte changed in the signature: a different digest, full check. */
    t[strlen(t) - 2] = t[strlen(t) - 2] == 'A' ? 'B' : 'A';
    ck_assert_int_eq(check_at(ring, t, NOW, &ctx), BIQ_AUTH_SIGNATURE);
    free(t);
    free(forged);
    biq_keyring_free(ring);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("token_cache");
    TCase *tc = tcase_create("core");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, hit_returns_the_same_context);
    tcase_add_test(tc, expired_entry_is_refused);
    tcase_add_test(tc, key_set_install_invalidates);
    tcase_add_test(tc, generation_and_kid_checked);
    tcase_add_test(tc, capacity_is_a_bound);
    tcase_add_test(tc, lru_victim_in_every_slot);
    tcase_add_test(tc, refused_tokens_are_not_cached);
    suite_add_tcase(s, tc);
    return s;
}
