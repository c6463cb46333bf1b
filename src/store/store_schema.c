/*
 * store_schema.c - schema versions and migrations.
 *
 * Invariants:
 *   1. schema_version holds one row per applied version; the database's version is its maximum.
 *      A database with a `symbols` table and no schema_version (or with the Python plan's own
 *      schema, recognised by symbols.base_classes and no `scopes` table) is version 0.
 *   2. A database whose version is above STORE_SCHEMA_VERSION is never written (store_open
 *      refuses it before this file runs).
 *   3. Migrations run in order, each in one transaction together with its schema_version row,
 *      so a crash leaves the database at one version or the next, never between.
 *   4. Before the first migration of an existing database, an online backup is written
 *      (store_backup_make, reason "pre-migration-vN-vM") and the migration only starts when the
 *      backup succeeded.
 *
 * Transitions: empty file -> v1 (create_v1); v0 -> v1 (migrate_v0_v1: renames the old tables
 * aside, creates v1, imports their rows through the batch writer, drops the old tables).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "store_int.h"

static bool table_exists(struct store *st, const char *name)
{
    sqlite3_stmt *s = NULL;
    bool found = false;
    if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                           -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
        found = sqlite3_step(s) == SQLITE_ROW;
    }
    sqlite3_finalize(s);
    return found;
}

static bool column_exists(struct store *st, const char *table, const char *column)
{
    sqlite3_stmt *s = NULL;
    bool found = false;
    if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", -1, &s,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, column, -1, SQLITE_STATIC);
        found = sqlite3_step(s) == SQLITE_ROW;
    }
    sqlite3_finalize(s);
    return found;
}

int store_schema_version(struct store *st, int *out, struct err *err)
{
    int64_t ntables = 0, v = 0;
    int rc;

    rc = store_query_int(st, "SELECT count(*) FROM sqlite_master", &ntables, err);
    if (rc)
        return rc;
    if (ntables == 0) {
        *out = -1;
        return 0;
    }
    if (table_exists(st, "schema_version")) {
        rc = store_query_int(st, "SELECT coalesce(max(version), 0) FROM schema_version", &v, err);
        if (rc)
            return rc;
        /* The Python plan's own v1 schema is our v0: it has no scopes table. */
        if (v == 1 && !table_exists(st, "scopes") && column_exists(st, "symbols", "base_classes"))
            v = 0;
        *out = (int)v;
        return 0;
    }
    if (table_exists(st, "symbols")) {
        *out = 0;
        return 0;
    }
    return err_set(err, ERR_CORRUPT, "'%s' is an SQLite database but not a cidx cache", st->path);
}

static int create_v1_objects(struct store *st, struct err *err)
{
    int rc = store_exec(st, store_schema_v1_sql, err, "cannot create the schema");
    if (!rc)
        rc = store_exec(st, store_secondary_indexes_sql, err, "cannot create the indexes");
    if (!rc)
        rc = store_exec(st, store_fts_triggers_sql, err, "cannot create the search triggers");
    if (!rc) {
        char now[32];
        snprintf(now, sizeof(now), "%.0f", time_now());
        rc = store_meta_set(st, "version", "\"3.0\"", err);
        if (!rc)
            rc = store_meta_set(st, "include_dependencies", "false", err);
        if (!rc)
            rc = store_meta_set(st, "indexed_file_count", "0", err);
        if (!rc)
            rc = store_meta_set(st, "last_vacuum", now, err);
        if (!rc)
            rc = store_meta_set(st, "created_by", "cidx " CIDX_VERSION, err);
    }
    return rc;
}

static int create_v1(struct store *st, struct err *err)
{
    return create_v1_objects(st, err);
}

/* ---- v0 import -------------------------------------------------------------------------- */

/* Strings that must live until the batch that borrows them is written. */
struct strpool {
    char **v;
    size_t n, alloc;
};

static const char *pool_add(struct strpool *p, const char *s)
{
    if (!s)
        return NULL;
    ALLOC_GROW(p->v, p->n + 1, p->alloc);
    p->v[p->n] = xstrdup(s);
    return p->v[p->n++];
}

static void pool_clear(struct strpool *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i]);
    p->n = 0;
}

struct v0_batch {
    struct strpool pool;
    struct store_symbol *syms;
    size_t nsyms, asyms;
    struct store_ref *refs;
    size_t nrefs, arefs;
    struct store_base *bases;
    size_t nbases, abases;
    const char *file;
    bool is_project;
};

static int v0_flush(struct store *st, struct v0_batch *b, struct err *err)
{
    struct store_file_batch fb = {0};
    int rc;
    if (!b->nsyms)
        return 0;
    fb.path = b->file;
    fb.is_project = b->is_project;
    fb.symbols = b->syms;
    fb.nsymbols = b->nsyms;
    fb.refs = b->refs;
    fb.nrefs = b->nrefs;
    fb.bases = b->bases;
    fb.nbases = b->nbases;
    rc = store_write_batch_locked(st, &fb, err);
    b->nsyms = b->nrefs = b->nbases = 0;
    pool_clear(&b->pool);
    b->file = NULL;
    return rc;
}

static const char *col_text(sqlite3_stmt *s, int idx)
{
    if (idx < 0 || sqlite3_column_type(s, idx) == SQLITE_NULL)
        return NULL;
    return (const char *)sqlite3_column_text(s, idx);
}

static int find_col(sqlite3_stmt *s, const char *name)
{
    for (int i = 0; i < sqlite3_column_count(s); i++)
        if (!strcmp(sqlite3_column_name(s, i), name))
            return i;
    return -1;
}

static enum store_access parse_access(const char *a)
{
    if (!a)
        return STORE_ACCESS_NONE;
    if (!strcmp(a, "public"))
        return STORE_ACCESS_PUBLIC;
    if (!strcmp(a, "protected"))
        return STORE_ACCESS_PROTECTED;
    if (!strcmp(a, "private"))
        return STORE_ACCESS_PRIVATE;
    return STORE_ACCESS_NONE;
}

/* Resolves a base class spelling to the usr of a v0 class of that name, else a stable stand-in. */
static const char *v0_base_usr(struct store *st, struct strpool *pool, const char *spelling)
{
    sqlite3_stmt *s = NULL;
    const char *res = NULL;
    const char *last = spelling;
    for (const char *p = spelling; (p = strstr(p, "::")) != NULL; p += 2)
        last = p + 2;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT usr FROM symbols_v0 WHERE name = ?1 AND kind IN ('class',"
                           " 'struct') ORDER BY usr LIMIT 1",
                           -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, last, -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW)
            res = pool_add(pool, (const char *)sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    if (!res) {
        char *u = xasprintf("cidx:base:%s", spelling);
        res = pool_add(pool, u);
        free(u);
    }
    return res;
}

static int v0_import_symbols(struct store *st, struct err *err)
{
    static const char unknown_file[] = "(unknown file: migrated from schema v0)";
    bool has_kind = column_exists(st, "symbols_v0", "kind");
    bool has_file = column_exists(st, "symbols_v0", "file");
    struct v0_batch b = {0};
    sqlite3_stmt *s = NULL;
    int rc, c_usr, c_name, c_kind, c_file, c_line, c_col, c_sig, c_proj, c_ns, c_access, c_parent,
        c_bases, c_calls;
    size_t imported = 0;

    (void)has_kind;
    rc = sqlite3_prepare_v2(st->db,
                            has_file ? "SELECT * FROM symbols_v0 ORDER BY file, usr"
                                     : "SELECT * FROM symbols_v0 ORDER BY usr",
                            -1, &s, NULL);
    if (rc != SQLITE_OK)
        return store_db_err(st, err, rc, "cannot read the version 0 symbols");
    c_usr = find_col(s, "usr");
    c_name = find_col(s, "name");
    c_kind = find_col(s, "kind");
    c_file = find_col(s, "file");
    c_line = find_col(s, "line");
    c_col = find_col(s, "column");
    c_sig = find_col(s, "signature");
    c_proj = find_col(s, "is_project");
    c_ns = find_col(s, "namespace");
    c_access = find_col(s, "access");
    c_parent = find_col(s, "parent_class");
    c_bases = find_col(s, "base_classes");
    c_calls = find_col(s, "calls");
    if (c_usr < 0 || c_name < 0) {
        sqlite3_finalize(s);
        return err_set(err, ERR_CORRUPT, "the version 0 symbols table has no usr or name column");
    }
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *usr = col_text(s, c_usr);
        const char *name = col_text(s, c_name);
        const char *file = col_text(s, c_file);
        const char *ns = col_text(s, c_ns);
        const char *parent = col_text(s, c_parent);
        struct store_symbol *sym;
        char *scope = NULL;

        if (!usr || !*usr)
            continue; /* a row without usr cannot be addressed; the plan never wrote one */
        if (!name)
            name = "";
        if (!file || !*file)
            file = unknown_file;
        if (b.file && strcmp(b.file, file) != 0) {
            rc = v0_flush(st, &b, err);
            if (rc)
                goto out;
        }
        if (!b.file) {
            b.file = pool_add(&b.pool, file);
            b.is_project = c_proj < 0 || sqlite3_column_int(s, c_proj) != 0;
        }
        ALLOC_GROW(b.syms, b.nsyms + 1, b.asyms);
        sym = &b.syms[b.nsyms++];
        memset(sym, 0, sizeof(*sym));
        sym->usr = pool_add(&b.pool, usr);
        sym->name = pool_add(&b.pool, name);
        if (parent && *parent && ns && *ns)
            scope = xasprintf("%s::%s", ns, parent);
        else if (parent && *parent)
            scope = xstrdup(parent);
        else if (ns && *ns)
            scope = xstrdup(ns);
        sym->scope = pool_add(&b.pool, scope ? scope : "");
        sym->scope_ns = pool_add(&b.pool, ns ? ns : "");
        sym->scope_kind = parent && *parent ? STORE_KIND_CLASS : STORE_KIND_NAMESPACE;
        free(scope);
        sym->kind = c_kind >= 0 ? (enum store_kind)store_kind_parse(col_text(s, c_kind))
                                : STORE_KIND_UNKNOWN;
        sym->signature = pool_add(&b.pool, col_text(s, c_sig));
        sym->access = parse_access(col_text(s, c_access));
        sym->is_definition = true;
        sym->range.line = c_line >= 0 ? (uint32_t)sqlite3_column_int(s, c_line) : 0;
        sym->range.col = c_col >= 0 ? (uint32_t)sqlite3_column_int(s, c_col) : 0;
        sym->range.end_line = sym->range.line;
        sym->range.end_col = sym->range.col;
        /* JSON edge lists of the plan's schema become edge rows. */
        if (c_calls >= 0 && col_text(s, c_calls)) {
            json_t *arr = json_loads(col_text(s, c_calls), 0, NULL);
            size_t i;
            json_t *v;
            if (json_is_array(arr)) {
                json_array_foreach(arr, i, v)
                {
                    struct store_ref *r;
                    if (!json_is_string(v))
                        continue;
                    ALLOC_GROW(b.refs, b.nrefs + 1, b.arefs);
                    r = &b.refs[b.nrefs++];
                    memset(r, 0, sizeof(*r));
                    r->usr = pool_add(&b.pool, json_string_value(v));
                    r->context_usr = sym->usr;
                    r->line = sym->range.line;
                    r->col = sym->range.col;
                    r->roles = STORE_ROLE_CALL;
                }
            }
            json_decref(arr);
        }
        if (c_bases >= 0 && col_text(s, c_bases)) {
            json_t *arr = json_loads(col_text(s, c_bases), 0, NULL);
            size_t i;
            json_t *v;
            if (json_is_array(arr)) {
                json_array_foreach(arr, i, v)
                {
                    struct store_base *bs;
                    if (!json_is_string(v))
                        continue;
                    ALLOC_GROW(b.bases, b.nbases + 1, b.abases);
                    bs = &b.bases[b.nbases++];
                    memset(bs, 0, sizeof(*bs));
                    bs->derived_usr = sym->usr;
                    bs->base_name = pool_add(&b.pool, json_string_value(v));
                    bs->base_usr = v0_base_usr(st, &b.pool, json_string_value(v));
                    bs->access = STORE_ACCESS_PUBLIC;
                    bs->line = sym->range.line;
                    bs->col = sym->range.col;
                }
            }
            json_decref(arr);
        }
        imported++;
    }
    if (rc != SQLITE_DONE) {
        rc = store_db_err(st, err, rc, "cannot read the version 0 symbols");
        goto out;
    }
    rc = v0_flush(st, &b, err);
    if (!rc)
        log_info("imported %zu symbols from the version 0 cache", imported);
out:
    sqlite3_finalize(s);
    pool_clear(&b.pool);
    free(b.pool.v);
    free(b.syms);
    free(b.refs);
    free(b.bases);
    return rc;
}

static int v0_import_tables(struct store *st, struct err *err)
{
    int rc = 0;
    if (table_exists(st, "file_metadata_v0"))
        rc = store_exec(st,
                        "INSERT INTO files(path, hash, args_hash, indexed_at, symbol_count)"
                        " SELECT file_path, file_hash, compile_args_hash, indexed_at,"
                        " coalesce(symbol_count, 0) FROM file_metadata_v0 WHERE true"
                        " ON CONFLICT(path) DO UPDATE SET hash = excluded.hash,"
                        " args_hash = excluded.args_hash, indexed_at = excluded.indexed_at",
                        err, "cannot import file_metadata");
    if (!rc && table_exists(st, "cache_metadata_v0"))
        rc = store_exec(st,
                        "INSERT INTO cache_metadata(key, value, updated_at)"
                        " SELECT key, value, updated_at FROM cache_metadata_v0"
                        " WHERE key NOT IN ('version') ON CONFLICT(key) DO UPDATE SET"
                        " value = excluded.value, updated_at = excluded.updated_at",
                        err, "cannot import cache_metadata");
    if (!rc && table_exists(st, "header_tracker_v0"))
        rc = store_exec(st,
                        "INSERT OR IGNORE INTO files(path) SELECT header_path FROM "
                        "header_tracker_v0;"
                        "INSERT OR IGNORE INTO files(path) SELECT processed_by FROM "
                        "header_tracker_v0;"
                        "INSERT OR IGNORE INTO header_tracker(file_id, processed_by, file_hash,"
                        " compile_commands_hash, processed_at)"
                        " SELECT h.id, p.id, t.file_hash, t.compile_commands_hash, t.processed_at"
                        " FROM header_tracker_v0 t JOIN files h ON h.path = t.header_path"
                        " JOIN files p ON p.path = t.processed_by",
                        err, "cannot import header_tracker");
    if (!rc && table_exists(st, "parse_errors_v0"))
        rc = store_exec(st,
                        "INSERT OR IGNORE INTO files(path) SELECT file_path FROM parse_errors_v0;"
                        "INSERT INTO parse_errors(file_id, error_type, error_message, stack_trace,"
                        " file_hash, compile_args_hash, retry_count, timestamp)"
                        " SELECT f.id, e.error_type, e.error_message, e.stack_trace, e.file_hash,"
                        " e.compile_args_hash, e.retry_count, e.timestamp"
                        " FROM parse_errors_v0 e JOIN files f ON f.path = e.file_path",
                        err, "cannot import parse_errors");
    return rc;
}

static const char *const v0_tables[] = {"symbols",        "file_metadata", "cache_metadata",
                                        "header_tracker", "parse_errors",  "schema_version"};

static int migrate_v0_v1(struct store *st, struct err *err)
{
    int rc;
    /* The plan's FTS table and triggers go first: they name the table being renamed. */
    rc = store_exec(st,
                    "DROP TRIGGER IF EXISTS symbols_ai; DROP TRIGGER IF EXISTS symbols_ad;"
                    " DROP TRIGGER IF EXISTS symbols_au; DROP TABLE IF EXISTS symbols_fts;",
                    err, "cannot drop the version 0 search table");
    for (size_t i = 0; !rc && i < ARRAY_SIZE(v0_tables); i++) {
        if (table_exists(st, v0_tables[i])) {
            char sql[160];
            snprintf(sql, sizeof(sql), "ALTER TABLE \"%s\" RENAME TO \"%s_v0\"", v0_tables[i],
                     v0_tables[i]);
            rc = store_exec(st, sql, err, "cannot set the version 0 tables aside");
        }
    }
    if (!rc)
        rc = create_v1_objects(st, err);
    if (!rc)
        rc = v0_import_symbols(st, err);
    if (!rc)
        rc = v0_import_tables(st, err);
    for (size_t i = 0; !rc && i < ARRAY_SIZE(v0_tables); i++) {
        char name[64];
        snprintf(name, sizeof(name), "%s_v0", v0_tables[i]);
        if (table_exists(st, name)) {
            char sql[160];
            snprintf(sql, sizeof(sql), "DROP TABLE \"%s\"", name);
            rc = store_exec(st, sql, err, "cannot drop the version 0 tables");
        }
    }
    return rc;
}

struct migration {
    int version;
    const char *description;
    int (*from_empty)(struct store *, struct err *); /* creating this version from nothing */
    int (*from_prev)(struct store *, struct err *);  /* upgrading from version - 1 */
};

/* v1 -> v2: the covering index of call edges by callee (store_refs_callee_index_sql). A load
   cut short in bulk mode has its read-only indexes dropped: the end of the load makes it then. */
static int migrate_v1_v2(struct store *st, struct err *err)
{
    char *v = NULL;
    int rc = store_meta_get(st, "bulk_pending", &v, err);
    bool pending = !rc && v && !strcmp(v, "1");
    free(v);
    if (!rc && !pending)
        rc = store_exec(st, store_refs_callee_index_sql, err, "cannot build the call index");
    return rc;
}

/* The ordered history. A new version adds a row here and its function. */
static const struct migration migrations[] = {
    {1, "initial schema: symbols, files, edges, FTS5 search", create_v1, migrate_v0_v1},
    /* from_empty is never used past the first row: an empty file is made v1, then upgraded */
    {2, "refs_callee: call edges by callee, covering (call paths, callers)", migrate_v1_v2,
     migrate_v1_v2},
};

static int record_version(struct store *st, const struct migration *m, struct err *err)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db,
                                "INSERT INTO schema_version(version, applied_at, description)"
                                " VALUES (?1, ?2, ?3)",
                                -1, &s, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int(s, 1, m->version);
        sqlite3_bind_double(s, 2, time_now());
        sqlite3_bind_text(s, 3, m->description, -1, SQLITE_STATIC);
        rc = sqlite3_step(s);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_OK ? 0 : store_db_err(st, err, rc, "cannot record the schema version");
}

int store_schema_ensure(struct store *st, struct err *err)
{
    int version = -1, rc;
    bool backed_up = false, fresh;

    rc = store_schema_version(st, &version, err);
    if (rc || version == STORE_SCHEMA_VERSION)
        return rc;
    fresh = version < 0; /* a new file goes through every version: nothing to back up */
    for (size_t i = 0; i < ARRAY_SIZE(migrations); i++) {
        const struct migration *m = &migrations[i];
        if (m->version <= version)
            continue;
        if (!fresh && !backed_up && !(st->flags & STORE_OPEN_NO_BACKUP)) {
            char reason[64];
            char *path = NULL;
            snprintf(reason, sizeof(reason), "pre-migration-v%d-v%d", version,
                     STORE_SCHEMA_VERSION);
            rc = store_backup_make(st, reason, &path, err);
            if (rc)
                return err_wrap(err, "not migrating '%s' without a backup", st->path);
            log_warn("migrating cache '%s' from schema version %d to %d; backup at '%s'", st->path,
                     version, STORE_SCHEMA_VERSION, path);
            free(path);
            backed_up = true;
        }
        rc = store_txn_begin(st, err);
        if (rc)
            return rc;
        /* Another process may have migrated while we waited for the lock. */
        rc = store_schema_version(st, &version, err);
        if (rc)
            goto fail;
        if (version >= m->version) {
            store_txn_rollback(st);
            continue;
        }
        rc = version < 0 ? m->from_empty(st, err) : m->from_prev(st, err);
        if (!rc)
            rc = record_version(st, m, err);
        if (rc)
            goto fail;
        rc = store_txn_commit(st, err);
        if (rc)
            return rc;
        version = m->version;
    }
    return 0;
fail:
    store_txn_rollback(st);
    return rc;
}
