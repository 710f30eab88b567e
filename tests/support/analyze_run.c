/* analyze_run.c - `biq analyze` in-process with captured output (see
 * analyze_run.h). */
#include "analyze_run.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/analyze.h"

/* The whole of f, from its start. */
static char *slurp(FILE *f)
{
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    ck_assert_int_ge(n, 0);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    return buf;
}

analyze_output analyze_run(const char *const *args, size_t n)
{
    char *argv[ANALYZE_RUN_ARGS_MAX + 1];
    ck_assert_uint_le(n, ANALYZE_RUN_ARGS_MAX);
    for (size_t i = 0; i < n; i++)
        argv[i] = (char *)args[i];
    argv[n] = NULL;
    FILE *out = tmpfile(), *err = tmpfile();
    ck_assert(out != NULL && err != NULL);
    analyze_output r = {.rc = biq_cli_analyze_run(out, err, (int)n, argv)};
    r.out = slurp(out);
    r.err = slurp(err);
    fclose(out);
    fclose(err);
    return r;
}

void analyze_run_free(analyze_output *r)
{
    free(r->out);
    free(r->err);
}
