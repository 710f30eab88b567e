/* replay_main.c - runs a harness over files and directories of inputs, the
 * way `harness -runs=0 corpus/` does under libFuzzer, for `make test`.
 *
 * Usage: fuzz_<name> [-flag=...]... (file|dir)...  Flags starting with '-'
 * are ignored (libFuzzer compatibility); directories are read one level
 * deep, skipping dot files. Each input is copied into a buffer of exactly
 * its size, so ASan sees any over-read. Prints a Check-style summary
 * ("Checks: 1, Failures: F, Errors: 0") that scripts/test.sh counts: the
 * replay is one test per harness. No input at all is a failure (a missing
 * corpus must not pass silently); a crash ends the process without a
 * summary, which the runner also counts as a failure.
 */
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path, size_t *count)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf != NULL && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            uint8_t *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                buf = NULL;
            } else {
                buf = bigger;
                cap *= 2;
            }
        }
    }
    int bad = buf == NULL || ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        fprintf(stderr, "replay: cannot read %s\n", path);
        return -1;
    }
    uint8_t *exact = malloc(len > 0 ? len : 1); /* exact size: over-reads are caught */
    if (exact == NULL) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    (*count)++;
    return 0;
}

static int run_path(const char *path, size_t *count)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: no such input %s\n", path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return run_file(path, count);
    DIR *d = opendir(path);
    if (d == NULL)
        return -1;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        size_t n = strlen(path) + strlen(e->d_name) + 2;
        char *full = malloc(n);
        if (full == NULL) {
            rc = -1;
            break;
        }
        snprintf(full, n, "%s/%s", path, e->d_name);
        if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && run_file(full, count) != 0)
            rc = -1;
        free(full);
    }
    closedir(d);
    return rc;
}

int main(int argc, char **argv)
{
    size_t count = 0;
    int failures = 0;
    LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-')
            continue;
        if (run_path(argv[i], &count) != 0)
            failures = 1;
    }
    if (count == 0) {
        fprintf(stderr, "replay: %s: no inputs\n", argv[0]);
        failures = 1;
    }
    printf("fuzz replay: %s: %zu inputs %s\n", argv[0], count, failures ? "FAILED" : "ok");
    printf("Checks: 1, Failures: %d, Errors: 0\n", failures);
    return failures;
}
