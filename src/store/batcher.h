/* batcher.h - group commit: concurrent requests hand their work to one
 * leader, which runs it as one batch (one transaction, one commit) and
 * wakes each request only when the batch is over.
 *
 * Leader/follower, no thread of its own: a request submits its item and,
 * when fewer than BIQ_BATCHER_LEADERS batches are running and none is
 * still filling, becomes a leader; a leader waits until max_items are
 * queued or max_wait_us have passed since it started leading (only under
 * load: the previous batch found more than one item queued, or another
 * batch is running; a lone request does not wait for nobody), takes up
 * to max_items in
 * arrival order, runs run(env, items, n) without the lock and marks them
 * done.
 * While a batch runs, new items queue up, so batches grow with the load
 * (and stay at one item when there is none): the wait only adds a little
 * on top. Items whose key equals that of an item already taken stay
 * queued for a later batch, in order, so that one batch never holds two
 * writes of the same row.
 *
 * run() owns the outcome: it records each item's result in its ctx and
 * must not return before the batch is durable (or has failed). Thread-safe;
 * the batcher must outlive every submit.
 */
#ifndef BIQ_STORE_BATCHER_H
#define BIQ_STORE_BATCHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

enum {
    BIQ_BATCHER_ITEMS_MAX = 1024,     /* largest max_items accepted */
    BIQ_BATCHER_WAIT_US_MAX = 100000, /* largest max_wait_us accepted (0.1 s) */
    BIQ_BATCHER_LEADERS = 2,          /* batches running at once (one per core here) */
};

typedef struct biq_batch_item {
    void *ctx;        /* the submitter's */
    const char *key;  /* NULL, or what may not share a batch (strcmp) */
    bool done;        /* set by the batcher under its lock */
    struct biq_batch_item *next;
} biq_batch_item;

/* Runs items[0..n) (1 <= n <= max_items) as one batch. */
typedef void (*biq_batch_fn)(void *env, biq_batch_item **items, size_t n);

typedef struct biq_batcher biq_batcher;

/* A batcher of at most max_items items (1..BIQ_BATCHER_ITEMS_MAX) per batch
 * that waits at most max_wait_us (0..BIQ_BATCHER_WAIT_US_MAX) to fill one.
 * BIQ_OK, BIQ_ERR_CONFIG (out of range), BIQ_ERR_NOMEM or BIQ_ERR_INTERNAL
 * (mutex, condition). *out NULL on failure; free with biq_batcher_free. */
biq_err biq_batcher_new(size_t max_items, unsigned max_wait_us, biq_batch_fn run, void *env,
                        biq_batcher **out);

/* Queues item (ctx and key set by the caller, kept by pointer until this
 * returns) and returns once a batch that held it has run. May run a batch
 * of other submitters' items on this thread. */
void biq_batcher_submit(biq_batcher *b, biq_batch_item *item);

/* Batches run and items they held, since creation (for tests, metrics). */
void biq_batcher_counts(biq_batcher *b, unsigned long long *batches, unsigned long long *items);

/* Frees b. No submit may be running. NULL is a no-op. */
void biq_batcher_free(biq_batcher *b);

#endif
