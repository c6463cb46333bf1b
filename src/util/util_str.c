/*
 * util_str.c - small string helpers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int str_ncase_eq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ascii_lower((unsigned char)a[i]) != ascii_lower((unsigned char)b[i]))
            return 0;
    return 1;
}

bool str_starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

int str_to_u64(uint64_t *out, const char *s, uint64_t max)
{
    char *end = NULL;
    unsigned long long v;

    if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
        return ERR_INVALID;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return ERR_INVALID;
    *out = v;
    return 0;
}

void str_human_bytes(char out[32], int64_t bytes)
{
    static const char *const units[] = {"B", "KB", "MB", "GB", "TB"};
    double v = (double)bytes;
    size_t u = 0;
    while (v >= 1024.0 && u + 1 < ARRAY_SIZE(units)) {
        v /= 1024.0;
        u++;
    }
    if (u == 0)
        snprintf(out, 32, "%lld B", (long long)bytes);
    else
        snprintf(out, 32, "%.1f %s", v, units[u]);
}

size_t str_utf8_seq(const unsigned char *p)
{
    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xC2 && p[0] <= 0xDF)
        return (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0))
            return 0; /* overlong, surrogate */
        return 3;
    }
    if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        if ((p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] >= 0x90))
            return 0; /* overlong, above U+10FFFF */
        return 4;
    }
    return 0;
}

bool str_utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = str_utf8_seq(p);
        if (!n)
            return false;
        p += n;
    }
    return true;
}

char *str_utf8_sanitize(const char *s)
{
    struct strbuf sb = STRBUF_INIT;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = str_utf8_seq(p);
        if (n) {
            strbuf_add(&sb, p, n);
            p += n;
        } else {
            strbuf_adds(&sb, "\xEF\xBF\xBD");
            p++;
        }
    }
    return strbuf_detach(&sb, NULL);
}
