/*
 * test_cli_legacy.c - `cidx migrate-json` and `cidx export-json` as a user runs them: exit codes
 * (0 done or nothing to do, 1 failure, 2 usage), what stdout and stderr say, and the automatic
 * migration when any command opens a legacy cache directory (--cache-dir or
 * CLANG_INDEX_CACHE_DIR).
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

static void assert_has(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("expected to find\n  %s\nin\n%s", needle, hay);
}

static void put(const char *dir, const char *rel, const char *text)
{
    char *p = path_join(dir, rel);
    char *slash = strrchr(p, '/');
    struct err e = {0};
    *slash = '\0';
    TU_OK(fs_mkdir_p(p, &e), &e);
    *slash = '/';
    TU_OK(fs_write_file_atomic(p, text, strlen(text), &e), &e);
    free(p);
}

/* The spec's example cache. */
static const char example[] =
    "{\"version\": \"2.0\", \"include_dependencies\": true, \"config_file_path\": null, "
    "\"config_file_mtime\": null, \"compile_commands_path\": "
    "\"/home/u/proj/compile_commands.json\", \"compile_commands_mtime\": 1731800000.25, "
    "\"class_index\": {\"Widget\": [{\"name\": \"Widget\", \"kind\": \"class\", \"file\": "
    "\"/home/u/proj/include/widget.h\", \"line\": 4, \"column\": 7, \"signature\": \"\", "
    "\"is_project\": true, \"namespace\": \"\", \"access\": \"public\", \"parent_class\": \"\", "
    "\"base_classes\": [\"Base\"], \"usr\": \"c:@S@Widget\", \"calls\": [], \"called_by\": []}]}, "
    "\"function_index\": {\"main\": [{\"name\": \"main\", \"kind\": \"function\", \"file\": "
    "\"/home/u/proj/src/main.cpp\", \"line\": 3, \"column\": 5, \"signature\": \"int ()\", "
    "\"is_project\": true, \"namespace\": \"\", \"access\": \"public\", \"parent_class\": \"\", "
    "\"base_classes\": [], \"usr\": \"c:@F@main#\", \"calls\": [\"c:@S@Widget@F@draw#\"], "
    "\"called_by\": []}]}, \"file_hashes\": {\"/home/u/proj/src/main.cpp\": "
    "\"fb18388bff2e2761c8c56dbbbccd182a\"}, \"indexed_file_count\": 1, \"timestamp\": "
    "1731800100.5}";

static char *make_legacy(const char *tag)
{
    char *dir = tu_tmpdir(tag);
    put(dir, "cache_info.json", example);
    return dir;
}

static bool exists_in(const char *dir, const char *name)
{
    char *p = path_join(dir, name);
    bool r = fs_exists(p);
    free(p);
    return r;
}

static void test_migrate_json(void **state)
{
    char *dir = make_legacy("cli-mig");
    struct tu_run r;
    (void)state;

    r = tu_cidx("migrate-json", dir, NULL);
    TU_ASSERT_RUN(r, 0);
    assert_has(r.out, "Migrated 2 symbols from");
    assert_has(r.out, "verified: 2 symbols equal field by field, every usr present");
    assert_has(r.out, "backup of the JSON cache: ");
    tu_run_release(&r);
    assert_true(exists_in(dir, STORE_DB_NAME));
    assert_true(exists_in(dir, STORE_LEGACY_MARKER));

    /* again: nothing to do, exit 0 */
    r = tu_cidx("migrate-json", dir, NULL);
    TU_ASSERT_RUN(r, 0);
    assert_has(r.out, "Nothing to do");
    assert_has(r.out, "--force");
    tu_run_release(&r);

    /* the migrated cache answers */
    r = tu_cidx("search", "Widget", "--cache-dir", dir, NULL);
    TU_ASSERT_RUN(r, 0);
    assert_has(r.out, "Widget");
    tu_run_release(&r);
    tu_rmtree(dir);
    free(dir);
}

static void test_migrate_json_elsewhere_and_json(void **state)
{
    char *dir = make_legacy("cli-mig2"), *cache = tu_tmpdir("cli-mig2-cache");
    struct tu_run r;
    json_t *j;
    (void)state;

    r = tu_cidx("migrate-json", dir, "--cache-dir", cache, "--json", NULL);
    TU_ASSERT_RUN(r, 0);
    j = json_loads(r.out, 0, NULL);
    assert_non_null(j);
    assert_true(json_is_true(json_object_get(j, "migrated")));
    assert_int_equal(json_integer_value(json_object_get(j, "symbols")), 2);
    assert_int_equal(json_integer_value(json_object_get(j, "verified")), 2);
    assert_int_equal(json_integer_value(json_object_get(j, "calls")), 1);
    json_decref(j);
    tu_run_release(&r);
    assert_true(exists_in(cache, STORE_DB_NAME));
    assert_false(exists_in(dir, STORE_DB_NAME));
    assert_true(exists_in(dir, STORE_LEGACY_MARKER));
    tu_rmtree(dir);
    tu_rmtree(cache);
    free(dir);
    free(cache);
}

static void test_migrate_json_failures(void **state)
{
    char *dir = make_legacy("cli-bad"), *empty = tu_tmpdir("cli-empty"), *info;
    struct tu_run r;
    (void)state;

    /* usage errors: exit 2 */
    r = tu_cidx("migrate-json", NULL);
    TU_ASSERT_RUN(r, 2);
    assert_has(r.err, "needs 1 argument");
    tu_run_release(&r);
    r = tu_cidx("migrate-json", dir, "--frobnicate", NULL);
    TU_ASSERT_RUN(r, 2);
    tu_run_release(&r);
    r = tu_cidx("export-json", NULL);
    TU_ASSERT_RUN(r, 2);
    tu_run_release(&r);

    /* not a legacy cache: exit 1 */
    r = tu_cidx("migrate-json", empty, NULL);
    TU_ASSERT_RUN(r, 1);
    assert_has(r.err, "cidx: error: ");
    assert_has(r.err, "holds no legacy JSON cache");
    tu_run_release(&r);

    /* a broken file: exit 1, the message names it and the problem; nothing left behind */
    put(dir, "cache_info.json", "{\"version\": \"3.0\"}");
    info = path_join(dir, "cache_info.json");
    r = tu_cidx("migrate-json", dir, NULL);
    TU_ASSERT_RUN(r, 1);
    assert_has(r.err, info);
    assert_has(r.err, "version '3.0' is not supported");
    tu_run_release(&r);
    assert_false(exists_in(dir, STORE_DB_NAME));
    assert_false(exists_in(dir, STORE_LEGACY_MARKER));

    /* a cidx cache in the way: exit 1 without --force */
    put(dir, "cache_info.json", example);
    {
        struct store *st = tu_open(dir, 0);
        store_close(st);
    }
    r = tu_cidx("migrate-json", dir, NULL);
    TU_ASSERT_RUN(r, 1);
    assert_has(r.err, "already holds a cidx cache");
    tu_run_release(&r);
    r = tu_cidx("migrate-json", dir, "--force", "--quiet", NULL);
    TU_ASSERT_RUN(r, 0);
    assert_has(r.out, "the cidx cache that was there: ");
    tu_run_release(&r);
    free(info);
    tu_rmtree(dir);
    tu_rmtree(empty);
    free(dir);
    free(empty);
}

static void test_export_json(void **state)
{
    char *dir = make_legacy("cli-exp"), *out = tu_tmpdir("cli-exp-out"), *target, *info, *text;
    struct err e = {0};
    size_t len = 0;
    struct tu_run r;
    (void)state;

    target = path_join(out, "legacy");
    r = tu_cidx("migrate-json", dir, "--quiet", NULL);
    TU_ASSERT_RUN(r, 0);
    tu_run_release(&r);
    r = tu_cidx("export-json", target, "--cache-dir", dir, NULL);
    TU_ASSERT_RUN(r, 0);
    assert_has(r.out, "Exported 2 symbols (1 classes and structs, 1 functions and methods)");
    tu_run_release(&r);
    info = path_join(target, "cache_info.json");
    TU_OK(fs_read_file(&text, &len, info, 1 << 20, &e), &e);
    assert_has(text, "\"version\": \"2.0\"");
    assert_has(text, "\"calls\": [\"c:@S@Widget@F@draw#\"]");
    free(text);

    /* not empty: exit 1 and what to do; --force replaces, keeping the old files */
    r = tu_cidx("export-json", target, "--cache-dir", dir, NULL);
    TU_ASSERT_RUN(r, 1);
    assert_has(r.err, "is not empty");
    assert_has(r.err, "--force");
    tu_run_release(&r);
    r = tu_cidx("export-json", target, "--cache-dir", dir, "--force", "--json", NULL);
    TU_ASSERT_RUN(r, 0);
    {
        json_t *j = json_loads(r.out, 0, NULL);
        assert_non_null(j);
        assert_int_equal(json_integer_value(json_object_get(j, "symbols")), 2);
        assert_true(json_is_string(json_object_get(j, "replaced")));
        json_decref(j);
    }
    tu_run_release(&r);

    /* no cache to export: exit 1 */
    {
        char *none = tu_tmpdir("cli-exp-none"), *t2 = path_join(out, "other");
        r = tu_cidx("export-json", t2, "--cache-dir", none, NULL);
        TU_ASSERT_RUN(r, 1);
        assert_has(r.err, "no cache");
        tu_run_release(&r);
        tu_rmtree(none);
        free(none);
        free(t2);
    }
    free(info);
    free(target);
    tu_rmtree(dir);
    tu_rmtree(out);
    free(dir);
    free(out);
}

static void test_auto_migration(void **state)
{
    char *dir = make_legacy("cli-auto"), *env = make_legacy("cli-auto-env");
    struct tu_run r;
    (void)state;

    /* any command that opens the directory migrates it first, and says so */
    r = tu_cidx("search", "main", "--cache-dir", dir, NULL);
    TU_ASSERT_RUN(r, 0);
    assert_has(r.err, "migrating the legacy JSON cache in");
    assert_has(r.err, "migrated 2 symbols");
    assert_has(r.out, "main");
    tu_run_release(&r);
    r = tu_cidx("search", "main", "--cache-dir", dir, NULL);
    TU_ASSERT_RUN(r, 0);
    assert_null(strstr(r.err, "migrat"));
    tu_run_release(&r);

    /* through CLANG_INDEX_CACHE_DIR */
    setenv("CLANG_INDEX_CACHE_DIR", env, 1);
    r = tu_cidx("stats", NULL);
    unsetenv("CLANG_INDEX_CACHE_DIR");
    TU_ASSERT_RUN(r, 0);
    assert_has(r.err, "migrating the legacy JSON cache in");
    tu_run_release(&r);
    assert_true(exists_in(env, STORE_DB_NAME));

    /* a migration that fails: the command fails, says why, and leaves the JSON alone */
    tu_rmtree(dir);
    free(dir);
    dir = tu_tmpdir("cli-auto-bad");
    put(dir, "cache_info.json", "{\"version\": \"2.0\", \"class_index\": 7}");
    r = tu_cidx("search", "main", "--cache-dir", dir, NULL);
    TU_ASSERT_RUN(r, 1);
    assert_has(r.err, "could not be migrated, and was left as it is");
    assert_has(r.err, "missing key 'include_dependencies'");
    tu_run_release(&r);
    assert_false(exists_in(dir, STORE_DB_NAME));
    tu_rmtree(dir);
    tu_rmtree(env);
    free(dir);
    free(env);
}

/* The server migrates the cache of the project it is given before indexing or answering. */
static void test_serve_migrates(void **state)
{
    char *dir = make_legacy("cli-serve"), *proj = tu_tmpdir("cli-serve-proj");
    struct tu_run r;
    (void)state;
    /* stdin is /dev/null: the server starts, sets the project, and ends at end of input */
    r = tu_cidx("serve", "--project", proj, "--cache-dir", dir, NULL);
    TU_ASSERT_RUN(r, 0);
    assert_has(r.err, "migrating the legacy JSON cache in");
    assert_has(r.err, "migrated 2 symbols");
    tu_run_release(&r);
    assert_true(exists_in(dir, STORE_DB_NAME));
    assert_true(exists_in(dir, STORE_LEGACY_MARKER));
    tu_rmtree(dir);
    tu_rmtree(proj);
    free(dir);
    free(proj);
}

static void test_help(void **state)
{
    struct tu_run r;
    (void)state;
    r = tu_cidx("help", NULL);
    TU_ASSERT_RUN(r, 0);
    assert_has(r.out, "migrate-json");
    assert_has(r.out, "export-json");
    tu_run_release(&r);
    r = tu_cidx("help", "migrate-json", NULL);
    TU_ASSERT_RUN(r, 0);
    assert_has(r.out, "usage: cidx migrate-json DIR");
    assert_has(r.out, "--force");
    tu_run_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrate_json),
        cmocka_unit_test(test_migrate_json_elsewhere_and_json),
        cmocka_unit_test(test_migrate_json_failures),
        cmocka_unit_test(test_export_json),
        cmocka_unit_test(test_auto_migration),
        cmocka_unit_test(test_serve_migrates),
        cmocka_unit_test(test_help),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
