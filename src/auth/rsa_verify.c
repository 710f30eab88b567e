/* rsa_verify.c - RSA public keys from raw numbers and PKCS#1 v1.5 SHA-256
 * verification through OpenSSL 3's EVP API (see rsa_verify.h). */
#include "auth/rsa_verify.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <stdlib.h>

biq_err biq_rsa_public_from_be(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len,
                               EVP_PKEY **out)
{
    biq_err err = BIQ_ERR_INVALID;
    BIGNUM *bn_n = NULL, *bn_e = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    *out = NULL;
    if (n_len == 0 || n_len > BIQ_RSA_MAX_BYTES || e_len == 0 || e_len > BIQ_RSA_EXP_MAX_BYTES)
        goto out;
    err = BIQ_ERR_NOMEM;
    bn_n = BN_bin2bn(n, (int)n_len, NULL);
    bn_e = BN_bin2bn(e, (int)e_len, NULL);
    bld = OSSL_PARAM_BLD_new();
    if (bn_n == NULL || bn_e == NULL || bld == NULL)
        goto out;
    err = BIQ_ERR_CRYPTO;
    if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
        goto out;
    if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
        EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        goto out;
    err = BIQ_OK;
out:
    if (err != BIQ_OK) {
        EVP_PKEY_free(*out);
        *out = NULL;
        ERR_clear_error();
    }
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_e);
    BN_free(bn_n);
    return err;
}

size_t biq_rsa_modulus_bytes(const EVP_PKEY *key)
{
    if (key == NULL || !EVP_PKEY_is_a(key, "RSA"))
        return 0;
    int size = EVP_PKEY_get_size(key);
    return size > 0 ? (size_t)size : 0;
}

struct biq_rsa_verifier {
    EVP_MD *sha256;         /* fetched once, for EVP_Digest */
    EVP_PKEY_CTX *prepared; /* verify-initialised, padding and digest set; holds the key */
    size_t mod_len;
};

biq_err biq_rsa_verifier_new(const EVP_PKEY *key, biq_rsa_verifier **out)
{
    biq_err err = BIQ_ERR_INVALID;
    biq_rsa_verifier *v = NULL;
    size_t mod_len = biq_rsa_modulus_bytes(key);
    *out = NULL;
    if (mod_len == 0)
        goto out;
    err = BIQ_ERR_NOMEM;
    if ((v = calloc(1, sizeof *v)) == NULL)
        goto out;
    v->mod_len = mod_len;
    err = BIQ_ERR_CRYPTO;
    /* EVP_PKEY_CTX_new_from_pkey takes a non-const key but only reads it
     * (and takes a reference, which OpenSSL counts atomically). */
    if ((v->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL ||
        (v->prepared = EVP_PKEY_CTX_new_from_pkey(NULL, (EVP_PKEY *)key, NULL)) == NULL ||
        EVP_PKEY_verify_init(v->prepared) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(v->prepared, RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_CTX_set_signature_md(v->prepared, v->sha256) != 1)
        goto out;
    *out = v;
    v = NULL;
    err = BIQ_OK;
out:
    biq_rsa_verifier_free(v);
    ERR_clear_error();
    return err;
}

void biq_rsa_verifier_free(biq_rsa_verifier *v)
{
    if (v == NULL)
        return;
    EVP_PKEY_CTX_free(v->prepared);
    EVP_MD_free(v->sha256);
    free(v);
}

size_t biq_rsa_verifier_modulus_bytes(const biq_rsa_verifier *v)
{
    return v != NULL ? v->mod_len : 0;
}

biq_err biq_rsa_verifier_verify(const biq_rsa_verifier *v, const uint8_t *msg, size_t msg_len,
                                const uint8_t *sig, size_t sig_len)
{
    biq_err err = BIQ_ERR_UNAUTHORIZED;
    EVP_PKEY_CTX *ctx = NULL;
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned digest_len = 0; /* mutate: equivalent const: set by EVP_Digest before any read */
    /* A signature is an integer below n written in exactly k bytes (RFC 8017
     * §8.2.2 step 1): any other length is malleable or malformed. */
    if (v == NULL || sig_len != v->mod_len)
        goto out;
    err = BIQ_ERR_CRYPTO;
    if (EVP_Digest(msg, msg_len, digest, &digest_len, v->sha256, NULL) != 1)
        goto out;
    /* A private copy per call: a context is not safe to use from two threads,
     * and duplicating the prepared one skips every algorithm look-up. */
    if ((ctx = EVP_PKEY_CTX_dup(v->prepared)) == NULL)
        goto out;
    /* OpenSSL checks the type 1 padding and the whole SHA-256 DigestInfo
     * (RSA_verify), as EVP_DigestVerify would after hashing. */
    err = EVP_PKEY_verify(ctx, sig, sig_len, digest, digest_len) == 1 ? BIQ_OK
                                                                        : BIQ_ERR_UNAUTHORIZED;
out:
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return err;
}

biq_err biq_rsa_verify_pkcs1_sha256(const EVP_PKEY *key, const uint8_t *msg, size_t msg_len,
                                    const uint8_t *sig, size_t sig_len)
{
    biq_rsa_verifier *v = NULL;
    /* One-off verifications take the same path as the key set's, so the
     * Wycheproof vectors test the code that checks tokens. A key that is
     * not RSA is a signature that does not verify, as before. */
    biq_err err = biq_rsa_verifier_new(key, &v);
    if (err == BIQ_OK)
        err = biq_rsa_verifier_verify(v, msg, msg_len, sig, sig_len);
    else if (err == BIQ_ERR_INVALID)
        err = BIQ_ERR_UNAUTHORIZED;
    biq_rsa_verifier_free(v);
    return err;
}
