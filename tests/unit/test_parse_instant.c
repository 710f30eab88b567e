/* test_parse_instant.c - table tests of the strict Jira timestamp parser. */
#include <check.h>
#include <string.h>

#include "ingest/ingest.h"
#include "testsupport.h"

typedef struct good_case {
    const char *text;
    biq_ms want;
} good_case;

/* Expected values computed independently (Python datetime.fromisoformat). */
static const good_case good[] = {
    {"2020-06-12T09:45:13.360+0800", 1591926313360LL},
    {"2020-06-12T09:45:13.360+08:00", 1591926313360LL},
    {"2020-06-12T01:45:13.360Z", 1591926313360LL},
    {"2020-06-12T01:45:13.360+0000", 1591926313360LL},
    {"2020-06-12T01:45:13.360-0000", 1591926313360LL},
    {"2020-06-12T01:45:13Z", 1591926313000LL},
    {"2020-06-12T09:45:13+08", 1591926313000LL},
    {"2020-06-12T01:45:13.3Z", 1591926313300LL},
    {"2020-06-12T01:45:13.36Z", 1591926313360LL},
    {"2020-06-12T01:45:13.360999Z", 1591926313360LL}, /* below a ms: rounded down */
    {"2020-06-12T01:45:13.123456789Z", 1591926313123LL},
    {"2019-02-15T19:01:52.971-0800", 1550286112971LL},
    {"2021-03-28T16:06:08.715+0800", 1616918768715LL},
    {"1970-01-01T00:00:00.000Z", 0},
    {"1970-01-01T00:00:00.000+0100", -3600000LL},
    {"1969-12-31T23:59:59.999Z", -1},
    {"2000-02-29T12:00:00Z", 951825600000LL},
    {"2024-02-29T00:00:00+05:30", 1709145000000LL},
    {"2020-01-01T00:00:00+1800", 1577772000000LL},
    {"2020-01-01T00:00:00-18:00", 1577901600000LL},
    {"2020-12-31T23:59:59.999+1345", 1609409699999LL},
    {"0001-01-01T00:00:00Z", -62135596800000LL},
    {"9999-12-31T23:59:59.999Z", 253402300799999LL},
};

static const char *const bad[] = {
    "",
    "2020",
    "2020-06-12",
    "2020-06-12T09:45:13",          /* no offset */
    "2020-06-12T09:45:13.360",      /* no offset */
    "2020-06-12T09:45:13.360+2500", /* offset hours */
    "2020-06-12T09:45:13.360+1801", /* past 18h */
    "2020-06-12T09:45:13.360+08:60",
    "2020-06-12T09:45:13.360+0860",
    "2020-06-12T09:45:13.360+8",
    "2020-06-12T09:45:13.360+080",
    "2020-06-12T09:45:13.360+08:",
    "2020-06-12T09:45:13.360+08:0",
    "2020-06-12T09:45:13.360+08000",
    "2020-06-12T09:45:13.360 +0800",
    "2020-06-12T09:45:13.360+0800 ",
    "2020-06-12T09:45:13.360+0800x",
    "2020-06-12T09:45:13.360ZZ",
    "2020-06-12T09:45:13.+0800",
    "2020-06-12T09:45:13.1234567890Z", /* ten fraction digits */
    "2020-06-12 09:45:13Z",
    "2020-06-12t09:45:13Z",
    "2020-06-12T09:45:13z",
    "2020-6-12T09:45:13Z",
    "2020-06-1T09:45:13Z",
    "2020-13-01T00:00:00Z",
    "2020-00-01T00:00:00Z",
    "2020-06-00T00:00:00Z",
    "2020-06-31T00:00:00Z",
    "2021-02-29T00:00:00Z",
    "1900-02-29T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "2020-06-12T24:00:00Z",
    "2020-06-12T23:60:00Z",
    "2020-06-12T23:59:60Z", /* leap seconds are never written by Jira */
    "+2020-06-12T09:45:13Z",
    "-2020-06-12T09:45:13Z",
    "２０２０-06-12T09:45:13Z",
    "2020-06-12T09:45:13.360+08:00:00",
    "2020-06-12T09:45:13.360UTC",
};

START_TEST(good_instants)
{
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        biq_ms got = 42;
        biq_err err = biq_parse_instant(good[i].text, strlen(good[i].text), &got);
        ck_assert_msg(err == BIQ_OK, "%s refused", good[i].text);
        ck_assert_msg(got == good[i].want, "%s: got %lld want %lld", good[i].text, (long long)got,
                      (long long)good[i].want);
    }
}
END_TEST

START_TEST(bad_instants)
{
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        biq_ms got = 42;
        ck_assert_msg(biq_parse_instant(bad[i], strlen(bad[i]), &got) == BIQ_ERR_INVALID,
                      "%s accepted", bad[i]);
        ck_assert_int_eq(got, 42); /* untouched on failure */
    }
}
END_TEST

/* The length is the whole text: a NUL or junk after it is not read, and a
 * NUL inside it is refused. */
START_TEST(length_bounded)
{
    static const char text[] = "2020-06-12T01:45:13Z\0junk";
    biq_ms got;
    ck_assert_int_eq(biq_parse_instant(text, 20, &got), BIQ_OK);
    ck_assert_int_eq(got, 1591926313000LL);
    ck_assert_int_eq(biq_parse_instant(text, 19, &got), BIQ_ERR_INVALID);
    ck_assert_int_eq(biq_parse_instant(text, 21, &got), BIQ_ERR_INVALID);
    ck_assert_int_eq(biq_parse_instant(NULL, 0, &got), BIQ_ERR_INVALID);
}
END_TEST

/* Every prefix of a valid instant but the ones that are themselves valid
 * ("...+08" is) is refused. */
START_TEST(prefixes)
{
    static const char text[] = "2020-06-12T09:45:13.360+08:00";
    size_t len = strlen(text);
    for (size_t n = 0; n < len; n++) {
        biq_ms got;
        biq_err err = biq_parse_instant(text, n, &got);
        bool valid = n == strlen("2020-06-12T09:45:13.360+08");
        ck_assert_msg((err == BIQ_OK) == valid, "prefix of %zu bytes", n);
    }
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("parse_instant");
    TCase *tc = tcase_create("instant");
    tcase_add_test(tc, good_instants);
    tcase_add_test(tc, bad_instants);
    tcase_add_test(tc, length_bounded);
    tcase_add_test(tc, prefixes);
    suite_add_tcase(s, tc);
    return s;
}
