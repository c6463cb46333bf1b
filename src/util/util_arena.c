/*
 * util_arena.c - a bump allocator for short lives: a search result's strings, a request.
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct arena_chunk {
    struct arena_chunk *next;
    size_t cap;
    _Alignas(max_align_t) char data[];
};

#define ARENA_MIN_CHUNK 8192

void *arena_alloc(struct arena *a, size_t size)
{
    size_t need = (size + 15) & ~(size_t)15;
    void *p;
    if (!a->head || a->used + need > a->cap) {
        size_t cap = need > ARENA_MIN_CHUNK ? need : ARENA_MIN_CHUNK;
        struct arena_chunk *c = xmalloc(sizeof(*c) + cap);
        c->next = a->head;
        c->cap = cap;
        a->head = c;
        a->used = 0;
        a->cap = cap;
    }
    p = a->head->data + a->used;
    a->used += need;
    memset(p, 0, size);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p;
    if (!s)
        return NULL;
    p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

void arena_release(struct arena *a)
{
    struct arena_chunk *c = a->head;
    while (c) {
        struct arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->used = a->cap = 0;
}
