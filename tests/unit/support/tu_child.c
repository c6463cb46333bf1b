/*
 * tu_child.c - see tu_child.h.
 */
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "tu_child.h"

void tu_pipe(int fds[2])
{
    if (pipe(fds) != 0)
        fail_msg("pipe failed: %s", strerror(errno));
}

pid_t tu_fork(void)
{
    pid_t pid;
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0)
        fail_msg("fork failed: %s", strerror(errno));
    return pid;
}

_Noreturn void tu_child_exit(int code)
{
    _exit(code);
}

int tu_wait(pid_t pid)
{
    int status = 0;
    pid_t r;
    do
        r = waitpid(pid, &status, 0);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return -1;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

bool tu_send(int fd, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    int n;
    const char *p = line;
    size_t left;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return false;
    if ((size_t)n > sizeof(line) - 2)
        n = (int)sizeof(line) - 2;
    line[n++] = '\n';
    left = (size_t)n;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        left -= (size_t)w;
    }
    return true;
}

bool tu_recv(int fd, char *buf, size_t size)
{
    size_t n = 0;
    for (;;) {
        char c;
        ssize_t r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            buf[n < size ? n : size - 1] = '\0';
            return false;
        }
        if (c == '\n')
            break;
        if (n + 1 < size)
            buf[n++] = c;
    }
    buf[n] = '\0';
    return true;
}

void tu_close(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

int tu_drop_root(void)
{
    if (geteuid() != 0)
        return 0;
    if (setgroups(0, NULL) != 0 || setgid(TU_NOBODY) != 0 || setuid(TU_NOBODY) != 0)
        return -1;
    /* Make sure it cannot be undone: a real drop refuses to regain root. */
    if (setuid(0) == 0)
        return -1;
    return 0;
}
