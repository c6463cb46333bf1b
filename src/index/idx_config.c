/*
 * idx_config.c - the project configuration: the plan's cpp-analyzer-config.json, its
 * environment variables, and the path rules (excluded, dependency, source) built on them.
 *
 * The file is input from outside like the compile database: it is size-checked before it is
 * read, parsed by jansson (which bounds nesting and rejects invalid UTF-8 and duplicate keys),
 * and every value is type- and range-checked so that a mistake is one clear error naming the
 * file and the key rather than a default silently taken. The plan's project falls back to
 * defaults on a broken file; we refuse it, because an index built with settings the user did
 * not ask for (dependencies indexed, directories not excluded) is worse than a message.
 *
 * Precedence: environment over file over defaults. Lists in the file replace the default list.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "idx_int.h"

static const char *const config_default_exclude[] = {
    ".git", ".svn",    ".hg",   ".pytest_cache", "node_modules",   "__pycache__",
    ".vs",  ".vscode", ".idea", "CMakeFiles",    "CMakeCache.txt",
};

static const char *const config_default_deps[] = {
    "vcpkg_installed", "third_party", "ThirdParty",   "external",
    "External",        "vendor",      "dependencies", "packages",
};

/* The plan's project lists C++ extensions only; cidx indexes C as well, so ".c" is a default
 * too (a config file that lists its own extensions replaces the whole list). */
static const char *const config_default_exts[] = {
    ".cpp", ".cc", ".cxx", ".c++", ".c", ".h", ".hpp", ".hxx", ".h++",
};

static const char *const config_query_names[] = {
    [IDX_QUERY_ALLOW_PARTIAL] = "allow_partial",
    [IDX_QUERY_BLOCK] = "block",
    [IDX_QUERY_REJECT] = "reject",
};

/* The plan's levels; "fatal" has no level of its own here and means errors only. */
static const struct {
    const char *name;
    enum idx_diag_level level;
} config_diag_names[] = {
    {"error", IDX_DIAG_ERROR}, {"warning", IDX_DIAG_WARNING}, {"info", IDX_DIAG_INFO},
    {"debug", IDX_DIAG_DEBUG}, {"fatal", IDX_DIAG_ERROR},
};

#define CONFIG_MAX_RETRIES 100
#define CONFIG_MAX_WORKERS 4096
#define CONFIG_MAX_TIMEOUT_S 86400
#define CONFIG_MAX_FILE_MB 1048576.0 /* 1 TiB: anything above is surely a typo */

/* What one parse needs: the struct, the file's name for messages, where to report. */
struct config_ctx {
    struct idx_config *cfg;
    const char *name;
    struct strbuf *warnings;
    struct err *err;
    char *file_root; /* "project_root" as written, NULL when absent */
};

static char **config_list_dup(const char *const *list, size_t n)
{
    char **out = xcalloc(n + 1, sizeof(*out));
    for (size_t i = 0; i < n; i++)
        out[i] = xstrdup(list[i]);
    return out;
}

static void config_list_free(char **list, size_t n)
{
    if (!list)
        return;
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

static void config_defaults(struct idx_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->exclude_directories =
        config_list_dup(config_default_exclude, ARRAY_SIZE(config_default_exclude));
    cfg->n_exclude_directories = ARRAY_SIZE(config_default_exclude);
    cfg->dependency_directories =
        config_list_dup(config_default_deps, ARRAY_SIZE(config_default_deps));
    cfg->n_dependency_directories = ARRAY_SIZE(config_default_deps);
    cfg->include_dependencies = true;
    cfg->max_parse_retries = 2;
    cfg->query_behavior = IDX_QUERY_ALLOW_PARTIAL;
    cfg->compile_commands.enabled = true;
    cfg->compile_commands.supported_extensions =
        config_list_dup(config_default_exts, ARRAY_SIZE(config_default_exts));
    cfg->compile_commands.n_supported_extensions = ARRAY_SIZE(config_default_exts);
    cfg->compile_commands.exclude_patterns = config_list_dup(NULL, 0);
    cfg->compile_commands.fallback_to_hardcoded = true;
    cfg->diagnostics.level = IDX_DIAG_INFO;
    cfg->diagnostics.enabled = true;
    cfg->parse_timeout_s = 300;
    cfg->exclude_patterns = config_list_dup(NULL, 0);
    cfg->max_file_bytes = (uint64_t)10 << 20;
    cfg->max_workers = 0;
}

void idx_config_release(struct idx_config *cfg)
{
    if (!cfg)
        return;
    free(cfg->path);
    free(cfg->project_root);
    config_list_free(cfg->exclude_directories, cfg->n_exclude_directories);
    config_list_free(cfg->dependency_directories, cfg->n_dependency_directories);
    free(cfg->compile_commands.path);
    config_list_free(cfg->compile_commands.supported_extensions,
                     cfg->compile_commands.n_supported_extensions);
    config_list_free(cfg->compile_commands.exclude_patterns,
                     cfg->compile_commands.n_exclude_patterns);
    config_list_free(cfg->exclude_patterns, cfg->n_exclude_patterns);
    memset(cfg, 0, sizeof(*cfg));
}

/* ---- messages ------------------------------------------------------------------------------ */

/*
 * Appends a key for a message: control characters and quotes become '?', and a key longer
 * than 200 bytes is cut, so that one warning stays one line whatever the file holds.
 */
static void config_add_key(struct strbuf *sb, const char *key)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++, n++) {
        if (n == 200) {
            strbuf_adds(sb, "...");
            break;
        }
        strbuf_addch(sb, (*p < 0x20 || *p == 0x7f || *p == '\'') ? '?' : *p);
    }
}

static const char *config_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number with a fraction";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "a JSON value";
}

/* "config file 'F': 'key' must be WHAT, not TYPE" (or the given detail). ERR_INVALID. */
static int config_bad(struct config_ctx *c, const char *key, const char *what, const json_t *v,
                      const char *detail)
{
    struct strbuf sb = STRBUF_INIT;
    int rc;

    strbuf_addf(&sb, "config file '%s': '", c->name);
    config_add_key(&sb, key);
    strbuf_addf(&sb, "' must be %s", what);
    if (detail)
        strbuf_addf(&sb, ", not %s", detail);
    else if (v)
        strbuf_addf(&sb, ", not %s", config_type_name(v));
    rc = err_set(c->err, ERR_INVALID, "%s", sb.buf);
    strbuf_release(&sb);
    return rc;
}

static void config_warn_unknown(struct config_ctx *c, const char *prefix, const char *key)
{
    struct strbuf sb = STRBUF_INIT;

    strbuf_addf(&sb, "config file '%s': unknown key '", c->name);
    if (prefix) {
        config_add_key(&sb, prefix);
        strbuf_addch(&sb, '.');
    }
    config_add_key(&sb, key);
    strbuf_adds(&sb, "' (ignored)");
    if (c->warnings) {
        strbuf_add(c->warnings, sb.buf, sb.len);
        strbuf_addch(c->warnings, '\n');
    }
    log_debug("%s", sb.buf);
    strbuf_release(&sb);
}

/* ---- typed values -------------------------------------------------------------------------- */

static int config_bool(struct config_ctx *c, const char *key, const json_t *v, bool *out)
{
    if (!json_is_boolean(v))
        return config_bad(c, key, "true or false", v, NULL);
    *out = json_is_true(v);
    return 0;
}

static int config_int(struct config_ctx *c, const char *key, const json_t *v, long long min,
                      long long max, long long *out)
{
    char what[96];
    json_int_t n;

    snprintf(what, sizeof(what), "an integer from %lld to %lld", min, max);
    if (!json_is_integer(v))
        return config_bad(c, key, what, v, NULL);
    n = json_integer_value(v);
    if (n < min || n > max) {
        char detail[48];
        snprintf(detail, sizeof(detail), "%lld", (long long)n);
        return config_bad(c, key, what, v, detail);
    }
    *out = (long long)n;
    return 0;
}

/* A JSON string without NUL bytes, as a C string. */
static const char *config_cstring(const json_t *v)
{
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
        return NULL;
    return json_string_value(v);
}

static int config_string(struct config_ctx *c, const char *key, const json_t *v, char **out)
{
    const char *s = config_cstring(v);

    if (!s || !*s)
        return config_bad(c, key, "a non-empty string", v,
                          json_is_string(v) ? (*json_string_value(v) ? "one holding NUL" : "\"\"")
                                            : NULL);
    free(*out);
    *out = xstrdup(s);
    return 0;
}

/* Case-insensitive match of s in names[0..n); returns the index or -1. */
static int config_lookup(const char *s, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (names[i] && strlen(s) == strlen(names[i]) && str_ncase_eq(s, names[i], strlen(s)))
            return (int)i;
    return -1;
}

static int config_query_behavior(const char *s)
{
    return config_lookup(s, config_query_names, ARRAY_SIZE(config_query_names));
}

static int config_diag_level(const char *s, enum idx_diag_level *out)
{
    for (size_t i = 0; i < ARRAY_SIZE(config_diag_names); i++)
        if (strlen(s) == strlen(config_diag_names[i].name) &&
            str_ncase_eq(s, config_diag_names[i].name, strlen(s))) {
            *out = config_diag_names[i].level;
            return 0;
        }
    return -1;
}

/* A bad enum string: quoted, shortened, as the detail of config_bad. */
static int config_bad_enum(struct config_ctx *c, const char *key, const char *what, const char *s)
{
    struct strbuf sb = STRBUF_INIT;
    int rc;

    strbuf_addch(&sb, '\'');
    config_add_key(&sb, s);
    strbuf_addch(&sb, '\'');
    rc = config_bad(c, key, what, NULL, sb.buf);
    strbuf_release(&sb);
    return rc;
}

/*
 * Directory entries are kept in one spelling: "./src//gen/" becomes "src/gen", "/opt/x/"
 * becomes "/opt/x". A relative entry cannot climb above the root ("../x" is "x").
 */
static char *config_dir_entry(const char *s)
{
    char *norm, *out;

    if (!strchr(s, '/'))
        return xstrdup(s);
    if (s[0] == '/')
        return idx_path_normalize(s);
    out = xasprintf("/%s", s);
    norm = idx_path_normalize(out);
    free(out);
    if (strcmp(norm, "/") == 0) {
        /* "./" names the root itself; keep a spelling that still has a '/' */
        free(norm);
        return xstrdup("./");
    }
    out = xstrdup(norm + 1);
    free(norm);
    return out;
}

/* An array of non-empty strings replacing *list. dirs: normalize as directory entries. */
static int config_strlist(struct config_ctx *c, const char *key, const json_t *v, char ***list,
                          size_t *n, bool dirs)
{
    size_t len = json_array_size(v);
    char **out;

    if (!json_is_array(v))
        return config_bad(c, key, "an array of strings", v, NULL);
    for (size_t i = 0; i < len; i++) {
        const json_t *e = json_array_get(v, i);
        const char *s = config_cstring(e);
        if (!s || !*s) {
            char *k = xasprintf("%s[%zu]", key, i);
            int rc = config_bad(
                c, k, "a non-empty string", e,
                json_is_string(e) ? (*json_string_value(e) ? "one holding NUL" : "\"\"") : NULL);
            free(k);
            return rc;
        }
    }
    out = xcalloc(len + 1, sizeof(*out));
    for (size_t i = 0; i < len; i++) {
        const char *s = json_string_value(json_array_get(v, i));
        out[i] = dirs ? config_dir_entry(s) : xstrdup(s);
    }
    config_list_free(*list, *n);
    *list = out;
    *n = len;
    return 0;
}

/* ---- the keys ------------------------------------------------------------------------------ */

static int config_diagnostics(struct config_ctx *c, const json_t *obj)
{
    const char *key;
    json_t *v;

    if (!json_is_object(obj))
        return config_bad(c, "diagnostics", "an object", obj, NULL);
    json_object_foreach((json_t *)obj, key, v)
    {
        int rc = 0;
        if (key[0] == '_')
            continue;
        if (strcmp(key, "level") == 0) {
            const char *s = config_cstring(v);
            if (!s)
                rc = config_bad(c, "diagnostics.level",
                                "one of \"error\", \"warning\", \"info\", \"debug\", \"fatal\"", v,
                                NULL);
            else if (config_diag_level(s, &c->cfg->diagnostics.level) < 0)
                rc = config_bad_enum(
                    c, "diagnostics.level",
                    "one of \"error\", \"warning\", \"info\", \"debug\", \"fatal\"", s);
        } else if (strcmp(key, "enabled") == 0) {
            rc = config_bool(c, "diagnostics.enabled", v, &c->cfg->diagnostics.enabled);
        } else {
            config_warn_unknown(c, "diagnostics", key);
        }
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int config_compile_commands(struct config_ctx *c, const json_t *obj)
{
    const char *key;
    json_t *v;

    if (!json_is_object(obj))
        return config_bad(c, "compile_commands", "an object", obj, NULL);
    json_object_foreach((json_t *)obj, key, v)
    {
        int rc = 0;
        bool ignored = false;

        if (key[0] == '_')
            continue;
        if (strcmp(key, "enabled") == 0) {
            rc = config_bool(c, "compile_commands.enabled", v, &c->cfg->compile_commands.enabled);
        } else if (strcmp(key, "path") == 0) {
            if (json_is_null(v)) {
                free(c->cfg->compile_commands.path);
                c->cfg->compile_commands.path = NULL;
            } else {
                rc = config_string(c, "compile_commands.path", v, &c->cfg->compile_commands.path);
            }
        } else if (strcmp(key, "supported_extensions") == 0) {
            rc = config_strlist(c, "compile_commands.supported_extensions", v,
                                &c->cfg->compile_commands.supported_extensions,
                                &c->cfg->compile_commands.n_supported_extensions, false);
        } else if (strcmp(key, "exclude_patterns") == 0) {
            rc = config_strlist(c, "compile_commands.exclude_patterns", v,
                                &c->cfg->compile_commands.exclude_patterns,
                                &c->cfg->compile_commands.n_exclude_patterns, false);
        } else if (strcmp(key, "fallback_to_hardcoded") == 0) {
            rc = config_bool(c, "compile_commands.fallback_to_hardcoded", v,
                             &c->cfg->compile_commands.fallback_to_hardcoded);
        } else if (strcmp(key, "cache_enabled") == 0) {
            /* the plan's in-memory cache of the database; cidx re-reads on change */
            bool b;
            rc = config_bool(c, "compile_commands.cache_enabled", v, &b);
            ignored = true;
        } else if (strcmp(key, "cache_expiry_seconds") == 0) {
            /* deprecated in the plan itself */
            if (!json_is_number(v) || json_number_value(v) < 0)
                rc = config_bad(c, "compile_commands.cache_expiry_seconds", "a non-negative number",
                                v, json_is_number(v) ? "a negative number" : NULL);
            ignored = true;
        } else if (strcmp(key, "sanitization_rules_file") == 0) {
            char *s = NULL;
            rc = config_string(c, "compile_commands.sanitization_rules_file", v, &s);
            free(s);
            if (rc == 0 && c->warnings)
                strbuf_addf(c->warnings,
                            "config file '%s': 'compile_commands.sanitization_rules_file' is "
                            "not supported (cidx's argument sanitizer is built in); ignored\n",
                            c->name);
        } else {
            config_warn_unknown(c, "compile_commands", key);
        }
        if (rc < 0)
            return rc;
        if (ignored)
            log_debug("config file '%s': 'compile_commands.%s' is not used by cidx", c->name, key);
    }
    return 0;
}

static int config_top_key(struct config_ctx *c, const char *key, const json_t *v)
{
    struct idx_config *cfg = c->cfg;
    long long n;
    int rc;

    if (key[0] == '_')
        return 0; /* "_comment" and friends, as in the plan's example file */
    if (strcmp(key, "exclude_directories") == 0)
        return config_strlist(c, key, v, &cfg->exclude_directories, &cfg->n_exclude_directories,
                              true);
    if (strcmp(key, "dependency_directories") == 0)
        return config_strlist(c, key, v, &cfg->dependency_directories,
                              &cfg->n_dependency_directories, true);
    if (strcmp(key, "exclude_patterns") == 0)
        return config_strlist(c, key, v, &cfg->exclude_patterns, &cfg->n_exclude_patterns, false);
    if (strcmp(key, "include_dependencies") == 0)
        return config_bool(c, key, v, &cfg->include_dependencies);
    if (strcmp(key, "max_parse_retries") == 0) {
        rc = config_int(c, key, v, 0, CONFIG_MAX_RETRIES, &n);
        if (rc == 0)
            cfg->max_parse_retries = (int)n;
        return rc;
    }
    if (strcmp(key, "parse_timeout_s") == 0) {
        rc = config_int(c, key, v, 1, CONFIG_MAX_TIMEOUT_S, &n);
        if (rc == 0)
            cfg->parse_timeout_s = (unsigned)n;
        return rc;
    }
    if (strcmp(key, "max_workers") == 0) {
        if (json_is_null(v)) {
            cfg->max_workers = 0;
            return 0;
        }
        rc = config_int(c, key, v, 1, CONFIG_MAX_WORKERS, &n);
        if (rc == 0)
            cfg->max_workers = (unsigned)n;
        return rc;
    }
    if (strcmp(key, "max_file_size_mb") == 0) {
        double mb;
        char what[64];
        snprintf(what, sizeof(what), "a number of megabytes above 0 and at most %.0f",
                 CONFIG_MAX_FILE_MB);
        if (!json_is_number(v))
            return config_bad(c, key, what, v, NULL);
        mb = json_number_value(v);
        if (!(mb > 0 && mb <= CONFIG_MAX_FILE_MB)) {
            char detail[48];
            snprintf(detail, sizeof(detail), "%g", mb);
            return config_bad(c, key, what, v, detail);
        }
        cfg->max_file_bytes = (uint64_t)(mb * 1048576.0);
        if (cfg->max_file_bytes == 0)
            cfg->max_file_bytes = 1;
        return 0;
    }
    if (strcmp(key, "query_behavior") == 0) {
        const char *s = config_cstring(v);
        int q;
        if (!s)
            return config_bad(c, key, "one of \"allow_partial\", \"block\", \"reject\"", v, NULL);
        q = config_query_behavior(s);
        if (q < 0)
            return config_bad_enum(c, key, "one of \"allow_partial\", \"block\", \"reject\"", s);
        cfg->query_behavior = (enum idx_query_behavior)q;
        return 0;
    }
    if (strcmp(key, "diagnostics") == 0)
        return config_diagnostics(c, v);
    if (strcmp(key, "compile_commands") == 0)
        return config_compile_commands(c, v);
    if (strcmp(key, "project_root") == 0)
        return config_string(c, key, v, &c->file_root);
    config_warn_unknown(c, NULL, key);
    return 0;
}

/* ---- environment --------------------------------------------------------------------------- */

static int config_apply_env(struct idx_config *cfg, struct err *err)
{
    const char *s = getenv("CPP_ANALYZER_DIAGNOSTIC_LEVEL");

    if (s && *s && config_diag_level(s, &cfg->diagnostics.level) < 0)
        return err_set(err, ERR_INVALID,
                       "environment variable CPP_ANALYZER_DIAGNOSTIC_LEVEL must be one of "
                       "error, warning, info, debug, fatal, not '%.100s'",
                       s);
    s = getenv("CPP_ANALYZER_QUERY_BEHAVIOR");
    if (s && *s) {
        int q = config_query_behavior(s);
        if (q < 0)
            return err_set(err, ERR_INVALID,
                           "environment variable CPP_ANALYZER_QUERY_BEHAVIOR must be one of "
                           "allow_partial, block, reject, not '%.100s'",
                           s);
        cfg->query_behavior = (enum idx_query_behavior)q;
    }
    return 0;
}

/* ---- parsing ------------------------------------------------------------------------------- */

/* The canonical project root given by the caller, into cfg->project_root. */
static int config_set_root(struct idx_config *cfg, const char *root, struct err *err)
{
    char *real = path_real(root);

    if (!real)
        return err_set(err, errno == ENOENT ? ERR_NOTFOUND : ERR_IO,
                       "cannot open project directory '%s': %s", root, strerror(errno));
    if (!fs_is_dir(real)) {
        free(real);
        return err_set(err, ERR_INVALID, "project root '%s' is not a directory", root);
    }
    cfg->project_root = real;
    return 0;
}

/* The directory of name when it is a path, else NULL. */
static char *config_dir_of(const char *name)
{
    const char *slash = strrchr(name, '/');

    if (!slash)
        return NULL;
    if (slash == name)
        return xstrdup("/");
    return xstrndup(name, (size_t)(slash - name));
}

/* Resolves the file's "project_root" against base (or the caller's root). */
static int config_resolve_file_root(struct config_ctx *c, const char *base, struct strbuf *warnings)
{
    struct idx_config *cfg = c->cfg;
    char *abs, *real;

    abs = idx_path_canonical(base ? base : cfg->project_root, c->file_root);
    real = path_real(abs);
    if (!real || !fs_is_dir(real)) {
        int rc = err_set(c->err, real ? ERR_INVALID : ERR_NOTFOUND,
                         "config file '%s': 'project_root' '%s' is not a directory", c->name, abs);
        free(abs);
        free(real);
        return rc;
    }
    free(abs);
    if (!cfg->project_root) {
        cfg->project_root = real;
        return 0;
    }
    if (strcmp(real, cfg->project_root) != 0 && warnings)
        strbuf_addf(warnings,
                    "config file '%s': 'project_root' names '%s', but the project is '%s' "
                    "(the project wins)\n",
                    c->name, real, cfg->project_root);
    free(real);
    return 0;
}

/* Parses data into cfg (defaults already set, project_root set when the caller gave one). */
static int config_parse_buffer(struct idx_config *cfg, const char *name, const char *data,
                               size_t len, struct strbuf *warnings, struct err *err)
{
    struct config_ctx c = {cfg, name, warnings, err, NULL};
    json_t *root = NULL, *v;
    json_error_t jerr;
    const char *key;
    char *base = NULL;
    size_t i;
    int rc = 0;

    if (len > IDX_CONFIG_MAX_BYTES) {
        rc = err_set(err, ERR_LIMIT, "config file '%s' is too large: %zu bytes (limit %zu)", name,
                     len, IDX_CONFIG_MAX_BYTES);
        goto out;
    }
    for (i = 0; i < len; i++)
        if (data[i] != ' ' && data[i] != '\t' && data[i] != '\r' && data[i] != '\n')
            break;
    if (i == len) {
        rc = err_set(err, ERR_INVALID, "config file '%s' is empty (write {} for the defaults)",
                     name);
        goto out;
    }
    root = json_loadb(data, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        rc = err_set(err, ERR_INVALID, "config file '%s' is not valid JSON: %s (line %d)", name,
                     jerr.text, jerr.line);
        goto out;
    }
    if (!json_is_object(root)) {
        rc = err_set(err, ERR_INVALID, "config file '%s' must hold a JSON object, not %s%s", name,
                     config_type_name(root),
                     json_is_array(root) ? " (is it a compile_commands.json?)" : "");
        goto out;
    }
    json_object_foreach(root, key, v)
    {
        rc = config_top_key(&c, key, v);
        if (rc < 0)
            goto out;
    }
    if (c.file_root) {
        base = config_dir_of(name);
        rc = config_resolve_file_root(&c, base, warnings);
        if (rc < 0)
            goto out;
    }
    if (!cfg->project_root)
        rc = err_set(err, ERR_INVALID,
                     "config file '%s' has no 'project_root' and no project directory was given",
                     name);
out:
    json_decref(root);
    free(c.file_root);
    free(base);
    return rc;
}

int idx_config_parse(struct idx_config *out, const char *root, const char *name, const char *data,
                     size_t len, struct strbuf *warnings, struct err *err)
{
    int rc;

    config_defaults(out);
    if (root) {
        rc = config_set_root(out, root, err);
        if (rc < 0)
            return rc;
    }
    rc = config_parse_buffer(out, name ? name : "<buffer>", data, len, warnings, err);
    if (rc < 0)
        return rc;
    return config_apply_env(out, err);
}

/* Picks the config file: *path NULL when there is none. */
static int config_find(char **path, const char *root, const char *explicit_path, struct err *err)
{
    static const char *const names[] = {IDX_CONFIG_FILENAME, "." IDX_CONFIG_FILENAME};
    const char *env = getenv("CPP_ANALYZER_CONFIG");

    *path = NULL;
    if (explicit_path) {
        if (!fs_exists(explicit_path))
            return err_set(err, ERR_NOTFOUND, "config file '%s' does not exist", explicit_path);
        *path = xstrdup(explicit_path);
        return 0;
    }
    if (env && *env) {
        if (!fs_exists(env))
            return err_set(err, ERR_NOTFOUND,
                           "config file '%s' (environment variable CPP_ANALYZER_CONFIG) does not "
                           "exist",
                           env);
        *path = xstrdup(env);
        return 0;
    }
    if (!root)
        return 0;
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        char *p = path_join(root, names[i]);
        if (fs_exists(p)) {
            *path = p;
            return 0;
        }
        free(p);
    }
    return 0;
}

int idx_config_load(struct idx_config *out, const char *root, const char *explicit_path,
                    struct strbuf *warnings, struct err *err)
{
    char *path = NULL, *data = NULL;
    size_t len = 0;
    int64_t size;
    int rc;

    config_defaults(out);
    if (root) {
        rc = config_set_root(out, root, err);
        if (rc < 0)
            goto out;
    }
    rc = config_find(&path, out->project_root, explicit_path, err);
    if (rc < 0)
        goto out;
    if (!path) {
        if (!out->project_root) {
            rc = err_set(err, ERR_INVALID,
                         "no project directory and no config file with 'project_root'");
            goto out;
        }
        log_debug("no config file in '%s': defaults", out->project_root);
        rc = config_apply_env(out, err);
        goto out;
    }
    out->path = path_real(path);
    if (!out->path) {
        rc = err_set(err, ERR_IO, "cannot resolve the path of config file '%s': %s", path,
                     strerror(errno));
        goto out;
    }
    if (fs_is_dir(out->path)) {
        rc = err_set(err, ERR_INVALID, "config file '%s' is a directory", out->path);
        goto out;
    }
    size = fs_file_size(out->path);
    if (size > (int64_t)IDX_CONFIG_MAX_BYTES) {
        rc = err_set(err, ERR_LIMIT, "config file '%s' is too large: %lld bytes (limit %zu)",
                     out->path, (long long)size, IDX_CONFIG_MAX_BYTES);
        goto out;
    }
    rc = fs_read_file(&data, &len, out->path, IDX_CONFIG_MAX_BYTES, err);
    if (rc < 0) {
        /* fs_read_file maps EACCES to ERR_READONLY, which means "cannot write" to callers */
        if (rc == ERR_READONLY && err)
            rc = err->code = ERR_IO;
        err_wrap(err, "cannot read config file");
        goto out;
    }
    log_debug("config file '%s'", out->path);
    rc = config_parse_buffer(out, out->path, data, len, warnings, err);
    if (rc < 0)
        goto out;
    rc = config_apply_env(out, err);
out:
    free(path);
    free(data);
    return rc;
}

/* ---- path rules ---------------------------------------------------------------------------- */

/*
 * The part of path the rules look at: below the root, the root-relative path ("" for the root
 * itself); elsewhere the absolute path without its leading '/'.
 */
static const char *config_rel(const struct idx_config *cfg, const char *path, bool *inside)
{
    size_t n;

    *inside = false;
    if (!cfg->project_root || !idx_path_is_under(path, cfg->project_root))
        return path[0] == '/' ? path + 1 : path;
    *inside = true;
    n = strlen(cfg->project_root);
    while (n > 1 && cfg->project_root[n - 1] == '/')
        n--;
    if (n == 1)
        return path + 1; /* the root is "/" */
    return path[n] == '/' ? path + n + 1 : path + n;
}

/* True when one component of rel equals name. */
static bool config_has_component(const char *rel, const char *name)
{
    size_t n = strlen(name);

    for (const char *p = rel; *p;) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && memcmp(p, name, n) == 0)
            return true;
        if (!end)
            break;
        p = end + 1;
    }
    return false;
}

/* True when rel equals prefix or lies below it ("a/b" vs "a/b/c", not "a/bc"). */
static bool config_rel_under(const char *rel, const char *prefix)
{
    size_t n = strlen(prefix);

    while (n && prefix[n - 1] == '/')
        n--;
    if (n == 1 && prefix[0] == '.')
        return true; /* "./": the root itself */
    if (n == 0)
        return false;
    return strncmp(rel, prefix, n) == 0 && (rel[n] == '/' || rel[n] == '\0');
}

static bool config_dir_match(const struct idx_config *cfg, char *const *list, size_t n,
                             const char *path)
{
    bool inside;
    const char *rel = config_rel(cfg, path, &inside);

    for (size_t i = 0; i < n; i++) {
        const char *e = list[i];
        if (!strchr(e, '/')) {
            if (config_has_component(rel, e))
                return true;
        } else if (e[0] == '/') {
            if (idx_path_is_under(path, e))
                return true;
        } else if (inside) {
            const char *r = e;
            while (r[0] == '.' && r[1] == '/' && r[2])
                r += 2;
            if (config_rel_under(rel, r))
                return true;
        }
    }
    return false;
}

static bool config_glob_match(char *const *list, size_t n, const char *rel, const char *base)
{
    for (size_t i = 0; i < n; i++)
        if (fnmatch(list[i], rel, 0) == 0 || fnmatch(list[i], base, 0) == 0)
            return true;
    return false;
}

bool idx_config_is_excluded(const struct idx_config *cfg, const char *path)
{
    bool inside;
    const char *rel, *base;

    if (!cfg || !path)
        return false;
    if (config_dir_match(cfg, cfg->exclude_directories, cfg->n_exclude_directories, path))
        return true;
    rel = config_rel(cfg, path, &inside);
    base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (!*rel)
        return false; /* the root itself is never excluded by a glob */
    return config_glob_match(cfg->exclude_patterns, cfg->n_exclude_patterns, rel, base) ||
           config_glob_match(cfg->compile_commands.exclude_patterns,
                             cfg->compile_commands.n_exclude_patterns, rel, base);
}

bool idx_config_is_dependency(const struct idx_config *cfg, const char *path)
{
    if (!cfg || !path)
        return false;
    if (!cfg->project_root || !idx_path_is_under(path, cfg->project_root))
        return true;
    return config_dir_match(cfg, cfg->dependency_directories, cfg->n_dependency_directories, path);
}

bool idx_config_is_source(const struct idx_config *cfg, const char *path)
{
    const char *base;

    if (!cfg || !path)
        return false;
    base = strrchr(path, '/');
    base = base ? base + 1 : path;
    for (size_t i = 0; i < cfg->compile_commands.n_supported_extensions; i++)
        if (str_ends_with(base, cfg->compile_commands.supported_extensions[i]))
            return true;
    return false;
}
