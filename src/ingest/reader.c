/* reader.c - the parse context and the typed member readers every parser
 * uses, and the bounded body loader. Keeping validation here means one rule
 * per kind of value (ids, names, instants) for every format.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ingest/ingest_internal.h"

#define ID_DIGITS_MAX 19 /* INT64_MAX has 19 digits */
#define ROOT_PATH "body"

static const biq_field_ids no_fields = {NULL, NULL, NULL, NULL};

biq_field_ids biq_field_ids_default(void)
{
    biq_field_ids f = {BIQ_FIELD_STORY_POINTS_DEFAULT, BIQ_FIELD_SPRINT_DEFAULT, NULL,
                       BIQ_FIELD_FLAGGED_DEFAULT};
    return f;
}

void biq_pctx_init(biq_pctx *c, biq_arena *arena, const biq_field_ids *fields,
                   biq_parse_error *perr)
{
    memset(c, 0, sizeof *c);
    c->arena = arena;
    c->fields = fields ? fields : &no_fields;
    c->perr = perr;
    if (perr)
        memset(perr, 0, sizeof *perr);
}

/* Appends text to the path; a path too long for the buffer is cut, which only
 * shortens the message. */
static size_t path_append(biq_pctx *c, const char *text)
{
    size_t saved = c->path_len;
    size_t room = sizeof c->path - c->path_len;
    int n = snprintf(c->path + c->path_len, room, "%s", text);
    if (n > 0)
        c->path_len += (size_t)n < room ? (size_t)n : room - 1;
    return saved;
}

size_t biq_pctx_key(biq_pctx *c, const char *key)
{
    size_t saved = c->path_len;
    if (c->path_len > 0)
        path_append(c, ".");
    path_append(c, key);
    return saved;
}

size_t biq_pctx_index(biq_pctx *c, size_t index)
{
    char step[32];
    snprintf(step, sizeof step, "[%zu]", index);
    return path_append(c, step);
}

void biq_pctx_pop(biq_pctx *c, size_t saved)
{
    if (c->failed)
        return; /* keep the path of the first problem */
    c->path_len = saved;
    c->path[saved] = '\0';
}

biq_err biq_pctx_fail(biq_pctx *c, biq_err err, const char *reason)
{
    if (c->failed)
        return err;
    c->failed = true;
    if (c->perr) {
        const char *path = c->path_len > 0 ? c->path : ROOT_PATH;
        snprintf(c->perr->path, sizeof c->perr->path, "%s", path);
        snprintf(c->perr->message, sizeof c->perr->message, "%s: %s", path, reason);
    }
    return err;
}

/* Parses a run of decimal digits as a positive int64. */
static bool numeric_id(const char *s, size_t len, int64_t *out)
{
    int64_t v = 0;
    if (len == 0 || len > ID_DIGITS_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        int d = s[i] - '0';
        if (v > (INT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return v > 0;
}

biq_err biq_read_id(biq_pctx *c, const json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i <= 0)
            return biq_pctx_fail(c, BIQ_ERR_INVALID, "an id must be positive");
        *out = (int64_t)i;
        return BIQ_OK;
    }
    if (!json_is_string(v))
        return biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected a numeric string");
    if (!numeric_id(json_string_value(v), json_string_length(v), out))
        return biq_pctx_fail(c, BIQ_ERR_INVALID, "expected a numeric string (positive, fits int64)");
    return BIQ_OK;
}

static biq_err read_chars(biq_pctx *c, const json_t *v, size_t max, bool drop_nul,
                          const char **out)
{
    if (!json_is_string(v))
        return biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected a string");
    size_t len = json_string_length(v);
    const char *s = json_string_value(v);
    if (len > max)
        return biq_pctx_fail(c, BIQ_ERR_TOO_LARGE, "string too long");
    if (!drop_nul && memchr(s, '\0', len))
        return biq_pctx_fail(c, BIQ_ERR_INVALID, "NUL character in string");
    char *copy = biq_arena_alloc(c->arena, len + 1);
    if (!copy)
        return biq_pctx_fail(c, BIQ_ERR_NOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] != '\0')
            copy[n++] = s[i];
    copy[n] = '\0';
    *out = copy;
    return BIQ_OK;
}

biq_err biq_read_string(biq_pctx *c, const json_t *v, size_t max, const char **out)
{
    return read_chars(c, v, max, false, out);
}

biq_err biq_read_text(biq_pctx *c, const json_t *v, size_t max, const char **out)
{
    return read_chars(c, v, max, true, out);
}

/* Looks a member up; *v is NULL for an absent or null member. */
static biq_err member(biq_pctx *c, const json_t *obj, const char *key, bool required,
                      const json_t **v)
{
    *v = json_object_get(obj, key);
    if (json_is_null(*v))
        *v = NULL;
    if (!*v && required)
        return biq_pctx_fail(c, BIQ_ERR_SHAPE, "missing");
    return BIQ_OK;
}

biq_err biq_member_object(biq_pctx *c, const json_t *obj, const char *key, bool required,
                          const json_t **out)
{
    size_t saved = biq_pctx_key(c, key);
    biq_err err = member(c, obj, key, required, out);
    if (err == BIQ_OK && *out && !json_is_object(*out))
        err = biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected an object");
    biq_pctx_pop(c, saved);
    return err;
}

biq_err biq_member_array(biq_pctx *c, const json_t *obj, const char *key, size_t max,
                         bool required, const json_t **out)
{
    size_t saved = biq_pctx_key(c, key);
    biq_err err = member(c, obj, key, required, out);
    if (err == BIQ_OK && *out && !json_is_array(*out))
        err = biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected an array");
    else if (err == BIQ_OK && *out && json_array_size(*out) > max)
        err = biq_pctx_fail(c, BIQ_ERR_TOO_LARGE, "too many elements");
    biq_pctx_pop(c, saved);
    return err;
}

biq_err biq_member_id(biq_pctx *c, const json_t *obj, const char *key, bool required,
                      int64_t *out)
{
    const json_t *v;
    size_t saved = biq_pctx_key(c, key);
    *out = 0;
    biq_err err = member(c, obj, key, required, &v);
    if (err == BIQ_OK && v)
        err = biq_read_id(c, v, out);
    biq_pctx_pop(c, saved);
    return err;
}

biq_err biq_member_string(biq_pctx *c, const json_t *obj, const char *key, size_t max,
                          bool required, const char **out)
{
    const json_t *v;
    size_t saved = biq_pctx_key(c, key);
    *out = NULL;
    biq_err err = member(c, obj, key, required, &v);
    if (err == BIQ_OK && v)
        err = biq_read_string(c, v, max, out);
    biq_pctx_pop(c, saved);
    return err;
}

biq_err biq_member_text(biq_pctx *c, const json_t *obj, const char *key, size_t max,
                        bool required, const char **out)
{
    const json_t *v;
    size_t saved = biq_pctx_key(c, key);
    *out = NULL;
    biq_err err = member(c, obj, key, required, &v);
    if (err == BIQ_OK && v)
        err = biq_read_text(c, v, max, out);
    biq_pctx_pop(c, saved);
    return err;
}

/* Refuses a parsed instant outside [1970, now + ahead_ms] (no upper limit
 * without a clock): a well-formed but implausible value, BIQ_ERR_SHAPE (422). */
static biq_err plausible(biq_pctx *c, biq_ms t, int64_t ahead_ms)
{
    const biq_ms *now = c->fields->now;
    if (t < BIQ_INGEST_EARLIEST_MS)
        return biq_pctx_fail(c, BIQ_ERR_SHAPE, "before 1970-01-01T00:00:00Z");
    if (now && *now <= INT64_MAX - ahead_ms && t > *now + ahead_ms)
        return biq_pctx_fail(c, BIQ_ERR_SHAPE,
                             ahead_ms == BIQ_INGEST_AHEAD_MAX_MS
                                 ? "more than 2 days after the server's clock"
                                 : "more than 5 years after the server's clock");
    return BIQ_OK;
}

static biq_err member_instant(biq_pctx *c, const json_t *obj, const char *key, bool required,
                              int64_t ahead_ms, biq_ms *out)
{
    const json_t *v;
    size_t saved = biq_pctx_key(c, key);
    *out = BIQ_MS_NONE;
    biq_err err = member(c, obj, key, required, &v);
    if (err == BIQ_OK && v && !json_is_string(v))
        err = biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected a timestamp string");
    else if (err == BIQ_OK && v &&
             biq_parse_instant(json_string_value(v), json_string_length(v), out) != BIQ_OK)
        err = biq_pctx_fail(c, BIQ_ERR_INVALID, "not a timestamp");
    else if (err == BIQ_OK && v)
        err = plausible(c, *out, ahead_ms);
    if (err != BIQ_OK)
        *out = BIQ_MS_NONE;
    biq_pctx_pop(c, saved);
    return err;
}

biq_err biq_member_instant(biq_pctx *c, const json_t *obj, const char *key, bool required,
                           biq_ms *out)
{
    return member_instant(c, obj, key, required, BIQ_INGEST_AHEAD_MAX_MS, out);
}

biq_err biq_member_planned_instant(biq_pctx *c, const json_t *obj, const char *key, biq_ms *out)
{
    return member_instant(c, obj, key, false, BIQ_INGEST_PLANNED_AHEAD_MAX_MS, out);
}

biq_err biq_member_count(biq_pctx *c, const json_t *obj, const char *key, int64_t *out)
{
    const json_t *v;
    size_t saved = biq_pctx_key(c, key);
    *out = -1;
    biq_err err = member(c, obj, key, false, &v);
    if (err == BIQ_OK && v && !json_is_integer(v))
        err = biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected an integer");
    else if (err == BIQ_OK && v && json_integer_value(v) < 0)
        err = biq_pctx_fail(c, BIQ_ERR_INVALID, "must not be negative");
    else if (v)
        *out = (int64_t)json_integer_value(v);
    biq_pctx_pop(c, saved);
    return err;
}

biq_err biq_member_bool(biq_pctx *c, const json_t *obj, const char *key, bool *present,
                        bool *out)
{
    const json_t *v;
    size_t saved = biq_pctx_key(c, key);
    *present = false;
    *out = false;
    biq_err err = member(c, obj, key, false, &v);
    if (err == BIQ_OK && v && !json_is_boolean(v))
        err = biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected a boolean");
    else if (v) {
        *present = true;
        *out = json_is_true(v);
    }
    biq_pctx_pop(c, saved);
    return err;
}

biq_err biq_member_name(biq_pctx *c, const json_t *obj, const char *key, const char *name,
                        const char **out)
{
    const json_t *sub;
    *out = NULL;
    size_t saved = biq_pctx_key(c, key);
    biq_err err = member(c, obj, key, false, &sub);
    if (err == BIQ_OK && sub && !json_is_object(sub))
        err = biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected an object");
    else if (err == BIQ_OK && sub)
        err = biq_member_text(c, sub, name, BIQ_INGEST_NAME_MAX, false, out);
    biq_pctx_pop(c, saved);
    return err;
}

biq_err biq_catalog_values(biq_pctx *c, const json_t *root, const json_t **out)
{
    if (json_is_array(root)) {
        if (json_array_size(root) > BIQ_INGEST_CATALOG_MAX)
            return biq_pctx_fail(c, BIQ_ERR_TOO_LARGE, "too many elements");
        *out = root;
        return BIQ_OK;
    }
    if (!json_is_object(root))
        return biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected an array or an object with values[]");
    return biq_member_array(c, root, "values", BIQ_INGEST_CATALOG_MAX, true, out);
}

/* JSON_ALLOW_NUL: \u0000 is then judged per member by the readers above, so
 * that the error names its path (and display text can drop it). */

/* Refuses bodies nested deeper than the limit before jansson builds them,
 * so depth costs no memory. Brackets inside strings do not count. */
static bool depth_ok(const char *buf, size_t len)
{
    int depth = 0;
    bool in_string = false, escaped = false;
    for (size_t i = 0; i < len; i++) {
        char ch = buf[i];
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (ch == '\\')
                escaped = true;
            else if (ch == '"')
                in_string = false;
        } else if (ch == '"') {
            in_string = true;
        } else if (ch == '[' || ch == '{') {
            if (++depth > BIQ_INGEST_DEPTH_MAX)
                return false;
        } else if (ch == ']' || ch == '}') {
            depth--;
        }
    }
    return true;
}

static biq_err load_fail(biq_parse_error *perr, biq_err err, const char *reason)
{
    if (perr) {
        snprintf(perr->path, sizeof perr->path, "%s", ROOT_PATH);
        snprintf(perr->message, sizeof perr->message, "%s: %s", ROOT_PATH, reason);
    }
    return err;
}

biq_err biq_ingest_load(const char *buf, size_t len, json_t **out, biq_parse_error *perr)
{
    json_error_t jerr;
    char reason[BIQ_INGEST_MESSAGE_MAX - sizeof ROOT_PATH - 2];
    *out = NULL;
    if (perr)
        memset(perr, 0, sizeof *perr);
    if (!buf)
        return load_fail(perr, BIQ_ERR_INVALID, "no body");
    if (len > BIQ_INGEST_BODY_MAX)
        return load_fail(perr, BIQ_ERR_TOO_LARGE, "larger than the body limit");
    if (!depth_ok(buf, len))
        return load_fail(perr, BIQ_ERR_TOO_LARGE, "nested too deeply");
    *out = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (*out)
        return BIQ_OK;
    snprintf(reason, sizeof reason, "%.200s (line %d, column %d)", jerr.text, jerr.line,
             jerr.column);
    return load_fail(perr, BIQ_ERR_INVALID, reason);
}
