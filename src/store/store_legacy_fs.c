/*
 * store_legacy_fs.c - the directory work of migrating and exporting legacy caches: making and
 * removing directory trees, writing whole files, syncing files and directories. Plain POSIX
 * calls, like store_open.c and store_backup.c use; errors become error values naming the path.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_int.h"

int legacy_mkdir(const char *path, struct err *err)
{
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return err_set(err, err_from_errno(errno), "cannot create the directory '%s': %s", path,
                       strerror(errno));
    return 0;
}

int legacy_rmtree(const char *path, struct err *err)
{
    struct stat sb;
    DIR *d;
    struct dirent *de;
    int rc = 0;

    if (lstat(path, &sb) != 0)
        return errno == ENOENT ? 0
                               : err_set(err, err_from_errno(errno), "cannot remove '%s': %s", path,
                                         strerror(errno));
    if (!S_ISDIR(sb.st_mode)) {
        if (unlink(path) != 0 && errno != ENOENT)
            return err_set(err, err_from_errno(errno), "cannot remove '%s': %s", path,
                           strerror(errno));
        return 0;
    }
    d = opendir(path);
    if (!d)
        return err_set(err, err_from_errno(errno), "cannot remove '%s': %s", path, strerror(errno));
    while (!rc && (de = readdir(d)) != NULL) {
        char *child;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        child = path_join(path, de->d_name);
        rc = legacy_rmtree(child, err);
        free(child);
    }
    closedir(d);
    if (!rc && rmdir(path) != 0 && errno != ENOENT)
        rc = err_set(err, err_from_errno(errno), "cannot remove '%s': %s", path, strerror(errno));
    return rc;
}

int legacy_write(const char *path, const void *data, size_t len, struct err *err)
{
    const char *p = data;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return err_set(err, err_from_errno(errno), "cannot create '%s': %s", path, strerror(errno));
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? errno : ENOSPC;
            close(fd);
            return err_set(err, err_from_errno(e), "cannot write '%s': %s", path, strerror(e));
        }
        p += n;
        len -= (size_t)n;
    }
    if (close(fd) != 0)
        return err_set(err, err_from_errno(errno), "cannot write '%s': %s", path, strerror(errno));
    return 0;
}

int legacy_sync(const char *path, struct err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int rc = 0;
    if (fd < 0)
        return err_set(err, err_from_errno(errno), "cannot open '%s': %s", path, strerror(errno));
    if (fsync(fd) != 0 && errno != EINVAL)
        rc = err_set(err, err_from_errno(errno), "cannot sync '%s': %s", path, strerror(errno));
    close(fd);
    return rc;
}

bool legacy_dir_empty(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *de;
    bool empty = true;
    if (!d)
        return false;
    while (empty && (de = readdir(d)) != NULL)
        empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
    closedir(d);
    return empty;
}

int legacy_link(const char *from, const char *to, struct err *err)
{
    if (link(from, to) != 0) {
        if (errno == EEXIST)
            return err_set(err, ERR_INVALID, "'%s' appeared while it was being made", to);
        return err_set(err, err_from_errno(errno), "cannot link '%s' to '%s': %s", from, to,
                       strerror(errno));
    }
    return 0;
}
