/* test_alerts_limits.c - the "Send test" rate limits of alerts/limits.h at
 * a controlled clock: one per destination per 10 s, ten per tenant per
 * minute, Retry-After the seconds until a retry succeeds, refused tests
 * not counted, and a full table refusing (busy) rather than forgetting. */
#include <stdio.h>
#include <stdlib.h>

#include "alerts/limits.h"
#include "testsupport.h"

static const int64_t T0 = 1000000;

START_TEST(per_destination_and_per_tenant)
{
    biq_alert_limits *l = malloc(sizeof *l);
    unsigned wait = 0;
    ck_assert_ptr_nonnull(l);
    biq_alert_limits_init(l);
    ck_assert_int_eq(biq_alert_limits_take(l, "a", 1, T0, &wait), BIQ_OK);
    ck_assert_int_eq(biq_alert_limits_take(l, "a", 1, T0 + 2500, &wait), BIQ_ERR_LIMIT);
    ck_assert_uint_eq(wait, 8); /* 7.5 s left, rounded up */
    ck_assert_int_eq(biq_alert_limits_take(l, "a", 1, T0 + 9999, &wait), BIQ_ERR_LIMIT);
    ck_assert_uint_eq(wait, 1);
    ck_assert_int_eq(biq_alert_limits_take(l, "a", 1, T0 + 10000, &wait), BIQ_OK);
    /* The same destination id of another tenant is another destination. */
    ck_assert_int_eq(biq_alert_limits_take(l, "b", 1, T0 + 10000, &wait), BIQ_OK);
    /* Ten a minute per tenant: a has 2, eight more pass, the 11th waits
     * until the first is a minute old. */
    for (int64_t d = 2; d < 10; d++)
        ck_assert_int_eq(biq_alert_limits_take(l, "a", d, T0 + 20000, &wait), BIQ_OK);
    ck_assert_int_eq(biq_alert_limits_take(l, "a", 99, T0 + 30000, &wait), BIQ_ERR_LIMIT);
    ck_assert_uint_eq(wait, 30);
    /* Refusals did not count: at T0 + 60 s the first expired, one fits. */
    ck_assert_int_eq(biq_alert_limits_take(l, "a", 99, T0 + 60000, &wait), BIQ_OK);
    ck_assert_int_eq(biq_alert_limits_take(l, "a", 98, T0 + 60000, &wait), BIQ_ERR_LIMIT);
    ck_assert_int_eq(biq_alert_limits_take(l, "b", 2, T0 + 60000, &wait), BIQ_OK);
    free(l);
}
END_TEST

START_TEST(a_full_table_is_busy_not_forgetful)
{
    biq_alert_limits *l = malloc(sizeof *l);
    unsigned wait = 0;
    char tenant[32];
    ck_assert_ptr_nonnull(l);
    biq_alert_limits_init(l);
    for (int i = 0; i < BIQ_ALERT_TEST_RECENT_MAX; i++) {
        snprintf(tenant, sizeof tenant, "t%d", i);
        ck_assert_int_eq(biq_alert_limits_take(l, tenant, 1, T0 + i, &wait), BIQ_OK);
    }
    ck_assert_int_eq(biq_alert_limits_take(l, "new", 1, T0 + 5000, &wait), BIQ_ERR_UNAVAILABLE);
    ck_assert_uint_eq(wait, 55);
    ck_assert_int_eq(biq_alert_limits_take(l, "t0", 1, T0 + 5000, &wait), BIQ_ERR_LIMIT);
    ck_assert_int_eq(biq_alert_limits_take(l, "new", 1, T0 + 60000, &wait), BIQ_OK);
    free(l);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("alerts_limits");
    TCase *tc = tcase_create("limits");
    tcase_add_test(tc, per_destination_and_per_tenant);
    tcase_add_test(tc, a_full_table_is_busy_not_forgetful);
    suite_add_tcase(s, tc);
    return s;
}
