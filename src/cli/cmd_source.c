/*
 * cmd_source.c - `cidx source NAME`: the CLI twin of the get_source tool. The source text of a
 * symbol's definition (or declaration) read by its indexed extent, with line numbers, and a
 * warning when the file changed since it was indexed.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

enum { O_USR, O_KIND, O_SCOPE, O_DECLARATION, O_CONTEXT };

static const struct cli_opt opts[] = {
    CLI_TARGET_OPTS,
    [O_DECLARATION] = {"declaration", CLI_FLAG, NULL, "the declaration instead of the definition"},
    [O_CONTEXT] = {"context", CLI_VALUE, "N", "lines to show before and after, 0-50 (default 0)"},
};

static void render(const json_t *r, const struct cli_args *a)
{
    const json_t *sym = json_object_get(r, "symbol");
    const char *text = json_string_value(json_object_get(r, "text")), *p;
    long long line = cli_jint(r, "start_line", 1), last = cli_jint(r, "end_line", line);
    int width;
    char buf[32];

    (void)a;
    if (cli_print_unresolved(r, text != NULL, "no source for this symbol"))
        return;
    if (last > line)
        snprintf(buf, sizeof(buf), "-%lld", last);
    else
        buf[0] = '\0';
    printf("%s:%lld%s: %s of %s\n", cli_jstr(r, "file", "?"), line, buf,
           cli_jstr(r, "which", "source"),
           json_is_object(sym) ? cli_jstr(sym, "qualified_name", "?") : "?");
    if (json_is_true(json_object_get(r, "stale")))
        printf("warning: %s\n", cli_jstr(r, "message", "the file changed since it was indexed"));
    width = snprintf(buf, sizeof(buf), "%lld", last > line ? last : line);
    for (p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        printf("%*lld  %.*s\n", width, line++, (int)n, p);
        p += n + (nl != NULL);
    }
    if (json_is_true(json_object_get(r, "truncated")))
        printf("(cut at 100 KB)\n");
}

static int run(const struct cli_command *cmd, struct cli_args *a)
{
    json_t *args = json_object();
    int rc;
    if ((rc = cli_arg_target(cmd, a, 0, CLI_OPT(O_USR), args)) != CLI_OK ||
        (rc = cli_arg_uint(cmd, a, CLI_OPT(O_CONTEXT), args, "context_lines")) != CLI_OK) {
        json_decref(args);
        return rc;
    }
    if (a->values[CLI_OPT(O_DECLARATION)])
        json_object_set_new(args, "which", json_string("declaration"));
    return cli_tool_twin(cmd, a, "get_source", args, render);
}

const struct cli_command cmd_source = {
    .name = "source",
    .summary = "print the source of a symbol (get_source)",
    .usage = "cidx source NAME [--declaration] [--context N] [options]",
    .details = "Reads the file by the extent the index recorded, with line numbers. When the\n"
               "file changed since it was indexed, says so (the lines may have moved): run\n"
               "'cidx index' to refresh. --json has the text alone.",
    .opts = opts,
    .nopts = (int)ARRAY_SIZE(opts),
    .min_pos = 0,
    .max_pos = 1,
    .cache = true,
    .run = run,
};
