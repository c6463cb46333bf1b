/*
 * idx_run.c - an indexing run: the plan (what changed), the parse workers (child processes
 * running `cidx __worker`), and the writer that turns their records into store batches.
 *
 * This is the one file of the index module that talks to the store. The workers are the
 * cidx-worker executable (src/worker), the only program that loads libclang.
 *
 * The plan. Sources come from the compile database (or a directory scan). A source is parsed
 * when it is new, when its compile arguments changed (args hash), when its content changed
 * (mtime/size differ and the XXH3 hash differs), or when a header it includes, directly or not,
 * changed or disappeared (the store's reverse include graph). Known files that are gone, or no
 * longer sources, are deleted. When nothing changed nothing is parsed and nothing is written.
 *
 * Headers. A worker reports the headers a translation unit touched. The first report of a
 * header in a run claims it (header_tracker) and is written; later reports are dropped. In a
 * refresh only new and changed headers accept a report; unchanged ones keep what they have.
 *
 * Order of writes. Each file is one transaction (store_file_replace). Within a translation
 * unit the headers are written first and the source last: the source's row is what tells the
 * next run that the unit is done, so a run killed in between re-parses the unit and loses
 * nothing.
 *
 * Failures. A worker that dies (signal) or passes the time limit (killed) costs the file in
 * flight: it is recorded in parse_errors with the signal or the timeout, the args hash and the
 * retry count, re-queued up to max_parse_retries times, and a fresh worker takes over.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "idx_int.h"
#include "idx_wire.h"
#include "store/store.h"

extern char **environ;

/* ---- tasks ---- */

struct task {
    char *file; /* canonical */
    char *dir;
    char **argv; /* sanitized, without the source itself */
    size_t argc;
    char args_hash[33];
    int retries;
    bool parse;
    bool done;
};

struct wproc {
    pid_t pid;
    int to_fd;   /* tasks */
    int from_fd; /* records */
    struct wire_stream ws;
    struct strbuf pending; /* frames of the task in flight: [u32 len][payload]... */
    long task;             /* index in tasks, -1 when idle */
    size_t closed_sent;    /* how much of run.closed this worker has been told */
    uint64_t started_ns;
    bool eof;
};

struct known {
    char *hash, *args_hash;
    int64_t mtime_ns, size;
    bool is_header;
    bool seen;
};

struct run {
    const struct idx_options *opt;
    struct idx_summary *sum;
    struct idx_config cfg;
    bool have_cfg;
    char *root;
    char *worker_exe;
    struct store *st;
    struct task *tasks;
    size_t ntasks, task_alloc;
    /* compile_commands.fallback_to_hardcoded: sources the database does not list */
    struct idx_scan fallback;
    size_t *phase2; /* fallback files not known yet: parsed after the database's units, unless
                       one of those included (claimed) them */
    size_t nphase2, phase2_alloc;
    struct strbuf alternatives; /* JSON array of the ignored database entries */
    struct strmap task_by_file; /* path -> task index + 1 */
    struct strmap known;        /* path -> struct known* */
    struct strmap open_headers; /* changed/removed headers that accept a new report */
    struct strmap claimed;      /* headers written in this run */
    /* Headers whose records no unit needs to send: unchanged ones of a refresh and the ones
     * claimed in this run. Workers are told the new ones with each task. Keys of claimed/known. */
    const char **closed;
    size_t nclosed, closed_alloc;
    size_t *queue;
    size_t qhead, qtail, qcap;
    struct wproc *wp;
    size_t nwp;
    size_t to_parse;
    uint64_t t0;
    unsigned timeout_s;
    struct idx_progress prog;
    uint64_t last_progress_ns;
};

static void task_release(struct task *t)
{
    free(t->file);
    free(t->dir);
    idx_argv_free(t->argv, t->argc);
}

/* ---- progress ---- */

static void progress(struct run *r, const char *phase, const char *current, bool force)
{
    uint64_t now = time_mono_ns();
    if (!r->opt->progress)
        return;
    if (!force && now - r->last_progress_ns < 100000000ull)
        return;
    r->last_progress_ns = now;
    r->prog.phase = phase;
    r->prog.current = current;
    r->prog.total = r->to_parse;
    r->prog.unchanged = r->sum->unchanged;
    r->prog.elapsed_s = (double)(now - r->t0) / 1e9;
    r->opt->progress(r->opt->progress_ctx, &r->prog);
}

/* ---- compile arguments ---- */

static void args_hash(char out[33], const char *dir, char **argv, size_t argc)
{
    struct strbuf sb = STRBUF_INIT;
    size_t i;
    strbuf_adds(&sb, dir);
    strbuf_addch(&sb, 0);
    for (i = 0; i < argc; i++) {
        strbuf_adds(&sb, argv[i]);
        strbuf_addch(&sb, 0);
    }
    hash_bytes_hex(out, sb.buf, sb.len);
    strbuf_release(&sb);
}

/* Removes the words that name the source itself (libclang gets it separately) and "-c". */
static void drop_source_args(char **argv, size_t *argc, const char *file, const char *dir)
{
    size_t i, j = 1;
    for (i = 1; i < *argc; i++) {
        bool drop = !strcmp(argv[i], "-c");
        if (!drop && argv[i][0] != '-') {
            /* only a word with the source's file name can name it: compare the names first,
             * and canonicalize (system calls) only then */
            const char *b1 = strrchr(argv[i], '/'), *b2 = strrchr(file, '/');
            if (!strcmp(b1 ? b1 + 1 : argv[i], b2 ? b2 + 1 : file)) {
                char *c = idx_path_canonical(dir, argv[i]);
                drop = !strcmp(c, file);
                free(c);
            }
        }
        if (drop)
            free(argv[i]);
        else
            argv[j++] = argv[i];
    }
    *argc = *argc ? j : 0;
    argv[*argc] = NULL;
}

/* The level of a sanitizer removal line: output and dependency files are in every compile
 * database and only worth an info line; plugins, configuration files and outside response files
 * are what an attack looks like, and get a warning. */
static enum log_level removal_level(const char *line)
{
    bool routine =
        str_ends_with(line, ": output file") || str_ends_with(line, ": dependency output");
    return routine ? LOG_INFO : LOG_WARN;
}

/* Logs each line of sb with prefix, at level, or at classify(line) when classify is given;
 * empties sb. */
static void log_lines(enum log_level level, enum log_level (*classify)(const char *),
                      const char *prefix, struct strbuf *sb)
{
    char *p = sb->buf, *nl;
    while (*p) {
        nl = strchr(p, '\n');
        if (nl)
            *nl = 0;
        if (*p)
            log_msg(classify ? classify(p) : level, "%s%s", prefix, p);
        if (!nl)
            break;
        p = nl + 1;
    }
    strbuf_reset(sb);
}

/* Adds a task from untrusted arguments: expands response files inside the project, removes
 * what could load code or write files (logged), drops the source word. */
static void add_task(struct run *r, const char *file, const char *dir, char **argv_in,
                     size_t argc_in)
{
    struct task t;
    struct idx_args_ctx ctx = {r->root, dir, true};
    struct strbuf log = STRBUF_INIT;
    struct err err;
    char *prefix;
    size_t i;

    memset(&t, 0, sizeof(t));
    t.file = xstrdup(file);
    t.dir = xstrdup(dir);
    t.argc = argc_in;
    t.argv = xcalloc(argc_in + 1, sizeof(*t.argv));
    for (i = 0; i < argc_in; i++)
        t.argv[i] = xstrdup(argv_in[i]);
    prefix = xasprintf("%s: ", file);
    if (idx_args_expand_response_files(&t.argv, &t.argc, &ctx, &log, &err) != 0)
        log_msg(LOG_WARN, "%s%s (the response file is left for the sanitizer)", prefix, err.msg);
    log_lines(LOG_INFO, NULL, prefix, &log);
    idx_args_sanitize(t.argv, &t.argc, &ctx, &log, &err);
    log_lines(LOG_WARN, removal_level, prefix, &log);
    free(prefix);
    strbuf_release(&log);
    drop_source_args(t.argv, &t.argc, t.file, t.dir);
    args_hash(t.args_hash, t.dir, t.argv, t.argc);
    ALLOC_GROW(r->tasks, r->ntasks + 1, r->task_alloc);
    r->tasks[r->ntasks] = t;
    strmap_put(&r->task_by_file, t.file, (void *)(uintptr_t)(r->ntasks + 1));
    r->ntasks++;
}

static char *find_ccdb(struct run *r)
{
    if (r->opt->ccdb_path)
        return idx_path_canonical(NULL, r->opt->ccdb_path);
    if (r->have_cfg && !r->cfg.compile_commands.enabled)
        return NULL;
    if (r->have_cfg && r->cfg.compile_commands.path) {
        char *p = idx_path_canonical(r->root, r->cfg.compile_commands.path);
        if (fs_is_dir(p)) {
            char *q = path_join(p, "compile_commands.json");
            free(p);
            p = q;
        }
        return p;
    }
    {
        static const char *const where[] = {"compile_commands.json", "build/compile_commands.json"};
        for (size_t i = 0; i < ARRAY_SIZE(where); i++) {
            char *cand = path_join(r->root, where[i]);
            if (fs_exists(cand))
                return cand;
            free(cand);
        }
    }
    return NULL;
}

/* Appends {"file": F, "entry": N} to a JSON array under construction (no brackets yet). */
static void strbuf_addstr_json_entry(struct strbuf *sb, const char *file, size_t index)
{
    strbuf_addch(sb, sb->len ? ',' : '[');
    strbuf_adds(sb, "{\"file\": ");
    strbuf_add_json_str(sb, file);
    strbuf_addf(sb, ", \"entry\": %zu}", index);
}

static bool is_header_name(const char *path)
{
    static const char *const ext[] = {".h", ".hh", ".hpp", ".hxx", ".h++", ".inl", ".ipp", ".tcc"};
    size_t i;
    for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
        if (str_ends_with(path, ext[i]))
            return true;
    return false;
}

static int load_sources(struct run *r, struct err *err)
{
    size_t i;
    char *ccdb_path = find_ccdb(r);

    if (ccdb_path) {
        struct idx_ccdb db;
        int rc = idx_ccdb_load(&db, ccdb_path, err);
        if (rc) {
            idx_ccdb_release(&db);
            free(ccdb_path);
            return rc;
        }
        r->sum->ccdb_path = ccdb_path;
        for (i = 0; i < db.nwarnings; i++)
            log_msg(LOG_WARN, "%s: %s", ccdb_path, db.warnings[i]);
        for (i = 0; i < db.n; i++) {
            const struct idx_ccdb_entry *e = &db.entries[i];
            if (idx_ccdb_find(&db, e->file) != e) {
                r->sum->alternatives++;
                log_msg(LOG_INFO, "%s: entry %zu for '%s' ignored: the first entry for a file wins",
                        ccdb_path, e->index, e->file);
                strbuf_addstr_json_entry(&r->alternatives, e->file, e->index);
                continue;
            }
            if (r->have_cfg && idx_config_is_excluded(&r->cfg, e->file))
                continue;
            if (r->have_cfg && !idx_config_is_source(&r->cfg, e->file)) {
                log_msg(LOG_INFO, "%s: '%s' skipped: not a supported source extension", ccdb_path,
                        e->file);
                continue;
            }
            if (r->have_cfg && !r->cfg.include_dependencies &&
                idx_config_is_dependency(&r->cfg, e->file))
                continue;
            if (r->have_cfg && r->cfg.max_file_bytes &&
                fs_file_size(e->file) > (int64_t)r->cfg.max_file_bytes) {
                log_msg(LOG_WARN, "%s: skipped: larger than max_file_size_mb (%llu MiB)", e->file,
                        (unsigned long long)(r->cfg.max_file_bytes >> 20));
                continue;
            }
            add_task(r, e->file, e->directory, e->argv, e->argc);
        }
        idx_ccdb_release(&db);
        if (r->cfg.compile_commands.fallback_to_hardcoded) {
            /* sources the database does not list are indexed with the default flags, unless
             * a listed unit includes them (decided in plan() and after the first phase) */
            int rc2 = idx_scan_dir(&r->fallback, &r->cfg, err);
            if (rc2) {
                log_msg(LOG_WARN, "%s (sources outside the compile database are not indexed)",
                        err->msg);
                idx_scan_release(&r->fallback);
                memset(&r->fallback, 0, sizeof(r->fallback));
            }
        }
    } else {
        struct idx_scan scan;
        int rc;
        log_msg(LOG_INFO, "no compile_commands.json in %s or %s/build: scanning the directory",
                r->root, r->root);
        rc = idx_scan_dir(&scan, &r->cfg, err);
        if (rc) {
            idx_scan_release(&scan);
            return rc;
        }
        for (i = 0; i < scan.nwarnings; i++)
            log_msg(LOG_WARN, "%s", scan.warnings[i]);
        for (i = 0; i < scan.n; i++)
            add_task(r, scan.files[i].file, r->root, scan.files[i].argv, scan.files[i].argc);
        idx_scan_release(&scan);
    }
    r->sum->sources = r->ntasks;
    return 0;
}

/* ---- the plan ---- */

static void close_header(struct run *r, const char *path)
{
    ALLOC_GROW(r->closed, r->nclosed + 1, r->closed_alloc);
    r->closed[r->nclosed++] = path;
}

static int collect_known(void *ctx, const struct store_file_info *fi)
{
    struct run *r = ctx;
    struct known *k = xcalloc(1, sizeof(*k));
    k->hash = xstrdup(fi->hash ? fi->hash : "");
    k->args_hash = xstrdup(fi->args_hash ? fi->args_hash : "");
    k->mtime_ns = fi->mtime_ns;
    k->size = fi->size;
    k->is_header = fi->is_header;
    strmap_put(&r->known, fi->path, k);
    return 0;
}

static int64_t stat_mtime_ns(const struct stat *s)
{
    return (int64_t)s->st_mtim.tv_sec * 1000000000 + s->st_mtim.tv_nsec;
}

enum change { CH_SAME, CH_TOUCHED, CH_CHANGED, CH_GONE };

/* Compares a file on disk with what the cache knows; touches the cache row when only the
 * metadata moved. */
static enum change file_change(struct run *r, const char *path, const struct known *k)
{
    struct stat s;
    char hash[33];
    struct err err;
    if (stat(path, &s) != 0)
        return CH_GONE;
    if (stat_mtime_ns(&s) == k->mtime_ns && (int64_t)s.st_size == k->size)
        return CH_SAME;
    if (hash_file_hex(hash, path, &err) != 0)
        return CH_CHANGED;
    if (!strcmp(hash, k->hash)) {
        if (store_file_touch(r->st, path, stat_mtime_ns(&s), (int64_t)s.st_size, &err) != 0)
            log_msg(LOG_WARN, "%s", err.msg);
        r->sum->touched++;
        return CH_TOUCHED;
    }
    return CH_CHANGED;
}

static void mark_dependents(struct run *r, const char *header)
{
    char **paths = NULL;
    size_t n = 0, i;
    struct err err;
    if (store_file_includers(r->st, header, &paths, &n, &err) != 0) {
        log_msg(LOG_WARN, "%s", err.msg);
        return;
    }
    for (i = 0; i < n; i++) {
        uintptr_t ti = (uintptr_t)strmap_get(&r->task_by_file, paths[i]);
        if (ti)
            r->tasks[ti - 1].parse = true;
        free(paths[i]);
    }
    free(paths);
}

static int plan(struct run *r, struct err *err)
{
    size_t i;
    int rc = store_file_each(r->st, collect_known, r, err);
    if (rc)
        return rc;
    for (i = 0; i < r->fallback.n; i++) {
        const struct idx_scan_file *sf = &r->fallback.files[i];
        struct known *k;
        if (is_header_name(sf->file) || strmap_has(&r->task_by_file, sf->file))
            continue;
        k = strmap_get(&r->known, sf->file);
        if (k && k->is_header)
            continue; /* reached through a unit of the database: a header of it */
        if (k) {
            add_task(r, sf->file, r->root, sf->argv, sf->argc);
            continue;
        }
        ALLOC_GROW(r->phase2, r->nphase2 + 1, r->phase2_alloc);
        r->phase2[r->nphase2++] = i;
    }
    for (i = 0; i < r->ntasks; i++) {
        struct task *t = &r->tasks[i];
        struct known *k = strmap_get(&r->known, t->file);
        if (k)
            k->seen = true;
        if (!k) {
            r->sum->added++;
            t->parse = true;
            continue;
        }
        if (strcmp(k->args_hash, t->args_hash)) {
            r->sum->args_changed++;
            t->parse = true;
            continue;
        }
        if (r->opt->full) {
            t->parse = true;
            continue;
        }
        switch (file_change(r, t->file, k)) {
        case CH_SAME:
        case CH_TOUCHED:
            break;
        case CH_CHANGED:
        case CH_GONE: /* the parse reports the missing file */
            r->sum->modified++;
            t->parse = true;
            break;
        }
    }
    for (i = 0; i < r->known.cap; i++) {
        const char *path = r->known.keys[i];
        struct known *k = r->known.vals[i];
        if (!path || k->seen)
            continue;
        if (!k->is_header) {
            /* no longer a source (removed from the compile database, excluded, deleted) */
            if (store_file_delete(r->st, path, err) != 0)
                return -1;
            r->sum->deleted++;
            continue;
        }
        switch (file_change(r, path, k)) {
        case CH_SAME:
        case CH_TOUCHED:
            if (r->opt->full)
                strmap_put(&r->open_headers, path, NULL);
            break;
        case CH_CHANGED:
            r->sum->headers_changed++;
            strmap_put(&r->open_headers, path, NULL);
            mark_dependents(r, path);
            break;
        case CH_GONE:
            r->sum->headers_changed++;
            mark_dependents(r, path);
            if (store_file_delete(r->st, path, err) != 0)
                return -1;
            r->sum->deleted++;
            break;
        }
    }
    for (i = 0; i < r->ntasks; i++) {
        if (r->tasks[i].parse)
            r->to_parse++;
        else
            r->sum->unchanged++;
    }
    for (i = 0; i < r->known.cap; i++) {
        const struct known *k = r->known.vals[i];
        if (r->known.keys[i] && k->is_header && !strmap_has(&r->open_headers, r->known.keys[i]))
            close_header(r, r->known.keys[i]);
    }
    return 0;
}

/* ---- workers ---- */

static int spawn_worker(struct run *r, struct wproc *w, struct err *err)
{
    int to[2], from[2];
    posix_spawn_file_actions_t fa;
    char *argv[4];
    int rc;

    memset(w, 0, sizeof(*w));
    w->task = -1;
    w->pid = -1;
    if (pipe2(to, O_CLOEXEC) != 0)
        return err_set(err, ERR_IO, "cannot create a pipe: %s", strerror(errno));
    if (pipe2(from, O_CLOEXEC) != 0) {
        close(to[0]);
        close(to[1]);
        return err_set(err, ERR_IO, "cannot create a pipe: %s", strerror(errno));
    }
    fcntl(from[0], F_SETPIPE_SZ, 1 << 20);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, to[0], 0);
    posix_spawn_file_actions_adddup2(&fa, from[1], 1);
    argv[0] = r->worker_exe;
    argv[1] = r->root;
    argv[2] = (char *)(r->cfg.path ? r->cfg.path : "");
    argv[3] = NULL;
    rc = posix_spawn(&w->pid, r->worker_exe, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(to[0]);
    close(from[1]);
    if (rc != 0) {
        close(to[1]);
        close(from[0]);
        w->pid = -1;
        return err_set(err, ERR_IO, "cannot start a parse worker (%s): %s", r->worker_exe,
                       strerror(rc));
    }
    w->to_fd = to[1];
    w->from_fd = from[0];
    fcntl(w->from_fd, F_SETFL, O_NONBLOCK);
    wire_stream_init(&w->ws);
    strbuf_init(&w->pending, 0);
    return 0;
}

static void reap_worker(struct wproc *w, int *status)
{
    int st = 0;
    if (w->to_fd >= 0)
        close(w->to_fd);
    if (w->from_fd >= 0)
        close(w->from_fd);
    w->to_fd = w->from_fd = -1;
    if (w->pid > 0)
        while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR)
            ;
    if (status)
        *status = st;
    w->pid = -1;
    wire_stream_release(&w->ws);
    strbuf_release(&w->pending);
}

static int send_task(struct run *r, struct wproc *w, size_t ti)
{
    struct task *t = &r->tasks[ti];
    struct strbuf sb = STRBUF_INIT;
    size_t start = wire_begin(&sb, WIRE_TASK), i;
    int rc;
    wire_u32(&sb, (uint32_t)ti);
    wire_u32(&sb, r->cfg.include_dependencies ? WIRE_TASK_INDEX_DEPS : 0);
    wire_str(&sb, t->dir);
    wire_str(&sb, t->file);
    wire_u32(&sb, (uint32_t)t->argc);
    for (i = 0; i < t->argc; i++)
        wire_str(&sb, t->argv[i]);
    /* the headers closed since this worker's last task: it need not extract them */
    wire_u32(&sb, (uint32_t)(r->nclosed - w->closed_sent));
    for (i = w->closed_sent; i < r->nclosed; i++)
        wire_str(&sb, r->closed[i]);
    wire_end(&sb, start);
    rc = wire_write_all(w->to_fd, sb.buf, sb.len);
    strbuf_release(&sb);
    if (rc == 0) {
        w->closed_sent = r->nclosed;
        w->task = (long)ti;
        w->started_ns = time_mono_ns();
        strbuf_reset(&w->pending);
    }
    return rc;
}

/* ---- writing a translation unit's records ---- */

struct fbatch {
    const char *path, *hash;
    int64_t mtime_ns, size;
    unsigned flags;
    bool present;
    struct store_symbol *syms;
    size_t nsyms, asyms;
    struct store_ref *refs;
    size_t nrefs, arefs;
    struct store_base *bases;
    size_t nbases, abases;
    struct store_override *ovrs;
    size_t novrs, aovrs;
    struct store_include *incs;
    size_t nincs, aincs;
    uint32_t *inc_to; /* file numbers of the includes, resolved to paths after decoding */
    size_t ainc_to;
};

struct tu_records {
    struct fbatch *files;
    size_t nfiles;
    struct strbuf diags;
    size_t ndiags;
};

static struct fbatch *fb_get(struct tu_records *t, uint32_t no)
{
    if (no > 100000)
        return NULL;
    if (no >= t->nfiles) {
        size_t n = (size_t)no + 1;
        t->files = xrealloc(t->files, n * sizeof(*t->files));
        memset(t->files + t->nfiles, 0, (n - t->nfiles) * sizeof(*t->files));
        t->nfiles = n;
    }
    return &t->files[no];
}

static void tu_release(struct tu_records *t)
{
    size_t i;
    for (i = 0; i < t->nfiles; i++) {
        struct fbatch *f = &t->files[i];
        free(f->syms);
        free(f->refs);
        free(f->bases);
        free(f->ovrs);
        free(f->incs);
        free(f->inc_to);
    }
    free(t->files);
    strbuf_release(&t->diags);
}

/* Decodes the frames in pending (pointers point into it). Returns -1 on a malformed frame. */
static int decode(struct tu_records *t, const struct strbuf *pending)
{
    const unsigned char *p = (const unsigned char *)pending->buf, *end = p + pending->len;
    while (end - p >= 4) {
        uint32_t n =
            (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        struct wire_reader rd;
        struct fbatch *f;
        unsigned char type;
        p += 4;
        if ((size_t)(end - p) < n || n == 0)
            return -1;
        wire_reader_init(&rd, p + 1, n - 1);
        type = p[0];
        p += n;
        if (type == WIRE_DIAG) {
            uint32_t sev = wire_get_u32(&rd);
            const char *path = wire_get_str(&rd);
            uint32_t line = wire_get_u32(&rd), col = wire_get_u32(&rd);
            const char *msg = wire_get_str(&rd);
            if (rd.bad)
                return -1;
            if (t->diags.len)
                strbuf_addch(&t->diags, '\n');
            strbuf_addf(&t->diags, "%s:%u:%u: %s: %s", path ? path : "<unknown>", line, col,
                        sev >= 2 ? "fatal error" : "error", msg ? msg : "");
            t->ndiags++;
            continue;
        }
        f = fb_get(t, wire_get_u32(&rd));
        if (!f || rd.bad)
            return -1;
        switch (type) {
        case WIRE_FILE:
            f->path = wire_get_str(&rd);
            f->hash = wire_get_str(&rd);
            f->mtime_ns = (int64_t)wire_get_u64(&rd);
            f->size = (int64_t)wire_get_u64(&rd);
            f->flags = wire_get_u32(&rd);
            f->present = true;
            break;
        case WIRE_SYM: {
            struct store_symbol *s;
            ALLOC_GROW(f->syms, f->nsyms + 1, f->asyms);
            s = &f->syms[f->nsyms++];
            memset(s, 0, sizeof(*s));
            s->usr = wire_get_str(&rd);
            s->name = wire_get_str(&rd);
            s->scope = wire_get_str(&rd);
            s->scope_ns = wire_get_str(&rd);
            s->scope_kind = (enum store_kind)wire_get_u32(&rd);
            s->kind = (enum store_kind)wire_get_u32(&rd);
            s->signature = wire_get_str(&rd); /* brief and doc come in a later DOC record */
            s->template_params = wire_get_str(&rd);
            s->target = wire_get_str(&rd);
            s->access = (enum store_access)wire_get_u32(&rd);
            s->template_kind = (enum store_template)wire_get_u32(&rd);
            s->attrs = wire_get_u32(&rd);
            s->is_definition = wire_get_u32(&rd) != 0;
            s->range.line = wire_get_u32(&rd);
            s->range.col = wire_get_u32(&rd);
            s->range.end_line = wire_get_u32(&rd);
            s->range.end_col = wire_get_u32(&rd);
            s->extent_start.line = wire_get_u32(&rd);
            s->extent_start.col = wire_get_u32(&rd);
            if (s->kind >= STORE_KIND_COUNT_ || s->scope_kind >= STORE_KIND_COUNT_ || !s->usr ||
                !s->name)
                return -1;
            break;
        }
        case WIRE_REF: {
            struct store_ref *x;
            ALLOC_GROW(f->refs, f->nrefs + 1, f->arefs);
            x = &f->refs[f->nrefs++];
            x->usr = wire_get_str(&rd);
            x->target_name = wire_get_str(&rd);
            x->target_kind = (enum store_kind)wire_get_u32(&rd);
            x->context_usr = wire_get_str(&rd);
            x->line = wire_get_u32(&rd);
            x->col = wire_get_u32(&rd);
            x->roles = wire_get_u32(&rd);
            x->target_scope = wire_get_str(&rd);
            x->target_ns = wire_get_str(&rd);
            if (!x->usr || x->target_kind >= STORE_KIND_COUNT_)
                return -1;
            break;
        }
        case WIRE_BASE: {
            struct store_base *b;
            ALLOC_GROW(f->bases, f->nbases + 1, f->abases);
            b = &f->bases[f->nbases++];
            b->derived_usr = wire_get_str(&rd);
            b->base_usr = wire_get_str(&rd);
            b->base_name = wire_get_str(&rd);
            b->access = (enum store_access)wire_get_u32(&rd);
            b->is_virtual = wire_get_u32(&rd) != 0;
            b->line = wire_get_u32(&rd);
            b->col = wire_get_u32(&rd);
            if (!b->derived_usr || !b->base_usr)
                return -1;
            break;
        }
        case WIRE_OVR: {
            struct store_override *o;
            ALLOC_GROW(f->ovrs, f->novrs + 1, f->aovrs);
            o = &f->ovrs[f->novrs++];
            o->usr = wire_get_str(&rd);
            o->overridden_usr = wire_get_str(&rd);
            o->overridden_name = wire_get_str(&rd);
            if (!o->usr || !o->overridden_usr)
                return -1;
            break;
        }
        case WIRE_DOC: {
            uint32_t idx = wire_get_u32(&rd);
            const char *brief = wire_get_str(&rd), *doc = wire_get_str(&rd);
            if (rd.bad || idx >= f->nsyms)
                return -1;
            f->syms[idx].brief = brief;
            f->syms[idx].doc = doc;
            break;
        }
        case WIRE_INC: {
            uint32_t line = wire_get_u32(&rd), to = wire_get_u32(&rd);
            ALLOC_GROW(f->incs, f->nincs + 1, f->aincs);
            ALLOC_GROW(f->inc_to, f->nincs + 1, f->ainc_to);
            f->incs[f->nincs].path = NULL;
            f->incs[f->nincs].line = line;
            f->inc_to[f->nincs] = to;
            f->nincs++;
            break;
        }
        default:
            return -1;
        }
        if (rd.bad)
            return -1;
    }
    return p == end ? 0 : -1;
}

static int write_batch(struct run *r, const struct fbatch *f, const struct task *t, bool header,
                       struct err *err)
{
    struct store_file_batch b;
    memset(&b, 0, sizeof(b));
    b.path = f->path;
    b.hash = f->hash;
    b.args_hash = t->args_hash;
    b.mtime_ns = f->mtime_ns;
    b.size = f->size;
    b.is_project = !(f->flags & WIRE_FILE_DEP);
    b.is_header = header;
    b.symbols = f->syms;
    b.nsymbols = f->nsyms;
    b.refs = f->refs;
    b.nrefs = f->nrefs;
    b.bases = f->bases;
    b.nbases = f->nbases;
    b.overrides = f->ovrs;
    b.noverrides = f->novrs;
    b.includes = f->incs;
    b.nincludes = f->nincs;
    if (store_file_replace(r->st, &b, err) != 0)
        return -1;
    r->sum->symbols += (int64_t)f->nsyms;
    r->sum->refs += (int64_t)f->nrefs;
    r->prog.symbols = r->sum->symbols;
    r->prog.refs = r->sum->refs;
    return 0;
}

/* May this report of a header be written? */
static bool accept_header(struct run *r, const char *path)
{
    if (strmap_has(&r->claimed, path) || strmap_has(&r->task_by_file, path))
        return false;
    if (!strmap_has(&r->known, path) || strmap_has(&r->open_headers, path))
        return true;
    return false;
}

static int write_tu(struct run *r, struct wproc *w, struct err *err)
{
    struct task *t = &r->tasks[w->task];
    struct tu_records tu;
    struct fbatch *main_f = NULL;
    size_t i, j;
    int rc = 0;

    memset(&tu, 0, sizeof(tu));
    strbuf_init(&tu.diags, 0);
    if (decode(&tu, &w->pending) != 0) {
        tu_release(&tu);
        return err_set(err, ERR_CORRUPT, "malformed records from the worker for '%s'", t->file);
    }
    for (i = 0; i < tu.nfiles; i++) {
        struct fbatch *f = &tu.files[i];
        if (!f->present || !f->path)
            continue;
        for (j = 0; j < f->nincs; j++) {
            uint32_t to = f->inc_to[j];
            f->incs[j].path = to < tu.nfiles && tu.files[to].present ? tu.files[to].path : NULL;
        }
        /* drop includes that point at files the worker did not describe */
        for (j = 0; j < f->nincs;) {
            if (!f->incs[j].path) {
                f->incs[j] = f->incs[--f->nincs];
                continue;
            }
            j++;
        }
        if (f->flags & WIRE_FILE_MAIN) {
            main_f = f;
            continue;
        }
    }
    if (!main_f) {
        tu_release(&tu);
        return err_set(err, ERR_CORRUPT, "the worker sent no records for '%s' itself", t->file);
    }
    /* headers first, the source last (see the top of this file) */
    for (i = 0; i < tu.nfiles && !rc; i++) {
        struct fbatch *f = &tu.files[i];
        if (!f->present || f == main_f || !f->hash || !accept_header(r, f->path))
            continue;
        rc = write_batch(r, f, t, true, err);
        if (!rc)
            rc = store_header_claim(r->st, f->path, t->file, f->hash, t->args_hash, err);
        if (!rc) {
            close_header(r, strmap_put(&r->claimed, f->path, NULL));
            r->sum->headers++;
        }
    }
    if (!rc) {
        /* the main file keeps the stat the plan saw when the worker's is unavailable */
        rc = write_batch(r, main_f, t, false, err);
    }
    if (!rc)
        rc = store_parse_error_clear(r->st, t->file, err);
    if (!rc && tu.ndiags) {
        struct store_parse_error pe = {t->file,      "diagnostic", tu.diags.buf, NULL,
                                       main_f->hash, t->args_hash, t->retries};
        rc = store_parse_error_add(r->st, &pe, err);
        r->sum->with_errors++;
    }
    tu_release(&tu);
    return rc;
}

/* ---- failures ---- */

static void record_failure(struct run *r, struct task *t, const char *type, const char *msg)
{
    struct store_parse_error pe = {t->file, type, msg, NULL, NULL, t->args_hash, t->retries};
    struct err err;
    log_msg(LOG_WARN, "%s: %s", t->file, msg);
    /* one row per file: the latest attempt, whose message and retry count tell the story */
    if (store_parse_error_clear(r->st, t->file, &err) != 0 ||
        store_parse_error_add(r->st, &pe, &err) != 0)
        log_msg(LOG_WARN, "cannot record the error: %s", err.msg);
}

static void queue_push(struct run *r, size_t ti)
{
    if (r->qtail == r->qcap) {
        r->qcap = r->qcap ? r->qcap * 2 : 64;
        r->queue = xrealloc(r->queue, r->qcap * sizeof(*r->queue));
    }
    r->queue[r->qtail++] = ti;
}

static void task_finished(struct run *r, struct task *t, bool failed)
{
    t->done = true;
    r->prog.done++;
    if (failed) {
        r->prog.failed++;
        r->sum->failed++;
    } else {
        r->sum->parsed++;
    }
    progress(r, "indexing", t->file, true);
}

/* A task whose worker crashed or timed out: retry or give up. */
static void task_lost(struct run *r, size_t ti, const char *type, const char *what)
{
    struct task *t = &r->tasks[ti];
    int max = r->have_cfg ? r->cfg.max_parse_retries : 2;
    char *msg;
    if (t->retries < max) {
        msg = xasprintf("%s (attempt %d of %d; retrying)", what, t->retries + 1, max + 1);
        record_failure(r, t, type, msg);
        free(msg);
        t->retries++;
        queue_push(r, ti);
        return;
    }
    msg = xasprintf("%s (attempt %d of %d; giving up)", what, t->retries + 1, max + 1);
    record_failure(r, t, type, msg);
    free(msg);
    task_finished(r, t, true);
}

static void worker_died(struct run *r, struct wproc *w, bool timed_out)
{
    int status = 0;
    long ti = w->task;
    if (timed_out && w->pid > 0)
        kill(w->pid, SIGKILL);
    reap_worker(w, &status);
    w->task = -1;
    if (ti < 0)
        return;
    if (timed_out) {
        char *m = xasprintf("parsing took longer than %u s; the worker was killed", r->timeout_s);
        task_lost(r, (size_t)ti, "timeout", m);
        free(m);
    } else if (WIFSIGNALED(status)) {
        char *m = xasprintf("the parse worker died with signal %d (%s)", WTERMSIG(status),
                            strsignal(WTERMSIG(status)));
        task_lost(r, (size_t)ti, "signal", m);
        free(m);
    } else {
        char *m = xasprintf("the parse worker exited with status %d mid-file",
                            WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        task_lost(r, (size_t)ti, "crash", m);
        free(m);
    }
}

/* Handles one complete frame from a worker. Returns -1 on a store error (the run stops). */
static int on_frame(struct run *r, struct wproc *w, const unsigned char *p, size_t n,
                    struct err *err)
{
    struct wire_reader rd;
    if (p[0] != WIRE_DONE) {
        unsigned char len[4] = {(unsigned char)n, (unsigned char)(n >> 8), (unsigned char)(n >> 16),
                                (unsigned char)(n >> 24)};
        strbuf_add(&w->pending, len, 4);
        strbuf_add(&w->pending, p, n);
        return 0;
    }
    wire_reader_init(&rd, p + 1, n - 1);
    {
        uint32_t ti = wire_get_u32(&rd), status = wire_get_u32(&rd);
        const char *msg = wire_get_str(&rd);
        uint64_t us = wire_get_u64(&rd), rss = wire_get_u64(&rd);
        struct task *t;
        (void)us;
        if (rd.bad || w->task < 0 || ti != (uint32_t)w->task) {
            log_msg(LOG_WARN, "a parse worker sent an unexpected message; restarting it");
            worker_died(r, w, true);
            return 0;
        }
        t = &r->tasks[ti];
        if ((long)rss > r->sum->worker_rss_kb_max)
            r->sum->worker_rss_kb_max = (long)rss;
        if (status != WIRE_DONE_OK) {
            record_failure(r, t, status == WIRE_DONE_IO ? "io" : "libclang",
                           msg ? msg : "libclang could not parse the file");
            task_finished(r, t, true);
        } else if (write_tu(r, w, err) != 0) {
            if (err->code == ERR_CORRUPT) {
                record_failure(r, t, "worker", err->msg);
                task_finished(r, t, true);
            } else {
                return -1;
            }
        } else {
            task_finished(r, t, false);
        }
        w->task = -1;
        strbuf_reset(&w->pending);
        if (w->pending.alloc > (64u << 20)) {
            strbuf_release(&w->pending);
            strbuf_init(&w->pending, 0);
        }
    }
    return 0;
}

static int read_worker(struct run *r, struct wproc *w, struct err *err)
{
    char buf[1 << 16];
    for (;;) {
        ssize_t n = read(w->from_fd, buf, sizeof(buf));
        const unsigned char *p;
        size_t len;
        int got;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            w->eof = true;
            return 0;
        }
        if (n == 0) {
            w->eof = true;
            return 0;
        }
        wire_stream_feed(&w->ws, buf, (size_t)n);
        while ((got = wire_next(&w->ws, &p, &len)) == 1)
            if (on_frame(r, w, p, len, err) != 0)
                return -1;
        if (got < 0) {
            log_msg(LOG_WARN, "a parse worker sent a malformed stream; restarting it");
            worker_died(r, w, true);
            return 0;
        }
        if (w->pid < 0)
            return 0;
    }
}

static int run_workers(struct run *r, struct err *err)
{
    size_t i, active = 0;
    unsigned jobs = r->opt->jobs;
    struct pollfd *pfd;
    int rc = 0;

    r->qhead = r->qtail = 0;
    for (i = 0; i < r->ntasks; i++)
        if (r->tasks[i].parse && !r->tasks[i].done)
            queue_push(r, i);
    if (r->qtail == 0)
        return 0;
    if (!jobs)
        jobs = r->cfg.max_workers;
    if (!jobs) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = n > 0 ? (unsigned)n : 1;
    }
    if (jobs > 256)
        jobs = 256;
    if (jobs > r->qtail)
        jobs = (unsigned)r->qtail;
    r->nwp = jobs;
    r->wp = xcalloc(jobs, sizeof(*r->wp));
    pfd = xcalloc(jobs, sizeof(*pfd));
    for (i = 0; i < jobs; i++) {
        r->wp[i].pid = -1;
        r->wp[i].to_fd = r->wp[i].from_fd = -1;
        r->wp[i].task = -1;
    }

    for (;;) {
        uint64_t now;
        int timeout_ms = 100, pr;
        size_t np = 0;
        bool cancelled = r->opt->cancel && *r->opt->cancel;

        /* hand out work */
        for (i = 0; i < jobs && !cancelled; i++) {
            struct wproc *w = &r->wp[i];
            if (w->task >= 0 || r->qhead == r->qtail)
                continue;
            if (w->pid < 0 && (rc = spawn_worker(r, w, err)) != 0)
                goto out;
            if (send_task(r, w, r->queue[r->qhead]) != 0) {
                worker_died(r, w, false);
                continue; /* the task was not sent: it is still at the head */
            }
            r->qhead++;
        }
        if (cancelled) {
            /* stop now: the files in flight are not failures, they are simply not indexed
             * (the next run does them); a worker stuck in a file must not hold up the caller */
            for (i = 0; i < jobs; i++) {
                struct wproc *w = &r->wp[i];
                if (w->pid > 0) {
                    kill(w->pid, SIGKILL);
                    reap_worker(w, NULL);
                }
                w->task = -1;
            }
            break;
        }
        active = 0;
        for (i = 0; i < jobs; i++)
            if (r->wp[i].task >= 0)
                active++;
        if (!active && r->qhead == r->qtail)
            break;

        now = time_mono_ns();
        for (i = 0; i < jobs; i++) {
            struct wproc *w = &r->wp[i];
            if (w->task < 0)
                continue;
            {
                uint64_t limit = (uint64_t)r->timeout_s * 1000000000ull;
                uint64_t el = now - w->started_ns;
                if (el >= limit) {
                    worker_died(r, w, true);
                    continue;
                }
                if ((limit - el) / 1000000ull < (uint64_t)timeout_ms)
                    timeout_ms = (int)((limit - el) / 1000000ull) + 1;
            }
            pfd[np].fd = w->from_fd;
            pfd[np].events = POLLIN;
            pfd[np].revents = 0;
            np++;
        }
        if (!np)
            continue;
        pr = poll(pfd, np, timeout_ms);
        if (pr < 0 && errno != EINTR) {
            rc = err_set(err, ERR_IO, "poll failed: %s", strerror(errno));
            goto out;
        }
        for (i = 0; i < jobs; i++) {
            struct wproc *w = &r->wp[i];
            if (w->task < 0 || w->from_fd < 0)
                continue;
            if (read_worker(r, w, err) != 0) {
                rc = -1;
                goto out;
            }
            if (w->eof && w->pid > 0)
                worker_died(r, w, false);
        }
        progress(r, "indexing", NULL, false);
    }
out:
    for (i = 0; i < jobs; i++) {
        struct wproc *w = &r->wp[i];
        if (w->pid > 0) {
            if (rc != 0)
                kill(w->pid, SIGKILL);
            reap_worker(w, NULL);
        }
    }
    free(pfd);
    free(r->wp);
    r->wp = NULL;
    r->nwp = 0;
    if (r->opt->cancel && *r->opt->cancel)
        r->sum->cancelled = true;
    return rc;
}

/* ---- the lock ---- */

static int take_lock(struct run *r, const char *cache_dir, int *fd_out, struct err *err)
{
    char *path = path_join(cache_dir, "index.lock");
    int fd = fs_lock_open(path, err), rc;
    free(path);
    if (fd < 0)
        return fd;
    rc = fs_lock_try(fd, true);
    if (rc == ERR_BUSY) {
        char holder[256] = "";
        ssize_t n = pread(fd, holder, sizeof(holder) - 1, 0);
        holder[n > 0 ? n : 0] = 0;
        holder[strcspn(holder, "\n")] = 0;
        if (r->opt->no_wait) {
            close(fd);
            return err_set(err, ERR_BUSY, "another indexing run holds %s (%s)", cache_dir,
                           *holder ? holder : "holder unknown");
        }
        log_msg(LOG_WARN, "another indexing run holds %s (%s); waiting for it to finish", cache_dir,
                *holder ? holder : "holder unknown");
        rc = fs_lock_wait(fd, true);
    }
    if (rc != 0) {
        close(fd);
        return err_set(err, ERR_IO, "cannot lock %s for indexing", cache_dir);
    }
    {
        char when[32];
        char *info;
        time_format_utc(when, time_now());
        info = xasprintf("pid %ld, started %s, project %s\n", (long)getpid(), when, r->root);
        if (ftruncate(fd, 0) == 0 && pwrite(fd, info, strlen(info), 0) < 0)
            log_msg(LOG_DEBUG, "cannot write the lock holder: %s", strerror(errno));
        free(info);
    }
    *fd_out = fd;
    return 0;
}

/* ---- the run ---- */

static double ms_since(uint64_t t0)
{
    return (double)(time_mono_ns() - t0) / 1e6;
}

/* The worker executable: the option, else $CIDX_WORKER, else cidx-worker next to the running
 * binary, else cidx-worker on PATH. */
static int find_worker(char **out, const char *given, struct err *err)
{
    const char *env = getenv("CIDX_WORKER");
    char *self, *slash, *cand;
    *out = NULL;
    if (given || (env && *env)) {
        const char *p = given ? given : env;
        if (access(p, X_OK) != 0)
            return err_set(err, ERR_NOTFOUND, "the parse worker '%s' is not an executable: %s", p,
                           strerror(errno));
        *out = xstrdup(p);
        return 0;
    }
    self = path_real("/proc/self/exe");
    if (self && (slash = strrchr(self, '/')) != NULL) {
        *slash = 0;
        cand = path_join(self, "cidx-worker");
        free(self);
        if (access(cand, X_OK) == 0) {
            *out = cand;
            return 0;
        }
        free(cand);
    } else {
        free(self);
    }
    {
        const char *path = getenv("PATH");
        char *copy = xstrdup(path ? path : "/usr/local/bin:/usr/bin"), *save = NULL, *d;
        for (d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
            cand = path_join(*d ? d : ".", "cidx-worker");
            if (access(cand, X_OK) == 0) {
                free(copy);
                *out = cand;
                return 0;
            }
            free(cand);
        }
        free(copy);
    }
    return err_set(err, ERR_NOTFOUND,
                   "cannot find the parse worker 'cidx-worker' next to cidx or on PATH (set "
                   "CIDX_WORKER to its path)");
}

void idx_summary_release(struct idx_summary *sum)
{
    if (!sum)
        return;
    free(sum->cache_dir);
    free(sum->ccdb_path);
    memset(sum, 0, sizeof(*sum));
}

static bool store_is_empty(struct store *st)
{
    struct store_stats s;
    struct err err;
    if (store_stats_get(st, &s, &err) != 0)
        return false;
    return s.files == 0;
}

int idx_run(const struct idx_options *opt, struct idx_summary *sum, struct err *err)
{
    struct run r;
    int rc = 0, lock_fd = -1;
    size_t i;
    struct strbuf warnings = STRBUF_INIT;
    bool bulk = false;

    memset(sum, 0, sizeof(*sum));
    memset(&r, 0, sizeof(r));
    r.opt = opt;
    r.sum = sum;
    r.t0 = time_mono_ns();

    if (!opt->root)
        return err_set(err, ERR_INVALID, "no project directory given");
    idx_path_memo_begin(); /* ended with the run, at done */
    r.root = path_real(opt->root);
    if (!r.root || !fs_is_dir(r.root)) {
        rc = err_set(err, ERR_INVALID, "'%s' is not a directory", opt->root);
        goto done;
    }
    rc = idx_config_load(&r.cfg, r.root, opt->config_path, &warnings, err);
    r.have_cfg = rc == 0;
    log_lines(LOG_WARN, NULL, "", &warnings);
    if (rc)
        goto done;
    r.timeout_s = opt->timeout_s ? opt->timeout_s : r.cfg.parse_timeout_s;
    if (!r.timeout_s)
        r.timeout_s = 300;
    if ((rc = find_worker(&r.worker_exe, opt->worker_exe, err)) != 0)
        goto done;
    sum->cache_dir = opt->cache_dir
                         ? xstrdup(opt->cache_dir)
                         : store_default_cache_dir(r.root, opt->config_path ? r.cfg.path : NULL);
    if ((rc = fs_mkdir_p(sum->cache_dir, err)) != 0)
        goto done;
    if ((rc = take_lock(&r, sum->cache_dir, &lock_fd, err)) != 0)
        goto done;

    progress(&r, "planning", NULL, true);
    if ((rc = load_sources(&r, err)) != 0)
        goto done;
    log_msg(LOG_DEBUG, "index: sources read in %.1f ms (%zu)", ms_since(r.t0), r.ntasks);
    /* the SQLite cache, or the JSON backend (CLANG_INDEX_USE_SQLITE=0, a fallback) */
    if ((rc = store_open_cache(&r.st, sum->cache_dir, 0, err)) != 0)
        goto done;
    log_msg(LOG_DEBUG, "index: cache open at %.1f ms", ms_since(r.t0));
    if ((rc = plan(&r, err)) != 0)
        goto done;
    log_msg(LOG_DEBUG, "index: planned at %.1f ms: %zu to parse", ms_since(r.t0), r.to_parse);
    sum->sources = r.ntasks;
    if (r.to_parse == 0 && sum->deleted == 0 && r.nphase2 == 0) {
        sum->nothing_changed = sum->touched == 0;
        goto finish;
    }
    if (store_is_empty(r.st)) {
        if ((rc = store_bulk_begin(r.st, err)) != 0)
            goto done;
        bulk = true;
    }
    progress(&r, "indexing", NULL, true);
    if ((rc = run_workers(&r, err)) != 0)
        goto done;
    if (r.nphase2 && !(opt->cancel && *opt->cancel)) {
        size_t added = 0;
        for (i = 0; i < r.nphase2; i++) {
            const struct idx_scan_file *sf = &r.fallback.files[r.phase2[i]];
            if (strmap_has(&r.claimed, sf->file))
                continue; /* a unit of the database includes it */
            add_task(&r, sf->file, r.root, sf->argv, sf->argc);
            r.tasks[r.ntasks - 1].parse = true;
            r.to_parse++;
            added++;
        }
        if (added) {
            log_msg(LOG_INFO,
                    "%zu sources the compile database does not list are indexed with default "
                    "flags (compile_commands.fallback_to_hardcoded)",
                    added);
            if ((rc = run_workers(&r, err)) != 0)
                goto done;
        }
    }
    sum->sources = r.ntasks;
    log_msg(LOG_DEBUG, "index: parsed at %.1f ms", ms_since(r.t0));
    progress(&r, "finishing", NULL, true);
    {
        /* headers nothing includes any more */
        char **orphans = NULL;
        size_t n = 0;
        if ((rc = store_orphan_headers(r.st, &orphans, &n, err)) != 0)
            goto done;
        for (i = 0; i < n; i++) {
            if (!rc && !strmap_has(&r.task_by_file, orphans[i])) {
                rc = store_file_delete(r.st, orphans[i], err);
                sum->deleted++;
            }
            free(orphans[i]);
        }
        free(orphans);
        if (rc)
            goto done;
    }
    if (bulk) {
        bulk = false;
        if ((rc = store_bulk_end(r.st, err)) != 0)
            goto done;
    }
    {
        char when[32];
        time_format_utc(when, time_now());
        if ((rc = store_meta_set(r.st, "last_index_time", when, err)) != 0)
            goto done;
        rc = store_meta_set(r.st, "compile_commands_path", sum->ccdb_path ? sum->ccdb_path : "",
                            err);
        if (!rc)
            rc = store_meta_set(r.st, "project_root", r.root, err);
        if (!rc) {
            /* the compile database entries that lost to an earlier entry for the same file */
            strbuf_addch(&r.alternatives, ']');
            rc = store_meta_set(r.st, "compile_commands_alternatives",
                                r.alternatives.len > 1 ? r.alternatives.buf : "[]", err);
        }
        if (!rc)
            rc = store_meta_set(r.st, "include_dependencies",
                                r.cfg.include_dependencies ? "true" : "false", err);
        if (rc)
            goto done;
    }
finish:
    progress(&r, "done", NULL, true);
done:
    if (bulk) {
        struct err e2;
        if (store_bulk_end(r.st, &e2) != 0)
            log_msg(LOG_WARN, "%s", e2.msg);
    }
    {
        struct rusage ru;
        if (getrusage(RUSAGE_SELF, &ru) == 0)
            sum->parent_rss_kb = ru.ru_maxrss;
    }
    sum->seconds = (double)(time_mono_ns() - r.t0) / 1e9;
    store_close(r.st);
    if (lock_fd >= 0) {
        fs_lock_release(lock_fd);
        close(lock_fd);
    }
    for (i = 0; i < r.ntasks; i++)
        task_release(&r.tasks[i]);
    free(r.tasks);
    for (i = 0; i < r.known.cap; i++) {
        struct known *k = r.known.vals[i];
        if (r.known.keys[i] && k) {
            free(k->hash);
            free(k->args_hash);
            free(k);
        }
    }
    free(r.closed);
    strmap_clear(&r.known);
    strmap_clear(&r.task_by_file);
    strmap_clear(&r.open_headers);
    strmap_clear(&r.claimed);
    free(r.queue);
    free(r.phase2);
    idx_scan_release(&r.fallback);
    strbuf_release(&r.alternatives);
    free(r.worker_exe);
    free(r.root);
    idx_config_release(&r.cfg);
    strbuf_release(&warnings);
    idx_path_canonical_memo(NULL, NULL); /* the caller may be a thread about to end */
    return rc ? -1 : 0;
}
