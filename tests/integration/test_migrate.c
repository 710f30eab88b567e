/* test_migrate.c - `biq migrate` against a real PostgreSQL: applies,
 * records, is idempotent, refuses a database ahead of the code or a
 * changed migration, refuses an application role that could bypass
 * row-level security or a view that would read past it, and carries the
 * data of a database migrated by an older binary across 0007 (the data
 * version counters become appended commits of the same versions). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "store/migrate.h"
#include "store/migrations_embedded.h"
#include "testsupport.h"

enum { DATA_COMMITS_VERSION = 7 };

static harness H;

static void setup(void)
{
    harness_init(&H, "biq_migrate");
}

static void teardown(void)
{
    harness_cleanup(&H);
}

static long long count(PGconn *c, const char *sql)
{
    PGresult *r = harness_sql(c, sql);
    long long n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return n;
}

START_TEST(applies_and_is_idempotent)
{
    char *out = NULL;
    ck_assert_int_eq(harness_migrate(&H, NULL, &out), 0);
    free(out);
    PGconn *c = harness_pg(&H, "biq_owner");
    long long applied = count(c, "SELECT count(*) FROM schema_migrations");
    ck_assert_int_ge(applied, 1);
    ck_assert_int_eq(count(c, "SELECT count(*) FROM information_schema.tables"
                              " WHERE table_schema = 'public' AND table_name IN ('tenants',"
                              " 'projects', 'statuses', 'issues', 'status_transitions',"
                              " 'sprints', 'issue_sprints', 'backfills')"),
                     8);
    ck_assert_int_eq(harness_migrate(&H, NULL, &out), 0);
    free(out);
    ck_assert_int_eq(count(c, "SELECT count(*) FROM schema_migrations"), applied);
    PQfinish(c);
}
END_TEST

START_TEST(refuses_database_ahead_of_code)
{
    char *out = NULL;
    ck_assert_int_eq(harness_migrate(&H, NULL, &out), 0);
    free(out);
    PGconn *c = harness_pg(&H, "biq_owner");
    PQclear(harness_sql(c, "INSERT INTO schema_migrations (version, name, checksum)"
                           " VALUES (9999, '9999_future', 'x')"));
    ck_assert_int_ne(harness_migrate(&H, NULL, &out), 0);
    ck_assert_ptr_nonnull(strstr(out, "ahead of the code"));
    free(out);
    PQfinish(c);
}
END_TEST

START_TEST(refuses_changed_migration)
{
    char *out = NULL;
    ck_assert_int_eq(harness_migrate(&H, NULL, &out), 0);
    free(out);
    PGconn *c = harness_pg(&H, "biq_owner");
    PQclear(harness_sql(c, "UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1"));
    ck_assert_int_ne(harness_migrate(&H, NULL, &out), 0);
    ck_assert_ptr_nonnull(strstr(out, "changed after it was applied"));
    free(out);
    PQfinish(c);
}
END_TEST

START_TEST(refuses_missing_or_powerful_app_role)
{
    char *out = NULL;
    const char *missing[] = {"BIQ_APP_ROLE=no_such_role", NULL};
    ck_assert_int_ne(harness_migrate(&H, missing, &out), 0);
    ck_assert_ptr_nonnull(strstr(out, "does not exist"));
    free(out);
    const char *superuser[] = {"BIQ_APP_ROLE=postgres", NULL};
    ck_assert_int_ne(harness_migrate(&H, superuser, &out), 0);
    ck_assert_ptr_nonnull(strstr(out, "superuser or has BYPASSRLS"));
    free(out);
    const char *bad_name[] = {"BIQ_APP_ROLE=x; DROP TABLE y", NULL};
    ck_assert_int_ne(harness_migrate(&H, bad_name, &out), 0);
    ck_assert_ptr_nonnull(strstr(out, "BIQ_APP_ROLE"));
    free(out);
}
END_TEST

START_TEST(missing_url_is_a_clear_error)
{
    char *out = NULL;
    const char *empty[] = {"BIQ_MIGRATE_DATABASE_URL=", NULL};
    ck_assert_int_ne(harness_migrate(&H, empty, &out), 0);
    ck_assert_ptr_nonnull(strstr(out, "BIQ_MIGRATE_DATABASE_URL: required"));
    free(out);
}
END_TEST

START_TEST(concurrent_runs_serialise)
{
    /* Two migrate processes at once: the advisory lock makes one wait, and
     * both succeed with one ledger row per migration. */
    pid_t a = fork();
    if (a == 0)
        _exit(harness_migrate(&H, NULL, NULL));
    int own = harness_migrate(&H, NULL, NULL);
    int status = 0;
    waitpid(a, &status, 0);
    ck_assert_int_eq(own, 0);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    PGconn *c = harness_pg(&H, "biq_owner");
    ck_assert_int_eq(count(c, "SELECT count(*) FROM schema_migrations"),
                     count(c, "SELECT count(DISTINCT version) FROM schema_migrations"));
    PQfinish(c);
}
END_TEST

START_TEST(refuses_a_view_that_bypasses_rls)
{
    char *out = NULL;
    ck_assert_int_eq(harness_migrate(&H, NULL, &out), 0);
    free(out);
    PGconn *c = harness_pg(&H, "biq_owner");
    PQclear(harness_sql(c, "CREATE VIEW leak AS SELECT tenant_id, project_key FROM data_commits"));
    ck_assert_int_ne(harness_migrate(&H, NULL, &out), 0);
    ck_assert_ptr_nonnull(strstr(out, "view leak"));
    ck_assert_ptr_nonnull(strstr(out, "security_invoker"));
    free(out);
    PGconn *app = harness_pg(&H, "biq_app");
    PGresult *r = PQexec(app, "SELECT count(*) FROM leak");
    ck_assert_int_eq(PQresultStatus(r), PGRES_FATAL_ERROR); /* never granted */
    PQclear(r);
    PQclear(harness_sql(c, "ALTER VIEW leak SET (security_invoker = true)"));
    ck_assert_int_eq(harness_migrate(&H, NULL, &out), 0);
    free(out);
    PQclear(harness_sql(app, "SELECT count(*) FROM leak"));
    PQfinish(app);
    PQfinish(c);
}
END_TEST

/* Applies and records the embedded migrations before `version` as biq
 * migrate does, then forces RLS on data_versions as the hardening of the
 * binaries of that time did: a database left by an older release. */
static void migrate_before(PGconn *owner, int version)
{
    PQclear(harness_sql(owner, "CREATE TABLE schema_migrations (version integer PRIMARY KEY,"
                               " name text NOT NULL, checksum text NOT NULL,"
                               " applied_at timestamptz NOT NULL DEFAULT now())"));
    for (unsigned i = 0; i < biq_migrations_count && biq_migrations[i].version < version; i++) {
        char v[16];
        snprintf(v, sizeof v, "%d", biq_migrations[i].version);
        PQclear(harness_sql(owner, biq_migrations[i].sql));
        const char *params[] = {v, biq_migrations[i].name, biq_migrations[i].sql};
        PGresult *r = PQexecParams(owner,
                                   "INSERT INTO schema_migrations (version, name, checksum) VALUES"
                                   " ($1::int, $2, encode(sha256(convert_to($3, 'UTF8')), 'hex'))",
                                   3, NULL, params, NULL, NULL, 0);
        ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s", PQerrorMessage(owner));
        PQclear(r);
    }
    PQclear(harness_sql(owner, "ALTER TABLE data_versions ENABLE ROW LEVEL SECURITY;"
                               " ALTER TABLE data_versions FORCE ROW LEVEL SECURITY;"
                               " CREATE POLICY tenant_isolation ON data_versions USING (tenant_id ="
                               " (SELECT nullif(current_setting('app.current_tenant', true), '')))"));
}

START_TEST(data_versions_survive_0007)
{
    PGconn *owner = harness_pg(&H, "biq_owner");
    migrate_before(owner, DATA_COMMITS_VERSION);
    PGconn *super = harness_pg(&H, "postgres");
    PQclear(harness_sql(super,
                        "INSERT INTO tenants (tenant_id) VALUES ('t-a'), ('t-b');"
                        "INSERT INTO data_versions VALUES ('t-a', 'EE', 41, '2024-03-01 10:00:00.123456+00'),"
                        " ('t-a', 'FLOW', 1, '2024-03-02 00:00:00+00'),"
                        " ('t-b', 'EE', 7, '2024-03-03 00:00:00+00')"));
    /* The migrating owner itself sees nothing of it without a tenant. */
    ck_assert_int_eq(count(owner, "SELECT count(*) FROM data_versions"), 0);
    char *out = NULL;
    ck_assert_msg(harness_migrate(&H, NULL, &out) == 0, "%s", out);
    free(out);
    ck_assert_int_eq(count(super, "SELECT max(version) FROM schema_migrations"),
                     biq_migrate_latest());
    /* Same versions and stamps, now as one commit each. */
    PGresult *r = harness_sql(super, "SELECT string_agg(concat_ws(' ', tenant_id, project_key,"
                                     " version, to_char(last_sync_at AT TIME ZONE 'UTC',"
                                     " 'YYYY-MM-DD HH24:MI:SS.US')), ', '"
                                     " ORDER BY tenant_id, project_key)"
                                     " FROM data_versions");
    ck_assert_str_eq(PQgetvalue(r, 0, 0), "t-a EE 41 2024-03-01 10:00:00.123456, "
                                          "t-a FLOW 1 2024-03-02 00:00:00.000000, "
                                          "t-b EE 7 2024-03-03 00:00:00.000000");
    PQclear(r);
    ck_assert_int_eq(count(super, "SELECT count(*) FROM data_commits"), 3);
    /* The app role reads its own tenant's version through the view. */
    PGconn *app = harness_pg(&H, "biq_app");
    PQclear(harness_sql(app, "BEGIN; SELECT set_config('app.current_tenant', 't-b', true)"));
    ck_assert_int_eq(count(app, "SELECT coalesce(sum(version), 0) FROM data_versions"), 7);
    PQclear(harness_sql(app, "COMMIT"));
    ck_assert_int_eq(count(app, "SELECT count(*) FROM data_versions"), 0);
    PQfinish(app);
    PQfinish(super);
    PQfinish(owner);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("migrate");
    TCase *tc = tcase_create("migrate");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, applies_and_is_idempotent);
    tcase_add_test(tc, refuses_database_ahead_of_code);
    tcase_add_test(tc, refuses_changed_migration);
    tcase_add_test(tc, refuses_missing_or_powerful_app_role);
    tcase_add_test(tc, missing_url_is_a_clear_error);
    tcase_add_test(tc, concurrent_runs_serialise);
    tcase_add_test(tc, refuses_a_view_that_bypasses_rls);
    tcase_add_test(tc, data_versions_survive_0007);
    suite_add_tcase(s, tc);
    return s;
}
