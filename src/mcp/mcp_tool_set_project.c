/*
 * mcp_tool_set_project.c - set_project: choose the project to serve and start indexing it in the
 * background (CLI twin: cidx index DIR).
 */
#include <stdlib.h>
#include <string.h>

#include "mcp_int.h"

static int call(struct mcp_call *c)
{
    struct mcp_server *srv = c->srv;
    const char *dir = mcp_arg_str(c->args, "project_path", NULL);
    const char *cfg = mcp_arg_str(c->args, "config_file", NULL);
    double wait = (double)mcp_arg_int(c->args, "wait_seconds", 0);
    const char *cache_dir = NULL;
    char *root = NULL;
    struct mcp_view v;
    struct store *st;
    struct store_stats s;
    struct err e = {0};
    json_t *o, *counts;
    int rc;

    if (!dir && !cfg)
        return mcp_call_bad_arg(c, "give 'project_path' (the project's absolute directory) or "
                                   "'config_file' (an absolute path of a config with "
                                   "project_root)");
    if (dir) {
        if (dir[0] != '/')
            return mcp_call_bad_arg(c, "'project_path' must be an absolute path (got '%s')", dir);
        root = path_real(dir);
        if (!root || !fs_is_dir(root)) {
            free(root);
            return mcp_call_bad_arg(c, "'project_path' '%s' is not a directory", dir);
        }
    }
    if (cfg) {
        if (cfg[0] != '/') {
            free(root);
            return mcp_call_bad_arg(c, "'config_file' must be an absolute path (got '%s')", cfg);
        }
        if (!fs_exists(cfg) || fs_is_dir(cfg)) {
            free(root);
            return mcp_call_bad_arg(c, "'config_file' '%s' is not a file", cfg);
        }
    }
    /* --cache-dir belongs to the project the server was started with */
    if (srv->opt->cache_dir && srv->start_root && root && !strcmp(root, srv->start_root))
        cache_dir = srv->opt->cache_dir;
    rc = mcp_project_set(srv, root, cfg, cache_dir, true, &e);
    free(root);
    if (rc != 0)
        return mcp_call_fail(c, "cannot use this project: %s", e.msg);
    if (wait > 0 && mcp_project_wait(srv, c->req, wait) == MCP_WAIT_CANCELLED)
        return MCP_TOOL_CANCELLED;

    mcp_project_view(srv, &v);
    o = json_object();
    json_object_set_new(o, "project_root", mcp_json_str(v.root));
    json_object_set_new(o, "config_file",
                        v.config_path ? mcp_json_str(v.config_path) : json_null());
    json_object_set_new(o, "cache_path", mcp_json_str(v.cache_dir));
    mcp_view_add_progress(o, &v);
    counts = json_object();
    st = mcp_project_store(srv, &e);
    if (st && store_stats_get(st, &s, &e) == 0) {
        json_object_set_new(counts, "files", json_integer(s.files));
        json_object_set_new(counts, "symbols", json_integer(s.symbols));
    } else {
        log_debug("set_project: no counts: %s", e.msg);
        json_object_set_new(counts, "files", json_integer(0));
        json_object_set_new(counts, "symbols", json_integer(0));
    }
    json_object_set_new(o, "counts", counts);
    mcp_view_release(&v);
    c->result = o;
    return MCP_TOOL_OK;
}

const struct mcp_tool mcp_tool_set_project = {
    .name = "set_project",
    .title = "Set the project",
    .cli = "cidx index DIR",
    .description =
        "Choose the C/C++ project to serve and start indexing it in the background (only what "
        "changed since the last index is parsed again). Queries answer at once from what is "
        "indexed so far, marked partial. Give wait_seconds to wait for indexing to finish; "
        "sync_project shows progress later.",
    .input_schema =
        "{'type':'object','properties':{"
        "'project_path':{'type':'string','minLength':1,'description':'the project root, an "
        "absolute directory (it holds compile_commands.json, or build/compile_commands.json, "
        "or the sources to scan)'},"
        "'config_file':{'type':'string','minLength':1,'description':'an absolute path of a "
        "cpp-analyzer-config.json; its project_root names the project when project_path is not "
        "given'},"
        "'wait_seconds':{'type':'integer','minimum':0,'maximum':600,'default':0,'description':"
        "'wait up to this long for indexing to finish before answering'}},"
        "'additionalProperties':false}",
    .output_schema = "{'type':'object','properties':{"
                     "'project_root':{'type':'string'},"
                     "'config_file':{'type':['string','null']},"
                     "'cache_path':{'type':'string'},"
                     "'state':" MCP_S_STATE ","
                     "'progress':" MCP_S_PROGRESS ","
                     "'error':{'type':['string','null']},"
                     "'counts':{'type':'object','properties':{'files':{'type':'integer'},"
                     "'symbols':{'type':'integer'}},'required':['files','symbols']}},"
                     "'required':['project_root','cache_path','state','progress','counts']}",
    .flags = 0,
    .call = call,
    .render = NULL,
};
