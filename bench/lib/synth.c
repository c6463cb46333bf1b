/*
 * synth.c - the synthetic project generator (synth.h says what the data looks like).
 *
 * How one file comes about:
 *   1. finfo_make: the file's place, from its index alone. Files come in modules of 16 (eight
 *      header/source pairs: even positions are headers, the odd file after a header is its
 *      source); a module has one namespace, one directory and one naming style; a pair has one
 *      topic word, so the names of its classes and free functions cannot collide with another
 *      pair's. Every dependency_period-th module is a dependency.
 *   2. plan_build: the file's entities (a class, a struct, an enum, a group of functions...) and
 *      their member counts, drawn from hash(seed, file, entity) and cut to the file's budget of
 *      new symbols. Entity 0 of a header is always a class that derives from nothing; another
 *      class may take it as its base after computing just that one entity (ent0_of), so plans
 *      never recurse.
 *   3. build: entities become store records. A source file also defines the out-of-line
 *      functions its header declares (same USR: multi-file ownership). Every function body gets
 *      references; a reference into another file computes that file's plan (integers only,
 *      cached) and names one of its members with the same code that names a file's own
 *      records, so a USR is spelled identically wherever it occurs.
 *
 * Names are unique by construction where C++ requires it (per class, per namespace), so the
 * number of distinct symbols is exactly the sum of the files' budgets.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth.h"

#define FILES_PER_MODULE 16
#define NO_FILE UINT64_MAX
#define MAX_NEIGHBORS 8
#define PLAN_CACHE 8
#define FREE_FN_SPAN 24 /* free-function name slots per header before a numeric suffix */

/* ---- hashing and random numbers (splitmix64) --------------------------------------------- */

static uint64_t mix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

static uint64_t hash4(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
    return mix64(seed ^ mix64(a ^ mix64(b ^ mix64(c + 0x632BE59BD9B4E019ull))));
}

struct rng {
    uint64_t s;
};

static struct rng rng_of(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
    struct rng r = {hash4(seed, a, b, c)};
    return r;
}

static uint64_t rng_next(struct rng *r)
{
    r->s += 0x9E3779B97F4A7C15ull;
    return mix64(r->s);
}

static unsigned below(struct rng *r, unsigned n)
{
    return n ? (unsigned)(rng_next(r) % n) : 0;
}

/* ---- word lists ---------------------------------------------------------------------------- */

static const char *const topics[] = {
    "texture", "buffer",   "http",    "url",       "json",      "socket",   "file",    "path",
    "image",   "font",     "audio",   "video",     "stream",    "thread",   "timer",   "clock",
    "memory",  "cache",    "symbol",  "token",     "config",    "plugin",   "module",  "package",
    "session", "user",     "account", "auth",      "crypto",    "hash",     "cipher",  "cert",
    "tls",     "dns",      "tcp",     "udp",       "route",     "message",  "event",   "signal",
    "task",    "job",      "graph",   "tree",      "shape",     "mesh",     "shader",  "scene",
    "camera",  "light",    "physics", "collision", "input",     "keyboard", "mouse",   "window",
    "menu",    "button",   "layout",  "style",     "theme",     "color",    "text",    "document",
    "record",  "table",    "column",  "query",     "schema",    "sql",      "xml",     "csv",
    "metric",  "trace",    "profile", "gpu",       "cpu",       "device",   "disk",    "network",
    "packet",  "frame",    "codec",   "resource",  "asset",     "archive",  "diff",    "patch",
    "version", "cookie",   "form",    "widget",    "uuid",      "api",      "rpc",     "glyph",
    "sprite",  "tile",     "terrain", "particle",  "skeleton",  "material", "sound",   "midi",
    "matrix",  "bitmap",   "pixel",   "palette",   "clipboard", "undo",     "script",  "bytecode",
    "opcode",  "register", "heap",    "slab",      "html",      "css",      "unicode", "locale",
};

/* Words that are acronyms: HTTPServer in "upper" modules, HttpServer in the others. */
static const char *const acronyms[] = {"http", "url",  "json", "tls", "dns", "tcp",  "udp",
                                       "sql",  "xml",  "csv",  "gpu", "cpu", "uuid", "api",
                                       "rpc",  "midi", "html", "css", "id",  "io",   "ui"};

/* Class roles: the first half names header classes, the second half source-only classes. */
static const char *const roles[] = {
    "manager",  "cache",    "loader",     "builder",    "server",     "client",     "handler",
    "view",     "model",    "factory",    "registry",   "pool",       "parser",     "writer",
    "reader",   "context",  "queue",      "map",        "node",       "iterator",   "visitor",
    "listener", "adapter",  "proxy",      "service",    "resolver",   "scheduler",  "executor",
    "policy",   "channel",  "encoder",    "decoder",    "serializer", "validator",  "monitor",
    "tracker",  "logger",   "allocator",  "table",      "entry",      "descriptor", "handle",
    "scanner",  "renderer", "controller", "dispatcher", "router",     "connection", "provider",
    "store",    "snapshot", "cursor",     "engine",     "driver",     "options",    "stats",
    "worker",   "observer", "strategy",   "session",    "buffer",     "stream",     "filter",
    "helper",
};
#define NROLES (sizeof(roles) / sizeof(roles[0]))
#define NRH (NROLES / 2)

/* Verbs of ordinary methods and free functions; "solo" ones also stand alone (draw, reset). */
static const char *const verbs[] = {
    "get",     "set",      "is",       "has",     "parse",   "build",  "create",    "destroy",
    "open",    "close",    "read",     "write",   "find",    "insert", "remove",    "update",
    "reset",   "clear",    "load",     "save",    "flush",   "push",   "pop",       "emit",
    "resolve", "register", "validate", "compute", "append",  "resize", "reserve",   "start",
    "stop",    "apply",    "merge",    "split",   "encode",  "decode", "serialize", "lookup",
    "attach",  "detach",   "collect",  "format",  "convert", "init",   "shutdown",  "connect",
    "send",    "receive",  "schedule", "cancel",  "make",    "to",     "try",       "copy",
};
#define NVERBS (sizeof(verbs) / sizeof(verbs[0]))

/* Verbs of virtual methods: disjoint from verbs[], so an override never meets an own method. */
static const char *const vverbs[] = {"on",       "handle",  "process", "render", "draw", "visit",
                                     "accept",   "execute", "run",     "paint",  "tick", "notify",
                                     "dispatch", "measure", "layout",  "refresh"};
#define NVVERBS (sizeof(vverbs) / sizeof(vverbs[0]))

static const char *const nouns[] = {
    "size",     "count",   "name",   "value",    "data",    "state",    "mode",     "flags",
    "index",    "offset",  "length", "capacity", "timeout", "callback", "child",    "parent",
    "children", "item",    "key",    "options",  "status",  "error",    "result",   "host",
    "port",     "type",    "kind",   "level",    "width",   "height",   "position", "bounds",
    "range",    "begin",   "end",    "next",     "front",   "back",     "line",     "version",
    "owner",    "payload", "limit",  "label",    "id",      "title",    "source",   "target",
    "format",   "scale",   "weight", "depth",    "delay",   "priority", "handler",  "context",
    "entries",  "buffer",  "stream", "token",    "path",    "bytes",    "chunk",    "node",
};
#define NNOUNS (sizeof(nouns) / sizeof(nouns[0]))

static const char *const enum_suffixes[] = {"kind",  "mode",   "state",  "flags",
                                            "type",  "status", "error",  "option",
                                            "level", "format", "policy", "phase"};
static const char *const enum_words[] = {
    "none",  "idle",   "running", "stopped", "ready",  "pending", "done",    "failed",
    "open",  "closed", "active",  "hidden",  "linear", "nearest", "append",  "fast",
    "slow",  "low",    "medium",  "high",    "debug",  "info",    "warning", "fatal",
    "first", "last",   "red",     "green",   "blue",   "alpha",   "left",    "right",
    "top",   "bottom", "custom",  "manual",  "sync",   "async",   "binary",  "text",
};
#define NENUMWORDS (sizeof(enum_words) / sizeof(enum_words[0]))

static const char *const typedef_suffixes[] = {"ptr",    "list",   "map",   "id",  "callback",
                                               "handle", "ref",    "set",   "vec", "func",
                                               "weak",   "result", "queue", "key"};
static const char *const macro_suffixes[] = {
    "max_size",        "api",   "assert", "version", "enable_logging",
    "default_timeout", "check", "likely", "export",  "min_capacity"};

static const char *const ns_tops[] = {"app", "core", "net", "engine", "util", "gfx", "io", "db"};
static const char *const ns_subs[] = {
    "ui",     "http",   "fs",    "gpu",   "audio",  "render", "scene",   "physics", "input", "text",
    "json",   "xml",    "sql",   "cache", "log",    "config", "auth",    "crypto",  "rpc",   "task",
    "thread", "memory", "alloc", "parse", "lex",    "ast",    "codegen", "opt",     "vm",    "gc",
    "plugin", "script", "test",  "cli",   "server", "client", "proto",   "codec",   "image", "font",
};
static const char *const dep_libs[] = {
    "jsonkit", "zlite",     "fastfmt",  "tinyxml", "netio",    "imgcodec", "sqlkit", "logkit",
    "testkit", "cryptolib", "regexkit", "yamlite", "protokit", "uvloop",   "glmath", "unicodex"};

static const char *const sys_includes[] = {
    "/usr/include/c++/12/vector",        "/usr/include/c++/12/string",
    "/usr/include/c++/12/memory",        "/usr/include/c++/12/functional",
    "/usr/include/c++/12/unordered_map", "/usr/include/c++/12/algorithm",
    "/usr/include/c++/12/cstdint",       "/usr/include/c++/12/mutex",
    "/usr/include/c++/12/optional",      "/usr/include/stdio.h",
};

/* Library functions no file declares: calls to them leave placeholders. */
static const struct {
    const char *usr, *name;
} externals[] = {
    {"c:@N@std@F@move#&&t0.0#", "move"},
    {"c:@F@memcpy", "memcpy"},
    {"c:@F@printf", "printf"},
    {"c:@F@snprintf", "snprintf"},
    {"c:@F@strlen", "strlen"},
    {"c:@F@malloc", "malloc"},
    {"c:@F@free", "free"},
    {"c:@N@std@F@sort#t0.0#S0_#", "sort"},
    {"c:@N@std@F@swap#&t0.0#S0_#", "swap"},
    {"c:@N@std@F@min#&1t0.0#S0_#", "min"},
    {"c:@N@std@F@max#&1t0.0#S0_#", "max"},
    {"c:@N@std@F@to_string#I#", "to_string"},
    {"c:@N@std@F@find_if#t0.0#S0_#t0.1#", "find_if"},
    {"c:@N@std@F@make_unique#>#t0.0#&&t0.1#", "make_unique"},
    {"c:@N@std@S@vector>#I#$@N@std@S@allocator>#I@F@push_back#&1I#", "push_back"},
    {"c:@N@std@S@vector>#I#$@N@std@S@allocator>#I@F@size#1", "size"},
    {"c:@N@std@N@__cxx11@S@basic_string>#C#$@N@std@S@char_traits>#C#$@N@std@S@allocator>#C@F@"
     "c_str#1",
     "c_str"},
    {"c:@N@std@S@mutex@F@lock#", "lock"},
};

/* Parameter types: C++ spelling and USR code. Index PT_SELF is "const Class &". */
static const struct {
    const char *spell, *usr;
} ptypes[] = {
    {"int", "I"},
    {"bool", "b"},
    {"double", "d"},
    {"float", "f"},
    {"std::size_t", "K"},
    {"unsigned int", "i"},
    {"const char *", "*1C"},
    {"const std::string &", "&1$@N@std@N@__cxx11@S@basic_string>#C#$@N@std@S@char_traits>#C#$@N@"
                            "std@S@allocator>#C"},
    {"std::string_view", "$@N@std@S@basic_string_view>#C#$@N@std@S@char_traits>#C"},
    {"void *", "*v"},
    {"std::uint8_t *", "*c"},
    {"std::int64_t", "l"},
    {"const std::vector<int> &", "&1$@N@std@S@vector>#I#$@N@std@S@allocator>#I"},
    {"std::function<void ()>", "$@N@std@S@function>#Fv()"},
};
#define NPTYPES (sizeof(ptypes) / sizeof(ptypes[0]))
#define PT_SELF 100
#define PT_TPARAM 101

static const char *const rtypes[] = {"void", "void",        "void",   "bool",
                                     "int",  "std::size_t", "double", "const std::string &",
                                     "void", "std::string", "bool",   "std::uint32_t"};
static const char *const ftypes[] = {
    "int",
    "bool",
    "std::size_t",
    "std::string",
    "double",
    "std::uint32_t",
    "std::vector<int>",
    "float",
    "std::mutex",
    "std::int64_t",
    "std::map<std::string, int>",
    "std::unique_ptr<Impl>",
    "const char *",
    "std::atomic<bool>",
    "std::chrono::milliseconds",
    "std::vector<std::string>",
};

/* Brief comments: "<before> subject <after>". */
static const char *const brief_parts[][2] = {
    {"Returns the ", " of this object."},
    {"Updates the ", " and notifies listeners."},
    {"Thread-safe; may block on the ", "."},
    {"Creates a new ", " from the given options."},
    {"Parses a ", " from its text form."},
    {"Resets the ", " to its default."},
    {"Writes the ", " to the underlying stream."},
    {"Looks up a ", " by key; null when absent."},
    {"The ", " used by default."},
    {"Holds the current ", "."},
};

/* ---- small string helpers ----------------------------------------------------------------- */

static char *af(struct arena *a, const char *fmt, ...) PRINTF_LIKE(2, 3);
static char *af(struct arena *a, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n < sizeof(buf))
        return arena_strndup(a, buf, (size_t)n);
    {
        char *p = arena_alloc(a, (size_t)n + 1);
        va_start(ap, fmt);
        vsnprintf(p, (size_t)n + 1, fmt, ap);
        va_end(ap);
        return p;
    }
}

static bool is_acronym(const char *w)
{
    for (size_t i = 0; i < ARRAY_SIZE(acronyms); i++)
        if (!strcmp(w, acronyms[i]))
            return true;
    return false;
}

enum wcase { WC_PASCAL, WC_CAMEL, WC_SNAKE, WC_UPPER };

/* Joins words (lower case in the tables) into one identifier; appends a number when num > 0. */
static void ident(char *out, size_t cap, const char *const *w, unsigned n, enum wcase wc,
                  bool acro_upper, unsigned num)
{
    size_t len = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < n && len + 1 < cap; i++) {
        bool acro = acro_upper && is_acronym(w[i]);
        if ((wc == WC_SNAKE || wc == WC_UPPER) && i > 0 && len + 1 < cap)
            out[len++] = '_';
        for (const char *p = w[i]; *p && len + 1 < cap; p++) {
            char ch = *p;
            bool first = p == w[i];
            if (wc == WC_UPPER || (acro && (wc == WC_PASCAL || (wc == WC_CAMEL && i > 0))))
                ch = (char)(ch - 32 * (ch >= 'a' && ch <= 'z'));
            else if (first && (wc == WC_PASCAL || (wc == WC_CAMEL && i > 0)))
                ch = (char)(ch - 32 * (ch >= 'a' && ch <= 'z'));
            out[len++] = ch;
        }
    }
    if (num && len + 12 < cap)
        len += (size_t)snprintf(out + len, cap - len, "%u", num);
    out[len] = '\0';
}

/* ---- the file's place ---------------------------------------------------------------------- */

enum nstyle { NS_CAMEL, NS_SNAKE, NS_PASCAL };

struct ctx {
    const struct synth_opts *o;
    uint64_t seed, symbols, nfiles, nmodules;
    unsigned spf;
    unsigned dep_period; /* 0: no dependencies */
    uint64_t ndep_modules;
};

struct finfo {
    uint64_t index, module;
    unsigned pos, budget, topic, role0, style;
    bool header, dep, acro_upper, has_source;
    char ns[128];    /* "app::ui" */
    char nsusr[160]; /* "c:@N@app@N@ui" */
    char nsflat[96]; /* "app_ui", for C-style global names */
    char base[96];   /* "texture_cache" */
    char fname[112]; /* "texture_cache.cpp" */
    char path[320];
};

static void ctx_init(struct ctx *c, const struct synth_opts *o)
{
    memset(c, 0, sizeof(*c));
    c->o = o;
    c->seed = o->seed;
    c->symbols = o->symbols;
    c->spf = o->symbols_per_file ? o->symbols_per_file : SYNTH_DEFAULT_PER_FILE;
    if (c->spf > SYNTH_MAX_PER_FILE)
        c->spf = SYNTH_MAX_PER_FILE;
    c->nfiles = (c->symbols + c->spf - 1) / c->spf;
    c->nmodules = (c->nfiles + FILES_PER_MODULE - 1) / FILES_PER_MODULE;
    if (o->dependency_ratio > 0) {
        double p = o->dependency_ratio >= 1 ? 1 : floor(1.0 / o->dependency_ratio + 0.5);
        c->dep_period = p < 1 ? 1 : (unsigned)p;
        c->ndep_modules = c->nmodules / c->dep_period;
    }
}

static bool module_is_dep(const struct ctx *c, uint64_t m)
{
    return c->dep_period && m % c->dep_period == c->dep_period - 1;
}

static unsigned file_budget(const struct ctx *c, uint64_t f)
{
    if (f + 1 < c->nfiles)
        return c->spf;
    return (unsigned)(c->symbols - (c->nfiles - 1) * c->spf);
}

static void finfo_make(const struct ctx *c, uint64_t f, struct finfo *fi)
{
    uint64_t m = f / FILES_PER_MODULE, unit = f / 2;
    uint64_t mh = hash4(c->seed, m, 0, 0x30D);
    const char *w[2];

    fi->index = f;
    fi->module = m;
    fi->pos = (unsigned)(f % FILES_PER_MODULE);
    fi->header = fi->pos % 2 == 0;
    fi->has_source = fi->header ? f + 1 < c->nfiles : true;
    fi->dep = module_is_dep(c, m);
    fi->budget = file_budget(c, f);
    fi->topic = (unsigned)((mh + fi->pos / 2) % ARRAY_SIZE(topics));
    fi->role0 = (unsigned)(hash4(c->seed, unit, 0, 0x201E) % NRH);
    fi->acro_upper = (mh >> 20) % 2 == 0;
    if (fi->dep) {
        fi->style = NS_SNAKE;
    } else {
        unsigned s = (unsigned)((mh >> 8) % 100);
        fi->style = s < 55 ? NS_CAMEL : s < 85 ? NS_SNAKE : NS_PASCAL;
    }
    if (fi->dep) {
        uint64_t k = c->dep_period ? m / c->dep_period : 0;
        const char *lib = dep_libs[k % ARRAY_SIZE(dep_libs)];
        char libname[48];
        if (k >= ARRAY_SIZE(dep_libs))
            snprintf(libname, sizeof(libname), "%s%llu", lib,
                     (unsigned long long)(k / ARRAY_SIZE(dep_libs)));
        else
            snprintf(libname, sizeof(libname), "%s", lib);
        snprintf(fi->ns, sizeof(fi->ns), "vendor::%s", libname);
        snprintf(fi->nsusr, sizeof(fi->nsusr), "c:@N@vendor@N@%s", libname);
        snprintf(fi->nsflat, sizeof(fi->nsflat), "vendor_%s", libname);
        w[0] = topics[fi->topic];
        w[1] = roles[fi->role0];
        ident(fi->base, sizeof(fi->base), w, 2, WC_SNAKE, false, 0);
        if (fi->header)
            snprintf(fi->path, sizeof(fi->path), "/synth/deps/%s/include/%s/%s.h", libname, libname,
                     fi->base);
        else
            snprintf(fi->path, sizeof(fi->path), "/synth/deps/%s/src/%s.cpp", libname, fi->base);
    } else {
        const char *top = ns_tops[m % ARRAY_SIZE(ns_tops)];
        const char *sub = ns_subs[(m / ARRAY_SIZE(ns_tops)) % ARRAY_SIZE(ns_subs)];
        uint64_t deep = m / (ARRAY_SIZE(ns_tops) * ARRAY_SIZE(ns_subs));
        if (deep == 0) {
            snprintf(fi->ns, sizeof(fi->ns), "%s::%s", top, sub);
            snprintf(fi->nsusr, sizeof(fi->nsusr), "c:@N@%s@N@%s", top, sub);
            snprintf(fi->nsflat, sizeof(fi->nsflat), "%s_%s", top, sub);
        } else {
            const char *third = ns_subs[(deep - 1) % ARRAY_SIZE(ns_subs)];
            unsigned num = (unsigned)((deep - 1) / ARRAY_SIZE(ns_subs));
            char t3[48];
            if (num)
                snprintf(t3, sizeof(t3), "%s%u", third, num);
            else
                snprintf(t3, sizeof(t3), "%s", third);
            snprintf(fi->ns, sizeof(fi->ns), "%s::%s::%s", top, sub, t3);
            snprintf(fi->nsusr, sizeof(fi->nsusr), "c:@N@%s@N@%s@N@%s", top, sub, t3);
            snprintf(fi->nsflat, sizeof(fi->nsflat), "%s_%s_%s", top, sub, t3);
        }
        w[0] = topics[fi->topic];
        w[1] = roles[fi->role0];
        ident(fi->base, sizeof(fi->base), w, 2, WC_SNAKE, false, 0);
        {
            char dir[128];
            size_t k = 0;
            for (const char *p = fi->ns; *p && k + 1 < sizeof(dir); p++) {
                if (p[0] == ':' && p[1] == ':') {
                    dir[k++] = '/';
                    p++;
                } else {
                    dir[k++] = *p;
                }
            }
            dir[k] = '\0';
            snprintf(fi->path, sizeof(fi->path), "/synth/project/src/%s/%s.%s", dir, fi->base,
                     fi->header ? "h" : "cpp");
        }
    }
    snprintf(fi->fname, sizeof(fi->fname), "%s.%s", fi->base, fi->header ? "h" : "cpp");
}

/* ---- plans: a file's entities -------------------------------------------------------------- */

enum ent_type {
    E_CLASS,
    E_STRUCT,
    E_ENUM,
    E_FUNCS,
    E_TYPEDEF,
    E_MACRO,
    E_VAR,
    E_IMPL,
    E_STATICS,
    E_LFUNCS,
    E_LCLASS
};
enum ent_flag {
    F_POLY = 1,
    F_ABSTRACT = 2,
    F_TEMPLATE = 4,
    F_SCOPED = 8,
    F_DETAIL = 16,
    F_GLOBAL = 32,
    F_INLINE = 64
};
/* Member groups of a class-like entity, in record order; G_ITEM for the other entities. */
enum group { G_SELF, G_CTOR, G_DTOR, G_VIRT, G_OVER, G_METH, G_FIELD, G_ITEM };

struct ent {
    uint8_t type, flags;
    uint8_t nctor, ndtor, nvirt, nover, nmeth, nfield; /* nmeth: item count for non-classes */
    uint16_t role;
    uint16_t qbase; /* first name slot of this entity's items among the file's same-type items */
    uint64_t base;  /* file whose entity 0 is this class's base, or NO_FILE */
};

struct plan {
    struct finfo fi;
    struct ent *ent;
    unsigned n, alloc;
    unsigned nfunc; /* functions in entities visible from other files */
    uint64_t neigh[MAX_NEIGHBORS];
    unsigned nneigh;
};

static bool is_classlike(const struct ent *en)
{
    return en->type == E_CLASS || en->type == E_STRUCT || en->type == E_IMPL ||
           en->type == E_LCLASS;
}

static unsigned ent_size(const struct ent *en)
{
    if (is_classlike(en))
        return 1u + en->nctor + en->ndtor + en->nvirt + en->nover + en->nmeth + en->nfield;
    if (en->type == E_ENUM)
        return 1u + en->nmeth;
    return en->nmeth;
}

static unsigned ent_funcs(const struct ent *en)
{
    if (is_classlike(en))
        return (unsigned)en->nctor + en->ndtor + en->nvirt + en->nover + en->nmeth;
    if (en->type == E_FUNCS || en->type == E_LFUNCS || en->type == E_STATICS)
        return en->nmeth;
    return 0;
}

/* Cuts members from the end of the record order until the entity fits in room (>= 1). */
static void ent_truncate(struct ent *en, unsigned room)
{
    uint8_t *order[6];
    unsigned n = 0;
    if (is_classlike(en)) {
        order[n++] = &en->nfield;
        order[n++] = &en->nmeth;
        order[n++] = &en->nover;
        order[n++] = &en->nvirt;
        order[n++] = &en->ndtor;
        order[n++] = &en->nctor;
    } else {
        order[n++] = &en->nmeth;
    }
    for (unsigned i = 0; i < n && ent_size(en) > room; i++) {
        unsigned over = ent_size(en) - room;
        *order[i] = (uint8_t)(*order[i] > over ? *order[i] - over : 0);
    }
    if (!is_classlike(en) && en->type != E_ENUM && en->nmeth == 0)
        en->nmeth = 1;
}

static void ent_intrinsic(const struct ctx *c, const struct finfo *fi, unsigned e, struct ent *en)
{
    struct rng r = rng_of(c->seed, fi->index, e, 0xE47);
    unsigned p;

    memset(en, 0, sizeof(*en));
    en->base = NO_FILE;
    if (fi->header) {
        en->role = (uint16_t)((fi->role0 + e) % NRH);
        if (e == 0) {
            en->type = E_CLASS;
            if (below(&r, 100) < 60)
                en->flags |= F_POLY;
            if ((en->flags & F_POLY) && below(&r, 100) < 30)
                en->flags |= F_ABSTRACT;
            if (en->flags & F_ABSTRACT) {
                en->ndtor = 1;
                en->nvirt = (uint8_t)(2 + below(&r, 4));
                en->nmeth = (uint8_t)below(&r, 2);
            } else {
                en->nctor = (uint8_t)(1 + (below(&r, 3) == 0));
                en->ndtor = 1;
                en->nvirt = (uint8_t)((en->flags & F_POLY) ? 1 + below(&r, 3) : 0);
                en->nmeth = (uint8_t)(3 + below(&r, 7));
                en->nfield = (uint8_t)(2 + below(&r, 5));
            }
            return;
        }
        p = below(&r, 100);
        if (p < 40) {
            en->type = E_CLASS;
            if (below(&r, 100) < 10)
                en->flags |= F_TEMPLATE;
            en->nctor = (uint8_t)(1 + below(&r, 2));
            en->ndtor = (uint8_t)below(&r, 2);
            en->nmeth = (uint8_t)(2 + below(&r, 6));
            en->nfield = (uint8_t)(1 + below(&r, 4));
        } else if (p < 52) {
            en->type = E_STRUCT;
            en->nfield = (uint8_t)(2 + below(&r, 5));
            en->nmeth = (uint8_t)below(&r, 2);
        } else if (p < 64) {
            en->type = E_ENUM;
            en->nmeth = (uint8_t)(3 + below(&r, 6));
            if (below(&r, 2))
                en->flags |= F_SCOPED;
        } else if (p < 78) {
            en->type = E_FUNCS;
            en->nmeth = (uint8_t)(2 + below(&r, 4));
            if (below(&r, 100) < 10 && !fi->dep)
                en->flags |= F_GLOBAL;
            if (below(&r, 100) < 25)
                en->flags |= F_INLINE;
        } else if (p < 87) {
            en->type = E_TYPEDEF;
            en->nmeth = (uint8_t)(1 + below(&r, 2));
        } else if (p < 94) {
            en->type = E_MACRO;
            en->nmeth = (uint8_t)(1 + below(&r, 3));
        } else {
            en->type = E_VAR;
            en->nmeth = (uint8_t)(1 + below(&r, 2));
        }
        if ((en->type == E_CLASS || en->type == E_STRUCT || en->type == E_FUNCS) &&
            !(en->flags & F_GLOBAL) && below(&r, 100) < 8)
            en->flags |= F_DETAIL;
        return;
    }
    en->role = (uint16_t)(NRH + (fi->role0 + e) % NRH);
    if (e == 0) {
        en->type = E_IMPL;
        en->nfield = (uint8_t)(2 + below(&r, 3));
        en->nmeth = (uint8_t)(2 + below(&r, 3));
        return;
    }
    p = below(&r, 100);
    if (p < 35) {
        en->type = E_STATICS;
        en->nmeth = (uint8_t)(2 + below(&r, 4));
    } else if (p < 55) {
        en->type = E_LCLASS;
        en->nctor = 1;
        en->nmeth = (uint8_t)(1 + below(&r, 4));
        en->nfield = (uint8_t)(1 + below(&r, 3));
    } else if (p < 75) {
        en->type = E_LFUNCS;
        en->nmeth = (uint8_t)(1 + below(&r, 3));
    } else if (p < 90) {
        en->type = E_VAR;
        en->nmeth = (uint8_t)(1 + below(&r, 3));
    } else {
        en->type = E_ENUM;
        en->nmeth = (uint8_t)(3 + below(&r, 4));
    }
}

/* Entity 0 of file g, as g's plan has it (a class deriving from nothing). */
static void ent0_of(const struct ctx *c, uint64_t g, struct ent *en)
{
    struct finfo fi;
    finfo_make(c, g, &fi);
    ent_intrinsic(c, &fi, 0, en);
    if (!fi.header) {
        en->flags = 0;
        en->nvirt = 0;
    }
    if (ent_size(en) > fi.budget)
        ent_truncate(en, fi.budget);
}

static uint64_t header_of(const struct finfo *fi)
{
    return fi->header ? fi->index : fi->index - 1;
}

/* The headers a file includes (and calls into): mostly its module, some far, some deps. */
static void neighbors_make(const struct ctx *c, const struct finfo *fi, uint64_t *out, unsigned *n)
{
    struct rng r = rng_of(c->seed, fi->index, 0, 0x4E16);
    unsigned want = fi->header ? 1 + below(&r, 3) : 2 + below(&r, 4);
    uint64_t own = header_of(fi);

    *n = 0;
    if (!fi->header)
        out[(*n)++] = own;
    for (unsigned tries = 0; tries < want * 4 && *n < MAX_NEIGHBORS; tries++) {
        uint64_t m = fi->module, g;
        unsigned p = below(&r, 100);
        bool dup = false;
        if (fi->dep) {
            if (p >= 70 && c->ndep_modules)
                m = (uint64_t)below(&r, (unsigned)c->ndep_modules) * c->dep_period + c->dep_period -
                    1;
        } else if (p < 50) {
            /* same module */
        } else if (p < 75) {
            uint64_t d = 1 + below(&r, 3);
            m = (below(&r, 2) && m >= d) ? m - d : m + d;
        } else if (p < 90) {
            m = below(&r, (unsigned)c->nmodules);
        } else if (c->ndep_modules) {
            m = (uint64_t)below(&r, (unsigned)c->ndep_modules) * c->dep_period + c->dep_period - 1;
        }
        g = m * FILES_PER_MODULE + 2 * below(&r, FILES_PER_MODULE / 2);
        if (g >= c->nfiles || g == own)
            continue;
        for (unsigned k = 0; k < *n; k++)
            dup |= out[k] == g;
        if (dup)
            continue;
        out[(*n)++] = g;
        if (*n >= want + !fi->header)
            break;
    }
}

static void plan_build(const struct ctx *c, uint64_t f, struct plan *pl)
{
    unsigned room, q[16] = {0};

    finfo_make(c, f, &pl->fi);
    neighbors_make(c, &pl->fi, pl->neigh, &pl->nneigh);
    pl->n = 0;
    pl->nfunc = 0;
    room = pl->fi.budget;
    for (unsigned e = 0; room > 0; e++) {
        struct ent en;
        ent_intrinsic(c, &pl->fi, e, &en);
        if ((en.type == E_CLASS && e > 0) || en.type == E_LCLASS) {
            struct rng r = rng_of(c->seed, f, e, 0xBA5E);
            unsigned p = below(&r, 100);
            uint64_t g = NO_FILE;
            if (en.type == E_CLASS && p < 25)
                g = f;
            else if (p < (en.type == E_CLASS ? 50u : 60u) && pl->nneigh)
                g = pl->neigh[below(&r, pl->nneigh)];
            if (g != NO_FILE && !(en.flags & F_TEMPLATE)) {
                struct ent b;
                if (g == f)
                    b = pl->ent[0];
                else
                    ent0_of(c, g, &b);
                if ((b.flags & F_POLY) && b.nvirt) {
                    en.base = g;
                    en.nover = (uint8_t)(1 + below(&r, b.nvirt));
                    en.flags |= F_POLY;
                    if (!en.ndtor)
                        en.ndtor = 1;
                }
            }
        }
        if (ent_size(&en) > room)
            ent_truncate(&en, room);
        en.qbase = (uint16_t)q[en.type];
        q[en.type] += en.nmeth;
        ALLOC_GROW(pl->ent, pl->n + 1, pl->alloc);
        pl->ent[pl->n++] = en;
        room -= ent_size(&en);
        if (pl->fi.header)
            pl->nfunc += ent_funcs(&en);
    }
}

static void plan_release(struct plan *pl)
{
    free(pl->ent);
    memset(pl, 0, sizeof(*pl));
}

/* ---- naming: one code path for a file's own records and for references into other files --- */

/* What references need to know about a function, a type or a variable. */
struct target {
    const char *usr, *name;
    enum store_kind kind;
    bool member, is_static, is_virtual;
};

/* A record made by member_make; s.range and the like are filled by the caller. */
struct made {
    struct store_symbol s;
    bool func;    /* a function of some kind */
    bool inline_; /* defined where it is declared (header inline, deleted, defaulted) */
    bool body;    /* has a body (gets references) when defined */
    bool pure;
    bool is_static;
};

/* The enclosing names of an entity: namespace, and the class for class-likes. */
struct scope_names {
    char ns[192];    /* qualified namespace (or "" for global) */
    char nsusr[256]; /* USR prefix of that namespace ("c:@N@app@N@ui") */
    char cls[96];    /* the class/struct/enum name (class-likes and enums) */
    char qcls[320];  /* qualified class name */
    char clsusr[400];
};

static const char *word_of(const struct finfo *fi)
{
    return topics[fi->topic];
}

static enum wcase fn_case(const struct finfo *fi)
{
    return fi->style == NS_SNAKE ? WC_SNAKE : fi->style == NS_PASCAL ? WC_PASCAL : WC_CAMEL;
}

static void scope_of(const struct plan *pl, unsigned e, struct scope_names *sn)
{
    const struct finfo *fi = &pl->fi;
    const struct ent *en = &pl->ent[e];
    const char *w[3];

    if (en->flags & F_GLOBAL) {
        sn->ns[0] = '\0';
        snprintf(sn->nsusr, sizeof(sn->nsusr), "c:");
    } else if (en->type == E_IMPL || (en->type == E_ENUM && !fi->header)) {
        snprintf(sn->ns, sizeof(sn->ns), "%s::(anonymous namespace)", fi->ns);
        snprintf(sn->nsusr, sizeof(sn->nsusr), "c:%s%s@aN", fi->fname, fi->nsusr + 2);
    } else if (en->type == E_STATICS || (en->type == E_VAR && !fi->header)) {
        snprintf(sn->ns, sizeof(sn->ns), "%s", fi->ns);
        snprintf(sn->nsusr, sizeof(sn->nsusr), "c:%s%s", fi->fname, fi->nsusr + 2);
    } else if (en->flags & F_DETAIL) {
        snprintf(sn->ns, sizeof(sn->ns), "%s::detail", fi->ns);
        snprintf(sn->nsusr, sizeof(sn->nsusr), "%s@N@detail", fi->nsusr);
    } else {
        snprintf(sn->ns, sizeof(sn->ns), "%s", fi->ns);
        snprintf(sn->nsusr, sizeof(sn->nsusr), "%s", fi->nsusr);
    }
    sn->cls[0] = sn->qcls[0] = sn->clsusr[0] = '\0';
    if (is_classlike(en)) {
        unsigned num = e / NRH;
        w[0] = word_of(fi);
        w[1] = en->type == E_IMPL ? "impl" : roles[en->role];
        ident(sn->cls, sizeof(sn->cls), w, 2, fi->dep ? WC_SNAKE : WC_PASCAL, fi->acro_upper,
              en->type == E_IMPL ? 0 : num);
        snprintf(sn->qcls, sizeof(sn->qcls), "%s%s%s", sn->ns, *sn->ns ? "::" : "", sn->cls);
        snprintf(sn->clsusr, sizeof(sn->clsusr), "%s%s%s", sn->nsusr,
                 (en->flags & F_TEMPLATE) ? "@ST>1#T@" : "@S@", sn->cls);
    } else if (en->type == E_ENUM) {
        unsigned q = en->qbase;
        w[0] = word_of(fi);
        w[1] = enum_suffixes[q % ARRAY_SIZE(enum_suffixes)];
        ident(sn->cls, sizeof(sn->cls), w, 2, fi->dep ? WC_SNAKE : WC_PASCAL, fi->acro_upper,
              (unsigned)(q / ARRAY_SIZE(enum_suffixes)));
        snprintf(sn->qcls, sizeof(sn->qcls), "%s%s%s", sn->ns, *sn->ns ? "::" : "", sn->cls);
        snprintf(sn->clsusr, sizeof(sn->clsusr), "%s@E@%s", sn->nsusr, sn->cls);
    }
}

/* Parameter list of a function: spelling "(int size, bool flag)" and USR part "#I#b#". */
struct params {
    unsigned n;
    unsigned type[8];
};

static void params_text(const struct params *pp, const struct scope_names *sn, struct rng *r,
                        struct strbuf *spell, struct strbuf *usr)
{
    strbuf_addch(spell, '(');
    strbuf_addch(usr, '#');
    for (unsigned i = 0; i < pp->n; i++) {
        unsigned t = pp->type[i];
        const char *pname = nouns[below(r, NNOUNS)];
        if (i)
            strbuf_adds(spell, ", ");
        if (t == PT_SELF) {
            strbuf_addf(spell, "const %s &other", sn->cls);
            strbuf_addf(usr, "&1$%s#", sn->clsusr + 2);
        } else if (t == PT_TPARAM) {
            strbuf_addf(spell, "const T &%s", pname);
            strbuf_adds(usr, "&1t0.0#");
        } else {
            const char *sp = ptypes[t].spell;
            size_t l = strlen(sp);
            strbuf_addf(spell, "%s%s%s", sp, sp[l - 1] == '*' || sp[l - 1] == '&' ? "" : " ",
                        pname);
            strbuf_addf(usr, "%s#", ptypes[t].usr);
        }
    }
    strbuf_addch(spell, ')');
    if (pp->n == 0)
        usr->len--, usr->buf[usr->len] = '\0', strbuf_addch(usr, '#');
}

static void params_draw(struct rng *r, unsigned n, bool tmpl, struct params *pp)
{
    pp->n = n > 8 ? 8 : n;
    for (unsigned i = 0; i < pp->n; i++)
        pp->type[i] = tmpl && below(r, 3) == 0 ? PT_TPARAM : below(r, NPTYPES);
}

static unsigned nparams_draw(struct rng *r)
{
    unsigned p = below(r, 100);
    return p < 30 ? 0 : p < 65 ? 1 : p < 90 ? 2 : 3;
}

static const char *maybe_brief(struct arena *a, uint64_t h, const char *subject, bool *full)
{
    unsigned p = (unsigned)(h % 100);
    *full = p < 10;
    if (p >= 30)
        return NULL;
    {
        const char *const *bp = brief_parts[(h >> 8) % ARRAY_SIZE(brief_parts)];
        return af(a, "%s%s%s", bp[0], subject, bp[1]);
    }
}

static void set_docs(struct arena *a, struct made *m, uint64_t h, const char *subject)
{
    bool full;
    m->s.brief = maybe_brief(a, h, subject, &full);
    if (m->s.brief && full)
        m->s.doc = af(a,
                      "%s Callers must hold no lock on the %s; the result stays valid until "
                      "the next call.",
                      m->s.brief, subject);
}

/* Name of method slot q of a class: verb (+ topic) (+ noun), in the module's style. */
static void method_name(const struct finfo *fi, uint64_t hb, unsigned q, bool virt, char *out,
                        size_t cap)
{
    const char *w[3];
    unsigned n = 0, p = (unsigned)(mix64(hb + q) % 100);
    unsigned nv = virt ? (unsigned)NVVERBS : (unsigned)NVERBS;
    const char *verb = virt ? vverbs[(hb + q) % nv] : verbs[(hb + q) % nv];
    bool solo = !strcmp(verb, "reset") || !strcmp(verb, "clear") || !strcmp(verb, "flush") ||
                !strcmp(verb, "draw") || !strcmp(verb, "run") || !strcmp(verb, "start") ||
                !strcmp(verb, "stop") || !strcmp(verb, "close") || !strcmp(verb, "refresh");
    w[n++] = verb;
    if (!(solo && p < 40)) {
        if (p >= 70 && p < 85)
            w[n++] = word_of(fi);
        if (p >= 85) {
            w[n++] = word_of(fi);
            w[n++] = nouns[((hb >> 24) + q * 5) % NNOUNS];
        } else if (p < 70) {
            w[n++] = nouns[((hb >> 24) + q * 5) % NNOUNS];
        }
    }
    ident(out, cap, w, n, fn_case(fi), fi->acro_upper, q / nv);
}

static void fill_scope(struct made *m, const struct plan *pl, const struct scope_names *sn,
                       bool member, enum store_kind parent_kind, struct arena *a)
{
    if (member) {
        m->s.scope = arena_strdup(a, sn->qcls);
        m->s.scope_ns = *sn->ns ? arena_strdup(a, sn->ns) : NULL;
        m->s.scope_kind = parent_kind;
    } else {
        m->s.scope = *sn->ns ? arena_strdup(a, sn->ns) : NULL;
        m->s.scope_ns = m->s.scope;
        m->s.scope_kind = *sn->ns ? STORE_KIND_NAMESPACE : STORE_KIND_UNKNOWN;
    }
    (void)pl;
}

/*
 * Makes the record of member (grp, j) of entity e of plan pl. light: only usr, name, kind and
 * attributes (for references into other files).
 */
static void member_make(const struct ctx *c, const struct plan *pl, unsigned e, enum group grp,
                        unsigned j, bool light, struct arena *a, struct made *m)
{
    const struct finfo *fi = &pl->fi;
    const struct ent *en = &pl->ent[e];
    struct scope_names sn;
    struct strbuf spell = STRBUF_INIT, usr = STRBUF_INIT;
    uint64_t hb = hash4(c->seed, fi->index, e, 0x3E7);
    struct rng r = rng_of(c->seed, fi->index, e, ((uint64_t)grp << 32) | j);
    uint64_t hdoc = hash4(c->seed, fi->index, e, ((uint64_t)grp << 40) | (j + 0xD0C));
    char name[160];
    bool tmpl = en->flags & F_TEMPLATE;
    enum store_kind ckind =
        en->type == E_STRUCT || en->type == E_IMPL ? STORE_KIND_STRUCT : STORE_KIND_CLASS;

    memset(m, 0, sizeof(*m));
    scope_of(pl, e, &sn);
    m->s.access = STORE_ACCESS_PUBLIC;

    if (is_classlike(en)) {
        if (grp == G_SELF) {
            m->s.usr = arena_strdup(a, sn.clsusr);
            m->s.name = arena_strdup(a, sn.cls);
            m->s.kind = ckind;
            m->s.access = STORE_ACCESS_NONE;
            fill_scope(m, pl, &sn, false, STORE_KIND_NAMESPACE, a);
            if (tmpl) {
                m->s.template_kind = STORE_TEMPLATE_PRIMARY;
                m->s.template_params = light ? NULL : "<typename T>";
            }
            if (!light)
                set_docs(a, m, hdoc, roles[en->role]);
            return;
        }
        fill_scope(m, pl, &sn, true, ckind, a);
        if (grp == G_FIELD) {
            const char *w[3];
            unsigned n = 0;
            w[n++] = nouns[((hb >> 12) + j * 7) % NNOUNS];
            if (below(&r, 3) == 0)
                w[n++] = nouns[((hb >> 30) + j * 11 + 1) % NNOUNS];
            if (fi->style == NS_SNAKE) {
                ident(name, sizeof(name) - 1, w, n, WC_SNAKE, false, j / NNOUNS);
                {
                    size_t l = strlen(name);
                    name[l] = '_';
                    name[l + 1] = '\0';
                }
            } else {
                char tmp[150];
                ident(tmp, sizeof(tmp), w, n, fi->style == NS_PASCAL ? WC_PASCAL : WC_CAMEL,
                      fi->acro_upper, j / NNOUNS);
                snprintf(name, sizeof(name), "%s%s", fi->style == NS_PASCAL ? "m" : "m_", tmp);
            }
            m->s.usr = af(a, "%s@FI@%s", sn.clsusr, name);
            m->s.name = arena_strdup(a, name);
            m->s.kind = STORE_KIND_FIELD;
            m->s.access = en->type == E_STRUCT ? STORE_ACCESS_PUBLIC : STORE_ACCESS_PRIVATE;
            if (!light) {
                m->s.signature = ftypes[below(&r, ARRAY_SIZE(ftypes))];
                set_docs(a, m, hdoc, nouns[((hb >> 12) + j * 7) % NNOUNS]);
            }
            m->inline_ = true;
            return;
        }
        m->func = true;
        if (grp == G_CTOR || grp == G_DTOR) {
            struct params pp = {0};
            bool copy = grp == G_CTOR && j == 1;
            if (grp == G_CTOR) {
                if (copy) {
                    pp.n = 1;
                    pp.type[0] = PT_SELF;
                } else {
                    params_draw(&r, below(&r, 3), tmpl, &pp);
                }
            }
            snprintf(name, sizeof(name), "%s%s", grp == G_DTOR ? "~" : "", sn.cls);
            params_text(&pp, &sn, &r, &spell, &usr);
            m->s.usr = af(a, "%s@F@%s%s", sn.clsusr, name, usr.buf);
            m->s.name = arena_strdup(a, name);
            m->s.kind = grp == G_CTOR ? STORE_KIND_CONSTRUCTOR : STORE_KIND_DESTRUCTOR;
            if (grp == G_DTOR && (en->flags & F_POLY))
                m->s.attrs |= STORE_ATTR_VIRTUAL;
            if (grp == G_CTOR && pp.n == 1 && !copy)
                m->s.attrs |= STORE_ATTR_EXPLICIT;
            if (copy && below(&r, 100) < 40) {
                m->s.attrs |= STORE_ATTR_DELETED;
                m->inline_ = true;
            } else if (grp == G_DTOR && below(&r, 100) < 30) {
                m->s.attrs |= STORE_ATTR_DEFAULTED;
                m->inline_ = true;
            } else {
                m->body = true;
                m->inline_ = tmpl || en->type == E_IMPL || below(&r, 100) < 25;
            }
            if (!light) {
                m->s.signature = af(a, "%s::%s%s", sn.qcls, name, spell.buf);
                set_docs(a, m, hdoc, grp == G_CTOR ? "instance" : "resources");
            }
            goto out;
        }
        {
            /* virtual, override, method */
            struct params pp = {0};
            const struct finfo *nfi = fi;
            uint64_t nhb = hb;
            unsigned q = j;
            bool virt = grp == G_VIRT || grp == G_OVER, is_const = false, is_static = false;
            struct rng pr = r;
            struct finfo base_fi;
            const char *ret = "void";

            if (grp == G_OVER) {
                /* the base's virtual j: its name and parameters, in this class */
                finfo_make(c, en->base, &base_fi);
                nfi = &base_fi;
                nhb = hash4(c->seed, en->base, 0, 0x3E7);
                pr = rng_of(c->seed, en->base, 0, ((uint64_t)G_VIRT << 32) | j);
            } else if (grp == G_METH) {
                /* an overload takes the name of the method before it and one more parameter */
                unsigned k = j;
                while (k > 0 && mix64(hb ^ (k * 0x51ull)) % 6 == 0)
                    k--;
                q = k;
                pr = rng_of(c->seed, fi->index, e, ((uint64_t)G_METH << 32) | k);
                params_draw(&pr, nparams_draw(&pr), tmpl, &pp);
                for (unsigned x = k; x < j && pp.n < 8; x++)
                    pp.type[pp.n++] = (unsigned)(1 + x % 4);
                is_const = below(&pr, 100) < 35;
                is_static = !is_const && below(&pr, 100) < 10;
                ret = rtypes[below(&pr, ARRAY_SIZE(rtypes))];
            }
            if (grp != G_METH) {
                params_draw(&pr, nparams_draw(&pr), false, &pp);
                is_const = below(&pr, 100) < 35;
                ret = rtypes[below(&pr, ARRAY_SIZE(rtypes))];
            }
            if (grp == G_METH && en->type == E_STRUCT && j == 0 && !tmpl) {
                snprintf(name, sizeof(name), "operator==");
                pp.n = 1;
                pp.type[0] = PT_SELF;
                is_const = true;
                is_static = false;
                ret = "bool";
            } else {
                method_name(nfi, nhb, q, virt, name, sizeof(name));
            }
            params_text(&pp, &sn, &pr, &spell, &usr);
            m->s.usr = af(a, "%s@F@%s%s%s%s", sn.clsusr, name, usr.buf, is_const ? "1" : "",
                          is_static ? "S" : "");
            m->s.name = arena_strdup(a, name);
            m->s.kind = STORE_KIND_METHOD;
            if (is_const)
                m->s.attrs |= STORE_ATTR_CONST;
            if (is_static)
                m->s.attrs |= STORE_ATTR_STATIC;
            m->is_static = is_static;
            if (virt)
                m->s.attrs |= STORE_ATTR_VIRTUAL;
            if (grp == G_OVER)
                m->s.attrs |= STORE_ATTR_OVERRIDE;
            if (grp == G_VIRT && (en->flags & F_ABSTRACT)) {
                m->s.attrs |= STORE_ATTR_PURE;
                m->pure = true;
            } else {
                m->body = true;
                m->inline_ = tmpl || en->type == E_IMPL || fi->dep || below(&r, 100) < 22;
            }
            if (!light) {
                m->s.signature = af(a, "%s%s %s::%s%s%s", virt ? "virtual " : "", ret, sn.qcls,
                                    name, spell.buf, is_const ? " const" : "");
                set_docs(a, m, hdoc, nouns[((nhb >> 24) + q * 5) % NNOUNS]);
                if (below(&r, 100) < 15 && en->type != E_STRUCT)
                    m->s.access = STORE_ACCESS_PROTECTED;
            }
        }
        goto out;
    }

    /* entities that are not classes */
    switch (en->type) {
    case E_ENUM:
        if (grp == G_SELF) {
            m->s.usr = arena_strdup(a, sn.clsusr);
            m->s.name = arena_strdup(a, sn.cls);
            m->s.kind = STORE_KIND_ENUM;
            m->s.access = STORE_ACCESS_NONE;
            if (en->flags & F_SCOPED)
                m->s.attrs |= STORE_ATTR_SCOPED;
            fill_scope(m, pl, &sn, false, STORE_KIND_NAMESPACE, a);
            if (!light)
                set_docs(a, m, hdoc, enum_suffixes[en->qbase % ARRAY_SIZE(enum_suffixes)]);
        } else {
            const char *w[3];
            unsigned wi = (unsigned)((hb + j) % NENUMWORDS);
            if (en->flags & F_SCOPED || fi->dep) {
                w[0] = enum_words[wi];
                ident(name, sizeof(name), w, 1, fi->dep ? WC_SNAKE : WC_PASCAL, false,
                      j / NENUMWORDS);
            } else if (fi->style == NS_CAMEL) {
                char tmp[96];
                w[0] = enum_words[wi];
                ident(tmp, sizeof(tmp), w, 1, WC_PASCAL, false, j / NENUMWORDS);
                snprintf(name, sizeof(name), "k%s", tmp);
            } else {
                w[0] = word_of(fi);
                w[1] = enum_suffixes[en->qbase % ARRAY_SIZE(enum_suffixes)];
                w[2] = enum_words[wi];
                ident(name, sizeof(name), w, 3, WC_UPPER, false, j / NENUMWORDS);
            }
            m->s.usr = af(a, "%s@%s", sn.clsusr, name);
            m->s.name = arena_strdup(a, name);
            m->s.kind = STORE_KIND_ENUM_CONSTANT;
            m->s.access = STORE_ACCESS_NONE;
            fill_scope(m, pl, &sn, true, STORE_KIND_ENUM, a);
        }
        m->inline_ = true;
        return;
    case E_FUNCS:
    case E_LFUNCS:
    case E_STATICS: {
        struct params pp = {0};
        const char *w[4];
        unsigned n = 0, q = en->qbase + j;
        /* header functions take name slots [0, 24), the source's own [24, 48): one namespace */
        unsigned span = en->type == E_LFUNCS ? FREE_FN_SPAN : 0;
        /* static helpers are file-local: a name space of their own */
        uint64_t hu = en->type == E_STATICS ? hash4(c->seed, fi->index, 0, 0x57A7)
                                            : hash4(c->seed, fi->index / 2, 0, 0xF7);
        unsigned p = (unsigned)(mix64(hu + q + span) % 100);
        const char *ret = rtypes[below(&r, ARRAY_SIZE(rtypes))];
        char suffix[16] = "";

        if (en->flags & F_GLOBAL) {
            w[n++] = fi->nsflat;
            w[n++] = word_of(fi);
            w[n++] = verbs[(hu + q) % NVERBS];
            if (p < 60)
                w[n++] = nouns[((hu >> 20) + q * 3) % NNOUNS];
            ident(name, sizeof(name), w, n, WC_SNAKE, false, q / NVERBS);
        } else {
            unsigned width = en->type == E_STATICS ? (unsigned)NVERBS : FREE_FN_SPAN;
            unsigned slot = span + q % width;
            w[n++] = verbs[(hu + slot) % NVERBS];
            if (en->type != E_STATICS || p < 50)
                w[n++] = word_of(fi);
            if (p < 65)
                w[n++] = nouns[((hu >> 20) + slot * 3) % NNOUNS];
            if (q / width)
                snprintf(suffix, sizeof(suffix), "%s%u", span ? "Ex" : "", q / width);
            ident(name, sizeof(name) - sizeof(suffix), w, n, fn_case(fi), fi->acro_upper, 0);
            {
                size_t l = strlen(name);
                snprintf(name + l, sizeof(name) - l, "%s", suffix);
            }
        }
        params_draw(&r, nparams_draw(&r), false, &pp);
        params_text(&pp, &sn, &r, &spell, &usr);
        m->s.usr = af(a, "%s@F@%s%s", sn.nsusr, name, usr.buf);
        m->s.name = arena_strdup(a, name);
        m->s.kind = STORE_KIND_FUNCTION;
        m->s.access = STORE_ACCESS_NONE;
        fill_scope(m, pl, &sn, false, STORE_KIND_NAMESPACE, a);
        m->func = true;
        m->body = true;
        m->inline_ = en->type != E_FUNCS || (en->flags & F_INLINE);
        if (en->type == E_STATICS) {
            m->s.attrs |= STORE_ATTR_STATIC;
            m->is_static = true;
        }
        if (en->flags & F_INLINE)
            m->s.attrs |= STORE_ATTR_INLINE;
        if (!light) {
            m->s.signature = af(a, "%s%s %s%s%s%s", en->type == E_STATICS ? "static " : "", ret,
                                sn.ns, *sn.ns ? "::" : "", name, spell.buf);
            set_docs(a, m, hdoc, nouns[((hu >> 20) + q * 3) % NNOUNS]);
        }
        goto out;
    }
    case E_TYPEDEF: {
        const char *w[3];
        unsigned q = en->qbase + j;
        bool alias = fi->style != NS_SNAKE;
        struct scope_names s0;
        scope_of(pl, 0, &s0);
        w[0] = word_of(fi);
        w[1] = typedef_suffixes[q % ARRAY_SIZE(typedef_suffixes)];
        if (alias) {
            ident(name, sizeof(name), w, 2, WC_PASCAL, fi->acro_upper,
                  (unsigned)(q / ARRAY_SIZE(typedef_suffixes)));
        } else {
            w[2] = "t";
            ident(name, sizeof(name), w, 3, WC_SNAKE, false,
                  (unsigned)(q / ARRAY_SIZE(typedef_suffixes)));
        }
        m->s.usr = af(a, "%s@T@%s", sn.nsusr, name);
        m->s.name = arena_strdup(a, name);
        m->s.kind = alias ? STORE_KIND_TYPE_ALIAS : STORE_KIND_TYPEDEF;
        m->s.access = STORE_ACCESS_NONE;
        fill_scope(m, pl, &sn, false, STORE_KIND_NAMESPACE, a);
        if (!light) {
            static const char *const tgt[][2] = {{"std::shared_ptr<", ">"},
                                                 {"std::vector<", " *>"},
                                                 {"std::unique_ptr<", ">"},
                                                 {"std::function<void (", " &)>"},
                                                 {"std::map<std::string, ", ">"}};
            unsigned k = q % ARRAY_SIZE(tgt);
            m->s.target = q % 4 == 3 && !alias ? "unsigned int"
                                               : af(a, "%s%s%s", tgt[k][0], s0.cls, tgt[k][1]);
            m->s.signature = m->s.target;
            set_docs(a, m, hdoc, "type");
        }
        m->inline_ = true;
        return;
    }
    case E_MACRO: {
        const char *w[3];
        unsigned q = en->qbase + j;
        w[0] = word_of(fi);
        w[1] = macro_suffixes[q % ARRAY_SIZE(macro_suffixes)];
        ident(name, sizeof(name), w, 2, WC_UPPER, false,
              (unsigned)(q / ARRAY_SIZE(macro_suffixes)));
        /* clang spells only the basename here; the path keeps same-named headers apart */
        m->s.usr =
            af(a, "c:%s@%u@macro@%s", fi->path + strlen("/synth/"), 40 * (e * 8 + j + 3), name);
        m->s.name = arena_strdup(a, name);
        m->s.kind = STORE_KIND_MACRO;
        m->s.access = STORE_ACCESS_NONE;
        if (!light)
            set_docs(a, m, hdoc, "macro");
        m->inline_ = true;
        return;
    }
    case E_VAR: {
        const char *w[4];
        unsigned n = 0, q = en->qbase + j;
        const char *noun = nouns[(hash4(c->seed, fi->index, 0, 0xEA7) + q) % NNOUNS];
        if (fi->style == NS_SNAKE) {
            w[n++] = fi->header ? "default" : "max";
            w[n++] = word_of(fi);
            w[n++] = noun;
            ident(name, sizeof(name), w, n, WC_SNAKE, false, q / NNOUNS);
        } else {
            char tmp[128];
            w[n++] = fi->header ? "default" : "max";
            w[n++] = word_of(fi);
            w[n++] = noun;
            ident(tmp, sizeof(tmp), w, n, WC_PASCAL, fi->acro_upper, q / NNOUNS);
            snprintf(name, sizeof(name), "k%s", tmp);
        }
        m->s.usr = af(a, "%s@%s", sn.nsusr, name);
        m->s.name = arena_strdup(a, name);
        m->s.kind = STORE_KIND_VARIABLE;
        m->s.access = STORE_ACCESS_NONE;
        fill_scope(m, pl, &sn, false, STORE_KIND_NAMESPACE, a);
        if (!fi->header)
            m->s.attrs |= STORE_ATTR_STATIC;
        else
            m->s.attrs |= STORE_ATTR_CONSTEXPR;
        if (!light) {
            m->s.signature = fi->header ? "constexpr int" : "const std::size_t";
            set_docs(a, m, hdoc, noun);
        }
        m->inline_ = true;
        return;
    }
    default:
        break;
    }
out:
    strbuf_release(&spell);
    strbuf_release(&usr);
}

/* ---- building one file --------------------------------------------------------------------- */

struct body {
    const char *usr;
    uint32_t line; /* first line of the body */
    unsigned ncalls, nother;
    int cls; /* index into classes (whose fields the body may use), or -1 */
};

struct cls_fields {
    size_t first, n; /* into fields */
};

struct builder {
    const struct ctx *c;
    struct synth_file *out;
    struct arena *a;
    struct plan pl;
    struct plan cache[PLAN_CACHE];
    unsigned cache_next;
    uint32_t line;
    size_t own_records; /* records before the source's definitions of header functions */
    struct target *funcs, *types, *fields, *values;
    size_t nfuncs, afuncs, ntypes, atypes, nfields, afields, nvalues, avalues;
    struct body *bodies;
    size_t nbodies, abodies;
    struct cls_fields *classes;
    size_t nclasses, aclasses;
};

static size_t sym_push(struct builder *b)
{
    struct synth_file *f = b->out;
    ALLOC_GROW(f->syms_, f->nsyms_ + 1, f->asyms_);
    memset(&f->syms_[f->nsyms_], 0, sizeof(f->syms_[0]));
    return f->nsyms_++;
}

static void target_push(struct target **arr, size_t *n, size_t *alloc, const struct made *m)
{
    struct target *t;
    ALLOC_GROW(*arr, *n + 1, *alloc);
    t = &(*arr)[(*n)++];
    t->usr = m->s.usr;
    t->name = m->s.name;
    t->kind = m->s.kind;
    t->member = m->s.kind == STORE_KIND_METHOD || m->s.kind == STORE_KIND_FIELD;
    t->is_static = m->is_static;
    t->is_virtual = (m->s.attrs & STORE_ATTR_VIRTUAL) != 0;
}

/* The plan of file g; valid until the next call (a small cache of recent plans). */
static const struct plan *plan_cached(struct builder *b, uint64_t g)
{
    struct plan *p;
    if (g == b->pl.fi.index)
        return &b->pl;
    for (unsigned i = 0; i < PLAN_CACHE; i++)
        if (b->cache[i].ent && b->cache[i].fi.index == g)
            return &b->cache[i];
    p = &b->cache[b->cache_next++ % PLAN_CACHE];
    plan_build(b->c, g, p);
    return p;
}

/* Records a function body after the current line and advances past it. */
static void body_add(struct builder *b, const struct made *m, int cls)
{
    struct rng r = rng_of(b->c->seed, hash_bytes64(m->s.usr, strlen(m->s.usr)), 0, 0xB0D);
    struct body *bd;
    ALLOC_GROW(b->bodies, b->nbodies + 1, b->abodies);
    bd = &b->bodies[b->nbodies++];
    bd->usr = m->s.usr;
    bd->line = b->line + 1;
    bd->ncalls = below(&r, 7);
    bd->nother = below(&r, 5);
    bd->cls = cls;
    b->line += 2 + (bd->ncalls + bd->nother + 1) / 2;
}

/* Emits one record of the file at the current line; returns its index. */
static size_t emit(struct builder *b, const struct made *m, bool def, uint32_t col,
                   uint32_t ext_line)
{
    size_t i = sym_push(b);
    struct store_symbol *s = &b->out->syms_[i];
    *s = m->s;
    s->is_definition = def;
    s->range.line = b->line;
    s->range.col = col;
    s->range.end_line = b->line;
    s->range.end_col = col + (uint32_t)strlen(m->s.name);
    s->extent_start.line = ext_line ? ext_line : b->line;
    s->extent_start.col = ext_line ? 1 : (col > 4 ? col - 4 : 1);
    return i;
}

/* After a function's record: its body when it has one here, else just the line. */
static void emit_body(struct builder *b, const struct made *m, int cls, bool def)
{
    if (def && m->body)
        body_add(b, m, cls);
    else
        b->line++;
}

static unsigned group_count(const struct ent *en, enum group grp)
{
    switch (grp) {
    case G_CTOR:
        return en->nctor;
    case G_DTOR:
        return en->ndtor;
    case G_VIRT:
        return en->nvirt;
    case G_OVER:
        return en->nover;
    case G_METH:
        return en->nmeth;
    case G_FIELD:
        return en->nfield;
    default:
        return 0;
    }
}

/* Out-of-line definitions a source gives for its header's functions, after its own records. */
static void emit_header_definitions(struct builder *b)
{
    static const enum group groups[] = {G_CTOR, G_DTOR, G_VIRT, G_OVER, G_METH};
    const struct plan *hp;
    struct made m;

    b->own_records = b->out->nsyms_;
    if (b->pl.fi.header)
        return;
    hp = plan_cached(b, b->pl.fi.index - 1);
    for (unsigned e = 0; e < hp->n; e++) {
        const struct ent *en = &hp->ent[e];
        if (is_classlike(en)) {
            int cls = -1;
            if (en->nfield) {
                /* the class's fields, for the bodies' reads and writes */
                ALLOC_GROW(b->classes, b->nclasses + 1, b->aclasses);
                cls = (int)b->nclasses++;
                b->classes[cls].first = b->nfields;
                b->classes[cls].n = en->nfield;
                for (unsigned j = 0; j < en->nfield; j++) {
                    member_make(b->c, hp, e, G_FIELD, j, true, b->a, &m);
                    target_push(&b->fields, &b->nfields, &b->afields, &m);
                }
            }
            for (size_t gi = 0; gi < ARRAY_SIZE(groups); gi++) {
                unsigned cnt = group_count(en, groups[gi]);
                for (unsigned j = 0; j < cnt; j++) {
                    member_make(b->c, hp, e, groups[gi], j, false, b->a, &m);
                    if (!m.func || m.inline_ || m.pure)
                        continue;
                    m.s.brief = m.s.doc = NULL;
                    b->line += 1;
                    emit(b, &m, true, 6 + (uint32_t)strlen(m.s.scope ? m.s.scope : ""), 0);
                    target_push(&b->funcs, &b->nfuncs, &b->afuncs, &m);
                    body_add(b, &m, cls);
                }
            }
        } else if (en->type == E_FUNCS && !(en->flags & F_INLINE)) {
            for (unsigned j = 0; j < en->nmeth; j++) {
                member_make(b->c, hp, e, G_ITEM, j, false, b->a, &m);
                m.s.brief = m.s.doc = NULL;
                b->line += 1;
                emit(b, &m, true, 6, 0);
                target_push(&b->funcs, &b->nfuncs, &b->afuncs, &m);
                body_add(b, &m, -1);
            }
        }
    }
}

static void emit_class(struct builder *b, unsigned e, uint32_t start)
{
    static const enum group groups[] = {G_CTOR, G_DTOR, G_VIRT, G_OVER, G_METH, G_FIELD};
    const struct plan *pl = &b->pl;
    const struct ent *en = &pl->ent[e];
    struct made m;
    size_t self;
    int cls;

    if (en->flags & F_TEMPLATE)
        b->line++;
    member_make(b->c, pl, e, G_SELF, 0, false, b->a, &m);
    self = emit(b, &m, true, en->type == E_STRUCT || en->type == E_IMPL ? 8 : 7, start);
    target_push(&b->types, &b->ntypes, &b->atypes, &m);
    ALLOC_GROW(b->classes, b->nclasses + 1, b->aclasses);
    cls = (int)b->nclasses++;
    b->line++;
    /* fields are recorded before the bodies so every method can use them */
    b->classes[cls].first = b->nfields;
    b->classes[cls].n = en->nfield;
    for (unsigned j = 0; j < en->nfield; j++) {
        member_make(b->c, pl, e, G_FIELD, j, true, b->a, &m);
        target_push(&b->fields, &b->nfields, &b->afields, &m);
    }
    for (size_t gi = 0; gi < ARRAY_SIZE(groups); gi++) {
        enum group grp = groups[gi];
        unsigned cnt = group_count(en, grp);
        for (unsigned j = 0; j < cnt; j++) {
            bool def;
            member_make(b->c, pl, e, grp, j, false, b->a, &m);
            if (grp == G_FIELD) {
                emit(b, &m, true, 9, 0);
                b->line++;
                continue;
            }
            /* a header defines only inline members; a source defines all of its own */
            def = m.inline_ || !pl->fi.header;
            emit(b, &m, def, 10, 0);
            target_push(&b->funcs, &b->nfuncs, &b->afuncs, &m);
            emit_body(b, &m, cls, def);
            if (grp == G_OVER) {
                struct made bm;
                struct store_override *o;
                member_make(b->c, plan_cached(b, en->base), 0, G_VIRT, j, true, b->a, &bm);
                ALLOC_GROW(b->out->overrides_, b->out->novr_ + 1, b->out->aovr_);
                o = &b->out->overrides_[b->out->novr_++];
                o->usr = m.s.usr;
                o->overridden_usr = bm.s.usr;
                o->overridden_name = bm.s.name;
            }
        }
    }
    b->out->syms_[self].range.end_line = b->line;
    b->out->syms_[self].range.end_col = 2;
    if (en->base != NO_FILE) {
        const struct plan *bp = plan_cached(b, en->base);
        const struct store_symbol *s = &b->out->syms_[self];
        struct made bm;
        struct store_base *sb;
        bool near = bp->fi.module == pl->fi.module && !(en->flags & F_DETAIL);
        member_make(b->c, bp, 0, G_SELF, 0, true, b->a, &bm);
        ALLOC_GROW(b->out->bases_, b->out->nbases_ + 1, b->out->abases_);
        sb = &b->out->bases_[b->out->nbases_++];
        memset(sb, 0, sizeof(*sb));
        sb->derived_usr = s->usr;
        sb->is_virtual = hash4(b->c->seed, pl->fi.index, e, 0x5B) % 100 < 5;
        sb->base_usr = bm.s.usr;
        sb->base_name = near ? bm.s.name : af(b->a, "%s::%s", bp->fi.ns, bm.s.name);
        sb->access = STORE_ACCESS_PUBLIC;
        sb->line = s->range.line;
        sb->col = s->range.col + (uint32_t)strlen(s->name) + 10;
    }
    b->line++;
}

static void emit_entity(struct builder *b, unsigned e)
{
    const struct plan *pl = &b->pl;
    const struct ent *en = &pl->ent[e];
    struct made m;
    uint32_t start;

    b->line += 1; /* blank line */
    start = b->line;
    if (is_classlike(en)) {
        emit_class(b, e, start);
        return;
    }
    if (en->type == E_ENUM) {
        size_t self;
        member_make(b->c, pl, e, G_SELF, 0, false, b->a, &m);
        self = emit(b, &m, true, (en->flags & F_SCOPED) ? 12 : 6, 0);
        target_push(&b->types, &b->ntypes, &b->atypes, &m);
        b->line++;
        for (unsigned j = 0; j < en->nmeth; j++) {
            member_make(b->c, pl, e, G_ITEM, j, false, b->a, &m);
            emit(b, &m, true, 5, 0);
            target_push(&b->values, &b->nvalues, &b->avalues, &m);
            b->line++;
        }
        b->out->syms_[self].range.end_line = b->line;
        b->out->syms_[self].range.end_col = 2;
        b->line++;
        return;
    }
    for (unsigned j = 0; j < en->nmeth; j++) {
        bool def;
        member_make(b->c, pl, e, G_ITEM, j, false, b->a, &m);
        switch (en->type) {
        case E_FUNCS:
        case E_LFUNCS:
        case E_STATICS:
            def = m.inline_;
            emit(b, &m, def, 6, 0);
            target_push(&b->funcs, &b->nfuncs, &b->afuncs, &m);
            emit_body(b, &m, -1, def);
            break;
        case E_TYPEDEF:
            emit(b, &m, true, 7, 0);
            target_push(&b->types, &b->ntypes, &b->atypes, &m);
            b->line++;
            break;
        case E_MACRO:
            emit(b, &m, true, 9, 0);
            b->line++;
            break;
        default: /* E_VAR */
            emit(b, &m, true, 15, 0);
            target_push(&b->values, &b->nvalues, &b->avalues, &m);
            b->line++;
            break;
        }
    }
}

/* A function of another file that this file calls: a member of a header the file includes. */
static bool remote_func(struct builder *b, struct rng *r, struct target *t)
{
    const struct plan *np;
    struct made m;
    unsigned k;
    if (!b->pl.nneigh)
        return false;
    np = plan_cached(b, b->pl.neigh[below(r, b->pl.nneigh)]);
    if (!np->nfunc)
        return false;
    k = below(r, np->nfunc);
    for (unsigned e = 0; e < np->n; e++) {
        const struct ent *en = &np->ent[e];
        unsigned nf = ent_funcs(en);
        if (k >= nf) {
            k -= nf;
            continue;
        }
        if (is_classlike(en)) {
            enum group grp;
            if (k < en->nctor) {
                grp = G_CTOR;
            } else if ((k -= en->nctor) < en->ndtor) {
                grp = G_DTOR;
            } else if ((k -= en->ndtor) < en->nvirt) {
                grp = G_VIRT;
            } else if ((k -= en->nvirt) < en->nover) {
                grp = G_OVER;
            } else {
                k -= en->nover;
                grp = G_METH;
            }
            member_make(b->c, np, e, grp, k, true, b->a, &m);
        } else {
            member_make(b->c, np, e, G_ITEM, k, true, b->a, &m);
        }
        t->usr = m.s.usr;
        t->name = m.s.name;
        t->kind = m.s.kind;
        t->member = m.s.kind == STORE_KIND_METHOD;
        t->is_static = m.is_static;
        t->is_virtual = (m.s.attrs & STORE_ATTR_VIRTUAL) != 0;
        return true;
    }
    return false;
}

static bool remote_type(struct builder *b, struct rng *r, struct target *t)
{
    const struct plan *np;
    struct made m;
    if (!b->pl.nneigh)
        return false;
    np = plan_cached(b, b->pl.neigh[below(r, b->pl.nneigh)]);
    if (!np->n)
        return false;
    member_make(b->c, np, 0, G_SELF, 0, true, b->a, &m);
    t->usr = m.s.usr;
    t->name = m.s.name;
    t->kind = m.s.kind;
    t->member = t->is_static = t->is_virtual = false;
    return true;
}

static void ref_push(struct builder *b, const struct body *bd, unsigned i, const struct target *t,
                     unsigned roles_)
{
    struct store_ref *rf;
    ALLOC_GROW(b->out->refs_, b->out->nrefs_ + 1, b->out->arefs_);
    rf = &b->out->refs_[b->out->nrefs_++];
    memset(rf, 0, sizeof(*rf));
    rf->usr = t->usr;
    rf->target_name = t->name;
    rf->target_kind = t->kind;
    rf->context_usr = bd->usr;
    rf->line = bd->line + i / 2;
    rf->col = 9 + (i % 2) * 24;
    rf->roles = roles_;
    if (roles_ & STORE_ROLE_CALL)
        b->out->calls++;
}

static void emit_body_refs(struct builder *b)
{
    for (size_t i = 0; i < b->nbodies; i++) {
        const struct body *bd = &b->bodies[i];
        struct rng r = rng_of(b->c->seed, b->pl.fi.index, i, 0xCA11);
        unsigned slot = 0;
        for (unsigned k = 0; k < bd->ncalls; k++) {
            struct target t;
            unsigned p = below(&r, 100), roles_ = STORE_ROLE_CALL;
            bool ok = false;
            if (p < 40 && b->nfuncs) {
                t = b->funcs[below(&r, (unsigned)b->nfuncs)];
                ok = true;
            } else if (p < 88) {
                ok = remote_func(b, &r, &t);
            }
            if (!ok) {
                unsigned x = below(&r, ARRAY_SIZE(externals));
                t.usr = externals[x].usr;
                t.name = externals[x].name;
                t.kind = STORE_KIND_FUNCTION;
                t.member = t.is_static = t.is_virtual = false;
            }
            if (t.kind == STORE_KIND_CONSTRUCTOR)
                roles_ |= STORE_ROLE_CONSTRUCT;
            if (t.member && !t.is_static)
                roles_ |= STORE_ROLE_MEMBER;
            if (t.is_virtual)
                roles_ |= STORE_ROLE_VIRTUAL;
            ref_push(b, bd, slot++, &t, roles_);
        }
        for (unsigned k = 0; k < bd->nother; k++) {
            struct target t;
            unsigned p = below(&r, 100), roles_;
            bool ok = false;
            if (p < 45 && bd->cls >= 0 && b->classes[bd->cls].n) {
                const struct cls_fields *cf = &b->classes[bd->cls];
                t = b->fields[cf->first + below(&r, (unsigned)cf->n)];
                roles_ = below(&r, 100) < 60 ? STORE_ROLE_READ : STORE_ROLE_WRITE;
                ok = true;
            } else if (p < 65 && b->nvalues) {
                t = b->values[below(&r, (unsigned)b->nvalues)];
                roles_ = STORE_ROLE_READ;
                ok = true;
            } else if (p < 80 && b->ntypes) {
                t = b->types[below(&r, (unsigned)b->ntypes)];
                roles_ = STORE_ROLE_TYPE;
                ok = true;
            } else {
                roles_ = STORE_ROLE_TYPE;
                ok = remote_type(b, &r, &t);
            }
            if (!ok && b->ntypes) {
                t = b->types[below(&r, (unsigned)b->ntypes)];
                roles_ = STORE_ROLE_TYPE;
                ok = true;
            }
            if (ok)
                ref_push(b, bd, slot++, &t, roles_);
        }
    }
}

static void emit_includes(struct builder *b)
{
    struct rng r = rng_of(b->c->seed, b->pl.fi.index, 0, 0x1AC);
    unsigned nsys = 1 + below(&r, b->pl.fi.header ? 2 : 3);
    struct synth_file *f = b->out;
    b->line = 2;
    for (unsigned i = 0; i < b->pl.nneigh; i++) {
        struct finfo gi;
        finfo_make(b->c, b->pl.neigh[i], &gi);
        ALLOC_GROW(f->includes_, f->ninc_ + 1, f->ainc_);
        f->includes_[f->ninc_].path = arena_strdup(b->a, gi.path);
        f->includes_[f->ninc_].line = b->line++;
        f->ninc_++;
    }
    for (unsigned i = 0; i < nsys; i++) {
        ALLOC_GROW(f->includes_, f->ninc_ + 1, f->ainc_);
        f->includes_[f->ninc_].path =
            sys_includes[(i * 3 + below(&r, 3)) % ARRAY_SIZE(sys_includes)];
        f->includes_[f->ninc_].line = b->line++;
        f->ninc_++;
    }
    b->line += 2; /* namespace line */
}

/* Revision r > 0: lines shift, one function is renamed (with its in-file uses), a brief changes. */
static void apply_revision(struct builder *b, unsigned rev)
{
    struct synth_file *f = b->out;
    struct rng r = rng_of(b->c->seed, b->pl.fi.index, rev, 0x4E7);
    size_t cand = SIZE_MAX;
    unsigned shift = 3 * rev;

    for (size_t i = 0; i < f->nsyms_; i++) {
        f->syms_[i].range.line += shift;
        f->syms_[i].range.end_line += shift;
        f->syms_[i].extent_start.line += shift;
    }
    for (size_t i = 0; i < f->nrefs_; i++)
        f->refs_[i].line += shift;
    for (size_t i = 0; i < f->nbases_; i++)
        f->bases_[i].line += shift;
    for (size_t i = 0; i < f->ninc_; i++)
        f->includes_[i].line += shift;
    /* rename a plain function or method of the file's own (not a definition for its header) */
    if (b->own_records) {
        size_t start = below(&r, (unsigned)b->own_records);
        for (size_t k = 0; k < b->own_records && cand == SIZE_MAX; k++) {
            size_t i = (start + k) % b->own_records;
            const struct store_symbol *s = &f->syms_[i];
            if ((s->kind == STORE_KIND_FUNCTION || s->kind == STORE_KIND_METHOD) &&
                !(s->attrs & (STORE_ATTR_VIRTUAL | STORE_ATTR_OVERRIDE)) && strstr(s->usr, "@F@"))
                cand = i;
        }
    }
    if (cand != SIZE_MAX) {
        struct store_symbol *s = &f->syms_[cand];
        const char *old = s->usr, *at = old, *hash;
        char *nu;
        for (const char *p = old; (p = strstr(p, "@F@")) != NULL; p += 3)
            at = p + 3;
        hash = strchr(at, '#');
        if (!hash)
            hash = old + strlen(old);
        nu = af(b->a, "%.*sV%u%s", (int)(hash - old), old, rev, hash);
        s->name = af(b->a, "%sV%u", s->name, rev);
        s->usr = nu;
        if (s->signature)
            s->signature = af(b->a, "%s /* revision %u */", s->signature, rev);
        for (size_t i = 0; i < f->nrefs_; i++) {
            if (!strcmp(f->refs_[i].usr, old)) {
                f->refs_[i].usr = nu;
                f->refs_[i].target_name = s->name;
            }
            if (f->refs_[i].context_usr && !strcmp(f->refs_[i].context_usr, old))
                f->refs_[i].context_usr = nu;
        }
        for (size_t i = 0; i < f->nsyms_; i++)
            if (i != cand && !strcmp(f->syms_[i].usr, old))
                f->syms_[i].usr = nu;
    }
    if (f->nsyms_) {
        struct store_symbol *s = &f->syms_[below(&r, (unsigned)f->nsyms_)];
        s->brief = af(b->a, "Revised in revision %u.", rev);
    }
}

void synth_opts_init(struct synth_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->symbols = 100000;
    o->seed = 1;
    o->symbols_per_file = SYNTH_DEFAULT_PER_FILE;
    o->bulk = true;
    o->dependency_ratio = 0.1;
    o->refs = true;
}

uint64_t synth_file_count(const struct synth_opts *o)
{
    struct ctx c;
    ctx_init(&c, o);
    return c.nfiles;
}

bool synth_file_is_dependency(const struct synth_opts *o, uint64_t index)
{
    struct ctx c;
    ctx_init(&c, o);
    return module_is_dep(&c, index / FILES_PER_MODULE);
}

void synth_file_build(struct synth_file *out, const struct synth_opts *o, uint64_t index,
                      unsigned revision)
{
    struct ctx c;
    struct builder b;
    struct store_file_batch *bt = &out->batch;

    memset(out, 0, sizeof(*out));
    memset(&b, 0, sizeof(b));
    ctx_init(&c, o);
    out->index = index;
    out->revision = revision;
    if (index >= c.nfiles)
        BUG("synth file %llu out of range (%llu files)", (unsigned long long)index,
            (unsigned long long)c.nfiles);
    b.c = &c;
    b.out = out;
    b.a = &out->mem_;
    plan_build(&c, index, &b.pl);
    out->new_symbols = b.pl.fi.budget;

    emit_includes(&b);
    for (unsigned e = 0; e < b.pl.n; e++)
        emit_entity(&b, e);
    emit_header_definitions(&b);
    if (o->refs)
        emit_body_refs(&b);
    if (revision)
        apply_revision(&b, revision);

    bt->path = arena_strdup(b.a, b.pl.fi.path);
    bt->hash = af(b.a, "%016llx%016llx", (unsigned long long)hash4(c.seed, index, revision, 0x4A54),
                  (unsigned long long)hash4(c.seed, index, revision, 0x4A55));
    bt->args_hash =
        b.pl.fi.header
            ? NULL
            : af(b.a, "%016llx", (unsigned long long)hash4(c.seed, b.pl.fi.module, 0, 0xA265));
    bt->mtime_ns = 1700000000000000000ll + (int64_t)index * 1000000000ll + revision;
    bt->size = (int64_t)b.line * 31;
    bt->is_project = !b.pl.fi.dep;
    bt->is_header = b.pl.fi.header;
    bt->symbols = out->syms_;
    bt->nsymbols = out->nsyms_;
    bt->refs = out->refs_;
    bt->nrefs = out->nrefs_;
    bt->bases = out->bases_;
    bt->nbases = out->nbases_;
    bt->overrides = out->overrides_;
    bt->noverrides = out->novr_;
    bt->includes = out->includes_;
    bt->nincludes = out->ninc_;

    plan_release(&b.pl);
    for (unsigned i = 0; i < PLAN_CACHE; i++)
        plan_release(&b.cache[i]);
    free(b.funcs);
    free(b.types);
    free(b.fields);
    free(b.values);
    free(b.bodies);
    free(b.classes);
}

void synth_file_release(struct synth_file *f)
{
    if (!f)
        return;
    arena_release(&f->mem_);
    free(f->syms_);
    free(f->refs_);
    free(f->bases_);
    free(f->overrides_);
    free(f->includes_);
    memset(f, 0, sizeof(*f));
}

int synth_generate(struct store *st, const struct synth_opts *o, struct synth_report *rep,
                   struct err *err)
{
    struct synth_report r;
    uint64_t n = synth_file_count(o), t0 = time_mono_ns(), tw = 0, t;
    int rc = 0;

    memset(&r, 0, sizeof(r));
    if (o->bulk) {
        t = time_mono_ns();
        rc = store_bulk_begin(st, err);
        tw += time_mono_ns() - t;
        if (rc)
            goto out;
    }
    for (uint64_t i = 0; i < n && !rc; i++) {
        struct synth_file f;
        synth_file_build(&f, o, i, 0);
        t = time_mono_ns();
        rc = store_file_replace(st, &f.batch, err);
        tw += time_mono_ns() - t;
        r.files++;
        r.symbols += f.new_symbols;
        r.decls += f.batch.nsymbols;
        r.refs += f.batch.nrefs;
        r.calls += f.calls;
        r.bases += f.batch.nbases;
        r.overrides += f.batch.noverrides;
        r.includes += f.batch.nincludes;
        synth_file_release(&f);
    }
    if (o->bulk && !rc) {
        t = time_mono_ns();
        rc = store_bulk_end(st, err);
        tw += time_mono_ns() - t;
    }
out:
    r.write_s = (double)tw / 1e9;
    r.total_s = (double)(time_mono_ns() - t0) / 1e9;
    if (rep)
        *rep = r;
    return rc;
}

int synth_parse_count(uint64_t *out, const char *s, uint64_t max)
{
    char buf[32];
    size_t n = strlen(s);
    uint64_t mul = 1, v;
    if (n == 0 || n >= sizeof(buf))
        return ERR_INVALID;
    memcpy(buf, s, n + 1);
    if (buf[n - 1] == 'k' || buf[n - 1] == 'K')
        mul = 1000;
    else if (buf[n - 1] == 'm' || buf[n - 1] == 'M')
        mul = 1000000;
    if (mul > 1)
        buf[--n] = '\0';
    if (str_to_u64(&v, buf, max / mul) != 0 || v == 0)
        return ERR_INVALID;
    *out = v * mul;
    return 0;
}
