/*
 * cmd_restore.c - `cidx restore [BACKUP]`: lists the pre-migration copies and damaged files
 * moved aside, or puts one back after checking it (the plan's rollback).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int run(const struct cli_command *cmd, struct cli_args *a)
{
    char *dir = cli_cache_dir(a);
    struct store_backup_info *list = NULL;
    size_t n = 0;
    struct err e = {0};
    int rc = CLI_OK;

    (void)cmd;
    if (a->npos == 0) {
        if (store_backup_list(dir, &list, &n, &e) != 0) {
            free(dir);
            return cli_error("%s", e.msg);
        }
        if (a->values[CLI_COMMON_JSON]) {
            json_t *arr = json_array(), *o = json_object();
            for (size_t i = 0; i < n; i++) {
                json_t *b = json_object();
                const char *base = strrchr(list[i].path, '/');
                json_object_set_new(b, "name", cli_json_str(base ? base + 1 : list[i].path));
                json_object_set_new(b, "path", cli_json_str(list[i].path));
                json_object_set_new(b, "reason", cli_json_str(list[i].reason));
                json_object_set_new(b, "time", json_real(list[i].when));
                json_object_set_new(b, "bytes", json_integer(list[i].bytes));
                json_array_append_new(arr, b);
            }
            json_object_set_new(o, "cache_dir", cli_json_str(dir));
            json_object_set_new(o, "backups", arr);
            rc = cli_json_print(o);
        } else if (n == 0) {
            printf("no backups in %s\n", dir);
        } else {
            printf("Backups in %s (newest first):\n", dir);
            for (size_t i = 0; i < n; i++) {
                char when[32], size[32];
                const char *base = strrchr(list[i].path, '/');
                time_format_utc(when, list[i].when);
                str_human_bytes(size, list[i].bytes);
                printf("  %-60s %-24s %s UTC  %s\n", base ? base + 1 : list[i].path, list[i].reason,
                       when, size);
            }
            printf("Put one back with: cidx restore NAME\n");
        }
        store_backup_list_free(list, n);
        free(dir);
        return rc;
    }
    if (store_restore(dir, a->pos[0], &e) != 0) {
        free(dir);
        return cli_error("%s", e.msg);
    }
    if (a->values[CLI_COMMON_JSON]) {
        json_t *o = json_object();
        json_object_set_new(o, "restored", cli_json_str(a->pos[0]));
        json_object_set_new(o, "cache_dir", cli_json_str(dir));
        rc = cli_json_print(o);
    } else {
        printf("✓ restored %s into %s\n  the previous cache was kept as a pre-restore backup\n",
               a->pos[0], dir);
    }
    free(dir);
    return rc;
}

const struct cli_command cmd_restore = {
    .name = "restore",
    .summary = "list cache backups, or put one back",
    .usage = "cidx restore [BACKUP] [options]",
    .details = "Backups are written before every schema migration and when a damaged cache is\n"
               "moved aside. BACKUP is a name from the list or a path. It is checked\n"
               "(SQLite, integrity_check, schema version) before it replaces the cache; the\n"
               "current cache is kept as a pre-restore backup. Stop servers and indexers first.",
    .opts = NULL,
    .nopts = 0,
    .min_pos = 0,
    .max_pos = 1,
    .cache = true,
    .run = run,
};
