/* caller.c - the caller class of a verified token (see caller.h). */
#include "auth/caller.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "auth/tenant.h"

typedef struct module_row {
    const char *type;
    const char *key;
    biq_caller_class caller;
} module_row;

static const module_row MODULES[] = {
#define BIQ_MODULE(type, key, caller) {type, key, caller},
#include "auth/modules.def"
#undef BIQ_MODULE
};
enum { N_MODULES = sizeof MODULES / sizeof MODULES[0] };

static const char *const NAMES[BIQ_CALLER_CLASS_COUNT] = {
    "platform-lifecycle", "platform-events", "platform-schedule", "function",
    "project-viewer",     "project-admin",   "site-admin",
};

static biq_caller_class table_class(const char *type, const char *key)
{
    for (size_t i = 0; i < N_MODULES; i++)
        if (strcmp(MODULES[i].type, type) == 0 && strcmp(MODULES[i].key, key) == 0)
            return MODULES[i].caller;
    return BIQ_CALLER_NONE;
}

/* What the class needs of the token's context beyond its module. */
static bool context_fits(biq_caller_class c, const biq_tenant_ctx *t)
{
    switch (c) {
    case BIQ_CALLER_LIFECYCLE:
    case BIQ_CALLER_EVENTS:
    case BIQ_CALLER_SCHEDULE:
    case BIQ_CALLER_FUNCTION:
        return !t->has_extension;
    case BIQ_CALLER_VIEWER:
        if (strcmp(t->module_type, "jira:issuePanel") == 0 && t->issue_key[0] == '\0')
            return false;
        return t->project_key[0] != '\0';
    case BIQ_CALLER_PROJECT_ADMIN:
        return t->project_key[0] != '\0';
    case BIQ_CALLER_SITE_ADMIN:
        return true;
    default:
        return false;
    }
}

biq_caller_class biq_caller_classify(const biq_tenant_ctx *t)
{
    /* mutate: equivalent logic: an empty type or key matches no table row */
    if (t->module_type[0] == '\0' || t->module_key[0] == '\0')
        return BIQ_CALLER_NONE;
    biq_caller_class c = table_class(t->module_type, t->module_key);
    return context_fits(c, t) ? c : BIQ_CALLER_NONE;
}

const char *biq_caller_name(biq_caller_class c)
{
    for (unsigned i = 0; i < BIQ_CALLER_CLASS_COUNT; i++)
        if ((unsigned)c == 1u << i)
            return NAMES[i];
    return "none";
}

char *biq_caller_names(unsigned admits, char *out, size_t cap)
{
    size_t used = 0;
    if (cap == 0)
        return out;
    out[0] = '\0';
    for (unsigned i = 0; i < BIQ_CALLER_CLASS_COUNT; i++) {
        if ((admits & (1u << i)) == 0)
            continue;
        int n = snprintf(out + used, cap - used, "%s%s", used > 0 ? " or " : "", NAMES[i]);
        if (n < 0 || (size_t)n >= cap - used) {
            out[used] = '\0'; /* whole names only */
            break;
        }
        used += (size_t)n;
    }
    return out;
}

const char *biq_caller_project_scope(const biq_tenant_ctx *t)
{
    return (t->caller & BIQ_CALLER_PROJECT_USERS) != 0 ? t->project_key : NULL;
}
