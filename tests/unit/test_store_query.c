/*
 * test_store_query.c - the code queries (store_query*.c) against known answers: the golden
 * project cpp_features, indexed by the real `cidx index` (tests/golden/cpp_features/FACTS.md
 * says what it must contain), and small synthetic caches written through the store API for
 * what a real project does not have (inheritance and call cycles, placeholders, bad UTF-8).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "testutil.h"
#include "tu_rawdb.h"

static char *g_tmp;   /* the test's directory */
static char *g_root;  /* the golden project, instantiated */
static char *g_cache; /* its cache */
static struct store *g_st;

/* ---- helpers ------------------------------------------------------------------------------ */

/* Runs argv (argv[0] a path), stdout and stderr to /dev/null; its exit code. */
static int run_argv(const char *const *argv)
{
    int status = 0;
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        dup2(devnull, 0);
        dup2(devnull, 1);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    if (pid < 0 || waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* A value inside a JSON document by a dotted path: "callers.0.symbol.qualified_name". */
static json_t *jget(json_t *v, const char *path)
{
    char *copy = xstrdup(path), *save = NULL;
    for (char *part = strtok_r(copy, ".", &save); part && v; part = strtok_r(NULL, ".", &save)) {
        if (json_is_array(v)) {
            uint64_t i;
            if (str_to_u64(&i, part, 1000000))
                v = NULL;
            else
                v = json_array_get(v, (size_t)i);
        } else {
            v = json_object_get(v, part);
        }
    }
    free(copy);
    return v;
}

static const char *jstr(json_t *v, const char *path)
{
    json_t *x = jget(v, path);
    if (!json_is_string(x))
        fail_msg("'%s' is not a string", path);
    return json_string_value(x);
}

static long long jint(json_t *v, const char *path)
{
    json_t *x = jget(v, path);
    if (!json_is_integer(x))
        fail_msg("'%s' is not an integer", path);
    return json_integer_value(x);
}

static size_t jlen(json_t *v, const char *path)
{
    json_t *x = jget(v, path);
    if (json_is_array(x))
        return json_array_size(x);
    if (json_is_object(x))
        return json_object_size(x);
    fail_msg("'%s' is not an array or object", path);
    return 0;
}

static bool jtrue(json_t *v, const char *path)
{
    return json_is_true(jget(v, path));
}

/* Every result must serialize (valid UTF-8 everywhere) and stay under the text bound. */
static json_t *checked(json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT);
    assert_non_null(s);
    free(s);
    return v;
}

#define Q_OK(call)                                                                                 \
    do {                                                                                           \
        struct err e_ = {0};                                                                       \
        int rc_;                                                                                   \
        res = NULL;                                                                                \
        rc_ = (call);                                                                              \
        if (rc_)                                                                                   \
            fail_msg("%s failed: %d %s", #call, rc_, e_.msg);                                      \
        checked(res);                                                                              \
    } while (0)

/* A function's JSON from a list, by qualified name (NULL when absent). */
static json_t *find_by(json_t *list, const char *key, const char *path, const char *want)
{
    size_t i;
    json_t *x;
    json_array_foreach(jget(list, key), i, x)
    {
        json_t *s = jget(x, path);
        if (json_is_string(s) && !strcmp(json_string_value(s), want))
            return x;
    }
    return NULL;
}

static struct store_target name(const char *n)
{
    struct store_target t = {.name = n};
    return t;
}

/* ---- setup: index the golden project ------------------------------------------------------ */

static int setup(void **state)
{
    const char *bin = getenv("CIDX_BIN"), *src = getenv("CIDX_SOURCE_DIR");
    char *script, *dest;
    (void)state;
    if (!bin || !src) {
        fprintf(stderr, "CIDX_BIN and CIDX_SOURCE_DIR must be set (run through ctest)\n");
        return -1;
    }
    g_tmp = tu_tmpdir("query");
    dest = path_join(g_tmp, "proj");
    g_cache = path_join(g_tmp, "cache");
    script = path_join(src, "tests/golden/instantiate.sh");
    {
        const char *argv[] = {"/bin/bash", script, dest, "cpp_features", NULL};
        if (run_argv(argv) != 0) {
            fprintf(stderr, "instantiate.sh failed\n");
            return -1;
        }
    }
    g_root = path_real(dest);
    {
        const char *argv[] = {bin, "index", g_root, "--cache-dir", g_cache, "--quiet", NULL};
        if (run_argv(argv) != 0) {
            fprintf(stderr, "cidx index failed\n");
            return -1;
        }
    }
    free(script);
    free(dest);
    {
        struct err e = {0};
        if (store_open(&g_st, g_cache, STORE_OPEN_READONLY, &e)) {
            fprintf(stderr, "store_open: %s\n", e.msg);
            return -1;
        }
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    store_close(g_st);
    tu_rmtree(g_tmp);
    free(g_tmp);
    free(g_root);
    free(g_cache);
    return 0;
}

/* ---- resolution --------------------------------------------------------------------------- */

static void test_resolve(void **state)
{
    json_t *res;
    struct store_target t;
    (void)state;

    t = name("main");
    Q_OK(store_query_resolve(g_st, &t, &res, &e_));
    assert_string_equal(jstr(res, "symbol.qualified_name"), "main");
    assert_string_equal(jstr(res, "symbol.location.file"), "src/main.cpp");
    assert_int_equal(jint(res, "symbol.location.line"), 30);
    assert_null(jget(res, "ambiguous"));
    json_decref(res);

    /* a suffix at :: boundaries, and the anchored global form */
    t = name("Shape::draw");
    Q_OK(store_query_resolve(g_st, &t, &res, &e_));
    assert_string_equal(jstr(res, "symbol.qualified_name"), "geo::Shape::draw");
    json_decref(res);
    t = name("::main");
    Q_OK(store_query_resolve(g_st, &t, &res, &e_));
    assert_string_equal(jstr(res, "symbol.usr"), "c:@F@main#");
    json_decref(res);
    t = name("::Shape");
    Q_OK(store_query_resolve(g_st, &t, &res, &e_));
    assert_true(json_is_null(jget(res, "symbol")));
    assert_non_null(strstr(jstr(res, "hint"), "no project symbol"));
    json_decref(res);
    t = name("ape::draw"); /* not at a boundary */
    Q_OK(store_query_resolve(g_st, &t, &res, &e_));
    assert_true(json_is_null(jget(res, "symbol")));
    json_decref(res);

    /* an overloaded name: ambiguous, with candidates an agent can pick from */
    t = name("add");
    Q_OK(store_query_resolve(g_st, &t, &res, &e_));
    assert_true(jtrue(res, "ambiguous"));
    assert_int_equal(jlen(res, "candidates"), 3);
    assert_int_equal(jint(res, "candidates_total"), 3);
    assert_string_equal(jstr(res, "candidates.0.qualified_name"), "outer::inner::add");
    assert_string_equal(jstr(res, "candidates.0.kind"), "function");
    assert_string_equal(jstr(res, "candidates.0.file"), "src/util.cpp");
    assert_true(jint(res, "candidates.0.line") > 0);
    assert_non_null(strstr(jstr(res, "candidates.0.usr"), "@F@add#"));
    assert_true(json_is_null(jget(res, "symbol")));
    json_decref(res);

    /* the usr picks one */
    t = (struct store_target){.usr = "c:@N@outer@N@inner@F@add#d#d#"};
    Q_OK(store_query_resolve(g_st, &t, &res, &e_));
    assert_string_equal(jstr(res, "symbol.signature"),
                        "double outer::inner::add(double a, double b)");
    json_decref(res);
    t = (struct store_target){.usr = "c:@F@no_such#"};
    Q_OK(store_query_resolve(g_st, &t, &res, &e_));
    assert_true(json_is_null(jget(res, "symbol")));
    assert_non_null(jget(res, "hint"));
    json_decref(res);

    /* a class and its constructors: the class; a typedef of a struct: the struct; a kind
       filter picks the other */
    t = name("Shape");
    Q_OK(store_query_resolve(g_st, &t, &res, &e_));
    assert_string_equal(jstr(res, "symbol.kind"), "class");
    json_decref(res);
    t = name("Point");
    Q_OK(store_query_resolve(g_st, &t, &res, &e_));
    assert_string_equal(jstr(res, "symbol.kind"), "struct");
    json_decref(res);
    t = name("Point");
    t.kinds = STORE_KIND_BIT(STORE_KIND_TYPEDEF);
    Q_OK(store_query_resolve(g_st, &t, &res, &e_));
    assert_string_equal(jstr(res, "symbol.kind"), "typedef");
    json_decref(res);

    /* case-insensitive only when nothing matches exactly */
    t = name("geo::circle");
    Q_OK(store_query_resolve(g_st, &t, &res, &e_));
    assert_string_equal(jstr(res, "symbol.qualified_name"), "geo::Circle");
    json_decref(res);

    /* UTF-8 names */
    t = name("café");
    Q_OK(store_query_resolve(g_st, &t, &res, &e_));
    assert_string_equal(jstr(res, "symbol.location.file"), "src/dir with space/ünïcode.cpp");
    json_decref(res);

    /* no name is a bad argument, not an empty answer */
    {
        struct err e = {0};
        t = (struct store_target){0};
        assert_int_equal(store_query_resolve(g_st, &t, &res, &e), ERR_INVALID);
        assert_null(res);
        t = name("geo::");
        assert_int_equal(store_query_resolve(g_st, &t, &res, &e), ERR_INVALID);
    }
}

/* ---- get_symbol_info ---------------------------------------------------------------------- */

static void test_symbol_info_class(void **state)
{
    json_t *res, *m;
    struct store_target t = name("geo::Shape");
    static const char *const methods[] = {"Shape",     "Shape",  "Shape",      "Shape",
                                          "operator=", "~Shape", "area",       "draw",
                                          "id",        "count",  "operator==", "operator bool"};
    (void)state;

    Q_OK(store_query_symbol_info(g_st, &t, &res, &e_));
    assert_string_equal(jstr(res, "kind"), "class");
    assert_string_equal(jstr(res, "namespace"), "geo");
    assert_true(jtrue(res, "is_project"));
    assert_string_equal(jstr(res, "doc.brief"), "Base of every shape.");
    assert_non_null(strstr(jstr(res, "doc.full"), "abstract: area() is pure virtual."));
    assert_string_equal(jstr(res, "definition.file"), "include/shapes.h");
    assert_int_equal(jint(res, "definition.line"), 30);
    assert_int_equal(jint(res, "definition.column"), 7);
    assert_int_equal(jint(res, "definition.start_line"), 30);
    assert_int_equal(jint(res, "definition.end_line"), 52);
    assert_int_equal(jlen(res, "bases"), 0);
    assert_int_equal(jlen(res, "derived"), 2);
    assert_string_equal(jstr(res, "derived.0.qualified_name"), "geo::Circle");
    assert_string_equal(jstr(res, "derived.1.qualified_name"), "geo::Square");
    /* members in the order the class declares them */
    assert_int_equal(jlen(res, "methods"), ARRAY_SIZE(methods));
    for (size_t i = 0; i < ARRAY_SIZE(methods); i++) {
        char path[64];
        snprintf(path, sizeof(path), "methods.%zu.name", i);
        assert_string_equal(jstr(res, path), methods[i]);
    }
    m = find_by(res, "methods", "name", "area");
    assert_non_null(m);
    assert_string_equal(jstr(m, "attributes.0"), "virtual");
    assert_string_equal(jstr(m, "attributes.1"), "pure");
    assert_string_equal(jstr(res, "fields.0.name"), "id_");
    assert_string_equal(jstr(res, "fields.0.access"), "protected");
    assert_string_equal(jstr(res, "fields.1.name"), "live_");
    assert_int_equal(jlen(res, "nested"), 0);
    assert_false(jtrue(res, "truncated"));
    json_decref(res);

    /* multiple inheritance in order, with access; virtual bases */
    t = name("geo::Labeled");
    Q_OK(store_query_symbol_info(g_st, &t, &res, &e_));
    assert_int_equal(jlen(res, "bases"), 2);
    assert_string_equal(jstr(res, "bases.0.name"), "geo::Circle");
    assert_string_equal(jstr(res, "bases.0.access"), "public");
    assert_false(jtrue(res, "bases.0.virtual"));
    assert_string_equal(jstr(res, "bases.1.name"), "geo::Named");
    assert_string_equal(jstr(res, "bases.1.access"), "protected");
    json_decref(res);
    t = name("geo::Left");
    Q_OK(store_query_symbol_info(g_st, &t, &res, &e_));
    assert_string_equal(jstr(res, "bases.0.name"), "geo::Node");
    assert_true(jtrue(res, "bases.0.virtual"));
    assert_string_equal(jstr(res, "doc.brief"), "");
    json_decref(res);

    /* template info */
    t = name("tmpl::Buffer");
    Q_OK(store_query_symbol_info(g_st, &t, &res, &e_));
    assert_string_equal(jstr(res, "template.kind"), "primary");
    assert_string_equal(jstr(res, "template.params"), "<typename T, int N>");
    assert_non_null(find_by(res, "methods", "name", "size"));
    assert_non_null(find_by(res, "fields", "name", "data_"));
    json_decref(res);

    /* a two-paragraph doc: brief is the first, full both */
    t = name("geo::Sink");
    Q_OK(store_query_symbol_info(g_st, &t, &res, &e_));
    assert_string_equal(jstr(res, "doc.brief"), "A text sink that shapes print to.");
    assert_non_null(strstr(jstr(res, "doc.full"), "Stands in for std::ostream"));
    assert_int_equal(jlen(res, "methods"), 3);
    json_decref(res);
}

static void test_symbol_info_function(void **state)
{
    json_t *res;
    struct store_target t = {.usr = "c:@N@outer@N@inner@F@add#I#I#"};
    (void)state;

    Q_OK(store_query_symbol_info(g_st, &t, &res, &e_));
    assert_string_equal(jstr(res, "doc.brief"), "Adds two ints.");
    assert_string_equal(jstr(res, "declaration.file"), "include/util.h");
    assert_int_equal(jint(res, "declaration.line"), 17);
    assert_string_equal(jstr(res, "definition.file"), "src/util.cpp");
    assert_int_equal(jint(res, "definition.line"), 12);
    assert_int_equal(jint(res, "definition.end_line"), 16);
    assert_int_equal(jlen(res, "overloads"), 2);
    assert_non_null(find_by(res, "overloads", "usr", "c:@N@outer@N@inner@F@add#d#d#"));
    assert_non_null(find_by(res, "overloads", "usr", "c:@N@outer@N@inner@F@add#I#I#I#"));
    assert_int_equal(jlen(res, "overrides"), 0);
    json_decref(res);

    t = name("geo::Shape::area");
    Q_OK(store_query_symbol_info(g_st, &t, &res, &e_));
    assert_true(json_is_null(jget(res, "definition"))); /* pure: declared only */
    assert_int_equal(jint(res, "declaration.line"), 39);
    assert_int_equal(jlen(res, "overridden_by"), 2);
    assert_string_equal(jstr(res, "overridden_by.0.qualified_name"), "geo::Circle::area");
    assert_string_equal(jstr(res, "overridden_by.1.qualified_name"), "geo::Square::area");
    json_decref(res);

    t = name("geo::Labeled::label");
    Q_OK(store_query_symbol_info(g_st, &t, &res, &e_));
    assert_int_equal(jlen(res, "overrides"), 1);
    assert_string_equal(jstr(res, "overrides.0.qualified_name"), "geo::Named::label");
    json_decref(res);

    /* ambiguous: no symbol fields, the candidates */
    t = name("add");
    Q_OK(store_query_symbol_info(g_st, &t, &res, &e_));
    assert_true(jtrue(res, "ambiguous"));
    assert_null(jget(res, "usr"));
    json_decref(res);
    t = name("no_such_thing");
    Q_OK(store_query_symbol_info(g_st, &t, &res, &e_));
    assert_non_null(jget(res, "hint"));
    assert_null(jget(res, "usr"));
    json_decref(res);
}

static void test_symbol_info_enum_typedef(void **state)
{
    json_t *res;
    struct store_target t = name("Color");
    (void)state;

    Q_OK(store_query_symbol_info(g_st, &t, &res, &e_));
    assert_int_equal(jlen(res, "constants"), 3);
    assert_string_equal(jstr(res, "constants.0.name"), "RED");
    assert_string_equal(jstr(res, "constants.0.value"), "0");
    assert_string_equal(jstr(res, "constants.1.name"), "GREEN");
    assert_string_equal(jstr(res, "constants.1.value"), "5");
    assert_string_equal(jstr(res, "constants.2.value"), "6");
    json_decref(res);
    t = name("Mode");
    Q_OK(store_query_symbol_info(g_st, &t, &res, &e_));
    assert_string_equal(jstr(res, "attributes.0"), "scoped");
    assert_string_equal(jstr(res, "constants.2.qualified_name"), "Mode::Auto");
    json_decref(res);

    t = name("ulong_t");
    Q_OK(store_query_symbol_info(g_st, &t, &res, &e_));
    assert_string_equal(jstr(res, "target"), "unsigned long");
    assert_string_equal(jstr(res, "canonical"), "unsigned long");
    json_decref(res);
    t = name("Callback");
    Q_OK(store_query_symbol_info(g_st, &t, &res, &e_));
    assert_string_equal(jstr(res, "kind"), "type_alias");
    assert_string_equal(jstr(res, "target"), "int (*)(int)");
    json_decref(res);
}

/* ---- get_file_outline --------------------------------------------------------------------- */

static void test_outline(void **state)
{
    json_t *res, *geo, *shape;
    char *abs;
    (void)state;

    Q_OK(store_query_file_outline(g_st, "include/shapes.h", NULL, &res, &e_));
    assert_string_equal(jstr(res, "file"), "include/shapes.h");
    assert_int_equal(jlen(res, "includes"), 1);
    assert_int_equal(jint(res, "includes.0.line"), 7);
    assert_string_equal(jstr(res, "includes.0.file"), "include/util.h");
    geo = find_by(res, "symbols", "name", "geo");
    assert_non_null(geo);
    assert_string_equal(jstr(geo, "kind"), "namespace");
    shape = find_by(geo, "children", "name", "Shape");
    assert_non_null(shape);
    assert_int_equal(jint(shape, "line"), 30);
    assert_int_equal(jint(shape, "start_line"), 30);
    assert_int_equal(jint(shape, "end_line"), 52);
    assert_true(jtrue(shape, "definition"));
    assert_int_equal(jlen(shape, "children"), 14); /* 12 methods, 2 data members */
    assert_string_equal(jstr(shape, "children.0.kind"), "constructor");
    assert_non_null(find_by(geo, "children", "name", "draw_all"));
    assert_false(jtrue(res, "truncated"));
    assert_int_equal(jint(res, "total"), 46);
    json_decref(res);

    /* out-of-line definitions sit in the namespace block of the .cpp; a suffix names the file */
    Q_OK(store_query_file_outline(g_st, "shapes.cpp", NULL, &res, &e_));
    assert_string_equal(jstr(res, "file"), "src/shapes.cpp");
    geo = find_by(res, "symbols", "name", "geo");
    assert_non_null(geo);
    assert_non_null(find_by(geo, "children", "qualified_name", "geo::Shape::draw"));
    assert_non_null(find_by(res, "symbols", "name", "SHAPES_PI"));
    json_decref(res);

    /* a pattern keeps the matches and their containers */
    Q_OK(store_query_file_outline(g_st, "include/shapes.h", "label", &res, &e_));
    assert_int_equal(jlen(res, "symbols"), 1);
    geo = jget(res, "symbols.0");
    assert_string_equal(jstr(geo, "name"), "geo");
    assert_int_equal(jlen(geo, "children"), 2); /* Named, Labeled */
    assert_string_equal(jstr(geo, "children.0.children.0.name"), "label");
    json_decref(res);

    /* absolute paths work; an unknown file is an empty answer with a hint */
    abs = xasprintf("%s/include/util.h", g_root);
    Q_OK(store_query_file_outline(g_st, abs, NULL, &res, &e_));
    assert_string_equal(jstr(res, "file"), "include/util.h");
    assert_non_null(find_by(res, "symbols", "name", "Color"));
    json_decref(res);
    free(abs);
    Q_OK(store_query_file_outline(g_st, "no/such.h", NULL, &res, &e_));
    assert_int_equal(jlen(res, "symbols"), 0);
    assert_non_null(jget(res, "hint"));
    json_decref(res);

    /* pages: shapes.h's 46 symbols by 20; the second page starts inside geo::Shape, so its
     * first symbols come at the top level naming their parent */
    Q_OK(store_query_file_outline_page(g_st, "include/shapes.h", NULL, 20, 0, &res, &e_));
    assert_int_equal(jint(res, "total"), 46);
    assert_true(jtrue(res, "truncated"));
    assert_int_equal(jint(res, "next_offset"), 20);
    json_decref(res);
    Q_OK(store_query_file_outline_page(g_st, "include/shapes.h", NULL, 20, 20, &res, &e_));
    assert_non_null(jstr(res, "symbols.0.parent"));
    assert_int_equal(jint(res, "next_offset"), 40);
    json_decref(res);
    Q_OK(store_query_file_outline_page(g_st, "include/shapes.h", NULL, 20, 40, &res, &e_));
    assert_false(jtrue(res, "truncated"));
    assert_true(json_is_null(jget(res, "next_offset")));
    json_decref(res);
    {
        struct err e = {0};
        assert_int_equal(
            store_query_file_outline_page(g_st, "include/shapes.h", NULL, 0, 0, &res, &e),
            ERR_INVALID);
    }
}

/* ---- get_class_hierarchy ------------------------------------------------------------------ */

static void test_hierarchy(void **state)
{
    json_t *res;
    struct store_hierarchy_args a = {.target = name("Joined"), .direction = STORE_DIR_UP};
    const char *key;
    json_t *v;
    (void)state;

    /* the diamond: Node once, reached from both sides */
    Q_OK(store_query_class_hierarchy(g_st, &a, &res, &e_));
    assert_string_equal(jstr(res, "root"), "geo::Joined");
    assert_int_equal(jlen(res, "nodes"), 4);
    assert_int_equal(jlen(res, "nodes.geo::Joined.bases"), 2);
    assert_int_equal(jlen(res, "nodes.geo::Node.derived"), 2);
    assert_int_equal(jint(res, "nodes.geo::Node.depth"), 2);
    assert_string_equal(jstr(res, "nodes.geo::Node.location.file"), "include/shapes.h");
    assert_false(jtrue(res, "truncated"));
    json_decref(res);

    /* down from the abstract base */
    a = (struct store_hierarchy_args){.target = name("geo::Shape"), .direction = STORE_DIR_DOWN};
    Q_OK(store_query_class_hierarchy(g_st, &a, &res, &e_));
    assert_int_equal(jlen(res, "nodes"), 4);
    assert_string_equal(jstr(res, "nodes.geo::Labeled.bases.0"), "geo::Circle");
    assert_int_equal(jint(res, "nodes.geo::Labeled.depth"), 2);
    assert_string_equal(jstr(res, "nodes.geo::Shape.kind"), "class");
    json_decref(res);

    /* the 100-deep chain: the default depth truncates; 200 reaches the top in order */
    a = (struct store_hierarchy_args){.target = name("deep::Deep0"), .direction = STORE_DIR_DOWN};
    Q_OK(store_query_class_hierarchy(g_st, &a, &res, &e_));
    assert_true(jtrue(res, "truncated"));
    assert_int_equal(jlen(res, "nodes"), 11);
    assert_non_null(jget(res, "nodes.deep::Deep10"));
    assert_null(jget(res, "nodes.deep::Deep11"));
    json_decref(res);
    a = (struct store_hierarchy_args){
        .target = name("deep::Deep100"), .direction = STORE_DIR_UP, .max_depth = 200};
    Q_OK(store_query_class_hierarchy(g_st, &a, &res, &e_));
    assert_false(jtrue(res, "truncated"));
    assert_int_equal(jlen(res, "nodes"), 101);
    {
        size_t i = 0;
        json_object_foreach(jget(res, "nodes"), key, v)
        {
            char want[32];
            snprintf(want, sizeof(want), "deep::Deep%zu", 100 - i);
            assert_string_equal(key, want);
            assert_int_equal(json_integer_value(json_object_get(v, "depth")), i);
            i++;
        }
    }
    json_decref(res);
    /* max_nodes */
    a = (struct store_hierarchy_args){
        .target = name("deep::Deep100"), .direction = STORE_DIR_BOTH, .max_nodes = 5};
    Q_OK(store_query_class_hierarchy(g_st, &a, &res, &e_));
    assert_true(jtrue(res, "truncated"));
    assert_int_equal(jlen(res, "nodes"), 5);
    json_decref(res);

    {
        struct err e = {0};
        a = (struct store_hierarchy_args){.target = name("geo::Shape"), .max_depth = 10001};
        assert_int_equal(store_query_class_hierarchy(g_st, &a, &res, &e), ERR_INVALID);
    }
}

/* ---- calls -------------------------------------------------------------------------------- */

static void test_incoming_calls(void **state)
{
    json_t *res, *c;
    struct store_calls_args a = {.target = name("geo::Circle::draw")};
    (void)state;

    /* directly from main, and through the base's virtual from main and draw_all */
    Q_OK(store_query_incoming_calls(g_st, &a, &res, &e_));
    assert_string_equal(jstr(res, "target.qualified_name"), "geo::Circle::draw");
    assert_int_equal(jint(res, "total"), 2);
    c = find_by(res, "callers", "symbol.qualified_name", "main");
    assert_non_null(c);
    assert_int_equal(jlen(c, "sites"), 2);
    assert_int_equal(jint(c, "sites.0.line"), 35);
    assert_string_equal(jstr(c, "sites.0.via"), "geo::Shape::draw");
    assert_int_equal(jint(c, "sites.1.line"), 36);
    assert_int_equal(jint(c, "sites.1.column"), 12);
    assert_string_equal(jstr(c, "sites.1.file"), "src/main.cpp");
    assert_null(jget(c, "sites.1.via"));
    c = find_by(res, "callers", "symbol.qualified_name", "geo::draw_all");
    assert_non_null(c);
    assert_int_equal(jint(c, "sites.0.line"), 99);
    /* the qualified, non-virtual call Circle::draw makes to Shape::draw cannot reach it */
    assert_null(find_by(res, "callers", "symbol.qualified_name", "geo::Circle::draw"));
    json_decref(res);

    a.exclude_virtual = true;
    Q_OK(store_query_incoming_calls(g_st, &a, &res, &e_));
    assert_int_equal(jint(res, "total"), 1);
    assert_int_equal(jlen(res, "callers.0.sites"), 1);
    assert_int_equal(jint(res, "callers.0.sites.0.line"), 36);
    json_decref(res);

    a = (struct store_calls_args){.target = name("geo::Shape::area")};
    Q_OK(store_query_incoming_calls(g_st, &a, &res, &e_));
    assert_int_equal(jint(res, "total"), 2);
    assert_non_null(find_by(res, "callers", "symbol.qualified_name", "geo::Shape::operator=="));
    assert_non_null(find_by(res, "callers", "symbol.qualified_name", "geo::Shape::operator bool"));
    json_decref(res);

    /* a function only passed as a pointer has no callers */
    a = (struct store_calls_args){.target = name("triple")};
    Q_OK(store_query_incoming_calls(g_st, &a, &res, &e_));
    assert_int_equal(jint(res, "total"), 0);
    assert_int_equal(jlen(res, "callers"), 0);
    json_decref(res);

    /* pages: add(int, int) is called from add(int, int, int), main and naïve_total */
    a = (struct store_calls_args){.target = {.usr = "c:@N@outer@N@inner@F@add#I#I#"}, .limit = 2};
    Q_OK(store_query_incoming_calls(g_st, &a, &res, &e_));
    assert_int_equal(jint(res, "total"), 3);
    assert_int_equal(jlen(res, "callers"), 2);
    assert_true(jtrue(res, "truncated"));
    assert_int_equal(jint(res, "next_offset"), 2);
    assert_string_equal(jstr(res, "callers.0.symbol.qualified_name"), "main");
    assert_string_equal(jstr(res, "callers.1.symbol.qualified_name"), "naïve_total");
    json_decref(res);
    a.offset = 2;
    Q_OK(store_query_incoming_calls(g_st, &a, &res, &e_));
    assert_int_equal(jlen(res, "callers"), 1);
    assert_string_equal(jstr(res, "callers.0.symbol.qualified_name"), "outer::inner::add");
    assert_int_equal(jlen(res, "callers.0.sites"), 2);
    assert_false(jtrue(res, "truncated"));
    assert_true(json_is_null(jget(res, "next_offset")));
    json_decref(res);

    /* ambiguity and bad limits */
    a = (struct store_calls_args){.target = name("draw")};
    Q_OK(store_query_incoming_calls(g_st, &a, &res, &e_));
    assert_true(jtrue(res, "ambiguous"));
    assert_true(json_is_null(jget(res, "target")));
    json_decref(res);
    {
        struct err e = {0};
        a = (struct store_calls_args){.target = name("main"), .limit = 1001};
        assert_int_equal(store_query_incoming_calls(g_st, &a, &res, &e), ERR_INVALID);
    }
}

static void test_outgoing_calls(void **state)
{
    json_t *res, *c;
    struct store_calls_args a = {.target = name("main"), .limit = 1000};
    (void)state;

    Q_OK(store_query_outgoing_calls(g_st, &a, &res, &e_));
    assert_string_equal(jstr(res, "source.qualified_name"), "main");
    assert_true(jint(res, "total") >= 25);
    /* in the order of the calls */
    assert_string_equal(jstr(res, "callees.0.symbol.qualified_name"), "geo::Circle::Circle");
    assert_int_equal(jint(res, "callees.0.sites.0.line"), 33);
    c = find_by(res, "callees", "symbol.qualified_name", "geo::Shape::draw");
    assert_non_null(c);
    assert_true(jtrue(c, "sites.0.virtual"));
    c = find_by(res, "callees", "symbol.qualified_name", "outer::deepns::square");
    assert_int_equal(jint(c, "sites.0.line"), 38);
    assert_null(jget(c, "sites.0.virtual"));
    c = find_by(res, "callees", "symbol.qualified_name", "deep::Deep0::level");
    assert_int_equal(jint(c, "sites.0.line"), 65);
    assert_null(find_by(res, "callees", "symbol.qualified_name", "triple"));
    json_decref(res);

    /* apply calls through a pointer only */
    a = (struct store_calls_args){.target = name("apply")};
    Q_OK(store_query_outgoing_calls(g_st, &a, &res, &e_));
    assert_int_equal(jint(res, "total"), 0);
    json_decref(res);

    a = (struct store_calls_args){.target = name("main"), .limit = 5, .offset = 5};
    Q_OK(store_query_outgoing_calls(g_st, &a, &res, &e_));
    assert_int_equal(jlen(res, "callees"), 5);
    assert_int_equal(jint(res, "next_offset"), 10);
    assert_string_equal(jstr(res, "callees.0.symbol.qualified_name"), "outer::inner::add");
    json_decref(res);
}

static void test_call_path(void **state)
{
    json_t *res;
    struct store_path_args a = {.from = name("main"), .to = name("outer::deepns::square")};
    (void)state;

    /* shortest first: the direct call, then through cube */
    Q_OK(store_query_call_path(g_st, &a, &res, &e_));
    assert_true(jlen(res, "paths") >= 2);
    assert_int_equal(jlen(res, "paths.0"), 2);
    assert_string_equal(jstr(res, "paths.0.0.qualified_name"), "main");
    assert_null(jget(res, "paths.0.0.site"));
    assert_string_equal(jstr(res, "paths.0.1.qualified_name"), "outer::deepns::square");
    assert_int_equal(jint(res, "paths.0.1.site.line"), 38);
    assert_int_equal(jlen(res, "paths.1"), 3);
    assert_string_equal(jstr(res, "paths.1.1.qualified_name"), "outer::deepns::cube");
    assert_false(jtrue(res, "truncated"));
    json_decref(res);

    /* an overloaded end stands for all its overloads */
    a = (struct store_path_args){.from = name("main"), .to = name("geo::Sink::operator<<")};
    Q_OK(store_query_call_path(g_st, &a, &res, &e_));
    assert_int_equal(jlen(res, "to"), 2);
    assert_int_equal(jlen(res, "paths.0"), 2);
    assert_int_equal(jint(res, "paths.0.1.site.line"), 72);
    {
        /* main -> draw_all -> Shape::draw -> operator<< is among them */
        size_t i;
        json_t *p;
        bool found = false;
        json_array_foreach(jget(res, "paths"), i, p)
        {
            if (json_array_size(p) == 4 && !strcmp(jstr(p, "1.qualified_name"), "geo::draw_all") &&
                !strcmp(jstr(p, "2.qualified_name"), "geo::Shape::draw"))
                found = true;
        }
        assert_true(found);
    }
    json_decref(res);

    /* max_depth bounds the search; max_paths the answer */
    a = (struct store_path_args){
        .from = name("main"), .to = name("geo::Sink::operator<<"), .max_depth = 1};
    Q_OK(store_query_call_path(g_st, &a, &res, &e_));
    assert_int_equal(jlen(res, "paths"), 1);
    json_decref(res);
    a.max_depth = 0;
    a.max_paths = 2;
    Q_OK(store_query_call_path(g_st, &a, &res, &e_));
    assert_int_equal(jlen(res, "paths"), 2);
    json_decref(res);

    /* no way there; the same function; an ambiguous end */
    a = (struct store_path_args){.from = name("triple"), .to = name("main")};
    Q_OK(store_query_call_path(g_st, &a, &res, &e_));
    assert_int_equal(jlen(res, "paths"), 0);
    assert_non_null(jget(res, "hint"));
    json_decref(res);
    a = (struct store_path_args){.from = name("main"), .to = name("main")};
    Q_OK(store_query_call_path(g_st, &a, &res, &e_));
    assert_int_equal(jlen(res, "paths"), 1);
    assert_int_equal(jlen(res, "paths.0"), 1);
    json_decref(res);
    a = (struct store_path_args){.from = name("main"), .to = name("draw")};
    Q_OK(store_query_call_path(g_st, &a, &res, &e_));
    assert_true(jtrue(res, "ambiguous"));
    assert_string_equal(jstr(res, "argument"), "to");
    assert_int_equal(jlen(res, "candidates"), 2);
    json_decref(res);
}

/* ---- references --------------------------------------------------------------------------- */

static void expect_lines(json_t *res, const uint32_t *lines, size_t n)
{
    assert_int_equal(jlen(res, "references"), n);
    assert_int_equal(jint(res, "total"), n);
    for (size_t i = 0; i < n; i++) {
        char path[64];
        snprintf(path, sizeof(path), "references.%zu.location.line", i);
        assert_int_equal(jint(res, path), lines[i]);
    }
}

static void test_references(void **state)
{
    json_t *res;
    struct store_refs_args a = {.target = name("g_counter"), .roles = STORE_ROLE_WRITE};
    static const uint32_t writes[] = {43, 46}, addr[] = {45}, reads[] = {44, 46};
    (void)state;

    Q_OK(store_query_references(g_st, &a, &res, &e_));
    expect_lines(res, writes, 2);
    assert_string_equal(jstr(res, "references.0.role"), "write");
    assert_string_equal(jstr(res, "references.0.line_text"), "    g_counter = 5;");
    assert_string_equal(jstr(res, "references.0.context.qualified_name"), "main");
    assert_string_equal(jstr(res, "references.1.roles.0"), "read");
    assert_string_equal(jstr(res, "references.1.roles.1"), "write");
    json_decref(res);
    a.roles = store_role_parse("address");
    Q_OK(store_query_references(g_st, &a, &res, &e_));
    expect_lines(res, addr, 1);
    assert_string_equal(jstr(res, "references.0.role"), "address");
    json_decref(res);
    a.roles = store_role_parse("read");
    Q_OK(store_query_references(g_st, &a, &res, &e_));
    expect_lines(res, reads, 2);
    json_decref(res);

    /* every use: the extern declaration and the definition too, in file order */
    a.roles = 0;
    Q_OK(store_query_references(g_st, &a, &res, &e_));
    assert_int_equal(jint(res, "total"), 6);
    assert_string_equal(jstr(res, "references.0.location.file"), "include/util.h");
    assert_string_equal(jstr(res, "references.0.role"), "declaration");
    assert_string_equal(jstr(res, "references.0.line_text"), "extern int g_counter;");
    assert_string_equal(jstr(res, "references.5.role"), "definition");
    assert_string_equal(jstr(res, "references.5.location.file"), "src/util.cpp");
    json_decref(res);
    a.roles = STORE_ROLE_DECLARATION | STORE_ROLE_DEFINITION;
    Q_OK(store_query_references(g_st, &a, &res, &e_));
    assert_int_equal(jint(res, "total"), 2);
    json_decref(res);

    /* a file filter, and pages */
    a = (struct store_refs_args){.target = name("g_counter"), .file = "src/main.cpp", .limit = 3};
    Q_OK(store_query_references(g_st, &a, &res, &e_));
    assert_int_equal(jint(res, "total"), 4);
    assert_int_equal(jlen(res, "references"), 3);
    assert_int_equal(jint(res, "next_offset"), 3);
    json_decref(res);
    a.offset = 3;
    Q_OK(store_query_references(g_st, &a, &res, &e_));
    assert_int_equal(jlen(res, "references"), 1);
    assert_int_equal(jint(res, "references.0.location.line"), 46);
    json_decref(res);

    /* calls, types; a bare use (a namespace qualifier) is a "reference" */
    a = (struct store_refs_args){.target = name("triple"), .roles = STORE_ROLE_CALL};
    Q_OK(store_query_references(g_st, &a, &res, &e_));
    assert_int_equal(jint(res, "total"), 0);
    json_decref(res);
    a = (struct store_refs_args){
        .target = name("deep::Deep0"), .roles = STORE_ROLE_TYPE, .file = "main.cpp"};
    Q_OK(store_query_references(g_st, &a, &res, &e_));
    assert_int_equal(jint(res, "total"), 1);
    assert_int_equal(jint(res, "references.0.location.line"), 64);
    json_decref(res);
    a = (struct store_refs_args){.target = name("geo"), .file = "main.cpp", .limit = 1};
    Q_OK(store_query_references(g_st, &a, &res, &e_));
    assert_string_equal(jstr(res, "references.0.role"), "reference");
    assert_int_equal(jlen(res, "references.0.roles"), 0);
    json_decref(res);

    /* the café line: line text with UTF-8 as it is */
    a = (struct store_refs_args){.target = name("café"), .roles = STORE_ROLE_READ};
    Q_OK(store_query_references(g_st, &a, &res, &e_));
    assert_int_equal(jint(res, "total"), 2);
    assert_non_null(strstr(jstr(res, "references.0.line_text"), "café + outer::inner::add"));
    json_decref(res);
}

/* ---- get_source --------------------------------------------------------------------------- */

static void test_source(void **state)
{
    json_t *res;
    struct store_source_args a = {.target = name("geo::Shape::draw")};
    (void)state;

    Q_OK(store_query_source(g_st, &a, &res, &e_));
    assert_string_equal(jstr(res, "which"), "definition");
    assert_string_equal(jstr(res, "file"), "src/shapes.cpp");
    assert_int_equal(jint(res, "start_line"), 48);
    assert_int_equal(jint(res, "end_line"), 51);
    assert_string_equal(jstr(res, "text"),
                        "void Shape::draw(Sink &out) const\n{\n    out << \"shape\" << id();\n}\n");
    assert_false(jtrue(res, "stale"));
    assert_false(jtrue(res, "truncated"));
    assert_null(jget(res, "message"));
    json_decref(res);

    /* the declaration, with context lines */
    a.declaration = true;
    a.context_lines = 1;
    Q_OK(store_query_source(g_st, &a, &res, &e_));
    assert_string_equal(jstr(res, "which"), "declaration");
    assert_string_equal(jstr(res, "file"), "include/shapes.h");
    assert_int_equal(jint(res, "start_line"), 39);
    assert_int_equal(jint(res, "end_line"), 41);
    assert_non_null(strstr(jstr(res, "text"), "virtual void draw(Sink &out) const;"));
    json_decref(res);

    /* no definition: the declaration */
    a = (struct store_source_args){.target = name("geo::Shape::area")};
    Q_OK(store_query_source(g_st, &a, &res, &e_));
    assert_string_equal(jstr(res, "which"), "declaration");
    assert_string_equal(jstr(res, "text"), "    virtual double area() const = 0;\n");
    json_decref(res);

    {
        struct err e = {0};
        a.context_lines = 51;
        assert_int_equal(store_query_source(g_st, &a, &res, &e), ERR_INVALID);
    }
}

/* Last: edits a file of the project, then restores it. */
static void test_source_stale(void **state)
{
    char *path = path_join(g_root, "src/shapes.cpp"), *orig = NULL, *edited;
    size_t len = 0;
    struct err e = {0};
    json_t *res;
    struct store_source_args a = {.target = name("geo::Shape::draw")};
    (void)state;

    TU_OK(fs_read_file(&orig, &len, path, 1 << 20, &e), &e);
    edited = xasprintf("// one more line on top\n%s", orig);
    tu_write_bytes(path, edited, strlen(edited));
    Q_OK(store_query_source(g_st, &a, &res, &e_));
    assert_true(jtrue(res, "stale"));
    assert_non_null(strstr(jstr(res, "message"), "src/shapes.cpp"));
    assert_int_equal(jint(res, "start_line"), 48); /* the indexed lines, shifted text */
    assert_non_null(strstr(jstr(res, "text"), "void Shape::draw(Sink &out) const"));
    json_decref(res);

    /* the file gone: an error that says which file */
    unlink(path);
    assert_int_equal(store_query_source(g_st, &a, &res, &e), ERR_NOTFOUND);
    assert_non_null(strstr(e.msg, "src/shapes.cpp"));
    tu_write_bytes(path, orig, len);
    free(orig);
    free(edited);
    free(path);
}

/* ---- synthetic caches: cycles, placeholders, roots ---------------------------------------- */

/* A qualified name spelled out whole wins over longer names it is a suffix of. */
static void test_qualified_exact_wins(void **state)
{
    char *dir = tu_tmpdir("query-qual");
    struct store *st = tu_open(dir, 0);
    struct store_symbol syms[] = {
        {.usr = "c:@N@x@S@T",
         .name = "T",
         .scope = "x",
         .scope_kind = STORE_KIND_NAMESPACE,
         .kind = STORE_KIND_CLASS,
         .is_definition = true,
         .range = {1, 7, 1, 20}},
        {.usr = "c:@N@y@N@x@S@T",
         .name = "T",
         .scope = "y::x",
         .scope_kind = STORE_KIND_NAMESPACE,
         .kind = STORE_KIND_CLASS,
         .is_definition = true,
         .range = {2, 7, 2, 20}},
    };
    struct store_file_batch b = {
        .path = "/q/a.h", .is_project = true, .symbols = syms, .nsymbols = ARRAY_SIZE(syms)};
    struct err e = {0};
    json_t *res;
    (void)state;

    TU_OK(store_file_replace(st, &b, &e), &e);
    {
        struct store_target t = name("x::T");
        Q_OK(store_query_symbol_info(st, &t, &res, &e_));
        assert_null(jget(res, "ambiguous"));
        assert_string_equal(jstr(res, "usr"), "c:@N@x@S@T");
        json_decref(res);
    }
    {
        struct store_target t = name("T");
        Q_OK(store_query_symbol_info(st, &t, &res, &e_));
        assert_true(jtrue(res, "ambiguous"));
        json_decref(res);
    }
    {
        struct store_target t = name("y::x::T");
        Q_OK(store_query_symbol_info(st, &t, &res, &e_));
        assert_string_equal(jstr(res, "usr"), "c:@N@y@N@x@S@T");
        json_decref(res);
    }
    store_close(st);
    tu_rmtree(dir);
    free(dir);
}

static void test_cycles_and_placeholders(void **state)
{
    char *dir = tu_tmpdir("query-syn");
    struct store *st = tu_open(dir, 0);
    struct store_symbol syms[] = {
        {.usr = "c:@S@A",
         .name = "A",
         .kind = STORE_KIND_CLASS,
         .is_definition = true,
         .range = {1, 7, 1, 20}},
        {.usr = "c:@S@B",
         .name = "B",
         .kind = STORE_KIND_CLASS,
         .is_definition = true,
         .range = {2, 7, 2, 20}},
        {.usr = "c:@F@f#",
         .name = "f",
         .kind = STORE_KIND_FUNCTION,
         .is_definition = true,
         .range = {3, 6, 3, 30}},
        {.usr = "c:@F@g#",
         .name = "g",
         .kind = STORE_KIND_FUNCTION,
         .is_definition = true,
         .range = {4, 6, 4, 30}},
        {.usr = "c:@F@h#",
         .name = "h",
         .kind = STORE_KIND_FUNCTION,
         .is_definition = true,
         .range = {5, 6, 5, 30}},
        {.usr = "c:@S@A@F@m#",
         .name = "m",
         .scope = "A",
         .scope_kind = STORE_KIND_CLASS,
         .kind = STORE_KIND_METHOD,
         .attrs = STORE_ATTR_VIRTUAL,
         .is_definition = true,
         .range = {6, 6, 6, 30}},
        {.usr = "c:@S@B@F@m#",
         .name = "m",
         .scope = "B",
         .scope_kind = STORE_KIND_CLASS,
         .kind = STORE_KIND_METHOD,
         .attrs = STORE_ATTR_VIRTUAL,
         .is_definition = true,
         .range = {7, 6, 7, 30}},
        {.usr = "c:@F@bad#",
         .name = "bad\xff\xfe",
         .kind = STORE_KIND_FUNCTION,
         .is_definition = true,
         .range = {8, 6, 8, 30}},
    };
    struct store_ref refs[] = {
        /* f -> g -> f (a cycle), g -> h, h -> puts (a placeholder) */
        {.usr = "c:@F@g#",
         .context_usr = "c:@F@f#",
         .line = 3,
         .col = 10,
         .roles = STORE_ROLE_CALL},
        {.usr = "c:@F@f#",
         .context_usr = "c:@F@g#",
         .line = 4,
         .col = 10,
         .roles = STORE_ROLE_CALL},
        {.usr = "c:@F@h#",
         .context_usr = "c:@F@g#",
         .line = 4,
         .col = 20,
         .roles = STORE_ROLE_CALL},
        {.usr = "c:@F@puts",
         .target_name = "puts",
         .target_kind = STORE_KIND_FUNCTION,
         .context_usr = "c:@F@h#",
         .line = 5,
         .col = 10,
         .roles = STORE_ROLE_CALL},
        {.usr = "c:@S@A@F@m#",
         .context_usr = "c:@F@bad#",
         .line = 8,
         .col = 10,
         .roles = STORE_ROLE_CALL | STORE_ROLE_VIRTUAL},
    };
    /* A : B and B : A; A::m overrides B::m and B::m overrides A::m (only a broken index) */
    struct store_base bases[] = {
        {.derived_usr = "c:@S@A",
         .base_usr = "c:@S@B",
         .access = STORE_ACCESS_PUBLIC,
         .line = 1,
         .col = 12},
        {.derived_usr = "c:@S@B",
         .base_usr = "c:@S@A",
         .access = STORE_ACCESS_PUBLIC,
         .line = 2,
         .col = 12},
    };
    struct store_override ovr[] = {
        {.usr = "c:@S@A@F@m#", .overridden_usr = "c:@S@B@F@m#"},
        {.usr = "c:@S@B@F@m#", .overridden_usr = "c:@S@A@F@m#"},
    };
    struct store_file_batch b = {.path = "/syn/src/a.cpp",
                                 .is_project = true,
                                 .symbols = syms,
                                 .nsymbols = ARRAY_SIZE(syms),
                                 .refs = refs,
                                 .nrefs = ARRAY_SIZE(refs),
                                 .bases = bases,
                                 .nbases = ARRAY_SIZE(bases),
                                 .overrides = ovr,
                                 .noverrides = ARRAY_SIZE(ovr)};
    struct err e = {0};
    json_t *res;
    (void)state;

    TU_OK(store_file_replace(st, &b, &e), &e);
    TU_OK(store_meta_set(st, "project_root", "/syn", &e), &e);

    /* a cycle of bases ends: two nodes, each the other's base and derived */
    {
        struct store_hierarchy_args a = {.target = name("A")};
        Q_OK(store_query_class_hierarchy(st, &a, &res, &e_));
        assert_int_equal(jlen(res, "nodes"), 2);
        assert_string_equal(jstr(res, "nodes.A.bases.0"), "B");
        assert_string_equal(jstr(res, "nodes.A.derived.0"), "B");
        assert_string_equal(jstr(res, "nodes.B.location.file"), "src/a.cpp");
        json_decref(res);
    }
    /* a cycle of overrides ends too */
    {
        struct store_calls_args a = {.target = {.usr = "c:@S@B@F@m#"}};
        Q_OK(store_query_incoming_calls(st, &a, &res, &e_));
        assert_int_equal(jint(res, "total"), 1);
        assert_string_equal(jstr(res, "callers.0.sites.0.via"), "A::m");
        /* bad UTF-8 in a name comes out repaired */
        assert_string_equal(jstr(res, "callers.0.symbol.name"), "bad\xEF\xBF\xBD\xEF\xBF\xBD");
        json_decref(res);
    }
    /* a call cycle: paths stay simple */
    {
        struct store_path_args a = {.from = name("f"), .to = name("h")};
        Q_OK(store_query_call_path(st, &a, &res, &e_));
        assert_int_equal(jlen(res, "paths"), 1);
        assert_int_equal(jlen(res, "paths.0"), 3);
        assert_string_equal(jstr(res, "paths.0.1.qualified_name"), "g");
        assert_int_equal(jint(res, "paths.0.2.site.column"), 20);
        json_decref(res);
        a = (struct store_path_args){.from = name("g"), .to = name("g")};
        Q_OK(store_query_call_path(st, &a, &res, &e_));
        assert_int_equal(jlen(res, "paths.0"), 1);
        json_decref(res);
    }
    /* placeholders: by name only with scope all, by usr always */
    {
        struct store_calls_args a = {.target = name("puts")};
        Q_OK(store_query_incoming_calls(st, &a, &res, &e_));
        assert_true(json_is_null(jget(res, "target")));
        assert_non_null(jget(res, "hint"));
        json_decref(res);
        a.target.all_scopes = true;
        Q_OK(store_query_incoming_calls(st, &a, &res, &e_));
        assert_string_equal(jstr(res, "target.usr"), "c:@F@puts");
        assert_true(json_is_null(jget(res, "target.location")));
        assert_string_equal(jstr(res, "callers.0.symbol.qualified_name"), "h");
        json_decref(res);
        a.target = (struct store_target){.usr = "c:@F@puts"};
        Q_OK(store_query_incoming_calls(st, &a, &res, &e_));
        assert_int_equal(jint(res, "total"), 1);
        json_decref(res);
    }
    /* another root for relative paths, or none */
    {
        struct store_target t = name("f");
        TU_OK(store_query_set_root(st, "/syn/src/", &e), &e);
        Q_OK(store_query_resolve(st, &t, &res, &e_));
        assert_string_equal(jstr(res, "symbol.location.file"), "a.cpp");
        json_decref(res);
        TU_OK(store_query_set_root(st, "/elsewhere", &e), &e);
        Q_OK(store_query_resolve(st, &t, &res, &e_));
        assert_string_equal(jstr(res, "symbol.location.file"), "/syn/src/a.cpp");
        json_decref(res);
        TU_OK(store_query_set_root(st, NULL, &e), &e);
        Q_OK(store_query_resolve(st, &t, &res, &e_));
        assert_string_equal(jstr(res, "symbol.location.file"), "src/a.cpp");
        json_decref(res);
    }
    /* a source that is not on disk */
    {
        struct store_source_args a = {.target = name("f")};
        assert_int_equal(store_query_source(st, &a, &res, &e), ERR_NOTFOUND);
        assert_null(res);
    }
    tu_assert_healthy(st);
    store_close(st);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_symbol_info_class),
        cmocka_unit_test(test_symbol_info_function),
        cmocka_unit_test(test_symbol_info_enum_typedef),
        cmocka_unit_test(test_outline),
        cmocka_unit_test(test_hierarchy),
        cmocka_unit_test(test_incoming_calls),
        cmocka_unit_test(test_outgoing_calls),
        cmocka_unit_test(test_call_path),
        cmocka_unit_test(test_references),
        cmocka_unit_test(test_source),
        cmocka_unit_test(test_source_stale),
        cmocka_unit_test(test_qualified_exact_wins),
        cmocka_unit_test(test_cycles_and_placeholders),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
