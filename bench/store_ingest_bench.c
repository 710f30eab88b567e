/* store_ingest_bench.c - page ingest at the store, against a bare COPY of
 * the same rows: how close the write path (src/store/ingest.c, every rule
 * of it) comes to what PostgreSQL takes, without HTTP or JSON parsing.
 *
 * Generates one project of --issues issues (src/gen, seed 11, ~7
 * transitions each, in memory), writes it page by page (--page issues a
 * page, one tenant transaction each, biq_store_issues_write as the page
 * route calls it) through a pool of the app role, then COPYs the rows that
 * landed (issues, status_transitions, issue_sprints, read back with COPY TO)
 * into empty tables of the same shape (LIKE ... INCLUDING ALL) with COPY
 * FROM STDIN and times that. With --json the writes are forced onto the
 * JSON path (biq_store_ingest_copy_min(SIZE_MAX)), else every page uses
 * COPY. Prints figures; never fails on speed.
 *
 * Usage: store_ingest_bench --app CONNINFO --super CONNINFO [--issues N]
 *        [--page N] [--tenant ID] [--json]
 * (--app: the app role, RLS applies; --super: sets up the tenant and the
 * baseline tables). Build with -DBENCH_BEFORE against a tree without the
 * COPY path to measure it (then --json is refused).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "gen/gen.h"
#include "store/ingest.h"
#include "store/pool.h"
#include "store/tx.h"

enum {
    LINE_MAX_ = 512,
    SQL_MAX = 512,
    INPUT_LIMIT = 1u << 30,     /* generated issues */
    PAGE_ARENA_LIMIT = 256u << 20,
    COPY_CHUNK = 1 << 16,
    DEFAULT_ISSUES = 50000,
    DEFAULT_PAGE = 100,
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static PGresult *must(PGconn *c, const char *sql, ExecStatusType want)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != want) {
        fprintf(stderr, "store_ingest_bench: %s: %s", sql, PQerrorMessage(c));
        exit(1);
    }
    return r;
}

static const char *path_name(bool json)
{
#ifdef BENCH_BEFORE
    (void)json;
    return "array parameters (before)";
#else
    return json ? "JSON" : "COPY + merge";
#endif
}

struct page_job {
    const biq_issue *issues;
    size_t n;
    biq_arena *arena;
    biq_ingest_result res;
};

static biq_err page_tx(biq_tx *tx, void *ctx)
{
    struct page_job *job = ctx;
    return biq_store_issues_write(tx, job->issues, job->n, job->arena, &job->res);
}

/* Copies table's rows of tenant out (COPY TO) and into copy_<table> (COPY
 * FROM STDIN); returns the ms of the COPY FROM alone, *rows its rows. */
static double copy_back(PGconn *c, const char *table, const char *tenant, size_t *rows)
{
    char sql[SQL_MAX];
    size_t len = 0, cap = COPY_CHUNK;
    char *buf = malloc(cap), *line = NULL;
    int n;
    snprintf(sql, sizeof sql, "COPY (SELECT * FROM %s WHERE tenant_id = '%s') TO STDOUT", table,
             tenant);
    PQclear(must(c, sql, PGRES_COPY_OUT));
    *rows = 0;
    while ((n = PQgetCopyData(c, &line, 0)) > 0) {
        while (len + (size_t)n > cap)
            buf = realloc(buf, cap *= 2);
        memcpy(buf + len, line, (size_t)n);
        len += (size_t)n;
        (*rows)++;
        PQfreemem(line);
    }
    PQclear(PQgetResult(c));
    snprintf(sql, sizeof sql,
             "DROP TABLE IF EXISTS copy_%s; CREATE TABLE copy_%s (LIKE %s INCLUDING ALL)", table,
             table, table);
    PQclear(must(c, sql, PGRES_COMMAND_OK));
    snprintf(sql, sizeof sql, "COPY copy_%s FROM STDIN", table);
    double t0 = now_ms();
    PQclear(must(c, sql, PGRES_COPY_IN));
    for (size_t off = 0; off < len; off += COPY_CHUNK) {
        size_t k = len - off < COPY_CHUNK ? len - off : COPY_CHUNK;
        if (PQputCopyData(c, buf + off, (int)k) != 1)
            exit(1);
    }
    PQputCopyEnd(c, NULL);
    PGresult *r = PQgetResult(c);
    double t1 = now_ms();
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "store_ingest_bench: COPY FROM: %s", PQerrorMessage(c));
        exit(1);
    }
    PQclear(r);
    free(buf);
    return t1 - t0;
}

int main(int argc, char **argv)
{
    const char *app = NULL, *super = NULL;
    const char *tenant = "ari:cloud:ecosystem::installation/00000000-0000-4000-8000-0000000000b5";
    size_t issues = DEFAULT_ISSUES, page = DEFAULT_PAGE;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--app") == 0 && i + 1 < argc)
            app = argv[++i];
        else if (strcmp(argv[i], "--super") == 0 && i + 1 < argc)
            super = argv[++i];
        else if (strcmp(argv[i], "--issues") == 0 && i + 1 < argc)
            issues = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--page") == 0 && i + 1 < argc)
            page = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--tenant") == 0 && i + 1 < argc)
            tenant = argv[++i];
        else if (strcmp(argv[i], "--json") == 0)
            json = true;
        else {
            fprintf(stderr, "usage: store_ingest_bench --app CONNINFO --super CONNINFO"
                            " [--issues N] [--page N] [--tenant ID] [--json]\n");
            return 2;
        }
    }
    if (app == NULL || super == NULL || issues == 0 || page == 0)
        return 2;
#ifdef BENCH_BEFORE
    if (json)
        return 2;
#else
    biq_store_ingest_copy_min(json ? SIZE_MAX : 1);
#endif
    biq_gen_config cfg = {.seed = 11, .n_issues = issues, .n_projects = 1,
                          .now = BIQ_GEN_DEFAULT_NOW};
    char msg[LINE_MAX_] = "", sql[SQL_MAX];
    biq_gen *gen = NULL;
    biq_arena *input = biq_arena_new(INPUT_LIMIT);
    biq_issue *all = input != NULL ? biq_arena_calloc(input, issues, sizeof *all) : NULL;
    if (all == NULL || biq_gen_new(&cfg, &gen, msg, sizeof msg) != BIQ_OK) {
        fprintf(stderr, "store_ingest_bench: generate: %s\n", msg);
        return 1;
    }
    size_t n_transitions = 0;
    for (size_t i = 0; i < issues; i++) {
        if (biq_gen_issue_model(gen, i, input, &all[i]) != BIQ_OK)
            return 1;
        n_transitions += all[i].n_transitions;
    }
    PGconn *s = PQconnectdb(super);
    if (PQstatus(s) != CONNECTION_OK) {
        fprintf(stderr, "store_ingest_bench: %s", PQerrorMessage(s));
        return 1;
    }
    snprintf(sql, sizeof sql, "INSERT INTO tenants (tenant_id) VALUES ('%s') ON CONFLICT DO NOTHING",
             tenant);
    PQclear(must(s, sql, PGRES_COMMAND_OK));
    biq_pool *pool = NULL;
    if (biq_pool_new(app, 1, NULL, &pool) != BIQ_OK) {
        fprintf(stderr, "store_ingest_bench: cannot connect as the app role\n");
        return 1;
    }
    biq_ingest_result total = {0};
    double t0 = now_ms();
    for (size_t first = 0; first < issues; first += page) {
        biq_arena *arena = biq_arena_new(PAGE_ARENA_LIMIT);
        struct page_job job = {all + first, issues - first < page ? issues - first : page, arena,
                               {0}};
        biq_err err = biq_tx_run(pool, tenant, page_tx, &job);
        biq_arena_free(arena);
        if (err != BIQ_OK) {
            fprintf(stderr, "store_ingest_bench: page at %zu: %s\n", first, biq_strerror(err));
            return 1;
        }
        total.issues_written += job.res.issues_written;
        total.transitions_new += job.res.transitions_new;
    }
    double write_ms = now_ms() - t0;
    size_t r_issues, r_trans, r_sprints;
    double copy_ms = copy_back(s, "issues", tenant, &r_issues);
    copy_ms += copy_back(s, "status_transitions", tenant, &r_trans);
    copy_ms += copy_back(s, "issue_sprints", tenant, &r_sprints);
    printf("rows: %zu issues, %zu transitions, %zu sprint memberships (%zu generated transitions)\n",
           r_issues, r_trans, r_sprints, n_transitions);
    printf("store write (%s, %zu-issue pages): %.0f ms, %.0f issues/s\n",
           path_name(json), page, write_ms, (double)issues / write_ms * 1e3);
    printf("bare COPY of the same rows: %.0f ms, %.0f issues/s\n", copy_ms,
           (double)issues / copy_ms * 1e3);
    printf("ratio (store / COPY throughput): %.3f\n", copy_ms / write_ms);
    biq_pool_free(pool);
    PQfinish(s);
    biq_gen_free(gen);
    biq_arena_free(input);
    return total.issues_written == issues ? 0 : 1;
}
