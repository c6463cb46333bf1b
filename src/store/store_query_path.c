/*
 * store_query_path.c - trace_call_path: call chains from one function to another, shortest
 * first.
 *
 * The search walks backwards from `to` over callers (refs_symbol, one statement per function),
 * level by level: after level L - 1 is expanded, every function within L calls of `to` is known
 * with its distance, and so is every call edge into the functions within L - 1 calls. That is
 * all a path of exactly L calls uses, so each level is followed by the enumeration of the paths
 * of that length from `from`: a depth-first search that takes an edge only when the callee is
 * not on the path already (cycle safe) and is close enough to `to` to end the path in time. The
 * search stops when it has max_paths paths, at max_depth, or when a bound cuts it (WALK_MAX
 * functions walked, STEP_MAX edges tried: truncated). `from` itself is never expanded.
 *
 * Walking backwards keeps the work proportional to what reaches `to`, which for most questions
 * ("how does main reach parse?") is far smaller than what `from` reaches; stopping at max_paths
 * keeps it proportional to how far the answer is.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define DEPTH_DEFAULT 10
#define DEPTH_MAX 100
#define PATHS_DEFAULT 10
#define PATHS_MAX 1000
#define WALK_MAX 20000
#define STEP_MAX 1000000

struct pedge {
    long to;
    int64_t file_id;
    uint32_t line, col;
};

struct pnode {
    int64_t id;
    uint32_t dist;     /* calls from this function to `to` */
    bool sorted;       /* out is in site order */
    struct pedge *out; /* call edges from this function into expanded functions */
    size_t nout, aout;
};

struct pathsearch {
    struct qctx *q;
    struct pnode *v;
    size_t n, alloc;
    struct qidmap ids;
    uint32_t max_depth, max_paths;
    size_t ntargets;
    bool truncated;
    bool out_of_steps;
    /* enumeration */
    long *stack;     /* nodes of the current path */
    size_t *edge_of; /* the edge taken into stack[k] (k >= 1) */
    bool *on_path;
    uint64_t steps;
    json_t *paths;
    size_t npaths;
    struct qidmap files; /* file id -> index into file_paths */
    const char **file_paths;
    size_t nfiles, afiles;
};

static long node_get(struct pathsearch *ps, int64_t id, uint32_t dist, bool *is_new)
{
    long k = store_q_idmap_get(&ps->ids, id);
    *is_new = k < 0;
    if (k >= 0)
        return k;
    ALLOC_GROW(ps->v, ps->n + 1, ps->alloc);
    memset(&ps->v[ps->n], 0, sizeof(ps->v[ps->n]));
    ps->v[ps->n].id = id;
    ps->v[ps->n].dist = dist;
    store_q_idmap_put(&ps->ids, id, (long)ps->n);
    return (long)ps->n++;
}

/*
 * Step 1, one level: expands the functions [from_node, to_node) (all at distance depth from
 * `to`): records every call edge into them, and their callers not seen yet at depth + 1.
 */
static int expand_level(struct pathsearch *ps, const struct qsym *from, size_t nfrom,
                        size_t from_node, size_t to_node, uint32_t depth)
{
    struct qctx *q = ps->q;
    int rc = 0;

    for (size_t i = from_node; i < to_node && !rc; i++) {
        sqlite3_stmt *s;
        int64_t last = 0;
        bool source = false;
        for (size_t k = 0; k < nfrom; k++)
            source = source || from[k].id == ps->v[i].id;
        if (source)
            continue; /* paths start there: its callers do not matter */
        s = store_stmt(q->st, STMT_Q_CALLER_EDGES);
        if (!s)
            return store_q_dberr(q, sqlite3_errcode(q->st->db), "cannot read callers");
        sqlite3_bind_int64(s, 1, ps->v[i].id);
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            int64_t caller = sqlite3_column_int64(s, 0);
            struct pnode *c;
            struct pedge *e;
            bool is_new;
            long k;
            if (caller == last)
                continue; /* one site per edge: the first, rows come in site order */
            last = caller;
            if (store_q_idmap_get(&ps->ids, caller) < 0 && ps->n >= WALK_MAX) {
                ps->truncated = true;
                continue;
            }
            k = node_get(ps, caller, depth + 1, &is_new);
            c = &ps->v[k];
            ALLOC_GROW(c->out, c->nout + 1, c->aout);
            c->sorted = false;
            e = &c->out[c->nout++];
            e->to = (long)i;
            e->file_id = sqlite3_column_int64(s, 1);
            e->line = (uint32_t)sqlite3_column_int(s, 2);
            e->col = (uint32_t)sqlite3_column_int(s, 3);
        }
        sqlite3_reset(s);
        rc = rc == SQLITE_DONE ? 0 : store_q_dberr(q, rc, "cannot read callers");
    }
    return rc;
}

static int edge_cmp(const void *pa, const void *pb)
{
    const struct pedge *a = pa, *b = pb;
    if (a->file_id != b->file_id)
        return a->file_id < b->file_id ? -1 : 1;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->col != b->col)
        return a->col < b->col ? -1 : 1;
    return (a->to > b->to) - (a->to < b->to);
}

static const char *file_path(struct pathsearch *ps, int64_t file_id)
{
    struct qctx *q = ps->q;
    long k = store_q_idmap_get(&ps->files, file_id);
    const char *p = NULL;
    sqlite3_stmt *s;
    if (k >= 0)
        return ps->file_paths[k];
    s = store_stmt(q->st, STMT_Q_FILE_PATH);
    if (s) {
        sqlite3_bind_int64(s, 1, file_id);
        if (sqlite3_step(s) == SQLITE_ROW)
            p = arena_strdup(&q->mem, (const char *)sqlite3_column_text(s, 0));
        sqlite3_reset(s);
    }
    ALLOC_GROW(ps->file_paths, ps->nfiles + 1, ps->afiles);
    ps->file_paths[ps->nfiles] = p;
    store_q_idmap_put(&ps->files, file_id, (long)ps->nfiles++);
    return p;
}

/* Records the path on the stack (k + 1 nodes) as node indexes; JSON is built at the end. */
static void path_found(struct pathsearch *ps, size_t len)
{
    json_t *p = json_array();
    for (size_t i = 0; i <= len; i++) {
        json_t *step = json_object();
        json_object_set_new(step, "node", json_integer(ps->stack[i]));
        if (i > 0) {
            const struct pedge *e = &ps->v[ps->stack[i - 1]].out[ps->edge_of[i]];
            json_object_set_new(step, "site",
                                store_q_loc(ps->q, file_path(ps, e->file_id), e->line, e->col));
        }
        json_array_append_new(p, step);
    }
    json_array_append_new(ps->paths, p);
    ps->npaths++;
}

/* Extends the path stack[0..k] by exactly `left` more calls ending at `to` (a target node). */
static void extend(struct pathsearch *ps, size_t k, uint32_t left)
{
    const struct pnode *u = &ps->v[ps->stack[k]];
    for (size_t i = 0; i < u->nout && ps->npaths < ps->max_paths; i++) {
        long v = u->out[i].to;
        if (++ps->steps > STEP_MAX) {
            ps->truncated = ps->out_of_steps = true;
            return;
        }
        if (ps->on_path[v] || ps->v[v].dist > left - 1)
            continue;
        if (((size_t)v < ps->ntargets) != (left == 1))
            continue; /* `to` ends a path, never sits inside one */
        ps->stack[k + 1] = v;
        ps->edge_of[k + 1] = i;
        if (left == 1) {
            path_found(ps, k + 1);
            continue;
        }
        ps->on_path[v] = true;
        extend(ps, k + 1, left - 1);
        ps->on_path[v] = false;
    }
}

static int emit(struct pathsearch *ps, json_t *res)
{
    struct qctx *q = ps->q;
    json_t *out = json_array();
    size_t n = ps->n;
    struct qsym *rows = arena_alloc(&q->mem, sizeof(*rows) * (n ? n : 1));
    bool *used = xcalloc(n ? n : 1, sizeof(*used));
    int64_t *ids = xmalloc(sizeof(*ids) * (n ? n : 1));
    long *slot = xmalloc(sizeof(*slot) * (n ? n : 1));
    size_t nused = 0, pi;
    json_t *p;
    int rc;

    json_array_foreach(ps->paths, pi, p)
    {
        size_t si;
        json_t *step;
        json_array_foreach(p, si, step)
        {
            long k = (long)json_integer_value(json_object_get(step, "node"));
            if (!used[k]) {
                used[k] = true;
                slot[k] = (long)nused;
                ids[nused++] = ps->v[k].id;
            }
        }
    }
    rc = store_q_symbols(q, ids, nused, rows);
    json_array_foreach(ps->paths, pi, p)
    {
        json_t *path = json_array();
        size_t si;
        json_t *step;
        json_array_foreach(p, si, step)
        {
            long k = (long)json_integer_value(json_object_get(step, "node"));
            const struct qsym *s = &rows[slot[k]];
            json_t *o = json_object();
            json_object_set_new(o, "qualified_name", store_q_str(s->qname));
            json_object_set_new(o, "kind", json_string(store_kind_name(s->kind)));
            json_object_set_new(o, "usr", store_q_str(s->usr));
            json_object_set_new(o, "location", store_q_loc(q, s->file, s->line, s->col));
            if (json_object_get(step, "site"))
                json_object_set(o, "site", json_object_get(step, "site"));
            json_array_append_new(path, o);
        }
        json_array_append_new(out, path);
    }
    free(used);
    free(ids);
    free(slot);
    if (rc) {
        json_decref(out);
        return rc;
    }
    json_object_set_new(res, "paths", out);
    return 0;
}

/*
 * One end of the path: the symbol, or, when the name is ambiguous among overloads of one
 * function (every candidate has the same qualified name: "operator<<"), all of them. Any other
 * ambiguity is the answer, with "argument" naming the end.
 */
static int resolve_end(struct qctx *q, const struct store_target *t, const char *what,
                       struct qsym **out, size_t *n, json_t *res)
{
    json_t *tmp = json_object(), *cands, *c;
    struct qsym one;
    const char *qname = NULL;
    bool overloads = false;
    size_t i;
    int rc;

    *out = NULL;
    *n = 0;
    rc = store_q_resolve_pref(q, t, STORE_KINDS_FUNCTIONS, what, &one, tmp);
    if (rc)
        goto out;
    if (one.id) {
        *out = arena_alloc(&q->mem, sizeof(**out));
        **out = one;
        *n = 1;
        goto out;
    }
    cands = json_object_get(tmp, "candidates");
    if (json_is_array(cands) &&
        json_array_size(cands) ==
            (size_t)json_integer_value(json_object_get(tmp, "candidates_total"))) {
        overloads = json_array_size(cands) > 1;
        json_array_foreach(cands, i, c)
        {
            const char *qn = json_string_value(json_object_get(c, "qualified_name"));
            int kind = store_kind_parse(json_string_value(json_object_get(c, "kind")));
            if (!qn || (qname && strcmp(qn, qname)) ||
                !(STORE_KINDS_FUNCTIONS & STORE_KIND_BIT(kind)))
                overloads = false;
            qname = qn;
        }
    }
    if (!overloads) {
        json_object_update(res, tmp);
        if (json_object_get(tmp, "ambiguous"))
            json_object_set_new(res, "argument", json_string(what));
        goto out;
    }
    *out = arena_alloc(&q->mem, sizeof(**out) * json_array_size(cands));
    json_array_foreach(cands, i, c)
    {
        struct store_target u = {.usr = json_string_value(json_object_get(c, "usr"))};
        json_t *ignored = json_object();
        rc = store_q_resolve(q, &u, what, &(*out)[*n], ignored);
        json_decref(ignored);
        if (rc)
            break;
        if ((*out)[*n].id)
            (*n)++;
    }
out:
    json_decref(tmp);
    return rc;
}

static json_t *ends_json(const struct qctx *q, const struct qsym *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, store_q_sym_json(q, &v[i]));
    return a;
}

static int call_path(struct qctx *q, const struct store_path_args *a, json_t *res)
{
    struct pathsearch ps = {0};
    struct qsym *from = NULL, *to = NULL;
    size_t nfrom = 0, nto = 0;
    bool is_new, trivial = false;
    int rc;

    if (a->max_depth > DEPTH_MAX)
        return err_set(q->err, ERR_INVALID, "max_depth %u is over the maximum of %d", a->max_depth,
                       DEPTH_MAX);
    if (a->max_paths > PATHS_MAX)
        return err_set(q->err, ERR_INVALID, "max_paths %u is over the maximum of %d", a->max_paths,
                       PATHS_MAX);
    json_object_set_new(res, "from", json_array());
    json_object_set_new(res, "to", json_array());
    json_object_set_new(res, "paths", json_array());
    json_object_set_new(res, "truncated", json_false());
    rc = resolve_end(q, &a->from, "from", &from, &nfrom, res);
    if (rc || !nfrom)
        return rc;
    rc = resolve_end(q, &a->to, "to", &to, &nto, res);
    if (rc || !nto)
        return rc;
    json_object_set_new(res, "from", ends_json(q, from, nfrom));
    json_object_set_new(res, "to", ends_json(q, to, nto));

    ps.q = q;
    ps.max_depth = a->max_depth ? a->max_depth : DEPTH_DEFAULT;
    ps.max_paths = a->max_paths ? a->max_paths : PATHS_DEFAULT;
    ps.paths = json_array();
    for (size_t i = 0; i < nto; i++)
        node_get(&ps, to[i].id, 0, &is_new);
    ps.ntargets = ps.n;
    for (size_t i = 0; i < nfrom && !trivial; i++) {
        long k = store_q_idmap_get(&ps.ids, from[i].id);
        if (k >= 0) {
            /* the trivial path: the function itself */
            json_t *p = json_array(), *step = json_object();
            json_object_set_new(step, "node", json_integer(k));
            json_array_append_new(p, step);
            json_array_append_new(ps.paths, p);
            trivial = true;
        }
    }
    if (!trivial) {
        long *starts = xmalloc(sizeof(*starts) * nfrom);
        size_t level_start = 0, level_end = ps.n;
        ps.stack = xmalloc(sizeof(*ps.stack) * (ps.max_depth + 1));
        ps.edge_of = xmalloc(sizeof(*ps.edge_of) * (ps.max_depth + 1));
        /* paths of length len need the edges into every function within len - 1 calls of
           `to`: expand one level, then enumerate that length, and stop as soon as there are
           enough paths, before the walk covers everything that reaches `to` */
        for (uint32_t len = 1; len <= ps.max_depth && !rc; len++) {
            size_t nstarts = 0;
            rc = expand_level(&ps, from, nfrom, level_start, level_end, len - 1);
            level_start = level_end;
            level_end = ps.n;
            for (size_t i = 0; !rc && i < nfrom; i++) {
                long k = store_q_idmap_get(&ps.ids, from[i].id);
                if (k >= 0 && ps.v[k].dist <= len)
                    starts[nstarts++] = k;
            }
            if (rc || !nstarts)
                continue;
            for (size_t i = 0; i < ps.n; i++) {
                if (!ps.v[i].sorted && ps.v[i].nout > 1)
                    qsort(ps.v[i].out, ps.v[i].nout, sizeof(*ps.v[i].out), edge_cmp);
                ps.v[i].sorted = true;
            }
            free(ps.on_path);
            ps.on_path = xcalloc(ps.n, sizeof(*ps.on_path));
            for (size_t i = 0; i < nstarts && ps.npaths < ps.max_paths && !ps.out_of_steps; i++) {
                ps.stack[0] = starts[i];
                ps.on_path[starts[i]] = true;
                extend(&ps, 0, len);
                ps.on_path[starts[i]] = false;
            }
            if (ps.npaths >= ps.max_paths || ps.out_of_steps)
                break;
        }
        if (!rc && !ps.npaths)
            json_object_set_new(res, "hint",
                                json_string("no call chain within max_depth; raise max_depth, or "
                                            "the call may go through a function pointer or a "
                                            "virtual method the index cannot follow"));
        free(starts);
    }
    if (!rc)
        rc = emit(&ps, res);
    json_object_set_new(res, "truncated", json_boolean(ps.truncated));
    for (size_t i = 0; i < ps.n; i++)
        free(ps.v[i].out);
    free(ps.v);
    free(ps.stack);
    free(ps.edge_of);
    free(ps.on_path);
    free(ps.file_paths);
    store_q_idmap_release(&ps.ids);
    store_q_idmap_release(&ps.files);
    json_decref(ps.paths);
    return rc;
}

static int call_path_fn(struct qctx *q, const void *arg, json_t *res)
{
    return call_path(q, arg, res);
}

int store_query_call_path(struct store *st, const struct store_path_args *a, json_t **out,
                          struct err *err)
{
    return store_q_run(st, STORE_Q_CALL_PATH, call_path_fn, a, out, err);
}
