/*
 * idx_wire.c - frames between the indexer and its workers (format in idx_wire.h).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "idx_wire.h"

size_t wire_begin(struct strbuf *sb, enum wire_type type)
{
    size_t start = sb->len;
    static const char zero[4];
    strbuf_add(sb, zero, 4);
    strbuf_addch(sb, (int)type);
    return start;
}

void wire_end(struct strbuf *sb, size_t start)
{
    uint32_t n = (uint32_t)(sb->len - start - 4);
    unsigned char *p = (unsigned char *)sb->buf + start;
    p[0] = (unsigned char)n;
    p[1] = (unsigned char)(n >> 8);
    p[2] = (unsigned char)(n >> 16);
    p[3] = (unsigned char)(n >> 24);
}

void wire_u32(struct strbuf *sb, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    strbuf_add(sb, b, 4);
}

void wire_u64(struct strbuf *sb, uint64_t v)
{
    wire_u32(sb, (uint32_t)v);
    wire_u32(sb, (uint32_t)(v >> 32));
}

void wire_strn(struct strbuf *sb, const char *s, size_t n)
{
    if (!s) {
        wire_u32(sb, UINT32_MAX);
        return;
    }
    if (n >= UINT32_MAX)
        n = UINT32_MAX - 1;
    wire_u32(sb, (uint32_t)n);
    strbuf_add(sb, s, n);
    strbuf_addch(sb, 0);
}

void wire_str(struct strbuf *sb, const char *s)
{
    wire_strn(sb, s, s ? strlen(s) : 0);
}

void wire_reader_init(struct wire_reader *r, const void *payload, size_t len)
{
    r->p = payload;
    r->end = r->p + len;
    r->bad = false;
}

uint32_t wire_get_u32(struct wire_reader *r)
{
    uint32_t v;
    if (r->bad || r->end - r->p < 4) {
        r->bad = true;
        return 0;
    }
    v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 |
        (uint32_t)r->p[3] << 24;
    r->p += 4;
    return v;
}

uint64_t wire_get_u64(struct wire_reader *r)
{
    uint64_t lo = wire_get_u32(r);
    uint64_t hi = wire_get_u32(r);
    return lo | hi << 32;
}

const char *wire_get_str(struct wire_reader *r)
{
    uint32_t n = wire_get_u32(r);
    const char *s;
    if (r->bad || n == UINT32_MAX)
        return NULL;
    if ((size_t)(r->end - r->p) < (size_t)n + 1 || r->p[n] != 0) {
        r->bad = true;
        return NULL;
    }
    s = (const char *)r->p;
    r->p += (size_t)n + 1;
    return s;
}

void wire_stream_init(struct wire_stream *ws)
{
    strbuf_init(&ws->buf, 1 << 16);
    ws->off = 0;
}

void wire_stream_release(struct wire_stream *ws)
{
    strbuf_release(&ws->buf);
    ws->off = 0;
}

void wire_stream_feed(struct wire_stream *ws, const void *data, size_t len)
{
    /* drop consumed bytes once they dominate, so the buffer does not grow without bound */
    if (ws->off > 0 && ws->off >= ws->buf.len / 2) {
        memmove(ws->buf.buf, ws->buf.buf + ws->off, ws->buf.len - ws->off);
        ws->buf.len -= ws->off;
        ws->buf.buf[ws->buf.len] = 0;
        ws->off = 0;
    }
    strbuf_add(&ws->buf, data, len);
}

int wire_next(struct wire_stream *ws, const unsigned char **payload, size_t *len)
{
    size_t avail = ws->buf.len - ws->off;
    const unsigned char *p = (const unsigned char *)ws->buf.buf + ws->off;
    uint32_t n;
    if (avail < 4)
        return 0;
    n = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    if (n == 0 || n > WIRE_MAX_FRAME)
        return -1;
    if (avail - 4 < n)
        return 0;
    *payload = p + 4;
    *len = n;
    ws->off += 4 + (size_t)n;
    return 1;
}

int wire_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}
