/*
 * test_index_args.c - the compile argument sanitizer: every spelling of loading a plugin or
 * writing an output or dependency file is removed and logged, nothing else is removed, and
 * response files are kept only inside the project.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index/index.h"
#include "testutil.h"

/* Sanitizes the NULL-terminated list in (with argv[0] the compiler) and compares the result
 * with want; returns the log (caller frees). */
static char *check(const char *const *in, const char *const *want, const struct idx_args_ctx *ctx)
{
    struct idx_args_ctx def = {"/nonexistent-project", "/nonexistent-project", true};
    struct strbuf log = STRBUF_INIT;
    struct err e = {0};
    size_t n = 0, m = 0;
    char **argv;

    while (in[n])
        n++;
    while (want[m])
        m++;
    argv = xcalloc(n + 1, sizeof(*argv));
    for (size_t i = 0; i < n; i++)
        argv[i] = xstrdup(in[i]);
    TU_OK(idx_args_sanitize(argv, &n, ctx ? ctx : &def, &log, &e), &e);
    for (size_t i = 0; i < n && i < m; i++)
        if (strcmp(argv[i], want[i]) != 0)
            fail_msg("argument %zu is '%s', want '%s' (log: %s)", i, argv[i], want[i], log.buf);
    if (n != m)
        fail_msg("%zu arguments left, want %zu (log: %s)", n, m, log.buf);
    assert_null(argv[n]);
    idx_argv_free(argv, n);
    return strbuf_detach(&log, NULL);
}

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

/* One dangerous spelling between two harmless arguments: removed, and logged naming it. */
static void expect_removed(const char *const *bad, const char *logged)
{
    const char *in[16] = {"clang++", "-DA=1"};
    size_t n = 2;
    char *log;

    for (size_t i = 0; bad[i]; i++)
        in[n++] = bad[i];
    in[n++] = "-c";
    in[n++] = "a.cc";
    in[n] = NULL;
    log = check(in, L("clang++", "-DA=1", "-c", "a.cc"), NULL);
    if (tu_count(log, "\n") != 1 || !strstr(log, logged))
        fail_msg("log for '%s' is '%s'", bad[0], log);
    free(log);
}

static void test_plugins_removed(void **state)
{
    (void)state;
    expect_removed(L("-fplugin=/tmp/evil.so"), "'-fplugin=/tmp/evil.so': plugin");
    expect_removed(L("-fplugin", "/tmp/evil.so"), "'-fplugin /tmp/evil.so': plugin");
    expect_removed(L("-fplugin-arg-evil-key=v"), "-fplugin-arg-evil-key=v");
    expect_removed(L("-fpass-plugin=/tmp/evil.so"), "-fpass-plugin=/tmp/evil.so");
    expect_removed(L("-fpass-plugin", "/tmp/evil.so"), "'-fpass-plugin /tmp/evil.so'");
    expect_removed(L("-Xclang", "-load", "-Xclang", "/tmp/evil.so"),
                   "'-Xclang -load -Xclang /tmp/evil.so': plugin");
    expect_removed(L("-Xclang", "-add-plugin", "-Xclang", "evil"),
                   "'-Xclang -add-plugin -Xclang evil'");
    expect_removed(L("-Xclang", "-plugin-arg-evil", "-Xclang", "x"),
                   "'-Xclang -plugin-arg-evil -Xclang x'");
    expect_removed(L("-Xclang", "-plugin", "-Xclang", "evil"), "'-Xclang -plugin -Xclang evil'");
    expect_removed(L("-Xclang", "-load=/tmp/evil.so"), "'-Xclang -load=/tmp/evil.so'");
    expect_removed(L("-Xclang", "-fplugin=/tmp/evil.so"), "-Xclang -fplugin=/tmp/evil.so");
    expect_removed(L("-load", "/tmp/evil.so"), "'-load /tmp/evil.so'");
    expect_removed(L("-load=/tmp/evil.so"), "'-load=/tmp/evil.so'");
    expect_removed(L("-mllvm", "-load=/tmp/evil.so"), "'-mllvm -load=/tmp/evil.so'");
    expect_removed(L("-Xarch_x86_64", "-fplugin=/tmp/evil.so"), "-Xarch_x86_64 -fplugin=");
    expect_removed(L("-Xopenmp-target=nvptx64", "-fplugin=/tmp/evil.so"), "-Xopenmp-target=");
    /* not a real clang spelling: handled, not crashed on */
    expect_removed(L("-Xclang=-load", "-Xclang", "/tmp/evil.so"),
                   "'-Xclang=-load -Xclang /tmp/evil.so'");
    expect_removed(L("-Xclang=-fplugin=/tmp/evil.so"), "-Xclang=-fplugin=/tmp/evil.so");
    /* configuration files may hold any option */
    expect_removed(L("--config=/tmp/evil.cfg"), "config file");
    expect_removed(L("--config", "/tmp/evil.cfg"), "config file");
}

static void test_outputs_removed(void **state)
{
    (void)state;
    expect_removed(L("-o", "a.o"), "'-o a.o': output file");
    expect_removed(L("-oa.o"), "'-oa.o'");
    expect_removed(L("--output", "a.o"), "'--output a.o'");
    expect_removed(L("--output=a.o"), "'--output=a.o'");
    expect_removed(L("-MF", "a.d"), "'-MF a.d'");
    expect_removed(L("-MFa.d"), "'-MFa.d'");
    expect_removed(L("-MT", "a.o"), "'-MT a.o'");
    expect_removed(L("-MTa.o"), "'-MTa.o'");
    expect_removed(L("-MQ", "a.o"), "'-MQ a.o'");
    expect_removed(L("-MJ", "a.json"), "'-MJ a.json'");
    expect_removed(L("-MJa.json"), "'-MJa.json'");
    expect_removed(L("-MD"), "'-MD': dependency output");
    expect_removed(L("-MMD"), "'-MMD'");
    expect_removed(L("-M"), "'-M'");
    expect_removed(L("-MM"), "'-MM'");
    expect_removed(L("-Xclang", "-dependency-file", "-Xclang", "x.d"),
                   "'-Xclang -dependency-file -Xclang x.d'");
    expect_removed(L("--serialize-diagnostics", "x.dia"), "'--serialize-diagnostics x.dia'");
}

static void test_repeated_and_dangling(void **state)
{
    char *log;
    (void)state;

    log = check(L("cc", "-fplugin=a.so", "-fplugin=a.so", "-Xclang", "-load", "-Xclang", "b.so",
                  "-Xclang", "-load", "-Xclang", "c.so", "-o", "x", "-o", "y", "-MD", "-MD", "a.c"),
                L("cc", "a.c"), NULL);
    assert_int_equal(tu_count(log, "\n"), 8);
    free(log);
    /* flags at the very end, missing their value */
    log = check(L("cc", "a.c", "-o"), L("cc", "a.c"), NULL);
    assert_int_equal(tu_count(log, "\n"), 1);
    free(log);
    log = check(L("cc", "a.c", "-Xclang"), L("cc", "a.c"), NULL);
    assert_non_null(strstr(log, "without a value"));
    free(log);
    log = check(L("cc", "a.c", "-Xclang", "-load"), L("cc", "a.c"), NULL);
    free(log);
    log = check(L("cc", "a.c", "-fplugin"), L("cc", "a.c"), NULL);
    free(log);
    /* -load whose value is not passed through -Xclang: only the pair goes */
    log = check(L("cc", "-Xclang", "-load", "x.so", "a.c"), L("cc", "x.so", "a.c"), NULL);
    free(log);
}

static void test_harmless_kept(void **state)
{
    static const char *const keep[] = {"clang++",    "-c",
                                       "-O2",        "-g",
                                       "-std=c++17", "-I/usr/include/x",
                                       "-I",         "inc",
                                       "-isystem",   "/opt/inc",
                                       "-DNAME=a b", "-D",
                                       "X",          "-UY",
                                       "-Wall",      "-Werror=format",
                                       "-fPIC",      "-fno-exceptions",
                                       "-ObjC",      "-objcmt-migrate-literals",
                                       "-MP",        "-MG",
                                       "-Xclang",    "-fcolor-diagnostics",
                                       "-mllvm",     "-inline-threshold=100",
                                       "-Xclang",    "-MD",
                                       "-x",         "c++",
                                       "-",          "-fplu",
                                       "src/a.cc",   NULL};
    char *log;
    (void)state;

    /* -Xclang -MD is a cc1 dependency flag: the only thing that goes */
    log = check(keep,
                L("clang++", "-c", "-O2", "-g", "-std=c++17", "-I/usr/include/x", "-I", "inc",
                  "-isystem", "/opt/inc", "-DNAME=a b", "-D", "X", "-UY", "-Wall", "-Werror=format",
                  "-fPIC", "-fno-exceptions", "-ObjC", "-objcmt-migrate-literals", "-MP", "-MG",
                  "-Xclang", "-fcolor-diagnostics", "-mllvm", "-inline-threshold=100", "-x", "c++",
                  "-", "-fplu", "src/a.cc"),
                NULL);
    assert_int_equal(tu_count(log, "\n"), 1);
    assert_non_null(strstr(log, "'-Xclang -MD'"));
    free(log);
    /* the compiler is never looked at, whatever it is called; without has_compiler it is */
    log = check(L("-o", "-c", "a.c"), L("-o", "-c", "a.c"), NULL);
    assert_string_equal(log, "");
    free(log);
    {
        struct idx_args_ctx ctx = {NULL, NULL, false};
        log = check(L("-o", "x", "-c", "a.c"), L("-c", "a.c"), &ctx);
        free(log);
    }
}

static void test_double_dash(void **state)
{
    char *log;
    (void)state;

    /* after "--" arguments are inputs; plugin spellings still go */
    log = check(L("cc", "-c", "--", "-o", "a.c", "-fplugin=x.so", "-Xclang"),
                L("cc", "-c", "--", "-o", "a.c"), NULL);
    assert_int_equal(tu_count(log, "\n"), 2);
    assert_non_null(strstr(log, "after '--'"));
    free(log);
}

static void test_response_files(void **state)
{
    char *tmp = tu_tmpdir("args-rsp"), *root = path_real(tmp), *proj, *outside, *rsp_in, *rsp_out,
         *link, *arg_abs_in, *arg_abs_out, *arg_link, *log;
    struct idx_args_ctx ctx;
    struct err e = {0};
    FILE *fp;
    (void)state;

    proj = path_join(root, "proj");
    outside = path_join(root, "outside");
    TU_OK(fs_mkdir_p(proj, &e), &e);
    TU_OK(fs_mkdir_p(outside, &e), &e);
    rsp_in = path_join(proj, "flags.rsp");
    rsp_out = path_join(outside, "flags.rsp");
    fp = fopen(rsp_in, "w");
    assert_non_null(fp);
    fclose(fp);
    fp = fopen(rsp_out, "w");
    assert_non_null(fp);
    fclose(fp);
    link = path_join(proj, "link.rsp");
    assert_int_equal(symlink(rsp_out, link), 0);
    arg_abs_in = xasprintf("@%s", rsp_in);
    arg_abs_out = xasprintf("@%s", rsp_out);
    arg_link = xasprintf("@%s", link);

    ctx = (struct idx_args_ctx){proj, proj, true};
    log = check(L("cc", arg_abs_in, "@flags.rsp", "@missing-in-project.rsp", "a.c"),
                L("cc", arg_abs_in, "@flags.rsp", "@missing-in-project.rsp", "a.c"), &ctx);
    assert_string_equal(log, "");
    free(log);
    log = check(L("cc", arg_abs_out, "@../outside/flags.rsp", arg_link, "@/etc/passwd", "a.c",
                  "-Xclang", arg_abs_out, "--", arg_abs_out),
                L("cc", "a.c", "--"), &ctx);
    assert_int_equal(tu_count(log, "\n"), 6);
    assert_int_equal(tu_count(log, "response file outside the project"), 6);
    free(log);
    /* relative to the command's directory, not to the process */
    ctx = (struct idx_args_ctx){proj, outside, true};
    log = check(L("cc", "@flags.rsp", "@../proj/flags.rsp"), L("cc", "@../proj/flags.rsp"), &ctx);
    free(log);
    /* no project root: every response file goes; a lone "@" is a file name */
    ctx = (struct idx_args_ctx){NULL, proj, true};
    log = check(L("cc", arg_abs_in, "@"), L("cc", "@"), &ctx);
    free(log);

    tu_rmtree(tmp);
    free(tmp);
    free(root);
    free(proj);
    free(outside);
    free(rsp_in);
    free(rsp_out);
    free(link);
    free(arg_abs_in);
    free(arg_abs_out);
    free(arg_link);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plugins_removed),       cmocka_unit_test(test_outputs_removed),
        cmocka_unit_test(test_repeated_and_dangling), cmocka_unit_test(test_harmless_kept),
        cmocka_unit_test(test_double_dash),           cmocka_unit_test(test_response_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
