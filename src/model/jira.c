/* jira.c - the few behaviours of the model: status category names. */
#include "model/jira.h"

#include <string.h>

/* Jira's statusCategory.key for each category, and "undefined" for none. */
static const char *const CATEGORY_KEYS[] = {
    [BIQ_CAT_UNKNOWN] = "undefined",
    [BIQ_CAT_NEW] = "new",
    [BIQ_CAT_ACTIVE] = "indeterminate",
    [BIQ_CAT_DONE] = "done",
};

biq_status_category biq_status_category_parse(const char *key)
{
    for (size_t i = 0; key != NULL && i < sizeof CATEGORY_KEYS / sizeof CATEGORY_KEYS[0]; i++) {
        if (strcmp(key, CATEGORY_KEYS[i]) == 0)
            return (biq_status_category)i;
    }
    return BIQ_CAT_UNKNOWN;
}

const char *biq_status_category_name(biq_status_category c)
{
    return (unsigned)c < sizeof CATEGORY_KEYS / sizeof CATEGORY_KEYS[0] ? CATEGORY_KEYS[c]
                                                                         : "undefined";
}
