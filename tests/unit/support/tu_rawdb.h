/*
 * tu_rawdb.h - looking at a cache file from outside the store: raw sqlite3 connections for
 * inspecting or tampering with symbols.db, and whole-file snapshots to prove a file was left
 * byte-for-byte untouched.
 *
 * The helpers fail the current cmocka test on error, so they must not be used in a forked child.
 */
#ifndef CIDX_TU_RAWDB_H
#define CIDX_TU_RAWDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

/* Opens path with plain sqlite3 (read-write, no create). Close with sqlite3_close. */
sqlite3 *tu_raw_open(const char *path);
/* Creates (or opens) path and runs a script on it, then closes it. */
void tu_raw_create(const char *path, const char *sql);
/* Runs SQL with no results. */
void tu_raw_exec(sqlite3 *db, const char *sql);
/* Runs a query returning one integer (0 when no row). */
int64_t tu_raw_int(sqlite3 *db, const char *sql);
/* Opens path, runs one integer query, closes. */
int64_t tu_raw_int_at(const char *path, const char *sql);
/* True when a table, view or virtual table of that name exists in sqlite_master. */
bool tu_raw_has_object(sqlite3 *db, const char *type, const char *name);

/* A file's whole content, for byte-for-byte comparisons. */
struct tu_snapshot {
    char *data;
    size_t len;
    char digest[33]; /* XXH3-128 hex */
};
/* Reads the whole file (fails the test when it cannot). Release with tu_snapshot_release. */
void tu_snapshot_take(struct tu_snapshot *s, const char *path);
/* True when the file now has exactly the snapshot's bytes. */
bool tu_snapshot_same(const struct tu_snapshot *s, const char *path);
void tu_snapshot_release(struct tu_snapshot *s);

/* Writes len bytes to a new file (replacing it). */
void tu_write_bytes(const char *path, const void *data, size_t len);

#endif
