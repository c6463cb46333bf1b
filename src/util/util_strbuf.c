/*
 * util_strbuf.c - growable strings with git strbuf's invariants: buf is never NULL and always
 * NUL-terminated, so a strbuf can be handed to any C string function at any time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

char strbuf_empty_[1];

void strbuf_init(struct strbuf *sb, size_t hint)
{
    sb->buf = strbuf_empty_;
    sb->len = 0;
    sb->alloc = 0;
    if (hint)
        strbuf_grow(sb, hint);
}

void strbuf_release(struct strbuf *sb)
{
    if (sb->alloc)
        free(sb->buf);
    strbuf_init(sb, 0);
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
    char *res;
    if (!sb->alloc)
        strbuf_grow(sb, 0);
    res = sb->buf;
    if (len)
        *len = sb->len;
    strbuf_init(sb, 0);
    return res;
}

void strbuf_grow(struct strbuf *sb, size_t extra)
{
    size_t need = sb->len + extra + 1;
    if (need <= sb->alloc)
        return;
    if (!sb->alloc)
        sb->buf = NULL;
    {
        size_t alloc = sb->alloc ? sb->alloc : 64;
        while (alloc < need)
            alloc *= 2;
        sb->buf = xrealloc(sb->buf, alloc);
        sb->alloc = alloc;
    }
    if (sb->len == 0)
        sb->buf[0] = '\0';
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
    strbuf_grow(sb, len);
    memcpy(sb->buf + sb->len, data, len);
    sb->len += len;
    sb->buf[sb->len] = '\0';
}

void strbuf_adds(struct strbuf *sb, const char *s)
{
    strbuf_add(sb, s, strlen(s));
}

void strbuf_addch(struct strbuf *sb, int c)
{
    strbuf_grow(sb, 1);
    sb->buf[sb->len++] = (char)c;
    sb->buf[sb->len] = '\0';
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
    va_list cp;
    int n;

    strbuf_grow(sb, 64);
    va_copy(cp, ap);
    n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, cp);
    va_end(cp);
    if (n < 0)
        BUG("vsnprintf failed for format '%s'", fmt);
    if ((size_t)n >= sb->alloc - sb->len) {
        strbuf_grow(sb, (size_t)n);
        n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
    }
    sb->len += (size_t)n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(sb, fmt, ap);
    va_end(ap);
}

void strbuf_reset(struct strbuf *sb)
{
    sb->len = 0;
    if (sb->alloc)
        sb->buf[0] = '\0';
}

void strbuf_add_json_str(struct strbuf *sb, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)(s ? s : "");

    strbuf_addch(sb, '"');
    for (; *p; p++) {
        switch (*p) {
        case '"':
            strbuf_adds(sb, "\\\"");
            break;
        case '\\':
            strbuf_adds(sb, "\\\\");
            break;
        case '\n':
            strbuf_adds(sb, "\\n");
            break;
        case '\r':
            strbuf_adds(sb, "\\r");
            break;
        case '\t':
            strbuf_adds(sb, "\\t");
            break;
        default:
            if (*p < 0x20) {
                char esc[7] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15], 0};
                strbuf_adds(sb, esc);
            } else {
                strbuf_addch(sb, *p);
            }
        }
    }
    strbuf_addch(sb, '"');
}
