/*
 * store_ljson.h - a strict, fast JSON parser (RFC 8259) for the legacy cache reader
 * (store_legacy_read.c). Accepts what jansson's json_loadb accepts with JSON_REJECT_DUPLICATES,
 * and gives the same values (a number with '.', 'e' or 'E' is a real, any other an integer):
 * valid UTF-8 only, no NUL in strings (no \u0000), no key twice in an object, integers that fit
 * int64_t, finite reals, at most LJSON_MAX_DEPTH levels of values, nothing but whitespace after
 * the root, and (unless LJSON_ANY_ROOT) an object or an array as the root. One difference, on
 * the strict side: jansson skips a NUL byte that directly follows a number or a literal ("[1\0]"
 * is [1] to it); that byte is refused here, as everywhere outside the end.
 *
 * The tree is one array of nodes in document order (a value, then its whole subtree): a
 * container's members follow it, each next member one span further. Strings are decoded in
 * place in a private copy of the text taken from the caller's arena, NUL-terminated; they stay
 * valid as long as that arena, whatever happens to the document. The node array is the
 * document's own and is freed at once (ljson_doc_release), whatever the number of nodes.
 *
 * Thread-safety: documents are independent; one document is used by one thread at a time. The
 * process must keep the "C" LC_NUMERIC locale (cidx never calls setlocale): reals go through
 * strtod.
 */
#ifndef CIDX_STORE_LJSON_H
#define CIDX_STORE_LJSON_H

#include <stdint.h>

#include "util/util.h"

/* jansson's limit: a value inside 2048 containers is refused. */
#define LJSON_MAX_DEPTH 2048

enum ljson_type {
    LJSON_NULL,
    LJSON_FALSE,
    LJSON_TRUE,
    LJSON_INT,
    LJSON_REAL,
    LJSON_STRING,
    LJSON_ARRAY,
    LJSON_OBJECT,
};

/* One value. A member of an object carries its key. */
struct ljson {
    uint8_t type;    /* enum ljson_type */
    uint32_t klen;   /* bytes of key */
    uint32_t n;      /* string: bytes (without the NUL); array, object: members */
    uint32_t span;   /* nodes of the value with its subtree: the next member is this + span */
    const char *key; /* a member's key (NUL-terminated, in the arena); NULL elsewhere */
    union {
        const char *s; /* string: NUL-terminated, in the arena */
        int64_t i;
        double d;
    } u;
};

/* A parsed document: nodes[0] is the root. */
struct ljson_doc {
    struct ljson *nodes;
    size_t n, alloc;
};

#define LJSON_DOC_INIT                                                                             \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

/* Why a text was refused: a short text, and where (1-based; the column counts characters). */
struct ljson_error {
    char text[96];
    int line, column;
    size_t offset; /* bytes before the offending one */
};

/* Accept any value as the root, not only an object or an array. */
#define LJSON_ANY_ROOT 1u

/*
 * Parses len bytes of data (need not be NUL-terminated; it is not modified) into doc, which
 * must be empty (LJSON_DOC_INIT or released). The decoded strings and keys go into strings (a
 * copy of the text, len + 16 bytes, is taken from it), where they outlive the document. Returns
 * 0, or ERR_CORRUPT with e (may be NULL) filled and doc empty. Texts of UINT32_MAX bytes and
 * more are refused (ERR_LIMIT). The copy stays in strings after a failure too.
 */
int ljson_parse(struct ljson_doc *doc, struct arena *strings, const char *data, size_t len,
                unsigned flags, struct ljson_error *e);

/* Frees the nodes (not the strings) and empties doc; accepts an empty doc. */
void ljson_doc_release(struct ljson_doc *doc);

/* The member of obj named key, or NULL (a linear search: for a few lookups in small objects). */
const struct ljson *ljson_get(const struct ljson *obj, const char *key);

static inline const struct ljson *ljson_root(const struct ljson_doc *doc)
{
    return doc->n ? &doc->nodes[0] : NULL;
}

static inline bool ljson_is_string(const struct ljson *v)
{
    return v && v->type == LJSON_STRING;
}

/* The value of a number node (an integer converted). */
static inline double ljson_number(const struct ljson *v)
{
    return v->type == LJSON_INT ? (double)v->u.i : v->type == LJSON_REAL ? v->u.d : 0.0;
}

/* Walks the members of an array or object v: kid is each member in turn, i its index. */
#define LJSON_FOREACH(kid, i, v)                                                                   \
    for ((i) = 0, (kid) = (v) + 1; (i) < (v)->n; (i)++, (kid) += (kid)->span)

#endif
