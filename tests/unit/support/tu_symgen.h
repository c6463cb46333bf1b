/*
 * tu_symgen.h - generated record batches for store tests: one file's batch of N symbols built
 * directly from struct store_file_batch / store_symbol / store_ref, with predictable names, so a
 * test can write many symbols and later check exactly which ones arrived.
 *
 * Symbol i of a batch made with prefix P is named "P_i" (usr "c:@tu@P_i"), alternates between
 * function and class, sits on line i + 1 and, from i = 1 on, calls symbol i - 1 (a reference
 * with STORE_ROLE_CALL whose context is symbol i). Not thread-safe per batch; separate batches
 * may be used from separate threads.
 */
#ifndef CIDX_TU_SYMGEN_H
#define CIDX_TU_SYMGEN_H

#include <stddef.h>

#include "store/store.h"

struct tu_batch {
    struct store_file_batch b; /* ready to hand to store_file_replace */
    struct store_symbol *syms;
    struct store_ref *refs;
    struct arena mem; /* owns every string of the batch */
};

/*
 * Builds a batch for path (absolute) with nsyms symbols named prefix_0 .. prefix_{nsyms-1}.
 * doc_bytes > 0 gives each symbol a doc comment of that many bytes (to make batches large).
 * Release with tu_batch_release.
 */
void tu_batch_init(struct tu_batch *tb, const char *path, const char *prefix, size_t nsyms,
                   size_t doc_bytes);
void tu_batch_release(struct tu_batch *tb);

/* Builds and writes one batch in its own store_file_replace call; returns its code. */
int tu_write_file(struct store *st, const char *path, const char *prefix, size_t nsyms,
                  struct err *err);

/* Number of store_search EXACT matches for name (all scopes), or -1 when the search fails. */
long tu_search_exact_count(struct store *st, const char *name);

#endif
