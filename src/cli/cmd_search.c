/*
 * cmd_search.c - `cidx search PATTERN`: the CLI twin of the find_symbols tool.
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
    [O_FILE] = {"file", CLI_VALUE, "PATH", "only symbols in this file (absolute or a suffix)"},
    [O_LIMIT] = {"limit", CLI_VALUE, "N", "results per page, 1-1000 (default 50)"},
    [O_OFFSET] = {"offset", CLI_VALUE, "N", "skip this many results (paging)"},
    [O_CASE] = {"case-sensitive", CLI_FLAG, NULL, "match case exactly"},
    [O_DETAIL] = {"detail", CLI_VALUE, "D", "brief (default) or full (docs and extents)"},
};

static json_t *loc_json(const struct store_location *l)
{
    json_t *o;
    if (!l->file)
        return json_null();
    o = json_object();
    json_object_set_new(o, "file", cli_json_str(l->file));
    json_object_set_new(o, "line", json_integer(l->line));
    json_object_set_new(o, "column", json_integer(l->col));
    if (l->end_line) {
        json_object_set_new(o, "end_line", json_integer(l->end_line));
        json_object_set_new(o, "end_column", json_integer(l->end_col));
    }
    return o;
}

static json_t *row_json(const struct store_symbol_row *r, bool full)
{
    json_t *o = json_object();
    json_object_set_new(o, "usr", cli_json_str(r->usr));
    json_object_set_new(o, "name", cli_json_str(r->name));
    json_object_set_new(o, "qualified_name", cli_json_str(r->qualified_name));
    json_object_set_new(o, "kind", json_string(store_kind_name(r->kind)));
    json_object_set_new(o, "signature", cli_json_str(r->signature ? r->signature : ""));
    json_object_set_new(o, "namespace", cli_json_str(r->namespace_ ? r->namespace_ : ""));
    json_object_set_new(o, "parent", cli_json_str(r->parent ? r->parent : ""));
    json_object_set_new(o, "access", json_string(store_access_name(r->access)));
    json_object_set_new(o, "is_project", json_boolean(r->is_project));
    json_object_set_new(o, "location", loc_json(&r->location));
    if (r->definition.file)
        json_object_set_new(o, "definition", loc_json(&r->definition));
    json_object_set_new(o, "match", json_string(store_match_name(r->matched)));
    if (full) {
        json_object_set_new(o, "brief", cli_json_str(r->brief ? r->brief : ""));
        json_object_set_new(o, "doc", cli_json_str(r->doc ? r->doc : ""));
        json_object_set_new(o, "declaration", loc_json(&r->declaration));
    }
    return o;
}

static int parse_u64(const struct cli_command *cmd, const char *opt, const char *v, uint64_t max,
                     uint64_t *out)
{
    if (str_to_u64(out, v, max) != 0)
        return cli_usage_error(cmd, "--%s must be a whole number from 0 to %llu (got '%s')", opt,
                               (unsigned long long)max, v);
    return CLI_OK;
}

static int run(const struct cli_command *cmd, struct cli_args *a)
{
    struct store_search_query q = {0};
    struct store_search_result res;
    struct store *st = NULL;
    struct err e = {0};
    bool json = a->values[CLI_COMMON_JSON] != NULL, full = false;
    const char *v;
    uint64_t n;
    int rc;

    q.pattern = a->pos[0];
    if ((v = a->values[CLI_OPT(O_KIND)])) {
        char *list = xstrdup(v), *save = NULL;
        for (char *k = strtok_r(list, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
            unsigned m = store_kind_mask_parse(k);
            if (!m) {
                rc = cli_usage_error(cmd, "unknown kind '%s'", k);
                free(list);
                return rc;
            }
            q.kinds |= m;
        }
        free(list);
    }
    if ((v = a->values[CLI_OPT(O_MATCH)])) {
        int m = store_match_parse(v);
        if (m < 0)
            return cli_usage_error(cmd, "unknown match mode '%s'", v);
        q.match = (enum store_match)m;
    }
    if ((v = a->values[CLI_OPT(O_SCOPE)])) {
        if (!strcmp(v, "all"))
            q.all_scopes = true;
        else if (strcmp(v, "project") != 0)
            return cli_usage_error(cmd, "--scope must be 'project' or 'all' (got '%s')", v);
    }
    if ((v = a->values[CLI_OPT(O_DETAIL)])) {
        if (!strcmp(v, "full"))
            full = true;
        else if (strcmp(v, "brief") != 0)
            return cli_usage_error(cmd, "--detail must be 'brief' or 'full' (got '%s')", v);
    }
    q.include_docs = full;
    q.namespace_ = a->values[CLI_OPT(O_NAMESPACE)];
    q.file = a->values[CLI_OPT(O_FILE)];
    q.case_sensitive = a->values[CLI_OPT(O_CASE)] != NULL;
    if ((v = a->values[CLI_OPT(O_LIMIT)])) {
        if ((rc = parse_u64(cmd, "limit", v, 1000, &n)) != CLI_OK)
            return rc;
        if (n == 0)
            return cli_usage_error(cmd, "--limit must be at least 1");
        q.limit = (uint32_t)n;
    }
    if ((v = a->values[CLI_OPT(O_OFFSET)])) {
        if ((rc = parse_u64(cmd, "offset", v, UINT64_MAX / 2, &n)) != CLI_OK)
            return rc;
        q.offset = n;
    }
    rc = cli_open(a, false, 0, &st);
    if (rc)
        return rc;
    if (store_search(st, &q, &res, &e) != 0) {
        store_close(st);
        return cli_error("%s", e.msg);
    }
    if (json) {
        json_t *o = json_object(), *arr = json_array();
        for (size_t i = 0; i < res.n; i++)
            json_array_append_new(arr, row_json(&res.rows[i], full));
        json_object_set_new(o, "results", arr);
        json_object_set_new(o, "total", json_integer((json_int_t)res.total));
        json_object_set_new(o, "truncated", json_boolean(res.truncated));
        json_object_set_new(o, "next_offset",
                            res.truncated ? json_integer((json_int_t)res.next_offset)
                                          : json_null());
        json_object_set_new(o, "mode", json_string(store_match_name(res.mode)));
        rc = cli_json_print(o);
    } else {
        char total[32];
        for (size_t i = 0; i < res.n; i++) {
            const struct store_symbol_row *r = &res.rows[i];
            char loc[64] = "";
            if (r->location.file)
                snprintf(loc, sizeof(loc), ":%u:%u", r->location.line, r->location.col);
            printf("%-13s %-40s %s%s%s%s\n", store_kind_name(r->kind), r->qualified_name,
                   r->location.file ? r->location.file : "(no location)", loc,
                   r->signature ? "  " : "", r->signature ? r->signature : "");
            if (full && r->brief)
                printf("%-13s   %s\n", "", r->brief);
        }
        cli_fmt_count(total, (long long)res.total);
        if (res.total == 0)
            printf("no symbol matches '%s' (%s)%s\n", q.pattern, store_match_name(res.mode),
                   q.all_scopes ? "" : "; try --scope all to include dependencies");
        else
            printf("%zu of %s match%s (%s)%s\n", res.n, total, res.total == 1 ? "" : "es",
                   store_match_name(res.mode), res.truncated ? "; more with --offset" : "");
        if (res.truncated)
            printf("next page: --offset %llu\n", (unsigned long long)res.next_offset);
        rc = fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
    }
    store_search_result_release(&res);
    store_close(st);
    return rc;
}

const struct cli_command cmd_search = {
    .name = "search",
    .summary = "find symbols by name",
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
