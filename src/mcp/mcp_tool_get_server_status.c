/*
 * mcp_tool_get_server_status.c - get_server_status: the server, the project, indexing progress,
 * the cache's size, contents and health, query statistics and parse errors (CLI twin: cidx
 * stats).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "mcp_int.h"

#define MAX_CHECKS 16

static const char *behavior_name(enum idx_query_behavior b)
{
    return b == IDX_QUERY_BLOCK ? "block" : b == IDX_QUERY_REJECT ? "reject" : "allow_partial";
}

static json_t *cache_json(struct mcp_call *c, struct store *st, bool health, json_t **qstats,
                          json_t **perr)
{
    struct store_stats s;
    struct store_query_stat qs[STORE_Q_COUNT_];
    struct store_check checks[MAX_CHECKS];
    size_t nchecks = 0, nbad = 0;
    struct err e = {0};
    json_t *o, *kinds, *h, *list;

    (void)c;
    if (store_stats_get(st, &s, &e) != 0) {
        log_warn("get_server_status: %s", e.msg);
        return json_null();
    }
    o = json_object();
    json_object_set_new(o, "path", mcp_json_str(store_db_path(st)));
    /* the JSON backend (asked for or a fallback, docs/MIGRATION.md) and why */
    json_object_set_new(o, "backend", json_string(store_backend(st)));
    json_object_set_new(o, "fallback_reason",
                        store_fallback_reason(st) ? mcp_json_str(store_fallback_reason(st))
                                                  : json_null());
    json_object_set_new(o, "sqlite_version", json_string(sqlite3_libversion()));
    json_object_set_new(o, "journal_mode", json_string(store_journal_mode(st)));
    json_object_set_new(o, "file_system", json_string(fs_kind_name(store_fs_kind(st))));
    json_object_set_new(o, "size_bytes", json_integer(s.db_bytes));
    json_object_set_new(o, "wal_bytes", json_integer(s.wal_bytes));
    json_object_set_new(o, "schema_version", json_integer(s.schema_version));
    json_object_set_new(o, "symbols", json_integer(s.symbols));
    kinds = json_object();
    for (int k = 0; k < STORE_KIND_COUNT_; k++)
        if (s.by_kind[k])
            json_object_set_new(kinds, store_kind_name((enum store_kind)k),
                                json_integer(s.by_kind[k]));
    json_object_set_new(o, "symbols_by_kind", kinds);
    json_object_set_new(o, "files", json_integer(s.files));
    json_object_set_new(o, "project_files", json_integer(s.project_files));
    json_object_set_new(o, "references", json_integer(s.refs));
    json_object_set_new(o, "calls", json_integer(s.calls));
    json_object_set_new(o, "last_vacuum",
                        s.last_vacuum > 0 ? json_real(s.last_vacuum) : json_null());
    json_object_set_new(o, "last_indexed",
                        s.last_indexed > 0 ? json_real(s.last_indexed) : json_null());
    json_object_set_new(o, "large", json_boolean(s.db_bytes > store_size_warn_bytes()));
    if (health) {
        store_check(st, true, checks, MAX_CHECKS, &nchecks, NULL);
        h = json_object();
        list = json_array();
        for (size_t i = 0; i < nchecks; i++) {
            json_t *one = json_object();
            nbad += !checks[i].ok;
            json_object_set_new(one, "name", json_string(checks[i].name));
            json_object_set_new(one, "ok", json_boolean(checks[i].ok));
            json_object_set_new(one, "detail", mcp_json_str(checks[i].detail));
            json_array_append_new(list, one);
        }
        json_object_set_new(h, "ok", json_boolean(nbad == 0));
        json_object_set_new(h, "checks", list);
        json_object_set_new(o, "health", h);
    } else {
        json_object_set_new(o, "health", json_null());
    }
    if (store_qstats_get(st, qs, &e) == 0) {
        for (int k = 0; k < STORE_Q_COUNT_; k++) {
            json_t *one;
            if (!qs[k].count)
                continue;
            one = json_object();
            json_object_set_new(one, "count", json_integer((json_int_t)qs[k].count));
            json_object_set_new(one, "mean_ms", json_real(qs[k].mean_ms));
            json_object_set_new(one, "p95_ms", json_real(qs[k].p95_ms));
            json_object_set_new(one, "max_ms", json_real(qs[k].max_ms));
            json_object_set_new(*qstats, qs[k].name, one);
        }
    }
    json_object_set_new(*perr, "total", json_integer(s.parse_errors));
    return o;
}

static int call(struct mcp_call *c)
{
    struct mcp_server *srv = c->srv;
    struct mcp_view v;
    json_t *o = json_object(), *server = json_object(), *qstats = json_object(),
           *perr = json_object();
    struct err e = {0};
    struct store *st;

    json_object_set_new(o, "version", json_string(CIDX_VERSION));
    json_object_set_new(o, "protocol_version", json_string(srv->version));
    json_object_set_new(server, "pid", json_integer((json_int_t)getpid()));
    json_object_set_new(server, "uptime_seconds",
                        json_real((double)(time_mono_ns() - srv->started_ns) / 1e9));
    json_object_set_new(server, "rss_kb", json_integer(mcp_rss_kb()));
    json_object_set_new(server, "requests", json_integer((json_int_t)srv->requests));
    json_object_set_new(server, "tool_calls", json_integer((json_int_t)srv->tool_calls));
    json_object_set_new(o, "server", server);

    mcp_project_view(srv, &v);
    if (v.root) {
        json_t *p = json_object();
        json_object_set_new(p, "root", mcp_json_str(v.root));
        json_object_set_new(p, "config_file",
                            v.config_path ? mcp_json_str(v.config_path) : json_null());
        json_object_set_new(p, "cache_dir", mcp_json_str(v.cache_dir));
        json_object_set_new(p, "query_behavior", json_string(behavior_name(v.behavior)));
        json_object_set_new(p, "indexable", json_boolean(v.indexable));
        json_object_set_new(o, "project", p);
    } else {
        json_object_set_new(o, "project", json_null());
    }
    mcp_view_add_progress(o, &v);
    json_object_set_new(o, "last_refresh", mcp_view_refresh_json(&v));
    st = v.root ? mcp_project_store(srv, &e) : NULL;
    if (st) {
        json_object_set_new(
            o, "cache",
            cache_json(c, st, mcp_arg_bool(c->args, "health_check", true), &qstats, &perr));
    } else {
        if (v.root)
            log_debug("get_server_status: %s", e.msg);
        json_object_set_new(o, "cache", json_null());
    }
    json_object_set_new(o, "query_stats", qstats);
    json_object_set_new(o, "parse_errors", perr);
    mcp_view_release(&v);
    c->result = o;
    return MCP_TOOL_OK;
}

#define QSTAT_SCHEMA                                                                               \
    "{'type':'object','properties':{'count':{'type':'integer'},'mean_ms':{'type':'number'},"       \
    "'p95_ms':{'type':'number'},'max_ms':{'type':'number'}},'required':['count','mean_ms',"        \
    "'p95_ms','max_ms']}"

const struct mcp_tool mcp_tool_get_server_status = {
    .name = "get_server_status",
    .title = "Server status",
    .cli = "cidx status (its cache part: cidx stats)",
    .description =
        "Show the server's version, the project and its indexing progress, the cache (path, "
        "size, symbols by kind, files, last vacuum, health), per-query statistics (count, mean, "
        "p95, max in ms) and the number of parse errors.",
    .input_schema = "{'type':'object','properties':{"
                    "'health_check':{'type':'boolean','default':true,'description':'run the "
                    "cache quick check (reads the whole cache file)'}},"
                    "'additionalProperties':false}",
    .output_schema =
        "{'type':'object','properties':{"
        "'version':{'type':'string'},'protocol_version':{'type':'string'},"
        "'server':{'type':'object','properties':{'pid':{'type':'integer'},'uptime_seconds':"
        "{'type':'number'},'rss_kb':{'type':'integer'},'requests':{'type':'integer'},"
        "'tool_calls':{'type':'integer'}}},"
        "'project':{'type':['object','null'],'properties':{'root':{'type':'string'},"
        "'config_file':{'type':['string','null']},'cache_dir':{'type':'string'},"
        "'query_behavior':{'type':'string','enum':['allow_partial','block','reject']},"
        "'indexable':{'type':'boolean'}},'required':['root','cache_dir','query_behavior']},"
        "'state':" MCP_S_STATE ",'progress':" MCP_S_PROGRESS ",'error':{'type':['string','null']},"
        "'last_refresh':" MCP_S_REFRESH ","
        "'cache':{'type':['object','null'],'properties':{'path':{'type':'string'},"
        "'backend':{'type':'string','enum':['sqlite','json']},'fallback_reason':{'type':"
        "['string','null']},"
        "'sqlite_version':{'type':'string'},'journal_mode':{'type':'string'},'file_system':"
        "{'type':'string'},'size_bytes':{'type':'integer'},'wal_bytes':{'type':'integer'},"
        "'schema_version':{'type':'integer'},'symbols':{'type':'integer'},'symbols_by_kind':"
        "{'type':'object','additionalProperties':{'type':'integer'}},'files':{'type':'integer'},"
        "'project_files':{'type':'integer'},'references':{'type':'integer'},'calls':{'type':"
        "'integer'},'last_vacuum':{'type':['number','null']},'last_indexed':{'type':['number',"
        "'null']},'large':{'type':'boolean'},'health':{'type':['object','null'],'properties':"
        "{'ok':{'type':'boolean'},'checks':{'type':'array','items':{'type':'object',"
        "'properties':{'name':{'type':'string'},'ok':{'type':'boolean'},'detail':{'type':"
        "'string'}},'required':['name','ok']}}},'required':['ok','checks']}},"
        "'required':['path','size_bytes','symbols','symbols_by_kind','files','last_vacuum',"
        "'health']},"
        "'query_stats':{'type':'object','additionalProperties':" QSTAT_SCHEMA "},"
        "'parse_errors':{'type':'object','properties':{'total':{'type':'integer'}}}},"
        "'required':['version','protocol_version','server','project','state','progress',"
        "'cache','query_stats','parse_errors']}",
    .flags = MCP_TOOL_READ_ONLY,
    .call = call,
    .render = NULL,
};
