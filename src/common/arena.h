/* arena.h - a bump allocator with a hard byte limit.
 *
 * One arena per unit of work (an HTTP request, a parsed page, a flow
 * computation): everything allocated from it is freed at once by
 * biq_arena_free(). Allocations are 16-byte aligned. An arena never grows
 * past the limit given at creation; an allocation that would cross it fails
 * with NULL, exactly like an out-of-memory condition, so callers have one
 * failure path. Not thread-safe: one arena belongs to one thread at a time.
 */
#ifndef BIQ_ARENA_H
#define BIQ_ARENA_H

#include <stddef.h>

typedef struct biq_arena biq_arena;

/* Creates an arena that hands out at most limit_bytes in total.
 * Returns NULL when out of memory. Free with biq_arena_free(). */
biq_arena *biq_arena_new(size_t limit_bytes);

/* Frees the arena and everything allocated from it. NULL is a no-op. */
void biq_arena_free(biq_arena *arena);

/* Returns n uninitialised bytes, or NULL (out of memory or over the limit).
 * n == 0 returns a valid unique pointer. */
void *biq_arena_alloc(biq_arena *arena, size_t n);

/* Returns count*size zeroed bytes, or NULL (also on multiplication overflow). */
void *biq_arena_calloc(biq_arena *arena, size_t count, size_t size);

/* Grows an allocation made from this arena: returns a block of new_size bytes
 * holding the first min(old_size, new_size) bytes of ptr, or NULL (ptr then
 * stays valid). ptr may be NULL. The old block is not reused. */
void *biq_arena_realloc(biq_arena *arena, void *ptr, size_t old_size, size_t new_size);

/* Copies len bytes of s and a terminating NUL. NULL on failure. */
char *biq_arena_strndup(biq_arena *arena, const char *s, size_t len);

/* Copies the NUL-terminated s. NULL on failure or when s is NULL. */
char *biq_arena_strdup(biq_arena *arena, const char *s);

/* Bytes handed out so far (including alignment padding). */
size_t biq_arena_used(const biq_arena *arena);

#endif
