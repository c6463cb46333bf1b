/*
 * store_int.h - private to the store module: the handle, the statement table and the helpers
 * the store_*.c files share. Nothing outside src/store includes this.
 */
#ifndef CIDX_STORE_INT_H
#define CIDX_STORE_INT_H

#include <jansson.h>
#include <sqlite3.h>

#include "store.h"

/* All SQL the store runs more than once: prepared on first use, reused, finalized at close. */
enum store_stmt {
    STMT_BEGIN_IMMEDIATE,
    STMT_BEGIN_READ,
    STMT_COMMIT,
    STMT_META_GET,
    STMT_META_SET,
    STMT_FILE_ID,
    STMT_FILE_INSERT,
    STMT_FILE_UPDATE,
    STMT_FILE_GET,
    STMT_FILE_DELETE,
    STMT_FILE_SYMCOUNT,
    STMT_FILE_SET_SYMCOUNT,
    STMT_SCOPE_ID,
    STMT_SCOPE_INSERT,
    STMT_SYM_BY_KEY,
    STMT_SYM_USR,
    STMT_SYM_INSERT,
    STMT_SYM_ROW,
    STMT_LOAD_FILE,
    STMT_SYM_ROWS,
    STMT_SYM_UPDATE_PROPS,
    STMT_SYM_UPDATE_DOCS,
    STMT_SYM_HAS_DEF,
    STMT_SYM_BEST_DECL,
    STMT_SYM_SET_LOCATION,
    STMT_SYM_CLEAR_LOCATION,
    STMT_SYM_IS_REFERENCED,
    STMT_SYM_DELETE,
    STMT_DECL_INSERT,
    STMT_REF_INSERT,
    STMT_REF_INSERT_MANY,
    STMT_DECL_INSERT_MANY,
    STMT_REF_INSERT_FEW,
    STMT_DECL_INSERT_FEW,
    STMT_BASE_INSERT,
    STMT_OVERRIDE_INSERT,
    STMT_INCLUDE_INSERT,
    STMT_TOUCH_FROM_FILE,
    STMT_TOUCH_ADD,
    STMT_TOUCH_LIST,
    STMT_TOUCH_CLEAR,
    STMT_DEL_DECLS,
    STMT_DEL_REFS,
    STMT_DEL_BASES,
    STMT_DEL_OVERRIDES,
    STMT_DEL_INCLUDES,
    STMT_DEL_HEADER_TRACK,
    STMT_FILE_HAS_DEPENDENTS,
    STMT_PERR_INSERT,
    STMT_PERR_CLEAR,
    STMT_HEADER_CLAIM,
    STMT_SEARCH_EXACT_COUNT,
    STMT_SEARCH_EXACT_PAGE,
    STMT_SEARCH_PREFIX_COUNT,
    STMT_SEARCH_PREFIX_PAGE,
    STMT_SEARCH_FTS,
    STMT_SEARCH_ALL_NAMES,
    STMT_SEARCH_QUALIFIED,
    STMT_SEARCH_ROW,
    STMT_SEARCH_DECLS,
    STMT_QSTAT_GET,
    STMT_QSTAT_MERGE,
    STMT_FILE_EACH,
    STMT_FILE_TOUCH,
    STMT_FILE_INCLUDERS,
    STMT_ORPHAN_HEADERS,
    STMT_DUMP_FILES,
    STMT_DUMP_SYMBOLS,
    STMT_DUMP_DECLS,
    STMT_DUMP_REFS,
    STMT_DUMP_BASES,
    STMT_DUMP_OVERRIDES,
    STMT_DUMP_INCLUDES,
    STMT_DUMP_HEADERS,
    STMT_DUMP_ERRORS,
    STMT_Q_SYM_BY_NAME,
    STMT_Q_SYM_PLACEHOLDER,
    STMT_Q_SYMBOLS,
    STMT_Q_DECLS,
    STMT_Q_CHILDREN,
    STMT_Q_OVERLOADS,
    STMT_Q_OVERRIDES,
    STMT_Q_OVERRIDDEN_BY,
    STMT_Q_BASES,
    STMT_Q_DERIVED,
    STMT_Q_FILE_BY_PATH,
    STMT_Q_FILE_BY_SUFFIX,
    STMT_Q_FILE_DECLS,
    STMT_Q_FILE_INCLUDES,
    STMT_Q_CALLERS,
    STMT_Q_CALLEES,
    STMT_Q_CALLER_EDGES,
    STMT_Q_FILE_PATH,
    STMT_Q_REFS_COUNT,
    STMT_Q_REFS_PAGE,
    STMT_LEGACY_SYMBOLS,
    STMT_LEGACY_BASES,
    STMT_LEGACY_CALLS,
    STMT_LEGACY_USR,
    STMT_LEGACY_FILES,
    STMT_LEGACY_HEADERS,
    STMT_LEGACY_ERRORS,
    STMT_COUNT_
};

/* Rows per multi-row INSERT of references and declarations (fewer statement steps): MANY,
   then FEW for what is left, then one at a time. */
#define STORE_INSERT_MANY 32
#define STORE_INSERT_FEW 4

/* A log-scale latency histogram: mergeable across processes, gives p95 without samples. */
#define QSTAT_BUCKETS 64
struct qstat {
    uint64_t count;
    uint64_t total_ns;
    uint64_t max_ns;
    uint32_t hist[QSTAT_BUCKETS];
};

/* Longest project root store_query_set_root keeps, NUL included. */
#define STORE_QROOT_MAX 4096

struct store {
    sqlite3 *db;
    char *dir;
    char *path;
    sqlite3_stmt *stmt[STMT_COUNT_];
    unsigned flags;
    enum fs_kind fs_kind;
    bool wal;
    bool readonly;
    bool opened;               /* store_open succeeded */
    bool in_bulk;              /* between store_bulk_begin and store_bulk_end */
    bool bulk_txn_open;        /* a bulk group transaction is open */
    unsigned bulk_files;       /* files written in the open bulk group */
    unsigned bulk_group_files; /* files per bulk group (store_bulk_set_group); 0 = default */
    int bulk_lost;             /* a failure took back a bulk group's written files: its code */
    int session_fd;            /* flock'ed session marker (clean-shutdown detection), -1 if none */
    int bulk_fd;               /* flock'ed while this handle runs a bulk load */
    struct bulk_cache *bulk_cache; /* bulk mode: usr -> id of the symbols this load knows */
    struct fts_side *fts_side;     /* bulk mode: the search index built aside (store_fts_side.c) */
    bool fts_side_used;            /* the last bulk load installed the index built aside */
    unsigned busy_limit_ms;
    uint64_t busy_started_ns;
    struct qstat qstats[STORE_Q_COUNT_];
    char qroot[STORE_QROOT_MAX]; /* store_query_set_root; "" = cache_metadata project_root */
    struct store_json *json;     /* the JSON backend's state (store_json.c); NULL for SQLite */
    char *fallback_reason;       /* store_open_cache fell back to the JSON backend: why */
    uint8_t health[STORE_HEALTH_WINDOW]; /* store_health_record: 1 = failed */
    unsigned health_n, health_at, health_bad;
};

/* store_close's hook for the JSON backend (store_json.c): saves a changed handle (before the
 * statistics are flushed), and after the database is closed removes the private directory. */
void store_json_close_begin(struct store *st);
void store_json_close_end(struct store *st);
/* The I/O-error window: an operation that store_health_record counted failed with code; marks it
 * failed when code is ERR_IO, ERR_FULL or ERR_DB (store_db_err calls it). */
void store_health_fail(struct store *st, int code);
/* store_legacy_migrate for the JSON backend (store_legacy_in.c): reads, checks, imports and
 * verifies legacy_dir into cache_dir (a new private directory) without the backup copy and the
 * marker, and whether or not the marker is there; the JSON is only read. */
int store_legacy_load(const char *legacy_dir, const char *cache_dir,
                      struct store_legacy_report *rep, struct err *err);

/* Prepares (once) and returns statement id, reset and with bindings cleared. */
sqlite3_stmt *store_stmt(struct store *st, enum store_stmt id);
/* Maps a SQLite result code to our errors with a message naming what was being done. */
int store_db_err(struct store *st, struct err *err, int rc, const char *what);
/* Runs SQL text with no results (schema scripts, pragmas). */
int store_exec(struct store *st, const char *sql, struct err *err, const char *what);
/* Runs a single-row integer query; *out unchanged when no row. */
int store_query_int(struct store *st, const char *sql, int64_t *out, struct err *err);

int store_txn_begin(struct store *st, struct err *err);
/*
 * A read transaction around a query's statements: one snapshot for all of them (a total and its
 * page agree) and one WAL read lock instead of one per statement. *owned says whether this call
 * opened it (false inside a writer's transaction); pass it to store_read_end.
 */
int store_read_begin(struct store *st, bool *owned, struct err *err);
void store_read_end(struct store *st, bool owned);
int store_txn_commit(struct store *st, struct err *err);
void store_txn_rollback(struct store *st);

/* Binds a string or NULL. */
void store_bind_text(sqlite3_stmt *s, int idx, const char *v);

/* The SQL text of each statement, and the schema script of each version (store_sql.c). */
extern const char *const store_stmt_sql[STMT_COUNT_];
extern const char store_schema_v1_sql[];
extern const char store_secondary_indexes_sql[];
extern const char store_refs_callee_index_sql[];
extern const char store_drop_secondary_indexes_sql[];
extern const char store_usr_index_sql[];
extern const char store_drop_usr_index_sql[];
extern const char store_fts_triggers_sql[];
extern const char store_drop_fts_triggers_sql[];

/* Schema: creates or migrates (store_schema.c). */
int store_schema_ensure(struct store *st, struct err *err);
/* The version recorded in the database (0 for a pre-versioning cache, -1 for an empty file). */
int store_schema_version(struct store *st, int *out, struct err *err);

/* FTS5 tokenizer and SQL functions (store_fts.c). Called on every new connection. */
int store_fts_register(sqlite3 *db, struct err *err);
/* Process-wide SQLite settings, once, before the first connection (store_open.c). */
void store_sqlite_setup(void);
/* How many usrs a bulk load's cache learns at most (tests: to reach the limit cheaply). */
void store_bulk_cache_limit(struct store *st, size_t usrs);
/* Files per bulk group commit (0: the default, 1024; tests: small groups). */
void store_bulk_set_group(struct store *st, unsigned files);

/* The arguments of symbols_fts (schema v1 keeps them with the same line break). */
#define STORE_FTS_ARGS                                                                             \
    "name, content='symbols_fts_content', content_rowid='id', tokenize='cidx',\n"                  \
    "  detail='none', columnsize=0"
#define STORE_FTS_CREATE "CREATE VIRTUAL TABLE symbols_fts USING fts5(\n  " STORE_FTS_ARGS ")"

/*
 * The search index of a bulk load into an empty cache, built on a second thread from the changes
 * the FTS triggers would make (store_fts_side.c). fts_side_start (in store_bulk_begin) is false
 * when it cannot run; fts_side_invalidate says the events no longer match the rows (a rollback);
 * fts_side_install (in bulk_finish_locked's transaction) puts the index in place and sets
 * *installed, or leaves it to the caller's rebuild; fts_side_stop discards it.
 */
struct fts_side;
bool fts_side_start(struct store *st);
void fts_side_invalidate(struct store *st);
int fts_side_install(struct store *st, bool *installed, struct err *err);
void fts_side_stop(struct store *st);

/* Calls fn with every term the tokenizer indexes for a name (duplicates included). */
void store_fts_tokens(const char *text, int len, void (*fn)(const char *tok, int n, void *payload),
                      void *payload);
/* Compares the search index's per-term document counts with the symbols (store_maint.c):
 * the number of terms that disagree, or a negative error code. */
int64_t store_fts_drift(struct store *st, struct err *err);

/*
 * Signatures are stored with the symbol's qualified name replaced by STORE_SIG_SELF (most
 * prototypes spell it: "void ui::Widget::draw(int) const"), and expanded when read.
 * store_sig_pack returns a malloc'ed packed copy, or NULL when sig is NULL or empty;
 * store_sig_unpack copies into the arena.
 */
#define STORE_SIG_SELF '\x1d'
char *store_sig_pack(const char *sig, const char *scope, const char *name);
char *store_sig_unpack(struct arena *a, const char *packed, const char *qualified_name);

/* Name matching shared by search and the FTS tokenizer (store_match.c). */
struct store_words {
    size_t n;
    const char *start[64];
    size_t len[64];
};
/* Splits an identifier (or a pattern) into sub-words: camelCase, snake_case, digits. */
void store_split_words(const char *s, size_t len, struct store_words *out);
bool store_match_exact(const char *name, const char *pat, size_t plen, bool cs);
bool store_match_prefix(const char *name, const char *pat, size_t plen, bool cs);
bool store_match_words(const char *name, const struct store_words *pw, bool cs);
bool store_match_substring(const char *name, const char *pat, size_t plen, bool cs);
/* Length in bytes of the UTF-8 character starting at p (1 for stray bytes). */
size_t store_utf8_len(const unsigned char *p, size_t avail);

/* Query statistics (store_qstats.c). */
void store_qstat_record(struct store *st, enum store_query_kind k, uint64_t elapsed_ns);

/* The id of path's files row; with create, a never-indexed placeholder row when absent
 * (*id stays 0 when absent and !create). Inside the caller's transaction. */
int store_file_ensure(struct store *st, const char *path, bool create, int64_t *id,
                      struct err *err);
/* Writes one batch inside the caller's transaction (store_write.c). */
int store_write_batch_locked(struct store *st, const struct store_file_batch *b, struct err *err);

/* Frees the bulk load's usr cache (store_close, whatever state the load is in). */
void store_bulk_forget(struct store *st);
/* Bulk mode support (store_write.c): finishes a bulk load that a dead process left behind. */
int store_bulk_recover(struct store *st, struct err *err);

/* Backups (store_backup.c). */
int store_backup_make(struct store *st, const char *reason, char **out_path, struct err *err);
/* Moves a damaged database (and its -wal/-shm) aside; *out_path is the caller's. */
int store_move_aside(const char *db_path, const char *reason, char **out_path, struct err *err);

/* ---- code queries (store_query*.c) ------------------------------------------------------- */

/* One symbols row; strings live in the query's arena. */
struct qsym {
    int64_t id; /* 0: not found */
    int64_t scope_id;
    const char *usr, *name, *qname, *signature, *ns, *parent, *file;
    const char *brief, *doc, *tparams, *target;
    enum store_kind kind, parent_kind;
    enum store_access access;
    enum store_template template_kind;
    unsigned attrs;
    uint32_t line, col;
    bool is_project, loc_is_def;
};

/* One query's state: the handle, the read transaction, the root and an arena. */
struct qctx {
    struct store *st;
    struct err *err;
    struct arena mem;
    char *root; /* "" when paths stay absolute */
    size_t root_len;
    bool reading;
    uint64_t t0;
};

/* Opens the read transaction and finds the root. store_q_end always runs after a begin. */
int store_q_begin(struct qctx *q, struct store *st, struct err *err);
void store_q_end(struct qctx *q);
/* A database error while running a query's statement. */
int store_q_dberr(struct qctx *q, int rc, const char *what);
/* One code query: fn(q, arg, res) between store_q_begin and store_q_end; *out is res, or NULL
 * on an error; the call is counted in the query statistics under k. */
int store_q_run(struct store *st, enum store_query_kind k,
                int (*fn)(struct qctx *q, const void *arg, json_t *res), const void *arg,
                json_t **out, struct err *err);

/* JSON values: a string (NULL gives null; bad UTF-8 repaired; capped at STORE_QUERY_TEXT_MAX),
 * a path made relative to the root, a location (null without a path). */
json_t *store_q_str(const char *s);
json_t *store_q_strn(const char *s, size_t len);
const char *store_q_rel(const struct qctx *q, const char *path);
json_t *store_q_path(const struct qctx *q, const char *path);
json_t *store_q_loc(const struct qctx *q, const char *path, uint32_t line, uint32_t col);
/* {usr, name, qualified_name, kind, signature, location} of a symbol. */
json_t *store_q_sym_json(const struct qctx *q, const struct qsym *s);
/* {qualified_name, kind, usr} (a reference's context). */
json_t *store_q_sym_brief(const struct qsym *s);
/* The attribute names of a STORE_ATTR mask as a JSON array. */
json_t *store_q_attrs(unsigned attrs);

/* Reads the rows of ids[0..n) into out[0..n) (id 0 where a symbol is missing). */
int store_q_symbols(struct qctx *q, const int64_t *ids, size_t n, struct qsym *out);
/* Reads one symbol row; out->id 0 when missing. */
int store_q_symbol(struct qctx *q, int64_t id, struct qsym *out);

/*
 * Resolves a target. Resolved: out is the symbol. Otherwise out->id is 0 and res (the result
 * being built) has received "ambiguous" and "candidates", or a "hint". what names the
 * argument in messages ("name", "from"...).
 */
int store_q_resolve(struct qctx *q, const struct store_target *t, const char *what,
                    struct qsym *out, json_t *res);

/* store_q_resolve, trying the kinds of prefer first when the target has no kind filter (a
 * hierarchy wants the class "Shape", not its constructors); any kind when none of those match. */
int store_q_resolve_pref(struct qctx *q, const struct store_target *t, unsigned prefer,
                         const char *what, struct qsym *out, json_t *res);

/* A map from symbol ids (never 0) to indexes, for graph walks. Zero-initialized is empty. */
struct qidmap {
    int64_t *keys;
    long *vals;
    size_t cap, n;
};
/* The value stored for id, -1 when absent. */
long store_q_idmap_get(const struct qidmap *m, int64_t id);
void store_q_idmap_put(struct qidmap *m, int64_t id, long val);
void store_q_idmap_release(struct qidmap *m);

/* The target of a typedef or alias with the typedefs and aliases the index knows followed
 * (at most 8 steps); NULL when it has none. Arena string. */
const char *store_q_canonical(struct qctx *q, const struct qsym *sym);

/* A limit argument: 0 gives the default; over the maximum is ERR_INVALID. */
int store_q_limit(struct qctx *q, uint32_t in, uint32_t *out);
/* Sets total, truncated and next_offset of a page. */
void store_q_page(json_t *res, uint64_t total, uint64_t offset, size_t n);

/*
 * A file argument: absolute, relative to the root, or a path suffix. *ids is a JSON array of
 * matching file ids (one, or several for a suffix), NULL when none; *path the single match.
 */
int store_q_file_find(struct qctx *q, const char *file, bool want_one, json_t **ids,
                      const char **path, const char **hash, json_t *res);

/* A whole source file for reading lines (at most 64 MB); ERR_IO with a message when it fails. */
int store_q_read_file(struct qctx *q, const char *path, char **buf, size_t *len);

/* ---- legacy JSON caches (store_legacy_*.c) ------------------------------------------------ */

struct legacy_map;

/*
 * One symbol record of the legacy format, as read from JSON (store_legacy_read.c) or from the
 * database (store_legacy_out.c): the 14 keys, with kind and access parsed. Strings live in the
 * owning struct legacy_cache's arena. After legacy_merge, calls and called_by are sorted,
 * unique and complete in both directions, and base classes unique in their first order.
 */
struct legacy_sym {
    const char *usr; /* a stand-in (LEGACY_NOUSR_PREFIX...) when the record had "usr": "" */
    const char *name, *file, *signature, *ns, *parent;
    const char **bases, **calls, **called_by;
    uint32_t nbases, ncalls, ncalled_by;
    uint32_t line, col;
    enum store_kind kind; /* class, struct, function or method */
    enum store_access access;
    bool is_project, no_usr;
    bool in_file_cache; /* read from a files/<md5>.json (which repeats cache_info.json) */
    const char *origin; /* the file it was read from, for messages */
};

/* The usr prefix of symbols that had none; export writes them back as "". */
#define LEGACY_NOUSR_PREFIX "cidx-legacy:nousr:"
/* The usr of a base class the legacy data names by a spelling no class record has. */
#define LEGACY_BASE_PREFIX "cidx-legacy:base:"
/* parse_errors rows that carry a per-file cache's failure state (not parse_errors.jsonl). */
#define LEGACY_STATE_FAILED "legacy_failed"
#define LEGACY_STATE_RETRIED "legacy_retried"

/* A files/<md5>.json record (without its symbols, which join the symbol list). */
struct legacy_file {
    const char *path, *hash, *args_hash, *error_message, *origin;
    double timestamp;
    int64_t retry_count;
    bool success;
};

struct legacy_perr {
    const char *path, *type, *message, *stack_trace, *file_hash, *args_hash;
    double timestamp;
    int64_t retry_count;
};

struct legacy_kv {
    const char *key, *value;
};

/*
 * A whole legacy cache in memory. Filled by legacy_parse (one file at a time, any order), then
 * legacy_merge makes it canonical: syms one per usr (first record wins; lists united), sorted by
 * usr; hashes and headers sorted by path; files sorted by path.
 */
struct legacy_cache {
    struct arena mem;
    struct arena *more; /* arenas taken over from other caches (legacy_cache_absorb) */
    size_t nmore;
    bool have_info;
    bool include_dependencies;
    const char *config_file_path, *compile_commands_path;   /* NULL for null */
    const char *config_file_mtime, *compile_commands_mtime; /* number text; NULL for null */
    int64_t indexed_file_count;
    double timestamp;
    struct legacy_sym *syms;
    size_t nsyms, asyms;
    struct legacy_kv *hashes; /* file_hashes: path -> md5 */
    size_t nhashes, ahashes;
    struct legacy_file *files;
    size_t nfiles, afiles;
    bool have_tracker;
    const char *tracker_cc_hash;
    struct legacy_kv *headers; /* processed_headers: path -> md5 */
    size_t nheaders, aheaders;
    struct legacy_perr *perrs;
    size_t nperrs, aperrs;
    uint64_t records;          /* symbol records read */
    uint64_t no_usr;           /* usr-less records read; after legacy_merge, usr-less symbols */
    struct legacy_map *qnames; /* legacy_merge: qualified name -> class record (bases) */
    struct legacy_map *byusr;  /* legacy_merge: usr -> record (legacy_find) */
};

void legacy_cache_init(struct legacy_cache *lc);
void legacy_cache_release(struct legacy_cache *lc);
/* Moves everything src read into dst (both unmerged); src is left empty. */
void legacy_cache_absorb(struct legacy_cache *dst, struct legacy_cache *src);

/* Parses one file's content into lc with the format's rules; ERR_CORRUPT / ERR_LIMIT naming
 * name (store_legacy_read.c). */
int legacy_parse(struct legacy_cache *lc, enum store_legacy_kind kind, const char *name,
                 const char *data, size_t len, struct err *err);
/* Deduplicates, completes the call edges, sorts (see struct legacy_cache). ERR_CORRUPT when the
 * records contradict each other in a way the store cannot hold (a file both project and not). */
int legacy_merge(struct legacy_cache *lc, struct err *err);
/* The usr of the class a base spelling names: the one class or struct whose qualified name is
 * the spelling, else a LEGACY_BASE_PREFIX stand-in (in lc's arena). After legacy_merge. */
const char *legacy_base_usr(struct legacy_cache *lc, const char *spelling);
/* The qualified name of a record: ns::parent::name. Arena string. */
const char *legacy_qname(struct arena *a, const struct legacy_sym *s);
/* Index of usr in lc->syms (sorted by legacy_merge), or -1. */
long legacy_find(const struct legacy_cache *lc, const char *usr);

/* Reads the cache in the legacy shape (what export writes), canonical as after legacy_merge,
 * in one read transaction (store_legacy_out.c). Metadata comes from cache_metadata. */
int legacy_db_read(struct store *st, struct legacy_cache *out, uint64_t *skipped, struct err *err);
/*
 * Compares what was read from JSON (want) with what the database gives back (got): counts,
 * every usr, every record field by field, file hashes, per-file states, headers, parse errors.
 * ERR_GENERIC with the first difference when they differ (store_legacy_in.c).
 */
int legacy_compare(const struct legacy_cache *want, const struct legacy_cache *got,
                   uint64_t *compared, struct err *err);

/* Directory work (store_legacy_fs.c); each error names the path. legacy_rmtree removes a file or
 * a whole tree (a missing one is fine); legacy_write writes a whole file without syncing it;
 * legacy_sync fsyncs a file or directory; legacy_link makes a hard link and never replaces an
 * existing name (ERR_INVALID when to exists). */
int legacy_mkdir(const char *path, struct err *err);
int legacy_rmtree(const char *path, struct err *err);
int legacy_write(const char *path, const void *data, size_t len, struct err *err);
int legacy_sync(const char *path, struct err *err);
bool legacy_dir_empty(const char *path);
int legacy_link(const char *from, const char *to, struct err *err);

/* The size limit of one legacy file: CIDX_LEGACY_MAX_MB megabytes, default 128. */
size_t legacy_max_bytes(void);

/* MD5 of data as 32 lowercase hex digits (the legacy format names files/ by it). */
void legacy_md5_hex(char out[33], const void *data, size_t len);
/* A number as the shortest text that reads back to the same double. */
void legacy_fmt_number(char out[40], double v);

#endif
