/* test_config.c - configuration from an injected environment: defaults,
 * validation with messages naming the variable, secrets from files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/config.h"
#include "testsupport.h"

/* A tiny environment: NULL-terminated NAME=VALUE list. */
static const char *lookup(const char *name, void *ctx)
{
    size_t n = strlen(name);
    for (const char *const *e = ctx; *e != NULL; e++) {
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    }
    return NULL;
}

static biq_err load(const char *const *env, biq_config_need need, biq_config *cfg, char *why)
{
    return biq_config_load(cfg, need, lookup, (void *)env, why, 256);
}

#define SERVE_BASE "BIQ_DATABASE_URL=postgresql:///biq", \
    "BIQ_APP_ID=ari:cloud:ecosystem::app/1234", "BIQ_JWKS_FILE=/etc/jwks.json"

START_TEST(defaults)
{
    biq_config cfg;
    char why[256];
    const char *env[] = {SERVE_BASE, NULL};
    ck_assert_int_eq(load(env, BIQ_CONFIG_FOR_SERVE, &cfg, why), BIQ_OK);
    ck_assert_str_eq(cfg.listen_host, "127.0.0.1");
    ck_assert_uint_eq(cfg.listen_port, 8080);
    ck_assert_uint_eq(cfg.workers, BIQ_CONFIG_WORKERS_DEFAULT);
    ck_assert_uint_eq(cfg.db_pool_size, cfg.workers);
    ck_assert_str_eq(cfg.app_role, "biq_app");
    ck_assert_int_eq(cfg.log_level, BIQ_LOG_INFO);
}
END_TEST

START_TEST(listen_forms)
{
    biq_config cfg;
    char why[256];
    const char *v6[] = {SERVE_BASE, "BIQ_LISTEN=[::1]:0", NULL};
    ck_assert_int_eq(load(v6, BIQ_CONFIG_FOR_SERVE, &cfg, why), BIQ_OK);
    ck_assert_str_eq(cfg.listen_host, "::1");
    ck_assert_uint_eq(cfg.listen_port, 0);
    const char *any[] = {SERVE_BASE, "BIQ_LISTEN=:9000", NULL};
    ck_assert_int_eq(load(any, BIQ_CONFIG_FOR_SERVE, &cfg, why), BIQ_OK);
    ck_assert_str_eq(cfg.listen_host, "0.0.0.0");
    ck_assert_uint_eq(cfg.listen_port, 9000);
}
END_TEST

static void expect_error(const char *const *env, biq_config_need need, const char *message)
{
    biq_config cfg;
    char why[256];
    ck_assert_int_eq(load(env, need, &cfg, why), BIQ_ERR_CONFIG);
    ck_assert_msg(strstr(why, message) != NULL, "'%s' lacks '%s'", why, message);
}

START_TEST(errors_name_the_variable)
{
    const char *no_db[] = {"BIQ_APP_ID=ari:cloud:ecosystem::app/1", "BIQ_JWKS_FILE=x", NULL};
    expect_error(no_db, BIQ_CONFIG_FOR_SERVE, "BIQ_DATABASE_URL: required but not set");
    const char *bad_app[] = {"BIQ_DATABASE_URL=x", "BIQ_APP_ID=myapp", "BIQ_JWKS_FILE=x", NULL};
    expect_error(bad_app, BIQ_CONFIG_FOR_SERVE, "BIQ_APP_ID: expected ari:cloud:ecosystem::app/");
    const char *bad_port[] = {SERVE_BASE, "BIQ_LISTEN=127.0.0.1:70000", NULL};
    expect_error(bad_port, BIQ_CONFIG_FOR_SERVE, "BIQ_LISTEN: port must be");
    const char *no_port[] = {SERVE_BASE, "BIQ_LISTEN=localhost", NULL};
    expect_error(no_port, BIQ_CONFIG_FOR_SERVE, "BIQ_LISTEN: expected HOST:PORT");
    const char *workers[] = {SERVE_BASE, "BIQ_WORKERS=8x", NULL};
    expect_error(workers, BIQ_CONFIG_FOR_SERVE, "BIQ_WORKERS: expected an integer from 1 to 64");
    const char *pool[] = {SERVE_BASE, "BIQ_DB_POOL_SIZE=-1", NULL};
    expect_error(pool, BIQ_CONFIG_FOR_SERVE, "BIQ_DB_POOL_SIZE");
    const char *level[] = {SERVE_BASE, "BIQ_LOG_LEVEL=verbose", NULL};
    expect_error(level, BIQ_CONFIG_FOR_SERVE, "BIQ_LOG_LEVEL");
    const char *role[] = {"BIQ_MIGRATE_DATABASE_URL=x", "BIQ_APP_ROLE=Biq\"App", NULL};
    expect_error(role, BIQ_CONFIG_FOR_MIGRATE, "BIQ_APP_ROLE");
    const char *no_owner[] = {NULL};
    expect_error(no_owner, BIQ_CONFIG_FOR_MIGRATE, "BIQ_MIGRATE_DATABASE_URL: required");
}
END_TEST

START_TEST(secrets_from_files)
{
    biq_config cfg;
    char why[256], path[] = "/tmp/biq-secret-XXXXXX", setting[128];
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "postgresql:///secret\n", 21), 21);
    close(fd);
    snprintf(setting, sizeof setting, "BIQ_DATABASE_URL_FILE=%s", path);
    const char *env[] = {setting, "BIQ_APP_ID=ari:cloud:ecosystem::app/1", "BIQ_JWKS_FILE=x", NULL};
    ck_assert_int_eq(load(env, BIQ_CONFIG_FOR_SERVE, &cfg, why), BIQ_OK);
    ck_assert_str_eq(cfg.database_url, "postgresql:///secret");
    const char *both[] = {setting, "BIQ_DATABASE_URL=x", "BIQ_APP_ID=ari:cloud:ecosystem::app/1",
                          "BIQ_JWKS_FILE=x", NULL};
    expect_error(both, BIQ_CONFIG_FOR_SERVE, "not both");
    unlink(path);
    expect_error(env, BIQ_CONFIG_FOR_SERVE, "BIQ_DATABASE_URL_FILE: cannot open");
}
END_TEST

/* A secret file others may read or write is refused at start, naming the
 * variable and the mode; owner and group access is fine. */
START_TEST(secret_file_permissions)
{
    biq_config cfg;
    char why[256], path[] = "/tmp/biq-secret-XXXXXX", setting[128];
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "postgresql:///secret\n", 21), 21);
    close(fd);
    snprintf(setting, sizeof setting, "BIQ_DATABASE_URL_FILE=%s", path);
    const char *env[] = {setting, "BIQ_APP_ID=ari:cloud:ecosystem::app/1", "BIQ_JWKS_FILE=x", NULL};
    ck_assert_int_eq(chmod(path, 0640), 0);
    ck_assert_int_eq(load(env, BIQ_CONFIG_FOR_SERVE, &cfg, why), BIQ_OK);
    ck_assert_int_eq(chmod(path, 0644), 0);
    expect_error(env, BIQ_CONFIG_FOR_SERVE,
                 "BIQ_DATABASE_URL_FILE: /tmp/biq-secret-");
    ck_assert_int_eq(load(env, BIQ_CONFIG_FOR_SERVE, &cfg, why), BIQ_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(why, "readable or writable by other users (mode 0644)"));
    ck_assert_str_eq(cfg.database_url, "");
    ck_assert_int_eq(chmod(path, 0602), 0);
    expect_error(env, BIQ_CONFIG_FOR_SERVE, "by other users (mode 0602)");
    unlink(path);
}
END_TEST

START_TEST(anthropic_is_optional_and_checked)
{
    biq_config cfg;
    char why[256], path[] = "/tmp/biq-key-XXXXXX", setting[128];
    const char *none[] = {SERVE_BASE, NULL};
    ck_assert_int_eq(load(none, BIQ_CONFIG_FOR_SERVE, &cfg, why), BIQ_OK);
    ck_assert_str_eq(cfg.anthropic_api_key, "");
    ck_assert_str_eq(cfg.anthropic_url, "https://api.anthropic.com/v1/messages");
    ck_assert_str_eq(cfg.anthropic_model, "claude-haiku-4-5");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "sk-ant-file\n", 12), 12);
    close(fd);
    snprintf(setting, sizeof setting, "BIQ_ANTHROPIC_API_KEY_FILE=%s", path);
    const char *local[] = {SERVE_BASE, setting, "BIQ_ANTHROPIC_URL=http://127.0.0.1:9/v1/messages",
                           "BIQ_ANTHROPIC_MODEL=claude-x.1", NULL};
    ck_assert_int_eq(load(local, BIQ_CONFIG_FOR_SERVE, &cfg, why), BIQ_OK);
    unlink(path);
    ck_assert_str_eq(cfg.anthropic_api_key, "sk-ant-file");
    ck_assert_str_eq(cfg.anthropic_model, "claude-x.1");
    const char *plain[] = {SERVE_BASE, "BIQ_ANTHROPIC_URL=http://api.example.com/v1", NULL};
    expect_error(plain, BIQ_CONFIG_FOR_SERVE, "BIQ_ANTHROPIC_URL: expected an https:// URL");
    const char *empty_host[] = {SERVE_BASE, "BIQ_ANTHROPIC_URL=https://", NULL};
    expect_error(empty_host, BIQ_CONFIG_FOR_SERVE, "BIQ_ANTHROPIC_URL");
    const char *model[] = {SERVE_BASE, "BIQ_ANTHROPIC_MODEL=claude x", NULL};
    expect_error(model, BIQ_CONFIG_FOR_SERVE, "BIQ_ANTHROPIC_MODEL: expected a model id");
}
END_TEST

START_TEST(alert_delivery_settings)
{
    biq_config cfg;
    char why[256];
    const char *none[] = {SERVE_BASE, NULL};
    ck_assert_int_eq(load(none, BIQ_CONFIG_FOR_SERVE, &cfg, why), BIQ_OK);
    ck_assert_str_eq(cfg.smtp_url, "");
    ck_assert_str_eq(cfg.alert_hosts_extra, "");
    ck_assert_uint_eq(cfg.alert_sweep_s, 3600);
    const char *ok[] = {SERVE_BASE, "BIQ_ALERT_HOSTS_EXTRA=127.0.0.1:8099,localhost:1",
                        "BIQ_SMTP_URL=smtp://127.0.0.1:2525", "BIQ_SMTP_FROM=a@b.test",
                        "BIQ_ALERT_SWEEP_SECONDS=1", NULL};
    ck_assert_int_eq(load(ok, BIQ_CONFIG_FOR_SERVE, &cfg, why), BIQ_OK);
    ck_assert_uint_eq(cfg.alert_sweep_s, 1);
    const char *remote[] = {SERVE_BASE, "BIQ_ALERT_HOSTS_EXTRA=evil.example.com:443", NULL};
    expect_error(remote, BIQ_CONFIG_FOR_SERVE, "BIQ_ALERT_HOSTS_EXTRA: expected loopback");
    const char *noport[] = {SERVE_BASE, "BIQ_ALERT_HOSTS_EXTRA=127.0.0.1:", NULL};
    expect_error(noport, BIQ_CONFIG_FOR_SERVE, "BIQ_ALERT_HOSTS_EXTRA");
    const char *scheme[] = {SERVE_BASE, "BIQ_SMTP_URL=http://mail", NULL};
    expect_error(scheme, BIQ_CONFIG_FOR_SERVE, "BIQ_SMTP_URL: expected smtp://");
    const char *from[] = {SERVE_BASE, "BIQ_SMTP_URL=smtp://mail", NULL};
    expect_error(from, BIQ_CONFIG_FOR_SERVE, "BIQ_SMTP_FROM: an e-mail address is required");
    const char *sweep[] = {SERVE_BASE, "BIQ_ALERT_SWEEP_SECONDS=0", NULL};
    expect_error(sweep, BIQ_CONFIG_FOR_SERVE, "BIQ_ALERT_SWEEP_SECONDS: expected an integer");
}
END_TEST

/* The read replica is optional: unset is "", set is kept as given, and
 * it is a secret like the primary's URL (either form, not both). */
START_TEST(read_replica_url_is_optional)
{
    biq_config cfg;
    char why[256];
    const char *none[] = {SERVE_BASE, NULL};
    ck_assert_int_eq(load(none, BIQ_CONFIG_FOR_SERVE, &cfg, why), BIQ_OK);
    ck_assert_str_eq(cfg.read_database_url, "");
    const char *set[] = {SERVE_BASE, "BIQ_DATABASE_READ_URL=postgresql://biq_app@127.0.0.1:6433/biq",
                         NULL};
    ck_assert_int_eq(load(set, BIQ_CONFIG_FOR_SERVE, &cfg, why), BIQ_OK);
    ck_assert_str_eq(cfg.read_database_url, "postgresql://biq_app@127.0.0.1:6433/biq");
    ck_assert_str_eq(cfg.database_url, "postgresql:///biq");
    const char *both[] = {SERVE_BASE, "BIQ_DATABASE_READ_URL=x", "BIQ_DATABASE_READ_URL_FILE=/y",
                          NULL};
    expect_error(both, BIQ_CONFIG_FOR_SERVE, "BIQ_DATABASE_READ_URL: set either it or its _FILE");
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("config");
    tcase_add_test(tc, defaults);
    tcase_add_test(tc, listen_forms);
    tcase_add_test(tc, errors_name_the_variable);
    tcase_add_test(tc, secrets_from_files);
    tcase_add_test(tc, secret_file_permissions);
    tcase_add_test(tc, anthropic_is_optional_and_checked);
    tcase_add_test(tc, alert_delivery_settings);
    tcase_add_test(tc, read_replica_url_is_optional);
    suite_add_tcase(s, tc);
    return s;
}
