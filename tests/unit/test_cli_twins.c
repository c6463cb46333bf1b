/*
 * test_cli_twins.c - the CLI twins of the MCP tools (cidx search, show, outline, hierarchy,
 * callers, callees, path, refs, source, status) and cidx call, run as a user runs them on the
 * golden project cpp_features (tests/golden/cpp_features/FACTS.md has the answers). For every
 * twin: the table holds the known answer, stderr is empty, --json is the tool's
 * structuredContent byte for byte (the same as `cidx call TOOL` and as tools/call of `cidx
 * serve` on the same cache), and the exit codes are 0 (answers, also ambiguous or empty ones),
 * 1 (no cache, a tool failure) and 2 (bad arguments, an unknown tool, a path outside the
 * project through '..' or a symlink).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "testutil.h"
#include "tu_cli.h"

static char *g_tmp;   /* everything the tests write */
static char *g_root;  /* the golden project, instantiated (canonical) */
static char *g_cache; /* its cache */
static char *g_cd;    /* "--cache-dir=<g_cache>" */

/* Success: exit 0 and nothing on stderr. */
#define ASSERT_OK(r)                                                                               \
    do {                                                                                           \
        TU_ASSERT_RUN(r, 0);                                                                       \
        if (*(r).err)                                                                              \
            fail_msg("line %d: stderr is not empty: %s", __LINE__, (r).err);                       \
    } while (0)

#define ASSERT_HAS(s, want)                                                                        \
    do {                                                                                           \
        if (!strstr((s), (want)))                                                                  \
            fail_msg("line %d: output lacks '%s':\n%s", __LINE__, (want), (s));                    \
    } while (0)

static int setup(void **state)
{
    const char *bin = getenv("CIDX_BIN"), *src = getenv("CIDX_SOURCE_DIR");
    char *script, *dest;
    struct tu_run r;
    (void)state;
    if (!bin || !src) {
        fprintf(stderr, "CIDX_BIN and CIDX_SOURCE_DIR must be set (run through ctest)\n");
        return -1;
    }
    g_tmp = tu_tmpdir("twins");
    dest = path_join(g_tmp, "proj");
    g_cache = path_join(g_tmp, "cache");
    g_cd = xasprintf("--cache-dir=%s", g_cache);
    script = path_join(src, "tests/golden/instantiate.sh");
    r = tu_run_in(NULL, NULL,
                  (const char *const[]){"/bin/bash", script, dest, "cpp_features", NULL});
    free(script);
    if (r.code != 0) {
        fprintf(stderr, "instantiate.sh failed: %s\n", r.err);
        return -1;
    }
    tu_run_release(&r);
    g_root = path_real(dest);
    free(dest);
    r = tu_cidx("index", g_root, g_cd, "--quiet");
    if (r.code != 0) {
        fprintf(stderr, "cidx index failed: %s\n", r.err);
        return -1;
    }
    tu_run_release(&r);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_assert_dir_healthy(g_cache);
    tu_rmtree(g_tmp);
    free(g_tmp);
    free(g_root);
    free(g_cache);
    free(g_cd);
    return 0;
}

/* ---- help ---------------------------------------------------------------------------------- */

static const char *const twins[] = {"search", "show", "outline", "hierarchy", "callers", "callees",
                                    "path",   "refs", "source",  "status",    "call"};

static void test_help(void **state)
{
    struct tu_run r;
    (void)state;
    r = tu_cidx("help");
    ASSERT_OK(r);
    for (size_t i = 0; i < ARRAY_SIZE(twins); i++) {
        char *line = xasprintf("  %-10s", twins[i]);
        ASSERT_HAS(r.out, line);
        free(line);
    }
    tu_run_release(&r);
    for (size_t i = 0; i < ARRAY_SIZE(twins); i++) {
        char *usage = xasprintf("usage: cidx %s", twins[i]);
        r = tu_cidx(twins[i], "--help");
        ASSERT_OK(r);
        ASSERT_HAS(r.out, usage);
        ASSERT_HAS(r.out, "--json");
        ASSERT_HAS(r.out, "--cache-dir DIR");
        tu_run_release(&r);
        r = tu_cidx("help", twins[i]);
        ASSERT_OK(r);
        ASSERT_HAS(r.out, usage);
        tu_run_release(&r);
        free(usage);
    }
    /* the options come from the option tables */
    r = tu_cidx("callers", "--help");
    ASSERT_HAS(r.out, "--no-virtual");
    ASSERT_HAS(r.out, "--usr USR");
    ASSERT_HAS(r.out, "--offset N");
    tu_run_release(&r);
    r = tu_cidx("refs", "-h");
    ASSERT_HAS(r.out, "--role R");
    ASSERT_HAS(r.out, "--file F");
    tu_run_release(&r);
    r = tu_cidx("hierarchy", "--help");
    ASSERT_HAS(r.out, "--up");
    ASSERT_HAS(r.out, "--max-nodes N");
    tu_run_release(&r);
}

/* ---- known answers, and --json = cidx call = tools/call ------------------------------------ */

struct twin_case {
    const char *argv[12]; /* the twin's command line (the cache option is added) */
    const char *tool;
    const char *args; /* the same as the tool's arguments */
    const char *want[5];
    const char *unwanted;
};

static const struct twin_case cases[] = {
    {{"search", "Circle"},
     "find_symbols",
     "{\"pattern\":\"Circle\"}",
     {"class", "geo::Circle", "include/shapes.h:55:7", "matches (auto)"},
     NULL},
    {{"search", "area", "--kind", "method", "--limit", "2"},
     "find_symbols",
     "{\"pattern\":\"area\",\"kinds\":[\"method\"],\"limit\":2}",
     {"geo::Shape::area", "2 of 3 matches", "next page: --offset 2"},
     NULL},
    {{"search", "push", "--match", "prefix", "--scope", "all", "--detail", "full"},
     "find_symbols",
     "{\"pattern\":\"push\",\"match\":\"prefix\",\"scope\":\"all\",\"detail\":\"full\"}",
     {"tmpl::Stack::push", "include/templates.h:86:10"},
     NULL},
    {{"show", "Circle"},
     "get_symbol_info",
     "{\"name\":\"Circle\"}",
     {"class geo::Circle", "A circle: single inheritance.", "geo::Labeled", "src/shapes.cpp:70:16",
      "geo::Circle::radius_"},
     NULL},
    {{"show", "add"},
     "get_symbol_info",
     "{\"name\":\"add\"}",
     {"'add' matches 3 symbols", "c:@N@outer@N@inner@F@add#d#d#", "3 of 3 candidates"},
     NULL},
    {{"show", "--usr", "c:@N@outer@N@inner@F@add#I#I#"},
     "get_symbol_info",
     "{\"usr\":\"c:@N@outer@N@inner@F@add#I#I#\"}",
     {"function outer::inner::add", "Adds two ints.", "include/util.h:17:5", "overloads (2)"},
     NULL},
    {{"show", "Mode", "--kind", "enum"},
     "get_symbol_info",
     "{\"name\":\"Mode\",\"kind\":\"enum\"}",
     {"enum Mode", "= 3", "include/util.h:43:48"},
     NULL},
    {{"show", "nosuch_symbol"},
     "get_symbol_info",
     "{\"name\":\"nosuch_symbol\"}",
     {"no project symbol matches 'nosuch_symbol'"},
     NULL},
    {{"outline", "include/shapes.h"},
     "get_file_outline",
     "{\"file\":\"include/shapes.h\"}",
     {"#include", "55-63", "geo::Circle : public Shape", "draw_all", "46 symbols"},
     NULL},
    {{"outline", "shapes.h", "--pattern", "area"},
     "get_file_outline",
     "{\"file\":\"shapes.h\",\"pattern\":\"area\"}",
     {"area", "Circle"},
     "draw_all"},
    {{"hierarchy", "geo::Shape", "--down"},
     "get_class_hierarchy",
     "{\"name\":\"geo::Shape\",\"direction\":\"down\"}",
     {"geo::Circle", "    geo::Labeled", "geo::Square", "4 classes"},
     "bases"},
    {{"hierarchy", "Joined", "--up"},
     "get_class_hierarchy",
     "{\"name\":\"Joined\",\"direction\":\"up\"}",
     {"geo::Left", "geo::Right", "geo::Node", "(shown above)", "4 classes"},
     NULL},
    {{"hierarchy", "deep::Deep0", "--max-depth", "3", "--max-nodes", "50"},
     "get_class_hierarchy",
     "{\"name\":\"deep::Deep0\",\"max_depth\":3,\"max_nodes\":50}",
     {"deep::Deep3", "more beyond the limits"},
     "deep::Deep4 "},
    {{"callers", "geo::Circle::draw"},
     "find_incoming_calls",
     "{\"name\":\"geo::Circle::draw\"}",
     {"src/main.cpp:36:12", "src/shapes.cpp:99:20", "via geo::Shape::draw",
      "2 of 2 callers of geo::Circle::draw"},
     NULL},
    {{"callers", "geo::Circle::draw", "--no-virtual", "--limit", "10"},
     "find_incoming_calls",
     "{\"name\":\"geo::Circle::draw\",\"include_virtual\":false,\"limit\":10}",
     {"main  src/main.cpp:36:12", "1 of 1 caller of"},
     "draw_all"},
    {{"callers", "triple"},
     "find_incoming_calls",
     "{\"name\":\"triple\"}",
     {"0 of 0 callers of triple"},
     NULL},
    {{"callees", "geo::Shape::draw"},
     "find_outgoing_calls",
     "{\"name\":\"geo::Shape::draw\"}",
     {"geo::Sink::operator<<", "src/shapes.cpp:50:9", "geo::Shape::id", "3 of 3 functions"},
     NULL},
    {{"callees", "main", "--limit", "5", "--offset", "5"},
     "find_outgoing_calls",
     "{\"name\":\"main\",\"limit\":5,\"offset\":5}",
     {"5 of ", "next page: --offset 10"},
     NULL},
    {{"path", "main", "outer::deepns::square"},
     "trace_call_path",
     "{\"from\":\"main\",\"to\":\"outer::deepns::square\"}",
     {"main -> outer::deepns::square (src/main.cpp:38:29)", "shortest first"},
     NULL},
    {{"path", "main", "geo::Sink::operator<<", "--max-paths", "1", "--max-depth", "5"},
     "trace_call_path",
     "{\"from\":\"main\",\"to\":\"geo::Sink::operator<<\",\"max_paths\":1,\"max_depth\":5}",
     {"1 call  main -> geo::Sink::operator<< (src/main.cpp:72:13)", "1 call chain from main"},
     NULL},
    {{"path", "main", "area"},
     "trace_call_path",
     "{\"from\":\"main\",\"to\":\"area\"}",
     {"'area' matches 3 symbols", "c:@N@geo@S@Square@F@area#1", "the ambiguous end is TO"},
     NULL},
    {{"refs", "g_counter", "--role", "write"},
     "find_references",
     "{\"name\":\"g_counter\",\"roles\":[\"write\"]}",
     {"src/main.cpp:43:5", "g_counter = 5;", "src/main.cpp:46:5", "2 of 2 references"},
     "src/main.cpp:44"},
    {{"refs", "g_counter", "--role", "read", "--role", "address", "--file", "src/main.cpp"},
     "find_references",
     "{\"name\":\"g_counter\",\"roles\":[\"read\",\"address\"],\"file\":\"src/main.cpp\"}",
     {"src/main.cpp:44:16", "src/main.cpp:45:19  address", "read,write", "3 of 3"},
     "src/main.cpp:43"},
    {{"source", "--usr", "c:@N@outer@N@inner@F@add#I#I#"},
     "get_source",
     "{\"usr\":\"c:@N@outer@N@inner@F@add#I#I#\"}",
     {"src/util.cpp:12-16: definition of outer::inner::add", "12  int add(int a, int b)", "16  }"},
     NULL},
    {{"source", "geo::Circle::area", "--declaration"},
     "get_source",
     "{\"name\":\"geo::Circle::area\",\"which\":\"declaration\"}",
     {"include/shapes.h:58: declaration of geo::Circle::area", "double area() const override;"},
     NULL},
    {{"source", "geo::Circle::area", "--context", "1"},
     "get_source",
     "{\"name\":\"geo::Circle::area\",\"context_lines\":1}",
     {"69  ", "70  double Circle::area() const", "74  "},
     NULL},
};

/* The structuredContent of a tools/call answer, as the bytes the server sent (heap). */
static char *raw_structured(const char *line)
{
    static const char key[] = "\"structuredContent\":";
    const char *p = strstr(line, key);
    size_t n;
    if (!p)
        return NULL;
    p += sizeof(key) - 1;
    n = strlen(p);
    if (n < 2 || strcmp(p + n - 2, "}}") != 0)
        return NULL;
    return xstrndup(p, n - 2);
}

/* Sends every request to `cidx serve --cache-dir` and returns its output lines by id. */
static char **serve(const char *const *tools, const char *const *args, size_t n)
{
    struct strbuf in = STRBUF_INIT;
    char **by_id = xcalloc(n, sizeof(char *));
    struct tu_run r;
    char *p, *save = NULL;

    strbuf_adds(&in, "{\"jsonrpc\":\"2.0\",\"id\":1000000,\"method\":\"initialize\",\"params\":{"
                     "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{"
                     "\"name\":\"t\",\"version\":\"1\"}}}\n"
                     "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n");
    for (size_t i = 0; i < n; i++)
        strbuf_addf(&in,
                    "{\"jsonrpc\":\"2.0\",\"id\":%zu,\"method\":\"tools/call\",\"params\":{"
                    "\"name\":\"%s\",\"arguments\":%s}}\n",
                    i, tools[i], args[i]);
    r = tu_run_in(NULL, in.buf,
                  (const char *const[]){getenv("CIDX_BIN"), "serve", "--cache-dir", g_cache, NULL});
    strbuf_release(&in);
    ASSERT_OK(r);
    for (p = strtok_r(r.out, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
        json_t *m = json_loads(p, 0, NULL);
        json_t *id = json_object_get(m, "id");
        if (json_is_integer(id) && json_integer_value(id) >= 0 &&
            (size_t)json_integer_value(id) < n)
            by_id[json_integer_value(id)] = xstrdup(p);
        json_decref(m);
    }
    tu_run_release(&r);
    return by_id;
}

static void test_twins(void **state)
{
    const size_t n = ARRAY_SIZE(cases);
    const char *tools[ARRAY_SIZE(cases)], *args[ARRAY_SIZE(cases)];
    char **answers;
    (void)state;

    for (size_t i = 0; i < n; i++) {
        tools[i] = cases[i].tool;
        args[i] = cases[i].args;
    }
    answers = serve(tools, args, n);
    for (size_t i = 0; i < n; i++) {
        const struct twin_case *c = &cases[i];
        const char *argv[20];
        size_t k = 0;
        struct tu_run text, json, call;
        json_t *j;
        json_error_t je;
        char *raw;

        while (c->argv[k]) {
            argv[k] = c->argv[k];
            k++;
        }
        argv[k++] = g_cd;
        argv[k] = NULL;
        text = tu_cidx_argv(NULL, argv);
        ASSERT_OK(text);
        for (size_t w = 0; w < ARRAY_SIZE(c->want) && c->want[w]; w++)
            if (!strstr(text.out, c->want[w]))
                fail_msg("cidx %s %s: stdout lacks '%s':\n%s", c->argv[0], c->argv[1], c->want[w],
                         text.out);
        if (c->unwanted && strstr(text.out, c->unwanted))
            fail_msg("cidx %s %s: stdout has '%s':\n%s", c->argv[0], c->argv[1], c->unwanted,
                     text.out);

        argv[k++] = "--json";
        argv[k] = NULL;
        json = tu_cidx_argv(NULL, argv);
        ASSERT_OK(json);
        j = json_loads(json.out, 0, &je);
        if (!json_is_object(j))
            fail_msg("cidx %s --json: not a JSON object (%s): %s", c->argv[0], je.text, json.out);
        json_decref(j);

        call = tu_cidx("call", c->tool, c->args, g_cd);
        ASSERT_OK(call);
        if (strcmp(call.out, json.out) != 0)
            fail_msg("cidx %s --json differs from cidx call %s %s:\n%s\n%s", c->argv[0], c->tool,
                     c->args, json.out, call.out);

        raw = answers[i] ? raw_structured(answers[i]) : NULL;
        if (!raw)
            fail_msg("tools/call %s %s: no structuredContent: %s", c->tool, c->args,
                     answers[i] ? answers[i] : "(no answer)");
        if (strlen(json.out) != strlen(raw) + 1 || strncmp(json.out, raw, strlen(raw)) != 0)
            fail_msg("cidx %s --json is not tools/call's structuredContent:\n%s\n%s", c->argv[0],
                     json.out, raw);
        free(raw);
        tu_run_release(&text);
        tu_run_release(&json);
        tu_run_release(&call);
    }
    for (size_t i = 0; i < n; i++)
        free(answers[i]);
    free(answers);
}

static void test_call_text(void **state)
{
    struct tu_run r;
    (void)state;
    r = tu_cidx("call", "find_incoming_calls", "{\"name\":\"geo::Circle::draw\"}", "--text", g_cd);
    ASSERT_OK(r);
    ASSERT_HAS(r.out, "callers (2):");
    ASSERT_HAS(r.out, "geo::draw_all");
    tu_run_release(&r);
    /* no arguments: {} */
    r = tu_cidx("call", "sync_project", g_cd);
    ASSERT_OK(r);
    ASSERT_HAS(r.out, "\"state\":\"ready\"");
    tu_run_release(&r);
}

/* cidx status is get_server_status: the same answer but for what changes between processes. */
static void test_status(void **state)
{
    static const char *const volatile_keys[] = {"server", "query_stats"};
    static const char *const volatile_cache[] = {"size_bytes", "wal_bytes"};
    struct tu_run text, json, call;
    json_t *a, *b;
    char **answers;
    const char *tool = "get_server_status", *args = "{}";
    (void)state;

    text = tu_cidx("status", g_cd);
    ASSERT_OK(text);
    ASSERT_HAS(text.out, g_root);
    ASSERT_HAS(text.out, "state         ready");
    ASSERT_HAS(text.out, "health        good");
    ASSERT_HAS(text.out, "parse errors  0");
    tu_run_release(&text);
    text = tu_cidx("status", "--no-health", g_cd);
    ASSERT_OK(text);
    ASSERT_HAS(text.out, "not checked");
    tu_run_release(&text);

    json = tu_cidx("status", "--json", g_cd);
    ASSERT_OK(json);
    call = tu_cidx("call", "get_server_status", g_cd);
    ASSERT_OK(call);
    answers = serve(&tool, &args, 1);
    a = json_loads(json.out, 0, NULL);
    assert_non_null(a);
    assert_string_equal(json_string_value(json_object_get(json_object_get(a, "project"), "root")),
                        g_root);
    assert_true(json_integer_value(json_object_get(json_object_get(a, "cache"), "symbols")) > 300);
    for (int k = 0; k < 2; k++) {
        char *raw = k ? raw_structured(answers[0]) : xstrdup(call.out);
        b = json_loads(raw, 0, NULL);
        free(raw);
        assert_non_null(b);
        for (size_t i = 0; i < ARRAY_SIZE(volatile_keys); i++) {
            assert_non_null(json_object_get(a, volatile_keys[i]));
            json_object_del(a, volatile_keys[i]);
            json_object_del(b, volatile_keys[i]);
        }
        for (size_t i = 0; i < ARRAY_SIZE(volatile_cache); i++) {
            json_object_del(json_object_get(a, "cache"), volatile_cache[i]);
            json_object_del(json_object_get(b, "cache"), volatile_cache[i]);
        }
        if (!json_equal(a, b)) {
            char *sa = json_dumps(a, JSON_COMPACT), *sb = json_dumps(b, JSON_COMPACT);
            fail_msg("cidx status --json differs from %s:\n%s\n%s", k ? "tools/call" : "cidx call",
                     sa, sb);
        }
        json_decref(b);
        json_decref(a);
        a = json_loads(json.out, 0, NULL);
    }
    json_decref(a);
    free(answers[0]);
    free(answers);
    tu_run_release(&json);
    tu_run_release(&call);
}

/* ---- failures and usage errors ------------------------------------------------------------- */

static void test_no_cache(void **state)
{
    char *empty = path_join(g_tmp, "empty-cache");
    char *cd = xasprintf("--cache-dir=%s", empty);
    const char *const cmds[][3] = {
        {"search", "x", NULL},
        {"show", "x", NULL},
        {"outline", "a.h", NULL},
        {"hierarchy", "x", NULL},
        {"callers", "x", NULL},
        {"callees", "x", NULL},
        {"path", "x", "y"},
        {"refs", "x", NULL},
        {"source", "x", NULL},
        {"status", NULL, NULL},
        {"call", "get_server_status", NULL},
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
        const char *argv[6];
        size_t k = 0;
        struct tu_run r;
        for (size_t j = 0; j < 3 && cmds[i][j]; j++)
            argv[k++] = cmds[i][j];
        argv[k++] = cd;
        argv[k] = NULL;
        r = tu_cidx_argv(NULL, argv);
        TU_ASSERT_RUN(r, 1);
        ASSERT_HAS(r.err, "no cache");
        assert_string_equal(r.out, "");
        tu_run_release(&r);
    }
    {
        char *db = path_join(empty, "symbols.db");
        assert_false(fs_exists(db)); /* nothing is created */
        free(db);
    }
    free(cd);
    free(empty);
}

static void test_usage(void **state)
{
    char *empty = path_join(g_tmp, "empty-cache");
    char *cd_empty = xasprintf("--cache-dir=%s", empty);
    /* command line, what stderr must say */
    const char *const cases_[][8] = {
        {"show", NULL, "'show' needs NAME (or --usr USR)"},
        {"show", "x", "--kind", "widget", NULL, "'kind' must be one of"},
        {"show", "x", "--scope", "world", NULL, "'scope' must be one of"},
        {"show", "a", "b", NULL, "unexpected argument 'b'"},
        {"outline", NULL, "needs 1 argument"},
        {"hierarchy", "x", "--up", "--down", NULL, "give --up or --down, not both"},
        {"hierarchy", "x", "--max-depth", "0", NULL, "'max_depth' must be at least 1"},
        {"callers", "x", "--limit", "5000", NULL, "'limit' must be at most 1000"},
        {"callers", "x", "--limit", "abc", NULL, "--limit must be a whole number"},
        {"callees", "x", "--offset", "-1", NULL, "--offset must be a whole number"},
        {"path", "x", NULL, "needs 2 arguments"},
        {"path", "x", "y", "--max-depth", "101", NULL, "'max_depth' must be at most 100"},
        {"refs", "x", "--role", "call,bogus", NULL, "must be one of"},
        {"source", "x", "--context", "51", NULL, "'context_lines' must be at most 50"},
        {"source", "x", "--bogus", NULL, "unknown option '--bogus'"},
        {"status", "extra", NULL, "unexpected argument 'extra'"},
        {"call", NULL, "needs 1 argument"},
        {"call", "no_such_tool", NULL, "unknown tool 'no_such_tool'"},
        {"call", "find_symbols", "{not json", NULL, "not JSON"},
        {"call", "find_symbols", "[1]", NULL, "'arguments' must be an object"},
        {"call", "find_symbols", "{\"pattern\":1}", NULL, "'pattern' must be"},
        {"call", "find_symbols", "{\"pattern\":\"x\",\"bogus\":1}", NULL, "unknown argument"},
        {"call", "set_project", "{\"project_path\":\"/tmp\"}", NULL, "cidx index DIR"},
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases_); i++) {
        const char *argv[12], *want = NULL;
        size_t k = 0, j = 0;
        while (cases_[i][j])
            argv[k++] = cases_[i][j++];
        want = cases_[i][j + 1];
        /* with a cache, and without one: bad arguments are found before the cache is opened */
        for (int pass = 0; pass < 2; pass++) {
            struct tu_run r;
            argv[k] = pass ? cd_empty : g_cd;
            argv[k + 1] = NULL;
            r = tu_cidx_argv(NULL, argv);
            if (r.code != 2)
                fail_msg("case %zu (%s %s): exit %d, want 2\nstdout: %s\nstderr: %s", i, argv[0],
                         k > 1 ? argv[1] : "", r.code, r.out, r.err);
            if (!strstr(r.err, want))
                fail_msg("case %zu (%s): stderr lacks '%s': %s", i, argv[0], want, r.err);
            if (!strcmp(argv[0], "call") && k > 1 && strstr(r.err, "Invalid params")) {
                json_t *j2 = json_loads(r.out, 0, NULL);
                json_t *e = json_object_get(j2, "error");
                if (json_integer_value(json_object_get(e, "code")) != -32602)
                    fail_msg("case %zu: stdout is not a -32602 error: %s", i, r.out);
                json_decref(j2);
            } else if (*r.out) {
                fail_msg("case %zu: stdout is not empty: %s", i, r.out);
            }
            tu_run_release(&r);
        }
    }
    {
        char *db = path_join(empty, "symbols.db");
        assert_false(fs_exists(db));
        free(db);
    }
    free(cd_empty);
    free(empty);
}

/* A path outside the project is refused, through '..' and through symlinks: exit 2. */
static void test_outside(void **state)
{
    char *outside = path_join(g_tmp, "outside.h");
    char *link = path_join(g_root, "link.h");
    char *linkdir = path_join(g_root, "linkdir");
    struct tu_run r;
    struct err e = {0};
    (void)state;

    TU_OK(fs_write_file_atomic(outside, "int x;\n", 7, &e), &e);
    assert_int_equal(symlink(outside, link), 0);
    assert_int_equal(symlink(g_tmp, linkdir), 0);
    {
        /* cwd, command line */
        const char *const cases_[][6] = {
            {g_root, "outline", "../outside.h", NULL},
            {g_root, "outline", "../no-such-file.h", NULL},
            {NULL, "outline", "../../outside.h", NULL},
            {g_root, "outline", "link.h", NULL},
            {g_root, "outline", "linkdir/outside.h", NULL},
            {NULL, "outline", "link.h", NULL},
            {NULL, "outline", outside, NULL},
            {g_root, "refs", "g_counter", "--file", "../outside.h", NULL},
            {NULL, "refs", "g_counter", "--file", "link.h", NULL},
            {NULL, "search", "x", "--file", "linkdir/outside.h", NULL},
            {NULL, "call", "get_file_outline", "{\"file\":\"link.h\"}", NULL},
            {NULL, "call", "get_file_outline", "{\"file\":\"../outside.h\"}", NULL},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases_); i++) {
            const char *argv[12];
            size_t k = 0;
            for (size_t j = 1; cases_[i][j]; j++)
                argv[k++] = cases_[i][j];
            argv[k++] = g_cd;
            argv[k] = NULL;
            r = tu_cidx_argv(cases_[i][0], argv);
            if (r.code != 2 || !strstr(r.err, "outside the project root"))
                fail_msg("case %zu (%s %s): exit %d, want 2 and 'outside the project root'\n"
                         "stdout: %s\nstderr: %s",
                         i, argv[0], argv[1], r.code, r.out, r.err);
            tu_run_release(&r);
        }
    }
    /* paths from the current directory work inside the project */
    {
        char *src = path_join(g_root, "src");
        r = tu_cidx_at(src, "outline", "shapes.cpp", g_cd);
        ASSERT_OK(r);
        ASSERT_HAS(r.out, "src/shapes.cpp: ");
        tu_run_release(&r);
        r = tu_cidx_at(src, "outline", "../include/util.h", g_cd);
        ASSERT_OK(r);
        ASSERT_HAS(r.out, "include/util.h: ");
        tu_run_release(&r);
        r = tu_cidx_at(src, "refs", "g_counter", "--file", "main.cpp", "--role", "write", g_cd);
        ASSERT_OK(r);
        ASSERT_HAS(r.out, "2 of 2 references");
        tu_run_release(&r);
        free(src);
    }
    unlink(link);
    unlink(linkdir);
    unlink(outside);
    free(outside);
    free(link);
    free(linkdir);
}

/* --project picks the root; a tool failure (isError) exits 1. */
static void test_project_and_failures(void **state)
{
    char *dest = path_join(g_tmp, "proj2"), *cache = path_join(g_tmp, "cache2");
    char *cd = xasprintf("--cache-dir=%s", cache), *root, *gone, *script;
    struct tu_run r, r2;
    (void)state;

    script = path_join(getenv("CIDX_SOURCE_DIR"), "tests/golden/instantiate.sh");
    r = tu_run_in(NULL, NULL,
                  (const char *const[]){"/bin/bash", script, dest, "cpp_features", NULL});
    TU_ASSERT_RUN(r, 0);
    tu_run_release(&r);
    free(script);
    root = path_real(dest);
    r = tu_cidx("index", root, cd, "--quiet");
    TU_ASSERT_RUN(r, 0);
    tu_run_release(&r);

    /* the root from --project and from the cache's record give the same answer */
    r = tu_cidx("show", "Circle", "--json", cd);
    ASSERT_OK(r);
    r2 = tu_cidx("show", "Circle", "--json", cd, "--project", root);
    ASSERT_OK(r2);
    assert_string_equal(r.out, r2.out);
    tu_run_release(&r2);
    /* another root: files outside it keep their absolute paths */
    r2 = tu_cidx("show", "Circle", "--json", cd, "--project", g_tmp);
    ASSERT_OK(r2);
    ASSERT_HAS(r2.out, "\"file\":\"proj2/include/shapes.h\"");
    tu_run_release(&r2);
    tu_run_release(&r);
    r = tu_cidx("show", "Circle", cd, "--project", "/no/such/dir");
    TU_ASSERT_RUN(r, 1);
    ASSERT_HAS(r.err, "does not exist");
    tu_run_release(&r);

    /* the source file is gone: get_source fails (isError), exit 1 */
    gone = path_join(root, "src/util.cpp");
    assert_int_equal(unlink(gone), 0);
    r = tu_cidx("source", "--usr", "c:@N@outer@N@inner@F@add#I#I#", cd);
    TU_ASSERT_RUN(r, 1);
    ASSERT_HAS(r.err, "util.cpp");
    assert_string_equal(r.out, "");
    tu_run_release(&r);
    r = tu_cidx("call", "get_source", "{\"usr\":\"c:@N@outer@N@inner@F@add#I#I#\"}", cd);
    TU_ASSERT_RUN(r, 1);
    ASSERT_HAS(r.err, "util.cpp");
    ASSERT_HAS(r.out, "\"isError\":true");
    tu_run_release(&r);
    /* a refresh cannot run without a server: the tool says so */
    r = tu_cidx("call", "sync_project", "{\"mode\":\"incremental\"}", cd);
    TU_ASSERT_RUN(r, 1);
    ASSERT_HAS(r.out, "\"isError\":true");
    tu_run_release(&r);

    tu_assert_dir_healthy(cache);
    free(gone);
    free(root);
    free(dest);
    free(cache);
    free(cd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help),      cmocka_unit_test(test_twins),
        cmocka_unit_test(test_call_text), cmocka_unit_test(test_status),
        cmocka_unit_test(test_no_cache),  cmocka_unit_test(test_usage),
        cmocka_unit_test(test_outside),   cmocka_unit_test(test_project_and_failures),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
