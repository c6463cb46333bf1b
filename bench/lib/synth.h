/*
 * synth.h - a deterministic generator of synthetic C++ project data, written through the public
 * store API. It feeds the benchmarks (bench_store), the cidx-gen tool and tests that need a
 * cache of a given size without parsing any source.
 *
 * The data looks like an indexer's output for a real project: modules with nested namespaces
 * (app::ui, core::net::http), header/source pairs (a class declared in widget_cache.h and its
 * methods defined in widget_cache.cpp), classes with constructors, destructors, overloads,
 * virtual methods overriding a base in another file, fields, enums, typedefs, macros, free and
 * static functions, doc comments on about 30% of symbols, clang-shaped USRs, calls (about three
 * per function, many into other files and into undeclared library functions, so placeholders
 * occur), reads, writes and type references, bases and overrides across files, includes. A
 * share of the modules are dependencies (is_project = false) under /synth/deps.
 *
 * Every file's contents are a pure function of (options, seed, file index): file i is the same
 * whether it is built alone or as part of a full run, in any order, in any process.
 *
 * Thread-safety: everything here is reentrant; a struct synth_file belongs to one thread.
 */
#ifndef CIDX_SYNTH_H
#define CIDX_SYNTH_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define SYNTH_DEFAULT_PER_FILE 50
#define SYNTH_MAX_PER_FILE 2000

struct synth_opts {
    uint64_t symbols; /* distinct symbols to create (declared somewhere, not placeholders) */
    uint64_t seed;    /* same seed, same data */
    unsigned symbols_per_file; /* new symbols each file introduces; 0 = SYNTH_DEFAULT_PER_FILE */
    bool bulk;                 /* synth_generate: write between store_bulk_begin and _end */
    double dependency_ratio;   /* share of files that are dependencies (is_project = false) */
    bool refs;                 /* references and calls; false: symbols, bases, includes only */
};

/* Defaults: 100000 symbols, seed 1, 50 per file, bulk, 10% dependencies, references on. */
void synth_opts_init(struct synth_opts *o);

/* Parses a symbol count for the bench command lines: "100000", "100K", "2M"; 1 to max.
 * ERR_INVALID otherwise. */
int synth_parse_count(uint64_t *out, const char *s, uint64_t max);

/* How many files synth_generate writes for these options (0 for 0 symbols). */
uint64_t synth_file_count(const struct synth_opts *o);

/* True when file index is a dependency file (is_project = false). */
bool synth_file_is_dependency(const struct synth_opts *o, uint64_t index);

/*
 * One file's batch. batch points into memory the struct owns; release it with
 * synth_file_release. The counts describe the batch.
 */
struct synth_file {
    struct store_file_batch batch;
    uint64_t index;
    unsigned revision;
    uint64_t new_symbols; /* symbols this file introduces (the others are definitions of
                             symbols its header declares) */
    uint64_t calls;       /* references with STORE_ROLE_CALL */

    /* private */
    struct arena mem_;
    struct store_symbol *syms_;
    struct store_ref *refs_;
    struct store_base *bases_;
    struct store_override *overrides_;
    struct store_include *includes_;
    size_t nsyms_, asyms_, nrefs_, arefs_, nbases_, abases_, novr_, aovr_, ninc_, ainc_;
};

/*
 * Builds file index (0 <= index < synth_file_count) into *out, which the caller releases with
 * synth_file_release. revision 0 is the file as synth_generate writes it; revision r > 0 is an
 * edited version of the same file (lines shifted, one function renamed with its in-file
 * callers, one doc comment changed), for timing the re-indexing of a changed file. The number
 * of new symbols does not change with the revision.
 */
void synth_file_build(struct synth_file *out, const struct synth_opts *o, uint64_t index,
                      unsigned revision);
void synth_file_release(struct synth_file *f);

struct synth_report {
    uint64_t files, symbols, decls, refs, calls, bases, overrides, includes;
    double write_s; /* time spent in store calls: file replaces and bulk begin/end */
    double total_s; /* wall time, building the batches included */
};

/*
 * Writes the whole synthetic project into st (one store_file_replace per file, inside
 * store_bulk_begin/store_bulk_end when o->bulk). rep may be NULL. Returns 0 or the store's
 * error code, with the message in err.
 */
int synth_generate(struct store *st, const struct synth_opts *o, struct synth_report *rep,
                   struct err *err);

#endif
