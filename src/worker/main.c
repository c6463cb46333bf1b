/*
 * main.c - `cidx-worker ROOT [CONFIG]`: a parse worker of `cidx index`. It is a separate
 * executable so that libclang (and the LLVM it drags in: ~60 MB resident and tens of
 * milliseconds of start-up) is loaded only by the processes that parse, never by the indexer's
 * parent, the CLI or the MCP server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index/index.h"

int main(int argc, char **argv)
{
    int out;
    const char *lvl = getenv("CIDX_LOG_LEVEL");
    if (lvl && !strcmp(lvl, "debug"))
        log_set_level(LOG_DEBUG);
    else if (lvl && !strcmp(lvl, "info"))
        log_set_level(LOG_INFO);
    if (argc < 2 || isatty(0)) {
        fprintf(stderr, "cidx-worker: a parse worker started by 'cidx index', not by hand\n"
                        "usage: cidx-worker ROOT [CONFIG] (tasks on stdin, records on stdout)\n");
        return 2;
    }
    /* the protocol gets its own descriptor; stray output to stdout goes to stderr instead */
    out = dup(1);
    if (out < 0 || dup2(2, 1) < 0)
        return 1;
    return idx_worker_main(0, out, argv[1], argc > 2 && *argv[2] ? argv[2] : NULL);
}
