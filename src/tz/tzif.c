/* tzif.c - TZif (RFC 8536) parsing from bytes and offset look-ups. */
#include <string.h>

#include "tz/civil.h"
#include "tz/tz_internal.h"

enum {
    HEADER_LEN = 44,   /* magic, version, 15 unused, six 32-bit counts */
    V1_TIME_LEN = 4,
    V2_TIME_LEN = 8,
    TYPE_REC_LEN = 6,  /* utoff (4), isdst (1), desigidx (1) */
    OFFSET_LIMIT = 25 * 3600 + 59 * 60, /* RFC 8536: |utoff| < 26 h */
};

#define MS_PER_S INT64_C(1000)

typedef struct counts {
    uint32_t isut, isstd, leap, time, type, chars;
} counts;

typedef struct reader {
    const unsigned char *p;
    size_t left;
} reader;

static const biq_tz utc_zone = {
    .name = "UTC",
    .n_types = 0,
    .footer = {.valid = true, .has_dst = false, .std_off = 0},
};

const biq_tz *biq_tz_utc(void)
{
    return &utc_zone;
}

const char *biq_tz_name(const biq_tz *tz)
{
    return tz->name;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    uint64_t v = (uint64_t)be32(p) << 32 | be32(p + 4);
    return (int64_t)v;
}

static bool take(reader *r, size_t n, const unsigned char **out)
{
    if (r->left < n)
        return false;
    *out = r->p;
    r->p += n;
    r->left -= n;
    return true;
}

static bool read_header(reader *r, int *version, counts *c)
{
    const unsigned char *h;
    if (!take(r, HEADER_LEN, &h) || memcmp(h, "TZif", 4) != 0)
        return false;
    *version = h[4] == 0 ? 1 : h[4] - '0';
    if (*version < 1 || *version > 4)
        return false;
    c->isut = be32(h + 20);
    c->isstd = be32(h + 24);
    c->leap = be32(h + 28);
    c->time = be32(h + 32);
    c->type = be32(h + 36);
    c->chars = be32(h + 40);
    return c->type >= 1 && c->type <= BIQ_TZ_MAX_TYPES && c->time <= BIQ_TZ_MAX_TRANSITIONS &&
           c->chars <= BIQ_TZ_MAX_CHARS && (c->isut == 0 || c->isut == c->type) &&
           (c->isstd == 0 || c->isstd == c->type) && c->leap <= BIQ_TZ_MAX_TRANSITIONS;
}

static size_t block_len(const counts *c, size_t tlen)
{
    return (size_t)c->time * tlen + c->time + (size_t)c->type * TYPE_REC_LEN + c->chars +
           (size_t)c->leap * (tlen + 4) + c->isstd + c->isut;
}

/* Reads one data block into tz (allocated in arena). */
static biq_err read_block(reader *r, const counts *c, size_t tlen, biq_arena *arena, biq_tz *tz)
{
    const unsigned char *times, *idx, *types, *rest;
    int64_t *trans = biq_arena_calloc(arena, c->time ? c->time : 1, sizeof *trans);
    uint8_t *tidx = biq_arena_calloc(arena, c->time ? c->time : 1, 1);
    int32_t *offs = biq_arena_calloc(arena, c->type, sizeof *offs);
    if (!trans || !tidx || !offs)
        return BIQ_ERR_NOMEM;
    if (!take(r, (size_t)c->time * tlen, &times) || !take(r, c->time, &idx) ||
        !take(r, (size_t)c->type * TYPE_REC_LEN, &types) ||
        !take(r, block_len(c, tlen) - (size_t)c->time * (tlen + 1) - (size_t)c->type * TYPE_REC_LEN,
              &rest))
        return BIQ_ERR_INVALID;
    for (uint32_t i = 0; i < c->time; i++) {
        trans[i] = tlen == V2_TIME_LEN ? be64(times + i * tlen) : (int32_t)be32(times + i * tlen);
        if (idx[i] >= c->type || (i > 0 && trans[i] <= trans[i - 1]))
            return BIQ_ERR_INVALID;
        tidx[i] = idx[i];
    }
    for (uint32_t i = 0; i < c->type; i++) {
        int32_t off = (int32_t)be32(types + i * TYPE_REC_LEN);
        if (off < -OFFSET_LIMIT || off > OFFSET_LIMIT || types[i * TYPE_REC_LEN + 4] > 1)
            return BIQ_ERR_INVALID;
        offs[i] = off;
    }
    tz->n_trans = c->time;
    tz->trans = trans;
    tz->trans_idx = tidx;
    tz->n_types = c->type;
    tz->type_off = offs;
    return BIQ_OK;
}

/* The footer is "\n<POSIX TZ>\n"; an empty string means "no rule". */
static bool read_footer(reader *r, biq_tz_posix *footer)
{
    char buf[BIQ_TZ_FOOTER_MAX + 1];
    if (r->left < 2 || r->p[0] != '\n')
        return false;
    size_t n = 0;
    while (1 + n < r->left && r->p[1 + n] != '\n' && n < BIQ_TZ_FOOTER_MAX)
        n++;
    if (1 + n >= r->left || r->p[1 + n] != '\n')
        return false;
    memcpy(buf, r->p + 1, n);
    buf[n] = '\0';
    if (n == 0)
        return true;
    return biq_tz_posix_parse(buf, footer);
}

static void set_name(biq_tz *tz, const char *name)
{
    size_t n = name ? strnlen(name, BIQ_TZ_NAME_MAX) : 0;
    memcpy(tz->name, name ? name : "", n);
    tz->name[n] = '\0';
}

biq_err biq_tz_parse(const unsigned char *data, size_t len, const char *name, biq_arena *arena,
                     biq_tz **out)
{
    biq_err err = BIQ_ERR_INVALID;
    reader r = {data, len};
    counts c;
    int version = 0;
    biq_tz *tz = NULL;
    if (!data || len > BIQ_TZ_FILE_MAX || !read_header(&r, &version, &c))
        goto out;
    if (!(tz = biq_arena_calloc(arena, 1, sizeof *tz))) {
        err = BIQ_ERR_NOMEM;
        goto out;
    }
    set_name(tz, name);
    if (version == 1) {
        err = read_block(&r, &c, V1_TIME_LEN, arena, tz);
        goto out;
    }
    const unsigned char *skip;
    if (!take(&r, block_len(&c, V1_TIME_LEN), &skip) || !read_header(&r, &version, &c))
        goto out;
    if ((err = read_block(&r, &c, V2_TIME_LEN, arena, tz)) != BIQ_OK)
        goto out;
    err = read_footer(&r, &tz->footer) ? BIQ_OK : BIQ_ERR_INVALID;
out:
    if (err == BIQ_OK)
        *out = tz;
    return err;
}

biq_err biq_tz_from_posix(const char *tzstring, const char *name, biq_arena *arena, biq_tz **out)
{
    biq_tz *tz = biq_arena_calloc(arena, 1, sizeof *tz);
    if (!tz)
        return BIQ_ERR_NOMEM;
    if (!biq_tz_posix_parse(tzstring, &tz->footer))
        return BIQ_ERR_INVALID;
    set_name(tz, name);
    *out = tz;
    return BIQ_OK;
}

static int32_t offset_at_s(const biq_tz *tz, int64_t t)
{
    if (tz->n_trans == 0 || t >= tz->trans[tz->n_trans - 1]) {
        if (tz->footer.valid)
            return biq_tz_posix_offset(&tz->footer, t);
        if (tz->n_trans == 0)
            return tz->n_types ? tz->type_off[0] : 0;
        return tz->type_off[tz->trans_idx[tz->n_trans - 1]];
    }
    if (t < tz->trans[0])
        return tz->type_off[0];
    uint32_t lo = 0, hi = tz->n_trans - 1; /* trans[lo] <= t < trans[hi] */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (tz->trans[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return tz->type_off[tz->trans_idx[lo]];
}

int32_t biq_tz_offset_at(const biq_tz *tz, int64_t utc_ms)
{
    return offset_at_s(tz, biq_floor_div(utc_ms, MS_PER_S));
}

int64_t biq_tz_local_to_utc(const biq_tz *tz, int64_t local_ms)
{
    /* Offsets around the reading: a day either side covers every real zone
     * (transitions are months apart). */
    int64_t before = biq_tz_offset_at(tz, local_ms - BIQ_MS_PER_DAY) * MS_PER_S;
    int64_t after = biq_tz_offset_at(tz, local_ms + BIQ_MS_PER_DAY) * MS_PER_S;
    int64_t t1 = local_ms - before, t2 = local_ms - after;
    bool ok1 = biq_tz_offset_at(tz, t1) * MS_PER_S == before;
    bool ok2 = biq_tz_offset_at(tz, t2) * MS_PER_S == after;
    if (ok1 && ok2)
        return t1 < t2 ? t1 : t2;
    if (ok2)
        return t2;
    return t1; /* valid, or inside a gap: read with the earlier offset */
}

int64_t biq_tz_local_day(const biq_tz *tz, int64_t utc_ms)
{
    return biq_floor_div(utc_ms + biq_tz_offset_at(tz, utc_ms) * MS_PER_S, BIQ_MS_PER_DAY);
}

int64_t biq_tz_day_start(const biq_tz *tz, int64_t day)
{
    return biq_tz_local_to_utc(tz, day * BIQ_MS_PER_DAY);
}

/* Seconds to ms, saturating (stored transitions may lie at +-2^59 s). */
static int64_t s_to_ms(int64_t s)
{
    if (s > INT64_MAX / MS_PER_S)
        return INT64_MAX;
    return s < INT64_MIN / MS_PER_S ? INT64_MIN : s * MS_PER_S;
}

int64_t biq_tz_next_change(const biq_tz *tz, int64_t utc_ms)
{
    int64_t t = biq_floor_div(utc_ms, MS_PER_S);
    if (tz->n_trans == 0 || t >= tz->trans[tz->n_trans - 1]) {
        int64_t c = tz->footer.valid ? biq_tz_posix_next_change(&tz->footer, t) : INT64_MAX;
        return s_to_ms(c);
    }
    uint32_t lo = 0, hi = tz->n_trans - 1; /* the first transition after t */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (tz->trans[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return s_to_ms(tz->trans[lo]);
}

int64_t biq_tz_periodic_from(const biq_tz *tz)
{
    return tz->n_trans ? s_to_ms(tz->trans[tz->n_trans - 1]) : INT64_MIN;
}
