/*
 * cmd_maintain.c - `cidx maintain`: ANALYZE, FTS optimize, VACUUM when due (or forced), and a
 * search-index rebuild on request, with the size before and after.
 */
#include <stdio.h>

#include "cli.h"

enum { O_VACUUM, O_REBUILD };

static const struct cli_opt opts[] = {
    [O_VACUUM] = {"vacuum", CLI_FLAG, NULL, "VACUUM even when not due"},
    [O_REBUILD] = {"rebuild", CLI_FLAG, NULL, "rebuild the search index and all indexes first"},
};

static int run(const struct cli_command *cmd, struct cli_args *a)
{
    struct store_maint_report r;
    struct store *st = NULL;
    struct err e = {0};
    char before[32], after[32];
    int rc;

    (void)cmd;
    rc = cli_open(a, true, 0, &st);
    if (rc)
        return rc;
    if (a->values[CLI_OPT(O_REBUILD)] && store_rebuild_indexes(st, &e) != 0) {
        store_close(st);
        return cli_error("%s", e.msg);
    }
    if (store_maintain(st, a->values[CLI_OPT(O_VACUUM)] != NULL, &r, &e) != 0) {
        store_close(st);
        return cli_error("%s", e.msg);
    }
    store_close(st);
    if (a->values[CLI_COMMON_JSON]) {
        json_t *o = json_object();
        json_object_set_new(o, "bytes_before", json_integer(r.bytes_before));
        json_object_set_new(o, "bytes_after", json_integer(r.bytes_after));
        json_object_set_new(o, "vacuumed", json_boolean(r.vacuumed));
        json_object_set_new(o, "vacuum_reason",
                            r.vacuum_reason ? json_string(r.vacuum_reason) : json_null());
        json_object_set_new(o, "rebuilt", json_boolean(a->values[CLI_OPT(O_REBUILD)] != NULL));
        json_object_set_new(o, "elapsed_ms", json_real(r.elapsed_ms));
        return cli_json_print(o);
    }
    str_human_bytes(before, r.bytes_before);
    str_human_bytes(after, r.bytes_after);
    printf("✓ analyzed and optimized the search index\n");
    if (a->values[CLI_OPT(O_REBUILD)])
        printf("✓ rebuilt the search index and indexes\n");
    if (r.vacuumed)
        printf("✓ vacuumed (%s)\n", r.vacuum_reason);
    else
        printf("  vacuum not due (use --vacuum to force)\n");
    printf("Size: %s → %s (%.0f ms)\n", before, after, r.elapsed_ms);
    return CLI_OK;
}

const struct cli_command cmd_maintain = {
    .name = "maintain",
    .summary = "optimize the cache: ANALYZE, search-index optimize, VACUUM when it pays",
    .usage = "cidx maintain [options]",
    .details = "VACUUM runs when more than 20% of pages are free or the last one is over a\n"
               "week old. Readers may go on meanwhile; another writer waits.",
    .opts = opts,
    .nopts = (int)ARRAY_SIZE(opts),
    .min_pos = 0,
    .max_pos = 0,
    .cache = true,
    .run = run,
};
