/* limits.h - the rate limits of "Send test" (issue 12): at most one test
 * per destination per BIQ_ALERT_TEST_DEST_INTERVAL_S and
 * BIQ_ALERT_TEST_TENANT_MAX per tenant per BIQ_ALERT_TEST_TENANT_WINDOW_S,
 * counted over the tests this process accepted. The record is a fixed
 * table of BIQ_ALERT_TEST_RECENT_MAX entries (no allocation after init):
 * an entry is reused once it is older than the tenant window, so a table
 * full of live entries refuses the test (busy) rather than forgetting one
 * that still counts. Times are caller-supplied milliseconds of a monotonic
 * clock. Not thread-safe: the caller holds its lock. */
#ifndef BIQ_ALERTS_LIMITS_H
#define BIQ_ALERTS_LIMITS_H

#include <stdint.h>

#include "auth/tenant.h"
#include "common/err.h"

enum {
    BIQ_ALERT_TEST_DEST_INTERVAL_S = 10,  /* one test per destination per 10 s */
    BIQ_ALERT_TEST_TENANT_MAX = 10,       /* tests per tenant ... */
    BIQ_ALERT_TEST_TENANT_WINDOW_S = 60,  /* ... per minute */
    BIQ_ALERT_TEST_RECENT_MAX = 2048,     /* accepted tests remembered (~300 KiB) */
};

typedef struct biq_alert_limit_entry {
    char tenant[BIQ_TENANT_ID_MAX + 1];
    int64_t destination;
    int64_t at_ms; /* 0: free */
} biq_alert_limit_entry;

typedef struct biq_alert_limits {
    biq_alert_limit_entry entries[BIQ_ALERT_TEST_RECENT_MAX];
} biq_alert_limits;

/* Empties l. */
void biq_alert_limits_init(biq_alert_limits *l);

/* Whether tenant may test destination at now_ms (> 0); when it may, the
 * test is recorded. BIQ_OK; BIQ_ERR_LIMIT (answer 429) or
 * BIQ_ERR_UNAVAILABLE (table full of live entries: 503), both with
 * *retry_after_s (>= 1) the seconds until a retry can succeed. Never
 * records a refused test. */
biq_err biq_alert_limits_take(biq_alert_limits *l, const char *tenant, int64_t destination,
                              int64_t now_ms, unsigned *retry_after_s);

#endif
