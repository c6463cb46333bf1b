/*
 * store_dump.c - the normalized text dump of a whole cache (store_dump, `cidx dump`): what the
 * golden index tests compare, and what two caches are diffed with.
 *
 * Invariants:
 *   1. One record per line, a word naming its type first; sections in this fixed order:
 *      file, symbol, decl, ref, base, override, include, header, error.
 *   2. No ids, timestamps, mtimes, sizes, args hashes, processed_by or stack traces: only what
 *      the indexed content determines. Two caches with the same content give the same bytes,
 *      whatever order their files were written in.
 *   3. Every occurrence of the root (trailing slashes dropped; "/" counts as no root) in any
 *      text - paths, USRs, qualified names, signatures, docs, messages - reads "<root>". USRs of
 *      static functions and anonymous namespaces and names like "(lambda at /src/a.cpp:3:9)"
 *      hold paths, so the replacement is not limited to path columns.
 *   4. Each section is sorted in SQL on its normalized columns only (store_sql.c, DUMP_NORM),
 *      down to a key that is unique per row, so the order never depends on ids or on the root.
 *
 * Values: a text is written bare when it is non-empty and holds no space, control character,
 * quote or backslash; otherwise in single quotes with \\ \' \n \r \t and \xHH escapes. Optional
 * fields (key=value) are left out when empty. A reference to a row that does not exist (a
 * damaged cache) shows as (missing). The line types, with their fields in order:
 *
 *   file PATH (source|header) (project|dependency) symbols=N [hash=H]   an indexed file
 *   file PATH unindexed                             a file known only as an include target
 *   symbol QNAME KIND usr=USR (at=PATH:LINE:COL (def|decl) | placeholder) (project|dependency)
 *          [ns=] [access=] [attrs=a,b] [sig=] [template=] [tparams=] [target=] [brief=] [doc=]
 *   decl PATH:LINE:COL-ENDLINE:ENDCOL (def|decl) QNAME usr=USR from=LINE:COL
 *          (LINE:COL is the name, from= is where the full extent starts)
 *   ref PATH:LINE:COL QNAME usr=USR roles=r1,r2 [context=QNAME context_usr=USR]
 *   base DERIVED -> BASE [public|protected|private] [virtual] at=PATH:LINE:COL usr=USR
 *          base_usr=USR
 *   override METHOD -> OVERRIDDEN file=PATH usr=USR overridden_usr=USR
 *   include PATH:LINE -> PATH
 *   header PATH hash=H                              header_tracker, without who claimed it
 *   error PATH TYPE retries=N message=TEXT          parse_errors
 *
 * Names: kinds as store_kind_name; access as store_access_name; attrs virtual, pure, override,
 * static, const, deleted, defaulted, inline, constexpr, final, explicit, scoped; template
 * primary, partial_spec, full_spec; roles decl, def, read, write, call, type, address, virtual,
 * member, construct. Bits without a name show as one hex number (0x...). For example:
 *
 *   file <root>/include/widget.h header project symbols=2 hash=h1
 *   symbol ui::Widget::draw method usr=c:@N@ui@S@Widget@F@draw#I# at=<root>/src/widget.cpp:10:18
 *          def project ns=ui access=public attrs=virtual,const sig='void ui::Widget::draw(int)
 * const' symbol printf function usr=c:@F@printf placeholder dependency ref <root>/src/main.cpp:22:7
 * ui::Widget::draw usr=c:@N@ui@S@Widget@F@draw#I# roles=call,member context=main
 * context_usr=c:@F@main# (each record is one line; they are wrapped here only).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define MISSING "(missing)"

static const char *const attr_names[] = {
    "virtual",   "pure",   "override",  "static", "const",    "deleted",
    "defaulted", "inline", "constexpr", "final",  "explicit", "scoped",
};

static const char *const role_names[] = {
    "decl", "def", "read", "write", "call", "type", "address", "virtual", "member", "construct",
};

static const char *template_name(int t)
{
    switch (t) {
    case STORE_TEMPLATE_PRIMARY:
        return "primary";
    case STORE_TEMPLATE_PARTIAL_SPEC:
        return "partial_spec";
    case STORE_TEMPLATE_FULL_SPEC:
        return "full_spec";
    default:
        return NULL;
    }
}

struct dump {
    struct store *st;
    FILE *out;
    const char *root; /* bound as ?1 of every statement: "" when there is none */
    size_t root_len;
    struct strbuf line, tmp;
    struct arena mem; /* per row: unpacked signatures */
    struct err *err;
};

static const char *col(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

static bool is_bare(const char *v)
{
    if (!*v)
        return false;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p <= ' ' || *p == 0x7f || *p == '\'' || *p == '\\')
            return false;
    return true;
}

/* Appends a text value, bare or quoted (see the top of the file). */
static void add_text(struct strbuf *sb, const char *v)
{
    if (!v)
        v = MISSING;
    if (is_bare(v)) {
        strbuf_adds(sb, v);
        return;
    }
    strbuf_addch(sb, '\'');
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        switch (*p) {
        case '\\':
            strbuf_adds(sb, "\\\\");
            break;
        case '\'':
            strbuf_adds(sb, "\\'");
            break;
        case '\n':
            strbuf_adds(sb, "\\n");
            break;
        case '\r':
            strbuf_adds(sb, "\\r");
            break;
        case '\t':
            strbuf_adds(sb, "\\t");
            break;
        default:
            if (*p < ' ' || *p == 0x7f)
                strbuf_addf(sb, "\\x%02x", *p);
            else
                strbuf_addch(sb, *p);
        }
    }
    strbuf_addch(sb, '\'');
}

/* " TEXT": a positional field; a NULL (a row that is not there) reads (missing). */
static void add_pos(struct dump *d, const char *v)
{
    strbuf_addch(&d->line, ' ');
    add_text(&d->line, v);
}

/* " key=TEXT", left out when v is NULL or empty. */
static void add_opt(struct dump *d, const char *key, const char *v)
{
    if (!v || !*v)
        return;
    strbuf_addf(&d->line, " %s=", key);
    add_text(&d->line, v);
}

/* " key=PATH:LINE:COL" (or " PATH:LINE:COL" without key), quoted as one value. */
static void add_loc(struct dump *d, const char *key, const char *path, int64_t line, int64_t col)
{
    strbuf_reset(&d->tmp);
    strbuf_addf(&d->tmp, "%s:%lld", path ? path : MISSING, (long long)line);
    if (col >= 0)
        strbuf_addf(&d->tmp, ":%lld", (long long)col);
    strbuf_addch(&d->line, ' ');
    if (key)
        strbuf_addf(&d->line, "%s=", key);
    add_text(&d->line, d->tmp.buf);
}

/* " key=a,b,c" for the named bits of v, unnamed ones as one hex number; nothing when 0. */
static void add_bits(struct dump *d, const char *key, unsigned v, const char *const *names,
                     size_t nnames)
{
    unsigned rest = v;
    bool first = true;
    if (!v)
        return;
    strbuf_addf(&d->line, " %s=", key);
    for (size_t i = 0; i < nnames; i++) {
        if (!(v & (1u << i)))
            continue;
        strbuf_addf(&d->line, "%s%s", first ? "" : ",", names[i]);
        rest &= ~(1u << i);
        first = false;
    }
    if (rest)
        strbuf_addf(&d->line, "%s0x%x", first ? "" : ",", rest);
}

static void row_file(struct dump *d, sqlite3_stmt *s)
{
    strbuf_adds(&d->line, "file");
    add_pos(d, col(s, 0));
    if (!sqlite3_column_int(s, 2)) {
        strbuf_adds(&d->line, " unindexed");
        return;
    }
    strbuf_adds(&d->line, sqlite3_column_int(s, 4) ? " header" : " source");
    strbuf_adds(&d->line, sqlite3_column_int(s, 3) ? " project" : " dependency");
    strbuf_addf(&d->line, " symbols=%lld", (long long)sqlite3_column_int64(s, 5));
    add_opt(d, "hash", col(s, 1));
}

static void row_symbol(struct dump *d, sqlite3_stmt *s)
{
    const char *q = col(s, 0);
    strbuf_adds(&d->line, "symbol");
    add_pos(d, q);
    add_pos(d, store_kind_name((enum store_kind)sqlite3_column_int(s, 1)));
    add_opt(d, "usr", col(s, 2));
    if (sqlite3_column_int(s, 17)) {
        strbuf_adds(&d->line, " placeholder");
    } else {
        add_loc(d, "at", col(s, 3), sqlite3_column_int64(s, 4), sqlite3_column_int64(s, 5));
        strbuf_adds(&d->line, sqlite3_column_int(s, 6) ? " def" : " decl");
    }
    strbuf_adds(&d->line, sqlite3_column_int(s, 7) ? " project" : " dependency");
    add_opt(d, "ns", col(s, 8));
    add_opt(d, "access", store_access_name((enum store_access)sqlite3_column_int(s, 9)));
    add_bits(d, "attrs", (unsigned)sqlite3_column_int(s, 10), attr_names, ARRAY_SIZE(attr_names));
    /* the signature as search shows it: the packed self-reference expanded (both normalized) */
    add_opt(d, "sig", store_sig_unpack(&d->mem, col(s, 11), q ? q : ""));
    add_opt(d, "template", template_name(sqlite3_column_int(s, 12)));
    add_opt(d, "tparams", col(s, 13));
    add_opt(d, "target", col(s, 14));
    add_opt(d, "brief", col(s, 15));
    add_opt(d, "doc", col(s, 16));
}

static void row_decl(struct dump *d, sqlite3_stmt *s)
{
    strbuf_reset(&d->tmp);
    strbuf_addf(&d->tmp, "%s:%lld:%lld-%lld:%lld", col(s, 0) ? col(s, 0) : MISSING,
                (long long)sqlite3_column_int64(s, 1), (long long)sqlite3_column_int64(s, 2),
                (long long)sqlite3_column_int64(s, 3), (long long)sqlite3_column_int64(s, 4));
    strbuf_adds(&d->line, "decl");
    add_pos(d, d->tmp.buf);
    strbuf_adds(&d->line, sqlite3_column_int(s, 7) ? " def" : " decl");
    add_pos(d, col(s, 8));
    add_opt(d, "usr", col(s, 9) ? col(s, 9) : MISSING);
    strbuf_addf(&d->line, " from=%lld:%lld", (long long)sqlite3_column_int64(s, 5),
                (long long)sqlite3_column_int64(s, 6));
}

static void row_ref(struct dump *d, sqlite3_stmt *s)
{
    strbuf_adds(&d->line, "ref");
    add_loc(d, NULL, col(s, 0), sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2));
    add_pos(d, col(s, 3));
    add_opt(d, "usr", col(s, 4) ? col(s, 4) : MISSING);
    add_bits(d, "roles", (unsigned)sqlite3_column_int(s, 5), role_names, ARRAY_SIZE(role_names));
    if (sqlite3_column_type(s, 7) != SQLITE_NULL) {
        add_opt(d, "context", col(s, 6) ? col(s, 6) : MISSING);
        add_opt(d, "context_usr", col(s, 7));
    }
}

static void row_base(struct dump *d, sqlite3_stmt *s)
{
    strbuf_adds(&d->line, "base");
    add_pos(d, col(s, 0));
    strbuf_adds(&d->line, " ->");
    add_pos(d, col(s, 2));
    {
        const char *a = store_access_name((enum store_access)sqlite3_column_int(s, 4));
        if (*a)
            add_pos(d, a);
    }
    if (sqlite3_column_int(s, 5))
        strbuf_adds(&d->line, " virtual");
    add_loc(d, "at", col(s, 6), sqlite3_column_int64(s, 7), sqlite3_column_int64(s, 8));
    add_opt(d, "usr", col(s, 1) ? col(s, 1) : MISSING);
    add_opt(d, "base_usr", col(s, 3) ? col(s, 3) : MISSING);
}

static void row_override(struct dump *d, sqlite3_stmt *s)
{
    strbuf_adds(&d->line, "override");
    add_pos(d, col(s, 0));
    strbuf_adds(&d->line, " ->");
    add_pos(d, col(s, 2));
    add_opt(d, "file", col(s, 4) ? col(s, 4) : MISSING);
    add_opt(d, "usr", col(s, 1) ? col(s, 1) : MISSING);
    add_opt(d, "overridden_usr", col(s, 3) ? col(s, 3) : MISSING);
}

static void row_include(struct dump *d, sqlite3_stmt *s)
{
    strbuf_adds(&d->line, "include");
    add_loc(d, NULL, col(s, 0), sqlite3_column_int64(s, 1), -1);
    strbuf_adds(&d->line, " ->");
    add_pos(d, col(s, 2));
}

static void row_header(struct dump *d, sqlite3_stmt *s)
{
    strbuf_adds(&d->line, "header");
    add_pos(d, col(s, 0));
    add_opt(d, "hash", col(s, 1));
}

static void row_error(struct dump *d, sqlite3_stmt *s)
{
    strbuf_adds(&d->line, "error");
    add_pos(d, col(s, 0));
    add_pos(d, col(s, 1));
    strbuf_addf(&d->line, " retries=%lld", (long long)sqlite3_column_int64(s, 3));
    strbuf_adds(&d->line, " message=");
    add_text(&d->line, col(s, 2) ? col(s, 2) : "");
}

static const struct section {
    enum store_stmt stmt;
    void (*row)(struct dump *d, sqlite3_stmt *s);
    const char *what;
} sections[] = {
    {STMT_DUMP_FILES, row_file, "files"},          {STMT_DUMP_SYMBOLS, row_symbol, "symbols"},
    {STMT_DUMP_DECLS, row_decl, "declarations"},   {STMT_DUMP_REFS, row_ref, "references"},
    {STMT_DUMP_BASES, row_base, "base classes"},   {STMT_DUMP_OVERRIDES, row_override, "overrides"},
    {STMT_DUMP_INCLUDES, row_include, "includes"}, {STMT_DUMP_HEADERS, row_header, "header claims"},
    {STMT_DUMP_ERRORS, row_error, "parse errors"},
};

static int dump_section(struct dump *d, const struct section *sec)
{
    sqlite3_stmt *s = store_stmt(d->st, sec->stmt);
    int rc;
    if (!s)
        return store_db_err(d->st, d->err, sqlite3_errcode(d->st->db), "cannot read the cache");
    sqlite3_bind_text(s, 1, d->root, (int)d->root_len, SQLITE_STATIC);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        strbuf_reset(&d->line);
        sec->row(d, s);
        strbuf_addch(&d->line, '\n');
        arena_release(&d->mem);
        if (fwrite(d->line.buf, 1, d->line.len, d->out) != d->line.len) {
            sqlite3_reset(s);
            return err_set(d->err, ERR_IO, "cannot write the dump: %s", strerror(errno));
        }
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        store_db_err(d->st, d->err, rc, "cannot read the cache");
        return err_wrap(d->err, "cannot dump the %s", sec->what);
    }
    return 0;
}

int store_dump(struct store *st, FILE *out, const char *root, struct err *err)
{
    struct dump d = {.st = st, .out = out, .root = "", .err = err};
    bool reading = false;
    int rc;

    if (!out)
        return err_set(err, ERR_INVALID, "no output for the dump");
    if (root) {
        d.root = root;
        d.root_len = strlen(root);
        while (d.root_len && root[d.root_len - 1] == '/')
            d.root_len--;
    }
    strbuf_init(&d.line, 256);
    strbuf_init(&d.tmp, 128);
    rc = store_read_begin(st, &reading, err);
    for (size_t i = 0; !rc && i < ARRAY_SIZE(sections); i++)
        rc = dump_section(&d, &sections[i]);
    store_read_end(st, reading);
    if (!rc && fflush(out) != 0)
        rc = err_set(err, ERR_IO, "cannot write the dump: %s", strerror(errno));
    strbuf_release(&d.line);
    strbuf_release(&d.tmp);
    arena_release(&d.mem);
    return rc;
}
