/*
 * legacy_gen.c - writes deterministic legacy JSON caches (legacy_gen.h has the shape of the
 * data). Everything is generated in memory first (symbols, then the call graph and its reverse),
 * then written as the Python server writes it: one JSON document per file, keys in its order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "legacy_gen.h"
#include "store/store.h"

static const char *const words[] = {
    "texture", "cache",  "http",   "server", "parse",  "header", "image",   "buffer",
    "stream",  "socket", "json",   "node",   "tree",   "graph",  "vertex",  "edge",
    "render",  "queue",  "thread", "pool",   "task",   "event",  "signal",  "slot",
    "widget",  "window", "layout", "font",   "glyph",  "shader", "matrix",  "vector",
    "audio",   "codec",  "frame",  "packet", "route",  "table",  "index",   "query",
    "token",   "lexer",  "scope",  "symbol", "module", "plugin", "config",  "option",
    "logger",  "sink",   "file",   "path",   "string", "number", "counter", "timer",
    "clock",   "state",  "engine", "world",  "entity", "system", "camera",  "light",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

static const char *const libc[] = {"printf", "malloc", "free",   "memcpy", "strlen",
                                   "fopen",  "fclose", "strcmp", "qsort",  "abort"};

static const char *const sigs[] = {
    "void ()",
    "int (int)",
    "void (const std::string &)",
    "bool (int, int) const",
    "std::size_t () const",
    "void (double, double)",
    "int (const char *, ...)",
    "std::vector<int> (const std::vector<int> &)",
};

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

struct rng {
    uint64_t s;
};

static uint64_t next(struct rng *r)
{
    r->s = mix(r->s);
    return r->s;
}

static unsigned pick(struct rng *r, unsigned n)
{
    return (unsigned)(next(r) % n);
}

struct gsym {
    char *name, *usr, *ns, *parent, *sig, *file, *base;
    unsigned kind; /* 0 class, 1 struct, 2 function, 3 method */
    unsigned line, col, access;
    bool project;
    uint32_t *calls, *called_by;
    unsigned ncalls, ncalled_by, acalled_by;
    const char *ext_call; /* a library function it calls too, or NULL */
};

struct gfile {
    char *path;
    bool source, project;
    uint64_t first, n; /* its symbols */
};

static void cap(struct strbuf *sb, const char *w)
{
    strbuf_addch(sb, w[0] - 32);
    strbuf_adds(sb, w + 1);
}

static void hex32(char out[33], const char *seed)
{
    uint64_t a = hash_bytes64(seed, strlen(seed)), b = mix(a);
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)a, (unsigned long long)b);
}

void legacy_gen_opts_init(struct legacy_gen_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->symbols = 100000;
    o->seed = 1;
    o->symbols_per_file = 50;
    o->per_file = true;
}

static void put_sym(struct strbuf *sb, const struct gsym *v, const struct gsym *s)
{
    static const char *const kinds[] = {"class", "struct", "function", "method"};
    static const char *const access[] = {"public", "protected", "private"};
    strbuf_adds(sb, "{\"name\": ");
    strbuf_add_json_str(sb, s->name);
    strbuf_addf(sb, ", \"kind\": \"%s\", \"file\": ", kinds[s->kind]);
    strbuf_add_json_str(sb, s->file);
    strbuf_addf(sb, ", \"line\": %u, \"column\": %u, \"signature\": ", s->line, s->col);
    strbuf_add_json_str(sb, s->sig);
    strbuf_addf(sb, ", \"is_project\": %s, \"namespace\": ", s->project ? "true" : "false");
    strbuf_add_json_str(sb, s->ns);
    strbuf_addf(sb, ", \"access\": \"%s\", \"parent_class\": ", access[s->access]);
    strbuf_add_json_str(sb, s->parent);
    strbuf_adds(sb, ", \"base_classes\": [");
    if (s->base)
        strbuf_add_json_str(sb, s->base);
    strbuf_adds(sb, "], \"usr\": ");
    strbuf_add_json_str(sb, s->usr);
    strbuf_adds(sb, ", \"calls\": [");
    for (unsigned i = 0; i < s->ncalls; i++) {
        if (i)
            strbuf_adds(sb, ", ");
        strbuf_add_json_str(sb, v[s->calls[i]].usr);
    }
    if (s->ext_call) {
        strbuf_adds(sb, s->ncalls ? ", \"c:@F@" : "\"c:@F@");
        strbuf_adds(sb, s->ext_call);
        strbuf_addch(sb, '"');
    }
    strbuf_adds(sb, "], \"called_by\": [");
    for (unsigned i = 0; i < s->ncalled_by; i++) {
        if (i)
            strbuf_adds(sb, ", ");
        strbuf_add_json_str(sb, v[s->called_by[i]].usr);
    }
    strbuf_adds(sb, "]}");
}

static int cmp_name(const void *pa, const void *pb)
{
    const struct gsym *a = *(const struct gsym *const *)pa, *b = *(const struct gsym *const *)pb;
    int c = strcmp(a->name, b->name);
    return c ? c : strcmp(a->usr, b->usr);
}

static void put_index(struct strbuf *sb, const char *key, struct gsym **v, size_t n,
                      const struct gsym *all)
{
    strbuf_addf(sb, "\"%s\": {", key);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && !strcmp(v[j]->name, v[i]->name))
            j++;
        if (i)
            strbuf_adds(sb, ", ");
        strbuf_add_json_str(sb, v[i]->name);
        strbuf_adds(sb, ": [");
        for (size_t k = i; k < j; k++) {
            if (k > i)
                strbuf_adds(sb, ", ");
            put_sym(sb, all, v[k]);
        }
        strbuf_addch(sb, ']');
        i = j;
    }
    strbuf_addch(sb, '}');
}

static int write_out(const char *dir, const char *name, const struct strbuf *sb, uint64_t *bytes,
                     struct err *err)
{
    char *p = path_join(dir, name);
    FILE *f = fopen(p, "wb");
    int rc = 0;
    if (!f || fwrite(sb->buf, 1, sb->len, f) != sb->len)
        rc = err_set(err, ERR_IO, "cannot write '%s'", p);
    if (f && fclose(f) != 0 && !rc)
        rc = err_set(err, ERR_IO, "cannot write '%s'", p);
    *bytes += sb->len;
    free(p);
    return rc;
}

int legacy_gen_write(const char *dir, const struct legacy_gen_opts *o,
                     struct legacy_gen_report *rep, struct err *err)
{
    unsigned k = o->symbols_per_file ? o->symbols_per_file : 50;
    uint64_t n = o->symbols, npairs = (n + 2 * k - 1) / (2 * k);
    struct gsym *v = xcalloc(n ? n : 1, sizeof(*v));
    struct gfile *files = xcalloc(npairs * 2 + 1, sizeof(*files));
    struct gsym **cls = xmalloc((n ? n : 1) * sizeof(*cls)),
                **fns = xmalloc((n ? n : 1) * sizeof(*fns));
    uint32_t *funcs = xmalloc((n ? n : 1) * sizeof(*funcs));
    uint64_t *allcls = xmalloc((n ? n : 1) * sizeof(*allcls)), nall = 0;
    struct legacy_gen_report r;
    struct strmap seen = STRMAP_INIT;
    struct strbuf sb = STRBUF_INIT;
    struct rng g = {o->seed * 7919 + 17};
    uint64_t s = 0, nf = 0, nfuncs = 0, ncls = 0, nfns = 0;
    char *files_dir = path_join(dir, "files");
    int rc;

    memset(&r, 0, sizeof(r));
    rc = fs_mkdir_p(files_dir, err);
    for (uint64_t p = 0; !rc && p < npairs && s < n; p++) {
        uint64_t module = p / 8;
        bool project = module % 10 != 9;
        const char *w1 = words[mix(module * 3 + o->seed) % NWORDS];
        const char *w2 = words[mix(module * 5 + o->seed + 1) % NWORDS];
        const char *f1 = words[pick(&g, NWORDS)], *f2 = words[pick(&g, NWORDS)];
        char *ns = project ? xasprintf("%s::%s", w1, w2) : xasprintf("vendor::%s", w1);
        char *base =
            project ? xasprintf("/legacy/proj/src/%s/%s/%s_%s_%llu", w1, w2, f1, f2,
                                (unsigned long long)p)
                    : xasprintf("/legacy/deps/%s/%s_%s_%llu", w1, f1, f2, (unsigned long long)p);
        uint64_t first_class = s, nclasses = 0;
        for (int half = 0; half < 2 && s < n; half++) {
            struct gfile *f = &files[nf++];
            unsigned line = 3;
            f->path = xasprintf("%s.%s", base, half ? "cpp" : "h");
            f->source = half == 1;
            f->project = project;
            f->first = s;
            for (unsigned i = 0; i < k && s < n; i++, s++) {
                struct gsym *y = &v[s];
                struct strbuf nm = STRBUF_INIT, u = STRBUF_INIT;
                /* the header: its classes first, then their inline methods; the source:
                   out-of-line methods and free functions */
                bool is_class = half == 0 && i < k / 5;
                bool method = !is_class && nclasses && (half == 0 || pick(&g, 5) < 3);
                y->ns = ns;
                y->file = f->path;
                y->project = project;
                y->line = line;
                line += 3 + pick(&g, 6);
                if (is_class || !method) {
                    strbuf_adds(&u, "c:");
                    for (const char *a = ns, *b; a; a = b ? b + 2 : NULL) {
                        b = strstr(a, "::");
                        strbuf_addf(&u, "@N@%.*s", (int)(b ? b - a : (long)strlen(a)), a);
                    }
                }
                if (is_class) {
                    y->kind = pick(&g, 5) == 0 ? 1 : 0;
                    cap(&nm, words[pick(&g, NWORDS)]);
                    cap(&nm, words[pick(&g, NWORDS)]);
                    y->col = 7;
                    y->parent = xstrdup("");
                    y->sig = xstrdup("");
                    strbuf_addf(&u, "@%s@%s", y->kind ? "S" : "C", nm.buf);
                    nclasses++;
                } else if (method) {
                    struct gsym *c = &v[first_class + pick(&g, (unsigned)nclasses)];
                    y->kind = 3;
                    y->parent = xstrdup(c->name);
                    y->access = pick(&g, 10) < 7 ? 0 : 1 + pick(&g, 2);
                    strbuf_adds(&nm, words[pick(&g, NWORDS)]);
                    cap(&nm, words[pick(&g, NWORDS)]);
                    strbuf_addf(&u, "%s@F@%s#", c->usr, nm.buf);
                    y->col = 10;
                } else {
                    y->kind = 2;
                    y->parent = xstrdup("");
                    strbuf_addf(&nm, "%s_%s", words[pick(&g, NWORDS)], words[pick(&g, NWORDS)]);
                    strbuf_addf(&u, "@F@%s#", nm.buf);
                    y->col = 6;
                }
                if (!is_class) {
                    y->sig = xstrdup(sigs[pick(&g, sizeof(sigs) / sizeof(sigs[0]))]);
                    strbuf_addf(&u, "%u", pick(&g, 4));
                    funcs[nfuncs++] = (uint32_t)s;
                }
                /* one usr, one symbol */
                while (strmap_has(&seen, u.buf))
                    strbuf_addch(&u, is_class ? '2' : '#');
                strmap_put(&seen, u.buf, NULL);
                y->name = strbuf_detach(&nm, NULL);
                y->usr = strbuf_detach(&u, NULL);
                if (is_class && pick(&g, 4) == 0) {
                    /* a base: an earlier class of the project, or a library class */
                    if (pick(&g, 20) == 0 || !nall) {
                        y->base = xstrdup("std::exception");
                    } else {
                        const struct gsym *b =
                            &v[allcls[nall - 1 - pick(&g, nall < 500 ? (unsigned)nall : 500)]];
                        y->base = xasprintf("%s::%s", b->ns, b->name);
                    }
                    r.bases++;
                }
                if (is_class)
                    allcls[nall++] = s;
            }
            f->n = s - f->first;
        }
        if (s == first_class)
            free(ns);
        free(base);
    }
    /* the call graph: about two calls per function, and its reverse */
    for (uint64_t i = 0; !rc && i < nfuncs; i++) {
        struct gsym *y = &v[funcs[i]];
        unsigned c = pick(&g, 4);
        y->calls = xcalloc(c ? c : 1, sizeof(*y->calls));
        for (unsigned j = 0; j < c; j++) {
            uint32_t t = funcs[pick(&g, (unsigned)nfuncs)];
            bool dup = false;
            for (unsigned q = 0; q < y->ncalls; q++)
                dup |= y->calls[q] == t;
            if (dup)
                continue;
            y->calls[y->ncalls++] = t;
            ALLOC_GROW(v[t].called_by, v[t].ncalled_by + 1, v[t].acalled_by);
            v[t].called_by[v[t].ncalled_by++] = funcs[i];
            r.calls++;
        }
        if (pick(&g, 10) == 0) {
            y->ext_call = libc[pick(&g, sizeof(libc) / sizeof(libc[0]))];
            r.calls++;
        }
    }
    for (uint64_t i = 0; i < s; i++) {
        if (v[i].kind <= 1)
            cls[ncls++] = &v[i];
        else
            fns[nfns++] = &v[i];
    }
    qsort(cls, ncls, sizeof(*cls), cmp_name);
    qsort(fns, nfns, sizeof(*fns), cmp_name);

    /* cache_info.json */
    if (!rc) {
        strbuf_adds(&sb, "{\"version\": \"2.0\", \"include_dependencies\": true, "
                         "\"config_file_path\": null, \"config_file_mtime\": null, "
                         "\"compile_commands_path\": \"/legacy/proj/compile_commands.json\", "
                         "\"compile_commands_mtime\": 1731800000.25, ");
        put_index(&sb, "class_index", cls, ncls, v);
        strbuf_adds(&sb, ", ");
        put_index(&sb, "function_index", fns, nfns, v);
        strbuf_adds(&sb, ", \"file_hashes\": {");
        for (uint64_t i = 0, w = 0; i < nf; i++) {
            char h[33];
            if (!files[i].source)
                continue;
            hex32(h, files[i].path);
            strbuf_addf(&sb, "%s", w++ ? ", " : "");
            strbuf_add_json_str(&sb, files[i].path);
            strbuf_addf(&sb, ": \"%s\"", h);
        }
        strbuf_addf(&sb, "}, \"indexed_file_count\": %llu, \"timestamp\": 1731800100.5}",
                    (unsigned long long)(nf / 2));
        rc = write_out(dir, STORE_LEGACY_INFO, &sb, &r.bytes, err);
    }
    /* files/<md5>.json for the sources; the tracker for the headers; a few parse errors */
    for (uint64_t i = 0; !rc && o->per_file && i < nf; i++) {
        struct gfile *f = &files[i];
        char h[33], name[38];
        bool failed = i % 97 == 1;
        if (!f->source)
            continue;
        hex32(h, f->path);
        strbuf_reset(&sb);
        strbuf_adds(&sb, "{\"version\": \"1.2\", \"file_path\": ");
        strbuf_add_json_str(&sb, f->path);
        strbuf_addf(&sb,
                    ", \"file_hash\": \"%s\", \"compile_args_hash\": \"%.16s\", \"timestamp\": "
                    "1731800050.125, \"success\": %s, \"error_message\": %s, \"retry_count\": "
                    "%d, \"symbols\": [",
                    h, h + 8, failed ? "false" : "true",
                    failed ? "\"libclang could not parse the file\"" : "null", failed ? 1 : 0);
        for (uint64_t j = 0; j < f->n; j++) {
            if (j)
                strbuf_adds(&sb, ", ");
            put_sym(&sb, v, &v[f->first + j]);
        }
        strbuf_adds(&sb, "]}");
        store_legacy_file_name(name, f->path);
        rc = write_out(files_dir, name, &sb, &r.bytes, err);
        r.sources++;
    }
    if (!rc) {
        strbuf_reset(&sb);
        strbuf_adds(&sb, "{\"version\": \"1.0\", \"compile_commands_hash\": "
                         "\"5d41402abc4b2a76b9719d911017c592\", \"processed_headers\": {");
        for (uint64_t i = 0, w = 0; i < nf; i++) {
            char h[33];
            if (files[i].source)
                continue;
            hex32(h, files[i].path);
            strbuf_addf(&sb, "%s", w++ ? ", " : "");
            strbuf_add_json_str(&sb, files[i].path);
            strbuf_addf(&sb, ": \"%s\"", h);
            r.headers++;
        }
        strbuf_adds(&sb, "}, \"timestamp\": 1731800100.5}");
        rc = write_out(dir, "header_tracker.json", &sb, &r.bytes, err);
    }
    if (!rc) {
        strbuf_reset(&sb);
        for (uint64_t i = 0; i < nf; i++) {
            if (!files[i].source || i % 97 != 1)
                continue;
            strbuf_adds(&sb, "{\"timestamp\": 1731800040.0, \"timestamp_readable\": "
                             "\"2024-11-16T23:34:00\", \"file_path\": ");
            strbuf_add_json_str(&sb, files[i].path);
            strbuf_adds(&sb, ", \"error_type\": \"parse_error\", \"error_message\": \"libclang "
                             "could not parse the file\", \"stack_trace\": null, \"file_hash\": "
                             "\"0\", \"compile_args_hash\": null, \"retry_count\": 1}\n");
            r.parse_errors++;
        }
        rc = write_out(dir, "parse_errors.jsonl", &sb, &r.bytes, err);
    }
    r.symbols = s;
    r.classes = ncls;
    r.functions = nfns;
    r.files = nf;
    if (rep)
        *rep = r;
    for (uint64_t i = 0; i < s; i++) {
        if (i == 0 || v[i].ns != v[i - 1].ns)
            free(v[i].ns);
        free(v[i].name);
        free(v[i].usr);
        free(v[i].parent);
        free(v[i].sig);
        free(v[i].base);
        free(v[i].calls);
        free(v[i].called_by);
    }
    for (uint64_t i = 0; i < nf; i++)
        free(files[i].path);
    strmap_clear(&seen);
    strbuf_release(&sb);
    free(files_dir);
    free(files);
    free(v);
    free(cls);
    free(fns);
    free(funcs);
    free(allcls);
    return rc;
}
