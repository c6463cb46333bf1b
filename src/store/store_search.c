/*
 * store_search.c - symbol search in every mode.
 *
 * One order for all modes: (rank, project before dependencies, name case-insensitively, id),
 * where rank is 0 for an exact match, 1 for a prefix match, 2 for a sub-word match, 3 for a
 * substring match and 4 for anything else a mode accepts (regex, a qualified suffix).
 *
 *   exact, prefix, "" : ranges of the (is_project, name NOCASE) index, one segment per rank and
 *                       project flag, counted and paged in SQL without sorting;
 *   words, substring,
 *   auto (ranked)      : candidates from symbols_fts (store_fts.c explains the terms), each
 *                       verified and ranked by store_match.c, sorted and paged here;
 *   qualified          : the exact-name range of the last component, filtered by the suffix;
 *   regex              : PCRE2 over all names, with match and depth limits.
 *
 * The pattern never reaches SQL or FTS5 as syntax: it is bound as a value, and FTS terms are
 * built here from quoted tokens.
 */
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "store_int.h"

#define DEFAULT_LIMIT 50
#define MAX_LIMIT 1000
#define MAX_FTS_TERMS 12
/* Trigram terms per substring query: a few spread over the pattern filter as well as all of
 * them (every candidate is verified) and read far fewer document lists. */
#define MAX_TRIGRAM_TERMS 4
#define REGEX_MATCH_LIMIT 1000000u
#define REGEX_DEPTH_LIMIT 5000u

enum rank { RANK_EXACT = 0, RANK_PREFIX, RANK_WORDS, RANK_SUBSTRING, RANK_OTHER };

static const enum store_match rank_match[] = {STORE_MATCH_EXACT, STORE_MATCH_PREFIX,
                                              STORE_MATCH_WORDS, STORE_MATCH_SUBSTRING};

struct cand {
    int64_t id;
    int rank;
    int proj;
    const char *name;
};

struct search {
    struct store *st;
    const struct store_search_query *q;
    const char *pat;
    size_t plen;
    struct store_words pw;
    struct cand *c; /* a max-heap of the best `keep` candidates, then sorted */
    size_t n, alloc;
    size_t keep;    /* offset + limit */
    uint64_t total; /* every accepted candidate */
    struct err *err;
};

/* ---- rows ------------------------------------------------------------------------------- */

static const char *col_str(sqlite3_stmt *s, int i, struct arena *a)
{
    if (sqlite3_column_type(s, i) == SQLITE_NULL)
        return NULL;
    return arena_strdup(a, (const char *)sqlite3_column_text(s, i));
}

/* Fills rows[0..n) with the symbols ids[0..n), in that order: two statements for the page. */
static int fetch_rows(struct store *st, const int64_t *ids, size_t n, bool docs,
                      struct store_symbol_row *rows, struct arena *a, struct err *err)
{
    struct strbuf list = STRBUF_INIT;
    sqlite3_stmt *s;
    size_t found = 0;
    int rc;

    if (!n)
        return 0;
    strbuf_addch(&list, '[');
    for (size_t i = 0; i < n; i++)
        strbuf_addf(&list, "%s%lld", i ? "," : "", (long long)ids[i]);
    strbuf_addch(&list, ']');
    s = store_stmt(st, STMT_SEARCH_ROW);
    if (!s) {
        strbuf_release(&list);
        return store_db_err(st, err, sqlite3_errcode(st->db), "cannot read symbols");
    }
    sqlite3_bind_text(s, 1, list.buf, (int)list.len, SQLITE_STATIC);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t k = sqlite3_column_int64(s, 0);
        struct store_symbol_row *r;
        if (k < 0 || (size_t)k >= n)
            continue;
        r = &rows[k];
        found++;
        r->id = sqlite3_column_int64(s, 1);
        r->usr = col_str(s, 2, a);
        r->name = col_str(s, 3, a);
        r->qualified_name = col_str(s, 4, a);
        r->signature =
            store_sig_unpack(a, (const char *)sqlite3_column_text(s, 5), r->qualified_name);
        r->namespace_ = col_str(s, 6, a);
        r->parent = col_str(s, 7, a);
        r->kind = (enum store_kind)sqlite3_column_int(s, 8);
        r->access = (enum store_access)sqlite3_column_int(s, 9);
        r->template_kind = (enum store_template)sqlite3_column_int(s, 10);
        r->attrs = (unsigned)sqlite3_column_int(s, 11);
        r->is_project = sqlite3_column_int(s, 12) != 0;
        r->location.file = col_str(s, 13, a);
        r->location.line = (uint32_t)sqlite3_column_int(s, 14);
        r->location.col = (uint32_t)sqlite3_column_int(s, 15);
        if (docs) {
            r->brief = col_str(s, 16, a);
            r->doc = col_str(s, 17, a);
            r->template_params = col_str(s, 18, a);
        } else if (sqlite3_column_int(s, 19)) {
            r->definition = r->location; /* the location is the definition */
        }
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        strbuf_release(&list);
        return store_db_err(st, err, rc, "cannot read symbols");
    }
    if (found != n) {
        strbuf_release(&list);
        return err_set(err, ERR_NOTFOUND, "%zu of %zu symbols vanished while reading", n - found,
                       n);
    }

    if (!docs) {
        /* brief rows carry no extents: their location and definition are enough */
        strbuf_release(&list);
        return 0;
    }
    s = store_stmt(st, STMT_SEARCH_DECLS);
    if (!s) {
        strbuf_release(&list);
        return store_db_err(st, err, sqlite3_errcode(st->db), "cannot read declarations");
    }
    sqlite3_bind_text(s, 1, list.buf, (int)list.len, SQLITE_STATIC);
    /* per symbol: the first definition and the first declaration in (path, line, col) order */
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t k = sqlite3_column_int64(s, 0);
        bool is_def = sqlite3_column_int(s, 2) != 0;
        const char *path = (const char *)sqlite3_column_text(s, 1);
        uint32_t line = (uint32_t)sqlite3_column_int(s, 3),
                 col = (uint32_t)sqlite3_column_int(s, 4);
        struct store_location *l;
        if (k < 0 || (size_t)k >= n || !path)
            continue;
        l = is_def ? &rows[k].definition : &rows[k].declaration;
        if (l->file) {
            int c = strcmp(path, l->file);
            if (c > 0 || (c == 0 && (line > l->line || (line == l->line && col >= l->col))))
                continue;
        }
        l->file = arena_strdup(a, path);
        l->line = line;
        l->col = col;
        l->end_line = (uint32_t)sqlite3_column_int(s, 5);
        l->end_col = (uint32_t)sqlite3_column_int(s, 6);
    }
    sqlite3_reset(s);
    strbuf_release(&list);
    if (rc != SQLITE_DONE)
        return store_db_err(st, err, rc, "cannot read declarations");
    for (size_t i = 0; i < n; i++) {
        struct store_symbol_row *r = &rows[i];
        if (!r->declaration.file)
            r->declaration = r->definition;
        if (r->location.file) {
            const struct store_location *best =
                r->definition.file ? &r->definition : &r->declaration;
            if (best->file && !strcmp(best->file, r->location.file) &&
                best->line == r->location.line && best->col == r->location.col) {
                r->location.end_line = best->end_line;
                r->location.end_col = best->end_col;
            }
        }
    }
    return 0;
}

static void bind_filters(struct search *sr, sqlite3_stmt *s)
{
    const struct store_search_query *q = sr->q;
    sqlite3_bind_int64(s, 3, q->kinds);
    store_bind_text(s, 4, q->namespace_);
    store_bind_text(s, 5, q->file && *q->file ? q->file : NULL);
    store_bind_text(s, 6, q->scope);
}

/* ---- index segments (exact, prefix, everything) ------------------------------------------ */

/* The smallest string above every string that starts with lo under NOCASE ordering. */
static char *nocase_upper_bound(const char *lo, size_t len)
{
    char *hi = xstrndup(lo, len);
    size_t n = len;
    while (n > 0 && (unsigned char)hi[n - 1] == 0xFF)
        n--;
    if (n == 0) {
        free(hi);
        return xstrdup("\xF7\xBF\xBF\xBF\xF7\xBF\xBF\xBF");
    }
    hi[n - 1] = (char)((unsigned char)hi[n - 1] + 1);
    /* Under NOCASE no folded string has A-Z: the byte after '@' that can occur is '['. */
    if (hi[n - 1] == 'A')
        hi[n - 1] = '[';
    hi[n] = '\0';
    return hi;
}

struct segment {
    enum store_stmt count_stmt, page_stmt;
    int proj;
    int rank;
    uint64_t count;
};

static int segment_bind(struct search *sr, sqlite3_stmt *s, const struct segment *g, const char *lo,
                        const char *hi, const char *exclude)
{
    sqlite3_bind_int(s, 1, g->proj);
    sqlite3_bind_text(s, 2, lo, -1, SQLITE_STATIC);
    bind_filters(sr, s);
    sqlite3_bind_int(s, 7, sr->q->case_sensitive);
    if (g->count_stmt == STMT_SEARCH_PREFIX_COUNT) {
        store_bind_text(s, 8, exclude);
        sqlite3_bind_text(s, 11, hi, -1, SQLITE_STATIC);
    }
    return 0;
}

static int run_segments(struct search *sr, struct segment *segs, size_t nseg,
                        struct store_search_result *out, struct arena *a)
{
    struct store *st = sr->st;
    const struct store_search_query *q = sr->q;
    uint32_t limit = q->limit ? q->limit : DEFAULT_LIMIT;
    char *lo = NULL, *hi = NULL;
    uint64_t total = 0, skip = q->offset;
    size_t want = limit, got = 0;
    int rc = 0;

    /* exact ranges compare the pattern as given; prefix ranges need lower case for the bound */
    lo = xstrndup(sr->pat, sr->plen);
    {
        char *low = xstrndup(sr->pat, sr->plen);
        for (size_t i = 0; i < sr->plen; i++)
            low[i] = (char)ascii_lower((unsigned char)low[i]);
        hi = nocase_upper_bound(low, sr->plen);
        free(low);
    }
    for (size_t i = 0; i < nseg; i++) {
        sqlite3_stmt *s = store_stmt(st, segs[i].count_stmt);
        const char *exclude = segs[i].rank == RANK_PREFIX && sr->plen ? lo : NULL;
        if (!s) {
            rc = store_db_err(st, sr->err, sqlite3_errcode(st->db), "cannot search");
            goto out;
        }
        segment_bind(sr, s, &segs[i], lo, hi, exclude);
        rc = sqlite3_step(s);
        segs[i].count = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(s, 0) : 0;
        sqlite3_reset(s);
        if (rc != SQLITE_ROW) {
            rc = store_db_err(st, sr->err, rc, "cannot search");
            goto out;
        }
        rc = 0;
        total += segs[i].count;
    }
    out->rows = arena_alloc(a, sizeof(*out->rows) * limit);
    for (size_t i = 0; i < nseg && got < want; i++) {
        sqlite3_stmt *s;
        const char *exclude = segs[i].rank == RANK_PREFIX && sr->plen ? lo : NULL;
        int64_t *ids;
        size_t nids = 0;
        if (skip >= segs[i].count) {
            skip -= segs[i].count;
            continue;
        }
        s = store_stmt(st, segs[i].page_stmt);
        if (!s) {
            rc = store_db_err(st, sr->err, sqlite3_errcode(st->db), "cannot search");
            goto out;
        }
        segment_bind(sr, s, &segs[i], lo, hi, exclude);
        sqlite3_bind_int64(s, 9, (int64_t)(want - got));
        sqlite3_bind_int64(s, 10, (int64_t)skip);
        skip = 0;
        ids = xmalloc(sizeof(*ids) * (want - got));
        while (nids < want - got && (rc = sqlite3_step(s)) == SQLITE_ROW)
            ids[nids++] = sqlite3_column_int64(s, 0);
        sqlite3_reset(s);
        rc = fetch_rows(st, ids, nids, q->include_docs, &out->rows[got], a, sr->err);
        for (size_t k = 0; k < nids; k++)
            out->rows[got + k].matched =
                segs[i].rank < RANK_OTHER ? rank_match[segs[i].rank] : out->mode;
        got += nids;
        free(ids);
        if (rc)
            goto out;
    }
    out->n = got;
    out->total = total;
    out->truncated = q->offset + got < total;
    out->next_offset = out->truncated ? q->offset + got : 0;
out:
    free(lo);
    free(hi);
    return rc;
}

static int search_index(struct search *sr, int max_rank, struct store_search_result *out,
                        struct arena *a)
{
    struct segment segs[4];
    size_t n = 0;
    bool all = sr->q->all_scopes;
    if (sr->plen && max_rank >= RANK_EXACT) {
        segs[n++] =
            (struct segment){STMT_SEARCH_EXACT_COUNT, STMT_SEARCH_EXACT_PAGE, 1, RANK_EXACT, 0};
        if (all)
            segs[n++] =
                (struct segment){STMT_SEARCH_EXACT_COUNT, STMT_SEARCH_EXACT_PAGE, 0, RANK_EXACT, 0};
    }
    if (max_rank >= RANK_PREFIX) {
        segs[n++] =
            (struct segment){STMT_SEARCH_PREFIX_COUNT, STMT_SEARCH_PREFIX_PAGE, 1, RANK_PREFIX, 0};
        if (all)
            segs[n++] = (struct segment){STMT_SEARCH_PREFIX_COUNT, STMT_SEARCH_PREFIX_PAGE, 0,
                                         RANK_PREFIX, 0};
    }
    return run_segments(sr, segs, n, out, a);
}

/* ---- candidate lists (FTS, qualified, regex) --------------------------------------------- */

static int cand_cmp(const void *pa, const void *pb)
{
    const struct cand *a = pa, *b = pb;
    if (a->rank != b->rank)
        return a->rank - b->rank;
    if (a->proj != b->proj)
        return b->proj - a->proj;
    {
        int c = strcmp(a->name, b->name);
        if (c)
            return c;
    }
    return a->id < b->id ? -1 : a->id > b->id;
}

/* The heap keeps the `keep` best candidates with the worst at the root (a max-heap). */
static void heap_down(struct cand *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && cand_cmp(&h[l], &h[m]) > 0)
            m = l;
        if (r < n && cand_cmp(&h[r], &h[m]) > 0)
            m = r;
        if (m == i)
            return;
        {
            struct cand t = h[i];
            h[i] = h[m];
            h[m] = t;
        }
        i = m;
    }
}

static void heap_up(struct cand *h, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (cand_cmp(&h[i], &h[p]) <= 0)
            return;
        {
            struct cand t = h[i];
            h[i] = h[p];
            h[p] = t;
        }
        i = p;
    }
}

/*
 * Counts a match and keeps it only while it is among the best offset + limit: memory and sort
 * time follow the page asked for, not the number of matches (a broad regex over a large
 * project would otherwise hold every matching name).
 */
static void add_cand(struct search *sr, int64_t id, int rank, int proj, const char *name)
{
    size_t len = strlen(name);
    struct cand c = {id, rank, proj, NULL};
    char *f;

    sr->total++;
    if (!sr->keep)
        return;
    /* folded once here, so comparisons use plain strcmp: the NOCASE order */
    f = xmalloc(len + 1);
    for (size_t i = 0; i < len; i++)
        f[i] = (char)ascii_lower((unsigned char)name[i]);
    f[len] = '\0';
    c.name = f;
    if (sr->n < sr->keep) {
        ALLOC_GROW(sr->c, sr->n + 1, sr->alloc);
        sr->c[sr->n] = c;
        heap_up(sr->c, sr->n++);
    } else if (cand_cmp(&c, &sr->c[0]) < 0) {
        free((char *)sr->c[0].name);
        sr->c[0] = c;
        heap_down(sr->c, sr->n, 0);
    } else {
        free(f);
    }
}

static void free_cands(struct search *sr)
{
    for (size_t i = 0; i < sr->n; i++)
        free((char *)sr->c[i].name);
    free(sr->c);
    sr->c = NULL;
    sr->n = sr->alloc = 0;
}

static int page_cands(struct search *sr, struct store_search_result *out, struct arena *a)
{
    const struct store_search_query *q = sr->q;
    uint32_t limit = q->limit ? q->limit : DEFAULT_LIMIT;
    size_t got = 0;
    int rc = 0;

    if (sr->n)
        qsort(sr->c, sr->n, sizeof(*sr->c), cand_cmp);
    out->rows = arena_alloc(a, sizeof(*out->rows) * limit);
    {
        int64_t *ids = xmalloc(sizeof(*ids) * limit);
        for (uint64_t i = q->offset; i < sr->n && got < limit; i++)
            ids[got++] = sr->c[i].id;
        rc = fetch_rows(sr->st, ids, got, q->include_docs, out->rows, a, sr->err);
        free(ids);
        if (rc)
            return rc;
        for (size_t k = 0; k < got; k++) {
            int rank = sr->c[q->offset + k].rank;
            out->rows[k].matched = rank < RANK_OTHER ? rank_match[rank] : out->mode;
        }
    }
    out->n = got;
    out->total = sr->total;
    out->truncated = q->offset + got < sr->total;
    out->next_offset = out->truncated ? q->offset + got : 0;
    return 0;
}

static void add_fts_term(struct strbuf *sb, const char *tok, size_t len, bool prefix)
{
    if (sb->len)
        strbuf_adds(sb, " AND ");
    strbuf_addch(sb, '"');
    for (size_t i = 0; i < len; i++) {
        if (tok[i] == '"')
            strbuf_addch(sb, '"');
        strbuf_addch(sb, tok[i]);
    }
    strbuf_addch(sb, '"');
    if (prefix)
        strbuf_addch(sb, '*');
}

/* AND of prefix terms on the pattern's sub-words; empty when the pattern has none. */
static void words_query(struct search *sr, struct strbuf *sb)
{
    for (size_t i = 0; i < sr->pw.n && i < MAX_FTS_TERMS; i++) {
        char tok[202];
        size_t len = sr->pw.len[i] > 200 ? 200 : sr->pw.len[i];
        tok[0] = 'w';
        for (size_t j = 0; j < len; j++)
            tok[1 + j] = (char)ascii_lower((unsigned char)sr->pw.start[i][j]);
        add_fts_term(sb, tok, len + 1, true);
    }
}

/* AND of trigram terms (or one prefix term for a pattern of one or two characters). */
static void substring_query(struct search *sr, struct strbuf *sb)
{
    const unsigned char *p = (const unsigned char *)sr->pat;
    size_t *starts = xmalloc(sizeof(*starts) * (sr->plen + 1));
    size_t nch = 0, i = 0;
    char tok[1 + 3 * 4];

    while (i < sr->plen) {
        starts[nch++] = i;
        i += store_utf8_len(p + i, sr->plen - i);
    }
    starts[nch] = sr->plen;
    if (nch == 0) {
        free(starts);
        return;
    }
    if (nch < 3) {
        size_t len = sr->plen;
        tok[0] = 't';
        for (size_t j = 0; j < len; j++)
            tok[1 + j] = (char)ascii_lower(p[j]);
        add_fts_term(sb, tok, len + 1, true);
    } else {
        size_t ntri = nch - 2, step = ntri > MAX_TRIGRAM_TERMS ? ntri / MAX_TRIGRAM_TERMS + 1 : 1;
        for (size_t t = 0; t < ntri; t += step) {
            size_t a = starts[t], b = starts[t + 3];
            tok[0] = 't';
            for (size_t j = a; j < b; j++)
                tok[1 + j - a] = (char)ascii_lower(p[j]);
            add_fts_term(sb, tok, b - a + 1, false);
        }
        if ((ntri - 1) % step) {
            size_t a = starts[ntri - 1], b = starts[ntri + 2];
            tok[0] = 't';
            for (size_t j = a; j < b; j++)
                tok[1 + j - a] = (char)ascii_lower(p[j]);
            add_fts_term(sb, tok, b - a + 1, false);
        }
    }
    free(starts);
}

static int classify(struct search *sr, const char *name, enum store_match mode)
{
    bool cs = sr->q->case_sensitive;
    bool exact = store_match_exact(name, sr->pat, sr->plen, cs);
    bool prefix = exact || store_match_prefix(name, sr->pat, sr->plen, cs);
    bool words = store_match_words(name, &sr->pw, cs);
    bool sub = prefix || store_match_substring(name, sr->pat, sr->plen, cs);

    if (mode == STORE_MATCH_WORDS && !words)
        return -1;
    if (mode == STORE_MATCH_SUBSTRING && !sub)
        return -1;
    if (!words && !sub)
        return -1;
    if (exact)
        return RANK_EXACT;
    if (prefix)
        return RANK_PREFIX;
    if (words)
        return RANK_WORDS;
    return RANK_SUBSTRING;
}

static int search_fts(struct search *sr, enum store_match mode)
{
    struct strbuf w = STRBUF_INIT, t = STRBUF_INIT, qry = STRBUF_INIT;
    sqlite3_stmt *s;
    int rc;

    if (mode != STORE_MATCH_SUBSTRING)
        words_query(sr, &w);
    if (mode != STORE_MATCH_WORDS)
        substring_query(sr, &t);
    if (w.len && t.len)
        strbuf_addf(&qry, "(%s) OR (%s)", w.buf, t.buf);
    else
        strbuf_adds(&qry, w.len ? w.buf : t.buf);
    strbuf_release(&w);
    strbuf_release(&t);
    if (!qry.len) {
        strbuf_release(&qry);
        return 0; /* nothing to look for: an empty result */
    }
    s = store_stmt(sr->st, STMT_SEARCH_FTS);
    if (!s) {
        strbuf_release(&qry);
        return store_db_err(sr->st, sr->err, sqlite3_errcode(sr->st->db), "cannot search");
    }
    sqlite3_bind_text(s, 1, qry.buf, (int)qry.len, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 2, sr->q->all_scopes);
    bind_filters(sr, s);
    strbuf_release(&qry);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 2);
        int rank = classify(sr, name ? name : "", mode);
        if (rank >= 0)
            add_cand(sr, sqlite3_column_int64(s, 0), rank, sqlite3_column_int(s, 1), name);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_db_err(sr->st, sr->err, rc, "cannot search");
    return 0;
}

/* "a::b::c" matches qualified names equal to it or ending in "::a::b::c"; "::c" only "c". */
static bool qualified_match(const char *qname, const char *pat, size_t plen, bool anchored, bool cs)
{
    size_t ql = strlen(qname);
    if (ql < plen)
        return false;
    if (cs ? memcmp(qname + ql - plen, pat, plen) != 0
           : !str_ncase_eq(qname + ql - plen, pat, plen))
        return false;
    if (ql == plen)
        return true;
    return !anchored && ql - plen >= 2 && qname[ql - plen - 1] == ':' &&
           qname[ql - plen - 2] == ':';
}

static int search_qualified(struct search *sr)
{
    const char *pat = sr->pat;
    size_t plen = sr->plen;
    bool anchored = false;
    const char *last = pat;
    struct strbuf qn = STRBUF_INIT;
    sqlite3_stmt *s;
    int rc = 0;

    if (plen >= 2 && pat[0] == ':' && pat[1] == ':') {
        anchored = true;
        pat += 2;
        plen -= 2;
    }
    for (const char *p = pat;
         p < pat + plen - 1 && (p = memmem(p, (size_t)(pat + plen - p), "::", 2)) != NULL; p += 2)
        last = p + 2;
    if (last < pat)
        last = pat;
    if (plen == 0 || last >= pat + plen)
        return err_set(sr->err, ERR_INVALID,
                       "qualified pattern '%.*s' has no name after the last '::'", (int)sr->plen,
                       sr->pat);
    for (int proj = 1; proj >= 0 && !rc; proj--) {
        if (!proj && !sr->q->all_scopes)
            break;
        s = store_stmt(sr->st, STMT_SEARCH_QUALIFIED);
        if (!s)
            return store_db_err(sr->st, sr->err, sqlite3_errcode(sr->st->db), "cannot search");
        sqlite3_bind_int(s, 1, proj);
        sqlite3_bind_text(s, 2, last, (int)(pat + plen - last), SQLITE_TRANSIENT);
        bind_filters(sr, s);
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            const char *name = (const char *)sqlite3_column_text(s, 2);
            const char *scope = (const char *)sqlite3_column_text(s, 3);
            strbuf_reset(&qn);
            if (scope && *scope) {
                strbuf_adds(&qn, scope);
                strbuf_adds(&qn, "::");
            }
            strbuf_adds(&qn, name ? name : "");
            if (qualified_match(qn.buf, pat, plen, anchored, sr->q->case_sensitive))
                add_cand(sr, sqlite3_column_int64(s, 0), qn.len == plen ? RANK_EXACT : RANK_OTHER,
                         sqlite3_column_int(s, 1), name ? name : "");
        }
        sqlite3_reset(s);
        rc = rc == SQLITE_DONE ? 0 : store_db_err(sr->st, sr->err, rc, "cannot search");
    }
    strbuf_release(&qn);
    return rc;
}

static bool has_regex_syntax(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strchr("^$.*+?()[]{}|\\", p[i]))
            return true;
    return false;
}

static int regex_compile(struct search *sr, pcre2_code **out)
{
    int errcode;
    PCRE2_SIZE erroff;
    uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_NO_UTF_CHECK;
    pcre2_code *re;
    if (!sr->q->case_sensitive)
        opts |= PCRE2_CASELESS;
    re = pcre2_compile((PCRE2_SPTR)sr->pat, sr->plen, opts & ~PCRE2_NO_UTF_CHECK, &errcode, &erroff,
                       NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(errcode, msg, sizeof(msg));
        return err_set(sr->err, ERR_INVALID, "regex '%.*s' does not compile at offset %zu: %s",
                       (int)(sr->plen > 200 ? 200 : sr->plen), sr->pat, (size_t)erroff,
                       (const char *)msg);
    }
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    *out = re;
    return 0;
}

static int search_regex(struct search *sr, pcre2_code *re)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    pcre2_match_context *mc = pcre2_match_context_create(NULL);
    sqlite3_stmt *s;
    int rc = 0;

    pcre2_set_match_limit(mc, REGEX_MATCH_LIMIT);
    pcre2_set_depth_limit(mc, REGEX_DEPTH_LIMIT);
    s = store_stmt(sr->st, STMT_SEARCH_ALL_NAMES);
    if (!s) {
        rc = store_db_err(sr->st, sr->err, sqlite3_errcode(sr->st->db), "cannot search");
        goto out;
    }
    sqlite3_bind_null(s, 1);
    sqlite3_bind_int(s, 2, sr->q->all_scopes);
    bind_filters(sr, s);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 2);
        int m;
        if (!name)
            continue;
        m = pcre2_match(re, (PCRE2_SPTR)name, PCRE2_ZERO_TERMINATED, 0, 0, md, mc);
        if (m >= 0) {
            int rank = store_match_exact(name, sr->pat, sr->plen, sr->q->case_sensitive)
                           ? RANK_EXACT
                           : RANK_OTHER;
            add_cand(sr, sqlite3_column_int64(s, 0), rank, sqlite3_column_int(s, 1), name);
        } else if (m == PCRE2_ERROR_MATCHLIMIT || m == PCRE2_ERROR_DEPTHLIMIT ||
                   m == PCRE2_ERROR_HEAPLIMIT || m == PCRE2_ERROR_JIT_STACKLIMIT) {
            rc = err_set(sr->err, ERR_LIMIT,
                         "regex '%.*s' hit its match limit on '%s'; use a simpler pattern",
                         (int)(sr->plen > 200 ? 200 : sr->plen), sr->pat, name);
            sqlite3_reset(s);
            goto out;
        }
    }
    sqlite3_reset(s);
    rc = rc == SQLITE_DONE ? 0 : store_db_err(sr->st, sr->err, rc, "cannot search");
out:
    pcre2_match_context_free(mc);
    pcre2_match_data_free(md);
    return rc;
}

static enum store_query_kind qkind_of(enum store_match m, bool auto_mode)
{
    if (auto_mode && m == STORE_MATCH_AUTO)
        return STORE_Q_SEARCH_AUTO;
    switch (m) {
    case STORE_MATCH_EXACT:
        return STORE_Q_SEARCH_EXACT;
    case STORE_MATCH_PREFIX:
        return STORE_Q_SEARCH_PREFIX;
    case STORE_MATCH_WORDS:
        return STORE_Q_SEARCH_WORDS;
    case STORE_MATCH_SUBSTRING:
        return STORE_Q_SEARCH_SUBSTRING;
    case STORE_MATCH_QUALIFIED:
        return STORE_Q_SEARCH_QUALIFIED;
    case STORE_MATCH_REGEX:
        return STORE_Q_SEARCH_REGEX;
    default:
        return STORE_Q_SEARCH_AUTO;
    }
}

int store_search(struct store *st, const struct store_search_query *q,
                 struct store_search_result *out, struct err *err)
{
    struct search sr = {0};
    struct arena *a;
    pcre2_code *re = NULL;
    enum store_match mode;
    uint64_t t0 = time_mono_ns();
    bool reading = false;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    if (!q || !q->pattern)
        return err_set(err, ERR_INVALID, "no search pattern given");
    if ((unsigned)q->match >= STORE_MATCH_COUNT_)
        return err_set(err, ERR_INVALID, "unknown match mode %d", (int)q->match);
    if (q->limit > MAX_LIMIT)
        return err_set(err, ERR_INVALID, "limit %u is over the maximum of %d", q->limit, MAX_LIMIT);
    sr.st = st;
    sr.q = q;
    sr.pat = q->pattern;
    sr.plen = q->pattern_len ? q->pattern_len : strlen(q->pattern);
    sr.err = err;
    sr.keep = (size_t)(q->offset + (q->limit ? q->limit : DEFAULT_LIMIT));
    if (memchr(sr.pat, '\0', sr.plen))
        return err_set(err, ERR_INVALID, "the pattern contains a NUL byte");
    store_split_words(sr.pat, sr.plen, &sr.pw);

    mode = q->match;
    if (mode == STORE_MATCH_AUTO) {
        if (sr.plen == 0)
            mode = STORE_MATCH_PREFIX;
        else if (memmem(sr.pat, sr.plen, "::", 2))
            mode = STORE_MATCH_QUALIFIED;
        else if (has_regex_syntax(sr.pat, sr.plen) && regex_compile(&sr, &re) == 0)
            mode = STORE_MATCH_REGEX;
        else
            mode = STORE_MATCH_AUTO;
        err_clear(err);
    } else if (mode == STORE_MATCH_REGEX) {
        rc = regex_compile(&sr, &re);
        if (rc)
            return rc;
    }
    rc = store_read_begin(st, &reading, err);
    if (rc) {
        pcre2_code_free(re);
        return rc;
    }
    a = xcalloc(1, sizeof(*a));
    out->mem_ = a;
    out->mode = mode;

    switch (mode) {
    case STORE_MATCH_EXACT:
        rc = sr.plen ? search_index(&sr, RANK_EXACT, out, a) : 0;
        break;
    case STORE_MATCH_PREFIX:
        rc = search_index(&sr, RANK_PREFIX, out, a);
        break;
    case STORE_MATCH_SUBSTRING:
        if (sr.plen == 0) {
            rc = search_index(&sr, RANK_PREFIX, out, a);
            break;
        }
        /* fall through */
    case STORE_MATCH_WORDS:
    case STORE_MATCH_AUTO:
        rc = search_fts(&sr, mode);
        if (!rc)
            rc = page_cands(&sr, out, a);
        break;
    case STORE_MATCH_QUALIFIED:
        rc = search_qualified(&sr);
        if (!rc)
            rc = page_cands(&sr, out, a);
        break;
    case STORE_MATCH_REGEX:
        rc = search_regex(&sr, re);
        if (!rc)
            rc = page_cands(&sr, out, a);
        break;
    default:
        BUG("unhandled match mode %d", (int)mode);
    }
    store_read_end(st, reading);
    pcre2_code_free(re);
    free_cands(&sr);
    if (rc) {
        store_search_result_release(out);
        return rc;
    }
    if (!out->rows)
        out->rows = arena_alloc(a, sizeof(*out->rows));
    store_qstat_record(st, qkind_of(mode, q->match == STORE_MATCH_AUTO), time_mono_ns() - t0);
    return 0;
}

void store_search_result_release(struct store_search_result *r)
{
    if (!r)
        return;
    if (r->mem_) {
        arena_release(r->mem_);
        free(r->mem_);
    }
    memset(r, 0, sizeof(*r));
}

int store_symbol_by_usr(struct store *st, const char *usr, struct store_search_result *out,
                        struct err *err)
{
    sqlite3_stmt *s;
    struct arena *a;
    uint64_t t0 = time_mono_ns();
    bool reading = false;
    int64_t id = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!usr || !*usr)
        return err_set(err, ERR_INVALID, "no usr given");
    s = store_stmt(st, STMT_SYM_BY_KEY);
    if (!s)
        return store_db_err(st, err, sqlite3_errcode(st->db), "cannot look up a symbol");
    sqlite3_bind_int64(s, 1, hash_key31(usr));
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *u = (const char *)sqlite3_column_text(s, 1);
        if (u && !strcmp(u, usr)) {
            id = sqlite3_column_int64(s, 0);
            break;
        }
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_db_err(st, err, rc, "cannot look up a symbol");
    if (!id)
        return err_set(err, ERR_NOTFOUND, "no symbol with usr '%s'", usr);
    a = xcalloc(1, sizeof(*a));
    out->mem_ = a;
    out->rows = arena_alloc(a, sizeof(*out->rows));
    rc = store_read_begin(st, &reading, err);
    if (!rc)
        rc = fetch_rows(st, &id, 1, true, out->rows, a, err);
    store_read_end(st, reading);
    if (rc) {
        store_search_result_release(out);
        return rc;
    }
    out->n = 1;
    out->total = 1;
    out->mode = STORE_MATCH_EXACT;
    store_qstat_record(st, STORE_Q_LOOKUP_USR, time_mono_ns() - t0);
    return 0;
}
