/* devlake.h - the real DevLake captures (../shared/realdata/devlake-merico)
 * read into model structs by a path independent of src/ingest: tests that
 * compare the product's parsing (biq analyze, the server) with the flow
 * core fed directly need a second, simple reading of the same files.
 * Status items only, instants parsed from Jira's fixed
 * "2020-06-12T08:13:13.360+0800" form. Test code: aborts on bad input. */
#ifndef BIQ_TEST_DEVLAKE_H
#define BIQ_TEST_DEVLAKE_H

#include <jansson.h>
#include <stddef.h>

#include "model/jira.h"

enum {
    DEVLAKE_ISSUES_MAX = 64,
    DEVLAKE_STATUSES_MAX = 256,
    DEVLAKE_TRANSITIONS_MAX = 4096,
    DEVLAKE_PATH_MAX = 512,
};

typedef struct devlake {
    json_t *issues_doc, *statuses_doc; /* kept: the structs point into them */
    biq_issue issues[DEVLAKE_ISSUES_MAX];
    size_t n_issues;
    biq_status statuses[DEVLAKE_STATUSES_MAX];
    size_t n_statuses;
    biq_transition trans[DEVLAKE_TRANSITIONS_MAX];
    size_t n_trans;
} devlake;

/* The path of a capture: $BIQ_SHARED_DIR (default ../shared)/realdata/devlake-merico/name. */
void devlake_path(const char *name, char out[DEVLAKE_PATH_MAX]);

/* A capture as JSON (NUL escapes allowed: a real summary has one). */
json_t *devlake_json(const char *name);

/* issues-with-changelog.json and statuses.json into d. */
void devlake_load(devlake *d);

/* Drops the JSON documents. */
void devlake_free(devlake *d);

/* Jira's "YYYY-MM-DDTHH:MM:SS.mmm+HHMM" to ms UTC. */
biq_ms devlake_instant(const char *s);

/* A numeric-string id, 0 when absent or empty. */
int64_t devlake_id(json_t *v);

#endif
