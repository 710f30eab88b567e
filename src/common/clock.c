/* clock.c - the flow clock and the monotonic clock (see clock.h). */
#include "common/clock.h"

#include <time.h>

enum { MS_PER_S = 1000, NS_PER_MS = 1000000 };

int64_t biq_clock_now(const biq_clock *c)
{
    return c->pinned_ms > 0 ? c->pinned_ms : c->now_ms();
}

static int64_t ms_of(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * MS_PER_S + ts.tv_nsec / NS_PER_MS;
}

int64_t biq_clock_real_ms(void)
{
    return ms_of(CLOCK_REALTIME);
}

int64_t biq_clock_monotonic_ms(void)
{
    return ms_of(CLOCK_MONOTONIC);
}
