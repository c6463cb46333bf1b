/*
 * store_files.c - the file records as the indexer plans with them: the walk over every indexed
 * file, recording a touch (new mtime and size, same content), the reverse include graph (who
 * has to be parsed again when a header changes), and headers nothing includes any more.
 *
 * The walk and the graph read in one read transaction each, so they see one snapshot even
 * while an indexer writes. All of this works during a bulk load too: the includers' level query
 * has no index there (includes_included is built at the end) and scans includes once per level.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

static const char *col_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

/*
 * The walk reads every row before the first call of fn, then ends its read transaction: fn may
 * then use the handle for anything, writes included (an indexer deletes and touches files as it
 * walks). A cache holds some thousands of files, so the copy is small.
 */
int store_file_each(struct store *st, store_file_fn fn, void *ctx, struct err *err)
{
    struct arena a = ARENA_INIT;
    struct store_file_info *rows = NULL;
    size_t n = 0, alloc = 0;
    sqlite3_stmt *s;
    bool reading = false;
    int rc;

    rc = store_read_begin(st, &reading, err);
    if (rc)
        return rc;
    s = store_stmt(st, STMT_FILE_EACH);
    if (!s) {
        rc = store_db_err(st, err, sqlite3_errcode(st->db), "cannot list the files");
        goto out;
    }
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_file_info *fi;
        ALLOC_GROW(rows, n + 1, alloc);
        fi = &rows[n++];
        fi->path = arena_strdup(&a, col_text(s, 0));
        fi->hash = arena_strdup(&a, col_text(s, 1) ? col_text(s, 1) : "");
        fi->args_hash = arena_strdup(&a, col_text(s, 2));
        fi->mtime_ns = sqlite3_column_int64(s, 3);
        fi->size = sqlite3_column_int64(s, 4);
        fi->indexed_at = sqlite3_column_double(s, 5);
        fi->symbol_count = sqlite3_column_int64(s, 6);
        fi->is_project = sqlite3_column_int(s, 7) != 0;
        fi->is_header = sqlite3_column_int(s, 8) != 0;
    }
    sqlite3_reset(s);
    rc = rc == SQLITE_DONE ? 0 : store_db_err(st, err, rc, "cannot list the files");
out:
    store_read_end(st, reading);
    for (size_t i = 0; !rc && i < n; i++)
        rc = fn(ctx, &rows[i]);
    free(rows);
    arena_release(&a);
    return rc;
}

int store_file_touch(struct store *st, const char *path, int64_t mtime_ns, int64_t size,
                     struct err *err)
{
    /* One UPDATE is atomic by itself: inside an open bulk group it needs no savepoint of its
       own (a failure leaves the group as it was); otherwise it gets its own transaction. */
    bool own = !st->bulk_txn_open;
    sqlite3_stmt *s;
    int rc = 0, changed = 0;

    if (!path || !*path)
        return err_set(err, ERR_INVALID, "no file path given");
    if (own) {
        rc = store_txn_begin(st, err);
        if (rc)
            return rc;
    }
    s = store_stmt(st, STMT_FILE_TOUCH);
    if (!s) {
        rc = store_db_err(st, err, sqlite3_errcode(st->db), "cannot update the file record");
    } else {
        sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, mtime_ns);
        sqlite3_bind_int64(s, 3, size);
        rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc == SQLITE_DONE) {
            changed = sqlite3_changes(st->db);
            rc = 0;
        } else {
            rc = store_db_err(st, err, rc, "cannot update the file record");
        }
    }
    if (!rc && !changed)
        rc = err_set(err, ERR_NOTFOUND, "'%s' is not in the cache", path);
    if (own) {
        if (rc)
            store_txn_rollback(st);
        else
            rc = store_txn_commit(st, err);
    }
    if (rc && rc != ERR_NOTFOUND)
        err_wrap(err, "cannot record a touch of '%s'", path);
    return rc;
}

/* ---- the reverse include graph ---------------------------------------------------------- */

/* A set of file ids (ids are > 0; 0 marks a free slot). */
struct idset {
    int64_t *slot;
    size_t cap, n;
};

static size_t idset_pos(const struct idset *set, int64_t id)
{
    size_t mask = set->cap - 1, i = (size_t)hash_bytes64(&id, sizeof(id)) & mask;
    while (set->slot[i] && set->slot[i] != id)
        i = (i + 1) & mask;
    return i;
}

/* Adds id; false when it was already there. */
static bool idset_add(struct idset *set, int64_t id)
{
    size_t i;
    if ((set->n + 1) * 2 > set->cap) {
        struct idset old = *set;
        set->cap = old.cap ? old.cap * 2 : 64;
        set->slot = xcalloc(set->cap, sizeof(*set->slot));
        for (size_t k = 0; k < old.cap; k++)
            if (old.slot[k])
                set->slot[idset_pos(set, old.slot[k])] = old.slot[k];
        free(old.slot);
    }
    i = idset_pos(set, id);
    if (set->slot[i])
        return false;
    set->slot[i] = id;
    set->n++;
    return true;
}

struct paths {
    char **v;
    size_t n, alloc;
};

static void paths_add(struct paths *p, const char *path)
{
    ALLOC_GROW(p->v, p->n + 2, p->alloc);
    p->v[p->n++] = xstrdup(path ? path : "");
    p->v[p->n] = NULL;
}

static void paths_free(struct paths *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i]);
    free(p->v);
    memset(p, 0, sizeof(*p));
}

/* Hands the list over NULL-terminated (also when empty), as idx_argv_free expects. */
static void paths_detach(struct paths *p, char ***out, size_t *n)
{
    if (!p->v)
        p->v = xcalloc(1, sizeof(*p->v));
    *out = p->v;
    *n = p->n;
    memset(p, 0, sizeof(*p));
}

/*
 * Breadth-first, one statement per level: level k + 1 is every file that includes a file of
 * level k and was not seen before. The visited set makes cycles harmless; the start is seen
 * from the beginning, so it is never part of the answer. Within a level the paths come in
 * path order, so the list is nearest first and deterministic.
 */
int store_file_includers(struct store *st, const char *path, char ***out, size_t *n,
                         struct err *err)
{
    struct idset seen = {0};
    struct paths res = {0};
    struct strbuf level = STRBUF_INIT;
    int64_t *next = NULL;
    size_t nnext = 0, alloc = 0;
    int64_t start = 0;
    bool reading = false;
    int rc;

    *out = NULL;
    *n = 0;
    if (!path || !*path)
        return err_set(err, ERR_INVALID, "no file path given");
    rc = store_read_begin(st, &reading, err);
    if (rc)
        return rc;
    rc = store_file_ensure(st, path, false, &start, err);
    if (rc || !start)
        goto out;
    idset_add(&seen, start);
    strbuf_addf(&level, "[%lld]", (long long)start);
    while (level.len) {
        sqlite3_stmt *s = store_stmt(st, STMT_FILE_INCLUDERS);
        if (!s) {
            rc = store_db_err(st, err, sqlite3_errcode(st->db), "cannot read the include graph");
            goto out;
        }
        sqlite3_bind_text(s, 1, level.buf, (int)level.len, SQLITE_STATIC);
        nnext = 0;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            int64_t id = sqlite3_column_int64(s, 0);
            if (!idset_add(&seen, id))
                continue;
            ALLOC_GROW(next, nnext + 1, alloc);
            next[nnext++] = id;
            paths_add(&res, col_text(s, 1));
        }
        sqlite3_reset(s);
        if (rc != SQLITE_DONE) {
            rc = store_db_err(st, err, rc, "cannot read the include graph");
            goto out;
        }
        rc = 0;
        strbuf_reset(&level);
        for (size_t i = 0; i < nnext; i++)
            strbuf_addf(&level, "%c%lld", i ? ',' : '[', (long long)next[i]);
        if (nnext)
            strbuf_addch(&level, ']');
    }
out:
    store_read_end(st, reading);
    if (!rc)
        paths_detach(&res, out, n);
    else
        err_wrap(err, "cannot list the includers of '%s'", path);
    paths_free(&res);
    strbuf_release(&level);
    free(next);
    free(seen.slot);
    return rc;
}

int store_orphan_headers(struct store *st, char ***out, size_t *n, struct err *err)
{
    struct paths res = {0};
    sqlite3_stmt *s;
    bool reading = false;
    int rc;

    *out = NULL;
    *n = 0;
    rc = store_read_begin(st, &reading, err);
    if (rc)
        return rc;
    s = store_stmt(st, STMT_ORPHAN_HEADERS);
    if (!s) {
        rc = store_db_err(st, err, sqlite3_errcode(st->db), "cannot list orphan headers");
    } else {
        while ((rc = sqlite3_step(s)) == SQLITE_ROW)
            paths_add(&res, col_text(s, 0));
        sqlite3_reset(s);
        rc = rc == SQLITE_DONE ? 0 : store_db_err(st, err, rc, "cannot list orphan headers");
    }
    store_read_end(st, reading);
    if (!rc)
        paths_detach(&res, out, n);
    paths_free(&res);
    return rc;
}
