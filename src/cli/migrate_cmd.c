/* migrate_cmd.c - `biq migrate`: apply migrations as the owner role. */
#include <stdio.h>

#include "cli/commands.h"
#include "cli/config.h"
#include "store/migrate.h"

enum { WHY_MAX = 1024 };

int biq_cli_migrate(int argc, char **argv)
{
    biq_config cfg;
    char why[WHY_MAX];
    (void)argv;
    if (argc != 0) {
        fprintf(stderr, "usage: biq migrate   (takes no arguments)\n");
        return 2;
    }
    if (biq_config_load(&cfg, BIQ_CONFIG_FOR_MIGRATE, NULL, NULL, why, sizeof why) != BIQ_OK) {
        fprintf(stderr, "biq migrate: configuration: %s\n", why);
        return 1;
    }
    biq_log *log = biq_log_new(stdout, cfg.log_level);
    biq_err err = biq_migrate_run(cfg.migrate_database_url, cfg.app_role, log, why, sizeof why);
    biq_log_free(log);
    if (err != BIQ_OK) {
        fprintf(stderr, "biq migrate: %s: %s\n", biq_strerror(err), why);
        return 1;
    }
    printf("biq migrate: schema at version %d, role %s granted\n", biq_migrate_latest(),
           cfg.app_role);
    return 0;
}
