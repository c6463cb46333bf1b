/*
 * util_fs_posix.c - the file-system helpers: directories, whole-file reads and atomic writes,
 * copies, advisory locks, and the statfs probe that tells network file systems apart.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "util.h"

int err_from_errno(int e)
{
    switch (e) {
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
        return ERR_FULL;
    case EROFS:
    case EACCES:
    case EPERM:
        return ERR_READONLY;
    case ENOENT:
        return ERR_NOTFOUND;
    default:
        return ERR_IO;
    }
}

char *path_join(const char *dir, const char *name)
{
    size_t ld = strlen(dir);
    if (ld && dir[ld - 1] == '/')
        return xasprintf("%s%s", dir, name);
    return xasprintf("%s/%s", dir, name);
}

char *path_real(const char *path)
{
    char *r = realpath(path, NULL);
    if (!r)
        return NULL;
    return r;
}

char *path_cache_home(void)
{
    const char *x = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (x && *x == '/')
        return xstrdup(x);
    if (home && *home)
        return xasprintf("%s/.cache", home);
    return xstrdup("/tmp");
}

int fs_mkdir_p(const char *dir, struct err *err)
{
    char *p = xstrdup(dir);
    int rc = 0;

    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0755) != 0 && errno != EEXIST) {
                rc = err_set(err, err_from_errno(errno), "cannot create directory '%s': %s", p,
                             strerror(errno));
                goto out;
            }
            *s = c;
            if (!c)
                break;
        }
    }
    if (!fs_is_dir(dir))
        rc = err_set(err, ERR_IO, "'%s' exists and is not a directory", dir);
out:
    free(p);
    return rc;
}

bool fs_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

bool fs_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int64_t fs_file_size(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    return (int64_t)st.st_size;
}

long fs_read_head(const char *path, void *buf, size_t max)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;
    if (fd < 0)
        return -1;
    do
        n = read(fd, buf, max);
    while (n < 0 && errno == EINTR);
    close(fd);
    return (long)n;
}

int fs_read_file(char **out, size_t *len, const char *path, size_t max, struct err *err)
{
    struct strbuf sb = STRBUF_INIT;
    char buf[65536];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    *out = NULL;
    if (fd < 0)
        return err_set(err, err_from_errno(errno), "cannot open '%s': %s", path, strerror(errno));
    while ((n = read(fd, buf, sizeof(buf))) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            close(fd);
            strbuf_release(&sb);
            return err_set(err, ERR_IO, "cannot read '%s': %s", path, strerror(errno));
        }
        if (sb.len + (size_t)n > max) {
            close(fd);
            strbuf_release(&sb);
            return err_set(err, ERR_LIMIT, "'%s' is larger than %zu bytes", path, max);
        }
        strbuf_add(&sb, buf, (size_t)n);
    }
    close(fd);
    *out = strbuf_detach(&sb, len);
    return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int fs_write_file_atomic(const char *path, const void *data, size_t len, struct err *err)
{
    char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
    int fd, rc = 0;

    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = err_set(err, err_from_errno(errno), "cannot create '%s': %s", tmp, strerror(errno));
        goto out;
    }
    if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        rc = err_set(err, err_from_errno(errno), "cannot write '%s': %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        goto out;
    }
    close(fd);
    if (rename(tmp, path) != 0) {
        rc = err_set(err, err_from_errno(errno), "cannot rename '%s' to '%s': %s", tmp, path,
                     strerror(errno));
        unlink(tmp);
    }
out:
    free(tmp);
    return rc;
}

int fs_rename(const char *from, const char *to, struct err *err)
{
    if (rename(from, to) != 0)
        return err_set(err, err_from_errno(errno), "cannot rename '%s' to '%s': %s", from, to,
                       strerror(errno));
    return 0;
}

int fs_unlink(const char *path, struct err *err)
{
    if (unlink(path) != 0 && errno != ENOENT)
        return err_set(err, err_from_errno(errno), "cannot remove '%s': %s", path, strerror(errno));
    return 0;
}

int fs_copy_file(const char *from, const char *to, struct err *err)
{
    char buf[65536];
    struct stat st;
    int in = -1, out = -1, rc = 0;
    ssize_t n;

    in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0 || fstat(in, &st) != 0) {
        rc = err_set(err, err_from_errno(errno), "cannot open '%s': %s", from, strerror(errno));
        goto out;
    }
    out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 0777);
    if (out < 0) {
        rc = err_set(err, err_from_errno(errno), "cannot create '%s': %s", to, strerror(errno));
        goto out;
    }
    while ((n = read(in, buf, sizeof(buf))) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = err_set(err, ERR_IO, "cannot read '%s': %s", from, strerror(errno));
            goto out;
        }
        if (write_all(out, buf, (size_t)n) != 0) {
            rc = err_set(err, err_from_errno(errno), "cannot write '%s': %s", to, strerror(errno));
            goto out;
        }
    }
    if (fsync(out) != 0)
        rc = err_set(err, err_from_errno(errno), "cannot sync '%s': %s", to, strerror(errno));
out:
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    if (rc && out >= 0)
        unlink(to);
    return rc;
}

int fs_list_dir(const char *dir, int (*fn)(const char *name, void *payload), void *payload,
                struct err *err)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int rc = 0;

    if (!d)
        return err_set(err, err_from_errno(errno), "cannot list '%s': %s", dir, strerror(errno));
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        rc = fn(de->d_name, payload);
        if (rc)
            break;
    }
    closedir(d);
    return rc;
}

bool fs_dir_writable(const char *dir)
{
    return access(dir, W_OK | X_OK) == 0;
}

/* Magic numbers from linux/magic.h and statfs(2). */
#define MAGIC_NFS 0x6969
#define MAGIC_SMB 0x517B
#define MAGIC_CIFS 0xFF534D42
#define MAGIC_SMB2 0xFE534D42
#define MAGIC_FUSE 0x65735546
#define MAGIC_CODA 0x73757245
#define MAGIC_AFS 0x5346414F
#define MAGIC_CEPH 0x00C36400
#define MAGIC_9P 0x01021997

enum fs_kind fs_detect_kind(const char *path)
{
    const char *ov = getenv("CIDX_FS_TYPE_OVERRIDE");
    struct statfs sf;

    if (ov && *ov) {
        if (!strcmp(ov, "nfs"))
            return FS_NFS;
        if (!strcmp(ov, "cifs") || !strcmp(ov, "smb"))
            return FS_CIFS;
        if (!strcmp(ov, "fuse") || !strcmp(ov, "sshfs"))
            return FS_FUSE;
        if (!strcmp(ov, "network"))
            return FS_OTHER_NETWORK;
        return FS_LOCAL;
    }
    if (statfs(path, &sf) != 0)
        return FS_LOCAL;
    switch ((unsigned long)sf.f_type) {
    case MAGIC_NFS:
        return FS_NFS;
    case MAGIC_SMB:
    case MAGIC_CIFS:
    case MAGIC_SMB2:
        return FS_CIFS;
    case MAGIC_FUSE:
        return FS_FUSE;
    case MAGIC_CODA:
    case MAGIC_AFS:
    case MAGIC_CEPH:
    case MAGIC_9P:
        return FS_OTHER_NETWORK;
    default:
        return FS_LOCAL;
    }
}

const char *fs_kind_name(enum fs_kind kind)
{
    switch (kind) {
    case FS_NFS:
        return "nfs";
    case FS_CIFS:
        return "cifs/smb";
    case FS_FUSE:
        return "fuse";
    case FS_OTHER_NETWORK:
        return "network";
    default:
        return "local";
    }
}

int fs_lock_open(const char *path, struct err *err)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return err_set(err, err_from_errno(errno), "cannot open lock file '%s': %s", path,
                       strerror(errno));
    return fd;
}

int fs_lock_try(int fd, bool exclusive)
{
    if (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0)
        return 0;
    return errno == EWOULDBLOCK ? ERR_BUSY : ERR_IO;
}

int fs_lock_wait(int fd, bool exclusive)
{
    while (flock(fd, exclusive ? LOCK_EX : LOCK_SH) != 0) {
        if (errno != EINTR)
            return ERR_IO;
    }
    return 0;
}

void fs_lock_release(int fd)
{
    if (fd >= 0)
        flock(fd, LOCK_UN);
}

void fs_close(int fd)
{
    if (fd >= 0)
        close(fd);
}
