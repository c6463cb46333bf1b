/*
 * mcp_tool_find_references.c - find_references: every use of a symbol, by role (CLI twin: cidx refs
 * NAME). The query is store_query_references.
 */
#include <stdlib.h>
#include <string.h>

#include "mcp_int.h"

static int call(struct mcp_call *c)
{
    struct store_refs_args a;
    const json_t *roles = json_object_get(c->args, "roles"), *r;
    const char *file = mcp_arg_str(c->args, "file", NULL);
    char *f = NULL;
    struct err e = {0};
    json_t *out = NULL;
    size_t i;
    int rc;

    memset(&a, 0, sizeof(a));
    if ((rc = mcp_query_target(c, &a.target)) != MCP_TOOL_OK)
        return rc;
    json_array_foreach(roles, i, r)
    {
        a.roles |= store_role_parse(json_string_value(r));
    }
    if (file && (rc = mcp_query_file(c, "file", file, &f)) != MCP_TOOL_OK)
        return rc;
    a.file = f;
    a.limit = (uint32_t)mcp_arg_int(c->args, "limit", 50);
    a.offset = (uint64_t)mcp_arg_int(c->args, "offset", 0);
    rc = store_query_references(c->st, &a, &out, &e);
    free(f);
    if (rc != 0)
        return mcp_query_failed(c, rc, &e);
    c->result = out;
    return MCP_TOOL_OK;
}

const struct mcp_tool mcp_tool_find_references = {
    .name = "find_references",
    .title = "References",
    .cli = "cidx refs NAME",
    .description =
        "Every use of a symbol: calls, reads, writes, type uses, address-of, declarations and "
        "definitions, each with its location, role, enclosing symbol and the source line. "
        "Filter by roles and file; paged with limit and offset.",
    .input_schema =
        "{'type':'object','properties':{" MCP_S_TARGET_ARGS ","
        "'roles':{'type':'array','maxItems':16,'items':{'type':'string','enum':['call','read',"
        "'write','type','address','declaration','definition']},'description':'only uses with "
        "one of these roles (default: all)'},"
        "'file':{'type':'string','minLength':1,'description':'only uses in this file "
        "(project-relative, absolute inside the project, or a unique suffix)'},"
        "'limit':" MCP_S_LIMIT ",'offset':" MCP_S_OFFSET "},'additionalProperties':false}",
    .output_schema =
        "{'type':'object','properties':{'target':" MCP_S_SYMREF_OR_NULL ","
        "'references':{'type':'array','items':{'type':'object','properties':{'location'"
        ":" MCP_S_LOCATION ",'role':{'type':'string'},'roles':{'type':'array','items':{'type':"
        "'string'}},'context':{'type':['object','null']},'line_text':{'type':['string','null']}},"
        "'required':['location','role']}}," MCP_S_PAGE_PROPS "," MCP_S_AMBIGUOUS_PROPS "}}",
    .flags = MCP_TOOL_QUERY | MCP_TOOL_READ_ONLY,
    .call = call,
    .render = NULL,
};
