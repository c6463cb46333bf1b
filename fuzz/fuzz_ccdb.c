/*
 * fuzz_ccdb.c - libFuzzer target for the compile database reader (idx_ccdb_parse, with the
 * shell-word splitter behind "command") and the argument sanitizer every entry then goes
 * through: any bytes must give entries or an error value, never a crash, a leak or undefined
 * behavior. Lookups by file check the index the reader builds; response files are expanded
 * first, as the indexer does (none can be read: the project does not exist).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "index/index.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_set_level(LOG_ERROR);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a base and a project that do not exist: relative paths stay lexical, and no response
     * file can resolve inside the project, so nothing is read from disk */
    static const char base[] = "/nonexistent-cidx-fuzz/build";
    struct idx_args_ctx ctx = {"/nonexistent-cidx-fuzz", NULL, true};
    struct idx_ccdb db;
    struct err err = {0};

    if (idx_ccdb_parse(&db, "fuzz.json", base, (const char *)data, size, &err) == 0) {
        for (size_t i = 0; i < db.n; i++) {
            struct idx_ccdb_entry *e = &db.entries[i];
            const struct idx_ccdb_entry *first = idx_ccdb_find(&db, e->file);
            struct strbuf log = STRBUF_INIT;
            size_t steps = 0;

            /* the first entry of the file is found, and the alternatives lead to this one */
            if (!first || first > e)
                abort();
            for (const struct idx_ccdb_entry *alt = first; alt != e;
                 alt = idx_ccdb_find_next(&db, alt))
                if (!alt || strcmp(alt->file, e->file) != 0 || ++steps > db.n)
                    abort();
            ctx.directory = e->directory;
            if (idx_args_expand_response_files(&e->argv, &e->argc, &ctx, &log, &err) == 0)
                idx_args_sanitize(e->argv, &e->argc, &ctx, &log, &err);
            if (e->argv[e->argc] != NULL)
                abort();
            strbuf_release(&log);
        }
    }
    idx_ccdb_release(&db);
    return 0;
}
