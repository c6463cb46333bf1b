/*
 * mcp_tool_find_symbols.c - find_symbols: search symbol names in every match mode (CLI twin:
 * cidx search PATTERN). The query is store_search; this file maps arguments and rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp_int.h"

static json_t *loc(const char *root, const struct store_location *l)
{
    return mcp_location_json(root, l->file, l->line, l->col, l->end_line, l->end_col);
}

static json_t *row_json(const char *root, const struct store_symbol_row *r, bool full)
{
    json_t *o = json_object();
    json_object_set_new(o, "usr", mcp_json_str(r->usr));
    json_object_set_new(o, "name", mcp_json_str(r->name));
    json_object_set_new(o, "qualified_name", mcp_json_str(r->qualified_name));
    json_object_set_new(o, "kind", json_string(store_kind_name(r->kind)));
    json_object_set_new(o, "signature", mcp_json_str(r->signature ? r->signature : ""));
    json_object_set_new(o, "namespace", mcp_json_str(r->namespace_ ? r->namespace_ : ""));
    json_object_set_new(o, "parent", mcp_json_str(r->parent ? r->parent : ""));
    json_object_set_new(o, "access", json_string(store_access_name(r->access)));
    json_object_set_new(o, "is_project", json_boolean(r->is_project));
    json_object_set_new(o, "location", loc(root, &r->location));
    if (r->definition.file)
        json_object_set_new(o, "definition", loc(root, &r->definition));
    json_object_set_new(o, "match", json_string(store_match_name(r->matched)));
    if (full) {
        json_object_set_new(o, "brief", mcp_json_str(r->brief ? r->brief : ""));
        json_object_set_new(o, "doc", mcp_json_str(r->doc ? r->doc : ""));
        json_object_set_new(o, "declaration", loc(root, &r->declaration));
        if (r->template_params)
            json_object_set_new(o, "template_params", mcp_json_str(r->template_params));
    }
    return o;
}

static int call(struct mcp_call *c)
{
    const char *root = c->view->root;
    struct store_search_query q;
    struct store_search_result res;
    const json_t *kinds = json_object_get(c->args, "kinds"), *k;
    const char *v, *file = mcp_arg_str(c->args, "file", NULL);
    char *resolved = NULL;
    struct err e = {0};
    bool full;
    json_t *o, *arr;
    size_t i;
    int rc;

    memset(&q, 0, sizeof(q));
    q.pattern = mcp_arg_str(c->args, "pattern", "");
    json_array_foreach(kinds, i, k)
    {
        q.kinds |= store_kind_mask_parse(json_string_value(k));
    }
    v = mcp_arg_str(c->args, "match", "auto");
    q.match = (enum store_match)store_match_parse(v);
    q.namespace_ = mcp_arg_str(c->args, "namespace", NULL);
    q.all_scopes = !strcmp(mcp_arg_str(c->args, "scope", "project"), "all");
    q.case_sensitive = mcp_arg_bool(c->args, "case_sensitive", false);
    full = !strcmp(mcp_arg_str(c->args, "detail", "brief"), "full");
    q.include_docs = full;
    q.limit = (uint32_t)mcp_arg_int(c->args, "limit", 50);
    q.offset = (uint64_t)mcp_arg_int(c->args, "offset", 0);
    if (file) {
        if (mcp_path_resolve(&resolved, root, file, &e) != 0)
            return mcp_call_bad_arg(c, "'file': %s", e.msg);
        q.file = resolved;
    }
    rc = store_search(c->st, &q, &res, &e);
    free(resolved);
    if (rc == ERR_INVALID || rc == ERR_LIMIT)
        return mcp_call_bad_arg(c, "'pattern': %s", e.msg);
    if (rc != 0)
        return mcp_call_fail(c, "the search failed: %s", e.msg);

    o = json_object();
    arr = json_array();
    for (i = 0; i < res.n; i++)
        json_array_append_new(arr, row_json(root, &res.rows[i], full));
    json_object_set_new(o, "results", arr);
    json_object_set_new(o, "total", json_integer((json_int_t)res.total));
    json_object_set_new(o, "truncated", json_boolean(res.truncated));
    json_object_set_new(o, "next_offset",
                        res.truncated ? json_integer((json_int_t)res.next_offset) : json_null());
    json_object_set_new(o, "mode", json_string(store_match_name(res.mode)));
    if (res.total == 0) {
        char hint[512];
        snprintf(
            hint, sizeof(hint), "no symbol matches (mode %s)%s%s%s", store_match_name(res.mode),
            q.all_scopes ? "" : "; scope 'all' includes dependencies and system headers",
            res.mode == STORE_MATCH_EXACT || res.mode == STORE_MATCH_PREFIX
                ? "; match 'words' or 'substring' finds parts of names"
                : "",
            q.kinds || q.namespace_ || q.file ? "; or drop the kinds/namespace/file filters" : "");
        json_object_set_new(o, "hint", json_string(hint));
    } else if (q.offset >= res.total) {
        json_object_set_new(o, "hint", json_string("offset is past the last result"));
    }
    store_search_result_release(&res);
    c->result = o;
    return MCP_TOOL_OK;
}

static void render(struct strbuf *out, const json_t *r)
{
    const json_t *results = json_object_get(r, "results"), *e, *hint = json_object_get(r, "hint");
    struct strbuf line = STRBUF_INIT;
    size_t i;

    strbuf_addf(&line, "%zu of %lld match%s (mode %s)", json_array_size(results),
                (long long)json_integer_value(json_object_get(r, "total")),
                json_integer_value(json_object_get(r, "total")) == 1 ? "" : "es",
                json_string_value(json_object_get(r, "mode")));
    if (json_is_integer(json_object_get(r, "next_offset")))
        strbuf_addf(&line, "; next page: offset %lld",
                    (long long)json_integer_value(json_object_get(r, "next_offset")));
    if (json_is_string(hint))
        strbuf_addf(&line, "; %s", json_string_value(hint));
    strbuf_addch(&line, '\n');
    mcp_text_add(out, line.buf, line.len);
    json_array_foreach(results, i, e)
    {
        const json_t *l = json_object_get(e, "location");
        const char *sig = json_string_value(json_object_get(e, "signature"));
        const char *brief = json_string_value(json_object_get(e, "brief"));
        strbuf_reset(&line);
        strbuf_addf(&line, "%s %s", json_string_value(json_object_get(e, "kind")),
                    json_string_value(json_object_get(e, "qualified_name")));
        if (json_is_object(l))
            strbuf_addf(&line, " %s:%lld:%lld", json_string_value(json_object_get(l, "file")),
                        (long long)json_integer_value(json_object_get(l, "line")),
                        (long long)json_integer_value(json_object_get(l, "column")));
        if (sig && *sig)
            strbuf_addf(&line, "  %s", sig);
        if (brief && *brief)
            strbuf_addf(&line, "  // %s", brief);
        for (size_t k = 0; k < line.len; k++)
            if (line.buf[k] == '\n' || line.buf[k] == '\r')
                line.buf[k] = ' ';
        strbuf_addch(&line, '\n');
        if (!mcp_text_add(out, line.buf, line.len))
            break;
    }
    strbuf_release(&line);
}

#define SYMBOL_SCHEMA                                                                              \
    "{'type':'object','properties':{"                                                              \
    "'usr':{'type':'string'},'name':{'type':'string'},'qualified_name':{'type':'string'},"         \
    "'kind':{'type':'string'},'signature':{'type':'string'},'namespace':{'type':'string'},"        \
    "'parent':{'type':'string'},'access':{'type':'string','enum':['','public','protected',"        \
    "'private']},'is_project':{'type':'boolean'},"                                                 \
    "'location':" MCP_S_LOCATION_OR_NULL ","                                                       \
    "'definition':" MCP_S_LOCATION ","                                                             \
    "'declaration':" MCP_S_LOCATION_OR_NULL ","                                                    \
    "'match':{'type':'string'},'brief':{'type':'string'},'doc':{'type':'string'},"                 \
    "'template_params':{'type':'string'}},"                                                        \
    "'required':['usr','name','qualified_name','kind','signature','namespace','parent',"           \
    "'access','is_project','location']}"

const struct mcp_tool mcp_tool_find_symbols = {
    .name = "find_symbols",
    .title = "Find symbols",
    .cli = "cidx search PATTERN",
    .description =
        "Find classes, functions, methods, variables, macros and other symbols by name. "
        "Case-insensitive; exact matches first, project code before dependencies. The default "
        "match 'auto' is qualified for a pattern with :: (ui::View, ::main), regex when the "
        "pattern has regex syntax, else exact > prefix > sub-words (push back and pushB find "
        "push_back) > substring. An empty pattern lists everything, page by page.",
    .input_schema =
        "{'type':'object','properties':{"
        "'pattern':{'type':'string','maxLength':4096,'description':'a name, part of one, a "
        "qualified name or a regular expression; empty lists all'},"
        "'kinds':{'type':'array','maxItems':32,'items':{'type':'string','enum':[" MCP_S_KIND_NAMES
        ",'types','functions']},'description':'only these kinds; types and functions are "
        "groups'},"
        "'match':{'type':'string','enum':['auto','exact','prefix','words','substring',"
        "'qualified','regex'],'default':'auto'},"
        "'namespace':{'type':'string','description':'only symbols in this namespace (exact; "
        "empty for the global namespace)'},"
        "'file':{'type':'string','minLength':1,'description':'only symbols located in this "
        "file (project-relative or absolute inside the project)'},"
        "'scope':{'type':'string','enum':['project','all'],'default':'project','description':"
        "'all adds dependencies and system headers'},"
        "'case_sensitive':{'type':'boolean','default':false},"
        "'detail':{'type':'string','enum':['brief','full'],'default':'brief','description':"
        "'full adds doc comments, declarations and extents'},"
        "'limit':" MCP_S_LIMIT ",'offset':" MCP_S_OFFSET "},"
        "'required':['pattern'],'additionalProperties':false}",
    .output_schema = "{'type':'object','properties':{"
                     "'results':{'type':'array','items':" SYMBOL_SCHEMA "},"
                     "'total':{'type':'integer'},'truncated':{'type':'boolean'},"
                     "'next_offset':{'type':['integer','null']},'mode':{'type':'string'},"
                     "'hint':{'type':'string'}},"
                     "'required':['results','total','truncated','next_offset','mode']}",
    .flags = MCP_TOOL_QUERY | MCP_TOOL_READ_ONLY,
    .call = call,
    .render = render,
};
