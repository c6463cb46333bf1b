/*
 * mcp_tool_find_incoming_calls.c - find_incoming_calls: who calls a function, with call sites,
 * virtual dispatch through base methods included (CLI twin: cidx callers NAME). The query is
 * store_query_incoming_calls.
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
    a.exclude_virtual = !mcp_arg_bool(c->args, "include_virtual", true);
    a.limit = (uint32_t)mcp_arg_int(c->args, "limit", 50);
    a.offset = (uint64_t)mcp_arg_int(c->args, "offset", 0);
    if ((rc = store_query_incoming_calls(c->st, &a, &out, &e)) != 0)
        return mcp_query_failed(c, rc, &e);
    c->result = out;
    return MCP_TOOL_OK;
}

const struct mcp_tool mcp_tool_find_incoming_calls = {
    .name = "find_incoming_calls",
    .title = "Callers",
    .cli = "cidx callers NAME",
    .description =
        "The functions that call a function or method, each with its call sites (file, line, "
        "column). Calls through a base-class virtual method the target overrides count too "
        "(the site says via which method) unless include_virtual is false. Paged with limit and "
        "offset.",
    .input_schema =
        "{'type':'object','properties':{" MCP_S_TARGET_ARGS ","
        "'include_virtual':{'type':'boolean','default':true,'description':'also count virtual "
        "calls to a method the target overrides'},"
        "'limit':" MCP_S_LIMIT ",'offset':" MCP_S_OFFSET "},'additionalProperties':false}",
    .output_schema =
        "{'type':'object','properties':{'target':" MCP_S_SYMREF_OR_NULL ","
        "'callers':{'type':'array','items':{'type':'object','properties':{'symbol'"
        ":" MCP_S_SYMREF_OR_NULL ",'sites':{'type':'array','items':{'type':'object','properties':{"
        "'file':{'type':'string'},'line':{'type':'integer'},'column':{'type':'integer'},'via':"
        "{'type':'string'}},'required':['file','line','column']}},'sites_total':{'type':"
        "'integer'}},'required':['symbol','sites']}}," MCP_S_PAGE_PROPS "," MCP_S_AMBIGUOUS_PROPS
        "}}",
    .flags = MCP_TOOL_QUERY | MCP_TOOL_READ_ONLY,
    .call = call,
    .render = NULL,
};
