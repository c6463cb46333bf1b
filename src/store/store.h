/*
 * store.h - the cache store: one SQLite file per project (symbols.db in the cache directory).
 *
 * The store knows SQLite and the record types, not libclang. The indexer hands it one file's
 * records as a batch (struct store_file_batch); the store replaces that file's contributions
 * atomically. Readers (CLI, MCP server) search and inspect the cache through their own handles.
 *
 * Thread-safety: a struct store is one SQLite connection and must be used by one thread at a
 * time. Open one handle per thread; any number of handles and processes may share a cache.
 */
#ifndef CIDX_STORE_H
#define CIDX_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../util/util.h"
#include "store_records.h"

/* The schema version this binary writes (see store_schema.c for the history). */
#define STORE_SCHEMA_VERSION 2
/* The oldest schema a read-only open reads without migrating (v2 only added an index). */
#define STORE_SCHEMA_READABLE_MIN 1
#define STORE_DB_NAME "symbols.db"

struct store;

/* ---- opening ------------------------------------------------------------------------------ */

enum store_open_flag {
    STORE_OPEN_READONLY = 1 << 0,  /* never write; fail instead of creating or migrating */
    STORE_OPEN_NO_REPAIR = 1 << 1, /* report damage as ERR_CORRUPT instead of moving it aside */
    STORE_OPEN_NO_BACKUP = 1 << 2, /* migrate without the pre-migration backup (tests only) */
    STORE_OPEN_EXISTING = 1 << 3,  /* fail with ERR_NOTFOUND instead of creating a new cache */
};

/*
 * Opens (creating when needed) the cache in cache_dir. On success *out is the caller's, to close
 * with store_close. What it does, in order:
 *   1. creates cache_dir (unless read-only) and detects a network file system (WAL off, warning);
 *   2. moves a non-SQLite or corrupt symbols.db aside as symbols.db.bak.corrupt.<time>, starts a
 *      fresh cache, with a warning (unless STORE_OPEN_NO_REPAIR);
 *   3. runs quick_check when the previous session did not close cleanly;
 *   4. migrates an older schema (backup first), refuses a newer one (ERR_VERSION, file untouched);
 *   5. finishes an interrupted bulk load.
 * Errors: ERR_READONLY (directory or file not writable), ERR_BUSY (locked past the busy limit),
 * ERR_FULL, ERR_VERSION, ERR_CORRUPT (NO_REPAIR), ERR_NOTFOUND (READONLY and no cache), ERR_DB.
 */
int store_open(struct store **out, const char *cache_dir, unsigned flags, struct err *err);

/* Closes the handle, flushing query statistics when writable. Accepts NULL. */
void store_close(struct store *st);

/* Borrowed strings, valid until store_close. */
const char *store_db_path(const struct store *st);
const char *store_cache_dir(const struct store *st);
/* "wal" or "delete". */
const char *store_journal_mode(const struct store *st);
/* The file-system kind detected for the cache directory. */
enum fs_kind store_fs_kind(const struct store *st);

/*
 * The busy limit: how long a write waits for another writer before ERR_BUSY (default 30000 ms,
 * environment CIDX_BUSY_TIMEOUT_MS). Backoff doubles from 1 ms up to 100 ms between tries.
 */
void store_set_busy_limit(struct store *st, unsigned ms);

/*
 * The default cache directory for a project root: $CLANG_INDEX_CACHE_DIR if set, else
 * $XDG_CACHE_HOME/cidx/<dirname>-<hash of root and config path>. Caller frees.
 */
char *store_default_cache_dir(const char *project_root, const char *config_path);

/* ---- records (what the indexer sends) ------------------------------------------------------ */

/* Kind masks for filters; the groups of TOOLS.md. */
#define STORE_KIND_BIT(k) (1u << (k))
#define STORE_KINDS_TYPES                                                                          \
    (STORE_KIND_BIT(STORE_KIND_CLASS) | STORE_KIND_BIT(STORE_KIND_STRUCT) |                        \
     STORE_KIND_BIT(STORE_KIND_UNION) | STORE_KIND_BIT(STORE_KIND_ENUM) |                          \
     STORE_KIND_BIT(STORE_KIND_TYPEDEF) | STORE_KIND_BIT(STORE_KIND_TYPE_ALIAS))
#define STORE_KINDS_FUNCTIONS                                                                      \
    (STORE_KIND_BIT(STORE_KIND_FUNCTION) | STORE_KIND_BIT(STORE_KIND_METHOD) |                     \
     STORE_KIND_BIT(STORE_KIND_CONSTRUCTOR) | STORE_KIND_BIT(STORE_KIND_DESTRUCTOR) |              \
     STORE_KIND_BIT(STORE_KIND_CONVERSION))

/* "class", "enum_constant"... ; NULL-safe, unknown codes give "unknown". */
const char *store_kind_name(enum store_kind kind);
/* Parses one kind name ("class"); STORE_KIND_UNKNOWN when unknown or NULL. */
int store_kind_parse(const char *name);
/* Parses a kind name or a group ("types", "functions") into a mask; 0 when unknown. */
unsigned store_kind_mask_parse(const char *name);

const char *store_access_name(enum store_access a);

/* A source range: 1-based lines and columns; end is inclusive of the last line. */
struct store_range {
    uint32_t line, col;
    uint32_t end_line, end_col;
};

/*
 * One declaration or definition of a symbol in the batch's file. A symbol declared twice in a
 * file (a forward declaration and a definition) appears twice; properties merge (non-empty wins,
 * a definition's over a declaration's).
 */
struct store_symbol {
    const char *usr;      /* required, unique per symbol across the project */
    const char *name;     /* required: the simple name ("draw", "operator==", "~Widget") */
    const char *scope;    /* qualified name of the semantic parent; "" or NULL for global */
    const char *scope_ns; /* the namespace part of scope ("ui" for ui::Widget); NULL = scope */
    enum store_kind scope_kind; /* kind of the parent (class, namespace...) */
    enum store_kind kind;
    const char *signature;       /* readable prototype or type spelling; may be NULL */
    const char *brief;           /* brief doc comment; may be NULL */
    const char *doc;             /* full doc comment; may be NULL */
    const char *template_params; /* "<typename T, int N>"; may be NULL */
    const char *target;          /* typedef/alias underlying type; NULL otherwise */
    enum store_access access;
    enum store_template template_kind;
    unsigned attrs; /* enum store_attr bits */
    bool is_definition;
    struct store_range range;        /* the name's position (line, col) and the extent's end */
    struct store_range extent_start; /* start of the full extent (line, col); 0 = same as range */
};

/*
 * One use of a symbol in the batch's file. The target need not be declared in this file: the
 * store creates a placeholder for an unknown usr, named by target_name/target_kind, that a later
 * declaration fills in.
 */
struct store_ref {
    const char *usr;         /* the symbol used */
    const char *target_name; /* its simple name, for a placeholder; may be NULL */
    enum store_kind target_kind;
    const char *context_usr; /* the enclosing symbol (the caller, for a call); may be NULL */
    uint32_t line, col;
    unsigned roles; /* enum store_role bits */
    /* For a placeholder: the qualified name of the target's parent ("std" for std::vector)
     * and its namespace part; NULL for the global scope. */
    const char *target_scope, *target_ns;
};

struct store_base {
    const char *derived_usr;
    const char *base_usr;
    const char *base_name; /* spelling of the base ("Base<int>"), for placeholders and export */
    enum store_access access;
    bool is_virtual;
    uint32_t line, col;
};

struct store_override {
    const char *usr;            /* the overriding method */
    const char *overridden_usr; /* the method it overrides */
    const char *overridden_name;
};

struct store_include {
    const char *path; /* canonical path of the included file */
    uint32_t line;
};

/* Everything one file contributes. Pointers are borrowed for the duration of the call. */
struct store_file_batch {
    const char *path;      /* canonical absolute path; required */
    const char *hash;      /* content hash (hex); may be NULL */
    const char *args_hash; /* compile-arguments hash; may be NULL */
    int64_t mtime_ns;
    int64_t size;
    bool is_project; /* false for dependency and system files */
    bool is_header;
    const struct store_symbol *symbols;
    size_t nsymbols;
    const struct store_ref *refs;
    size_t nrefs;
    const struct store_base *bases;
    size_t nbases;
    const struct store_override *overrides;
    size_t noverrides;
    const struct store_include *includes;
    size_t nincludes;
};

/*
 * Replaces everything the file contributed with the batch, in one transaction: its old
 * declarations, references, bases, overrides and includes go, the new ones come in, symbols left
 * with no declaration anywhere and nothing pointing at them are removed. A reader sees the old
 * file or the new one, never a mix. In bulk mode the transaction spans several files.
 * Errors: ERR_INVALID (a record without usr or name, a relative path), ERR_BUSY, ERR_FULL,
 * ERR_READONLY, ERR_DB. On error nothing of the batch is kept and committed data is intact.
 */
int store_file_replace(struct store *st, const struct store_file_batch *batch, struct err *err);

/*
 * A whole dataset written at once by store_bulk_load: the files, the symbols (each declared once,
 * in one file, or a placeholder that only references and bases name) and the references and bases
 * between them, by index. The rows are those store_file_replace would write for the same data
 * file by file (symbols in the order given, each file's symbols in declaration order), without a
 * lookup: the legacy migration's path.
 */
#define STORE_LOAD_NONE UINT32_MAX

struct store_load_file {
    const char *path; /* canonical absolute path; required, each once */
    const char *hash, *args_hash;
    bool is_project, is_header;
};

struct store_load_symbol {
    const char *usr, *name; /* required; each usr once */
    const char *scope;      /* as in struct store_symbol */
    const char *scope_ns;
    enum store_kind scope_kind;
    enum store_kind kind;
    const char *signature;
    enum store_access access;
    uint32_t file; /* index into files; STORE_LOAD_NONE: a placeholder (no declaration) */
    uint32_t line, col;
    bool is_definition;
};

struct store_load_ref {
    uint32_t file, line, col;
    uint32_t symbol, context; /* indexes into symbols; context may be STORE_LOAD_NONE */
    unsigned roles;
};

struct store_load_base {
    uint32_t file, derived, base; /* base: an index into symbols */
    enum store_access access;
    bool is_virtual;
    uint32_t line, col;
};

struct store_load {
    const struct store_load_file *files;
    size_t nfiles;
    const struct store_load_symbol *symbols;
    size_t nsymbols;
    const struct store_load_ref *refs;
    size_t nrefs;
    const struct store_load_base *bases;
    size_t nbases;
    /* Called now and then (may be NULL) with the symbols and references written so far and
       their total (nsymbols + nrefs). */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
};

/*
 * Writes l into a cache in bulk mode that is empty and has had nothing written in this load (else
 * ERR_INVALID), in the load's open group transaction (store_bulk_end commits it). Errors:
 * ERR_INVALID (an index out of range, a usr twice, a record without usr or name, a path twice or
 * not absolute), ERR_FULL, ERR_DB; on error the load's group is rolled back.
 */
int store_bulk_load(struct store *st, const struct store_load *l, struct err *err);

/* Removes a file and all it contributed. A file that is not in the cache is not an error. */
int store_file_delete(struct store *st, const char *path, struct err *err);

/*
 * Bulk mode for first-time indexing: secondary indexes and search triggers are dropped, files are
 * committed in groups, and store_bulk_end rebuilds indexes and the search index. The result is
 * identical to per-file writes. A bulk load cut short (crash, kill) is finished by the next
 * store_open. Readers still see committed data (searches are slower until the end). Replacing
 * or deleting a file that is already in the cache works during a bulk load but is slow (the
 * reference index that tells whether a symbol is still used is built at the end): bulk mode is
 * for first-time writes.
 */
int store_bulk_begin(struct store *st, struct err *err);
int store_bulk_end(struct store *st, struct err *err);
/*
 * store_bulk_end, running fn(arg) on another thread meanwhile: it starts once the load's rows are
 * committed and may read them through a handle of its own (store_open with STORE_OPEN_READONLY;
 * the read-only indexes and the search index may not be there yet); the end of the load is
 * committed after it returns. *fn_rc is fn's result (left alone when fn did not run: the rows
 * could not be committed).
 */
int store_bulk_end_with(struct store *st, int (*fn)(void *arg), void *arg, int *fn_rc,
                        struct err *err);
bool store_in_bulk(const struct store *st);

/* ---- metadata, errors, header tracking -------------------------------------------------- */

/* cache_metadata key/value. store_meta_get: *out is the caller's (NULL when absent). */
int store_meta_get(struct store *st, const char *key, char **out, struct err *err);
int store_meta_set(struct store *st, const char *key, const char *value, struct err *err);

struct store_parse_error {
    const char *path;
    const char *error_type; /* "signal", "timeout", "diagnostic", "io"... */
    const char *message;
    const char *stack_trace; /* may be NULL */
    const char *file_hash;   /* may be NULL */
    const char *args_hash;   /* may be NULL */
    int retry_count;
};
int store_parse_error_add(struct store *st, const struct store_parse_error *pe, struct err *err);
/* Removes the recorded errors of one file (after it parsed cleanly). */
int store_parse_error_clear(struct store *st, const char *path, struct err *err);

/* header_tracker: which translation unit claimed a header, with its hash and args hash. */
int store_header_claim(struct store *st, const char *header, const char *processed_by,
                       const char *hash, const char *args_hash, struct err *err);

/* ---- files -------------------------------------------------------------------------------- */

struct store_file_info {
    char *path;
    char *hash;
    char *args_hash;
    int64_t mtime_ns, size;
    double indexed_at;
    int64_t symbol_count;
    bool is_project, is_header;
};
/* Looks up one file; ERR_NOTFOUND when absent. Release with store_file_info_release. */
int store_file_get(struct store *st, const char *path, struct store_file_info *out,
                   struct err *err);
void store_file_info_release(struct store_file_info *fi);

/*
 * Calls fn once per indexed file (the files store_file_get finds; rows known only as include
 * targets are left out), in path order (bytewise). The rows are read in one read transaction (a
 * consistent snapshot) before the first call, so fn may use st for anything, writes included
 * (deleting or touching the file it is shown); the walk goes on over the snapshot. The info is
 * borrowed for the duration of the call. fn returning non-zero stops the walk and becomes the
 * return value. Errors: ERR_BUSY, ERR_CORRUPT, ERR_DB.
 */
typedef int (*store_file_fn)(void *ctx, const struct store_file_info *fi);
int store_file_each(struct store *st, store_file_fn fn, void *ctx, struct err *err);

/*
 * Records that a file's content is unchanged although its mtime or size moved (a touch, a
 * checkout of identical content): updates mtime_ns and size only; hash, indexed_at and the
 * file's records stay as they are. In bulk mode it joins the open group transaction, else it
 * runs in one of its own. Errors: ERR_NOTFOUND (the file is not indexed), ERR_INVALID (no
 * path), ERR_READONLY, ERR_BUSY, ERR_FULL, ERR_DB.
 */
int store_file_touch(struct store *st, const char *path, int64_t mtime_ns, int64_t size,
                     struct err *err);

/*
 * Every file that includes path directly or through other files (the reverse include graph,
 * walked breadth-first, cycle safe), excluding path itself: nearest first, level by level, each
 * level in path order. A path the cache does not know gives an empty list. *out is a
 * NULL-terminated heap array of *n heap strings, also when empty (free with idx_argv_free, or
 * each string then the array). One read transaction. Works during a bulk load, where each
 * level scans the includes table (its index is built at the end). Errors: ERR_INVALID, ERR_DB.
 */
int store_file_includers(struct store *st, const char *path, char ***out, size_t *n,
                         struct err *err);

/*
 * Headers (is_header) that no file includes any more, in path order: the paths as a heap array
 * as above. The indexer deletes them after a refresh. Errors: ERR_DB.
 */
int store_orphan_headers(struct store *st, char ***out, size_t *n, struct err *err);

/*
 * Writes a normalized, deterministic text dump of the whole index to out: files, symbols (by
 * qualified name, kind, signature, USR; placeholders marked), declarations with extents,
 * references with roles and contexts, bases, overrides, includes, header claims (without
 * processed_by/time) and parse errors, one record per line, each section sorted. The line
 * format is described at the top of store_dump.c. Every occurrence of root (a directory prefix,
 * may be NULL; trailing slashes are ignored) in paths, USRs, names, signatures, docs and
 * messages is replaced by "<root>". Timestamps and ids never appear, so two caches with the
 * same content give the same dump. One read transaction. Used by the golden tests and
 * `cidx dump`. Errors: ERR_IO (writing out failed), ERR_BUSY, ERR_CORRUPT, ERR_DB.
 */
int store_dump(struct store *st, FILE *out, const char *root, struct err *err);

/* ---- search ------------------------------------------------------------------------------- */

enum store_match {
    STORE_MATCH_AUTO = 0, /* qualified if the pattern has "::", regex if it has regex syntax,
                             else exact > prefix > words > substring */
    STORE_MATCH_EXACT,
    STORE_MATCH_PREFIX,
    STORE_MATCH_WORDS, /* identifier sub-words: "push back" and "pushB" find push_back */
    STORE_MATCH_SUBSTRING,
    STORE_MATCH_QUALIFIED, /* "ui::View", "::main", suffix at :: boundaries */
    STORE_MATCH_REGEX,     /* PCRE2, searched anywhere in the name, bounded */
    STORE_MATCH_COUNT_
};
const char *store_match_name(enum store_match m);
/* Parses "auto", "exact"...; -1 when unknown. */
int store_match_parse(const char *name);

struct store_search_query {
    const char *pattern; /* "" lists everything */
    size_t pattern_len;  /* bytes of pattern; 0 means strlen(pattern) */
    enum store_match match;
    unsigned kinds;         /* STORE_KIND_BIT mask; 0 = all kinds */
    const char *namespace_; /* only symbols in this namespace (exact, "" = global); NULL = any */
    const char *file;       /* only symbols located in this file (absolute, or a path suffix) */
    const char *scope;      /* only direct members of this qualified scope; NULL = any */
    bool all_scopes;        /* false: project only; true: dependencies and system too */
    bool case_sensitive;    /* default false */
    bool include_docs;      /* fill brief/doc/extents (detail=full) */
    uint32_t limit;         /* 0 = 50; at most 1000 */
    uint64_t offset;
};

struct store_location {
    const char *file; /* NULL when unknown */
    uint32_t line, col, end_line, end_col;
};

struct store_symbol_row {
    int64_t id;
    const char *usr, *name, *qualified_name, *signature, *namespace_, *parent;
    enum store_kind kind;
    enum store_access access;
    enum store_template template_kind;
    unsigned attrs;
    bool is_project;
    struct store_location location;   /* the definition if any, else the first declaration */
    struct store_location definition; /* file NULL when there is none */
    struct store_location declaration;
    const char *brief, *doc, *template_params; /* only with include_docs; else NULL */
    enum store_match matched;                  /* the class the row matched in (exact, prefix...) */
};

/* A page of results. Strings point into the result's own memory; release frees it all. */
struct store_search_result {
    struct store_symbol_row *rows;
    size_t n;
    uint64_t total;        /* matches in all pages */
    bool truncated;        /* more after this page */
    uint64_t next_offset;  /* offset of the next page when truncated */
    enum store_match mode; /* the mode actually used (auto resolves to one) */
    void *mem_;
};

/*
 * Searches symbol names. Exact matches rank first, then project before dependencies, then by
 * name. Every pattern is safe: it never reaches FTS5 or SQL unescaped. Errors: ERR_INVALID
 * (a NUL byte, a regex that does not compile, an empty qualified name, a limit over 1000),
 * ERR_LIMIT (regex match or depth limit), ERR_DB.
 */
int store_search(struct store *st, const struct store_search_query *q,
                 struct store_search_result *out, struct err *err);
void store_search_result_release(struct store_search_result *r);

/* Looks up one symbol by usr. ERR_NOTFOUND when absent. Release like a search result. */
int store_symbol_by_usr(struct store *st, const char *usr, struct store_search_result *out,
                        struct err *err);

/* ---- statistics and upkeep ---------------------------------------------------------------- */

enum store_query_kind {
    STORE_Q_SEARCH_EXACT = 0,
    STORE_Q_SEARCH_PREFIX,
    STORE_Q_SEARCH_WORDS,
    STORE_Q_SEARCH_SUBSTRING,
    STORE_Q_SEARCH_QUALIFIED,
    STORE_Q_SEARCH_REGEX,
    STORE_Q_SEARCH_AUTO,
    STORE_Q_LOOKUP_USR,
    STORE_Q_FILE_REPLACE,
    STORE_Q_FILE_DELETE,
    STORE_Q_RESOLVE, /* the code queries (their own names resolve through it as well) */
    STORE_Q_SYMBOL_INFO,
    STORE_Q_FILE_OUTLINE,
    STORE_Q_HIERARCHY,
    STORE_Q_INCOMING_CALLS,
    STORE_Q_OUTGOING_CALLS,
    STORE_Q_CALL_PATH,
    STORE_Q_REFERENCES,
    STORE_Q_SOURCE,
    STORE_Q_COUNT_
};
const char *store_query_kind_name(enum store_query_kind k);

struct store_query_stat {
    const char *name;
    uint64_t count;
    double total_ms, mean_ms, p95_ms, max_ms;
};

/*
 * Query statistics: this handle's own plus what earlier processes flushed into the cache.
 * out must hold STORE_Q_COUNT_ entries. Recording costs two clock reads and a few adds.
 */
int store_qstats_get(struct store *st, struct store_query_stat *out, struct err *err);
/*
 * Writes this handle's statistics into the cache (merged) and zeroes them; close does this.
 * It never waits: while another process holds the write lock it returns ERR_BUSY and keeps
 * the numbers in the handle (a closing handle then drops them).
 */
int store_qstats_flush(struct store *st, struct err *err);
/* Forgets all statistics, in memory and in the cache. */
int store_qstats_reset(struct store *st, struct err *err);

struct store_stats {
    int64_t db_bytes, wal_bytes;
    int64_t page_size, page_count, freelist_count;
    int64_t symbols, files, project_files, refs, calls, bases, overrides, includes, decls;
    int64_t parse_errors, scopes;
    int64_t by_kind[STORE_KIND_COUNT_];
    double last_vacuum;  /* epoch seconds; 0 = never */
    double last_indexed; /* newest file indexed_at */
    int schema_version;
    bool bulk_pending;
};
int store_stats_get(struct store *st, struct store_stats *out, struct err *err);

/* Size at which stats and doctor warn that the cache is large (bytes). */
#define STORE_SIZE_WARN_BYTES (2LL * 1024 * 1024 * 1024)
/* The size warning threshold in force: CIDX_SIZE_WARN_BYTES when set, else the default. */
int64_t store_size_warn_bytes(void);
/* True when the cache file is over the warning size; logs one warning when it is. */
bool store_size_warning(struct store *st);

struct store_check {
    const char *name; /* "quick_check", "integrity_check", "fts", "schema", "orphans"... */
    bool ok;
    char detail[512];
};
/*
 * Runs the health checks: schema version, integrity_check (or quick_check when quick), FTS5
 * integrity-check, and consistency of edges and owners. Fills up to max entries of out and
 * sets *n. Returns 0 when all pass, ERR_CORRUPT when any fails, another code when a check
 * could not run.
 */
int store_check(struct store *st, bool quick, struct store_check *out, size_t max, size_t *n,
                struct err *err);

struct store_maint_report {
    int64_t bytes_before, bytes_after;
    bool vacuumed;
    const char *vacuum_reason; /* "forced", "free pages", "last vacuum over a week ago", NULL */
    double elapsed_ms;
};
/* ANALYZE, FTS optimize, and VACUUM when it pays or when force_vacuum. Updates last_vacuum. */
int store_maintain(struct store *st, bool force_vacuum, struct store_maint_report *out,
                   struct err *err);
/* Rebuilds the FTS5 search index from the symbols and REINDEXes everything (repairs drift). */
int store_rebuild_indexes(struct store *st, struct err *err);
/* True (with a reason) when a VACUUM would pay: free pages past 20% or last vacuum > 7 days. */
bool store_vacuum_due(struct store *st, const char **reason);

/* ---- backups ------------------------------------------------------------------------------ */

struct store_backup_info {
    char *path;   /* absolute path of the copy */
    char *reason; /* "pre-migration v0->v1", "corrupt", "pre-restore" */
    double when;
    int64_t bytes;
};
/*
 * Lists the backups in the cache directory (pre-migration copies and damaged files moved aside),
 * newest first. *out is the caller's: free with store_backup_list_free.
 */
int store_backup_list(const char *cache_dir, struct store_backup_info **out, size_t *n,
                      struct err *err);
void store_backup_list_free(struct store_backup_info *list, size_t n);
/*
 * Puts a backup back as symbols.db after checking it (it must be SQLite, pass integrity_check,
 * and not be newer than this binary). The current database is kept as a "pre-restore" backup.
 * Fails with ERR_BUSY while another process has the cache open for indexing.
 */
int store_restore(const char *cache_dir, const char *backup_path, struct err *err);

/* Online backup (sqlite3_backup) of the open database to dest_path. */
int store_backup_to(struct store *st, const char *dest_path, struct err *err);

/* ---- code queries -------------------------------------------------------------------------- */

/*
 * The queries behind the MCP tools and their CLI twins (spec/TOOLS.md), written once here. Each
 * resolves its target, reads in one read transaction (one snapshot), and hands back a jansson
 * object that is exactly the tool's structuredContent: *out is the caller's (json_decref).
 *
 * Shared rules:
 *   - Locations are {file, line, column}; file is relative to the project root when inside it
 *     (the root given to store_query_set_root, else cache_metadata "project_root").
 *     Declarations and definitions add the extent: start_line, start_column, end_line,
 *     end_column.
 *   - A target that matches nothing is a normal result: the list fields empty, the symbol
 *     fields null, and a "hint". A name that matches several symbols gives "ambiguous": true
 *     and "candidates" [{qualified_name, kind, signature, file, line, usr}] (at most 50, with
 *     "candidates_total"). Neither is an error.
 *   - Lists are bounded: limit 0 means 50, at most 1000; results say total, truncated and
 *     next_offset. No string in a result is longer than STORE_QUERY_TEXT_MAX bytes. Strings
 *     that are not valid UTF-8 (paths, names) have each bad byte replaced by U+FFFD.
 * Errors (all queries): ERR_INVALID (a bad argument: no name and no usr, a limit over 1000,
 * a context_lines over 50), ERR_BUSY, ERR_CORRUPT, ERR_DB; get_source also the errors of
 * reading the source file. Thread-safety: as the handle.
 */

struct json_t; /* jansson's json_t */

#define STORE_QUERY_LIMIT_DEFAULT 50
#define STORE_QUERY_LIMIT_MAX 1000
#define STORE_QUERY_TEXT_MAX (100 * 1024)

/*
 * The symbol a query is about (TOOLS.md's name / usr / kind / scope). name is a simple name
 * ("draw"), a qualified name matched as a suffix at "::" boundaries ("Widget::draw",
 * "ui::Widget::draw"), or anchored at the global namespace with a leading "::" ("::main").
 * Matching is case-sensitive; only when nothing matches that way does a case-insensitive match
 * count. A constructor does not compete with its own class ("Shape" is the class), nor a typedef
 * with the type it names ("typedef struct Point Point"). usr, when set, picks one symbol exactly
 * and name is ignored. Placeholders (symbols only used, never declared: libc functions) are found
 * by usr, or by name with all_scopes when no declared symbol matches. Without a kind filter,
 * the hierarchy query tries classes first and the call queries functions first, so "Shape" is
 * the class there and "main" the function; any kind counts when none of those match.
 */
struct store_target {
    const char *name;
    const char *usr;
    unsigned kinds;  /* STORE_KIND_BIT mask (the `kind` filter); 0 = any kind */
    bool all_scopes; /* scope=all: dependencies and system code too; false = project only */
};

/*
 * The project root that result paths are made relative to, for this handle: NULL or "" goes
 * back to cache_metadata "project_root" (what the indexer wrote). ERR_INVALID when longer than
 * 4095 bytes.
 */
int store_query_set_root(struct store *st, const char *root, struct err *err);

/* Role names of find_references ("call", "read", "write", "type", "address", "declaration",
 * "definition") to their STORE_ROLE_* bit; 0 when unknown. */
unsigned store_role_parse(const char *name);

/*
 * Name resolution alone: {symbol: {usr, name, qualified_name, kind, signature, location} | null}
 * plus ambiguous/candidates/hint as above.
 */
int store_query_resolve(struct store *st, const struct store_target *t, struct json_t **out,
                        struct err *err);

/*
 * get_symbol_info: {usr, name, qualified_name, kind, signature, namespace, parent, access,
 * is_project, location, declaration, definition, doc {brief, full}, attributes [], template
 * {kind, params} | null, truncated}; for classes, structs and unions also bases [{name, usr,
 * access, virtual, location}], derived, methods, fields, nested; for functions overloads,
 * overrides, overridden_by; for enums constants [{name, qualified_name, value, usr, location}];
 * for typedefs and aliases target and canonical (the target with typedefs the index knows
 * followed). Member lists hold at most 200 entries each; when one is cut, truncated is true
 * and totals {list: count} says how many there are. Not found: usr and the other fields absent,
 * "hint" set.
 */
int store_query_symbol_info(struct store *st, const struct store_target *t, struct json_t **out,
                            struct err *err);

/*
 * get_file_outline: {file, symbols [{name, qualified_name, kind, usr, signature, line, column,
 * start_line, start_column, end_line, end_column, definition, children []}], includes [{line,
 * file}], total, truncated}. file is absolute, relative to the root, or a path suffix at a '/'
 * boundary ("shapes.h") that must name one file (several: "ambiguous" and "candidates" [paths]).
 * Nesting follows the extents (a member inside its class, a definition inside the namespace
 * block that holds it). pattern (NULL = all) keeps symbols whose name or qualified name holds it
 * (ASCII case-insensitive) and their parents. At most 1000 symbols (truncated).
 */
int store_query_file_outline(struct store *st, const char *file, const char *pattern,
                             struct json_t **out, struct err *err);
/* The same, one page of the symbols in file order: limit 1..1000, offset; the result adds
 * next_offset, and a symbol whose parent is on an earlier page comes at the top level with a
 * "parent" field. store_query_file_outline is the first page of 1000. */
int store_query_file_outline_page(struct store *st, const char *file, const char *pattern,
                                  size_t limit, size_t offset, struct json_t **out,
                                  struct err *err);

enum store_direction { STORE_DIR_BOTH = 0, STORE_DIR_UP, STORE_DIR_DOWN };
/* "both", "up", "down" -> the enum; -1 when unknown. */
int store_direction_parse(const char *name);

struct store_hierarchy_args {
    struct store_target target;
    enum store_direction direction;
    uint32_t max_depth; /* 0 = 10; at most 10000 */
    uint32_t max_nodes; /* 0 = 200; at most 10000 */
};
/*
 * get_class_hierarchy: {root, nodes {qualified_name: {kind, usr, location, depth, bases [],
 * derived []}}, truncated}. Breadth first from the root (nodes in that order; depth is the
 * distance from the root), up through bases and/or down through derived classes; bases and
 * derived name the keys of other nodes, for the edges walked. Each class is one node however
 * many paths reach it (a diamond has one top), so cycles end. truncated: an edge led past
 * max_depth or max_nodes. Two classes with one qualified name get keys "name [usr]".
 */
int store_query_class_hierarchy(struct store *st, const struct store_hierarchy_args *a,
                                struct json_t **out, struct err *err);

struct store_calls_args {
    struct store_target target;
    bool exclude_virtual; /* incoming: count only calls to the target itself */
    uint32_t limit;       /* callers/callees per page: 0 = 50, at most 1000 */
    uint64_t offset;
};
/*
 * find_incoming_calls: {target, callers [{symbol, sites [{file, line, column, via?}]}], total,
 * truncated, next_offset}. Unless exclude_virtual, a virtual call to a method the target
 * overrides (transitively, up the override chain) counts too: such a site carries "via", the
 * qualified name of the method called. Callers are ordered by qualified name; at most 100 sites
 * per caller (sites_total when more). A call outside any function has symbol null.
 */
int store_query_incoming_calls(struct store *st, const struct store_calls_args *a,
                               struct json_t **out, struct err *err);
/*
 * find_outgoing_calls: {source, callees [{symbol, sites [{file, line, column, virtual?}]}],
 * total, truncated, next_offset}, callees in the order of their first call site.
 */
int store_query_outgoing_calls(struct store *st, const struct store_calls_args *a,
                               struct json_t **out, struct err *err);

struct store_path_args {
    struct store_target from, to;
    uint32_t max_depth; /* calls per path: 0 = 10; at most 100 */
    uint32_t max_paths; /* 0 = 10; at most 1000 */
};
/*
 * trace_call_path: {from [symbols], to [symbols], paths [[{qualified_name, kind, usr, location,
 * site?}]], truncated}. Paths follow call edges from `from` to `to`, shortest first, without
 * visiting a function twice (cycle safe); site is where the previous step calls this one. A
 * name that matches overloads of one function (every candidate has the same qualified name,
 * "geo::Sink::operator<<") stands for all of them, so from and to are lists; any other
 * ambiguity answers with "ambiguous", "argument" ("from" or "to") and the candidates. The
 * search walks backwards from `to` one level at a time, enumerating the paths of each length
 * from `from`, until max_paths paths or max_depth; truncated says one of its bounds (20000
 * functions walked, 1000000 edges tried) cut it short. from == to gives the one-step path.
 */
int store_query_call_path(struct store *st, const struct store_path_args *a, struct json_t **out,
                          struct err *err);

struct store_refs_args {
    struct store_target target;
    unsigned roles;   /* STORE_ROLE_* mask: a use with any of these roles; 0 = every use */
    const char *file; /* only uses in this file (as get_file_outline takes it); NULL = any */
    uint32_t limit;   /* 0 = 50, at most 1000 */
    uint64_t offset;
};
/*
 * find_references: {target, references [{location, role, roles [], context, line_text}],
 * total, truncated, next_offset}, ordered by file, line, column. Declarations and definitions
 * count as references with the roles "declaration" and "definition". role is the main role
 * (definition, declaration, call, write, read, address, type, or "reference" for a bare use such
 * as a namespace qualifier or a macro expansion); roles has every role, call details (virtual,
 * member, construct) included. context is the enclosing symbol ({qualified_name, kind, usr}) or
 * null; line_text is the source line as it is on disk now (at most 1 KB; null when the file
 * cannot be read or is shorter).
 */
int store_query_references(struct store *st, const struct store_refs_args *a, struct json_t **out,
                           struct err *err);

struct store_source_args {
    struct store_target target;
    bool declaration;       /* which: the declaration instead of the definition */
    uint32_t context_lines; /* lines before and after the extent; at most 50 */
};
/*
 * get_source: {symbol, which, file, start_line, end_line, text, truncated, stale, message?}.
 * The text is read from the file by the stored extent (plus context_lines), cut at a line end
 * to stay within STORE_QUERY_TEXT_MAX (truncated). which says what was shown: a symbol without
 * a definition shows its declaration and the other way round. When the file's content hash is
 * not the indexed one, stale is true and message says the lines may have moved. A file that is
 * gone is ERR_NOTFOUND, one that cannot be read ERR_IO or ERR_READONLY (the message names it).
 */
int store_query_source(struct store *st, const struct store_source_args *a, struct json_t **out,
                       struct err *err);

/* ---- legacy JSON caches (spec LEGACY_JSON.md; docs/MIGRATION.md) ------------------------- */

/*
 * The Python server's cache directory: cache_info.json (every symbol), files/<md5>.json (one per
 * source file), header_tracker.json, parse_errors.jsonl, and the marker a finished migration
 * leaves. store_legacy_migrate reads it into a cidx cache, store_legacy_export writes one back.
 */
#define STORE_LEGACY_INFO "cache_info.json"
#define STORE_LEGACY_MARKER ".migrated_to_sqlite"

/* Where a migration or an export is. done and total count the phase's units (files read,
 * symbols written, records compared, files written); total 0 when unknown. */
struct store_legacy_progress {
    const char
        *phase; /* migrate: "reading", "backup", "writing", "indexing", "verifying",
                   "installing", "done"; export: "reading", "writing", "installing", "done" */
    uint64_t done, total;
    double elapsed_s;
};
typedef void (*store_legacy_progress_fn)(void *ctx, const struct store_legacy_progress *p);

struct store_legacy_opts {
    const char *legacy_dir; /* the legacy cache directory (holds cache_info.json) */
    const char *cache_dir;  /* where symbols.db goes; NULL = legacy_dir */
    bool force; /* migrate although the marker is there, replacing a cidx cache in cache_dir
                   (kept as symbols.db.bak.pre-migrate-json.<time>) */
    store_legacy_progress_fn progress; /* may be NULL; called on the calling thread */
    void *progress_ctx;
};

struct store_legacy_report {
    bool migrated;    /* false: nothing was done (the marker says it was migrated already) */
    char *db_path;    /* the cidx cache */
    char *backup_dir; /* the copy of the JSON cache made before importing */
    char *replaced;   /* --force: where the cidx cache that was there went; NULL if none */
    uint64_t records; /* symbol records read (cache_info.json and files/, duplicates included) */
    uint64_t symbols; /* distinct symbols imported (one per usr, usr-less ones each) */
    uint64_t no_usr;  /* symbols without a usr, kept under a stand-in key */
    uint64_t files;   /* files with symbols, hashes or a per-file cache */
    uint64_t sources; /* per-file caches (files/<md5>.json) */
    uint64_t calls;   /* call edges */
    uint64_t bases;   /* base class edges */
    uint64_t headers; /* header_tracker.json entries */
    uint64_t parse_errors; /* parse_errors.jsonl lines */
    uint64_t verified;     /* records compared field by field with the database */
    /* phases: reading; the import (the verification included: it runs on a second thread while
       the import builds its indexes, verify_s long); the whole migration */
    double read_s, write_s, verify_s, seconds;
};
void store_legacy_report_release(struct store_legacy_report *r);

/*
 * Migrates the legacy cache in o->legacy_dir into a new cidx cache in o->cache_dir, following
 * LEGACY_JSON.md's rules:
 *   1. only when cache_info.json is there and the marker is not (else: rep->migrated false,
 *      nothing touched), and only when cache_dir holds no symbols.db (else ERR_INVALID) — unless
 *      o->force;
 *   2. reads every file (each at most CIDX_LEGACY_MAX_MB, default 128 MB; jansson's depth limit)
 *      and checks it completely before anything is written, then copies it aside
 *      (cache_dir/json-backup.<UTC time>/);
 *   3. imports through the bulk writer into a new database beside the cache (symbols, one per
 *      usr, usr-less symbols each kept; calls and called_by as call references; base classes;
 *      file hashes; per-file caches; header tracking; parse errors; metadata);
 *   4. verifies: symbol counts equal, every usr present, every record equal field by field, file
 *      hashes, per-file states, headers and parse errors; on any difference the new database is
 *      removed and the error says which record and field differ;
 *   5. puts the database in place (never over one that appeared meanwhile), then writes the
 *      marker into legacy_dir.
 * The JSON files are only read. A failure at any step (or a kill) leaves no database behind and
 * the next run starts over. One migration per cache_dir at a time (a lock file; others wait).
 * Errors: ERR_NOTFOUND (no cache_info.json), ERR_CORRUPT (a file that breaks the format: the
 * message names the file, where and what), ERR_LIMIT (a file over the size limit), ERR_INVALID
 * (a cidx cache is already there), ERR_GENERIC (verification failed), ERR_BUSY, ERR_IO,
 * ERR_FULL, ERR_READONLY, ERR_DB. *rep is filled on success (release it in any case).
 * Uses a second thread for reading; progress is called on the calling thread.
 */
int store_legacy_migrate(const struct store_legacy_opts *o, struct store_legacy_report *rep,
                         struct err *err);

/* True when dir holds a legacy cache that opening it migrates: cache_info.json, no marker, no
 * symbols.db. */
bool store_legacy_pending(const char *dir);

/*
 * The automatic migration: when store_legacy_pending(cache_dir), migrates it (logging a warning
 * before and a line after, on the log's stderr) and returns 0; returns 0 at once when there is
 * nothing to migrate. On failure nothing is left behind, the JSON is untouched, and err says
 * why and what to do.
 */
int store_legacy_auto_migrate(const char *cache_dir, struct err *err);

/*
 * store_open after store_legacy_auto_migrate: what the CLI and the server call to open a cache
 * directory. A failed migration is the open's error (the legacy cache is never shadowed by a
 * new empty cache).
 */
int store_open_or_migrate(struct store **out, const char *cache_dir, unsigned flags,
                          struct err *err);

struct store_legacy_export_opts {
    const char *dir; /* the legacy cache directory to write */
    bool force;      /* write into a non-empty directory; legacy files there are moved to
                        dir/json-replaced.<UTC time>/ first */
    store_legacy_progress_fn progress;
    void *progress_ctx;
};

struct store_legacy_export_report {
    char *dir;      /* where the cache was written */
    char *replaced; /* --force: where the legacy files that were there went; NULL if none */
    uint64_t symbols, classes, functions, sources, hashes, headers, parse_errors, calls, skipped;
    /* skipped: symbols of kinds the format has no place for (enums, fields, variables...) */
    double seconds;
};
void store_legacy_export_report_release(struct store_legacy_export_report *r);

/*
 * Writes the cache as a legacy JSON cache that LEGACY_JSON.md's rules accept: cache_info.json
 * ("2.0"; classes and structs in class_index, functions and methods — constructors, destructors
 * and conversions as methods — in function_index; exactly the 14 keys; calls and called_by from
 * the call references, sorted; file_hashes), files/<md5 of the path>.json ("1.2") for every
 * indexed source file, header_tracker.json ("1.0"), and parse_errors.jsonl when there are
 * errors. Output is deterministic: objects and lists sorted, so exporting the same content twice
 * gives the same bytes apart from the timestamps. Strings that are not valid UTF-8 have each bad
 * byte replaced by U+FFFD. Reads in one read transaction. Atomic: written into a temporary
 * directory beside o->dir and renamed into place when o->dir is missing or empty; a non-empty
 * o->dir needs o->force. Errors: ERR_INVALID (o->dir not empty without force), ERR_IO, ERR_FULL,
 * ERR_READONLY, ERR_BUSY, ERR_DB.
 */
int store_legacy_export(struct store *st, const struct store_legacy_export_opts *o,
                        struct store_legacy_export_report *rep, struct err *err);

/* The name of a source file's per-file cache in files/: the MD5 of its absolute path in hex,
 * then ".json" (what the Python server looks up). */
void store_legacy_file_name(char out[38], const char *path);

/* The files of a legacy cache, for store_legacy_check. */
enum store_legacy_kind {
    STORE_LEGACY_CACHE_INFO = 0, /* cache_info.json */
    STORE_LEGACY_FILE_CACHE,     /* files/<md5>.json */
    STORE_LEGACY_HEADER_TRACKER, /* header_tracker.json */
    STORE_LEGACY_PARSE_ERRORS,   /* parse_errors.jsonl */
};

/*
 * Reads one legacy file from a buffer with the rules store_legacy_migrate applies to it (JSON,
 * version, keys, types, absolute paths), then merges its symbols as an import would, and
 * discards the result: 0 when the file would be accepted, else ERR_CORRUPT or ERR_LIMIT with a
 * message that names `name` and the problem. Any bytes are safe (the fuzz target's entry).
 */
int store_legacy_check(enum store_legacy_kind kind, const char *name, const char *data, size_t len,
                       struct err *err);
/*
 * The same for several files read into one cache and merged together, as a migration reads a
 * directory (records of a per-file cache meet those of cache_info.json): n buffers, each of its
 * kind, named "(buffer N)" in messages.
 */
int store_legacy_check_set(const enum store_legacy_kind *kinds, const char *const *data,
                           const size_t *lens, size_t n, struct err *err);

/* ---- backends: the SQLite cache or a cache persisted as legacy JSON ------------------------- */

/*
 * The JSON backend (docs/MIGRATION.md, "The JSON backend"): the same store on a private SQLite
 * database in a new temporary directory, loaded from the legacy JSON files of the cache
 * directory (store_legacy_load: the JSON is only read) and, when the handle
 * changed anything, saved back to them by store_close (store_json_save):
 *   1. the cache is exported into cache_dir/.cidx-json-save.<pid>/ (store_legacy_export);
 *   2. the commit point: a .commit file in it (written atomically) listing what it holds;
 *   3. each entry replaces its old self (files/ by renameat2(RENAME_EXCHANGE), else by two
 *      renames; the files by rename), cache_info.json last, then the save directory goes.
 * A save killed before 2 is thrown away, one killed after 2 is finished, by the next open or
 * save of that directory (store_json_recover). Saves and loads of one directory take
 * cache_dir/.cidx-json.lock, so each load sees one complete save; between processes the last
 * save wins (nothing merges). The legacy format has no place for some records (enums, fields,
 * variables, references other than calls), so a JSON cache holds less than a SQLite one.
 */
enum store_backend_flag {
    STORE_OPEN_JSON = 1 << 8,        /* store_open_cache: the JSON backend */
    STORE_OPEN_NO_FALLBACK = 1 << 9, /* store_open_cache: report errors, never fall back */
};

/* True when CLANG_INDEX_USE_SQLITE is "0", "false", "no" or "off" (`--backend json` sets it). */
bool store_json_wanted(void);

/*
 * Opens the JSON backend on cache_dir (flags: store_open's; STORE_OPEN_READONLY, or a directory
 * that is not writable, gives a read-only handle that never saves). A directory without
 * cache_info.json starts empty (ERR_NOTFOUND with STORE_OPEN_EXISTING or read-only). *out is the
 * caller's, to close with store_close. Errors: those of store_legacy_migrate (a JSON file that
 * breaks the format: ERR_CORRUPT naming it), ERR_NOTFOUND, ERR_IO, ERR_DB.
 */
int store_json_open(struct store **out, const char *cache_dir, unsigned flags, struct err *err);

/*
 * Saves a JSON-backend handle to its JSON files when it changed since it was loaded or last
 * saved (steps above); nothing to do for an unchanged handle or a SQLite one. store_close calls
 * it (logging a failure). Errors: ERR_READONLY, ERR_IO, ERR_FULL, ERR_BUSY, ERR_DB.
 */
int store_json_save(struct store *st, struct err *err);

/* Finishes or throws away what a killed save left in cache_dir (see above); 0 when nothing was
 * left. Called by store_json_open and store_json_save. */
int store_json_recover(const char *cache_dir, struct err *err);

/* True when the JSON files of a JSON-backend handle were saved by another handle since it was
 * loaded (reopen to see them); false for SQLite handles. */
bool store_json_stale(const struct store *st);

/*
 * What the CLI, the server and the indexer call to open a cache directory:
 *   - the JSON backend with STORE_OPEN_JSON or store_json_wanted();
 *   - else store_open_or_migrate, and when that fails because the cache cannot be used — a
 *     database that cannot be opened or repaired (ERR_CORRUPT, ERR_DB, ERR_IO), or, for a
 *     read-only open, a directory that is not writable (ERR_READONLY) — the JSON backend, with a
 *     warning on stderr (the log) and store_fallback_reason set. A read-only fallback needs the
 *     JSON files (else the first error is returned). STORE_OPEN_NO_FALLBACK disables it.
 * Errors: store_open_or_migrate's, or store_json_open's.
 */
int store_open_cache(struct store **out, const char *cache_dir, unsigned flags, struct err *err);

/* "sqlite" or "json". */
const char *store_backend(const struct store *st);
/* Why a SQLite cache was not used (a fallback), or NULL. Borrowed. */
const char *store_fallback_reason(const struct store *st);

/*
 * The I/O-error trigger of the plan's risk mitigation. Every transaction a handle starts (a
 * query's read, a write) is one operation in a window of the last STORE_HEALTH_WINDOW; one that
 * fails with ERR_IO, ERR_FULL or ERR_DB counts as failed. store_health_record adds an operation
 * with result rc (the store does it itself; tests inject failures through it, or, end to end,
 * with CIDX_TEST_IO_ERRORS set, which counts every operation of a SQLite handle as failed);
 * store_health_tripped: more than 5% of the operations of a full window failed.
 */
#define STORE_HEALTH_WINDOW 200
void store_health_record(struct store *st, int rc);
bool store_health_tripped(const struct store *st);
/* Failed operations in the current window. */
unsigned store_health_failures(const struct store *st);

/*
 * The server's switch when store_health_tripped: writes the cache of *st (a SQLite handle) as
 * JSON into its cache directory (a save, as above), closes it and replaces *st by a JSON-backend
 * handle loaded from that export, with store_fallback_reason saying why. On failure *st is left
 * as it was. Errors: store_legacy_export's, store_json_open's, ERR_INVALID (*st is no SQLite
 * handle).
 */
int store_json_switch(struct store **st, struct err *err);

#endif
