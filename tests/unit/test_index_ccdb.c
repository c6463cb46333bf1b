/*
 * test_index_ccdb.c - the compile database reader and the shell-word splitter behind its
 * "command" form: both forms, quoting, relative paths, several entries per file, malformed
 * entries and malformed files (not JSON, not an array, empty, nested 100,000 levels deep),
 * paths with spaces and non-ASCII characters, missing sources.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "index/index.h"
#include "testutil.h"

/* A temporary project directory (its real path) and the database path inside it. */
struct fixture {
    char *dir;
    char *ccdb;
};

static void fixture_init(struct fixture *f, const char *tag)
{
    char *tmp = tu_tmpdir(tag);
    f->dir = path_real(tmp);
    assert_non_null(f->dir);
    free(tmp);
    f->ccdb = path_join(f->dir, "compile_commands.json");
}

static void fixture_release(struct fixture *f)
{
    tu_rmtree(f->dir);
    free(f->dir);
    free(f->ccdb);
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
    assert_int_equal(fclose(fp), 0);
}

/* Writes a file under dir (creating its directory) and returns its path (caller frees). */
static char *touch(const char *dir, const char *rel)
{
    char *p = path_join(dir, rel), *slash;
    struct err e = {0};

    slash = strrchr(p, '/');
    *slash = '\0';
    TU_OK(fs_mkdir_p(p, &e), &e);
    *slash = '/';
    write_text(p, "int x;\n");
    return p;
}

/* Splits cmd, expecting success, and compares with the NULL-terminated list want. */
static void assert_split(const char *cmd, const char *const *want)
{
    char **argv = NULL;
    size_t argc = 0, n = 0;
    struct err e = {0};

    TU_OK(idx_shell_split(&argv, &argc, cmd, &e), &e);
    while (want[n])
        n++;
    if (argc != n)
        fail_msg("'%s': %zu words, want %zu", cmd, argc, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(argv[i], want[i]);
    assert_null(argv[argc]);
    idx_argv_free(argv, argc);
}

static void test_shell_split(void **state)
{
    (void)state;
    assert_split("cc -c a.c", (const char *const[]){"cc", "-c", "a.c", NULL});
    assert_split("  cc\t-c \n a.c  ", (const char *const[]){"cc", "-c", "a.c", NULL});
    assert_split("cc -DNAME=\"a b\" x.c", (const char *const[]){"cc", "-DNAME=a b", "x.c", NULL});
    assert_split("cc '-DX=it'\\''s'", (const char *const[]){"cc", "-DX=it's", NULL});
    assert_split("cc -I/a\\ b/inc", (const char *const[]){"cc", "-I/a b/inc", NULL});
    assert_split("cc '' \"\" x", (const char *const[]){"cc", "", "", "x", NULL});
    assert_split("cc '\t'", (const char *const[]){"cc", "\t", NULL});
    assert_split("cc \"a\\\"b\\\\c\\$d\\`e\\nf\"",
                 (const char *const[]){"cc", "a\"b\\c$d`e\\nf", NULL});
    assert_split("cc \"x\\\ny\" a\\\nb", (const char *const[]){"cc", "xy", "ab", NULL});
    assert_split("cc -DS=\\\"str\\\"", (const char *const[]){"cc", "-DS=\"str\"", NULL});
    assert_split("cc '$HOME' $HOME;ls|x", (const char *const[]){"cc", "$HOME", "$HOME;ls|x", NULL});
    assert_split("cc a\\", (const char *const[]){"cc", "a\\", NULL});
    assert_split("", (const char *const[]){NULL});
    assert_split("   ", (const char *const[]){NULL});
}

static void test_shell_split_unterminated(void **state)
{
    static const char *const bad[] = {"cc 'abc", "cc \"abc", "cc \"a\\\"", "cc 'a'\"b", "'"};
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char **argv = (char **)&bad; /* must be reset */
        size_t argc = 7;
        struct err e = {0};
        assert_int_equal(idx_shell_split(&argv, &argc, bad[i], &e), ERR_INVALID);
        assert_null(argv);
        assert_int_equal(argc, 0);
        assert_non_null(strstr(e.msg, "unterminated"));
    }
}

static void test_both_forms(void **state)
{
    struct fixture f;
    struct idx_ccdb db;
    struct err e = {0};
    char *a, *b, *json;
    (void)state;

    fixture_init(&f, "ccdb-forms");
    a = touch(f.dir, "src/a.c");
    b = touch(f.dir, "src/b.c");
    json = xasprintf("[{\"directory\": \"%s\", \"file\": \"src/a.c\",\n"
                     "  \"arguments\": [\"cc\", \"-DNAME=a b\", \"-c\", \"src/a.c\"]},\n"
                     " {\"directory\": \"%s\", \"file\": \"%s\",\n"
                     "  \"command\": \"cc -DNAME=\\\"a b\\\" '-DX=it'\\\\''s' -c src/b.c\"}]",
                     f.dir, f.dir, b);
    write_text(f.ccdb, json);
    TU_OK(idx_ccdb_load(&db, f.ccdb, &e), &e);
    assert_int_equal(db.n, 2);
    assert_int_equal(db.nwarnings, 0);
    assert_string_equal(db.entries[0].file, a);
    assert_string_equal(db.entries[0].directory, f.dir);
    assert_int_equal(db.entries[0].argc, 4);
    assert_string_equal(db.entries[0].argv[1], "-DNAME=a b");
    assert_null(db.entries[0].argv[4]);
    assert_string_equal(db.entries[1].file, b);
    assert_int_equal(db.entries[1].argc, 5);
    assert_string_equal(db.entries[1].argv[1], "-DNAME=a b");
    assert_string_equal(db.entries[1].argv[2], "-DX=it's");
    assert_int_equal(db.entries[1].index, 1);
    assert_ptr_equal(idx_ccdb_find(&db, b), &db.entries[1]);
    idx_ccdb_release(&db);
    idx_ccdb_release(&db);
    free(json);
    free(a);
    free(b);
    fixture_release(&f);
}

static void test_relative_paths(void **state)
{
    struct fixture f;
    struct idx_ccdb db;
    struct err e = {0};
    char *a, *build, *sub;
    (void)state;

    fixture_init(&f, "ccdb-rel");
    a = touch(f.dir, "src/a.c");
    build = path_join(f.dir, "build");
    TU_OK(fs_mkdir_p(build, &e), &e);
    sub = path_join(build, "compile_commands.json");
    /* directory relative to the database's directory (build/), file relative to directory */
    write_text(sub, "[{\"directory\": \"../src/./\", \"file\": \"a.c\", \"arguments\": [\"cc\"]},"
                    " {\"directory\": \".\", \"file\": \"../src/../src/a.c\","
                    "  \"arguments\": [\"cc\", \"-O2\"]}]");
    TU_OK(idx_ccdb_load(&db, sub, &e), &e);
    assert_int_equal(db.n, 2);
    assert_string_equal(db.entries[0].file, a);
    assert_string_equal(db.entries[1].file, a);
    assert_string_equal(db.entries[1].directory, build);
    /* the first entry for a file wins, the second is its alternative */
    assert_ptr_equal(idx_ccdb_find(&db, a), &db.entries[0]);
    assert_ptr_equal(idx_ccdb_find_next(&db, &db.entries[0]), &db.entries[1]);
    assert_null(idx_ccdb_find_next(&db, &db.entries[1]));
    idx_ccdb_release(&db);
    free(a);
    free(build);
    free(sub);
    fixture_release(&f);
}

static void test_several_entries_per_file(void **state)
{
    struct fixture f;
    struct idx_ccdb db;
    struct err e = {0};
    struct strbuf json = STRBUF_INIT;
    char *a, *b;
    const struct idx_ccdb_entry *x;
    (void)state;

    fixture_init(&f, "ccdb-multi");
    a = touch(f.dir, "a.c");
    b = touch(f.dir, "b.c");
    strbuf_adds(&json, "[");
    for (int i = 0; i < 50; i++)
        strbuf_addf(
            &json, "%s{\"directory\": \"%s\", \"file\": \"%s\", \"arguments\": [\"cc\", \"-D%d\"]}",
            i ? "," : "", f.dir, i % 2 ? "b.c" : "a.c", i);
    strbuf_adds(&json, "]");
    write_text(f.ccdb, json.buf);
    TU_OK(idx_ccdb_load(&db, f.ccdb, &e), &e);
    assert_int_equal(db.n, 50);
    x = idx_ccdb_find(&db, a);
    assert_string_equal(x->argv[1], "-D0");
    for (int i = 2; i < 50; i += 2) {
        x = idx_ccdb_find_next(&db, x);
        assert_non_null(x);
        assert_int_equal(x->index, (size_t)i);
    }
    assert_null(idx_ccdb_find_next(&db, x));
    x = idx_ccdb_find(&db, b);
    assert_string_equal(x->argv[1], "-D1");
    assert_null(idx_ccdb_find(&db, "/nonexistent/c.c"));
    idx_ccdb_release(&db);
    strbuf_release(&json);
    free(a);
    free(b);
    fixture_release(&f);
}

static void test_malformed_entries(void **state)
{
    struct fixture f;
    struct idx_ccdb db;
    struct err e = {0};
    char *json;
    (void)state;

    fixture_init(&f, "ccdb-bad");
    json = xasprintf("[42,\n"
                     " {\"file\": \"a.c\", \"arguments\": [\"cc\"]},\n"
                     " {\"directory\": \"%s\", \"file\": 7, \"arguments\": [\"cc\"]},\n"
                     " {\"directory\": \"%s\", \"file\": \"a.c\", \"arguments\": \"cc\"},\n"
                     " {\"directory\": \"%s\", \"file\": \"a.c\", \"arguments\": [\"cc\", 1]},\n"
                     " {\"directory\": \"%s\", \"file\": \"a.c\"},\n"
                     " {\"directory\": \"%s\", \"file\": \"a.c\", \"command\": \"cc 'x\"},\n"
                     " {\"directory\": [], \"file\": \"a.c\", \"command\": \"cc\"},\n"
                     " {\"directory\": \"%s\", \"file\": \"a.c\", \"command\": \"  \"},\n"
                     " {\"directory\": \"%s\", \"file\": \"a.c\", \"arguments\": []},\n"
                     " {\"directory\": \"%s\", \"file\": \"ok.c\", \"command\": \"cc ok.c\"}]",
                     f.dir, f.dir, f.dir, f.dir, f.dir, f.dir, f.dir, f.dir);
    write_text(f.ccdb, json);
    TU_OK(idx_ccdb_load(&db, f.ccdb, &e), &e);
    assert_int_equal(db.n, 1);
    assert_int_equal(db.entries[0].index, 10);
    assert_int_equal(db.nwarnings, 10);
    assert_string_equal(db.warnings[0], "entry 0: not an object");
    assert_string_equal(db.warnings[1], "entry 1: missing 'directory'");
    assert_string_equal(db.warnings[2], "entry 2: 'file' is not a string");
    assert_string_equal(db.warnings[3], "entry 3: 'arguments' is not an array");
    assert_string_equal(db.warnings[4], "entry 4: 'arguments' holds a value that is not a string");
    assert_string_equal(db.warnings[5], "entry 5: neither 'arguments' nor 'command'");
    assert_true(str_starts_with(db.warnings[6], "entry 6: cannot split 'command': unterminated"));
    assert_string_equal(db.warnings[7], "entry 7: 'directory' is not a string");
    assert_string_equal(db.warnings[8], "entry 8: 'command' is empty");
    assert_string_equal(db.warnings[9], "entry 9: 'arguments' is empty");
    idx_ccdb_release(&db);
    free(json);
    fixture_release(&f);
}

/* Loads text as the database, expects code and a message naming the file and holding what. */
static void expect_load_error(struct fixture *f, const char *text, size_t len, int code,
                              const char *what)
{
    struct idx_ccdb db;
    struct err e = {0};
    FILE *fp = fopen(f->ccdb, "wb");

    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(idx_ccdb_load(&db, f->ccdb, &e), code);
    if (!strstr(e.msg, f->ccdb) || !strstr(e.msg, what))
        fail_msg("unexpected message: %s", e.msg);
    assert_int_equal(db.n, 0);
    idx_ccdb_release(&db);
}

static void test_bad_files(void **state)
{
    struct fixture f;
    struct idx_ccdb db;
    struct err e = {0};
    char *deep;
    size_t depth = 100000;
    (void)state;

    fixture_init(&f, "ccdb-files");
    expect_load_error(&f, "{\"file\": \"a.c\"}", 15, ERR_INVALID, "JSON array");
    expect_load_error(&f, "\"x\"", 3, ERR_INVALID, "JSON array");
    expect_load_error(&f, "[{\"file\": ", 10, ERR_INVALID, "not valid JSON");
    expect_load_error(&f,
                      "\x7f"
                      "ELF\0\0\0",
                      7, ERR_INVALID, "not valid JSON");
    expect_load_error(&f, "", 0, ERR_INVALID, "empty");

    deep = xmalloc(2 * depth);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    expect_load_error(&f, deep, 2 * depth, ERR_INVALID, "depth");
    memset(deep, '{', 1);
    for (size_t i = 0; i < depth / 8; i++)
        memcpy(deep + i * 8, "{\"a\":[  ", 8);
    expect_load_error(&f, deep, depth, ERR_INVALID, "depth");
    free(deep);

    /* empty array: no entries, no error */
    write_text(f.ccdb, " [ ] \n");
    TU_OK(idx_ccdb_load(&db, f.ccdb, &e), &e);
    assert_int_equal(db.n, 0);
    assert_null(idx_ccdb_find(&db, "/x.c"));
    idx_ccdb_release(&db);

    /* missing database */
    free(f.ccdb);
    f.ccdb = path_join(f.dir, "nope.json");
    assert_int_equal(idx_ccdb_load(&db, f.ccdb, &e), ERR_NOTFOUND);
    assert_non_null(strstr(e.msg, "nope.json"));
    idx_ccdb_release(&db);
    fixture_release(&f);
}

static void test_too_large(void **state)
{
    struct fixture f;
    struct idx_ccdb db;
    struct err e = {0};
    FILE *fp;
    (void)state;

    fixture_init(&f, "ccdb-large");
    fp = fopen(f.ccdb, "wb");
    assert_non_null(fp);
    /* sparse: the size check happens before anything is read */
    assert_int_equal(fseek(fp, (long)IDX_CCDB_MAX_BYTES, SEEK_SET), 0);
    assert_int_equal(fputc(']', fp), ']');
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(idx_ccdb_load(&db, f.ccdb, &e), ERR_LIMIT);
    assert_non_null(strstr(e.msg, "too large"));
    assert_non_null(strstr(e.msg, f.ccdb));
    idx_ccdb_release(&db);
    fixture_release(&f);
}

static void test_odd_paths(void **state)
{
    struct fixture f;
    struct idx_ccdb db;
    struct err e = {0};
    char *src, *json, *missing;
    (void)state;

    fixture_init(&f, "ccdb-paths");
    src = touch(f.dir, "my dir/ünïcødé ñame.cc");
    missing = xasprintf("%s/gen/out.c", f.dir);
    json = xasprintf("[{\"directory\": \"%s/my dir\", \"file\": \"ünïcødé ñame.cc\","
                     "  \"command\": \"c++ -c 'ünïcødé ñame.cc' -I\\\"%s/my dir\\\"\"},"
                     " {\"directory\": \"%s\", \"file\": \"./gen/../gen//./out.c\","
                     "  \"arguments\": [\"cc\"]},"
                     " {\"directory\": \"%s/no/such/dir/..\", \"file\": \"../../x.c\","
                     "  \"arguments\": [\"cc\"]}]",
                     f.dir, f.dir, f.dir, f.dir);
    write_text(f.ccdb, json);
    TU_OK(idx_ccdb_load(&db, f.ccdb, &e), &e);
    assert_int_equal(db.n, 3);
    assert_string_equal(db.entries[0].file, src);
    assert_string_equal(db.entries[0].argv[2], "ünïcødé ñame.cc");
    /* a missing source is kept, under a normalized absolute path */
    assert_string_equal(db.entries[1].file, missing);
    free(missing);
    missing = xasprintf("%s/x.c", f.dir);
    assert_string_equal(db.entries[2].file, missing);
    idx_ccdb_release(&db);
    free(missing);
    free(json);
    free(src);
    fixture_release(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shell_split),
        cmocka_unit_test(test_shell_split_unterminated),
        cmocka_unit_test(test_both_forms),
        cmocka_unit_test(test_relative_paths),
        cmocka_unit_test(test_several_entries_per_file),
        cmocka_unit_test(test_malformed_entries),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_odd_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
