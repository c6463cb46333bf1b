/*
 * mcp_posix.c - the few process-level operations the server needs from the OS: finding and
 * signalling its own child processes (parse workers that outlive a cancelled run at shutdown),
 * its resident memory, and waiting for input while staying wakeable.
 *
 * Linux: children are listed in /proc/self/task/<tid>/children. Elsewhere the list is empty and
 * shutdown simply waits for the run to end.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "mcp_int.h"

int mcp_kill_children(int sig)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int n = 0;
    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL) {
        char path[64], buf[4096];
        FILE *f;
        size_t len;
        char *p, *end;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "/proc/self/task/%.20s/children", e->d_name);
        f = fopen(path, "r");
        if (!f)
            continue;
        len = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[len] = 0;
        for (p = buf; *p;) {
            long pid = strtol(p, &end, 10);
            if (end == p)
                break;
            if (pid > 1 && kill((pid_t)pid, sig) == 0)
                n++;
            p = end;
        }
    }
    closedir(d);
    return n;
}

long mcp_rss_kb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = -1, rss = -1;
    if (!f)
        return -1;
    if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
        rss = -1;
    fclose(f);
    return rss < 0 ? -1 : rss * (sysconf(_SC_PAGESIZE) / 1024);
}

int mcp_wait_readable(int fd, int wake_fd, int stop_fd)
{
    struct pollfd p[3] = {{fd, POLLIN, 0}, {wake_fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
    for (;;) {
        int r = poll(p, stop_fd >= 0 ? 3 : 2, -1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (p[1].revents || (stop_fd >= 0 && p[2].revents))
            return 0;
        if (p[0].revents)
            return 1;
    }
}
