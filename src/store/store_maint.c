/*
 * store_maint.c - statistics of the cache, health checks (integrity_check, FTS5
 * integrity-check, ownership and edge consistency) and upkeep (ANALYZE, FTS optimize, VACUUM
 * when it pays).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define VACUUM_FREE_RATIO 0.20
#define VACUUM_MAX_AGE_S (7.0 * 86400.0)

static int64_t count_of(struct store *st, const char *sql, int *rc, struct err *err)
{
    int64_t v = 0;
    if (!*rc)
        *rc = store_query_int(st, sql, &v, err);
    return v;
}

int store_stats_get(struct store *st, struct store_stats *out, struct err *err)
{
    char *wal = xasprintf("%s-wal", st->path);
    char *v = NULL;
    sqlite3_stmt *s = NULL;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    out->db_bytes = fs_file_size(st->path);
    out->wal_bytes = fs_file_size(wal);
    if (out->wal_bytes < 0)
        out->wal_bytes = 0;
    free(wal);
    out->page_size = count_of(st, "PRAGMA page_size", &rc, err);
    out->page_count = count_of(st, "PRAGMA page_count", &rc, err);
    out->freelist_count = count_of(st, "PRAGMA freelist_count", &rc, err);
    out->symbols = count_of(st, "SELECT count(*) FROM symbols WHERE file_id IS NOT NULL", &rc, err);
    out->files = count_of(st, "SELECT count(*) FROM files WHERE indexed_at > 0", &rc, err);
    out->project_files = count_of(
        st, "SELECT count(*) FROM files WHERE indexed_at > 0 AND is_project = 1", &rc, err);
    out->refs = count_of(st, "SELECT count(*) FROM refs", &rc, err);
    out->calls = count_of(st, "SELECT count(*) FROM refs WHERE roles & 16", &rc, err);
    out->bases = count_of(st, "SELECT count(*) FROM bases", &rc, err);
    out->overrides = count_of(st, "SELECT count(*) FROM overrides", &rc, err);
    out->includes = count_of(st, "SELECT count(*) FROM includes", &rc, err);
    out->decls = count_of(st, "SELECT count(*) FROM decls", &rc, err);
    out->parse_errors = count_of(st, "SELECT count(*) FROM parse_errors", &rc, err);
    out->scopes = count_of(st, "SELECT count(*) FROM scopes", &rc, err);
    out->schema_version = (int)count_of(st, "SELECT max(version) FROM schema_version", &rc, err);
    if (rc)
        return rc;
    rc = sqlite3_prepare_v2(st->db,
                            "SELECT kind, count(*) FROM symbols WHERE file_id IS NOT NULL"
                            " GROUP BY kind",
                            -1, &s, NULL);
    while (rc == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) {
        int k = sqlite3_column_int(s, 0);
        if (k >= 0 && k < STORE_KIND_COUNT_)
            out->by_kind[k] = sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_OK)
        return store_db_err(st, err, rc, "cannot count symbols");
    rc = store_meta_get(st, "last_vacuum", &v, err);
    if (rc)
        return rc;
    out->last_vacuum = v ? strtod(v, NULL) : 0;
    free(v);
    rc = store_meta_get(st, "bulk_pending", &v, err);
    if (rc)
        return rc;
    out->bulk_pending = v && !strcmp(v, "1");
    free(v);
    {
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(st->db, "SELECT max(indexed_at) FROM files", -1, &q, NULL) ==
                SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW)
            out->last_indexed = sqlite3_column_double(q, 0);
        sqlite3_finalize(q);
    }
    return 0;
}

static struct store_check *add_check(struct store_check *out, size_t max, size_t *n,
                                     const char *name)
{
    struct store_check *c;
    if (*n >= max)
        return NULL;
    c = &out[(*n)++];
    memset(c, 0, sizeof(*c));
    c->name = name;
    c->ok = true;
    return c;
}

static void check_count(struct store *st, struct store_check *c, const char *sql, const char *what,
                        bool *failed)
{
    int64_t v = 0;
    struct err e;
    if (!c)
        return;
    if (store_query_int(st, sql, &v, &e) != 0) {
        c->ok = false;
        snprintf(c->detail, sizeof(c->detail), "could not check %s: %.400s", what, e.msg);
    } else if (v) {
        c->ok = false;
        snprintf(c->detail, sizeof(c->detail), "%lld %s", (long long)v, what);
    }
    if (!c->ok)
        *failed = true;
    else
        snprintf(c->detail, sizeof(c->detail), "ok");
}

int store_check(struct store *st, bool quick, struct store_check *out, size_t max, size_t *n,
                struct err *err)
{
    struct store_check *c;
    bool failed = false, bulk = false;
    int version = 0, rc;

    *n = 0;
    /* schema */
    c = add_check(out, max, n, "schema");
    rc = store_schema_version(st, &version, err);
    if (rc)
        return rc;
    if (c) {
        c->ok = version == STORE_SCHEMA_VERSION;
        snprintf(c->detail, sizeof(c->detail), "version %d (this cidx: %d)", version,
                 STORE_SCHEMA_VERSION);
        failed |= !c->ok;
    }
    /* SQLite's own structure check */
    c = add_check(out, max, n, quick ? "quick_check" : "integrity_check");
    if (c) {
        sqlite3_stmt *s = NULL;
        struct strbuf sb = STRBUF_INIT;
        int lines = 0;
        rc = sqlite3_prepare_v2(
            st->db, quick ? "PRAGMA quick_check(20)" : "PRAGMA integrity_check(20)", -1, &s, NULL);
        while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
            const char *line = (const char *)sqlite3_column_text(s, 0);
            if (line && strcmp(line, "ok") != 0) {
                if (lines++ < 3) {
                    if (sb.len)
                        strbuf_adds(&sb, "; ");
                    strbuf_adds(&sb, line);
                }
            }
            rc = SQLITE_OK;
        }
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE && rc != SQLITE_OK) {
            c->ok = false;
            snprintf(c->detail, sizeof(c->detail), "could not run: %s", sqlite3_errstr(rc));
        } else if (lines) {
            c->ok = false;
            snprintf(c->detail, sizeof(c->detail), "%d problem(s): %s", lines, sb.buf);
        } else {
            snprintf(c->detail, sizeof(c->detail), "ok");
        }
        strbuf_release(&sb);
        failed |= !c->ok;
    }
    /* bulk load state */
    {
        char *v = NULL;
        if (store_meta_get(st, "bulk_pending", &v, NULL) == 0 && v && !strcmp(v, "1"))
            bulk = true;
        free(v);
        c = add_check(out, max, n, "bulk_load");
        if (c) {
            c->ok = !bulk || st->in_bulk;
            snprintf(c->detail, sizeof(c->detail), "%s",
                     bulk ? "a bulk load is in progress or was cut short (reopen to finish it)"
                          : "none pending");
            failed |= !c->ok;
        }
    }
    /* FTS5 index against its content */
    c = add_check(out, max, n, "fts");
    if (c) {
        if (bulk) {
            snprintf(c->detail, sizeof(c->detail), "skipped: rebuilt when the bulk load ends");
        } else if (st->readonly) {
            snprintf(c->detail, sizeof(c->detail), "skipped: the cache is open read-only");
        } else {
            int r = sqlite3_exec(st->db,
                                 "INSERT INTO symbols_fts(symbols_fts) VALUES ('integrity-check')",
                                 NULL, NULL, NULL);
            c->ok = r == SQLITE_OK;
            if (!c->ok) {
                snprintf(c->detail, sizeof(c->detail), "search index damaged: %.400s",
                         sqlite3_errmsg(st->db));
            } else if (!quick) {
                struct err e;
                int64_t drift = store_fts_drift(st, &e);
                c->ok = drift == 0;
                if (drift < 0)
                    snprintf(c->detail, sizeof(c->detail), "could not compare: %.400s", e.msg);
                else if (drift > 0)
                    snprintf(c->detail, sizeof(c->detail),
                             "search index out of step with the symbols: %lld terms differ",
                             (long long)drift);
                else
                    snprintf(c->detail, sizeof(c->detail), "search index matches the symbols");
            } else {
                snprintf(c->detail, sizeof(c->detail), "search index structure ok");
            }
            failed |= !c->ok;
        }
    }
    /* ownership and edges */
    check_count(st, add_check(out, max, n, "decls"),
                "SELECT count(*) FROM decls d WHERE NOT EXISTS (SELECT 1 FROM symbols s WHERE"
                " s.id = d.symbol_id) OR NOT EXISTS (SELECT 1 FROM files f WHERE f.id ="
                " d.file_id)",
                "declarations point at missing symbols or files", &failed);
    check_count(st, add_check(out, max, n, "locations"),
                "SELECT count(*) FROM symbols s WHERE s.file_id IS NOT NULL AND NOT EXISTS"
                " (SELECT 1 FROM decls d WHERE d.symbol_id = s.id AND d.file_id = s.file_id"
                " AND d.line = s.line AND d.col = s.col AND d.is_def = s.loc_is_def)",
                "symbols whose location is not one of their declarations", &failed);
    check_count(st, add_check(out, max, n, "edges"),
                "SELECT (SELECT count(*) FROM refs r WHERE NOT EXISTS (SELECT 1 FROM symbols s"
                " WHERE s.id = r.symbol_id)) + (SELECT count(*) FROM bases b WHERE NOT EXISTS"
                " (SELECT 1 FROM symbols s WHERE s.id = b.base_id) OR NOT EXISTS (SELECT 1 FROM"
                " symbols s WHERE s.id = b.derived_id)) + (SELECT count(*) FROM overrides o"
                " WHERE NOT EXISTS (SELECT 1 FROM symbols s WHERE s.id = o.symbol_id) OR NOT"
                " EXISTS (SELECT 1 FROM symbols s WHERE s.id = o.overridden_id)) + (SELECT"
                " count(*) FROM includes i WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.id ="
                " i.included_id))",
                "edges point at missing symbols or files", &failed);
    check_count(st, add_check(out, max, n, "orphans"),
                "SELECT count(*) FROM symbols s WHERE s.file_id IS NULL AND s.id NOT IN"
                " (SELECT symbol_id FROM refs UNION SELECT context_id FROM refs WHERE"
                " context_id IS NOT NULL UNION SELECT base_id FROM bases UNION SELECT derived_id"
                " FROM bases UNION SELECT symbol_id FROM overrides UNION SELECT overridden_id"
                " FROM overrides)",
                "symbols that nothing declares or uses (left over)", &failed);
    /* size */
    c = add_check(out, max, n, "size");
    if (c) {
        char h[32];
        int64_t bytes = fs_file_size(st->path);
        str_human_bytes(h, bytes);
        if (bytes > store_size_warn_bytes())
            snprintf(c->detail, sizeof(c->detail),
                     "%s: large; 'cidx maintain --vacuum' may shrink it", h);
        else
            snprintf(c->detail, sizeof(c->detail), "%s", h);
    }
    return failed ? ERR_CORRUPT : 0;
}

bool store_vacuum_due(struct store *st, const char **reason)
{
    int64_t pages = 0, free_pages = 0;
    char *v = NULL;
    double last = 0;

    *reason = NULL;
    store_query_int(st, "PRAGMA page_count", &pages, NULL);
    store_query_int(st, "PRAGMA freelist_count", &free_pages, NULL);
    if (pages > 64 && (double)free_pages > VACUUM_FREE_RATIO * (double)pages) {
        *reason = "free pages";
        return true;
    }
    if (store_meta_get(st, "last_vacuum", &v, NULL) == 0 && v)
        last = strtod(v, NULL);
    free(v);
    if (time_now() - last > VACUUM_MAX_AGE_S) {
        *reason = "last vacuum over a week ago";
        return true;
    }
    return false;
}

int store_maintain(struct store *st, bool force_vacuum, struct store_maint_report *out,
                   struct err *err)
{
    uint64_t t0 = time_mono_ns();
    const char *reason = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    if (st->readonly)
        return err_set(err, ERR_READONLY, "cache '%s' was opened read-only", st->path);
    if (st->in_bulk)
        return err_set(err, ERR_BUSY, "a bulk load is in progress");
    store_exec(st, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, "checkpoint");
    out->bytes_before = fs_file_size(st->path);
    rc = store_exec(st, "ANALYZE", err, "cannot analyze");
    if (!rc)
        rc = store_exec(st, "INSERT INTO symbols_fts(symbols_fts) VALUES ('optimize')", err,
                        "cannot optimize the search index");
    if (rc)
        return rc;
    if (force_vacuum)
        reason = "forced";
    if (force_vacuum || store_vacuum_due(st, &reason)) {
        char now[32];
        rc = store_exec(st, "VACUUM", err, "cannot vacuum");
        if (rc)
            return rc;
        snprintf(now, sizeof(now), "%.0f", time_now());
        rc = store_meta_set(st, "last_vacuum", now, err);
        if (rc)
            return rc;
        out->vacuumed = true;
        out->vacuum_reason = reason;
    }
    store_exec(st, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, "checkpoint");
    out->bytes_after = fs_file_size(st->path);
    out->elapsed_ms = (double)(time_mono_ns() - t0) / 1e6;
    return 0;
}

int store_rebuild_indexes(struct store *st, struct err *err)
{
    int rc;
    if (st->in_bulk)
        return err_set(err, ERR_BUSY, "a bulk load is in progress");
    rc = store_txn_begin(st, err);
    if (rc)
        return rc;
    rc = store_exec(st, store_secondary_indexes_sql, err, "cannot create the indexes");
    if (!rc)
        rc = store_exec(st, store_fts_triggers_sql, err, "cannot create the search triggers");
    if (!rc)
        rc = store_exec(st, "INSERT INTO symbols_fts(symbols_fts) VALUES ('rebuild'); REINDEX", err,
                        "cannot rebuild the indexes");
    if (rc) {
        store_txn_rollback(st);
        return rc;
    }
    return store_txn_commit(st, err);
}

/* ---- search-index drift: the FTS5 index against what the symbols say it should hold ------ */

struct term_slot {
    char *term;
    int len;
    int64_t docs;
    int64_t last_doc;
};

struct term_map {
    struct term_slot *slots;
    size_t cap, n;
    int64_t doc;
};

static struct term_slot *term_find(struct term_map *m, const char *t, int n)
{
    size_t mask = m->cap - 1, i = hash_bytes64(t, (size_t)n) & mask;
    while (m->slots[i].term &&
           (m->slots[i].len != n || memcmp(m->slots[i].term, t, (size_t)n) != 0))
        i = (i + 1) & mask;
    return &m->slots[i];
}

static void term_add(const char *t, int n, void *payload)
{
    struct term_map *m = payload;
    struct term_slot *s;
    if ((m->n + 1) * 2 > m->cap) {
        struct term_map old = *m;
        m->cap = m->cap ? m->cap * 2 : 1024;
        m->slots = xcalloc(m->cap, sizeof(*m->slots));
        m->n = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.slots[i].term) {
                *term_find(m, old.slots[i].term, old.slots[i].len) = old.slots[i];
                m->n++;
            }
        free(old.slots);
    }
    s = term_find(m, t, n);
    if (!s->term) {
        s->term = xstrndup(t, (size_t)n);
        s->len = n;
        s->last_doc = -1;
        m->n++;
    }
    if (s->last_doc != m->doc) { /* count documents, not occurrences */
        s->docs++;
        s->last_doc = m->doc;
    }
}

int64_t store_fts_drift(struct store *st, struct err *err)
{
    struct term_map m = {0};
    sqlite3_stmt *s = NULL;
    int64_t bad = 0;
    int rc;

    rc = store_exec(st,
                    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.cidx_fts_vocab USING"
                    " fts5vocab(main, 'symbols_fts', 'row')",
                    err, "cannot inspect the search index");
    if (rc)
        return rc;
    /* one read transaction: both sides see the same snapshot while writers go on */
    rc = sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(st->db, "SELECT id, name FROM symbols_fts_content", -1, &s, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 1);
        m.doc = sqlite3_column_int64(s, 0);
        store_fts_tokens(name ? name : "", sqlite3_column_bytes(s, 1), term_add, &m);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    s = NULL;
    if (rc == SQLITE_DONE)
        rc = sqlite3_prepare_v2(st->db, "SELECT term, doc FROM temp.cidx_fts_vocab", -1, &s, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_blob(s, 0);
        int n = sqlite3_column_bytes(s, 0);
        struct term_slot *slot = m.cap ? term_find(&m, t ? t : "", n) : NULL;
        int64_t docs = sqlite3_column_int64(s, 1);
        if (!slot || !slot->term) {
            bad++;
        } else {
            if (slot->docs != docs)
                bad++;
            slot->docs = -1; /* seen */
        }
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_DONE)
        bad = store_db_err(st, err, rc, "cannot inspect the search index");
    sqlite3_finalize(s);
    if (!sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
    for (size_t i = 0; i < m.cap; i++) {
        if (m.slots[i].term && m.slots[i].docs != -1 && bad >= 0)
            bad++;
        free(m.slots[i].term);
    }
    free(m.slots);
    return bad;
}

int64_t store_size_warn_bytes(void)
{
    const char *v = getenv("CIDX_SIZE_WARN_BYTES");
    uint64_t n;
    if (v && str_to_u64(&n, v, INT64_MAX) == 0)
        return (int64_t)n;
    return STORE_SIZE_WARN_BYTES;
}

bool store_size_warning(struct store *st)
{
    int64_t bytes = fs_file_size(st->path), limit = store_size_warn_bytes();
    char h[32], l[32];
    if (bytes <= limit)
        return false;
    str_human_bytes(h, bytes);
    str_human_bytes(l, limit);
    log_warn("cache '%s' is %s, over %s: 'cidx maintain --vacuum' may shrink it, 'cidx stats' "
             "shows what it holds",
             st->path, h, l);
    return true;
}
