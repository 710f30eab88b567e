/* fuzz_jws.c - the JWS layer and header policy (auth/fit.h): splitting,
 * strict base64url of every segment, JOSE header rules, kid lookup,
 * signature length and RS256 verification; then the claims and the
 * Authorization header rules on the same bytes, at a fixed clock.
 *
 * The key set is built once from the JWKS below: a real RSA-2048 public key
 * generated for this harness (its private half was used once to sign the
 * seed tokens in corpus/jws and then discarded). Public key only.
 *
 * Properties: failures leave *payload_len 0 and a reason other than OK; a
 * verified payload fits the buffer; a buffer one byte short of what the
 * token could decode to is TOO_LARGE; a refused FIT leaves the tenant
 * context all zero.
 */
#include <string.h>

#include "auth/b64url.h"
#include "auth/fit.h"
#include "auth/jwks.h"
#include "fuzz.h"

static const char FUZZ_JWKS[] =
    "{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"fuzz-key-1\","
    "\"e\":\"AQAB\",\"n\":\""
    "qc6x4ZRHaMyxWlJkCAgoxRnIcnaX8AIGh2vNXacw-pTHvgqYK45eWhBGzAO8MwTDdukiAJ1S8z6K"
    "ALKenyAbkHSDJpuXCWuSHHz3U76knC6e8OdGz1JzJC-0K9jYP5axUWCGOH2566BXKkJmZ9wxa9HN"
    "wSR2-yADuUXglcXSQ-sonqm23B_vT647F2Zp3YkI4ATRLTBoobK4LhaCM7Ywfn1F2k2rq011ph8e"
    "uKZzQ-06c7xsWRtv4xCxyotu8tYux_lLcBDGErt_nFCq96KgiE7s2svFM2xRv-iB32rL_kJwZ-tT"
    "UYsd8ssw2zSKfd3Kd2NswWb_QGCKcIczka83IQ"
    "\"}]}";

static biq_jwks *keys;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char why[BIQ_JWKS_WHY_MIN];
    (void)argc;
    (void)argv;
    if (biq_jwks_parse(FUZZ_JWKS, sizeof FUZZ_JWKS - 1, &keys, why, sizeof why) != BIQ_OK) {
        fprintf(stderr, "fuzz_jws: embedded JWKS refused: %s\n", why);
        abort();
    }
    return 0;
}

static bool all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return false;
    return true;
}

static void jws_layer(const char *token, size_t len)
{
    size_t cap = biq_b64url_decoded_max(len), n = 999;
    biq_auth_reason why = BIQ_AUTH_OK;
    uint8_t *payload = malloc(cap > 0 ? cap : 1);
    FUZZ_CHECK(payload != NULL);
    biq_err err = biq_jws_verify(keys, token, len, payload, cap, &n, &why);
    if (err == BIQ_OK) {
        FUZZ_CHECK(why == BIQ_AUTH_OK && n <= cap);
    } else {
        FUZZ_CHECK(n == 0 && why != BIQ_AUTH_OK && why < BIQ_AUTH_REASON__COUNT);
        FUZZ_CHECK(err == BIQ_ERR_UNAUTHORIZED);
    }
    if (cap > 0 && len <= BIQ_FIT_TOKEN_MAX) {
        n = 999;
        FUZZ_CHECK(biq_jws_verify(keys, token, len, payload, cap - 1, &n, &why) ==
                   BIQ_ERR_TOO_LARGE);
        FUZZ_CHECK(n == 0 && why == BIQ_AUTH_INTERNAL);
    }
    free(payload);
}

static void fit_layer(const char *token, size_t len)
{
    biq_fit_policy p;
    biq_tenant_ctx ctx;
    biq_auth_reason why = BIQ_AUTH_OK;
    biq_fit_policy_init(&p, FUZZ_APP_ID, FUZZ_NOW);
    biq_err err = biq_fit_verify(keys, &p, token, len, &ctx, &why);
    if (err == BIQ_OK) {
        FUZZ_CHECK(why == BIQ_AUTH_OK && ctx.tenant_id[0] != '\0');
        FUZZ_CHECK(memchr(ctx.tenant_id, '\0', sizeof ctx.tenant_id) != NULL);
    } else {
        FUZZ_CHECK(why != BIQ_AUTH_OK && all_zero(&ctx, sizeof ctx));
    }
}

static void header_layer(const char *token, size_t len)
{
    static const char BEARER[] = "Bearer ";
    biq_fit_policy p;
    biq_tenant_ctx ctx;
    biq_auth_reason why = BIQ_AUTH_OK;
    char *value = malloc(sizeof BEARER + len);
    FUZZ_CHECK(value != NULL);
    memcpy(value, BEARER, sizeof BEARER - 1);
    memcpy(value + sizeof BEARER - 1, token, len);
    value[sizeof BEARER - 1 + len] = '\0';
    biq_fit_policy_init(&p, FUZZ_APP_ID, FUZZ_NOW);
    /* The raw bytes as the whole header value, then behind the scheme. */
    if (biq_auth_from_header(keys, &p, 1, value + sizeof BEARER - 1, &ctx, &why) != BIQ_OK)
        FUZZ_CHECK(why != BIQ_AUTH_OK && all_zero(&ctx, sizeof ctx));
    if (biq_auth_from_header(keys, &p, 1, value, &ctx, &why) != BIQ_OK)
        FUZZ_CHECK(why != BIQ_AUTH_OK && all_zero(&ctx, sizeof ctx));
    FUZZ_CHECK(biq_auth_from_header(keys, &p, 2, value, &ctx, &why) != BIQ_OK &&
               why == BIQ_AUTH_MULTIPLE_HEADERS);
    free(value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    jws_layer((const char *)data, size);
    fit_layer((const char *)data, size);
    header_layer((const char *)data, size);
    return 0;
}
