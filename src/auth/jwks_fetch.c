/* jwks_fetch.c - rate-limited key-set refresh over HTTPS (see jwks_fetch.h). */
#include "auth/jwks_fetch.h"

#include <curl/curl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct biq_jwks_fetcher {
    char url[BIQ_JWKS_URL_MAX + 1];
    biq_keyring *ring;
    atomic_llong last_attempt; /* seconds; claimed with compare-and-swap */
};

struct body {
    char *data;
    size_t len;
    bool too_large;
};

static bool loopback_http(const char *url)
{
    static const char *const prefixes[] = {"http://127.", "http://localhost:", "http://[::1]:"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        if (strncmp(url, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    }
    return false;
}

biq_err biq_jwks_fetcher_new(const char *url, biq_keyring *ring, biq_jwks_fetcher **out,
                             char *why, size_t why_len)
{
    *out = NULL;
    if (strlen(url) > BIQ_JWKS_URL_MAX || (strncmp(url, "https://", 8) != 0 && !loopback_http(url))) {
        snprintf(why, why_len, "BIQ_JWKS_URL: expected an https:// URL of at most %d bytes",
                 BIQ_JWKS_URL_MAX);
        return BIQ_ERR_CONFIG;
    }
    biq_jwks_fetcher *f = calloc(1, sizeof *f);
    if (f == NULL)
        return BIQ_ERR_NOMEM;
    memcpy(f->url, url, strlen(url) + 1);
    f->ring = ring;
    /* mutate: equivalent const "2 -> 3": any start far enough in the past */
    atomic_init(&f->last_attempt, INT64_MIN / 2);
    *out = f;
    return BIQ_OK;
}

void biq_jwks_fetcher_free(biq_jwks_fetcher *f)
{
    free(f);
}

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct body *b = userdata;
    size_t n = size * nmemb;
    if (n > BIQ_JWKS_JSON_MAX - b->len) {
        b->too_large = true;
        return 0; /* aborts the transfer */
    }
    char *grown = realloc(b->data, b->len + n);
    if (grown == NULL)
        return 0;
    memcpy(grown + b->len, ptr, n);
    b->data = grown;
    b->len += n;
    return n;
}

/* GETs the key set; BIQ_OK with the body in *b (caller frees b->data). */
static biq_err download(const biq_jwks_fetcher *f, struct body *b, char *why, size_t why_len)
{
    long status = 0; /* mutate: equivalent const: curl_easy_getinfo always sets it */
    CURL *curl = curl_easy_init();
    if (curl == NULL)
        return BIQ_ERR_NOMEM;
    curl_easy_setopt(curl, CURLOPT_URL, f->url);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, b);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)BIQ_JWKS_FETCH_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L); /* mutate: equivalent const "1L -> 2L": on */
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK || status != 200) {
        snprintf(why, why_len, "fetching the key set failed: %s (HTTP %ld)%s",
                 curl_easy_strerror(rc), status, b->too_large ? ", answer too large" : "");
        return BIQ_ERR_IO;
    }
    return BIQ_OK;
}

bool biq_jwks_fetcher_refresh(biq_jwks_fetcher *f, int64_t now, char *why, size_t why_len)
{
    struct body b = {NULL, 0, false};
    biq_jwks *set = NULL;
    bool installed = false;
    long long last = atomic_load(&f->last_attempt);
    why[0] = '\0';
    /* One thread per interval wins the right to fetch; the rest go on with
     * the set they have. */
    if (now - last < BIQ_JWKS_FETCH_INTERVAL_S ||
        !atomic_compare_exchange_strong(&f->last_attempt, &last, (long long)now)) {
        snprintf(why, why_len, "key set fetched less than %d s ago", BIQ_JWKS_FETCH_INTERVAL_S);
        return false;
    }
    if (download(f, &b, why, why_len) != BIQ_OK)
        goto out;
    if (biq_jwks_parse(b.data, b.len, &set, why, why_len) != BIQ_OK)
        goto out;
    installed = biq_keyring_install(f->ring, set) == BIQ_OK; /* takes set either way */
out:
    free(b.data);
    return installed;
}
