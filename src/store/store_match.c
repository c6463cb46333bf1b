/*
 * store_match.c - what "matches" means for each search mode, in one place: the sub-word split
 * of identifiers (camelCase, snake_case, digits), and the predicates search uses to classify
 * candidates. Case folding is ASCII only, like SQLite's NOCASE, so the index ranges and these
 * predicates always agree.
 */
#include <string.h>

#include "store_int.h"

size_t store_utf8_len(const unsigned char *p, size_t avail)
{
    size_t n = 1;
    if (*p >= 0xC0) {
        while (n < avail && n < 4 && (p[n] & 0xC0) == 0x80)
            n++;
    }
    return n;
}

enum cclass { C_SEP, C_LOWER, C_UPPER, C_DIGIT };

static enum cclass classify(unsigned char c)
{
    if (c >= 'a' && c <= 'z')
        return C_LOWER;
    if (c >= 'A' && c <= 'Z')
        return C_UPPER;
    if (c >= '0' && c <= '9')
        return C_DIGIT;
    if (c >= 0x80)
        return C_LOWER; /* non-ASCII letters: part of a word, no case */
    return C_SEP;
}

void store_split_words(const char *s, size_t len, struct store_words *out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    out->n = 0;
    while (i < len && out->n < ARRAY_SIZE(out->start)) {
        size_t start;
        enum cclass c = classify(p[i]);
        if (c == C_SEP) {
            i++;
            continue;
        }
        start = i;
        if (c == C_DIGIT) {
            while (i < len && classify(p[i]) == C_DIGIT)
                i++;
        } else if (c == C_UPPER) {
            size_t j = i;
            while (j < len && classify(p[j]) == C_UPPER)
                j++;
            if (j - i == 1) {
                /* "Back": one capital and its lower-case tail */
                i = j;
                while (i < len && classify(p[i]) == C_LOWER)
                    i++;
            } else if (j < len && classify(p[j]) == C_LOWER) {
                /* "HTTPServer": the last capital starts the next word */
                i = j - 1;
            } else {
                i = j;
            }
        } else {
            while (i < len && classify(p[i]) == C_LOWER)
                i++;
        }
        out->start[out->n] = s + start;
        out->len[out->n] = i - start;
        out->n++;
    }
}

static bool bytes_eq(const char *a, const char *b, size_t n, bool cs)
{
    return cs ? memcmp(a, b, n) == 0 : str_ncase_eq(a, b, n);
}

bool store_match_exact(const char *name, const char *pat, size_t plen, bool cs)
{
    return strlen(name) == plen && bytes_eq(name, pat, plen, cs);
}

bool store_match_prefix(const char *name, const char *pat, size_t plen, bool cs)
{
    return strlen(name) >= plen && bytes_eq(name, pat, plen, cs);
}

bool store_match_words(const char *name, const struct store_words *pw, bool cs)
{
    struct store_words nw;
    if (!pw->n)
        return false;
    store_split_words(name, strlen(name), &nw);
    for (size_t i = 0; i + pw->n <= nw.n; i++) {
        size_t j;
        for (j = 0; j < pw->n; j++) {
            if (pw->len[j] > nw.len[i + j] ||
                !bytes_eq(nw.start[i + j], pw->start[j], pw->len[j], cs))
                break;
        }
        if (j == pw->n)
            return true;
    }
    return false;
}

bool store_match_substring(const char *name, const char *pat, size_t plen, bool cs)
{
    size_t nlen = strlen(name);
    if (plen == 0)
        return true;
    for (size_t i = 0; i + plen <= nlen; i++)
        if (bytes_eq(name + i, pat, plen, cs))
            return true;
    return false;
}

char *store_sig_pack(const char *sig, const char *scope, const char *name)
{
    struct strbuf q = STRBUF_INIT, out = STRBUF_INIT;
    const char *at;
    if (!sig || !*sig)
        return NULL;
    if (scope && *scope) {
        strbuf_adds(&q, scope);
        strbuf_adds(&q, "::");
    }
    strbuf_adds(&q, name ? name : "");
    at = q.len && !strchr(sig, STORE_SIG_SELF) ? strstr(sig, q.buf) : NULL;
    if (!at) {
        strbuf_release(&q);
        return xstrdup(sig);
    }
    strbuf_add(&out, sig, (size_t)(at - sig));
    strbuf_addch(&out, STORE_SIG_SELF);
    strbuf_adds(&out, at + q.len);
    strbuf_release(&q);
    return strbuf_detach(&out, NULL);
}

char *store_sig_unpack(struct arena *a, const char *packed, const char *qualified_name)
{
    const char *at;
    size_t lp, lq;
    char *out;
    if (!packed)
        return NULL;
    at = strchr(packed, STORE_SIG_SELF);
    if (!at)
        return arena_strdup(a, packed);
    lp = strlen(packed);
    lq = strlen(qualified_name ? qualified_name : "");
    out = arena_alloc(a, lp + lq);
    memcpy(out, packed, (size_t)(at - packed));
    memcpy(out + (at - packed), qualified_name, lq);
    memcpy(out + (at - packed) + lq, at + 1, lp - (size_t)(at - packed));
    return out;
}
