/*
 * test_store_concurrency.c - several writers on one cache: threads (one handle each) and
 * processes writing at the same moment lose nothing, and a writer that holds the lock makes the
 * next writer wait (default busy limit) or fail with one clear ERR_BUSY (short limit) without
 * harming committed data.
 *
 * Writers start together on a barrier (threads) or on the end of a pipe (processes); the lock
 * holder is a raw sqlite3 connection in a child that reports through a pipe once it holds the
 * write lock.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "tu_child.h"
#include "tu_rawdb.h"
#include "tu_symgen.h"

#define WRITERS 5
#define FILES_PER_WRITER 10
#define SYMS_PER_FILE 10 /* 100 symbols per writer */

/* One writer's work: its own handle, its own files. Returns 0 or the first error. */
static int writer_run(const char *dir, int id, struct err *e)
{
    struct store *st = NULL;
    int rc = store_open(&st, dir, 0, e);
    for (int f = 0; !rc && f < FILES_PER_WRITER; f++) {
        char path[64], prefix[32];
        snprintf(path, sizeof(path), "/proj/w%d/file%d.cpp", id, f);
        snprintf(prefix, sizeof(prefix), "w%d_f%d", id, f);
        rc = tu_write_file(st, path, prefix, SYMS_PER_FILE, e);
    }
    store_close(st);
    return rc;
}

/* Exactly WRITERS * 100 symbols, each writer's complete, and a healthy cache. */
static void assert_all_written(const char *dir)
{
    struct store_stats stats;
    struct store *st = tu_open(dir, 0);
    struct err e = {0};

    TU_OK(store_stats_get(st, &stats, &e), &e);
    assert_int_equal(stats.symbols, WRITERS * FILES_PER_WRITER * SYMS_PER_FILE);
    assert_int_equal(stats.files, WRITERS * FILES_PER_WRITER);
    assert_int_equal(stats.calls, WRITERS * FILES_PER_WRITER * (SYMS_PER_FILE - 1));
    for (int w = 0; w < WRITERS; w++) {
        for (int f = 0; f < FILES_PER_WRITER; f++) {
            struct store_file_info fi;
            char path[64], name[32];
            snprintf(path, sizeof(path), "/proj/w%d/file%d.cpp", w, f);
            TU_OK(store_file_get(st, path, &fi, &e), &e);
            assert_int_equal(fi.symbol_count, SYMS_PER_FILE);
            store_file_info_release(&fi);
            snprintf(name, sizeof(name), "w%d_f%d_%d", w, f, SYMS_PER_FILE - 1);
            if (tu_search_exact_count(st, name) != 1)
                fail_msg("'%s' is missing", name);
        }
    }
    tu_assert_healthy(st);
    store_close(st);
}

/* ---- 2. concurrent writers ----------------------------------------------------------------- */

struct thread_writer {
    const char *dir;
    int id;
    pthread_barrier_t *start;
    int rc;
    struct err err;
};

static void *thread_main(void *arg)
{
    struct thread_writer *w = arg;
    pthread_barrier_wait(w->start);
    w->rc = writer_run(w->dir, w->id, &w->err);
    return NULL;
}

static void test_threads_write_concurrently(void **state)
{
    char *dir = tu_tmpdir("threads");
    char *cache = path_join(dir, "cache");
    struct thread_writer w[WRITERS];
    pthread_t tid[WRITERS];
    pthread_barrier_t start;

    (void)state;
    store_close(tu_open(cache, 0)); /* an existing cache (test_fresh_cache_first_open races) */
    pthread_barrier_init(&start, NULL, WRITERS);
    for (int i = 0; i < WRITERS; i++) {
        memset(&w[i], 0, sizeof(w[i]));
        w[i].dir = cache;
        w[i].id = i;
        w[i].start = &start;
        assert_int_equal(pthread_create(&tid[i], NULL, thread_main, &w[i]), 0);
    }
    for (int i = 0; i < WRITERS; i++)
        pthread_join(tid[i], NULL);
    pthread_barrier_destroy(&start);
    for (int i = 0; i < WRITERS; i++)
        if (w[i].rc)
            fail_msg("writer thread %d failed: %d %s", i, w[i].rc, w[i].err.msg);
    assert_all_written(cache);

    free(cache);
    tu_rmtree(dir);
    free(dir);
}

static void test_processes_write_concurrently(void **state)
{
    char *dir = tu_tmpdir("procs");
    char *cache = path_join(dir, "cache");
    pid_t pid[WRITERS];
    int go[2], results[2];
    char line[1200];

    (void)state;
    store_close(tu_open(cache, 0));
    tu_pipe(go);
    tu_pipe(results);
    for (int i = 0; i < WRITERS; i++) {
        pid[i] = tu_fork();
        if (pid[i] == 0) {
            struct err e = {0};
            char c;
            int rc;
            close(go[1]);
            close(results[0]);
            /* all start when the parent closes the pipe */
            while (read(go[0], &c, 1) > 0)
                ;
            rc = writer_run(cache, i, &e);
            if (rc)
                tu_send(results[1], "writer %d: %d %s", i, rc, e.msg);
            else
                tu_send(results[1], "ok");
            tu_child_exit(rc ? 1 : 0);
        }
    }
    close(go[0]);
    close(go[1]);
    close(results[1]);
    for (int i = 0; i < WRITERS; i++) {
        if (!tu_recv(results[0], line, sizeof(line)))
            fail_msg("a writer process ended without reporting");
        if (strcmp(line, "ok") != 0)
            fail_msg("writer process failed: %s", line);
    }
    close(results[0]);
    for (int i = 0; i < WRITERS; i++)
        assert_int_equal(tu_wait(pid[i]), 0);
    assert_all_written(cache);

    free(cache);
    tu_rmtree(dir);
    free(dir);
}

/*
 * Several processes and threads opening a cache that does not exist yet, at the same moment (an
 * indexer's workers starting together): every one of them must get a working handle. The race
 * is short, so it is run for many rounds, alternating threads and processes.
 */
#define FRESH_ROUNDS 40

static void *fresh_thread_main(void *arg)
{
    struct thread_writer *w = arg;
    char path[64], prefix[32];
    struct store *st = NULL;

    pthread_barrier_wait(w->start);
    w->rc = store_open(&st, w->dir, 0, &w->err);
    snprintf(path, sizeof(path), "/proj/w%d.cpp", w->id);
    snprintf(prefix, sizeof(prefix), "w%d", w->id);
    if (!w->rc)
        w->rc = tu_write_file(st, path, prefix, SYMS_PER_FILE, &w->err);
    store_close(st);
    return NULL;
}

/* One round; returns the first failure as a message (caller frees) or NULL. */
static char *fresh_round(const char *cache, bool threads)
{
    struct thread_writer w[WRITERS];
    char *failure = NULL;

    if (threads) {
        pthread_t tid[WRITERS];
        pthread_barrier_t start;
        pthread_barrier_init(&start, NULL, WRITERS);
        for (int i = 0; i < WRITERS; i++) {
            memset(&w[i], 0, sizeof(w[i]));
            w[i].dir = cache;
            w[i].id = i;
            w[i].start = &start;
            assert_int_equal(pthread_create(&tid[i], NULL, fresh_thread_main, &w[i]), 0);
        }
        for (int i = 0; i < WRITERS; i++)
            pthread_join(tid[i], NULL);
        pthread_barrier_destroy(&start);
        for (int i = 0; i < WRITERS && !failure; i++)
            if (w[i].rc)
                failure = xasprintf("thread %d: %d %s", i, w[i].rc, w[i].err.msg);
    } else {
        pid_t pid[WRITERS];
        int go[2], results[2];
        char line[1200];
        tu_pipe(go);
        tu_pipe(results);
        for (int i = 0; i < WRITERS; i++) {
            pid[i] = tu_fork();
            if (pid[i] == 0) {
                pthread_barrier_t one;
                char c;
                close(go[1]);
                close(results[0]);
                while (read(go[0], &c, 1) > 0)
                    ;
                pthread_barrier_init(&one, NULL, 1);
                memset(&w[i], 0, sizeof(w[i]));
                w[i].dir = cache;
                w[i].id = i;
                w[i].start = &one;
                fresh_thread_main(&w[i]);
                if (w[i].rc)
                    tu_send(results[1], "process %d: %d %s", i, w[i].rc, w[i].err.msg);
                else
                    tu_send(results[1], "ok");
                tu_child_exit(w[i].rc ? 1 : 0);
            }
        }
        close(go[0]);
        close(go[1]);
        close(results[1]);
        for (int i = 0; i < WRITERS; i++) {
            if (!tu_recv(results[0], line, sizeof(line)))
                snprintf(line, sizeof(line), "a process ended without reporting");
            if (strcmp(line, "ok") != 0 && !failure)
                failure = xstrdup(line);
        }
        close(results[0]);
        for (int i = 0; i < WRITERS; i++)
            tu_wait(pid[i]);
    }
    return failure;
}

static void test_fresh_cache_first_open(void **state)
{
    char *dir = tu_tmpdir("fresh");
    int failed_rounds = 0;
    char *first = NULL;

    (void)state;
    for (int r = 0; r < FRESH_ROUNDS; r++) {
        char name[32];
        char *cache, *failure;
        snprintf(name, sizeof(name), "cache%d", r);
        cache = path_join(dir, name);
        failure = fresh_round(cache, r % 2 == 0);
        if (failure) {
            failed_rounds++;
            if (!first)
                first = xasprintf("round %d (%s): %s", r, r % 2 ? "processes" : "threads", failure);
            free(failure);
        } else {
            struct store_stats stats;
            struct store *st = tu_open(cache, 0);
            struct err e = {0};
            TU_OK(store_stats_get(st, &stats, &e), &e);
            assert_int_equal(stats.symbols, WRITERS * SYMS_PER_FILE);
            tu_assert_healthy(st);
            store_close(st);
        }
        free(cache);
    }
    if (failed_rounds)
        fail_msg("%d of %d rounds had an opener fail; first: %s", failed_rounds, FRESH_ROUNDS,
                 first);
    tu_rmtree(dir);
    free(dir);
}

/* ---- 3. a writer holding the lock ------------------------------------------------------- */

#define HOLD_UNTIL_RELEASED 0

struct holder {
    pid_t pid;
    int report;  /* lines from the child: "locked", "committed" or an error */
    int control; /* lines to the child: "lock", then "release" */
};

/*
 * Forks the lock holder before the parent opens anything (a SQLite connection must not cross a
 * fork). On "lock" the child takes the write lock with BEGIN IMMEDIATE on a raw connection
 * (creating an empty database file when there is none), writes a metadata row when key is not
 * NULL, says "locked", holds the lock (hold_ms, or until "release"), commits and says
 * "committed".
 */
static void holder_start(struct holder *h, const char *db_path, const char *key, unsigned hold_ms)
{
    int report[2], control[2];
    tu_pipe(report);
    tu_pipe(control);
    h->pid = tu_fork();
    if (h->pid == 0) {
        sqlite3 *db = NULL;
        char *msg = NULL;
        char sql[160];
        char buf[16];

        close(report[0]);
        close(control[1]);
        if (!tu_recv(control[0], buf, sizeof(buf)))
            tu_child_exit(2);
        if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
            SQLITE_OK) {
            tu_send(report[1], "cannot open: %s", sqlite3_errmsg(db));
            tu_child_exit(1);
        }
        sqlite3_busy_timeout(db, 10000);
        if (key)
            snprintf(sql, sizeof(sql),
                     "BEGIN IMMEDIATE; INSERT INTO cache_metadata(key, value, updated_at)"
                     " VALUES ('%s', 'committed', 0)",
                     key);
        else
            snprintf(sql, sizeof(sql), "BEGIN IMMEDIATE");
        if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
            tu_send(report[1], "cannot lock: %s", msg ? msg : "?");
            tu_child_exit(1);
        }
        tu_send(report[1], "locked");
        if (hold_ms)
            time_sleep_ms(hold_ms); /* the test is "a writer holds the lock that long" */
        else
            tu_recv(control[0], buf, sizeof(buf));
        if (sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
            tu_send(report[1], "cannot commit: %s", msg ? msg : "?");
            tu_child_exit(1);
        }
        sqlite3_close(db);
        tu_send(report[1], "committed");
        tu_child_exit(0);
    }
    close(report[1]);
    close(control[0]);
    h->report = report[0];
    h->control = control[1];
}

static void holder_expect(struct holder *h, const char *what)
{
    char line[512];
    if (!tu_recv(h->report, line, sizeof(line)) || strcmp(line, what) != 0)
        fail_msg("the lock holder should say '%s', said '%s'", what, line);
}

static void holder_finish(struct holder *h)
{
    holder_expect(h, "committed");
    tu_close(&h->report);
    tu_close(&h->control);
    assert_int_equal(tu_wait(h->pid), 0);
}

static void assert_meta(struct store *st, const char *key, const char *want)
{
    struct err e = {0};
    char *v = NULL;
    TU_OK(store_meta_get(st, key, &v, &e), &e);
    if (!v || strcmp(v, want) != 0)
        fail_msg("cache_metadata '%s' is '%s', expected '%s'", key, v ? v : "(none)", want);
    free(v);
}

static void test_writer_waits_for_lock_holder(void **state)
{
    char *dir = tu_tmpdir("lockwait");
    char *real = path_real(dir);
    char *db_path = path_join(real, STORE_DB_NAME);
    struct holder h;
    struct store *st;
    struct err e = {0};
    struct tu_batch tb;
    uint64_t t0, waited_ms;
    int rc;

    (void)state;
    holder_start(&h, db_path, "holder", 2000);
    st = tu_open(dir, 0);
    assert_string_equal(store_db_path(st), db_path);
    TU_OK(tu_write_file(st, "/proj/before.cpp", "before", 20, &e), &e);
    tu_send(h.control, "lock");
    holder_expect(&h, "locked");

    tu_batch_init(&tb, "/proj/after.cpp", "after", 20, 0);
    t0 = time_mono_ns();
    rc = store_file_replace(st, &tb.b, &e);
    waited_ms = (time_mono_ns() - t0) / 1000000u;
    tu_batch_release(&tb);
    TU_OK(rc, &e);
    /* it really waited for the holder (2 s, minus the time the child took to say so) */
    if (waited_ms < 1500)
        fail_msg("the write took %llu ms: the lock was not held", (unsigned long long)waited_ms);
    holder_finish(&h);

    assert_int_equal(tu_search_exact_count(st, "before_19"), 1);
    assert_int_equal(tu_search_exact_count(st, "after_19"), 1);
    assert_meta(st, "holder", "committed");
    tu_assert_healthy(st);
    store_close(st);

    free(db_path);
    free(real);
    tu_rmtree(dir);
    free(dir);
}

static void test_busy_limit_gives_err_busy(void **state)
{
    char *dir = tu_tmpdir("busy");
    char *real = path_real(dir);
    char *db_path = path_join(real, STORE_DB_NAME);
    struct store_file_info fi;
    struct holder h;
    struct store *st;
    struct err e = {0};
    struct tu_batch tb;
    uint64_t t0, waited_ms;
    int rc;

    (void)state;
    holder_start(&h, db_path, "holder", HOLD_UNTIL_RELEASED);
    st = tu_open(dir, 0);
    TU_OK(tu_write_file(st, "/proj/before.cpp", "before", 20, &e), &e);
    tu_send(h.control, "lock");
    holder_expect(&h, "locked");

    store_set_busy_limit(st, 200);
    tu_batch_init(&tb, "/proj/after.cpp", "after", 20, 0);
    t0 = time_mono_ns();
    rc = store_file_replace(st, &tb.b, &e);
    waited_ms = (time_mono_ns() - t0) / 1000000u;
    tu_batch_release(&tb);
    if (rc != ERR_BUSY)
        fail_msg("expected ERR_BUSY, got %d: %s", rc, e.msg);
    if (!strstr(e.msg, "locked by another process") || !strstr(e.msg, db_path))
        fail_msg("the message should say the cache is locked and name it: %s", e.msg);
    if (waited_ms < 150 || waited_ms > 1500)
        fail_msg("gave up after %llu ms with a 200 ms limit", (unsigned long long)waited_ms);

    tu_send(h.control, "release");
    holder_finish(&h);

    /* the failed write left nothing behind; what was committed is intact */
    assert_int_equal(store_file_get(st, "/proj/after.cpp", &fi, &e), ERR_NOTFOUND);
    assert_int_equal(tu_search_exact_count(st, "after_3"), 0);
    TU_OK(store_file_get(st, "/proj/before.cpp", &fi, &e), &e);
    assert_int_equal(fi.symbol_count, 20);
    store_file_info_release(&fi);
    assert_int_equal(tu_search_exact_count(st, "before_19"), 1);
    assert_meta(st, "holder", "committed");
    /* and the same handle writes again once the lock is free */
    TU_OK(tu_write_file(st, "/proj/after.cpp", "after", 20, &e), &e);
    assert_int_equal(tu_search_exact_count(st, "after_3"), 1);
    tu_assert_healthy(st);
    store_close(st);

    free(db_path);
    free(real);
    tu_rmtree(dir);
    free(dir);
}

/*
 * Deterministic form of the race above: another process is creating the cache (it holds the
 * write lock of a new, still empty symbols.db) when store_open arrives. store_open must wait for
 * it like for any writer, within the busy limit, and then succeed.
 */
static void test_open_waits_for_cache_creator(void **state)
{
    char *dir = tu_tmpdir("creator");
    char *real = path_real(dir);
    char *db_path = path_join(real, STORE_DB_NAME);
    struct holder h;
    struct store *st = NULL;
    struct err e = {0};
    uint64_t t0, waited_ms;
    int rc;

    (void)state;
    holder_start(&h, db_path, NULL, 500);
    tu_send(h.control, "lock");
    holder_expect(&h, "locked");
    t0 = time_mono_ns();
    rc = store_open(&st, dir, 0, &e);
    waited_ms = (time_mono_ns() - t0) / 1000000u;
    holder_finish(&h);
    if (rc)
        fail_msg("store_open gave up after %llu ms while another process held the lock for"
                 " 500 ms (busy limit 30 s): %d %s",
                 (unsigned long long)waited_ms, rc, e.msg);
    TU_OK(tu_write_file(st, "/proj/a.cpp", "a", 10, &e), &e);
    assert_int_equal(tu_search_exact_count(st, "a_9"), 1);
    tu_assert_healthy(st);
    store_close(st);

    free(db_path);
    free(real);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_write_concurrently),
        cmocka_unit_test(test_processes_write_concurrently),
        cmocka_unit_test(test_fresh_cache_first_open),
        cmocka_unit_test(test_writer_waits_for_lock_holder),
        cmocka_unit_test(test_busy_limit_gives_err_busy),
        cmocka_unit_test(test_open_waits_for_cache_creator),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
