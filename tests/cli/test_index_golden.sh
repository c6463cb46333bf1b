#!/usr/bin/env bash
# Golden tests of the indexer: index each project under tests/golden/ and compare the
# normalized dump (`cidx dump`) with tests/golden/<project>/expected.dump.
#
# usage: test_index_golden.sh CIDX [CIDX_GEN]
# CIDX_GOLDEN_UPDATE=1 rewrites the expected dumps instead of comparing (review the diff with
# git before committing; tests/golden/regen.sh does exactly that).
#
# Each project is laid out under a root whose path holds a space and non-ASCII characters, is
# indexed with 2 workers and again from scratch with 1 worker (the dumps must be identical:
# which worker claims a header must not matter), and the broken project runs with the test
# hooks on, so its crash and hang files exercise the worker isolation.
set -euo pipefail
cidx=$(realpath "$1")
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../golden" && pwd -P)"
tmp=$(mktemp -d)
trap 'chmod -R u+rwX "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0

for project in cpp_features c_project broken; do
    root="$tmp/golden root ünï/$project"
    bash "$here/instantiate.sh" "$root" "$project" >/dev/null
    export CIDX_TEST_HOOKS=1
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
    unset CIDX_TEST_HOOKS
    if ! cmp -s "$tmp/dump-$project-2" "$tmp/dump-$project-1"; then
        echo "FAIL $project: the dump depends on the number of workers"
        diff "$tmp/dump-$project-2" "$tmp/dump-$project-1" | head -20; fail=1
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
