/*
 * fuzz_ljson.c - libFuzzer target for the legacy reader's JSON parser (store_ljson.c), run
 * against jansson: any bytes must be accepted by both or refused by both (with a text and a
 * place), and what both accept must be the same tree. The first byte picks the root rule:
 * odd, any value (LJSON_ANY_ROOT, JSON_DECODE_ANY); even, an object or an array.
 *
 * One known difference is allowed: jansson drops a NUL byte that follows a number or a literal
 * ("[1\0]" is [1] to it); ljson refuses the byte, as RFC 8259 does, and the text is compared
 * again without it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "store/store_ljson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same(const struct ljson *v, const json_t *j)
{
    const struct ljson *k;
    uint32_t i;
    void *it;
    double d;
    switch (v->type) {
    case LJSON_NULL:
        return json_is_null(j);
    case LJSON_TRUE:
        return json_is_true(j);
    case LJSON_FALSE:
        return json_is_false(j);
    case LJSON_INT:
        return json_is_integer(j) && json_integer_value(j) == v->u.i;
    case LJSON_REAL:
        d = json_is_real(j) ? json_real_value(j) : 0;
        return json_is_real(j) && memcmp(&d, &v->u.d, sizeof(d)) == 0;
    case LJSON_STRING:
        return json_is_string(j) && json_string_length(j) == v->n &&
               !memcmp(json_string_value(j), v->u.s, v->n) && v->u.s[v->n] == '\0';
    case LJSON_ARRAY:
        if (!json_is_array(j) || json_array_size(j) != v->n)
            return false;
        LJSON_FOREACH(k, i, v)
        {
            if (!same(k, json_array_get(j, i)))
                return false;
        }
        return true;
    case LJSON_OBJECT:
        if (!json_is_object(j) || json_object_size(j) != v->n)
            return false;
        it = json_object_iter((json_t *)j);
        LJSON_FOREACH(k, i, v)
        {
            if (!it || strlen(json_object_iter_key(it)) != k->klen ||
                memcmp(json_object_iter_key(it), k->key, k->klen) != 0 ||
                !same(k, json_object_iter_value(it)))
                return false;
            it = json_object_iter_next((json_t *)j, it);
        }
        return it == NULL;
    default:
        return false;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena mem = ARENA_INIT;
    struct ljson_doc doc = LJSON_DOC_INIT;
    struct ljson_error e;
    json_error_t je;
    json_t *j;
    bool any;
    char *text;
    size_t len;
    int rc;

    if (size < 1)
        return 0;
    any = data[0] & 1;
    len = size - 1;
    text = malloc(len ? len : 1);
    if (!text)
        return 0;
    memcpy(text, data + 1, len);
    j = json_loadb(text, len, JSON_REJECT_DUPLICATES | (any ? JSON_DECODE_ANY : 0), &je);
    rc = ljson_parse(&doc, &mem, text, len, any ? LJSON_ANY_ROOT : 0, &e);
    while (j && rc && e.offset > 0 && e.offset < len && text[e.offset] == '\0' &&
           strchr("0123456789eslu", text[e.offset - 1])) {
        memmove(text + e.offset, text + e.offset + 1, len - e.offset - 1);
        len--;
        rc = ljson_parse(&doc, &mem, text, len, any ? LJSON_ANY_ROOT : 0, &e);
    }
    if (!j != !!rc)
        abort(); /* the parsers disagree */
    if (rc && (!e.text[0] || e.line < 1 || e.column < 1))
        abort(); /* a refusal says why and where */
    if (j && !same(ljson_root(&doc), j))
        abort();
    json_decref(j);
    ljson_doc_release(&doc);
    arena_release(&mem);
    free(text);
    return 0;
}
