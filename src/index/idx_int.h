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

/* From here until idx_path_canonical_memo(NULL, NULL), this thread remembers canonical
 * spellings (idx_path_canonical_memo) and the realpath of directories (idx_path_canonical): one
 * run's worth. A file-system change meanwhile is not seen. */
void idx_path_memo_begin(void);
/* idx_path_canonical remembering its answers (per thread, between idx_path_memo_begin and the
 * end; without a begin it remembers nothing): for the directories and roots that repeat across
 * compile database entries. A NULL path forgets everything and returns NULL: call that before a
 * thread that used it ends. */
char *idx_path_canonical_memo(const char *base, const char *path);

/* Lexically normalizes an absolute path: drops ".", empty components and resolves ".." (never
 * above "/"). Returns a heap string. */
char *idx_path_normalize(const char *path);

/* True when path equals dir or lies below it (both canonical absolute paths). */
bool idx_path_is_under(const char *path, const char *dir);

#endif
