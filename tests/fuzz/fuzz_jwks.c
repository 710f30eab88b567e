/* fuzz_jwks.c - the JWKS importer (auth/jwks.h) and the kid rule.
 *
 * Properties: a refused set gives NULL and a non-empty, NUL-terminated
 * reason, also when the reason buffer is tiny; an accepted set holds
 * 1..BIQ_JWKS_KEYS_MAX keys, each with a valid, unique kid that looks up to
 * an RSA key of at least BIQ_JWKS_RSA_MIN_BITS; an unknown kid finds
 * nothing.
 */
#include <string.h>

#include "auth/jwks.h"
#include "auth/rsa_verify.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[BIQ_JWKS_WHY_MIN];
    char tiny[4];
    biq_jwks *set = (biq_jwks *)1;
    const char *json = (const char *)data;
    (void)biq_jwks_kid_valid(json, size);
    biq_err err = biq_jwks_parse(json, size, &set, why, sizeof why);
    if (err != BIQ_OK) {
        FUZZ_CHECK(set == NULL && why[0] != '\0' && memchr(why, '\0', sizeof why) != NULL);
        set = (biq_jwks *)1;
        FUZZ_CHECK(biq_jwks_parse(json, size, &set, tiny, sizeof tiny) == err && set == NULL);
        FUZZ_CHECK(memchr(tiny, '\0', sizeof tiny) != NULL);
        return 0;
    }
    size_t n = biq_jwks_count(set);
    FUZZ_CHECK(set != NULL && n >= 1 && n <= BIQ_JWKS_KEYS_MAX);
    for (size_t i = 0; i < n; i++) {
        const char *kid = biq_jwks_kid(set, i);
        FUZZ_CHECK(kid != NULL && biq_jwks_kid_valid(kid, strlen(kid)));
        const EVP_PKEY *k = biq_jwks_lookup(set, kid, strlen(kid));
        FUZZ_CHECK(k != NULL && biq_rsa_modulus_bytes(k) * 8 >= BIQ_JWKS_RSA_MIN_BITS);
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(strcmp(biq_jwks_kid(set, j), kid) != 0);
    }
    FUZZ_CHECK(biq_jwks_kid(set, n) == NULL);
    FUZZ_CHECK(biq_jwks_lookup(set, "no such kid", 11) == NULL); /* spaces: never a kid */
    biq_jwks_free(set);
    return 0;
}
