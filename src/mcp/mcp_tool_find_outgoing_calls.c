/*
 * mcp_tool_find_outgoing_calls.c - find_outgoing_calls: what a function calls, with call sites
 * (CLI twin: cidx callees NAME). The query is store_query_outgoing_calls.
 */
#include "mcp_int.h"

static int call(struct mcp_call *c)
{
    struct store_calls_args a = {0};
    struct err e = {0};
    json_t *out = NULL;
    int rc = mcp_query_target(c, &a.target);
    if (rc != MCP_TOOL_OK)
        return rc;
    a.limit = (uint32_t)mcp_arg_int(c->args, "limit", 50);
    a.offset = (uint64_t)mcp_arg_int(c->args, "offset", 0);
    if ((rc = store_query_outgoing_calls(c->st, &a, &out, &e)) != 0)
        return mcp_query_failed(c, rc, &e);
    c->result = out;
    return MCP_TOOL_OK;
}

const struct mcp_tool mcp_tool_find_outgoing_calls = {
    .name = "find_outgoing_calls",
    .title = "Callees",
    .cli = "cidx callees NAME",
    .description = "The functions a function or method calls, in the order of their first call "
                   "site, each with its call sites. Paged with limit and offset.",
    .input_schema = "{'type':'object','properties':{" MCP_S_TARGET_ARGS ","
                    "'limit':" MCP_S_LIMIT ",'offset':" MCP_S_OFFSET "},"
                    "'additionalProperties':false}",
    .output_schema =
        "{'type':'object','properties':{'source':" MCP_S_SYMREF_OR_NULL ","
        "'callees':{'type':'array','items':{'type':'object','properties':{'symbol'"
        ":" MCP_S_SYMREF_OR_NULL ",'sites':{'type':'array','items':{'type':'object','properties':{"
        "'file':{'type':'string'},'line':{'type':'integer'},'column':{'type':'integer'},"
        "'virtual':{'type':'boolean'}},'required':['file','line','column']}},'sites_total':"
        "{'type':'integer'}},'required':['symbol','sites']}}," MCP_S_PAGE_PROPS
        "," MCP_S_AMBIGUOUS_PROPS "}}",
    .flags = MCP_TOOL_QUERY | MCP_TOOL_READ_ONLY,
    .call = call,
    .render = NULL,
};
