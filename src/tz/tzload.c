/* tzload.c - reads a zone's TZif file; the only I/O of src/tz. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tz/tz.h"

#define BIQ_TZ_DEFAULT_DIR "/usr/share/zoneinfo"

enum { PATH_MAX_LEN = 512 };

static bool name_char_ok(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '/' || c == '_' || c == '+' || c == '-';
}

bool biq_tz_name_valid(const char *name)
{
    if (!name || name[0] == '\0' || name[0] == '/' || name[0] == '-')
        return false;
    size_t n = strnlen(name, BIQ_TZ_NAME_MAX + 1);
    if (n > BIQ_TZ_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!name_char_ok(name[i]))
            return false; /* also rules out "." and ".." components */
        if (name[i] == '/' && (name[i + 1] == '/' || name[i + 1] == '\0'))
            return false;
    }
    return true;
}

biq_err biq_tz_load(const char *dir, const char *name, biq_arena *arena, biq_tz **out)
{
    biq_err err = BIQ_ERR_INVALID;
    char path[PATH_MAX_LEN];
    unsigned char *buf = NULL;
    FILE *f = NULL;
    if (!biq_tz_name_valid(name))
        goto out;
    int n = snprintf(path, sizeof path, "%s/%s", dir ? dir : BIQ_TZ_DEFAULT_DIR, name);
    if (n < 0 || (size_t)n >= sizeof path)
        goto out;
    if (!(f = fopen(path, "rb"))) {
        err = errno == ENOENT || errno == ENOTDIR ? BIQ_ERR_NOT_FOUND : BIQ_ERR_IO;
        goto out;
    }
    if (!(buf = biq_arena_alloc(arena, BIQ_TZ_FILE_MAX + 1))) {
        err = BIQ_ERR_NOMEM;
        goto out;
    }
    size_t len = fread(buf, 1, BIQ_TZ_FILE_MAX + 1, f);
    if (ferror(f)) {
        err = BIQ_ERR_IO;
        goto out;
    }
    err = len > BIQ_TZ_FILE_MAX ? BIQ_ERR_INVALID : biq_tz_parse(buf, len, name, arena, out);
out:
    if (f)
        fclose(f);
    return err;
}
