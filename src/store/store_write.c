/*
 * store_write.c - writing: one file's batch replaces everything the file contributed, deleting a
 * file, bulk mode for first-time indexing, and store_bulk_load (a whole dataset at once).
 *
 * Invariants:
 *   1. Every row of decls, refs, bases, overrides and includes carries the file_id of the file
 *      that contributed it, and only writes of that file add or remove it.
 *   2. A symbol row exists while some file declares it or some edge points at it. A symbol that
 *      only edges point at is a placeholder: file_id NULL, hidden from search. In a bulk load
 *      into an empty cache a placeholder may be only a record (bulk_cache.pend) until its
 *      declaring file inserts the row under the reserved id; pending_flush inserts the rest
 *      before every group commit, so a committed edge never points at a missing row.
 *   3. symbols.file_id/line/col is the symbol's best declaration: a definition first, then the
 *      smallest (path, line, col). store_write_batch_locked restores it for every symbol whose
 *      declarations changed (the temp.touched set) before it returns. In bulk mode, a
 *      placeholder the load inserted and no file has declared since (bulk_cache.bare) gets its
 *      location from the first file that declares it directly: those are all its declarations.
 *   4. symbols_fts follows symbols through triggers, except in bulk mode, where the triggers and
 *      the read-only indexes are dropped (cache_metadata bulk_pending = 1) and store_bulk_end or
 *      the next store_open rebuilds them (store_bulk_recover). A bulk load into an empty cache
 *      drops symbols_usr too, and recreates it before its first SQL lookup by usr (lookup_usr,
 *      once the bulk cache is no longer complete) or at the end (bulk_finish_locked); its search
 *      index is built aside meanwhile (store_fts_side.c) and put in place at the end, or rebuilt
 *      when anything may have made it differ.
 *
 * Transitions: store_file_replace (normal: one transaction per file; bulk: a savepoint per file
 * inside a group transaction), store_file_delete, store_bulk_begin -> store_bulk_end.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define BULK_GROUP_FILES 1024

/* ---- a small string -> id map, borrowed keys, per batch ---------------------------------- */

struct idmap_slot {
    const char *key;
    uint64_t hash;
    int64_t value;
};

struct idmap {
    struct idmap_slot *slots;
    size_t cap, n;
};

static void idmap_free(struct idmap *m)
{
    free(m->slots);
    memset(m, 0, sizeof(*m));
}

static struct idmap_slot *idmap_find(struct idmap *m, const char *key, uint64_t h)
{
    size_t mask = m->cap - 1, i = h & mask;
    while (m->slots[i].key) {
        if (m->slots[i].hash == h && !strcmp(m->slots[i].key, key))
            return &m->slots[i];
        i = (i + 1) & mask;
    }
    return &m->slots[i];
}

static bool idmap_get(struct idmap *m, const char *key, int64_t *value)
{
    struct idmap_slot *s;
    if (!m->n)
        return false;
    s = idmap_find(m, key, hash_bytes64(key, strlen(key)));
    if (!s->key)
        return false;
    *value = s->value;
    return true;
}

static void idmap_put(struct idmap *m, const char *key, int64_t value)
{
    uint64_t h = hash_bytes64(key, strlen(key));
    struct idmap_slot *s;
    if ((m->n + 1) * 2 > m->cap) {
        struct idmap old = *m;
        m->cap = m->cap ? m->cap * 2 : 64;
        m->slots = xcalloc(m->cap, sizeof(*m->slots));
        m->n = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.slots[i].key)
                *idmap_find(m, old.slots[i].key, old.slots[i].hash) = old.slots[i], m->n++;
        free(old.slots);
    }
    s = idmap_find(m, key, h);
    if (!s->key)
        m->n++;
    s->key = key;
    s->hash = h;
    s->value = value;
}

/*
 * The bulk cache: during a bulk load, the usr -> id of every symbol the load has seen. When the
 * load began on an empty cache and nothing else has written since, it is complete: a usr it
 * does not hold does not exist, and no SQL lookup is needed. Anything that could make it wrong
 * empties it (a symbol deleted, a file's savepoint rolled back, another connection's commit
 * seen through PRAGMA data_version); lookups then go to SQL again.
 */
#define BULK_CACHE_MAX 2000000u

struct bulk_cache {
    struct idmap map;
    size_t max; /* usrs it learns at most (BULK_CACHE_MAX; tests make it small) */
    struct arena keys;
    bool complete;
    int64_t data_version;
    /* bare[id] != 0: a placeholder this load inserted that no file has declared since, so it
       has no declarations and the file that declares it gives its location alone */
    unsigned char *bare;
    size_t nbare;
    bool usr_index_dropped; /* this load dropped symbols_usr */
    bool usr_index_missing; /* ... and may not have recreated it */
    /* Deferred placeholders (a load into an empty cache). The load hands out symbol ids itself
       (assign_ids, next_id: the ids SQLite would have chosen, in the same order), and a
       placeholder is only a record in pend until the file that declares the symbol inserts its
       whole row under the reserved id - one insert instead of an insert and two updates. The
       others are inserted as plain placeholders by pending_flush: before every group commit,
       and before anything that empties the cache (SQL lookups could not see them). undo holds
       the current file's changes to pend, for its savepoint's rollback. */
    bool assign_ids;
    int64_t next_id;
    struct pending *pend;
    size_t npend, apend;
    uint32_t *pidx; /* pidx[id]: 1 + its index in pend while pending, else 0 */
    size_t npidx;
    struct arena pend_mem;
    struct pending_undo *undo;
    size_t nundo, aundo;
};

struct pending {
    int64_t id, scope_id, created;
    const char *usr, *name;
    enum store_kind kind;
};

enum pending_change { PENDING_ADDED, PENDING_TAKEN, PENDING_DROPPED };

struct pending_undo {
    int64_t id;
    uint32_t index; /* into pend */
    enum pending_change change;
};

static int64_t data_version(struct store *st)
{
    int64_t v = -1;
    store_query_int(st, "PRAGMA data_version", &v, NULL);
    return v;
}

static const struct pending *pending_get(const struct bulk_cache *c, int64_t id)
{
    if (!c || id <= 0 || (size_t)id >= c->npidx || !c->pidx[id])
        return NULL;
    return &c->pend[c->pidx[id] - 1];
}

static void pending_set(struct bulk_cache *c, int64_t id, uint32_t v)
{
    if ((size_t)id >= c->npidx) {
        size_t n = c->npidx ? c->npidx : 4096;
        while (n <= (size_t)id)
            n *= 2;
        c->pidx = xrealloc(c->pidx, n * sizeof(*c->pidx));
        memset(c->pidx + c->npidx, 0, (n - c->npidx) * sizeof(*c->pidx));
        c->npidx = n;
    }
    c->pidx[id] = v;
}

static void pending_note(struct bulk_cache *c, int64_t id, enum pending_change change)
{
    ALLOC_GROW(c->undo, c->nundo + 1, c->aundo);
    c->undo[c->nundo].id = id;
    c->undo[c->nundo].index = c->pidx[id] ? c->pidx[id] - 1 : 0;
    c->undo[c->nundo++].change = change;
}

/* The symbol stops being pending (its row is inserted, or nothing points at it any more). */
static void pending_end(struct bulk_cache *c, int64_t id, enum pending_change change)
{
    pending_note(c, id, change);
    c->pidx[id] = 0;
}

/* A savepoint was rolled back: the file's changes to pend are taken back, newest first. */
static void pending_undo_file(struct bulk_cache *c)
{
    while (c && c->nundo) {
        const struct pending_undo *u = &c->undo[--c->nundo];
        pending_set(c, u->id, u->change == PENDING_ADDED ? 0 : u->index + 1);
    }
}

static void pending_forget(struct bulk_cache *c)
{
    if (!c)
        return;
    free(c->pend);
    free(c->pidx);
    free(c->undo);
    arena_release(&c->pend_mem);
    c->pend = NULL;
    c->pidx = NULL;
    c->undo = NULL;
    c->npend = c->apend = c->npidx = c->nundo = c->aundo = 0;
}

/* The id for a new symbol row: 0 = SQLite's choice. */
static int64_t new_symbol_id(struct store *st)
{
    struct bulk_cache *c = st->bulk_cache;
    return c && c->assign_ids ? c->next_id++ : 0;
}

/* Inserts a placeholder row (a symbol known only by usr), as a reference or a base makes it. */
static int insert_placeholder(struct store *st, int64_t id, const char *usr, const char *name,
                              enum store_kind kind, int64_t sid, int64_t now, struct err *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_SYM_INSERT);
    int rc;
    if (!s)
        return store_db_err(st, err, sqlite3_errcode(st->db), "cannot add a symbol");
    sqlite3_bind_text(s, 1, usr, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, hash_key31(usr));
    sqlite3_bind_text(s, 3, name ? name : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, sid);
    sqlite3_bind_int(s, 5, (int)kind);
    sqlite3_bind_int(s, 6, 0);
    for (int i = 7; i <= 10; i++)
        sqlite3_bind_null(s, i);
    sqlite3_bind_int(s, 11, 0);
    sqlite3_bind_int(s, 12, 0);
    sqlite3_bind_int(s, 13, 0);
    for (int i = 14; i <= 17; i++)
        sqlite3_bind_null(s, i);
    sqlite3_bind_int64(s, 18, now);
    sqlite3_bind_int(s, 19, 0);
    if (id)
        sqlite3_bind_int64(s, 20, id);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_db_err(st, err, rc, "cannot add a symbol");
    return 0;
}

/* Inserts every pending placeholder as a plain one, in id order (as they were reserved). */
static int pending_flush(struct store *st, struct err *err)
{
    struct bulk_cache *c = st->bulk_cache;
    int rc = 0;
    if (!c)
        return 0;
    for (size_t i = 0; !rc && i < c->npend; i++) {
        const struct pending *p = &c->pend[i];
        if (pending_get(c, p->id) != p)
            continue;
        rc = insert_placeholder(st, p->id, p->usr, p->name, p->kind, p->scope_id, p->created, err);
    }
    if (!rc)
        pending_forget(c);
    return rc;
}

static void bulk_cache_invalidate(struct store *st)
{
    struct bulk_cache *c = st->bulk_cache;
    if (!c)
        return;
    /* every pending placeholder was inserted or taken back by now (pending_flush) */
    pending_forget(c);
    c->assign_ids = false;
    idmap_free(&c->map);
    arena_release(&c->keys);
    free(c->bare);
    c->bare = NULL;
    c->nbare = 0;
    c->complete = false;
    /* a rollback may have taken back the index lookup_usr recreated */
    c->usr_index_missing = c->usr_index_dropped;
}

static void bulk_cache_set_bare(struct store *st, int64_t id, bool bare)
{
    struct bulk_cache *c = st->bulk_cache;
    if (!c || id <= 0)
        return;
    if ((size_t)id >= c->nbare) {
        size_t n;
        if (!bare)
            return;
        n = c->nbare ? c->nbare : 4096;
        while (n <= (size_t)id)
            n *= 2;
        c->bare = xrealloc(c->bare, n);
        memset(c->bare + c->nbare, 0, n - c->nbare);
        c->nbare = n;
    }
    c->bare[id] = bare;
}

static bool bulk_cache_is_bare(const struct store *st, int64_t id)
{
    const struct bulk_cache *c = st->bulk_cache;
    return c && id > 0 && (size_t)id < c->nbare && c->bare[id];
}

static void bulk_cache_put(struct store *st, const char *usr, int64_t id)
{
    struct bulk_cache *c = st->bulk_cache;
    if (!c)
        return;
    if (c->map.n >= c->max) {
        int64_t old;
        c->complete = false; /* keeps what it has, learns no more */
        /* but what it has must stay right: a usr it holds (a tombstone) gets its new id */
        if (!idmap_get(&c->map, usr, &old))
            return;
    }
    idmap_put(&c->map, arena_strdup(&c->keys, usr), id);
}

static void bulk_cache_free(struct store *st)
{
    bulk_cache_invalidate(st);
    free(st->bulk_cache);
    st->bulk_cache = NULL;
}

/* ---- helpers ---------------------------------------------------------------------------- */

struct merged;

/* A new symbol's row waiting for a multi-row insert (a bulk load that hands out the ids). */
struct symrow {
    const struct merged *m;
    int64_t id, scope, created;
    bool is_project;
    char *sig; /* owned */
};

#define SYM_ROWS 16 /* rows per multi-row INSERT of symbols */

struct wctx {
    struct store *st;
    struct err *err;
    int64_t file_id;
    int64_t now;
    struct idmap usr_ids;
    struct idmap scope_ids;
    struct symrow rows[SYM_ROWS];
    size_t nrows;
};

static int fail(struct wctx *w, int rc, const char *what)
{
    return store_db_err(w->st, w->err, rc, what);
}

/* Steps a write statement to completion. */
static int run(struct wctx *w, sqlite3_stmt *s, const char *what)
{
    int rc;
    if (!s)
        return fail(w, sqlite3_errcode(w->st->db), what);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return fail(w, rc, what);
    return 0;
}

static int lookup_usr(struct wctx *w, const char *usr, int64_t *id)
{
    struct bulk_cache *c = w->st->bulk_cache;
    sqlite3_stmt *s;
    int rc;
    *id = 0;
    if (c) {
        if (idmap_get(&c->map, usr, id))
            return 0;
        if (c->complete)
            return 0;
        if (c->usr_index_missing) {
            int erc = store_exec(w->st, store_usr_index_sql, w->err, "cannot index symbols");
            if (erc)
                return erc;
            c->usr_index_missing = false;
        }
    }
    s = store_stmt(w->st, STMT_SYM_BY_KEY);
    if (!s)
        return fail(w, sqlite3_errcode(w->st->db), "cannot look up a symbol");
    sqlite3_bind_int64(s, 1, hash_key31(usr));
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *u = (const char *)sqlite3_column_text(s, 1);
        if (u && !strcmp(u, usr)) {
            *id = sqlite3_column_int64(s, 0);
            break;
        }
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return fail(w, rc, "cannot look up a symbol");
    if (*id)
        bulk_cache_put(w->st, usr, *id);
    return 0;
}

static int scope_id(struct wctx *w, const struct store_symbol *sym, int64_t *out)
{
    const char *q = sym->scope ? sym->scope : "";
    sqlite3_stmt *s;
    int rc;

    *out = 0;
    if (!*q)
        return 0;
    if (idmap_get(&w->scope_ids, q, out))
        return 0;
    s = store_stmt(w->st, STMT_SCOPE_ID);
    if (!s)
        return fail(w, sqlite3_errcode(w->st->db), "cannot look up a scope");
    sqlite3_bind_text(s, 1, q, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(s, 0);
        sqlite3_reset(s);
    } else {
        const char *last = q;
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            return fail(w, rc, "cannot look up a scope");
        for (const char *p = q; (p = strstr(p, "::")) != NULL; p += 2)
            last = p + 2;
        s = store_stmt(w->st, STMT_SCOPE_INSERT);
        if (!s)
            return fail(w, sqlite3_errcode(w->st->db), "cannot add a scope");
        sqlite3_bind_text(s, 1, q, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, last, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, sym->scope_ns ? sym->scope_ns : q, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 4, (int)sym->scope_kind);
        rc = run(w, s, "cannot add a scope");
        if (rc)
            return rc;
        *out = sqlite3_last_insert_rowid(w->st->db);
    }
    idmap_put(&w->scope_ids, q, *out);
    return 0;
}

static int touch(struct wctx *w, int64_t id)
{
    sqlite3_stmt *s = store_stmt(w->st, STMT_TOUCH_ADD);
    if (s)
        sqlite3_bind_int64(s, 1, id);
    return run(w, s, "cannot track a changed symbol");
}

/* Placeholder for a symbol known only by usr (the target of a reference, a base...). */
static int ensure_symbol_in(struct wctx *w, const char *usr, const char *name, enum store_kind kind,
                            const char *scope, const char *ns, int64_t *id)
{
    int rc;
    int64_t sid = 0;

    if (idmap_get(&w->usr_ids, usr, id))
        return 0;
    rc = lookup_usr(w, usr, id);
    if (rc)
        return rc;
    if (!*id) {
        if (scope && *scope) {
            struct store_symbol parent;
            memset(&parent, 0, sizeof(parent));
            parent.scope = scope;
            parent.scope_ns = ns;
            rc = scope_id(w, &parent, &sid);
            if (rc)
                return rc;
        }
        struct bulk_cache *c = w->st->bulk_cache;
        int64_t want = new_symbol_id(w->st);
        if (want && c->complete && c->map.n < c->max) {
            /* deferred: a record now, a row when its file declares it or at the next flush */
            struct pending *p;
            ALLOC_GROW(c->pend, c->npend + 1, c->apend);
            p = &c->pend[c->npend];
            p->id = want;
            p->scope_id = sid;
            p->created = w->now;
            p->kind = kind;
            p->usr = arena_strdup(&c->pend_mem, usr);
            p->name = name ? arena_strdup(&c->pend_mem, name) : NULL;
            pending_set(c, want, (uint32_t)++c->npend);
            pending_note(c, want, PENDING_ADDED);
            *id = want;
        } else {
            rc = insert_placeholder(w->st, want, usr, name, kind, sid, w->now, w->err);
            if (rc)
                return rc;
            *id = want ? want : sqlite3_last_insert_rowid(w->st->db);
        }
        bulk_cache_put(w->st, usr, *id);
        bulk_cache_set_bare(w->st, *id, true);
    }
    idmap_put(&w->usr_ids, usr, *id);
    return 0;
}

static int ensure_symbol(struct wctx *w, const char *usr, const char *name, enum store_kind kind,
                         int64_t *id)
{
    return ensure_symbol_in(w, usr, name, kind, NULL, NULL, id);
}

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

/* One symbol of the batch, merged over its records in the file. */
struct merged {
    const struct store_symbol *auth; /* the record whose properties win */
    const struct store_symbol *loc;  /* the record that gives the location */
    const char *brief, *doc;
};

static bool better_loc(const struct store_symbol *a, const struct store_symbol *b)
{
    if (a->is_definition != b->is_definition)
        return a->is_definition;
    if (a->range.line != b->range.line)
        return a->range.line < b->range.line;
    return a->range.col < b->range.col;
}

/* Binds one symrow at parameter base + 1.. in the column order of STMT_SYM_ROW(S). */
static void bind_symrow(sqlite3_stmt *s, int base, const struct wctx *w, const struct symrow *r)
{
    const struct store_symbol *a = r->m->auth;
    sqlite3_bind_int64(s, base + 1, r->id);
    sqlite3_bind_text(s, base + 2, a->usr, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, base + 3, hash_key31(a->usr));
    sqlite3_bind_text(s, base + 4, a->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, base + 5, r->scope);
    sqlite3_bind_int(s, base + 6, (int)a->kind);
    sqlite3_bind_int(s, base + 7, r->is_project);
    sqlite3_bind_int64(s, base + 8, w->file_id);
    sqlite3_bind_int64(s, base + 9, r->m->loc->range.line);
    sqlite3_bind_int64(s, base + 10, r->m->loc->range.col);
    sqlite3_bind_text(s, base + 11, r->sig, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, base + 12, (int)a->access);
    sqlite3_bind_int(s, base + 13, (int)a->attrs);
    sqlite3_bind_int(s, base + 14, (int)a->template_kind);
    store_bind_text(s, base + 15, nonempty(a->template_params));
    store_bind_text(s, base + 16, nonempty(a->target));
    store_bind_text(s, base + 17, r->m->brief);
    store_bind_text(s, base + 18, r->m->doc);
    sqlite3_bind_int64(s, base + 19, r->created);
    sqlite3_bind_int64(s, base + 20, w->now);
    sqlite3_bind_int(s, base + 21, r->m->loc->is_definition);
}

static void drop_rows(struct wctx *w)
{
    for (size_t i = 0; i < w->nrows; i++)
        free(w->rows[i].sig);
    w->nrows = 0;
}

/* Inserts the queued rows: one multi-row INSERT when the queue is full, else one by one. */
static int flush_rows(struct wctx *w)
{
    int rc = 0;
    if (w->nrows == SYM_ROWS) {
        sqlite3_stmt *s = store_stmt(w->st, STMT_SYM_ROWS);
        for (size_t i = 0; s && i < w->nrows; i++)
            bind_symrow(s, (int)i * 21, w, &w->rows[i]);
        rc = run(w, s, "cannot add a symbol");
    } else {
        for (size_t i = 0; !rc && i < w->nrows; i++) {
            sqlite3_stmt *s = store_stmt(w->st, STMT_SYM_ROW);
            if (s)
                bind_symrow(s, 0, w, &w->rows[i]);
            rc = run(w, s, "cannot add a symbol");
        }
    }
    drop_rows(w);
    return rc;
}

static int write_symbol_sig(struct wctx *w, const struct merged *m, bool is_project, char **sigp,
                            int64_t *id)
{
    const char *sig = *sigp;
    const struct store_symbol *a = m->auth;
    const struct pending *pend;
    sqlite3_stmt *s;
    int64_t sc;
    int rc;

    rc = scope_id(w, a, &sc);
    if (rc)
        return rc;
    rc = lookup_usr(w, a->usr, id);
    if (rc)
        return rc;
    pend = pending_get(w->st->bulk_cache, *id);
    if (!*id || pend) {
        /* a new symbol, or a deferred placeholder whose row this is: the whole row at once,
           as the insert, the property update and the location update would have left it */
        int64_t want = pend ? *id : new_symbol_id(w->st);
        if (want) {
            /* the id is known: the row can wait for a multi-row insert (flush_rows) */
            struct symrow *r = &w->rows[w->nrows++];
            r->m = m;
            r->id = want;
            r->scope = sc;
            r->created = pend ? pend->created : w->now;
            r->is_project = is_project;
            r->sig = *sigp;
            *sigp = NULL;
            if (pend) {
                pending_end(w->st->bulk_cache, want, PENDING_TAKEN);
                bulk_cache_set_bare(w->st, want, false);
            } else {
                bulk_cache_put(w->st, a->usr, want);
            }
            *id = want;
            idmap_put(&w->usr_ids, a->usr, *id);
            return w->nrows == SYM_ROWS ? flush_rows(w) : 0;
        }
        s = store_stmt(w->st, STMT_SYM_INSERT);
        if (!s)
            return fail(w, sqlite3_errcode(w->st->db), "cannot add a symbol");
        sqlite3_bind_text(s, 1, a->usr, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, hash_key31(a->usr));
        sqlite3_bind_text(s, 3, a->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, sc);
        sqlite3_bind_int(s, 5, (int)a->kind);
        sqlite3_bind_int(s, 6, is_project);
        sqlite3_bind_int64(s, 7, w->file_id);
        sqlite3_bind_int64(s, 8, m->loc->range.line);
        sqlite3_bind_int64(s, 9, m->loc->range.col);
        sqlite3_bind_text(s, 10, sig, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 11, (int)a->access);
        sqlite3_bind_int(s, 12, (int)a->attrs);
        sqlite3_bind_int(s, 13, (int)a->template_kind);
        store_bind_text(s, 14, nonempty(a->template_params));
        store_bind_text(s, 15, nonempty(a->target));
        store_bind_text(s, 16, m->brief);
        store_bind_text(s, 17, m->doc);
        sqlite3_bind_int64(s, 18, w->now);
        sqlite3_bind_int(s, 19, m->loc->is_definition);
        if (want)
            sqlite3_bind_int64(s, 20, want);
        if (pend)
            sqlite3_bind_int64(s, 21, pend->created);
        rc = run(w, s, "cannot add a symbol");
        if (rc)
            return rc;
        if (pend) {
            pending_end(w->st->bulk_cache, *id, PENDING_TAKEN);
            bulk_cache_set_bare(w->st, *id, false);
        } else {
            *id = want ? want : sqlite3_last_insert_rowid(w->st->db);
            bulk_cache_put(w->st, a->usr, *id);
        }
    } else {
        /* A bare placeholder's declarations are the ones this file is about to add: its
           location is m->loc (better_loc orders as STMT_SYM_BEST_DECL does within one file),
           set here instead of through temp.touched and settle_touched. */
        bool bare = bulk_cache_is_bare(w->st, *id);
        bool authoritative = a->is_definition || bare;
        if (!authoritative) {
            s = store_stmt(w->st, STMT_SYM_HAS_DEF);
            if (!s)
                return fail(w, sqlite3_errcode(w->st->db), "cannot read a symbol");
            sqlite3_bind_int64(s, 1, *id);
            rc = sqlite3_step(s);
            sqlite3_reset(s);
            if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                return fail(w, rc, "cannot read a symbol");
            authoritative = rc == SQLITE_DONE;
        }
        if (authoritative) {
            s = store_stmt(w->st, STMT_SYM_UPDATE_PROPS);
            if (!s)
                return fail(w, sqlite3_errcode(w->st->db), "cannot update a symbol");
            sqlite3_bind_int64(s, 1, *id);
            sqlite3_bind_text(s, 2, a->name, -1, SQLITE_STATIC);
            sqlite3_bind_int64(s, 3, sc);
            sqlite3_bind_int(s, 4, (int)a->kind);
            sqlite3_bind_text(s, 5, sig, -1, SQLITE_STATIC);
            sqlite3_bind_int(s, 6, (int)a->access);
            sqlite3_bind_int(s, 7, (int)a->attrs);
            sqlite3_bind_int(s, 8, (int)a->template_kind);
            store_bind_text(s, 9, nonempty(a->template_params));
            store_bind_text(s, 10, nonempty(a->target));
            store_bind_text(s, 11, m->brief);
            store_bind_text(s, 12, m->doc);
            sqlite3_bind_int64(s, 13, w->now);
        } else {
            s = store_stmt(w->st, STMT_SYM_UPDATE_DOCS);
            if (!s)
                return fail(w, sqlite3_errcode(w->st->db), "cannot update a symbol");
            sqlite3_bind_int64(s, 1, *id);
            store_bind_text(s, 2, m->brief);
            store_bind_text(s, 3, m->doc);
        }
        rc = run(w, s, "cannot update a symbol");
        if (!rc && bare) {
            bulk_cache_set_bare(w->st, *id, false);
            s = store_stmt(w->st, STMT_SYM_SET_LOCATION);
            if (s) {
                sqlite3_bind_int64(s, 1, *id);
                sqlite3_bind_int64(s, 2, w->file_id);
                sqlite3_bind_int64(s, 3, m->loc->range.line);
                sqlite3_bind_int64(s, 4, m->loc->range.col);
                sqlite3_bind_int(s, 5, is_project);
                sqlite3_bind_int(s, 6, m->loc->is_definition);
            }
            rc = run(w, s, "cannot update a symbol's location");
        } else if (!rc) {
            rc = touch(w, *id);
        }
        if (rc)
            return rc;
    }
    idmap_put(&w->usr_ids, a->usr, *id);
    return 0;
}

static int write_symbol(struct wctx *w, const struct merged *m, bool is_project, int64_t *id)
{
    char *sig = store_sig_pack(m->auth->signature, m->auth->scope, m->auth->name);
    int rc = write_symbol_sig(w, m, is_project, &sig, id);
    free(sig);
    return rc;
}

int store_file_ensure(struct store *st, const char *path, bool create, int64_t *id, struct err *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_FILE_ID);
    int rc;
    *id = 0;
    if (!s)
        return store_db_err(st, err, sqlite3_errcode(st->db), "cannot look up a file");
    sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_db_err(st, err, rc, "cannot look up a file");
    if (*id || !create)
        return 0;
    s = store_stmt(st, STMT_FILE_INSERT);
    if (!s)
        return store_db_err(st, err, sqlite3_errcode(st->db), "cannot add a file");
    sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, "", -1, SQLITE_STATIC);
    sqlite3_bind_null(s, 3);
    sqlite3_bind_int(s, 4, 0);
    sqlite3_bind_int(s, 5, 0);
    sqlite3_bind_double(s, 6, 0.0);
    sqlite3_bind_int(s, 7, 1);
    sqlite3_bind_int(s, 8, 0);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_db_err(st, err, rc, "cannot add a file");
    *id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

static int file_row(struct wctx *w, const char *path, int64_t *id)
{
    return store_file_ensure(w->st, path, false, id, w->err);
}

/* A files row for a path (a placeholder row when it was never indexed). */
static int ensure_file(struct wctx *w, const char *path, int64_t *id)
{
    return store_file_ensure(w->st, path, true, id, w->err);
}

static int ensure_touched_table(struct store *st, struct err *err)
{
    return store_exec(st, "CREATE TEMP TABLE IF NOT EXISTS touched(id INTEGER PRIMARY KEY)", err,
                      "cannot prepare the write");
}

/* Removes what file_id contributed, remembering the symbols it touched. */
static int remove_contributions(struct wctx *w)
{
    static const enum store_stmt dels[] = {STMT_DEL_DECLS, STMT_DEL_REFS, STMT_DEL_BASES,
                                           STMT_DEL_OVERRIDES, STMT_DEL_INCLUDES};
    sqlite3_stmt *s = store_stmt(w->st, STMT_TOUCH_FROM_FILE);
    int rc;
    if (s)
        sqlite3_bind_int64(s, 1, w->file_id);
    rc = run(w, s, "cannot collect the file's symbols");
    for (size_t i = 0; !rc && i < ARRAY_SIZE(dels); i++) {
        s = store_stmt(w->st, dels[i]);
        if (s)
            sqlite3_bind_int64(s, 1, w->file_id);
        rc = run(w, s, "cannot remove the file's old records");
    }
    return rc;
}

/* A symbol is about to be deleted: the bulk cache says its usr no longer exists (a deferred
   placeholder is dropped instead), so the cache stays complete. */
static int bulk_cache_forget(struct wctx *w, int64_t id)
{
    struct bulk_cache *c = w->st->bulk_cache;
    const struct pending *p = pending_get(c, id);
    char *usr = NULL;
    int rc = 0;
    if (!c)
        return 0;
    if (p) {
        usr = xstrdup(p->usr);
        pending_end(c, id, PENDING_DROPPED);
    } else {
        sqlite3_stmt *s = store_stmt(w->st, STMT_SYM_USR);
        if (!s)
            return fail(w, sqlite3_errcode(w->st->db), "cannot read a symbol");
        sqlite3_bind_int64(s, 1, id);
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW && sqlite3_column_text(s, 0))
            usr = xstrdup((const char *)sqlite3_column_text(s, 0));
        sqlite3_reset(s);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return fail(w, rc, "cannot read a symbol");
        rc = 0;
    }
    bulk_cache_set_bare(w->st, id, false);
    if (usr) {
        int64_t old;
        if (idmap_get(&c->map, usr, &old))
            idmap_put(&c->map, arena_strdup(&c->keys, usr), 0); /* 0: no such symbol */
        free(usr);
    }
    return rc;
}

/* Restores invariant 3 and garbage-collects for every touched symbol. */
static int settle_touched(struct wctx *w)
{
    sqlite3_stmt *s = store_stmt(w->st, STMT_TOUCH_LIST);
    int64_t *ids = NULL;
    size_t n = 0, alloc = 0;
    int rc;

    if (!s)
        return fail(w, sqlite3_errcode(w->st->db), "cannot list changed symbols");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        ALLOC_GROW(ids, n + 1, alloc);
        ids[n++] = sqlite3_column_int64(s, 0);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        free(ids);
        return fail(w, rc, "cannot list changed symbols");
    }
    rc = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        int64_t id = ids[i];
        s = store_stmt(w->st, STMT_SYM_BEST_DECL);
        if (!s) {
            rc = fail(w, sqlite3_errcode(w->st->db), "cannot read declarations");
            break;
        }
        sqlite3_bind_int64(s, 1, id);
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) {
            int64_t f = sqlite3_column_int64(s, 0), line = sqlite3_column_int64(s, 1),
                    col = sqlite3_column_int64(s, 2), proj = sqlite3_column_int64(s, 3),
                    is_def = sqlite3_column_int64(s, 4);
            sqlite3_reset(s);
            s = store_stmt(w->st, STMT_SYM_SET_LOCATION);
            if (s) {
                sqlite3_bind_int64(s, 1, id);
                sqlite3_bind_int64(s, 2, f);
                sqlite3_bind_int64(s, 3, line);
                sqlite3_bind_int64(s, 4, col);
                sqlite3_bind_int64(s, 5, proj);
                sqlite3_bind_int64(s, 6, is_def);
            }
            rc = run(w, s, "cannot update a symbol's location");
            continue;
        }
        sqlite3_reset(s);
        if (rc != SQLITE_DONE) {
            rc = fail(w, rc, "cannot read declarations");
            break;
        }
        /* No declaration left: keep a placeholder while edges point at it, else remove it. */
        s = store_stmt(w->st, STMT_SYM_IS_REFERENCED);
        if (!s) {
            rc = fail(w, sqlite3_errcode(w->st->db), "cannot check references");
            break;
        }
        sqlite3_bind_int64(s, 1, id);
        rc = sqlite3_step(s);
        {
            bool referenced = rc == SQLITE_ROW && sqlite3_column_int(s, 0);
            sqlite3_reset(s);
            if (rc != SQLITE_ROW) {
                rc = fail(w, rc, "cannot check references");
                break;
            }
            if (!referenced) {
                rc = bulk_cache_forget(w, id);
                if (rc)
                    break;
            }
            s = store_stmt(w->st, referenced ? STMT_SYM_CLEAR_LOCATION : STMT_SYM_DELETE);
            if (s)
                sqlite3_bind_int64(s, 1, id);
            rc = run(w, s, "cannot remove a symbol");
        }
    }
    free(ids);
    if (!rc) {
        s = store_stmt(w->st, STMT_TOUCH_CLEAR);
        rc = run(w, s, "cannot clear the changed-symbol list");
    }
    return rc;
}

/* Rows for the next multi-row INSERT when left rows remain. */
static size_t rows_per_insert(size_t left)
{
    return left >= STORE_INSERT_MANY  ? STORE_INSERT_MANY
           : left >= STORE_INSERT_FEW ? STORE_INSERT_FEW
                                      : 1;
}

/* The INSERT of n declarations (rows_per_insert's sizes). */
static sqlite3_stmt *decl_stmt(struct store *st, size_t n)
{
    return store_stmt(st, n == STORE_INSERT_MANY  ? STMT_DECL_INSERT_MANY
                          : n == STORE_INSERT_FEW ? STMT_DECL_INSERT_FEW
                                                  : STMT_DECL_INSERT);
}

/* The INSERT of n references (rows_per_insert's sizes). */
static sqlite3_stmt *ref_stmt(struct store *st, size_t n)
{
    return store_stmt(st, n == STORE_INSERT_MANY  ? STMT_REF_INSERT_MANY
                          : n == STORE_INSERT_FEW ? STMT_REF_INSERT_FEW
                                                  : STMT_REF_INSERT);
}

/* One declaration row at parameter p + 1.. (9 columns). */
static void bind_decl(sqlite3_stmt *s, int p, int64_t file, int64_t id, bool is_def,
                      const struct store_range *r, int64_t ext_line, int64_t ext_col)
{
    sqlite3_bind_int64(s, p + 1, file);
    sqlite3_bind_int64(s, p + 2, id);
    sqlite3_bind_int64(s, p + 3, r->line);
    sqlite3_bind_int64(s, p + 4, r->col);
    sqlite3_bind_int(s, p + 5, is_def);
    sqlite3_bind_int64(s, p + 6, r->end_line ? r->end_line : r->line);
    sqlite3_bind_int64(s, p + 7, r->end_line ? r->end_col : r->col);
    sqlite3_bind_int64(s, p + 8, ext_line ? ext_line : r->line);
    sqlite3_bind_int64(s, p + 9, ext_line ? ext_col : r->col);
}

/* One reference row at parameter p + 1.. (6 columns); context 0: none. */
static void bind_ref(sqlite3_stmt *s, int p, int64_t file, int64_t line, int64_t col, int64_t id,
                     unsigned roles, int64_t context)
{
    sqlite3_bind_int64(s, p + 1, file);
    sqlite3_bind_int64(s, p + 2, line);
    sqlite3_bind_int64(s, p + 3, col);
    sqlite3_bind_int64(s, p + 4, id);
    sqlite3_bind_int(s, p + 5, (int)roles);
    if (context)
        sqlite3_bind_int64(s, p + 6, context);
    else
        sqlite3_bind_null(s, p + 6);
}

static int insert_base(struct wctx *w, int64_t file, int64_t derived, int64_t base,
                       enum store_access access, bool is_virtual, int64_t line, int64_t col)
{
    sqlite3_stmt *s = store_stmt(w->st, STMT_BASE_INSERT);
    if (s) {
        sqlite3_bind_int64(s, 1, file);
        sqlite3_bind_int64(s, 2, derived);
        sqlite3_bind_int64(s, 3, base);
        sqlite3_bind_int(s, 4, (int)access);
        sqlite3_bind_int(s, 5, is_virtual);
        sqlite3_bind_int64(s, 6, line);
        sqlite3_bind_int64(s, 7, col);
    }
    return run(w, s, "cannot add a base class");
}

static int write_records(struct wctx *w, const struct store_file_batch *b, size_t *nsymbols)
{
    struct merged *ms = NULL;
    struct idmap byusr = {0};
    size_t nm = 0;
    int64_t *ids = NULL;
    int rc = 0;

    /* Merge the records of each usr: a definition's properties win, docs fill in. */
    ms = xcalloc(b->nsymbols ? b->nsymbols : 1, sizeof(*ms));
    for (size_t i = 0; i < b->nsymbols; i++) {
        const struct store_symbol *sym = &b->symbols[i];
        int64_t at;
        struct merged *m;
        if (!idmap_get(&byusr, sym->usr, &at)) {
            at = (int64_t)nm++;
            idmap_put(&byusr, sym->usr, at);
            ms[at].auth = sym;
            ms[at].loc = sym;
        }
        m = &ms[at];
        if (sym->is_definition && !m->auth->is_definition)
            m->auth = sym;
        if (better_loc(sym, m->loc))
            m->loc = sym;
        if (!m->brief || (sym == m->auth && nonempty(sym->brief)))
            m->brief = nonempty(sym->brief) ? sym->brief : m->brief;
        if (!m->doc || (sym == m->auth && nonempty(sym->doc)))
            m->doc = nonempty(sym->doc) ? sym->doc : m->doc;
    }
    ids = xcalloc(nm ? nm : 1, sizeof(*ids));
    for (size_t i = 0; !rc && i < nm; i++)
        rc = write_symbol(w, &ms[i], b->is_project, &ids[i]);
    if (!rc)
        rc = flush_rows(w);
    drop_rows(w);
    for (size_t i = 0; !rc && i < b->nsymbols;) {
        size_t n = rows_per_insert(b->nsymbols - i);
        sqlite3_stmt *s = decl_stmt(w->st, n);
        for (size_t k = 0; s && k < n; k++) {
            const struct store_symbol *sym = &b->symbols[i + k];
            int64_t at = 0;
            idmap_get(&byusr, sym->usr, &at);
            bind_decl(s, (int)(k * 9), w->file_id, ids[at], sym->is_definition, &sym->range,
                      sym->extent_start.line, sym->extent_start.col);
        }
        rc = run(w, s, "cannot add a declaration");
        i += n;
    }
    for (size_t i = 0; !rc && i < b->nrefs;) {
        size_t n = rows_per_insert(b->nrefs - i);
        sqlite3_stmt *s = NULL;
        int64_t tid[STORE_INSERT_MANY], cid[STORE_INSERT_MANY];
        /* resolve first: ensure_symbol runs statements of its own */
        for (size_t k = 0; !rc && k < n; k++) {
            const struct store_ref *r = &b->refs[i + k];
            cid[k] = 0;
            rc = ensure_symbol_in(w, r->usr, r->target_name, r->target_kind, r->target_scope,
                                  r->target_ns, &tid[k]);
            if (!rc && nonempty(r->context_usr))
                rc = ensure_symbol(w, r->context_usr, NULL, STORE_KIND_UNKNOWN, &cid[k]);
        }
        if (rc)
            break;
        s = ref_stmt(w->st, n);
        for (size_t k = 0; s && k < n; k++)
            bind_ref(s, (int)(k * 6), w->file_id, b->refs[i + k].line, b->refs[i + k].col, tid[k],
                     b->refs[i + k].roles, cid[k]);
        rc = run(w, s, "cannot add a reference");
        i += n;
    }
    for (size_t i = 0; !rc && i < b->nbases; i++) {
        const struct store_base *e = &b->bases[i];
        int64_t did = 0, bid = 0;
        rc = ensure_symbol(w, e->derived_usr, NULL, STORE_KIND_CLASS, &did);
        if (!rc)
            rc = ensure_symbol(w, e->base_usr, e->base_name, STORE_KIND_CLASS, &bid);
        if (rc)
            break;
        rc = insert_base(w, w->file_id, did, bid, e->access, e->is_virtual, e->line, e->col);
    }
    for (size_t i = 0; !rc && i < b->noverrides; i++) {
        const struct store_override *o = &b->overrides[i];
        int64_t mid = 0, oid = 0;
        sqlite3_stmt *s;
        rc = ensure_symbol(w, o->usr, NULL, STORE_KIND_METHOD, &mid);
        if (!rc)
            rc = ensure_symbol(w, o->overridden_usr, o->overridden_name, STORE_KIND_METHOD, &oid);
        if (rc)
            break;
        s = store_stmt(w->st, STMT_OVERRIDE_INSERT);
        if (s) {
            sqlite3_bind_int64(s, 1, w->file_id);
            sqlite3_bind_int64(s, 2, mid);
            sqlite3_bind_int64(s, 3, oid);
        }
        rc = run(w, s, "cannot add an override");
    }
    for (size_t i = 0; !rc && i < b->nincludes; i++) {
        const struct store_include *inc = &b->includes[i];
        int64_t fid = 0;
        sqlite3_stmt *s;
        rc = ensure_file(w, inc->path, &fid);
        if (rc)
            break;
        s = store_stmt(w->st, STMT_INCLUDE_INSERT);
        if (s) {
            sqlite3_bind_int64(s, 1, w->file_id);
            sqlite3_bind_int64(s, 2, inc->line);
            sqlite3_bind_int64(s, 3, fid);
        }
        rc = run(w, s, "cannot add an include");
    }
    *nsymbols = nm;
    free(ids);
    free(ms);
    idmap_free(&byusr);
    return rc;
}

int store_write_batch_locked(struct store *st, const struct store_file_batch *b, struct err *err)
{
    struct wctx w = {.st = st, .err = err};
    sqlite3_stmt *s;
    size_t nsym = 0;
    int rc;

    w.now = (int64_t)time_now();
    rc = ensure_touched_table(st, err);
    if (rc)
        return rc;
    rc = file_row(&w, b->path, &w.file_id);
    if (!rc && w.file_id) {
        rc = remove_contributions(&w);
    } else if (!rc) {
        rc = ensure_file(&w, b->path, &w.file_id);
    }
    if (!rc) {
        s = store_stmt(st, STMT_FILE_UPDATE);
        if (s) {
            sqlite3_bind_int64(s, 1, w.file_id);
            sqlite3_bind_text(s, 2, b->hash ? b->hash : "", -1, SQLITE_STATIC);
            store_bind_text(s, 3, b->args_hash);
            sqlite3_bind_int64(s, 4, b->mtime_ns);
            sqlite3_bind_int64(s, 5, b->size);
            sqlite3_bind_double(s, 6, time_now());
            sqlite3_bind_int(s, 7, b->is_project);
            sqlite3_bind_int(s, 8, b->is_header);
            sqlite3_bind_int64(s, 9, 0);
        }
        rc = run(&w, s, "cannot update the file record");
    }
    if (!rc)
        rc = write_records(&w, b, &nsym);
    if (!rc)
        rc = settle_touched(&w);
    if (!rc) {
        s = store_stmt(st, STMT_FILE_SET_SYMCOUNT);
        if (s) {
            sqlite3_bind_int64(s, 1, w.file_id);
            sqlite3_bind_int64(s, 2, (int64_t)nsym);
        }
        rc = run(&w, s, "cannot update the file record");
    }
    idmap_free(&w.usr_ids);
    idmap_free(&w.scope_ids);
    return rc;
}

static int validate(const struct store_file_batch *b, struct err *err)
{
    if (!b || !b->path || b->path[0] != '/')
        return err_set(err, ERR_INVALID, "a file batch needs an absolute path (got '%s')",
                       b && b->path ? b->path : "(null)");
    for (size_t i = 0; i < b->nsymbols; i++)
        if (!nonempty(b->symbols[i].usr) || !b->symbols[i].name)
            return err_set(err, ERR_INVALID, "symbol %zu of '%s' has no usr or no name", i,
                           b->path);
    for (size_t i = 0; i < b->nrefs; i++)
        if (!nonempty(b->refs[i].usr))
            return err_set(err, ERR_INVALID, "reference %zu of '%s' has no usr", i, b->path);
    for (size_t i = 0; i < b->nbases; i++)
        if (!nonempty(b->bases[i].derived_usr) || !nonempty(b->bases[i].base_usr))
            return err_set(err, ERR_INVALID, "base %zu of '%s' lacks a usr", i, b->path);
    for (size_t i = 0; i < b->noverrides; i++)
        if (!nonempty(b->overrides[i].usr) || !nonempty(b->overrides[i].overridden_usr))
            return err_set(err, ERR_INVALID, "override %zu of '%s' lacks a usr", i, b->path);
    for (size_t i = 0; i < b->nincludes; i++)
        if (!nonempty(b->includes[i].path))
            return err_set(err, ERR_INVALID, "include %zu of '%s' has no path", i, b->path);
    return 0;
}

/* A failure took back the files of the open bulk group that had been written without error:
   store_bulk_end says so (the cache is consistent, but lacks them). */
static void group_lost(struct store *st, unsigned files, int code)
{
    if (files > 0 && !st->bulk_lost)
        st->bulk_lost = code ? code : ERR_DB;
}

static int bulk_group_commit(struct store *st, struct err *err)
{
    int rc = 0;
    if (st->bulk_txn_open) {
        unsigned files = st->bulk_files;
        st->bulk_txn_open = false;
        st->bulk_files = 0;
        /* nothing committed refers to a row that is not there */
        rc = pending_flush(st, err);
        if (rc)
            store_txn_rollback(st);
        else
            rc = store_txn_commit(st, err);
        if (rc) {
            bulk_cache_invalidate(st);
            fts_side_invalidate(st);
            group_lost(st, files, rc);
        } else if (st->bulk_cache)
            st->bulk_cache->data_version = data_version(st);
    }
    return rc;
}

/*
 * Runs fn as one atomic unit: a transaction of its own, or in bulk mode a savepoint inside the
 * open group transaction, so that a failing file leaves nothing of itself in the group.
 */
static int atomic_write(struct store *st, int (*fn)(struct store *, const void *, struct err *),
                        const void *arg, struct err *err)
{
    int rc;
    if (!st->in_bulk) {
        rc = store_txn_begin(st, err);
        if (rc)
            return rc;
        rc = fn(st, arg, err);
        if (rc)
            store_txn_rollback(st);
        else
            rc = store_txn_commit(st, err);
        return rc;
    }
    if (!st->bulk_txn_open) {
        rc = store_txn_begin(st, err);
        if (rc)
            return rc;
        st->bulk_txn_open = true;
        /* another connection wrote since our last commit: the cache may be wrong */
        if (st->bulk_cache && data_version(st) != st->bulk_cache->data_version) {
            bulk_cache_invalidate(st);
            fts_side_invalidate(st);
        }
    }
    rc = store_exec(st, "SAVEPOINT file", err, "cannot start the file's write");
    if (rc)
        return rc;
    if (st->bulk_cache)
        st->bulk_cache->nundo = 0;
    rc = fn(st, arg, err);
    if (rc) {
        fts_side_invalidate(st); /* the search index saw rows that are gone */
        sqlite3_exec(st->db, "ROLLBACK TO file; RELEASE file", NULL, NULL, NULL);
        if (sqlite3_get_autocommit(st->db)) {
            st->bulk_txn_open = false;      /* SQLite rolled the whole group back */
            pending_forget(st->bulk_cache); /* with every reference to them */
            group_lost(st, st->bulk_files, rc);
            st->bulk_files = 0;
        } else {
            /* the group's earlier files refer to the placeholders they deferred */
            pending_undo_file(st->bulk_cache);
            if (pending_flush(st, NULL) != 0) {
                sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
                st->bulk_txn_open = false;
                group_lost(st, st->bulk_files, rc);
                st->bulk_files = 0;
            }
        }
        bulk_cache_invalidate(st); /* it learnt ids that the rollback takes back */
        return rc;
    }
    rc = store_exec(st, "RELEASE file", err, "cannot finish the file's write");
    if (!rc && ++st->bulk_files >= (st->bulk_group_files ? st->bulk_group_files : BULK_GROUP_FILES))
        rc = bulk_group_commit(st, err);
    return rc;
}

static int replace_fn(struct store *st, const void *arg, struct err *err)
{
    return store_write_batch_locked(st, arg, err);
}

int store_file_replace(struct store *st, const struct store_file_batch *b, struct err *err)
{
    uint64_t t0 = time_mono_ns();
    int rc = validate(b, err);
    if (rc)
        return rc;
    rc = atomic_write(st, replace_fn, b, err);
    store_qstat_record(st, STORE_Q_FILE_REPLACE, time_mono_ns() - t0);
    if (rc)
        err_wrap(err, "cannot write '%s'", b->path);
    return rc;
}

static int delete_fn(struct store *st, const void *arg, struct err *err)
{
    const char *path = arg;
    struct wctx w = {.st = st, .err = err};
    sqlite3_stmt *s;
    int rc;

    rc = ensure_touched_table(st, err);
    if (!rc)
        rc = file_row(&w, path, &w.file_id);
    if (!rc && w.file_id) {
        static const enum store_stmt more[] = {STMT_PERR_CLEAR, STMT_DEL_HEADER_TRACK};
        rc = remove_contributions(&w);
        for (size_t i = 0; !rc && i < ARRAY_SIZE(more); i++) {
            s = store_stmt(st, more[i]);
            if (s)
                sqlite3_bind_int64(s, 1, w.file_id);
            rc = run(&w, s, "cannot remove the file's records");
        }
        if (!rc)
            rc = settle_touched(&w);
        if (!rc) {
            bool included;
            s = store_stmt(st, STMT_FILE_HAS_DEPENDENTS);
            if (!s) {
                rc = fail(&w, sqlite3_errcode(st->db), "cannot check includes");
            } else {
                sqlite3_bind_int64(s, 1, w.file_id);
                rc = sqlite3_step(s);
                included = rc == SQLITE_ROW && sqlite3_column_int(s, 0);
                sqlite3_reset(s);
                rc = rc == SQLITE_ROW ? 0 : fail(&w, rc, "cannot check includes");
                if (!rc) {
                    /* Still included by another file: keep the row, as never indexed. */
                    s = store_stmt(st, included ? STMT_FILE_SYMCOUNT : STMT_FILE_DELETE);
                    if (s)
                        sqlite3_bind_int64(s, 1, w.file_id);
                    rc = run(&w, s, "cannot remove the file");
                }
            }
        }
    }
    return rc;
}

int store_file_delete(struct store *st, const char *path, struct err *err)
{
    uint64_t t0 = time_mono_ns();
    int rc;
    if (!path || !*path)
        return err_set(err, ERR_INVALID, "no file path given");
    rc = atomic_write(st, delete_fn, path, err);
    store_qstat_record(st, STORE_Q_FILE_DELETE, time_mono_ns() - t0);
    if (rc)
        err_wrap(err, "cannot delete '%s' from the cache", path);
    return rc;
}

/* ---- bulk mode -------------------------------------------------------------------------- */

static int bulk_lock(struct store *st, struct err *err)
{
    char *lock = xasprintf("%s.bulk", st->path);
    int fd = fs_lock_open(lock, err);
    free(lock);
    if (fd < 0)
        return fd;
    if (fs_lock_try(fd, true) != 0) {
        fs_close(fd);
        return err_set(err, ERR_BUSY, "another process is bulk-loading '%s'", st->path);
    }
    st->bulk_fd = fd;
    return 0;
}

static void bulk_unlock(struct store *st)
{
    fs_lock_release(st->bulk_fd);
    fs_close(st->bulk_fd);
    st->bulk_fd = -1;
}

/* Work that runs on another thread while the end of a bulk load builds the indexes. */
struct bulk_during {
    int (*fn)(void *arg);
    void *arg;
    int rc;
    pthread_t thread;
    bool running;
    bool ran;
};

static void *during_main(void *arg)
{
    struct bulk_during *d = arg;
    d->rc = d->fn(d->arg);
    d->ran = true;
    return NULL;
}

static void during_join(struct bulk_during *d)
{
    if (d && d->running) {
        pthread_join(d->thread, NULL);
        d->running = false;
    }
}

static int bulk_finish_locked(struct store *st, struct bulk_during *during, struct err *err)
{
    uint64_t t0 = time_mono_ns(), t1 = 0, t2 = 0;
    bool installed = false;
    int rc = store_txn_begin(st, err);
    if (rc)
        return rc;
    /* another connection wrote since the load's last commit: the index built aside lacks its
       rows (the write lock is ours now: nobody can write before the end) */
    if (st->fts_side && st->bulk_cache && data_version(st) != st->bulk_cache->data_version)
        fts_side_invalidate(st);
    if (during) {
        /* the rows are committed: the work reads them through a connection of its own, which
           this transaction must not lock out before its commit (no cache spill) */
        store_exec(st, "PRAGMA cache_spill = OFF", NULL, "bulk settings");
        during->running = pthread_create(&during->thread, NULL, during_main, during) == 0;
        if (!during->running)
            during_main(during);
    }
    rc = store_exec(st, store_usr_index_sql, err, "cannot build the indexes");
    if (!rc)
        rc = store_exec(st, store_secondary_indexes_sql, err, "cannot build the indexes");
    t1 = time_mono_ns();
    /* the search index built aside during the load (if any) finished meanwhile */
    if (!rc && st->fts_side)
        rc = fts_side_install(st, &installed, err);
    if (!rc && !installed)
        rc = store_exec(st, "INSERT INTO symbols_fts(symbols_fts) VALUES ('rebuild')", err,
                        "cannot build the search index");
    t2 = time_mono_ns();
    log_debug("bulk end: indexes %.0f ms, search index %.0f ms (%s)", (double)(t1 - t0) / 1e6,
              (double)(t2 - t1) / 1e6, installed ? "built aside during the load" : "rebuilt");
    if (!rc)
        rc = store_exec(st, store_fts_triggers_sql, err, "cannot restore the search triggers");
    if (!rc)
        rc = store_meta_set(st, "bulk_pending", "0", err);
    during_join(during);
    if (during)
        store_exec(st, "PRAGMA cache_spill = ON", NULL, "bulk settings");
    if (rc) {
        store_txn_rollback(st);
        return rc;
    }
    return store_txn_commit(st, err);
}

int store_bulk_begin(struct store *st, struct err *err)
{
    int rc;
    if (st->in_bulk)
        return err_set(err, ERR_INVALID, "already in bulk mode");
    if (st->readonly)
        return err_set(err, ERR_READONLY, "cache '%s' was opened read-only", st->path);
    rc = bulk_lock(st, err);
    if (rc)
        return rc;
    rc = store_txn_begin(st, err);
    if (!rc) {
        rc = store_meta_set(st, "bulk_pending", "1", err);
        if (!rc)
            rc = store_exec(st, store_drop_secondary_indexes_sql, err, "cannot drop indexes");
        if (!rc)
            rc = store_exec(st, store_drop_fts_triggers_sql, err, "cannot drop triggers");
        if (rc)
            store_txn_rollback(st);
        else
            rc = store_txn_commit(st, err);
    }
    if (rc) {
        bulk_unlock(st);
        return rc;
    }
    /* Big groups, a bigger page cache, no checkpoints until the end, and sorter threads for
       the index builds: each page is written as few times as possible. */
    store_exec(st, "PRAGMA cache_size = -32000; PRAGMA wal_autocheckpoint = 0; PRAGMA threads = 2",
               NULL, "bulk settings");
    st->in_bulk = true;
    st->bulk_files = 0;
    st->bulk_cache = xcalloc(1, sizeof(*st->bulk_cache));
    st->bulk_cache->max = BULK_CACHE_MAX;
    {
        int64_t any = 0;
        /* complete when the load starts from nothing: a usr it has not seen does not exist */
        st->bulk_cache->complete =
            store_query_int(st, "SELECT EXISTS(SELECT 1 FROM symbols)", &any, NULL) == 0 && !any;
        st->bulk_cache->data_version = data_version(st);
    }
    /* nothing to look up in SQL while the cache is complete: keep symbols_usr for the end */
    if (st->bulk_cache->complete &&
        store_exec(st, store_drop_usr_index_sql, NULL, "bulk settings") == 0)
        st->bulk_cache->usr_index_dropped = true;
    /* from nothing: this load hands out the symbol ids (deferred placeholders), and the search
       index can be built aside, from the changes as they come */
    if (st->bulk_cache->complete) {
        st->bulk_cache->assign_ids = true;
        st->bulk_cache->next_id = 1; /* what SQLite gives the first row of an empty table */
        fts_side_start(st);
    }
    return 0;
}

void store_bulk_forget(struct store *st)
{
    fts_side_stop(st);
    bulk_cache_free(st);
}

static int bulk_end(struct store *st, struct bulk_during *during, struct err *err)
{
    int rc;
    if (!st->in_bulk)
        return err_set(err, ERR_INVALID, "not in bulk mode");
    rc = bulk_group_commit(st, err);
    if (!rc)
        rc = bulk_finish_locked(st, during, err);
    if (rc)
        return rc; /* stays in bulk mode; store_close or the next open retries */
    st->in_bulk = false;
    bulk_cache_free(st);
    store_exec(st,
               "PRAGMA cache_size = -2000; PRAGMA wal_autocheckpoint = 1000; PRAGMA threads = 0;"
               " PRAGMA wal_checkpoint(TRUNCATE)",
               NULL, "bulk settings");
    bulk_unlock(st);
    if (st->bulk_lost) {
        int code = st->bulk_lost;
        st->bulk_lost = 0;
        return err_set(err, code,
                       "a write that failed during this bulk load took back the files written "
                       "before it in the same group: the cache is consistent but lacks them; "
                       "index again to add them");
    }
    return 0;
}

int store_bulk_end(struct store *st, struct err *err)
{
    return bulk_end(st, NULL, err);
}

void store_bulk_cache_limit(struct store *st, size_t usrs)
{
    if (st->bulk_cache)
        st->bulk_cache->max = usrs;
}

void store_bulk_set_group(struct store *st, unsigned files)
{
    st->bulk_group_files = files;
}

int store_bulk_end_with(struct store *st, int (*fn)(void *arg), void *arg, int *fn_rc,
                        struct err *err)
{
    struct bulk_during d = {.fn = fn, .arg = arg};
    int rc = bulk_end(st, fn ? &d : NULL, err);
    if (fn_rc && d.ran)
        *fn_rc = d.rc;
    return rc;
}

bool store_in_bulk(const struct store *st)
{
    return st->in_bulk;
}

int store_bulk_recover(struct store *st, struct err *err)
{
    char *v = NULL;
    int rc = store_meta_get(st, "bulk_pending", &v, err);
    bool pending = !rc && v && !strcmp(v, "1");
    free(v);
    if (rc || !pending)
        return rc;
    if (bulk_lock(st, NULL) != 0)
        return 0; /* a live bulk load owns it */
    log_warn("finishing a bulk load of '%s' that was cut short: rebuilding indexes", st->path);
    rc = bulk_finish_locked(st, NULL, err);
    bulk_unlock(st);
    return rc;
}

/* ---- a whole dataset at once ------------------------------------------------------------- */

static int load_check(const struct store_load *l, struct err *err)
{
    struct idmap seen = {0};
    unsigned char *used;
    int rc = 0;
    for (size_t i = 0; !rc && i < l->nfiles; i++) {
        int64_t v;
        const char *p = l->files[i].path;
        if (!p || p[0] != '/')
            rc = err_set(err, ERR_INVALID, "file %zu of the load has no absolute path", i);
        else if (idmap_get(&seen, p, &v))
            rc = err_set(err, ERR_INVALID, "the load names '%s' twice", p);
        else
            idmap_put(&seen, p, 1);
    }
    idmap_free(&seen);
    for (size_t i = 0; !rc && i < l->nsymbols; i++) {
        const struct store_load_symbol *y = &l->symbols[i];
        int64_t v;
        if (!nonempty(y->usr) || !y->name)
            rc = err_set(err, ERR_INVALID, "symbol %zu of the load has no usr or no name", i);
        else if (y->file != STORE_LOAD_NONE && y->file >= l->nfiles)
            rc = err_set(err, ERR_INVALID, "symbol %zu of the load names no file of it", i);
        else if (idmap_get(&seen, y->usr, &v))
            rc = err_set(err, ERR_INVALID, "the load holds usr '%s' twice", y->usr);
        else
            idmap_put(&seen, y->usr, 1);
    }
    idmap_free(&seen);
    used = xcalloc(l->nsymbols ? l->nsymbols : 1, 1);
    for (size_t i = 0; !rc && i < l->nrefs; i++) {
        const struct store_load_ref *r = &l->refs[i];
        if (r->file >= l->nfiles || r->symbol >= l->nsymbols ||
            (r->context != STORE_LOAD_NONE && r->context >= l->nsymbols)) {
            rc = err_set(err, ERR_INVALID, "reference %zu of the load is out of range", i);
            break;
        }
        used[r->symbol] = 1;
        if (r->context != STORE_LOAD_NONE)
            used[r->context] = 1;
    }
    for (size_t i = 0; !rc && i < l->nbases; i++) {
        const struct store_load_base *e = &l->bases[i];
        if (e->file >= l->nfiles || e->derived >= l->nsymbols || e->base >= l->nsymbols) {
            rc = err_set(err, ERR_INVALID, "base %zu of the load is out of range", i);
            break;
        }
        used[e->derived] = used[e->base] = 1;
    }
    /* invariant 2: a placeholder exists only while an edge points at it */
    for (size_t i = 0; !rc && i < l->nsymbols; i++)
        if (l->symbols[i].file == STORE_LOAD_NONE && !used[i])
            rc = err_set(err, ERR_INVALID,
                         "symbol %zu of the load ('%s') has no declaration and nothing names it", i,
                         l->symbols[i].usr);
    free(used);
    return rc;
}

#define LOAD_PROGRESS_ROWS 8192 /* rows between two progress calls of store_bulk_load */

static void load_progress(const struct store_load *l, uint64_t done)
{
    if (l->progress)
        l->progress(l->progress_ctx, done, (uint64_t)l->nsymbols + l->nrefs);
}

/* What scope_id does for a symbol: the scope row of its qualified scope, made on first use. */
static int load_scope(struct wctx *w, const struct store_load_symbol *y, int64_t *out)
{
    struct store_symbol sym;
    memset(&sym, 0, sizeof(sym));
    sym.scope = y->scope;
    sym.scope_ns = y->scope_ns;
    sym.scope_kind = y->scope_kind;
    return scope_id(w, &sym, out);
}

static void bind_load_symbol(sqlite3_stmt *s, int base, const struct wctx *w,
                             const struct store_load *l, size_t i, int64_t scope, const char *sig)
{
    const struct store_load_symbol *y = &l->symbols[i];
    bool located = y->file != STORE_LOAD_NONE;
    sqlite3_bind_int64(s, base + 1, (int64_t)i + 1);
    sqlite3_bind_text(s, base + 2, y->usr, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, base + 3, hash_key31(y->usr));
    sqlite3_bind_text(s, base + 4, y->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, base + 5, scope);
    sqlite3_bind_int(s, base + 6, (int)y->kind);
    sqlite3_bind_int(s, base + 7, located && l->files[y->file].is_project);
    if (located) {
        sqlite3_bind_int64(s, base + 8, (int64_t)y->file + 1);
        sqlite3_bind_int64(s, base + 9, y->line);
        sqlite3_bind_int64(s, base + 10, y->col);
    } else {
        sqlite3_bind_null(s, base + 8);
        sqlite3_bind_null(s, base + 9);
        sqlite3_bind_null(s, base + 10);
    }
    store_bind_text(s, base + 11, sig);
    sqlite3_bind_int(s, base + 12, located ? (int)y->access : 0);
    sqlite3_bind_int(s, base + 13, 0);
    sqlite3_bind_int(s, base + 14, 0);
    for (int k = 15; k <= 18; k++)
        sqlite3_bind_null(s, base + k);
    sqlite3_bind_int64(s, base + 19, w->now);
    sqlite3_bind_int64(s, base + 20, w->now);
    sqlite3_bind_int(s, base + 21, located && y->is_definition);
}

static int load_files(struct wctx *w, const struct store_load *l)
{
    uint32_t *count = xcalloc(l->nfiles ? l->nfiles : 1, sizeof(*count));
    double now = time_now();
    int rc = 0;
    for (size_t i = 0; i < l->nsymbols; i++)
        if (l->symbols[i].file != STORE_LOAD_NONE)
            count[l->symbols[i].file]++;
    for (size_t i = 0; !rc && i < l->nfiles; i++) {
        const struct store_load_file *f = &l->files[i];
        sqlite3_stmt *s = store_stmt(w->st, STMT_LOAD_FILE);
        if (s) {
            sqlite3_bind_int64(s, 1, (int64_t)i + 1);
            sqlite3_bind_text(s, 2, f->path, -1, SQLITE_STATIC);
            sqlite3_bind_text(s, 3, f->hash ? f->hash : "", -1, SQLITE_STATIC);
            store_bind_text(s, 4, f->args_hash);
            sqlite3_bind_double(s, 5, now);
            sqlite3_bind_int64(s, 6, count[i]);
            sqlite3_bind_int(s, 7, f->is_project);
            sqlite3_bind_int(s, 8, f->is_header);
        }
        rc = run(w, s, "cannot add a file");
    }
    free(count);
    return rc;
}

/* Symbols in multi-row inserts (their scopes made first, in order), then their declarations. */
static int load_symbols(struct wctx *w, const struct store_load *l)
{
    int64_t scopes[SYM_ROWS];
    char *sigs[SYM_ROWS] = {0};
    int rc = 0;
    for (size_t i = 0; !rc && i < l->nsymbols;) {
        size_t n = l->nsymbols - i >= SYM_ROWS ? SYM_ROWS : 1;
        sqlite3_stmt *s;
        for (size_t k = 0; !rc && k < n; k++) {
            const struct store_load_symbol *y = &l->symbols[i + k];
            rc = load_scope(w, y, &scopes[k]);
            if (y->file != STORE_LOAD_NONE)
                sigs[k] = store_sig_pack(y->signature, y->scope, y->name);
        }
        s = rc ? NULL : store_stmt(w->st, n == SYM_ROWS ? STMT_SYM_ROWS : STMT_SYM_ROW);
        for (size_t k = 0; s && k < n; k++)
            bind_load_symbol(s, (int)k * 21, w, l, i + k, scopes[k], sigs[k]);
        if (!rc)
            rc = run(w, s, "cannot add a symbol");
        for (size_t k = 0; k < n; k++) {
            free(sigs[k]);
            sigs[k] = NULL;
        }
        if ((i + n) / LOAD_PROGRESS_ROWS != i / LOAD_PROGRESS_ROWS)
            load_progress(l, i + n);
        i += n;
    }
    for (size_t i = 0; !rc && i < l->nsymbols;) {
        size_t idx[STORE_INSERT_MANY], n = 0;
        sqlite3_stmt *s;
        /* the next declared symbols, as many as one insert takes */
        while (i < l->nsymbols && n < STORE_INSERT_MANY) {
            if (l->symbols[i].file != STORE_LOAD_NONE)
                idx[n++] = i;
            i++;
        }
        for (size_t at = 0; !rc && at < n;) {
            size_t m = rows_per_insert(n - at);
            s = decl_stmt(w->st, m);
            for (size_t k = 0; s && k < m; k++) {
                const struct store_load_symbol *y = &l->symbols[idx[at + k]];
                struct store_range r = {y->line, y->col, y->line, y->col};
                bind_decl(s, (int)(k * 9), (int64_t)y->file + 1, (int64_t)idx[at + k] + 1,
                          y->is_definition, &r, 0, 0);
            }
            rc = run(w, s, "cannot add a declaration");
            at += m;
        }
    }
    return rc;
}

static int load_edges(struct wctx *w, const struct store_load *l)
{
    int rc = 0;
    for (size_t i = 0; !rc && i < l->nrefs;) {
        size_t n = rows_per_insert(l->nrefs - i);
        sqlite3_stmt *s = ref_stmt(w->st, n);
        for (size_t k = 0; s && k < n; k++) {
            const struct store_load_ref *r = &l->refs[i + k];
            bind_ref(s, (int)(k * 6), (int64_t)r->file + 1, r->line, r->col, (int64_t)r->symbol + 1,
                     r->roles, r->context == STORE_LOAD_NONE ? 0 : (int64_t)r->context + 1);
        }
        rc = run(w, s, "cannot add a reference");
        if ((i + n) / LOAD_PROGRESS_ROWS != i / LOAD_PROGRESS_ROWS)
            load_progress(l, l->nsymbols + i + n);
        i += n;
    }
    for (size_t i = 0; !rc && i < l->nbases; i++) {
        const struct store_load_base *e = &l->bases[i];
        rc = insert_base(w, (int64_t)e->file + 1, (int64_t)e->derived + 1, (int64_t)e->base + 1,
                         e->access, e->is_virtual, e->line, e->col);
    }
    return rc;
}

int store_bulk_load(struct store *st, const struct store_load *l, struct err *err)
{
    struct bulk_cache *c = st->bulk_cache;
    struct wctx w = {.st = st, .err = err};
    int64_t any = 1;
    int rc;

    if (!st->in_bulk || !c || !c->complete || !c->assign_ids || c->next_id != 1 ||
        store_query_int(st, "SELECT EXISTS(SELECT 1 FROM files)", &any, NULL) != 0 || any)
        return err_set(err, ERR_INVALID,
                       "a whole dataset loads only into an empty cache, in bulk mode, first");
    rc = load_check(l, err);
    if (rc)
        return rc;
    if (!st->bulk_txn_open) {
        rc = store_txn_begin(st, err);
        if (rc)
            return rc;
        st->bulk_txn_open = true;
    }
    w.now = (int64_t)time_now();
    rc = load_files(&w, l);
    if (!rc)
        rc = load_symbols(&w, l);
    if (!rc)
        rc = load_edges(&w, l);
    if (!rc)
        load_progress(l, (uint64_t)l->nsymbols + l->nrefs);
    idmap_free(&w.scope_ids);
    if (rc) {
        store_txn_rollback(st);
        st->bulk_txn_open = false;
        fts_side_invalidate(st);
    }
    /* the bulk cache does not know these usrs: later writes look them up in SQL */
    bulk_cache_invalidate(st);
    c->next_id = (int64_t)l->nsymbols + 1;
    return rc;
}
