/*
 * fuzz_legacy.c - libFuzzer target for the legacy JSON cache readers (store_legacy_read.c, with
 * their JSON parser store_ljson.c): any bytes must be accepted or refused with an error value,
 * never a crash, a leak or undefined behavior. The input is one or more files separated by 0x1e
 * (a byte no JSON text holds outside a string, where it is invalid anyway); the first byte of
 * each says which file it is - 'I' cache_info.json, 'F' a per-file cache, 'H'
 * header_tracker.json, 'E' parse_errors.jsonl, anything else a per-file cache starting with that
 * byte - and the files are read into one cache and merged, as a migration reads a directory.
 * Single files go through store_legacy_check as well.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

#define MAX_PARTS 8

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_set_level(LOG_ERROR);
    return 0;
}

static enum store_legacy_kind kind_of(char c, bool *skip)
{
    *skip = true;
    switch (c) {
    case 'I':
        return STORE_LEGACY_CACHE_INFO;
    case 'H':
        return STORE_LEGACY_HEADER_TRACKER;
    case 'E':
        return STORE_LEGACY_PARSE_ERRORS;
    case 'F':
        return STORE_LEGACY_FILE_CACHE;
    default:
        *skip = false;
        return STORE_LEGACY_FILE_CACHE;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum store_legacy_kind kinds[MAX_PARTS];
    const char *parts[MAX_PARTS];
    size_t lens[MAX_PARTS], n = 0, at = 0;
    struct err err = {0};

    while (at <= size && n < MAX_PARTS) {
        const uint8_t *sep = at < size ? memchr(data + at, 0x1e, size - at) : NULL;
        size_t end = sep ? (size_t)(sep - data) : size;
        bool skip = false;
        kinds[n] = end > at ? kind_of((char)data[at], &skip) : STORE_LEGACY_FILE_CACHE;
        parts[n] = (const char *)data + at + (skip ? 1 : 0);
        lens[n] = end - at - (skip ? 1 : 0);
        n++;
        if (!sep)
            break;
        at = end + 1;
    }
    if (n == 1) {
        for (int k = STORE_LEGACY_CACHE_INFO; k <= STORE_LEGACY_PARSE_ERRORS; k++) {
            err.code = 0;
            if (store_legacy_check((enum store_legacy_kind)k, "fuzz", parts[0], lens[0], &err) !=
                    0 &&
                !err.msg[0])
                abort(); /* a refusal always says why */
        }
    }
    if (store_legacy_check_set(kinds, parts, lens, n, &err) != 0 && !err.msg[0])
        abort();
    return 0;
}
