/*
 * test_json_backend.c - the JSON backend (issue 5 §3): the same answers as a SQLite cache made
 * from the same JSON, loads that never modify the JSON, saves that migrate-json accepts, kill -9
 * at each phase of a save (the previous or the new JSON, never a mix), the fallback from a
 * database that cannot be repaired and from a read-only directory (with a warning and the
 * reason), CLANG_INDEX_USE_SQLITE=0, and the I/O-error window and the server's switch.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "tu_child.h"
#include "tu_symgen.h"

/* ---- helpers ---------------------------------------------------------------------------- */

static char *dump_of(struct store *st)
{
    struct err e = {0};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    TU_OK(store_dump(st, f, NULL, &e), &e);
    fclose(f);
    return buf;
}

static char *slurp(const char *path)
{
    struct err e = {0};
    char *buf = NULL;
    size_t len = 0;
    TU_OK(fs_read_file(&buf, &len, path, (size_t)1 << 30, &e), &e);
    return buf;
}

static char *slurp_in(const char *dir, const char *name)
{
    char *p = path_join(dir, name), *s = slurp(p);
    free(p);
    return s;
}

/* A SQLite cache in dir/sq with a few files, exported as legacy JSON into dir/<name>. */
static char *make_json(const char *dir, const char *name)
{
    char *sq = path_join(dir, "sq"), *js = path_join(dir, name);
    struct store_legacy_export_opts o;
    struct store_legacy_export_report rep;
    struct err e = {0};
    struct store *st = tu_open(sq, 0);

    TU_OK(tu_write_file(st, "/proj/a.cpp", "alpha", 8, &e), &e);
    TU_OK(tu_write_file(st, "/proj/b.cpp", "beta", 5, &e), &e);
    memset(&o, 0, sizeof(o));
    o.dir = js;
    TU_OK(store_legacy_export(st, &o, &rep, &e), &e);
    store_legacy_export_report_release(&rep);
    store_close(st);
    free(sq);
    return js;
}

static int is_save(const char *name, void *payload)
{
    *(bool *)payload |= str_starts_with(name, ".cidx-json-save");
    return 0;
}

/* What a save leaves while it runs (a killed one, until the next open). */
static bool has_leftovers(const char *dir)
{
    struct err e = {0};
    bool found = false;
    TU_OK(fs_list_dir(dir, is_save, &found, &e), &e);
    return found;
}

/* ---- same answers; loads only read ----------------------------------------------------------- */

static void test_same_answers_as_sqlite(void **state)
{
    char *dir = tu_tmpdir("jsonb-same"), *js, *mig = NULL, *info_before, *info_after, *marker;
    char *d_sql, *d_json, *priv;
    struct store_legacy_opts o;
    struct store_legacy_report rep;
    struct store *st;
    struct err e = {0};
    (void)state;

    js = make_json(dir, "js");
    info_before = slurp_in(js, STORE_LEGACY_INFO);
    /* the SQLite cache migrate-json makes from the JSON */
    mig = path_join(dir, "mig");
    memset(&o, 0, sizeof(o));
    o.legacy_dir = js;
    o.cache_dir = mig;
    TU_OK(store_legacy_migrate(&o, &rep, &e), &e);
    store_legacy_report_release(&rep);
    marker = path_join(js, STORE_LEGACY_MARKER);
    unlink(marker); /* the JSON backend must work with or without it */
    st = tu_open(mig, STORE_OPEN_READONLY);
    d_sql = dump_of(st);
    store_close(st);

    TU_OK(store_json_open(&st, js, 0, &e), &e);
    assert_string_equal(store_backend(st), "json");
    assert_null(store_fallback_reason(st));
    d_json = dump_of(st);
    assert_string_equal(d_sql, d_json);
    assert_int_equal(tu_search_exact_count(st, "alpha_7"), 1);
    assert_false(store_json_stale(st));
    priv = xstrdup(store_cache_dir(st));
    assert_true(fs_is_dir(priv));
    store_close(st);
    /* nothing written: the JSON is as it was, no marker, no backup, no private directory */
    info_after = slurp_in(js, STORE_LEGACY_INFO);
    assert_string_equal(info_before, info_after);
    assert_false(fs_exists(marker));
    assert_false(fs_exists(priv));
    assert_false(has_leftovers(js));

    free(priv);
    free(d_sql);
    free(d_json);
    free(info_before);
    free(info_after);
    free(marker);
    free(mig);
    free(js);
    tu_rmtree(dir);
    free(dir);
}

/* ---- writes are saved as JSON that migrate-json accepts ----------------------------------------
 */

static void test_save_migrates(void **state)
{
    char *dir = tu_tmpdir("jsonb-save"), *js = path_join(dir, "js"), *mig = path_join(dir, "mig");
    char *d1, *d2;
    struct store_legacy_opts o;
    struct store_legacy_report rep;
    struct store *st, *other;
    struct err e = {0};
    (void)state;

    /* an empty directory: an empty store; nothing is saved until something changes */
    TU_OK(store_json_open(&st, js, 0, &e), &e);
    store_close(st);
    {
        char *info = path_join(js, STORE_LEGACY_INFO);
        assert_false(fs_exists(info));
        free(info);
    }
    TU_OK(store_json_open(&st, js, 0, &e), &e);
    /* nothing saved yet: a read-only open finds no JSON cache */
    assert_int_equal(store_json_open(&other, js, STORE_OPEN_READONLY, &e), ERR_NOTFOUND);
    TU_OK(tu_write_file(st, "/proj/c.cpp", "gamma", 6, &e), &e);
    TU_OK(tu_write_file(st, "/proj/d.cpp", "delta", 4, &e), &e);
    TU_OK(store_meta_set(st, "project_root", "/proj", &e), &e);
    TU_OK(store_json_save(st, &e), &e);
    store_close(st);
    assert_false(has_leftovers(js));

    /* another handle sees the save (what the format holds: a second load gives the same) */
    TU_OK(store_json_open(&st, js, 0, &e), &e);
    d1 = dump_of(st);
    assert_int_equal(tu_search_exact_count(st, "gamma_5"), 1);
    assert_int_equal(tu_search_exact_count(st, "delta_3"), 1);
    TU_OK(store_json_open(&other, js, STORE_OPEN_READONLY, &e), &e);
    d2 = dump_of(other);
    store_close(other);
    assert_string_equal(d1, d2);
    /* a later save of a changed handle replaces it */
    TU_OK(store_json_open(&other, js, 0, &e), &e);
    TU_OK(store_file_delete(other, "/proj/d.cpp", &e), &e);
    store_close(other);
    assert_true(store_json_stale(st));
    store_close(st);

    memset(&o, 0, sizeof(o));
    o.legacy_dir = js;
    o.cache_dir = mig;
    TU_OK(store_legacy_migrate(&o, &rep, &e), &e);
    assert_true(rep.migrated);
    store_legacy_report_release(&rep);
    st = tu_open(mig, 0);
    assert_int_equal(tu_search_exact_count(st, "gamma_5"), 1);
    assert_int_equal(tu_search_exact_count(st, "delta_3"), 0);
    tu_assert_healthy(st);
    store_close(st);

    free(d1);
    free(d2);
    free(js);
    free(mig);
    tu_rmtree(dir);
    free(dir);
}

/* ---- kill -9 during a save ---------------------------------------------------------------------
 */

static void kill_at(const char *phase, bool new_wins)
{
    char *dir = tu_tmpdir("jsonb-kill"), *js, *before, *d_old, *d_new;
    struct store *st;
    struct err e = {0};
    char priv[1024] = "";
    int out[2];
    pid_t pid;

    js = make_json(dir, "js");
    before = slurp_in(js, STORE_LEGACY_INFO);
    TU_OK(store_json_open(&st, js, STORE_OPEN_READONLY, &e), &e);
    d_old = dump_of(st);
    store_close(st);

    tu_pipe(out);
    pid = tu_fork();
    if (pid == 0) {
        struct store *cst = NULL;
        struct err ce = {0};
        close(out[0]);
        setenv("CIDX_TEST_JSON_KILL", phase, 1);
        if (store_json_open(&cst, js, 0, &ce) != 0 ||
            tu_write_file(cst, "/proj/z.cpp", "zeta", 3, &ce) != 0)
            tu_child_exit(1);
        tu_send(out[1], "%s", store_cache_dir(cst));
        store_close(cst); /* saves, and dies at phase */
        tu_child_exit(2);
    }
    close(out[1]);
    assert_true(tu_recv(out[0], priv, sizeof(priv)));
    close(out[0]);
    assert_int_equal(tu_wait(pid), 128 + SIGKILL);
    tu_rmtree(priv); /* a killed process leaves its private database behind */
    if (!new_wins) {
        /* the old JSON is there, byte for byte */
        char *now = slurp_in(js, STORE_LEGACY_INFO);
        assert_string_equal(before, now);
        free(now);
    }
    /* the next open throws the save away or finishes it: one whole cache, never a mix */
    TU_OK(store_json_open(&st, js, 0, &e), &e);
    assert_false(has_leftovers(js));
    assert_int_equal(tu_search_exact_count(st, "zeta_2"), new_wins ? 1 : 0);
    assert_int_equal(tu_search_exact_count(st, "alpha_7"), 1);
    d_new = dump_of(st);
    if (!new_wins)
        assert_string_equal(d_old, d_new);
    store_close(st);

    free(before);
    free(d_old);
    free(d_new);
    free(js);
    tu_rmtree(dir);
    free(dir);
}

static void test_kill_during_save(void **state)
{
    (void)state;
    kill_at("exported", false);
    kill_at("committed", true);
    kill_at("files", true);
}

/* ---- fallback ----------------------------------------------------------------------------------
 */

static void test_fallback_unrepairable_db(void **state)
{
    char *dir = tu_tmpdir("jsonb-corrupt"), *js, *db;
    const char *logs;
    struct store *st = NULL;
    struct err e = {0};
    int rc;
    (void)state;

    js = make_json(dir, "cache");
    db = path_join(js, STORE_DB_NAME);
    {
        const char junk[] = "this is not a SQLite database, and it cannot be repaired here";
        struct err we = {0};
        TU_OK(fs_write_file_atomic(db, junk, sizeof(junk), &we), &we);
    }
    /* without the fallback: the error */
    rc = store_open_cache(&st, js, STORE_OPEN_NO_REPAIR | STORE_OPEN_NO_FALLBACK, &e);
    assert_int_equal(rc, ERR_CORRUPT);
    assert_null(st);
    /* with it: the JSON backend, a warning, the reason, and the answers */
    tu_log_capture_begin();
    TU_OK(store_open_cache(&st, js, STORE_OPEN_NO_REPAIR, &e), &e);
    logs = tu_log_capture_end();
    assert_string_equal(store_backend(st), "json");
    assert_non_null(store_fallback_reason(st));
    if (!strstr(store_fallback_reason(st), "not an SQLite") &&
        !strstr(store_fallback_reason(st), "damaged"))
        fail_msg("reason: %s", store_fallback_reason(st));
    assert_non_null(strstr(logs, "using the JSON backend"));
    assert_int_equal(tu_search_exact_count(st, "beta_4"), 1);
    /* writable: changes are saved as JSON; the damaged database stays for `cidx doctor` */
    TU_OK(tu_write_file(st, "/proj/e.cpp", "eps", 2, &e), &e);
    store_close(st);
    assert_true(fs_exists(db));
    TU_OK(store_json_open(&st, js, STORE_OPEN_READONLY, &e), &e);
    assert_int_equal(tu_search_exact_count(st, "eps_1"), 1);
    store_close(st);

    free(db);
    free(js);
    tu_rmtree(dir);
    free(dir);
}

/* In a child that is not root: what cli_open does on a read-only directory. */
static _Noreturn void readonly_child(const char *cache, int out)
{
    struct store *st = NULL;
    struct err e = {0};
    int rc;

    if (tu_drop_root() != 0) {
        tu_send(out, "setup cannot give up root: %s", strerror(errno));
        tu_child_exit(1);
    }
    if (fs_dir_writable(cache)) {
        tu_send(out, "setup '%s' is writable: the test would prove nothing", cache);
        tu_child_exit(1);
    }
    tu_log_capture_begin();
    rc = store_open_cache(&st, cache, STORE_OPEN_EXISTING, &e);
    if (rc == ERR_READONLY || rc == ERR_NOTFOUND)
        rc = store_open_cache(&st, cache, STORE_OPEN_READONLY, &e);
    if (rc) {
        tu_send(out, "open %d %s", rc, e.msg);
        tu_child_exit(0);
    }
    tu_send(out, "open 0 %s %ld %d %s", store_backend(st), tu_search_exact_count(st, "alpha_3"),
            tu_count(tu_log_capture_end(), "JSON backend"),
            store_fallback_reason(st) ? "reason" : "none");
    store_close(st);
    tu_child_exit(0);
}

static void test_fallback_readonly_dir(void **state)
{
    char *dir = tu_tmpdir("jsonb-ro"), *js, *info_before, *info_after;
    char line[1200], backend[16] = "", why[16] = "";
    long n = -1;
    int rc = -1, warned = -1, out[2];
    pid_t pid;
    (void)state;

    js = make_json(dir, "cache");
    info_before = slurp_in(js, STORE_LEGACY_INFO);
    chmod(dir, 0755);
    chmod(js, 0555);
    tu_pipe(out);
    pid = tu_fork();
    if (pid == 0) {
        close(out[0]);
        readonly_child(js, out[1]);
    }
    close(out[1]);
    if (!tu_recv(out[0], line, sizeof(line)))
        fail_msg("the read-only child ended without reporting");
    close(out[0]);
    assert_int_equal(tu_wait(pid), 0);
    if (!strncmp(line, "setup ", 6))
        fail_msg("cannot set up a read-only cache: %s", line + 6);
    if (sscanf(line, "open %d %15s %ld %d %15s", &rc, backend, &n, &warned, why) != 5)
        fail_msg("the read-only open failed: %s", line);
    assert_int_equal(rc, 0);
    assert_string_equal(backend, "json");
    assert_int_equal(n, 1);
    assert_true(warned >= 1);
    assert_string_equal(why, "reason");
    chmod(js, 0755);
    info_after = slurp_in(js, STORE_LEGACY_INFO);
    assert_string_equal(info_before, info_after);

    free(info_before);
    free(info_after);
    free(js);
    tu_rmtree(dir);
    free(dir);
}

static void test_env_selects_json(void **state)
{
    char *dir = tu_tmpdir("jsonb-env"), *js;
    struct store *st = NULL;
    struct err e = {0};
    (void)state;

    js = make_json(dir, "cache");
    setenv("CLANG_INDEX_USE_SQLITE", "0", 1);
    assert_true(store_json_wanted());
    TU_OK(store_open_cache(&st, js, STORE_OPEN_EXISTING, &e), &e);
    assert_string_equal(store_backend(st), "json");
    assert_int_equal(tu_search_exact_count(st, "alpha_0"), 1);
    store_close(st);
    setenv("CLANG_INDEX_USE_SQLITE", "1", 1);
    assert_false(store_json_wanted());
    unsetenv("CLANG_INDEX_USE_SQLITE");

    free(js);
    tu_rmtree(dir);
    free(dir);
}

/* ---- the I/O-error window ----------------------------------------------------------------------
 */

static void test_io_error_window_and_switch(void **state)
{
    char *dir = tu_tmpdir("jsonb-health"), *cache = path_join(dir, "cache"), *info;
    struct store *st;
    struct err e = {0};
    (void)state;

    st = tu_open(cache, 0);
    TU_OK(tu_write_file(st, "/proj/h.cpp", "eta", 6, &e), &e);
    /* 10 failures in 200 operations is 5%: not more than 5% */
    for (int i = 0; i < 190; i++)
        store_health_record(st, 0);
    for (int i = 0; i < 10; i++)
        store_health_record(st, i % 2 ? ERR_IO : ERR_FULL);
    assert_false(store_health_tripped(st));
    /* other errors are no I/O errors */
    store_health_record(st, ERR_BUSY);
    store_health_record(st, ERR_NOTFOUND);
    assert_false(store_health_tripped(st));
    /* the window slides: an 11th failure among the last 200 trips it */
    store_health_record(st, ERR_DB);
    assert_int_equal(store_health_failures(st), 11);
    assert_true(store_health_tripped(st));
    for (int i = 0; i < 200; i++)
        store_health_record(st, 0);
    assert_false(store_health_tripped(st));
    assert_int_equal(store_health_failures(st), 0);
    /* the store counts its own transactions */
    for (int i = 0; i < 300; i++)
        assert_int_equal(tu_search_exact_count(st, "eta_1"), 1);
    assert_false(store_health_tripped(st));

    /* the server's switch: an export, then the JSON backend loaded from it */
    for (int i = 0; i < 20; i++)
        store_health_record(st, ERR_IO);
    assert_true(store_health_tripped(st));
    TU_OK(store_json_switch(&st, &e), &e);
    assert_string_equal(store_backend(st), "json");
    assert_non_null(strstr(store_fallback_reason(st), "I/O errors"));
    assert_int_equal(tu_search_exact_count(st, "eta_5"), 1);
    assert_int_equal(store_json_switch(&st, &e), ERR_INVALID);
    store_close(st);
    info = path_join(cache, STORE_LEGACY_INFO);
    assert_true(fs_exists(info));
    free(info);

    free(cache);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_answers_as_sqlite),
        cmocka_unit_test(test_save_migrates),
        cmocka_unit_test(test_kill_during_save),
        cmocka_unit_test(test_fallback_unrepairable_db),
        cmocka_unit_test(test_fallback_readonly_dir),
        cmocka_unit_test(test_env_selects_json),
        cmocka_unit_test(test_io_error_window_and_switch),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
