/*
 * idx_int.h - private to the index module: path helpers the idx_*.c files share. Nothing
 * outside src/index includes this.
 */
#ifndef CIDX_IDX_INT_H
#define CIDX_IDX_INT_H

#include "index.h"

/*
 * Makes path absolute (joined to base when relative, or to the working directory when base is
 * NULL) and
 * canonical: realpath when it exists, otherwise the lexically normalized path (no "." or ".."
 * components, no repeated '/') with its parent directory resolved through realpath when that
 * exists. Always returns a heap string the caller frees.
 */
char *idx_path_canonical(const char *base, const char *path);

/* idx_path_canonical remembering its last answer (per thread): for the directories and roots
 * that repeat across compile database entries. A file system change between two calls with the
 * same arguments is not seen; use it only within one read of a database. A NULL path forgets
 * the remembered entry and returns NULL: call that before a thread that used it ends. */
char *idx_path_canonical_memo(const char *base, const char *path);

/* Lexically normalizes an absolute path: drops ".", empty components and resolves ".." (never
 * above "/"). Returns a heap string. */
char *idx_path_normalize(const char *path);

/* True when path equals dir or lies below it (both canonical absolute paths). */
bool idx_path_is_under(const char *path, const char *dir);

#endif
