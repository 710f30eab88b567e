/* fuzz_lifecycle.c - the lifecycle trigger body (POST /forge/lifecycle,
 * api/forge.c): biq_request_body_object, then biq_api_lifecycle_type and
 * biq_api_lifecycle_cloud_id (api/bodies.h).
 * Properties: the type is NULL or a string of the body (or its payload);
 * the cloud id is only ever [A-Za-z0-9-]{1,64}, NUL-terminated within its
 * field, and a cloud id the token already carries is never replaced.
 */
#include <string.h>

#include "api/bodies.h"
#include "fuzz_api_body.h"

#define CLOUD_ID_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *body = fuzz_api_body(data, size);
    if (body == NULL)
        return 0;
    const char *type = biq_api_lifecycle_type(body);
    if (type != NULL) {
        const json_t *own = json_object_get(body, "eventType");
        const json_t *inner = json_object_get(json_object_get(body, "payload"), "eventType");
        FUZZ_CHECK(type == json_string_value(own) || type == json_string_value(inner));
    }

    biq_tenant_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    biq_api_lifecycle_cloud_id(body, &ctx);
    size_t n = strnlen(ctx.cloud_id, sizeof ctx.cloud_id);
    FUZZ_CHECK(n < sizeof ctx.cloud_id);
    FUZZ_CHECK(strspn(ctx.cloud_id, CLOUD_ID_CHARS) == n);

    biq_tenant_ctx has;
    memset(&has, 0, sizeof has);
    memcpy(has.cloud_id, "from-token", sizeof "from-token");
    biq_api_lifecycle_cloud_id(body, &has);
    FUZZ_CHECK(strcmp(has.cloud_id, "from-token") == 0);
    json_decref(body);
    return 0;
}
