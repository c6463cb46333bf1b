/*
 * test_index_args.c - the compile argument sanitizer: every spelling of loading a plugin,
 * reading a configuration or response file, or writing an output or dependency file is removed
 * and logged, behind any pass-through flag (-Xclang, -Wp,, -Xpreprocessor, -Xanalyzer, -mllvm,
 * clang-cl's /clang:, -Xopenmp-target...) and in clang-cl mode; nothing else is removed.
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

/* One dangerous spelling between harmless arguments (and mode, a kept --driver-mode, unless
 * NULL), for compiler cc: removed, and logged in one line naming it. */
static void expect_removed_cc(const char *cc, const char *mode, const char *const *bad,
                              const char *logged)
{
    const char *in[24] = {cc, "-DA=1"};
    size_t n = 2;
    char *log;

    if (mode)
        in[n++] = mode;
    for (size_t i = 0; bad[i]; i++)
        in[n++] = bad[i];
    in[n++] = "-c";
    in[n++] = "a.cc";
    in[n] = NULL;
    log = mode ? check(in, L(cc, "-DA=1", mode, "-c", "a.cc"), NULL)
               : check(in, L(cc, "-DA=1", "-c", "a.cc"), NULL);
    if (tu_count(log, "\n") != 1 || !strstr(log, logged))
        fail_msg("log for '%s' is '%s'", bad[0], log);
    free(log);
}

static void expect_removed(const char *const *bad, const char *logged)
{
    expect_removed_cc("clang++", NULL, bad, logged);
}

/* The same under clang-cl, chosen by the compiler's name and by --driver-mode=cl. */
static void expect_removed_cl(const char *const *bad, const char *logged)
{
    expect_removed_cc("clang-cl", NULL, bad, logged);
    expect_removed_cc("clang", "--driver-mode=cl", bad, logged);
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
    expect_removed(L("--config-user-dir=/tmp/cfg"), "'--config-user-dir=/tmp/cfg': config file");
    expect_removed(L("--config-system-dir=/tmp/cfg"), "'--config-system-dir=/tmp/cfg'");
}

/* The spellings of tests/golden/plugin that a pass-through flag hides (all load the plugin with
 * the clang 19 driver), and other ways of feeding cc1 or LLVM. */
static void test_pass_through_removed(void **state)
{
    (void)state;
    /* -Wp, hands its comma-separated values to cc1: the word goes whole */
    expect_removed(L("-Wp,-load,/tmp/evil.so"), "'-Wp,-load,/tmp/evil.so': plugin");
    expect_removed(L("-Wp,-load", "-Wp,/tmp/evil.so"), "'-Wp,-load -Wp,/tmp/evil.so': plugin");
    expect_removed(L("-Wp,-DX=1,-load,/tmp/evil.so"), "'-Wp,-DX=1,-load,/tmp/evil.so': plugin");
    expect_removed(L("-Wp,-MD,/tmp/x.d"), "'-Wp,-MD,/tmp/x.d': dependency output");
    /* -Xpreprocessor and -Wp, feed the same list */
    expect_removed(L("-Xpreprocessor", "-load", "-Xpreprocessor", "/tmp/evil.so"),
                   "'-Xpreprocessor -load -Xpreprocessor /tmp/evil.so': plugin");
    expect_removed(L("-Wp,-load", "-Xpreprocessor", "/tmp/evil.so"),
                   "'-Wp,-load -Xpreprocessor /tmp/evil.so': plugin");
    expect_removed(L("-Xanalyzer", "-load", "-Xanalyzer", "/tmp/evil.so"),
                   "'-Xanalyzer -load -Xanalyzer /tmp/evil.so': plugin");
    expect_removed(L("-Xflang", "-load", "-Xflang", "/tmp/evil.so"),
                   "'-Xflang -load -Xflang /tmp/evil.so': plugin");
    /* -Xclang=V is clang's too; the value may ride in either spelling */
    expect_removed(L("-Xclang=-load", "-Xclang=/tmp/evil.so"),
                   "'-Xclang=-load -Xclang=/tmp/evil.so': plugin");
    expect_removed(L("-Xclang", "-load", "-Xclang=/tmp/evil.so"),
                   "'-Xclang -load -Xclang=/tmp/evil.so': plugin");
    expect_removed(L("-mllvm", "-load", "-mllvm", "/tmp/evil.so"),
                   "'-mllvm -load -mllvm /tmp/evil.so': plugin");
    expect_removed(L("-mllvm=-load=/tmp/evil.so"), "'-mllvm=-load=/tmp/evil.so': plugin");
    expect_removed(L("-Xclang", "-mllvm", "-Xclang", "-load=/tmp/evil.so"),
                   "'-Xclang -mllvm -Xclang -load=/tmp/evil.so': plugin");
    /* a driver word behind -Xopenmp-target may itself be a pass-through flag (loads with
     * clang 19 and -fopenmp-targets=) */
    expect_removed(L("-Xopenmp-target", "-Xclang=-load", "-Xopenmp-target", "-Xclang=/tmp/e.so"),
                   "'-Xopenmp-target -Xclang=-load -Xopenmp-target -Xclang=/tmp/e.so': plugin");
    expect_removed(L("-Xarch_x86_64", "-Wp,-load,/tmp/evil.so"), "-Xarch_x86_64 -Wp,-load");
    /* cc1 and LLVM expand a response file on their own, even one inside the project */
    expect_removed(L("-Wp,@/nonexistent-project/load.rsp"),
                   "'-Wp,@/nonexistent-project/load.rsp': response file behind a pass-through");
    expect_removed(L("-Xclang=@/nonexistent-project/x.rsp"), "'-Xclang=@/nonexistent-project");
    expect_removed(L("-mllvm=@/tmp/x.rsp"), "'-mllvm=@/tmp/x.rsp': response file outside");
    expect_removed(L("-Xpreprocessor", "@/tmp/x.rsp"), "response file outside the project");
    /* output files of cc1 and of the driver's side outputs */
    expect_removed(L("-Xclang", "-o", "-Xclang", "/tmp/x"), "'-Xclang -o -Xclang /tmp/x'");
    expect_removed(L("-Xclang", "-stats-file=/tmp/s"), "'-Xclang -stats-file=/tmp/s'");
    expect_removed(L("-ftime-trace=/tmp/t.json"), "'-ftime-trace=/tmp/t.json': output file");
    expect_removed(L("-ftime-trace"), "'-ftime-trace': output file");
    expect_removed(L("-save-temps"), "'-save-temps'");
    expect_removed(L("--save-temps=obj"), "'--save-temps=obj'");
    expect_removed(L("-save-stats=cwd"), "'-save-stats=cwd'");
    expect_removed(L("-fmodule-output=/tmp/m.pcm"), "'-fmodule-output=/tmp/m.pcm'");
    expect_removed(L("-fcrash-diagnostics-dir=/tmp"), "'-fcrash-diagnostics-dir=/tmp'");
    expect_removed(L("-fsave-optimization-record"), "'-fsave-optimization-record'");
    expect_removed(L("-foptimization-record-file=/tmp/r"), "'-foptimization-record-file=/tmp/r'");
    expect_removed(L("-dumpdir", "/tmp/d"), "'-dumpdir /tmp/d'");
    expect_removed(L("-mllvm", "-info-output-file=/tmp/i"), "'-mllvm -info-output-file=/tmp/i'");
}

/* Values for the linker and the assembler never matter for parsing; only what makes those tools
 * load code or read more options goes, and the linker program named by a path. */
static void test_tools(void **state)
{
    char *log;
    (void)state;

    expect_removed(L("-Wl,-plugin,/tmp/lto.so"), "'-Wl,-plugin,/tmp/lto.so': plugin");
    expect_removed(L("-Wl,--plugin=/tmp/lto.so"), "'-Wl,--plugin=/tmp/lto.so': plugin");
    expect_removed(L("-Wl,--load-pass-plugin=/tmp/p.so"), "'-Wl,--load-pass-plugin=/tmp/p.so'");
    expect_removed(L("-Wl,-plugin-opt=mcpu=x"), "'-Wl,-plugin-opt=mcpu=x': plugin");
    expect_removed(L("-Xlinker", "-plugin", "-Xlinker", "/tmp/lto.so"),
                   "'-Xlinker -plugin -Xlinker /tmp/lto.so': plugin");
    expect_removed(L("-Wl,@/tmp/link.rsp"), "'-Wl,@/tmp/link.rsp': response file");
    expect_removed(L("-Wa,@/tmp/as.rsp"), "'-Wa,@/tmp/as.rsp': response file");
    expect_removed(L("-Xoffload-linker-nvptx64", "--plugin=/tmp/p.so"), "-Xoffload-linker-nvptx64");
    expect_removed(L("-fuse-ld=/tmp/evil-ld"), "'-fuse-ld=/tmp/evil-ld': program to run");
    expect_removed(L("--ld-path=/tmp/ld"), "'--ld-path=/tmp/ld': program to run");
    expect_removed(L("--ptxas-path=/tmp/ptxas"), "'--ptxas-path=/tmp/ptxas': program to run");
    log =
        check(L("cc", "-fuse-ld=lld", "-Wl,-rpath,/opt/plugins/lib", "-Wl,--as-needed", "-Xlinker",
                "-z", "-Xlinker", "now", "-Wa,--noexecstack", "-B", "/opt/gcc/bin", "-c", "a.c"),
              L("cc", "-fuse-ld=lld", "-Wl,-rpath,/opt/plugins/lib", "-Wl,--as-needed", "-Xlinker",
                "-z", "-Xlinker", "now", "-Wa,--noexecstack", "-B", "/opt/gcc/bin", "-c", "a.c"),
              NULL);
    assert_string_equal(log, "");
    free(log);
}

/* A cc1 option and its value are found wherever they are: the driver passes all -Xclang
 * values to cc1 together, in order (clang 19 loads with "-Xclang -load -DX -Xclang P"). */
static void test_values_anywhere(void **state)
{
    char *log;
    (void)state;

    log = check(L("cc", "-Xclang", "-load", "-DX", "-Xclang", "/tmp/evil.so", "a.c"),
                L("cc", "-DX", "a.c"), NULL);
    assert_int_equal(tu_count(log, "\n"), 1);
    assert_non_null(strstr(log, "removed '-Xclang -load -Xclang /tmp/evil.so': plugin"));
    free(log);
    /* a harmless cc1 option between them is its value for cc1, and goes with it */
    log = check(L("cc", "-Xclang", "-load", "-Xclang", "-fno-pch-timestamp", "-Xclang", "x", "a.c"),
                L("cc", "-Xclang", "x", "a.c"), NULL);
    assert_non_null(strstr(log, "'-Xclang -load -Xclang -fno-pch-timestamp': plugin"));
    free(log);
    /* nesting beyond any real build is removed whole */
    log = check(
        L("cc", "/clang:/clang:/clang:/clang:/clang:/clang:/clang:/clang:/clang:/clang:-DX", "a.c"),
        L("cc", "a.c"), NULL);
    assert_non_null(strstr(log, "nested too deep"));
    free(log);
}

static void test_cl_mode(void **state)
{
    char *log;
    (void)state;

    /* /clang:V and -clang:V are driver words, alone or as a list */
    expect_removed_cl(L("/clang:-fplugin=/tmp/evil.so"), "'/clang:-fplugin=/tmp/evil.so': plugin");
    expect_removed_cl(L("-clang:-fplugin=/tmp/evil.so"), "'-clang:-fplugin=/tmp/evil.so'");
    expect_removed_cl(L("/clang:-Xclang", "/clang:-load", "/clang:-Xclang", "/clang:/tmp/evil.so"),
                      "'/clang:-Xclang /clang:-load /clang:-Xclang /clang:/tmp/evil.so': plugin");
    expect_removed_cl(L("/clang:-fplugin", "/clang:/tmp/evil.so"),
                      "'/clang:-fplugin /clang:/tmp/evil.so': plugin");
    expect_removed_cl(L("/clang:-MF", "/clang:/tmp/x.d"), "'/clang:-MF /clang:/tmp/x.d'");
    expect_removed_cl(L("/clang:@/tmp/x.rsp"), "'/clang:@/tmp/x.rsp': response file");
    /* output files, in both spellings */
    expect_removed_cl(L("/Fo:", "a.obj"), "'/Fo: a.obj': output file");
    expect_removed_cl(L("/Foa.obj"), "'/Foa.obj': output file");
    expect_removed_cl(L("-Foa.obj"), "'-Foa.obj': output file");
    expect_removed_cl(L("/Fe:", "a.exe"), "'/Fe: a.exe'");
    expect_removed_cl(L("/Fea.exe"), "'/Fea.exe'");
    expect_removed_cl(L("/Fdx.pdb"), "'/Fdx.pdb'");
    expect_removed_cl(L("/Fpx.pch"), "'/Fpx.pch'");
    expect_removed_cl(L("/Fp:", "x.pch"), "'/Fp: x.pch'");
    expect_removed_cl(L("/FA"), "'/FA'");
    expect_removed_cl(L("/FAcs"), "'/FAcs'");
    expect_removed_cl(L("/Fax.asm"), "'/Fax.asm'");
    expect_removed_cl(L("/Fix.i"), "'/Fix.i'");
    expect_removed_cl(L("/Fi:", "x.i"), "'/Fi: x.i'");
    expect_removed_cl(L("/Fmx.map"), "'/Fmx.map'");
    expect_removed_cl(L("/FR"), "'/FR'");
    expect_removed_cl(L("/Ycpch.h"), "'/Ycpch.h'");
    expect_removed_cl(L("/o", "a.exe"), "'/o a.exe'");
    expect_removed_cl(L("/oa.exe"), "'/oa.exe'");
    expect_removed_cl(L("/sourceDependencies", "d.json"), "'/sourceDependencies d.json'");
    expect_removed_cl(L("-o", "a.exe"), "'-o a.exe'");
    /* what clang-cl reads differently: /MD /MT are the C runtime, /FI a forced include; the
     * value of /I, /Tc is not an option even when it looks like /o... */
    log = check(L("clang-cl", "/c", "/MD", "-MT", "-MDd", "/FIpre.h", "-FIpre.h", "/FC", "/Zs",
                  "/openmp", "-openmp", "/Yupch.h", "-I", "/opt/inc", "/I", "/opt/inc2", "/Tc",
                  "/opt/src/a.c", "/showIncludes", "a.c"),
                L("clang-cl", "/c", "/MD", "-MT", "-MDd", "/FIpre.h", "-FIpre.h", "/FC", "/Zs",
                  "/openmp", "-openmp", "/Yupch.h", "-I", "/opt/inc", "/I", "/opt/inc2", "/Tc",
                  "/opt/src/a.c", "/showIncludes", "a.c"),
                NULL);
    assert_string_equal(log, "");
    free(log);
    /* /link hands the rest to the linker: kept, except what loads code */
    log = check(L("clang-cl", "/c", "a.c", "/link", "/DEBUG", "/OUT:a.exe",
                  "--load-pass-plugin=/tmp/p.so", "@/tmp/l.rsp"),
                L("clang-cl", "/c", "a.c", "/link", "/DEBUG", "/OUT:a.exe"), NULL);
    assert_int_equal(tu_count(log, "\n"), 2);
    free(log);
    /* the mode is clang's: names ending in "cl" (with a version or a -suffix) and the last
     * --driver-mode */
    {
        static const char *const cl_names[] = {"clang-cl",     "/usr/bin/clang-cl-19",
                                               "cl.exe",       "x86_64-w64-cl",
                                               "clang-cl-tot", "clang-cl19.1"};
        static const char *const gcc_names[] = {
            "clang", "clang++", "gcc", "cc", "c++", "x86_64-linux-gnu-gcc-12", "CL.EXE"};
        for (size_t i = 0; i < ARRAY_SIZE(cl_names); i++) {
            log =
                check(L(cl_names[i], "/Foa.obj", "-MD", "a.c"), L(cl_names[i], "-MD", "a.c"), NULL);
            free(log);
        }
        for (size_t i = 0; i < ARRAY_SIZE(gcc_names); i++) {
            log = check(L(gcc_names[i], "/Foa.obj", "-MD", "-Fframeworks", "a.c"),
                        L(gcc_names[i], "/Foa.obj", "-Fframeworks", "a.c"), NULL);
            free(log);
        }
        log = check(L("clang-cl", "--driver-mode=cl", "--driver-mode=g++", "/Foa.obj", "-MD"),
                    L("clang-cl", "--driver-mode=cl", "--driver-mode=g++", "/Foa.obj"), NULL);
        free(log);
        log = check(L("gcc", "--driver-mode=cl", "/Foa.obj", "-MD"),
                    L("gcc", "--driver-mode=cl", "-MD"), NULL);
        free(log);
    }
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
    static const char *const keep[] = {"clang++",
                                       "-c",
                                       "-O2",
                                       "-g",
                                       "-std=c++17",
                                       "-I/usr/include/x",
                                       "-I",
                                       "inc",
                                       "-isystem",
                                       "/opt/inc",
                                       "-DNAME=a b",
                                       "-D",
                                       "X",
                                       "-UY",
                                       "-Wall",
                                       "-Werror=format",
                                       "-fPIC",
                                       "-fno-exceptions",
                                       "-ObjC",
                                       "-objcmt-migrate-literals",
                                       "-MP",
                                       "-MG",
                                       "-Xclang",
                                       "-fcolor-diagnostics",
                                       "-mllvm",
                                       "-inline-threshold=100",
                                       "-Xclang",
                                       "-MD",
                                       "-x",
                                       "c++",
                                       "-",
                                       "-fplu",
                                       "-Wp,-D_FORTIFY_SOURCE=2",
                                       "-mllvm=-x86-asm-syntax=intel",
                                       "-ftime-trace-granularity=50",
                                       "-I",
                                       "-fplugin=not-an-option.so",
                                       "src/a.cc",
                                       NULL};
    char *log;
    (void)state;

    /* -Xclang -MD is a cc1 dependency flag: the only thing that goes; the value of -I is a
     * directory for clang, whatever it looks like */
    log = check(keep,
                L("clang++", "-c", "-O2", "-g", "-std=c++17", "-I/usr/include/x", "-I", "inc",
                  "-isystem", "/opt/inc", "-DNAME=a b", "-D", "X", "-UY", "-Wall", "-Werror=format",
                  "-fPIC", "-fno-exceptions", "-ObjC", "-objcmt-migrate-literals", "-MP", "-MG",
                  "-Xclang", "-fcolor-diagnostics", "-mllvm", "-inline-threshold=100", "-x", "c++",
                  "-", "-fplu", "-Wp,-D_FORTIFY_SOURCE=2", "-mllvm=-x86-asm-syntax=intel",
                  "-ftime-trace-granularity=50", "-I", "-fplugin=not-an-option.so", "src/a.cc"),
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

    /* inside the project: idx_args_expand_response_files replaces them before; one still
     * here could not be expanded (a loop, broken quoting), and no driver may read it either */
    ctx = (struct idx_args_ctx){proj, proj, true};
    log = check(L("cc", arg_abs_in, "@flags.rsp", "@missing-in-project.rsp", "a.c"), L("cc", "a.c"),
                &ctx);
    assert_int_equal(tu_count(log, "response file not expanded"), 3);
    free(log);
    log = check(L("cc", "-Xclang", "@flags.rsp", "-I", "@flags.rsp", "a.c"), L("cc", "a.c"), &ctx);
    assert_int_equal(tu_count(log, "\n"), 2);
    assert_non_null(strstr(log, "removed '-Xclang @flags.rsp': response file not expanded"));
    free(log);
    log = check(L("cc", arg_abs_out, "@../outside/flags.rsp", arg_link, "@/etc/passwd", "a.c",
                  "-Xclang", arg_abs_out, "--", arg_abs_out),
                L("cc", "a.c", "--"), &ctx);
    assert_int_equal(tu_count(log, "\n"), 6);
    assert_int_equal(tu_count(log, "response file outside the project"), 6);
    free(log);
    /* relative to the command's directory, not to the process */
    ctx = (struct idx_args_ctx){proj, outside, true};
    log = check(L("cc", "@flags.rsp", "@../proj/flags.rsp"), L("cc"), &ctx);
    assert_int_equal(tu_count(log, "response file outside the project"), 1);
    assert_int_equal(tu_count(log, "response file not expanded"), 1);
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
        cmocka_unit_test(test_plugins_removed),
        cmocka_unit_test(test_pass_through_removed),
        cmocka_unit_test(test_tools),
        cmocka_unit_test(test_values_anywhere),
        cmocka_unit_test(test_cl_mode),
        cmocka_unit_test(test_outputs_removed),
        cmocka_unit_test(test_repeated_and_dangling),
        cmocka_unit_test(test_harmless_kept),
        cmocka_unit_test(test_double_dash),
        cmocka_unit_test(test_response_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
