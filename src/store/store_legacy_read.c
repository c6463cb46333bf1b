/*
 * store_legacy_read.c - reading the Python server's JSON cache (spec LEGACY_JSON.md) into
 * memory, with the format's rules made strict, and merging its records into one canonical set.
 *
 * Every byte is hostile until checked. A file must be JSON (store_ljson.c: jansson's grammar and
 * limits, 2048 levels of nesting), no larger than legacy_max_bytes(), an object of the right
 * version with exactly the keys that version has (none missing, none unknown, no key twice),
 * each of the right type, every path absolute. The first problem ends the read with ERR_CORRUPT
 * and a message that names the file, the place (class_index["Widget"][3]) and what is wrong.
 * Nothing is written anywhere from here.
 *
 * The parser decodes each file's strings in a copy of the file taken from the cache's arena
 * (lc->mem); the records point at them there, so a string is never copied twice and nothing
 * but the node array is freed after a file.
 *
 * Invariants of a merged cache (legacy_merge):
 *   1. syms holds one record per usr, sorted by usr (bytewise). Where a usr occurs several times
 *      (class_index, function_index, the per-file caches), the first record in reading order
 *      gives the fields and the lists are united. A record with "usr": "" is kept on its own
 *      under a stand-in usr (LEGACY_NOUSR_PREFIX, file, position, kind, name; "#2"... when that
 *      repeats), never collapsed with another - except that a per-file cache repeats records of
 *      cache_info.json, so a usr-less record there that equals a usr-less record of
 *      cache_info.json in every field is that record (matched one to one).
 *   2. The call graph is complete in both directions: A calls B exactly when B is called by A,
 *      whichever side the JSON wrote it on. calls and called_by are sorted and unique; stand-in
 *      usrs never appear in called_by (nobody could have named them). Empty usrs are dropped.
 *   3. base_classes keep their first order without repeats.
 *   4. Every file's symbols agree on is_project (the store keeps it per file).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "store_ljson.h"

#define LEGACY_DEFAULT_MAX_MB 128

size_t legacy_max_bytes(void)
{
    const char *env = getenv("CIDX_LEGACY_MAX_MB");
    uint64_t mb;
    if (env && str_to_u64(&mb, env, 1u << 20) == 0 && mb > 0)
        return (size_t)mb << 20;
    return (size_t)LEGACY_DEFAULT_MAX_MB << 20;
}

/* ---- a map from borrowed strings to indexes --------------------------------------------- */

struct legacy_map {
    const char **keys;
    uint64_t *hashes;
    size_t *vals;
    size_t cap, n;
};

static size_t lmap_slot(const struct legacy_map *m, const char *key, uint64_t h)
{
    size_t mask = m->cap - 1, i = h & mask;
    while (m->keys[i] && (m->hashes[i] != h || strcmp(m->keys[i], key) != 0))
        i = (i + 1) & mask;
    return i;
}

static bool lmap_get(const struct legacy_map *m, const char *key, size_t *val)
{
    size_t i;
    if (!m || !m->n)
        return false;
    i = lmap_slot(m, key, hash_bytes64(key, strlen(key)));
    if (!m->keys[i])
        return false;
    *val = m->vals[i];
    return true;
}

static void lmap_put(struct legacy_map *m, const char *key, size_t val)
{
    uint64_t h = hash_bytes64(key, strlen(key));
    size_t i;
    if ((m->n + 1) * 2 > m->cap) {
        struct legacy_map old = *m;
        m->cap = m->cap ? m->cap * 2 : 1024;
        m->keys = xcalloc(m->cap, sizeof(*m->keys));
        m->hashes = xcalloc(m->cap, sizeof(*m->hashes));
        m->vals = xcalloc(m->cap, sizeof(*m->vals));
        for (size_t k = 0; k < old.cap; k++) {
            if (!old.keys[k])
                continue;
            i = lmap_slot(m, old.keys[k], old.hashes[k]);
            m->keys[i] = old.keys[k];
            m->hashes[i] = old.hashes[k];
            m->vals[i] = old.vals[k];
        }
        free(old.keys);
        free(old.hashes);
        free(old.vals);
    }
    i = lmap_slot(m, key, h);
    if (!m->keys[i])
        m->n++;
    m->keys[i] = key;
    m->hashes[i] = h;
    m->vals[i] = val;
}

static void lmap_free(struct legacy_map *m)
{
    if (!m)
        return;
    free(m->keys);
    free(m->hashes);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}

/* ---- the cache ---------------------------------------------------------------------------- */

void legacy_cache_init(struct legacy_cache *lc)
{
    memset(lc, 0, sizeof(*lc));
}

void legacy_cache_release(struct legacy_cache *lc)
{
    if (!lc)
        return;
    arena_release(&lc->mem);
    for (size_t i = 0; i < lc->nmore; i++)
        arena_release(&lc->more[i]);
    free(lc->more);
    free(lc->syms);
    free(lc->hashes);
    free(lc->files);
    free(lc->headers);
    free(lc->perrs);
    lmap_free(lc->qnames);
    free(lc->qnames);
    lmap_free(lc->byusr);
    free(lc->byusr);
    memset(lc, 0, sizeof(*lc));
}

void legacy_cache_absorb(struct legacy_cache *dst, struct legacy_cache *src)
{
    dst->more = xrealloc(dst->more, (dst->nmore + 1 + src->nmore) * sizeof(*dst->more));
    dst->more[dst->nmore++] = src->mem;
    for (size_t i = 0; i < src->nmore; i++)
        dst->more[dst->nmore++] = src->more[i];
    ALLOC_GROW(dst->syms, dst->nsyms + src->nsyms, dst->asyms);
    if (src->nsyms)
        memcpy(dst->syms + dst->nsyms, src->syms, src->nsyms * sizeof(*src->syms));
    dst->nsyms += src->nsyms;
    ALLOC_GROW(dst->hashes, dst->nhashes + src->nhashes, dst->ahashes);
    if (src->nhashes)
        memcpy(dst->hashes + dst->nhashes, src->hashes, src->nhashes * sizeof(*src->hashes));
    dst->nhashes += src->nhashes;
    ALLOC_GROW(dst->files, dst->nfiles + src->nfiles, dst->afiles);
    if (src->nfiles)
        memcpy(dst->files + dst->nfiles, src->files, src->nfiles * sizeof(*src->files));
    dst->nfiles += src->nfiles;
    ALLOC_GROW(dst->headers, dst->nheaders + src->nheaders, dst->aheaders);
    if (src->nheaders)
        memcpy(dst->headers + dst->nheaders, src->headers, src->nheaders * sizeof(*src->headers));
    dst->nheaders += src->nheaders;
    ALLOC_GROW(dst->perrs, dst->nperrs + src->nperrs, dst->aperrs);
    if (src->nperrs)
        memcpy(dst->perrs + dst->nperrs, src->perrs, src->nperrs * sizeof(*src->perrs));
    dst->nperrs += src->nperrs;
    if (src->have_info) {
        dst->have_info = true;
        dst->include_dependencies = src->include_dependencies;
        dst->config_file_path = src->config_file_path;
        dst->compile_commands_path = src->compile_commands_path;
        dst->config_file_mtime = src->config_file_mtime;
        dst->compile_commands_mtime = src->compile_commands_mtime;
        dst->indexed_file_count = src->indexed_file_count;
        dst->timestamp = src->timestamp;
    }
    if (src->have_tracker) {
        dst->have_tracker = true;
        dst->tracker_cc_hash = src->tracker_cc_hash;
    }
    dst->records += src->records;
    dst->no_usr += src->no_usr;
    src->mem = (struct arena)ARENA_INIT;
    src->nmore = 0;
    legacy_cache_release(src);
}

/* ---- reading ------------------------------------------------------------------------------ */

enum { LT_STR = 1, LT_NULL = 2, LT_BOOL = 4, LT_INT = 8, LT_REAL = 16, LT_OBJ = 32, LT_ARR = 64 };
#define LT_NUM (LT_INT | LT_REAL)

struct lkey {
    const char *name;
    uint32_t len;
    unsigned types;
    bool required;
};

#define LKEY(name, types, required)                                                                \
    {                                                                                              \
        name, sizeof(name) - 1, types, required                                                    \
    }

struct rd {
    struct legacy_cache *lc;
    const char *name; /* the file, for messages */
    struct err *err;
};

/* Where in a file a problem is: class_index["Widget"][3], symbols[2], line 7, file_hashes. Only
 * a message formats it (a record read costs no formatting). */
enum { W_NAME, W_KEY, W_KEY_INDEX, W_INDEX, W_LINE };

struct where {
    unsigned form;
    const char *name; /* W_NAME, W_KEY, W_KEY_INDEX, W_INDEX */
    const char *key;  /* W_KEY, W_KEY_INDEX */
    size_t i;         /* W_KEY_INDEX, W_INDEX, W_LINE */
};

static void where_format(char *buf, size_t size, const struct where *w)
{
    switch (w->form) {
    case W_KEY:
        snprintf(buf, size, "%s[\"%.120s\"]", w->name, w->key);
        break;
    case W_KEY_INDEX:
        snprintf(buf, size, "%s[\"%.120s\"][%zu]", w->name, w->key, w->i);
        break;
    case W_INDEX:
        snprintf(buf, size, "%s[%zu]", w->name, w->i);
        break;
    case W_LINE:
        snprintf(buf, size, "line %zu", w->i);
        break;
    default:
        snprintf(buf, size, "%s", w->name);
        break;
    }
}

static unsigned jbit(const struct ljson *v)
{
    switch (v->type) {
    case LJSON_OBJECT:
        return LT_OBJ;
    case LJSON_ARRAY:
        return LT_ARR;
    case LJSON_STRING:
        return LT_STR;
    case LJSON_INT:
        return LT_INT;
    case LJSON_REAL:
        return LT_REAL;
    case LJSON_TRUE:
    case LJSON_FALSE:
        return LT_BOOL;
    default:
        return LT_NULL;
    }
}

static const char *jtype(const struct ljson *v)
{
    switch (jbit(v)) {
    case LT_OBJ:
        return "an object";
    case LT_ARR:
        return "an array";
    case LT_STR:
        return "a string";
    case LT_INT:
        return "an integer";
    case LT_REAL:
        return "a fractional number";
    case LT_BOOL:
        return "a boolean";
    default:
        return "null";
    }
}

static const char *want_words(unsigned types)
{
    switch (types) {
    case LT_STR:
        return "a string";
    case LT_STR | LT_NULL:
        return "a string or null";
    case LT_BOOL:
        return "a boolean";
    case LT_INT:
        return "an integer";
    case LT_NUM:
        return "a number";
    case LT_NUM | LT_NULL:
        return "a number or null";
    case LT_OBJ:
        return "an object";
    case LT_ARR:
        return "an array";
    default:
        return "something else";
    }
}

static int bad(struct rd *r, const struct where *where, const char *fmt, ...) PRINTF_LIKE(3, 4);
static int bad(struct rd *r, const struct where *where, const char *fmt, ...)
{
    char msg[600], at[200] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (where)
        where_format(at, sizeof(at), where);
    if (*at)
        return err_set(r->err, ERR_CORRUPT, "'%s': %s: %s", r->name, at, msg);
    return err_set(r->err, ERR_CORRUPT, "'%s': %s", r->name, msg);
}

static bool key_is(const struct lkey *k, const struct ljson *m)
{
    return m->klen == k->len && !memcmp(m->key, k->name, k->len);
}

/* Checks an object against a key table: no unknown key, no required key missing, every value of
 * its type. vals[i] is the value of keys[i] (NULL when absent). One pass over the members (the
 * parser refused keys that occur twice); the usual order, the table's, is tried first. */
static int check_keys(struct rd *r, const struct where *where, const struct ljson *obj,
                      const struct lkey *keys, size_t n, const struct ljson **vals)
{
    const struct ljson *m, *unknown = NULL;
    uint32_t i;
    for (size_t k = 0; k < n; k++)
        vals[k] = NULL;
    LJSON_FOREACH(m, i, obj)
    {
        size_t k = i;
        if (k >= n || !key_is(&keys[k], m)) {
            for (k = 0; k < n && !key_is(&keys[k], m); k++)
                ;
            if (k == n) {
                if (!unknown)
                    unknown = m;
                continue;
            }
        }
        vals[k] = m;
    }
    if (unknown)
        return bad(r, where, "unknown key '%s'", unknown->key);
    for (size_t k = 0; k < n; k++) {
        if (!vals[k]) {
            if (keys[k].required)
                return bad(r, where, "missing key '%s'", keys[k].name);
            continue;
        }
        if (!(jbit(vals[k]) & keys[k].types))
            return bad(r, where, "'%s' must be %s, not %s", keys[k].name, want_words(keys[k].types),
                       jtype(vals[k]));
    }
    return 0;
}

/* The strings of a parsed file already live in the cache's arena (ljson_parse decodes them
 * there): the records point at them, no copy. */
static const char *str_of(const struct ljson *v)
{
    return v->u.s;
}

/* A string or null; "" reads as null. */
static const char *opt_str(const struct ljson *v)
{
    if (!v || v->type != LJSON_STRING || v->n == 0)
        return NULL;
    return v->u.s;
}

/* A number as text: integers as written, fractions as the shortest exact form. */
static const char *num_text(struct rd *r, const struct ljson *v)
{
    char buf[40];
    if (!v || v->type == LJSON_NULL)
        return NULL;
    if (v->type == LJSON_INT)
        snprintf(buf, sizeof(buf), "%lld", (long long)v->u.i);
    else
        legacy_fmt_number(buf, v->u.d);
    return arena_strdup(&r->lc->mem, buf);
}

static bool is_absolute(const struct ljson *v)
{
    return v->n > 0 && v->u.s[0] == '/';
}

static int check_version(struct rd *r, const struct ljson *root, const char *const *accepted,
                         size_t n, const char **out)
{
    const struct ljson *v = ljson_get(root, "version");
    if (!v)
        return bad(r, NULL, "missing key 'version'");
    if (v->type != LJSON_STRING)
        return bad(r, NULL, "'version' must be a string, not %s", jtype(v));
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(v->u.s, accepted[i])) {
            *out = accepted[i];
            return 0;
        }
    }
    return bad(r, NULL, "version '%.40s' is not supported (this cidx reads version \"%s\"%s%s%s)",
               v->u.s, accepted[0], n > 1 ? " and \"" : "", n > 1 ? accepted[1] : "",
               n > 1 ? "\"" : "");
}

static int read_strings(struct rd *r, const struct where *where, const char *key,
                        const struct ljson *arr, const char ***out, uint32_t *n)
{
    const struct ljson *v;
    uint32_t i;
    *out = NULL;
    *n = 0;
    if (!arr->n)
        return 0;
    *out = arena_alloc(&r->lc->mem, arr->n * sizeof(**out));
    LJSON_FOREACH(v, i, arr)
    {
        if (v->type != LJSON_STRING)
            return bad(r, where, "%s[%u] must be a string, not %s", key, i, jtype(v));
        (*out)[i] = v->u.s;
    }
    *n = arr->n;
    return 0;
}

enum {
    S_NAME,
    S_KIND,
    S_FILE,
    S_LINE,
    S_COLUMN,
    S_SIGNATURE,
    S_IS_PROJECT,
    S_NAMESPACE,
    S_ACCESS,
    S_PARENT,
    S_BASES,
    S_USR,
    S_CALLS,
    S_CALLED_BY,
    S_COUNT_
};

static const struct lkey sym_keys[S_COUNT_] = {
    [S_NAME] = LKEY("name", LT_STR, true),
    [S_KIND] = LKEY("kind", LT_STR, true),
    [S_FILE] = LKEY("file", LT_STR, true),
    [S_LINE] = LKEY("line", LT_INT, true),
    [S_COLUMN] = LKEY("column", LT_INT, true),
    [S_SIGNATURE] = LKEY("signature", LT_STR, true),
    [S_IS_PROJECT] = LKEY("is_project", LT_BOOL, true),
    [S_NAMESPACE] = LKEY("namespace", LT_STR, true),
    [S_ACCESS] = LKEY("access", LT_STR, true),
    [S_PARENT] = LKEY("parent_class", LT_STR, true),
    [S_BASES] = LKEY("base_classes", LT_ARR, true),
    [S_USR] = LKEY("usr", LT_STR, true),
    [S_CALLS] = LKEY("calls", LT_ARR, true),
    [S_CALLED_BY] = LKEY("called_by", LT_ARR, true),
};

#define KINDS_CLASS (STORE_KIND_BIT(STORE_KIND_CLASS) | STORE_KIND_BIT(STORE_KIND_STRUCT))
#define KINDS_FUNCTION (STORE_KIND_BIT(STORE_KIND_FUNCTION) | STORE_KIND_BIT(STORE_KIND_METHOD))

static int read_position(struct rd *r, const struct where *where, const char *key,
                         const struct ljson *v, uint32_t *out)
{
    int64_t n = v->u.i;
    if (n < 0 || n > (int64_t)UINT32_MAX)
        return bad(r, where, "'%s' must be between 0 and 4294967295, not %lld", key, (long long)n);
    *out = (uint32_t)n;
    return 0;
}

static int read_symbol(struct rd *r, const struct where *where, const struct ljson *o,
                       unsigned kinds)
{
    struct legacy_cache *lc = r->lc;
    const struct ljson *v[S_COUNT_];
    struct legacy_sym *s;
    const char *kind, *access;
    int rc;

    if (o->type != LJSON_OBJECT)
        return bad(r, where, "a symbol must be an object, not %s", jtype(o));
    rc = check_keys(r, where, o, sym_keys, S_COUNT_, v);
    if (rc)
        return rc;
    ALLOC_GROW(lc->syms, lc->nsyms + 1, lc->asyms);
    s = &lc->syms[lc->nsyms];
    memset(s, 0, sizeof(*s));
    kind = str_of(v[S_KIND]);
    if (!strcmp(kind, "class"))
        s->kind = STORE_KIND_CLASS;
    else if (!strcmp(kind, "struct"))
        s->kind = STORE_KIND_STRUCT;
    else if (!strcmp(kind, "function"))
        s->kind = STORE_KIND_FUNCTION;
    else if (!strcmp(kind, "method"))
        s->kind = STORE_KIND_METHOD;
    else
        return bad(r, where, "kind '%.40s' is not one of class, struct, function, method", kind);
    if (!(STORE_KIND_BIT(s->kind) & kinds))
        return bad(r, where, "a %s does not belong in %s", kind,
                   kinds == KINDS_CLASS ? "class_index (classes and structs)"
                                        : "function_index (functions and methods)");
    access = str_of(v[S_ACCESS]);
    if (!strcmp(access, "public"))
        s->access = STORE_ACCESS_PUBLIC;
    else if (!strcmp(access, "protected"))
        s->access = STORE_ACCESS_PROTECTED;
    else if (!strcmp(access, "private"))
        s->access = STORE_ACCESS_PRIVATE;
    else
        return bad(r, where, "access '%.40s' is not one of public, protected, private", access);
    if (!is_absolute(v[S_FILE]))
        return bad(r, where, "file '%.200s' is not an absolute path", str_of(v[S_FILE]));
    rc = read_position(r, where, "line", v[S_LINE], &s->line);
    if (!rc)
        rc = read_position(r, where, "column", v[S_COLUMN], &s->col);
    if (!rc)
        rc = read_strings(r, where, "base_classes", v[S_BASES], &s->bases, &s->nbases);
    if (!rc)
        rc = read_strings(r, where, "calls", v[S_CALLS], &s->calls, &s->ncalls);
    if (!rc)
        rc = read_strings(r, where, "called_by", v[S_CALLED_BY], &s->called_by, &s->ncalled_by);
    if (rc)
        return rc;
    if (str_starts_with(str_of(v[S_USR]), "cidx-legacy:"))
        return bad(r, where, "usr '%.200s' starts with 'cidx-legacy:', which cidx reserves",
                   str_of(v[S_USR]));
    s->name = str_of(v[S_NAME]);
    s->file = str_of(v[S_FILE]);
    s->signature = str_of(v[S_SIGNATURE]);
    s->ns = str_of(v[S_NAMESPACE]);
    s->parent = str_of(v[S_PARENT]);
    s->usr = str_of(v[S_USR]);
    s->is_project = v[S_IS_PROJECT]->type == LJSON_TRUE;
    s->no_usr = !*s->usr;
    s->origin = r->name;
    lc->nsyms++;
    lc->records++;
    if (s->no_usr)
        lc->no_usr++;
    return 0;
}

/* class_index or function_index: {name: [symbol...]} */
static int read_index(struct rd *r, const char *index, const struct ljson *obj, unsigned kinds)
{
    const struct ljson *arr, *o;
    uint32_t k, i;
    LJSON_FOREACH(arr, k, obj)
    {
        struct where where = {W_KEY, index, arr->key, 0};
        if (arr->type != LJSON_ARRAY)
            return bad(r, &where, "must be an array of symbols, not %s", jtype(arr));
        where.form = W_KEY_INDEX;
        LJSON_FOREACH(o, i, arr)
        {
            int rc;
            where.i = i;
            rc = read_symbol(r, &where, o, kinds);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* {absolute path: string} */
static int read_path_map(struct rd *r, const char *what, const struct ljson *obj,
                         struct legacy_kv **arr, size_t *n, size_t *alloc)
{
    const struct where where = {W_NAME, what, NULL, 0};
    const struct ljson *v;
    uint32_t i;
    ALLOC_GROW(*arr, *n + obj->n, *alloc);
    LJSON_FOREACH(v, i, obj)
    {
        struct legacy_kv *kv;
        if (v->key[0] != '/')
            return bad(r, &where, "'%.200s' is not an absolute path", v->key);
        if (v->type != LJSON_STRING)
            return bad(r, &where, "the value of '%.200s' must be a string, not %s", v->key,
                       jtype(v));
        kv = &(*arr)[(*n)++];
        kv->key = v->key;
        kv->value = v->u.s;
    }
    return 0;
}

/* Parses data into doc: its strings go into the cache's arena. NULL, with *rc set, when it is
 * not JSON or not an object. */
static const struct ljson *load(struct rd *r, struct ljson_doc *doc, const char *data, size_t len,
                                const char *line_note, int *rc)
{
    struct ljson_error je;
    const struct ljson *root;
    int prc = ljson_parse(doc, &r->lc->mem, data, len, 0, &je);
    if (prc) {
        *rc = err_set(r->err, prc, "'%s'%s is not valid JSON: %s (line %d, column %d)", r->name,
                      line_note, je.text, je.line, je.column);
        return NULL;
    }
    root = ljson_root(doc);
    if (root->type != LJSON_OBJECT) {
        *rc = err_set(r->err, ERR_CORRUPT, "'%s'%s must hold a JSON object, not %s", r->name,
                      line_note, jtype(root));
        ljson_doc_release(doc);
        return NULL;
    }
    *rc = 0;
    return root;
}

enum {
    I_VERSION,
    I_INCLUDE_DEPS,
    I_CONFIG_PATH,
    I_CONFIG_MTIME,
    I_CCDB_PATH,
    I_CCDB_MTIME,
    I_CLASS_INDEX,
    I_FUNCTION_INDEX,
    I_FILE_HASHES,
    I_FILE_COUNT,
    I_TIMESTAMP,
    I_COUNT_
};

static const struct lkey info_keys[I_COUNT_] = {
    [I_VERSION] = LKEY("version", LT_STR, true),
    [I_INCLUDE_DEPS] = LKEY("include_dependencies", LT_BOOL, true),
    [I_CONFIG_PATH] = LKEY("config_file_path", LT_STR | LT_NULL, false),
    [I_CONFIG_MTIME] = LKEY("config_file_mtime", LT_NUM | LT_NULL, false),
    [I_CCDB_PATH] = LKEY("compile_commands_path", LT_STR | LT_NULL, false),
    [I_CCDB_MTIME] = LKEY("compile_commands_mtime", LT_NUM | LT_NULL, false),
    [I_CLASS_INDEX] = LKEY("class_index", LT_OBJ, true),
    [I_FUNCTION_INDEX] = LKEY("function_index", LT_OBJ, true),
    [I_FILE_HASHES] = LKEY("file_hashes", LT_OBJ, true),
    [I_FILE_COUNT] = LKEY("indexed_file_count", LT_INT, true),
    [I_TIMESTAMP] = LKEY("timestamp", LT_NUM, true),
};

static int read_info(struct rd *r, const struct ljson *root)
{
    static const char *const versions[] = {"2.0"};
    struct legacy_cache *lc = r->lc;
    const struct ljson *v[I_COUNT_];
    const char *version;
    int rc;

    if (lc->have_info)
        return bad(r, NULL, "a second cache_info.json");
    rc = check_version(r, root, versions, ARRAY_SIZE(versions), &version);
    if (!rc)
        rc = check_keys(r, NULL, root, info_keys, I_COUNT_, v);
    if (rc)
        return rc;
    if (v[I_FILE_COUNT]->u.i < 0)
        return bad(r, NULL, "'indexed_file_count' must not be negative");
    lc->have_info = true;
    lc->include_dependencies = v[I_INCLUDE_DEPS]->type == LJSON_TRUE;
    lc->config_file_path = opt_str(v[I_CONFIG_PATH]);
    lc->config_file_mtime = num_text(r, v[I_CONFIG_MTIME]);
    lc->compile_commands_path = opt_str(v[I_CCDB_PATH]);
    lc->compile_commands_mtime = num_text(r, v[I_CCDB_MTIME]);
    lc->indexed_file_count = v[I_FILE_COUNT]->u.i;
    lc->timestamp = ljson_number(v[I_TIMESTAMP]);
    rc = read_index(r, "class_index", v[I_CLASS_INDEX], KINDS_CLASS);
    if (!rc)
        rc = read_index(r, "function_index", v[I_FUNCTION_INDEX], KINDS_FUNCTION);
    if (!rc)
        rc = read_path_map(r, "file_hashes", v[I_FILE_HASHES], &lc->hashes, &lc->nhashes,
                           &lc->ahashes);
    return rc;
}

enum {
    F_VERSION,
    F_PATH,
    F_HASH,
    F_ARGS_HASH,
    F_TIMESTAMP,
    F_SYMBOLS,
    F_SUCCESS, /* 1.2 only from here */
    F_ERROR,
    F_RETRY,
    F_COUNT_
};

static const struct lkey file_keys[F_COUNT_] = {
    [F_VERSION] = LKEY("version", LT_STR, true),
    [F_PATH] = LKEY("file_path", LT_STR, true),
    [F_HASH] = LKEY("file_hash", LT_STR, true),
    [F_ARGS_HASH] = LKEY("compile_args_hash", LT_STR | LT_NULL, true),
    [F_TIMESTAMP] = LKEY("timestamp", LT_NUM, true),
    [F_SYMBOLS] = LKEY("symbols", LT_ARR, true),
    [F_SUCCESS] = LKEY("success", LT_BOOL, true),
    [F_ERROR] = LKEY("error_message", LT_STR | LT_NULL, true),
    [F_RETRY] = LKEY("retry_count", LT_INT, true),
};

static int read_file(struct rd *r, const struct ljson *root)
{
    static const char *const versions[] = {"1.2", "1.1"};
    struct legacy_cache *lc = r->lc;
    const struct ljson *v[F_COUNT_] = {0}, *o;
    struct where where = {W_INDEX, "symbols", NULL, 0};
    struct legacy_file *f;
    const char *version;
    bool v11;
    uint32_t i;
    int rc;

    rc = check_version(r, root, versions, ARRAY_SIZE(versions), &version);
    if (rc)
        return rc;
    v11 = !strcmp(version, "1.1");
    rc = check_keys(r, NULL, root, file_keys, v11 ? F_SUCCESS : F_COUNT_, v);
    if (rc)
        return rc;
    if (!is_absolute(v[F_PATH]))
        return bad(r, NULL, "file_path '%.200s' is not an absolute path", str_of(v[F_PATH]));
    if (!v11 && (v[F_RETRY]->u.i < 0 || v[F_RETRY]->u.i > INT_MAX))
        return bad(r, NULL, "'retry_count' must be between 0 and %d", INT_MAX);
    ALLOC_GROW(lc->files, lc->nfiles + 1, lc->afiles);
    f = &lc->files[lc->nfiles++];
    memset(f, 0, sizeof(*f));
    f->path = str_of(v[F_PATH]);
    f->hash = str_of(v[F_HASH]);
    f->args_hash = ljson_is_string(v[F_ARGS_HASH]) ? str_of(v[F_ARGS_HASH]) : NULL;
    f->timestamp = ljson_number(v[F_TIMESTAMP]);
    f->success = v11 || v[F_SUCCESS]->type == LJSON_TRUE;
    f->error_message = v11 ? NULL : opt_str(v[F_ERROR]);
    f->retry_count = v11 ? 0 : v[F_RETRY]->u.i;
    f->origin = r->name;
    LJSON_FOREACH(o, i, v[F_SYMBOLS])
    {
        where.i = i;
        rc = read_symbol(r, &where, o, KINDS_CLASS | KINDS_FUNCTION);
        if (rc)
            return rc;
        lc->syms[lc->nsyms - 1].in_file_cache = true;
    }
    return 0;
}

enum { T_VERSION, T_CC_HASH, T_HEADERS, T_TIMESTAMP, T_COUNT_ };

static const struct lkey tracker_keys[T_COUNT_] = {
    [T_VERSION] = LKEY("version", LT_STR, true),
    [T_CC_HASH] = LKEY("compile_commands_hash", LT_STR, true),
    [T_HEADERS] = LKEY("processed_headers", LT_OBJ, true),
    [T_TIMESTAMP] = LKEY("timestamp", LT_NUM, true),
};

static int read_tracker(struct rd *r, const struct ljson *root)
{
    static const char *const versions[] = {"1.0"};
    struct legacy_cache *lc = r->lc;
    const struct ljson *v[T_COUNT_];
    const char *version;
    int rc;

    if (lc->have_tracker)
        return bad(r, NULL, "a second header_tracker.json");
    rc = check_version(r, root, versions, ARRAY_SIZE(versions), &version);
    if (!rc)
        rc = check_keys(r, NULL, root, tracker_keys, T_COUNT_, v);
    if (rc)
        return rc;
    lc->have_tracker = true;
    lc->tracker_cc_hash = str_of(v[T_CC_HASH]);
    return read_path_map(r, "processed_headers", v[T_HEADERS], &lc->headers, &lc->nheaders,
                         &lc->aheaders);
}

enum {
    E_TIMESTAMP,
    E_READABLE,
    E_PATH,
    E_TYPE,
    E_MESSAGE,
    E_STACK,
    E_HASH,
    E_ARGS_HASH,
    E_RETRY,
    E_COUNT_
};

static const struct lkey perr_keys[E_COUNT_] = {
    [E_TIMESTAMP] = LKEY("timestamp", LT_NUM, true),
    [E_READABLE] = LKEY("timestamp_readable", LT_STR, true),
    [E_PATH] = LKEY("file_path", LT_STR, true),
    [E_TYPE] = LKEY("error_type", LT_STR, true),
    [E_MESSAGE] = LKEY("error_message", LT_STR, true),
    [E_STACK] = LKEY("stack_trace", LT_STR | LT_NULL, true),
    [E_HASH] = LKEY("file_hash", LT_STR, true),
    [E_ARGS_HASH] = LKEY("compile_args_hash", LT_STR | LT_NULL, true),
    [E_RETRY] = LKEY("retry_count", LT_INT, true),
};

static int read_perr_line(struct rd *r, size_t lineno, const char *line, size_t len)
{
    struct legacy_cache *lc = r->lc;
    struct ljson_doc doc = LJSON_DOC_INIT;
    const struct where where = {W_LINE, NULL, NULL, lineno};
    const struct ljson *v[E_COUNT_], *root;
    struct legacy_perr *e;
    char note[40];
    int rc;

    snprintf(note, sizeof(note), " line %zu", lineno);
    root = load(r, &doc, line, len, note, &rc);
    if (!root)
        return rc;
    rc = check_keys(r, &where, root, perr_keys, E_COUNT_, v);
    if (!rc && !is_absolute(v[E_PATH]))
        rc = bad(r, &where, "file_path '%.200s' is not an absolute path", str_of(v[E_PATH]));
    if (!rc && (v[E_RETRY]->u.i < 0 || v[E_RETRY]->u.i > INT_MAX))
        rc = bad(r, &where, "'retry_count' must be between 0 and %d", INT_MAX);
    if (!rc) {
        ALLOC_GROW(lc->perrs, lc->nperrs + 1, lc->aperrs);
        e = &lc->perrs[lc->nperrs++];
        e->path = str_of(v[E_PATH]);
        e->type = str_of(v[E_TYPE]);
        e->message = str_of(v[E_MESSAGE]);
        e->stack_trace = ljson_is_string(v[E_STACK]) ? str_of(v[E_STACK]) : NULL;
        e->file_hash = str_of(v[E_HASH]);
        e->args_hash = ljson_is_string(v[E_ARGS_HASH]) ? str_of(v[E_ARGS_HASH]) : NULL;
        e->timestamp = ljson_number(v[E_TIMESTAMP]);
        e->retry_count = v[E_RETRY]->u.i;
    }
    ljson_doc_release(&doc);
    return rc;
}

static int read_perrs(struct rd *r, const char *data, size_t len)
{
    size_t lineno = 0;
    for (size_t at = 0; at < len;) {
        const char *nl = memchr(data + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - data) : len, n = end - at;
        bool blank = true;
        lineno++;
        for (size_t k = 0; k < n && blank; k++)
            blank = data[at + k] == ' ' || data[at + k] == '\t' || data[at + k] == '\r';
        if (!blank) {
            int rc = read_perr_line(r, lineno, data + at, n);
            if (rc)
                return rc;
        }
        at = end + 1;
    }
    return 0;
}

int legacy_parse(struct legacy_cache *lc, enum store_legacy_kind kind, const char *name,
                 const char *data, size_t len, struct err *err)
{
    /* records keep the file's name for messages: it must live as long as they do */
    struct rd r = {lc, arena_strdup(&lc->mem, name), err};
    struct ljson_doc doc = LJSON_DOC_INIT;
    size_t max = legacy_max_bytes();
    const struct ljson *root;
    int rc;

    if (len > max)
        return err_set(err, ERR_LIMIT,
                       "'%s' is %zu bytes, more than the %zu a legacy cache file may have "
                       "(CIDX_LEGACY_MAX_MB raises the limit)",
                       name, len, max);
    if (kind == STORE_LEGACY_PARSE_ERRORS)
        return read_perrs(&r, data, len);
    root = load(&r, &doc, data, len, "", &rc);
    if (!root)
        return rc;
    switch (kind) {
    case STORE_LEGACY_CACHE_INFO:
        rc = read_info(&r, root);
        break;
    case STORE_LEGACY_FILE_CACHE:
        rc = read_file(&r, root);
        break;
    case STORE_LEGACY_HEADER_TRACKER:
        rc = read_tracker(&r, root);
        break;
    default:
        rc = err_set(err, ERR_INVALID, "unknown legacy file kind %d", (int)kind);
    }
    /* the records point into the arena, not into the nodes */
    ljson_doc_release(&doc);
    return rc;
}

/* ---- merging ------------------------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_sym_usr(const void *a, const void *b)
{
    return strcmp(((const struct legacy_sym *)a)->usr, ((const struct legacy_sym *)b)->usr);
}

static int cmp_kv(const void *a, const void *b)
{
    return strcmp(((const struct legacy_kv *)a)->key, ((const struct legacy_kv *)b)->key);
}

static int cmp_file(const void *a, const void *b)
{
    return strcmp(((const struct legacy_file *)a)->path, ((const struct legacy_file *)b)->path);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

const char *legacy_qname(struct arena *a, const struct legacy_sym *s)
{
    struct strbuf sb = STRBUF_INIT;
    const char *res;
    if (*s->ns)
        strbuf_addf(&sb, "%s::", s->ns);
    if (*s->parent)
        strbuf_addf(&sb, "%s::", s->parent);
    strbuf_adds(&sb, s->name);
    res = arena_strndup(a, sb.buf, sb.len);
    strbuf_release(&sb);
    return res;
}

/* Every field of a record, as one key. */
static const char *record_key(struct arena *a, const struct legacy_sym *s)
{
    struct strbuf sb = STRBUF_INIT;
    const char *res;
    strbuf_addf(&sb, "%s\x1f%s\x1f%u\x1f%u\x1f%d\x1f%s\x1f%s\x1f%s\x1f%d\x1f%d", s->name, s->file,
                s->line, s->col, (int)s->kind, s->signature, s->ns, s->parent, (int)s->access,
                (int)s->is_project);
    for (uint32_t i = 0; i < s->nbases; i++)
        strbuf_addf(&sb, "\x1e%s", s->bases[i]);
    strbuf_addch(&sb, '\x1d');
    for (uint32_t i = 0; i < s->ncalls; i++)
        strbuf_addf(&sb, "\x1e%s", s->calls[i]);
    strbuf_addch(&sb, '\x1d');
    for (uint32_t i = 0; i < s->ncalled_by; i++)
        strbuf_addf(&sb, "\x1e%s", s->called_by[i]);
    res = arena_strndup(a, sb.buf, sb.len);
    strbuf_release(&sb);
    return res;
}

/* Marks the usr-less records of the per-file caches that repeat one of cache_info.json
 * (invariant 1); dup[i] is set for each. */
static void match_repeats(struct legacy_cache *lc, bool *dup)
{
    struct legacy_map avail = {0};
    const char **keys = xcalloc(lc->nsyms ? lc->nsyms : 1, sizeof(*keys));
    for (size_t i = 0; i < lc->nsyms; i++) {
        const struct legacy_sym *s = &lc->syms[i];
        size_t n = 0;
        if (!s->no_usr)
            continue;
        keys[i] = record_key(&lc->mem, s);
        if (s->in_file_cache)
            continue;
        lmap_get(&avail, keys[i], &n);
        lmap_put(&avail, keys[i], n + 1);
    }
    for (size_t i = 0; i < lc->nsyms; i++) {
        size_t n = 0;
        if (!keys[i] || !lc->syms[i].in_file_cache)
            continue;
        if (lmap_get(&avail, keys[i], &n) && n > 0) {
            lmap_put(&avail, keys[i], n - 1);
            dup[i] = true;
        }
    }
    lmap_free(&avail);
    free(keys);
}

/* Gives usr-less records their stand-in usr (invariant 1). */
static void assign_standins(struct legacy_cache *lc, struct legacy_map *seen, const bool *dup)
{
    for (size_t i = 0; i < lc->nsyms; i++) {
        struct legacy_sym *s = &lc->syms[i];
        char *base, *u;
        size_t dummy;
        if (!s->no_usr || dup[i])
            continue;
        base = xasprintf(LEGACY_NOUSR_PREFIX "%s:%u:%u:%s:%s", s->file, s->line, s->col,
                         store_kind_name(s->kind), s->name);
        u = xstrdup(base);
        for (int k = 2; lmap_get(seen, u, &dummy); k++) {
            free(u);
            u = xasprintf("%s#%d", base, k);
        }
        s->usr = arena_strdup(&lc->mem, u);
        lmap_put(seen, s->usr, 0);
        free(u);
        free(base);
    }
}

/* The string ids of the call graph: one per distinct usr named anywhere. */
struct usr_ids {
    struct legacy_map map; /* usr -> id */
    const char **str;      /* id -> usr */
    long *sym;             /* id -> merged record, -1 for a usr no record has */
    size_t n, alloc;
};

static uint32_t usr_id(struct usr_ids *u, const char *s)
{
    size_t id;
    if (lmap_get(&u->map, s, &id))
        return (uint32_t)id;
    ALLOC_GROW(u->str, u->n + 1, u->alloc);
    u->str[u->n] = s;
    lmap_put(&u->map, s, u->n);
    return (uint32_t)u->n++;
}

int legacy_merge(struct legacy_cache *lc, struct err *err)
{
    struct legacy_map byusr = {0};
    struct usr_ids ids = {0};
    struct legacy_sym *out = NULL;
    uint64_t *edges = NULL;
    size_t nout = 0, nedges = 0, aedges = 0;
    bool *dup = NULL;
    uint32_t *nc = NULL, *ncb = NULL;
    int rc = 0;

    dup = xcalloc(lc->nsyms ? lc->nsyms : 1, sizeof(*dup));
    match_repeats(lc, dup);
    {
        struct legacy_map seen = {0};
        for (size_t i = 0; i < lc->nsyms; i++)
            if (!lc->syms[i].no_usr)
                lmap_put(&seen, lc->syms[i].usr, 0);
        assign_standins(lc, &seen, dup);
        lmap_free(&seen);
    }
    out = xcalloc(lc->nsyms ? lc->nsyms : 1, sizeof(*out));
    /* one record per usr; the first gives the fields, the lists are united */
    for (size_t i = 0; i < lc->nsyms; i++) {
        const struct legacy_sym *s = &lc->syms[i];
        struct legacy_sym *m;
        size_t at;
        uint32_t me;
        if (dup[i])
            continue;
        if (!lmap_get(&byusr, s->usr, &at)) {
            at = nout++;
            out[at] = *s;
            out[at].bases = NULL;
            out[at].nbases = 0;
            lmap_put(&byusr, out[at].usr, at);
        }
        m = &out[at];
        /* bases: first order, no repeats (the arena copy grows only when a record adds one) */
        for (uint32_t k = 0; k < s->nbases; k++) {
            uint32_t j = 0;
            while (j < m->nbases && strcmp(m->bases[j], s->bases[k]) != 0)
                j++;
            if (j < m->nbases)
                continue;
            {
                const char **nb = arena_alloc(&lc->mem, (m->nbases + 1) * sizeof(*nb));
                if (m->nbases)
                    memcpy(nb, m->bases, m->nbases * sizeof(*nb));
                nb[m->nbases++] = s->bases[k];
                m->bases = nb;
            }
        }
        me = usr_id(&ids, m->usr);
        for (uint32_t k = 0; k < s->ncalls; k++) {
            if (!*s->calls[k])
                continue;
            ALLOC_GROW(edges, nedges + 1, aedges);
            edges[nedges++] = (uint64_t)me << 32 | usr_id(&ids, s->calls[k]);
        }
        for (uint32_t k = 0; k < s->ncalled_by; k++) {
            if (!*s->called_by[k])
                continue;
            ALLOC_GROW(edges, nedges + 1, aedges);
            edges[nedges++] = (uint64_t)usr_id(&ids, s->called_by[k]) << 32 | me;
        }
    }
    /* the call graph: unique edges, then each side's list (invariant 2) */
    if (nedges)
        qsort(edges, nedges, sizeof(*edges), cmp_u64);
    {
        size_t w = 0;
        for (size_t i = 0; i < nedges; i++)
            if (!w || edges[w - 1] != edges[i])
                edges[w++] = edges[i];
        nedges = w;
    }
    ids.sym = xmalloc((ids.n ? ids.n : 1) * sizeof(*ids.sym));
    for (size_t i = 0; i < ids.n; i++) {
        size_t at;
        ids.sym[i] = lmap_get(&byusr, ids.str[i], &at) ? (long)at : -1;
    }
    nc = xcalloc(nout ? nout : 1, sizeof(*nc));
    ncb = xcalloc(nout ? nout : 1, sizeof(*ncb));
    for (size_t i = 0; i < nedges; i++) {
        long a = ids.sym[edges[i] >> 32], b = ids.sym[edges[i] & 0xffffffffu];
        if (a >= 0)
            nc[a]++;
        if (b >= 0 && !str_starts_with(ids.str[edges[i] >> 32], LEGACY_NOUSR_PREFIX))
            ncb[b]++;
    }
    for (size_t i = 0; i < nout; i++) {
        out[i].calls = nc[i] ? arena_alloc(&lc->mem, nc[i] * sizeof(char *)) : NULL;
        out[i].called_by = ncb[i] ? arena_alloc(&lc->mem, ncb[i] * sizeof(char *)) : NULL;
        out[i].ncalls = out[i].ncalled_by = 0;
    }
    for (size_t i = 0; i < nedges; i++) {
        uint32_t ia = (uint32_t)(edges[i] >> 32), ib = (uint32_t)(edges[i] & 0xffffffffu);
        long a = ids.sym[ia], b = ids.sym[ib];
        if (a >= 0)
            out[a].calls[out[a].ncalls++] = ids.str[ib];
        if (b >= 0 && !str_starts_with(ids.str[ia], LEGACY_NOUSR_PREFIX))
            out[b].called_by[out[b].ncalled_by++] = ids.str[ia];
    }
    for (size_t i = 0; i < nout; i++) {
        if (out[i].ncalls > 1)
            qsort(out[i].calls, out[i].ncalls, sizeof(char *), cmp_str);
        if (out[i].ncalled_by > 1)
            qsort(out[i].called_by, out[i].ncalled_by, sizeof(char *), cmp_str);
    }
    free(lc->syms);
    lc->syms = out;
    lc->nsyms = lc->asyms = nout;
    out = NULL;
    lc->no_usr = 0;
    for (size_t i = 0; i < lc->nsyms; i++)
        lc->no_usr += lc->syms[i].no_usr;
    if (lc->nsyms > 1)
        qsort(lc->syms, lc->nsyms, sizeof(*lc->syms), cmp_sym_usr);

    /* invariant 4: one is_project per file */
    {
        struct legacy_map files = {0};
        for (size_t i = 0; i < lc->nsyms && !rc; i++) {
            const struct legacy_sym *s = &lc->syms[i], *f;
            size_t at;
            if (!lmap_get(&files, s->file, &at)) {
                lmap_put(&files, s->file, i);
                continue;
            }
            f = &lc->syms[at];
            if (f->is_project != s->is_project)
                rc = err_set(err, ERR_CORRUPT,
                             "'%s': the symbols of '%.200s' disagree on is_project ('%.100s' is "
                             "%s, '%.100s' in '%s' is %s); cidx keeps it per file",
                             f->origin, s->file, f->name, f->is_project ? "true" : "false", s->name,
                             s->origin, s->is_project ? "true" : "false");
        }
        lmap_free(&files);
    }

    /* base classes resolve through qualified names of classes and structs */
    if (!rc) {
        lc->byusr = xcalloc(1, sizeof(*lc->byusr));
        for (size_t i = 0; i < lc->nsyms; i++)
            lmap_put(lc->byusr, lc->syms[i].usr, i);
        lc->qnames = xcalloc(1, sizeof(*lc->qnames));
        for (size_t i = 0; i < lc->nsyms; i++) {
            const struct legacy_sym *s = &lc->syms[i];
            const char *q;
            size_t at;
            if (s->kind != STORE_KIND_CLASS && s->kind != STORE_KIND_STRUCT)
                continue;
            q = legacy_qname(&lc->mem, s);
            lmap_put(lc->qnames, q, lmap_get(lc->qnames, q, &at) ? SIZE_MAX : i);
        }
    }

    if (!rc && lc->nhashes > 1) {
        qsort(lc->hashes, lc->nhashes, sizeof(*lc->hashes), cmp_kv);
        for (size_t i = 1; i < lc->nhashes && !rc; i++)
            if (!strcmp(lc->hashes[i - 1].key, lc->hashes[i].key))
                rc = err_set(err, ERR_CORRUPT, "file_hashes names '%.200s' twice",
                             lc->hashes[i].key);
    }
    if (!rc && lc->nheaders > 1)
        qsort(lc->headers, lc->nheaders, sizeof(*lc->headers), cmp_kv);
    if (!rc && lc->nfiles > 1) {
        qsort(lc->files, lc->nfiles, sizeof(*lc->files), cmp_file);
        for (size_t i = 1; i < lc->nfiles && !rc; i++)
            if (!strcmp(lc->files[i - 1].path, lc->files[i].path))
                rc = err_set(err, ERR_CORRUPT,
                             "'%s' and '%s' are both the per-file cache of '%.200s'",
                             lc->files[i - 1].origin, lc->files[i].origin, lc->files[i].path);
    }
    /* file_hashes wins over a per-file cache's file_hash; a per-file hash fills a gap */
    if (!rc && lc->nfiles) {
        size_t before = lc->nhashes;
        for (size_t i = 0; i < lc->nfiles; i++) {
            struct legacy_file *f = &lc->files[i];
            struct legacy_kv key = {f->path, NULL}, *hit = NULL;
            if (before)
                hit = bsearch(&key, lc->hashes, before, sizeof(*lc->hashes), cmp_kv);
            if (hit) {
                f->hash = hit->value;
            } else if (*f->hash) {
                ALLOC_GROW(lc->hashes, lc->nhashes + 1, lc->ahashes);
                lc->hashes[lc->nhashes].key = f->path;
                lc->hashes[lc->nhashes++].value = f->hash;
            }
        }
        if (lc->nhashes != before)
            qsort(lc->hashes, lc->nhashes, sizeof(*lc->hashes), cmp_kv);
    }
    free(dup);
    free(nc);
    free(ncb);
    free(edges);
    free(ids.sym);
    free(ids.str);
    lmap_free(&ids.map);
    lmap_free(&byusr);
    return rc;
}

const char *legacy_base_usr(struct legacy_cache *lc, const char *spelling)
{
    const char *q = str_starts_with(spelling, "::") ? spelling + 2 : spelling;
    size_t at;
    char *u;
    const char *res;
    if (lmap_get(lc->qnames, q, &at) && at != SIZE_MAX)
        return lc->syms[at].usr;
    u = xasprintf(LEGACY_BASE_PREFIX "%s", spelling);
    res = arena_strdup(&lc->mem, u);
    free(u);
    return res;
}

long legacy_find(const struct legacy_cache *lc, const char *usr)
{
    size_t lo = 0, hi = lc->nsyms;
    if (lc->byusr) {
        size_t at;
        return lmap_get(lc->byusr, usr, &at) ? (long)at : -1;
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(lc->syms[mid].usr, usr);
        if (!c)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

int store_legacy_check_set(const enum store_legacy_kind *kinds, const char *const *data,
                           const size_t *lens, size_t n, struct err *err)
{
    static const char *const names[] = {"(buffer 1)", "(buffer 2)", "(buffer 3)", "(buffer 4)",
                                        "(buffer 5)", "(buffer 6)", "(buffer 7)", "(buffer 8)"};
    struct legacy_cache lc;
    int rc = 0;
    legacy_cache_init(&lc);
    for (size_t i = 0; !rc && i < n; i++)
        rc = legacy_parse(&lc, kinds[i], i < ARRAY_SIZE(names) ? names[i] : "(buffer)",
                          data[i] ? data[i] : "", data[i] ? lens[i] : 0, err);
    if (!rc)
        rc = legacy_merge(&lc, err);
    for (size_t i = 0; !rc && i < lc.nsyms; i++) {
        /* what the import asks of a merged cache */
        for (uint32_t k = 0; k < lc.syms[i].nbases; k++)
            legacy_base_usr(&lc, lc.syms[i].bases[k]);
        for (uint32_t k = 0; k < lc.syms[i].ncalls; k++)
            legacy_find(&lc, lc.syms[i].calls[k]);
    }
    legacy_cache_release(&lc);
    return rc;
}

int store_legacy_check(enum store_legacy_kind kind, const char *name, const char *data, size_t len,
                       struct err *err)
{
    struct legacy_cache lc;
    int rc;
    legacy_cache_init(&lc);
    rc = legacy_parse(&lc, kind, name ? name : "(buffer)", data ? data : "", data ? len : 0, err);
    if (!rc)
        rc = legacy_merge(&lc, err);
    for (size_t i = 0; !rc && i < lc.nsyms; i++)
        for (uint32_t k = 0; k < lc.syms[i].nbases; k++)
            legacy_base_usr(&lc, lc.syms[i].bases[k]);
    legacy_cache_release(&lc);
    return rc;
}
