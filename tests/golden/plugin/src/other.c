/* other.c - the second ordinary source; its one compile command holds every spelling at once. */

/** Returns one. */
int plugin_project_other(void)
{
    return 1;
}
