/*
 * idx_rsp.c - expanding response files (@file) of a compile command, so that what they hold is
 * sanitized like every other argument before libclang sees it. Only files inside the project
 * are read; the others stay as they are and idx_args_sanitize removes them.
 */
#include <stdlib.h>
#include <string.h>

#include "idx_int.h"

#define RSP_MAX_DEPTH 8
#define RSP_MAX_BYTES ((size_t)1 << 20)
#define RSP_MAX_ARGS 100000

struct vec {
    char **v;
    size_t n, alloc;
};

static void vec_push(struct vec *out, char *s)
{
    ALLOC_GROW(out->v, out->n + 2, out->alloc);
    out->v[out->n++] = s;
    out->v[out->n] = NULL;
}

static int expand(struct vec *out, char **argv, size_t argc, const struct idx_args_ctx *ctx,
                  const char *root, int depth, struct strbuf *log, struct err *err)
{
    for (size_t i = 0; i < argc; i++) {
        const char *a = argv[i];
        char *path, *text = NULL, **words = NULL;
        size_t len = 0, nwords = 0;
        int rc;

        if (a[0] != '@' || !a[1] || !root || (a[1] != '/' && !ctx->directory)) {
            vec_push(out, xstrdup(a));
            continue;
        }
        path = idx_path_canonical(ctx->directory, a + 1);
        if (!idx_path_is_under(path, root)) {
            free(path);
            vec_push(out, xstrdup(a)); /* idx_args_sanitize removes it */
            continue;
        }
        if (depth >= RSP_MAX_DEPTH) {
            free(path);
            return err_set(err, ERR_LIMIT,
                           "response files nest deeper than %d levels at '%s' (a loop?)",
                           RSP_MAX_DEPTH, a);
        }
        rc = fs_read_file(&text, &len, path, RSP_MAX_BYTES, err);
        if (rc == ERR_NOTFOUND) {
            if (log)
                strbuf_addf(log, "removed '%s': response file not found\n", a);
            free(path);
            continue;
        }
        if (!rc && memchr(text, '\0', len))
            rc = err_set(err, ERR_INVALID, "response file '%s' holds a NUL byte", path);
        if (!rc)
            rc = idx_shell_split(&words, &nwords, text, err);
        if (!rc && out->n + nwords > RSP_MAX_ARGS)
            rc = err_set(err, ERR_LIMIT, "response file '%s' makes more than %d arguments", path,
                         RSP_MAX_ARGS);
        if (!rc) {
            if (log)
                strbuf_addf(log, "expanded '%s' (%zu arguments)\n", a, nwords);
            rc = expand(out, words, nwords, ctx, root, depth + 1, log, err);
        }
        idx_argv_free(words, nwords);
        free(text);
        if (rc) {
            err_wrap(err, "in response file '%s'", path);
            free(path);
            return rc;
        }
        free(path);
    }
    return 0;
}

int idx_args_expand_response_files(char ***argv, size_t *argc, const struct idx_args_ctx *ctx,
                                   struct strbuf *log, struct err *err)
{
    struct vec out = {0};
    char *root = ctx && ctx->project_root ? idx_path_canonical_memo(NULL, ctx->project_root) : NULL;
    size_t skip = ctx && ctx->has_compiler && *argc ? 1 : 0;
    int rc;

    for (size_t i = 0; i < skip; i++)
        vec_push(&out, xstrdup((*argv)[i]));
    rc = expand(&out, *argv + skip, *argc - skip, ctx, root, 0, log, err);
    free(root);
    if (rc) {
        idx_argv_free(out.v, out.n);
        return rc;
    }
    if (!out.v) { /* no arguments at all: still a NULL-terminated array */
        out.v = xcalloc(1, sizeof(*out.v));
    }
    idx_argv_free(*argv, *argc);
    *argv = out.v;
    *argc = out.n;
    return 0;
}
