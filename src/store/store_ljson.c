/*
 * store_ljson.c - the strict JSON parser of store_ljson.h: one pass over a private copy of the
 * text, no recursion, no allocation per value.
 *
 * How it is fast: strings are found eight bytes at a time and decoded where they stand (the
 * closing quote becomes the NUL; escapes shrink the string, never grow it), so a string
 * without escapes costs no copy at all beyond the one copy of the whole text; nodes are written
 * once, in document order, into one growing array (a container's member count and span are
 * filled in when it closes); duplicate keys are caught with a 64-bit mask per small object
 * (a real comparison only when two keys share a bit) and a hash set for objects of more than
 * SMALL_KEYS keys.
 *
 * Invariants of the parser (struct parser):
 *   1. buf holds the text, a NUL at buf[len] and zero padding after it; every read is within
 *      buf[0, len + LJ_PAD), so the eight-byte reads and the look-aheads need no length checks.
 *      Only a NUL at end is the end; a NUL before it is a byte the grammar refuses.
 *   2. stack[0, depth) are the open containers, innermost last; each counts its members so far.
 *      A value is refused when depth == LJSON_MAX_DEPTH (it would sit at depth 2049, which
 *      jansson refuses too, scalars included).
 *   3. nodes[0, n) are the values begun so far; a container's n and span are valid once it is
 *      closed, a scalar's at once.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "store_ljson.h"

#define LJ_PAD 16
#define SMALL_KEYS 16

struct kslot {
    const char *key; /* NULL: empty */
    uint32_t len;
    uint32_t hash;
};

/* The keys of one big object. */
struct keyset {
    struct kslot *slots;
    uint32_t cap, n;
};

struct frame {
    uint32_t node;  /* the container */
    uint32_t count; /* members so far */
    uint64_t mask;  /* object of at most SMALL_KEYS keys: a bit per key's small_hash */
    struct keyset *set;
};

struct parser {
    char *buf, *end; /* the copy, decoded in place; *end is its NUL */
    struct ljson *nodes;
    size_t n, alloc;
    struct frame *stack;
    size_t depth, astack;
    const char *key; /* the key of the member whose value comes next */
    uint32_t klen;
    struct ljson_error *err;
    size_t err_at;
    int rc;
};

/* ---- errors ------------------------------------------------------------------------------ */

static char *fail(struct parser *P, const char *at, const char *fmt, ...) PRINTF_LIKE(3, 4);
static char *fail(struct parser *P, const char *at, const char *fmt, ...)
{
    if (!P->rc) {
        va_list ap;
        P->rc = ERR_CORRUPT;
        P->err_at = (size_t)(at - P->buf);
        if (P->err) {
            va_start(ap, fmt);
            vsnprintf(P->err->text, sizeof(P->err->text), fmt, ap);
            va_end(ap);
        }
    }
    return NULL;
}

/* Line and column of byte offset at, from the untouched text (the copy has been decoded). */
static void locate(struct ljson_error *e, const char *data, size_t len, size_t at)
{
    size_t line = 1, col = 1;
    if (at > len)
        at = len;
    for (size_t i = 0; i < at; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c == '\n') {
            line++;
            col = 1;
        } else if ((c & 0xc0) != 0x80) { /* a character, not a continuation byte */
            col++;
        }
    }
    e->line = line > INT_MAX ? INT_MAX : (int)line;
    e->column = col > INT_MAX ? INT_MAX : (int)col;
    e->offset = at;
}

/* ---- nodes and containers ----------------------------------------------------------------- */

static void grow_nodes(struct parser *P)
{
    P->alloc = P->alloc ? P->alloc * 2 : 64;
    P->nodes = xrealloc(P->nodes, P->alloc * sizeof(*P->nodes));
}

static inline struct ljson *push(struct parser *P, uint8_t type)
{
    struct ljson *v;
    if (P->n == P->alloc)
        grow_nodes(P);
    v = &P->nodes[P->n++];
    v->type = type;
    v->klen = P->klen;
    v->n = 0;
    v->span = 1;
    v->key = P->key;
    P->key = NULL;
    P->klen = 0;
    if (P->depth)
        P->stack[P->depth - 1].count++;
    return v;
}

static void open_container(struct parser *P)
{
    struct frame *f;
    ALLOC_GROW(P->stack, P->depth + 1, P->astack);
    f = &P->stack[P->depth++];
    f->node = (uint32_t)(P->n - 1);
    f->count = 0;
    f->mask = 0;
    f->set = NULL;
}

static void keyset_free(struct keyset *s)
{
    if (s) {
        free(s->slots);
        free(s);
    }
}

static void close_container(struct parser *P)
{
    struct frame *f = &P->stack[--P->depth];
    struct ljson *v = &P->nodes[f->node];
    v->n = f->count;
    v->span = (uint32_t)(P->n - f->node);
    keyset_free(f->set);
}

/* ---- duplicate keys ----------------------------------------------------------------------- */

static inline unsigned small_hash(const char *k, uint32_t len)
{
    unsigned first = (unsigned char)k[0], last = len ? (unsigned char)k[len - 1] : 0;
    return (len * 7u + first * 3u + last * 13u) & 63u;
}

/* Adds key to the set; false when it is there already. */
static bool keyset_add(struct keyset *s, const char *key, uint32_t len)
{
    uint32_t h = (uint32_t)hash_bytes64(key, len), mask, i;
    if ((s->n + 1) * 2 > s->cap) {
        struct kslot *old = s->slots;
        uint32_t ocap = s->cap;
        s->cap = s->cap ? s->cap * 2 : 64;
        s->slots = xcalloc(s->cap, sizeof(*s->slots));
        for (uint32_t k = 0; k < ocap; k++) {
            if (!old[k].key)
                continue;
            i = old[k].hash & (s->cap - 1);
            while (s->slots[i].key)
                i = (i + 1) & (s->cap - 1);
            s->slots[i] = old[k];
        }
        free(old);
    }
    mask = s->cap - 1;
    for (i = h & mask; s->slots[i].key; i = (i + 1) & mask)
        if (s->slots[i].hash == h && s->slots[i].len == len && !memcmp(s->slots[i].key, key, len))
            return false;
    s->slots[i].key = key;
    s->slots[i].len = len;
    s->slots[i].hash = h;
    s->n++;
    return true;
}

/* Whether the open object f already has key (and records it if not). */
static bool seen_key(struct parser *P, struct frame *f, const char *key, uint32_t len)
{
    const struct ljson *m;
    if (f->set)
        return !keyset_add(f->set, key, len);
    if (f->count < SMALL_KEYS) {
        uint64_t bit = 1ull << small_hash(key, len);
        if (f->mask & bit) {
            m = &P->nodes[f->node + 1];
            for (uint32_t i = 0; i < f->count; i++, m += m->span)
                if (m->klen == len && !memcmp(m->key, key, len))
                    return true;
        }
        f->mask |= bit;
        return false;
    }
    /* the object outgrows the mask: every key so far into a set */
    f->set = xcalloc(1, sizeof(*f->set));
    m = &P->nodes[f->node + 1];
    for (uint32_t i = 0; i < f->count; i++, m += m->span)
        keyset_add(f->set, m->key, m->klen);
    return !keyset_add(f->set, key, len);
}

/* ---- strings ------------------------------------------------------------------------------ */

/* Nonzero when one of the 8 bytes of w ends a plain run of a string (a control, '"', '\\',
 * non-ASCII); the lowest set bit is in the first such byte (little-endian). */
static inline uint64_t special8(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    return (((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w) | w) & highs;
}

static inline size_t first_special(const char *p, uint64_t m)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    (void)p;
    return (size_t)__builtin_ctzll(m) >> 3;
#else
    size_t k = 0;
    (void)m;
    for (;; k++) {
        unsigned char c = (unsigned char)p[k];
        if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80)
            return k;
    }
#endif
}

/* Length of the valid UTF-8 sequence at p (lead byte >= 0x80), or 0: no overlongs, no
 * surrogates, nothing above U+10FFFF. */
static inline size_t utf8_seq(const unsigned char *p)
{
    unsigned c = p[0], lo = 0x80, hi = 0xbf;
    if (c < 0xc2)
        return 0;
    if (c < 0xe0)
        return (p[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c < 0xf0) {
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
        return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 ? 3 : 0;
    }
    if (c < 0xf5) {
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
        return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80 ? 4 : 0;
    }
    return 0;
}

static inline int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* The four hex digits at p, or -1. */
static long hex4(const char *p)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int d = hexval((unsigned char)p[i]);
        if (d < 0)
            return -1;
        v = v << 4 | d;
    }
    return v;
}

static char *put_utf8(char *w, unsigned long cp)
{
    if (cp < 0x80) {
        *w++ = (char)cp;
    } else if (cp < 0x800) {
        *w++ = (char)(0xc0 | cp >> 6);
        *w++ = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *w++ = (char)(0xe0 | cp >> 12);
        *w++ = (char)(0x80 | (cp >> 6 & 0x3f));
        *w++ = (char)(0x80 | (cp & 0x3f));
    } else {
        *w++ = (char)(0xf0 | cp >> 18);
        *w++ = (char)(0x80 | (cp >> 12 & 0x3f));
        *w++ = (char)(0x80 | (cp >> 6 & 0x3f));
        *w++ = (char)(0x80 | (cp & 0x3f));
    }
    return w;
}

/* Decodes the escape at *pp (a backslash) to w: advances *pp past it and returns the new w, or
 * NULL. */
static char *unescape(struct parser *P, char **pp, char *w)
{
    char *p = *pp;
    long cp, lo;
    switch (p[1]) {
    case '"':
    case '\\':
    case '/':
        *w++ = p[1];
        break;
    case 'b':
        *w++ = '\b';
        break;
    case 'f':
        *w++ = '\f';
        break;
    case 'n':
        *w++ = '\n';
        break;
    case 'r':
        *w++ = '\r';
        break;
    case 't':
        *w++ = '\t';
        break;
    case 'u':
        cp = hex4(p + 2);
        if (cp < 0)
            return fail(P, p, "invalid \\u escape");
        if (cp == 0)
            return fail(P, p, "\\u0000 is not allowed in a string");
        if (cp >= 0xdc00 && cp <= 0xdfff)
            return fail(P, p, "invalid Unicode '\\u%04lX' (a low surrogate alone)", cp);
        if (cp >= 0xd800 && cp <= 0xdbff) {
            if (p[6] != '\\' || p[7] != 'u')
                return fail(P, p, "invalid Unicode '\\u%04lX' (a high surrogate alone)", cp);
            lo = hex4(p + 8);
            if (lo < 0)
                return fail(P, p + 6, "invalid \\u escape");
            if (lo < 0xdc00 || lo > 0xdfff)
                return fail(P, p, "invalid Unicode '\\u%04lX\\u%04lX'", cp, lo);
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            p += 6;
        }
        w = put_utf8(w, (unsigned long)cp);
        p += 4;
        break;
    default:
        return fail(P, p, "invalid escape");
    }
    *pp = p + 2;
    return w;
}

/* The string whose opening quote is at p[-1]: decoded in place and NUL-terminated; returns the
 * byte after the closing quote, or NULL. */
static inline char *scan_string(struct parser *P, char *p, const char **out, uint32_t *outlen)
{
    char *start = p, *w;
    uint64_t word, m;
    for (;;) {
        memcpy(&word, p, 8);
        m = special8(word);
        if (m)
            break;
        p += 8;
    }
    p += first_special(p, m);
    if (*p == '"') {
        *p = '\0';
        *out = start;
        *outlen = (uint32_t)(p - start);
        return p + 1;
    }
    /* escapes, non-ASCII, controls, the end: the string is rewritten from w on */
    w = p;
    for (;;) {
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            break;
        if (c == '\\') {
            w = unescape(P, &p, w);
            if (!w)
                return NULL;
        } else if (c >= 0x80) {
            size_t k = utf8_seq((const unsigned char *)p);
            if (!k)
                return fail(P, p, "invalid UTF-8 byte 0x%02x", c);
            if (w != p)
                memmove(w, p, k);
            w += k;
            p += k;
        } else if (c < 0x20) {
            if (p == P->end)
                return fail(P, p, "premature end of input (an unterminated string)");
            if (c == '\n')
                return fail(P, p, "unexpected newline in a string");
            return fail(P, p, "control character 0x%02x in a string", c);
        }
        /* the plain run up to the next special byte */
        for (;;) {
            memcpy(&word, p, 8);
            m = special8(word);
            if (m)
                break;
            memcpy(w, &word, 8); /* w <= p: the bytes were read already */
            p += 8;
            w += 8;
        }
        {
            size_t k = first_special(p, m);
            if (w != p)
                memmove(w, p, k);
            w += k;
            p += k;
        }
    }
    *w = '\0';
    *out = start;
    *outlen = (uint32_t)(w - start);
    return p + 1;
}

/* ---- numbers ------------------------------------------------------------------------------ */

static inline bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The number at p into v: an integer unless it has a fraction or an exponent (as jansson). */
static char *scan_number(struct parser *P, char *p, struct ljson *v)
{
    char *start = p;
    bool neg = *p == '-';
    uint64_t acc = 0;
    int nd = 0;
    if (neg)
        p++;
    if (*p == '0') {
        p++;
        if (is_digit(*p))
            return fail(P, start, "invalid token (a number with a leading zero)");
    } else if (*p >= '1' && *p <= '9') {
        do {
            acc = acc * 10 + (uint64_t)(*p++ - '0');
            nd++;
        } while (is_digit(*p));
    } else {
        return fail(P, start, "invalid token");
    }
    if (*p == '.' || *p == 'e' || *p == 'E') {
        char save;
        double d;
        if (*p == '.') {
            p++;
            if (!is_digit(*p))
                return fail(P, start, "invalid token (no digit after the decimal point)");
            while (is_digit(*p))
                p++;
        }
        if (*p == 'e' || *p == 'E') {
            p++;
            if (*p == '+' || *p == '-')
                p++;
            if (!is_digit(*p))
                return fail(P, start, "invalid token (no digit in the exponent)");
            while (is_digit(*p))
                p++;
        }
        /* strtod needs an end: a NUL for a moment (the byte is no part of any string) */
        save = *p;
        *p = '\0';
        errno = 0;
        d = strtod(start, NULL);
        *p = save;
        if ((d == HUGE_VAL || d == -HUGE_VAL) && errno == ERANGE)
            return fail(P, start, "real number overflow");
        v->type = LJSON_REAL;
        v->u.d = d;
        return p;
    }
    /* at most 19 digits fit an uint64_t without wrapping; int64_t takes fewer */
    if (nd > 19 || acc > (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
        return fail(P, start, neg ? "too big negative integer" : "too big integer");
    v->u.i = !neg ? (int64_t)acc : acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc;
    return p;
}

/* ---- the grammar ------------------------------------------------------------------------- */

static inline char *skip_ws(char *p)
{
    /* ' ', '\t', '\n', '\r' */
    const uint64_t ws = 1ull << ' ' | 1ull << '\t' | 1ull << '\n' | 1ull << '\r';
    while ((unsigned char)*p <= ' ' && (ws >> (unsigned char)*p & 1))
        p++;
    return p;
}

/* what: what the grammar wanted at p. */
static void expected(struct parser *P, const char *p, const char *what)
{
    if (p == P->end)
        fail(P, p, "premature end of input (%s expected)", what);
    else
        fail(P, p, "%s expected", what);
}

static void parse(struct parser *P, unsigned flags)
{
    char *p = skip_ws(P->buf);
    struct ljson *v;
    struct frame *top;

    if (!(flags & LJSON_ANY_ROOT) && *p != '{' && *p != '[') {
        fail(P, p, "'[' or '{' expected");
        return;
    }
value:
    p = skip_ws(p);
    if (P->depth >= LJSON_MAX_DEPTH) {
        fail(P, p, "maximum parsing depth reached (%d)", LJSON_MAX_DEPTH);
        return;
    }
    switch (*p) {
    case '{':
        push(P, LJSON_OBJECT);
        open_container(P);
        p = skip_ws(p + 1);
        if (*p == '}') {
            p++;
            close_container(P);
            goto after;
        }
        goto key;
    case '[':
        push(P, LJSON_ARRAY);
        open_container(P);
        p = skip_ws(p + 1);
        if (*p == ']') {
            p++;
            close_container(P);
            goto after;
        }
        goto value;
    case '"':
        v = push(P, LJSON_STRING);
        p = scan_string(P, p + 1, &v->u.s, &v->n);
        if (!p)
            return;
        goto after;
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
        v = push(P, LJSON_INT);
        p = scan_number(P, p, v);
        if (!p)
            return;
        goto after;
    case 't':
        if (memcmp(p, "true", 4) != 0)
            break;
        push(P, LJSON_TRUE);
        p += 4;
        goto after;
    case 'f':
        if (memcmp(p, "false", 5) != 0)
            break;
        push(P, LJSON_FALSE);
        p += 5;
        goto after;
    case 'n':
        if (memcmp(p, "null", 4) != 0)
            break;
        push(P, LJSON_NULL);
        p += 4;
        goto after;
    case ']':
    case '}':
    case ',':
    case ':':
        fail(P, p, "unexpected token '%c' (a value expected)", *p);
        return;
    default:
        break;
    }
    if (p == P->end)
        fail(P, p, "premature end of input (a value expected)");
    else
        fail(P, p, "invalid token");
    return;

after:
    if (!P->depth)
        goto done;
    p = skip_ws(p);
    top = &P->stack[P->depth - 1];
    if (P->nodes[top->node].type == LJSON_ARRAY) {
        if (*p == ',') {
            p++;
            goto value;
        }
        if (*p == ']') {
            p++;
            close_container(P);
            goto after;
        }
        expected(P, p, "',' or ']'");
        return;
    }
    if (*p == ',') {
        p = skip_ws(p + 1);
        goto key;
    }
    if (*p == '}') {
        p++;
        close_container(P);
        goto after;
    }
    expected(P, p, "',' or '}'");
    return;

key:
    if (*p != '"') {
        expected(P, p, "a string (an object key)");
        return;
    }
    {
        char *at = p;
        p = scan_string(P, p + 1, &P->key, &P->klen);
        if (!p)
            return;
        if (seen_key(P, &P->stack[P->depth - 1], P->key, P->klen)) {
            fail(P, at, "duplicate object key");
            return;
        }
    }
    p = skip_ws(p);
    if (*p != ':') {
        expected(P, p, "':'");
        return;
    }
    p++;
    goto value;

done:
    p = skip_ws(p);
    if (p != P->end)
        fail(P, p, "end of file expected");
}

int ljson_parse(struct ljson_doc *doc, struct arena *strings, const char *data, size_t len,
                unsigned flags, struct ljson_error *e)
{
    struct parser P;

    memset(&P, 0, sizeof(P));
    if (e)
        memset(e, 0, sizeof(*e));
    if (len >= UINT32_MAX) {
        if (e) {
            snprintf(e->text, sizeof(e->text), "a JSON text of 4 GiB or more");
            e->line = e->column = 1;
        }
        return ERR_LIMIT;
    }
    P.err = e;
    /* the copy: arena memory is zeroed, which gives the NUL and the padding */
    P.buf = arena_alloc(strings, len + LJ_PAD);
    if (len)
        memcpy(P.buf, data, len);
    P.end = P.buf + len;
    /* a guess that is rarely exceeded (the array doubles if it is); untouched pages cost
       nothing */
    P.alloc = len / 24 + 16;
    P.nodes = xmalloc(P.alloc * sizeof(*P.nodes));
    parse(&P, flags);
    for (size_t i = 0; i < P.depth; i++)
        keyset_free(P.stack[i].set);
    free(P.stack);
    if (P.rc) {
        free(P.nodes);
        if (e)
            locate(e, data, len, P.err_at);
        return P.rc;
    }
    doc->nodes = P.nodes;
    doc->n = P.n;
    doc->alloc = P.alloc;
    return 0;
}

void ljson_doc_release(struct ljson_doc *doc)
{
    if (!doc)
        return;
    free(doc->nodes);
    doc->nodes = NULL;
    doc->n = doc->alloc = 0;
}

const struct ljson *ljson_get(const struct ljson *obj, const char *key)
{
    const struct ljson *m;
    size_t len = strlen(key);
    uint32_t i;
    if (!obj || obj->type != LJSON_OBJECT)
        return NULL;
    LJSON_FOREACH(m, i, obj)
    {
        if (m->klen == len && !memcmp(m->key, key, len))
            return m;
    }
    return NULL;
}
