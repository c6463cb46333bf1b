/*
 * cmd_stats.c - `cidx stats`: the plan's cache statistics tree (backend, path, size, symbols by
 * kind, files, last vacuum, query statistics, health), or the same as JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "cli.h"

#define MAX_CHECKS 16

static int run(const struct cli_command *cmd, struct cli_args *a)
{
    struct store *st = NULL;
    struct store_stats s;
    struct store_query_stat qs[STORE_Q_COUNT_];
    struct store_check checks[MAX_CHECKS];
    size_t nchecks = 0, nbad = 0;
    struct err e = {0};
    char buf[32], buf2[32], age[48];
    int rc;

    (void)cmd;
    rc = cli_open(a, a->values[CLI_OPT(0)] != NULL, 0, &st);
    if (rc)
        return rc;
    if (a->values[CLI_OPT(0)]) {
        if (store_qstats_reset(st, &e) != 0) {
            store_close(st);
            return cli_error("%s", e.msg);
        }
        store_close(st);
        if (a->values[CLI_COMMON_JSON])
            return cli_json_print(json_pack("{s:b}", "query_stats_reset", 1));
        printf("✓ query statistics reset\n");
        return CLI_OK;
    }
    if (store_stats_get(st, &s, &e) != 0 || store_qstats_get(st, qs, &e) != 0) {
        store_close(st);
        return cli_error("%s", e.msg);
    }
    store_check(st, true, checks, MAX_CHECKS, &nchecks, NULL);
    for (size_t i = 0; i < nchecks; i++)
        nbad += !checks[i].ok;

    if (a->values[CLI_COMMON_JSON]) {
        json_t *o = json_object(), *kinds = json_object(), *q = json_object(),
               *health = json_object(), *list = json_array();
        json_object_set_new(o, "backend", json_string("sqlite"));
        json_object_set_new(o, "sqlite_version", json_string(sqlite3_libversion()));
        json_object_set_new(o, "journal_mode", json_string(store_journal_mode(st)));
        json_object_set_new(o, "file_system", json_string(fs_kind_name(store_fs_kind(st))));
        json_object_set_new(o, "path", cli_json_str(store_db_path(st)));
        json_object_set_new(o, "size_bytes", json_integer(s.db_bytes));
        json_object_set_new(o, "wal_bytes", json_integer(s.wal_bytes));
        json_object_set_new(o, "page_size", json_integer(s.page_size));
        json_object_set_new(o, "page_count", json_integer(s.page_count));
        json_object_set_new(o, "free_pages", json_integer(s.freelist_count));
        json_object_set_new(o, "schema_version", json_integer(s.schema_version));
        json_object_set_new(o, "symbols", json_integer(s.symbols));
        for (int k = 0; k < STORE_KIND_COUNT_; k++)
            if (s.by_kind[k])
                json_object_set_new(kinds, store_kind_name((enum store_kind)k),
                                    json_integer(s.by_kind[k]));
        json_object_set_new(o, "symbols_by_kind", kinds);
        json_object_set_new(o, "files", json_integer(s.files));
        json_object_set_new(o, "project_files", json_integer(s.project_files));
        json_object_set_new(o, "references", json_integer(s.refs));
        json_object_set_new(o, "calls", json_integer(s.calls));
        json_object_set_new(o, "bases", json_integer(s.bases));
        json_object_set_new(o, "overrides", json_integer(s.overrides));
        json_object_set_new(o, "includes", json_integer(s.includes));
        json_object_set_new(o, "parse_errors", json_integer(s.parse_errors));
        json_object_set_new(o, "last_vacuum",
                            s.last_vacuum > 0 ? json_real(s.last_vacuum) : json_null());
        json_object_set_new(o, "last_indexed",
                            s.last_indexed > 0 ? json_real(s.last_indexed) : json_null());
        for (int k = 0; k < STORE_Q_COUNT_; k++) {
            json_t *one;
            if (!qs[k].count)
                continue;
            one = json_object();
            json_object_set_new(one, "count", json_integer((json_int_t)qs[k].count));
            json_object_set_new(one, "mean_ms", json_real(qs[k].mean_ms));
            json_object_set_new(one, "p95_ms", json_real(qs[k].p95_ms));
            json_object_set_new(one, "max_ms", json_real(qs[k].max_ms));
            json_object_set_new(q, qs[k].name, one);
        }
        json_object_set_new(o, "query_stats", q);
        for (size_t i = 0; i < nchecks; i++) {
            json_t *c = json_object();
            json_object_set_new(c, "name", json_string(checks[i].name));
            json_object_set_new(c, "ok", json_boolean(checks[i].ok));
            json_object_set_new(c, "detail", cli_json_str(checks[i].detail));
            json_array_append_new(list, c);
        }
        json_object_set_new(health, "ok", json_boolean(nbad == 0));
        json_object_set_new(health, "checks", list);
        json_object_set_new(o, "health", health);
        store_close(st);
        return cli_json_print(o);
    }

    printf("Cache statistics\n");
    printf("├─ Backend: SQLite %s (%s journal, %s file system)\n", sqlite3_libversion(),
           store_journal_mode(st), fs_kind_name(store_fs_kind(st)));
    printf("├─ Path: %s\n", store_db_path(st));
    str_human_bytes(buf, s.db_bytes);
    str_human_bytes(buf2, s.wal_bytes);
    printf("├─ Database size: %s (+ %s write-ahead log; %lld pages, %lld free)\n", buf, buf2,
           (long long)s.page_count, (long long)s.freelist_count);
    printf("├─ Schema version: %d\n", s.schema_version);
    cli_fmt_count(buf, s.symbols);
    printf("├─ Symbol count: %s\n", buf);
    {
        int shown = 0, nk = 0;
        for (int k = 0; k < STORE_KIND_COUNT_; k++)
            nk += s.by_kind[k] != 0;
        for (int k = 0; k < STORE_KIND_COUNT_; k++) {
            if (!s.by_kind[k])
                continue;
            cli_fmt_count(buf, s.by_kind[k]);
            printf("│  %s %s: %s\n", ++shown == nk ? "└─" : "├─",
                   store_kind_name((enum store_kind)k), buf);
        }
    }
    cli_fmt_count(buf, s.files);
    cli_fmt_count(buf2, s.project_files);
    printf("├─ Files: %s indexed (%s project, %lld dependencies)\n", buf, buf2,
           (long long)(s.files - s.project_files));
    cli_fmt_count(buf, s.refs);
    cli_fmt_count(buf2, s.calls);
    printf("├─ References: %s (%s calls), %lld base links, %lld overrides, %lld includes\n", buf,
           buf2, (long long)s.bases, (long long)s.overrides, (long long)s.includes);
    cli_fmt_age(age, s.last_indexed);
    printf("├─ Last indexed: %s\n", age);
    cli_fmt_age(age, s.last_vacuum);
    printf("├─ Last vacuum: %s\n", age);
    {
        int shown = 0, nq = 0;
        uint64_t total = 0;
        double sum = 0;
        for (int k = 0; k < STORE_Q_COUNT_; k++) {
            nq += qs[k].count != 0;
            total += qs[k].count;
            sum += qs[k].total_ms;
        }
        if (!total)
            printf("├─ Query stats: none recorded yet\n");
        else
            printf("├─ Query stats: %llu queries, %.3f ms avg\n", (unsigned long long)total,
                   sum / (double)total);
        for (int k = 0; k < STORE_Q_COUNT_; k++) {
            if (!qs[k].count)
                continue;
            printf("│  %s %s: %llu, mean %.3f ms, p95 %.3f ms, max %.3f ms\n",
                   ++shown == nq ? "└─" : "├─", qs[k].name, (unsigned long long)qs[k].count,
                   qs[k].mean_ms, qs[k].p95_ms, qs[k].max_ms);
        }
    }
    printf("├─ Parse errors: %lld\n", (long long)s.parse_errors);
    if (nbad == 0) {
        printf("└─ Health: ✓ Good%s\n",
               s.db_bytes > store_size_warn_bytes() ? " (large: consider 'cidx maintain')" : "");
    } else {
        printf("└─ Health: ✗ %zu problem%s (run 'cidx doctor')\n", nbad, nbad == 1 ? "" : "s");
        for (size_t i = 0; i < nchecks; i++)
            if (!checks[i].ok)
                printf("   ✗ %s: %s\n", checks[i].name, checks[i].detail);
    }
    store_close(st);
    return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
}

static const struct cli_opt opts[] = {
    {"reset-query-stats", CLI_FLAG, NULL, "forget the query statistics of every process"},
};

const struct cli_command cmd_stats = {
    .name = "stats",
    .summary = "show the cache's size, contents, query statistics and health",
    .usage = "cidx stats [options]",
    .details = "Health here is a quick check; 'cidx doctor' runs the full checks. Query\n"
               "statistics add up every process that used the cache since the last reset.",
    .opts = opts,
    .nopts = (int)ARRAY_SIZE(opts),
    .min_pos = 0,
    .max_pos = 0,
    .cache = true,
    .run = run,
};
