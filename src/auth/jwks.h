/* jwks.h - the verifier's key set: Atlassian's published JWKS (RFC 7517),
 * imported under the rules of security.md §1 into an immutable set of
 * OpenSSL RSA public keys addressed by `kid`.
 *
 * Import is all-or-nothing: one key that breaks a rule refuses the whole
 * set, with a message naming the key (index and kid) and the rule, so that
 * a bad deploy fails loudly at start-up instead of silently losing a key.
 * Rules: top-level object with a `keys` array of 1..BIQ_JWKS_KEYS_MAX
 * objects (duplicate members anywhere refuse the file); per key `kty` =
 * "RSA", `use` absent or "sig", `alg` absent or "RS256", `key_ops` absent or
 * only "verify", no private members (d p q dp dq qi oth), `kid` a unique,
 * non-empty, printable ASCII string of at most BIQ_JWKS_KID_MAX bytes,
 * `n` and `e` strict base64url and minimally encoded (RFC 7518 §6.3.1),
 * modulus odd, BIQ_JWKS_RSA_MIN_BITS..BIQ_RSA_MAX_BITS bits and without the
 * ROCA fingerprint (CVE-2017-15361), exponent odd and >= 3.
 *
 * A biq_jwks never changes after it is built, so any number of threads may
 * look keys up and verify with them concurrently; keyring.h swaps whole
 * sets for reloads.
 */
#ifndef BIQ_AUTH_JWKS_H
#define BIQ_AUTH_JWKS_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>

#include "auth/rsa_verify.h"
#include "common/err.h"

enum {
    BIQ_JWKS_KEYS_MAX = 64, /* Atlassian publishes a handful */
    BIQ_JWKS_KID_MAX = 128, /* forge/invocation-token/wf-<uuid> is 62 */
    BIQ_JWKS_RSA_MIN_BITS = 2048,
    BIQ_JWKS_RSA_MIN_EXPONENT = 3,
    BIQ_JWKS_JSON_MAX = 256 * 1024, /* file and buffer size cap */
    BIQ_JWKS_WHY_MIN = 160,         /* a why buffer this big holds any message whole */
};

typedef struct biq_jwks biq_jwks;

/* Parses and checks a JWKS document of len bytes (no NUL needed). On success
 * *out is a new set owned by the caller (biq_jwks_free). On failure *out is
 * NULL, a one-line reason is written to why (truncated to why_len, may be
 * NULL), and the result is BIQ_ERR_INVALID (bad JSON or a broken rule),
 * BIQ_ERR_TOO_LARGE (len > BIQ_JWKS_JSON_MAX), BIQ_ERR_NOMEM or
 * BIQ_ERR_CRYPTO. */
biq_err biq_jwks_parse(const char *json, size_t len, biq_jwks **out, char *why, size_t why_len);

/* Reads the file at path (at most BIQ_JWKS_JSON_MAX bytes, a regular file)
 * and parses it as biq_jwks_parse does. Adds BIQ_ERR_IO when the file
 * cannot be opened or read; messages name the path. */
biq_err biq_jwks_load_file(const char *path, biq_jwks **out, char *why, size_t why_len);

/* Is kid[0..len) acceptable as a key id: 1..BIQ_JWKS_KID_MAX bytes of
 * printable ASCII without spaces? The same rule guards the JWKS and the
 * token header (fit.c). Pure, thread-safe. */
bool biq_jwks_kid_valid(const char *kid, size_t len);

/* Frees the set and its keys. NULL is a no-op. */
void biq_jwks_free(biq_jwks *set);

/* Number of keys (at least 1 for any set this module built; 0 for NULL). */
size_t biq_jwks_count(const biq_jwks *set);

/* The kid of key i (NUL-terminated, owned by the set), NULL when i is out
 * of range. */
const char *biq_jwks_kid(const biq_jwks *set, size_t i);

/* The key whose kid equals kid[0..kid_len) byte for byte, or NULL. The key
 * is borrowed: valid while the set lives; use it read-only. */
const EVP_PKEY *biq_jwks_lookup(const biq_jwks *set, const char *kid, size_t kid_len);

/* The same key prepared for verification (rsa_verify.h), or NULL when no
 * kid matches: what fit.c verifies tokens with. Borrowed like the key; any
 * number of threads may verify with it at once. */
const biq_rsa_verifier *biq_jwks_verifier(const biq_jwks *set, const char *kid, size_t kid_len);

#endif
