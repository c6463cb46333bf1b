/*
 * bench_store.c - the store benchmark: cidx's cache against the plan's design (the baseline,
 * bench/lib/baseline_plan.c) on the same synthetic projects, same SQLite, same run.
 *
 *   bench_store [--quick] [--sizes 10000,100000] [--reps N] [--queries N] [--out FILE.md]
 *
 * For each size it measures, with medians and p95 over repeated runs: bulk and per-file write
 * throughput, cold start (a new process that opens the cache and answers one exact search),
 * search latency per mode over realistic queries drawn from the cache, disk bytes per symbol by
 * table group (dbstat), peak RSS of a process serving 10,000 mixed queries, and re-indexing one
 * file. It prints Markdown tables to stdout (and to --out), progress to stderr.
 *
 * Measured children are started by a small helper process forked before the benchmark grows:
 * on Linux an exec'd child's ru_maxrss starts from the high-water mark of the process that
 * forked it, so children of the (large) benchmark process would report its memory, not theirs.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "baseline_plan.h"
#include "synth.h"

#define MAX_SIZES 8
#define SPAWN_ARGS 6
#define SPAWN_ARG_LEN 560
#define SPAWN_OUT 512

/* The plan's Python numbers measured on this machine at 100K symbols (reference column). */
#define PY_BULK_SPS 2250.0
#define PY_COLD_MS 1837.0
#define PY_EXACT_MS 16.0
#define PY_PREFIX_MS 30.0
#define PY_LIKE_MS 16.0
#define PY_RSS_MB 185.0
#define PY_BYTES_SYM 312.0

struct opts {
    uint64_t sizes[MAX_SIZES];
    unsigned nsizes;
    unsigned reps;    /* 0: 5 up to 100K, 3 above */
    unsigned queries; /* per mode */
    unsigned cold_runs;
    unsigned replaces;
    unsigned rss_queries;
    unsigned perfile_max; /* per-file writes only up to this size */
    double mode_budget_s; /* a slow mode stops after this long (at least min_queries done) */
    unsigned min_queries;
    uint64_t seed;
    bool baseline;
    bool keep;
    const char *out;
    const char *tmp;
};

/* ---- report output ------------------------------------------------------------------------- */

static struct strbuf report = STRBUF_INIT;

static void emit(const char *fmt, ...) PRINTF_LIKE(1, 2);
static void emit(const char *fmt, ...)
{
    va_list ap;
    size_t at = report.len;
    va_start(ap, fmt);
    strbuf_vaddf(&report, fmt, ap);
    va_end(ap);
    fputs(report.buf + at, stdout);
    fflush(stdout);
}

static void progress(const char *fmt, ...) PRINTF_LIKE(1, 2);
static void progress(const char *fmt, ...)
{
    va_list ap;
    fputs("bench_store: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* "1,234,567" */
static const char *grouped(char out[32], double v)
{
    char tmp[32];
    long long x = llround(v);
    int n = snprintf(tmp, sizeof(tmp), "%lld", x < 0 ? -x : x), k = 0;
    if (x < 0)
        out[k++] = '-';
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = tmp[i];
    }
    out[k] = '\0';
    return out;
}

/* ---- statistics ---------------------------------------------------------------------------- */

struct stat3 {
    double med, p95, max;
    size_t n;
};

static int dcmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median, p95 (nearest rank) and max of v[0..n); sorts v. */
static struct stat3 stat_of(double *v, size_t n)
{
    struct stat3 s = {0, 0, 0, n};
    if (!n)
        return s;
    qsort(v, n, sizeof(*v), dcmp);
    s.med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    s.p95 = v[(size_t)ceil(0.95 * (double)n) - 1];
    s.max = v[n - 1];
    return s;
}

/* ---- files ---------------------------------------------------------------------------------- */

static int rm_entry(const char *name, void *payload)
{
    char *p = path_join(payload, name);
    struct stat sb;
    if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fs_list_dir(p, rm_entry, p, NULL);
        rmdir(p);
    } else {
        unlink(p);
    }
    free(p);
    return 0;
}

static void rmtree(const char *dir)
{
    fs_list_dir(dir, rm_entry, (void *)(uintptr_t)dir, NULL);
    rmdir(dir);
}

static void evict_from_page_cache(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return;
    fdatasync(fd);
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    close(fd);
}

/*
 * Reads a file through, so that a measurement starts with it in the page cache. Some virtual
 * machines (Firecracker guests) give file pages back to the host within a minute: without
 * this, a phase that starts minutes after the cache was written measures partly cold reads.
 */
static void warm_file(const char *path)
{
    char buf[1 << 16];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return;
    posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED);
    while (read(fd, buf, sizeof(buf)) > 0)
        ;
    close(fd);
}

/* ---- the spawn helper ---------------------------------------------------------------------- */

struct spawn_req {
    int argc;
    char argv[SPAWN_ARGS][SPAWN_ARG_LEN];
};

struct spawn_resp {
    uint64_t t_start_ns, t_exit_ns;
    long maxrss_kb;
    int status;
    char out[SPAWN_OUT];
};

static int helper_cmd = -1, helper_resp = -1;
static pid_t helper_pid = -1;

static int read_full(int fd, void *buf, size_t n)
{
    char *p = buf;
    while (n) {
        ssize_t k = read(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static int write_full(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Runs in the helper: fork+exec one child, collect its stdout, rusage and times. */
static void helper_run(const struct spawn_req *rq, struct spawn_resp *rs)
{
    char *argv[SPAWN_ARGS + 1];
    int p[2];
    pid_t pid;
    struct rusage ru;
    size_t got = 0;

    memset(rs, 0, sizeof(*rs));
    rs->status = -1;
    for (int i = 0; i < rq->argc; i++)
        argv[i] = (char *)(uintptr_t)rq->argv[i];
    argv[rq->argc] = NULL;
    if (pipe(p) != 0)
        return;
    rs->t_start_ns = time_mono_ns();
    pid = fork();
    if (pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    close(p[1]);
    if (pid < 0) {
        close(p[0]);
        return;
    }
    for (;;) {
        char tmp[256];
        ssize_t k = read(p[0], tmp, sizeof(tmp));
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        for (ssize_t i = 0; i < k && got + 1 < sizeof(rs->out); i++)
            rs->out[got++] = tmp[i];
    }
    close(p[0]);
    while (wait4(pid, &rs->status, 0, &ru) < 0 && errno == EINTR)
        ;
    rs->t_exit_ns = time_mono_ns();
    rs->maxrss_kb = ru.ru_maxrss;
}

static void helper_start(void)
{
    int cmd[2], resp[2];
    if (pipe(cmd) != 0 || pipe(resp) != 0) {
        perror("bench_store: pipe");
        exit(1);
    }
    fflush(NULL);
    helper_pid = fork();
    if (helper_pid < 0) {
        perror("bench_store: fork");
        exit(1);
    }
    if (helper_pid == 0) {
        struct spawn_req rq;
        struct spawn_resp rs;
        close(cmd[1]);
        close(resp[0]);
        while (read_full(cmd[0], &rq, sizeof(rq)) == 0) {
            helper_run(&rq, &rs);
            if (write_full(resp[1], &rs, sizeof(rs)) != 0)
                break;
        }
        _exit(0);
    }
    close(cmd[0]);
    close(resp[1]);
    helper_cmd = cmd[1];
    helper_resp = resp[0];
}

static void helper_stop(void)
{
    if (helper_cmd >= 0)
        close(helper_cmd);
    if (helper_resp >= 0)
        close(helper_resp);
    if (helper_pid > 0)
        waitpid(helper_pid, NULL, 0);
    helper_cmd = helper_resp = -1;
    helper_pid = -1;
}

/* Runs "bench_store a0 a1 ..." through the helper. Returns 0 when it exited with status 0. */
static int spawn(struct spawn_resp *rs, int argc, ...)
{
    struct spawn_req rq;
    va_list ap;
    memset(&rq, 0, sizeof(rq));
    rq.argc = argc + 1;
    snprintf(rq.argv[0], SPAWN_ARG_LEN, "bench_store");
    va_start(ap, argc);
    for (int i = 0; i < argc && i + 1 < SPAWN_ARGS; i++)
        snprintf(rq.argv[i + 1], SPAWN_ARG_LEN, "%s", va_arg(ap, const char *));
    va_end(ap);
    if (write_full(helper_cmd, &rq, sizeof(rq)) != 0 ||
        read_full(helper_resp, rs, sizeof(*rs)) != 0) {
        progress("the spawn helper died");
        exit(1);
    }
    return WIFEXITED(rs->status) && WEXITSTATUS(rs->status) == 0 ? 0 : -1;
}

/* ---- queries ------------------------------------------------------------------------------- */

struct sample {
    char *name, *scope;
};

struct qlist {
    char **p;
    size_t n, alloc;
};

struct qset {
    struct qlist mode[STORE_MATCH_COUNT_];
    struct qlist cold; /* exact names for cold starts */
};

static void qadd(struct qlist *l, const char *s)
{
    ALLOC_GROW(l->p, l->n + 1, l->alloc);
    l->p[l->n++] = xstrdup(s);
}

static void qset_free(struct qset *qs)
{
    for (int m = 0; m < STORE_MATCH_COUNT_; m++) {
        for (size_t i = 0; i < qs->mode[m].n; i++)
            free(qs->mode[m].p[i]);
        free(qs->mode[m].p);
    }
    for (size_t i = 0; i < qs->cold.n; i++)
        free(qs->cold.p[i]);
    free(qs->cold.p);
    memset(qs, 0, sizeof(*qs));
}

static uint64_t rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static size_t rbelow(uint64_t *s, size_t n)
{
    return n ? (size_t)(rnd(s) % n) : 0;
}

static bool is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}
static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}
static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Sub-words of an identifier (camelCase, PascalCase with acronyms, snake_case, digits). */
static size_t split_words(const char *s, const char *start[16], size_t len[16])
{
    size_t n = 0, i = 0, l = strlen(s);
    while (i < l && n < 16) {
        size_t b;
        if (!is_lower(s[i]) && !is_upper(s[i]) && !is_digit(s[i])) {
            i++;
            continue;
        }
        b = i;
        if (is_digit(s[i])) {
            while (i < l && is_digit(s[i]))
                i++;
        } else if (is_upper(s[i])) {
            size_t j = i;
            while (j < l && is_upper(s[j]))
                j++;
            if (j - i == 1)
                for (i = j; i < l && is_lower(s[i]); i++)
                    ;
            else if (j < l && is_lower(s[j]))
                i = j - 1;
            else
                i = j;
        } else {
            while (i < l && is_lower(s[i]))
                i++;
        }
        start[n] = s + b;
        len[n] = i - b;
        n++;
    }
    return n;
}

static void words_query(uint64_t *r, const char *name, struct strbuf *sb)
{
    const char *ws[16];
    size_t wl[16], n = split_words(name, ws, wl), i, k;
    unsigned form = (unsigned)rbelow(r, 10);
    strbuf_reset(sb);
    if (n == 0) {
        strbuf_adds(sb, name);
        return;
    }
    i = rbelow(r, n);
    k = (n - i >= 2 && form < 7) ? 2 : 1;
    if (k == 2 && form < 4) {
        /* "push back", "http server" */
        for (size_t j = 0; j < k; j++) {
            if (j)
                strbuf_addch(sb, ' ');
            for (size_t c = 0; c < wl[i + j]; c++)
                strbuf_addch(sb, (char)ascii_lower((unsigned char)ws[i + j][c]));
        }
    } else if (k == 2) {
        /* "pushB", "httpServ": the first word, the second's start capitalized */
        size_t cut = wl[i + 1] < 4 ? wl[i + 1] : 1 + rbelow(r, wl[i + 1]);
        for (size_t c = 0; c < wl[i]; c++)
            strbuf_addch(sb, (char)ascii_lower((unsigned char)ws[i][c]));
        for (size_t c = 0; c < cut; c++) {
            char ch = ws[i + 1][c];
            strbuf_addch(sb, c == 0 && is_lower(ch) ? (char)(ch - 32) : ch);
        }
    } else {
        /* one word: "Manager", "http" */
        strbuf_add(sb, ws[i], wl[i]);
    }
}

static void substring_query(uint64_t *r, const char *name, struct strbuf *sb)
{
    size_t l = strlen(name), k = 3 + rbelow(r, 6), at;
    strbuf_reset(sb);
    if (k > l)
        k = l;
    at = rbelow(r, l - k + 1);
    strbuf_add(sb, name + at, k);
}

static void regex_query(uint64_t *r, const struct sample *s, const struct sample *s2,
                        struct strbuf *sb)
{
    const char *ws[16], *ws2[16];
    size_t wl[16], wl2[16], n = split_words(s->name, ws, wl), n2 = split_words(s2->name, ws2, wl2);
    size_t l = strlen(s->name);
    unsigned form = (unsigned)rbelow(r, 4);
    strbuf_reset(sb);
    if (form == 0 && l >= 6) {
        size_t a = 3 + rbelow(r, 3), b = 2 + rbelow(r, 2);
        if (a + b > l)
            b = 1;
        strbuf_addf(sb, "^%.*s.*%s$", (int)a, s->name, s->name + l - b);
    } else if (form == 1 && n) {
        strbuf_addf(sb, "^%.*s[A-Z_]", (int)wl[0], ws[0]);
    } else if (form == 2 && n && n2) {
        strbuf_addf(sb, "(%.*s|%.*s).*%.*s", (int)wl[0], ws[0], (int)wl2[0], ws2[0], (int)wl[n - 1],
                    ws[n - 1]);
    } else if (n) {
        strbuf_addf(sb, "%.*s$", (int)wl[n - 1], ws[n - 1]);
    } else {
        strbuf_addf(sb, "^%s$", s->name);
    }
}

static bool qualified_query(const struct sample *s, struct strbuf *sb)
{
    const char *last;
    strbuf_reset(sb);
    if (!s->scope || !*s->scope || strchr(s->scope, '('))
        return false;
    last = s->scope;
    for (const char *p = s->scope; (p = strstr(p, "::")) != NULL; p += 2)
        last = p + 2;
    strbuf_addf(sb, "%s::%s", last, s->name);
    return true;
}

/* Names of project symbols from files spread over the project, and the queries made of them. */
static void qset_make(struct qset *qs, const struct synth_opts *so, unsigned per_mode,
                      unsigned cold, uint64_t seed)
{
    uint64_t nfiles = synth_file_count(so), r = seed ^ 0xC0FFEE;
    struct sample *pool = NULL;
    size_t npool = 0, apool = 0;
    uint64_t step = nfiles > 400 ? nfiles / 400 : 1;
    struct strbuf sb = STRBUF_INIT;

    memset(qs, 0, sizeof(*qs));
    for (uint64_t i = 0; i < nfiles; i += step) {
        struct synth_file f;
        if (!synth_file_is_dependency(so, i)) {
            synth_file_build(&f, so, i, 0);
            for (size_t k = 0; k < f.batch.nsymbols; k++) {
                const struct store_symbol *sym = &f.batch.symbols[k];
                ALLOC_GROW(pool, npool + 1, apool);
                pool[npool].name = xstrdup(sym->name);
                pool[npool].scope = sym->scope ? xstrdup(sym->scope) : NULL;
                npool++;
            }
            synth_file_release(&f);
        }
    }
    if (!npool)
        BUG("no project symbols to draw queries from");
    for (unsigned i = 0; i < per_mode; i++) {
        const struct sample *s = &pool[rbelow(&r, npool)];
        size_t l = strlen(s->name);
        qadd(&qs->mode[STORE_MATCH_EXACT], s->name);
        strbuf_reset(&sb);
        strbuf_add(&sb, s->name, l < 3 ? l : 3 + rbelow(&r, (l < 8 ? l : 8) - 2));
        qadd(&qs->mode[STORE_MATCH_PREFIX], sb.buf);
        words_query(&r, pool[rbelow(&r, npool)].name, &sb);
        qadd(&qs->mode[STORE_MATCH_WORDS], sb.buf);
        substring_query(&r, pool[rbelow(&r, npool)].name, &sb);
        qadd(&qs->mode[STORE_MATCH_SUBSTRING], sb.buf);
        for (unsigned t = 0; t < 20; t++)
            if (qualified_query(&pool[rbelow(&r, npool)], &sb))
                break;
        qadd(&qs->mode[STORE_MATCH_QUALIFIED], sb.buf);
        regex_query(&r, &pool[rbelow(&r, npool)], &pool[rbelow(&r, npool)], &sb);
        qadd(&qs->mode[STORE_MATCH_REGEX], sb.buf);
        /* auto: what people type - names, starts of names, sub-words, fragments */
        {
            const struct sample *a = &pool[rbelow(&r, npool)];
            unsigned k = (unsigned)rbelow(&r, 10);
            if (k < 4)
                strbuf_reset(&sb), strbuf_adds(&sb, a->name);
            else if (k < 6)
                words_query(&r, a->name, &sb);
            else
                substring_query(&r, a->name, &sb);
            qadd(&qs->mode[STORE_MATCH_AUTO], sb.buf);
        }
    }
    for (unsigned i = 0; i < cold; i++)
        qadd(&qs->cold, pool[rbelow(&r, npool)].name);
    for (size_t i = 0; i < npool; i++) {
        free(pool[i].name);
        free(pool[i].scope);
    }
    free(pool);
    strbuf_release(&sb);
}

/* The mixed workload of the RSS child: mode weights of an agent's day. */
static int mixed_mode(uint64_t *r)
{
    unsigned p = (unsigned)rbelow(r, 100);
    return p < 30   ? STORE_MATCH_AUTO
           : p < 50 ? STORE_MATCH_EXACT
           : p < 65 ? STORE_MATCH_PREFIX
           : p < 80 ? STORE_MATCH_WORDS
           : p < 90 ? STORE_MATCH_SUBSTRING
           : p < 98 ? STORE_MATCH_QUALIFIED
                    : STORE_MATCH_REGEX;
}

static int write_mixed_queries(const char *path, const struct qset *qs, unsigned n, uint64_t seed,
                               struct err *err)
{
    struct strbuf sb = STRBUF_INIT;
    uint64_t r = seed ^ 0x313;
    int rc;
    for (unsigned i = 0; i < n; i++) {
        int m = mixed_mode(&r);
        const struct qlist *l = &qs->mode[m];
        strbuf_addf(&sb, "%d\t%s\n", m, l->p[rbelow(&r, l->n)]);
    }
    rc = fs_write_file_atomic(path, sb.buf, sb.len, err);
    strbuf_release(&sb);
    return rc;
}

/* ---- children (hidden subcommands) --------------------------------------------------------- */

static int child_cold(const char *dir, const char *pattern, bool baseline)
{
    struct err e = {0};
    size_t n = 0;
    int rc;
    if (baseline) {
        struct bp_db *db = NULL;
        rc = bp_open(&db, dir, false, &e);
        if (!rc)
            rc = bp_search(db, STORE_MATCH_EXACT, pattern, &n, &e);
        if (!rc)
            printf("%llu %zu\n", (unsigned long long)time_mono_ns(), n);
        bp_close(db);
    } else {
        struct store *st = NULL;
        struct store_search_query q;
        struct store_search_result res;
        memset(&q, 0, sizeof(q));
        q.pattern = pattern;
        q.match = STORE_MATCH_EXACT;
        rc = store_open(&st, dir, STORE_OPEN_EXISTING, &e);
        if (!rc)
            rc = store_search(st, &q, &res, &e);
        if (!rc) {
            printf("%llu %zu\n", (unsigned long long)time_mono_ns(), res.n);
            store_search_result_release(&res);
        }
        store_close(st);
    }
    if (rc)
        fprintf(stderr, "bench_store: cold child: %s\n", e.msg);
    return rc ? 1 : 0;
}

static long status_kb(const char *key)
{
    char *buf = NULL, *p;
    size_t len = 0;
    long v = -1;
    if (fs_read_file(&buf, &len, "/proc/self/status", 1 << 20, NULL) != 0)
        return -1;
    p = strstr(buf, key);
    if (p)
        v = strtol(p + strlen(key), NULL, 10);
    free(buf);
    return v;
}

static int child_serve(const char *dir, const char *qfile, bool baseline)
{
    char *text = NULL, *line, *save = NULL;
    size_t len = 0, done = 0, rows = 0;
    struct err e = {0};
    struct store *st = NULL;
    struct bp_db *db = NULL;
    int rc;

    rc = fs_read_file(&text, &len, qfile, 64u << 20, &e);
    if (!rc)
        rc =
            baseline ? bp_open(&db, dir, false, &e) : store_open(&st, dir, STORE_OPEN_EXISTING, &e);
    for (line = rc ? NULL : strtok_r(text, "\n", &save); line && !rc;
         line = strtok_r(NULL, "\n", &save)) {
        char *tab = strchr(line, '\t');
        int mode;
        if (!tab)
            continue;
        *tab = '\0';
        mode = (int)strtol(line, NULL, 10);
        if (baseline) {
            size_t n = 0;
            rc = bp_search(db, (enum store_match)mode, tab + 1, &n, &e);
            rows += n;
        } else {
            struct store_search_query q;
            struct store_search_result res;
            memset(&q, 0, sizeof(q));
            q.pattern = tab + 1;
            q.match = (enum store_match)mode;
            rc = store_search(st, &q, &res, &e);
            if (rc == ERR_LIMIT)
                rc = 0;
            else if (!rc)
                rows += res.n, store_search_result_release(&res);
        }
        done++;
    }
    if (!rc)
        printf("%ld %ld %zu %zu\n", status_kb("VmHWM:"), status_kb("VmRSS:"), done, rows);
    else
        fprintf(stderr, "bench_store: serve child: %s\n", e.msg);
    store_close(st);
    bp_close(db);
    free(text);
    return rc ? 1 : 0;
}

/* ---- machine facts ------------------------------------------------------------------------- */

static void machine_facts(const struct opts *o)
{
    char *cpu = NULL, *mem = NULL, when[32];
    size_t len = 0;
    char model[256] = "unknown";
    long long memkb = 0;
    struct utsname un;

    if (fs_read_file(&cpu, &len, "/proc/cpuinfo", 4u << 20, NULL) == 0) {
        char *p = strstr(cpu, "model name");
        if (p && (p = strchr(p, ':')) != NULL) {
            size_t k = 0;
            for (p += 2; *p && *p != '\n' && k + 1 < sizeof(model); p++)
                model[k++] = *p;
            model[k] = '\0';
        }
    }
    if (fs_read_file(&mem, &len, "/proc/meminfo", 1u << 20, NULL) == 0) {
        char *p = strstr(mem, "MemTotal:");
        if (p)
            memkb = strtoll(p + 9, NULL, 10);
    }
    time_format_utc(when, time_now());
    if (uname(&un) != 0)
        memset(&un, 0, sizeof(un));
    emit("# cidx store benchmark\n\n");
    emit("| | |\n|---|---|\n");
    emit("| date | %s UTC |\n", when);
    emit("| CPU | %s |\n", model);
    emit("| cores | %ld online |\n", sysconf(_SC_NPROCESSORS_ONLN));
    emit("| RAM | %.1f GiB |\n", (double)memkb / (1024.0 * 1024.0));
    emit("| kernel | %s %s |\n", un.sysname, un.release);
    emit("| SQLite | %s (system library) |\n", sqlite3_libversion());
    emit("| compiler | %s, %s |\n",
#if defined(__clang__)
         "clang " __clang_version__,
#elif defined(__GNUC__)
         "gcc " __VERSION__,
#else
         "unknown",
#endif
#ifdef NDEBUG
         "optimized (NDEBUG)"
#else
         "NOT a release build: numbers are not representative"
#endif
    );
    {
        char rev[64] = "unknown";
        FILE *p = popen("git describe --always --dirty 2>/dev/null", "r");
        if (p) {
            if (fgets(rev, sizeof(rev), p))
                rev[strcspn(rev, "\n")] = '\0';
            pclose(p);
        }
        emit("| cidx revision | %s (git describe of the working directory at run time; this "
             "binary was built %s %s) |\n",
             rev, __DATE__, __TIME__);
    }
    emit("| cache directory | %s (%s) |\n", o->tmp, fs_kind_name(fs_detect_kind(o->tmp)));
    emit("| data | bench/lib/synth.c, seed %llu, %u symbols per file, 10%% dependency files |\n",
         (unsigned long long)o->seed, SYNTH_DEFAULT_PER_FILE);
    emit("| method | medians and p95 (nearest rank) over repeated runs; %u queries per mode; "
         "%u cold starts; %u file replaces; database files read through (page cache warm) before "
         "each phase and search mode, except the evicted cold starts |\n",
         o->queries, o->cold_runs, o->replaces);
    emit("| baseline | the plan's design (spec/sqlite-cache-plan.md) in C on the same SQLite: "
         "bench/lib/baseline_plan.c |\n\n");
    free(cpu);
    free(mem);
}

/* ---- per-size measurements ----------------------------------------------------------------- */

struct side {
    struct stat3 bulk_s, perfile_s; /* seconds per load */
    struct stat3 cold_ms, cold_evict_ms, cold_exit_ms;
    struct stat3 search_us[STORE_MATCH_COUNT_];
    struct stat3 replace_ms;
    double group_bytes[4]; /* symbols, refs, files+includes, other */
    char btree_name[48][40];
    double btree_bytes[48];
    int nbtree;
    double db_bytes;
    long rss_kb, hwm_kb;
    size_t served, errors[STORE_MATCH_COUNT_], empty[STORE_MATCH_COUNT_];
    bool have_perfile, have_search, have_disk, have_rss, have_replace;
};

struct sizeres {
    uint64_t symbols, files, decls, refs, calls, bases, overrides, includes, rows_baseline;
    struct side c, b; /* cidx, baseline */
};

static char *size_dir(const struct opts *o, const char *tag, uint64_t symbols, unsigned rep)
{
    return xasprintf("%s/%s-%llu-%u", o->tmp, tag, (unsigned long long)symbols, rep);
}

static int measure_writes(const struct opts *o, const struct synth_opts *so, unsigned reps,
                          struct sizeres *sr, char **keep_dir, struct err *err)
{
    double *t = xcalloc(reps, sizeof(*t));
    int rc = 0;

    for (unsigned i = 0; i < reps && !rc; i++) {
        char *dir = size_dir(o, "cidx", so->symbols, i);
        struct store *st = NULL;
        struct synth_report rep;
        rmtree(dir);
        rc = store_open(&st, dir, 0, err);
        if (!rc)
            rc = synth_generate(st, so, &rep, err);
        store_close(st);
        if (rc) {
            free(dir);
            break;
        }
        t[i] = rep.write_s;
        sr->files = rep.files;
        sr->decls = rep.decls;
        sr->refs = rep.refs;
        sr->calls = rep.calls;
        sr->bases = rep.bases;
        sr->overrides = rep.overrides;
        sr->includes = rep.includes;
        progress("  cidx bulk write %u/%u: %.2f s (%.0f symbols/s)", i + 1, reps, rep.write_s,
                 (double)so->symbols / rep.write_s);
        if (i + 1 == reps) {
            *keep_dir = dir;
        } else {
            rmtree(dir);
            free(dir);
        }
    }
    sr->c.bulk_s = stat_of(t, rc ? 0 : reps);
    if (!rc && so->symbols <= o->perfile_max) {
        struct synth_opts pf = *so;
        pf.bulk = false;
        for (unsigned i = 0; i < reps && !rc; i++) {
            char *dir = size_dir(o, "cidx-pf", so->symbols, i);
            struct store *st = NULL;
            struct synth_report rep;
            rmtree(dir);
            rc = store_open(&st, dir, 0, err);
            if (!rc)
                rc = synth_generate(st, &pf, &rep, err);
            store_close(st);
            rmtree(dir);
            free(dir);
            t[i] = rep.write_s;
            progress("  cidx per-file write %u/%u: %.2f s", i + 1, reps, rep.write_s);
        }
        sr->c.perfile_s = stat_of(t, rc ? 0 : reps);
        sr->c.have_perfile = !rc;
    }
    free(t);
    return rc;
}

static int measure_baseline_writes(const struct opts *o, const struct synth_opts *so, unsigned reps,
                                   const struct bp_project *cb, struct sizeres *sr,
                                   char **keep_path, struct err *err)
{
    double *t = xcalloc(reps, sizeof(*t));
    int rc = 0;

    for (int per_file = 0; per_file < 2 && !rc; per_file++) {
        if (per_file && so->symbols > o->perfile_max)
            break;
        for (unsigned i = 0; i < reps && !rc; i++) {
            char *dir = size_dir(o, per_file ? "plan-pf" : "plan", so->symbols, i);
            char *path = path_join(dir, "plan.db");
            struct bp_db *db = NULL;
            uint64_t rows = 0;
            rmtree(dir);
            rc = fs_mkdir_p(dir, err);
            if (!rc)
                rc = bp_open(&db, path, true, err);
            if (!rc)
                rc = bp_load(db, so, cb, per_file, &t[i], &rows, err);
            if (!rc && !per_file) {
                /* the plan's maintenance, untimed: queries get the planner's good plans */
                rc = bp_analyze(db, err);
                sr->rows_baseline = rows;
            }
            bp_close(db);
            progress("  baseline %s write %u/%u: %.2f s", per_file ? "per-file" : "bulk", i + 1,
                     reps, t[i]);
            if (!per_file && i + 1 == reps && !rc) {
                *keep_path = path;
                path = NULL;
            } else {
                rmtree(dir);
            }
            free(path);
            free(dir);
        }
        if (!per_file)
            sr->b.bulk_s = stat_of(t, rc ? 0 : reps);
        else {
            sr->b.perfile_s = stat_of(t, rc ? 0 : reps);
            sr->b.have_perfile = !rc;
        }
    }
    free(t);
    return rc;
}

/* Bytes per table group from dbstat, after a checkpoint. cidx: true for cidx's table names. */
static int measure_disk(const char *db_path, bool cidx, struct side *sd, struct err *err)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db,
                                "SELECT d.name, coalesce(m.tbl_name, d.name), sum(d.pgsize)"
                                " FROM dbstat d LEFT JOIN sqlite_schema m ON m.name = d.name"
                                " GROUP BY d.name",
                                -1, &s, NULL);
    if (rc != SQLITE_OK) {
        rc = err_set(err, ERR_DB, "dbstat on '%s': %s", db_path, sqlite3_errmsg(db));
        sqlite3_finalize(s);
        sqlite3_close(db);
        return rc;
    }
    memset(sd->group_bytes, 0, sizeof(sd->group_bytes));
    sd->nbtree = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *tbl = (const char *)sqlite3_column_text(s, 1);
        double bytes = (double)sqlite3_column_int64(s, 2);
        int g = 3;
        if (cidx) {
            if (!strcmp(tbl, "symbols") || str_starts_with(tbl, "symbols_fts") ||
                !strcmp(tbl, "bases") || !strcmp(tbl, "overrides") || !strcmp(tbl, "decls") ||
                !strcmp(tbl, "scopes"))
                g = 0;
            else if (!strcmp(tbl, "refs"))
                g = 1;
            else if (!strcmp(tbl, "files") || !strcmp(tbl, "includes"))
                g = 2;
        } else {
            if (!strcmp(tbl, "symbols") || str_starts_with(tbl, "symbols_fts"))
                g = 0;
            else if (!strcmp(tbl, "file_metadata"))
                g = 2;
        }
        sd->group_bytes[g] += bytes;
        if (sd->nbtree < 48) {
            snprintf(sd->btree_name[sd->nbtree], sizeof(sd->btree_name[0]), "%s",
                     (const char *)sqlite3_column_text(s, 0));
            sd->btree_bytes[sd->nbtree++] = bytes;
        }
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    sd->db_bytes = (double)fs_file_size(db_path);
    sd->have_disk = true;
    return 0;
}

static void run_queries(struct store *st, struct bp_db *db, const char *db_path,
                        const struct qset *qs, const struct opts *o, struct side *sd)
{
    for (int m = 0; m < STORE_MATCH_COUNT_; m++) {
        const struct qlist *l = &qs->mode[m];
        double *us = xcalloc(l->n ? l->n : 1, sizeof(*us));
        uint64_t t_mode;
        size_t n = 0;
        warm_file(db_path);
        t_mode = time_mono_ns();
        /* warm-up: statements prepared, first pages read */
        for (size_t i = 0; i < l->n && i < 10; i++) {
            struct err e;
            size_t rows;
            if (db) {
                bp_search(db, (enum store_match)m, l->p[i], &rows, &e);
            } else {
                struct store_search_query q;
                struct store_search_result res;
                memset(&q, 0, sizeof(q));
                q.pattern = l->p[i];
                q.match = (enum store_match)m;
                if (store_search(st, &q, &res, &e) == 0)
                    store_search_result_release(&res);
            }
        }
        for (size_t i = 0; i < l->n; i++) {
            struct err e = {0};
            uint64_t t0 = time_mono_ns();
            size_t rows = 0;
            int rc;
            if (db) {
                rc = bp_search(db, (enum store_match)m, l->p[i], &rows, &e);
            } else {
                struct store_search_query q;
                struct store_search_result res;
                memset(&q, 0, sizeof(q));
                q.pattern = l->p[i];
                q.match = (enum store_match)m;
                rc = store_search(st, &q, &res, &e);
                if (!rc) {
                    volatile size_t touch = 0;
                    for (size_t k = 0; k < res.n; k++)
                        touch += strlen(res.rows[k].qualified_name);
                    rows = res.n;
                    store_search_result_release(&res);
                }
            }
            us[n++] = (double)(time_mono_ns() - t0) / 1e3;
            if (rc)
                sd->errors[m]++;
            else if (!rows)
                sd->empty[m]++;
            if (n >= o->min_queries && (double)(time_mono_ns() - t_mode) / 1e9 > o->mode_budget_s)
                break;
        }
        sd->search_us[m] = stat_of(us, n);
        free(us);
    }
    sd->have_search = true;
}

static int measure_search(const char *cache_dir, const char *plan_path, const struct qset *qs,
                          const struct opts *o, struct sizeres *sr, struct err *err)
{
    struct store *st = NULL;
    int rc = store_open(&st, cache_dir, STORE_OPEN_EXISTING, err);
    if (rc)
        return rc;
    progress("  cidx search latency");
    {
        char *db = path_join(cache_dir, STORE_DB_NAME);
        run_queries(st, NULL, db, qs, o, &sr->c);
        free(db);
    }
    store_close(st);
    if (plan_path) {
        struct bp_db *db = NULL;
        rc = bp_open(&db, plan_path, false, err);
        if (rc)
            return rc;
        progress("  baseline search latency");
        run_queries(NULL, db, plan_path, qs, o, &sr->b);
        bp_close(db);
    }
    return 0;
}

static void measure_cold(const char *target, bool baseline, bool evict, const struct qset *qs,
                         const struct opts *o, struct side *sd)
{
    double *ms = xcalloc(o->cold_runs, sizeof(*ms)), *ex = xcalloc(o->cold_runs, sizeof(*ex));
    size_t n = 0;
    char *db = baseline ? xstrdup(target) : path_join(target, STORE_DB_NAME);
    char *wal = xasprintf("%s-wal", db);
    for (unsigned i = 0; i < o->cold_runs; i++) {
        struct spawn_resp rs;
        unsigned long long t_answer = 0;
        if (evict) {
            evict_from_page_cache(db);
            evict_from_page_cache(wal);
        } else if (i % 5 == 0) {
            warm_file(db);
        }
        if (spawn(&rs, 3, baseline ? "--child-cold-baseline" : "--child-cold", target,
                  qs->cold.p[i % qs->cold.n]) != 0 ||
            sscanf(rs.out, "%llu", &t_answer) != 1) {
            progress("  cold start child failed: %s", rs.out);
            continue;
        }
        ms[n] = (double)(t_answer - rs.t_start_ns) / 1e6;
        ex[n] = (double)(rs.t_exit_ns - rs.t_start_ns) / 1e6;
        n++;
    }
    if (evict) {
        sd->cold_evict_ms = stat_of(ms, n);
    } else {
        sd->cold_ms = stat_of(ms, n);
        sd->cold_exit_ms = stat_of(ex, n);
    }
    free(db);
    free(wal);
    free(ms);
    free(ex);
}

static void measure_rss(const char *target, bool baseline, const char *qfile, struct side *sd)
{
    struct spawn_resp rs;
    long hwm = -1, rss = -1;
    size_t done = 0;
    char *db = baseline ? xstrdup(target) : path_join(target, STORE_DB_NAME);
    warm_file(db);
    free(db);
    if (spawn(&rs, 3, baseline ? "--child-serve-baseline" : "--child-serve", target, qfile) != 0 ||
        sscanf(rs.out, "%ld %ld %zu", &hwm, &rss, &done) != 3) {
        progress("  serve child failed (status %d): %s", rs.status, rs.out);
        return;
    }
    sd->hwm_kb = hwm;
    sd->rss_kb = rs.maxrss_kb;
    sd->served = done;
    sd->have_rss = true;
}

/* Project files spread over the project, for the replace measurement. */
static uint64_t replace_file_index(const struct synth_opts *so, unsigned i, unsigned n)
{
    uint64_t nf = synth_file_count(so), f = (uint64_t)i * nf / n;
    for (uint64_t k = 0; k < nf; k++) {
        uint64_t g = (f + k) % nf;
        if (!synth_file_is_dependency(so, g))
            return g;
    }
    return f;
}

static int measure_replace(const char *cache_dir, const char *plan_path,
                           const struct synth_opts *so, const struct bp_project *cb,
                           const struct opts *o, struct sizeres *sr, struct err *err)
{
    double *ms = xcalloc(o->replaces, sizeof(*ms));
    struct store *st = NULL;
    struct bp_db *db = NULL;
    int rc;
    size_t n = 0;

    {
        char *db_path = path_join(cache_dir, STORE_DB_NAME);
        warm_file(db_path);
        free(db_path);
    }
    rc = store_open(&st, cache_dir, STORE_OPEN_EXISTING, err);
    for (unsigned i = 0; i < o->replaces && !rc; i++) {
        struct synth_file f;
        uint64_t t0;
        synth_file_build(&f, so, replace_file_index(so, i, o->replaces), 1);
        t0 = time_mono_ns();
        rc = store_file_replace(st, &f.batch, err);
        ms[n++] = (double)(time_mono_ns() - t0) / 1e6;
        synth_file_release(&f);
    }
    store_close(st);
    sr->c.replace_ms = stat_of(ms, n);
    sr->c.have_replace = !rc;
    if (!rc && plan_path) {
        n = 0;
        warm_file(plan_path);
        rc = bp_open(&db, plan_path, false, err);
        for (unsigned i = 0; i < o->replaces && !rc; i++) {
            struct synth_file f;
            uint64_t t0;
            synth_file_build(&f, so, replace_file_index(so, i, o->replaces), 1);
            t0 = time_mono_ns();
            rc = bp_file_replace(db, &f, cb, err);
            ms[n++] = (double)(time_mono_ns() - t0) / 1e6;
            synth_file_release(&f);
        }
        bp_close(db);
        sr->b.replace_ms = stat_of(ms, n);
        sr->b.have_replace = !rc;
    }
    free(ms);
    return rc;
}

/* ---- the report ------------------------------------------------------------------------------ */

enum better { LOWER, HIGHER };

/* Formats one value: symbols/s from seconds, or as is. */
static const char *fmt_v(char out[32], double v, int decimals)
{
    if (decimals < 0)
        return grouped(out, v);
    snprintf(out, 32, "%.*f", decimals, v);
    return out;
}

static void row(const char *metric, double cm, double cp, double bm, double bp, int dec,
                enum better better, const char *python, const char *target, const char *verdict)
{
    char a[32], b[32], c[32], d[32], ratio[48] = "";
    if (bm > 0 && cm > 0) {
        double r = better == LOWER ? bm / cm : cm / bm;
        snprintf(ratio, sizeof(ratio), "%s%.1fx %s", r >= 100 ? "" : "", r,
                 r >= 1 ? "better" : "worse");
    }
    emit("| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", metric, fmt_v(a, cm, dec),
         cp >= 0 ? fmt_v(b, cp, dec) : "", bm > 0 ? fmt_v(c, bm, dec) : "-",
         bm > 0 && bp >= 0 ? fmt_v(d, bp, dec) : "", ratio, python ? python : "",
         target ? target : "", verdict ? verdict : "");
}

static const char *verdict(bool applies, bool pass)
{
    return !applies ? "" : pass ? "PASS" : "**MISS**";
}

struct targets {
    bool at100k, at500k;
};

static void report_size(const struct sizeres *sr, const struct opts *o, uint64_t symbols)
{
    char a[32], b[32], c[32], tgt[64];
    const struct side *C = &sr->c, *B = &sr->b;
    bool t100 = symbols == 100000, t500 = symbols == 500000, tgt_on = t100 || t500;
    double S = (double)symbols, k = t500 ? 2.0 : 1.0;
    static const enum store_match order[] = {
        STORE_MATCH_EXACT,     STORE_MATCH_PREFIX, STORE_MATCH_WORDS, STORE_MATCH_SUBSTRING,
        STORE_MATCH_QUALIFIED, STORE_MATCH_REGEX,  STORE_MATCH_AUTO};

    emit("## %s symbols\n\n", grouped(a, S));
    emit("%s files, %s declarations, %s references (%s calls), ", grouped(a, (double)sr->files),
         grouped(b, (double)sr->decls), grouped(c, (double)sr->refs),
         grouped(tgt, (double)sr->calls));
    emit("%s bases, %s overrides, %s includes; the baseline holds %s rows.\n\n",
         grouped(a, (double)sr->bases), grouped(b, (double)sr->overrides),
         grouped(c, (double)sr->includes), grouped(tgt, (double)sr->rows_baseline));
    emit("| metric | cidx median | cidx p95 | baseline median | baseline p95 | cidx vs baseline "
         "| plan's Python | target | |\n");
    emit("|---|--:|--:|--:|--:|--:|--:|--:|---|\n");

    /* throughput: median time gives median rate; the p95 column is the rate at p95 time */
    row("bulk write, symbols/s (FTS and indexes built)", S / C->bulk_s.med, S / C->bulk_s.p95,
        B->bulk_s.n ? S / B->bulk_s.med : 0, B->bulk_s.n ? S / B->bulk_s.p95 : 0, -1, HIGHER,
        t100 ? "2,250" : NULL, t100 ? ">= 300,000" : NULL,
        verdict(t100, S / C->bulk_s.med >= 300000));
    if (C->have_perfile)
        row("per-file write (1 transaction per file), symbols/s", S / C->perfile_s.med,
            S / C->perfile_s.p95, B->have_perfile ? S / B->perfile_s.med : 0,
            B->have_perfile ? S / B->perfile_s.p95 : 0, -1, HIGHER, NULL, NULL, NULL);
    snprintf(tgt, sizeof(tgt), "<= %s ms", t500 ? "15" : "10");
    row("cold start: new process, open, one exact search, ms", C->cold_ms.med, C->cold_ms.p95,
        B->cold_ms.med, B->cold_ms.p95, 2, LOWER, t100 ? "1,837" : NULL, tgt_on ? tgt : NULL,
        verdict(tgt_on, C->cold_ms.med <= (t500 ? 15 : 10)));
    row("cold start to process exit, ms", C->cold_exit_ms.med, C->cold_exit_ms.p95,
        B->cold_exit_ms.med, B->cold_exit_ms.p95, 2, LOWER, NULL, NULL, NULL);
    if (C->cold_evict_ms.n)
        row("cold start, database evicted from the page cache, ms", C->cold_evict_ms.med,
            C->cold_evict_ms.p95, B->cold_evict_ms.med, B->cold_evict_ms.p95, 2, LOWER, NULL, NULL,
            NULL);
    if (C->have_search) {
        for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
            enum store_match m = order[i];
            const struct stat3 *cs = &C->search_us[m], *bs = &B->search_us[m];
            char metric[160], verd[64] = "";
            const char *py = NULL, *t = NULL;
            char tbuf[64];
            bool fast = m == STORE_MATCH_EXACT || m == STORE_MATCH_PREFIX;
            bool mid = m == STORE_MATCH_WORDS || m == STORE_MATCH_SUBSTRING;
            snprintf(metric, sizeof(metric), "search %s, us (n=%zu, max %s%s)", store_match_name(m),
                     cs->n, grouped(a, cs->max), C->errors[m] ? ", errors" : "");
            if (t100)
                py = m == STORE_MATCH_EXACT    ? "16,000"
                     : m == STORE_MATCH_PREFIX ? "30,000"
                     : mid                     ? "16,000 (LIKE)"
                                               : NULL;
            if (tgt_on && fast) {
                snprintf(tbuf, sizeof(tbuf), "med <= %.0f, p95 <= %s", 200 * k,
                         grouped(b, 1000 * k));
                t = tbuf;
                snprintf(verd, sizeof(verd), "%s",
                         verdict(true, cs->med <= 200 * k && cs->p95 <= 1000 * k));
            } else if (tgt_on && mid) {
                snprintf(tbuf, sizeof(tbuf), "med <= %s", grouped(b, 2000 * k));
                t = tbuf;
                snprintf(verd, sizeof(verd), "%s", verdict(true, cs->med <= 2000 * k));
            }
            row(metric, cs->med, cs->p95, bs->n ? bs->med : 0, bs->n ? bs->p95 : 0, 1, LOWER, py, t,
                verd);
        }
    }
    if (C->have_disk) {
        double cs = C->group_bytes[0] / S, cr = C->group_bytes[1] / S,
               ct =
                   (C->group_bytes[0] + C->group_bytes[1] + C->group_bytes[2] + C->group_bytes[3]) /
                   S;
        double bsym = B->have_disk ? B->group_bytes[0] / S : 0,
               bt = B->have_disk ? (B->group_bytes[0] + B->group_bytes[1] + B->group_bytes[2] +
                                    B->group_bytes[3]) /
                                       S
                                 : 0;
        row("disk bytes/symbol: symbols + FTS + bases/overrides + decls + scopes", cs, -1, bsym, -1,
            0, LOWER, t100 ? "312 (all)" : NULL, t100 ? "<= 200" : NULL, verdict(t100, cs <= 200));
        row("disk bytes/symbol: references (refs and its indexes)", cr, -1, 0, -1, 0, LOWER, NULL,
            NULL, NULL);
        row("disk bytes/symbol: files + includes", C->group_bytes[2] / S, -1,
            B->have_disk ? B->group_bytes[2] / S : 0, -1, 0, LOWER, NULL, NULL, NULL);
        row("disk bytes/symbol: everything (dbstat total)", ct, -1, bt, -1, 0, LOWER,
            t100 ? "312" : NULL, NULL, NULL);
        row("database file after checkpoint, MB", C->db_bytes / 1e6, -1, B->db_bytes / 1e6, -1, 1,
            LOWER, NULL, NULL, NULL);
    }
    if (C->have_rss) {
        snprintf(tgt, sizeof(tgt), "%zu", C->served);
        row("peak RSS serving 10,000 mixed queries (ru_maxrss), MB", (double)C->rss_kb / 1024.0, -1,
            B->have_rss ? (double)B->rss_kb / 1024.0 : 0, -1, 1, LOWER, t100 ? "185" : NULL,
            t100 ? "<= 20" : NULL, verdict(t100, (double)C->rss_kb / 1024.0 <= 20));
        row("same, VmHWM read by the serving process, MB", (double)C->hwm_kb / 1024.0, -1,
            B->have_rss ? (double)B->hwm_kb / 1024.0 : 0, -1, 1, LOWER, NULL, NULL, NULL);
    }
    if (C->have_replace)
        row("replace one edited file (~50 symbols), ms", C->replace_ms.med, C->replace_ms.p95,
            B->have_replace ? B->replace_ms.med : 0, B->have_replace ? B->replace_ms.p95 : 0, 2,
            LOWER, NULL, t100 ? "<= 2" : NULL, verdict(t100, C->replace_ms.med <= 2));
    emit("\n");
    for (int side = 0; side < 2; side++) {
        const struct side *sd = side ? B : C;
        bool any = false;
        if (!sd->have_search)
            continue;
        for (int m = 0; m < STORE_MATCH_COUNT_; m++)
            any |= sd->empty[m] || sd->errors[m];
        if (!any)
            continue;
        emit("Queries with no result (%s):", side ? "baseline" : "cidx");
        for (int m = 0; m < STORE_MATCH_COUNT_; m++)
            if (sd->empty[m] || sd->errors[m])
                emit(" %s %zu%s", store_match_name((enum store_match)m), sd->empty[m],
                     sd->errors[m] ? " (+errors)" : "");
        emit(".\n");
    }
    if (C->have_disk) {
        emit("\n<details><summary>cidx bytes per symbol by b-tree (dbstat)</summary>\n\n");
        emit("| b-tree | bytes/symbol | MB |\n|---|--:|--:|\n");
        for (int i = 0; i < C->nbtree; i++)
            if (C->btree_bytes[i] / S >= 0.5)
                emit("| %s | %.1f | %.2f |\n", C->btree_name[i], C->btree_bytes[i] / S,
                     C->btree_bytes[i] / 1e6);
        emit("\n</details>\n");
    }
    emit("\n");
    (void)o;
}

/* ---- main ----------------------------------------------------------------------------------- */

static const char usage_text[] =
    "usage: bench_store [--quick] [--sizes N,N...] [--reps N] [--queries N] [--out FILE.md]\n"
    "                   [--cold-runs N] [--replaces N] [--rss-queries N] [--mode-budget S]\n"
    "                   [--tmp DIR] [--keep] [--no-baseline] [--seed S]\n"
    "\n"
    "  --quick         sizes 10000,50000 only\n"
    "  --sizes LIST    symbol counts (K and M suffixes accepted); default 10K,50K,100K,500K\n"
    "  --reps N        write runs per size (default 5, 3 above 100K)\n"
    "  --queries N     queries per search mode (default 1000)\n"
    "  --mode-budget S stop a search mode after S seconds once 200 queries ran (default 60)\n"
    "  --out FILE      also write the report (Markdown) to FILE\n"
    "  --keep          keep the generated caches in the temporary directory\n";

static int parse_args(struct opts *o, int argc, char **argv)
{
    memset(o, 0, sizeof(*o));
    o->sizes[0] = 10000;
    o->sizes[1] = 50000;
    o->sizes[2] = 100000;
    o->sizes[3] = 500000;
    o->nsizes = 4;
    o->queries = 1000;
    o->cold_runs = 25;
    o->replaces = 60;
    o->rss_queries = 10000;
    o->perfile_max = 50000;
    o->mode_budget_s = 60;
    o->min_queries = 200;
    o->seed = 1;
    o->baseline = true;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t x;
        bool takes = strcmp(a, "--quick") && strcmp(a, "--keep") && strcmp(a, "--no-baseline");
        if (takes && !v) {
            fprintf(stderr, "bench_store: option '%s' needs a value\n%s", a, usage_text);
            return 2;
        }
        if (!strcmp(a, "--quick")) {
            o->nsizes = 2;
        } else if (!strcmp(a, "--keep")) {
            o->keep = true;
        } else if (!strcmp(a, "--no-baseline")) {
            o->baseline = false;
        } else if (!strcmp(a, "--sizes")) {
            char *copy = xstrdup(v), *tok, *save = NULL;
            o->nsizes = 0;
            for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                if (o->nsizes >= MAX_SIZES ||
                    synth_parse_count(&o->sizes[o->nsizes], tok, 100000000ull) != 0) {
                    fprintf(stderr, "bench_store: bad --sizes '%s'\n", v);
                    free(copy);
                    return 2;
                }
                o->nsizes++;
            }
            free(copy);
        } else if (!strcmp(a, "--out")) {
            o->out = v;
        } else if (!strcmp(a, "--tmp")) {
            o->tmp = v;
        } else if (!strcmp(a, "--mode-budget")) {
            char *end = NULL;
            o->mode_budget_s = strtod(v, &end);
            if (!end || *end || o->mode_budget_s <= 0) {
                fprintf(stderr, "bench_store: bad --mode-budget '%s'\n", v);
                return 2;
            }
        } else if (str_to_u64(&x, v, 10000000) != 0) {
            fprintf(stderr, "bench_store: '%s' needs a number, got '%s'\n%s", a, v, usage_text);
            return 2;
        } else if (!strcmp(a, "--reps") && x) {
            o->reps = (unsigned)x;
        } else if (!strcmp(a, "--queries") && x) {
            o->queries = (unsigned)x;
            if (o->min_queries > o->queries)
                o->min_queries = o->queries;
        } else if (!strcmp(a, "--cold-runs") && x) {
            o->cold_runs = (unsigned)x;
        } else if (!strcmp(a, "--replaces") && x) {
            o->replaces = (unsigned)x;
        } else if (!strcmp(a, "--rss-queries") && x) {
            o->rss_queries = (unsigned)x;
        } else if (!strcmp(a, "--seed")) {
            o->seed = x;
        } else {
            fprintf(stderr, "bench_store: unknown or bad argument '%s'\n%s", a, usage_text);
            return 2;
        }
        if (takes)
            i++;
    }
    return 0;
}

static int run_size(const struct opts *o, uint64_t symbols, struct sizeres *sr)
{
    struct synth_opts so;
    struct bp_project *cb = NULL;
    struct qset qs;
    struct err e = {0};
    char *cache = NULL, *plan = NULL, *qfile = NULL;
    unsigned reps = o->reps ? o->reps : symbols > 100000 ? 3 : 5;
    uint64_t t0 = time_mono_ns();
    int rc;

    memset(sr, 0, sizeof(*sr));
    synth_opts_init(&so);
    so.symbols = symbols;
    so.seed = o->seed;
    sr->symbols = symbols;
    progress("%llu symbols: queries", (unsigned long long)symbols);
    qset_make(&qs, &so, o->queries, o->cold_runs, o->seed);

    rc = measure_writes(o, &so, reps, sr, &cache, &e);
    if (!rc && o->baseline) {
        progress("  baseline: merging the project in memory (winners, called_by)");
        cb = bp_project_build(&so);
        rc = measure_baseline_writes(o, &so, reps, cb, sr, &plan, &e);
    }
    if (!rc) {
        char *db = path_join(cache, STORE_DB_NAME);
        rc = measure_disk(db, true, &sr->c, &e);
        free(db);
    }
    if (!rc && plan)
        rc = measure_disk(plan, false, &sr->b, &e);
    if (!rc)
        rc = measure_search(cache, plan, &qs, o, sr, &e);
    if (!rc) {
        progress("  cold starts");
        measure_cold(cache, false, false, &qs, o, &sr->c);
        if (plan)
            measure_cold(plan, true, false, &qs, o, &sr->b);
        qfile = xasprintf("%s/queries-%llu.txt", o->tmp, (unsigned long long)symbols);
        rc = write_mixed_queries(qfile, &qs, o->rss_queries, o->seed, &e);
    }
    if (!rc) {
        progress("  RSS while serving %u queries", o->rss_queries);
        measure_rss(cache, false, qfile, &sr->c);
        if (plan)
            measure_rss(plan, true, qfile, &sr->b);
        progress("  replacing files");
        rc = measure_replace(cache, plan, &so, cb, o, sr, &e);
    }
    if (!rc) {
        /* last: eviction leaves the files cold for whatever runs after it */
        progress("  cold starts with the database evicted from the page cache");
        measure_cold(cache, false, true, &qs, o, &sr->c);
        if (plan)
            measure_cold(plan, true, true, &qs, o, &sr->b);
    }
    if (rc)
        progress("%llu symbols: error: %s", (unsigned long long)symbols, e.msg);
    else
        report_size(sr, o, symbols);
    progress("%llu symbols done in %.0f s", (unsigned long long)symbols,
             (double)(time_mono_ns() - t0) / 1e9);
    if (!o->keep) {
        if (cache)
            rmtree(cache);
        if (plan) {
            char *dir = xstrndup(plan, strlen(plan) - strlen("/plan.db"));
            rmtree(dir);
            free(dir);
        }
        if (qfile)
            unlink(qfile);
    }
    free(cache);
    free(plan);
    free(qfile);
    bp_project_free(cb);
    qset_free(&qs);
    return rc;
}

static void report_summary(const struct sizeres *res, unsigned n, const struct opts *o)
{
    emit("## Scaling\n\n| symbols | bulk write/s | cold start ms | exact us | prefix us | words "
         "us | substring us | qualified us | regex us | auto us | bytes/symbol (symbols) | "
         "bytes/symbol (refs) | RSS MB | replace ms |\n");
    emit("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    for (unsigned i = 0; i < n; i++) {
        const struct side *C = &res[i].c;
        char a[32], b[32];
        double S = (double)res[i].symbols;
        emit("| %s | %s | %.2f |", grouped(a, S), grouped(b, S / C->bulk_s.med), C->cold_ms.med);
        for (int m = STORE_MATCH_EXACT; m < STORE_MATCH_COUNT_; m++)
            emit(" %.0f |", C->search_us[m].med);
        emit(" %.0f |", C->search_us[STORE_MATCH_AUTO].med);
        emit(" %.0f | %.0f | %.1f | %.2f |\n", C->group_bytes[0] / S, C->group_bytes[1] / S,
             (double)C->rss_kb / 1024.0, C->replace_ms.med);
    }
    emit("\n");
    (void)o;
}

int main(int argc, char **argv)
{
    struct opts o;
    struct sizeres res[MAX_SIZES];
    char *tmp = NULL;
    unsigned done = 0;
    int rc;

    if (argc == 4 &&
        (!strcmp(argv[1], "--child-cold") || !strcmp(argv[1], "--child-cold-baseline")))
        return child_cold(argv[2], argv[3], !strcmp(argv[1], "--child-cold-baseline"));
    if (argc == 4 &&
        (!strcmp(argv[1], "--child-serve") || !strcmp(argv[1], "--child-serve-baseline")))
        return child_serve(argv[2], argv[3], !strcmp(argv[1], "--child-serve-baseline"));
    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        fputs(usage_text, stdout);
        return 0;
    }
    rc = parse_args(&o, argc, argv);
    if (rc)
        return rc;
    log_set_level(LOG_ERROR);
    signal(SIGPIPE, SIG_IGN);
    {
        const char *base = o.tmp ? o.tmp : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
        tmp = xasprintf("%s/cidx-bench-XXXXXX", base);
        if (!mkdtemp(tmp)) {
            fprintf(stderr, "bench_store: cannot create a directory in '%s': %s\n", base,
                    strerror(errno));
            return 1;
        }
        o.tmp = tmp;
    }
    helper_start();
    machine_facts(&o);
    for (unsigned i = 0; i < o.nsizes; i++) {
        rc = run_size(&o, o.sizes[i], &res[done]);
        if (rc)
            break;
        done++;
    }
    if (done)
        report_summary(res, done, &o);
    helper_stop();
    if (o.out) {
        struct err e;
        if (fs_write_file_atomic(o.out, report.buf, report.len, &e) != 0)
            fprintf(stderr, "bench_store: %s\n", e.msg);
    }
    if (!o.keep)
        rmtree(tmp);
    free(tmp);
    strbuf_release(&report);
    return rc ? 1 : 0;
}
