/* analyze.c - `biq analyze`: the dashboard of every project found in Jira
 * exports, offline (no database).
 *
 * Files are told apart by shape, not name: search pages or bare arrays of
 * issues, status catalogues, agile sprint pages, project lists, and
 * per-issue changelog pages (`values[]` of histories), which complete the
 * truncated embedded changelogs of the issue whose id ends the file name
 * (changelog-10042.json, changelog-issue-10042.json). Issues are grouped by
 * project, each project's dashboard is computed by the flow core, and the
 * result is printed as text or, with --json, as an array of api.md dashboard
 * objects sorted by project key. The default clock is the latest created,
 * updated or status-change instant in the data (not the wall clock), so the
 * same files give the same bytes. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/analyze.h"
#include "cli/commands.h"
#include "common/arena.h"
#include "flow/blocked_json.h"
#include "flow/charts_json.h"
#include "flow/dashboard_json.h"
#include "flow/flow.h"
#include "ingest/ingest.h"
#include "settings/settings.h"
#include "tz/civil.h"
#include "tz/tz.h"

#define AN_ARENA_LIMIT ((size_t)4 << 30) /* all parsed input, or one project's flow */

enum {
    AN_VEC_MIN = 64,
    AN_READ_CHUNK = 64 * 1024,
    AN_TIME_MAX = 32,
    AN_STATUS_NAME_WIDTH = 28,
    AN_LABEL_MAX = 320, /* a status name (255 bytes) and its id */
    AN_DATE_LEN = 10,       /* YYYY-MM-DD */
    AN_SPAN_DIGITS_MAX = 7, /* --window N: up to BIQ_FLOW_MAX_SPAN_DAYS */
    AN_KEYS_SHOWN = 20,     /* issue keys listed per finding kind */
    AN_SLE_TEXT_MAX = 8,    /* the P of --sle P/D */
};

typedef enum an_kind {
    AN_UNKNOWN = 0,
    AN_EMPTY,
    AN_ISSUES,
    AN_STATUSES,
    AN_SPRINTS,
    AN_PROJECTS,
    AN_CHANGELOG,
} an_kind;

/* A growable array in the input arena. */
typedef struct an_vec {
    void *data;
    size_t n, cap, size;
} an_vec;

typedef struct an_changelog {
    int64_t issue_id;
    int64_t start_at;
    const biq_transition *transitions;
    size_t n_transitions;
    int32_t n_histories;
    const biq_flag_change *flags; /* the page's Flagged and Sprint items */
    size_t n_flags;
    const biq_sprint_change *sprints;
    size_t n_sprints;
} an_changelog;

typedef struct an_opts {
    bool json;
    bool sprints; /* --sprints: the sprint report in the JSON too */
    const char *window;
    const char *from_text; /* --from: a date (local day start) or an instant */
    const char *to_text;   /* --to: a date (the day included) or an instant */
    const char *now_text; /* NULL: the latest instant of the data */
    biq_ms now;           /* parsed now_text, unless it is "now" */
    const char *tz_name;
    const char *forecast_items; /* --forecast-items N: "when" */
    const char *forecast_by;    /* --forecast-by DATE: "how many" */
    const char *forecast_from;  /* --forecast-from DATE (default: today) */
    const char *forecast_basis; /* --forecast-basis N days */
    const char *forecast_seed;  /* --forecast-seed N */
    const char *board_file;     /* --board FILE: a board configuration (issue #15) */
    bool forecast;
    bool runs;                  /* --runs: the run charts with XmR limits */
    biq_forecast_spec fspec;    /* parsed; start_day set per run when no --forecast-from */
    const char *settings_path;  /* --settings FILE: project settings (api.md) */
    bool cfd;                   /* --cfd: the CFD in each JSON dashboard */
    const char *sle_text;       /* --sle P/D: the SLE pace is measured against */
    bool aging;                 /* --aging (or --sle): bands, pace, items at risk */
    biq_flow_sle_set sle;       /* parsed --sle; has_project false without it */
    char **files;
    int n_files;
} an_opts;

typedef struct an_input {
    biq_arena *arena;
    an_vec issues, statuses, sprints, projects, changelogs;
} an_input;

/* One project's share of the input. */
typedef struct an_project {
    const char *key;
    const char *name;
    biq_issue *issues;
    size_t n_issues;
    biq_sprint *sprints;
    size_t n_sprints;
} an_project;

typedef struct an_ctx {
    FILE *out, *err;
    const an_opts *opts;
    an_input in;
    biq_ms now;
    biq_ms ingest_now; /* what ingest's future-date limits count from */
    biq_board board;   /* --board's configuration; has_board when given */
    bool has_board;
    biq_work_schedule schedule;
    biq_tz *tz;
    biq_window_spec spec; /* resolved once the clock and zone are known */
    biq_settings_flow_config cfg; /* --settings, built in the input arena */
    bool has_settings;
} an_ctx;

/* ------------------------------------------------------------ helpers */

static bool vec_push(biq_arena *a, an_vec *v, const void *items, size_t n)
{
    if (n == 0)
        return true;
    if (v->n + n > v->cap) {
        size_t cap = v->cap ? v->cap * 2 : AN_VEC_MIN;
        while (cap < v->n + n)
            cap *= 2;
        void *d = biq_arena_realloc(a, v->data, v->cap * v->size, cap * v->size);
        if (d == NULL)
            return false;
        v->data = d;
        v->cap = cap;
    }
    memcpy((char *)v->data + v->n * v->size, items, n * v->size);
    v->n += n;
    return true;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: biq analyze [--json] [--window W | --from DATE [--to DATE]]\n"
               "                   [--now ISO|now] [--tz ZONE]\n"
               "                   [--forecast-items N [--forecast-from DATE] |\n"
               "                    --forecast-by DATE [--forecast-from DATE]]\n"
               "                   [--forecast-basis DAYS] [--forecast-seed N] [--sprints]\n"
               "                   [--board BOARD.json] [--settings FILE] [--cfd] [--runs]\n"
               "                   [--aging] [--sle P/D] FILE...\n"
               "\n"
               "Reads Jira exports (search pages or arrays of issues with changelogs,\n"
               "statuses, sprints, projects, changelog-<issueid>.json pages) and prints\n"
               "each project's dashboard: text, or with --json an array of dashboard\n"
               "objects sorted by project key (exact numbers: days at full precision).\n"
               "W: 7d, 30d (default), 90d, N or Nd (any number of days), all (from the\n"
               "earliest fact to now; no previous window), mtd, qtd, sprint-current,\n"
               "sprint-last, sprint-last3. --from/--to: YYYY-MM-DD (days in --tz, --to\n"
               "included) or ISO instants; --to defaults to now. --now defaults to the\n"
               "latest created, updated or status-change instant in the data ('now':\n"
               "the clock); --tz (an IANA zone) sets day boundaries.\n"
               "--forecast-items N: Monte Carlo \"when will N items be done\" from\n"
               "--forecast-from (default today); --forecast-by DATE: \"how many items\n"
               "from --forecast-from to DATE (excluded)\"; basis: the last 1..365 whole\n"
               "days (default 30); seed default %llu (the API's). docs/metrics.md.\n"
               "The text shows flow efficiency and, when the project has sprints, each\n"
               "closed and the active sprint's report; --sprints adds \"sprintReport\"\n"
               "(the API's sprints/report answer) to each --json dashboard.\n"
               "--board: a board configuration (Jira's GET /rest/agile/1.0/board/ID/\n"
               "configuration) whose columns frame every project's flow.\n"
               "--settings FILE: the project settings JSON (filters, WIP limits, as\n"
               "PUT /api/v1/projects/{key}/settings takes it) applied to every project.\n"
               "--cfd: with --json, each dashboard gains \"cfd\": the cumulative flow\n"
               "diagram over the window's days (charts/cfd's shape).\n"
               "--runs: the window's run charts (throughput per day and week, WIP,\n"
               "cycle time, WIP age) with XmR limits and signals (\"runs\" in JSON).\n"
               "--aging: the aging bands per status (P50/70/85/95 over the last 90\n"
               "days), each item in progress with its pace, and the items at risk of\n"
               "the SLE given by --sle P/D (\"P%% of items within D days\", P 50..99,\n"
               "D 1..365; implies --aging).\n",
            (unsigned long long)BIQ_FORECAST_SEED_DEFAULT);
}

static int usage_error(FILE *err, const char *msg, const char *arg)
{
    fprintf(err, "biq analyze: %s%s%s (see biq analyze --help)\n", msg, arg ? " " : "",
            arg ? arg : "");
    return 2;
}

/* The API's windows, plus "all" and day windows of any length: the
 * offline report reads any span of history. */
static biq_err parse_window(const char *text, biq_window_spec *out)
{
    if (text != NULL && strcmp(text, "all") == 0) {
        *out = (biq_window_spec){.kind = BIQ_WIN_ALL, .from = BIQ_MS_NONE};
        return BIQ_OK;
    }
    if (biq_window_parse(text, out) == BIQ_OK)
        return BIQ_OK;
    int64_t v = 0;
    int digits = 0;
    const char *p = text ? text : "";
    while (*p >= '0' && *p <= '9' && digits < AN_SPAN_DIGITS_MAX) {
        v = v * 10 + (*p++ - '0');
        digits++;
    }
    if (*p == 'd')
        p++;
    if (digits == 0 || *p != '\0' || v < 1 || v > BIQ_FLOW_MAX_SPAN_DAYS)
        return BIQ_ERR_INVALID;
    *out = (biq_window_spec){.kind = BIQ_WIN_DAYS, .days = (int32_t)v};
    return BIQ_OK;
}

/* YYYY-MM-DD (the local day in tz, NULL = UTC: its start, or with
 * day_after the next day's start) or an instant. */
static bool date_value(const char *t, const biq_tz *tz, bool day_after, biq_ms *out)
{
    size_t len = strlen(t);
    int64_t day;
    if (len != AN_DATE_LEN)
        return biq_parse_instant(t, len, out) == BIQ_OK;
    if (biq_civil_parse_date(t, &day) != BIQ_OK)
        return false;
    *out = biq_tz_day_start(tz ? tz : biq_tz_utc(), day + (day_after ? 1 : 0));
    return true;
}

/* The forecast options into o->fspec; 0 or 2. */
static int parse_forecast(FILE *err, an_opts *o)
{
    int64_t v = 0;
    o->forecast = o->forecast_items != NULL || o->forecast_by != NULL;
    if (!o->forecast) {
        if (o->forecast_from || o->forecast_basis || o->forecast_seed)
            return usage_error(err, "--forecast-from/-basis/-seed need --forecast-items or "
                                    "--forecast-by", NULL);
        return 0;
    }
    if (o->forecast_items != NULL && o->forecast_by != NULL)
        return usage_error(err, "give --forecast-items or --forecast-by, not both", NULL);
    biq_forecast_spec *f = &o->fspec;
    *f = (biq_forecast_spec){.seed = BIQ_FORECAST_SEED_DEFAULT};
    if (o->forecast_items != NULL) {
        f->kind = BIQ_FORECAST_WHEN;
        if (!biq_flow_forecast_number(o->forecast_items, BIQ_FORECAST_MAX_ITEMS, &v) || v < 1)
            return usage_error(err, "bad --forecast-items (want 1..10000):", o->forecast_items);
        f->items = (int32_t)v;
    } else {
        f->kind = BIQ_FORECAST_HOW_MANY;
        if (biq_civil_parse_date(o->forecast_by, &f->by_day) != BIQ_OK)
            return usage_error(err, "bad --forecast-by (want YYYY-MM-DD):", o->forecast_by);
    }
    if (o->forecast_from != NULL && biq_civil_parse_date(o->forecast_from, &f->start_day))
        return usage_error(err, "bad --forecast-from (want YYYY-MM-DD):", o->forecast_from);
    if (o->forecast_basis != NULL) {
        if (!biq_flow_forecast_number(o->forecast_basis, BIQ_FORECAST_MAX_BASIS_DAYS, &v) || v < 1)
            return usage_error(err, "bad --forecast-basis (want 1..365):", o->forecast_basis);
        f->basis_days = (int32_t)v;
    }
    if (o->forecast_seed != NULL) {
        if (!biq_flow_forecast_number(o->forecast_seed, BIQ_FORECAST_MAX_SEED, &v))
            return usage_error(err, "bad --forecast-seed (want 0..9007199254740991):", o->forecast_seed);
        f->seed = (uint64_t)v;
    }
    return 0;
}

static bool date_or_instant(const char *t, const biq_tz *tz, biq_ms *out)
{
    return date_value(t, tz, false, out);
}

/* 0 to run, -1 after --help, or 2. */
/* "P/D" into *out: the forecast numbers' digits rule for each part. */
static bool parse_sle(const char *text, biq_flow_sle *out)
{
    char p[AN_SLE_TEXT_MAX];
    const char *slash = strchr(text, '/');
    int64_t pct = 0, days = 0;
    size_t n = slash != NULL ? (size_t)(slash - text) : 0;
    if (slash == NULL || n >= sizeof p)
        return false;
    memcpy(p, text, n);
    p[n] = '\0';
    if (!biq_flow_forecast_number(p, BIQ_FLOW_SLE_PERCENT_MAX, &pct) ||
        !biq_flow_forecast_number(slash + 1, BIQ_FLOW_SLE_DAYS_MAX, &days) ||
        pct < BIQ_FLOW_SLE_PERCENT_MIN || days < BIQ_FLOW_SLE_DAYS_MIN)
        return false;
    *out = (biq_flow_sle){(int32_t)pct, (int32_t)days};
    return true;
}

static int parse_args(FILE *err, int argc, char **argv, an_opts *o)
{
    *o = (an_opts){.window = "30d"};
    int i = 0;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            return -1;
        if (strcmp(a, "--json") == 0 || strcmp(a, "--aging") == 0) {
            *(strcmp(a, "--json") == 0 ? &o->json : &o->aging) = true;
            continue;
        }
        if (strcmp(a, "--runs") == 0) {
            o->runs = true;
            continue;
        }
        if (strcmp(a, "--cfd") == 0) {
            o->cfd = true;
            continue;
        }
        if (strcmp(a, "--sprints") == 0) {
            o->sprints = true;
            continue;
        }
        const char **slot = strcmp(a, "--window") == 0 ? &o->window
                            : strcmp(a, "--now") == 0  ? &o->now_text
                            : strcmp(a, "--tz") == 0   ? &o->tz_name
                            : strcmp(a, "--from") == 0 ? &o->from_text
                            : strcmp(a, "--to") == 0   ? &o->to_text
                            : strcmp(a, "--forecast-items") == 0 ? &o->forecast_items
                            : strcmp(a, "--forecast-by") == 0    ? &o->forecast_by
                            : strcmp(a, "--forecast-from") == 0  ? &o->forecast_from
                            : strcmp(a, "--forecast-basis") == 0 ? &o->forecast_basis
                            : strcmp(a, "--forecast-seed") == 0  ? &o->forecast_seed
                            : strcmp(a, "--board") == 0          ? &o->board_file
                            : strcmp(a, "--settings") == 0       ? &o->settings_path
                            : strcmp(a, "--sle") == 0            ? &o->sle_text
                                                       : NULL;
        if (slot == NULL)
            return usage_error(err, "unknown option", a);
        if (i + 1 >= argc)
            return usage_error(err, "missing value for", a);
        *slot = argv[++i];
    }
    o->files = argv + i;
    o->n_files = argc - i;
    if (o->n_files == 0)
        return usage_error(err, "no input files", NULL);
    biq_window_spec spec;
    biq_ms at = 0;
    if (parse_window(o->window, &spec) != BIQ_OK)
        return usage_error(err, "bad --window", o->window);
    if (o->to_text != NULL && o->from_text == NULL)
        return usage_error(err, "--to needs --from", NULL);
    if (o->from_text != NULL && !date_or_instant(o->from_text, NULL, &at))
        return usage_error(err, "bad --from (want 2024-01-01 or 2024-01-01T00:00:00Z):",
                           o->from_text);
    if (o->to_text != NULL && !date_or_instant(o->to_text, NULL, &at))
        return usage_error(err, "bad --to (want 2024-01-31 or 2024-01-31T00:00:00Z):",
                           o->to_text);
    const char *t = o->now_text;
    if (t != NULL && strcmp(t, "now") != 0 && biq_parse_instant(t, strlen(t), &o->now) != BIQ_OK)
        return usage_error(err, "bad --now (want 2024-01-01T00:00:00Z or now):", t);
    if (o->sle_text != NULL && !parse_sle(o->sle_text, &o->sle.project))
        return usage_error(err, "bad --sle (want P/D: P 50..99, D 1..365):", o->sle_text);
    o->sle.has_project = o->sle_text != NULL;
    o->aging |= o->sle_text != NULL;
    return parse_forecast(err, o);
}

/* ------------------------------------------------------------- reading */

static biq_err read_file(const char *path, char **buf, size_t *len)
{
    biq_err err = BIQ_ERR_IO;
    char *data = NULL;
    size_t n = 0, cap = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        goto out;
    for (;;) {
        if (cap - n < AN_READ_CHUNK) {
            cap = cap ? cap * 2 : AN_READ_CHUNK * 2;
            char *grown = realloc(data, cap);
            if (grown == NULL) {
                err = BIQ_ERR_NOMEM;
                goto out;
            }
            data = grown;
        }
        size_t got = fread(data + n, 1, cap - n, f);
        n += got;
        if (n > BIQ_INGEST_BODY_MAX) {
            err = BIQ_ERR_TOO_LARGE;
            goto out;
        }
        if (got == 0)
            break;
    }
    if (ferror(f))
        goto out;
    *buf = data;
    *len = n;
    data = NULL;
    err = BIQ_OK;
out:
    if (f != NULL)
        fclose(f);
    free(data);
    return err;
}

/* --settings FILE: a project settings object as the settings route takes it
 * (PUT /api/v1/projects/{key}/settings), validated by the same rules, into
 * the flow settings every project's flow is built with. 0, or 1 (said). */
static int load_settings(an_ctx *c)
{
    char *buf = NULL, msg[BIQ_SETTINGS_MESSAGE_MAX] = "";
    size_t len = 0;
    json_error_t jerr;
    biq_err err = read_file(c->opts->settings_path, &buf, &len);
    json_t *body = err == BIQ_OK ? json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    json_t *ov = json_object(), *changes = json_object();
    free(buf);
    if (err != BIQ_OK)
        snprintf(msg, sizeof msg, "%s", biq_strerror(err));
    else if (!json_is_object(body))
        snprintf(msg, sizeof msg, "expected a JSON object of project settings");
    else if ((err = biq_settings_apply(true, body, ov, changes, msg, sizeof msg)) == BIQ_OK)
        err = biq_settings_flow_config_build(NULL, ov, c->in.arena, &c->cfg, msg, sizeof msg);
    json_decref(body);
    json_decref(ov);
    json_decref(changes);
    if (err != BIQ_OK || msg[0] != '\0') {
        fprintf(c->err, "biq analyze: --settings %s: %s\n", c->opts->settings_path,
                msg[0] ? msg : biq_strerror(err));
        return 1;
    }
    c->has_settings = true;
    return 0;
}

static bool has(const json_t *o, const char *key)
{
    return json_object_get(o, key) != NULL;
}

static an_kind kind_of_element(const json_t *e)
{
    if (!json_is_object(e))
        return AN_UNKNOWN;
    if (has(e, "fields"))
        return AN_ISSUES;
    if (has(e, "items") && has(e, "created"))
        return AN_CHANGELOG;
    if (has(e, "statusCategory") || has(e, "statuses"))
        return AN_STATUSES;
    if (has(e, "state") || has(e, "startDate") || has(e, "originBoardId"))
        return AN_SPRINTS;
    if (has(e, "projectTypeKey") || (has(e, "key") && has(e, "name")))
        return AN_PROJECTS;
    return AN_UNKNOWN;
}

static an_kind classify(const json_t *root)
{
    const json_t *list = root;
    if (json_is_object(root)) {
        if (json_is_array(json_object_get(root, "issues")))
            return AN_ISSUES;
        list = json_object_get(root, "values");
    }
    if (!json_is_array(list))
        return AN_UNKNOWN;
    if (json_array_size(list) == 0)
        return AN_EMPTY;
    an_kind k = kind_of_element(json_array_get(list, 0));
    /* A bare array of histories is no changelog page. */
    return k == AN_CHANGELOG && list == root ? AN_UNKNOWN : k;
}

/* The issue id that ends a changelog file's name: changelog-10042.json. */
static bool id_from_name(const char *path, int64_t *id)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    const char *end = dot ? dot : base + strlen(base);
    const char *start = end;
    while (start > base && isdigit((unsigned char)start[-1]))
        start--;
    if (start == end || end - start > 18)
        return false;
    int64_t v = 0;
    for (const char *p = start; p < end; p++)
        v = v * 10 + (*p - '0');
    *id = v;
    return true;
}

static biq_err add_issues(an_ctx *c, const json_t *root, biq_parse_error *perr)
{
    biq_issue_page page;
    biq_field_ids ids = biq_field_ids_default();
    ids.now = &c->ingest_now;
    biq_err err = biq_parse_issue_page(root, &ids, c->in.arena, &page, perr);
    if (err != BIQ_OK)
        return err;
    for (size_t i = 0; i < page.n_issues; i++) {
        if (page.issues[i].has_security_level)
            continue; /* never analysed, as never stored */
        if (!vec_push(c->in.arena, &c->in.issues, &page.issues[i], 1))
            return BIQ_ERR_NOMEM;
    }
    if (!vec_push(c->in.arena, &c->in.statuses, page.statuses, page.n_statuses) ||
        !vec_push(c->in.arena, &c->in.sprints, page.sprints, page.n_sprints))
        return BIQ_ERR_NOMEM;
    return BIQ_OK;
}

static biq_err add_changelog(an_ctx *c, const char *path, const json_t *root,
                             biq_parse_error *perr)
{
    biq_changelog_page page;
    an_changelog cl;
    if (!id_from_name(path, &cl.issue_id)) {
        snprintf(perr->message, sizeof perr->message,
                 "a changelog page, but the file name does not end with the issue id "
                 "(name it changelog-<issueid>.json)");
        return BIQ_ERR_SHAPE;
    }
    /* The field ids add_issues reads embedded changelogs with, so that a
     * page and an embedded changelog give the same Flagged and Sprint
     * histories (as on the server, src/api/ingest.c's changelog_reparse). */
    biq_field_ids ids = biq_field_ids_default();
    ids.now = &c->ingest_now;
    biq_err err = biq_parse_changelog_page_with(root, &ids, c->in.arena, &page, perr);
    if (err != BIQ_OK)
        return err;
    cl.start_at = page.start_at;
    cl.transitions = page.transitions;
    cl.n_transitions = page.n_transitions;
    cl.n_histories = page.n_histories;
    cl.flags = page.flag_changes;
    cl.n_flags = page.n_flag_changes;
    cl.sprints = page.sprint_changes;
    cl.n_sprints = page.n_sprint_changes;
    return vec_push(c->in.arena, &c->in.changelogs, &cl, 1) ? BIQ_OK : BIQ_ERR_NOMEM;
}

static biq_err add_catalogue(an_ctx *c, an_kind kind, const json_t *root, biq_parse_error *perr)
{
    biq_err err;
    if (kind == AN_STATUSES) {
        const biq_status *s = NULL;
        size_t n = 0;
        if ((err = biq_parse_statuses(root, c->in.arena, &s, &n, perr)) == BIQ_OK &&
            !vec_push(c->in.arena, &c->in.statuses, s, n))
            err = BIQ_ERR_NOMEM;
    } else if (kind == AN_SPRINTS) {
        const biq_sprint *s = NULL;
        size_t n = 0;
        if ((err = biq_parse_sprints_at(root, &c->ingest_now, c->in.arena, &s, &n, perr)) ==
                BIQ_OK &&
            !vec_push(c->in.arena, &c->in.sprints, s, n))
            err = BIQ_ERR_NOMEM;
    } else {
        const biq_project *p = NULL;
        size_t n = 0;
        if ((err = biq_parse_projects(root, c->in.arena, &p, &n, perr)) == BIQ_OK &&
            !vec_push(c->in.arena, &c->in.projects, p, n))
            err = BIQ_ERR_NOMEM;
    }
    return err;
}

static biq_err add_root(an_ctx *c, const char *path, const json_t *root, biq_parse_error *perr)
{
    an_kind kind = classify(root);
    switch (kind) {
    case AN_EMPTY:
        return BIQ_OK;
    case AN_ISSUES:
        return add_issues(c, root, perr);
    case AN_CHANGELOG:
        return add_changelog(c, path, root, perr);
    case AN_STATUSES:
    case AN_SPRINTS:
    case AN_PROJECTS:
        return add_catalogue(c, kind, root, perr);
    case AN_UNKNOWN:
        break;
    }
    snprintf(perr->message, sizeof perr->message,
             "not a Jira search page, issue array, status, sprint, project or changelog list");
    return BIQ_ERR_SHAPE;
}

static int load_file(an_ctx *c, const char *path)
{
    char *buf = NULL;
    size_t len = 0;
    json_t *root = NULL;
    biq_parse_error perr = {.message = ""};
    biq_err err = read_file(path, &buf, &len);
    if (err != BIQ_OK) {
        fprintf(c->err, "biq analyze: %s: %s%s%s\n", path, biq_strerror(err),
                err == BIQ_ERR_IO ? ": " : "", err == BIQ_ERR_IO ? strerror(errno) : "");
        goto out;
    }
    if ((err = biq_ingest_load(buf, len, &root, &perr)) == BIQ_OK)
        err = add_root(c, path, root, &perr);
    if (err != BIQ_OK)
        fprintf(c->err, "biq analyze: %s: %s\n", path,
                perr.message[0] ? perr.message : biq_strerror(err));
out:
    json_decref(root);
    free(buf);
    return err == BIQ_OK ? 0 : 1;
}

/* --board FILE: one board configuration, by the server's parser. */
static int load_board(an_ctx *c)
{
    char *buf = NULL;
    size_t len = 0;
    json_t *root = NULL;
    biq_parse_error perr = {.message = ""};
    const char *path = c->opts->board_file;
    biq_err err = read_file(path, &buf, &len);
    if (err == BIQ_OK && (err = biq_ingest_load(buf, len, &root, &perr)) == BIQ_OK)
        err = biq_parse_board(root, c->in.arena, &c->board, &perr);
    if (err != BIQ_OK)
        fprintf(c->err, "biq analyze: --board %s: %s\n", path,
                perr.message[0] ? perr.message : biq_strerror(err));
    c->has_board = err == BIQ_OK;
    json_decref(root);
    free(buf);
    return err == BIQ_OK ? 0 : 1;
}

/* ------------------------------------------------------- preparing */

static int cmp_changelog(const void *a, const void *b)
{
    const an_changelog *x = a, *y = b;
    if (x->issue_id != y->issue_id)
        return x->issue_id < y->issue_id ? -1 : 1;
    return (x->start_at > y->start_at) - (x->start_at < y->start_at);
}

/* The first page of issue id in the sorted pages (lower bound). */
static size_t first_page_of(const an_changelog *cls, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cls[mid].issue_id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Where a changelog item came from: its history and position in it. */
typedef struct an_item_key {
    int64_t history_id;
    int32_t item_index;
} an_item_key;

static an_item_key flag_key(const void *p)
{
    const biq_flag_change *c = p;
    return (an_item_key){c->history_id, c->item_index};
}

static an_item_key sprint_key(const void *p)
{
    const biq_sprint_change *c = p;
    return (an_item_key){c->history_id, c->item_index};
}

/* Appends the items of src[0..n) (of dst->size bytes each) not yet in dst
 * by key: the server's ON CONFLICT DO NOTHING for Flagged and Sprint items,
 * so that the same files give the same union. Quadratic in one issue's
 * items, which the parsers bound (BIQ_INGEST_*_CHANGES_MAX). false when out
 * of memory. */
static bool union_items(biq_arena *arena, an_vec *dst, const void *src, size_t n,
                        an_item_key (*key)(const void *))
{
    const char *s = src;
    for (size_t i = 0; i < n; i++) {
        an_item_key want = key(s + i * dst->size);
        size_t k = 0;
        for (; k < dst->n; k++) {
            an_item_key have = key((const char *)dst->data + k * dst->size);
            if (have.history_id == want.history_id && have.item_index == want.item_index)
                break;
        }
        if (k == dst->n && !vec_push(arena, dst, s + i * dst->size, 1))
            return false;
    }
    return true;
}

/* The Flagged and Sprint items of an issue's changelog pages joined to its
 * embedded ones (the server stores both, whatever the pages' completeness). */
static biq_err union_page_items(an_ctx *c, biq_issue *is, const an_changelog *cls, size_t n)
{
    an_vec f = {.size = sizeof(biq_flag_change)}, sp = {.size = sizeof(biq_sprint_change)};
    biq_arena *a = c->in.arena;
    bool ok = union_items(a, &f, is->flag_changes, is->n_flag_changes, flag_key) &&
              union_items(a, &sp, is->sprint_changes, is->n_sprint_changes, sprint_key);
    for (size_t k = 0; ok && k < n; k++)
        ok = union_items(a, &f, cls[k].flags, cls[k].n_flags, flag_key) &&
             union_items(a, &sp, cls[k].sprints, cls[k].n_sprints, sprint_key);
    if (!ok)
        return BIQ_ERR_NOMEM;
    is->flag_changes = f.data;
    is->n_flag_changes = f.n;
    is->sprint_changes = sp.data;
    is->n_sprint_changes = sp.n;
    return BIQ_OK;
}

/* Replaces a truncated embedded changelog by the pages given for it. */
static biq_err complete_changelogs(an_ctx *c)
{
    an_changelog *cls = c->in.changelogs.data;
    biq_issue *issues = c->in.issues.data;
    if (c->in.changelogs.n == 0)
        return BIQ_OK;
    qsort(cls, c->in.changelogs.n, sizeof *cls, cmp_changelog);
    for (size_t i = 0; i < c->in.issues.n; i++) {
        biq_issue *is = &issues[i];
        size_t k = first_page_of(cls, c->in.changelogs.n, is->id);
        if (k == c->in.changelogs.n || cls[k].issue_id != is->id)
            continue;
        an_vec t = {.size = sizeof(biq_transition)};
        int32_t histories = 0;
        size_t first = k;
        while (k < c->in.changelogs.n && cls[k].issue_id == is->id)
            k++;
        biq_err err = union_page_items(c, is, &cls[first], k - first);
        if (err != BIQ_OK)
            return err;
        for (k = first; k < c->in.changelogs.n && cls[k].issue_id == is->id; k++) {
            if (!vec_push(c->in.arena, &t, cls[k].transitions, cls[k].n_transitions))
                return BIQ_ERR_NOMEM;
            histories += cls[k].n_histories;
        }
        if (histories <= is->changelog_present)
            continue; /* the embedded one is at least as complete */
        is->transitions = t.data;
        is->n_transitions = t.n;
        is->changelog_present = histories;
    }
    return BIQ_OK;
}

static biq_ms latest_instant(const an_input *in)
{
    const biq_issue *issues = in->issues.data;
    biq_ms t = BIQ_MS_NONE;
    for (size_t i = 0; i < in->issues.n; i++) {
        const biq_issue *is = &issues[i];
        t = is->created > t ? is->created : t;
        t = is->updated > t ? is->updated : t;
        for (size_t k = 0; k < is->n_transitions; k++)
            t = is->transitions[k].at > t ? is->transitions[k].at : t;
    }
    return t;
}

/* --now (validated by parse_args), the clock for "now", else the data's
 * latest instant. */
static biq_ms real_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (biq_ms)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Ingest refuses dates too far after this: the real clock, or a later
 * --now (an earlier --now is an "as of" view of data that may go on). */
static biq_ms ingest_clock(const an_opts *o)
{
    biq_ms real = real_now();
    bool iso = o->now_text != NULL && strcmp(o->now_text, "now") != 0;
    return iso && o->now > real ? o->now : real;
}

static void set_clock(an_ctx *c)
{
    const char *s = c->opts->now_text;
    if (s == NULL) {
        c->now = latest_instant(&c->in);
    } else if (strcmp(s, "now") == 0) {
        c->now = real_now();
    } else {
        c->now = c->opts->now;
    }
}

/* The window: --from/--to (dates in the zone, --to's day included, at
 * most now), else --window. 0, or 2 for an empty range. */
static int set_window(an_ctx *c)
{
    const an_opts *o = c->opts;
    if (o->from_text == NULL)
        return parse_window(o->window, &c->spec) == BIQ_OK ? 0 : 2;
    biq_ms from = 0, to = c->now;
    (void)date_value(o->from_text, c->tz, false, &from); /* validated by parse_args */
    if (o->to_text != NULL)
        (void)date_value(o->to_text, c->tz, true, &to);
    to = to < c->now ? to : c->now;
    if (from >= to) {
        fprintf(c->err, "biq analyze: --from must be before --to and before now\n");
        return 2;
    }
    c->spec = (biq_window_spec){.kind = BIQ_WIN_CUSTOM, .from = from, .to = to};
    return 0;
}

static int set_zone(an_ctx *c)
{
    c->schedule = (biq_work_schedule){.working = false};
    if (c->opts->tz_name == NULL)
        return 0;
    biq_err err = biq_tz_load(NULL, c->opts->tz_name, c->in.arena, &c->tz);
    if (err != BIQ_OK) {
        fprintf(c->err, "biq analyze: --tz %s: %s\n", c->opts->tz_name, biq_strerror(err));
        return err == BIQ_ERR_INVALID || err == BIQ_ERR_NOT_FOUND ? 2 : 1;
    }
    c->schedule.tz = c->tz;
    return 0;
}

/* The catalogue rule of every path (biq_flow_statuses_resolve): the files'
 * catalogue, else the newest issue showing a status, over all the input's
 * issues as the server does over a tenant's. */
static biq_err resolve_statuses(an_input *in)
{
    biq_status *s = NULL;
    size_t n = 0;
    biq_err err = biq_flow_statuses_resolve(in->statuses.data, in->statuses.n, in->issues.data,
                                            in->issues.n, in->arena, &s, NULL, &n);
    if (err == BIQ_OK) {
        in->statuses.data = s;
        in->statuses.n = in->statuses.cap = n;
    }
    return err;
}

static int cmp_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int cmp_issue_project(const void *a, const void *b)
{
    const biq_issue *x = a, *y = b;
    int k = cmp_str(x->project_key, y->project_key);
    if (k != 0)
        return k;
    return (x->id > y->id) - (x->id < y->id);
}

static const char *project_name(const an_input *in, const char *key)
{
    const biq_project *p = in->projects.data;
    for (size_t i = 0; i < in->projects.n; i++)
        if (cmp_str(p[i].key, key) == 0)
            return p[i].name;
    return key;
}

static bool sprint_used(const an_project *p, int64_t id)
{
    for (size_t i = 0; i < p->n_issues; i++)
        for (size_t k = 0; k < p->issues[i].n_sprint_ids; k++)
            if (p->issues[i].sprint_ids[k] == id)
                return true;
    return false;
}

/* A project's sprints: those its issues were in (boards do not name
 * projects), first occurrence of each id. */
static biq_err project_sprints(an_ctx *c, an_project *p)
{
    const biq_sprint *all = c->in.sprints.data;
    an_vec v = {.size = sizeof(biq_sprint)};
    for (size_t i = 0; i < c->in.sprints.n; i++) {
        bool seen = false;
        for (size_t k = 0; k < v.n && !seen; k++)
            seen = ((const biq_sprint *)v.data)[k].id == all[i].id;
        if (!seen && sprint_used(p, all[i].id) && !vec_push(c->in.arena, &v, &all[i], 1))
            return BIQ_ERR_NOMEM;
    }
    p->sprints = v.data;
    p->n_sprints = v.n;
    return BIQ_OK;
}

/* ---------------------------------------------------------- text report */

static double days(double ms)
{
    return ms / 86400000.0;
}

static void text_time(char *buf, size_t size, biq_ms t)
{
    if (!biq_flow_format_instant(t, buf, size))
        snprintf(buf, size, "-");
}

/* "P50 …, P85 …, P95 … (n=N)", or "— (n=0)": no sample is no time. */
static void text_percentiles(FILE *out, const char *label, const biq_flow_stats *s)
{
    if (s->count == 0)
        fprintf(out, "  %s \u2014 (n=0)\n", label);
    else
        fprintf(out, "  %s P50 %.2f d, P85 %.2f d, P95 %.2f d (n=%u)\n", label, days(s->p50_ms),
                days(s->p85_ms), days(s->p95_ms), s->count);
}

/* Flow efficiency (docs/metrics.md) as whole percents. */
static void text_efficiency(FILE *out, const biq_flow_efficiency *e)
{
    if (e == NULL || !e->cur.has_value) {
        fprintf(out, "  efficiency  none: no item with cycle time done in the window\n");
        return;
    }
    fprintf(out,
            "  efficiency  %.0f%% of cycle time active and unblocked (mean of items %.0f%%, "
            "%u items); blocked %.0f%%",
            e->cur.value * 100.0, e->cur.mean_ratio * 100.0, e->cur.n,
            e->cur.blocked_share * 100.0);
    if (e->prev.has_value)
        fprintf(out, "; previous %.0f%%\n", e->prev.value * 100.0);
    else
        fprintf(out, "; no previous value\n");
}

/* One line per closed and the active sprint. */
static void text_sprints(FILE *out, const biq_flow_sprint_reports *rs)
{
    if (rs->n > 0)
        fprintf(out, "Sprints:\n");
    for (size_t i = 0; i < rs->n; i++) {
        const biq_sprint_report *r = &rs->reports[i];
        char from[AN_TIME_MAX], to[AN_TIME_MAX];
        text_time(from, sizeof from, r->start);
        text_time(to, sizeof to, r->end);
        fprintf(out,
                "  %s (%s, %s .. %s): committed %u, added %u, removed %u, completed %u, "
                "%s %u, done before start %u",
                r->sprint->name ? r->sprint->name : "(no name)", r->active ? "active" : "closed",
                from, to, r->committed, r->added, r->removed, r->completed,
                r->active ? "not done yet" : "carried over", r->carried_over,
                r->done_before_start);
        if (r->has_ratio)
            fprintf(out, ", completion %.0f%%", r->completion_ratio * 100.0);
        if (r->approximate)
            fprintf(out, "; approximate (truncated histories %u, Sprint field missing %u, "
                         "history gaps %u)",
                    r->n_truncated, r->n_field_missing, r->n_gaps);
        fputc('\n', out);
    }
}

/* The project's line: the issues the flow sees (as of now, after the
 * filters), and the files' count when it differs. */
static void text_header(FILE *out, const an_project *p, const biq_flow *f,
                        const biq_flow_report *r)
{
    char from[AN_TIME_MAX], to[AN_TIME_MAX], pfrom[AN_TIME_MAX];
    size_t seen = biq_flow_issue_count(f);
    text_time(from, sizeof from, r->window.from);
    text_time(to, sizeof to, r->window.to);
    text_time(pfrom, sizeof pfrom, r->window.prev_from);
    fprintf(out, "%s  %s  (%zu issues", p->key ? p->key : "(no project)", p->name ? p->name : "",
            seen);
    if (seen != p->n_issues)
        fprintf(out, "; %zu in the files", p->n_issues);
    fputs(")\n", out);
    if (r->window.prev_to > r->window.prev_from)
        fprintf(out, "  window      %s .. %s (previous from %s)\n", from, to, pfrom);
    else
        fprintf(out, "  window      %s .. %s (no previous window)\n", from, to);
    fprintf(out, "  throughput  %u done (previous %u)\n", r->cur.throughput, r->prev.throughput);
    text_percentiles(out, "lead time   (created \u2192 done)", &r->cur.lead);
    text_percentiles(out, "cycle time  (started \u2192 done)", &r->cur.cycle);
    text_efficiency(out, r->efficiency);
    if (r->bottleneck.state == BIQ_BN_FOUND)
        fprintf(out, "  bottleneck  %s\n", r->bottleneck.explanation);
    else
        fprintf(out, "  bottleneck  none: %s\n", r->bottleneck.message);
}

static const char *role_label(const biq_flow_status_info *st)
{
    if (st->external)
        return "external";
    if (st->terminal && st->role != BIQ_ROLE_DONE)
        return "terminal";
    return st->role == BIQ_ROLE_ACTIVE    ? "active"
           : st->role == BIQ_ROLE_DONE    ? "done"
           : st->role == BIQ_ROLE_UNKNOWN ? "unknown"
                                          : "backlog";
}

/* Display columns of one UTF-8 code point: 2 for East Asian wide and
 * fullwidth characters, else 1. Written here rather than wcwidth(3), whose
 * answer depends on the process locale: a report must be the same bytes
 * on every machine. Ranges: Unicode's East_Asian_Width W and F blocks. */
static int cp_width(uint32_t cp)
{
    static const uint32_t wide[][2] = {
        {0x1100, 0x115F}, {0x2E80, 0x303E}, {0x3041, 0x33FF}, {0x3400, 0x4DBF},
        {0x4E00, 0x9FFF}, {0xA000, 0xA4CF}, {0xAC00, 0xD7A3}, {0xF900, 0xFAFF},
        {0xFE30, 0xFE4F}, {0xFF00, 0xFF60}, {0xFFE0, 0xFFE6}, {0x1F300, 0x1F64F},
        {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
    };
    for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
        if (cp >= wide[i][0] && cp <= wide[i][1])
            return 2;
    return 1;
}

/* Decodes the code point at s (valid UTF-8: ingest checked it); *len its
 * bytes. */
static uint32_t next_cp(const unsigned char *s, size_t *len)
{
    if (s[0] < 0x80) {
        *len = 1;
        return s[0];
    }
    if ((s[0] & 0xE0) == 0xC0) {
        *len = 2;
        return (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
    }
    if ((s[0] & 0xF0) == 0xE0) {
        *len = 3;
        return (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
    }
    *len = 4;
    return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
           (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
}

/* Prints text in exactly width display columns: cut at a whole character
 * (a wide one that would straddle the edge is left out), padded with
 * spaces. */
static void put_padded(FILE *out, const char *text, int width)
{
    const unsigned char *s = (const unsigned char *)text;
    int used = 0;
    while (*s != '\0') {
        size_t len = 1;
        int w = cp_width(next_cp(s, &len));
        if (used + w > width)
            break;
        for (size_t k = 0; k < len && s[k] != '\0'; k++)
            fputc(s[k], out);
        used += w;
        s += len;
    }
    fprintf(out, "%*s", width - used, "");
}

/* A status name, with its id when another status of the report has the
 * same name (e.g. two "To Do"). */
static void status_label(char *buf, size_t size, const biq_flow_report *r, size_t i)
{
    const biq_flow_status_info *st = r->statuses[i].status;
    const char *name = st->name ? st->name : "?";
    bool twin = false;
    for (size_t k = 0; k < r->n_statuses && !twin; k++)
        twin = k != i && r->statuses[k].status->name != NULL &&
               strcmp(r->statuses[k].status->name, name) == 0;
    if (twin)
        snprintf(buf, size, "%s (%" PRId64 ")", name, st->id);
    else
        snprintf(buf, size, "%s", name);
}

/* A duration in days, or "—" for an empty sample (no visits is no time). */
static void put_days(FILE *out, int width, uint32_t count, double ms)
{
    if (count == 0)
        fprintf(out, " %*s%s", width - 1, "", "\u2014");
    else
        fprintf(out, " %*.2f", width, days(ms));
}

static void text_statuses(FILE *out, const biq_flow_report *r)
{
    char label[AN_LABEL_MAX];
    fprintf(out, "  ");
    put_padded(out, "status", AN_STATUS_NAME_WIDTH);
    fprintf(out, " %-8s %9s %9s %8s %8s %9s %8s %6s\n", "role", "avg days", "prev avg", "P50",
            "P90", "load avg", "load now", "exits");
    for (size_t i = 0; i < r->n_statuses; i++) {
        const biq_flow_status_metrics *m = &r->statuses[i];
        biq_flow_load load = biq_flow_status_load(m->status);
        status_label(label, sizeof label, r, i);
        fprintf(out, "  ");
        put_padded(out, label, AN_STATUS_NAME_WIDTH);
        fprintf(out, " %-8s", role_label(m->status));
        put_days(out, 9, m->cur.time.count, m->cur.time.avg_ms);
        put_days(out, 9, m->prev.time.count, m->prev.time.avg_ms);
        put_days(out, 8, m->cur.time.count, m->cur.time.p50_ms);
        put_days(out, 8, m->cur.time.count, m->cur.time.p90_ms);
        if (load == BIQ_LOAD_NONE)
            fprintf(out, " %8s%s %7s%s", "", "\u2014", "", "\u2014");
        else
            fprintf(out, " %8.2f%s %7u%s", m->cur.wip_avg, load == BIQ_LOAD_WIP ? " " : "w",
                    m->cur.wip_current, load == BIQ_LOAD_WIP ? " " : "w");
        fprintf(out, " %6u\n", m->cur.throughput);
    }
    fprintf(out, "  (load: WIP of active statuses; \"w\": waiting in a backlog queue, not WIP;"
                 " \u2014: none, or no visits.\n   exits: issues that left the status in the"
                 " window.)\n");
}

static void text_trends(FILE *out, const biq_flow_report *r)
{
    for (size_t i = 0; i < r->n_trends; i++) {
        const biq_flow_trend *t = &r->trends[i];
        char size[BIQ_FLOW_CHANGE_TEXT_MAX];
        fprintf(out, "  trend       %s%s%s: %s %s (%s)\n", biq_trend_metric_name(t->metric),
                t->status ? " of " : "", t->status ? t->status->name : "",
                t->change_pct >= 0 ? "up" : "down",
                biq_flow_format_change(t->change_pct / 100.0, size, sizeof size),
                t->worsening ? "worsening" : "improving");
    }
}

/* Arrivals against departures on the CFD's frame (docs/metrics.md). */
static void text_debt(FILE *out, const biq_flow_report *r)
{
    if (r->debt != NULL)
        fprintf(out, "  flow debt   %+" PRId64 " (arrived %" PRIu32 ", %.2f/day; departed %" PRIu32
                     ", %.2f/day)\n",
                r->debt->debt, r->debt->arrivals, r->debt->arrivals_per_day, r->debt->departures,
                r->debt->departures_per_day);
}

/* Each finding kind with the issues it concerns and what was done, then
 * the one-line summary. */
static void text_quality(FILE *out, const biq_flow *f, biq_arena *a)
{
    biq_flow_dq_report rep;
    if (biq_flow_dq_report_build(f, a, &rep) != BIQ_OK)
        return;
    for (size_t i = 0; i < rep.n_groups; i++) {
        const biq_flow_dq_group *g = &rep.groups[i];
        bool statuses = g->kind == BIQ_DQ_UNKNOWN_STATUS; /* one finding per status */
        fprintf(out, "  data        %s: %zu %s%s, %zu issue%s", biq_dq_kind_name(g->kind), g->count,
                statuses ? "status" : "finding",
                g->count == 1 ? "" : statuses ? "es" : "s", g->n_issues, g->n_issues == 1 ? "" : "s");
        for (size_t k = 0; k < g->n_keys; k++)
            fprintf(out, "%s%s", k ? ", " : " (", g->keys[k]);
        if (g->n_issues > g->n_keys)
            fprintf(out, " and %zu more", g->n_issues - g->n_keys);
        fprintf(out, "%s\n              -> %s\n", g->n_keys ? ")" : "", g->action);
    }
    fprintf(out, "  quality     %s\n", rep.summary);
}

/* The forecast section: percentiles, then the inputs. */
static void text_forecast(FILE *out, const biq_forecast *fc)
{
    const biq_forecast_inputs *in = &fc->inputs;
    char from[AN_TIME_MAX], to[AN_TIME_MAX], start[AN_TIME_MAX], day[AN_TIME_MAX];
    biq_civil_format_date(in->basis_first_day, from, sizeof from);
    biq_civil_format_date(in->basis_last_day, to, sizeof to);
    biq_civil_format_date(in->start_day, start, sizeof start);
    if (fc->kind == BIQ_FORECAST_WHEN) {
        fprintf(out, "Forecast: when will %d items be done, from %s\n", (int)in->items, start);
    } else {
        biq_civil_format_date(in->by_day, day, sizeof day);
        fprintf(out, "Forecast: how many items from %s to %s (excluded; %d simulated days)\n",
                start, day, (int)in->horizon);
    }
    if (fc->state == BIQ_FORECAST_NO_THROUGHPUT)
        fprintf(out, "  cannot forecast: nothing was done in the basis window\n");
    for (size_t i = 0; fc->state == BIQ_FORECAST_OK && i < BIQ_FORECAST_N_PERCENTILES; i++) {
        const biq_forecast_point *pt = &fc->points[i];
        if (fc->kind == BIQ_FORECAST_HOW_MANY) {
            fprintf(out, "  P%d  at least %lld items\n", pt->p, (long long)pt->value);
        } else if (!pt->reached) {
            fprintf(out, "  P%d  not within %d simulated days\n", pt->p,
                    BIQ_FORECAST_MAX_SIM_DAYS);
        } else {
            biq_civil_format_date(pt->day, day, sizeof day);
            fprintf(out, "  P%d  by %s (%lld simulated days)\n", pt->p, day,
                    (long long)pt->value);
        }
    }
    fprintf(out,
            "  basis %s..%s: %u %s days sampled, %u with nothing done, %llu done; "
            "%d trials, seed %llu\n",
            from, to, in->days_sampled, in->working_days ? "working" : "calendar",
            in->zero_days, (unsigned long long)in->total_done, (int)in->trials,
            (unsigned long long)in->seed);
}

static void text_band(FILE *out, const char *label, const biq_flow_band *b)
{
    fprintf(out, "  ");
    put_padded(out, label, AN_STATUS_NAME_WIDTH);
    fprintf(out, " %5u", b->n);
    for (size_t k = 0; k < BIQ_FLOW_BAND_N_PERCENTILES; k++)
        put_days(out, 8, b->n, b->p_ms[k]);
    fputc('\n', out);
}

/* The aging section: bands per status, the SLE (or its suggestion), then
 * every item in progress with its pace, the ones at risk marked. */
static void text_aging(FILE *out, const biq_flow *f, const biq_flow_bands *b, biq_arena *a)
{
    const biq_flow_sle_set *sles = biq_flow_sles(f);
    biq_flow_pace *rows = NULL;
    size_t n = 0;
    fprintf(out, "Aging bands (age since started when items done in the last %d days left "
                 "the status):\n  ",
            (int)b->basis_days);
    put_padded(out, "status", AN_STATUS_NAME_WIDTH);
    fprintf(out, " %5s %8s %8s %8s %8s\n", "n", "P50", "P70", "P85", "P95");
    for (size_t i = 0; i < b->n_statuses; i++)
        text_band(out, b->statuses[i].status->name, &b->statuses[i]);
    text_band(out, "(in progress: cycle time)", &b->span);
    if (sles != NULL && sles->has_project)
        fprintf(out, "  SLE         %d%% within %d days\n", (int)sles->project.percent,
                (int)sles->project.days);
    else
        fprintf(out, "  SLE         none set (--sle P/D)\n");
    if (b->has_suggestion)
        fprintf(out, "  suggestion  %d%% within %d days (P85 of %u cycle times)\n",
                (int)b->suggestion.percent, (int)b->suggestion.days, b->span.n);
    if (biq_flow_paces(f, b, sles, a, &rows, &n) != BIQ_OK)
        return;
    for (size_t i = 0; i < n; i++) {
        const biq_flow_pace *p = &rows[i];
        fprintf(out, "  %s %-12s %7.2f days", p->at_risk ? "AT RISK" : "pace   ",
                p->issue->issue->key ? p->issue->issue->key : "?", days((double)p->age_ms));
        if (p->has_pace)
            fprintf(out, ", older than %.0f%% of finished items", p->pace * 100.0);
        fputc('\n', out);
    }
}

/* The forecast asked for into *fc (NULL when none was asked). BIQ_ERR_INVALID
 * (said on c->err) for a --forecast-by not after the start day. */
static biq_err project_forecast(an_ctx *c, const biq_flow *f, biq_arena *a, biq_forecast **fc)
{
    *fc = NULL;
    if (!c->opts->forecast)
        return BIQ_OK;
    biq_forecast_spec spec = c->opts->fspec;
    if (c->opts->forecast_from == NULL)
        spec.start_day = biq_tz_local_day(biq_flow_tz(f), biq_flow_now(f));
    if (spec.kind == BIQ_FORECAST_HOW_MANY &&
        (spec.by_day <= spec.start_day ||
         spec.by_day - spec.start_day > BIQ_FORECAST_MAX_HORIZON_DAYS)) {
        fprintf(c->err, "biq analyze: --forecast-by must be after the start day, at most %d "
                        "days later\n",
                BIQ_FORECAST_MAX_HORIZON_DAYS);
        return BIQ_ERR_INVALID;
    }
    return biq_flow_forecast(f, &spec, a, fc);
}

/* The run charts' summary: per series its last point against the limits
 * ("throughput this week: 14, within limits 3..21"), and the signals. */
static void text_runs(FILE *out, const biq_flow_runs *r)
{
    static const char *const LABEL[BIQ_RUN__COUNT] = {
        [BIQ_RUN_THROUGHPUT_DAY] = "throughput on the last day",
        [BIQ_RUN_THROUGHPUT_WEEK] = "throughput this week",
        [BIQ_RUN_WIP_DAY] = "WIP at the last day's end",
        [BIQ_RUN_CYCLE_TIME] = "cycle time of the last item done",
        [BIQ_RUN_AGE_TOTAL] = "total WIP age",
        [BIQ_RUN_AGE_AVG] = "average WIP age",
    };
    fprintf(out, "Run charts (XmR limits: mean +- 2.66 x average moving range; %s days):\n",
            r->working_days ? "working" : "calendar");
    for (int k = 0; k < BIQ_RUN__COUNT; k++) {
        const biq_run_series *s = &r->series[k];
        const char *unit = biq_run_kind_unit((biq_run_kind)k);
        bool items = strcmp(unit, "items") == 0;
        int prec = items ? 0 : 1;
        if (s->n_points == 0) {
            fprintf(out, "  %s: %s in the window\n", LABEL[k],
                    k == BIQ_RUN_THROUGHPUT_WEEK ? "no whole week"
                    : k == BIQ_RUN_CYCLE_TIME    ? "no item done"
                                                 : "no whole day");
            continue;
        }
        const biq_run_point *last = &s->points[s->n_points - 1];
        size_t signalled = 0;
        for (size_t i = 0; i < s->n_points; i++)
            signalled += s->points[i].signals != 0;
        fprintf(out, "  %s: %.*f%s", LABEL[k], prec, last->value, items ? "" : " days");
        if (!s->limits.has_limits) {
            fprintf(out, ", no limits (one point)\n");
            continue;
        }
        fprintf(out, ", %s limits %.1f..%.1f (mean %.1f, %zu points, %zu in a signal)\n",
                last->signals & BIQ_XMR_OUTSIDE ? "outside" : "within", s->limits.lower,
                s->limits.upper, s->limits.mean, s->n_points, signalled);
    }
}

/* ------------------------------------------------------------- running */

/* --cfd: the window's local days (the export's table=cfd days) as "cfd". */
static biq_err project_cfd(const biq_flow *f, const biq_flow_window *w, biq_arena *a, json_t *d)
{
    const biq_tz *tz = biq_flow_tz(f);
    biq_flow_cfd *cfd = NULL;
    biq_err err = biq_flow_cfd_build(f, biq_tz_local_day(tz, w->from + 1),
                                     biq_tz_local_day(tz, w->to), false, a, &cfd);
    if (err == BIQ_OK && json_object_set_new(d, "cfd", biq_flow_cfd_json(f, cfd)) != 0)
        err = BIQ_ERR_NOMEM;
    return err;
}

static int project_report(an_ctx *c, an_project *p, json_t *dashboards)
{
    int rc = 1;
    biq_arena *a = biq_arena_new(AN_ARENA_LIMIT);
    biq_flow *f = NULL;
    biq_flow_window w;
    biq_flow_report *r = NULL;
    const biq_status *st = c->in.statuses.data;
    /* --settings' (its "sle" included), with --sle P/D over its SLE. */
    biq_flow_settings settings;
    if (c->has_settings)
        settings = c->cfg.settings;
    else
        biq_flow_settings_init(&settings);
    if (c->opts->sle.has_project)
        settings.sle = &c->opts->sle;
    biq_flow_input in = {.issues = p->issues, .n_issues = p->n_issues, .statuses = st,
                         .n_statuses = c->in.statuses.n, .sprints = p->sprints,
                         .n_sprints = p->n_sprints, .schedule = &c->schedule, .now = c->now,
                         .board = c->has_board ? &c->board : NULL, .settings = &settings};
    biq_err err = a == NULL ? BIQ_ERR_NOMEM : biq_flow_new(&in, a, &f);
    if (err == BIQ_OK && (err = biq_flow_window_resolve(f, &c->spec, &w)) == BIQ_OK)
        err = biq_flow_report_build(f, &w, a, &r);
    biq_forecast *fc = NULL;
    biq_flow_sprint_reports *rs = NULL;
    if (err == BIQ_OK)
        err = project_forecast(c, f, a, &fc);
    if (err == BIQ_OK)
        err = biq_flow_sprint_reports_build(f, a, &rs);
    biq_flow_runs *runs = NULL;
    if (err == BIQ_OK && c->opts->runs)
        err = biq_flow_runs_build(f, &w, a, &runs);
    biq_flow_bands *bands = NULL;
    if (err == BIQ_OK && c->opts->aging)
        err = biq_flow_bands_build(f, 0, a, &bands);
    if (err != BIQ_OK) {
        fprintf(c->err, "biq analyze: project %s: %s\n", p->key ? p->key : "(none)",
                err == BIQ_ERR_NOT_FOUND ? "no sprint for that window" : biq_strerror(err));
        goto out;
    }
    if (c->opts->json) {
        biq_dashboard_meta meta = {.project_key = p->key, .project_name = p->name};
        json_t *d = biq_flow_dashboard_json(f, r, &meta);
        if (d != NULL && bands != NULL &&
            json_object_set_new(d, "aging", biq_flow_paces_json(f, bands, a)) != 0) {
            json_decref(d);
            d = NULL;
        }
        if (d != NULL && fc != NULL &&
            json_object_set_new(d, "forecast", biq_flow_forecast_json(fc)) != 0) {
            json_decref(d);
            d = NULL;
        }
        if (d != NULL && runs != NULL &&
            json_object_set_new(d, "runs", biq_flow_runs_json(runs)) != 0) {
            json_decref(d);
            d = NULL;
        }
        if (d != NULL && c->opts->cfd && project_cfd(f, &w, a, d) != BIQ_OK) {
            json_decref(d);
            d = NULL;
        }
        if (d != NULL && c->opts->sprints &&
            json_object_set_new(d, "sprintReport", biq_flow_sprint_reports_json(f, rs)) != 0) {
            json_decref(d);
            d = NULL;
        }
        if (json_array_append_new(dashboards, d) != 0) {
            fprintf(c->err, "biq analyze: out of memory\n");
            goto out;
        }
    } else {
        text_header(c->out, p, f, r);
        text_statuses(c->out, r);
        text_trends(c->out, r);
        text_debt(c->out, r);
        text_quality(c->out, f, a);
        text_sprints(c->out, rs);
        if (fc != NULL)
            text_forecast(c->out, fc);
        if (runs != NULL)
            text_runs(c->out, runs);
        if (bands != NULL)
            text_aging(c->out, f, bands, a);
        fputc('\n', c->out);
    }
    rc = 0;
out:
    biq_arena_free(a);
    return rc;
}

static int report_all(an_ctx *c)
{
    int rc = 1;
    biq_issue *issues = c->in.issues.data;
    json_t *dashboards = c->opts->json ? json_array() : NULL;
    char *text = NULL;
    if (c->opts->json && dashboards == NULL)
        goto out;
    qsort(issues, c->in.issues.n, sizeof *issues, cmp_issue_project);
    for (size_t i = 0; i < c->in.issues.n;) {
        size_t j = i;
        while (j < c->in.issues.n && cmp_str(issues[j].project_key, issues[i].project_key) == 0)
            j++;
        an_project p = {.key = issues[i].project_key, .issues = &issues[i], .n_issues = j - i};
        p.name = project_name(&c->in, p.key);
        if (project_sprints(c, &p) != BIQ_OK || project_report(c, &p, dashboards) != 0)
            goto out;
        i = j;
    }
    if (c->opts->json) {
        if ((text = biq_flow_json_dumps(dashboards)) == NULL)
            goto out;
        fprintf(c->out, "%s\n", text);
    }
    rc = 0;
out:
    free(text);
    json_decref(dashboards);
    return rc;
}

static int run(an_ctx *c)
{
    if (c->opts->board_file != NULL && load_board(c) != 0)
        return 1;
    if (c->opts->settings_path != NULL && load_settings(c) != 0)
        return 1;
    for (int i = 0; i < c->opts->n_files; i++)
        if (load_file(c, c->opts->files[i]) != 0)
            return 1;
    if (c->in.issues.n == 0) {
        fprintf(c->err, "biq analyze: no issues in the input\n");
        return 1;
    }
    biq_err err = complete_changelogs(c);
    if (err == BIQ_OK)
        err = resolve_statuses(&c->in);
    if (err != BIQ_OK) {
        fprintf(c->err, "biq analyze: %s\n", biq_strerror(err));
        return 1;
    }
    set_clock(c);
    int rc = set_zone(c);
    if (rc == 0)
        rc = set_window(c);
    if (rc == 0 && !c->opts->json) {
        char now[AN_TIME_MAX];
        text_time(now, sizeof now, c->now);
        fprintf(c->out, "BottleneckIQ analyze: %zu issues, window %s, now %s\n\n",
                c->in.issues.n, c->opts->window, now);
    }
    return rc != 0 ? rc : report_all(c);
}

int biq_cli_analyze_run(FILE *out, FILE *err, int argc, char **argv)
{
    an_opts opts;
    int rc = parse_args(err, argc, argv, &opts);
    if (rc == -1) {
        usage(out);
        return 0;
    }
    if (rc != 0)
        return rc;
    an_ctx c = {.out = out, .err = err, .opts = &opts, .ingest_now = ingest_clock(&opts)};
    c.in = (an_input){.arena = biq_arena_new(AN_ARENA_LIMIT),
                      .issues = {.size = sizeof(biq_issue)},
                      .statuses = {.size = sizeof(biq_status)},
                      .sprints = {.size = sizeof(biq_sprint)},
                      .projects = {.size = sizeof(biq_project)},
                      .changelogs = {.size = sizeof(an_changelog)}};
    if (c.in.arena == NULL) {
        fprintf(err, "biq analyze: out of memory\n");
        return 1;
    }
    rc = run(&c);
    biq_arena_free(c.in.arena);
    return rc;
}

int biq_cli_analyze(int argc, char **argv)
{
    return biq_cli_analyze_run(stdout, stderr, argc, argv);
}
