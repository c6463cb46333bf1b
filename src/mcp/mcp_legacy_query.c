/*
 * mcp_legacy_query.c - the legacy tool set's query tools: search_classes, search_functions,
 * search_symbols, find_in_file, get_function_signature, get_class_info, get_class_hierarchy,
 * get_derived_classes, find_callers, find_callees and get_call_path, with the parameters and the
 * result shapes of the plan's Python server. Every result is {data, metadata}: data is what the
 * Python server answered, metadata says whether the answer is complete or partial (its
 * EnhancedQueryResult).
 *
 * No query is written here. Searches are store_search in regex mode, case-insensitive, which
 * searches anywhere in the simple name as the Python server's re.search did; everything else is
 * the code queries of the main tools (store_query_symbol_info, _class_hierarchy,
 * _incoming_calls, _outgoing_calls, _call_path, _resolve) and store_symbol_by_usr. This file
 * maps arguments and shapes results.
 *
 * Where the Python server took the first of several classes with one name, these tools take
 * the first candidate the store names; where it took every function with a name (callers,
 * callees, call paths), these run the query once per candidate and merge the answers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp_int.h"

/* The kinds the Python server indexed as classes, and as functions (constructors, destructors
 * and conversions were methods to it). */
#define CLASS_KINDS (STORE_KIND_BIT(STORE_KIND_CLASS) | STORE_KIND_BIT(STORE_KIND_STRUCT))
#define SCOPE_KINDS (CLASS_KINDS | STORE_KIND_BIT(STORE_KIND_UNION))
#define FUNCTION_KINDS STORE_KINDS_FUNCTIONS

#define MAX_RESULTS STORE_QUERY_LIMIT_MAX /* entries of one list: one page of a query */
#define MAX_RUNS 50                       /* queries a call runs for an ambiguous name */
#define MAX_PATHS 100                     /* call paths of get_call_path */
#define MAX_TREE 2000 /* nodes of each inheritance tree of get_class_hierarchy */
#define HIERARCHY_DEPTH 1000

/* ---- result helpers ---- */

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static json_t *str_or_null(const char *s)
{
    return s && *s ? mcp_json_str(s) : json_null();
}

static json_t *line_or_null(uint32_t line)
{
    return line ? json_integer(line) : json_null();
}

/* A borrowed value as a new reference, or json null. */
static json_t *ref_or_null(const json_t *v)
{
    return v ? json_incref((json_t *)v) : json_null();
}

/* A file of a result as the Python server gave it: an absolute path. The code queries give
 * paths relative to the project root when inside it. */
static json_t *abs_path(const struct mcp_call *c, const char *file)
{
    char *p;
    json_t *o;
    if (!file || !*file)
        return json_null();
    if (file[0] == '/' || !c->view->root)
        return mcp_json_str(file);
    p = path_join(c->view->root, file);
    o = mcp_json_str(p);
    free(p);
    return o;
}

/* The Python server's kind names: class, struct, function, method. */
static const char *legacy_kind(enum store_kind k)
{
    switch (k) {
    case STORE_KIND_FUNCTION:
        return "function";
    case STORE_KIND_METHOD:
    case STORE_KIND_CONSTRUCTOR:
    case STORE_KIND_DESTRUCTOR:
    case STORE_KIND_CONVERSION:
        return "method";
    default:
        return store_kind_name(k);
    }
}

static bool is_class_kind(enum store_kind k)
{
    return (STORE_KIND_BIT(k) & SCOPE_KINDS) != 0;
}

/* What a list cut at MAX_RESULTS (or a query's own bound) says in the metadata. */
struct cut {
    uint64_t total;
    bool truncated;
};

static json_t *metadata(const struct mcp_call *c)
{
    const struct mcp_view *v = c->view;
    size_t failed = v->failed < v->done ? v->failed : v->done;
    size_t indexed = v->unchanged + v->done - failed, total = v->unchanged + v->total;
    double pct = total ? 100.0 * (double)indexed / (double)total : c->partial ? 0.0 : 100.0;
    char ts[32], warning[256];
    json_t *m = json_object();

    mcp_legacy_time_iso(ts, time_now());
    json_object_set_new(m, "status", json_string(c->partial ? "partial" : "complete"));
    json_object_set_new(m, "indexed_files", json_integer((json_int_t)indexed));
    json_object_set_new(m, "total_files", json_integer((json_int_t)total));
    json_object_set_new(m, "completion_percentage", json_real(pct));
    json_object_set_new(m, "timestamp", json_string(ts));
    if (c->partial) {
        snprintf(warning, sizeof(warning),
                 "INCOMPLETE RESULTS: only %.1f%% of files indexed (%zu of %zu); results may be "
                 "missing symbols. Use wait_for_indexing to wait for completion.",
                 pct, indexed, total);
        json_object_set_new(m, "warning", json_string(warning));
    } else {
        json_object_set_new(m, "warning", json_null());
    }
    return m;
}

/* The answer {data, metadata[, hint]}: takes data. */
static json_t *answer(const struct mcp_call *c, json_t *data, const struct cut *cut,
                      const char *hint)
{
    json_t *o = json_object(), *m = metadata(c);
    json_object_set_new(o, "data", data);
    if (cut && cut->truncated) {
        size_t n = json_is_array(data) ? json_array_size(data) : 0;
        json_object_set_new(m, "truncated", json_true());
        json_object_set_new(m, "returned", json_integer((json_int_t)n));
        json_object_set_new(m, "total_matches", json_integer((json_int_t)cut->total));
    }
    json_object_set_new(o, "metadata", m);
    if (hint)
        json_object_set_new(o, "hint", mcp_json_str(hint));
    return o;
}

/* ---- symbols as the Python server described them ---- */

/* The base classes' names of a class, from symbol_info (info, or looked up by usr). */
static int add_bases(struct mcp_call *c, json_t *item, const char *usr, const json_t *info)
{
    json_t *own = NULL, *names = json_array();
    const json_t *b;
    size_t i;

    if (!info && usr) {
        struct store_target t;
        struct err e = {0};
        int rc;
        memset(&t, 0, sizeof(t));
        t.usr = usr;
        t.all_scopes = true;
        rc = store_query_symbol_info(c->st, &t, &own, &e);
        if (rc != 0) {
            json_decref(names);
            return mcp_query_failed(c, rc, &e);
        }
        info = own;
    }
    json_array_foreach(json_object_get(info, "bases"), i, b)
    {
        json_array_append_new(names, ref_or_null(json_object_get(b, "name")));
    }
    json_object_set_new(item, "base_classes", names);
    json_decref(own);
    return MCP_TOOL_OK;
}

/*
 * One symbol (a search row) as the Python server listed it: name, kind, file, line, column,
 * is_project, the extents, the declaration in a header, the doc comment; classes add their
 * base_classes (from info, the class's symbol_info, or looked up), functions their signature and
 * parent_class.
 */
static int row_item(struct mcp_call *c, const struct store_symbol_row *r, const json_t *info,
                    json_t **out)
{
    const struct store_location *at = &r->location;
    const struct store_location *def = &r->definition, *decl = &r->declaration;
    bool header = def->file && decl->file && strcmp(def->file, decl->file) != 0;
    json_t *o = json_object();
    int rc = MCP_TOOL_OK;

    json_object_set_new(o, "name", mcp_json_str(r->name ? r->name : ""));
    json_object_set_new(o, "qualified_name",
                        mcp_json_str(r->qualified_name ? r->qualified_name : ""));
    json_object_set_new(o, "kind", json_string(legacy_kind(r->kind)));
    json_object_set_new(o, "file", abs_path(c, at->file));
    json_object_set_new(o, "line", json_integer(at->line));
    json_object_set_new(o, "column", json_integer(at->col));
    json_object_set_new(o, "is_project", json_boolean(r->is_project));
    json_object_set_new(o, "namespace", mcp_json_str(r->namespace_ ? r->namespace_ : ""));
    json_object_set_new(o, "usr", str_or_null(r->usr));
    if (is_class_kind(r->kind)) {
        rc = add_bases(c, o, r->usr, info);
    } else {
        bool member = r->kind != STORE_KIND_FUNCTION && r->kind < STORE_KIND_COUNT_ &&
                      (STORE_KIND_BIT(r->kind) & FUNCTION_KINDS);
        json_object_set_new(o, "signature", mcp_json_str(r->signature ? r->signature : ""));
        json_object_set_new(o, "parent_class", mcp_json_str(member && r->parent ? r->parent : ""));
        json_object_set_new(o, "access", json_string(store_access_name(r->access)));
    }
    json_object_set_new(o, "start_line", line_or_null(at->file ? at->line : 0));
    json_object_set_new(o, "end_line", line_or_null(at->file ? at->end_line : 0));
    json_object_set_new(o, "header_file", header ? abs_path(c, decl->file) : json_null());
    json_object_set_new(o, "header_start_line", line_or_null(header ? decl->line : 0));
    json_object_set_new(o, "header_end_line", line_or_null(header ? decl->end_line : 0));
    json_object_set_new(o, "brief", str_or_null(r->brief));
    json_object_set_new(o, "doc_comment", str_or_null(r->doc));
    if (rc != MCP_TOOL_OK) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return MCP_TOOL_OK;
}

/* row_item for the symbol usr; *out NULL when the index no longer has it. */
static int usr_item(struct mcp_call *c, const char *usr, const json_t *info, json_t **out)
{
    struct store_search_result res;
    struct err e = {0};
    int rc;

    *out = NULL;
    rc = store_symbol_by_usr(c->st, usr, &res, &e);
    if (rc == ERR_NOTFOUND)
        return MCP_TOOL_OK;
    if (rc != 0)
        return mcp_query_failed(c, rc, &e);
    rc = row_item(c, &res.rows[0], info, out);
    store_search_result_release(&res);
    return rc;
}

/* Runs one search and appends an item per row to list. arg names the argument a bad pattern
 * came from. */
static int search_into(struct mcp_call *c, const struct store_search_query *q, const char *arg,
                       json_t *list, struct cut *cut)
{
    struct store_search_result res;
    struct err e = {0};
    int rc;

    rc = store_search(c->st, q, &res, &e);
    if (rc == ERR_INVALID || rc == ERR_LIMIT)
        return mcp_call_bad_arg(c, "'%s': %s", arg, e.msg);
    if (rc != 0)
        return mcp_call_fail(c, "the search failed: %s", e.msg);
    for (size_t i = 0; i < res.n && rc == MCP_TOOL_OK; i++) {
        json_t *item = NULL;
        rc = row_item(c, &res.rows[i], NULL, &item);
        if (rc == MCP_TOOL_OK)
            json_array_append_new(list, item);
    }
    cut->total += res.total;
    cut->truncated = cut->truncated || res.truncated;
    store_search_result_release(&res);
    return rc;
}

/* A file argument (file_name, file_path): NULL when absent; else resolved inside the project,
 * or kept as a path suffix (shapes.h) for the search's file filter. */
static int file_arg(struct mcp_call *c, const char *arg, char **out)
{
    const char *v = mcp_arg_str(c->args, arg, NULL);
    *out = NULL;
    if (!v || !*v)
        return MCP_TOOL_OK;
    return mcp_query_file(c, arg, v, out);
}

/*
 * The qualified names of the classes called name (class_name arguments): the one the name
 * resolves to, or every candidate when several match. *out is an array of strings, empty when
 * no class matches.
 */
static int class_scopes(struct mcp_call *c, const char *name, json_t **out)
{
    struct store_target t;
    struct err e = {0};
    json_t *res = NULL, *names = json_array();
    const json_t *sym, *cand;
    size_t i;
    int rc;

    memset(&t, 0, sizeof(t));
    t.name = name;
    t.kinds = SCOPE_KINDS;
    t.all_scopes = true;
    rc = store_query_resolve(c->st, &t, &res, &e);
    if (rc != 0) {
        json_decref(names);
        return mcp_query_failed(c, rc, &e);
    }
    sym = json_object_get(json_object_get(res, "symbol"), "qualified_name");
    if (json_is_string(sym))
        json_array_append_new(names, json_incref((json_t *)sym));
    json_array_foreach(json_object_get(res, "candidates"), i, cand)
    {
        const json_t *q = json_object_get(cand, "qualified_name"), *have;
        size_t k;
        bool dup = false;
        json_array_foreach(names, k, have)
        {
            dup = dup || json_equal((json_t *)have, (json_t *)q);
        }
        if (json_is_string(q) && !dup)
            json_array_append_new(names, json_incref((json_t *)q));
    }
    json_decref(res);
    *out = names;
    return MCP_TOOL_OK;
}

/*
 * symbol_info of the class called name: the first candidate when several match, as the Python
 * server took the first. *out is NULL when no class matches.
 */
static int class_info(struct mcp_call *c, const char *name, json_t **out)
{
    struct store_target t;
    struct err e = {0};
    json_t *info = NULL, *again = NULL;
    int rc;

    *out = NULL;
    memset(&t, 0, sizeof(t));
    t.name = name;
    t.kinds = SCOPE_KINDS;
    t.all_scopes = true;
    rc = store_query_symbol_info(c->st, &t, &info, &e);
    if (rc == 0 && json_is_true(json_object_get(info, "ambiguous"))) {
        const json_t *first = json_array_get(json_object_get(info, "candidates"), 0);
        t.usr = json_string_value(json_object_get(first, "usr"));
        if (t.usr)
            rc = store_query_symbol_info(c->st, &t, &again, &e);
        json_decref(info);
        info = again;
    }
    if (rc != 0) {
        json_decref(info);
        return mcp_query_failed(c, rc, &e);
    }
    if (!json_is_string(json_object_get(info, "usr"))) {
        json_decref(info);
        return MCP_TOOL_OK;
    }
    *out = info;
    return MCP_TOOL_OK;
}

/* get_class_info's data for the class of info: the class, its methods and its members. */
static int class_data(struct mcp_call *c, const json_t *info, json_t **out)
{
    const char *usr = json_string_value(json_object_get(info, "usr"));
    json_t *o = NULL, *methods, *members;
    const json_t *m;
    size_t i;
    int rc;

    rc = usr_item(c, usr, info, &o);
    if (rc != MCP_TOOL_OK)
        return rc;
    if (!o)
        return mcp_call_fail(c, "the class '%s' left the index while it was read; call again", usr);
    methods = json_array();
    json_array_foreach(json_object_get(info, "methods"), i, m)
    {
        const json_t *loc = json_object_get(m, "location");
        json_t *e = json_object();
        int k = store_kind_parse(json_string_value(json_object_get(m, "kind")));
        json_object_set_new(e, "name", ref_or_null(json_object_get(m, "name")));
        json_object_set_new(e, "qualified_name", ref_or_null(json_object_get(m, "qualified_name")));
        json_object_set_new(e, "kind",
                            json_string(k >= 0 && k < STORE_KIND_COUNT_
                                            ? legacy_kind((enum store_kind)k)
                                            : "method"));
        json_object_set_new(e, "signature", ref_or_null(json_object_get(m, "signature")));
        json_object_set_new(e, "access", ref_or_null(json_object_get(m, "access")));
        json_object_set_new(e, "file",
                            abs_path(c, json_string_value(json_object_get(loc, "file"))));
        json_object_set_new(e, "line", ref_or_null(json_object_get(loc, "line")));
        json_object_set_new(e, "column", ref_or_null(json_object_get(loc, "column")));
        json_object_set_new(e, "usr", ref_or_null(json_object_get(m, "usr")));
        json_array_append_new(methods, e);
    }
    members = json_array();
    json_array_foreach(json_object_get(info, "fields"), i, m)
    {
        const json_t *loc = json_object_get(m, "location");
        json_t *e = json_object();
        json_object_set_new(e, "name", ref_or_null(json_object_get(m, "name")));
        json_object_set_new(e, "qualified_name", ref_or_null(json_object_get(m, "qualified_name")));
        json_object_set_new(e, "kind", ref_or_null(json_object_get(m, "kind")));
        json_object_set_new(e, "signature", ref_or_null(json_object_get(m, "signature")));
        json_object_set_new(e, "access", ref_or_null(json_object_get(m, "access")));
        json_object_set_new(e, "file",
                            abs_path(c, json_string_value(json_object_get(loc, "file"))));
        json_object_set_new(e, "line", ref_or_null(json_object_get(loc, "line")));
        json_object_set_new(e, "column", ref_or_null(json_object_get(loc, "column")));
        json_object_set_new(e, "usr", ref_or_null(json_object_get(m, "usr")));
        json_array_append_new(members, e);
    }
    json_object_set_new(o, "methods", methods);
    json_object_set_new(o, "members", members);
    *out = o;
    return MCP_TOOL_OK;
}

/* ---- text ---- */

static void text_line(struct strbuf *out, struct strbuf *line)
{
    for (size_t i = 0; i < line->len; i++)
        if (line->buf[i] == '\n' || line->buf[i] == '\r')
            line->buf[i] = ' ';
    strbuf_addch(line, '\n');
    mcp_text_add(out, line->buf, line->len);
    strbuf_reset(line);
}

/* The metadata worth a line: partial results, a cut list; and the hint. */
static void render_head(struct strbuf *out, const json_t *r)
{
    const json_t *m = json_object_get(r, "metadata"), *hint = json_object_get(r, "hint");
    struct strbuf line = STRBUF_INIT;
    if (json_is_string(json_object_get(m, "warning"))) {
        strbuf_addf(&line, "partial: %s", json_string_value(json_object_get(m, "warning")));
        text_line(out, &line);
    }
    if (json_is_true(json_object_get(m, "truncated"))) {
        strbuf_addf(&line, "truncated: %lld of %lld matches shown",
                    (long long)json_integer_value(json_object_get(m, "returned")),
                    (long long)json_integer_value(json_object_get(m, "total_matches")));
        text_line(out, &line);
    }
    if (json_is_string(hint)) {
        strbuf_adds(&line, json_string_value(hint));
        text_line(out, &line);
    }
    strbuf_release(&line);
}

/* "kind qualified_name file:line  signature : bases (n call sites)" */
static void item_text(struct strbuf *line, const json_t *it)
{
    const json_t *sites = json_object_get(it, "call_sites"), *bases;
    const char *sig = json_string_value(json_object_get(it, "signature"));
    const char *file = json_string_value(json_object_get(it, "file"));
    const char *q = json_string_value(json_object_get(it, "qualified_name"));
    const json_t *b;
    size_t i;

    strbuf_addf(line, "%s %s", or_empty(json_string_value(json_object_get(it, "kind"))),
                q && *q ? q : or_empty(json_string_value(json_object_get(it, "name"))));
    if (file)
        strbuf_addf(line, " %s:%lld", file,
                    (long long)json_integer_value(json_object_get(it, "line")));
    if (sig && *sig)
        strbuf_addf(line, "  %s", sig);
    bases = json_object_get(it, "base_classes");
    json_array_foreach(bases, i, b)
    {
        strbuf_addf(line, "%s%s", i ? ", " : " : ", json_string_value(b));
    }
    if (json_is_array(sites))
        strbuf_addf(line, " (%zu call site%s)", json_array_size(sites),
                    json_array_size(sites) == 1 ? "" : "s");
}

static void render_items(struct strbuf *out, const json_t *list)
{
    struct strbuf line = STRBUF_INIT;
    const json_t *it;
    size_t i;
    json_array_foreach(list, i, it)
    {
        strbuf_adds(&line, "  ");
        item_text(&line, it);
        text_line(out, &line);
    }
    strbuf_release(&line);
}

/* data a list of symbols */
static void render_list(struct strbuf *out, const json_t *r)
{
    const json_t *data = json_object_get(r, "data");
    struct strbuf line = STRBUF_INIT;
    render_head(out, r);
    strbuf_addf(&line, "%zu result%s", json_array_size(data),
                json_array_size(data) == 1 ? "" : "s");
    text_line(out, &line);
    render_items(out, data);
    strbuf_release(&line);
}

/* data {classes, functions} */
static void render_symbols(struct strbuf *out, const json_t *r)
{
    const json_t *data = json_object_get(r, "data");
    struct strbuf line = STRBUF_INIT;
    render_head(out, r);
    strbuf_addf(&line, "classes (%zu):", json_array_size(json_object_get(data, "classes")));
    text_line(out, &line);
    render_items(out, json_object_get(data, "classes"));
    strbuf_addf(&line, "functions (%zu):", json_array_size(json_object_get(data, "functions")));
    text_line(out, &line);
    render_items(out, json_object_get(data, "functions"));
    strbuf_release(&line);
}

/* data a list of strings */
static void render_strings(struct strbuf *out, const json_t *r)
{
    const json_t *data = json_object_get(r, "data"), *s;
    struct strbuf line = STRBUF_INIT;
    size_t i;
    render_head(out, r);
    json_array_foreach(data, i, s)
    {
        strbuf_adds(&line, json_string_value(s));
        text_line(out, &line);
    }
    strbuf_release(&line);
}

static void render_class(struct strbuf *out, const json_t *data, const char *indent)
{
    struct strbuf line = STRBUF_INIT;
    const char *brief = json_string_value(json_object_get(data, "brief"));
    const json_t *list;
    strbuf_adds(&line, indent);
    item_text(&line, data);
    text_line(out, &line);
    if (brief) {
        strbuf_addf(&line, "%s  // %s", indent, brief);
        text_line(out, &line);
    }
    list = json_object_get(data, "methods");
    if (list) {
        strbuf_addf(&line, "%smethods (%zu):", indent, json_array_size(list));
        text_line(out, &line);
        render_items(out, list);
    }
    list = json_object_get(data, "members");
    if (list) {
        strbuf_addf(&line, "%smembers (%zu):", indent, json_array_size(list));
        text_line(out, &line);
        render_items(out, list);
    }
    strbuf_release(&line);
}

static void render_class_info(struct strbuf *out, const json_t *r)
{
    const json_t *data = json_object_get(r, "data");
    render_head(out, r);
    if (json_is_object(data))
        render_class(out, data, "");
}

/* One line per node of an inheritance tree, indented by depth. */
static void render_tree(struct strbuf *out, const json_t *node, const char *edge, int depth)
{
    struct strbuf line = STRBUF_INIT;
    const json_t *kid;
    size_t i;
    strbuf_addf(&line, "%*s%s%s", 2 * depth + 2, "",
                json_string_value(json_object_get(node, "name")),
                json_is_true(json_object_get(node, "circular_reference")) ? " (circular)" : "");
    text_line(out, &line);
    strbuf_release(&line);
    json_array_foreach(json_object_get(node, edge), i, kid)
    {
        render_tree(out, kid, edge, depth + 1);
    }
}

static void render_hierarchy(struct strbuf *out, const json_t *r)
{
    const json_t *data = json_object_get(r, "data");
    struct strbuf line = STRBUF_INIT;
    render_head(out, r);
    if (json_is_object(data)) {
        if (json_is_true(json_object_get(data, "truncated"))) {
            strbuf_adds(&line, "truncated: the hierarchy is larger than shown");
            text_line(out, &line);
        }
        render_class(out, json_object_get(data, "class_info"), "");
        strbuf_adds(&line, "bases (up):");
        text_line(out, &line);
        render_tree(out, json_object_get(data, "base_hierarchy"), "base_classes", 0);
        strbuf_adds(&line, "derived (down):");
        text_line(out, &line);
        render_tree(out, json_object_get(data, "derived_hierarchy"), "derived_classes", 0);
    }
    strbuf_release(&line);
}

static void render_paths(struct strbuf *out, const json_t *r)
{
    const json_t *data = json_object_get(r, "data"), *path, *step;
    struct strbuf line = STRBUF_INIT;
    size_t i, k;
    render_head(out, r);
    strbuf_addf(&line, "%zu path%s", json_array_size(data), json_array_size(data) == 1 ? "" : "s");
    text_line(out, &line);
    json_array_foreach(data, i, path)
    {
        strbuf_adds(&line, " ");
        json_array_foreach(path, k, step)
        {
            strbuf_addf(&line, "%s%s", k ? " -> " : " ", json_string_value(step));
        }
        text_line(out, &line);
    }
    strbuf_release(&line);
}

/* ---- schemas (JSON text with ' for ") ---- */

#define S_METADATA                                                                                 \
    "{'type':'object','description':'how complete the answer is','properties':{"                   \
    "'status':{'type':'string','enum':['complete','partial'],'description':'partial while "        \
    "indexing is not finished'},"                                                                  \
    "'indexed_files':{'type':'integer'},'total_files':{'type':'integer'},"                         \
    "'completion_percentage':{'type':'number'},"                                                   \
    "'timestamp':{'type':'string','description':'when the answer was made (ISO 8601, UTC)'},"      \
    "'warning':{'type':['string','null'],'description':'set when the results are partial'},"       \
    "'truncated':{'type':'boolean','description':'the list was cut'},"                             \
    "'returned':{'type':'integer'},'total_matches':{'type':'integer'}},"                           \
    "'required':['status','indexed_files','total_files','completion_percentage','timestamp',"      \
    "'warning']}"
#define S_ANSWER(data)                                                                             \
    "{'type':'object','properties':{'data':" data ",'metadata':" S_METADATA ","                    \
    "'hint':{'type':'string','description':'why nothing was found, and what to try'}},"            \
    "'required':['data','metadata']}"
#define S_LINE "{'type':['integer','null']}"
#define S_SYMBOL_PROPS                                                                             \
    "'name':{'type':'string'},'qualified_name':{'type':'string'},"                                 \
    "'kind':{'type':'string','description':'class, struct, function or method (constructors, "     \
    "destructors and conversions are methods)'},"                                                  \
    "'file':{'type':['string','null'],'description':'absolute path'},"                             \
    "'line':{'type':'integer'},'column':{'type':'integer'},'is_project':{'type':'boolean'},"       \
    "'namespace':{'type':'string'},'usr':{'type':['string','null']},"                              \
    "'start_line':" S_LINE ",'end_line':" S_LINE ","                                               \
    "'header_file':{'type':['string','null'],'description':'the declaration, when it is in "       \
    "another file than the definition'},"                                                          \
    "'header_start_line':" S_LINE ",'header_end_line':" S_LINE ","                                 \
    "'brief':{'type':['string','null']},'doc_comment':{'type':['string','null']}"
#define S_SYMBOL_REQUIRED "'name','qualified_name','kind','file','line','column','is_project'"
#define S_CLASS_PROPS S_SYMBOL_PROPS ",'base_classes':{'type':'array','items':{'type':'string'}}"
#define S_CLASS                                                                                    \
    "{'type':'object','properties':{" S_CLASS_PROPS "},'required':[" S_SYMBOL_REQUIRED             \
    ",'base_classes']}"
#define S_FUNCTION_PROPS                                                                           \
    S_SYMBOL_PROPS ",'signature':{'type':'string'},'parent_class':{'type':'string',"               \
                   "'description':'the class of a method (qualified), empty for a function'},"     \
                   "'access':{'type':'string'}"
#define S_FUNCTION                                                                                 \
    "{'type':'object','properties':{" S_FUNCTION_PROPS "},'required':[" S_SYMBOL_REQUIRED          \
    ",'signature','parent_class']}"
#define S_SYMBOL                                                                                   \
    "{'type':'object','properties':{" S_FUNCTION_PROPS                                             \
    ",'base_classes':{'type':'array','items':{'type':'string'}}},'required':[" S_SYMBOL_REQUIRED   \
    "]}"
#define S_SITE                                                                                     \
    "{'type':'object','properties':{'file':{'type':['string','null']},'line':{'type':"             \
    "'integer'},'column':{'type':'integer'},'via':{'type':'string','description':'a call "         \
    "through this virtual method, which the function overrides'},'virtual':{'type':"               \
    "'boolean'}},'required':['file','line','column']}"
#define S_CALL_ENTRY                                                                               \
    "{'type':'object','properties':{" S_FUNCTION_PROPS                                             \
    ",'call_sites':{'type':'array','items':" S_SITE "}},'required':[" S_SYMBOL_REQUIRED            \
    ",'signature','parent_class','call_sites']}"
#define S_MEMBER                                                                                   \
    "{'type':'object','properties':{'name':{'type':'string'},'qualified_name':{'type':"            \
    "'string'},'kind':{'type':'string'},'signature':{'type':['string','null']},'access':"          \
    "{'type':['string','null']},'file':{'type':['string','null']},'line':{'type':['integer',"      \
    "'null']},'column':{'type':['integer','null']},'usr':{'type':['string','null']}},"             \
    "'required':['name','signature','file','line']}"
#define S_CLASS_INFO                                                                               \
    "{'type':'object','properties':{" S_CLASS_PROPS ",'methods':{'type':'array','items':" S_MEMBER \
    "},'members':{'type':'array','items':" S_MEMBER "}},'required':[" S_SYMBOL_REQUIRED            \
    ",'base_classes','methods','members']}"
#define S_PATTERN                                                                                  \
    "{'type':'string','maxLength':4096,'description':'the name pattern: a case-insensitive "       \
    "regular expression searched anywhere in the name (My.*Class, ^get, View$); empty matches "    \
    "every name'}"
#define S_PROJECT_ONLY                                                                             \
    "{'type':'boolean','default':true,'description':'true: only project files; false: "            \
    "dependencies and system headers too'}"
#define S_FILE_NAME                                                                                \
    "{'type':'string','description':'only symbols located in this file: an absolute path, a "      \
    "path relative to the project root, or a file name or path suffix (MyClass.h)'}"
#define S_CLASS_NAME                                                                               \
    "{'type':'string','description':'only the methods of this class (a simple or qualified "       \
    "name); leave it out for every function and method'}"

/* ---- search_classes ---- */

/* The search the legacy tools share: the "pattern" argument as a case-insensitive regular
   expression searched anywhere in the name, docs included, at most MAX_RESULTS. */
static void regex_query(struct store_search_query *q, const struct mcp_call *c, unsigned kinds,
                        bool all_scopes)
{
    memset(q, 0, sizeof(*q));
    q->pattern = mcp_arg_str(c->args, "pattern", "");
    q->match = STORE_MATCH_REGEX;
    q->kinds = kinds;
    q->all_scopes = all_scopes;
    q->include_docs = true;
    q->limit = MAX_RESULTS;
}

static int search_classes_call(struct mcp_call *c)
{
    struct store_search_query q;
    struct cut cut = {0};
    json_t *list = json_array();
    char *file = NULL, hint[1024];
    int rc;

    regex_query(&q, c, CLASS_KINDS, !mcp_arg_bool(c->args, "project_only", true));
    if ((rc = file_arg(c, "file_name", &file)) != MCP_TOOL_OK)
        goto out;
    q.file = file;
    if ((rc = search_into(c, &q, "pattern", list, &cut)) != MCP_TOOL_OK)
        goto out;
    snprintf(hint, sizeof(hint),
             "no class or struct name matches '%.200s' (a case-insensitive regular expression "
             "searched anywhere in the name)%s%s",
             q.pattern, q.all_scopes ? "" : "; project_only false also searches dependencies",
             file ? "; or drop file_name" : "");
    c->result = answer(c, list, &cut, json_array_size(list) ? NULL : hint);
    list = NULL;
out:
    json_decref(list);
    free(file);
    return rc;
}

const struct mcp_tool mcp_legacy_search_classes = {
    .name = "search_classes",
    .title = "Search classes",
    .cli = "find_symbols",
    .description =
        "Search C++ class and struct definitions by name pattern (a case-insensitive regular "
        "expression searched anywhere in the name). Use it to find or locate a class by a part "
        "of its name; get_class_info needs the exact name. If called during indexing the "
        "results may be incomplete: metadata.status says partial (wait_for_indexing first for "
        "complete results). Returns name, kind, file, line, is_project, base_classes, the line "
        "range, the declaration's header file, and the doc comment (brief and full).",
    .input_schema = "{'type':'object','properties':{"
                    "'pattern':" S_PATTERN ","
                    "'project_only':" S_PROJECT_ONLY ","
                    "'file_name':" S_FILE_NAME "},"
                    "'required':['pattern'],'additionalProperties':false}",
    .output_schema = S_ANSWER("{'type':'array','items':" S_CLASS "}"),
    .flags = MCP_TOOL_QUERY | MCP_TOOL_OWN_PARTIAL | MCP_TOOL_READ_ONLY,
    .call = search_classes_call,
    .render = render_list,
};

/* ---- search_functions ---- */

static int search_functions_call(struct mcp_call *c)
{
    struct store_search_query q;
    struct cut cut = {0};
    const char *cls = mcp_arg_str(c->args, "class_name", "");
    json_t *list = json_array(), *scopes = NULL;
    char *file = NULL, hint[1024];
    int rc;

    regex_query(&q, c, FUNCTION_KINDS, !mcp_arg_bool(c->args, "project_only", true));
    if ((rc = file_arg(c, "file_name", &file)) != MCP_TOOL_OK)
        goto out;
    q.file = file;
    if (*cls) {
        const json_t *s;
        size_t i;
        if ((rc = class_scopes(c, cls, &scopes)) != MCP_TOOL_OK)
            goto out;
        json_array_foreach(scopes, i, s)
        {
            q.scope = json_string_value(s);
            if ((rc = search_into(c, &q, "pattern", list, &cut)) != MCP_TOOL_OK)
                goto out;
        }
    } else if ((rc = search_into(c, &q, "pattern", list, &cut)) != MCP_TOOL_OK) {
        goto out;
    }
    if (scopes && !json_array_size(scopes))
        snprintf(hint, sizeof(hint), "no class named '%.200s' (search_classes finds classes)", cls);
    else
        snprintf(hint, sizeof(hint),
                 "no function or method name matches '%.200s' (a case-insensitive regular "
                 "expression searched anywhere in the name)%s%s%s",
                 q.pattern, q.all_scopes ? "" : "; project_only false also searches dependencies",
                 *cls ? "; or drop class_name" : "", file ? "; or drop file_name" : "");
    c->result = answer(c, list, &cut, json_array_size(list) ? NULL : hint);
    list = NULL;
out:
    json_decref(list);
    json_decref(scopes);
    free(file);
    return rc;
}

const struct mcp_tool mcp_legacy_search_functions = {
    .name = "search_functions",
    .title = "Search functions",
    .cli = "find_symbols",
    .description =
        "Search C++ functions and methods (constructors, destructors and conversion operators "
        "included) by name pattern (a case-insensitive regular expression searched anywhere in "
        "the name). class_name limits the search to the methods of one class. If called during "
        "indexing the results may be incomplete: metadata.status says partial. Returns name, "
        "kind (function or method), file, line, signature, parent_class, is_project, the line "
        "range, the declaration's header file, and the doc comment.",
    .input_schema = "{'type':'object','properties':{"
                    "'pattern':" S_PATTERN ","
                    "'project_only':" S_PROJECT_ONLY ","
                    "'class_name':" S_CLASS_NAME ","
                    "'file_name':" S_FILE_NAME "},"
                    "'required':['pattern'],'additionalProperties':false}",
    .output_schema = S_ANSWER("{'type':'array','items':" S_FUNCTION "}"),
    .flags = MCP_TOOL_QUERY | MCP_TOOL_OWN_PARTIAL | MCP_TOOL_READ_ONLY,
    .call = search_functions_call,
    .render = render_list,
};

/* ---- search_symbols ---- */

static int search_symbols_call(struct mcp_call *c)
{
    struct store_search_query q;
    struct cut cut = {0};
    const json_t *types = json_object_get(c->args, "symbol_types"), *t;
    unsigned ck = 0, fk = 0;
    json_t *classes = json_array(), *functions = json_array(), *data;
    char hint[1024];
    size_t i;
    int rc = MCP_TOOL_OK;

    json_array_foreach(types, i, t)
    {
        const char *s = json_string_value(t);
        if (!strcmp(s, "class"))
            ck |= STORE_KIND_BIT(STORE_KIND_CLASS);
        else if (!strcmp(s, "struct"))
            ck |= STORE_KIND_BIT(STORE_KIND_STRUCT);
        else if (!strcmp(s, "function"))
            fk |= STORE_KIND_BIT(STORE_KIND_FUNCTION);
        else
            fk |= FUNCTION_KINDS & ~STORE_KIND_BIT(STORE_KIND_FUNCTION);
    }
    if (!json_array_size(types)) {
        ck = CLASS_KINDS;
        fk = FUNCTION_KINDS;
    }
    regex_query(&q, c, 0, !mcp_arg_bool(c->args, "project_only", true));
    if (ck) {
        q.kinds = ck;
        rc = search_into(c, &q, "pattern", classes, &cut);
    }
    if (fk && rc == MCP_TOOL_OK) {
        q.kinds = fk;
        rc = search_into(c, &q, "pattern", functions, &cut);
    }
    if (rc != MCP_TOOL_OK) {
        json_decref(classes);
        json_decref(functions);
        return rc;
    }
    snprintf(hint, sizeof(hint),
             "no symbol name matches '%.200s' (a case-insensitive regular expression searched "
             "anywhere in the name)%s",
             q.pattern, q.all_scopes ? "" : "; project_only false also searches dependencies");
    data = json_object();
    json_object_set_new(data, "classes", classes);
    json_object_set_new(data, "functions", functions);
    c->result =
        answer(c, data, NULL, json_array_size(classes) + json_array_size(functions) ? NULL : hint);
    if (cut.truncated) {
        json_t *m = json_object_get(c->result, "metadata");
        json_object_set_new(m, "truncated", json_true());
        json_object_set_new(
            m, "returned",
            json_integer((json_int_t)(json_array_size(classes) + json_array_size(functions))));
        json_object_set_new(m, "total_matches", json_integer((json_int_t)cut.total));
    }
    return MCP_TOOL_OK;
}

const struct mcp_tool mcp_legacy_search_symbols = {
    .name = "search_symbols",
    .title = "Search symbols",
    .cli = "find_symbols",
    .description =
        "Search classes, structs, functions and methods at once with one pattern (a "
        "case-insensitive regular expression searched anywhere in the name). Returns "
        "{classes, functions}, each a list as search_classes and search_functions return it; "
        "symbol_types limits which are searched. If called during indexing the results may be "
        "incomplete: metadata.status says partial.",
    .input_schema = "{'type':'object','properties':{"
                    "'pattern':" S_PATTERN ","
                    "'project_only':" S_PROJECT_ONLY ","
                    "'symbol_types':{'type':'array','maxItems':4,'items':{'type':'string',"
                    "'enum':['class','struct','function','method']},'description':'only these "
                    "kinds (method includes constructors and destructors); leave it out for "
                    "all'}},"
                    "'required':['pattern'],'additionalProperties':false}",
    .output_schema = S_ANSWER("{'type':'object','properties':{'classes':{'type':'array',"
                              "'items':" S_CLASS "},'functions':{'type':'array','items':" S_FUNCTION
                              "}},'required':['classes','functions']}"),
    .flags = MCP_TOOL_QUERY | MCP_TOOL_OWN_PARTIAL | MCP_TOOL_READ_ONLY,
    .call = search_symbols_call,
    .render = render_symbols,
};

/* ---- find_in_file ---- */

static int find_in_file_call(struct mcp_call *c)
{
    struct store_search_query q;
    struct cut cut = {0};
    json_t *list = json_array();
    char *file = NULL, hint[1024];
    int rc;

    regex_query(&q, c, CLASS_KINDS | FUNCTION_KINDS, true);
    if ((rc = file_arg(c, "file_path", &file)) != MCP_TOOL_OK)
        goto out;
    q.file = file;
    if ((rc = search_into(c, &q, "pattern", list, &cut)) != MCP_TOOL_OK)
        goto out;
    snprintf(hint, sizeof(hint),
             "no class or function located in '%.300s' matches '%.200s' (is the file indexed? "
             "its definitions count where they are defined)",
             mcp_arg_str(c->args, "file_path", ""), q.pattern);
    c->result = answer(c, list, &cut, json_array_size(list) ? NULL : hint);
    list = NULL;
out:
    json_decref(list);
    free(file);
    return rc;
}

const struct mcp_tool mcp_legacy_find_in_file = {
    .name = "find_in_file",
    .title = "Find in a file",
    .cli = "find_symbols",
    .description =
        "Search classes, structs, functions and methods located in one source file, by name "
        "pattern (a case-insensitive regular expression searched anywhere in the name). A "
        "symbol is located at its definition, else at its declaration. Returns the symbols "
        "with their locations and line ranges; metadata.status says partial while indexing.",
    .input_schema =
        "{'type':'object','properties':{"
        "'file_path':{'type':'string','minLength':1,'description':'the file: an absolute path, "
        "a path relative to the project root, or a file name or path suffix (main.cpp)'},"
        "'pattern':" S_PATTERN "},"
        "'required':['file_path','pattern'],'additionalProperties':false}",
    .output_schema = S_ANSWER("{'type':'array','items':" S_SYMBOL "}"),
    .flags = MCP_TOOL_QUERY | MCP_TOOL_OWN_PARTIAL | MCP_TOOL_READ_ONLY,
    .call = find_in_file_call,
    .render = render_list,
};

/* ---- get_function_signature ---- */

/* "Class::name(params) const": the signature from the qualified name on, without the return
 * type, as the Python server formatted it. */
static json_t *signature_text(const struct store_symbol_row *r)
{
    const char *sig = r->signature, *q = r->qualified_name, *at;
    if (sig && q && *q && (at = strstr(sig, q)) != NULL)
        return mcp_json_str(at);
    if (sig && *sig)
        return mcp_json_str(sig);
    return mcp_json_str(q ? q : r->name ? r->name : "");
}

static int function_signature_call(struct mcp_call *c)
{
    struct store_search_query q;
    struct store_search_result res;
    const char *name = mcp_arg_str(c->args, "function_name", "");
    const char *cls = mcp_arg_str(c->args, "class_name", "");
    json_t *list = json_array(), *scopes = NULL;
    struct err e = {0};
    char hint[1024];
    size_t i, k, nscopes = 1;
    int rc = MCP_TOOL_OK;

    memset(&q, 0, sizeof(q));
    q.pattern = name;
    q.match = strstr(name, "::") ? STORE_MATCH_QUALIFIED : STORE_MATCH_EXACT;
    q.kinds = FUNCTION_KINDS;
    q.case_sensitive = true;
    q.all_scopes = true;
    q.limit = MAX_RESULTS;
    if (*cls) {
        if ((rc = class_scopes(c, cls, &scopes)) != MCP_TOOL_OK)
            goto out;
        nscopes = json_array_size(scopes);
    }
    for (k = 0; k < nscopes; k++) {
        q.scope = scopes ? json_string_value(json_array_get(scopes, k)) : NULL;
        rc = store_search(c->st, &q, &res, &e);
        if (rc == ERR_INVALID || rc == ERR_LIMIT) {
            rc = mcp_call_bad_arg(c, "'function_name': %s", e.msg);
            goto out;
        }
        if (rc != 0) {
            rc = mcp_call_fail(c, "the search failed: %s", e.msg);
            goto out;
        }
        for (i = 0; i < res.n; i++)
            json_array_append_new(list, signature_text(&res.rows[i]));
        store_search_result_release(&res);
    }
    snprintf(hint, sizeof(hint),
             "no function or method is named exactly '%.200s'%s (names are case-sensitive here; "
             "search_functions finds parts of names)",
             name, *cls ? " in that class" : "");
    c->result = answer(c, list, NULL, json_array_size(list) ? NULL : hint);
    list = NULL;
out:
    json_decref(list);
    json_decref(scopes);
    return rc;
}

const struct mcp_tool mcp_legacy_get_function_signature = {
    .name = "get_function_signature",
    .title = "Function signatures",
    .cli = "find_symbols",
    .description =
        "Signatures of the functions and methods with exactly this name (case-sensitive), one "
        "string per overload: the qualified name with the parameters and qualifiers, without "
        "the return type (geo::Circle::draw(Sink &out) const override). class_name keeps the "
        "methods of one class. search_functions gives locations and more.",
    .input_schema =
        "{'type':'object','properties':{"
        "'function_name':{'type':'string','minLength':1,'description':'the exact name of the "
        "function or method (case-sensitive; a qualified name works too)'},"
        "'class_name':" S_CLASS_NAME "},"
        "'required':['function_name'],'additionalProperties':false}",
    .output_schema = S_ANSWER("{'type':'array','items':{'type':'string'}}"),
    .flags = MCP_TOOL_QUERY | MCP_TOOL_OWN_PARTIAL | MCP_TOOL_READ_ONLY,
    .call = function_signature_call,
    .render = render_strings,
};

/* ---- get_class_info ---- */

static int class_info_call(struct mcp_call *c)
{
    const char *name = mcp_arg_str(c->args, "class_name", "");
    json_t *info = NULL, *data = NULL;
    char hint[1024];
    int rc;

    if ((rc = class_info(c, name, &info)) != MCP_TOOL_OK)
        return rc;
    if (!info) {
        snprintf(hint, sizeof(hint),
                 "Class '%.200s' not found (search_classes finds classes by a part of the name)",
                 name);
        c->result = answer(c, json_null(), NULL, hint);
        return MCP_TOOL_OK;
    }
    rc = class_data(c, info, &data);
    json_decref(info);
    if (rc != MCP_TOOL_OK)
        return rc;
    c->result = answer(c, data, NULL, NULL);
    return MCP_TOOL_OK;
}

const struct mcp_tool mcp_legacy_get_class_info = {
    .name = "get_class_info",
    .title = "Class information",
    .cli = "get_symbol_info",
    .description =
        "Everything about one class: its location and line range, base classes, doc comment, "
        "methods (with signatures and access, in declaration order) and members (fields). "
        "Needs the class's name (simple or qualified); when several classes have it, the first "
        "is shown. Not found: data is null and hint says so (search_classes finds classes by a "
        "part of the name).",
    .input_schema = "{'type':'object','properties':{"
                    "'class_name':{'type':'string','minLength':1,'description':'the class name "
                    "(simple or qualified)'}},"
                    "'required':['class_name'],'additionalProperties':false}",
    .output_schema = S_ANSWER("{'anyOf':[" S_CLASS_INFO ",{'type':'null'}]}"),
    .flags = MCP_TOOL_QUERY | MCP_TOOL_OWN_PARTIAL | MCP_TOOL_READ_ONLY,
    .call = class_info_call,
    .render = render_class_info,
};

/* ---- get_class_hierarchy ---- */

/* An inheritance tree built from the hierarchy query's nodes, following one edge list. */
struct tree {
    const json_t *nodes;
    const char *edge; /* "bases" or "derived" */
    const char *out;  /* "base_classes" or "derived_classes" */
    const char **path;
    size_t depth, budget;
    bool cut;
};

/* {name, base_classes|derived_classes: [trees]}; {name, circular_reference: true} for a class
 * already on the path (the Python server's shape). */
static json_t *tree_of(struct tree *t, const char *key)
{
    json_t *o = json_object(), *kids;
    const json_t *edges, *e;
    size_t i;

    json_object_set_new(o, "name", mcp_json_str(key));
    for (i = 0; i < t->depth; i++)
        if (!strcmp(t->path[i], key)) {
            json_object_set_new(o, "circular_reference", json_true());
            return o;
        }
    kids = json_array();
    edges = json_object_get(json_object_get(t->nodes, key), t->edge);
    t->path[t->depth++] = key;
    json_array_foreach(edges, i, e)
    {
        if (!t->budget || !json_is_string(e)) {
            t->cut = t->cut || !t->budget;
            break;
        }
        t->budget--;
        json_array_append_new(kids, tree_of(t, json_string_value(e)));
    }
    t->depth--;
    json_object_set_new(o, t->out, kids);
    return o;
}

static json_t *tree(const json_t *nodes, const char *root, const char *edge, const char *out,
                    bool *cut)
{
    struct tree t;
    json_t *o;
    memset(&t, 0, sizeof(t));
    t.nodes = nodes;
    t.edge = edge;
    t.out = out;
    t.budget = MAX_TREE;
    t.path = xcalloc(MAX_TREE + 1, sizeof(*t.path));
    o = tree_of(&t, root);
    free(t.path);
    *cut = *cut || t.cut;
    return o;
}

/* The class items of the keys of one edge list of a hierarchy node. */
static int edge_items(struct mcp_call *c, const json_t *nodes, const json_t *keys,
                      bool project_only, json_t *list)
{
    const json_t *k;
    size_t i;
    json_array_foreach(keys, i, k)
    {
        const char *usr =
            json_string_value(json_object_get(json_object_get(nodes, json_string_value(k)), "usr"));
        json_t *item = NULL;
        int rc;
        if (!usr)
            continue;
        if ((rc = usr_item(c, usr, NULL, &item)) != MCP_TOOL_OK)
            return rc;
        if (item && project_only && !json_is_true(json_object_get(item, "is_project")))
            json_decref(item);
        else if (item)
            json_array_append_new(list, item);
    }
    return MCP_TOOL_OK;
}

/* The hierarchy query around the class of info (direction and depth as given). */
static int hierarchy(struct mcp_call *c, const json_t *info, enum store_direction dir,
                     uint32_t depth, uint32_t nodes, json_t **out)
{
    struct store_hierarchy_args a;
    struct err e = {0};
    int rc;
    memset(&a, 0, sizeof(a));
    a.target.usr = json_string_value(json_object_get(info, "usr"));
    a.target.all_scopes = true;
    a.direction = dir;
    a.max_depth = depth;
    a.max_nodes = nodes;
    rc = store_query_class_hierarchy(c->st, &a, out, &e);
    return rc ? mcp_query_failed(c, rc, &e) : MCP_TOOL_OK;
}

static int class_hierarchy_call(struct mcp_call *c)
{
    const char *name = mcp_arg_str(c->args, "class_name", "");
    json_t *info = NULL, *h = NULL, *data = NULL, *cls = NULL, *derived;
    const json_t *nodes, *root_node;
    const char *root;
    bool cut = false;
    char hint[1024];
    int rc;

    if ((rc = class_info(c, name, &info)) != MCP_TOOL_OK)
        return rc;
    if (!info) {
        snprintf(hint, sizeof(hint), "Class '%.200s' not found", name);
        c->result = answer(c, json_null(), NULL, hint);
        return MCP_TOOL_OK;
    }
    if ((rc = hierarchy(c, info, STORE_DIR_BOTH, HIERARCHY_DEPTH, MAX_TREE, &h)) != MCP_TOOL_OK)
        goto out;
    if ((rc = class_data(c, info, &cls)) != MCP_TOOL_OK)
        goto out;
    nodes = json_object_get(h, "nodes");
    root = json_string_value(json_object_get(h, "root"));
    root_node = json_object_get(nodes, root ? root : "");
    data = json_object();
    json_object_set_new(data, "name", mcp_json_str(root ? root : name));
    json_object_set_new(data, "class_info", cls);
    json_object_set_new(data, "base_classes", json_deep_copy(json_object_get(root_node, "bases")));
    derived = json_array();
    json_object_set_new(data, "derived_classes", derived);
    if ((rc = edge_items(c, nodes, json_object_get(root_node, "derived"), false, derived)) !=
        MCP_TOOL_OK)
        goto out;
    json_object_set_new(data, "base_hierarchy",
                        tree(nodes, root ? root : name, "bases", "base_classes", &cut));
    json_object_set_new(data, "derived_hierarchy",
                        tree(nodes, root ? root : name, "derived", "derived_classes", &cut));
    json_object_set_new(data, "truncated",
                        json_boolean(cut || json_is_true(json_object_get(h, "truncated"))));
    c->result = answer(c, data, NULL, NULL);
    data = NULL;
out:
    json_decref(data);
    json_decref(h);
    json_decref(info);
    return rc;
}

#define S_TREE_OF(edge)                                                                            \
    "{'type':'object','properties':{'name':{'type':'string'},'" edge "':{'type':'array',"          \
    "'items':{'type':'object','properties':{'name':{'type':'string'}},'required':['name']}},"      \
    "'circular_reference':{'type':'boolean'}},'required':['name']}"
#define S_BASE_TREE S_TREE_OF("base_classes")
#define S_DERIVED_TREE S_TREE_OF("derived_classes")

const struct mcp_tool mcp_legacy_get_class_hierarchy = {
    .name = "get_class_hierarchy",
    .title = "Class hierarchy",
    .cli = "get_class_hierarchy",
    .description =
        "The complete inheritance hierarchy of a class in both directions: base_hierarchy (all "
        "ancestors, recursively, to the roots) and derived_hierarchy (all descendants, "
        "recursively, to the leaves), with class_info, the direct base_classes and the direct "
        "derived_classes. Use it for 'all subclasses of X' (get_derived_classes gives the "
        "direct children only). Trees hold the qualified names; a diamond's top appears under "
        "each path. Not found: data is null.",
    .input_schema = "{'type':'object','properties':{"
                    "'class_name':{'type':'string','minLength':1,'description':'the class "
                    "(simple or qualified name)'}},"
                    "'required':['class_name'],'additionalProperties':false}",
    .output_schema =
        S_ANSWER("{'anyOf':[{'type':'object','properties':{'name':{'type':'string'},"
                 "'class_info':" S_CLASS_INFO ",'base_classes':{'type':'array','items':{'type':"
                 "'string'}},'derived_classes':{'type':'array','items':" S_CLASS "},"
                 "'base_hierarchy':" S_BASE_TREE ","
                 "'derived_hierarchy':" S_DERIVED_TREE ","
                 "'truncated':{'type':'boolean','description':'the hierarchy is larger than "
                 "shown (more than 2000 classes on a side)'}},"
                 "'required':['name','class_info','base_classes','derived_classes',"
                 "'base_hierarchy','derived_hierarchy','truncated']},{'type':'null'}]}"),
    .flags = MCP_TOOL_QUERY | MCP_TOOL_OWN_PARTIAL | MCP_TOOL_READ_ONLY,
    .call = class_hierarchy_call,
    .render = render_hierarchy,
};

/* ---- get_derived_classes ---- */

static int derived_classes_call(struct mcp_call *c)
{
    const char *name = mcp_arg_str(c->args, "class_name", "");
    bool project_only = mcp_arg_bool(c->args, "project_only", true);
    json_t *info = NULL, *h = NULL, *list = json_array();
    const json_t *nodes, *root_node;
    struct cut cut = {0};
    char hint[1024];
    int rc;

    if ((rc = class_info(c, name, &info)) != MCP_TOOL_OK)
        goto out;
    if (!info) {
        snprintf(hint, sizeof(hint), "Class '%.200s' not found", name);
        c->result = answer(c, list, NULL, hint);
        list = NULL;
        goto out;
    }
    if ((rc = hierarchy(c, info, STORE_DIR_DOWN, 1, MAX_RESULTS + 1, &h)) != MCP_TOOL_OK)
        goto out;
    nodes = json_object_get(h, "nodes");
    root_node = json_object_get(nodes, json_string_value(json_object_get(h, "root")));
    if ((rc = edge_items(c, nodes, json_object_get(root_node, "derived"), project_only, list)) !=
        MCP_TOOL_OK)
        goto out;
    cut.truncated = json_array_size(json_object_get(root_node, "derived")) > MAX_RESULTS;
    cut.total = json_array_size(json_object_get(root_node, "derived"));
    snprintf(hint, sizeof(hint), "no class derives directly from '%.200s'%s", name,
             project_only ? " in the project (project_only false also looks in dependencies)" : "");
    c->result = answer(c, list, &cut, json_array_size(list) ? NULL : hint);
    list = NULL;
out:
    json_decref(list);
    json_decref(h);
    json_decref(info);
    return rc;
}

const struct mcp_tool mcp_legacy_get_derived_classes = {
    .name = "get_derived_classes",
    .title = "Derived classes",
    .cli = "get_class_hierarchy",
    .description =
        "The classes that DIRECTLY inherit from a class (one level down: if C derives from B "
        "and B from A, A gives only B). For all descendants use get_class_hierarchy. Returns "
        "each class with name, kind, file, line, column, is_project, base_classes and its line "
        "range.",
    .input_schema = "{'type':'object','properties':{"
                    "'class_name':{'type':'string','minLength':1,'description':'the base class "
                    "(simple or qualified name)'},"
                    "'project_only':" S_PROJECT_ONLY "},"
                    "'required':['class_name'],'additionalProperties':false}",
    .output_schema = S_ANSWER("{'type':'array','items':" S_CLASS "}"),
    .flags = MCP_TOOL_QUERY | MCP_TOOL_OWN_PARTIAL | MCP_TOOL_READ_ONLY,
    .call = derived_classes_call,
    .render = render_list,
};

/* ---- find_callers, find_callees ---- */

struct calls {
    bool incoming;
    json_t *list;        /* function items with call_sites */
    struct strmap index; /* usr -> position in list + 1 */
    struct cut cut;
    size_t runs;
    char *hint;
};

static json_t *sites_json(const struct mcp_call *c, const json_t *sites)
{
    json_t *out = json_array();
    const json_t *s;
    size_t i;
    json_array_foreach(sites, i, s)
    {
        json_t *o = json_deep_copy(s);
        json_object_set_new(o, "file", abs_path(c, json_string_value(json_object_get(s, "file"))));
        json_array_append_new(out, o);
    }
    return out;
}

/* Adds the callers (callees) of one answer of the call queries to k, merging by usr. */
static int calls_merge(struct mcp_call *c, struct calls *k, const json_t *res)
{
    const json_t *entry;
    size_t i;

    json_array_foreach(json_object_get(res, k->incoming ? "callers" : "callees"), i, entry)
    {
        const json_t *sym = json_object_get(entry, "symbol");
        const char *usr = json_string_value(json_object_get(sym, "usr"));
        json_t *sites = sites_json(c, json_object_get(entry, "sites")), *item = NULL;
        uintptr_t at;
        int rc;

        if (!usr) { /* a call outside any function (a global's initializer) */
            json_decref(sites);
            continue;
        }
        at = (uintptr_t)strmap_get(&k->index, usr);
        if (at) {
            json_array_extend(json_object_get(json_array_get(k->list, at - 1), "call_sites"),
                              sites);
            json_decref(sites);
            continue;
        }
        if ((rc = usr_item(c, usr, NULL, &item)) != MCP_TOOL_OK) {
            json_decref(sites);
            return rc;
        }
        if (!item) {
            json_decref(sites);
            continue;
        }
        json_object_set_new(item, "call_sites", sites);
        json_array_append_new(k->list, item);
        strmap_put(&k->index, usr, (void *)(uintptr_t)json_array_size(k->list));
    }
    k->cut.total += (uint64_t)json_integer_value(json_object_get(res, "total"));
    k->cut.truncated = k->cut.truncated || json_is_true(json_object_get(res, "truncated"));
    return MCP_TOOL_OK;
}

/* Runs the call query for a; a name that stands for several functions runs it for each. */
static int calls_run(struct mcp_call *c, struct calls *k, const struct store_calls_args *a)
{
    struct err e = {0};
    json_t *res = NULL;
    const json_t *cand;
    size_t i;
    int rc;

    k->runs++;
    rc = k->incoming ? store_query_incoming_calls(c->st, a, &res, &e)
                     : store_query_outgoing_calls(c->st, a, &res, &e);
    if (rc != 0)
        return mcp_query_failed(c, rc, &e);
    if (json_is_true(json_object_get(res, "ambiguous"))) {
        json_array_foreach(json_object_get(res, "candidates"), i, cand)
        {
            struct store_calls_args one = *a;
            one.target.usr = json_string_value(json_object_get(cand, "usr"));
            if (!one.target.usr)
                continue;
            if (k->runs >= MAX_RUNS) {
                k->cut.truncated = true;
                break;
            }
            if ((rc = calls_run(c, k, &one)) != MCP_TOOL_OK)
                break;
        }
        k->cut.truncated =
            k->cut.truncated || json_integer_value(json_object_get(res, "candidates_total")) >
                                    (json_int_t)json_array_size(json_object_get(res, "candidates"));
    } else {
        rc = calls_merge(c, k, res);
        if (!k->hint && json_is_string(json_object_get(res, "hint")))
            k->hint = xstrdup(json_string_value(json_object_get(res, "hint")));
    }
    json_decref(res);
    return rc;
}

static int calls_call(struct mcp_call *c, bool incoming)
{
    const char *fn = mcp_arg_str(c->args, "function_name", "");
    const char *cls = mcp_arg_str(c->args, "class_name", "");
    char *name = *cls ? xasprintf("%s::%s", cls, fn) : xstrdup(fn);
    struct store_calls_args a;
    struct calls k;
    int rc;

    memset(&k, 0, sizeof(k));
    k.incoming = incoming;
    k.list = json_array();
    memset(&a, 0, sizeof(a));
    a.target.name = name;
    a.target.kinds = FUNCTION_KINDS;
    a.target.all_scopes = true;
    a.limit = MAX_RESULTS;
    rc = calls_run(c, &k, &a);
    if (rc == MCP_TOOL_OK) {
        char hint[1024];
        if (!k.hint)
            snprintf(hint, sizeof(hint), "'%.200s' has no %s in the index", name,
                     incoming ? "callers" : "callees");
        c->result = answer(c, k.list, &k.cut,
                           json_array_size(k.list) ? NULL
                           : k.hint                ? k.hint
                                                   : hint);
        k.list = NULL;
    }
    json_decref(k.list);
    strmap_clear(&k.index);
    free(k.hint);
    free(name);
    return rc;
}

static int find_callers_call(struct mcp_call *c)
{
    return calls_call(c, true);
}

static int find_callees_call(struct mcp_call *c)
{
    return calls_call(c, false);
}

#define S_CALLS_INPUT(what)                                                                        \
    "{'type':'object','properties':{"                                                              \
    "'function_name':{'type':'string','minLength':1,'description':'" what "'},"                    \
    "'class_name':{'type':'string','default':'','description':'the class of a method, to "         \
    "tell methods of one name apart; empty: every function and method with the name'}},"           \
    "'required':['function_name'],'additionalProperties':false}"

const struct mcp_tool mcp_legacy_find_callers = {
    .name = "find_callers",
    .title = "Find callers",
    .cli = "find_incoming_calls",
    .description =
        "Find the functions and methods that call a function, each with its call_sites (file, "
        "line, column of every call). A call through a virtual method that the function "
        "overrides counts (the site says via which). With several functions of the name "
        "(overloads, methods of different classes) the callers of all of them are merged; "
        "class_name narrows to one class. Use it for impact analysis: what breaks if this "
        "changes.",
    .input_schema = S_CALLS_INPUT("the function or method called (a simple or qualified name)"),
    .output_schema = S_ANSWER("{'type':'array','items':" S_CALL_ENTRY "}"),
    .flags = MCP_TOOL_QUERY | MCP_TOOL_OWN_PARTIAL | MCP_TOOL_READ_ONLY,
    .call = find_callers_call,
    .render = render_list,
};

const struct mcp_tool mcp_legacy_find_callees = {
    .name = "find_callees",
    .title = "Find callees",
    .cli = "find_outgoing_calls",
    .description =
        "Find the functions and methods that a function calls (the inverse of find_callers), "
        "each with the call_sites in the function's body. The file and line of an entry are "
        "where the callee is defined; call_sites are where it is called. With several functions "
        "of the name the answers are merged; class_name narrows to one class.",
    .input_schema = S_CALLS_INPUT("the calling function or method (a simple or qualified name)"),
    .output_schema = S_ANSWER("{'type':'array','items':" S_CALL_ENTRY "}"),
    .flags = MCP_TOOL_QUERY | MCP_TOOL_OWN_PARTIAL | MCP_TOOL_READ_ONLY,
    .call = find_callees_call,
    .render = render_list,
};

/* ---- get_call_path ---- */

struct paths {
    json_t *list;       /* [[qualified names]] */
    struct strmap seen; /* the paths as "a > b > c" */
    size_t runs;
    bool cut;
    char *hint;
};

/* Runs the path query for a; an argument that stands for several functions (not overloads of
 * one: the query takes those together) runs it for each candidate. */
static int paths_run(struct mcp_call *c, struct paths *p, const struct store_path_args *a)
{
    struct err e = {0};
    json_t *res = NULL;
    const json_t *path, *step;
    size_t i, k;
    int rc;

    p->runs++;
    if ((rc = store_query_call_path(c->st, a, &res, &e)) != 0)
        return mcp_query_failed(c, rc, &e);
    if (json_is_true(json_object_get(res, "ambiguous"))) {
        bool from = !strcmp(or_empty(json_string_value(json_object_get(res, "argument"))), "from");
        json_array_foreach(json_object_get(res, "candidates"), i, step)
        {
            struct store_path_args one = *a;
            struct store_target *t = from ? &one.from : &one.to;
            t->usr = json_string_value(json_object_get(step, "usr"));
            if (!t->usr)
                continue;
            if (p->runs >= MAX_RUNS || json_array_size(p->list) >= MAX_PATHS) {
                p->cut = true;
                break;
            }
            if ((rc = paths_run(c, p, &one)) != MCP_TOOL_OK)
                break;
        }
        json_decref(res);
        return rc;
    }
    if (!p->hint && json_is_string(json_object_get(res, "hint")))
        p->hint = xstrdup(json_string_value(json_object_get(res, "hint")));
    p->cut = p->cut || json_is_true(json_object_get(res, "truncated"));
    json_array_foreach(json_object_get(res, "paths"), i, path)
    {
        struct strbuf key = STRBUF_INIT;
        json_t *names = json_array();
        json_array_foreach(path, k, step)
        {
            const json_t *q = json_object_get(step, "qualified_name");
            strbuf_addf(&key, "%s%s", k ? " > " : "", or_empty(json_string_value(q)));
            json_array_append_new(names, ref_or_null(q));
        }
        if (strmap_has(&p->seen, key.buf) || json_array_size(p->list) >= MAX_PATHS) {
            p->cut = p->cut || !strmap_has(&p->seen, key.buf);
            json_decref(names);
        } else {
            strmap_put(&p->seen, key.buf, NULL);
            json_array_append_new(p->list, names);
        }
        strbuf_release(&key);
    }
    json_decref(res);
    return MCP_TOOL_OK;
}

static int call_path_call(struct mcp_call *c)
{
    struct store_path_args a;
    struct paths p;
    char hint[1024];
    int rc;

    memset(&a, 0, sizeof(a));
    a.from.name = mcp_arg_str(c->args, "from_function", "");
    a.to.name = mcp_arg_str(c->args, "to_function", "");
    a.from.kinds = a.to.kinds = FUNCTION_KINDS;
    a.from.all_scopes = a.to.all_scopes = true;
    a.max_depth = (uint32_t)mcp_arg_int(c->args, "max_depth", 10);
    a.max_paths = MAX_PATHS;
    memset(&p, 0, sizeof(p));
    p.list = json_array();
    rc = paths_run(c, &p, &a);
    if (rc == MCP_TOOL_OK) {
        struct cut cut = {json_array_size(p.list), p.cut};
        if (!p.hint)
            snprintf(hint, sizeof(hint),
                     "no call path from '%.200s' to '%.200s' within %u calls (a larger "
                     "max_depth looks further)",
                     a.from.name, a.to.name, a.max_depth);
        c->result = answer(c, p.list, &cut,
                           json_array_size(p.list) ? NULL
                           : p.hint                ? p.hint
                                                   : hint);
        p.list = NULL;
    }
    json_decref(p.list);
    strmap_clear(&p.seen);
    free(p.hint);
    return rc;
}

const struct mcp_tool mcp_legacy_get_call_path = {
    .name = "get_call_path",
    .title = "Call paths",
    .cli = "trace_call_path",
    .description =
        "Find call paths from one function to another through the call graph (main -> init "
        "-> setup -> loadConfig), shortest first, each a list of qualified names. Paths never "
        "visit a function twice; at most 100 are returned. Empty when no path exists within "
        "max_depth calls.",
    .input_schema =
        "{'type':'object','properties':{"
        "'from_function':{'type':'string','minLength':1,'description':'where the paths start "
        "(a simple or qualified name)'},"
        "'to_function':{'type':'string','minLength':1,'description':'where the paths end'},"
        "'max_depth':{'type':'integer','minimum':1,'maximum':100,'default':10,'description':"
        "'the most calls on a path; keep it low (5-15) in large code bases'}},"
        "'required':['from_function','to_function'],'additionalProperties':false}",
    .output_schema = S_ANSWER("{'type':'array','items':{'type':'array','items':{'type':"
                              "'string'}}}"),
    .flags = MCP_TOOL_QUERY | MCP_TOOL_OWN_PARTIAL | MCP_TOOL_READ_ONLY,
    .call = call_path_call,
    .render = render_paths,
};
