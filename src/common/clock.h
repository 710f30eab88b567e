/* clock.h - the flow clock: the instant the flow metrics are computed at
 * ("now" of open slices and windows), real or pinned (BIQ_FLOW_CLOCK), and
 * the monotonic clock that timeouts and rate limits count with.
 *
 * The token clock (seconds, for FIT checks) stays apart: it is the app's
 * own (api/app.h) and a pinned flow clock never affects it. Thread-safe,
 * no allocation.
 */
#ifndef BIQ_COMMON_CLOCK_H
#define BIQ_COMMON_CLOCK_H

#include <stdint.h>

typedef struct biq_clock {
    /* Milliseconds since the epoch: the real clock in the server, a fixed
     * one where code is tested directly. */
    int64_t (*now_ms)(void);
    /* When > 0, the instant pinned by BIQ_FLOW_CLOCK (reproducible
     * reports): now_ms is then not called. */
    int64_t pinned_ms;
} biq_clock;

/* The instant the flow metrics are computed at: c->pinned_ms when set,
 * else c->now_ms(). */
int64_t biq_clock_now(const biq_clock *c);

/* The real clock (CLOCK_REALTIME) in milliseconds since the epoch. */
int64_t biq_clock_real_ms(void);

/* CLOCK_MONOTONIC in milliseconds: for intervals only. */
int64_t biq_clock_monotonic_ms(void);

#endif
