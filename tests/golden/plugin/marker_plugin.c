/*
 * marker_plugin.c - a shared object that proves it was loaded. Its constructor runs as soon as
 * anything dlopen()s it (clang loading it as a plugin, a pass plugin, anything) and appends a line
 * to a marker file: the path in the environment variable CIDX_MARKER, else CIDX_MARKER_PATH given
 * at build time, else /tmp/cidx-plugin-marker. The test asserts the marker never appears.
 *
 * Build (the test does it at run time; nothing here is built by CMake):
 *   cc -shared -fPIC -DCIDX_MARKER_PATH='"/abs/marker"' -o build/marker_plugin.so marker_plugin.c
 * Baking the path in as well keeps the check valid when the indexer clears its workers'
 * environment.
 */
#include <stdio.h>
#include <stdlib.h>

#ifndef CIDX_MARKER_PATH
#define CIDX_MARKER_PATH "/tmp/cidx-plugin-marker"
#endif

__attribute__((constructor)) static void cidx_marker_loaded(void)
{
    const char *path = getenv("CIDX_MARKER");
    FILE *f;

    if (!path || !*path)
        path = CIDX_MARKER_PATH;
    f = fopen(path, "a");
    if (f) {
        fputs("cidx marker plugin loaded\n", f);
        fclose(f);
    }
}
