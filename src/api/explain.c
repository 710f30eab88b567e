/* explain.c - glue from the dashboard JSON to explain/explain.h. */
#include "api/explain.h"

#include <string.h>

#include "common/clock.h"
#include "explain/breaker.h"
#include "explain/explain.h"

enum { MS_PER_S = 1000 };

/* Whether the model would be asked: a key, and the tenant's switch on. */
static bool ai_wanted(const biq_app *app, bool tenant_ai_enabled)
{
    return tenant_ai_enabled && app->explain != NULL && app->explain->api_key[0] != '\0';
}

/* The template as the result, without calling: the breaker is open. */
static void suspended(const char *tmpl, biq_explain_result *r)
{
    size_t n = strlen(tmpl) < sizeof r->sentence ? strlen(tmpl) : sizeof r->sentence - 1;
    *r = (biq_explain_result){.ai = false, .fallback = BIQ_EXPLAIN_SUSPENDED};
    memcpy(r->sentence, tmpl, n);
    r->sentence[n] = '\0';
    memcpy(r->why, "recent calls failed", sizeof "recent calls failed");
}

static void log_suspension(const biq_app *app)
{
    if (app->log != NULL)
        biq_log_write(app->log, BIQ_LOG_WARN, "ai explanations suspended",
                      json_pack("{s:i,s:i}", "failures", BIQ_EXPLAIN_BREAKER_FAILURES, "seconds",
                                BIQ_EXPLAIN_BREAKER_OPEN_MS / MS_PER_S));
}

/* The confidence word, score and reasons of a found bottleneck as the
 * explain input; BIQ_ERR_INVALID when anything is not what the flow core
 * writes. */
static biq_err input_from_json(const json_t *bn, biq_explain_input *in)
{
    const char *reasons[BIQ_EXPLAIN_MAX_SIGNALS];
    const json_t *arr = json_object_get(bn, "reasons");
    const json_t *score = json_object_get(bn, "score");
    size_t n = json_array_size(arr);
    if (!json_is_array(arr) || n > BIQ_EXPLAIN_MAX_SIGNALS || !json_is_integer(score))
        return BIQ_ERR_INVALID;
    for (size_t i = 0; i < n; i++)
        reasons[i] = json_string_value(json_array_get(arr, i));
    return biq_explain_input_parse(json_string_value(json_object_get(bn, "confidence")),
                                   json_integer_value(score), reasons, n, in);
}

static void log_fallback(const biq_app *app, const biq_explain_result *r)
{
    if (r->fallback == BIQ_EXPLAIN_DISABLED || r->fallback == BIQ_EXPLAIN_NO_KEY ||
        app->log == NULL)
        return;
    biq_log_write(app->log, BIQ_LOG_INFO, "ai explanation fell back to the template",
                  json_pack("{s:s,s:s}", "reason", biq_explain_fallback_name(r->fallback),
                            "detail", r->why));
}

biq_err biq_explain_for_dashboard(const biq_app *app, bool tenant_ai_enabled, json_t *dashboard)
{
    json_t *bn = json_object_get(dashboard, "bottleneck");
    const char *stage = json_string_value(json_object_get(bn, "statusName"));
    const char *confidence = json_string_value(json_object_get(bn, "confidence"));
    const char *tmpl = json_string_value(json_object_get(bn, "explanation"));
    if (!json_is_object(bn) || json_is_null(json_object_get(bn, "statusId")) || tmpl == NULL)
        return BIQ_OK;
    biq_explain_input in;
    bool readable = stage != NULL && input_from_json(bn, &in) == BIQ_OK;
    biq_explain_result r;
    bool wanted = ai_wanted(app, tenant_ai_enabled);
    if (wanted && !biq_explain_breaker_allow(app->explain_breaker, biq_clock_monotonic_ms())) {
        suspended(tmpl, &r);
    } else {
        biq_explain_sentence(app->explain, tenant_ai_enabled, readable ? &in : NULL, stage,
                             confidence, tmpl, &r);
        if (wanted && biq_explain_breaker_record(app->explain_breaker, r.fallback, biq_clock_monotonic_ms()))
            log_suspension(app);
    }
    log_fallback(app, &r);
    if (json_object_set_new(bn, "explanation", json_string(r.sentence)) != 0 ||
        json_object_set_new(bn, "explanationSource", json_string(biq_explain_source_name(&r))) != 0)
        return BIQ_ERR_NOMEM;
    return BIQ_OK;
}
