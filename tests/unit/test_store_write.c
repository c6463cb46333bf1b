/*
 * test_store_write.c - writes: file ownership (a header declaration survives removal of the .cpp
 * that defines the symbol), replace and delete remove exactly a file's contributions,
 * placeholders live while something points at them, bulk mode gives the same cache as per-file
 * writes, bad batches are refused whole, and the metadata, parse-error and header records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store_int.h"
#include "testutil.h"
#include "tu_symgen.h"

static int64_t count_sql(const char *dir, const char *sql)
{
    char *path = path_join(dir, "symbols.db");
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    int64_t v = -1;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        fail_msg("bad test SQL %s: %s", sql, sqlite3_errmsg(db));
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    free(path);
    return v;
}

static uint64_t search_total(struct store *st, const char *pat, bool all)
{
    struct store_search_query q = {0};
    struct store_search_result r;
    struct err e = {0};
    uint64_t t;
    q.pattern = pat;
    q.all_scopes = all;
    TU_OK(store_search(st, &q, &r, &e), &e);
    t = r.total;
    store_search_result_release(&r);
    return t;
}

/* The definition file a brief search reports for the one symbol named name (NULL: none). */
static char *brief_definition(struct store *st, const char *name)
{
    struct store_search_query q = {0};
    struct store_search_result r;
    struct err e = {0};
    char *res;
    q.pattern = name;
    q.match = STORE_MATCH_EXACT;
    TU_OK(store_search(st, &q, &r, &e), &e);
    assert_int_equal(r.n, 1);
    res = r.rows[0].definition.file ? xstrdup(r.rows[0].definition.file) : NULL;
    store_search_result_release(&r);
    return res;
}

/* Looks up one symbol; returns its row (caller releases) or fails. */
static void lookup(struct store *st, const char *usr, struct store_search_result *r)
{
    struct err e = {0};
    TU_OK(store_symbol_by_usr(st, usr, r, &e), &e);
}

#define USR_W "c:@N@ui@S@Widget"
#define USR_DRAW "c:@N@ui@S@Widget@F@draw#I#"

static void write_header(struct store *st)
{
    struct store_symbol syms[2] = {
        {.usr = USR_W,
         .name = "Widget",
         .scope = "ui",
         .scope_ns = "ui",
         .scope_kind = STORE_KIND_NAMESPACE,
         .kind = STORE_KIND_CLASS,
         .is_definition = true,
         .range = {3, 7, 9, 1},
         .brief = "A widget."},
        {.usr = USR_DRAW,
         .name = "draw",
         .scope = "ui::Widget",
         .scope_ns = "ui",
         .scope_kind = STORE_KIND_CLASS,
         .kind = STORE_KIND_METHOD,
         .signature = "void ui::Widget::draw(int x) const",
         .is_definition = false,
         .range = {5, 10, 5, 30},
         .brief = "Draws it.",
         .attrs = STORE_ATTR_VIRTUAL},
    };
    struct store_file_batch b = {.path = "/proj/include/widget.h",
                                 .hash = "h1",
                                 .is_project = true,
                                 .is_header = true,
                                 .symbols = syms,
                                 .nsymbols = 2};
    struct err e = {0};
    TU_OK(store_file_replace(st, &b, &e), &e);
}

static void write_source(struct store *st, int variant)
{
    struct store_symbol syms[2] = {
        {.usr = USR_DRAW,
         .name = "draw",
         .scope = "ui::Widget",
         .scope_ns = "ui",
         .scope_kind = STORE_KIND_CLASS,
         .kind = STORE_KIND_METHOD,
         .signature = "void ui::Widget::draw(int x) const",
         .is_definition = true,
         .range = {10, 18, 14, 1}},
        {.usr = "c:@F@main#",
         .name = "main",
         .kind = STORE_KIND_FUNCTION,
         .is_definition = true,
         .range = {20, 5, 30, 1}},
    };
    struct store_ref refs[3] = {
        {.usr = USR_DRAW,
         .context_usr = "c:@F@main#",
         .line = 22,
         .col = 7,
         .roles = STORE_ROLE_CALL | STORE_ROLE_MEMBER},
        {.usr = "c:@F@printf",
         .target_name = "printf",
         .target_kind = STORE_KIND_FUNCTION,
         .context_usr = "c:@F@main#",
         .line = 23,
         .col = 3,
         .roles = STORE_ROLE_CALL},
        {.usr = USR_W, .context_usr = "c:@F@main#", .line = 21, .col = 3, .roles = STORE_ROLE_TYPE},
    };
    struct store_include inc = {.path = "/proj/include/widget.h", .line = 1};
    struct store_file_batch b = {.path = "/proj/src/widget.cpp",
                                 .hash = "s1",
                                 .is_project = true,
                                 .symbols = syms,
                                 .nsymbols = variant ? 1 : 2,
                                 .refs = refs,
                                 .nrefs = variant ? 0 : 3,
                                 .includes = &inc,
                                 .nincludes = 1};
    struct err e = {0};
    TU_OK(store_file_replace(st, &b, &e), &e);
}

static void test_ownership(void **state)
{
    char *dir = tu_tmpdir("own");
    struct store *st = tu_open(dir, 0);
    struct store_search_result r;
    struct err e = {0};
    (void)state;

    write_header(st);
    write_source(st, 0);
    tu_assert_healthy(st);
    /* the definition wins the location; the declaration is kept */
    lookup(st, USR_DRAW, &r);
    assert_string_equal(r.rows[0].location.file, "/proj/src/widget.cpp");
    assert_int_equal(r.rows[0].location.line, 10);
    assert_string_equal(r.rows[0].definition.file, "/proj/src/widget.cpp");
    assert_string_equal(r.rows[0].declaration.file, "/proj/include/widget.h");
    assert_string_equal(r.rows[0].brief, "Draws it.");
    store_search_result_release(&r);
    assert_int_equal(count_sql(dir, "SELECT count(*) FROM refs WHERE roles & 16"), 2);
    {
        char *def = brief_definition(st, "draw");
        assert_non_null(def);
        assert_string_equal(def, "/proj/src/widget.cpp");
        free(def);
    }

    /* the .cpp goes away: the header declaration survives, located in the header */
    TU_OK(store_file_delete(st, "/proj/src/widget.cpp", &e), &e);
    tu_assert_healthy(st);
    lookup(st, USR_DRAW, &r);
    assert_string_equal(r.rows[0].location.file, "/proj/include/widget.h");
    assert_int_equal(r.rows[0].location.line, 5);
    assert_null(r.rows[0].definition.file);
    assert_string_equal(r.rows[0].signature, "void ui::Widget::draw(int x) const");
    store_search_result_release(&r);
    assert_null(brief_definition(st, "draw"));
    assert_int_equal(search_total(st, "main", true), 0);
    /* nothing of the .cpp is left: no refs, no placeholder for printf, no main */
    assert_int_equal(count_sql(dir, "SELECT count(*) FROM refs"), 0);
    assert_int_equal(count_sql(dir, "SELECT count(*) FROM symbols WHERE name = 'printf'"), 0);
    assert_int_equal(count_sql(dir, "SELECT count(*) FROM symbols"), 2);
    /* the header is still a file of the cache, the .cpp is not */
    {
        struct store_file_info fi;
        TU_OK(store_file_get(st, "/proj/include/widget.h", &fi, &e), &e);
        assert_int_equal(fi.symbol_count, 2);
        store_file_info_release(&fi);
        assert_int_equal(store_file_get(st, "/proj/src/widget.cpp", &fi, &e), ERR_NOTFOUND);
    }

    /* back again, then the header goes: draw stays (defined in the .cpp), Widget stays as a
     * placeholder (main still uses the type) but is hidden from search */
    write_source(st, 0);
    TU_OK(store_file_delete(st, "/proj/include/widget.h", &e), &e);
    tu_assert_healthy(st);
    lookup(st, USR_DRAW, &r);
    assert_string_equal(r.rows[0].location.file, "/proj/src/widget.cpp");
    store_search_result_release(&r);
    assert_int_equal(search_total(st, "Widget", true), 0);
    assert_int_equal(count_sql(dir, "SELECT count(*) FROM symbols WHERE usr = '" USR_W "'"), 1);
    /* the header's file row stays while the .cpp includes it, as never indexed */
    assert_int_equal(
        count_sql(dir, "SELECT count(*) FROM files WHERE path = '/proj/include/widget.h'"), 1);
    assert_int_equal(count_sql(dir, "SELECT count(*) FROM files WHERE indexed_at > 0"), 1);

    /* replacing the .cpp with a version without the call and the type use drops them, and
     * the Widget placeholder with them */
    write_source(st, 1);
    tu_assert_healthy(st);
    assert_int_equal(count_sql(dir, "SELECT count(*) FROM refs"), 0);
    assert_int_equal(count_sql(dir, "SELECT count(*) FROM symbols WHERE usr = '" USR_W "'"), 0);
    assert_int_equal(search_total(st, "main", true), 0);
    assert_int_equal(search_total(st, "draw", true), 1);

    /* deleting a file that is not there is fine; a relative path is refused */
    TU_OK(store_file_delete(st, "/proj/nope.cpp", &e), &e);
    store_close(st);
    tu_assert_dir_healthy(dir);
    tu_rmtree(dir);
    free(dir);
}

static void test_bad_batch_is_refused_whole(void **state)
{
    char *dir = tu_tmpdir("bad");
    struct store *st = tu_open(dir, 0);
    struct store_symbol syms[2] = {
        {.usr = "c:@F@a#", .name = "a", .kind = STORE_KIND_FUNCTION, .range = {1, 1, 1, 1}},
        {.usr = "", .name = "b", .kind = STORE_KIND_FUNCTION, .range = {2, 1, 2, 1}},
    };
    struct store_file_batch b = {.path = "/proj/a.cpp", .symbols = syms, .nsymbols = 2};
    struct err e = {0};
    (void)state;

    write_header(st);
    assert_int_equal(store_file_replace(st, &b, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "usr"));
    b.path = "relative/a.cpp";
    syms[1].usr = "c:@F@b#";
    assert_int_equal(store_file_replace(st, &b, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "absolute"));
    {
        struct store_search_result r;
        assert_int_equal(store_symbol_by_usr(st, "c:@F@a#", &r, &e), ERR_NOTFOUND);
    }
    assert_int_equal(search_total(st, "Widget", true), 1);
    tu_assert_healthy(st);
    store_close(st);
    tu_rmtree(dir);
    free(dir);
}

/* A stable dump of everything a cache holds (timestamps excluded). */
static char *dump(const char *dir)
{
    static const char *const queries[] = {
        "SELECT path, hash, args_hash, mtime_ns, size, symbol_count, is_project, is_header"
        " FROM files ORDER BY path",
        "SELECT qname, name, ns, kind FROM scopes ORDER BY qname",
        "SELECT s.usr, s.name, sc.qname, s.kind, s.is_project, f.path, s.line, s.col,"
        " s.signature, s.access, s.attrs, s.template_kind, s.template_params, s.target, s.brief,"
        " s.doc FROM symbols s JOIN scopes sc ON sc.id = s.scope_id LEFT JOIN files f ON"
        " f.id = s.file_id ORDER BY s.usr",
        "SELECT f.path, s.usr, d.line, d.col, d.is_def, d.end_line, d.end_col, d.ext_line,"
        " d.ext_col FROM decls d JOIN files f ON f.id = d.file_id JOIN symbols s ON s.id ="
        " d.symbol_id ORDER BY 1, 2, 3, 4",
        "SELECT f.path, r.line, r.col, s.usr, r.roles, c.usr FROM refs r JOIN files f ON f.id ="
        " r.file_id JOIN symbols s ON s.id = r.symbol_id LEFT JOIN symbols c ON c.id ="
        " r.context_id ORDER BY 1, 2, 3, 4",
        "SELECT f.path, d.usr, b.usr, e.access, e.is_virtual FROM bases e JOIN files f ON f.id ="
        " e.file_id JOIN symbols d ON d.id = e.derived_id JOIN symbols b ON b.id = e.base_id"
        " ORDER BY 1, 2, 3",
        "SELECT f.path, i.line, g.path FROM includes i JOIN files f ON f.id = i.file_id JOIN"
        " files g ON g.id = i.included_id ORDER BY 1, 2, 3",
    };
    char *path = path_join(dir, "symbols.db");
    struct strbuf sb = STRBUF_INIT;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    for (size_t q = 0; q < ARRAY_SIZE(queries); q++) {
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(db, queries[q], -1, &s, NULL) != SQLITE_OK)
            fail_msg("dump query: %s", sqlite3_errmsg(db));
        while (sqlite3_step(s) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(s); c++) {
                const char *v = (const char *)sqlite3_column_text(s, c);
                strbuf_addf(&sb, "%s|", v ? v : "NULL");
            }
            strbuf_addch(&sb, '\n');
        }
        sqlite3_finalize(s);
        strbuf_adds(&sb, "--\n");
    }
    sqlite3_close(db);
    free(path);
    return strbuf_detach(&sb, NULL);
}

/* Writes a small synthetic project of nfiles files, in order, through write(). */
static void write_project(struct store *st, int nfiles, int rewrite_every)
{
    for (int f = 0; f < nfiles; f++) {
        struct store_symbol syms[6];
        struct store_ref refs[6];
        struct store_base base;
        struct store_include inc;
        char path[64], inc_path[64], usr[6][64], name[6][32], ctx[64];
        struct store_file_batch b = {0};
        struct err e = {0};
        memset(syms, 0, sizeof(syms));
        memset(refs, 0, sizeof(refs));
        snprintf(path, sizeof(path), "/proj/src/f%d.cpp", f);
        snprintf(inc_path, sizeof(inc_path), "/proj/include/f%d.h", f % 3);
        for (int i = 0; i < 6; i++) {
            snprintf(usr[i], sizeof(usr[i]), "c:@F@fn%d_%d#", (f * 6 + i) % 40, i);
            snprintf(name[i], sizeof(name[i]), "%s%dValue", i % 2 ? "get" : "set", f + i);
            syms[i].usr = usr[i];
            syms[i].name = name[i];
            syms[i].scope = i % 3 ? "app::core" : "";
            syms[i].kind = i == 0 ? STORE_KIND_CLASS : STORE_KIND_FUNCTION;
            syms[i].is_definition = (f + i) % 2;
            syms[i].range = (struct store_range){(uint32_t)(10 + i), 5, (uint32_t)(12 + i), 1};
            syms[i].brief = i == 2 ? "documented" : NULL;
            refs[i].usr = usr[(i + 1) % 6];
            refs[i].context_usr = usr[i];
            refs[i].line = (uint32_t)(11 + i);
            refs[i].col = 7;
            refs[i].roles = STORE_ROLE_CALL;
        }
        snprintf(ctx, sizeof(ctx), "c:@S@Base%d", f % 4);
        base = (struct store_base){.derived_usr = usr[0],
                                   .base_usr = ctx,
                                   .base_name = "Base",
                                   .access = STORE_ACCESS_PUBLIC,
                                   .line = 10,
                                   .col = 1};
        inc = (struct store_include){.path = inc_path, .line = 1};
        b.path = path;
        b.hash = "hash";
        b.is_project = f % 5 != 0;
        b.symbols = syms;
        b.nsymbols = 6;
        b.refs = refs;
        b.nrefs = 6;
        b.bases = &base;
        b.nbases = 1;
        b.includes = &inc;
        b.nincludes = 1;
        TU_OK(store_file_replace(st, &b, &e), &e);
        if (rewrite_every && f % rewrite_every == 0)
            TU_OK(store_file_replace(st, &b, &e), &e);
    }
}

/* A macro can expand to a declaration and a definition of one symbol at the same position
 * (googletest's TEST declares and defines TestBody at the macro's use): the two records are one
 * declaration row, the definition, and the symbol's location is that row, in per-file and in
 * bulk writes. */
static void test_decl_and_def_at_one_position(void **state)
{
    for (int bulk = 0; bulk < 2; bulk++) {
        char *dir = tu_tmpdir("samepos");
        struct store *st = tu_open(dir, 0);
        struct err e = {0};
        struct store_symbol syms[2];
        struct store_file_batch b;
        (void)state;
        memset(syms, 0, sizeof(syms));
        memset(&b, 0, sizeof(b));
        for (int i = 0; i < 2; i++) {
            syms[i].usr = "c:@S@T_Test@F@TestBody#";
            syms[i].name = "TestBody";
            syms[i].scope = "T_Test";
            syms[i].scope_kind = STORE_KIND_CLASS;
            syms[i].kind = STORE_KIND_METHOD;
            syms[i].range.line = 7;
            syms[i].range.col = 1;
            syms[i].range.end_line = 7;
            syms[i].range.end_col = i ? 40 : 20;
        }
        syms[1].is_definition = true; /* the declaration first, then the definition */
        b.path = "/proj/t.cc";
        b.symbols = syms;
        b.nsymbols = 2;
        if (bulk)
            TU_OK(store_bulk_begin(st, &e), &e);
        TU_OK(store_file_replace(st, &b, &e), &e);
        if (bulk)
            TU_OK(store_bulk_end(st, &e), &e);
        tu_assert_healthy(st);
        assert_int_equal(count_sql(dir, "SELECT count(*) FROM decls"), 1);
        assert_int_equal(count_sql(dir, "SELECT count(*) FROM decls WHERE is_def = 1 AND "
                                        "end_col = 40"),
                         1);
        /* and the other order */
        syms[0].is_definition = true;
        syms[1].is_definition = false;
        TU_OK(store_file_replace(st, &b, &e), &e);
        tu_assert_healthy(st);
        assert_int_equal(count_sql(dir, "SELECT count(*) FROM decls WHERE is_def = 1"), 1);
        store_close(st);
        tu_rmtree(dir);
        free(dir);
    }
}

/* Bulk loads settle a placeholder (a symbol first met as the target of a reference) when a later
 * file declares it with a shortcut of their own: the result must equal per-file writes, also for
 * a symbol declared twice (a declaration, then a definition in a third file) and one that stays a
 * placeholder; and usr lookups work after the load (the usr index is rebuilt at its end). */
static void write_late_declared(struct store *st)
{
    struct err e = {0};
    struct store_ref refs[] = {
        {.usr = "c:@F@later#",
         .target_name = "later",
         .target_kind = STORE_KIND_FUNCTION,
         .context_usr = "c:@F@first#",
         .line = 2,
         .col = 5,
         .roles = STORE_ROLE_CALL},
        {.usr = "c:@F@never#",
         .target_name = "never",
         .target_kind = STORE_KIND_FUNCTION,
         .context_usr = "c:@F@first#",
         .line = 3,
         .col = 5,
         .roles = STORE_ROLE_CALL},
    };
    struct store_symbol first = {.usr = "c:@F@first#",
                                 .name = "first",
                                 .kind = STORE_KIND_FUNCTION,
                                 .is_definition = true,
                                 .signature = "void first()",
                                 .range = {1, 6, 4, 1}};
    struct store_symbol decl = {.usr = "c:@F@later#",
                                .name = "later",
                                .kind = STORE_KIND_FUNCTION,
                                .signature = "int later()",
                                .brief = "Declared here.",
                                .range = {1, 5, 1, 12}};
    struct store_symbol def = {.usr = "c:@F@later#",
                               .name = "later",
                               .kind = STORE_KIND_FUNCTION,
                               .is_definition = true,
                               .signature = "int later()",
                               .range = {3, 5, 5, 1}};
    struct store_file_batch a = {.path = "/late/a.cpp",
                                 .is_project = true,
                                 .symbols = &first,
                                 .nsymbols = 1,
                                 .refs = refs,
                                 .nrefs = 2};
    struct store_file_batch h = {.path = "/late/b.h",
                                 .is_project = true,
                                 .is_header = true,
                                 .symbols = &decl,
                                 .nsymbols = 1};
    struct store_file_batch c = {
        .path = "/late/c.cpp", .is_project = true, .symbols = &def, .nsymbols = 1};
    TU_OK(store_file_replace(st, &a, &e), &e);
    TU_OK(store_file_replace(st, &h, &e), &e);
    TU_OK(store_file_replace(st, &c, &e), &e);
}

/* Writes one dataset file by file (per_file, into one cache) and in a bulk load (bulk, between
 * store_bulk_begin and store_bulk_end, into another): both must be healthy and dump identically;
 * then check(bulk cache, per-file cache, dump) looks closer. */
static void same_as_per_file(const char *name, void (*per_file)(struct store *),
                             void (*bulk)(struct store *),
                             void (*check)(struct store *sb, struct store *sa, const char *dump))
{
    char *a = tu_tmpdir(name), *b = tu_tmpdir(name);
    struct store *sa = tu_open(a, 0), *sb = tu_open(b, 0);
    struct err e = {0};
    char *da, *db;

    per_file(sa);
    TU_OK(store_bulk_begin(sb, &e), &e);
    bulk(sb);
    TU_OK(store_bulk_end(sb, &e), &e);
    tu_assert_healthy(sa);
    tu_assert_healthy(sb);
    da = dump(a);
    db = dump(b);
    assert_string_equal(da, db);
    if (check)
        check(sb, sa, db);
    free(da);
    free(db);
    store_close(sa);
    store_close(sb);
    tu_rmtree(a);
    tu_rmtree(b);
    free(a);
    free(b);
}

static void check_late_declared(struct store *sb, struct store *sa, const char *dump)
{
    struct store_search_result r;
    (void)sa;
    (void)dump;
    /* the definition is the location, the declaration's brief is kept */
    lookup(sb, "c:@F@later#", &r);
    assert_string_equal(r.rows[0].location.file, "/late/c.cpp");
    assert_int_equal(r.rows[0].location.line, 3);
    assert_string_equal(r.rows[0].brief, "Declared here.");
    store_search_result_release(&r);
}

static void test_bulk_late_declared_placeholders(void **state)
{
    (void)state;
    same_as_per_file("late", write_late_declared, write_late_declared, check_late_declared);
}

static void test_bulk_equals_per_file(void **state)
{
    char *a = tu_tmpdir("perfile"), *b = tu_tmpdir("bulk");
    struct store *sa = tu_open(a, 0), *sb = tu_open(b, 0);
    struct err e = {0};
    char *da, *db;
    (void)state;

    write_project(sa, 300, 7);
    TU_OK(store_bulk_begin(sb, &e), &e);
    assert_true(store_in_bulk(sb));
    /* small groups: placeholders deferred past a group commit are inserted before it */
    store_bulk_set_group(sb, 7);
    write_project(sb, 300, 7);
    /* deletes inside a bulk load behave as outside it */
    for (int f = 0; f < 300; f += 29) {
        char path[64];
        snprintf(path, sizeof(path), "/proj/src/f%d.cpp", f);
        TU_OK(store_file_delete(sa, path, &e), &e);
        TU_OK(store_file_delete(sb, path, &e), &e);
    }
    /* and the symbols they took with them can come back */
    write_project(sa, 40, 3);
    write_project(sb, 40, 3);
    TU_OK(store_bulk_end(sb, &e), &e);
    assert_false(store_in_bulk(sb));
    tu_assert_healthy(sa);
    tu_assert_healthy(sb);
    da = dump(a);
    db = dump(b);
    assert_true(strlen(da) > 1000);
    assert_string_equal(da, db);
    /* and the search index answers the same */
    assert_int_equal(search_total(sa, "getValue", true), search_total(sb, "getValue", true));
    assert_int_equal(search_total(sa, "set1", true), search_total(sb, "set1", true));
    assert_true(search_total(sb, "value", true) > 0);
    free(da);
    free(db);
    store_close(sa);
    store_close(sb);
    tu_rmtree(a);
    tu_rmtree(b);
    free(a);
    free(b);
}

/* The search index of a bulk load into an empty cache is built aside, on a second thread, from
 * the changes as they come (store_fts_side.c): it must answer as the rebuilt one does, and a
 * file whose write fails and is rolled back (the database may not grow: SQLITE_FULL) must leave
 * no trace in it - the load falls back to rebuilding the index at its end. */
static void test_bulk_search_index_built_aside(void **state)
{
    char *a = tu_tmpdir("aside-perfile"), *b = tu_tmpdir("aside-bulk"), *c = tu_tmpdir("aside-bad");
    struct store *sa = tu_open(a, 0), *sb = tu_open(b, 0), *sc = tu_open(c, 0);
    char *big = xmalloc(300000);
    struct store_symbol bad_sym = {.usr = "c:@F@zzyzxBroken#",
                                   .name = "zzyzxBroken",
                                   .kind = STORE_KIND_FUNCTION,
                                   .is_definition = true,
                                   .doc = big,
                                   .range = {1, 6, 1, 20}};
    struct store_file_batch bad = {
        .path = "/proj/src/bad.cpp", .is_project = true, .symbols = &bad_sym, .nsymbols = 1};
    struct err e = {0};
    char *da, *db, *dc, *q;
    int64_t pages = 0;
    (void)state;

    memset(big, 'x', 299999);
    big[299999] = 0;
    write_project(sa, 120, 5);
    TU_OK(store_bulk_begin(sb, &e), &e);
    write_project(sb, 120, 5);
    TU_OK(store_bulk_end(sb, &e), &e);
    assert_true(sb->fts_side_used);
    tu_assert_healthy(sb); /* FTS5 integrity-check against the symbols included */
    da = dump(a);
    db = dump(b);
    assert_string_equal(da, db);
    assert_int_equal(search_total(sa, "getValue", true), search_total(sb, "getValue", true));
    assert_int_equal(search_total(sa, "set1", true), search_total(sb, "set1", true));
    assert_int_equal(search_total(sa, "alue", true), search_total(sb, "alue", true));
    assert_true(search_total(sb, "Value", true) > 0);

    /* a failing file in the middle: rolled back, and the index rebuilt at the end */
    TU_OK(store_bulk_begin(sc, &e), &e);
    write_project(sc, 60, 5);
    TU_OK(store_query_int(sc, "PRAGMA page_count", &pages, &e), &e);
    q = xasprintf("PRAGMA max_page_count = %lld", (long long)pages);
    assert_int_equal(sqlite3_exec(sc->db, q, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(store_file_replace(sc, &bad, &e), ERR_FULL);
    assert_int_equal(sqlite3_exec(sc->db, "PRAGMA max_page_count = 1073741823", NULL, NULL, NULL),
                     SQLITE_OK);
    TU_OK(store_bulk_end(sc, &e), &e);
    assert_false(sc->fts_side_used);
    TU_OK(store_bulk_begin(sc, &e), &e); /* not empty any more: rebuilt as before */
    write_project(sc, 120, 5);
    TU_OK(store_bulk_end(sc, &e), &e);
    assert_false(sc->fts_side_used);
    tu_assert_healthy(sc);
    assert_int_equal(search_total(sc, "zzyzx", true), 0);
    dc = dump(c);
    assert_string_equal(da, dc);
    assert_int_equal(search_total(sa, "getValue", true), search_total(sc, "getValue", true));

    free(da);
    free(db);
    free(dc);
    free(q);
    free(big);
    store_close(sa);
    store_close(sb);
    store_close(sc);
    tu_rmtree(a);
    tu_rmtree(b);
    tu_rmtree(c);
    free(a);
    free(b);
    free(c);
}

/* A file that fails at its very end (an include path longer than the connection takes: a NULL
 * path, a constraint failure) is rolled back whole in a bulk load: the placeholder it declared goes
 * back to being one (an earlier file refers to it), and the one it referred to first is gone - as
 * with per-file writes. */
static void write_then_fail(struct store *st)
{
    char *huge = xmalloc(300000);
    struct store_symbol p = {.usr = "c:@F@pp#",
                             .name = "pp",
                             .kind = STORE_KIND_FUNCTION,
                             .is_definition = true,
                             .range = {1, 6, 1, 8}};
    struct store_ref to_x = {.usr = "c:@F@xx#",
                             .target_name = "xx",
                             .target_kind = STORE_KIND_FUNCTION,
                             .context_usr = "c:@F@pp#",
                             .line = 2,
                             .col = 3,
                             .roles = STORE_ROLE_CALL};
    struct store_symbol x = {.usr = "c:@F@xx#",
                             .name = "xx",
                             .kind = STORE_KIND_FUNCTION,
                             .is_definition = true,
                             .range = {1, 6, 1, 8}};
    struct store_ref to_y = {.usr = "c:@F@yy#",
                             .target_name = "yy",
                             .target_kind = STORE_KIND_FUNCTION,
                             .context_usr = "c:@F@xx#",
                             .line = 2,
                             .col = 3,
                             .roles = STORE_ROLE_CALL};
    struct store_include inc = {.path = huge, .line = 1};
    struct store_file_batch a = {.path = "/fail/a.cpp",
                                 .is_project = true,
                                 .symbols = &p,
                                 .nsymbols = 1,
                                 .refs = &to_x,
                                 .nrefs = 1};
    struct store_file_batch b = {.path = "/fail/b.cpp",
                                 .is_project = true,
                                 .symbols = &x,
                                 .nsymbols = 1,
                                 .refs = &to_y,
                                 .nrefs = 1,
                                 .includes = &inc,
                                 .nincludes = 1};
    struct err e = {0};
    int old;

    huge[0] = '/';
    memset(huge + 1, 'h', 299998);
    huge[299999] = 0;
    TU_OK(store_file_replace(st, &a, &e), &e);
    old = sqlite3_limit(st->db, SQLITE_LIMIT_LENGTH, 200000);
    assert_int_not_equal(store_file_replace(st, &b, &e), 0);
    sqlite3_limit(st->db, SQLITE_LIMIT_LENGTH, old);
    free(huge);
}

static void check_rolled_back(struct store *sb, struct store *sa, const char *dump)
{
    (void)sb;
    (void)sa;
    assert_non_null(strstr(dump, "c:@F@xx#"));
    assert_null(strstr(dump, "c:@F@yy#"));
}

static void test_bulk_rollback_restores_placeholders(void **state)
{
    (void)state;
    same_as_per_file("rollback", write_then_fail, write_then_fail, check_rolled_back);
}

/* ---- store_bulk_load: a whole dataset at once ------------------------------------------- */

static const struct store_load_file load_files_v[] = {
    {"/load/a.cpp", "hash-a", "args-a", true, false},
    {"/load/b.h", "hash-b", NULL, true, true},
    {"/load/c.cpp", NULL, NULL, false, false},
};

static const struct store_load_symbol load_syms_v[] = {
    /* 0 */ {"c:@N@ns@S@Base", "Base", "ns", "ns", STORE_KIND_NAMESPACE, STORE_KIND_CLASS, NULL,
             STORE_ACCESS_PUBLIC, 1, 3, 7, true},
    /* 1 */
    {"c:@N@ns@S@Derived", "Derived", "ns", "ns", STORE_KIND_NAMESPACE, STORE_KIND_STRUCT, NULL,
     STORE_ACCESS_PUBLIC, 1, 9, 8, true},
    /* 2 */
    {"c:@N@ns@S@Derived@F@run#", "run", "ns::Derived", "ns", STORE_KIND_CLASS, STORE_KIND_METHOD,
     "void ns::Derived::run() const", STORE_ACCESS_PROTECTED, 0, 4, 15, true},
    /* 3 */
    {"c:@F@main#", "main", NULL, NULL, STORE_KIND_NAMESPACE, STORE_KIND_FUNCTION, "int main()",
     STORE_ACCESS_PUBLIC, 0, 10, 5, true},
    /* 4 */
    {"c:@F@helper#", "helper", "", "", STORE_KIND_NAMESPACE, STORE_KIND_FUNCTION,
     "static int helper(int)", STORE_ACCESS_PUBLIC, 2, 2, 12, false},
    /* 5: placeholders */
    {"c:@F@printf", "printf", NULL, NULL, STORE_KIND_NAMESPACE, STORE_KIND_UNKNOWN, NULL, 0,
     STORE_LOAD_NONE, 0, 0, false},
    /* 6 */
    {"cidx-legacy-base:Ext", "Ext", NULL, NULL, STORE_KIND_NAMESPACE, STORE_KIND_CLASS, NULL, 0,
     STORE_LOAD_NONE, 0, 0, false},
};

static const struct store_load_ref load_refs_v[] = {
    {0, 10, 5, 2, 3, STORE_ROLE_CALL}, {0, 10, 5, 5, 3, STORE_ROLE_CALL},
    {0, 10, 6, 5, 3, STORE_ROLE_CALL}, {0, 4, 15, 4, 2, STORE_ROLE_CALL},
    {2, 2, 12, 5, 4, STORE_ROLE_CALL}, {2, 2, 13, 3, STORE_LOAD_NONE, STORE_ROLE_CALL},
};

static const struct store_load_base load_bases_v[] = {
    {1, 1, 0, STORE_ACCESS_PUBLIC, false, 9, 8},
    {1, 1, 6, STORE_ACCESS_PUBLIC, false, 9, 9},
};

/* The load's progress: the last (done, total) it reported. */
static uint64_t load_done, load_total;

static void load_progress_seen(void *ctx, uint64_t done, uint64_t total)
{
    (void)ctx;
    assert_true(done <= total);
    load_done = done;
    load_total = total;
}

static const struct store_load load_v = {load_files_v,       ARRAY_SIZE(load_files_v),
                                         load_syms_v,        ARRAY_SIZE(load_syms_v),
                                         load_refs_v,        ARRAY_SIZE(load_refs_v),
                                         load_bases_v,       ARRAY_SIZE(load_bases_v),
                                         load_progress_seen, NULL};

/* The same data written file by file. */
static void write_load_per_file(struct store *st, const struct store_load *l)
{
    for (size_t f = 0; f < l->nfiles; f++) {
        struct store_symbol syms[8];
        struct store_ref refs[8];
        struct store_base bases[4];
        struct store_file_batch b = {0};
        struct err e = {0};
        b.path = l->files[f].path;
        b.hash = l->files[f].hash;
        b.args_hash = l->files[f].args_hash;
        b.is_project = l->files[f].is_project;
        b.is_header = l->files[f].is_header;
        for (size_t i = 0; i < l->nsymbols; i++) {
            const struct store_load_symbol *y = &l->symbols[i];
            struct store_symbol *s;
            if (y->file != f)
                continue;
            s = &syms[b.nsymbols++];
            memset(s, 0, sizeof(*s));
            s->usr = y->usr;
            s->name = y->name;
            s->scope = y->scope;
            s->scope_ns = y->scope_ns;
            s->scope_kind = y->scope_kind;
            s->kind = y->kind;
            s->signature = y->signature;
            s->access = y->access;
            s->is_definition = y->is_definition;
            s->range.line = s->range.end_line = y->line;
            s->range.col = s->range.end_col = y->col;
        }
        for (size_t i = 0; i < l->nrefs; i++) {
            const struct store_load_ref *r = &l->refs[i];
            struct store_ref *o;
            if (r->file != f)
                continue;
            o = &refs[b.nrefs++];
            memset(o, 0, sizeof(*o));
            o->usr = l->symbols[r->symbol].usr;
            o->target_name = l->symbols[r->symbol].name;
            o->target_kind = l->symbols[r->symbol].kind;
            o->context_usr = r->context == STORE_LOAD_NONE ? NULL : l->symbols[r->context].usr;
            o->line = r->line;
            o->col = r->col;
            o->roles = r->roles;
        }
        for (size_t i = 0; i < l->nbases; i++) {
            const struct store_load_base *x = &l->bases[i];
            struct store_base *o;
            if (x->file != f)
                continue;
            o = &bases[b.nbases++];
            memset(o, 0, sizeof(*o));
            o->derived_usr = l->symbols[x->derived].usr;
            o->base_usr = l->symbols[x->base].usr;
            o->base_name = l->symbols[x->base].name;
            o->access = x->access;
            o->is_virtual = x->is_virtual;
            o->line = x->line;
            o->col = x->col;
        }
        b.symbols = syms;
        b.refs = refs;
        b.bases = bases;
        TU_OK(store_file_replace(st, &b, &e), &e);
    }
}

static void write_load_per_file_v(struct store *st)
{
    write_load_per_file(st, &load_v);
}

static void write_load_whole(struct store *st)
{
    struct err e = {0};
    TU_OK(store_bulk_load(st, &load_v, &e), &e);
}

static void check_load(struct store *sb, struct store *sa, const char *dump)
{
    assert_true(sb->fts_side_used);
    /* the load said it was done: every symbol and reference */
    assert_int_equal(load_total, ARRAY_SIZE(load_syms_v) + ARRAY_SIZE(load_refs_v));
    assert_int_equal(load_done, load_total);
    /* the signature is stored packed (the qualified name as one mark), the placeholders are
       there, unsearchable */
    assert_non_null(strstr(dump, "void \x1d() const"));
    assert_non_null(strstr(dump, "c:@F@printf|printf||0|0|NULL"));
    assert_int_equal(search_total(sb, "run", true), search_total(sa, "run", true));
    assert_int_equal(search_total(sb, "printf", true), 0);
    assert_int_equal(search_total(sb, "Derived", true), 1);
}

static void test_bulk_load_equals_per_file(void **state)
{
    (void)state;
    same_as_per_file("load", write_load_per_file_v, write_load_whole, check_load);
}

static void test_bulk_load_refuses(void **state)
{
    char *dir = tu_tmpdir("load-refuse");
    struct store *st = tu_open(dir, 0);
    struct store_load_symbol twice[2], bad_ref_syms[1];
    struct store_load_ref bad_ref = {0, 1, 1, 7, STORE_LOAD_NONE, STORE_ROLE_CALL};
    struct store_load_file rel = {"load/a.cpp", NULL, NULL, true, false};
    struct store_load l;
    struct err e = {0};
    (void)state;

    /* not in bulk mode */
    assert_int_equal(store_bulk_load(st, &load_v, &e), ERR_INVALID);
    TU_OK(store_bulk_begin(st, &e), &e);
    /* a usr twice, a reference out of range, a relative path: nothing is written */
    memcpy(twice, load_syms_v, sizeof(twice));
    twice[1].usr = twice[0].usr;
    l = (struct store_load){
        load_files_v, ARRAY_SIZE(load_files_v), twice, 2, NULL, 0, NULL, 0, NULL, NULL};
    assert_int_equal(store_bulk_load(st, &l, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "twice"));
    memcpy(bad_ref_syms, load_syms_v, sizeof(bad_ref_syms));
    l = (struct store_load){load_files_v, 1, bad_ref_syms, 1, &bad_ref, 1, NULL, 0, NULL, NULL};
    assert_int_equal(store_bulk_load(st, &l, &e), ERR_INVALID);
    l = (struct store_load){&rel, 1, NULL, 0, NULL, 0, NULL, 0, NULL, NULL};
    assert_int_equal(store_bulk_load(st, &l, &e), ERR_INVALID);
    /* a placeholder nothing names (a symbol row nothing declares or uses) */
    l = (struct store_load){
        load_files_v, ARRAY_SIZE(load_files_v), load_syms_v + 4, 2, NULL, 0, NULL, 0, NULL, NULL};
    assert_int_equal(store_bulk_load(st, &l, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "nothing names it"));
    /* a name longer than the connection takes: the load fails in SQL and leaves nothing */
    {
        int old = sqlite3_limit(st->db, SQLITE_LIMIT_LENGTH, 4);
        assert_int_not_equal(store_bulk_load(st, &load_v, &e), 0);
        sqlite3_limit(st->db, SQLITE_LIMIT_LENGTH, old);
    }
    TU_OK(store_bulk_end(st, &e), &e);
    tu_assert_healthy(st);
    assert_int_equal(count_sql(dir, "SELECT count(*) FROM symbols"), 0);
    assert_int_equal(count_sql(dir, "SELECT count(*) FROM files"), 0);
    /* loaded once, a second load is refused: the cache is no longer empty */
    TU_OK(store_bulk_begin(st, &e), &e);
    TU_OK(store_bulk_load(st, &load_v, &e), &e);
    TU_OK(store_bulk_end(st, &e), &e);
    TU_OK(store_bulk_begin(st, &e), &e);
    assert_int_equal(store_bulk_load(st, &load_v, &e), ERR_INVALID);
    TU_OK(store_bulk_end(st, &e), &e);
    tu_assert_healthy(st);
    store_close(st);
    tu_rmtree(dir);
    free(dir);
}

/* The bulk cache full (a tiny limit): a symbol deleted during the load and declared again, twice,
 * stays one symbol (its tombstone learns the new id even when the cache learns nothing new). */
static void write_full_cache(struct store *st)
{
    struct err e = {0};
    store_bulk_cache_limit(st, 12); /* no-op outside a bulk load */
    TU_OK(tu_write_file(st, "/full/a.cpp", "a", 10, &e), &e);
    TU_OK(tu_write_file(st, "/full/v.cpp", "victim", 1, &e), &e);
    TU_OK(tu_write_file(st, "/full/b.cpp", "b", 10, &e), &e);
    TU_OK(store_file_delete(st, "/full/v.cpp", &e), &e);
    TU_OK(tu_write_file(st, "/full/v2.cpp", "victim", 1, &e), &e);
    TU_OK(tu_write_file(st, "/full/v3.cpp", "victim", 1, &e), &e);
}

static void check_full_cache(struct store *sb, struct store *sa, const char *dump)
{
    (void)sa;
    (void)dump;
    assert_int_equal(tu_search_exact_count(sb, "victim_0"), 1);
}

static void test_bulk_cache_full_tombstone(void **state)
{
    (void)state;
    same_as_per_file("fullcache", write_full_cache, write_full_cache, check_full_cache);
}

/* Another connection writes after the load's last group commit: the search index built aside
 * lacks that row, so the end of the load rebuilds it instead. */
static void test_bulk_other_writer_before_end(void **state)
{
    char *dir = tu_tmpdir("otherw");
    struct store *st = tu_open(dir, 0), *other;
    struct err e = {0};
    (void)state;

    TU_OK(store_bulk_begin(st, &e), &e);
    store_bulk_set_group(st, 4);
    for (int i = 0; i < 4; i++) {
        char path[64];
        snprintf(path, sizeof(path), "/ow/f%d.cpp", i);
        TU_OK(tu_write_file(st, path, "mine", 3, &e), &e);
    }
    other = tu_open(dir, 0);
    TU_OK(tu_write_file(other, "/ow/theirs.cpp", "theirs", 3, &e), &e);
    store_close(other);
    TU_OK(store_bulk_end(st, &e), &e);
    assert_false(st->fts_side_used);
    tu_assert_healthy(st);
    assert_int_equal(tu_search_exact_count(st, "theirs_1"), 1);
    store_close(st);
    tu_rmtree(dir);
    free(dir);
}

/* A file fails on a full disk; its savepoint is rolled back, but the placeholders the group's
 * earlier files deferred cannot be inserted either (still full): the whole group goes back, and
 * with it the files written before - the end of the load says so. */
static void test_bulk_group_loss_is_reported(void **state)
{
    char *dir = tu_tmpdir("lost");
    struct store *st = tu_open(dir, 0);
    struct tu_batch big;
    struct err e = {0};
    int64_t pages = 0, nfiles = 0;
    char *q;
    int rc;
    (void)state;

    TU_OK(store_bulk_begin(st, &e), &e);
    for (int i = 0; i < 3; i++) {
        char path[64], usr[64], name[32], callee[200][40];
        struct store_symbol sym = {.usr = usr,
                                   .name = name,
                                   .kind = STORE_KIND_FUNCTION,
                                   .is_definition = true,
                                   .range = {1, 6, 9, 1}};
        struct store_ref refs[200];
        struct store_file_batch b = {
            .path = path, .is_project = true, .symbols = &sym, .nsymbols = 1, .refs = refs};
        snprintf(path, sizeof(path), "/lost/f%d.cpp", i);
        snprintf(usr, sizeof(usr), "c:@F@early%d#", i);
        snprintf(name, sizeof(name), "early%d", i);
        for (int k = 0; k < 200; k++) {
            /* callees no file has declared: deferred placeholders */
            snprintf(callee[k], sizeof(callee[k]), "c:@F@later_%d_%d#", i, k);
            refs[k] = (struct store_ref){.usr = callee[k],
                                         .target_name = "later",
                                         .target_kind = STORE_KIND_FUNCTION,
                                         .context_usr = usr,
                                         .line = 2 + (uint32_t)k,
                                         .col = 3,
                                         .roles = STORE_ROLE_CALL};
        }
        b.nrefs = 200;
        TU_OK(store_file_replace(st, &b, &e), &e);
    }
    TU_OK(store_query_int(st, "PRAGMA page_count", &pages, &e), &e);
    q = xasprintf("PRAGMA max_page_count = %lld", (long long)pages);
    assert_int_equal(sqlite3_exec(st->db, q, NULL, NULL, NULL), SQLITE_OK);
    tu_batch_init(&big, "/lost/big.cpp", "big", 200, 4000);
    assert_int_equal(store_file_replace(st, &big.b, &e), ERR_FULL);
    tu_batch_release(&big);
    assert_int_equal(sqlite3_exec(st->db, "PRAGMA max_page_count = 1073741823", NULL, NULL, NULL),
                     SQLITE_OK);
    /* the group went: said, and the load is over all the same */
    rc = store_bulk_end(st, &e);
    assert_int_equal(rc, ERR_FULL);
    assert_non_null(strstr(e.msg, "index again"));
    TU_OK(store_query_int(st, "SELECT count(*) FROM files", &nfiles, &e), &e);
    assert_int_equal(nfiles, 0);
    assert_false(store_in_bulk(st));
    tu_assert_healthy(st);
    free(q);
    store_close(st);
    tu_rmtree(dir);
    free(dir);
}

static void test_bulk_is_exclusive(void **state)
{
    char *dir = tu_tmpdir("bulkx");
    struct store *s1 = tu_open(dir, 0), *s2 = tu_open(dir, 0);
    struct err e = {0};
    (void)state;

    TU_OK(store_bulk_begin(s1, &e), &e);
    assert_int_equal(store_bulk_begin(s2, &e), ERR_BUSY);
    assert_non_null(strstr(e.msg, "bulk"));
    write_project(s1, 20, 0);
    /* closing without store_bulk_end still finishes the load */
    store_close(s1);
    tu_assert_healthy(s2);
    assert_true(search_total(s2, "Value", true) > 0);
    store_close(s2);
    tu_rmtree(dir);
    free(dir);
}

static void test_metadata_and_records(void **state)
{
    char *dir = tu_tmpdir("meta");
    struct store *st = tu_open(dir, 0);
    struct store_parse_error pe = {.path = "/proj/src/broken.cpp",
                                   .error_type = "signal",
                                   .message = "worker crashed (SIGSEGV)",
                                   .file_hash = "ab",
                                   .args_hash = "cd",
                                   .retry_count = 2};
    struct store_stats s;
    struct err e = {0};
    char *v = NULL;
    (void)state;

    TU_OK(store_meta_set(st, "project_root", "/proj", &e), &e);
    TU_OK(store_meta_get(st, "project_root", &v, &e), &e);
    assert_string_equal(v, "/proj");
    free(v);
    TU_OK(store_meta_get(st, "last_vacuum", &v, &e), &e);
    assert_non_null(v);
    free(v);
    TU_OK(store_meta_get(st, "no-such-key", &v, &e), &e);
    assert_null(v);
    TU_OK(store_parse_error_add(st, &pe, &e), &e);
    TU_OK(store_header_claim(st, "/proj/include/a.h", "/proj/src/a.cpp", "hh", "aa", &e), &e);
    TU_OK(store_stats_get(st, &s, &e), &e);
    assert_int_equal(s.parse_errors, 1);
    assert_int_equal(s.schema_version, STORE_SCHEMA_VERSION);
    assert_int_equal(count_sql(dir, "SELECT retry_count FROM parse_errors"), 2);
    assert_int_equal(count_sql(dir, "SELECT count(*) FROM header_tracker h JOIN files f ON"
                                    " f.id = h.file_id WHERE f.path = '/proj/include/a.h'"),
                     1);
    TU_OK(store_parse_error_clear(st, "/proj/src/broken.cpp", &e), &e);
    TU_OK(store_stats_get(st, &s, &e), &e);
    assert_int_equal(s.parse_errors, 0);
    /* the plan's view keeps its column names */
    write_header(st);
    assert_int_equal(count_sql(dir, "SELECT count(*) FROM file_metadata WHERE file_path ="
                                    " '/proj/include/widget.h' AND file_hash = 'h1'"),
                     1);
    /* signatures are stored packed and come back whole, in the view too */
    assert_int_equal(count_sql(dir, "SELECT count(*) FROM plan_symbols WHERE signature ="
                                    " 'void ui::Widget::draw(int x) const'"),
                     1);
    assert_int_equal(count_sql(dir, "SELECT count(*) FROM symbols WHERE signature ="
                                    " 'void ' || char(29) || '(int x) const'"),
                     1);
    assert_int_equal(count_sql(dir, "SELECT count(*) FROM plan_symbols WHERE kind = 'method'"
                                    " AND parent_class = 'Widget' AND namespace = 'ui'"),
                     1);
    tu_assert_healthy(st);
    store_close(st);
    tu_rmtree(dir);
    free(dir);
}

static void test_query_stats(void **state)
{
    char *dir = tu_tmpdir("qstats");
    struct store *st = tu_open(dir, 0);
    struct store_query_stat qs[STORE_Q_COUNT_];
    struct err e = {0};
    (void)state;

    write_header(st);
    for (int i = 0; i < 20; i++)
        search_total(st, "Widget", false);
    TU_OK(store_qstats_get(st, qs, &e), &e);
    assert_int_equal(qs[STORE_Q_SEARCH_AUTO].count, 20);
    assert_true(qs[STORE_Q_SEARCH_AUTO].mean_ms > 0);
    assert_true(qs[STORE_Q_SEARCH_AUTO].p95_ms <= qs[STORE_Q_SEARCH_AUTO].max_ms);
    assert_true(qs[STORE_Q_SEARCH_AUTO].mean_ms <= qs[STORE_Q_SEARCH_AUTO].max_ms);
    /* a closed handle leaves its numbers in the cache for the next process */
    store_close(st);
    st = tu_open(dir, 0);
    search_total(st, "Widget", false);
    TU_OK(store_qstats_get(st, qs, &e), &e);
    assert_int_equal(qs[STORE_Q_SEARCH_AUTO].count, 21);
    assert_int_equal(qs[STORE_Q_FILE_REPLACE].count, 1);
    TU_OK(store_qstats_reset(st, &e), &e);
    TU_OK(store_qstats_get(st, qs, &e), &e);
    assert_int_equal(qs[STORE_Q_SEARCH_AUTO].count, 0);
    store_close(st);
    tu_assert_dir_healthy(dir);
    tu_rmtree(dir);
    free(dir);
}

static void test_query_stats_never_wait(void **state)
{
    char *dir = tu_tmpdir("qstatswait");
    char *path = path_join(dir, "symbols.db");
    struct store *st = tu_open(dir, 0);
    sqlite3 *writer = NULL;
    struct err e = {0};
    (void)state;

    write_header(st);
    search_total(st, "Widget", false);
    /* another connection holds the write lock, as an indexer would */
    assert_int_equal(sqlite3_open(path, &writer), SQLITE_OK);
    assert_int_equal(sqlite3_exec(writer, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    /* one try, no waiting: the busy limit is not spent on statistics */
    assert_int_equal(store_qstats_flush(st, &e), ERR_BUSY);
    store_close(st);
    assert_int_equal(sqlite3_exec(writer, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(writer);
    tu_assert_dir_healthy(dir);
    free(path);
    tu_rmtree(dir);
    free(dir);
}

static void test_maintain(void **state)
{
    char *dir = tu_tmpdir("maint");
    struct store *st = tu_open(dir, 0);
    struct store_maint_report r;
    struct err e = {0};
    const char *reason = NULL;
    char *v = NULL;
    (void)state;

    write_project(st, 200, 0);
    for (int f = 0; f < 150; f++) {
        char path[64];
        snprintf(path, sizeof(path), "/proj/src/f%d.cpp", f);
        TU_OK(store_file_delete(st, path, &e), &e);
    }
    TU_OK(store_maintain(st, false, &r, &e), &e);
    /* most pages are free now: a vacuum pays and runs */
    assert_true(r.vacuumed);
    assert_string_equal(r.vacuum_reason, "free pages");
    assert_true(r.bytes_after < r.bytes_before);
    assert_false(store_vacuum_due(st, &reason));
    /* a last vacuum over a week old makes it due */
    TU_OK(store_meta_set(st, "last_vacuum", "1000", &e), &e);
    assert_true(store_vacuum_due(st, &reason));
    assert_string_equal(reason, "last vacuum over a week ago");
    TU_OK(store_maintain(st, false, &r, &e), &e);
    assert_true(r.vacuumed);
    TU_OK(store_meta_get(st, "last_vacuum", &v, &e), &e);
    assert_true(strtod(v, NULL) > 1e9);
    free(v);
    TU_OK(store_maintain(st, true, &r, &e), &e);
    assert_string_equal(r.vacuum_reason, "forced");
    TU_OK(store_rebuild_indexes(st, &e), &e);
    tu_assert_healthy(st);
    assert_true(search_total(st, "Value", true) > 0);
    store_close(st);
    tu_rmtree(dir);
    free(dir);
}

static void test_fts_damage_is_detected(void **state)
{
    char *dir = tu_tmpdir("ftsdmg");
    struct store *st = tu_open(dir, 0);
    struct store_check checks[32];
    size_t n = 0;
    struct err e = {0};
    char *path = path_join(dir, "symbols.db");
    sqlite3 *db = NULL;
    bool fts_failed = false;
    (void)state;

    write_project(st, 10, 0);
    /* a writer that bypasses the triggers (as a plain DELETE on the content would) */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(
            db,
            "DROP TRIGGER symbols_fts_ad; DELETE FROM symbols WHERE"
            " id IN (SELECT id FROM symbols WHERE file_id IS NOT NULL ORDER BY id LIMIT 3)",
            NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(store_check(st, false, checks, 32, &n, &e), ERR_CORRUPT);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(checks[i].name, "fts"))
            fts_failed = !checks[i].ok;
    assert_true(fts_failed);
    /* the rebuild repairs the search index and restores the trigger; leftovers of the
     * deleted symbols are gone once their file is rewritten */
    TU_OK(store_rebuild_indexes(st, &e), &e);
    write_project(st, 10, 0);
    tu_assert_healthy(st);
    free(path);
    store_close(st);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ownership),
        cmocka_unit_test(test_bad_batch_is_refused_whole),
        cmocka_unit_test(test_decl_and_def_at_one_position),
        cmocka_unit_test(test_bulk_equals_per_file),
        cmocka_unit_test(test_bulk_late_declared_placeholders),
        cmocka_unit_test(test_bulk_search_index_built_aside),
        cmocka_unit_test(test_bulk_rollback_restores_placeholders),
        cmocka_unit_test(test_bulk_load_equals_per_file),
        cmocka_unit_test(test_bulk_load_refuses),
        cmocka_unit_test(test_bulk_cache_full_tombstone),
        cmocka_unit_test(test_bulk_other_writer_before_end),
        cmocka_unit_test(test_bulk_group_loss_is_reported),
        cmocka_unit_test(test_bulk_is_exclusive),
        cmocka_unit_test(test_metadata_and_records),
        cmocka_unit_test(test_query_stats),
        cmocka_unit_test(test_query_stats_never_wait),
        cmocka_unit_test(test_maintain),
        cmocka_unit_test(test_fts_damage_is_detected),
    };
    log_set_level(LOG_ERROR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
