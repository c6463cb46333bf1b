/*
 * test_store_migrate.c - schema versions of the cache: a new cache gets the whole v2 schema, an
 * older cache (the bare v0 table, the Python plan's own schema) is migrated after a backup with
 * every row kept, a failed migration leaves the old database as it was, and a cache from a
 * newer cidx is refused and left byte-for-byte untouched.
 *
 * The database is inspected with plain sqlite3, from outside the store, as a user's tools would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline_plan.h"
#include "testutil.h"
#include "tu_rawdb.h"
#include "tu_symgen.h"

#define V0_ROWS 50

static char *db_path_of(const char *dir)
{
    return path_join(dir, STORE_DB_NAME);
}

/* ---- 1. schema creation --------------------------------------------------------------- */

static void test_new_cache_has_whole_schema(void **state)
{
    static const char *const tables[] = {
        "symbols",      "files",          "scopes",      "decls",          "refs",
        "bases",        "overrides",      "includes",    "cache_metadata", "header_tracker",
        "parse_errors", "schema_version", "query_stats", "symbols_fts",
    };
    char *dir = tu_tmpdir("schema");
    char *path = db_path_of(dir);
    struct store *st;
    sqlite3 *db;

    (void)state;
    st = tu_open(dir, 0);
    assert_string_equal(store_db_path(st), path);
    tu_assert_healthy(st);
    store_close(st);

    db = tu_raw_open(path);
    for (size_t i = 0; i < ARRAY_SIZE(tables); i++)
        if (!tu_raw_has_object(db, "table", tables[i]))
            fail_msg("table '%s' is missing from a new cache", tables[i]);
    assert_int_equal(tu_raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name ="
                                    " 'symbols_fts' AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%'"),
                     1);
    assert_true(tu_raw_has_object(db, "view", "file_metadata"));
    assert_true(tu_raw_has_object(db, "view", "plan_symbols"));
    /* the plan's 14 symbol fields plus created_at and updated_at */
    assert_int_equal(tu_raw_int(db, "SELECT count(*) FROM pragma_table_info('plan_symbols')"), 16);
    assert_int_equal(tu_raw_int(db, "SELECT count(*) FROM schema_version"), 2);
    assert_int_equal(tu_raw_int(db, "SELECT max(version) FROM schema_version"), 2);
    assert_true(tu_raw_has_object(db, "index", "refs_callee"));
    assert_int_equal(
        tu_raw_int(db, "SELECT count(*) FROM cache_metadata WHERE key = 'last_vacuum'"), 1);
    sqlite3_close(db);

    free(path);
    tu_rmtree(dir);
    free(dir);
}

/* ---- 7. a newer schema is refused and untouched ---------------------------------------- */

static void test_newer_schema_refused_untouched(void **state)
{
    char *dir = tu_tmpdir("newer");
    char *path = db_path_of(dir);
    char *wal = xasprintf("%s-wal", path);
    struct store_backup_info *backups = NULL;
    struct tu_snapshot snap;
    struct store *st = NULL;
    struct err e = {0};
    size_t nb = 0;
    sqlite3 *db;
    int rc;

    (void)state;
    st = tu_open(dir, 0);
    TU_OK(tu_write_file(st, "/proj/kept.cpp", "kept", 10, &e), &e);
    store_close(st);

    db = tu_raw_open(path);
    tu_raw_exec(db, "INSERT INTO schema_version(version, applied_at, description)"
                    " VALUES (3, 0, 'from the future')");
    sqlite3_close(db);
    assert_false(fs_exists(wal));
    tu_snapshot_take(&snap, path);

    st = NULL;
    rc = store_open(&st, dir, 0, &e);
    assert_int_equal(rc, ERR_VERSION);
    assert_null(st);
    if (!strstr(e.msg, "schema version 3") || !strstr(e.msg, "schema version 2"))
        fail_msg("the message should name both versions: %s", e.msg);
    assert_true(tu_snapshot_same(&snap, path));

    /* read-only opens refuse it the same way */
    err_clear(&e);
    assert_int_equal(store_open(&st, dir, STORE_OPEN_READONLY, &e), ERR_VERSION);
    assert_true(tu_snapshot_same(&snap, path));
    /* a reader may leave an empty -wal beside it, never pending changes */
    assert_true(fs_file_size(wal) <= 0);
    /* nothing was "repaired" or backed up */
    TU_OK(store_backup_list(dir, &backups, &nb, &e), &e);
    assert_int_equal(nb, 0);
    store_backup_list_free(backups, nb);

    /* the committed data was never touched: drop the future row and it is all there */
    db = tu_raw_open(path);
    tu_raw_exec(db, "DELETE FROM schema_version WHERE version = 3");
    sqlite3_close(db);
    st = tu_open(dir, 0);
    assert_int_equal(tu_search_exact_count(st, "kept_7"), 1);
    tu_assert_healthy(st);
    store_close(st);

    tu_snapshot_release(&snap);
    free(wal);
    free(path);
    tu_rmtree(dir);
    free(dir);
}

/* ---- 8. migrations ------------------------------------------------------------------------ */

/* The plan's test: a bare symbols table, no schema_version. */
static void make_v0_db(const char *path, int rows)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, "CREATE TABLE symbols(usr TEXT PRIMARY KEY, name TEXT);\n");
    for (int i = 0; i < rows; i++)
        strbuf_addf(&sb, "INSERT INTO symbols VALUES ('c:@F@oldFunc%d', 'oldFunc%d');\n", i, i);
    tu_raw_create(path, sb.buf);
    strbuf_release(&sb);
}

static const struct store_backup_info *find_backup(const struct store_backup_info *b, size_t n,
                                                   const char *reason)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(b[i].reason, reason))
            return &b[i];
    return NULL;
}

static void test_migrate_bare_v0(void **state)
{
    char *dir = tu_tmpdir("v0");
    char *path = db_path_of(dir);
    char *prefix = xasprintf("%s.bak.pre-migration-v0-v2.", path);
    struct store_backup_info *backups = NULL;
    const struct store_backup_info *bk;
    struct store *st;
    struct err e = {0};
    const char *logs;
    size_t nb = 0;
    sqlite3 *db;

    (void)state;
    make_v0_db(path, V0_ROWS);

    tu_log_capture_begin();
    st = tu_open(dir, 0);
    logs = tu_log_capture_end();
    if (!strstr(logs, "migrating") || !strstr(logs, "backup"))
        fail_msg("the migration should be announced with its backup: %s", logs);

    /* every row is still there and searchable by name */
    for (int i = 0; i < V0_ROWS; i++) {
        char name[32];
        snprintf(name, sizeof(name), "oldFunc%d", i);
        if (tu_search_exact_count(st, name) != 1)
            fail_msg("'%s' is not found after the migration", name);
    }
    tu_assert_healthy(st);
    store_close(st);

    db = tu_raw_open(path);
    assert_int_equal(tu_raw_int(db, "SELECT max(version) FROM schema_version"), 2);
    assert_int_equal(tu_raw_int(db, "SELECT count(*) FROM symbols WHERE file_id IS NOT NULL"),
                     V0_ROWS);
    assert_int_equal(tu_raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE '%_v0'"),
                     0);
    sqlite3_close(db);

    /* the backup holds the original database */
    TU_OK(store_backup_list(dir, &backups, &nb, &e), &e);
    bk = find_backup(backups, nb, "pre-migration-v0-v2");
    if (!bk)
        fail_msg("no pre-migration backup among %zu backups", nb);
    assert_true(str_starts_with(bk->path, prefix));
    db = tu_raw_open(bk->path);
    assert_int_equal(tu_raw_int(db, "SELECT count(*) FROM symbols"), V0_ROWS);
    assert_int_equal(tu_raw_int(db, "SELECT count(*) FROM symbols WHERE name = 'oldFunc7'"), 1);
    assert_false(tu_raw_has_object(db, "table", "schema_version"));
    sqlite3_close(db);
    store_backup_list_free(backups, nb);

    free(prefix);
    free(path);
    tu_rmtree(dir);
    free(dir);
}

/* What the Python indexer would have written for a tiny project. */
static const char plan_v1_rows[] =
    "INSERT INTO symbols(usr, name, kind, file, line, column, signature, is_project, namespace,"
    " access, parent_class, base_classes, calls, called_by, created_at, updated_at) VALUES\n"
    " ('c:@N@geo@S@Shape', 'Shape', 'class', '/src/shape.h', 3, 7, '', 1, 'geo', 'public', '',"
    "  '[]', '[]', '[]', 1700000000, 1700000000),\n"
    " ('c:@N@geo@S@Circle', 'Circle', 'class', '/src/shape.h', 9, 7, '', 1, 'geo', 'public', '',"
    "  '[\"Shape\"]', '[]', '[]', 1700000000, 1700000000),\n"
    " ('c:@N@geo@S@Circle@F@area#', 'area', 'method', '/src/shape.h', 11, 12, 'double () const',"
    "  1, 'geo', 'public', 'Circle', '[]', '[\"c:@F@square#d#\"]', '[]', 1700000000,"
    "  1700000000),\n"
    " ('c:@F@square#d#', 'square', 'function', '/src/math.cpp', 2, 8, 'double (double)', 1, '',"
    "  'public', '', '[]', '[]', '[\"c:@N@geo@S@Circle@F@area#\"]', 1700000000, 1700000000),\n"
    " ('c:@F@main#', 'main', 'function', '/src/main.cpp', 5, 5, 'int ()', 1, '', 'public', '',"
    "  '[]', '[\"c:@F@square#d#\", \"c:@N@geo@S@Circle@F@area#\"]', '[]', 1700000000,"
    "  1700000000);\n"
    "INSERT INTO file_metadata VALUES\n"
    " ('/src/shape.h', 'hash-shape', 'args-1', 1700000000, 3),\n"
    " ('/src/math.cpp', 'hash-math', 'args-1', 1700000000, 1),\n"
    " ('/src/main.cpp', 'hash-main', 'args-1', 1700000000, 1);\n"
    "INSERT INTO header_tracker VALUES\n"
    " ('/src/shape.h', '/src/main.cpp', 'hash-shape', 'cc-hash', 1700000000);\n"
    "INSERT INTO parse_errors(file_path, error_type, error_message, stack_trace, file_hash,"
    " compile_args_hash, retry_count, timestamp) VALUES\n"
    " ('/src/broken.cpp', 'diagnostic', 'expected ;', NULL, 'hash-broken', 'args-1', 1,"
    "  1700000000);\n";

static void test_migrate_plan_schema(void **state)
{
    static const char *const names[] = {"Shape", "Circle", "area", "square", "main"};
    char *dir = tu_tmpdir("plan");
    char *path = db_path_of(dir);
    struct store_backup_info *backups = NULL;
    struct store *st;
    struct err e = {0};
    size_t nb = 0;
    sqlite3 *db;

    (void)state;
    {
        struct strbuf sb = STRBUF_INIT;
        strbuf_adds(&sb, bp_plan_schema_sql);
        strbuf_adds(&sb, plan_v1_rows);
        tu_raw_create(path, sb.buf);
        strbuf_release(&sb);
    }

    tu_log_capture_begin();
    st = tu_open(dir, 0);
    tu_log_capture_end();
    for (size_t i = 0; i < ARRAY_SIZE(names); i++)
        if (tu_search_exact_count(st, names[i]) != 1)
            fail_msg("'%s' is not found after migrating the plan's schema", names[i]);
    tu_assert_healthy(st);
    store_close(st);

    db = tu_raw_open(path);
    assert_int_equal(tu_raw_int(db, "SELECT max(version) FROM schema_version"), 2);
    assert_true(tu_raw_has_object(db, "table", "scopes"));
    assert_int_equal(tu_raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE '%_v0'"),
                     0);
    /* the calls JSON became call edges: main -> square, main -> area, area -> square */
    assert_int_equal(tu_raw_int(db, "SELECT count(*) FROM refs WHERE roles & 16"), 3);
    assert_int_equal(tu_raw_int(db, "SELECT count(*) FROM refs r"
                                    " JOIN symbols c ON c.id = r.context_id"
                                    " JOIN symbols t ON t.id = r.symbol_id"
                                    " WHERE r.roles & 16 AND c.usr = 'c:@F@main#'"
                                    " AND t.usr = 'c:@F@square#d#'"),
                     1);
    /* base_classes became a base edge to the real Shape */
    assert_int_equal(tu_raw_int(db, "SELECT count(*) FROM bases b"
                                    " JOIN symbols d ON d.id = b.derived_id"
                                    " JOIN symbols s ON s.id = b.base_id"
                                    " WHERE d.usr = 'c:@N@geo@S@Circle'"
                                    " AND s.usr = 'c:@N@geo@S@Shape'"),
                     1);
    /* the plan's 14 fields come back through the compatibility view */
    assert_int_equal(tu_raw_int(db, "SELECT calls LIKE '%c:@F@square#d#%' AND file ="
                                    " '/src/shape.h' AND namespace = 'geo' AND parent_class ="
                                    " 'Circle' FROM plan_symbols"
                                    " WHERE usr = 'c:@N@geo@S@Circle@F@area#'"),
                     1);
    /* files, header tracking and parse errors were imported */
    assert_int_equal(tu_raw_int(db, "SELECT count(*) FROM files WHERE path = '/src/math.cpp'"
                                    " AND hash = 'hash-math' AND args_hash = 'args-1'"),
                     1);
    assert_int_equal(tu_raw_int(db, "SELECT count(*) FROM file_metadata"
                                    " WHERE file_hash LIKE 'hash-%'"),
                     3);
    assert_int_equal(tu_raw_int(db, "SELECT count(*) FROM header_tracker"), 1);
    assert_int_equal(tu_raw_int(db, "SELECT count(*) FROM parse_errors e JOIN files f ON"
                                    " f.id = e.file_id WHERE f.path = '/src/broken.cpp'"),
                     1);
    sqlite3_close(db);

    TU_OK(store_backup_list(dir, &backups, &nb, &e), &e);
    assert_non_null(find_backup(backups, nb, "pre-migration-v0-v2"));
    store_backup_list_free(backups, nb);

    free(path);
    tu_rmtree(dir);
    free(dir);
}

/*
 * A v0 cache whose rows cannot be imported (a file_metadata row without a hash: the v1 files
 * table requires one). The migration is one transaction: the open fails and the old tables and
 * rows are exactly as they were.
 */
static void test_failed_migration_leaves_v0_intact(void **state)
{
    char *dir = tu_tmpdir("v0fail");
    char *path = db_path_of(dir);
    struct store *st = NULL;
    struct err e = {0};
    sqlite3 *db;
    int rc;

    (void)state;
    make_v0_db(path, V0_ROWS);
    db = tu_raw_open(path);
    tu_raw_exec(db, "CREATE TABLE file_metadata(file_path TEXT PRIMARY KEY, file_hash TEXT,"
                    " compile_args_hash TEXT, indexed_at REAL, symbol_count INTEGER);"
                    "INSERT INTO file_metadata VALUES ('/src/a.cpp', 'h', NULL, 1, 1),"
                    " ('/src/b.cpp', NULL, NULL, 1, 1)");
    sqlite3_close(db);

    tu_log_capture_begin();
    rc = store_open(&st, dir, 0, &e);
    tu_log_capture_end();
    assert_null(st);
    assert_int_not_equal(rc, 0);
    if (!strstr(e.msg, "file_metadata"))
        fail_msg("the message should say what could not be migrated: %s", e.msg);

    db = tu_raw_open(path);
    assert_false(tu_raw_has_object(db, "table", "schema_version"));
    assert_false(tu_raw_has_object(db, "table", "scopes"));
    assert_int_equal(tu_raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE '%_v0'"),
                     0);
    assert_int_equal(tu_raw_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"), 2);
    assert_int_equal(tu_raw_int(db, "SELECT count(*) FROM symbols"), V0_ROWS);
    assert_int_equal(tu_raw_int(db, "SELECT count(*) FROM pragma_table_info('symbols')"), 2);
    assert_int_equal(tu_raw_int(db, "SELECT count(*) FROM file_metadata"), 2);
    {
        sqlite3_stmt *s = NULL;
        assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(s), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(s, 0), "ok");
        sqlite3_finalize(s);
    }
    /* once the bad row is fixed the same cache migrates */
    tu_raw_exec(db, "UPDATE file_metadata SET file_hash = 'h2' WHERE file_hash IS NULL");
    sqlite3_close(db);
    tu_log_capture_begin();
    st = tu_open(dir, 0);
    tu_log_capture_end();
    assert_int_equal(tu_search_exact_count(st, "oldFunc3"), 1);
    tu_assert_healthy(st);
    store_close(st);

    free(path);
    tu_rmtree(dir);
    free(dir);
}

/* A v1 cache (no refs_callee) is upgraded in place after a backup: the index is built, the
 * answers and the health stay, and it is used for the callers of a function. */
static void test_migrate_v1_v2(void **state)
{
    char *dir = tu_tmpdir("v1v2");
    char *path = db_path_of(dir);
    struct store_backup_info *backups = NULL;
    struct store *st;
    struct err e = {0};
    size_t nb = 0;
    sqlite3 *db;

    (void)state;
    st = tu_open(dir, 0);
    TU_OK(tu_write_file(st, "/proj/kept.cpp", "kept", 10, &e), &e);
    store_close(st);
    db = tu_raw_open(path);
    tu_raw_exec(db, "DROP INDEX refs_callee; DELETE FROM schema_version WHERE version = 2");
    assert_false(tu_raw_has_object(db, "index", "refs_callee"));
    sqlite3_close(db);

    /* read-only, it is read as it is (nothing to migrate for a reader) */
    TU_OK(store_open(&st, dir, STORE_OPEN_READONLY, &e), &e);
    assert_int_equal(tu_search_exact_count(st, "kept_7"), 1);
    store_close(st);
    db = tu_raw_open(path);
    assert_int_equal(tu_raw_int(db, "SELECT max(version) FROM schema_version"), 1);
    sqlite3_close(db);

    tu_log_capture_begin();
    st = tu_open(dir, 0);
    tu_log_capture_end();
    assert_int_equal(tu_search_exact_count(st, "kept_7"), 1);
    tu_assert_healthy(st);
    store_close(st);

    db = tu_raw_open(path);
    assert_int_equal(tu_raw_int(db, "SELECT max(version) FROM schema_version"), 2);
    assert_true(tu_raw_has_object(db, "index", "refs_callee"));
    {
        /* the callers' statement reads the index alone */
        sqlite3_stmt *q = NULL;
        bool covering = false;
        assert_int_equal(sqlite3_prepare_v2(db,
                                            "EXPLAIN QUERY PLAN SELECT context_id, file_id, line,"
                                            " col FROM refs WHERE symbol_id = 1 AND roles & 16 AND"
                                            " context_id IS NOT NULL ORDER BY context_id, file_id,"
                                            " line, col",
                                            -1, &q, NULL),
                         SQLITE_OK);
        while (sqlite3_step(q) == SQLITE_ROW)
            covering = covering || strstr((const char *)sqlite3_column_text(q, 3),
                                          "COVERING INDEX refs_callee");
        sqlite3_finalize(q);
        assert_true(covering);
    }
    sqlite3_close(db);
    TU_OK(store_backup_list(dir, &backups, &nb, &e), &e);
    assert_non_null(find_backup(backups, nb, "pre-migration-v1-v2"));
    store_backup_list_free(backups, nb);
    free(path);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_cache_has_whole_schema),
        cmocka_unit_test(test_newer_schema_refused_untouched),
        cmocka_unit_test(test_migrate_v1_v2),
        cmocka_unit_test(test_migrate_bare_v0),
        cmocka_unit_test(test_migrate_plan_schema),
        cmocka_unit_test(test_failed_migration_leaves_v0_intact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
