/*
 * store_legacy_in.c - migrating a legacy JSON cache (spec LEGACY_JSON.md) into a cidx cache:
 * `cidx migrate-json` and the automatic migration when a cache directory is opened.
 *
 * Invariants:
 *   1. The JSON files are only ever read. The migration adds to the legacy directory only the
 *      marker (last), and, when the cidx cache lives there too, its own files.
 *   2. Nothing is imported before every file has been read and checked completely
 *      (legacy_parse, legacy_merge), and before the whole directory was copied aside.
 *   3. The new database is built in cache_dir/.cidx-migrate.tmp/ and becomes symbols.db only
 *      after the verification passed, by a hard link that never replaces a symbols.db that
 *      appeared meanwhile. So a failure, a kill or a power loss at any moment leaves either no
 *      symbols.db (the next run starts over, removing the leftover directory first) or a
 *      complete, verified one.
 *   4. The marker is written after symbols.db is in place. A run that died between the two finds
 *      a symbols.db whose cache_metadata "legacy_migrated_from" names this legacy directory and
 *      only writes the marker.
 *   5. One migration per cache_dir at a time: cache_dir/.cidx-migrate.lock is held (flock) from
 *      the first check to the end; a second process waits, then finds the work done.
 *
 * Transitions (store_legacy_migrate): check -> read (read_all: cache_info.json on a second
 * thread, files/ here) -> merge and, on a second thread, backup -> import (the whole cache as
 * one store_bulk_load, its search index built on a second thread meanwhile) -> while the
 * indexes are built, verify on a second thread (legacy_db_read, legacy_compare) -> install ->
 * marker.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_int.h"

#define TMP_DIR_NAME ".cidx-migrate.tmp"
#define LOCK_NAME ".cidx-migrate.lock"
#define BACKUP_PREFIX "json-backup."
#define META_FROM "legacy_migrated_from"

/* ---- progress ------------------------------------------------------------------------------ */

struct mig {
    const struct store_legacy_opts *o;
    uint64_t t0;
};

static void progress(struct mig *m, const char *phase, uint64_t done, uint64_t total)
{
    struct store_legacy_progress p = {phase, done, total, (double)(time_mono_ns() - m->t0) / 1e9};
    if (m->o->progress)
        m->o->progress(m->o->progress_ctx, &p);
}

/* ---- reading the directory ----------------------------------------------------------------- */

/* One file of the legacy directory: its bytes (kept for the backup) and how to read it. */
struct lfile {
    char *rel;  /* path inside the legacy directory */
    char *path; /* full path, for messages */
    char *data;
    size_t len;
    int kind; /* enum store_legacy_kind, or -1: copied into the backup only */
};

struct lfiles {
    struct lfile *v;
    size_t n, alloc;
};

static void lfiles_release(struct lfiles *fs)
{
    for (size_t i = 0; i < fs->n; i++) {
        free(fs->v[i].rel);
        free(fs->v[i].path);
        free(fs->v[i].data);
    }
    free(fs->v);
    memset(fs, 0, sizeof(*fs));
}

static void lfiles_add(struct lfiles *fs, const char *dir, const char *rel, int kind)
{
    struct lfile *f;
    ALLOC_GROW(fs->v, fs->n + 1, fs->alloc);
    f = &fs->v[fs->n++];
    memset(f, 0, sizeof(*f));
    f->rel = xstrdup(rel);
    f->path = path_join(dir, rel);
    f->kind = kind;
}

static int load_file(struct lfile *f, struct err *err)
{
    size_t max = legacy_max_bytes();
    int64_t size = fs_file_size(f->path);
    if (size > (int64_t)max)
        return err_set(err, ERR_LIMIT,
                       "'%s' is %lld bytes, more than the %zu a legacy cache file may have "
                       "(CIDX_LEGACY_MAX_MB raises the limit)",
                       f->path, (long long)size, max);
    return fs_read_file(&f->data, &f->len, f->path, max, err);
}

/* Names in the legacy directory that belong to cidx, never to the JSON cache. */
static bool ours(const char *name)
{
    return str_starts_with(name, STORE_DB_NAME) || str_starts_with(name, ".cidx-") ||
           str_starts_with(name, BACKUP_PREFIX) || str_starts_with(name, "json-replaced.") ||
           !strcmp(name, STORE_LEGACY_MARKER);
}

struct list_ctx {
    struct lfiles *fs;
    const char *dir;
    const char *sub; /* "files" while listing files/, else NULL */
    char **names;
    size_t n, alloc;
};

static int collect_name(const char *name, void *payload)
{
    struct list_ctx *c = payload;
    ALLOC_GROW(c->names, c->n + 1, c->alloc);
    c->names[c->n++] = xstrdup(name);
    return 0;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every file to read or to copy, in reading order: cache_info.json, header_tracker.json,
 * parse_errors.jsonl, files/ by name, then anything else at the top (backup only). */
static int list_legacy(struct lfiles *fs, const char *dir, struct err *err)
{
    struct list_ctx c = {fs, dir, NULL, NULL, 0, 0};
    char *files_dir = path_join(dir, "files");
    int rc;

    lfiles_add(fs, dir, STORE_LEGACY_INFO, STORE_LEGACY_CACHE_INFO);
    rc = fs_list_dir(dir, collect_name, &c, err);
    if (!rc && fs_is_dir(files_dir)) {
        struct list_ctx fc = {fs, files_dir, "files", NULL, 0, 0};
        rc = fs_list_dir(files_dir, collect_name, &fc, err);
        if (fc.n)
            qsort(fc.names, fc.n, sizeof(*fc.names), cmp_name);
        for (size_t i = 0; i < fc.n; i++) {
            char *rel = xasprintf("files/%s", fc.names[i]), *full = path_join(dir, rel);
            struct stat sb;
            if (!rc && stat(full, &sb) == 0 && S_ISREG(sb.st_mode))
                lfiles_add(fs, dir, rel,
                           str_ends_with(fc.names[i], ".json") ? STORE_LEGACY_FILE_CACHE : -1);
            free(rel);
            free(full);
            free(fc.names[i]);
        }
        free(fc.names);
    }
    if (c.n)
        qsort(c.names, c.n, sizeof(*c.names), cmp_name);
    for (size_t i = 0; i < c.n; i++) {
        const char *name = c.names[i];
        char *full = path_join(dir, name);
        struct stat sb;
        if (!rc && strcmp(name, STORE_LEGACY_INFO) != 0 && !ours(name) && stat(full, &sb) == 0 &&
            S_ISREG(sb.st_mode)) {
            int kind = !strcmp(name, "header_tracker.json")  ? STORE_LEGACY_HEADER_TRACKER
                       : !strcmp(name, "parse_errors.jsonl") ? STORE_LEGACY_PARSE_ERRORS
                                                             : -1;
            lfiles_add(fs, dir, name, kind);
        }
        free(full);
        free(c.names[i]);
    }
    free(c.names);
    free(files_dir);
    return rc;
}

/* cache_info.json is read and parsed on a second thread while this one does the rest. */
struct info_job {
    struct lfile *f;
    struct legacy_cache lc;
    struct err err;
    int rc;
};

static void *info_main(void *arg)
{
    struct info_job *j = arg;
    j->rc = load_file(j->f, &j->err);
    if (!j->rc)
        j->rc = legacy_parse(&j->lc, STORE_LEGACY_CACHE_INFO, j->f->path, j->f->data, j->f->len,
                             &j->err);
    return NULL;
}

static int read_all(struct mig *m, struct lfiles *fs, struct legacy_cache *lc, struct err *err)
{
    struct info_job job;
    pthread_t th;
    bool threaded;
    int rc = 0;

    memset(&job, 0, sizeof(job));
    legacy_cache_init(&job.lc);
    job.f = &fs->v[0];
    threaded = pthread_create(&th, NULL, info_main, &job) == 0;
    if (!threaded)
        info_main(&job);
    for (size_t i = 1; i < fs->n; i++) {
        struct lfile *f = &fs->v[i];
        /* files that are no part of the format are only copied (unread, whatever their size) */
        if (!rc && f->kind >= 0)
            rc = load_file(f, err);
        if (!rc && f->kind >= 0)
            rc = legacy_parse(lc, (enum store_legacy_kind)f->kind, f->path, f->data, f->len, err);
        if (rc)
            break;
        if ((i & 63) == 0)
            progress(m, "reading", i, fs->n);
    }
    if (threaded)
        pthread_join(th, NULL);
    if (job.rc) {
        /* cache_info.json comes first in reading order: its problem is the one to report */
        rc = job.rc;
        if (err)
            *err = job.err;
    }
    if (!rc) {
        /* cache_info.json's records come first: the first record of a usr wins */
        struct legacy_cache rest = *lc;
        *lc = job.lc;
        legacy_cache_init(&job.lc);
        legacy_cache_absorb(lc, &rest);
    }
    legacy_cache_release(&job.lc);
    progress(m, "reading", fs->n, fs->n);
    return rc;
}

/* ---- the backup ---------------------------------------------------------------------------- */

/* Writes every file of the directory into dest (same layout): the format's files from the bytes
 * that were parsed, the others copied. */
static int write_backup(const char *dest, const struct lfiles *fs, struct err *err)
{
    char *files_dir = path_join(dest, "files");
    int rc = legacy_mkdir(dest, err);
    bool have_files = false;
    for (size_t i = 0; !rc && i < fs->n; i++) {
        char *p;
        if (!have_files && str_starts_with(fs->v[i].rel, "files/")) {
            rc = legacy_mkdir(files_dir, err);
            have_files = true;
        }
        if (rc)
            break;
        p = path_join(dest, fs->v[i].rel);
        if (fs->v[i].kind < 0)
            rc = fs_copy_file(fs->v[i].path, p, err);
        else
            rc = legacy_write(p, fs->v[i].data ? fs->v[i].data : "", fs->v[i].len, err);
        free(p);
    }
    free(files_dir);
    return rc;
}

struct backup_job {
    char *dest;
    const struct lfiles *fs;
    struct err err;
    int rc;
};

static void *backup_main(void *arg)
{
    struct backup_job *j = arg;
    j->rc = write_backup(j->dest, j->fs, &j->err);
    return NULL;
}

/* ---- the import ---------------------------------------------------------------------------- */

/* A file of the new cache: everything the legacy data says about one path. */
struct ifile {
    const char *path;
    const char *hash;
    const struct legacy_file *pf; /* its per-file cache, if any */
    const struct legacy_sym **syms;
    size_t nsyms;
};

static int cmp_sym_file(const void *pa, const void *pb)
{
    const struct legacy_sym *a = *(const struct legacy_sym *const *)pa;
    const struct legacy_sym *b = *(const struct legacy_sym *const *)pb;
    int c = strcmp(a->file, b->file);
    if (c)
        return c;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->col != b->col)
        return a->col < b->col ? -1 : 1;
    return strcmp(a->usr, b->usr);
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The files, sorted by path, each with its records (bysym sorted by file). */
static struct ifile *plan_files(const struct legacy_cache *lc, const struct legacy_sym **bysym,
                                size_t *n)
{
    const char **paths = xmalloc((lc->nsyms + lc->nhashes + lc->nfiles + 1) * sizeof(*paths));
    size_t np = 0, w = 0, si = 0, hi = 0, fi = 0;
    struct ifile *v;

    for (size_t i = 0; i < lc->nsyms; i++)
        paths[np++] = bysym[i]->file;
    for (size_t i = 0; i < lc->nhashes; i++)
        paths[np++] = lc->hashes[i].key;
    for (size_t i = 0; i < lc->nfiles; i++)
        paths[np++] = lc->files[i].path;
    if (np > 1)
        qsort(paths, np, sizeof(*paths), cmp_cstr);
    for (size_t i = 0; i < np; i++)
        if (!w || strcmp(paths[w - 1], paths[i]) != 0)
            paths[w++] = paths[i];
    v = xcalloc(w ? w : 1, sizeof(*v));
    for (size_t i = 0; i < w; i++) {
        struct ifile *f = &v[i];
        f->path = paths[i];
        while (hi < lc->nhashes && strcmp(lc->hashes[hi].key, f->path) < 0)
            hi++;
        if (hi < lc->nhashes && !strcmp(lc->hashes[hi].key, f->path))
            f->hash = lc->hashes[hi].value;
        while (fi < lc->nfiles && strcmp(lc->files[fi].path, f->path) < 0)
            fi++;
        if (fi < lc->nfiles && !strcmp(lc->files[fi].path, f->path))
            f->pf = &lc->files[fi];
        while (si < lc->nsyms && strcmp(bysym[si]->file, f->path) < 0)
            si++;
        f->syms = bysym + si;
        while (si < lc->nsyms && !strcmp(bysym[si]->file, f->path))
            si++, f->nsyms++;
    }
    free(paths);
    *n = w;
    return v;
}

/* A set of reference positions of one batch, so that two edges never share a key. */
struct posset {
    uint64_t *v;
    size_t cap, n;
};

static uint64_t pos_key(uint32_t line, uint32_t col, const char *usr)
{
    uint64_t h = hash_bytes64(usr, strlen(usr));
    h ^= ((uint64_t)line << 32 | col) * 0x9e3779b97f4a7c15ull;
    return h ? h : 1;
}

/* Adds key; false when it was there already. */
static bool posset_add(struct posset *s, uint64_t key)
{
    size_t i;
    if ((s->n + 1) * 2 > s->cap) {
        struct posset old = *s;
        s->cap = s->cap ? s->cap * 2 : 256;
        s->v = xcalloc(s->cap, sizeof(*s->v));
        s->n = 0;
        for (size_t k = 0; k < old.cap; k++)
            if (old.v[k])
                posset_add(s, old.v[k]);
        free(old.v);
    }
    for (i = key & (s->cap - 1); s->v[i]; i = (i + 1) & (s->cap - 1))
        if (s->v[i] == key)
            return false;
    s->v[i] = key;
    s->n++;
    return true;
}

static void posset_clear(struct posset *s)
{
    if (s->n)
        memset(s->v, 0, s->cap * sizeof(*s->v));
    s->n = 0;
}

/* A name for a placeholder known only by usr: "c:@F@printf" gives "printf". */
static const char *name_from_usr(struct arena *a, const char *usr)
{
    const char *at = strrchr(usr, '@'), *end;
    if (!at || !at[1])
        return NULL;
    at++;
    end = strchr(at, '#');
    return arena_strndup(a, at, end ? (size_t)(end - at) : strlen(at));
}

/*
 * The whole legacy cache as one store_bulk_load: the files in path order, each file's records in
 * declaration order (their symbols, in that order, first), then the symbols only references and
 * bases name, in the order they are first named; per file its calls and unknown callers (one
 * reference per edge, on the caller's position; edges at one position are moved a column
 * apart so that each keeps its row), then its base classes (in declaration order, a column
 * apart). What writing the files one by one gives, without a lookup in the store.
 */
struct loader {
    struct legacy_cache *lc;
    struct arena mem;
    struct store_load_symbol *syms;
    size_t nsyms, asyms;
    struct store_load_ref *refs;
    size_t nrefs, arefs;
    struct store_load_base *bases;
    size_t nbases, abases;
    uint32_t *at;               /* lc->syms index -> load index */
    struct strmap placeholders; /* usr -> 1 + load index */
    struct posset pos;
};

/* The load index of a usr: a record's symbol, or a placeholder (made on first use). */
static uint32_t load_symbol_of(struct loader *ld, const char *usr, const char *name,
                               enum store_kind kind)
{
    long t = legacy_find(ld->lc, usr);
    void *v;
    struct store_load_symbol *y;
    if (t >= 0)
        return ld->at[t];
    v = strmap_get(&ld->placeholders, usr);
    if (v)
        return (uint32_t)((uintptr_t)v - 1);
    ALLOC_GROW(ld->syms, ld->nsyms + 1, ld->asyms);
    y = &ld->syms[ld->nsyms];
    memset(y, 0, sizeof(*y));
    y->usr = usr;
    y->name = name ? name : "";
    y->kind = kind;
    y->file = STORE_LOAD_NONE;
    strmap_put(&ld->placeholders, usr, (void *)(uintptr_t)(ld->nsyms + 1));
    return (uint32_t)ld->nsyms++;
}

static void load_call(struct loader *ld, uint32_t file, const struct legacy_sym *at,
                      uint32_t target, uint32_t context)
{
    struct store_load_ref *r;
    uint32_t col = at->col;
    while (!posset_add(&ld->pos, pos_key(at->line, col, ld->syms[target].usr)))
        col++;
    ALLOC_GROW(ld->refs, ld->nrefs + 1, ld->arefs);
    r = &ld->refs[ld->nrefs++];
    r->file = file;
    r->line = at->line;
    r->col = col;
    r->symbol = target;
    r->context = context;
    r->roles = STORE_ROLE_CALL;
}

static void load_build(struct loader *ld, const struct ifile *files, size_t nfiles)
{
    struct legacy_cache *lc = ld->lc;
    /* every record's symbol first, so that references find them */
    for (size_t i = 0; i < nfiles; i++) {
        for (size_t k = 0; k < files[i].nsyms; k++) {
            const struct legacy_sym *y = files[i].syms[k];
            struct store_load_symbol *s;
            ALLOC_GROW(ld->syms, ld->nsyms + 1, ld->asyms);
            s = &ld->syms[ld->nsyms];
            memset(s, 0, sizeof(*s));
            s->usr = y->usr;
            s->name = y->name;
            if (*y->ns && *y->parent) {
                size_t n = strlen(y->ns) + 2 + strlen(y->parent) + 1;
                char *q = arena_alloc(&ld->mem, n);
                snprintf(q, n, "%s::%s", y->ns, y->parent);
                s->scope = q;
            } else {
                s->scope = *y->parent ? y->parent : y->ns;
            }
            s->scope_ns = y->ns;
            s->scope_kind = *y->parent ? STORE_KIND_CLASS : STORE_KIND_NAMESPACE;
            s->kind = y->kind;
            s->signature = *y->signature ? y->signature : NULL;
            s->access = y->access;
            s->file = (uint32_t)i;
            s->line = y->line;
            s->col = y->col;
            s->is_definition = true;
            ld->at[y - lc->syms] = (uint32_t)ld->nsyms++;
        }
    }
    for (size_t i = 0; i < nfiles; i++) {
        const struct ifile *f = &files[i];
        posset_clear(&ld->pos);
        for (size_t k = 0; k < f->nsyms; k++) {
            const struct legacy_sym *y = f->syms[k];
            uint32_t me = ld->at[y - lc->syms];
            for (uint32_t c = 0; c < y->ncalls; c++) {
                long t = legacy_find(lc, y->calls[c]);
                uint32_t to =
                    t >= 0 ? ld->at[t]
                           : load_symbol_of(ld, y->calls[c], name_from_usr(&ld->mem, y->calls[c]),
                                            STORE_KIND_UNKNOWN);
                load_call(ld, (uint32_t)i, y, to, me);
            }
            /* a caller the data has no record of: the edge can only be written here */
            for (uint32_t c = 0; c < y->ncalled_by; c++)
                if (legacy_find(lc, y->called_by[c]) < 0)
                    load_call(ld, (uint32_t)i, y, me,
                              load_symbol_of(ld, y->called_by[c], NULL, STORE_KIND_UNKNOWN));
        }
        for (size_t k = 0; k < f->nsyms; k++) {
            const struct legacy_sym *y = f->syms[k];
            for (uint32_t b = 0; b < y->nbases; b++) {
                struct store_load_base *e;
                uint32_t base = load_symbol_of(ld, legacy_base_usr(lc, y->bases[b]), y->bases[b],
                                               STORE_KIND_CLASS);
                ALLOC_GROW(ld->bases, ld->nbases + 1, ld->abases);
                e = &ld->bases[ld->nbases++];
                memset(e, 0, sizeof(*e));
                e->file = (uint32_t)i;
                e->derived = ld->at[y - lc->syms];
                e->base = base;
                e->access = STORE_ACCESS_PUBLIC;
                e->line = y->line;
                e->col = y->col + b; /* declaration order, as base specifiers follow the name */
            }
        }
    }
}

static void load_progress_cb(void *ctx, uint64_t done, uint64_t total)
{
    progress(ctx, "writing", done, total);
}

/* Writes every file's records through one store_bulk_load. */
static int write_files(struct mig *m, struct store *st, struct legacy_cache *lc,
                       const struct ifile *files, size_t nfiles, struct store_legacy_report *rep,
                       struct err *err)
{
    struct loader ld;
    struct store_load_file *lf = xcalloc(nfiles ? nfiles : 1, sizeof(*lf));
    struct store_load l;
    int rc;

    memset(&ld, 0, sizeof(ld));
    ld.lc = lc;
    ld.at = xcalloc(lc->nsyms ? lc->nsyms : 1, sizeof(*ld.at));
    for (size_t i = 0; i < nfiles; i++) {
        lf[i].path = files[i].path;
        lf[i].hash = files[i].hash;
        lf[i].args_hash = files[i].pf ? files[i].pf->args_hash : NULL;
        lf[i].is_header = !files[i].pf;
        lf[i].is_project = files[i].nsyms ? files[i].syms[0]->is_project : true;
    }
    load_build(&ld, files, nfiles);
    rep->calls = ld.nrefs;
    rep->bases = ld.nbases;
    progress(m, "writing", 0, (uint64_t)ld.nsyms + ld.nrefs); /* rows: symbols, then calls */
    l = (struct store_load){lf,       nfiles,   ld.syms,   ld.nsyms,         ld.refs,
                            ld.nrefs, ld.bases, ld.nbases, load_progress_cb, m};
    rc = store_bulk_load(st, &l, err);
    free(lf);
    free(ld.syms);
    free(ld.refs);
    free(ld.bases);
    free(ld.at);
    free(ld.pos.v);
    strmap_clear(&ld.placeholders);
    arena_release(&ld.mem);
    return rc;
}

static int set_meta_opt(struct store *st, const char *key, const char *value, struct err *err)
{
    return store_meta_set(st, key, value ? value : "", err);
}

static int import_rest(struct store *st, const struct legacy_cache *lc, const char *from,
                       struct err *err)
{
    char when[32], count[32];
    int rc = 0;

    /* per-file cache states that are not "parsed fine, never retried" */
    for (size_t i = 0; !rc && i < lc->nfiles; i++) {
        const struct legacy_file *f = &lc->files[i];
        struct store_parse_error pe = {f->path,
                                       NULL,
                                       f->error_message ? f->error_message : "",
                                       NULL,
                                       f->hash,
                                       f->args_hash,
                                       (int)f->retry_count};
        if (f->success && !f->retry_count && !f->error_message)
            continue;
        pe.error_type = f->success ? LEGACY_STATE_RETRIED : LEGACY_STATE_FAILED;
        rc = store_parse_error_add(st, &pe, err);
    }
    for (size_t i = 0; !rc && i < lc->nperrs; i++) {
        const struct legacy_perr *e = &lc->perrs[i];
        struct store_parse_error pe = {
            e->path,      e->type,      e->message,         e->stack_trace,
            e->file_hash, e->args_hash, (int)e->retry_count};
        rc = store_parse_error_add(st, &pe, err);
    }
    for (size_t i = 0; !rc && i < lc->nheaders; i++)
        rc = store_header_claim(st, lc->headers[i].key, lc->headers[i].key, lc->headers[i].value,
                                lc->tracker_cc_hash, err);
    time_format_utc(when, time_now());
    snprintf(count, sizeof(count), "%lld", (long long)lc->indexed_file_count);
    if (!rc)
        rc = store_meta_set(st, "include_dependencies", lc->include_dependencies ? "true" : "false",
                            err);
    if (!rc)
        rc = set_meta_opt(st, "config_file_path", lc->config_file_path, err);
    if (!rc)
        rc = set_meta_opt(st, "config_file_mtime", lc->config_file_mtime, err);
    if (!rc)
        rc = set_meta_opt(st, "compile_commands_path", lc->compile_commands_path, err);
    if (!rc)
        rc = set_meta_opt(st, "compile_commands_mtime", lc->compile_commands_mtime, err);
    if (!rc && lc->have_tracker)
        rc = set_meta_opt(st, "header_tracker_compile_commands_hash", lc->tracker_cc_hash, err);
    if (!rc)
        rc = store_meta_set(st, "legacy_indexed_file_count", count, err);
    if (!rc)
        rc = store_meta_set(st, "legacy_migrated_at", when, err);
    if (!rc)
        rc = store_meta_set(st, META_FROM, from, err);
    return rc;
}

/* The verification, on its own read-only handle while the end of the import builds the indexes:
   the database as written, read back in the legacy shape, equals what was read (invariant 2). */
struct verify_job {
    const char *dir;
    const struct legacy_cache *want;
    uint64_t verified;
    uint64_t ns;
    bool ran;
    struct err err;
};

static int verify_main(void *arg)
{
    struct verify_job *v = arg;
    uint64_t t = time_mono_ns();
    struct legacy_cache got;
    struct store *st = NULL;
    int rc = store_open(&st, v->dir, STORE_OPEN_READONLY | STORE_OPEN_NO_REPAIR, &v->err);
    legacy_cache_init(&got);
    if (!rc)
        rc = legacy_db_read(st, &got, NULL, &v->err);
    if (!rc)
        rc = legacy_compare(v->want, &got, &v->verified, &v->err);
    store_close(st);
    legacy_cache_release(&got);
    v->ns = time_mono_ns() - t;
    v->ran = true;
    return rc;
}

static int import_all(struct mig *m, struct store *st, struct legacy_cache *lc, const char *from,
                      struct verify_job *vj, struct store_legacy_report *rep, struct err *err)
{
    const struct legacy_sym **bysym = xmalloc((lc->nsyms ? lc->nsyms : 1) * sizeof(*bysym));
    struct ifile *files;
    size_t nfiles = 0;
    int rc;

    for (size_t i = 0; i < lc->nsyms; i++)
        bysym[i] = &lc->syms[i];
    if (lc->nsyms > 1)
        qsort(bysym, lc->nsyms, sizeof(*bysym), cmp_sym_file);
    files = plan_files(lc, bysym, &nfiles);
    rep->files = nfiles;
    rc = store_bulk_begin(st, err);
    if (!rc)
        rc = write_files(m, st, lc, files, nfiles, rep, err);
    if (!rc)
        rc = import_rest(st, lc, from, err);
    if (!rc) {
        int vrc = 0;
        progress(m, "indexing", 0, 0); /* and verifying, on another thread */
        rc = store_bulk_end_with(st, verify_main, vj, &vrc, err);
        /* a verification that could not run is a failed one */
        if (!rc && !vj->ran)
            rc = err_set(err, ERR_GENERIC, "the import could not be verified");
        else if (!rc && vrc) {
            rc = vrc;
            if (err)
                *err = vj->err;
        }
    }
    free(files);
    free(bysym);
    return rc;
}

/* ---- verification ------------------------------------------------------------------------- */

static bool str_eq(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

static const char *show(const char *s)
{
    return s ? s : "(null)";
}

static bool list_eq(const char *const *a, uint32_t na, const char *const *b, uint32_t nb)
{
    if (na != nb)
        return false;
    for (uint32_t i = 0; i < na; i++)
        if (strcmp(a[i], b[i]) != 0)
            return false;
    return true;
}

static void fmt_list(char *out, size_t n, const char *const *v, uint32_t nv)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_addch(&sb, '[');
    for (uint32_t i = 0; i < nv && sb.len < n; i++)
        strbuf_addf(&sb, "%s'%s'", i ? ", " : "", v[i]);
    strbuf_addch(&sb, ']');
    snprintf(out, n, "%s", sb.buf);
    strbuf_release(&sb);
}

static int differ(struct err *err, const struct legacy_sym *w, const char *field, const char *a,
                  const char *b)
{
    return err_set(err, ERR_GENERIC,
                   "verification failed: symbol '%.200s' (usr '%.200s', from '%s'): %s is %.300s "
                   "in the JSON cache but %.300s in the database",
                   w->name, w->no_usr ? "" : w->usr, w->origin, field, a, b);
}

static int compare_sym(const struct legacy_sym *w, const struct legacy_sym *g, struct err *err)
{
    char a[400], b[400];
#define CMP_STR(field, label)                                                                      \
    if (!str_eq(w->field, g->field)) {                                                             \
        snprintf(a, sizeof(a), "'%s'", show(w->field));                                            \
        snprintf(b, sizeof(b), "'%s'", show(g->field));                                            \
        return differ(err, w, label, a, b);                                                        \
    }
#define CMP_LIST(field, n, label)                                                                  \
    if (!list_eq(w->field, w->n, g->field, g->n)) {                                                \
        fmt_list(a, sizeof(a), w->field, w->n);                                                    \
        fmt_list(b, sizeof(b), g->field, g->n);                                                    \
        return differ(err, w, label, a, b);                                                        \
    }
    CMP_STR(name, "name")
    if (w->kind != g->kind)
        return differ(err, w, "kind", store_kind_name(w->kind), store_kind_name(g->kind));
    CMP_STR(file, "file")
    if (w->line != g->line || w->col != g->col) {
        snprintf(a, sizeof(a), "%u:%u", w->line, w->col);
        snprintf(b, sizeof(b), "%u:%u", g->line, g->col);
        return differ(err, w, "line:column", a, b);
    }
    CMP_STR(signature, "signature")
    if (w->is_project != g->is_project)
        return differ(err, w, "is_project", w->is_project ? "true" : "false",
                      g->is_project ? "true" : "false");
    CMP_STR(ns, "namespace")
    if (w->access != g->access)
        return differ(err, w, "access", store_access_name(w->access), store_access_name(g->access));
    CMP_STR(parent, "parent_class")
    CMP_LIST(bases, nbases, "base_classes")
    CMP_LIST(calls, ncalls, "calls")
    CMP_LIST(called_by, ncalled_by, "called_by")
#undef CMP_STR
#undef CMP_LIST
    return 0;
}

static int compare_kvs(const char *what, const struct legacy_kv *a, size_t na,
                       const struct legacy_kv *b, size_t nb, struct err *err)
{
    size_t i = 0;
    for (; i < na && i < nb; i++)
        if (strcmp(a[i].key, b[i].key) != 0 || strcmp(a[i].value, b[i].value) != 0)
            break;
    if (i == na && i == nb)
        return 0;
    if (i < na && (i >= nb || strcmp(a[i].key, b[i].key) < 0))
        return err_set(err, ERR_GENERIC,
                       "verification failed: %s: '%.300s' is in the JSON cache but not in the "
                       "database",
                       what, a[i].key);
    if (i < nb && (i >= na || strcmp(a[i].key, b[i].key) > 0))
        return err_set(err, ERR_GENERIC,
                       "verification failed: %s: '%.300s' is in the database but not in the "
                       "JSON cache",
                       what, b[i].key);
    return err_set(err, ERR_GENERIC,
                   "verification failed: %s of '%.300s' is '%.100s' in the JSON cache but "
                   "'%.100s' in the database",
                   what, a[i].key, a[i].value, b[i].value);
}

int legacy_compare(const struct legacy_cache *want, const struct legacy_cache *got,
                   uint64_t *compared, struct err *err)
{
    size_t i = 0, j = 0;
    int rc;

    *compared = 0;
    /* every usr on both sides: a merge walk over the two sorted lists */
    while (i < want->nsyms || j < got->nsyms) {
        int c = i >= want->nsyms  ? 1
                : j >= got->nsyms ? -1
                                  : strcmp(want->syms[i].usr, got->syms[j].usr);
        if (c < 0)
            return err_set(err, ERR_GENERIC,
                           "verification failed: symbol '%.200s' (usr '%.200s', from '%s') is "
                           "missing from the database (%zu symbols in the JSON cache, %zu in the "
                           "database)",
                           want->syms[i].name, want->syms[i].usr, want->syms[i].origin, want->nsyms,
                           got->nsyms);
        if (c > 0)
            return err_set(err, ERR_GENERIC,
                           "verification failed: the database has a symbol '%.200s' (usr "
                           "'%.200s') the JSON cache does not (%zu symbols in the JSON cache, "
                           "%zu in the database)",
                           got->syms[j].name, got->syms[j].usr, want->nsyms, got->nsyms);
        rc = compare_sym(&want->syms[i], &got->syms[j], err);
        if (rc)
            return rc;
        (*compared)++;
        i++;
        j++;
    }
    rc = compare_kvs("file_hashes", want->hashes, want->nhashes, got->hashes, got->nhashes, err);
    if (!rc)
        rc = compare_kvs("processed_headers", want->headers, want->nheaders, got->headers,
                         got->nheaders, err);
    if (rc)
        return rc;
    if (want->nfiles != got->nfiles)
        return err_set(err, ERR_GENERIC,
                       "verification failed: %zu per-file caches in the JSON cache, %zu source "
                       "files in the database",
                       want->nfiles, got->nfiles);
    for (i = 0; i < want->nfiles; i++) {
        const struct legacy_file *a = &want->files[i], *b = &got->files[i];
        if (strcmp(a->path, b->path) != 0 || !str_eq(a->hash, b->hash) ||
            !str_eq(a->args_hash, b->args_hash) || a->success != b->success ||
            !str_eq(a->error_message, b->error_message) || a->retry_count != b->retry_count)
            return err_set(err, ERR_GENERIC,
                           "verification failed: the per-file cache '%s' of '%.300s' differs "
                           "from the database's record of it ('%.300s')",
                           a->origin, a->path, b->path);
    }
    if (want->nperrs != got->nperrs)
        return err_set(err, ERR_GENERIC,
                       "verification failed: %zu parse errors in the JSON cache, %zu in the "
                       "database",
                       want->nperrs, got->nperrs);
    for (i = 0; i < want->nperrs; i++) {
        const struct legacy_perr *a = &want->perrs[i], *b = &got->perrs[i];
        if (strcmp(a->path, b->path) != 0 || strcmp(a->type, b->type) != 0 ||
            strcmp(a->message, b->message) != 0 || !str_eq(a->stack_trace, b->stack_trace) ||
            !str_eq(a->file_hash, b->file_hash) || !str_eq(a->args_hash, b->args_hash) ||
            a->retry_count != b->retry_count)
            return err_set(err, ERR_GENERIC,
                           "verification failed: parse error %zu (of '%.300s') differs in the "
                           "database",
                           i + 1, a->path);
    }
    if (want->include_dependencies != got->include_dependencies ||
        !str_eq(want->config_file_path, got->config_file_path) ||
        !str_eq(want->config_file_mtime, got->config_file_mtime) ||
        !str_eq(want->compile_commands_path, got->compile_commands_path) ||
        !str_eq(want->compile_commands_mtime, got->compile_commands_mtime) ||
        (want->have_tracker && !str_eq(want->tracker_cc_hash, got->tracker_cc_hash)))
        return err_set(err, ERR_GENERIC,
                       "verification failed: the cache metadata (include_dependencies, config "
                       "and compile_commands paths and times, compile_commands_hash) differs");
    return 0;
}

/* ---- the migration ------------------------------------------------------------------------- */

void store_legacy_report_release(struct store_legacy_report *r)
{
    if (!r)
        return;
    free(r->db_path);
    free(r->backup_dir);
    free(r->replaced);
    memset(r, 0, sizeof(*r));
}

bool store_legacy_pending(const char *dir)
{
    char *info, *marker, *db;
    bool pending;
    if (!dir || !*dir)
        return false;
    info = path_join(dir, STORE_LEGACY_INFO);
    marker = path_join(dir, STORE_LEGACY_MARKER);
    db = path_join(dir, STORE_DB_NAME);
    pending = fs_exists(info) && !fs_exists(marker) && !fs_exists(db);
    free(info);
    free(marker);
    free(db);
    return pending;
}

static int write_marker(const char *legacy, const char *db, struct err *err)
{
    char when[32];
    char *text, *path = path_join(legacy, STORE_LEGACY_MARKER);
    int rc;
    time_format_utc(when, time_now());
    text = xasprintf("migrated to %s by cidx %s at %s UTC\n", db, CIDX_VERSION, when);
    rc = fs_write_file_atomic(path, text, strlen(text), err);
    free(text);
    free(path);
    return rc;
}

/* True when cache_dir's symbols.db says it was migrated from legacy (invariant 4). */
static bool migrated_from(const char *cache_dir, const char *legacy)
{
    struct store *st = NULL;
    char *v = NULL;
    bool same;
    if (store_open(&st, cache_dir, STORE_OPEN_READONLY | STORE_OPEN_EXISTING, NULL) != 0)
        return false;
    store_meta_get(st, META_FROM, &v, NULL);
    same = v && !strcmp(v, legacy);
    free(v);
    store_close(st);
    return same;
}

static char *backup_name(const char *cache)
{
    char ts[32], *name, *p;
    time_format_compact(ts, time_now());
    name = xasprintf(BACKUP_PREFIX "%s", ts);
    p = path_join(cache, name);
    for (int i = 2; fs_exists(p) && i < 1000; i++) {
        free(p);
        free(name);
        name = xasprintf(BACKUP_PREFIX "%s-%d", ts, i);
        p = path_join(cache, name);
    }
    free(name);
    return p;
}

/* Locks that keep every other user of the cache out while --force replaces it. */
static int lock_cache(const char *db, int fds[2], struct err *err)
{
    static const char *const suffixes[] = {".session", ".bulk"};
    for (int i = 0; i < 2; i++) {
        char *p = xasprintf("%s%s", db, suffixes[i]);
        fds[i] = fs_lock_open(p, err);
        free(p);
        if (fds[i] < 0)
            return ERR_IO;
        if (fs_lock_try(fds[i], true) != 0)
            return err_set(err, ERR_BUSY,
                           "the cache '%s' is open in another process (a server or an indexer); "
                           "stop it before replacing it",
                           db);
    }
    return 0;
}

static void unlock_cache(int fds[2])
{
    for (int i = 0; i < 2; i++) {
        if (fds[i] >= 0) {
            fs_lock_release(fds[i]);
            fs_close(fds[i]);
        }
        fds[i] = -1;
    }
}

/* Puts the verified database in place (invariant 3) with the backup beside it. */
static int install(const char *cache, const char *tmp, bool force, struct store_legacy_report *rep,
                   struct err *err)
{
    char *tmpdb = path_join(tmp, STORE_DB_NAME), *db = path_join(cache, STORE_DB_NAME);
    char *bak_tmp = path_join(tmp, "json-backup"), *bak = backup_name(cache);
    int fds[2] = {-1, -1};
    int rc = legacy_sync(tmpdb, err);

    if (!rc)
        rc = fs_rename(bak_tmp, bak, err);
    if (rc)
        goto out;
    if (force && fs_exists(db)) {
        rc = lock_cache(db, fds, err);
        if (!rc)
            rc = store_move_aside(db, "pre-migrate-json", &rep->replaced, err);
    }
    if (!rc)
        rc = legacy_link(tmpdb, db, err);
    if (rc) {
        if (rc == ERR_INVALID)
            err_set(err, ERR_INVALID,
                    "a cidx cache appeared in '%s' while the legacy cache was being migrated; "
                    "it was left as it is (run 'cidx migrate-json --force' to replace it)",
                    cache);
        if (rep->replaced && !fs_exists(db))
            fs_rename(rep->replaced, db, NULL);
        legacy_rmtree(bak, NULL);
        goto out;
    }
    legacy_sync(cache, NULL);
    rep->backup_dir = bak;
    bak = NULL;
out:
    unlock_cache(fds);
    free(tmpdb);
    free(db);
    free(bak_tmp);
    free(bak);
    return rc;
}

/* load_only: the JSON backend's load (store_legacy_load) */
static int migrate(const struct store_legacy_opts *o, bool load_only,
                   struct store_legacy_report *rep, struct err *err)
{
    struct mig m = {o, time_mono_ns()};
    struct lfiles fs = {NULL, 0, 0};
    struct legacy_cache lc;
    struct verify_job vj;
    struct store *st = NULL;
    char *legacy = NULL, *cache = NULL, *info = NULL, *marker = NULL, *lockp = NULL, *tmp = NULL,
         *db = NULL;
    int lock_fd = -1, rc = 0;
    uint64_t t;
    bool tmp_made = false;

    memset(rep, 0, sizeof(*rep));
    legacy_cache_init(&lc);
    memset(&vj, 0, sizeof(vj));
    if (!o || !o->legacy_dir || !*o->legacy_dir)
        return err_set(err, ERR_INVALID, "no legacy cache directory given");
    legacy = path_real(o->legacy_dir);
    if (!legacy || !fs_is_dir(legacy)) {
        rc = err_set(err, ERR_NOTFOUND, "no directory '%s'", o->legacy_dir);
        goto out;
    }
    info = path_join(legacy, STORE_LEGACY_INFO);
    marker = path_join(legacy, STORE_LEGACY_MARKER);
    if (!fs_exists(info)) {
        rc = err_set(err, ERR_NOTFOUND, "'%s' holds no legacy JSON cache (no %s)", legacy,
                     STORE_LEGACY_INFO);
        goto out;
    }
    if (o->cache_dir && *o->cache_dir) {
        rc = fs_mkdir_p(o->cache_dir, err);
        if (rc)
            goto out;
        cache = path_real(o->cache_dir);
        if (!cache)
            cache = xstrdup(o->cache_dir);
    } else {
        cache = xstrdup(legacy);
    }
    if (!fs_dir_writable(cache)) {
        rc = err_set(err, ERR_READONLY,
                     "cannot migrate into '%s': the directory is not writable (choose another "
                     "with --cache-dir)",
                     cache);
        goto out;
    }
    lockp = path_join(cache, LOCK_NAME);
    lock_fd = fs_lock_open(lockp, err);
    if (lock_fd < 0) {
        rc = lock_fd;
        goto out;
    }
    fs_lock_wait(lock_fd, true);
    db = path_join(cache, STORE_DB_NAME);
    rep->db_path = xstrdup(db);
    if (fs_exists(marker) && !o->force && !load_only)
        goto out; /* migrated before: nothing to do */
    if (fs_exists(db) && !o->force) {
        if (migrated_from(cache, legacy)) {
            rc = write_marker(legacy, db, err);
            goto out;
        }
        rc = err_set(err, ERR_INVALID,
                     "'%s' already holds a cidx cache; pass --force to replace it with the legacy "
                     "cache's content (the current one is kept as a backup 'cidx restore' lists)",
                     cache);
        goto out;
    }
    tmp = path_join(cache, TMP_DIR_NAME);
    rc = legacy_rmtree(tmp, err); /* what a killed run left */
    if (!rc)
        rc = legacy_mkdir(tmp, err);
    if (rc)
        goto out;
    tmp_made = true;

    /* read and check everything */
    progress(&m, "reading", 0, 0);
    t = time_mono_ns();
    rc = list_legacy(&fs, legacy, err);
    if (!rc)
        rc = read_all(&m, &fs, &lc, err);
    if (rc)
        goto out;

    /* copy the directory aside, from the very bytes that were read, while the records are
       merged; the import starts when both are done */
    progress(&m, "backup", 0, fs.n);
    {
        struct backup_job bj = {NULL, &fs, {0}, 0};
        pthread_t th;
        bool threaded;
        bj.dest = path_join(tmp, "json-backup");
        /* a load (the JSON backend) makes no copy: the JSON stays where it is */
        threaded = !load_only && pthread_create(&th, NULL, backup_main, &bj) == 0;
        if (!threaded && !load_only)
            backup_main(&bj);
        rc = legacy_merge(&lc, err);
        if (threaded)
            pthread_join(th, NULL);
        if (!rc && bj.rc) {
            rc = bj.rc;
            if (err)
                *err = bj.err;
        }
        free(bj.dest);
    }
    rep->read_s = (double)(time_mono_ns() - t) / 1e9;
    lfiles_release(&fs);
    if (rc)
        goto out;

    /* import, and verify while the import builds its indexes (import_all) */
    t = time_mono_ns();
    vj.dir = tmp;
    vj.want = &lc;
    rc = store_open(&st, tmp, 0, err);
    /* a new file that is thrown away on any failure: no journal on disk, no syncs (the file is
       synced once, before it is put in place) */
    if (!rc)
        rc = store_exec(st, "PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF", err,
                        "cannot prepare the new cache");
    if (!rc)
        rc = import_all(&m, st, &lc, legacy, &vj, rep, err);
    rep->write_s = (double)(time_mono_ns() - t) / 1e9;
    if (rc)
        goto out;
    rep->verified = vj.verified;
    rep->verify_s = (double)vj.ns / 1e9;
    progress(&m, "verifying", rep->verified, lc.nsyms);
    store_close(st);
    st = NULL;

    /* install, then the marker */
    progress(&m, "installing", 0, 0);
    if (load_only) {
        char *tmpdb = path_join(tmp, STORE_DB_NAME);
        rc = fs_rename(tmpdb, db, err);
        free(tmpdb);
    } else {
        rc = install(cache, tmp, o->force, rep, err);
    }
    if (rc)
        goto out;
    legacy_rmtree(tmp, NULL);
    tmp_made = false;
    if (!load_only) {
        struct err e2 = {0};
        if (write_marker(legacy, db, &e2) != 0)
            log_warn("the migration is complete, but the marker could not be written: %s", e2.msg);
    }
    rep->migrated = true;
    rep->records = lc.records;
    rep->symbols = lc.nsyms;
    rep->no_usr = lc.no_usr;
    rep->sources = lc.nfiles;
    rep->headers = lc.nheaders;
    rep->parse_errors = lc.nperrs;
    rep->seconds = (double)(time_mono_ns() - m.t0) / 1e9;
    progress(&m, "done", 1, 1);
out:
    store_close(st);
    if (tmp_made)
        legacy_rmtree(tmp, NULL); /* on failure nothing of the new cache stays */
    if (lock_fd >= 0) {
        fs_lock_release(lock_fd);
        fs_close(lock_fd);
    }
    lfiles_release(&fs);
    legacy_cache_release(&lc);
    free(legacy);
    free(cache);
    free(info);
    free(marker);
    free(lockp);
    free(tmp);
    free(db);
    return rc;
}

int store_legacy_migrate(const struct store_legacy_opts *o, struct store_legacy_report *rep,
                         struct err *err)
{
    return migrate(o, false, rep, err);
}

int store_legacy_load(const char *legacy_dir, const char *cache_dir,
                      struct store_legacy_report *rep, struct err *err)
{
    struct store_legacy_opts o;
    memset(&o, 0, sizeof(o));
    o.legacy_dir = legacy_dir;
    o.cache_dir = cache_dir;
    return migrate(&o, true, rep, err);
}

/* ---- opening a cache directory --------------------------------------------------------------- */

int store_legacy_auto_migrate(const char *cache_dir, struct err *err)
{
    struct store_legacy_opts o = {cache_dir, NULL, false, NULL, NULL};
    struct store_legacy_report rep;
    struct err e = {0};
    int rc;

    if (!store_legacy_pending(cache_dir))
        return 0;
    if (!fs_dir_writable(cache_dir))
        return err_set(err, ERR_READONLY,
                       "'%s' holds a legacy JSON cache that has not been migrated, and the "
                       "directory is not writable; run 'cidx migrate-json %s --cache-dir DIR' to "
                       "migrate it elsewhere",
                       cache_dir, cache_dir);
    log_warn("migrating the legacy JSON cache in '%s' to a cidx cache (once; the JSON files are "
             "kept as they are)",
             cache_dir);
    rc = store_legacy_migrate(&o, &rep, &e);
    if (rc) {
        store_legacy_report_release(&rep);
        return err_set(err, rc,
                       "the legacy JSON cache in '%s' could not be migrated, and was left as it "
                       "is: %s. Fix it and run 'cidx migrate-json %s', or rebuild the cache from "
                       "the sources with 'cidx index'",
                       cache_dir, e.msg, cache_dir);
    }
    if (rep.migrated)
        log_warn("migrated %llu symbols from the legacy JSON cache in %.1f s, verified record by "
                 "record; the JSON cache is backed up in '%s'",
                 (unsigned long long)rep.symbols, rep.seconds, rep.backup_dir);
    store_legacy_report_release(&rep);
    return 0;
}

int store_open_or_migrate(struct store **out, const char *cache_dir, unsigned flags,
                          struct err *err)
{
    int rc = store_legacy_auto_migrate(cache_dir, err);
    if (rc) {
        *out = NULL;
        return rc;
    }
    return store_open(out, cache_dir, flags, err);
}
