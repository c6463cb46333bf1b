/*
 * cmd_hierarchy.c - `cidx hierarchy NAME`: the CLI twin of the get_class_hierarchy tool. The
 * class, then its bases as a tree (up) and its derived classes as a tree (down), one class per
 * line; a class reached a second time (a diamond) is marked instead of repeated.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

enum { O_USR, O_KIND, O_SCOPE, O_UP, O_DOWN, O_MAX_DEPTH, O_MAX_NODES };

static const struct cli_opt opts[] = {
    CLI_TARGET_OPTS,
    [O_UP] = {"up", CLI_FLAG, NULL, "only the bases (and their bases...)"},
    [O_DOWN] = {"down", CLI_FLAG, NULL, "only the derived classes (and theirs...)"},
    [O_MAX_DEPTH] = {"max-depth", CLI_VALUE, "N", "levels to walk, 1-10000 (default 10)"},
    [O_MAX_NODES] = {"max-nodes", CLI_VALUE, "N", "classes to show, 1-10000 (default 200)"},
};

static void node_row(struct cli_table *t, const json_t *nodes, const char *key, int depth,
                     const char *note)
{
    const json_t *n = json_object_get(nodes, key);
    char name[1200], loc[4200];
    snprintf(name, sizeof(name), "%*s%s", depth > 32 ? 64 : depth * 2, "", key);
    cli_fmt_loc(loc, sizeof(loc), json_object_get(n, "location"));
    cli_table_add(t, name, cli_jstr(n, "kind", "?"), loc, note);
}

/* One branch: the classes along edge ("bases" or "derived") below key, depth first. */
static void tree(struct cli_table *t, const json_t *nodes, const char *key, const char *edge,
                 int depth, struct strmap *seen)
{
    const json_t *next = json_object_get(json_object_get(nodes, key), edge), *e;
    size_t i;
    json_array_foreach(next, i, e)
    {
        const char *k = json_string_value(e);
        if (!k)
            continue;
        if (strmap_has(seen, k)) {
            node_row(t, nodes, k, depth, "(shown above)");
            continue;
        }
        strmap_put(seen, k, NULL);
        node_row(t, nodes, k, depth, NULL);
        tree(t, nodes, k, edge, depth + 1, seen);
    }
}

static void render(const json_t *r, const struct cli_args *a)
{
    const json_t *nodes = json_object_get(r, "nodes");
    const char *root = json_string_value(json_object_get(r, "root"));
    struct cli_table t;
    struct strmap seen = STRMAP_INIT;
    size_t n = json_object_size(nodes);

    if (cli_print_unresolved(r, root != NULL, "no class matches"))
        return;
    cli_table_init(&t, 4);
    node_row(&t, nodes, root, 0, NULL);
    if (!a->values[CLI_OPT(O_DOWN)]) {
        cli_table_add(&t,
                      json_array_size(json_object_get(json_object_get(nodes, root), "bases"))
                          ? "bases:"
                          : "bases: none",
                      NULL, NULL, NULL);
        strmap_put(&seen, root, NULL);
        tree(&t, nodes, root, "bases", 1, &seen);
        strmap_clear(&seen);
    }
    if (!a->values[CLI_OPT(O_UP)]) {
        cli_table_add(&t,
                      json_array_size(json_object_get(json_object_get(nodes, root), "derived"))
                          ? "derived:"
                          : "derived: none",
                      NULL, NULL, NULL);
        strmap_put(&seen, root, NULL);
        tree(&t, nodes, root, "derived", 1, &seen);
        strmap_clear(&seen);
    }
    cli_table_print(&t, "");
    cli_table_release(&t);
    printf("%zu class%s%s\n", n, n == 1 ? "" : "es",
           json_is_true(json_object_get(r, "truncated"))
               ? "; more beyond the limits (raise --max-depth or --max-nodes)"
               : "");
}

static int run(const struct cli_command *cmd, struct cli_args *a)
{
    json_t *args = json_object();
    int rc;

    if (a->values[CLI_OPT(O_UP)] && a->values[CLI_OPT(O_DOWN)]) {
        json_decref(args);
        return cli_usage_error(cmd, "give --up or --down, not both (neither shows both)");
    }
    if ((rc = cli_arg_target(cmd, a, 0, CLI_OPT(O_USR), args)) != CLI_OK ||
        (rc = cli_arg_uint(cmd, a, CLI_OPT(O_MAX_DEPTH), args, "max_depth")) != CLI_OK ||
        (rc = cli_arg_uint(cmd, a, CLI_OPT(O_MAX_NODES), args, "max_nodes")) != CLI_OK) {
        json_decref(args);
        return rc;
    }
    if (a->values[CLI_OPT(O_UP)])
        json_object_set_new(args, "direction", json_string("up"));
    else if (a->values[CLI_OPT(O_DOWN)])
        json_object_set_new(args, "direction", json_string("down"));
    return cli_tool_twin(cmd, a, "get_class_hierarchy", args, render);
}

const struct cli_command cmd_hierarchy = {
    .name = "hierarchy",
    .summary = "show the base and derived classes of a class (get_class_hierarchy)",
    .usage = "cidx hierarchy NAME [--up | --down] [--max-depth N] [--max-nodes N] [options]",
    .details = "Walks breadth first from the class, up through its bases and down through the\n"
               "classes derived from it, bounded by --max-depth and --max-nodes; cycles and\n"
               "diamonds are safe (a class reached twice is shown once, then marked).",
    .opts = opts,
    .nopts = (int)ARRAY_SIZE(opts),
    .min_pos = 0,
    .max_pos = 1,
    .cache = true,
    .run = run,
};
