/*
 * mcp_server.c - the MCP server's lifecycle and dispatch over stdio.
 *
 * Threads. The reader thread reads lines, decodes them, answers what needs no state (errors in
 * the envelope, ping) and handles notifications/cancelled at once; every other message goes to
 * a queue that the request thread (the caller of mcp_serve) works through in arrival order, one
 * request at a time. The indexing thread (mcp_project.c) runs idx_run. All three may write to
 * the output channel, which writes whole lines under its own lock.
 *
 * Invariants and transitions:
 *   1. phase NEW -> INITIALIZING when initialize is answered (handle_initialize);
 *      INITIALIZING -> READY on notifications/initialized; nothing goes back. Before
 *      initialize only ping and initialize are served; every other request is refused.
 *   2. Each request is answered exactly once, unless it was cancelled (then never), or it is
 *      a notification (never). The answer is written by the thread that handled it.
 *   3. A request in the queue or in progress can be cancelled: its flag is set under mu and
 *      the condition variable wakes a wait; the request thread checks the flag before
 *      answering (answer()).
 *   4. When the input ends (eof) the queued requests are still answered, but no call waits
 *      any more; then indexing is cancelled and mcp_serve returns.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mcp_int.h"

const char *const mcp_protocol_versions[] = {"2025-11-25", "2025-06-18", "2025-03-26",
                                             "2024-11-05"};
const size_t mcp_nprotocol_versions = ARRAY_SIZE(mcp_protocol_versions);

/* Queue limits: a client that floods the server gets errors, not unbounded memory. */
#define QUEUE_MAX_REQUESTS 4096
#define QUEUE_MAX_BYTES ((size_t)256 << 20)

static const char *const log_names[] = {"error", "warning", "info", "debug"};

/* ---- logging ---- */

static void log_sink(enum log_level level, const char *msg, void *payload)
{
    struct mcp_server *srv = payload;
    int client = atomic_load(&srv->client_log_level);
    if ((unsigned)level > LOG_DEBUG)
        level = LOG_DEBUG;
    if (level <= srv->stderr_level)
        fprintf(stderr, "cidx: %s: %s\n", log_names[level], msg);
    if (client >= 0 && (int)level <= client) {
        json_t *p = json_object();
        json_object_set_new(p, "level", json_string(log_names[level]));
        json_object_set_new(p, "logger", json_string("cidx"));
        json_object_set_new(p, "data", mcp_json_str(msg));
        mcp_out_notify(&srv->out, "notifications/message", p);
    }
}

/* logging/setLevel's syslog levels onto ours. */
static int client_level(const char *name)
{
    static const struct {
        const char *name;
        int level;
    } map[] = {{"debug", LOG_DEBUG},  {"info", LOG_INFO},      {"notice", LOG_INFO},
               {"warning", LOG_WARN}, {"error", LOG_ERROR},    {"critical", LOG_ERROR},
               {"alert", LOG_ERROR},  {"emergency", LOG_ERROR}};
    for (size_t i = 0; i < ARRAY_SIZE(map); i++)
        if (!strcmp(map[i].name, name))
            return map[i].level;
    return -1;
}

/* ---- answering ---- */

static void answer(struct mcp_server *srv, struct mcp_req *req, json_t *result)
{
    if (atomic_load(&req->cancelled)) {
        json_decref(result);
        return;
    }
    mcp_out_result(&srv->out, req->msg.id, result);
}

static void answer_error(struct mcp_server *srv, struct mcp_req *req, int code, const char *fmt,
                         ...) PRINTF_LIKE(4, 5);
static void answer_error(struct mcp_server *srv, struct mcp_req *req, int code, const char *fmt,
                         ...)
{
    char msg[1200];
    va_list ap;
    if (atomic_load(&req->cancelled))
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    mcp_out_error(&srv->out, req->msg.id, code, msg);
}

/* ---- the request thread's methods ---- */

static void handle_initialize(struct mcp_server *srv, struct mcp_req *req)
{
    const json_t *params = req->msg.params;
    const json_t *v = params ? json_object_get(params, "protocolVersion") : NULL;
    const char *want, *use = mcp_protocol_versions[0];
    json_t *res, *caps, *info;

    if (srv->phase != MCP_PHASE_NEW) {
        answer_error(srv, req, MCP_ERR_INVALID_REQUEST,
                     "Invalid Request: the session is already initialized");
        return;
    }
    if (!json_is_string(v)) {
        answer_error(srv, req, MCP_ERR_INVALID_PARAMS,
                     "Invalid params: 'protocolVersion' is required (a string such as \"%s\")",
                     mcp_protocol_versions[0]);
        return;
    }
    want = json_string_value(v);
    for (size_t i = 0; i < mcp_nprotocol_versions; i++)
        if (!strcmp(want, mcp_protocol_versions[i]))
            use = mcp_protocol_versions[i];
    snprintf(srv->version, sizeof(srv->version), "%s", use);
    srv->structured = strcmp(use, "2025-06-18") >= 0;

    res = json_object();
    caps = json_object();
    json_object_set_new(caps, "tools", json_pack("{s:b}", "listChanged", 0));
    json_object_set_new(caps, "logging", json_object());
    info = json_object();
    json_object_set_new(info, "name", json_string("cidx"));
    json_object_set_new(info, "version", json_string(CIDX_VERSION));
    if (srv->structured)
        json_object_set_new(info, "title", json_string("cidx - C/C++ code index"));
    json_object_set_new(res, "protocolVersion", json_string(use));
    json_object_set_new(res, "capabilities", caps);
    json_object_set_new(res, "serverInfo", info);
    json_object_set_new(
        res, "instructions",
        json_string(
            srv->legacy
                ? "cidx answers questions about a C/C++ code base from a libclang index kept in "
                  "a SQLite cache, through the tools of the earlier Python server. Unless the "
                  "server was started with --project, call set_project_directory with the "
                  "project's absolute path first; indexing runs in the background, query "
                  "results are {data, metadata} and metadata.status is 'partial' until it is "
                  "complete (get_indexing_status shows progress, wait_for_indexing waits). "
                  "Patterns are case-insensitive regular expressions searched anywhere in the "
                  "name."
                : "cidx answers questions about a C/C++ code base from a libclang index kept "
                  "in a SQLite cache. Unless the server was started with --project, call "
                  "set_project with the project's absolute path first; indexing runs in the "
                  "background and results carry 'partial' until it is complete "
                  "(sync_project shows progress and can wait). find_symbols finds names; "
                  "get_symbol_info, get_class_hierarchy, find_incoming_calls, "
                  "find_outgoing_calls, trace_call_path, find_references and get_source "
                  "take a name (simple, qualified, or ::global) or a usr from a result."));
    srv->phase = MCP_PHASE_INITIALIZING;
    answer(srv, req, res);
    log_debug("initialized with protocol revision %s (client asked for %s)", use, want);
}

static void handle_set_level(struct mcp_server *srv, struct mcp_req *req)
{
    const json_t *v = req->msg.params ? json_object_get(req->msg.params, "level") : NULL;
    int level = json_is_string(v) ? client_level(json_string_value(v)) : -1;
    if (level < 0) {
        answer_error(srv, req, MCP_ERR_INVALID_PARAMS,
                     "Invalid params: 'level' must be one of debug, info, notice, warning, "
                     "error, critical, alert, emergency");
        return;
    }
    atomic_store(&srv->client_log_level, level);
    answer(srv, req, json_object());
}

static void handle_tools_list(struct mcp_server *srv, struct mcp_req *req)
{
    const json_t *cursor = req->msg.params ? json_object_get(req->msg.params, "cursor") : NULL;
    json_t *res, *list;
    if (cursor && !json_is_null(cursor)) {
        answer_error(srv, req, MCP_ERR_INVALID_PARAMS,
                     "Invalid params: unknown cursor (the tool list has a single page)");
        return;
    }
    list = json_array();
    for (size_t i = 0; i < srv->ntools; i++)
        json_array_append_new(list, mcp_tool_list_entry(srv, i));
    res = json_object();
    json_object_set_new(res, "tools", list);
    answer(srv, req, res);
}

static void handle(struct mcp_server *srv, struct mcp_req *req)
{
    const char *m = req->msg.method;

    if (req->msg.kind == MCP_MSG_NOTIFICATION) {
        if (!strcmp(m, "notifications/initialized")) {
            if (srv->phase == MCP_PHASE_INITIALIZING)
                srv->phase = MCP_PHASE_READY;
        } else {
            log_debug("notification '%s' ignored", m);
        }
        return;
    }
    srv->requests++;
    if (!strcmp(m, "initialize")) {
        handle_initialize(srv, req);
        return;
    }
    if (srv->phase == MCP_PHASE_NEW) {
        answer_error(srv, req, MCP_ERR_INVALID_REQUEST,
                     "Invalid Request: the session is not initialized; send 'initialize' first "
                     "(only 'ping' is served before it)");
        return;
    }
    if (strcmp(m, "tools/list") && strcmp(m, "tools/call") && strcmp(m, "logging/setLevel") &&
        strcmp(m, "ping")) {
        answer_error(srv, req, MCP_ERR_METHOD_NOT_FOUND,
                     "Method not found: '%.200s' (this server offers tools/list, tools/call, "
                     "logging/setLevel and ping)",
                     m);
        return;
    }
    if (req->msg.bad_params) {
        answer_error(srv, req, MCP_ERR_INVALID_PARAMS,
                     "Invalid params: 'params' must be an object");
        return;
    }
    if (!strcmp(m, "tools/list"))
        handle_tools_list(srv, req);
    else if (!strcmp(m, "tools/call"))
        mcp_tool_call(srv, req);
    else if (!strcmp(m, "logging/setLevel"))
        handle_set_level(srv, req);
    else
        answer(srv, req, json_object()); /* ping */
}

/* ---- the reader thread ---- */

static long read_input(void *ctx, void *buf, size_t n)
{
    struct mcp_server *srv = ctx;
    for (;;) {
        ssize_t r;
        int w = mcp_wait_readable(srv->opt->in_fd, srv->wake[0], srv->opt->stop_fd);
        if (w == 0)
            return 0; /* asked to stop */
        if (w < 0)
            return -1;
        r = read(srv->opt->in_fd, buf, n);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        return (long)r;
    }
}

static void cancel_request(struct mcp_server *srv, const json_t *params)
{
    const json_t *rid = params ? json_object_get(params, "requestId") : NULL;
    struct mcp_req *r;
    if (!rid || !(json_is_string(rid) || json_is_integer(rid)))
        return;
    pthread_mutex_lock(&srv->mu);
    for (r = srv->current; r; r = NULL)
        if (json_equal(r->msg.id, (json_t *)rid) && strcmp(r->msg.method, "initialize") != 0)
            atomic_store(&r->cancelled, 1);
    for (r = srv->qhead; r; r = r->next)
        if (r->msg.kind == MCP_MSG_REQUEST && json_equal(r->msg.id, (json_t *)rid) &&
            strcmp(r->msg.method, "initialize") != 0)
            atomic_store(&r->cancelled, 1);
    pthread_cond_broadcast(&srv->cv);
    pthread_mutex_unlock(&srv->mu);
}

static void req_free(struct mcp_req *r)
{
    if (!r)
        return;
    mcp_msg_release(&r->msg);
    free(r);
}

static void on_line(struct mcp_server *srv, const char *line, size_t len)
{
    struct mcp_req *req = xcalloc(1, sizeof(*req));
    struct mcp_msg *m = &req->msg;
    bool full;

    mcp_msg_parse(m, line, len);
    switch (m->kind) {
    case MCP_MSG_INVALID:
        mcp_out_error(&srv->out, m->id, m->code, m->message);
        req_free(req);
        return;
    case MCP_MSG_RESPONSE:
        req_free(req); /* the server sends no requests: nothing is waiting for it */
        return;
    case MCP_MSG_NOTIFICATION:
        if (!strcmp(m->method, "notifications/cancelled")) {
            cancel_request(srv, m->params);
            req_free(req);
            return;
        }
        if (strcmp(m->method, "notifications/initialized") != 0) {
            req_free(req);
            return;
        }
        break;
    case MCP_MSG_REQUEST:
        if (!strcmp(m->method, "ping")) {
            mcp_out_result(&srv->out, m->id, json_object());
            req_free(req);
            return;
        }
        if (m->params) {
            const json_t *meta = json_object_get(m->params, "_meta");
            const json_t *tok = meta ? json_object_get(meta, "progressToken") : NULL;
            if (tok && (json_is_string(tok) || json_is_integer(tok)))
                req->progress_token = (json_t *)tok;
        }
        break;
    }
    req->bytes = len + sizeof(*req);
    atomic_init(&req->cancelled, 0);
    pthread_mutex_lock(&srv->mu);
    full = srv->qlen >= QUEUE_MAX_REQUESTS || srv->qbytes + req->bytes > QUEUE_MAX_BYTES;
    if (!full) {
        if (srv->qtail)
            srv->qtail->next = req;
        else
            srv->qhead = req;
        srv->qtail = req;
        srv->qlen++;
        srv->qbytes += req->bytes;
        pthread_cond_broadcast(&srv->cv);
    }
    pthread_mutex_unlock(&srv->mu);
    if (full) {
        if (m->kind == MCP_MSG_REQUEST)
            mcp_out_error(&srv->out, m->id, MCP_ERR_INTERNAL,
                          "server busy: too many requests are waiting; retry later");
        req_free(req);
    }
}

static void *reader_main(void *arg)
{
    struct mcp_server *srv = arg;
    struct mcp_reader rd;

    mcp_reader_init(&rd, MCP_MAX_MESSAGE, read_input, srv);
    for (;;) {
        const char *line;
        size_t len, i;
        enum mcp_read_status st = mcp_reader_next(&rd, &line, &len);
        if (st == MCP_READ_END || st == MCP_READ_ERROR)
            break;
        if (st == MCP_READ_TOO_LONG) {
            mcp_out_error(&srv->out, NULL, MCP_ERR_INVALID_REQUEST,
                          "Invalid Request: message longer than 16 MiB (16777216 bytes); "
                          "skipped");
            continue;
        }
        for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
            ;
        if (i < len)
            on_line(srv, line, len);
        if (atomic_load(&srv->out.broken))
            break;
    }
    mcp_reader_release(&rd);
    pthread_mutex_lock(&srv->mu);
    srv->eof = true;
    pthread_cond_broadcast(&srv->cv);
    pthread_mutex_unlock(&srv->mu);
    return NULL;
}

/* ---- serving ---- */

static void serve_loop(struct mcp_server *srv)
{
    for (;;) {
        struct mcp_req *req;
        pthread_mutex_lock(&srv->mu);
        while (!srv->qhead && !srv->eof && !atomic_load(&srv->out.broken))
            pthread_cond_wait(&srv->cv, &srv->mu);
        req = srv->qhead;
        if (!req || atomic_load(&srv->out.broken)) {
            srv->eof = true;
            pthread_mutex_unlock(&srv->mu);
            break;
        }
        srv->qhead = req->next;
        if (!srv->qhead)
            srv->qtail = NULL;
        srv->qlen--;
        srv->qbytes -= req->bytes;
        req->next = NULL;
        srv->current = req;
        pthread_mutex_unlock(&srv->mu);

        if (!atomic_load(&req->cancelled))
            handle(srv, req);

        pthread_mutex_lock(&srv->mu);
        srv->current = NULL;
        pthread_mutex_unlock(&srv->mu);
        req_free(req);
    }
}

/* The project of a cache served without --project: the root its last index recorded. */
static void adopt_cache(struct mcp_server *srv, const char *cache_dir)
{
    struct store *st = NULL;
    struct err e = {0};
    char *root = NULL;
    if (store_open_cache(&st, cache_dir, STORE_OPEN_EXISTING, &e) != 0 &&
        store_open_cache(&st, cache_dir, STORE_OPEN_EXISTING | STORE_OPEN_READONLY, &e) != 0) {
        log_warn("cache '%s': %s", cache_dir, e.msg);
        return;
    }
    if (store_meta_get(st, "project_root", &root, &e) == 0 && root && *root && fs_is_dir(root)) {
        if (mcp_project_set(srv, root, NULL, cache_dir, false, &e) != 0)
            log_warn("cache '%s': project '%s': %s", cache_dir, root, e.msg);
        else
            srv->start_root = path_real(root);
    } else {
        log_warn("cache '%s' does not say which project it indexes; call set_project", cache_dir);
    }
    free(root);
    store_close(st);
}

int mcp_serve(const struct mcp_options *opt, struct err *err)
{
    struct mcp_server *srv = xcalloc(1, sizeof(*srv));
    pthread_condattr_t ca;
    pthread_t reader;
    enum log_level old_level = log_get_level();
    bool reader_started = false;
    int rc = 0;

    srv->opt = opt;
    srv->legacy = opt->tool_set == MCP_TOOL_SET_LEGACY;
    srv->tools = srv->legacy ? mcp_legacy_tools : mcp_tools;
    srv->ntools = srv->legacy ? mcp_legacy_ntools : mcp_ntools;
    srv->stderr_level = opt->stderr_level;
    srv->started_ns = time_mono_ns();
    srv->wake[0] = srv->wake[1] = -1;
    atomic_init(&srv->client_log_level, -1);
    mcp_out_init(&srv->out, opt->out_fd);
    pthread_mutex_init(&srv->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&srv->cv, &ca);
    pthread_cond_init(&srv->index_cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pipe2(srv->wake, O_CLOEXEC) != 0) {
        rc = err_set(err, ERR_IO, "cannot create a pipe: %s", strerror(errno));
        srv->wake[0] = srv->wake[1] = -1;
        goto out;
    }
    /* every message is seen by the sink; it filters for stderr and for the client */
    log_set_level(LOG_DEBUG);
    log_set_sink(log_sink, srv);

    if (opt->project) {
        char *root = path_real(opt->project);
        if (!root || !fs_is_dir(root)) {
            free(root);
            rc = err_set(err, ERR_INVALID, "project directory '%s' does not exist", opt->project);
            goto out;
        }
        rc = mcp_project_set(srv, root, opt->config_path, opt->cache_dir, true, err);
        srv->start_root = root;
        if (rc != 0)
            goto out;
    } else if (opt->cache_dir) {
        adopt_cache(srv, opt->cache_dir);
    }
    if ((rc = mcp_project_start(srv, err)) != 0)
        goto out;
    if ((rc = pthread_create(&reader, NULL, reader_main, srv)) != 0) {
        rc = err_set(err, ERR_IO, "cannot start the reader thread: %s", strerror(rc));
        goto out;
    }
    reader_started = true;
    log_debug("serving MCP (pid %ld)", (long)getpid());

    serve_loop(srv);

out:
    if (reader_started) {
        if (srv->wake[1] >= 0 && write(srv->wake[1], "x", 1) < 0)
            log_debug("cannot wake the reader: %s", strerror(errno));
        pthread_join(reader, NULL);
    }
    mcp_project_stop(srv);
    store_close(srv->st);
    log_set_sink(NULL, NULL);
    log_set_level(old_level);
    while (srv->qhead) {
        struct mcp_req *r = srv->qhead;
        srv->qhead = r->next;
        req_free(r);
    }
    if (srv->in_schemas)
        for (size_t i = 0; i < srv->ntools; i++)
            json_decref(srv->in_schemas[i]);
    if (srv->out_schemas)
        for (size_t i = 0; i < srv->ntools; i++)
            json_decref(srv->out_schemas[i]);
    free(srv->in_schemas);
    free(srv->out_schemas);
    free(srv->start_root);
    free(srv->proj.root);
    free(srv->proj.config_path);
    free(srv->proj.cache_dir);
    free(srv->proj.current);
    free(srv->proj.error);
    if (srv->wake[0] >= 0)
        close(srv->wake[0]);
    if (srv->wake[1] >= 0)
        close(srv->wake[1]);
    pthread_cond_destroy(&srv->cv);
    pthread_cond_destroy(&srv->index_cv);
    pthread_mutex_destroy(&srv->mu);
    mcp_out_release(&srv->out);
    free(srv);
    return rc;
}
