/*
 * mcp_legacy_project.c - the legacy tool set's project tools: set_project_directory,
 * refresh_project, get_server_status, get_indexing_status and wait_for_indexing, with the
 * parameters of the plan's Python server. They drive the same project machinery as set_project
 * and sync_project (mcp_project.c) and report its state in the Python server's words: states
 * uninitialized, indexing, indexed, refreshing, error; progress as indexed_files of total_files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp_int.h"

#define NO_PROJECT                                                                                 \
    "Project directory not set: call set_project_directory with the absolute path of the C++ "     \
    "project first"

/* The Python server's state names. */
static const char *legacy_state(const struct mcp_view *v)
{
    switch (v->state) {
    case MCP_STATE_NONE:
        return "uninitialized";
    case MCP_STATE_INDEXING:
        return v->have_last ? "refreshing" : "indexing";
    case MCP_STATE_READY:
        return "indexed";
    case MCP_STATE_ERROR:
        return "error";
    }
    return "error";
}

/* Files of the current (or last) run, as the Python server counted them: indexed excludes the
 * failed ones; unchanged files count as indexed (cache hits). */
static void counts(const struct mcp_view *v, size_t *indexed, size_t *failed, size_t *total)
{
    size_t f = v->failed < v->done ? v->failed : v->done;
    *indexed = v->unchanged + v->done - f;
    *failed = f;
    *total = v->unchanged + v->total;
}

static double percent(const struct mcp_view *v, size_t indexed, size_t total)
{
    if (total)
        return 100.0 * (double)indexed / (double)total;
    return v->state == MCP_STATE_INDEXING ? 0.0 : 100.0;
}

static json_t *iso_or_null(double t)
{
    char buf[32];
    if (t <= 0)
        return json_null();
    mcp_legacy_time_iso(buf, t);
    return json_string(buf);
}

/* get_indexing_status's progress object (null without a project). */
static json_t *progress_json(const struct mcp_view *v)
{
    size_t indexed, failed, total;
    double now = time_now(), started, rate;
    json_t *p;

    if (!v->root)
        return json_null();
    counts(v, &indexed, &failed, &total);
    p = json_object();
    json_object_set_new(p, "total_files", json_integer((json_int_t)total));
    json_object_set_new(p, "indexed_files", json_integer((json_int_t)indexed));
    json_object_set_new(p, "failed_files", json_integer((json_int_t)failed));
    json_object_set_new(p, "cache_hits", json_integer((json_int_t)v->unchanged));
    json_object_set_new(p, "completion_percentage", json_real(percent(v, indexed, total)));
    json_object_set_new(p, "current_file",
                        v->state == MCP_STATE_INDEXING && v->current ? mcp_json_str(v->current)
                                                                     : json_null());
    if (v->state == MCP_STATE_INDEXING)
        started = now - v->elapsed_s;
    else if (v->have_last)
        started = v->last.finished_at - v->last.seconds;
    else
        started = 0;
    json_object_set_new(p, "start_time", iso_or_null(started));
    rate = v->elapsed_s > 0 ? (double)v->done / v->elapsed_s : 0;
    json_object_set_new(p, "estimated_completion",
                        v->state == MCP_STATE_INDEXING && rate > 0 && v->total >= v->done
                            ? iso_or_null(now + (double)(v->total - v->done) / rate)
                            : json_null());
    return p;
}

/* The text of the tools that answer with a message: the message, then the state. */
static void render_message(struct strbuf *out, const json_t *r)
{
    const char *msg = json_string_value(json_object_get(r, "message"));
    const char *state = json_string_value(json_object_get(r, "state"));
    if (msg)
        mcp_text_add(out, msg, strlen(msg));
    if (state) {
        char line[64];
        snprintf(line, sizeof(line), "\nstate: %s", state);
        mcp_text_add(out, line, strlen(line));
    }
}

/* ---- set_project_directory ---- */

static int set_call(struct mcp_call *c)
{
    struct mcp_server *srv = c->srv;
    const char *dir = mcp_arg_str(c->args, "project_path", NULL);
    const char *cfg = mcp_arg_str(c->args, "config_file", NULL);
    bool auto_refresh = mcp_arg_bool(c->args, "auto_refresh", true);
    const char *cache_dir = NULL;
    struct strbuf msg = STRBUF_INIT;
    struct mcp_view v;
    struct err e = {0};
    char *root;
    json_t *o;
    int rc;

    if (dir[0] != '/')
        return mcp_call_bad_arg(c, "'project_path' must be an absolute path (got '%s')", dir);
    root = path_real(dir);
    if (!root || !fs_is_dir(root)) {
        free(root);
        return mcp_call_bad_arg(c, "'project_path' '%s' is not a directory", dir);
    }
    if (cfg && cfg[0] != '/') {
        free(root);
        return mcp_call_bad_arg(c, "'config_file' must be an absolute path (got '%s')", cfg);
    }
    if (cfg && (!fs_exists(cfg) || fs_is_dir(cfg))) {
        free(root);
        return mcp_call_bad_arg(c, "'config_file' '%s' is not a file", cfg);
    }
    /* --cache-dir belongs to the project the server was started with */
    if (srv->opt->cache_dir && srv->start_root && !strcmp(root, srv->start_root))
        cache_dir = srv->opt->cache_dir;
    rc = mcp_project_set(srv, root, cfg, cache_dir, true, &e);
    free(root);
    if (rc != 0)
        return mcp_call_fail(c, "cannot use this project: %s", e.msg);

    mcp_project_view(srv, &v);
    strbuf_addf(&msg, "Set project directory to: %s", v.root);
    if (v.config_path)
        strbuf_addf(&msg, " with config '%s'", v.config_path);
    if (v.state == MCP_STATE_INDEXING)
        strbuf_adds(&msg, "\nIndexing started in background (only what changed since the last "
                          "index is parsed again).\nUse 'get_indexing_status' to check progress "
                          "or 'wait_for_indexing' to wait. Tools are available but return "
                          "partial results until indexing completes.");
    else
        strbuf_addf(&msg, "\nThe project is %s; use 'refresh_project' after changing files.",
                    legacy_state(&v));
    o = json_object();
    json_object_set_new(o, "project_path", mcp_json_str(v.root));
    json_object_set_new(o, "config_file",
                        v.config_path ? mcp_json_str(v.config_path) : json_null());
    json_object_set_new(o, "cache_dir", mcp_json_str(v.cache_dir));
    json_object_set_new(o, "auto_refresh", json_boolean(auto_refresh));
    json_object_set_new(o, "state", json_string(legacy_state(&v)));
    json_object_set_new(o, "message", mcp_json_str(msg.buf));
    strbuf_release(&msg);
    mcp_view_release(&v);
    c->result = o;
    return MCP_TOOL_OK;
}

#define S_LEGACY_STATE                                                                             \
    "{'type':'string','enum':['uninitialized','indexing','indexed','refreshing','error']}"

const struct mcp_tool mcp_legacy_set_project_directory = {
    .name = "set_project_directory",
    .title = "Set the project directory",
    .cli = "set_project",
    .description =
        "REQUIRED FIRST STEP (unless the server was started with --project): choose the C++ "
        "project to analyze and start indexing it in the background (through its compile "
        "database, or the sources found). Only what changed since the last index is parsed again. "
        "Returns at "
        "once; queries answer meanwhile with metadata.status partial. Can be called again to "
        "switch projects. A different config_file gives a separate cache.",
    .input_schema =
        "{'type':'object','properties':{"
        "'project_path':{'type':'string','minLength':1,'description':'absolute path of the "
        "root directory of the C++ project'},"
        "'config_file':{'type':'string','minLength':1,'description':'absolute path of a "
        "cpp-analyzer-config.json for this project (a separate cache per config)'},"
        "'auto_refresh':{'type':'boolean','default':true,'description':'accepted for "
        "compatibility: cidx always checks for changed files when a project is set (cheap: "
        "only what changed is parsed)'}},"
        "'required':['project_path'],'additionalProperties':false}",
    .output_schema = "{'type':'object','properties':{"
                     "'project_path':{'type':'string'},"
                     "'config_file':{'type':['string','null']},"
                     "'cache_dir':{'type':'string'},"
                     "'auto_refresh':{'type':'boolean'},"
                     "'state':" S_LEGACY_STATE ","
                     "'message':{'type':'string'}},"
                     "'required':['project_path','config_file','cache_dir','state','message']}",
    .flags = 0,
    .call = set_call,
    .render = render_message,
};

/* ---- refresh_project ---- */

static int refresh_call(struct mcp_call *c)
{
    struct mcp_server *srv = c->srv;
    bool force = mcp_arg_bool(c->args, "force_full", false);
    bool full = force || !mcp_arg_bool(c->args, "incremental", true);
    const char *mode = force ? "full (forced)" : full ? "full" : "incremental";
    struct mcp_view v;
    char msg[512];
    json_t *o;

    mcp_project_view(srv, &v);
    if (!v.root) {
        mcp_view_release(&v);
        return mcp_call_fail(c, NO_PROJECT);
    }
    mcp_view_release(&v);
    if (!mcp_project_request(srv, full))
        return mcp_call_fail(c, "this cache is served without its project sources, so it cannot "
                                "be refreshed here: call set_project_directory with the project's "
                                "path");
    mcp_project_view(srv, &v);
    snprintf(msg, sizeof(msg),
             "Refresh started in background (mode: %s).\nUse 'get_indexing_status' to check "
             "progress or 'wait_for_indexing' to wait. Tools keep working and answer from the "
             "index as it is meanwhile.",
             mode);
    o = json_object();
    json_object_set_new(o, "mode", json_string(full ? "full" : "incremental"));
    json_object_set_new(o, "forced", json_boolean(force));
    json_object_set_new(o, "state", json_string(legacy_state(&v)));
    json_object_set_new(o, "message", json_string(msg));
    mcp_view_release(&v);
    c->result = o;
    return MCP_TOOL_OK;
}

const struct mcp_tool mcp_legacy_refresh_project = {
    .name = "refresh_project",
    .title = "Refresh the project index",
    .cli = "sync_project",
    .description =
        "Re-parse the files that were modified, added or deleted since the last index (call it "
        "after changing sources, headers or the compile database). Incremental (default) "
        "parses what changed and what depends on it; force_full re-parses everything. Runs in "
        "the background and returns at once: get_indexing_status shows progress, "
        "wait_for_indexing waits; tools keep answering meanwhile.",
    .input_schema =
        "{'type':'object','properties':{"
        "'incremental':{'type':'boolean','default':true,'description':'true: re-parse only "
        "what changed and what depends on it; false: re-parse everything'},"
        "'force_full':{'type':'boolean','default':false,'description':'re-parse everything "
        "whatever incremental says'}},"
        "'additionalProperties':false}",
    .output_schema = "{'type':'object','properties':{"
                     "'mode':{'type':'string','enum':['incremental','full']},"
                     "'forced':{'type':'boolean'},"
                     "'state':" S_LEGACY_STATE ","
                     "'message':{'type':'string'}},"
                     "'required':['mode','forced','state','message']}",
    .flags = 0,
    .call = refresh_call,
    .render = render_message,
};

/* ---- get_server_status ---- */

static int status_call(struct mcp_call *c)
{
    struct mcp_server *srv = c->srv;
    struct store_stats s;
    struct mcp_view v;
    struct err e = {0};
    struct store *st;
    char *ccdb = NULL;
    int64_t classes, functions;
    json_t *o;

    mcp_project_view(srv, &v);
    if (!v.root) {
        mcp_view_release(&v);
        return mcp_call_fail(c, NO_PROJECT);
    }
    st = mcp_project_store(srv, &e);
    if (!st || store_stats_get(st, &s, &e) != 0) {
        mcp_view_release(&v);
        return mcp_call_fail(c, "cannot read the cache: %s", e.msg);
    }
    if (store_meta_get(st, "compile_commands_path", &ccdb, &e) != 0)
        log_debug("get_server_status: %s", e.msg);
    classes = s.by_kind[STORE_KIND_CLASS] + s.by_kind[STORE_KIND_STRUCT];
    functions = s.by_kind[STORE_KIND_FUNCTION] + s.by_kind[STORE_KIND_METHOD] +
                s.by_kind[STORE_KIND_CONSTRUCTOR] + s.by_kind[STORE_KIND_DESTRUCTOR] +
                s.by_kind[STORE_KIND_CONVERSION];
    o = json_object();
    json_object_set_new(o, "analyzer_type", json_string("cidx"));
    json_object_set_new(o, "version", json_string(CIDX_VERSION));
    json_object_set_new(o, "call_graph_enabled", json_true());
    json_object_set_new(o, "usr_tracking_enabled", json_true());
    json_object_set_new(o, "compile_commands_enabled", json_boolean(ccdb && *ccdb));
    json_object_set_new(o, "compile_commands_path",
                        ccdb && *ccdb ? mcp_json_str(ccdb) : json_null());
    json_object_set_new(o, "compile_commands_cache_enabled", json_boolean(ccdb && *ccdb));
    json_object_set_new(o, "parsed_files", json_integer(s.files));
    json_object_set_new(o, "indexed_classes", json_integer(classes));
    json_object_set_new(o, "indexed_functions", json_integer(functions));
    json_object_set_new(o, "project_files", json_integer(s.project_files));
    json_object_set_new(o, "project_path", mcp_json_str(v.root));
    json_object_set_new(o, "cache_path", mcp_json_str(store_db_path(st)));
    json_object_set_new(o, "state", json_string(legacy_state(&v)));
    free(ccdb);
    mcp_view_release(&v);
    c->result = o;
    return MCP_TOOL_OK;
}

const struct mcp_tool mcp_legacy_get_server_status = {
    .name = "get_server_status",
    .title = "Server status",
    .cli = "get_server_status",
    .description =
        "Diagnostic information about the server and the index: analyzer type, enabled "
        "features (call graph, usr tracking, compile commands), file counts, indexed classes "
        "and functions. Use it to check that the server works and which compile database it "
        "uses.",
    .input_schema = "{'type':'object','properties':{},'additionalProperties':false}",
    .output_schema = "{'type':'object','properties':{"
                     "'analyzer_type':{'type':'string'},'version':{'type':'string'},"
                     "'call_graph_enabled':{'type':'boolean'},"
                     "'usr_tracking_enabled':{'type':'boolean'},"
                     "'compile_commands_enabled':{'type':'boolean'},"
                     "'compile_commands_path':{'type':['string','null']},"
                     "'compile_commands_cache_enabled':{'type':'boolean'},"
                     "'parsed_files':{'type':'integer','description':'files in the index'},"
                     "'indexed_classes':{'type':'integer','description':'classes and structs'},"
                     "'indexed_functions':{'type':'integer','description':'functions and "
                     "methods (constructors, destructors and conversions included)'},"
                     "'project_files':{'type':'integer'},"
                     "'project_path':{'type':'string'},'cache_path':{'type':'string'},"
                     "'state':" S_LEGACY_STATE "},"
                     "'required':['analyzer_type','call_graph_enabled','usr_tracking_enabled',"
                     "'compile_commands_enabled','compile_commands_path','parsed_files',"
                     "'indexed_classes','indexed_functions','project_files']}",
    .flags = MCP_TOOL_READ_ONLY,
    .call = status_call,
    .render = NULL,
};

/* ---- get_indexing_status ---- */

static int indexing_status_call(struct mcp_call *c)
{
    struct mcp_view v;
    const char *state;
    json_t *o;

    mcp_project_view(c->srv, &v);
    state = legacy_state(&v);
    o = json_object();
    json_object_set_new(o, "state", json_string(state));
    json_object_set_new(o, "is_fully_indexed", json_boolean(v.state == MCP_STATE_READY));
    json_object_set_new(o, "is_ready_for_queries",
                        json_boolean(v.state == MCP_STATE_INDEXING || v.state == MCP_STATE_READY));
    json_object_set_new(o, "progress", progress_json(&v));
    json_object_set_new(o, "project_path", v.root ? mcp_json_str(v.root) : json_null());
    json_object_set_new(o, "error", v.error ? mcp_json_str(v.error) : json_null());
    mcp_view_release(&v);
    c->result = o;
    return MCP_TOOL_OK;
}

#define S_INDEXING_PROGRESS                                                                        \
    "{'type':['object','null'],'properties':{'total_files':{'type':'integer'},"                    \
    "'indexed_files':{'type':'integer'},'failed_files':{'type':'integer'},"                        \
    "'cache_hits':{'type':'integer','description':'files unchanged since the last index'},"        \
    "'completion_percentage':{'type':'number'},'current_file':{'type':['string','null']},"         \
    "'start_time':{'type':['string','null'],'description':'ISO 8601, UTC'},"                       \
    "'estimated_completion':{'type':['string','null'],'description':'ISO 8601, UTC'}},"            \
    "'required':['total_files','indexed_files','failed_files','cache_hits',"                       \
    "'completion_percentage','current_file','start_time','estimated_completion']}"

const struct mcp_tool mcp_legacy_get_indexing_status = {
    .name = "get_indexing_status",
    .title = "Indexing status",
    .cli = "sync_project",
    .description =
        "Real-time status of project indexing: state (uninitialized, indexing, indexed, "
        "refreshing, error), progress (files indexed of total, completion percentage, current "
        "file, ETA), and whether queries return complete or partial results. Use it to check "
        "whether indexing is done before relying on query results.",
    .input_schema = "{'type':'object','properties':{},'additionalProperties':false}",
    .output_schema = "{'type':'object','properties':{"
                     "'state':" S_LEGACY_STATE ","
                     "'is_fully_indexed':{'type':'boolean'},"
                     "'is_ready_for_queries':{'type':'boolean'},"
                     "'progress':" S_INDEXING_PROGRESS ","
                     "'project_path':{'type':['string','null']},"
                     "'error':{'type':['string','null']}},"
                     "'required':['state','is_fully_indexed','is_ready_for_queries',"
                     "'progress']}",
    .flags = MCP_TOOL_READ_ONLY,
    .call = indexing_status_call,
    .render = NULL,
};

/* ---- wait_for_indexing ---- */

static int wait_call(struct mcp_call *c)
{
    struct mcp_server *srv = c->srv;
    double timeout = mcp_arg_num(c->args, "timeout", 60.0);
    uint64_t t0 = time_mono_ns();
    double waited;
    const char *status;
    size_t indexed, failed, total;
    struct mcp_view v;
    bool already;
    char msg[1200];
    json_t *o;

    mcp_project_view(srv, &v);
    if (!v.root) {
        mcp_view_release(&v);
        return mcp_call_fail(c, NO_PROJECT);
    }
    already = v.state != MCP_STATE_INDEXING;
    mcp_view_release(&v);
    if (!already && mcp_project_wait(srv, c->req, timeout) == MCP_WAIT_CANCELLED)
        return MCP_TOOL_CANCELLED;
    waited = (double)(time_mono_ns() - t0) / 1e9;
    mcp_project_view(srv, &v);
    counts(&v, &indexed, &failed, &total);
    if (v.state == MCP_STATE_ERROR) {
        status = "error";
        snprintf(msg, sizeof(msg), "Indexing failed: %s", v.error ? v.error : "unknown error");
    } else if (v.state == MCP_STATE_INDEXING) {
        status = "timeout";
        snprintf(msg, sizeof(msg),
                 "Timeout waiting for indexing (waited %.1fs; %zu of %zu files indexed). Use "
                 "'get_indexing_status' to check progress.",
                 waited, indexed, total);
    } else if (already) {
        status = "already_complete";
        snprintf(msg, sizeof(msg), "Indexing already complete.");
    } else {
        status = "complete";
        snprintf(msg, sizeof(msg),
                 "Indexing complete! Indexed %zu files successfully (%zu failed).", indexed,
                 failed);
    }
    o = json_object();
    json_object_set_new(o, "status", json_string(status));
    json_object_set_new(o, "completed", json_boolean(v.state == MCP_STATE_READY));
    json_object_set_new(o, "state", json_string(legacy_state(&v)));
    json_object_set_new(o, "indexed_files", json_integer((json_int_t)indexed));
    json_object_set_new(o, "failed_files", json_integer((json_int_t)failed));
    json_object_set_new(o, "total_files", json_integer((json_int_t)total));
    json_object_set_new(o, "waited_seconds", json_real(waited));
    json_object_set_new(o, "message", mcp_json_str(msg));
    mcp_view_release(&v);
    c->result = o;
    return MCP_TOOL_OK;
}

const struct mcp_tool mcp_legacy_wait_for_indexing = {
    .name = "wait_for_indexing",
    .title = "Wait for indexing",
    .cli = "sync_project",
    .description =
        "Block until indexing completes or the timeout passes. Use it when you need complete "
        "results, for example after set_project_directory or refresh_project on a large "
        "project. Says whether indexing completed (status complete or already_complete) or "
        "the wait timed out. Sends progress notifications when the call has a progressToken.",
    .input_schema = "{'type':'object','properties':{"
                    "'timeout':{'type':'number','minimum':0,'maximum':600,'default':60,"
                    "'description':'longest wait in seconds'}},"
                    "'additionalProperties':false}",
    .output_schema =
        "{'type':'object','properties':{"
        "'status':{'type':'string','enum':['complete','already_complete','timeout','error']},"
        "'completed':{'type':'boolean','description':'indexing is finished and succeeded'},"
        "'state':" S_LEGACY_STATE ","
        "'indexed_files':{'type':'integer'},'failed_files':{'type':'integer'},"
        "'total_files':{'type':'integer'},'waited_seconds':{'type':'number'},"
        "'message':{'type':'string'}},"
        "'required':['status','completed','state','indexed_files','failed_files',"
        "'total_files','message']}",
    .flags = MCP_TOOL_READ_ONLY,
    .call = wait_call,
    .render = render_message,
};
