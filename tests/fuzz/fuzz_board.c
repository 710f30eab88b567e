/* fuzz_board.c - biq_parse_board and biq_parse_boards (ingest/ingest.h),
 * both on every input: board configurations from the Forge side (POST
 * /forge/boards) and `biq analyze --board`. Properties: the error contract
 * (empty result, path in the message); accepted boards stay within the
 * column and status limits, constraints are -1 or in range; a board list
 * stays within BIQ_INGEST_BOARDS_MAX with unique ids.
 */
#include "fuzz_ingest.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static void check_board(const biq_board *b)
{
    FUZZ_CHECK(b->id > 0);
    FUZZ_CHECK(b->n_columns <= BIQ_INGEST_BOARD_COLUMNS_MAX);
    for (size_t i = 0; i < b->n_columns; i++) {
        const biq_board_column *c = &b->columns[i];
        FUZZ_CHECK(c->name != NULL);
        FUZZ_CHECK(c->n_status_ids <= BIQ_INGEST_COLUMN_STATUSES_MAX);
        FUZZ_CHECK(c->min >= -1 && c->min <= BIQ_INGEST_COLUMN_LIMIT_MAX);
        FUZZ_CHECK(c->max >= -1 && c->max <= BIQ_INGEST_COLUMN_LIMIT_MAX);
        for (size_t k = 0; k < c->n_status_ids; k++)
            FUZZ_CHECK(c->status_ids[k] > 0);
    }
}

static void one(const json_t *root)
{
    biq_arena *arena = fuzz_arena();
    biq_parse_error perr;
    biq_board b;
    if (biq_parse_board(root, arena, &b, &perr) != BIQ_OK) {
        FUZZ_CHECK(b.n_columns == 0 && b.columns == NULL && b.id == 0);
        fuzz_check_perr(&perr);
    } else {
        check_board(&b);
    }
    biq_arena_free(arena);
}

static void list(const json_t *root)
{
    biq_arena *arena = fuzz_arena();
    biq_parse_error perr;
    const biq_board *out = (const biq_board *)1;
    size_t n = 7;
    if (biq_parse_boards(root, arena, &out, &n, &perr) != BIQ_OK) {
        FUZZ_CHECK(out == NULL && n == 0);
        fuzz_check_perr(&perr);
    } else {
        FUZZ_CHECK(n <= BIQ_INGEST_BOARDS_MAX);
        for (size_t i = 0; i < n; i++) {
            check_board(&out[i]);
            for (size_t j = 0; j < i; j++)
                FUZZ_CHECK(out[i].id != out[j].id);
        }
    }
    biq_arena_free(arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *root = fuzz_load(data, size);
    if (root == NULL)
        return 0;
    one(root);
    list(root);
    json_decref(root);
    return 0;
}
