/*
 * fuzz_jsonrpc.c - libFuzzer target for the MCP server's JSON-RPC reader: the input is a byte
 * stream as it would arrive on stdin. It is read through the bounded line reader (in chunks
 * whose size the first byte picks, with a small line cap so that oversized lines are common),
 * each line is decoded (mcp_msg_parse), and a tools/call's arguments are checked against the
 * input schema of the tool it names, the way the server does. Any bytes must give lines, skips
 * and error values, never a crash, a leak or undefined behavior.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mcp/mcp_int.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The tools' input schemas, parsed once (a constant table for the whole run). */
static json_t *schemas[64];

struct stream {
    const uint8_t *data;
    size_t len, pos, chunk;
};

static long stream_read(void *ctx, void *buf, size_t n)
{
    struct stream *s = ctx;
    size_t k = s->len - s->pos;
    if (k > n)
        k = n;
    if (k > s->chunk)
        k = s->chunk;
    memcpy(buf, s->data + s->pos, k);
    s->pos += k;
    return (long)k;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_set_level(LOG_ERROR);
    for (size_t i = 0; i < mcp_ntools && i < ARRAY_SIZE(schemas); i++)
        schemas[i] = mcp_tool_input_schema(i);
    return 0;
}

static void use(const struct mcp_msg *m)
{
    const json_t *name, *args;
    size_t ti = 0;
    struct err e;
    json_t *s;

    if (m->kind == MCP_MSG_INVALID) {
        /* the answer the server would send: its message must make a JSON string */
        s = mcp_json_str(m->message);
        json_decref(s);
        return;
    }
    if (m->kind != MCP_MSG_REQUEST || strcmp(m->method, "tools/call") != 0 || !m->params)
        return;
    name = json_object_get(m->params, "name");
    args = json_object_get(m->params, "arguments");
    if (!json_is_string(name) || !json_is_object(args) ||
        !mcp_tool_find(json_string_value(name), &ti) || ti >= ARRAY_SIZE(schemas))
        return;
    (void)mcp_schema_check(schemas[ti], args, "", &e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct stream s = {data, size, 0, 1};
    struct mcp_reader r;
    const char *line;
    size_t len;
    enum mcp_read_status st;

    if (size > 0) {
        s.chunk = (size_t)data[0] % 64 + 1;
        if (data[0] >= 192)
            s.chunk = 65536;
    }
    mcp_reader_init(&r, 4096, stream_read, &s);
    while ((st = mcp_reader_next(&r, &line, &len)) != MCP_READ_END && st != MCP_READ_ERROR) {
        struct mcp_msg m;
        if (st != MCP_READ_LINE)
            continue;
        mcp_msg_parse(&m, line, len);
        use(&m);
        mcp_msg_release(&m);
    }
    mcp_reader_release(&r);
    return 0;
}
