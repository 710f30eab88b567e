/* migrate.h - schema migrations and the hardening that follows them.
 *
 * biq_migrate_run() applies the SQL migrations compiled into the binary
 * (db/migrations) in version order, each in its own transaction, under a
 * session advisory lock so concurrent runs serialise. Applied versions are
 * recorded in schema_migrations with a SHA-256 of their text. It refuses a
 * database that is ahead of the binary or whose applied migrations differ
 * from the embedded ones. Then, in one transaction, it enforces the tenant
 * rules on every table with a tenant_id column (RLS enabled and forced, the
 * fail-closed policy) and gives the application role exactly SELECT,
 * INSERT, UPDATE, DELETE on them (and SELECT on schema_migrations).
 */
#ifndef BIQ_STORE_MIGRATE_H
#define BIQ_STORE_MIGRATE_H

#include <libpq-fe.h>
#include <stddef.h>

#include "common/err.h"
#include "common/log.h"

/* A fixed key for pg_advisory_lock: "biq-migr" in ASCII. */
#define BIQ_MIGRATE_LOCK_KEY 0x6269712d6d696772LL

/* Runs the migrations as the owner (conninfo) and grants app_role (a plain
 * identifier, see config.h). Returns BIQ_OK, BIQ_ERR_DB (unreachable),
 * BIQ_ERR_CONFLICT (database ahead or diverged) or BIQ_ERR_CONFIG (role
 * missing or too powerful), with a message in why. Logs each applied
 * migration. Not to be called concurrently in one process. */
biq_err biq_migrate_run(const char *conninfo, const char *app_role, biq_log *log, char *why,
                        size_t why_len);

/* The newest version compiled into the binary (0 when none). */
int biq_migrate_latest(void);

/* Reads the newest applied version over conn into *version (0 when the
 * table is empty). BIQ_ERR_DB when the query fails. Used by /readyz. */
biq_err biq_migrate_applied(PGconn *conn, int *version);

#endif
