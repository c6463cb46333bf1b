/*
 * mcp_tools.c - the tool table and what every tool call shares: tools/list entries, argument
 * checking against the input schema, query_behavior and the partial marker for query tools,
 * the answer (structuredContent plus one compact text item, or an isError result, or -32602),
 * the generic text rendering, and the generator of docs/TOOLS.md.
 *
 * Adding a tool is adding a file (mcp_tool_NAME.c exporting a const struct mcp_tool) and a row
 * below.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp_int.h"

const struct mcp_tool *const mcp_tools[] = {
    &mcp_tool_set_project,         &mcp_tool_sync_project,        &mcp_tool_find_symbols,
    &mcp_tool_get_symbol_info,     &mcp_tool_get_file_outline,    &mcp_tool_get_class_hierarchy,
    &mcp_tool_find_incoming_calls, &mcp_tool_find_outgoing_calls, &mcp_tool_trace_call_path,
    &mcp_tool_find_references,     &mcp_tool_get_source,          &mcp_tool_get_server_status,
};
const size_t mcp_ntools = ARRAY_SIZE(mcp_tools);

int mcp_tool_set_parse(const char *name)
{
    if (name && !strcmp(name, "main"))
        return MCP_TOOL_SET_MAIN;
    if (name && !strcmp(name, "legacy"))
        return MCP_TOOL_SET_LEGACY;
    return -1;
}

/* The table a server serves: its tool set's, or the main one (a server set up without one). */
static const struct mcp_tool *const *table(const struct mcp_server *srv, size_t *n)
{
    if (srv->tools) {
        *n = srv->ntools;
        return srv->tools;
    }
    *n = mcp_ntools;
    return mcp_tools;
}

/* How long a query waits for indexing under query_behavior "block" when it does not say. */
#define BLOCK_WAIT_DEFAULT 30

/* What every query tool adds to its schemas. */
#define WAIT_SECONDS_SCHEMA                                                                        \
    "{'type':'integer','minimum':0,'maximum':600,'default':30,'description':'only when the "       \
    "project config sets query_behavior to block: how long to wait for indexing to finish "        \
    "before answering from what is indexed so far'}"
#define PARTIAL_SCHEMA                                                                             \
    "{'type':'object','description':'present while indexing is incomplete: the answer comes "      \
    "from the files indexed so far','properties':{'indexed_files':{'type':'integer'},"             \
    "'total_files':{'type':'integer'}},'required':['indexed_files','total_files']}"

const struct mcp_tool *mcp_tool_find(const char *name, size_t *index)
{
    for (size_t i = 0; i < mcp_ntools; i++)
        if (!strcmp(mcp_tools[i]->name, name)) {
            if (index)
                *index = i;
            return mcp_tools[i];
        }
    return NULL;
}

static json_t *input_schema_of(const struct mcp_tool *t)
{
    json_t *s = mcp_schema_parse(t->input_schema);
    if ((t->flags & MCP_TOOL_QUERY) && !(t->flags & MCP_TOOL_OWN_PARTIAL)) {
        json_t *props = json_object_get(s, "properties");
        if (!props) {
            props = json_object();
            json_object_set_new(s, "properties", props);
        }
        json_object_set_new(props, "wait_seconds", mcp_schema_parse(WAIT_SECONDS_SCHEMA));
    }
    return s;
}

static json_t *output_schema_of(const struct mcp_tool *t)
{
    json_t *s = mcp_schema_parse(t->output_schema);
    if ((t->flags & MCP_TOOL_QUERY) && !(t->flags & MCP_TOOL_OWN_PARTIAL)) {
        json_t *props = json_object_get(s, "properties");
        if (!props) {
            props = json_object();
            json_object_set_new(s, "properties", props);
        }
        json_object_set_new(props, "partial", mcp_schema_parse(PARTIAL_SCHEMA));
    }
    return s;
}

json_t *mcp_tool_input_schema(size_t i)
{
    return input_schema_of(mcp_tools[i]);
}

json_t *mcp_tool_output_schema(size_t i)
{
    return output_schema_of(mcp_tools[i]);
}

/* The parsed schemas of tool i, cached in the server (borrowed). */
static void schemas(struct mcp_server *srv, size_t i, json_t **in, json_t **out)
{
    size_t n;
    const struct mcp_tool *const *tools = table(srv, &n);
    if (!srv->in_schemas) {
        srv->in_schemas = xcalloc(n, sizeof(json_t *));
        srv->out_schemas = xcalloc(n, sizeof(json_t *));
    }
    if (!srv->in_schemas[i]) {
        srv->in_schemas[i] = input_schema_of(tools[i]);
        srv->out_schemas[i] = output_schema_of(tools[i]);
    }
    *in = srv->in_schemas[i];
    *out = srv->out_schemas[i];
}

json_t *mcp_tool_list_entry(struct mcp_server *srv, size_t i)
{
    size_t n;
    const struct mcp_tool *t = table(srv, &n)[i];
    json_t *e = json_object(), *in, *out, *ann;
    schemas(srv, i, &in, &out);
    json_object_set_new(e, "name", json_string(t->name));
    if (srv->structured)
        json_object_set_new(e, "title", json_string(t->title));
    json_object_set_new(e, "description", json_string(t->description));
    json_object_set(e, "inputSchema", in);
    if (srv->structured)
        json_object_set(e, "outputSchema", out);
    if (strcmp(srv->version, "2025-03-26") >= 0) {
        ann = json_object();
        json_object_set_new(ann, "title", json_string(t->title));
        json_object_set_new(ann, "readOnlyHint", json_boolean(t->flags & MCP_TOOL_READ_ONLY));
        if (!(t->flags & MCP_TOOL_READ_ONLY))
            json_object_set_new(ann, "destructiveHint", json_false());
        json_object_set_new(ann, "idempotentHint", json_true());
        json_object_set_new(ann, "openWorldHint", json_false());
        json_object_set_new(e, "annotations", ann);
    }
    return e;
}

/* ---- helpers for the tools ---- */

int mcp_call_fail(struct mcp_call *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->message, sizeof(c->message), fmt, ap);
    va_end(ap);
    return MCP_TOOL_FAILED;
}

int mcp_call_bad_arg(struct mcp_call *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->message, sizeof(c->message), fmt, ap);
    va_end(ap);
    return MCP_TOOL_BAD_ARGS;
}

const char *mcp_arg_str(const json_t *args, const char *name, const char *def)
{
    const json_t *v = json_object_get(args, name);
    return json_is_string(v) ? json_string_value(v) : def;
}

json_int_t mcp_arg_int(const json_t *args, const char *name, json_int_t def)
{
    const json_t *v = json_object_get(args, name);
    if (json_is_integer(v))
        return json_integer_value(v);
    if (json_is_real(v)) /* 5.0: the schema check let only whole numbers through */
        return (json_int_t)json_real_value(v);
    return def;
}

bool mcp_arg_bool(const json_t *args, const char *name, bool def)
{
    const json_t *v = json_object_get(args, name);
    return json_is_boolean(v) ? json_is_true(v) : def;
}

double mcp_arg_num(const json_t *args, const char *name, double def)
{
    const json_t *v = json_object_get(args, name);
    return json_is_number(v) ? json_number_value(v) : def;
}

const char *mcp_path_rel(const char *root, const char *path)
{
    size_t n;
    if (!root || !path)
        return path;
    n = strlen(root);
    if (n > 1 && strncmp(path, root, n) == 0 && path[n] == '/' && path[n + 1])
        return path + n + 1;
    return path;
}

json_t *mcp_location_json(const char *root, const char *file, uint32_t line, uint32_t col,
                          uint32_t end_line, uint32_t end_col)
{
    json_t *o;
    if (!file)
        return json_null();
    o = json_object();
    json_object_set_new(o, "file", mcp_json_str(mcp_path_rel(root, file)));
    json_object_set_new(o, "line", json_integer(line));
    json_object_set_new(o, "column", json_integer(col));
    if (end_line) {
        json_object_set_new(o, "end_line", json_integer(end_line));
        json_object_set_new(o, "end_column", json_integer(end_col));
    }
    return o;
}

/* ---- text ---- */

bool mcp_text_add(struct strbuf *out, const char *s, size_t len)
{
    static const char more[] = "... (output cut at 100 KB: narrow the query or page with offset)";
    if (out->len + len + sizeof(more) > MCP_TEXT_MAX) {
        if (!strstr(out->buf, more))
            strbuf_adds(out, more);
        return false;
    }
    strbuf_add(out, s, len);
    return true;
}

static void scalar_text(struct strbuf *sb, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        strbuf_add(sb, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        strbuf_addf(sb, "%lld", (long long)json_integer_value(v));
        break;
    case JSON_REAL:
        strbuf_addf(sb, "%.6g", json_real_value(v));
        break;
    case JSON_TRUE:
        strbuf_adds(sb, "true");
        break;
    case JSON_FALSE:
        strbuf_adds(sb, "false");
        break;
    case JSON_NULL:
        strbuf_adds(sb, "-");
        break;
    default: {
        char *s = json_dumps(v, JSON_COMPACT);
        if (s)
            strbuf_adds(sb, s);
        free(s);
    }
    }
}

/* One line for an array item: "kind qualified_name file:line ..." when it looks like a symbol
 * or a location, else compact JSON. Newlines inside are shown as spaces. */
static void item_line(struct strbuf *sb, const json_t *item)
{
    const json_t *loc, *v;
    size_t start = sb->len;
    if (json_is_object(item)) {
        const json_t *name = json_object_get(item, "qualified_name");
        if (!name)
            name = json_object_get(item, "name");
        if (!name)
            name = json_object_get(item, "symbol");
        if (json_is_object(name)) {
            const json_t *q = json_object_get(name, "qualified_name");
            name = q ? q : json_object_get(name, "name");
        }
        loc = json_object_get(item, "location");
        if (!loc && json_object_get(item, "file") && json_object_get(item, "line"))
            loc = item;
        if (json_is_string(name) || json_is_object(loc)) {
            if ((v = json_object_get(item, "kind")) && json_is_string(v))
                strbuf_addf(sb, "%s ", json_string_value(v));
            else if ((v = json_object_get(item, "role")) && json_is_string(v))
                strbuf_addf(sb, "%s ", json_string_value(v));
            if (json_is_string(name))
                strbuf_addf(sb, "%s ", json_string_value(name));
            if (json_is_object(loc)) {
                const char *f = json_string_value(json_object_get(loc, "file"));
                strbuf_addf(sb, "%s:%lld", f ? f : "?",
                            (long long)json_integer_value(json_object_get(loc, "line")));
                if (json_is_integer(json_object_get(loc, "column")))
                    strbuf_addf(sb, ":%lld",
                                (long long)json_integer_value(json_object_get(loc, "column")));
                strbuf_addch(sb, ' ');
            }
            if ((v = json_object_get(item, "signature")) && json_is_string(v) &&
                json_string_length(v))
                strbuf_addf(sb, " %s", json_string_value(v));
            else if ((v = json_object_get(item, "line_text")) && json_is_string(v))
                strbuf_addf(sb, " %s", json_string_value(v));
            if ((v = json_object_get(item, "sites")) && json_is_array(v))
                strbuf_addf(sb, " (%zu site%s)", json_array_size(v),
                            json_array_size(v) == 1 ? "" : "s");
            while (sb->len > start && sb->buf[sb->len - 1] == ' ')
                sb->len--;
            sb->buf[sb->len] = 0;
            goto done;
        }
    }
    scalar_text(sb, item);
done:
    for (size_t i = start; i < sb->len; i++)
        if (sb->buf[i] == '\n' || sb->buf[i] == '\r')
            sb->buf[i] = ' ';
}

void mcp_render_generic(struct strbuf *out, const json_t *result)
{
    struct strbuf line = STRBUF_INIT;
    const char *key;
    const json_t *v;

    if (!json_is_object(result)) {
        scalar_text(&line, result);
        mcp_text_add(out, line.buf, line.len);
        strbuf_release(&line);
        return;
    }
    /* scalars first, on one line */
    json_object_foreach((json_t *)result, key, v)
    {
        if (json_is_array(v) || json_is_object(v))
            continue;
        strbuf_addf(&line, "%s%s: ", line.len ? "  " : "", key);
        scalar_text(&line, v);
    }
    if (line.len) {
        strbuf_addch(&line, '\n');
        mcp_text_add(out, line.buf, line.len);
    }
    /* then each object on its own line, each array one line per item */
    json_object_foreach((json_t *)result, key, v)
    {
        size_t i;
        const json_t *e;
        if (json_is_object(v)) {
            strbuf_reset(&line);
            strbuf_addf(&line, "%s: ", key);
            scalar_text(&line, v);
            strbuf_addch(&line, '\n');
            if (!mcp_text_add(out, line.buf, line.len))
                break;
        } else if (json_is_array(v)) {
            strbuf_reset(&line);
            strbuf_addf(&line, "%s (%zu):\n", key, json_array_size(v));
            if (!mcp_text_add(out, line.buf, line.len))
                break;
            json_array_foreach(v, i, e)
            {
                strbuf_reset(&line);
                strbuf_adds(&line, "  ");
                item_line(&line, e);
                strbuf_addch(&line, '\n');
                if (!mcp_text_add(out, line.buf, line.len))
                    goto out;
            }
        }
    }
out:
    strbuf_release(&line);
}

/* ---- tools/call ---- */

static json_t *error_result(const char *message)
{
    json_t *r = json_object(), *content = json_array(), *item = json_object();
    json_object_set_new(item, "type", json_string("text"));
    json_object_set_new(item, "text", mcp_json_str(message));
    json_array_append_new(content, item);
    json_object_set_new(r, "content", content);
    json_object_set_new(r, "isError", json_true());
    return r;
}

static void send_answer(struct mcp_server *srv, struct mcp_req *req, json_t *result)
{
    if (atomic_load(&req->cancelled)) {
        json_decref(result);
        return;
    }
    mcp_out_result(&srv->out, req->msg.id, result);
}

static void send_error(struct mcp_server *srv, struct mcp_req *req, int code, const char *msg)
{
    if (!atomic_load(&req->cancelled))
        mcp_out_error(&srv->out, req->msg.id, code, msg);
}

void mcp_tool_call(struct mcp_server *srv, struct mcp_req *req)
{
    const json_t *params = req->msg.params, *name, *args;
    const struct mcp_tool *tool, *const *tools;
    struct mcp_call c;
    struct mcp_view view;
    json_t *in, *out, *empty = NULL, *res;
    struct err e = {0};
    char msg[1400];
    size_t ti = 0, ntools;
    bool partial = false;
    int rc;

    name = params ? json_object_get(params, "name") : NULL;
    if (!json_is_string(name)) {
        send_error(srv, req, MCP_ERR_INVALID_PARAMS,
                   "Invalid params: 'name' (the tool to call) is required");
        return;
    }
    tools = table(srv, &ntools);
    for (tool = NULL; ti < ntools; ti++)
        if (!strcmp(tools[ti]->name, json_string_value(name))) {
            tool = tools[ti];
            break;
        }
    if (!tool) {
        snprintf(msg, sizeof(msg),
                 "Invalid params: unknown tool '%.200s' (tools/list has the names)",
                 json_string_value(name));
        send_error(srv, req, MCP_ERR_INVALID_PARAMS, msg);
        return;
    }
    args = json_object_get(params, "arguments");
    if (!args || json_is_null(args))
        args = empty = json_object();
    if (!json_is_object(args)) {
        send_error(srv, req, MCP_ERR_INVALID_PARAMS,
                   "Invalid params: 'arguments' must be an object");
        return;
    }
    schemas(srv, ti, &in, &out);
    if (mcp_schema_check(in, args, "", &e) != 0) {
        snprintf(msg, sizeof(msg), "Invalid params for %s: %s", tool->name, e.msg);
        send_error(srv, req, MCP_ERR_INVALID_PARAMS, msg);
        json_decref(empty);
        return;
    }
    srv->tool_calls++;
    memset(&c, 0, sizeof(c));
    memset(&view, 0, sizeof(view));
    c.srv = srv;
    c.req = req;
    c.args = args;
    strbuf_init(&c.text, 0);
    if (tool->flags & MCP_TOOL_QUERY) {
        mcp_project_view(srv, &view);
        if (!view.root) {
            rc = mcp_call_fail(&c,
                               "no project is set: call %s with the project's absolute path (or "
                               "start the server with --project DIR)",
                               srv->legacy ? "set_project_directory" : "set_project");
            goto answer;
        }
        if (view.state == MCP_STATE_INDEXING && view.behavior == IDX_QUERY_REJECT) {
            rc = mcp_call_fail(&c,
                               "the index of '%s' is still being built (%zu of %zu files); the "
                               "project config sets query_behavior to 'reject'. Wait with %s "
                               "and call again",
                               view.root, view.done, view.total,
                               srv->legacy ? "wait_for_indexing {\"timeout\": 60}"
                                           : "sync_project {\"wait_seconds\": 60}");
            goto answer;
        }
        if (view.state == MCP_STATE_INDEXING && view.behavior == IDX_QUERY_BLOCK) {
            double wait = (double)mcp_arg_int(args, "wait_seconds", BLOCK_WAIT_DEFAULT);
            if (mcp_project_wait(srv, req, wait) == MCP_WAIT_CANCELLED) {
                rc = MCP_TOOL_CANCELLED;
                goto answer;
            }
            mcp_view_release(&view);
            mcp_project_view(srv, &view);
        }
        partial = view.state == MCP_STATE_INDEXING;
        c.st = mcp_project_store(srv, &e);
        if (!c.st) {
            rc = mcp_call_fail(&c, "%s", e.msg);
            goto answer;
        }
        if (partial && (!strcmp(view.phase, "planning") || !view.phase[0])) {
            /* a refresh that has not yet found anything to parse: the cache holds a finished
             * index (a run completed before), so the answers are whole, not partial */
            char *when = NULL;
            struct err e2;
            if (store_meta_get(c.st, "last_index_time", &when, &e2) == 0 && when)
                partial = false;
            free(when);
        }
        c.view = &view;
        c.partial = partial;
    }
    rc = tool->call(&c);
answer:
    switch (rc) {
    case MCP_TOOL_CANCELLED:
        break;
    case MCP_TOOL_BAD_ARGS:
        snprintf(msg, sizeof(msg), "Invalid params for %s: %s", tool->name, c.message);
        send_error(srv, req, MCP_ERR_INVALID_PARAMS, msg);
        break;
    case MCP_TOOL_FAILED:
        send_answer(srv, req, error_result(c.message));
        break;
    default: {
        json_t *content = json_array(), *item = json_object();
        struct strbuf text = STRBUF_INIT;
        if (!c.result)
            c.result = json_object();
        if (partial && !(tool->flags & MCP_TOOL_OWN_PARTIAL)) {
            char line[160];
            /* files the index covers: the unchanged ones plus those done in this run */
            size_t have = view.unchanged + view.done, all = view.unchanged + view.total;
            json_object_set_new(c.result, "partial",
                                json_pack("{s:I,s:I}", "indexed_files", (json_int_t)have,
                                          "total_files", (json_int_t)all));
            snprintf(line, sizeof(line),
                     "partial: indexing is not finished (%zu of %zu files); results may be "
                     "incomplete\n",
                     have, all);
            strbuf_adds(&text, line);
        }
        if (c.text.len)
            mcp_text_add(&text, c.text.buf, c.text.len);
        else if (tool->render)
            tool->render(&text, c.result);
        else
            mcp_render_generic(&text, c.result);
        while (text.len && text.buf[text.len - 1] == '\n')
            text.buf[--text.len] = 0;
        json_object_set_new(item, "type", json_string("text"));
        json_object_set_new(item, "text", mcp_json_str(text.buf));
        json_array_append_new(content, item);
        strbuf_release(&text);
        res = json_object();
        json_object_set_new(res, "content", content);
        if (srv->structured)
            json_object_set(res, "structuredContent", c.result);
        send_answer(srv, req, res);
    }
    }
    json_decref(c.result);
    strbuf_release(&c.text);
    mcp_view_release(&view);
    json_decref(empty);
}

/* ---- docs/TOOLS.md ---- */

static void md_type(struct strbuf *out, const json_t *s)
{
    const json_t *t = json_object_get(s, "type"), *items = json_object_get(s, "items");
    if (json_is_string(t)) {
        strbuf_adds(out, json_string_value(t));
        if (!strcmp(json_string_value(t), "array") && items) {
            strbuf_adds(out, " of ");
            md_type(out, items);
        }
    } else if (json_is_array(t)) {
        size_t i;
        const json_t *e;
        json_array_foreach(t, i, e)
        {
            strbuf_addf(out, "%s%s", i ? " or " : "", json_string_value(e));
        }
    } else {
        strbuf_adds(out, "any");
    }
}

static void md_constraints(struct strbuf *out, const json_t *s)
{
    const json_t *v, *items = json_object_get(s, "items");
    const json_t *en = json_object_get(s, "enum");
    if (!en && items)
        en = json_object_get(items, "enum");
    if (json_is_array(en)) {
        size_t i;
        const json_t *e;
        strbuf_adds(out, " One of: ");
        json_array_foreach(en, i, e)
        {
            strbuf_addf(out, "%s`%s`", i ? ", " : "", json_string_value(e));
        }
        strbuf_adds(out, ".");
    }
    if ((v = json_object_get(s, "minimum")) && (json_object_get(s, "maximum")))
        strbuf_addf(out, " Range %g to %g.", json_number_value(v),
                    json_number_value(json_object_get(s, "maximum")));
    else if ((v = json_object_get(s, "minimum")))
        strbuf_addf(out, " At least %g.", json_number_value(v));
    if ((v = json_object_get(s, "default"))) {
        char *d = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        strbuf_addf(out, " Default `%s`.", d ? d : "?");
        free(d);
    }
}

static const char main_intro[] =
    "# cidx MCP tools\n\n"
    "<!-- Generated by `cidx serve --print-tools-markdown` from the server's tool "
    "table (src/mcp/mcp_tools.c). Do not edit by hand. -->\n\n"
    "`cidx serve` offers these tools over MCP. Every tool has an input schema and an "
    "output schema (JSON Schema, in the subset shared by draft-07 and draft "
    "2020-12); results carry `structuredContent` (the data, valid against the output "
    "schema) and one text item (a compact rendering for models, one line per item, "
    "at most 100 KB). `docs/mcp.md` explains how to run the server and set up "
    "clients.\n\n"
    "Common rules:\n\n"
    "- Bad arguments (wrong types, unknown enum values or argument names, a regex "
    "that does not compile, a path outside the project) are a JSON-RPC error -32602 "
    "whose message names the argument. A failure of the tool itself (no project, "
    "an unreadable cache) is a result with `isError: true` and a message saying "
    "what to do. A name that matches nothing is a normal, empty result.\n"
    "- Query tools (marked *query*) need a project (`set_project`, or `cidx serve "
    "--project DIR`). While indexing is incomplete their results carry `partial: "
    "{indexed_files, total_files}` and follow the project config's "
    "`query_behavior`: `allow_partial` (default) answers at once, `block` waits up "
    "to `wait_seconds` (default 30) for indexing to finish, `reject` refuses with "
    "an `isError` result.\n"
    "- File paths are resolved inside the project root (relative to it, or "
    "absolute); a path outside it, also through `..` or a symlink, is refused. "
    "Locations in results are `{file, line, column}` with `file` relative to the "
    "project root when inside it.\n"
    "- `tools/call` with a `_meta.progressToken` gets `notifications/progress` "
    "while a call waits for indexing (`wait_seconds`); `notifications/cancelled` "
    "ends the wait and the call is not answered.\n\n"
    "| tool | CLI twin | summary |\n|---|---|---|\n";

/* The reference of a tool table: intro, a summary row per tool, then each tool's arguments and
 * output schema. twin names what a tool's cli field holds ("CLI twin"). */
static void markdown(struct strbuf *out, const char *intro, const char *twin,
                     const struct mcp_tool *const *tools, size_t n)
{
    strbuf_adds(out, intro);
    for (size_t i = 0; i < n; i++) {
        const struct mcp_tool *t = tools[i];
        const char *dot = strchr(t->description, '.');
        strbuf_addf(out, "| [`%s`](#%s) | `%s` | %.*s%s |\n", t->name, t->name, t->cli,
                    dot ? (int)(dot - t->description) : (int)strlen(t->description), t->description,
                    (t->flags & MCP_TOOL_QUERY) ? " (*query*)" : "");
    }
    for (size_t i = 0; i < n; i++) {
        const struct mcp_tool *t = tools[i];
        json_t *in = input_schema_of(t), *outs = output_schema_of(t);
        json_t *props = json_object_get(in, "properties"), *req = json_object_get(in, "required");
        const char *key;
        json_t *p;
        char *pretty;

        strbuf_addf(out, "\n## %s\n\n*%s*%s. %s: `%s`.\n\n%s\n\n", t->name, t->title,
                    (t->flags & MCP_TOOL_QUERY) ? " (query)" : "", twin, t->cli, t->description);
        if (json_object_size(props)) {
            strbuf_adds(out, "| argument | type | required | description |\n|---|---|---|---|\n");
            json_object_foreach(props, key, p)
            {
                bool required = false;
                size_t k;
                json_t *r;
                const json_t *d = json_object_get(p, "description");
                json_array_foreach(req, k, r)
                {
                    if (!strcmp(json_string_value(r), key))
                        required = true;
                }
                strbuf_addf(out, "| `%s` | ", key);
                md_type(out, p);
                strbuf_addf(out, " | %s | %s", required ? "yes" : "",
                            d ? json_string_value(d) : "");
                if (d && json_string_length(d))
                    strbuf_addch(out, '.');
                md_constraints(out, p);
                strbuf_adds(out, " |\n");
            }
        } else {
            strbuf_adds(out, "No arguments.\n");
        }
        pretty = json_dumps(outs, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        strbuf_addf(out,
                    "\n<details><summary>Output schema</summary>\n\n```json\n%s\n```\n\n"
                    "</details>\n",
                    pretty ? pretty : "");
        free(pretty);
        json_decref(in);
        json_decref(outs);
    }
}

void mcp_tools_markdown_set(struct strbuf *out, enum mcp_tool_set set)
{
    if (set == MCP_TOOL_SET_LEGACY)
        markdown(out, mcp_legacy_markdown_intro, "Runs on", mcp_legacy_tools, mcp_legacy_ntools);
    else
        markdown(out, main_intro, "CLI twin", mcp_tools, mcp_ntools);
}

void mcp_tools_markdown(struct strbuf *out)
{
    mcp_tools_markdown_set(out, MCP_TOOL_SET_MAIN);
}
