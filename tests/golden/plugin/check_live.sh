#!/usr/bin/env bash
# check_live.sh ROOT - the positive control of the plugin test: proves that each spelling in
# spellings.json really makes the clang driver load a plugin (or not), so that "the marker never
# appeared under cidx" means something. ROOT is an instantiated copy of this project
# (tests/golden/instantiate.sh ROOT plugin). Needs cc, jq and clang-19 (CLANG=... to change).
#
# Builds ROOT/build/marker_plugin.so, then for each spelling runs the clang driver itself (NOT
# cidx) in ROOT with that spelling and compares "did the marker appear" with the spelling's
# "clang19" field: loads* -> must appear; no-load, rejected -> must not. Prints one line per
# spelling; exits 1 on any mismatch.
#
# Note: libclang 19 itself (clang_parseTranslationUnit, clang_indexSourceFile) loads no plugin
# for any of these spellings: only the driver's cc1 path does. The cidx test therefore asserts
# two things: the marker never appears, and the indexer logged the removal of every spelling.
set -uo pipefail
root=$(cd "${1:?usage: $0 ROOT}" && pwd -P)
clang=${CLANG:-clang-19}
cd "$root"
mkdir -p build
marker="$root/build/marker"
cc -shared -fPIC "-DCIDX_MARKER_PATH=\"$marker\"" -o build/marker_plugin.so marker_plugin.c || exit 2
ln -sf "$(command -v "$clang")" build/clang-cl
export CIDX_MARKER="$marker"
fail=0
n=$(jq length spellings.json)
for ((i = 0; i < n; i++)); do
    id=$(jq -r ".[$i].id" spellings.json)
    probe=$(jq -r ".[$i].probe" spellings.json)
    want=$(jq -r ".[$i].clang19" spellings.json)
    mapfile -t args < <(jq -r ".[$i].args[]" spellings.json)
    case $probe in
    syntax | cc1) cmd=("$clang" "${args[@]}" -fsyntax-only src/main.c) ;;
    codegen) cmd=("$clang" "${args[@]}" -c -o /dev/null src/main.c) ;;
    analyze) cmd=("$clang" "${args[@]}" -o /dev/null src/main.c) ;;
    cl) cmd=("$clang" "${args[@]}" /Zs src/main.c) ;;
    cl-name) cmd=(build/clang-cl "${args[@]}" /Zs src/main.c) ;;
    *) echo "$id: unknown probe '$probe'"; fail=1; continue ;;
    esac
    rm -f "$marker"
    "${cmd[@]}" >/dev/null 2>&1
    rc=$?
    if [ -e "$marker" ]; then got=loaded; else got=not-loaded; fi
    case $want in
    loads*) ok=$([ $got = loaded ] && echo ok || echo MISMATCH) ;;
    *) ok=$([ $got = not-loaded ] && echo ok || echo MISMATCH) ;;
    esac
    [ "$ok" = ok ] || fail=1
    printf '%-8s %-24s expected %-20s got %-10s (clang exit %d)\n' "$ok" "$id" "$want" "$got" $rc
done
rm -f "$marker"
exit $fail
