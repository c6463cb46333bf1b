/*
 * idx_args.c - makes untrusted compile arguments safe for libclang. A compile database comes
 * with the project, so whoever wrote the project chooses the arguments; clang can load shared
 * objects (plugins) and write files (outputs, dependency files) on their say-so. This file
 * removes every spelling of those we know, and logs each removal so the user can see why a
 * build flag was ignored.
 *
 * The classification works on one option at a time (arg_classify_option) and is reused for the
 * values behind pass-through flags (-Xclang, -mllvm, -Xarch_*), which is where cc1 options such
 * as -load hide.
 */
#include <stdlib.h>
#include <string.h>

#include "idx_int.h"

/* What one option is, when it must go. */
struct arg_verdict {
    const char *why; /* NULL: keep */
    bool takes_arg;  /* the option's value is the next argument */
};

static bool arg_is(const char *s, const char *opt)
{
    return strcmp(s, opt) == 0;
}

/* Spellings of a single option that must go, and whether the value is separate. */
static struct arg_verdict arg_classify_option(const char *s)
{
    static const char *const plugin_sep[] = {"-fplugin", "-fpass-plugin", "-load", "-add-plugin",
                                             "-plugin"};
    static const char *const plugin_prefix[] = {"-fplugin", "-fpass-plugin",
                                                "-load=", "-add-plugin=", "-plugin="};
    static const char *const out_sep[] = {"-o",
                                          "--output",
                                          "-MF",
                                          "-MT",
                                          "-MQ",
                                          "-MJ",
                                          "-dependency-file",
                                          "-dependency-dot",
                                          "-header-include-file",
                                          "--serialize-diagnostics",
                                          "-serialize-diagnostic-file"};
    static const char *const out_prefix[] = {"--output=", "-MF", "-MT", "-MQ", "-MJ"};
    static const char *const out_alone[] = {"-MD", "-MMD", "-M", "-MM"};
    struct arg_verdict v = {NULL, false};

    if (s[0] != '-')
        return v;
    for (size_t i = 0; i < ARRAY_SIZE(plugin_sep); i++)
        if (arg_is(s, plugin_sep[i]))
            return (struct arg_verdict){"plugin", true};
    if (str_starts_with(s, "-plugin-arg-"))
        return (struct arg_verdict){"plugin", true};
    for (size_t i = 0; i < ARRAY_SIZE(plugin_prefix); i++)
        if (str_starts_with(s, plugin_prefix[i]))
            return (struct arg_verdict){"plugin", false};
    for (size_t i = 0; i < ARRAY_SIZE(out_sep); i++)
        if (arg_is(s, out_sep[i]))
            return (struct arg_verdict){"output file", true};
    for (size_t i = 0; i < ARRAY_SIZE(out_alone); i++)
        if (arg_is(s, out_alone[i]))
            return (struct arg_verdict){"dependency output", false};
    for (size_t i = 0; i < ARRAY_SIZE(out_prefix); i++)
        if (str_starts_with(s, out_prefix[i]))
            return (struct arg_verdict){"output file", false};
    /* -oFILE; -ObjC is another case and the -obj* options (-object, -objcmt-*) are not outputs */
    if (s[1] == 'o' && s[2] && !str_starts_with(s, "-obj"))
        return (struct arg_verdict){"output file", false};
    if (arg_is(s, "--config"))
        return (struct arg_verdict){"config file", true};
    if (str_starts_with(s, "--config=") || str_starts_with(s, "--config-system-dir=") ||
        str_starts_with(s, "--config-user-dir="))
        return (struct arg_verdict){"config file", false};
    return v;
}

/* Pass-through flags whose next argument is an option for another tool or target. */
static bool arg_is_wrapper(const char *s)
{
    return arg_is(s, "-Xclang") || arg_is(s, "-mllvm") || str_starts_with(s, "-Xarch_") ||
           str_starts_with(s, "-Xopenmp-target");
}

/* The non-clang spelling -Xclang=V (and -mllvm=V): the wrapped value, or NULL. */
static const char *arg_wrapper_inline(const char *s)
{
    if (str_starts_with(s, "-Xclang="))
        return s + strlen("-Xclang=");
    if (str_starts_with(s, "-mllvm="))
        return s + strlen("-mllvm=");
    return NULL;
}

/* A response file that does not resolve inside the project. */
static bool arg_rsp_outside(const char *s, const struct idx_args_ctx *ctx, const char *root)
{
    char *p;
    bool under;

    if (!root || (s[1] != '/' && !ctx->directory))
        return true;
    p = idx_path_canonical(ctx->directory, s + 1);
    under = idx_path_is_under(p, root);
    free(p);
    return !under;
}

/*
 * Decides about argv[i]: *drop arguments from i must go (0: keep), or *keep arguments from i
 * are kept without looking at them as options (a wrapper and its harmless value).
 */
static void arg_decide(size_t *drop, size_t *keep, const char **why, char **argv, size_t i,
                       size_t argc)
{
    const char *s = argv[i], *inner;
    struct arg_verdict v;

    *drop = 0;
    *keep = 1;
    *why = NULL;
    if (arg_is_wrapper(s)) {
        if (i + 1 >= argc) {
            *drop = 1;
            *why = "pass-through flag without a value";
            return;
        }
        v = arg_classify_option(argv[i + 1]);
        if (!v.why) {
            *keep = 2;
            return;
        }
        *drop = 2;
        /* -Xclang -load -Xclang X: the value rides in the next pair */
        if (v.takes_arg && i + 3 < argc && arg_is(argv[i + 2], s))
            *drop = 4;
        *why = v.why;
        return;
    }
    inner = arg_wrapper_inline(s);
    if (inner) {
        v = arg_classify_option(inner);
        if (!v.why)
            return;
        *drop = 1;
        if (v.takes_arg && i + 2 < argc && arg_is_wrapper(argv[i + 1]))
            *drop = 3;
        *why = v.why;
        return;
    }
    v = arg_classify_option(s);
    if (v.why) {
        *drop = (v.takes_arg && i + 1 < argc) ? 2 : 1;
        *why = v.why;
    }
}

static void arg_log(struct strbuf *log, char **argv, size_t i, size_t n, const char *why)
{
    if (!log)
        return;
    strbuf_adds(log, "removed '");
    for (size_t k = 0; k < n; k++) {
        if (k)
            strbuf_addch(log, ' ');
        strbuf_adds(log, argv[i + k]);
    }
    strbuf_addf(log, "': %s\n", why);
}

int idx_args_sanitize(char **argv, size_t *argc, const struct idx_args_ctx *ctx, struct strbuf *log,
                      struct err *err)
{
    static const struct idx_args_ctx no_ctx = {NULL, NULL, false};
    size_t n = *argc, i = 0, w = 0;
    bool inputs_only = false;
    char *root = NULL;

    (void)err;
    if (!ctx)
        ctx = &no_ctx;
    if (ctx->project_root) {
        root = path_real(ctx->project_root);
        if (!root)
            root = idx_path_canonical(NULL, ctx->project_root);
    }
    if (ctx->has_compiler && n > 0)
        argv[w++] = argv[i++];
    while (i < n) {
        const char *s = argv[i], *why = NULL;
        size_t drop = 0, keep = 1;

        if (s[0] == '@' && s[1] && arg_rsp_outside(s, ctx, root)) {
            drop = 1;
            why = "response file outside the project";
        } else if (inputs_only) {
            /* an input file, unless a later rewrite could read it as an option */
            struct arg_verdict v = arg_classify_option(s);
            if (arg_is_wrapper(s) || arg_wrapper_inline(s) ||
                (v.why && strcmp(v.why, "plugin") == 0)) {
                drop = 1;
                why = "plugin option after '--'";
            }
        } else if (arg_is(s, "--")) {
            inputs_only = true;
        } else {
            arg_decide(&drop, &keep, &why, argv, i, n);
            /* response files are expanded before options are parsed, wrapped ones too */
            if (keep == 2 && argv[i + 1][0] == '@' && argv[i + 1][1] &&
                arg_rsp_outside(argv[i + 1], ctx, root)) {
                drop = 2;
                why = "response file outside the project";
            }
        }
        if (drop) {
            arg_log(log, argv, i, drop, why);
            for (size_t k = 0; k < drop; k++)
                free(argv[i + k]);
            i += drop;
            continue;
        }
        for (size_t k = 0; k < keep; k++)
            argv[w++] = argv[i++];
    }
    argv[w] = NULL;
    *argc = w;
    free(root);
    return 0;
}
