/*
 * store_query_outline.c - get_file_outline: the declarations a file owns, nested as the file
 * nests them, and its includes.
 *
 * The file's declarations come in extent order (one statement on the decls primary key). A stack
 * of open containers (namespaces, classes, structs, unions, enums) gives each declaration its
 * parent: the innermost container whose extent holds it. Out-of-line definitions thus sit in the
 * namespace block that holds them, members in their class. A pattern keeps matching symbols and
 * the containers on their way.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define OUTLINE_MAX 1000 /* symbols per page at most (TOOLS.md: limit <= 1000) */

struct onode {
    const char *name, *qname, *usr, *signature;
    enum store_kind kind;
    uint32_t line, col, sline, scol, eline, ecol;
    bool is_def, keep;
    long parent; /* index, -1 at top level */
    json_t *children;
};

static bool is_container(enum store_kind k)
{
    return k == STORE_KIND_NAMESPACE || k == STORE_KIND_CLASS || k == STORE_KIND_STRUCT ||
           k == STORE_KIND_UNION || k == STORE_KIND_ENUM;
}

/* (l1, c1) <= (l2, c2) */
static bool pos_le(uint32_t l1, uint32_t c1, uint32_t l2, uint32_t c2)
{
    return l1 < l2 || (l1 == l2 && c1 <= c2);
}

static bool contains_nocase(const char *hay, const char *needle, size_t nlen)
{
    size_t hl = hay ? strlen(hay) : 0;
    if (!nlen)
        return true;
    for (size_t i = 0; i + nlen <= hl; i++)
        if (str_ncase_eq(hay + i, needle, nlen))
            return true;
    return false;
}

static const char *col_str(struct qctx *q, sqlite3_stmt *s, int i)
{
    if (sqlite3_column_type(s, i) == SQLITE_NULL)
        return NULL;
    return arena_strdup(&q->mem, (const char *)sqlite3_column_text(s, i));
}

static int read_nodes(struct qctx *q, int64_t file_id, struct onode **out, size_t *n)
{
    sqlite3_stmt *s = store_stmt(q->st, STMT_Q_FILE_DECLS);
    struct onode *v = NULL;
    size_t alloc = 0, cnt = 0;
    long *stack = NULL;
    size_t depth = 0, salloc = 0;
    int rc;

    if (!s)
        return store_q_dberr(q, sqlite3_errcode(q->st->db), "cannot read the file's symbols");
    sqlite3_bind_int64(s, 1, file_id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct onode *o;
        uint32_t ext_line = (uint32_t)sqlite3_column_int(s, 5);
        ALLOC_GROW(v, cnt + 1, alloc);
        o = &v[cnt];
        memset(o, 0, sizeof(*o));
        o->line = (uint32_t)sqlite3_column_int(s, 1);
        o->col = (uint32_t)sqlite3_column_int(s, 2);
        o->eline = (uint32_t)sqlite3_column_int(s, 3);
        o->ecol = (uint32_t)sqlite3_column_int(s, 4);
        o->sline = ext_line ? ext_line : o->line;
        o->scol = ext_line ? (uint32_t)sqlite3_column_int(s, 6) : o->col;
        o->is_def = sqlite3_column_int(s, 7) != 0;
        o->name = col_str(q, s, 8);
        o->qname = col_str(q, s, 9);
        o->kind = (enum store_kind)sqlite3_column_int(s, 10);
        o->usr = col_str(q, s, 11);
        o->signature =
            store_sig_unpack(&q->mem, (const char *)sqlite3_column_text(s, 12), o->qname);
        o->parent = -1;
        /* close the containers that end before this one starts */
        while (depth &&
               !pos_le(o->sline, o->scol, v[stack[depth - 1]].eline, v[stack[depth - 1]].ecol))
            depth--;
        if (depth) {
            const struct onode *p = &v[stack[depth - 1]];
            if (pos_le(p->sline, p->scol, o->sline, o->scol) &&
                pos_le(o->eline, o->ecol, p->eline, p->ecol))
                o->parent = stack[depth - 1];
        }
        if (is_container(o->kind) && (o->parent >= 0 || !depth)) {
            ALLOC_GROW(stack, depth + 1, salloc);
            stack[depth++] = (long)cnt;
        }
        cnt++;
    }
    sqlite3_reset(s);
    free(stack);
    if (rc != SQLITE_DONE) {
        free(v);
        return store_q_dberr(q, rc, "cannot read the file's symbols");
    }
    *out = v;
    *n = cnt;
    return 0;
}

static json_t *node_json(struct onode *o)
{
    json_t *j = json_object();
    json_object_set_new(j, "name", store_q_str(o->name));
    json_object_set_new(j, "qualified_name", store_q_str(o->qname));
    json_object_set_new(j, "kind", json_string(store_kind_name(o->kind)));
    json_object_set_new(j, "usr", store_q_str(o->usr));
    json_object_set_new(j, "signature", store_q_str(o->signature ? o->signature : ""));
    json_object_set_new(j, "line", json_integer(o->line));
    json_object_set_new(j, "column", json_integer(o->col));
    json_object_set_new(j, "start_line", json_integer(o->sline));
    json_object_set_new(j, "start_column", json_integer(o->scol));
    json_object_set_new(j, "end_line", json_integer(o->eline));
    json_object_set_new(j, "end_column", json_integer(o->ecol));
    json_object_set_new(j, "definition", json_boolean(o->is_def));
    o->children = json_array();
    json_object_set(j, "children", o->children);
    return j;
}

static int add_includes(struct qctx *q, int64_t file_id, json_t *res)
{
    sqlite3_stmt *s = store_stmt(q->st, STMT_Q_FILE_INCLUDES);
    json_t *arr = json_array();
    int rc;
    if (!s) {
        json_decref(arr);
        return store_q_dberr(q, sqlite3_errcode(q->st->db), "cannot read includes");
    }
    sqlite3_bind_int64(s, 1, file_id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && json_array_size(arr) < OUTLINE_MAX) {
        json_t *o = json_object();
        json_object_set_new(o, "line", json_integer(sqlite3_column_int(s, 0)));
        json_object_set_new(o, "file", store_q_path(q, (const char *)sqlite3_column_text(s, 1)));
        json_array_append_new(arr, o);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        json_decref(arr);
        return store_q_dberr(q, rc, "cannot read includes");
    }
    json_object_set_new(res, "includes", arr);
    return 0;
}

static int outline(struct qctx *q, const char *file, const char *pattern, size_t limit,
                   size_t offset, json_t *res)
{
    struct onode *v = NULL;
    size_t n = 0, kept = 0, shown = 0;
    size_t plen = pattern ? strlen(pattern) : 0;
    json_t *ids = NULL, *top = json_array();
    const char *path = NULL;
    int64_t file_id;
    int rc;

    json_object_set_new(res, "file", store_q_str(file));
    json_object_set_new(res, "symbols", top);
    json_object_set_new(res, "includes", json_array());
    json_object_set_new(res, "total", json_integer(0));
    json_object_set_new(res, "truncated", json_false());
    json_object_set_new(res, "next_offset", json_null());
    rc = store_q_file_find(q, file, true, &ids, &path, NULL, res);
    if (rc || !ids || json_array_size(ids) != 1) {
        json_decref(ids);
        return rc;
    }
    file_id = json_integer_value(json_array_get(ids, 0));
    json_decref(ids);
    json_object_set_new(res, "file", store_q_path(q, path));

    rc = read_nodes(q, file_id, &v, &n);
    if (rc)
        return rc;
    /* keep the matches and their containers */
    for (size_t i = 0; i < n; i++) {
        if (!plen || contains_nocase(v[i].name, pattern, plen) ||
            contains_nocase(v[i].qname, pattern, plen)) {
            for (long k = (long)i; k >= 0 && !v[k].keep; k = v[k].parent)
                v[k].keep = true;
        }
    }
    /* a page of the kept symbols in file order; a symbol whose parent is on an earlier page
     * comes at the top level, naming its parent */
    for (size_t i = 0; i < n; i++) {
        json_t *j;
        if (!v[i].keep)
            continue;
        kept++;
        if (kept <= offset || shown >= limit)
            continue;
        shown++;
        j = node_json(&v[i]);
        if (v[i].parent >= 0 && v[v[i].parent].children)
            json_array_append_new(v[v[i].parent].children, j);
        else {
            if (v[i].parent >= 0)
                json_object_set_new(j, "parent", json_string(v[v[i].parent].qname));
            json_array_append_new(top, j);
        }
    }
    for (size_t i = 0; i < n; i++)
        json_decref(v[i].children);
    free(v);
    json_object_set_new(res, "total", json_integer((json_int_t)kept));
    json_object_set_new(res, "truncated", json_boolean(offset + shown < kept));
    json_object_set_new(res, "next_offset",
                        offset + shown < kept ? json_integer((json_int_t)(offset + shown))
                                              : json_null());
    return add_includes(q, file_id, res);
}

struct outline_args {
    const char *file, *pattern;
    size_t limit, offset;
};

static int outline_fn(struct qctx *q, const void *arg, json_t *res)
{
    const struct outline_args *a = arg;
    return outline(q, a->file, a->pattern, a->limit, a->offset, res);
}

int store_query_file_outline_page(struct store *st, const char *file, const char *pattern,
                                  size_t limit, size_t offset, json_t **out, struct err *err)
{
    struct outline_args a = {file, pattern, limit, offset};
    if (limit == 0 || limit > OUTLINE_MAX)
        return err_set(err, ERR_INVALID, "limit must be 1 to %d", OUTLINE_MAX);
    return store_q_run(st, STORE_Q_FILE_OUTLINE, outline_fn, &a, out, err);
}

int store_query_file_outline(struct store *st, const char *file, const char *pattern, json_t **out,
                             struct err *err)
{
    return store_query_file_outline_page(st, file, pattern, OUTLINE_MAX, 0, out, err);
}
