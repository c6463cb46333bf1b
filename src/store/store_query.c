/*
 * store_query.c - what every code query shares: the query context (one read transaction, the
 * project root, an arena), JSON building, symbol rows, and name resolution.
 *
 * Resolution turns a target (name or usr, kind mask, scope) into one symbol:
 *   1. a usr is looked up through its 31-bit key and compared;
 *   2. a name is split at its last "::" outside template brackets; the last component is looked
 *      up in the (is_project, name NOCASE) index, project symbols first, dependencies too with
 *      all_scopes; each row's qualified name must end with the whole name at a "::" boundary
 *      (or equal it after a leading "::");
 *   3. case-sensitive matches win; case-insensitive ones count only when there are none;
 *   4. with all_scopes and still nothing, placeholders of that name (one scan of symbols);
 *   5. a constructor whose class also matched, and a typedef of a type that also matched
 *      ("typedef struct Point Point"), drop out: "Shape" means the class;
 *   6. a qualified name that one candidate's qualified name equals wins over the candidates it is
 *      only a suffix of ("testing::Test" over "my_namespace::testing::Test").
 * One match is the answer; several give "ambiguous" and candidates; none gives a hint.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define CANDIDATES_MAX 50
/* Candidates the tie-break rules (step 5) look at; past that the name is ambiguous anyway. */
#define RULES_MAX 64
#define READ_FILE_MAX (64u << 20)

/* ---- context ------------------------------------------------------------------------------ */

int store_query_set_root(struct store *st, const char *root, struct err *err)
{
    size_t n = root ? strlen(root) : 0;
    if (n >= sizeof(st->qroot))
        return err_set(err, ERR_INVALID, "project root is longer than %zu bytes",
                       sizeof(st->qroot) - 1);
    if (n)
        memcpy(st->qroot, root, n);
    st->qroot[n] = '\0';
    return 0;
}

int store_q_dberr(struct qctx *q, int rc, const char *what)
{
    return store_db_err(q->st, q->err, rc, what);
}

int store_q_begin(struct qctx *q, struct store *st, struct err *err)
{
    const char *root = st->qroot;
    char *meta = NULL;
    size_t n;
    int rc;

    memset(q, 0, sizeof(*q));
    q->st = st;
    q->err = err;
    q->t0 = time_mono_ns();
    rc = store_read_begin(st, &q->reading, err);
    if (rc)
        return rc;
    if (!*root) {
        rc = store_meta_get(st, "project_root", &meta, err);
        if (rc)
            return rc;
        root = meta ? meta : "";
    }
    /* "/" and trailing slashes: the prefix is the directory without its last '/' */
    n = strlen(root);
    while (n > 0 && root[n - 1] == '/')
        n--;
    q->root = arena_strndup(&q->mem, root, n);
    q->root_len = n;
    free(meta);
    return 0;
}

int store_q_run(struct store *st, enum store_query_kind k,
                int (*fn)(struct qctx *q, const void *arg, json_t *res), const void *arg,
                json_t **out, struct err *err)
{
    uint64_t t0 = time_mono_ns();
    struct qctx q;
    json_t *res = json_object();
    int rc = store_q_begin(&q, st, err);

    if (!rc)
        rc = fn(&q, arg, res);
    store_q_end(&q);
    *out = NULL;
    if (rc)
        json_decref(res);
    else
        *out = res;
    store_qstat_record(st, k, time_mono_ns() - t0);
    return rc;
}

void store_q_end(struct qctx *q)
{
    store_read_end(q->st, q->reading);
    q->reading = false;
    arena_release(&q->mem);
}

/* ---- JSON --------------------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at p (at most avail bytes), 0 when it is not one. */
static size_t utf8_seq(const unsigned char *p, size_t avail)
{
    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xC2 && p[0] <= 0xDF && avail >= 2 && (p[1] & 0xC0) == 0x80)
        return 2;
    if ((p[0] & 0xF0) == 0xE0 && avail >= 3 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
        if ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0))
            return 0; /* overlong, or a surrogate */
        return 3;
    }
    if (p[0] >= 0xF0 && p[0] <= 0xF4 && avail >= 4 && (p[1] & 0xC0) == 0x80 &&
        (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80) {
        if ((p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] >= 0x90))
            return 0;
        return 4;
    }
    return 0;
}

json_t *store_q_strn(const char *s, size_t len)
{
    struct strbuf sb = STRBUF_INIT;
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    json_t *v;

    if (!s)
        return json_null();
    if (len > STORE_QUERY_TEXT_MAX)
        len = STORE_QUERY_TEXT_MAX;
    v = json_stringn(s, len); /* the common case: valid as it is */
    if (v)
        return v;
    /* bad bytes, a NUL, or a cut in the middle of a character: each becomes U+FFFD */
    while (i < len) {
        size_t n = p[i] ? utf8_seq(p + i, len - i) : 0;
        if (sb.len + (n ? n : 3) > STORE_QUERY_TEXT_MAX)
            break;
        if (n)
            strbuf_add(&sb, p + i, n);
        else
            strbuf_adds(&sb, "\xEF\xBF\xBD");
        i += n ? n : 1;
    }
    v = json_stringn(sb.buf, sb.len);
    strbuf_release(&sb);
    return v ? v : json_string("");
}

json_t *store_q_str(const char *s)
{
    return s ? store_q_strn(s, strlen(s)) : json_null();
}

const char *store_q_rel(const struct qctx *q, const char *path)
{
    if (path && q->root_len && !strncmp(path, q->root, q->root_len) && path[q->root_len] == '/' &&
        path[q->root_len + 1])
        return path + q->root_len + 1;
    return path;
}

json_t *store_q_path(const struct qctx *q, const char *path)
{
    return store_q_str(store_q_rel(q, path));
}

json_t *store_q_loc(const struct qctx *q, const char *path, uint32_t line, uint32_t col)
{
    json_t *o;
    if (!path)
        return json_null();
    o = json_object();
    json_object_set_new(o, "file", store_q_path(q, path));
    json_object_set_new(o, "line", json_integer(line));
    json_object_set_new(o, "column", json_integer(col));
    return o;
}

json_t *store_q_sym_json(const struct qctx *q, const struct qsym *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "usr", store_q_str(s->usr));
    json_object_set_new(o, "name", store_q_str(s->name));
    json_object_set_new(o, "qualified_name", store_q_str(s->qname));
    json_object_set_new(o, "kind", json_string(store_kind_name(s->kind)));
    json_object_set_new(o, "signature", store_q_str(s->signature ? s->signature : ""));
    json_object_set_new(o, "location", store_q_loc(q, s->file, s->line, s->col));
    return o;
}

json_t *store_q_sym_brief(const struct qsym *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "qualified_name", store_q_str(s->qname));
    json_object_set_new(o, "kind", json_string(store_kind_name(s->kind)));
    json_object_set_new(o, "usr", store_q_str(s->usr));
    return o;
}

static const char *const attr_names[] = {
    "virtual",   "pure",   "override",  "static", "const",    "deleted",
    "defaulted", "inline", "constexpr", "final",  "explicit", "scoped",
};

json_t *store_q_attrs(unsigned attrs)
{
    json_t *a = json_array();
    for (size_t i = 0; i < ARRAY_SIZE(attr_names); i++)
        if (attrs & (1u << i))
            json_array_append_new(a, json_string(attr_names[i]));
    return a;
}

static const struct {
    const char *name;
    unsigned bit;
} role_table[] = {
    {"declaration", STORE_ROLE_DECLARATION},
    {"definition", STORE_ROLE_DEFINITION},
    {"read", STORE_ROLE_READ},
    {"write", STORE_ROLE_WRITE},
    {"call", STORE_ROLE_CALL},
    {"type", STORE_ROLE_TYPE},
    {"address", STORE_ROLE_ADDRESS},
};

unsigned store_role_parse(const char *name)
{
    for (size_t i = 0; name && i < ARRAY_SIZE(role_table); i++)
        if (!strcmp(name, role_table[i].name))
            return role_table[i].bit;
    return 0;
}

int store_direction_parse(const char *name)
{
    if (!name)
        return -1;
    if (!strcmp(name, "both"))
        return STORE_DIR_BOTH;
    if (!strcmp(name, "up"))
        return STORE_DIR_UP;
    if (!strcmp(name, "down"))
        return STORE_DIR_DOWN;
    return -1;
}

int store_q_limit(struct qctx *q, uint32_t in, uint32_t *out)
{
    if (in > STORE_QUERY_LIMIT_MAX)
        return err_set(q->err, ERR_INVALID, "limit %u is over the maximum of %d", in,
                       STORE_QUERY_LIMIT_MAX);
    *out = in ? in : STORE_QUERY_LIMIT_DEFAULT;
    return 0;
}

void store_q_page(json_t *res, uint64_t total, uint64_t offset, size_t n)
{
    bool more = offset + n < total;
    json_object_set_new(res, "total", json_integer((json_int_t)total));
    json_object_set_new(res, "truncated", json_boolean(more));
    json_object_set_new(res, "next_offset",
                        more ? json_integer((json_int_t)(offset + n)) : json_null());
}

/* ---- symbol rows -------------------------------------------------------------------------- */

static const char *col_str(sqlite3_stmt *s, int i, struct arena *a)
{
    if (sqlite3_column_type(s, i) == SQLITE_NULL)
        return NULL;
    return arena_strdup(a, (const char *)sqlite3_column_text(s, i));
}

int store_q_symbols(struct qctx *q, const int64_t *ids, size_t n, struct qsym *out)
{
    struct strbuf list = STRBUF_INIT;
    sqlite3_stmt *s;
    int rc;

    memset(out, 0, sizeof(*out) * n);
    if (!n)
        return 0;
    strbuf_addch(&list, '[');
    for (size_t i = 0; i < n; i++)
        strbuf_addf(&list, "%s%lld", i ? "," : "", (long long)ids[i]);
    strbuf_addch(&list, ']');
    s = store_stmt(q->st, STMT_Q_SYMBOLS);
    if (!s) {
        strbuf_release(&list);
        return store_q_dberr(q, sqlite3_errcode(q->st->db), "cannot read symbols");
    }
    sqlite3_bind_text(s, 1, list.buf, (int)list.len, SQLITE_STATIC);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t k = sqlite3_column_int64(s, 0);
        struct qsym *r;
        if (k < 0 || (size_t)k >= n)
            continue;
        r = &out[k];
        r->id = sqlite3_column_int64(s, 1);
        r->usr = col_str(s, 2, &q->mem);
        r->name = col_str(s, 3, &q->mem);
        r->qname = col_str(s, 4, &q->mem);
        r->signature = store_sig_unpack(&q->mem, (const char *)sqlite3_column_text(s, 5), r->qname);
        r->ns = col_str(s, 6, &q->mem);
        r->parent = col_str(s, 7, &q->mem);
        r->kind = (enum store_kind)sqlite3_column_int(s, 8);
        r->access = (enum store_access)sqlite3_column_int(s, 9);
        r->template_kind = (enum store_template)sqlite3_column_int(s, 10);
        r->attrs = (unsigned)sqlite3_column_int(s, 11);
        r->is_project = sqlite3_column_int(s, 12) != 0;
        r->file = col_str(s, 13, &q->mem);
        r->line = (uint32_t)sqlite3_column_int(s, 14);
        r->col = (uint32_t)sqlite3_column_int(s, 15);
        r->loc_is_def = sqlite3_column_int(s, 16) != 0;
        r->brief = col_str(s, 17, &q->mem);
        r->doc = col_str(s, 18, &q->mem);
        r->tparams = col_str(s, 19, &q->mem);
        r->target = col_str(s, 20, &q->mem);
        r->parent_kind = (enum store_kind)sqlite3_column_int(s, 21);
        r->scope_id = sqlite3_column_int64(s, 22);
    }
    sqlite3_reset(s);
    strbuf_release(&list);
    if (rc != SQLITE_DONE)
        return store_q_dberr(q, rc, "cannot read symbols");
    return 0;
}

int store_q_symbol(struct qctx *q, int64_t id, struct qsym *out)
{
    return store_q_symbols(q, &id, 1, out);
}

/* ---- files -------------------------------------------------------------------------------- */

int store_q_read_file(struct qctx *q, const char *path, char **buf, size_t *len)
{
    struct err e = {0};
    int rc = fs_read_file(buf, len, path, READ_FILE_MAX, &e);
    if (rc)
        return err_set(q->err, rc, "cannot read '%s': %s", store_q_rel(q, path), e.msg);
    return 0;
}

static int file_row(struct qctx *q, sqlite3_stmt *s, json_t *ids, const char **path,
                    const char **hash)
{
    json_array_append_new(ids, json_integer(sqlite3_column_int64(s, 0)));
    if (path)
        *path = col_str(s, 1, &q->mem);
    if (hash)
        *hash = col_str(s, 2, &q->mem);
    return 0;
}

int store_q_file_find(struct qctx *q, const char *file, bool want_one, json_t **ids,
                      const char **path, const char **hash, json_t *res)
{
    sqlite3_stmt *s;
    char *joined = NULL;
    const char *tries[3];
    size_t ntries = 0;
    int rc = 0;

    *ids = NULL;
    if (path)
        *path = NULL;
    if (hash)
        *hash = NULL;
    if (!file || !*file)
        return err_set(q->err, ERR_INVALID, "no file given");
    if (file[0] == '/') {
        tries[ntries++] = file;
    } else {
        if (q->root_len) {
            joined = xasprintf("%s/%s", q->root, file);
            tries[ntries++] = joined;
        }
    }
    /* exact paths first: the stored spelling, then through symlinks */
    for (size_t i = 0; i < ntries && !*ids; i++) {
        for (int pass = 0; pass < 2 && !*ids; pass++) {
            char *real = pass ? path_real(tries[i]) : NULL;
            const char *p = pass ? real : tries[i];
            if (!p)
                continue;
            s = store_stmt(q->st, STMT_Q_FILE_BY_PATH);
            if (!s) {
                free(real);
                free(joined);
                return store_q_dberr(q, sqlite3_errcode(q->st->db), "cannot look up a file");
            }
            sqlite3_bind_text(s, 1, p, -1, SQLITE_TRANSIENT);
            rc = sqlite3_step(s);
            if (rc == SQLITE_ROW) {
                *ids = json_array();
                file_row(q, s, *ids, path, hash);
            }
            sqlite3_reset(s);
            free(real);
            if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
                free(joined);
                return store_q_dberr(q, rc, "cannot look up a file");
            }
        }
    }
    free(joined);
    if (*ids)
        return 0;
    /* a suffix at a '/' boundary: "shapes.h", "src/main.cpp" */
    {
        const char *suffix = file;
        json_t *found = json_array(), *cands = json_array();
        const char *one = NULL, *one_hash = NULL;
        while (suffix[0] == '.' && suffix[1] == '/')
            suffix += 2;
        s = store_stmt(q->st, STMT_Q_FILE_BY_SUFFIX);
        if (!s) {
            json_decref(found);
            json_decref(cands);
            return store_q_dberr(q, sqlite3_errcode(q->st->db), "cannot look up a file");
        }
        sqlite3_bind_text(s, 1, suffix, -1, SQLITE_TRANSIENT);
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            file_row(q, s, found, &one, &one_hash);
            json_array_append_new(cands, store_q_path(q, one));
        }
        sqlite3_reset(s);
        if (rc != SQLITE_DONE) {
            json_decref(found);
            json_decref(cands);
            return store_q_dberr(q, rc, "cannot look up a file");
        }
        if (json_array_size(found) == 0) {
            json_object_set_new(res, "hint",
                                json_string("no indexed file has that path; give it relative to "
                                            "the project root, absolute, or as a path suffix"));
            json_decref(found);
            json_decref(cands);
            return 0;
        }
        if (want_one && json_array_size(found) > 1) {
            json_object_set_new(res, "ambiguous", json_true());
            json_object_set_new(res, "candidates", cands);
            json_object_set_new(res, "hint",
                                json_string("several indexed files end with that path; give "
                                            "more of it"));
            json_decref(found);
            return 0;
        }
        json_decref(cands);
        *ids = found;
        if (json_array_size(found) == 1) {
            if (path)
                *path = one;
            if (hash)
                *hash = one_hash;
        }
    }
    return 0;
}

/* ---- resolution --------------------------------------------------------------------------- */

struct cand {
    int64_t id;
    int kind;
    bool proj;
    const char *qname, *scope;
};

struct cands {
    struct cand *v;
    size_t n, alloc;
};

/* The start of the last component: after the last "::" outside <> and (). */
static const char *last_component(const char *pat, size_t len)
{
    const char *last = pat;
    int depth = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        char c = pat[i];
        if (c == '<' || c == '(') {
            /* "operator<", "operator()" are names, not brackets: only count after an
               identifier that is not "operator" */
            if (!(i >= 8 && !strncmp(pat + i - 8, "operator", 8)))
                depth++;
        } else if ((c == '>' || c == ')') && depth > 0) {
            depth--;
        } else if (c == ':' && pat[i + 1] == ':' && depth == 0) {
            last = pat + i + 2;
            i++;
        }
    }
    return last;
}

/* qname equals pat, or (not anchored) ends with "::" pat. */
static bool qualified_match(const char *qname, const char *pat, size_t plen, bool anchored, bool cs)
{
    size_t ql = strlen(qname);
    if (ql < plen)
        return false;
    if (cs ? memcmp(qname + ql - plen, pat, plen) != 0
           : !str_ncase_eq(qname + ql - plen, pat, plen))
        return false;
    if (ql == plen)
        return true;
    return !anchored && ql - plen >= 2 && qname[ql - plen - 1] == ':' &&
           qname[ql - plen - 2] == ':';
}

struct lookup {
    struct qctx *q;
    const char *pat; /* without a leading "::" */
    size_t plen;
    bool anchored;
    const char *last;
    unsigned kinds;
    struct cands cs, ci; /* case-sensitive matches; case-insensitive ones */
};

static int lookup_run(struct lookup *lk, enum store_stmt id, int proj)
{
    struct qctx *q = lk->q;
    sqlite3_stmt *s = store_stmt(q->st, id);
    struct strbuf qn = STRBUF_INIT;
    int rc;

    if (!s)
        return store_q_dberr(q, sqlite3_errcode(q->st->db), "cannot look up a name");
    if (id == STMT_Q_SYM_BY_NAME)
        sqlite3_bind_int(s, 1, proj);
    sqlite3_bind_text(s, 2, lk->last, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, lk->kinds);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 1);
        const char *scope = (const char *)sqlite3_column_text(s, 2);
        bool cs;
        struct cand c;
        strbuf_reset(&qn);
        if (scope && *scope) {
            strbuf_adds(&qn, scope);
            strbuf_adds(&qn, "::");
        }
        strbuf_adds(&qn, name ? name : "");
        if (!qualified_match(qn.buf, lk->pat, lk->plen, lk->anchored, false))
            continue;
        cs = qualified_match(qn.buf, lk->pat, lk->plen, lk->anchored, true);
        c.id = sqlite3_column_int64(s, 0);
        c.kind = sqlite3_column_int(s, 3);
        c.proj = proj != 0;
        c.qname = arena_strndup(&q->mem, qn.buf, qn.len);
        c.scope = arena_strdup(&q->mem, scope ? scope : "");
        if (cs) {
            ALLOC_GROW(lk->cs.v, lk->cs.n + 1, lk->cs.alloc);
            lk->cs.v[lk->cs.n++] = c;
        } else {
            ALLOC_GROW(lk->ci.v, lk->ci.n + 1, lk->ci.alloc);
            lk->ci.v[lk->ci.n++] = c;
        }
    }
    sqlite3_reset(s);
    strbuf_release(&qn);
    if (rc != SQLITE_DONE)
        return store_q_dberr(q, rc, "cannot look up a name");
    return 0;
}

static bool is_record(int kind)
{
    return kind == STORE_KIND_CLASS || kind == STORE_KIND_STRUCT || kind == STORE_KIND_UNION;
}

static bool is_type(int kind)
{
    return is_record(kind) || kind == STORE_KIND_ENUM;
}

/* "struct Point" -> "Point" */
static const char *strip_tag(const char *t)
{
    static const char *const tags[] = {"struct ", "class ", "union ", "enum class ", "enum "};
    if (!t)
        return "";
    for (size_t i = 0; i < ARRAY_SIZE(tags); i++)
        if (str_starts_with(t, tags[i]))
            return t + strlen(tags[i]);
    return t;
}

static int cand_cmp(const void *pa, const void *pb)
{
    const struct cand *a = pa, *b = pb;
    int c;
    if (a->proj != b->proj)
        return a->proj ? -1 : 1;
    if ((c = strcmp(a->qname, b->qname)) != 0)
        return c;
    if (a->kind != b->kind)
        return a->kind - b->kind;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* Step 5: drop constructors of a matched class and typedefs of a matched type. */
static int apply_rules(struct qctx *q, struct cands *c)
{
    struct qsym *rows;
    int64_t *ids;
    size_t n = 0;
    int rc;

    if (c->n < 2 || c->n > RULES_MAX)
        return 0;
    ids = xmalloc(sizeof(*ids) * c->n);
    rows = xmalloc(sizeof(*rows) * c->n);
    for (size_t i = 0; i < c->n; i++)
        ids[i] = c->v[i].id;
    rc = store_q_symbols(q, ids, c->n, rows);
    if (rc)
        goto out;
    for (size_t i = 0; i < c->n; i++) {
        bool drop = false;
        for (size_t j = 0; j < c->n && !drop; j++) {
            if (i == j || !is_type(c->v[j].kind))
                continue;
            if (c->v[i].kind == STORE_KIND_CONSTRUCTOR && is_record(c->v[j].kind) &&
                !strcmp(c->v[i].scope, c->v[j].qname))
                drop = true;
            if ((c->v[i].kind == STORE_KIND_TYPEDEF || c->v[i].kind == STORE_KIND_TYPE_ALIAS) &&
                rows[i].id) {
                const char *t = strip_tag(rows[i].target);
                if (!strcmp(t, c->v[j].qname) || (!strcmp(c->v[i].scope, c->v[j].scope) &&
                                                  rows[j].name && !strcmp(t, rows[j].name)))
                    drop = true;
            }
        }
        if (!drop)
            c->v[n++] = c->v[i];
    }
    c->n = n;
out:
    free(ids);
    free(rows);
    return rc;
}

static json_t *candidate_json(const struct qctx *q, const struct qsym *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "qualified_name", store_q_str(s->qname));
    json_object_set_new(o, "kind", json_string(store_kind_name(s->kind)));
    json_object_set_new(o, "signature", store_q_str(s->signature ? s->signature : ""));
    json_object_set_new(o, "file", s->file ? store_q_path(q, s->file) : json_null());
    json_object_set_new(o, "line", json_integer(s->line));
    json_object_set_new(o, "usr", store_q_str(s->usr));
    return o;
}

static int by_usr(struct qctx *q, const struct store_target *t, struct qsym *out, json_t *res)
{
    sqlite3_stmt *s = store_stmt(q->st, STMT_SYM_BY_KEY);
    int64_t id = 0;
    int rc;

    if (!s)
        return store_q_dberr(q, sqlite3_errcode(q->st->db), "cannot look up a symbol");
    sqlite3_bind_int64(s, 1, hash_key31(t->usr));
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *u = (const char *)sqlite3_column_text(s, 1);
        if (u && !strcmp(u, t->usr)) {
            id = sqlite3_column_int64(s, 0);
            break;
        }
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_q_dberr(q, rc, "cannot look up a symbol");
    if (id) {
        rc = store_q_symbol(q, id, out);
        if (rc)
            return rc;
        if (out->id && t->kinds && !(t->kinds & STORE_KIND_BIT(out->kind))) {
            char *h = xasprintf("the symbol with that usr is a %s, which the kind filter excludes",
                                store_kind_name(out->kind));
            json_object_set_new(res, "hint", store_q_str(h));
            free(h);
            memset(out, 0, sizeof(*out));
        }
        if (out->id)
            return 0;
        if (json_object_get(res, "hint"))
            return 0;
    }
    json_object_set_new(res, "hint",
                        json_string("no symbol has that usr; find_symbols gives the usr of a "
                                    "symbol"));
    return 0;
}

int store_q_resolve(struct qctx *q, const struct store_target *t, const char *what,
                    struct qsym *out, json_t *res)
{
    struct lookup lk = {0};
    struct cands *c;
    const char *name = t->name;
    size_t nlen;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    if (t->usr && *t->usr)
        return by_usr(q, t, out, res);
    if (!name || !*name)
        return err_set(q->err, ERR_INVALID, "give a name or a usr for '%s'", what);
    nlen = strlen(name);
    lk.q = q;
    lk.kinds = t->kinds;
    lk.pat = name;
    lk.plen = nlen;
    if (nlen >= 2 && name[0] == ':' && name[1] == ':') {
        lk.anchored = true;
        lk.pat += 2;
        lk.plen -= 2;
    }
    lk.last = last_component(lk.pat, lk.plen);
    if (!*lk.last)
        return err_set(q->err, ERR_INVALID, "%s '%s' has no name after its last '::'", what, name);

    rc = lookup_run(&lk, STMT_Q_SYM_BY_NAME, 1);
    if (!rc && t->all_scopes)
        rc = lookup_run(&lk, STMT_Q_SYM_BY_NAME, 0);
    if (!rc && t->all_scopes && !lk.cs.n && !lk.ci.n)
        rc = lookup_run(&lk, STMT_Q_SYM_PLACEHOLDER, 0);
    if (rc)
        goto out;
    c = lk.cs.n ? &lk.cs : &lk.ci;
    if (c->n == 0) {
        struct strbuf h = STRBUF_INIT;
        strbuf_addf(&h, "no %ssymbol matches '%s'", t->all_scopes ? "" : "project ", name);
        if (t->kinds)
            strbuf_adds(&h, " with that kind");
        if (!t->all_scopes) {
            rc = lookup_run(&lk, STMT_Q_SYM_BY_NAME, 0);
            if (rc) {
                strbuf_release(&h);
                goto out;
            }
            if (lk.cs.n + lk.ci.n)
                strbuf_addf(&h, "; %zu outside the project match (scope all)", lk.cs.n + lk.ci.n);
        }
        strbuf_adds(&h, "; find_symbols searches by prefix, sub-words and substrings");
        json_object_set_new(res, "hint", store_q_str(h.buf));
        strbuf_release(&h);
        goto out;
    }
    rc = apply_rules(q, c);
    if (rc)
        goto out;
    if (c->n > 1 && strstr(lk.pat, "::")) {
        /* a qualified name spelled out whole wins over the longer names it is a suffix of:
         * "testing::Test" means testing::Test, not my_namespace::testing::Test */
        size_t exact = 0, at = 0;
        for (size_t i = 0; i < c->n; i++)
            if (c->v[i].qname && strlen(c->v[i].qname) == lk.plen &&
                !strncmp(c->v[i].qname, lk.pat, lk.plen)) {
                exact++;
                at = i;
            }
        if (exact == 1) {
            c->v[0] = c->v[at];
            c->n = 1;
        }
    }
    if (c->n == 1) {
        rc = store_q_symbol(q, c->v[0].id, out);
        goto out;
    }
    qsort(c->v, c->n, sizeof(*c->v), cand_cmp);
    {
        size_t shown = c->n < CANDIDATES_MAX ? c->n : CANDIDATES_MAX;
        int64_t *ids = xmalloc(sizeof(*ids) * shown);
        struct qsym *rows = xmalloc(sizeof(*rows) * shown);
        json_t *arr = json_array();
        char *h;
        for (size_t i = 0; i < shown; i++)
            ids[i] = c->v[i].id;
        rc = store_q_symbols(q, ids, shown, rows);
        for (size_t i = 0; !rc && i < shown; i++)
            if (rows[i].id)
                json_array_append_new(arr, candidate_json(q, &rows[i]));
        free(ids);
        free(rows);
        json_object_set_new(res, "ambiguous", json_true());
        json_object_set_new(res, "candidates", arr);
        json_object_set_new(res, "candidates_total", json_integer((json_int_t)c->n));
        h = xasprintf("'%s' matches %zu symbols; pass the usr of one of the candidates, a more "
                      "qualified name or a kind",
                      name, c->n);
        json_object_set_new(res, "hint", store_q_str(h));
        free(h);
    }
out:
    free(lk.cs.v);
    free(lk.ci.v);
    return rc;
}

const char *store_q_canonical(struct qctx *q, const struct qsym *sym)
{
    const char *cur = sym->target;
    int64_t seen[9];
    size_t nseen = 0;
    int rc = 0;

    if (!cur)
        return NULL;
    seen[nseen++] = sym->id;
    while (nseen < ARRAY_SIZE(seen)) {
        const char *t = strip_tag(cur);
        struct lookup lk = {0};
        int64_t next = 0;
        size_t hits = 0;

        if (!*t || t[strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:")])
            break; /* not a plain (qualified) name: a builtin or compound type */
        lk.q = q;
        lk.kinds = STORE_KIND_BIT(STORE_KIND_TYPEDEF) | STORE_KIND_BIT(STORE_KIND_TYPE_ALIAS);
        lk.pat = t;
        lk.plen = strlen(t);
        if (lk.plen >= 2 && t[0] == ':' && t[1] == ':') {
            lk.anchored = true;
            lk.pat += 2;
            lk.plen -= 2;
        }
        lk.last = last_component(lk.pat, lk.plen);
        rc = lookup_run(&lk, STMT_Q_SYM_BY_NAME, 1);
        if (!rc)
            rc = lookup_run(&lk, STMT_Q_SYM_BY_NAME, 0);
        for (size_t i = 0; !rc && i < lk.cs.n; i++) {
            const struct cand *c = &lk.cs.v[i];
            bool same = !strcmp(c->qname, lk.pat);
            bool near = sym->ns && *sym->ns && !strncmp(c->qname, sym->ns, strlen(sym->ns)) &&
                        !strncmp(c->qname + strlen(sym->ns), "::", 2) &&
                        !strcmp(c->qname + strlen(sym->ns) + 2, lk.pat);
            bool dup = false;
            for (size_t k = 0; k < nseen; k++)
                dup = dup || seen[k] == c->id;
            if ((same || near) && !dup) {
                next = c->id;
                hits++;
            }
        }
        free(lk.cs.v);
        free(lk.ci.v);
        if (rc || hits != 1)
            break;
        {
            struct qsym n;
            if (store_q_symbol(q, next, &n) || !n.id || !n.target)
                break;
            seen[nseen++] = next;
            cur = n.target;
        }
    }
    err_clear(q->err);
    return cur;
}

int store_q_resolve_pref(struct qctx *q, const struct store_target *t, unsigned prefer,
                         const char *what, struct qsym *out, json_t *res)
{
    struct store_target pt = *t;
    json_t *tmp;
    int rc;

    if (t->kinds || (t->usr && *t->usr))
        return store_q_resolve(q, t, what, out, res);
    pt.kinds = prefer;
    tmp = json_object();
    rc = store_q_resolve(q, &pt, what, out, tmp);
    if (!rc && !out->id && !json_object_get(tmp, "ambiguous")) {
        /* nothing of the preferred kinds: any kind will do */
        json_decref(tmp);
        return store_q_resolve(q, t, what, out, res);
    }
    if (!rc)
        json_object_update(res, tmp);
    json_decref(tmp);
    return rc;
}

/* ---- id sets ------------------------------------------------------------------------------ */

static size_t idmap_slot(const struct qidmap *m, int64_t id)
{
    size_t mask = m->cap - 1;
    size_t i = (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ull >> 17) & mask;
    while (m->keys[i] && m->keys[i] != id)
        i = (i + 1) & mask;
    return i;
}

long store_q_idmap_get(const struct qidmap *m, int64_t id)
{
    size_t i;
    if (!m->cap)
        return -1;
    i = idmap_slot(m, id);
    return m->keys[i] == id ? m->vals[i] : -1;
}

void store_q_idmap_put(struct qidmap *m, int64_t id, long val)
{
    size_t i;
    if ((m->n + 1) * 2 > m->cap) {
        struct qidmap old = *m;
        m->cap = old.cap ? old.cap * 2 : 64;
        m->keys = xcalloc(m->cap, sizeof(*m->keys));
        m->vals = xcalloc(m->cap, sizeof(*m->vals));
        m->n = 0;
        for (size_t k = 0; k < old.cap; k++)
            if (old.keys[k])
                store_q_idmap_put(m, old.keys[k], old.vals[k]);
        free(old.keys);
        free(old.vals);
    }
    i = idmap_slot(m, id);
    if (!m->keys[i]) {
        m->keys[i] = id;
        m->n++;
    }
    m->vals[i] = val;
}

void store_q_idmap_release(struct qidmap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}

static int resolve_fn(struct qctx *q, const void *arg, json_t *res)
{
    struct qsym sym;
    int rc = store_q_resolve(q, arg, "name", &sym, res);
    if (!rc)
        json_object_set_new(res, "symbol", sym.id ? store_q_sym_json(q, &sym) : json_null());
    return rc;
}

int store_query_resolve(struct store *st, const struct store_target *t, json_t **out,
                        struct err *err)
{
    return store_q_run(st, STORE_Q_RESOLVE, resolve_fn, t, out, err);
}
