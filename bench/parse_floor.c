/*
 * parse_floor.c - the parse floor of indexing: how long libclang takes only to parse every
 * translation unit of a compile database with N worker processes, nothing visited, nothing
 * stored. `cidx index` does this and more with the same workers, so bench/bench_index.sh
 * divides its time by this one.
 *
 *   parse_floor [--jobs N] [--root DIR] [--project-only] [--limit N] [--files OUT.tsv]
 *               [--kv] [--quiet] compile_commands.json
 *   parse_floor --commands COMPILER [--root DIR] [--project-only] [--limit N] compile_commands.json
 *
 * Each TU is prepared as the indexer prepares it: the first entry of a file wins
 * (idx_ccdb_find), response files inside the project are expanded
 * (idx_args_expand_response_files), idx_args_sanitize removes plugins and outputs, and then
 * argv[0], the source file argument and -c are dropped; the rest goes to
 * clang_parseTranslationUnit2 with CXTranslationUnit_KeepGoing and nothing else (no detailed
 * preprocessing record, function bodies parsed), from the entry's directory.
 *
 * Workers are forked before any libclang state exists; each makes one CXIndex, takes the next
 * TU from a counter in shared memory, parses it, counts its error diagnostics, disposes it, and
 * writes its time into a shared result array. A worker that dies (a libclang crash outside its
 * crash recovery) marks the TU it held as crashed and is replaced while work remains. The
 * parent keeps each worker's peak RSS from wait4's ru_maxrss: a forked (not exec'd) child
 * starts from the parent's RSS, and the parent stays a few MB, so the number is the worker's.
 *
 * --commands prints, instead of parsing, one shell command per TU that runs COMPILER with
 * -fsyntax-only over the same TUs with the same sanitized arguments (argv[0] replaced, -c
 * dropped, the source file kept): the clang column of bench_index.sh feeds them to xargs -P N.
 * Each command prints "FAIL <file>" when the compiler fails.
 *
 * Output: a Markdown table on stdout (or key=value lines with --kv), the first error of each
 * TU with errors on stderr unless --quiet, and with --files a TSV of
 * seconds (parse + dispose), errors, status, worker, file and dispose seconds per TU, in
 * database order.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <clang-c/Index.h>

#include "index/index.h"
#include "util/util.h"

#define MAX_JOBS 256

static const char usage_text[] =
    "usage: parse_floor [options] compile_commands.json\n"
    "  --jobs N            worker processes (default 2)\n"
    "  --root DIR          project root for response files (default: the database's\n"
    "                      directory, or its parent when that is named 'build')\n"
    "  --project-only      only TUs whose source is under the root\n"
    "  --limit N           only the first N TUs\n"
    "  --files OUT.tsv     per-TU seconds, errors, status, worker, file\n"
    "  --kv                key=value lines instead of the Markdown table\n"
    "  --quiet             no error diagnostics on stderr\n"
    "  --commands COMPILER print 'COMPILER -fsyntax-only' shell commands, parse nothing\n";

/* A TU ready for libclang: everything is heap-owned by the tu array. */
struct tu {
    char *file;      /* canonical absolute path */
    char *directory; /* where it is parsed */
    char **args;     /* for libclang: no argv[0], no source file, no -c */
    size_t nargs;
    char **cmd; /* for --commands: compiler and arguments with the source file, no -c */
    size_t ncmd;
};

enum tu_status {
    TU_PENDING = 0,
    TU_OK,      /* parsed (possibly with error diagnostics) */
    TU_FAILED,  /* libclang returned no TU, or the directory was unusable */
    TU_CRASHED, /* libclang reported a crash, or the worker died */
};

struct tu_result {
    double seconds;   /* parse + dispose */
    double dispose_s; /* of which clang_disposeTranslationUnit */
    int errors;       /* diagnostics of severity error or fatal */
    int status;       /* enum tu_status */
    int worker;
};

/* Shared between the parent and the workers (MAP_SHARED). */
struct shared {
    atomic_size_t next;            /* next TU to take */
    atomic_long current[MAX_JOBS]; /* TU a worker holds, -1 when none */
    struct tu_result res[];        /* one per TU */
};

struct opts {
    unsigned jobs;
    const char *root;
    bool project_only;
    size_t limit;
    const char *files;
    bool kv;
    bool quiet;
    const char *commands;
    const char *ccdb;
};

static int usage_error(const char *fmt, ...) PRINTF_LIKE(1, 2);
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "parse_floor: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n%s", usage_text);
    return 2;
}

/* ---- preparing the TUs ----------------------------------------------------------------------- */

static char **argv_copy(char *const *argv, size_t argc)
{
    char **out = xcalloc(argc + 1, sizeof(*out));
    for (size_t i = 0; i < argc; i++)
        out[i] = xstrdup(argv[i]);
    return out;
}

/* True when arg names the entry's source file (as written, or relative to its directory). */
static bool is_source_arg(const char *arg, const struct idx_ccdb_entry *e)
{
    char *joined, *real;
    bool same;

    if (arg[0] == '-' || arg[0] == '@')
        return false;
    if (!strcmp(arg, e->file))
        return true;
    joined = arg[0] == '/' ? xstrdup(arg) : path_join(e->directory, arg);
    real = path_real(joined);
    same = real && !strcmp(real, e->file);
    free(real);
    free(joined);
    return same;
}

/*
 * Fills t from entry e: expands and sanitizes a copy of its arguments, then derives the libclang
 * argument list and the -fsyntax-only command. Returns 0, or the error of the expansion.
 */
static int tu_prepare(struct tu *t, const struct idx_ccdb_entry *e, const char *root,
                      const char *compiler, struct err *err)
{
    struct idx_args_ctx ctx = {root, e->directory, true};
    char **argv = argv_copy(e->argv, e->argc);
    size_t argc = e->argc;
    int rc;

    memset(t, 0, sizeof(*t));
    rc = idx_args_expand_response_files(&argv, &argc, &ctx, NULL, err);
    if (!rc)
        rc = idx_args_sanitize(argv, &argc, &ctx, NULL, err);
    if (rc)
        goto out;

    t->file = xstrdup(e->file);
    t->directory = xstrdup(e->directory);
    t->args = xcalloc(argc + 1, sizeof(*t->args));
    t->cmd = xcalloc(argc + 3, sizeof(*t->cmd));
    t->cmd[t->ncmd++] = xstrdup(compiler ? compiler : argc ? argv[0] : "clang");
    t->cmd[t->ncmd++] = xstrdup("-fsyntax-only");
    for (size_t i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-c"))
            continue;
        t->cmd[t->ncmd++] = xstrdup(argv[i]);
        if (!is_source_arg(argv[i], e))
            t->args[t->nargs++] = xstrdup(argv[i]);
    }
out:
    idx_argv_free(argv, argc);
    return rc;
}

static void tu_release(struct tu *t)
{
    idx_argv_free(t->args, t->nargs);
    idx_argv_free(t->cmd, t->ncmd);
    free(t->file);
    free(t->directory);
}

/* The project root the indexer would use: the database's directory, or its parent for build/. */
static char *default_root(const char *ccdb)
{
    char *real = path_real(ccdb), *slash;
    if (!real)
        return NULL;
    slash = strrchr(real, '/');
    if (slash)
        *slash = '\0';
    slash = strrchr(real, '/');
    if (slash && slash != real && !strcmp(slash + 1, "build"))
        *slash = '\0';
    return real;
}

/* ---- workers -------------------------------------------------------------------------------- */

static double seconds_since(uint64_t t0)
{
    return (double)(time_mono_ns() - t0) / 1e9;
}

/* Counts error and fatal diagnostics; prints the first one unless quiet. */
static int count_errors(CXTranslationUnit tu, const char *file, bool quiet)
{
    unsigned n = clang_getNumDiagnostics(tu);
    int errors = 0;
    for (unsigned i = 0; i < n; i++) {
        CXDiagnostic d = clang_getDiagnostic(tu, i);
        if (clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error) {
            if (!errors && !quiet) {
                CXString s = clang_formatDiagnostic(d, clang_defaultDiagnosticDisplayOptions());
                fprintf(stderr, "parse_floor: %s: %s\n", file, clang_getCString(s));
                clang_disposeString(s);
            }
            errors++;
        }
        clang_disposeDiagnostic(d);
    }
    return errors;
}

static _Noreturn void worker_main(struct shared *sh, const struct tu *tus, size_t n, unsigned w,
                                  bool quiet)
{
    CXIndex ix = clang_createIndex(0, 0);
    for (;;) {
        size_t i = atomic_fetch_add(&sh->next, 1);
        struct tu_result *r;
        CXTranslationUnit tu = NULL;
        enum CXErrorCode ec;
        uint64_t t0;

        if (i >= n)
            break;
        r = &sh->res[i];
        r->worker = (int)w;
        atomic_store(&sh->current[w], (long)i);
        if (chdir(tus[i].directory) != 0) {
            if (!quiet)
                fprintf(stderr, "parse_floor: %s: cannot enter '%s': %s\n", tus[i].file,
                        tus[i].directory, strerror(errno));
            r->status = TU_FAILED;
            continue;
        }
        t0 = time_mono_ns();
        ec = clang_parseTranslationUnit2(ix, tus[i].file, (const char *const *)tus[i].args,
                                         (int)tus[i].nargs, NULL, 0, CXTranslationUnit_KeepGoing,
                                         &tu);
        if (tu) {
            uint64_t t1;
            r->errors = count_errors(tu, tus[i].file, quiet);
            t1 = time_mono_ns();
            clang_disposeTranslationUnit(tu);
            r->dispose_s = seconds_since(t1);
        }
        r->seconds = seconds_since(t0);
        r->status = ec == CXError_Success && tu ? TU_OK
                    : ec == CXError_Crashed     ? TU_CRASHED
                                                : TU_FAILED;
        if (r->status != TU_OK && !quiet)
            fprintf(stderr, "parse_floor: %s: libclang %s (error code %d)\n", tus[i].file,
                    r->status == TU_CRASHED ? "crashed" : "failed", (int)ec);
        atomic_store(&sh->current[w], -1L);
    }
    clang_disposeIndex(ix);
    fflush(stderr);
    _exit(0);
}

struct run {
    double wall_s, cpu_s;
    long rss_kb[MAX_JOBS]; /* peak over a worker slot's incarnations */
    unsigned respawns;
};

static pid_t spawn(struct shared *sh, const struct tu *tus, size_t n, unsigned w, bool quiet)
{
    pid_t pid;
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid == 0)
        worker_main(sh, tus, n, w, quiet);
    return pid;
}

static int run_workers(struct run *run, struct shared *sh, const struct tu *tus, size_t n,
                       const struct opts *o)
{
    pid_t pids[MAX_JOBS];
    unsigned live = 0;
    uint64_t t0 = time_mono_ns();

    memset(run, 0, sizeof(*run));
    for (unsigned w = 0; w < o->jobs; w++) {
        atomic_store(&sh->current[w], -1L);
        pids[w] = spawn(sh, tus, n, w, o->quiet);
        if (pids[w] < 0) {
            fprintf(stderr, "parse_floor: fork: %s\n", strerror(errno));
            if (!live)
                return 1;
            continue;
        }
        live++;
    }
    while (live) {
        struct rusage ru;
        int status;
        unsigned w;
        pid_t pid = wait4(-1, &status, 0, &ru);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "parse_floor: wait4: %s\n", strerror(errno));
            return 1;
        }
        for (w = 0; w < o->jobs && pids[w] != pid; w++)
            ;
        if (w == o->jobs)
            continue;
        live--;
        pids[w] = -1;
        if (ru.ru_maxrss > run->rss_kb[w])
            run->rss_kb[w] = ru.ru_maxrss;
        run->cpu_s += (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                      (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            long cur = atomic_load(&sh->current[w]);
            if (cur >= 0) {
                sh->res[cur].status = TU_CRASHED;
                sh->res[cur].worker = (int)w;
                fprintf(stderr, "parse_floor: %s: worker %u died (%s %d)\n", tus[cur].file, w,
                        WIFSIGNALED(status) ? "signal" : "exit",
                        WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
            }
            atomic_store(&sh->current[w], -1L);
            if (atomic_load(&sh->next) < n) {
                pids[w] = spawn(sh, tus, n, w, o->quiet);
                if (pids[w] > 0) {
                    live++;
                    run->respawns++;
                }
            }
        }
    }
    run->wall_s = seconds_since(t0);
    return 0;
}

/* ---- output --------------------------------------------------------------------------------- */

/* Appends word to sb quoted for a POSIX shell. */
static void shell_quote(struct strbuf *sb, const char *word)
{
    strbuf_addch(sb, '\'');
    for (const char *p = word; *p; p++) {
        if (*p == '\'')
            strbuf_adds(sb, "'\\''");
        else
            strbuf_addch(sb, *p);
    }
    strbuf_addch(sb, '\'');
}

static void print_commands(const struct tu *tus, size_t n)
{
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        strbuf_reset(&sb);
        strbuf_adds(&sb, "cd ");
        shell_quote(&sb, tus[i].directory);
        strbuf_adds(&sb, " &&");
        for (size_t k = 0; k < tus[i].ncmd; k++) {
            strbuf_addch(&sb, ' ');
            shell_quote(&sb, tus[i].cmd[k]);
        }
        strbuf_adds(&sb, " >/dev/null 2>&1 || echo FAIL ");
        shell_quote(&sb, tus[i].file);
        puts(sb.buf);
    }
    strbuf_release(&sb);
}

static int dcmp_desc(const void *a, const void *b)
{
    double x = ((const struct tu_result *)a)->seconds, y = ((const struct tu_result *)b)->seconds;
    return x < y ? 1 : x > y ? -1 : 0;
}

struct totals {
    size_t ok, failed, crashed, error_tus;
    long errors;
    double sum_s, dispose_s;
    long rss_max_kb;
};

static struct totals totals_of(const struct shared *sh, const struct run *run, size_t n,
                               unsigned jobs)
{
    struct totals t = {0};
    for (size_t i = 0; i < n; i++) {
        const struct tu_result *r = &sh->res[i];
        t.sum_s += r->seconds;
        t.dispose_s += r->dispose_s;
        t.errors += r->errors;
        t.error_tus += r->errors > 0;
        t.ok += r->status == TU_OK;
        t.failed += r->status == TU_FAILED || r->status == TU_PENDING;
        t.crashed += r->status == TU_CRASHED;
    }
    for (unsigned w = 0; w < jobs; w++)
        if (run->rss_kb[w] > t.rss_max_kb)
            t.rss_max_kb = run->rss_kb[w];
    return t;
}

static int write_files(const char *path, const struct shared *sh, const struct tu *tus, size_t n)
{
    static const char *const names[] = {"pending", "ok", "failed", "crashed"};
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "parse_floor: cannot write '%s': %s\n", path, strerror(errno));
        return 1;
    }
    fprintf(f, "seconds\terrors\tstatus\tworker\tfile\tdispose_s\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%.4f\t%d\t%s\t%d\t%s\t%.4f\n", sh->res[i].seconds, sh->res[i].errors,
                names[sh->res[i].status], sh->res[i].worker, tus[i].file, sh->res[i].dispose_s);
    return fclose(f) == 0 ? 0 : 1;
}

static void print_kv(const struct opts *o, const struct shared *sh, const struct run *run, size_t n,
                     size_t entries, size_t outside)
{
    struct totals t = totals_of(sh, run, n, o->jobs);
    printf("ccdb=%s\nentries=%zu\ntus=%zu\nskipped_outside=%zu\njobs=%u\n", o->ccdb, entries, n,
           outside, o->jobs);
    printf("wall_s=%.3f\nsum_parse_s=%.3f\nsum_dispose_s=%.3f\ncpu_s=%.3f\n", run->wall_s, t.sum_s,
           t.dispose_s, run->cpu_s);
    printf("ok=%zu\nfailed=%zu\ncrashed=%zu\nerror_tus=%zu\nerrors=%ld\nrespawns=%u\n", t.ok,
           t.failed, t.crashed, t.error_tus, t.errors, run->respawns);
    printf("worker_rss_kb_max=%ld\nworker_rss_kb=", t.rss_max_kb);
    for (unsigned w = 0; w < o->jobs; w++)
        printf("%s%ld", w ? "," : "", run->rss_kb[w]);
    printf("\n");
}

static void print_table(const struct opts *o, const struct shared *sh, const struct run *run,
                        const struct tu *tus, size_t n, size_t entries, size_t outside)
{
    struct totals t = totals_of(sh, run, n, o->jobs);
    struct tu_result *sorted = xmalloc((n ? n : 1) * sizeof(*sorted));
    struct utsname un;
    CXString ver = clang_getClangVersion();
    char when[32];

    if (uname(&un) != 0)
        memset(&un, 0, sizeof(un));
    time_format_utc(when, time_now());
    printf("## parse floor: %s\n\n", o->ccdb);
    printf("%ld cores online, %s %s, %s UTC, %s\n\n", sysconf(_SC_NPROCESSORS_ONLN), un.sysname,
           un.release, when, clang_getCString(ver));
    clang_disposeString(ver);
    printf("%zu TUs (%zu compile commands, the first one of each file%s; %zu outside the root "
           "skipped), %u workers, CXTranslationUnit_KeepGoing\n\n",
           n, entries, o->limit ? ", --limit" : "", outside, o->jobs);
    printf("| TUs | jobs | wall s | TUs/s | sum of TU parse s (of which dispose) | worker CPU s | "
           "TUs with errors (errors) | failed | crashed | worker peak RSS MB (each) |\n");
    printf("|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n");
    printf("| %zu | %u | %.2f | %.2f | %.2f (%.2f) | %.2f | %zu (%ld) | %zu | %zu | %.0f (", n,
           o->jobs, run->wall_s, run->wall_s > 0 ? (double)n / run->wall_s : 0.0, t.sum_s,
           t.dispose_s, run->cpu_s, t.error_tus, t.errors, t.failed, t.crashed,
           (double)t.rss_max_kb / 1024.0);
    for (unsigned w = 0; w < o->jobs; w++)
        printf("%s%.0f", w ? ", " : "", (double)run->rss_kb[w] / 1024.0);
    printf(") |\n\n");

    /* The slowest TUs decide the tail of a parallel run. */
    for (size_t i = 0; i < n; i++) {
        sorted[i] = sh->res[i];
        sorted[i].worker = (int)i; /* reused as the TU's position */
    }
    qsort(sorted, n, sizeof(*sorted), dcmp_desc);
    printf("| slowest TUs | s | errors |\n|---|--:|--:|\n");
    for (size_t i = 0; i < n && i < 5; i++)
        printf("| %s | %.2f | %d |\n", tus[sorted[i].worker].file, sorted[i].seconds,
               sorted[i].errors);
    printf("\n");
    free(sorted);
}

/* ---- main ----------------------------------------------------------------------------------- */

static int parse_args(struct opts *o, int argc, char **argv)
{
    memset(o, 0, sizeof(*o));
    o->jobs = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = !strcmp(a, "--jobs") || !strcmp(a, "-j") || !strcmp(a, "--root") ||
                     !strcmp(a, "--limit") || !strcmp(a, "--files") || !strcmp(a, "--commands");
        uint64_t x;

        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_text, stdout);
            exit(0);
        }
        if (takes && !v)
            return usage_error("option '%s' needs a value", a);
        if (!strcmp(a, "--jobs") || !strcmp(a, "-j")) {
            if (str_to_u64(&x, v, MAX_JOBS) != 0 || x == 0)
                return usage_error("--jobs: '%s' is not a count from 1 to %d", v, MAX_JOBS);
            o->jobs = (unsigned)x;
        } else if (!strcmp(a, "--root")) {
            o->root = v;
        } else if (!strcmp(a, "--limit")) {
            if (str_to_u64(&x, v, SIZE_MAX) != 0)
                return usage_error("--limit: '%s' is not a count", v);
            o->limit = (size_t)x;
        } else if (!strcmp(a, "--files")) {
            o->files = v;
        } else if (!strcmp(a, "--commands")) {
            o->commands = v;
        } else if (!strcmp(a, "--project-only")) {
            o->project_only = true;
        } else if (!strcmp(a, "--kv")) {
            o->kv = true;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            o->quiet = true;
        } else if (a[0] == '-' || o->ccdb) {
            return usage_error("unexpected argument '%s'", a);
        } else {
            o->ccdb = a;
        }
        if (takes)
            i++;
    }
    if (!o->ccdb)
        return usage_error("%s", "no compile_commands.json given");
    return 0;
}

int main(int argc, char **argv)
{
    struct opts o;
    struct idx_ccdb db = {0};
    struct err e = {0};
    struct tu *tus = NULL;
    struct shared *sh = NULL;
    struct run run;
    size_t n = 0, outside = 0, shared_size = 0;
    char *root = NULL;
    int rc;

    rc = parse_args(&o, argc, argv);
    if (rc)
        return rc;
    root = o.root ? path_real(o.root) : default_root(o.ccdb);
    if (!root) {
        fprintf(stderr, "parse_floor: cannot resolve the project root of '%s'\n", o.ccdb);
        return 1;
    }
    rc = idx_ccdb_load(&db, o.ccdb, &e);
    if (rc) {
        fprintf(stderr, "parse_floor: error: %s\n", e.msg);
        rc = 1;
        goto out;
    }
    for (size_t i = 0; i < db.nwarnings && !o.quiet; i++)
        fprintf(stderr, "parse_floor: warning: %s\n", db.warnings[i]);

    tus = xcalloc(db.n ? db.n : 1, sizeof(*tus));
    for (size_t i = 0; i < db.n && (!o.limit || n < o.limit); i++) {
        const struct idx_ccdb_entry *en = &db.entries[i];
        size_t rl = strlen(root);
        if (idx_ccdb_find(&db, en->file) != en)
            continue; /* a later entry of a file seen before */
        if (o.project_only && !(strncmp(en->file, root, rl) == 0 && en->file[rl] == '/')) {
            outside++;
            continue;
        }
        if (tu_prepare(&tus[n], en, root, o.commands, &e) != 0) {
            fprintf(stderr, "parse_floor: warning: %s: %s (skipped)\n", en->file, e.msg);
            continue;
        }
        n++;
    }
    if (o.commands) {
        print_commands(tus, n);
        rc = 0;
        goto out;
    }
    if (o.jobs > n && n > 0)
        o.jobs = (unsigned)n;

    shared_size = sizeof(*sh) + (n ? n : 1) * sizeof(sh->res[0]);
    sh = mmap(NULL, shared_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) {
        sh = NULL;
        fprintf(stderr, "parse_floor: mmap: %s\n", strerror(errno));
        rc = 1;
        goto out;
    }
    atomic_init(&sh->next, 0);
    if (!o.quiet)
        fprintf(stderr, "parse_floor: parsing %zu TUs with %u workers\n", n, o.jobs);
    rc = run_workers(&run, sh, tus, n, &o);
    if (rc)
        goto out;
    if (o.files && write_files(o.files, sh, tus, n) != 0)
        rc = 1;
    if (o.kv)
        print_kv(&o, sh, &run, n, db.n, outside);
    else
        print_table(&o, sh, &run, tus, n, db.n, outside);

out:
    if (sh)
        munmap(sh, shared_size);
    for (size_t i = 0; i < n; i++)
        tu_release(&tus[i]);
    free(tus);
    idx_ccdb_release(&db);
    free(root);
    return rc;
}
