/*
 * cli_common.c - what every subcommand shares: option parsing from the descriptors, the cache
 * location, opening the cache, errors and output helpers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mcp/mcp.h"

static const struct cli_opt common_opts[CLI_COMMON_COUNT_] = {
    [CLI_COMMON_CACHE_DIR] = {"cache-dir", CLI_VALUE, "DIR", "the cache directory to use"},
    [CLI_COMMON_PROJECT] = {"project", CLI_VALUE, "DIR",
                            "the project whose default cache to use (default: .)"},
    [CLI_COMMON_BACKEND] = {"backend", CLI_VALUE, "NAME",
                            "sqlite (the default) or json: keep the cache as legacy JSON files "
                            "(the same as CLANG_INDEX_USE_SQLITE=0)"},
    [CLI_COMMON_JSON] = {"json", CLI_FLAG, NULL, "print JSON instead of text"},
    [CLI_COMMON_HELP] = {"help", CLI_FLAG, NULL, "show this help"},
};

static const struct cli_opt *opt_at(const struct cli_command *cmd, int i)
{
    if (i < CLI_COMMON_COUNT_)
        return &common_opts[i];
    return &cmd->opts[i - CLI_COMMON_COUNT_];
}

int cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("cidx: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_FAIL;
}

int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    fputs("cidx: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nusage: %s\nRun 'cidx help %s' for the options.\n", cmd->usage, cmd->name);
    return CLI_USAGE;
}

int cli_parse(const struct cli_command *cmd, int argc, char **argv, struct cli_args *out)
{
    int nopt = CLI_COMMON_COUNT_ + cmd->nopts;
    bool only_pos = false;

    memset(out, 0, sizeof(*out));
    if (nopt > CLI_MAX_OPTS)
        BUG("command '%s' has too many options", cmd->name);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!only_pos && !strcmp(a, "--")) {
            only_pos = true;
            continue;
        }
        if (!only_pos && (!strcmp(a, "-h"))) {
            out->values[CLI_COMMON_HELP] = "1";
            continue;
        }
        if (!only_pos && a[0] == '-' && a[1] == '-' && a[2]) {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
            int found = -1;
            const struct cli_opt *o;
            const char *val = NULL;
            for (int k = 0; k < nopt; k++) {
                if (!(k < CLI_COMMON_COUNT_ && k != CLI_COMMON_HELP && k != CLI_COMMON_JSON &&
                      !cmd->cache) &&
                    strlen(opt_at(cmd, k)->name) == nlen &&
                    !strncmp(opt_at(cmd, k)->name, name, nlen)) {
                    found = k;
                    break;
                }
            }
            if (found < 0) {
                cli_args_release(out);
                return cli_usage_error(cmd, "unknown option '--%.*s' for '%s'", (int)nlen, name,
                                       cmd->name);
            }
            o = opt_at(cmd, found);
            if (o->arg == CLI_FLAG) {
                if (eq) {
                    cli_args_release(out);
                    return cli_usage_error(cmd, "option '--%s' takes no value", o->name);
                }
                out->values[found] = "1";
                continue;
            }
            if (eq) {
                val = eq + 1;
            } else if (i + 1 < argc) {
                val = argv[++i];
            } else {
                cli_args_release(out);
                return cli_usage_error(cmd, "option '--%s' needs a value (%s)", o->name,
                                       o->arg_name ? o->arg_name : "VALUE");
            }
            if (o->arg == CLI_VALUES && out->values[found]) {
                char *joined = xasprintf("%s,%s", out->values[found], val);
                free(out->owned[found]);
                out->owned[found] = joined;
                out->values[found] = joined;
            } else {
                out->values[found] = val;
            }
            continue;
        }
        if (!only_pos && a[0] == '-' && a[1]) {
            cli_args_release(out);
            return cli_usage_error(cmd, "unknown option '%s' for '%s'", a, cmd->name);
        }
        if (out->npos >= cmd->max_pos || out->npos >= CLI_MAX_POS) {
            cli_args_release(out);
            return cli_usage_error(cmd, "unexpected argument '%s'", a);
        }
        out->pos[out->npos++] = a;
    }
    if (out->values[CLI_COMMON_BACKEND]) {
        const char *b = out->values[CLI_COMMON_BACKEND];
        if (strcmp(b, "json") && strcmp(b, "sqlite")) {
            cli_args_release(out);
            return cli_usage_error(cmd, "unknown backend '%s' (sqlite or json)", b);
        }
        /* the one switch every open honors (store_open_cache), set before any thread starts:
           the indexer and the server open their caches through it too */
        setenv("CLANG_INDEX_USE_SQLITE", strcmp(b, "json") ? "1" : "0", 1);
    }
    if (!out->values[CLI_COMMON_HELP] && out->npos < cmd->min_pos) {
        cli_args_release(out);
        return cli_usage_error(cmd, "'%s' needs %d argument%s", cmd->name, cmd->min_pos,
                               cmd->min_pos == 1 ? "" : "s");
    }
    return CLI_OK;
}

void cli_args_release(struct cli_args *a)
{
    for (int i = 0; i < CLI_MAX_OPTS; i++) {
        free(a->owned[i]);
        a->owned[i] = NULL;
    }
}

/* Prints one option line, wrapping its help text under the help column. */
static void print_opt(FILE *f, const struct cli_opt *o)
{
    char left[64];
    const char *h = o->help;
    int width = 72 - 27;
    snprintf(left, sizeof(left), "--%s%s%s", o->name, o->arg_name ? " " : "",
             o->arg_name ? o->arg_name : "");
    fprintf(f, "  %-24s ", left);
    while (*h) {
        int n = (int)strlen(h);
        if (n > width) {
            n = width;
            while (n > 0 && h[n] != ' ')
                n--;
            if (n == 0)
                n = width;
        }
        fprintf(f, "%.*s\n", n, h);
        h += n;
        while (*h == ' ')
            h++;
        if (*h)
            fprintf(f, "  %-24s ", "");
    }
}

void cli_print_command_help(FILE *f, const struct cli_command *cmd)
{
    int nopt = CLI_COMMON_COUNT_ + cmd->nopts;
    fprintf(f, "usage: %s\n\n%s\n", cmd->usage, cmd->summary);
    if (cmd->details)
        fprintf(f, "\n%s\n", cmd->details);
    fprintf(f, "\noptions:\n");
    for (int k = CLI_COMMON_COUNT_; k < nopt; k++)
        print_opt(f, opt_at(cmd, k));
    for (int k = 0; k < CLI_COMMON_COUNT_; k++) {
        if (!cmd->cache &&
            (k == CLI_COMMON_CACHE_DIR || k == CLI_COMMON_PROJECT || k == CLI_COMMON_BACKEND))
            continue;
        print_opt(f, opt_at(cmd, k));
    }
}

char *cli_cache_dir(const struct cli_args *a)
{
    const char *dir = a->values[CLI_COMMON_CACHE_DIR];
    const char *project = a->values[CLI_COMMON_PROJECT];
    char *root, *res;

    if (dir && *dir)
        return xstrdup(dir);
    root = path_real(project && *project ? project : ".");
    if (!root)
        root = xstrdup(project && *project ? project : ".");
    res = store_default_cache_dir(root, NULL);
    free(root);
    return res;
}

int cli_open(const struct cli_args *a, bool write, unsigned extra_flags, struct store **out)
{
    char *dir = cli_cache_dir(a);
    struct err e = {0};
    int rc;

    if (a->values[CLI_COMMON_PROJECT] && !a->values[CLI_COMMON_CACHE_DIR] &&
        !fs_is_dir(a->values[CLI_COMMON_PROJECT])) {
        rc = cli_error("project directory '%s' does not exist", a->values[CLI_COMMON_PROJECT]);
        free(dir);
        return rc;
    }
    /* a legacy JSON cache in dir is migrated first (docs/MIGRATION.md); the JSON backend when
       asked for (--backend json) or when the SQLite cache cannot be used */
    rc = store_open_cache(out, dir, (write ? 0 : STORE_OPEN_EXISTING) | extra_flags, &e);
    if (rc == ERR_READONLY && !write)
        rc = store_open_cache(out, dir, STORE_OPEN_READONLY | extra_flags, &e);
    free(dir);
    if (rc)
        return cli_error("%s", e.msg);
    return CLI_OK;
}

json_t *cli_json_str(const char *s)
{
    json_t *v;
    char *fixed;

    if (!s)
        return json_null();
    v = json_string(s);
    if (v)
        return v;
    /* Invalid UTF-8: keep valid sequences, replace each bad byte with U+FFFD. */
    fixed = str_utf8_sanitize(s);
    v = json_string(fixed);
    free(fixed);
    return v ? v : json_string("");
}

int cli_json_print(json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(v);
    if (!s)
        return cli_error("cannot format JSON output");
    puts(s);
    free(s);
    return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
}

void cli_fmt_count(char out[32], long long v)
{
    char raw[32];
    int n = snprintf(raw, sizeof(raw), "%lld", v < 0 ? -v : v), o = 0;
    if (v < 0)
        out[o++] = '-';
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = raw[i];
    }
    out[o] = '\0';
}

void cli_fmt_age(char out[48], double when)
{
    double d = time_now() - when;
    if (when <= 0)
        snprintf(out, 48, "never");
    else if (d < 60)
        snprintf(out, 48, "just now");
    else if (d < 3600)
        snprintf(out, 48, "%d minutes ago", (int)(d / 60));
    else if (d < 86400)
        snprintf(out, 48, "%d hours ago", (int)(d / 3600));
    else
        snprintf(out, 48, "%d days ago", (int)(d / 86400));
}

/* ---- the twins of the MCP tools ---- */

char *cli_project_root(const struct cli_args *a, struct store *st)
{
    const char *project = a->values[CLI_COMMON_PROJECT];
    char *root = NULL, *recorded = NULL;

    if (project && *project) {
        root = path_real(project);
        return root ? root : xstrdup(project);
    }
    if (store_meta_get(st, "project_root", &recorded, NULL) == 0 && recorded && *recorded)
        root = path_real(recorded);
    free(recorded);
    if (root && fs_is_dir(root))
        return root;
    free(root);
    root = path_real(".");
    return root ? root : xstrdup(".");
}

int cli_json_print_tool(const json_t *v)
{
    char *s = json_dumps(v, MCP_JSON_DUMP_FLAGS);
    if (!s)
        return cli_error("cannot format JSON output");
    puts(s);
    free(s);
    return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
}

int cli_tool_run(const struct cli_command *cmd, const struct cli_args *a, const char *tool,
                 const json_t *args, json_t **result, char **text, struct err *tool_err)
{
    struct store *st = NULL;
    struct err e = {0};
    char *root;
    int rc;

    *result = NULL;
    *text = NULL;
    if (tool_err)
        err_clear(tool_err);
    if (mcp_tool_check(tool, args, &e) != 0) {
        if (tool_err)
            *tool_err = e;
        return cli_usage_error(cmd, "%s", e.msg);
    }
    if ((rc = cli_open(a, false, 0, &st)) != CLI_OK)
        return rc;
    root = cli_project_root(a, st);
    rc = mcp_tool_run(result, text, st, root, tool, args, &e);
    free(root);
    store_close(st);
    if (rc == 0)
        return CLI_OK;
    if (tool_err && (rc == ERR_INVALID || rc == ERR_GENERIC))
        *tool_err = e;
    if (rc == ERR_INVALID)
        return cli_usage_error(cmd, "%s", e.msg);
    return cli_error("%s", e.msg);
}

int cli_tool_twin(const struct cli_command *cmd, const struct cli_args *a, const char *tool,
                  json_t *args, cli_render_fn render)
{
    json_t *result = NULL;
    char *text = NULL;
    int rc = cli_tool_run(cmd, a, tool, args, &result, &text, NULL);

    json_decref(args);
    free(text);
    if (rc != CLI_OK)
        return rc;
    if (a->values[CLI_COMMON_JSON]) {
        rc = cli_json_print_tool(result);
    } else {
        render(result, a);
        rc = fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
    }
    json_decref(result);
    return rc;
}

int cli_arg_uint(const struct cli_command *cmd, const struct cli_args *a, int opt, json_t *args,
                 const char *key)
{
    const char *v = a->values[opt];
    uint64_t n;
    if (!v)
        return CLI_OK;
    if (str_to_u64(&n, v, (uint64_t)1 << 53) != 0)
        return cli_usage_error(cmd, "--%s must be a whole number (got '%s')",
                               cmd->opts[opt - CLI_COMMON_COUNT_].name, v);
    json_object_set_new(args, key, json_integer((json_int_t)n));
    return CLI_OK;
}

void cli_arg_str(const struct cli_args *a, int opt, json_t *args, const char *key)
{
    if (a->values[opt])
        json_object_set_new(args, key, cli_json_str(a->values[opt]));
}

void cli_arg_list(const struct cli_args *a, int opt, json_t *args, const char *key)
{
    const char *v = a->values[opt], *p;
    json_t *list;
    if (!v)
        return;
    list = json_array();
    for (p = v;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (n) {
            char *one = xstrndup(p, n);
            json_array_append_new(list, cli_json_str(one));
            free(one);
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    json_object_set_new(args, key, list);
}

int cli_arg_target(const struct cli_command *cmd, const struct cli_args *a, int pos, int opt_usr,
                   json_t *args)
{
    if (pos < a->npos)
        json_object_set_new(args, "name", cli_json_str(a->pos[pos]));
    cli_arg_str(a, opt_usr, args, "usr");
    cli_arg_str(a, opt_usr + 1, args, "kind");
    cli_arg_str(a, opt_usr + 2, args, "scope");
    if (pos >= a->npos && !a->values[opt_usr])
        return cli_usage_error(cmd, "'%s' needs NAME (or --usr USR)", cmd->name);
    return CLI_OK;
}

void cli_arg_file(json_t *args, const char *key, const char *path)
{
    char *real = NULL;
    if (path[0] != '/' && fs_exists(path))
        real = path_real(path);
    json_object_set_new(args, key, cli_json_str(real ? real : path));
    free(real);
}

const char *cli_jstr(const json_t *o, const char *key, const char *def)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : def;
}

long long cli_jint(const json_t *o, const char *key, long long def)
{
    const json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (long long)json_integer_value(v) : def;
}

void cli_fmt_loc(char *out, size_t n, const json_t *loc)
{
    if (!json_is_object(loc)) {
        snprintf(out, n, "-");
        return;
    }
    snprintf(out, n, "%s:%lld:%lld", cli_jstr(loc, "file", "?"), cli_jint(loc, "line", 0),
             cli_jint(loc, "column", 0));
}

bool cli_print_ambiguous(const json_t *r)
{
    const json_t *cands = json_object_get(r, "candidates"), *c;
    struct cli_table t;
    size_t i;

    if (!json_is_true(json_object_get(r, "ambiguous")))
        return false;
    printf("%s\n", cli_jstr(r, "hint", "the name matches several symbols"));
    cli_table_init(&t, 5);
    json_array_foreach(cands, i, c)
    {
        char loc[4200];
        if (json_is_string(c)) {
            cli_table_add(&t, json_string_value(c), NULL, NULL, NULL, NULL);
            continue;
        }
        if (json_is_string(json_object_get(c, "file")))
            snprintf(loc, sizeof(loc), "%s:%lld", cli_jstr(c, "file", "?"), cli_jint(c, "line", 0));
        else
            snprintf(loc, sizeof(loc), "-");
        cli_table_add(&t, cli_jstr(c, "kind", ""), cli_jstr(c, "qualified_name", ""), loc,
                      cli_jstr(c, "usr", ""), cli_jstr(c, "signature", ""));
    }
    cli_table_print(&t, "  ");
    cli_table_release(&t);
    printf("%zu of %lld candidates; pick one by its usr%s\n", json_array_size(cands),
           cli_jint(r, "candidates_total", (long long)json_array_size(cands)),
           json_is_string(json_array_get(cands, 0)) ? " (or a longer path)" : "");
    return true;
}

bool cli_print_unresolved(const json_t *r, bool found, const char *fallback)
{
    if (cli_print_ambiguous(r))
        return true;
    if (found)
        return false;
    printf("%s\n", cli_jstr(r, "hint", fallback));
    return true;
}

void cli_print_page(const json_t *r, size_t shown, const char *noun, const char *nouns)
{
    char total[32];
    long long n = cli_jint(r, "total", (long long)shown);
    const json_t *next = json_object_get(r, "next_offset");
    cli_fmt_count(total, n);
    printf("%zu of %s %s\n", shown, total, n == 1 ? noun : nouns);
    if (json_is_integer(next))
        printf("next page: --offset %lld\n", (long long)json_integer_value(next));
}

void cli_table_init(struct cli_table *t, size_t ncols)
{
    memset(t, 0, sizeof(*t));
    t->ncols = ncols;
}

void cli_table_add(struct cli_table *t, ...)
{
    va_list ap;
    ALLOC_GROW(t->cells, (t->nrows + 1) * t->ncols, t->alloc);
    va_start(ap, t);
    for (size_t c = 0; c < t->ncols; c++) {
        const char *v = va_arg(ap, const char *);
        char *cell = xstrdup(v ? v : "");
        for (char *p = cell; *p; p++)
            if (*p == '\n' || *p == '\r' || *p == '\t')
                *p = ' ';
        t->cells[t->nrows * t->ncols + c] = cell;
    }
    va_end(ap);
    t->nrows++;
}

/* Columns on a terminal: UTF-8 code points, not bytes. */
static size_t text_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

/* A cell wider than this does not widen its column (it pushes its own row only). */
#define CLI_TABLE_MAX_WIDTH 60

void cli_table_print(const struct cli_table *t, const char *indent)
{
    size_t width[16] = {0};
    struct strbuf line = STRBUF_INIT;

    if (t->ncols > ARRAY_SIZE(width))
        BUG("table of %zu columns", t->ncols);
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t c = 0; c < t->ncols; c++) {
            size_t w = text_width(t->cells[r * t->ncols + c]);
            if (w <= CLI_TABLE_MAX_WIDTH && w > width[c])
                width[c] = w;
        }
    for (size_t r = 0; r < t->nrows; r++) {
        size_t pending = 0; /* padding owed before the next non-empty cell */
        strbuf_reset(&line);
        strbuf_adds(&line, indent);
        for (size_t c = 0; c < t->ncols; c++) {
            const char *cell = t->cells[r * t->ncols + c];
            size_t w = text_width(cell);
            if (!*cell && !width[c])
                continue;
            if (*cell) {
                for (size_t k = 0; k < pending; k++)
                    strbuf_addch(&line, ' ');
                pending = 0;
                strbuf_adds(&line, cell);
            }
            pending += (w < width[c] ? width[c] - w : 0) + 2;
        }
        strbuf_addch(&line, '\n');
        fputs(line.buf, stdout);
    }
    strbuf_release(&line);
}

void cli_table_release(struct cli_table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof(*t));
}
