/* pgarray.c - array literal builder (see pgarray.h). */
#include "store/pgarray.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

enum { PGARRAY_INITIAL = 256, NUMBER_MAX = 40 };

void biq_pgarray_init(biq_pgarray *a, biq_arena *arena)
{
    memset(a, 0, sizeof *a);
    a->arena = arena;
}

static bool reserve(biq_pgarray *a, size_t more)
{
    if (a->failed)
        return false;
    if (more > BIQ_PGARRAY_MAX - a->len - 3) {
        a->failed = true;
        return false;
    }
    size_t need = a->len + more + 3; /* room for '{', '}' and NUL */
    if (need <= a->cap)
        return true;
    size_t cap = a->cap == 0 ? PGARRAY_INITIAL : a->cap;
    while (cap < need)
        cap *= 2;
    char *grown = biq_arena_realloc(a->arena, a->buf, a->len, cap);
    if (grown == NULL) {
        a->failed = true;
        return false;
    }
    a->buf = grown;
    a->cap = cap;
    return true;
}

static void put(biq_pgarray *a, const char *s, size_t n)
{
    if (!reserve(a, n + 1))
        return;
    if (a->count > 0)
        a->buf[a->len++] = ',';
    memcpy(a->buf + a->len, s, n);
    a->len += n;
    a->count++;
}

void biq_pgarray_text(biq_pgarray *a, const char *s)
{
    if (s == NULL) {
        put(a, "NULL", 4);
        return;
    }
    size_t n = strlen(s), extra = 2;
    for (size_t i = 0; i < n; i++)
        extra += s[i] == '"' || s[i] == '\\';
    if (n > BIQ_PGARRAY_MAX || !reserve(a, n + extra + 1))
        return;
    if (a->count > 0)
        a->buf[a->len++] = ',';
    a->buf[a->len++] = '"';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"' || s[i] == '\\')
            a->buf[a->len++] = '\\';
        a->buf[a->len++] = s[i];
    }
    a->buf[a->len++] = '"';
    a->count++;
}

void biq_pgarray_int(biq_pgarray *a, int64_t v)
{
    char num[NUMBER_MAX];
    int n = snprintf(num, sizeof num, "%" PRId64, v);
    put(a, num, (size_t)n);
}

void biq_pgarray_int_opt(biq_pgarray *a, int64_t v, bool present)
{
    if (present)
        biq_pgarray_int(a, v);
    else
        put(a, "NULL", 4);
}

void biq_pgarray_double_opt(biq_pgarray *a, double v, bool present)
{
    char num[NUMBER_MAX];
    if (!present || !isfinite(v)) {
        put(a, "NULL", 4);
        return;
    }
    int n = snprintf(num, sizeof num, "%.17g", v);
    put(a, num, (size_t)n);
}

const char *biq_pgarray_finish(biq_pgarray *a, biq_err *err)
{
    if (!reserve(a, 0)) {
        *err = a->len > BIQ_PGARRAY_MAX / 2 ? BIQ_ERR_TOO_LARGE : BIQ_ERR_NOMEM;
        return NULL;
    }
    memmove(a->buf + 1, a->buf, a->len);
    a->buf[0] = '{';
    a->buf[a->len + 1] = '}';
    a->buf[a->len + 2] = '\0';
    *err = BIQ_OK;
    return a->buf;
}

biq_err biq_pgarray_finish_all(biq_pgarray *arrays, size_t n, const char **out)
{
    biq_err err = BIQ_OK;
    for (size_t i = 0; i < n; i++)
        if ((out[i] = biq_pgarray_finish(&arrays[i], &err)) == NULL)
            return err;
    return BIQ_OK;
}
