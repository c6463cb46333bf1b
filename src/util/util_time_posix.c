/*
 * util_time_posix.c - clocks, sleeping and UTC formatting on POSIX.
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "util.h"

uint64_t time_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double time_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void time_sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static void format(char out[32], double t, bool compact)
{
    time_t tt = (time_t)t;
    struct tm tm;
    size_t n = 0;
    if (gmtime_r(&tt, &tm))
        n = compact ? strftime(out, 32, "%Y%m%dT%H%M%SZ", &tm)
                    : strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm);
    if (!n)
        snprintf(out, 32, "%lld", (long long)tt);
}

void time_format_compact(char out[32], double t)
{
    format(out, t, true);
}

void time_format_utc(char out[32], double t)
{
    format(out, t, false);
}
