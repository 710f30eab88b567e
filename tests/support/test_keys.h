/* test_keys.h - one RSA signing key and the key set that trusts it, for the
 * unit tests of token verification (the harness has its own for servers). */
#ifndef BIQ_TEST_KEYS_H
#define BIQ_TEST_KEYS_H

#include <openssl/evp.h>

#include "auth/jwks.h"

/* A fresh 2048-bit key into *key and the parsed key set of it under kid
 * into *jwks; aborts when either cannot be made (a precondition). Free
 * with test_keys_free. */
void test_keys_make(const char *kid, EVP_PKEY **key, biq_jwks **jwks);

void test_keys_free(EVP_PKEY *key, biq_jwks *jwks);

#endif
