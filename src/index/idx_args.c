/*
 * idx_args.c - makes untrusted compile arguments safe for libclang. A compile database comes
 * with the project, so whoever wrote the project chooses the arguments; clang can load shared
 * objects (plugins), read configuration and response files that hold more options, and write
 * files (outputs, dependency files) on their say-so. This file removes every spelling of those
 * we know, and logs each removal so the user can see why a build flag was ignored.
 *
 * The model follows how the clang driver reads a command line:
 *
 *  1. The top level is a list of driver words. One word at a time is classified
 *     (arg_classify_option); a dangerous option goes together with its separate value.
 *  2. Pass-through flags hand their values to another consumer, and every consumer sees ALL
 *     values of its family, in order, as one list: -Xclang V and -Xclang=V go to cc1 (so
 *     "-Xclang -load -DX -Xclang P" loads P), -Wp,A,B and -Xpreprocessor V to cc1 as well,
 *     -Xanalyzer V to cc1 under --analyze, -mllvm V / -mllvm=V to LLVM's option parser,
 *     -Xflang V to flang's frontend; clang-cl's /clang:V and -clang:V, -Xarch_* V and
 *     -Xopenmp-target[=T] V are driver words again. Each family's values form a token list
 *     that is sanitized with the same rules (san_list, recursively, nesting bounded), so
 *     "/clang:-Xclang /clang:-load /clang:-Xclang /clang:P" is found like "-Xclang -load ...".
 *  3. Values for tools that never run while parsing (linker: -Wl,, -Xlinker, clang-cl's /link
 *     rest; assembler: -Wa,, -Xassembler; CUDA and offload tools) are kept, except what makes
 *     that tool load code or read more options (san_tool).
 *  4. Removal is per original argument: a token that must go takes every argv word it came
 *     from (a -Wp,A,B word goes whole when A or B must go), and its value's words when the
 *     option takes a separate one. Each removal is one log line naming those words in order.
 *
 * The decisions err on the side of removing: a harmless word mistaken for a dangerous option
 * costs a build flag, the opposite costs arbitrary code. No response file survives: the
 * caller expands the ones inside the project first (idx_args_expand_response_files), so a
 * top-level @file still here is outside the project or could not be expanded; behind a
 * pass-through flag (-Wp,@F, -Xclang=@F, -mllvm=@F) cc1 and LLVM would expand it on their own.
 */
#include <stdlib.h>
#include <string.h>

#include "idx_int.h"

/* Deeper nesting of pass-through flags than this is not a real build: it is all removed. */
#define ARG_MAX_DEPTH 8

/* What one option is, when it must go. */
struct arg_verdict {
    const char *why; /* NULL: keep */
    bool takes_arg;  /* the option's value is the next word */
};

/* Who receives the values of a pass-through flag. */
enum arg_family {
    FAM_CC1,      /* -Xclang V, -Xclang=V */
    FAM_PP,       /* -Wp,A,B, -Xpreprocessor V (cc1 too, at another place of its command) */
    FAM_ANALYZER, /* -Xanalyzer V */
    FAM_MLLVM,    /* -mllvm V, -mllvm=V */
    FAM_FLANG,    /* -Xflang V */
    FAM_ARCH,     /* -Xarch_* V, -Xopenmp-target[=T] V: a driver word for another target */
    FAM_CL,       /* /clang:V, -clang:V: a driver word for the clang driver under clang-cl */
    FAM_TOOL,     /* linker, assembler, CUDA and offload tools */
    FAM_COUNT,
};

enum arg_list_kind {
    LIST_TOP,    /* the command line itself */
    LIST_DRIVER, /* driver words from /clang:, -Xarch_*, -Xopenmp-target */
    LIST_INNER,  /* cc1 or LLVM options */
    LIST_TOOL,   /* options for a tool that never runs while parsing */
};

/* One word as some consumer sees it; own/nown name the argv words it came from. */
struct arg_tok {
    const char *s;
    size_t own, nown; /* a range of arg_san.own */
    bool top;         /* an argv word itself (the driver expands @file there) */
};

struct arg_toks {
    struct arg_tok *v;
    size_t n, alloc;
};

/* One sanitizing run. */
struct arg_san {
    char **argv;
    size_t argc;
    const struct idx_args_ctx *ctx;
    const char *root; /* canonical project root, or NULL */
    bool cl;          /* the command line is read in clang-cl mode */
    size_t *own;      /* owner pool: argv indices */
    size_t nown, own_alloc;
    size_t *mark; /* per argv word: removal group + 1, or 0 to keep */
    const char **why;
    size_t ngroups, why_alloc;
    char **strs; /* pieces split off comma lists, freed at the end */
    size_t nstrs, strs_alloc;
};

static bool arg_is(const char *s, const char *opt)
{
    return strcmp(s, opt) == 0;
}

static bool arg_in(const char *s, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (arg_is(s, set[i]))
            return true;
    return false;
}

static bool arg_has_prefix_in(const char *s, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (str_starts_with(s, set[i]))
            return true;
    return false;
}

/*
 * clang-cl options that write files, name without the leading '/' or '-'. Only consulted in
 * cl mode: in GCC mode "/Fo..." is a path and "-Fo..." a framework directory. /Fo: /Fe: /Fi:
 * /Fp: /o and /sourceDependencies take the next word when nothing is joined (checked with
 * clang-cl 19); the others are joined only. /Fc /Fh /Fre /Frs are clang-dxc's.
 */
static struct arg_verdict arg_classify_cl(const char *name)
{
    static const char *const sep[] = {
        "Fo:", "Fe:", "Fi:", "Fp:", "o", "sourceDependencies", "sourceDependencies:directives"};
    static const char *const prefix[] = {
        "Fo", "Fe", "Fd", "Fp", "Fa", "FA", "Fi",  "Fm",
        "FR", "Fr", "Fx", "Fc", "Fh", "Yc", "doc", "sourceDependencies"};

    if (arg_in(name, sep, ARRAY_SIZE(sep)))
        return (struct arg_verdict){"output file", true};
    if (arg_has_prefix_in(name, prefix, ARRAY_SIZE(prefix)))
        return (struct arg_verdict){"output file", false};
    /* /oFILE, but /openmp, /openmp- and /openmp:experimental are options */
    if (name[0] == 'o' && !str_starts_with(name, "openmp"))
        return (struct arg_verdict){"output file", false};
    return (struct arg_verdict){NULL, false};
}

/*
 * Spellings of a single option that must go, and whether the value is separate. The lists are
 * the union of the driver's and cc1's spellings (a cc1 option given to the driver is harmless
 * or an error, and the other way round: removing it is never wrong). cl: the word is a top-level
 * word of a clang-cl command line.
 */
static struct arg_verdict arg_classify_option(const char *s, bool cl)
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
                                          "-serialize-diagnostic-file",
                                          "-dumpdir",
                                          "-module-dependency-dir",
                                          "-opt-record-file",
                                          "-info-output-file"};
    static const char *const out_prefix[] = {"--output=",
                                             "-MF",
                                             "-MT",
                                             "-MQ",
                                             "-MJ",
                                             "-ftime-trace=",
                                             "-save-temps=",
                                             "--save-temps=",
                                             "-save-stats=",
                                             "--save-stats=",
                                             "-stats-file=",
                                             "-fcrash-diagnostics-dir=",
                                             "-fproc-stat-report=",
                                             "-fsave-optimization-record=",
                                             "-foptimization-record-file=",
                                             "-fmodule-output=",
                                             "-info-output-file="};
    static const char *const out_alone[] = {"-ftime-trace",   "-save-temps",
                                            "--save-temps",   "-save-stats",
                                            "--save-stats",   "-fsave-optimization-record",
                                            "-fmodule-output"};
    static const char *const dep_alone[] = {"-MD", "-MMD", "-M", "-MM"};
    /* under clang-cl these are /MD /MT /MDd /MTd (the C runtime; they define _MT, _DLL) */
    static const char *const cl_runtime[] = {"-MD", "-MDd", "-MT", "-MTd"};
    struct arg_verdict v = {NULL, false};

    if (cl && (s[0] == '/' || s[0] == '-')) {
        if (arg_in(s, cl_runtime, ARRAY_SIZE(cl_runtime)) || str_starts_with(s, "-openmp"))
            return v;
        v = arg_classify_cl(s + 1);
        if (v.why)
            return v;
    }
    if (s[0] != '-')
        return v;
    if (arg_in(s, plugin_sep, ARRAY_SIZE(plugin_sep)))
        return (struct arg_verdict){"plugin", true};
    if (str_starts_with(s, "-plugin-arg-"))
        return (struct arg_verdict){"plugin", true}; /* cc1: -plugin-arg-NAME VALUE */
    if (arg_has_prefix_in(s, plugin_prefix, ARRAY_SIZE(plugin_prefix)))
        return (struct arg_verdict){"plugin", false};
    /*
     * Programs the driver runs to link or to build CUDA code, chosen by path. They never run
     * while parsing, but they are code the project names, and they cost nothing to drop.
     * -fuse-ld=lld (a name, not a path: the toolchain's own linker) is common in CXXFLAGS
     * and kept; -B is kept because it also steers the GCC installation detection, that is
     * the system include directories (its programs, too, only run to assemble or link).
     */
    if ((str_starts_with(s, "-fuse-ld=") && strchr(s, '/')) || str_starts_with(s, "--ld-path=") ||
        str_starts_with(s, "--ptxas-path="))
        return (struct arg_verdict){"program to run", false};
    if (arg_in(s, out_sep, ARRAY_SIZE(out_sep)))
        return (struct arg_verdict){"output file", true};
    if (arg_in(s, dep_alone, ARRAY_SIZE(dep_alone)))
        return (struct arg_verdict){"dependency output", false};
    if (arg_in(s, out_alone, ARRAY_SIZE(out_alone)) ||
        arg_has_prefix_in(s, out_prefix, ARRAY_SIZE(out_prefix)))
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

/*
 * Driver options whose value is the next word and is never an option itself (clang parses
 * them as Separate or JoinedOrSeparate), so the value is skipped rather than classified: a
 * clang-cl "-I /opt/inc" must not read as "/o pt/inc". Harmless options only: a dangerous one
 * is classified with its value above.
 */
static bool arg_takes_plain_value(const char *s, bool cl)
{
    static const char *const both[] = {"-I",      "-D",         "-U",       "-isystem",
                                       "-iquote", "-idirafter", "-include", "-imacros",
                                       "-x",      "-isysroot",  "-iprefix", "-iwithprefix"};
    static const char *const cl_only[] = {
        "/I",          "/D",          "/U",          "/Tc",       "/Tp",    "/FI",
        "-FI",         "-Tc",         "-Tp",         "/imsvc",    "-imsvc", "/external:I",
        "-external:I", "/winsysroot", "/vctoolsdir", "/winsdkdir"};

    return arg_in(s, both, ARRAY_SIZE(both)) || (cl && arg_in(s, cl_only, ARRAY_SIZE(cl_only)));
}

/* A pass-through flag whose value is the next word: its family, or -1. */
static int arg_wrapper_sep(const char *s)
{
    if (arg_is(s, "-Xclang"))
        return FAM_CC1;
    if (arg_is(s, "-Xpreprocessor"))
        return FAM_PP;
    if (arg_is(s, "-Xanalyzer"))
        return FAM_ANALYZER;
    if (arg_is(s, "-mllvm"))
        return FAM_MLLVM;
    if (arg_is(s, "-Xflang"))
        return FAM_FLANG;
    if (str_starts_with(s, "-Xarch_") || str_starts_with(s, "-Xopenmp-target"))
        return FAM_ARCH;
    if (arg_is(s, "-Xlinker") || arg_is(s, "-Xassembler") || arg_is(s, "-Xcuda-ptxas") ||
        arg_is(s, "-Xcuda-fatbinary") || str_starts_with(s, "-Xoffload-linker"))
        return FAM_TOOL;
    return -1;
}

/* A pass-through flag with its value joined (*value; *commas: a comma-separated list), or -1. */
static int arg_wrapper_inline(const char *s, const char **value, bool *commas)
{
    static const struct {
        const char *prefix;
        int family;
        bool commas;
    } tab[] = {
        {"-Xclang=", FAM_CC1, false}, {"-mllvm=", FAM_MLLVM, false}, {"-Wp,", FAM_PP, true},
        {"/clang:", FAM_CL, false},   {"-clang:", FAM_CL, false},    {"-Wl,", FAM_TOOL, true},
        {"-Wa,", FAM_TOOL, true},
    };

    for (size_t i = 0; i < ARRAY_SIZE(tab); i++)
        if (str_starts_with(s, tab[i].prefix)) {
            *value = s + strlen(tab[i].prefix);
            *commas = tab[i].commas;
            return tab[i].family;
        }
    return -1;
}

static bool arg_is_any_wrapper(const char *s)
{
    const char *value;
    bool commas;
    return arg_wrapper_sep(s) >= 0 || arg_wrapper_inline(s, &value, &commas) >= 0;
}

static enum arg_list_kind arg_family_kind(int family)
{
    switch (family) {
    case FAM_ARCH:
    case FAM_CL:
        return LIST_DRIVER;
    case FAM_TOOL:
        return LIST_TOOL;
    default:
        return LIST_INNER;
    }
}

/*
 * The driver mode clang would pick: the last --driver-mode= wins, else the program name
 * (argv[0]) as clang reads it: the base name without ".exe", then without a trailing version
 * ("clang-cl-19", "clang-cl19.1") or a last "-component" ("clang-cl-tot"), ending in "cl".
 * True for clang-cl (and clang-dxc, whose output options look alike).
 */
static bool arg_cl_mode(char **argv, size_t argc, bool has_compiler)
{
    static const char *const suffixes[] = {"clang-cl", "cl",  "clang-dxc", "clang", "clang++",
                                           "cc",       "cpp", "++",        "flang", "flang-new"};
    const char *mode = NULL;
    char *name;
    size_t len;
    bool cl = false;

    for (size_t i = has_compiler ? 1 : 0; i < argc; i++)
        if (str_starts_with(argv[i], "--driver-mode="))
            mode = argv[i] + strlen("--driver-mode=");
    if (mode)
        return arg_is(mode, "cl") || arg_is(mode, "dxc");
    if (!has_compiler || argc == 0)
        return false;
    name = strrchr(argv[0], '/') ? xstrdup(strrchr(argv[0], '/') + 1) : xstrdup(argv[0]);
    len = strlen(name);
    if (len > 4 && str_ends_with(name, ".exe"))
        name[len -= 4] = '\0';
    for (int round = 0; round < 3; round++) {
        const char *hit = NULL;
        for (size_t i = 0; i < ARRAY_SIZE(suffixes) && !hit; i++)
            if (str_ends_with(name, suffixes[i]))
                hit = suffixes[i];
        if (hit) {
            cl = str_ends_with(hit, "cl") || str_ends_with(hit, "dxc");
            break;
        }
        if (round == 0) {
            while (len && ((name[len - 1] >= '0' && name[len - 1] <= '9') || name[len - 1] == '.'))
                name[--len] = '\0';
        } else {
            char *dash = strrchr(name, '-');
            if (!dash)
                break;
            *dash = '\0';
            len = (size_t)(dash - name);
        }
    }
    free(name);
    return cl;
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

static bool arg_is_rsp(const char *s)
{
    return s[0] == '@' && s[1];
}

/* ---- tokens and removal groups -------------------------------------------------------------- */

static void toks_push(struct arg_toks *t, struct arg_tok tok)
{
    ALLOC_GROW(t->v, t->n + 1, t->alloc);
    t->v[t->n++] = tok;
}

/* A token for value s that comes from the words of a and, when not NULL, b. */
static struct arg_tok san_tok_from(struct arg_san *z, const char *s, const struct arg_tok *a,
                                   const struct arg_tok *b)
{
    struct arg_tok t = {s, z->nown, 0, false};
    size_t nb = b ? b->nown : 0;

    ALLOC_GROW(z->own, z->nown + a->nown + nb, z->own_alloc);
    /* the sources lie before the end of the pool: no overlap */
    memcpy(z->own + z->nown, z->own + a->own, a->nown * sizeof(*z->own));
    z->nown += a->nown;
    if (b) {
        memcpy(z->own + z->nown, z->own + b->own, nb * sizeof(*z->own));
        z->nown += nb;
    }
    t.nown = a->nown + nb;
    return t;
}

/* Removes the words behind a (and b), as one log line, unless an earlier removal took them. */
static void san_drop(struct arg_san *z, const struct arg_tok *a, const struct arg_tok *b,
                     const char *why)
{
    size_t g = z->ngroups + 1;
    bool any = false;

    for (int pass = 0; pass < 2; pass++) {
        const struct arg_tok *t = pass ? b : a;
        if (!t)
            continue;
        for (size_t k = 0; k < t->nown; k++) {
            size_t i = z->own[t->own + k];
            if (!z->mark[i]) {
                z->mark[i] = g;
                any = true;
            }
        }
    }
    if (!any)
        return;
    ALLOC_GROW(z->why, g, z->why_alloc);
    z->why[g - 1] = why;
    z->ngroups = g;
}

/*
 * Why a response file still in the arguments goes. At the top level the driver would expand
 * it, and idx_args_expand_response_files has already replaced every one it could read inside
 * the project: what is left is outside, or could not be expanded (a loop, broken quoting),
 * and must not reach a driver either. Behind a pass-through flag cc1 and LLVM expand it
 * themselves, and nothing here reads it first.
 */
static const char *san_rsp_reason(struct arg_san *z, const struct arg_tok *t)
{
    if (arg_rsp_outside(t->s, z->ctx, z->root))
        return "response file outside the project";
    return t->top ? "response file not expanded" : "response file behind a pass-through flag";
}

/* ---- the lists ------------------------------------------------------------------------------- */

/*
 * Values for a tool that never runs while parsing (a linker, an assembler, ptxas...). Kept,
 * except what makes the tool load code (GNU ld -plugin X, --plugin-opt, lld
 * --load-pass-plugin=X, -load) or read more options from a response file: they would act
 * only if someone linked with these arguments, but they name code the project chose, and
 * dropping them changes nothing for parsing.
 */
static void san_tool(struct arg_san *z, const struct arg_tok *toks, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        const char *s = toks[k].s, *name = s;
        bool takes;

        if (arg_is_rsp(s)) {
            san_drop(z, &toks[k], NULL, san_rsp_reason(z, &toks[k]));
            continue;
        }
        while (*name == '-' && name - s < 2)
            name++;
        if (name == s || (!strstr(name, "plugin") && !str_starts_with(name, "load")))
            continue;
        takes = arg_is(name, "plugin") || arg_is(name, "plugin-opt") ||
                arg_is(name, "load-pass-plugin") || arg_is(name, "load");
        if (takes && k + 1 < n) {
            san_drop(z, &toks[k], &toks[k + 1], "plugin");
            k++;
        } else {
            san_drop(z, &toks[k], NULL, "plugin");
        }
    }
}

/* Splits a comma list (-Wp,A,B) into tokens that all come from the word of t. */
static void san_push_commas(struct arg_san *z, struct arg_toks *out, const struct arg_tok *t,
                            const char *list)
{
    const char *p = list;

    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        struct arg_tok piece = *t;

        ALLOC_GROW(z->strs, z->nstrs + 1, z->strs_alloc);
        z->strs[z->nstrs] = xstrndup(p, len);
        piece.s = z->strs[z->nstrs++];
        piece.top = false;
        toks_push(out, piece);
        if (!comma)
            break;
        p = comma + 1;
    }
}

static void san_list(struct arg_san *z, const struct arg_tok *toks, size_t n,
                     enum arg_list_kind kind, int depth)
{
    struct arg_toks fam[FAM_COUNT];
    bool inputs_only = false, cl = kind == LIST_TOP && z->cl;

    if (depth > ARG_MAX_DEPTH) {
        for (size_t k = 0; k < n; k++)
            san_drop(z, &toks[k], NULL, "pass-through flags nested too deep");
        return;
    }
    if (kind == LIST_TOOL) {
        san_tool(z, toks, n);
        return;
    }
    memset(fam, 0, sizeof(fam));
    for (size_t k = 0; k < n; k++) {
        const struct arg_tok *t = &toks[k];
        const char *s = t->s, *value;
        struct arg_verdict v;
        bool commas;
        int f;

        if (arg_is_rsp(s)) {
            san_drop(z, t, NULL, san_rsp_reason(z, t));
            continue;
        }
        if (inputs_only) {
            /* an input file, unless a later rewrite could read it as an option */
            v = arg_classify_option(s, cl);
            if (arg_is_any_wrapper(s) ||
                (v.why && (arg_is(v.why, "plugin") || arg_is(v.why, "config file") ||
                           arg_is(v.why, "program to run"))))
                san_drop(z, t, NULL, "plugin option after '--'");
            continue;
        }
        if (kind == LIST_TOP && arg_is(s, "--")) {
            inputs_only = true;
            continue;
        }
        if (cl && (arg_is(s, "/link") || arg_is(s, "-link"))) {
            /* clang-cl hands every later word to the linker */
            for (size_t j = k + 1; j < n; j++)
                toks_push(&fam[FAM_TOOL], toks[j]);
            break;
        }
        f = arg_wrapper_sep(s);
        if (f >= 0) {
            const struct arg_tok *val = k + 1 < n ? &toks[k + 1] : NULL;
            if (!val) {
                san_drop(z, t, NULL, "pass-through flag without a value");
                continue;
            }
            k++;
            if (val->top && arg_is_rsp(val->s)) {
                /* the driver expands it in place before reading options: its first word
                 * would be the value */
                san_drop(z, t, val, san_rsp_reason(z, val));
                continue;
            }
            toks_push(&fam[f], san_tok_from(z, val->s, t, val));
            continue;
        }
        f = arg_wrapper_inline(s, &value, &commas);
        if (f >= 0) {
            if (commas) {
                san_push_commas(z, &fam[f], t, value);
            } else {
                struct arg_tok inner = *t;
                inner.s = value;
                inner.top = false;
                toks_push(&fam[f], inner);
            }
            continue;
        }
        v = arg_classify_option(s, cl);
        if (v.why) {
            if (v.takes_arg && k + 1 < n) {
                san_drop(z, t, &toks[k + 1], v.why);
                k++;
            } else {
                san_drop(z, t, NULL, v.why);
            }
            continue;
        }
        if (kind != LIST_INNER && arg_takes_plain_value(s, cl) && k + 1 < n) {
            const struct arg_tok *val = &toks[k + 1];
            /* the driver expands a top-level @file before it pairs values with options */
            if (val->top && arg_is_rsp(val->s))
                san_drop(z, t, val, san_rsp_reason(z, val));
            k++;
        }
    }
    for (int f = 0; f < FAM_COUNT; f++) {
        if (fam[f].n)
            san_list(z, fam[f].v, fam[f].n, arg_family_kind(f), depth + 1);
        free(fam[f].v);
    }
}

/* Appends one line per removal group, naming its words in order. */
static void san_log(struct arg_san *z, struct strbuf *log)
{
    size_t *next, *last;
    bool *done;

    if (!log || !z->ngroups)
        return;
    next = xcalloc(z->argc + 1, sizeof(*next));
    last = xcalloc(z->ngroups + 1, sizeof(*last));
    done = xcalloc(z->ngroups + 1, sizeof(*done));
    /* next[i]: the following word of the same group (+1), built from the end */
    for (size_t i = z->argc; i-- > 0;) {
        size_t g = z->mark[i];
        if (!g)
            continue;
        next[i] = last[g];
        last[g] = i + 1;
    }
    for (size_t i = 0; i < z->argc; i++) {
        size_t g = z->mark[i];
        if (!g || done[g])
            continue;
        done[g] = true;
        strbuf_adds(log, "removed '");
        for (size_t j = i + 1; j; j = next[j - 1]) {
            if (j != i + 1)
                strbuf_addch(log, ' ');
            strbuf_adds(log, z->argv[j - 1]);
        }
        strbuf_addf(log, "': %s\n", z->why[g - 1]);
    }
    free(next);
    free(last);
    free(done);
}

int idx_args_sanitize(char **argv, size_t *argc, const struct idx_args_ctx *ctx, struct strbuf *log,
                      struct err *err)
{
    static const struct idx_args_ctx no_ctx = {NULL, NULL, false};
    struct arg_san z;
    struct arg_tok *top;
    size_t n = *argc, first, w = 0;
    char *root = NULL;

    (void)err;
    if (!ctx)
        ctx = &no_ctx;
    if (ctx->project_root)
        root = idx_path_canonical_memo(NULL, ctx->project_root);
    memset(&z, 0, sizeof(z));
    z.argv = argv;
    z.argc = n;
    z.ctx = ctx;
    z.root = root;
    z.cl = arg_cl_mode(argv, n, ctx->has_compiler);
    z.mark = xcalloc(n + 1, sizeof(*z.mark));
    first = ctx->has_compiler && n > 0 ? 1 : 0;
    top = xcalloc(n + 1, sizeof(*top));
    ALLOC_GROW(z.own, n + 1, z.own_alloc);
    for (size_t i = first; i < n; i++) {
        z.own[z.nown] = i;
        top[i - first] = (struct arg_tok){argv[i], z.nown++, 1, true};
    }
    san_list(&z, top, n - first, LIST_TOP, 0);
    san_log(&z, log);
    for (size_t i = 0; i < n; i++) {
        if (z.mark[i])
            free(argv[i]);
        else
            argv[w++] = argv[i];
    }
    argv[w] = NULL;
    *argc = w;
    for (size_t i = 0; i < z.nstrs; i++)
        free(z.strs[i]);
    free(z.strs);
    free(z.own);
    free(z.mark);
    free(z.why);
    free(top);
    free(root);
    return 0;
}
