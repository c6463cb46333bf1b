/*
 * cmd_search.c - `cidx search PATTERN`: the CLI twin of the find_symbols tool. The options are
 * checked here (so their messages name them), then the tool runs in this process: --json is
 * its structuredContent, the table one line per symbol.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { O_KIND, O_MATCH, O_SCOPE, O_NAMESPACE, O_FILE, O_LIMIT, O_OFFSET, O_CASE, O_DETAIL };

static const struct cli_opt opts[] = {
    [O_KIND] = {"kind", CLI_VALUES, "K",
                "only these kinds (repeatable or comma-separated): class struct union enum "
                "function method constructor destructor conversion field variable enum_constant "
                "typedef type_alias namespace macro, or the groups types and functions"},
    [O_MATCH] = {"match", CLI_VALUE, "MODE",
                 "auto (default), exact, prefix, words, substring, qualified, regex"},
    [O_SCOPE] = {"scope", CLI_VALUE, "S", "project (default) or all (dependencies too)"},
    [O_NAMESPACE] = {"namespace", CLI_VALUE, "NS", "only symbols in this namespace"},
    [O_FILE] = {"file", CLI_VALUE, "PATH",
                "only symbols in this file (from the current directory, relative to the project "
                "root, or absolute inside it)"},
    [O_LIMIT] = {"limit", CLI_VALUE, "N", "results per page, 1-1000 (default 50)"},
    [O_OFFSET] = {"offset", CLI_VALUE, "N", "skip this many results (paging)"},
    [O_CASE] = {"case-sensitive", CLI_FLAG, NULL, "match case exactly"},
    [O_DETAIL] = {"detail", CLI_VALUE, "D", "brief (default) or full (docs and extents)"},
};

static int parse_u64(const struct cli_command *cmd, const char *opt, const char *v, uint64_t max,
                     uint64_t *out)
{
    if (str_to_u64(out, v, max) != 0)
        return cli_usage_error(cmd, "--%s must be a whole number from 0 to %llu (got '%s')", opt,
                               (unsigned long long)max, v);
    return CLI_OK;
}

static void render(const json_t *r, const struct cli_args *a)
{
    const json_t *results = json_object_get(r, "results"), *e;
    const char *mode = cli_jstr(r, "mode", "?");
    long long total = cli_jint(r, "total", 0);
    bool all = a->values[CLI_OPT(O_SCOPE)] && !strcmp(a->values[CLI_OPT(O_SCOPE)], "all");
    struct cli_table t;
    char count[32];
    size_t i;

    cli_table_init(&t, 5);
    json_array_foreach(results, i, e)
    {
        char loc[4200];
        const char *brief = cli_jstr(e, "brief", "");
        char *note = *brief ? xasprintf("// %s", brief) : NULL;
        if (json_is_object(json_object_get(e, "location")))
            cli_fmt_loc(loc, sizeof(loc), json_object_get(e, "location"));
        else
            snprintf(loc, sizeof(loc), "(no location)");
        cli_table_add(&t, cli_jstr(e, "kind", "?"), cli_jstr(e, "qualified_name", "?"), loc,
                      cli_jstr(e, "signature", ""), note);
        free(note);
    }
    cli_table_print(&t, "");
    cli_table_release(&t);
    cli_fmt_count(count, total);
    if (total == 0)
        printf("no symbol matches '%s' (%s)%s\n", a->pos[0], mode,
               all ? "" : "; try --scope all to include dependencies");
    else
        printf("%zu of %s match%s (%s)%s\n", json_array_size(results), count,
               total == 1 ? "" : "es", mode,
               json_is_integer(json_object_get(r, "next_offset")) ? "; more with --offset" : "");
    if (json_is_integer(json_object_get(r, "next_offset")))
        printf("next page: --offset %lld\n", cli_jint(r, "next_offset", 0));
}

static int run(const struct cli_command *cmd, struct cli_args *a)
{
    json_t *args = json_object();
    const char *v;
    uint64_t n;
    int rc = CLI_OK;

    json_object_set_new(args, "pattern", cli_json_str(a->pos[0]));
    if ((v = a->values[CLI_OPT(O_KIND)])) {
        char *list = xstrdup(v), *save = NULL;
        for (char *k = strtok_r(list, ",", &save); k && rc == CLI_OK;
             k = strtok_r(NULL, ",", &save))
            if (!store_kind_mask_parse(k))
                rc = cli_usage_error(cmd, "unknown kind '%s'", k);
        free(list);
        cli_arg_list(a, CLI_OPT(O_KIND), args, "kinds");
    }
    if (rc == CLI_OK && (v = a->values[CLI_OPT(O_MATCH)]) && store_match_parse(v) < 0)
        rc = cli_usage_error(cmd, "unknown match mode '%s'", v);
    if (rc == CLI_OK && (v = a->values[CLI_OPT(O_SCOPE)]) && strcmp(v, "all") != 0 &&
        strcmp(v, "project") != 0)
        rc = cli_usage_error(cmd, "--scope must be 'project' or 'all' (got '%s')", v);
    if (rc == CLI_OK && (v = a->values[CLI_OPT(O_DETAIL)]) && strcmp(v, "full") != 0 &&
        strcmp(v, "brief") != 0)
        rc = cli_usage_error(cmd, "--detail must be 'brief' or 'full' (got '%s')", v);
    if (rc == CLI_OK && (v = a->values[CLI_OPT(O_LIMIT)])) {
        if ((rc = parse_u64(cmd, "limit", v, 1000, &n)) == CLI_OK && n == 0)
            rc = cli_usage_error(cmd, "--limit must be at least 1");
        if (rc == CLI_OK)
            json_object_set_new(args, "limit", json_integer((json_int_t)n));
    }
    if (rc == CLI_OK && (v = a->values[CLI_OPT(O_OFFSET)]) &&
        (rc = parse_u64(cmd, "offset", v, UINT64_MAX / 2, &n)) == CLI_OK)
        json_object_set_new(args, "offset", json_integer((json_int_t)n));
    if (rc != CLI_OK) {
        json_decref(args);
        return rc;
    }
    cli_arg_str(a, CLI_OPT(O_MATCH), args, "match");
    cli_arg_str(a, CLI_OPT(O_SCOPE), args, "scope");
    cli_arg_str(a, CLI_OPT(O_NAMESPACE), args, "namespace");
    cli_arg_str(a, CLI_OPT(O_DETAIL), args, "detail");
    if (a->values[CLI_OPT(O_FILE)])
        cli_arg_file(args, "file", a->values[CLI_OPT(O_FILE)]);
    if (a->values[CLI_OPT(O_CASE)])
        json_object_set_new(args, "case_sensitive", json_true());
    return cli_tool_twin(cmd, a, "find_symbols", args, render);
}

const struct cli_command cmd_search = {
    .name = "search",
    .summary = "find symbols by name (find_symbols)",
    .usage = "cidx search PATTERN [options]",
    .details =
        "PATTERN is matched case-insensitively. The default mode 'auto' uses 'qualified' when\n"
        "the pattern contains '::' (ui::View, ::main), 'regex' when it has regex syntax, and\n"
        "otherwise ranks exact > prefix > sub-word > substring matches. Sub-words split\n"
        "camelCase and snake_case: 'push back' and 'pushB' find push_back, 'Manager' finds\n"
        "ResourceManager. An empty PATTERN (\"\") lists everything, page by page. Exact\n"
        "matches come first, project code before dependencies.",
    .opts = opts,
    .nopts = (int)ARRAY_SIZE(opts),
    .min_pos = 1,
    .max_pos = 1,
    .cache = true,
    .run = run,
};
