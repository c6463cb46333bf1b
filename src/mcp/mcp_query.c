/*
 * mcp_query.c - the glue between the tools and the store's code queries: the symbol a call is
 * about (name or usr, kind, scope), file arguments kept inside the project, and the mapping of
 * a query's failure to -32602 or an isError result.
 */
#include <stdlib.h>
#include <string.h>

#include "mcp_int.h"

int mcp_query_target(struct mcp_call *c, struct store_target *t)
{
    const char *kind = mcp_arg_str(c->args, "kind", NULL);
    memset(t, 0, sizeof(*t));
    t->name = mcp_arg_str(c->args, "name", NULL);
    t->usr = mcp_arg_str(c->args, "usr", NULL);
    t->kinds = kind ? store_kind_mask_parse(kind) : 0;
    t->all_scopes = !strcmp(mcp_arg_str(c->args, "scope", "project"), "all");
    if (!t->name && !t->usr)
        return mcp_call_bad_arg(c, "give 'name' (simple, qualified or ::global) or 'usr'");
    return MCP_TOOL_OK;
}

int mcp_query_failed(struct mcp_call *c, int rc, const struct err *e)
{
    if (rc == ERR_INVALID)
        return mcp_call_bad_arg(c, "%s", e->msg);
    return mcp_call_fail(c, "%s", e->msg);
}

int mcp_query_file(struct mcp_call *c, const char *arg, const char *path, char **out)
{
    const char *root = c->view->root;
    char *resolved = NULL;
    struct err e = {0};

    *out = NULL;
    if (mcp_path_resolve(&resolved, root, path, &e) != 0)
        return mcp_call_bad_arg(c, "'%s': %s", arg, e.msg);
    if (path[0] != '/' && !fs_exists(resolved) && !strstr(path, "..")) {
        /* not at that place under the root: the store matches it as a path suffix */
        free(resolved);
        *out = xstrdup(path);
        return MCP_TOOL_OK;
    }
    *out = resolved;
    return MCP_TOOL_OK;
}

bool mcp_query_file_inside(const struct mcp_call *c, const char *file)
{
    char *r = NULL;
    bool ok;
    if (!file || file[0] != '/')
        return true; /* results name project files relative to the root */
    ok = mcp_path_resolve(&r, c->view->root, file, NULL) == 0;
    free(r);
    return ok;
}
