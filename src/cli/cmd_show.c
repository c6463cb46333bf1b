/*
 * cmd_show.c - `cidx show NAME`: the CLI twin of the get_symbol_info tool. Everything the index
 * knows about one symbol: a block of facts, then one aligned list per relation (bases, derived
 * classes, methods, fields, overloads, overrides, enum constants...).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { O_USR, O_KIND, O_SCOPE };

static const struct cli_opt opts[] = {CLI_TARGET_OPTS};

/* "file:line:col (lines 12-16)" of a declaration or definition. */
static void extent(char *out, size_t n, const json_t *loc)
{
    char at[4200];
    cli_fmt_loc(at, sizeof(at), loc);
    if (json_is_object(loc) && cli_jint(loc, "start_line", 0) &&
        cli_jint(loc, "end_line", 0) > cli_jint(loc, "start_line", 0))
        snprintf(out, n, "%s (lines %lld-%lld)", at, cli_jint(loc, "start_line", 0),
                 cli_jint(loc, "end_line", 0));
    else
        snprintf(out, n, "%s", at);
}

static void fact(struct cli_table *t, const char *key, const char *value)
{
    if (value && *value)
        cli_table_add(t, key, value);
}

/* A list of strings joined with ", " (heap). */
static char *joined(const json_t *list)
{
    struct strbuf sb = STRBUF_INIT;
    const json_t *e;
    size_t i;
    json_array_foreach(list, i, e)
    {
        if (json_is_string(e))
            strbuf_addf(&sb, "%s%s", sb.len ? ", " : "", json_string_value(e));
    }
    return strbuf_detach(&sb, NULL);
}

static void section(const json_t *r, const char *key, const char *title)
{
    const json_t *list = json_object_get(r, key), *e;
    struct cli_table t;
    size_t i;

    if (!json_array_size(list))
        return;
    printf("%s (%zu):\n", title, json_array_size(list));
    cli_table_init(&t, 4);
    json_array_foreach(list, i, e)
    {
        char loc[4200], what[256];
        cli_fmt_loc(loc, sizeof(loc), json_object_get(e, "location"));
        if (!strcmp(key, "bases")) {
            snprintf(what, sizeof(what), "%s%s", cli_jstr(e, "access", ""),
                     json_is_true(json_object_get(e, "virtual")) ? " virtual" : "");
            cli_table_add(&t, what, cli_jstr(e, "name", "?"), loc, NULL);
        } else if (!strcmp(key, "constants")) {
            snprintf(what, sizeof(what), "= %s", cli_jstr(e, "value", "?"));
            cli_table_add(&t, cli_jstr(e, "qualified_name", cli_jstr(e, "name", "?")), what, loc,
                          NULL);
        } else {
            const char *access = cli_jstr(e, "access", "");
            if (*access)
                snprintf(what, sizeof(what), "%s %s", access, cli_jstr(e, "kind", ""));
            else
                snprintf(what, sizeof(what), "%s", cli_jstr(e, "kind", ""));
            cli_table_add(&t, what, cli_jstr(e, "qualified_name", cli_jstr(e, "name", "?")), loc,
                          cli_jstr(e, "signature", ""));
        }
    }
    cli_table_print(&t, "  ");
    cli_table_release(&t);
}

static void render(const json_t *r, const struct cli_args *a)
{
    static const char *const lists[][2] = {
        {"bases", "bases"},         {"derived", "derived classes"},     {"methods", "methods"},
        {"fields", "fields"},       {"nested", "nested types"},         {"overloads", "overloads"},
        {"overrides", "overrides"}, {"overridden_by", "overridden by"}, {"constants", "constants"},
    };
    const json_t *doc = json_object_get(r, "doc"), *tmpl = json_object_get(r, "template");
    struct cli_table t;
    char decl[4400], def[4400], buf[512];
    char *attrs;
    const char *brief, *full;

    (void)a;
    if (cli_print_unresolved(r, json_is_string(json_object_get(r, "usr")), "no symbol matches"))
        return;
    printf("%s %s\n", cli_jstr(r, "kind", "?"), cli_jstr(r, "qualified_name", "?"));
    cli_table_init(&t, 2);
    fact(&t, "signature", cli_jstr(r, "signature", ""));
    extent(decl, sizeof(decl), json_object_get(r, "declaration"));
    extent(def, sizeof(def), json_object_get(r, "definition"));
    fact(&t, "declared", decl);
    fact(&t, "defined", def);
    fact(&t, "namespace", cli_jstr(r, "namespace", ""));
    if (strcmp(cli_jstr(r, "parent", ""), cli_jstr(r, "namespace", "")) != 0)
        fact(&t, "member of", cli_jstr(r, "parent", ""));
    fact(&t, "access", cli_jstr(r, "access", ""));
    attrs = joined(json_object_get(r, "attributes"));
    fact(&t, "attributes", attrs);
    free(attrs);
    if (json_is_object(tmpl)) {
        snprintf(buf, sizeof(buf), "%s %s", cli_jstr(tmpl, "kind", ""),
                 cli_jstr(tmpl, "params", ""));
        fact(&t, "template", buf);
    }
    fact(&t, "target", cli_jstr(r, "target", ""));
    if (strcmp(cli_jstr(r, "canonical", ""), cli_jstr(r, "target", "")) != 0)
        fact(&t, "canonical", cli_jstr(r, "canonical", ""));
    brief = cli_jstr(doc, "brief", "");
    full = cli_jstr(doc, "full", "");
    fact(&t, "brief", brief);
    if (!json_is_true(json_object_get(r, "is_project")))
        fact(&t, "in", "dependencies");
    fact(&t, "usr", cli_jstr(r, "usr", ""));
    cli_table_print(&t, "  ");
    cli_table_release(&t);
    if (*full && strcmp(full, brief) != 0) {
        const char *p = full;
        printf("doc:\n");
        while (*p) {
            const char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            printf("  %.*s\n", (int)n, p);
            p += n + (nl != NULL);
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
        section(r, lists[i][0], lists[i][1]);
    if (json_is_true(json_object_get(r, "truncated")))
        printf("(lists are cut at 200 entries; --json has the totals)\n");
}

static int run(const struct cli_command *cmd, struct cli_args *a)
{
    json_t *args = json_object();
    int rc = cli_arg_target(cmd, a, 0, CLI_OPT(O_USR), args);
    if (rc != CLI_OK) {
        json_decref(args);
        return rc;
    }
    return cli_tool_twin(cmd, a, "get_symbol_info", args, render);
}

const struct cli_command cmd_show = {
    .name = "show",
    .summary = "show everything the index knows about a symbol (get_symbol_info)",
    .usage = "cidx show NAME [--usr USR] [--kind K] [options]",
    .details =
        "NAME is a simple name (draw), a qualified name (ui::Widget::draw, matched as a suffix\n"
        "at :: boundaries) or ::name for the global namespace. Shows the signature, where the\n"
        "symbol is declared and defined, its doc comment and attributes, and for classes\n"
        "their bases, derived classes, methods and fields; for functions their overloads,\n"
        "overrides and overriders; for enums their constants; for typedefs the target type.\n"
        "A name that matches several symbols lists them: pick one with --usr.",
    .opts = opts,
    .nopts = (int)ARRAY_SIZE(opts),
    .min_pos = 0,
    .max_pos = 1,
    .cache = true,
    .run = run,
};
