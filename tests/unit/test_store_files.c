/*
 * test_store_files.c - the file records the indexer plans with: the walk (path order, early
 * stop, writes from the callback), touch (mtime and size only, in and out of bulk mode), the
 * reverse include graph (a chain, a diamond, cycles, unknown paths, bulk mode), orphan headers,
 * and the normalized dump (identical for the same content written in another order, root
 * replaced everywhere, placeholders marked, every section present, exact line format).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"
#include "tu_symgen.h"

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Asserts a path list equals the NULL-terminated expected list, in order. */
static void assert_paths(char **got, size_t n, const char *const *want)
{
    size_t k = 0;
    assert_non_null(got);
    assert_null(got[n]);
    for (; want[k]; k++) {
        if (k >= n)
            fail_msg("only %zu paths, want '%s' at %zu", n, want[k], k);
        if (strcmp(got[k], want[k]))
            fail_msg("path %zu is '%s', want '%s'", k, got[k], want[k]);
    }
    if (k != n)
        fail_msg("%zu paths, want %zu (extra: '%s')", n, k, got[k]);
}

/* Writes a file with one symbol and the given includes (NULL-terminated). */
static void put(struct store *st, const char *path, bool header, ...)
{
    struct store_include inc[16];
    struct store_symbol sym = {.usr = path,
                               .name = "f",
                               .kind = STORE_KIND_FUNCTION,
                               .is_definition = true,
                               .range = {1, 1, 1, 2}};
    struct store_file_batch b = {.path = path,
                                 .hash = "h",
                                 .is_project = true,
                                 .is_header = header,
                                 .symbols = &sym,
                                 .nsymbols = 1,
                                 .includes = inc};
    struct err e = {0};
    va_list ap;
    va_start(ap, header);
    for (const char *p = va_arg(ap, const char *); p; p = va_arg(ap, const char *)) {
        inc[b.nincludes].path = p;
        inc[b.nincludes].line = (uint32_t)b.nincludes + 1;
        b.nincludes++;
    }
    va_end(ap);
    TU_OK(store_file_replace(st, &b, &e), &e);
}

static char *dump_str(struct store *st, const char *root)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct err e = {0};
    assert_non_null(f);
    TU_OK(store_dump(st, f, root, &e), &e);
    fclose(f);
    return buf;
}

/* ---- the walk ------------------------------------------------------------------------------ */

struct walk {
    struct store *st;
    struct strbuf seen;
    int calls, stop_at;
    bool delete_each;
};

static int walk_fn(void *ctx, const struct store_file_info *fi)
{
    struct walk *w = ctx;
    struct err e = {0};
    w->calls++;
    strbuf_addf(&w->seen, "%s %s %lld %d%d\n", fi->path, fi->hash, (long long)fi->symbol_count,
                fi->is_header, fi->is_project);
    assert_true(fi->indexed_at > 0);
    if (w->delete_each)
        TU_OK(store_file_delete(w->st, fi->path, &e), &e);
    return w->calls == w->stop_at ? 7 : 0;
}

static void test_walk(void **state)
{
    char *dir = tu_tmpdir("walk");
    struct store *st = tu_open(dir, 0);
    struct walk w = {st, STRBUF_INIT, 0, 0, false};
    struct err e = {0};
    (void)state;

    TU_OK(store_file_each(st, walk_fn, &w, &e), &e);
    assert_int_equal(w.calls, 0);

    /* written out of order; the include target is only a row, not an indexed file */
    put(st, "/proj/src/b.cpp", false, "/usr/include/stdio.h", NULL);
    put(st, "/proj/include/a.h", true, NULL);
    put(st, "/proj/src/a.cpp", false, "/proj/include/a.h", NULL);
    TU_OK(store_file_each(st, walk_fn, &w, &e), &e);
    assert_int_equal(w.calls, 3);
    assert_string_equal(w.seen.buf, "/proj/include/a.h h 1 11\n"
                                    "/proj/src/a.cpp h 1 01\n"
                                    "/proj/src/b.cpp h 1 01\n");

    /* a non-zero return stops the walk and is returned */
    w.calls = 0;
    w.stop_at = 2;
    strbuf_reset(&w.seen);
    assert_int_equal(store_file_each(st, walk_fn, &w, &e), 7);
    assert_int_equal(w.calls, 2);

    /* the callback may write: every file deleted while walking */
    w.calls = 0;
    w.stop_at = 0;
    w.delete_each = true;
    TU_OK(store_file_each(st, walk_fn, &w, &e), &e);
    assert_int_equal(w.calls, 3);
    w.calls = 0;
    w.delete_each = false;
    TU_OK(store_file_each(st, walk_fn, &w, &e), &e);
    assert_int_equal(w.calls, 0);
    tu_assert_healthy(st);

    /* in bulk mode, written files of the open group are seen */
    TU_OK(store_bulk_begin(st, &e), &e);
    put(st, "/proj/x.cpp", false, NULL);
    TU_OK(store_file_each(st, walk_fn, &w, &e), &e);
    assert_int_equal(w.calls, 1);
    TU_OK(store_bulk_end(st, &e), &e);
    tu_assert_healthy(st);

    strbuf_release(&w.seen);
    store_close(st);
    tu_rmtree(dir);
    free(dir);
}

/* ---- touch --------------------------------------------------------------------------------- */

static void assert_same_but_stat(const struct store_file_info *a, const struct store_file_info *b)
{
    assert_string_equal(a->path, b->path);
    assert_string_equal(a->hash, b->hash);
    assert_string_equal(a->args_hash, b->args_hash);
    assert_true(a->indexed_at == b->indexed_at);
    assert_int_equal(a->symbol_count, b->symbol_count);
    assert_int_equal(a->is_project, b->is_project);
    assert_int_equal(a->is_header, b->is_header);
}

static void test_touch(void **state)
{
    char *dir = tu_tmpdir("touch");
    struct store *st = tu_open(dir, 0);
    struct store_symbol sym = {.usr = "c:@F@f#",
                               .name = "f",
                               .kind = STORE_KIND_FUNCTION,
                               .is_definition = true,
                               .range = {3, 5, 4, 1}};
    struct store_file_batch b = {.path = "/proj/a.cpp",
                                 .hash = "abc",
                                 .args_hash = "args",
                                 .mtime_ns = 100,
                                 .size = 10,
                                 .is_project = true,
                                 .symbols = &sym,
                                 .nsymbols = 1};
    struct store_include inc = {.path = "/proj/only_included.h", .line = 1};
    struct store_file_info before, after;
    struct err e = {0};
    char *d1, *d2;
    (void)state;

    b.includes = &inc;
    b.nincludes = 1;
    TU_OK(store_file_replace(st, &b, &e), &e);
    TU_OK(store_file_get(st, "/proj/a.cpp", &before, &e), &e);
    d1 = dump_str(st, NULL);

    TU_OK(store_file_touch(st, "/proj/a.cpp", 999, 12, &e), &e);
    TU_OK(store_file_get(st, "/proj/a.cpp", &after, &e), &e);
    assert_int_equal(after.mtime_ns, 999);
    assert_int_equal(after.size, 12);
    assert_same_but_stat(&before, &after);
    d2 = dump_str(st, NULL);
    assert_string_equal(d1, d2); /* nothing the dump shows has moved */
    store_file_info_release(&after);
    free(d2);

    /* absent files, and rows known only as include targets, are not found */
    assert_int_equal(store_file_touch(st, "/proj/nope.cpp", 1, 1, &e), ERR_NOTFOUND);
    assert_non_null(strstr(e.msg, "/proj/nope.cpp"));
    assert_int_equal(store_file_touch(st, "/proj/only_included.h", 1, 1, &e), ERR_NOTFOUND);
    assert_int_equal(store_file_touch(st, "", 1, 1, &e), ERR_INVALID);

    /* bulk mode: before any write (no group open) and inside the open group */
    TU_OK(store_bulk_begin(st, &e), &e);
    TU_OK(store_file_touch(st, "/proj/a.cpp", 1000, 13, &e), &e);
    put(st, "/proj/b.cpp", false, NULL);
    TU_OK(store_file_touch(st, "/proj/b.cpp", 2000, 20, &e), &e);
    TU_OK(store_file_touch(st, "/proj/a.cpp", 1001, 14, &e), &e);
    assert_int_equal(store_file_touch(st, "/proj/nope.cpp", 1, 1, &e), ERR_NOTFOUND);
    TU_OK(store_bulk_end(st, &e), &e);
    TU_OK(store_file_get(st, "/proj/a.cpp", &after, &e), &e);
    assert_int_equal(after.mtime_ns, 1001);
    assert_int_equal(after.size, 14);
    assert_same_but_stat(&before, &after);
    store_file_info_release(&after);
    TU_OK(store_file_get(st, "/proj/b.cpp", &after, &e), &e);
    assert_int_equal(after.mtime_ns, 2000);
    assert_int_equal(after.size, 20);
    store_file_info_release(&after);
    tu_assert_healthy(st);
    store_close(st);

    /* a read-only handle refuses */
    st = tu_open(dir, STORE_OPEN_READONLY);
    assert_int_equal(store_file_touch(st, "/proj/a.cpp", 1, 1, &e), ERR_READONLY);
    store_close(st);

    store_file_info_release(&before);
    free(d1);
    tu_rmtree(dir);
    free(dir);
}

/* ---- the include graph --------------------------------------------------------------------- */

static void check_includers(struct store *st, const char *path, const char *const *want)
{
    char **v = NULL;
    size_t n = 99;
    struct err e = {0};
    TU_OK(store_file_includers(st, path, &v, &n, &e), &e);
    assert_paths(v, n, want);
    free_list(v, n);
}

static void write_graph(struct store *st)
{
    /* a chain: main.cpp -> a.h -> b.h -> c.h */
    put(st, "/p/main.cpp", false, "/p/a.h", NULL);
    put(st, "/p/a.h", true, "/p/b.h", NULL);
    put(st, "/p/b.h", true, "/p/c.h", NULL);
    put(st, "/p/c.h", true, NULL);
    /* a diamond: top.cpp -> l.h, r.h -> base.h */
    put(st, "/p/top.cpp", false, "/p/l.h", "/p/r.h", NULL);
    put(st, "/p/l.h", true, "/p/base.h", NULL);
    put(st, "/p/r.h", true, "/p/base.h", NULL);
    put(st, "/p/base.h", true, NULL);
    /* a cycle: x.h <-> y.h, u.cpp -> x.h; z.h includes itself */
    put(st, "/p/x.h", true, "/p/y.h", NULL);
    put(st, "/p/y.h", true, "/p/x.h", NULL);
    put(st, "/p/u.cpp", false, "/p/x.h", NULL);
    put(st, "/p/z.h", true, "/p/z.h", NULL);
    /* a header never indexed, only included */
    put(st, "/p/v.cpp", false, "/p/gen/never.h", NULL);
}

static void check_graph(struct store *st)
{
    check_includers(st, "/p/c.h", (const char *const[]){"/p/b.h", "/p/a.h", "/p/main.cpp", NULL});
    check_includers(st, "/p/b.h", (const char *const[]){"/p/a.h", "/p/main.cpp", NULL});
    check_includers(st, "/p/main.cpp", (const char *const[]){NULL});
    /* top.cpp is reached twice and listed once, after the level of l.h and r.h */
    check_includers(st, "/p/base.h", (const char *const[]){"/p/l.h", "/p/r.h", "/p/top.cpp", NULL});
    /* cycles end, and the start is never part of the answer */
    check_includers(st, "/p/x.h", (const char *const[]){"/p/u.cpp", "/p/y.h", NULL});
    check_includers(st, "/p/y.h", (const char *const[]){"/p/x.h", "/p/u.cpp", NULL});
    check_includers(st, "/p/z.h", (const char *const[]){NULL});
    check_includers(st, "/p/gen/never.h", (const char *const[]){"/p/v.cpp", NULL});
    /* a path the cache does not know */
    check_includers(st, "/p/unknown.h", (const char *const[]){NULL});
}

static void test_includers(void **state)
{
    char *dir = tu_tmpdir("incl"), *bulk = tu_tmpdir("inclbulk");
    struct store *st = tu_open(dir, 0);
    struct err e = {0};
    char **v = NULL;
    size_t n = 0;
    (void)state;

    write_graph(st);
    check_graph(st);
    assert_int_equal(store_file_includers(st, "", &v, &n, &e), ERR_INVALID);
    /* the chain is cut: a.h no longer includes b.h */
    put(st, "/p/a.h", true, NULL);
    check_includers(st, "/p/c.h", (const char *const[]){"/p/b.h", NULL});
    tu_assert_healthy(st);
    store_close(st);

    /* a read-only reader sees the same */
    st = tu_open(dir, STORE_OPEN_READONLY);
    check_includers(st, "/p/c.h", (const char *const[]){"/p/b.h", NULL});
    store_close(st);

    /* during a bulk load the included-side index is gone: same answers */
    st = tu_open(bulk, 0);
    TU_OK(store_bulk_begin(st, &e), &e);
    write_graph(st);
    check_graph(st);
    TU_OK(store_bulk_end(st, &e), &e);
    check_graph(st);
    tu_assert_healthy(st);
    store_close(st);

    tu_rmtree(dir);
    tu_rmtree(bulk);
    free(dir);
    free(bulk);
}

static void check_orphans(struct store *st, const char *const *want)
{
    char **v = NULL;
    size_t n = 99;
    struct err e = {0};
    TU_OK(store_orphan_headers(st, &v, &n, &e), &e);
    assert_paths(v, n, want);
    free_list(v, n);
}

static void test_orphan_headers(void **state)
{
    char *dir = tu_tmpdir("orph");
    struct store *st = tu_open(dir, 0);
    struct err e = {0};
    (void)state;

    check_orphans(st, (const char *const[]){NULL});
    put(st, "/p/h1.h", true, NULL);
    put(st, "/p/h2.h", true, "/p/h1.h", NULL);
    put(st, "/p/h3.h", true, NULL);
    put(st, "/p/a.cpp", false, "/p/h2.h", "/p/h3.h", NULL);
    put(st, "/p/lonely.cpp", false, NULL); /* not a header: never an orphan */
    check_orphans(st, (const char *const[]){NULL});

    /* a.cpp stops including h3.h */
    put(st, "/p/a.cpp", false, "/p/h2.h", NULL);
    check_orphans(st, (const char *const[]){"/p/h3.h", NULL});
    /* a.cpp goes: h2.h is orphaned, h1.h is still included by h2.h */
    TU_OK(store_file_delete(st, "/p/a.cpp", &e), &e);
    check_orphans(st, (const char *const[]){"/p/h2.h", "/p/h3.h", NULL});
    /* the indexer deletes them; then h1.h is the next orphan */
    TU_OK(store_file_delete(st, "/p/h2.h", &e), &e);
    TU_OK(store_file_delete(st, "/p/h3.h", &e), &e);
    check_orphans(st, (const char *const[]){"/p/h1.h", NULL});
    TU_OK(store_file_delete(st, "/p/h1.h", &e), &e);
    check_orphans(st, (const char *const[]){NULL});

    /* during a bulk load too */
    TU_OK(store_bulk_begin(st, &e), &e);
    put(st, "/p/h4.h", true, NULL);
    put(st, "/p/h5.h", true, NULL);
    put(st, "/p/b.cpp", false, "/p/h5.h", NULL);
    check_orphans(st, (const char *const[]){"/p/h4.h", NULL});
    TU_OK(store_bulk_end(st, &e), &e);
    tu_assert_healthy(st);
    store_close(st);
    tu_rmtree(dir);
    free(dir);
}

/* ---- the dump ------------------------------------------------------------------------------ */

#define USR_WIDGET "c:@N@ui@S@Widget"
#define USR_DRAW "c:@N@ui@S@Widget@F@draw#I#1"
#define USR_BUTTON "c:@N@ui@S@Button"
#define USR_BDRAW "c:@N@ui@S@Button@F@draw#I#1"
#define USR_CLAMP "c:@N@ui@FT@>1#Tclamp#t0.0#S0_#"
#define USR_SIZE "c:@N@ui@T@Size"
#define USR_MAIN "c:@F@main#"

static const char *cat(struct arena *a, const char *x, const char *y, const char *z)
{
    size_t lx = strlen(x), ly = strlen(y), lz = strlen(z);
    char *s = arena_alloc(a, lx + ly + lz + 1);
    memcpy(s, x, lx);
    memcpy(s + lx, y, ly);
    memcpy(s + lx + ly, z, lz);
    return s;
}

/*
 * A small project under root that fills every table: a header with a namespace, a documented
 * class, a virtual method, a function template and a typedef; a derived class with a virtual
 * base and an override; a source with the definition, a static function and an unnamed struct
 * (their USR and name hold the root), references of every kind, a placeholder (printf) and an
 * include outside the root; header claims and parse errors. reverse writes everything in the
 * opposite order, in bulk mode, after writing and deleting an unrelated file (other ids).
 */
static void write_rich(struct store *st, const char *root, bool reverse)
{
    struct arena a = ARENA_INIT;
    const char *widget_h = cat(&a, root, "/include/widget.h", "");
    const char *button_h = cat(&a, root, "/include/button.h", "");
    const char *widget_cpp = cat(&a, root, "/src/widget.cpp", "");
    const char *main_cpp = cat(&a, root, "/src/main.cpp", "");
    const char *bad_cpp = cat(&a, root, "/src/bad.cpp", "");
    const char *helper = cat(&a, "c:", root, "/src/widget.cpp@F@helper#");
    const char *unnamed_usr = cat(&a, "c:", root, "/src/widget.cpp@Sa@30");
    const char *unnamed = cat(&a, "(unnamed struct at ", root, "/src/widget.cpp:30:1)");
    const char *msg = cat(&a, root, "/src/bad.cpp:3:1: error: unknown type name 'Foo'", "");
    struct store_symbol wh[] = {
        {.usr = "c:@N@ui",
         .name = "ui",
         .kind = STORE_KIND_NAMESPACE,
         .is_definition = true,
         .range = {1, 11, 20, 1}},
        {.usr = USR_WIDGET,
         .name = "Widget",
         .scope = "ui",
         .scope_ns = "ui",
         .scope_kind = STORE_KIND_NAMESPACE,
         .kind = STORE_KIND_CLASS,
         .is_definition = true,
         .range = {4, 7, 12, 2},
         .extent_start = {3, 1, 0, 0},
         .brief = "A widget.",
         .doc = "A widget.\nIt's drawn by\\with 'draw'."},
        {.usr = USR_DRAW,
         .name = "draw",
         .scope = "ui::Widget",
         .scope_ns = "ui",
         .scope_kind = STORE_KIND_CLASS,
         .kind = STORE_KIND_METHOD,
         .signature = "virtual void ui::Widget::draw(int x) const",
         .access = STORE_ACCESS_PUBLIC,
         .attrs = STORE_ATTR_VIRTUAL | STORE_ATTR_CONST,
         .range = {6, 18, 6, 42},
         .brief = "Draws it."},
        {.usr = USR_CLAMP,
         .name = "clamp",
         .scope = "ui",
         .scope_ns = "ui",
         .scope_kind = STORE_KIND_NAMESPACE,
         .kind = STORE_KIND_FUNCTION,
         .signature = "T ui::clamp(T v)",
         .template_kind = STORE_TEMPLATE_PRIMARY,
         .template_params = "<typename T>",
         .attrs = STORE_ATTR_INLINE,
         .is_definition = true,
         .range = {15, 3, 15, 30}},
        {.usr = USR_SIZE,
         .name = "Size",
         .scope = "ui",
         .scope_ns = "ui",
         .scope_kind = STORE_KIND_NAMESPACE,
         .kind = STORE_KIND_TYPEDEF,
         .target = "unsigned long",
         .is_definition = true,
         .range = {17, 23, 17, 27}},
    };
    struct store_symbol bh[] = {
        {.usr = USR_BUTTON,
         .name = "Button",
         .scope = "ui",
         .scope_ns = "ui",
         .scope_kind = STORE_KIND_NAMESPACE,
         .kind = STORE_KIND_CLASS,
         .is_definition = true,
         .range = {5, 7, 9, 2}},
        {.usr = USR_BDRAW,
         .name = "draw",
         .scope = "ui::Button",
         .scope_ns = "ui",
         .scope_kind = STORE_KIND_CLASS,
         .kind = STORE_KIND_METHOD,
         .signature = "void ui::Button::draw(int x) const override",
         .access = STORE_ACCESS_PUBLIC,
         .attrs = STORE_ATTR_VIRTUAL | STORE_ATTR_CONST | STORE_ATTR_OVERRIDE,
         .range = {7, 10, 7, 40}},
    };
    struct store_base bbase = {.derived_usr = USR_BUTTON,
                               .base_usr = USR_WIDGET,
                               .base_name = "Widget",
                               .access = STORE_ACCESS_PUBLIC,
                               .is_virtual = true,
                               .line = 5,
                               .col = 23};
    struct store_override bov = {
        .usr = USR_BDRAW, .overridden_usr = USR_DRAW, .overridden_name = "draw"};
    struct store_ref bref = {.usr = USR_WIDGET,
                             .context_usr = USR_BUTTON,
                             .line = 5,
                             .col = 30,
                             .roles = STORE_ROLE_TYPE};
    struct store_include binc = {widget_h, 1};
    struct store_symbol wc[] = {
        {.usr = USR_DRAW,
         .name = "draw",
         .scope = "ui::Widget",
         .scope_ns = "ui",
         .scope_kind = STORE_KIND_CLASS,
         .kind = STORE_KIND_METHOD,
         .signature = "virtual void ui::Widget::draw(int x) const",
         .access = STORE_ACCESS_PUBLIC,
         .attrs = STORE_ATTR_VIRTUAL | STORE_ATTR_CONST,
         .is_definition = true,
         .range = {10, 18, 14, 1},
         .extent_start = {10, 1, 0, 0}},
        {.usr = helper,
         .name = "helper",
         .kind = STORE_KIND_FUNCTION,
         .signature = "static void helper()",
         .attrs = STORE_ATTR_STATIC,
         .is_definition = true,
         .range = {20, 13, 25, 1}},
        {.usr = unnamed_usr,
         .name = unnamed,
         .kind = STORE_KIND_STRUCT,
         .is_definition = true,
         .range = {30, 1, 32, 2}},
    };
    struct store_ref wrefs[] = {
        {.usr = "c:@F@printf",
         .target_name = "printf",
         .target_kind = STORE_KIND_FUNCTION,
         .context_usr = helper,
         .line = 22,
         .col = 5,
         .roles = STORE_ROLE_CALL},
        {.usr = USR_DRAW,
         .context_usr = helper,
         .line = 23,
         .col = 7,
         .roles = STORE_ROLE_CALL | STORE_ROLE_MEMBER | STORE_ROLE_VIRTUAL},
        {.usr = USR_WIDGET, .context_usr = helper, .line = 21, .col = 3, .roles = STORE_ROLE_TYPE},
        {.usr = USR_SIZE, .line = 31, .col = 5, .roles = STORE_ROLE_TYPE},
        {.usr = USR_SIZE, .line = 24, .col = 9, .roles = STORE_ROLE_READ | (1u << 12)},
    };
    struct store_include wincs[] = {{button_h, 1}, {widget_h, 2}, {"/usr/include/stdio.h", 3}};
    struct store_symbol mc = {.usr = USR_MAIN,
                              .name = "main",
                              .kind = STORE_KIND_FUNCTION,
                              .signature = "int main()",
                              .is_definition = true,
                              .range = {5, 5, 12, 1}};
    struct store_ref mrefs[] = {
        {.usr = "c:@N@ui@S@Button@F@Button#",
         .target_name = "Button",
         .target_kind = STORE_KIND_CONSTRUCTOR,
         .context_usr = USR_MAIN,
         .line = 7,
         .col = 14,
         .roles = STORE_ROLE_CALL | STORE_ROLE_CONSTRUCT},
        {.usr = USR_CLAMP,
         .target_name = "clamp",
         .target_kind = STORE_KIND_FUNCTION,
         .context_usr = USR_MAIN,
         .line = 8,
         .col = 3,
         .roles = STORE_ROLE_CALL},
        {.usr = USR_BUTTON, .context_usr = USR_MAIN, .line = 7, .col = 7, .roles = STORE_ROLE_TYPE},
        {.usr = USR_DRAW,
         .context_usr = USR_MAIN,
         .line = 9,
         .col = 5,
         .roles = STORE_ROLE_CALL | STORE_ROLE_MEMBER | STORE_ROLE_VIRTUAL},
    };
    struct store_include minc = {button_h, 1};
    const struct store_file_batch files[] = {
        {.path = widget_h,
         .hash = "hw",
         .args_hash = cat(&a, "-I", root, "/include"),
         .is_project = true,
         .is_header = true,
         .symbols = wh,
         .nsymbols = ARRAY_SIZE(wh)},
        {.path = button_h,
         .hash = "hb",
         .is_project = true,
         .is_header = true,
         .symbols = bh,
         .nsymbols = ARRAY_SIZE(bh),
         .refs = &bref,
         .nrefs = 1,
         .bases = &bbase,
         .nbases = 1,
         .overrides = &bov,
         .noverrides = 1,
         .includes = &binc,
         .nincludes = 1},
        {.path = widget_cpp,
         .hash = "hwc",
         .is_project = true,
         .symbols = wc,
         .nsymbols = ARRAY_SIZE(wc),
         .refs = wrefs,
         .nrefs = ARRAY_SIZE(wrefs),
         .includes = wincs,
         .nincludes = ARRAY_SIZE(wincs)},
        {.path = main_cpp,
         .hash = "hm",
         .is_project = true,
         .symbols = &mc,
         .nsymbols = 1,
         .refs = mrefs,
         .nrefs = ARRAY_SIZE(mrefs),
         .includes = &minc,
         .nincludes = 1},
    };
    const struct store_parse_error errs[] = {
        {.path = bad_cpp,
         .error_type = "diagnostic",
         .message = msg,
         .stack_trace = "#0 0xdeadbeef",
         .file_hash = "hbad",
         .retry_count = 1},
        {.path = bad_cpp, .error_type = "timeout", .message = "took over 30 s", .retry_count = 2},
    };
    struct err e = {0};
    size_t nf = ARRAY_SIZE(files);

    if (reverse) {
        TU_OK(store_bulk_begin(st, &e), &e);
        TU_OK(tu_write_file(st, cat(&a, root, "/src/gone.cpp", ""), "gone", 40, &e), &e);
        TU_OK(store_file_delete(st, cat(&a, root, "/src/gone.cpp", ""), &e), &e);
    }
    for (size_t i = 0; i < nf; i++)
        TU_OK(store_file_replace(st, &files[reverse ? nf - 1 - i : i], &e), &e);
    for (size_t i = 0; i < ARRAY_SIZE(errs); i++)
        TU_OK(store_parse_error_add(st, &errs[reverse ? ARRAY_SIZE(errs) - 1 - i : i], &e), &e);
    for (int i = 0; i < 2; i++) {
        if ((i == 0) != reverse)
            TU_OK(store_header_claim(st, widget_h, widget_cpp, "hw", "a1", &e), &e);
        else
            TU_OK(store_header_claim(st, button_h, main_cpp, "hb", NULL, &e), &e);
    }
    if (reverse)
        TU_OK(store_bulk_end(st, &e), &e);
    arena_release(&a);
}

#define ROOT_A "/work/alpha/proj"
#define ROOT_B "/srv/b/other-checkout"

static bool has_line(const char *dump, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = dump; (p = strstr(p, line)) != NULL; p++)
        if ((p == dump || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
            return true;
    return false;
}

#define ASSERT_LINE(dump, line)                                                                    \
    do {                                                                                           \
        if (!has_line((dump), (line)))                                                             \
            fail_msg("no line '%s' in the dump:\n%s", (line), (dump));                             \
    } while (0)

static void test_dump(void **state)
{
    static const char *const types[] = {"file ",     "symbol ",  "decl ",   "ref ",  "base ",
                                        "override ", "include ", "header ", "error "};
    char *da = tu_tmpdir("dumpa"), *db = tu_tmpdir("dumpb");
    struct store *sa = tu_open(da, 0), *sb = tu_open(db, 0);
    char *a, *b, *raw, *slash;
    const char *last = NULL;
    (void)state;

    write_rich(sa, ROOT_A, false);
    write_rich(sb, ROOT_B, true);
    tu_assert_healthy(sa);
    tu_assert_healthy(sb);
    a = dump_str(sa, ROOT_A);
    b = dump_str(sb, ROOT_B);
    if (getenv("CIDX_TEST_PRINT_DUMP"))
        fputs(a, stderr);

    /* same content, other order, other ids, other root, bulk or not: the same bytes */
    assert_string_equal(a, b);

    /* every section is there, in the fixed order, one block each */
    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        char *nl = xasprintf("\n%s", types[i]);
        const char *first = strstr(a, nl);
        if (!first)
            fail_msg("no '%s' line in the dump:\n%s", types[i], a);
        if (last && first < last)
            fail_msg("'%s' lines come before the previous section", types[i]);
        last = first;
        free(nl);
    }
    assert_true(str_starts_with(a, "file "));

    /* the root is gone everywhere: paths, USRs, names, messages; the rest stays */
    assert_null(strstr(a, ROOT_A));
    assert_null(strstr(a, "alpha"));
    assert_non_null(strstr(a, "/usr/include/stdio.h"));

    /* the format, line by line */
    ASSERT_LINE(a, "file <root>/include/widget.h header project symbols=5 hash=hw");
    ASSERT_LINE(a, "file <root>/src/widget.cpp source project symbols=3 hash=hwc");
    ASSERT_LINE(a, "file <root>/src/bad.cpp unindexed");
    ASSERT_LINE(a, "file /usr/include/stdio.h unindexed");
    ASSERT_LINE(a, "symbol ui::Widget::draw method usr=" USR_DRAW
                   " at=<root>/src/widget.cpp:10:18 def project ns=ui access=public"
                   " attrs=virtual,const sig='virtual void ui::Widget::draw(int x) const'"
                   " brief='Draws it.'");
    ASSERT_LINE(a, "symbol ui::Widget class usr=" USR_WIDGET
                   " at=<root>/include/widget.h:4:7 def project ns=ui brief='A widget.'"
                   " doc='A widget.\\nIt\\'s drawn by\\\\with \\'draw\\'.'");
    ASSERT_LINE(a, "symbol ui::clamp function usr=" USR_CLAMP
                   " at=<root>/include/widget.h:15:3 def project ns=ui attrs=inline"
                   " sig='T ui::clamp(T v)' template=primary tparams='<typename T>'");
    ASSERT_LINE(a, "symbol ui::Size typedef usr=" USR_SIZE
                   " at=<root>/include/widget.h:17:23 def project ns=ui target='unsigned long'");
    ASSERT_LINE(a, "symbol helper function usr=c:<root>/src/widget.cpp@F@helper#"
                   " at=<root>/src/widget.cpp:20:13 def project attrs=static"
                   " sig='static void helper()'");
    ASSERT_LINE(a, "symbol '(unnamed struct at <root>/src/widget.cpp:30:1)' struct"
                   " usr=c:<root>/src/widget.cpp@Sa@30 at=<root>/src/widget.cpp:30:1 def project");
    /* placeholders: known only from references */
    ASSERT_LINE(a, "symbol printf function usr=c:@F@printf placeholder dependency");
    ASSERT_LINE(a, "symbol Button constructor usr=c:@N@ui@S@Button@F@Button# placeholder"
                   " dependency");
    ASSERT_LINE(a, "decl <root>/include/widget.h:6:18-6:42 decl ui::Widget::draw usr=" USR_DRAW
                   " from=6:18");
    ASSERT_LINE(a, "decl <root>/src/widget.cpp:10:18-14:1 def ui::Widget::draw usr=" USR_DRAW
                   " from=10:1");
    ASSERT_LINE(a, "ref <root>/src/widget.cpp:23:7 ui::Widget::draw usr=" USR_DRAW
                   " roles=call,virtual,member context=helper"
                   " context_usr=c:<root>/src/widget.cpp@F@helper#");
    ASSERT_LINE(a, "ref <root>/src/widget.cpp:31:5 ui::Size usr=" USR_SIZE " roles=type");
    ASSERT_LINE(a, "ref <root>/src/widget.cpp:24:9 ui::Size usr=" USR_SIZE " roles=read,0x1000");
    ASSERT_LINE(a, "ref <root>/src/main.cpp:7:14 Button usr=c:@N@ui@S@Button@F@Button#"
                   " roles=call,construct context=main context_usr=" USR_MAIN);
    ASSERT_LINE(a, "base ui::Button -> ui::Widget public virtual at=<root>/include/button.h:5:23"
                   " usr=" USR_BUTTON " base_usr=" USR_WIDGET);
    ASSERT_LINE(a, "override ui::Button::draw -> ui::Widget::draw file=<root>/include/button.h"
                   " usr=" USR_BDRAW " overridden_usr=" USR_DRAW);
    ASSERT_LINE(a, "include <root>/src/widget.cpp:3 -> /usr/include/stdio.h");
    ASSERT_LINE(a, "include <root>/include/button.h:1 -> <root>/include/widget.h");
    ASSERT_LINE(a, "header <root>/include/widget.h hash=hw");
    ASSERT_LINE(a, "error <root>/src/bad.cpp diagnostic retries=1"
                   " message='<root>/src/bad.cpp:3:1: error: unknown type name \\'Foo\\''");
    ASSERT_LINE(a, "error <root>/src/bad.cpp timeout retries=2 message='took over 30 s'");
    /* no ids, times, sizes, args hashes, stack traces or claimants */
    assert_null(strstr(a, "deadbeef"));
    assert_null(strstr(a, "-I"));
    assert_null(strstr(a, "a1"));
    assert_null(strstr(a, "gone"));

    /* without a root nothing is replaced; a trailing slash changes nothing */
    raw = dump_str(sa, NULL);
    assert_null(strstr(raw, "<root>"));
    assert_non_null(strstr(raw, "file " ROOT_A "/include/widget.h header"));
    assert_non_null(strstr(raw, "usr=c:" ROOT_A "/src/widget.cpp@F@helper#"));
    slash = dump_str(sa, ROOT_A "//");
    assert_string_equal(a, slash);
    free(slash);
    slash = dump_str(sa, "/"); /* "/" is no root, not every slash */
    assert_string_equal(raw, slash);
    free(slash);
    free(raw);

    /* the dump is a reader: a read-only handle gives the same */
    store_close(sa);
    sa = tu_open(da, STORE_OPEN_READONLY);
    raw = dump_str(sa, ROOT_A);
    assert_string_equal(a, raw);
    free(raw);

    /* an empty cache dumps nothing */
    {
        char *de = tu_tmpdir("dumpe");
        struct store *se = tu_open(de, 0);
        raw = dump_str(se, ROOT_A);
        assert_string_equal(raw, "");
        free(raw);
        store_close(se);
        tu_rmtree(de);
        free(de);
    }

    free(a);
    free(b);
    store_close(sa);
    store_close(sb);
    tu_rmtree(da);
    tu_rmtree(db);
    free(da);
    free(db);
}

/* Deleting a file brings the dump back to what it was before the file came. */
static void test_dump_follows_writes(void **state)
{
    char *dir = tu_tmpdir("dumpw");
    struct store *st = tu_open(dir, 0);
    struct err e = {0};
    char *before, *after;
    (void)state;

    write_rich(st, ROOT_A, false);
    before = dump_str(st, ROOT_A);
    TU_OK(tu_write_file(st, ROOT_A "/src/extra.cpp", "extra", 5, &e), &e);
    after = dump_str(st, ROOT_A);
    assert_string_not_equal(before, after);
    assert_non_null(strstr(after, "\nsymbol extra_1 "));
    free(after);
    TU_OK(store_file_delete(st, ROOT_A "/src/extra.cpp", &e), &e);
    after = dump_str(st, ROOT_A);
    assert_string_equal(before, after);
    tu_assert_healthy(st);
    free(before);
    free(after);
    store_close(st);
    tu_rmtree(dir);
    free(dir);
}

/* A write error on the output is reported, not ignored. */
static void test_dump_write_error(void **state)
{
    char *dir = tu_tmpdir("dumpio");
    struct store *st = tu_open(dir, 0);
    struct err e = {0};
    struct stat sb;
    FILE *f;
    (void)state;

    if (stat("/dev/full", &sb) != 0 || !S_ISCHR(sb.st_mode) || !(f = fopen("/dev/full", "w")))
        skip();
    write_rich(st, ROOT_A, false);
    assert_int_equal(store_dump(st, f, ROOT_A, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "cannot write the dump"));
    fclose(f);
    store_close(st);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk),
        cmocka_unit_test(test_touch),
        cmocka_unit_test(test_includers),
        cmocka_unit_test(test_orphan_headers),
        cmocka_unit_test(test_dump),
        cmocka_unit_test(test_dump_follows_writes),
        cmocka_unit_test(test_dump_write_error),
    };
    log_set_level(LOG_ERROR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
