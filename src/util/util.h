/*
 * util.h - the one public header of the util module: errors, allocation, growable strings,
 * logging, time, hashing and the few file-system helpers the other modules need.
 *
 * util knows nothing of the other modules. Everything here is thread-safe unless a function
 * says otherwise; the log settings are set once before any thread starts.
 */
#ifndef CIDX_UTIL_H
#define CIDX_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
/* The headers that declare (or define inline, with optimization on) the banned functions come
 * before banned.h: its macros must not rewrite their declarations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "banned.h"

#define CIDX_VERSION "0.1.0"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

/* ---- errors ------------------------------------------------------------------------------ */

/* Error codes: 0 is success, every failure is negative. One enum for the whole program. */
enum err_code {
    ERR_OK = 0,
    ERR_GENERIC = -1,
    ERR_INVALID = -2,  /* bad argument or input from outside */
    ERR_IO = -3,       /* a file-system call failed */
    ERR_NOTFOUND = -4, /* the thing asked for does not exist */
    ERR_CORRUPT = -5,  /* a cache or input file is damaged */
    ERR_BUSY = -6,     /* another process holds a lock past the busy limit */
    ERR_FULL = -7,     /* disk or quota full, or a file size limit */
    ERR_READONLY = -8, /* the cache cannot be written */
    ERR_VERSION = -9,  /* a cache made by a newer cidx */
    ERR_DB = -10,      /* any other SQLite failure */
    ERR_LIMIT = -11,   /* a resource limit was hit (regex match limit, sizes) */
};

/* A caller-owned error slot. Functions that fail fill it (when non-NULL) and return the code. */
struct err {
    int code;
    char msg[1024];
};

/* Formats the message into err (may be NULL) and returns code. */
int err_set(struct err *err, int code, const char *fmt, ...) PRINTF_LIKE(3, 4);
/* Prefixes an existing message with more context: "context: old message". Returns err->code. */
int err_wrap(struct err *err, const char *fmt, ...) PRINTF_LIKE(2, 3);
void err_clear(struct err *err);
/* A short constant name for a code ("io", "busy"...). */
const char *err_code_name(int code);

/* Internal invariant check: prints and aborts. Never used for input from outside. */
#define BUG(...) util_bug(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void util_bug(const char *file, int line, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* ---- memory: allocation failure aborts, so callers never check for NULL ------------------ */

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a newly allocated formatted string; the caller frees it. */
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Grows *array (of element size elem) so that it holds at least need elements. */
#define ALLOC_GROW(array, need, alloc)                                                             \
    do {                                                                                           \
        if ((size_t)(need) > (alloc)) {                                                            \
            size_t new_alloc_ = (alloc) ? (alloc)*2 : 16;                                          \
            while (new_alloc_ < (size_t)(need))                                                    \
                new_alloc_ *= 2;                                                                   \
            (array) = xrealloc((array), new_alloc_ * sizeof(*(array)));                            \
            (alloc) = new_alloc_;                                                                  \
        }                                                                                          \
    } while (0)

/* ---- growable strings (git strbuf invariants: buf never NULL, always NUL-terminated) ------ */

struct strbuf {
    char *buf;
    size_t len;
    size_t alloc;
};

extern char strbuf_empty_[];
#define STRBUF_INIT                                                                                \
    {                                                                                              \
        strbuf_empty_, 0, 0                                                                        \
    }

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
/* Hands the buffer to the caller (free with free()) and resets sb. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) PRINTF_LIKE(2, 3);
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void strbuf_reset(struct strbuf *sb);
/* Appends s as a JSON string literal (quotes and escapes included). */
void strbuf_add_json_str(struct strbuf *sb, const char *s);

/* ---- arenas: many small allocations freed at once (one per request, per parsed file) ------- */

struct arena_chunk;
struct arena {
    struct arena_chunk *head;
    size_t used, cap;
};
#define ARENA_INIT                                                                                 \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }
/* Returns size bytes aligned for any type, zeroed. Never NULL. */
void *arena_alloc(struct arena *a, size_t size);
/* Copies s (NULL gives NULL) into the arena. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* Frees every allocation of the arena; it can be used again. */
void arena_release(struct arena *a);

/* ---- logging (stderr by default; settings are set before threads start) -------------------- */

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

typedef void (*log_sink_fn)(enum log_level level, const char *msg, void *payload);

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Replaces the sink (NULL restores stderr). Used by tests and by the MCP server. */
void log_set_sink(log_sink_fn fn, void *payload);
void log_msg(enum log_level level, const char *fmt, ...) PRINTF_LIKE(2, 3);
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* ---- time ------------------------------------------------------------------------------- */

/* Monotonic clock in nanoseconds. */
uint64_t time_mono_ns(void);
/* Wall clock, seconds since the epoch, with sub-second part. */
double time_now(void);
/* Sleeps for ms milliseconds (restarting after signals). */
void time_sleep_ms(unsigned ms);
/* Formats t (epoch seconds) as UTC "YYYYMMDDTHHMMSSZ" (compact: file names). */
void time_format_compact(char out[32], double t);
/* Formats t as UTC "YYYY-MM-DD HH:MM:SS". */
void time_format_utc(char out[32], double t);

/* ---- string-keyed hash map (open addressing; keys copied, values borrowed) ---------------- */

struct strmap {
    char **keys;
    void **vals;
    size_t cap, n;
};
#define STRMAP_INIT                                                                                \
    {                                                                                              \
        NULL, NULL, 0, 0                                                                           \
    }
/* The value stored for key, or NULL (also when the stored value is NULL: use strmap_has). */
void *strmap_get(const struct strmap *m, const char *key);
bool strmap_has(const struct strmap *m, const char *key);
/* Inserts or replaces; returns the stored key (owned by the map). */
const char *strmap_put(struct strmap *m, const char *key, void *val);
/* Frees the keys (not the values) and empties the map. */
void strmap_clear(struct strmap *m);

/* ---- hashing ------------------------------------------------------------------------------ */

uint64_t hash_bytes64(const void *data, size_t len);
/* 31-bit hash used as a compact index key (fits SQLite's 4-byte integer encoding). */
int64_t hash_key31(const char *s);
/* XXH3-128 of a file's contents as 32 hex digits. */
int hash_file_hex(char out[33], const char *path, struct err *err);
/* XXH3-128 of a buffer, in the same 32-hex-digit form as hash_file_hex. */
void hash_bytes_hex(char out[33], const void *data, size_t len);

/* ---- files and paths ------------------------------------------------------------------------ */

/* Creates dir and its parents (mode 0755). */
int fs_mkdir_p(const char *dir, struct err *err);
bool fs_exists(const char *path);
bool fs_is_dir(const char *path);
/* Size of a file in bytes, or -1. */
int64_t fs_file_size(const char *path);
/* Reads up to max bytes of a file's start into buf; returns the count or -1. */
long fs_read_head(const char *path, void *buf, size_t max);
/* Reads a whole file (up to max bytes) into a NUL-terminated buffer. */
int fs_read_file(char **out, size_t *len, const char *path, size_t max, struct err *err);
/* Writes a whole file atomically (temp file + fsync + rename). */
int fs_write_file_atomic(const char *path, const void *data, size_t len, struct err *err);
int fs_rename(const char *from, const char *to, struct err *err);
/* Removes a file; a missing file is not an error. */
int fs_unlink(const char *path, struct err *err);
/* Copies a file (content and mode), fsyncing the copy. */
int fs_copy_file(const char *from, const char *to, struct err *err);
/* Calls fn for each entry name of dir (not . and ..); stops at a non-zero return. */
int fs_list_dir(const char *dir, int (*fn)(const char *name, void *payload), void *payload,
                struct err *err);
/* True if the directory can be written by this process. */
bool fs_dir_writable(const char *dir);

/* Network and FUSE file systems, where WAL is not safe. */
enum fs_kind { FS_LOCAL = 0, FS_NFS, FS_CIFS, FS_FUSE, FS_OTHER_NETWORK };
/*
 * Detects the kind of file system that holds path (a file or directory) with statfs. The
 * environment variable CIDX_FS_TYPE_OVERRIDE (local, nfs, cifs, smb, fuse) replaces the answer,
 * so tests can exercise the network fallback.
 */
enum fs_kind fs_detect_kind(const char *path);
const char *fs_kind_name(enum fs_kind kind);

/*
 * Advisory whole-file locks (flock). fs_lock_open creates the lock file if needed. Returns the
 * descriptor or a negative code. fs_lock_try returns 0 when taken, ERR_BUSY when another
 * holder has it.
 */
int fs_lock_open(const char *path, struct err *err);
int fs_lock_try(int fd, bool exclusive);
int fs_lock_wait(int fd, bool exclusive);
void fs_lock_release(int fd);
void fs_close(int fd);

/* Maps an errno value to our error codes (ENOSPC -> ERR_FULL, EROFS/EACCES -> ERR_READONLY). */
int err_from_errno(int e);

/* Joins a directory and a name with one '/'. The caller frees the result. */
char *path_join(const char *dir, const char *name);
/* Canonical absolute path (realpath); NULL when it does not exist. The caller frees it. */
char *path_real(const char *path);
/* The user's cache home: $XDG_CACHE_HOME or $HOME/.cache (caller frees). */
char *path_cache_home(void);

/* ---- small string helpers ------------------------------------------------------------------ */

static inline int ascii_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}
/* ASCII case-insensitive comparison of n bytes. */
int str_ncase_eq(const char *a, const char *b, size_t n);
bool str_starts_with(const char *s, const char *prefix);
bool str_ends_with(const char *s, const char *suffix);
/* Length of the valid UTF-8 sequence at p (1-4), or 0 when the bytes there are not one
 * (overlong forms, surrogates and code points above U+10FFFF are invalid). */
size_t str_utf8_seq(const unsigned char *p);
/* True when s is valid UTF-8. */
bool str_utf8_valid(const char *s);
/* A heap copy of s with every byte that starts no valid UTF-8 sequence replaced by U+FFFD. */
char *str_utf8_sanitize(const char *s);
/* Parses a decimal unsigned integer with bounds; returns ERR_INVALID on junk or overflow. */
int str_to_u64(uint64_t *out, const char *s, uint64_t max);
/* Formats a byte count for people: "1.5 MB". */
void str_human_bytes(char out[32], int64_t bytes);

#endif
