/* test_parse_dates.c - ingest refuses implausible instants by path (issue
 * 21): before 1970-01-01T00:00:00Z always; with a clock, more than 2 days
 * after it (created, updated, resolutiondate, changelog entries, sprint
 * completion) or more than 5 years after it (sprint start and end). Each
 * limit is pinned to the millisecond on both sides. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "ingest/ingest.h"
#include "testsupport.h"
#include "tz/civil.h"

#define ARENA_LIMIT ((size_t)8 * 1024 * 1024)
#define BODY_MAX 2048
#define ISO_MAX 40

/* 2024-03-10T12:00:00.000Z, the injected clock. */
#define NOW (biq_civil_days(2024, 3, 10) * BIQ_MS_PER_DAY + 12 * BIQ_MS_PER_HOUR)

/* ms since the epoch as "YYYY-MM-DDTHH:MM:SS.mmmZ". */
static void iso(biq_ms t, char *buf, size_t len)
{
    int64_t day = biq_floor_div(t, BIQ_MS_PER_DAY), y;
    int64_t ms = t - day * BIQ_MS_PER_DAY;
    int m, d;
    biq_civil_from_days(day, &y, &m, &d);
    snprintf(buf, len, "%04lld-%02d-%02dT%02lld:%02lld:%02lld.%03lldZ", (long long)y, m, d,
             (long long)(ms / 3600000), (long long)(ms / 60000 % 60), (long long)(ms / 1000 % 60),
             (long long)(ms % 1000));
}

/* A one-issue page whose member `which` (created, updated, resolutiondate
 * or history) holds t; the others are ordinary. */
static void page(char *buf, const char *which, biq_ms t)
{
    char at[ISO_MAX];
    const char *ok = "2024-03-01T10:00:00.000Z";
    iso(t, at, sizeof at);
    snprintf(buf, BODY_MAX,
             "{\"issues\":[{\"id\":\"10\",\"key\":\"A-1\",\"fields\":{\"summary\":\"s\","
             "\"status\":{\"id\":\"1\",\"name\":\"Open\",\"statusCategory\":{\"key\":\"new\"}},"
             "\"issuetype\":{\"name\":\"Bug\"},\"created\":\"%s\",\"updated\":\"%s\","
             "\"resolutiondate\":\"%s\"},\"changelog\":{\"histories\":[{\"id\":\"100\","
             "\"created\":\"%s\",\"items\":[{\"fieldId\":\"status\",\"field\":\"status\","
             "\"from\":\"1\",\"to\":\"3\"}]}]}}]}",
             strcmp(which, "created") == 0 ? at : ok, strcmp(which, "updated") == 0 ? at : ok,
             strcmp(which, "resolutiondate") == 0 ? at : ok,
             strcmp(which, "history") == 0 ? at : ok);
}

typedef enum kind { ISSUE_PAGE, CHANGELOG, SPRINTS } kind;

/* Parses body with the clock (NULL: none); returns the error, path in perr. */
static biq_err parse(kind k, const char *body, const biq_ms *now, biq_parse_error *perr)
{
    biq_arena *a = biq_arena_new(ARENA_LIMIT);
    json_t *root = NULL;
    ck_assert_int_eq(biq_ingest_load(body, strlen(body), &root, perr), BIQ_OK);
    biq_field_ids ids = {NULL, NULL, now, NULL};
    biq_issue_page ip;
    biq_changelog_page cp;
    const biq_sprint *sp = NULL;
    size_t n = 0;
    biq_err err = k == ISSUE_PAGE  ? biq_parse_issue_page(root, &ids, a, &ip, perr)
                  : k == CHANGELOG ? biq_parse_changelog_page_at(root, now, a, &cp, perr)
                                   : biq_parse_sprints_at(root, now, a, &sp, &n, perr);
    json_decref(root);
    biq_arena_free(a);
    return err;
}

static void accepted(kind k, const char *body, const biq_ms *now)
{
    biq_parse_error perr;
    biq_err err = parse(k, body, now, &perr);
    ck_assert_msg(err == BIQ_OK, "refused: %s (%s)", perr.message, body);
}

static void refused(kind k, const char *body, const biq_ms *now, const char *path)
{
    biq_parse_error perr;
    ck_assert_int_eq(parse(k, body, now, &perr), BIQ_ERR_SHAPE);
    ck_assert_str_eq(perr.path, path);
}

START_TEST(issue_dates_from_1970_to_two_days_ahead)
{
    static const char *const which[] = {"created", "updated", "resolutiondate", "history"};
    static const char *const paths[] = {
        "issues[0].fields.created", "issues[0].fields.updated", "issues[0].fields.resolutiondate",
        "issues[0].changelog.histories[0].created"};
    biq_ms now = NOW;
    char body[BODY_MAX];
    for (int i = 0; i < 4; i++) {
        page(body, which[i], BIQ_INGEST_EARLIEST_MS);
        accepted(ISSUE_PAGE, body, &now);
        page(body, which[i], BIQ_INGEST_EARLIEST_MS - 1);
        refused(ISSUE_PAGE, body, &now, paths[i]);
        refused(ISSUE_PAGE, body, NULL, paths[i]); /* the floor needs no clock */
        page(body, which[i], now + 2 * BIQ_MS_PER_DAY);
        accepted(ISSUE_PAGE, body, &now);
        page(body, which[i], now + 2 * BIQ_MS_PER_DAY + 1);
        refused(ISSUE_PAGE, body, &now, paths[i]);
        accepted(ISSUE_PAGE, body, NULL); /* no clock, no ceiling */
    }
    biq_parse_error perr;
    ck_assert_int_eq(parse(ISSUE_PAGE, body, &now, &perr), BIQ_ERR_SHAPE);
    ck_assert_str_eq(perr.message,
                     "issues[0].changelog.histories[0].created: more than 2 days after the "
                     "server's clock");
}
END_TEST

START_TEST(changelog_entries)
{
    biq_ms now = NOW;
    char at[ISO_MAX], body[BODY_MAX];
    const biq_ms cases[] = {BIQ_INGEST_EARLIEST_MS - 1, BIQ_INGEST_EARLIEST_MS,
                            now + BIQ_INGEST_AHEAD_MAX_MS, now + BIQ_INGEST_AHEAD_MAX_MS + 1};
    for (int i = 0; i < 4; i++) {
        iso(cases[i], at, sizeof at);
        snprintf(body, sizeof body,
                 "{\"values\":[{\"id\":\"7\",\"created\":\"2024-01-01T00:00:00Z\",\"items\":[]},"
                 "{\"id\":\"8\",\"created\":\"%s\",\"items\":[{\"fieldId\":\"status\","
                 "\"field\":\"status\",\"from\":\"1\",\"to\":\"3\"}]}],\"isLast\":true}",
                 at);
        if (i == 1 || i == 2)
            accepted(CHANGELOG, body, &now);
        else
            refused(CHANGELOG, body, &now, "values[1].created");
    }
}
END_TEST

static void sprint(char *body, const char *member, biq_ms t)
{
    char at[ISO_MAX];
    iso(t, at, sizeof at);
    snprintf(body, BODY_MAX, "{\"values\":[{\"id\":1,\"name\":\"S1\",\"state\":\"future\",\"%s\":\"%s\"}]}",
             member, at);
}

START_TEST(sprint_plans_up_to_five_years_ahead)
{
    biq_ms now = NOW;
    char body[BODY_MAX];
    ck_assert_int_eq(BIQ_INGEST_PLANNED_AHEAD_MAX_MS, 1827 * BIQ_MS_PER_DAY);
    static const char *const planned[] = {"startDate", "endDate"};
    for (int i = 0; i < 2; i++) {
        char path[64];
        snprintf(path, sizeof path, "values[0].%s", planned[i]);
        sprint(body, planned[i], now + BIQ_INGEST_PLANNED_AHEAD_MAX_MS);
        accepted(SPRINTS, body, &now);
        sprint(body, planned[i], now + BIQ_INGEST_PLANNED_AHEAD_MAX_MS + 1);
        refused(SPRINTS, body, &now, path);
        sprint(body, planned[i], BIQ_INGEST_EARLIEST_MS - 1);
        refused(SPRINTS, body, &now, path);
    }
    /* Completion is a fact, not a plan: two days, as issue dates. */
    sprint(body, "completeDate", now + BIQ_INGEST_AHEAD_MAX_MS);
    accepted(SPRINTS, body, &now);
    sprint(body, "completeDate", now + BIQ_INGEST_AHEAD_MAX_MS + 1);
    refused(SPRINTS, body, &now, "values[0].completeDate");
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("parse_dates");
    TCase *tc = tcase_create("dates");
    tcase_add_test(tc, issue_dates_from_1970_to_two_days_ahead);
    tcase_add_test(tc, changelog_entries);
    tcase_add_test(tc, sprint_plans_up_to_five_years_ahead);
    suite_add_tcase(s, tc);
    return s;
}
