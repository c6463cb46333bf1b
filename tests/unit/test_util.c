/*
 * test_util.c - the util module: strings, errors, arenas, paths, number parsing, hashing, and
 * the identifier sub-word splitter the search relies on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "testutil.h"

static void test_strbuf(void **state)
{
    struct strbuf sb = STRBUF_INIT;
    char *s;
    size_t len;
    (void)state;

    assert_string_equal(sb.buf, "");
    strbuf_adds(&sb, "abc");
    strbuf_addch(&sb, '-');
    strbuf_addf(&sb, "%d/%s", 42, "x");
    assert_string_equal(sb.buf, "abc-42/x");
    for (int i = 0; i < 1000; i++)
        strbuf_addf(&sb, "%04d", i);
    assert_int_equal(sb.len, 8 + 4000);
    assert_int_equal(strlen(sb.buf), sb.len);
    strbuf_reset(&sb);
    strbuf_add_json_str(&sb, "a\"b\\c\n\x01");
    assert_string_equal(sb.buf, "\"a\\\"b\\\\c\\n\\u0001\"");
    s = strbuf_detach(&sb, &len);
    assert_int_equal(len, strlen(s));
    free(s);
    assert_string_equal(sb.buf, "");
    strbuf_release(&sb);
}

static void test_err(void **state)
{
    struct err e = {0};
    char big[3000];
    (void)state;

    assert_int_equal(err_set(&e, ERR_IO, "cannot open '%s': %s", "x", "denied"), ERR_IO);
    assert_string_equal(e.msg, "cannot open 'x': denied");
    assert_int_equal(err_wrap(&e, "while loading"), ERR_IO);
    assert_string_equal(e.msg, "while loading: cannot open 'x': denied");
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    err_set(&e, ERR_INVALID, "%s", big);
    err_wrap(&e, "%s", big); /* truncates, never overflows */
    assert_int_equal(strlen(e.msg), sizeof(e.msg) - 1);
    assert_int_equal(err_set(NULL, ERR_BUSY, "ignored"), ERR_BUSY);
    assert_string_equal(err_code_name(ERR_FULL), "full");
    err_clear(&e);
    assert_int_equal(e.code, 0);
}

static void test_arena(void **state)
{
    struct arena a = ARENA_INIT;
    char *p[2000];
    (void)state;
    for (int i = 0; i < 2000; i++) {
        char tmp[32];
        snprintf(tmp, sizeof(tmp), "string %d", i);
        p[i] = arena_strdup(&a, tmp);
    }
    for (int i = 0; i < 2000; i++) {
        char tmp[32];
        snprintf(tmp, sizeof(tmp), "string %d", i);
        assert_string_equal(p[i], tmp);
    }
    assert_null(arena_strdup(&a, NULL));
    assert_non_null(arena_alloc(&a, 100000)); /* bigger than a chunk */
    arena_release(&a);
    arena_release(&a);
}

static void test_numbers_and_paths(void **state)
{
    uint64_t v = 0;
    char buf[32];
    char *p;
    (void)state;

    assert_int_equal(str_to_u64(&v, "123", 1000), 0);
    assert_int_equal(v, 123);
    assert_int_equal(str_to_u64(&v, "1001", 1000), ERR_INVALID);
    assert_int_equal(str_to_u64(&v, "-1", 1000), ERR_INVALID);
    assert_int_equal(str_to_u64(&v, "12x", 1000), ERR_INVALID);
    assert_int_equal(str_to_u64(&v, "", 1000), ERR_INVALID);
    assert_int_equal(str_to_u64(&v, "99999999999999999999999", UINT64_MAX), ERR_INVALID);
    str_human_bytes(buf, 1536);
    assert_string_equal(buf, "1.5 KB");
    str_human_bytes(buf, 12);
    assert_string_equal(buf, "12 B");
    p = path_join("/a/", "b");
    assert_string_equal(p, "/a/b");
    free(p);
    p = path_join("/a", "b");
    assert_string_equal(p, "/a/b");
    free(p);
    assert_true(str_ends_with("symbols.db-wal", "-wal"));
    assert_false(str_starts_with("ab", "abc"));
}

static void test_default_cache_dir(void **state)
{
    char *a, *b, *c;
    (void)state;
    unsetenv("CLANG_INDEX_CACHE_DIR");
    setenv("XDG_CACHE_HOME", "/tmp/xdg", 1);
    a = store_default_cache_dir("/home/u/proj", NULL);
    b = store_default_cache_dir("/home/u/proj", "/home/u/proj/cidx.json");
    c = store_default_cache_dir("/home/u/other/proj", NULL);
    assert_true(str_starts_with(a, "/tmp/xdg/cidx/proj-"));
    assert_string_not_equal(a, b);
    assert_string_not_equal(a, c);
    setenv("CLANG_INDEX_CACHE_DIR", "/tmp/explicit", 1);
    free(c);
    c = store_default_cache_dir("/home/u/proj", NULL);
    assert_string_equal(c, "/tmp/explicit");
    unsetenv("CLANG_INDEX_CACHE_DIR");
    free(a);
    free(b);
    free(c);
}

static void words(const char *s, const char *want)
{
    struct store_words w;
    struct strbuf sb = STRBUF_INIT;
    store_split_words(s, strlen(s), &w);
    for (size_t i = 0; i < w.n; i++) {
        if (i)
            strbuf_addch(&sb, ' ');
        strbuf_add(&sb, w.start[i], w.len[i]);
    }
    if (strcmp(sb.buf, want) != 0)
        fail_msg("split '%s' gave '%s', want '%s'", s, sb.buf, want);
    strbuf_release(&sb);
}

static void test_split_words(void **state)
{
    (void)state;
    words("push_back", "push back");
    words("pushBack", "push Back");
    words("ResourceManager", "Resource Manager");
    words("HTTPServer", "HTTP Server");
    words("parseURL", "parse URL");
    words("utf8Decode", "utf 8 Decode");
    words("__init__", "init");
    words("operator==", "operator");
    words("~Widget", "Widget");
    words("push back", "push back");
    words("ÄrgerNode", "Ärger Node");
    words("", "");
    words("::", "");
}

static void test_fs_kind_override(void **state)
{
    (void)state;
    setenv("CIDX_FS_TYPE_OVERRIDE", "nfs", 1);
    assert_int_equal(fs_detect_kind("/"), FS_NFS);
    setenv("CIDX_FS_TYPE_OVERRIDE", "smb", 1);
    assert_int_equal(fs_detect_kind("/"), FS_CIFS);
    setenv("CIDX_FS_TYPE_OVERRIDE", "sshfs", 1);
    assert_int_equal(fs_detect_kind("/"), FS_FUSE);
    unsetenv("CIDX_FS_TYPE_OVERRIDE");
    assert_int_equal(fs_detect_kind("/tmp"), FS_LOCAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strbuf),
        cmocka_unit_test(test_err),
        cmocka_unit_test(test_arena),
        cmocka_unit_test(test_numbers_and_paths),
        cmocka_unit_test(test_default_cache_dir),
        cmocka_unit_test(test_split_words),
        cmocka_unit_test(test_fs_kind_override),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
