/*
 * idx_path.c - canonical path spelling for the indexer. Every file reaches the cache under one
 * spelling: realpath when the file exists, and a lexically normalized absolute path when it
 * does not (a compile database may name sources that were deleted or not generated yet).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "idx_int.h"

/*
 * What one run remembers (per thread, from idx_path_memo_begin to idx_path_canonical_memo(NULL,
 * NULL)): the canonical spelling of each (base, path) asked for through the memo, and the
 * realpath of each directory the sources live in. A compile database names a few hundred
 * directories and thousands of files in them: a file's realpath is then its directory's and one
 * lstat instead of a readlink per component. A file-system change during the run is not seen.
 */
struct path_memo {
    struct strmap canon; /* base \x1f path -> canonical spelling (in mem) */
    struct strmap dirs;  /* directory -> its realpath (in mem), NULL: it does not resolve */
    struct arena mem;
};

static _Thread_local struct path_memo *memo;

void idx_path_memo_begin(void)
{
    if (!memo)
        memo = xcalloc(1, sizeof(*memo));
}

/* realpath(abs), through the directory memo when the run keeps one. */
static char *real_of(const char *abs)
{
    const char *slash = strrchr(abs, '/'), *rd;
    struct stat sb;
    char *dir, *full;
    size_t n = strlen(abs);

    if (!memo || !slash || slash == abs || !slash[1] || strstr(abs, "//") || strstr(abs, "/./") ||
        strstr(abs, "/../") || (n >= 2 && !strcmp(abs + n - 2, "/.")) ||
        (n >= 3 && !strcmp(abs + n - 3, "/..")))
        return path_real(abs);
    dir = xstrndup(abs, (size_t)(slash - abs));
    if (strmap_has(&memo->dirs, dir)) {
        rd = strmap_get(&memo->dirs, dir);
    } else {
        char *r = path_real(dir);
        rd = r ? arena_strdup(&memo->mem, r) : NULL;
        free(r);
        strmap_put(&memo->dirs, dir, (void *)rd);
    }
    free(dir);
    if (!rd)
        return path_real(abs);
    /* the directory resolves: the file is rd/name unless the name is a link (or is not there) */
    full = strcmp(rd, "/") ? xasprintf("%s%s", rd, slash) : xstrdup(slash);
    if (lstat(full, &sb) == 0 && !S_ISLNK(sb.st_mode))
        return full;
    free(full);
    return path_real(abs);
}

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
    real = real_of(abs);
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

char *idx_path_canonical_memo(const char *base, const char *path)
{
    struct strbuf key = STRBUF_INIT;
    const char *hit;
    char *out;

    if (!path) {
        if (memo) {
            strmap_clear(&memo->canon);
            strmap_clear(&memo->dirs);
            arena_release(&memo->mem);
            free(memo);
            memo = NULL;
        }
        return NULL;
    }
    if (!memo)
        return idx_path_canonical(base, path);
    strbuf_adds(&key, base ? base : "");
    strbuf_addch(&key, '\x1f');
    strbuf_adds(&key, path);
    hit = strmap_get(&memo->canon, key.buf);
    if (hit) {
        strbuf_release(&key);
        return xstrdup(hit);
    }
    out = idx_path_canonical(base, path);
    strmap_put(&memo->canon, key.buf, arena_strdup(&memo->mem, out));
    strbuf_release(&key);
    return out;
}
