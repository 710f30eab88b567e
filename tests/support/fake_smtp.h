/* fake_smtp.h - a minimal SMTP server on 127.0.0.1 (any free port) for
 * tests: enough of RFC 5321 for libcurl (EHLO/HELO, MAIL, RCPT, DATA,
 * RSET, NOOP, QUIT), one connection at a time, recording each message's
 * envelope and data. It can refuse recipients with 550. Aborts the test on
 * setup failure. */
#ifndef BIQ_TEST_FAKE_SMTP_H
#define BIQ_TEST_FAKE_SMTP_H

#include <stdbool.h>
#include <stddef.h>

enum { FAKE_SMTP_MAX_MESSAGES = 32, FAKE_SMTP_DATA_MAX = 256 * 1024, FAKE_SMTP_ADDR_MAX = 320 };

typedef struct fake_smtp fake_smtp;

typedef struct fake_smtp_message {
    char from[FAKE_SMTP_ADDR_MAX];
    char rcpt[FAKE_SMTP_ADDR_MAX];
    char *data; /* headers and body as received (dot-stuffing undone) */
} fake_smtp_message;

fake_smtp *fake_smtp_start(void);
unsigned fake_smtp_port(const fake_smtp *f);
/* true: answer RCPT with 550 (a final refusal). */
void fake_smtp_refuse(fake_smtp *f, bool refuse);
size_t fake_smtp_count(fake_smtp *f);
/* A copy of message i; free with fake_smtp_message_free. */
void fake_smtp_get(fake_smtp *f, size_t i, fake_smtp_message *out);
void fake_smtp_message_free(fake_smtp_message *m);
void fake_smtp_stop(fake_smtp *f);

#endif
