/* fuzz_b64url.c - the strict base64url decoder (auth/b64url.h).
 *
 * Properties: decoding never writes past out_cap and reports INVALID or
 * TOO_LARGE with *out_len 0 on failure; whatever decodes re-encodes to the
 * very same text (one spelling per byte string); a buffer one byte short is
 * TOO_LARGE; and any byte string round-trips through encode and decode.
 */
#include <string.h>

#include "auth/b64url.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static void decode_side(const char *in, size_t len)
{
    size_t max = biq_b64url_decoded_max(len), n = 12345, m = 12345;
    uint8_t *out = malloc(max > 0 ? max : 1);
    FUZZ_CHECK(out != NULL);
    biq_err err = biq_b64url_decode(in, len, out, max, &n);
    if (err != BIQ_OK) {
        FUZZ_CHECK(err == BIQ_ERR_INVALID && n == 0);
        free(out);
        return;
    }
    FUZZ_CHECK(n == max);
    size_t cap = biq_b64url_encoded_len(n) + 1;
    char *enc = malloc(cap);
    FUZZ_CHECK(enc != NULL);
    FUZZ_CHECK(biq_b64url_encode(out, n, enc, cap, &m) == BIQ_OK);
    FUZZ_CHECK(m == len && memcmp(enc, in, len) == 0 && enc[m] == '\0');
    if (n > 0) {
        FUZZ_CHECK(biq_b64url_decode(in, len, out, n - 1, &m) == BIQ_ERR_TOO_LARGE);
        FUZZ_CHECK(m == 0);
    }
    free(enc);
    free(out);
}

static void encode_side(const uint8_t *data, size_t size)
{
    size_t need = biq_b64url_encoded_len(size), m = 1, n = 1;
    char *enc = malloc(need + 1);
    FUZZ_CHECK(enc != NULL);
    FUZZ_CHECK(biq_b64url_encode(data, size, enc, need, &m) == BIQ_ERR_TOO_LARGE && m == 0);
    FUZZ_CHECK(biq_b64url_encode(data, size, enc, need + 1, &m) == BIQ_OK && m == need);
    uint8_t *back = malloc(size > 0 ? size : 1);
    FUZZ_CHECK(back != NULL);
    FUZZ_CHECK(biq_b64url_decode(enc, m, back, size, &n) == BIQ_OK);
    FUZZ_CHECK(n == size && memcmp(back, data, size) == 0);
    free(back);
    free(enc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    decode_side((const char *)data, size);
    encode_side(data, size);
    return 0;
}
