#!/usr/bin/env bash
# One indexing run per cache, and the progress output.
# - While a slow run holds a cache, `cidx index --no-wait` fails at once (exit 1) naming the
#   holder's pid; without --no-wait a second run says who holds the cache, waits, then finishes.
# - On a terminal (a pty made by script(1)) progress is a redrawn bar with rate, ETA and the
#   current file; otherwise plain "indexed N/M files" lines; a summary at the end either way.
#
# usage: test_index_lock.sh CIDX [CIDX_GEN]
set -euo pipefail
cidx=$(realpath "$1")
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../golden" && pwd -P)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
root="$tmp/broken"
bash "$here/instantiate.sh" "$root" broken >/dev/null
cache="$tmp/cache"

# a run that takes a few seconds: the hang file runs into a 2 s limit, twice
CIDX_TEST_HOOKS=1 "$cidx" index "$root" --cache-dir "$cache" --jobs 1 --timeout 2 --quiet \
    >"$tmp/first.out" 2>"$tmp/first.err" &
first=$!
for _ in $(seq 1 50); do [ -s "$cache/index.lock" ] && break; sleep 0.1; done
sleep 0.3

if "$cidx" index "$root" --cache-dir "$cache" --no-wait >"$tmp/nw.out" 2>"$tmp/nw.err"; then
    echo "FAIL: --no-wait succeeded while another run held the cache"; fail=1
elif ! grep -q "another indexing run holds .*pid $first" "$tmp/nw.err"; then
    echo "FAIL: --no-wait does not name the holder (pid $first)"; cat "$tmp/nw.err"; fail=1
else
    echo "ok --no-wait refuses and names pid $first"
fi

t0=$(date +%s%N)
"$cidx" index "$root" --cache-dir "$cache" --json >"$tmp/wait.out" 2>"$tmp/wait.err" || {
    echo "FAIL: the waiting run failed"; cat "$tmp/wait.err"; fail=1; }
t1=$(date +%s%N)
grep -q "another indexing run holds .*waiting" "$tmp/wait.err" ||
    { echo "FAIL: the waiting run did not say it waits"; cat "$tmp/wait.err"; fail=1; }
if kill -0 "$first" 2>/dev/null; then
    echo "FAIL: the second run finished while the first still held the cache"; fail=1
fi
wait "$first" || { echo "FAIL: the first run failed"; cat "$tmp/first.err"; fail=1; }
echo "ok the second run waited $(((t1 - t0) / 1000000)) ms for the first"

# Ctrl-C: the run stops at once (the hung worker is killed), exit 1, and the file in flight is
# not recorded as a failure; kill -9 of the indexer takes its workers with it
rm -rf "$cache"
CIDX_TEST_HOOKS=1 "$cidx" index "$root" --cache-dir "$cache" --jobs 1 --timeout 60 \
    >"$tmp/int.out" 2>"$tmp/int.err" &
pid=$!
for _ in $(seq 1 100); do pgrep -f "cidx-worker $root" >/dev/null && break; sleep 0.05; done
sleep 1
t0=$(date +%s%N)
kill -INT "$pid"
rc=0; wait "$pid" || rc=$?
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
if [ "$rc" != 1 ] || [ "$ms" -gt 3000 ]; then
    echo "FAIL: Ctrl-C: exit $rc after $ms ms (want 1, promptly)"; cat "$tmp/int.err"; fail=1
else
    echo "ok Ctrl-C stops the run in $ms ms"
fi
sleep 0.3
if pgrep -f "cidx-worker $root" >/dev/null; then echo "FAIL: workers left after Ctrl-C"; fail=1; fi
if "$cidx" dump --cache-dir "$cache" --root "$root" | grep -q '^error .*hang_hook.*timeout'; then
    echo "FAIL: the file in flight at Ctrl-C was recorded as a timeout"; fail=1
fi
CIDX_TEST_HOOKS=1 "$cidx" index "$root" --cache-dir "$cache" --jobs 1 --timeout 60 --quiet \
    >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 100); do pgrep -f "cidx-worker $root" >/dev/null && break; sleep 0.05; done
sleep 0.5
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
gone=0
for _ in $(seq 1 20); do pgrep -f "cidx-worker $root" >/dev/null || { gone=1; break; }; sleep 0.05; done
if [ $gone = 1 ]; then echo "ok kill -9 of the indexer takes its (hung) worker with it"
else echo "FAIL: a worker outlived the indexer killed with -9"; pkill -9 -f "cidx-worker $root"; fail=1; fi

# progress: plain lines when stderr is not a terminal
rm -rf "$cache"
"$cidx" index "$root" --cache-dir "$cache" --jobs 2 >"$tmp/plain.out" 2>"$tmp/plain.err"
grep -q '^cidx: indexed 5/5 files (100%), [0-9.]* files/s, ETA ' "$tmp/plain.err" ||
    { echo "FAIL: no plain progress line"; cat "$tmp/plain.err"; fail=1; }
grep -q '^Indexed 5 of 5 sources in ' "$tmp/plain.out" ||
    { echo "FAIL: no summary"; cat "$tmp/plain.out"; fail=1; }
if grep -q $'\r' "$tmp/plain.err"; then echo "FAIL: carriage returns without a terminal"; fail=1; fi

# progress: a bar on a terminal
if command -v script >/dev/null; then
    rm -rf "$cache"
    script -qec "'$cidx' index '$root' --cache-dir '$cache' --jobs 1" "$tmp/tty.log" >/dev/null 2>&1 || true
    if grep -q $'\r' "$tmp/tty.log" && grep -q 'files/s  ETA' "$tmp/tty.log" && grep -q '\] [0-9]*/5 ' "$tmp/tty.log"; then
        echo "ok progress bar on a terminal"
    else
        echo "FAIL: no progress bar on a terminal"; cat -v "$tmp/tty.log" | head -20; fail=1
    fi
else
    echo "skip: script(1) not installed, the terminal bar is not checked"
fi
exit $fail
