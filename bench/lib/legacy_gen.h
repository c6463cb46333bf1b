/*
 * legacy_gen.h - a deterministic generator of legacy JSON caches (the Python server's format,
 * spec LEGACY_JSON.md), for the migration benchmark (bench_legacy), the cidx-legacy-gen tool and
 * tests that need a large legacy cache.
 *
 * The cache looks like one the Python server wrote for a real project: modules of header/source
 * pairs in nested namespaces (app::ui, core::net), classes and structs in the headers (a quarter
 * derive from another class of the project or from std::exception), their methods and free
 * functions in the sources, clang-shaped USRs and type spellings as signatures, about two calls
 * per function (some into undeclared library functions such as printf) with called_by filled
 * consistently, 10% of the modules dependencies (is_project false). cache_info.json holds every
 * symbol; files/<md5>.json every source's own symbols again (as the Python server duplicates
 * them); header_tracker.json every header; parse_errors.jsonl a few lines.
 *
 * The same options give the same bytes, apart from nothing: timestamps are fixed too.
 * Thread-safety: reentrant.
 */
#ifndef CIDX_LEGACY_GEN_H
#define CIDX_LEGACY_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include "util/util.h"

struct legacy_gen_opts {
    uint64_t symbols;          /* symbol records in cache_info.json */
    uint64_t seed;             /* same seed, same cache */
    unsigned symbols_per_file; /* 0 = 50 */
    bool per_file;             /* write files/<md5>.json for the sources (default true) */
};

/* Defaults: 100000 symbols, seed 1, 50 per file, per-file caches. */
void legacy_gen_opts_init(struct legacy_gen_opts *o);

struct legacy_gen_report {
    uint64_t symbols, classes, functions, files, sources, headers, calls, bases, parse_errors;
    uint64_t bytes; /* total size of the files written */
};

/*
 * Writes the legacy cache into dir (created when missing; files of an earlier cache there are
 * overwritten, not removed). rep may be NULL. Errors: the file-system errors, with the path.
 */
int legacy_gen_write(const char *dir, const struct legacy_gen_opts *o,
                     struct legacy_gen_report *rep, struct err *err);

#endif
