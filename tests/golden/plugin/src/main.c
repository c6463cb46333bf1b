/* main.c - an ordinary source; its compile commands try to load marker_plugin.so. */

/** Returns its argument. */
int plugin_project_identity(int v)
{
    return v;
}

int main(void)
{
    return plugin_project_identity(0);
}
