/* batcher.c - leader/follower group commit (see batcher.h). */
#include "store/batcher.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { NS_PER_US = 1000, NS_PER_S = 1000000000 };

/* Invariant: queue holds the submitted items not yet taken, oldest first
 * (tail for O(1) append); leaders counts the batches running or filling. */
struct biq_batcher {
    pthread_mutex_t lock;
    pthread_cond_t more; /* an item was queued: a filling leader looks again */
    pthread_cond_t done; /* a batch ended: its items, and would-be leaders, look */
    biq_batch_item *head, *tail;
    size_t queued;
    unsigned leaders;
    bool filling; /* a leader waits for its batch to fill: no second one starts */
    size_t max_items;
    unsigned max_wait_us;
    biq_batch_fn run;
    void *env;
    unsigned long long batches, items;
    size_t last_n; /* items of the last batch taken: > 1 means load, worth a wait */
    biq_batch_item **scratch[BIQ_BATCHER_LEADERS]; /* max_items slots per leader */
    bool scratch_busy[BIQ_BATCHER_LEADERS];
};

biq_err biq_batcher_new(size_t max_items, unsigned max_wait_us, biq_batch_fn run, void *env,
                        biq_batcher **out)
{
    biq_batcher *b = NULL;
    pthread_condattr_t attr;
    *out = NULL;
    if (max_items < 1 || max_items > BIQ_BATCHER_ITEMS_MAX || max_wait_us > BIQ_BATCHER_WAIT_US_MAX)
        return BIQ_ERR_CONFIG;
    if ((b = calloc(1, sizeof *b)) == NULL)
        return BIQ_ERR_NOMEM;
    for (size_t i = 0; i < BIQ_BATCHER_LEADERS; i++) {
        if ((b->scratch[i] = calloc(max_items, sizeof *b->scratch[i])) == NULL) {
            for (size_t k = 0; k < i; k++)
                free(b->scratch[k]);
            free(b);
            return BIQ_ERR_NOMEM;
        }
    }
    b->max_items = max_items;
    b->max_wait_us = max_wait_us;
    b->run = run;
    b->env = env;
    /* Waits count on the monotonic clock: a clock step must not stretch
     * or cut a batch's wait. */
    bool ok = pthread_condattr_init(&attr) == 0;
    ok = ok && pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0;
    ok = ok && pthread_mutex_init(&b->lock, NULL) == 0;
    ok = ok && pthread_cond_init(&b->more, &attr) == 0;
    ok = ok && pthread_cond_init(&b->done, NULL) == 0;
    pthread_condattr_destroy(&attr);
    if (!ok) {
        for (size_t i = 0; i < BIQ_BATCHER_LEADERS; i++)
            free(b->scratch[i]);
        free(b); /* a failed init leaves nothing to destroy worth the code */
        return BIQ_ERR_INTERNAL;
    }
    *out = b;
    return BIQ_OK;
}

void biq_batcher_free(biq_batcher *b)
{
    if (b == NULL)
        return;
    pthread_mutex_destroy(&b->lock);
    pthread_cond_destroy(&b->more);
    pthread_cond_destroy(&b->done);
    for (size_t i = 0; i < BIQ_BATCHER_LEADERS; i++)
        free(b->scratch[i]);
    free(b);
}

static bool key_taken(biq_batch_item **taken, size_t n, const char *key)
{
    for (size_t i = 0; key != NULL && i < n; i++)
        if (taken[i]->key != NULL && strcmp(taken[i]->key, key) == 0)
            return true;
    return false;
}

/* Moves up to max_items queued items into out, oldest first, leaving
 * those whose key is already taken. Under the lock. */
static size_t take(biq_batcher *b, biq_batch_item **out)
{
    size_t n = 0;
    biq_batch_item **link = &b->head, *prev = NULL;
    while (*link != NULL && n < b->max_items) {
        biq_batch_item *it = *link;
        if (key_taken(out, n, it->key)) {
            prev = it;
            link = &it->next;
            continue;
        }
        *link = it->next;
        if (b->tail == it)
            b->tail = prev;
        it->next = NULL;
        out[n++] = it;
        b->queued--;
    }
    return n;
}

static struct timespec deadline_after(unsigned us)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    long long ns = (long long)t.tv_nsec + (long long)us * NS_PER_US;
    t.tv_sec += (time_t)(ns / NS_PER_S);
    t.tv_nsec = (long)(ns % NS_PER_S);
    return t;
}

/* One batch on this thread. Called and returns with the lock held. */
static void lead(biq_batcher *b)
{
    size_t slot = 0;
    while (b->scratch_busy[slot])
        slot++; /* leaders < BIQ_BATCHER_LEADERS: one is free */
    b->scratch_busy[slot] = true;
    b->leaders++;
    biq_batch_item **batch = b->scratch[slot];
    /* Wait only under load (the last batch found more than one item, or
     * another batch is running now), as PostgreSQL's commit_delay waits
     * only with commit_siblings: a lone request would otherwise pay the
     * whole wait for nobody. */
    if (b->max_wait_us > 0 && (b->last_n > 1 || b->leaders > 1)) {
        struct timespec until = deadline_after(b->max_wait_us);
        b->filling = true;
        while (b->queued < b->max_items &&
               pthread_cond_timedwait(&b->more, &b->lock, &until) != ETIMEDOUT) {
        }
        b->filling = false;
    }
    size_t n = take(b, batch);
    b->last_n = n + b->queued; /* what was there to take: the load */
    if (b->queued > 0)
        pthread_cond_broadcast(&b->done); /* what is left may lead in the free place */
    if (n > 0) {
        pthread_mutex_unlock(&b->lock);
        b->run(b->env, batch, n);
        pthread_mutex_lock(&b->lock);
        for (size_t i = 0; i < n; i++)
            batch[i]->done = true;
        b->batches++;
        b->items += n;
    }
    b->scratch_busy[slot] = false;
    b->leaders--;
    pthread_cond_broadcast(&b->done);
}

void biq_batcher_submit(biq_batcher *b, biq_batch_item *item)
{
    item->done = false;
    item->next = NULL;
    pthread_mutex_lock(&b->lock);
    if (b->tail != NULL)
        b->tail->next = item;
    else
        b->head = item;
    b->tail = item;
    b->queued++;
    pthread_cond_signal(&b->more);
    while (!item->done) {
        /* Lead when a leader's place is free, no leader is still filling
         * its batch (it takes what is queued: a second would only split
         * it), and there is work (ours, unless a leader took it). */
        if (b->leaders < BIQ_BATCHER_LEADERS && !b->filling && b->queued > 0)
            lead(b);
        else
            pthread_cond_wait(&b->done, &b->lock);
    }
    pthread_mutex_unlock(&b->lock);
}

void biq_batcher_counts(biq_batcher *b, unsigned long long *batches, unsigned long long *items)
{
    pthread_mutex_lock(&b->lock);
    *batches = b->batches;
    *items = b->items;
    pthread_mutex_unlock(&b->lock);
}
