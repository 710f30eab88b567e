/* keys.c - Jira's shapes for project and issue keys, checked at ingest
 * (security.md section 6: identifiers that reach outbound messages are
 * validated at ingest). A project key is an upper-case letter, then
 * upper-case letters, digits or underscores; an issue key is such a
 * project key, '-', and a positive number without leading zeros. */
#include <string.h>

#include "ingest/ingest_internal.h"

static const char KEY_CHARS[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";

/* The length of the project-key prefix of s that matches the shape. */
static size_t project_prefix(const char *s)
{
    return s[0] >= 'A' && s[0] <= 'Z' ? strspn(s, KEY_CHARS) : 0;
}

bool biq_ingest_project_key_ok(const char *key)
{
    size_t n = strlen(key);
    return n >= 1 && n <= BIQ_INGEST_KEY_MAX && project_prefix(key) == n;
}

bool biq_ingest_issue_key_ok(const char *key)
{
    size_t n = strlen(key), p = project_prefix(key);
    if (n > BIQ_INGEST_KEY_MAX || p == 0 || key[p] != '-')
        return false;
    const char *num = key + p + 1;
    size_t digits = strspn(num, "0123456789");
    return digits >= 1 && num[digits] == '\0' && num[0] != '0';
}

biq_err biq_member_project_key(biq_pctx *c, const json_t *obj, const char *key, bool required,
                               const char **out)
{
    biq_err err = biq_member_string(c, obj, key, BIQ_INGEST_KEY_MAX, required, out);
    if (err != BIQ_OK || *out == NULL || biq_ingest_project_key_ok(*out))
        return err;
    size_t saved = biq_pctx_key(c, key);
    err = biq_pctx_fail(c, BIQ_ERR_SHAPE,
                        "not a Jira project key (an upper-case letter, then A-Z, 0-9 or _)");
    biq_pctx_pop(c, saved);
    return err;
}

biq_err biq_member_issue_key(biq_pctx *c, const json_t *obj, const char *key, bool required,
                             const char **out)
{
    biq_err err = biq_member_string(c, obj, key, BIQ_INGEST_KEY_MAX, required, out);
    if (err != BIQ_OK || *out == NULL || biq_ingest_issue_key_ok(*out))
        return err;
    size_t saved = biq_pctx_key(c, key);
    err = biq_pctx_fail(c, BIQ_ERR_SHAPE,
                        "not a Jira issue key (PROJECT-N, N a positive number)");
    biq_pctx_pop(c, saved);
    return err;
}
