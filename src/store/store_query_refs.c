/*
 * store_query_refs.c - find_references and get_source: the places a symbol is used, declared
 * and defined, with the source text read from the files as they are now.
 *
 * References are the symbol's rows in refs (refs_symbol) and decls (decls_symbol): one
 * statement counts them, one reads the page in (path, line, column) order. The page's files are
 * read once each, in that order, for the line texts. get_source reads one file, by the extent
 * the index stored, and compares the file's content hash with the indexed one to say when the
 * text may no longer be what was indexed.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define LINE_TEXT_MAX 1024
#define CONTEXT_LINES_MAX 50

static const char *const role_names[] = {
    "declaration", "definition", "read",    "write",  "call",
    "type",        "address",    "virtual", "member", "construct",
};

static const char *main_role(unsigned roles)
{
    static const struct {
        unsigned bit;
        const char *name;
    } order[] = {
        {STORE_ROLE_DEFINITION, "definition"},
        {STORE_ROLE_DECLARATION, "declaration"},
        {STORE_ROLE_CALL, "call"},
        {STORE_ROLE_WRITE, "write"},
        {STORE_ROLE_READ, "read"},
        {STORE_ROLE_ADDRESS, "address"},
        {STORE_ROLE_TYPE, "type"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(order); i++)
        if (roles & order[i].bit)
            return order[i].name;
    return "reference";
}

static json_t *roles_json(unsigned roles)
{
    json_t *a = json_array();
    for (size_t i = 0; i < ARRAY_SIZE(role_names); i++)
        if (roles & (1u << i))
            json_array_append_new(a, json_string(role_names[i]));
    return a;
}

/* A file read once for several line lookups. */
struct textfile {
    char *path; /* the path asked for (NULL: none yet) */
    char *buf;  /* NULL when unreadable */
    size_t len;
    size_t *starts; /* offsets of line starts, built on first use */
    size_t nlines;
};

static void textfile_release(struct textfile *f)
{
    free(f->path);
    free(f->buf);
    free(f->starts);
    memset(f, 0, sizeof(*f));
}

static void textfile_index(struct textfile *f)
{
    size_t alloc = 0;
    if (f->starts || !f->buf)
        return;
    ALLOC_GROW(f->starts, 1, alloc);
    f->starts[f->nlines++] = 0;
    for (size_t i = 0; i < f->len; i++)
        if (f->buf[i] == '\n' && i + 1 < f->len) {
            ALLOC_GROW(f->starts, f->nlines + 1, alloc);
            f->starts[f->nlines++] = i + 1;
        }
    if (!f->len)
        f->nlines = 0;
}

static void textfile_open(struct qctx *q, struct textfile *f, const char *path)
{
    if (f->path && !strcmp(f->path, path))
        return;
    textfile_release(f);
    f->path = xstrdup(path);
    if (store_q_read_file(q, path, &f->buf, &f->len)) {
        f->buf = NULL;
        f->len = 0;
    }
    err_clear(q->err); /* an unreadable file gives null line texts, not an error */
}

/* Line `line` (1-based) without its end of line: *len bytes at the result; NULL past the end. */
static const char *textfile_line(struct textfile *f, uint32_t line, size_t *len)
{
    size_t s, e;
    textfile_index(f);
    if (!f->buf || line == 0 || line > f->nlines)
        return NULL;
    s = f->starts[line - 1];
    e = line < f->nlines ? f->starts[line] : f->len;
    while (e > s && (f->buf[e - 1] == '\n' || f->buf[e - 1] == '\r'))
        e--;
    *len = e - s;
    return f->buf + s;
}

/* The offset just past line `line` (1-based; indexed file). */
static size_t line_end(const struct textfile *f, uint32_t line)
{
    return line < f->nlines ? f->starts[line] : f->len;
}

/* ---- find_references ---------------------------------------------------------------------- */

struct refrow {
    const char *path;
    uint32_t line, col;
    unsigned roles;
    int64_t context;
};

static int references(struct qctx *q, const struct store_refs_args *a, json_t *res)
{
    struct qsym target;
    struct refrow *rows = NULL;
    struct qsym *ctx = NULL;
    int64_t *ctx_ids = NULL;
    json_t *files = NULL, *arr;
    char *files_json = NULL;
    struct textfile tf = {0};
    sqlite3_stmt *s;
    uint64_t total = 0;
    uint32_t limit;
    size_t n = 0;
    int rc;

    json_object_set_new(res, "target", json_null());
    json_object_set_new(res, "references", json_array());
    store_q_page(res, 0, 0, 0);
    rc = store_q_limit(q, a->limit, &limit);
    if (!rc)
        rc = store_q_resolve(q, &a->target, "name", &target, res);
    if (rc || !target.id)
        return rc;
    json_object_set_new(res, "target", store_q_sym_json(q, &target));
    if (a->file && *a->file) {
        rc = store_q_file_find(q, a->file, false, &files, NULL, NULL, res);
        if (rc || !files)
            return rc;
        files_json = json_dumps(files, JSON_COMPACT);
        json_decref(files);
    }

    s = store_stmt(q->st, STMT_Q_REFS_COUNT);
    if (!s) {
        rc = store_q_dberr(q, sqlite3_errcode(q->st->db), "cannot count references");
        goto out;
    }
    sqlite3_bind_int64(s, 1, target.id);
    sqlite3_bind_int64(s, 2, a->roles);
    store_bind_text(s, 3, files_json);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        total = (uint64_t)sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW) {
        rc = store_q_dberr(q, rc, "cannot count references");
        goto out;
    }

    s = store_stmt(q->st, STMT_Q_REFS_PAGE);
    if (!s) {
        rc = store_q_dberr(q, sqlite3_errcode(q->st->db), "cannot read references");
        goto out;
    }
    sqlite3_bind_int64(s, 1, target.id);
    sqlite3_bind_int64(s, 2, a->roles);
    store_bind_text(s, 3, files_json);
    sqlite3_bind_int64(s, 4, limit);
    sqlite3_bind_int64(s, 5, (int64_t)(a->offset > INT64_MAX ? INT64_MAX : a->offset));
    rows = xmalloc(sizeof(*rows) * limit);
    ctx_ids = xmalloc(sizeof(*ctx_ids) * limit);
    while (n < limit && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct refrow *r = &rows[n++];
        r->path = arena_strdup(&q->mem, (const char *)sqlite3_column_text(s, 0));
        r->line = (uint32_t)sqlite3_column_int(s, 1);
        r->col = (uint32_t)sqlite3_column_int(s, 2);
        r->roles = (unsigned)sqlite3_column_int(s, 3);
        r->context = sqlite3_column_type(s, 4) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, 4);
        ctx_ids[n - 1] = r->context;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        rc = store_q_dberr(q, rc, "cannot read references");
        goto out;
    }
    ctx = xmalloc(sizeof(*ctx) * (n ? n : 1));
    rc = store_q_symbols(q, ctx_ids, n, ctx);
    if (rc)
        goto out;

    arr = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct refrow *r = &rows[i];
        json_t *o = json_object();
        const char *text;
        size_t tlen = 0;
        json_object_set_new(o, "location", store_q_loc(q, r->path, r->line, r->col));
        json_object_set_new(o, "role", json_string(main_role(r->roles)));
        json_object_set_new(o, "roles", roles_json(r->roles));
        json_object_set_new(o, "context",
                            r->context && ctx[i].id ? store_q_sym_brief(&ctx[i]) : json_null());
        textfile_open(q, &tf, r->path ? r->path : "");
        text = textfile_line(&tf, r->line, &tlen);
        json_object_set_new(o, "line_text",
                            text ? store_q_strn(text, tlen < LINE_TEXT_MAX ? tlen : LINE_TEXT_MAX)
                                 : json_null());
        json_array_append_new(arr, o);
    }
    json_object_set_new(res, "references", arr);
    store_q_page(res, total, a->offset, n);
out:
    textfile_release(&tf);
    free(files_json);
    free(rows);
    free(ctx_ids);
    free(ctx);
    return rc;
}

/* ---- get_source --------------------------------------------------------------------------- */

struct declrow {
    const char *path, *hash;
    bool is_def;
    uint32_t line, col, end_line, ext_line;
};

static int source(struct qctx *q, const struct store_source_args *a, json_t *res)
{
    struct qsym sym;
    struct declrow want = {0}, other = {0}, *d;
    struct textfile tf = {0};
    sqlite3_stmt *s;
    uint32_t first, last;
    char hash[33];
    bool stale;
    int rc;

    json_object_set_new(res, "symbol", json_null());
    json_object_set_new(res, "which", json_null());
    json_object_set_new(res, "file", json_null());
    json_object_set_new(res, "start_line", json_null());
    json_object_set_new(res, "end_line", json_null());
    json_object_set_new(res, "text", json_null());
    json_object_set_new(res, "truncated", json_false());
    json_object_set_new(res, "stale", json_false());
    if (a->context_lines > CONTEXT_LINES_MAX)
        return err_set(q->err, ERR_INVALID, "context_lines %u is over the maximum of %d",
                       a->context_lines, CONTEXT_LINES_MAX);
    rc = store_q_resolve(q, &a->target, "name", &sym, res);
    if (rc || !sym.id)
        return rc;
    json_object_set_new(res, "symbol", store_q_sym_json(q, &sym));

    s = store_stmt(q->st, STMT_Q_DECLS);
    if (!s)
        return store_q_dberr(q, sqlite3_errcode(q->st->db), "cannot read declarations");
    sqlite3_bind_int64(s, 1, sym.id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        bool is_def = sqlite3_column_int(s, 1) != 0;
        struct declrow *slot = is_def != a->declaration ? &want : &other;
        if (slot->path)
            continue;
        slot->path = arena_strdup(&q->mem, (const char *)sqlite3_column_text(s, 0));
        slot->is_def = is_def;
        slot->line = (uint32_t)sqlite3_column_int(s, 2);
        slot->col = (uint32_t)sqlite3_column_int(s, 3);
        slot->end_line = (uint32_t)sqlite3_column_int(s, 4);
        slot->ext_line = (uint32_t)sqlite3_column_int(s, 6);
        slot->hash = arena_strdup(&q->mem, (const char *)sqlite3_column_text(s, 9));
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_q_dberr(q, rc, "cannot read declarations");
    rc = 0;
    d = want.path ? &want : &other;
    if (!d->path) {
        json_object_set_new(res, "hint",
                            json_string("the symbol is only used, never declared, in "
                                        "the indexed files: there is no source"));
        return 0;
    }
    json_object_set_new(res, "which", json_string(d->is_def ? "definition" : "declaration"));
    json_object_set_new(res, "file", store_q_path(q, d->path));

    rc = store_q_read_file(q, d->path, &tf.buf, &tf.len);
    if (rc)
        return rc;
    hash_bytes_hex(hash, tf.buf, tf.len);
    stale = !d->hash || strcmp(hash, d->hash) != 0;

    first = d->ext_line ? d->ext_line : d->line;
    last = d->end_line >= first ? d->end_line : first;
    first = first > a->context_lines ? first - a->context_lines : 1;
    last += a->context_lines;
    textfile_index(&tf);
    if (last > tf.nlines)
        last = (uint32_t)tf.nlines;
    if (first > last) {
        /* the file is shorter than the extent: it changed */
        stale = true;
        json_object_set_new(res, "text", json_string(""));
    } else {
        size_t from = tf.starts[first - 1];
        size_t to = last < tf.nlines ? tf.starts[last] : tf.len;
        bool cut = false;
        if (to - from > STORE_QUERY_TEXT_MAX) {
            /* whole lines within the bound; a first line longer than that is cut */
            uint32_t l = first;
            while (l < last && line_end(&tf, l + 1) - from <= STORE_QUERY_TEXT_MAX)
                l++;
            to = line_end(&tf, l) - from <= STORE_QUERY_TEXT_MAX ? line_end(&tf, l)
                                                                 : from + STORE_QUERY_TEXT_MAX;
            last = l;
            cut = true;
        }
        json_object_set_new(res, "start_line", json_integer(first));
        json_object_set_new(res, "end_line", json_integer(last));
        json_object_set_new(res, "text", store_q_strn(tf.buf + from, to - from));
        json_object_set_new(res, "truncated", json_boolean(cut));
    }
    json_object_set_new(res, "stale", json_boolean(stale));
    if (stale) {
        char *m = xasprintf("'%s' changed since it was indexed: the lines shown may no longer be "
                            "the symbol's; run cidx index to refresh",
                            store_q_rel(q, d->path));
        json_object_set_new(res, "message", store_q_str(m));
        free(m);
    }
    textfile_release(&tf);
    return 0;
}

static int references_fn(struct qctx *q, const void *arg, json_t *res)
{
    return references(q, arg, res);
}

int store_query_references(struct store *st, const struct store_refs_args *a, json_t **out,
                           struct err *err)
{
    return store_q_run(st, STORE_Q_REFERENCES, references_fn, a, out, err);
}

static int source_fn(struct qctx *q, const void *arg, json_t *res)
{
    return source(q, arg, res);
}

int store_query_source(struct store *st, const struct store_source_args *a, json_t **out,
                       struct err *err)
{
    return store_q_run(st, STORE_Q_SOURCE, source_fn, a, out, err);
}
