/*
 * mcp_int.h - private to the mcp module: the server, the project it serves and its indexing
 * thread, requests, the output channel, the tool table and the helpers the mcp_*.c files share.
 * Nothing outside src/mcp includes this (tests may).
 */
#ifndef CIDX_MCP_INT_H
#define CIDX_MCP_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "index/index.h"
#include "mcp.h"
#include "store/store.h"

/* The protocol revisions the server speaks, newest first (the first is the default answer). */
extern const char *const mcp_protocol_versions[];
extern const size_t mcp_nprotocol_versions;

/* No result text is larger than this (TOOLS.md). */
#define MCP_TEXT_MAX ((size_t)100 * 1000)
/* Longest wait a call may ask for (wait_seconds). */
#define MCP_WAIT_MAX 600

/* ---- output (mcp_jsonrpc.c) ------------------------------------------------------------------ */

/*
 * The protocol channel. Every message is one line, written whole under the lock (so the
 * request thread, the indexing thread's log lines and the reader's error answers never
 * interleave), with no buffering to flush. Once a write fails the channel is broken and
 * later sends do nothing. Thread-safe.
 */
struct mcp_out {
    int fd;
    pthread_mutex_t lock;
    atomic_bool broken;
    atomic_ullong sent; /* messages written */
};
void mcp_out_init(struct mcp_out *o, int fd);
void mcp_out_release(struct mcp_out *o);
/* Writes msg (borrowed) as one line. Returns 0, or ERR_IO once the channel is broken. */
int mcp_out_send(struct mcp_out *o, const json_t *msg);
/* Sends {"jsonrpc":"2.0","id":id,"error":{code,message}}; id NULL means json null. */
int mcp_out_error(struct mcp_out *o, const json_t *id, int code, const char *message);
/* Sends {"jsonrpc":"2.0","id":id,"result":result}; takes ownership of result. */
int mcp_out_result(struct mcp_out *o, const json_t *id, json_t *result);
/* Sends a notification; takes ownership of params (may be NULL). */
int mcp_out_notify(struct mcp_out *o, const char *method, json_t *params);

/* A JSON string holding s, valid UTF-8 whatever s holds (bad bytes become U+FFFD). */
json_t *mcp_json_str(const char *s);

/* ---- the project and its indexing (mcp_project.c) ------------------------------------------ */

enum mcp_state {
    MCP_STATE_NONE = 0, /* no project */
    MCP_STATE_INDEXING, /* a run is going on or queued */
    MCP_STATE_READY,    /* the last run finished (or the cache is served as it is) */
    MCP_STATE_ERROR,    /* the last run failed: see error */
};
const char *mcp_state_name(enum mcp_state s);

/* Numbers of the last finished run. */
struct mcp_refresh {
    bool full, cancelled, nothing_changed;
    size_t sources, parsed, failed, with_errors, unchanged, touched, deleted, headers;
    size_t added, modified, args_changed, headers_changed; /* why sources were parsed */
    int64_t symbols, refs;
    double seconds, finished_at;
};

/* A copy of the project's state, taken under the lock (mcp_project_view). */
struct mcp_view {
    unsigned gen;
    char *root, *config_path, *cache_dir; /* heap; NULL when there is no project */
    bool indexable;                       /* false: a cache served without its project */
    enum idx_query_behavior behavior;
    enum mcp_state state;
    char phase[16];
    size_t done, total, failed, unchanged;
    char *current; /* heap, may be NULL */
    double elapsed_s;
    bool have_last;
    struct mcp_refresh last;
    char *error;  /* heap, may be NULL */
    bool pending; /* another run is queued after the current one */
};
void mcp_view_release(struct mcp_view *v);

/*
 * The project being served. Every field is guarded by the server's mutex; the indexing thread
 * writes progress and results, the request thread writes the rest.
 *
 * Invariants and transitions:
 *   1. gen counts set_project calls; a run started for an older gen is cancelled and its
 *      results are dropped (mcp_project_set).
 *   2. state NONE -> INDEXING when a run is requested (mcp_project_set, mcp_project_request);
 *      INDEXING -> READY or ERROR when the indexing thread finishes the last queued run
 *      (index_main); READY/ERROR -> INDEXING on the next request.
 *   3. pending means a run is queued; the indexing thread takes it, so "no run going on and
 *      none queued" is exactly state != INDEXING.
 *   4. runs only counts finished runs; a waiter waits for state != INDEXING (or its deadline,
 *      its cancellation, or the end of the input).
 */
struct mcp_project {
    unsigned gen;
    char *root, *config_path, *cache_dir;
    bool indexable;
    enum idx_query_behavior behavior;
    enum mcp_state state;
    bool pending, pending_full;
    bool running;
    volatile int cancel; /* idx_options.cancel of the run going on */
    unsigned run_gen;    /* gen of the run going on */
    char phase[16];
    size_t done, total, failed, unchanged;
    char *current;
    double elapsed_s;
    unsigned long runs;
    bool have_last;
    struct mcp_refresh last;
    char *error;
};

/* ---- requests and the server (mcp_server.c) ------------------------------------------------- */

struct mcp_req {
    struct mcp_req *next;
    struct mcp_msg msg;     /* owns the JSON */
    json_t *progress_token; /* borrowed from msg: params._meta.progressToken (string/integer) */
    atomic_int cancelled;
    size_t bytes;
};

enum mcp_phase {
    MCP_PHASE_NEW = 0,      /* waiting for initialize */
    MCP_PHASE_INITIALIZING, /* initialize answered, notifications/initialized not seen yet */
    MCP_PHASE_READY,
};

struct mcp_server {
    const struct mcp_options *opt;
    struct mcp_out out;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_cond_t index_cv; /* the indexing thread waits here: a run is pending, or stop */
    /* requests for the request thread, in arrival order (guarded by mu) */
    struct mcp_req *qhead, *qtail;
    size_t qlen, qbytes;
    struct mcp_req *current; /* the request being handled */
    bool eof;                /* input ended or output broke: no more waiting */
    bool stopping;           /* the indexing thread must return */
    int wake[2];             /* written to stop the reader thread */
    /* lifecycle (request thread only) */
    enum mcp_phase phase;
    char version[16];
    bool structured; /* the revision has outputSchema and structuredContent (2025-06-18+) */
    atomic_int client_log_level; /* -1: the client did not ask for log messages */
    enum log_level stderr_level;
    json_t **in_schemas, **out_schemas; /* per tool, parsed once */
    /* the tool set served (opt->tool_set); tools NULL: the main table */
    const struct mcp_tool *const *tools;
    size_t ntools;
    bool legacy; /* the legacy tool set: messages name its tools */
    /* the project (guarded by mu) and its indexing thread */
    struct mcp_project proj;
    pthread_t index_thread;
    bool index_started;
    /* the query handle (request thread only), opened for a project generation */
    struct store *st;
    unsigned st_gen;
    /* counters (request thread) */
    uint64_t started_ns;
    uint64_t requests, tool_calls;
    char *start_root; /* the --project root (or the served cache's), for --cache-dir */
};

/* ---- project API (mcp_project.c) ------------------------------------------------------------- */

/* Starts the indexing thread. */
int mcp_project_start(struct mcp_server *srv, struct err *err);
/* Cancels the run going on, stops the indexing thread and waits for it (killing parse workers
 * that do not finish their file within a grace period). */
void mcp_project_stop(struct mcp_server *srv);
/*
 * Makes root (canonical) the served project: loads its config (query_behavior), picks its
 * cache directory, cancels a run of the previous project and queues a run for this one
 * (unless index is false: a cache served as it is). Returns ERR_INVALID / ERR_NOTFOUND for a
 * bad config with a message for the client.
 */
int mcp_project_set(struct mcp_server *srv, const char *root, const char *config_path,
                    const char *cache_dir, bool index, struct err *err);
/* Queues a refresh (full or incremental). False when the project cannot be indexed. */
bool mcp_project_request(struct mcp_server *srv, bool full);
/* Copies the project's state. */
void mcp_project_view(struct mcp_server *srv, struct mcp_view *out);

enum mcp_wait_end { MCP_WAIT_DONE = 0, MCP_WAIT_TIMEOUT, MCP_WAIT_CANCELLED, MCP_WAIT_EOF };
/*
 * Waits up to seconds for indexing to finish (state != INDEXING). Sends progress
 * notifications for req's progress token while it waits (monotonic, never after the caller
 * answers, since the caller answers on this same thread). Returns why it stopped.
 */
enum mcp_wait_end mcp_project_wait(struct mcp_server *srv, struct mcp_req *req, double seconds);

/* The store handle for queries on the current project (opened on first use); NULL with a
 * message when there is no project or the cache cannot be opened. */
struct store *mcp_project_store(struct mcp_server *srv, struct err *err);

/* Adds {state, progress {...}} fields of a view to o (shared by set_project, sync_project,
 * get_server_status). */
void mcp_view_add_progress(json_t *o, const struct mcp_view *v);
json_t *mcp_view_refresh_json(const struct mcp_view *v);

/* ---- schema fragments the tools share (JSON text with ' for ") --------------------------- */

#define MCP_S_LOCATION_PROPS                                                                       \
    "'file':{'type':'string','description':'relative to the project root when inside it'},"        \
    "'line':{'type':'integer'},'column':{'type':'integer'},'end_line':{'type':'integer'},"         \
    "'end_column':{'type':'integer'}"
#define MCP_S_LOCATION                                                                             \
    "{'type':'object','properties':{" MCP_S_LOCATION_PROPS "},'required':['file','line','column']" \
    "}"
#define MCP_S_LOCATION_OR_NULL                                                                     \
    "{'type':['object','null'],'properties':{" MCP_S_LOCATION_PROPS                                \
    "},'required':['file','line','column']}"
#define MCP_S_STATE "{'type':'string','enum':['none','indexing','ready','error']}"
#define MCP_S_PROGRESS                                                                             \
    "{'type':'object','properties':{'phase':{'type':'string'},'total_files':{'type':'integer',"    \
    "'description':'translation units this run parses'},'done_files':{'type':'integer'},"          \
    "'failed_files':{'type':'integer'},'cache_hits':{'type':['integer','null'],'description':"     \
    "'sources skipped because nothing they depend on changed (known once planning ends)'},"        \
    "'percent':{'type':'number'},'current_file':{'type':['string','null']},'eta_seconds':"         \
    "{'type':['number','null']},'elapsed_seconds':{'type':'number'}},'required':['phase',"         \
    "'total_files','done_files','failed_files','percent']}"
#define MCP_S_REFRESH                                                                              \
    "{'type':['object','null'],'description':'the last finished indexing run (null before the "    \
    "first)','properties':{'mode':{'type':'string','enum':['incremental','full']},'added':"        \
    "{'type':['integer','null']},'modified':{'type':['integer','null']},'removed':{'type':"        \
    "'integer'},'headers_changed':{'type':['integer','null']},'args_changed':{'type':"             \
    "['integer','null']},'reindexed':{'type':'integer'},'failed':{'type':'integer'},"              \
    "'with_errors':{'type':'integer'},'unchanged':{'type':'integer'},'touched':{'type':"           \
    "'integer'},'sources':{'type':'integer'},'headers_claimed':{'type':'integer'},"                \
    "'symbols_written':{'type':'integer'},'references_written':{'type':'integer'},"                \
    "'nothing_changed':{'type':'boolean'},'cancelled':{'type':'boolean'},'elapsed_ms':{'type':"    \
    "'number'},'finished_at':{'type':'number'}},'required':['mode','removed','reindexed',"         \
    "'elapsed_ms']}"
#define MCP_S_KIND_NAMES                                                                           \
    "'class','struct','union','enum','function','method','constructor','destructor',"              \
    "'conversion','field','variable','enum_constant','typedef','type_alias','namespace',"          \
    "'macro','concept'"
#define MCP_S_LIMIT                                                                                \
    "{'type':'integer','minimum':1,'maximum':1000,'default':50,'description':'results per "        \
    "page'}"
#define MCP_S_OFFSET                                                                               \
    "{'type':'integer','minimum':0,'default':0,'description':'results to skip (the previous "      \
    "page gave next_offset)'}"
#define MCP_S_NAME                                                                                 \
    "{'type':'string','minLength':1,'description':'a simple name (draw), a qualified name "        \
    "(ui::Widget::draw, matched as a suffix at :: boundaries) or ::name for the global "           \
    "namespace; give name or usr'}"
#define MCP_S_USR                                                                                  \
    "{'type':'string','minLength':1,'description':'the exact symbol (a usr from an earlier "       \
    "result); give name or usr'}"
#define MCP_S_SCOPE                                                                                \
    "{'type':'string','enum':['project','all'],'default':'project','description':'all also "       \
    "looks in dependencies and system code'}"
#define MCP_S_KIND                                                                                 \
    "{'type':'string','enum':[" MCP_S_KIND_NAMES ",'types','functions'],'description':'only "      \
    "symbols of this kind (types and functions are groups)'}"
/* what every tool that takes a symbol shares: the target and the ambiguity answer */
#define MCP_S_TARGET_ARGS                                                                          \
    "'name':" MCP_S_NAME ",'usr':" MCP_S_USR ",'kind':" MCP_S_KIND ",'scope':" MCP_S_SCOPE
#define MCP_S_AMBIGUOUS_PROPS                                                                      \
    "'ambiguous':{'type':'boolean','description':'the name matches several symbols: pick one "     \
    "of the candidates and call again with its usr'},"                                             \
    "'candidates':{'type':'array','items':{'type':['object','string'],'properties':{"              \
    "'qualified_name':{'type':'string'},'kind':{'type':'string'},'signature':{'type':"             \
    "['string','null']},'file':{'type':['string','null']},'line':{'type':['integer','null']},"     \
    "'usr':{'type':'string'}}}},"                                                                  \
    "'candidates_total':{'type':'integer'},"                                                       \
    "'hint':{'type':'string','description':'why nothing was found, and what to try'}"
/* a symbol as the code queries return it in lists and as targets */
#define MCP_S_SYMREF_PROPS                                                                         \
    "'usr':{'type':'string'},'name':{'type':'string'},'qualified_name':{'type':'string'},"         \
    "'kind':{'type':'string'},'signature':{'type':['string','null']},'location'"                   \
    ":" MCP_S_LOCATION_OR_NULL
#define MCP_S_SYMREF "{'type':'object','properties':{" MCP_S_SYMREF_PROPS "}}"
#define MCP_S_SYMREF_OR_NULL "{'type':['object','null'],'properties':{" MCP_S_SYMREF_PROPS "}}"
#define MCP_S_PAGE_PROPS                                                                           \
    "'total':{'type':'integer'},'truncated':{'type':'boolean'},'next_offset':{'type':"             \
    "['integer','null']}"

/* ---- tools (mcp_tools.c and mcp_tool_*.c) ---------------------------------------------------- */

enum mcp_tool_flag {
    MCP_TOOL_QUERY = 1 << 0,     /* reads the index: needs a project, honors query_behavior,
                                    carries partial while indexing */
    MCP_TOOL_READ_ONLY = 1 << 1, /* changes nothing (annotation) */
    /* A query tool that reports partial results itself (the legacy tools' metadata): no
     * partial field, no wait_seconds argument. */
    MCP_TOOL_OWN_PARTIAL = 1 << 2,
};

enum mcp_tool_rc {
    MCP_TOOL_OK = 0,
    MCP_TOOL_FAILED,    /* an isError result with c->message */
    MCP_TOOL_BAD_ARGS,  /* JSON-RPC -32602 with c->message */
    MCP_TOOL_CANCELLED, /* the request was cancelled: no answer */
};

struct mcp_call {
    struct mcp_server *srv;
    struct mcp_req *req;
    const json_t *args;          /* checked against the input schema; an object */
    struct store *st;            /* query tools: the project's handle */
    const struct mcp_view *view; /* query tools: the project when the call started */
    bool partial;                /* query tools: indexing is incomplete (the partial marker) */
    json_t *result;              /* structuredContent, set by the tool (owned by the call) */
    struct strbuf text;          /* the text item; rendered from result when the tool leaves it */
    char message[1024];
};

/* Sets c->message and returns MCP_TOOL_FAILED / MCP_TOOL_BAD_ARGS. */
int mcp_call_fail(struct mcp_call *c, const char *fmt, ...) PRINTF_LIKE(2, 3);
int mcp_call_bad_arg(struct mcp_call *c, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* Argument helpers: the value when present and of the schema's type, else def. */
const char *mcp_arg_str(const json_t *args, const char *name, const char *def);
json_int_t mcp_arg_int(const json_t *args, const char *name, json_int_t def);
bool mcp_arg_bool(const json_t *args, const char *name, bool def);
double mcp_arg_num(const json_t *args, const char *name, double def);

/* A location object {file, line, column[, end_line, end_column]} with file relative to root
 * when inside it; json null when file is NULL. */
json_t *mcp_location_json(const char *root, const char *file, uint32_t line, uint32_t col,
                          uint32_t end_line, uint32_t end_col);
/* path relative to root when inside it, else path (borrowed from path). */
const char *mcp_path_rel(const char *root, const char *path);

struct mcp_tool {
    const char *name;
    const char *title;
    const char *cli; /* the CLI twin, for the reference */
    const char *description;
    /* JSON Schemas as JSON text with ' for " (no ' inside strings): parsed once at start */
    const char *input_schema;
    const char *output_schema;
    unsigned flags;
    int (*call)(struct mcp_call *c);
    /* compact text for models, one line per item; NULL: the generic rendering */
    void (*render)(struct strbuf *out, const json_t *result);
};

extern const struct mcp_tool mcp_tool_set_project, mcp_tool_sync_project, mcp_tool_find_symbols,
    mcp_tool_get_symbol_info, mcp_tool_get_file_outline, mcp_tool_get_class_hierarchy,
    mcp_tool_find_incoming_calls, mcp_tool_find_outgoing_calls, mcp_tool_trace_call_path,
    mcp_tool_find_references, mcp_tool_get_source, mcp_tool_get_server_status;

extern const struct mcp_tool *const mcp_tools[];
extern const size_t mcp_ntools;

/* The legacy tool set (mcp_legacy*.c): the plan's Python server's tools, on the same queries. */
extern const struct mcp_tool mcp_legacy_search_classes, mcp_legacy_search_functions,
    mcp_legacy_search_symbols, mcp_legacy_get_class_info, mcp_legacy_get_function_signature,
    mcp_legacy_find_in_file, mcp_legacy_set_project_directory, mcp_legacy_refresh_project,
    mcp_legacy_get_server_status, mcp_legacy_get_indexing_status, mcp_legacy_wait_for_indexing,
    mcp_legacy_get_class_hierarchy, mcp_legacy_get_derived_classes, mcp_legacy_find_callers,
    mcp_legacy_find_callees, mcp_legacy_get_call_path;
extern const struct mcp_tool *const mcp_legacy_tools[];
extern const size_t mcp_legacy_ntools;
/* What docs/TOOLS-legacy.md says before the tool list (Markdown). */
extern const char mcp_legacy_markdown_intro[];
/* t (epoch seconds) as ISO 8601 in UTC: "2025-01-31T12:00:00Z". */
void mcp_legacy_time_iso(char out[32], double t);

/* The tool named name, or NULL; *index gets its position in mcp_tools. */
const struct mcp_tool *mcp_tool_find(const char *name, size_t *index);
/* The parsed input / output schema of tool i, with the parts every query tool shares
 * (wait_seconds, partial) added. New references; BUG on a malformed built-in schema. */
json_t *mcp_tool_input_schema(size_t i);
json_t *mcp_tool_output_schema(size_t i);
/* The tools/list entry of tool i for a protocol revision (structured: with outputSchema). */
json_t *mcp_tool_list_entry(struct mcp_server *srv, size_t i);
/* Runs tools/call: checks the arguments, applies query_behavior, calls the tool, and answers
 * (result, isError, -32602, or nothing when cancelled). */
void mcp_tool_call(struct mcp_server *srv, struct mcp_req *req);

/* ---- the code queries' glue (mcp_query.c) ---- */

struct store_target;
/* Fills t from the arguments name, usr, kind and scope (strings borrowed from args); -32602 when
 * neither name nor usr is given. prefix names the arguments ("" or "from_"...). */
int mcp_query_target(struct mcp_call *c, struct store_target *t);
/* Maps a code query's failure: ERR_INVALID is a bad argument, the rest a tool failure. */
int mcp_query_failed(struct mcp_call *c, int rc, const struct err *e);
/* Resolves a file argument for the code queries: an existing path inside the project becomes
 * absolute; a relative path that does not exist is passed on as a suffix ("shapes.h"), and the
 * caller checks that what it named is inside (mcp_query_file_inside). */
int mcp_query_file(struct mcp_call *c, const char *arg, const char *path, char **out);
bool mcp_query_file_inside(const struct mcp_call *c, const char *file);

/* Generic compact rendering of a result: scalars on one line, one line per array item. */
void mcp_render_generic(struct strbuf *out, const json_t *result);
/* Appends s to out unless out would pass MCP_TEXT_MAX; returns false when it did not fit. */
bool mcp_text_add(struct strbuf *out, const char *s, size_t len);

/* ---- JSON Schema subset (mcp_schema.c) --------------------------------------------------------
 */

/* Parses a built-in schema text (' stands for "); BUG when it is not JSON. */
json_t *mcp_schema_parse(const char *text);
/*
 * Checks value against schema: type (one or a list), enum, const, minimum, maximum, minLength,
 * maxLength, pattern-free strings, properties, required, additionalProperties (false or a
 * schema), items, maxItems, anyOf. Returns 0, or ERR_INVALID with a message naming the place
 * ("'limit' must be at most 1000 (got 5000)"); where is the name of value ("" for arguments).
 */
int mcp_schema_check(const json_t *schema, const json_t *value, const char *where, struct err *err);

/* ---- process helpers (mcp_posix.c) ---------------------------------------------------------- */

/* Sends sig to every child process of this process (parse workers); returns how many. */
int mcp_kill_children(int sig);
/* Resident set size of this process in KiB, or -1. */
long mcp_rss_kb(void);
/* Waits until fd is readable, or wake_fd or stop_fd (-1: none) is; returns 1 for fd, 0 for
 * the others, -1 on error. */
int mcp_wait_readable(int fd, int wake_fd, int stop_fd);

#endif
