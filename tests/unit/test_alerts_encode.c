/* test_alerts_encode.c - the per-channel encoders of alerts/encode.h,
 * table-driven (input -> exact output): e-mail headers RFC 2047-encoded
 * and folded (long subjects, non-ASCII, CR LF that must never end the
 * header), body lines, Slack's & < > escaping that makes <!channel> and
 * <url|text> inert, Teams TextRun text, plain values, and what the
 * deliverer builds from them (tests/integration/test_alerts_delivery.c
 * checks the wire). Expected encoded-words were computed independently
 * (Python's base64 over the UTF-8 bytes). */
#include <stdlib.h>
#include <string.h>

#include "alerts/encode.h"
#include "testsupport.h"

typedef struct pair {
    const char *in, *want;
} pair;

static void check_all(char *(*fn)(const char *), const pair *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *got = fn(cases[i].in);
        ck_assert_ptr_nonnull(got);
        ck_assert_msg(strcmp(got, cases[i].want) == 0, "case %zu: got [%s] want [%s]", i, got,
                      cases[i].want);
        free(got);
    }
}

static char *subject(const char *in)
{
    return biq_encode_mail_header("Subject", in);
}

START_TEST(mail_headers_are_encoded_words_and_folded)
{
    static const pair cases[] = {
        {"BottleneckIQ test message", "Subject: BottleneckIQ test message"},
        {"", "Subject: "},
        /* CR LF: spaces inside the value, never a header of its own. */
        {"EE\r\nBcc: victim@example.com", "Subject: EE  Bcc: victim@example.com"},
        {"\xC3\x9C\r\nBcc: victim@example.com",
         "Subject: =?UTF-8?B?w5wgIEJjYzogdmljdGltQGV4YW1wbGUuY29t?="},
        {"Gr\xC3\xBC\xC3\x9F" "e aus K\xC3\xB6ln", "Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?="},
        /* Longer than a line: folded between whole encoded-words. */
        {"BottleneckIQ alert in FLOW: Stuck in Code Review for more than two days (12345)",
         "Subject: =?UTF-8?B?Qm90dGxlbmVja0lRIGFsZXJ0IGluIEZMT1c6IFN0dWNrIGluIENv?=\r\n"
         " =?UTF-8?B?ZGUgUmV2aWV3IGZvciBtb3JlIHRoYW4gdHdvIGRheXMgKDEyMzQ1?=\r\n"
         " =?UTF-8?B?KQ==?="},
        /* Multi-byte characters are never split across words. */
        {"\xE9\x80\xB2\xE8\xA1\x8C\xE4\xB8\xAD\xE3\x81\xAE\xE3\x82\xBF\xE3\x82\xB9\xE3\x82\xAF "
         "\xE9\x80\xB2\xE8\xA1\x8C\xE4\xB8\xAD\xE3\x81\xAE\xE3\x82\xBF\xE3\x82\xB9\xE3\x82\xAF "
         "\xE9\x80\xB2\xE8\xA1\x8C\xE4\xB8\xAD\xE3\x81\xAE\xE3\x82\xBF\xE3\x82\xB9\xE3\x82\xAF",
         "Subject: =?UTF-8?B?6YCy6KGM5Lit44Gu44K/44K544KvIOmAsuihjOS4reOBruOCvw==?=\r\n"
         " =?UTF-8?B?44K544KvIOmAsuihjOS4reOBruOCv+OCueOCrw==?="},
        /* Something that looks like an encoded-word is encoded itself. */
        {"=?UTF-8?B?x?=", "Subject: =?UTF-8?B?PT9VVEYtOD9CP3g/PQ==?="},
        /* Invalid UTF-8 becomes U+FFFD (EF BF BD). */
        {"A\xFF", "Subject: =?UTF-8?B?Qe+/vQ==?="},
        {"tab\there", "Subject: tab here"},
    };
    check_all(subject, cases, sizeof cases / sizeof cases[0]);
}
END_TEST

/* Whatever the input, the only line breaks are folds: CR LF + space. */
START_TEST(mail_header_never_has_a_bare_line_break)
{
    char in[600];
    for (size_t i = 0; i + 1 < sizeof in; i++)
        in[i] = (char)(i % 7 == 0 ? '\r' : i % 5 == 0 ? '\n' : 'a' + (char)(i % 26));
    in[sizeof in - 1] = '\0';
    char *got = subject(in);
    ck_assert_ptr_nonnull(got);
    for (const char *p = got; *p != '\0'; p++) {
        if (*p == '\r')
            ck_assert_msg(p[1] == '\n' && p[2] == ' ', "bare CR at %td", p - got);
        if (*p == '\n')
            ck_assert_msg(p > got && p[-1] == '\r', "bare LF at %td", p - got);
    }
    /* Every line within RFC 2047's 76 characters. */
    for (const char *line = got; line != NULL;) {
        const char *end = strstr(line, "\r\n");
        size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
        ck_assert_uint_le(len, 76);
        line = end != NULL ? end + 2 : NULL;
    }
    free(got);
    ck_assert_ptr_null(biq_encode_mail_header("Bad\r\nName", "x"));
    ck_assert_ptr_null(biq_encode_mail_header("", "x"));
}
END_TEST

START_TEST(mail_body_lines_are_safe)
{
    static const pair cases[] = {
        {"one\ntwo\n", "one\r\ntwo\r\n"},
        {"no end", "no end\r\n"},
        {"", "\r\n"},
        {"cr\r\nlf", "cr \r\nlf\r\n"},
        {"nul-free \x01\x7F bell", "nul-free    bell\r\n"},
        {"K\xC3\xB6ln", "K\xC3\xB6ln\r\n"},
        {"bad \xC3", "bad \xEF\xBF\xBD\r\n"},
    };
    check_all(biq_encode_mail_body, cases, sizeof cases / sizeof cases[0]);
    /* A long line is wrapped under 998 bytes, at a character boundary. */
    char *in = malloc(3000);
    ck_assert_ptr_nonnull(in);
    for (size_t i = 0; i < 999; i++)
        memcpy(in + 3 * i, "\xE2\x82\xAC", 3); /* the euro sign */
    in[2997] = '\0';
    char *got = biq_encode_mail_body(in);
    ck_assert_ptr_nonnull(got);
    const char *cr = strstr(got, "\r\n");
    ck_assert_ptr_nonnull(cr);
    ck_assert_uint_le((size_t)(cr - got), BIQ_ENCODE_MAIL_LINE_MAX);
    ck_assert_uint_eq((size_t)(cr - got) % 3, 0);
    ck_assert_uint_eq(strlen(got), 2997 + 2 * 4); /* four lines of whole characters */
    free(got);
    free(in);
}
END_TEST

START_TEST(slack_control_sequences_are_inert)
{
    static const pair cases[] = {
        {"<!channel> deploy now", "&lt;!channel&gt; deploy now"},
        {"<https://evil.example|Open the dashboard>",
         "&lt;https://evil.example|Open the dashboard&gt;"},
        {"<@U0123> & <#C42>", "&lt;@U0123&gt; &amp; &lt;#C42&gt;"},
        {"&lt; already", "&amp;lt; already"},
        {"*bold* _it_ ~s~ `c`", "*bold* _it_ ~s~ `c`"}, /* shown as typed: "mrkdwn": false */
        {"line\nbreak", "line\nbreak"},
        {"cr\rhidden", "cr hidden"},
        {"\xE2\x80\xAEtxt.exe", " txt.exe"}, /* bidi override */
    };
    check_all(biq_encode_slack, cases, sizeof cases / sizeof cases[0]);
}
END_TEST

START_TEST(teams_runs_are_plain_single_lines)
{
    static const pair cases[] = {
        {"In Progress", "In Progress"},
        {"**bold** [x](https://evil)", "**bold** [x](https://evil)"}, /* TextRun: no markdown */
        {"{{DATE(2017-02-14T06:00:00Z)}}",
         "{\xE2\x80\x8B{DATE(2017-02-14T06:00:00Z)}\xE2\x80\x8B}"},
        {"two\nlines", "two lines"},
        {"<b>html</b>", "<b>html</b>"}, /* Adaptive Cards render no HTML */
        {"\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"}, /* overlong '/' */
    };
    check_all(biq_encode_teams_run, cases, sizeof cases / sizeof cases[0]);
}
END_TEST

START_TEST(plain_values_are_one_line_and_cut_at_characters)
{
    char out[8];
    ck_assert_uint_eq(biq_encode_plain("EE\r\nX", out, sizeof out), 5);
    ck_assert_str_eq(out, "EE  X");
    /* 7 bytes of room: two 3-byte characters, not half of the third. */
    ck_assert_uint_eq(biq_encode_plain("\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC", out, sizeof out), 6);
    ck_assert_str_eq(out, "\xE2\x82\xAC\xE2\x82\xAC");
    ck_assert_uint_eq(biq_encode_plain(NULL, out, sizeof out), 0);
    ck_assert_str_eq(out, "");
    char cut[] = "ok \xE2\x82";
    biq_encode_utf8_trim(cut);
    ck_assert_str_eq(cut, "ok ");
    char whole[] = "ok \xE2\x82\xAC";
    biq_encode_utf8_trim(whole);
    ck_assert_str_eq(whole, "ok \xE2\x82\xAC");
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("alerts_encode");
    TCase *tc = tcase_create("encode");
    tcase_add_test(tc, mail_headers_are_encoded_words_and_folded);
    tcase_add_test(tc, mail_header_never_has_a_bare_line_break);
    tcase_add_test(tc, mail_body_lines_are_safe);
    tcase_add_test(tc, slack_control_sequences_are_inert);
    tcase_add_test(tc, teams_runs_are_plain_single_lines);
    tcase_add_test(tc, plain_values_are_one_line_and_cut_at_characters);
    suite_add_tcase(s, tc);
    return s;
}
