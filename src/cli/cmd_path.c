/*
 * cmd_path.c - `cidx path FROM TO`: the CLI twin of the trace_call_path tool. One line per call
 * chain from FROM to TO, shortest first, each step with the place where the previous step calls
 * it.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

enum { O_MAX_DEPTH, O_MAX_PATHS, O_SCOPE };

static const struct cli_opt opts[] = {
    [O_MAX_DEPTH] = {"max-depth", CLI_VALUE, "N", "calls per chain at most, 1-100 (default 10)"},
    [O_MAX_PATHS] = {"max-paths", CLI_VALUE, "N", "chains to show, 1-1000 (default 10)"},
    [O_SCOPE] = {"scope", CLI_VALUE, "S",
                 "project (default) or all (dependencies and system code too)"},
};

/* The qualified name of an end of the paths (a symbol or a list of overloads), else arg. */
static const char *end_name(const json_t *end, const char *arg)
{
    if (json_is_array(end))
        end = json_array_get(end, 0);
    return json_is_object(end) ? cli_jstr(end, "qualified_name", arg) : arg;
}

static void render(const json_t *r, const struct cli_args *a)
{
    const json_t *paths = json_object_get(r, "paths"), *p, *step;
    const char *from = end_name(json_object_get(r, "from"), a->pos[0]);
    const char *to = end_name(json_object_get(r, "to"), a->pos[1]);
    struct cli_table t;
    size_t i, k, n = json_array_size(paths);

    if (cli_print_ambiguous(r)) {
        if (json_is_string(json_object_get(r, "argument")))
            printf("(the ambiguous end is %s: give it as a usr)\n",
                   !strcmp(cli_jstr(r, "argument", ""), "from") ? "FROM" : "TO");
        return;
    }
    cli_table_init(&t, 2);
    json_array_foreach(paths, i, p)
    {
        struct strbuf chain = STRBUF_INIT;
        char calls[32];
        json_array_foreach(p, k, step)
        {
            const json_t *site = json_object_get(step, "site");
            strbuf_addf(&chain, "%s%s", k ? " -> " : "", cli_jstr(step, "qualified_name", "?"));
            if (json_is_object(site)) {
                char loc[4200];
                cli_fmt_loc(loc, sizeof(loc), site);
                strbuf_addf(&chain, " (%s)", loc);
            }
        }
        k = json_array_size(p);
        snprintf(calls, sizeof(calls), "%zu call%s", k ? k - 1 : 0, k == 2 ? "" : "s");
        cli_table_add(&t, calls, chain.buf);
        strbuf_release(&chain);
    }
    cli_table_print(&t, "");
    cli_table_release(&t);
    if (n)
        printf("%zu call chain%s from %s to %s, shortest first%s\n", n, n == 1 ? "" : "s", from, to,
               json_is_true(json_object_get(r, "truncated"))
                   ? "; the search was cut short (there may be more)"
                   : "");
    else
        printf("no call chain from %s to %s\n", from, to);
    if (json_is_string(json_object_get(r, "hint")))
        printf("%s\n", cli_jstr(r, "hint", ""));
}

static int run(const struct cli_command *cmd, struct cli_args *a)
{
    json_t *args = json_object();
    int rc;
    json_object_set_new(args, "from", cli_json_str(a->pos[0]));
    json_object_set_new(args, "to", cli_json_str(a->pos[1]));
    cli_arg_str(a, CLI_OPT(O_SCOPE), args, "scope");
    if ((rc = cli_arg_uint(cmd, a, CLI_OPT(O_MAX_DEPTH), args, "max_depth")) != CLI_OK ||
        (rc = cli_arg_uint(cmd, a, CLI_OPT(O_MAX_PATHS), args, "max_paths")) != CLI_OK) {
        json_decref(args);
        return rc;
    }
    return cli_tool_twin(cmd, a, "trace_call_path", args, render);
}

const struct cli_command cmd_path = {
    .name = "path",
    .summary = "show the call chains from one function to another (trace_call_path)",
    .usage = "cidx path FROM TO [--max-depth N] [--max-paths N] [options]",
    .details = "FROM and TO are names (simple, qualified or ::global) or usrs. The search is\n"
               "breadth first, bounded and cycle safe; chains come shortest first, each step\n"
               "with the place (in parentheses) where the step before calls it. A name that\n"
               "matches overloads of one function stands for all of them.",
    .opts = opts,
    .nopts = (int)ARRAY_SIZE(opts),
    .min_pos = 2,
    .max_pos = 2,
    .cache = true,
    .run = run,
};
