/* arena.c - chunked bump allocator with a byte limit (see arena.h). */
#include "common/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
    ARENA_ALIGN = 16,
    ARENA_MIN_CHUNK = 64 * 1024, /* small requests share a chunk this big */
};

struct chunk {
    struct chunk *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

struct biq_arena {
    struct chunk *head; /* the chunk being filled; older ones follow */
    size_t limit;
    size_t used;
};

biq_arena *biq_arena_new(size_t limit_bytes)
{
    biq_arena *arena = calloc(1, sizeof *arena);
    if (arena == NULL)
        return NULL;
    arena->limit = limit_bytes;
    return arena;
}

void biq_arena_free(biq_arena *arena)
{
    if (arena == NULL)
        return;
    struct chunk *c = arena->head;
    while (c != NULL) {
        struct chunk *next = c->next;
        free(c);
        c = next;
    }
    free(arena);
}

static size_t align_up(size_t n)
{
    return (n + (ARENA_ALIGN - 1)) & ~(size_t)(ARENA_ALIGN - 1);
}

static struct chunk *chunk_new(size_t need)
{
    size_t size = need > ARENA_MIN_CHUNK ? need : ARENA_MIN_CHUNK;
    if (size > SIZE_MAX - sizeof(struct chunk))
        return NULL;
    struct chunk *c = malloc(sizeof *c + size);
    if (c == NULL)
        return NULL;
    c->next = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

void *biq_arena_alloc(biq_arena *arena, size_t n)
{
    if (n > SIZE_MAX - ARENA_ALIGN)
        return NULL;
    size_t need = align_up(n == 0 ? 1 : n);
    if (need > arena->limit - arena->used)
        return NULL;
    struct chunk *c = arena->head;
    if (c == NULL || c->size - c->used < need) {
        struct chunk *fresh = chunk_new(need);
        if (fresh == NULL)
            return NULL;
        /* A big one-off block goes behind the current chunk so the
         * remaining room of the current chunk is not wasted. */
        if (c != NULL && need > ARENA_MIN_CHUNK) {
            fresh->next = c->next;
            c->next = fresh;
        } else {
            fresh->next = c;
            arena->head = fresh;
        }
        c = fresh;
    }
    void *p = c->data + c->used;
    c->used += need;
    arena->used += need;
    return p;
}

void *biq_arena_calloc(biq_arena *arena, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    void *p = biq_arena_alloc(arena, count * size);
    if (p != NULL)
        memset(p, 0, count * size);
    return p;
}

void *biq_arena_realloc(biq_arena *arena, void *ptr, size_t old_size, size_t new_size)
{
    void *p = biq_arena_alloc(arena, new_size);
    if (p != NULL && ptr != NULL)
        memcpy(p, ptr, old_size < new_size ? old_size : new_size);
    return p;
}

char *biq_arena_strndup(biq_arena *arena, const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *p = biq_arena_alloc(arena, len + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *biq_arena_strdup(biq_arena *arena, const char *s)
{
    if (s == NULL)
        return NULL;
    return biq_arena_strndup(arena, s, strlen(s));
}

size_t biq_arena_used(const biq_arena *arena)
{
    return arena->used;
}
