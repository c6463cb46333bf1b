#!/usr/bin/env bash
# Incremental refresh scenarios of `cidx index`: each step changes the project, refreshes, checks
# how many files were parsed, and compares the refreshed cache with a fresh index of the same
# tree (dump for dump): a refresh must give exactly what indexing from scratch gives.
#
# usage: test_index_incremental.sh CIDX [CIDX_GEN]
set -euo pipefail
cidx=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root="$tmp/proj"
cache="$tmp/cache"
mkdir -p "$root/src" "$root/include"
fail=0

sources=(a b c)
flags_b="-std=c++17"
write_ccdb() {
    local first=1
    {
        echo "["
        for s in "${sources[@]}"; do
            [ $first = 1 ] || echo ","
            first=0
            local flags="-std=c++17"
            [ "$s" = b ] && flags=$flags_b
            printf '{"directory": "%s", "command": "clang++ %s -Iinclude -c src/%s.cpp -o %s.o", "file": "src/%s.cpp"}' \
                "$root" "$flags" "$s" "$s" "$s"
        done
        echo "]"
    } >"$root/compile_commands.json"
}

cat >"$root/include/deep.h" <<'X'
#pragma once
namespace inc { struct Deep { int depth() const { return 1; } }; }
X
cat >"$root/include/shared.h" <<'X'
#pragma once
#include "deep.h"
namespace inc { struct Shared : Deep { void share(); }; }
X
cat >"$root/include/other.h" <<'X'
#pragma once
namespace inc { int other(); }
X
cat >"$root/src/a.cpp" <<'X'
#include "shared.h"
void inc::Shared::share() { depth(); }
X
cat >"$root/src/b.cpp" <<'X'
#include "shared.h"
int use_b() { inc::Shared s; s.share(); return s.depth(); }
X
cat >"$root/src/c.cpp" <<'X'
#include "other.h"
int inc::other() { return 3; }
X
write_ccdb

field() { grep -o "\"$1\":[a-z0-9.]*" "$tmp/out" | head -1 | cut -d: -f2; }
refresh() {
    "$cidx" index "$root" --cache-dir "$cache" --jobs 2 --json "$@" >"$tmp/out" 2>"$tmp/err" || {
        echo "FAIL: cidx index exited non-zero"; cat "$tmp/err"; exit 1; }
}
expect() { # name expected
    local got
    got=$(field "$1")
    if [ "$got" != "$2" ]; then
        echo "FAIL [$step]: $1 is $got, expected $2"; cat "$tmp/out"; echo; fail=1
    fi
}
same_as_fresh() {
    rm -rf "$tmp/fresh"
    "$cidx" index "$root" --cache-dir "$tmp/fresh" --quiet >/dev/null 2>&1
    "$cidx" dump --cache-dir "$tmp/fresh" --root "$root" >"$tmp/fresh.dump"
    "$cidx" dump --cache-dir "$cache" --root "$root" >"$tmp/inc.dump"
    if ! cmp -s "$tmp/fresh.dump" "$tmp/inc.dump"; then
        echo "FAIL [$step]: the refreshed cache differs from a fresh index"
        diff "$tmp/fresh.dump" "$tmp/inc.dump" | head -20; fail=1
    fi
    if ! "$cidx" doctor --cache-dir "$cache" >"$tmp/doctor" 2>&1; then
        echo "FAIL [$step]: doctor"; cat "$tmp/doctor"; fail=1
    fi
}
has_symbol() { "$cidx" search "$1" --cache-dir "$cache" --match exact --json | grep -q "\"name\":\"$1\""; }

step="first index"; refresh
expect parsed 3; expect headers 3; expect added 3; same_as_fresh

step="no change"; refresh
expect parsed 0; expect nothing_changed true

step="touch only"; sleep 0.01; touch "$root/src/c.cpp"; refresh
expect parsed 0; expect touched 1
refresh; expect nothing_changed true

step="edit a source"; echo 'int added_in_c() { return 4; }' >>"$root/src/c.cpp"; refresh
expect parsed 1; expect modified 1; same_as_fresh
has_symbol added_in_c || { echo "FAIL [$step]: added_in_c not found"; fail=1; }

step="edit a header two levels down"; sed -i 's/return 1;/return 2;/; s/struct Deep {/struct Deep { int deeper;/' "$root/include/deep.h"
refresh; expect parsed 2; expect headers_changed 1; expect modified 0; same_as_fresh
has_symbol deeper || { echo "FAIL [$step]: deeper not found"; fail=1; }

step="edit a header included once"; echo 'namespace inc { int other2(); }' >>"$root/include/other.h"
refresh; expect parsed 1; same_as_fresh

step="change compile flags"; flags_b="-std=c++17 -DEXTRA=1"; write_ccdb
refresh; expect parsed 1; expect args_changed 1; same_as_fresh

step="delete a source"; sources=(a b); write_ccdb; rm "$root/src/c.cpp"
refresh; expect parsed 0; expect deleted 2; same_as_fresh
has_symbol added_in_c && { echo "FAIL [$step]: added_in_c still there"; fail=1; }

step="add a source"; cat >"$root/src/d.cpp" <<'X'
#include "other.h"
int brand_new() { return inc::other(); }
X
sources=(a b d); write_ccdb
refresh; expect parsed 1; same_as_fresh
has_symbol brand_new || { echo "FAIL [$step]: brand_new not found"; fail=1; }

step="delete a header"; sed -i '/#include "other.h"/d' "$root/src/d.cpp"; sed -i 's/return inc::other();/return 0;/' "$root/src/d.cpp"; rm "$root/include/other.h"
refresh; expect parsed 1; same_as_fresh

step="a source the compile database does not list (fallback_to_hardcoded)"
echo 'int loose_fn() { return 5; }' >"$root/src/loose.cpp"
cat >"$root/src/part.cpp" <<'X'
int part_fn() { return 6; }
X
echo '#include "part.cpp"' >>"$root/src/a.cpp"
refresh; expect parsed 2; same_as_fresh   # loose.cpp on its own, a.cpp again; part.cpp through a.cpp
has_symbol loose_fn || { echo "FAIL [$step]: loose_fn not found"; fail=1; }
has_symbol part_fn || { echo "FAIL [$step]: part_fn not found"; fail=1; }
refresh; expect nothing_changed true

step="full"; refresh --full
expect parsed 4; same_as_fresh
refresh; expect nothing_changed true

[ $fail = 0 ] && echo "ok incremental"
exit $fail
