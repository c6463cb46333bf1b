/*
 * cli.h - private header of the command-line interface: the command descriptor each
 * cmd_*.c exports, the option parser, and the helpers every subcommand shares.
 *
 * Exit codes: 0 success, 1 failure, 2 usage error (CLI_OK, CLI_FAIL, CLI_USAGE).
 */
#ifndef CIDX_CLI_H
#define CIDX_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "store/store.h"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

enum cli_arg { CLI_FLAG = 0, CLI_VALUE, CLI_VALUES /* repeatable; values joined with ',' */ };

struct cli_opt {
    const char *name; /* long name without "--" */
    enum cli_arg arg;
    const char *arg_name; /* "DIR", "N"... */
    const char *help;
};

/* Options every cache command accepts, listed in each command's help. */
enum {
    CLI_COMMON_CACHE_DIR = 0,
    CLI_COMMON_PROJECT,
    CLI_COMMON_BACKEND,
    CLI_COMMON_JSON,
    CLI_COMMON_HELP,
    CLI_COMMON_COUNT_
};

#define CLI_MAX_OPTS 24
#define CLI_MAX_POS 8

struct cli_args {
    const char *values[CLI_MAX_OPTS]; /* by option index: NULL when absent, "1" for flags */
    char *owned[CLI_MAX_OPTS];        /* joined repeatable values */
    const char *pos[CLI_MAX_POS];
    int npos;
};

struct cli_command {
    const char *name;
    const char *summary;        /* one line for `cidx help` */
    const char *usage;          /* "cidx search PATTERN [options]" */
    const char *details;        /* paragraphs for `cidx help COMMAND` */
    const struct cli_opt *opts; /* command-specific options; common ones come first */
    int nopts;
    int min_pos, max_pos;
    bool cache; /* takes the common cache options */
    int (*run)(const struct cli_command *cmd, struct cli_args *args);
};

extern const struct cli_command cmd_index, cmd_stats, cmd_doctor, cmd_maintain, cmd_restore,
    cmd_search, cmd_dump;
extern const struct cli_command cmd_serve;
/* the legacy JSON cache: import and rollback (docs/MIGRATION.md) */
extern const struct cli_command cmd_migrate_json, cmd_export_json;
/* the twins of the MCP tools (TOOLS.md), and any tool by name */
extern const struct cli_command cmd_show, cmd_outline, cmd_hierarchy, cmd_callers, cmd_callees,
    cmd_path, cmd_refs, cmd_source, cmd_status, cmd_call;

/* The table of every subcommand (main.c). */
extern const struct cli_command *const cli_commands[];
extern const int cli_ncommands;

/* Index of command option i in args->values (after the common options). */
#define CLI_OPT(i) (CLI_COMMON_COUNT_ + (i))

/* Parses argv[1..] for cmd; prints a usage error and returns CLI_USAGE on bad input. */
int cli_parse(const struct cli_command *cmd, int argc, char **argv, struct cli_args *out);
void cli_args_release(struct cli_args *a);
/* Prints the help text of one command. */
void cli_print_command_help(FILE *f, const struct cli_command *cmd);

/* The cache directory the common options select (caller frees). */
char *cli_cache_dir(const struct cli_args *a);
/*
 * Opens the cache for a command. write: create if missing and fail when read-only.
 * Otherwise the cache must exist; a read-only location falls back to a read-only handle.
 * Prints the error and returns CLI_FAIL on failure.
 */
int cli_open(const struct cli_args *a, bool write, unsigned extra_flags, struct store **out);

/* Prints "cidx: error: msg" to stderr and returns CLI_FAIL. */
int cli_error(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Prints "cidx: usage error" with a pointer to help, returns CLI_USAGE. */
int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* A JSON string that is valid UTF-8 whatever s holds (bad bytes become U+FFFD). */
json_t *cli_json_str(const char *s);
/* Dumps v to stdout (one line, sorted keys off) and frees it; returns CLI_OK. */
int cli_json_print(json_t *v);
/* ---- the twins of the MCP tools (cli_common.c) ----------------------------------------------
 *
 * A twin turns its options into the tool's arguments, runs the tool in this process on the
 * cache the common options select (mcp_tool_run: the code path of tools/call), and prints the
 * tool's structuredContent with --json, else a table. Exit codes: 0 for every answer (also
 * "nothing matches" and "ambiguous", which print a hint); 2 for what tools/call refuses with
 * -32602 (bad arguments, a path outside the project), checked before the cache is opened when
 * it can be; 1 for a tool failure or a cache that cannot be opened.
 */

/* Renders a tool's structuredContent as text on stdout. */
typedef void (*cli_render_fn)(const json_t *result, const struct cli_args *a);

/*
 * Runs tool with args (taken: json_decref'd here) for cmd and prints the answer: --json the
 * structuredContent exactly as tools/call sends it, else render(result). Returns the exit code.
 */
int cli_tool_twin(const struct cli_command *cmd, const struct cli_args *a, const char *tool,
                  json_t *args, cli_render_fn render);
/*
 * Runs tool with args (borrowed) on the selected cache. On CLI_OK *result and *text (the text
 * item) are the caller's. Otherwise prints the error on stderr (a usage error for -32602) and
 * returns CLI_USAGE or CLI_FAIL; when the tool itself answered with the error, tool_err (may be
 * NULL) gets it: code ERR_INVALID for -32602, ERR_GENERIC for an isError result (else code 0).
 */
int cli_tool_run(const struct cli_command *cmd, const struct cli_args *a, const char *tool,
                 const json_t *args, json_t **result, char **text, struct err *tool_err);
/* The project root for the twins: --project, else the root the cache recorded, else the
 * current directory (canonical; caller frees). */
char *cli_project_root(const struct cli_args *a, struct store *st);
/* Prints v on stdout as the server serializes it (one line), without taking it. */
int cli_json_print_tool(const json_t *v);

/* Helpers that build tool arguments; each returns CLI_OK or prints a usage error (CLI_USAGE). */
/* Sets args[key] to the whole number in option opt (index into a->values), when given. */
int cli_arg_uint(const struct cli_command *cmd, const struct cli_args *a, int opt, json_t *args,
                 const char *key);
/* Sets args[key] to the string option opt, when given. */
void cli_arg_str(const struct cli_args *a, int opt, json_t *args, const char *key);
/* Sets args[key] to an array of the comma-separated values of option opt, when given. */
void cli_arg_list(const struct cli_args *a, int opt, json_t *args, const char *key);
/*
 * The symbol a twin is about: NAME (positional pos, may be absent) and the options --usr, --kind
 * and --scope at opt_usr, opt_usr + 1, opt_usr + 2. A usage error when neither NAME nor --usr.
 */
int cli_arg_target(const struct cli_command *cmd, const struct cli_args *a, int pos, int opt_usr,
                   json_t *args);
/* A file argument: relative paths that name a file from the current directory become absolute;
 * the rest goes to the tool as given (relative to the project root, or a path suffix). */
void cli_arg_file(json_t *args, const char *key, const char *path);

/* The target options every symbol twin lists first (at opt_usr, opt_usr + 1, opt_usr + 2). */
#define CLI_TARGET_OPTS                                                                            \
    {"usr", CLI_VALUE, "USR", "the exact symbol (a usr from an earlier answer) instead of NAME"},  \
        {"kind", CLI_VALUE, "K",                                                                   \
         "only symbols of this kind (class, function, method..., or the groups types and "         \
         "functions)"},                                                                            \
    {                                                                                              \
        "scope", CLI_VALUE, "S", "project (default) or all (dependencies and system code too)"     \
    }

/* Reading results: "file:line:col" of a location object ("-" when null). */
void cli_fmt_loc(char *out, size_t n, const json_t *loc);
/* The string member key of o, or def. */
const char *cli_jstr(const json_t *o, const char *key, const char *def);
/* The integer member key of o, or def. */
long long cli_jint(const json_t *o, const char *key, long long def);
/*
 * Prints what a query answers instead of results: the ambiguity (the hint, one line per
 * candidate, how to pick one) or, with no results, the hint. True when it printed something.
 */
bool cli_print_ambiguous(const json_t *r);
/* What a query about one target prints when there is no answer to show: the ambiguity, or (the
 * target not found) the hint, else fallback. True when it printed, and the caller is done. */
bool cli_print_unresolved(const json_t *r, bool found, const char *fallback);
/* The footer of a paged list: "N of M NOUN" and the next page's --offset. */
void cli_print_page(const json_t *r, size_t shown, const char *noun, const char *nouns);

/* Aligned columns: rows of ncols cells, printed with two spaces between columns. */
struct cli_table {
    size_t ncols, nrows, alloc;
    char **cells; /* nrows * ncols, owned */
};
void cli_table_init(struct cli_table *t, size_t ncols);
/* Adds a row of t->ncols strings (NULL is empty); newlines become spaces. */
void cli_table_add(struct cli_table *t, ...);
/* Prints the rows on stdout, each after indent; the last column is not padded. */
void cli_table_print(const struct cli_table *t, const char *indent);
void cli_table_release(struct cli_table *t);

/* Formats a count with thousands separators. */
void cli_fmt_count(char out[32], long long v);
/* "2 days ago", "just now", "never". */
void cli_fmt_age(char out[48], double when);

#endif
