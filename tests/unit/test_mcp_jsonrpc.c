/*
 * test_mcp_jsonrpc.c - the mcp module's pieces without a server: the bounded line reader (fed
 * in chunks of every size), the message decoder, the UTF-8 check, the argument checker, the
 * path resolver that keeps tools inside the project, and the built-in tool schemas.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "mcp/mcp_int.h"
#include "testutil.h"

/* ---- the line reader ---- */

struct feed {
    const char *data;
    size_t len, pos, chunk;
};

static long feed_read(void *ctx, void *buf, size_t n)
{
    struct feed *f = ctx;
    size_t k = f->len - f->pos;
    if (k > n)
        k = n;
    if (k > f->chunk)
        k = f->chunk;
    memcpy(buf, f->data + f->pos, k);
    f->pos += k;
    return (long)k;
}

/* Runs the reader over data with the given chunk size and cap; returns a description of
 * what it saw: "L:text|" for lines, "T|" for skipped long lines. */
static char *read_all(const char *data, size_t len, size_t chunk, size_t max)
{
    struct feed f = {data, len, 0, chunk};
    struct mcp_reader r;
    struct strbuf sb = STRBUF_INIT;
    const char *line;
    size_t n;
    enum mcp_read_status st;
    mcp_reader_init(&r, max, feed_read, &f);
    while ((st = mcp_reader_next(&r, &line, &n)) != MCP_READ_END) {
        assert_int_not_equal(st, MCP_READ_ERROR);
        if (st == MCP_READ_LINE) {
            strbuf_adds(&sb, "L:");
            strbuf_add(&sb, line, n);
            strbuf_addch(&sb, '|');
        } else {
            strbuf_adds(&sb, "T|");
        }
        /* the reader never holds much more than the cap */
        assert_true(r.cap <= max + (128u << 10) || r.cap <= (128u << 10));
    }
    mcp_reader_release(&r);
    return strbuf_detach(&sb, NULL);
}

static void test_reader_lines(void **state)
{
    static const size_t chunks[] = {1, 2, 3, 7, 64, 65536};
    const char *in = "one\ntwo\r\n\nfour is longer than the cap\nfive\nlast";
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(chunks); i++) {
        char *got = read_all(in, strlen(in), chunks[i], 10);
        assert_string_equal(got, "L:one|L:two|L:|T|L:five|L:last|");
        free(got);
    }
}

static void test_reader_long_lines(void **state)
{
    size_t max = 1000, n = 300000;
    char *big = xmalloc(n + 64);
    char *got;
    (void)state;
    memset(big, 'x', n);
    memcpy(big + n, "\nok\n", 5);
    got = read_all(big, n + 4, 65536, max);
    assert_string_equal(got, "T|L:ok|");
    free(got);
    /* a long line at the very end, without a newline */
    got = read_all(big, n, 4096, max);
    assert_string_equal(got, "T|");
    free(got);
    /* exactly the cap is a line, one more byte is not */
    big[max] = '\n';
    got = read_all(big, max + 1, 100, max);
    assert_int_equal(strlen(got), max + 3);
    free(got);
    big[max] = 'x';
    big[max + 1] = '\n';
    got = read_all(big, max + 2, 100, max);
    assert_string_equal(got, "T|");
    free(got);
    free(big);
}

/* ---- messages ---- */

static void parse_expect(const char *line, enum mcp_msg_kind kind, int code)
{
    struct mcp_msg m;
    mcp_msg_parse(&m, line, strlen(line));
    if (m.kind != kind || (kind == MCP_MSG_INVALID && m.code != code))
        fail_msg("'%s': kind %d code %d (%s), expected kind %d code %d", line, m.kind, m.code,
                 m.message, kind, code);
    mcp_msg_release(&m);
}

static void test_msg_parse(void **state)
{
    struct mcp_msg m;
    (void)state;
    parse_expect("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", MCP_MSG_REQUEST, 0);
    parse_expect("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"x\",\"params\":{}}",
                 MCP_MSG_REQUEST, 0);
    parse_expect("{\"jsonrpc\":\"2.0\",\"method\":\"n\"}", MCP_MSG_NOTIFICATION, 0);
    parse_expect("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}", MCP_MSG_RESPONSE, 0);
    parse_expect("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{}}", MCP_MSG_RESPONSE, 0);
    parse_expect("", MCP_MSG_INVALID, MCP_ERR_PARSE);
    parse_expect("{", MCP_MSG_INVALID, MCP_ERR_PARSE);
    parse_expect("[]", MCP_MSG_INVALID, MCP_ERR_INVALID_REQUEST);
    parse_expect("3", MCP_MSG_INVALID, MCP_ERR_INVALID_REQUEST);
    parse_expect("{\"id\":1,\"method\":\"m\"}", MCP_MSG_INVALID, MCP_ERR_INVALID_REQUEST);
    parse_expect("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"m\"}", MCP_MSG_INVALID,
                 MCP_ERR_INVALID_REQUEST);
    parse_expect("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"m\"}", MCP_MSG_INVALID,
                 MCP_ERR_INVALID_REQUEST);
    parse_expect("{\"jsonrpc\":\"2.0\",\"id\":1}", MCP_MSG_INVALID, MCP_ERR_INVALID_REQUEST);
    parse_expect("{\"jsonrpc\":\"2.0\",\"method\":\"\xff\"}", MCP_MSG_INVALID, MCP_ERR_PARSE);
    /* the id of an invalid request is kept when it is usable */
    mcp_msg_parse(&m, "{\"id\":\"k\",\"method\":\"m\"}", 23);
    assert_int_equal(m.kind, MCP_MSG_INVALID);
    assert_string_equal(json_string_value(m.id), "k");
    mcp_msg_release(&m);
    /* params that are not an object are flagged, not fatal */
    {
        const char *line = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"m\",\"params\":[1]}";
        mcp_msg_parse(&m, line, strlen(line));
    }
    assert_int_equal(m.kind, MCP_MSG_REQUEST);
    assert_true(m.bad_params);
    mcp_msg_release(&m);
}

static void test_utf8(void **state)
{
    size_t bad = 0;
    (void)state;
    assert_true(mcp_utf8_valid("plain ascii", 11, NULL));
    assert_true(mcp_utf8_valid("\xC3\xA9\xE2\x9C\x93\xF0\x9F\x98\x80", 9, NULL));
    assert_false(mcp_utf8_valid("ab\x80", 3, &bad));
    assert_int_equal(bad, 2);
    assert_false(mcp_utf8_valid("\xC0\xAF", 2, NULL));         /* overlong */
    assert_false(mcp_utf8_valid("\xE0\x80\xAF", 3, NULL));     /* overlong */
    assert_false(mcp_utf8_valid("\xED\xA0\x80", 3, NULL));     /* surrogate */
    assert_false(mcp_utf8_valid("\xF4\x90\x80\x80", 4, NULL)); /* past U+10FFFF */
    assert_false(mcp_utf8_valid("\xE2\x82", 2, NULL));         /* truncated */
}

/* ---- arguments ---- */

static void check_args(const char *schema, const char *args, const char *want)
{
    json_t *s = mcp_schema_parse(schema), *a = json_loads(args, 0, NULL);
    struct err e = {0};
    int rc = mcp_schema_check(s, a, "", &e);
    if (!want)
        assert_int_equal(rc, 0);
    else if (rc == 0 || !strstr(e.msg, want))
        fail_msg("%s: got '%s', expected a message with '%s'", args, rc ? e.msg : "ok", want);
    json_decref(s);
    json_decref(a);
}

static void test_schema_check(void **state)
{
    const char *s = "{'type':'object','properties':{'n':{'type':'integer','minimum':1,'maximum':"
                    "10},'k':{'type':'array','items':{'type':'string','enum':['a','b']}},'s':"
                    "{'type':'string','minLength':1},'o':{'type':['object','null']}},"
                    "'required':['n'],'additionalProperties':false}";
    (void)state;
    check_args(s, "{\"n\":5}", NULL);
    check_args(s, "{\"n\":5.0}", NULL);
    check_args(s, "{\"n\":5,\"k\":[\"a\",\"b\"],\"s\":\"x\",\"o\":null}", NULL);
    check_args(s, "{}", "'n' is required");
    check_args(s, "{\"n\":\"5\"}", "'n' must be an integer (got a string)");
    check_args(s, "{\"n\":0}", "'n' must be at least 1");
    check_args(s, "{\"n\":11}", "'n' must be at most 10");
    check_args(s, "{\"n\":1.5}", "'n' must be an integer");
    check_args(s, "{\"n\":1e300}", "'n' must be an integer");
    check_args(s, "{\"n\":1,\"k\":[\"a\",\"c\"]}", "'k[1]' must be one of: a, b");
    check_args(s, "{\"n\":1,\"s\":\"\"}", "'s' must not be empty");
    check_args(s, "{\"n\":1,\"o\":3}", "'o' must be an object or null");
    check_args(s, "{\"n\":1,\"zz\":3}", "unknown argument 'zz'");
}

static void test_tool_schemas(void **state)
{
    (void)state;
    assert_int_equal(mcp_ntools, 12);
    for (size_t i = 0; i < mcp_ntools; i++) {
        json_t *in = mcp_tool_input_schema(i), *out = mcp_tool_output_schema(i);
        size_t k;
        assert_string_equal(json_string_value(json_object_get(in, "type")), "object");
        assert_string_equal(json_string_value(json_object_get(out, "type")), "object");
        assert_true(json_is_object(json_object_get(in, "properties")));
        assert_null(json_object_get(in, "anyOf")); /* some clients refuse top-level anyOf */
        assert_ptr_equal(mcp_tool_find(mcp_tools[i]->name, &k), mcp_tools[i]);
        assert_int_equal(k, i);
        if (mcp_tools[i]->flags & MCP_TOOL_QUERY) {
            assert_non_null(json_object_get(json_object_get(in, "properties"), "wait_seconds"));
            assert_non_null(json_object_get(json_object_get(out, "properties"), "partial"));
        }
        json_decref(in);
        json_decref(out);
    }
    {
        struct strbuf md = STRBUF_INIT;
        mcp_tools_markdown(&md);
        for (size_t i = 0; i < mcp_ntools; i++) {
            char h[64];
            snprintf(h, sizeof(h), "\n## %s\n", mcp_tools[i]->name);
            assert_non_null(strstr(md.buf, h));
        }
        strbuf_release(&md);
    }
}

/* ---- paths ---- */

static void resolve_ok(const char *root, const char *path, const char *want)
{
    char *out = NULL;
    struct err e = {0};
    if (mcp_path_resolve(&out, root, path, &e) != 0)
        fail_msg("'%s' in '%s': %s", path, root, e.msg);
    assert_string_equal(out, want);
    free(out);
}

static void resolve_refused(const char *root, const char *path)
{
    char *out = NULL;
    struct err e = {0};
    if (mcp_path_resolve(&out, root, path, &e) == 0)
        fail_msg("'%s' in '%s' was accepted as '%s'", path, root, out);
    assert_null(out);
    assert_int_equal(e.code, ERR_INVALID);
}

static void test_path_resolve(void **state)
{
    char *tmp = tu_tmpdir("mcp-path"), *base = path_real(tmp);
    char *root = path_join(base, "proj"), *outside = path_join(base, "outside");
    char *p, *want;
    (void)state;
    assert_int_equal(fs_mkdir_p(root, NULL), 0);
    assert_int_equal(fs_mkdir_p(outside, NULL), 0);
    p = path_join(root, "src");
    assert_int_equal(fs_mkdir_p(p, NULL), 0);
    free(p);
    p = path_join(root, "src/a.cpp");
    assert_int_equal(fs_write_file_atomic(p, "x", 1, NULL), 0);
    free(p);
    p = path_join(outside, "secret.h");
    assert_int_equal(fs_write_file_atomic(p, "x", 1, NULL), 0);
    free(p);
    /* symlinks out of the project: to a file, to a directory */
    p = path_join(root, "link.h");
    want = path_join(outside, "secret.h");
    assert_int_equal(symlink(want, p), 0);
    free(p);
    free(want);
    p = path_join(root, "src/out");
    assert_int_equal(symlink(outside, p), 0);
    free(p);
    /* and one that stays inside */
    p = path_join(root, "inner");
    assert_int_equal(symlink("src", p), 0);
    free(p);
    /* a sibling whose name starts like the root */
    p = xasprintf("%s2", root);
    assert_int_equal(fs_mkdir_p(p, NULL), 0);
    free(p);

    want = path_join(root, "src/a.cpp");
    resolve_ok(root, "src/a.cpp", want);
    resolve_ok(root, want, want);
    resolve_ok(root, "./src//a.cpp", want);
    resolve_ok(root, "src/../src/a.cpp", want);
    resolve_ok(root, "inner/a.cpp", want);
    free(want);
    resolve_ok(root, ".", root);
    want = path_join(root, "src/gone/new.cpp"); /* missing files are placed, not refused */
    resolve_ok(root, "src/gone/new.cpp", want);
    free(want);

    resolve_refused(root, "");
    resolve_refused(root, "..");
    resolve_refused(root, "../outside/secret.h");
    resolve_refused(root, "src/../../outside/secret.h");
    resolve_refused(root, "/etc/passwd");
    resolve_refused(root, "link.h");
    resolve_refused(root, "src/out/secret.h");
    resolve_refused(root, "src/out");
    resolve_refused(root, "src/gone/../../../outside/secret.h");
    resolve_refused(root, "missing/../../outside");
    p = xasprintf("%s2/x.cpp", root);
    resolve_refused(root, p);
    free(p);
    want = path_join(outside, "secret.h");
    resolve_refused(root, want);
    free(want);

    free(root);
    free(outside);
    free(base);
    tu_rmtree(tmp);
    free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reader_lines), cmocka_unit_test(test_reader_long_lines),
        cmocka_unit_test(test_msg_parse),    cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_schema_check), cmocka_unit_test(test_tool_schemas),
        cmocka_unit_test(test_path_resolve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
