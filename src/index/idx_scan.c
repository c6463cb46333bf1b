/*
 * idx_scan.c - finds the sources of a project that has no compile database, and gives each
 * the default arguments the plan's project parses such files with.
 *
 * The walk is iterative (a stack of directories, so depth costs heap, not C stack) and reads
 * each directory once: a set of (device, inode) pairs stops symlink loops and second paths to
 * one directory. Entries are read, then sorted, so the walk, its warnings and which of two
 * paths to a directory is taken do not depend on readdir's order. Nothing here fails because
 * of one entry: an unreadable directory, a loop, a broken link or a file too large is a
 * warning, and the walk goes on. Only an unreadable root is an error.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "idx_int.h"

/* An open-addressing set of (device, inode) with the canonical path first seen for each. */
struct scan_seen_slot {
    dev_t dev;
    ino_t ino;
    char *real; /* NULL: empty slot */
};

struct scan_seen {
    struct scan_seen_slot *slots;
    size_t n, cap; /* cap is 0 or a power of two */
};

static size_t scan_seen_hash(dev_t dev, ino_t ino)
{
    uint64_t h = (uint64_t)ino * 0x9e3779b97f4a7c15ull ^ (uint64_t)dev * 0xc2b2ae3d27d4eb4full;
    return (size_t)(h ^ (h >> 29));
}

/* The path stored for (dev, ino), or NULL. */
static const char *scan_seen_find(const struct scan_seen *s, dev_t dev, ino_t ino)
{
    if (!s->cap)
        return NULL;
    for (size_t i = scan_seen_hash(dev, ino) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        const struct scan_seen_slot *e = &s->slots[i];
        if (!e->real)
            return NULL;
        if (e->dev == dev && e->ino == ino)
            return e->real;
    }
}

static void scan_seen_put(struct scan_seen *s, dev_t dev, ino_t ino, const char *real);

static void scan_seen_grow(struct scan_seen *s)
{
    struct scan_seen old = *s;

    s->cap = old.cap ? old.cap * 2 : 64;
    s->slots = xcalloc(s->cap, sizeof(*s->slots));
    s->n = 0;
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].real) {
            scan_seen_put(s, old.slots[i].dev, old.slots[i].ino, old.slots[i].real);
            free(old.slots[i].real);
        }
    free(old.slots);
}

/* Adds (dev, ino); the caller checked that it is not there yet. */
static void scan_seen_put(struct scan_seen *s, dev_t dev, ino_t ino, const char *real)
{
    size_t i;

    if ((s->n + 1) * 2 > s->cap)
        scan_seen_grow(s);
    for (i = scan_seen_hash(dev, ino) & (s->cap - 1); s->slots[i].real; i = (i + 1) & (s->cap - 1))
        ;
    s->slots[i].dev = dev;
    s->slots[i].ino = ino;
    s->slots[i].real = xstrdup(real);
    s->n++;
}

static void scan_seen_release(struct scan_seen *s)
{
    for (size_t i = 0; i < s->cap; i++)
        free(s->slots[i].real);
    free(s->slots);
    memset(s, 0, sizeof(*s));
}

/* A directory waiting to be read: the path as walked and its canonical path. */
struct scan_dir {
    char *walked;
    char *real;
};

struct scan_state {
    const struct idx_config *cfg;
    struct idx_scan *out;
    size_t files_alloc, warn_alloc;
    struct scan_seen seen;
    struct scan_dir *stack;
    size_t nstack, stack_alloc;
    /* the -I arguments every file gets */
    char *inc_root, *inc_include, *inc_src;
};

static void scan_warn(struct scan_state *st, const char *fmt, ...) PRINTF_LIKE(2, 3);

static void scan_warn(struct scan_state *st, const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    /* one warning is one line, whatever bytes a file name holds */
    for (size_t i = 0; i < sb.len; i++)
        if (sb.buf[i] == '\n' || sb.buf[i] == '\r')
            sb.buf[i] = '?';
    ALLOC_GROW(st->out->warnings, st->out->nwarnings + 1, st->warn_alloc);
    st->out->warnings[st->out->nwarnings++] = strbuf_detach(&sb, NULL);
}

static bool scan_is_c(const char *name)
{
    return str_ends_with(name, ".c");
}

static void scan_add_file(struct scan_state *st, const char *walked, char *real)
{
    struct idx_scan_file *f;
    char **argv = xcalloc(10, sizeof(*argv));
    size_t argc = 0;
    bool c = scan_is_c(walked);

    argv[argc++] = xstrdup(c ? "clang" : "clang++");
    argv[argc++] = xstrdup("-x");
    argv[argc++] = xstrdup(c ? "c" : "c++");
    argv[argc++] = xstrdup(c ? "-std=c11" : "-std=c++17");
    argv[argc++] = xstrdup(st->inc_root);
    if (st->inc_include)
        argv[argc++] = xstrdup(st->inc_include);
    if (st->inc_src)
        argv[argc++] = xstrdup(st->inc_src);
    argv[argc++] = xstrdup(real);
    argv[argc] = NULL;

    ALLOC_GROW(st->out->files, st->out->n + 1, st->files_alloc);
    f = &st->out->files[st->out->n++];
    f->file = real; /* taken */
    f->argv = argv;
    f->argc = argc;
}

static void scan_push(struct scan_state *st, char *walked, char *real)
{
    ALLOC_GROW(st->stack, st->nstack + 1, st->stack_alloc);
    st->stack[st->nstack].walked = walked;
    st->stack[st->nstack].real = real;
    st->nstack++;
}

/* True when the path as walked or its canonical path is excluded or (when skipped) a dependency. */
static bool scan_skip_path(struct scan_state *st, const char *walked, const char *real)
{
    const struct idx_config *cfg = st->cfg;

    if (idx_config_is_excluded(cfg, walked) || idx_config_is_excluded(cfg, real))
        return true;
    if (!cfg->include_dependencies &&
        (idx_config_is_dependency(cfg, walked) || idx_config_is_dependency(cfg, real)))
        return true;
    return false;
}

/* One subdirectory found in a directory: skip it, warn, or queue it. Takes walked. */
static void scan_subdir(struct scan_state *st, char *walked, const char *parent_real,
                        const char *name, const struct stat *sb, bool via_link)
{
    char *real;
    const char *first;

    if (name[0] == '.') {
        free(walked);
        return;
    }
    real = via_link ? path_real(walked) : path_join(parent_real, name);
    if (!real) {
        scan_warn(st, "skipped directory '%s': %s", walked, strerror(errno));
        free(walked);
        return;
    }
    if (scan_skip_path(st, walked, real))
        goto skip;
    first = scan_seen_find(&st->seen, sb->st_dev, sb->st_ino);
    if (first) {
        if (idx_path_is_under(parent_real, first))
            scan_warn(st, "skipped '%s': symlink loop back to '%s'", walked, first);
        else
            scan_warn(st, "skipped '%s': directory '%s' is already scanned", walked, first);
        goto skip;
    }
    scan_seen_put(&st->seen, sb->st_dev, sb->st_ino, real);
    scan_push(st, walked, real);
    return;
skip:
    free(walked);
    free(real);
}

/* One regular file found in a directory. Takes walked. */
static void scan_file(struct scan_state *st, char *walked, const char *parent_real,
                      const char *name, const struct stat *sb, bool via_link)
{
    char *real = via_link ? path_real(walked) : path_join(parent_real, name);

    if (!real) {
        scan_warn(st, "skipped '%s': %s", walked, strerror(errno));
        goto skip;
    }
    if (scan_skip_path(st, walked, real))
        goto skip;
    if (st->cfg->max_file_bytes && (uint64_t)sb->st_size > st->cfg->max_file_bytes) {
        scan_warn(st, "skipped '%s': %lld bytes, larger than max_file_size_mb (%llu bytes)", walked,
                  (long long)sb->st_size, (unsigned long long)st->cfg->max_file_bytes);
        goto skip;
    }
    scan_add_file(st, walked, real);
    free(walked);
    return;
skip:
    free(walked);
    free(real);
}

/* A directory entry: its name and readdir's idea of its type (DT_UNKNOWN on some file systems). */
struct scan_entry {
    char *name;
    unsigned char type;
};

static int scan_entry_cmp(const void *a, const void *b)
{
    const struct scan_entry *x = a, *y = b;
    return strcmp(x->name, y->name);
}

/* Reads one directory, queueing subdirectories and keeping sources. */
static void scan_read_dir(struct scan_state *st, const struct scan_dir *d)
{
    DIR *dir = opendir(d->real);
    struct dirent *de;
    struct scan_entry *ents = NULL;
    size_t n = 0, alloc = 0;
    size_t first_child;

    if (!dir) {
        scan_warn(st, "cannot read directory '%s': %s", d->walked, strerror(errno));
        return;
    }
    while ((errno = 0, de = readdir(dir)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        ALLOC_GROW(ents, n + 1, alloc);
        ents[n].name = xstrdup(de->d_name);
        ents[n].type = de->d_type;
        n++;
    }
    if (errno)
        scan_warn(st, "cannot read all of directory '%s': %s", d->walked, strerror(errno));
    closedir(dir);
    if (n)
        qsort(ents, n, sizeof(*ents), scan_entry_cmp);

    first_child = st->nstack;
    for (size_t i = 0; i < n; i++) {
        const char *name = ents[i].name;
        char *walked = path_join(d->walked, name);
        struct stat sb;
        bool via_link = false;
        unsigned char t = ents[i].type;

        /* a regular file that is not a source needs no system call at all */
        if (t == DT_REG && !idx_config_is_source(st->cfg, name)) {
            free(walked);
            continue;
        }
        if (t == DT_UNKNOWN || t == DT_LNK || t == DT_DIR || t == DT_REG) {
            char *full = path_join(d->real, name);
            int rc = lstat(full, &sb);
            if (rc == 0 && S_ISLNK(sb.st_mode)) {
                via_link = true;
                rc = stat(full, &sb);
            }
            if (rc < 0) {
                if (errno != ENOENT || idx_config_is_source(st->cfg, name))
                    scan_warn(st, "skipped '%s': %s", walked,
                              errno == ENOENT ? "broken symlink" : strerror(errno));
                free(full);
                free(walked);
                continue;
            }
            free(full);
        } else {
            free(walked); /* fifo, socket, device: never opened */
            continue;
        }
        if (S_ISDIR(sb.st_mode))
            scan_subdir(st, walked, d->real, name, &sb, via_link);
        else if (S_ISREG(sb.st_mode) && idx_config_is_source(st->cfg, name))
            scan_file(st, walked, d->real, name, &sb, via_link);
        else
            free(walked);
    }
    /* pop in name order: reverse the children just pushed */
    for (size_t i = first_child, j = st->nstack; i + 1 < j; i++, j--) {
        struct scan_dir tmp = st->stack[i];
        st->stack[i] = st->stack[j - 1];
        st->stack[j - 1] = tmp;
    }
    for (size_t i = 0; i < n; i++)
        free(ents[i].name);
    free(ents);
}

static int scan_file_cmp(const void *a, const void *b)
{
    const struct idx_scan_file *x = a, *y = b;
    return strcmp(x->file, y->file);
}

static void scan_file_free(struct idx_scan_file *f)
{
    free(f->file);
    idx_argv_free(f->argv, f->argc);
}

/* Sorts by path and drops the second and later paths to one file. */
static void scan_sort_unique(struct idx_scan *s)
{
    size_t k = 0;

    if (!s->n)
        return;
    qsort(s->files, s->n, sizeof(*s->files), scan_file_cmp);
    for (size_t i = 1; i < s->n; i++) {
        if (strcmp(s->files[i].file, s->files[k].file) == 0)
            scan_file_free(&s->files[i]);
        else
            s->files[++k] = s->files[i];
    }
    s->n = k + 1;
}

static char *scan_include(const char *root, const char *sub)
{
    char *dir = path_join(root, sub);
    char *arg = fs_is_dir(dir) ? xasprintf("-I%s", dir) : NULL;
    free(dir);
    return arg;
}

int idx_scan_dir(struct idx_scan *out, const struct idx_config *cfg, struct err *err)
{
    struct scan_state st = {0};
    struct stat sb;
    char *root = NULL;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    if (!cfg || !cfg->project_root)
        return err_set(err, ERR_INVALID, "no project root to scan");
    root = path_real(cfg->project_root);
    if (!root || stat(root, &sb) < 0) {
        rc = err_set(err, errno == ENOENT ? ERR_NOTFOUND : ERR_IO,
                     "cannot scan project directory '%s': %s", cfg->project_root, strerror(errno));
        goto out;
    }
    if (!S_ISDIR(sb.st_mode)) {
        rc = err_set(err, ERR_INVALID, "cannot scan '%s': not a directory", cfg->project_root);
        goto out;
    }
    {
        /* an unreadable root is the one failure; below it, unreadable is a warning */
        DIR *probe = opendir(root);
        if (!probe) {
            rc = err_set(err, errno == ENOENT ? ERR_NOTFOUND : ERR_IO,
                         "cannot read project directory '%s': %s", cfg->project_root,
                         strerror(errno));
            goto out;
        }
        closedir(probe);
    }

    st.cfg = cfg;
    st.out = out;
    st.inc_root = xasprintf("-I%s", root);
    st.inc_include = scan_include(root, "include");
    st.inc_src = scan_include(root, "src");
    scan_seen_put(&st.seen, sb.st_dev, sb.st_ino, root);
    scan_push(&st, xstrdup(root), xstrdup(root));
    while (st.nstack) {
        struct scan_dir d = st.stack[--st.nstack];
        scan_read_dir(&st, &d);
        free(d.walked);
        free(d.real);
    }
    scan_sort_unique(out);
out:
    scan_seen_release(&st.seen);
    free(st.stack);
    free(st.inc_root);
    free(st.inc_include);
    free(st.inc_src);
    free(root);
    return rc;
}

void idx_scan_release(struct idx_scan *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        scan_file_free(&s->files[i]);
    free(s->files);
    for (size_t i = 0; i < s->nwarnings; i++)
        free(s->warnings[i]);
    free(s->warnings);
    memset(s, 0, sizeof(*s));
}
