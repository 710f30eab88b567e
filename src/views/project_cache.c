/* project_cache.c - the loaded-project cache of project_cache.h.
 *
 * Ready entries sit in a doubly linked list in recency order (head = most
 * recent); loads in progress ("flights") sit in a second list, so eviction
 * never sees a half-built entry. Both are searched linearly: the entry
 * bound is tens, and a scan costs microseconds against a load of seconds.
 * An entry's refs count the requests holding it (the loader and its
 * waiters included); `kept` says whether the ready list owns it. Entries
 * whose last reference goes while they are not kept are freed after the
 * lock is dropped, since freeing a large arena is slow. */
#include "views/project_cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    NS_PER_MS = 1000 * 1000,
    NS_PER_S = 1000 * 1000 * 1000,
};

typedef enum state { LOADING, READY, FAILED } state;

struct biq_project_ref {
    struct biq_project_ref *prev, *next; /* in the ready or the flight list */
    char *key;
    biq_arena *arena;
    biq_project_data data;
    size_t bytes; /* arena + key, as counted against max_bytes */
    unsigned refs;
    state st;
    biq_err err; /* FAILED: what the load returned */
    bool kept;   /* in the ready list, counted in n and bytes */
};
typedef struct biq_project_ref entry;

typedef struct list {
    entry *head, *tail;
} list;

struct biq_project_cache {
    pthread_mutex_t lock;
    pthread_cond_t done; /* broadcast whenever a flight lands */
    list ready, flights;
    size_t n, bytes;
    size_t max_entries, max_bytes, arena_limit;
    int64_t wait_ms;
    biq_project_cache_stats stats; /* counters only; usage comes from n, bytes */
};

static bool init_sync(biq_project_cache *c)
{
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0)
        return false;
    /* Waits are bounded against the monotonic clock: a wall-clock step
     * must neither cut a wait short nor stretch it. */
    bool ok = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
              pthread_cond_init(&c->done, &attr) == 0;
    pthread_condattr_destroy(&attr);
    if (!ok)
        return false;
    if (pthread_mutex_init(&c->lock, NULL) != 0) {
        pthread_cond_destroy(&c->done);
        return false;
    }
    return true;
}

biq_project_cache *biq_project_cache_new(size_t max_entries, size_t max_bytes,
                                         size_t arena_limit, int64_t wait_ms)
{
    if (max_entries == 0 || max_bytes == 0 || arena_limit == 0 || wait_ms <= 0)
        return NULL;
    biq_project_cache *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    if (!init_sync(c)) {
        free(c);
        return NULL;
    }
    c->max_entries = max_entries;
    c->max_bytes = max_bytes;
    c->arena_limit = arena_limit;
    c->wait_ms = wait_ms;
    return c;
}

static void entry_free(entry *e)
{
    if (e == NULL)
        return;
    biq_arena_free(e->arena);
    free(e->key);
    free(e);
}

static void unlink_from(list *l, entry *e)
{
    if (e->prev != NULL)
        e->prev->next = e->next;
    else
        l->head = e->next;
    if (e->next != NULL)
        e->next->prev = e->prev;
    else
        l->tail = e->prev;
    e->prev = e->next = NULL;
}

static void push_front(list *l, entry *e)
{
    e->next = l->head;
    e->prev = NULL;
    if (l->head != NULL)
        l->head->prev = e;
    l->head = e;
    if (l->tail == NULL)
        l->tail = e;
}

static entry *find(const list *l, const char *key)
{
    for (entry *e = l->head; e != NULL; e = e->next)
        if (strcmp(e->key, key) == 0)
            return e;
    return NULL;
}

void biq_project_cache_free(biq_project_cache *c)
{
    if (c == NULL)
        return;
    while (c->ready.head != NULL) {
        entry *e = c->ready.head;
        unlink_from(&c->ready, e);
        entry_free(e);
    }
    pthread_cond_destroy(&c->done);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* Unlinks a kept entry; returns it when nobody holds it (the caller frees
 * it after unlocking), else its last user will. */
static entry *unkeep(biq_project_cache *c, entry *e)
{
    unlink_from(&c->ready, e);
    e->kept = false;
    c->n--;
    c->bytes -= e->bytes;
    return e->refs == 0 ? e : NULL;
}

/* Drops one reference under the lock; returns the entry when it is now
 * unreferenced and unkept, for the caller to free after unlocking. */
static entry *unref(entry *e)
{
    e->refs--;
    return e->refs == 0 && !e->kept ? e : NULL;
}

/* ------------------------------------------------------------- loading */

/* Keeps a landed entry if it fits, evicting from the tail; the evicted
 * entries nobody holds are chained through ->next onto *garbage. */
static void keep(biq_project_cache *c, entry *e, entry **garbage)
{
    if (e->bytes > c->max_bytes) {
        c->stats.uncached++;
        return;
    }
    entry *old = find(&c->ready, e->key);
    entry *victim = old != NULL ? unkeep(c, old) : NULL;
    if (victim != NULL) {
        victim->next = *garbage;
        *garbage = victim;
    }
    while (c->ready.tail != NULL &&
           (c->n + 1 > c->max_entries || c->bytes + e->bytes > c->max_bytes)) {
        c->stats.evictions++;
        if ((victim = unkeep(c, c->ready.tail)) != NULL) {
            victim->next = *garbage;
            *garbage = victim;
        }
    }
    push_front(&c->ready, e);
    e->kept = true;
    c->n++;
    c->bytes += e->bytes;
}

static void free_chain(entry *e)
{
    while (e != NULL) {
        entry *next = e->next;
        entry_free(e);
        e = next;
    }
}

/* Runs the load for e (a flight this thread created, holding one ref)
 * and lands it. Returns the load's error; on success e stays referenced. */
static biq_err fly(biq_project_cache *c, entry *e, biq_project_load_fn load, void *ctx)
{
    bool keep_it = true;
    biq_err err = BIQ_ERR_NOMEM;
    entry *garbage = NULL;
    if ((e->arena = biq_arena_new(c->arena_limit)) != NULL)
        err = load(ctx, e->arena, &e->data, &keep_it);
    pthread_mutex_lock(&c->lock);
    unlink_from(&c->flights, e);
    if (err == BIQ_OK) {
        e->st = READY;
        e->bytes = biq_arena_used(e->arena) + strlen(e->key) + sizeof *e;
        c->stats.loads++;
        if (keep_it)
            keep(c, e, &garbage);
        else
            c->stats.uncached++;
    } else {
        e->st = FAILED;
        e->err = err;
        c->stats.failures++;
        garbage = unref(e); /* waiters still hold it: the last one frees it */
    }
    pthread_cond_broadcast(&c->done);
    pthread_mutex_unlock(&c->lock);
    free_chain(garbage);
    return err;
}

static struct timespec deadline_after(int64_t ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    int64_t ns = (int64_t)t.tv_nsec + (ms % 1000) * NS_PER_MS;
    t.tv_sec += (time_t)(ms / 1000 + ns / NS_PER_S);
    t.tv_nsec = (long)(ns % NS_PER_S);
    return t;
}

/* Waits (lock held) for flight f to land. Returns BIQ_OK with f still
 * referenced, or the error; *garbage is f when this was its last user. */
static biq_err wait_for(biq_project_cache *c, entry *f, entry **garbage)
{
    struct timespec until = deadline_after(c->wait_ms);
    int rc = 0;
    f->refs++;
    c->stats.shared++;
    while (f->st == LOADING && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&c->done, &c->lock, &until);
    if (f->st == READY)
        return BIQ_OK;
    biq_err err = f->st == FAILED ? f->err : BIQ_ERR_UNAVAILABLE;
    if (f->st == LOADING)
        c->stats.timeouts++;
    *garbage = unref(f);
    return err;
}

static entry *flight_new(const char *key, size_t key_len)
{
    entry *e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    if ((e->key = malloc(key_len + 1)) == NULL) {
        free(e);
        return NULL;
    }
    memcpy(e->key, key, key_len + 1);
    e->refs = 1;
    e->st = LOADING;
    return e;
}

biq_err biq_project_cache_get(biq_project_cache *c, const char *key, biq_project_load_fn load,
                              void *ctx, biq_project_ref **out)
{
    size_t key_len = strlen(key);
    entry *garbage = NULL, *e = NULL;
    biq_err err = BIQ_OK;
    bool loader = false;
    *out = NULL;
    if (key_len > BIQ_PROJECT_CACHE_KEY_MAX)
        return BIQ_ERR_TOO_LARGE;
    /* Allocated before locking, dropped unused on a hit: cheap either way. */
    entry *mine = flight_new(key, key_len);
    if (mine == NULL)
        return BIQ_ERR_NOMEM;
    pthread_mutex_lock(&c->lock);
    if ((e = find(&c->ready, key)) != NULL) {
        unlink_from(&c->ready, e);
        push_front(&c->ready, e);
        e->refs++;
        c->stats.hits++;
    } else if ((e = find(&c->flights, key)) != NULL) {
        err = wait_for(c, e, &garbage);
    } else {
        push_front(&c->flights, mine);
        c->stats.misses++;
        e = mine;
        mine = NULL;
        loader = true;
    }
    pthread_mutex_unlock(&c->lock);
    free_chain(garbage);
    if (loader)
        err = fly(c, e, load, ctx);
    entry_free(mine);
    if (err == BIQ_OK)
        *out = e;
    return err;
}

const biq_project_data *biq_project_ref_data(const biq_project_ref *ref)
{
    return &ref->data;
}

void biq_project_cache_release(biq_project_cache *c, biq_project_ref *ref)
{
    if (ref == NULL)
        return;
    pthread_mutex_lock(&c->lock);
    entry *garbage = unref(ref);
    pthread_mutex_unlock(&c->lock);
    entry_free(garbage);
}

void biq_project_cache_stats_get(biq_project_cache *c, biq_project_cache_stats *out)
{
    pthread_mutex_lock(&c->lock);
    *out = c->stats;
    out->entries = c->n;
    out->bytes = c->bytes;
    out->max_bytes = c->max_bytes;
    pthread_mutex_unlock(&c->lock);
}

size_t biq_project_cache_purge_prefix(biq_project_cache *c, const char *prefix)
{
    size_t n = 0, len = strlen(prefix);
    entry *garbage = NULL, *victim;
    pthread_mutex_lock(&c->lock);
    for (entry *e = c->ready.head, *next; e != NULL; e = next) {
        next = e->next;
        if (strncmp(e->key, prefix, len) != 0)
            continue;
        n++;
        if ((victim = unkeep(c, e)) != NULL) {
            victim->next = garbage;
            garbage = victim;
        }
    }
    pthread_mutex_unlock(&c->lock);
    free_chain(garbage);
    return n;
}
