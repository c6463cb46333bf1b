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
#include <stdint.h>

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

/*
 * The same from a buffer (the fuzz target's entry point): name is used in messages, base_dir
 * is the directory a relative "directory" is taken from (NULL: the working directory). Same
 * codes, except that nothing is read.
 */
int idx_ccdb_parse(struct idx_ccdb *out, const char *name, const char *base_dir, const char *data,
                   size_t len, struct err *err);

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
    /* The project's root: response files (@file) that resolve outside it are logged as such;
     * NULL: every response file counts as outside. */
    const char *project_root;
    /* The command's working directory, against which relative @file paths resolve. NULL: a
     * relative response file counts as outside. */
    const char *directory;
    /* argv[0] is the compiler: it is kept as it is and never examined as an option (whoever
     * runs libclang decides whether to pass it on; nothing is ever executed). Its name still
     * selects clang-cl mode, as it does for clang. */
    bool has_compiler;
};

/*
 * Removes, in place, every argument that could load code, read a configuration or response
 * file, or write files when libclang (or a clang driver) parses with these arguments:
 *   - plugins: -fplugin=X, -fplugin X, -fplugin-arg-*, -fpass-plugin=X, -fpass-plugin X,
 *     -load X, -load=X, -add-plugin X, -plugin X, -plugin-arg-NAME X;
 *   - output and dependency files: -o X, -oX, --output X, --output=X, -MF X, -MFX, -MT X, -MTX,
 *     -MQ X, -MQX, -MJ X, -MJX, -MD, -MMD, -M, -MM, -dependency-file X, -dependency-dot X,
 *     -header-include-file X, --serialize-diagnostics X, -serialize-diagnostic-file X,
 *     -ftime-trace[=X], -save-temps[=X], --save-temps[=X], -save-stats[=X], --save-stats[=X],
 *     -stats-file=X, -fcrash-diagnostics-dir=X, -fproc-stat-report=X,
 *     -fsave-optimization-record[=X], -foptimization-record-file=X, -fmodule-output[=X],
 *     -dumpdir X, -module-dependency-dir X, -opt-record-file X, -info-output-file[=]X;
 *   - clang configuration files, which may hold any option: --config X, --config=X,
 *     --config-system-dir=X, --config-user-dir=X;
 *   - programs named by path that the driver runs to link or build CUDA code:
 *     -fuse-ld=PATH (with a '/'; -fuse-ld=lld stays), --ld-path=X, --ptxas-path=X;
 *   - every response file @file still present: outside ctx->project_root, or inside but not
 *     expanded (idx_args_expand_response_files replaces the ones it can read; what is left
 *     would be read by a driver unsanitized);
 *   - any of those behind a pass-through flag, wherever its value is: all values of one
 *     family reach their consumer together, in order, so "-Xclang -load -DX -Xclang P" is
 *     found (both -Xclang pairs go, -DX stays). Families: -Xclang V and -Xclang=V (cc1);
 *     -Wp,A,B... and -Xpreprocessor V (cc1; a -Wp, word goes whole); -Xanalyzer V; -mllvm V
 *     and -mllvm=V; -Xflang V; driver words again behind -Xarch_* V, -Xopenmp-target[=T] V
 *     and clang-cl's /clang:V and -clang:V (so "/clang:-Xclang /clang:-load ..." is found);
 *     a response file behind any of them (-Wp,@F, -Xclang=@F: cc1 and LLVM expand it);
 *     a pass-through flag with nothing after it; nesting deeper than 8 levels;
 *   - for tools that never run while parsing (linker: -Wl,A,B, -Xlinker V and clang-cl's
 *     "/link" rest; assembler: -Wa,A,B, -Xassembler V; -Xcuda-ptxas, -Xcuda-fatbinary,
 *     -Xoffload-linker*): only values that load code (-plugin X, --plugin=X, -plugin-opt*,
 *     --load-pass-plugin=X, -load*) or are response files; other linker flags stay;
 *   - in clang-cl mode (the last --driver-mode=cl, or a compiler name ending in "cl" like
 *     clang-cl, clang-cl-19, cl.exe), its output options with '/' or '-': /Fo, /Fo: X, /Fe,
 *     /Fe: X, /Fd, /Fp, /Fp: X, /Fa, /FA*, /Fi, /Fi: X, /Fm, /FR, /Fr, /Fx, /Yc, /doc,
 *     /o X, /oX, /sourceDependencies X; there /MD /MT /MDd /MTd (the C runtime) and /openmp
 *     are kept.
 * Everything else is kept, in order: -c, -I, -D, -B, the input file... The value of an option
 * that takes a separate one (-I, -D, -U, -isystem, -include, -x..., clang-cl's /I, /Tc, /FI...)
 * is never taken for an option. After "--" arguments are input files and kept, except ones
 * spelled like a plugin, configuration or pass-through option or a response file, which are
 * removed so that no later rewrite of the command line can turn them into options.
 *
 * argv is a NULL-terminated array of *argc heap strings (as idx_shell_split and idx_ccdb_load
 * make them); removed strings are freed, the rest move down, *argc shrinks and argv[*argc] is
 * NULL again. Each removal appends one line to log (may be NULL) naming the removed words in
 * order and why: "removed '-Xclang -load -Xclang x.so': plugin"; the reasons are "plugin",
 * "config file", "program to run", "output file", "dependency output", "response file outside
 * the project", "response file not expanded", "response file behind a pass-through flag",
 * "pass-through flag without a value", "pass-through flags nested too deep" and "plugin option
 * after '--'". Returns 0; no input makes it fail (err is for future checks).
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
 * *argv and *argc are replaced by a new heap array (the old one is freed) only on success; after
 * a failure the response files stay, and idx_args_sanitize removes them. Limits:
 * nesting deeper than 8 (a loop) and more than 100,000 arguments are ERR_LIMIT, a file over
 * 1 MiB is ERR_LIMIT, a NUL byte or an unterminated quote ERR_INVALID; the message names the
 * response file. Each expansion appends a line to log (may be NULL).
 */
int idx_args_expand_response_files(char ***argv, size_t *argc, const struct idx_args_ctx *ctx,
                                   struct strbuf *log, struct err *err);

/* ---- configuration -------------------------------------------------------------------------- */

/* What a query does while indexing is still running (TOOLS.md). */
enum idx_query_behavior {
    IDX_QUERY_ALLOW_PARTIAL = 0, /* answer from what is committed, marked partial (default) */
    IDX_QUERY_BLOCK,             /* wait for indexing, up to the call's wait limit */
    IDX_QUERY_REJECT,            /* refuse with a message */
};

/* Diagnostic verbosity of the config's diagnostics.level (and CPP_ANALYZER_DIAGNOSTIC_LEVEL). */
enum idx_diag_level {
    IDX_DIAG_ERROR = 0, /* also what the plan's "fatal" maps to */
    IDX_DIAG_WARNING,
    IDX_DIAG_INFO, /* default */
    IDX_DIAG_DEBUG,
};

/* The config file the project root may hold, and the largest config file read. */
#define IDX_CONFIG_FILENAME "cpp-analyzer-config.json"
#define IDX_CONFIG_MAX_BYTES ((size_t)16 << 20)

/*
 * The project configuration: the config file of the plan's project (cpp-analyzer-config.json)
 * plus its environment variables. Every field has a default, so a project without a config
 * file gets a usable struct. All strings and arrays are heap-owned; release with
 * idx_config_release. Defaults are the plan's (its cpp_analyzer_config.py and CONFIGURATION.md):
 *   exclude_directories     .git .svn .hg node_modules __pycache__ .pytest_cache .vs .vscode
 *                           .idea CMakeFiles CMakeCache.txt
 *   dependency_directories  vcpkg_installed third_party ThirdParty external External vendor
 *                           dependencies packages
 *   exclude_patterns []  include_dependencies true  max_file_size_mb 10  max_parse_retries 2
 *   max_workers null (automatic)  query_behavior "allow_partial"
 *   diagnostics {level "info", enabled true}
 *   compile_commands {enabled true, path: search (the plan's "compile_commands.json" is the
 *     first place searched), fallback_to_hardcoded true, exclude_patterns [],
 *     supported_extensions .cpp .cc .cxx .c++ .c .h .hpp .hxx .h++: the plan's, plus .c,
 *     since cidx indexes C too}
 *   parse_timeout_s 300 (ours, not the plan's)
 * A list given in the file replaces the default list (the plan merges top-level keys with
 * dict.update), so "exclude_directories": [] excludes nothing.
 *
 * Directory entries (exclude_directories, dependency_directories): an entry without '/' is a
 * directory name matched at any depth below the root ("build" excludes root/build and
 * root/src/build); an entry with '/' is a path prefix, relative to the root unless it starts
 * with '/' ("src/gen" excludes root/src/gen and everything below it, not root/src/generated).
 * "./x", "x/" and "x//y" are normalized. (The plan matches excluded names only directly below
 * the root; matching at any depth is ours.)
 */
struct idx_config {
    char *path;         /* the config file that was read, canonical; NULL when none */
    char *project_root; /* canonical absolute project root */
    /* Directory names or root-relative paths that are never scanned or indexed. */
    char **exclude_directories;
    size_t n_exclude_directories;
    /* Directory names or root-relative paths whose files are dependencies (is_project false). */
    char **dependency_directories;
    size_t n_dependency_directories;
    bool include_dependencies; /* index dependency files at all */
    int max_parse_retries;     /* retries after a worker crash or timeout (0..100) */
    enum idx_query_behavior query_behavior;
    struct {
        bool enabled;
        char *path; /* as configured (relative to the root), NULL = search DIR, DIR/build */
        char **supported_extensions; /* ".cpp", ".cc"... matched case-sensitively */
        size_t n_supported_extensions;
        char **exclude_patterns; /* glob patterns (fnmatch) on root-relative paths */
        size_t n_exclude_patterns;
        /* Files the compile database does not list are parsed with the scan's default flags;
         * false: they are not indexed (the plan's compile_commands.fallback_to_hardcoded). */
        bool fallback_to_hardcoded;
    } compile_commands;
    struct {
        enum idx_diag_level level;
        bool enabled;
    } diagnostics;
    unsigned parse_timeout_s; /* per-file worker time limit (default 300, 1..86400) */
    /* Top-level "exclude_patterns": globs like compile_commands.exclude_patterns, for every
     * file (scan or database). */
    char **exclude_patterns;
    size_t n_exclude_patterns;
    /* max_file_size_mb in bytes: larger sources are skipped by the scan (default 10 MiB). */
    uint64_t max_file_bytes;
    /* max_workers: worker processes; 0 = automatic (the plan's null, one per CPU). */
    unsigned max_workers;
};

/*
 * Loads the configuration for the project at root. The file is, in order: explicit_path when
 * not NULL, $CPP_ANALYZER_CONFIG when set and not empty, root/cpp-analyzer-config.json, then
 * root/.cpp-analyzer-config.json (the name later versions of the plan's project use) when it
 * exists; none of them means defaults. A missing explicit file or $CPP_ANALYZER_CONFIG file is
 * ERR_NOTFOUND (the message names the variable); a file over IDX_CONFIG_MAX_BYTES is ERR_LIMIT.
 *
 * root may be NULL when the file says where the project is: the optional "project_root" key
 * (TOOLS.md's set_project with config_file), relative to the config file's directory. When
 * both are given, root wins and a differing project_root is a warning. No root at all, or a
 * project_root that is not a directory, is ERR_INVALID / ERR_NOTFOUND.
 *
 * Environment, over the file: $CPP_ANALYZER_DIAGNOSTIC_LEVEL (error|warning|info|debug|fatal)
 * overrides diagnostics.level, $CPP_ANALYZER_QUERY_BEHAVIOR (allow_partial|block|reject)
 * overrides query_behavior; both case-insensitive, an invalid value is ERR_INVALID naming
 * the variable.
 *
 * The file must be a JSON object without duplicate keys, valid UTF-8, nested no deeper than
 * jansson's limit. Keys starting with '_' are comments ("_comment" in the plan's example) and
 * ignored at any level; keys of the plan's file that cidx does not use (compile_commands.
 * cache_enabled, cache_expiry_seconds, sanitization_rules_file) are checked for type and
 * otherwise ignored (debug log). Any other key appends one line to warnings (may be NULL):
 * "config file 'F': unknown key 'compile_commands.foo' (ignored)". A wrong type, an
 * out-of-range value or an unknown enum string is ERR_INVALID with a message naming the file,
 * the key and what was expected. *out is initialized in every case; release it even after a
 * failure. Reads the environment; otherwise thread-safe.
 */
int idx_config_load(struct idx_config *out, const char *root, const char *explicit_path,
                    struct strbuf *warnings, struct err *err);
/*
 * The same from a buffer (the fuzz target's entry point), environment overrides included; name
 * is used in messages and, when it holds a '/', its directory is the base of a relative
 * project_root (otherwise root is). cfg->path stays NULL.
 */
int idx_config_parse(struct idx_config *out, const char *root, const char *name, const char *data,
                     size_t len, struct strbuf *warnings, struct err *err);
/* Frees everything cfg holds and leaves it zeroed. NULL is fine. */
void idx_config_release(struct idx_config *cfg);

/* True when the canonical absolute path lies in (or is) an excluded directory, or matches an
 * exclude_patterns or compile_commands.exclude_patterns glob. Globs are matched with fnmatch
 * ('*' also matches '/') against the root-relative path and against the file name; for a path
 * outside the root, against the absolute path and the file name. */
bool idx_config_is_excluded(const struct idx_config *cfg, const char *path);
/* True when the canonical absolute path is a dependency: in (or is) a dependency directory, or
 * outside the project root. */
bool idx_config_is_dependency(const struct idx_config *cfg, const char *path);
/* True when the file name ends with one of compile_commands.supported_extensions. */
bool idx_config_is_source(const struct idx_config *cfg, const char *path);

/* ---- directory scan (no compile database) -------------------------------------------------- */

/* One source found by the scan, with the default arguments the plan's project parses with. */
struct idx_scan_file {
    char *file;  /* canonical absolute path */
    char **argv; /* compiler + default flags + file, NULL-terminated, like a ccdb entry */
    size_t argc;
};

struct idx_scan {
    struct idx_scan_file *files; /* sorted by path (strcmp), no duplicates */
    size_t n;
    char **warnings; /* one line per unreadable directory, symlink loop, skipped file... */
    size_t nwarnings;
};

/*
 * Walks cfg->project_root for source files (idx_config_is_source on the name as found),
 * skipping hidden directories (name starting with '.'), excluded directories and files
 * (idx_config_is_excluded on the path as walked and on its canonical path), files larger
 * than cfg->max_file_bytes (a warning), and, unless cfg->include_dependencies, dependency
 * directories and files (idx_config_is_dependency, which includes anything a symlink leads
 * outside the root). Symlinks to files and directories are followed; each directory is read
 * once (a (device, inode) set), so a symlink loop or a second path to a directory is a
 * warning, not a failure. An unreadable directory is a warning. Only regular files are kept;
 * a file reached through several paths appears once, under its canonical path.
 *
 * Each file gets the default arguments, argv[0] being the compiler (never run): for ".c"
 * files "clang -x c -std=c11", for every other extension "clang++ -x c++ -std=c++17"; then
 * -I<root>, -I<root>/include and -I<root>/src (each only when the directory exists), then the
 * file. *out is initialized in every case; release with idx_scan_release. Fails (ERR_NOTFOUND,
 * ERR_IO, ERR_INVALID when not a directory) only when the root itself cannot be read.
 * Thread-safe on distinct arguments.
 */
int idx_scan_dir(struct idx_scan *out, const struct idx_config *cfg, struct err *err);
/* Frees everything s holds and leaves it empty. NULL is fine. */
void idx_scan_release(struct idx_scan *s);

/* ---- indexing runs ---------------------------------------------------------------------- */

/* Progress of a run, reported through idx_progress_fn (from the indexing thread). */
struct idx_progress {
    const char *phase;     /* "planning", "indexing", "finishing", "done" */
    size_t done, total;    /* translation units finished (parsed or failed) / to parse */
    size_t unchanged;      /* sources the plan found unchanged (cache hits) */
    size_t failed;         /* of done: could not be parsed (crash, timeout, libclang error) */
    const char *current;   /* the file just finished; borrowed for the call */
    int64_t symbols, refs; /* records written so far in this run */
    double elapsed_s;
};
typedef void (*idx_progress_fn)(void *ctx, const struct idx_progress *p);

struct idx_options {
    const char *root;        /* the project directory (DIR of `cidx index DIR`); required */
    const char *cache_dir;   /* NULL: store_default_cache_dir(root, config file) */
    const char *config_path; /* NULL: CPP_ANALYZER_CONFIG or root/cpp-analyzer-config.json */
    const char *ccdb_path;   /* NULL: the config's compile_commands.path, DIR, DIR/build */
    const char *worker_exe;  /* NULL: $CIDX_WORKER, cidx-worker beside cidx, or on PATH */
    unsigned jobs;           /* parse workers; 0: one per core */
    bool full;               /* re-index everything */
    bool no_wait;            /* fail with ERR_BUSY instead of waiting for another run */
    unsigned timeout_s;      /* per-file limit; 0: the config's parse_timeout_s */
    idx_progress_fn progress;
    void *progress_ctx;
    volatile int *cancel; /* non-zero stops the run within ~0.1 s: workers are killed, the
                           * files in flight are left for the next run (not failures) */
};

struct idx_summary {
    char *cache_dir;     /* where the cache is; heap, release with idx_summary_release */
    char *ccdb_path;     /* the compile database used, NULL for a directory scan */
    size_t sources;      /* translation units in the project */
    size_t parsed;       /* parsed in this run (a retried file counts once) */
    size_t failed;       /* could not be parsed: crash, timeout, libclang error */
    size_t with_errors;  /* parsed, with compile errors recorded */
    size_t unchanged;    /* skipped because nothing they depend on changed */
    size_t touched;      /* content unchanged but mtime moved: metadata updated only */
    size_t deleted;      /* files dropped from the cache */
    size_t headers;      /* headers written (claimed) in this run */
    size_t alternatives; /* compile database entries ignored because the file had one before */
    /* Why sources were parsed (a source may count in several): */
    size_t added;           /* not in the cache before */
    size_t modified;        /* content changed */
    size_t args_changed;    /* compile arguments changed */
    size_t headers_changed; /* headers that changed or disappeared (their includers re-parse) */
    int64_t symbols, refs;  /* records written in this run */
    double seconds;
    long parent_rss_kb, worker_rss_kb_max;
    bool nothing_changed; /* nothing parsed, nothing written */
    bool cancelled;
};

/*
 * Indexes (or refreshes) the project: plans what changed, parses it with worker processes,
 * writes each file in one transaction, drops deleted files. Holds the cache's indexing lock for
 * the whole run (another run waits, or gets ERR_BUSY with no_wait, naming the holder).
 * Files that fail are recorded in parse_errors and do not fail the run. Errors: ERR_INVALID
 * (bad root or config), ERR_NOTFOUND, ERR_BUSY, and the store's errors. *sum is filled in
 * any case; release it with idx_summary_release.
 */
int idx_run(const struct idx_options *opt, struct idx_summary *sum, struct err *err);
void idx_summary_release(struct idx_summary *sum);

/* The worker side (the cidx-worker executable, src/worker): reads tasks on in_fd, writes
 * records to out_fd until in_fd closes. Returns the process exit status. Runs libclang; it is
 * linked only into cidx-worker, never into a process that must not crash. */
int idx_worker_main(int in_fd, int out_fd, const char *root, const char *config_path);

#endif
