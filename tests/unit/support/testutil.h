/*
 * testutil.h - helpers shared by the unit tests: temporary directories, log capture, and the
 * integrity assertion every test that writes ends with.
 */
#ifndef CIDX_TESTUTIL_H
#define CIDX_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "store/store.h"

/* A fresh empty directory under $TMPDIR (or /tmp); removed by tu_rmtree. Caller frees. */
char *tu_tmpdir(const char *tag);
/* Removes a directory tree (restoring write permission first). */
void tu_rmtree(const char *dir);

/* Captures log messages of level <= WARN into a buffer until tu_log_capture_end. */
void tu_log_capture_begin(void);
/* Returns the captured text (owned by the helper, valid until the next begin). */
const char *tu_log_capture_end(void);
/* Counts occurrences of needle in haystack. */
int tu_count(const char *haystack, const char *needle);

/* Opens a cache or fails the test with the error message. */
struct store *tu_open(const char *dir, unsigned flags);
/* Asserts integrity_check, FTS5 integrity-check and the ownership checks all pass. */
void tu_assert_healthy(struct store *st);
/* Same, opening the cache in dir for the check. */
void tu_assert_dir_healthy(const char *dir);

/* Fails the test when rc is not 0, printing err. */
#define TU_OK(rc, err)                                                                             \
    do {                                                                                           \
        int tu_rc_ = (rc);                                                                         \
        if (tu_rc_ != 0)                                                                           \
            fail_msg("%s failed: %d %s", #rc, tu_rc_, (err)->msg);                                 \
    } while (0)

#endif
