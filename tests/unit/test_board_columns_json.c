/* test_board_columns_json.c - a board's columns as stored
 * (biq_store_board_columns_json, review L2): the text round-trips every
 * column with its statuses, and out of memory at any of jansson's
 * allocations (each failing alone in turn) gives NULL (BIQ_ERR_NOMEM for
 * the store), never a column
 * stored without its statuses. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "store/ingest_extras.h"
#include "testsupport.h"

enum { ARENA_BYTES = 1u << 20, ALLOCATIONS_TRIED = 200 };

/* Allocations to go before the one that fails (that one only: later ones
 * succeed, so a dropped failure would reach the text); -1: none fails. */
static long fail_in = -1;

static void *failing_malloc(size_t n)
{
    if (fail_in >= 0 && fail_in-- == 0)
        return NULL;
    return malloc(n);
}

static const int64_t TODO[] = {1}, DOING[] = {3, 10002, 10003}, DONE[] = {5, 6};
static const biq_board_column COLS[] = {
    {"To Do", TODO, 1, -1, -1},
    {"In Progress", DOING, 3, -1, 5},
    {NULL, DONE, 2, 0, -1},
};
static const biq_board BOARD = {84, "EE board", COLS, 3};

/* text holds every column of BOARD with all its statuses. */
static void assert_whole(const char *text)
{
    json_t *cols = json_loads(text, 0, NULL);
    ck_assert_ptr_nonnull(cols);
    ck_assert_uint_eq(json_array_size(cols), BOARD.n_columns);
    for (size_t i = 0; i < BOARD.n_columns; i++) {
        const json_t *st = json_object_get(json_array_get(cols, i), "statuses");
        ck_assert_msg(json_is_array(st), "column %zu without statuses: %s", i, text);
        ck_assert_uint_eq(json_array_size(st), BOARD.columns[i].n_status_ids);
        for (size_t k = 0; k < BOARD.columns[i].n_status_ids; k++)
            ck_assert_int_eq(json_integer_value(json_array_get(st, k)),
                             BOARD.columns[i].status_ids[k]);
    }
    json_decref(cols);
}

START_TEST(columns_round_trip)
{
    biq_arena *a = biq_arena_new(ARENA_BYTES);
    const char *text = biq_store_board_columns_json(&BOARD, a);
    ck_assert_ptr_nonnull(text);
    assert_whole(text);
    ck_assert_ptr_nonnull(strstr(text, "\"max\":5"));
    biq_arena_free(a);
}
END_TEST

START_TEST(out_of_memory_is_null_never_a_partial_column)
{
    bool failed_once = false, whole_once = false;
    json_set_alloc_funcs(failing_malloc, free);
    for (long k = 0; k < ALLOCATIONS_TRIED; k++) {
        biq_arena *a = biq_arena_new(ARENA_BYTES);
        fail_in = k;
        const char *text = biq_store_board_columns_json(&BOARD, a);
        fail_in = -1;
        if (text == NULL) {
            failed_once = true;
        } else {
            assert_whole(text);
            whole_once = true;
        }
        biq_arena_free(a);
    }
    json_set_alloc_funcs(malloc, free);
    ck_assert(failed_once && whole_once);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("board_columns_json");
    TCase *tc = tcase_create("board_columns_json");
    tcase_add_test(tc, columns_round_trip);
    tcase_add_test(tc, out_of_memory_is_null_never_a_partial_column);
    suite_add_tcase(s, tc);
    return s;
}
