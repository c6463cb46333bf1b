/*
 * cmd_migrate_json.c - `cidx migrate-json DIR`: imports a legacy JSON cache (the Python server's,
 * spec LEGACY_JSON.md) into a cidx cache, with a backup first and a record-by-record
 * verification (store_legacy_migrate), and a progress bar on a terminal (plain lines otherwise).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"

enum { O_FORCE, O_QUIET };

static const struct cli_opt opts[] = {
    [O_FORCE] = {"force", CLI_FLAG, NULL,
                 "migrate again although the marker is there, replacing a cidx cache in the "
                 "target directory (it is kept as a backup 'cidx restore' lists)"},
    [O_QUIET] = {"quiet", CLI_FLAG, NULL, "no progress output"},
};

struct view {
    bool tty, quiet;
    double last_line;
    size_t width;
    const char *last_phase;
};

static const char *phase_words(const char *phase)
{
    if (!strcmp(phase, "reading"))
        return "reading and checking the JSON files";
    if (!strcmp(phase, "backup"))
        return "copying the JSON cache aside";
    if (!strcmp(phase, "writing"))
        return "writing symbols and calls";
    if (!strcmp(phase, "indexing"))
        return "building the indexes and the search index";
    if (!strcmp(phase, "verifying"))
        return "verifying every record against the JSON";
    if (!strcmp(phase, "installing"))
        return "putting the cache in place";
    return phase;
}

static void on_progress(void *ctx, const struct store_legacy_progress *p)
{
    struct view *v = ctx;
    bool new_phase = !v->last_phase || strcmp(v->last_phase, p->phase) != 0;
    if (v->quiet)
        return;
    v->last_phase = p->phase;
    if (v->tty) {
        char line[256];
        if (!strcmp(p->phase, "done")) {
            fprintf(stderr, "\r\033[K");
        } else if (p->total) {
            char bar[32];
            size_t fill = (size_t)(p->done * 30 / p->total), i;
            for (i = 0; i < 30; i++)
                bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
            bar[30] = 0;
            snprintf(line, sizeof(line), "[%s] %s %llu/%llu  %.1fs", bar, phase_words(p->phase),
                     (unsigned long long)p->done, (unsigned long long)p->total, p->elapsed_s);
            line[v->width < sizeof(line) ? v->width - 1 : sizeof(line) - 1] = 0;
            fprintf(stderr, "\r\033[K%s", line);
        } else {
            snprintf(line, sizeof(line), "%s...", phase_words(p->phase));
            line[v->width < sizeof(line) ? v->width - 1 : sizeof(line) - 1] = 0;
            fprintf(stderr, "\r\033[K%s", line);
        }
        fflush(stderr);
        return;
    }
    /* not a terminal: a line when a phase of a long run starts, and every 5 seconds */
    if (!strcmp(p->phase, "done") || p->elapsed_s < 2.0)
        return;
    if (new_phase || p->elapsed_s - v->last_line >= 5.0) {
        v->last_line = p->elapsed_s;
        if (p->total)
            fprintf(stderr, "cidx: %s: %llu/%llu (%.0f s)\n", phase_words(p->phase),
                    (unsigned long long)p->done, (unsigned long long)p->total, p->elapsed_s);
        else
            fprintf(stderr, "cidx: %s (%.0f s)\n", phase_words(p->phase), p->elapsed_s);
    }
}

static json_t *report_json(const struct store_legacy_report *r, const char *legacy)
{
    json_t *j = json_object();
    json_object_set_new(j, "migrated", json_boolean(r->migrated));
    json_object_set_new(j, "legacy_dir", cli_json_str(legacy));
    json_object_set_new(j, "database", cli_json_str(r->db_path));
    json_object_set_new(j, "backup", r->backup_dir ? cli_json_str(r->backup_dir) : json_null());
    json_object_set_new(j, "replaced", r->replaced ? cli_json_str(r->replaced) : json_null());
    json_object_set_new(j, "records", json_integer((json_int_t)r->records));
    json_object_set_new(j, "symbols", json_integer((json_int_t)r->symbols));
    json_object_set_new(j, "without_usr", json_integer((json_int_t)r->no_usr));
    json_object_set_new(j, "files", json_integer((json_int_t)r->files));
    json_object_set_new(j, "source_files", json_integer((json_int_t)r->sources));
    json_object_set_new(j, "calls", json_integer((json_int_t)r->calls));
    json_object_set_new(j, "bases", json_integer((json_int_t)r->bases));
    json_object_set_new(j, "headers", json_integer((json_int_t)r->headers));
    json_object_set_new(j, "parse_errors", json_integer((json_int_t)r->parse_errors));
    json_object_set_new(j, "verified", json_integer((json_int_t)r->verified));
    json_object_set_new(j, "read_seconds", json_real(r->read_s));
    json_object_set_new(j, "write_seconds", json_real(r->write_s));
    json_object_set_new(j, "verify_seconds", json_real(r->verify_s));
    json_object_set_new(j, "seconds", json_real(r->seconds));
    return j;
}

static void print_report(const struct store_legacy_report *r, const char *legacy)
{
    char sym[32], files[32], sources[32], calls[32], bases[32], headers[32], perrs[32];
    char records[32], no_usr[32], verified[32];
    if (!r->migrated) {
        printf("Nothing to do: '%s' was migrated already (%s is there); --force migrates it "
               "again\n  cache: %s\n",
               legacy, STORE_LEGACY_MARKER, r->db_path);
        return;
    }
    cli_fmt_count(sym, (long long)r->symbols);
    cli_fmt_count(files, (long long)r->files);
    cli_fmt_count(sources, (long long)r->sources);
    cli_fmt_count(calls, (long long)r->calls);
    cli_fmt_count(bases, (long long)r->bases);
    cli_fmt_count(headers, (long long)r->headers);
    cli_fmt_count(perrs, (long long)r->parse_errors);
    cli_fmt_count(records, (long long)r->records);
    cli_fmt_count(no_usr, (long long)r->no_usr);
    cli_fmt_count(verified, (long long)r->verified);
    printf("Migrated %s symbols from '%s' in %.2f s\n", sym, legacy, r->seconds);
    printf("  %s files (%s with a per-file cache), %s call edges, %s base classes, %s headers, "
           "%s parse errors\n",
           files, sources, calls, bases, headers, perrs);
    if (r->records != r->symbols || r->no_usr)
        printf("  %s records read: the records of one usr merged; %s symbols without a usr, each "
               "kept\n",
               records, no_usr);
    printf("  verified: %s symbols equal field by field, every usr present\n", verified);
    printf("  cache: %s\n  backup of the JSON cache: %s\n", r->db_path, r->backup_dir);
    if (r->replaced)
        printf("  the cidx cache that was there: %s\n", r->replaced);
}

static int run(const struct cli_command *cmd, struct cli_args *a)
{
    struct store_legacy_opts o;
    struct store_legacy_report rep;
    struct err e = {0};
    struct view v;
    char *cache = NULL;
    int rc;

    memset(&o, 0, sizeof(o));
    memset(&v, 0, sizeof(v));
    if (!*a->pos[0])
        return cli_usage_error(cmd, "DIR must not be empty");
    if (a->values[CLI_COMMON_PROJECT] && !a->values[CLI_COMMON_CACHE_DIR] &&
        !fs_is_dir(a->values[CLI_COMMON_PROJECT]))
        return cli_error("project directory '%s' does not exist", a->values[CLI_COMMON_PROJECT]);
    if (a->values[CLI_COMMON_CACHE_DIR] || a->values[CLI_COMMON_PROJECT])
        cache = cli_cache_dir(a);
    o.legacy_dir = a->pos[0];
    o.cache_dir = cache;
    o.force = a->values[CLI_OPT(O_FORCE)] != NULL;
    v.quiet = a->values[CLI_OPT(O_QUIET)] != NULL || a->values[CLI_COMMON_JSON] != NULL;
    v.tty = isatty(2);
    v.width = 80;
    if (v.tty) {
        struct winsize ws;
        if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
            v.width = ws.ws_col;
    }
    o.progress = on_progress;
    o.progress_ctx = &v;
    rc = store_legacy_migrate(&o, &rep, &e);
    if (v.tty && !v.quiet)
        fprintf(stderr, "\r\033[K");
    free(cache);
    if (rc) {
        store_legacy_report_release(&rep);
        return cli_error("%s", e.msg);
    }
    if (a->values[CLI_COMMON_JSON]) {
        json_t *j = report_json(&rep, a->pos[0]);
        store_legacy_report_release(&rep);
        return cli_json_print(j);
    }
    print_report(&rep, a->pos[0]);
    store_legacy_report_release(&rep);
    return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
}

const struct cli_command cmd_migrate_json = {
    .name = "migrate-json",
    .summary = "import a legacy JSON cache (the Python server's) into a cidx cache, verified",
    .usage = "cidx migrate-json DIR [options]",
    .details =
        "DIR is the legacy cache directory (cache_info.json, files/, header_tracker.json,\n"
        "parse_errors.jsonl). Every file is read and checked before anything is written; the\n"
        "directory is copied aside (json-backup.<time>/ beside the new cache); symbols, calls,\n"
        "base classes, file hashes, header tracking, parse errors and metadata are imported;\n"
        "every record is compared with the database, field by field; then the cache is put in\n"
        "place and DIR/.migrated_to_sqlite written. The JSON files are never changed. On any\n"
        "failure nothing is left behind, and the message names the file and the problem.\n"
        "The cache goes into DIR itself, or --cache-dir / the default cache of --project.\n"
        "Running it again does nothing. Opening DIR with any other command migrates it too.\n"
        "See docs/MIGRATION.md.",
    .opts = opts,
    .nopts = (int)ARRAY_SIZE(opts),
    .min_pos = 1,
    .max_pos = 1,
    .cache = true,
    .run = run,
};
