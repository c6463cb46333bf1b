/*
 * cmd_export_json.c - `cidx export-json DIR`: writes the cache as a legacy JSON cache
 * (store_legacy_export), the plan's rollback to the Python server. The cache is opened
 * read-only; the directory appears complete or not at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

enum { O_FORCE, O_QUIET };

static const struct cli_opt opts[] = {
    [O_FORCE] = {"force", CLI_FLAG, NULL,
                 "write into a directory that is not empty; the legacy files there are moved "
                 "to DIR/json-replaced.<time>/ first"},
    [O_QUIET] = {"quiet", CLI_FLAG, NULL, "no progress output"},
};

struct view {
    bool tty, quiet;
};

static void on_progress(void *ctx, const struct store_legacy_progress *p)
{
    struct view *v = ctx;
    if (v->quiet || !v->tty)
        return;
    if (!strcmp(p->phase, "done"))
        fprintf(stderr, "\r\033[K");
    else if (p->total)
        fprintf(stderr, "\r\033[K%s %llu/%llu files  %.1fs", p->phase, (unsigned long long)p->done,
                (unsigned long long)p->total, p->elapsed_s);
    else
        fprintf(stderr, "\r\033[K%s...", p->phase);
    fflush(stderr);
}

static int run(const struct cli_command *cmd, struct cli_args *a)
{
    struct store_legacy_export_opts o;
    struct store_legacy_export_report rep;
    struct store *st = NULL;
    struct err e = {0};
    struct view v = {isatty(2) != 0, false};
    int rc;

    memset(&o, 0, sizeof(o));
    if (!*a->pos[0])
        return cli_usage_error(cmd, "DIR must not be empty");
    rc = cli_open(a, false, STORE_OPEN_READONLY, &st);
    if (rc)
        return rc;
    v.quiet = a->values[CLI_OPT(O_QUIET)] != NULL || a->values[CLI_COMMON_JSON] != NULL;
    o.dir = a->pos[0];
    o.force = a->values[CLI_OPT(O_FORCE)] != NULL;
    o.progress = on_progress;
    o.progress_ctx = &v;
    rc = store_legacy_export(st, &o, &rep, &e);
    store_close(st);
    if (v.tty && !v.quiet)
        fprintf(stderr, "\r\033[K");
    if (rc) {
        store_legacy_export_report_release(&rep);
        return cli_error("%s", e.msg);
    }
    if (a->values[CLI_COMMON_JSON]) {
        json_t *j = json_object();
        json_object_set_new(j, "dir", cli_json_str(rep.dir));
        json_object_set_new(j, "replaced", rep.replaced ? cli_json_str(rep.replaced) : json_null());
        json_object_set_new(j, "symbols", json_integer((json_int_t)rep.symbols));
        json_object_set_new(j, "classes", json_integer((json_int_t)rep.classes));
        json_object_set_new(j, "functions", json_integer((json_int_t)rep.functions));
        json_object_set_new(j, "source_files", json_integer((json_int_t)rep.sources));
        json_object_set_new(j, "file_hashes", json_integer((json_int_t)rep.hashes));
        json_object_set_new(j, "headers", json_integer((json_int_t)rep.headers));
        json_object_set_new(j, "parse_errors", json_integer((json_int_t)rep.parse_errors));
        json_object_set_new(j, "calls", json_integer((json_int_t)rep.calls));
        json_object_set_new(j, "skipped", json_integer((json_int_t)rep.skipped));
        json_object_set_new(j, "seconds", json_real(rep.seconds));
        store_legacy_export_report_release(&rep);
        return cli_json_print(j);
    }
    {
        char sym[32], cls[32], fns[32], src[32], hashes[32], headers[32], perrs[32], calls[32];
        char skipped[32];
        cli_fmt_count(sym, (long long)rep.symbols);
        cli_fmt_count(cls, (long long)rep.classes);
        cli_fmt_count(fns, (long long)rep.functions);
        cli_fmt_count(src, (long long)rep.sources);
        cli_fmt_count(hashes, (long long)rep.hashes);
        cli_fmt_count(headers, (long long)rep.headers);
        cli_fmt_count(perrs, (long long)rep.parse_errors);
        cli_fmt_count(calls, (long long)rep.calls);
        cli_fmt_count(skipped, (long long)rep.skipped);
        printf("Exported %s symbols (%s classes and structs, %s functions and methods) to '%s' in "
               "%.2f s\n",
               sym, cls, fns, rep.dir, rep.seconds);
        printf("  %s per-file caches, %s file hashes, %s headers, %s parse errors, %s calls\n", src,
               hashes, headers, perrs, calls);
        if (rep.skipped)
            printf("  %s symbols of kinds the format has no place for (enums, fields, variables, "
                   "typedefs, macros...) were left out\n",
                   skipped);
        if (rep.replaced)
            printf("  the legacy files that were there: %s\n", rep.replaced);
    }
    store_legacy_export_report_release(&rep);
    return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
}

const struct cli_command cmd_export_json = {
    .name = "export-json",
    .summary = "write the cache as a legacy JSON cache (roll back to the Python server)",
    .usage = "cidx export-json DIR [options]",
    .details =
        "Writes cache_info.json, files/<md5>.json for every source file, header_tracker.json\n"
        "and parse_errors.jsonl into DIR, in the format the Python server reads\n"
        "(spec LEGACY_JSON.md): classes and structs, functions and methods (constructors,\n"
        "destructors and conversions as methods) with their 14 keys, calls and called_by from\n"
        "the call references. Other kinds have no place in the format and are left out.\n"
        "DIR must be missing or empty (it appears complete, in one rename), or --force.\n"
        "Exporting the same cache twice gives the same files apart from timestamps.\n"
        "See docs/MIGRATION.md.",
    .opts = opts,
    .nopts = (int)ARRAY_SIZE(opts),
    .min_pos = 1,
    .max_pos = 1,
    .cache = true,
    .run = run,
};
