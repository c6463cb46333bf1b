/*
 * test_store_crash.c - the store's own crash consistency: a writer killed with SIGKILL at random
 * moments (per-file transactions and bulk mode) leaves a healthy cache in which every file it had
 * committed is whole and no file is half-written; a killed bulk load is finished by the next
 * open; and an unclean session is noticed (quick_check) while a clean one is not.
 *
 * The writer is a forked child that reports each committed file on a pipe; the parent kills it
 * right after the n-th report, n drawn from a seed printed on failure.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "testutil.h"
#include "tu_child.h"
#include "tu_rawdb.h"
#include "tu_symgen.h"

#define KILL_ROUNDS 4
#define MAX_CHILD_FILES 100000
#define BULK_SYMS 4
/* bulk mode must have committed something by then (store.h: "committed in groups") */
#define BULK_MAX_FILES 20000

static uint64_t seed;

static unsigned rng_below(unsigned n)
{
    seed ^= seed >> 12;
    seed ^= seed << 25;
    seed ^= seed >> 27;
    return (unsigned)((seed * 2685821657736338717ull) >> 33) % n;
}

static size_t crash_nsyms(int i)
{
    return 5 + (size_t)((i * 7) % 40);
}

static int restore_log_level(void **state)
{
    (void)state;
    log_set_level(LOG_WARN);
    log_set_sink(NULL, NULL);
    return 0;
}

/* Kills pid (which must be alive: it still writes or waits) and reaps it. */
static void kill_child(pid_t pid)
{
    assert_int_equal(kill(pid, SIGKILL), 0);
    assert_int_equal(tu_wait(pid), 128 + SIGKILL);
}

/*
 * Every file under prefix in the cache is whole: its symbol_count, its declarations and its
 * searchable symbols all match what the writer wrote (nsyms_of(index)). Returns how many there
 * are and the set of indexes in present[] (when non-NULL).
 */
static size_t assert_files_whole(struct store *st, const char *prefix, size_t (*nsyms_of)(int),
                                 bool *present, size_t max)
{
    char *like = xasprintf("%s%%", prefix);
    sqlite3 *raw = tu_raw_open(store_db_path(st));
    sqlite3_stmt *s = NULL;
    size_t n = 0;

    assert_int_equal(sqlite3_prepare_v2(raw,
                                        "SELECT f.path, f.symbol_count,"
                                        " (SELECT count(*) FROM decls d WHERE d.file_id = f.id),"
                                        " (SELECT count(*) FROM symbols s WHERE s.file_id = f.id)"
                                        " FROM files f WHERE f.path LIKE ?1 AND f.indexed_at > 0",
                                        -1, &s, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(s, 1, like, -1, SQLITE_STATIC);
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *path = (const char *)sqlite3_column_text(s, 0);
        const char *tail = strrchr(path, 'f');
        int idx = -1;
        size_t want;
        if (!tail || sscanf(tail, "f%d.cpp", &idx) != 1 || idx < 0)
            fail_msg("unexpected file '%s' (seed %llu)", path, (unsigned long long)seed);
        want = nsyms_of(idx);
        if ((size_t)sqlite3_column_int64(s, 1) != want ||
            (size_t)sqlite3_column_int64(s, 2) != want ||
            (size_t)sqlite3_column_int64(s, 3) != want)
            fail_msg("'%s' is half-written: symbol_count %lld, decls %lld, symbols %lld, wrote %zu"
                     " (seed %llu)",
                     path, (long long)sqlite3_column_int64(s, 1),
                     (long long)sqlite3_column_int64(s, 2), (long long)sqlite3_column_int64(s, 3),
                     want, (unsigned long long)seed);
        if (present && (size_t)idx < max)
            present[idx] = true;
        n++;
    }
    sqlite3_finalize(s);
    sqlite3_close(raw);
    free(like);
    return n;
}

/* ---- 11. killed per-file writer --------------------------------------------------------- */

static _Noreturn void file_writer(const char *dir, int round, int out)
{
    struct store *st = NULL;
    struct err e = {0};

    if (store_open(&st, dir, 0, &e) != 0) {
        tu_send(out, "err %s", e.msg);
        tu_child_exit(1);
    }
    for (int i = 0; i < MAX_CHILD_FILES; i++) {
        char path[64], prefix[32];
        int rc;
        snprintf(path, sizeof(path), "/crash/r%d/f%d.cpp", round, i);
        snprintf(prefix, sizeof(prefix), "r%df%d", round, i);
        rc = tu_write_file(st, path, prefix, crash_nsyms(i), &e);
        /* replacing an existing file too: same records, written again */
        if (!rc && i % 2 == 1) {
            snprintf(path, sizeof(path), "/crash/r%d/f%d.cpp", round, i / 2);
            snprintf(prefix, sizeof(prefix), "r%df%d", round, i / 2);
            rc = tu_write_file(st, path, prefix, crash_nsyms(i / 2), &e);
        }
        if (rc) {
            tu_send(out, "err %s", e.msg);
            tu_child_exit(1);
        }
        tu_send(out, "ok %d", i);
    }
    tu_child_exit(2);
}

static void test_kill_during_file_writes(void **state)
{
    char *dir = tu_tmpdir("kill");
    int last[KILL_ROUNDS];
    char line[1200];

    (void)state;
    seed = (uint64_t)time_mono_ns() ^ ((uint64_t)getpid() << 32);
    print_message("seed %llu\n", (unsigned long long)seed);
    store_close(tu_open(dir, 0));

    for (int r = 0; r < KILL_ROUNDS; r++) {
        int target = 1 + (int)rng_below(40);
        int out[2];
        pid_t pid;
        struct store *st;
        const char *logs;
        char rprefix[32];
        size_t whole;

        tu_pipe(out);
        pid = tu_fork();
        if (pid == 0) {
            close(out[0]);
            file_writer(dir, r, out[1]);
        }
        close(out[1]);
        last[r] = -1;
        for (int got = 0; got < target; got++) {
            int i;
            if (!tu_recv(out[0], line, sizeof(line)))
                fail_msg("the writer died on its own after %d files", got);
            if (sscanf(line, "ok %d", &i) != 1 || i != got)
                fail_msg("the writer failed: %s", line);
            last[r] = i;
        }
        kill_child(pid);
        close(out[0]);

        /* the killed session is noticed, and the cache is healthy */
        log_set_level(LOG_INFO);
        tu_log_capture_begin();
        st = tu_open(dir, 0);
        logs = tu_log_capture_end();
        log_set_level(LOG_WARN);
        if (!strstr(logs, "quick_check"))
            fail_msg("the open after a killed writer should run quick_check: %s", logs);
        tu_assert_healthy(st);
        for (int rr = 0; rr <= r; rr++) {
            snprintf(rprefix, sizeof(rprefix), "/crash/r%d/", rr);
            whole = assert_files_whole(st, rprefix, crash_nsyms, NULL, 0);
            /* every reported file is there (later ones may be too: committed, not reported) */
            if (whole < (size_t)last[rr] + 1)
                fail_msg("round %d: %zu files in the cache, %d reported committed (seed %llu)", rr,
                         whole, last[rr] + 1, (unsigned long long)seed);
            for (int i = 0; i <= last[rr]; i++) {
                struct store_file_info fi;
                struct err e = {0};
                char path[64];
                snprintf(path, sizeof(path), "/crash/r%d/f%d.cpp", rr, i);
                TU_OK(store_file_get(st, path, &fi, &e), &e);
                assert_int_equal(fi.symbol_count, crash_nsyms(i));
                store_file_info_release(&fi);
            }
            snprintf(rprefix, sizeof(rprefix), "r%df%d_%zu", rr, last[rr],
                     crash_nsyms(last[rr]) - 1);
            assert_int_equal(tu_search_exact_count(st, rprefix), 1);
        }
        store_close(st);
    }
    tu_rmtree(dir);
    free(dir);
}

/* ---- 11. killed bulk load --------------------------------------------------------------- */

static size_t bulk_nsyms(int i)
{
    (void)i;
    return BULK_SYMS;
}

/*
 * Bulk-loads files /bulk/f<i>.cpp, reporting "w <i>" after each store_file_replace and
 * "c <n>" whenever a separate reader connection sees n files committed: what a reader sees is
 * what survives a crash, whatever the size of the store's commit groups.
 */
static _Noreturn void bulk_writer(const char *dir, int out)
{
    struct store *st = NULL;
    struct err e = {0};
    sqlite3 *reader = NULL;
    sqlite3_stmt *count = NULL;
    int64_t seen = 0;

    if (store_open(&st, dir, 0, &e) != 0 || store_bulk_begin(st, &e) != 0) {
        tu_send(out, "err %s", e.msg);
        tu_child_exit(1);
    }
    if (sqlite3_open_v2(store_db_path(st), &reader, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(reader,
                           "SELECT count(*) FROM files WHERE path >= '/bulk/' AND path < '/bulk0'"
                           " AND indexed_at > 0",
                           -1, &count, NULL) != SQLITE_OK) {
        tu_send(out, "err reader: %s", sqlite3_errmsg(reader));
        tu_child_exit(1);
    }
    sqlite3_busy_timeout(reader, 10000);
    for (int i = 0; i < BULK_MAX_FILES; i++) {
        char path[64], prefix[32];
        int64_t now = seen;
        snprintf(path, sizeof(path), "/bulk/f%d.cpp", i);
        snprintf(prefix, sizeof(prefix), "bulkFile%d", i);
        if (tu_write_file(st, path, prefix, BULK_SYMS, &e) != 0) {
            tu_send(out, "err %s", e.msg);
            tu_child_exit(1);
        }
        if (sqlite3_step(count) == SQLITE_ROW)
            now = sqlite3_column_int64(count, 0);
        sqlite3_reset(count);
        if (now != seen) {
            seen = now;
            tu_send(out, "c %lld", (long long)seen);
        }
        tu_send(out, "w %d", i);
    }
    tu_send(out, "err bulk mode committed nothing a reader could see after %d files",
            BULK_MAX_FILES);
    tu_child_exit(2);
}

static void test_kill_during_bulk_load(void **state)
{
    char *dir = tu_tmpdir("bulkkill");
    bool *present = xcalloc(BULK_MAX_FILES, sizeof(*present));
    struct store_search_query q = {0};
    struct store_search_result res;
    struct store_stats stats;
    struct store *st;
    struct err e = {0};
    const char *logs;
    char line[1200];
    char name[32];
    int out[2], written = -1, target = -1;
    long long committed = 0;
    size_t n, prefix_len = 0;
    pid_t pid;

    (void)state;
    seed = (uint64_t)time_mono_ns() ^ ((uint64_t)getpid() << 32);
    print_message("seed %llu\n", (unsigned long long)seed);
    st = tu_open(dir, 0);
    TU_OK(tu_write_file(st, "/pre/base.cpp", "base", 10, &e), &e);
    store_close(st);

    /* killed a random number of files after the first commit a reader saw: inside a group */
    tu_pipe(out);
    pid = tu_fork();
    if (pid == 0) {
        close(out[0]);
        bulk_writer(dir, out[1]);
    }
    close(out[1]);
    while (target < 0 || written < target) {
        long long c;
        if (!tu_recv(out[0], line, sizeof(line)))
            fail_msg("the bulk writer ended: %s", line);
        if (sscanf(line, "c %lld", &c) == 1) {
            committed = c;
            if (target < 0)
                target = (int)c + 1 + (int)rng_below(200);
        } else if (sscanf(line, "w %d", &written) != 1) {
            fail_msg("the bulk writer failed: %s", line);
        }
    }
    kill_child(pid);
    close(out[0]);

    tu_log_capture_begin();
    st = tu_open(dir, 0);
    logs = tu_log_capture_end();
    if (!strstr(logs, "bulk load"))
        fail_msg("the open should say it finishes the cut-short bulk load: %s", logs);
    TU_OK(store_stats_get(st, &stats, &e), &e);
    assert_false(stats.bulk_pending);
    tu_assert_healthy(st);

    /* what a reader saw committed is there, whole and in order; nothing is half-written */
    n = assert_files_whole(st, "/bulk/", bulk_nsyms, present, BULK_MAX_FILES);
    while (prefix_len < BULK_MAX_FILES && present[prefix_len])
        prefix_len++;
    if (prefix_len != n)
        fail_msg("the files in the cache are not a prefix of what was written: %zu files, first"
                 " gap at %zu (seed %llu)",
                 n, prefix_len, (unsigned long long)seed);
    if (n < (size_t)committed || n > (size_t)written + 1)
        fail_msg("%zu files survived; %lld were seen committed, %d written (seed %llu)", n,
                 committed, written + 1, (unsigned long long)seed);
    assert_int_equal(tu_search_exact_count(st, "base_9"), 1);
    snprintf(name, sizeof(name), "bulkFile%zu_3", n - 1);
    assert_int_equal(tu_search_exact_count(st, name), 1);
    /* the search index was rebuilt: a substring search goes through FTS5 */
    snprintf(name, sizeof(name), "File%zu_", n / 2);
    q.pattern = name;
    q.match = STORE_MATCH_SUBSTRING;
    q.all_scopes = true;
    TU_OK(store_search(st, &q, &res, &e), &e);
    assert_int_equal(res.total, BULK_SYMS);
    store_search_result_release(&res);

    /* normal writes go on */
    TU_OK(tu_write_file(st, "/pre/after.cpp", "after", 10, &e), &e);
    assert_int_equal(tu_search_exact_count(st, "after_9"), 1);
    tu_assert_healthy(st);
    store_close(st);

    free(present);
    tu_rmtree(dir);
    free(dir);
}

/* ---- 12. unclean shutdown ---------------------------------------------------------------- */

static const char *open_logged(const char *dir, struct store **out)
{
    log_set_level(LOG_INFO);
    tu_log_capture_begin();
    *out = tu_open(dir, 0);
    return tu_log_capture_end();
}

static void test_unclean_session_runs_quick_check(void **state)
{
    char *dir = tu_tmpdir("session");
    char *marker;
    struct store *st, *other;
    struct err e = {0};
    const char *logs;
    char line[256];
    int report[2], hold[2];
    pid_t pid;

    (void)state;
    st = tu_open(dir, 0);
    marker = xasprintf("%s.session", store_db_path(st));
    TU_OK(tu_write_file(st, "/proj/s.cpp", "s", 10, &e), &e);
    assert_true(fs_file_size(marker) > 0); /* open: marked */
    store_close(st);
    assert_int_equal(fs_file_size(marker), 0); /* a clean close leaves it empty */

    /* after a clean session: no check */
    logs = open_logged(dir, &st);
    if (tu_count(logs, "quick_check"))
        fail_msg("quick_check ran after a clean session: %s", logs);
    store_close(st);

    /* a marker left behind with nobody holding it */
    tu_write_bytes(marker, "open\n", 5);
    logs = open_logged(dir, &st);
    if (!strstr(logs, "did not close cleanly") || !strstr(logs, "quick_check"))
        fail_msg("the unclean session should be reported with a quick_check: %s", logs);
    assert_int_equal(tu_search_exact_count(st, "s_9"), 1);
    store_close(st);
    assert_int_equal(fs_file_size(marker), 0);

    /* a process killed while it had the cache open */
    tu_pipe(report);
    tu_pipe(hold);
    pid = tu_fork();
    if (pid == 0) {
        struct store *cst = NULL;
        close(report[0]);
        close(hold[1]);
        if (store_open(&cst, dir, 0, &e) != 0)
            tu_child_exit(1);
        tu_send(report[1], "open");
        tu_recv(hold[0], line, sizeof(line)); /* killed while waiting here */
        tu_child_exit(0);
    }
    close(report[1]);
    close(hold[0]);
    if (!tu_recv(report[0], line, sizeof(line)))
        fail_msg("the child did not open the cache");
    kill_child(pid);
    close(report[0]);
    close(hold[1]);
    assert_true(fs_file_size(marker) > 0);
    logs = open_logged(dir, &st);
    if (!strstr(logs, "quick_check"))
        fail_msg("the open after a killed process should run quick_check: %s", logs);
    tu_assert_healthy(st);

    /* a second handle while the first is open is not an unclean session */
    logs = open_logged(dir, &other);
    if (tu_count(logs, "quick_check"))
        fail_msg("quick_check ran while another handle had the cache open: %s", logs);
    store_close(other);
    assert_true(fs_file_size(marker) > 0); /* the first handle is still open */
    store_close(st);
    assert_int_equal(fs_file_size(marker), 0);
    log_set_level(LOG_WARN);

    free(marker);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_kill_during_file_writes, restore_log_level),
        cmocka_unit_test_teardown(test_kill_during_bulk_load, restore_log_level),
        cmocka_unit_test_teardown(test_unclean_session_runs_quick_check, restore_log_level),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
