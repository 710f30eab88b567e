/* migrate.c - versioned migrations, RLS enforcement and grants (see migrate.h). */
#include "store/migrate.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/migrations_embedded.h"
#include "store/tx.h"

enum {
    SHA256_HEX_LEN = 64,
    SQL_MAX = 1024,
};

static const char CREATE_LEDGER[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY,"
    " name text NOT NULL,"
    " checksum text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";

/* Tables that need the tenant rules: every base table of the schema with a
 * tenant_id column. */
static const char TENANT_TABLES[] =
    "SELECT c.relname FROM pg_class c"
    " JOIN pg_namespace n ON n.oid = c.relnamespace"
    " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped"
    " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
    " ORDER BY c.relname";

/* Views over tenant data, and whether they run with the reader's rights:
 * only then does the RLS of the tables under them confine them to the
 * reader's tenant (a view normally reads with its owner's rights). */
static const char TENANT_VIEWS[] =
    "SELECT c.relname, coalesce('security_invoker=true' = ANY(c.reloptions), false)"
    " FROM pg_class c"
    " JOIN pg_namespace n ON n.oid = c.relnamespace"
    " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped"
    " WHERE n.nspname = current_schema() AND c.relkind = 'v'"
    " ORDER BY c.relname";

static const char TENANT_PREDICATE[] =
    "tenant_id = (SELECT nullif(current_setting('app.current_tenant', true), ''))";

static void sha256_hex(const char *text, char out[SHA256_HEX_LEN + 1])
{
    unsigned char md[32];
    unsigned int md_len = 0;
    EVP_Digest(text, strlen(text), md, &md_len, EVP_sha256(), NULL);
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

int biq_migrate_latest(void)
{
    int latest = 0;
    for (unsigned i = 0; i < biq_migrations_count; i++) {
        if (biq_migrations[i].version > latest)
            latest = biq_migrations[i].version;
    }
    return latest;
}

static const biq_migration *find_embedded(int version)
{
    for (unsigned i = 0; i < biq_migrations_count; i++) {
        if (biq_migrations[i].version == version)
            return &biq_migrations[i];
    }
    return NULL;
}

static biq_err exec_simple(PGconn *conn, const char *sql, char *why, size_t why_len)
{
    PGresult *res = PQexec(conn, sql);
    biq_err err = biq_store_result_err(conn, res);
    if (err != BIQ_OK)
        snprintf(why, why_len, "%s", PQerrorMessage(conn));
    PQclear(res);
    return err;
}

/* Every applied migration must be one this binary knows, with the same text. */
static biq_err check_ledger(PGconn *conn, char *why, size_t why_len)
{
    biq_err err = BIQ_OK;
    PGresult *res = PQexec(conn, "SELECT version, name, checksum FROM schema_migrations ORDER BY version");
    if ((err = biq_store_result_err(conn, res)) != BIQ_OK) {
        snprintf(why, why_len, "reading schema_migrations: %s", PQerrorMessage(conn));
        goto out;
    }
    for (int row = 0; row < PQntuples(res); row++) {
        int version = (int)strtol(PQgetvalue(res, row, 0), NULL, 10);
        const biq_migration *m = find_embedded(version);
        if (m == NULL) {
            snprintf(why, why_len,
                     "database has migration %d (%s) that this binary does not know "
                     "(newest known: %d): the database is ahead of the code",
                     version, PQgetvalue(res, row, 1), biq_migrate_latest());
            err = BIQ_ERR_CONFLICT;
            goto out;
        }
        char sum[SHA256_HEX_LEN + 1];
        sha256_hex(m->sql, sum);
        if (strcmp(sum, PQgetvalue(res, row, 2)) != 0) {
            snprintf(why, why_len, "migration %s was changed after it was applied", m->name);
            err = BIQ_ERR_CONFLICT;
            goto out;
        }
    }
out:
    PQclear(res);
    return err;
}

static bool is_applied(PGconn *conn, int version)
{
    char v[16];
    snprintf(v, sizeof v, "%d", version);
    const char *params[] = {v};
    PGresult *res = PQexecParams(conn, "SELECT 1 FROM schema_migrations WHERE version = $1::int",
                                 1, NULL, params, NULL, NULL, 0);
    bool applied = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
    PQclear(res);
    return applied;
}

static biq_err apply_one(PGconn *conn, const biq_migration *m, biq_log *log, char *why,
                         size_t why_len)
{
    biq_err err;
    char sum[SHA256_HEX_LEN + 1], version[16];
    sha256_hex(m->sql, sum);
    snprintf(version, sizeof version, "%d", m->version);

    if ((err = exec_simple(conn, "BEGIN", why, why_len)) != BIQ_OK)
        return err;
    PGresult *res = PQexec(conn, m->sql);
    err = biq_store_result_err(conn, res);
    if (err != BIQ_OK)
        snprintf(why, why_len, "migration %s failed: %s", m->name, PQerrorMessage(conn));
    PQclear(res);
    if (err == BIQ_OK) {
        const char *params[] = {version, m->name, sum};
        res = PQexecParams(conn,
                           "INSERT INTO schema_migrations (version, name, checksum)"
                           " VALUES ($1::int, $2, $3)",
                           3, NULL, params, NULL, NULL, 0);
        err = biq_store_result_err(conn, res);
        if (err != BIQ_OK)
            snprintf(why, why_len, "recording %s: %s", m->name, PQerrorMessage(conn));
        PQclear(res);
    }
    if (err != BIQ_OK) {
        PQclear(PQexec(conn, "ROLLBACK"));
        return err;
    }
    if ((err = exec_simple(conn, "COMMIT", why, why_len)) == BIQ_OK)
        biq_log_write(log, BIQ_LOG_INFO, "migration applied",
                      json_pack("{s:i,s:s}", "version", m->version, "name", m->name));
    return err;
}

/* The application role must exist and must not be able to skip RLS. */
static biq_err check_app_role(PGconn *conn, const char *app_role, char *why, size_t why_len)
{
    const char *params[] = {app_role};
    PGresult *res = PQexecParams(conn,
                                 "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1",
                                 1, NULL, params, NULL, NULL, 0);
    biq_err err = biq_store_result_err(conn, res);
    if (err != BIQ_OK) {
        snprintf(why, why_len, "reading pg_roles: %s", PQerrorMessage(conn));
    } else if (PQntuples(res) != 1) {
        snprintf(why, why_len, "application role '%s' does not exist (BIQ_APP_ROLE)", app_role);
        err = BIQ_ERR_CONFIG;
    } else if (strcmp(PQgetvalue(res, 0, 0), "t") == 0 || strcmp(PQgetvalue(res, 0, 1), "t") == 0) {
        snprintf(why, why_len,
                 "application role '%s' is a superuser or has BYPASSRLS: it would see every tenant",
                 app_role);
        err = BIQ_ERR_CONFIG;
    }
    PQclear(res);
    return err;
}

static biq_err harden_table(PGconn *conn, const char *table, const char *role, char *why,
                            size_t why_len)
{
    char sql[SQL_MAX];
    biq_err err = BIQ_OK;
    char *ident = PQescapeIdentifier(conn, table, strlen(table));
    if (ident == NULL)
        return BIQ_ERR_NOMEM;
    snprintf(sql, sizeof sql, "ALTER TABLE %s ENABLE ROW LEVEL SECURITY;"
             " ALTER TABLE %s FORCE ROW LEVEL SECURITY;"
             " DROP POLICY IF EXISTS tenant_isolation ON %s", ident, ident, ident);
    err = exec_simple(conn, sql, why, why_len);
    if (err == BIQ_OK) {
        snprintf(sql, sizeof sql, "CREATE POLICY tenant_isolation ON %s USING (%s) WITH CHECK (%s)",
                 ident, TENANT_PREDICATE, TENANT_PREDICATE);
        err = exec_simple(conn, sql, why, why_len);
    }
    if (err == BIQ_OK) {
        snprintf(sql, sizeof sql, "GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %s", ident, role);
        err = exec_simple(conn, sql, why, why_len);
    }
    PQfreemem(ident);
    return err;
}

/* The app role may read a tenant view (never write through it), and only
 * one that reads with the invoker's rights. */
static biq_err grant_views(PGconn *conn, const char *role, char *why, size_t why_len)
{
    char sql[SQL_MAX];
    biq_err err;
    PGresult *views = PQexec(conn, TENANT_VIEWS);
    if ((err = biq_store_result_err(conn, views)) != BIQ_OK) {
        snprintf(why, why_len, "listing views: %s", PQerrorMessage(conn));
        goto out;
    }
    for (int i = 0; i < PQntuples(views) && err == BIQ_OK; i++) {
        const char *view = PQgetvalue(views, i, 0);
        if (strcmp(PQgetvalue(views, i, 1), "t") != 0) {
            snprintf(why, why_len,
                     "view %s reads tenant data with its owner's rights, past row-level"
                     " security: it must be created WITH (security_invoker = true)", view);
            err = BIQ_ERR_CONFIG;
            goto out;
        }
        char *ident = PQescapeIdentifier(conn, view, strlen(view));
        if (ident == NULL) {
            err = BIQ_ERR_NOMEM;
            goto out;
        }
        snprintf(sql, sizeof sql, "GRANT SELECT ON %s TO %s", ident, role);
        PQfreemem(ident);
        err = exec_simple(conn, sql, why, why_len);
    }
out:
    PQclear(views);
    return err;
}

/* Revokes everything from the app role, then grants exactly what it needs. */
static biq_err harden(PGconn *conn, const char *app_role, char *why, size_t why_len)
{
    char sql[SQL_MAX];
    biq_err err;
    PGresult *tables = NULL;
    char *role = PQescapeIdentifier(conn, app_role, strlen(app_role));
    if (role == NULL)
        return BIQ_ERR_NOMEM;
    if ((err = exec_simple(conn, "BEGIN", why, why_len)) != BIQ_OK)
        goto out;
    snprintf(sql, sizeof sql,
             "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM %s;"
             " REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM %s;"
             " GRANT USAGE ON SCHEMA public TO %s;"
             " GRANT SELECT ON schema_migrations TO %s;"
             " GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %s",
             role, role, role, role, role);
    if ((err = exec_simple(conn, sql, why, why_len)) != BIQ_OK)
        goto out;
    tables = PQexec(conn, TENANT_TABLES);
    if ((err = biq_store_result_err(conn, tables)) != BIQ_OK)
        goto out;
    for (int i = 0; i < PQntuples(tables) && err == BIQ_OK; i++)
        err = harden_table(conn, PQgetvalue(tables, i, 0), role, why, why_len);
    if (err == BIQ_OK)
        err = grant_views(conn, role, why, why_len);
    if (err == BIQ_OK)
        err = exec_simple(conn, "COMMIT", why, why_len);
out:
    if (err != BIQ_OK)
        PQclear(PQexec(conn, "ROLLBACK"));
    PQclear(tables);
    PQfreemem(role);
    return err;
}

static biq_err migrate_locked(PGconn *conn, const char *app_role, biq_log *log, char *why,
                              size_t why_len)
{
    biq_err err;
    if ((err = check_app_role(conn, app_role, why, why_len)) != BIQ_OK)
        return err;
    if ((err = exec_simple(conn, CREATE_LEDGER, why, why_len)) != BIQ_OK)
        return err;
    if ((err = check_ledger(conn, why, why_len)) != BIQ_OK)
        return err;
    for (unsigned i = 0; i < biq_migrations_count; i++) {
        if (is_applied(conn, biq_migrations[i].version))
            continue;
        if ((err = apply_one(conn, &biq_migrations[i], log, why, why_len)) != BIQ_OK)
            return err;
    }
    return harden(conn, app_role, why, why_len);
}

biq_err biq_migrate_run(const char *conninfo, const char *app_role, biq_log *log, char *why,
                        size_t why_len)
{
    biq_err err;
    char sql[80];
    why[0] = '\0';
    PGconn *conn = PQconnectdb(conninfo);
    if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
        snprintf(why, why_len, "cannot connect: %s",
                 conn != NULL ? PQerrorMessage(conn) : "out of memory");
        err = BIQ_ERR_DB;
        goto out;
    }
    PQclear(PQexec(conn, "SET client_min_messages = warning"));
    snprintf(sql, sizeof sql, "SELECT pg_advisory_lock(%lld)", BIQ_MIGRATE_LOCK_KEY);
    if ((err = exec_simple(conn, sql, why, why_len)) != BIQ_OK)
        goto out;
    err = migrate_locked(conn, app_role, log, why, why_len);
    snprintf(sql, sizeof sql, "SELECT pg_advisory_unlock(%lld)", BIQ_MIGRATE_LOCK_KEY);
    PQclear(PQexec(conn, sql));
out:
    PQfinish(conn);
    return err;
}

biq_err biq_migrate_applied(PGconn *conn, int *version)
{
    *version = 0;
    PGresult *res = PQexec(conn, "SELECT coalesce(max(version), 0) FROM schema_migrations");
    biq_err err = biq_store_result_err(conn, res);
    if (err == BIQ_OK && PQntuples(res) == 1)
        *version = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return err;
}
