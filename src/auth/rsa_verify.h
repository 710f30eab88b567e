/* rsa_verify.h - the raw RSA layer of the FIT verifier: an RSA public key
 * from its big-endian modulus and exponent, and RSASSA-PKCS1-v1_5 with
 * SHA-256 verification of a message (RFC 8017 §8.2.2), via OpenSSL 3's EVP
 * API. No JOSE here: jwks.c and fit.c build on it, and the Wycheproof RSA
 * vectors test it directly. Thread-safe: a key or verifier built here is
 * only read afterwards, and OpenSSL 3 allows concurrent verifies with one
 * EVP_PKEY.
 *
 * Why a verifier object: OpenSSL 3 looks algorithms up by name in a locked
 * method store. Doing that per token (EVP_DigestVerifyInit_ex fetches
 * SHA-256 and the RSA signature method each call) cost ~4 us of a ~17 us
 * RSA-2048 verify; a verifier does the look-ups once per key.
 */
#ifndef BIQ_AUTH_RSA_VERIFY_H
#define BIQ_AUTH_RSA_VERIFY_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

enum {
    /* Upper bound on the modulus we agree to build: bounds verify cost and
     * every buffer sized from it (keys in Atlassian's set are 2048-bit). */
    BIQ_RSA_MAX_BITS = 8192,
    BIQ_RSA_MAX_BYTES = BIQ_RSA_MAX_BITS / 8,
    /* OpenSSL refuses larger public exponents on big moduli; we refuse
     * them everywhere. */
    BIQ_RSA_EXP_MAX_BYTES = 8,
};

/* Builds an RSA public key from big-endian n (n_len bytes) and e (e_len
 * bytes) with EVP_PKEY_fromdata. No policy checks beyond the size bounds
 * above (jwks.c applies the key-set rules). On success *out is a new key the
 * caller frees with EVP_PKEY_free(). Returns BIQ_OK, BIQ_ERR_INVALID (empty
 * or oversized n or e), BIQ_ERR_NOMEM or BIQ_ERR_CRYPTO. */
biq_err biq_rsa_public_from_be(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len,
                               EVP_PKEY **out);

/* Modulus size in bytes of an RSA key (the only valid signature length),
 * 0 when key is NULL or not RSA. */
size_t biq_rsa_modulus_bytes(const EVP_PKEY *key);

/* Verifies sig as an RSASSA-PKCS1-v1_5 SHA-256 signature of msg under key.
 * The signature must be exactly biq_rsa_modulus_bytes(key) long (no
 * leading-zero tolerance, no short forms). Returns BIQ_OK when it verifies,
 * BIQ_ERR_UNAUTHORIZED when it does not (for whatever reason OpenSSL gives),
 * BIQ_ERR_NOMEM / BIQ_ERR_CRYPTO when a context could not be set up.
 * Leaves OpenSSL's thread-local error queue empty. */
biq_err biq_rsa_verify_pkcs1_sha256(const EVP_PKEY *key, const uint8_t *msg, size_t msg_len,
                                    const uint8_t *sig, size_t sig_len);

/* A public key prepared for many RSASSA-PKCS1-v1_5 SHA-256 verifications:
 * SHA-256 fetched once, and a verify context with PKCS#1 v1.5 padding and
 * SHA-256 set that each verification duplicates. Never modified after
 * biq_rsa_verifier_new, so any number of threads may verify with one
 * verifier at once (concurrent EVP_PKEY_CTX_dup only reads its source and
 * takes references atomically). */
typedef struct biq_rsa_verifier biq_rsa_verifier;

/* Prepares key, which must be an RSA public key (the verifier takes its own
 * reference: the caller keeps ownership of key and may free it). On success
 * *out is owned by the caller (biq_rsa_verifier_free). Returns BIQ_OK,
 * BIQ_ERR_INVALID (key NULL or not RSA), BIQ_ERR_NOMEM or BIQ_ERR_CRYPTO,
 * with *out NULL on failure. Leaves OpenSSL's error queue empty. */
biq_err biq_rsa_verifier_new(const EVP_PKEY *key, biq_rsa_verifier **out);

/* Frees the verifier (and drops its key reference). NULL is a no-op. No
 * thread may be verifying with it. */
void biq_rsa_verifier_free(biq_rsa_verifier *v);

/* Modulus size in bytes of the verifier's key, 0 for NULL. Thread-safe. */
size_t biq_rsa_verifier_modulus_bytes(const biq_rsa_verifier *v);

/* biq_rsa_verify_pkcs1_sha256 with a prepared key: same length rule, same
 * results (BIQ_ERR_UNAUTHORIZED also for a NULL verifier), same empty error
 * queue afterwards. Thread-safe. */
biq_err biq_rsa_verifier_verify(const biq_rsa_verifier *v, const uint8_t *msg, size_t msg_len,
                                const uint8_t *sig, size_t sig_len);

#endif
