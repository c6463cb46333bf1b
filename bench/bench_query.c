/*
 * bench_query.c - latency of the code queries (store_query*.c) on a synthetic cache.
 *
 *   bench_query [--cache-dir DIR] [--symbols N] [--queries N] [--seed S]
 *
 * Without --cache-dir it writes a synthetic project of --symbols (default 100K, bench/lib/synth)
 * into a temporary cache; with it, it uses the cache there (cidx-gen makes one; any cache works).
 * Targets are drawn from the cache with a fixed seed: classes, functions with callers, functions
 * with callees, classes with bases, files, caller -> callee -> callee chains. Each query kind
 * runs once over all its targets to warm the page cache, then --queries times (default 300),
 * each on another target, and the table gives the median, p95 and max per kind with the median
 * result size. get_source is left out: synthetic files are not on disk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "synth.h"

#define MAX_TARGETS 4096

struct targets {
    char **v;
    size_t n;
};

struct opts {
    const char *cache_dir;
    uint64_t symbols;
    unsigned queries;
    uint64_t seed;
};

static void usage(void)
{
    fprintf(stderr,
            "usage: bench_query [--cache-dir DIR] [--symbols N] [--queries N] [--seed S]\n");
    exit(2);
}

static uint64_t rng_state;
static uint64_t rng(void)
{
    /* splitmix64: deterministic and good enough for picking targets */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Reads column 0 of every row of sql into t (strings), shuffled, at most MAX_TARGETS. */
static void sample(sqlite3 *db, const char *sql, struct targets *t)
{
    sqlite3_stmt *s = NULL;
    size_t alloc = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench_query: %s: %s\n", sql, sqlite3_errmsg(db));
        exit(1);
    }
    while (sqlite3_step(s) == SQLITE_ROW && t->n < MAX_TARGETS) {
        ALLOC_GROW(t->v, t->n + 1, alloc);
        t->v[t->n++] = xstrdup((const char *)sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    for (size_t i = t->n; i > 1; i--) {
        size_t j = (size_t)(rng() % i);
        char *x = t->v[i - 1];
        t->v[i - 1] = t->v[j];
        t->v[j] = x;
    }
}

static void targets_free(struct targets *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i]);
    free(t->v);
}

enum qk {
    Q_INFO_USR,
    Q_INFO_NAME,
    Q_INFO_FUNC,
    Q_OUTLINE,
    Q_HIER,
    Q_CALLERS,
    Q_CALLEES,
    Q_PATH,
    Q_REFS,
    Q_COUNT
};

static const char *const qk_names[Q_COUNT] = {
    "get_symbol_info (class, by usr)",
    "get_symbol_info (class, by qualified name)",
    "get_symbol_info (method, by usr)",
    "get_file_outline",
    "get_class_hierarchy (both)",
    "find_incoming_calls",
    "find_outgoing_calls",
    "trace_call_path (2 calls apart)",
    "find_references",
};

/* The size of the result's main list, for the table. */
static size_t result_size(enum qk k, json_t *r)
{
    switch (k) {
    case Q_INFO_USR:
    case Q_INFO_NAME:
        return json_array_size(json_object_get(r, "methods"));
    case Q_INFO_FUNC:
        return json_array_size(json_object_get(r, "overloads"));
    case Q_OUTLINE:
        return (size_t)json_integer_value(json_object_get(r, "total"));
    case Q_HIER:
        return json_object_size(json_object_get(r, "nodes"));
    case Q_CALLERS:
        return json_array_size(json_object_get(r, "callers"));
    case Q_CALLEES:
        return json_array_size(json_object_get(r, "callees"));
    case Q_PATH:
        return json_array_size(json_object_get(r, "paths"));
    case Q_REFS:
        return json_array_size(json_object_get(r, "references"));
    default:
        return 0;
    }
}

static int run_one(struct store *st, enum qk k, const char *arg, json_t **out, struct err *e)
{
    switch (k) {
    case Q_INFO_USR:
    case Q_INFO_FUNC: {
        struct store_target t = {.usr = arg};
        return store_query_symbol_info(st, &t, out, e);
    }
    case Q_INFO_NAME: {
        struct store_target t = {.name = arg, .all_scopes = true};
        return store_query_symbol_info(st, &t, out, e);
    }
    case Q_OUTLINE:
        return store_query_file_outline(st, arg, NULL, out, e);
    case Q_HIER: {
        struct store_hierarchy_args a = {.target = {.usr = arg}};
        return store_query_class_hierarchy(st, &a, out, e);
    }
    case Q_CALLERS: {
        struct store_calls_args a = {.target = {.usr = arg}};
        return store_query_incoming_calls(st, &a, out, e);
    }
    case Q_CALLEES: {
        struct store_calls_args a = {.target = {.usr = arg}};
        return store_query_outgoing_calls(st, &a, out, e);
    }
    case Q_PATH: {
        /* "from\tto" */
        char *tab = strchr(arg, '\t');
        char *from = xstrndup(arg, tab ? (size_t)(tab - arg) : strlen(arg));
        struct store_path_args a = {.from = {.usr = from}, .to = {.usr = tab ? tab + 1 : ""}};
        int rc = store_query_call_path(st, &a, out, e);
        free(from);
        return rc;
    }
    case Q_REFS: {
        struct store_refs_args a = {.target = {.usr = arg}};
        return store_query_references(st, &a, out, e);
    }
    default:
        return ERR_INVALID;
    }
}

static int remove_entry(const char *name, void *payload)
{
    char *p = path_join(payload, name);
    fs_unlink(p, NULL);
    free(p);
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

static void machine(void)
{
    char *cpu = NULL, model[256] = "unknown";
    size_t len = 0;
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
    free(cpu);
    if (uname(&un) != 0)
        memset(&un, 0, sizeof(un));
    printf("# cidx query benchmark\n\n");
    printf("| | |\n|---|---|\n");
    printf("| CPU | %s |\n", model);
    printf("| kernel | %s %s |\n", un.sysname, un.release);
    printf("| SQLite | %s |\n", sqlite3_libversion());
#ifdef NDEBUG
    printf("| build | optimized (NDEBUG) |\n");
#else
    printf("| build | NOT a release build: numbers are not representative |\n");
#endif
}

int main(int argc, char **argv)
{
    struct opts o = {NULL, 100000, 300, 1};
    struct store *st = NULL;
    struct err e = {0};
    char *tmp = NULL;
    sqlite3 *db = NULL;
    struct targets t[Q_COUNT] = {{0}};
    int rc;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--cache-dir") && i + 1 < argc) {
            o.cache_dir = argv[++i];
        } else if (!strcmp(argv[i], "--symbols") && i + 1 < argc) {
            if (synth_parse_count(&o.symbols, argv[++i], 100000000))
                usage();
        } else if (!strcmp(argv[i], "--queries") && i + 1 < argc) {
            uint64_t n;
            if (str_to_u64(&n, argv[++i], 1000000) || !n)
                usage();
            o.queries = (unsigned)n;
        } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            if (str_to_u64(&o.seed, argv[++i], UINT64_MAX))
                usage();
        } else {
            usage();
        }
    }
    rng_state = o.seed;
    machine();

    if (!o.cache_dir) {
        struct synth_opts so;
        struct synth_report rep;
        const char *base = getenv("TMPDIR");
        tmp = xasprintf("%s/cidx-bench-query-XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(tmp)) {
            fprintf(stderr, "bench_query: cannot make a temporary directory\n");
            return 1;
        }
        synth_opts_init(&so);
        so.symbols = o.symbols;
        so.seed = o.seed;
        fprintf(stderr, "writing a synthetic cache of %llu symbols...\n",
                (unsigned long long)o.symbols);
        if ((rc = store_open(&st, tmp, 0, &e)) != 0 || (rc = synth_generate(st, &so, &rep, &e)))
            goto fail;
        store_close(st);
        st = NULL;
        o.cache_dir = tmp;
    }
    if ((rc = store_open(&st, o.cache_dir, STORE_OPEN_READONLY | STORE_OPEN_EXISTING, &e)) != 0)
        goto fail;
    if (sqlite3_open_v2(store_db_path(st), &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench_query: cannot open '%s'\n", store_db_path(st));
        return 1;
    }
    /* classes with members; methods; files; classes with bases; callees with <= 50 callers */
    sample(db, "SELECT usr FROM symbols WHERE kind IN (2, 3) AND file_id IS NOT NULL ORDER BY id",
           &t[Q_INFO_USR]);
    sample(db,
           "SELECT CASE WHEN sc.qname = '' THEN s.name ELSE sc.qname || '::' || s.name END"
           " FROM symbols s JOIN scopes sc ON sc.id = s.scope_id WHERE s.kind IN (2, 3) AND"
           " s.file_id IS NOT NULL ORDER BY s.id",
           &t[Q_INFO_NAME]);
    sample(db, "SELECT usr FROM symbols WHERE kind = 8 AND file_id IS NOT NULL ORDER BY id",
           &t[Q_INFO_FUNC]);
    sample(db, "SELECT path FROM files WHERE indexed_at > 0 ORDER BY id", &t[Q_OUTLINE]);
    sample(db,
           "SELECT DISTINCT s.usr FROM bases b JOIN symbols s ON s.id = b.derived_id"
           " ORDER BY s.id",
           &t[Q_HIER]);
    sample(db,
           "SELECT s.usr FROM symbols s WHERE s.file_id IS NOT NULL AND s.kind IN (7, 8) AND"
           " EXISTS (SELECT 1 FROM refs r WHERE r.symbol_id = s.id AND r.roles & 16)"
           " ORDER BY s.id",
           &t[Q_CALLERS]);
    sample(db,
           "SELECT s.usr FROM symbols s WHERE s.file_id IS NOT NULL AND"
           " EXISTS (SELECT 1 FROM refs r WHERE r.context_id = s.id AND r.roles & 16)"
           " ORDER BY s.id",
           &t[Q_CALLEES]);
    sample(db,
           "SELECT a.usr || char(9) || c.usr FROM refs r1 JOIN refs r2 ON r2.context_id ="
           " r1.symbol_id AND r2.roles & 16 JOIN symbols a ON a.id = r1.context_id"
           " JOIN symbols c ON c.id = r2.symbol_id WHERE r1.roles & 16 AND a.id <> c.id AND"
           " a.file_id IS NOT NULL AND c.file_id IS NOT NULL AND (r1.line + r1.col) % 7 = 0 LIMIT "
           "4096",
           &t[Q_PATH]);
    sample(db,
           "SELECT s.usr FROM symbols s WHERE s.file_id IS NOT NULL AND"
           " EXISTS (SELECT 1 FROM refs r WHERE r.symbol_id = s.id) ORDER BY s.id",
           &t[Q_REFS]);
    sqlite3_close(db);

    printf("| cache | %s |\n\n", o.cache_dir);
    printf("| query | targets | median ms | p95 ms | max ms | median result size |\n");
    printf("|---|---:|---:|---:|---:|---:|\n");
    for (int k = 0; k < Q_COUNT; k++) {
        uint64_t *ns;
        size_t *sizes, n = 0;
        if (!t[k].n) {
            printf("| %s | 0 | - | - | - | - |\n", qk_names[k]);
            continue;
        }
        ns = xmalloc(sizeof(*ns) * o.queries);
        sizes = xmalloc(sizeof(*sizes) * o.queries);
        for (size_t i = 0; i < t[k].n && i < o.queries; i++) { /* warm-up */
            json_t *r = NULL;
            if (run_one(st, (enum qk)k, t[k].v[i], &r, &e) == 0)
                json_decref(r);
        }
        for (unsigned i = 0; i < o.queries; i++) {
            json_t *r = NULL;
            uint64_t t0 = time_mono_ns();
            rc = run_one(st, (enum qk)k, t[k].v[i % t[k].n], &r, &e);
            ns[n] = time_mono_ns() - t0;
            if (rc) {
                fprintf(stderr, "bench_query: %s '%s': %s\n", qk_names[k], t[k].v[i % t[k].n],
                        e.msg);
                continue;
            }
            sizes[n++] = result_size((enum qk)k, r);
            json_decref(r);
        }
        if (n) {
            qsort(ns, n, sizeof(*ns), cmp_u64);
            qsort(sizes, n, sizeof(*sizes), cmp_size);
            printf("| %s | %zu | %.3f | %.3f | %.3f | %zu |\n", qk_names[k], t[k].n,
                   (double)ns[n / 2] / 1e6, (double)ns[(n * 95) / 100] / 1e6,
                   (double)ns[n - 1] / 1e6, sizes[n / 2]);
        }
        free(ns);
        free(sizes);
    }
    for (int k = 0; k < Q_COUNT; k++)
        targets_free(&t[k]);
    store_close(st);
    if (tmp) {
        /* the temporary cache: its files, then the directory */
        if (fs_list_dir(tmp, remove_entry, tmp, &e) != 0 || rmdir(tmp) != 0)
            fprintf(stderr, "bench_query: could not remove %s\n", tmp);
        free(tmp);
    }
    return 0;
fail:
    fprintf(stderr, "bench_query: %s\n", e.msg);
    store_close(st);
    free(tmp);
    return 1;
}
