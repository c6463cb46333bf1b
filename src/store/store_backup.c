/*
 * store_backup.c - copies of the cache: the online backup before a migration, damaged files
 * moved aside, listing them, and putting one back (the plan's rollback).
 *
 * Every copy lives beside the cache as symbols.db.bak.<reason>.<UTC time>, so `cidx restore`
 * finds them all in one place. A copy carries its -wal file when it had one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_int.h"

#define BAK_TAG ".bak."

static char *backup_name(const char *db_path, const char *reason)
{
    char ts[32];
    char *p;
    time_format_compact(ts, time_now());
    p = xasprintf("%s" BAK_TAG "%s.%s", db_path, reason, ts);
    for (int i = 2; fs_exists(p) && i < 1000; i++) {
        free(p);
        p = xasprintf("%s" BAK_TAG "%s.%s-%d", db_path, reason, ts, i);
    }
    return p;
}

static int backup_db(sqlite3 *src, const char *dest, struct err *err)
{
    sqlite3 *d = NULL;
    sqlite3_backup *b;
    int rc = sqlite3_open_v2(dest, &d, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK) {
        b = sqlite3_backup_init(d, "main", src, "main");
        if (!b) {
            rc = sqlite3_errcode(d);
        } else {
            do {
                rc = sqlite3_backup_step(b, 1024);
                if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
                    time_sleep_ms(5);
            } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
            sqlite3_backup_finish(b);
            if (rc == SQLITE_DONE)
                rc = SQLITE_OK;
        }
    }
    if (rc != SQLITE_OK) {
        int e = errno;
        const char *msg = d ? sqlite3_errmsg(d) : sqlite3_errstr(rc);
        int code = (rc & 0xff) == SQLITE_FULL || e == ENOSPC ? ERR_FULL : ERR_IO;
        err_set(err, code, "cannot write the backup '%s': %s", dest, msg);
        sqlite3_close_v2(d);
        unlink(dest);
        return code;
    }
    sqlite3_close_v2(d);
    return 0;
}

int store_backup_make(struct store *st, const char *reason, char **out_path, struct err *err)
{
    char *dest = backup_name(st->path, reason);
    int rc = backup_db(st->db, dest, err);
    if (rc) {
        free(dest);
        return rc;
    }
    if (out_path)
        *out_path = dest;
    else
        free(dest);
    return 0;
}

int store_backup_to(struct store *st, const char *dest_path, struct err *err)
{
    return backup_db(st->db, dest_path, err);
}

int store_move_aside(const char *db_path, const char *reason, char **out_path, struct err *err)
{
    char *dest = backup_name(db_path, reason);
    char *wal = xasprintf("%s-wal", db_path);
    char *shm = xasprintf("%s-shm", db_path);
    char *dwal = xasprintf("%s-wal", dest);
    int rc = fs_rename(db_path, dest, err);
    if (!rc && fs_exists(wal))
        rc = fs_rename(wal, dwal, err);
    if (!rc)
        fs_unlink(shm, NULL);
    free(wal);
    free(shm);
    free(dwal);
    if (rc) {
        free(dest);
        return rc;
    }
    if (out_path)
        *out_path = dest;
    else
        free(dest);
    return 0;
}

struct list_ctx {
    const char *dir;
    struct store_backup_info *v;
    size_t n, alloc;
};

static int list_one(const char *name, void *payload)
{
    struct list_ctx *c = payload;
    const char *prefix = STORE_DB_NAME BAK_TAG;
    struct store_backup_info *b;
    struct stat sb;
    const char *rest, *dot;
    char *path;

    if (!str_starts_with(name, prefix) || str_ends_with(name, "-wal") ||
        str_ends_with(name, "-shm") || str_ends_with(name, "-journal"))
        return 0;
    path = path_join(c->dir, name);
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        free(path);
        return 0;
    }
    ALLOC_GROW(c->v, c->n + 1, c->alloc);
    b = &c->v[c->n++];
    b->path = path;
    rest = name + strlen(prefix);
    dot = strrchr(rest, '.');
    b->reason = dot ? xstrndup(rest, (size_t)(dot - rest)) : xstrdup(rest);
    b->when = (double)sb.st_mtime;
    b->bytes = (int64_t)sb.st_size;
    return 0;
}

static int by_time_desc(const void *pa, const void *pb)
{
    const struct store_backup_info *a = pa, *b = pb;
    if (a->when != b->when)
        return a->when < b->when ? 1 : -1;
    return strcmp(b->path, a->path);
}

int store_backup_list(const char *cache_dir, struct store_backup_info **out, size_t *n,
                      struct err *err)
{
    struct list_ctx c = {cache_dir, NULL, 0, 0};
    int rc;
    *out = NULL;
    *n = 0;
    if (!fs_is_dir(cache_dir))
        return 0;
    rc = fs_list_dir(cache_dir, list_one, &c, err);
    if (rc) {
        store_backup_list_free(c.v, c.n);
        return rc;
    }
    if (c.n)
        qsort(c.v, c.n, sizeof(*c.v), by_time_desc);
    *out = c.v;
    *n = c.n;
    return 0;
}

void store_backup_list_free(struct store_backup_info *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(list[i].path);
        free(list[i].reason);
    }
    free(list);
}

/* Checks that path is a healthy cidx cache this binary can open. */
static int check_backup(const char *path, struct err *err)
{
    char head[16];
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    int rc;

    if (fs_read_head(path, head, sizeof(head)) != 16 || memcmp(head, "SQLite format 3", 16))
        return err_set(err, ERR_CORRUPT, "'%s' is not an SQLite database", path);
    rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check(1)", -1, &s, NULL);
    if (rc == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) {
        const char *r = (const char *)sqlite3_column_text(s, 0);
        if (!r || strcmp(r, "ok") != 0) {
            rc = err_set(err, ERR_CORRUPT, "'%s' fails integrity_check: %s", path, r ? r : "?");
            goto out;
        }
    } else {
        rc = err_set(err, ERR_CORRUPT, "'%s' cannot be read: %s", path,
                     db ? sqlite3_errmsg(db) : "open failed");
        goto out;
    }
    sqlite3_finalize(s);
    s = NULL;
    rc = 0;
    if (sqlite3_prepare_v2(db, "SELECT max(version) FROM schema_version", -1, &s, NULL) ==
            SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) > STORE_SCHEMA_VERSION)
        rc = err_set(err, ERR_VERSION,
                     "'%s' has schema version %d, newer than this cidx supports (%d)", path,
                     sqlite3_column_int(s, 0), STORE_SCHEMA_VERSION);
out:
    sqlite3_finalize(s);
    sqlite3_close_v2(db);
    return rc;
}

int store_restore(const char *cache_dir, const char *backup_path, struct err *err)
{
    char *src = strchr(backup_path, '/') ? xstrdup(backup_path) : path_join(cache_dir, backup_path);
    char *db = path_join(cache_dir, STORE_DB_NAME);
    char *session = xasprintf("%s.session", db);
    char *bulk = xasprintf("%s.bulk", db);
    char *srcwal = xasprintf("%s-wal", src);
    char *tmp = xasprintf("%s.restore-tmp", db);
    char *tmpwal = xasprintf("%s.restore-tmp-wal", db);
    char *dbwal = xasprintf("%s-wal", db);
    char *aside = NULL;
    int sfd = -1, bfd = -1, rc;

    if (!fs_exists(src)) {
        rc = err_set(err, ERR_NOTFOUND, "no backup '%s'; 'cidx restore' without a name lists them",
                     src);
        goto out;
    }
    rc = check_backup(src, err);
    if (rc)
        goto out;
    sfd = fs_lock_open(session, err);
    bfd = sfd >= 0 ? fs_lock_open(bulk, err) : -1;
    if (sfd < 0 || bfd < 0) {
        rc = ERR_IO;
        goto out;
    }
    if (fs_lock_try(sfd, true) != 0 || fs_lock_try(bfd, true) != 0) {
        rc = err_set(err, ERR_BUSY,
                     "the cache in '%s' is open in another process (a server or an indexer); "
                     "stop it before restoring",
                     cache_dir);
        goto out;
    }
    /* Copy first: the current cache is only moved once the copy is complete. */
    rc = fs_copy_file(src, tmp, err);
    if (!rc && fs_exists(srcwal))
        rc = fs_copy_file(srcwal, tmpwal, err);
    if (rc)
        goto out;
    if (fs_exists(db)) {
        rc = store_move_aside(db, "pre-restore", &aside, err);
        if (rc)
            goto out;
        log_info("kept the current cache as '%s'", aside);
    }
    if (fs_exists(tmpwal))
        rc = fs_rename(tmpwal, dbwal, err);
    if (!rc)
        rc = fs_rename(tmp, db, err);
out:
    fs_unlink(tmp, NULL);
    fs_unlink(tmpwal, NULL);
    if (sfd >= 0) {
        fs_lock_release(sfd);
        fs_close(sfd);
    }
    if (bfd >= 0) {
        fs_lock_release(bfd);
        fs_close(bfd);
    }
    free(src);
    free(db);
    free(session);
    free(bulk);
    free(srcwal);
    free(tmp);
    free(tmpwal);
    free(dbwal);
    free(aside);
    return rc;
}
