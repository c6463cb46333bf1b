/*
 * idx_ccdb.c - reads compile_commands.json (the JSON compilation database of clang's
 * documentation) into a list of entries with canonical paths and argument vectors.
 *
 * The database is untrusted input: it may be huge, deeply nested, or wrong in any field. The
 * size is checked before reading, jansson enforces its own nesting limit, and an entry that is
 * wrong is skipped with a warning rather than failing the whole load. Paths are made canonical
 * here so that the rest of the indexer sees one spelling per file.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "idx_int.h"

static void ccdb_warn(struct idx_ccdb *db, size_t *walloc, size_t index, const char *problem)
{
    ALLOC_GROW(db->warnings, db->nwarnings + 1, *walloc);
    db->warnings[db->nwarnings++] = xasprintf("entry %zu: %s", index, problem);
}

/* Fills argv from a JSON array of strings; returns a problem description or NULL. */
static const char *ccdb_arguments(char ***argv, size_t *argc, json_t *args)
{
    size_t n = json_array_size(args);
    char **out;

    if (n == 0)
        return "'arguments' is empty";
    for (size_t i = 0; i < n; i++)
        if (!json_is_string(json_array_get(args, i)))
            return "'arguments' holds a value that is not a string";
    out = xcalloc(n + 1, sizeof(*out));
    for (size_t i = 0; i < n; i++)
        out[i] = xstrdup(json_string_value(json_array_get(args, i)));
    *argv = out;
    *argc = n;
    return NULL;
}

/*
 * Converts one array element into db->entries[db->n]. Returns 0 when it was added, 1 when it
 * was skipped (the warning is recorded).
 */
static int ccdb_entry_add(struct idx_ccdb *db, size_t *alloc, size_t *walloc, json_t *obj,
                          size_t index, const char *ccdb_dir)
{
    json_t *jfile, *jdir, *jargs, *jcmd;
    struct idx_ccdb_entry e = {0};
    struct err serr = {0};
    const char *problem = NULL;

    if (!json_is_object(obj)) {
        ccdb_warn(db, walloc, index, "not an object");
        return 1;
    }
    jfile = json_object_get(obj, "file");
    jdir = json_object_get(obj, "directory");
    jargs = json_object_get(obj, "arguments");
    jcmd = json_object_get(obj, "command");
    if (!jfile)
        problem = "missing 'file'";
    else if (!json_is_string(jfile))
        problem = "'file' is not a string";
    else if (json_string_length(jfile) == 0)
        problem = "'file' is empty";
    else if (!jdir)
        problem = "missing 'directory'";
    else if (!json_is_string(jdir))
        problem = "'directory' is not a string";
    else if (json_string_length(jdir) == 0)
        problem = "'directory' is empty";
    else if (jargs && !json_is_array(jargs))
        problem = "'arguments' is not an array";
    else if (!jargs && !jcmd)
        problem = "neither 'arguments' nor 'command'";
    else if (!jargs && !json_is_string(jcmd))
        problem = "'command' is not a string";
    else if (strlen(json_string_value(jfile)) != json_string_length(jfile) ||
             strlen(json_string_value(jdir)) != json_string_length(jdir))
        problem = "a path holds a NUL character";
    if (problem) {
        ccdb_warn(db, walloc, index, problem);
        return 1;
    }

    if (jargs) {
        problem = ccdb_arguments(&e.argv, &e.argc, jargs);
        if (problem) {
            ccdb_warn(db, walloc, index, problem);
            return 1;
        }
    } else {
        if (idx_shell_split(&e.argv, &e.argc, json_string_value(jcmd), &serr) < 0) {
            char *msg = xasprintf("cannot split 'command': %s", serr.msg);
            ccdb_warn(db, walloc, index, msg);
            free(msg);
            return 1;
        }
        if (e.argc == 0) {
            idx_argv_free(e.argv, e.argc);
            ccdb_warn(db, walloc, index, "'command' is empty");
            return 1;
        }
    }

    e.directory = idx_path_canonical_memo(ccdb_dir, json_string_value(jdir));
    e.file = idx_path_canonical(e.directory, json_string_value(jfile));
    e.index = index;
    ALLOC_GROW(db->entries, db->n + 1, *alloc);
    db->entries[db->n++] = e;
    return 0;
}

/* qsort is not stable: sorting (file, position) pairs keeps one file's entries in file order. */
struct ccdb_sortkey {
    const char *file;
    size_t pos;
};

static int ccdb_sortkey_cmp(const void *a, const void *b)
{
    const struct ccdb_sortkey *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    if (c)
        return c;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

static void ccdb_build_index(struct idx_ccdb *db)
{
    struct ccdb_sortkey *keys;

    if (!db->n)
        return;
    keys = xcalloc(db->n, sizeof(*keys));
    for (size_t i = 0; i < db->n; i++) {
        keys[i].file = db->entries[i].file;
        keys[i].pos = i;
    }
    qsort(keys, db->n, sizeof(*keys), ccdb_sortkey_cmp);
    db->by_file = xcalloc(db->n, sizeof(*db->by_file));
    for (size_t i = 0; i < db->n; i++)
        db->by_file[i] = keys[i].pos;
    free(keys);
}

int idx_ccdb_parse(struct idx_ccdb *out, const char *name, const char *base_dir, const char *data,
                   size_t len, struct err *err)
{
    size_t alloc = 0, walloc = 0;
    json_t *root = NULL;
    json_error_t jerr;
    char *cwd = NULL;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    if (len > IDX_CCDB_MAX_BYTES) {
        rc = err_set(err, ERR_LIMIT, "compile database '%s' is too large: %zu bytes (limit %zu)",
                     name, len, IDX_CCDB_MAX_BYTES);
        goto out;
    }
    if (len == 0) {
        rc = err_set(err, ERR_INVALID, "compile database '%s' is empty", name);
        goto out;
    }
    root = json_loadb(data, len, JSON_DECODE_ANY, &jerr);
    if (!root) {
        rc = err_set(err, ERR_INVALID, "compile database '%s' is not valid JSON: %s (line %d)",
                     name, jerr.text, jerr.line);
        goto out;
    }
    if (!json_is_array(root)) {
        rc = err_set(err, ERR_INVALID,
                     "compile database '%s' must hold a JSON array of command objects", name);
        goto out;
    }
    if (!base_dir) {
        cwd = path_real(".");
        base_dir = cwd ? cwd : "/";
    }
    for (size_t i = 0; i < json_array_size(root); i++)
        ccdb_entry_add(out, &alloc, &walloc, json_array_get(root, i), i, base_dir);
    ccdb_build_index(out);
out:
    json_decref(root);
    free(cwd);
    return rc;
}

int idx_ccdb_load(struct idx_ccdb *out, const char *path, struct err *err)
{
    char *data = NULL, *real = NULL, *dir = NULL, *slash;
    size_t len = 0;
    int64_t size;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    size = fs_file_size(path);
    if (size > (int64_t)IDX_CCDB_MAX_BYTES) {
        rc = err_set(err, ERR_LIMIT, "compile database '%s' is too large: %lld bytes (limit %zu)",
                     path, (long long)size, IDX_CCDB_MAX_BYTES);
        goto out;
    }
    rc = fs_read_file(&data, &len, path, IDX_CCDB_MAX_BYTES, err);
    if (rc < 0) {
        err_wrap(err, "cannot read compile database");
        goto out;
    }
    /* relative directories are relative to where the database is, wherever we run from */
    real = path_real(path);
    if (!real) {
        rc = err_set(err, ERR_IO, "cannot resolve the path of '%s'", path);
        goto out;
    }
    slash = strrchr(real, '/');
    dir = slash == real ? xstrdup("/") : xstrndup(real, (size_t)(slash - real));
    rc = idx_ccdb_parse(out, path, dir, data, len, err);
out:
    free(data);
    free(real);
    free(dir);
    return rc;
}

void idx_ccdb_release(struct idx_ccdb *db)
{
    if (!db)
        return;
    for (size_t i = 0; i < db->n; i++) {
        free(db->entries[i].file);
        free(db->entries[i].directory);
        idx_argv_free(db->entries[i].argv, db->entries[i].argc);
    }
    free(db->entries);
    for (size_t i = 0; i < db->nwarnings; i++)
        free(db->warnings[i]);
    free(db->warnings);
    free(db->by_file);
    memset(db, 0, sizeof(*db));
}

/* Position in by_file of the first entry whose file is not less than file. */
static size_t ccdb_lower_bound(const struct idx_ccdb *db, const char *file)
{
    size_t lo = 0, hi = db->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(db->entries[db->by_file[mid]].file, file) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct idx_ccdb_entry *idx_ccdb_find(const struct idx_ccdb *db, const char *file)
{
    size_t k;

    if (!db || !db->n || !file)
        return NULL;
    k = ccdb_lower_bound(db, file);
    if (k < db->n && strcmp(db->entries[db->by_file[k]].file, file) == 0)
        return &db->entries[db->by_file[k]];
    return NULL;
}

const struct idx_ccdb_entry *idx_ccdb_find_next(const struct idx_ccdb *db,
                                                const struct idx_ccdb_entry *e)
{
    size_t k, pos;

    if (!db || !e || !db->n)
        return NULL;
    pos = (size_t)(e - db->entries);
    /* equal files sort by position, so e's successor in by_file is the next alternative */
    for (k = ccdb_lower_bound(db, e->file); k < db->n && db->by_file[k] != pos; k++)
        ;
    if (k + 1 < db->n && strcmp(db->entries[db->by_file[k + 1]].file, e->file) == 0)
        return &db->entries[db->by_file[k + 1]];
    return NULL;
}
