/*
 * cidx-gen.c - writes a synthetic cache (bench/lib/synth.h) into a cache directory, for demos,
 * CLI tests and benchmarks:
 *
 *   cidx-gen --cache-dir DIR --symbols N [--seed S] [--per-file] [--no-refs] [--quiet]
 *
 * An existing cache in DIR is replaced (symbols.db and its -wal/-shm are removed first). Bulk
 * mode by default; --per-file writes one transaction per file, as a re-index would. Prints one
 * summary line. Exit codes: 0 done, 1 store error, 2 usage error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth.h"

#define MAX_SYMBOLS 100000000ull

static const char usage_text[] =
    "usage: cidx-gen --cache-dir DIR --symbols N [--seed S] [--per-file] [--no-refs]\n"
    "                [--symbols-per-file K] [--deps RATIO] [--quiet]\n"
    "\n"
    "Writes a deterministic synthetic C++ project of N symbols into the cache in DIR\n"
    "(replacing any cache there) and prints a summary line.\n"
    "\n"
    "  --cache-dir DIR         the cache directory (created when missing)\n"
    "  --symbols N             distinct symbols to create (suffixes K and M accepted: 100K)\n"
    "  --seed S                random seed; same seed, same data (default 1)\n"
    "  --per-file              one transaction per file instead of bulk mode\n"
    "  --no-refs               no references or calls\n"
    "  --symbols-per-file K    new symbols per file (default 50)\n"
    "  --deps RATIO            share of files that are dependencies (default 0.1)\n"
    "  --quiet                 print nothing on success\n";

static int usage_error(const char *fmt, ...) PRINTF_LIKE(1, 2);
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "cidx-gen: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n%s", usage_text);
    return 2;
}

static int parse_ratio(double *out, const char *s)
{
    char *end = NULL;
    double v = strtod(s, &end);
    if (!end || *end || end == s || !(v >= 0 && v <= 1))
        return ERR_INVALID;
    *out = v;
    return 0;
}

/* Removes the cache files a previous run left, so the new cache starts empty. */
static int remove_old_cache(const char *dir, struct err *err)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", ".session", ".bulk"};
    int rc = 0;
    for (size_t i = 0; i < ARRAY_SIZE(suffixes) && !rc; i++) {
        char *name = xasprintf("%s%s", STORE_DB_NAME, suffixes[i]);
        char *path = path_join(dir, name);
        rc = fs_unlink(path, err);
        free(path);
        free(name);
    }
    return rc;
}

int main(int argc, char **argv)
{
    struct synth_opts o;
    struct synth_report rep;
    struct store *st = NULL;
    struct err e = {0};
    const char *dir = NULL;
    bool have_symbols = false, quiet = false;
    int rc;

    synth_opts_init(&o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = !strcmp(a, "--cache-dir") || !strcmp(a, "--symbols") || !strcmp(a, "--seed") ||
                     !strcmp(a, "--symbols-per-file") || !strcmp(a, "--deps");
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (takes && !v)
            return usage_error("option '%s' needs a value", a);
        if (!strcmp(a, "--cache-dir")) {
            dir = v;
        } else if (!strcmp(a, "--symbols")) {
            if (synth_parse_count(&o.symbols, v, MAX_SYMBOLS) != 0)
                return usage_error("--symbols: '%s' is not a count (1 to 100M)", v);
            have_symbols = true;
        } else if (!strcmp(a, "--seed")) {
            if (str_to_u64(&o.seed, v, UINT64_MAX) != 0)
                return usage_error("--seed: '%s' is not a number", v);
        } else if (!strcmp(a, "--symbols-per-file")) {
            uint64_t k;
            if (str_to_u64(&k, v, SYNTH_MAX_PER_FILE) != 0 || k == 0)
                return usage_error("--symbols-per-file: '%s' is not a count (1 to 2000)", v);
            o.symbols_per_file = (unsigned)k;
        } else if (!strcmp(a, "--deps")) {
            if (parse_ratio(&o.dependency_ratio, v) != 0)
                return usage_error("--deps: '%s' is not a ratio between 0 and 1", v);
        } else if (!strcmp(a, "--per-file")) {
            o.bulk = false;
        } else if (!strcmp(a, "--no-refs")) {
            o.refs = false;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = true;
        } else {
            return usage_error("unknown argument '%s'", a);
        }
        if (takes)
            i++;
    }
    if (!dir || !*dir)
        return usage_error("%s", "--cache-dir is required");
    if (!have_symbols)
        return usage_error("%s", "--symbols is required");
    if (o.symbols == 0)
        return usage_error("%s", "--symbols must be at least 1");

    log_set_level(quiet ? LOG_ERROR : LOG_WARN);
    rc = fs_mkdir_p(dir, &e);
    if (!rc)
        rc = remove_old_cache(dir, &e);
    if (!rc)
        rc = store_open(&st, dir, 0, &e);
    if (!rc)
        rc = synth_generate(st, &o, &rep, &e);
    store_close(st);
    if (rc) {
        fprintf(stderr, "cidx-gen: error: %s\n", e.msg);
        return 1;
    }
    if (!quiet)
        printf("cidx-gen: %llu files, %llu symbols, %llu refs (%llu calls), %.2f s, %.0f "
               "symbols/s (%s)\n",
               (unsigned long long)rep.files, (unsigned long long)rep.symbols,
               (unsigned long long)rep.refs, (unsigned long long)rep.calls, rep.total_s,
               rep.total_s > 0 ? (double)rep.symbols / rep.total_s : 0.0,
               o.bulk ? "bulk" : "per-file");
    return 0;
}
