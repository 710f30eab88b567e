/* gen_internal.h - the plan and per-issue histories shared by gen.c (the
 * walk and the model) and gen_json.c (the wire JSON). Not part of the
 * public API; no function here is thread-unsafe (all pure). */
#ifndef BIQ_GEN_GEN_INTERNAL_H
#define BIQ_GEN_GEN_INTERNAL_H

#include "gen/gen.h"

enum {
    GEN_TEAM = 5,          /* users per project */
    GEN_N_STATUSES = 15,   /* entries of the catalogue table */
    GEN_N_USERS = 16,
    GEN_N_TYPES = 5,
    GEN_N_PRIORITIES = 5,
    GEN_NO_USER = -1,
    GEN_NO_RESOLUTION = -1,
    GEN_RES_DONE = 0,      /* resolutions table indexes */
    GEN_RES_WONT = 1,
};

#define GEN_HISTORY_ID_BASE INT64_C(100000)
#define GEN_SITE "https://biq-demo.atlassian.net"
#define GEN_SPRINT_FIELD "customfield_10020"
#define GEN_POINTS_FIELD "customfield_10016"
#define GEN_FLAG_FIELD "customfield_10021"   /* Jira's "Flagged" (impediment) */
#define GEN_FLAG_OPTION_ID "10019"           /* its one option, "Impediment" */

typedef enum gen_item_kind {
    GEN_ITEM_STATUS = 0, /* a, b: status ids */
    GEN_ITEM_ASSIGNEE,   /* a, b: user indexes or GEN_NO_USER */
    GEN_ITEM_RESOLUTION, /* a, b: resolution indexes or GEN_NO_RESOLUTION */
    GEN_ITEM_SPRINT,     /* a: first sprint index, b: count before, c: count after */
    GEN_ITEM_POINTS,     /* a, b: story points, 0 = none */
    GEN_ITEM_PRIORITY,   /* a, b: priority indexes */
    GEN_ITEM_RANK,
    GEN_ITEM_FLAG,       /* a: 1 set, 0 cleared */
    GEN_ITEM_LINK,       /* a: the blocker's issue index ("is blocked by" added) */
} gen_item_kind;

typedef struct gen_item {
    gen_item_kind kind;
    int64_t a, b, c;
} gen_item;

typedef struct gen_history {
    biq_ms at;
    int64_t id;     /* assigned after sorting */
    uint32_t seq;   /* creation order: the tie-break when sorting by time */
    int32_t author; /* user index */
    uint32_t n_items;
    gen_item items[BIQ_GEN_MAX_ITEMS];
} gen_history;

typedef struct gen_project_plan {
    biq_gen_project pub;
    int64_t workflow[BIQ_GEN_MAX_WORKFLOW];
    size_t n_new, n_active;
    int64_t done_status;
    int64_t wontdo_status; /* 0 when the workflow has none */
    int32_t team[GEN_TEAM];
    biq_ms sprint_start[BIQ_GEN_MAX_SPRINTS + 1]; /* one past the last: its end */
} gen_project_plan;

struct biq_gen {
    biq_gen_config cfg;
    biq_ms span_start; /* first possible creation instant */
    size_t n_projects;
    gen_project_plan projects[BIQ_GEN_MAX_PROJECTS];
};

/* One issue, fully derived from (seed, index). */
typedef struct gen_issue {
    size_t index;
    const gen_project_plan *plan;
    size_t number; /* the key's number: 1-based within the project */
    biq_ms created, updated, resolved_at, category_changed;
    int32_t reporter, assignee, type, priority, resolution;
    int32_t points; /* 0: none */
    int64_t status;
    size_t sprint_first, n_sprints;
    bool truncated;
    uint32_t summary_pick;
    bool flagged;         /* the Flagged field is set now */
    int64_t blocker;      /* issue index of its blocker, -1 when none */
    size_t n_hist;
    gen_history hist[BIQ_GEN_MAX_HISTORIES];
} gen_issue;

typedef struct gen_user {
    const char *account_id;
    const char *name;
    const char *tz;
    int32_t offset_min;
} gen_user;

typedef struct gen_named {
    const char *id;
    const char *name;
} gen_named;

typedef struct gen_type {
    const char *id;
    const char *name;
    bool subtask;
    int hierarchy;
} gen_type;

extern const gen_user biq_gen_users[GEN_N_USERS];
extern const gen_type biq_gen_types[GEN_N_TYPES];
extern const gen_named biq_gen_priorities[GEN_N_PRIORITIES];
extern const gen_named biq_gen_resolutions[2];

/* Derives issue `index` into *out (no allocation). false out of range. */
bool biq_gen_issue_derive(const biq_gen *g, size_t index, gen_issue *out);

/* The catalogue entry of a status id, NULL when unknown. */
const biq_status *biq_gen_status_by_id(int64_t id);

/* The summary text of an issue into buf. */
void biq_gen_summary(const gen_issue *is, char *buf, size_t size);

/* The key ("PAY-12") into buf (>= BIQ_GEN_KEY_MAX). */
void biq_gen_key(const gen_issue *is, char *buf, size_t size);
/* The key of any issue index without deriving it; "" out of range. */
void biq_gen_key_of(const biq_gen *g, size_t index, char *buf, size_t size);

/* Sprint s (0-based) of a project: id, state and instants. */
typedef struct gen_sprint_view {
    int64_t id;
    const char *state;
    biq_ms start, end, complete; /* complete BIQ_MS_NONE unless closed */
} gen_sprint_view;
void biq_gen_sprint_view(const biq_gen *g, const gen_project_plan *p, size_t s,
                         gen_sprint_view *out);

#endif
