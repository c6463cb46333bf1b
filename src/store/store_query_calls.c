/*
 * store_query_calls.c - find_incoming_calls and find_outgoing_calls: call sites grouped by the
 * function that calls (incoming) or the function called (outgoing).
 *
 * A call is a reference with the call role; its context is the caller. Incoming calls read the
 * target's references (refs_symbol); with virtual calls included, also the virtual calls of
 * every method the target overrides, up the override chain (overrides_symbol), since such a
 * call may dispatch to the target. Outgoing calls read the caller index (refs_caller). Sites
 * are grouped in memory, the groups ordered and paged, and only the page's symbols are read.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* Sites listed per caller or callee; the rest is counted in sites_total. */
#define SITES_MAX 100
/* Methods followed up an override chain (a bound for damaged caches with cycles). */
#define CHAIN_MAX 1000

struct site {
    const char *path;
    uint32_t line, col;
    unsigned roles;
    long via; /* index into the chain (0: the target itself) */
};

struct group {
    int64_t id; /* the caller (incoming) or callee (outgoing); 0: no enclosing function */
    struct site *sites;
    size_t n, alloc;
    struct qsym sym;
};

struct groups {
    struct group *v;
    size_t n, alloc;
    struct qidmap ids;
};

static struct group *group_of(struct groups *g, int64_t id)
{
    long k = store_q_idmap_get(&g->ids, id ? id : -1);
    if (k < 0) {
        ALLOC_GROW(g->v, g->n + 1, g->alloc);
        memset(&g->v[g->n], 0, sizeof(g->v[g->n]));
        g->v[g->n].id = id;
        k = (long)g->n++;
        store_q_idmap_put(&g->ids, id ? id : -1, k);
    }
    return &g->v[k];
}

static void groups_release(struct groups *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->v[i].sites);
    free(g->v);
    store_q_idmap_release(&g->ids);
}

static void site_add(struct qctx *q, struct group *gr, sqlite3_stmt *s, long via)
{
    struct site *st;
    ALLOC_GROW(gr->sites, gr->n + 1, gr->alloc);
    st = &gr->sites[gr->n++];
    st->roles = (unsigned)sqlite3_column_int(s, 1);
    st->path = arena_strdup(&q->mem, (const char *)sqlite3_column_text(s, 2));
    st->line = (uint32_t)sqlite3_column_int(s, 3);
    st->col = (uint32_t)sqlite3_column_int(s, 4);
    st->via = via;
}

static int site_cmp(const void *pa, const void *pb)
{
    const struct site *a = pa, *b = pb;
    int c = strcmp(a->path ? a->path : "", b->path ? b->path : "");
    if (c)
        return c;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->col != b->col)
        return a->col < b->col ? -1 : 1;
    return (a->via > b->via) - (a->via < b->via);
}

static int group_name_cmp(const void *pa, const void *pb)
{
    const struct group *a = pa, *b = pb;
    int c;
    if (!a->id || !b->id) /* calls outside any function last */
        return (a->id == 0) - (b->id == 0);
    if ((c = strcmp(a->sym.qname ? a->sym.qname : "", b->sym.qname ? b->sym.qname : "")) != 0)
        return c;
    if ((c = strcmp(a->sym.usr ? a->sym.usr : "", b->sym.usr ? b->sym.usr : "")) != 0)
        return c;
    return (a->id > b->id) - (a->id < b->id);
}

/* Reads the rows of groups[from, to). */
static int fetch_group_rows(struct qctx *q, struct group *v, size_t from, size_t to)
{
    size_t n = to - from;
    int64_t *ids;
    struct qsym *rows;
    int rc;
    if (!n)
        return 0;
    ids = xmalloc(sizeof(*ids) * n);
    rows = xmalloc(sizeof(*rows) * n);
    for (size_t i = 0; i < n; i++)
        ids[i] = v[from + i].id;
    rc = store_q_symbols(q, ids, n, rows);
    for (size_t i = 0; !rc && i < n; i++)
        v[from + i].sym = rows[i];
    free(ids);
    free(rows);
    return rc;
}

static json_t *sites_json(struct qctx *q, struct group *gr, const struct qsym *chain, bool outgoing)
{
    json_t *arr = json_array();
    size_t n = gr->n < SITES_MAX ? gr->n : SITES_MAX;
    for (size_t i = 0; i < n; i++) {
        const struct site *s = &gr->sites[i];
        json_t *o = store_q_loc(q, s->path, s->line, s->col);
        if (!outgoing && s->via > 0)
            json_object_set_new(o, "via", store_q_str(chain[s->via].qname));
        if (outgoing && (s->roles & STORE_ROLE_VIRTUAL))
            json_object_set_new(o, "virtual", json_true());
        json_array_append_new(arr, o);
    }
    return arr;
}

/* Emits the page [offset, offset + limit) of the groups, already ordered. */
static int emit_groups(struct qctx *q, struct groups *g, const char *key, const struct qsym *chain,
                       bool outgoing, uint32_t limit, uint64_t offset, json_t *res)
{
    json_t *arr = json_array();
    size_t from = offset < g->n ? (size_t)offset : g->n;
    size_t to = from + limit < g->n ? from + limit : g->n;
    int rc = 0;

    if (outgoing)
        rc = fetch_group_rows(q, g->v, from, to);
    for (size_t i = from; !rc && i < to; i++) {
        struct group *gr = &g->v[i];
        json_t *o = json_object();
        json_object_set_new(o, "symbol",
                            gr->id && gr->sym.id ? store_q_sym_json(q, &gr->sym) : json_null());
        json_object_set_new(o, "sites", sites_json(q, gr, chain, outgoing));
        if (gr->n > SITES_MAX)
            json_object_set_new(o, "sites_total", json_integer((json_int_t)gr->n));
        json_array_append_new(arr, o);
    }
    if (rc) {
        json_decref(arr);
        return rc;
    }
    json_object_set_new(res, key, arr);
    store_q_page(res, g->n, offset, to - from);
    return 0;
}

/* The target and, unless exclude_virtual, the methods it overrides, transitively. */
static int override_chain(struct qctx *q, const struct qsym *target, bool all, struct qsym **out,
                          size_t *n)
{
    struct qidmap seen = {0};
    int64_t *ids = xmalloc(sizeof(*ids));
    size_t cnt = 1, alloc = 1;
    int rc = 0;

    ids[0] = target->id;
    store_q_idmap_put(&seen, target->id, 0);
    for (size_t i = 0; all && i < cnt && cnt < CHAIN_MAX && !rc; i++) {
        sqlite3_stmt *s = store_stmt(q->st, STMT_Q_OVERRIDES);
        if (!s) {
            rc = store_q_dberr(q, sqlite3_errcode(q->st->db), "cannot read overrides");
            break;
        }
        sqlite3_bind_int64(s, 1, ids[i]);
        while ((rc = sqlite3_step(s)) == SQLITE_ROW && cnt < CHAIN_MAX) {
            int64_t id = sqlite3_column_int64(s, 0);
            if (store_q_idmap_get(&seen, id) >= 0)
                continue;
            store_q_idmap_put(&seen, id, (long)cnt);
            ALLOC_GROW(ids, cnt + 1, alloc);
            ids[cnt++] = id;
        }
        sqlite3_reset(s);
        rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0
                                                   : store_q_dberr(q, rc, "cannot read overrides");
    }
    store_q_idmap_release(&seen);
    if (!rc) {
        *out = arena_alloc(&q->mem, sizeof(**out) * cnt);
        rc = store_q_symbols(q, ids, cnt, *out);
        (*out)[0] = *target;
        *n = cnt;
    }
    free(ids);
    return rc;
}

static int incoming(struct qctx *q, const struct store_calls_args *a, json_t *res)
{
    struct groups g = {0};
    struct qsym target, *chain = NULL;
    size_t nchain = 0;
    uint32_t limit;
    int rc;

    json_object_set_new(res, "target", json_null());
    json_object_set_new(res, "callers", json_array());
    store_q_page(res, 0, 0, 0);
    rc = store_q_limit(q, a->limit, &limit);
    if (!rc)
        rc = store_q_resolve_pref(q, &a->target, STORE_KINDS_FUNCTIONS, "name", &target, res);
    if (rc || !target.id)
        return rc;
    json_object_set_new(res, "target", store_q_sym_json(q, &target));
    rc = override_chain(q, &target, !a->exclude_virtual, &chain, &nchain);
    for (size_t i = 0; !rc && i < nchain; i++) {
        sqlite3_stmt *s = store_stmt(q->st, STMT_Q_CALLERS);
        if (!s) {
            rc = store_q_dberr(q, sqlite3_errcode(q->st->db), "cannot read callers");
            break;
        }
        sqlite3_bind_int64(s, 1, chain[i].id);
        sqlite3_bind_int(s, 2, i > 0); /* through a base method: only virtual calls */
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            int64_t ctx = sqlite3_column_type(s, 0) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, 0);
            site_add(q, group_of(&g, ctx), s, (long)i);
        }
        sqlite3_reset(s);
        rc = rc == SQLITE_DONE ? 0 : store_q_dberr(q, rc, "cannot read callers");
    }
    /* callers are ordered by name: read them all (one statement), then page */
    if (!rc)
        rc = fetch_group_rows(q, g.v, 0, g.n);
    if (!rc) {
        if (g.n > 1)
            qsort(g.v, g.n, sizeof(*g.v), group_name_cmp);
        for (size_t i = 0; i < g.n; i++)
            qsort(g.v[i].sites, g.v[i].n, sizeof(*g.v[i].sites), site_cmp);
        rc = emit_groups(q, &g, "callers", chain, false, limit, a->offset, res);
    }
    groups_release(&g);
    return rc;
}

static int outgoing(struct qctx *q, const struct store_calls_args *a, json_t *res)
{
    struct groups g = {0};
    struct qsym source;
    sqlite3_stmt *s;
    uint32_t limit;
    int rc;

    json_object_set_new(res, "source", json_null());
    json_object_set_new(res, "callees", json_array());
    store_q_page(res, 0, 0, 0);
    rc = store_q_limit(q, a->limit, &limit);
    if (!rc)
        rc = store_q_resolve_pref(q, &a->target, STORE_KINDS_FUNCTIONS, "name", &source, res);
    if (rc || !source.id)
        return rc;
    json_object_set_new(res, "source", store_q_sym_json(q, &source));
    s = store_stmt(q->st, STMT_Q_CALLEES);
    if (!s)
        return store_q_dberr(q, sqlite3_errcode(q->st->db), "cannot read callees");
    sqlite3_bind_int64(s, 1, source.id);
    /* rows come in site order, so groups come in the order of their first site */
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        site_add(q, group_of(&g, sqlite3_column_int64(s, 0)), s, 0);
    sqlite3_reset(s);
    rc = rc == SQLITE_DONE ? 0 : store_q_dberr(q, rc, "cannot read callees");
    if (!rc)
        rc = emit_groups(q, &g, "callees", NULL, true, limit, a->offset, res);
    groups_release(&g);
    return rc;
}

static int incoming_fn(struct qctx *q, const void *arg, json_t *res)
{
    return incoming(q, arg, res);
}

static int outgoing_fn(struct qctx *q, const void *arg, json_t *res)
{
    return outgoing(q, arg, res);
}

int store_query_incoming_calls(struct store *st, const struct store_calls_args *a, json_t **out,
                               struct err *err)
{
    return store_q_run(st, STORE_Q_INCOMING_CALLS, incoming_fn, a, out, err);
}

int store_query_outgoing_calls(struct store *st, const struct store_calls_args *a, json_t **out,
                               struct err *err)
{
    return store_q_run(st, STORE_Q_OUTGOING_CALLS, outgoing_fn, a, out, err);
}
