/*
 * test_cli_dump.c - `cidx dump` as a user runs it: the dump on stdout or in a file equals
 * store_dump's, the root comes from --root or --project, the cache is only read (also in a
 * read-only directory), and usage errors and failures get their exit codes.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "tu_cli.h"

/* A cache of a project under root: a header, a source that includes it, a placeholder. */
static void make_cache(const char *dir, const char *root)
{
    struct store *st = tu_open(dir, 0);
    char *h = xasprintf("%s/include/widget.h", root), *c = xasprintf("%s/src/widget.cpp", root);
    char *helper = xasprintf("c:%s/src/widget.cpp@F@helper#", root);
    struct store_symbol hs = {.usr = "c:@N@ui@S@Widget",
                              .name = "Widget",
                              .scope = "ui",
                              .scope_ns = "ui",
                              .scope_kind = STORE_KIND_NAMESPACE,
                              .kind = STORE_KIND_CLASS,
                              .is_definition = true,
                              .range = {3, 7, 9, 1},
                              .brief = "A widget on screen."};
    struct store_symbol cs = {.usr = helper,
                              .name = "helper",
                              .kind = STORE_KIND_FUNCTION,
                              .signature = "static void helper()",
                              .is_definition = true,
                              .range = {5, 13, 8, 1}};
    struct store_ref ref = {.usr = "c:@F@puts",
                            .target_name = "puts",
                            .target_kind = STORE_KIND_FUNCTION,
                            .context_usr = helper,
                            .line = 6,
                            .col = 5,
                            .roles = STORE_ROLE_CALL};
    struct store_include inc = {.path = h, .line = 1};
    struct store_file_batch hb = {.path = h,
                                  .hash = "h1",
                                  .is_project = true,
                                  .is_header = true,
                                  .symbols = &hs,
                                  .nsymbols = 1};
    struct store_file_batch cb = {.path = c,
                                  .hash = "c1",
                                  .is_project = true,
                                  .symbols = &cs,
                                  .nsymbols = 1,
                                  .refs = &ref,
                                  .nrefs = 1,
                                  .includes = &inc,
                                  .nincludes = 1};
    struct err e = {0};
    TU_OK(store_file_replace(st, &hb, &e), &e);
    TU_OK(store_file_replace(st, &cb, &e), &e);
    store_close(st);
    free(h);
    free(c);
    free(helper);
}

/* What store_dump writes for the cache in dir with root. */
static char *api_dump(const char *dir, const char *root)
{
    struct store *st = tu_open(dir, STORE_OPEN_READONLY);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct err e = {0};
    TU_OK(store_dump(st, f, root, &e), &e);
    fclose(f);
    store_close(st);
    return buf;
}

static void test_dump_cli(void **state)
{
    char *cache = tu_tmpdir("clidump"), *tmp = tu_tmpdir("clidumpproj");
    char *proj = path_real(tmp); /* cached paths are canonical */
    char *cd = xasprintf("--cache-dir=%s", cache), *outfile = path_join(tmp, "out.txt");
    char *db = path_join(cache, "symbols.db"), *want, *raw, *text = NULL;
    char hash_before[33], hash_after[33];
    struct err e = {0};
    size_t len = 0;
    struct tu_run r;
    (void)state;

    /* no cache: a failure that creates nothing */
    r = tu_cidx("dump", cd, NULL);
    TU_ASSERT_RUN(r, 1);
    assert_non_null(strstr(r.err, "no cache"));
    assert_false(fs_exists(db));
    tu_run_release(&r);

    make_cache(cache, proj);
    TU_OK(hash_file_hex(hash_before, db, &e), &e);

    /* stdout, no root: exactly what store_dump writes */
    raw = api_dump(cache, NULL);
    r = tu_cidx("dump", cd, NULL);
    TU_ASSERT_RUN(r, 0);
    assert_string_equal(r.out, raw);
    assert_string_equal(r.err, "");
    assert_non_null(strstr(r.out, proj));
    tu_run_release(&r);

    /* --root: the root reads <root>, in paths and in the static function's USR */
    want = api_dump(cache, proj);
    assert_null(strstr(want, proj));
    assert_non_null(strstr(want, "file <root>/src/widget.cpp source project symbols=1 hash=c1\n"));
    assert_non_null(strstr(want, "usr=c:<root>/src/widget.cpp@F@helper#"));
    assert_non_null(strstr(want, "symbol puts function usr=c:@F@puts placeholder dependency\n"));
    r = tu_cidx("dump", cd, "--root", proj, NULL);
    TU_ASSERT_RUN(r, 0);
    assert_string_equal(r.out, want);
    tu_run_release(&r);

    /* --project alone: the project's default cache, and its directory as the root */
    setenv("CLANG_INDEX_CACHE_DIR", cache, 1);
    r = tu_cidx("dump", "--project", tmp, NULL);
    TU_ASSERT_RUN(r, 0);
    assert_string_equal(r.out, want);
    tu_run_release(&r);
    unsetenv("CLANG_INDEX_CACHE_DIR");

    /* --output: the dump in the file, nothing on stdout */
    r = tu_cidx("dump", cd, "--root", proj, "--output", outfile, NULL);
    TU_ASSERT_RUN(r, 0);
    assert_string_equal(r.out, "");
    tu_run_release(&r);
    TU_OK(fs_read_file(&text, &len, outfile, 1 << 20, &e), &e);
    assert_string_equal(text, want);
    free(text);

    /* the cache was only read */
    TU_OK(hash_file_hex(hash_after, db, &e), &e);
    assert_string_equal(hash_before, hash_after);

    /* a read-only cache directory is fine */
    assert_int_equal(chmod(cache, 0555), 0);
    r = tu_cidx("dump", cd, "--root", proj, NULL);
    TU_ASSERT_RUN(r, 0);
    assert_string_equal(r.out, want);
    tu_run_release(&r);
    chmod(cache, 0755);

    /* an output that cannot be written: exit 1, the reason */
    r = tu_cidx("dump", cd, "--output", "/nonexistent-dir/dump.txt", NULL);
    TU_ASSERT_RUN(r, 1);
    assert_non_null(strstr(r.err, "cannot write '/nonexistent-dir/dump.txt'"));
    tu_run_release(&r);
    {
        struct stat sb;
        if (stat("/dev/full", &sb) == 0 && S_ISCHR(sb.st_mode)) {
            r = tu_cidx("dump", cd, "--output", "/dev/full", NULL);
            TU_ASSERT_RUN(r, 1);
            assert_non_null(strstr(r.err, "cannot write"));
            tu_run_release(&r);
            /* an output that was there before the failure is left alone */
            assert_int_equal(stat("/dev/full", &sb), 0);
            assert_true(S_ISCHR(sb.st_mode));
        }
    }

    free(want);
    free(raw);
    free(db);
    free(outfile);
    free(cd);
    free(proj);
    tu_rmtree(cache);
    tu_rmtree(tmp);
    free(cache);
    free(tmp);
}

static void test_dump_usage(void **state)
{
    static const char *const cases[][3] = {
        {"extra", NULL, "unexpected argument 'extra'"},
        {"--json", NULL, "no --json form"},
        {"--root", NULL, "needs a value"},
        {"--output=", NULL, "needs a file name"},
    };
    struct tu_run r;
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        r = tu_cidx("dump", "--cache-dir=/nonexistent", cases[i][0], cases[i][1], NULL);
        TU_ASSERT_RUN(r, 2);
        if (!strstr(r.err, cases[i][2]))
            fail_msg("case %zu: stderr lacks '%s': %s", i, cases[i][2], r.err);
        tu_run_release(&r);
    }
    /* the help comes from the option table */
    r = tu_cidx("help", NULL);
    TU_ASSERT_RUN(r, 0);
    assert_non_null(strstr(r.out, "  dump "));
    tu_run_release(&r);
    r = tu_cidx("help", "dump", NULL);
    TU_ASSERT_RUN(r, 0);
    assert_non_null(strstr(r.out, "usage: cidx dump"));
    assert_non_null(strstr(r.out, "--root DIR"));
    assert_non_null(strstr(r.out, "--output FILE"));
    assert_non_null(strstr(r.out, "--cache-dir DIR"));
    tu_run_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dump_cli),
        cmocka_unit_test(test_dump_usage),
    };
    log_set_level(LOG_ERROR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
