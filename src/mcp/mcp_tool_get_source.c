/*
 * mcp_tool_get_source.c - get_source: the source text of a symbol's definition or declaration,
 * read from the file by its indexed extent (CLI twin: cidx source NAME). The query is
 * store_query_source.
 */
#include <string.h>

#include "mcp_int.h"

static int call(struct mcp_call *c)
{
    struct store_source_args a;
    struct err e = {0};
    json_t *out = NULL;
    int rc;
    memset(&a, 0, sizeof(a));
    if ((rc = mcp_query_target(c, &a.target)) != MCP_TOOL_OK)
        return rc;
    a.declaration = !strcmp(mcp_arg_str(c->args, "which", "definition"), "declaration");
    a.context_lines = (uint32_t)mcp_arg_int(c->args, "context_lines", 0);
    if ((rc = store_query_source(c->st, &a, &out, &e)) != 0)
        return mcp_query_failed(c, rc, &e);
    if (!mcp_query_file_inside(c, json_string_value(json_object_get(out, "file")))) {
        json_decref(out);
        return mcp_call_fail(c, "the symbol's source is outside the project root '%s'",
                             c->view->root);
    }
    c->result = out;
    return MCP_TOOL_OK;
}

static void render(struct strbuf *out, const json_t *r)
{
    const json_t *text = json_object_get(r, "text");
    struct strbuf line = STRBUF_INIT;
    if (!json_is_string(text)) {
        mcp_render_generic(out, r);
        return;
    }
    strbuf_addf(&line, "%s:%lld-%lld (%s)%s%s%s\n", json_string_value(json_object_get(r, "file")),
                (long long)json_integer_value(json_object_get(r, "start_line")),
                (long long)json_integer_value(json_object_get(r, "end_line")),
                json_string_value(json_object_get(r, "which"))
                    ? json_string_value(json_object_get(r, "which"))
                    : "",
                json_is_true(json_object_get(r, "stale")) ? " stale: " : "",
                json_is_true(json_object_get(r, "stale")) &&
                        json_is_string(json_object_get(r, "message"))
                    ? json_string_value(json_object_get(r, "message"))
                    : "",
                json_is_true(json_object_get(r, "truncated")) ? " (truncated)" : "");
    mcp_text_add(out, line.buf, line.len);
    mcp_text_add(out, json_string_value(text), json_string_length(text));
    strbuf_release(&line);
}

const struct mcp_tool mcp_tool_get_source = {
    .name = "get_source",
    .title = "Source of a symbol",
    .cli = "cidx source NAME",
    .description =
        "The source text of a symbol's definition (or declaration), read from the file by its "
        "indexed extent, with optional context lines. Says when the file changed since it was "
        "indexed (stale).",
    .input_schema =
        "{'type':'object','properties':{" MCP_S_TARGET_ARGS ","
        "'which':{'type':'string','enum':['definition','declaration'],'default':'definition'},"
        "'context_lines':{'type':'integer','minimum':0,'maximum':50,'default':0,'description':"
        "'lines to show before and after'}},'additionalProperties':false}",
    .output_schema =
        "{'type':'object','properties':{'symbol':" MCP_S_SYMREF_OR_NULL ","
        "'which':{'type':['string','null']},'file':{'type':['string','null']},"
        "'start_line':{'type':['integer','null']},'end_line':{'type':['integer','null']},"
        "'text':{'type':['string','null']},'truncated':{'type':'boolean'},'stale':{'type':"
        "'boolean'},'message':{'type':'string'}," MCP_S_AMBIGUOUS_PROPS "}}",
    .flags = MCP_TOOL_QUERY | MCP_TOOL_READ_ONLY,
    .call = call,
    .render = render,
};
