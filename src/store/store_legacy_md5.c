/*
 * store_legacy_md5.c - MD5 (RFC 1321) and number formatting for the legacy JSON format. The
 * Python server names each per-file cache files/<md5 of the absolute source path>.json, so the
 * export must compute it; nothing here is used for security.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

struct md5 {
    uint32_t a, b, c, d;
    uint64_t len;
    unsigned char buf[64];
};

static const uint32_t md5_k[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};

static const unsigned char md5_r[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                        5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                                        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};

static uint32_t rol(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

static void md5_block(struct md5 *m, const unsigned char *p)
{
    uint32_t w[16], a = m->a, b = m->b, c = m->c, d = m->d;
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[i * 4] | (uint32_t)p[i * 4 + 1] << 8 | (uint32_t)p[i * 4 + 2] << 16 |
               (uint32_t)p[i * 4 + 3] << 24;
    for (int i = 0; i < 64; i++) {
        uint32_t f, t;
        int g;
        if (i < 16) {
            f = (b & c) | (~b & d);
            g = i;
        } else if (i < 32) {
            f = (d & b) | (~d & c);
            g = (5 * i + 1) % 16;
        } else if (i < 48) {
            f = b ^ c ^ d;
            g = (3 * i + 5) % 16;
        } else {
            f = c ^ (b | ~d);
            g = (7 * i) % 16;
        }
        t = d;
        d = c;
        c = b;
        b = b + rol(a + f + md5_k[i] + w[g], md5_r[i]);
        a = t;
    }
    m->a += a;
    m->b += b;
    m->c += c;
    m->d += d;
}

void legacy_md5_hex(char out[33], const void *data, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    struct md5 m = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0, {0}};
    const unsigned char *p = data;
    unsigned char digest[16];
    size_t rest;

    m.len = (uint64_t)len * 8;
    for (; len >= 64; len -= 64, p += 64)
        md5_block(&m, p);
    rest = len;
    memcpy(m.buf, p, rest);
    m.buf[rest++] = 0x80;
    if (rest > 56) {
        memset(m.buf + rest, 0, 64 - rest);
        md5_block(&m, m.buf);
        rest = 0;
    }
    memset(m.buf + rest, 0, 56 - rest);
    for (int i = 0; i < 8; i++)
        m.buf[56 + i] = (unsigned char)(m.len >> (8 * i));
    md5_block(&m, m.buf);
    for (int i = 0; i < 4; i++) {
        uint32_t v = i == 0 ? m.a : i == 1 ? m.b : i == 2 ? m.c : m.d;
        for (int k = 0; k < 4; k++)
            digest[i * 4 + k] = (unsigned char)(v >> (8 * k));
    }
    for (int i = 0; i < 16; i++) {
        out[i * 2] = hex[digest[i] >> 4];
        out[i * 2 + 1] = hex[digest[i] & 15];
    }
    out[32] = '\0';
}

void store_legacy_file_name(char out[38], const char *path)
{
    legacy_md5_hex(out, path, strlen(path));
    memcpy(out + 32, ".json", 6);
}

void legacy_fmt_number(char out[40], double v)
{
    /* the shortest of 15, 16, 17 significant digits that reads back as v, as Python's repr */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, 40, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            break;
    }
    /* integral values keep a ".0" so that a float stays a float when read back */
    if (!strpbrk(out, ".eEn")) {
        size_t n = strlen(out);
        snprintf(out + n, 40 - n, ".0");
    }
}
