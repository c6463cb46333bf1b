/*
 * util_err.c - the error slot (struct err), error code names and the BUG() abort.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int err_set(struct err *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

int err_wrap(struct err *err, const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    size_t n;
    va_list ap;

    if (!err)
        return ERR_GENERIC;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    strbuf_adds(&sb, ": ");
    strbuf_adds(&sb, err->msg);
    n = sb.len < sizeof(err->msg) - 1 ? sb.len : sizeof(err->msg) - 1;
    memcpy(err->msg, sb.buf, n);
    err->msg[n] = '\0';
    strbuf_release(&sb);
    return err->code ? err->code : ERR_GENERIC;
}

void err_clear(struct err *err)
{
    if (err) {
        err->code = 0;
        err->msg[0] = '\0';
    }
}

const char *err_code_name(int code)
{
    switch (code) {
    case ERR_OK:
        return "ok";
    case ERR_INVALID:
        return "invalid";
    case ERR_IO:
        return "io";
    case ERR_NOTFOUND:
        return "not-found";
    case ERR_CORRUPT:
        return "corrupt";
    case ERR_BUSY:
        return "busy";
    case ERR_FULL:
        return "full";
    case ERR_READONLY:
        return "read-only";
    case ERR_VERSION:
        return "version";
    case ERR_DB:
        return "database";
    case ERR_LIMIT:
        return "limit";
    default:
        return "error";
    }
}

_Noreturn void util_bug(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "cidx: BUG at %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}
