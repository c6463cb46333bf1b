/* list.h - a singly linked list of tagged values. Included by src/list.c and src/main.c. */
#ifndef GOLDEN_LIST_H
#define GOLDEN_LIST_H

#include "common.h"

/** The kinds of value a node holds. */
enum value_kind { VALUE_INT, VALUE_REAL = 4, VALUE_TEXT };

/** A tagged value: the union is selected by kind. */
struct value {
    enum value_kind kind;
    union {
        long i;
        double r;
        const char *text;
    } as; /* a field whose type is an anonymous union */
};

/** A named union, on its own. */
union number {
    int i;
    float f;
};

struct list_node; /* forward declaration */

/** One node of the list. */
struct list_node {
    struct value value;
    struct list_node *next;
    unsigned flags : 3; /* a bit-field */
};

/** The list itself; the struct tag and the typedef share one name. */
typedef struct list {
    struct list_node *head;
    size_t length;
} list;

/** Called for each node; returns non-zero to stop. */
typedef int (*list_visit_fn)(struct list_node *node, void *ctx);

/** Initializes an empty list. */
void list_init(list *l);
/** Pushes a value at the front; returns 0 or -1 when full. */
int list_push(list *l, struct list_node *node, struct value v);
/** Calls visit for each node until it returns non-zero; returns that value. */
int list_each(const list *l, list_visit_fn visit, void *ctx);
/** Sums the integer values. */
long list_sum(const list *l);

/** The largest list this program handles. */
extern const size_t list_max_length;

/** Twice the value, in the header: each includer gets a copy. */
static inline long twice(long v)
{
    return LIST_MUL(v, 2);
}

#endif
