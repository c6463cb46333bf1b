/*
 * util_log.c - leveled logging to stderr or to a sink a test or the MCP server installs. The
 * level and sink are set before threads start (the one exception to "no mutable globals").
 */
#include <stdio.h>

#include "util.h"

static enum log_level g_level = LOG_WARN;
static log_sink_fn g_sink;
static void *g_sink_payload;

void log_set_level(enum log_level level)
{
    g_level = level;
}

enum log_level log_get_level(void)
{
    return g_level;
}

void log_set_sink(log_sink_fn fn, void *payload)
{
    g_sink = fn;
    g_sink_payload = payload;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    char msg[2048];
    va_list ap;

    if (level > g_level)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (g_sink) {
        g_sink(level, msg, g_sink_payload);
        return;
    }
    fprintf(stderr, "cidx: %s: %s\n", names[level], msg);
}
