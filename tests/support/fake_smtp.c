/* fake_smtp.c - the fake SMTP server of fake_smtp.h. */
#include "fake_smtp.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

enum { LINE_BUF = 4096, POLL_MS = 50, IDLE_POLLS = 200 };

struct fake_smtp {
    int listen_fd;
    unsigned port;
    pthread_t thread;
    atomic_bool stopping, refuse;
    pthread_mutex_t lock;
    fake_smtp_message messages[FAKE_SMTP_MAX_MESSAGES];
    size_t n;
};

typedef struct session {
    fake_smtp *f;
    int fd;
    char buf[LINE_BUF];
    size_t len;
    char from[FAKE_SMTP_ADDR_MAX], rcpt[FAKE_SMTP_ADDR_MAX];
} session;

static void say(const session *s, const char *line)
{
    if (write(s->fd, line, strlen(line)) < 0)
        return;
}

/* One CRLF-terminated line into out (without the CRLF); false at EOF,
 * error, idle timeout or stop. */
static bool read_line(session *s, char *out, size_t out_len)
{
    for (int idle = 0; idle < IDLE_POLLS && !atomic_load(&s->f->stopping);) {
        char *eol = memchr(s->buf, '\n', s->len);
        if (eol != NULL) {
            size_t n = (size_t)(eol - s->buf) + 1, keep = n - 1;
            if (keep > 0 && s->buf[keep - 1] == '\r')
                keep--;
            keep = keep < out_len - 1 ? keep : out_len - 1;
            memcpy(out, s->buf, keep);
            out[keep] = '\0';
            memmove(s->buf, s->buf + n, s->len - n);
            s->len -= n;
            return true;
        }
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        if (poll(&p, 1, POLL_MS) <= 0) {
            idle++;
            continue;
        }
        ssize_t got = read(s->fd, s->buf + s->len, sizeof s->buf - s->len);
        if (got <= 0 || s->len + (size_t)got >= sizeof s->buf)
            return false;
        s->len += (size_t)got;
    }
    return false;
}

static void address(const char *arg, char *out)
{
    const char *lt = strchr(arg, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    size_t n = lt && gt ? (size_t)(gt - lt - 1) : 0;
    n = n < FAKE_SMTP_ADDR_MAX - 1 ? n : FAKE_SMTP_ADDR_MAX - 1;
    memcpy(out, lt ? lt + 1 : "", n);
    out[n] = '\0';
}

static void data(session *s)
{
    char line[LINE_BUF];
    char *msg = calloc(1, FAKE_SMTP_DATA_MAX);
    size_t used = 0;
    ck_assert_ptr_nonnull(msg);
    say(s, "354 end with <CRLF>.<CRLF>\r\n");
    while (read_line(s, line, sizeof line)) {
        if (strcmp(line, ".") == 0) {
            pthread_mutex_lock(&s->f->lock);
            if (s->f->n < FAKE_SMTP_MAX_MESSAGES) {
                fake_smtp_message *m = &s->f->messages[s->f->n++];
                memcpy(m->from, s->from, sizeof m->from);
                memcpy(m->rcpt, s->rcpt, sizeof m->rcpt);
                m->data = msg;
                msg = NULL;
            }
            pthread_mutex_unlock(&s->f->lock);
            say(s, "250 queued\r\n");
            break;
        }
        const char *text = line[0] == '.' ? line + 1 : line;
        int w = snprintf(msg + used, FAKE_SMTP_DATA_MAX - used, "%s\r\n", text);
        if (w > 0 && (size_t)w < FAKE_SMTP_DATA_MAX - used)
            used += (size_t)w;
    }
    free(msg);
}

static void serve(session *s)
{
    char line[LINE_BUF];
    say(s, "220 fake.smtp ESMTP\r\n");
    while (read_line(s, line, sizeof line)) {
        if (strncasecmp(line, "EHLO", 4) == 0) {
            say(s, "250-fake.smtp\r\n250 8BITMIME\r\n");
        } else if (strncasecmp(line, "HELO", 4) == 0 || strncasecmp(line, "RSET", 4) == 0 ||
                   strncasecmp(line, "NOOP", 4) == 0) {
            say(s, "250 ok\r\n");
        } else if (strncasecmp(line, "MAIL FROM:", 10) == 0) {
            address(line, s->from);
            say(s, "250 ok\r\n");
        } else if (strncasecmp(line, "RCPT TO:", 8) == 0) {
            address(line, s->rcpt);
            say(s, atomic_load(&s->f->refuse) ? "550 no such mailbox\r\n" : "250 ok\r\n");
        } else if (strncasecmp(line, "DATA", 4) == 0) {
            data(s);
        } else if (strncasecmp(line, "QUIT", 4) == 0) {
            say(s, "221 bye\r\n");
            return;
        } else {
            say(s, "502 not implemented\r\n");
        }
    }
}

static void *accept_loop(void *arg)
{
    fake_smtp *f = arg;
    while (!atomic_load(&f->stopping)) {
        struct pollfd p = {.fd = f->listen_fd, .events = POLLIN};
        if (poll(&p, 1, POLL_MS) <= 0)
            continue;
        int fd = accept(f->listen_fd, NULL, NULL);
        if (fd < 0)
            continue;
        session *s = calloc(1, sizeof *s);
        if (s != NULL) {
            s->f = f;
            s->fd = fd;
            serve(s);
        }
        free(s);
        close(fd);
    }
    return NULL;
}

fake_smtp *fake_smtp_start(void)
{
    fake_smtp *f = calloc(1, sizeof *f);
    ck_assert_ptr_nonnull(f);
    pthread_mutex_init(&f->lock, NULL);
    f->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(f->listen_fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ck_assert_int_eq(bind(f->listen_fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(f->listen_fd, 8), 0);
    ck_assert_int_eq(getsockname(f->listen_fd, (struct sockaddr *)&a, &len), 0);
    f->port = ntohs(a.sin_port);
    ck_assert_int_eq(pthread_create(&f->thread, NULL, accept_loop, f), 0);
    return f;
}

unsigned fake_smtp_port(const fake_smtp *f)
{
    return f->port;
}

void fake_smtp_refuse(fake_smtp *f, bool refuse)
{
    atomic_store(&f->refuse, refuse);
}

size_t fake_smtp_count(fake_smtp *f)
{
    pthread_mutex_lock(&f->lock);
    size_t n = f->n;
    pthread_mutex_unlock(&f->lock);
    return n;
}

void fake_smtp_get(fake_smtp *f, size_t i, fake_smtp_message *out)
{
    pthread_mutex_lock(&f->lock);
    ck_assert_uint_lt(i, f->n);
    *out = f->messages[i];
    out->data = strdup(f->messages[i].data);
    pthread_mutex_unlock(&f->lock);
    ck_assert_ptr_nonnull(out->data);
}

void fake_smtp_message_free(fake_smtp_message *m)
{
    free(m->data);
    m->data = NULL;
}

void fake_smtp_stop(fake_smtp *f)
{
    if (f == NULL)
        return;
    atomic_store(&f->stopping, true);
    pthread_join(f->thread, NULL);
    close(f->listen_fd);
    for (size_t i = 0; i < f->n; i++)
        free(f->messages[i].data);
    pthread_mutex_destroy(&f->lock);
    free(f);
}
