/* limits.c - "Send test" rate limits (see limits.h). */
#include "alerts/limits.h"

#include <stdbool.h>
#include <string.h>

enum { MS_PER_S = 1000 };

static const int64_t DEST_MS = (int64_t)BIQ_ALERT_TEST_DEST_INTERVAL_S * MS_PER_S;
static const int64_t WINDOW_MS = (int64_t)BIQ_ALERT_TEST_TENANT_WINDOW_S * MS_PER_S;

void biq_alert_limits_init(biq_alert_limits *l)
{
    memset(l, 0, sizeof *l);
}

/* Whole seconds until wait_ms has passed, at least 1. */
static unsigned seconds(int64_t wait_ms)
{
    int64_t s = (wait_ms + MS_PER_S - 1) / MS_PER_S;
    return s < 1 ? 1u : (unsigned)s;
}

static bool live(const biq_alert_limit_entry *e, int64_t now_ms)
{
    return e->at_ms != 0 && now_ms - e->at_ms < WINDOW_MS;
}

biq_err biq_alert_limits_take(biq_alert_limits *l, const char *tenant, int64_t destination,
                              int64_t now_ms, unsigned *retry_after_s)
{
    size_t n_tenant = 0, free_slot = BIQ_ALERT_TEST_RECENT_MAX;
    int64_t dest_wait = 0, oldest_tenant = INT64_MAX, oldest_any = INT64_MAX;
    *retry_after_s = 0;
    if (strlen(tenant) > BIQ_TENANT_ID_MAX)
        return BIQ_ERR_INVALID;
    for (size_t i = 0; i < BIQ_ALERT_TEST_RECENT_MAX; i++) {
        const biq_alert_limit_entry *e = &l->entries[i];
        if (!live(e, now_ms)) {
            free_slot = free_slot < i ? free_slot : i;
            continue;
        }
        oldest_any = e->at_ms < oldest_any ? e->at_ms : oldest_any;
        if (strcmp(e->tenant, tenant) != 0)
            continue;
        n_tenant++;
        oldest_tenant = e->at_ms < oldest_tenant ? e->at_ms : oldest_tenant;
        if (e->destination == destination && now_ms - e->at_ms < DEST_MS &&
            e->at_ms + DEST_MS - now_ms > dest_wait)
            dest_wait = e->at_ms + DEST_MS - now_ms;
    }
    if (dest_wait > 0 || n_tenant >= BIQ_ALERT_TEST_TENANT_MAX) {
        int64_t tenant_wait = n_tenant >= BIQ_ALERT_TEST_TENANT_MAX
                                  ? oldest_tenant + WINDOW_MS - now_ms
                                  : 0;
        *retry_after_s = seconds(dest_wait > tenant_wait ? dest_wait : tenant_wait);
        return BIQ_ERR_LIMIT;
    }
    if (free_slot == BIQ_ALERT_TEST_RECENT_MAX) {
        *retry_after_s = seconds(oldest_any + WINDOW_MS - now_ms);
        return BIQ_ERR_UNAVAILABLE;
    }
    biq_alert_limit_entry *e = &l->entries[free_slot];
    memcpy(e->tenant, tenant, strlen(tenant) + 1);
    e->destination = destination;
    e->at_ms = now_ms;
    return BIQ_OK;
}
