/*
 * test_store_search.c - search correctness: after random sequences of inserts, replaces and
 * deletes, every mode returns exactly what a brute-force scan of the symbols returns (an oracle
 * written independently here), in the same order, with the same totals, page by page; hostile
 * patterns give results or clear errors, never SQL or FTS5 syntax errors.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "testutil.h"

/* ---- random data --------------------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static unsigned rndn(unsigned n)
{
    return (unsigned)(rnd() % n);
}

static const char *const parts[] = {"get",  "set",   "http",     "server",  "push", "back",
                                    "url",  "parse", "resource", "manager", "id",   "x2",
                                    "utf8", "node",  "list",     "äö",      "map",  "a"};
static const char *const scopes[] = {"", "ns1", "ns1::Inner", "app::ui", "app::ui::Widget"};

static void make_name(char *out, size_t cap)
{
    unsigned n = 1 + rndn(3), style = rndn(5);
    size_t len = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < n; i++) {
        const char *p = parts[rndn(ARRAY_SIZE(parts))];
        char word[32];
        snprintf(word, sizeof(word), "%s", p);
        if (style == 0 && i > 0) /* camelCase */
            word[0] = (char)(word[0] >= 'a' && word[0] <= 'z' ? word[0] - 32 : word[0]);
        else if (style == 1) /* PascalCase */
            word[0] = (char)(word[0] >= 'a' && word[0] <= 'z' ? word[0] - 32 : word[0]);
        else if (style == 3) /* UPPER */
            for (char *c = word; *c; c++)
                *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
        if (style == 2 && i > 0) /* snake_case */
            len += (size_t)snprintf(out + len, cap - len, "_");
        if (style == 4 && i > 0 && rndn(2)) /* mixed digits and underscores */
            len += (size_t)snprintf(out + len, cap - len, "%u", rndn(10));
        len += (size_t)snprintf(out + len, cap - len, "%s", word);
    }
}

#define NFILES 12
#define MAXSYM 40

struct fdata {
    char names[MAXSYM][64];
    char usrs[MAXSYM][80];
    int scope[MAXSYM];
    int nsym;
};

static void random_file(struct fdata *f, unsigned fileno, unsigned gen)
{
    f->nsym = (int)rndn(MAXSYM);
    for (int i = 0; i < f->nsym; i++) {
        make_name(f->names[i], sizeof(f->names[i]));
        f->scope[i] = (int)rndn(ARRAY_SIZE(scopes));
        /* some usrs are shared across files (a header and a source declaring the same symbol) */
        if (rndn(6) == 0)
            snprintf(f->usrs[i], sizeof(f->usrs[i]), "c:shared@%u", rndn(20));
        else
            snprintf(f->usrs[i], sizeof(f->usrs[i]), "c:f%u@g%u@%d", fileno, gen, i);
    }
}

static int write_file(struct store *st, unsigned fileno, const struct fdata *f, bool project)
{
    struct store_symbol syms[MAXSYM];
    struct store_ref refs[MAXSYM];
    struct store_file_batch b = {0};
    char path[64];
    struct err e = {0};
    int rc;

    snprintf(path, sizeof(path), "/proj/%s/file%u.cpp", project ? "src" : "deps", fileno);
    memset(syms, 0, sizeof(syms));
    memset(refs, 0, sizeof(refs));
    for (int i = 0; i < f->nsym; i++) {
        syms[i].usr = f->usrs[i];
        syms[i].name = f->names[i];
        syms[i].scope = scopes[f->scope[i]];
        syms[i].scope_ns = strstr(scopes[f->scope[i]], "Widget") ? "app::ui" : scopes[f->scope[i]];
        syms[i].kind = (enum store_kind)(1 + (i % (STORE_KIND_COUNT_ - 1)));
        syms[i].is_definition = (i % 3) != 0;
        syms[i].range = (struct store_range){(uint32_t)(i + 1), 3, (uint32_t)(i + 2), 1};
        refs[i].usr = f->usrs[(i * 7) % f->nsym];
        refs[i].context_usr = f->usrs[i];
        refs[i].line = (uint32_t)(i + 1);
        refs[i].col = 9;
        refs[i].roles = i % 2 ? STORE_ROLE_CALL : STORE_ROLE_READ;
    }
    b.path = path;
    b.is_project = project;
    b.symbols = syms;
    b.nsymbols = (size_t)f->nsym;
    b.refs = refs;
    b.nrefs = (size_t)f->nsym;
    rc = store_file_replace(st, &b, &e);
    if (rc)
        fail_msg("store_file_replace: %s", e.msg);
    return rc;
}

/* ---- the oracle --------------------------------------------------------------------------- */

struct osym {
    int64_t id;
    char *name, *qname;
    int proj;
    int rank;
};

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static bool ieq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return false;
    return true;
}

static bool o_exact(const char *n, const char *p)
{
    return strlen(n) == strlen(p) && ieq(n, p, strlen(p));
}

static bool o_prefix(const char *n, const char *p)
{
    return strlen(n) >= strlen(p) && ieq(n, p, strlen(p));
}

static bool o_substr(const char *n, const char *p)
{
    size_t ln = strlen(n), lp = strlen(p);
    for (size_t i = 0; i + lp <= ln; i++)
        if (ieq(n + i, p, lp))
            return true;
    return lp == 0;
}

/* Word starts, computed from boundaries (a different formulation than the store's splitter). */
static int ctype(unsigned char c)
{
    if (c >= 'a' && c <= 'z')
        return 1;
    if (c >= 0x80)
        return 1;
    if (c >= 'A' && c <= 'Z')
        return 2;
    if (c >= '0' && c <= '9')
        return 3;
    return 0;
}

static int o_words(const char *s, const char *starts[], size_t lens[], int max)
{
    int n = 0;
    size_t len = strlen(s);
    for (size_t i = 0; i < len && n < max; i++) {
        int c = ctype((unsigned char)s[i]);
        int p = i ? ctype((unsigned char)s[i - 1]) : 0;
        int nx = i + 1 < len ? ctype((unsigned char)s[i + 1]) : 0;
        bool start = c && (!p || (p == 1 && c == 2) || ((p == 3) != (c == 3)) ||
                           (p == 2 && c == 2 && nx == 1));
        if (start) {
            size_t j = i + 1;
            while (j < len) {
                int cj = ctype((unsigned char)s[j]), pj = ctype((unsigned char)s[j - 1]);
                int nj = j + 1 < len ? ctype((unsigned char)s[j + 1]) : 0;
                if (!cj || (pj == 1 && cj == 2) || ((pj == 3) != (cj == 3)) ||
                    (pj == 2 && cj == 2 && nj == 1))
                    break;
                j++;
            }
            starts[n] = s + i;
            lens[n] = j - i;
            n++;
        }
    }
    return n;
}

static bool o_wordmatch(const char *name, const char *pat)
{
    const char *ns[64], *ps[64];
    size_t nl[64], pl[64];
    int nn = o_words(name, ns, nl, 64), np = o_words(pat, ps, pl, 64);
    if (!np)
        return false;
    for (int i = 0; i + np <= nn; i++) {
        int j;
        for (j = 0; j < np; j++)
            if (pl[j] > nl[i + j] || !ieq(ns[i + j], ps[j], pl[j]))
                break;
        if (j == np)
            return true;
    }
    return false;
}

static bool o_qualified(const char *qname, const char *pat)
{
    bool anchored = pat[0] == ':' && pat[1] == ':';
    size_t lq = strlen(qname), lp;
    if (anchored)
        pat += 2;
    lp = strlen(pat);
    if (lq < lp || !ieq(qname + lq - lp, pat, lp))
        return false;
    if (lq == lp)
        return true;
    return !anchored && lq - lp >= 2 && qname[lq - lp - 1] == ':' && qname[lq - lp - 2] == ':';
}

/* rank, or -1 when the mode does not accept the symbol */
static int o_rank(const struct osym *s, const char *pat, enum store_match mode, regex_t *re)
{
    bool ex = o_exact(s->name, pat), pre = o_prefix(s->name, pat);
    bool wo = o_wordmatch(s->name, pat), sub = o_substr(s->name, pat);
    switch (mode) {
    case STORE_MATCH_EXACT:
        return ex ? 0 : -1;
    case STORE_MATCH_PREFIX:
        return ex ? 0 : pre ? 1 : -1;
    case STORE_MATCH_WORDS:
        return !wo ? -1 : ex ? 0 : pre ? 1 : 2;
    case STORE_MATCH_SUBSTRING:
        return !sub ? -1 : ex ? 0 : pre ? 1 : wo ? 2 : 3;
    case STORE_MATCH_AUTO:
        return !(wo || sub) ? -1 : ex ? 0 : pre ? 1 : wo ? 2 : 3;
    case STORE_MATCH_QUALIFIED:
        if (!o_qualified(s->qname, pat))
            return -1;
        return strlen(s->qname) == strlen(pat[0] == ':' ? pat + 2 : pat) ? 0 : 4;
    case STORE_MATCH_REGEX:
        if (regexec(re, s->name, 0, NULL, 0) != 0)
            return -1;
        return ex ? 0 : 4;
    default:
        return -1;
    }
}

static int ocmp(const void *pa, const void *pb)
{
    const struct osym *a = pa, *b = pb;
    if (a->rank != b->rank)
        return a->rank - b->rank;
    if (a->proj != b->proj)
        return b->proj - a->proj;
    for (const unsigned char *x = (const void *)a->name, *y = (const void *)b->name;; x++, y++) {
        if (lower(*x) != lower(*y))
            return lower(*x) - lower(*y);
        if (!*x)
            break;
    }
    return a->id < b->id ? -1 : a->id > b->id;
}

static struct osym *load_all(const char *dir, size_t *n)
{
    char *path = path_join(dir, "symbols.db");
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    struct osym *v = NULL;
    size_t alloc = 0;
    *n = 0;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(db,
                           "SELECT s.id, s.name, CASE WHEN sc.qname = '' THEN s.name ELSE"
                           " sc.qname || '::' || s.name END, s.is_project FROM symbols s JOIN"
                           " scopes sc ON sc.id = s.scope_id WHERE s.file_id IS NOT NULL",
                           -1, &s, NULL),
        SQLITE_OK);
    while (sqlite3_step(s) == SQLITE_ROW) {
        ALLOC_GROW(v, *n + 1, alloc);
        v[*n].id = sqlite3_column_int64(s, 0);
        v[*n].name = xstrdup((const char *)sqlite3_column_text(s, 1));
        v[*n].qname = xstrdup((const char *)sqlite3_column_text(s, 2));
        v[*n].proj = sqlite3_column_int(s, 3);
        (*n)++;
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    free(path);
    return v;
}

static void free_all(struct osym *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].qname);
    }
    free(v);
}

/* Compares store_search (paged) with the oracle for one pattern and mode. */
static void compare(struct store *st, struct osym *all, size_t nall, const char *pat,
                    enum store_match mode, bool all_scopes)
{
    struct osym *want = xcalloc(nall + 1, sizeof(*want));
    size_t nwant = 0, got = 0;
    regex_t re;
    bool has_re = false;
    uint64_t offset = 0;
    uint32_t page = 1 + rndn(9);

    if (mode == STORE_MATCH_REGEX) {
        if (regcomp(&re, pat, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0) {
            free(want);
            return;
        }
        has_re = true;
    }
    for (size_t i = 0; i < nall; i++) {
        if (!all_scopes && !all[i].proj)
            continue;
        all[i].rank = o_rank(&all[i], pat, mode, has_re ? &re : NULL);
        if (all[i].rank >= 0)
            want[nwant++] = all[i];
    }
    if (has_re)
        regfree(&re);
    if (mode == STORE_MATCH_EXACT && !*pat)
        nwant = 0;
    qsort(want, nwant, sizeof(*want), ocmp);
    for (;;) {
        struct store_search_query q = {0};
        struct store_search_result r;
        struct err e = {0};
        q.pattern = pat;
        q.match = mode;
        q.all_scopes = all_scopes;
        q.limit = page;
        q.offset = offset;
        if (store_search(st, &q, &r, &e) != 0)
            fail_msg("search '%s' mode %s failed: %s", pat, store_match_name(mode), e.msg);
        if (r.total != nwant)
            fail_msg("search '%s' mode %s scope %s: total %llu, oracle %zu", pat,
                     store_match_name(mode), all_scopes ? "all" : "project",
                     (unsigned long long)r.total, nwant);
        for (size_t i = 0; i < r.n; i++) {
            if (got + i >= nwant || r.rows[i].id != want[got + i].id)
                fail_msg("search '%s' mode %s: row %zu is %s (id %lld), oracle says %s (id %lld)",
                         pat, store_match_name(mode), got + i, r.rows[i].name,
                         (long long)r.rows[i].id, got + i < nwant ? want[got + i].name : "-",
                         got + i < nwant ? (long long)want[got + i].id : -1LL);
        }
        got += r.n;
        if (!r.truncated) {
            store_search_result_release(&r);
            break;
        }
        assert_int_equal(r.next_offset, offset + r.n);
        offset = r.next_offset;
        store_search_result_release(&r);
    }
    assert_int_equal(got, nwant);
    free(want);
}

static void random_pattern(char *out, size_t cap, const struct osym *all, size_t nall)
{
    unsigned kind = rndn(6);
    if (!nall || kind == 0) {
        make_name(out, cap);
        return;
    }
    const struct osym *s = &all[rndn((unsigned)nall)];
    size_t len = strlen(s->name);
    switch (kind) {
    case 1: /* a whole name, maybe with other case */
        snprintf(out, cap, "%s", s->name);
        if (rndn(2))
            for (char *c = out; *c; c++)
                *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
        break;
    case 2: { /* a fragment */
        size_t a = rndn((unsigned)len + 1), b = a + rndn((unsigned)(len - a) + 1);
        snprintf(out, cap, "%.*s", (int)(b - a), s->name + a);
        break;
    }
    case 3: /* a qualified suffix */
        snprintf(out, cap, "%s", s->qname);
        break;
    case 4: /* two words separated by a space */
        snprintf(out, cap, "%s %s", parts[rndn(ARRAY_SIZE(parts))], parts[rndn(ARRAY_SIZE(parts))]);
        break;
    default: { /* a prefix */
        size_t a = 1 + rndn((unsigned)len);
        snprintf(out, cap, "%.*s", (int)a, s->name);
        break;
    }
    }
}

static void check_all_modes(struct store *st, const char *dir, int npatterns)
{
    size_t nall;
    struct osym *all = load_all(dir, &nall);
    static const char *const fixed[] = {"",      "get",        "Server", "push back",
                                        "pushB", "ns1::Inner", "::get",  "app::ui::Widget",
                                        "utf8",  "äö",         "HTTP"};
    static const char *const regexes[] = {"^get", "server$", "p.sh", "(get|set)Http", "^a$"};

    for (int i = 0; i < npatterns + (int)ARRAY_SIZE(fixed); i++) {
        char pat[128];
        if (i < (int)ARRAY_SIZE(fixed))
            snprintf(pat, sizeof(pat), "%s", fixed[i]);
        else
            random_pattern(pat, sizeof(pat), all, nall);
        for (int m = STORE_MATCH_AUTO; m <= STORE_MATCH_SUBSTRING; m++) {
            if (m == STORE_MATCH_AUTO && (strstr(pat, "::") || strpbrk(pat, "^$.*+?()[]{}|\\")))
                continue;
            compare(st, all, nall, pat, (enum store_match)m, rndn(2));
        }
        if (strstr(pat, "::") || rndn(3) == 0) {
            char q[160];
            if (!strstr(pat, "::"))
                snprintf(q, sizeof(q), "%s", pat);
            else
                snprintf(q, sizeof(q), "%s", pat);
            if (*q && strcmp(q, "::") && !str_ends_with(q, "::"))
                compare(st, all, nall, q, STORE_MATCH_QUALIFIED, rndn(2));
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(regexes); i++)
        compare(st, all, nall, regexes[i], STORE_MATCH_REGEX, true);
    free_all(all, nall);
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_random_sequences_match_oracle(void **state)
{
    char *dir = tu_tmpdir("search");
    struct store *st = tu_open(dir, 0);
    struct fdata f;
    (void)state;

    rng_state = 42;
    for (int op = 0; op < 240; op++) {
        unsigned fileno = rndn(NFILES), what = rndn(10);
        struct err e = {0};
        if (what == 0) {
            char path[64];
            snprintf(path, sizeof(path), "/proj/%s/file%u.cpp", fileno % 4 ? "src" : "deps",
                     fileno);
            TU_OK(store_file_delete(st, path, &e), &e);
        } else {
            random_file(&f, fileno, (unsigned)op);
            write_file(st, fileno, &f, fileno % 4 != 0);
        }
        if (op % 60 == 59) {
            tu_assert_healthy(st);
            check_all_modes(st, dir, 25);
        }
    }
    store_close(st);
    tu_assert_dir_healthy(dir);
    tu_rmtree(dir);
    free(dir);
}

static void test_hostile_patterns(void **state)
{
    char *dir = tu_tmpdir("hostile");
    struct store *st = tu_open(dir, 0);
    struct fdata f;
    char big[10241];
    static const char *const pats[] = {"'",     "\"",      "*",
                                       "\"\"",  "NEAR(",   "NEAR(a b)",
                                       "::",    ".*",      "a AND b",
                                       "OR",    "NOT x",   "-",
                                       "^",     "col:val", "(",
                                       ")",     "\\",      "%",
                                       "_",     "\x7f",    "\xff\xfe",
                                       "😀",     "a\"b",    "{1,2}",
                                       "[",     "a::",     ":::",
                                       "::::x", "x::::y",  "?",
                                       "+",     "$",       "*get*",
                                       "get*",  "\"get\"", "g\"e\"t",
                                       " ",     "\t",      "a b c d e f g h i j k l"};
    (void)state;

    rng_state = 7;
    for (unsigned i = 0; i < 6; i++) {
        random_file(&f, i, 0);
        write_file(st, i, &f, true);
    }
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    for (size_t i = 0; i <= ARRAY_SIZE(pats); i++) {
        const char *p = i < ARRAY_SIZE(pats) ? pats[i] : big;
        for (int m = 0; m < STORE_MATCH_COUNT_; m++) {
            struct store_search_query q = {0};
            struct store_search_result r;
            struct err e = {0};
            int rc;
            q.pattern = p;
            q.match = (enum store_match)m;
            q.all_scopes = true;
            rc = store_search(st, &q, &r, &e);
            if (rc == 0) {
                store_search_result_release(&r);
                continue;
            }
            /* a clear error of ours, never a database or syntax error */
            if (rc != ERR_INVALID && rc != ERR_LIMIT)
                fail_msg("pattern '%s' mode %s: unexpected error %d: %s", p,
                         store_match_name((enum store_match)m), rc, e.msg);
            assert_true(strlen(e.msg) > 10);
            assert_null(strstr(e.msg, "fts5"));
            assert_null(strstr(e.msg, "syntax error"));
        }
    }
    /* results of the plain modes agree with the oracle for every hostile pattern */
    {
        size_t nall;
        struct osym *all = load_all(dir, &nall);
        for (size_t i = 0; i < ARRAY_SIZE(pats); i++)
            for (int m = STORE_MATCH_EXACT; m <= STORE_MATCH_SUBSTRING; m++)
                compare(st, all, nall, pats[i], (enum store_match)m, true);
        compare(st, all, nall, big, STORE_MATCH_SUBSTRING, true);
        free_all(all, nall);
    }
    /* a NUL byte inside the pattern is refused clearly */
    {
        struct store_search_query q = {0};
        struct store_search_result r;
        struct err e = {0};
        q.pattern = "get\0set";
        q.pattern_len = 7;
        assert_int_equal(store_search(st, &q, &r, &e), ERR_INVALID);
        assert_non_null(strstr(e.msg, "NUL"));
    }
    /* a regex that does not compile names itself and the offset */
    {
        struct store_search_query q = {0};
        struct store_search_result r;
        struct err e = {0};
        q.pattern = "get(";
        q.match = STORE_MATCH_REGEX;
        assert_int_equal(store_search(st, &q, &r, &e), ERR_INVALID);
        assert_non_null(strstr(e.msg, "get("));
        assert_non_null(strstr(e.msg, "offset"));
        /* in auto mode the same text is searched literally instead */
        q.match = STORE_MATCH_AUTO;
        assert_int_equal(store_search(st, &q, &r, &e), 0);
        store_search_result_release(&r);
    }
    /* limit bounds */
    {
        struct store_search_query q = {0};
        struct store_search_result r;
        struct err e = {0};
        q.pattern = "";
        q.limit = 1001;
        assert_int_equal(store_search(st, &q, &r, &e), ERR_INVALID);
        assert_non_null(strstr(e.msg, "1000"));
    }
    tu_assert_healthy(st);
    store_close(st);
    tu_rmtree(dir);
    free(dir);
}

static void test_regex_limits(void **state)
{
    char *dir = tu_tmpdir("regex");
    struct store *st = tu_open(dir, 0);
    struct store_symbol sym = {0};
    struct store_file_batch b = {0};
    struct store_search_query q = {0};
    struct store_search_result r;
    struct err e = {0};
    char name[64];
    int rc;
    (void)state;

    memset(name, 'a', 40);
    memcpy(name + 40, "!b", 3); /* the required 'b' is there, so the engine must backtrack */
    sym.usr = "c:@F@long";
    sym.name = name;
    sym.kind = STORE_KIND_FUNCTION;
    sym.is_definition = true;
    sym.range = (struct store_range){1, 1, 1, 10};
    b.path = "/proj/long.cpp";
    b.is_project = true;
    b.symbols = &sym;
    b.nsymbols = 1;
    TU_OK(store_file_replace(st, &b, &e), &e);
    /* catastrophic backtracking is cut off by the match limit, with a clear error */
    q.pattern = "^(a|aa|aaa)*(a|aa)*b";
    q.match = STORE_MATCH_REGEX;
    rc = store_search(st, &q, &r, &e);
    assert_int_equal(rc, ERR_LIMIT);
    assert_non_null(strstr(e.msg, "limit"));
    /* an ordinary regex over the same name works */
    q.pattern = "^a+!b$";
    TU_OK(store_search(st, &q, &r, &e), &e);
    assert_int_equal(r.total, 1);
    store_search_result_release(&r);
    tu_assert_healthy(st);
    store_close(st);
    tu_rmtree(dir);
    free(dir);
}

static void test_filters(void **state)
{
    char *dir = tu_tmpdir("filters");
    struct store *st = tu_open(dir, 0);
    struct store_symbol syms[4];
    struct store_file_batch b = {0};
    struct store_search_query q = {0};
    struct store_search_result r;
    struct err e = {0};
    (void)state;

    memset(syms, 0, sizeof(syms));
    syms[0] = (struct store_symbol){.usr = "c:@N@ui@S@View",
                                    .name = "View",
                                    .scope = "ui",
                                    .scope_ns = "ui",
                                    .kind = STORE_KIND_CLASS,
                                    .is_definition = true,
                                    .range = {1, 7, 5, 1}};
    syms[1] = (struct store_symbol){.usr = "c:@N@ui@S@View@F@draw#",
                                    .name = "draw",
                                    .scope = "ui::View",
                                    .scope_ns = "ui",
                                    .scope_kind = STORE_KIND_CLASS,
                                    .kind = STORE_KIND_METHOD,
                                    .is_definition = true,
                                    .range = {2, 10, 2, 20}};
    syms[2] = (struct store_symbol){.usr = "c:@F@draw#",
                                    .name = "draw",
                                    .kind = STORE_KIND_FUNCTION,
                                    .is_definition = true,
                                    .range = {7, 6, 9, 1}};
    syms[3] = (struct store_symbol){.usr = "c:@N@gfx@S@View",
                                    .name = "View",
                                    .scope = "gfx",
                                    .scope_ns = "gfx",
                                    .kind = STORE_KIND_STRUCT,
                                    .is_definition = true,
                                    .range = {11, 8, 12, 1}};
    b.path = "/proj/src/view.h";
    b.is_project = true;
    b.symbols = syms;
    b.nsymbols = 4;
    TU_OK(store_file_replace(st, &b, &e), &e);

    q.pattern = "draw";
    q.kinds = STORE_KIND_BIT(STORE_KIND_METHOD);
    TU_OK(store_search(st, &q, &r, &e), &e);
    assert_int_equal(r.total, 1);
    assert_string_equal(r.rows[0].qualified_name, "ui::View::draw");
    assert_string_equal(r.rows[0].parent, "ui::View");
    assert_string_equal(r.rows[0].namespace_, "ui");
    assert_string_equal(r.rows[0].location.file, "/proj/src/view.h");
    assert_int_equal(r.rows[0].location.line, 2);
    store_search_result_release(&r);

    q.kinds = 0;
    q.pattern = "View";
    q.namespace_ = "gfx";
    TU_OK(store_search(st, &q, &r, &e), &e);
    assert_int_equal(r.total, 1);
    assert_string_equal(r.rows[0].qualified_name, "gfx::View");
    store_search_result_release(&r);

    q.namespace_ = NULL;
    q.file = "src/view.h";
    TU_OK(store_search(st, &q, &r, &e), &e);
    assert_int_equal(r.total, 2);
    store_search_result_release(&r);
    q.file = "iew.h"; /* a suffix must stop at a path separator */
    TU_OK(store_search(st, &q, &r, &e), &e);
    assert_int_equal(r.total, 0);
    store_search_result_release(&r);

    q.file = NULL;
    q.pattern = "";
    q.scope = "ui::View";
    TU_OK(store_search(st, &q, &r, &e), &e);
    assert_int_equal(r.total, 1);
    assert_string_equal(r.rows[0].name, "draw");
    store_search_result_release(&r);

    /* qualified: suffix at :: boundaries, leading :: anchors to the global namespace */
    q.scope = NULL;
    q.pattern = "View::draw";
    TU_OK(store_search(st, &q, &r, &e), &e);
    assert_int_equal(r.mode, STORE_MATCH_QUALIFIED);
    assert_int_equal(r.total, 1);
    store_search_result_release(&r);
    q.pattern = "::draw";
    TU_OK(store_search(st, &q, &r, &e), &e);
    assert_int_equal(r.total, 1);
    assert_string_equal(r.rows[0].qualified_name, "draw");
    store_search_result_release(&r);
    q.pattern = "iew::draw"; /* not at a boundary */
    TU_OK(store_search(st, &q, &r, &e), &e);
    assert_int_equal(r.total, 0);
    store_search_result_release(&r);

    /* exact matches first, then the rest; case-insensitive; case-sensitive on request */
    q.pattern = "view";
    TU_OK(store_search(st, &q, &r, &e), &e);
    assert_int_equal(r.total, 2);
    assert_int_equal(r.rows[0].matched, STORE_MATCH_EXACT);
    store_search_result_release(&r);
    q.case_sensitive = true;
    TU_OK(store_search(st, &q, &r, &e), &e);
    assert_int_equal(r.total, 0);
    store_search_result_release(&r);

    tu_assert_healthy(st);
    store_close(st);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_regex_limits),
        cmocka_unit_test(test_hostile_patterns),
        cmocka_unit_test(test_random_sequences_match_oracle),
    };
    log_set_level(LOG_ERROR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
