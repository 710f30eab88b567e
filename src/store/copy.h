/* copy.h - rows streamed into PostgreSQL with COPY ... FROM STDIN (text
 * format), for the page-sized writes of store/ingest.c.
 *
 * A biq_copy encodes fields into a fixed buffer of BIQ_COPY_CHUNK bytes and
 * hands every full chunk to libpq (PQputCopyData) at once, so a page of any
 * size travels in bounded memory. Text fields are escaped as COPY's text
 * format requires (backslash, tab, newline, carriage return: nothing else
 * is special; bytes >= 0x80 pass unchanged, the connection is UTF-8); NULL
 * becomes \N. Strings are C strings, so a NUL cannot reach the wire: the
 * ingest parsers refuse \u0000 before anything is written
 * (src/ingest/reader.c). Any failure sticks: later calls do nothing, and
 * biq_copy_end() reports it and ends the COPY so that the transaction
 * fails as a whole. One thread at a time, inside one biq_tx.
 */
#ifndef BIQ_STORE_COPY_H
#define BIQ_STORE_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "store/tx.h"

enum {
    BIQ_COPY_CHUNK = 64 * 1024, /* bytes per PQputCopyData */
    BIQ_COPY_FIELD_MAX = 24,    /* an int64 or a %.17g double, with sign and NUL */
};

typedef struct biq_copy {
    biq_tx *tx;
    size_t len;
    bool row_open; /* a field was written on the current row */
    biq_err err;
    size_t rows;
    char buf[BIQ_COPY_CHUNK];
} biq_copy;

/* Starts sql (a `COPY table (columns) FROM STDIN`, text format) in tx.
 * BIQ_OK, or the statement's mapped error (the transaction then fails). c
 * lives with the caller (it is large: keep it off small stacks). */
biq_err biq_copy_begin(biq_copy *c, biq_tx *tx, const char *sql);

/* Fields of the current row, in the COPY's column order. */
void biq_copy_text(biq_copy *c, const char *s); /* NULL: SQL NULL */
void biq_copy_int(biq_copy *c, int64_t v);
void biq_copy_int_opt(biq_copy *c, int64_t v, bool present);
void biq_copy_double_opt(biq_copy *c, double v, bool present);
/* An array of bigint ("{1,2}"); ids NULL: SQL NULL, n 0: the empty array. */
void biq_copy_int_array(biq_copy *c, const int64_t *ids, size_t n);

/* Ends the current row. */
void biq_copy_row_end(biq_copy *c);

/* Sends what is buffered and ends the COPY (aborting it after an earlier
 * failure). BIQ_OK with *rows (may be NULL) the rows the server took, or
 * the first failure. */
biq_err biq_copy_end(biq_copy *c, size_t *rows);

#endif
