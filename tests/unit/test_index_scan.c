/*
 * test_index_scan.c - the directory scan of a project without a compile database: default
 * arguments, sorting, excluded, hidden and dependency directories, include_dependencies on and
 * off, symlinks (loops, aliases, links leaving the project, links to files, broken links),
 * unreadable directories, names with spaces and non-ASCII characters, large files, bad roots.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index/idx_int.h"
#include "index/index.h"
#include "testutil.h"

struct fixture {
    char *dir;  /* real path of the temporary directory */
    char *root; /* the project: dir/proj */
};

static void fixture_init(struct fixture *f, const char *tag)
{
    char *tmp = tu_tmpdir(tag);
    struct err e = {0};

    f->dir = path_real(tmp);
    assert_non_null(f->dir);
    free(tmp);
    f->root = path_join(f->dir, "proj");
    TU_OK(fs_mkdir_p(f->root, &e), &e);
    unsetenv("CPP_ANALYZER_DIAGNOSTIC_LEVEL");
    unsetenv("CPP_ANALYZER_QUERY_BEHAVIOR");
}

static void fixture_release(struct fixture *f)
{
    tu_rmtree(f->dir);
    free(f->dir);
    free(f->root);
}

/* Writes a file of size bytes under base (creating directories) and returns its path. */
static char *put(const char *base, const char *rel, size_t size)
{
    char *p = path_join(base, rel), *slash = strrchr(p, '/');
    struct err e = {0};
    FILE *fp;

    *slash = '\0';
    TU_OK(fs_mkdir_p(p, &e), &e);
    *slash = '/';
    fp = fopen(p, "wb");
    assert_non_null(fp);
    for (size_t i = 0; i < size; i++)
        fputc(i % 64 == 63 ? '\n' : ' ', fp);
    assert_int_equal(fclose(fp), 0);
    return p;
}

static void touch(const char *base, const char *rel)
{
    free(put(base, rel, 8));
}

static void mkdir_in(const char *base, const char *rel)
{
    char *p = path_join(base, rel);
    struct err e = {0};
    TU_OK(fs_mkdir_p(p, &e), &e);
    free(p);
}

static void link_in(const char *base, const char *rel, const char *target)
{
    char *p = path_join(base, rel);
    assert_int_equal(symlink(target, p), 0);
    free(p);
}

static void load_cfg(struct idx_config *cfg, const char *root, const char *json)
{
    struct err e = {0};
    TU_OK(idx_config_parse(cfg, root, "test.json", json, strlen(json), NULL, &e), &e);
}

/* Scans and compares the files, relative to base, with the NULL-terminated want. */
static void scan_expect(struct idx_scan *s, const struct idx_config *cfg, const char *base,
                        const char *const *want)
{
    struct err e = {0};
    size_t n = 0, blen = strlen(base);

    TU_OK(idx_scan_dir(s, cfg, &e), &e);
    while (want[n])
        n++;
    for (size_t i = 0; i < s->n && i < n; i++) {
        const char *file = s->files[i].file;
        if (strncmp(file, base, blen) != 0 || file[blen] != '/' ||
            strcmp(file + blen + 1, want[i]) != 0)
            fail_msg("file %zu is '%s', want '%s/%s'", i, file, base, want[i]);
    }
    if (s->n != n) {
        for (size_t i = 0; i < s->n; i++)
            print_message("found %s\n", s->files[i].file);
        fail_msg("%zu files, want %zu", s->n, n);
    }
}

/* True when one warning holds both pieces. */
static bool has_warning(const struct idx_scan *s, const char *a, const char *b)
{
    for (size_t i = 0; i < s->nwarnings; i++)
        if (strstr(s->warnings[i], a) && (!b || strstr(s->warnings[i], b)))
            return true;
    return false;
}

static void print_warnings(const struct idx_scan *s)
{
    for (size_t i = 0; i < s->nwarnings; i++)
        print_message("warning: %s\n", s->warnings[i]);
}

static void test_scan_arguments(void **state)
{
    struct fixture f;
    struct idx_config cfg;
    struct idx_scan s;
    char *inc_root, *inc_include, *inc_src;
    (void)state;

    fixture_init(&f, "scan-args");
    touch(f.root, "main.cpp");
    touch(f.root, "src/util.cc");
    touch(f.root, "src/lib.c");
    touch(f.root, "include/api.h");
    touch(f.root, "include/api.hpp");
    touch(f.root, "notes.txt");
    touch(f.root, "Makefile");
    touch(f.root, "src/z.CPP"); /* case matters */
    load_cfg(&cfg, f.root, "{}");

    /* the plan's C++ extensions and .c */
    scan_expect(&s, &cfg, f.root,
                (const char *const[]){"include/api.h", "include/api.hpp", "main.cpp", "src/lib.c",
                                      "src/util.cc", NULL});
    assert_int_equal(s.nwarnings, 0);
    inc_root = xasprintf("-I%s", f.root);
    inc_include = xasprintf("-I%s/include", f.root);
    inc_src = xasprintf("-I%s/src", f.root);
    for (size_t i = 0; i < s.n; i++) {
        const struct idx_scan_file *sf = &s.files[i];
        bool c = str_ends_with(sf->file, ".c");
        assert_int_equal(sf->argc, 8);
        assert_string_equal(sf->argv[0], c ? "clang" : "clang++");
        assert_string_equal(sf->argv[1], "-x");
        assert_string_equal(sf->argv[2], c ? "c" : "c++");
        assert_string_equal(sf->argv[3], c ? "-std=c11" : "-std=c++17");
        assert_string_equal(sf->argv[4], inc_root);
        assert_string_equal(sf->argv[5], inc_include);
        assert_string_equal(sf->argv[6], inc_src);
        assert_string_equal(sf->argv[7], sf->file);
        assert_null(sf->argv[8]);
    }
    idx_scan_release(&s);
    idx_config_release(&cfg);

    /* a list of the project's own replaces the defaults */
    load_cfg(&cfg, f.root, "{\"compile_commands\": {\"supported_extensions\": [\".hpp\"]}}");
    scan_expect(&s, &cfg, f.root, (const char *const[]){"include/api.hpp", NULL});
    idx_scan_release(&s);
    idx_config_release(&cfg);
    free(inc_root);
    free(inc_include);
    free(inc_src);
    fixture_release(&f);
}

static void test_scan_no_include_dirs(void **state)
{
    struct fixture f;
    struct idx_config cfg;
    struct idx_scan s;
    char *inc_root;
    (void)state;

    fixture_init(&f, "scan-noinc");
    touch(f.root, "a.cpp");
    touch(f.root, "include"); /* a file, not a directory */
    load_cfg(&cfg, f.root, "{}");
    scan_expect(&s, &cfg, f.root, (const char *const[]){"a.cpp", NULL});
    inc_root = xasprintf("-I%s", f.root);
    assert_int_equal(s.files[0].argc, 6);
    assert_string_equal(s.files[0].argv[4], inc_root);
    assert_string_equal(s.files[0].argv[5], s.files[0].file);
    idx_scan_release(&s);
    idx_config_release(&cfg);

    /* an empty project: nothing, no warning */
    free(inc_root);
    inc_root = path_join(f.dir, "empty");
    mkdir_in(f.dir, "empty");
    load_cfg(&cfg, inc_root, "{}");
    scan_expect(&s, &cfg, inc_root, (const char *const[]){NULL});
    assert_int_equal(s.nwarnings, 0);
    idx_scan_release(&s);
    idx_scan_release(&s);
    idx_config_release(&cfg);
    free(inc_root);
    fixture_release(&f);
}

static void test_scan_excluded_and_hidden(void **state)
{
    struct fixture f;
    struct idx_config cfg;
    struct idx_scan s;
    (void)state;

    fixture_init(&f, "scan-excl");
    touch(f.root, ".git/objects/a.cpp");  /* default exclusion (and hidden) */
    touch(f.root, ".cache/b.cpp");        /* hidden */
    touch(f.root, "src/.tmp/c.cpp");      /* hidden below the root */
    touch(f.root, ".hidden-file.cpp");    /* hidden files are kept */
    touch(f.root, "build/d.cpp");         /* excluded name */
    touch(f.root, "src/build/e.cpp");     /* excluded name at depth */
    touch(f.root, "src/gen/f.cpp");       /* excluded prefix */
    touch(f.root, "src/generated/g.cpp"); /* not under the prefix */
    touch(f.root, "src/h.generated.cpp"); /* top-level glob */
    touch(f.root, "src/tests/t.cpp");     /* compile_commands glob */
    touch(f.root, "node_modules/n.cpp");  /* excluded by default only */
    touch(f.root, "src/main.cpp");
    load_cfg(&cfg, f.root,
             "{\"exclude_directories\": [\"build\", \"src/gen\"],"
             " \"exclude_patterns\": [\"*.generated.cpp\"],"
             " \"compile_commands\": {\"exclude_patterns\": [\"*/tests/*\"]}}");
    scan_expect(&s, &cfg, f.root,
                (const char *const[]){".hidden-file.cpp", "node_modules/n.cpp",
                                      "src/generated/g.cpp", "src/main.cpp", NULL});
    assert_int_equal(s.nwarnings, 0);
    idx_scan_release(&s);
    idx_config_release(&cfg);

    /* with the defaults node_modules is excluded */
    load_cfg(&cfg, f.root, "{}");
    scan_expect(&s, &cfg, f.root,
                (const char *const[]){".hidden-file.cpp", "build/d.cpp", "src/build/e.cpp",
                                      "src/gen/f.cpp", "src/generated/g.cpp", "src/h.generated.cpp",
                                      "src/main.cpp", "src/tests/t.cpp", NULL});
    idx_scan_release(&s);
    idx_config_release(&cfg);
    fixture_release(&f);
}

static void test_scan_dependencies(void **state)
{
    struct fixture f;
    struct idx_config cfg;
    struct idx_scan s;
    struct err e = {0};
    char *outside;
    (void)state;

    fixture_init(&f, "scan-deps");
    touch(f.root, "src/main.cpp");
    touch(f.root, "third_party/json/json.hpp");
    touch(f.root, "src/external/e.cpp");
    touch(f.root, "vcpkg_installed/x64-linux/include/fmt.h");
    outside = path_join(f.dir, "outside");
    touch(outside, "lib.cpp");
    link_in(f.root, "linked", outside);                   /* a directory outside the project */
    link_in(f.root, "outside.cpp", "../outside/lib.cpp"); /* a file outside the project */

    load_cfg(&cfg, f.root, "{\"include_dependencies\": true}");
    TU_OK(idx_scan_dir(&s, &cfg, &e), &e);
    assert_int_equal(s.n, 5);
    /* canonical paths: the file outside appears once, under its real path, sorted first */
    assert_non_null(strstr(s.files[0].file, "/outside/lib.cpp"));
    assert_true(idx_config_is_dependency(&cfg, s.files[0].file));
    assert_non_null(strstr(s.files[1].file, "/proj/src/external/e.cpp"));
    assert_non_null(strstr(s.files[2].file, "/proj/src/main.cpp"));
    assert_non_null(strstr(s.files[3].file, "/proj/third_party/json/json.hpp"));
    assert_non_null(strstr(s.files[4].file, "/proj/vcpkg_installed/x64-linux/include/fmt.h"));
    idx_scan_release(&s);
    idx_config_release(&cfg);

    load_cfg(&cfg, f.root, "{\"include_dependencies\": false}");
    scan_expect(&s, &cfg, f.root, (const char *const[]){"src/main.cpp", NULL});
    assert_int_equal(s.nwarnings, 0);
    idx_scan_release(&s);
    idx_config_release(&cfg);
    free(outside);
    fixture_release(&f);
}

static void test_scan_symlinks(void **state)
{
    struct fixture f;
    struct idx_config cfg;
    struct idx_scan s;
    (void)state;

    fixture_init(&f, "scan-links");
    touch(f.root, "a/one.cpp");
    touch(f.root, "b/two.cpp");
    link_in(f.root, "a/loop", "..");    /* back to the root: a loop */
    link_in(f.root, "a/self", ".");     /* to itself */
    link_in(f.root, "b/alias", "../a"); /* a second path to a */
    link_in(f.root, "b/two-alias.cpp", "two.cpp");
    link_in(f.root, "dangling.cpp", "nowhere.cpp");
    link_in(f.root, "ring1", "ring2"); /* a symlink loop of links, not directories */
    link_in(f.root, "ring2", "ring1");
    load_cfg(&cfg, f.root, "{}");
    scan_expect(&s, &cfg, f.root, (const char *const[]){"a/one.cpp", "b/two.cpp", NULL});
    if (!has_warning(&s, "a/loop", "symlink loop") || !has_warning(&s, "a/self", "loop") ||
        !has_warning(&s, "b/alias", "already scanned") ||
        !has_warning(&s, "dangling.cpp", "broken symlink") || !has_warning(&s, "ring1", NULL)) {
        print_warnings(&s);
        fail_msg("missing warnings");
    }
    idx_scan_release(&s);
    idx_config_release(&cfg);
    fixture_release(&f);
}

static void test_scan_unreadable_dir(void **state)
{
    struct fixture f;
    struct idx_config cfg;
    struct idx_scan s;
    struct err e = {0};
    char *locked;
    (void)state;

    if (geteuid() == 0) {
        /* root reads any directory: nothing to test */
        skip();
    }
    fixture_init(&f, "scan-perm");
    touch(f.root, "ok/a.cpp");
    touch(f.root, "locked/b.cpp");
    touch(f.root, "z.cpp");
    locked = path_join(f.root, "locked");
    assert_int_equal(chmod(locked, 0), 0);
    load_cfg(&cfg, f.root, "{}");
    scan_expect(&s, &cfg, f.root, (const char *const[]){"ok/a.cpp", "z.cpp", NULL});
    assert_int_equal(s.nwarnings, 1);
    assert_true(has_warning(&s, "cannot read directory", locked));
    idx_scan_release(&s);

    /* an unreadable root is the one failure */
    assert_int_equal(chmod(f.root, 0), 0);
    assert_int_equal(idx_scan_dir(&s, &cfg, &e), ERR_IO);
    assert_non_null(strstr(e.msg, f.root));
    idx_scan_release(&s);
    assert_int_equal(chmod(f.root, 0755), 0);
    idx_config_release(&cfg);
    free(locked);
    fixture_release(&f);
}

static void test_scan_odd_names(void **state)
{
    struct fixture f;
    struct idx_config cfg;
    struct idx_scan s;
    char *root;
    (void)state;

    fixture_init(&f, "scan-names");
    root = path_join(f.dir, "my prøject");
    touch(root, "src dir/ünïcødé ñame.cpp");
    touch(root, "with space.hpp");
    touch(root, "日本/語.h");
    touch(root, "quote'and\"dquote.cc");
    load_cfg(&cfg, root, "{}");
    scan_expect(&s, &cfg, root,
                (const char *const[]){"quote'and\"dquote.cc", "src dir/ünïcødé ñame.cpp",
                                      "with space.hpp", "日本/語.h", NULL});
    for (size_t i = 0; i < s.n; i++)
        assert_string_equal(s.files[i].argv[s.files[i].argc - 1], s.files[i].file);
    idx_scan_release(&s);
    idx_config_release(&cfg);

    /* a root given through a symlink scans under the real path */
    link_in(f.dir, "root-link", "my prøject");
    free(root);
    root = path_join(f.dir, "root-link");
    load_cfg(&cfg, root, "{}");
    free(root);
    root = path_join(f.dir, "my prøject");
    scan_expect(&s, &cfg, root,
                (const char *const[]){"quote'and\"dquote.cc", "src dir/ünïcødé ñame.cpp",
                                      "with space.hpp", "日本/語.h", NULL});
    idx_scan_release(&s);
    idx_config_release(&cfg);
    free(root);
    fixture_release(&f);
}

static void test_scan_large_files(void **state)
{
    struct fixture f;
    struct idx_config cfg;
    struct idx_scan s;
    (void)state;

    fixture_init(&f, "scan-large");
    free(put(f.root, "small.cpp", 1000));
    free(put(f.root, "big.cpp", 2 << 20));
    load_cfg(&cfg, f.root, "{\"max_file_size_mb\": 1}");
    scan_expect(&s, &cfg, f.root, (const char *const[]){"small.cpp", NULL});
    assert_true(has_warning(&s, "big.cpp", "max_file_size_mb"));
    idx_scan_release(&s);
    idx_config_release(&cfg);
    fixture_release(&f);
}

static void test_scan_bad_roots(void **state)
{
    struct fixture f;
    struct idx_config cfg;
    struct idx_scan s;
    struct err e = {0};
    char *file;
    (void)state;

    fixture_init(&f, "scan-roots");
    load_cfg(&cfg, f.root, "{}");
    tu_rmtree(f.root);
    assert_int_equal(idx_scan_dir(&s, &cfg, &e), ERR_NOTFOUND);
    assert_non_null(strstr(e.msg, f.root));
    assert_int_equal(s.n, 0);
    idx_scan_release(&s);

    file = put(f.dir, "proj", 10); /* the root is now a file */
    assert_int_equal(idx_scan_dir(&s, &cfg, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "not a directory"));
    idx_scan_release(&s);
    idx_config_release(&cfg);

    memset(&cfg, 0, sizeof(cfg));
    assert_int_equal(idx_scan_dir(&s, &cfg, &e), ERR_INVALID);
    idx_scan_release(&s);
    free(file);
    fixture_release(&f);
}

/* The canonical spelling is the same with a run's memo (directories' realpaths remembered) as
 * without: through a linked directory, of a linked file, of missing files and directories, with
 * "." and ".." (a ".." after a link follows the link, as the kernel does). */
static void test_canonical_memo(void **state)
{
    static const char *const paths[] = {
        "real/f.cpp",        "link/f.cpp",    "link/lf.cpp",  "real/lf.cpp", "real/missing.cpp",
        "nodir/miss.cpp",    "link/../x.cpp", "real/./f.cpp", "real//f.cpp", "link/sub/g.cpp",
        "link/sub/../f.cpp", "real/dead.cpp", "link",         "real/sub/",   "/",
    };
    char *root = tu_tmpdir("canon"), *rroot = path_real(root), *p, *want;
    (void)state;

    mkdir_in(root, "real/sub");
    touch(root, "real/f.cpp");
    touch(root, "real/sub/g.cpp");
    link_in(root, "link", "real");
    link_in(root, "real/lf.cpp", "f.cpp");
    link_in(root, "real/dead.cpp", "gone.cpp");

    for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
        char *plain = idx_path_canonical(root, paths[i]), *fast, *again, *memoized;
        idx_path_memo_begin();
        fast = idx_path_canonical(root, paths[i]);
        again = idx_path_canonical(root, paths[i]); /* the directory from the memo */
        memoized = idx_path_canonical_memo(root, paths[i]);
        free(idx_path_canonical_memo(root, paths[i]));
        idx_path_canonical_memo(NULL, NULL);
        if (strcmp(plain, fast) || strcmp(plain, again) || strcmp(plain, memoized))
            fail_msg("'%s': '%s' without the memo, '%s' / '%s' / '%s' with it", paths[i], plain,
                     fast, again, memoized);
        free(plain);
        free(fast);
        free(again);
        free(memoized);
    }
    /* and what they are */
    want = path_join(rroot, "real/f.cpp");
    p = idx_path_canonical(root, "link/lf.cpp");
    assert_string_equal(p, want);
    free(p);
    free(want);
    want = path_join(rroot, "x.cpp");
    p = idx_path_canonical(root, "link/../x.cpp");
    assert_string_equal(p, want);
    free(p);
    free(want);
    tu_rmtree(root);
    free(root);
    free(rroot);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_arguments),
        cmocka_unit_test(test_scan_no_include_dirs),
        cmocka_unit_test(test_scan_excluded_and_hidden),
        cmocka_unit_test(test_scan_dependencies),
        cmocka_unit_test(test_scan_symlinks),
        cmocka_unit_test(test_canonical_memo),
        cmocka_unit_test(test_scan_unreadable_dir),
        cmocka_unit_test(test_scan_odd_names),
        cmocka_unit_test(test_scan_large_files),
        cmocka_unit_test(test_scan_bad_roots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
