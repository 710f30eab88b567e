/* quality.c - the data-quality report: the findings grouped by kind, with
 * the issues they concern, what was done about them and one summary
 * sentence (flow.h, biq_flow_dq_report_build). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow/flow_internal.h"

/* Per kind: what the flow did, and the summary phrase for n things (the
 * singular and plural forms; n issues, or n statuses for unknown_status). */
typedef struct kind_text {
    const char *action;
    const char *one;
    const char *many;
} kind_text;

static const kind_text texts[BIQ_DQ__COUNT] = {
    [BIQ_DQ_OUT_OF_ORDER] = {"skipped the transitions (earlier than the status the issue was in)",
                             "issue has histories older than its creation",
                             "issues have histories older than their creation"},
    [BIQ_DQ_FROM_MISMATCH] = {"applied the transitions (their `from` is not the status the "
                              "timeline was in)",
                              "issue has transitions from a status it was not in",
                              "issues have transitions from a status they were not in"},
    [BIQ_DQ_DONE_NEVER_STARTED] = {"counted done with a lead time and no cycle time",
                                   "issue was done without being started",
                                   "issues were done without being started"},
    [BIQ_DQ_TRUNCATED_HISTORY] = {"used the histories present; send the issue's full changelog "
                                  "(changelog-<issueid>.json or the changelog route)",
                                  "issue has a truncated history",
                                  "issues have truncated histories"},
    [BIQ_DQ_UNKNOWN_STATUS] = {"named the status from transitions; role unknown (not WIP, never "
                               "the bottleneck) until a role is set or a catalogue names it",
                               "status is unknown: its name comes from transitions",
                               "statuses are unknown: their names come from transitions"},
    [BIQ_DQ_STATUS_MISMATCH] = {"kept the timeline of the transitions",
                                "issue's current status is not where its last transition went",
                                "issues' current status is not where their last transition went"},
    [BIQ_DQ_DUPLICATE_ISSUE] = {"kept the copy with the latest `updated`",
                                "issue appears more than once",
                                "issues appear more than once"},
    [BIQ_DQ_DUPLICATE_HISTORY] = {"counted the repeated changelog item once",
                                  "issue repeats a changelog history id",
                                  "issues repeat a changelog history id"},
};

static int cmp_id(const void *a, const void *b)
{
    const biq_flow_issue_view *x = *(const biq_flow_issue_view *const *)a;
    const biq_flow_issue_view *y = *(const biq_flow_issue_view *const *)b;
    return (x->issue->id > y->issue->id) - (x->issue->id < y->issue->id);
}

/* The issue view of an issue id (issues are sorted by id), or NULL. */
static const biq_flow_issue_view *view_of(const biq_flow *flow, int64_t id)
{
    size_t lo = 0, hi = flow->n_issues;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (flow->issues[mid].issue->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < flow->n_issues && flow->issues[lo].issue->id == id ? &flow->issues[lo] : NULL;
}

static bool visits_unknown(const biq_flow *flow, const biq_flow_issue_view *v)
{
    for (size_t s = 0; s < v->n_slices; s++)
        if (flow->statuses[v->slices[s].status_index].role == BIQ_ROLE_UNKNOWN)
            return true;
    return false;
}

/* Distinct issues of kind k, sorted by id, into g; scratch holds
 * n_findings + n_issues pointers. Duplicate issues are gone from the flow
 * (one copy kept), so their keys come from the finding. */
static void group_issues(const biq_flow *flow, biq_dq_kind k, const biq_flow_issue_view **scratch,
                         biq_flow_dq_group *g)
{
    size_t n = 0;
    if (k == BIQ_DQ_UNKNOWN_STATUS) {
        for (size_t i = 0; i < flow->n_issues; i++)
            if (visits_unknown(flow, &flow->issues[i]))
                scratch[n++] = &flow->issues[i];
    } else {
        for (size_t i = 0; i < flow->n_findings; i++) {
            const biq_flow_issue_view *v = flow->findings[i].kind == k
                                               ? view_of(flow, flow->findings[i].issue_id)
                                               : NULL;
            if (v)
                scratch[n++] = v;
        }
        qsort(scratch, n, sizeof *scratch, cmp_id);
    }
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && scratch[i] == scratch[i - 1])
            continue;
        if (g->n_keys < BIQ_FLOW_DQ_KEYS)
            g->keys[g->n_keys++] = scratch[i]->issue->key ? scratch[i]->issue->key : "";
        g->n_issues++;
    }
}

static void append(char *buf, size_t size, size_t *len, const char *text)
{
    int n = snprintf(buf + *len, size - *len, "%s", text);
    if (n > 0)
        *len = *len + (size_t)n < size ? *len + (size_t)n : size - 1;
}

static void summary(biq_flow_dq_report *r)
{
    size_t len = 0;
    char part[BIQ_FLOW_DQ_SUMMARY_MAX];
    r->summary[0] = '\0';
    for (size_t i = 0; i < r->n_groups; i++) {
        const biq_flow_dq_group *g = &r->groups[i];
        size_t n = g->kind == BIQ_DQ_UNKNOWN_STATUS ? g->count : g->n_issues;
        snprintf(part, sizeof part, "%s%zu %s", i ? "; " : "", n,
                 n == 1 ? texts[g->kind].one : texts[g->kind].many);
        append(r->summary, sizeof r->summary, &len, part);
    }
    append(r->summary, sizeof r->summary, &len, r->n_groups ? "." : "No data-quality findings.");
}

biq_err biq_flow_dq_report_build(const biq_flow *flow, biq_arena *arena, biq_flow_dq_report *out)
{
    const biq_flow_issue_view **scratch =
        biq_arena_alloc(arena, (flow->n_findings + flow->n_issues + 1) * sizeof *scratch);
    memset(out, 0, sizeof *out);
    if (!scratch)
        return BIQ_ERR_NOMEM;
    for (int k = 0; k < BIQ_DQ__COUNT; k++) {
        biq_flow_dq_group g = {.kind = (biq_dq_kind)k, .action = texts[k].action};
        for (size_t i = 0; i < flow->n_findings; i++)
            g.count += flow->findings[i].kind == (biq_dq_kind)k;
        if (g.count == 0)
            continue;
        group_issues(flow, g.kind, scratch, &g);
        out->groups[out->n_groups++] = g;
    }
    summary(out);
    return BIQ_OK;
}
