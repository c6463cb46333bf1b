/*
 * cidx-legacy-gen.c - writes a synthetic legacy JSON cache (the Python server's format,
 * bench/lib/legacy_gen.h) into a directory, for demos, the migration benchmark and tests:
 *
 *   cidx-legacy-gen --dir DIR --symbols N [--seed S] [--symbols-per-file K] [--no-per-file]
 *
 * Prints one summary line. Exit codes: 0 done, 1 write error, 2 usage error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "legacy_gen.h"
#include "synth.h"

static const char usage_text[] =
    "usage: cidx-legacy-gen --dir DIR --symbols N [--seed S] [--symbols-per-file K]\n"
    "                       [--no-per-file] [--quiet]\n"
    "\n"
    "Writes a deterministic legacy JSON cache (cache_info.json, files/<md5>.json,\n"
    "header_tracker.json, parse_errors.jsonl) of N symbols into DIR.\n"
    "\n"
    "  --dir DIR               the directory (created when missing)\n"
    "  --symbols N             symbol records (suffixes K and M accepted: 100K)\n"
    "  --seed S                random seed; same seed, same bytes (default 1)\n"
    "  --symbols-per-file K    symbols per file (default 50)\n"
    "  --no-per-file           no files/<md5>.json\n"
    "  --quiet                 print nothing on success\n";

static int usage_error(const char *fmt, ...) PRINTF_LIKE(1, 2);
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "cidx-legacy-gen: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n%s", usage_text);
    return 2;
}

int main(int argc, char **argv)
{
    struct legacy_gen_opts o;
    struct legacy_gen_report rep;
    struct err e = {0};
    const char *dir = NULL;
    bool quiet = false, have_symbols = false;
    uint64_t t0 = time_mono_ns();

    legacy_gen_opts_init(&o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = !strcmp(a, "--dir") || !strcmp(a, "--symbols") || !strcmp(a, "--seed") ||
                     !strcmp(a, "--symbols-per-file");
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (takes && !v)
            return usage_error("option '%s' needs a value", a);
        if (!strcmp(a, "--dir")) {
            dir = v;
        } else if (!strcmp(a, "--symbols")) {
            if (synth_parse_count(&o.symbols, v, 20000000) != 0)
                return usage_error("--symbols: '%s' is not a count (1 to 20M)", v);
            have_symbols = true;
        } else if (!strcmp(a, "--seed")) {
            if (str_to_u64(&o.seed, v, UINT32_MAX) != 0)
                return usage_error("--seed: '%s' is not a number", v);
        } else if (!strcmp(a, "--symbols-per-file")) {
            uint64_t k;
            if (str_to_u64(&k, v, 100000) != 0 || k == 0)
                return usage_error("--symbols-per-file: '%s' is not a count", v);
            o.symbols_per_file = (unsigned)k;
        } else if (!strcmp(a, "--no-per-file")) {
            o.per_file = false;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = true;
        } else {
            return usage_error("unknown argument '%s'", a);
        }
        if (takes)
            i++;
    }
    if (!dir || !*dir)
        return usage_error("%s", "--dir is required");
    if (!have_symbols)
        return usage_error("%s", "--symbols is required");
    if (legacy_gen_write(dir, &o, &rep, &e) != 0) {
        fprintf(stderr, "cidx-legacy-gen: error: %s\n", e.msg);
        return 1;
    }
    if (!quiet)
        printf("cidx-legacy-gen: %llu symbols (%llu classes, %llu functions), %llu files (%llu "
               "per-file caches), %llu calls, %llu bases, %.1f MB in %.2f s\n",
               (unsigned long long)rep.symbols, (unsigned long long)rep.classes,
               (unsigned long long)rep.functions, (unsigned long long)rep.files,
               (unsigned long long)rep.sources, (unsigned long long)rep.calls,
               (unsigned long long)rep.bases, (double)rep.bytes / 1e6,
               (double)(time_mono_ns() - t0) / 1e9);
    return 0;
}
