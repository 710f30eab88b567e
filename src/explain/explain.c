/* explain.c - the decision between the model's sentence and the template
 * (see explain.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain/explain.h"

static const char *const FALLBACK_NAMES[] = {
    [BIQ_EXPLAIN_OK] = "none",
    [BIQ_EXPLAIN_DISABLED] = "disabled_for_tenant",
    [BIQ_EXPLAIN_NO_KEY] = "no_api_key",
    [BIQ_EXPLAIN_UNSUPPORTED] = "unsupported_signals",
    [BIQ_EXPLAIN_HTTP_ERROR] = "http_error",
    [BIQ_EXPLAIN_TIMEOUT] = "timeout",
    [BIQ_EXPLAIN_SUSPENDED] = "ai_suspended",
    [BIQ_EXPLAIN_NETWORK] = "network_error",
    [BIQ_EXPLAIN_BAD_RESPONSE] = "bad_response",
    [BIQ_EXPLAIN_BAD_ANSWER] = "bad_answer",
    [BIQ_EXPLAIN_INTERNAL] = "internal_error",
};

const char *biq_explain_fallback_name(biq_explain_fallback f)
{
    size_t i = (size_t)f;
    return i < sizeof FALLBACK_NAMES / sizeof FALLBACK_NAMES[0] ? FALLBACK_NAMES[i] : "unknown";
}

const char *biq_explain_source_name(const biq_explain_result *r)
{
    return r->ai ? "ai" : "template";
}

static biq_err copy_into(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size)
        return BIQ_ERR_INVALID;
    memcpy(dst, src, n + 1);
    return BIQ_OK;
}

biq_err biq_explain_config_init(biq_explain_config *cfg, const char *api_key, const char *url,
                                const char *model)
{
    *cfg = (biq_explain_config){
        .connect_timeout_ms = BIQ_EXPLAIN_CONNECT_TIMEOUT_MS,
        .total_timeout_ms = BIQ_EXPLAIN_TOTAL_TIMEOUT_MS,
        .retry_wait_max_ms = BIQ_EXPLAIN_RETRY_WAIT_MAX_MS,
    };
    biq_err err = copy_into(cfg->api_key, sizeof cfg->api_key, api_key ? api_key : "");
    if (err == BIQ_OK)
        err = copy_into(cfg->url, sizeof cfg->url, url ? url : BIQ_EXPLAIN_DEFAULT_URL);
    if (err == BIQ_OK)
        err = copy_into(cfg->model, sizeof cfg->model, model ? model : BIQ_EXPLAIN_DEFAULT_MODEL);
    return err;
}

static void fall_back(biq_explain_result *out, biq_explain_fallback f, const char *why)
{
    out->ai = false;
    out->fallback = f;
    snprintf(out->why, sizeof out->why, "%s", why);
}

/* Asks the model; on success out->sentence holds the checked, filled one. */
static void ask(const biq_explain_config *cfg, const biq_explain_input *in, const char *stage,
                const char *confidence, biq_explain_result *out)
{
    char why[BIQ_EXPLAIN_WHY_MAX] = "";
    char *text = NULL;
    char sentence[BIQ_EXPLAIN_OUTPUT_MAX];
    json_t *body = biq_explain_request(in, cfg->model);
    biq_explain_fallback f = BIQ_EXPLAIN_INTERNAL;
    if (body == NULL) {
        fall_back(out, f, "could not build the request");
        goto out;
    }
    f = biq_explain_call(cfg, body, &text, why, sizeof why);
    if (f != BIQ_EXPLAIN_OK) {
        fall_back(out, f, why);
        goto out;
    }
    if (biq_explain_check(in, text, stage, confidence, sentence, sizeof sentence, why,
                          sizeof why) != BIQ_OK) {
        fall_back(out, BIQ_EXPLAIN_BAD_ANSWER, why);
        goto out;
    }
    memcpy(out->sentence, sentence, sizeof out->sentence);
    out->ai = true;
out:
    free(text);
    json_decref(body);
}

void biq_explain_sentence(const biq_explain_config *cfg, bool tenant_enabled,
                          const biq_explain_input *in, const char *stage,
                          const char *confidence, const char *template_sentence,
                          biq_explain_result *out)
{
    *out = (biq_explain_result){.fallback = BIQ_EXPLAIN_OK};
    snprintf(out->sentence, sizeof out->sentence, "%s", template_sentence);
    if (!tenant_enabled)
        fall_back(out, BIQ_EXPLAIN_DISABLED, "");
    else if (cfg == NULL || cfg->api_key[0] == '\0')
        fall_back(out, BIQ_EXPLAIN_NO_KEY, "");
    else if (in == NULL || stage == NULL || confidence == NULL)
        fall_back(out, BIQ_EXPLAIN_UNSUPPORTED, "");
    else
        ask(cfg, in, stage, confidence, out);
}
