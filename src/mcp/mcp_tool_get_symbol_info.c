/*
 * mcp_tool_get_symbol_info.c - get_symbol_info: everything the index knows about one symbol
 * (CLI twin: cidx show NAME). The query is store_query_symbol_info.
 */
#include "mcp_int.h"

static int call(struct mcp_call *c)
{
    struct store_target t;
    struct err e = {0};
    json_t *out = NULL;
    int rc = mcp_query_target(c, &t);
    if (rc != MCP_TOOL_OK)
        return rc;
    if ((rc = store_query_symbol_info(c->st, &t, &out, &e)) != 0)
        return mcp_query_failed(c, rc, &e);
    c->result = out;
    return MCP_TOOL_OK;
}

#define LIST "{'type':'array','items':{'type':'object'}}"

const struct mcp_tool mcp_tool_get_symbol_info = {
    .name = "get_symbol_info",
    .title = "Symbol details",
    .cli = "cidx show NAME",
    .description =
        "Everything the index knows about one symbol: declaration and definition with extents, "
        "signature, doc comment, attributes; for classes their bases, derived classes, methods, "
        "fields and nested types; for functions overloads, overrides and overriders; for enums "
        "their constants; for typedefs and aliases the target and canonical type. A name that "
        "matches several symbols answers ambiguous with candidates.",
    .input_schema = "{'type':'object','properties':{" MCP_S_TARGET_ARGS "},"
                    "'additionalProperties':false}",
    .output_schema =
        "{'type':'object','properties':{" MCP_S_SYMREF_PROPS ","
        "'namespace':{'type':['string','null']},'parent':{'type':['string','null']},"
        "'access':{'type':['string','null']},'is_project':{'type':'boolean'},"
        "'declaration':" MCP_S_LOCATION_OR_NULL ",'definition':" MCP_S_LOCATION_OR_NULL ","
        "'doc':{'type':['object','null'],'properties':{'brief':{'type':['string','null']},"
        "'full':{'type':['string','null']}}},"
        "'attributes':{'type':'array','items':{'type':'string'}},"
        "'template':{'type':['object','null']},"
        "'bases':" LIST ",'derived':" LIST ",'methods':" LIST ",'fields':" LIST ",'nested':" LIST
        ",'overloads':" LIST ",'overrides':" LIST ",'overridden_by':" LIST ",'constants':" LIST ","
        "'target':{'type':['string','null']},'canonical':{'type':['string','null']},"
        "'truncated':{'type':'boolean'},'totals':{'type':'object'}," MCP_S_AMBIGUOUS_PROPS "}}",
    .flags = MCP_TOOL_QUERY | MCP_TOOL_READ_ONLY,
    .call = call,
    .render = NULL,
};
