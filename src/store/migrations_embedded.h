/* migrations_embedded.h - the SQL migrations compiled into the binary.
 * The array is generated from the db/migrations SQL files by the build, in file
 * name order; versions are strictly increasing. Read-only. */
#ifndef BIQ_MIGRATIONS_EMBEDDED_H
#define BIQ_MIGRATIONS_EMBEDDED_H

typedef struct biq_migration {
    int version;
    const char *name; /* file name without .sql, e.g. "0001_init" */
    const char *sql;
} biq_migration;

extern const biq_migration biq_migrations[];
extern const unsigned biq_migrations_count;

#endif
