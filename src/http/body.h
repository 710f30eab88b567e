/* body.h - the one reading of a JSON request body that most routes share:
 * one JSON object, duplicate keys refused. Bodies in Jira's own shapes go
 * through ingest/ingest.h's limits instead (biq_ingest_load). */
#ifndef BIQ_HTTP_BODY_H
#define BIQ_HTTP_BODY_H

#include <jansson.h>

#include "http/request.h"

/* Parses req's body as one JSON object (duplicate keys rejected) into *out.
 * On failure sets a 400 error naming the problem and returns it. */
biq_err biq_request_body_object(const biq_request *req, biq_response *resp, json_t **out);

#endif
