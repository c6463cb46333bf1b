/* common.h - macros and basic types shared by every file of the C project. */
#ifndef GOLDEN_COMMON_H
#define GOLDEN_COMMON_H

typedef unsigned long size_t; /* no system header: the project stands alone */

#define LIST_MUL(a, b) ((a) * (b))
#define LIST_CAPACITY 16
#define LIST_UNUSED 0
#define LIST_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Comes from the compile command: -DAPP_NAME="\"golden app\"" (a quoted -D value). */
#ifndef APP_NAME
#error APP_NAME must come from the compile command
#endif

#endif
