/*
 * util_strmap.c - a string-keyed hash map with linear probing (XXH3 of the key), grown at half
 * full. Keys are copied into the map; values are the caller's.
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"

static size_t slot_of(const struct strmap *m, const char *key)
{
    size_t i = (size_t)hash_bytes64(key, strlen(key)) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key))
        i = (i + 1) & (m->cap - 1);
    return i;
}

void *strmap_get(const struct strmap *m, const char *key)
{
    size_t i;
    if (!m->cap)
        return NULL;
    i = slot_of(m, key);
    return m->keys[i] ? m->vals[i] : NULL;
}

bool strmap_has(const struct strmap *m, const char *key)
{
    return m->cap && m->keys[slot_of(m, key)] != NULL;
}

static void grow(struct strmap *m)
{
    struct strmap nm = {NULL, NULL, m->cap ? m->cap * 2 : 64, 0};
    size_t j;
    nm.keys = xcalloc(nm.cap, sizeof(*nm.keys));
    nm.vals = xcalloc(nm.cap, sizeof(*nm.vals));
    for (j = 0; j < m->cap; j++) {
        size_t i;
        if (!m->keys[j])
            continue;
        i = slot_of(&nm, m->keys[j]);
        nm.keys[i] = m->keys[j];
        nm.vals[i] = m->vals[j];
        nm.n++;
    }
    free(m->keys);
    free(m->vals);
    *m = nm;
}

const char *strmap_put(struct strmap *m, const char *key, void *val)
{
    size_t i;
    if ((m->n + 1) * 2 > m->cap)
        grow(m);
    i = slot_of(m, key);
    if (!m->keys[i]) {
        m->keys[i] = xstrdup(key);
        m->n++;
    }
    m->vals[i] = val;
    return m->keys[i];
}

void strmap_clear(struct strmap *m)
{
    size_t i;
    for (i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    m->keys = NULL;
    m->vals = NULL;
    m->cap = m->n = 0;
}
