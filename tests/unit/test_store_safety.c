/*
 * test_store_safety.c - the cache under hostile conditions: a read-only directory or file, a
 * full disk (a file size limit), damaged files (not SQLite at all, or pages overwritten), and
 * network file systems where WAL is not safe.
 *
 * What a user must see: one clear error (ERR_READONLY, ERR_FULL, ERR_CORRUPT with
 * STORE_OPEN_NO_REPAIR) or a warning and a working fresh cache, and never the loss of anything
 * already committed. Conditions that need another user or a resource limit are set up in a
 * forked child, which reports over a pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "tu_child.h"
#include "tu_rawdb.h"
#include "tu_symgen.h"

/* ---- helpers --------------------------------------------------------------------------- */

static uint64_t rng_next(uint64_t *s)
{
    /* xorshift64*: reproducible garbage without libc's global rand state */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

static void fill_garbage(unsigned char *buf, size_t len, uint64_t seed)
{
    uint64_t s = seed ? seed : 1;
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)(rng_next(&s) >> 56);
}

/* The backups of dir with that reason; the first one's path in *path (caller frees). */
static size_t backups_with_reason(const char *dir, const char *reason, char **path)
{
    struct store_backup_info *b = NULL;
    struct err e = {0};
    size_t n = 0, found = 0;

    if (path)
        *path = NULL;
    TU_OK(store_backup_list(dir, &b, &n, &e), &e);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(b[i].reason, reason) != 0)
            continue;
        if (path && !*path)
            *path = xstrdup(b[i].path);
        found++;
    }
    store_backup_list_free(b, n);
    return found;
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

/* Parses a child's "tag rc rest" line; returns rest (inside line) or fails the test. */
static const char *parse_report(const char *line, const char *tag, int *rc)
{
    size_t tl = strlen(tag);
    char *end;
    long v;
    if (strncmp(line, tag, tl) != 0 || line[tl] != ' ')
        fail_msg("the child reported '%s', expected '%s ...'", line, tag);
    v = strtol(line + tl + 1, &end, 10);
    *rc = (int)v;
    return *end == ' ' ? end + 1 : end;
}

static void assert_empty_and_working(const char *dir)
{
    struct store_stats stats;
    struct store *st = tu_open(dir, 0);
    struct err e = {0};

    TU_OK(store_stats_get(st, &stats, &e), &e);
    assert_int_equal(stats.symbols, 0);
    assert_int_equal(stats.files, 0);
    assert_int_equal(stats.schema_version, STORE_SCHEMA_VERSION);
    TU_OK(tu_write_file(st, "/proj/fresh.cpp", "fresh", 5, &e), &e);
    assert_int_equal(tu_search_exact_count(st, "fresh_4"), 1);
    tu_assert_healthy(st);
    store_close(st);
}

/* ---- 4. read-only directory and file ------------------------------------------------------ */

/*
 * Runs in a child that is not root: the RW open, then the read-only open and searches, each
 * reported as a line: "rw <rc> <message>", "ro <rc> <exact matches> <all matches> <message>".
 */
static _Noreturn void readonly_child(const char *cache, const char *probe, int out)
{
    struct store_search_query q = {0};
    struct store_search_result r;
    struct store *st = NULL;
    struct err e = {0};
    int fd, rc;

    if (tu_drop_root() != 0) {
        tu_send(out, "setup cannot give up root: %s", strerror(errno));
        tu_child_exit(1);
    }
    /* the premise: this process really cannot write there */
    fd = open(probe, O_WRONLY | O_CREAT, 0644);
    if (fd >= 0) {
        close(fd);
        tu_send(out, "setup '%s' is writable: the test would prove nothing", probe);
        tu_child_exit(1);
    }
    rc = store_open(&st, cache, 0, &e);
    if (rc == 0) {
        /* it should not have opened; say what a write does, for the report */
        struct err we = {0};
        int wrc = tu_write_file(st, "/proj/new.cpp", "new", 3, &we);
        store_close(st);
        st = NULL;
        tu_send(out, "rw 0 opened read-write; a write then gave %d: %s", wrc, we.msg);
    } else {
        tu_send(out, "rw %d %s", rc, e.msg);
    }
    err_clear(&e);
    rc = store_open(&st, cache, STORE_OPEN_READONLY, &e);
    if (rc) {
        tu_send(out, "ro %d 0 0 %s", rc, e.msg);
        tu_child_exit(0);
    }
    q.pattern = "ro_";
    q.match = STORE_MATCH_PREFIX;
    q.all_scopes = true;
    q.limit = 100;
    rc = store_search(st, &q, &r, &e);
    if (rc) {
        tu_send(out, "ro %d 0 0 search failed: %s", rc, e.msg);
    } else {
        tu_send(out, "ro 0 %ld %llu ok", tu_search_exact_count(st, "ro_7"),
                (unsigned long long)r.total);
        store_search_result_release(&r);
    }
    store_close(st);
    tu_child_exit(0);
}

struct ro_report {
    int rw_rc, ro_rc;
    char rw_msg[1100], ro_msg[1100];
    long exact;
    unsigned long long all;
};

static void run_readonly_child(const char *cache, const char *probe, struct ro_report *rep)
{
    char line[1200];
    const char *rest;
    int out[2];
    pid_t pid;

    tu_pipe(out);
    pid = tu_fork();
    if (pid == 0) {
        close(out[0]);
        readonly_child(cache, probe, out[1]);
    }
    close(out[1]);
    if (!tu_recv(out[0], line, sizeof(line)))
        fail_msg("the read-only child ended without reporting");
    if (!strncmp(line, "setup ", 6))
        fail_msg("cannot set up a read-only cache: %s", line + 6);
    rest = parse_report(line, "rw", &rep->rw_rc);
    snprintf(rep->rw_msg, sizeof(rep->rw_msg), "%s", rest);
    if (!tu_recv(out[0], line, sizeof(line)))
        fail_msg("the read-only child ended without reporting the read-only open");
    rest = parse_report(line, "ro", &rep->ro_rc);
    if (sscanf(rest, "%ld %llu", &rep->exact, &rep->all) != 2)
        fail_msg("bad report '%s'", line);
    snprintf(rep->ro_msg, sizeof(rep->ro_msg), "%s", rest);
    close(out[0]);
    assert_int_equal(tu_wait(pid), 0);
}

static void make_small_cache(const char *cache)
{
    struct store *st = tu_open(cache, 0);
    struct err e = {0};
    TU_OK(tu_write_file(st, "/proj/ro.cpp", "ro", 20, &e), &e);
    store_close(st);
}

static void test_readonly_directory(void **state)
{
    char *dir = tu_tmpdir("rodir");
    char *cache = path_join(dir, "cache");
    char *real, *db, *probe;
    struct tu_snapshot snap;
    struct ro_report rep;
    struct store *st;

    (void)state;
    make_small_cache(cache);
    real = path_real(cache);
    db = path_join(real, STORE_DB_NAME);
    probe = path_join(real, "probe");
    tu_snapshot_take(&snap, db);

    /* readable by everyone (the child may run as nobody), writable by no one */
    assert_int_equal(chmod(dir, 0755), 0);
    assert_int_equal(chmod(db, 0444), 0);
    assert_int_equal(chmod(cache, 0555), 0);
    run_readonly_child(cache, probe, &rep);
    assert_int_equal(chmod(cache, 0755), 0);
    assert_int_equal(chmod(db, 0644), 0);

    if (rep.rw_rc != ERR_READONLY)
        fail_msg("read-write open of a read-only directory: expected ERR_READONLY, got %d: %s",
                 rep.rw_rc, rep.rw_msg);
    if (!strstr(rep.rw_msg, real))
        fail_msg("the message should name the directory '%s': %s", real, rep.rw_msg);
    if (rep.ro_rc != 0)
        fail_msg("read-only open failed: %d %s", rep.ro_rc, rep.ro_msg);
    assert_int_equal(rep.exact, 1);
    assert_int_equal(rep.all, 20);

    /* nothing was written there, and the data is whole */
    assert_false(fs_exists(probe));
    assert_true(tu_snapshot_same(&snap, db));
    st = tu_open(cache, 0);
    assert_int_equal(tu_search_exact_count(st, "ro_19"), 1);
    tu_assert_healthy(st);
    store_close(st);

    tu_snapshot_release(&snap);
    free(probe);
    free(db);
    free(real);
    free(cache);
    tu_rmtree(dir);
    free(dir);
}

/* A writable directory holding a read-only symbols.db: store.h promises ERR_READONLY too. */
static void test_readonly_file(void **state)
{
    char *dir = tu_tmpdir("rofile");
    char *cache = path_join(dir, "cache");
    char *real, *db, *probe;
    struct tu_snapshot snap;
    struct ro_report rep;
    struct store *st;

    (void)state;
    make_small_cache(cache);
    real = path_real(cache);
    db = path_join(real, STORE_DB_NAME);
    probe = xstrdup(db); /* the premise: the child cannot open the database for writing */
    tu_snapshot_take(&snap, db);

    assert_int_equal(chmod(dir, 0755), 0);
    if (geteuid() == 0)
        assert_int_equal(chown(cache, TU_NOBODY, TU_NOBODY), 0);
    assert_int_equal(chmod(db, 0444), 0);
    run_readonly_child(cache, probe, &rep);
    assert_int_equal(chmod(db, 0644), 0);

    assert_true(tu_snapshot_same(&snap, db));
    if (rep.ro_rc != 0)
        fail_msg("read-only open failed: %d %s", rep.ro_rc, rep.ro_msg);
    assert_int_equal(rep.exact, 1);
    assert_int_equal(rep.all, 20);
    if (rep.rw_rc != ERR_READONLY)
        fail_msg("read-write open of a read-only symbols.db: expected ERR_READONLY, got %d: %s",
                 rep.rw_rc, rep.rw_msg);
    if (!strstr(rep.rw_msg, db))
        fail_msg("the message should name '%s': %s", db, rep.rw_msg);

    st = tu_open(cache, 0);
    assert_int_equal(tu_search_exact_count(st, "ro_19"), 1);
    tu_assert_healthy(st);
    store_close(st);

    tu_snapshot_release(&snap);
    free(probe);
    free(db);
    free(real);
    free(cache);
    tu_rmtree(dir);
    free(dir);
}

/* ---- 5. disk full ------------------------------------------------------------------------ */

#define FULL_LIMIT_BYTES (1024 * 1024)
#define FULL_SYMBOLS 20000
#define FULL_DOC_BYTES 512

static void test_disk_full_keeps_committed_data(void **state)
{
    char *dir = tu_tmpdir("full");
    struct store_file_info fi;
    struct store *st;
    struct err e = {0};
    char line[1200];
    const char *msg;
    int out[2], rc;
    pid_t pid;

    (void)state;
    st = tu_open(dir, 0);
    TU_OK(tu_write_file(st, "/proj/keep.cpp", "keep", 50, &e), &e);
    store_close(st);

    tu_pipe(out);
    pid = tu_fork();
    if (pid == 0) {
        struct rlimit rl = {FULL_LIMIT_BYTES, FULL_LIMIT_BYTES};
        struct tu_batch tb;
        struct store *cst = NULL;
        close(out[0]);
        rc = store_open(&cst, dir, 0, &e);
        if (rc) {
            tu_send(out[1], "open %d %s", rc, e.msg);
            tu_child_exit(1);
        }
        /* write() then fails with EFBIG past the limit instead of killing the process */
        signal(SIGXFSZ, SIG_IGN);
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0) {
            tu_send(out[1], "setup setrlimit: %s", strerror(errno));
            tu_child_exit(1);
        }
        tu_batch_init(&tb, "/proj/huge.cpp", "huge", FULL_SYMBOLS, FULL_DOC_BYTES);
        rc = store_file_replace(cst, &tb.b, &e);
        tu_send(out[1], "write %d %s", rc, rc ? e.msg : "succeeded");
        tu_batch_release(&tb);
        store_close(cst);
        tu_child_exit(0);
    }
    close(out[1]);
    if (!tu_recv(out[0], line, sizeof(line)))
        fail_msg("the child ended without reporting");
    close(out[0]);
    assert_int_equal(tu_wait(pid), 0);
    msg = parse_report(line, "write", &rc);
    if (rc != ERR_FULL)
        fail_msg("a write past the file size limit: expected ERR_FULL (%d), got %d: %s", ERR_FULL,
                 rc, msg);
    if (!strstr(msg, "disk full") || !strstr(msg, "/proj/huge.cpp"))
        fail_msg("the message should say the disk is full and what was written: %s", msg);

    /* everything committed before is there, nothing of the failed batch */
    st = tu_open(dir, 0);
    TU_OK(store_file_get(st, "/proj/keep.cpp", &fi, &e), &e);
    assert_int_equal(fi.symbol_count, 50);
    store_file_info_release(&fi);
    assert_int_equal(tu_search_exact_count(st, "keep_49"), 1);
    assert_int_equal(store_file_get(st, "/proj/huge.cpp", &fi, &e), ERR_NOTFOUND);
    assert_int_equal(tu_search_exact_count(st, "huge_0"), 0);
    /* and the cache takes writes again once there is room */
    TU_OK(tu_write_file(st, "/proj/after.cpp", "after", 10, &e), &e);
    tu_assert_healthy(st);
    store_close(st);

    tu_rmtree(dir);
    free(dir);
}

/* ---- 6. damaged files ------------------------------------------------------------------- */

enum garbage { GARBAGE_RANDOM, GARBAGE_TEXT, GARBAGE_SQLITE_HEADER, GARBAGE_COUNT_ };

static void write_garbage_db(const char *path, enum garbage kind)
{
    unsigned char buf[16384];
    size_t len = sizeof(buf);

    fill_garbage(buf, sizeof(buf), 0x5eed + (uint64_t)kind);
    if (kind == GARBAGE_TEXT) {
        static const char text[] = "this is a note somebody saved as symbols.db\n";
        len = 0;
        while (len + sizeof(text) - 1 <= sizeof(buf)) {
            memcpy(buf + len, text, sizeof(text) - 1);
            len += sizeof(text) - 1;
        }
    } else if (kind == GARBAGE_SQLITE_HEADER) {
        memcpy(buf, "SQLite format 3", 16); /* the magic, then nonsense */
    }
    tu_write_bytes(path, buf, len);
}

static void test_non_sqlite_file_moved_aside(void **state)
{
    (void)state;
    for (int kind = 0; kind < GARBAGE_COUNT_; kind++) {
        char *dir = tu_tmpdir("garbage");
        char *db = path_join(dir, STORE_DB_NAME);
        char *prefix = xasprintf("%s.bak.corrupt.", db);
        char *aside = NULL;
        struct tu_snapshot snap;
        struct store *st;
        const char *logs;

        write_garbage_db(db, (enum garbage)kind);
        tu_snapshot_take(&snap, db);
        tu_log_capture_begin();
        st = tu_open(dir, 0);
        logs = tu_log_capture_end();
        store_close(st);

        if (backups_with_reason(dir, "corrupt", &aside) != 1)
            fail_msg("kind %d: expected one 'corrupt' backup", kind);
        if (!str_starts_with(aside, prefix))
            fail_msg("kind %d: the damaged file was moved to '%s'", kind, aside);
        if (!strstr(logs, aside))
            fail_msg("kind %d: the warning should name '%s': %s", kind, aside, logs);
        assert_true(tu_snapshot_same(&snap, aside));
        assert_empty_and_working(dir);

        tu_snapshot_release(&snap);
        free(aside);
        free(prefix);
        free(db);
        tu_rmtree(dir);
        free(dir);
    }
}

#define DAMAGE_FILES 30
#define DAMAGE_SYMS 100

/*
 * A real cache whose `symbols` table has a leaf page in the middle overwritten with garbage,
 * as a disk or a bad copy would leave it. The store had closed cleanly (WAL checkpointed).
 */
static void make_damaged_cache(const char *dir)
{
    unsigned char page[65536];
    struct store *st = tu_open(dir, 0);
    struct err e = {0};
    int64_t page_size, pgno = 0;
    char *db = path_join(dir, STORE_DB_NAME);
    char *wal = xasprintf("%s-wal", db);
    sqlite3 *raw;
    int fd;

    for (int f = 0; f < DAMAGE_FILES; f++) {
        char path[64], prefix[32];
        snprintf(path, sizeof(path), "/proj/damaged%d.cpp", f);
        snprintf(prefix, sizeof(prefix), "dmg%d", f);
        TU_OK(tu_write_file(st, path, prefix, DAMAGE_SYMS, &e), &e);
    }
    store_close(st);
    assert_true(fs_file_size(wal) <= 0);

    raw = tu_raw_open(db);
    page_size = tu_raw_int(raw, "PRAGMA page_size");
    {
        /* a leaf of symbols from the middle, when dbstat is there; else the table's root */
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(raw,
                               "SELECT pageno FROM dbstat WHERE name = 'symbols' AND pagetype ="
                               " 'leaf' ORDER BY pageno",
                               -1, &s, NULL) == SQLITE_OK) {
            int64_t pages[4096];
            size_t n = 0;
            while (sqlite3_step(s) == SQLITE_ROW && n < ARRAY_SIZE(pages))
                pages[n++] = sqlite3_column_int64(s, 0);
            if (n)
                pgno = pages[n / 2];
        }
        sqlite3_finalize(s);
        if (!pgno)
            pgno = tu_raw_int(raw, "SELECT rootpage FROM sqlite_master WHERE name = 'symbols'");
    }
    sqlite3_close(raw);
    assert_true(pgno > 1);
    assert_true(page_size > 0 && (size_t)page_size <= sizeof(page));

    fill_garbage(page, (size_t)page_size, 0xbad);
    fd = open(db, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, page, (size_t)page_size, (off_t)((pgno - 1) * page_size)),
                     page_size);
    close(fd);
    free(wal);
    free(db);
}

static void write_unclean_marker(const char *dir)
{
    char *marker = path_join(dir, STORE_DB_NAME ".session");
    tu_write_bytes(marker, "open\n", 5);
    free(marker);
}

/*
 * (b) Overwritten pages. After a clean close the open does not scan the file (quick_check runs
 * only after an unclean session), so the damage is found by store_check (cidx doctor); after an
 * unclean session the open finds it and moves the file aside. Nothing crashes either way.
 */
static void test_damaged_pages_detected(void **state)
{
    char *dir = tu_tmpdir("damaged");
    char *db = path_join(dir, STORE_DB_NAME);
    struct store_check checks[32];
    struct tu_snapshot snap;
    struct store *st;
    struct err e = {0};
    char *aside = NULL;
    const char *logs;
    size_t n = 0;
    bool integrity_failed = false;
    int rc;

    (void)state;
    make_damaged_cache(dir);

    /* clean marker: opens; doctor reports the damage; searches fail cleanly or succeed */
    tu_log_capture_begin();
    st = tu_open(dir, 0);
    rc = store_check(st, false, checks, ARRAY_SIZE(checks), &n, &e);
    assert_int_equal(rc, ERR_CORRUPT);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(checks[i].name, "integrity_check") && !checks[i].ok)
            integrity_failed = true;
    assert_true(integrity_failed);
    for (int f = 0; f < DAMAGE_FILES; f++) {
        struct store_search_query q = {0};
        struct store_search_result r;
        char pat[32];
        snprintf(pat, sizeof(pat), "dmg%d_", f);
        q.pattern = pat;
        q.match = STORE_MATCH_PREFIX;
        q.all_scopes = true;
        q.limit = 1000;
        err_clear(&e);
        rc = store_search(st, &q, &r, &e);
        if (rc == 0)
            store_search_result_release(&r);
        else if (rc != ERR_CORRUPT)
            fail_msg("a search on a damaged cache should fail as ERR_CORRUPT, got %d: %s", rc,
                     e.msg);
    }
    store_close(st);
    tu_log_capture_end();

    /* unclean marker: the open runs quick_check, finds the damage and starts over */
    tu_snapshot_take(&snap, db);
    write_unclean_marker(dir);
    tu_log_capture_begin();
    st = tu_open(dir, 0);
    logs = tu_log_capture_end();
    store_close(st);
    if (backups_with_reason(dir, "corrupt", &aside) != 1)
        fail_msg("the damaged cache was not moved aside; logs: %s", logs);
    if (!strstr(logs, aside))
        fail_msg("the warning should name '%s': %s", aside, logs);
    assert_true(tu_snapshot_same(&snap, aside));
    assert_empty_and_working(dir);

    tu_snapshot_release(&snap);
    free(aside);
    free(db);
    tu_rmtree(dir);
    free(dir);
}

/*
 * (c) STORE_OPEN_NO_REPAIR reports damage as ERR_CORRUPT and changes nothing: not the file, and
 * not the evidence that the last session was unclean, so the next normal open still repairs.
 */
static void test_no_repair_leaves_damage_untouched(void **state)
{
    char *dir = tu_tmpdir("norepair");
    char *db = path_join(dir, STORE_DB_NAME);
    char *marker = xasprintf("%s.session", db);
    struct tu_snapshot snap;
    struct store *st = NULL;
    struct err e = {0};
    char *aside = NULL;
    int rc;

    (void)state;
    /* a non-SQLite file */
    write_garbage_db(db, GARBAGE_TEXT);
    tu_snapshot_take(&snap, db);
    tu_log_capture_begin();
    rc = store_open(&st, dir, STORE_OPEN_NO_REPAIR, &e);
    tu_log_capture_end();
    assert_int_equal(rc, ERR_CORRUPT);
    assert_null(st);
    if (!strstr(e.msg, db))
        fail_msg("the message should name '%s': %s", db, e.msg);
    assert_true(tu_snapshot_same(&snap, db));
    assert_int_equal(backup_count(dir), 0);
    tu_snapshot_release(&snap);
    unlink(db);

    /* a damaged real cache after an unclean session */
    make_damaged_cache(dir);
    write_unclean_marker(dir);
    tu_snapshot_take(&snap, db);
    err_clear(&e);
    tu_log_capture_begin();
    rc = store_open(&st, dir, STORE_OPEN_NO_REPAIR, &e);
    tu_log_capture_end();
    assert_int_equal(rc, ERR_CORRUPT);
    assert_null(st);
    assert_true(tu_snapshot_same(&snap, db));
    assert_int_equal(backup_count(dir), 0);
    if (fs_file_size(marker) <= 0)
        fail_msg("the refused open emptied the unclean-session marker: the next open will not "
                 "check the damaged cache");

    /* a normal open still finds the damage and repairs */
    tu_log_capture_begin();
    st = tu_open(dir, 0);
    tu_log_capture_end();
    store_close(st);
    assert_int_equal(backups_with_reason(dir, "corrupt", &aside), 1);
    assert_true(tu_snapshot_same(&snap, aside));
    assert_empty_and_working(dir);

    free(aside);
    tu_snapshot_release(&snap);
    free(marker);
    free(db);
    tu_rmtree(dir);
    free(dir);
}

/* ---- 9. network file systems ------------------------------------------------------------ */

static void open_with_fs(const char *dir, const char *fs, const char *want_mode, int want_warnings)
{
    struct store *st;
    struct err e = {0};
    const char *logs;

    if (fs)
        setenv("CIDX_FS_TYPE_OVERRIDE", fs, 1);
    else
        unsetenv("CIDX_FS_TYPE_OVERRIDE");
    tu_log_capture_begin();
    st = tu_open(dir, 0);
    logs = tu_log_capture_end();
    if (strcmp(store_journal_mode(st), want_mode) != 0)
        fail_msg("fs '%s': journal mode '%s', expected '%s'", fs ? fs : "(local)",
                 store_journal_mode(st), want_mode);
    if (tu_count(logs, "network file system") != want_warnings)
        fail_msg("fs '%s': expected %d warning(s) about a network file system, got: %s",
                 fs ? fs : "(local)", want_warnings, logs);
    assert_int_equal(store_fs_kind(st) == FS_LOCAL, fs == NULL);
    /* it works in that mode */
    TU_OK(tu_write_file(st, "/proj/net.cpp", "net", 10, &e), &e);
    assert_int_equal(tu_search_exact_count(st, "net_9"), 1);
    tu_assert_healthy(st);
    store_close(st);
    {
        /* the file itself says which journal it uses: header bytes 18-19 are 2 for WAL */
        char *db = path_join(dir, STORE_DB_NAME);
        unsigned char head[20];
        assert_int_equal(fs_read_head(db, head, sizeof(head)), sizeof(head));
        assert_int_equal(head[18], strcmp(want_mode, "wal") == 0 ? 2 : 1);
        free(db);
    }
}

static void test_network_fs_uses_rollback_journal(void **state)
{
    static const char *const kinds[] = {"nfs", "cifs", "fuse"};
    char *dir = tu_tmpdir("netfs");

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
        char name[16];
        char *cache;
        snprintf(name, sizeof(name), "c%zu", i);
        cache = path_join(dir, name);
        open_with_fs(cache, kinds[i], "delete", 1);
        /* one warning per open, every open */
        open_with_fs(cache, kinds[i], "delete", 1);
        /* the same cache on a local file system goes back to WAL, silently */
        open_with_fs(cache, NULL, "wal", 0);
        free(cache);
    }
    {
        char *cache = path_join(dir, "local");
        open_with_fs(cache, NULL, "wal", 0);
        free(cache);
    }
    unsetenv("CIDX_FS_TYPE_OVERRIDE");
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_readonly_directory),
        cmocka_unit_test(test_readonly_file),
        cmocka_unit_test(test_disk_full_keeps_committed_data),
        cmocka_unit_test(test_non_sqlite_file_moved_aside),
        cmocka_unit_test(test_damaged_pages_detected),
        cmocka_unit_test(test_no_repair_leaves_damage_untouched),
        cmocka_unit_test(test_network_fs_uses_rollback_journal),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
