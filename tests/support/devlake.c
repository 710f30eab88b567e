/* devlake.c - see devlake.h. */
#include "devlake.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tz/civil.h"

static int64_t digits(const char *s, int n)
{
    int64_t v = 0;
    for (int i = 0; i < n; i++) {
        ck_assert_msg(s[i] >= '0' && s[i] <= '9', "bad digits in '%s'", s);
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

biq_ms devlake_instant(const char *s)
{
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(strlen(s), 28);
    int64_t day = biq_civil_days(digits(s, 4), (int)digits(s + 5, 2), (int)digits(s + 8, 2));
    int64_t ms = ((digits(s + 11, 2) * 60 + digits(s + 14, 2)) * 60 + digits(s + 17, 2)) * 1000 +
                 digits(s + 20, 3);
    int64_t off = (digits(s + 24, 2) * 60 + digits(s + 26, 2)) * 60000;
    return day * BIQ_MS_PER_DAY + ms - (s[23] == '-' ? -off : off);
}

int64_t devlake_id(json_t *v)
{
    const char *s = json_string_value(v);
    return s && *s ? digits(s, (int)strlen(s)) : 0;
}

void devlake_path(const char *name, char out[DEVLAKE_PATH_MAX])
{
    const char *dir = getenv("BIQ_SHARED_DIR");
    int n = snprintf(out, DEVLAKE_PATH_MAX, "%s/realdata/devlake-merico/%s", dir ? dir : "../shared",
                     name);
    ck_assert(n > 0 && n < DEVLAKE_PATH_MAX);
}

json_t *devlake_json(const char *name)
{
    char path[DEVLAKE_PATH_MAX];
    json_error_t e;
    devlake_path(name, path);
    json_t *j = json_load_file(path, JSON_ALLOW_NUL, &e);
    ck_assert_msg(j != NULL, "%s: %s", path, e.text);
    return j;
}

static void add_transitions(devlake *d, json_t *histories, biq_issue *is)
{
    size_t hi, ii, first = d->n_trans;
    json_t *h, *it;
    json_array_foreach(histories, hi, h) {
        json_array_foreach(json_object_get(h, "items"), ii, it) {
            if (strcmp(json_string_value(json_object_get(it, "field")), "status") != 0)
                continue;
            ck_assert_uint_lt(d->n_trans, DEVLAKE_TRANSITIONS_MAX);
            d->trans[d->n_trans++] = (biq_transition){
                .history_id = devlake_id(json_object_get(h, "id")), .item_index = (int32_t)ii,
                .at = devlake_instant(json_string_value(json_object_get(h, "created"))),
                .from_status = devlake_id(json_object_get(it, "from")),
                .to_status = devlake_id(json_object_get(it, "to")),
                .from_name = json_string_value(json_object_get(it, "fromString")),
                .to_name = json_string_value(json_object_get(it, "toString"))};
        }
    }
    is->transitions = &d->trans[first];
    is->n_transitions = d->n_trans - first;
}

static void add_issue(devlake *d, json_t *v)
{
    json_t *f = json_object_get(v, "fields"), *cl = json_object_get(v, "changelog");
    ck_assert_uint_lt(d->n_issues, DEVLAKE_ISSUES_MAX);
    biq_issue *is = &d->issues[d->n_issues++];
    *is = (biq_issue){
        .id = devlake_id(json_object_get(v, "id")),
        .key = json_string_value(json_object_get(v, "key")),
        .project_key = json_string_value(json_object_get(json_object_get(f, "project"), "key")),
        .summary = json_string_value(json_object_get(f, "summary")),
        .status_id = devlake_id(json_object_get(json_object_get(f, "status"), "id")),
        .issue_type = json_string_value(json_object_get(json_object_get(f, "issuetype"), "name")),
        .created = devlake_instant(json_string_value(json_object_get(f, "created"))),
        .updated = devlake_instant(json_string_value(json_object_get(f, "updated"))),
        .resolution_at = BIQ_MS_NONE,
        .changelog_total = (int32_t)json_integer_value(json_object_get(cl, "total")),
        .changelog_present = (int32_t)json_array_size(json_object_get(cl, "histories")),
    };
    add_transitions(d, json_object_get(cl, "histories"), is);
}

void devlake_load(devlake *d)
{
    size_t i;
    json_t *v;
    memset(d, 0, sizeof *d);
    d->statuses_doc = devlake_json("statuses.json");
    d->issues_doc = devlake_json("issues-with-changelog.json");
    json_array_foreach(d->statuses_doc, i, v) {
        ck_assert_uint_lt(d->n_statuses, DEVLAKE_STATUSES_MAX);
        d->statuses[d->n_statuses++] = (biq_status){
            .id = devlake_id(json_object_get(v, "id")),
            .name = json_string_value(json_object_get(v, "name")),
            .category = biq_status_category_parse(json_string_value(
                json_object_get(json_object_get(v, "statusCategory"), "key")))};
    }
    json_array_foreach(json_object_get(d->issues_doc, "issues"), i, v) add_issue(d, v);
}

void devlake_free(devlake *d)
{
    json_decref(d->issues_doc);
    json_decref(d->statuses_doc);
    d->issues_doc = d->statuses_doc = NULL;
}
