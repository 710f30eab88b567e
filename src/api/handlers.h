/* handlers.h - the request handlers, one file per area (ops.c, forge.c,
 * tenant.c). Each has the biq_handler signature of http/router.h. */
#ifndef BIQ_API_HANDLERS_H
#define BIQ_API_HANDLERS_H

#include "http/request.h"

enum {
    BIQ_API_SMALL_BODY_MAX = 64 * 1024,         /* lifecycle calls, settings */
    BIQ_API_EVENT_BODY_MAX = 1024 * 1024,       /* Forge drops events over 200 kB */
};

biq_err biq_handle_healthz(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_readyz(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_metrics(void *app, biq_request *req, biq_response *resp);

biq_err biq_handle_lifecycle(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_uninstall(void *app, biq_request *req, biq_response *resp);

biq_err biq_handle_events(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_backfill_start(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_backfill_page(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_changelog_page(void *app, biq_request *req, biq_response *resp);
biq_err biq_handle_catalog(void *app, biq_request *req, biq_response *resp);

biq_err biq_handle_tenant_get(void *app, biq_request *req, biq_response *resp);

/* Parses req's body as one JSON object (duplicate keys rejected) into *out.
 * On failure sets a 400 error naming the problem and returns it. */
biq_err biq_api_parse_body(const biq_request *req, biq_response *resp, json_t **out);

#endif
