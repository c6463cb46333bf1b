/*
 * test_index_config.c - the project configuration: the plan's defaults without a file, every
 * key read, where the file is found (argument, CPP_ANALYZER_CONFIG, project root), environment
 * over file, unknown keys as warnings, each wrong type or range as an error naming the key,
 * broken files (not an object, empty, huge, deeply nested, duplicate keys, invalid UTF-8),
 * project_root, and the path rules (excluded, dependency, source).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index/index.h"
#include "testutil.h"

/* A temporary project directory (its real path) and the default config file path in it. */
struct fixture {
    char *dir;
    char *file;
};

static void clear_env(void)
{
    unsetenv("CPP_ANALYZER_CONFIG");
    unsetenv("CPP_ANALYZER_DIAGNOSTIC_LEVEL");
    unsetenv("CPP_ANALYZER_QUERY_BEHAVIOR");
}

static void fixture_init(struct fixture *f, const char *tag)
{
    char *tmp = tu_tmpdir(tag);
    f->dir = path_real(tmp);
    assert_non_null(f->dir);
    free(tmp);
    f->file = path_join(f->dir, IDX_CONFIG_FILENAME);
    clear_env();
}

static void fixture_release(struct fixture *f)
{
    clear_env();
    tu_rmtree(f->dir);
    free(f->dir);
    free(f->file);
}

static void write_bytes(const char *path, const char *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

static void write_text(const char *path, const char *text)
{
    write_bytes(path, text, strlen(text));
}

static void mkdir_in(const char *dir, const char *rel)
{
    char *p = path_join(dir, rel);
    struct err e = {0};
    TU_OK(fs_mkdir_p(p, &e), &e);
    free(p);
}

static void assert_list(char **list, size_t n, const char *const *want)
{
    size_t k = 0;
    while (want[k])
        k++;
    if (n != k)
        fail_msg("%zu entries, want %zu", n, k);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(list[i], want[i]);
    assert_null(list[n]);
}

static void msg_has(const char *msg, const char *what)
{
    if (!strstr(msg, what))
        fail_msg("'%s' not in message: %s", what, msg);
}

static void test_defaults_without_file(void **state)
{
    struct fixture f;
    struct idx_config cfg;
    struct strbuf w = STRBUF_INIT;
    struct err e = {0};
    (void)state;

    fixture_init(&f, "cfg-defaults");
    TU_OK(idx_config_load(&cfg, f.dir, NULL, &w, &e), &e);
    assert_null(cfg.path);
    assert_string_equal(cfg.project_root, f.dir);
    assert_list(cfg.exclude_directories, cfg.n_exclude_directories,
                (const char *const[]){".git", ".svn", ".hg", ".pytest_cache", "node_modules",
                                      "__pycache__", ".vs", ".vscode", ".idea", "CMakeFiles",
                                      "CMakeCache.txt", NULL});
    assert_list(cfg.dependency_directories, cfg.n_dependency_directories,
                (const char *const[]){"vcpkg_installed", "third_party", "ThirdParty", "external",
                                      "External", "vendor", "dependencies", "packages", NULL});
    assert_list(cfg.exclude_patterns, cfg.n_exclude_patterns, (const char *const[]){NULL});
    assert_true(cfg.include_dependencies);
    assert_int_equal(cfg.max_parse_retries, 2);
    assert_int_equal(cfg.query_behavior, IDX_QUERY_ALLOW_PARTIAL);
    assert_true(cfg.compile_commands.enabled);
    assert_null(cfg.compile_commands.path);
    assert_list(cfg.compile_commands.supported_extensions,
                cfg.compile_commands.n_supported_extensions,
                (const char *const[]){".cpp", ".cc", ".cxx", ".c++", ".c", ".h", ".hpp", ".hxx",
                                      ".h++", NULL});
    assert_list(cfg.compile_commands.exclude_patterns, cfg.compile_commands.n_exclude_patterns,
                (const char *const[]){NULL});
    assert_true(cfg.compile_commands.fallback_to_hardcoded);
    assert_int_equal(cfg.diagnostics.level, IDX_DIAG_INFO);
    assert_true(cfg.diagnostics.enabled);
    assert_int_equal(cfg.parse_timeout_s, 300);
    assert_int_equal(cfg.max_file_bytes, 10 << 20);
    assert_int_equal(cfg.max_workers, 0);
    assert_int_equal(w.len, 0);
    idx_config_release(&cfg);
    idx_config_release(&cfg); /* released twice is fine */

    /* "{}" is the defaults too, with the file recorded */
    write_text(f.file, " {} \n");
    TU_OK(idx_config_load(&cfg, f.dir, NULL, &w, &e), &e);
    assert_string_equal(cfg.path, f.file);
    assert_int_equal(cfg.n_exclude_directories, 11);
    assert_int_equal(cfg.max_parse_retries, 2);
    assert_int_equal(w.len, 0);
    idx_config_release(&cfg);
    strbuf_release(&w);
    fixture_release(&f);
}

static void test_every_key(void **state)
{
    struct fixture f;
    struct idx_config cfg;
    struct strbuf w = STRBUF_INIT;
    struct err e = {0};
    (void)state;

    fixture_init(&f, "cfg-keys");
    write_text(f.file,
               "{\n"
               "  \"_comment\": \"C++ Analyzer configuration file\",\n"
               "  \"project_root\": \".\",\n"
               "  \"exclude_directories\": [\"build\", \"./src//gen/\", \"/opt/x/\"],\n"
               "  \"dependency_directories\": [\"deps\"],\n"
               "  \"exclude_patterns\": [\"*.generated.h\"],\n"
               "  \"include_dependencies\": false,\n"
               "  \"max_file_size_mb\": 0.5,\n"
               "  \"max_parse_retries\": 0,\n"
               "  \"max_workers\": 3,\n"
               "  \"_max_workers_comment\": 1,\n"
               "  \"query_behavior\": \"block\",\n"
               "  \"_query_behavior_options\": [\"allow_partial\", \"block\", \"reject\"],\n"
               "  \"diagnostics\": {\"level\": \"debug\", \"enabled\": false},\n"
               "  \"compile_commands\": {\n"
               "    \"enabled\": false,\n"
               "    \"path\": \"build/compile_commands.json\",\n"
               "    \"cache_enabled\": true,\n"
               "    \"fallback_to_hardcoded\": false,\n"
               "    \"cache_expiry_seconds\": 300,\n"
               "    \"supported_extensions\": [\".c\", \".cpp\"],\n"
               "    \"exclude_patterns\": [\"*_test.cpp\", \"*/tests/*\"]\n"
               "  },\n"
               "  \"parse_timeout_s\": 60\n"
               "}\n");
    TU_OK(idx_config_load(&cfg, f.dir, NULL, &w, &e), &e);
    assert_string_equal(cfg.path, f.file);
    assert_string_equal(cfg.project_root, f.dir);
    assert_list(cfg.exclude_directories, cfg.n_exclude_directories,
                (const char *const[]){"build", "src/gen", "/opt/x", NULL});
    assert_list(cfg.dependency_directories, cfg.n_dependency_directories,
                (const char *const[]){"deps", NULL});
    assert_list(cfg.exclude_patterns, cfg.n_exclude_patterns,
                (const char *const[]){"*.generated.h", NULL});
    assert_false(cfg.include_dependencies);
    assert_int_equal(cfg.max_file_bytes, 512 * 1024);
    assert_int_equal(cfg.max_parse_retries, 0);
    assert_int_equal(cfg.max_workers, 3);
    assert_int_equal(cfg.query_behavior, IDX_QUERY_BLOCK);
    assert_int_equal(cfg.diagnostics.level, IDX_DIAG_DEBUG);
    assert_false(cfg.diagnostics.enabled);
    assert_false(cfg.compile_commands.enabled);
    assert_string_equal(cfg.compile_commands.path, "build/compile_commands.json");
    assert_false(cfg.compile_commands.fallback_to_hardcoded);
    assert_list(cfg.compile_commands.supported_extensions,
                cfg.compile_commands.n_supported_extensions,
                (const char *const[]){".c", ".cpp", NULL});
    assert_list(cfg.compile_commands.exclude_patterns, cfg.compile_commands.n_exclude_patterns,
                (const char *const[]){"*_test.cpp", "*/tests/*", NULL});
    assert_int_equal(cfg.parse_timeout_s, 60);
    if (w.len)
        fail_msg("unexpected warnings: %s", w.buf);
    idx_config_release(&cfg);

    /* the other spellings: "reject", "fatal" (errors only), null workers and path, any case */
    write_text(f.file, "{\"query_behavior\": \"REJECT\", \"max_workers\": null,"
                       " \"diagnostics\": {\"level\": \"Fatal\"},"
                       " \"compile_commands\": {\"path\": null}, \"max_file_size_mb\": 20}");
    TU_OK(idx_config_load(&cfg, f.dir, NULL, &w, &e), &e);
    assert_int_equal(cfg.query_behavior, IDX_QUERY_REJECT);
    assert_int_equal(cfg.max_workers, 0);
    assert_int_equal(cfg.diagnostics.level, IDX_DIAG_ERROR);
    assert_true(cfg.diagnostics.enabled);
    assert_null(cfg.compile_commands.path);
    assert_int_equal(cfg.max_file_bytes, 20 << 20);
    idx_config_release(&cfg);

    /* an empty list replaces the default list */
    write_text(f.file, "{\"exclude_directories\": [], \"dependency_directories\": []}");
    TU_OK(idx_config_load(&cfg, f.dir, NULL, &w, &e), &e);
    assert_int_equal(cfg.n_exclude_directories, 0);
    assert_null(cfg.exclude_directories[0]);
    assert_int_equal(cfg.n_dependency_directories, 0);
    idx_config_release(&cfg);
    strbuf_release(&w);
    fixture_release(&f);
}

static void test_file_search_order(void **state)
{
    struct fixture f;
    struct idx_config cfg;
    struct err e = {0};
    char *dotted, *envfile, *explicit_file, *missing;
    (void)state;

    fixture_init(&f, "cfg-order");
    dotted = path_join(f.dir, "." IDX_CONFIG_FILENAME);
    envfile = path_join(f.dir, "env config.json");
    explicit_file = path_join(f.dir, "explicit.json");
    missing = path_join(f.dir, "missing.json");
    write_text(dotted, "{\"max_parse_retries\": 4}");
    write_text(envfile, "{\"max_parse_retries\": 5}");
    write_text(explicit_file, "{\"max_parse_retries\": 6}");

    /* the later plan's dotted name is found when the plain one is missing */
    TU_OK(idx_config_load(&cfg, f.dir, NULL, NULL, &e), &e);
    assert_int_equal(cfg.max_parse_retries, 4);
    assert_string_equal(cfg.path, dotted);
    idx_config_release(&cfg);

    /* the plan's name wins over the dotted one */
    write_text(f.file, "{\"max_parse_retries\": 3}");
    TU_OK(idx_config_load(&cfg, f.dir, NULL, NULL, &e), &e);
    assert_int_equal(cfg.max_parse_retries, 3);
    idx_config_release(&cfg);

    /* CPP_ANALYZER_CONFIG wins over the project's file; an empty one is unset */
    setenv("CPP_ANALYZER_CONFIG", "", 1);
    TU_OK(idx_config_load(&cfg, f.dir, NULL, NULL, &e), &e);
    assert_int_equal(cfg.max_parse_retries, 3);
    idx_config_release(&cfg);
    setenv("CPP_ANALYZER_CONFIG", envfile, 1);
    TU_OK(idx_config_load(&cfg, f.dir, NULL, NULL, &e), &e);
    assert_int_equal(cfg.max_parse_retries, 5);
    assert_string_equal(cfg.path, envfile);
    idx_config_release(&cfg);

    /* the explicit file wins over everything */
    TU_OK(idx_config_load(&cfg, f.dir, explicit_file, NULL, &e), &e);
    assert_int_equal(cfg.max_parse_retries, 6);
    idx_config_release(&cfg);

    /* missing files are errors, not defaults */
    assert_int_equal(idx_config_load(&cfg, f.dir, missing, NULL, &e), ERR_NOTFOUND);
    msg_has(e.msg, missing);
    idx_config_release(&cfg);
    setenv("CPP_ANALYZER_CONFIG", missing, 1);
    assert_int_equal(idx_config_load(&cfg, f.dir, NULL, NULL, &e), ERR_NOTFOUND);
    msg_has(e.msg, "CPP_ANALYZER_CONFIG");
    msg_has(e.msg, missing);
    idx_config_release(&cfg);
    unsetenv("CPP_ANALYZER_CONFIG");

    /* a directory as the config file, a missing project */
    assert_int_equal(idx_config_load(&cfg, f.dir, f.dir, NULL, &e), ERR_INVALID);
    msg_has(e.msg, "directory");
    idx_config_release(&cfg);
    assert_int_equal(idx_config_load(&cfg, missing, NULL, NULL, &e), ERR_NOTFOUND);
    msg_has(e.msg, missing);
    idx_config_release(&cfg);
    assert_int_equal(idx_config_load(&cfg, explicit_file, NULL, NULL, &e), ERR_INVALID);
    msg_has(e.msg, "not a directory");
    idx_config_release(&cfg);

    /* an unreadable config file (root reads anything) */
    if (geteuid() != 0) {
        write_text(explicit_file, "{}");
        assert_int_equal(chmod(explicit_file, 0), 0);
        assert_int_equal(idx_config_load(&cfg, f.dir, explicit_file, NULL, &e), ERR_IO);
        msg_has(e.msg, explicit_file);
        idx_config_release(&cfg);
    }

    free(dotted);
    free(envfile);
    free(explicit_file);
    free(missing);
    fixture_release(&f);
}

static void test_env_over_file(void **state)
{
    struct fixture f;
    struct idx_config cfg;
    struct err e = {0};
    (void)state;

    fixture_init(&f, "cfg-env");
    write_text(f.file, "{\"diagnostics\": {\"level\": \"error\"}, \"query_behavior\": \"block\"}");
    TU_OK(idx_config_load(&cfg, f.dir, NULL, NULL, &e), &e);
    assert_int_equal(cfg.diagnostics.level, IDX_DIAG_ERROR);
    assert_int_equal(cfg.query_behavior, IDX_QUERY_BLOCK);
    idx_config_release(&cfg);

    setenv("CPP_ANALYZER_DIAGNOSTIC_LEVEL", "DEBUG", 1);
    setenv("CPP_ANALYZER_QUERY_BEHAVIOR", "Reject", 1);
    TU_OK(idx_config_load(&cfg, f.dir, NULL, NULL, &e), &e);
    assert_int_equal(cfg.diagnostics.level, IDX_DIAG_DEBUG);
    assert_int_equal(cfg.query_behavior, IDX_QUERY_REJECT);
    idx_config_release(&cfg);

    /* without a file too */
    unlink(f.file);
    setenv("CPP_ANALYZER_DIAGNOSTIC_LEVEL", "warning", 1);
    TU_OK(idx_config_load(&cfg, f.dir, NULL, NULL, &e), &e);
    assert_int_equal(cfg.diagnostics.level, IDX_DIAG_WARNING);
    idx_config_release(&cfg);

    /* and from a buffer */
    TU_OK(idx_config_parse(&cfg, f.dir, "buf", "{}", 2, NULL, &e), &e);
    assert_int_equal(cfg.diagnostics.level, IDX_DIAG_WARNING);
    assert_int_equal(cfg.query_behavior, IDX_QUERY_REJECT);
    idx_config_release(&cfg);

    /* an invalid value is an error naming the variable */
    setenv("CPP_ANALYZER_DIAGNOSTIC_LEVEL", "verbose", 1);
    assert_int_equal(idx_config_load(&cfg, f.dir, NULL, NULL, &e), ERR_INVALID);
    msg_has(e.msg, "CPP_ANALYZER_DIAGNOSTIC_LEVEL");
    msg_has(e.msg, "verbose");
    idx_config_release(&cfg);
    unsetenv("CPP_ANALYZER_DIAGNOSTIC_LEVEL");
    setenv("CPP_ANALYZER_QUERY_BEHAVIOR", "wait", 1);
    assert_int_equal(idx_config_load(&cfg, f.dir, NULL, NULL, &e), ERR_INVALID);
    msg_has(e.msg, "CPP_ANALYZER_QUERY_BEHAVIOR");
    idx_config_release(&cfg);
    fixture_release(&f);
}

static void test_unknown_keys(void **state)
{
    struct fixture f;
    struct idx_config cfg;
    struct strbuf w = STRBUF_INIT;
    struct err e = {0};
    (void)state;

    fixture_init(&f, "cfg-unknown");
    write_text(f.file, "{\"colour\": 1, \"_note\": 2,"
                       " \"compile_commands\": {\"foo\": true, \"_x\": 0, \"enabled\": true},"
                       " \"diagnostics\": {\"verbose\": 1},"
                       " \"we\\nird'\": null, \"max_parse_retries\": 1}");
    TU_OK(idx_config_load(&cfg, f.dir, NULL, &w, &e), &e);
    assert_int_equal(cfg.max_parse_retries, 1);
    assert_int_equal(tu_count(w.buf, "\n"), 4);
    assert_int_equal(tu_count(w.buf, f.file), 4);
    msg_has(w.buf, "unknown key 'colour'");
    msg_has(w.buf, "unknown key 'compile_commands.foo'");
    msg_has(w.buf, "unknown key 'diagnostics.verbose'");
    msg_has(w.buf, "unknown key 'we?ird?'"); /* still one line */
    assert_null(strstr(w.buf, "_note"));
    assert_null(strstr(w.buf, "_x"));
    idx_config_release(&cfg);

    /* the plan's keys cidx does not use are not unknown; sanitization rules are a warning */
    strbuf_reset(&w);
    write_text(f.file, "{\"compile_commands\": {\"cache_enabled\": false,"
                       " \"cache_expiry_seconds\": 60.5,"
                       " \"sanitization_rules_file\": \"rules.json\"}}");
    TU_OK(idx_config_load(&cfg, f.dir, NULL, &w, &e), &e);
    assert_int_equal(tu_count(w.buf, "\n"), 1);
    msg_has(w.buf, "sanitization_rules_file");
    msg_has(w.buf, "not supported");
    idx_config_release(&cfg);

    /* NULL warnings are fine */
    TU_OK(idx_config_load(&cfg, f.dir, NULL, NULL, &e), &e);
    idx_config_release(&cfg);
    strbuf_release(&w);
    fixture_release(&f);
}

/* One wrong value: the text, a piece the message must hold beside the key, and the key. */
struct bad_value {
    const char *json;
    const char *key;
    const char *what;
};

static void test_wrong_types(void **state)
{
    static const struct bad_value cases[] = {
        {"{\"exclude_directories\": \"build\"}", "'exclude_directories'", "array of strings"},
        {"{\"exclude_directories\": [\"a\", 3]}", "'exclude_directories[1]'", "string"},
        {"{\"exclude_directories\": [\"\"]}", "'exclude_directories[0]'", "non-empty"},
        {"{\"dependency_directories\": {}}", "'dependency_directories'", "array"},
        {"{\"exclude_patterns\": [null]}", "'exclude_patterns[0]'", "string"},
        {"{\"include_dependencies\": \"yes\"}", "'include_dependencies'", "true or false"},
        {"{\"include_dependencies\": 1}", "'include_dependencies'", "true or false"},
        {"{\"max_parse_retries\": -1}", "'max_parse_retries'", "integer from 0"},
        {"{\"max_parse_retries\": 101}", "'max_parse_retries'", "101"},
        {"{\"max_parse_retries\": 2.5}", "'max_parse_retries'", "integer"},
        {"{\"max_parse_retries\": \"2\"}", "'max_parse_retries'", "not a string"},
        {"{\"max_parse_retries\": 99999999999999999999}", "", "not valid JSON"},
        {"{\"max_workers\": 0}", "'max_workers'", "integer from 1"},
        {"{\"max_workers\": true}", "'max_workers'", "integer"},
        {"{\"max_file_size_mb\": 0}", "'max_file_size_mb'", "above 0"},
        {"{\"max_file_size_mb\": -3}", "'max_file_size_mb'", "above 0"},
        {"{\"max_file_size_mb\": \"10\"}", "'max_file_size_mb'", "number"},
        {"{\"parse_timeout_s\": 0}", "'parse_timeout_s'", "from 1 to 86400"},
        {"{\"parse_timeout_s\": 86401}", "'parse_timeout_s'", "86401"},
        {"{\"query_behavior\": \"wait\"}", "'query_behavior'", "'wait'"},
        {"{\"query_behavior\": 1}", "'query_behavior'", "allow_partial"},
        {"{\"diagnostics\": []}", "'diagnostics'", "an object"},
        {"{\"diagnostics\": {\"level\": \"loud\"}}", "'diagnostics.level'", "'loud'"},
        {"{\"diagnostics\": {\"level\": null}}", "'diagnostics.level'", "null"},
        {"{\"diagnostics\": {\"enabled\": \"no\"}}", "'diagnostics.enabled'", "true or false"},
        {"{\"compile_commands\": true}", "'compile_commands'", "an object"},
        {"{\"compile_commands\": {\"enabled\": null}}", "'compile_commands.enabled'", "true"},
        {"{\"compile_commands\": {\"path\": 7}}", "'compile_commands.path'", "string"},
        {"{\"compile_commands\": {\"path\": \"\"}}", "'compile_commands.path'", "non-empty"},
        {"{\"compile_commands\": {\"path\": \"a\\u0000b\"}}", "", "not valid JSON"},
        {"{\"compile_commands\": {\"supported_extensions\": [1]}}",
         "'compile_commands.supported_extensions[0]'", "string"},
        {"{\"compile_commands\": {\"exclude_patterns\": \"*.c\"}}",
         "'compile_commands.exclude_patterns'", "array"},
        {"{\"compile_commands\": {\"fallback_to_hardcoded\": 0}}",
         "'compile_commands.fallback_to_hardcoded'", "true or false"},
        {"{\"compile_commands\": {\"cache_enabled\": \"x\"}}", "'compile_commands.cache_enabled'",
         "true or false"},
        {"{\"compile_commands\": {\"cache_expiry_seconds\": -1}}",
         "'compile_commands.cache_expiry_seconds'", "non-negative"},
        {"{\"project_root\": 5}", "'project_root'", "string"},
    };
    struct fixture f;
    (void)state;

    fixture_init(&f, "cfg-types");
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct idx_config cfg;
        struct err e = {0};
        int rc;

        write_text(f.file, cases[i].json);
        rc = idx_config_load(&cfg, f.dir, NULL, NULL, &e);
        if (rc != ERR_INVALID)
            fail_msg("%s: rc %d, want ERR_INVALID (%s)", cases[i].json, rc, e.msg);
        msg_has(e.msg, f.file);
        msg_has(e.msg, cases[i].key);
        msg_has(e.msg, cases[i].what);
        idx_config_release(&cfg);
    }
    fixture_release(&f);
}

/* Writes data as the config, expects code and a message naming the file and holding what. */
static void expect_file_error(struct fixture *f, const char *data, size_t len, int code,
                              const char *what)
{
    struct idx_config cfg;
    struct err e = {0};
    int rc;

    write_bytes(f->file, data, len);
    rc = idx_config_load(&cfg, f->dir, NULL, NULL, &e);
    if (rc != code)
        fail_msg("rc %d, want %d (%s)", rc, code, e.msg);
    msg_has(e.msg, f->file);
    msg_has(e.msg, what);
    idx_config_release(&cfg);
}

#define EXPECT_TEXT_ERROR(f, text, code, what) expect_file_error(f, text, strlen(text), code, what)

static void test_bad_files(void **state)
{
    struct fixture f;
    struct idx_config cfg;
    struct err e = {0};
    size_t depth = 100000;
    char *deep;
    FILE *fp;
    (void)state;

    fixture_init(&f, "cfg-files");
    EXPECT_TEXT_ERROR(&f, "[{\"file\": \"a.c\"}]", ERR_INVALID, "compile_commands.json");
    EXPECT_TEXT_ERROR(&f, "[]", ERR_INVALID, "JSON object, not an array");
    EXPECT_TEXT_ERROR(&f, "\"x\"", ERR_INVALID, "JSON object, not a string");
    EXPECT_TEXT_ERROR(&f, "42", ERR_INVALID, "JSON object");
    EXPECT_TEXT_ERROR(&f, "null", ERR_INVALID, "JSON object");
    EXPECT_TEXT_ERROR(&f, "", ERR_INVALID, "empty");
    EXPECT_TEXT_ERROR(&f, " \n\t\r\n", ERR_INVALID, "empty");
    EXPECT_TEXT_ERROR(&f, "{\"a\": ", ERR_INVALID, "not valid JSON");
    EXPECT_TEXT_ERROR(&f, "{} {}", ERR_INVALID, "not valid JSON");
    EXPECT_TEXT_ERROR(&f, "{\"include_dependencies\": true, \"include_dependencies\": false}",
                      ERR_INVALID, "duplicate");
    EXPECT_TEXT_ERROR(&f, "{\"compile_commands\": {\"enabled\": true, \"enabled\": true}}",
                      ERR_INVALID, "duplicate");
    EXPECT_TEXT_ERROR(&f, "{\"exclude_directories\": [\"\xff\xfe\"]}", ERR_INVALID,
                      "not valid JSON");
    EXPECT_TEXT_ERROR(&f, "{\"\xc3\x28\": 1}", ERR_INVALID, "not valid JSON");
    expect_file_error(&f, "{\"a\": 1}\0garbage", 16, ERR_INVALID, "not valid JSON");
    expect_file_error(&f,
                      "\x7f"
                      "ELF\0\0\0",
                      7, ERR_INVALID, "not valid JSON");

    /* 100,000 levels deep: jansson's depth limit, not a stack overflow */
    deep = xmalloc(2 * depth);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    expect_file_error(&f, deep, 2 * depth, ERR_INVALID, "depth");
    for (size_t i = 0; i < depth / 8; i++)
        memcpy(deep + i * 8, "{\"a\":[  ", 8);
    expect_file_error(&f, deep, depth, ERR_INVALID, "depth");
    free(deep);

    /* too large: refused before reading (sparse file) */
    fp = fopen(f.file, "wb");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, (long)IDX_CONFIG_MAX_BYTES, SEEK_SET), 0);
    assert_int_equal(fputc('}', fp), '}');
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(idx_config_load(&cfg, f.dir, NULL, NULL, &e), ERR_LIMIT);
    msg_has(e.msg, "too large");
    msg_has(e.msg, f.file);
    idx_config_release(&cfg);

    /* and from a buffer */
    assert_int_equal(
        idx_config_parse(&cfg, f.dir, "big.json", "{}", IDX_CONFIG_MAX_BYTES + 1, NULL, &e),
        ERR_LIMIT);
    msg_has(e.msg, "big.json");
    idx_config_release(&cfg);
    fixture_release(&f);
}

static void test_project_root_key(void **state)
{
    struct fixture f;
    struct idx_config cfg;
    struct strbuf w = STRBUF_INIT;
    struct err e = {0};
    char *cfgdir, *cfgfile, *proj, *json;
    (void)state;

    fixture_init(&f, "cfg-root");
    mkdir_in(f.dir, "conf");
    mkdir_in(f.dir, "my project");
    cfgdir = path_join(f.dir, "conf");
    cfgfile = path_join(cfgdir, "analyzer.json");
    proj = path_join(f.dir, "my project");

    /* relative to the config file's directory, with no root given (set_project's config_file) */
    write_text(cfgfile, "{\"project_root\": \"../my project\"}");
    TU_OK(idx_config_load(&cfg, NULL, cfgfile, &w, &e), &e);
    assert_string_equal(cfg.project_root, proj);
    assert_int_equal(w.len, 0);
    idx_config_release(&cfg);

    /* absolute */
    json = xasprintf("{\"project_root\": \"%s/\"}", proj);
    write_text(cfgfile, json);
    free(json);
    TU_OK(idx_config_load(&cfg, NULL, cfgfile, &w, &e), &e);
    assert_string_equal(cfg.project_root, proj);
    idx_config_release(&cfg);

    /* through CPP_ANALYZER_CONFIG */
    setenv("CPP_ANALYZER_CONFIG", cfgfile, 1);
    TU_OK(idx_config_load(&cfg, NULL, NULL, &w, &e), &e);
    assert_string_equal(cfg.project_root, proj);
    idx_config_release(&cfg);
    unsetenv("CPP_ANALYZER_CONFIG");

    /* the given root wins over a different project_root, with a warning */
    TU_OK(idx_config_load(&cfg, f.dir, cfgfile, &w, &e), &e);
    assert_string_equal(cfg.project_root, f.dir);
    msg_has(w.buf, "project_root");
    msg_has(w.buf, cfgfile);
    assert_int_equal(tu_count(w.buf, "\n"), 1);
    idx_config_release(&cfg);

    /* a project_root that does not exist or is a file */
    write_text(cfgfile, "{\"project_root\": \"../nope\"}");
    assert_int_equal(idx_config_load(&cfg, NULL, cfgfile, NULL, &e), ERR_NOTFOUND);
    msg_has(e.msg, "'project_root'");
    msg_has(e.msg, cfgfile);
    idx_config_release(&cfg);
    write_text(cfgfile, "{\"project_root\": \"analyzer.json\"}");
    assert_int_equal(idx_config_load(&cfg, NULL, cfgfile, NULL, &e), ERR_INVALID);
    msg_has(e.msg, "not a directory");
    idx_config_release(&cfg);

    /* no root anywhere */
    write_text(cfgfile, "{}");
    assert_int_equal(idx_config_load(&cfg, NULL, cfgfile, NULL, &e), ERR_INVALID);
    msg_has(e.msg, "project_root");
    idx_config_release(&cfg);
    assert_int_equal(idx_config_load(&cfg, NULL, NULL, NULL, &e), ERR_INVALID);
    msg_has(e.msg, "project_root");
    idx_config_release(&cfg);

    /* from a buffer whose name is a path: relative to its directory */
    json = xasprintf("%s/x.json", cfgdir);
    TU_OK(idx_config_parse(&cfg, NULL, json, "{\"project_root\": \"..\"}", 22, NULL, &e), &e);
    assert_string_equal(cfg.project_root, f.dir);
    assert_null(cfg.path);
    idx_config_release(&cfg);
    free(json);

    free(cfgdir);
    free(cfgfile);
    free(proj);
    strbuf_release(&w);
    fixture_release(&f);
}

static void test_path_rules(void **state)
{
    struct fixture f;
    struct idx_config cfg;
    struct err e = {0};
    char buf[4096];
    (void)state;

    fixture_init(&f, "cfg-rules");
    write_text(f.file,
               "{\"exclude_directories\": [\"build\", \"src/gen\", \"/opt/skip\"],"
               " \"dependency_directories\": [\"third_party\", \"libs/vendored/\"],"
               " \"exclude_patterns\": [\"*.generated.h\"],"
               " \"compile_commands\": {\"exclude_patterns\": [\"*/tests/*\", \"old_*.cpp\"],"
               "   \"supported_extensions\": [\".cpp\", \".h\", \".C\"]}}");
    TU_OK(idx_config_load(&cfg, f.dir, NULL, NULL, &e), &e);

#define P(rel) (snprintf(buf, sizeof(buf), "%s/%s", f.dir, rel), buf)
    /* names at any depth below the root, the directory itself included */
    assert_true(idx_config_is_excluded(&cfg, P("build")));
    assert_true(idx_config_is_excluded(&cfg, P("build/a.cpp")));
    assert_true(idx_config_is_excluded(&cfg, P("src/x/build/a.cpp")));
    assert_false(idx_config_is_excluded(&cfg, P("builds/a.cpp")));
    assert_false(idx_config_is_excluded(&cfg, P("src/rebuild/a.cpp")));
    /* root-relative prefixes */
    assert_true(idx_config_is_excluded(&cfg, P("src/gen")));
    assert_true(idx_config_is_excluded(&cfg, P("src/gen/deep/a.cpp")));
    assert_false(idx_config_is_excluded(&cfg, P("src/generated/a.cpp")));
    assert_false(idx_config_is_excluded(&cfg, P("lib/src/gen/a.cpp")));
    /* absolute entries */
    assert_true(idx_config_is_excluded(&cfg, "/opt/skip/a.h"));
    assert_false(idx_config_is_excluded(&cfg, "/opt/skipped/a.h"));
    /* the root's own name never counts */
    assert_false(idx_config_is_excluded(&cfg, f.dir));
    /* globs on the relative path and the name */
    assert_true(idx_config_is_excluded(&cfg, P("a/b.generated.h")));
    assert_true(idx_config_is_excluded(&cfg, P("src/tests/t.cpp")));
    assert_false(idx_config_is_excluded(&cfg, P("tests/t.cpp"))); /* "*" needs something */
    assert_true(idx_config_is_excluded(&cfg, P("deep/er/old_main.cpp")));
    assert_false(idx_config_is_excluded(&cfg, P("src/main.cpp")));
    assert_true(idx_config_is_excluded(&cfg, "/elsewhere/x.generated.h"));

    /* dependencies: listed directories at any depth, prefixes, anything outside the root */
    assert_true(idx_config_is_dependency(&cfg, P("third_party/z/z.h")));
    assert_true(idx_config_is_dependency(&cfg, P("src/third_party/z.h")));
    assert_true(idx_config_is_dependency(&cfg, P("libs/vendored/q.h")));
    assert_false(idx_config_is_dependency(&cfg, P("libs/vendor/q.h")));
    assert_false(idx_config_is_dependency(&cfg, P("src/main.cpp")));
    assert_false(idx_config_is_dependency(&cfg, f.dir));
    assert_true(idx_config_is_dependency(&cfg, "/usr/include/stdio.h"));
    assert_true(idx_config_is_dependency(&cfg, "/"));
    snprintf(buf, sizeof(buf), "%sx/a.cpp", f.dir); /* a sibling sharing the prefix */
    assert_true(idx_config_is_dependency(&cfg, buf));

    /* sources: the name's ending, case-sensitive */
    assert_true(idx_config_is_source(&cfg, P("a.cpp")));
    assert_true(idx_config_is_source(&cfg, P("A.C")));
    assert_false(idx_config_is_source(&cfg, P("a.c")));
    assert_false(idx_config_is_source(&cfg, P("a.CPP")));
    assert_false(idx_config_is_source(&cfg, P("a.hpp")));
    assert_true(idx_config_is_source(&cfg, "x.h"));
#undef P
    idx_config_release(&cfg);

    /* a zeroed struct answers without crashing */
    memset(&cfg, 0, sizeof(cfg));
    assert_false(idx_config_is_excluded(&cfg, "/a"));
    assert_true(idx_config_is_dependency(&cfg, "/a"));
    assert_false(idx_config_is_source(&cfg, "/a.cpp"));
    fixture_release(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_without_file),
        cmocka_unit_test(test_every_key),
        cmocka_unit_test(test_file_search_order),
        cmocka_unit_test(test_env_over_file),
        cmocka_unit_test(test_unknown_keys),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_project_root_key),
        cmocka_unit_test(test_path_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
