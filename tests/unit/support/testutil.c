/*
 * testutil.c - see testutil.h.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

char *tu_tmpdir(const char *tag)
{
    const char *base = getenv("TMPDIR");
    char *tmpl = xasprintf("%s/cidx-test-%s-XXXXXX", base && *base ? base : "/tmp", tag);
    if (!mkdtemp(tmpl))
        fail_msg("mkdtemp failed for %s", tmpl);
    return tmpl;
}

static int chmod_cb(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)ftw;
    if (type == FTW_D || type == FTW_DP || type == FTW_DNR)
        chmod(path, 0755);
    else if (!S_ISLNK(sb->st_mode))
        chmod(path, 0644);
    return 0;
}

static int rm_cb(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    if (type == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

void tu_rmtree(const char *dir)
{
    if (!dir)
        return;
    nftw(dir, chmod_cb, 16, FTW_PHYS);
    nftw(dir, rm_cb, 16, FTW_PHYS | FTW_DEPTH);
}

static struct strbuf captured = STRBUF_INIT;

static void capture_sink(enum log_level level, const char *msg, void *payload)
{
    (void)payload;
    strbuf_addf(&captured, "%s: %s\n", level == LOG_ERROR ? "error" : "warning", msg);
}

void tu_log_capture_begin(void)
{
    strbuf_reset(&captured);
    log_set_sink(capture_sink, NULL);
}

const char *tu_log_capture_end(void)
{
    log_set_sink(NULL, NULL);
    return captured.buf;
}

int tu_count(const char *haystack, const char *needle)
{
    int n = 0;
    size_t len = strlen(needle);
    for (const char *p = haystack; len && (p = strstr(p, needle)) != NULL; p += len)
        n++;
    return n;
}

struct store *tu_open(const char *dir, unsigned flags)
{
    struct store *st = NULL;
    struct err e = {0};
    int rc = store_open(&st, dir, flags, &e);
    if (rc)
        fail_msg("store_open('%s') failed: %d %s", dir, rc, e.msg);
    return st;
}

void tu_assert_healthy(struct store *st)
{
    struct store_check checks[32];
    struct err e = {0};
    size_t n = 0;
    int rc = store_check(st, false, checks, 32, &n, &e);
    for (size_t i = 0; i < n; i++)
        if (!checks[i].ok)
            fail_msg("health check '%s' failed: %s", checks[i].name, checks[i].detail);
    if (rc)
        fail_msg("store_check failed: %d %s", rc, e.msg);
}

void tu_assert_dir_healthy(const char *dir)
{
    struct store *st = tu_open(dir, 0);
    tu_assert_healthy(st);
    store_close(st);
}
