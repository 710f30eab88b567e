/* test_b64url.c - the strict base64url decoder: RFC 4648 vectors, every
 * non-canonical spelling refused, round trips, and bounded output. */
#include <stdint.h>
#include <string.h>

#include "auth/b64url.h"
#include "testsupport.h"

enum { BUF = 64 };

static biq_err dec(const char *s, uint8_t *out, size_t cap, size_t *len)
{
    return biq_b64url_decode(s, strlen(s), out, cap, len);
}

START_TEST(rfc4648_vectors)
{
    /* RFC 4648 §10 without padding. */
    static const char *const enc[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    for (size_t i = 0; i < sizeof enc / sizeof enc[0]; i++) {
        uint8_t out[BUF];
        size_t len = 99;
        ck_assert_int_eq(dec(enc[i], out, sizeof out, &len), BIQ_OK);
        ck_assert_uint_eq(len, strlen(plain[i]));
        ck_assert_int_eq(memcmp(out, plain[i], len), 0);
        ck_assert_uint_eq(biq_b64url_decoded_max(strlen(enc[i])), len);
    }
}
END_TEST

START_TEST(url_alphabet)
{
    uint8_t out[BUF];
    size_t len;
    ck_assert_int_eq(dec("-_-_", out, sizeof out, &len), BIQ_OK);
    ck_assert_uint_eq(len, 3);
    ck_assert_uint_eq(out[0], 0xfb);
    ck_assert_uint_eq(out[1], 0xff);
    ck_assert_uint_eq(out[2], 0xbf);
    /* The standard alphabet's + and / are foreign here. */
    ck_assert_int_eq(dec("+/+/", out, sizeof out, &len), BIQ_ERR_INVALID);
    ck_assert_uint_eq(len, 0);
}
END_TEST

START_TEST(refuses_non_canonical)
{
    static const char *const bad[] = {
        "Q===",      "Q",        "QQ==",  "QQ=", "Zm9v=", "Zm9v\n",
        " Zm9v",     "Zm 9v",    "Zm9v.", "Zh", /* 'h' leaves non-zero trailing bits: Zg is the one
                                                   spelling of "f" */
        "Zm9",                                  /* 9 = 0b111101, low 2 bits set */
        "Zm9vYmFyZ",                            /* length mod 4 == 1 */
        "Zm9\x80",   "Zm9v\xff", "=",     "==",  "A===",  "AAAA=",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t out[BUF];
        size_t len = 7;
        ck_assert_msg(dec(bad[i], out, sizeof out, &len) == BIQ_ERR_INVALID, "accepted #%zu", i);
        ck_assert_uint_eq(len, 0);
    }
    /* An embedded NUL is a foreign character, not an end. */
    uint8_t out[BUF];
    size_t len;
    ck_assert_int_eq(biq_b64url_decode("Zm\0v", 4, out, sizeof out, &len), BIQ_ERR_INVALID);
}
END_TEST

START_TEST(every_last_character_canonical_once)
{
    /* Of the 64 characters that can end a 2-character group exactly 4
     * (low 4 bits zero) decode, and for 3-character groups exactly 16. */
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned ok2 = 0, ok3 = 0;
    for (size_t i = 0; i < 64; i++) {
        char two[3] = {'Q', A[i], 0}, three[4] = {'Q', 'Q', A[i], 0};
        uint8_t out[BUF];
        size_t len;
        ok2 += dec(two, out, sizeof out, &len) == BIQ_OK;
        ok3 += dec(three, out, sizeof out, &len) == BIQ_OK;
    }
    ck_assert_uint_eq(ok2, 4);
    ck_assert_uint_eq(ok3, 16);
}
END_TEST

START_TEST(bounded_output)
{
    uint8_t out[BUF];
    size_t len = 5;
    ck_assert_int_eq(dec("Zm9vYmFy", out, 5, &len), BIQ_ERR_TOO_LARGE);
    ck_assert_uint_eq(len, 0);
    ck_assert_int_eq(dec("Zm9vYmFy", out, 6, &len), BIQ_OK);
    ck_assert_uint_eq(len, 6);
    ck_assert_int_eq(dec("", NULL, 0, &len), BIQ_OK);
    ck_assert_uint_eq(len, 0);
}
END_TEST

START_TEST(round_trip_all_lengths)
{
    uint8_t in[BUF], out[BUF];
    char enc[2 * BUF];
    for (size_t n = 0; n < BUF; n++) {
        for (size_t i = 0; i < n; i++)
            in[i] = (uint8_t)(i * 37 + n * 11 + 0x80);
        size_t elen, dlen;
        ck_assert_int_eq(biq_b64url_encode(in, n, enc, sizeof enc, &elen), BIQ_OK);
        ck_assert_uint_eq(elen, biq_b64url_encoded_len(n));
        ck_assert_uint_eq(strlen(enc), elen);
        ck_assert_int_eq(biq_b64url_decode(enc, elen, out, sizeof out, &dlen), BIQ_OK);
        ck_assert_uint_eq(dlen, n);
        ck_assert_int_eq(memcmp(in, out, n), 0);
    }
    size_t elen;
    ck_assert_int_eq(biq_b64url_encode(in, 3, enc, 4, &elen), BIQ_ERR_TOO_LARGE);
    ck_assert_int_eq(biq_b64url_encode(in, 3, enc, 5, &elen), BIQ_OK);
}
END_TEST

START_TEST(mutations_never_crash_and_stay_strict)
{
    /* Every single-byte change of a canonical string either decodes to
     * something that re-encodes to the mutated text (still canonical), or
     * is refused: no other outcome. */
    static const char *const base = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0";
    size_t n = strlen(base);
    for (size_t pos = 0; pos < n; pos++) {
        for (unsigned v = 0; v < 256; v++) {
            char m[BUF], re[2 * BUF];
            uint8_t out[BUF];
            size_t len, rlen;
            memcpy(m, base, n);
            m[pos] = (char)v;
            if (biq_b64url_decode(m, n, out, sizeof out, &len) != BIQ_OK)
                continue;
            ck_assert_int_eq(biq_b64url_encode(out, len, re, sizeof re, &rlen), BIQ_OK);
            ck_assert_uint_eq(rlen, n);
            ck_assert_int_eq(memcmp(re, m, n), 0);
        }
    }
    for (size_t cut = 0; cut <= n; cut++) {
        uint8_t out[BUF];
        size_t len;
        biq_err e = biq_b64url_decode(base, cut, out, sizeof out, &len);
        ck_assert(e == BIQ_OK || e == BIQ_ERR_INVALID);
        if (cut % 4 == 1)
            ck_assert_int_eq(e, BIQ_ERR_INVALID);
    }
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("b64url");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, rfc4648_vectors);
    tcase_add_test(tc, url_alphabet);
    tcase_add_test(tc, refuses_non_canonical);
    tcase_add_test(tc, every_last_character_canonical_once);
    tcase_add_test(tc, bounded_output);
    tcase_add_test(tc, round_trip_all_lengths);
    tcase_add_test(tc, mutations_never_crash_and_stay_strict);
    suite_add_tcase(s, tc);
    return s;
}
