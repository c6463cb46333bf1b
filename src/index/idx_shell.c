/*
 * idx_shell.c - splits a "command" string of a compile database into words, as a POSIX shell
 * would tokenize it, without running a shell and without expanding anything. A command line
 * from a build file is untrusted: handing it to /bin/sh would run whatever it contains.
 */
#include <stdlib.h>

#include "index.h"

static void argv_push(char ***argv, size_t *argc, size_t *alloc, struct strbuf *word)
{
    ALLOC_GROW(*argv, *argc + 2, *alloc);
    (*argv)[(*argc)++] = strbuf_detach(word, NULL);
    (*argv)[*argc] = NULL;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int idx_shell_split(char ***argv, size_t *argc, const char *cmd, struct err *err)
{
    struct strbuf word = STRBUF_INIT;
    char **out = NULL;
    size_t n = 0, alloc = 0;
    bool in_word = false;
    const char *p = cmd;
    int rc = 0;

    *argv = NULL;
    *argc = 0;
    while (*p) {
        char c = *p;

        if (is_blank(c)) {
            if (in_word)
                argv_push(&out, &n, &alloc, &word);
            in_word = false;
            p++;
        } else if (c == '\'') {
            const char *start = ++p;
            while (*p && *p != '\'')
                p++;
            if (!*p) {
                rc = err_set(err, ERR_INVALID, "unterminated single quote at offset %zu",
                             (size_t)(start - 1 - cmd));
                goto out;
            }
            strbuf_add(&word, start, (size_t)(p - start));
            p++;
            in_word = true;
        } else if (c == '"') {
            size_t open = (size_t)(p - cmd);
            p++;
            while (*p && *p != '"') {
                if (*p == '\\' && (p[1] == '"' || p[1] == '\\' || p[1] == '$' || p[1] == '`')) {
                    strbuf_addch(&word, p[1]);
                    p += 2;
                } else if (*p == '\\' && p[1] == '\n') {
                    p += 2;
                } else {
                    strbuf_addch(&word, *p++);
                }
            }
            if (!*p) {
                rc = err_set(err, ERR_INVALID, "unterminated double quote at offset %zu", open);
                goto out;
            }
            p++;
            in_word = true;
        } else if (c == '\\') {
            if (p[1] == '\n') {
                p += 2; /* line continuation: not part of any word */
            } else if (p[1]) {
                strbuf_addch(&word, p[1]);
                p += 2;
                in_word = true;
            } else {
                strbuf_addch(&word, '\\'); /* a lone trailing backslash is kept literally */
                p++;
                in_word = true;
            }
        } else {
            strbuf_addch(&word, c);
            p++;
            in_word = true;
        }
    }
    if (in_word)
        argv_push(&out, &n, &alloc, &word);
    if (!out) {
        out = xcalloc(1, sizeof(*out));
    }
    *argv = out;
    *argc = n;
    out = NULL;
out:
    strbuf_release(&word);
    idx_argv_free(out, n);
    return rc;
}

void idx_argv_free(char **argv, size_t argc)
{
    if (!argv)
        return;
    for (size_t i = 0; i < argc; i++)
        free(argv[i]);
    free(argv);
}
