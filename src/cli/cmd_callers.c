/*
 * cmd_callers.c - `cidx callers NAME`: the CLI twin of the find_incoming_calls tool. One line per
 * call site: the calling function, where it calls, and the base method a virtual call went
 * through.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

enum { O_USR, O_KIND, O_SCOPE, O_NO_VIRTUAL, O_LIMIT, O_OFFSET };

static const struct cli_opt opts[] = {
    CLI_TARGET_OPTS,
    [O_NO_VIRTUAL] = {"no-virtual", CLI_FLAG, NULL,
                      "count only calls to the function itself, not virtual calls through a "
                      "base method it overrides"},
    [O_LIMIT] = {"limit", CLI_VALUE, "N", "callers per page, 1-1000 (default 50)"},
    [O_OFFSET] = {"offset", CLI_VALUE, "N", "skip this many callers (paging)"},
};

static void render(const json_t *r, const struct cli_args *a)
{
    const json_t *callers = json_object_get(r, "callers"), *c, *site;
    const json_t *target = json_object_get(r, "target");
    struct cli_table t;
    char noun[1200], nouns[1200];
    size_t i, k;

    (void)a;
    if (cli_print_unresolved(r, json_is_object(target), "no function matches"))
        return;
    cli_table_init(&t, 3);
    json_array_foreach(callers, i, c)
    {
        const json_t *sym = json_object_get(c, "symbol");
        const char *who =
            json_is_object(sym) ? cli_jstr(sym, "qualified_name", "?") : "(outside any function)";
        json_array_foreach(json_object_get(c, "sites"), k, site)
        {
            char loc[4200], note[1100] = "";
            cli_fmt_loc(loc, sizeof(loc), site);
            if (json_is_string(json_object_get(site, "via")))
                snprintf(note, sizeof(note), "via %s", cli_jstr(site, "via", ""));
            cli_table_add(&t, who, loc, note);
        }
        if (cli_jint(c, "sites_total", 0) >
            (long long)json_array_size(json_object_get(c, "sites"))) {
            char more[64];
            snprintf(more, sizeof(more), "(%lld more sites)",
                     cli_jint(c, "sites_total", 0) -
                         (long long)json_array_size(json_object_get(c, "sites")));
            cli_table_add(&t, who, more, NULL);
        }
    }
    cli_table_print(&t, "");
    cli_table_release(&t);
    snprintf(noun, sizeof(noun), "caller of %s", cli_jstr(target, "qualified_name", "?"));
    snprintf(nouns, sizeof(nouns), "callers of %s", cli_jstr(target, "qualified_name", "?"));
    cli_print_page(r, json_array_size(callers), noun, nouns);
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
    if (a->values[CLI_OPT(O_NO_VIRTUAL)])
        json_object_set_new(args, "include_virtual", json_false());
    return cli_tool_twin(cmd, a, "find_incoming_calls", args, render);
}

const struct cli_command cmd_callers = {
    .name = "callers",
    .summary = "list the callers of a function, with call sites (find_incoming_calls)",
    .usage = "cidx callers NAME [--no-virtual] [--limit N] [--offset N] [options]",
    .details = "A virtual call through a base-class method that NAME overrides counts too (the\n"
               "line says via which method) unless --no-virtual. Callers are ordered by name,\n"
               "one line per call site.",
    .opts = opts,
    .nopts = (int)ARRAY_SIZE(opts),
    .min_pos = 0,
    .max_pos = 1,
    .cache = true,
    .run = run,
};
