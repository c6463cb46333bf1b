/*
 * fuzz_config.c - libFuzzer target for the project configuration reader (idx_config_parse):
 * any bytes must give 0 or an error value, never a crash, a leak or undefined behavior. A
 * configuration that parses is then used the way the scan uses it (excluded, dependency and
 * source decisions on a few paths), so that the lists it produced are exercised too.
 */
#include <stdint.h>
#include <stdlib.h>

#include "index/index.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fuzz_paths[] = {
    "/",
    "/src/main.cpp",
    "/build/x/a.h",
    "/third_party/lib/b.hpp",
    "/a/b/c/d/e/f.cc",
    "/.git/config",
    "/usr/include/stdio.h",
    "/tmp/x.generated.cpp",
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* the environment would override what the input says */
    unsetenv("CPP_ANALYZER_CONFIG");
    unsetenv("CPP_ANALYZER_DIAGNOSTIC_LEVEL");
    unsetenv("CPP_ANALYZER_QUERY_BEHAVIOR");
    log_set_level(LOG_ERROR);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct idx_config cfg;
    struct strbuf warnings = STRBUF_INIT;
    struct err err = {0};

    /* root "/": a relative "project_root" resolves against it, never against the cwd */
    if (idx_config_parse(&cfg, "/", "fuzz.json", (const char *)data, size, &warnings, &err) == 0) {
        for (size_t i = 0; i < ARRAY_SIZE(fuzz_paths); i++) {
            (void)idx_config_is_excluded(&cfg, fuzz_paths[i]);
            (void)idx_config_is_dependency(&cfg, fuzz_paths[i]);
            (void)idx_config_is_source(&cfg, fuzz_paths[i]);
        }
    }
    idx_config_release(&cfg);
    strbuf_release(&warnings);
    return 0;
}
