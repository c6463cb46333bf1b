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

static const struct cli_opt common_opts[CLI_COMMON_COUNT_] = {
    [CLI_COMMON_CACHE_DIR] = {"cache-dir", CLI_VALUE, "DIR", "the cache directory to use"},
    [CLI_COMMON_PROJECT] = {"project", CLI_VALUE, "DIR",
                            "the project whose default cache to use (default: .)"},
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
        if (!cmd->cache && (k == CLI_COMMON_CACHE_DIR || k == CLI_COMMON_PROJECT))
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
    rc = store_open(out, dir, (write ? 0 : STORE_OPEN_EXISTING) | extra_flags, &e);
    if (rc == ERR_READONLY && !write)
        rc = store_open(out, dir, STORE_OPEN_READONLY | extra_flags, &e);
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
