/*
 * store_legacy_out.c - the cache in the legacy JSON shape (spec LEGACY_JSON.md): reading it from
 * the database (legacy_db_read, what an export writes and what a migration verifies against) and
 * writing it out as a legacy cache directory (store_legacy_export, the plan's rollback).
 *
 * Invariants:
 *   1. The output is a function of the cache's content and the clock alone: object keys and
 *      lists are sorted (class_index and function_index by name, each name's records by file,
 *      line, column, usr; calls and called_by by usr; base classes in declaration order), so
 *      the same content exported twice differs only in its timestamps.
 *   2. Only the format's values are written: version strings "2.0", "1.2", "1.0"; exactly the 14
 *      symbol keys; kinds class, struct, function, method; access public, protected, private;
 *      strings valid UTF-8 (a bad byte becomes U+FFFD).
 *   3. A reader never sees a half-written directory: everything is written into a staging
 *      directory first and renamed into place (a missing or empty target: one rename; --force
 *      into a directory with other files: entry by entry, cache_info.json last, the old
 *      entries kept in json-replaced.<time>/).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_int.h"

static const char db_origin[] = "the cidx cache";

/* ---- reading the database ------------------------------------------------------------------ */

static const char *col_str(struct arena *a, sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(s, i)) : NULL;
}

static enum store_kind legacy_kind(int k)
{
    switch (k) {
    case STORE_KIND_CLASS:
    case STORE_KIND_STRUCT:
    case STORE_KIND_FUNCTION:
        return (enum store_kind)k;
    default:
        return STORE_KIND_METHOD; /* methods, constructors, destructors, conversions */
    }
}

/* The parent class of a symbol in scope qname: the scope without its namespace part. */
static const char *parent_of(struct arena *a, const char *qname, const char *ns, int scope_kind)
{
    size_t nl = strlen(ns);
    if (scope_kind != STORE_KIND_CLASS && scope_kind != STORE_KIND_STRUCT &&
        scope_kind != STORE_KIND_UNION)
        return "";
    if (nl && !strncmp(qname, ns, nl) && qname[nl] == ':' && qname[nl + 1] == ':')
        return arena_strdup(a, qname + nl + 2);
    return arena_strdup(a, qname);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_sym_usr(const void *a, const void *b)
{
    return strcmp(((const struct legacy_sym *)a)->usr, ((const struct legacy_sym *)b)->usr);
}

static int step_err(struct store *st, int rc, struct err *err)
{
    return rc == SQLITE_DONE ? 0 : store_db_err(st, err, rc, "cannot read the cache");
}

static int read_symbols(struct store *st, struct legacy_cache *lc, long *idx, const char **usr_of,
                        struct err *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_LEGACY_SYMBOLS);
    int rc;
    if (!s)
        return store_db_err(st, err, sqlite3_errcode(st->db), "cannot read the symbols");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct legacy_sym *y;
        int64_t id = sqlite3_column_int64(s, 0);
        const char *ns, *qname;
        int access;
        ALLOC_GROW(lc->syms, lc->nsyms + 1, lc->asyms);
        y = &lc->syms[lc->nsyms];
        memset(y, 0, sizeof(*y));
        y->usr = col_str(&lc->mem, s, 1);
        y->name = col_str(&lc->mem, s, 2);
        y->kind = legacy_kind(sqlite3_column_int(s, 3));
        y->file = col_str(&lc->mem, s, 4);
        y->line = (uint32_t)sqlite3_column_int64(s, 5);
        y->col = (uint32_t)sqlite3_column_int64(s, 6);
        y->signature = col_str(&lc->mem, s, 7);
        y->is_project = sqlite3_column_int(s, 8) != 0;
        ns = col_str(&lc->mem, s, 9);
        qname = (const char *)sqlite3_column_text(s, 10);
        y->ns = ns ? ns : "";
        y->parent = parent_of(&lc->mem, qname ? qname : "", y->ns, sqlite3_column_int(s, 11));
        access = sqlite3_column_int(s, 12);
        y->access = access == STORE_ACCESS_PROTECTED || access == STORE_ACCESS_PRIVATE
                        ? (enum store_access)access
                        : STORE_ACCESS_PUBLIC;
        if (!y->usr || !y->name || !y->file || !y->signature)
            continue; /* a damaged row; doctor reports those */
        y->no_usr = str_starts_with(y->usr, LEGACY_NOUSR_PREFIX);
        y->origin = db_origin;
        idx[id] = (long)lc->nsyms;
        usr_of[id] = y->usr;
        lc->nsyms++;
    }
    sqlite3_reset(s);
    return step_err(st, rc, err);
}

static void set_list(struct arena *a, const char ***list, uint32_t *n, const char **v, size_t nv)
{
    *n = (uint32_t)nv;
    *list = NULL;
    if (!nv)
        return;
    *list = arena_alloc(a, nv * sizeof(**list));
    memcpy(*list, v, nv * sizeof(*v));
}

static int read_bases(struct store *st, struct legacy_cache *lc, const long *idx, int64_t maxid,
                      struct err *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_LEGACY_BASES);
    const char **cur = NULL;
    size_t n = 0, alloc = 0;
    long at = -1;
    int rc;
    if (!s)
        return store_db_err(st, err, sqlite3_errcode(st->db), "cannot read the bases");
    for (;;) {
        int64_t id = 0;
        long here = -1;
        const char *q = NULL;
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) {
            id = sqlite3_column_int64(s, 0);
            here = id >= 0 && id <= maxid ? idx[id] : -1;
            q = (const char *)sqlite3_column_text(s, 1);
        }
        if (at >= 0 && (rc != SQLITE_ROW || here != at)) {
            set_list(&lc->mem, &lc->syms[at].bases, &lc->syms[at].nbases, cur, n);
            n = 0;
        }
        if (rc != SQLITE_ROW)
            break;
        at = here;
        if (here < 0 || !q)
            continue;
        {
            size_t k = 0;
            while (k < n && strcmp(cur[k], q) != 0)
                k++;
            if (k < n)
                continue;
        }
        ALLOC_GROW(cur, n + 1, alloc);
        cur[n++] = arena_strdup(&lc->mem, q);
    }
    sqlite3_reset(s);
    free(cur);
    return step_err(st, rc, err);
}

static int read_calls(struct store *st, struct legacy_cache *lc, const long *idx,
                      const char **usr_of, int64_t maxid, struct err *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_LEGACY_CALLS);
    uint64_t *edges = NULL;
    size_t n = 0, alloc = 0;
    uint32_t *nc = NULL, *ncb = NULL;
    int rc;
    if (!s)
        return store_db_err(st, err, sqlite3_errcode(st->db), "cannot read the calls");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t a = sqlite3_column_int64(s, 0), b = sqlite3_column_int64(s, 1);
        if (a < 0 || b < 0 || a > maxid || b > maxid || a > UINT32_MAX || b > UINT32_MAX)
            continue;
        ALLOC_GROW(edges, n + 1, alloc);
        edges[n++] = (uint64_t)a << 32 | (uint64_t)b;
    }
    sqlite3_reset(s);
    rc = step_err(st, rc, err);
    if (n)
        qsort(edges, n, sizeof(*edges), cmp_u64);
    {
        size_t w = 0;
        for (size_t i = 0; i < n; i++)
            if (!w || edges[w - 1] != edges[i])
                edges[w++] = edges[i];
        n = w;
    }
    /* the usrs of the callers and callees that are not listed symbols (placeholders...) */
    for (size_t i = 0; !rc && i < 2 * n; i++) {
        uint64_t id = i % 2 ? edges[i / 2] & 0xffffffffu : edges[i / 2] >> 32;
        if (usr_of[id])
            continue;
        s = store_stmt(st, STMT_LEGACY_USR);
        if (!s) {
            rc = store_db_err(st, err, sqlite3_errcode(st->db), "cannot read the calls");
            break;
        }
        sqlite3_bind_int64(s, 1, (int64_t)id);
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW)
            usr_of[id] = col_str(&lc->mem, s, 0);
        sqlite3_reset(s);
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : step_err(st, rc, err);
    }
    if (rc) {
        free(edges);
        return rc;
    }
    {
        /* an edge whose end has no row (a damaged cache) is left out */
        size_t w = 0;
        for (size_t i = 0; i < n; i++)
            if (usr_of[edges[i] >> 32] && usr_of[edges[i] & 0xffffffffu])
                edges[w++] = edges[i];
        n = w;
    }
    nc = xcalloc(lc->nsyms ? lc->nsyms : 1, sizeof(*nc));
    ncb = xcalloc(lc->nsyms ? lc->nsyms : 1, sizeof(*ncb));
    for (size_t i = 0; i < n; i++) {
        long a = idx[edges[i] >> 32], b = idx[edges[i] & 0xffffffffu];
        if (a >= 0)
            nc[a]++;
        if (b >= 0 && !str_starts_with(usr_of[edges[i] >> 32], LEGACY_NOUSR_PREFIX))
            ncb[b]++;
    }
    for (size_t i = 0; i < lc->nsyms; i++) {
        lc->syms[i].calls = nc[i] ? arena_alloc(&lc->mem, nc[i] * sizeof(char *)) : NULL;
        lc->syms[i].called_by = ncb[i] ? arena_alloc(&lc->mem, ncb[i] * sizeof(char *)) : NULL;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t ia = edges[i] >> 32, ib = edges[i] & 0xffffffffu;
        long a = idx[ia], b = idx[ib];
        if (a >= 0)
            lc->syms[a].calls[lc->syms[a].ncalls++] = usr_of[ib];
        if (b >= 0 && !str_starts_with(usr_of[ia], LEGACY_NOUSR_PREFIX))
            lc->syms[b].called_by[lc->syms[b].ncalled_by++] = usr_of[ia];
    }
    for (size_t i = 0; i < lc->nsyms; i++) {
        struct legacy_sym *y = &lc->syms[i];
        if (y->ncalls > 1)
            qsort(y->calls, y->ncalls, sizeof(char *), cmp_str);
        if (y->ncalled_by > 1)
            qsort(y->called_by, y->ncalled_by, sizeof(char *), cmp_str);
    }
    free(nc);
    free(ncb);
    free(edges);
    return 0;
}

static long find_file(const struct legacy_cache *lc, const char *path)
{
    size_t lo = 0, hi = lc->nfiles;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(lc->files[mid].path, path);
        if (!c)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static int read_files(struct store *st, struct legacy_cache *lc, struct err *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_LEGACY_FILES);
    int rc;
    if (!s)
        return store_db_err(st, err, sqlite3_errcode(st->db), "cannot read the files");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *path = col_str(&lc->mem, s, 0), *hash = col_str(&lc->mem, s, 1);
        if (!path)
            continue;
        if (hash && *hash) {
            ALLOC_GROW(lc->hashes, lc->nhashes + 1, lc->ahashes);
            lc->hashes[lc->nhashes].key = path;
            lc->hashes[lc->nhashes++].value = hash;
        }
        if (!sqlite3_column_int(s, 3)) {
            struct legacy_file *f;
            ALLOC_GROW(lc->files, lc->nfiles + 1, lc->afiles);
            f = &lc->files[lc->nfiles++];
            memset(f, 0, sizeof(*f));
            f->path = path;
            f->hash = hash ? hash : "";
            f->args_hash = col_str(&lc->mem, s, 2);
            f->timestamp = sqlite3_column_double(s, 4);
            f->success = true;
            f->origin = db_origin;
        }
    }
    sqlite3_reset(s);
    return step_err(st, rc, err);
}

static int read_errors(struct store *st, struct legacy_cache *lc, struct err *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_LEGACY_ERRORS);
    int rc;
    if (!s)
        return store_db_err(st, err, sqlite3_errcode(st->db), "cannot read the parse errors");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *path = (const char *)sqlite3_column_text(s, 0);
        const char *type = (const char *)sqlite3_column_text(s, 1);
        struct legacy_perr *e;
        if (!path || !type)
            continue;
        if (!strcmp(type, LEGACY_STATE_FAILED) || !strcmp(type, LEGACY_STATE_RETRIED)) {
            /* a per-file cache's state, not a line of parse_errors.jsonl */
            long at = find_file(lc, path);
            const char *msg = (const char *)sqlite3_column_text(s, 2);
            if (at >= 0) {
                struct legacy_file *f = &lc->files[at];
                f->success = strcmp(type, LEGACY_STATE_FAILED) != 0;
                f->error_message = msg && *msg ? arena_strdup(&lc->mem, msg) : NULL;
                f->retry_count = sqlite3_column_int64(s, 6);
            }
            continue;
        }
        ALLOC_GROW(lc->perrs, lc->nperrs + 1, lc->aperrs);
        e = &lc->perrs[lc->nperrs++];
        e->path = arena_strdup(&lc->mem, path);
        e->type = arena_strdup(&lc->mem, type);
        e->message = col_str(&lc->mem, s, 2);
        e->stack_trace = col_str(&lc->mem, s, 3);
        e->file_hash = col_str(&lc->mem, s, 4);
        e->args_hash = col_str(&lc->mem, s, 5);
        e->retry_count = sqlite3_column_int64(s, 6);
        e->timestamp = sqlite3_column_double(s, 7);
        if (!e->message)
            e->message = "";
        if (!e->file_hash)
            e->file_hash = "";
    }
    sqlite3_reset(s);
    return step_err(st, rc, err);
}

static int read_headers(struct store *st, struct legacy_cache *lc, struct err *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_LEGACY_HEADERS);
    int rc;
    if (!s)
        return store_db_err(st, err, sqlite3_errcode(st->db), "cannot read the header tracker");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *path = col_str(&lc->mem, s, 0), *hash = col_str(&lc->mem, s, 1);
        if (!path)
            continue;
        ALLOC_GROW(lc->headers, lc->nheaders + 1, lc->aheaders);
        lc->headers[lc->nheaders].key = path;
        lc->headers[lc->nheaders++].value = hash ? hash : "";
    }
    sqlite3_reset(s);
    return step_err(st, rc, err);
}

/* A metadata value; "" and absent read as NULL. */
static int meta(struct store *st, struct legacy_cache *lc, const char *key, const char **out,
                struct err *err)
{
    char *v = NULL;
    int rc = store_meta_get(st, key, &v, err);
    *out = v && *v ? arena_strdup(&lc->mem, v) : NULL;
    free(v);
    return rc;
}

int legacy_db_read(struct store *st, struct legacy_cache *out, uint64_t *skipped, struct err *err)
{
    struct legacy_cache *lc = out;
    const char *incdeps = NULL;
    int64_t maxid = 0, nskip = 0;
    long *idx = NULL;
    const char **usr_of = NULL;
    bool owned = false;
    int rc;

    legacy_cache_init(lc);
    rc = store_read_begin(st, &owned, err);
    if (rc)
        return rc;
    rc = store_query_int(st, "SELECT coalesce(max(id), 0) FROM symbols", &maxid, err);
    if (!rc && maxid < 0)
        maxid = 0;
    if (!rc)
        rc = store_query_int(st,
                             "SELECT count(*) FROM symbols WHERE file_id IS NOT NULL AND kind"
                             " NOT IN (2, 3, 7, 8, 9, 10, 11)",
                             &nskip, err);
    if (!rc) {
        int64_t nsym = 0;
        rc = store_query_int(st, "SELECT count(*) FROM symbols", &nsym, err);
        /* ids index arrays here; SQLite hands them out densely, so a far larger one is damage */
        if (!rc && (maxid > (int64_t)UINT32_MAX || maxid > 8 * nsym + (1 << 20)))
            rc = err_set(err, ERR_CORRUPT,
                         "the symbol ids of '%s' are out of range (largest %lld for %lld "
                         "symbols); 'cidx doctor' checks the cache",
                         st->path, (long long)maxid, (long long)nsym);
    }
    if (rc)
        goto out;
    idx = xmalloc((size_t)(maxid + 1) * sizeof(*idx));
    for (int64_t i = 0; i <= maxid; i++)
        idx[i] = -1;
    usr_of = xcalloc((size_t)maxid + 1, sizeof(*usr_of));
    rc = read_symbols(st, lc, idx, usr_of, err);
    if (!rc)
        rc = read_bases(st, lc, idx, maxid, err);
    if (!rc)
        rc = read_calls(st, lc, idx, usr_of, maxid, err);
    if (!rc)
        rc = read_files(st, lc, err);
    if (!rc)
        rc = read_errors(st, lc, err);
    if (!rc)
        rc = read_headers(st, lc, err);
    if (!rc)
        rc = meta(st, lc, "include_dependencies", &incdeps, err);
    if (!rc)
        rc = meta(st, lc, "config_file_path", &lc->config_file_path, err);
    if (!rc)
        rc = meta(st, lc, "config_file_mtime", &lc->config_file_mtime, err);
    if (!rc)
        rc = meta(st, lc, "compile_commands_path", &lc->compile_commands_path, err);
    if (!rc)
        rc = meta(st, lc, "compile_commands_mtime", &lc->compile_commands_mtime, err);
    if (!rc)
        rc = meta(st, lc, "header_tracker_compile_commands_hash", &lc->tracker_cc_hash, err);
    if (rc)
        goto out;
    if (lc->nsyms > 1)
        qsort(lc->syms, lc->nsyms, sizeof(*lc->syms), cmp_sym_usr);
    lc->have_info = lc->have_tracker = true;
    lc->include_dependencies = incdeps && !strcmp(incdeps, "true");
    if (!lc->tracker_cc_hash)
        lc->tracker_cc_hash = "";
    lc->indexed_file_count = (int64_t)lc->nfiles;
    lc->timestamp = time_now();
    lc->records = lc->nsyms;
    for (size_t i = 0; i < lc->nsyms; i++)
        lc->no_usr += lc->syms[i].no_usr;
    if (skipped)
        *skipped = (uint64_t)nskip;
out:
    store_read_end(st, owned);
    free(idx);
    free(usr_of);
    if (rc)
        legacy_cache_release(lc);
    return rc;
}

/* ---- writing JSON -------------------------------------------------------------------------- */

static void put_str(struct strbuf *sb, const char *s)
{
    char *fixed;
    if (!s) {
        strbuf_adds(sb, "null");
        return;
    }
    if (str_utf8_valid(s)) {
        strbuf_add_json_str(sb, s);
        return;
    }
    fixed = str_utf8_sanitize(s);
    strbuf_add_json_str(sb, fixed);
    free(fixed);
}

static void put_num(struct strbuf *sb, double v)
{
    char buf[40];
    legacy_fmt_number(buf, v);
    strbuf_adds(sb, buf);
}

static void put_list(struct strbuf *sb, const char *const *v, uint32_t n)
{
    strbuf_addch(sb, '[');
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            strbuf_adds(sb, ", ");
        put_str(sb, v[i]);
    }
    strbuf_addch(sb, ']');
}

static const char *kind_word(enum store_kind k)
{
    switch (k) {
    case STORE_KIND_CLASS:
        return "class";
    case STORE_KIND_STRUCT:
        return "struct";
    case STORE_KIND_FUNCTION:
        return "function";
    default:
        return "method";
    }
}

static const char *access_word(enum store_access a)
{
    return a == STORE_ACCESS_PROTECTED ? "protected"
           : a == STORE_ACCESS_PRIVATE ? "private"
                                       : "public";
}

/* One symbol record: the 14 keys in the format's order. */
static void put_sym(struct strbuf *sb, const struct legacy_sym *s)
{
    strbuf_adds(sb, "{\"name\": ");
    put_str(sb, s->name);
    strbuf_addf(sb, ", \"kind\": \"%s\", \"file\": ", kind_word(s->kind));
    put_str(sb, s->file);
    strbuf_addf(sb, ", \"line\": %u, \"column\": %u, \"signature\": ", s->line, s->col);
    put_str(sb, s->signature);
    strbuf_addf(sb, ", \"is_project\": %s, \"namespace\": ", s->is_project ? "true" : "false");
    put_str(sb, s->ns);
    strbuf_addf(sb, ", \"access\": \"%s\", \"parent_class\": ", access_word(s->access));
    put_str(sb, s->parent);
    strbuf_adds(sb, ", \"base_classes\": ");
    put_list(sb, s->bases, s->nbases);
    strbuf_adds(sb, ", \"usr\": ");
    put_str(sb, s->no_usr ? "" : s->usr);
    strbuf_adds(sb, ", \"calls\": ");
    put_list(sb, s->calls, s->ncalls);
    strbuf_adds(sb, ", \"called_by\": ");
    put_list(sb, s->called_by, s->ncalled_by);
    strbuf_addch(sb, '}');
}

/* Orders of records, over arrays of pointers (qsort passes no context). */
static int cmp_pos(const struct legacy_sym *a, const struct legacy_sym *b)
{
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->col != b->col)
        return a->col < b->col ? -1 : 1;
    return strcmp(a->usr, b->usr);
}

static int cmp_by_name(const void *pa, const void *pb)
{
    const struct legacy_sym *a = *(const struct legacy_sym *const *)pa;
    const struct legacy_sym *b = *(const struct legacy_sym *const *)pb;
    int c = strcmp(a->name, b->name);
    if (!c)
        c = strcmp(a->file, b->file);
    return c ? c : cmp_pos(a, b);
}

static int cmp_by_file(const void *pa, const void *pb)
{
    const struct legacy_sym *a = *(const struct legacy_sym *const *)pa;
    const struct legacy_sym *b = *(const struct legacy_sym *const *)pb;
    int c = strcmp(a->file, b->file);
    return c ? c : cmp_pos(a, b);
}

/* Replaces every string of the model that is not valid UTF-8 (JSON cannot carry it). */
static const char *fix(struct arena *a, const char *s, bool *changed)
{
    char *f;
    const char *res;
    if (!s || str_utf8_valid(s))
        return s;
    f = str_utf8_sanitize(s);
    res = arena_strdup(a, f);
    free(f);
    *changed = true;
    return res;
}

static int cmp_file_path(const void *a, const void *b)
{
    return strcmp(((const struct legacy_file *)a)->path, ((const struct legacy_file *)b)->path);
}

static int cmp_kv(const void *a, const void *b)
{
    return strcmp(((const struct legacy_kv *)a)->key, ((const struct legacy_kv *)b)->key);
}

static void fix_list(struct arena *a, const char **v, uint32_t *n)
{
    bool changed = false;
    uint32_t w = 0;
    for (uint32_t i = 0; i < *n; i++)
        v[i] = fix(a, v[i], &changed);
    if (!changed)
        return;
    qsort(v, *n, sizeof(*v), cmp_str);
    for (uint32_t i = 0; i < *n; i++)
        if (!w || strcmp(v[w - 1], v[i]) != 0)
            v[w++] = v[i];
    *n = w;
}

static void fix_kvs(struct arena *a, struct legacy_kv *v, size_t *n)
{
    bool changed = false;
    size_t w = 0;
    for (size_t i = 0; i < *n; i++) {
        v[i].key = fix(a, v[i].key, &changed);
        v[i].value = fix(a, v[i].value, &changed);
    }
    if (!changed)
        return;
    qsort(v, *n, sizeof(*v), cmp_kv);
    for (size_t i = 0; i < *n; i++)
        if (!w || strcmp(v[w - 1].key, v[i].key) != 0)
            v[w++] = v[i];
    *n = w;
}

static void sanitize(struct legacy_cache *lc)
{
    struct arena *a = &lc->mem;
    bool c = false;
    for (size_t i = 0; i < lc->nsyms; i++) {
        struct legacy_sym *y = &lc->syms[i];
        y->usr = fix(a, y->usr, &c);
        y->name = fix(a, y->name, &c);
        y->file = fix(a, y->file, &c);
        y->signature = fix(a, y->signature, &c);
        y->ns = fix(a, y->ns, &c);
        y->parent = fix(a, y->parent, &c);
        for (uint32_t k = 0; k < y->nbases; k++)
            y->bases[k] = fix(a, y->bases[k], &c);
        fix_list(a, y->calls, &y->ncalls);
        fix_list(a, y->called_by, &y->ncalled_by);
    }
    for (size_t i = 0; i < lc->nfiles; i++) {
        struct legacy_file *f = &lc->files[i];
        f->path = fix(a, f->path, &c);
        f->hash = fix(a, f->hash, &c);
        f->args_hash = fix(a, f->args_hash, &c);
        f->error_message = fix(a, f->error_message, &c);
    }
    for (size_t i = 0; i < lc->nperrs; i++) {
        struct legacy_perr *e = &lc->perrs[i];
        e->path = fix(a, e->path, &c);
        e->type = fix(a, e->type, &c);
        e->message = fix(a, e->message, &c);
        e->stack_trace = fix(a, e->stack_trace, &c);
        e->file_hash = fix(a, e->file_hash, &c);
        e->args_hash = fix(a, e->args_hash, &c);
    }
    fix_kvs(a, lc->hashes, &lc->nhashes);
    fix_kvs(a, lc->headers, &lc->nheaders);
    if (c && lc->nfiles > 1)
        qsort(lc->files, lc->nfiles, sizeof(*lc->files), cmp_file_path);
    lc->config_file_path = fix(a, lc->config_file_path, &c);
    lc->compile_commands_path = fix(a, lc->compile_commands_path, &c);
    lc->tracker_cc_hash = fix(a, lc->tracker_cc_hash, &c);
}

/* True when s is a JSON number (what metadata holds for the mtimes, unless damaged). */
static bool json_number_text(const char *s)
{
    const char *p = s;
    if (!p || !*p)
        return false;
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (*p >= '0' && *p <= '9')
            p++;
    else
        return false;
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9'))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return *p == '\0';
}

static void put_number_text(struct strbuf *sb, const char *s)
{
    strbuf_adds(sb, json_number_text(s) ? s : "null");
}

/* class_index or function_index: {name: [records]}, v sorted by name. */
static void put_index(struct strbuf *sb, const char *key, const struct legacy_sym **v, size_t n)
{
    strbuf_addf(sb, "  \"%s\": {", key);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && !strcmp(v[j]->name, v[i]->name))
            j++;
        strbuf_adds(sb, i ? ",\n    " : "\n    ");
        put_str(sb, v[i]->name);
        strbuf_adds(sb, ": [");
        for (size_t k = i; k < j; k++) {
            strbuf_adds(sb, k > i ? ",\n      " : "\n      ");
            put_sym(sb, v[k]);
        }
        strbuf_adds(sb, "\n    ]");
        i = j;
    }
    strbuf_adds(sb, n ? "\n  }" : "}");
}

static void put_map(struct strbuf *sb, const struct legacy_kv *v, size_t n, const char *indent)
{
    strbuf_addch(sb, '{');
    for (size_t i = 0; i < n; i++) {
        strbuf_addf(sb, "%s\n%s  ", i ? "," : "", indent);
        put_str(sb, v[i].key);
        strbuf_adds(sb, ": ");
        put_str(sb, v[i].value);
    }
    if (n)
        strbuf_addf(sb, "\n%s", indent);
    strbuf_addch(sb, '}');
}

static void build_info(struct strbuf *sb, const struct legacy_cache *lc,
                       const struct legacy_sym **cls, size_t ncls, const struct legacy_sym **fns,
                       size_t nfns, double now)
{
    strbuf_addf(sb, "{\n  \"version\": \"2.0\",\n  \"include_dependencies\": %s,\n",
                lc->include_dependencies ? "true" : "false");
    strbuf_adds(sb, "  \"config_file_path\": ");
    put_str(sb, lc->config_file_path);
    strbuf_adds(sb, ",\n  \"config_file_mtime\": ");
    put_number_text(sb, lc->config_file_mtime);
    strbuf_adds(sb, ",\n  \"compile_commands_path\": ");
    put_str(sb, lc->compile_commands_path);
    strbuf_adds(sb, ",\n  \"compile_commands_mtime\": ");
    put_number_text(sb, lc->compile_commands_mtime);
    strbuf_adds(sb, ",\n");
    put_index(sb, "class_index", cls, ncls);
    strbuf_adds(sb, ",\n");
    put_index(sb, "function_index", fns, nfns);
    strbuf_adds(sb, ",\n  \"file_hashes\": ");
    put_map(sb, lc->hashes, lc->nhashes, "  ");
    strbuf_addf(sb, ",\n  \"indexed_file_count\": %lld,\n  \"timestamp\": ",
                (long long)lc->indexed_file_count);
    put_num(sb, now);
    strbuf_adds(sb, "\n}\n");
}

static void build_file(struct strbuf *sb, const struct legacy_file *f,
                       const struct legacy_sym *const *v, size_t n)
{
    strbuf_adds(sb, "{\n  \"version\": \"1.2\",\n  \"file_path\": ");
    put_str(sb, f->path);
    strbuf_adds(sb, ",\n  \"file_hash\": ");
    put_str(sb, f->hash ? f->hash : "");
    strbuf_adds(sb, ",\n  \"compile_args_hash\": ");
    put_str(sb, f->args_hash);
    strbuf_adds(sb, ",\n  \"timestamp\": ");
    put_num(sb, f->timestamp);
    strbuf_addf(sb, ",\n  \"success\": %s,\n  \"error_message\": ", f->success ? "true" : "false");
    put_str(sb, f->error_message);
    strbuf_addf(sb, ",\n  \"retry_count\": %lld,\n  \"symbols\": [", (long long)f->retry_count);
    for (size_t i = 0; i < n; i++) {
        strbuf_adds(sb, i ? ",\n    " : "\n    ");
        put_sym(sb, v[i]);
    }
    strbuf_adds(sb, n ? "\n  ]\n}\n" : "]\n}\n");
}

static void build_tracker(struct strbuf *sb, const struct legacy_cache *lc, double now)
{
    strbuf_adds(sb, "{\n  \"version\": \"1.0\",\n  \"compile_commands_hash\": ");
    put_str(sb, lc->tracker_cc_hash ? lc->tracker_cc_hash : "");
    strbuf_adds(sb, ",\n  \"processed_headers\": ");
    put_map(sb, lc->headers, lc->nheaders, "  ");
    strbuf_adds(sb, ",\n  \"timestamp\": ");
    put_num(sb, now);
    strbuf_adds(sb, "\n}\n");
}

static void build_errors(struct strbuf *sb, const struct legacy_cache *lc)
{
    for (size_t i = 0; i < lc->nperrs; i++) {
        const struct legacy_perr *e = &lc->perrs[i];
        char when[32];
        time_format_utc(when, e->timestamp);
        strbuf_adds(sb, "{\"timestamp\": ");
        put_num(sb, e->timestamp);
        strbuf_adds(sb, ", \"timestamp_readable\": ");
        put_str(sb, when);
        strbuf_adds(sb, ", \"file_path\": ");
        put_str(sb, e->path);
        strbuf_adds(sb, ", \"error_type\": ");
        put_str(sb, e->type);
        strbuf_adds(sb, ", \"error_message\": ");
        put_str(sb, e->message);
        strbuf_adds(sb, ", \"stack_trace\": ");
        put_str(sb, e->stack_trace);
        strbuf_adds(sb, ", \"file_hash\": ");
        put_str(sb, e->file_hash ? e->file_hash : "");
        strbuf_adds(sb, ", \"compile_args_hash\": ");
        put_str(sb, e->args_hash);
        strbuf_addf(sb, ", \"retry_count\": %lld}\n", (long long)e->retry_count);
    }
}

/* ---- the export ---------------------------------------------------------------------------- */

struct xp {
    const struct store_legacy_export_opts *o;
    uint64_t t0;
    char **written; /* paths to sync before installing */
    size_t nwritten, awritten;
};

static void xp_progress(struct xp *x, const char *phase, uint64_t done, uint64_t total)
{
    struct store_legacy_progress p = {phase, done, total, (double)(time_mono_ns() - x->t0) / 1e9};
    if (x->o->progress)
        x->o->progress(x->o->progress_ctx, &p);
}

static int xp_write(struct xp *x, const char *dir, const char *name, const struct strbuf *sb,
                    struct err *err)
{
    char *path = path_join(dir, name);
    int rc = legacy_write(path, sb->buf, sb->len, err);
    ALLOC_GROW(x->written, x->nwritten + 1, x->awritten);
    x->written[x->nwritten++] = path;
    return rc;
}

/* The legacy entries of a cache directory, in the order an in-place export replaces them:
 * cache_info.json last, so that a reader finds the new set complete once it is there. */
static const char *const legacy_entries[] = {"parse_errors.jsonl", "indexing_progress.json",
                                             "header_tracker.json", "files", STORE_LEGACY_INFO};

/* --force into a directory with other files: entry by entry, old ones kept in replaced. */
static int install_in_place(const char *dir, const char *stage, char **replaced, struct err *err)
{
    int rc = 0;
    for (size_t i = 0; !rc && i < ARRAY_SIZE(legacy_entries); i++) {
        const char *e = legacy_entries[i];
        char *old = path_join(dir, e), *neu = path_join(stage, e), *keep = NULL;
        bool have_old = fs_exists(old), have_new = fs_exists(neu);
        if (have_old) {
            if (!*replaced) {
                char ts[32], *name;
                time_format_compact(ts, time_now());
                name = xasprintf("json-replaced.%s", ts);
                *replaced = path_join(dir, name);
                free(name);
                rc = legacy_mkdir(*replaced, err);
            }
            keep = path_join(*replaced, e);
            /* a file is replaced in one rename (its old content linked aside first); the
               files directory cannot be renamed over a non-empty one and goes aside */
            if (!rc && have_new && !fs_is_dir(old))
                rc = legacy_link(old, keep, err);
            else if (!rc)
                rc = fs_rename(old, keep, err);
        }
        if (!rc && have_new)
            rc = fs_rename(neu, old, err);
        free(old);
        free(neu);
        free(keep);
    }
    if (!rc)
        rc = legacy_rmtree(stage, err);
    if (!rc)
        rc = legacy_sync(dir, err);
    return rc;
}

void store_legacy_export_report_release(struct store_legacy_export_report *r)
{
    if (!r)
        return;
    free(r->dir);
    free(r->replaced);
    memset(r, 0, sizeof(*r));
}

int store_legacy_export(struct store *st, const struct store_legacy_export_opts *o,
                        struct store_legacy_export_report *rep, struct err *err)
{
    struct xp x = {o, time_mono_ns(), NULL, 0, 0};
    struct legacy_cache lc;
    struct strbuf sb = STRBUF_INIT;
    const struct legacy_sym **cls = NULL, **fns = NULL, **byfile = NULL;
    size_t ncls = 0, nfns = 0;
    char *dir = NULL, *stage = NULL, *files_dir = NULL, *replaced = NULL;
    uint64_t skipped = 0, total;
    bool in_place = false, staged = false;
    double now = time_now();
    int rc;

    memset(rep, 0, sizeof(*rep));
    legacy_cache_init(&lc);
    if (!o || !o->dir || !*o->dir)
        return err_set(err, ERR_INVALID, "no directory to export to");
    dir = xstrdup(o->dir);
    for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--)
        dir[n - 1] = '\0';
    if (fs_exists(dir) && !fs_is_dir(dir)) {
        rc = err_set(err, ERR_INVALID, "'%s' exists and is not a directory", dir);
        goto out;
    }
    in_place = fs_is_dir(dir) && !legacy_dir_empty(dir);
    if (in_place && !o->force) {
        rc = err_set(err, ERR_INVALID,
                     "'%s' is not empty; export into a new or empty directory, or pass --force "
                     "to replace the legacy cache files in it (the old ones are kept in "
                     "json-replaced.<time>/ there)",
                     dir);
        goto out;
    }

    xp_progress(&x, "reading", 0, 0);
    rc = legacy_db_read(st, &lc, &skipped, err);
    if (rc)
        goto out;
    sanitize(&lc);
    cls = xmalloc((lc.nsyms ? lc.nsyms : 1) * sizeof(*cls));
    fns = xmalloc((lc.nsyms ? lc.nsyms : 1) * sizeof(*fns));
    byfile = xmalloc((lc.nsyms ? lc.nsyms : 1) * sizeof(*byfile));
    for (size_t i = 0; i < lc.nsyms; i++) {
        const struct legacy_sym *y = &lc.syms[i];
        if (y->kind == STORE_KIND_CLASS || y->kind == STORE_KIND_STRUCT)
            cls[ncls++] = y;
        else
            fns[nfns++] = y;
        byfile[i] = y;
        rep->calls += y->ncalls;
    }
    if (ncls > 1)
        qsort(cls, ncls, sizeof(*cls), cmp_by_name);
    if (nfns > 1)
        qsort(fns, nfns, sizeof(*fns), cmp_by_name);
    if (lc.nsyms > 1)
        qsort(byfile, lc.nsyms, sizeof(*byfile), cmp_by_file);

    if (in_place) {
        stage = path_join(dir, ".cidx-export.tmp");
    } else {
        char *parent = xstrdup(dir), *slash = strrchr(parent, '/');
        if (slash && slash != parent) {
            *slash = '\0';
            rc = fs_mkdir_p(parent, err);
        }
        free(parent);
        if (rc)
            goto out;
        stage = xasprintf("%s.cidx-export.%ld", dir, (long)getpid());
    }
    rc = legacy_rmtree(stage, err);
    if (!rc)
        rc = legacy_mkdir(stage, err);
    staged = !rc;
    files_dir = path_join(stage, "files");
    if (!rc)
        rc = legacy_mkdir(files_dir, err);
    if (rc)
        goto out;

    total = lc.nfiles + 3;
    xp_progress(&x, "writing", 0, total);
    {
        size_t at = 0;
        for (size_t i = 0; !rc && i < lc.nfiles; i++) {
            const struct legacy_file *f = &lc.files[i];
            size_t from;
            char name[40];
            /* the records located in this file: byfile is sorted by file, as files are */
            while (at < lc.nsyms && strcmp(byfile[at]->file, f->path) < 0)
                at++;
            from = at;
            while (at < lc.nsyms && !strcmp(byfile[at]->file, f->path))
                at++;
            store_legacy_file_name(name, f->path);
            strbuf_reset(&sb);
            build_file(&sb, f, byfile + from, at - from);
            rc = xp_write(&x, files_dir, name, &sb, err);
            if ((i & 63) == 0)
                xp_progress(&x, "writing", i, total);
        }
    }
    if (!rc) {
        strbuf_reset(&sb);
        build_tracker(&sb, &lc, now);
        rc = xp_write(&x, stage, "header_tracker.json", &sb, err);
    }
    if (!rc && lc.nperrs) {
        strbuf_reset(&sb);
        build_errors(&sb, &lc);
        rc = xp_write(&x, stage, "parse_errors.jsonl", &sb, err);
    }
    if (!rc) {
        strbuf_reset(&sb);
        build_info(&sb, &lc, cls, ncls, fns, nfns, now);
        rc = xp_write(&x, stage, STORE_LEGACY_INFO, &sb, err);
    }
    xp_progress(&x, "writing", total, total);
    /* durable before it becomes visible */
    for (size_t i = 0; !rc && i < x.nwritten; i++)
        rc = legacy_sync(x.written[i], err);
    if (!rc)
        rc = legacy_sync(files_dir, err);
    if (!rc)
        rc = legacy_sync(stage, err);
    if (rc)
        goto out;

    xp_progress(&x, "installing", 0, 0);
    if (in_place) {
        rc = install_in_place(dir, stage, &replaced, err);
    } else {
        char *parent = xstrdup(dir), *slash = strrchr(parent, '/');
        /* rename(2) replaces an empty directory in one step */
        rc = fs_rename(stage, dir, err);
        if (!rc && slash) {
            *slash = slash == parent ? '/' : '\0';
            if (slash == parent)
                slash[1] = '\0';
            legacy_sync(parent, NULL);
        }
        free(parent);
    }
    if (rc)
        goto out;
    staged = false;
    rep->dir = path_real(dir);
    if (!rep->dir)
        rep->dir = xstrdup(dir);
    rep->replaced = replaced;
    replaced = NULL;
    rep->symbols = lc.nsyms;
    rep->classes = ncls;
    rep->functions = nfns;
    rep->sources = lc.nfiles;
    rep->hashes = lc.nhashes;
    rep->headers = lc.nheaders;
    rep->parse_errors = lc.nperrs;
    rep->skipped = skipped;
    rep->seconds = (double)(time_mono_ns() - x.t0) / 1e9;
    xp_progress(&x, "done", 1, 1);
out:
    if (staged)
        legacy_rmtree(stage, NULL);
    for (size_t i = 0; i < x.nwritten; i++)
        free(x.written[i]);
    free(x.written);
    free(cls);
    free(fns);
    free(byfile);
    free(files_dir);
    free(stage);
    free(replaced);
    free(dir);
    strbuf_release(&sb);
    legacy_cache_release(&lc);
    if (rc)
        rep->calls = 0;
    return rc;
}
