/*
 * store_query_info.c - get_symbol_info: one symbol with its declaration and definition
 * (extents), documentation, attributes and, by kind, what a reader asks next: a class's bases,
 * derived classes and members; a function's overloads and the methods it overrides or is
 * overridden by; an enum's constants; a typedef's target and canonical type.
 *
 * Members are the symbols whose scope is the class's qualified name (symbols_scope), ordered as
 * declared in the file that defines the class. Every list reads its ids with one indexed
 * statement and its rows with one more (store_q_symbols).
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* Entries per member list; the rest is counted in "totals". */
#define INFO_LIST_MAX 200

struct ids {
    int64_t *v;
    size_t n, alloc;
};

static void ids_add(struct ids *l, int64_t id)
{
    ALLOC_GROW(l->v, l->n + 1, l->alloc);
    l->v[l->n++] = id;
}

/* Runs a statement whose first column is a symbol id, bound to one integer. */
static int read_ids(struct qctx *q, enum store_stmt id, int64_t arg, struct ids *out)
{
    sqlite3_stmt *s = store_stmt(q->st, id);
    int rc;
    if (!s)
        return store_q_dberr(q, sqlite3_errcode(q->st->db), "cannot read a symbol's relations");
    sqlite3_bind_int64(s, 1, arg);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        ids_add(out, sqlite3_column_int64(s, 0));
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_q_dberr(q, rc, "cannot read a symbol's relations");
    return 0;
}

/* {file, line, column, start_line, start_column, end_line, end_column} of a decls row. */
static json_t *decl_json(const struct qctx *q, sqlite3_stmt *s)
{
    const char *path = (const char *)sqlite3_column_text(s, 0);
    uint32_t line = (uint32_t)sqlite3_column_int(s, 2), col = (uint32_t)sqlite3_column_int(s, 3);
    uint32_t ext_line = (uint32_t)sqlite3_column_int(s, 6);
    uint32_t ext_col = (uint32_t)sqlite3_column_int(s, 7);
    json_t *o = store_q_loc(q, path, line, col);
    if (!json_is_object(o))
        return o;
    json_object_set_new(o, "start_line", json_integer(ext_line ? ext_line : line));
    json_object_set_new(o, "start_column", json_integer(ext_line ? ext_col : col));
    json_object_set_new(o, "end_line", json_integer(sqlite3_column_int(s, 4)));
    json_object_set_new(o, "end_column", json_integer(sqlite3_column_int(s, 5)));
    return o;
}

/* Sets declaration and definition; *def_file is the file id of the definition (or the first
 * declaration), where members are declared. */
static int add_decls(struct qctx *q, const struct qsym *sym, json_t *res, int64_t *def_file)
{
    sqlite3_stmt *s = store_stmt(q->st, STMT_Q_DECLS);
    json_t *def = NULL, *decl = NULL;
    int rc;

    *def_file = 0;
    if (!s)
        return store_q_dberr(q, sqlite3_errcode(q->st->db), "cannot read declarations");
    sqlite3_bind_int64(s, 1, sym->id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        bool is_def = sqlite3_column_int(s, 1) != 0;
        if (!*def_file)
            *def_file = sqlite3_column_int64(s, 8);
        if (is_def && !def)
            def = decl_json(q, s);
        else if (!is_def && !decl)
            decl = decl_json(q, s);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        json_decref(def);
        json_decref(decl);
        return store_q_dberr(q, rc, "cannot read declarations");
    }
    /* a symbol declared only by its definition is declared there */
    if (!decl && def)
        decl = json_deep_copy(def);
    json_object_set_new(res, "declaration", decl ? decl : json_null());
    json_object_set_new(res, "definition", def ? def : json_null());
    return 0;
}

static json_t *member_json(const struct qctx *q, const struct qsym *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", store_q_str(m->name));
    json_object_set_new(o, "qualified_name", store_q_str(m->qname));
    json_object_set_new(o, "kind", json_string(store_kind_name(m->kind)));
    json_object_set_new(o, "usr", store_q_str(m->usr));
    json_object_set_new(o, "signature", store_q_str(m->signature ? m->signature : ""));
    json_object_set_new(o, "access", json_string(store_access_name(m->access)));
    json_object_set_new(o, "attributes", store_q_attrs(m->attrs));
    json_object_set_new(o, "location", store_q_loc(q, m->file, m->line, m->col));
    return o;
}

struct info {
    struct qctx *q;
    json_t *res;
    json_t *totals; /* counts of the lists that were cut */
};

/* Reads the rows of l (at most INFO_LIST_MAX) and sets res[key] to their JSON. */
static int emit_list(struct info *in, const char *key, const struct ids *l,
                     json_t *(*fn)(const struct qctx *, const struct qsym *), bool sort_by_name)
{
    size_t n = l->n < INFO_LIST_MAX ? l->n : INFO_LIST_MAX;
    struct qsym *rows = xmalloc(sizeof(*rows) * (n ? n : 1));
    json_t *arr = json_array();
    int rc;

    rc = store_q_symbols(in->q, l->v, n, rows);
    if (!rc && sort_by_name) {
        /* insertion sort by qualified name: the lists are short */
        for (size_t i = 1; i < n; i++) {
            struct qsym t = rows[i];
            size_t j = i;
            while (j > 0 && rows[j - 1].qname && t.qname &&
                   strcmp(rows[j - 1].qname, t.qname) > 0) {
                rows[j] = rows[j - 1];
                j--;
            }
            rows[j] = t;
        }
    }
    for (size_t i = 0; !rc && i < n; i++)
        if (rows[i].id)
            json_array_append_new(arr, fn(in->q, &rows[i]));
    free(rows);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    json_object_set_new(in->res, key, arr);
    if (l->n > n) {
        if (!in->totals)
            in->totals = json_object();
        json_object_set_new(in->totals, key, json_integer((json_int_t)l->n));
    }
    return 0;
}

static json_t *constant_json(const struct qctx *q, const struct qsym *m)
{
    json_t *o = json_object();
    const char *eq = m->signature ? strstr(m->signature, " = ") : NULL;
    json_object_set_new(o, "name", store_q_str(m->name));
    json_object_set_new(o, "qualified_name", store_q_str(m->qname));
    json_object_set_new(o, "value", eq ? store_q_str(eq + 3) : json_null());
    json_object_set_new(o, "usr", store_q_str(m->usr));
    json_object_set_new(o, "location", store_q_loc(q, m->file, m->line, m->col));
    return o;
}

static int scope_of(struct qctx *q, const char *qname, int64_t *out)
{
    sqlite3_stmt *s = store_stmt(q->st, STMT_SCOPE_ID);
    int rc;
    *out = -1;
    if (!s)
        return store_q_dberr(q, sqlite3_errcode(q->st->db), "cannot read a scope");
    sqlite3_bind_text(s, 1, qname, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_q_dberr(q, rc, "cannot read a scope");
    return 0;
}

/* The members of the scope named like sym, as declared in def_file: (id, kind) pairs. */
static int read_members(struct qctx *q, const struct qsym *sym, int64_t def_file, struct ids *ids,
                        struct ids *kinds)
{
    sqlite3_stmt *s;
    int64_t scope;
    int rc = scope_of(q, sym->qname, &scope);
    if (rc || scope < 0)
        return rc;
    s = store_stmt(q->st, STMT_Q_CHILDREN);
    if (!s)
        return store_q_dberr(q, sqlite3_errcode(q->st->db), "cannot read members");
    sqlite3_bind_int64(s, 1, scope);
    sqlite3_bind_int64(s, 2, def_file);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        ids_add(ids, sqlite3_column_int64(s, 0));
        ids_add(kinds, sqlite3_column_int64(s, 1));
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_q_dberr(q, rc, "cannot read members");
    return 0;
}

static json_t *base_json(const struct qctx *q, const struct qsym *b, int access, bool virt)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", store_q_str(b->qname));
    json_object_set_new(o, "usr", store_q_str(b->usr));
    json_object_set_new(o, "access", json_string(store_access_name((enum store_access)access)));
    json_object_set_new(o, "virtual", json_boolean(virt));
    json_object_set_new(o, "location", store_q_loc(q, b->file, b->line, b->col));
    return o;
}

static int add_bases(struct info *in, const struct qsym *sym)
{
    struct qctx *q = in->q;
    sqlite3_stmt *s = store_stmt(q->st, STMT_Q_BASES);
    struct ids ids = {0}, acc = {0};
    struct qsym *rows = NULL;
    json_t *arr = json_array();
    int rc;

    if (!s) {
        json_decref(arr);
        return store_q_dberr(q, sqlite3_errcode(q->st->db), "cannot read bases");
    }
    sqlite3_bind_int64(s, 1, sym->id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && ids.n < INFO_LIST_MAX) {
        ids_add(&ids, sqlite3_column_int64(s, 0));
        ids_add(&acc, sqlite3_column_int(s, 1) | (sqlite3_column_int(s, 2) ? 0x100 : 0));
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        rc = store_q_dberr(q, rc, "cannot read bases");
        goto out;
    }
    rows = xmalloc(sizeof(*rows) * (ids.n ? ids.n : 1));
    rc = store_q_symbols(q, ids.v, ids.n, rows);
    for (size_t i = 0; !rc && i < ids.n; i++)
        if (rows[i].id)
            json_array_append_new(
                arr, base_json(q, &rows[i], (int)(acc.v[i] & 0xFF), (acc.v[i] & 0x100) != 0));
out:
    free(rows);
    free(ids.v);
    free(acc.v);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    json_object_set_new(in->res, "bases", arr);
    return 0;
}

static int add_record(struct info *in, const struct qsym *sym, int64_t def_file)
{
    struct ids derived = {0}, members = {0}, kinds = {0};
    struct ids methods = {0}, fields = {0}, nested = {0};
    int rc;

    rc = add_bases(in, sym);
    if (!rc)
        rc = read_ids(in->q, STMT_Q_DERIVED, sym->id, &derived);
    if (!rc) {
        /* several base specifiers of one class (two files) give one entry */
        size_t n = 0;
        for (size_t i = 0; i < derived.n; i++) {
            bool dup = false;
            for (size_t j = 0; j < n && !dup; j++)
                dup = derived.v[j] == derived.v[i];
            if (!dup)
                derived.v[n++] = derived.v[i];
        }
        derived.n = n;
        rc = emit_list(in, "derived", &derived, store_q_sym_json, true);
    }
    if (!rc)
        rc = read_members(in->q, sym, def_file, &members, &kinds);
    for (size_t i = 0; !rc && i < members.n; i++) {
        switch ((enum store_kind)kinds.v[i]) {
        case STORE_KIND_METHOD:
        case STORE_KIND_CONSTRUCTOR:
        case STORE_KIND_DESTRUCTOR:
        case STORE_KIND_CONVERSION:
        case STORE_KIND_FUNCTION:
            ids_add(&methods, members.v[i]);
            break;
        case STORE_KIND_FIELD:
        case STORE_KIND_VARIABLE:
            ids_add(&fields, members.v[i]);
            break;
        default:
            ids_add(&nested, members.v[i]);
            break;
        }
    }
    if (!rc)
        rc = emit_list(in, "methods", &methods, member_json, false);
    if (!rc)
        rc = emit_list(in, "fields", &fields, member_json, false);
    if (!rc)
        rc = emit_list(in, "nested", &nested, member_json, false);
    free(derived.v);
    free(members.v);
    free(kinds.v);
    free(methods.v);
    free(fields.v);
    free(nested.v);
    return rc;
}

static int add_enum(struct info *in, const struct qsym *sym, int64_t def_file)
{
    struct ids members = {0}, kinds = {0}, consts = {0};
    int rc = read_members(in->q, sym, def_file, &members, &kinds);
    for (size_t i = 0; !rc && i < members.n; i++)
        if (kinds.v[i] == STORE_KIND_ENUM_CONSTANT)
            ids_add(&consts, members.v[i]);
    if (!rc)
        rc = emit_list(in, "constants", &consts, constant_json, false);
    free(members.v);
    free(kinds.v);
    free(consts.v);
    return rc;
}

static int add_function(struct info *in, const struct qsym *sym)
{
    struct qctx *q = in->q;
    struct ids over = {0}, overrides = {0}, by = {0};
    sqlite3_stmt *s = store_stmt(q->st, STMT_Q_OVERLOADS);
    int rc;

    if (!s)
        return store_q_dberr(q, sqlite3_errcode(q->st->db), "cannot read overloads");
    sqlite3_bind_text(s, 1, sym->name ? sym->name : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, sym->scope_id);
    sqlite3_bind_int64(s, 3, sym->id);
    sqlite3_bind_int64(s, 4, STORE_KINDS_FUNCTIONS);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        ids_add(&over, sqlite3_column_int64(s, 0));
    sqlite3_reset(s);
    rc = rc == SQLITE_DONE ? 0 : store_q_dberr(q, rc, "cannot read overloads");
    if (!rc)
        rc = emit_list(in, "overloads", &over, store_q_sym_json, false);
    if (!rc)
        rc = read_ids(q, STMT_Q_OVERRIDES, sym->id, &overrides);
    if (!rc)
        rc = emit_list(in, "overrides", &overrides, store_q_sym_json, true);
    if (!rc)
        rc = read_ids(q, STMT_Q_OVERRIDDEN_BY, sym->id, &by);
    if (!rc)
        rc = emit_list(in, "overridden_by", &by, store_q_sym_json, true);
    free(over.v);
    free(overrides.v);
    free(by.v);
    return rc;
}

static const char *template_name(enum store_template t)
{
    switch (t) {
    case STORE_TEMPLATE_PRIMARY:
        return "primary";
    case STORE_TEMPLATE_PARTIAL_SPEC:
        return "partial_spec";
    case STORE_TEMPLATE_FULL_SPEC:
        return "full_spec";
    default:
        return NULL;
    }
}

static int fill_info(struct qctx *q, const struct qsym *sym, json_t *res)
{
    struct info in = {q, res, NULL};
    int64_t def_file = 0;
    json_t *doc;
    int rc;

    json_object_set_new(res, "usr", store_q_str(sym->usr));
    json_object_set_new(res, "name", store_q_str(sym->name));
    json_object_set_new(res, "qualified_name", store_q_str(sym->qname));
    json_object_set_new(res, "kind", json_string(store_kind_name(sym->kind)));
    json_object_set_new(res, "signature", store_q_str(sym->signature ? sym->signature : ""));
    json_object_set_new(res, "namespace", store_q_str(sym->ns ? sym->ns : ""));
    json_object_set_new(res, "parent", store_q_str(sym->parent ? sym->parent : ""));
    json_object_set_new(res, "access", json_string(store_access_name(sym->access)));
    json_object_set_new(res, "is_project", json_boolean(sym->is_project));
    json_object_set_new(res, "location", store_q_loc(q, sym->file, sym->line, sym->col));
    rc = add_decls(q, sym, res, &def_file);
    if (rc)
        return rc;
    doc = json_object();
    json_object_set_new(doc, "brief", store_q_str(sym->brief ? sym->brief : ""));
    json_object_set_new(doc, "full", store_q_str(sym->doc ? sym->doc : ""));
    json_object_set_new(res, "doc", doc);
    json_object_set_new(res, "attributes", store_q_attrs(sym->attrs));
    if (template_name(sym->template_kind)) {
        json_t *t = json_object();
        json_object_set_new(t, "kind", json_string(template_name(sym->template_kind)));
        json_object_set_new(t, "params", store_q_str(sym->tparams ? sym->tparams : ""));
        json_object_set_new(res, "template", t);
    } else {
        json_object_set_new(res, "template", json_null());
    }

    switch (sym->kind) {
    case STORE_KIND_CLASS:
    case STORE_KIND_STRUCT:
    case STORE_KIND_UNION:
        rc = add_record(&in, sym, def_file);
        break;
    case STORE_KIND_ENUM:
        rc = add_enum(&in, sym, def_file);
        break;
    case STORE_KIND_FUNCTION:
    case STORE_KIND_METHOD:
    case STORE_KIND_CONSTRUCTOR:
    case STORE_KIND_DESTRUCTOR:
    case STORE_KIND_CONVERSION:
        rc = add_function(&in, sym);
        break;
    case STORE_KIND_TYPEDEF:
    case STORE_KIND_TYPE_ALIAS:
        json_object_set_new(res, "target", store_q_str(sym->target ? sym->target : ""));
        {
            const char *c = store_q_canonical(q, sym);
            json_object_set_new(res, "canonical", store_q_str(c ? c : ""));
        }
        break;
    default:
        break;
    }
    json_object_set_new(res, "truncated", json_boolean(in.totals != NULL));
    if (in.totals)
        json_object_set_new(res, "totals", in.totals);
    return rc;
}

static int info_fn(struct qctx *q, const void *arg, json_t *res)
{
    struct qsym sym;
    int rc = store_q_resolve(q, arg, "name", &sym, res);
    if (!rc && sym.id)
        rc = fill_info(q, &sym, res);
    return rc;
}

int store_query_symbol_info(struct store *st, const struct store_target *t, json_t **out,
                            struct err *err)
{
    return store_q_run(st, STORE_Q_SYMBOL_INFO, info_fn, t, out, err);
}
