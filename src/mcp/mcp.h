/*
 * mcp.h - the one public header of the mcp module: the MCP server (JSON-RPC 2.0, one message
 * per line over a pair of file descriptors), the JSON-RPC reader it is built on (the fuzz
 * target's entry point), the resolver that keeps every path a tool takes inside the project,
 * and the generator of the tool reference (docs/TOOLS.md).
 *
 * The server is the only part of cidx with threads: a reader thread (the input), the calling
 * thread (requests, one at a time, in order) and an indexing thread (idx_run). Nothing here
 * exits the process; every input from outside becomes an error value or a JSON-RPC error.
 */
#ifndef CIDX_MCP_H
#define CIDX_MCP_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "util/util.h"

/* The largest message (one line, without its newline) the server reads: longer lines are
 * skipped without being held in memory, and answered with MCP_ERR_INVALID_REQUEST. */
#define MCP_MAX_MESSAGE ((size_t)16 << 20)

/* JSON-RPC 2.0 error codes. */
enum {
    MCP_ERR_PARSE = -32700,
    MCP_ERR_INVALID_REQUEST = -32600,
    MCP_ERR_METHOD_NOT_FOUND = -32601,
    MCP_ERR_INVALID_PARAMS = -32602,
    MCP_ERR_INTERNAL = -32603,
};

/* ---- the server ----------------------------------------------------------------------------- */

/* The tools a server offers (cidx serve --tool-set). */
enum mcp_tool_set {
    MCP_TOOL_SET_MAIN = 0, /* the tools of docs/TOOLS.md */
    MCP_TOOL_SET_LEGACY, /* the sixteen tools of the plan's Python server (docs/TOOLS-legacy.md) */
};
/* "main" or "legacy" to its enum value; -1 when unknown. */
int mcp_tool_set_parse(const char *name);

struct mcp_options {
    int in_fd;               /* messages in (stdin) */
    int out_fd;              /* messages out: nothing else may write to it */
    int stop_fd;             /* when readable, stop as if the input had ended (a signal
                                handler's pipe); -1: none */
    const char *project;     /* index this project in the background and answer from it; NULL:
                                none until set_project (or cache_dir's recorded project) */
    const char *cache_dir;   /* NULL: the project's default cache directory */
    const char *config_path; /* NULL: the project's cpp-analyzer-config.json, if any */
    unsigned jobs;           /* parse workers; 0: the config's max_workers, else one per core */
    /* The tools offered (zero: MCP_TOOL_SET_MAIN). */
    enum mcp_tool_set tool_set;
    /* Log level for stderr (the client picks its own with logging/setLevel). */
    enum log_level stderr_level;
};

/*
 * Serves MCP on opt->in_fd / opt->out_fd until the input closes (or the output breaks), then
 * cancels background indexing, waits for it and returns 0. Installs its own log sink for the
 * duration (log lines go to stderr and, when the client asked, to the client), so call it with
 * no other thread running. A bad --project is reported to the client through the tools, not
 * here. Returns ERR_IO only when the server cannot start (threads, pipes).
 */
int mcp_serve(const struct mcp_options *opt, struct err *err);

/* ---- the JSON-RPC reader -------------------------------------------------------------------- */

/*
 * Splits a byte stream into lines of at most max bytes (MCP_MAX_MESSAGE) without ever holding
 * much more than that: a longer line is dropped as it streams by and reported once, in order.
 * A carriage return before the newline is dropped; a last line without a newline counts.
 * Not thread-safe; one reader per stream.
 */
typedef long (*mcp_read_fn)(void *ctx, void *buf, size_t n); /* >0 bytes, 0 end, <0 error */

struct mcp_reader {
    mcp_read_fn read;
    void *ctx;
    size_t max;
    char *buf;
    size_t len, pos, cap, scan;
    bool skipping, eof;
};

enum mcp_read_status {
    MCP_READ_LINE = 1,     /* *line / *len hold one line (borrowed until the next call) */
    MCP_READ_END = 0,      /* the stream ended */
    MCP_READ_TOO_LONG = 2, /* a line longer than max was skipped */
    MCP_READ_ERROR = -1,   /* the read function failed */
};

void mcp_reader_init(struct mcp_reader *r, size_t max, mcp_read_fn fn, void *ctx);
void mcp_reader_release(struct mcp_reader *r);
enum mcp_read_status mcp_reader_next(struct mcp_reader *r, const char **line, size_t *len);

/* What a line turned out to be. */
enum mcp_msg_kind {
    MCP_MSG_REQUEST = 0,  /* method + id */
    MCP_MSG_NOTIFICATION, /* method, no id: never answered */
    MCP_MSG_RESPONSE,     /* result or error + id: an answer to the server (it sends no requests) */
    MCP_MSG_INVALID,      /* answer with code/message and id (json null when unknown) */
};

struct mcp_msg {
    enum mcp_msg_kind kind;
    json_t *root;       /* owned: the whole message (NULL when it did not parse) */
    json_t *id;         /* borrowed from root: string or integer; NULL when absent or unusable */
    const char *method; /* borrowed from root */
    json_t *params;     /* borrowed from root: an object, or NULL when absent */
    bool bad_params;    /* params present but not an object (-32602 once the method is known) */
    int code;           /* MCP_MSG_INVALID: MCP_ERR_PARSE, MCP_ERR_INVALID_REQUEST... */
    char message[256];  /* MCP_MSG_INVALID: what is wrong, for the error's message */
};

/*
 * Decodes one line (len bytes, need not be NUL-terminated) into *out: valid UTF-8, JSON no
 * deeper than jansson's limit, one object (a batch array is MCP_ERR_INVALID_REQUEST), "jsonrpc"
 * exactly "2.0", an id that is a string or an integer (MCP forbids null), a string method,
 * params an object when present. Never fails: anything wrong is kind MCP_MSG_INVALID with the
 * code and message to answer with. Release with mcp_msg_release. Thread-safe.
 */
void mcp_msg_parse(struct mcp_msg *out, const char *line, size_t len);
void mcp_msg_release(struct mcp_msg *m);

/* True when s[0..len) is valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF);
 * *bad gets the offset of the first bad byte. */
bool mcp_utf8_valid(const char *s, size_t len, size_t *bad);

/* ---- paths -------------------------------------------------------------------------------- */

/*
 * Resolves path (absolute, or relative to root) to the canonical absolute path it names, and
 * refuses anything outside root: through "..", through a symlink (the file's or a directory's),
 * or an absolute path elsewhere. root must be canonical (realpath). A path that does not exist
 * is resolved as far as it exists and normalized lexically from there. *out is the caller's to
 * free. Returns ERR_INVALID (empty, outside the root: the message names path and root).
 * Thread-safe.
 */
int mcp_path_resolve(char **out, const char *root, const char *path, struct err *err);

/* ---- the tool reference ------------------------------------------------------------------- */

/* Appends docs/TOOLS.md (every tool with its description, input and output schema) to out. */
void mcp_tools_markdown(struct strbuf *out);
/* The same for a tool set: docs/TOOLS.md for MCP_TOOL_SET_MAIN, docs/TOOLS-legacy.md for
 * MCP_TOOL_SET_LEGACY. */
void mcp_tools_markdown_set(struct strbuf *out, enum mcp_tool_set set);

/* ---- tools in this process (the CLI twins, mcp_run.c) ------------------------------------- */

struct store;

/* The flags the server serializes its messages with; structuredContent dumped with these is
 * byte for byte what tools/call sends. */
#define MCP_JSON_DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(12))

/*
 * Checks a tool name and its arguments the way tools/call does before it runs anything, for a
 * call in this process (mcp_tool_run): the tool exists and is not set_project (which needs a
 * server), args is an object (NULL counts as {}) valid against the tool's input schema.
 * Returns 0, or ERR_INVALID with the message tools/call answers with -32602 ("Invalid params
 * for find_references: 'limit' must be at most 1000 (got 5000)"); an unknown tool's message
 * lists the tools. Thread-safe.
 */
int mcp_tool_check(const char *tool, const json_t *args, struct err *err);

/*
 * Runs one tool in this process, without a server, through the very function that answers
 * tools/call (mcp_tool_call) on a server serving st's cache as `cidx serve --cache-dir` does:
 * same argument checks, same query, same structuredContent, same text. The project is
 * project_root (an existing directory; made canonical here), or when NULL the root the cache
 * recorded when it was indexed; its config file is read as the server reads it. The project is
 * not indexed: its state is "ready", and set_project is refused (mcp_tool_check).
 *
 * st is borrowed (the caller opens and closes it); its query root is set to the project root.
 * On success *structured (structuredContent) and *text (the text item) are the caller's
 * (json_decref, free). Returns 0; ERR_INVALID for what tools/call answers with -32602 (unknown
 * tool, bad arguments, a path outside the project: err has the message); ERR_GENERIC for a tool
 * failure, an isError result (err has its text); ERR_NOTFOUND when there is no project root;
 * ERR_IO when the answer cannot be buffered. Not thread-safe: one call at a time per st.
 */
int mcp_tool_run(json_t **structured, char **text, struct store *st, const char *project_root,
                 const char *tool, const json_t *args, struct err *err);

#endif
