/*
 * cmd_outline.c - `cidx outline FILE`: the CLI twin of the get_file_outline tool. The symbols of
 * one file, one per line, members indented under their class and namespace, and its includes.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

enum { O_PATTERN, O_LIMIT, O_OFFSET };

static const struct cli_opt opts[] = {
    [O_PATTERN] = {"pattern", CLI_VALUE, "P",
                   "only symbols whose name contains P (case-insensitive), with their parents"},
    [O_LIMIT] = {"limit", CLI_VALUE, "N", "symbols per page, 1-1000 (default 50)"},
    [O_OFFSET] = {"offset", CLI_VALUE, "N", "skip this many symbols (paging)"},
};

static void add_symbols(struct cli_table *t, const json_t *list, int depth)
{
    const json_t *s;
    size_t i;
    json_array_foreach(list, i, s)
    {
        char lines[64], name[1200];
        long long start = cli_jint(s, "line", 0), end = cli_jint(s, "end_line", start);
        if (end > start)
            snprintf(lines, sizeof(lines), "%lld-%lld", start, end);
        else
            snprintf(lines, sizeof(lines), "%lld", start);
        snprintf(name, sizeof(name), "%*s%s", depth > 16 ? 32 : depth * 2, "",
                 cli_jstr(s, "name", "?"));
        cli_table_add(t, lines, cli_jstr(s, "kind", "?"), name, cli_jstr(s, "signature", ""));
        add_symbols(t, json_object_get(s, "children"), depth + 1);
    }
}

static void render(const json_t *r, const struct cli_args *a)
{
    const json_t *inc = json_object_get(r, "includes"), *e;
    struct cli_table t;
    char total[32];
    size_t i;

    (void)a;
    if (cli_print_unresolved(r,
                             json_is_string(json_object_get(r, "file")) &&
                                 !(json_is_string(json_object_get(r, "hint")) &&
                                   !json_array_size(json_object_get(r, "symbols"))),
                             "no such file in the index"))
        return;
    cli_table_init(&t, 4);
    json_array_foreach(inc, i, e)
    {
        char line[32];
        snprintf(line, sizeof(line), "%lld", cli_jint(e, "line", 0));
        cli_table_add(&t, line, "#include", cli_jstr(e, "file", "?"), NULL);
    }
    add_symbols(&t, json_object_get(r, "symbols"), 0);
    cli_table_print(&t, "");
    cli_table_release(&t);
    cli_fmt_count(total, cli_jint(r, "total", 0));
    printf("%s: %s symbol%s, %zu include%s\n", cli_jstr(r, "file", "?"), total,
           cli_jint(r, "total", 0) == 1 ? "" : "s", json_array_size(inc),
           json_array_size(inc) == 1 ? "" : "s");
    if (json_is_integer(json_object_get(r, "next_offset")))
        printf("next page: --offset %lld\n", cli_jint(r, "next_offset", 0));
    if (json_is_string(json_object_get(r, "hint")))
        printf("%s\n", cli_jstr(r, "hint", ""));
}

static int run(const struct cli_command *cmd, struct cli_args *a)
{
    json_t *args = json_object();
    cli_arg_file(args, "file", a->pos[0]);
    cli_arg_str(a, CLI_OPT(O_PATTERN), args, "pattern");
    {
        int rc;
        if ((rc = cli_arg_uint(cmd, a, CLI_OPT(O_LIMIT), args, "limit")) != CLI_OK ||
            (rc = cli_arg_uint(cmd, a, CLI_OPT(O_OFFSET), args, "offset")) != CLI_OK) {
            json_decref(args);
            return rc;
        }
    }
    return cli_tool_twin(cmd, a, "get_file_outline", args, render);
}

const struct cli_command cmd_outline = {
    .name = "outline",
    .summary = "list the symbols of a file, nested by parent (get_file_outline)",
    .usage = "cidx outline FILE [--pattern P] [--limit N] [--offset N] [options]",
    .details =
        "FILE is a path from the current directory, a path relative to the project root, an\n"
        "absolute path inside the project, or a unique path suffix (shapes.h). A file outside\n"
        "the project (through '..' or a symlink too) is refused. Each line shows the lines a\n"
        "symbol spans, its kind, its name indented by nesting, and its signature.",
    .opts = opts,
    .nopts = (int)ARRAY_SIZE(opts),
    .min_pos = 1,
    .max_pos = 1,
    .cache = true,
    .run = run,
};
