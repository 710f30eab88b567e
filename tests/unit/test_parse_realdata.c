/* test_parse_realdata.c - the Jira parsers on real captured payloads
 * (../shared/realdata, or $BIQ_SHARED_DIR/realdata): every file parses with
 * its parser, hand-checked values match, and nothing the product must never
 * store survives parsing.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "testsupport.h"

#define ARENA_LIMIT ((size_t)64 * 1024 * 1024)
#define PATH_LEN 1024
#define STRINGS_MAX 200000
#define SENSITIVE_MIN_LEN 6

/* ---- files ---------------------------------------------------------------- */

static void data_path(char *out, size_t size, const char *rel)
{
    const char *dir = getenv("BIQ_SHARED_DIR");
    snprintf(out, size, "%s/realdata/%s", dir && *dir ? dir : "../shared", rel);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char *buf = malloc(BIQ_INGEST_BODY_MAX + 1);
    ck_assert_ptr_nonnull(buf);
    *len = fread(buf, 1, BIQ_INGEST_BODY_MAX + 1, f);
    fclose(f);
    ck_assert_uint_le(*len, BIQ_INGEST_BODY_MAX);
    return buf;
}

static json_t *load_rel(const char *rel)
{
    char path[PATH_LEN];
    size_t len;
    biq_parse_error perr;
    json_t *root = NULL;
    data_path(path, sizeof path, rel);
    char *buf = read_file(path, &len);
    biq_err err = biq_ingest_load(buf, len, &root, &perr);
    free(buf);
    ck_assert_msg(err == BIQ_OK, "%s: %s", rel, perr.message);
    return root;
}

/* ---- string sets ---------------------------------------------------------- */

typedef struct strset {
    const char **v;
    size_t n;
} strset;

static void strset_add(strset *s, const char *str)
{
    if (!str)
        return;
    if (!s->v)
        s->v = calloc(STRINGS_MAX, sizeof *s->v);
    ck_assert_ptr_nonnull(s->v);
    ck_assert_uint_lt(s->n, STRINGS_MAX);
    s->v[s->n++] = str;
}

/* Keys whose string values the product must never keep (security.md §3). */
static bool sensitive_key(const char *key, const char *parent)
{
    static const char *const keys[] = {"description", "body",  "filename", "emailAddress",
                                       "text",        "content", "thumbnail", "comment"};
    if (parent && strcmp(parent, "avatarUrls") == 0)
        return true;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(key, keys[i]) == 0)
            return true;
    return false;
}

/* Collects, from the raw JSON, the sensitive strings long enough not to be
 * a coincidence (descriptions, comment bodies, attachment names, avatar URLs,
 * e-mail addresses, worklog comments). */
static void collect_sensitive(const json_t *v, const char *key, const char *parent, strset *out)
{
    if (json_is_string(v) && key && sensitive_key(key, parent) &&
        json_string_length(v) >= SENSITIVE_MIN_LEN)
        strset_add(out, json_string_value(v));
    if (json_is_object(v)) {
        const char *k;
        json_t *child;
        json_object_foreach((json_t *)v, k, child) collect_sensitive(child, k, key, out);
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            collect_sensitive(json_array_get(v, i), key, parent, out);
    }
}

static void issue_strings(const biq_issue *is, strset *out)
{
    strset_add(out, is->key);
    strset_add(out, is->project_key);
    strset_add(out, is->summary);
    strset_add(out, is->status_name);
    strset_add(out, is->issue_type);
    strset_add(out, is->priority);
    strset_add(out, is->assignee);
    for (size_t i = 0; i < is->n_transitions; i++) {
        strset_add(out, is->transitions[i].from_name);
        strset_add(out, is->transitions[i].to_name);
    }
}

static void assert_disjoint(const strset *kept, const strset *secret, const char *what)
{
    ck_assert_uint_gt(kept->n, 0);
    for (size_t i = 0; i < kept->n; i++)
        for (size_t j = 0; j < secret->n; j++)
            ck_assert_msg(strstr(kept->v[i], secret->v[j]) == NULL,
                          "%s: kept \"%s\" holds sensitive \"%s\"", what, kept->v[i], secret->v[j]);
}

static void strset_free(strset *s)
{
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

/* ---- fixtures ------------------------------------------------------------- */

static const biq_issue *find_issue(const biq_issue_page *p, const char *key)
{
    for (size_t i = 0; i < p->n_issues; i++)
        if (strcmp(p->issues[i].key, key) == 0)
            return &p->issues[i];
    ck_abort_msg("no issue %s", key);
    return NULL;
}

static biq_issue_page parse_devlake_page(biq_arena *arena)
{
    biq_issue_page page;
    biq_parse_error perr;
    biq_field_ids ids = biq_field_ids_default();
    json_t *root = load_rel("devlake-merico/issues-with-changelog.json");
    biq_err err = biq_parse_issue_page(root, &ids, arena, &page, &perr);
    ck_assert_msg(err == BIQ_OK, "%s", perr.message);
    json_decref(root);
    return page;
}

/* The mattermost captures come from a site whose sprint field is 10021
 * (its 10020 holds a time-in-status string). */
static const biq_field_ids webhook_fields = {"customfield_10016", "customfield_10021", NULL, NULL};

/* ---- tests ---------------------------------------------------------------- */

START_TEST(devlake_page_values)
{
    biq_arena *arena = biq_arena_new(ARENA_LIMIT);
    biq_issue_page p = parse_devlake_page(arena);
    ck_assert_uint_eq(p.n_issues, 33);
    ck_assert_int_eq(p.total, 33);
    ck_assert_int_eq(p.start_at, 0);
    ck_assert_int_eq(p.max_results, 33);
    ck_assert(!p.has_is_last);
    ck_assert_ptr_null(p.next_page_token);

    const biq_issue *ee1 = find_issue(&p, "EE-1");
    ck_assert_int_eq(ee1->id, 10063);
    ck_assert_int_eq(ee1->project_id, 10003);
    ck_assert_str_eq(ee1->project_key, "EE");
    ck_assert_int_eq(ee1->status_id, 10068);
    ck_assert_str_eq(ee1->status_name, "已完成");
    ck_assert_str_eq(ee1->issue_type, "故事");
    ck_assert_str_eq(ee1->priority, "Medium");
    ck_assert_str_eq(ee1->assignee, "Dingding Zhang");
    /* 2020-06-12T08:13:13.360+0800 */
    ck_assert_int_eq(ee1->created, 1591920793360LL);
    ck_assert_int_eq(ee1->updated, 1616918768713LL);
    ck_assert_int_eq(ee1->resolution_at, 1592548278495LL);
    ck_assert(!ee1->has_story_points);
    ck_assert(!ee1->has_security_level);
    ck_assert_uint_eq(ee1->n_sprint_ids, 1);
    ck_assert_int_eq(ee1->sprint_ids[0], 7);
    ck_assert_int_eq(ee1->changelog_total, 25);
    ck_assert_int_eq(ee1->changelog_present, 25);
    ck_assert_uint_eq(ee1->n_transitions, 5);
    const biq_transition *t = &ee1->transitions[0];
    ck_assert_int_eq(t->history_id, 86412);
    ck_assert_int_eq(t->item_index, 0);
    ck_assert_int_eq(t->at, 1616918768715LL); /* 2021-03-28T16:06:08.715+0800 */
    ck_assert_int_eq(t->from_status, 6);
    ck_assert_int_eq(t->to_status, 10068);
    ck_assert_str_eq(t->from_name, "Closed");
    ck_assert_str_eq(t->to_name, "已完成");
    t = &ee1->transitions[4];
    ck_assert_int_eq(t->history_id, 10900);
    ck_assert_int_eq(t->at, 1591926324493LL); /* 2020-06-12T09:45:24.493+0800 */
    ck_assert_int_eq(t->from_status, 10020);
    ck_assert_int_eq(t->to_status, 10029);
    ck_assert_str_eq(t->to_name, "Ready for Dev");

    const biq_issue *ee17 = find_issue(&p, "EE-17");
    ck_assert_uint_eq(ee17->n_transitions, 5);
    ck_assert_int_eq(ee17->transitions[0].history_id, 86125);
    ck_assert_int_eq(ee17->transitions[4].history_id, 10997);
    ck_assert_int_eq(ee17->transitions[4].at, 1591938080707LL);
    ck_assert_int_eq(ee17->status_category, BIQ_CAT_DONE);
    ck_assert_int_eq(ee17->sprint_ids[0], 17);

    const biq_issue *k5 = find_issue(&p, "K5-4");
    ck_assert_int_eq(k5->id, 20710);
    ck_assert_int_eq(k5->resolution_at, BIQ_MS_NONE);
    ck_assert_ptr_nonnull(k5->sprint_ids); /* field present, null: in no sprint */
    ck_assert_uint_eq(k5->n_sprint_ids, 0);
    ck_assert_ptr_null(k5->assignee);

    /* EE-4's summary ends in \u0000 in the capture: display text drops it. */
    const biq_issue *ee4 = find_issue(&p, "EE-4");
    ck_assert_str_eq(ee4->summary, "\xe2\x80\x8b问题分布的帕累托图");

    size_t all = 0;
    for (size_t i = 0; i < p.n_issues; i++)
        all += p.issues[i].n_transitions;
    ck_assert_uint_eq(all, 165);
    biq_arena_free(arena);
}
END_TEST

START_TEST(devlake_story_points_field)
{
    /* customfield_10024 holds 2.0 on EE-2 and the string "-1" on EE-1:
     * a wrong field choice is refused whole, by path. */
    biq_arena *arena = biq_arena_new(ARENA_LIMIT);
    biq_issue_page p;
    biq_parse_error perr;
    biq_field_ids ids = {"customfield_10024", NULL, NULL, NULL};
    json_t *root = load_rel("devlake-merico/issues-with-changelog.json");
    ck_assert_int_eq(biq_parse_issue_page(root, &ids, arena, &p, &perr), BIQ_ERR_SHAPE);
    ck_assert_str_eq(perr.path, "issues[0].fields.customfield_10024");
    ck_assert_uint_eq(p.n_issues, 0);
    json_t *one = json_array();
    json_array_append(one, json_array_get(json_object_get(root, "issues"), 1));
    ck_assert_int_eq(biq_parse_issue_page(one, &ids, arena, &p, &perr), BIQ_OK);
    ck_assert(p.issues[0].has_story_points);
    ck_assert(p.issues[0].story_points == 2.0);
    ck_assert_ptr_null(p.issues[0].sprint_ids); /* sprint field not configured */
    json_decref(one);
    json_decref(root);
    biq_arena_free(arena);
}
END_TEST

START_TEST(devlake_renamed_status_one_id)
{
    biq_arena *arena = biq_arena_new(ARENA_LIMIT);
    biq_issue_page p = parse_devlake_page(arena);
    int seen_dev = 0, seen_prog = 0;
    for (size_t i = 0; i < p.n_issues; i++)
        for (size_t j = 0; j < p.issues[i].n_transitions; j++) {
            const biq_transition *t = &p.issues[i].transitions[j];
            const char *names[2] = {t->from_name, t->to_name};
            int64_t ids[2] = {t->from_status, t->to_status};
            for (int k = 0; k < 2; k++) {
                if (names[k] && strcmp(names[k], "In Development") == 0) {
                    ck_assert_int_eq(ids[k], 3);
                    seen_dev++;
                }
                if (names[k] && strcmp(names[k], "In Progress") == 0) {
                    ck_assert_int_eq(ids[k], 3);
                    seen_prog++;
                }
            }
        }
    ck_assert_int_gt(seen_dev, 0);
    ck_assert_int_gt(seen_prog, 0);
    biq_arena_free(arena);
}
END_TEST

START_TEST(devlake_changelog_pages)
{
    static const struct {
        const char *file;
        int n_histories, n_transitions;
        int64_t first_history, last_history;
        biq_ms first_at, last_at;
    } want[] = {
        {"devlake-merico/changelog-issue-13383.json", 100, 3, 58006, 88997, 1611582592514LL,
         1616918892742LL},
        {"devlake-merico/changelog-issue-13491.json", 79, 1, 60195, 60195, 1611907092493LL,
         1611907092493LL},
        {"devlake-merico/changelog-issue-13954.json", 100, 6, 78339, 95080, 1614910485316LL,
         1617772532935LL},
    };
    biq_arena *arena = biq_arena_new(ARENA_LIMIT);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        biq_changelog_page p;
        biq_parse_error perr;
        json_t *root = load_rel(want[i].file);
        ck_assert_msg(biq_parse_changelog_page(root, arena, &p, &perr) == BIQ_OK, "%s", perr.message);
        ck_assert_int_eq(p.n_histories, want[i].n_histories);
        ck_assert_int_eq(p.total, want[i].n_histories);
        ck_assert(p.has_is_last && p.is_last);
        ck_assert_uint_eq(p.n_transitions, (size_t)want[i].n_transitions);
        ck_assert_int_eq(p.transitions[0].history_id, want[i].first_history);
        ck_assert_int_eq(p.transitions[0].at, want[i].first_at);
        ck_assert_int_eq(p.transitions[p.n_transitions - 1].history_id, want[i].last_history);
        ck_assert_int_eq(p.transitions[p.n_transitions - 1].at, want[i].last_at);
        json_decref(root);
    }
    biq_arena_free(arena);
}
END_TEST

START_TEST(devlake_changelog_page_items)
{
    biq_arena *arena = biq_arena_new(ARENA_LIMIT);
    biq_changelog_page p;
    json_t *root = load_rel("devlake-merico/changelog-issue-13491.json");
    ck_assert_int_eq(biq_parse_changelog_page(root, arena, &p, NULL), BIQ_OK);
    /* the status item is the second item of history 60195 */
    ck_assert_int_eq(p.transitions[0].item_index, 1);
    ck_assert_int_eq(p.transitions[0].from_status, 1);
    ck_assert_int_eq(p.transitions[0].to_status, 6);
    ck_assert_str_eq(p.transitions[0].to_name, "Closed");
    json_decref(root);
    root = load_rel("devlake-merico/changelog-issue-13383.json");
    ck_assert_int_eq(biq_parse_changelog_page(root, arena, &p, NULL), BIQ_OK);
    ck_assert_str_eq(p.transitions[0].to_name, "开发中");
    ck_assert_int_eq(p.transitions[0].to_status, 10074);
    json_decref(root);
    biq_arena_free(arena);
}
END_TEST

START_TEST(devlake_catalogues)
{
    biq_arena *arena = biq_arena_new(ARENA_LIMIT);
    biq_parse_error perr;
    const biq_status *st;
    const biq_sprint *sp;
    const biq_project *pr;
    size_t n;
    json_t *root = load_rel("devlake-merico/statuses.json");
    ck_assert_msg(biq_parse_statuses(root, arena, &st, &n, &perr) == BIQ_OK, "%s", perr.message);
    ck_assert_uint_eq(n, 53);
    bool found_3 = false, found_bug = false, found_story = false;
    for (size_t i = 0; i < n; i++) {
        if (st[i].id == 3) {
            found_3 = true;
            ck_assert_str_eq(st[i].name, "In Progress");
            ck_assert_int_eq(st[i].category, BIQ_CAT_ACTIVE);
        }
        if (st[i].id == 10040) {
            found_bug = true;
            ck_assert_mem_eq(st[i].name, "\xe7\xbc\xba\xe9\x99\xb7", 7); /* 缺陷 + NUL */
        }
        if (st[i].id == 10067) {
            found_story = true;
            ck_assert_str_eq(st[i].name, "故事");
        }
        if (st[i].id == 10068)
            ck_assert_int_eq(st[i].category, BIQ_CAT_DONE);
    }
    ck_assert(found_3 && found_bug && found_story);
    json_decref(root);

    root = load_rel("devlake-merico/sprints.json");
    ck_assert_msg(biq_parse_sprints(root, arena, &sp, &n, &perr) == BIQ_OK, "%s", perr.message);
    ck_assert_uint_eq(n, 30);
    ck_assert_int_eq(sp[0].id, 7);
    ck_assert_str_eq(sp[0].name, "EE Sprint 7");
    ck_assert_str_eq(sp[0].state, "closed");
    ck_assert_int_eq(sp[0].start, 1591922331882LL);
    ck_assert_int_eq(sp[0].end, 1593131880000LL);
    ck_assert_int_eq(sp[0].complete, 1592805598980LL);
    ck_assert_int_eq(sp[0].board_id, 8);
    ck_assert_int_eq(sp[29].id, 60);
    json_decref(root);

    root = load_rel("devlake-merico/projects.json");
    ck_assert_msg(biq_parse_projects(root, arena, &pr, &n, &perr) == BIQ_OK, "%s", perr.message);
    ck_assert_uint_eq(n, 12);
    ck_assert_int_eq(pr[0].id, 10007);
    ck_assert_str_eq(pr[0].key, "CC");
    ck_assert_str_eq(pr[0].name, "Customer Center");
    ck_assert_str_eq(pr[11].key, "MERICO");
    json_decref(root);
    biq_arena_free(arena);
}
END_TEST

/* Project statuses ([{issue type, statuses: [...]}]) repeat statuses per
 * issue type; the catalogue keeps each id once. */
START_TEST(project_statuses_shape)
{
    biq_arena *arena = biq_arena_new(ARENA_LIMIT);
    json_t *statuses = load_rel("devlake-merico/statuses.json");
    json_t *root = json_pack("[{s:s, s:s, s:O}, {s:s, s:s, s:O}]", "id", "10001", "name", "Story",
                             "statuses", statuses, "id", "10004", "name", "Bug", "statuses",
                             statuses);
    const biq_status *st;
    size_t n;
    biq_parse_error perr;
    ck_assert_msg(biq_parse_statuses(root, arena, &st, &n, &perr) == BIQ_OK, "%s", perr.message);
    ck_assert_uint_eq(n, 53);
    json_decref(root);
    json_decref(statuses);
    biq_arena_free(arena);
}
END_TEST

static int webhook_filter(const struct dirent *d)
{
    size_t len = strlen(d->d_name);
    return len > 5 && strcmp(d->d_name + len - 5, ".json") == 0;
}

/* Every capture parses; comment events are ignored, issue events are not. */
START_TEST(webhooks_all_parse)
{
    char dir[PATH_LEN];
    struct dirent **names;
    data_path(dir, sizeof dir, "jira-webhooks");
    int n = scandir(dir, &names, webhook_filter, alphasort);
    ck_assert_int_eq(n, 35);
    int ignored = 0, upserts = 0, deletes = 0;
    for (int i = 0; i < n; i++) {
        char rel[PATH_LEN];
        biq_event ev;
        biq_parse_error perr;
        snprintf(rel, sizeof rel, "jira-webhooks/%s", names[i]->d_name);
        json_t *root = load_rel(rel);
        biq_arena *arena = biq_arena_new(ARENA_LIMIT);
        biq_err err = biq_parse_event(root, &webhook_fields, arena, &ev, &perr);
        ck_assert_msg(err == BIQ_OK, "%s: %s", rel, perr.message);
        bool comment = strstr(names[i]->d_name, "comment-created") ||
                       strstr(names[i]->d_name, "comment-updated") ||
                       strstr(names[i]->d_name, "comment-deleted");
        bool cloud_comment = comment && strstr(names[i]->d_name, "cloud");
        if (cloud_comment) {
            ck_assert_int_eq(ev.kind, BIQ_EVENT_IGNORED);
            ck_assert_ptr_nonnull(ev.reason);
            ck_assert(strstr(ev.reason, "comment_") != NULL);
            ignored++;
        } else if (strstr(names[i]->d_name, "deleted")) {
            ck_assert_int_eq(ev.kind, BIQ_EVENT_ISSUE_DELETED);
            ck_assert_int_eq(ev.issue.id, 10303);
            ck_assert_str_eq(ev.issue.key, "IDT-19");
            deletes++;
        } else {
            ck_assert_int_eq(ev.kind, BIQ_EVENT_ISSUE_UPSERT);
            ck_assert_int_gt(ev.issue.id, 0);
            ck_assert_ptr_nonnull(ev.issue.key);
            ck_assert_ptr_null(ev.reason);
            upserts++;
        }
        ck_assert_int_eq(ev.issue.has_security_level,
                         strstr(names[i]->d_name, "security-level") != NULL);
        json_decref(root);
        biq_arena_free(arena);
        free(names[i]);
    }
    free(names);
    ck_assert_int_eq(ignored, 4);
    ck_assert_int_eq(deletes, 1);
    ck_assert_int_eq(upserts, 30);
}
END_TEST

static biq_event parse_webhook(biq_arena *arena, const char *file, const biq_field_ids *ids)
{
    char rel[PATH_LEN];
    biq_event ev;
    biq_parse_error perr;
    snprintf(rel, sizeof rel, "jira-webhooks/%s", file);
    json_t *root = load_rel(rel);
    ck_assert_msg(biq_parse_event(root, ids, arena, &ev, &perr) == BIQ_OK, "%s", perr.message);
    json_decref(root);
    return ev;
}

START_TEST(webhook_values)
{
    biq_arena *arena = biq_arena_new(ARENA_LIMIT);
    biq_event ev = parse_webhook(arena, "webhook-issue-updated-resolved.json", &webhook_fields);
    ck_assert_str_eq(ev.type, "jira:issue_updated");
    ck_assert_int_eq(ev.issue.id, 10040);
    ck_assert_str_eq(ev.issue.key, "TES-41");
    ck_assert_int_eq(ev.issue.status_id, 10002);
    ck_assert_int_eq(ev.issue.status_category, BIQ_CAT_DONE);
    ck_assert_uint_eq(ev.issue.n_transitions, 1);
    ck_assert_int_eq(ev.issue.transitions[0].history_id, 10228);
    ck_assert_int_eq(ev.issue.transitions[0].item_index, 1);
    ck_assert_int_eq(ev.issue.transitions[0].from_status, 3);
    ck_assert_int_eq(ev.issue.transitions[0].to_status, 10002);
    ck_assert_int_eq(ev.issue.transitions[0].at, ev.at); /* no history.created: delivery time */
    ck_assert_int_gt(ev.at, 0);

    ev = parse_webhook(arena, "webhook-issue-created-with-security-level.json", &webhook_fields);
    ck_assert(ev.issue.has_security_level);
    ck_assert_int_eq(ev.issue.id, 10040);
    ck_assert_ptr_null(ev.issue.summary); /* restricted: identity only */
    ck_assert_uint_eq(ev.issue.n_transitions, 0);

    ev = parse_webhook(arena, "webhook-issue-created.json", &webhook_fields);
    ck_assert_int_eq(ev.issue.created, 1550286112971LL); /* 2019-02-15T19:01:52.971-0800 */
    ck_assert_str_eq(ev.issue.summary, "Unit test summary");
    ck_assert_uint_eq(ev.issue.n_sprint_ids, 0);
    ck_assert_ptr_nonnull(ev.issue.sprint_ids);

    ev = parse_webhook(arena, "webhook-cloud-issue-created-many-fields.json", &webhook_fields);
    ck_assert_uint_eq(ev.issue.n_sprint_ids, 1); /* greenhopper "...Sprint@38c6bd04[id=1,..." */
    ck_assert_int_eq(ev.issue.sprint_ids[0], 1);

    ev = parse_webhook(arena, "webhook-issue-assigned-empty-changelog.json", &webhook_fields);
    ck_assert_uint_eq(ev.issue.n_transitions, 0);
    ck_assert_int_eq(ev.issue.changelog_present, 1);
    biq_arena_free(arena);
}
END_TEST

/* With the default ids, a site whose 10020 is not the sprint field is refused
 * by path: field ids must come from the site (api.md backfill `fields`). */
START_TEST(webhook_wrong_sprint_field)
{
    biq_arena *arena = biq_arena_new(ARENA_LIMIT);
    biq_field_ids ids = biq_field_ids_default();
    biq_event ev;
    biq_parse_error perr;
    json_t *root = load_rel("jira-webhooks/webhook-issue-updated-resolved.json");
    ck_assert_int_eq(biq_parse_event(root, &ids, arena, &ev, &perr), BIQ_ERR_SHAPE);
    ck_assert_str_eq(perr.path, "issue.fields.customfield_10020");
    ck_assert_int_eq(ev.kind, BIQ_EVENT_IGNORED);
    ck_assert_int_eq(ev.issue.id, 0);
    json_decref(root);
    biq_arena_free(arena);
}
END_TEST

/* Forge's own shapes, built from a real capture: bare and in an envelope. */
START_TEST(forge_event_shapes)
{
    biq_arena *arena = biq_arena_new(ARENA_LIMIT);
    json_t *hook = load_rel("jira-webhooks/webhook-issue-updated-started-working.json");
    json_t *bare = json_pack("{s:s, s:O, s:O, s:s}", "eventType", "avi:jira:updated:issue", "issue",
                             json_object_get(hook, "issue"), "changelog",
                             json_object_get(hook, "changelog"), "atlassianId", "abc");
    json_t *env = json_pack("{s:O, s:{s:s}}", "payload", bare, "context", "cloudId", "x");
    biq_event a, b;
    biq_parse_error perr;
    ck_assert_msg(biq_parse_event(bare, &webhook_fields, arena, &a, &perr) == BIQ_OK, "%s", perr.message);
    ck_assert_msg(biq_parse_event(env, &webhook_fields, arena, &b, &perr) == BIQ_OK, "%s", perr.message);
    ck_assert_int_eq(a.kind, BIQ_EVENT_ISSUE_UPSERT);
    ck_assert_int_eq(b.kind, BIQ_EVENT_ISSUE_UPSERT);
    ck_assert_int_eq(a.at, BIQ_MS_NONE);
    ck_assert_uint_eq(a.issue.n_transitions, 1);
    ck_assert_int_eq(a.issue.transitions[0].to_status, 3);
    /* no timestamp anywhere: the issue's updated instant stands in */
    ck_assert_int_eq(a.issue.transitions[0].at, a.issue.updated);
    ck_assert_int_eq(b.issue.transitions[0].at, a.issue.transitions[0].at);

    json_t *sprint = json_pack("{s:s, s:{s:i, s:s, s:s, s:s}}", "eventType",
                               "avi:jira-software:started:sprint", "sprint", "id", 42, "name", "S42",
                               "state", "active", "startDate", "2024-01-02T03:04:05.678+01:00");
    ck_assert_int_eq(biq_parse_event(sprint, NULL, arena, &a, &perr), BIQ_OK);
    ck_assert_int_eq(a.kind, BIQ_EVENT_SPRINT_UPSERT);
    ck_assert_int_eq(a.sprint.id, 42);
    ck_assert_int_eq(a.sprint.start, 1704161045678LL);

    json_t *del = json_pack("{s:s, s:{s:s, s:s}}", "eventType", "avi:jira:deleted:issue", "issue",
                            "id", "77", "key", "EE-9");
    ck_assert_int_eq(biq_parse_event(del, NULL, arena, &a, &perr), BIQ_OK);
    ck_assert_int_eq(a.kind, BIQ_EVENT_ISSUE_DELETED);
    ck_assert_int_eq(a.issue.id, 77);

    json_t *other = json_pack("{s:s}", "eventType", "avi:jira:commented:issue");
    ck_assert_int_eq(biq_parse_event(other, NULL, arena, &a, &perr), BIQ_OK);
    ck_assert_int_eq(a.kind, BIQ_EVENT_IGNORED);
    ck_assert_str_eq(a.reason, "event type not used: avi:jira:commented:issue");
    json_decref(other);
    json_decref(del);
    json_decref(sprint);
    json_decref(env);
    json_decref(bare);
    json_decref(hook);
    biq_arena_free(arena);
}
END_TEST

/* search/jql pages, bare arrays and backfill pages with catalogues. */
START_TEST(page_shapes)
{
    biq_arena *arena = biq_arena_new(ARENA_LIMIT);
    json_t *page = load_rel("devlake-merico/issues-with-changelog.json");
    json_t *issues = json_object_get(page, "issues");
    json_t *statuses = load_rel("devlake-merico/statuses.json");
    json_t *sprints = load_rel("devlake-merico/sprints.json");
    json_t *jql = json_pack("{s:O, s:s, s:b, s:O, s:O}", "issues", issues, "nextPageToken", "tok",
                            "isLast", 0, "statuses", statuses, "sprints",
                            json_object_get(sprints, "values"));
    biq_issue_page p;
    biq_parse_error perr;
    biq_field_ids ids = biq_field_ids_default();
    ck_assert_msg(biq_parse_issue_page(jql, &ids, arena, &p, &perr) == BIQ_OK, "%s", perr.message);
    ck_assert_uint_eq(p.n_issues, 33);
    ck_assert_int_eq(p.total, -1);
    ck_assert_str_eq(p.next_page_token, "tok");
    ck_assert(p.has_is_last && !p.is_last);
    ck_assert_uint_eq(p.n_statuses, 53);
    ck_assert_uint_eq(p.n_sprints, 30);
    ck_assert_int_eq(biq_parse_issue_page(issues, &ids, arena, &p, &perr), BIQ_OK);
    ck_assert_uint_eq(p.n_issues, 33);
    ck_assert(!p.has_is_last);
    json_decref(jql);
    json_decref(sprints);
    json_decref(statuses);
    json_decref(page);
    biq_arena_free(arena);
}
END_TEST

/* ---- nothing sensitive survives ------------------------------------------- */

static void check_minimised(const char *rel, const strset *kept, const json_t *root)
{
    strset secret = {0};
    collect_sensitive(root, NULL, NULL, &secret);
    if (secret.n > 0)
        assert_disjoint(kept, &secret, rel);
    strset_free(&secret);
}

START_TEST(minimised_devlake)
{
    static const char *const files[] = {
        "devlake-merico/issues-with-changelog.json", "devlake-merico/changelog-issue-13383.json",
        "devlake-merico/changelog-issue-13491.json", "devlake-merico/changelog-issue-13954.json",
        "devlake-merico/statuses.json",              "devlake-merico/sprints.json",
        "devlake-merico/projects.json"};
    biq_field_ids ids = biq_field_ids_default();
    size_t secrets = 0;
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        biq_arena *arena = biq_arena_new(ARENA_LIMIT);
        json_t *root = load_rel(files[f]);
        strset kept = {0}, probe = {0};
        biq_issue_page ip;
        biq_changelog_page cp;
        const biq_status *st;
        const biq_sprint *sp;
        const biq_project *pr;
        size_t n;
        if (biq_parse_issue_page(root, &ids, arena, &ip, NULL) == BIQ_OK)
            for (size_t i = 0; i < ip.n_issues; i++)
                issue_strings(&ip.issues[i], &kept);
        else if (biq_parse_changelog_page(root, arena, &cp, NULL) == BIQ_OK)
            for (size_t i = 0; i < cp.n_transitions; i++) {
                strset_add(&kept, cp.transitions[i].from_name);
                strset_add(&kept, cp.transitions[i].to_name);
            }
        else if (strstr(files[f], "statuses") && biq_parse_statuses(root, arena, &st, &n, NULL) == BIQ_OK)
            for (size_t i = 0; i < n; i++)
                strset_add(&kept, st[i].name);
        else if (strstr(files[f], "sprints") && biq_parse_sprints(root, arena, &sp, &n, NULL) == BIQ_OK)
            for (size_t i = 0; i < n; i++) {
                strset_add(&kept, sp[i].name);
                strset_add(&kept, sp[i].state);
            }
        else if (biq_parse_projects(root, arena, &pr, &n, NULL) == BIQ_OK)
            for (size_t i = 0; i < n; i++) {
                strset_add(&kept, pr[i].key);
                strset_add(&kept, pr[i].name);
            }
        ck_assert_msg(kept.n > 0, "%s: no parser took it", files[f]);
        collect_sensitive(root, NULL, NULL, &probe);
        secrets += probe.n;
        strset_free(&probe);
        check_minimised(files[f], &kept, root);
        strset_free(&kept);
        json_decref(root);
        biq_arena_free(arena);
    }
    ck_assert_uint_gt(secrets, 100); /* the probe did find descriptions, avatars, ... */
}
END_TEST

START_TEST(minimised_webhooks)
{
    char dir[PATH_LEN];
    struct dirent **names;
    data_path(dir, sizeof dir, "jira-webhooks");
    int n = scandir(dir, &names, webhook_filter, alphasort);
    ck_assert_int_gt(n, 0);
    for (int i = 0; i < n; i++) {
        char rel[PATH_LEN];
        biq_event ev;
        strset kept = {0};
        snprintf(rel, sizeof rel, "jira-webhooks/%s", names[i]->d_name);
        json_t *root = load_rel(rel);
        biq_arena *arena = biq_arena_new(ARENA_LIMIT);
        ck_assert_int_eq(biq_parse_event(root, &webhook_fields, arena, &ev, NULL), BIQ_OK);
        issue_strings(&ev.issue, &kept);
        strset_add(&kept, ev.type);
        strset_add(&kept, ev.reason);
        check_minimised(rel, &kept, root);
        strset_free(&kept);
        json_decref(root);
        biq_arena_free(arena);
        free(names[i]);
    }
    free(names);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("parse_realdata");
    TCase *tc = tcase_create("realdata");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, devlake_page_values);
    tcase_add_test(tc, devlake_story_points_field);
    tcase_add_test(tc, devlake_renamed_status_one_id);
    tcase_add_test(tc, devlake_changelog_pages);
    tcase_add_test(tc, devlake_changelog_page_items);
    tcase_add_test(tc, devlake_catalogues);
    tcase_add_test(tc, project_statuses_shape);
    tcase_add_test(tc, webhooks_all_parse);
    tcase_add_test(tc, webhook_values);
    tcase_add_test(tc, webhook_wrong_sprint_field);
    tcase_add_test(tc, forge_event_shapes);
    tcase_add_test(tc, page_shapes);
    tcase_add_test(tc, minimised_devlake);
    tcase_add_test(tc, minimised_webhooks);
    suite_add_tcase(s, tc);
    return s;
}
