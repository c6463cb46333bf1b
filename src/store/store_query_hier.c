/*
 * store_query_hier.c - get_class_hierarchy: breadth-first walks from a class up through its
 * bases and down through its derived classes.
 *
 * Each walk goes level by level: one indexed statement per class for its edges (bases_derived
 * up, bases_base down), one statement per level for the rows of the classes it found. A class is
 * a node once (an id map), so a diamond has one top and a cycle (which a damaged or synthetic
 * cache may hold) ends. Nodes keep the order they were found in: the root, the walk up, the walk
 * down.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define DEPTH_DEFAULT 10
#define NODES_DEFAULT 200
#define LIMIT_MAX 10000

struct edges {
    long *v;
    size_t n, alloc;
};

struct hnode {
    struct qsym sym;
    uint32_t depth;
    const char *key;
    struct edges bases, derived;
};

struct hier {
    struct qctx *q;
    struct hnode *v;
    size_t n, alloc;
    struct qidmap ids;
    uint32_t max_depth, max_nodes;
    bool truncated;
};

static void edge_add(struct edges *e, long to)
{
    for (size_t i = 0; i < e->n; i++)
        if (e->v[i] == to)
            return;
    ALLOC_GROW(e->v, e->n + 1, e->alloc);
    e->v[e->n++] = to;
}

static long node_new(struct hier *h, int64_t id, uint32_t depth)
{
    struct hnode *nd;
    ALLOC_GROW(h->v, h->n + 1, h->alloc);
    nd = &h->v[h->n];
    memset(nd, 0, sizeof(*nd));
    nd->sym.id = id;
    nd->depth = depth;
    store_q_idmap_put(&h->ids, id, (long)h->n);
    return (long)h->n++;
}

/* Reads the rows of nodes [from, h->n). */
static int fetch_rows(struct hier *h, size_t from)
{
    size_t n = h->n - from;
    int64_t *ids;
    struct qsym *rows;
    int rc;
    if (!n)
        return 0;
    ids = xmalloc(sizeof(*ids) * n);
    rows = xmalloc(sizeof(*rows) * n);
    for (size_t i = 0; i < n; i++)
        ids[i] = h->v[from + i].sym.id;
    rc = store_q_symbols(h->q, ids, n, rows);
    for (size_t i = 0; !rc && i < n; i++) {
        if (rows[i].id) {
            h->v[from + i].sym = rows[i];
        } else {
            /* an edge to a missing row (a damaged cache): keep the node, say what it is */
            h->v[from + i].sym.qname = "(missing)";
            h->v[from + i].sym.kind = STORE_KIND_UNKNOWN;
        }
    }
    free(ids);
    free(rows);
    return rc;
}

/* One walk: up (bases) or down (derived), breadth first from the root (node 0). */
static int walk(struct hier *h, bool up)
{
    struct qctx *q = h->q;
    long *frontier = xmalloc(sizeof(*frontier));
    size_t nf = 1;
    int rc = 0;

    frontier[0] = 0;
    while (nf && !rc) {
        long *next = NULL;
        size_t nn = 0, nalloc = 0, first_new = h->n;
        for (size_t f = 0; f < nf && !rc; f++) {
            long u = frontier[f];
            sqlite3_stmt *s = store_stmt(q->st, up ? STMT_Q_BASES : STMT_Q_DERIVED);
            if (!s) {
                rc = store_q_dberr(q, sqlite3_errcode(q->st->db), "cannot read bases");
                break;
            }
            sqlite3_bind_int64(s, 1, h->v[u].sym.id);
            while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
                int64_t id = sqlite3_column_int64(s, 0);
                long v = store_q_idmap_get(&h->ids, id);
                if (v < 0) {
                    if (h->v[u].depth + 1 > h->max_depth || h->n >= h->max_nodes) {
                        h->truncated = true;
                        continue;
                    }
                    v = node_new(h, id, h->v[u].depth + 1);
                    ALLOC_GROW(next, nn + 1, nalloc);
                    next[nn++] = v;
                }
                if (v == u)
                    continue; /* a class its own base: only a damaged cache */
                edge_add(up ? &h->v[u].bases : &h->v[u].derived, v);
                edge_add(up ? &h->v[v].derived : &h->v[v].bases, u);
            }
            sqlite3_reset(s);
            rc = rc == SQLITE_DONE ? 0 : store_q_dberr(q, rc, "cannot read bases");
        }
        if (!rc)
            rc = fetch_rows(h, first_new);
        free(frontier);
        frontier = next;
        nf = nn;
    }
    free(frontier);
    return rc;
}

static json_t *keys_json(const struct hier *h, const struct edges *e)
{
    json_t *a = json_array();
    for (size_t i = 0; i < e->n; i++)
        json_array_append_new(a, store_q_str(h->v[e->v[i]].key));
    return a;
}

static int hierarchy(struct qctx *q, const struct store_hierarchy_args *a, json_t *res)
{
    struct hier h = {0};
    struct qsym root;
    json_t *nodes;
    unsigned records = STORE_KIND_BIT(STORE_KIND_CLASS) | STORE_KIND_BIT(STORE_KIND_STRUCT) |
                       STORE_KIND_BIT(STORE_KIND_UNION);
    int rc;

    if (a->max_depth > LIMIT_MAX || a->max_nodes > LIMIT_MAX)
        return err_set(q->err, ERR_INVALID, "max_depth and max_nodes must be at most %d",
                       LIMIT_MAX);
    if ((unsigned)a->direction > STORE_DIR_DOWN)
        return err_set(q->err, ERR_INVALID, "unknown direction %d", (int)a->direction);
    json_object_set_new(res, "root", json_null());
    json_object_set_new(res, "nodes", json_object());
    json_object_set_new(res, "truncated", json_false());
    rc = store_q_resolve_pref(q, &a->target, records, "name", &root, res);
    if (rc || !root.id)
        return rc;
    h.q = q;
    h.max_depth = a->max_depth ? a->max_depth : DEPTH_DEFAULT;
    h.max_nodes = a->max_nodes ? a->max_nodes : NODES_DEFAULT;
    node_new(&h, root.id, 0);
    h.v[0].sym = root;
    if (a->direction != STORE_DIR_DOWN)
        rc = walk(&h, true);
    if (!rc && a->direction != STORE_DIR_UP)
        rc = walk(&h, false);
    if (rc)
        goto out;

    /* keys: the qualified name, or "name [usr]" when two nodes share it */
    {
        struct strmap seen = STRMAP_INIT;
        for (size_t i = 0; i < h.n; i++) {
            const char *qn = h.v[i].sym.qname ? h.v[i].sym.qname : "";
            if (strmap_has(&seen, qn)) {
                char *k = xasprintf("%s [%s]", qn, h.v[i].sym.usr ? h.v[i].sym.usr : "");
                h.v[i].key = arena_strdup(&q->mem, k);
                free(k);
            } else {
                h.v[i].key = qn;
            }
            strmap_put(&seen, h.v[i].key, NULL);
        }
        strmap_clear(&seen);
    }
    nodes = json_object();
    for (size_t i = 0; i < h.n; i++) {
        const struct qsym *s = &h.v[i].sym;
        json_t *o = json_object();
        json_object_set_new(o, "kind", json_string(store_kind_name(s->kind)));
        json_object_set_new(o, "usr", store_q_str(s->usr));
        json_object_set_new(o, "location", store_q_loc(q, s->file, s->line, s->col));
        json_object_set_new(o, "depth", json_integer(h.v[i].depth));
        json_object_set_new(o, "bases", keys_json(&h, &h.v[i].bases));
        json_object_set_new(o, "derived", keys_json(&h, &h.v[i].derived));
        /* keys are repaired UTF-8, like every string */
        {
            json_t *k = store_q_str(h.v[i].key);
            json_object_set_new(nodes, json_string_value(k), o);
            json_decref(k);
        }
    }
    json_object_set_new(res, "root", store_q_str(h.v[0].key));
    json_object_set_new(res, "nodes", nodes);
    json_object_set_new(res, "truncated", json_boolean(h.truncated));
out:
    for (size_t i = 0; i < h.n; i++) {
        free(h.v[i].bases.v);
        free(h.v[i].derived.v);
    }
    free(h.v);
    store_q_idmap_release(&h.ids);
    return rc;
}

static int hierarchy_fn(struct qctx *q, const void *arg, json_t *res)
{
    return hierarchy(q, arg, res);
}

int store_query_class_hierarchy(struct store *st, const struct store_hierarchy_args *a,
                                json_t **out, struct err *err)
{
    return store_q_run(st, STORE_Q_HIERARCHY, hierarchy_fn, a, out, err);
}
