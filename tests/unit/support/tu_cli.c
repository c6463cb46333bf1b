/*
 * tu_cli.c - running the built binaries from tests (tu_cli.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tu_cli.h"
#include "util/util.h"

void tu_run_release(struct tu_run *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof(*r));
}

static char *slurp_fd(int fd)
{
    struct strbuf sb = STRBUF_INIT;
    char buf[4096];
    ssize_t n;
    lseek(fd, 0, SEEK_SET);
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        strbuf_add(&sb, buf, (size_t)n);
    return strbuf_detach(&sb, NULL);
}

struct tu_run tu_run_in(const char *cwd, const char *input, const char *const *argv)
{
    struct tu_run r = {0};
    char outp[] = "/tmp/cidx-run-out-XXXXXX", errp[] = "/tmp/cidx-run-err-XXXXXX";
    char inp[] = "/tmp/cidx-run-in-XXXXXX";
    int ofd = mkstemp(outp), efd = mkstemp(errp), ifd = mkstemp(inp), status = 0;
    pid_t pid;

    if (ofd < 0 || efd < 0 || ifd < 0)
        fail_msg("mkstemp failed");
    if (input && write(ifd, input, strlen(input)) != (ssize_t)strlen(input))
        fail_msg("cannot write the input");
    lseek(ifd, 0, SEEK_SET);
    pid = fork();
    if (pid == 0) {
        dup2(ifd, 0);
        dup2(ofd, 1);
        dup2(efd, 2);
        if (cwd && chdir(cwd) != 0)
            _exit(126);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = slurp_fd(ofd);
    r.err = slurp_fd(efd);
    close(ofd);
    close(efd);
    close(ifd);
    unlink(outp);
    unlink(errp);
    unlink(inp);
    return r;
}

struct tu_run tu_cidx_argv(const char *cwd, const char *const *args)
{
    const char *argv[64];
    const char *bin = getenv("CIDX_BIN");
    int n = 0;
    if (!bin)
        fail_msg("CIDX_BIN is not set (run through ctest)");
    argv[n++] = bin;
    for (int i = 0; args[i] && n < 63; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    return tu_run_in(cwd, NULL, argv);
}
