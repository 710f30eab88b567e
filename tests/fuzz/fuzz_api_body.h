/* fuzz_api_body.h - loads an input the way the small-body routes do
 * (biq_request_body_object: one JSON object, duplicate keys refused) and checks
 * its refusal contract: a 400/422 error with a message, *out NULL.
 * Header-only (static inline) so each harness stays one translation unit.
 */
#ifndef BIQ_FUZZ_API_BODY_H
#define BIQ_FUZZ_API_BODY_H

#include <string.h>

#include "http/body.h"
#include "fuzz.h"

/* The parsed body (json_decref it), or NULL after checking the refusal. */
static inline json_t *fuzz_api_body(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1); /* the server NUL-terminates bodies */
    FUZZ_CHECK(copy != NULL);
    memcpy(copy, data, size);
    copy[size] = '\0';
    biq_request req = {.method = "POST", .path = "/fuzz", .body = copy, .body_len = size};
    biq_response resp = {0};
    json_t *body = (json_t *)1;
    biq_err err = biq_request_body_object(&req, &resp, &body);
    free(copy);
    if (err != BIQ_OK) {
        FUZZ_CHECK(body == NULL && resp.err == err && resp.message[0] != '\0');
        FUZZ_CHECK(err == BIQ_ERR_INVALID || err == BIQ_ERR_SHAPE);
        return NULL;
    }
    FUZZ_CHECK(json_is_object(body) && resp.err == BIQ_OK);
    return body;
}

#endif
