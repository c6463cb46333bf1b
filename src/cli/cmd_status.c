/*
 * cmd_status.c - `cidx status`: the CLI twin of the get_server_status tool (whose state,
 * progress and last_refresh are sync_project's status): the project, the cache, what it holds,
 * when it was indexed, its health and the parse errors. `cidx stats` has the cache's details.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

enum { O_NO_HEALTH };

static const struct cli_opt opts[] = {
    [O_NO_HEALTH] = {"no-health", CLI_FLAG, NULL,
                     "skip the cache's quick check (it reads the whole cache file)"},
};

static void render(const json_t *r, const struct cli_args *a)
{
    const json_t *project = json_object_get(r, "project"), *cache = json_object_get(r, "cache");
    const json_t *health = json_object_get(cache, "health"), *c, *v;
    const json_t *progress = json_object_get(r, "progress"),
                 *qs = json_object_get(r, "query_stats");
    struct cli_table t;
    char buf[4400], n1[32], n2[32], size[32], age[48];
    const char *key;
    size_t i, nbad = 0;
    long long queries = 0;

    (void)a;
    cli_table_init(&t, 2);
    cli_table_add(&t, "cidx", cli_jstr(r, "version", "?"));
    cli_table_add(&t, "project", json_is_object(project) ? cli_jstr(project, "root", "?") : "none");
    if (!strcmp(cli_jstr(r, "state", ""), "indexing")) {
        snprintf(buf, sizeof(buf), "indexing: %lld of %lld files (%s)",
                 cli_jint(progress, "done_files", 0), cli_jint(progress, "total_files", 0),
                 cli_jstr(progress, "phase", ""));
        cli_table_add(&t, "state", buf);
    } else {
        cli_table_add(&t, "state", cli_jstr(r, "state", "?"));
    }
    if (json_is_string(json_object_get(r, "error")))
        cli_table_add(&t, "error", cli_jstr(r, "error", ""));
    if (json_is_object(cache)) {
        str_human_bytes(size, cli_jint(cache, "size_bytes", 0));
        snprintf(buf, sizeof(buf), "%s (%s, %s journal, %s file system)",
                 cli_jstr(cache, "path", "?"), size, cli_jstr(cache, "journal_mode", "?"),
                 cli_jstr(cache, "file_system", "?"));
        cli_table_add(&t, "cache", buf);
        cli_fmt_count(n1, cli_jint(cache, "symbols", 0));
        cli_fmt_count(n2, cli_jint(cache, "files", 0));
        snprintf(buf, sizeof(buf), "%s in %s files (%lld of them project files)", n1, n2,
                 cli_jint(cache, "project_files", 0));
        cli_table_add(&t, "symbols", buf);
        cli_fmt_count(n1, cli_jint(cache, "references", 0));
        cli_fmt_count(n2, cli_jint(cache, "calls", 0));
        snprintf(buf, sizeof(buf), "%s (%s calls)", n1, n2);
        cli_table_add(&t, "references", buf);
        v = json_object_get(cache, "last_indexed");
        cli_fmt_age(age, json_is_number(v) ? json_number_value(v) : 0);
        cli_table_add(&t, "last indexed", age);
        if (json_is_object(health)) {
            json_array_foreach(json_object_get(health, "checks"), i, c)
            {
                nbad += !json_is_true(json_object_get(c, "ok"));
            }
            if (nbad)
                snprintf(buf, sizeof(buf), "%zu problem%s (run 'cidx doctor')", nbad,
                         nbad == 1 ? "" : "s");
            else
                snprintf(buf, sizeof(buf), "good%s",
                         json_is_true(json_object_get(cache, "large"))
                             ? " (large: consider 'cidx maintain')"
                             : "");
            cli_table_add(&t, "health", buf);
            json_array_foreach(json_object_get(health, "checks"), i, c)
            {
                if (!json_is_true(json_object_get(c, "ok"))) {
                    snprintf(buf, sizeof(buf), "%s: %s", cli_jstr(c, "name", "?"),
                             cli_jstr(c, "detail", ""));
                    cli_table_add(&t, "", buf);
                }
            }
        } else {
            cli_table_add(&t, "health", "not checked");
        }
    } else {
        cli_table_add(&t, "cache", "none");
    }
    json_object_foreach((json_t *)qs, key, v)
    {
        queries += cli_jint(v, "count", 0);
    }
    cli_fmt_count(n1, queries);
    snprintf(buf, sizeof(buf), "%s recorded ('cidx stats' has the latencies)", n1);
    cli_table_add(&t, "queries", buf);
    cli_fmt_count(n1, cli_jint(json_object_get(r, "parse_errors"), "total", 0));
    cli_table_add(&t, "parse errors", n1);
    cli_table_print(&t, "");
    cli_table_release(&t);
}

static int run(const struct cli_command *cmd, struct cli_args *a)
{
    json_t *args = json_object();
    if (a->values[CLI_OPT(O_NO_HEALTH)])
        json_object_set_new(args, "health_check", json_false());
    return cli_tool_twin(cmd, a, "get_server_status", args, render);
}

const struct cli_command cmd_status = {
    .name = "status",
    .summary = "show the project, its index and its health (get_server_status)",
    .usage = "cidx status [--no-health] [options]",
    .details = "The project the cache indexes, its state, what the cache holds, when it was last\n"
               "indexed, its health (a quick check) and the parse errors. --json prints the\n"
               "get_server_status tool's answer, which holds sync_project's status (state,\n"
               "progress, last_refresh) too. 'cidx stats' shows more about the cache.",
    .opts = opts,
    .nopts = (int)ARRAY_SIZE(opts),
    .min_pos = 0,
    .max_pos = 0,
    .cache = true,
    .run = run,
};
