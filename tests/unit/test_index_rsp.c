/*
 * test_index_rsp.c - response files: what a project's @file holds is expanded and then
 * sanitized like the rest of the command; loops, missing files and broken quoting are clear
 * errors or logged drops (a response file that could not be expanded is then removed by the
 * sanitizer), and nothing outside the project is read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/index.h"
#include "testutil.h"

static void put_file(const char *dir, const char *name, const char *text)
{
    char *p = path_join(dir, name);
    struct err e = {0};
    TU_OK(fs_write_file_atomic(p, text, strlen(text), &e), &e);
    free(p);
}

/* argv from a NULL-terminated list, as the compile database makes them */
static char **make_argv(const char *const *in, size_t *argc)
{
    char **v;
    size_t n = 0;
    while (in[n])
        n++;
    v = xcalloc(n + 1, sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = xstrdup(in[i]);
    *argc = n;
    return v;
}

static char *joined(char **argv, size_t argc)
{
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < argc; i++)
        strbuf_addf(&sb, "%s[%s]", i ? " " : "", argv[i]);
    assert_null(argv[argc]);
    return strbuf_detach(&sb, NULL);
}

static void test_expanded_then_sanitized(void **state)
{
    char *dir = tu_tmpdir("rsp");
    static const char *const in[] = {"clang++", "@a.rsp", "-c", "x.cpp", NULL};
    struct idx_args_ctx ctx = {dir, dir, true};
    struct strbuf log = STRBUF_INIT;
    struct err e = {0};
    size_t argc;
    char **argv = make_argv(in, &argc), *got;
    (void)state;

    put_file(dir, "a.rsp", "-DOK=1 -fplugin=/tmp/evil.so '-DSP=a b'\n@sub/b.rsp\n");
    {
        char *sub = path_join(dir, "sub");
        TU_OK(fs_mkdir_p(sub, &e), &e);
        free(sub);
    }
    put_file(dir, "sub/b.rsp", "-Xclang -load -Xclang x.so -Iinc\n");
    TU_OK(idx_args_expand_response_files(&argv, &argc, &ctx, &log, &e), &e);
    got = joined(argv, argc);
    assert_string_equal(got, "[clang++] [-DOK=1] [-fplugin=/tmp/evil.so] [-DSP=a b] [-Xclang] "
                             "[-load] [-Xclang] [x.so] [-Iinc] [-c] [x.cpp]");
    free(got);
    assert_non_null(strstr(log.buf, "expanded '@a.rsp' (4 arguments)"));
    assert_non_null(strstr(log.buf, "expanded '@sub/b.rsp' (5 arguments)"));
    TU_OK(idx_args_sanitize(argv, &argc, &ctx, &log, &e), &e);
    got = joined(argv, argc);
    assert_string_equal(got, "[clang++] [-DOK=1] [-DSP=a b] [-Iinc] [-c] [x.cpp]");
    free(got);
    assert_non_null(strstr(log.buf, "-fplugin=/tmp/evil.so"));
    assert_non_null(strstr(log.buf, "-load"));
    idx_argv_free(argv, argc);
    strbuf_release(&log);
    tu_rmtree(dir);
    free(dir);
}

static void test_outside_missing_and_broken(void **state)
{
    char *dir = tu_tmpdir("rsp2"), *outside = tu_tmpdir("rsp2out");
    char *out_rsp = path_join(outside, "evil.rsp"), *out_arg = xasprintf("@%s", out_rsp);
    const char *in[] = {"cc", out_arg, "@missing.rsp", "-DKEEP", NULL};
    struct idx_args_ctx ctx = {dir, dir, true};
    struct strbuf log = STRBUF_INIT;
    struct err e = {0};
    size_t argc;
    char **argv = make_argv(in, &argc), *got;
    (void)state;

    put_file(outside, "evil.rsp", "-fplugin=evil.so\n");
    TU_OK(idx_args_expand_response_files(&argv, &argc, &ctx, &log, &e), &e);
    /* the outside file is not read (its words do not appear), the missing one is dropped */
    got = joined(argv, argc);
    assert_null(strstr(got, "evil.so"));
    assert_null(strstr(got, "missing"));
    assert_non_null(strstr(log.buf, "removed '@missing.rsp': response file not found"));
    free(got);
    TU_OK(idx_args_sanitize(argv, &argc, &ctx, &log, &e), &e);
    got = joined(argv, argc);
    assert_string_equal(got, "[cc] [-DKEEP]");
    free(got);
    idx_argv_free(argv, argc);

    /* a loop is a clear error and the arguments are left as they were */
    put_file(dir, "loop.rsp", "-DX @loop.rsp\n");
    {
        static const char *const l[] = {"cc", "@loop.rsp", NULL};
        argv = make_argv(l, &argc);
        assert_int_equal(idx_args_expand_response_files(&argv, &argc, &ctx, &log, &e), ERR_LIMIT);
        assert_non_null(strstr(e.msg, "loop"));
        assert_int_equal(argc, 2);
        assert_string_equal(argv[1], "@loop.rsp");
        /* ... and the sanitizer then removes it: a driver would read it, loop or not */
        TU_OK(idx_args_sanitize(argv, &argc, &ctx, &log, &e), &e);
        assert_int_equal(argc, 1);
        assert_non_null(strstr(log.buf, "removed '@loop.rsp': response file not expanded"));
        idx_argv_free(argv, argc);
    }
    /* broken quoting names the file */
    put_file(dir, "broken.rsp", "-DX='unterminated\n");
    {
        static const char *const b[] = {"cc", "@broken.rsp", NULL};
        argv = make_argv(b, &argc);
        assert_int_equal(idx_args_expand_response_files(&argv, &argc, &ctx, &log, &e), ERR_INVALID);
        assert_non_null(strstr(e.msg, "broken.rsp"));
        idx_argv_free(argv, argc);
    }
    strbuf_release(&log);
    free(out_rsp);
    free(out_arg);
    tu_rmtree(dir);
    tu_rmtree(outside);
    free(dir);
    free(outside);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expanded_then_sanitized),
        cmocka_unit_test(test_outside_missing_and_broken),
    };
    log_set_level(LOG_ERROR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
