/*
 * tu_rawdb.c - see tu_rawdb.h.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "tu_rawdb.h"

#define SNAPSHOT_MAX ((size_t)1 << 30)

sqlite3 *tu_raw_open(const char *path)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
    if (rc != SQLITE_OK) {
        char msg[512];
        snprintf(msg, sizeof(msg), "%s", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        fail_msg("sqlite3_open_v2('%s') failed: %s", path, msg);
    }
    sqlite3_busy_timeout(db, 10000);
    return db;
}

void tu_raw_create(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        fail_msg("cannot create '%s'", path);
    }
    tu_raw_exec(db, sql);
    sqlite3_close(db);
}

void tu_raw_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        char copy[512];
        snprintf(copy, sizeof(copy), "%s", msg ? msg : "?");
        sqlite3_free(msg);
        fail_msg("sql failed: %s: %s", sql, copy);
    }
}

int64_t tu_raw_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    int64_t v = 0;
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) {
            v = sqlite3_column_int64(s, 0);
            rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_OK)
        fail_msg("query failed: %s: %s", sql, sqlite3_errmsg(db));
    return v;
}

int64_t tu_raw_int_at(const char *path, const char *sql)
{
    sqlite3 *db = tu_raw_open(path);
    int64_t v = tu_raw_int(db, sql);
    sqlite3_close(db);
    return v;
}

bool tu_raw_has_object(sqlite3 *db, const char *type, const char *name)
{
    sqlite3_stmt *s = NULL;
    bool found = false;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = ?1 AND name = ?2", -1, &s,
                           NULL) != SQLITE_OK)
        fail_msg("cannot read sqlite_master: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(s, 1, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    found = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    return found;
}

void tu_snapshot_take(struct tu_snapshot *s, const char *path)
{
    struct err e = {0};
    memset(s, 0, sizeof(*s));
    if (fs_read_file(&s->data, &s->len, path, SNAPSHOT_MAX, &e) != 0)
        fail_msg("cannot read '%s': %s", path, e.msg);
    if (hash_file_hex(s->digest, path, &e) != 0)
        fail_msg("cannot hash '%s': %s", path, e.msg);
}

bool tu_snapshot_same(const struct tu_snapshot *s, const char *path)
{
    struct err e = {0};
    char *data = NULL;
    char digest[33];
    size_t len = 0;
    bool same;

    if (fs_read_file(&data, &len, path, SNAPSHOT_MAX, &e) != 0)
        return false;
    same = len == s->len && memcmp(data, s->data, len) == 0;
    free(data);
    if (same && (hash_file_hex(digest, path, &e) != 0 || strcmp(digest, s->digest) != 0))
        same = false;
    return same;
}

void tu_snapshot_release(struct tu_snapshot *s)
{
    free(s->data);
    memset(s, 0, sizeof(*s));
}

void tu_write_bytes(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const char *p = data;
    if (fd < 0)
        fail_msg("cannot create '%s'", path);
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n <= 0) {
            close(fd);
            fail_msg("cannot write '%s'", path);
        }
        p += n;
        len -= (size_t)n;
    }
    close(fd);
}
