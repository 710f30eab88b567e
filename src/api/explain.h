/* explain.h - the dashboard's bottleneck explanation, AI-worded when the
 * tenant allows it (explain/explain.h does the work). */
#ifndef BIQ_API_EXPLAIN_H
#define BIQ_API_EXPLAIN_H

#include <jansson.h>
#include <stdbool.h>

#include "api/app.h"

/* Rewrites dashboard.bottleneck.explanation and .explanationSource in place
 * ("ai" with the model's checked sentence, or "template" with the sentence
 * already there). Reads only the bottleneck's statusName, confidence,
 * score, reasons and explanation; a bottleneck without a statusId (sparse,
 * healthy) is left alone. A fallback is logged with its reason at info
 * level (never the sentence, names or key). Returns BIQ_ERR_NOMEM only when
 * the JSON could not be updated; the dashboard is valid in every case.
 * May block up to the client's timeouts (explain/explain.h), unless
 * app->explain_breaker (explain/breaker.h) is open after failed calls: then
 * the template is used at once. */
biq_err biq_explain_for_dashboard(const biq_app *app, bool tenant_ai_enabled, json_t *dashboard);

#endif
