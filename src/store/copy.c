/* copy.c - the COPY text-format row encoder (see copy.h). */
#include "store/copy.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void flush(biq_copy *c)
{
    if (c->err == BIQ_OK && c->len > 0)
        c->err = biq_tx_copy_data(c->tx, c->buf, c->len);
    c->len = 0;
}

/* Appends raw bytes, flushing full chunks. */
static void put(biq_copy *c, const char *s, size_t n)
{
    while (c->err == BIQ_OK && n > 0) {
        size_t room = sizeof c->buf - c->len;
        if (room == 0) {
            flush(c);
            continue;
        }
        size_t k = n < room ? n : room;
        memcpy(c->buf + c->len, s, k);
        c->len += k;
        s += k;
        n -= k;
    }
}

static void field_start(biq_copy *c)
{
    if (c->row_open)
        put(c, "\t", 1);
    c->row_open = true;
}

biq_err biq_copy_begin(biq_copy *c, biq_tx *tx, const char *sql)
{
    c->tx = tx;
    c->len = 0;
    c->row_open = false;
    c->rows = 0;
    c->err = biq_tx_copy_start(tx, sql);
    return c->err;
}

void biq_copy_text(biq_copy *c, const char *s)
{
    field_start(c);
    if (s == NULL) {
        put(c, "\\N", 2);
        return;
    }
    /* Runs of ordinary bytes go in one put; the four special ones as their
     * two-byte escapes. */
    for (;;) {
        size_t plain = strcspn(s, "\\\t\n\r");
        put(c, s, plain);
        s += plain;
        switch (*s) {
        case '\0':
            return;
        case '\\':
            put(c, "\\\\", 2);
            break;
        case '\t':
            put(c, "\\t", 2);
            break;
        case '\n':
            put(c, "\\n", 2);
            break;
        default: /* '\r' */
            put(c, "\\r", 2);
            break;
        }
        s++;
    }
}

void biq_copy_int(biq_copy *c, int64_t v)
{
    char num[BIQ_COPY_FIELD_MAX];
    int n = snprintf(num, sizeof num, "%" PRId64, v);
    field_start(c);
    put(c, num, (size_t)n);
}

void biq_copy_int_opt(biq_copy *c, int64_t v, bool present)
{
    if (present)
        biq_copy_int(c, v);
    else
        biq_copy_text(c, NULL);
}

void biq_copy_double_opt(biq_copy *c, double v, bool present)
{
    char num[BIQ_COPY_FIELD_MAX];
    if (!present) {
        biq_copy_text(c, NULL);
        return;
    }
    /* %.17g round-trips every double; the parsers give finite ones only. */
    int n = snprintf(num, sizeof num, "%.17g", v);
    field_start(c);
    put(c, num, (size_t)n);
}

void biq_copy_int_array(biq_copy *c, const int64_t *ids, size_t n)
{
    char num[BIQ_COPY_FIELD_MAX];
    if (ids == NULL) {
        biq_copy_text(c, NULL);
        return;
    }
    field_start(c);
    put(c, "{", 1);
    for (size_t i = 0; i < n; i++) {
        int k = snprintf(num, sizeof num, "%s%" PRId64, i > 0 ? "," : "", ids[i]);
        put(c, num, (size_t)k);
    }
    put(c, "}", 1);
}

void biq_copy_row_end(biq_copy *c)
{
    put(c, "\n", 1);
    c->row_open = false;
    c->rows++;
}

biq_err biq_copy_end(biq_copy *c, size_t *rows)
{
    size_t taken = 0;
    flush(c);
    biq_err err = biq_tx_copy_finish(c->tx, c->err, &taken);
    if (c->err == BIQ_OK)
        c->err = err;
    if (rows != NULL)
        *rows = taken;
    return c->err;
}
