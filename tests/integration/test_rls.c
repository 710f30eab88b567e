/* test_rls.c - tenant isolation in the database, each layer on its own:
 * the catalog (RLS enabled and forced everywhere, grants exact), raw SQL
 * as the application role (fail-closed with no tenant set, also on a
 * connection that served a tenant before), cross-tenant reads, writes and
 * references refused, the pool never carrying a tenant from one
 * transaction to the next, and uninstall cascading to zero rows. Views
 * over tenant data (data_versions) read with the reader's rights, so the
 * same holds through them. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "store/pool.h"
#include "store/tenants.h"
#include "store/tx.h"
#include "testsupport.h"

static harness H;

static const char TENANT_A[] = "ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-000000000001";
static const char TENANT_B[] = "ari:cloud:ecosystem::installation/bbbbbbbb-0000-4000-8000-000000000002";

/* Every table with a tenant_id column, as the catalog lists them. */
static const char TENANT_TABLES[] =
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'"
    " WHERE n.nspname = 'public' AND c.relkind IN ('r','p') ORDER BY 1";

/* The same, with the views over tenant data: what the app role can read. */
static const char TENANT_RELATIONS[] =
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'"
    " WHERE n.nspname = 'public' AND c.relkind IN ('r','p','v') ORDER BY 1";

static long long scalar(PGconn *c, const char *sql)
{
    PGresult *r = harness_sql(c, sql);
    long long n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return n;
}

/* Inserts rows for tenant into every table, with ids offset by base so the
 * two tenants also share no Jira id (and a second pass shares them all). */
__attribute__((format(printf, 2, 3))) static void seed_one(PGconn *super, const char *fmt, ...)
{
    char sql[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    PQclear(harness_sql(super, sql));
}

static void seed(PGconn *super, const char *tenant, int base)
{
    seed_one(super, "INSERT INTO tenants (tenant_id, site_url) VALUES ('%s', 'https://x.test/%d%d')",
             tenant, base, base);
    seed_one(super, "INSERT INTO projects VALUES ('%s', %d, 'P%d', 'Project')", tenant, base, base);
    seed_one(super, "INSERT INTO statuses VALUES ('%s', %d, 'S%d', 'indeterminate')", tenant, base,
             base);
    seed_one(super,
             "INSERT INTO issues (tenant_id, issue_id, key, project_key, status_id, created_at,"
             " updated_at) VALUES ('%s', %d, 'P-%d', 'P', 1, now(), now())",
             tenant, base, base);
    seed_one(super,
             "INSERT INTO issues (tenant_id, issue_id, key, project_key, status_id, created_at,"
             " updated_at) VALUES ('%s', %d + 1, 'P-2-%d', 'P', 1, now(), now())",
             tenant, base, base);
    seed_one(super, "INSERT INTO status_transitions VALUES ('%s', %d, %d, 0, now(), NULL, 1)",
             tenant, base, base);
    seed_one(super, "INSERT INTO sprints (tenant_id, sprint_id, name) VALUES ('%s', %d, 'S%d')",
             tenant, base, base);
    seed_one(super, "INSERT INTO issue_sprints VALUES ('%s', %d, %d)", tenant, base, base);
    seed_one(super, "INSERT INTO backfills (tenant_id, project_key) VALUES ('%s', 'P%d%d')",
             tenant, base, base);
    seed_one(super, "INSERT INTO backfill_pages VALUES ('%s', 'P%d%d', repeat('a', 64))", tenant,
             base, base);
    seed_one(super, "INSERT INTO issue_tombstones (tenant_id, issue_id) VALUES ('%s', %d + %d)",
             tenant, base, base);
    seed_one(super, "INSERT INTO changelog_pages VALUES ('%s', %d, 0, %d)", tenant, base, base);
    /* Two commits of P<base>: the version is their sum. */
    seed_one(super, "INSERT INTO data_commits (tenant_id, project_key, weight) VALUES"
                    " ('%s', 'P%d', %d), ('%s', 'P%d', 1)", tenant, base, base, tenant, base);
    seed_one(super, "INSERT INTO tenant_settings (tenant_id) VALUES ('%s')", tenant);
    seed_one(super, "INSERT INTO project_settings (tenant_id, project_key) VALUES ('%s', 'P%d')",
             tenant, base);
    seed_one(super, "INSERT INTO settings_history (tenant_id, scope, changes) VALUES"
                    " ('%s', 'tenant', '{}')", tenant);
    seed_one(super, "INSERT INTO alert_rules (tenant_id, kind, name) VALUES ('%s', 'no_activity',"
                    " 'R%d')", tenant, base);
    seed_one(super, "INSERT INTO alert_destinations (tenant_id, kind, name, target) VALUES"
                    " ('%s', 'email', 'D%d', 'a@b.test')", tenant, base);
    seed_one(super, "INSERT INTO alert_rule_destinations SELECT tenant_id, rule_id, destination_id"
                    " FROM alert_rules JOIN alert_destinations USING (tenant_id)"
                    " WHERE tenant_id = '%s'", tenant);
    seed_one(super, "INSERT INTO alert_cooldowns SELECT tenant_id, rule_id, destination_id, now()"
                    " FROM alert_rule_destinations WHERE tenant_id = '%s'", tenant);
    seed_one(super, "INSERT INTO alert_events (tenant_id, rule_id, issue_id, utc_day, project_key)"
                    " SELECT tenant_id, rule_id, %d, 1, 'P' FROM alert_rules WHERE tenant_id = '%s'",
             base, tenant);
    seed_one(super, "INSERT INTO backfill_requests (tenant_id, project_key) VALUES ('%s', 'P%d')",
             tenant, base);
    seed_one(super, "INSERT INTO reconciles (tenant_id, last_success_at, finished_at)"
                    " VALUES ('%s', now(), now())", tenant);
    seed_one(super, "INSERT INTO alert_sweeps (tenant_id) VALUES ('%s')", tenant);
    /* Issue #15's tables (0009_flow_data). */
    seed_one(super, "INSERT INTO flag_changes VALUES ('%s', %d, %d, 0, now(), true)", tenant, base,
             base);
    seed_one(super, "INSERT INTO block_links VALUES ('%s', %d, %d + 1, now())", tenant, base, base);
    seed_one(super, "INSERT INTO sprint_changes VALUES ('%s', %d, %d, 0, now(), '{}', '{%d}')",
             tenant, base, base, base);
    seed_one(super, "INSERT INTO project_boards (tenant_id, project_key, board_id, columns)"
                    " VALUES ('%s', 'P%d', %d, '[]')",
             tenant, base, base);
}

static void setup(void)
{
    harness_init(&H, "biq_rls");
    ck_assert_int_eq(harness_migrate(&H, NULL, NULL), 0);
    PGconn *super = harness_pg(&H, "postgres");
    seed(super, TENANT_A, 100);
    seed(super, TENANT_B, 200);
    PQfinish(super);
}

static void teardown(void)
{
    harness_cleanup(&H);
}

START_TEST(catalog_is_locked_down)
{
    PGconn *c = harness_pg(&H, "postgres");
    PGresult *tables = harness_sql(c, TENANT_TABLES);
    ck_assert_int_ge(PQntuples(tables), 8);
    for (int i = 0; i < PQntuples(tables); i++) {
        char sql[1024];
        const char *t = PQgetvalue(tables, i, 0);
        snprintf(sql, sizeof sql,
                 "SELECT (c.relrowsecurity AND c.relforcerowsecurity)::int"
                 " + (pg_get_userbyid(c.relowner) = 'biq_owner')::int"
                 " + (EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid))::int"
                 " + (NOT has_table_privilege('biq_app', c.oid, 'TRUNCATE'))::int"
                 " + (NOT has_table_privilege('biq_app', c.oid, 'REFERENCES'))::int"
                 " + (NOT has_table_privilege('biq_app', c.oid, 'TRIGGER'))::int"
                 " + has_table_privilege('biq_app', c.oid, 'SELECT,INSERT,UPDATE,DELETE')::int"
                 " FROM pg_class c WHERE c.relname = '%s' AND c.relnamespace = 'public'::regnamespace",
                 t);
        ck_assert_msg(scalar(c, sql) == 7, "table %s is not locked down", t);
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public'"
                 " AND table_name = '%s' AND column_name = 'tenant_id' AND is_nullable = 'NO'", t);
        ck_assert_msg(scalar(c, sql) == 1, "%s.tenant_id is nullable", t);
    }
    PQclear(tables);
    ck_assert_int_eq(scalar(c, "SELECT count(*) FROM pg_roles WHERE rolname = 'biq_app'"
                               " AND (rolsuper OR rolbypassrls)"), 0);
    ck_assert_int_eq(scalar(c, "SELECT count(*) FROM pg_class c WHERE c.relkind = 'v'"
                               " AND c.relnamespace = 'public'::regnamespace AND NOT"
                               " coalesce('security_invoker=true' = ANY(c.reloptions), false)"), 0);
    /* Tenant views: readable by the app role and nothing more. */
    ck_assert_int_eq(scalar(c, "SELECT count(*) FROM pg_class c WHERE c.relkind = 'v'"
                               " AND c.relname = 'data_versions'"
                               " AND c.relnamespace = 'public'::regnamespace"), 1);
    ck_assert_int_eq(scalar(c, "SELECT count(*) FROM pg_class c JOIN pg_attribute a"
                               " ON a.attrelid = c.oid AND a.attname = 'tenant_id'"
                               " WHERE c.relkind = 'v' AND c.relnamespace = 'public'::regnamespace"
                               " AND NOT (has_table_privilege('biq_app', c.oid, 'SELECT')"
                               "  AND NOT has_table_privilege('biq_app', c.oid,"
                               "   'INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER'))"), 0);
    ck_assert_int_eq(scalar(c, "SELECT count(*) FROM pg_proc WHERE pronamespace ="
                               " 'public'::regnamespace AND (prosecdef OR proleakproof)"), 0);
    /* Every primary key and unique constraint on tenant data leads with tenant_id. */
    ck_assert_int_eq(scalar(c, "SELECT count(*) FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
                               " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.conkey[1]"
                               " WHERE k.contype IN ('p','u','f') AND c.relnamespace = 'public'::regnamespace"
                               " AND EXISTS (SELECT 1 FROM pg_attribute t WHERE t.attrelid = c.oid"
                               "             AND t.attname = 'tenant_id')"
                               " AND a.attname <> 'tenant_id'"), 0);
    PQfinish(c);
}
END_TEST

/* Citus-ready keys (issue 16; tests/ops/sql_tenant_lint.py checks the same
 * from the migration text): in the migrated catalog every primary key,
 * unique constraint and foreign key of a tenant table has tenant_id as its
 * first column, every foreign key references a tenant_id first, and the
 * only sequences of tenant tables are the identity columns whose values
 * never leave the server (docs/scaling.md, "Ids"). */
START_TEST(keys_lead_with_tenant_id)
{
    PGconn *c = harness_pg(&H, "postgres");
    PGresult *r = harness_sql(
        c, "SELECT k.conrelid::regclass::text || ' ' || k.conname FROM pg_constraint k"
           " JOIN pg_class t ON t.oid = k.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace"
           " WHERE n.nspname = 'public' AND k.contype IN ('p', 'u', 'f')"
           " AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = t.oid"
           "             AND a.attname = 'tenant_id' AND NOT a.attisdropped)"
           " AND ((SELECT attname FROM pg_attribute WHERE attrelid = k.conrelid"
           "       AND attnum = k.conkey[1]) <> 'tenant_id'"
           "   OR (k.contype = 'f' AND (SELECT attname FROM pg_attribute"
           "       WHERE attrelid = k.confrelid AND attnum = k.confkey[1]) <> 'tenant_id'))"
           " ORDER BY 1");
    for (int i = 0; i < PQntuples(r); i++)
        fprintf(stderr, "key not led by tenant_id: %s\n", PQgetvalue(r, i, 0));
    ck_assert_int_eq(PQntuples(r), 0);
    PQclear(r);
    ck_assert_int_gt(scalar(c, "SELECT count(*) FROM pg_constraint k JOIN pg_class t"
                               " ON t.oid = k.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace"
                               " WHERE n.nspname = 'public' AND k.contype = 'f'"),
                     20);
    /* Sequences owned by columns of tenant tables (identity or serial). */
    r = harness_sql(c, "SELECT d.refobjid::regclass::text || '.' || a.attname"
                       " FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'"
                       " JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
                       " WHERE d.refclassid = 'pg_class'::regclass AND EXISTS (SELECT 1"
                       "   FROM pg_attribute x WHERE x.attrelid = d.refobjid"
                       "   AND x.attname = 'tenant_id' AND NOT x.attisdropped)"
                       " ORDER BY 1");
    ck_assert_int_eq(PQntuples(r), 3);
    ck_assert_str_eq(PQgetvalue(r, 0, 0), "alert_events.event_id");
    ck_assert_str_eq(PQgetvalue(r, 1, 0), "data_commits.id");
    ck_assert_str_eq(PQgetvalue(r, 2, 0), "settings_history.change_id");
    PQclear(r);
    PQfinish(c);
}
END_TEST

START_TEST(app_role_without_tenant_sees_nothing)
{
    PGconn *app = harness_pg(&H, "biq_app");
    PGconn *super = harness_pg(&H, "postgres");
    PGresult *tables = harness_sql(super, TENANT_RELATIONS);
    /* Once fresh, once after the connection served tenant A: the setting
     * then reads back as '' rather than NULL and must still match nothing. */
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < PQntuples(tables); i++) {
            char sql[256];
            snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", PQgetvalue(tables, i, 0));
            ck_assert_msg(scalar(super, sql) > 0, "%s: nothing seeded", PQgetvalue(tables, i, 0));
            ck_assert_msg(scalar(app, sql) == 0, "%s visible without a tenant (pass %d)",
                          PQgetvalue(tables, i, 0), pass);
        }
        PQclear(harness_sql(app, "BEGIN"));
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT set_config('app.current_tenant', '%s', true)", TENANT_A);
        PQclear(harness_sql(app, sql));
        ck_assert_int_eq(scalar(app, "SELECT count(*) FROM issues"), 2);
        PQclear(harness_sql(app, "COMMIT"));
    }
    /* Nor can it insert anything with no tenant set. */
    PGresult *r = PQexec(app, "INSERT INTO sprints (tenant_id, sprint_id, name)"
                              " VALUES ('ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-000000000001', 999, 'x')");
    ck_assert_int_eq(PQresultStatus(r), PGRES_FATAL_ERROR);
    ck_assert_str_eq(PQresultErrorField(r, PG_DIAG_SQLSTATE), "42501");
    PQclear(r);
    PQclear(tables);
    PQfinish(super);
    PQfinish(app);
}
END_TEST

static void begin_as(PGconn *c, const char *tenant)
{
    char sql[256];
    PQclear(harness_sql(c, "BEGIN"));
    snprintf(sql, sizeof sql, "SELECT set_config('app.current_tenant', '%s', true)", tenant);
    PQclear(harness_sql(c, sql));
}

static ExecStatusType try_sql(PGconn *c, const char *sql, char *state, size_t len)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    const char *s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    snprintf(state, len, "%s", s != NULL ? s : "");
    PQclear(r);
    return st;
}

START_TEST(tenant_cannot_touch_another)
{
    PGconn *app = harness_pg(&H, "biq_app");
    char state[8];
    begin_as(app, TENANT_A);
    /* Reads: a forgotten WHERE and an explicit one both see only A. */
    ck_assert_int_eq(scalar(app, "SELECT count(*) FROM issues"), 2);
    ck_assert_int_eq(scalar(app, "SELECT count(*) FROM issues WHERE issue_id >= 200"), 0);
    ck_assert_int_eq(scalar(app, "SELECT count(*) FROM tenants"), 1);
    /* Through the view too: only A's project, A's version. */
    ck_assert_int_eq(scalar(app, "SELECT count(*) FROM data_versions"), 1);
    ck_assert_int_eq(scalar(app, "SELECT version FROM data_versions WHERE project_key = 'P100'"), 101);
    ck_assert_int_eq(scalar(app, "SELECT count(*) FROM data_versions WHERE project_key = 'P200'"), 0);
    /* The view is read-only for the app, and B's commits cannot be added. */
    ck_assert_int_eq(try_sql(app, "INSERT INTO data_versions (tenant_id, project_key) VALUES"
                                  " ('ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-000000000001', 'P100')",
                             state, sizeof state), PGRES_FATAL_ERROR);
    ck_assert_str_eq(state, "42501");
    PQclear(harness_sql(app, "ROLLBACK"));
    begin_as(app, TENANT_A);
    ck_assert_int_eq(try_sql(app, "INSERT INTO data_commits (tenant_id, project_key) VALUES"
                                  " ('ari:cloud:ecosystem::installation/bbbbbbbb-0000-4000-8000-000000000002', 'P200')",
                             state, sizeof state), PGRES_FATAL_ERROR);
    ck_assert_str_eq(state, "42501");
    PQclear(harness_sql(app, "ROLLBACK"));
    begin_as(app, TENANT_A);
    /* Writes to B's rows touch nothing. */
    PGresult *r = harness_sql(app, "UPDATE issues SET summary = 'x' WHERE issue_id = 200");
    ck_assert_str_eq(PQcmdTuples(r), "0");
    PQclear(r);
    r = harness_sql(app, "DELETE FROM status_transitions WHERE issue_id = 200");
    ck_assert_str_eq(PQcmdTuples(r), "0");
    PQclear(r);
    /* Moving a row into B is refused by WITH CHECK. */
    ck_assert_int_eq(try_sql(app, "UPDATE sprints SET tenant_id = 'ari:cloud:ecosystem::installation/bbbbbbbb-0000-4000-8000-000000000002'",
                             state, sizeof state), PGRES_FATAL_ERROR);
    ck_assert_str_eq(state, "42501");
    PQclear(harness_sql(app, "ROLLBACK"));
    /* Inserting as B while being A is refused. */
    begin_as(app, TENANT_A);
    ck_assert_int_eq(try_sql(app, "INSERT INTO sprints (tenant_id, sprint_id, name) VALUES"
                                  " ('ari:cloud:ecosystem::installation/bbbbbbbb-0000-4000-8000-000000000002', 5, 'x')",
                             state, sizeof state), PGRES_FATAL_ERROR);
    ck_assert_str_eq(state, "42501");
    PQclear(harness_sql(app, "ROLLBACK"));
    /* Referencing B's issue from A: the composite key makes it A's own
     * row for an issue A does not have, never a link into B. Since
     * 0012_ingest_speed no foreign key refuses it at the SQL level (the
     * store only inserts histories joined to the live issue:
     * test_store_ingest rows_need_a_live_issue); B still sees nothing. */
    begin_as(app, TENANT_A);
    ck_assert_int_eq(try_sql(app, "INSERT INTO status_transitions VALUES"
                                  " ('ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-000000000001', 200, 1, 0, now(), NULL, 1)",
                             state, sizeof state), PGRES_COMMAND_OK);
    PQclear(harness_sql(app, "COMMIT"));
    begin_as(app, TENANT_B);
    r = harness_sql(app, "SELECT count(*) FROM status_transitions WHERE issue_id = 200"
                         " AND history_id = 1");
    ck_assert_str_eq(PQgetvalue(r, 0, 0), "0");
    PQclear(r);
    PQclear(harness_sql(app, "ROLLBACK"));
    PQfinish(app);
}
END_TEST

static long long count_in_tx(biq_pool *pool, const char *tenant, bool fail_midway)
{
    biq_tx *tx = NULL;
    PGresult *res = NULL;
    ck_assert_int_eq(biq_tx_begin(pool, tenant, &tx), BIQ_OK);
    /* No WHERE on purpose: only RLS keeps the other tenant out. */
    ck_assert_int_eq(biq_tx_exec(tx, "SELECT count(*) FROM issues", 0, NULL, &res), BIQ_OK);
    long long n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    if (fail_midway) {
        ck_assert_int_ne(biq_tx_exec(tx, "SELECT 1/0", 0, NULL, NULL), BIQ_OK);
        biq_tx_rollback(tx);
    } else {
        ck_assert_int_eq(biq_tx_commit(tx), BIQ_OK);
    }
    return n;
}

START_TEST(one_connection_pool_never_mixes_tenants)
{
    biq_pool *pool = NULL;
    ck_assert_int_eq(biq_pool_new(H.app_url, 1, NULL, &pool), BIQ_OK);
    PGconn *super = harness_pg(&H, "postgres");
    PQclear(harness_sql(super, "INSERT INTO issues (tenant_id, issue_id, key, project_key, status_id,"
                               " created_at, updated_at) VALUES"
                               " ('ari:cloud:ecosystem::installation/bbbbbbbb-0000-4000-8000-000000000002',"
                               " 299, 'P-299', 'P200', 200, now(), now())"));
    PQfinish(super);
    for (int round = 0; round < 5; round++) {
        ck_assert_int_eq(count_in_tx(pool, TENANT_A, round % 2 == 1), 2);
        ck_assert_int_eq(count_in_tx(pool, TENANT_B, round % 2 == 0), 3);
    }
    /* And with no transaction at all, the pooled connection sees nothing. */
    PGconn *conn = NULL;
    ck_assert_int_eq(biq_pool_acquire(pool, 1000, &conn), BIQ_OK);
    ck_assert_int_eq(scalar(conn, "SELECT count(*) FROM issues"), 0);
    biq_pool_release(pool, conn);
    biq_pool_stats st;
    biq_pool_stats_get(pool, &st);
    ck_assert_uint_eq(st.connects, 1);
    biq_pool_free(pool);
}
END_TEST

START_TEST(pool_discards_a_connection_left_mid_transaction)
{
    biq_pool *pool = NULL;
    PGconn *conn = NULL;
    ck_assert_int_eq(biq_pool_new(H.app_url, 1, NULL, &pool), BIQ_OK);
    ck_assert_int_eq(biq_pool_acquire(pool, 1000, &conn), BIQ_OK);
    begin_as(conn, TENANT_A);
    biq_pool_release(pool, conn); /* a handler that forgot to end its transaction */
    ck_assert_int_eq(biq_pool_acquire(pool, 1000, &conn), BIQ_OK);
    ck_assert_int_eq(PQtransactionStatus(conn), PQTRANS_IDLE);
    ck_assert_int_eq(scalar(conn, "SELECT count(*) FROM issues"), 0);
    /* The pool is full now: a second acquire times out with "unavailable". */
    PGconn *other = NULL;
    ck_assert_int_eq(biq_pool_acquire(pool, 50, &other), BIQ_ERR_UNAVAILABLE);
    biq_pool_release(pool, conn);
    biq_pool_free(pool);
}
END_TEST

START_TEST(uninstall_cascades_to_zero_rows)
{
    biq_pool *pool = NULL;
    biq_tx *tx = NULL;
    ck_assert_int_eq(biq_pool_new(H.app_url, 1, NULL, &pool), BIQ_OK);
    ck_assert_int_eq(biq_tx_begin(pool, TENANT_A, &tx), BIQ_OK);
    /* The uninstall's own delete: ON DELETE CASCADE, and by hand for the
     * tables without a foreign key (0012_ingest_speed). */
    bool existed = false;
    ck_assert_int_eq(biq_store_tenant_delete(tx, &existed), BIQ_OK);
    ck_assert(existed);
    ck_assert_int_eq(biq_tx_commit(tx), BIQ_OK);
    biq_pool_free(pool);

    PGconn *super = harness_pg(&H, "postgres");
    PGresult *tables = harness_sql(super, TENANT_RELATIONS);
    for (int i = 0; i < PQntuples(tables); i++) {
        char sql[512];
        const char *t = PQgetvalue(tables, i, 0);
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE tenant_id = '%s'", t, TENANT_A);
        ck_assert_msg(scalar(super, sql) == 0, "%s still holds rows of the uninstalled tenant", t);
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE tenant_id = '%s'", t, TENANT_B);
        ck_assert_msg(scalar(super, sql) >= 1, "%s lost rows of the other tenant", t);
    }
    PQclear(tables);
    PQfinish(super);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("rls");
    TCase *tc = tcase_create("rls");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, catalog_is_locked_down);
    tcase_add_test(tc, keys_lead_with_tenant_id);
    tcase_add_test(tc, app_role_without_tenant_sees_nothing);
    tcase_add_test(tc, tenant_cannot_touch_another);
    tcase_add_test(tc, one_connection_pool_never_mixes_tenants);
    tcase_add_test(tc, pool_discards_a_connection_left_mid_transaction);
    tcase_add_test(tc, uninstall_cascades_to_zero_rows);
    suite_add_tcase(s, tc);
    return s;
}
