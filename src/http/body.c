/* body.c - a request body as one JSON object (see body.h). */
#include "http/body.h"

biq_err biq_request_body_object(const biq_request *req, biq_response *resp, json_t **out)
{
    json_error_t jerr;
    *out = NULL;
    if (req->body_len == 0)
        return biq_response_error(resp, BIQ_ERR_INVALID, "request body is empty");
    json_t *root = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
        return biq_response_error(resp, BIQ_ERR_INVALID, "body is not valid JSON: %s (line %d)",
                                  jerr.text, jerr.line);
    if (!json_is_object(root)) {
        json_decref(root);
        return biq_response_error(resp, BIQ_ERR_SHAPE, "body must be a JSON object");
    }
    *out = root;
    return BIQ_OK;
}
