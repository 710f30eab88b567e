/* test_ingest_edges.c - ingest edges a mutant could move (issue 22): an
 * instant's parser never reads past its length (inputs laid right before an
 * unreadable page, so an over-read crashes even without AddressSanitizer),
 * and an event's timestamp of 0 (the epoch) is an instant, not "absent". */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/arena.h"
#include "ingest/ingest.h"
#include "testsupport.h"

/* Two pages, the second unreadable; returns the first. */
static char *guarded(size_t *page)
{
    *page = (size_t)sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, 2 * *page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(p, MAP_FAILED);
    ck_assert_int_eq(mprotect(p + *page, *page, PROT_NONE), 0);
    return p;
}

/* Parses text laid so that its last byte is the last readable one. */
static biq_err parse_at_edge(char *base, size_t page, const char *text, biq_ms *out)
{
    size_t n = strlen(text);
    char *at = base + page - n;
    memcpy(at, text, n);
    return biq_parse_instant(at, n, out);
}

START_TEST(instant_never_reads_past_its_length)
{
    size_t page;
    char *base = guarded(&page);
    biq_ms t = 0;
    /* Accepted at the very edge. */
    ck_assert_int_eq(parse_at_edge(base, page, "2020-06-12T09:45:13.360+0800", &t), BIQ_OK);
    ck_assert_int_eq(t, INT64_C(1591926313360));
    ck_assert_int_eq(parse_at_edge(base, page, "2020-06-12T01:45:13Z", &t), BIQ_OK);
    ck_assert_int_eq(t, INT64_C(1591926313000));
    ck_assert_int_eq(parse_at_edge(base, page, "2020-06-12T09:45:13.1+08", &t), BIQ_OK);
    ck_assert_int_eq(t, INT64_C(1591926313100));
    ck_assert_int_eq(parse_at_edge(base, page, "2020-06-12T09:45:13+08:00", &t), BIQ_OK);
    /* Cut anywhere: refused, and nothing past the end is read. */
    static const char *const cut[] = {
        "2020-06-12T09:45:13.360", "2020-06-12T09:45:13.", "2020-06-12T09:45:13.123456789",
        "2020-06-12T09:45:13",     "2020-06-12T09:45:1",   "2020-06-12T09:45:13+",
        "2020-06-12T09:45:13+0",   "2020-06-12T09:45:13+08:", "2020-06-12T09:45:13+08:0",
        "2020-06-12T",             "2020-06-1",            "2",
    };
    for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++)
        ck_assert_msg(parse_at_edge(base, page, cut[i], &t) == BIQ_ERR_INVALID, "%s", cut[i]);
    /* The same bytes followed by more digits (len says where to stop). */
    char buf[64] = "2020-06-12T09:45:13.1239999Z";
    ck_assert_int_eq(biq_parse_instant(buf, 23, &t), BIQ_ERR_INVALID);
    ck_assert_int_eq(biq_parse_instant(buf, strlen(buf), &t), BIQ_OK);
    ck_assert_int_eq(t, INT64_C(1591955113123));
    munmap(base, 2 * page);
}
END_TEST

static biq_event parse_event(biq_arena *a, const char *text)
{
    json_error_t je;
    json_t *root = json_loads(text, 0, &je);
    ck_assert_ptr_nonnull(root);
    biq_event ev;
    biq_parse_error perr;
    biq_field_ids f = biq_field_ids_default();
    ck_assert_int_eq(biq_parse_event(root, &f, a, &ev, &perr), BIQ_OK);
    json_decref(root);
    return ev;
}

START_TEST(event_timestamp_zero_is_the_epoch)
{
    biq_arena *a = biq_arena_new(1 << 20);
    biq_event ev = parse_event(a, "{\"webhookEvent\":\"jira:issue_deleted\",\"timestamp\":0,"
                                  "\"issue\":{\"id\":\"1\",\"key\":\"A-1\"}}");
    ck_assert_int_eq(ev.kind, BIQ_EVENT_ISSUE_DELETED);
    ck_assert_int_eq(ev.at, 0);
    ev = parse_event(a, "{\"webhookEvent\":\"jira:issue_deleted\",\"timestamp\":1,"
                        "\"issue\":{\"id\":\"1\",\"key\":\"A-1\"}}");
    ck_assert_int_eq(ev.at, 1);
    ev = parse_event(a, "{\"webhookEvent\":\"jira:issue_deleted\","
                        "\"issue\":{\"id\":\"1\",\"key\":\"A-1\"}}");
    ck_assert_int_eq(ev.at, BIQ_MS_NONE);
    biq_arena_free(a);
}
END_TEST

/* A JSON array of n statuses with distinct ids, flat or grouped per issue
 * type in groups of `group` (0: flat). */
static json_t *statuses(size_t n, size_t group)
{
    json_t *arr = json_array(), *cur = arr;
    for (size_t i = 0; i < n; i++) {
        if (group && i % group == 0) {
            cur = json_array();
            json_array_append_new(arr, json_pack("{s:s,s:o}", "name", "Story", "statuses", cur));
        }
        char id[32];
        snprintf(id, sizeof id, "%zu", i + 1);
        json_array_append_new(cur, json_pack("{s:s,s:s,s:{s:s}}", "id", id, "name", "S",
                                             "statusCategory", "key", "new"));
    }
    return arr;
}

/* BIQ_INGEST_CATALOG_MAX statuses pass, one more is refused, flat or in
 * groups (the count is over entries, duplicates included). */
START_TEST(status_catalogue_at_its_cap)
{
    biq_arena *a = biq_arena_new(64 << 20);
    const size_t groups[] = {0, 1000};
    for (size_t g = 0; g < 2; g++) {
        const biq_status *out = NULL;
        size_t n = 0;
        biq_parse_error perr;
        json_t *root = statuses(BIQ_INGEST_CATALOG_MAX, groups[g]);
        ck_assert_int_eq(biq_parse_statuses(root, a, &out, &n, &perr), BIQ_OK);
        ck_assert_uint_eq(n, BIQ_INGEST_CATALOG_MAX);
        json_decref(root);
        root = statuses(BIQ_INGEST_CATALOG_MAX + 1, groups[g]);
        ck_assert_int_eq(biq_parse_statuses(root, a, &out, &n, &perr), BIQ_ERR_TOO_LARGE);
        if (groups[g]) /* a flat list is refused by its length already */
            ck_assert_msg(strstr(perr.message, "too many statuses") != NULL, "%s", perr.message);
        json_decref(root);
    }
    biq_arena_free(a);
    /* A small list takes a small arena: room for what it holds, not for
     * the cap. */
    a = biq_arena_new(16 << 10);
    for (size_t g = 0; g < 2; g++) {
        const biq_status *out = NULL;
        size_t n = 0;
        biq_parse_error perr;
        json_t *root = statuses(3, groups[g] ? 2 : 0);
        ck_assert_msg(biq_parse_statuses(root, a, &out, &n, &perr) == BIQ_OK, "%s", perr.message);
        ck_assert_uint_eq(n, 3);
        json_decref(root);
    }
    biq_arena_free(a);
}
END_TEST

/* The last day of every month is accepted, the day after it refused
 * (February by leap year, including the century rules). */
START_TEST(instant_month_lengths)
{
    static const int last[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    char buf[32];
    biq_ms t;
    for (int m = 1; m <= 12; m++) {
        snprintf(buf, sizeof buf, "2023-%02d-%02dT00:00:00Z", m, last[m - 1]);
        ck_assert_msg(biq_parse_instant(buf, strlen(buf), &t) == BIQ_OK, "%s", buf);
        snprintf(buf, sizeof buf, "2023-%02d-%02dT00:00:00Z", m, last[m - 1] + 1);
        ck_assert_msg(biq_parse_instant(buf, strlen(buf), &t) == BIQ_ERR_INVALID, "%s", buf);
    }
    static const struct {
        int year;
        bool leap;
    } years[] = {{2024, true}, {2000, true}, {1900, false}, {2100, false}, {2023, false}};
    for (size_t i = 0; i < sizeof years / sizeof years[0]; i++) {
        snprintf(buf, sizeof buf, "%04d-02-29T00:00:00Z", years[i].year);
        ck_assert_msg((biq_parse_instant(buf, strlen(buf), &t) == BIQ_OK) == years[i].leap, "%s",
                      buf);
    }
}
END_TEST

/* A project list entry that is not an object is refused as such. */
START_TEST(project_entry_not_an_object)
{
    biq_arena *a = biq_arena_new(1 << 20);
    json_t *root = json_loads("[{\"id\":\"1\",\"key\":\"A\"},7]", 0, NULL);
    const biq_project *out = NULL;
    size_t n = 0;
    biq_parse_error perr;
    ck_assert_int_eq(biq_parse_projects(root, a, &out, &n, &perr), BIQ_ERR_SHAPE);
    ck_assert_msg(strstr(perr.message, "expected an object") != NULL, "%s", perr.message);
    ck_assert_msg(strstr(perr.path, "1") != NULL, "%s", perr.path);
    json_decref(root);
    biq_arena_free(a);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("ingest_edges");
    TCase *tc = tcase_create("edges");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, instant_never_reads_past_its_length);
    tcase_add_test(tc, event_timestamp_zero_is_the_epoch);
    tcase_add_test(tc, status_catalogue_at_its_cap);
    tcase_add_test(tc, instant_month_lengths);
    tcase_add_test(tc, project_entry_not_an_object);
    suite_add_tcase(s, tc);
    return s;
}
