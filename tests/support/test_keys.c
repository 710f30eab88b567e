/* test_keys.c - a signing key and its key set for unit tests (see
 * test_keys.h). */
#include "test_keys.h"

#include <stdlib.h>
#include <string.h>

#include "fit_sign.h"

enum { WHY_MAX = 256 };

void test_keys_make(const char *kid, EVP_PKEY **key, biq_jwks **jwks)
{
    char why[WHY_MAX];
    *key = fit_sign_keygen();
    char *text = *key != NULL ? fit_sign_jwks(*key, kid) : NULL;
    if (text == NULL || biq_jwks_parse(text, strlen(text), jwks, why, sizeof why) != BIQ_OK)
        abort();
    free(text);
}

void test_keys_free(EVP_PKEY *key, biq_jwks *jwks)
{
    biq_jwks_free(jwks);
    EVP_PKEY_free(key);
}
