/* alerts.c - alert rows (see alerts.h). The JSON answers are built by
 * PostgreSQL so that one statement reads one consistent answer. */
#include "store/alerts.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ID_TEXT_MAX = 24 };

#define RULE_JSON                                                                             \
    "json_build_object('id', r.rule_id, 'kind', r.kind, 'name', r.name, 'enabled', r.enabled," \
    " 'params', r.params, 'cooldownMinutes', r.cooldown_minutes,"                             \
    " 'projectKey', r.project_key, 'destinationIds',"                                          \
    " coalesce((SELECT json_agg(b.destination_id ORDER BY b.destination_id)"                 \
    "           FROM alert_rule_destinations b"                                               \
    "           WHERE b.tenant_id = r.tenant_id AND b.rule_id = r.rule_id), '[]'::json),"    \
    " 'createdAt', r.created_at, 'updatedAt', r.updated_at)"

#define DEST_JSON                                                                               \
    "json_build_object('id', d.destination_id, 'kind', d.kind, 'name', d.name,"                 \
    " 'targetHint', right(d.target, 4), 'isDefault', d.is_default,"                             \
    " 'active', d.state = 'active', 'state', d.state,"                                         \
    " 'consecutiveFailures', d.consecutive_failures, 'lastTest', CASE WHEN d.last_test_at IS NULL" \
    " THEN NULL ELSE json_build_object('at', d.last_test_at, 'ok', d.last_test_ok,"             \
    " 'detail', d.last_test_detail) END)"

static const char LIST_RULES[] =
    "SELECT coalesce(json_agg(" RULE_JSON " ORDER BY r.rule_id), '[]')::text"
    " FROM alert_rules r WHERE r.tenant_id = $1 AND ($2::text IS NULL OR r.project_key = $2"
    " OR ($3::boolean AND r.project_key IS NULL))";
static const char GET_RULE[] =
    "SELECT " RULE_JSON "::text FROM alert_rules r WHERE r.tenant_id = $1 AND r.rule_id = $2";
static const char INSERT_RULE[] =
    "INSERT INTO alert_rules (tenant_id, kind, name, enabled, params, cooldown_minutes,"
    " project_key)"
    " SELECT $1, j->>'kind', j->>'name', (j->>'enabled')::boolean, j->'params',"
    " (j->>'cooldownMinutes')::integer, j->>'projectKey' FROM (SELECT $2::jsonb AS j) d"
    " RETURNING rule_id";
static const char UPDATE_RULE[] =
    "UPDATE alert_rules SET kind = j->>'kind', name = j->>'name',"
    " enabled = (j->>'enabled')::boolean, params = j->'params',"
    " cooldown_minutes = (j->>'cooldownMinutes')::integer, project_key = j->>'projectKey',"
    " updated_at = now()"
    " FROM (SELECT $2::jsonb AS j) d WHERE tenant_id = $1 AND rule_id = $3"
    " AND ($4::text IS NULL OR project_key = $4) RETURNING rule_id";
static const char CLEAR_BINDINGS[] =
    "DELETE FROM alert_rule_destinations WHERE tenant_id = $1 AND rule_id = $2";
static const char INSERT_BINDINGS[] =
    "INSERT INTO alert_rule_destinations (tenant_id, rule_id, destination_id)"
    " SELECT DISTINCT $1, $2::bigint, x::bigint FROM jsonb_array_elements_text($3::jsonb) x";
static const char DELETE_RULE[] =
    "DELETE FROM alert_rules WHERE tenant_id = $1 AND rule_id = $2"
    " AND ($3::text IS NULL OR project_key = $3) RETURNING rule_id";

static const char LIST_DESTS[] =
    "SELECT coalesce(json_agg(" DEST_JSON " ORDER BY d.destination_id), '[]')::text"
    " FROM alert_destinations d WHERE d.tenant_id = $1";
static const char GET_DEST[] =
    "SELECT " DEST_JSON "::text FROM alert_destinations d"
    " WHERE d.tenant_id = $1 AND d.destination_id = $2";
static const char DEST_TARGET[] =
    "SELECT kind, target FROM alert_destinations WHERE tenant_id = $1 AND destination_id = $2";
static const char INSERT_DEST[] =
    "INSERT INTO alert_destinations (tenant_id, kind, name, target, is_default, state)"
    " SELECT $1, j->>'kind', j->>'name', j->>'target', (j->>'isDefault')::boolean,"
    " CASE WHEN (j->>'active')::boolean THEN 'active' ELSE 'paused' END"
    " FROM (SELECT $2::jsonb AS j) s RETURNING destination_id";
static const char UPDATE_DEST[] =
    "UPDATE alert_destinations SET kind = j->>'kind', name = j->>'name',"
    " target = coalesce(j->>'target', target), is_default = (j->>'isDefault')::boolean,"
    " state = CASE WHEN (j->>'active')::boolean THEN 'active' ELSE 'paused' END,"
    " consecutive_failures = CASE WHEN (j->>'active')::boolean AND state = 'paused' THEN 0"
    "                        ELSE consecutive_failures END, updated_at = now()"
    " FROM (SELECT $2::jsonb AS j) s WHERE tenant_id = $1 AND destination_id = $3"
    " RETURNING destination_id";
static const char DELETE_DEST[] =
    "DELETE FROM alert_destinations WHERE tenant_id = $1 AND destination_id = $2"
    " RETURNING destination_id";
static const char DEST_RESULT[] =
    "UPDATE alert_destinations SET"
    " consecutive_failures = CASE WHEN $3::boolean THEN 0 ELSE consecutive_failures + 1 END,"
    " state = CASE WHEN NOT $3::boolean AND consecutive_failures + 1 >= $6::integer"
    "         THEN 'paused' ELSE state END,"
    " last_test_at = CASE WHEN $4::boolean THEN now() ELSE last_test_at END,"
    " last_test_ok = CASE WHEN $4::boolean THEN $3::boolean ELSE last_test_ok END,"
    " last_test_detail = CASE WHEN $4::boolean THEN left($5, 200) ELSE last_test_detail END"
    " WHERE tenant_id = $1 AND destination_id = $2 RETURNING destination_id";

static const char RECENT[] =
    "WITH e AS (SELECT e.*, i.key AS issue_key FROM alert_events e"
    "   LEFT JOIN issues i ON i.tenant_id = e.tenant_id AND i.issue_id = e.issue_id"
    "   WHERE e.tenant_id = $1 AND e.project_key = $2"
    "   ORDER BY e.fired_at DESC, e.event_id DESC LIMIT $3::integer)"
    " SELECT coalesce(json_agg(g ORDER BY g.\"latestAt\" DESC, g.\"ruleId\"), '[]')::text FROM ("
    "   SELECT e.rule_id AS \"ruleId\", r.name AS \"ruleName\", r.kind, count(*) AS count,"
    "     max(e.fired_at) AS \"latestAt\","
    "     json_agg(json_build_object('issueId', nullif(e.issue_id, 0), 'issueKey', e.issue_key,"
    "       'statusId', e.status_id, 'valueMs', e.value_ms, 'firedAt', e.fired_at)"
    "       ORDER BY e.fired_at DESC, e.event_id DESC) AS alerts"
    "   FROM e JOIN alert_rules r ON r.tenant_id = e.tenant_id AND r.rule_id = e.rule_id"
    "   GROUP BY e.rule_id, r.name, r.kind) g";

static void id_text(int64_t id, char out[ID_TEXT_MAX])
{
    snprintf(out, ID_TEXT_MAX, "%" PRId64, id);
}

/* Runs sql; the first column of its single row is JSON for *out (when out
 * is not NULL). No row: BIQ_ERR_NOT_FOUND. */
static biq_err one_json(biq_tx *tx, const char *sql, int n, const char *const *params,
                        json_t **out)
{
    PGresult *res = NULL;
    biq_err err = biq_tx_exec(tx, sql, n, params, &res);
    if (out != NULL)
        *out = NULL;
    if (err == BIQ_OK && PQntuples(res) != 1)
        err = BIQ_ERR_NOT_FOUND;
    if (err == BIQ_OK && out != NULL) {
        *out = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
        err = *out != NULL ? BIQ_OK : BIQ_ERR_NOMEM;
    }
    PQclear(res);
    return err;
}

/* Runs a statement that RETURNs one id; that id in *id. */
static biq_err returning_id(biq_tx *tx, const char *sql, int n, const char *const *params,
                            int64_t *id)
{
    PGresult *res = NULL;
    biq_err err = biq_tx_exec(tx, sql, n, params, &res);
    if (err == BIQ_OK && PQntuples(res) != 1)
        err = BIQ_ERR_NOT_FOUND;
    if (err == BIQ_OK)
        *id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return err;
}

biq_err biq_store_alert_rules_list(biq_tx *tx, const char *project_key, bool with_site_wide,
                                   json_t **out)
{
    const char *params[] = {biq_tx_tenant(tx), project_key, with_site_wide ? "true" : "false"};
    return one_json(tx, LIST_RULES, 3, params, out);
}

/* Inserts (id 0) or updates the row of doc; the id in *id. An update
 * statement of 4 parameters also gets scope ($4: only rows of that
 * project, or any when NULL). */
static biq_err upsert(biq_tx *tx, const char *insert_sql, const char *update_sql,
                      int update_params, int64_t *id, const char *doc, const char *scope)
{
    char id_s[ID_TEXT_MAX];
    id_text(*id, id_s);
    const char *params[] = {biq_tx_tenant(tx), doc, id_s, scope};
    return *id == 0 ? returning_id(tx, insert_sql, 2, params, id)
                    : returning_id(tx, update_sql, update_params, params, id);
}

biq_err biq_store_alert_rule_save(biq_tx *tx, int64_t id, const json_t *rule, const char *scope,
                                  json_t **out)
{
    char id_s[ID_TEXT_MAX];
    char *doc = json_dumps(rule, JSON_COMPACT);
    char *ids = json_dumps(json_object_get(rule, "destinationIds"), JSON_COMPACT);
    biq_err err = BIQ_ERR_NOMEM;
    *out = NULL;
    if (doc == NULL || ids == NULL)
        goto out;
    if ((err = upsert(tx, INSERT_RULE, UPDATE_RULE, 4, &id, doc, scope)) != BIQ_OK)
        goto out;
    id_text(id, id_s);
    const char *params[] = {biq_tx_tenant(tx), id_s, ids};
    if ((err = biq_tx_exec(tx, CLEAR_BINDINGS, 2, params, NULL)) != BIQ_OK ||
        (err = biq_tx_exec(tx, INSERT_BINDINGS, 3, params, NULL)) != BIQ_OK)
        goto out;
    err = one_json(tx, GET_RULE, 2, params, out);
out:
    free(doc);
    free(ids);
    return err;
}

static biq_err delete_by_id(biq_tx *tx, const char *sql, int64_t id)
{
    char id_s[ID_TEXT_MAX];
    id_text(id, id_s);
    const char *params[] = {biq_tx_tenant(tx), id_s};
    return returning_id(tx, sql, 2, params, &id);
}

biq_err biq_store_alert_rule_delete(biq_tx *tx, int64_t id, const char *scope)
{
    char id_s[ID_TEXT_MAX];
    id_text(id, id_s);
    const char *params[] = {biq_tx_tenant(tx), id_s, scope};
    return returning_id(tx, DELETE_RULE, 3, params, &id);
}

biq_err biq_store_alert_destinations_list(biq_tx *tx, json_t **out)
{
    const char *params[] = {biq_tx_tenant(tx)};
    return one_json(tx, LIST_DESTS, 1, params, out);
}

biq_err biq_store_alert_destination_target(biq_tx *tx, int64_t id, char *kind, char **target)
{
    char id_s[ID_TEXT_MAX];
    PGresult *res = NULL;
    id_text(id, id_s);
    const char *params[] = {biq_tx_tenant(tx), id_s};
    biq_err err = biq_tx_exec(tx, DEST_TARGET, 2, params, &res);
    if (target != NULL)
        *target = NULL;
    if (err == BIQ_OK && PQntuples(res) != 1)
        err = BIQ_ERR_NOT_FOUND;
    if (err == BIQ_OK) {
        snprintf(kind, BIQ_STORE_ALERT_KIND_MAX, "%s", PQgetvalue(res, 0, 0));
        if (target != NULL && (*target = strdup(PQgetvalue(res, 0, 1))) == NULL)
            err = BIQ_ERR_NOMEM;
    }
    PQclear(res);
    return err;
}

biq_err biq_store_alert_destination_kind(biq_tx *tx, int64_t id, char *kind)
{
    return biq_store_alert_destination_target(tx, id, kind, NULL);
}

biq_err biq_store_alert_destination_save(biq_tx *tx, int64_t id, const json_t *doc, json_t **out)
{
    char id_s[ID_TEXT_MAX];
    char *text = json_dumps(doc, JSON_COMPACT);
    biq_err err = text != NULL ? upsert(tx, INSERT_DEST, UPDATE_DEST, 3, &id, text, NULL) : BIQ_ERR_NOMEM;
    *out = NULL;
    if (text != NULL)
        explicit_bzero(text, strlen(text)); /* it may hold a webhook URL */
    free(text);
    if (err != BIQ_OK)
        return err;
    id_text(id, id_s);
    const char *params[] = {biq_tx_tenant(tx), id_s};
    return one_json(tx, GET_DEST, 2, params, out);
}

biq_err biq_store_alert_destination_delete(biq_tx *tx, int64_t id)
{
    return delete_by_id(tx, DELETE_DEST, id);
}

biq_err biq_store_alert_destination_result(biq_tx *tx, int64_t id, bool ok, bool is_test,
                                           const char *detail)
{
    char id_s[ID_TEXT_MAX], pause[ID_TEXT_MAX];
    id_text(id, id_s);
    id_text(BIQ_STORE_ALERT_PAUSE_AFTER, pause);
    const char *params[] = {biq_tx_tenant(tx), id_s, ok ? "true" : "false",
                            is_test ? "true" : "false", detail != NULL ? detail : "", pause};
    return returning_id(tx, DEST_RESULT, 6, params, &id);
}

biq_err biq_store_alerts_recent(biq_tx *tx, const char *project_key, json_t **out)
{
    char limit[ID_TEXT_MAX];
    id_text(BIQ_STORE_ALERTS_RECENT, limit);
    const char *params[] = {biq_tx_tenant(tx), project_key, limit};
    return one_json(tx, RECENT, 3, params, out);
}

static const char PROJECTS[] =
    "SELECT coalesce(json_agg(project_key ORDER BY project_key), '[]')::text"
    " FROM data_versions WHERE tenant_id = $1";
static const char INSERT_EVENT[] =
    "INSERT INTO alert_events (tenant_id, rule_id, issue_id, utc_day, project_key, status_id,"
    " value_ms) VALUES ($1, $2, $3, $4, $5, nullif($6::bigint, 0), $7)"
    " ON CONFLICT (tenant_id, rule_id, issue_id, utc_day) DO NOTHING RETURNING event_id";
static const char RULE_TARGETS[] =
    "SELECT coalesce(json_agg(json_build_object('id', d.destination_id, 'kind', d.kind,"
    " 'target', d.target) ORDER BY d.destination_id), '[]')::text FROM alert_destinations d"
    " WHERE d.tenant_id = $1 AND d.state = 'active' AND CASE"
    "  WHEN EXISTS (SELECT 1 FROM alert_rule_destinations b WHERE b.tenant_id = $1"
    "               AND b.rule_id = $2)"
    "  THEN d.destination_id IN (SELECT b.destination_id FROM alert_rule_destinations b"
    "                            WHERE b.tenant_id = $1 AND b.rule_id = $2)"
    "  ELSE d.is_default END";
static const char CLAIM_COOLDOWN[] =
    "INSERT INTO alert_cooldowns AS c (tenant_id, rule_id, destination_id, last_sent_at)"
    " VALUES ($1, $2, $3, now()) ON CONFLICT (tenant_id, rule_id, destination_id)"
    " DO UPDATE SET last_sent_at = now()"
    " WHERE c.last_sent_at <= now() - make_interval(mins => $4::integer) RETURNING 1";

biq_err biq_store_alert_projects(biq_tx *tx, json_t **out)
{
    const char *params[] = {biq_tx_tenant(tx)};
    return one_json(tx, PROJECTS, 1, params, out);
}

biq_err biq_store_alert_event_insert(biq_tx *tx, int64_t rule_id, int64_t issue_id,
                                     int64_t utc_day, const char *project_key, int64_t status_id,
                                     int64_t value_ms, bool *inserted)
{
    char rule_s[ID_TEXT_MAX], issue_s[ID_TEXT_MAX], day_s[ID_TEXT_MAX], status_s[ID_TEXT_MAX],
        value_s[ID_TEXT_MAX];
    id_text(rule_id, rule_s);
    id_text(issue_id, issue_s);
    id_text(utc_day, day_s);
    id_text(status_id, status_s);
    id_text(value_ms, value_s);
    const char *params[] = {biq_tx_tenant(tx), rule_s, issue_s, day_s, project_key, status_s,
                            value_s};
    int64_t id = 0;
    biq_err err = returning_id(tx, INSERT_EVENT, 7, params, &id);
    *inserted = err == BIQ_OK;
    return err == BIQ_ERR_NOT_FOUND ? BIQ_OK : err;
}

biq_err biq_store_alert_rule_targets(biq_tx *tx, int64_t rule_id, json_t **out)
{
    char rule_s[ID_TEXT_MAX];
    id_text(rule_id, rule_s);
    const char *params[] = {biq_tx_tenant(tx), rule_s};
    return one_json(tx, RULE_TARGETS, 2, params, out);
}

biq_err biq_store_alert_cooldown_claim(biq_tx *tx, int64_t rule_id, int64_t destination_id,
                                       int cooldown_minutes, bool *claimed)
{
    char rule_s[ID_TEXT_MAX], dest_s[ID_TEXT_MAX], mins[ID_TEXT_MAX];
    id_text(rule_id, rule_s);
    id_text(destination_id, dest_s);
    id_text(cooldown_minutes, mins);
    const char *params[] = {biq_tx_tenant(tx), rule_s, dest_s, mins};
    int64_t one = 0;
    biq_err err = returning_id(tx, CLAIM_COOLDOWN, 4, params, &one);
    *claimed = err == BIQ_OK;
    return err == BIQ_ERR_NOT_FOUND ? BIQ_OK : err;
}

/* The hold is taken by the row lock of one conditional upsert: a second
 * claim waits for the first to commit, then sees its hold. */
static const char SWEEP_CLAIM[] =
    "INSERT INTO alert_sweeps AS s (tenant_id, running_since) VALUES ($1, clock_timestamp())"
    " ON CONFLICT (tenant_id) DO UPDATE SET running_since = excluded.running_since"
    " WHERE (s.running_since IS NULL"
    "        OR s.running_since < now() - make_interval(secs => $2::integer))"
    "   AND (s.last_finished_at IS NULL"
    "        OR s.last_finished_at <= now() - make_interval(secs => $3::integer))"
    " RETURNING coalesce(s.daily_day, -1) < $4::integer, s.running_since::text";
static const char SWEEP_WHY_NOT[] =
    "SELECT coalesce(running_since >= now() - make_interval(secs => $2::integer), false)"
    " FROM alert_sweeps WHERE tenant_id = $1";
static const char SWEEP_RELEASE[] =
    "UPDATE alert_sweeps SET"
    " running_since = CASE WHEN running_since = $2::timestamptz THEN NULL ELSE running_since END,"
    " daily_day = CASE WHEN $3::boolean AND $4::text = 'daily'"
    "             THEN greatest(coalesce(daily_day, 0), $5::integer) ELSE daily_day END,"
    " last_finished_at = CASE WHEN $3::boolean THEN now() ELSE last_finished_at END,"
    " last_cadence = CASE WHEN $3::boolean THEN $4::text ELSE last_cadence END,"
    " last_alerts = CASE WHEN $3::boolean THEN least($6::bigint, 2147483647) ELSE last_alerts END,"
    " last_sent = CASE WHEN $3::boolean THEN least($7::bigint, 2147483647) ELSE last_sent END,"
    " last_failed = CASE WHEN $3::boolean THEN least($8::bigint, 2147483647) ELSE last_failed END"
    " WHERE tenant_id = $1";

biq_err biq_store_alert_sweep_claim(biq_tx *tx, biq_store_alert_sweep *s)
{
    char lease[ID_TEXT_MAX], gap[ID_TEXT_MAX], today[ID_TEXT_MAX];
    PGresult *res = NULL;
    id_text(s->lease_s, lease);
    id_text(s->min_gap_s, gap);
    id_text(s->today, today);
    const char *params[] = {biq_tx_tenant(tx), lease, gap, today};
    s->skip = BIQ_STORE_SWEEP_RUNNING;
    s->daily_due = false;
    s->hold[0] = '\0';
    biq_err err = biq_tx_exec(tx, SWEEP_CLAIM, 4, params, &res);
    if (err == BIQ_OK && PQntuples(res) == 1) {
        s->skip = BIQ_STORE_SWEEP_CLAIMED;
        s->daily_due = PQgetvalue(res, 0, 0)[0] == 't';
        snprintf(s->hold, sizeof s->hold, "%s", PQgetvalue(res, 0, 1));
    }
    PQclear(res);
    res = NULL;
    if (err != BIQ_OK || s->skip == BIQ_STORE_SWEEP_CLAIMED)
        return err;
    err = biq_tx_exec(tx, SWEEP_WHY_NOT, 2, params, &res);
    if (err == BIQ_OK && PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] != 't')
        s->skip = BIQ_STORE_SWEEP_RECENT;
    PQclear(res);
    return err;
}

biq_err biq_store_alert_sweep_release(biq_tx *tx, const biq_store_alert_sweep *s, bool completed,
                                      const char *cadence, int64_t alerts, int64_t sent,
                                      int64_t failed)
{
    char today[ID_TEXT_MAX], alerts_s[ID_TEXT_MAX], sent_s[ID_TEXT_MAX], failed_s[ID_TEXT_MAX];
    id_text(s->today, today);
    id_text(alerts, alerts_s);
    id_text(sent, sent_s);
    id_text(failed, failed_s);
    const char *params[] = {biq_tx_tenant(tx), s->hold, completed ? "true" : "false", cadence,
                            today, alerts_s, sent_s, failed_s};
    return biq_tx_exec(tx, SWEEP_RELEASE, 8, params, NULL);
}
