/*
 * mcp_tool_sync_project.c - sync_project: the indexing status of the project, and incremental or
 * full refreshes (CLI twins: cidx status, cidx index).
 */
#include <stdlib.h>
#include <string.h>

#include "mcp_int.h"

static int call(struct mcp_call *c)
{
    struct mcp_server *srv = c->srv;
    const char *mode = mcp_arg_str(c->args, "mode", "status");
    double wait = (double)mcp_arg_int(c->args, "wait_seconds", 0);
    struct mcp_view v;
    json_t *o;

    mcp_project_view(srv, &v);
    if (!v.root) {
        mcp_view_release(&v);
        return mcp_call_fail(c, "no project is set: call set_project with the project's absolute "
                                "path (or start the server with --project DIR)");
    }
    mcp_view_release(&v);
    if (strcmp(mode, "status") != 0 && !mcp_project_request(srv, !strcmp(mode, "full")))
        return mcp_call_fail(c, "this cache is served without its project sources, so it cannot "
                                "be refreshed here: call set_project with the project's path");
    if (wait > 0 && mcp_project_wait(srv, c->req, wait) == MCP_WAIT_CANCELLED)
        return MCP_TOOL_CANCELLED;
    mcp_project_view(srv, &v);
    o = json_object();
    json_object_set_new(o, "project_root", mcp_json_str(v.root));
    mcp_view_add_progress(o, &v);
    json_object_set_new(o, "queued", json_boolean(v.pending));
    json_object_set_new(o, "last_refresh", mcp_view_refresh_json(&v));
    mcp_view_release(&v);
    c->result = o;
    return MCP_TOOL_OK;
}

const struct mcp_tool mcp_tool_sync_project = {
    .name = "sync_project",
    .title = "Indexing status and refresh",
    .cli = "cidx index (a refresh), cidx status (the state)",
    .description =
        "Report indexing progress of the current project (mode status), or refresh its index: "
        "incremental re-parses what changed (sources, headers and their dependents, compile "
        "arguments), full re-parses everything. The refresh runs in the background; give "
        "wait_seconds to wait for it.",
    .input_schema = "{'type':'object','properties':{"
                    "'mode':{'type':'string','enum':['status','incremental','full'],'default':"
                    "'status','description':'status reports; incremental and full start a "
                    "refresh (queued after a run that is going on)'},"
                    "'wait_seconds':{'type':'integer','minimum':0,'maximum':600,'default':0,"
                    "'description':'wait up to this long for indexing to finish before "
                    "answering'}},"
                    "'additionalProperties':false}",
    .output_schema = "{'type':'object','properties':{"
                     "'project_root':{'type':'string'},"
                     "'state':" MCP_S_STATE ","
                     "'progress':" MCP_S_PROGRESS ","
                     "'error':{'type':['string','null']},"
                     "'queued':{'type':'boolean','description':'another run is queued after the "
                     "current one'},"
                     "'last_refresh':" MCP_S_REFRESH "},"
                     "'required':['project_root','state','progress','last_refresh']}",
    .flags = 0,
    .call = call,
    .render = NULL,
};
