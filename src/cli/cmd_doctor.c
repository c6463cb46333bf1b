/*
 * cmd_doctor.c - `cidx doctor`: every health check, a verdict, and what to do about each
 * problem. Exits 1 when the cache is unhealthy. It never repairs: a damaged file is reported,
 * not moved aside.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_CHECKS 32

static const char *advice(const char *check)
{
    if (!strcmp(check, "integrity_check") || !strcmp(check, "quick_check"))
        return "the database file is damaged: 'cidx restore' lists backups to put back; or "
               "delete the cache directory and re-index";
    if (!strcmp(check, "fts"))
        return "the search index is out of step: run 'cidx maintain --rebuild'";
    if (!strcmp(check, "schema"))
        return "the schema version is not this cidx's: open the cache with any command to "
               "migrate it, or use the cidx that wrote it";
    if (!strcmp(check, "bulk_load"))
        return "an interrupted bulk load: any command that opens the cache for writing "
               "(e.g. 'cidx maintain') finishes it";
    return "re-index the affected files ('cidx index'), or 'cidx maintain --rebuild'";
}

static int run(const struct cli_command *cmd, struct cli_args *a)
{
    struct store_check checks[MAX_CHECKS];
    struct store_backup_info *backups = NULL;
    size_t n = 0, nbad = 0, nbackups = 0;
    struct store *st = NULL;
    bool json = a->values[CLI_COMMON_JSON] != NULL;
    bool quick = a->values[CLI_OPT(0)] != NULL;
    const char *reason = NULL;
    bool vacuum_due;
    char *dir = cli_cache_dir(a);
    struct err e = {0};
    int rc;

    (void)cmd;
    store_backup_list(dir, &backups, &nbackups, NULL);
    rc = store_open(&st, dir, STORE_OPEN_EXISTING | STORE_OPEN_NO_REPAIR, &e);
    if (rc == ERR_READONLY)
        rc = store_open(&st, dir, STORE_OPEN_READONLY | STORE_OPEN_NO_REPAIR, &e);
    if (rc) {
        const char *what = rc == ERR_NOTFOUND  ? "create it with 'cidx index'"
                           : rc == ERR_CORRUPT ? "the cache file is damaged: any other cidx "
                                                 "command moves it aside and starts a fresh "
                                                 "one; 'cidx restore' lists backups"
                           : rc == ERR_VERSION ? "use the newer cidx that wrote it"
                                               : "see the error above";
        if (json) {
            json_t *o = json_object();
            json_object_set_new(o, "healthy", json_false());
            json_object_set_new(o, "error", cli_json_str(e.msg));
            json_object_set_new(o, "advice", json_string(what));
            cli_json_print(o);
        } else {
            printf("✗ cannot open the cache: %s\n  → %s\nVerdict: unhealthy\n", e.msg, what);
        }
        store_backup_list_free(backups, nbackups);
        free(dir);
        return CLI_FAIL;
    }
    rc = store_check(st, quick, checks, MAX_CHECKS, &n, &e);
    if (rc && rc != ERR_CORRUPT) {
        store_close(st);
        store_backup_list_free(backups, nbackups);
        free(dir);
        return cli_error("%s", e.msg);
    }
    for (size_t i = 0; i < n; i++)
        nbad += !checks[i].ok;
    vacuum_due = store_vacuum_due(st, &reason);
    if (json) {
        json_t *o = json_object(), *list = json_array();
        for (size_t i = 0; i < n; i++) {
            json_t *c = json_object();
            json_object_set_new(c, "name", json_string(checks[i].name));
            json_object_set_new(c, "ok", json_boolean(checks[i].ok));
            json_object_set_new(c, "detail", cli_json_str(checks[i].detail));
            if (!checks[i].ok)
                json_object_set_new(c, "advice", json_string(advice(checks[i].name)));
            json_array_append_new(list, c);
        }
        json_object_set_new(o, "healthy", json_boolean(nbad == 0));
        json_object_set_new(o, "path", cli_json_str(store_db_path(st)));
        json_object_set_new(o, "journal_mode", json_string(store_journal_mode(st)));
        json_object_set_new(o, "file_system", json_string(fs_kind_name(store_fs_kind(st))));
        json_object_set_new(o, "checks", list);
        json_object_set_new(o, "vacuum_due", vacuum_due ? json_string(reason) : json_null());
        json_object_set_new(o, "backups", json_integer((json_int_t)nbackups));
        cli_json_print(o);
    } else {
        printf("Checking %s\n", store_db_path(st));
        for (size_t i = 0; i < n; i++) {
            printf("%s %-16s %s\n", checks[i].ok ? "✓" : "✗", checks[i].name, checks[i].detail);
            if (!checks[i].ok)
                printf("  → %s\n", advice(checks[i].name));
        }
        printf("%s %-16s %s journal on a %s file system\n",
               store_fs_kind(st) == FS_LOCAL ? "✓" : "!", "storage", store_journal_mode(st),
               fs_kind_name(store_fs_kind(st)));
        if (vacuum_due)
            printf("! %-16s due (%s): run 'cidx maintain'\n", "vacuum", reason);
        if (nbackups)
            printf("  %-16s %zu kept; 'cidx restore' lists them\n", "backups", nbackups);
        printf("Verdict: %s\n", nbad ? "unhealthy" : "healthy");
    }
    store_close(st);
    store_backup_list_free(backups, nbackups);
    free(dir);
    return nbad ? CLI_FAIL : CLI_OK;
}

static const struct cli_opt opts[] = {
    {"quick", CLI_FLAG, NULL, "quick_check instead of the full integrity_check"},
};

const struct cli_command cmd_doctor = {
    .name = "doctor",
    .summary = "check the cache's health and say what to do",
    .usage = "cidx doctor [options]",
    .details = "Runs SQLite's integrity_check, the FTS5 integrity-check of the search index,\n"
               "and the ownership and edge checks of the cache. Exits 1 when any fails.",
    .opts = opts,
    .nopts = (int)ARRAY_SIZE(opts),
    .min_pos = 0,
    .max_pos = 0,
    .cache = true,
    .run = run,
};
