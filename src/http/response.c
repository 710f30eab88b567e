/* response.c - small helpers handlers use to answer (see request.h). */
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

#include "http/request.h"
#include "http/router.h"

biq_err biq_request_query(const biq_request *req, const char *name, const char **value)
{
    const char *raw = MHD_lookup_connection_value(req->connection, MHD_GET_ARGUMENT_KIND, name);
    *value = NULL;
    if (raw == NULL)
        return BIQ_OK;
    *value = biq_percent_decode(req->arena, raw, strlen(raw), BIQ_QUERY_VALUE_MAX);
    return *value != NULL ? BIQ_OK : BIQ_ERR_INVALID;
}

void biq_response_json(biq_response *resp, unsigned status, json_t *body)
{
    json_decref(resp->json);
    resp->json = body;
    resp->status = status;
}

biq_err biq_response_error(biq_response *resp, biq_err err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(resp->message, sizeof resp->message, fmt, ap);
    va_end(ap);
    resp->err = err;
    return err;
}
