/*
 * main.c - the cidx command line: the table of subcommands, help and version, and dispatch.
 * Help texts are generated from the same descriptors the parser uses, so they cannot drift.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "cli.h"

const struct cli_command *const cli_commands[] = {
    &cmd_index,   &cmd_search,  &cmd_show,  &cmd_outline,      &cmd_hierarchy,
    &cmd_callers, &cmd_callees, &cmd_path,  &cmd_refs,         &cmd_source,
    &cmd_status,  &cmd_call,    &cmd_stats, &cmd_doctor,       &cmd_maintain,
    &cmd_restore, &cmd_dump,    &cmd_serve, &cmd_migrate_json, &cmd_export_json,
};
const int cli_ncommands = (int)ARRAY_SIZE(cli_commands);

static void print_version(void)
{
    printf("cidx %s (SQLite %s, schema version %d)\n", CIDX_VERSION, sqlite3_libversion(),
           STORE_SCHEMA_VERSION);
}

static void print_help(FILE *f)
{
    fprintf(f, "cidx %s - a C/C++ code index for agents and people\n\n", CIDX_VERSION);
    fprintf(f, "usage: cidx COMMAND [options]\n\ncommands:\n");
    for (int i = 0; i < cli_ncommands; i++)
        fprintf(f, "  %-10s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
    fprintf(f, "  %-10s %s\n", "help", "show help for cidx or one command");
    fprintf(f, "  %-10s %s\n", "version", "print the version");
    fprintf(f, "\nRun 'cidx help COMMAND' for a command's options.\n"
               "Exit codes: 0 success, 1 failure, 2 usage error.\n"
               "The cache lives in --cache-dir, else $CLANG_INDEX_CACHE_DIR, else\n"
               "$XDG_CACHE_HOME/cidx/<project>-<hash> for --project (default: the current "
               "directory).\n");
}

static const struct cli_command *find_command(const char *name)
{
    for (int i = 0; i < cli_ncommands; i++)
        if (!strcmp(cli_commands[i]->name, name))
            return cli_commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    const struct cli_command *cmd;
    struct cli_args args;
    const char *lvl = getenv("CIDX_LOG_LEVEL");
    int rc;

    if (lvl && !strcmp(lvl, "debug"))
        log_set_level(LOG_DEBUG);
    else if (lvl && !strcmp(lvl, "info"))
        log_set_level(LOG_INFO);
    if (argc < 2) {
        print_help(stderr);
        return CLI_USAGE;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        print_version();
        return CLI_OK;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        if (argc > 2 && strcmp(argv[1], "help") == 0) {
            cmd = find_command(argv[2]);
            if (!cmd) {
                if (!strcmp(argv[2], "help") || !strcmp(argv[2], "version")) {
                    print_help(stdout);
                    return CLI_OK;
                }
                fprintf(stderr, "cidx: unknown command '%s'; run 'cidx help' for the list\n",
                        argv[2]);
                return CLI_USAGE;
            }
            cli_print_command_help(stdout, cmd);
            return CLI_OK;
        }
        print_help(stdout);
        return CLI_OK;
    }
    cmd = find_command(argv[1]);
    if (!cmd) {
        fprintf(stderr, "cidx: unknown command '%s'; run 'cidx help' for the list\n", argv[1]);
        return CLI_USAGE;
    }
    rc = cli_parse(cmd, argc - 1, argv + 1, &args);
    if (rc != CLI_OK)
        return rc;
    if (args.values[CLI_COMMON_HELP]) {
        cli_print_command_help(stdout, cmd);
        cli_args_release(&args);
        return CLI_OK;
    }
    rc = cmd->run(cmd, &args);
    cli_args_release(&args);
    return rc;
}
