/*
 * cmd_dump.c - `cidx dump`: the whole cache as normalized text (store_dump), one record per
 * line, sorted, with the project root written as <root>: what golden tests compare and what two
 * caches are diffed with. The cache is opened read-only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { O_ROOT, O_OUTPUT };

static const struct cli_opt opts[] = {
    [O_ROOT] = {"root", CLI_VALUE, "DIR",
                "write this directory as <root> in paths, USRs and texts (default: the --project "
                "directory; none without --project)"},
    [O_OUTPUT] = {"output", CLI_VALUE, "FILE", "write the dump to FILE instead of stdout"},
};

/* The root to replace: --root, else --project, canonical when it exists (so are cached paths). */
static char *dump_root(const struct cli_args *a)
{
    const char *r = a->values[CLI_OPT(O_ROOT)];
    char *real;
    if (!r)
        r = a->values[CLI_COMMON_PROJECT];
    if (!r || !*r)
        return NULL;
    real = path_real(r);
    return real ? real : xstrdup(r);
}

static int run(const struct cli_command *cmd, struct cli_args *a)
{
    const char *path = a->values[CLI_OPT(O_OUTPUT)];
    struct store *st = NULL;
    struct err e = {0};
    FILE *out = stdout;
    char *root = NULL;
    bool created = false;
    int rc;

    if (a->values[CLI_COMMON_JSON])
        return cli_usage_error(cmd, "'dump' writes text only; it has no --json form");
    if (path && !*path)
        return cli_usage_error(cmd, "option '--output' needs a file name");
    rc = cli_open(a, false, STORE_OPEN_READONLY, &st);
    if (rc)
        return rc;
    if (path) {
        created = !fs_exists(path);
        out = fopen(path, "w");
        if (!out) {
            rc = cli_error("cannot write '%s': %s", path, strerror(errno));
            store_close(st);
            return rc;
        }
    }
    root = dump_root(a);
    rc = store_dump(st, out, root, &e);
    store_close(st);
    free(root);
    if (path && fclose(out) != 0 && !rc)
        rc = err_set(&e, ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    if (rc) {
        /* No half-written dump left to compare against - but only a file this run made:
           the output may be a device (/dev/full) or a file the user keeps. */
        if (created)
            fs_unlink(path, NULL);
        return cli_error("%s", e.msg);
    }
    return CLI_OK;
}

const struct cli_command cmd_dump = {
    .name = "dump",
    .summary = "write the whole index as sorted, normalized text (for diffs and golden tests)",
    .usage = "cidx dump [--root DIR] [--output FILE] [options]",
    .details = "One record per line - files, symbols, declarations, references, base classes,\n"
               "overrides, includes, header claims, parse errors, in that order - each section\n"
               "sorted. No ids, timestamps or sizes: two caches with the same content give the\n"
               "same bytes. Every occurrence of the root reads <root>. The cache is opened\n"
               "read-only. docs/internals/store.md describes the line format.",
    .opts = opts,
    .nopts = (int)ARRAY_SIZE(opts),
    .min_pos = 0,
    .max_pos = 0,
    .cache = true,
    .run = run,
};
