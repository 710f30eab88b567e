/* tenants.h - the tenants table: install, uninstall, and the tenant summary.
 * All functions run inside a tenant transaction (store/tx.h) and touch only
 * that transaction's tenant. */
#ifndef BIQ_STORE_TENANTS_H
#define BIQ_STORE_TENANTS_H

#include <jansson.h>
#include <stdbool.h>

#include "auth/tenant.h"
#include "common/err.h"
#include "store/tx.h"

/* Inserts the tenant of tx, or refreshes its site details when it exists
 * (idempotent: a repeated install changes nothing else). ctx must be the
 * verified context whose tenant_id opened tx. */
biq_err biq_store_tenant_upsert(biq_tx *tx, const biq_tenant_ctx *ctx);

/* Deletes the tenant of tx and every row of it, by ON DELETE CASCADE from
 * tenants (every tenant table references it; security.md).
 * *existed tells whether there was anything to delete. */
biq_err biq_store_tenant_delete(biq_tx *tx, bool *existed);

/* Builds {"id","site","cloudId","environment","installedAt","settings",
 * "counts":{...},"projects":[{key,name,lastSyncAt}],"statuses":[{id,name,
 * category}]} for the tenant of tx into *out (a new reference). A project
 * is every key with issues, a catalogue entry or a data commit; with scope
 * not NULL only that project is listed and counted (a project's page never
 * learns the site's other keys). BIQ_ERR_NOT_FOUND when the tenant is not
 * installed. */
biq_err biq_store_tenant_summary(biq_tx *tx, const char *scope, json_t **out);

#endif
