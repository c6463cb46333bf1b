#!/usr/bin/env bash
# Hostile inputs must never crash `cidx index` or stop the run: tests/golden/hostile (binary,
# NUL bytes, Latin-1, BOM+CRLF, a dangling symlink, a missing file, an entry without "file", a
# path with spaces and non-ASCII), an unreadable file (run unprivileged), a symlink loop in the
# directory-scan mode, and compile databases that cannot be read at all (not JSON, not an array,
# 100,000 levels deep, over the 256 MiB limit). See tests/golden/hostile/FACTS.md.
#
# usage: test_index_hostile.sh CIDX [CIDX_GEN]
#
# Each case checks: no crash (exit 0 when other files could be indexed; exit 1 with a message
# naming the database when it cannot be read at all), the rest of the project is indexed
# (cidx search), the bad file's message is clear (stderr, cidx dump error lines), and cidx
# doctor finds the cache healthy afterwards.
#
# Checks marked "INDEXER BUG" fail because of the indexer (src/index/idx_run.c,
# src/worker/worker.c), not because of this test: they state what FACTS.md requires.
set -uo pipefail
cidx=$(realpath "$1")
golden="$(cd "$(dirname "${BASH_SOURCE[0]}")/../golden" && pwd -P)"
tmp=$(mktemp -d)
trap 'chmod -R u+rwX "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
if command -v timeout >/dev/null; then to=(timeout 120); else to=(); fi

bad() {
    echo "FAIL $*"
    fail=$((fail + 1))
}
indexer_bug() {
    echo "FAIL (INDEXER BUG) $*"
    fail=$((fail + 1))
}
show() { sed 's/^/    /' "$1" | cat -v | head -"${2:-10}"; }

# index LABEL CACHE ROOT [cidx index options...]: runs cidx index, output in $tmp/out, $tmp/err;
# sets rc. An exit by a signal (>= 128) is a crash.
index() {
    local label=$1 cache=$2 dir=$3
    shift 3
    "${to[@]}" "$cidx" index "$dir" --cache-dir "$cache" --jobs 2 --quiet "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ $rc -ge 124 ]; then
        bad "$label: cidx index crashed or hung (exit $rc)"
        show "$tmp/err"
    fi
}

# has CACHE NAME FILE LINE COL: the symbol is in the index at FILE (relative to $root):LINE:COL
# (search --json is find_symbols' answer: project files relative to the project root)
has() {
    local out
    out=$("$cidx" search "$2" --cache-dir "$1" --match exact --json 2>&1)
    if ! grep -qF "\"file\":\"$3\",\"line\":$4,\"column\":$5" <<<"$out"; then
        bad "$label: symbol $2 ($3:$4:$5) is not in the index"
        echo "    $out" | head -c 400
        echo
    fi
}
hasnt() {
    local out
    out=$("$cidx" search "$2" --cache-dir "$1" --match exact --json 2>&1)
    grep -q '"total":0' <<<"$out" || bad "$label: symbol $2 is in the index"
}

doctor() {
    if ! "$cidx" doctor --cache-dir "$1" >"$tmp/doctor" 2>&1; then
        bad "$label: cidx doctor reports problems"
        show "$tmp/doctor" 20
    fi
}

dump() { "$cidx" dump --cache-dir "$1" --root "$root" >"$tmp/dump" 2>&1; }

# The good files of the project, indexed whatever else goes wrong.
good_symbols() {
    has "$1" good_hostile_function src/good.cpp 5 5
    has "$1" cycle_a_value include/cycle_a.h 8 12
    has "$1" cycle_b_value include/cycle_b.h 8 12
    has "$1" special_path_function "src/päth with space/ßpecial file.cpp" 5 5
    has "$1" before_nul src/nul_bytes.cpp 5 5
    has "$1" after_nul src/nul_bytes.cpp 11 5
    has "$1" latin1_function src/latin1.cpp 4 5
    has "$1" crlf_function src/crlf_bom.cpp 4 5
    has "$1" crlf_caller src/crlf_bom.cpp 10 5
}

# A clear message: a stderr line names the file and gives a cause (the file's name itself, with
# words like "missing" in it, does not count).
clear_cause='no such file|not found|does not exist|broken symlink|dangling symlink|permission denied|cannot (open|read)|not readable'
names_cause() { # FILE (relative to $root) STDERR
    grep -aF "$root/$1" "$2" | sed "s|$root/$1||g" | grep -qiE "$clear_cause"
}

root=$(bash "$golden/instantiate.sh" "$tmp/hostile röot/proj" hostile) || exit 1
ln -s missing_target.cpp "$root/src/dangling.cpp"
cp "$root/compile_commands.json" "$tmp/good.json"

# ---- 1. the compile database's bad entries and files ---------------------------------------------
label=files
before=$fail
cache="$tmp/cache-files"
index $label "$cache" "$root"
[ $rc = 0 ] || { bad "$label: cidx index exited $rc"; show "$tmp/err"; }
cp "$tmp/err" "$tmp/err-files"
good_symbols "$cache"
has "$cache" unreadable_function src/unreadable.cpp 4 5 # readable in this run
dump "$cache"
# the entry without "file" is skipped with its position named
grep -q "compile_commands.json: entry 9: missing 'file'" "$tmp/err-files" ||
    { bad "$label: no warning for the entry without \"file\""; show "$tmp/err-files"; }
# binary.cpp: its own parse errors, no symbols, the run goes on
grep -q "^file <root>/src/binary.cpp .*symbols=0\|^file <root>/src/binary.cpp unindexed" "$tmp/dump" ||
    bad "$label: binary.cpp has symbols or no file line"
grep -q "^error <root>/src/binary.cpp .*not valid UTF-8" "$tmp/dump" ||
    { bad "$label: no parse error naming binary.cpp's invalid UTF-8"; grep -a binary "$tmp/dump" | show /dev/stdin; }
# nothing stored keeps a CR of the CRLF file, nor cuts a record at a NUL
if grep -a "crlf_bom.cpp" "$tmp/dump" | grep -q $'\r'; then bad "$label: a CR from crlf_bom.cpp is stored"; fi
grep -q "^symbol after_nul .*brief='Declared after the NUL bytes.'" "$tmp/dump" ||
    bad "$label: after_nul (after the NUL bytes) lost its record or its brief"
# the dump is valid UTF-8 (latin1.cpp's brief holds E9 EF FC)
if LC_ALL=C.UTF-8 grep -naxv '.*' "$tmp/dump" >"$tmp/notutf8"; then
    indexer_bug "$label: cidx dump is not valid UTF-8 (FACTS: invalid bytes replaced or escaped); the worker passes latin1.cpp's brief through raw:"
    show "$tmp/notutf8" 3
fi
# dangling symlink and missing file: an error each, naming the file and the cause
for f in dangling missing; do
    grep -a "^error <root>/src/$f.cpp " "$tmp/dump" >"$tmp/line" || bad "$label: no parse error for $f.cpp"
    if ! names_cause "src/$f.cpp" "$tmp/err-files"; then
        indexer_bug "$label: the message for $f.cpp gives no cause (want e.g. 'No such file or directory'):"
        grep -a "$f.cpp" "$tmp/err-files" | show /dev/stdin 2
    fi
done
[ -e "$root/src/missing_target.cpp" ] && bad "$label: the dangling symlink's target was created"
hasnt "$cache" dangling_function
doctor "$cache"
# a refresh with nothing changed: the good files are not parsed again, no error is duplicated
errors_before=$(grep -c "^error " "$tmp/dump")
"$cidx" index "$root" --cache-dir "$cache" --jobs 2 --json >"$tmp/json" 2>/dev/null
grep -q '"parsed":0,' "$tmp/json" || { bad "$label: the refresh parsed good files again"; show "$tmp/json"; }
dump "$cache"
errors_after=$(grep -c "^error " "$tmp/dump")
[ "$errors_before" = "$errors_after" ] ||
    indexer_bug "$label: parse errors went from $errors_before to $errors_after after a refresh with nothing changed"
doctor "$cache"
[ $fail = "$before" ] && echo "ok files: binary, NUL, Latin-1, BOM+CRLF, dangling, missing, no \"file\", odd path"

# ---- 2. an unreadable file, indexed by an unprivileged user --------------------------------------
# chmod 000 stops nobody as root (CI runs as root): then the run is done as 'nobody'.
label=unreadable
before=$fail
run_as=()
if [ "$(id -u)" = 0 ]; then
    if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
        run_as=(setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups --)
    elif id nobody >/dev/null 2>&1 && command -v runuser >/dev/null; then
        run_as=(runuser -u nobody --)
    else
        run_as=(skip)
    fi
fi
if [ "${run_as[0]:-}" = skip ]; then
    echo "SKIP unreadable: running as root without setpriv/runuser and user 'nobody': chmod 000 does not stop root"
else
    cache="$tmp/cache-unreadable"
    mkdir -p "$cache"
    if [ ${#run_as[@]} -gt 0 ]; then
        # nobody must reach the project and the binaries, and own the cache
        chmod a+rx "$tmp" "$tmp/hostile röot"
        chmod -R a+rX "$root" 2>/dev/null # (the dangling link cannot be followed)
        chown "$(id -u nobody)" "$cache"
    fi
    chmod 000 "$root/src/unreadable.cpp"
    (cd / && HOME="$cache" "${to[@]}" "${run_as[@]}" "$cidx" index "$root" --cache-dir "$cache" \
        --jobs 2 --quiet >"$tmp/out" 2>"$tmp/err")
    rc=$?
    if [ ${#run_as[@]} -gt 0 ] && "${run_as[@]}" cat "$root/src/unreadable.cpp" >/dev/null 2>&1; then
        bad "$label: the file is still readable for the unprivileged user: the case tests nothing"
    fi
    [ $rc = 0 ] || { bad "$label: cidx index exited $rc"; show "$tmp/err"; }
    good_symbols "$cache"
    hasnt "$cache" unreadable_function
    dump "$cache"
    grep -q "^error <root>/src/unreadable.cpp " "$tmp/dump" || bad "$label: no parse error for unreadable.cpp"
    if ! names_cause src/unreadable.cpp "$tmp/err"; then
        indexer_bug "$label: the message for unreadable.cpp gives no cause (want 'Permission denied'):"
        grep -a "unreadable.cpp" "$tmp/err" | show /dev/stdin 2
    fi
    # readable again: a refresh indexes it and clears its error
    chmod 644 "$root/src/unreadable.cpp"
    (cd / && HOME="$cache" "${to[@]}" "${run_as[@]}" "$cidx" index "$root" --cache-dir "$cache" \
        --jobs 2 --quiet >"$tmp/out" 2>"$tmp/err")
    rc=$?
    [ $rc = 0 ] || { bad "$label: the refresh exited $rc"; show "$tmp/err"; }
    has "$cache" unreadable_function src/unreadable.cpp 4 5
    dump "$cache"
    grep -q "^error <root>/src/unreadable.cpp " "$tmp/dump" &&
        bad "$label: unreadable.cpp's error stays after it was indexed"
    doctor "$cache"
    [ $fail = "$before" ] && echo "ok unreadable file (as ${run_as[*]:-$(id -un)}), then readable again"
fi

# ---- 3. no compile database: the directory scan meets symlink loops ------------------------------
label=scan
before=$fail
rm -f "$root/compile_commands.json"
mkdir -p "$root/loop/sub"
ln -s .. "$root/loop/sub/up"                # back to loop/
ln -s "$root/loop" "$root/loop/self"        # to itself, absolute
ln -s ../../src "$root/loop/sub/src_again"  # a second way into src/
ln -s "$root/loop2" "$root/loop/sub/to_loop2"  # two links that point at each other (ELOOP)
ln -s "$root/loop/sub/to_loop2" "$root/loop2"
printf '// only a comment: a unit without declarations\n' >"$root/src/empty_unit.cpp"
cache="$tmp/cache-scan"
index $label "$cache" "$root"
[ $rc = 0 ] || { bad "$label: cidx index exited $rc"; show "$tmp/err"; }
good_symbols "$cache"
# each file once, not once per path through the links
out=$("$cidx" search good_hostile_function --cache-dir "$cache" --match exact --json)
grep -q '"total":1,' <<<"$out" || bad "$label: good_hostile_function is indexed more than once"
for want in "loop/self': symlink loop" "loop/sub/up': symlink loop" "src_again': directory" \
    "loop2': Too many levels of symbolic links"; do
    grep -qF "$want" "$tmp/err" || { bad "$label: no warning with \"$want\""; show "$tmp/err"; }
done
dump "$cache"
grep -q "/loop/" "$tmp/dump" && bad "$label: a file was indexed under a looping path"
grep -q "^error <root>/src/empty_unit.cpp" "$tmp/dump" && bad "$label: a unit without declarations failed"
doctor "$cache"
rm -rf "$root/loop" "$root/loop2" "$root/src/empty_unit.cpp"
[ $fail = "$before" ] && echo "ok directory scan with symlink loops"

# ---- 4. compile databases that cannot be read at all ---------------------------------------------
# The index from a good database stays as it was; the run fails with exit 1 and a message naming
# the database and the problem.
cache="$tmp/cache-ccdb"
cp "$tmp/good.json" "$root/compile_commands.json"
index ccdb-good "$cache" "$root"
ccdb_case() { # LABEL WANT-REGEX: compile_commands.json is already written
    label=$1
    before=$fail
    index "$label" "$cache" "$root"
    if [ $rc != 1 ]; then
        bad "$label: cidx index exited $rc, want 1"
        show "$tmp/err"
    fi
    if ! grep -qE "compile database '$root/compile_commands.json' .*($2)" "$tmp/err"; then
        bad "$label: no clear message naming the database:"
        show "$tmp/err" 3
    fi
    has "$cache" good_hostile_function src/good.cpp 5 5
    doctor "$cache"
    [ $fail = "$before" ] && echo "ok $label: $(head -c 160 "$tmp/err")"
}
printf 'not json {\n' >"$root/compile_commands.json"
ccdb_case not-json "not valid JSON"
printf '{"directory": "/", "file": "a.c", "command": "cc a.c"}\n' >"$root/compile_commands.json"
ccdb_case not-array "JSON array"
{ head -c 100000 /dev/zero | tr '\0' '['; head -c 100000 /dev/zero | tr '\0' ']'; } >"$root/compile_commands.json"
ccdb_case deep-nesting "not valid JSON.*depth"
rm -f "$root/compile_commands.json"
truncate -s 300M "$root/compile_commands.json" # sparse: the size is checked before reading
ccdb_case huge "too large"
: >"$root/compile_commands.json"
ccdb_case empty "empty|not valid JSON"

# an array of junk: every entry skipped with its position, the run succeeds with nothing to do
label=junk-entries
before=$fail
printf '[5, "s", null, [], {"file": 3}, {"directory": "%s", "file": "src/good.cpp"}]\n' \
    "$root" >"$root/compile_commands.json"
index $label "$tmp/cache-junk" "$root"
[ $rc = 0 ] || { bad "$label: cidx index exited $rc"; show "$tmp/err"; }
for n in 0 1 2 3 4 5; do
    grep -q "compile_commands.json: entry $n: " "$tmp/err" || bad "$label: no warning for entry $n"
done
doctor "$tmp/cache-junk"
[ $fail = "$before" ] && echo "ok $label"
cp "$tmp/good.json" "$root/compile_commands.json"

[ $fail = 0 ] && echo "ok: hostile inputs"
[ $fail = 0 ]
