/*
 * tu_symgen.c - see tu_symgen.h.
 */
#include <stdlib.h>
#include <string.h>

#include "tu_symgen.h"

void tu_batch_init(struct tu_batch *tb, const char *path, const char *prefix, size_t nsyms,
                   size_t doc_bytes)
{
    char *doc = NULL;

    memset(tb, 0, sizeof(*tb));
    tb->syms = xcalloc(nsyms ? nsyms : 1, sizeof(*tb->syms));
    tb->refs = xcalloc(nsyms ? nsyms : 1, sizeof(*tb->refs));
    if (doc_bytes) {
        doc = arena_alloc(&tb->mem, doc_bytes + 1);
        for (size_t i = 0; i < doc_bytes; i++)
            doc[i] = (char)('a' + (char)(i % 26));
    }
    for (size_t i = 0; i < nsyms; i++) {
        struct store_symbol *s = &tb->syms[i];
        char *name = xasprintf("%s_%zu", prefix, i);
        char *usr = xasprintf("c:@tu@%s", name);

        s->usr = arena_strdup(&tb->mem, usr);
        s->name = arena_strdup(&tb->mem, name);
        s->scope = "";
        s->scope_kind = STORE_KIND_NAMESPACE;
        s->kind = i % 2 ? STORE_KIND_CLASS : STORE_KIND_FUNCTION;
        s->signature = s->kind == STORE_KIND_FUNCTION ? "void ()" : NULL;
        s->brief = doc ? "generated symbol" : NULL;
        s->doc = doc;
        s->access = STORE_ACCESS_NONE;
        s->is_definition = true;
        s->range.line = (uint32_t)i + 1;
        s->range.col = 5;
        s->range.end_line = (uint32_t)i + 1;
        s->range.end_col = 5 + (uint32_t)strlen(name);
        free(name);
        free(usr);
        if (i > 0) {
            struct store_ref *r = &tb->refs[tb->b.nrefs++];
            r->usr = tb->syms[i - 1].usr;
            r->target_name = tb->syms[i - 1].name;
            r->target_kind = tb->syms[i - 1].kind;
            r->context_usr = s->usr;
            r->line = (uint32_t)i + 1;
            r->col = 30;
            r->roles = STORE_ROLE_CALL | STORE_ROLE_READ;
        }
    }
    tb->b.path = arena_strdup(&tb->mem, path);
    tb->b.hash = "0123456789abcdef0123456789abcdef";
    tb->b.mtime_ns = 1700000000000000000LL;
    tb->b.size = (int64_t)nsyms * 40;
    tb->b.is_project = true;
    tb->b.symbols = tb->syms;
    tb->b.nsymbols = nsyms;
    tb->b.refs = tb->refs;
}

void tu_batch_release(struct tu_batch *tb)
{
    free(tb->syms);
    free(tb->refs);
    arena_release(&tb->mem);
    memset(tb, 0, sizeof(*tb));
}

int tu_write_file(struct store *st, const char *path, const char *prefix, size_t nsyms,
                  struct err *err)
{
    struct tu_batch tb;
    int rc;
    tu_batch_init(&tb, path, prefix, nsyms, 0);
    rc = store_file_replace(st, &tb.b, err);
    tu_batch_release(&tb);
    return rc;
}

long tu_search_exact_count(struct store *st, const char *name)
{
    struct store_search_query q = {0};
    struct store_search_result r;
    struct err e = {0};
    long n;

    q.pattern = name;
    q.match = STORE_MATCH_EXACT;
    q.all_scopes = true;
    q.case_sensitive = true;
    if (store_search(st, &q, &r, &e) != 0)
        return -1;
    n = (long)r.total;
    store_search_result_release(&r);
    return n;
}
