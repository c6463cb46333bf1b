/*
 * mcp_jsonrpc.c - JSON-RPC 2.0 framing: the bounded line reader, the decoder that classifies a
 * line as request, notification, response or invalid (with the error to answer), and the output
 * channel that writes one message per line.
 *
 * Everything that arrives here is hostile until decoded: lines are capped (an oversized line is
 * dropped as it streams by, never buffered whole), UTF-8 is checked before JSON, jansson's depth
 * limit bounds nesting, and a message that is not a JSON-RPC object becomes an error value.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mcp_int.h"

#define READ_CHUNK ((size_t)64 << 10)

/* ---- lines ---- */

void mcp_reader_init(struct mcp_reader *r, size_t max, mcp_read_fn fn, void *ctx)
{
    memset(r, 0, sizeof(*r));
    r->read = fn;
    r->ctx = ctx;
    r->max = max;
}

void mcp_reader_release(struct mcp_reader *r)
{
    free(r->buf);
    r->buf = NULL;
    r->len = r->pos = r->cap = r->scan = 0;
}

static void reader_reserve(struct mcp_reader *r, size_t need)
{
    size_t cap = r->cap ? r->cap : READ_CHUNK;
    if (need <= r->cap)
        return;
    while (cap < need)
        cap *= 2;
    r->buf = xrealloc(r->buf, cap);
    r->cap = cap;
}

enum mcp_read_status mcp_reader_next(struct mcp_reader *r, const char **line, size_t *len)
{
    for (;;) {
        long n;
        if (!r->skipping) {
            char *nl = r->len > r->scan ? memchr(r->buf + r->scan, '\n', r->len - r->scan) : NULL;
            if (nl || (r->eof && r->len > r->pos)) {
                size_t start = r->pos, end = nl ? (size_t)(nl - r->buf) : r->len;
                r->pos = r->scan = nl ? end + 1 : r->len;
                if (end > start && r->buf[end - 1] == '\r')
                    end--;
                if (end - start > r->max)
                    return MCP_READ_TOO_LONG;
                *line = r->buf + start;
                *len = end - start;
                return MCP_READ_LINE;
            }
            r->scan = r->len;
            if (r->len - r->pos > r->max) {
                /* the line in the buffer is already too long: drop it and the rest of it */
                r->skipping = true;
                r->len = r->pos = r->scan = 0;
            } else if (r->eof) {
                return MCP_READ_END;
            }
        } else if (r->eof) {
            r->skipping = false;
            return MCP_READ_TOO_LONG;
        }
        if (r->pos > 0) {
            memmove(r->buf, r->buf + r->pos, r->len - r->pos);
            r->len -= r->pos;
            r->scan -= r->pos;
            r->pos = 0;
        }
        reader_reserve(r, r->len + READ_CHUNK);
        n = r->read(r->ctx, r->buf + r->len, READ_CHUNK);
        if (n < 0)
            return MCP_READ_ERROR;
        if (n == 0) {
            r->eof = true;
            continue;
        }
        if (r->skipping) {
            char *nl = memchr(r->buf + r->len, '\n', (size_t)n);
            if (nl) {
                size_t rest = (size_t)n - (size_t)(nl + 1 - (r->buf + r->len));
                memmove(r->buf, nl + 1, rest);
                r->len = rest;
                r->pos = r->scan = 0;
                r->skipping = false;
                return MCP_READ_TOO_LONG;
            }
            continue; /* dropped */
        }
        r->len += (size_t)n;
    }
}

/* ---- UTF-8 ---- */

bool mcp_utf8_valid(const char *s, size_t len, size_t *bad)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned c = p[i];
        size_t n;
        unsigned cp;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
        } else {
            goto fail;
        }
        if (len - i <= n)
            goto fail;
        for (size_t k = 1; k <= n; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                goto fail;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            goto fail;
        i += n + 1;
    }
    return true;
fail:
    if (bad)
        *bad = i;
    return false;
}

/* ---- messages ---- */

static void invalid(struct mcp_msg *m, int code, const char *fmt, ...) PRINTF_LIKE(3, 4);
static void invalid(struct mcp_msg *m, int code, const char *fmt, ...)
{
    va_list ap;
    m->kind = MCP_MSG_INVALID;
    m->code = code;
    va_start(ap, fmt);
    vsnprintf(m->message, sizeof(m->message), fmt, ap);
    va_end(ap);
}

void mcp_msg_parse(struct mcp_msg *m, const char *line, size_t len)
{
    json_error_t je;
    json_t *id, *v;
    size_t bad = 0;

    memset(m, 0, sizeof(*m));
    if (!mcp_utf8_valid(line, len, &bad)) {
        invalid(m, MCP_ERR_PARSE, "Parse error: invalid UTF-8 at byte %zu", bad);
        return;
    }
    m->root = json_loadb(line, len, JSON_DECODE_ANY, &je);
    if (!m->root) {
        invalid(m, MCP_ERR_PARSE, "Parse error: %s (at byte %d)", je.text, je.position);
        return;
    }
    if (json_is_array(m->root)) {
        invalid(m, MCP_ERR_INVALID_REQUEST,
                "Invalid Request: batch (array) messages are not supported; send one JSON "
                "object per line");
        return;
    }
    if (!json_is_object(m->root)) {
        invalid(m, MCP_ERR_INVALID_REQUEST, "Invalid Request: a message must be a JSON object");
        return;
    }
    id = json_object_get(m->root, "id");
    if (id && (json_is_string(id) || json_is_integer(id)))
        m->id = id;
    v = json_object_get(m->root, "jsonrpc");
    if (!json_is_string(v) || strcmp(json_string_value(v), "2.0") != 0) {
        invalid(m, MCP_ERR_INVALID_REQUEST, "Invalid Request: 'jsonrpc' must be \"2.0\"");
        return;
    }
    if (id && !m->id) {
        invalid(m, MCP_ERR_INVALID_REQUEST,
                "Invalid Request: 'id' must be a string or an integer (null is not allowed)");
        return;
    }
    v = json_object_get(m->root, "method");
    if (!v) {
        if (m->id && (json_object_get(m->root, "result") || json_object_get(m->root, "error"))) {
            m->kind = MCP_MSG_RESPONSE;
            return;
        }
        invalid(m, MCP_ERR_INVALID_REQUEST, "Invalid Request: 'method' is missing");
        return;
    }
    if (!json_is_string(v)) {
        invalid(m, MCP_ERR_INVALID_REQUEST, "Invalid Request: 'method' must be a string");
        return;
    }
    m->method = json_string_value(v);
    v = json_object_get(m->root, "params");
    if (v && json_is_object(v))
        m->params = v;
    else if (v && !json_is_null(v))
        m->bad_params = true;
    m->kind = id ? MCP_MSG_REQUEST : MCP_MSG_NOTIFICATION;
}

void mcp_msg_release(struct mcp_msg *m)
{
    if (!m)
        return;
    json_decref(m->root);
    memset(m, 0, sizeof(*m));
}

/* ---- output ---- */

void mcp_out_init(struct mcp_out *o, int fd)
{
    o->fd = fd;
    pthread_mutex_init(&o->lock, NULL);
    atomic_init(&o->broken, false);
    atomic_init(&o->sent, 0);
}

void mcp_out_release(struct mcp_out *o)
{
    pthread_mutex_destroy(&o->lock);
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int mcp_out_send(struct mcp_out *o, const json_t *msg)
{
    char *s;
    size_t n;
    int rc = 0;

    if (atomic_load(&o->broken))
        return ERR_IO;
    /* compact: jansson escapes control characters, so the message is one line */
    s = json_dumps(msg, MCP_JSON_DUMP_FLAGS);
    if (!s)
        return ERR_INVALID;
    n = strlen(s);
    s[n] = '\n'; /* replaces the terminator: write n + 1 bytes, no copy */
    pthread_mutex_lock(&o->lock);
    if (atomic_load(&o->broken) || write_all(o->fd, s, n + 1) != 0) {
        atomic_store(&o->broken, true);
        rc = ERR_IO;
    } else {
        atomic_fetch_add(&o->sent, 1);
    }
    pthread_mutex_unlock(&o->lock);
    free(s);
    return rc;
}

static json_t *envelope(const json_t *id)
{
    json_t *m = json_object();
    json_object_set_new(m, "jsonrpc", json_string("2.0"));
    json_object_set_new(m, "id", id ? json_deep_copy(id) : json_null());
    return m;
}

int mcp_out_error(struct mcp_out *o, const json_t *id, int code, const char *message)
{
    json_t *m = envelope(id), *e = json_object();
    int rc;
    json_object_set_new(e, "code", json_integer(code));
    json_object_set_new(e, "message", mcp_json_str(message));
    json_object_set_new(m, "error", e);
    rc = mcp_out_send(o, m);
    json_decref(m);
    return rc;
}

int mcp_out_result(struct mcp_out *o, const json_t *id, json_t *result)
{
    json_t *m = envelope(id);
    int rc;
    json_object_set_new(m, "result", result ? result : json_object());
    rc = mcp_out_send(o, m);
    json_decref(m);
    return rc;
}

int mcp_out_notify(struct mcp_out *o, const char *method, json_t *params)
{
    json_t *m = json_object();
    int rc;
    json_object_set_new(m, "jsonrpc", json_string("2.0"));
    json_object_set_new(m, "method", json_string(method));
    if (params)
        json_object_set_new(m, "params", params);
    rc = mcp_out_send(o, m);
    json_decref(m);
    return rc;
}

json_t *mcp_json_str(const char *s)
{
    struct strbuf sb = STRBUF_INIT;
    const char *p;
    size_t len, bad;
    json_t *v;

    if (!s)
        return json_null();
    len = strlen(s);
    if (mcp_utf8_valid(s, len, NULL))
        return json_stringn(s, len);
    /* keep the valid sequences, replace each bad byte with U+FFFD */
    for (p = s; len > 0;) {
        if (mcp_utf8_valid(p, len, &bad)) {
            strbuf_add(&sb, p, len);
            break;
        }
        strbuf_add(&sb, p, bad);
        strbuf_adds(&sb, "\xEF\xBF\xBD");
        p += bad + 1;
        len -= bad + 1;
    }
    v = json_stringn(sb.buf, sb.len);
    strbuf_release(&sb);
    return v ? v : json_string("");
}
