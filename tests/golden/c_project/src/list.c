/* list.c - the list operations, a static helper and a call through a function pointer. */
#include "list.h"

const size_t list_max_length = LIST_CAPACITY;

/* Only this file sees it. */
static int list_full(const list *l)
{
    return l->length >= list_max_length;
}

void list_init(list *l)
{
    l->head = 0;
    l->length = 0;
}

int list_push(list *l, struct list_node *node, struct value v)
{
    if (list_full(l))
        return -1;
    node->value = v;
    node->next = l->head;
    node->flags = 0;
    l->head = node;
    l->length++;
    return 0;
}

int list_each(const list *l, list_visit_fn visit, void *ctx)
{
    struct list_node *n;
    int rc;

    for (n = l->head; n; n = n->next) {
        rc = visit(n, ctx);
        if (rc)
            return rc;
    }
    return 0;
}

static int add_int(struct list_node *node, void *ctx)
{
    long *sum = ctx;

    if (node->value.kind == VALUE_INT)
        *sum += node->value.as.i;
    return 0;
}

long list_sum(const list *l)
{
    long sum = 0;

    list_each(l, add_int, &sum);
    return sum;
}
