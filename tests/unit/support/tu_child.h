/*
 * tu_child.h - forked child processes for tests of several processes on one cache: forking,
 * line-based messages over pipes (so the parent waits on events, never on time), waiting for a
 * child's end, and dropping root privileges.
 *
 * A child never returns into cmocka: it ends with tu_child_exit (which skips atexit handlers,
 * so neither cmocka nor the leak checker runs twice). Children report failures as lines on a
 * pipe or through their exit code; only the parent asserts.
 */
#ifndef CIDX_TU_CHILD_H
#define CIDX_TU_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A pipe; fails the test when it cannot be made. fds[0] reads, fds[1] writes. */
void tu_pipe(int fds[2]);
/* Forks (flushing stdio first); fails the test on error. Returns 0 in the child. */
pid_t tu_fork(void);
/* Ends a child immediately with code. */
_Noreturn void tu_child_exit(int code);
/*
 * Waits for pid. Returns its exit code, or 128 + the signal that killed it; -1 when waitpid
 * fails.
 */
int tu_wait(pid_t pid);

/* Writes one formatted line (a '\n' is added) to fd; false when the write failed. */
bool tu_send(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Reads one line from fd into buf (without the '\n'), blocking until it arrives. False at end
 * of file (the writer closed the pipe or died) or on error.
 */
bool tu_recv(int fd, char *buf, size_t size);
/* Closes a descriptor when it is >= 0 and sets it to -1. */
void tu_close(int *fd);

/* The uid/gid of "nobody", used to test permissions when the tests run as root. */
#define TU_NOBODY 65534
/*
 * In a child: when running as root, gives up root for good (supplementary groups, gid, uid to
 * nobody). Returns 0 on success (or when not root), -1 on failure.
 */
int tu_drop_root(void);

#endif
