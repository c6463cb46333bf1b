/*
 * store_fts.c - the "cidx" FTS5 tokenizer behind symbols_fts.
 *
 * A symbol name is indexed as two families of terms, told apart by their first byte:
 *   'w' + each lower-cased sub-word ("pushBack" -> wpush, wback): sub-word search is an AND of
 *       prefix queries on these terms;
 *   't' + each lower-cased character trigram, the name padded with two END characters so that
 *       every substring of one or two characters is the prefix of some trigram: substring search
 *       is an AND of trigram terms (or one prefix query for short patterns).
 * Queries are built by store_search.c from quoted terms, so in query mode the tokenizer passes
 * its input through unchanged. FTS only finds candidates; store_match.c decides, so a query can
 * never return a wrong row, only cost time. The table is detail=none: no positions are stored.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define TOKEN_MAX_WORD 200
#define END_CHAR 0x7F

struct cidx_tokenizer {
    int unused;
};

static int tok_create(void *ctx, const char **argv, int argc, Fts5Tokenizer **out)
{
    (void)ctx;
    (void)argv;
    (void)argc;
    *out = (Fts5Tokenizer *)xcalloc(1, sizeof(struct cidx_tokenizer));
    return SQLITE_OK;
}

static void tok_delete(Fts5Tokenizer *t)
{
    free(t);
}

typedef int (*token_fn)(void *, int, const char *, int, int, int);

static int emit_words(void *pctx, token_fn xtoken, const char *text, int ntext)
{
    struct store_words w;
    char buf[TOKEN_MAX_WORD + 2];
    store_split_words(text, (size_t)ntext, &w);
    for (size_t i = 0; i < w.n; i++) {
        size_t len = w.len[i] > TOKEN_MAX_WORD ? TOKEN_MAX_WORD : w.len[i];
        int rc;
        buf[0] = 'w';
        for (size_t j = 0; j < len; j++)
            buf[1 + j] = (char)ascii_lower((unsigned char)w.start[i][j]);
        rc = xtoken(pctx, 0, buf, (int)len + 1, (int)(w.start[i] - text),
                    (int)(w.start[i] - text + (long)w.len[i]));
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

static int emit_trigrams(void *pctx, token_fn xtoken, const char *text, int ntext)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t pos[3], len[3];
    size_t i = 0, n = (size_t)ntext;

    while (i < n) {
        size_t at = i, k;
        char buf[1 + 3 * 4];
        size_t blen = 1;
        /* the character at i and the next two (or END) */
        for (k = 0; k < 3; k++) {
            if (at < n) {
                pos[k] = at;
                len[k] = store_utf8_len(p + at, n - at);
                at += len[k];
            } else {
                len[k] = 0;
            }
        }
        buf[0] = 't';
        for (k = 0; k < 3; k++) {
            if (len[k]) {
                for (size_t j = 0; j < len[k]; j++)
                    buf[blen++] = (char)ascii_lower(p[pos[k] + j]);
            } else {
                buf[blen++] = (char)END_CHAR;
            }
        }
        {
            int rc = xtoken(pctx, 0, buf, (int)blen, (int)i, (int)(i + len[0]));
            if (rc != SQLITE_OK)
                return rc;
        }
        i += len[0];
    }
    return SQLITE_OK;
}

struct collect {
    void (*fn)(const char *tok, int n, void *payload);
    void *payload;
};

static int collect_token(void *ctx, int flags, const char *tok, int n, int start, int end)
{
    struct collect *c = ctx;
    (void)flags;
    (void)start;
    (void)end;
    c->fn(tok, n, c->payload);
    return SQLITE_OK;
}

void store_fts_tokens(const char *text, int len, void (*fn)(const char *tok, int n, void *payload),
                      void *payload)
{
    struct collect c = {fn, payload};
    if (len <= 0)
        return;
    emit_words(&c, collect_token, text, len);
    emit_trigrams(&c, collect_token, text, len);
}

static int tok_tokenize(Fts5Tokenizer *t, void *pctx, int flags, const char *text, int ntext,
                        token_fn xtoken)
{
    int rc;
    (void)t;
    if (ntext <= 0)
        return SQLITE_OK;
    if (flags & FTS5_TOKENIZE_QUERY)
        return xtoken(pctx, 0, text, ntext, 0, ntext);
    rc = emit_words(pctx, xtoken, text, ntext);
    if (rc == SQLITE_OK)
        rc = emit_trigrams(pctx, xtoken, text, ntext);
    return rc;
}

static fts5_api *fts5_api_of(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
        sqlite3_step(s);
    }
    sqlite3_finalize(s);
    return api;
}

int store_fts_register(sqlite3 *db, struct err *err)
{
    static fts5_tokenizer tok = {tok_create, tok_delete, tok_tokenize};
    fts5_api *api = fts5_api_of(db);
    if (!api || api->iVersion < 2)
        return err_set(err, ERR_DB, "this SQLite has no FTS5 (needed for search)");
    if (api->xCreateTokenizer(api, "cidx", NULL, &tok, NULL) != SQLITE_OK)
        return err_set(err, ERR_DB, "cannot register the search tokenizer: %s", sqlite3_errmsg(db));
    return 0;
}
