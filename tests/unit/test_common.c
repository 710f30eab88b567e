/* test_common.c - the error table and the arena. */
#include <stdint.h>
#include <string.h>

#include "common/arena.h"
#include "common/err.h"
#include "testsupport.h"

START_TEST(err_names_and_statuses)
{
    ck_assert_str_eq(biq_strerror(BIQ_OK), "success");
    ck_assert_str_eq(biq_err_code(BIQ_ERR_UNAUTHORIZED), "unauthorized");
    ck_assert_uint_eq(biq_err_http_status(BIQ_ERR_TOO_LARGE), 413);
    ck_assert_uint_eq(biq_err_http_status(BIQ_ERR_FORBIDDEN), 403);
    ck_assert_uint_eq(biq_err_http_status(BIQ_ERR_DB), 503);
    ck_assert_str_eq(biq_strerror((biq_err)9999), "unknown error");
    ck_assert_uint_eq(biq_err_http_status((biq_err)-1), 500);
    for (int e = 0; e < BIQ_ERR__COUNT; e++) {
        ck_assert_ptr_nonnull(biq_strerror((biq_err)e));
        ck_assert_int_ne(strcmp(biq_strerror((biq_err)e), "unknown error"), 0);
    }
}
END_TEST

START_TEST(arena_respects_limit)
{
    biq_arena *a = biq_arena_new(1000);
    ck_assert_ptr_nonnull(a);
    void *p = biq_arena_alloc(a, 500);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq((uintptr_t)p % 16, 0);
    ck_assert_ptr_null(biq_arena_alloc(a, 600));
    ck_assert_ptr_nonnull(biq_arena_alloc(a, 400));
    ck_assert_uint_le(biq_arena_used(a), 1000);
    ck_assert_ptr_null(biq_arena_calloc(a, SIZE_MAX / 2, 4));
    biq_arena_free(a);
}
END_TEST

START_TEST(arena_big_blocks_and_strings)
{
    biq_arena *a = biq_arena_new(10u << 20);
    char *small = biq_arena_strdup(a, "hello");
    unsigned char *big = biq_arena_calloc(a, 1, 200000);
    char *after = biq_arena_strndup(a, "world!", 5);
    ck_assert_ptr_nonnull(big);
    ck_assert_uint_eq(big[199999], 0);
    memset(big, 0xAB, 200000);
    ck_assert_str_eq(small, "hello");
    ck_assert_str_eq(after, "world");
    char *grown = biq_arena_realloc(a, small, 6, 64);
    ck_assert_str_eq(grown, "hello");
    ck_assert_ptr_null(biq_arena_strdup(a, NULL));
    biq_arena_free(a);
    biq_arena_free(NULL);
}
END_TEST

Suite *biq_test_suite(void)
{
    Suite *s = suite_create("common");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, err_names_and_statuses);
    tcase_add_test(tc, arena_respects_limit);
    tcase_add_test(tc, arena_big_blocks_and_strings);
    suite_add_tcase(s, tc);
    return s;
}
