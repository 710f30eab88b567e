/* gen.c - the synthetic-data plan and each issue's walk through its
 * project's workflow (see gen.h), plus the model view of an issue.
 *
 * Randomness is splitmix64, seeded per issue from (seed, index), and only
 * integer arithmetic feeds the output, so the bytes do not depend on the
 * platform's floating point or libm. */
#include "gen/gen.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/gen_internal.h"
#include "tz/civil.h"

enum {
    GEN_SPRINT_DAYS = 14,
    GEN_PERMILLE = 1000,
    GEN_SKIP_PERMILLE = 120,      /* a middle status is skipped */
    GEN_BACK_PERMILLE = 100,      /* a review-like status sends work back */
    GEN_MAX_BACKS = 2,
    GEN_REOPEN_PERMILLE = 40,     /* a done issue is reopened once */
    GEN_NEVER_START_PERMILLE = 50, /* stays in the backlog */
    GEN_WONTDO_PERMILLE = 50,     /* cancelled from the backlog */
    GEN_TRUNCATE_PERMILLE = 20,   /* embedded changelog truncated */
    GEN_TRUNCATE_MIN_HIST = 4,
    GEN_CHATTER_PERMILLE = 200,   /* a non-status history during a stay */
    GEN_POINTS_PERMILLE = 700,
    GEN_TAIL_PERMILLE = 80,       /* a stay 2-3x longer than usual */
    GEN_SLOW_PERMILLE = 2500,     /* the bottleneck's final slowdown */
    GEN_RAMP_BEGIN_DAYS = 33,     /* before now: the slowdown starts forming */
    GEN_RAMP_END_DAYS = 27,       /* before now: fully formed */
    GEN_BACKLOG_MIN_DAYS = 1,
    GEN_BACKLOG_MAX_DAYS = 20,
    GEN_REOPEN_MAX_DAYS = 14,
    GEN_SPRINT_HOUR = 9,          /* sprints start around 09:00 UTC */
    GEN_HIST_RESERVE = BIQ_GEN_MAX_SPRINTS + 4, /* kept for sprint histories */
    GEN_LINE_MAX = 160,
    GEN_PLANNED_PERMILLE = 650,   /* started work joined its sprint before the start */
    GEN_DROPPED_PERMILLE = 150,   /* a backlog item planned, then dropped mid-sprint */
    GEN_DROP_MAX_DAYS = 8,        /* dropped this long after the start, at most */
    GEN_FLAG_PERMILLE = 150,      /* started work flagged once */
    GEN_FLAG_MAX_DAYS = 3,
    GEN_BLOCKED_PERMILLE = 100,   /* started work "is blocked by" an earlier issue */
    GEN_BLOCKER_BACK = 20,        /* the blocker is among the 20 issues before it */
    GEN_STREAM_IMPEDIMENTS = 2,   /* rng_for purposes: 0 walk, 1 truncation, 3 plan */
    GEN_MIN_YEAR = 1990, /* a clock outside these years is a mistake */
    GEN_MAX_YEAR = 9000,
};

/* Story points as teams use them. */
static const int32_t GEN_POINTS[] = {1, 2, 3, 5, 8, 13};
/* Cumulative weights of biq_gen_priorities (Highest..Lowest) and types. */
static const uint32_t GEN_PRIORITY_CUM[GEN_N_PRIORITIES] = {50, 250, 750, 950, 1000};
static const uint32_t GEN_TYPE_CUM[GEN_N_TYPES] = {450, 700, 950, 980, 1000};

static const biq_status GEN_STATUSES[GEN_N_STATUSES] = {
    {10000, "Backlog", BIQ_CAT_NEW},
    {10001, "Selected for Development", BIQ_CAT_NEW},
    {10002, "To Do", BIQ_CAT_NEW},
    {10003, "In Analysis", BIQ_CAT_ACTIVE},
    {3, "In Progress", BIQ_CAT_ACTIVE},
    {10004, "In Development", BIQ_CAT_ACTIVE},
    {10005, "Code Review", BIQ_CAT_ACTIVE},
    {10006, "In Review", BIQ_CAT_ACTIVE},
    {10007, "QA", BIQ_CAT_ACTIVE},
    {10008, "In Testing", BIQ_CAT_ACTIVE},
    {10009, "Ready for Release", BIQ_CAT_ACTIVE},
    {10010, "Done", BIQ_CAT_DONE},
    {6, "Closed", BIQ_CAT_DONE},
    {10011, "Released", BIQ_CAT_DONE},
    {10012, "Won't Do", BIQ_CAT_DONE},
};
/* Typical hours of a stay, by GEN_STATUSES index (0: not an active stay). */
static const int32_t GEN_BASE_HOURS[GEN_N_STATUSES] = {0, 0, 0, 20, 40, 44, 14, 18,
                                                       24, 26, 30, 0, 0, 0, 0};
enum {
    GEN_ST_BACKLOG = 0, GEN_ST_SELECTED = 1, GEN_ST_TODO = 2,
    GEN_ST_ACTIVE_FIRST = 3, GEN_ST_ACTIVE_COUNT = 8,
    GEN_ST_DONE_FIRST = 11, GEN_ST_DONE_COUNT = 3, GEN_ST_WONTDO = 14,
    GEN_MIN_ACTIVE = 3, GEN_MAX_ACTIVE = 6,
};

static const struct {
    const char *key, *name;
} GEN_PROJECTS[BIQ_GEN_MAX_PROJECTS] = {
    {"PAY", "Payments"},       {"WEB", "Web Storefront"},   {"MOB", "Mobile App"},
    {"OPS", "Platform Ops"},   {"DATA", "Data Pipeline"},   {"API", "Public API"},
    {"CORE", "Core Services"}, {"SEC", "Security"},         {"GROW", "Growth"},
    {"SRCH", "Search"},        {"BILL", "Billing"},         {"INFRA", "Infrastructure"},
    {"ML", "Machine Learning"}, {"DOCS", "Documentation"}, {"QUAL", "Quality"},
    {"PPL", "People Systems"},
};

const gen_user biq_gen_users[GEN_N_USERS] = {
    {"5f8d380729bd8a006f5a9001", "Alice Martin", "Etc/UTC", 0},
    {"5f8d380729bd8a006f5a9002", "Zhang Wei", "Asia/Shanghai", 480},
    {"5f8d380729bd8a006f5a9003", "Priya Raman", "Asia/Kolkata", 330},
    {"5f8d380729bd8a006f5a9004", "Kenji Sato", "Asia/Tokyo", 540},
    {"5f8d380729bd8a006f5a9005", "José Álvarez", "America/Bogota", -300},
    {"5f8d380729bd8a006f5a9006", "Dana Whitfield", "America/Phoenix", -420},
    {"5f8d380729bd8a006f5a9007", "Chinedu Okafor", "Africa/Lagos", 60},
    {"5f8d380729bd8a006f5a9008", "Fatima Al-Sayed", "Asia/Dubai", 240},
    {"5f8d380729bd8a006f5a9009", "Lucas Pereira", "America/Sao_Paulo", -180},
    {"5f8d380729bd8a006f5a9010", "Mia Thompson", "Australia/Brisbane", 600},
    {"5f8d380729bd8a006f5a9011", "Bishal Shrestha", "Asia/Kathmandu", 345},
    {"5f8d380729bd8a006f5a9012", "Amani Njoroge", "Africa/Nairobi", 180},
    {"5f8d380729bd8a006f5a9013", "Erik Lindqvist", "Etc/GMT-1", 60},
    {"5f8d380729bd8a006f5a9014", "Sofia Rossi", "Etc/GMT-2", 120},
    {"5f8d380729bd8a006f5a9015", "Noah Kim", "Asia/Seoul", 540},
    {"5f8d380729bd8a006f5a9016", "Olivia Brown", "Pacific/Honolulu", -600},
};

const gen_type biq_gen_types[GEN_N_TYPES] = {
    {"10001", "Story", false, 0}, {"10004", "Bug", false, 0},  {"10002", "Task", false, 0},
    {"10000", "Epic", false, 1},  {"10003", "Sub-task", true, -1},
};

const gen_named biq_gen_priorities[GEN_N_PRIORITIES] = {
    {"1", "Highest"}, {"2", "High"}, {"3", "Medium"}, {"4", "Low"}, {"5", "Lowest"},
};

const gen_named biq_gen_resolutions[2] = {{"10000", "Done"}, {"10001", "Won't Do"}};

static const char *const GEN_VERBS[] = {"Fix", "Add", "Refactor", "Document", "Speed up",
                                        "Remove", "Migrate", "Validate"};
static const char *const GEN_OBJECTS[] = {"login timeout", "invoice export", "search ranking",
                                          "push notifications", "audit log", "rate limiter",
                                          "checkout flow", "user settings", "CSV import",
                                          "webhook retries"};
static const char *const GEN_CONTEXTS[] = {"on mobile", "for EU tenants", "in the admin UI",
                                           "after the upgrade", "under load", "for SSO users",
                                           "in the nightly job", "behind the feature flag"};
#define GEN_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ rng */

typedef struct gen_rng {
    uint64_t s;
} gen_rng;

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t rng_next(gen_rng *r)
{
    r->s += UINT64_C(0x9E3779B97F4A7C15);
    return mix64(r->s);
}

/* Modulo bias is below 2^-40 for the ranges used here: irrelevant. */
static uint64_t rng_below(gen_rng *r, uint64_t n)
{
    return n == 0 ? 0 : rng_next(r) % n;
}

static int64_t rng_range(gen_rng *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)rng_below(r, (uint64_t)(hi - lo) + 1);
}

static bool rng_chance(gen_rng *r, uint32_t permille)
{
    return rng_below(r, GEN_PERMILLE) < permille;
}

static size_t rng_pick_cum(gen_rng *r, const uint32_t *cum, size_t n)
{
    uint64_t x = rng_below(r, cum[n - 1]);
    size_t i = 0;
    while (i + 1 < n && x >= cum[i])
        i++;
    return i;
}

/* Independent streams per (seed, index, purpose). */
static gen_rng rng_for(uint64_t seed, uint64_t index, uint64_t purpose)
{
    return (gen_rng){mix64(seed ^ mix64(index * 4 + purpose + 1))};
}

/* ----------------------------------------------------------------- plan */

static bool config_valid(const biq_gen_config *cfg, char *err, size_t size)
{
    const char *why = NULL;
    size_t max = 0;
    if (cfg->n_issues < 1 || cfg->n_issues > BIQ_GEN_MAX_ISSUES) {
        why = "issues must be 1..";
        max = BIQ_GEN_MAX_ISSUES;
    } else if (cfg->n_projects < 1 || cfg->n_projects > BIQ_GEN_MAX_PROJECTS) {
        why = "projects must be 1..";
        max = BIQ_GEN_MAX_PROJECTS;
    } else if (cfg->n_projects > cfg->n_issues) {
        why = "projects must not exceed issues";
    } else if (cfg->now < biq_civil_days(GEN_MIN_YEAR, 1, 1) * BIQ_MS_PER_DAY ||
               cfg->now > biq_civil_days(GEN_MAX_YEAR, 1, 1) * BIQ_MS_PER_DAY) {
        why = "now must lie between the years 1990 and 9000";
    }
    if (why != NULL && err != NULL && size > 0) {
        if (max > 0)
            snprintf(err, size, "%s%zu", why, max);
        else
            snprintf(err, size, "%s", why);
    }
    return why == NULL;
}

/* Keeps k of the n active statuses, in workflow order (selection sampling). */
static size_t pick_active(gen_rng *r, size_t k, int64_t *out)
{
    size_t got = 0;
    for (size_t i = 0; i < GEN_ST_ACTIVE_COUNT && got < k; i++) {
        if (rng_below(r, GEN_ST_ACTIVE_COUNT - i) < k - got)
            out[got++] = GEN_STATUSES[GEN_ST_ACTIVE_FIRST + i].id;
    }
    return got;
}

static void plan_workflow(gen_rng *r, gen_project_plan *p)
{
    size_t n = 0;
    p->n_new = (size_t)rng_range(r, 1, 2);
    p->workflow[n++] = GEN_STATUSES[rng_chance(r, 500) ? GEN_ST_BACKLOG : GEN_ST_TODO].id;
    if (p->n_new == 2)
        p->workflow[n++] = GEN_STATUSES[GEN_ST_SELECTED].id;
    p->n_active = pick_active(r, (size_t)rng_range(r, GEN_MIN_ACTIVE, GEN_MAX_ACTIVE),
                              &p->workflow[n]);
    /* The bottleneck is never the first active status, so it always has a
     * predecessor whose work piles into it. */
    p->pub.bottleneck_status = p->workflow[n + (size_t)rng_range(r, 1, (int64_t)p->n_active - 1)];
    n += p->n_active;
    p->done_status = GEN_STATUSES[GEN_ST_DONE_FIRST + rng_below(r, GEN_ST_DONE_COUNT)].id;
    p->workflow[n++] = p->done_status;
    p->wontdo_status = rng_chance(r, 600) ? GEN_STATUSES[GEN_ST_WONTDO].id : 0;
    if (p->wontdo_status != 0)
        p->workflow[n++] = p->wontdo_status;
    p->pub.workflow = p->workflow;
    p->pub.n_workflow = n;
}

static void plan_sprints(gen_rng *r, biq_ms span_start, biq_ms now, gen_project_plan *p)
{
    biq_ms base = biq_floor_div(span_start, BIQ_MS_PER_DAY) * BIQ_MS_PER_DAY +
                  GEN_SPRINT_HOUR * BIQ_MS_PER_HOUR;
    biq_ms len = GEN_SPRINT_DAYS * BIQ_MS_PER_DAY;
    size_t n = 0;
    /* Every sprint that has started, and one planned after them. */
    while (n < BIQ_GEN_MAX_SPRINTS) {
        p->sprint_start[n] = base + (biq_ms)n * len + rng_range(r, 0, 3 * BIQ_MS_PER_HOUR);
        n++;
        if (p->sprint_start[n - 1] > now)
            break;
    }
    p->sprint_start[n] = base + (biq_ms)n * len;
    p->pub.n_sprints = n;
}

static void plan_project(const biq_gen *g, size_t i, gen_project_plan *p)
{
    gen_rng r = rng_for(g->cfg.seed, i, 3);
    size_t per = g->cfg.n_issues / g->n_projects, extra = g->cfg.n_issues % g->n_projects;
    p->pub.id = 10100 + (int64_t)i;
    p->pub.key = GEN_PROJECTS[i].key;
    p->pub.name = GEN_PROJECTS[i].name;
    p->pub.first_issue = i * per + (i < extra ? i : extra);
    p->pub.n_issues = per + (i < extra ? 1 : 0);
    p->pub.board_id = 1 + (int64_t)i;
    plan_workflow(&r, p);
    size_t first_user = (size_t)rng_below(&r, GEN_N_USERS);
    for (size_t k = 0; k < GEN_TEAM; k++)
        p->team[k] = (int32_t)((first_user + k * 3) % GEN_N_USERS);
    plan_sprints(&r, g->span_start, g->cfg.now, p);
}

biq_err biq_gen_new(const biq_gen_config *cfg, biq_gen **out, char *err_buf, size_t err_size)
{
    biq_err err = BIQ_OK;
    biq_gen *g = NULL;
    if (cfg == NULL || out == NULL || !config_valid(cfg, err_buf, err_size)) {
        err = BIQ_ERR_INVALID;
        goto out;
    }
    g = calloc(1, sizeof *g);
    if (g == NULL) {
        err = BIQ_ERR_NOMEM;
        goto out;
    }
    g->cfg = *cfg;
    g->n_projects = cfg->n_projects;
    g->span_start = cfg->now - BIQ_GEN_SPAN_DAYS * BIQ_MS_PER_DAY;
    for (size_t i = 0; i < g->n_projects; i++)
        plan_project(g, i, &g->projects[i]);
    *out = g;
    g = NULL;
out:
    free(g);
    return err;
}

void biq_gen_free(biq_gen *g)
{
    free(g);
}

size_t biq_gen_issue_count(const biq_gen *g)
{
    return g->cfg.n_issues;
}

size_t biq_gen_project_count(const biq_gen *g)
{
    return g->n_projects;
}

const biq_gen_project *biq_gen_project_at(const biq_gen *g, size_t i)
{
    return i < g->n_projects ? &g->projects[i].pub : NULL;
}

static const gen_project_plan *plan_of(const biq_gen *g, size_t index)
{
    for (size_t i = 0; i < g->n_projects; i++) {
        const biq_gen_project *p = &g->projects[i].pub;
        if (index >= p->first_issue && index < p->first_issue + p->n_issues)
            return &g->projects[i];
    }
    return NULL;
}

const biq_gen_project *biq_gen_project_of(const biq_gen *g, size_t index)
{
    const gen_project_plan *p = plan_of(g, index);
    return p ? &p->pub : NULL;
}

size_t biq_gen_page_count(const biq_gen_project *p)
{
    return (p->n_issues + BIQ_GEN_PAGE_SIZE - 1) / BIQ_GEN_PAGE_SIZE;
}

int64_t biq_gen_issue_id(size_t index)
{
    return BIQ_GEN_ISSUE_ID_BASE + (int64_t)index;
}

const biq_status *biq_gen_status_by_id(int64_t id)
{
    for (size_t i = 0; i < GEN_N_STATUSES; i++)
        if (GEN_STATUSES[i].id == id)
            return &GEN_STATUSES[i];
    return NULL;
}

static int32_t base_hours(int64_t id)
{
    for (size_t i = 0; i < GEN_N_STATUSES; i++)
        if (GEN_STATUSES[i].id == id)
            return GEN_BASE_HOURS[i];
    return 0;
}

void biq_gen_sprint_view(const biq_gen *g, const gen_project_plan *p, size_t s,
                         gen_sprint_view *out)
{
    biq_ms now = g->cfg.now;
    out->id = (int64_t)((size_t)(p->pub.board_id - 1) * BIQ_GEN_MAX_SPRINTS + s + 1);
    out->start = p->sprint_start[s];
    out->end = p->sprint_start[s] + GEN_SPRINT_DAYS * BIQ_MS_PER_DAY; /* planned */
    /* A sprint is completed a minute before the next one starts. */
    biq_ms complete = p->sprint_start[s + 1] - BIQ_MS_PER_MINUTE;
    if (complete <= now && s + 1 < p->pub.n_sprints) {
        out->state = "closed";
        out->complete = complete;
    } else {
        out->state = out->start <= now ? "active" : "future";
        out->complete = BIQ_MS_NONE;
    }
}

/* --------------------------------------------------------------- the walk */

typedef struct gen_walk {
    const biq_gen *g;
    gen_issue *is;
    gen_rng r;
    int64_t cur;
    biq_ms started; /* first entry into an active status */
    biq_ms done;    /* entry into the done status it is in */
    uint32_t seq;
} gen_walk;

static gen_history *add_history(gen_walk *w, biq_ms at, int32_t author)
{
    gen_issue *is = w->is;
    if (at > w->g->cfg.now || is->n_hist >= BIQ_GEN_MAX_HISTORIES)
        return NULL;
    gen_history *h = &is->hist[is->n_hist++];
    *h = (gen_history){.at = at, .seq = w->seq++, .author = author};
    return h;
}

static void add_item(gen_history *h, gen_item_kind kind, int64_t a, int64_t b, int64_t c)
{
    if (h != NULL && h->n_items < BIQ_GEN_MAX_ITEMS)
        h->items[h->n_items++] = (gen_item){.kind = kind, .a = a, .b = b, .c = c};
}

static int32_t actor(gen_walk *w)
{
    return w->is->assignee != GEN_NO_USER ? w->is->assignee : w->is->reporter;
}

/* Moves the issue to `to` at t with the items Jira writes alongside
 * (assignee on the first start, resolution on entering or leaving done).
 * false when t is past now: the rest of the walk lies in the future. */
static bool move(gen_walk *w, biq_ms t, int64_t to)
{
    gen_history *h = add_history(w, t, actor(w));
    if (h == NULL)
        return false;
    gen_issue *is = w->is;
    const biq_status *st = biq_gen_status_by_id(to);
    const biq_status *from = biq_gen_status_by_id(w->cur);
    add_item(h, GEN_ITEM_STATUS, w->cur, to, 0);
    if (st->category == BIQ_CAT_ACTIVE && w->started == BIQ_MS_NONE) {
        w->started = t;
        int32_t who = w->is->plan->team[rng_below(&w->r, GEN_TEAM)];
        add_item(h, GEN_ITEM_ASSIGNEE, is->assignee, who, 0);
        is->assignee = who;
    }
    if (st->category == BIQ_CAT_DONE) {
        int32_t res = to == w->is->plan->wontdo_status ? GEN_RES_WONT : GEN_RES_DONE;
        add_item(h, GEN_ITEM_RESOLUTION, is->resolution, res, 0);
        is->resolution = res;
        is->resolved_at = t;
        w->done = t;
    } else if (is->resolution != GEN_NO_RESOLUTION) {
        add_item(h, GEN_ITEM_RESOLUTION, is->resolution, GEN_NO_RESOLUTION, 0);
        is->resolution = GEN_NO_RESOLUTION;
        is->resolved_at = BIQ_MS_NONE;
        w->done = BIQ_MS_NONE;
    }
    if (from == NULL || from->category != st->category)
        is->category_changed = t;
    w->cur = to;
    is->status = to;
    return true;
}

/* The slowdown factor (permille) of the bottleneck for a stay entered at t:
 * 1x until GEN_RAMP_BEGIN_DAYS before now, rising linearly to
 * GEN_SLOW_PERMILLE at GEN_RAMP_END_DAYS before now. */
static int64_t slowdown(const gen_walk *w, int64_t status, biq_ms t)
{
    if (status != w->is->plan->pub.bottleneck_status)
        return GEN_PERMILLE;
    biq_ms begin = w->g->cfg.now - GEN_RAMP_BEGIN_DAYS * BIQ_MS_PER_DAY;
    biq_ms end = w->g->cfg.now - GEN_RAMP_END_DAYS * BIQ_MS_PER_DAY;
    if (t <= begin)
        return GEN_PERMILLE;
    if (t >= end)
        return GEN_SLOW_PERMILLE;
    return GEN_PERMILLE + (GEN_SLOW_PERMILLE - GEN_PERMILLE) * (t - begin) / (end - begin);
}

static biq_ms dwell(gen_walk *w, int64_t status, biq_ms t)
{
    biq_ms d = base_hours(status) * BIQ_MS_PER_HOUR * rng_range(&w->r, 400, 1600) / GEN_PERMILLE;
    if (rng_chance(&w->r, GEN_TAIL_PERMILLE))
        d *= rng_range(&w->r, 2, 3);
    d = d * slowdown(w, status, t) / GEN_PERMILLE;
    return d + rng_range(&w->r, 0, BIQ_MS_PER_MINUTE * 59);
}

/* Sometimes a history without a status change lands during a stay. */
static void chatter(gen_walk *w, biq_ms from, biq_ms len)
{
    if (!rng_chance(&w->r, GEN_CHATTER_PERMILLE))
        return;
    gen_history *h = add_history(w, from + rng_range(&w->r, 1, len > 1 ? len - 1 : 1), actor(w));
    if (h == NULL)
        return;
    if (rng_chance(&w->r, 500)) {
        add_item(h, GEN_ITEM_RANK, 0, 0, 0);
        return;
    }
    int32_t p = (int32_t)rng_below(&w->r, GEN_N_PRIORITIES);
    add_item(h, GEN_ITEM_PRIORITY, w->is->priority, p, 0);
    w->is->priority = p;
}

static bool room(const gen_walk *w)
{
    return w->is->n_hist + GEN_HIST_RESERVE < BIQ_GEN_MAX_HISTORIES;
}

/* Backlog part: returns false when the issue stays there (or is cancelled). */
static bool walk_backlog(gen_walk *w, biq_ms *t)
{
    const gen_project_plan *p = w->is->plan;
    if (p->n_new == 2) {
        *t += rng_range(&w->r, 4 * BIQ_MS_PER_HOUR, 4 * BIQ_MS_PER_DAY);
        if (!move(w, *t, p->workflow[1]))
            return false;
    }
    *t += rng_range(&w->r, GEN_BACKLOG_MIN_DAYS * BIQ_MS_PER_DAY,
                    GEN_BACKLOG_MAX_DAYS * BIQ_MS_PER_DAY);
    if (rng_chance(&w->r, GEN_NEVER_START_PERMILLE))
        return false;
    if (p->wontdo_status != 0 && rng_chance(&w->r, GEN_WONTDO_PERMILLE)) {
        move(w, *t, p->wontdo_status);
        return false;
    }
    return true;
}

static void walk_active(gen_walk *w, biq_ms t)
{
    const gen_project_plan *p = w->is->plan;
    const int64_t *act = &p->workflow[p->n_new];
    size_t i = 0, backs = 0;
    bool reopened = false;
    while (room(w)) {
        if (i == p->n_active) {
            if (!move(w, t, p->done_status) || reopened || !rng_chance(&w->r, GEN_REOPEN_PERMILLE))
                return;
            reopened = true;
            t += rng_range(&w->r, BIQ_MS_PER_DAY, GEN_REOPEN_MAX_DAYS * BIQ_MS_PER_DAY);
            i = 0;
            continue;
        }
        bool middle = i > 0 && i + 1 < p->n_active;
        if (middle && act[i] != p->pub.bottleneck_status && rng_chance(&w->r, GEN_SKIP_PERMILLE)) {
            i++;
            continue;
        }
        if (!move(w, t, act[i]))
            return;
        biq_ms d = dwell(w, act[i], t);
        chatter(w, t, d);
        t += d;
        if (i >= 2 && backs < GEN_MAX_BACKS && rng_chance(&w->r, GEN_BACK_PERMILLE)) {
            backs++;
            i--;
            continue;
        }
        i++;
    }
}

static size_t sprint_at(const gen_project_plan *p, biq_ms t)
{
    size_t s = 0;
    while (s + 1 < p->pub.n_sprints && p->sprint_start[s + 1] <= t)
        s++;
    return s;
}

/* A backlog item planned into the next sprint and dropped from it during
 * the sprint (the report's "removed"); still in it when the drop would lie
 * after now. */
static void plan_and_drop(gen_walk *w)
{
    gen_issue *is = w->is;
    const gen_project_plan *p = is->plan;
    size_t s = sprint_at(p, is->created) + 1;
    if (!rng_chance(&w->r, GEN_DROPPED_PERMILLE) || s >= p->pub.n_sprints)
        return;
    biq_ms join = p->sprint_start[s] - rng_range(&w->r, BIQ_MS_PER_HOUR, 2 * BIQ_MS_PER_DAY);
    biq_ms drop = p->sprint_start[s] + rng_range(&w->r, BIQ_MS_PER_DAY,
                                                 GEN_DROP_MAX_DAYS * BIQ_MS_PER_DAY);
    gen_history *h = add_history(w, join < is->created ? is->created : join, actor(w));
    if (h == NULL)
        return;
    add_item(h, GEN_ITEM_SPRINT, (int64_t)s, 0, 1);
    is->sprint_first = s;
    is->n_sprints = 1;
    if ((h = add_history(w, drop, actor(w))) == NULL)
        return;
    add_item(h, GEN_ITEM_SPRINT, (int64_t)s, 1, 0);
    is->n_sprints = 0;
}

/* Sprint membership: every sprint the issue was in progress during, with a
 * history when it joined the first (mostly planned before the sprint's
 * start, else when work began: added mid-sprint) and one per carry-over,
 * at the completion of the sprint before (as Jira moves open work). */
static void walk_sprints(gen_walk *w)
{
    gen_issue *is = w->is;
    const gen_project_plan *p = is->plan;
    if (w->started == BIQ_MS_NONE) {
        plan_and_drop(w);
        return;
    }
    biq_ms finish = w->done != BIQ_MS_NONE ? w->done : w->g->cfg.now;
    size_t first = sprint_at(p, w->started), last = sprint_at(p, finish);
    biq_ms join = w->started - rng_range(&w->r, BIQ_MS_PER_MINUTE, 2 * BIQ_MS_PER_HOUR);
    if (rng_chance(&w->r, GEN_PLANNED_PERMILLE) && p->sprint_start[first] <= w->started)
        join = p->sprint_start[first] - rng_range(&w->r, BIQ_MS_PER_HOUR, 2 * BIQ_MS_PER_DAY);
    if (join < is->created)
        join = is->created;
    is->sprint_first = first;
    is->n_sprints = 1;
    add_item(add_history(w, join, actor(w)), GEN_ITEM_SPRINT, (int64_t)first, 0, 1);
    for (size_t s = first + 1; s <= last; s++) {
        biq_ms at = p->sprint_start[s] - BIQ_MS_PER_MINUTE; /* the completion before */
        gen_history *h = add_history(w, at, actor(w));
        if (h == NULL)
            break;
        add_item(h, GEN_ITEM_SPRINT, (int64_t)first, (int64_t)is->n_sprints,
                 (int64_t)is->n_sprints + 1);
        is->n_sprints++;
    }
}

/* Impediments, from their own random stream: one flag (set, and cleared
 * unless that lies after now) during the work, and an "is blocked by" link
 * to one of the issues created before it in the project. */
static void walk_impediments(gen_walk *w)
{
    gen_issue *is = w->is;
    const gen_project_plan *p = is->plan;
    gen_rng r = rng_for(w->g->cfg.seed, is->index, GEN_STREAM_IMPEDIMENTS);
    is->blocker = -1;
    if (w->started == BIQ_MS_NONE)
        return;
    biq_ms end = w->done != BIQ_MS_NONE ? w->done : w->g->cfg.now;
    biq_ms span = end - w->started;
    if (span > BIQ_MS_PER_HOUR && rng_chance(&r, GEN_FLAG_PERMILLE)) {
        biq_ms set = w->started + rng_range(&r, 0, span / 2);
        biq_ms clear = set + rng_range(&r, 4 * BIQ_MS_PER_HOUR, GEN_FLAG_MAX_DAYS * BIQ_MS_PER_DAY);
        gen_history *h = add_history(w, set, actor(w));
        if (h != NULL) {
            add_item(h, GEN_ITEM_FLAG, 1, 0, 0);
            is->flagged = true;
            if ((h = add_history(w, clear, actor(w))) != NULL) {
                add_item(h, GEN_ITEM_FLAG, 0, 0, 0);
                is->flagged = false;
            }
        }
    }
    size_t before = is->index - p->pub.first_issue;
    if (before > 0 && rng_chance(&r, GEN_BLOCKED_PERMILLE)) {
        size_t back = 1 + (size_t)rng_below(&r, before < GEN_BLOCKER_BACK ? before
                                                                           : GEN_BLOCKER_BACK);
        biq_ms at = w->started + rng_range(&r, 0, span < BIQ_MS_PER_DAY ? span : BIQ_MS_PER_DAY);
        gen_history *h = add_history(w, at, actor(w));
        if (h != NULL) {
            add_item(h, GEN_ITEM_LINK, (int64_t)(is->index - back), 0, 0);
            is->blocker = (int64_t)(is->index - back);
        }
    }
}

static int history_cmp(const void *a, const void *b)
{
    const gen_history *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void finish_histories(gen_issue *is)
{
    qsort(is->hist, is->n_hist, sizeof is->hist[0], history_cmp);
    is->updated = is->created;
    for (size_t k = 0; k < is->n_hist; k++) {
        is->hist[k].id = GEN_HISTORY_ID_BASE + (int64_t)is->index * BIQ_GEN_MAX_HISTORIES +
                         (int64_t)k;
        if (is->hist[k].at > is->updated)
            is->updated = is->hist[k].at;
    }
}

static void derive_attributes(const biq_gen *g, gen_issue *is, gen_rng *r)
{
    const gen_project_plan *p = is->plan;
    size_t local = is->index - p->pub.first_issue;
    biq_ms span = g->cfg.now - g->span_start;
    /* Creation times increase with the key, spread evenly over the span. */
    biq_ms slot = span / (biq_ms)p->pub.n_issues;
    is->number = local + 1;
    is->created = g->span_start + (biq_ms)local * slot + rng_range(r, 0, slot > 1 ? slot - 1 : 0);
    is->reporter = p->team[rng_below(r, GEN_TEAM)];
    is->assignee = GEN_NO_USER;
    is->type = (int32_t)rng_pick_cum(r, GEN_TYPE_CUM, GEN_N_TYPES);
    is->priority = (int32_t)rng_pick_cum(r, GEN_PRIORITY_CUM, GEN_N_PRIORITIES);
    is->resolution = GEN_NO_RESOLUTION;
    is->resolved_at = BIQ_MS_NONE;
    is->category_changed = is->created;
    is->status = p->workflow[0];
    is->summary_pick = (uint32_t)rng_next(r);
}

bool biq_gen_issue_derive(const biq_gen *g, size_t index, gen_issue *is)
{
    const gen_project_plan *p = plan_of(g, index);
    if (p == NULL)
        return false;
    memset(is, 0, offsetof(gen_issue, hist));
    is->index = index;
    is->plan = p;
    gen_walk w = {.g = g, .is = is, .r = rng_for(g->cfg.seed, index, 0),
                  .started = BIQ_MS_NONE, .done = BIQ_MS_NONE};
    derive_attributes(g, is, &w.r);
    w.cur = is->status;
    biq_ms t = is->created;
    if (is->type <= 1 && rng_chance(&w.r, GEN_POINTS_PERMILLE)) {
        is->points = GEN_POINTS[rng_below(&w.r, GEN_COUNT(GEN_POINTS))];
        biq_ms at = t + rng_range(&w.r, BIQ_MS_PER_MINUTE, 2 * BIQ_MS_PER_DAY);
        add_item(add_history(&w, at, is->reporter), GEN_ITEM_POINTS, 0, is->points, 0);
    }
    if (walk_backlog(&w, &t))
        walk_active(&w, t);
    walk_sprints(&w);
    walk_impediments(&w);
    finish_histories(is);
    gen_rng tr = rng_for(g->cfg.seed, index, 1);
    is->truncated = is->n_hist >= GEN_TRUNCATE_MIN_HIST && rng_chance(&tr, GEN_TRUNCATE_PERMILLE);
    return true;
}

bool biq_gen_issue_truncated(const biq_gen *g, size_t index)
{
    gen_issue *is = malloc(sizeof *is);
    bool truncated = is != NULL && biq_gen_issue_derive(g, index, is) && is->truncated;
    free(is);
    return truncated;
}

void biq_gen_summary(const gen_issue *is, char *buf, size_t size)
{
    uint32_t x = is->summary_pick;
    snprintf(buf, size, "%s %s %s", GEN_VERBS[x % GEN_COUNT(GEN_VERBS)],
             GEN_OBJECTS[(x / 8) % GEN_COUNT(GEN_OBJECTS)],
             GEN_CONTEXTS[(x / 128) % GEN_COUNT(GEN_CONTEXTS)]);
}

void biq_gen_key(const gen_issue *is, char *buf, size_t size)
{
    snprintf(buf, size, "%s-%zu", is->plan->pub.key, is->number);
}

void biq_gen_key_of(const biq_gen *g, size_t index, char *buf, size_t size)
{
    const gen_project_plan *p = plan_of(g, index);
    if (p == NULL)
        snprintf(buf, size, "%s", "");
    else
        snprintf(buf, size, "%s-%zu", p->pub.key, index - p->pub.first_issue + 1);
}

/* ---------------------------------------------------------------- model */

static biq_err model_transitions(const gen_issue *is, biq_arena *arena, biq_issue *out)
{
    size_t n = 0;
    for (size_t k = 0; k < is->n_hist; k++)
        for (uint32_t j = 0; j < is->hist[k].n_items; j++)
            n += is->hist[k].items[j].kind == GEN_ITEM_STATUS;
    biq_transition *t = biq_arena_calloc(arena, n ? n : 1, sizeof *t);
    if (t == NULL)
        return BIQ_ERR_NOMEM;
    size_t m = 0;
    for (size_t k = 0; k < is->n_hist; k++) {
        const gen_history *h = &is->hist[k];
        for (uint32_t j = 0; j < h->n_items; j++) {
            const gen_item *it = &h->items[j];
            if (it->kind != GEN_ITEM_STATUS)
                continue;
            t[m++] = (biq_transition){.history_id = h->id, .item_index = (int32_t)j,
                                      .at = h->at, .from_status = it->a, .to_status = it->b,
                                      .from_name = biq_gen_status_by_id(it->a)->name,
                                      .to_name = biq_gen_status_by_id(it->b)->name};
        }
    }
    out->transitions = t;
    out->n_transitions = n;
    return BIQ_OK;
}

static biq_err model_sprints(const biq_gen *g, const gen_issue *is, biq_arena *arena,
                             biq_issue *out)
{
    int64_t *ids = biq_arena_calloc(arena, is->n_sprints ? is->n_sprints : 1, sizeof *ids);
    if (ids == NULL)
        return BIQ_ERR_NOMEM;
    for (size_t s = 0; s < is->n_sprints; s++) {
        gen_sprint_view v;
        biq_gen_sprint_view(g, is->plan, is->sprint_first + s, &v);
        ids[s] = v.id;
    }
    out->sprint_ids = ids;
    out->n_sprint_ids = is->n_sprints;
    return BIQ_OK;
}

/* Sprint ids first..first+n of the plan into arena (one slot at least). */
static int64_t *sprint_range(const biq_gen *g, const gen_issue *is, int64_t first, int64_t n,
                             biq_arena *arena)
{
    int64_t *ids = biq_arena_calloc(arena, n > 0 ? (size_t)n : 1, sizeof *ids);
    for (int64_t s = 0; ids != NULL && s < n; s++) {
        gen_sprint_view v;
        biq_gen_sprint_view(g, is->plan, (size_t)(first + s), &v);
        ids[s] = v.id;
    }
    return ids;
}

/* The Flagged and Sprint histories and the blocking link (issue #15). */
static biq_err model_impediments(const biq_gen *g, const gen_issue *is, biq_arena *arena,
                                 biq_issue *out)
{
    size_t nf = 0, ns = 0, k = 0, m = 0;
    for (size_t h = 0; h < is->n_hist; h++)
        for (uint32_t j = 0; j < is->hist[h].n_items; j++) {
            nf += is->hist[h].items[j].kind == GEN_ITEM_FLAG;
            ns += is->hist[h].items[j].kind == GEN_ITEM_SPRINT;
        }
    biq_flag_change *f = biq_arena_calloc(arena, nf + 1, sizeof *f);
    biq_sprint_change *s = biq_arena_calloc(arena, ns + 1, sizeof *s);
    biq_block_link *l = biq_arena_calloc(arena, 1, sizeof *l);
    if (f == NULL || s == NULL || l == NULL)
        return BIQ_ERR_NOMEM;
    for (size_t h = 0; h < is->n_hist; h++)
        for (uint32_t j = 0; j < is->hist[h].n_items; j++) {
            const gen_item *it = &is->hist[h].items[j];
            if (it->kind == GEN_ITEM_FLAG)
                f[k++] = (biq_flag_change){.history_id = is->hist[h].id,
                                           .item_index = (int32_t)j, .at = is->hist[h].at,
                                           .flagged = it->a != 0};
            if (it->kind == GEN_ITEM_LINK)
                l->linked_at = is->hist[h].at;
            if (it->kind != GEN_ITEM_SPRINT)
                continue;
            biq_sprint_change *c = &s[m++];
            *c = (biq_sprint_change){.history_id = is->hist[h].id, .item_index = (int32_t)j,
                                     .at = is->hist[h].at, .n_from = (size_t)it->b,
                                     .n_to = (size_t)it->c};
            c->from_ids = sprint_range(g, is, it->a, it->b, arena);
            c->to_ids = sprint_range(g, is, it->a, it->c, arena);
            if (c->from_ids == NULL || c->to_ids == NULL)
                return BIQ_ERR_NOMEM;
        }
    out->flagged = is->flagged;
    out->flag_changes = f;
    out->n_flag_changes = nf;
    out->sprint_changes = s;
    out->n_sprint_changes = ns;
    if (is->blocker >= 0) {
        l->blocker_id = biq_gen_issue_id((size_t)is->blocker);
        out->blocked_by = l;
        out->n_blocked_by = 1;
    }
    return BIQ_OK;
}

static biq_err model_fill(const biq_gen *g, const gen_issue *is, biq_arena *arena,
                          biq_issue *out)
{
    char line[GEN_LINE_MAX];
    const biq_status *st = biq_gen_status_by_id(is->status);
    *out = (biq_issue){
        .id = biq_gen_issue_id(is->index), .project_id = is->plan->pub.id,
        .project_key = is->plan->pub.key, .status_id = st->id, .status_name = st->name,
        .status_category = st->category, .issue_type = biq_gen_types[is->type].name,
        .priority = biq_gen_priorities[is->priority].name,
        .assignee = is->assignee != GEN_NO_USER ? biq_gen_users[is->assignee].name : NULL,
        .created = is->created, .updated = is->updated, .resolution_at = is->resolved_at,
        .story_points = is->points, .has_story_points = is->points > 0,
        .changelog_total = (int32_t)is->n_hist, .changelog_present = (int32_t)is->n_hist};
    biq_gen_key(is, line, sizeof line);
    out->key = biq_arena_strdup(arena, line);
    biq_gen_summary(is, line, sizeof line);
    out->summary = biq_arena_strdup(arena, line);
    if (out->key == NULL || out->summary == NULL)
        return BIQ_ERR_NOMEM;
    biq_err err = model_transitions(is, arena, out);
    if (err == BIQ_OK)
        err = model_sprints(g, is, arena, out);
    return err != BIQ_OK ? err : model_impediments(g, is, arena, out);
}

biq_err biq_gen_issue_model(const biq_gen *g, size_t index, biq_arena *arena, biq_issue *out)
{
    biq_err err = BIQ_OK;
    gen_issue *is = malloc(sizeof *is);
    if (is == NULL) {
        err = BIQ_ERR_NOMEM;
        goto out;
    }
    if (!biq_gen_issue_derive(g, index, is)) {
        err = BIQ_ERR_INVALID;
        goto out;
    }
    err = model_fill(g, is, arena, out);
out:
    free(is);
    return err;
}

void biq_gen_statuses(const biq_status **out, size_t *n)
{
    *out = GEN_STATUSES;
    *n = GEN_N_STATUSES;
}

biq_err biq_gen_sprints(const biq_gen *g, size_t project, biq_arena *arena, biq_sprint **out,
                        size_t *n)
{
    if (project >= g->n_projects)
        return BIQ_ERR_INVALID;
    const gen_project_plan *p = &g->projects[project];
    biq_sprint *s = biq_arena_calloc(arena, p->pub.n_sprints, sizeof *s);
    if (s == NULL)
        return BIQ_ERR_NOMEM;
    for (size_t k = 0; k < p->pub.n_sprints; k++) {
        gen_sprint_view v;
        char name[GEN_LINE_MAX];
        biq_gen_sprint_view(g, p, k, &v);
        snprintf(name, sizeof name, "%s Sprint %zu", p->pub.key, k + 1);
        s[k] = (biq_sprint){.id = v.id, .name = biq_arena_strdup(arena, name), .state = v.state,
                            .start = v.start, .end = v.end, .complete = v.complete,
                            .board_id = p->pub.board_id};
        if (s[k].name == NULL)
            return BIQ_ERR_NOMEM;
    }
    *out = s;
    *n = p->pub.n_sprints;
    return BIQ_OK;
}

/* -------------------------------------------------------------- instants */

static bool read_digits(const char *s, int n, int64_t *out)
{
    int64_t v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* The zone part: "Z", "+HHMM", "+HH:MM" (or '-'); offset in ms east. */
static bool read_zone(const char *s, int64_t *off_ms)
{
    int64_t hh, mm;
    if (s[0] == 'Z' && s[1] == '\0') {
        *off_ms = 0;
        return true;
    }
    if ((s[0] != '+' && s[0] != '-') || !read_digits(s + 1, 2, &hh))
        return false;
    const char *m = s[3] == ':' ? s + 4 : s + 3;
    if (!read_digits(m, 2, &mm) || m[2] != '\0' || hh > 18 || mm > 59)
        return false;
    *off_ms = (hh * 60 + mm) * BIQ_MS_PER_MINUTE * (s[0] == '-' ? -1 : 1);
    return true;
}

static bool read_date(const char *s, int64_t *day)
{
    int64_t y, mo, d;
    if (!read_digits(s, 4, &y) || s[4] != '-' || !read_digits(s + 5, 2, &mo) || s[7] != '-' ||
        !read_digits(s + 8, 2, &d))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > biq_civil_month_days(y, (int)mo))
        return false;
    *day = biq_civil_days(y, (int)mo, (int)d);
    return true;
}

biq_err biq_gen_parse_instant(const char *text, biq_ms *out)
{
    int64_t day, hh, mi, ss, frac = 0, off = 0;
    if (text == NULL || !read_date(text, &day))
        return BIQ_ERR_INVALID;
    if (text[10] == '\0') {
        *out = day * BIQ_MS_PER_DAY;
        return BIQ_OK;
    }
    const char *s = text + 10;
    if (s[0] != 'T' || !read_digits(s + 1, 2, &hh) || s[3] != ':' || !read_digits(s + 4, 2, &mi) ||
        s[6] != ':' || !read_digits(s + 7, 2, &ss) || hh > 23 || mi > 59 || ss > 59)
        return BIQ_ERR_INVALID;
    s += 9;
    if (*s == '.') {
        int n = 0;
        for (s++; n < 3 && *s >= '0' && *s <= '9'; s++, n++)
            frac = frac * 10 + (*s - '0');
        if (n == 0)
            return BIQ_ERR_INVALID;
        for (; n < 3; n++)
            frac *= 10;
    }
    if (!read_zone(s, &off))
        return BIQ_ERR_INVALID;
    *out = day * BIQ_MS_PER_DAY + ((hh * 60 + mi) * 60 + ss) * 1000 + frac - off;
    return BIQ_OK;
}

bool biq_gen_format_jira(biq_ms t, int32_t offset_min, char *buf, size_t size)
{
    if (size < BIQ_GEN_TIME_MAX)
        return false;
    biq_ms local = t + (biq_ms)offset_min * BIQ_MS_PER_MINUTE;
    int64_t day = biq_floor_div(local, BIQ_MS_PER_DAY), y;
    int64_t ms = local - day * BIQ_MS_PER_DAY;
    int mo, d;
    biq_civil_from_days(day, &y, &mo, &d);
    int32_t a = offset_min < 0 ? -offset_min : offset_min;
    snprintf(buf, size, "%04lld-%02d-%02dT%02d:%02d:%02d.%03d%c%02d%02d", (long long)y, mo, d,
             (int)(ms / BIQ_MS_PER_HOUR), (int)(ms / BIQ_MS_PER_MINUTE % 60),
             (int)(ms / 1000 % 60), (int)(ms % 1000), offset_min < 0 ? '-' : '+', (int)(a / 60),
             (int)(a % 60));
    return true;
}
