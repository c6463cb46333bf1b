/*
 * tu_cli.h - running the built binaries from tests: a child process with its own stdin, stdout
 * and stderr, its exit code and its output.
 */
#ifndef CIDX_TU_CLI_H
#define CIDX_TU_CLI_H

struct tu_run {
    int code; /* exit code, or 128 + the signal that killed it */
    char *out, *err;
};
void tu_run_release(struct tu_run *r);

/* Runs argv (argv[0] is the program) in cwd (NULL: here) with input on stdin (NULL: empty). */
struct tu_run tu_run_in(const char *cwd, const char *input, const char *const *argv);

/* Runs the cidx binary ($CIDX_BIN, set by CTest) with a NULL-terminated argument list. */
struct tu_run tu_cidx_argv(const char *cwd, const char *const *args);
#define tu_cidx(...) tu_cidx_argv(NULL, (const char *const[]){__VA_ARGS__, NULL})
#define tu_cidx_at(cwd, ...) tu_cidx_argv(cwd, (const char *const[]){__VA_ARGS__, NULL})

/* Fails the test unless r exited with want, showing both outputs. */
#define TU_ASSERT_RUN(r, want)                                                                     \
    do {                                                                                           \
        if ((r).code != (want))                                                                    \
            fail_msg("line %d: exit %d, want %d\nstdout: %s\nstderr: %s", __LINE__, (r).code,      \
                     (want), (r).out, (r).err);                                                    \
    } while (0)

#endif
