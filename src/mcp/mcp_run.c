/*
 * mcp_run.c - the tools without a server, for the CLI twins (cidx show, cidx callers...) and
 * cidx call. A query exists once: rather than call the tools' functions itself, this file sets
 * up a server that serves one cache as it is (no threads, no indexing), hands mcp_tool_call a
 * tools/call request and reads the answer back from a temporary file. The argument checks, the
 * query, the partial marker, the -32602 messages, the isError results and the text item are
 * therefore those of tools/call, and the structuredContent is the server's to the byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp_int.h"

int mcp_tool_check(const char *tool, const json_t *args, struct err *err)
{
    struct strbuf names = STRBUF_INIT;
    struct err e = {0};
    json_t *schema;
    size_t ti = 0;
    int rc;

    if (!mcp_tool_find(tool, &ti)) {
        for (size_t i = 0; i < mcp_ntools; i++)
            strbuf_addf(&names, "%s%s", i ? ", " : "", mcp_tools[i]->name);
        rc = err_set(err, ERR_INVALID, "Invalid params: unknown tool '%.200s' (the tools: %s)",
                     tool, names.buf);
        strbuf_release(&names);
        return rc;
    }
    if (mcp_tools[ti] == &mcp_tool_set_project)
        return err_set(err, ERR_INVALID,
                       "Invalid params: set_project chooses the project of a server session and "
                       "indexes it in the background, so it runs in 'cidx serve' only (to index "
                       "a project from the command line: %s)",
                       mcp_tool_set_project.cli);
    if (args && !json_is_object(args))
        return err_set(err, ERR_INVALID, "Invalid params: 'arguments' must be an object");
    if (!args)
        return 0;
    schema = mcp_tool_input_schema(ti);
    rc = mcp_schema_check(schema, args, "", &e);
    json_decref(schema);
    if (rc != 0)
        return err_set(err, ERR_INVALID, "Invalid params for %s: %s", tool, e.msg);
    return 0;
}

/* A server with no threads and no input: the project is served as it is, from st. */
static void server_init(struct mcp_server *srv, const struct mcp_options *opt, int out_fd)
{
    memset(srv, 0, sizeof(*srv));
    srv->opt = opt;
    srv->stderr_level = log_get_level();
    srv->started_ns = time_mono_ns();
    srv->wake[0] = srv->wake[1] = -1;
    atomic_init(&srv->client_log_level, -1);
    mcp_out_init(&srv->out, out_fd);
    pthread_mutex_init(&srv->mu, NULL);
    pthread_cond_init(&srv->cv, NULL);
    pthread_cond_init(&srv->index_cv, NULL);
    /* what initialize with the newest revision sets up */
    srv->phase = MCP_PHASE_READY;
    snprintf(srv->version, sizeof(srv->version), "%s", mcp_protocol_versions[0]);
    srv->structured = true;
}

static void server_release(struct mcp_server *srv)
{
    srv->st = NULL; /* the caller's */
    if (srv->in_schemas)
        for (size_t i = 0; i < mcp_ntools; i++)
            json_decref(srv->in_schemas[i]);
    if (srv->out_schemas)
        for (size_t i = 0; i < mcp_ntools; i++)
            json_decref(srv->out_schemas[i]);
    free(srv->in_schemas);
    free(srv->out_schemas);
    free(srv->start_root);
    free(srv->proj.root);
    free(srv->proj.config_path);
    free(srv->proj.cache_dir);
    free(srv->proj.current);
    free(srv->proj.error);
    pthread_cond_destroy(&srv->cv);
    pthread_cond_destroy(&srv->index_cv);
    pthread_mutex_destroy(&srv->mu);
    mcp_out_release(&srv->out);
}

/* The canonical project root: the caller's, or the one the cache recorded. */
static int project_root(char **out, struct store *st, const char *given, struct err *err)
{
    char *recorded = NULL;
    *out = NULL;
    if (given) {
        *out = path_real(given);
        if (!*out || !fs_is_dir(*out)) {
            free(*out);
            *out = NULL;
            return err_set(err, ERR_NOTFOUND, "project directory '%s' does not exist", given);
        }
        return 0;
    }
    if (store_meta_get(st, "project_root", &recorded, NULL) == 0 && recorded && *recorded)
        *out = path_real(recorded);
    if (*out && !fs_is_dir(*out)) {
        free(*out);
        *out = NULL;
    }
    if (!*out) {
        int rc = recorded && *recorded
                     ? err_set(err, ERR_NOTFOUND,
                               "the cache '%s' indexes '%s', which is not a directory here; give "
                               "the project root",
                               store_cache_dir(st), recorded)
                     : err_set(err, ERR_NOTFOUND,
                               "the cache '%s' does not say which project it indexes; give the "
                               "project root",
                               store_cache_dir(st));
        free(recorded);
        return rc;
    }
    free(recorded);
    return 0;
}

/* Reads the one answer mcp_tool_call wrote to f. */
static int read_answer(json_t **out, FILE *f, struct err *err)
{
    struct strbuf sb = STRBUF_INIT;
    char buf[65536];
    json_error_t je;
    size_t n;

    *out = NULL;
    rewind(f);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        strbuf_add(&sb, buf, n);
    if (ferror(f)) {
        strbuf_release(&sb);
        return err_set(err, ERR_IO, "cannot read the tool's answer back");
    }
    *out = json_loadb(sb.buf, sb.len, JSON_ALLOW_NUL, &je);
    strbuf_release(&sb);
    if (!*out)
        return err_set(err, ERR_GENERIC, "the tool gave no answer (%s)", je.text);
    return 0;
}

/* The text item of a tools/call result (heap). */
static char *result_text(const json_t *result)
{
    const json_t *item = json_array_get(json_object_get(result, "content"), 0);
    const char *s = json_string_value(json_object_get(item, "text"));
    return xstrdup(s ? s : "");
}

int mcp_tool_run(json_t **structured, char **text, struct store *st, const char *project_root_arg,
                 const char *tool, const json_t *args, struct err *err)
{
    struct mcp_options opt;
    struct mcp_server srv;
    struct mcp_req req;
    json_t *call = NULL, *answer = NULL, *result, *error;
    char *root = NULL, *line = NULL;
    FILE *f = NULL;
    bool srv_up = false;
    int rc;

    *structured = NULL;
    *text = NULL;
    memset(&req, 0, sizeof(req));
    if ((rc = mcp_tool_check(tool, args, err)) != 0)
        return rc;
    if ((rc = project_root(&root, st, project_root_arg, err)) != 0)
        return rc;
    f = tmpfile();
    if (!f) {
        rc = err_set(err, ERR_IO, "cannot create a temporary file for the answer");
        goto out;
    }

    memset(&opt, 0, sizeof(opt));
    opt.in_fd = opt.out_fd = opt.stop_fd = -1;
    opt.cache_dir = store_cache_dir(st);
    opt.stderr_level = log_get_level();
    server_init(&srv, &opt, fileno(f));
    srv_up = true;
    /* what `cidx serve --cache-dir` does with the project the cache names (adopt_cache) */
    if ((rc = mcp_project_set(&srv, root, NULL, opt.cache_dir, false, err)) != 0)
        goto out;
    srv.start_root = xstrdup(srv.proj.root);
    if ((rc = store_query_set_root(st, srv.proj.root, err)) != 0)
        goto out;
    srv.st = st;
    srv.st_gen = srv.proj.gen;

    call = json_pack("{s:s,s:i,s:s,s:{s:s,s:o}}", "jsonrpc", "2.0", "id", 1, "method", "tools/call",
                     "params", "name", tool, "arguments",
                     args ? json_incref((json_t *)args) : json_object());
    line = call ? json_dumps(call, JSON_COMPACT) : NULL;
    if (!line) {
        rc = err_set(err, ERR_INVALID, "Invalid params: the arguments cannot be encoded");
        goto out;
    }
    mcp_msg_parse(&req.msg, line, strlen(line));
    if (req.msg.kind != MCP_MSG_REQUEST) {
        rc = err_set(err, ERR_INVALID, "%s", req.msg.message);
        goto out;
    }
    atomic_init(&req.cancelled, 0);
    srv.requests = 1;
    mcp_tool_call(&srv, &req);

    if ((rc = read_answer(&answer, f, err)) != 0)
        goto out;
    error = json_object_get(answer, "error");
    result = json_object_get(answer, "result");
    if (error) {
        const char *msg = json_string_value(json_object_get(error, "message"));
        rc = err_set(err,
                     json_integer_value(json_object_get(error, "code")) == MCP_ERR_INVALID_PARAMS
                         ? ERR_INVALID
                         : ERR_GENERIC,
                     "%s", msg ? msg : "the tool call failed");
    } else if (json_is_true(json_object_get(result, "isError"))) {
        *text = result_text(result);
        rc = err_set(err, ERR_GENERIC, "%s", *text);
    } else {
        *structured = json_incref(json_object_get(result, "structuredContent"));
        if (!*structured)
            *structured = json_object();
        *text = result_text(result);
        rc = 0;
    }

out:
    if (srv_up)
        server_release(&srv);
    mcp_msg_release(&req.msg);
    json_decref(answer);
    json_decref(call);
    free(line);
    free(root);
    if (f)
        fclose(f);
    return rc;
}
