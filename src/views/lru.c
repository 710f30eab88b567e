/* lru.c - the LRU cache of lru.h: a doubly linked list in recency
 * order (head = most recent) and a linear key search. The entry bound is
 * small (hundreds), so a scan under the lock costs microseconds against
 * the milliseconds a dashboard takes to compute; a hash table would be
 * more code to get wrong for no measurable gain. */
#include "views/lru.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    struct entry *prev, *next;
    char *key;
    char *value;
    size_t len;
    size_t bytes; /* key + value, as counted against max_bytes */
    int64_t stored_ms;
} entry;

struct biq_cache {
    pthread_mutex_t lock;
    entry *head, *tail;
    size_t n, bytes;
    size_t max_entries, max_bytes;
    unsigned long long hits, misses;
};

biq_cache *biq_cache_new(size_t max_entries, size_t max_bytes)
{
    if (max_entries == 0 || max_bytes == 0)
        return NULL;
    biq_cache *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    if (pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c);
        return NULL;
    }
    c->max_entries = max_entries;
    c->max_bytes = max_bytes;
    return c;
}

static void unlink_entry(biq_cache *c, entry *e)
{
    if (e->prev != NULL)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next != NULL)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void push_front(biq_cache *c, entry *e)
{
    e->next = c->head;
    e->prev = NULL;
    if (c->head != NULL)
        c->head->prev = e;
    c->head = e;
    if (c->tail == NULL)
        c->tail = e;
}

static void drop(biq_cache *c, entry *e)
{
    unlink_entry(c, e);
    c->n--;
    c->bytes -= e->bytes;
    free(e->key);
    free(e->value);
    free(e);
}

void biq_cache_free(biq_cache *c)
{
    if (c == NULL)
        return;
    while (c->head != NULL)
        drop(c, c->head);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static entry *find(const biq_cache *c, const char *key)
{
    for (entry *e = c->head; e != NULL; e = e->next)
        if (strcmp(e->key, key) == 0)
            return e;
    return NULL;
}

static char *copy(const char *s, size_t len)
{
    char *d = malloc(len + 1);
    if (d != NULL) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

biq_err biq_cache_get(biq_cache *c, const char *key, int64_t now_ms, int64_t max_age_ms,
                      char **value, size_t *len)
{
    biq_err err = BIQ_ERR_NOT_FOUND;
    *value = NULL;
    *len = 0;
    pthread_mutex_lock(&c->lock);
    entry *e = find(c, key);
    if (e == NULL) {
        c->misses++;
        goto out;
    }
    /* A clock that went backwards is treated as expiry too. */
    if (now_ms - e->stored_ms >= max_age_ms || now_ms < e->stored_ms) {
        c->misses++;
        drop(c, e);
        goto out;
    }
    c->hits++;
    unlink_entry(c, e);
    push_front(c, e);
    if ((*value = copy(e->value, e->len)) == NULL) {
        err = BIQ_ERR_NOMEM;
        goto out;
    }
    *len = e->len;
    err = BIQ_OK;
out:
    pthread_mutex_unlock(&c->lock);
    return err;
}

static entry *entry_new(const char *key, size_t key_len, const char *value, size_t len,
                        int64_t now_ms)
{
    entry *e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    e->key = copy(key, key_len);
    e->value = copy(value, len);
    if (e->key == NULL || e->value == NULL) {
        free(e->key);
        free(e->value);
        free(e);
        return NULL;
    }
    e->len = len;
    e->bytes = key_len + len;
    e->stored_ms = now_ms;
    return e;
}

biq_err biq_cache_put(biq_cache *c, const char *key, const char *value, size_t len, int64_t now_ms)
{
    size_t key_len = strlen(key);
    if (key_len > BIQ_CACHE_KEY_MAX || len > c->max_bytes || key_len > c->max_bytes - len)
        return BIQ_ERR_TOO_LARGE;
    /* Copies are made before taking the lock: allocation is the slow part. */
    entry *e = entry_new(key, key_len, value, len, now_ms);
    if (e == NULL)
        return BIQ_ERR_NOMEM;
    pthread_mutex_lock(&c->lock);
    entry *old = find(c, key);
    if (old != NULL)
        drop(c, old);
    while (c->tail != NULL && (c->n + 1 > c->max_entries || c->bytes + e->bytes > c->max_bytes))
        drop(c, c->tail);
    push_front(c, e);
    c->n++;
    c->bytes += e->bytes;
    pthread_mutex_unlock(&c->lock);
    return BIQ_OK;
}

void biq_cache_usage(biq_cache *c, size_t *entries, size_t *bytes)
{
    pthread_mutex_lock(&c->lock);
    *entries = c->n;
    *bytes = c->bytes;
    pthread_mutex_unlock(&c->lock);
}

void biq_cache_lookups(biq_cache *c, unsigned long long *hits, unsigned long long *misses)
{
    pthread_mutex_lock(&c->lock);
    *hits = c->hits;
    *misses = c->misses;
    pthread_mutex_unlock(&c->lock);
}

size_t biq_cache_purge_prefix(biq_cache *c, const char *prefix)
{
    size_t n = 0, len = strlen(prefix);
    pthread_mutex_lock(&c->lock);
    for (entry *e = c->head, *next; e != NULL; e = next) {
        next = e->next;
        if (strncmp(e->key, prefix, len) == 0) {
            drop(c, e);
            n++;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return n;
}
