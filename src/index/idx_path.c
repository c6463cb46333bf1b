/*
 * idx_path.c - canonical path spelling for the indexer. Every file reaches the cache under one
 * spelling: realpath when the file exists, and a lexically normalized absolute path when it
 * does not (a compile database may name sources that were deleted or not generated yet).
 */
#include <stdlib.h>
#include <string.h>

#include "idx_int.h"

char *idx_path_normalize(const char *path)
{
    struct strbuf sb = STRBUF_INIT;
    const char *p = path;

    while (*p) {
        const char *start;
        size_t len;

        while (*p == '/')
            p++;
        start = p;
        while (*p && *p != '/')
            p++;
        len = (size_t)(p - start);
        if (len == 0 || (len == 1 && start[0] == '.'))
            continue;
        if (len == 2 && start[0] == '.' && start[1] == '.') {
            /* drop the last component; at the root ".." stays at the root */
            while (sb.len && sb.buf[sb.len - 1] != '/')
                sb.len--;
            if (sb.len)
                sb.len--;
            sb.buf[sb.len] = '\0';
            continue;
        }
        strbuf_addch(&sb, '/');
        strbuf_add(&sb, start, len);
    }
    if (!sb.len)
        strbuf_addch(&sb, '/');
    return strbuf_detach(&sb, NULL);
}

char *idx_path_canonical(const char *base, const char *path)
{
    char *abs = NULL, *real = NULL, *norm = NULL, *slash, *parent = NULL;

    if (path[0] == '/') {
        abs = xstrdup(path);
    } else if (base) {
        abs = path_join(base, path);
    } else {
        char *cwd = path_real(".");
        abs = path_join(cwd ? cwd : "/", path);
        free(cwd);
    }
    /* realpath on the spelling as given: "link/.." must follow the link, as the kernel does */
    real = path_real(abs);
    if (real)
        goto out;
    norm = idx_path_normalize(abs);
    slash = strrchr(norm, '/');
    if (slash && slash != norm) {
        *slash = '\0';
        parent = path_real(norm);
        *slash = '/';
    }
    if (parent && strcmp(parent, "/") != 0)
        real = xasprintf("%s%s", parent, slash);
    else if (parent)
        real = xstrdup(slash);
    else
        real = xstrdup(norm);
out:
    free(abs);
    free(norm);
    free(parent);
    return real;
}

bool idx_path_is_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);

    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (n == 1 && dir[0] == '/')
        return path[0] == '/';
    return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

static _Thread_local char *memo_base, *memo_path, *memo_out;

char *idx_path_canonical_memo(const char *base, const char *path)
{
    /* one entry per thread: compile databases repeat the same directory and the same project
     * root entry after entry, and each canonicalization is a walk of system calls. A NULL
     * path forgets the entry (a thread that ends must, or its memory leaks). */
    if (!path) {
        free(memo_base);
        free(memo_path);
        free(memo_out);
        memo_base = memo_path = memo_out = NULL;
        return NULL;
    }
    if (memo_out && !strcmp(path, memo_path) &&
        ((!base && !memo_base) || (base && memo_base && !strcmp(base, memo_base))))
        return xstrdup(memo_out);
    free(memo_base);
    free(memo_path);
    free(memo_out);
    memo_base = base ? xstrdup(base) : NULL;
    memo_path = xstrdup(path);
    memo_out = idx_path_canonical(base, path);
    return xstrdup(memo_out);
}
