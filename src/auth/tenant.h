/* tenant.h - the tenant context: what a verified Forge Invocation Token says.
 *
 * Produced only by biq_fit_verify() (auth/fit.h) and handed to handlers as a
 * const pointer; nothing else in a request may name the tenant. Fixed-size
 * fields: a claim longer than its field is a rejected token, never a
 * truncated value. An empty string means "claim absent".
 */
#ifndef BIQ_AUTH_TENANT_H
#define BIQ_AUTH_TENANT_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/caller.h"

enum {
    BIQ_TENANT_ID_MAX = 128,  /* app.installationId, an ARI */
    BIQ_CLAIM_SHORT_MAX = 64, /* ids, keys, environment type */
    BIQ_CLAIM_LONG_MAX = 256, /* URLs, ARIs, module keys */
};

typedef struct biq_tenant_ctx {
    char tenant_id[BIQ_TENANT_ID_MAX + 1];        /* app.installationId: the tenant key */
    char app_id[BIQ_CLAIM_LONG_MAX + 1];          /* aud / app.id */
    char environment[BIQ_CLAIM_SHORT_MAX + 1];    /* app.environment.type */
    char api_base_url[BIQ_CLAIM_LONG_MAX + 1];    /* app.apiBaseUrl */
    char module_type[BIQ_CLAIM_LONG_MAX + 1];     /* app.module.type */
    char module_key[BIQ_CLAIM_LONG_MAX + 1];      /* app.module.key or context.moduleKey */
    char cloud_id[BIQ_CLAIM_SHORT_MAX + 1];       /* context.cloudId */
    char site_url[BIQ_CLAIM_LONG_MAX + 1];        /* context.siteUrl */
    char project_id[BIQ_CLAIM_SHORT_MAX + 1];     /* context.extension.project.id */
    char project_key[BIQ_CLAIM_SHORT_MAX + 1];    /* context.extension.project.key */
    char issue_id[BIQ_CLAIM_SHORT_MAX + 1];       /* context.extension.issue.id */
    char issue_key[BIQ_CLAIM_SHORT_MAX + 1];      /* context.extension.issue.key */
    char principal[BIQ_CLAIM_SHORT_MAX + 1];      /* principal (audit only) */
    char jti[BIQ_CLAIM_SHORT_MAX + 1];            /* token id, for tracing */
    int64_t exp;                                  /* seconds since epoch */
    bool has_extension;                           /* context.extension present */
    biq_caller_class caller;                      /* derived by biq_caller_classify */
} biq_tenant_ctx;

#endif
