#!/usr/bin/env bash
# Golden tests of the indexer: index each project under tests/golden/ and compare the
# normalized dump (`cidx dump`) with tests/golden/<project>/expected.dump.
#
# usage: test_index_golden.sh CIDX [CIDX_GEN]
# The expected dumps are libclang 19's (what deps.sh installs and CI builds with); older libclang
# prints some types differently (Deep0 vs deep::Deep0), so build with 19 to compare.
# CIDX_GOLDEN_UPDATE=1 rewrites the expected dumps instead of comparing (review the diff with
# git before committing; tests/golden/regen.sh does exactly that).
#
# Each project is laid out under a root whose path holds a space and non-ASCII characters, is
# indexed with 2 workers and again from scratch with 1 worker (the dumps must be identical:
# which worker claims a header must not matter). The broken project is compared without the test
# hooks, then indexed again with them on: its crash and hang files must be isolated and
# recorded, and nothing else may change.
set -euo pipefail
cidx=$(realpath "$1")
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../golden" && pwd -P)"
tmp=$(mktemp -d)
trap 'chmod -R u+rwX "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0

for project in cpp_features c_project broken; do
    root="$tmp/golden root ünï/$project"
    bash "$here/instantiate.sh" "$root" "$project" >/dev/null
    for jobs in 2 1; do
        cache="$tmp/cache-$project-$jobs"
        if ! "$cidx" index "$root" --cache-dir "$cache" --jobs "$jobs" --timeout 2 --quiet \
            >"$tmp/out" 2>"$tmp/err"; then
            echo "FAIL $project: cidx index failed (jobs $jobs)"; cat "$tmp/err"; fail=1; continue
        fi
        "$cidx" dump --cache-dir "$cache" --root "$root" >"$tmp/dump-$project-$jobs"
        if ! "$cidx" doctor --cache-dir "$cache" >"$tmp/doctor" 2>&1; then
            echo "FAIL $project: doctor reports problems after indexing (jobs $jobs)"
            cat "$tmp/doctor"; fail=1
        fi
    done
    if ! cmp -s "$tmp/dump-$project-2" "$tmp/dump-$project-1"; then
        echo "FAIL $project: the dump depends on the number of workers"
        diff "$tmp/dump-$project-2" "$tmp/dump-$project-1" | head -20; fail=1
    fi
    if [ "$project" = broken ]; then
        # with the test hooks on, the crash file kills its worker and the hang file runs past
        # the time limit: both must be isolated and recorded, and everything else must be
        # exactly as in the run without hooks
        cache="$tmp/cache-$project-hooks"
        CIDX_TEST_HOOKS=1 "$cidx" index "$root" --cache-dir "$cache" --jobs 2 --timeout 2 \
            --quiet >"$tmp/out" 2>"$tmp/err" || { echo "FAIL broken: index with hooks failed"; fail=1; }
        "$cidx" dump --cache-dir "$cache" --root "$root" >"$tmp/dump-hooks"
        grep -q "^error <root>/src/crash_hook.cpp signal retries=1 message='the parse worker died with signal 6" "$tmp/dump-hooks" ||
            { echo "FAIL broken: the crash is not recorded as a signal"; grep '^error' "$tmp/dump-hooks"; fail=1; }
        grep -q "^error <root>/src/hang_hook.cpp timeout retries=1 " "$tmp/dump-hooks" ||
            { echo "FAIL broken: the hang is not recorded as a timeout"; grep '^error' "$tmp/dump-hooks"; fail=1; }
        grep -q 'crash_hook.cpp: the parse worker died with signal 6' "$tmp/err" ||
            { echo "FAIL broken: no warning for the crash on stderr"; cat "$tmp/err"; fail=1; }
        if ! diff <(grep -v -e crash_hook -e hang_hook "$tmp/dump-$project-2") \
            <(grep -v -e crash_hook -e hang_hook "$tmp/dump-hooks") >"$tmp/diff"; then
            echo "FAIL broken: with hooks, files other than the crash and hang ones differ"
            head -20 "$tmp/diff"; fail=1
        fi
        "$cidx" doctor --cache-dir "$cache" >/dev/null 2>&1 || { echo "FAIL broken: doctor after hooks"; fail=1; }
    fi
    expected="$here/$project/expected.dump"
    if [ "${CIDX_GOLDEN_UPDATE:-0}" = 1 ]; then
        cp "$tmp/dump-$project-2" "$expected"
        echo "updated $expected ($(wc -l <"$expected") lines)"
    elif [ ! -f "$expected" ]; then
        echo "FAIL $project: no $expected (run tests/golden/regen.sh)"; fail=1
    elif ! diff -u "$expected" "$tmp/dump-$project-2" >"$tmp/diff"; then
        echo "FAIL $project: the index differs from $expected"
        head -60 "$tmp/diff"; fail=1
    else
        echo "ok $project ($(wc -l <"$expected") dump lines)"
    fi
done
exit $fail
