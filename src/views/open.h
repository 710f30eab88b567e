/* open.h - a project opened for reading, fast: what every project view
 * (the dashboard, the Flow tab's charts, the CSV export, the issue panel;
 * api/views.c) does before it computes.
 *
 * src/views/ is where a project is opened for reading: this snapshot and
 * its coherence rule, and the two caches that make it fast (lru.h for
 * computed dashboards, project_cache.h for loaded projects). No HTTP here:
 * the caller turns a failure into its answer.
 *
 * The steps: read the project's versions and settings in one tenant
 * transaction, get the loaded project, build the flow at the flow clock
 * outside any transaction. The dashboard is the one view opened on every
 * page load, so its serialised answer is cached (lru.h) under everything
 * it depends on; a hit still runs the versions lookup in the tenant
 * transaction, so an acknowledged ingest or settings change, or a
 * reinstall, is never hidden by the cache.
 *
 * The loaded project itself is cached too (project_cache.h), keyed by
 * tenant, project, data version, commit time and catalogue fingerprint:
 * what the rows read by store/project_load depend on (settings only shape
 * the flow, so they are not in this key). The model is loaded in a
 * transaction of its own, after the versions one, so that requests waiting
 * for a concurrent load of the same key hold no database connection; that
 * load re-reads the versions at its end, and a model whose data moved
 * while it was read serves the requests at hand but is never kept (the
 * coherence rule).
 *
 * Both caches' keys start with "<length>:<tenant id>|", so that a tenant's
 * entries leave memory at its uninstall (biq_views_forget_tenant).
 */
#ifndef BIQ_VIEWS_OPEN_H
#define BIQ_VIEWS_OPEN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/clock.h"
#include "flow/flow.h"
#include "settings/settings.h"
#include "store/pool.h"
#include "store/replica.h"
#include "store/settings.h"
#include "views/lru.h"
#include "views/project_cache.h"

#define BIQ_VIEWS_ARENA_LIMIT ((size_t)2 << 30) /* one project's rows and flow */

enum {
    /* A cached dashboard is served for at most this long: open slices run
     * to now, so an answer may not freeze even when no data moved. */
    BIQ_VIEWS_DASHBOARD_MAX_AGE_MS = 60 * 1000,
};

/* What opening a view needs: borrowed, they must outlive the view. */
typedef struct biq_views_env {
    biq_pool *pool;
    biq_cache *dashboards;       /* computed dashboards; NULL: none cached */
    biq_project_cache *projects; /* loaded projects; NULL: loaded per view */
    const biq_clock *clock;      /* the flow clock */
    /* The read replica the models are loaded from when it holds exactly the
     * versions just read on the primary (store/replica.h); NULL: none. */
    biq_replica *replica;
} biq_views_env;

/* Which step of biq_views_open failed. */
typedef enum biq_views_failure {
    BIQ_VIEWS_FAILED_MEMORY = 1, /* no arena */
    BIQ_VIEWS_FAILED_LOAD,       /* reading: BIQ_ERR_NOT_FOUND is a tenant not installed */
    BIQ_VIEWS_FAILED_SETTINGS,   /* the stored settings do not build: msg says why */
    BIQ_VIEWS_FAILED_FLOW,       /* the flow core refused */
} biq_views_failure;

/* An open view. Zero it, then biq_views_open; biq_views_close always. */
typedef struct biq_view {
    biq_views_env env;
    const char *tenant_id;
    const char *project_key;
    const char *window; /* the dashboard's cache key part; NULL for other views */
    int64_t as_of_day;  /* a local day number (tz/civil.h), or BIQ_VIEWS_NOW */
    bool want_backfill;
    biq_arena *arena;
    char cache_key[BIQ_CACHE_KEY_MAX + 1]; /* "" when the answer is not cacheable */
    char *cached;                          /* a cached dashboard answer (malloc'd), or NULL */
    size_t cached_len;
    biq_project_versions versions;
    char project_cache_key[BIQ_PROJECT_CACHE_KEY_MAX + 1]; /* "" when not cacheable */
    biq_project_ref *project; /* the held model, when cached */
    biq_project_data data;    /* the model (in project's arena or in arena) */
    json_t *tenant_ov, *project_ov, *backfill;
    biq_settings_flow_config cfg;
    biq_flow *flow; /* NULL when cached answered */
    biq_views_failure failed;
    char msg[BIQ_SETTINGS_MESSAGE_MAX];
} biq_view;

/* as_of_day when the view is now: the flow clock's instant. */
#define BIQ_VIEWS_NOW INT64_MIN

/* Opens project_key of tenant_id into *v (zeroed by the caller): the
 * versions, the settings (and the backfill state when want_backfill), the
 * model and the flow at the flow clock, or, with as_of_day, at the end of
 * that day in the schedule's zone (UTC without one) when that is earlier
 * ("as of": docs/metrics.md). With window (the dashboard) and a
 * dashboard cache, a cached answer younger than
 * BIQ_VIEWS_DASHBOARD_MAX_AGE_MS ends the open early: v->cached is set and
 * v->flow stays NULL. On failure v->failed names the step and the error
 * is returned (v->msg for BIQ_VIEWS_FAILED_SETTINGS). Thread-safe. */
biq_err biq_views_open(biq_view *v, const biq_views_env *env, const char *tenant_id,
                       const char *project_key, const char *window, bool want_backfill,
                       int64_t as_of_day);

/* Keeps a computed dashboard answer (len bytes) under the view's cache
 * key; nothing when there is no cache or key (an answer too big to cache
 * is still the caller's to send). */
void biq_views_keep(const biq_view *v, const char *text, size_t len);

/* Releases everything the view holds. A zeroed view is a no-op. */
void biq_views_close(biq_view *v);

/* Drops every cached entry of tenant (dashboards and loaded projects), at
 * its uninstall: gone from memory at once, not by eviction. */
void biq_views_forget_tenant(const biq_views_env *env, const char *tenant);

#endif
