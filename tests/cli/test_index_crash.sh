#!/usr/bin/env bash
# Crash consistency of `cidx index`: kill -9 the indexer (and with it its workers) at random
# moments of a first index and of a refresh; every time the cache must pass `cidx doctor`
# (integrity, search-index sync, ownership), and a following run must give the same dump as a
# clean index of the same tree.
#
# usage: test_index_crash.sh CIDX [CIDX_GEN]   (CIDX_CRASH_ROUNDS, default 6)
set -euo pipefail
cidx=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root="$tmp/proj"
mkdir -p "$root/src" "$root/include"
rounds=${CIDX_CRASH_ROUNDS:-4}
fail=0

# 30 translation units sharing headers, big enough that a run lasts a couple of seconds
cat >"$root/include/common.h" <<'X'
#pragma once
#include <string>
#include <vector>
namespace crash { struct Base { virtual ~Base(); virtual int f() const = 0; }; }
X
{
    echo "["
    for i in $(seq 1 30); do
        cat >"$root/src/f$i.cpp" <<X
#include "common.h"
namespace crash {
struct D$i : Base { int f() const override { return $i; } };
int use$i() { D$i d; std::vector<std::string> v; v.push_back("x"); return d.f() + int(v.size()); }
}
X
        [ "$i" = 1 ] || echo ","
        printf '{"directory": "%s", "arguments": ["clang++", "-std=c++17", "-Iinclude", "-c", "src/f%s.cpp"], "file": "src/f%s.cpp"}' "$root" "$i" "$i"
    done
    echo "]"
} >"$root/compile_commands.json"

"$cidx" index "$root" --cache-dir "$tmp/clean" --quiet >/dev/null 2>&1
"$cidx" dump --cache-dir "$tmp/clean" --root "$root" >"$tmp/clean.dump"
t_clean=$(grep -c '^file' "$tmp/clean.dump")

for round in $(seq 1 "$rounds"); do
    cache="$tmp/cache$round"
    if [ $((round % 2)) = 0 ]; then
        # a refresh: index, change every file, then kill the re-index
        "$cidx" index "$root" --cache-dir "$cache" --quiet >/dev/null 2>&1
        for f in "$root"/src/*.cpp; do echo "// round $round" >>"$f"; done
    fi
    delay=$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", 0.05 + rand() * 1.0 }')
    "$cidx" index "$root" --cache-dir "$cache" --jobs 2 --quiet >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    # the workers see their pipe close and exit; give them a moment
    for _ in $(seq 1 50); do pgrep -f "cidx-worker $root" >/dev/null || break; sleep 0.1; done
    if ! "$cidx" doctor --cache-dir "$cache" >"$tmp/doctor" 2>&1; then
        echo "FAIL round $round (killed after ${delay}s): doctor reports a damaged cache"
        cat "$tmp/doctor"; fail=1
    fi
    "$cidx" index "$root" --cache-dir "$cache" --quiet >/dev/null 2>&1 || {
        echo "FAIL round $round: the run after the kill failed"; fail=1; }
    "$cidx" dump --cache-dir "$cache" --root "$root" >"$tmp/after.dump"
    if [ $((round % 2)) = 0 ]; then
        # compare with a clean index of the changed tree
        rm -rf "$tmp/clean2"
        "$cidx" index "$root" --cache-dir "$tmp/clean2" --quiet >/dev/null 2>&1
        "$cidx" dump --cache-dir "$tmp/clean2" --root "$root" >"$tmp/expect.dump"
    else
        cp "$tmp/clean.dump" "$tmp/expect.dump"
    fi
    if ! cmp -s "$tmp/expect.dump" "$tmp/after.dump"; then
        echo "FAIL round $round (killed after ${delay}s): the next run does not give a clean index"
        diff "$tmp/expect.dump" "$tmp/after.dump" | head -20; fail=1
    else
        echo "ok round $round (killed after ${delay}s)"
    fi
    if [ $((round % 2)) = 0 ]; then
        # undo the change so the odd rounds compare with the first clean dump
        for f in "$root"/src/*.cpp; do sed -i '/^\/\/ round /d' "$f"; done
    fi
done
[ "$t_clean" -gt 30 ] || { echo "FAIL: the clean index has only $t_clean files"; fail=1; }
exit $fail
