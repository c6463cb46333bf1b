/*
 * store_json.c - the JSON backend (issue 5 §3): a store whose cache is persisted as legacy JSON
 * files, the fallback to it when the SQLite cache cannot be used, and the I/O-error window that
 * tells the server to switch.
 *
 * Invariants:
 *   1. The JSON files are only read by a load (store_legacy_load) and only
 *      replaced by a save whose new files are complete and synced (store_json_save).
 *   2. A save becomes the truth at one moment: when save_dir/.commit exists. Before, the next
 *      store_json_recover removes the save directory; after, it finishes the moves (roll
 *      forward), however often it is interrupted: each move is done at most once because the
 *      new files/ directory is recognized by the inode .commit records.
 *   3. Loads, saves and recoveries of one cache directory hold cache_dir/.cidx-json.lock
 *      (exclusive), so a load never sees half a save.
 *   4. The private database lives in a new directory of its own (mkdtemp) that store_close
 *      removes; nothing else uses it.
 *
 * Transitions: store_json_open (recover -> load into the private directory -> open) ->
 * writes -> store_close -> store_json_close_begin -> store_json_save (export -> commit ->
 * recover) -> store_json_close_end (remove the private directory).
 *
 * renameat2 is Linux's; elsewhere (no RENAME_EXCHANGE) files/ moves by two renames, which the
 * recovery finishes just the same.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_int.h"

#define LOCK_NAME ".cidx-json.lock"
#define SAVE_PREFIX ".cidx-json-save."
#define COMMIT_NAME ".commit"

struct store_json {
    char *json_dir;   /* the cache directory holding the JSON files */
    char *tmp_dir;    /* the private directory of the database */
    bool readonly;    /* never save */
    int64_t baseline; /* sqlite3_total_changes64 when loaded or last saved */
    uint64_t info_ino;
    int64_t info_mtime; /* cache_info.json when loaded (store_json_stale) */
    bool info_seen;
};

/* The entries of a legacy cache a save replaces, cache_info.json last (what readers open
 * first). */
static const char *const entries[] = {"files", "header_tracker.json", "parse_errors.jsonl",
                                      STORE_LEGACY_INFO};
#define NENTRIES (sizeof(entries) / sizeof(entries[0]))

bool store_json_wanted(void)
{
    const char *v = getenv("CLANG_INDEX_USE_SQLITE");
    return v && (!strcmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "no") ||
                 !strcasecmp(v, "off"));
}

static void info_stat(const char *dir, uint64_t *ino, int64_t *mtime, bool *seen)
{
    char *p = path_join(dir, STORE_LEGACY_INFO);
    struct stat sb;
    *seen = stat(p, &sb) == 0;
    *ino = *seen ? (uint64_t)sb.st_ino : 0;
    *mtime = *seen ? (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec : 0;
    free(p);
}

/* ---- recovery (invariant 2) ---------------------------------------------------------------- */

/* The tests' kill -9 at a phase of a save (CIDX_TEST_JSON_KILL=exported|committed|files). */
static void test_kill(const char *phase)
{
    const char *v = getenv("CIDX_TEST_JSON_KILL");
    if (v && !strcmp(v, phase))
        raise(SIGKILL);
}

static int exchange(const char *from, const char *to)
{
#ifdef RENAME_EXCHANGE
    return renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_EXCHANGE);
#else
    (void)from;
    (void)to;
    errno = ENOSYS;
    return -1;
#endif
}

/* Finishes the committed save in save (its .commit read into present/ino). */
static int roll_forward(const char *dir, const char *save, struct err *err)
{
    char *commit = path_join(save, COMMIT_NAME), *text = NULL;
    size_t len = 0;
    unsigned long long ino = 0;
    unsigned present = 0;
    int rc = fs_read_file(&text, &len, commit, 4096, err);

    if (rc)
        goto out;
    if (sscanf(text, "present %u files_ino %llu", &present, &ino) != 2) {
        rc = err_set(err, ERR_CORRUPT, "'%s' is not a save commit record", commit);
        goto out;
    }
    for (size_t i = 0; !rc && i < NENTRIES; i++) {
        char *neu = path_join(save, entries[i]), *cur = path_join(dir, entries[i]);
        struct stat sb;
        if (!(present & (1u << i))) {
            rc = legacy_rmtree(cur, err); /* the new save has none */
        } else if (i == 0) {
            /* files/: the new directory is the one with the recorded inode; after an exchange
               save/files is the old one */
            if (stat(neu, &sb) == 0 && (unsigned long long)sb.st_ino == ino) {
                if (!fs_exists(cur)) {
                    rc = fs_rename(neu, cur, err);
                } else if (exchange(neu, cur) != 0) {
                    char *old = path_join(save, "files.old");
                    rc = legacy_rmtree(old, err);
                    if (!rc)
                        rc = fs_rename(cur, old, err);
                    if (!rc)
                        rc = fs_rename(neu, cur, err);
                    free(old);
                }
                test_kill("files");
            }
        } else if (fs_exists(neu)) {
            rc = fs_rename(neu, cur, err); /* a file is replaced in one step */
        }
        free(neu);
        free(cur);
    }
    if (!rc)
        legacy_sync(dir, NULL);
    /* the commit goes first: a leftover without it is thrown away whole */
    if (!rc)
        rc = fs_unlink(commit, err);
    if (!rc)
        rc = legacy_rmtree(save, err);
out:
    free(commit);
    free(text);
    return rc;
}

struct leftovers {
    char **names;
    size_t n, alloc;
};

static int collect(const char *name, void *payload)
{
    struct leftovers *l = payload;
    if (!strncmp(name, SAVE_PREFIX, strlen(SAVE_PREFIX))) {
        ALLOC_GROW(l->names, l->n + 1, l->alloc);
        l->names[l->n++] = xstrdup(name);
    }
    return 0;
}

/* Under the lock. */
static int recover_locked(const char *dir, struct err *err)
{
    struct leftovers l = {NULL, 0, 0};
    int rc = fs_list_dir(dir, collect, &l, err);

    for (size_t i = 0; !rc && i < l.n; i++) {
        char *save = path_join(dir, l.names[i]), *commit = path_join(save, COMMIT_NAME);
        if (fs_exists(commit)) {
            log_warn("finishing the interrupted save of the JSON cache in '%s'", dir);
            rc = roll_forward(dir, save, err);
        } else {
            rc = legacy_rmtree(save, err); /* not committed: the old JSON stays */
        }
        free(commit);
        free(save);
    }
    for (size_t i = 0; i < l.n; i++)
        free(l.names[i]);
    free(l.names);
    return rc;
}

static int lock_dir(const char *dir, struct err *err)
{
    char *p = path_join(dir, LOCK_NAME);
    int fd = fs_lock_open(p, err);
    free(p);
    if (fd >= 0)
        fs_lock_wait(fd, true);
    return fd;
}

static void unlock_dir(int fd)
{
    if (fd >= 0) {
        fs_lock_release(fd);
        fs_close(fd);
    }
}

int store_json_recover(const char *cache_dir, struct err *err)
{
    int fd, rc;
    if (!fs_is_dir(cache_dir) || !fs_dir_writable(cache_dir))
        return 0;
    fd = lock_dir(cache_dir, err);
    if (fd < 0)
        return fd;
    rc = recover_locked(cache_dir, err);
    unlock_dir(fd);
    return rc;
}

/* ---- open ---------------------------------------------------------------------------------- */

static char *private_dir(struct err *err)
{
    const char *base = getenv("TMPDIR");
    char *tmpl = xasprintf("%s/cidx-json.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpl)) {
        err_set(err, ERR_IO, "cannot make a private directory '%s': %s", tmpl, strerror(errno));
        free(tmpl);
        return NULL;
    }
    return tmpl;
}

int store_json_open(struct store **out, const char *cache_dir, unsigned flags, struct err *err)
{
    struct store_json *js = xcalloc(1, sizeof(*js));
    struct store_legacy_report rep;
    struct store *st = NULL;
    char *info = NULL;
    unsigned sflags = flags & ~(unsigned)(STORE_OPEN_JSON | STORE_OPEN_NO_FALLBACK);
    int fd = -1, rc = 0;
    bool have;

    *out = NULL;
    memset(&rep, 0, sizeof(rep));
    js->readonly = (sflags & STORE_OPEN_READONLY) != 0;
    if (!fs_is_dir(cache_dir)) {
        if (js->readonly || (sflags & STORE_OPEN_EXISTING)) {
            rc = err_set(err, ERR_NOTFOUND, "no JSON cache in '%s' (no such directory)", cache_dir);
            goto out;
        }
        if ((rc = fs_mkdir_p(cache_dir, err)) != 0)
            goto out;
    }
    js->json_dir = path_real(cache_dir);
    if (!js->json_dir)
        js->json_dir = xstrdup(cache_dir);
    /* a read-only handle of a writable directory still takes the lock (invariant 3) and
       finishes a killed save: what it reads is one complete save */
    if (!fs_dir_writable(js->json_dir)) {
        js->readonly = true;
    } else {
        fd = lock_dir(js->json_dir, err);
        if (fd < 0) {
            rc = fd;
            goto out;
        }
        if ((rc = recover_locked(js->json_dir, err)) != 0)
            goto out;
    }
    info = path_join(js->json_dir, STORE_LEGACY_INFO);
    have = fs_exists(info);
    if (!have && (js->readonly || (sflags & STORE_OPEN_EXISTING))) {
        rc = err_set(err, ERR_NOTFOUND, "no JSON cache in '%s' (no %s)", js->json_dir,
                     STORE_LEGACY_INFO);
        goto out;
    }
    if (!(js->tmp_dir = private_dir(err))) {
        rc = ERR_IO;
        goto out;
    }
    info_stat(js->json_dir, &js->info_ino, &js->info_mtime, &js->info_seen);
    if (have) {
        rc = store_legacy_load(js->json_dir, js->tmp_dir, &rep, err);
        if (rc) {
            err_wrap(err, "cannot load the JSON cache in '%s'", js->json_dir);
            goto out;
        }
    }
    unlock_dir(fd);
    fd = -1;
    rc = store_open(&st, js->tmp_dir, js->readonly && have ? STORE_OPEN_READONLY : 0, err);
    if (rc)
        goto out;
    st->json = js;
    js->baseline = sqlite3_total_changes64(st->db);
    js = NULL;
    *out = st;
out:
    unlock_dir(fd);
    store_legacy_report_release(&rep);
    free(info);
    if (js) {
        if (js->tmp_dir)
            legacy_rmtree(js->tmp_dir, NULL);
        free(js->tmp_dir);
        free(js->json_dir);
        free(js);
    }
    return rc;
}

/* ---- save ---------------------------------------------------------------------------------- */

/* Steps 1-3 of a save of src's cache into dir, under dir's lock. */
static int save_locked(struct store *src, const char *dir, struct err *err)
{
    struct store_legacy_export_opts o;
    struct store_legacy_export_report rep;
    char *save = NULL, *commit = NULL, *text = NULL, *files = NULL;
    unsigned present = 0;
    struct stat sb;
    int rc;

    memset(&rep, 0, sizeof(rep));
    if ((rc = recover_locked(dir, err)) != 0)
        goto out;
    save = xasprintf("%s/" SAVE_PREFIX "%ld", dir, (long)getpid());
    memset(&o, 0, sizeof(o));
    o.dir = save;
    /* 1. the whole cache, complete and synced, beside the old one */
    if ((rc = store_legacy_export(src, &o, &rep, err)) != 0) {
        legacy_rmtree(save, NULL);
        goto out;
    }
    for (size_t i = 0; i < NENTRIES; i++) {
        char *p = path_join(save, entries[i]);
        if (fs_exists(p))
            present |= 1u << i;
        free(p);
    }
    files = path_join(save, "files");
    test_kill("exported");
    /* 2. the commit point */
    text = xasprintf("present %u files_ino %llu\n", present,
                     stat(files, &sb) == 0 ? (unsigned long long)sb.st_ino : 0ULL);
    commit = path_join(save, COMMIT_NAME);
    rc = fs_write_file_atomic(commit, text, strlen(text), err);
    if (!rc)
        rc = legacy_sync(save, err);
    if (rc) {
        legacy_rmtree(save, NULL);
        goto out;
    }
    test_kill("committed");
    /* 3. the moves */
    rc = roll_forward(dir, save, err);
out:
    store_legacy_export_report_release(&rep);
    free(save);
    free(commit);
    free(text);
    free(files);
    return rc;
}

int store_json_save(struct store *st, struct err *err)
{
    struct store_json *js = st ? st->json : NULL;
    int fd, rc;

    if (!js || !st->db || sqlite3_total_changes64(st->db) == js->baseline)
        return 0;
    if (js->readonly)
        return err_set(err, ERR_READONLY,
                       "the JSON cache in '%s' is read-only: the changes were not saved",
                       js->json_dir);
    if (st->in_bulk && (rc = store_bulk_end(st, err)) != 0)
        return rc;
    fd = lock_dir(js->json_dir, err);
    if (fd < 0)
        return fd;
    rc = save_locked(st, js->json_dir, err);
    unlock_dir(fd);
    if (rc)
        return err_wrap(err, "cannot save the JSON cache in '%s'", js->json_dir);
    js->baseline = sqlite3_total_changes64(st->db);
    info_stat(js->json_dir, &js->info_ino, &js->info_mtime, &js->info_seen);
    return 0;
}

int store_json_switch(struct store **stp, struct err *err)
{
    struct store *st = *stp, *js = NULL;
    char *dir, *why;
    int fd, rc;

    if (!st || st->json)
        return err_set(err, ERR_INVALID, "the cache is not a SQLite cache");
    dir = xstrdup(store_cache_dir(st));
    why =
        xasprintf("I/O errors on %u of the last %u cache operations", st->health_bad, st->health_n);
    fd = lock_dir(dir, err);
    if (fd < 0) {
        rc = fd;
        goto out;
    }
    rc = save_locked(st, dir, err);
    unlock_dir(fd);
    if (!rc)
        rc = store_json_open(&js, dir, 0, err);
    if (rc) {
        err_wrap(err, "cannot switch '%s' to the JSON backend", dir);
        goto out;
    }
    log_warn("the SQLite cache in '%s' fails (%s); switched to the JSON backend", dir, why);
    js->fallback_reason = why;
    why = NULL;
    store_close(st);
    *stp = js;
out:
    free(why);
    free(dir);
    return rc;
}

bool store_json_stale(const struct store *st)
{
    uint64_t ino;
    int64_t mtime;
    bool seen;
    if (!st || !st->json)
        return false;
    info_stat(st->json->json_dir, &ino, &mtime, &seen);
    return seen != st->json->info_seen || ino != st->json->info_ino ||
           mtime != st->json->info_mtime;
}

void store_json_close_begin(struct store *st)
{
    struct err e = {0};
    if (!st->json)
        return;
    if (store_json_save(st, &e) != 0)
        log_warn("%s", e.msg);
}

void store_json_close_end(struct store *st)
{
    struct store_json *js = st->json;
    free(st->fallback_reason);
    st->fallback_reason = NULL;
    if (!js)
        return;
    legacy_rmtree(js->tmp_dir, NULL);
    free(js->tmp_dir);
    free(js->json_dir);
    free(js);
    st->json = NULL;
}

/* ---- choosing the backend ------------------------------------------------------------------ */

static bool unusable(int rc)
{
    return rc == ERR_CORRUPT || rc == ERR_DB || rc == ERR_IO;
}

int store_open_cache(struct store **out, const char *cache_dir, unsigned flags, struct err *err)
{
    unsigned sflags = flags & ~(unsigned)(STORE_OPEN_JSON | STORE_OPEN_NO_FALLBACK);
    struct err first = {0}, e2 = {0};
    char *info = NULL;
    int rc;

    *out = NULL;
    if ((flags & STORE_OPEN_JSON) || store_json_wanted())
        return store_json_open(out, cache_dir, sflags, err);
    rc = store_open_or_migrate(out, cache_dir, sflags, &first);
    if (rc == 0)
        return 0;
    info = path_join(cache_dir, STORE_LEGACY_INFO);
    if ((flags & STORE_OPEN_NO_FALLBACK) ||
        !(unusable(rc) || (rc == ERR_READONLY && (sflags & STORE_OPEN_READONLY))) ||
        (rc == ERR_READONLY && !fs_exists(info)))
        goto fail;
    /* the database cannot be repaired here: keep it as it is for `cidx doctor` */
    if (store_json_open(out, cache_dir, unusable(rc) ? sflags : sflags | STORE_OPEN_READONLY,
                        &e2) != 0)
        goto fail;
    (*out)->fallback_reason = xstrdup(first.msg);
    log_warn("the SQLite cache in '%s' cannot be used (%s); using the JSON backend%s", cache_dir,
             first.msg, (*out)->json->readonly ? " (read-only)" : "");
    free(info);
    return 0;
fail:
    free(info);
    if (err)
        *err = first;
    return rc;
}

const char *store_backend(const struct store *st)
{
    return st && st->json ? "json" : "sqlite";
}

const char *store_fallback_reason(const struct store *st)
{
    return st ? st->fallback_reason : NULL;
}

/* ---- the I/O-error window ------------------------------------------------------------------ */

void store_health_record(struct store *st, int rc)
{
    uint8_t bad = rc == ERR_IO || rc == ERR_FULL || rc == ERR_DB;
    if (!st)
        return;
    /* the end-to-end tests' failing disk: every operation of a SQLite handle counts as failed */
    if (!st->json && getenv("CIDX_TEST_IO_ERRORS"))
        bad = 1;
    if (st->health_n == STORE_HEALTH_WINDOW)
        st->health_bad -= st->health[st->health_at];
    else
        st->health_n++;
    st->health[st->health_at] = bad;
    st->health_bad += bad;
    st->health_at = (st->health_at + 1) % STORE_HEALTH_WINDOW;
}

void store_health_fail(struct store *st, int code)
{
    unsigned last;
    if (!st || st->health_n == 0 || !(code == ERR_IO || code == ERR_FULL || code == ERR_DB))
        return;
    last = (st->health_at + STORE_HEALTH_WINDOW - 1) % STORE_HEALTH_WINDOW;
    if (!st->health[last]) {
        st->health[last] = 1;
        st->health_bad++;
    }
}

bool store_health_tripped(const struct store *st)
{
    return st && st->health_n == STORE_HEALTH_WINDOW &&
           st->health_bad * 100 > 5 * STORE_HEALTH_WINDOW;
}

unsigned store_health_failures(const struct store *st)
{
    return st ? st->health_bad : 0;
}
