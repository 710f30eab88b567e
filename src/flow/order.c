/* order.c - the project's status order (flow.h, "status order and
 * columns"): from the board's columns when one is known, else inferred
 * from the moves between statuses; and the board columns as the flow sees
 * them. Every list of statuses the product shows uses this order. */
#include <stdlib.h>
#include <string.h>

#include "flow/flow_internal.h"

static int category_rank(biq_status_category c)
{
    return c == BIQ_CAT_NEW ? 0 : c == BIQ_CAT_ACTIVE ? 1 : c == BIQ_CAT_DONE ? 2 : 3;
}

int biq_fl_base_cmp(const biq_flow_status_info *a, const biq_flow_status_info *b)
{
    int ra = category_rank(a->category), rb = category_rank(b->category);
    if (ra != rb)
        return ra - rb;
    int c = strcmp(a->name, b->name);
    if (c != 0)
        return c;
    return (a->id > b->id) - (a->id < b->id);
}

static int cmp_base_ptr(const void *pa, const void *pb)
{
    return biq_fl_base_cmp(*(const biq_flow_status_info *const *)pa,
                           *(const biq_flow_status_info *const *)pb);
}

/* Appends the unplaced statuses (only the used ones with used_only) to the
 * order, in the base order; scratch holds n_statuses pointers. */
static void append_base(biq_flow *flow, bool *placed, size_t *k, bool used_only,
                        const biq_flow_status_info **scratch)
{
    size_t n = 0;
    for (size_t s = 0; s < flow->n_statuses; s++)
        if (!placed[s] && (!used_only || flow->statuses[s].used))
            scratch[n++] = &flow->statuses[s];
    qsort(scratch, n, sizeof *scratch, cmp_base_ptr);
    for (size_t i = 0; i < n; i++) {
        size_t s = (size_t)(scratch[i] - flow->statuses);
        placed[s] = true;
        flow->order[(*k)++] = (uint32_t)s;
    }
}

/* Moves between the used statuses: w[a * nu + b] = slices of status a
 * directly followed by one of b (a != b), over the kept issues. */
static void count_moves(const biq_flow *flow, const long *dense, size_t nu, uint64_t *w)
{
    for (size_t i = 0; i < flow->n_issues; i++) {
        const biq_flow_issue_view *v = &flow->issues[i];
        for (size_t j = 1; j < v->n_slices; j++) {
            long a = dense[v->slices[j - 1].status_index], b = dense[v->slices[j].status_index];
            if (a != b)
                w[(size_t)a * nu + (size_t)b]++;
        }
    }
}

/* The inferred order of the used statuses (flow.h): u[0..nu) are their
 * indices, dense maps a status index to its place in u. */
static biq_err infer(biq_flow *flow, biq_arena *arena, bool *placed, size_t *k)
{
    size_t nu = 0;
    long *dense = biq_arena_alloc(arena, (flow->n_statuses + 1) * sizeof *dense);
    uint32_t *u = biq_arena_alloc(arena, (flow->n_statuses + 1) * sizeof *u);
    if (!dense || !u)
        return BIQ_ERR_NOMEM;
    for (size_t s = 0; s < flow->n_statuses; s++) {
        dense[s] = flow->statuses[s].used ? (long)nu : -1;
        if (flow->statuses[s].used)
            u[nu++] = (uint32_t)s;
    }
    if (nu > BIQ_FLOW_ORDER_INFER_MAX)
        return BIQ_OK; /* the base order alone (append_base) */
    uint64_t *w = biq_arena_calloc(arena, nu * nu + 1, sizeof *w);
    uint32_t *before = biq_arena_calloc(arena, nu + 1, sizeof *before);
    bool *done = biq_arena_calloc(arena, nu + 1, sizeof *done);
    if (!w || !before || !done)
        return BIQ_ERR_NOMEM;
    count_moves(flow, dense, nu, w);
    for (size_t a = 0; a < nu; a++)
        for (size_t b = 0; b < nu; b++)
            before[b] += w[a * nu + b] > w[b * nu + a];
    for (size_t step = 0; step < nu; step++) {
        size_t best = nu;
        for (size_t c = 0; c < nu; c++) {
            if (done[c])
                continue;
            if (best == nu || before[c] < before[best] ||
                (before[c] == before[best] &&
                 biq_fl_base_cmp(&flow->statuses[u[c]], &flow->statuses[u[best]]) < 0))
                best = c;
        }
        done[best] = true;
        for (size_t c = 0; c < nu; c++)
            if (!done[c] && w[best * nu + c] > w[c * nu + best])
                before[c]--;
        placed[u[best]] = true;
        flow->order[(*k)++] = u[best];
    }
    return BIQ_OK;
}

static biq_err board_columns(biq_flow *flow, const biq_board *board, biq_arena *arena,
                             bool *placed, size_t *k)
{
    flow->columns = biq_arena_calloc(arena, board->n_columns + 1, sizeof *flow->columns);
    if (!flow->columns)
        return BIQ_ERR_NOMEM;
    for (size_t c = 0; c < board->n_columns; c++) {
        const biq_board_column *bc = &board->columns[c];
        biq_flow_column *col = &flow->columns[c];
        uint32_t *st = biq_arena_alloc(arena, (bc->n_status_ids + 1) * sizeof *st);
        if (!st)
            return BIQ_ERR_NOMEM;
        *col = (biq_flow_column){.name = bc->name ? bc->name : "", .board = bc, .statuses = st,
                                 .wip_limit = bc->max >= 1 ? bc->max : -1};
        for (size_t j = 0; j < bc->n_status_ids; j++) {
            long s = biq_fl_status_index(flow, bc->status_ids[j]);
            if (s < 0 || placed[s]) /* a status in two columns: the first keeps it */
                continue;
            placed[s] = true;
            flow->statuses[s].column = (int32_t)c;
            flow->order[(*k)++] = (uint32_t)s;
            st[col->n_statuses++] = (uint32_t)s;
        }
    }
    flow->n_columns = board->n_columns;
    return BIQ_OK;
}

biq_err biq_fl_order_build(biq_flow *flow, const biq_board *board, biq_arena *arena)
{
    biq_err err = BIQ_OK;
    size_t k = 0;
    bool *placed = biq_arena_calloc(arena, flow->n_statuses + 1, sizeof *placed);
    const biq_flow_status_info **scratch =
        biq_arena_alloc(arena, (flow->n_statuses + 1) * sizeof *scratch);
    flow->order = biq_arena_alloc(arena, (flow->n_statuses + 1) * sizeof *flow->order);
    if (!placed || !scratch || !flow->order)
        return BIQ_ERR_NOMEM;
    for (size_t s = 0; s < flow->n_statuses; s++)
        flow->statuses[s].column = -1;
    if (board)
        err = board_columns(flow, board, arena, placed, &k);
    else
        err = infer(flow, arena, placed, &k);
    if (err != BIQ_OK)
        return err;
    /* Off the board: the base order, used statuses or not; without a board
     * the used ones are placed already unless there are too many. */
    append_base(flow, placed, &k, !board, scratch);
    append_base(flow, placed, &k, false, scratch);
    for (size_t i = 0; i < k; i++)
        flow->statuses[flow->order[i]].rank = (uint32_t)i;
    return BIQ_OK;
}

const biq_flow_status_info *biq_flow_status_ordered(const biq_flow *flow, size_t i)
{
    return i < flow->n_statuses ? &flow->statuses[flow->order[i]] : NULL;
}

int biq_flow_status_order_cmp(const biq_flow_status_info *a, const biq_flow_status_info *b)
{
    return (a->rank > b->rank) - (a->rank < b->rank);
}

size_t biq_flow_column_count(const biq_flow *flow)
{
    return flow->n_columns;
}

const biq_flow_column *biq_flow_column_at(const biq_flow *flow, size_t i)
{
    return i < flow->n_columns ? &flow->columns[i] : NULL;
}
