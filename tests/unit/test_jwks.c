/* test_jwks.c - key-set import: each rule of security.md §1 refuses the
 * whole set with a message naming the key and the rule; good sets load,
 * look up exactly, and load from bounded files. */
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/b64url.h"
#include "auth/jwks.h"
#include "fit_sign.h"
#include "testsupport.h"

enum { WHY = 512, NB = 1100 };

/* Generated once in the parent (unchecked fixture) and inherited by every
 * forked test: RSA key generation is the slow part. */
static EVP_PKEY *key_a, *key_b, *key_small;

static void make_keys(void)
{
    key_a = fit_sign_keygen();
    key_b = fit_sign_keygen();
    key_small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
}

static void free_keys(void)
{
    EVP_PKEY_free(key_a);
    EVP_PKEY_free(key_b);
    EVP_PKEY_free(key_small);
}

static json_t *load_json(char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    free(text);
    ck_assert_ptr_nonnull(j);
    return j;
}

static json_t *set_of(EVP_PKEY *k1, const char *kid1, EVP_PKEY *k2, const char *kid2)
{
    EVP_PKEY *keys[2] = {k1, k2};
    const char *kids[2] = {kid1, kid2};
    return load_json(fit_sign_jwks_multi(keys, kids, k2 != NULL ? 2 : 1));
}

static json_t *key_at(json_t *set, size_t i)
{
    return json_array_get(json_object_get(set, "keys"), i);
}

/* Parses set; returns the error and leaves the message in why. */
static biq_err try_parse(json_t *set, char *why)
{
    char *text = json_dumps(set, JSON_COMPACT);
    biq_jwks *jwks = (biq_jwks *)1;
    biq_err err = biq_jwks_parse(text, strlen(text), &jwks, why, WHY);
    if (err == BIQ_OK)
        biq_jwks_free(jwks);
    else
        ck_assert_ptr_null(jwks);
    free(text);
    return err;
}

static void expect_refused(json_t *set, const char *needle1, const char *needle2)
{
    char why[WHY] = "";
    ck_assert_int_eq(try_parse(set, why), BIQ_ERR_INVALID);
    ck_assert_msg(strstr(why, needle1) != NULL, "'%s' lacks '%s'", why, needle1);
    if (needle2 != NULL)
        ck_assert_msg(strstr(why, needle2) != NULL, "'%s' lacks '%s'", why, needle2);
}

/* Replaces base64url member name of key 0 with bytes[0..len). */
static void set_b64(json_t *set, const char *name, const uint8_t *bytes, size_t len)
{
    char enc[2 * NB];
    size_t elen;
    ck_assert_int_eq(biq_b64url_encode(bytes, len, enc, sizeof enc, &elen), BIQ_OK);
    json_object_set_new(key_at(set, 0), name, json_string(enc));
}

static size_t get_b64(json_t *set, const char *name, uint8_t *out)
{
    const char *s = json_string_value(json_object_get(key_at(set, 0), name));
    size_t len;
    ck_assert_int_eq(biq_b64url_decode(s, strlen(s), out, NB, &len), BIQ_OK);
    return len;
}

START_TEST(good_set_loads_and_looks_up_exactly)
{
    json_t *set =
        set_of(key_a, "forge/invocation-token/wf-1", key_b, "forge/invocation-token/wf-2");
    char *text = json_dumps(set, 0), why[WHY] = "";
    biq_jwks *jwks = NULL;
    ck_assert_int_eq(biq_jwks_parse(text, strlen(text), &jwks, why, sizeof why), BIQ_OK);
    ck_assert_uint_eq(biq_jwks_count(jwks), 2);
    ck_assert_str_eq(biq_jwks_kid(jwks, 1), "forge/invocation-token/wf-2");
    ck_assert_ptr_null(biq_jwks_kid(jwks, 2));
    ck_assert_ptr_nonnull(biq_jwks_lookup(jwks, "forge/invocation-token/wf-1", 27));
    ck_assert_ptr_null(biq_jwks_lookup(jwks, "forge/invocation-token/wf-", 26));
    ck_assert_ptr_null(biq_jwks_lookup(jwks, "forge/invocation-token/wf-12", 28));
    ck_assert_ptr_null(biq_jwks_lookup(jwks, "FORGE/invocation-token/wf-1", 27));
    ck_assert(biq_jwks_lookup(jwks, "forge/invocation-token/wf-1", 27) !=
              biq_jwks_lookup(jwks, "forge/invocation-token/wf-2", 27));
    /* Each key comes prepared for verification, found by the same rule. */
    const biq_rsa_verifier *v1 = biq_jwks_verifier(jwks, "forge/invocation-token/wf-1", 27);
    ck_assert_ptr_nonnull(v1);
    ck_assert_ptr_ne(v1, biq_jwks_verifier(jwks, "forge/invocation-token/wf-2", 27));
    const EVP_PKEY *k1 = biq_jwks_lookup(jwks, "forge/invocation-token/wf-1", 27);
    ck_assert_uint_eq(biq_rsa_verifier_modulus_bytes(v1), biq_rsa_modulus_bytes(k1));
    ck_assert_ptr_null(biq_jwks_verifier(jwks, "forge/invocation-token/wf-", 26));
    ck_assert_ptr_null(biq_jwks_verifier(NULL, "x", 1));
    ck_assert_uint_eq(biq_jwks_count(NULL), 0);
    ck_assert_ptr_null(biq_jwks_lookup(NULL, "x", 1));
    biq_jwks_free(jwks);
    biq_jwks_free(NULL);
    free(text);
    json_decref(set);
}
END_TEST

START_TEST(optional_members_accepted)
{
    json_t *set = set_of(key_a, "k1", NULL, NULL);
    char why[WHY];
    json_object_del(key_at(set, 0), "use");
    json_object_del(key_at(set, 0), "alg");
    json_object_set_new(key_at(set, 0), "key_ops", json_pack("[s]", "verify"));
    json_object_set_new(key_at(set, 0), "x5t", json_string("ignored"));
    json_object_set_new(set, "extra", json_true());
    ck_assert_int_eq(try_parse(set, why), BIQ_OK);
    json_decref(set);
}
END_TEST

START_TEST(purpose_rules)
{
    static const struct {
        const char *member, *value, *needle;
    } cases[] = {
        {"kty", "EC", "kty"},      {"kty", "rsa", "kty"},     {"use", "enc", "use"},
        {"use", "", "use"},        {"alg", "RS512", "alg"},   {"alg", "none", "alg"},
        {"alg", "HS256", "alg"},   {"alg", "PS256", "alg"},   {"d", "AQAB", "private"},
        {"p", "AQAB", "private"},  {"q", "AQAB", "private"},  {"dp", "AQAB", "private"},
        {"dq", "AQAB", "private"}, {"qi", "AQAB", "private"}, {"oth", "x", "private"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *set = set_of(key_a, "good", key_b, "the-kid");
        json_object_set_new(key_at(set, 1), cases[i].member, json_string(cases[i].value));
        expect_refused(set, cases[i].needle, "keys[1] (kid \"the-kid\")");
        json_decref(set);
    }
    json_t *set = set_of(key_a, "k", NULL, NULL);
    json_object_del(key_at(set, 0), "kty");
    expect_refused(set, "kty", "keys[0]");
    json_object_set_new(key_at(set, 0), "kty", json_integer(1));
    expect_refused(set, "kty", NULL);
    json_object_set_new(key_at(set, 0), "kty", json_string("RSA"));
    json_object_set_new(key_at(set, 0), "use", json_integer(0));
    expect_refused(set, "use", NULL);
    json_object_set_new(key_at(set, 0), "use", json_string("sig"));
    json_object_set_new(key_at(set, 0), "key_ops", json_pack("[s]", "sign"));
    expect_refused(set, "key_ops", NULL);
    json_object_set_new(key_at(set, 0), "key_ops", json_array());
    expect_refused(set, "key_ops", NULL);
    json_decref(set);
}
END_TEST

START_TEST(kid_rules)
{
    char long_kid[BIQ_JWKS_KID_MAX + 2];
    memset(long_kid, 'k', sizeof long_kid - 1);
    long_kid[sizeof long_kid - 1] = '\0';
    json_t *kids[] = {json_string(""),
                      json_string("has space"),
                      json_string("tab\t"),
                      json_string("caf\xc3\xa9"),
                      json_string(long_kid),
                      json_integer(7),
                      json_null()};
    for (size_t i = 0; i < sizeof kids / sizeof kids[0]; i++) {
        json_t *set = set_of(key_a, "k", NULL, NULL);
        json_object_set_new(key_at(set, 0), "kid", kids[i]);
        expect_refused(set, "kid", "keys[0]");
        json_decref(set);
    }
    json_t *set = set_of(key_a, "k", NULL, NULL);
    json_object_set_new(key_at(set, 0), "kid", json_stringn("a\0b", 3));
    expect_refused(set, "JSON", NULL); /* jansson refuses \u0000 outright */
    json_object_del(key_at(set, 0), "kid");
    expect_refused(set, "kid", "(no kid)");
    json_decref(set);
    long_kid[BIQ_JWKS_KID_MAX] = '\0';
    set = set_of(key_a, long_kid, NULL, NULL);
    char why[WHY];
    ck_assert_int_eq(try_parse(set, why), BIQ_OK);
    json_decref(set);
}
END_TEST

START_TEST(duplicate_kid_refuses_whole_set)
{
    json_t *set = set_of(key_a, "same", key_b, "same");
    expect_refused(set, "duplicate kid", "keys[1] (kid \"same\")");
    json_decref(set);
    /* Even the identical key twice. */
    set = set_of(key_a, "same", key_a, "same");
    expect_refused(set, "duplicate kid", NULL);
    json_decref(set);
}
END_TEST

START_TEST(modulus_rules)
{
    uint8_t n[NB], buf[NB];
    json_t *set = set_of(key_small, "small", NULL, NULL);
    expect_refused(set, "2048", "keys[0] (kid \"small\")");
    json_decref(set);

    set = set_of(key_a, "k", NULL, NULL);
    size_t len = get_b64(set, "n", n);
    ck_assert_uint_eq(len, 256);
    buf[0] = 0;
    memcpy(buf + 1, n, len);
    set_b64(set, "n", buf, len + 1);
    expect_refused(set, "leading zero", NULL);
    memcpy(buf, n, len);
    buf[len - 1] &= 0xfe;
    set_b64(set, "n", buf, len);
    expect_refused(set, "even", NULL);
    set_b64(set, "n", n, len - 1); /* 2040 bits */
    expect_refused(set, "2048", NULL);
    memset(buf, 0xff, 1025);
    set_b64(set, "n", buf, 1025); /* past 8192 bits */
    expect_refused(set, "too large", NULL);
    json_object_set_new(key_at(set, 0), "n", json_string("AQAB="));
    expect_refused(set, "base64url", NULL);
    json_object_set_new(key_at(set, 0), "n", json_string(""));
    expect_refused(set, "non-empty", NULL);
    json_object_set_new(key_at(set, 0), "n", json_integer(12345));
    expect_refused(set, "non-empty", NULL);
    json_object_del(key_at(set, 0), "n");
    expect_refused(set, "non-empty", NULL);
    json_decref(set);
}
END_TEST

START_TEST(exponent_rules)
{
    static const struct {
        const char *e, *needle;
    } cases[] = {
        {"AQ", "at least 3"},        {"Ag", "odd"},
        {"AA", "leading zero"},      {"AQAA", "odd"},
        {"AAEAAQ", "leading zero"},  {"AQAB=", "base64url"},
        {"AQEBAQEBAQEB", "64 bits"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *set = set_of(key_a, "k", NULL, NULL);
        json_object_set_new(key_at(set, 0), "e", json_string(cases[i].e));
        expect_refused(set, cases[i].needle, "keys[0]");
        json_decref(set);
    }
    json_t *set = set_of(key_a, "k", NULL, NULL);
    char why[WHY];
    json_object_set_new(key_at(set, 0), "e", json_string("Aw")); /* 3 is allowed */
    ck_assert_int_eq(try_parse(set, why), BIQ_OK);
    json_decref(set);
}
END_TEST

START_TEST(set_level_rules)
{
    static const char *const bad[] = {
        "",
        "not json",
        "[]",
        "{}",
        "{\"keys\":{}}",
        "{\"keys\":[]}",
        "{\"keys\":[1]}",
        "{\"keys\":[],\"keys\":[]}",
        "{\"keys\":[{\"kid\":\"a\",\"kid\":\"b\"}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char why[WHY] = "";
        biq_jwks *jwks = NULL;
        ck_assert_int_eq(biq_jwks_parse(bad[i], strlen(bad[i]), &jwks, why, sizeof why),
                         BIQ_ERR_INVALID);
        ck_assert_ptr_null(jwks);
        ck_assert_msg(why[0] != '\0', "no message for #%zu", i);
    }
    /* Too many keys. */
    json_t *set = set_of(key_a, "k0", NULL, NULL), *keys = json_object_get(set, "keys");
    for (int i = 1; i <= BIQ_JWKS_KEYS_MAX; i++) {
        json_t *copy = json_deep_copy(key_at(set, 0));
        char kid[16];
        snprintf(kid, sizeof kid, "k%d", i);
        json_object_set_new(copy, "kid", json_string(kid));
        json_array_append_new(keys, copy);
    }
    expect_refused(set, "1 to 64 keys", NULL);
    json_array_remove(keys, 0);
    char why[WHY];
    ck_assert_int_eq(try_parse(set, why), BIQ_OK); /* exactly the limit */
    json_decref(set);
    /* Oversized buffer, refused before parsing. */
    size_t big = BIQ_JWKS_JSON_MAX + 1;
    char *buf = malloc(big);
    memset(buf, ' ', big);
    biq_jwks *jwks = NULL;
    ck_assert_int_eq(biq_jwks_parse(buf, big, &jwks, why, sizeof why), BIQ_ERR_TOO_LARGE);
    free(buf);
}
END_TEST

START_TEST(messages_are_bounded)
{
    json_t *set = set_of(key_small, "small", NULL, NULL);
    char *text = json_dumps(set, 0), tiny[8];
    biq_jwks *jwks = NULL;
    memset(tiny, 'x', sizeof tiny);
    ck_assert_int_eq(biq_jwks_parse(text, strlen(text), &jwks, tiny, 5), BIQ_ERR_INVALID);
    ck_assert_uint_eq(strlen(tiny), 4);
    ck_assert_int_eq(tiny[5], 'x');
    ck_assert_int_eq(biq_jwks_parse(text, strlen(text), &jwks, NULL, 0), BIQ_ERR_INVALID);
    free(text);
    json_decref(set);
}
END_TEST

START_TEST(load_file_bounded)
{
    char dir[] = "/tmp/biq-jwks-XXXXXX", path[256], why[WHY] = "";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/jwks.json", dir);
    ck_assert(fit_sign_write_jwks_file(key_a, "file-kid", path));
    biq_jwks *jwks = NULL;
    ck_assert_int_eq(biq_jwks_load_file(path, &jwks, why, sizeof why), BIQ_OK);
    ck_assert_str_eq(biq_jwks_kid(jwks, 0), "file-kid");
    biq_jwks_free(jwks);

    ck_assert_int_eq(biq_jwks_load_file(dir, &jwks, why, sizeof why), BIQ_ERR_IO);
    ck_assert_ptr_nonnull(strstr(why, "regular file"));
    char missing[300];
    snprintf(missing, sizeof missing, "%s/nope.json", dir);
    ck_assert_int_eq(biq_jwks_load_file(missing, &jwks, why, sizeof why), BIQ_ERR_IO);
    ck_assert_ptr_nonnull(strstr(why, "nope.json"));
    ck_assert_ptr_null(jwks);

    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i <= BIQ_JWKS_JSON_MAX; i++)
        fputc(' ', f);
    fclose(f);
    ck_assert_int_eq(biq_jwks_load_file(path, &jwks, why, sizeof why), BIQ_ERR_TOO_LARGE);
    unlink(path);
    rmdir(dir);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("jwks");
    TCase *tc = tcase_create("core");
    tcase_add_unchecked_fixture(tc, make_keys, free_keys);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, good_set_loads_and_looks_up_exactly);
    tcase_add_test(tc, optional_members_accepted);
    tcase_add_test(tc, purpose_rules);
    tcase_add_test(tc, kid_rules);
    tcase_add_test(tc, duplicate_kid_refuses_whole_set);
    tcase_add_test(tc, modulus_rules);
    tcase_add_test(tc, exponent_rules);
    tcase_add_test(tc, set_level_rules);
    tcase_add_test(tc, messages_are_bounded);
    tcase_add_test(tc, load_file_bounded);
    suite_add_tcase(s, tc);
    return s;
}
