/*
 * worker.c - a parse worker: the only code that runs libclang.
 *
 * A worker is a child process of the indexer (the cidx-worker executable, started by
 * idx_run.c). It reads
 * TASK frames on its stdin, parses one translation unit at a time with libclang's indexing API
 * (clang_indexSourceFileFullArgv with one CXIndexAction for the whole session, so function
 * bodies in headers it already parsed are skipped), and writes the records of every file the
 * unit touched to its stdout as frames (idx_wire.h), ending each task with DONE.
 *
 * Which files a worker reports: the main file always; headers inside the project; dependency
 * headers (outside the project root or in a configured dependency directory) only when the task
 * asks for them; system headers never (uses of their symbols still arrive as references, so
 * the store knows their names and kinds). A header the worker already reported earlier in its
 * session is not reported again: the parent keeps the first report (the header claim) and
 * would drop a second one anyway.
 *
 * Test hooks: with CIDX_TEST_HOOKS=1 in the environment, a main file containing the text
 * "cidx-test-hook: crash" makes the worker abort, and "cidx-test-hook: hang" makes it sleep
 * forever, so the tests can check that the parent isolates both.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/stat.h>
#include <unistd.h>

#include <clang-c/Index.h>

#include "index/idx_int.h"
#include "index/idx_wire.h"
#include "store/store_records.h" /* kinds, roles, attributes; the worker never opens a store */

/* ---- per-file state within one translation unit ---- */

enum wfile_state {
    WF_SEND = 0, /* records are reported */
    WF_SEEN,     /* reported earlier in this session: path known (include edges), no records */
    WF_DROP,     /* system, excluded, or a dependency we do not index: nothing */
};

struct wfile {
    CXFile file;    /* key */
    int no;         /* number in this task's FILE records; -1 for WF_DROP */
    uint32_t nsyms; /* SYM records sent for this file */
    enum wfile_state state;
    bool system;
    char *path; /* canonical */
};

/* Open-addressing map CXFile -> wfile, rebuilt per task. */
struct filemap {
    struct wfile *slots;
    size_t cap, n;
};

/* The qualified-name cache: cursor hash -> name, per task. */
struct qentry {
    CXCursor cursor;
    char *qname;
    bool used;
};

struct pending_inc {
    CXFile from, to;
    unsigned line;
};

/* A symbol record whose doc comment is looked up after indexing: libclang caches comment
 * lookups, and asking while the unit is still being parsed loses the comment of a definition
 * that follows an undocumented forward declaration. */
/* A function definition's extent, to give macro uses inside it their caller. */
struct fdef {
    CXFile file;
    unsigned start, end; /* offsets */
    char *usr;
};

struct pending_doc {
    CXCursor cursor;
    int file_no;
    uint32_t sym_index; /* the symbol's position among its file's SYM records */
};

struct worker {
    CXIndex index;
    CXIndexAction action;
    const char *root;
    struct idx_config *cfg; /* may be NULL: no configuration beyond the root */
    bool test_hooks;
    struct strmap sent; /* session: headers already reported, or closed by the indexer */

    /* task */
    unsigned flags;
    bool cpp; /* the unit is C++ (access specifiers mean something) */
    CXFile main_file;
    struct filemap files;
    int next_no;
    struct qentry *q;
    size_t q_cap, q_n;
    struct pending_inc *incs;
    size_t incs_n, incs_alloc;
    struct pending_doc *docs;
    size_t docs_n, docs_alloc;
    struct strmap ctor_names; /* "file:line:col" of constructor and destructor names */
    struct fdef *fdefs;
    size_t fdefs_n, fdefs_alloc;
    bool fdefs_sorted;
    CXPrintingPolicy policy;
    struct strbuf out;
    int out_fd;
    struct arena arena;
    bool write_failed;
};

/* ---- small helpers ---- */

/* A text field from the source (docs, macro bodies, messages): sources may hold any bytes, the
 * cache and every JSON answer hold UTF-8, so invalid bytes become U+FFFD here. */
static void wire_text(struct strbuf *sb, const char *s)
{
    if (s && !str_utf8_valid(s)) {
        char *fixed = str_utf8_sanitize(s);
        wire_str(sb, fixed);
        free(fixed);
        return;
    }
    wire_str(sb, s);
}

static char *cx_dup(CXString s)
{
    const char *c = clang_getCString(s);
    char *r = xstrdup(c ? c : "");
    clang_disposeString(s);
    return r;
}

static uint64_t ptr_hash(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static void filemap_clear(struct filemap *m)
{
    size_t i;
    for (i = 0; i < m->cap; i++)
        free(m->slots[i].path);
    free(m->slots);
    m->slots = NULL;
    m->cap = m->n = 0;
}

static struct wfile *filemap_find(struct filemap *m, CXFile f, bool insert)
{
    size_t i;
    if (insert && (m->n + 1) * 2 > m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 64, j;
        struct wfile *ns = xcalloc(ncap, sizeof(*ns));
        for (j = 0; j < m->cap; j++) {
            if (!m->slots[j].file)
                continue;
            for (i = ptr_hash(m->slots[j].file) & (ncap - 1); ns[i].file; i = (i + 1) & (ncap - 1))
                ;
            ns[i] = m->slots[j];
        }
        free(m->slots);
        m->slots = ns;
        m->cap = ncap;
    }
    if (!m->cap)
        return NULL;
    for (i = ptr_hash(f) & (m->cap - 1); m->slots[i].file; i = (i + 1) & (m->cap - 1))
        if (m->slots[i].file == f)
            return &m->slots[i];
    if (!insert)
        return NULL;
    m->slots[i].file = f;
    m->n++;
    return &m->slots[i];
}

/* ---- output ---- */

static void flush_out(struct worker *w)
{
    if (w->out.len && !w->write_failed && wire_write_all(w->out_fd, w->out.buf, w->out.len) != 0)
        w->write_failed = true; /* the parent went away; finish quietly */
    strbuf_reset(&w->out);
}

static void maybe_flush(struct worker *w)
{
    if (w->out.len >= (1u << 20))
        flush_out(w);
}

/* ---- files ---- */

static bool path_is_dependency(struct worker *w, const char *path)
{
    if (w->cfg)
        return idx_config_is_dependency(w->cfg, path);
    return !idx_path_is_under(path, w->root);
}

static bool path_is_excluded(struct worker *w, const char *path)
{
    return w->cfg && idx_config_is_excluded(w->cfg, path);
}

/*
 * The state of a file, deciding it on first sight. loc is a location inside the file when the
 * caller has one (for the system-header test); a null location defers that test to the end of
 * the task (see resolve_files).
 */
static struct wfile *file_get(struct worker *w, CXFile f, CXSourceLocation loc, bool have_loc)
{
    struct wfile *wf = filemap_find(&w->files, f, true);
    char *path;
    if (wf->path)
        return wf;
    {
        CXString name = clang_getFileName(f);
        const char *cname = clang_getCString(name);
        path = cname ? path_real(cname) : NULL;
        if (!path)
            path = xstrdup(cname ? cname : "");
        clang_disposeString(name);
    }
    wf->path = path;
    wf->no = -1;
    if (f == w->main_file ||
        (w->main_file == NULL && have_loc && clang_Location_isFromMainFile(loc))) {
        wf->state = WF_SEND;
    } else {
        wf->system = have_loc && clang_Location_isInSystemHeader(loc);
        if (wf->system || path[0] != '/' || path_is_excluded(w, path))
            wf->state = WF_DROP;
        else if (path_is_dependency(w, path) && !(w->flags & WIRE_TASK_INDEX_DEPS))
            wf->state = WF_DROP;
        else if (strmap_has(&w->sent, path))
            wf->state = WF_SEEN;
        else
            wf->state = WF_SEND;
    }
    if (wf->state != WF_DROP)
        wf->no = w->next_no++;
    return wf;
}

/* The file of a location and the position in it; NULL when the location is in no file or in a
 * file we do not report records for. */
static struct wfile *loc_file(struct worker *w, CXSourceLocation loc, unsigned *line, unsigned *col)
{
    CXFile f = NULL;
    struct wfile *wf;
    clang_getFileLocation(loc, &f, line, col, NULL);
    if (!f)
        return NULL;
    wf = filemap_find(&w->files, f, false);
    if (!wf)
        wf = file_get(w, f, loc, true);
    return wf->state == WF_SEND ? wf : NULL;
}

/* ---- names ---- */

static bool is_record_kind(enum CXCursorKind k)
{
    return k == CXCursor_ClassDecl || k == CXCursor_StructDecl || k == CXCursor_UnionDecl ||
           k == CXCursor_ClassTemplate || k == CXCursor_ClassTemplatePartialSpecialization;
}

static bool is_lambda_class(CXCursor c)
{
    bool r = false;
    if (clang_getCursorKind(c) == CXCursor_ClassDecl) {
        CXString s = clang_getCursorSpelling(c);
        const char *cs = clang_getCString(s);
        r = cs && !strncmp(cs, "(lambda", 7);
        clang_disposeString(s);
    }
    return r;
}

/* The simple name of a scope component, or NULL to leave it out of qualified names. */
static char *scope_component(CXCursor c)
{
    enum CXCursorKind k = clang_getCursorKind(c);
    if (k == CXCursor_Namespace) {
        if (clang_Cursor_isInlineNamespace(c))
            return NULL;
        if (clang_Cursor_isAnonymous(c))
            return xstrdup("(anonymous namespace)");
    }
    if (k == CXCursor_LinkageSpec)
        return NULL;
    if (is_record_kind(k) || k == CXCursor_EnumDecl) {
        if (clang_Cursor_isAnonymous(c) || clang_Cursor_isAnonymousRecordDecl(c)) {
            return xstrdup(k == CXCursor_UnionDecl  ? "(anonymous union)"
                           : k == CXCursor_EnumDecl ? "(anonymous enum)"
                                                    : "(anonymous struct)");
        }
        if (k == CXCursor_ClassTemplatePartialSpecialization ||
            !clang_Cursor_isNull(clang_getSpecializedCursorTemplate(c)))
            return cx_dup(clang_getCursorDisplayName(c)); /* "Box<char, 2>" */
    }
    return cx_dup(clang_getCursorSpelling(c));
}

static const char *qual_name(struct worker *w, CXCursor c, int depth)
{
    enum CXCursorKind k = clang_getCursorKind(c);
    unsigned h;
    size_t i;
    const char *pq;
    char *comp, *r;

    if (depth > 64 || k == CXCursor_TranslationUnit || clang_Cursor_isNull(c) || clang_isInvalid(k))
        return "";
    h = clang_hashCursor(c);
    for (i = h & (w->q_cap - 1); w->q[i].used; i = (i + 1) & (w->q_cap - 1))
        if (clang_equalCursors(w->q[i].cursor, c))
            return w->q[i].qname;
    pq = qual_name(w, clang_getCursorSemanticParent(c), depth + 1);
    comp = scope_component(c);
    if (!comp)
        r = arena_strdup(&w->arena, pq);
    else if (!*pq)
        r = arena_strdup(&w->arena, comp);
    else {
        size_t a = strlen(pq), b = strlen(comp);
        r = arena_alloc(&w->arena, a + b + 3);
        memcpy(r, pq, a);
        memcpy(r + a, "::", 2);
        memcpy(r + a + 2, comp, b + 1);
    }
    free(comp);
    /* insert, growing at half full (the table lives for one task) */
    if ((w->q_n + 1) * 2 > w->q_cap) {
        size_t ncap = w->q_cap * 2, j;
        struct qentry *nq = xcalloc(ncap, sizeof(*nq));
        for (j = 0; j < w->q_cap; j++) {
            if (!w->q[j].used)
                continue;
            for (i = clang_hashCursor(w->q[j].cursor) & (ncap - 1); nq[i].used;
                 i = (i + 1) & (ncap - 1))
                ;
            nq[i] = w->q[j];
        }
        free(w->q);
        w->q = nq;
        w->q_cap = ncap;
    }
    for (i = h & (w->q_cap - 1); w->q[i].used; i = (i + 1) & (w->q_cap - 1))
        ;
    w->q[i].used = true;
    w->q[i].cursor = c;
    w->q[i].qname = r;
    w->q_n++;
    return r;
}

static enum store_kind kind_of_cursor(enum CXCursorKind k)
{
    switch (k) {
    case CXCursor_Namespace:
        return STORE_KIND_NAMESPACE;
    case CXCursor_ClassDecl:
    case CXCursor_ClassTemplate:
    case CXCursor_ClassTemplatePartialSpecialization:
        return STORE_KIND_CLASS;
    case CXCursor_StructDecl:
        return STORE_KIND_STRUCT;
    case CXCursor_UnionDecl:
        return STORE_KIND_UNION;
    case CXCursor_EnumDecl:
        return STORE_KIND_ENUM;
    case CXCursor_FunctionDecl:
    case CXCursor_FunctionTemplate:
        return STORE_KIND_FUNCTION;
    default:
        return STORE_KIND_UNKNOWN;
    }
}

/* The store kind of an indexed entity (with the cursor for templates). */
static enum store_kind kind_of_entity(const CXIdxEntityInfo *e, CXCursor c)
{
    switch (e->kind) {
    case CXIdxEntity_Typedef:
        return STORE_KIND_TYPEDEF;
    case CXIdxEntity_Function:
        return STORE_KIND_FUNCTION;
    case CXIdxEntity_Variable:
    case CXIdxEntity_CXXStaticVariable:
        return STORE_KIND_VARIABLE;
    case CXIdxEntity_Field:
        return STORE_KIND_FIELD;
    case CXIdxEntity_EnumConstant:
        return STORE_KIND_ENUM_CONSTANT;
    case CXIdxEntity_Enum:
        return STORE_KIND_ENUM;
    case CXIdxEntity_Struct:
        return STORE_KIND_STRUCT;
    case CXIdxEntity_Union:
        return STORE_KIND_UNION;
    case CXIdxEntity_CXXClass:
        if (clang_getCursorKind(c) == CXCursor_ClassTemplate) {
            enum CXCursorKind tk = clang_getTemplateCursorKind(c);
            if (tk == CXCursor_StructDecl)
                return STORE_KIND_STRUCT;
            if (tk == CXCursor_UnionDecl)
                return STORE_KIND_UNION;
        }
        if (clang_getCursorKind(c) == CXCursor_StructDecl)
            return STORE_KIND_STRUCT;
        return STORE_KIND_CLASS;
    case CXIdxEntity_CXXNamespace:
        return STORE_KIND_NAMESPACE;
    case CXIdxEntity_CXXStaticMethod:
    case CXIdxEntity_CXXInstanceMethod:
        return STORE_KIND_METHOD;
    case CXIdxEntity_CXXConstructor:
        return STORE_KIND_CONSTRUCTOR;
    case CXIdxEntity_CXXDestructor:
        return STORE_KIND_DESTRUCTOR;
    case CXIdxEntity_CXXConversionFunction:
        return STORE_KIND_CONVERSION;
    case CXIdxEntity_CXXTypeAlias:
        return STORE_KIND_TYPE_ALIAS;
#if CINDEX_VERSION_MINOR >= 63 /* libclang 16 */
    case CXIdxEntity_CXXConcept:
        return STORE_KIND_CONCEPT;
#endif
    default:
        return STORE_KIND_UNKNOWN;
    }
}

static bool is_function_kind(enum store_kind k)
{
    return k == STORE_KIND_FUNCTION || k == STORE_KIND_METHOD || k == STORE_KIND_CONSTRUCTOR ||
           k == STORE_KIND_DESTRUCTOR || k == STORE_KIND_CONVERSION;
}

static bool is_type_kind(enum store_kind k)
{
    return k == STORE_KIND_CLASS || k == STORE_KIND_STRUCT || k == STORE_KIND_UNION ||
           k == STORE_KIND_ENUM || k == STORE_KIND_TYPEDEF || k == STORE_KIND_TYPE_ALIAS ||
           k == STORE_KIND_CONCEPT;
}

/* ---- comments ---- */

/* Strips comment markers from a raw doc comment: the leading triple-slash, "//!", "//",
 * slash-star-star, slash-star-bang, a leading " * " and the closing star-slash, keeping line
 * breaks. Returns NULL for an empty result. */
static char *clean_comment(const char *raw)
{
    struct strbuf sb = STRBUF_INIT;
    const char *p = raw;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        const char *s = p, *e = p + n;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        if (e - s >= 3 && (!strncmp(s, "///", 3) || !strncmp(s, "//!", 3) ||
                           !strncmp(s, "/**", 3) || !strncmp(s, "/*!", 3)))
            s += 3;
        else if (e - s >= 2 && (!strncmp(s, "//", 2) || !strncmp(s, "/*", 2)))
            s += 2;
        else if (s < e && *s == '*' && !(e - s >= 2 && s[1] == '/'))
            s += 1;
        if (s < e && *s == '<' && s > p && (s[-1] == '/' || s[-1] == '!' || s[-1] == '*'))
            s++; /* a trailing member comment: triple-slash or //! or slash-star-star, then < */
        if (e - s >= 2 && e[-1] == '/' && e[-2] == '*')
            e -= 2;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        if (e - s >= 7 && (!strncmp(s, "@brief ", 7) || !strncmp(s, "\\brief ", 7)))
            s += 7; /* the brief is stored on its own; the tag is noise in the full text */
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '*'))
            e--;
        if (sb.len || e > s) {
            if (sb.len)
                strbuf_addch(&sb, '\n');
            strbuf_add(&sb, s, (size_t)(e - s));
        }
        p += n;
        if (*p == '\n')
            p++;
    }
    while (sb.len && sb.buf[sb.len - 1] == '\n')
        sb.buf[--sb.len] = 0;
    if (!sb.len) {
        strbuf_release(&sb);
        return NULL;
    }
    return strbuf_detach(&sb, NULL);
}

static char *nonempty_or_null(char *s)
{
    if (s && !*s) {
        free(s);
        return NULL;
    }
    return s;
}

/* ---- signatures ---- */

static void ensure_policy(struct worker *w, CXCursor c)
{
    if (w->policy)
        return;
    w->policy = clang_getCursorPrintingPolicy(c);
    clang_PrintingPolicy_setProperty(w->policy, CXPrintingPolicy_TerseOutput, 1);
    clang_PrintingPolicy_setProperty(w->policy, CXPrintingPolicy_FullyQualifiedName, 1);
    clang_PrintingPolicy_setProperty(w->policy, CXPrintingPolicy_SuppressInitializers, 1);
    clang_PrintingPolicy_setProperty(w->policy, CXPrintingPolicy_PolishForDeclaration, 1);
    /* "(unnamed struct)", not "(unnamed struct at ../include/x.h:3:5)": the location is spelled
     * relative to whichever unit parsed the header first */
    clang_PrintingPolicy_setProperty(w->policy, CXPrintingPolicy_AnonymousTagLocations, 0);
}

/* Collapses runs of whitespace into one space (the printer emits newlines for namespaces and
 * attributes). */
static void squeeze(char *s)
{
    char *d = s;
    const char *p = s;
    bool pending = false;
    for (; *p; p++) {
        if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') {
            pending = d != s;
            continue;
        }
        if (pending) {
            *d++ = ' ';
            pending = false;
        }
        *d++ = *p;
    }
    *d = 0;
}

static char *trim_body(char *s)
{
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ')
        s[--n] = 0;
    if (n >= 2 && !strcmp(s + n - 2, "{}")) {
        s[n - 2] = 0;
        n -= 2;
    } else if (n >= 3 && !strcmp(s + n - 3, "{ }")) {
        s[n - 3] = 0;
        n -= 3;
    }
    while (n && s[n - 1] == ' ')
        s[--n] = 0;
    return s;
}

/* Extracts "<typename T, int N = 3>" from a printed "template <...> ..." declaration. */
static char *template_params_of(const char *printed)
{
    const char *p;
    int depth = 0;
    if (strncmp(printed, "template", 8))
        return NULL;
    p = printed + 8;
    while (*p == ' ')
        p++;
    if (*p != '<')
        return NULL;
    {
        const char *s = p;
        for (; *p; p++) {
            if (*p == '<')
                depth++;
            else if (*p == '>' && --depth == 0) {
                if (p == s + 1)
                    return NULL; /* template<> : a full specialization has no parameters */
                return xstrndup(s, (size_t)(p - s + 1));
            }
        }
    }
    return NULL;
}

/* The "<typename T, int N = 3>" that precedes a declaration starting at loc ("template <...>
 * struct Box"), read from the source; NULL when there is none. */
static char *template_params_before(CXTranslationUnit tu, CXSourceLocation loc)
{
    CXFile f = NULL;
    unsigned off = 0;
    size_t size = 0, i, end;
    const char *buf;
    int depth = 0;
    struct strbuf sb = STRBUF_INIT;
    clang_getFileLocation(loc, &f, NULL, NULL, &off);
    if (!f || !tu)
        return NULL;
    buf = clang_getFileContents(tu, f, &size);
    if (!buf || off > size || off == 0)
        return NULL;
    i = off;
    while (i > 0 &&
           (buf[i - 1] == ' ' || buf[i - 1] == '\t' || buf[i - 1] == '\n' || buf[i - 1] == '\r'))
        i--;
    if (i == 0 || buf[i - 1] != '>')
        return NULL;
    end = i;
    for (; i > 0; i--) {
        if (buf[i - 1] == '>')
            depth++;
        else if (buf[i - 1] == '<' && --depth == 0)
            break;
        if (off - i > 4096)
            return NULL;
    }
    if (i == 0)
        return NULL;
    {
        size_t lt = i - 1, k = lt;
        while (k > 0 && (buf[k - 1] == ' ' || buf[k - 1] == '\t' || buf[k - 1] == '\n'))
            k--;
        if (k < 8 || strncmp(buf + k - 8, "template", 8))
            return NULL;
        for (i = lt; i < end; i++) {
            char c = buf[i];
            if (c == '\n' || c == '\r' || c == '\t')
                c = ' ';
            if (c == ' ' && sb.len && sb.buf[sb.len - 1] == ' ')
                continue;
            strbuf_addch(&sb, c);
        }
    }
    if (sb.len <= 2) {
        strbuf_release(&sb);
        return NULL;
    }
    return strbuf_detach(&sb, NULL);
}

/* Source text of an extent, for macros: "NAME(a, b) body", line continuations folded, at most
 * 240 bytes. */
static char *extent_text(CXTranslationUnit tu, CXSourceRange r)
{
    CXFile f1 = NULL, f2 = NULL;
    unsigned o1 = 0, o2 = 0;
    size_t size = 0, i;
    const char *buf;
    struct strbuf sb = STRBUF_INIT;
    clang_getFileLocation(clang_getRangeStart(r), &f1, NULL, NULL, &o1);
    clang_getFileLocation(clang_getRangeEnd(r), &f2, NULL, NULL, &o2);
    if (!f1 || f1 != f2 || o2 < o1)
        return NULL;
    buf = clang_getFileContents(tu, f1, &size);
    if (!buf || o2 > size)
        return NULL;
    /* the end of a macro definition range is the start of its last token: extend to the end
     * of that token */
    while (o2 < size && (buf[o2] == '_' || (buf[o2] >= '0' && buf[o2] <= '9') ||
                         (buf[o2] >= 'a' && buf[o2] <= 'z') || (buf[o2] >= 'A' && buf[o2] <= 'Z')))
        o2++;
    if (o2 < size && o2 == o1)
        o2++;
    else if (o2 < size && o2 > o1 && strchr(")]}\"'", buf[o2]))
        o2++;
    for (i = o1; i < o2 && sb.len < 240; i++) {
        char c = buf[i];
        if (c == '\\' && i + 1 < o2 && (buf[i + 1] == '\n' || buf[i + 1] == '\r'))
            continue;
        if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
        if (c == ' ' && sb.len && sb.buf[sb.len - 1] == ' ')
            continue;
        if (c == 0)
            break;
        strbuf_addch(&sb, c);
    }
    return strbuf_detach(&sb, NULL);
}

/* The printed declaration with the record's name qualified: "class ui::Widget final : public
 * View". */
static char *record_signature(const char *printed, const char *name, const char *qname)
{
    const char *kw[] = {"class ", "struct ", "union ", "enum class ", "enum struct ", "enum "};
    size_t i;
    for (i = 0; i < sizeof(kw) / sizeof(kw[0]); i++) {
        const char *p = strstr(printed, kw[i]);
        size_t nl = strlen(name);
        if (!p)
            continue;
        p += strlen(kw[i]);
        if (nl && !strncmp(p, name, nl)) {
            const char *rest = p + nl;
            size_t ql = strlen(qname);
            if (*rest == '<' && ql && qname[ql - 1] == '>') {
                /* a specialization: its qualified name already carries the arguments */
                int depth = 0;
                for (; *rest; rest++) {
                    if (*rest == '<')
                        depth++;
                    else if (*rest == '>' && --depth == 0) {
                        rest++;
                        break;
                    }
                }
            }
            return xasprintf("%.*s%s%s", (int)(p - printed), printed, qname, rest);
        }
        break;
    }
    return xstrdup(printed);
}

/* ---- attributes ---- */

struct child_scan {
    bool override_attr, final_attr;
};

static enum CXChildVisitResult scan_children(CXCursor c, CXCursor parent, CXClientData data)
{
    struct child_scan *cs = data;
    (void)parent;
    switch (clang_getCursorKind(c)) {
    case CXCursor_CXXOverrideAttr:
        cs->override_attr = true;
        break;
    case CXCursor_CXXFinalAttr:
        cs->final_attr = true;
        break;
    default:
        break;
    }
    return CXChildVisit_Continue;
}

static unsigned attrs_of(CXCursor c, enum store_kind kind, const CXIdxEntityInfo *e,
                         const char *printed)
{
    unsigned a = 0;
    struct child_scan cs = {false, false};
    if (is_function_kind(kind)) {
        if (kind != STORE_KIND_FUNCTION) {
            if (clang_CXXMethod_isVirtual(c))
                a |= STORE_ATTR_VIRTUAL;
            if (clang_CXXMethod_isPureVirtual(c))
                a |= STORE_ATTR_PURE;
            if (clang_CXXMethod_isStatic(c))
                a |= STORE_ATTR_STATIC;
            if (clang_CXXMethod_isConst(c))
                a |= STORE_ATTR_CONST;
            if (clang_CXXMethod_isDefaulted(c))
                a |= STORE_ATTR_DEFAULTED;
#if CINDEX_VERSION_MINOR >= 63
            if (clang_CXXMethod_isDeleted(c))
                a |= STORE_ATTR_DELETED;
#endif
#if CINDEX_VERSION_MINOR >= 64
            if (clang_CXXMethod_isExplicit(c))
                a |= STORE_ATTR_EXPLICIT;
#endif
        }
        if (clang_Cursor_isFunctionInlined(c))
            a |= STORE_ATTR_INLINE;
        if (printed && strstr(printed, "= delete"))
            a |= STORE_ATTR_DELETED;
        if (printed && !strncmp(printed, "explicit ", 9))
            a |= STORE_ATTR_EXPLICIT;
        clang_visitChildren(c, scan_children, &cs);
    } else if (is_record_kind(clang_getCursorKind(c))) {
        clang_visitChildren(c, scan_children, &cs);
    }
    if (cs.override_attr)
        a |= STORE_ATTR_OVERRIDE;
    if (cs.final_attr)
        a |= STORE_ATTR_FINAL;
    if (e->kind == CXIdxEntity_CXXStaticVariable || e->kind == CXIdxEntity_CXXStaticMethod)
        a |= STORE_ATTR_STATIC;
    if (kind == STORE_KIND_VARIABLE || kind == STORE_KIND_FUNCTION) {
        if (clang_Cursor_getStorageClass(c) == CX_SC_Static)
            a |= STORE_ATTR_STATIC;
    }
    if (printed) {
        const char *p = printed;
        if (!strncmp(p, "template", 8)) {
            char *tp = template_params_of(p);
            p += 8;
            if (tp) {
                p = strstr(printed, tp);
                p = p ? p + strlen(tp) : printed;
                free(tp);
            }
            while (*p == ' ' || *p == '<' || *p == '>')
                p++;
        }
        for (;;) {
            if (!strncmp(p, "constexpr ", 10)) {
                a |= STORE_ATTR_CONSTEXPR;
                break;
            }
            if (!strncmp(p, "static ", 7) || !strncmp(p, "inline ", 7) ||
                !strncmp(p, "virtual ", 8) || !strncmp(p, "explicit ", 9) ||
                !strncmp(p, "extern ", 7)) {
                if (!strncmp(p, "inline ", 7))
                    a |= STORE_ATTR_INLINE;
                p = strchr(p, ' ') + 1;
                continue;
            }
            break;
        }
    }
    if (kind == STORE_KIND_ENUM && clang_EnumDecl_isScoped(c))
        a |= STORE_ATTR_SCOPED;
    return a;
}

static enum store_access access_of(CXCursor c)
{
    switch (clang_getCXXAccessSpecifier(c)) {
    case CX_CXXPublic:
        return STORE_ACCESS_PUBLIC;
    case CX_CXXProtected:
        return STORE_ACCESS_PROTECTED;
    case CX_CXXPrivate:
        return STORE_ACCESS_PRIVATE;
    default:
        return STORE_ACCESS_NONE;
    }
}

/* The namespace part of a cursor's scope: the qualified name of its innermost enclosing
 * namespace ("" for the global namespace). */
static const char *namespace_of(struct worker *w, CXCursor c)
{
    int depth = 0;
    CXCursor p = clang_getCursorSemanticParent(c);
    while (!clang_Cursor_isNull(p) && depth++ < 64) {
        enum CXCursorKind k = clang_getCursorKind(p);
        if (k == CXCursor_TranslationUnit || clang_isInvalid(k))
            break;
        if (k == CXCursor_Namespace)
            return qual_name(w, p, 0);
        p = clang_getCursorSemanticParent(p);
    }
    return "";
}

/* ---- records ---- */

static void put_symbol(struct worker *w, struct wfile *wf, const char *usr, const char *name,
                       CXCursor c, enum store_kind kind, const CXIdxEntityInfo *e, bool is_def,
                       unsigned line, unsigned col, CXTranslationUnit tu)
{
    CXCursor parent = clang_getCursorSemanticParent(c);
    enum CXCursorKind pk = clang_getCursorKind(parent);
    const char *qscope = qual_name(w, parent, 0);
    const char *qname = qual_name(w, c, 0);
    char *printed = NULL, *sig = NULL, *tparams = NULL, *target = NULL;
    unsigned attrs = 0;
    enum store_template tk = STORE_TEMPLATE_NONE;
    CXSourceRange ext = clang_getCursorExtent(c);
    CXFile ef = NULL, ef2 = NULL;
    unsigned sl = 0, sc = 0, el = 0, ec = 0;
    enum store_kind scope_kind = kind_of_cursor(pk);
    size_t start;

    if (kind == STORE_KIND_MACRO) {
        char *text = extent_text(tu, ext);
        sig = text ? xasprintf("#define %s", text) : xasprintf("#define %s", name);
        free(text);
    } else {
        CXCursor pc = c;
        ensure_policy(w, c);
        if (kind != STORE_KIND_FUNCTION && kind != STORE_KIND_NAMESPACE &&
            scope_kind != STORE_KIND_NAMESPACE && scope_kind != STORE_KIND_UNKNOWN) {
            /* an out-of-line member definition prints without virtual, static, override:
             * print the declaration in the class instead */
            CXCursor canon = clang_getCanonicalCursor(c);
            if (!clang_equalCursors(canon, c) &&
                !clang_equalCursors(clang_getCursorLexicalParent(c), parent))
                pc = canon;
        }
        printed = cx_dup(clang_getCursorPrettyPrinted(pc, w->policy));
        squeeze(printed);
        trim_body(printed);
        tparams = template_params_of(printed);
        if (!tparams && e &&
            (e->templateKind == CXIdxEntity_Template || kind == STORE_KIND_TYPE_ALIAS)) {
            /* the indexer hands out the templated declaration, which prints without its
             * parameter list: take it from the source, just before the declaration */
            tparams = template_params_before(tu, clang_getRangeStart(ext));
            if (tparams) {
                char *t = xasprintf("template %s %s", tparams, printed);
                free(printed);
                printed = t;
                if (kind == STORE_KIND_TYPE_ALIAS)
                    tk = STORE_TEMPLATE_PRIMARY; /* an alias template */
            }
        }
        if (kind == STORE_KIND_ENUM_CONSTANT) {
            /* "RED = 0" even when the value is implicit */
            CXType et = clang_getEnumDeclIntegerType(clang_getCursorSemanticParent(c));
            bool is_unsigned = et.kind == CXType_UInt || et.kind == CXType_ULong ||
                               et.kind == CXType_ULongLong || et.kind == CXType_UShort ||
                               et.kind == CXType_UChar || et.kind == CXType_Bool;
            sig = is_unsigned
                      ? xasprintf("%s = %llu", name, clang_getEnumConstantDeclUnsignedValue(c))
                      : xasprintf("%s = %lld", name, clang_getEnumConstantDeclValue(c));
        } else if (is_function_kind(kind) || kind == STORE_KIND_TYPEDEF ||
                   kind == STORE_KIND_TYPE_ALIAS || kind == STORE_KIND_VARIABLE ||
                   kind == STORE_KIND_FIELD || kind == STORE_KIND_CONCEPT)
            sig = xstrdup(printed);
        else if (kind == STORE_KIND_NAMESPACE)
            sig =
                xasprintf("%snamespace %s%s%s", clang_Cursor_isInlineNamespace(c) ? "inline " : "",
                          qscope, *qscope ? "::" : "", name);
        else
            sig = record_signature(printed, name, qname);
        attrs = attrs_of(c, kind, e, printed);
        ALLOC_GROW(w->docs, w->docs_n + 1, w->docs_alloc);
        w->docs[w->docs_n].cursor = c;
        w->docs[w->docs_n].file_no = wf->no;
        w->docs[w->docs_n].sym_index = wf->nsyms;
        w->docs_n++;
        if (kind == STORE_KIND_TYPEDEF || kind == STORE_KIND_TYPE_ALIAS)
            target = nonempty_or_null(
                cx_dup(clang_getTypeSpelling(clang_getTypedefDeclUnderlyingType(c))));
    }
    if (e && tk == STORE_TEMPLATE_NONE) {
        switch (e->templateKind) {
        case CXIdxEntity_Template:
            tk = STORE_TEMPLATE_PRIMARY;
            break;
        case CXIdxEntity_TemplatePartialSpecialization:
            tk = STORE_TEMPLATE_PARTIAL_SPEC;
            break;
        case CXIdxEntity_TemplateSpecialization:
            tk = STORE_TEMPLATE_FULL_SPEC;
            break;
        default:
            break;
        }
    }
    clang_getFileLocation(clang_getRangeStart(ext), &ef, &sl, &sc, NULL);
    clang_getFileLocation(clang_getRangeEnd(ext), &ef2, &el, &ec, NULL);
    if (!ef || ef != wf->file || ef2 != ef || el < line) {
        sl = line;
        sc = col;
        el = line;
        ec = col;
    }

    start = wire_begin(&w->out, WIRE_SYM);
    wire_u32(&w->out, (uint32_t)wf->no);
    wire_str(&w->out, usr);
    wire_str(&w->out, name);
    wire_str(&w->out, qscope);
    wire_str(&w->out, namespace_of(w, c));
    wire_u32(&w->out, scope_kind);
    wire_u32(&w->out, kind);
    wire_text(&w->out, sig);
    /* brief and doc follow in a DOC record (put_docs) */
    wire_text(&w->out, tparams);
    wire_text(&w->out, target);
    wire_u32(&w->out, pk == CXCursor_TranslationUnit || !w->cpp ? STORE_ACCESS_NONE : access_of(c));
    wire_u32(&w->out, tk);
    wire_u32(&w->out, attrs);
    wire_u32(&w->out, is_def);
    wire_u32(&w->out, line);
    wire_u32(&w->out, col);
    wire_u32(&w->out, el);
    wire_u32(&w->out, ec);
    wire_u32(&w->out, sl);
    wire_u32(&w->out, sc);
    wire_end(&w->out, start);
    wf->nsyms++;
    free(printed);
    free(sig);
    free(tparams);
    free(target);
}

/* The symbol a base specifier names: the primary template for an implicit instantiation
 * ("Base<Derived>" in CRTP), else the declaration itself. */
static CXCursor base_target(CXCursor base_spec)
{
    CXCursor decl = clang_getTypeDeclaration(clang_getCursorType(base_spec));
    CXCursor tmpl;
    if (clang_Cursor_isNull(decl) || clang_isInvalid(clang_getCursorKind(decl)))
        decl = clang_getCursorReferenced(base_spec);
    tmpl = clang_getSpecializedCursorTemplate(decl);
    if (!clang_Cursor_isNull(tmpl) && clang_getCursorKind(decl) != CXCursor_ClassTemplate &&
        clang_getCursorKind(decl) != CXCursor_ClassTemplatePartialSpecialization) {
        /* an explicit specialization has its own definition in the source; an implicit
         * instantiation's definition is the template's */
        CXCursor def = clang_getCursorDefinition(decl);
        CXSourceLocation a = clang_getCursorLocation(decl), b = clang_getCursorLocation(tmpl);
        bool same = clang_equalLocations(a, b);
        if (same || clang_Cursor_isNull(def))
            return tmpl;
    }
    return decl;
}

static void put_bases(struct worker *w, struct wfile *wf, const CXIdxDeclInfo *info)
{
    const CXIdxCXXClassDeclInfo *ci = clang_index_getCXXClassDeclInfo(info);
    unsigned i;
    if (!ci)
        return;
    for (i = 0; i < ci->numBases; i++) {
        const CXIdxBaseClassInfo *b = ci->bases[i];
        CXCursor target = base_target(b->cursor);
        char *busr = cx_dup(clang_getCursorUSR(target));
        char *bname = cx_dup(clang_getTypeSpelling(clang_getCursorType(b->cursor)));
        unsigned line = 0, col = 0;
        size_t start;
        if (!*busr && b->base && b->base->USR) {
            free(busr);
            busr = xstrdup(b->base->USR);
        }
        if (!*busr) {
            /* a dependent base (template parameter): keep its spelling as a pseudo-USR so the
             * edge is still visible */
            free(busr);
            busr = xasprintf("c:dependent-base@%s", bname);
        }
        clang_indexLoc_getFileLocation(b->loc, NULL, NULL, &line, &col, NULL);
        start = wire_begin(&w->out, WIRE_BASE);
        wire_u32(&w->out, (uint32_t)wf->no);
        wire_str(&w->out, info->entityInfo->USR);
        wire_str(&w->out, busr);
        wire_str(&w->out, bname);
        wire_u32(&w->out, access_of(b->cursor));
        wire_u32(&w->out, clang_isVirtualBase(b->cursor));
        wire_u32(&w->out, line);
        wire_u32(&w->out, col);
        wire_end(&w->out, start);
        free(busr);
        free(bname);
    }
}

static void put_overrides(struct worker *w, struct wfile *wf, const char *usr, CXCursor c)
{
    CXCursor *ov = NULL;
    unsigned n = 0, i;
    clang_getOverriddenCursors(c, &ov, &n);
    for (i = 0; i < n; i++) {
        char *ousr = cx_dup(clang_getCursorUSR(ov[i]));
        if (*ousr) {
            char *oname = xasprintf("%s", qual_name(w, ov[i], 0));
            size_t start = wire_begin(&w->out, WIRE_OVR);
            wire_u32(&w->out, (uint32_t)wf->no);
            wire_str(&w->out, usr);
            wire_str(&w->out, ousr);
            wire_str(&w->out, oname);
            wire_end(&w->out, start);
            free(oname);
        }
        free(ousr);
    }
    if (ov)
        clang_disposeOverriddenCursors(ov);
}

/* ---- indexer callbacks ---- */

static int cb_abort(CXClientData client, void *reserved)
{
    (void)client;
    (void)reserved;
    return 0;
}

static void cb_diagnostic(CXClientData client, CXDiagnosticSet diags, void *reserved)
{
    (void)client;
    (void)diags;
    (void)reserved;
}

static CXIdxClientFile cb_main_file(CXClientData client, CXFile main_file, void *reserved)
{
    struct worker *w = client;
    (void)reserved;
    w->main_file = main_file;
    return NULL;
}

static CXIdxClientFile cb_included(CXClientData client, const CXIdxIncludedFileInfo *info)
{
    struct worker *w = client;
    CXFile from = NULL;
    unsigned line = 0;
    clang_indexLoc_getFileLocation(info->hashLoc, NULL, &from, &line, NULL, NULL);
    if (from && info->file) {
        ALLOC_GROW(w->incs, w->incs_n + 1, w->incs_alloc);
        w->incs[w->incs_n].from = from;
        w->incs[w->incs_n].to = info->file;
        w->incs[w->incs_n].line = line;
        w->incs_n++;
    }
    return NULL;
}

static CXIdxClientASTFile cb_imported(CXClientData client, const CXIdxImportedASTFileInfo *info)
{
    (void)client;
    (void)info;
    return NULL;
}

static CXIdxClientContainer cb_started(CXClientData client, void *reserved)
{
    (void)client;
    (void)reserved;
    return NULL;
}

static void cb_decl(CXClientData client, const CXIdxDeclInfo *info)
{
    struct worker *w = client;
    const CXIdxEntityInfo *e = info->entityInfo;
    struct wfile *wf;
    unsigned line = 0, col = 0;
    CXFile f = NULL;
    enum store_kind kind;
    CXSourceLocation loc;

    if (!e || !e->USR || !*e->USR || info->isImplicit)
        return;
    clang_indexLoc_getFileLocation(info->loc, NULL, &f, &line, &col, NULL);
    if (!f)
        return;
    loc = clang_indexLoc_getCXSourceLocation(info->loc);
    wf = filemap_find(&w->files, f, false);
    if (!wf)
        wf = file_get(w, f, loc, true);
    if (wf->state != WF_SEND)
        return;
    kind = kind_of_entity(e, info->cursor);
    if (kind == STORE_KIND_UNKNOWN)
        return;
    if (is_record_kind(clang_getCursorKind(info->cursor)) && is_lambda_class(info->cursor))
        return;
    if (kind == STORE_KIND_CONSTRUCTOR || kind == STORE_KIND_DESTRUCTOR) {
        char key[64];
        snprintf(key, sizeof(key), "%p:%u:%u", (void *)f, line,
                 kind == STORE_KIND_DESTRUCTOR ? col + 1 : col);
        strmap_put(&w->ctor_names, key, NULL);
    }
    {
        const char *name = e->name;
        char *anon = NULL;
        if (!name || !*name || !strncmp(name, "(unnamed", 8) || !strncmp(name, "(anonymous", 10) ||
            ((e->templateKind == CXIdxEntity_TemplatePartialSpecialization ||
              e->templateKind == CXIdxEntity_TemplateSpecialization) &&
             is_record_kind(clang_getCursorKind(info->cursor)))) {
            /* anonymous records get "(anonymous struct)"; class specializations their
             * arguments ("Buffer<T *, N>"), as in the qualified names of their members */
            anon = scope_component(info->cursor);
            name = anon ? anon : "(anonymous)";
            if (!*name) {
                /* libclang before 19 gives "typedef struct {...} Point" no name at all: take
                 * the type's spelling ("Point") */
                free(anon);
                anon = cx_dup(clang_getTypeSpelling(clang_getCursorType(info->cursor)));
                name = *anon ? anon : "(anonymous)";
            }
        }
        put_symbol(w, wf, e->USR, name, info->cursor, kind, e, info->isDefinition != 0, line, col,
                   clang_Cursor_getTranslationUnit(info->cursor));
        free(anon);
    }
    if (info->isDefinition && is_function_kind(kind)) {
        CXSourceRange ext = clang_getCursorExtent(info->cursor);
        CXFile f1 = NULL, f2 = NULL;
        unsigned o1 = 0, o2 = 0;
        clang_getFileLocation(clang_getRangeStart(ext), &f1, NULL, NULL, &o1);
        clang_getFileLocation(clang_getRangeEnd(ext), &f2, NULL, NULL, &o2);
        if (f1 && f1 == f2 && o2 > o1) {
            ALLOC_GROW(w->fdefs, w->fdefs_n + 1, w->fdefs_alloc);
            w->fdefs[w->fdefs_n].file = f1;
            w->fdefs[w->fdefs_n].start = o1;
            w->fdefs[w->fdefs_n].end = o2;
            w->fdefs[w->fdefs_n].usr = xstrdup(e->USR);
            w->fdefs_n++;
            w->fdefs_sorted = false;
        }
    }
    if (info->isDefinition || !info->isRedeclaration)
        put_bases(w, wf, info);
    if (kind == STORE_KIND_METHOD || kind == STORE_KIND_DESTRUCTOR)
        if (!info->isRedeclaration)
            put_overrides(w, wf, e->USR, info->cursor);
    maybe_flush(w);
}

static bool is_function_cursor(enum CXCursorKind k)
{
    return k == CXCursor_FunctionDecl || k == CXCursor_CXXMethod || k == CXCursor_Constructor ||
           k == CXCursor_Destructor || k == CXCursor_ConversionFunction ||
           k == CXCursor_FunctionTemplate;
}

/* The caller a reference belongs to: the function whose body holds it (lambdas folded into the
 * function that holds them); for a use outside any body (a parameter type, a member
 * initializer, a global's initializer) the function or variable being declared. NULL for a
 * file-level use. */
static char *context_usr(const CXIdxContainerInfo *ci, const CXIdxEntityInfo *parent)
{
    CXCursor c;
    int depth = 0;
    if (!ci)
        return NULL;
    c = ci->cursor;
    {
        enum CXCursorKind k = clang_getCursorKind(c);
        if ((k == CXCursor_TranslationUnit || k == CXCursor_Namespace || is_record_kind(k) ||
             k == CXCursor_UnexposedDecl) &&
            parent && parent->USR && *parent->USR &&
            (is_function_cursor(clang_getCursorKind(parent->cursor)) ||
             parent->kind == CXIdxEntity_Variable))
            return xstrdup(parent->USR);
    }
    while (depth++ < 16) {
        enum CXCursorKind k = clang_getCursorKind(c);
        if (k == CXCursor_CXXMethod) {
            CXCursor p = clang_getCursorSemanticParent(c);
            if (is_lambda_class(p)) {
                c = clang_getCursorSemanticParent(p);
                continue;
            }
        }
        if (k == CXCursor_LambdaExpr || is_lambda_class(c)) {
            c = clang_getCursorSemanticParent(c);
            continue;
        }
        break;
    }
    if (clang_getCursorKind(c) == CXCursor_TranslationUnit)
        return NULL;
    {
        char *u = cx_dup(clang_getCursorUSR(c));
        if (!*u) {
            free(u);
            return NULL;
        }
        return u;
    }
}

static void cb_ref(CXClientData client, const CXIdxEntityRefInfo *info)
{
    struct worker *w = client;
    const CXIdxEntityInfo *e = info->referencedEntity;
    struct wfile *wf;
    unsigned line = 0, col = 0, roles = 0;
    CXFile f = NULL;
    enum store_kind kind;
    char *ctx;
    const char *tscope, *tns;
    size_t start;

    if (!e || !e->USR || !*e->USR)
        return;
    clang_indexLoc_getFileLocation(info->loc, NULL, &f, &line, &col, NULL);
    if (!f)
        return;
    wf = filemap_find(&w->files, f, false);
    if (!wf)
        wf = file_get(w, f, clang_indexLoc_getCXSourceLocation(info->loc), true);
    if (wf->state != WF_SEND)
        return;
    kind = kind_of_entity(e, e->cursor);
    if (kind == STORE_KIND_UNKNOWN)
        return;
    if (info->role & CXSymbolRole_Read)
        roles |= STORE_ROLE_READ;
    if (info->role & CXSymbolRole_Write)
        roles |= STORE_ROLE_WRITE;
    if (info->role & CXSymbolRole_Call)
        roles |= STORE_ROLE_CALL;
    if (info->role & CXSymbolRole_AddressOf)
        roles |= STORE_ROLE_ADDRESS;
    if ((info->role & CXSymbolRole_Dynamic) && (roles & STORE_ROLE_CALL))
        roles |= STORE_ROLE_VIRTUAL;
    if (is_type_kind(kind))
        roles |= STORE_ROLE_TYPE;
    if (kind == STORE_KIND_CONSTRUCTOR) {
        roles |= STORE_ROLE_CALL | STORE_ROLE_CONSTRUCT;
    }
    if ((roles & STORE_ROLE_CALL) && clang_getCursorKind(info->cursor) == CXCursor_MemberRefExpr)
        roles |= STORE_ROLE_MEMBER;
    if ((roles & STORE_ROLE_CALL) && (e->kind == CXIdxEntity_CXXInstanceMethod ||
                                      e->kind == CXIdxEntity_CXXConversionFunction)) {
        /* operator calls (a == b, f(x) on a functor) arrive as plain DeclRefExprs */
        roles |= STORE_ROLE_MEMBER;
        if (clang_getCursorKind(info->cursor) == CXCursor_DeclRefExpr && e->cursor.kind &&
            clang_CXXMethod_isVirtual(e->cursor))
            roles |= STORE_ROLE_VIRTUAL;
    }
    if (!roles && kind == STORE_KIND_ENUM_CONSTANT)
        roles |= STORE_ROLE_READ;
    if (!roles && is_function_kind(kind) && !(info->role & CXSymbolRole_Call))
        roles |= STORE_ROLE_ADDRESS; /* a function named without a call: its address is taken */
    if ((roles & STORE_ROLE_CALL) && kind == STORE_KIND_METHOD &&
        clang_getCursorKind(info->cursor) == CXCursor_CallExpr)
        roles |= STORE_ROLE_MEMBER;
    if ((info->kind == CXIdxEntityRef_Implicit || (info->role & CXSymbolRole_Implicit)) &&
        !(roles & STORE_ROLE_CALL))
        return;
    if ((roles & STORE_ROLE_TYPE) && w->ctor_names.n) {
        /* the name of a constructor or destructor is its class's name, not a use of it */
        char key[64];
        snprintf(key, sizeof(key), "%p:%u:%u", (void *)f, line, col);
        if (strmap_has(&w->ctor_names, key))
            return;
    }
    if ((roles & STORE_ROLE_TYPE) && info->parentEntity &&
        (info->parentEntity->kind == CXIdxEntity_CXXConstructor ||
         info->parentEntity->kind == CXIdxEntity_CXXDestructor)) {
        /* the name of a constructor or destructor is its class's name, not a use of it */
        unsigned pl = 0, pcol = 0;
        clang_getFileLocation(clang_getCursorLocation(info->parentEntity->cursor), NULL, &pl, &pcol,
                              NULL);
        if (pl == line && (pcol == col || pcol + 1 == col))
            return;
    }
    ctx = context_usr(info->container, info->parentEntity);
    {
        /* the target's scope, so that a placeholder (a symbol of a system header) still has
         * its qualified name: std::vector, not vector */
        CXCursor tparent = clang_getCursorSemanticParent(e->cursor);
        tscope = clang_Cursor_isNull(tparent) ? "" : qual_name(w, tparent, 0);
        tns = namespace_of(w, e->cursor);
    }
    start = wire_begin(&w->out, WIRE_REF);
    wire_u32(&w->out, (uint32_t)wf->no);
    wire_str(&w->out, e->USR);
    if ((kind == STORE_KIND_CONSTRUCTOR || kind == STORE_KIND_DESTRUCTOR) && e->name &&
        strchr(e->name, '<'))
        wire_strn(&w->out, e->name, (size_t)(strchr(e->name, '<') - e->name)); /* "vector" */
    else
        wire_str(&w->out, e->name);
    wire_u32(&w->out, kind);
    wire_str(&w->out, ctx);
    wire_u32(&w->out, line);
    wire_u32(&w->out, col);
    wire_u32(&w->out, roles);
    wire_str(&w->out, *tscope ? tscope : NULL);
    wire_str(&w->out, *tns ? tns : NULL);
    wire_end(&w->out, start);
    free(ctx);
    maybe_flush(w);
}

/* ---- macros and diagnostics (from the translation unit after indexing) ---- */

static int fdef_cmp(const void *a, const void *b)
{
    const struct fdef *x = a, *y = b;
    if (x->file != y->file)
        return (uintptr_t)x->file < (uintptr_t)y->file ? -1 : 1;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* The function whose definition holds offset off of file f (the innermost one), or NULL. */
static const char *fdef_at(struct worker *w, CXFile f, unsigned off)
{
    size_t lo = 0, hi = w->fdefs_n, i, k;
    if (!w->fdefs_sorted) {
        qsort(w->fdefs, w->fdefs_n, sizeof(*w->fdefs), fdef_cmp);
        w->fdefs_sorted = true;
    }
    /* the last definition of f starting at or before off */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct fdef *d = &w->fdefs[mid];
        if ((uintptr_t)d->file < (uintptr_t)f || (d->file == f && d->start <= off))
            lo = mid + 1;
        else
            hi = mid;
    }
    for (i = lo, k = 0; i > 0 && k < 16; i--, k++) {
        const struct fdef *d = &w->fdefs[i - 1];
        if (d->file != f)
            break;
        if (d->start <= off && off <= d->end)
            return d->usr;
    }
    return NULL;
}

static enum CXChildVisitResult visit_macros(CXCursor c, CXCursor parent, CXClientData data)
{
    struct worker *w = data;
    enum CXCursorKind k = clang_getCursorKind(c);
    (void)parent;
    if (k == CXCursor_MacroDefinition || k == CXCursor_MacroExpansion) {
        unsigned line = 0, col = 0;
        struct wfile *wf;
        if (clang_Cursor_isMacroBuiltin(c))
            return CXChildVisit_Continue;
        wf = loc_file(w, clang_getCursorLocation(c), &line, &col);
        if (!wf)
            return CXChildVisit_Continue;
        if (k == CXCursor_MacroDefinition) {
            char *usr = cx_dup(clang_getCursorUSR(c));
            char *name = cx_dup(clang_getCursorSpelling(c));
            if (*usr && *name)
                put_symbol(w, wf, usr, name, c, STORE_KIND_MACRO, NULL, true, line, col,
                           clang_Cursor_getTranslationUnit(c));
            free(usr);
            free(name);
        } else {
            CXCursor def = clang_getCursorReferenced(c);
            CXFile deff = NULL;
            char *usr;
            if (!clang_Cursor_isNull(def))
                clang_getFileLocation(clang_getCursorLocation(def), &deff, NULL, NULL, NULL);
            /* a macro defined on the command line (-DNAME) has no file: not a symbol */
            usr = clang_Cursor_isNull(def) || !deff ? xstrdup("") : cx_dup(clang_getCursorUSR(def));
            if (*usr) {
                char *name = cx_dup(clang_getCursorSpelling(c));
                CXFile ef = NULL;
                unsigned eoff = 0;
                const char *ctx;
                size_t start;
                clang_getFileLocation(clang_getCursorLocation(c), &ef, NULL, NULL, &eoff);
                ctx = ef ? fdef_at(w, ef, eoff) : NULL;
                start = wire_begin(&w->out, WIRE_REF);
                wire_u32(&w->out, (uint32_t)wf->no);
                wire_str(&w->out, usr);
                wire_str(&w->out, name);
                wire_u32(&w->out, STORE_KIND_MACRO);
                wire_str(&w->out, ctx);
                wire_u32(&w->out, line);
                wire_u32(&w->out, col);
                wire_u32(&w->out, 0);
                wire_str(&w->out, NULL);
                wire_str(&w->out, NULL);
                wire_end(&w->out, start);
                free(name);
            }
            free(usr);
        }
        maybe_flush(w);
    }
    return CXChildVisit_Continue;
}

static void put_docs(struct worker *w)
{
    size_t i;
    for (i = 0; i < w->docs_n; i++) {
        struct pending_doc *d = &w->docs[i];
        char *brief = nonempty_or_null(cx_dup(clang_Cursor_getBriefCommentText(d->cursor)));
        char *raw = cx_dup(clang_Cursor_getRawCommentText(d->cursor));
        char *doc = *raw ? clean_comment(raw) : NULL;
        free(raw);
        if (brief || doc) {
            size_t start = wire_begin(&w->out, WIRE_DOC);
            wire_u32(&w->out, (uint32_t)d->file_no);
            wire_u32(&w->out, d->sym_index);
            wire_text(&w->out, brief);
            wire_text(&w->out, doc);
            wire_end(&w->out, start);
            maybe_flush(w);
        }
        free(brief);
        free(doc);
    }
    w->docs_n = 0;
}

#define MAX_DIAGS 20

static void put_diagnostics(struct worker *w, CXTranslationUnit tu)
{
    unsigned n = clang_getNumDiagnostics(tu), i, sent = 0;
    for (i = 0; i < n && sent < MAX_DIAGS; i++) {
        CXDiagnostic d = clang_getDiagnostic(tu, i);
        enum CXDiagnosticSeverity sev = clang_getDiagnosticSeverity(d);
        if (sev >= CXDiagnostic_Error) {
            CXFile f = NULL;
            unsigned line = 0, col = 0;
            char *msg = cx_dup(clang_getDiagnosticSpelling(d));
            char *path = NULL;
            size_t start;
            clang_getFileLocation(clang_getDiagnosticLocation(d), &f, &line, &col, NULL);
            if (f) {
                CXString fn = clang_getFileName(f);
                const char *c = clang_getCString(fn);
                path = c ? path_real(c) : NULL;
                if (!path && c)
                    path = xstrdup(c);
                clang_disposeString(fn);
            }
            start = wire_begin(&w->out, WIRE_DIAG);
            wire_u32(&w->out, sev >= CXDiagnostic_Fatal ? 2 : 1);
            wire_str(&w->out, path);
            wire_u32(&w->out, line);
            wire_u32(&w->out, col);
            wire_text(&w->out, msg);
            wire_end(&w->out, start);
            free(msg);
            free(path);
            sent++;
        }
        clang_disposeDiagnostic(d);
    }
}

/* Decides the files seen only through includes, emits INC and FILE records. */
static void put_files(struct worker *w, CXTranslationUnit tu)
{
    size_t i;
    /* the main file is always described, even when nothing in it was indexed (a file of
     * #includes that all failed) */
    if (w->main_file && !filemap_find(&w->files, w->main_file, false))
        file_get(w, w->main_file, clang_getLocation(tu, w->main_file, 1, 1), true);
    for (i = 0; i < w->incs_n; i++) {
        struct wfile *from, *to;
        size_t start;
        from = filemap_find(&w->files, w->incs[i].from, false);
        if (!from)
            from = file_get(w, w->incs[i].from, clang_getLocation(tu, w->incs[i].from, 1, 1), true);
        to = filemap_find(&w->files, w->incs[i].to, false);
        if (!to)
            to = file_get(w, w->incs[i].to, clang_getLocation(tu, w->incs[i].to, 1, 1), true);
        if (from->state != WF_SEND || to->state == WF_DROP)
            continue;
        start = wire_begin(&w->out, WIRE_INC);
        wire_u32(&w->out, (uint32_t)from->no);
        wire_u32(&w->out, w->incs[i].line);
        wire_u32(&w->out, (uint32_t)to->no);
        wire_end(&w->out, start);
    }
    for (i = 0; i < w->files.cap; i++) {
        struct wfile *wf = &w->files.slots[i];
        char hash[33] = "";
        struct stat stt;
        size_t start, size = 0;
        const char *buf;
        unsigned flags = 0;
        if (!wf->file || wf->state == WF_DROP)
            continue;
        if (wf->state == WF_SEND) {
            buf = clang_getFileContents(tu, wf->file, &size);
            if (buf)
                hash_bytes_hex(hash, buf, size);
        }
        memset(&stt, 0, sizeof(stt));
        if (stat(wf->path, &stt) != 0)
            memset(&stt, 0, sizeof(stt));
        if (wf->file == w->main_file)
            flags |= WIRE_FILE_MAIN;
        if (path_is_dependency(w, wf->path))
            flags |= WIRE_FILE_DEP;
        start = wire_begin(&w->out, WIRE_FILE);
        wire_u32(&w->out, (uint32_t)wf->no);
        wire_str(&w->out, wf->path);
        wire_str(&w->out, wf->state == WF_SEND ? hash : NULL);
        wire_u64(&w->out,
                 (uint64_t)stt.st_mtim.tv_sec * 1000000000ull + (uint64_t)stt.st_mtim.tv_nsec);
        wire_u64(&w->out, (uint64_t)stt.st_size);
        wire_u32(&w->out, flags);
        wire_end(&w->out, start);
        if (wf->state == WF_SEND && wf->file != w->main_file)
            strmap_put(&w->sent, wf->path, NULL);
    }
}

/* ---- the task ---- */

static void test_hook(struct worker *w, const char *file)
{
    char *data = NULL;
    size_t len = 0;
    struct err e;
    if (!w->test_hooks || fs_read_file(&data, &len, file, 16u << 20, &e) != 0)
        return;
    if (memmem(data, len, "cidx-test-hook: crash", 21)) {
        free(data);
        abort();
    }
    if (memmem(data, len, "cidx-test-hook: hang", 20)) {
        free(data);
        for (;;)
            pause();
    }
    free(data);
}

static void done(struct worker *w, uint32_t task, uint32_t status, const char *msg,
                 uint64_t parse_us)
{
    struct rusage ru;
    size_t start;
    memset(&ru, 0, sizeof(ru));
    getrusage(RUSAGE_SELF, &ru);
    start = wire_begin(&w->out, WIRE_DONE);
    wire_u32(&w->out, task);
    wire_u32(&w->out, status);
    wire_str(&w->out, msg);
    wire_u64(&w->out, parse_us);
    wire_u64(&w->out, (uint64_t)ru.ru_maxrss);
    wire_end(&w->out, start);
    flush_out(w);
}

/* Whether a unit is C++: "-x c++"/"-x c" (last one wins), else the driver name ("clang++",
 * "g++"), else the extension (".c" is C, everything else C++). */
static bool is_cpp_unit(const char *file, const char **argv, uint32_t argc)
{
    int lang = -1;
    uint32_t i;
    const char *dot = strrchr(file, '.');
    for (i = 1; i < argc; i++) {
        const char *x = NULL;
        if (!strcmp(argv[i], "-x") && i + 1 < argc)
            x = argv[++i];
        else if (!strncmp(argv[i], "-x", 2) && argv[i][2])
            x = argv[i] + 2;
        if (x)
            lang = !strncmp(x, "c++", 3) ? 1 : !strcmp(x, "c") || !strcmp(x, "c-header") ? 0 : lang;
    }
    if (lang >= 0)
        return lang == 1;
    if (argc > 0 && strstr(argv[0], "++"))
        return true;
    return !(dot && !strcmp(dot, ".c"));
}

static void run_task(struct worker *w, struct wire_reader *r)
{
    uint32_t task = wire_get_u32(r);
    uint32_t flags = wire_get_u32(r);
    const char *dir = wire_get_str(r);
    const char *file = wire_get_str(r);
    uint32_t argc = wire_get_u32(r), i;
    const char **argv;
    IndexerCallbacks cb;
    CXTranslationUnit tu = NULL;
    uint64_t t0;
    int rc;

    if (r->bad || !dir || !file || argc > 1000000) {
        done(w, task, WIRE_DONE_FAILED, "malformed task", 0);
        return;
    }
    argv = xcalloc((size_t)argc + 1, sizeof(*argv));
    for (i = 0; i < argc; i++)
        argv[i] = wire_get_str(r);
    {
        /* headers the indexer already has: reported by path only, never extracted */
        uint32_t nclosed = wire_get_u32(r);
        for (i = 0; i < nclosed && !r->bad; i++) {
            const char *h = wire_get_str(r);
            if (h)
                strmap_put(&w->sent, h, NULL);
        }
    }
    if (r->bad) {
        free(argv);
        done(w, task, WIRE_DONE_FAILED, "malformed task", 0);
        return;
    }
    for (i = 0; i < argc; i++)
        if (!argv[i])
            argv[i] = "";
    w->flags = flags;
    w->cpp = is_cpp_unit(file, argv, argc);
    w->main_file = NULL;
    w->next_no = 0;
    w->incs_n = 0;
    w->docs_n = 0;
    w->q_cap = 1024;
    w->q_n = 0;
    w->q = xcalloc(w->q_cap, sizeof(*w->q));
    w->arena = (struct arena)ARENA_INIT;

    test_hook(w, file);
    {
        /* say why a source cannot be parsed; libclang would only say "error 1" */
        char *m = NULL;
        struct stat st;
        int fd;
        if (lstat(file, &st) == 0 && S_ISLNK(st.st_mode) && stat(file, &st) != 0)
            m = xasprintf("cannot read the source: it is a dangling symbolic link (%s)",
                          strerror(errno));
        else if (stat(file, &st) != 0)
            m = xasprintf("cannot read the source: %s", strerror(errno));
        else if (S_ISDIR(st.st_mode))
            m = xasprintf("cannot read the source: it is a directory");
        else if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0)
            m = xasprintf("cannot read the source: %s", strerror(errno));
        else
            close(fd);
        if (m) {
            free(argv);
            free(w->q);
            w->q = NULL;
            arena_release(&w->arena);
            done(w, task, WIRE_DONE_IO, m, 0);
            free(m);
            return;
        }
    }
    if (chdir(dir) != 0) {
        char *m = xasprintf("cannot enter the command's directory '%s': %s", dir, strerror(errno));
        free(argv);
        free(w->q);
        arena_release(&w->arena);
        done(w, task, WIRE_DONE_IO, m, 0);
        free(m);
        return;
    }

    memset(&cb, 0, sizeof(cb));
    cb.abortQuery = cb_abort;
    cb.diagnostic = cb_diagnostic;
    cb.enteredMainFile = cb_main_file;
    cb.ppIncludedFile = cb_included;
    cb.importedASTFile = cb_imported;
    cb.startedTranslationUnit = cb_started;
    cb.indexDeclaration = cb_decl;
    cb.indexEntityReference = cb_ref;

    t0 = time_mono_ns();
    rc = clang_indexSourceFileFullArgv(
        w->action, w, &cb, sizeof(cb),
        CXIndexOpt_SkipParsedBodiesInSession | CXIndexOpt_SuppressWarnings, file, argv, (int)argc,
        NULL, 0, &tu, CXTranslationUnit_DetailedPreprocessingRecord | CXTranslationUnit_KeepGoing);
    if (rc != 0 || !tu) {
        char *m = xasprintf("libclang could not parse the file (error %d%s)", rc,
                            rc == CXError_ASTReadError ? ": the arguments or the file are invalid"
                            : rc == CXError_Crashed    ? ": libclang crashed"
                                                       : "");
        done(w, task, WIRE_DONE_FAILED, m, (time_mono_ns() - t0) / 1000);
        free(m);
    } else {
        clang_visitChildren(clang_getTranslationUnitCursor(tu), visit_macros, w);
        put_docs(w);
        put_files(w, tu);
        put_diagnostics(w, tu);
        done(w, task, WIRE_DONE_OK, NULL, (time_mono_ns() - t0) / 1000);
    }
    if (tu)
        clang_disposeTranslationUnit(tu);
    if (w->policy) {
        clang_PrintingPolicy_dispose(w->policy);
        w->policy = NULL;
    }
    filemap_clear(&w->files);
    strmap_clear(&w->ctor_names);
    for (i = 0; i < w->fdefs_n; i++)
        free(w->fdefs[i].usr);
    w->fdefs_n = 0;
    free(w->q);
    w->q = NULL;
    w->q_cap = 0;
    arena_release(&w->arena);
    free(argv);
}

int idx_worker_main(int in_fd, int out_fd, const char *root, const char *config_path)
{
    struct worker w;
    struct wire_stream ws;
    char buf[65536];
    struct idx_config cfg;
    bool have_cfg = false;
    struct err err;
    int status = 0;

    memset(&w, 0, sizeof(w));
    signal(SIGPIPE, SIG_IGN);
#ifdef __linux__
    /* die with the indexer: a parent killed with -9 cannot close our pipe while we are stuck in
     * a file, and an orphaned worker would parse on for nothing */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1)
        return 1;
#endif
    w.root = root;
    w.out_fd = out_fd;
    w.test_hooks = getenv("CIDX_TEST_HOOKS") && !strcmp(getenv("CIDX_TEST_HOOKS"), "1");
    strbuf_init(&w.out, 1 << 20);
    memset(&cfg, 0, sizeof(cfg));
    if (idx_config_load(&cfg, root, config_path, NULL, &err) == 0) {
        have_cfg = true;
        w.cfg = &cfg;
    } else {
        log_msg(LOG_WARN, "worker: %s; using defaults", err.msg);
    }
    w.index = clang_createIndex(0, 0);
    w.action = clang_IndexAction_create(w.index);
    wire_stream_init(&ws);

    for (;;) {
        const unsigned char *payload;
        size_t len;
        int got;
        ssize_t n = read(in_fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* the parent closed the pipe: done */
        wire_stream_feed(&ws, buf, (size_t)n);
        while ((got = wire_next(&ws, &payload, &len)) == 1) {
            struct wire_reader r;
            wire_reader_init(&r, payload, len);
            switch (payload[0]) {
            case WIRE_TASK:
                r.p++;
                run_task(&w, &r);
                break;
            case WIRE_QUIT:
                goto out;
            default:
                log_msg(LOG_ERROR, "worker: unknown frame type %d", payload[0]);
                status = 1;
                goto out;
            }
            if (w.write_failed)
                goto out;
        }
        if (got < 0) {
            log_msg(LOG_ERROR, "worker: malformed frame from the indexer");
            status = 1;
            break;
        }
    }
out:
    wire_stream_release(&ws);
    clang_IndexAction_dispose(w.action);
    clang_disposeIndex(w.index);
    strbuf_release(&w.out);
    strmap_clear(&w.sent);
    free(w.incs);
    free(w.docs);
    free(w.fdefs);
    if (have_cfg)
        idx_config_release(&cfg);
    return status;
}
