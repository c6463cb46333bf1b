/*
 * test_legacy.c - the legacy JSON cache (spec LEGACY_JSON.md): migrating it in (every record,
 * verified, with a backup and the marker, twice changing nothing), exporting it back (the
 * format's rules; export -> import -> export identical apart from timestamps, also from a cache
 * cidx indexed itself), hostile and broken input (a message naming the file and the problem,
 * nothing half-imported, the JSON never modified), a failed verification, the automatic
 * migration when a cache directory is opened, and kill -9 at every phase of a migration.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "legacy_gen.h"
#include "synth.h"
#include "testutil.h"
#include "tu_child.h"
#include "tu_symgen.h"

/* ---- helpers ---------------------------------------------------------------------------- */

static void put(const char *dir, const char *rel, const char *text)
{
    char *p = path_join(dir, rel);
    char *slash = strrchr(p, '/');
    struct err e = {0};
    *slash = '\0';
    TU_OK(fs_mkdir_p(p, &e), &e);
    *slash = '/';
    TU_OK(fs_write_file_atomic(p, text, strlen(text), &e), &e);
    free(p);
}

static char *slurp(const char *path)
{
    struct err e = {0};
    char *buf = NULL;
    size_t len = 0;
    TU_OK(fs_read_file(&buf, &len, path, (size_t)1 << 30, &e), &e);
    return buf;
}

/* Names in a legacy directory that belong to cidx (never to the JSON cache). */
static bool cidx_owned(const char *name)
{
    return str_starts_with(name, "symbols.db") || str_starts_with(name, ".cidx-") ||
           str_starts_with(name, "json-backup.") || str_starts_with(name, "json-replaced.") ||
           !strcmp(name, ".migrated_to_sqlite");
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "relpath digest" lines of every file under dir, sorted; top-level cidx names skipped. */
static void digest_dir(struct strbuf *out, const char *dir, const char *rel, bool top)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, alloc = 0;
    if (!d)
        return;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (top && cidx_owned(de->d_name))
            continue;
        ALLOC_GROW(names, n + 1, alloc);
        names[n++] = xstrdup(de->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), cmp_cstr);
    for (size_t i = 0; i < n; i++) {
        char *p = path_join(dir, names[i]);
        char *r = *rel ? xasprintf("%s/%s", rel, names[i]) : xstrdup(names[i]);
        if (fs_is_dir(p)) {
            digest_dir(out, p, r, false);
        } else {
            int64_t size = fs_file_size(p);
            char hex[33] = "big";
            if (size < (1 << 26)) {
                char *data = slurp(p);
                hash_bytes_hex(hex, data, (size_t)size);
                free(data);
            }
            strbuf_addf(out, "%s %lld %s\n", r, (long long)size, hex);
        }
        free(p);
        free(r);
        free(names[i]);
    }
    free(names);
}

static char *digest(const char *dir)
{
    struct strbuf sb = STRBUF_INIT;
    digest_dir(&sb, dir, "", true);
    return strbuf_detach(&sb, NULL);
}

static char *dump_of(const char *cache_dir)
{
    struct store *st = tu_open(cache_dir, STORE_OPEN_EXISTING);
    struct err e = {0};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    TU_OK(store_dump(st, f, NULL, &e), &e);
    fclose(f);
    store_close(st);
    return buf;
}

static int migrate(const char *legacy, const char *cache, bool force,
                   struct store_legacy_report *rep, struct err *e)
{
    struct store_legacy_opts o = {legacy, cache, force, NULL, NULL};
    return store_legacy_migrate(&o, rep, e);
}

static int export_to(const char *cache_dir, const char *dir, bool force,
                     struct store_legacy_export_report *rep, struct err *e)
{
    struct store_legacy_export_opts o = {dir, force, NULL, NULL};
    struct store *st = tu_open(cache_dir, STORE_OPEN_EXISTING);
    int rc = store_legacy_export(st, &o, rep, e);
    store_close(st);
    return rc;
}

static bool exists_in(const char *dir, const char *name)
{
    char *p = path_join(dir, name);
    bool r = fs_exists(p);
    free(p);
    return r;
}

/* How many entries of dir start with prefix. */
static int count_prefix(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;
    while (d && (de = readdir(d)) != NULL)
        n += str_starts_with(de->d_name, prefix);
    if (d)
        closedir(d);
    return n;
}

/* A legacy file with every "timestamp" and "timestamp_readable" value blanked. */
static char *untimed(const char *text)
{
    struct strbuf sb = STRBUF_INIT;
    const char *p = text;
    for (;;) {
        const char *t = strstr(p, "\"timestamp");
        const char *v;
        if (!t) {
            strbuf_adds(&sb, p);
            break;
        }
        v = strchr(t + 1, '"');
        strbuf_add(&sb, p, (size_t)(v + 1 - p));
        p = v + 1;
        if (strncmp(p, ": ", 2) != 0)
            continue;
        strbuf_adds(&sb, ": T");
        p += 2;
        if (*p == '"')
            p = strchr(p + 1, '"') + 1;
        else
            while (*p && *p != ',' && *p != '}' && *p != '\n')
                p++;
    }
    return strbuf_detach(&sb, NULL);
}

/* Every file of an exported directory, timestamps blanked, as one text. */
static void untimed_dir(struct strbuf *out, const char *dir, const char *rel)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, alloc = 0;
    assert_non_null(d);
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || cidx_owned(de->d_name))
            continue;
        ALLOC_GROW(names, n + 1, alloc);
        names[n++] = xstrdup(de->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), cmp_cstr);
    for (size_t i = 0; i < n; i++) {
        char *p = path_join(dir, names[i]);
        char *r = *rel ? xasprintf("%s/%s", rel, names[i]) : xstrdup(names[i]);
        if (fs_is_dir(p)) {
            untimed_dir(out, p, r);
        } else {
            char *text = slurp(p), *u = untimed(text);
            strbuf_addf(out, "=== %s\n%s", r, u);
            free(text);
            free(u);
        }
        free(p);
        free(r);
        free(names[i]);
    }
    free(names);
}

static char *untimed_export(const char *dir)
{
    struct strbuf sb = STRBUF_INIT;
    untimed_dir(&sb, dir, "");
    return strbuf_detach(&sb, NULL);
}

/* ---- the fixture: the spec's example and the cases around it ----------------------------- */

#define SYM(name, kind, file, line, ns, parent, bases, usr, calls, called_by)                      \
    "{\"name\": \"" name "\", \"kind\": \"" kind "\", \"file\": \"" file "\", \"line\": " #line    \
    ", \"column\": 5, \"signature\": \"\", \"is_project\": true, \"namespace\": \"" ns             \
    "\", \"access\": \"public\", \"parent_class\": \"" parent "\", \"base_classes\": [" bases      \
    "], \"usr\": \"" usr "\", \"calls\": [" calls "], \"called_by\": [" called_by "]}"

#define MAIN_CPP "/home/u/proj/src/main.cpp"
#define WIDGET_H "/home/u/proj/include/widget.h"

static const char fixture_info[] =
    "{\n"
    "  \"version\": \"2.0\", \"include_dependencies\": true,\n"
    "  \"config_file_path\": null, \"config_file_mtime\": null,\n"
    "  \"compile_commands_path\": \"/home/u/proj/compile_commands.json\",\n"
    "  \"compile_commands_mtime\": 1731800000.25,\n"
    "  \"class_index\": {\"Widget\": [{\"name\": \"Widget\", \"kind\": \"class\",\n"
    "     \"file\": \"" WIDGET_H "\", \"line\": 4, \"column\": 7, \"signature\": \"\",\n"
    "     \"is_project\": true, \"namespace\": \"\", \"access\": \"public\", \"parent_class\": "
    "\"\",\n"
    "     \"base_classes\": [\"Base\"], \"usr\": \"c:@S@Widget\", \"calls\": [], \"called_by\": "
    "[]}],\n"
    "    \"Panel\": [" SYM(
        "Panel", "class", WIDGET_H, 20, "ui", "", "", "c:@N@ui@S@Panel", "",
        "") "],\n"
            "    \"Button\": [" SYM(
                "Button", "struct", WIDGET_H, 30, "ui", "",
                "\"ui::Panel\", "
                "\"Base\", \"ui::Panel\"",
                "c:@N@ui@S@Button", "",
                "") "]},\n"
                    "  \"function_index\": {\"main\": [{\"name\": \"main\", \"kind\": "
                    "\"function\",\n"
                    "     \"file\": \"" MAIN_CPP
                    "\", \"line\": 3, \"column\": 5, \"signature\": \"int ()\",\n"
                    "     \"is_project\": true, \"namespace\": \"\", \"access\": \"public\", "
                    "\"parent_class\": "
                    "\"\",\n"
                    "     \"base_classes\": [], \"usr\": \"c:@F@main#\", \"calls\": "
                    "[\"c:@S@Widget@F@draw#\"],\n"
                    "     \"called_by\": []}],\n"
                    "    \"draw\": [" SYM(
                        "draw", "method", WIDGET_H, 6, "", "Widget", "", "c:@S@Widget@F@draw#",
                        "\"c:@F@printf\"",
                        "") "],\n"
                            "    \"helper\": [" SYM(
                                "helper", "function", MAIN_CPP, 40, "", "", "", "",
                                "\"c:@F@main#\"",
                                "") ", " SYM("helper", "function", MAIN_CPP, 40, "", "", "", "", "",
                                             "") "],\n"
                                                 "    \"dup\": [" SYM(
                                                     "dup", "function", MAIN_CPP, 50, "", "", "",
                                                     "c:@F@dup#", "\"c:@F@main#\"",
                                                     "") ", " SYM("dup", "function", MAIN_CPP, 50,
                                                                  "", "", "", "c:@F@dup#",
                                                                  "\"c:@F@abort\"",
                                                                  "\"c:@F@ghost#\"") "]},\n"
                                                                                     "  "
                                                                                     "\"file_"
                                                                                     "hashes\": "
                                                                                     "{\"" MAIN_CPP
                                                                                     "\": "
                                                                                     "\"fb18388bff2"
                                                                                     "e2761c8c56dbb"
                                                                                     "bccd182a\"},"
                                                                                     "\n"
                                                                                     "  "
                                                                                     "\"indexed_"
                                                                                     "file_count\":"
                                                                                     " 1, "
                                                                                     "\"timestamp\""
                                                                                     ": "
                                                                                     "1731800100."
                                                                                     "5\n"
                                                                                     "}\n";

static const char fixture_file[] =
    "{\"version\": \"1.2\", \"file_path\": \"" MAIN_CPP "\", \"file_hash\": "
    "\"fb18388bff2e2761c8c56dbbbccd182a\", \"compile_args_hash\": \"args1\", \"timestamp\": "
    "1731800100.5, \"success\": true, \"error_message\": null, \"retry_count\": 2, \"symbols\": "
    "[" SYM("local", "function", MAIN_CPP, 60, "", "", "", "c:main.cpp@F@local#", "", "") "]}\n";

static const char fixture_file_11[] =
    "{\"version\": \"1.1\", \"file_path\": \"/home/u/proj/src/old.cpp\", \"file_hash\": \"0ld\", "
    "\"compile_args_hash\": null, \"timestamp\": 1731800000, \"symbols\": []}\n";

static const char fixture_failed[] =
    "{\"version\": \"1.2\", \"file_path\": \"/home/u/proj/src/bad.cpp\", \"file_hash\": "
    "\"badhash\", \"compile_args_hash\": null, \"timestamp\": 1731800100.5, \"success\": false, "
    "\"error_message\": \"libclang could not parse it\", \"retry_count\": 3, \"symbols\": []}\n";

static const char fixture_tracker[] =
    "{\"version\": \"1.0\", \"compile_commands_hash\": \"cc123\", \"processed_headers\": "
    "{\"" WIDGET_H "\": \"aaa\"}, \"timestamp\": 1731800100.5}\n";

static const char fixture_errors[] =
    "{\"timestamp\": 1731800000.0, \"timestamp_readable\": \"2024-11-17T00:13:20\", "
    "\"file_path\": \"/home/u/proj/src/bad.cpp\", \"error_type\": \"parse_error\", "
    "\"error_message\": \"boom\", \"stack_trace\": \"Traceback...\", \"file_hash\": \"badhash\", "
    "\"compile_args_hash\": null, \"retry_count\": 1}\n"
    "\n"
    "{\"timestamp\": 1731800001, \"timestamp_readable\": \"2024-11-17T00:13:21\", "
    "\"file_path\": \"/home/u/proj/src/bad.cpp\", \"error_type\": \"crash\", \"error_message\": "
    "\"signal 11\", \"stack_trace\": null, \"file_hash\": \"badhash\", \"compile_args_hash\": "
    "\"a\", \"retry_count\": 2}\n";

static void put_perfile(const char *dir, const char *path, const char *text)
{
    char name[38], *rel;
    store_legacy_file_name(name, path);
    rel = xasprintf("files/%s", name);
    put(dir, rel, text);
    free(rel);
}

/* The fixture: 3 classes, main, draw, 2 usr-less helpers, dup (twice), local; 3 per-file caches
 * (one "1.1", one failed), the tracker, 2 parse errors, an indexing_progress.json, and two files
 * the format does not have (a leftover in files/, notes at the top). */
static char *make_fixture(const char *tag)
{
    char *dir = tu_tmpdir(tag);
    put(dir, "cache_info.json", fixture_info);
    put_perfile(dir, MAIN_CPP, fixture_file);
    put_perfile(dir, "/home/u/proj/src/old.cpp", fixture_file_11);
    put_perfile(dir, "/home/u/proj/src/bad.cpp", fixture_failed);
    put(dir, "header_tracker.json", fixture_tracker);
    put(dir, "parse_errors.jsonl", fixture_errors);
    put(dir, "indexing_progress.json", "{\"done\": 3}\n");
    /* not part of the format: copied into the backup, never read */
    put(dir, "files/1375538d8308b5f5a838436d828d5614.json.tmp", "{half a fi");
    put(dir, "notes.txt", "the team's notes\n");
    return dir;
}

#define FIXTURE_SYMBOLS 9

static void assert_has(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("expected to find\n  %s\nin\n%s", needle, hay);
}

/* ---- migration ----------------------------------------------------------------------------- */

static void test_migrate_fixture(void **state)
{
    char *dir = make_fixture("mig"), *before = digest(dir), *after, *dump, *bak, *bak_digest;
    struct store_legacy_report rep;
    struct err e = {0};

    (void)state;
    TU_OK(migrate(dir, NULL, false, &rep, &e), &e);
    assert_true(rep.migrated);
    assert_int_equal(rep.symbols, FIXTURE_SYMBOLS);
    assert_int_equal(rep.records, FIXTURE_SYMBOLS + 1); /* dup twice */
    assert_int_equal(rep.no_usr, 2);
    assert_int_equal(rep.verified, FIXTURE_SYMBOLS);
    assert_int_equal(rep.sources, 3);
    assert_int_equal(rep.headers, 1);
    assert_int_equal(rep.parse_errors, 2);
    assert_int_equal(rep.bases, 3); /* Widget: Base; Button: ui::Panel, Base (once each) */
    assert_true(exists_in(dir, STORE_DB_NAME));
    assert_true(exists_in(dir, STORE_LEGACY_MARKER));
    assert_false(exists_in(dir, ".cidx-migrate.tmp"));

    /* the JSON files are exactly as they were, and the backup holds the same bytes */
    after = digest(dir);
    assert_string_equal(before, after);
    assert_non_null(rep.backup_dir);
    bak = xstrdup(rep.backup_dir);
    bak_digest = digest(bak);
    assert_string_equal(before, bak_digest);

    tu_assert_dir_healthy(dir);
    dump = dump_of(dir);
    /* base classes: resolved by qualified name, else a stand-in named by the spelling */
    assert_has(dump, "base ui::Button -> ui::Panel public at=" WIDGET_H ":30:5");
    assert_has(dump, "base ui::Button -> Base public at=" WIDGET_H ":30:6");
    assert_has(dump, "base Widget -> Base public at=" WIDGET_H ":4:7");
    /* calls from both sides, and to a library function; a caller the data has no record of */
    assert_has(dump, "ref " MAIN_CPP ":3:5 Widget::draw usr=c:@S@Widget@F@draw# roles=call "
                     "context=main");
    assert_has(dump, "ref " WIDGET_H ":6:5 printf usr=c:@F@printf roles=call");
    assert_has(dump, "dup usr=c:@F@dup# roles=call");
    assert_has(dump, "context_usr=c:@F@ghost#");
    /* the usr-less helpers are two symbols, the first calling main */
    assert_int_equal(tu_count(dump, "symbol helper function usr=cidx-legacy:nousr:"), 2);
    assert_int_equal(tu_count(dump, "main usr=c:@F@main# roles=call context=helper"), 1);
    /* per-file states, parse errors, the tracker */
    assert_has(dump, "error /home/u/proj/src/bad.cpp legacy_failed retries=3");
    assert_has(dump, "error " MAIN_CPP " legacy_retried retries=2");
    assert_has(dump, "error /home/u/proj/src/bad.cpp crash retries=2 message='signal 11'");
    assert_has(dump, "header " WIDGET_H " hash=aaa");
    assert_has(dump, "file " MAIN_CPP " source project symbols=5 "
                     "hash=fb18388bff2e2761c8c56dbbbccd182a");
    assert_has(dump, "file /home/u/proj/src/old.cpp source project symbols=0 hash=0ld");

    free(bak);
    free(bak_digest);
    free(dump);
    free(after);
    free(before);
    store_legacy_report_release(&rep);
    tu_rmtree(dir);
    free(dir);
}

static void test_migrate_twice_changes_nothing(void **state)
{
    char *dir = make_fixture("twice"), *other = tu_tmpdir("twice-b"), *d1, *d2, *d3, *db;
    char *marker;
    struct store_legacy_report rep;
    struct err e = {0};
    struct stat s1, s2;

    (void)state;
    TU_OK(migrate(dir, NULL, false, &rep, &e), &e);
    store_legacy_report_release(&rep);
    d1 = dump_of(dir);
    db = path_join(dir, STORE_DB_NAME);
    assert_int_equal(stat(db, &s1), 0);

    /* again: nothing to do, nothing touched, no second backup */
    TU_OK(migrate(dir, NULL, false, &rep, &e), &e);
    assert_false(rep.migrated);
    store_legacy_report_release(&rep);
    assert_int_equal(stat(db, &s2), 0);
    assert_int_equal(s1.st_ino, s2.st_ino);
    assert_int_equal(s1.st_mtime, s2.st_mtime);
    assert_int_equal(count_prefix(dir, "json-backup."), 1);
    d2 = dump_of(dir);
    assert_string_equal(d1, d2);

    /* the marker lost after the database went in place: only the marker is written */
    marker = path_join(dir, STORE_LEGACY_MARKER);
    assert_int_equal(unlink(marker), 0);
    TU_OK(migrate(dir, NULL, false, &rep, &e), &e);
    assert_false(rep.migrated);
    store_legacy_report_release(&rep);
    assert_true(fs_exists(marker));
    assert_int_equal(stat(db, &s2), 0);
    assert_int_equal(s1.st_ino, s2.st_ino);

    /* migrating once more elsewhere gives the same cache, byte for byte in the dump */
    TU_OK(migrate(dir, other, true, &rep, &e), &e);
    assert_true(rep.migrated);
    store_legacy_report_release(&rep);
    d3 = dump_of(other);
    assert_string_equal(d1, d3);

    free(d1);
    free(d2);
    free(d3);
    free(db);
    free(marker);
    tu_rmtree(dir);
    tu_rmtree(other);
    free(dir);
    free(other);
}

static void test_force_replaces_a_cache(void **state)
{
    char *dir = make_fixture("force"), *cache = tu_tmpdir("force-cache");
    struct store_legacy_report rep;
    struct store_backup_info *list = NULL;
    struct err e = {0};
    struct store *st;
    size_t n = 0;
    bool found = false;

    (void)state;
    st = tu_open(cache, 0);
    store_close(st);
    assert_int_equal(migrate(dir, cache, false, &rep, &e), ERR_INVALID);
    assert_has(e.msg, "already holds a cidx cache");
    assert_has(e.msg, "--force");
    store_legacy_report_release(&rep);
    assert_false(exists_in(dir, STORE_LEGACY_MARKER));

    TU_OK(migrate(dir, cache, true, &rep, &e), &e);
    assert_true(rep.migrated);
    assert_non_null(rep.replaced);
    store_legacy_report_release(&rep);
    TU_OK(store_backup_list(cache, &list, &n, &e), &e);
    for (size_t i = 0; i < n; i++)
        found |= !strcmp(list[i].reason, "pre-migrate-json");
    assert_true(found);
    store_backup_list_free(list, n);
    tu_assert_dir_healthy(cache);
    tu_rmtree(dir);
    tu_rmtree(cache);
    free(dir);
    free(cache);
}

/* ---- export ------------------------------------------------------------------------------- */

/* Checks an exported directory against the format's rules, record by record. */
static void check_export_rules(const char *dir)
{
    static const char *const keys[] = {
        "name",      "kind",   "file",         "line",         "column", "signature", "is_project",
        "namespace", "access", "parent_class", "base_classes", "usr",    "calls",     "called_by"};
    char *info_path = path_join(dir, STORE_LEGACY_INFO), *text = slurp(info_path);
    json_error_t je;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je), *calls = json_object();
    struct err e = {0};
    const char *idx_names[] = {"class_index", "function_index"};

    if (!root)
        fail_msg("cache_info.json is not JSON: %s", je.text);
    TU_OK(store_legacy_check(STORE_LEGACY_CACHE_INFO, info_path, text, strlen(text), &e), &e);
    assert_string_equal(json_string_value(json_object_get(root, "version")), "2.0");
    for (int x = 0; x < 2; x++) {
        const char *name;
        json_t *arr;
        json_object_foreach(json_object_get(root, idx_names[x]), name, arr)
        {
            size_t i;
            json_t *s;
            json_array_foreach(arr, i, s)
            {
                const char *kind = json_string_value(json_object_get(s, "kind"));
                assert_int_equal(json_object_size(s), 14);
                for (size_t k = 0; k < ARRAY_SIZE(keys); k++)
                    assert_non_null(json_object_get(s, keys[k]));
                assert_string_equal(json_string_value(json_object_get(s, "name")), name);
                if (x == 0)
                    assert_true(!strcmp(kind, "class") || !strcmp(kind, "struct"));
                else
                    assert_true(!strcmp(kind, "function") || !strcmp(kind, "method"));
                /* remember calls to check them against called_by below */
                if (json_string_length(json_object_get(s, "usr")))
                    json_object_set(calls, json_string_value(json_object_get(s, "usr")), s);
            }
        }
    }
    /* A calls B exactly when B is called by A (both known) */
    {
        const char *usr;
        json_t *s;
        json_object_foreach(calls, usr, s)
        {
            size_t i;
            json_t *c;
            json_array_foreach(json_object_get(s, "calls"), i, c)
            {
                json_t *t = json_object_get(calls, json_string_value(c)), *cb;
                size_t j;
                bool back = false;
                if (!t)
                    continue;
                json_array_foreach(json_object_get(t, "called_by"), j, cb) back |=
                    !strcmp(json_string_value(cb), usr);
                if (!back)
                    fail_msg("'%s' calls '%s' but is not in its called_by", usr,
                             json_string_value(c));
            }
        }
    }
    /* every per-file cache and the tracker pass the reader */
    {
        char *files = path_join(dir, "files");
        DIR *d = opendir(files);
        struct dirent *de;
        while (d && (de = readdir(d)) != NULL) {
            char *p, *t;
            if (de->d_name[0] == '.')
                continue;
            p = path_join(files, de->d_name);
            t = slurp(p);
            TU_OK(store_legacy_check(STORE_LEGACY_FILE_CACHE, p, t, strlen(t), &e), &e);
            {
                json_t *f = json_loads(t, 0, NULL);
                char want[38];
                assert_string_equal(json_string_value(json_object_get(f, "version")), "1.2");
                store_legacy_file_name(want, json_string_value(json_object_get(f, "file_path")));
                assert_string_equal(de->d_name, want);
                json_decref(f);
            }
            free(t);
            free(p);
        }
        if (d)
            closedir(d);
        free(files);
    }
    {
        char *p = path_join(dir, "header_tracker.json"), *t = slurp(p);
        TU_OK(store_legacy_check(STORE_LEGACY_HEADER_TRACKER, p, t, strlen(t), &e), &e);
        free(t);
        free(p);
    }
    json_decref(calls);
    json_decref(root);
    free(text);
    free(info_path);
}

static void test_export_fixture(void **state)
{
    char *dir = make_fixture("exp"), *out = tu_tmpdir("exp-out"), *text, *p;
    struct store_legacy_report rep;
    struct store_legacy_export_report xr;
    struct err e = {0};

    (void)state;
    TU_OK(migrate(dir, NULL, false, &rep, &e), &e);
    store_legacy_report_release(&rep);
    /* an empty directory is filled in one rename */
    TU_OK(export_to(dir, out, false, &xr, &e), &e);
    assert_int_equal(xr.symbols, FIXTURE_SYMBOLS);
    assert_int_equal(xr.sources, 3);
    assert_int_equal(xr.parse_errors, 2);
    store_legacy_export_report_release(&xr);
    check_export_rules(out);
    p = path_join(out, STORE_LEGACY_INFO);
    text = slurp(p);
    /* usr-less symbols go back without a usr; lists are united and sorted; metadata kept */
    assert_int_equal(tu_count(text, "\"name\": \"helper\""), 2);
    assert_has(text, "\"usr\": \"\", \"calls\": [\"c:@F@main#\"]");
    assert_has(text, "\"usr\": \"c:@F@dup#\", \"calls\": [\"c:@F@abort\", \"c:@F@main#\"], "
                     "\"called_by\": [\"c:@F@ghost#\"]");
    assert_has(text, "\"usr\": \"c:@F@main#\", \"calls\": [\"c:@S@Widget@F@draw#\"], "
                     "\"called_by\": [\"c:@F@dup#\"]");
    assert_has(text, "\"base_classes\": [\"ui::Panel\", \"Base\"]");
    assert_has(text, "\"compile_commands_mtime\": 1731800000.25");
    assert_has(text, "\"include_dependencies\": true");
    assert_has(text, "\"" MAIN_CPP "\": \"fb18388bff2e2761c8c56dbbbccd182a\"");
    free(text);
    free(p);
    p = path_join(out, "parse_errors.jsonl");
    text = slurp(p);
    assert_int_equal(tu_count(text, "\n"), 2);
    assert_has(text, "\"error_type\": \"crash\"");
    free(text);
    free(p);

    /* a directory with files needs --force; the old files are kept aside */
    assert_int_equal(export_to(dir, out, false, &xr, &e), ERR_INVALID);
    assert_has(e.msg, "is not empty");
    store_legacy_export_report_release(&xr);
    put(out, "unrelated.txt", "keep me\n");
    TU_OK(export_to(dir, out, true, &xr, &e), &e);
    assert_non_null(xr.replaced);
    assert_true(exists_in(xr.replaced, STORE_LEGACY_INFO));
    assert_true(exists_in(xr.replaced, "files"));
    store_legacy_export_report_release(&xr);
    assert_true(exists_in(out, "unrelated.txt"));
    assert_false(exists_in(out, ".cidx-export.tmp"));
    check_export_rules(out);

    /* a file is not a directory */
    p = path_join(out, "unrelated.txt");
    assert_int_equal(export_to(dir, p, true, &xr, &e), ERR_INVALID);
    store_legacy_export_report_release(&xr);
    free(p);
    tu_rmtree(dir);
    tu_rmtree(out);
    free(dir);
    free(out);
}

/* export -> import -> export is byte-identical apart from timestamps, and so are the caches. */
static void round_trip(const char *cache1, const char *tag)
{
    char *root = tu_tmpdir(tag);
    char *e1 = path_join(root, "e1"), *e2 = path_join(root, "e2"), *c2 = path_join(root, "c2");
    char *c3 = path_join(root, "c3"), *e3 = path_join(root, "e3");
    char *t1, *t2, *t3, *d2, *d3;
    struct store_legacy_export_report xr;
    struct store_legacy_report rep;
    struct err e = {0};

    TU_OK(export_to(cache1, e1, false, &xr, &e), &e);
    store_legacy_export_report_release(&xr);
    check_export_rules(e1);
    TU_OK(migrate(e1, c2, false, &rep, &e), &e);
    store_legacy_report_release(&rep);
    tu_assert_dir_healthy(c2);
    TU_OK(export_to(c2, e2, false, &xr, &e), &e);
    store_legacy_export_report_release(&xr);
    t1 = untimed_export(e1);
    t2 = untimed_export(e2);
    assert_string_equal(t1, t2);
    /* and once more: the caches made from the two exports are the same too */
    TU_OK(migrate(e2, c3, false, &rep, &e), &e);
    store_legacy_report_release(&rep);
    TU_OK(export_to(c3, e3, false, &xr, &e), &e);
    store_legacy_export_report_release(&xr);
    t3 = untimed_export(e3);
    assert_string_equal(t1, t3);
    d2 = dump_of(c2);
    d3 = dump_of(c3);
    assert_string_equal(d2, d3);
    free(t1);
    free(t2);
    free(t3);
    free(d2);
    free(d3);
    free(e1);
    free(e2);
    free(e3);
    free(c2);
    free(c3);
    tu_rmtree(root);
    free(root);
}

static void test_round_trip_fixture(void **state)
{
    char *dir = make_fixture("rt");
    struct store_legacy_report rep;
    struct err e = {0};
    (void)state;
    TU_OK(migrate(dir, NULL, false, &rep, &e), &e);
    store_legacy_report_release(&rep);
    round_trip(dir, "rt-fix");
    tu_rmtree(dir);
    free(dir);
}

static void test_round_trip_generated(void **state)
{
    char *root = tu_tmpdir("rt-gen"), *legacy = path_join(root, "legacy");
    char *c1 = path_join(root, "c1"), *c1b = path_join(root, "c1b"), *d1, *d1b;
    struct legacy_gen_opts go;
    struct store_legacy_report rep;
    struct err e = {0};

    (void)state;
    legacy_gen_opts_init(&go);
    go.symbols = 3000;
    TU_OK(legacy_gen_write(legacy, &go, NULL, &e), &e);
    TU_OK(migrate(legacy, c1, false, &rep, &e), &e);
    assert_int_equal(rep.symbols, 3000);
    assert_int_equal(rep.verified, 3000);
    assert_int_equal(rep.records, 4500); /* the sources' records twice */
    store_legacy_report_release(&rep);
    tu_assert_dir_healthy(c1);
    round_trip(c1, "rt-gen2");
    /* the generated cache and its export import to the same cache */
    {
        char *ex = path_join(root, "ex");
        struct store_legacy_export_report xr;
        TU_OK(export_to(c1, ex, false, &xr, &e), &e);
        store_legacy_export_report_release(&xr);
        TU_OK(migrate(ex, c1b, false, &rep, &e), &e);
        store_legacy_report_release(&rep);
        free(ex);
    }
    d1 = dump_of(c1);
    d1b = dump_of(c1b);
    assert_string_equal(d1, d1b);
    free(d1);
    free(d1b);
    free(c1);
    free(c1b);
    free(legacy);
    tu_rmtree(root);
    free(root);
}

/* A cache cidx indexed itself (every kind, placeholders, overrides...) exports to the format
 * and comes back, verified. */
static void test_export_native_cache(void **state)
{
    char *cache = tu_tmpdir("native");
    struct synth_opts so;
    struct store *st;
    struct err e = {0};

    (void)state;
    synth_opts_init(&so);
    so.symbols = 2000;
    st = tu_open(cache, 0);
    TU_OK(synth_generate(st, &so, NULL, &e), &e);
    store_close(st);
    round_trip(cache, "native-rt");
    {
        char *out = tu_tmpdir("native-out");
        struct store_legacy_export_report xr;
        TU_OK(export_to(cache, out, false, &xr, &e), &e);
        assert_true(xr.skipped > 0); /* fields, enums, variables... */
        assert_true(xr.classes > 0 && xr.functions > 0 && xr.calls > 0);
        store_legacy_export_report_release(&xr);
        tu_rmtree(out);
        free(out);
    }
    /* an empty cache exports to an empty legacy cache, which imports to nothing */
    {
        char *empty = tu_tmpdir("native-empty");
        st = tu_open(empty, 0);
        store_close(st);
        round_trip(empty, "empty-rt");
        tu_rmtree(empty);
        free(empty);
    }
    tu_rmtree(cache);
    free(cache);
}

/* ---- hostile input -------------------------------------------------------------------------- */

#define GOOD_SYM SYM("f", "function", "/p/a.cpp", 1, "", "", "", "c:@F@f#", "", "")

static char *info_with(const char *function_records)
{
    return xasprintf("{\"version\": \"2.0\", \"include_dependencies\": false, \"class_index\": "
                     "{}, \"function_index\": {\"f\": [%s]}, \"file_hashes\": {}, "
                     "\"indexed_file_count\": 0, \"timestamp\": 1}",
                     function_records);
}

struct hostile {
    const char *what;
    const char *rel;     /* the file to write (relative to the legacy directory) */
    const char *content; /* NULL: made by the case's code */
    const char *want;    /* in the message, besides the file's name */
};

static const struct hostile hostile_cases[] = {
    {"not JSON", "cache_info.json", "{\"version\": \"2.0\", oops", "is not valid JSON"},
    {"not an object", "cache_info.json", "[1, 2]", "must hold a JSON object, not an array"},
    {"wrong version", "cache_info.json",
     "{\"version\": \"1.0\", \"class_index\": {}, \"function_index\": {}}",
     "version '1.0' is not supported"},
    {"version of the wrong type", "cache_info.json", "{\"version\": 2.0}",
     "'version' must be a string, not a fractional number"},
    {"a key twice", "cache_info.json", "{\"version\": \"2.0\", \"version\": \"2.0\"}",
     "duplicate object key"},
    {"missing top-level key", "cache_info.json",
     "{\"version\": \"2.0\", \"include_dependencies\": false, \"class_index\": {}, "
     "\"function_index\": {}, \"indexed_file_count\": 0, \"timestamp\": 1}",
     "missing key 'file_hashes'"},
    {"unknown top-level key", "cache_info.json",
     "{\"version\": \"2.0\", \"include_dependencies\": false, \"class_index\": {}, "
     "\"function_index\": {}, \"file_hashes\": {}, \"indexed_file_count\": 0, \"timestamp\": 1, "
     "\"extra\": 1}",
     "unknown key 'extra'"},
    {"index entry not an array", "cache_info.json",
     "{\"version\": \"2.0\", \"include_dependencies\": false, \"class_index\": {\"A\": {}}, "
     "\"function_index\": {}, \"file_hashes\": {}, \"indexed_file_count\": 0, \"timestamp\": 1}",
     "class_index[\"A\"]: must be an array of symbols, not an object"},
    {"file_hashes path not absolute", "cache_info.json",
     "{\"version\": \"2.0\", \"include_dependencies\": false, \"class_index\": {}, "
     "\"function_index\": {}, \"file_hashes\": {\"src/a.cpp\": \"x\"}, \"indexed_file_count\": "
     "0, \"timestamp\": 1}",
     "'src/a.cpp' is not an absolute path"},
    {"per-file cache: wrong version", "files/x.json",
     "{\"version\": \"1.3\", \"file_path\": \"/p/a.cpp\"}", "version '1.3' is not supported"},
    {"per-file cache 1.1 with a 1.2 key", "files/x.json",
     "{\"version\": \"1.1\", \"file_path\": \"/p/a.cpp\", \"file_hash\": \"h\", "
     "\"compile_args_hash\": null, \"timestamp\": 1, \"symbols\": [], \"success\": true}",
     "unknown key 'success'"},
    {"per-file cache: relative path", "files/x.json",
     "{\"version\": \"1.2\", \"file_path\": \"a.cpp\", \"file_hash\": \"h\", "
     "\"compile_args_hash\": null, \"timestamp\": 1, \"success\": true, \"error_message\": null, "
     "\"retry_count\": 0, \"symbols\": []}",
     "file_path 'a.cpp' is not an absolute path"},
    {"per-file cache: a symbol of the wrong type", "files/x.json",
     "{\"version\": \"1.2\", \"file_path\": \"/p/a.cpp\", \"file_hash\": \"h\", "
     "\"compile_args_hash\": null, \"timestamp\": 1, \"success\": true, \"error_message\": null, "
     "\"retry_count\": 0, \"symbols\": [\"f\"]}",
     "symbols[0]: a symbol must be an object, not a string"},
    {"tracker: wrong type", "header_tracker.json",
     "{\"version\": \"1.0\", \"compile_commands_hash\": null, \"processed_headers\": {}, "
     "\"timestamp\": 1}",
     "'compile_commands_hash' must be a string, not null"},
    {"parse errors: a broken line", "parse_errors.jsonl",
     "{\"timestamp\": 1, \"timestamp_readable\": \"x\", \"file_path\": \"/p/a.cpp\", "
     "\"error_type\": \"e\", \"error_message\": \"m\", \"stack_trace\": null, \"file_hash\": "
     "\"h\", \"compile_args_hash\": null, \"retry_count\": 0}\n{\"timestamp\": ",
     "line 2 is not valid JSON"},
    {"parse errors: negative retries", "parse_errors.jsonl",
     "{\"timestamp\": 1, \"timestamp_readable\": \"x\", \"file_path\": \"/p/a.cpp\", "
     "\"error_type\": \"e\", \"error_message\": \"m\", \"stack_trace\": null, \"file_hash\": "
     "\"h\", \"compile_args_hash\": null, \"retry_count\": -1}\n",
     "line 1: 'retry_count' must be between 0 and 2147483647"},
    /* symbol-level cases: cache_info.json made by info_with */
    {"symbol: wrong type", "cache_info.json", NULL, "'line' must be an integer, not a string"},
    {"symbol: missing key", "cache_info.json", NULL, "missing key 'signature'"},
    {"symbol: unknown key", "cache_info.json", NULL, "unknown key 'doc'"},
    {"symbol: no usr key", "cache_info.json", NULL, "missing key 'usr'"},
    {"symbol: relative file", "cache_info.json", NULL,
     "function_index[\"f\"][0]: file 'src/a.cpp' is not an absolute path"},
    {"symbol: unknown kind", "cache_info.json", NULL,
     "kind 'enum' is not one of class, struct, function, method"},
    {"symbol: a class in function_index", "cache_info.json", NULL,
     "a class does not belong in function_index"},
    {"symbol: unknown access", "cache_info.json", NULL, "access 'internal' is not one of"},
    {"symbol: negative line", "cache_info.json", NULL, "'line' must be between 0 and"},
    {"symbol: calls not strings", "cache_info.json", NULL, "calls[1] must be a string"},
    {"symbol: a reserved usr", "cache_info.json", NULL, "which cidx reserves"},
    {"symbols of one file disagree on is_project", "cache_info.json", NULL,
     "disagree on is_project"},
    {"two per-file caches of one file", "files/y.json", NULL, "are both the per-file cache of"},
    {"a 200 MB file", "cache_info.json", NULL, "more than the"},
    {"100,000 levels of nesting", "files/deep.json", NULL, "maximum parsing depth"},
};

static char *replace1(const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    assert_non_null(at);
    return xasprintf("%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
}

/* The content of a case made by code; NULL when the case wrote its file itself. */
static char *hostile_content(const struct hostile *h, const char *dir)
{
    const char *good = GOOD_SYM;
    char *sym = NULL, *res = NULL;
    if (h->content)
        return xstrdup(h->content);
    if (!strcmp(h->what, "symbol: wrong type"))
        sym = replace1(good, "\"line\": 1", "\"line\": \"1\"");
    else if (!strcmp(h->what, "symbol: missing key"))
        sym = replace1(good, "\"signature\": \"\", ", "");
    else if (!strcmp(h->what, "symbol: unknown key"))
        sym = replace1(good, "\"signature\": \"\"", "\"signature\": \"\", \"doc\": \"x\"");
    else if (!strcmp(h->what, "symbol: no usr key"))
        sym = replace1(good, "\"usr\": \"c:@F@f#\", ", "");
    else if (!strcmp(h->what, "symbol: relative file"))
        sym = replace1(good, "/p/a.cpp", "src/a.cpp");
    else if (!strcmp(h->what, "symbol: unknown kind"))
        sym = replace1(good, "\"function\"", "\"enum\"");
    else if (!strcmp(h->what, "symbol: a class in function_index"))
        sym = replace1(good, "\"function\"", "\"class\"");
    else if (!strcmp(h->what, "symbol: unknown access"))
        sym = replace1(good, "\"public\"", "\"internal\"");
    else if (!strcmp(h->what, "symbol: negative line"))
        sym = replace1(good, "\"line\": 1", "\"line\": -4");
    else if (!strcmp(h->what, "symbol: calls not strings"))
        sym = replace1(good, "\"calls\": []", "\"calls\": [\"c:@F@g#\", 7]");
    else if (!strcmp(h->what, "symbol: a reserved usr"))
        sym = replace1(good, "c:@F@f#", "cidx-legacy:nousr:x");
    else if (!strcmp(h->what, "symbols of one file disagree on is_project")) {
        char *other = replace1(good, "\"is_project\": true", "\"is_project\": false");
        char *other2 = replace1(other, "c:@F@f#", "c:@F@g#");
        sym = xasprintf("%s, %s", good, other2);
        free(other);
        free(other2);
    }
    if (sym) {
        res = info_with(sym);
        free(sym);
        return res;
    }
    if (!strcmp(h->what, "two per-file caches of one file")) {
        /* a second cache of main.cpp under another name */
        return xstrdup(fixture_file);
    }
    if (!strcmp(h->what, "a 200 MB file")) {
        /* a sparse file: 200 MB long, almost nothing on disk */
        char *p = path_join(dir, h->rel);
        int fd = open(p, O_WRONLY | O_TRUNC);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, 200LL << 20), 0);
        close(fd);
        free(p);
        return NULL;
    }
    if (!strcmp(h->what, "100,000 levels of nesting")) {
        struct strbuf sb = STRBUF_INIT;
        strbuf_adds(&sb, "{\"version\": \"1.2\", \"symbols\": ");
        for (int i = 0; i < 100000; i++)
            strbuf_addch(&sb, '[');
        for (int i = 0; i < 100000; i++)
            strbuf_addch(&sb, ']');
        strbuf_addch(&sb, '}');
        return strbuf_detach(&sb, NULL);
    }
    fail_msg("no content for case '%s'", h->what);
    return NULL;
}

static void test_hostile_input(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(hostile_cases); i++) {
        const struct hostile *h = &hostile_cases[i];
        char *dir = make_fixture("hostile"), *content, *before, *after, *path;
        struct store_legacy_report rep;
        struct err e = {0};
        int rc;

        content = hostile_content(h, dir);
        if (content)
            put(dir, h->rel, content);
        before = digest(dir);
        rc = migrate(dir, NULL, false, &rep, &e);
        store_legacy_report_release(&rep);
        if (rc == 0)
            fail_msg("case '%s': migrated, should have been refused", h->what);
        path = path_join(dir, h->rel);
        if (!strstr(e.msg, path) || !strstr(e.msg, h->want))
            fail_msg("case '%s': the message should name '%s' and say '%s':\n%s", h->what, path,
                     h->want, e.msg);
        /* nothing half-imported, nothing left behind, the JSON as it was */
        if (exists_in(dir, STORE_DB_NAME) || exists_in(dir, STORE_LEGACY_MARKER) ||
            exists_in(dir, ".cidx-migrate.tmp") || count_prefix(dir, "json-backup."))
            fail_msg("case '%s': the failed migration left files behind", h->what);
        after = digest(dir);
        if (strcmp(before, after) != 0)
            fail_msg("case '%s': the JSON cache changed", h->what);
        /* the same verdict for the file's content alone, through the fuzz entry point */
        if (content && strcmp(h->rel, "files/y.json") != 0 &&
            strncmp(h->what, "symbols of one", 14) != 0) {
            enum store_legacy_kind kind =
                !strcmp(h->rel, STORE_LEGACY_INFO)       ? STORE_LEGACY_CACHE_INFO
                : !strcmp(h->rel, "header_tracker.json") ? STORE_LEGACY_HEADER_TRACKER
                : !strcmp(h->rel, "parse_errors.jsonl")  ? STORE_LEGACY_PARSE_ERRORS
                                                         : STORE_LEGACY_FILE_CACHE;
            struct err e2 = {0};
            assert_int_not_equal(store_legacy_check(kind, "buf", content, strlen(content), &e2), 0);
            assert_has(e2.msg, h->want);
        }
        free(path);
        free(before);
        free(after);
        free(content);
        tu_rmtree(dir);
        free(dir);
    }
}

/* Accepted oddities: usr-less symbols are kept apart, duplicate usrs merge. */
static void test_usrless_and_duplicates(void **state)
{
    char *dir = tu_tmpdir("dups"), *info;
    const char *a = SYM("f", "function", "/p/a.cpp", 1, "", "", "", "", "\"c:@F@x#\"", "");
    const char *b = SYM("f", "function", "/p/a.cpp", 1, "", "", "", "", "", "");
    const char *c = SYM("g", "function", "/p/a.cpp", 9, "", "", "", "c:@F@g#", "\"c:@F@x#\"", "");
    const char *d = SYM("g", "function", "/p/a.cpp", 12, "", "", "", "c:@F@g#", "\"c:@F@y#\"", "");
    struct store_legacy_report rep;
    struct err e = {0};
    char *records = xasprintf("%s, %s, %s, %s", a, b, c, d), *dump;

    (void)state;
    info = info_with(records);
    put(dir, "cache_info.json", info);
    TU_OK(migrate(dir, NULL, false, &rep, &e), &e);
    assert_int_equal(rep.records, 4);
    assert_int_equal(rep.symbols, 3); /* two usr-less f (same place: kept apart), one g */
    assert_int_equal(rep.no_usr, 2);
    store_legacy_report_release(&rep);
    dump = dump_of(dir);
    assert_int_equal(tu_count(dump, "symbol f function usr=cidx-legacy:nousr:/p/a.cpp:1:5:"), 2);
    /* the first record of g gives its place, its calls are united */
    assert_has(dump, "symbol g function usr=c:@F@g# at=/p/a.cpp:9:5");
    assert_has(dump, "x usr=c:@F@x# roles=call context=g");
    assert_has(dump, "y usr=c:@F@y# roles=call context=g");
    tu_assert_dir_healthy(dir);
    free(dump);
    free(records);
    free(info);
    tu_rmtree(dir);
    free(dir);
}

/* What cannot be stored exactly is found by the verification, and nothing stays behind. */
static void test_verification_failure(void **state)
{
    char *dir = tu_tmpdir("verify"), *info, *before, *after;
    /* a signature holding the store's own placeholder character (U+001D) comes back expanded */
    const char *sym =
        "{\"name\": \"f\", \"kind\": \"function\", \"file\": \"/p/a.cpp\", \"line\": 1, "
        "\"column\": 5, \"signature\": \"int \\u001d()\", \"is_project\": true, "
        "\"namespace\": \"\", \"access\": \"public\", \"parent_class\": \"\", "
        "\"base_classes\": [], \"usr\": \"c:@F@f#\", \"calls\": [], "
        "\"called_by\": []}";
    struct store_legacy_report rep;
    struct err e = {0};

    (void)state;
    info = info_with(sym);
    put(dir, "cache_info.json", info);
    before = digest(dir);
    assert_int_equal(migrate(dir, NULL, false, &rep, &e), ERR_GENERIC);
    store_legacy_report_release(&rep);
    assert_has(e.msg, "verification failed: symbol 'f' (usr 'c:@F@f#'");
    assert_has(e.msg, "signature");
    assert_false(exists_in(dir, STORE_DB_NAME));
    assert_false(exists_in(dir, STORE_LEGACY_MARKER));
    assert_false(exists_in(dir, ".cidx-migrate.tmp"));
    assert_int_equal(count_prefix(dir, "json-backup."), 0);
    after = digest(dir);
    assert_string_equal(before, after);
    free(before);
    free(after);
    free(info);
    tu_rmtree(dir);
    free(dir);
}

static void test_not_a_legacy_cache(void **state)
{
    char *dir = tu_tmpdir("none");
    struct store_legacy_report rep;
    struct err e = {0};
    (void)state;
    assert_int_equal(migrate(dir, NULL, false, &rep, &e), ERR_NOTFOUND);
    assert_has(e.msg, "holds no legacy JSON cache");
    store_legacy_report_release(&rep);
    assert_false(exists_in(dir, STORE_DB_NAME));
    assert_false(store_legacy_pending(dir));
    tu_rmtree(dir);
    free(dir);
}

/* ---- opening a cache directory migrates it ------------------------------------------------ */

static void test_auto_migration(void **state)
{
    char *dir = make_fixture("auto"), *before = digest(dir), *after;
    const char *log;
    struct store *st = NULL;
    struct err e = {0};

    (void)state;
    assert_true(store_legacy_pending(dir));
    log_set_level(LOG_WARN);
    tu_log_capture_begin();
    TU_OK(store_open_or_migrate(&st, dir, STORE_OPEN_EXISTING, &e), &e);
    log = tu_log_capture_end();
    assert_has(log, "migrating the legacy JSON cache in");
    assert_has(log, "migrated 9 symbols");
    assert_int_equal(tu_search_exact_count(st, "draw"), 1);
    store_close(st);
    assert_false(store_legacy_pending(dir));
    after = digest(dir);
    assert_string_equal(before, after);

    /* the next open is a plain open */
    tu_log_capture_begin();
    TU_OK(store_open_or_migrate(&st, dir, STORE_OPEN_EXISTING, &e), &e);
    log = tu_log_capture_end();
    assert_int_equal(tu_count(log, "migrat"), 0);
    log_set_level(LOG_ERROR);
    store_close(st);
    free(before);
    free(after);
    tu_rmtree(dir);
    free(dir);
}

static void test_auto_migration_failure(void **state)
{
    char *dir = make_fixture("autofail"), *before, *after;
    struct store *st = NULL;
    struct err e = {0};

    (void)state;
    put(dir, "header_tracker.json", "{\"version\": \"9.9\"}");
    before = digest(dir);
    tu_log_capture_begin();
    assert_int_not_equal(store_open_or_migrate(&st, dir, 0, &e), 0);
    tu_log_capture_end();
    assert_null(st);
    assert_has(e.msg, "could not be migrated, and was left as it is");
    assert_has(e.msg, "header_tracker.json");
    assert_has(e.msg, "version '9.9' is not supported");
    assert_has(e.msg, "cidx migrate-json");
    /* no empty cache hides the JSON one: the next open tries again */
    assert_false(exists_in(dir, STORE_DB_NAME));
    assert_true(store_legacy_pending(dir));
    after = digest(dir);
    assert_string_equal(before, after);
    free(before);
    free(after);
    tu_rmtree(dir);
    free(dir);
}

/* ---- kill -9 at every phase ------------------------------------------------------------------ */

struct killer {
    const char *phase;
    int fd;
};

static void kill_here(void *ctx, const struct store_legacy_progress *p)
{
    struct killer *k = ctx;
    /* mid-write: once some files are in */
    if (strcmp(p->phase, k->phase) != 0 || (!strcmp(p->phase, "writing") && p->done == 0))
        return;
    tu_send(k->fd, "at %s %llu", p->phase, (unsigned long long)p->done);
    for (;;)
        pause();
}

static void test_kill9_mid_migration(void **state)
{
    static const char *const phases[] = {"reading",  "backup",    "writing",
                                         "indexing", "verifying", "installing"};
    char *root = tu_tmpdir("kill"), *legacy = path_join(root, "legacy");
    char *ref = path_join(root, "ref"), *marker = path_join(legacy, STORE_LEGACY_MARKER);
    char *ref_dump, *before;
    struct legacy_gen_opts go;
    struct store_legacy_report rep;
    struct err e = {0};

    (void)state;
    legacy_gen_opts_init(&go);
    go.symbols = 6000;
    TU_OK(legacy_gen_write(legacy, &go, NULL, &e), &e);
    TU_OK(migrate(legacy, ref, false, &rep, &e), &e);
    store_legacy_report_release(&rep);
    ref_dump = dump_of(ref);
    assert_int_equal(unlink(marker), 0);
    before = digest(legacy);

    for (size_t i = 0; i < ARRAY_SIZE(phases); i++) {
        char name[32], *cache, line[128], *dump, *after;
        int fds[2];
        pid_t pid;
        snprintf(name, sizeof(name), "cache-%zu", i);
        cache = path_join(root, name);
        tu_pipe(fds);
        pid = tu_fork();
        if (pid == 0) {
            struct killer k = {phases[i], fds[1]};
            struct store_legacy_opts o = {legacy, cache, false, kill_here, &k};
            struct store_legacy_report r;
            struct err ce = {0};
            close(fds[0]);
            store_legacy_migrate(&o, &r, &ce);
            tu_send(fds[1], "finished %s", ce.msg);
            tu_child_exit(0);
        }
        close(fds[1]);
        if (!tu_recv(fds[0], line, sizeof(line)))
            fail_msg("phase %s: the child ended without reporting", phases[i]);
        if (strncmp(line, "at ", 3) != 0)
            fail_msg("phase %s: the child did not stop there: %s", phases[i], line);
        assert_int_equal(kill(pid, SIGKILL), 0);
        assert_int_equal(tu_wait(pid), 128 + SIGKILL);
        close(fds[0]);
        /* killed before the install: no cache, no marker */
        assert_false(exists_in(cache, STORE_DB_NAME));
        assert_false(fs_exists(marker));

        /* the next run migrates cleanly, to the same cache */
        TU_OK(migrate(legacy, cache, false, &rep, &e), &e);
        assert_true(rep.migrated);
        store_legacy_report_release(&rep);
        assert_false(exists_in(cache, ".cidx-migrate.tmp"));
        assert_int_equal(count_prefix(cache, "json-backup."), 1);
        tu_assert_dir_healthy(cache);
        dump = dump_of(cache);
        assert_string_equal(ref_dump, dump);
        after = digest(legacy);
        assert_string_equal(before, after);
        assert_int_equal(unlink(marker), 0);
        free(dump);
        free(after);
        free(cache);
    }
    free(before);
    free(ref_dump);
    free(marker);
    free(ref);
    free(legacy);
    tu_rmtree(root);
    free(root);
}

/* ---- the reader alone ---------------------------------------------------------------------- */

static void test_check_buffers(void **state)
{
    struct err e = {0};
    (void)state;
    TU_OK(store_legacy_check(STORE_LEGACY_CACHE_INFO, "a", fixture_info, strlen(fixture_info), &e),
          &e);
    TU_OK(store_legacy_check(STORE_LEGACY_FILE_CACHE, "b", fixture_file, strlen(fixture_file), &e),
          &e);
    TU_OK(store_legacy_check(STORE_LEGACY_FILE_CACHE, "c", fixture_file_11, strlen(fixture_file_11),
                             &e),
          &e);
    TU_OK(store_legacy_check(STORE_LEGACY_PARSE_ERRORS, "d", fixture_errors, strlen(fixture_errors),
                             &e),
          &e);
    TU_OK(store_legacy_check(STORE_LEGACY_PARSE_ERRORS, "e", "", 0, &e), &e);
    assert_int_equal(store_legacy_check(STORE_LEGACY_CACHE_INFO, "f", NULL, 0, &e), ERR_CORRUPT);
    assert_int_equal(store_legacy_check(STORE_LEGACY_CACHE_INFO, "g", "\0{}", 3, &e), ERR_CORRUPT);
    {
        static const char bad_utf8[] = "{\"version\": \"2.\xff\"}";
        assert_int_equal(
            store_legacy_check(STORE_LEGACY_CACHE_INFO, "h", bad_utf8, strlen(bad_utf8), &e),
            ERR_CORRUPT);
    }
    {
        char name[38];
        store_legacy_file_name(name, MAIN_CPP);
        /* md5("/home/u/proj/src/main.cpp"), as md5sum computes it */
        assert_string_equal(name, "1375538d8308b5f5a838436d828d5614.json");
        store_legacy_file_name(name, "");
        assert_string_equal(name, "d41d8cd98f00b204e9800998ecf8427e.json");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrate_fixture),
        cmocka_unit_test(test_migrate_twice_changes_nothing),
        cmocka_unit_test(test_force_replaces_a_cache),
        cmocka_unit_test(test_export_fixture),
        cmocka_unit_test(test_round_trip_fixture),
        cmocka_unit_test(test_round_trip_generated),
        cmocka_unit_test(test_export_native_cache),
        cmocka_unit_test(test_hostile_input),
        cmocka_unit_test(test_usrless_and_duplicates),
        cmocka_unit_test(test_verification_failure),
        cmocka_unit_test(test_not_a_legacy_cache),
        cmocka_unit_test(test_auto_migration),
        cmocka_unit_test(test_auto_migration_failure),
        cmocka_unit_test(test_kill9_mid_migration),
        cmocka_unit_test(test_check_buffers),
    };
    log_set_level(LOG_ERROR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
