/*
 * store_fts_side.c - the search index of a bulk load into an empty cache, built on a second
 * thread while the load writes its rows.
 *
 * In bulk mode the FTS triggers are dropped and the index used to be rebuilt from the symbols at
 * the end, on the writing thread (about a third of a 100,000-symbol load). Here, when the load
 * starts from an empty cache, TEMP triggers on the writing connection send every change the
 * FTS triggers would have made - (add | delete, id, name) - through cidx_fts_log() into a queue;
 * a thread applies them, in order, to the same FTS5 table on a private in-memory database. At
 * the end (fts_side_install, inside bulk_finish_locked's transaction) the cache's symbols_fts is
 * dropped and created again, and its shadow tables (_data, _idx, _config) receive the private
 * table's rows: the same index 'rebuild' would have built from the same (id, name) pairs.
 * Dropping and creating the table gives the writing connection a fresh FTS5 object, so nothing
 * it may have cached of the old shadow tables survives.
 *
 * Anything that could make the events differ from the rows - a savepoint rolled back, a group
 * commit that failed, another connection writing during the load, an error on the thread -
 * marks the side index invalid, and the end of the load rebuilds as before. A crash loses the
 * TEMP triggers with the connection; bulk_pending makes the next open rebuild.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define EVENTS_PER_CHUNK 2048
/* Chunks waiting for the thread before the writer waits for it: the queue's memory is bounded
   (~2 MB of events and their names), whatever the size of the load. */
#define MAX_QUEUED_CHUNKS 32

struct fts_event {
    int64_t id;
    const char *name;
    int len;
    bool del;
};

struct fts_chunk {
    struct fts_chunk *next;
    size_t n;
    struct arena mem;
    struct fts_event ev[EVENTS_PER_CHUNK];
};

struct fts_side {
    pthread_t thread;
    bool thread_running;
    pthread_mutex_t mu;
    pthread_cond_t cv;             /* the thread waits for chunks */
    pthread_cond_t room;           /* the writer waits for the queue to shrink */
    struct fts_chunk *head, *tail; /* handed to the thread */
    size_t queued;                 /* chunks in head..tail (under mu) */
    struct fts_chunk *cur;         /* being filled by the writer */
    bool input_closed;             /* no more events (under mu) */
    bool invalid;                  /* the writer's view: the events no longer match the rows */
    bool failed;                   /* the thread's view: it could not apply them (under mu) */
    char why[200];                 /* the thread's failure, for the debug log */
    sqlite3 *db;                   /* the private database: the thread's until joined */
    uint64_t events;
};

static const char side_triggers_sql[] =
    "CREATE TEMP TRIGGER cidx_fts_side_ai AFTER INSERT ON main.symbols\n"
    "  WHEN new.file_id IS NOT NULL BEGIN\n"
    "  SELECT cidx_fts_log(0, new.id, new.name);\n"
    "END;\n"
    "CREATE TEMP TRIGGER cidx_fts_side_ad AFTER DELETE ON main.symbols\n"
    "  WHEN old.file_id IS NOT NULL BEGIN\n"
    "  SELECT cidx_fts_log(1, old.id, old.name);\n"
    "END;\n"
    "CREATE TEMP TRIGGER cidx_fts_side_au AFTER UPDATE ON main.symbols\n"
    "  WHEN old.name IS NOT new.name OR old.id IS NOT new.id\n"
    "    OR (old.file_id IS NULL) <> (new.file_id IS NULL) BEGIN\n"
    "  SELECT cidx_fts_log(1, old.id, old.name) WHERE old.file_id IS NOT NULL;\n"
    "  SELECT cidx_fts_log(0, new.id, new.name) WHERE new.file_id IS NOT NULL;\n"
    "END;\n";

static const char side_drop_triggers_sql[] = "DROP TRIGGER IF EXISTS temp.cidx_fts_side_ai;\n"
                                             "DROP TRIGGER IF EXISTS temp.cidx_fts_side_ad;\n"
                                             "DROP TRIGGER IF EXISTS temp.cidx_fts_side_au;\n";

/* The shadow tables of symbols_fts (detail=none, columnsize=0, external content: no _content,
   no _docsize). */
static const char *const shadow_tables[] = {"symbols_fts_data", "symbols_fts_idx",
                                            "symbols_fts_config"};

static void chunk_free(struct fts_chunk *c)
{
    while (c) {
        struct fts_chunk *next = c->next;
        arena_release(&c->mem);
        free(c);
        c = next;
    }
}

static void side_fail(struct fts_side *fs, const char *what)
{
    pthread_mutex_lock(&fs->mu);
    if (!fs->failed) {
        fs->failed = true;
        snprintf(fs->why, sizeof(fs->why), "%s: %s", what,
                 fs->db ? sqlite3_errmsg(fs->db) : "no database");
    }
    pthread_mutex_unlock(&fs->mu);
}

/* Applies one chunk of events inside the thread's open transaction. */
static int apply_chunk(struct fts_side *fs, sqlite3_stmt *add, sqlite3_stmt *del,
                       const struct fts_chunk *c)
{
    for (size_t i = 0; i < c->n; i++) {
        const struct fts_event *e = &c->ev[i];
        sqlite3_stmt *s = e->del ? del : add;
        int rc;
        sqlite3_bind_int64(s, 1, e->id);
        sqlite3_bind_text(s, 2, e->name, e->len, SQLITE_STATIC);
        rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE) {
            side_fail(fs, e->del ? "cannot remove a name" : "cannot add a name");
            return -1;
        }
    }
    return 0;
}

static void *side_main(void *arg)
{
    struct fts_side *fs = arg;
    sqlite3_stmt *add = NULL, *del = NULL;
    bool ok = true;

    if (sqlite3_prepare_v2(fs->db, "INSERT INTO symbols_fts(rowid, name) VALUES (?1, ?2)", -1, &add,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(fs->db,
                           "INSERT INTO symbols_fts(symbols_fts, rowid, name)"
                           " VALUES ('delete', ?1, ?2)",
                           -1, &del, NULL) != SQLITE_OK ||
        sqlite3_exec(fs->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        side_fail(fs, "cannot prepare the search index");
        ok = false;
    }
    for (;;) {
        struct fts_chunk *list;
        pthread_mutex_lock(&fs->mu);
        while (!fs->head && !fs->input_closed)
            pthread_cond_wait(&fs->cv, &fs->mu);
        list = fs->head;
        fs->head = fs->tail = NULL;
        fs->queued = 0;
        pthread_cond_signal(&fs->room);
        if (!list && fs->input_closed) {
            pthread_mutex_unlock(&fs->mu);
            break;
        }
        pthread_mutex_unlock(&fs->mu);
        for (struct fts_chunk *c = list; ok && c; c = c->next)
            ok = apply_chunk(fs, add, del, c) == 0;
        chunk_free(list);
    }
    sqlite3_finalize(add);
    sqlite3_finalize(del);
    if (ok && sqlite3_exec(fs->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        side_fail(fs, "cannot finish the search index");
    return NULL;
}

/* Hands the chunk being filled to the thread. */
static void push_cur(struct fts_side *fs)
{
    struct fts_chunk *c = fs->cur;
    if (!c || !c->n)
        return;
    fs->cur = NULL;
    pthread_mutex_lock(&fs->mu);
    while (fs->queued >= MAX_QUEUED_CHUNKS && !fs->failed)
        pthread_cond_wait(&fs->room, &fs->mu);
    fs->queued++;
    if (fs->tail)
        fs->tail->next = c;
    else
        fs->head = c;
    fs->tail = c;
    pthread_cond_signal(&fs->cv);
    pthread_mutex_unlock(&fs->mu);
}

static void log_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct fts_side *fs = sqlite3_user_data(ctx);
    struct fts_event *e;
    const unsigned char *name;
    int len;
    (void)argc;
    if (fs->invalid || fs->input_closed)
        return;
    name = sqlite3_value_text(argv[2]);
    len = sqlite3_value_bytes(argv[2]);
    if (!fs->cur)
        fs->cur = xcalloc(1, sizeof(*fs->cur));
    e = &fs->cur->ev[fs->cur->n++];
    e->del = sqlite3_value_int(argv[0]) != 0;
    e->id = sqlite3_value_int64(argv[1]);
    e->len = name ? len : 0;
    e->name = arena_strndup(&fs->cur->mem, name ? (const char *)name : "", (size_t)e->len);
    fs->events++;
    if (fs->cur->n == EVENTS_PER_CHUNK)
        push_cur(fs);
}

/* Ends the thread's input (the TEMP triggers go first, so nothing more can arrive). */
static void close_input(struct store *st)
{
    struct fts_side *fs = st->fts_side;
    if (fs->input_closed)
        return;
    if (sqlite3_exec(st->db, side_drop_triggers_sql, NULL, NULL, NULL) != SQLITE_OK)
        fs->invalid = true;
    push_cur(fs);
    pthread_mutex_lock(&fs->mu);
    fs->input_closed = true;
    pthread_cond_signal(&fs->cv);
    pthread_mutex_unlock(&fs->mu);
}

static void join(struct fts_side *fs)
{
    if (fs->thread_running) {
        pthread_join(fs->thread, NULL);
        fs->thread_running = false;
    }
}

void fts_side_stop(struct store *st)
{
    struct fts_side *fs = st->fts_side;
    if (!fs)
        return;
    close_input(st);
    join(fs);
    sqlite3_create_function_v2(st->db, "cidx_fts_log", 3, SQLITE_UTF8, NULL, NULL, NULL, NULL,
                               NULL);
    chunk_free(fs->cur);
    chunk_free(fs->head);
    sqlite3_close(fs->db);
    pthread_mutex_destroy(&fs->mu);
    pthread_cond_destroy(&fs->cv);
    pthread_cond_destroy(&fs->room);
    free(fs);
    st->fts_side = NULL;
}

void fts_side_invalidate(struct store *st)
{
    if (st->fts_side)
        st->fts_side->invalid = true;
}

bool fts_side_start(struct store *st)
{
    struct fts_side *fs;
    struct err e = {0};
    char *create;
    int rc;

    if (st->fts_side || getenv("CIDX_NO_FTS_SIDE"))
        return false;
    fs = xcalloc(1, sizeof(*fs));
    pthread_mutex_init(&fs->mu, NULL);
    pthread_cond_init(&fs->cv, NULL);
    pthread_cond_init(&fs->room, NULL);
    st->fts_side = fs;
    create = xstrdup(STORE_FTS_CREATE);
    store_sqlite_setup();
    rc = sqlite3_open_v2(":memory:", &fs->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK)
        rc = store_fts_register(fs->db, &e) ? SQLITE_ERROR : SQLITE_OK;
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(fs->db, create, NULL, NULL, NULL);
    free(create);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function_v2(st->db, "cidx_fts_log", 3, SQLITE_UTF8, fs, log_fn, NULL,
                                        NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(st->db, side_triggers_sql, NULL, NULL, NULL);
    if (rc == SQLITE_OK) {
        rc = pthread_create(&fs->thread, NULL, side_main, fs) == 0 ? SQLITE_OK : SQLITE_ERROR;
        fs->thread_running = rc == SQLITE_OK;
    }
    if (rc != SQLITE_OK) {
        log_debug("the search index is rebuilt at the end of the load (no second thread: %s)",
                  e.msg[0] ? e.msg : sqlite3_errstr(rc));
        fs->invalid = true;
        fts_side_stop(st);
        return false;
    }
    return true;
}

/* Copies one shadow table from the private database into the cache. */
static int copy_table(struct store *st, const char *table, struct err *err)
{
    struct fts_side *fs = st->fts_side;
    sqlite3_stmt *sel = NULL, *ins = NULL;
    char *q = xasprintf("SELECT * FROM \"%s\"", table);
    int rc = sqlite3_prepare_v2(fs->db, q, -1, &sel, NULL), ncol;
    free(q);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(sel);
        return err_set(err, ERR_DB, "cannot read the search index built aside: %s",
                       sqlite3_errmsg(fs->db));
    }
    ncol = sqlite3_column_count(sel);
    q = xasprintf("INSERT INTO main.\"%s\" VALUES (?%s%s)", table, ncol > 1 ? ", ?" : "",
                  ncol > 2 ? ", ?" : "");
    if (ncol < 1 || ncol > 3) {
        free(q);
        sqlite3_finalize(sel);
        return err_set(err, ERR_DB, "the search index built aside has an unknown shape");
    }
    rc = sqlite3_prepare_v2(st->db, q, -1, &ins, NULL);
    free(q);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(sel);
        return store_db_err(st, err, rc, "cannot write the search index");
    }
    while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
        for (int i = 0; i < ncol; i++)
            sqlite3_bind_value(ins, i + 1, sqlite3_column_value(sel, i));
        rc = sqlite3_step(ins);
        sqlite3_reset(ins);
        if (rc != SQLITE_DONE)
            break;
    }
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    if (rc != SQLITE_DONE)
        return store_db_err(st, err, rc, "cannot write the search index");
    return 0;
}

int fts_side_install(struct store *st, bool *installed, struct err *err)
{
    struct fts_side *fs = st->fts_side;
    struct err e = {0};
    int rc;

    *installed = false;
    st->fts_side_used = false;
    if (!fs)
        return 0;
    close_input(st);
    join(fs);
    if (fs->invalid || fs->failed) {
        log_debug("the search index is rebuilt at the end of the load (%s)",
                  fs->failed ? fs->why : "the load's rows changed under it");
        fts_side_stop(st);
        return 0;
    }
    rc = store_exec(st, "SAVEPOINT fts_side", err, "cannot replace the search index");
    if (rc) {
        fts_side_stop(st);
        return rc;
    }
    rc = store_exec(st,
                    "DROP TABLE symbols_fts;"
                    " " STORE_FTS_CREATE ";"
                    " DELETE FROM symbols_fts_data; DELETE FROM symbols_fts_idx;"
                    " DELETE FROM symbols_fts_config",
                    &e, "cannot replace the search index");
    for (size_t i = 0; !rc && i < ARRAY_SIZE(shadow_tables); i++)
        rc = copy_table(st, shadow_tables[i], &e);
    if (!rc) {
        rc = store_exec(st, "RELEASE fts_side", err, "cannot replace the search index");
        *installed = rc == 0;
        st->fts_side_used = *installed;
    } else if (sqlite3_exec(st->db, "ROLLBACK TO fts_side; RELEASE fts_side", NULL, NULL, NULL) ==
                   SQLITE_OK &&
               !sqlite3_get_autocommit(st->db)) {
        /* back to the table as it was; the caller rebuilds it */
        log_debug("the search index is rebuilt at the end of the load (%s)", e.msg);
        rc = 0;
    } else {
        /* SQLite took back the whole finishing transaction (a full disk...): its error stands,
           and the load stays unfinished for the next open */
        if (err)
            *err = e;
    }
    fts_side_stop(st);
    return rc;
}
