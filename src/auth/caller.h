/* caller.h - who is calling: the caller class of a verified token
 * (security.md §2a).
 *
 * Authentication says a token is Atlassian's; the caller class says which
 * part of the app sent it, and so what it may do. It is derived once, from
 * the verified claims only (app.module.type, app.module.key, whether a
 * context.extension is present and what it names), by the table in
 * auth/modules.def, and never changes for the request. The route table
 * (api/routes.c) says which classes each route admits; the router refuses
 * the rest before any handler runs. Pure and thread-safe.
 */
#ifndef BIQ_AUTH_CALLER_H
#define BIQ_AUTH_CALLER_H

#include <stddef.h>

struct biq_tenant_ctx;

/* One bit per class, so that a route can admit a set of them. */
typedef enum biq_caller_class {
    BIQ_CALLER_NONE = 0,                 /* verified, but no module we know: admitted nowhere */
    BIQ_CALLER_LIFECYCLE = 1u << 0,      /* platform: lifecycle trigger, preUninstall */
    BIQ_CALLER_EVENTS = 1u << 1,         /* platform: Jira product events */
    BIQ_CALLER_SCHEDULE = 1u << 2,       /* platform: scheduled endpoint (alert sweep) */
    BIQ_CALLER_FUNCTION = 1u << 3,       /* the app's own Forge functions */
    BIQ_CALLER_VIEWER = 1u << 4,         /* project page, issue panel: may browse the project */
    BIQ_CALLER_PROJECT_ADMIN = 1u << 5,  /* project settings page: that project's admins */
    BIQ_CALLER_SITE_ADMIN = 1u << 6,     /* admin page: Jira administrators */
} biq_caller_class;

enum {
    BIQ_CALLER_PLATFORM = BIQ_CALLER_LIFECYCLE | BIQ_CALLER_EVENTS | BIQ_CALLER_SCHEDULE,
    BIQ_CALLER_PROJECT_USERS = BIQ_CALLER_VIEWER | BIQ_CALLER_PROJECT_ADMIN,
    BIQ_CALLER_CLASS_COUNT = 7,          /* bits above */
    BIQ_CALLER_NAMES_MAX = 160,          /* biq_caller_names() output, all classes */
};

/* The class of a verified token's claims. Rules beyond the table:
 * platform and function modules must carry no context.extension; a viewer
 * needs the project (and, in an issue panel, the issue) in its extension;
 * a project admin needs the project; a context.moduleKey that disagrees
 * with app.module.key is no class. Returns BIQ_CALLER_NONE for anything
 * else. */
biq_caller_class biq_caller_classify(const struct biq_tenant_ctx *ctx);

/* The stable name of one class ("site-admin", "project-viewer", ...):
 * static, never NULL ("none" for 0 or a set of several bits). */
const char *biq_caller_name(biq_caller_class c);

/* Writes the names of every class in the set admits, joined by " or ",
 * into out[0..cap) (NUL-terminated; only whole names that fit). Returns
 * out. */
char *biq_caller_names(unsigned admits, char *out, size_t cap);

/* The project a caller's data is scoped to: the token's project key for a
 * viewer or project admin, NULL for every other class (site admins and the
 * platform see the whole tenant). The pointer is into ctx. */
const char *biq_caller_project_scope(const struct biq_tenant_ctx *ctx);

#endif
