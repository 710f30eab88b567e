/* settings.h - stored tenant and project settings (their overrides only),
 * their change history, and the versions a cached dashboard is keyed by.
 *
 * Every function runs in the caller's tenant transaction and names the
 * tenant explicitly (layer 1) besides RLS (layer 2). Overrides are a JSON
 * object of the fields a user set; the API layer owns their meaning and
 * validation (settings/schema.c), this layer only stores them.
 */
#ifndef BIQ_STORE_SETTINGS_H
#define BIQ_STORE_SETTINGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "store/tx.h"

enum { BIQ_STORE_FINGERPRINT_HEX = 32 }; /* md5 */

/* Reads the overrides of the tenant (project_key NULL) or of one project
 * into *overrides (new reference; {} when never set) and their version (0
 * when never set). */
biq_err biq_store_settings_get(biq_tx *tx, const char *project_key, json_t **overrides,
                               int64_t *version);

/* Replaces the overrides (an object) of the tenant or project, moves their
 * version, and records changes (an object, non-empty) made by principal
 * (NULL when the token named none) in settings_history. *version is the new
 * version. */
biq_err biq_store_settings_put(biq_tx *tx, const char *project_key, const json_t *overrides,
                               const json_t *changes, const char *principal, int64_t *version);

/* Everything a computed dashboard depends on besides the clock and the
 * window: the project's data version and the time of its newest ingest
 * commit, both settings versions, and a fingerprint of the tenant's status
 * and sprint catalogue (the catalogue route writes those without moving
 * any project's data version). The data version alone restarts at 1 when
 * a tenant uninstalls and installs again; with the commit time it does
 * not repeat, so caches key by both. */
typedef struct biq_project_versions {
    bool installed; /* false: the tenant has no row (not installed) */
    int64_t data_version; /* 0 when nothing was ever ingested */
    int64_t committed_us; /* microseconds since the epoch; 0 likewise */
    int64_t tenant_settings;
    int64_t project_settings;
    char catalogue[BIQ_STORE_FINGERPRINT_HEX + 1];
} biq_project_versions;

/* One query; cheap enough to run on every cache hit. */
biq_err biq_store_project_versions(biq_tx *tx, const char *project_key, biq_project_versions *out);

#endif
