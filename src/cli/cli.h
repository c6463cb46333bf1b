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
/* Formats a count with thousands separators. */
void cli_fmt_count(char out[32], long long v);
/* "2 days ago", "just now", "never". */
void cli_fmt_age(char out[48], double when);

#endif
