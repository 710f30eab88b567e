/* b64url.c - strict base64url decoder and encoder (see b64url.h for why it
 * is hand-written rather than taken from OpenSSL or cjose). */
#include "auth/b64url.h"

enum {
    B64_INVALID = 0xff,  /* marks a byte outside the alphabet */
    B64_GROUP_CHARS = 4, /* characters per 3-byte group */
    B64_GROUP_BYTES = 3,
};

static const char ALPHABET[64] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Maps a character to its 6-bit value; a switch on ranges rather than a
 * 256-entry table keeps the accepted set visible at a glance. */
static unsigned char sextet(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return (unsigned char)(c - 'A');
    if (c >= 'a' && c <= 'z')
        return (unsigned char)(c - 'a' + 26);
    if (c >= '0' && c <= '9')
        return (unsigned char)(c - '0' + 52);
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return B64_INVALID;
}

size_t biq_b64url_decoded_max(size_t in_len)
{
    size_t rem = in_len % B64_GROUP_CHARS;
    return in_len / B64_GROUP_CHARS * B64_GROUP_BYTES + (rem > 1 ? rem - 1 : 0);
}

size_t biq_b64url_encoded_len(size_t in_len)
{
    size_t rem = in_len % B64_GROUP_BYTES;
    return in_len / B64_GROUP_BYTES * B64_GROUP_CHARS + (rem > 0 ? rem + 1 : 0);
}

/* Decodes the final 2 or 3 characters: 2 give one byte (4 unused bits),
 * 3 give two bytes (2 unused bits); unused bits must be zero so that each
 * byte string has exactly one encoding. */
static biq_err decode_tail(const unsigned char *v, size_t n, uint8_t *out)
{
    if (n == 2) {
        if ((v[1] & 0x0f) != 0)
            return BIQ_ERR_INVALID;
        out[0] = (uint8_t)(v[0] << 2 | v[1] >> 4);
        return BIQ_OK;
    }
    if ((v[2] & 0x03) != 0)
        return BIQ_ERR_INVALID;
    out[0] = (uint8_t)(v[0] << 2 | v[1] >> 4);
    out[1] = (uint8_t)((v[1] & 0x0f) << 4 | v[2] >> 2);
    return BIQ_OK;
}

biq_err biq_b64url_decode(const char *in, size_t in_len, uint8_t *out, size_t out_cap,
                          size_t *out_len)
{
    biq_err err = BIQ_ERR_INVALID;
    size_t rem = in_len % B64_GROUP_CHARS, o = 0;
    *out_len = 0;
    if (rem == 1)
        goto out;
    if (biq_b64url_decoded_max(in_len) > out_cap) {
        err = BIQ_ERR_TOO_LARGE;
        goto out;
    }
    for (size_t i = 0; i < in_len; i += B64_GROUP_CHARS) {
        unsigned char v[B64_GROUP_CHARS];
        size_t n = in_len - i < B64_GROUP_CHARS ? in_len - i : B64_GROUP_CHARS;
        for (size_t k = 0; k < n; k++)
            if ((v[k] = sextet((unsigned char)in[i + k])) == B64_INVALID)
                goto out;
        if (n < B64_GROUP_CHARS) {
            if (decode_tail(v, n, out + o) != BIQ_OK)
                goto out;
            o += n - 1;
            break;
        }
        out[o++] = (uint8_t)(v[0] << 2 | v[1] >> 4);
        out[o++] = (uint8_t)((v[1] & 0x0f) << 4 | v[2] >> 2);
        out[o++] = (uint8_t)((v[2] & 0x03) << 6 | v[3]);
    }
    *out_len = o;
    err = BIQ_OK;
out:
    return err;
}

biq_err biq_b64url_encode(const uint8_t *in, size_t in_len, char *out, size_t out_cap,
                          size_t *out_len)
{
    size_t need = biq_b64url_encoded_len(in_len), o = 0;
    *out_len = 0;
    if (need >= out_cap)
        return BIQ_ERR_TOO_LARGE;
    for (size_t i = 0; i < in_len; i += B64_GROUP_BYTES) {
        size_t n = in_len - i < B64_GROUP_BYTES ? in_len - i : B64_GROUP_BYTES;
        uint32_t w = (uint32_t)in[i] << 16;
        if (n > 1)
            w |= (uint32_t)in[i + 1] << 8;
        if (n > 2)
            w |= in[i + 2];
        out[o++] = ALPHABET[w >> 18 & 0x3f];
        out[o++] = ALPHABET[w >> 12 & 0x3f];
        if (n > 1)
            out[o++] = ALPHABET[w >> 6 & 0x3f];
        if (n > 2)
            out[o++] = ALPHABET[w & 0x3f];
    }
    out[o] = '\0';
    *out_len = o;
    return BIQ_OK;
}
