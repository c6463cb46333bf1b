/*
 * cmd_serve.c - `cidx serve`: the MCP server on stdin/stdout (src/mcp). This file owns the
 * process-level setup: the protocol gets a private copy of stdout and file descriptor 1 is
 * pointed at stderr, so that nothing else in the process (a library's stray printf) can corrupt
 * the protocol stream; SIGPIPE is ignored so a client that goes away ends the server cleanly.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mcp/mcp.h"

enum { O_CONFIG, O_JOBS, O_PRINT_TOOLS, O_TOOL_SET };

static const struct cli_opt opts[] = {
    [O_CONFIG] = {"config", CLI_VALUE, "FILE",
                  "config file (default: $CPP_ANALYZER_CONFIG, DIR/cpp-analyzer-config.json)"},
    [O_JOBS] = {"jobs", CLI_VALUE, "N", "parse workers for indexing (default: one per core)"},
    [O_PRINT_TOOLS] = {"print-tools-markdown", CLI_FLAG, NULL,
                       "print the tool reference (docs/TOOLS.md; with --tool-set=legacy "
                       "docs/TOOLS-legacy.md) and exit"},
    [O_TOOL_SET] = {"tool-set", CLI_VALUE, "SET",
                    "the tools offered: main (default) or legacy (the Python server's sixteen)"},
};

/* SIGTERM and SIGINT end the server the way the end of its input does (indexing cancelled,
 * parse workers stopped, exit 0): the handler only writes to this pipe. */
static int stop_pipe[2] = {-1, -1};

static void on_stop_signal(int sig)
{
    (void)sig;
    if (write(stop_pipe[1], "x", 1) < 0)
        return;
}

static int run(const struct cli_command *cmd, struct cli_args *a)
{
    struct mcp_options o;
    struct err e = {0};
    uint64_t jobs = 0;
    int out_fd, rc, set = MCP_TOOL_SET_MAIN;

    if (a->values[CLI_OPT(O_TOOL_SET)] &&
        (set = mcp_tool_set_parse(a->values[CLI_OPT(O_TOOL_SET)])) < 0)
        return cli_usage_error(cmd, "--tool-set takes main or legacy (got '%s')",
                               a->values[CLI_OPT(O_TOOL_SET)]);
    if (a->values[CLI_OPT(O_PRINT_TOOLS)]) {
        struct strbuf sb = STRBUF_INIT;
        mcp_tools_markdown_set(&sb, (enum mcp_tool_set)set);
        fwrite(sb.buf, 1, sb.len, stdout);
        strbuf_release(&sb);
        return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
    }
    if (a->values[CLI_OPT(O_JOBS)] &&
        (str_to_u64(&jobs, a->values[CLI_OPT(O_JOBS)], 256) != 0 || jobs == 0))
        return cli_usage_error(cmd, "--jobs takes a number from 1 to 256");
    if (a->values[CLI_COMMON_PROJECT] && !fs_is_dir(a->values[CLI_COMMON_PROJECT]))
        return cli_error("project directory '%s' does not exist", a->values[CLI_COMMON_PROJECT]);

    fflush(stdout);
    out_fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    if (out_fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
        return cli_error("cannot set up the protocol output");
    signal(SIGPIPE, SIG_IGN);
    if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) == 0) {
        signal(SIGTERM, on_stop_signal);
        signal(SIGINT, on_stop_signal);
    }

    memset(&o, 0, sizeof(o));
    o.in_fd = STDIN_FILENO;
    o.out_fd = out_fd;
    o.stop_fd = stop_pipe[0];
    o.project = a->values[CLI_COMMON_PROJECT];
    o.cache_dir = a->values[CLI_COMMON_CACHE_DIR];
    o.config_path = a->values[CLI_OPT(O_CONFIG)];
    o.jobs = (unsigned)jobs;
    o.tool_set = (enum mcp_tool_set)set;
    o.stderr_level = log_get_level();
    rc = mcp_serve(&o, &e);
    close(out_fd);
    if (rc != 0)
        return cli_error("%s", e.msg);
    return CLI_OK;
}

const struct cli_command cmd_serve = {
    .name = "serve",
    .summary = "serve the index to MCP clients (AI agents) over stdin/stdout",
    .usage = "cidx serve [--project DIR] [options]",
    .details =
        "Speaks MCP (JSON-RPC 2.0, one message per line) on stdin and stdout; logs go to\n"
        "stderr. With --project, indexes DIR in the background (only what changed) and answers\n"
        "queries from what is indexed so far; without it, a client picks the project with the\n"
        "set_project tool. With --cache-dir alone, serves that cache as it is. Exits when\n"
        "stdin closes. docs/mcp.md shows how to set up Claude Code, Claude Desktop and Cursor;\n"
        "docs/TOOLS.md lists the tools. --tool-set=legacy offers the tools of the earlier\n"
        "Python server instead (docs/TOOLS-legacy.md), on the same index.",
    .opts = opts,
    .nopts = (int)ARRAY_SIZE(opts),
    .min_pos = 0,
    .max_pos = 0,
    .cache = true,
    .run = run,
};
