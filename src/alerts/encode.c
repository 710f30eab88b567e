/* encode.c - per-channel encoders of alert messages (see encode.h). */
#include "alerts/encode.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
    REPLACEMENT_LEN = 3, /* U+FFFD in UTF-8 */
    UTF8_MAX = 4,
    CP_DEL = 0x7F,
    CP_C1_END = 0x9F,
    CP_LS = 0x2028,
    CP_PS = 0x2029,
    CP_LRE = 0x202A,
    CP_RLO = 0x202E,
    CP_LRI = 0x2066,
    CP_PDI = 0x2069,
    CP_SURROGATE_MIN = 0xD800,
    CP_SURROGATE_MAX = 0xDFFF,
    CP_MAX = 0x10FFFF,
    WRAP_AT = BIQ_ENCODE_MAIL_LINE_MAX - UTF8_MAX, /* room for one more character */
};

static const char REPLACEMENT[] = "\xEF\xBF\xBD";
static const char ZWSP[] = "\xE2\x80\x8B";
static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char WORD_OPEN[] = "=?UTF-8?B?";
static const char WORD_CLOSE[] = "?=";
static const char FOLD[] = "\r\n ";

/* A growable string; on allocation failure it stays failed. */
typedef struct buf {
    char *s;
    size_t len, cap;
    bool failed;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap > 0 ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *grown = realloc(b->s, cap);
        if (grown == NULL) {
            b->failed = true;
            return;
        }
        b->s = grown;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void put_str(buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static char *finish(buf *b)
{
    if (!b->failed && b->s == NULL)
        put(b, "", 0);
    if (b->failed) {
        free(b->s);
        return NULL;
    }
    return b->s;
}

/* The length of the valid UTF-8 character at s (n bytes left) with its
 * code point, or 0 for an invalid sequence (overlong, surrogate, too big,
 * truncated). */
static size_t utf8_char(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len;
    uint32_t min;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2, min = 0x80, *cp = s[0] & 0x1Fu;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3, min = 0x800, *cp = s[0] & 0x0Fu;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4, min = 0x10000, *cp = s[0] & 0x07u;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[i] & 0x3Fu);
    }
    if (*cp < min || *cp > CP_MAX || (*cp >= CP_SURROGATE_MIN && *cp <= CP_SURROGATE_MAX))
        return 0;
    return len;
}

/* Characters that control layout or direction rather than show. */
static bool is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= CP_DEL && cp <= CP_C1_END) || cp == CP_LS || cp == CP_PS ||
           (cp >= CP_LRE && cp <= CP_RLO) || (cp >= CP_LRI && cp <= CP_PDI);
}

/* The next character of in at *pos as safe text into out (up to 4 bytes):
 * itself, U+FFFD, a space for a control, or "\n" for a line break when
 * keep_newline. Returns the bytes written. */
static size_t next_char(const char *in, size_t *pos, bool keep_newline, char out[UTF8_MAX])
{
    const unsigned char *s = (const unsigned char *)in + *pos;
    uint32_t cp = 0;
    size_t n = utf8_char(s, strlen((const char *)s), &cp);
    if (n == 0) {
        *pos += 1;
        memcpy(out, REPLACEMENT, REPLACEMENT_LEN);
        return REPLACEMENT_LEN;
    }
    *pos += n;
    if (cp == '\n' && keep_newline) {
        out[0] = '\n';
        return 1;
    }
    if (is_control(cp)) {
        out[0] = ' ';
        return 1;
    }
    memcpy(out, s, n);
    return n;
}

/* in as safe text (see next_char) into a buffer. */
static void sanitize(buf *b, const char *in, bool keep_newline)
{
    char c[UTF8_MAX];
    size_t pos = 0;
    while (in[pos] != '\0') {
        size_t n = next_char(in, &pos, keep_newline, c);
        put(b, c, n);
    }
}

size_t biq_encode_plain(const char *in, char *out, size_t out_len)
{
    char c[UTF8_MAX];
    size_t pos = 0, used = 0;
    while (in != NULL && in[pos] != '\0') {
        size_t n = next_char(in, &pos, false, c);
        if (used + n + 1 > out_len)
            break;
        memcpy(out + used, c, n);
        used += n;
    }
    out[used] = '\0';
    return used;
}

void biq_encode_utf8_trim(char *s)
{
    size_t len = strlen(s), start = len;
    /* Back to the lead byte of the last character, at most 3 steps. */
    while (start > 0 && len - start < UTF8_MAX && ((unsigned char)s[start - 1] & 0xC0) == 0x80)
        start--;
    if (start == 0 || ((unsigned char)s[start - 1] & 0x80) == 0)
        return;
    uint32_t cp;
    start--;
    if (utf8_char((const unsigned char *)s + start, len - start, &cp) != len - start)
        s[start] = '\0';
}

/* ---------------------------------------------------------------- e-mail */

static void base64(buf *b, const unsigned char *in, size_t n)
{
    char quad[4];
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        quad[0] = B64[(v >> 18) & 0x3F];
        quad[1] = B64[(v >> 12) & 0x3F];
        quad[2] = i + 1 < n ? B64[(v >> 6) & 0x3F] : '=';
        quad[3] = i + 2 < n ? B64[v & 0x3F] : '=';
        put(b, quad, sizeof quad);
    }
}

static bool plain_header_ok(const char *name, const char *value)
{
    if (strlen(name) + 2 + strlen(value) > BIQ_ENCODE_HEADER_LINE_MAX || strstr(value, "=?"))
        return false;
    for (const char *p = value; *p != '\0'; p++) {
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= CP_DEL)
            return false;
    }
    return true;
}

static bool header_name_ok(const char *name)
{
    if (name[0] == '\0')
        return false;
    for (const char *p = name; *p != '\0'; p++) {
        if (*p <= ' ' || *p >= CP_DEL || *p == ':')
            return false;
    }
    return true;
}

char *biq_encode_mail_header(const char *name, const char *value)
{
    buf safe = {0}, out = {0};
    if (!header_name_ok(name))
        return NULL;
    sanitize(&safe, value != NULL ? value : "", false);
    const char *v = finish(&safe);
    if (v == NULL)
        return NULL;
    put_str(&out, name);
    put_str(&out, ": ");
    if (plain_header_ok(name, v)) {
        put_str(&out, v);
    } else {
        /* Encoded-words of whole characters (RFC 2047 5), folded. */
        size_t pos = 0, len = strlen(v);
        bool first = true;
        while (pos < len) {
            size_t end = pos;
            uint32_t cp;
            while (end < len) {
                size_t n = utf8_char((const unsigned char *)v + end, len - end, &cp);
                if (end + n - pos > BIQ_ENCODE_WORD_BYTES)
                    break;
                end += n; /* sanitized: n >= 1 */
            }
            if (!first)
                put_str(&out, FOLD);
            first = false;
            put_str(&out, WORD_OPEN);
            base64(&out, (const unsigned char *)v + pos, end - pos);
            put_str(&out, WORD_CLOSE);
            pos = end;
        }
    }
    free((char *)v);
    return finish(&out);
}

char *biq_encode_mail_body(const char *text)
{
    buf safe = {0}, out = {0};
    sanitize(&safe, text != NULL ? text : "", true);
    const char *t = finish(&safe);
    if (t == NULL)
        return NULL;
    size_t line = 0, pos = 0, len = strlen(t);
    while (pos < len) {
        uint32_t cp;
        if (t[pos] == '\n') {
            put_str(&out, "\r\n");
            line = 0;
            pos++;
            continue;
        }
        size_t n = utf8_char((const unsigned char *)t + pos, len - pos, &cp);
        if (line + n > WRAP_AT) {
            put_str(&out, "\r\n");
            line = 0;
        }
        put(&out, t + pos, n);
        line += n;
        pos += n;
    }
    if (out.len < 2 || out.s == NULL || strcmp(out.s + out.len - 2, "\r\n") != 0)
        put_str(&out, "\r\n");
    free((char *)t);
    return finish(&out);
}

/* ---------------------------------------------------------------- Slack, Teams */

char *biq_encode_slack(const char *text)
{
    buf safe = {0}, out = {0};
    sanitize(&safe, text != NULL ? text : "", true);
    const char *t = finish(&safe);
    if (t == NULL)
        return NULL;
    for (const char *p = t; *p != '\0'; p++) {
        if (*p == '&')
            put_str(&out, "&amp;");
        else if (*p == '<')
            put_str(&out, "&lt;");
        else if (*p == '>')
            put_str(&out, "&gt;");
        else
            put(&out, p, 1);
    }
    free((char *)t);
    return finish(&out);
}

char *biq_encode_teams_run(const char *text)
{
    buf safe = {0}, out = {0};
    sanitize(&safe, text != NULL ? text : "", false);
    const char *t = finish(&safe);
    if (t == NULL)
        return NULL;
    for (const char *p = t; *p != '\0'; p++) {
        put(&out, p, 1);
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}'))
            put_str(&out, ZWSP);
    }
    free((char *)t);
    return finish(&out);
}
