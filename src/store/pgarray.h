/* pgarray.h - builds PostgreSQL array literals ("{1,2,NULL}") so that a
 * whole page of rows goes to the server as a few array parameters and one
 * INSERT ... SELECT FROM unnest(...), instead of a statement per row.
 *
 * Elements are always double-quoted with backslash escapes, which is the
 * array input syntax's one safe form for arbitrary text. A builder grows
 * in the caller's arena and never past BIQ_PGARRAY_MAX bytes; any failure
 * sticks, and biq_pgarray_finish() then reports it. One thread at a time.
 */
#ifndef BIQ_STORE_PGARRAY_H
#define BIQ_STORE_PGARRAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/err.h"

enum { BIQ_PGARRAY_MAX = 64 * 1024 * 1024 };

typedef struct biq_pgarray {
    biq_arena *arena;
    char *buf;
    size_t len, cap;
    size_t count;
    bool failed;
} biq_pgarray;

/* Starts an empty array whose memory comes from arena. */
void biq_pgarray_init(biq_pgarray *a, biq_arena *arena);

/* Appends a text element; NULL appends SQL NULL. */
void biq_pgarray_text(biq_pgarray *a, const char *s);

/* Appends an integer element. */
void biq_pgarray_int(biq_pgarray *a, int64_t v);

/* Appends an integer, or NULL when present is false. */
void biq_pgarray_int_opt(biq_pgarray *a, int64_t v, bool present);

/* Appends a finite double (shortest exact form), or NULL when !present. */
void biq_pgarray_double_opt(biq_pgarray *a, double v, bool present);

/* The finished literal (in the arena), or NULL with *err set (BIQ_ERR_NOMEM
 * or BIQ_ERR_TOO_LARGE) when any append failed. */
const char *biq_pgarray_finish(biq_pgarray *a, biq_err *err);

/* biq_pgarray_finish() of arrays[0..n) into out[0..n): BIQ_OK, or the first
 * failure (out then holds the literals finished before it). */
biq_err biq_pgarray_finish_all(biq_pgarray *arrays, size_t n, const char **out);

#endif
