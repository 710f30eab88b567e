/* err.c - names and HTTP statuses of biq_err values. */
#include "common/err.h"

#include <stddef.h>

struct err_info {
    const char *text;
    const char *code;
    unsigned status;
};

static const struct err_info ERR_TABLE[BIQ_ERR__COUNT] = {
    [BIQ_OK] = {"success", "ok", 200},
    [BIQ_ERR_NOMEM] = {"out of memory", "internal_error", 500},
    [BIQ_ERR_INVALID] = {"invalid input", "bad_request", 400},
    [BIQ_ERR_SHAPE] = {"unexpected shape", "unprocessable", 422},
    [BIQ_ERR_UNAUTHORIZED] = {"unauthorized", "unauthorized", 401},
    [BIQ_ERR_FORBIDDEN] = {"forbidden", "forbidden", 403},
    [BIQ_ERR_NOT_FOUND] = {"not found", "not_found", 404},
    [BIQ_ERR_METHOD] = {"method not allowed", "method_not_allowed", 405},
    [BIQ_ERR_TOO_LARGE] = {"too large", "payload_too_large", 413},
    [BIQ_ERR_MEDIA_TYPE] = {"unsupported media type", "unsupported_media_type", 415},
    [BIQ_ERR_CONFLICT] = {"conflict", "conflict", 409},
    [BIQ_ERR_LIMIT] = {"limit exceeded", "limit_exceeded", 400},
    [BIQ_ERR_DB] = {"database error", "database_unavailable", 503},
    [BIQ_ERR_UNAVAILABLE] = {"unavailable", "unavailable", 503},
    [BIQ_ERR_IO] = {"i/o error", "internal_error", 500},
    [BIQ_ERR_CONFIG] = {"configuration error", "internal_error", 500},
    [BIQ_ERR_CRYPTO] = {"crypto library error", "internal_error", 500},
    [BIQ_ERR_INTERNAL] = {"internal error", "internal_error", 500},
};

static const struct err_info *err_info(biq_err err)
{
    if ((unsigned)err >= (unsigned)BIQ_ERR__COUNT)
        return NULL;
    return &ERR_TABLE[err];
}

const char *biq_strerror(biq_err err)
{
    const struct err_info *info = err_info(err);
    return info ? info->text : "unknown error";
}

const char *biq_err_code(biq_err err)
{
    const struct err_info *info = err_info(err);
    return info ? info->code : "internal_error";
}

unsigned biq_err_http_status(biq_err err)
{
    const struct err_info *info = err_info(err);
    return info ? info->status : 500;
}
