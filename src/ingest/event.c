/* event.c - classifies and parses one pushed event: a Forge product event
 * (bare or in an envelope's `payload`) or a classic Jira webhook body.
 * Events we do not use are "ignored" with a reason, not errors, because the
 * platform retries every non-2xx answer.
 */
#include <stdio.h>
#include <string.h>

#include "ingest/ingest_internal.h"

#define REASON_MAX 192

typedef struct event_kind_entry {
    const char *type;
    biq_event_kind kind;
} event_kind_entry;

static const event_kind_entry event_kinds[] = {
    {"avi:jira:created:issue", BIQ_EVENT_ISSUE_UPSERT},
    {"avi:jira:updated:issue", BIQ_EVENT_ISSUE_UPSERT},
    {"avi:jira:deleted:issue", BIQ_EVENT_ISSUE_DELETED},
    {"jira:issue_created", BIQ_EVENT_ISSUE_UPSERT},
    {"jira:issue_updated", BIQ_EVENT_ISSUE_UPSERT},
    {"jira:issue_deleted", BIQ_EVENT_ISSUE_DELETED},
    {"avi:jira-software:created:sprint", BIQ_EVENT_SPRINT_UPSERT},
    {"avi:jira-software:started:sprint", BIQ_EVENT_SPRINT_UPSERT},
    {"avi:jira-software:updated:sprint", BIQ_EVENT_SPRINT_UPSERT},
    {"avi:jira-software:closed:sprint", BIQ_EVENT_SPRINT_UPSERT},
    {"avi:jira-software:deleted:sprint", BIQ_EVENT_SPRINT_DELETED},
};

static biq_event_kind kind_of(const char *type)
{
    for (size_t i = 0; i < sizeof event_kinds / sizeof event_kinds[0]; i++)
        if (strcmp(event_kinds[i].type, type) == 0)
            return event_kinds[i].kind;
    return BIQ_EVENT_IGNORED;
}

/* The object that carries eventType: the root, or an envelope's payload. */
static const json_t *event_body(biq_pctx *c, const json_t *root)
{
    const json_t *payload = json_object_get(root, "payload");
    if (json_object_get(root, "eventType") || json_object_get(root, "webhookEvent") ||
        !json_is_object(payload))
        return root;
    biq_pctx_key(c, "payload"); /* every later path is inside it: never popped */
    return payload;
}

static biq_err event_type(biq_pctx *c, const json_t *body, const char **out)
{
    const char *key = json_object_get(body, "webhookEvent") && !json_object_get(body, "eventType")
                          ? "webhookEvent"
                          : "eventType";
    return biq_member_string(c, body, key, BIQ_INGEST_TOKEN_MAX, true, out);
}

static biq_err event_timestamp(biq_pctx *c, const json_t *body, biq_ms *out)
{
    int64_t ms;
    biq_err err = biq_member_count(c, body, "timestamp", &ms);
    *out = err == BIQ_OK && ms >= 0 ? ms : BIQ_MS_NONE;
    return err;
}

/* The single history an update event carries. Webhook histories have no
 * `created`: the delivery's timestamp, else the issue's `updated`, stands in. */
static biq_err event_changelog(biq_pctx *c, const json_t *body, biq_ms at, biq_issue *issue)
{
    const json_t *log;
    biq_tvec tv = {0};
    biq_err err;
    if ((err = biq_member_object(c, body, "changelog", false, &log)) != BIQ_OK || !log)
        return err;
    size_t saved = biq_pctx_key(c, "changelog");
    err = biq_ingest_history(c, log, at != BIQ_MS_NONE ? at : issue->updated, &tv);
    biq_pctx_pop(c, saved);
    biq_tvec_to_issue(c, &tv, issue);
    issue->changelog_present = 1;
    return err;
}

static biq_err issue_event(biq_pctx *c, const json_t *body, biq_event *out)
{
    const json_t *issue;
    biq_issue_need need =
        out->kind == BIQ_EVENT_ISSUE_DELETED ? BIQ_ISSUE_IDENTITY : BIQ_ISSUE_EVENT;
    biq_err err;
    if ((err = biq_member_object(c, body, "issue", true, &issue)) != BIQ_OK)
        return err;
    size_t saved = biq_pctx_key(c, "issue");
    err = biq_ingest_issue(c, issue, need, &out->issue);
    biq_pctx_pop(c, saved);
    if (err != BIQ_OK || need == BIQ_ISSUE_IDENTITY || out->issue.has_security_level)
        return err;
    return event_changelog(c, body, out->at, &out->issue);
}

static biq_err sprint_event(biq_pctx *c, const json_t *body, biq_event *out)
{
    const json_t *sprint;
    biq_err err;
    if ((err = biq_member_object(c, body, "sprint", true, &sprint)) != BIQ_OK)
        return err;
    size_t saved = biq_pctx_key(c, "sprint");
    err = biq_ingest_sprint(c, sprint, &out->sprint);
    biq_pctx_pop(c, saved);
    return err;
}

static biq_err ignore(biq_pctx *c, biq_event *out)
{
    char reason[REASON_MAX];
    snprintf(reason, sizeof reason, "event type not used: %.120s", out->type);
    out->reason = biq_arena_strdup(c->arena, reason);
    return out->reason ? BIQ_OK : biq_pctx_fail(c, BIQ_ERR_NOMEM, "out of memory");
}

static biq_err event_any(biq_pctx *c, const json_t *root, biq_event *out)
{
    biq_err err;
    if (!json_is_object(root))
        return biq_pctx_fail(c, BIQ_ERR_SHAPE, "expected an event object");
    const json_t *body = event_body(c, root);
    if ((err = event_type(c, body, &out->type)) != BIQ_OK ||
        (err = event_timestamp(c, body, &out->at)) != BIQ_OK)
        return err;
    out->kind = kind_of(out->type);
    switch (out->kind) {
    case BIQ_EVENT_ISSUE_UPSERT:
    case BIQ_EVENT_ISSUE_DELETED:
        return issue_event(c, body, out);
    case BIQ_EVENT_SPRINT_UPSERT:
    case BIQ_EVENT_SPRINT_DELETED:
        return sprint_event(c, body, out);
    case BIQ_EVENT_IGNORED:
        break;
    }
    return ignore(c, out);
}

static void event_init(biq_event *out)
{
    memset(out, 0, sizeof *out);
    out->at = BIQ_MS_NONE;
    out->issue.created = BIQ_MS_NONE;
    out->issue.updated = BIQ_MS_NONE;
    out->issue.resolution_at = BIQ_MS_NONE;
    out->issue.changelog_total = -1;
}

biq_err biq_parse_event(const json_t *root, const biq_field_ids *fields, biq_arena *arena,
                        biq_event *out, biq_parse_error *perr)
{
    biq_pctx c;
    biq_pctx_init(&c, arena, fields, perr);
    event_init(out);
    biq_err err = event_any(&c, root, out);
    if (err != BIQ_OK)
        event_init(out);
    else
        out->sprint_items_unreadable = c.sprint_unreadable;
    return err;
}
