/* test_migrate.c - `biq migrate` against a real PostgreSQL: applies,
 * records, is idempotent, refuses a database ahead of the code or a
 * changed migration, and refuses an application role that could bypass
 * row-level security. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "testsupport.h"

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
    suite_add_tcase(s, tc);
    return s;
}
