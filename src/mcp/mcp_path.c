/*
 * mcp_path.c - the one place where a path a tool was given becomes a file of the project:
 * resolved through the file system (symlinks and ".." as the kernel sees them) and refused when
 * the result lies outside the project root.
 */
#include <stdlib.h>
#include <string.h>

#include "mcp_int.h"

/* True when path is root or lies below it (both canonical). */
static bool inside(const char *root, const char *path)
{
    size_t n = strlen(root);
    if (n == 1 && root[0] == '/')
        return path[0] == '/';
    return strncmp(path, root, n) == 0 && (path[n] == 0 || path[n] == '/');
}

/*
 * For a path that does not exist: the canonical form of its longest existing prefix plus the
 * rest. The rest must be plain names: "." or ".." after a missing directory could only be
 * judged lexically, which a symlink before it would make wrong, so such paths are refused.
 */
static char *resolve_missing(const char *full)
{
    char *prefix = xstrdup(full), *slash, *real = NULL, *res;
    const char *rest;
    for (;;) {
        slash = strrchr(prefix, '/');
        if (!slash)
            break;
        if (slash == prefix) {
            real = xstrdup("/");
            break;
        }
        *slash = 0;
        if ((real = path_real(prefix)) != NULL)
            break;
    }
    if (!real) {
        free(prefix);
        return NULL;
    }
    rest = full + strlen(prefix);
    free(prefix);
    {
        struct strbuf sb = STRBUF_INIT;
        const char *p = rest;
        strbuf_adds(&sb, real);
        free(real);
        while (*p) {
            const char *e;
            size_t n;
            while (*p == '/')
                p++;
            if (!*p)
                break;
            e = strchr(p, '/');
            n = e ? (size_t)(e - p) : strlen(p);
            if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) {
                strbuf_release(&sb);
                return NULL;
            }
            if (sb.len == 0 || sb.buf[sb.len - 1] != '/')
                strbuf_addch(&sb, '/');
            strbuf_add(&sb, p, n);
            p += n;
        }
        res = strbuf_detach(&sb, NULL);
    }
    return res;
}

int mcp_path_resolve(char **out, const char *root, const char *path, struct err *err)
{
    char *full, *real;

    *out = NULL;
    if (!root || root[0] != '/')
        return err_set(err, ERR_INVALID, "no project root to resolve '%s' in", path ? path : "");
    if (!path || !*path)
        return err_set(err, ERR_INVALID, "the path is empty");
    full = path[0] == '/' ? xstrdup(path) : path_join(root, path);
    real = path_real(full);
    if (!real)
        real = resolve_missing(full);
    free(full);
    if (!real)
        return err_set(err, ERR_INVALID,
                       "'%s' does not exist and cannot be placed inside the project root '%s'",
                       path, root);
    if (!inside(root, real)) {
        int rc;
        if (strcmp(real, path) != 0)
            rc = err_set(err, ERR_INVALID,
                         "'%s' is outside the project root '%s' (it resolves to '%s')", path, root,
                         real);
        else
            rc = err_set(err, ERR_INVALID, "'%s' is outside the project root '%s'", path, root);
        free(real);
        return rc;
    }
    *out = real;
    return 0;
}
