/* b64url.h - strict base64url (RFC 4648 §5) without padding, as JOSE uses it.
 *
 * Hand-written on purpose: OpenSSL's EVP_DecodeBlock is standard base64
 * (`+/`), accepts `=` padding and skips whitespace, so it cannot tell a
 * canonical JWS segment from a malleated one; Debian 12's cjose asserts (and
 * so aborts the process) on a segment such as `Q===`. This decoder accepts
 * exactly one spelling per byte string: alphabet A-Z a-z 0-9 - _, no `=`,
 * length mod 4 != 1, and the unused low bits of the last character zero.
 * Pure functions on caller buffers: no allocation, thread-safe.
 */
#ifndef BIQ_AUTH_B64URL_H
#define BIQ_AUTH_B64URL_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* The most bytes that in_len characters can decode to (exact for canonical
 * input). Use it to size the output buffer. */
size_t biq_b64url_decoded_max(size_t in_len);

/* The characters needed to encode in_len bytes (no padding, no NUL). */
size_t biq_b64url_encoded_len(size_t in_len);

/* Decodes in[0..in_len) into out (capacity out_cap) and stores the byte
 * count in *out_len. Empty input decodes to zero bytes. Returns BIQ_OK,
 * BIQ_ERR_INVALID (any non-canonical input: foreign character, `=`,
 * length mod 4 == 1, non-zero trailing bits) or BIQ_ERR_TOO_LARGE (out_cap
 * too small). On failure *out_len is 0 and out holds unspecified bytes. */
biq_err biq_b64url_decode(const char *in, size_t in_len, uint8_t *out, size_t out_cap,
                          size_t *out_len);

/* Encodes in[0..in_len) into out (capacity out_cap, which must also hold a
 * terminating NUL) and stores the character count in *out_len. Returns
 * BIQ_OK or BIQ_ERR_TOO_LARGE. */
biq_err biq_b64url_encode(const uint8_t *in, size_t in_len, char *out, size_t out_cap,
                          size_t *out_len);

#endif
