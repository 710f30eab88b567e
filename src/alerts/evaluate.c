/* evaluate.c - alert evaluation and delivery runs (see evaluate.h). */
#include "alerts/evaluate.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/encode.h"
#include "store/ingest.h"
#include "store/settings.h"
#include "tz/civil.h"

enum {
    HOURS_PER_DAY = 24,
    TEXT_LINE_MAX = 512,
    SUBJECT_MAX = 512,
    ID_KEY_MAX = 24,
    LINES_MAX = 200, /* tickets listed in one message; the rest are counted */
    TWO_DAYS_H = 48,
    VALUE_MAX = 200, /* bytes of one value (key, status or rule name) in a message */
};

typedef struct run {
    const biq_alerts_env *env;
    const char *project_key;
    biq_alert_cadence cadence;
    const int64_t *changed;
    size_t n_changed;
    biq_arena *arena;
    json_t *tenant_ov, *project_ov, *rules;
    biq_alerts_rule *typed; /* rules, read once */
    size_t n_typed;
    biq_project_data data;
    biq_alerts_found found;
    json_t *fired; /* rule id -> {"lines": [...], "count": n} */
    json_t *sends; /* [{id, kind, target, subject, text}] */
    size_t index;  /* result recording: the send at hand */
    bool ok;
    char detail[BIQ_ALERT_WHY_MAX];
    biq_alert_run_stats *stats;
} run;

/* ------------------------------------------------------------ typed rules */

static const struct {
    const char *name;
    biq_alerts_rule_kind kind;
} RULE_KINDS[] = {
    {"stuck_in_status", BIQ_ALERTS_RULE_STUCK_IN_STATUS},
    {"cycle_time_exceeded", BIQ_ALERTS_RULE_CYCLE_TIME_EXCEEDED},
    {"no_activity", BIQ_ALERTS_RULE_NO_ACTIVITY},
    {"wip_breach", BIQ_ALERTS_RULE_WIP_BREACH},
    {"trend_worsening", BIQ_ALERTS_RULE_TREND_WORSENING},
    {"sle_at_risk", BIQ_ALERTS_RULE_SLE_AT_RISK},
};

static biq_alerts_rule_kind kind_named(const char *name)
{
    for (size_t i = 0; name != NULL && i < sizeof RULE_KINDS / sizeof RULE_KINDS[0]; i++)
        if (strcmp(name, RULE_KINDS[i].name) == 0)
            return RULE_KINDS[i].kind;
    return BIQ_ALERTS_RULE_UNKNOWN;
}

static int metric_named(const char *name)
{
    for (int m = BIQ_TREND_LEAD_TIME; m <= BIQ_TREND_THROUGHPUT && name != NULL; m++)
        if (strcmp(name, biq_trend_metric_name((biq_trend_metric)m)) == 0)
            return m;
    return -1;
}

static json_int_t int_of(const json_t *o, const char *name)
{
    return json_integer_value(json_object_get(o, name));
}

biq_err biq_alerts_rules_read(const json_t *stored, biq_arena *arena, biq_alerts_rule **out,
                              size_t *n)
{
    size_t i;
    const json_t *r;
    *out = biq_arena_calloc(arena, json_array_size(stored) + 1, sizeof **out);
    *n = 0;
    if (*out == NULL)
        return BIQ_ERR_NOMEM;
    json_array_foreach (stored, i, r) {
        const json_t *p = json_object_get(r, "params");
        (*out)[(*n)++] = (biq_alerts_rule){
            .id = int_of(r, "id"),
            .kind = kind_named(json_string_value(json_object_get(r, "kind"))),
            .enabled = json_is_true(json_object_get(r, "enabled")),
            .name = json_string_value(json_object_get(r, "name")),
            .cooldown_minutes = (int)int_of(r, "cooldownMinutes"),
            .status_id = int_of(p, "statusId"),
            .threshold_hours = int_of(p, "thresholdHours"),
            .days = int_of(p, "days"),
            .metric = metric_named(json_string_value(json_object_get(p, "metric"))),
            .percent = int_of(p, "percent"),
        };
    }
    return BIQ_OK;
}

/* ------------------------------------------------------------- evaluation */

static bool any_enabled(const json_t *rules)
{
    size_t i;
    const json_t *stored;
    json_array_foreach (rules, i, stored) {
        if (json_is_true(json_object_get(stored, "enabled")))
            return true;
    }
    return false;
}

/* The project's data is read only when some rule may need it. */
static biq_err load_tx(biq_tx *tx, void *ctx)
{
    run *r = ctx;
    int64_t version;
    biq_err err = biq_store_alert_rules_list(tx, r->project_key, true, &r->rules);
    if (err != BIQ_OK || !any_enabled(r->rules))
        return err;
    err = biq_store_settings_get(tx, NULL, &r->tenant_ov, &version);
    if (err == BIQ_OK)
        err = biq_store_settings_get(tx, r->project_key, &r->project_ov, &version);
    if (err == BIQ_OK)
        err = biq_store_project_load(tx, r->project_key, r->arena, &r->data);
    return err;
}

/* The WIP breach period of status_id (typed settings: the project's limit
 * wins). 0: none. */
static int64_t breach_minutes(const biq_settings_flow_config *cfg, int64_t status_id)
{
    for (size_t i = 0; i < cfg->settings.n_wip_limits; i++)
        if (cfg->settings.wip_limits[i].status_id == status_id)
            return cfg->breach_minutes[i];
    return 0;
}

/* A typed rule as the flow core's, when this cadence covers it. */
static bool to_rule(const biq_alerts_rule *t, const biq_settings_flow_config *cfg,
                    biq_alert_cadence cadence, biq_alert_rule *out)
{
    *out = (biq_alert_rule){.rule_id = t->id, .status_id = t->status_id};
    if (!t->enabled)
        return false;
    switch (t->kind) {
    case BIQ_ALERTS_RULE_STUCK_IN_STATUS:
        out->kind = BIQ_ALERT_STUCK;
        out->threshold_ms = t->threshold_hours * BIQ_MS_PER_HOUR;
        return cadence != BIQ_ALERT_CADENCE_HOURLY || t->threshold_hours < HOURS_PER_DAY;
    case BIQ_ALERTS_RULE_CYCLE_TIME_EXCEEDED:
    case BIQ_ALERTS_RULE_NO_ACTIVITY:
        out->kind = t->kind == BIQ_ALERTS_RULE_CYCLE_TIME_EXCEEDED ? BIQ_ALERT_CYCLE_EXCEEDED
                                                                   : BIQ_ALERT_NO_ACTIVITY;
        out->threshold_ms = t->days * BIQ_MS_PER_DAY;
        return cadence != BIQ_ALERT_CADENCE_HOURLY;
    case BIQ_ALERTS_RULE_WIP_BREACH:
        if (cadence == BIQ_ALERT_CADENCE_INGEST)
            return false;
        out->kind = BIQ_ALERT_WIP_BREACH;
        out->threshold_ms = breach_minutes(cfg, t->status_id) * BIQ_MS_PER_MINUTE;
        return out->threshold_ms > 0;
    case BIQ_ALERTS_RULE_SLE_AT_RISK:
        /* Day-grained, as cycle_time_exceeded: on ingest and daily. */
        out->kind = BIQ_ALERT_SLE_AT_RISK;
        return cadence != BIQ_ALERT_CADENCE_HOURLY;
    case BIQ_ALERTS_RULE_TREND_WORSENING: /* evaluate_trends() */
    case BIQ_ALERTS_RULE_UNKNOWN:
        break;
    }
    return false;
}

/* A trend rule this cadence covers. */
static bool trend_rule(const biq_alerts_rule *t, biq_alert_cadence cadence)
{
    return t->kind == BIQ_ALERTS_RULE_TREND_WORSENING && t->metric >= 0 && t->enabled &&
           cadence == BIQ_ALERT_CADENCE_DAILY;
}

/* Trend rules against the flow core's trends of the last
 * BIQ_ALERTS_TREND_WINDOW_DAYS: the first worsening row of the rule's
 * metric with |change| >= percent fires it (once a day, rule-wide). */
static biq_err evaluate_trends(const biq_flow *flow, const biq_alerts_rule *rules, size_t n_rules,
                               biq_alert_cadence cadence, int64_t now, biq_arena *arena,
                               biq_alerts_found *out)
{
    biq_window_spec spec = {.kind = BIQ_WIN_DAYS, .days = BIQ_ALERTS_TREND_WINDOW_DAYS};
    biq_flow_window w;
    biq_flow_report *report = NULL;
    bool any = false;
    for (size_t i = 0; i < n_rules; i++)
        any |= trend_rule(&rules[i], cadence);
    if (!any)
        return BIQ_OK;
    biq_err err = biq_flow_window_resolve(flow, &spec, &w);
    if (err == BIQ_OK)
        err = biq_flow_report_build(flow, &w, arena, &report);
    if (err != BIQ_OK)
        return err;
    int64_t day = now / BIQ_MS_PER_DAY;
    for (size_t i = 0; i < n_rules; i++) {
        const biq_alerts_rule *t = &rules[i];
        if (!trend_rule(t, cadence) || out->n_trends >= BIQ_ALERTS_TREND_RULES_MAX)
            continue;
        for (size_t k = 0; k < report->n_trends; k++) {
            const biq_flow_trend *tr = &report->trends[k];
            if (tr->worsening && (int)tr->metric == t->metric &&
                (tr->change_pct >= (double)t->percent || tr->change_pct <= -(double)t->percent)) {
                out->trends[out->n_trends++] =
                    (biq_alerts_trend_hit){.rule_id = t->id, .trend = tr, .utc_day = day};
                break;
            }
        }
    }
    return BIQ_OK;
}

biq_err biq_alerts_evaluate(const biq_project_data *data, const biq_settings_flow_config *cfg,
                            const biq_alerts_rule *rules, size_t n_rules,
                            biq_alert_cadence cadence, int64_t now, biq_arena *arena,
                            biq_alerts_found *out)
{
    biq_flow *flow = NULL;
    biq_alert_rule flow_rules[BIQ_ALERT_MAX_RULES];
    size_t n = 0;
    biq_alert_hit *hits = NULL;
    out->hits = NULL;
    out->n_hits = out->n_trends = 0;
    for (size_t i = 0; i < n_rules; i++) {
        if (n < BIQ_ALERT_MAX_RULES && to_rule(&rules[i], cfg, cadence, &flow_rules[n]))
            n++;
    }
    if (data->n_issues == 0)
        return BIQ_OK;
    biq_flow_input in = biq_settings_flow_input(data, cfg, now);
    biq_err err = biq_flow_new(&in, arena, &flow);
    if (err == BIQ_OK && n > 0)
        err = biq_flow_alerts_evaluate(flow, flow_rules, n, arena, &hits, &out->n_hits);
    out->hits = hits;
    return err == BIQ_OK ? evaluate_trends(flow, rules, n_rules, cadence, now, arena, out) : err;
}

/* Reads the rules, builds the typed settings and evaluates. */
static biq_err evaluate(run *r)
{
    char msg[BIQ_SETTINGS_MESSAGE_MAX];
    biq_settings_flow_config cfg;
    biq_err err = biq_alerts_rules_read(r->rules, r->arena, &r->typed, &r->n_typed);
    if (err != BIQ_OK || r->data.n_issues == 0)
        return err;
    err = biq_settings_flow_config_build(r->tenant_ov, r->project_ov, r->arena, &cfg, msg,
                                         sizeof msg);
    if (err == BIQ_OK)
        err = biq_settings_flow_config_add_board(&cfg, r->data.boards, r->data.n_boards,
                                                  r->arena);
    if (err != BIQ_OK)
        return err;
    return biq_alerts_evaluate(&r->data, &cfg, r->typed, r->n_typed, r->cadence,
                               biq_clock_now(r->env->clock), r->arena, &r->found);
}

static bool wanted(const run *r, const biq_alert_hit *h)
{
    if (r->cadence != BIQ_ALERT_CADENCE_INGEST)
        return true;
    for (size_t i = 0; h->issue != NULL && i < r->n_changed; i++) {
        if (h->issue->issue->id == r->changed[i])
            return true;
    }
    return false;
}

static void describe(const biq_alert_hit *h, char *line, size_t len)
{
    double hours = (double)h->value_ms / (double)BIQ_MS_PER_HOUR;
    char age[32];
    if (hours < TWO_DAYS_H)
        snprintf(age, sizeof age, "%.1f h", hours);
    else
        snprintf(age, sizeof age, "%.1f days", hours / HOURS_PER_DAY);
    /* Values from ingested data: one safe line each (alerts/encode.h). */
    char status[VALUE_MAX], key[VALUE_MAX];
    biq_encode_plain(h->status != NULL ? h->status->name : "?", status, sizeof status);
    biq_encode_plain(h->issue != NULL ? h->issue->issue->key : "", key, sizeof key);
    if (h->issue != NULL && h->kind == BIQ_ALERT_SLE_AT_RISK && h->sle != NULL)
        snprintf(line, len, "- %s (%s): %s, older than %.0f%% of finished items (SLE: %d%% within "
                 "%d days)", key, status, age, h->pace * 100.0, (int)h->sle->percent,
                 (int)h->sle->days);
    else if (h->issue != NULL)
        snprintf(line, len, "- %s (%s): %s", key, status, age);
    else
        snprintf(line, len, "- %s over its WIP limit (at least %u items) for %s", status,
                 (unsigned)h->count, age);
    biq_encode_utf8_trim(line);
}

/* Adds a new alert's line to its rule's message. */
static void add_line(run *r, int64_t rule_id, const char *line)
{
    char key[ID_KEY_MAX];
    snprintf(key, sizeof key, "%" PRId64, rule_id);
    json_t *m = json_object_get(r->fired, key);
    if (m == NULL) {
        m = json_pack("{s:[],s:i}", "lines", "count", 0);
        json_object_set_new(r->fired, key, m);
    }
    json_t *count = json_object_get(m, "count");
    json_integer_set(count, json_integer_value(count) + 1);
    if (json_array_size(json_object_get(m, "lines")) < LINES_MAX)
        json_array_append_new(json_object_get(m, "lines"), json_string(line));
    r->stats->fired++;
}

/* The typed rule id; an empty one (no name, no cooldown) if none. */
static const biq_alerts_rule *typed_rule(const run *r, int64_t id)
{
    static const biq_alerts_rule none = {.metric = -1};
    for (size_t i = 0; i < r->n_typed; i++) {
        if (r->typed[i].id == id)
            return &r->typed[i];
    }
    return &none;
}

/* The message of one rule: subject and one line per ticket. malloc'd. */
static char *message_text(const run *r, const json_t *m, char *subject, size_t subject_len,
                          const biq_alerts_rule *rule)
{
    long long count = json_integer_value(json_object_get(m, "count"));
    const json_t *lines = json_object_get(m, "lines");
    char project[VALUE_MAX], name[VALUE_MAX];
    biq_encode_plain(r->project_key, project, sizeof project);
    biq_encode_plain(rule->name, name, sizeof name);
    snprintf(subject, subject_len, "BottleneckIQ alert in %s: %s (%lld)", project, name, count);
    biq_encode_utf8_trim(subject);
    size_t len = strlen(subject) + 2 + json_array_size(lines) * TEXT_LINE_MAX + 64;
    char *text = malloc(len);
    size_t used = 0, i;
    const json_t *line;
    if (text == NULL)
        return NULL;
    used += (size_t)snprintf(text, len, "%s\n", subject);
    json_array_foreach(lines, i, line)
        used += (size_t)snprintf(text + used, len - used, "%s\n", json_string_value(line));
    if ((size_t)count > json_array_size(lines))
        snprintf(text + used, len - used, "... and %lld more\n",
                 count - (long long)json_array_size(lines));
    return text;
}

/* For one rule with new alerts: a send per target out of its cooldown. */
static biq_err plan_sends(biq_tx *tx, run *r, const char *rule_key, const json_t *m)
{
    int64_t rule_id = strtoll(rule_key, NULL, 10);
    const biq_alerts_rule *rule = typed_rule(r, rule_id);
    json_t *targets = NULL;
    char subject[SUBJECT_MAX];
    biq_err err = biq_store_alert_rule_targets(tx, rule_id, &targets);
    size_t i;
    const json_t *t;
    json_array_foreach(targets, i, t) {
        bool claimed = false;
        int64_t dest = json_integer_value(json_object_get(t, "id"));
        if (err == BIQ_OK)
            err = biq_store_alert_cooldown_claim(tx, rule_id, dest, rule->cooldown_minutes,
                                                 &claimed);
        if (err != BIQ_OK || !claimed) {
            r->stats->cooled += err == BIQ_OK;
            continue;
        }
        char *text = message_text(r, m, subject, sizeof subject, rule);
        json_t *send = text ? json_pack("{s:I,s:O,s:O,s:s,s:s}", "id", (json_int_t)dest, "kind",
                                        json_object_get(t, "kind"), "target",
                                        json_object_get(t, "target"), "subject", subject, "text",
                                        text)
                            : NULL;
        free(text);
        if (send == NULL || json_array_append_new(r->sends, send) != 0)
            err = BIQ_ERR_NOMEM;
    }
    json_decref(targets);
    return err;
}

static biq_err record_tx(biq_tx *tx, void *ctx)
{
    run *r = ctx;
    biq_err err = BIQ_OK;
    for (size_t i = 0; i < r->found.n_hits && err == BIQ_OK; i++) {
        const biq_alert_hit *h = &r->found.hits[i];
        bool inserted = false;
        if (!wanted(r, h))
            continue;
        err = biq_store_alert_event_insert(tx, h->rule_id, h->issue ? h->issue->issue->id : 0,
                                           h->utc_day, r->project_key,
                                           h->status ? h->status->id : 0, h->value_ms, &inserted);
        if (err == BIQ_OK && inserted) {
            char line[TEXT_LINE_MAX];
            describe(h, line, sizeof line);
            add_line(r, h->rule_id, line);
        }
    }
    for (size_t i = 0; i < r->found.n_trends && err == BIQ_OK; i++) {
        const biq_alerts_trend_hit *t = &r->found.trends[i];
        bool inserted = false;
        int64_t status = t->trend->status != NULL ? t->trend->status->id : 0;
        err = biq_store_alert_event_insert(tx, t->rule_id, 0, t->utc_day, r->project_key, status,
                                           0, &inserted);
        if (err == BIQ_OK && inserted) {
            char line[TEXT_LINE_MAX], name[VALUE_MAX], size[BIQ_FLOW_CHANGE_TEXT_MAX];
            biq_encode_plain(status ? t->trend->status->name : "", name, sizeof name);
            snprintf(line, sizeof line, "- %s%s%s worsened by %s over the last %d days",
                     biq_trend_metric_name(t->trend->metric), status ? " in " : "", name,
                     biq_flow_format_change(t->trend->change_pct / 100.0, size, sizeof size),
                     (int)BIQ_ALERTS_TREND_WINDOW_DAYS);
            biq_encode_utf8_trim(line);
            add_line(r, t->rule_id, line);
        }
    }
    const char *key;
    json_t *m;
    json_object_foreach(r->fired, key, m) {
        if (err == BIQ_OK)
            err = plan_sends(tx, r, key, m);
    }
    return err;
}

static biq_err result_tx(biq_tx *tx, void *ctx)
{
    run *r = ctx;
    int64_t id = json_integer_value(json_object_get(json_array_get(r->sends, r->index), "id"));
    return biq_store_alert_destination_result(tx, id, r->ok, false, r->detail);
}

static void deliver_all(run *r, const char *tenant_id)
{
    biq_alerts_config none;
    const biq_alerts_config *cfg = r->env->delivery;
    if (cfg == NULL && biq_alerts_config_init(&none, NULL, NULL, NULL) == BIQ_OK)
        cfg = &none;
    size_t i;
    json_t *s;
    json_array_foreach(r->sends, i, s) {
        biq_alert_outcome out = {0};
        const char *kind = json_string_value(json_object_get(s, "kind"));
        if (biq_alert_deliver(cfg, kind, json_string_value(json_object_get(s, "target")),
                              json_string_value(json_object_get(s, "subject")),
                              json_string_value(json_object_get(s, "text")), &out) != BIQ_OK)
            snprintf(out.detail, sizeof out.detail, "out of memory");
        r->stats->sent += out.ok;
        r->stats->failed += !out.ok;
        r->index = i;
        r->ok = out.ok;
        snprintf(r->detail, sizeof r->detail, "%s", out.detail);
        (void)biq_tx_run(r->env->pool, tenant_id, result_tx, r);
        if (!out.ok && r->env->log != NULL)
            biq_log_write(r->env->log, BIQ_LOG_WARN, "alert delivery failed",
                          json_pack("{s:s,s:I,s:s}", "kind", kind, "destination",
                                    json_integer_value(json_object_get(s, "id")), "detail",
                                    out.detail));
    }
}

static void wipe_targets(json_t *sends)
{
    size_t i;
    json_t *s;
    json_array_foreach(sends, i, s) {
        json_t *t = json_object_get(s, "target");
        if (json_is_string(t))
            explicit_bzero((char *)json_string_value(t), json_string_length(t));
    }
}

biq_err biq_alerts_evaluate_project(const biq_alerts_env *env, const char *tenant_id,
                                    const char *project_key, biq_alert_cadence cadence,
                                    const int64_t *changed, size_t n_changed,
                                    biq_alert_run_stats *stats)
{
    run r = {.env = env, .project_key = project_key, .cadence = cadence, .changed = changed,
             .n_changed = n_changed, .stats = stats, .fired = json_object(),
             .sends = json_array(), .arena = biq_arena_new(BIQ_ALERT_EVAL_ARENA_LIMIT)};
    biq_err err = BIQ_ERR_NOMEM;
    if (r.fired == NULL || r.sends == NULL || r.arena == NULL)
        goto out;
    if ((err = biq_tx_run(env->pool, tenant_id, load_tx, &r)) != BIQ_OK ||
        (err = evaluate(&r)) != BIQ_OK)
        goto out;
    if (r.found.n_hits + r.found.n_trends > 0 &&
        (err = biq_tx_run(env->pool, tenant_id, record_tx, &r)) != BIQ_OK)
        goto out;
    deliver_all(&r, tenant_id);
out:
    wipe_targets(r.sends);
    json_decref(r.sends);
    json_decref(r.fired);
    json_decref(r.rules);
    json_decref(r.tenant_ov);
    json_decref(r.project_ov);
    biq_arena_free(r.arena);
    return err;
}

static biq_err projects_tx(biq_tx *tx, void *ctx)
{
    return biq_store_alert_projects(tx, ctx);
}

static bool retryable(biq_err err)
{
    return err == BIQ_ERR_DB || err == BIQ_ERR_UNAVAILABLE;
}

biq_err biq_alerts_sweep_tenant(const biq_alerts_env *env, const char *tenant_id,
                                biq_alert_cadence cadence, biq_alert_run_stats *stats,
                                size_t *failed_projects)
{
    json_t *projects = NULL;
    biq_err err = biq_tx_run(env->pool, tenant_id, projects_tx, &projects);
    size_t i, failed = 0;
    const json_t *p;
    json_array_foreach(projects, i, p) {
        biq_err one = biq_alerts_evaluate_project(env, tenant_id, json_string_value(p), cadence,
                                                  NULL, 0, stats);
        failed += one != BIQ_OK;
        if (one != BIQ_OK && (err == BIQ_OK || (retryable(one) && !retryable(err))))
            err = one;
    }
    json_decref(projects);
    if (failed_projects != NULL)
        *failed_projects = failed;
    return err;
}

/* ------------------------------------------------------ scheduled sweeps */

typedef struct scheduled {
    biq_store_alert_sweep claim;
    bool completed;
    const biq_alert_sweep_result *result;
} scheduled;

static biq_err claim_tx(biq_tx *tx, void *ctx)
{
    scheduled *s = ctx;
    biq_err err = biq_store_tenant_ensure(tx);
    return err == BIQ_OK ? biq_store_alert_sweep_claim(tx, &s->claim) : err;
}

static biq_err release_tx(biq_tx *tx, void *ctx)
{
    scheduled *s = ctx;
    const biq_alert_sweep_result *r = s->result;
    return biq_store_alert_sweep_release(
        tx, &s->claim, s->completed, r->cadence == BIQ_ALERT_CADENCE_DAILY ? "daily" : "hourly",
        (int64_t)r->stats.fired, (int64_t)r->stats.sent, (int64_t)r->stats.failed);
}

static void log_sweep(const biq_alerts_env *env, const char *tenant_id,
                      const biq_alert_sweep_result *r, biq_err err)
{
    if (env->log == NULL)
        return;
    bool bad = err != BIQ_OK || r->failed_projects > 0;
    biq_log_write(env->log, bad ? BIQ_LOG_WARN : BIQ_LOG_INFO, "alert sweep",
                  json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:s}", "tenant", tenant_id, "cadence",
                            r->cadence == BIQ_ALERT_CADENCE_DAILY ? "daily" : "hourly", "alerts",
                            (json_int_t)r->stats.fired, "sent", (json_int_t)r->stats.sent,
                            "failed", (json_int_t)r->stats.failed, "failedProjects",
                            (json_int_t)r->failed_projects, "error", biq_strerror(err)));
}

biq_err biq_alerts_sweep_scheduled(const biq_alerts_env *env, const char *tenant_id,
                                   unsigned min_gap_s, biq_alert_sweep_result *out)
{
    scheduled s = {.claim = {.today = biq_clock_now(env->clock) / BIQ_MS_PER_DAY,
                             .lease_s = BIQ_ALERT_SWEEP_LEASE_S,
                             .min_gap_s = (int)min_gap_s},
                   .result = out};
    *out = (biq_alert_sweep_result){.cadence = BIQ_ALERT_CADENCE_HOURLY};
    biq_err err = biq_tx_run(env->pool, tenant_id, claim_tx, &s);
    out->skip = s.claim.skip;
    if (err != BIQ_OK || s.claim.skip != BIQ_STORE_SWEEP_CLAIMED)
        return err;
    out->ran = true;
    out->cadence = s.claim.daily_due ? BIQ_ALERT_CADENCE_DAILY : BIQ_ALERT_CADENCE_HOURLY;
    err = biq_alerts_sweep_tenant(env, tenant_id, out->cadence, &out->stats,
                                  &out->failed_projects);
    s.completed = !retryable(err);
    /* A release that fails leaves the hold to expire with its lease and
     * the day's daily cadence to run again (sending nothing twice): the
     * alerts are out, so it is no reason to ask for a retry. */
    biq_err released = biq_tx_run(env->pool, tenant_id, release_tx, &s);
    if (!retryable(err))
        err = BIQ_OK;
    log_sweep(env, tenant_id, out, err != BIQ_OK ? err : released);
    return err;
}
