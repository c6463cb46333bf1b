/*
 * mcp_tool_get_class_hierarchy.c - get_class_hierarchy: base and derived classes of a class,
 * up, down or both, bounded (CLI twin: cidx hierarchy NAME). The query is
 * store_query_class_hierarchy.
 */
#include "mcp_int.h"

static int call(struct mcp_call *c)
{
    struct store_hierarchy_args a = {0};
    struct err e = {0};
    json_t *out = NULL;
    int rc = mcp_query_target(c, &a.target);
    if (rc != MCP_TOOL_OK)
        return rc;
    a.direction =
        (enum store_direction)store_direction_parse(mcp_arg_str(c->args, "direction", "both"));
    a.max_depth = (uint32_t)mcp_arg_int(c->args, "max_depth", 10);
    a.max_nodes = (uint32_t)mcp_arg_int(c->args, "max_nodes", 200);
    if ((rc = store_query_class_hierarchy(c->st, &a, &out, &e)) != 0)
        return mcp_query_failed(c, rc, &e);
    c->result = out;
    return MCP_TOOL_OK;
}

static void render(struct strbuf *out, const json_t *r)
{
    const json_t *nodes = json_object_get(r, "nodes"), *n, *root = json_object_get(r, "root");
    struct strbuf line = STRBUF_INIT;
    const char *key;
    if (!json_is_object(nodes)) {
        mcp_render_generic(out, r);
        return;
    }
    strbuf_addf(&line, "root: %s%s\n",
                json_is_string(root) ? json_string_value(root)
                : json_string_value(json_object_get(root, "qualified_name"))
                    ? json_string_value(json_object_get(root, "qualified_name"))
                    : "-",
                json_is_true(json_object_get(r, "truncated")) ? " (truncated)" : "");
    mcp_text_add(out, line.buf, line.len);
    json_object_foreach((json_t *)nodes, key, n)
    {
        const json_t *l = json_object_get(n, "location"), *e;
        size_t i;
        strbuf_reset(&line);
        strbuf_addf(&line, "%s %s",
                    json_string_value(json_object_get(n, "kind"))
                        ? json_string_value(json_object_get(n, "kind"))
                        : "?",
                    key);
        if (json_is_object(l))
            strbuf_addf(&line, " %s:%lld", json_string_value(json_object_get(l, "file")),
                        (long long)json_integer_value(json_object_get(l, "line")));
        if (json_array_size(json_object_get(n, "bases"))) {
            strbuf_adds(&line, " : ");
            json_array_foreach(json_object_get(n, "bases"), i, e)
            {
                strbuf_addf(&line, "%s%s", i ? ", " : "", json_string_value(e));
            }
        }
        if (json_array_size(json_object_get(n, "derived"))) {
            strbuf_adds(&line, " <- ");
            json_array_foreach(json_object_get(n, "derived"), i, e)
            {
                strbuf_addf(&line, "%s%s", i ? ", " : "", json_string_value(e));
            }
        }
        strbuf_addch(&line, '\n');
        if (!mcp_text_add(out, line.buf, line.len))
            break;
    }
    strbuf_release(&line);
}

const struct mcp_tool mcp_tool_get_class_hierarchy = {
    .name = "get_class_hierarchy",
    .title = "Class hierarchy",
    .cli = "cidx hierarchy NAME",
    .description =
        "The inheritance graph around a class: its bases (up), the classes derived from it "
        "(down), or both, breadth first and bounded by depth and node count (cycles and "
        "diamonds are safe). Nodes are keyed by qualified name and list their bases and "
        "derived classes.",
    .input_schema = "{'type':'object','properties':{" MCP_S_TARGET_ARGS ","
                    "'direction':{'type':'string','enum':['up','down','both'],'default':'both'},"
                    "'max_depth':{'type':'integer','minimum':1,'maximum':10000,'default':10},"
                    "'max_nodes':{'type':'integer','minimum':1,'maximum':10000,'default':200}},"
                    "'additionalProperties':false}",
    .output_schema =
        "{'type':'object','properties':{"
        "'root':{'type':['string','object','null']},"
        "'nodes':{'type':'object','additionalProperties':{'type':'object','properties':{"
        "'kind':{'type':'string'},'usr':{'type':'string'},'location':" MCP_S_LOCATION_OR_NULL ","
        "'depth':{'type':'integer'},'bases':{'type':'array','items':{'type':'string'}},"
        "'derived':{'type':'array','items':{'type':'string'}}}}},"
        "'truncated':{'type':'boolean'}," MCP_S_AMBIGUOUS_PROPS "}}",
    .flags = MCP_TOOL_QUERY | MCP_TOOL_READ_ONLY,
    .call = call,
    .render = render,
};
