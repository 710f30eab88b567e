/* open.c - a project opened for reading (see open.h): the snapshot of
 * versions, settings and model, the coherence rule of a cached model, and
 * the keys of both caches. */
#include "views/open.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/tenant.h"
#include "store/backfill.h"
#include "store/project_load.h"
#include "tz/civil.h"
#include "tz/tz.h"

enum { TENANT_PREFIX_MAX = BIQ_TENANT_ID_MAX + 24 };

/* ------------------------------------------------------------- loading */

/* The data version alone repeats after an uninstall and reinstall; the
 * commit time with it does not (store/settings.h). */
static bool make_cache_key(biq_view *v, const char *tenant)
{
    const biq_project_versions *pv = &v->versions;
    int n = snprintf(v->cache_key, sizeof v->cache_key,
                     "%zu:%s|%zu:%s|%zu:%s|d%" PRId64 "|s%" PRId64 "|t%" PRId64 "|p%" PRId64
                     "|c%s|a%" PRId64,
                     strlen(tenant), tenant, strlen(v->project_key), v->project_key,
                     strlen(v->window), v->window, pv->data_version, pv->committed_us,
                     pv->tenant_settings, pv->project_settings, pv->catalogue, v->as_of_day);
    if (n > 0 && (size_t)n < sizeof v->cache_key)
        return true;
    v->cache_key[0] = '\0';
    return false;
}

/* Lengths make the key unambiguous whatever the characters of the parts. */
static void make_project_key(biq_view *v, const char *tenant)
{
    int n = snprintf(v->project_cache_key, sizeof v->project_cache_key,
                     "%zu:%s|%zu:%s|d%" PRId64 "|s%" PRId64 "|c%s", strlen(tenant), tenant,
                     strlen(v->project_key), v->project_key, v->versions.data_version,
                     v->versions.committed_us, v->versions.catalogue);
    if (n <= 0 || (size_t)n >= sizeof v->project_cache_key)
        v->project_cache_key[0] = '\0'; /* too long to key: loaded per request */
}

static bool use_project_cache(const biq_view *v)
{
    return v->env.projects != NULL;
}

/* Everything but the model, which comes from the project cache when it is
 * on (and is loaded here, as one snapshot with the rest, when it is off). */
static biq_err load_tx(biq_tx *tx, void *ctx)
{
    biq_view *v = ctx;
    int64_t version;
    biq_err err = biq_store_project_versions(tx, v->project_key, &v->versions);
    if (err != BIQ_OK)
        return err;
    if (!v->versions.installed)
        return BIQ_ERR_NOT_FOUND;
    if (v->window != NULL && v->env.dashboards != NULL && make_cache_key(v, biq_tx_tenant(tx)) &&
        biq_cache_get(v->env.dashboards, v->cache_key, biq_clock_now(v->env.clock),
                      BIQ_VIEWS_DASHBOARD_MAX_AGE_MS, &v->cached, &v->cached_len) == BIQ_OK)
        return BIQ_OK;
    if ((err = biq_store_settings_get(tx, NULL, &v->tenant_ov, &version)) != BIQ_OK ||
        (err = biq_store_settings_get(tx, v->project_key, &v->project_ov, &version)) != BIQ_OK)
        return err;
    if (v->want_backfill &&
        (err = biq_store_backfill_get(tx, v->project_key, &v->backfill)) != BIQ_OK)
        return err;
    if (!use_project_cache(v))
        return biq_store_project_load(tx, v->project_key, v->arena, &v->data);
    make_project_key(v, biq_tx_tenant(tx));
    return BIQ_OK;
}

typedef struct model_load {
    const biq_view *v;
    biq_arena *arena;
    biq_project_data *out;
    bool unchanged; /* the versions the key was made of held */
    bool standby;   /* reading the replica: first check it holds the key's versions */
    bool behind;    /* it did not */
} model_load;

/* What the model depends on; settings only shape the flow. */
static bool same_data(const biq_project_versions *a, const biq_project_versions *b)
{
    return a->installed == b->installed && a->data_version == b->data_version &&
           a->committed_us == b->committed_us && strcmp(a->catalogue, b->catalogue) == 0;
}

static biq_err model_tx(biq_tx *tx, void *ctx)
{
    model_load *m = ctx;
    const biq_project_versions *was = &m->v->versions;
    biq_project_versions now;
    biq_err err;
    /* Read-your-writes: the standby serves only the very versions this
     * request read on the primary, so it never shows less than a write
     * acknowledged before the request began (store/replica.h). */
    if (m->standby) {
        if ((err = biq_store_project_versions(tx, m->v->project_key, &now)) != BIQ_OK)
            return err;
        if (!same_data(&now, was)) {
            m->behind = true;
            return BIQ_ERR_UNAVAILABLE;
        }
    }
    err = biq_store_project_load(tx, m->v->project_key, m->arena, m->out);
    if (err == BIQ_OK)
        err = biq_store_project_versions(tx, m->v->project_key, &now);
    /* Statements of a read-committed transaction each see the newest
     * commits: the model is one state of the data only if nothing that
     * the key names moved from before the first statement to the last. */
    m->unchanged = err == BIQ_OK && now.data_version == was->data_version &&
                   now.committed_us == was->committed_us &&
                   m->out->data_version == now.data_version &&
                   strcmp(now.catalogue, was->catalogue) == 0;
    return err;
}

/* The standby first when there is one and it is not backing off. Waits
 * at most BIQ_REPLICA_ACQUIRE_TIMEOUT_MS for a standby connection. Behind,
 * busy, or failed (unreachable, a statement error, a recovery conflict:
 * biq_replica_classify), the primary reads, which is always right; only a
 * failure backs the standby off. An error the primary would give too (a
 * project over the load limits, out of memory) is the answer: no backoff,
 * no second load. Returns true when *err is the answer (BIQ_OK: the
 * standby's model is in m->out); false: read the primary. */
static bool load_from_standby(model_load *m, biq_err *err)
{
    biq_replica *r = m->v->env.replica;
    if (r == NULL)
        return false;
    biq_pool *standby = biq_replica_pool(r);
    if (standby == NULL) {
        biq_replica_count(r, BIQ_REPLICA_PRIMARY_BACKOFF);
        return false;
    }
    m->standby = true;
    biq_tx *tx = NULL;
    *err = biq_tx_begin_timeout(standby, m->v->tenant_id, BIQ_REPLICA_ACQUIRE_TIMEOUT_MS, &tx);
    bool acquiring = *err != BIQ_OK;
    if (!acquiring) {
        *err = model_tx(tx, m);
        if (*err == BIQ_OK)
            *err = biq_tx_commit(tx);
        else
            biq_tx_rollback(tx);
    }
    if (*err == BIQ_OK) {
        biq_replica_count(r, BIQ_REPLICA_STANDBY);
        return true;
    }
    if (m->behind) {
        biq_replica_count(r, BIQ_REPLICA_PRIMARY_BEHIND);
        return false;
    }
    switch (biq_replica_classify(*err, acquiring)) {
    case BIQ_REPLICA_REQUEST:
        return true;
    case BIQ_REPLICA_BUSY:
        biq_replica_count(r, BIQ_REPLICA_PRIMARY_BUSY);
        return false;
    case BIQ_REPLICA_FAILED:
        break;
    }
    biq_replica_failed(r);
    biq_replica_count(r, BIQ_REPLICA_PRIMARY_FAILED);
    return false;
}

/* The project cache's loader (biq_project_load_fn). */
static biq_err load_model(void *ctx, biq_arena *arena, biq_project_data *out, bool *keep)
{
    const biq_view *v = ctx;
    model_load m = {.v = v, .arena = arena, .out = out};
    biq_err err = BIQ_OK;
    if (!load_from_standby(&m, &err)) {
        m = (model_load){.v = v, .arena = arena, .out = out};
        memset(out, 0, sizeof *out); /* a failed standby load may have begun filling it */
        err = biq_tx_run(v->env.pool, v->tenant_id, model_tx, &m);
    }
    *keep = m.unchanged;
    return err;
}

/* The model: from the project cache, or (key too long) loaded for this
 * request alone into the view's arena. */
static biq_err get_model(biq_view *v)
{
    if (v->project_cache_key[0] == '\0') {
        bool keep;
        return load_model(v, v->arena, &v->data, &keep);
    }
    biq_err err =
        biq_project_cache_get(v->env.projects, v->project_cache_key, load_model, v, &v->project);
    if (err == BIQ_OK)
        v->data = *biq_project_ref_data(v->project);
    return err;
}

/* The flow clock, or the end of the as-of day when that is earlier. */
static biq_ms view_now(const biq_view *v)
{
    biq_ms now = biq_clock_now(v->env.clock);
    if (v->as_of_day == BIQ_VIEWS_NOW)
        return now;
    const biq_tz *tz = v->cfg.schedule.tz != NULL ? v->cfg.schedule.tz : biq_tz_utc();
    biq_ms end = biq_tz_day_start(tz, v->as_of_day + 1);
    return end < now ? end : now;
}

static biq_err build_flow(biq_view *v)
{
    biq_err err = biq_settings_flow_config_build(v->tenant_ov, v->project_ov, v->arena, &v->cfg,
                                                 v->msg, sizeof v->msg);
    if (err == BIQ_OK)
        err = biq_settings_flow_config_add_board(&v->cfg, v->data.boards, v->data.n_boards,
                                                  v->arena);
    if (err != BIQ_OK) {
        v->failed = BIQ_VIEWS_FAILED_SETTINGS;
        return err;
    }
    biq_flow_input in = biq_settings_flow_input(&v->data, &v->cfg, view_now(v));
    if ((err = biq_flow_new(&in, v->arena, &v->flow)) != BIQ_OK)
        v->failed = BIQ_VIEWS_FAILED_FLOW;
    return err;
}

biq_err biq_views_open(biq_view *v, const biq_views_env *env, const char *tenant_id,
                       const char *project_key, const char *window, bool want_backfill,
                       int64_t as_of_day)
{
    v->env = *env;
    v->as_of_day = as_of_day;
    v->tenant_id = tenant_id;
    v->project_key = project_key;
    v->window = window;
    v->want_backfill = want_backfill;
    if ((v->arena = biq_arena_new(BIQ_VIEWS_ARENA_LIMIT)) == NULL) {
        v->failed = BIQ_VIEWS_FAILED_MEMORY;
        return BIQ_ERR_NOMEM;
    }
    biq_err err = biq_tx_run(env->pool, tenant_id, load_tx, v);
    if (err == BIQ_OK && v->cached == NULL && use_project_cache(v))
        err = get_model(v);
    if (err != BIQ_OK) {
        v->failed = BIQ_VIEWS_FAILED_LOAD;
        return err;
    }
    return v->cached != NULL ? BIQ_OK : build_flow(v);
}

void biq_views_keep(const biq_view *v, const char *text, size_t len)
{
    if (v->env.dashboards != NULL && v->cache_key[0] != '\0')
        (void)biq_cache_put(v->env.dashboards, v->cache_key, text, len,
                            biq_clock_now(v->env.clock)); /* too big to cache: still sent */
}

void biq_views_close(biq_view *v)
{
    if (v->project != NULL)
        biq_project_cache_release(v->env.projects, v->project);
    free(v->cached);
    json_decref(v->tenant_ov);
    json_decref(v->project_ov);
    json_decref(v->backfill);
    biq_arena_free(v->arena);
}

void biq_views_forget_tenant(const biq_views_env *env, const char *tenant)
{
    char prefix[TENANT_PREFIX_MAX];
    snprintf(prefix, sizeof prefix, "%zu:%s|", strlen(tenant), tenant);
    if (env->dashboards != NULL)
        biq_cache_purge_prefix(env->dashboards, prefix);
    if (env->projects != NULL)
        biq_project_cache_purge_prefix(env->projects, prefix);
}
