/*
 * cmd_call.c - `cidx call TOOL [JSON]`: runs any MCP tool by name with JSON arguments, in this
 * process, through the code path of tools/call, and prints its structuredContent (or its text
 * item). What tools/call answers with an error is printed as that error: {"error": {"code":
 * -32602, "message": ...}} with exit 2, or the isError result with exit 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mcp/mcp.h"

enum { O_TEXT };

static const struct cli_opt opts[] = {
    [O_TEXT] = {"text", CLI_FLAG, NULL,
                "print the text item (the compact rendering a model reads) instead of the "
                "structuredContent"},
};

static int run(const struct cli_command *cmd, struct cli_args *a)
{
    const char *tool = a->pos[0], *text_arg = a->npos > 1 ? a->pos[1] : "{}";
    json_t *args, *result = NULL, *answer;
    json_error_t je;
    struct err te = {0};
    char *text = NULL;
    int rc;

    args = json_loads(text_arg, JSON_DECODE_ANY, &je);
    if (!args)
        return cli_usage_error(cmd, "the arguments are not JSON: %s (at character %d)", je.text,
                               je.position);
    rc = cli_tool_run(cmd, a, tool, args, &result, &text, &te);
    json_decref(args);
    if (rc == CLI_OK) {
        if (a->values[CLI_OPT(O_TEXT)]) {
            puts(text);
            rc = fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
        } else {
            rc = cli_json_print_tool(result);
        }
    } else if (te.code == ERR_INVALID) {
        answer =
            json_pack("{s:{s:i,s:o}}", "error", "code", -32602, "message", cli_json_str(te.msg));
        cli_json_print_tool(answer);
        json_decref(answer);
    } else if (te.code == ERR_GENERIC) {
        answer = json_pack("{s:[{s:s,s:o}],s:b}", "content", "type", "text", "text",
                           cli_json_str(text ? text : te.msg), "isError", 1);
        cli_json_print_tool(answer);
        json_decref(answer);
    }
    json_decref(result);
    free(text);
    return rc;
}

const struct cli_command cmd_call = {
    .name = "call",
    .summary = "run any MCP tool by name with JSON arguments",
    .usage = "cidx call TOOL ['JSON'] [--text] [options]",
    .details =
        "Runs the tool the way 'cidx serve' answers tools/call on the same cache (the project\n"
        "is --project or the one the cache indexes) and prints its structuredContent as one\n"
        "line of JSON. JSON is the arguments object (default {}), as docs/TOOLS.md lists\n"
        "them: cidx call find_references '{\"name\": \"g_counter\", \"roles\": [\"write\"]}'.\n"
        "An error the tool answers with is printed as JSON too: {\"error\": {\"code\": -32602,\n"
        "...}} for bad arguments (exit 2), the isError result for a failure (exit 1).\n"
        "set_project is refused: it belongs to a server session ('cidx index DIR' indexes).",
    .opts = opts,
    .nopts = (int)ARRAY_SIZE(opts),
    .min_pos = 1,
    .max_pos = 2,
    .cache = true,
    .run = run,
};
