/* gen.c - `biq gen`: writes synthetic Jira data (src/gen) as the files the
 * backfill would receive: OUTDIR/<KEY>-page-NNNN.json search pages of 100
 * issues, changelog-<issueid>.json for issues whose embedded changelog is
 * truncated, statuses.json and sprints.json. The same options give the same
 * bytes (the clock is an option, fixed by default). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/commands.h"
#include "gen/gen.h"

enum {
    GEN_CLI_PATH_MAX = 4096,
    GEN_CLI_ERR_MAX = 256,
    GEN_CLI_PROGRESS_MIN = 10000, /* report progress for runs this large */
    GEN_CLI_PROGRESS_EVERY = 50,  /* pages between progress lines */
    GEN_CLI_DEFAULT_ISSUES = 1000,
    GEN_CLI_DEFAULT_PROJECTS = 3,
    GEN_CLI_DUMP_FLAGS = JSON_COMPACT | JSON_PRESERVE_ORDER,
};

typedef struct gen_opts {
    biq_gen_config cfg;
    const char *out;
    const char *boards; /* --boards DIR: board configurations, NULL: none */
} gen_opts;

static void usage(FILE *f)
{
    fprintf(f, "usage: biq gen [--seed N] [--issues N] [--projects N] [--now ISO|now]\n"
               "               [--boards BOARDDIR] --out DIR\n"
               "\n"
               "Writes synthetic Jira data: DIR/<KEY>-page-NNNN.json (search pages of %d\n"
               "issues with changelogs), DIR/changelog-<id>.json (full changelogs of the\n"
               "issues whose embedded one is truncated), DIR/statuses.json, DIR/sprints.json;\n"
               "with --boards, BOARDDIR/<KEY>.json: each project's board configuration as\n"
               "the body of POST /forge/boards/<KEY> ({\"boards\":[configuration]}).\n"
               "Defaults: --seed 1 --issues %d --projects %d (1..%d) --now "
               "2026-01-01T00:00:00Z.\n"
               "Same options, same bytes; --now now uses the clock.\n",
            BIQ_GEN_PAGE_SIZE, GEN_CLI_DEFAULT_ISSUES, GEN_CLI_DEFAULT_PROJECTS,
            BIQ_GEN_MAX_PROJECTS);
}

static int bad(const char *msg, const char *arg)
{
    if (arg != NULL)
        fprintf(stderr, "biq gen: %s '%s' (see biq gen --help)\n", msg, arg);
    else
        fprintf(stderr, "biq gen: %s (see biq gen --help)\n", msg);
    return 2;
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    if (s == NULL || *s < '0' || *s > '9')
        return false;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > max)
        return false;
    *out = v;
    return true;
}

static bool parse_now(const char *s, biq_ms *out)
{
    if (s != NULL && strcmp(s, "now") == 0) {
        struct timespec ts;
        if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
            return false;
        *out = (biq_ms)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
        return true;
    }
    return biq_gen_parse_instant(s, out) == BIQ_OK;
}

/* One option with its value; returns 0, or the exit status on error. */
static int parse_one(gen_opts *o, const char *name, const char *val)
{
    uint64_t v = 0;
    if (val == NULL)
        return bad("missing value for", name);
    if (strcmp(name, "--seed") == 0) {
        if (!parse_u64(val, UINT64_MAX, &v))
            return bad("--seed wants a non-negative integer, not", val);
        o->cfg.seed = v;
    } else if (strcmp(name, "--issues") == 0) {
        if (!parse_u64(val, BIQ_GEN_MAX_ISSUES, &v) || v == 0)
            return bad("--issues wants 1..1000000, not", val);
        o->cfg.n_issues = (size_t)v;
    } else if (strcmp(name, "--projects") == 0) {
        if (!parse_u64(val, BIQ_GEN_MAX_PROJECTS, &v) || v == 0)
            return bad("--projects wants 1..16, not", val);
        o->cfg.n_projects = (size_t)v;
    } else if (strcmp(name, "--now") == 0) {
        if (!parse_now(val, &o->cfg.now))
            return bad("--now wants an ISO 8601 instant (2026-01-01T00:00:00Z) or 'now', not",
                       val);
    } else if (strcmp(name, "--out") == 0) {
        o->out = val;
    } else if (strcmp(name, "--boards") == 0) {
        o->boards = val;
    } else {
        return bad("unknown option", name);
    }
    return 0;
}

/* 0 to run, 1 after --help, or the exit status of a usage error. */
static int parse_args(int argc, char **argv, gen_opts *o, bool *help)
{
    *o = (gen_opts){.cfg = {.seed = 1, .n_issues = GEN_CLI_DEFAULT_ISSUES,
                            .n_projects = GEN_CLI_DEFAULT_PROJECTS, .now = BIQ_GEN_DEFAULT_NOW}};
    *help = false;
    for (int i = 0; i < argc; i += 2) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            *help = true;
            return 0;
        }
        int rc = parse_one(o, argv[i], i + 1 < argc ? argv[i + 1] : NULL);
        if (rc != 0)
            return rc;
    }
    if (o->out == NULL || o->out[0] == '\0')
        return bad("missing --out DIR", NULL);
    if (o->boards != NULL && o->boards[0] == '\0')
        return bad("--boards wants a directory", NULL);
    if (o->cfg.n_projects > o->cfg.n_issues)
        return bad("--projects must not exceed --issues", NULL);
    return 0;
}

static int ensure_dir(const char *dir)
{
    struct stat st;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "biq gen: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "biq gen: %s is not a directory\n", dir);
        return 1;
    }
    return 0;
}

/* Writes (and releases) value to dir/name; 0 or 1 with a message. */
static int write_json(const char *dir, const char *name, json_t *value)
{
    char path[GEN_CLI_PATH_MAX];
    int rc = 1;
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof path) {
        fprintf(stderr, "biq gen: path too long: %s/%s\n", dir, name);
        goto out;
    }
    if (value == NULL) {
        fprintf(stderr, "biq gen: out of memory building %s\n", name);
        goto out;
    }
    if (json_dump_file(value, path, GEN_CLI_DUMP_FLAGS) != 0) {
        fprintf(stderr, "biq gen: cannot write %s: %s\n", path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    json_decref(value);
    return rc;
}

/* The full changelogs of the page's truncated issues. */
static int write_changelogs(const biq_gen *g, const gen_opts *o, const biq_gen_project *p,
                            size_t page, size_t *n_truncated)
{
    size_t from = page * BIQ_GEN_PAGE_SIZE;
    for (size_t k = 0; k < BIQ_GEN_PAGE_SIZE && from + k < p->n_issues; k++) {
        size_t index = p->first_issue + from + k;
        if (!biq_gen_issue_truncated(g, index))
            continue;
        char name[GEN_CLI_PATH_MAX];
        snprintf(name, sizeof name, "changelog-%" PRId64 ".json", biq_gen_issue_id(index));
        if (write_json(o->out, name, biq_gen_changelog_json(g, index)) != 0)
            return 1;
        (*n_truncated)++;
    }
    return 0;
}

static int write_project(const biq_gen *g, const gen_opts *o, size_t pi, size_t *pages_done,
                         size_t *n_truncated)
{
    const biq_gen_project *p = biq_gen_project_at(g, pi);
    bool progress = o->cfg.n_issues >= GEN_CLI_PROGRESS_MIN;
    for (size_t page = 0; page < biq_gen_page_count(p); page++) {
        char name[GEN_CLI_PATH_MAX];
        snprintf(name, sizeof name, "%s-page-%04zu.json", p->key, page + 1);
        if (write_json(o->out, name, biq_gen_page_json(g, pi, page)) != 0 ||
            write_changelogs(g, o, p, page, n_truncated) != 0)
            return 1;
        if (progress && ++*pages_done % GEN_CLI_PROGRESS_EVERY == 0)
            fprintf(stderr, "biq gen: %zu pages written (%s)\n", *pages_done, p->key);
    }
    return 0;
}

/* BOARDDIR/<KEY>.json per project: {"boards":[its configuration]}. */
static int write_boards(const biq_gen *g, const char *dir)
{
    if (ensure_dir(dir) != 0)
        return 1;
    for (size_t p = 0; p < biq_gen_project_count(g); p++) {
        char name[GEN_CLI_PATH_MAX];
        snprintf(name, sizeof name, "%s.json", biq_gen_project_at(g, p)->key);
        json_t *board = biq_gen_board_json(g, p);
        json_t *body = board != NULL ? json_pack("{s:[o]}", "boards", board) : NULL;
        if (body == NULL) {
            fprintf(stderr, "biq gen: out of memory\n");
            return 1;
        }
        if (write_json(dir, name, body) != 0)
            return 1;
    }
    return 0;
}

static int run(const gen_opts *o)
{
    biq_gen *g = NULL;
    char err[GEN_CLI_ERR_MAX] = "";
    size_t pages = 0, truncated = 0;
    int rc = 1;
    biq_err e = biq_gen_new(&o->cfg, &g, err, sizeof err);
    if (e != BIQ_OK) {
        fprintf(stderr, "biq gen: %s\n", e == BIQ_ERR_INVALID ? err : biq_strerror(e));
        rc = e == BIQ_ERR_INVALID ? 2 : 1;
        goto out;
    }
    if (ensure_dir(o->out) != 0 ||
        write_json(o->out, "statuses.json", biq_gen_statuses_json(g)) != 0 ||
        write_json(o->out, "sprints.json", biq_gen_sprints_json(g)) != 0)
        goto out;
    for (size_t p = 0; p < biq_gen_project_count(g); p++)
        if (write_project(g, o, p, &pages, &truncated) != 0)
            goto out;
    if (o->boards != NULL && write_boards(g, o->boards) != 0)
        goto out;
    fprintf(stderr, "biq gen: %zu issues in %zu projects, %zu truncated changelogs -> %s\n",
            o->cfg.n_issues, o->cfg.n_projects, truncated, o->out);
    rc = 0;
out:
    biq_gen_free(g);
    return rc;
}

int biq_cli_gen(int argc, char **argv)
{
    gen_opts o;
    bool help = false;
    int rc = parse_args(argc, argv, &o, &help);
    if (help) {
        usage(stdout);
        return 0;
    }
    return rc != 0 ? rc : run(&o);
}
