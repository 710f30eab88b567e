/* rsa_verify.c - RSA public keys from raw numbers and PKCS#1 v1.5 SHA-256
 * verification through OpenSSL 3's EVP API (see rsa_verify.h). */
#include "auth/rsa_verify.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

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

biq_err biq_rsa_verify_pkcs1_sha256(const EVP_PKEY *key, const uint8_t *msg, size_t msg_len,
                                    const uint8_t *sig, size_t sig_len)
{
    biq_err err = BIQ_ERR_UNAUTHORIZED;
    EVP_MD_CTX *md = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    size_t mod_len = biq_rsa_modulus_bytes(key);
    /* A signature is an integer below n written in exactly k bytes (RFC 8017
     * §8.2.2 step 1): any other length is malleable or malformed. */
    if (mod_len == 0 || sig_len != mod_len)
        goto out;
    if ((md = EVP_MD_CTX_new()) == NULL) {
        err = BIQ_ERR_NOMEM;
        goto out;
    }
    /* EVP_DigestVerifyInit_ex takes a non-const key but only reads it. */
    if (EVP_DigestVerifyInit_ex(md, &pctx, "SHA256", NULL, NULL, (EVP_PKEY *)key, NULL) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
        err = BIQ_ERR_CRYPTO;
        goto out;
    }
    if (EVP_DigestVerify(md, sig, sig_len, msg, msg_len) == 1)
        err = BIQ_OK;
out:
    EVP_MD_CTX_free(md);
    ERR_clear_error();
    return err;
}
