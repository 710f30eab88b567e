/* encode.h - the one encoder per outbound channel of alert messages
 * (security.md section 6: identifiers that reach outbound messages are
 * escaped per channel when a message is built).
 *
 * A message is built by us from a template and values that come from
 * ingested data or from users (project and issue keys, status names, rule
 * names). The builders (alerts/evaluate.c, the test message) first make
 * each value one safe line of plain text with biq_encode_plain(); the
 * deliverer (alerts/deliver.c) then turns the whole plain text into its
 * channel's form, and nothing reaches a channel any other way:
 *
 *   e-mail  headers: "Name: value" with the value as RFC 2047 encoded-words
 *           (UTF-8, B) whenever it is not short printable ASCII; the only
 *           CR LF in the result are folds followed by a space, so no input
 *           can end the header or add one. Body: CRLF line ends, no other
 *           control character, lines of at most BIQ_ENCODE_MAIL_LINE_MAX
 *           bytes.
 *   Slack   mrkdwn text: '&' '<' '>' become "&amp;" "&lt;" "&gt;" (Slack's
 *           documented escaping), so "<!channel>", "<@U123>" and
 *           "<https://evil|text>" are shown, never parsed; the payload also
 *           sets "mrkdwn": false so * _ ~ ` show as typed.
 *   Teams   TextRun text of a RichTextBlock: Microsoft documents that
 *           RichTextBlock does not process markdown (a TextBlock does, and
 *           backslash escapes are rendered differently by Teams' desktop
 *           and mobile clients), and Adaptive Cards render no HTML; what
 *           still has a meaning there, the {{DATE()}} / {{TIME()}} text
 *           functions, is broken by a zero-width space between the braces.
 *
 * Links are built only by us: no encoder produces one from its input.
 * Invalid UTF-8 becomes U+FFFD everywhere; C0/C1 controls, DEL, U+2028/9
 * and the bidirectional overrides become a space (a line break only where
 * the function says so). Pure and thread-safe. */
#ifndef BIQ_ALERTS_ENCODE_H
#define BIQ_ALERTS_ENCODE_H

#include <stddef.h>

enum {
    BIQ_ENCODE_MAIL_LINE_MAX = 998, /* RFC 5322 2.1.1, without CR LF */
    BIQ_ENCODE_HEADER_LINE_MAX = 78, /* a plain header longer than this is encoded */
    BIQ_ENCODE_WORD_BYTES = 39,     /* UTF-8 bytes per encoded-word: 52 base64
                                     * characters, 64 with =?UTF-8?B? and ?=, so
                                     * every line stays under RFC 2047's 76 */
};

/* One line of plain text from in: what the builders put into a message.
 * Writes at most out_len - 1 bytes and a NUL, never splitting a UTF-8
 * character; returns the length written. out_len must be >= 1. */
size_t biq_encode_plain(const char *in, char *out, size_t out_len);

/* Cuts s (NUL-terminated, at most len bytes) back so that it does not end
 * inside a UTF-8 character (after a truncating snprintf). */
void biq_encode_utf8_trim(char *s);

/* "name: value" for an e-mail header, folded as above; name must be a
 * header name of printable ASCII without ':' (ours). malloc'd; NULL when
 * out of memory or name is not one. */
char *biq_encode_mail_header(const char *name, const char *value);

/* A message body: every line break CR LF, long lines wrapped at a
 * character boundary, ending in CR LF. malloc'd; NULL when out of memory. */
char *biq_encode_mail_body(const char *text);

/* Slack mrkdwn text (line breaks kept). malloc'd; NULL when out of memory. */
char *biq_encode_slack(const char *text);

/* The text of one Teams TextRun: one line of in (line breaks become a
 * space). malloc'd; NULL when out of memory. */
char *biq_encode_teams_run(const char *text);

#endif
