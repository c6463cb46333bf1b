/*
 * index.h - the one public header of the index module: what the indexer reads before it parses
 * anything. So far that is the compile database (compile_commands.json), the shell-word
 * splitter its "command" form needs, and the sanitizer that makes untrusted compile arguments
 * safe to hand to libclang.
 *
 * Everything here is pure computation plus file reads; no function keeps state between calls,
 * so all of them are thread-safe on distinct arguments.
 */
#ifndef CIDX_INDEX_H
#define CIDX_INDEX_H

#include <stdbool.h>
#include <stddef.h>

#include "util/util.h"

/* ---- shell words ---------------------------------------------------------------------------- */

/*
 * Splits cmd into words the way a POSIX shell would, without running one and without any
 * expansion: whitespace (space, tab, newline; carriage return too, for CRLF files) separates
 * words; '...' is literal; inside "..."
 * a backslash escapes only \" \\ \$ \` and newline (a backslash-newline disappears), any other
 * backslash stays; outside quotes a backslash makes the next character literal (backslash-newline
 * disappears, a trailing lone backslash is kept). Quotes glue to their word ("-DX="'a b' is one
 * word) and '' or "" alone is an empty word. $VAR, globs, ; | & are plain characters.
 *
 * On success *argv is a NULL-terminated heap array of *argc heap strings; free it with
 * idx_argv_free. Returns ERR_INVALID for an unterminated quote (*argv NULL, *argc 0).
 */
int idx_shell_split(char ***argv, size_t *argc, const char *cmd, struct err *err);

/* Frees an argv made by idx_shell_split or held by an idx_ccdb_entry. NULL is fine. */
void idx_argv_free(char **argv, size_t argc);

/* ---- compile database --------------------------------------------------------------------- */

/* The largest compile_commands.json idx_ccdb_load accepts. */
#define IDX_CCDB_MAX_BYTES ((size_t)256 << 20)

/* One command object of compile_commands.json. */
struct idx_ccdb_entry {
    /* Canonical absolute path of the source: realpath, or, when the file does not exist, an
     * absolute path with no "." or ".." components and no repeated '/' (its existing parent
     * directories still resolved through realpath). */
    char *file;
    /* Working directory of the command, absolute, canonical like file. */
    char *directory;
    /* The compile command as words; argv[0] is the compiler. NULL-terminated. Untrusted: pass
     * it through idx_args_sanitize before use. */
    char **argv;
    size_t argc;
    /* Position of the object in the JSON array (counting skipped ones). */
    size_t index;
};

/*
 * A loaded compile database. Entries are in file order and all of them are kept, including
 * several for one file: for indexing the FIRST entry of a file wins (idx_ccdb_find returns it),
 * the later ones are alternatives, reachable through idx_ccdb_find_next.
 * Owned by whoever called idx_ccdb_load; release with idx_ccdb_release.
 */
struct idx_ccdb {
    struct idx_ccdb_entry *entries;
    size_t n;
    /* One message per skipped entry: "entry 3: 'file' is not a string". */
    char **warnings;
    size_t nwarnings;
    /* Entry positions sorted by (file, position): the lookup index of idx_ccdb_find. */
    size_t *by_file;
};

/*
 * Reads the compile database at path into *out (which it initializes; release it even after a
 * failure). The top level must be an array of objects, each with string "file" and "directory"
 * and either "arguments" (array of strings; preferred when both are present) or "command" (a
 * string split by idx_shell_split). A relative "directory" is taken from the directory holding
 * the database, a relative "file" from "directory". A malformed entry is skipped with a warning
 * naming its position and the problem; the others still load. An empty array gives no entries.
 *
 * Returns ERR_IO/ERR_NOTFOUND when the file cannot be read, ERR_LIMIT when it is larger than
 * IDX_CCDB_MAX_BYTES, ERR_INVALID when it is not JSON (including nesting deeper than jansson's
 * limit) or its top level is not an array; every message names the file.
 */
int idx_ccdb_load(struct idx_ccdb *out, const char *path, struct err *err);

/* Frees everything db holds and leaves it empty. NULL and an empty db are fine. */
void idx_ccdb_release(struct idx_ccdb *db);

/*
 * The entry that wins for file (a canonical absolute path, compared byte for byte): the first
 * one in file order, or NULL. Borrowed from db. O(log n).
 */
const struct idx_ccdb_entry *idx_ccdb_find(const struct idx_ccdb *db, const char *file);

/* The next entry for the same file after e (an alternative), or NULL. Borrowed from db. */
const struct idx_ccdb_entry *idx_ccdb_find_next(const struct idx_ccdb *db,
                                                const struct idx_ccdb_entry *e);

/* ---- compile argument sanitizing ------------------------------------------------------------ */

/* Where the arguments come from, for the decisions that depend on paths. */
struct idx_args_ctx {
    /* The project's root; response files (@file) that resolve outside it are removed. NULL:
     * every response file is removed. */
    const char *project_root;
    /* The command's working directory, against which relative @file paths resolve. NULL: a
     * relative response file counts as outside. */
    const char *directory;
    /* argv[0] is the compiler: it is kept as it is and never examined as an option (whoever
     * runs libclang drops it; nothing is ever executed). */
    bool has_compiler;
};

/*
 * Removes, in place, every argument that could load code or write files when libclang parses
 * with these arguments:
 *   - plugins: -fplugin=X, -fplugin X, -fplugin-arg-*, -fpass-plugin=X, -fpass-plugin X,
 *     -load X, -load=X, -add-plugin X, -plugin X, -plugin-arg-NAME X;
 *   - output and dependency files: -o X, -oX, --output X, --output=X, -MF X, -MFX, -MT X, -MTX,
 *     -MQ X, -MQX, -MJ X, -MJX, -MD, -MMD, -M, -MM, -dependency-file X, -dependency-dot X,
 *     -header-include-file X, --serialize-diagnostics X, -serialize-diagnostic-file X;
 *   - clang configuration files, which may hold any option: --config X, --config=X,
 *     --config-system-dir=X, --config-user-dir=X;
 *   - any of those behind a pass-through flag (-Xclang V, -mllvm V, -Xarch_* V,
 *     -Xopenmp-target[=T] V, and the non-clang spelling -Xclang=V), together with the following
 *     "-Xclang X" pair when the inner option takes an argument (-Xclang -load -Xclang X);
 *     a pass-through flag with nothing after it;
 *   - response files @file that resolve (through symlinks) outside ctx->project_root.
 * Everything else is kept, in order: -c, -I, -D, the input file... After "--" arguments are
 * input files and kept, except ones spelled like a plugin option or an outside response file,
 * which are removed so that no later rewrite of the command line can turn them into options.
 *
 * A response file inside the project is kept but NOT read here: its contents are as untrusted
 * as the database; expand them first with idx_args_expand_response_files.
 *
 * argv is a NULL-terminated array of *argc heap strings (as idx_shell_split and idx_ccdb_load
 * make them); removed strings are freed, the rest move down, *argc shrinks and argv[*argc] is
 * NULL again. Each removal
 * appends one line to log (may be NULL): "removed '-Xclang -load -Xclang x.so': plugin".
 * Returns 0; no input makes it fail (err is for future checks).
 */
int idx_args_sanitize(char **argv, size_t *argc, const struct idx_args_ctx *ctx, struct strbuf *log,
                      struct err *err);

/*
 * Replaces every response file (@file) that resolves inside ctx->project_root with the words
 * it holds (split like a shell command, as GCC and clang read them), recursively, so that
 * idx_args_sanitize then sees every argument. Response files outside the project are left for
 * idx_args_sanitize to remove; a missing one is dropped (and logged). argv[0] is kept as is
 * when ctx->has_compiler.
 *
 * *argv and *argc are replaced by a new heap array (the old one is freed) only on success. Limits:
 * nesting deeper than 8 (a loop) and more than 100,000 arguments are ERR_LIMIT, a file over
 * 1 MiB is ERR_LIMIT, a NUL byte or an unterminated quote ERR_INVALID; the message names the
 * response file. Each expansion appends a line to log (may be NULL).
 */
int idx_args_expand_response_files(char ***argv, size_t *argc, const struct idx_args_ctx *ctx,
                                   struct strbuf *log, struct err *err);

#endif
