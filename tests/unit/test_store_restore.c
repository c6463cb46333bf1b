/*
 * test_store_restore.c - putting a backup back (the plan's rollback): the pre-migration copy
 * restores the old database exactly, damaged or foreign files are refused with the current cache
 * left as it was, and a cache open for writing in another process is never swapped under it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "tu_child.h"
#include "tu_rawdb.h"
#include "tu_symgen.h"

#define V0_ROWS 20

static void make_v0_db(const char *path)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, "CREATE TABLE symbols(usr TEXT PRIMARY KEY, name TEXT);\n");
    for (int i = 0; i < V0_ROWS; i++)
        strbuf_addf(&sb, "INSERT INTO symbols VALUES ('c:@F@legacy%d', 'legacy%d');\n", i, i);
    tu_raw_create(path, sb.buf);
    strbuf_release(&sb);
}

/* The path of the only backup with that reason (caller frees); fails when not exactly one. */
static char *only_backup(const char *dir, const char *reason)
{
    struct store_backup_info *b = NULL;
    struct err e = {0};
    char *path = NULL;
    size_t n = 0, found = 0;

    TU_OK(store_backup_list(dir, &b, &n, &e), &e);
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(b[i].reason, reason)) {
            found++;
            free(path);
            path = xstrdup(b[i].path);
        }
    }
    store_backup_list_free(b, n);
    if (found != 1)
        fail_msg("expected one '%s' backup in '%s', found %zu", reason, dir, found);
    return path;
}

static size_t backup_count(const char *dir)
{
    struct store_backup_info *b = NULL;
    struct err e = {0};
    size_t n = 0;
    TU_OK(store_backup_list(dir, &b, &n, &e), &e);
    store_backup_list_free(b, n);
    return n;
}

/* A v0 cache migrated to v1, with one file written after the migration. */
static void make_migrated_cache(const char *dir)
{
    char *db = path_join(dir, STORE_DB_NAME);
    struct store *st;
    struct err e = {0};

    make_v0_db(db);
    tu_log_capture_begin();
    st = tu_open(dir, 0);
    tu_log_capture_end();
    TU_OK(tu_write_file(st, "/proj/later.cpp", "later", 5, &e), &e);
    store_close(st);
    free(db);
}

static void test_restore_pre_migration_backup(void **state)
{
    char *dir = tu_tmpdir("restore");
    char *db = path_join(dir, STORE_DB_NAME);
    char *bak, *pre_restore;
    struct tu_snapshot migrated;
    struct store *st;
    struct err e = {0};
    sqlite3 *raw;

    (void)state;
    make_migrated_cache(dir);
    bak = only_backup(dir, "pre-migration-v0-v2");
    tu_snapshot_take(&migrated, db);

    tu_log_capture_begin();
    TU_OK(store_restore(dir, bak, &e), &e);
    tu_log_capture_end();

    /* the old database is back: schema v0, its rows, nothing newer */
    raw = tu_raw_open(db);
    assert_false(tu_raw_has_object(raw, "table", "schema_version"));
    assert_false(tu_raw_has_object(raw, "table", "scopes"));
    assert_int_equal(tu_raw_int(raw, "SELECT count(*) FROM pragma_table_info('symbols')"), 2);
    assert_int_equal(tu_raw_int(raw, "SELECT count(*) FROM symbols"), V0_ROWS);
    sqlite3_close(raw);
    /* the cache it replaced is kept */
    pre_restore = only_backup(dir, "pre-restore");
    assert_true(tu_snapshot_same(&migrated, pre_restore));

    /* opening migrates it again */
    tu_log_capture_begin();
    st = tu_open(dir, 0);
    tu_log_capture_end();
    assert_int_equal(tu_raw_int_at(db, "SELECT max(version) FROM schema_version"),
                     STORE_SCHEMA_VERSION);
    assert_int_equal(tu_search_exact_count(st, "legacy13"), 1);
    assert_int_equal(tu_search_exact_count(st, "later_4"), 0);
    tu_assert_healthy(st);
    store_close(st);

    tu_snapshot_release(&migrated);
    free(pre_restore);
    free(bak);
    free(db);
    tu_rmtree(dir);
    free(dir);
}

static void test_restore_refuses_bad_files(void **state)
{
    char *dir = tu_tmpdir("restorebad");
    char *db = path_join(dir, STORE_DB_NAME);
    char *text = path_join(dir, "notes.txt");
    char *broken = path_join(dir, "broken.db");
    char *bak;
    struct tu_snapshot current;
    struct err e = {0};
    size_t nbackups;
    int rc;

    (void)state;
    make_migrated_cache(dir);
    bak = only_backup(dir, "pre-migration-v0-v2");
    nbackups = backup_count(dir);
    tu_snapshot_take(&current, db);

    /* not SQLite at all */
    tu_write_bytes(text, "just some notes\n", 16);
    rc = store_restore(dir, text, &e);
    assert_int_equal(rc, ERR_CORRUPT);
    if (!strstr(e.msg, text) || !strstr(e.msg, "not an SQLite database"))
        fail_msg("the refusal should name the file and say why: %s", e.msg);
    assert_true(tu_snapshot_same(&current, db));
    assert_int_equal(backup_count(dir), nbackups);

    /* an SQLite file with overwritten pages */
    {
        struct err ce = {0};
        unsigned char junk[4096];
        FILE *f;
        TU_OK(fs_copy_file(bak, broken, &ce), &ce);
        memset(junk, 0x5a, sizeof(junk));
        f = fopen(broken, "r+b");
        assert_non_null(f);
        assert_int_equal(fseek(f, 4096, SEEK_SET), 0);
        assert_int_equal(fwrite(junk, 1, sizeof(junk), f), sizeof(junk));
        fclose(f);
    }
    err_clear(&e);
    rc = store_restore(dir, broken, &e);
    assert_int_equal(rc, ERR_CORRUPT);
    if (!strstr(e.msg, broken))
        fail_msg("the refusal should name the file: %s", e.msg);
    assert_true(tu_snapshot_same(&current, db));
    assert_int_equal(backup_count(dir), nbackups);

    /* a backup that is not there */
    err_clear(&e);
    rc = store_restore(dir, "symbols.db.bak.corrupt.19700101T000000Z", &e);
    assert_int_not_equal(rc, 0);
    assert_true(tu_snapshot_same(&current, db));

    tu_assert_dir_healthy(dir);
    tu_snapshot_release(&current);
    free(bak);
    free(broken);
    free(text);
    free(db);
    tu_rmtree(dir);
    free(dir);
}

static void test_restore_refused_while_open(void **state)
{
    char *dir = tu_tmpdir("restorebusy");
    char *db = path_join(dir, STORE_DB_NAME);
    char *bak;
    struct tu_snapshot current;
    struct err e = {0};
    char line[256];
    int report[2], control[2];
    pid_t pid;
    int rc;

    (void)state;
    make_migrated_cache(dir);
    bak = only_backup(dir, "pre-migration-v0-v2");
    tu_snapshot_take(&current, db);

    /* another process (an indexer, a server) has the cache open for writing */
    tu_pipe(report);
    tu_pipe(control);
    pid = tu_fork();
    if (pid == 0) {
        struct store *st = NULL;
        struct err ce = {0};
        close(report[0]);
        close(control[1]);
        if (store_open(&st, dir, 0, &ce) != 0) {
            tu_send(report[1], "cannot open: %s", ce.msg);
            tu_child_exit(1);
        }
        tu_send(report[1], "open");
        tu_recv(control[0], line, sizeof(line));
        store_close(st);
        tu_child_exit(0);
    }
    close(report[1]);
    close(control[0]);
    if (!tu_recv(report[0], line, sizeof(line)) || strcmp(line, "open") != 0)
        fail_msg("the other process did not open the cache: %s", line);

    rc = store_restore(dir, bak, &e);
    assert_int_equal(rc, ERR_BUSY);
    if (!strstr(e.msg, "another process"))
        fail_msg("the refusal should say another process has it open: %s", e.msg);
    assert_true(tu_snapshot_same(&current, db));

    tu_send(control[1], "close");
    close(control[1]);
    close(report[0]);
    assert_int_equal(tu_wait(pid), 0);

    /* once it is closed, the restore goes through */
    err_clear(&e);
    tu_log_capture_begin();
    rc = store_restore(dir, bak, &e);
    tu_log_capture_end();
    TU_OK(rc, &e);
    assert_int_equal(tu_raw_int_at(db, "SELECT count(*) FROM sqlite_master WHERE name ="
                                       " 'schema_version'"),
                     0);
    tu_log_capture_begin();
    tu_assert_dir_healthy(dir);
    tu_log_capture_end();

    tu_snapshot_release(&current);
    free(bak);
    free(db);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_restore_pre_migration_backup),
        cmocka_unit_test(test_restore_refuses_bad_files),
        cmocka_unit_test(test_restore_refused_while_open),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
