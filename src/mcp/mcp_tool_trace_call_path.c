/*
 * mcp_tool_trace_call_path.c - trace_call_path: how one function reaches another through calls,
 * shortest paths first (CLI twin: cidx path FROM TO). The query is store_query_call_path.
 */
#include <string.h>

#include "mcp_int.h"

/* A value from a result (c:@...) is a usr, anything else a name. */
static void end_of(struct store_target *t, const char *v, bool all)
{
    memset(t, 0, sizeof(*t));
    if (!strncmp(v, "c:", 2))
        t->usr = v;
    else
        t->name = v;
    t->all_scopes = all;
}

static int call(struct mcp_call *c)
{
    struct store_path_args a;
    struct err e = {0};
    json_t *out = NULL;
    bool all = !strcmp(mcp_arg_str(c->args, "scope", "project"), "all");
    int rc;
    memset(&a, 0, sizeof(a));
    end_of(&a.from, mcp_arg_str(c->args, "from", ""), all);
    end_of(&a.to, mcp_arg_str(c->args, "to", ""), all);
    a.max_depth = (uint32_t)mcp_arg_int(c->args, "max_depth", 10);
    a.max_paths = (uint32_t)mcp_arg_int(c->args, "max_paths", 10);
    if ((rc = store_query_call_path(c->st, &a, &out, &e)) != 0)
        return mcp_query_failed(c, rc, &e);
    c->result = out;
    return MCP_TOOL_OK;
}

static void render(struct strbuf *out, const json_t *r)
{
    const json_t *paths = json_object_get(r, "paths"), *p, *step;
    struct strbuf line = STRBUF_INIT;
    size_t i, k;
    if (!json_is_array(paths)) {
        mcp_render_generic(out, r);
        return;
    }
    strbuf_addf(&line, "%zu path%s%s\n", json_array_size(paths),
                json_array_size(paths) == 1 ? "" : "s",
                json_is_true(json_object_get(r, "truncated")) ? " (search cut short)" : "");
    if (json_is_string(json_object_get(r, "hint")))
        strbuf_addf(&line, "%s\n", json_string_value(json_object_get(r, "hint")));
    mcp_text_add(out, line.buf, line.len);
    json_array_foreach(paths, i, p)
    {
        strbuf_reset(&line);
        json_array_foreach(p, k, step)
        {
            const json_t *q = json_object_get(step, "qualified_name");
            strbuf_addf(&line, "%s%s", k ? " -> " : "",
                        json_is_string(q) ? json_string_value(q) : "?");
        }
        strbuf_addch(&line, '\n');
        if (!mcp_text_add(out, line.buf, line.len))
            break;
    }
    if (json_is_true(json_object_get(r, "ambiguous")))
        mcp_render_generic(out, r);
    strbuf_release(&line);
}

/* an end of the paths: the symbol, or an empty list when it did not resolve to one */
#define ENDPOINT "{'type':['object','array','null'],'properties':{" MCP_S_SYMREF_PROPS "}}"

const struct mcp_tool mcp_tool_trace_call_path = {
    .name = "trace_call_path",
    .title = "Call paths",
    .cli = "cidx path FROM TO",
    .description =
        "How one function reaches another through calls: up to max_paths call chains from "
        "'from' to 'to', shortest first, each step with its location and the call site. The "
        "search is breadth first, bounded and cycle safe.",
    .input_schema =
        "{'type':'object','properties':{"
        "'from':{'type':'string','minLength':1,'description':'where the paths start: a name or "
        "a usr'},"
        "'to':{'type':'string','minLength':1,'description':'where the paths end: a name or a "
        "usr'},"
        "'max_depth':{'type':'integer','minimum':1,'maximum':100,'default':10,'description':"
        "'calls per path at most'},"
        "'max_paths':{'type':'integer','minimum':1,'maximum':1000,'default':10},"
        "'scope':" MCP_S_SCOPE "},'required':['from','to'],'additionalProperties':false}",
    .output_schema =
        "{'type':'object','properties':{'from':" ENDPOINT ",'to':" ENDPOINT ","
        "'paths':{'type':'array','items':{'type':'array','items':{'type':'object','properties':{"
        "'qualified_name':{'type':'string'},'kind':{'type':'string'},'usr':{'type':'string'},"
        "'location':" MCP_S_LOCATION_OR_NULL ",'site':" MCP_S_LOCATION_OR_NULL "},"
        "'required':['qualified_name']}}},"
        "'truncated':{'type':'boolean'},'argument':{'type':'string','enum':['from','to']}"
        "," MCP_S_AMBIGUOUS_PROPS "}}",
    .flags = MCP_TOOL_QUERY | MCP_TOOL_READ_ONLY,
    .call = call,
    .render = render,
};
