/*
 * util_hash.c - XXH3 hashing of strings and files (xxHash from Debian's libxxhash).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "util.h"

uint64_t hash_bytes64(const void *data, size_t len)
{
    return XXH3_64bits(data, len);
}

void hash_bytes_hex(char out[33], const void *data, size_t len)
{
    XXH128_hash_t h = XXH3_128bits(data, len);
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)h.high64, (unsigned long long)h.low64);
}

int64_t hash_key31(const char *s)
{
    return (int64_t)(XXH3_64bits(s, strlen(s)) & 0x7fffffffu);
}

int hash_file_hex(char out[33], const char *path, struct err *err)
{
    XXH3_state_t *st = NULL;
    char buf[65536];
    int fd, rc = 0;
    ssize_t n;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(err, err_from_errno(errno), "cannot open '%s': %s", path, strerror(errno));
    st = XXH3_createState();
    if (!st)
        BUG("XXH3_createState failed");
    XXH3_128bits_reset(st);
    while ((n = read(fd, buf, sizeof(buf))) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = err_set(err, ERR_IO, "cannot read '%s': %s", path, strerror(errno));
            goto out;
        }
        XXH3_128bits_update(st, buf, (size_t)n);
    }
    {
        XXH128_hash_t h = XXH3_128bits_digest(st);
        snprintf(out, 33, "%016llx%016llx", (unsigned long long)h.high64,
                 (unsigned long long)h.low64);
    }
out:
    XXH3_freeState(st);
    close(fd);
    return rc;
}
