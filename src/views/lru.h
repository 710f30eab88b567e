/* lru.h - a bounded, thread-safe LRU cache of computed answers (the
 * serialised dashboards), so that a dashboard is not recomputed from every
 * issue and transition on each page view.
 *
 * Keys are opaque strings the caller builds from everything the value
 * depends on (tenant, project, window, settings versions, data version,
 * catalogue); a change to any of them is simply a miss, and the old entry
 * ages out. Entries also expire after a maximum age given on lookup, since
 * open slices run to "now" and must not freeze. Bounded in entries and in
 * bytes (keys + values): inserting evicts least recently used entries
 * until both bounds hold. Values are copied in and out, so no caller ever
 * holds memory the cache may free. One mutex guards everything.
 */
#ifndef BIQ_VIEWS_LRU_H
#define BIQ_VIEWS_LRU_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

enum {
    BIQ_CACHE_KEY_MAX = 1024, /* bytes of one key */
};

typedef struct biq_cache biq_cache;

/* A cache of at most max_entries entries and max_bytes bytes (both > 0).
 * NULL when out of memory or a bound is 0. */
biq_cache *biq_cache_new(size_t max_entries, size_t max_bytes);

/* Frees the cache and every entry. NULL is a no-op. Not concurrently with
 * other calls. */
void biq_cache_free(biq_cache *c);

/* Looks key up; a hit younger than max_age_ms at now_ms (milliseconds)
 * becomes the most recently used and a malloc'd copy of its value is
 * returned in *value (NUL-terminated, *len bytes; free()). BIQ_ERR_NOT_FOUND
 * on a miss (an expired entry is dropped), BIQ_ERR_NOMEM. Thread-safe. */
biq_err biq_cache_get(biq_cache *c, const char *key, int64_t now_ms, int64_t max_age_ms,
                      char **value, size_t *len);

/* Stores a copy of value (len bytes) under key, replacing an entry with the
 * same key, stamped now_ms; evicts least recently used entries to stay
 * within the bounds. BIQ_ERR_TOO_LARGE when the entry alone exceeds
 * max_bytes or key exceeds BIQ_CACHE_KEY_MAX (nothing stored), BIQ_ERR_NOMEM.
 * Thread-safe. */
biq_err biq_cache_put(biq_cache *c, const char *key, const char *value, size_t len, int64_t now_ms);

/* Drops every entry whose key starts with prefix (a tenant's entries, at
 * its uninstall); returns how many. Thread-safe. */
size_t biq_cache_purge_prefix(biq_cache *c, const char *prefix);

/* Current number of entries and bytes held. Thread-safe. */
void biq_cache_usage(biq_cache *c, size_t *entries, size_t *bytes);

/* Lookups since creation: hits, and misses (expired entries included).
 * Thread-safe. */
void biq_cache_lookups(biq_cache *c, unsigned long long *hits, unsigned long long *misses);

#endif
