/*
 * mcp_tool_get_file_outline.c - get_file_outline: the symbols of one file, nested by parent,
 * and its includes (CLI twin: cidx outline FILE). The query is store_query_file_outline.
 */
#include <stdlib.h>

#include "mcp_int.h"

static int call(struct mcp_call *c)
{
    const char *pattern = mcp_arg_str(c->args, "pattern", NULL);
    char *file = NULL;
    struct err e = {0};
    json_t *out = NULL;
    int rc = mcp_query_file(c, "file", mcp_arg_str(c->args, "file", ""), &file);
    if (rc != MCP_TOOL_OK)
        return rc;
    rc = store_query_file_outline_page(c->st, file, pattern,
                                       (size_t)mcp_arg_int(c->args, "limit", 50),
                                       (size_t)mcp_arg_int(c->args, "offset", 0), &out, &e);
    free(file);
    if (rc != 0)
        return mcp_query_failed(c, rc, &e);
    if (!mcp_query_file_inside(c, json_string_value(json_object_get(out, "file")))) {
        json_decref(out);
        return mcp_call_bad_arg(c, "'file': '%s' names a file outside the project root '%s'",
                                mcp_arg_str(c->args, "file", ""), c->view->root);
    }
    c->result = out;
    return MCP_TOOL_OK;
}

/* One line per symbol, indented by nesting: "  method geo::Shape::area 39-39  virtual ...". */
static bool render_symbols(struct strbuf *out, const json_t *list, int depth)
{
    struct strbuf line = STRBUF_INIT;
    const json_t *s;
    size_t i;
    bool ok = true;
    json_array_foreach(list, i, s)
    {
        const char *sig = json_string_value(json_object_get(s, "signature"));
        strbuf_reset(&line);
        for (int d = 0; d < depth && d < 32; d++)
            strbuf_adds(&line, "  ");
        strbuf_addf(&line, "%s %s %lld-%lld", json_string_value(json_object_get(s, "kind")),
                    json_string_value(json_object_get(s, "name")),
                    (long long)json_integer_value(json_object_get(s, "line")),
                    (long long)json_integer_value(json_object_get(s, "end_line")));
        if (sig && *sig)
            strbuf_addf(&line, "  %s", sig);
        for (size_t k = 0; k < line.len; k++)
            if (line.buf[k] == '\n' || line.buf[k] == '\r')
                line.buf[k] = ' ';
        strbuf_addch(&line, '\n');
        if (!mcp_text_add(out, line.buf, line.len) ||
            !render_symbols(out, json_object_get(s, "children"), depth + 1)) {
            ok = false;
            break;
        }
    }
    strbuf_release(&line);
    return ok;
}

static void render(struct strbuf *out, const json_t *r)
{
    const json_t *inc = json_object_get(r, "includes"), *e;
    struct strbuf line = STRBUF_INIT;
    size_t i;
    if (json_is_true(json_object_get(r, "ambiguous")) ||
        !json_is_string(json_object_get(r, "file")) || json_is_string(json_object_get(r, "hint"))) {
        mcp_render_generic(out, r);
        return;
    }
    strbuf_addf(&line, "%s: %lld symbols%s\n", json_string_value(json_object_get(r, "file")),
                (long long)json_integer_value(json_object_get(r, "total")),
                json_is_true(json_object_get(r, "truncated")) ? " (truncated)" : "");
    json_array_foreach(inc, i, e)
    {
        strbuf_addf(&line, "#include %s (line %lld)\n",
                    json_string_value(json_object_get(e, "file")),
                    (long long)json_integer_value(json_object_get(e, "line")));
    }
    mcp_text_add(out, line.buf, line.len);
    render_symbols(out, json_object_get(r, "symbols"), 0);
    strbuf_release(&line);
}

#define OUTLINE_SYMBOL                                                                             \
    "{'type':'object','properties':{'name':{'type':'string'},'qualified_name':{'type':"            \
    "'string'},'kind':{'type':'string'},'usr':{'type':'string'},'signature':{'type':['string',"    \
    "'null']},'line':{'type':'integer'},'column':{'type':'integer'},'start_line':{'type':"         \
    "'integer'},'start_column':{'type':'integer'},'end_line':{'type':'integer'},'end_column':"     \
    "{'type':'integer'},'definition':{'type':'boolean'},'parent':{'type':'string','description':"  \
    "'the enclosing symbol, when it is on an earlier page'},'children':{'type':'array','items':"   \
    "{'type':'object'}}},'required':['name','kind','line']}"

const struct mcp_tool mcp_tool_get_file_outline = {
    .name = "get_file_outline",
    .title = "File outline",
    .cli = "cidx outline FILE",
    .description =
        "The symbols declared or defined in one file, nested by parent (members inside their "
        "class, definitions inside their namespace), with kinds, lines and extents, and the "
        "files it includes; paged in file order (limit, offset, next_offset).",
    .input_schema = "{'type':'object','properties':{"
                    "'file':{'type':'string','minLength':1,'description':'the file: relative to "
                    "the project root, absolute inside it, or a unique path suffix such as "
                    "shapes.h'},"
                    "'pattern':{'type':'string','description':'keep only symbols whose name "
                    "contains this (case-insensitive), with their parents'},"
                    "'limit':" MCP_S_LIMIT ",'offset':" MCP_S_OFFSET "},"
                    "'required':['file'],'additionalProperties':false}",
    .output_schema =
        "{'type':'object','properties':{"
        "'file':{'type':['string','null']},"
        "'symbols':{'type':'array','items':" OUTLINE_SYMBOL "},"
        "'includes':{'type':'array','items':{'type':'object','properties':{'line':"
        "{'type':'integer'},'file':{'type':'string'}}}},"
        "'total':{'type':'integer'},'truncated':{'type':'boolean'},'next_offset':{'type':"
        "['integer','null']}," MCP_S_AMBIGUOUS_PROPS "}}",
    .flags = MCP_TOOL_QUERY | MCP_TOOL_READ_ONLY,
    .call = call,
    .render = render,
};
