/*
 * cmd_refs.c - `cidx refs NAME`: the CLI twin of the find_references tool. One line per use:
 * where, its roles, the enclosing symbol and the source line as it is on disk.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

enum { O_USR, O_KIND, O_SCOPE, O_ROLE, O_FILE, O_LIMIT, O_OFFSET };

static const struct cli_opt opts[] = {
    CLI_TARGET_OPTS,
    [O_ROLE] = {"role", CLI_VALUES, "R",
                "only uses with one of these roles (repeatable or comma-separated): call read "
                "write type address declaration definition"},
    [O_FILE] = {"file", CLI_VALUE, "F",
                "only uses in this file (from the current directory, the project root, or a "
                "unique path suffix)"},
    [O_LIMIT] = {"limit", CLI_VALUE, "N", "references per page, 1-1000 (default 50)"},
    [O_OFFSET] = {"offset", CLI_VALUE, "N", "skip this many references (paging)"},
};

static void render(const json_t *r, const struct cli_args *a)
{
    const json_t *refs = json_object_get(r, "references"), *e, *role;
    const json_t *target = json_object_get(r, "target");
    struct cli_table t;
    char noun[1200], nouns[1200];
    size_t i, k;

    (void)a;
    if (cli_print_unresolved(r, json_is_object(target), "no symbol matches"))
        return;
    cli_table_init(&t, 4);
    json_array_foreach(refs, i, e)
    {
        struct strbuf roles = STRBUF_INIT;
        const json_t *ctx = json_object_get(e, "context");
        const char *text = cli_jstr(e, "line_text", "");
        char loc[4200];
        cli_fmt_loc(loc, sizeof(loc), json_object_get(e, "location"));
        json_array_foreach(json_object_get(e, "roles"), k, role)
        {
            if (json_is_string(role))
                strbuf_addf(&roles, "%s%s", roles.len ? "," : "", json_string_value(role));
        }
        if (!roles.len)
            strbuf_adds(&roles, cli_jstr(e, "role", "?"));
        while (*text == ' ' || *text == '\t')
            text++;
        cli_table_add(&t, loc, roles.buf,
                      json_is_object(ctx) ? cli_jstr(ctx, "qualified_name", "?") : "-", text);
        strbuf_release(&roles);
    }
    cli_table_print(&t, "");
    cli_table_release(&t);
    snprintf(noun, sizeof(noun), "reference to %s", cli_jstr(target, "qualified_name", "?"));
    snprintf(nouns, sizeof(nouns), "references to %s", cli_jstr(target, "qualified_name", "?"));
    cli_print_page(r, json_array_size(refs), noun, nouns);
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
    cli_arg_list(a, CLI_OPT(O_ROLE), args, "roles");
    if (a->values[CLI_OPT(O_FILE)])
        cli_arg_file(args, "file", a->values[CLI_OPT(O_FILE)]);
    return cli_tool_twin(cmd, a, "find_references", args, render);
}

const struct cli_command cmd_refs = {
    .name = "refs",
    .summary = "list every use of a symbol, by role (find_references)",
    .usage = "cidx refs NAME [--role R,...] [--file F] [--limit N] [--offset N] [options]",
    .details =
        "Calls, reads, writes, type uses, address-of, declarations and definitions, ordered\n"
        "by file and line. Each line shows the place, the roles, the enclosing symbol and\n"
        "the source line as it is on disk now.",
    .opts = opts,
    .nopts = (int)ARRAY_SIZE(opts),
    .min_pos = 0,
    .max_pos = 1,
    .cache = true,
    .run = run,
};
