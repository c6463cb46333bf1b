/*
 * cmd_callees.c - `cidx callees NAME`: the CLI twin of the find_outgoing_calls tool. One line per
 * call site: the function called, its kind, where it is called, and whether the call is
 * virtual.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

enum { O_USR, O_KIND, O_SCOPE, O_LIMIT, O_OFFSET };

static const struct cli_opt opts[] = {
    CLI_TARGET_OPTS,
    [O_LIMIT] = {"limit", CLI_VALUE, "N", "callees per page, 1-1000 (default 50)"},
    [O_OFFSET] = {"offset", CLI_VALUE, "N", "skip this many callees (paging)"},
};

static void render(const json_t *r, const struct cli_args *a)
{
    const json_t *callees = json_object_get(r, "callees"), *c, *site;
    const json_t *source = json_object_get(r, "source");
    struct cli_table t;
    char noun[1200], nouns[1200];
    size_t i, k;

    (void)a;
    if (cli_print_unresolved(r, json_is_object(source), "no function matches"))
        return;
    cli_table_init(&t, 4);
    json_array_foreach(callees, i, c)
    {
        const json_t *sym = json_object_get(c, "symbol");
        const char *what = json_is_object(sym) ? cli_jstr(sym, "qualified_name", "?") : "?";
        const char *kind = json_is_object(sym) ? cli_jstr(sym, "kind", "") : "";
        json_array_foreach(json_object_get(c, "sites"), k, site)
        {
            char loc[4200];
            cli_fmt_loc(loc, sizeof(loc), site);
            cli_table_add(&t, what, kind, loc,
                          json_is_true(json_object_get(site, "virtual")) ? "virtual" : NULL);
        }
        if (cli_jint(c, "sites_total", 0) >
            (long long)json_array_size(json_object_get(c, "sites"))) {
            char more[64];
            snprintf(more, sizeof(more), "(%lld more sites)",
                     cli_jint(c, "sites_total", 0) -
                         (long long)json_array_size(json_object_get(c, "sites")));
            cli_table_add(&t, what, kind, more, NULL);
        }
    }
    cli_table_print(&t, "");
    cli_table_release(&t);
    snprintf(noun, sizeof(noun), "function called by %s", cli_jstr(source, "qualified_name", "?"));
    snprintf(nouns, sizeof(nouns), "functions called by %s",
             cli_jstr(source, "qualified_name", "?"));
    cli_print_page(r, json_array_size(callees), noun, nouns);
    if (json_is_string(json_object_get(r, "hint")))
        printf("%s\n", cli_jstr(r, "hint", ""));
}

static int run(const struct cli_command *cmd, struct cli_args *a)
{
    json_t *args = json_object();
    int rc;
    if ((rc = cli_arg_target(cmd, a, 0, CLI_OPT(O_USR), args)) != CLI_OK ||
        (rc = cli_arg_uint(cmd, a, CLI_OPT(O_LIMIT), args, "limit")) != CLI_OK ||
        (rc = cli_arg_uint(cmd, a, CLI_OPT(O_OFFSET), args, "offset")) != CLI_OK) {
        json_decref(args);
        return rc;
    }
    return cli_tool_twin(cmd, a, "find_outgoing_calls", args, render);
}

const struct cli_command cmd_callees = {
    .name = "callees",
    .summary = "list the functions a function calls (find_outgoing_calls)",
    .usage = "cidx callees NAME [--limit N] [--offset N] [options]",
    .details = "Callees come in the order of their first call site, one line per call site.\n"
               "Calls through a function pointer have no callee the index can name.",
    .opts = opts,
    .nopts = (int)ARRAY_SIZE(opts),
    .min_pos = 0,
    .max_pos = 1,
    .cache = true,
    .run = run,
};
