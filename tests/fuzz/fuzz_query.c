/* fuzz_query.c - the query string as the handlers read it: split the way
 * libmicrohttpd splits GET arguments (at '&', then at the first '='; our
 * unescape callback keeps the text raw, server.c), looked up first match
 * by name as biq_request_query does, percent-decoded strictly with
 * biq_percent_decode (http/router.c), then handed to what consumes each
 * value: biq_window_parse + biq_window_resolve (window, api/views.c),
 * biq_civil_parse_date (tz/civil.c: from/to of the CFD, holidays), and the alert
 * list's project key.
 *
 * Input: the query string (after '?'; NULs end it, as in C).
 * Properties: decoded values are at most BIQ_QUERY_VALUE_MAX bytes with no
 * control character, and re-encoding then decoding gives them back; a
 * parsed window resolves (or has no such sprint) to from <= to within
 * 365 days plus a quarter; a parsed date prints back to its own text.
 * (fuzz_router covers the path side and decodes values too.)
 */
#include <inttypes.h>
#include <string.h>

#include "flow/flow.h"
#include "fuzz.h"
#include "http/router.h"
#include "tz/civil.h"

enum { ARENA_LIMIT = 1 << 20, DATE_BUF = 32 };

static const char *const NAMES[] = {"window", "from", "to", "project"};
enum { N_NAMES = sizeof NAMES / sizeof NAMES[0] };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static void check_clean(const char *s)
{
    size_t n = strlen(s);
    FUZZ_CHECK(n <= BIQ_QUERY_VALUE_MAX);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
}

/* Every byte as %XX, decoded again: the same text. */
static void round_trip(biq_arena *arena, const char *v)
{
    static const char HEX[] = "0123456789ABCDEF";
    size_t n = strlen(v);
    char *enc = biq_arena_alloc(arena, 3 * n + 1);
    FUZZ_CHECK(enc != NULL);
    for (size_t i = 0; i < n; i++) {
        enc[3 * i] = '%';
        enc[3 * i + 1] = HEX[(unsigned char)v[i] >> 4];
        enc[3 * i + 2] = HEX[(unsigned char)v[i] & 15];
    }
    enc[3 * n] = '\0';
    char *dec = biq_percent_decode(arena, enc, 3 * n, BIQ_QUERY_VALUE_MAX);
    FUZZ_CHECK(dec != NULL && strcmp(dec, v) == 0);
}

static void window_value(const char *v)
{
    biq_window_spec spec;
    if (biq_window_parse(v, &spec) != BIQ_OK)
        return;
    biq_flow_window w;
    biq_err err = biq_window_resolve(&spec, FUZZ_NOW * 1000, NULL, NULL, 0, &w);
    if (err == BIQ_ERR_NOT_FOUND)
        return;
    FUZZ_CHECK(err == BIQ_OK);
    /* from == to: month-to-date at the first instant of a month. */
    FUZZ_CHECK(w.from <= w.to && w.to == FUZZ_NOW * 1000 && w.prev_from <= w.prev_to);
    FUZZ_CHECK(w.to - w.from <= (int64_t)(BIQ_FLOW_MAX_WINDOW_DAYS + 92) * BIQ_MS_PER_DAY);
}

static void date_value(const char *v)
{
    int64_t day = 0;
    if (biq_civil_parse_date(v, &day) != BIQ_OK)
        return;
    int64_t y = 0;
    int m = 0, d = 0;
    biq_civil_from_days(day, &y, &m, &d);
    char back[DATE_BUF];
    snprintf(back, sizeof back, "%04" PRId64 "-%02d-%02d", y, m, d);
    FUZZ_CHECK(strcmp(back, v) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *q = malloc(size + 1);
    FUZZ_CHECK(q != NULL);
    memcpy(q, data, size);
    q[size] = '\0';
    biq_arena *arena = biq_arena_new(ARENA_LIMIT);
    FUZZ_CHECK(arena != NULL);
    const char *found[N_NAMES] = {NULL};
    bool bad[N_NAMES] = {false};
    for (const char *p = q; *p != '\0';) {
        size_t len = strcspn(p, "&");
        const char *eq = memchr(p, '=', len);
        size_t name_len = eq != NULL ? (size_t)(eq - p) : len;
        const char *raw = eq != NULL ? eq + 1 : "";
        size_t vlen = eq != NULL ? len - name_len - 1 : 0;
        char *v = biq_percent_decode(arena, raw, vlen, BIQ_QUERY_VALUE_MAX);
        if (v != NULL) {
            check_clean(v);
            round_trip(arena, v);
        }
        for (size_t k = 0; k < N_NAMES; k++)
            if (!found[k] && !bad[k] && strlen(NAMES[k]) == name_len &&
                memcmp(NAMES[k], p, name_len) == 0) {
                found[k] = v;
                bad[k] = v == NULL; /* the handler answers 400 */
            }
        p += len;
        if (*p == '&')
            p++;
    }
    if (found[0] != NULL)
        window_value(found[0]);
    if (found[1] != NULL)
        date_value(found[1]);
    if (found[2] != NULL)
        date_value(found[2]);
    if (found[3] != NULL)
        FUZZ_CHECK(strlen(found[3]) <= BIQ_QUERY_VALUE_MAX);
    biq_arena_free(arena);
    free(q);
    return 0;
}
