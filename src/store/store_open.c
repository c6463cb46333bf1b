/*
 * store_open.c - the connection lifecycle: opening (with damage handling, clean-shutdown
 * detection, network file systems), the busy handler, the statement table, transactions.
 *
 * Invariants:
 *   1. A handle owns exactly one sqlite3 connection; every prepared statement is finalized and
 *      the connection closed in store_close, whatever state the handle is in.
 *   2. Nothing is written to symbols.db before its schema version was read and found supported
 *      (a newer cache stays byte-for-byte untouched).
 *   3. A writable handle holds a shared flock on symbols.db.session while open. The process that
 *      finds the marker non-empty with nobody holding it knows the last session died, and runs
 *      quick_check. The last writable handle to close empties the marker.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_int.h"

#define SESSION_SUFFIX ".session"
#define DEFAULT_BUSY_LIMIT_MS 30000u

static int busy_handler(void *payload, int count)
{
    struct store *st = payload;
    unsigned delay;
    uint64_t elapsed_ms;

    if (count == 0)
        st->busy_started_ns = time_mono_ns();
    elapsed_ms = (time_mono_ns() - st->busy_started_ns) / 1000000u;
    if (elapsed_ms >= st->busy_limit_ms)
        return 0;
    /* exponential backoff: 1, 2, 4 ... ms, capped at 100 ms and at the time left */
    delay = count < 7 ? 1u << count : 100u;
    if (delay > 100u)
        delay = 100u;
    if (elapsed_ms + delay > st->busy_limit_ms)
        delay = (unsigned)(st->busy_limit_ms - elapsed_ms);
    time_sleep_ms(delay ? delay : 1);
    return 1;
}

void store_set_busy_limit(struct store *st, unsigned ms)
{
    st->busy_limit_ms = ms;
}

sqlite3_stmt *store_stmt(struct store *st, enum store_stmt id)
{
    sqlite3_stmt *s = st->stmt[id];
    if (!s) {
        int rc =
            sqlite3_prepare_v3(st->db, store_stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
        if (rc != SQLITE_OK) {
            log_debug("cannot prepare statement %d: %s", (int)id, sqlite3_errmsg(st->db));
            return NULL;
        }
        st->stmt[id] = s;
    } else {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
    return s;
}

void store_bind_text(sqlite3_stmt *s, int idx, const char *v)
{
    if (v)
        sqlite3_bind_text(s, idx, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, idx);
}

static int db_err_map(struct store *st, struct err *err, int rc, const char *what)
{
    int prim = rc & 0xff;
    const char *msg = st && st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc);
    const char *path = st && st->path ? st->path : "cache";

    switch (prim) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return err_set(err, ERR_BUSY,
                       "%s: cache '%s' is locked by another process (busy limit %u ms); try "
                       "again when the other writer is done",
                       what, path, st ? st->busy_limit_ms : 0);
    case SQLITE_FULL:
        return err_set(err, ERR_FULL,
                       "%s: disk full writing '%s'; nothing was lost, free some "
                       "space and run again",
                       what, path);
    case SQLITE_READONLY:
    case SQLITE_PERM:
        return err_set(err, ERR_READONLY, "%s: cache '%s' is read-only: %s", what, path, msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return err_set(err, ERR_CORRUPT, "%s: cache '%s' is damaged: %s", what, path, msg);
    case SQLITE_IOERR:
        if (rc == SQLITE_IOERR_WRITE || rc == SQLITE_IOERR_FSYNC || rc == SQLITE_IOERR_TRUNCATE) {
            int e = st && st->db ? sqlite3_system_errno(st->db) : errno;
            if (e == ENOSPC || e == EFBIG || e == EDQUOT)
                return err_set(err, ERR_FULL,
                               "%s: disk full writing '%s' (%s); nothing was lost, free some "
                               "space and run again",
                               what, path, strerror(e));
        }
        return err_set(err, ERR_IO, "%s: I/O error on '%s': %s", what, path, msg);
    case SQLITE_CANTOPEN:
        return err_set(err, ERR_IO, "%s: cannot open '%s': %s", what, path, msg);
    default:
        return err_set(err, ERR_DB, "%s: %s", what, msg);
    }
}

int store_db_err(struct store *st, struct err *err, int rc, const char *what)
{
    int code = db_err_map(st, err, rc, what);
    store_health_fail(st, code); /* the I/O-error window (store_json.c) */
    return code;
}

int store_exec(struct store *st, const char *sql, struct err *err, const char *what)
{
    int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return store_db_err(st, err, rc, what);
    return 0;
}

int store_query_int(struct store *st, const char *sql, int64_t *out, struct err *err)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int64(s, 0);
            rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_OK)
        return store_db_err(st, err, rc, "query");
    return 0;
}

static int step_done(struct store *st, enum store_stmt id, struct err *err, const char *what)
{
    sqlite3_stmt *s = store_stmt(st, id);
    int rc;
    if (!s)
        return store_db_err(st, err, sqlite3_errcode(st->db), what);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_db_err(st, err, rc, what);
    return 0;
}

int store_txn_begin(struct store *st, struct err *err)
{
    if (st->readonly)
        return err_set(err, ERR_READONLY, "cache '%s' was opened read-only", st->path);
    store_health_record(st, 0);
    return step_done(st, STMT_BEGIN_IMMEDIATE, err, "cannot start a write transaction");
}

int store_read_begin(struct store *st, bool *owned, struct err *err)
{
    *owned = false;
    if (!sqlite3_get_autocommit(st->db))
        return 0;
    *owned = true;
    store_health_record(st, 0);
    return step_done(st, STMT_BEGIN_READ, err, "cannot start reading");
}

void store_read_end(struct store *st, bool owned)
{
    if (owned && !sqlite3_get_autocommit(st->db))
        step_done(st, STMT_COMMIT, NULL, "cannot finish reading");
}

int store_txn_commit(struct store *st, struct err *err)
{
    int rc = step_done(st, STMT_COMMIT, err, "cannot commit");
    if (rc)
        store_txn_rollback(st);
    return rc;
}

void store_txn_rollback(struct store *st)
{
    if (!sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

const char *store_db_path(const struct store *st)
{
    return st->path;
}

const char *store_cache_dir(const struct store *st)
{
    return st->dir;
}

const char *store_journal_mode(const struct store *st)
{
    return st->wal ? "wal" : "delete";
}

enum fs_kind store_fs_kind(const struct store *st)
{
    return st->fs_kind;
}

char *store_default_cache_dir(const char *project_root, const char *config_path)
{
    const char *env = getenv("CLANG_INDEX_CACHE_DIR");
    struct strbuf key = STRBUF_INIT;
    const char *base;
    char *home, *res;
    uint64_t h;

    if (env && *env)
        return xstrdup(env);
    strbuf_adds(&key, project_root);
    if (config_path) {
        strbuf_addch(&key, '|');
        strbuf_adds(&key, config_path);
    }
    h = hash_bytes64(key.buf, key.len);
    strbuf_release(&key);
    base = strrchr(project_root, '/');
    base = base && base[1] ? base + 1 : project_root;
    home = path_cache_home();
    res = xasprintf("%s/cidx/%s-%016llx", home, *base ? base : "root", (unsigned long long)h);
    free(home);
    return res;
}

/* True when the first bytes of path are those of an SQLite database (or the file is empty). */
static bool looks_like_sqlite(const char *path)
{
    char head[16];
    long n = fs_read_head(path, head, sizeof(head));
    if (n == 0)
        return true;
    return n == 16 && memcmp(head, "SQLite format 3", 16) == 0;
}

static void session_begin(struct store *st, bool *dirty)
{
    char *marker = xasprintf("%s%s", st->path, SESSION_SUFFIX);
    struct stat sb;
    int fd = fs_lock_open(marker, NULL);

    *dirty = false;
    free(marker);
    if (fd < 0)
        return;
    if (fs_lock_try(fd, true) == 0) {
        static const char text[] = "open\n";
        if (fstat(fd, &sb) == 0 && sb.st_size > 0)
            *dirty = true;
        if (ftruncate(fd, 0) != 0 || pwrite(fd, text, sizeof(text) - 1, 0) < 0)
            log_debug("cannot write the session marker: %s", strerror(errno));
    }
    fs_lock_wait(fd, false);
    st->session_fd = fd;
}

/* clean: this handle's session ended normally (a failed open leaves the marker as it was) */
static void session_end(struct store *st, bool clean)
{
    if (st->session_fd < 0)
        return;
    if (clean && fs_lock_try(st->session_fd, true) == 0) {
        if (ftruncate(st->session_fd, 0) != 0)
            log_debug("cannot clear the session marker: %s", strerror(errno));
    }
    fs_close(st->session_fd);
    st->session_fd = -1;
}

static void close_db(struct store *st)
{
    for (size_t i = 0; i < STMT_COUNT_; i++) {
        sqlite3_finalize(st->stmt[i]);
        st->stmt[i] = NULL;
    }
    if (st->db) {
        store_txn_rollback(st);
        sqlite3_close_v2(st->db);
        st->db = NULL;
    }
}

static void sqlite_setup(void)
{
    /* No memory statistics: they take one process-wide mutex per allocation, which the
       threads of a bulk load (the search index built aside) would fight over. Only possible
       before SQLite initializes; a program that used SQLite first keeps them. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

void store_sqlite_setup(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sqlite_setup);
}

static int open_db(struct store *st, struct err *err)
{
    int oflags = st->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    char *uri = NULL;
    int rc;

    oflags |= SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
    store_sqlite_setup();
    {
        /* a URI, so that characters of the path cannot be read as URI syntax */
        struct strbuf sb = STRBUF_INIT;
        strbuf_adds(&sb, "file:");
        for (const char *p = st->path; *p; p++) {
            if (*p == '?' || *p == '#' || *p == '%')
                strbuf_addf(&sb, "%%%02X", (unsigned char)*p);
            else
                strbuf_addch(&sb, *p);
        }
        /* Nobody can write a cache in a read-only directory: read it as an immutable file. */
        if (st->readonly && !fs_dir_writable(st->dir))
            strbuf_adds(&sb, "?immutable=1");
        uri = strbuf_detach(&sb, NULL);
    }
    rc = sqlite3_open_v2(uri, &st->db, oflags, NULL);
    free(uri);
    if (rc != SQLITE_OK) {
        rc = store_db_err(st, err, rc, "cannot open the cache");
        close_db(st);
        return rc;
    }
    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_handler(st->db, busy_handler, st);
    rc = store_fts_register(st->db, err);
    if (rc)
        return rc;
    /* Connection settings that write nothing to the file. */
    return store_exec(st,
                      "PRAGMA recursive_triggers = ON; PRAGMA mmap_size = 0;"
                      " PRAGMA secure_delete = FAST; PRAGMA temp_store = MEMORY;"
                      " PRAGMA foreign_keys = OFF",
                      err, "cannot configure the connection");
}

static int set_journal(struct store *st, struct err *err)
{
    const char *mode = st->fs_kind == FS_LOCAL ? "wal" : "delete";
    char sql[96];
    int rc;

    if (st->fs_kind != FS_LOCAL)
        log_warn("cache directory '%s' is on a network file system (%s): using the rollback "
                 "journal instead of WAL; concurrent access is slower",
                 st->dir, fs_kind_name(st->fs_kind));
    snprintf(sql, sizeof(sql), "PRAGMA journal_mode = %s; PRAGMA synchronous = NORMAL", mode);
    /* SQLite does not call the busy handler for a journal-mode change while another process
       creates the cache: wait here, within the same limit. */
    for (int n = 0;; n++) {
        rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
        if (((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) || !busy_handler(st, n))
            break;
    }
    if (rc != SQLITE_OK)
        return store_db_err(st, err, rc, "cannot set the journal mode");
    {
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode", -1, &s, NULL) == SQLITE_OK &&
            sqlite3_step(s) == SQLITE_ROW) {
            const char *m = (const char *)sqlite3_column_text(s, 0);
            st->wal = m && !strcmp(m, "wal");
        }
        sqlite3_finalize(s);
    }
    return 0;
}

static int quick_check(struct store *st, struct err *err)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, "PRAGMA quick_check(1)", -1, &s, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const char *res = (const char *)sqlite3_column_text(s, 0);
        if (res && strcmp(res, "ok") != 0)
            rc = err_set(err, ERR_CORRUPT, "quick_check of '%s' failed: %s", st->path, res);
        else
            rc = 0;
    } else {
        rc = store_db_err(st, err, rc, "quick_check");
    }
    sqlite3_finalize(s);
    return rc;
}

static bool is_damage(int code)
{
    return code == ERR_CORRUPT;
}

/* One attempt at opening; ERR_CORRUPT tells the caller to move the file aside and retry. */
static int open_attempt(struct store *st, struct err *err)
{
    bool exists = fs_exists(st->path);
    bool dirty = false;
    int rc, version = -1;

    if (exists && !looks_like_sqlite(st->path))
        return err_set(err, ERR_CORRUPT, "'%s' is not an SQLite database", st->path);
    if (!exists && st->readonly)
        return err_set(err, ERR_NOTFOUND, "no cache at '%s'; run 'cidx index' first", st->path);
    if (!exists && (st->flags & STORE_OPEN_EXISTING))
        return err_set(err, ERR_NOTFOUND, "no cache at '%s'; run 'cidx index' first", st->path);
    rc = open_db(st, err);
    if (rc)
        return rc;
    if (!st->readonly && sqlite3_db_readonly(st->db, "main") == 1)
        return err_set(err, ERR_READONLY,
                       "cache file '%s' is read-only; make it writable or choose another cache "
                       "directory with --cache-dir",
                       st->path);
    rc = store_schema_version(st, &version, err);
    if (rc)
        return rc;
    if (version > STORE_SCHEMA_VERSION)
        return err_set(err, ERR_VERSION,
                       "cache '%s' has schema version %d, written by a newer cidx; this cidx "
                       "(%s) supports schema version %d. Use the newer cidx, or remove the cache "
                       "to rebuild it",
                       st->path, version, CIDX_VERSION, STORE_SCHEMA_VERSION);
    if (st->readonly) {
        /* a v1 cache reads as it is (v2 only adds an index): read-only commands keep working on
           a cache no writer has upgraded yet */
        if (version < STORE_SCHEMA_READABLE_MIN)
            return err_set(err, ERR_READONLY,
                           "cache '%s' has schema version %d and needs a migration to %d, but "
                           "it is read-only",
                           st->path, version, STORE_SCHEMA_VERSION);
        return 0;
    }
    session_begin(st, &dirty);
    rc = set_journal(st, err);
    if (rc)
        return rc;
    if (dirty && exists && version >= 0) {
        log_info("the last session on '%s' did not close cleanly: running quick_check", st->path);
        rc = quick_check(st, err);
        if (rc)
            return rc;
    }
    rc = store_schema_ensure(st, err);
    if (rc)
        return rc;
    return store_bulk_recover(st, err);
}

int store_open(struct store **out, const char *cache_dir, unsigned flags, struct err *err)
{
    struct store *st = xcalloc(1, sizeof(*st));
    const char *env = getenv("CIDX_BUSY_TIMEOUT_MS");
    uint64_t v;
    int rc;

    *out = NULL;
    st->flags = flags;
    st->readonly = flags & STORE_OPEN_READONLY;
    st->session_fd = -1;
    st->bulk_fd = -1;
    st->busy_limit_ms = DEFAULT_BUSY_LIMIT_MS;
    if (env && str_to_u64(&v, env, 86400000u) == 0)
        st->busy_limit_ms = (unsigned)v;
    if (!st->readonly) {
        rc = fs_mkdir_p(cache_dir, err);
        if (rc) {
            st->dir = xstrdup(cache_dir);
            goto fail;
        }
    }
    {
        char *real = path_real(cache_dir);
        st->dir = real ? real : xstrdup(cache_dir);
    }
    if (!st->readonly) {
        if (!fs_dir_writable(st->dir)) {
            rc = err_set(err, ERR_READONLY,
                         "cache directory '%s' is not writable; choose another with "
                         "--cache-dir or CLANG_INDEX_CACHE_DIR",
                         st->dir);
            goto fail;
        }
    } else if (!fs_is_dir(st->dir)) {
        rc = err_set(err, ERR_NOTFOUND, "no cache directory '%s'; run 'cidx index' first", st->dir);
        goto fail;
    }
    st->path = path_join(st->dir, STORE_DB_NAME);
    st->fs_kind = fs_detect_kind(st->dir);

    rc = open_attempt(st, err);
    if (rc && is_damage(rc) && !st->readonly && !(flags & STORE_OPEN_NO_REPAIR)) {
        char *aside = NULL;
        struct err e2;
        log_warn("%s", err ? err->msg : "the cache is damaged");
        session_end(st, true);
        close_db(st);
        if (store_move_aside(st->path, "corrupt", &aside, &e2) != 0) {
            rc =
                err_set(err, e2.code, "the cache is damaged and cannot be moved aside: %s", e2.msg);
            goto fail;
        }
        log_warn("moved the damaged cache aside to '%s' and started a fresh one; 'cidx restore' "
                 "lists it",
                 aside);
        free(aside);
        err_clear(err);
        rc = open_attempt(st, err);
    }
    if (rc)
        goto fail;
    st->opened = true;
    if (!st->readonly)
        store_size_warning(st);
    *out = st;
    return 0;
fail:
    store_close(st);
    return rc;
}

void store_close(struct store *st)
{
    if (!st)
        return;
    store_json_close_begin(st);
    if (st->db && !st->readonly) {
        if (st->in_bulk) {
            struct err e;
            if (store_bulk_end(st, &e) != 0)
                log_warn("the bulk load was not finished (%s); the next open finishes it", e.msg);
        }
        store_qstats_flush(st, NULL);
    }
    store_bulk_forget(st);
    close_db(st);
    session_end(st, st->opened);
    fs_close(st->bulk_fd);
    store_json_close_end(st);
    free(st->dir);
    free(st->path);
    free(st);
}
