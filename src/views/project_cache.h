/* project_cache.h - a bounded, thread-safe cache of loaded projects (the
 * biq_project_data that store/project_load.h builds, each in its own
 * arena), so that another window, chart or export of the same data does
 * not read the whole project from PostgreSQL again.
 *
 * Keys are opaque strings the caller builds from everything the loaded
 * model depends on (tenant, project, data version and its commit stamp,
 * catalogue fingerprint): new data is a new key, never an update, so an
 * entry can never be stale for its key and old keys simply age out of the
 * LRU order. Entries are shared read-only by concurrent requests through
 * reference counts: eviction only unlinks an entry, and its last user
 * frees it. Bounded by entry count and by bytes (arena bytes + key);
 * inserting evicts least recently used entries until both bounds hold. An
 * entry larger than the byte bound alone is handed to its requests but
 * never kept.
 *
 * Single flight: while one request loads a key, other requests for the
 * same key wait (at most wait_ms) for that load instead of loading too.
 * When the load fails, every request that waited for it gets the same
 * error (one failure, one answer; the next request after it loads anew),
 * so a failing project costs the database one attempt per wave, not one
 * per waiter. A waiter whose wait runs out gets BIQ_ERR_UNAVAILABLE.
 *
 * No SQL here: the load itself is the caller's callback. One mutex and
 * one condition variable guard everything; loads run outside the lock.
 */
#ifndef BIQ_VIEWS_PROJECT_CACHE_H
#define BIQ_VIEWS_PROJECT_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/err.h"
#include "store/project_load.h"

enum {
    BIQ_PROJECT_CACHE_KEY_MAX = 1024,        /* bytes of one key */
    BIQ_PROJECT_CACHE_ENTRIES = 64,          /* default entry bound */
    BIQ_PROJECT_CACHE_WAIT_MS = 20 * 1000,   /* single-flight wait, under Forge's 25 s */
};

/* The arena of one load: as large as a view's (the loader's limits,
 * BIQ_LOAD_*_MAX, bind first). */
#define BIQ_PROJECT_CACHE_ARENA_LIMIT ((size_t)2 << 30)

typedef struct biq_project_cache biq_project_cache;

/* One held entry: valid (and its data unchanged) until released. */
typedef struct biq_project_ref biq_project_ref;

/* Loads the model for the key being asked for into *out, allocating only
 * from arena (the entry's own, freed with the entry). Sets *keep to false
 * when the model must serve only the requests waiting now and never be
 * cached (e.g. the data moved during the load). Runs without the cache's
 * lock, on the calling thread. Returns BIQ_OK or the error every waiter
 * gets. */
typedef biq_err (*biq_project_load_fn)(void *ctx, biq_arena *arena, biq_project_data *out,
                                       bool *keep);

/* Counters and usage since creation (see biq_project_cache_stats). */
typedef struct biq_project_cache_stats {
    unsigned long long hits;      /* answered from a ready entry */
    unsigned long long misses;    /* found nothing: this request loaded */
    unsigned long long shared;    /* waited for another request's load */
    unsigned long long loads;     /* loads that succeeded */
    unsigned long long failures;  /* loads that failed */
    unsigned long long uncached;  /* successful loads not kept (too big, data moved) */
    unsigned long long evictions; /* entries dropped to keep the bounds */
    unsigned long long timeouts;  /* waits that ran out */
    size_t entries, bytes;        /* entries kept now and their bytes */
    size_t max_bytes;             /* the byte bound */
} biq_project_cache_stats;

/* A cache of at most max_entries entries and max_bytes bytes (both > 0);
 * each load's arena is limited to arena_limit bytes; waiters wait at most
 * wait_ms (> 0). NULL when out of memory or a bound is 0. */
biq_project_cache *biq_project_cache_new(size_t max_entries, size_t max_bytes,
                                         size_t arena_limit, int64_t wait_ms);

/* Frees the cache and every entry. NULL is a no-op. Every reference must
 * have been released; not concurrently with other calls. */
void biq_project_cache_free(biq_project_cache *c);

/* The model for key: a ready entry (a hit), the result of a load another
 * request is running for key (waited for), or load(ctx, ...) run here.
 * On BIQ_OK *out holds a reference the caller must release. Errors:
 * load's error (also for those who waited on it), BIQ_ERR_UNAVAILABLE
 * when the wait ran out, BIQ_ERR_TOO_LARGE when key exceeds
 * BIQ_PROJECT_CACHE_KEY_MAX (nothing loaded), BIQ_ERR_NOMEM. *out is NULL
 * on failure. Thread-safe. */
biq_err biq_project_cache_get(biq_project_cache *c, const char *key, biq_project_load_fn load,
                              void *ctx, biq_project_ref **out);

/* The loaded model of a held reference: read-only, owned by the entry,
 * valid until the reference is released. Thread-safe (never changes). */
const biq_project_data *biq_project_ref_data(const biq_project_ref *ref);

/* Gives a reference back; the last user of an evicted (or never kept)
 * entry frees it. NULL is a no-op. Thread-safe. */
void biq_project_cache_release(biq_project_cache *c, biq_project_ref *ref);

/* Unkeeps every ready entry whose key starts with prefix (a tenant's, at
 * its uninstall): gone from the cache at once, freed now or by the last
 * holder's release. Returns how many. Thread-safe. */
size_t biq_project_cache_purge_prefix(biq_project_cache *c, const char *prefix);

/* Counters and usage into *out. Thread-safe. */
void biq_project_cache_stats_get(biq_project_cache *c, biq_project_cache_stats *out);

#endif
