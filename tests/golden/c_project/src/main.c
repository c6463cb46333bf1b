/* main.c - builds a list and walks it; the second includer of list.h. */
#include "list.h"

/** The program's name, from the compile command. */
static const char app_name[] = APP_NAME;

/** How many nodes were visited; a global written by a callback. */
int visited = 0;

static int count_node(struct list_node *node, void *ctx)
{
    (void)node;
    (void)ctx;
    visited++;
    return 0;
}

/** A table of visitors: function pointers stored, not called here. */
static list_visit_fn const visitors[] = {count_node};

int main(void)
{
    struct list_node nodes[LIST_CAPACITY];
    struct value v = {.kind = VALUE_INT, .as = {.i = 20}};
    union number num;
    list l;
    long total;

    list_init(&l);
    list_push(&l, &nodes[0], v);
    v.as.i = twice(v.as.i);
    list_push(&l, &nodes[1], v);
    list_each(&l, visitors[0], 0);
    total = list_sum(&l);
    num.i = (int)LIST_ARRAY_LEN(app_name) + app_name[0];
    return (int)(total + visited + num.i) == 0;
}
