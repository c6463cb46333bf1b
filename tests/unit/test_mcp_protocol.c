/*
 * test_mcp_protocol.c - the raw protocol suite: `cidx serve` spawned with pipes and fed bytes a
 * well-behaved client would never send (malformed JSON, batches, huge lines, bad UTF-8, deep
 * nesting, odd ids, notifications, bad tool calls). Every case checks the answer (or that there
 * is none) and that a ping afterwards is still answered. No sleeps: an answer that must not come
 * is shown absent by the answers to later messages that the server handles after it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "testutil.h"

/* A safety net only: an answer that takes this long means the server is stuck. */
#define STUCK_MS 120000

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

struct srv {
    pid_t pid;
    int in, out;
    struct strbuf buf;
    char *dir;
    int next_ping;
};

/* Starts `cidx serve [arg]` with an extra environment variable (both may be NULL). */
static void srv_start_full(struct srv *s, const char *extra_env, const char *arg)
{
    const char *bin = getenv("CIDX_BIN");
    int in[2], out[2];
    char *cache, *errlog;

    if (!bin)
        fail_msg("CIDX_BIN is not set (run through ctest)");
    memset(s, 0, sizeof(*s));
    strbuf_init(&s->buf, 0);
    s->dir = tu_tmpdir("mcp-proto");
    cache = path_join(s->dir, "cache");
    errlog = path_join(s->dir, "stderr.log");
    if (pipe(in) != 0 || pipe(out) != 0)
        fail_msg("pipe: %s", strerror(errno));
    s->pid = fork();
    if (s->pid == 0) {
        int efd = open(errlog, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(efd, 2);
        close(in[1]);
        close(out[0]);
        setenv("CLANG_INDEX_CACHE_DIR", cache, 1);
        if (extra_env)
            putenv((char *)extra_env);
        execl(bin, bin, "serve", arg, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    s->in = in[1];
    s->out = out[0];
    free(cache);
    free(errlog);
}

static void srv_start_env(struct srv *s, const char *extra_env)
{
    srv_start_full(s, extra_env, NULL);
}

static void srv_start(struct srv *s)
{
    srv_start_env(s, NULL);
}

static void srv_send(struct srv *s, const char *data, size_t n)
{
    while (n > 0) {
        ssize_t w = write(s->in, data, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            fail_msg("write to the server: %s", strerror(errno));
        data += w;
        n -= (size_t)w;
    }
}

static void srv_sendf(struct srv *s, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void srv_sendf(struct srv *s, const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    strbuf_addch(&sb, '\n');
    srv_send(s, sb.buf, sb.len);
    strbuf_release(&sb);
}

/* The next message from the server: one line, a JSON-RPC 2.0 object (anything else on stdout
 * fails the test). NULL at end of stream. */
static json_t *srv_recv(struct srv *s)
{
    for (;;) {
        char *nl = memchr(s->buf.buf, '\n', s->buf.len);
        char chunk[65536];
        struct pollfd p = {s->out, POLLIN, 0};
        ssize_t n;
        if (nl) {
            json_error_t je;
            size_t len = (size_t)(nl - s->buf.buf);
            json_t *v = json_loadb(s->buf.buf, len, 0, &je);
            if (!v || !json_is_object(v) ||
                strcmp(or_empty(json_string_value(json_object_get(v, "jsonrpc"))), "2.0") != 0)
                fail_msg("the server wrote a line that is not a JSON-RPC message: %.200s",
                         s->buf.buf);
            memmove(s->buf.buf, nl + 1, s->buf.len - len - 1);
            s->buf.len -= len + 1;
            s->buf.buf[s->buf.len] = 0;
            return v;
        }
        if (poll(&p, 1, STUCK_MS) == 0)
            fail_msg("no answer from the server in %d ms", STUCK_MS);
        n = read(s->out, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return NULL;
        strbuf_add(&s->buf, chunk, (size_t)n);
    }
}

/*
 * Reads messages until there is one answer for each id (JSON texts: "1", "\"a\"", "null") and
 * returns them in that order (a new array). Notifications are skipped when allow_notes (and
 * appended to *notes when given); any other message fails the test.
 */
static json_t *srv_answers(struct srv *s, bool allow_notes, json_t **notes, int nids, ...)
{
    json_t *want[16], *got = json_array();
    bool seen[16] = {false};
    int left = nids;
    va_list ap;

    assert_true(nids <= 16);
    va_start(ap, nids);
    for (int i = 0; i < nids; i++) {
        const char *t = va_arg(ap, const char *);
        want[i] = json_loads(t, JSON_DECODE_ANY, NULL);
        assert_non_null(want[i]);
        json_array_append_new(got, json_null());
    }
    va_end(ap);
    while (left > 0) {
        json_t *m = srv_recv(s), *id;
        int k = -1;
        if (!m)
            fail_msg("the server closed its output with %d answer(s) missing", left);
        if (json_object_get(m, "method") && !json_object_get(m, "id")) {
            if (!allow_notes)
                fail_msg("unexpected notification: %s",
                         json_string_value(json_object_get(m, "method")));
            if (notes)
                json_array_append(*notes, m);
            json_decref(m);
            continue;
        }
        id = json_object_get(m, "id");
        for (int i = 0; i < nids; i++)
            if (!seen[i] && id && json_equal(id, want[i])) {
                k = i;
                break;
            }
        if (k < 0) {
            char *d = json_dumps(m, JSON_COMPACT);
            fail_msg("unexpected message: %.300s", d);
        }
        seen[k] = true;
        left--;
        json_array_set(got, (size_t)k, m);
        json_decref(m);
    }
    for (int i = 0; i < nids; i++)
        json_decref(want[i]);
    return got;
}

static int error_code(const json_t *m)
{
    const json_t *e = json_object_get(m, "error");
    if (!e)
        fail_msg("expected an error, got a result: %s", or_empty(json_dumps(m, JSON_COMPACT)));
    return (int)json_integer_value(json_object_get(e, "code"));
}

static const char *error_message(const json_t *m)
{
    return or_empty(json_string_value(json_object_get(json_object_get(m, "error"), "message")));
}

/* Sends a ping and checks its answer. */
static void ping_ok(struct srv *s)
{
    char id[32];
    json_t *a;
    snprintf(id, sizeof(id), "\"ping-%d\"", ++s->next_ping);
    srv_sendf(s, "{\"jsonrpc\":\"2.0\",\"id\":%s,\"method\":\"ping\"}", id);
    a = srv_answers(s, true, NULL, 1, id);
    assert_non_null(json_object_get(json_array_get(a, 0), "result"));
    json_decref(a);
}

/* Sends line, expects one error answer with id (JSON text) and code, then a working ping. */
static void expect_error(struct srv *s, const char *line, const char *id, int code)
{
    json_t *a;
    srv_sendf(s, "%s", line);
    a = srv_answers(s, false, NULL, 1, id);
    if (error_code(json_array_get(a, 0)) != code)
        fail_msg("'%.120s': expected code %d, got %d (%s)", line, code,
                 error_code(json_array_get(a, 0)), error_message(json_array_get(a, 0)));
    json_decref(a);
    ping_ok(s);
}

static void srv_init(struct srv *s)
{
    json_t *a;
    srv_sendf(s, "{\"jsonrpc\":\"2.0\",\"id\":\"init\",\"method\":\"initialize\",\"params\":{"
                 "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{"
                 "\"name\":\"raw\",\"version\":\"1\"}}}");
    a = srv_answers(s, false, NULL, 1, "\"init\"");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(a, 0), "result"), "protocolVersion")),
                        "2025-11-25");
    json_decref(a);
    srv_sendf(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
}

/* Closes the input and checks that the server exits with status 0. */
static void srv_finish(struct srv *s)
{
    int status = 0;
    json_t *m;
    if (s->in >= 0)
        close(s->in);
    s->in = -1;
    while ((m = srv_recv(s)) != NULL) /* whatever is left must still be protocol */
        json_decref(m);
    assert_int_equal(waitpid(s->pid, &status, 0), s->pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    close(s->out);
    strbuf_release(&s->buf);
    tu_rmtree(s->dir);
    free(s->dir);
}

/* ---- cases ---- */

static void test_before_initialize(void **state)
{
    struct srv s;
    json_t *a;
    (void)state;
    srv_start(&s);
    ping_ok(&s);
    expect_error(&s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}", "1", -32600);
    expect_error(&s,
                 "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":"
                 "\"get_server_status\"}}",
                 "2", -32600);
    srv_init(&s);
    srv_sendf(&s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}");
    a = srv_answers(&s, false, NULL, 1, "3");
    assert_int_equal(
        json_array_size(json_object_get(json_object_get(json_array_get(a, 0), "result"), "tools")),
        12);
    json_decref(a);
    /* a second initialize is refused; the session goes on */
    expect_error(&s,
                 "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"initialize\",\"params\":{"
                 "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{}}}",
                 "4", -32600);
    srv_finish(&s);
}

static void test_version_negotiation(void **state)
{
    static const char *const cases[][2] = {
        {"2025-11-25", "2025-11-25"}, {"2025-06-18", "2025-06-18"}, {"2025-03-26", "2025-03-26"},
        {"2024-11-05", "2024-11-05"}, {"1999-01-01", "2025-11-25"}, {"2099-12-31", "2025-11-25"},
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct srv s;
        json_t *a, *tools;
        const json_t *first;
        srv_start(&s);
        srv_sendf(&s,
                  "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
                  "\"protocolVersion\":\"%s\",\"capabilities\":{},\"clientInfo\":{\"name\":"
                  "\"raw\",\"version\":\"1\"}}}",
                  cases[i][0]);
        a = srv_answers(&s, false, NULL, 1, "1");
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(json_array_get(a, 0), "result"),
                                              "protocolVersion")),
            cases[i][1]);
        json_decref(a);
        srv_sendf(&s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
        a = srv_answers(&s, false, NULL, 1, "2");
        tools = json_object_get(json_object_get(json_array_get(a, 0), "result"), "tools");
        first = json_array_get(tools, 0);
        /* outputSchema exists from 2025-06-18 on */
        assert_int_equal(json_object_get(first, "outputSchema") != NULL,
                         strcmp(cases[i][1], "2025-06-18") >= 0);
        json_decref(a);
        srv_finish(&s);
    }
    {
        struct srv s;
        srv_start(&s);
        expect_error(&s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}",
                     "1", -32602);
        srv_finish(&s);
    }
}

static void test_malformed(void **state)
{
    struct srv s;
    (void)state;
    srv_start(&s);
    srv_init(&s);
    expect_error(&s, "{\"jsonrpc\":", "null", -32700);
    expect_error(&s, "not json at all", "null", -32700);
    expect_error(&s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"} trailing", "null", -32700);
    expect_error(&s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p\\u0000\"}", "null", -32700);
    expect_error(&s, "42", "null", -32600);
    expect_error(&s, "\"a string\"", "null", -32600);
    expect_error(&s, "null", "null", -32600);
    expect_error(&s, "true", "null", -32600);
    expect_error(&s, "{}", "null", -32600);
    expect_error(&s, "{\"id\":7,\"method\":\"ping\"}", "7", -32600);
    expect_error(&s, "{\"jsonrpc\":\"1.0\",\"id\":8,\"method\":\"ping\"}", "8", -32600);
    expect_error(&s, "{\"jsonrpc\":2,\"id\":9,\"method\":\"ping\"}", "9", -32600);
    expect_error(&s, "{\"jsonrpc\":\"2.0\",\"id\":10}", "10", -32600);
    expect_error(&s, "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":42}", "11", -32600);
    expect_error(&s, "{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"no/such/method\"}", "12", -32601);
    expect_error(&s, "{\"jsonrpc\":\"2.0\",\"id\":13,\"method\":\"resources/list\"}", "13", -32601);
    expect_error(&s, "{\"jsonrpc\":\"2.0\",\"id\":14,\"method\":\"tools/list\",\"params\":[1]}",
                 "14", -32602);
    expect_error(&s,
                 "{\"jsonrpc\":\"2.0\",\"id\":15,\"method\":\"tools/list\",\"params\":{\"cursor\":"
                 "\"bogus\"}}",
                 "15", -32602);
    expect_error(&s,
                 "{\"jsonrpc\":\"2.0\",\"id\":16,\"method\":\"logging/setLevel\",\"params\":{"
                 "\"level\":\"verbose\"}}",
                 "16", -32602);
    /* batches are not part of MCP since 2025-06-18 */
    expect_error(&s, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", "null", -32600);
    expect_error(&s, "[]", "null", -32600);
    /* invalid UTF-8: a stray continuation byte, an overlong, a surrogate, a truncated one */
    expect_error(&s, "{\"jsonrpc\":\"2.0\",\"id\":20,\"method\":\"p\x80\"}", "null", -32700);
    expect_error(&s, "{\"jsonrpc\":\"2.0\",\"id\":21,\"method\":\"\xC0\xAF\"}", "null", -32700);
    expect_error(&s, "{\"jsonrpc\":\"2.0\",\"id\":22,\"method\":\"\xED\xA0\x80\"}", "null", -32700);
    expect_error(&s, "{\"jsonrpc\":\"2.0\",\"id\":23,\"method\":\"\xE2\x82\"}", "null", -32700);
    /* blank lines and a carriage return before the newline are fine */
    srv_sendf(&s, "\n   \n\t");
    srv_sendf(&s, "{\"jsonrpc\":\"2.0\",\"id\":\"cr\",\"method\":\"ping\"}\r");
    json_decref(srv_answers(&s, false, NULL, 1, "\"cr\""));
    ping_ok(&s);
    srv_finish(&s);
}

static void test_deep_nesting(void **state)
{
    struct srv s;
    struct strbuf sb = STRBUF_INIT;
    size_t depth = 100000;
    (void)state;
    srv_start(&s);
    srv_init(&s);
    for (size_t i = 0; i < depth; i++)
        strbuf_addch(&sb, '[');
    for (size_t i = 0; i < depth; i++)
        strbuf_addch(&sb, ']');
    expect_error(&s, sb.buf, "null", -32700);
    strbuf_reset(&sb);
    strbuf_adds(&sb, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\",\"params\":{\"a\":");
    for (size_t i = 0; i < depth; i++)
        strbuf_adds(&sb, "{\"a\":");
    strbuf_adds(&sb, "1");
    for (size_t i = 0; i < depth + 2; i++)
        strbuf_addch(&sb, '}');
    expect_error(&s, sb.buf, "null", -32700);
    strbuf_release(&sb);
    srv_finish(&s);
}

static void test_ids(void **state)
{
    static const char *const good[] = {"0",
                                       "1",
                                       "-5",
                                       "9007199254740993",
                                       "9223372036854775807",
                                       "\"\"",
                                       "\"abc\"",
                                       "\"ünïcødé ✓\"",
                                       "\"1\""};
    static const char *const bad[] = {"null", "1.5", "true", "{}", "[1]"};
    struct srv s;
    (void)state;
    srv_start(&s);
    srv_init(&s);
    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        json_t *a;
        srv_sendf(&s, "{\"jsonrpc\":\"2.0\",\"id\":%s,\"method\":\"tools/list\"}", good[i]);
        a = srv_answers(&s, false, NULL, 1, good[i]);
        assert_non_null(json_object_get(json_array_get(a, 0), "result"));
        json_decref(a);
        srv_sendf(&s, "{\"jsonrpc\":\"2.0\",\"id\":%s,\"method\":\"ping\"}", good[i]);
        json_decref(srv_answers(&s, false, NULL, 1, good[i]));
    }
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char line[200];
        snprintf(line, sizeof(line), "{\"jsonrpc\":\"2.0\",\"id\":%s,\"method\":\"ping\"}", bad[i]);
        expect_error(&s, line, "null", -32600);
    }
    srv_finish(&s);
}

static void test_big_lines(void **state)
{
    struct srv s;
    struct strbuf sb = STRBUF_INIT;
    json_t *a;
    (void)state;
    srv_start(&s);
    srv_init(&s);
    /* 10 MiB: read, parsed and answered */
    strbuf_adds(&sb,
                "{\"jsonrpc\":\"2.0\",\"id\":\"ten\",\"method\":\"ping\",\"params\":{\"_meta\":"
                "{\"pad\":\"");
    while (sb.len < ((size_t)10 << 20))
        strbuf_adds(&sb, "0123456789abcdef");
    strbuf_adds(&sb, "\"}}}\n");
    srv_send(&s, sb.buf, sb.len);
    a = srv_answers(&s, false, NULL, 1, "\"ten\"");
    assert_non_null(json_object_get(json_array_get(a, 0), "result"));
    json_decref(a);
    /* 17 MiB: refused without an id, then the next message is served */
    strbuf_reset(&sb);
    strbuf_adds(&sb,
                "{\"jsonrpc\":\"2.0\",\"id\":\"big\",\"method\":\"ping\",\"params\":{\"_meta\":"
                "{\"pad\":\"");
    while (sb.len < ((size_t)17 << 20))
        strbuf_adds(&sb, "0123456789abcdef");
    strbuf_adds(&sb, "\"}}}\n");
    srv_send(&s, sb.buf, sb.len);
    a = srv_answers(&s, false, NULL, 1, "null");
    assert_int_equal(error_code(json_array_get(a, 0)), -32600);
    assert_non_null(strstr(error_message(json_array_get(a, 0)), "16 MiB"));
    json_decref(a);
    ping_ok(&s);
    /* a 17 MiB line cut by the end of the input is refused too, and the server exits 0 */
    sb.len -= 5;
    srv_send(&s, sb.buf, sb.len);
    close(s.in);
    s.in = -1;
    a = srv_answers(&s, false, NULL, 1, "null");
    assert_int_equal(error_code(json_array_get(a, 0)), -32600);
    json_decref(a);
    strbuf_release(&sb);
    srv_finish(&s);
}

static void test_notifications(void **state)
{
    struct srv s;
    json_t *a;
    (void)state;
    srv_start(&s);
    srv_init(&s);
    /* none of these is answered: the ping (reader thread) and the tools/list (request thread,
     * queued after them) are the only answers */
    srv_sendf(&s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    srv_sendf(&s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/unknown\",\"params\":{}}");
    srv_sendf(&s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{"
                  "\"requestId\":999}}");
    srv_sendf(&s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":5}");
    srv_sendf(&s, "{\"jsonrpc\":\"2.0\",\"method\":\"tools/list\"}");
    srv_sendf(&s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{"
                  "\"progressToken\":1,\"progress\":1}}");
    srv_sendf(&s, "{\"jsonrpc\":\"2.0\",\"id\":77,\"result\":{}}");
    srv_sendf(&s, "{\"jsonrpc\":\"2.0\",\"id\":78,\"error\":{\"code\":1,\"message\":\"x\"}}");
    srv_sendf(&s, "{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"method\":\"ping\"}");
    srv_sendf(&s, "{\"jsonrpc\":\"2.0\",\"id\":\"l\",\"method\":\"tools/list\"}");
    a = srv_answers(&s, false, NULL, 2, "\"p\"", "\"l\"");
    assert_non_null(json_object_get(json_array_get(a, 1), "result"));
    json_decref(a);
    srv_finish(&s);
}

static void call_expect(struct srv *s, const char *name, const char *args, int code,
                        const char *needle)
{
    json_t *a;
    const json_t *m;
    srv_sendf(s,
              "{\"jsonrpc\":\"2.0\",\"id\":\"c\",\"method\":\"tools/call\",\"params\":{\"name\":"
              "\"%s\",\"arguments\":%s}}",
              name, args);
    a = srv_answers(s, true, NULL, 1, "\"c\"");
    m = json_array_get(a, 0);
    if (code) {
        if (error_code(m) != code)
            fail_msg("%s %s: expected code %d, got %s", name, args, code, error_message(m));
        if (needle && !strstr(error_message(m), needle))
            fail_msg("%s %s: '%s' does not mention '%s'", name, args, error_message(m), needle);
    } else {
        const json_t *r = json_object_get(m, "result");
        const char *text = json_string_value(
            json_object_get(json_array_get(json_object_get(r, "content"), 0), "text"));
        assert_non_null(r);
        assert_true(json_is_true(json_object_get(r, "isError")));
        if (needle && (!text || !strstr(text, needle)))
            fail_msg("%s %s: isError text '%s' does not mention '%s'", name, args, text ? text : "",
                     needle);
    }
    json_decref(a);
    ping_ok(s);
}

static void test_tool_errors(void **state)
{
    struct srv s;
    json_t *a;
    char *proj, *args;
    (void)state;
    srv_start(&s);
    srv_init(&s);
    expect_error(&s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{}}", "1",
                 -32602);
    expect_error(&s,
                 "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":"
                 "\"no_such_tool\"}}",
                 "2", -32602);
    expect_error(&s,
                 "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":"
                 "\"find_symbols\",\"arguments\":[1]}}",
                 "3", -32602);
    call_expect(&s, "find_symbols", "{\"pattern\":1}", -32602, "'pattern'");
    call_expect(&s, "find_symbols", "{}", -32602, "'pattern' is required");
    call_expect(&s, "find_symbols", "{\"pattern\":\"x\",\"limit\":\"5\"}", -32602, "'limit'");
    call_expect(&s, "find_symbols", "{\"pattern\":\"x\",\"limit\":5000}", -32602, "at most 1000");
    call_expect(&s, "find_symbols", "{\"pattern\":\"x\",\"limit\":1.5}", -32602, "'limit'");
    call_expect(&s, "find_symbols", "{\"pattern\":\"x\",\"match\":\"fuzzy\"}", -32602, "'match'");
    call_expect(&s, "find_symbols", "{\"pattern\":\"x\",\"kinds\":[\"class\",\"gadget\"]}", -32602,
                "'kinds[1]'");
    call_expect(&s, "find_symbols", "{\"pattern\":\"x\",\"colour\":\"red\"}", -32602,
                "unknown argument 'colour'");
    call_expect(&s, "sync_project", "{\"mode\":\"sideways\"}", -32602, "'mode'");
    call_expect(&s, "set_project", "{}", -32602, "project_path");
    call_expect(&s, "set_project", "{\"project_path\":\"relative/dir\"}", -32602, "absolute");
    call_expect(&s, "set_project", "{\"project_path\":\"/no/such/dir\"}", -32602,
                "not a directory");
    call_expect(&s, "get_source", "{\"context_lines\":99,\"name\":\"x\"}", -32602,
                "'context_lines'");
    /* no project yet: query tools fail with a message that says what to do */
    call_expect(&s, "find_symbols", "{\"pattern\":\"x\"}", 0, "set_project");
    call_expect(&s, "get_symbol_info", "{\"name\":\"x\"}", 0, "set_project");
    call_expect(&s, "sync_project", "{}", 0, "set_project");

    /* an empty project: paths outside it are refused */
    proj = path_join(s.dir, "proj");
    assert_int_equal(fs_mkdir_p(proj, NULL), 0);
    args = xasprintf("{\"project_path\":\"%s\",\"wait_seconds\":120}", proj);
    srv_sendf(&s,
              "{\"jsonrpc\":\"2.0\",\"id\":\"set\",\"method\":\"tools/call\",\"params\":{\"name\":"
              "\"set_project\",\"arguments\":%s}}",
              args);
    a = srv_answers(&s, true, NULL, 1, "\"set\"");
    assert_null(json_object_get(json_object_get(json_array_get(a, 0), "result"), "isError"));
    json_decref(a);
    call_expect(&s, "find_symbols", "{\"pattern\":\"x\",\"file\":\"/etc/passwd\"}", -32602,
                "outside the project root");
    call_expect(&s, "find_symbols", "{\"pattern\":\"x\",\"file\":\"../../etc/passwd\"}", -32602,
                "outside the project root");
    call_expect(&s, "get_file_outline", "{\"file\":\"/etc/hosts\"}", -32602,
                "outside the project root");
    call_expect(&s, "find_symbols", "{\"pattern\":\"(\",\"match\":\"regex\"}", -32602, "'pattern'");
    call_expect(&s, "get_symbol_info", "{}", -32602, "'name'");
    free(args);
    free(proj);
    srv_finish(&s);
}

static void test_logging(void **state)
{
    struct srv s;
    json_t *a, *notes = json_array();
    char *proj;
    size_t i;
    const json_t *n;
    bool found = false;
    (void)state;
    srv_start(&s);
    srv_init(&s);
    srv_sendf(&s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"logging/setLevel\",\"params\":{"
                  "\"level\":\"debug\"}}");
    json_decref(srv_answers(&s, false, NULL, 1, "1"));
    proj = path_join(s.dir, "proj");
    assert_int_equal(fs_mkdir_p(proj, NULL), 0);
    srv_sendf(&s,
              "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":"
              "\"set_project\",\"arguments\":{\"project_path\":\"%s\",\"wait_seconds\":120}}}",
              proj);
    a = srv_answers(&s, true, &notes, 1, "2");
    json_decref(a);
    json_array_foreach(notes, i, n)
    {
        const json_t *p = json_object_get(n, "params");
        if (!strcmp(json_string_value(json_object_get(n, "method")), "notifications/message") &&
            json_is_string(json_object_get(p, "level")) &&
            strstr(or_empty(json_string_value(json_object_get(p, "data"))), proj))
            found = true;
    }
    assert_true(found);
    json_decref(notes);
    free(proj);
    ping_ok(&s);
    srv_finish(&s);
}

static void test_eof_exits(void **state)
{
    struct srv s;
    (void)state;
    srv_start(&s);
    /* a request in the pipe when the input closes is still answered */
    srv_sendf(&s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
                  "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{}}}");
    srv_sendf(&s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
    close(s.in);
    s.in = -1;
    json_decref(srv_answers(&s, false, NULL, 2, "1", "2"));
    srv_finish(&s);
}

/* A waiting call that is cancelled gets no answer, and the request thread is free again. */
static void test_cancel_wait(void **state)
{
    struct srv s;
    const char *src = getenv("CIDX_SOURCE_DIR");
    char *tmp, *cmd, *root, *cfg, *args;
    json_t *m;
    bool waiting = false;
    (void)state;
    if (!src)
        fail_msg("CIDX_SOURCE_DIR is not set (run through ctest)");
    srv_start_env(&s, "CIDX_TEST_HOOKS=1");
    srv_init(&s);
    tmp = path_join(s.dir, "broken");
    cmd = xasprintf("bash '%s/tests/golden/instantiate.sh' '%s' broken >/dev/null", src, tmp);
    assert_int_equal(system(cmd), 0);
    root = path_real(tmp);
    cfg = path_join(root, "cpp-analyzer-config.json");
    assert_int_equal(
        fs_write_file_atomic(cfg, "{\"max_parse_retries\":0,\"parse_timeout_s\":300}", 45, NULL),
        0);
    args = xasprintf("{\"project_path\":\"%s\"}", root);
    srv_sendf(&s,
              "{\"jsonrpc\":\"2.0\",\"id\":\"set\",\"method\":\"tools/call\",\"params\":{\"name\":"
              "\"set_project\",\"arguments\":%s}}",
              args);
    json_decref(srv_answers(&s, true, NULL, 1, "\"set\""));
    /* the hang hook keeps indexing going: this call would wait for 600 s */
    srv_sendf(&s, "{\"jsonrpc\":\"2.0\",\"id\":\"w\",\"method\":\"tools/call\",\"params\":{"
                  "\"name\":\"sync_project\",\"arguments\":{\"wait_seconds\":600},\"_meta\":{"
                  "\"progressToken\":\"tok\"}}}");
    /* its first progress notification shows that it waits */
    while (!waiting && (m = srv_recv(&s)) != NULL) {
        const json_t *p = json_object_get(m, "params");
        if (json_object_get(m, "id"))
            fail_msg("unexpected answer while waiting");
        waiting =
            !strcmp(json_string_value(json_object_get(m, "method")), "notifications/progress") &&
            !strcmp(or_empty(json_string_value(json_object_get(p, "progressToken"))), "tok");
        json_decref(m);
    }
    assert_true(waiting);
    srv_sendf(&s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{"
                  "\"requestId\":\"w\",\"reason\":\"test\"}}");
    /* tools/list is served by the request thread after the cancelled call: the call's answer,
     * had there been one, would come first and fail srv_answers */
    srv_sendf(&s, "{\"jsonrpc\":\"2.0\",\"id\":\"l\",\"method\":\"tools/list\"}");
    json_decref(srv_answers(&s, true, NULL, 1, "\"l\""));
    ping_ok(&s);
    free(args);
    free(cfg);
    free(root);
    free(cmd);
    free(tmp);
    srv_finish(&s); /* exits 0 although a parse worker hangs */
}

/* ---- --tool-set ---- */

/* Runs `cidx serve ARGS` with stdin from /dev/null; returns its exit status and what it wrote
 * (the caller frees both). */
static int serve_run(const char *dir, const char *args, char **out, char **err)
{
    const char *bin = getenv("CIDX_BIN");
    char *o = path_join(dir, "out"), *e = path_join(dir, "err");
    char *cmd = xasprintf("CLANG_INDEX_CACHE_DIR='%s/cache' '%s' serve %s </dev/null >'%s' 2>'%s'",
                          dir, bin, args, o, e);
    size_t n;
    int status = system(cmd);
    assert_true(WIFEXITED(status));
    assert_int_equal(fs_read_file(out, &n, o, (size_t)64 << 20, NULL), 0);
    assert_int_equal(fs_read_file(err, &n, e, (size_t)1 << 20, NULL), 0);
    free(cmd);
    free(o);
    free(e);
    return WEXITSTATUS(status);
}

/* The option is checked before anything starts; the reference of each set matches its docs. */
static void test_tool_set_option(void **state)
{
    const char *src = getenv("CIDX_SOURCE_DIR");
    char *dir = tu_tmpdir("mcp-toolset"), *out = NULL, *err = NULL, *doc = NULL, *path;
    size_t n;
    (void)state;
    if (!getenv("CIDX_BIN") || !src)
        fail_msg("CIDX_BIN or CIDX_SOURCE_DIR is not set (run through ctest)");

    /* unknown sets and a missing value are usage errors (exit 2) that say what is accepted */
    assert_int_equal(serve_run(dir, "--tool-set=bogus", &out, &err), 2);
    assert_non_null(strstr(err, "--tool-set takes main or legacy (got 'bogus')"));
    assert_string_equal(out, "");
    free(out);
    free(err);
    assert_int_equal(serve_run(dir, "--tool-set=", &out, &err), 2);
    assert_non_null(strstr(err, "--tool-set"));
    free(out);
    free(err);
    assert_int_equal(serve_run(dir, "--tool-set=Legacy", &out, &err), 2);
    free(out);
    free(err);
    assert_int_equal(serve_run(dir, "--tool-set", &out, &err), 2);
    assert_non_null(strstr(err, "tool-set"));
    free(out);
    free(err);
    assert_int_equal(serve_run(dir, "--print-tools-markdown --tool-set=bogus", &out, &err), 2);
    free(out);
    free(err);

    /* the references: main by default and by name, legacy with its sixteen tools; each the
     * same as its file in docs/ (the drift check of docs/TOOLS-legacy.md) */
    path = path_join(src, "docs/TOOLS.md");
    assert_int_equal(fs_read_file(&doc, &n, path, (size_t)64 << 20, NULL), 0);
    free(path);
    assert_int_equal(serve_run(dir, "--print-tools-markdown", &out, &err), 0);
    assert_string_equal(out, doc);
    free(out);
    free(err);
    assert_int_equal(serve_run(dir, "--tool-set=main --print-tools-markdown", &out, &err), 0);
    assert_string_equal(out, doc);
    free(out);
    free(err);
    free(doc);
    path = path_join(src, "docs/TOOLS-legacy.md");
    assert_int_equal(fs_read_file(&doc, &n, path, (size_t)64 << 20, NULL), 0);
    free(path);
    assert_int_equal(serve_run(dir, "--tool-set=legacy --print-tools-markdown", &out, &err), 0);
    if (strcmp(out, doc) != 0)
        fail_msg("docs/TOOLS-legacy.md is out of date: regenerate it with 'cidx serve "
                 "--tool-set=legacy --print-tools-markdown > docs/TOOLS-legacy.md'");
    assert_int_equal(tu_count(out, "\n## "), 16);
    assert_non_null(strstr(out, "\n## set_project_directory\n"));
    assert_null(strstr(out, "\n## find_symbols\n"));
    free(out);
    free(err);
    free(doc);
    tu_rmtree(dir);
    free(dir);
}

/* The legacy set over the raw protocol: its tools listed, the main ones unknown, -32602 for
 * bad arguments, and queries without a project that say to call set_project_directory. */
static void test_tool_set_legacy(void **state)
{
    /* in the Python server's order */
    static const char *const names[] = {
        "search_classes",         "search_functions",  "get_class_info",
        "get_function_signature", "search_symbols",    "find_in_file",
        "set_project_directory",  "refresh_project",   "get_server_status",
        "get_indexing_status",    "wait_for_indexing", "get_class_hierarchy",
        "get_derived_classes",    "find_callers",      "find_callees",
        "get_call_path"};
    struct srv s;
    json_t *a;
    const json_t *tools, *t;
    size_t i;
    (void)state;
    srv_start_full(&s, NULL, "--tool-set=legacy");
    srv_init(&s);
    srv_sendf(&s, "{\"jsonrpc\":\"2.0\",\"id\":\"l\",\"method\":\"tools/list\"}");
    a = srv_answers(&s, false, NULL, 1, "\"l\"");
    tools = json_object_get(json_object_get(json_array_get(a, 0), "result"), "tools");
    assert_int_equal(json_array_size(tools), ARRAY_SIZE(names));
    json_array_foreach(tools, i, t)
    {
        assert_string_equal(json_string_value(json_object_get(t, "name")), names[i]);
        assert_non_null(json_object_get(t, "outputSchema"));
        assert_null(json_object_get(
            json_object_get(json_object_get(t, "inputSchema"), "properties"), "wait_seconds"));
    }
    json_decref(a);
    call_expect(&s, "find_symbols", "{\"pattern\":\"x\"}", -32602, "unknown tool");
    call_expect(&s, "search_classes", "{}", -32602, "'pattern' is required");
    call_expect(&s, "search_classes", "{\"pattern\":\"x\",\"project_only\":1}", -32602,
                "'project_only'");
    call_expect(&s, "search_classes", "{\"pattern\":\"x\",\"limit\":5}", -32602,
                "unknown argument 'limit'");
    call_expect(&s, "wait_for_indexing", "{\"timeout\":\"5\"}", -32602, "'timeout'");
    call_expect(&s, "wait_for_indexing", "{\"timeout\":601}", -32602, "at most 600");
    call_expect(&s, "get_call_path", "{\"from_function\":\"a\"}", -32602, "'to_function'");
    call_expect(&s, "set_project_directory", "{\"project_path\":\"rel\"}", -32602, "absolute");
    call_expect(&s, "search_classes", "{\"pattern\":\"x\"}", 0, "set_project_directory");
    call_expect(&s, "wait_for_indexing", "{}", 0, "set_project_directory");
    srv_finish(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_before_initialize),
        cmocka_unit_test(test_version_negotiation),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_big_lines),
        cmocka_unit_test(test_notifications),
        cmocka_unit_test(test_tool_errors),
        cmocka_unit_test(test_logging),
        cmocka_unit_test(test_eof_exits),
        cmocka_unit_test(test_cancel_wait),
        cmocka_unit_test(test_tool_set_option),
        cmocka_unit_test(test_tool_set_legacy),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
