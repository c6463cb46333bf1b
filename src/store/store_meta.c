/*
 * store_meta.c - cache_metadata, parse errors, header tracking, file records, and the names of
 * the store's enums (kinds, access, match modes) shared by every interface.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

static const char *const kind_names[STORE_KIND_COUNT_] = {
    [STORE_KIND_UNKNOWN] = "unknown",
    [STORE_KIND_NAMESPACE] = "namespace",
    [STORE_KIND_CLASS] = "class",
    [STORE_KIND_STRUCT] = "struct",
    [STORE_KIND_UNION] = "union",
    [STORE_KIND_ENUM] = "enum",
    [STORE_KIND_ENUM_CONSTANT] = "enum_constant",
    [STORE_KIND_FUNCTION] = "function",
    [STORE_KIND_METHOD] = "method",
    [STORE_KIND_CONSTRUCTOR] = "constructor",
    [STORE_KIND_DESTRUCTOR] = "destructor",
    [STORE_KIND_CONVERSION] = "conversion",
    [STORE_KIND_FIELD] = "field",
    [STORE_KIND_VARIABLE] = "variable",
    [STORE_KIND_TYPEDEF] = "typedef",
    [STORE_KIND_TYPE_ALIAS] = "type_alias",
    [STORE_KIND_MACRO] = "macro",
    [STORE_KIND_CONCEPT] = "concept",
};

const char *store_kind_name(enum store_kind kind)
{
    if ((unsigned)kind >= STORE_KIND_COUNT_)
        return "unknown";
    return kind_names[kind];
}

int store_kind_parse(const char *name)
{
    if (!name)
        return STORE_KIND_UNKNOWN;
    for (int i = 0; i < STORE_KIND_COUNT_; i++)
        if (!strcmp(kind_names[i], name))
            return i;
    return STORE_KIND_UNKNOWN;
}

unsigned store_kind_mask_parse(const char *name)
{
    int k;
    if (!name)
        return 0;
    if (!strcmp(name, "types"))
        return STORE_KINDS_TYPES;
    if (!strcmp(name, "functions"))
        return STORE_KINDS_FUNCTIONS;
    k = store_kind_parse(name);
    return k == STORE_KIND_UNKNOWN ? 0 : STORE_KIND_BIT(k);
}

const char *store_access_name(enum store_access a)
{
    switch (a) {
    case STORE_ACCESS_PUBLIC:
        return "public";
    case STORE_ACCESS_PROTECTED:
        return "protected";
    case STORE_ACCESS_PRIVATE:
        return "private";
    default:
        return "";
    }
}

static const char *const match_names[STORE_MATCH_COUNT_] = {
    "auto", "exact", "prefix", "words", "substring", "qualified", "regex"};

const char *store_match_name(enum store_match m)
{
    return (unsigned)m < STORE_MATCH_COUNT_ ? match_names[m] : "unknown";
}

int store_match_parse(const char *name)
{
    for (int i = 0; name && i < STORE_MATCH_COUNT_; i++)
        if (!strcmp(match_names[i], name))
            return i;
    return -1;
}

int store_meta_get(struct store *st, const char *key, char **out, struct err *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_META_GET);
    int rc;
    *out = NULL;
    if (!s)
        return store_db_err(st, err, sqlite3_errcode(st->db), "cannot read metadata");
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        *out = xstrdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_db_err(st, err, rc, "cannot read metadata");
    return 0;
}

int store_meta_set(struct store *st, const char *key, const char *value, struct err *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_META_SET);
    int rc;
    if (!s)
        return store_db_err(st, err, sqlite3_errcode(st->db), "cannot write metadata");
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, value ? value : "", -1, SQLITE_STATIC);
    sqlite3_bind_double(s, 3, time_now());
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_db_err(st, err, rc, "cannot write metadata");
    return 0;
}

/* Runs fn inside a write transaction unless a bulk group already holds one. */
static int in_txn(struct store *st, struct err *err,
                  int (*fn)(struct store *, const void *, struct err *), const void *arg)
{
    bool own = !st->bulk_txn_open;
    int rc = own ? store_txn_begin(st, err) : 0;
    if (rc)
        return rc;
    rc = fn(st, arg, err);
    if (own) {
        if (rc)
            store_txn_rollback(st);
        else
            rc = store_txn_commit(st, err);
    }
    return rc;
}

static int perr_add(struct store *st, const void *arg, struct err *err)
{
    const struct store_parse_error *pe = arg;
    sqlite3_stmt *s;
    int64_t fid;
    int rc = store_file_ensure(st, pe->path, true, &fid, err);
    if (rc)
        return rc;
    s = store_stmt(st, STMT_PERR_INSERT);
    if (!s)
        return store_db_err(st, err, sqlite3_errcode(st->db), "cannot record a parse error");
    sqlite3_bind_int64(s, 1, fid);
    sqlite3_bind_text(s, 2, pe->error_type ? pe->error_type : "error", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, pe->message ? pe->message : "", -1, SQLITE_STATIC);
    store_bind_text(s, 4, pe->stack_trace);
    sqlite3_bind_text(s, 5, pe->file_hash ? pe->file_hash : "", -1, SQLITE_STATIC);
    store_bind_text(s, 6, pe->args_hash);
    sqlite3_bind_int(s, 7, pe->retry_count);
    sqlite3_bind_double(s, 8, time_now());
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : store_db_err(st, err, rc, "cannot record a parse error");
}

int store_parse_error_add(struct store *st, const struct store_parse_error *pe, struct err *err)
{
    if (!pe || !pe->path || !*pe->path)
        return err_set(err, ERR_INVALID, "a parse error needs a file path");
    return in_txn(st, err, perr_add, pe);
}

static int perr_clear(struct store *st, const void *arg, struct err *err)
{
    sqlite3_stmt *s;
    int64_t fid = 0;
    int rc = store_file_ensure(st, arg, false, &fid, err);
    if (rc || !fid)
        return rc;
    s = store_stmt(st, STMT_PERR_CLEAR);
    if (!s)
        return store_db_err(st, err, sqlite3_errcode(st->db), "cannot clear parse errors");
    sqlite3_bind_int64(s, 1, fid);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : store_db_err(st, err, rc, "cannot clear parse errors");
}

int store_parse_error_clear(struct store *st, const char *path, struct err *err)
{
    if (!path)
        return err_set(err, ERR_INVALID, "no file path given");
    return in_txn(st, err, perr_clear, path);
}

struct claim {
    const char *header, *by, *hash, *args_hash;
};

static int header_claim(struct store *st, const void *arg, struct err *err)
{
    const struct claim *c = arg;
    int64_t hid, pid;
    sqlite3_stmt *s;
    int rc = store_file_ensure(st, c->header, true, &hid, err);
    if (!rc)
        rc = store_file_ensure(st, c->by, true, &pid, err);
    if (rc)
        return rc;
    s = store_stmt(st, STMT_HEADER_CLAIM);
    if (!s)
        return store_db_err(st, err, sqlite3_errcode(st->db), "cannot track a header");
    sqlite3_bind_int64(s, 1, hid);
    sqlite3_bind_int64(s, 2, pid);
    sqlite3_bind_text(s, 3, c->hash ? c->hash : "", -1, SQLITE_STATIC);
    store_bind_text(s, 4, c->args_hash);
    sqlite3_bind_double(s, 5, time_now());
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : store_db_err(st, err, rc, "cannot track a header");
}

int store_header_claim(struct store *st, const char *header, const char *processed_by,
                       const char *hash, const char *args_hash, struct err *err)
{
    struct claim c = {header, processed_by, hash, args_hash};
    if (!header || !processed_by)
        return err_set(err, ERR_INVALID, "a header claim needs both paths");
    return in_txn(st, err, header_claim, &c);
}

int store_file_get(struct store *st, const char *path, struct store_file_info *out, struct err *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_FILE_GET);
    int rc;
    memset(out, 0, sizeof(*out));
    if (!s)
        return store_db_err(st, err, sqlite3_errcode(st->db), "cannot read a file record");
    sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const char *a = (const char *)sqlite3_column_text(s, 2);
        out->path = xstrdup((const char *)sqlite3_column_text(s, 0));
        out->hash = xstrdup((const char *)sqlite3_column_text(s, 1));
        out->args_hash = a ? xstrdup(a) : NULL;
        out->mtime_ns = sqlite3_column_int64(s, 3);
        out->size = sqlite3_column_int64(s, 4);
        out->indexed_at = sqlite3_column_double(s, 5);
        out->symbol_count = sqlite3_column_int64(s, 6);
        out->is_project = sqlite3_column_int(s, 7) != 0;
        out->is_header = sqlite3_column_int(s, 8) != 0;
    }
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return err_set(err, ERR_NOTFOUND, "'%s' is not in the cache", path);
    if (rc != SQLITE_ROW)
        return store_db_err(st, err, rc, "cannot read a file record");
    return 0;
}

void store_file_info_release(struct store_file_info *fi)
{
    if (!fi)
        return;
    free(fi->path);
    free(fi->hash);
    free(fi->args_hash);
    memset(fi, 0, sizeof(*fi));
}
