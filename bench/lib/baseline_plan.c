/*
 * baseline_plan.c - the plan's cache design in C (baseline_plan.h says what and why).
 *
 * The schema below is the plan's "Core Schema with Improvements" verbatim, in the plan's order.
 * Rows are the plan's 16-column symbol records, built from the synthetic batches the way the
 * Python indexer built them from libclang: one row per usr (a definition's record wins within a
 * file, the last file written wins across files), calls and base classes as JSON arrays, and
 * called_by from a whole-project pass.
 */
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <sqlite3.h>

#include "baseline_plan.h"

const char bp_plan_schema_sql[] =
    "CREATE TABLE schema_version (\n"
    "    version INTEGER PRIMARY KEY,\n"
    "    applied_at REAL NOT NULL,\n"
    "    description TEXT\n"
    ");\n"
    "INSERT INTO schema_version VALUES (1, strftime('%s', 'now'), 'Initial schema with FTS5');\n"
    "CREATE TABLE symbols (\n"
    "    usr TEXT PRIMARY KEY,\n"
    "    name TEXT NOT NULL,\n"
    "    kind TEXT NOT NULL,\n"
    "    file TEXT NOT NULL,\n"
    "    line INTEGER NOT NULL,\n"
    "    column INTEGER NOT NULL,\n"
    "    signature TEXT DEFAULT '',\n"
    "    is_project BOOLEAN NOT NULL,\n"
    "    namespace TEXT DEFAULT '',\n"
    "    access TEXT DEFAULT 'public',\n"
    "    parent_class TEXT DEFAULT '',\n"
    "    base_classes TEXT DEFAULT '[]',\n"
    "    calls TEXT DEFAULT '[]',\n"
    "    called_by TEXT DEFAULT '[]',\n"
    "    created_at REAL NOT NULL,\n"
    "    updated_at REAL NOT NULL\n"
    ");\n"
    "CREATE INDEX idx_symbol_name ON symbols(name);\n"
    "CREATE INDEX idx_symbol_kind ON symbols(kind);\n"
    "CREATE INDEX idx_symbol_file ON symbols(file);\n"
    "CREATE INDEX idx_symbol_parent ON symbols(parent_class);\n"
    "CREATE INDEX idx_symbol_namespace ON symbols(namespace);\n"
    "CREATE INDEX idx_symbol_project ON symbols(is_project);\n"
    "CREATE INDEX idx_name_kind_project ON symbols(name, kind, is_project);\n"
    "CREATE INDEX idx_symbol_updated ON symbols(updated_at);\n"
    "CREATE VIRTUAL TABLE symbols_fts USING fts5(\n"
    "    name,\n"
    "    kind,\n"
    "    usr UNINDEXED,\n"
    "    content=symbols,\n"
    "    content_rowid=rowid\n"
    ");\n"
    "CREATE TRIGGER symbols_ai AFTER INSERT ON symbols BEGIN\n"
    "    INSERT INTO symbols_fts(rowid, name, kind, usr)\n"
    "    VALUES (new.rowid, new.name, new.kind, new.usr);\n"
    "END;\n"
    "CREATE TRIGGER symbols_ad AFTER DELETE ON symbols BEGIN\n"
    "    DELETE FROM symbols_fts WHERE rowid = old.rowid;\n"
    "END;\n"
    "CREATE TRIGGER symbols_au AFTER UPDATE ON symbols BEGIN\n"
    "    UPDATE symbols_fts SET name = new.name, kind = new.kind\n"
    "    WHERE rowid = old.rowid;\n"
    "END;\n"
    "CREATE TABLE file_metadata (\n"
    "    file_path TEXT PRIMARY KEY,\n"
    "    file_hash TEXT NOT NULL,\n"
    "    compile_args_hash TEXT,\n"
    "    indexed_at REAL NOT NULL,\n"
    "    symbol_count INTEGER DEFAULT 0\n"
    ");\n"
    "CREATE INDEX idx_file_indexed ON file_metadata(indexed_at);\n"
    "CREATE TABLE cache_metadata (\n"
    "    key TEXT PRIMARY KEY,\n"
    "    value TEXT NOT NULL,\n"
    "    updated_at REAL NOT NULL\n"
    ");\n"
    "INSERT INTO cache_metadata VALUES\n"
    "    ('version', '\"3.0\"', strftime('%s', 'now')),\n"
    "    ('include_dependencies', 'false', strftime('%s', 'now')),\n"
    "    ('indexed_file_count', '0', strftime('%s', 'now')),\n"
    "    ('last_vacuum', '0', strftime('%s', 'now'));\n"
    "CREATE TABLE header_tracker (\n"
    "    header_path TEXT PRIMARY KEY,\n"
    "    processed_by TEXT NOT NULL,\n"
    "    file_hash TEXT NOT NULL,\n"
    "    compile_commands_hash TEXT,\n"
    "    processed_at REAL NOT NULL\n"
    ");\n"
    "CREATE TABLE parse_errors (\n"
    "    id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "    file_path TEXT NOT NULL,\n"
    "    error_type TEXT NOT NULL,\n"
    "    error_message TEXT NOT NULL,\n"
    "    stack_trace TEXT,\n"
    "    file_hash TEXT NOT NULL,\n"
    "    compile_args_hash TEXT,\n"
    "    retry_count INTEGER DEFAULT 0,\n"
    "    timestamp REAL NOT NULL\n"
    ");\n"
    "CREATE INDEX idx_error_file ON parse_errors(file_path);\n"
    "CREATE INDEX idx_error_timestamp ON parse_errors(timestamp);\n";

/* save_symbols_batch's statement, and the file record the plan keeps per file. */
#define SQL_INSERT                                                                                 \
    "INSERT OR REPLACE INTO symbols (usr, name, kind, file, line, column, signature, is_project,"  \
    " namespace, access, parent_class, base_classes, calls, called_by, created_at, updated_at)"    \
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define SQL_FILE_META                                                                              \
    "INSERT OR REPLACE INTO file_metadata (file_path, file_hash, compile_args_hash, indexed_at,"   \
    " symbol_count) VALUES (?, ?, ?, ?, ?)"
#define SQL_DELETE_FILE "DELETE FROM symbols WHERE file = ?"

static const char *const search_sql[STORE_MATCH_COUNT_] = {
    [STORE_MATCH_AUTO] = "SELECT s.* FROM symbols s WHERE s.usr IN (SELECT usr FROM symbols_fts"
                         " WHERE name MATCH ?1) AND s.is_project = 1 LIMIT 50",
    [STORE_MATCH_EXACT] = "SELECT * FROM symbols WHERE name = ?1 AND is_project = 1 LIMIT 50",
    [STORE_MATCH_PREFIX] = "SELECT s.* FROM symbols s WHERE s.usr IN (SELECT usr FROM symbols_fts"
                           " WHERE name MATCH ?1) AND s.is_project = 1 LIMIT 50",
    [STORE_MATCH_WORDS] = "SELECT * FROM symbols WHERE name LIKE ?1 ESCAPE '\\' AND is_project = 1"
                          " LIMIT 50",
    [STORE_MATCH_SUBSTRING] = "SELECT * FROM symbols WHERE name LIKE ?1 ESCAPE '\\' AND"
                              " is_project = 1 LIMIT 50",
    [STORE_MATCH_QUALIFIED] = "SELECT * FROM symbols WHERE name = ?1 AND is_project = 1 AND"
                              " (parent_class = ?2 OR namespace = ?2 OR namespace LIKE ?3"
                              " ESCAPE '\\') LIMIT 50",
    [STORE_MATCH_REGEX] = "SELECT * FROM symbols WHERE name REGEXP ?1 AND is_project = 1 LIMIT 50",
};

enum { BP_INSERT, BP_FILE_META, BP_DELETE_FILE, BP_BEGIN, BP_COMMIT, BP_STMT_COUNT };

struct bp_db {
    sqlite3 *db;
    sqlite3_stmt *stmt[BP_STMT_COUNT];
    sqlite3_stmt *search[STORE_MATCH_COUNT_];
};

static int db_fail(struct bp_db *db, struct err *err, const char *what)
{
    return err_set(err, ERR_DB, "baseline: %s: %s", what, sqlite3_errmsg(db->db));
}

/* ---- REGEXP: the plan's "name REGEXP ?" needs a function; PCRE2 like cidx's regex mode ---- */

static void re_free(void *p)
{
    pcre2_code_free(p);
}

static void regexp_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    pcre2_code *re = sqlite3_get_auxdata(ctx, 0);
    const char *text = (const char *)sqlite3_value_text(argv[1]);
    pcre2_match_data *md;
    int m;
    (void)argc;
    if (!re) {
        const char *pat = (const char *)sqlite3_value_text(argv[0]);
        int code;
        PCRE2_SIZE off;
        if (!pat) {
            sqlite3_result_int(ctx, 0);
            return;
        }
        re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_CASELESS | PCRE2_UTF,
                           &code, &off, NULL);
        if (!re) {
            sqlite3_result_error(ctx, "bad regex", -1);
            return;
        }
        pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
        sqlite3_set_auxdata(ctx, 0, re, re_free);
        re = sqlite3_get_auxdata(ctx, 0);
        if (!re) {
            sqlite3_result_error_nomem(ctx);
            return;
        }
    }
    if (!text) {
        sqlite3_result_int(ctx, 0);
        return;
    }
    md = pcre2_match_data_create_from_pattern(re, NULL);
    m = pcre2_match(re, (PCRE2_SPTR)text, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL);
    pcre2_match_data_free(md);
    sqlite3_result_int(ctx, m >= 0);
}

int bp_open(struct bp_db **out, const char *path, bool create, struct err *err)
{
    static const char *const sql[BP_STMT_COUNT] = {SQL_INSERT, SQL_FILE_META, SQL_DELETE_FILE,
                                                   "BEGIN", "COMMIT"};
    struct bp_db *db = xcalloc(1, sizeof(*db));
    int rc;

    *out = NULL;
    rc = sqlite3_open_v2(
        path, &db->db, create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READWRITE,
        NULL);
    if (rc != SQLITE_OK) {
        rc = err_set(err, ERR_DB, "baseline: cannot open '%s': %s", path,
                     db->db ? sqlite3_errmsg(db->db) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_busy_timeout(db->db, 30000);
    rc = sqlite3_exec(db->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL", NULL, NULL,
                      NULL);
    if (rc == SQLITE_OK && create)
        rc = sqlite3_exec(db->db, bp_plan_schema_sql, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(db->db, "regexp", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                     regexp_fn, NULL, NULL);
    for (int i = 0; rc == SQLITE_OK && i < BP_STMT_COUNT; i++)
        rc = sqlite3_prepare_v3(db->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &db->stmt[i], NULL);
    if (rc != SQLITE_OK) {
        rc = db_fail(db, err, "cannot set up the plan's schema");
        goto fail;
    }
    *out = db;
    return 0;
fail:
    bp_close(db);
    return rc;
}

void bp_close(struct bp_db *db)
{
    if (!db)
        return;
    for (int i = 0; i < BP_STMT_COUNT; i++)
        sqlite3_finalize(db->stmt[i]);
    for (int i = 0; i < STORE_MATCH_COUNT_; i++)
        sqlite3_finalize(db->search[i]);
    sqlite3_close_v2(db->db);
    free(db);
}

/* ---- a string map: usr -> JSON array text ------------------------------------------------- */

struct smap_slot {
    char *key;
    uint64_t hash;
    uint64_t num;
    struct strbuf val;
};

struct smap {
    struct smap_slot *slots;
    size_t cap, n;
};

static struct smap_slot *smap_find(const struct smap *m, const char *key, uint64_t h)
{
    size_t mask = m->cap - 1, i = h & mask;
    while (m->slots[i].key) {
        if (m->slots[i].hash == h && !strcmp(m->slots[i].key, key))
            return &m->slots[i];
        i = (i + 1) & mask;
    }
    return &m->slots[i];
}

static const struct smap_slot *smap_get(const struct smap *m, const char *key)
{
    const struct smap_slot *s;
    if (!m->n)
        return NULL;
    s = smap_find(m, key, hash_bytes64(key, strlen(key)));
    return s->key ? s : NULL;
}

/* The slot for key, added (with an empty value) when missing. copy: duplicate the key. */
static struct smap_slot *smap_put(struct smap *m, const char *key, bool copy)
{
    uint64_t h = hash_bytes64(key, strlen(key));
    struct smap_slot *s;
    if ((m->n + 1) * 2 > m->cap) {
        struct smap old = *m;
        m->cap = m->cap ? m->cap * 2 : 64;
        m->slots = xcalloc(m->cap, sizeof(*m->slots));
        for (size_t i = 0; i < old.cap; i++)
            if (old.slots[i].key)
                *smap_find(m, old.slots[i].key, old.slots[i].hash) = old.slots[i];
        free(old.slots);
    }
    s = smap_find(m, key, h);
    if (!s->key) {
        s->key = copy ? xstrdup(key) : (char *)(uintptr_t)key;
        s->hash = h;
        strbuf_init(&s->val, 0);
        m->n++;
    }
    return s;
}

static void smap_clear(struct smap *m, bool owned_keys)
{
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].key)
            continue;
        if (owned_keys)
            free(m->slots[i].key);
        strbuf_release(&m->slots[i].val);
    }
    free(m->slots);
    memset(m, 0, sizeof(*m));
}

/* Appends a JSON string to a JSON array under construction ("[" ... without the "]"). */
static void json_list_add(struct strbuf *sb, const char *s, bool unique)
{
    if (unique && sb->len) {
        struct strbuf q = STRBUF_INIT;
        bool dup;
        strbuf_add_json_str(&q, s);
        dup = strstr(sb->buf, q.buf) != NULL;
        strbuf_release(&q);
        if (dup)
            return;
    }
    strbuf_addch(sb, sb->len ? ',' : '[');
    strbuf_add_json_str(sb, s);
}

/* The winner map marks a definition by a one-byte value. */
static void winner_mark(struct strbuf *sb, bool def)
{
    strbuf_reset(sb);
    if (def)
        strbuf_addch(sb, 'd');
}

struct bp_project {
    struct smap called_by; /* usr -> JSON array of callers (without the closing bracket) */
    struct smap winner;    /* usr -> file index << 24 | record index of the winning record */
};

#define WIN(file, rec) ((uint64_t)(file) << 24 | (uint64_t)(rec))

struct bp_project *bp_project_build(const struct synth_opts *o)
{
    struct bp_project *pr = xcalloc(1, sizeof(*pr));
    uint64_t n = synth_file_count(o);
    for (uint64_t i = 0; i < n; i++) {
        struct synth_file f;
        synth_file_build(&f, o, i, 0);
        for (size_t k = 0; k < f.batch.nrefs; k++) {
            const struct store_ref *r = &f.batch.refs[k];
            if ((r->roles & STORE_ROLE_CALL) && r->context_usr)
                json_list_add(&smap_put(&pr->called_by, r->usr, true)->val, r->context_usr, true);
        }
        for (size_t k = 0; k < f.batch.nsymbols; k++) {
            const struct store_symbol *sym = &f.batch.symbols[k];
            size_t before = pr->winner.n;
            struct smap_slot *w = smap_put(&pr->winner, sym->usr, true);
            if (pr->winner.n > before || (sym->is_definition && !w->val.len)) {
                w->num = WIN(i, k);
                winner_mark(&w->val, sym->is_definition);
            }
        }
        synth_file_release(&f);
    }
    return pr;
}

void bp_project_free(struct bp_project *pr)
{
    if (!pr)
        return;
    smap_clear(&pr->called_by, true);
    smap_clear(&pr->winner, true);
    free(pr);
}

/* ---- writing ------------------------------------------------------------------------------ */

static const char *access_text(enum store_access a)
{
    return a == STORE_ACCESS_PROTECTED ? "protected"
           : a == STORE_ACCESS_PRIVATE ? "private"
                                       : "public";
}

static const char *last_component(const char *q)
{
    const char *last = q;
    for (const char *p = q; (p = strstr(p, "::")) != NULL; p += 2)
        last = p + 2;
    return last;
}

static int step_reset(struct bp_db *db, sqlite3_stmt *s, struct err *err, const char *what)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db_fail(db, err, what);
    return 0;
}

/* Writes one file's rows (inside the caller's transaction). */
static int write_file(struct bp_db *db, const struct synth_file *f, const struct bp_project *pr,
                      bool merged, uint64_t *rows, struct err *err)
{
    const struct store_file_batch *b = &f->batch;
    struct smap calls = {0}, bases = {0}, byusr = {0};
    double now = time_now();
    sqlite3_stmt *s = db->stmt[BP_INSERT];
    size_t written = 0;
    int rc = 0;

    /* a definition's record wins within the file */
    for (size_t i = 0; i < b->nsymbols; i++) {
        struct smap_slot *slot = smap_put(&byusr, b->symbols[i].usr, false);
        if (!slot->val.len || b->symbols[i].is_definition) {
            strbuf_reset(&slot->val);
            strbuf_addf(&slot->val, "%zu", i);
        }
    }
    for (size_t i = 0; i < b->nrefs; i++)
        if ((b->refs[i].roles & STORE_ROLE_CALL) && b->refs[i].context_usr)
            json_list_add(&smap_put(&calls, b->refs[i].context_usr, false)->val, b->refs[i].usr,
                          true);
    for (size_t i = 0; i < b->nbases; i++)
        json_list_add(&smap_put(&bases, b->bases[i].derived_usr, false)->val, b->bases[i].base_name,
                      false);

    for (size_t i = 0; i < b->nsymbols && !rc; i++) {
        const struct store_symbol *sym = &b->symbols[i];
        const struct smap_slot *own = smap_get(&byusr, sym->usr), *c, *bs, *cl;
        struct strbuf cj = STRBUF_INIT, bj = STRBUF_INIT, clj = STRBUF_INIT;
        bool member = sym->scope_kind == STORE_KIND_CLASS || sym->scope_kind == STORE_KIND_STRUCT ||
                      sym->scope_kind == STORE_KIND_UNION;
        uint64_t at;
        if (str_to_u64(&at, own->val.buf, SIZE_MAX) != 0 || at != i)
            continue; /* another record of this usr in this file wins */
        if (merged) {
            const struct smap_slot *w = smap_get(&pr->winner, sym->usr);
            if (w && w->num != WIN(f->index, i))
                continue; /* the project-wide merge picked another file's record */
        }
        c = smap_get(&calls, sym->usr);
        bs = smap_get(&bases, sym->usr);
        cl = pr ? smap_get(&pr->called_by, sym->usr) : NULL;
        strbuf_addf(&cj, "%s]", c ? c->val.buf : "[");
        strbuf_addf(&bj, "%s]", bs ? bs->val.buf : "[");
        strbuf_addf(&clj, "%s]", cl ? cl->val.buf : "[");
        sqlite3_bind_text(s, 1, sym->usr, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, sym->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, store_kind_name(sym->kind), -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 4, b->path, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 5, sym->range.line);
        sqlite3_bind_int64(s, 6, sym->range.col);
        sqlite3_bind_text(s, 7, sym->signature ? sym->signature : "", -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 8, b->is_project);
        sqlite3_bind_text(s, 9,
                          sym->scope_ns ? sym->scope_ns
                          : sym->scope  ? sym->scope
                                        : "",
                          -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 10, access_text(sym->access), -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 11, member && sym->scope ? last_component(sym->scope) : "", -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(s, 12, bj.buf, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 13, cj.buf, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 14, clj.buf, -1, SQLITE_STATIC);
        sqlite3_bind_double(s, 15, now);
        sqlite3_bind_double(s, 16, now);
        rc = step_reset(db, s, err, "cannot save a symbol");
        strbuf_release(&cj);
        strbuf_release(&bj);
        strbuf_release(&clj);
        written++;
    }
    if (!rc) {
        sqlite3_stmt *m = db->stmt[BP_FILE_META];
        sqlite3_bind_text(m, 1, b->path, -1, SQLITE_STATIC);
        sqlite3_bind_text(m, 2, b->hash ? b->hash : "", -1, SQLITE_STATIC);
        if (b->args_hash)
            sqlite3_bind_text(m, 3, b->args_hash, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(m, 3);
        sqlite3_bind_double(m, 4, now);
        sqlite3_bind_int64(m, 5, (int64_t)written);
        rc = step_reset(db, m, err, "cannot save the file record");
    }
    smap_clear(&calls, false);
    smap_clear(&bases, false);
    smap_clear(&byusr, false);
    if (rows)
        *rows += written;
    return rc;
}

static int txn(struct bp_db *db, int which, struct err *err)
{
    return step_reset(db, db->stmt[which], err,
                      which == BP_BEGIN ? "cannot begin" : "cannot commit");
}

int bp_load(struct bp_db *db, const struct synth_opts *o, const struct bp_project *pr,
            bool per_file, double *write_s, uint64_t *rows, struct err *err)
{
    uint64_t n = synth_file_count(o), tw = 0, t = time_mono_ns();
    int rc = 0;

    *rows = 0;
    if (!per_file)
        rc = txn(db, BP_BEGIN, err);
    tw += time_mono_ns() - t;
    for (uint64_t i = 0; i < n && !rc; i++) {
        struct synth_file f;
        synth_file_build(&f, o, i, 0);
        t = time_mono_ns();
        if (per_file)
            rc = txn(db, BP_BEGIN, err);
        if (!rc)
            rc = write_file(db, &f, pr, !per_file, rows, err);
        if (!rc && per_file)
            rc = txn(db, BP_COMMIT, err);
        tw += time_mono_ns() - t;
        synth_file_release(&f);
    }
    t = time_mono_ns();
    if (!rc && !per_file)
        rc = txn(db, BP_COMMIT, err);
    tw += time_mono_ns() - t;
    if (rc && !sqlite3_get_autocommit(db->db))
        sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
    *write_s = (double)tw / 1e9;
    return rc;
}

int bp_analyze(struct bp_db *db, struct err *err)
{
    if (sqlite3_exec(db->db, "ANALYZE", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(db, err, "cannot analyze");
    return 0;
}

int bp_file_replace(struct bp_db *db, const struct synth_file *f, const struct bp_project *pr,
                    struct err *err)
{
    int rc = txn(db, BP_BEGIN, err);
    if (!rc) {
        sqlite3_bind_text(db->stmt[BP_DELETE_FILE], 1, f->batch.path, -1, SQLITE_STATIC);
        rc = step_reset(db, db->stmt[BP_DELETE_FILE], err, "cannot delete the file's symbols");
    }
    if (!rc)
        rc = write_file(db, f, pr, false, NULL, err);
    if (!rc)
        rc = txn(db, BP_COMMIT, err);
    if (rc && !sqlite3_get_autocommit(db->db))
        sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* ---- searching ---------------------------------------------------------------------------- */

const char *bp_search_sql(enum store_match mode)
{
    return (unsigned)mode < STORE_MATCH_COUNT_ ? search_sql[mode] : "";
}

static void like_escaped(struct strbuf *sb, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' || s[i] == '_' || s[i] == '\\')
            strbuf_addch(sb, '\\');
        strbuf_addch(sb, s[i]);
    }
}

/* "push back", "pushB" -> %push%b%: the plan has no sub-word search; LIKE is its nearest. */
static void words_like(struct strbuf *sb, const char *p)
{
    strbuf_addch(sb, '%');
    for (size_t i = 0; p[i]; i++) {
        char ch = p[i];
        bool alnum =
            (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        if (!alnum) {
            if (sb->buf[sb->len - 1] != '%')
                strbuf_addch(sb, '%');
            continue;
        }
        if (i > 0 && ch >= 'A' && ch <= 'Z' && p[i - 1] >= 'a' && p[i - 1] <= 'z' &&
            sb->buf[sb->len - 1] != '%')
            strbuf_addch(sb, '%');
        strbuf_addch(sb, ch);
    }
    if (sb->buf[sb->len - 1] != '%')
        strbuf_addch(sb, '%');
}

static void fts_phrase(struct strbuf *sb, const char *p, bool prefix)
{
    strbuf_addch(sb, '"');
    for (; *p; p++) {
        if (*p == '"')
            strbuf_addch(sb, '"');
        strbuf_addch(sb, *p);
    }
    strbuf_addch(sb, '"');
    if (prefix)
        strbuf_addch(sb, '*');
}

int bp_search(struct bp_db *db, enum store_match mode, const char *pattern, size_t *nrows,
              struct err *err)
{
    struct strbuf a1 = STRBUF_INIT, a2 = STRBUF_INIT, a3 = STRBUF_INIT;
    sqlite3_stmt *s;
    int rc;

    *nrows = 0;
    if ((unsigned)mode >= STORE_MATCH_COUNT_)
        return err_set(err, ERR_INVALID, "baseline: unknown mode %d", (int)mode);
    if (!db->search[mode] &&
        sqlite3_prepare_v3(db->db, search_sql[mode], -1, SQLITE_PREPARE_PERSISTENT,
                           &db->search[mode], NULL) != SQLITE_OK)
        return db_fail(db, err, "cannot prepare a search");
    s = db->search[mode];
    switch (mode) {
    case STORE_MATCH_EXACT:
    case STORE_MATCH_REGEX:
        strbuf_adds(&a1, pattern);
        break;
    case STORE_MATCH_PREFIX:
    case STORE_MATCH_AUTO:
        fts_phrase(&a1, pattern, mode == STORE_MATCH_PREFIX);
        break;
    case STORE_MATCH_WORDS:
        words_like(&a1, pattern);
        break;
    case STORE_MATCH_SUBSTRING:
        strbuf_addch(&a1, '%');
        like_escaped(&a1, pattern, strlen(pattern));
        strbuf_addch(&a1, '%');
        break;
    case STORE_MATCH_QUALIFIED: {
        const char *name = last_component(pattern), *q = pattern;
        size_t qlen = name > pattern + 2 ? (size_t)(name - 2 - pattern) : 0;
        for (const char *p = pattern; p < pattern + qlen; p++)
            if (p[0] == ':' && p[1] == ':')
                q = p + 2;
        strbuf_adds(&a1, name);
        strbuf_add(&a2, q, (size_t)(pattern + qlen - q));
        strbuf_adds(&a3, "%::");
        like_escaped(&a3, q, (size_t)(pattern + qlen - q));
        break;
    }
    default:
        break;
    }
    sqlite3_bind_text(s, 1, a1.buf, (int)a1.len, SQLITE_TRANSIENT);
    if (mode == STORE_MATCH_QUALIFIED) {
        sqlite3_bind_text(s, 2, a2.buf, (int)a2.len, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, a3.buf, (int)a3.len, SQLITE_TRANSIENT);
    }
    strbuf_release(&a1);
    strbuf_release(&a2);
    strbuf_release(&a3);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        /* the Python code built a SymbolInfo from every column of every row */
        int ncol = sqlite3_column_count(s);
        for (int i = 0; i < ncol; i++)
            (void)sqlite3_column_text(s, i);
        (*nrows)++;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return db_fail(db, err, "search failed");
    return 0;
}
