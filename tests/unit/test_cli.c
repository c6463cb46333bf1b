/*
 * test_cli.c - the cidx binary as a user runs it: each case is a command line, and the test
 * checks the exit code, stdout and stderr. Caches are built through the store API.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "testutil.h"
#include "tu_cli.h"

static void make_cache(const char *dir)
{
    struct store *st = tu_open(dir, 0);
    struct store_symbol syms[4] = {
        {.usr = "c:@N@ui@S@Widget",
         .name = "Widget",
         .scope = "ui",
         .scope_ns = "ui",
         .kind = STORE_KIND_CLASS,
         .is_definition = true,
         .range = {3, 7, 9, 1},
         .brief = "A widget on screen."},
        {.usr = "c:@N@ui@S@Widget@F@draw#",
         .name = "draw",
         .scope = "ui::Widget",
         .scope_ns = "ui",
         .scope_kind = STORE_KIND_CLASS,
         .kind = STORE_KIND_METHOD,
         .signature = "void ui::Widget::draw() const",
         .is_definition = true,
         .range = {5, 10, 5, 30}},
        {.usr = "c:@F@push_back#",
         .name = "push_back",
         .kind = STORE_KIND_FUNCTION,
         .is_definition = true,
         .range = {12, 6, 14, 1}},
        {.usr = "c:@F@bad#",
         .name = "bad\xff\xfename",
         .kind = STORE_KIND_FUNCTION,
         .is_definition = true,
         .range = {20, 6, 21, 1}},
    };
    struct store_file_batch b = {
        .path = "/proj/src/widget.cpp", .is_project = true, .symbols = syms, .nsymbols = 4};
    struct err e = {0};
    TU_OK(store_file_replace(st, &b, &e), &e);
    store_close(st);
}

static void test_help_and_usage(void **state)
{
    struct tu_run r;
    (void)state;
    r = tu_cidx("--version", NULL);
    TU_ASSERT_RUN(r, 0);
    assert_non_null(strstr(r.out, "cidx 0.1.0"));
    tu_run_release(&r);
    r = tu_cidx(NULL);
    TU_ASSERT_RUN(r, 2);
    assert_non_null(strstr(r.err, "usage: cidx COMMAND"));
    tu_run_release(&r);
    r = tu_cidx("help", NULL);
    TU_ASSERT_RUN(r, 0);
    for (const char *c = "search\0stats\0doctor\0maintain\0restore\0"; *c; c += strlen(c) + 1)
        assert_non_null(strstr(r.out, c));
    tu_run_release(&r);
    r = tu_cidx("help", "search", NULL);
    TU_ASSERT_RUN(r, 0);
    assert_non_null(strstr(r.out, "--kind"));
    assert_non_null(strstr(r.out, "--cache-dir"));
    tu_run_release(&r);
    r = tu_cidx("search", "--help", NULL);
    TU_ASSERT_RUN(r, 0);
    assert_non_null(strstr(r.out, "usage: cidx search PATTERN"));
    tu_run_release(&r);
    r = tu_cidx("help", "nope", NULL);
    TU_ASSERT_RUN(r, 2);
    assert_non_null(strstr(r.err, "unknown command 'nope'"));
    tu_run_release(&r);
    r = tu_cidx("nope", NULL);
    TU_ASSERT_RUN(r, 2);
    tu_run_release(&r);
}

static void test_usage_errors(void **state)
{
    static const char *const cases[][4] = {
        {"search", NULL, NULL, "needs 1 argument"},
        {"search", "x", "--limit=abc", "--limit must be a whole number"},
        {"search", "x", "--limit=0", "--limit must be at least 1"},
        {"search", "x", "--limit=1001", "--limit must be a whole number"},
        {"search", "x", "--match=fuzzy", "unknown match mode 'fuzzy'"},
        {"search", "x", "--kind=widget", "unknown kind 'widget'"},
        {"search", "x", "--scope=world", "--scope must be 'project' or 'all'"},
        {"search", "x", "--bogus", "unknown option '--bogus'"},
        {"search", "x", "--limit", "needs a value"},
        {"stats", "extra", NULL, "unexpected argument 'extra'"},
        {"stats", "--json=1", NULL, "takes no value"},
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct tu_run r = tu_cidx(cases[i][0], cases[i][1], cases[i][2], NULL);
        TU_ASSERT_RUN(r, 2);
        if (!strstr(r.err, cases[i][3]))
            fail_msg("case %zu: stderr lacks '%s': %s", i, cases[i][3], r.err);
        tu_run_release(&r);
    }
}

static void test_search(void **state)
{
    char *dir = tu_tmpdir("cli");
    char *cd = xasprintf("--cache-dir=%s", dir);
    struct tu_run r;
    json_t *j;
    json_error_t je;
    (void)state;

    /* no cache yet: a clear failure, and nothing is created */
    r = tu_cidx("search", "Widget", cd, NULL);
    TU_ASSERT_RUN(r, 1);
    assert_non_null(strstr(r.err, "no cache"));
    {
        char *db = path_join(dir, "symbols.db");
        assert_false(fs_exists(db));
        free(db);
    }
    tu_run_release(&r);

    make_cache(dir);
    r = tu_cidx("search", "widget", cd, NULL);
    TU_ASSERT_RUN(r, 0);
    assert_non_null(strstr(r.out, "ui::Widget"));
    assert_non_null(strstr(r.out, "/proj/src/widget.cpp:3:7"));
    tu_run_release(&r);

    r = tu_cidx("search", "push back", "--match", "words", cd, "--json", NULL);
    TU_ASSERT_RUN(r, 0);
    j = json_loads(r.out, 0, &je);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(j, "results"), 0), "qualified_name")),
                        "push_back");
    json_decref(j);
    tu_run_release(&r);

    /* paging */
    r = tu_cidx("search", "", "--limit", "1", cd, NULL);
    TU_ASSERT_RUN(r, 0);
    assert_non_null(strstr(r.out, "1 of 4 matches"));
    assert_non_null(strstr(r.out, "next page: --offset 1"));
    tu_run_release(&r);

    /* invalid UTF-8 in a name still gives valid JSON */
    r = tu_cidx("search", "bad", cd, "--json", "--detail", "full", NULL);
    TU_ASSERT_RUN(r, 0);
    j = json_loads(r.out, 0, &je);
    if (!j)
        fail_msg("not JSON: %s (%s)", r.out, je.text);
    json_decref(j);
    tu_run_release(&r);

    /* a regex that does not compile is a bad argument (find_symbols' -32602) with the reason */
    r = tu_cidx("search", "get(", "--match", "regex", cd, NULL);
    TU_ASSERT_RUN(r, 2);
    assert_non_null(strstr(r.err, "does not compile"));
    tu_run_release(&r);

    /* no match: exit 0 with a hint */
    r = tu_cidx("search", "zzz", cd, NULL);
    TU_ASSERT_RUN(r, 0);
    assert_non_null(strstr(r.out, "no symbol matches 'zzz'"));
    tu_run_release(&r);

    free(cd);
    tu_rmtree(dir);
    free(dir);
}

static void test_stats_doctor_maintain(void **state)
{
    char *dir = tu_tmpdir("cli2");
    char *cd = xasprintf("--cache-dir=%s", dir);
    struct tu_run r;
    json_t *j;
    (void)state;

    make_cache(dir);
    r = tu_cidx("search", "draw", cd, NULL); /* leaves query statistics behind */
    TU_ASSERT_RUN(r, 0);
    tu_run_release(&r);
    r = tu_cidx("stats", cd, NULL);
    TU_ASSERT_RUN(r, 0);
    assert_non_null(strstr(r.out, "Symbol count: 4"));
    assert_non_null(strstr(r.out, "class: 1"));
    assert_non_null(strstr(r.out, "Last vacuum"));
    assert_non_null(strstr(r.out, "search_auto: 1"));
    assert_non_null(strstr(r.out, "Health: ✓ Good"));
    tu_run_release(&r);
    r = tu_cidx("stats", cd, "--json", NULL);
    TU_ASSERT_RUN(r, 0);
    j = json_loads(r.out, 0, NULL);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "symbols")), 4);
    assert_true(json_is_true(json_object_get(json_object_get(j, "health"), "ok")));
    json_decref(j);
    tu_run_release(&r);

    r = tu_cidx("stats", cd, "--reset-query-stats", NULL);
    TU_ASSERT_RUN(r, 0);
    assert_non_null(strstr(r.out, "query statistics reset"));
    tu_run_release(&r);
    r = tu_cidx("stats", cd, NULL);
    TU_ASSERT_RUN(r, 0);
    assert_non_null(strstr(r.out, "Query stats: none recorded yet"));
    tu_run_release(&r);

    r = tu_cidx("doctor", cd, NULL);
    TU_ASSERT_RUN(r, 0);
    assert_non_null(strstr(r.out, "Verdict: healthy"));
    assert_non_null(strstr(r.out, "✓ fts"));
    tu_run_release(&r);

    r = tu_cidx("maintain", cd, "--vacuum", NULL);
    TU_ASSERT_RUN(r, 0);
    assert_non_null(strstr(r.out, "vacuumed (forced)"));
    tu_run_release(&r);
    r = tu_cidx("maintain", cd, "--rebuild", "--json", NULL);
    TU_ASSERT_RUN(r, 0);
    j = json_loads(r.out, 0, NULL);
    assert_non_null(j);
    assert_true(json_is_true(json_object_get(j, "rebuilt")));
    json_decref(j);
    tu_run_release(&r);

    r = tu_cidx("restore", cd, NULL);
    TU_ASSERT_RUN(r, 0);
    assert_non_null(strstr(r.out, "no backups"));
    tu_run_release(&r);
    r = tu_cidx("restore", "nope", cd, NULL);
    TU_ASSERT_RUN(r, 1);
    assert_non_null(strstr(r.err, "no backup"));
    tu_run_release(&r);

    /* a cache over the size limit is called out, in stats, doctor and a warning */
    setenv("CIDX_SIZE_WARN_BYTES", "1000", 1);
    r = tu_cidx("stats", cd, NULL);
    TU_ASSERT_RUN(r, 0);
    assert_non_null(strstr(r.out, "large: consider 'cidx maintain'"));
    assert_non_null(strstr(r.err, "maintain --vacuum"));
    tu_run_release(&r);
    r = tu_cidx("doctor", cd, NULL);
    TU_ASSERT_RUN(r, 0);
    assert_non_null(strstr(r.out, "large;"));
    tu_run_release(&r);
    unsetenv("CIDX_SIZE_WARN_BYTES");
    r = tu_cidx("stats", cd, NULL);
    TU_ASSERT_RUN(r, 0);
    assert_null(strstr(r.out, "large"));
    assert_string_equal(r.err, "");
    tu_run_release(&r);

    tu_assert_dir_healthy(dir);
    free(cd);
    tu_rmtree(dir);
    free(dir);
}

static void test_damaged_cache(void **state)
{
    char *dir = tu_tmpdir("cli3");
    char *cd = xasprintf("--cache-dir=%s", dir);
    char *db = path_join(dir, "symbols.db");
    struct err e = {0};
    struct tu_run r;
    (void)state;

    make_cache(dir);
    TU_OK(fs_write_file_atomic(db, "this is not a database at all, just text\n", 41, &e), &e);
    /* doctor reports and does not repair */
    r = tu_cidx("doctor", cd, NULL);
    TU_ASSERT_RUN(r, 1);
    assert_non_null(strstr(r.out, "not an SQLite database"));
    assert_non_null(strstr(r.out, "Verdict: unhealthy"));
    tu_run_release(&r);
    assert_int_equal(fs_file_size(db), 41);
    /* a writing command moves it aside, says where, and starts afresh */
    r = tu_cidx("maintain", cd, NULL);
    TU_ASSERT_RUN(r, 0);
    assert_non_null(strstr(r.err, "symbols.db.bak.corrupt."));
    tu_run_release(&r);
    r = tu_cidx("restore", cd, NULL);
    TU_ASSERT_RUN(r, 0);
    assert_non_null(strstr(r.out, "corrupt"));
    tu_run_release(&r);
    /* restoring the damaged copy is refused, and the fresh cache stays */
    {
        struct store_backup_info *list = NULL;
        size_t n = 0;
        TU_OK(store_backup_list(dir, &list, &n, &e), &e);
        assert_int_equal(n, 1);
        r = tu_cidx("restore", list[0].path, cd, NULL);
        TU_ASSERT_RUN(r, 1);
        assert_non_null(strstr(r.err, "not an SQLite database"));
        tu_run_release(&r);
        store_backup_list_free(list, n);
    }
    r = tu_cidx("doctor", cd, NULL);
    TU_ASSERT_RUN(r, 0);
    tu_run_release(&r);
    free(db);
    free(cd);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_and_usage), cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_search),         cmocka_unit_test(test_stats_doctor_maintain),
        cmocka_unit_test(test_damaged_cache),
    };
    log_set_level(LOG_ERROR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
